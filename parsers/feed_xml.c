/*
 * feed_xml: reading feed documents with libxml2, safely and forgivingly.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/feed_xml.h"

#define ENTITY_NAME_MAX	32
#define PUSH_CHUNK	(64 * 1024)

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
xml_entity(const char *name)
{
	return strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0;
}

/* Skip to just past end, or to the end of the data. */
static size_t
skip_past(const char *s, size_t len, size_t i, const char *end)
{
	size_t	 n = strlen(end);
	void	*hit;

	/* memchr for the first byte is much faster than memmem here. */
	while (i < len && (hit = memchr(s + i, end[0], len - i)) != NULL) {
		i = (size_t)((const char *)hit - s);
		if (len - i >= n && memcmp(s + i, end, n) == 0)
			return i + n;
		i++;
	}
	return len;
}

/*
 * What to write instead of the byte at s[i], or NULL to keep it; *skip is
 * how many input bytes the replacement stands for.
 */
static const char *
fix_one(const char *s, size_t len, size_t i, char *tmp, size_t tmplen,
    size_t *skip)
{
	const htmlEntityDesc	*ent;
	char			 name[ENTITY_NAME_MAX + 1];
	size_t			 j;
	unsigned char		 c = (unsigned char)s[i];
	int			 n;

	*skip = 1;
	/* C0 controls are not allowed in XML 1.0 at all. */
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
		return "";
	if (c == '<') {
		/* markup starts with a name, '/', '!' or '?' */
		if (i + 1 < len && (is_alpha((unsigned char)s[i + 1]) ||
		    strchr("/!?_:", s[i + 1]) != NULL ||
		    (unsigned char)s[i + 1] >= 0x80))
			return NULL;
		return "&lt;";
	}
	if (c != '&')
		return NULL;
	/* XML's own entities, most of the '&' in escaped HTML */
	if ((len - i >= 4 && (memcmp(s + i + 1, "lt;", 3) == 0 ||
	    memcmp(s + i + 1, "gt;", 3) == 0)) ||
	    (len - i >= 5 && memcmp(s + i + 1, "amp;", 4) == 0) ||
	    (len - i >= 6 && (memcmp(s + i + 1, "quot;", 5) == 0 ||
	    memcmp(s + i + 1, "apos;", 5) == 0)))
		return NULL;
	if (i + 1 < len && s[i + 1] == '#') {
		for (j = i + 2; j < len && (is_alnum((unsigned char)s[j])); j++)
			;
		if (j < len && s[j] == ';' && j > i + 2)
			return NULL;
		return "&amp;";
	}
	for (j = 0; i + 1 + j < len && j < ENTITY_NAME_MAX &&
	    is_alnum((unsigned char)s[i + 1 + j]); j++)
		name[j] = s[i + 1 + j];
	name[j] = '\0';
	if (j == 0 || i + 1 + j >= len || s[i + 1 + j] != ';')
		return "&amp;";	/* a bare ampersand: "Fish & Chips" */
	if (xml_entity(name))
		return NULL;
	if ((ent = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return "&amp;";
	n = snprintf(tmp, tmplen, "&#%u;", ent->value);
	if (n < 0 || (size_t)n >= tmplen)
		return NULL;
	*skip = j + 2;
	return tmp;
}

/* Past the '>' closing the tag at s[i], quoted '>' included. */
static size_t
skip_tag(const char *s, size_t len, size_t i)
{
	char	 q = 0;

	for (i++; i < len; i++) {
		if (q != 0) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'')
			q = s[i];
		else if (s[i] == '>')
			return i + 1;
	}
	return len;
}

/*
 * Past the run of bytes from s[i] that fix_one would keep as they are:
 * most of a document, stepped over without a call per byte.
 */
#define ONES		UINT64_C(0x0101010101010101)
#define HIGHS		UINT64_C(0x8080808080808080)
/* Whether a byte of v is zero, or less than n (n <= 128). */
#define HAS_ZERO(v)	(((v) - ONES) & ~(v) & HIGHS)
#define HAS_LESS(v, n)	(((v) - ONES * (n)) & ~(v) & HIGHS)

static size_t
skip_plain(const char *s, size_t len, size_t i)
{
	uint64_t	 v;
	unsigned char	 c;

	/* Eight bytes at a time while none is '<', '&' or a control. */
	for (; len - i >= 8; i += 8) {
		memcpy(&v, s + i, 8);
		if (HAS_ZERO(v ^ (ONES * '<')) || HAS_ZERO(v ^ (ONES * '&')) ||
		    HAS_LESS(v, 0x20))
			break;
	}
	for (; i < len; i++) {
		c = (unsigned char)s[i];
		if (c > '<')	/* letters, UTF-8: the common case first */
			continue;
		if (c == '<' || c == '&' ||
		    (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			break;
	}
	return i;
}

int
feed_xml_fix_entities(const char *s, size_t len, char **out, size_t *outlen)
{
	struct buf	 b;
	char		 tmp[16];
	const char	*rep;
	size_t		 i, skip, done = 0;
	int		 rc = BUF_OK;
	bool		 changed = false;

	*out = NULL;
	*outlen = 0;
	/* A document declaring its own entities means what it says. */
	if (memmem(s, len, "<!ENTITY", 8) != NULL)
		return 0;
	buf_init(&b, len > SIZE_MAX / 2 - 64 ? len : len + len / 2 + 64);
	for (i = 0; i < len && rc == BUF_OK;) {
		if ((i = skip_plain(s, len, i)) == len)
			break;
		if (s[i] == '<' && len - i >= 9 &&
		    memcmp(s + i, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, i + 9, "]]>");
			continue;
		}
		if (s[i] == '<' && len - i >= 4 &&
		    memcmp(s + i, "<!--", 4) == 0) {
			i = skip_past(s, len, i + 4, "-->");
			continue;
		}
		if (s[i] == '<' && len - i >= 2 && (s[i + 1] == '?' ||
		    s[i + 1] == '!')) {
			i = skip_past(s, len, i + 2, ">");
			continue;
		}
		if (s[i] == '<') {
			/* Inside a tag: leave attribute values alone. */
			if ((rep = fix_one(s, len, i, tmp, sizeof(tmp),
			    &skip)) == NULL) {
				i = skip_tag(s, len, i);
				continue;
			}
		} else if ((rep = fix_one(s, len, i, tmp, sizeof(tmp),
		    &skip)) == NULL) {
			i++;
			continue;
		}
		if ((rc = buf_add(&b, s + done, i - done)) == BUF_OK)
			rc = buf_addstr(&b, rep);
		i += skip;
		done = i;
		changed = true;
	}
	if (rc == BUF_OK && changed)
		rc = buf_add(&b, s + done, len - done);
	if (rc != BUF_OK) {
		buf_free(&b);
		/* Too big to rewrite: leave it to the recovering parser. */
		return rc == BUF_NOMEM ? -1 : 0;
	}
	if (!changed) {
		buf_free(&b);
		return 0;
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

/*
 * Elements whose text is HTML: raw tags in them (<br>, <p> left open) are
 * the publisher's HTML, not elements of the feed.  Atom's are wrapped only
 * when they say type="html", where raw tags are wrong by definition.
 */
static const struct {
	const char	*name;
	bool		 atom;
} html_elements[] = {
	{ "description", false }, { "content:encoded", false },
	{ "itunes:summary", false }, { "media:description", false },
	{ "summary", true }, { "content", true },
};

/* The end of the element whose start tag is s[i..tag_end), at its close
 * tag "</name>"; sets *close_len.  len when there is none. */
static size_t
find_close(const char *s, size_t len, size_t i, const char *name,
    size_t *close_len)
{
	size_t	 n = strlen(name), j;

	for (; (i = skip_past(s, len, i, "</")) < len; ) {
		if (len - i < n || memcmp(s + i, name, n) != 0)
			continue;
		for (j = i + n; j < len && (s[j] == ' ' || s[j] == '\t' ||
		    s[j] == '\r' || s[j] == '\n'); j++)
			;
		if (j < len && s[j] == '>') {
			*close_len = j + 1 - (i - 2);
			return i - 2;
		}
	}
	return len;
}

/* Whether the body of an HTML element should become CDATA. */
static bool
wants_cdata(const char *body, size_t n)
{
	/* no raw tag: nothing to protect; CDATA already: written on
	 * purpose; an item's tags: the close tag found belongs to another
	 * element (the real one was never closed) */
	return memchr(body, '<', n) != NULL &&
	    memmem(body, n, "<![CDATA[", 9) == NULL &&
	    memmem(body, n, "<item", 5) == NULL &&
	    memmem(body, n, "</item", 6) == NULL &&
	    memmem(body, n, "<entry", 6) == NULL &&
	    memmem(body, n, "</entry", 7) == NULL;
}

/* body as one or more CDATA sections ("]]>" cannot be inside one). */
static int
add_cdata(struct buf *b, const char *body, size_t n)
{
	const char	*end;
	int		 rc;

	rc = buf_addstr(b, "<![CDATA[");
	while (rc == BUF_OK && (end = memmem(body, n, "]]>", 3)) != NULL) {
		rc = buf_add(b, body, (size_t)(end - body) + 2);
		if (rc == BUF_OK)
			rc = buf_addstr(b, "]]><![CDATA[");
		n -= (size_t)(end - body) + 2;
		body = end + 2;
	}
	if (rc == BUF_OK)
		rc = buf_add(b, body, n);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "]]>");
	return rc;
}

/* Which of html_elements starts at s[i] ('<'), or -1. */
static int
html_element_at(const char *s, size_t len, size_t i)
{
	size_t	 k, n;
	char	 c;

	for (k = 0; k < sizeof(html_elements) / sizeof(html_elements[0]);
	    k++) {
		n = strlen(html_elements[k].name);
		if (len - i < n + 2 ||
		    memcmp(s + i + 1, html_elements[k].name, n) != 0)
			continue;
		c = s[i + 1 + n];
		if (c == '>' || c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n')
			return (int)k;
	}
	return -1;
}

static bool
says_html(const char *tag, size_t n)
{
	return memmem(tag, n, "type=\"html\"", 11) != NULL ||
	    memmem(tag, n, "type='html'", 11) != NULL;
}

int
feed_xml_wrap_html(const char *s, size_t len, char **out, size_t *outlen)
{
	struct buf	 b;
	const void	*hit;
	size_t		 i = 0, done = 0, tag_end, close, close_len = 0;
	int		 k, rc = BUF_OK;
	bool		 changed = false;
	/* No close tag of that name after here: none after any later
	 * point either, so the search is not repeated (a document of
	 * unclosed tags would take quadratic time). */
	bool		 unclosed[sizeof(html_elements) /
			    sizeof(html_elements[0])] = { false };

	*out = NULL;
	*outlen = 0;
	buf_init(&b, len > SIZE_MAX / 2 - 64 ? len : len + len / 4 + 64);
	while (rc == BUF_OK && i < len &&
	    (hit = memchr(s + i, '<', len - i)) != NULL) {
		i = (size_t)((const char *)hit - s);
		if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, i + 9, "]]>");
			continue;
		}
		if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			i = skip_past(s, len, i + 4, "-->");
			continue;
		}
		if ((k = html_element_at(s, len, i)) == -1) {
			i++;
			continue;
		}
		tag_end = skip_tag(s, len, i);
		if (unclosed[k] || s[tag_end - 2] == '/' ||
		    (html_elements[k].atom && !says_html(s + i, tag_end - i))) {
			i = tag_end;
			continue;
		}
		close = find_close(s, len, tag_end, html_elements[k].name,
		    &close_len);
		if (close == len) {
			unclosed[k] = true;
			i = tag_end;
			continue;
		}
		if (wants_cdata(s + tag_end, close - tag_end)) {
			rc = buf_add(&b, s + done, tag_end - done);
			if (rc == BUF_OK)
				rc = add_cdata(&b, s + tag_end, close - tag_end);
			done = close;
			changed = true;
		}
		i = close + close_len;
	}
	if (rc == BUF_OK && changed)
		rc = buf_add(&b, s + done, len - done);
	if (rc != BUF_OK || !changed) {
		buf_free(&b);
		return rc == BUF_NOMEM ? -1 : 0;
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

size_t
feed_xml_feed_start(const char *s, size_t len)
{
	static const char *const starts[] = { "<rss", "<feed", "<rdf:RDF",
	    "<RDF" };
	const char	*hit, *best = NULL;
	size_t		 k, n;

	if (len > 1 && (hit = memmem(s + 1, len - 1, "<?xml", 5)) != NULL)
		return (size_t)(hit - s);
	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		n = strlen(starts[k]);
		hit = len > 1 ? memmem(s + 1, len - 1, starts[k], n) : NULL;
		if (hit != NULL && (size_t)(hit - s) + n < len &&
		    strchr(" \t\r\n>", hit[n]) != NULL && hit[n] != '\0' &&
		    (best == NULL || hit < best))
			best = hit;
	}
	return best != NULL ? (size_t)(best - s) : 0;
}

static xmlDoc *
read_once(const char *s, size_t len, const char *base, const char *enc,
    int opts, bool *wellformed)
{
	xmlParserCtxt	*ctxt;
	xmlDoc		*doc;

	*wellformed = false;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	doc = xmlCtxtReadMemory(ctxt, s, (int)len, base, enc, opts);
	*wellformed = ctxt->wellFormed != 0;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/*
 * The first, strict pass through the push parser, which builds the same
 * tree as xmlCtxtReadMemory but reads CDATA sections and character data a
 * block at a time, not a character at a time (the feeds' HTML sits in
 * CDATA).  The document is fed in PUSH_CHUNK pieces as a transfer would.
 * NULL unless the document is well-formed.
 */
static xmlDoc *
read_push(const char *s, size_t len, const char *base, int opts)
{
	xmlParserCtxt	*ctxt;
	xmlDoc		*doc;
	size_t		 off, n;
	bool		 wf;

	if ((ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)) ==
	    NULL)
		return NULL;
	xmlCtxtUseOptions(ctxt, opts);
	/*
	 * The text is valid UTF-8 (charset.c): read as it is, no converter.
	 * The URL is set as xmlCtxtReadMemory sets it.
	 */
	if (xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8) != 0)
		goto fail;
	if (base != NULL && ctxt->input != NULL &&
	    ctxt->input->filename == NULL &&
	    (ctxt->input->filename = (char *)xmlStrdup(
	    (const xmlChar *)base)) == NULL)
		goto fail;
	for (off = 0; off < len; off += n) {
		n = len - off < PUSH_CHUNK ? len - off : PUSH_CHUNK;
		if (xmlParseChunk(ctxt, s + off, (int)n, 0) != 0)
			goto fail;
	}
	if (xmlParseChunk(ctxt, NULL, 0, 1) != 0)
		goto fail;
	wf = ctxt->wellFormed != 0;
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	if (doc != NULL && !wf) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
 fail:
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return NULL;
}

int
feed_xml_read(const char *s, size_t len, const char *base, xmlDoc **out,
    bool *recovered)
{
	xmlDoc		*doc;
	char		*wrapped = NULL;
	size_t		 wlen = 0;
	bool		 wf;
	int		 opts;

	*out = NULL;
	*recovered = false;
	if (len > INT_MAX)
		return -1;
	/*
	 * Never NOENT, DTDLOAD or HUGE: no entity bombs, no external files.
	 * The text is UTF-8 by now (charset.c), whatever it declares.
	 */
	opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
	/* COMPACT: short text inside its node, one malloc less each. */
	if ((doc = read_push(s, len, base, opts | XML_PARSE_COMPACT)) !=
	    NULL) {
		*out = doc;
		return 0;
	}
	/* Not well-formed for the push parser: the pull parser decides. */
	doc = read_once(s, len, base, "UTF-8", opts, &wf);
	if (doc != NULL && wf) {
		*out = doc;
		return 0;
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	/*
	 * A second, lenient pass: raw HTML in a description becomes CDATA, so
	 * that a <br> left open does not swallow the items after it; then
	 * libxml2's recovery for whatever else is wrong.
	 */
	if (feed_xml_wrap_html(s, len, &wrapped, &wlen) == -1)
		return -1;
	if (wrapped != NULL && wlen <= INT_MAX) {
		s = wrapped;
		len = wlen;
		doc = read_once(s, len, base, "UTF-8", opts, &wf);
		if (doc != NULL && !wf) {
			xmlFreeDoc(doc);
			doc = NULL;
		}
	}
	if (doc == NULL)
		doc = read_once(s, len, base, "UTF-8",
		    opts | XML_PARSE_RECOVER, &wf);
	free(wrapped);
	if (doc == NULL)
		return -1;
	*recovered = true;
	*out = doc;
	return 0;
}
