/*
 * htmlclean: the article HTML made to agree with its cleaned text.
 *
 * The fragment is parsed with libxml2's HTML parser, its leaf blocks are
 * looked up among the text's paragraphs (both normalised the same way),
 * the ones the text lost are unlinked, the text nodes of the rest are
 * normalised, and the body is written back with a serialiser as small as
 * extract_out.c's: only the tags and attributes the input has.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/htmlclean.h"
#include "parsers/norm.h"
#include "parsers/xmlcap.h"
#include "parsers/xmloom.h"

#define HTMLCLEAN_MAX	(64 * 1024 * 1024)	/* output cap */
#define HTMLCLEAN_DEPTH	256

/*
 * Joins the text nodes of one block so they are normalised together: a
 * noncharacter (U+FDD0) never found in text and left alone by norm.c.
 */
#define MARK		"\xef\xb7\x90"
#define MARK_LEN	3

static const char	 wrap_open[] = "<html><body>";
static const char	 wrap_close[] = "</body></html>";

/* One paragraph of the cleaned text. */
struct para {
	char	*text;
	char	*key;		/* norm_line_lang of text */
	bool	 used;		/* matched by a block already */
};

struct hc {
	const char	*lang;
	bool		 en;	/* English: no space before , . ; : ! ? */
	struct para	*paras;
	size_t		 npara;
	size_t		 next;	/* where the next block is looked for */
	int		 err;	/* BUF_OK or what went wrong */
};

/* Elements that hold lines of text or group them. */
static const char *const block_names[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd",
	"blockquote", "pre", "figcaption", "caption", "td", "th", "ul", "ol",
	"dl", "table", "thead", "tbody", "tfoot", "tr", "figure", "div",
	"section", "article", "header", "footer", "aside", "address", NULL
};

static const char *const br_names[] = { "br", NULL };

/* Elements without a closing tag. */
static const char *const void_names[] = {
	"img", "br", "hr", "wbr", NULL
};

static bool
name_in(const xmlNode *n, const char *const *list)
{
	size_t	 i;

	if (n->type != XML_ELEMENT_NODE || n->name == NULL)
		return false;
	for (i = 0; list[i] != NULL; i++)
		if (strcmp((const char *)n->name, list[i]) == 0)
			return true;
	return false;
}

static bool
is_block(const xmlNode *n)
{
	return name_in(n, block_names);
}

static bool
is_text(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

static bool
has_block(const xmlNode *n, int depth)
{
	const xmlNode	*c;

	if (depth > HTMLCLEAN_DEPTH)
		return false;
	for (c = n->children; c != NULL; c = c->next)
		if (is_block(c) || has_block(c, depth + 1))
			return true;
	return false;
}

static void
fail(struct hc *h, int rc)
{
	if (h->err == BUF_OK)
		h->err = rc;
}

static void
add(struct hc *h, struct buf *b, const char *s, size_t n)
{
	int	 rc;

	if (h->err == BUF_OK && (rc = buf_add(b, s, n)) != BUF_OK)
		h->err = rc;
}

static void
adds(struct hc *h, struct buf *b, const char *s)
{
	add(h, b, s, strlen(s));
}

/* Paragraphs */

static int
para_add(struct hc *h, const char *s, size_t n, size_t *cap)
{
	struct para	*np, *p;
	size_t		 ncap;

	if (h->npara == *cap) {
		ncap = *cap == 0 ? 32 : *cap * 2;
		if (ncap > SIZE_MAX / 2 / sizeof(*np) ||
		    (np = reallocarray(h->paras, ncap, sizeof(*np))) == NULL)
			return -1;
		h->paras = np;
		*cap = ncap;
	}
	p = &h->paras[h->npara];
	p->used = false;
	p->key = NULL;
	if ((p->text = strndup(s, n)) == NULL)
		return -1;
	if ((p->key = norm_line_lang(p->text, h->lang)) == NULL) {
		free(p->text);
		return -1;
	}
	h->npara++;
	return 0;
}

/* The text's paragraphs: its non-empty lines. */
static int
para_split(struct hc *h, const char *text)
{
	const char	*s = text, *e;
	size_t		 cap = 0;

	while (*s != '\0') {
		if ((e = strchr(s, '\n')) == NULL)
			e = s + strlen(s);
		if (e > s && para_add(h, s, (size_t)(e - s), &cap) == -1)
			return -1;
		s = *e == '\n' ? e + 1 : e;
	}
	return 0;
}

static void
para_free(struct hc *h)
{
	size_t	 i;

	for (i = 0; i < h->npara; i++) {
		free(h->paras[i].text);
		free(h->paras[i].key);
	}
	free(h->paras);
}

/*
 * The first unused paragraph with this key, looked for from where the
 * last block matched, then from the top: blocks come in the text's order,
 * and a repeated paragraph matches its own repetition.
 */
static ptrdiff_t
para_find(struct hc *h, const char *key)
{
	size_t	 i, k;

	for (k = 0; k < h->npara; k++) {
		i = (h->next + k) % h->npara;
		if (!h->paras[i].used && strcmp(h->paras[i].key, key) == 0) {
			h->next = i + 1;
			return (ptrdiff_t)i;
		}
	}
	return -1;
}

/* Block text */

/* The text of n, a line break for each <br>. */
static void
gather(struct hc *h, const xmlNode *n, struct buf *b, int depth)
{
	const xmlNode	*c;

	if (depth > HTMLCLEAN_DEPTH)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (is_text(c) && c->content != NULL)
			adds(h, b, (const char *)c->content);
		else if (name_in(c, br_names))
			adds(h, b, "\n");
		else if (c->type == XML_ELEMENT_NODE)
			gather(h, c, b, depth + 1);
	}
}

/* Mark the paragraph of each line of s used; -1 when one has none. */
static int
match_lines(struct hc *h, char *s, size_t *used, size_t *nused,
    ptrdiff_t *only)
{
	char		*line, *key, *save = NULL;
	ptrdiff_t	 i;

	*only = -1;
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((key = norm_line_lang(line, h->lang)) == NULL) {
			fail(h, BUF_NOMEM);
			return -1;
		}
		i = *key == '\0' ? -2 : para_find(h, key);
		free(key);
		if (i == -2)
			continue;
		if (i == -1)
			return -1;
		h->paras[i].used = true;
		used[(*nused)++] = (size_t)i;
		*only = *nused == 1 ? i : -1;
	}
	return 0;
}

/*
 * Whether a leaf block is still in the text: each of its lines is one of
 * the paragraphs.  A block without text (an image) is.  *para is the
 * paragraph of a one-line block, else -1.
 */
static bool
leaf_kept(struct hc *h, const xmlNode *n, ptrdiff_t *para)
{
	struct buf	 b;
	size_t		*used, nused = 0, nlines = 1, i;
	bool		 kept = false;

	*para = -1;
	buf_init(&b, HTMLCLEAN_MAX);
	gather(h, n, &b, 0);
	if (h->err != BUF_OK || b.data == NULL) {
		buf_free(&b);
		return h->err == BUF_OK;
	}
	for (i = 0; i < b.len; i++)
		nlines += b.data[i] == '\n';
	if ((used = calloc(nlines, sizeof(*used))) == NULL) {
		fail(h, BUF_NOMEM);
		goto out;
	}
	if (match_lines(h, b.data, used, &nused, para) == 0)
		kept = true;
	else
		while (nused > 0)	/* give the lines that matched back */
			h->paras[used[--nused]].used = false;
	free(used);
out:
	buf_free(&b);
	return kept;
}

/* Text nodes */

struct tnodes {
	xmlNode	**v;
	char	**seg;		/* their new text */
	size_t	  n;
	size_t	  cap;
};

static void
tnodes_collect(struct hc *h, struct tnodes *t, xmlNode *n, int depth)
{
	xmlNode		**nv;
	size_t		  ncap;

	if (depth > HTMLCLEAN_DEPTH || h->err != BUF_OK)
		return;
	if (!is_text(n)) {
		for (n = n->children; n != NULL; n = n->next)
			tnodes_collect(h, t, n, depth + 1);
		return;
	}
	if (n->content == NULL)
		return;
	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 16 : t->cap * 2;
		if (ncap > SIZE_MAX / 2 / sizeof(*nv) ||
		    (nv = reallocarray(t->v, ncap, sizeof(*nv))) == NULL) {
			fail(h, BUF_NOMEM);
			return;
		}
		t->v = nv;
		t->cap = ncap;
	}
	t->v[t->n++] = n;
}

/*
 * All the text nodes normalised as one line, cut back at the marks.
 * Returns 1 when that worked, 0 when the marks did not come back one
 * for one (the caller normalises node by node), -1 when out of memory.
 */
static int
norm_joined(struct hc *h, struct tnodes *t)
{
	struct buf	 b;
	char		*out, *s, *e;
	size_t		 i;
	int		 rc = -1;

	buf_init(&b, HTMLCLEAN_MAX);
	for (i = 0; i < t->n; i++) {
		if (strstr((const char *)t->v[i]->content, MARK) != NULL) {
			buf_free(&b);
			return 0;
		}
		if (i > 0 && buf_add(&b, MARK, MARK_LEN) != BUF_OK)
			goto out_buf;
		if (buf_addstr(&b, (const char *)t->v[i]->content) != BUF_OK)
			goto out_buf;
	}
	if ((out = norm_line_lang(b.data != NULL ? b.data : "", h->lang)) ==
	    NULL)
		goto out_buf;
	rc = 1;
	for (i = 0, s = out; i < t->n && rc == 1; i++, s = e + MARK_LEN) {
		if ((e = strstr(s, MARK)) == NULL)
			e = s + strlen(s);
		if ((*e == '\0') != (i + 1 == t->n))
			rc = 0;
		else if ((t->seg[i] = strndup(s, (size_t)(e - s))) == NULL)
			rc = -1;
	}
	free(out);
out_buf:
	buf_free(&b);
	return rc;
}

static bool
ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

/* One node normalised alone, keeping a space at an edge that had one. */
static char *
norm_alone(struct hc *h, const char *s)
{
	char	*n, *out;
	size_t	 len;
	bool	 lead, trail;

	if ((n = norm_line_lang(s, h->lang)) == NULL)
		return NULL;
	len = strlen(n);
	lead = ws(s[0]);
	trail = s[0] != '\0' && ws(s[strlen(s) - 1]);
	if (len == 0 && (lead || trail)) {
		free(n);
		return strdup(" ");
	}
	if (len > SIZE_MAX - 3 || (out = malloc(len + 3)) == NULL) {
		free(n);
		return NULL;
	}
	out[0] = ' ';
	memcpy(out + lead, n, len);
	out[lead + len] = ' ';
	out[lead + len + trail] = '\0';
	free(n);
	return out;
}

static bool
starts_closing(const struct hc *h, const char *s)
{
	if (!h->en)
		return false;
	return (*s != '\0' && strchr(",.;:!?", *s) != NULL) ||
	    strncmp(s, "\xe2\x80\x9d", 3) == 0 ||	/* ” */
	    strncmp(s, "\xe2\x80\x99", 3) == 0;		/* ’ */
}

static bool
ends_opening(const struct hc *h, const char *s, size_t len)
{
	return h->en && len >= 3 &&
	    (memcmp(s + len - 3, "\xe2\x80\x9c", 3) == 0 ||	/* “ */
	    memcmp(s + len - 3, "\xe2\x80\x98", 3) == 0);	/* ‘ */
}

/*
 * Spaces where two nodes meet, as norm.c leaves them inside one: one
 * space, none before a closing mark or after an opening quote (English).
 */
static void
fix_edges(struct hc *h, struct tnodes *t)
{
	char	*prev = NULL, *s;
	size_t	 i, plen;

	for (i = 0; i < t->n; i++) {
		s = t->seg[i];
		if (prev != NULL && (plen = strlen(prev)) > 0) {
			if (s[0] == ' ' && (prev[plen - 1] == ' ' ||
			    ends_opening(h, prev, plen)))
				memmove(s, s + 1, strlen(s));
			else if (prev[plen - 1] == ' ' && starts_closing(h, s))
				prev[plen - 1] = '\0';
		} else if (prev == NULL && s[0] == ' ')
			memmove(s, s + 1, strlen(s));	/* the block's start */
		if (*s != '\0')
			prev = s;
	}
}

static void
tnodes_set(struct hc *h, struct tnodes *t)
{
	size_t	 i, len;

	for (i = 0; i < t->n; i++) {
		len = strlen(t->seg[i]);
		xmlNodeSetContentLen(t->v[i], (const xmlChar *)t->seg[i],
		    (int)len);
		if (len > 0 && t->v[i]->content == NULL)
			fail(h, BUF_NOMEM);
	}
}

/* Every text node under n normalised, together where it can be. */
static void
norm_nodes(struct hc *h, xmlNode *n, bool block)
{
	struct tnodes	 t;
	size_t		 i;
	int		 rc;

	memset(&t, 0, sizeof(t));
	tnodes_collect(h, &t, n, 0);
	if (h->err != BUF_OK || t.n == 0)
		goto out;
	if ((t.seg = calloc(t.n, sizeof(*t.seg))) == NULL) {
		fail(h, BUF_NOMEM);
		goto out;
	}
	rc = block ? norm_joined(h, &t) : 0;
	for (i = 0; rc == 0 && i < t.n; i++) {
		free(t.seg[i]);
		t.seg[i] = norm_alone(h, (const char *)t.v[i]->content);
		if (t.seg[i] == NULL)
			rc = -1;
	}
	if (rc == -1) {
		fail(h, BUF_NOMEM);
		goto out_seg;
	}
	if (block)
		fix_edges(h, &t);
	tnodes_set(h, &t);
out_seg:
	for (i = 0; i < t.n; i++)
		free(t.seg[i]);
	free(t.seg);
out:
	free(t.v);
}

/* Blocks */

static void
drop(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static bool
only_text(const xmlNode *n)
{
	const xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (!is_text(c))
			return false;
	return true;
}

/* A block of text only that still reads otherwise gets its paragraph. */
static void
leaf_retext(struct hc *h, xmlNode *n, const char *para)
{
	struct buf	 b;
	xmlNode		*t;

	if (!only_text(n))
		return;
	buf_init(&b, HTMLCLEAN_MAX);
	gather(h, n, &b, 0);
	if (h->err == BUF_OK && strcmp(b.data != NULL ? b.data : "",
	    para) != 0) {
		while (n->children != NULL)
			drop(n->children);
		if ((t = xmlNewText((const xmlChar *)para)) == NULL ||
		    xmlAddChild(n, t) == NULL) {
			xmlFreeNode(t);
			fail(h, BUF_NOMEM);
		}
	}
	buf_free(&b);
}

static void clean_children(struct hc *, xmlNode *, int);

/* A text node of white space only (between blocks). */
static bool
blank(const xmlNode *n)
{
	const xmlChar	*s;

	if (!is_text(n))
		return false;
	for (s = n->content; s != NULL && *s != '\0'; s++)
		if (!ws((char)*s))
			return false;
	return true;
}

/* Whether a container still holds anything after its leaves went. */
static bool
container_empty(const xmlNode *n)
{
	const xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE || (is_text(c) && !blank(c)))
			return false;
	return true;
}

/* Judge one child of a container: dropped, normalised or gone into. */
static void
clean_one(struct hc *h, xmlNode *n, int depth)
{
	ptrdiff_t	 para;

	if (depth > HTMLCLEAN_DEPTH || (!is_text(n) &&
	    n->type != XML_ELEMENT_NODE)) {
		drop(n);
		return;
	}
	if (!is_block(n)) {
		if (!blank(n))
			norm_nodes(h, n, false);
		return;
	}
	if (has_block(n, 0)) {
		clean_children(h, n, depth + 1);
		if (container_empty(n))
			drop(n);
		return;
	}
	if (!leaf_kept(h, n, &para)) {
		drop(n);
		return;
	}
	norm_nodes(h, n, true);
	if (para >= 0)
		leaf_retext(h, n, h->paras[para].text);
}

static void
clean_children(struct hc *h, xmlNode *n, int depth)
{
	xmlNode	*c, *next;

	for (c = n->children; c != NULL && h->err == BUF_OK; c = next) {
		next = c->next;
		clean_one(h, c, depth);
	}
}

/* Output */

static void
add_escaped(struct hc *h, struct buf *b, const char *s)
{
	int	 rc;

	if (h->err == BUF_OK && (rc = buf_add_html(b, s, strlen(s))) != BUF_OK)
		h->err = rc;
}

/* An attribute, alt text normalised as the text is. */
static void
write_attr(struct hc *h, struct buf *b, const xmlNode *n, const xmlAttr *a)
{
	xmlChar	*v;
	char	*nv = NULL;

	if (a->name == NULL)
		return;
	if ((v = xmlGetProp(n, a->name)) == NULL) {
		fail(h, BUF_NOMEM);
		return;
	}
	if (strcmp((const char *)a->name, "alt") == 0 &&
	    (nv = norm_line_lang((const char *)v, h->lang)) == NULL)
		fail(h, BUF_NOMEM);
	adds(h, b, " ");
	adds(h, b, (const char *)a->name);
	adds(h, b, "=\"");
	add_escaped(h, b, nv != NULL ? nv : (const char *)v);
	adds(h, b, "\"");
	free(nv);
	xmlFree(v);
}

static void
write_node(struct hc *h, struct buf *b, const xmlNode *n, int depth)
{
	const xmlNode	*c;
	const xmlAttr	*a;

	if (depth > HTMLCLEAN_DEPTH)
		return;
	if (is_text(n)) {
		if (n->content != NULL)
			add_escaped(h, b, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE)
		return;
	adds(h, b, "<");
	adds(h, b, (const char *)n->name);
	for (a = n->properties; a != NULL; a = a->next)
		write_attr(h, b, n, a);
	adds(h, b, ">");
	if (name_in(n, void_names))
		return;
	for (c = n->children; c != NULL; c = c->next)
		write_node(h, b, c, depth + 1);
	adds(h, b, "</");
	adds(h, b, (const char *)n->name);
	adds(h, b, ">");
}

/* Parsing */

static xmlNode *
find_body(xmlDoc *doc)
{
	xmlNode	*n;

	if ((n = xmlDocGetRootElement(doc)) == NULL)
		return NULL;
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "body") == 0)
			return n;
	return NULL;
}

static xmlDoc *
parse_fragment(const char *html)
{
	struct buf	 b;
	struct xmlcap	 cap;
	xmlDoc		*doc = NULL;

	buf_init(&b, INT_MAX);
	if (buf_addstr(&b, wrap_open) != BUF_OK ||
	    buf_addstr(&b, html) != BUF_OK ||
	    buf_addstr(&b, wrap_close) != BUF_OK)
		goto out;
	xmlcap_init(&cap, XMLCAP_TREE, 0);
	doc = xmlcap_html(b.data, b.len, NULL, HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER,
	    &cap);
out:
	buf_free(&b);
	return doc;
}

char *
htmlclean_match(const char *html, const char *text, const char *lang)
{
	struct hc	 h;
	struct buf	 out;
	struct xmloom	 w;
	xmlDoc		*doc;
	xmlNode		*body, *c;
	char		*res = NULL;

	if (html == NULL || *html == '\0')
		return strdup("");
	if (text == NULL)
		text = "";
	memset(&h, 0, sizeof(h));
	/*
	 * The language as norm_text found it in the whole text: a block
	 * alone ("« Oui »") is too short to tell.  "und" names none.
	 */
	h.en = norm_is_english(text, lang) != 0;
	h.lang = h.en ? "en" : lang != NULL && *lang != '\0' ? lang : "und";
	h.err = BUF_OK;
	if (para_split(&h, text) == -1)
		goto out_paras;
	/* A fragment libxml2 had no memory for is not the article's. */
	xmloom_begin(&w);
	if ((doc = parse_fragment(html)) == NULL)
		goto out_watch;
	buf_init(&out, HTMLCLEAN_MAX);
	if ((body = find_body(doc)) != NULL) {
		clean_children(&h, body, 0);
		for (c = body->children; c != NULL; c = c->next)
			write_node(&h, &out, c, 0);
	}
	if (h.err == BUF_OK)
		res = buf_steal(&out);
	buf_free(&out);
	xmlFreeDoc(doc);
out_watch:
	if (xmloom_end(&w)) {
		free(res);
		res = NULL;
	}
out_paras:
	para_free(&h);
	return res;
}
