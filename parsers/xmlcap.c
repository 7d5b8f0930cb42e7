/*
 * xmlcap: libxml2 trees within a memory budget.
 *
 * Every callback that adds to the tree is charged first: the structs it
 * will allocate and their bytes, each rounded up as malloc rounds it, and
 * the names new to the parser's dictionary.  The estimate errs high; when
 * it would pass the budget the parser is stopped (xmlStopParser), which
 * ends the document there: what was built stays, well formed.
 *
 * The HTML depth cap relies on the parser's own stacks: when a start tag
 * reaches the callback, its name is on the stack (ctxt->nameNr is its
 * level) and the tree's node stack (ctxt->nodeNr) holds the levels built.
 * An end tag is passed on only for a level that was built.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/dict.h>
#include <libxml/entities.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>

#include "parsers/charset.h"
#include "parsers/xmlcap.h"

/* A dictionary entry, beside its name: libxml2's struct, its table slot. */
#define DICT_ENTRY	64

/*
 * What malloc takes for n bytes: a header, 16-byte steps, 32 at least.
 * Every string charged is part of a document of at most INT_MAX bytes,
 * so neither this nor a callback's sum of them comes near SIZE_MAX.
 */
static size_t
chunk(size_t n)
{
	n = (n + 8 + 15) & ~(size_t)15;
	return n < 32 ? 32 : n;
}

static size_t
chunk_str(const xmlChar *s)
{
	return s != NULL ? chunk(strlen((const char *)s) + 1) : 0;
}

static struct xmlcap *
cap_of(void *ctx)
{
	return ((xmlParserCtxt *)ctx)->_private;
}

/*
 * Take n bytes from the budget, or stop the parser.  An entity's content
 * is parsed by a context of its own that shares ours (and this cap): once
 * one is stopped, the next callback of the other stops it too.
 */
static int
charge(void *ctx, size_t n)
{
	struct xmlcap	*cap = cap_of(ctx);

	if (!cap->cut && n <= cap->max - cap->used) {
		cap->used += n;
		return 0;
	}
	cap->cut = true;
	xmlStopParser(ctx);
	return -1;
}

/*
 * The names a callback brings, when the dictionary grew since the last
 * one: its entries, and these names' bytes (some may be old: it errs
 * high).  HTML trees copy their names; XML ones point into the dictionary.
 * The attribute names are atts[0], atts[step] ... natts of them.
 */
static size_t
names_cost(void *ctx, const xmlChar *name, const xmlChar **atts, int natts,
    int step)
{
	xmlParserCtxt	*ctxt = ctx;
	struct xmlcap	*cap = cap_of(ctx);
	size_t		 n, cost;
	int		 i;

	if (ctxt->dict == NULL || (n = xmlDictSize(ctxt->dict)) <= cap->names)
		return 0;
	cost = (n - cap->names) * DICT_ENTRY + chunk_str(name);
	cap->names = n;
	for (i = 0; i < natts; i++)
		cost += chunk_str(atts[i * step]);
	return cost;
}

/* A text of len bytes: added to the last text node or a new one. */
static size_t
text_cost(void *ctx, int len, xmlElementType type)
{
	xmlParserCtxt	*ctxt = ctx;
	const xmlNode	*last;
	size_t		 n = len > 0 ? (size_t)len : 0;

	last = ctxt->node != NULL ? ctxt->node->last : NULL;
	if (last != NULL && last->type == type)
		return n;
	return chunk(sizeof(xmlNode)) + chunk(n + 1);
}

/* HTML: SAX1 start and end tags, attributes as name/value pairs. */

static size_t
html_element_cost(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct xmlcap	*cap = cap_of(ctx);
	size_t		 cost;
	int		 i;

	cost = chunk(sizeof(xmlNode)) + chunk_str(name) + cap->per_element;
	for (i = 0; atts != NULL && atts[2 * i] != NULL; i++) {
		cost += chunk(sizeof(xmlAttr)) + chunk_str(atts[2 * i]);
		if (atts[2 * i + 1] != NULL)
			cost += chunk(sizeof(xmlNode)) +
			    chunk_str(atts[2 * i + 1]);
	}
	return cost + names_cost(ctx, name, atts, i, 2);
}

static void
html_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	xmlParserCtxt	*ctxt = ctx;
	struct xmlcap	*cap = cap_of(ctx);

	if (ctxt->nameNr > XMLCAP_STACK) {
		cap->cut = true;
		xmlStopParser(ctx);
		return;
	}
	if (ctxt->nameNr > XMLCAP_DEPTH) {
		cap->flattened++;
		return;
	}
	if (charge(ctx, html_element_cost(ctx, name, atts)) == 0)
		cap->sax.startElement(ctx, name, atts);
}

static void
html_end(void *ctx, const xmlChar *name)
{
	xmlParserCtxt	*ctxt = ctx;

	/* Not built (too deep, or where the budget ran out): nothing to end. */
	if (ctxt->nodeNr >= ctxt->nameNr)
		cap_of(ctx)->sax.endElement(ctx, name);
}

/* XML: SAX2 start tags, attributes as five pointers each. */

static void
xml_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int natts,
    int ndefaulted, const xmlChar **atts)
{
	struct xmlcap	*cap = cap_of(ctx);
	size_t		 cost, len;
	int		 i;

	cost = chunk(sizeof(xmlNode)) + cap->per_element +
	    names_cost(ctx, localname, atts, natts, 5);
	for (i = 0; i < nns; i++)
		cost += chunk(sizeof(xmlNs)) + chunk_str(ns[2 * i]) +
		    chunk_str(ns[2 * i + 1]);
	for (i = 0; i < natts; i++) {
		len = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
		cost += chunk(sizeof(xmlAttr)) + chunk(sizeof(xmlNode)) +
		    chunk(len + 1);
	}
	if (charge(ctx, cost) == 0)
		cap->sax.startElementNs(ctx, localname, prefix, uri, nns, ns,
		    natts, ndefaulted, atts);
}

/* Text, CDATA, comments, references, processing instructions. */

static void
on_characters(void *ctx, const xmlChar *s, int len)
{
	if (charge(ctx, text_cost(ctx, len, XML_TEXT_NODE)) == 0)
		cap_of(ctx)->sax.characters(ctx, s, len);
}

static void
on_blanks(void *ctx, const xmlChar *s, int len)
{
	if (charge(ctx, text_cost(ctx, len, XML_TEXT_NODE)) == 0)
		cap_of(ctx)->sax.ignorableWhitespace(ctx, s, len);
}

static void
on_cdata(void *ctx, const xmlChar *s, int len)
{
	if (charge(ctx, text_cost(ctx, len, XML_CDATA_SECTION_NODE)) == 0)
		cap_of(ctx)->sax.cdataBlock(ctx, s, len);
}

static void
on_comment(void *ctx, const xmlChar *s)
{
	if (charge(ctx, chunk(sizeof(xmlNode)) + chunk_str(s)) == 0)
		cap_of(ctx)->sax.comment(ctx, s);
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	if (charge(ctx, chunk(sizeof(xmlNode)) + chunk_str(name)) == 0)
		cap_of(ctx)->sax.reference(ctx, name);
}

static void
on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	if (charge(ctx, chunk(sizeof(xmlNode)) + chunk_str(target) +
	    chunk_str(data)) == 0)
		cap_of(ctx)->sax.processingInstruction(ctx, target, data);
}

/* DTD declarations: an internal subset is part of the document too. */

static void
on_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	if (charge(ctx, chunk(sizeof(xmlEntity)) + DICT_ENTRY +
	    chunk_str(name) + chunk_str(pub) + chunk_str(sys) +
	    2 * chunk_str(content)) == 0)
		cap_of(ctx)->sax.entityDecl(ctx, name, type, pub, sys, content);
}

/* A content model, c1 by recursion (its depth is capped by libxml2). */
static size_t
content_cost(const xmlElementContent *c)
{
	size_t	 cost = 0;

	for (; c != NULL; c = c->c2)
		cost += chunk(sizeof(*c)) + chunk_str(c->name) +
		    chunk_str(c->prefix) + content_cost(c->c1);
	return cost;
}

static void
on_element_decl(void *ctx, const xmlChar *name, int type,
    xmlElementContent *content)
{
	if (charge(ctx, chunk(sizeof(xmlElement)) + DICT_ENTRY +
	    chunk_str(name) + content_cost(content)) == 0)
		cap_of(ctx)->sax.elementDecl(ctx, name, type, content);
}

static void
on_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *name,
    int type, int def, const xmlChar *value, xmlEnumeration *tree)
{
	const xmlEnumeration	*e;
	size_t			 cost;

	/* libxml2 keeps defaults and types in tables of its own too */
	cost = 2 * (chunk(sizeof(xmlAttribute)) + DICT_ENTRY +
	    chunk_str(elem) + chunk_str(name) + chunk_str(value));
	for (e = tree; e != NULL; e = e->next)
		cost += chunk(sizeof(*e)) + chunk_str(e->name);
	if (charge(ctx, cost) == 0)
		cap_of(ctx)->sax.attributeDecl(ctx, elem, name, type, def,
		    value, tree);
	else
		xmlFreeEnumeration(tree);	/* the callback's to free */
}

void
xmlcap_init(struct xmlcap *cap, size_t max, size_t per_element)
{
	memset(cap, 0, sizeof(*cap));
	cap->max = max;
	cap->per_element = per_element;
}

void
xmlcap_attach(struct xmlcap *cap, xmlParserCtxt *ctxt)
{
	xmlSAXHandler	*h = ctxt->sax;

	cap->sax = *h;
	cap->names = ctxt->dict != NULL ? xmlDictSize(ctxt->dict) : 0;
	ctxt->_private = cap;
#define WRAP(field, fn)	do { if (h->field != NULL) h->field = (fn); } while (0)
	if (ctxt->html) {
		WRAP(startElement, html_start);
		WRAP(endElement, html_end);
	} else
		WRAP(startElementNs, xml_start);
	WRAP(characters, on_characters);
	/* HTML's is a no-op: only the XML one (xmlSAX2Characters) builds */
	if (h->ignorableWhitespace != xmlSAX2IgnorableWhitespace)
		WRAP(ignorableWhitespace, on_blanks);
	WRAP(cdataBlock, on_cdata);
	WRAP(comment, on_comment);
	WRAP(reference, on_reference);
	WRAP(processingInstruction, on_pi);
	WRAP(entityDecl, on_entity);
	WRAP(elementDecl, on_element_decl);
	WRAP(attributeDecl, on_attribute_decl);
#undef WRAP
}

int
xmlcap_input(xmlParserCtxt *ctxt, const char *s, size_t len)
{
	xmlParserInput	*in;

	if (len > INT_MAX || (in = xmlNewInputStream(ctxt)) == NULL)
		return -1;
	in->base = in->cur = (const xmlChar *)s;
	in->end = in->base + len;
	in->length = (int)len;
	if (inputPush(ctxt, in) < 0) {
		xmlFreeInputStream(in);
		return -1;
	}
	return 0;
}

/* The context htmlCreateMemoryParserCtxt makes, reading s in place. */
static htmlParserCtxt *
html_ctxt(const char *s, size_t len)
{
	htmlParserCtxt	*ctxt;

	if ((ctxt = htmlNewParserCtxt()) == NULL)
		return NULL;
	if (xmlcap_input(ctxt, s, len) == -1) {
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	return ctxt;
}

/*
 * Bytes that are not UTF-8 would make the parser read the rest as
 * Latin-1 (it cannot convert an input without a buffer); through
 * libxml2's UTF-8 converter, in a copy of s, they pass as they do in
 * htmlReadMemory(..., "UTF-8", ...).
 */
static htmlParserCtxt *
html_ctxt_copy(const char *s, size_t len)
{
	htmlParserCtxt		*ctxt;
	xmlCharEncodingHandler	*conv;

	if ((ctxt = htmlCreateMemoryParserCtxt(s, (int)len)) == NULL)
		return NULL;
	if ((conv = xmlFindCharEncodingHandler("UTF-8")) == NULL ||
	    xmlSwitchToEncoding(ctxt, conv) != 0) {
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	return ctxt;
}

htmlParserCtxt *
xmlcap_html_ctxt(const char *s, size_t len, const char *url, int opts)
{
	htmlParserCtxt	*ctxt;
	bool		 utf8;

	if (len == 0 || len > INT_MAX)
		return NULL;
	utf8 = charset_is_utf8(s, len);
	if ((ctxt = utf8 ? html_ctxt(s, len) : html_ctxt_copy(s, len)) ==
	    NULL)
		return NULL;
	/* The text is UTF-8 by now: a <meta> charset must not switch it. */
	htmlCtxtUseOptions(ctxt, opts | HTML_PARSE_IGNORE_ENC);
	if ((utf8 && xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8) != 0) ||
	    (url != NULL && ctxt->input->filename == NULL &&
	    (ctxt->input->filename = (char *)xmlStrdup(
	    (const xmlChar *)url)) == NULL)) {
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	return ctxt;
}

xmlDoc *
xmlcap_html(const char *s, size_t len, const char *url, int opts,
    struct xmlcap *cap)
{
	htmlParserCtxt	*ctxt;
	xmlDoc		*doc;

	if ((ctxt = xmlcap_html_ctxt(s, len, url, opts)) == NULL)
		return NULL;
	xmlcap_attach(cap, ctxt);
	htmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	/* As htmlDoRead: a tree that took over the dictionary keeps it. */
	if (ctxt->dictNames && doc != NULL && doc->dict == ctxt->dict)
		ctxt->dict = NULL;
	htmlFreeParserCtxt(ctxt);
	return doc;
}
