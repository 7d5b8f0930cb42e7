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

struct walk {
	struct buf	 out;
	bool		 oneline;	/* titles: paragraph breaks are spaces */
	bool		 plain;		/* input had no markup at all */
	bool		 space;		/* a space is due before the next text */
	bool		 brk;		/* a paragraph break is due */
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

static bool
in_list(const char *const *list, const xmlChar *name)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (xmlStrcasecmp(name, (const xmlChar *)list[i]) == 0)
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

/* Append one text node, collapsing white space (NBSP counts as space). */
static void
add_text(struct walk *w, const unsigned char *s)
{
	size_t	 n, nl;

	while (*s != '\0') {
		n = 0;
		nl = 0;
		for (;;) {
			if (s[n] == ' ' || s[n] == '\t' || s[n] == '\r' ||
			    s[n] == '\f' || s[n] == '\v') {
				n++;
			} else if (s[n] == '\n') {
				nl++;
				n++;
			} else if (s[n] == 0xc2 && s[n + 1] == 0xa0) {
				n += 2;
			} else
				break;
		}
		if (n > 0) {
			if (w->out.len > 0)
				w->space = true;
			/* In plain text a blank line is a paragraph break. */
			if (w->plain && nl >= 2 && w->out.len > 0)
				w->brk = true;
			s += n;
			continue;
		}
		if (w->brk && w->out.len > 0)
			emit(w, w->oneline ? " " : "\n\n", w->oneline ? 1 : 2);
		else if (w->space && w->out.len > 0)
			emit(w, " ", 1);
		w->brk = w->space = false;
		emit(w, (const char *)s, 1);
		s++;
	}
}

static void
walk_node(struct walk *w, xmlNode *node, int depth)
{
	xmlNode	*n;
	bool	 block;

	if (depth > TEXT_DEPTH)
		return;
	for (n = node; n != NULL && w->err == BUF_OK; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				add_text(w, n->content);
			break;
		case XML_ELEMENT_NODE:
			if (in_list(skipped, n->name))
				break;
			block = in_list(blocks, n->name);
			if (block)
				w->brk = true;
			walk_node(w, n->children, depth + 1);
			if (block)
				w->brk = true;
			break;
		default:
			break;
		}
	}
}

static char *
convert(const char *html, size_t len, bool oneline)
{
	struct walk	 w;
	struct xmlcap	 cap;
	struct xmloom	 wo;
	htmlDocPtr	 doc;
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
	xmlcap_init(&cap, XMLCAP_TREE, 0);
	doc = xmlcap_html(copy, len, NULL, opts, &cap);
	free(copy);
	if (doc != NULL) {
		walk_node(&w, doc->children, 0);
		xmlFreeDoc(doc);
	}
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
