/*
 * text: plain text out of (X)HTML fragments, through libxml2's HTML parser
 * so that entities, unclosed tags and stray markup are handled the way a
 * browser would rather than with string matching.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/text.h"
#include "parsers/xmlcap.h"
#include "parsers/xmloom.h"

#define TEXT_MAX	(16 * 1024 * 1024)	/* output cap */
#define TEXT_DEPTH	256			/* deeper nesting is ignored */

/*
 * The parser's SAX events are walked as they come: no tree is built (it
 * cost more than the parse itself), and the depth is counted as a tree
 * walk would see it.
 */
struct walk {
	struct buf	 out;
	bool		 oneline;	/* titles: paragraph breaks are spaces */
	bool		 plain;		/* input had no markup at all */
	bool		 space;		/* a space is due before the next text */
	bool		 brk;		/* a paragraph break is due */
	unsigned	 nl;		/* newlines in the white space so far */
	int		 depth;		/* elements open */
	int		 skip;		/* depth inside a skipped one, or 0 */
	int		 err;
};

static const char *const skipped[] = {
	"script", "style", "title", "noscript", "template", "iframe",
	"object", "embed", NULL
};

static const char *const blocks[] = {
	"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
	"h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr", "section",
	"article", "header", "footer", "aside", "nav", "figure", "figcaption",
	"address", "form", "fieldset", "main", "details", "summary", "caption",
	"center", NULL
};

/*
 * The HTML parser gives names in lower case: compared as bytes, after
 * their first letter (most names are in neither list).
 */
static bool
in_list(const char *const *list, const xmlChar *name)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (list[i][0] == (char)name[0] &&
		    strcmp((const char *)name, list[i]) == 0)
			return true;
	return false;
}

static void
emit(struct walk *w, const char *p, size_t n)
{
	int	 rc;

	if (w->err != BUF_OK)
		return;
	if ((rc = buf_add(&w->out, p, n)) != BUF_OK)
		w->err = rc;
}

/* White space (NBSP counts): a space is due, or in plain text a break. */
static size_t
blank_at(struct walk *w, const unsigned char *s, size_t len)
{
	size_t	 n;

	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\f' ||
	    s[0] == '\v')
		n = 1;
	else if (s[0] == '\n') {
		w->nl++;
		n = 1;
	} else if (s[0] == 0xc2 && len > 1 && s[1] == 0xa0)
		n = 2;
	else
		return 0;
	if (w->out.len > 0)
		w->space = true;
	/* In plain text a blank line is a paragraph break. */
	if (w->plain && w->nl >= 2 && w->out.len > 0)
		w->brk = true;
	return n;
}

/* Append text, collapsing white space; it may come in many pieces. */
static void
add_text(struct walk *w, const unsigned char *s, size_t len)
{
	size_t	 i = 0, n, run;

	while (i < len) {
		if ((n = blank_at(w, s + i, len - i)) > 0) {
			i += n;
			continue;
		}
		if (w->brk && w->out.len > 0)
			emit(w, w->oneline ? " " : "\n\n", w->oneline ? 1 : 2);
		else if (w->space && w->out.len > 0)
			emit(w, " ", 1);
		w->brk = w->space = false;
		w->nl = 0;
		for (run = i + 1; run < len && s[run] > ' ' && s[run] != 0xc2;
		    run++)
			continue;
		emit(w, (const char *)s + i, run - i);
		i = run;
	}
}

static struct walk *
walk_of(void *ctx)
{
	return ((htmlParserCtxt *)ctx)->_private;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct walk	*w = walk_of(ctx);
	int		 depth = w->depth++;

	(void)atts;
	/* libxml2 looks for each end tag among all the open elements */
	if (w->depth > XMLCAP_STACK)
		xmlStopParser(ctx);
	if (w->skip != 0 || depth > TEXT_DEPTH)
		return;
	if (in_list(skipped, name))
		w->skip = w->depth;
	else if (in_list(blocks, name))
		w->brk = true;
}

static void
on_end(void *ctx, const xmlChar *name)
{
	struct walk	*w = walk_of(ctx);
	int		 depth = --w->depth;

	if (w->skip != 0) {
		if (w->skip == depth + 1)
			w->skip = 0;
		return;
	}
	if (depth <= TEXT_DEPTH && in_list(blocks, name))
		w->brk = true;
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct walk	*w = walk_of(ctx);

	/* Outside every element a tree has no place for text: dropped. */
	if (w->skip == 0 && w->depth > 0 && w->depth <= TEXT_DEPTH &&
	    len > 0 && w->err == BUF_OK)
		add_text(w, s, (size_t)len);
}

/* HTML's own is a no-op too (blanks come as characters, keepBlanks). */
static void
on_blanks(void *ctx, const xmlChar *s, int len)
{
	(void)ctx;
	(void)s;
	(void)len;
}

static char *
convert(const char *html, size_t len, bool oneline)
{
	struct walk	 w;
	struct xmloom	 wo;
	htmlParserCtxt	*ctxt;
	char		*ret, *copy;
	int		 opts;

	if (html == NULL || len == 0)
		return strdup("");
	if (len > INT_MAX)
		return NULL;
	memset(&w, 0, sizeof(w));
	buf_init(&w.out, TEXT_MAX);
	w.oneline = oneline;
	w.plain = memchr(html, '<', len) == NULL;
	opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER;
	/*
	 * The parser reads up to a '\0' the caller's bytes need not have:
	 * a copy (of a feed's field, at most a few MiB).  UTF-8, whatever a
	 * <meta> in the fragment says.
	 */
	if ((copy = malloc(len + 1)) == NULL) {
		buf_free(&w.out);
		return NULL;
	}
	memcpy(copy, html, len);
	copy[len] = '\0';
	xmloom_begin(&wo);
	if ((ctxt = xmlcap_html_ctxt(copy, len, NULL, opts)) != NULL) {
		memset(ctxt->sax, 0, sizeof(*ctxt->sax));
		ctxt->sax->startElement = on_start;
		ctxt->sax->endElement = on_end;
		ctxt->sax->characters = on_text;
		ctxt->sax->cdataBlock = on_text;
		ctxt->sax->ignorableWhitespace = on_blanks;
		ctxt->_private = &w;
		htmlParseDocument(ctxt);
		if (ctxt->myDoc != NULL)
			xmlFreeDoc(ctxt->myDoc);
		htmlFreeParserCtxt(ctxt);
	}
	free(copy);
	/* A fragment libxml2 could not read whole has no text to give. */
	if (xmloom_end(&wo))
		w.err = BUF_NOMEM;
	if (w.err == BUF_NOMEM) {
		buf_free(&w.out);
		return NULL;
	}
	/* Too long: keep what fit, the caller wanted text, not an error. */
	ret = buf_steal(&w.out);
	return ret;
}

char *
text_from_html(const char *html, size_t len)
{
	return convert(html, len, false);
}

char *
text_line_from_html(const char *html, size_t len)
{
	return convert(html, len, true);
}
