/*
 * extract: find the article in a news page.
 *
 * Every element gets a struct xnode (through xmlNode._private) saying what
 * it is and why it might be left out.  Text totals are summed bottom-up
 * over the elements kept; Readability's scoring then picks the container
 * of the article, which semantic markup (itemprop=articleBody, <article>,
 * <main>) may widen.  A strict pass drops boilerplate by tag and class; when
 * it yields too little, a loose pass trusts only the tags.  extract_out.c
 * turns the chosen elements into paragraphs, extract_meta.c reads the
 * metadata.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/charset.h"
#include "parsers/date.h"
#include "parsers/extract_int.h"
#include "parsers/feed.h"
#include "parsers/jsonio.h"
#include "parsers/xmlcap.h"
#include "parsers/xmloom.h"

#define EXTRACT_MAX_TEXT (1024UL * 1024)	/* per output, as a feed's field */
#define EXTRACT_SHORT	250	/* text shorter than this: retry */
#define PARA_MIN	25	/* a scored paragraph has this much */
#define SIBLING_MIN	100	/* a sibling block joins with this much */
#define SCORE_LEVELS	8	/* ancestors a paragraph scores for */
#define SHAPE_LEVELS	8	/* wrappers climbed for blocks of one shape */
#define LD_MIN		500	/* a JSON-LD articleBody this long may win */
#define LD_TIMES	3	/* when the extraction is this much shorter */
#define LEAD_MIN	50	/* a lead before the article has this much */
#define LEAD_MAX	1000	/* and no more */
#define LEAD_SKIP	2	/* short lines passed over on the way to it */
#define LEAD_LEVELS	3	/* ancestors of the article searched for it */
#define ALT_TOP		5	/* runners-up looked at */
#define ALT_MIN		3	/* of them in one ancestor make it the article */
#define ALT_SHARE	0.6	/* of the best score, for a runner-up */
#define LOOSE_MIN	80	/* loose text in a block scores as a paragraph */
#define SHAPE_MIN	50	/* text of a block of the article's shape */

struct tagkind {
	const char	*name;
	enum xkind	 kind;
	unsigned	 flags;
	int		 base;	/* Readability's score by tag */
};

static const struct tagkind tagkinds[] = {
	{ "a",		XK_LINK,	0,		0 },
	{ "address",	XK_BLOCK,	0,		-3 },
	{ "article",	XK_BLOCK,	0,		0 },
	{ "aside",	XK_BLOCK,	XN_SOFTTAG,	0 },
	{ "audio",	XK_OTHER,	XN_TAG,		0 },
	{ "b",		XK_INLINE,	0,		0 },
	{ "blockquote",	XK_QUOTE,	0,		3 },
	{ "br",		XK_BR,		0,		0 },
	{ "button",	XK_OTHER,	XN_TAG,		0 },
	{ "canvas",	XK_OTHER,	XN_TAG,		0 },
	{ "caption",	XK_BLOCK,	0,		0 },
	{ "center",	XK_BLOCK,	0,		0 },
	{ "dd",		XK_ITEM,	0,		-3 },
	{ "details",	XK_BLOCK,	0,		0 },
	{ "dialog",	XK_OTHER,	XN_TAG,		0 },
	{ "div",	XK_BLOCK,	0,		5 },
	{ "dl",		XK_LIST,	0,		-3 },
	{ "dt",		XK_ITEM,	0,		-3 },
	{ "em",		XK_INLINE,	0,		0 },
	{ "embed",	XK_OTHER,	XN_TAG,		0 },
	{ "fieldset",	XK_BLOCK,	0,		0 },
	{ "figcaption",	XK_BLOCK,	0,		0 },
	{ "figure",	XK_FIGURE,	0,		0 },
	{ "footer",	XK_BLOCK,	XN_SOFTTAG,	0 },
	{ "form",	XK_BLOCK,	XN_SOFTTAG,	-3 },
	{ "h1",		XK_HEADING,	0,		-5 },
	{ "h2",		XK_HEADING,	0,		-5 },
	{ "h3",		XK_HEADING,	0,		-5 },
	{ "h4",		XK_HEADING,	0,		-5 },
	{ "h5",		XK_HEADING,	0,		-5 },
	{ "h6",		XK_HEADING,	0,		-5 },
	{ "head",	XK_OTHER,	XN_TAG,		0 },
	{ "header",	XK_BLOCK,	XN_SOFTTAG,	0 },
	{ "hr",		XK_BR,		0,		0 },
	{ "i",		XK_INLINE,	0,		0 },
	{ "iframe",	XK_OTHER,	XN_TAG,		0 },
	{ "img",	XK_IMG,		0,		0 },
	{ "input",	XK_OTHER,	XN_TAG,		0 },
	{ "label",	XK_OTHER,	XN_TAG,		0 },
	{ "li",		XK_ITEM,	0,		-3 },
	{ "main",	XK_BLOCK,	0,		0 },
	{ "map",	XK_OTHER,	XN_TAG,		0 },
	{ "menu",	XK_LIST,	XN_TAG,		0 },
	{ "nav",	XK_BLOCK,	XN_SOFTTAG,	0 },
	{ "noscript",	XK_BLOCK,	XN_SOFTTAG,	0 },
	{ "object",	XK_OTHER,	XN_TAG,		0 },
	{ "ol",		XK_LIST,	0,		-3 },
	{ "option",	XK_OTHER,	XN_TAG,		0 },
	{ "p",		XK_BLOCK,	0,		0 },
	{ "pre",	XK_PRE,		0,		3 },
	{ "script",	XK_OTHER,	XN_TAG,		0 },
	{ "section",	XK_BLOCK,	0,		0 },
	{ "select",	XK_OTHER,	XN_TAG,		0 },
	{ "strong",	XK_INLINE,	0,		0 },
	{ "style",	XK_OTHER,	XN_TAG,		0 },
	{ "svg",	XK_OTHER,	XN_TAG,		0 },
	{ "table",	XK_TABLE,	0,		0 },
	{ "td",		XK_CELL,	0,		3 },
	{ "template",	XK_OTHER,	XN_TAG,		0 },
	{ "textarea",	XK_OTHER,	XN_TAG,		0 },
	{ "th",		XK_CELL,	0,		-5 },
	{ "title",	XK_OTHER,	XN_TAG,		0 },
	{ "tr",		XK_ROW,		0,		0 },
	{ "ul",		XK_LIST,	0,		-3 },
	{ "video",	XK_OTHER,	XN_TAG,		0 },
};

/*
 * Words of a class or id that mark boilerplate.  A trailing '*' matches
 * any word starting so; other words must match a whole word (the parts of
 * "article-share" are "article" and "share").
 */
static const char *const negative_words[] = {
	"menu*", "nav*", "share*", "sharing", "social*", "related*",
	"comment*", "newsletter*", "cookie*", "consent*", "advert*", "ad",
	"ads", "adv", "promo*", "subscri*", "sidebar*", "footer*",
	"breadcrumb*", "tags", "tag", "tagcloud", "popup*", "modal*",
	"banner*", "sponsor*", "outbrain*", "taboola*", "disqus*",
	"masthead*", "pagination*", "pager", "widget*", "toolbar*",
	"recommend*", "login", "signup", "paywall*", "print",
	"rating*", "skip", "more-stories", "most-popular",
	"trending", "byline*", "kicker*", "eyebrow*", "overline*", "caption*",
	"credit*", "author*", "meta", "sr-only", "screen-reader-text",
	"visually-hidden", NULL
};

/* Words that mark the article itself. */
static const char *const positive_words[] = {
	"article*", "content*", "story*", "body*", "main*", "post*",
	"entry*", "text*", "blog*", "hentry", "h-entry", "page-content",
	NULL
};

/* ARIA roles of boilerplate. */
static const char *const negative_roles[] = {
	"navigation", "banner", "contentinfo", "complementary", "menu",
	"menubar", "dialog", "alertdialog", "search", NULL
};

/* Attribute value of the first text child, without copying. */
const xmlChar *
extract_attr(const xmlNode *n, const char *name)
{
	const xmlAttr	*a;

	for (a = n->properties; a != NULL; a = a->next)
		if (xmlStrcasecmp(a->name, (const xmlChar *)name) == 0) {
			if (a->children != NULL &&
			    a->children->type == XML_TEXT_NODE)
				return a->children->content;
			return (const xmlChar *)"";
		}
	return NULL;
}

bool
extract_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static int
tagkind_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tagkind *)elem)->name);
}

static const struct tagkind *
tagkind(const xmlNode *n)
{
	return bsearch(n->name, tagkinds,
	    sizeof(tagkinds) / sizeof(tagkinds[0]), sizeof(tagkinds[0]),
	    tagkind_cmp);
}

/* Does word w (len bytes, lower case) match the pattern? */
static bool
word_matches(const char *w, size_t len, const char *pat)
{
	size_t	 pl = strlen(pat);

	if (pl > 0 && pat[pl - 1] == '*')
		return len >= pl - 1 && memcmp(w, pat, pl - 1) == 0;
	return len == pl && memcmp(w, pat, pl) == 0;
}

static bool
word_in(const char *w, size_t len, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (word_matches(w, len, list[i]))
			return true;
	return false;
}

/*
 * Classify one class or id token ("article-share", "mainContent"): -1
 * when a word says boilerplate, 1 when one says article, else 0.  A
 * negative word wins within a token: "article-share" is a share box,
 * "related-content" is not content.  Hyphenated phrases of the lists
 * ("author-box") are tried on the whole token.
 */
static int
token_class(const char *tok, size_t len)
{
	char	 low[128];
	size_t	 i, start;
	bool	 end;
	int	 pos = 0;

	if (len == 0 || len >= sizeof(low))
		return 0;
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)tok[i]);
	for (start = 0, i = 0; i <= len; i++) {
		/* words end at punctuation and inside camelCase */
		end = i == len || !isalnum((unsigned char)tok[i]) ||
		    (i > start && isupper((unsigned char)tok[i]) &&
		    islower((unsigned char)tok[i - 1]));
		if (!end)
			continue;
		if (i > start) {
			if (word_in(low + start, i - start, negative_words))
				return -1;
			if (word_in(low + start, i - start, positive_words))
				pos = 1;
		}
		start = i < len && isalnum((unsigned char)tok[i]) ? i : i + 1;
	}
	if (word_in(low, len, negative_words))
		return -1;
	return pos;
}

/* Sum the tokens of a class or id attribute into *neg and *pos. */
static void
attr_class(const xmlChar *v, int *neg, int *pos)
{
	const char	*s = (const char *)v;
	size_t		 n;
	int		 c;

	while (s != NULL && *s != '\0') {
		while (isspace((unsigned char)*s))
			s++;
		for (n = 0; s[n] != '\0' && !isspace((unsigned char)s[n]); n++)
			;
		if (n == 0)
			break;
		c = token_class(s, n);
		if (c < 0)
			(*neg)++;
		else if (c > 0)
			(*pos)++;
		s += n;
	}
}

static bool
hidden(const xmlNode *n)
{
	const xmlChar	*v;
	const char	*p;

	if (extract_attr(n, "hidden") != NULL)
		return true;
	if ((v = extract_attr(n, "style")) == NULL)
		return false;
	for (p = (const char *)v; (p = strstr(p, "display")) != NULL;) {
		p += strlen("display");
		while (*p == ' ' || *p == ':')
			p++;
		if (strncasecmp(p, "none", 4) == 0)
			return true;
	}
	return false;
}

/* Tag, class, id and role of one element. */
static void
classify(struct xnode *x)
{
	const struct tagkind	*tk;
	const xmlChar		*v;
	int			 neg = 0, pos = 0;
	size_t			 i;

	if ((tk = tagkind(x->n)) != NULL) {
		x->kind = tk->kind;
		x->flags |= tk->flags;
		x->score = tk->base;
	}
	if ((v = extract_attr(x->n, "class")) != NULL)
		attr_class(v, &neg, &pos);
	if ((v = extract_attr(x->n, "id")) != NULL)
		attr_class(v, &neg, &pos);
	if ((v = extract_attr(x->n, "role")) != NULL)
		for (i = 0; negative_roles[i] != NULL; i++)
			if (xmlStrcasecmp(v, (const xmlChar *)
			    negative_roles[i]) == 0)
				neg++;
	if ((v = extract_attr(x->n, "itemprop")) != NULL &&
	    xmlStrstr(v, (const xmlChar *)"articleBody") != NULL)
		pos++;
	x->weight = (pos > 0 ? 25 : 0) - (neg > 0 ? 25 : 0);
	if (pos > 0)
		x->flags |= XN_POSITIVE;
	/* The page itself is never boilerplate, whatever its classes. */
	if (neg > 0 && pos == 0 && !extract_is(x->n, "body") &&
	    !extract_is(x->n, "html"))
		x->flags |= XN_CLASS;
	if (hidden(x->n))
		x->flags |= XN_HIDDEN;
}

/* Characters of a text node with white space runs counted as one. */
static void
count_text(const xmlChar *s, size_t *chars, size_t *commas)
{
	bool	 space = true;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			if (!space)
				(*chars)++;
			space = true;
			continue;
		}
		space = false;
		if ((*s & 0xc0) != 0x80)
			(*chars)++;
		if (*s == ',')
			(*commas)++;
	}
}

/* Next node of a pre-order walk under root (children only if descend). */
static xmlNode *
next_node(xmlNode *n, const xmlNode *root, bool descend)
{
	if (descend && n->children != NULL)
		return n->children;
	while (n != root && n->next == NULL)
		n = n->parent;
	return n == root ? NULL : n->next;
}

static bool
block_kind(enum xkind k)
{
	return k != XK_OTHER && k != XK_LINK && k != XK_INLINE &&
	    k != XK_IMG && k != XK_BR;
}

/*
 * The <header> of an <article> holds its lead paragraph, not the site's
 * menu: it stays (its h1, kicker and dates are dealt with one by one).
 */
static void
in_article(struct xnode *x)
{
	struct xnode	*a;

	if (!extract_is(x->n, "header"))
		return;
	for (a = x->parent; a != NULL; a = a->parent)
		if (extract_is(a->n, "article")) {
			x->flags &= ~(unsigned)XN_SOFTTAG;
			return;
		}
}

/* Give every element its xnode, in document order. */
static int
annotate(struct ectx *c, xmlNode *root)
{
	xmlNode		*n;
	struct xnode	*x, *p;
	size_t		 count = 0;

	for (n = root; n != NULL; n = next_node(n, root, true))
		if (n->type == XML_ELEMENT_NODE)
			count++;
	if (count == 0)
		return 0;
	if ((c->nodes = calloc(count, sizeof(*c->nodes))) == NULL)
		return -1;
	for (n = root; n != NULL; n = next_node(n, root, true)) {
		if (n->type != XML_ELEMENT_NODE) {
			if ((n->type == XML_TEXT_NODE ||
			    n->type == XML_CDATA_SECTION_NODE) &&
			    n->content != NULL && n->parent != NULL &&
			    (p = xn(n->parent)) != NULL)
				count_text(n->content, &p->own_text,
				    &p->own_commas);
			continue;
		}
		x = &c->nodes[c->nnodes++];
		x->n = n;
		n->_private = x;
		x->parent = n->parent != NULL ? xn(n->parent) : NULL;
		classify(x);
		if (x->parent != NULL && block_kind(x->kind))
			x->parent->blocks = true;
		in_article(x);
	}
	return 0;
}

/*
 * Sum the text of the kept elements bottom-up for the current drop mask:
 * the nodes are in pre-order, so walking them backwards meets every child
 * before its parent.
 */
static void
sum_text(struct ectx *c)
{
	struct xnode	*x;
	size_t		 i;

	for (i = 0; i < c->nnodes; i++) {
		x = &c->nodes[i];
		x->text = x->own_text;
		x->commas = x->own_commas;
		x->links = 0;
		x->candidate = false;
		x->out = (x->flags & c->drop) != 0 ||
		    (x->parent != NULL && x->parent->out);
	}
	for (i = c->nnodes; i-- > 0;) {
		x = &c->nodes[i];
		if (x->kind == XK_LINK)
			x->links = x->text;
		if (x->parent == NULL || (x->flags & c->drop) != 0)
			continue;
		x->parent->text += x->text;
		x->parent->links += x->links;
		x->parent->commas += x->commas;
	}
}

static double
link_density(const struct xnode *x)
{
	return x->text == 0 ? 0.0 : (double)x->links / (double)x->text;
}

static void
add_score(struct xnode *x, double s)
{
	if (!x->candidate) {
		x->candidate = true;
		x->score = 0;
		if (x->n != NULL) {
			const struct tagkind *tk = tagkind(x->n);

			x->score = tk != NULL ? tk->base : 0;
		}
		x->score += x->weight;
	}
	x->score += s;
}

/* Is x a paragraph that Readability scores? */
static bool
paragraph(const struct xnode *x)
{
	if (x->out || x->text < PARA_MIN)
		return false;
	if (extract_is(x->n, "p") || x->kind == XK_PRE ||
	    extract_is(x->n, "td"))
		return true;
	/* a div of inline content only is a paragraph too */
	return x->kind == XK_BLOCK && !x->blocks && x->own_text >= PARA_MIN;
}

/*
 * Text written straight into a block that also has block children ("<div>
 * <div><img></div>Text<br><br>Text</div>"): a paragraph without its <p>.
 */
static bool
loose_text(const struct xnode *x)
{
	return !x->out && x->kind == XK_BLOCK && x->blocks &&
	    x->own_text >= LOOSE_MIN;
}

/* A paragraph of text characters scores for its ancestors from a on. */
static void
score_paragraph(struct xnode *a, size_t text, size_t commas)
{
	double	 s;
	int	 level;

	s = 1.0 + (double)commas + (text / 100 < 3 ? (double)(text / 100) :
	    3.0);
	/* Readability's dividers: 1, 2, then 3 per level */
	for (level = 0; a != NULL && level < SCORE_LEVELS; level++,
	    a = a->parent)
		add_score(a, s / (level == 0 ? 1 : level == 1 ? 2 :
		    level * 3));
}

static bool ancestor_of(const struct xnode *, const struct xnode *);

/*
 * Readability's check of the runners-up: when several candidates score
 * nearly as well as the best (ALT_SHARE of it: the parts of an article
 * split by ads and media), the nearest ancestor of the best that holds
 * ALT_MIN of them is the article.
 */
static struct xnode *
common_ancestor(struct ectx *c, struct xnode *best)
{
	struct xnode	*alt[ALT_TOP], *x, *a;
	size_t		 i, j, nalt = 0, n;

	for (i = 0; i < c->nnodes; i++) {
		x = &c->nodes[i];
		if (!x->candidate || x->out || x == best ||
		    x->score < best->score * ALT_SHARE ||
		    ancestor_of(x, best) || ancestor_of(best, x))
			continue;
		/* keep the ALT_TOP best, by insertion */
		for (j = nalt; j > 0 && alt[j - 1]->score < x->score; j--)
			if (j < ALT_TOP)
				alt[j] = alt[j - 1];
		if (j < ALT_TOP) {
			alt[j] = x;
			if (nalt < ALT_TOP)
				nalt++;
		}
	}
	if (nalt < ALT_MIN)
		return best;
	for (a = best->parent; a != NULL && !extract_is(a->n, "body");
	    a = a->parent) {
		for (n = 0, j = 0; j < nalt; j++)
			if (ancestor_of(a, alt[j]))
				n++;
		if (n >= ALT_MIN)
			return a;
	}
	return best;
}

/* Readability's scoring; returns the best candidate or NULL. */
static struct xnode *
score(struct ectx *c)
{
	struct xnode	*x, *best = NULL;
	size_t		 i;

	for (i = 0; i < c->nnodes; i++) {
		x = &c->nodes[i];
		if (paragraph(x) && x->parent != NULL)
			score_paragraph(x->parent, x->text, x->commas);
		else if (loose_text(x))
			/* its text as the paragraph Readability makes of it */
			score_paragraph(x, x->own_text, x->own_commas);
	}
	for (i = 0; i < c->nnodes; i++) {
		x = &c->nodes[i];
		if (!x->candidate || x->out)
			continue;
		x->score *= 1.0 - link_density(x);
		if (best == NULL || x->score > best->score)
			best = x;
	}
	return best != NULL ? common_ancestor(c, best) : NULL;
}

/* Is a sibling of the best candidate part of the article too? */
static bool
sibling_qualifies(const struct xnode *s, const struct xnode *top,
    double threshold)
{
	double	 ld;

	if (s == top)
		return true;
	if (s->out || s->text == 0)
		return false;
	if (s->candidate && s->score >= threshold)
		return true;
	ld = link_density(s);
	/* a lead paragraph wrapped in its own div */
	if (!extract_is(s->n, "p"))
		return s->kind == XK_BLOCK && s->text >= SIBLING_MIN &&
		    ld < 0.2;
	if (s->text > 80)
		return ld < 0.25;
	return ld == 0.0 && s->own_commas + s->text > 40;
}

static bool
ancestor_of(const struct xnode *a, const struct xnode *x)
{
	for (; x != NULL; x = x->parent)
		if (x == a)
			return true;
	return false;
}

/* The itemprop=articleBody element with the most text, or NULL. */
static struct xnode *
article_body(struct ectx *c)
{
	struct xnode	*x, *best = NULL;
	const xmlChar	*v;
	size_t		 i;

	for (i = 0; i < c->nnodes; i++) {
		x = &c->nodes[i];
		if (x->out || (v = extract_attr(x->n, "itemprop")) == NULL ||
		    xmlStrstr(v, (const xmlChar *)"articleBody") == NULL)
			continue;
		if (best == NULL || x->text > best->text)
			best = x;
	}
	return best;
}

/* Length of the first word of a class attribute, 0 when it has none. */
static size_t
first_class(const xmlNode *n, const char **start)
{
	const char	*v;
	size_t		 len;

	if ((v = (const char *)extract_attr(n, "class")) == NULL)
		return 0;
	while (isspace((unsigned char)*v))
		v++;
	for (len = 0; v[len] != '\0' && !isspace((unsigned char)v[len]); len++)
		;
	*start = v;
	return len;
}

/*
 * Do two elements have the same shape: the same tag and the same first
 * class word?  A CMS writes an article as a run of such blocks (text,
 * image, text, video, text), one of which the scoring picks.
 */
static bool
same_shape(const xmlNode *a, const xmlNode *b)
{
	const char	*ca, *cb;
	size_t		 la, lb;

	if (a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)a->name, (const char *)b->name) != 0)
		return false;
	if ((la = first_class(a, &ca)) == 0 || (lb = first_class(b, &cb)) == 0)
		return false;
	return la == lb && memcmp(ca, cb, la) == 0;
}

/* A block of the article's shape that holds prose, not links. */
static bool
shape_sibling(const struct xnode *s, const struct xnode *top)
{
	return s != top && !s->out && s->candidate &&
	    s->text >= SHAPE_MIN && link_density(s) < 0.3 &&
	    same_shape(s->n, top->n);
}

static bool
has_shape_siblings(const struct xnode *x)
{
	xmlNode	*n;

	if (x->parent == NULL)
		return false;
	for (n = x->parent->n->children; n != NULL; n = n->next)
		if (xn(n) != NULL && shape_sibling(xn(n), x))
			return true;
	return false;
}

static bool
semantic(const struct xnode *x)
{
	return extract_is(x->n, "article") || extract_is(x->n, "main") ||
	    extract_is(x->n, "body") || extract_is(x->n, "html");
}

/*
 * The block of top's shape among its siblings, top itself or a thin
 * wrapper around it (one that adds little text) a few levels up; top when
 * there is none.
 */
static struct xnode *
shape_block(struct xnode *top)
{
	struct xnode	*a;
	int		 level;

	for (a = top, level = 0; level < SHAPE_LEVELS && a->parent != NULL &&
	    !semantic(a); level++, a = a->parent) {
		if (has_shape_siblings(a))
			return a;
		if (a->parent->text > a->text + a->text / 2 + SIBLING_MIN)
			break;
	}
	return top;
}

/* Could x be the article's lead paragraph: short prose, no links? */
static bool
lead_like(const struct xnode *x)
{
	return !x->out && (x->kind == XK_BLOCK || x->kind == XK_QUOTE) &&
	    x->text >= LEAD_MIN && x->text <= LEAD_MAX &&
	    x->links * 10 < x->text;
}

/*
 * The element just before the article's first one, or before one of its
 * first few ancestors when that has nothing before it: a lead or teaser
 * that CMSs write apart from the body (itemprop=description, "excerpt",
 * "teaser").  NULL when it does not look like one.
 */
static struct xnode *
lead_block(struct xnode *first)
{
	struct xnode	*a, *s;
	xmlNode		*n;
	int		 level, skip;

	for (a = first, level = 0; a != NULL && a->parent != NULL &&
	    level < LEAD_LEVELS; level++, a = a->parent) {
		for (n = a->n->prev, skip = 0; n != NULL; n = n->prev) {
			if ((s = xn(n)) == NULL || s->out || s->text == 0)
				continue;
			if (lead_like(s))
				return s;
			/* a date or a caption may stand between them, not
			 * the headline: the lead comes after it */
			if (s->text >= LEAD_MIN || s->kind == XK_HEADING ||
			    (s->flags & XN_HEADLINE) != 0 || ++skip > LEAD_SKIP)
				return NULL;
		}
		if (semantic(a->parent))
			break;
	}
	return NULL;
}

/*
 * Choose the elements holding the article: the best candidate and its
 * qualifying siblings, or the semantic container around it (articleBody,
 * else the nearest <article> or <main>, whose extra lines the paragraph
 * filter judges).  Sets *rootsp (malloc'd) and *nrootsp; -1 when out of
 * memory.
 */
static int
select_roots(struct ectx *c, xmlNode ***rootsp, size_t *nrootsp)
{
	struct xnode	*top, *sem, *s, *x;
	xmlNode		**roots, *n;
	size_t		 nroots = 0, cap;
	double		 threshold;

	*rootsp = NULL;
	*nrootsp = 0;
	if ((top = score(c)) == NULL)
		return 0;
	if ((sem = article_body(c)) != NULL && sem->text >= PARA_MIN &&
	    (ancestor_of(sem, top) || ancestor_of(top, sem) ||
	    sem->text * 2 >= top->text))
		top = sem;
	else {
		for (x = top; x != NULL; x = x->parent)
			if (extract_is(x->n, "article") ||
			    extract_is(x->n, "main"))
				break;
		if (x != NULL && !x->out && top->text * 20 >= x->text)
			top = x;
	}
	if (top != sem && !semantic(top))
		top = shape_block(top);
	cap = 2;
	if (top->parent != NULL && top != sem)
		for (n = top->parent->n->children; n != NULL; n = n->next)
			cap++;
	if ((roots = calloc(cap, sizeof(*roots))) == NULL)
		return -1;
	if (top->parent == NULL || top == sem ||
	    extract_is(top->n, "article") || extract_is(top->n, "main") ||
	    extract_is(top->n, "body"))
		roots[nroots++] = top->n;
	else {
		threshold = top->score * 0.2 > 10 ? top->score * 0.2 : 10;
		for (n = top->parent->n->children; n != NULL; n = n->next) {
			if ((s = xn(n)) == NULL ||
			    (!sibling_qualifies(s, top, threshold) &&
			    !shape_sibling(s, top)))
				continue;
			roots[nroots++] = n;
		}
	}
	if (nroots > 0 && (s = lead_block(xn(roots[0]))) != NULL) {
		memmove(roots + 1, roots, nroots * sizeof(*roots));
		roots[0] = s->n;
		nroots++;
	}
	*rootsp = roots;
	*nrootsp = nroots;
	return 0;
}

/*
 * Layout wrappers ("content-sidebar-wrap", a page-wide <form>) may say
 * boilerplate while holding the article: an element that contains an
 * <article>, <main> or articleBody with a good part of the page's text, or
 * a block whose class says article with most of it as prose, is not
 * dropped for its class or tag.  Runs on the loose totals.
 */
static void
rescue_wrappers(struct ectx *c)
{
	struct xnode	*x, *a, *page = NULL;
	const xmlChar	*v;
	size_t		 i;

	for (i = 0; i < c->nnodes; i++)
		if (extract_is(c->nodes[i].n, "body"))
			page = &c->nodes[i];
	if (page == NULL)
		return;
	for (i = 0; i < c->nnodes; i++) {
		a = &c->nodes[i];
		if (a->out || a->text * 10 < page->text * 3)
			continue;
		if (!extract_is(a->n, "article") && !extract_is(a->n, "main") &&
		    ((a->flags & XN_POSITIVE) == 0 ||
		    a->text * 10 < page->text * 6 ||
		    link_density(a) >= 0.2) &&
		    ((v = extract_attr(a->n, "itemprop")) == NULL ||
		    xmlStrstr(v, (const xmlChar *)"articleBody") == NULL))
			continue;
		if ((a->flags & (XN_CLASS | XN_SOFTTAG)) != 0)
			continue;
		for (x = a->parent; x != NULL; x = x->parent)
			x->flags &= ~(unsigned)(XN_CLASS | XN_SOFTTAG);
	}
}

/* One pass with the current drop mask into text and html. */
static int
run_pass(struct ectx *c, struct buf *text, struct buf *html)
{
	xmlNode	**roots;
	size_t	  nroots;
	int	  rc;

	sum_text(c);
	if (select_roots(c, &roots, &nroots) == -1)
		return -1;
	rc = extract_render(c, roots, nroots, text, html);
	free(roots);
	return rc;
}

/* The text and the HTML of one pass. */
struct result {
	struct buf	 text;
	struct buf	 html;
};

static void
result_init(struct result *r)
{
	buf_init(&r->text, EXTRACT_MAX_TEXT);
	buf_init(&r->html, EXTRACT_MAX_TEXT);
}

static void
result_free(struct result *r)
{
	buf_free(&r->text);
	buf_free(&r->html);
}

/* Keep in best whichever of the two has more text; empty the other. */
static void
keep_longer(struct result *best, struct result *cand)
{
	struct result	 t;

	if (cand->text.len > best->text.len) {
		t = *best;
		*best = *cand;
		*cand = t;
	}
	buf_reset(&cand->text);
	buf_reset(&cand->html);
}

/*
 * The page's JSON-LD articleBody instead of what the page's elements gave:
 * when it is plain text (markup in it would need a parser of its own),
 * long, and LD_TIMES longer than the extraction, which then missed most
 * of the article (a page that builds it by script, or in many parts).
 */
static bool
ld_better(const struct ectx *c, const struct result *best)
{
	const char	*s = c->ldbody;
	size_t		 len, words = 0;

	if (s == NULL || strstr(s, "</") != NULL)
		return false;
	for (len = 0; *s != '\0'; s++)
		if (!isspace((unsigned char)*s)) {
			len++;
			if (isspace((unsigned char)s[1]) || s[1] == '\0')
				words++;
		}
	if (len < LD_MIN || words < LD_MIN / 10)
		return false;
	return best->text.len <= SIZE_MAX / LD_TIMES &&
	    best->text.len * LD_TIMES < len;
}

static int
extract_run(struct ectx *c, xmlNode *root)
{
	struct result	 best, alt;
	xmlNode		*body;
	int		 rc = -1;

	result_init(&best);
	result_init(&alt);
	c->drop = XN_TAG | XN_HIDDEN;
	sum_text(c);
	rescue_wrappers(c);
	c->drop = XN_TAG | XN_SOFTTAG | XN_CLASS | XN_HIDDEN;
	if (run_pass(c, &best.text, &best.html) == -1)
		goto out;
	if (best.text.len < EXTRACT_SHORT) {
		/* Too little: the classes may have been wrong; trust tags. */
		c->drop = XN_TAG | XN_HIDDEN;
		if (run_pass(c, &alt.text, &alt.html) == -1)
			goto out;
		keep_longer(&best, &alt);
	}
	if (best.text.len < EXTRACT_SHORT) {
		/* Still too little: the whole body, paragraph filter only. */
		for (body = root->children; body != NULL; body = body->next)
			if (extract_is(body, "body"))
				break;
		if (body != NULL) {
			sum_text(c);
			if (extract_render(c, &body, 1, &alt.text,
			    &alt.html) == -1)
				goto out;
		}
		keep_longer(&best, &alt);
	}
	if (ld_better(c, &best) &&
	    extract_render_plain(c->ldbody, &best.text, &best.html) == -1)
		goto out;
	c->x->text = buf_steal(&best.text);
	c->x->html = buf_steal(&best.html);
	if (c->x->text == NULL || c->x->html == NULL)
		goto out;
	rc = 0;
out:
	result_free(&best);
	result_free(&alt);
	return rc;
}

int
extract_page(const char *html, size_t len, const char *url,
    struct extract **out, char *err, size_t errlen)
{
	return extract_page_charset(html, len, url, NULL, out, err, errlen);
}

/*
 * NUL bytes in a page's text (there are pages with a few) would end it for
 * the parser: they go, as browsers drop them from text.  *owned is the
 * decoded copy or NULL; a copy is made only for a page that has them.
 */
static int
drop_nuls(const char **html, size_t *len, char **owned)
{
	const char	*s = *html;
	char		*d;
	size_t		 i, n;

	if (memchr(s, '\0', *len) == NULL)
		return 0;
	/* in place in the decoded copy, never shifted right */
	if ((d = *owned) != s && (d = malloc(*len + 1)) == NULL)
		return -1;
	for (i = n = 0; i < *len; i++)
		if (s[i] != '\0')
			d[n++] = s[i];
	d[n] = '\0';
	if (d != *owned) {
		free(*owned);
		*owned = d;
	}
	*html = d;
	*len = n;
	return 0;
}

/*
 * The page as a tree.  It is decoded here rather than by libxml2, which
 * reads charset labels strictly: a "gb2312" page with one GBK character
 * would lose the rest of its text.  The parser reads it in place; a
 * decoded copy goes as soon as the tree holds what it needs of it.
 * *doc is NULL for a page without anything to parse.
 */
static int
parse_page(const char *html, size_t len, const char *url,
    const char *charset, xmlDoc **doc, char *err, size_t errlen)
{
	struct xmlcap	 cap;
	char		*text = NULL;
	int		 opts;

	if (len > INT_MAX) {
		snprintf(err, errlen, "page too large");
		return -1;
	}
	if (html[len] != '\0') {
		snprintf(err, errlen, "page not NUL-terminated");
		return -1;
	}
	if (charset_html_utf8(&html, &len, charset, INT_MAX, &text) == -1) {
		snprintf(err, errlen, "page too large as UTF-8");
		return -1;
	}
	if (drop_nuls(&html, &len, &text) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER | HTML_PARSE_COMPACT;
	/* Each element also gets its struct xnode (annotate). */
	xmlcap_init(&cap, XMLCAP_TREE, sizeof(struct xnode));
	*doc = xmlcap_html(len > 0 ? html : "<html></html>",
	    len > 0 ? len : 13, url, opts, &cap);
	free(text);
	return 0;
}

int
extract_page_charset(const char *html, size_t len, const char *url,
    const char *charset, struct extract **out, char *err, size_t errlen)
{
	struct ectx	 c;
	struct xmloom	 w;
	struct extract	*x;
	xmlNode		*root;
	int		 rc = -1;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->published = x->modified = FEED_NODATE;
	memset(&c, 0, sizeof(c));
	c.url = url;
	c.x = x;
	/* What libxml2 had no memory for is missing from its tree. */
	xmloom_begin(&w);
	if (parse_page(html, len, url, charset, &c.doc, err, errlen) == -1)
		goto out_free;
	if (c.doc == NULL || (root = xmlDocGetRootElement(c.doc)) == NULL) {
		/* Nothing to parse is an empty page, not an error. */
		x->text = strdup("");
		x->html = strdup("");
		if (x->text == NULL || x->html == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out_free;
		}
		rc = 0;
		goto out_doc;
	}
	if (annotate(&c, root) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	if (extract_meta(&c) == -1 || extract_run(&c, root) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	rc = 0;
	goto out_doc;
out_free:
	extract_free(x);
	x = NULL;
out_doc:
	free(c.nodes);
	free(c.base);
	free(c.headline);
	free(c.ldbody);
	if (c.doc != NULL)
		xmlFreeDoc(c.doc);
	if (xmloom_end(&w) && x != NULL) {
		extract_free(x);
		x = NULL;
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	*out = x;
	return rc;
}

void
extract_free(struct extract *x)
{
	if (x == NULL)
		return;
	free(x->title);
	free(x->site_name);
	free(x->byline);
	free(x->canonical_url);
	free(x->language);
	free(x->text);
	free(x->html);
	free(x);
}

/* NULL when out of memory (json_pack then fails). */
static json_t *
jstr(const char *s)
{
	json_t	*v;

	if (s == NULL)
		return json_null();
	/* the parser gives UTF-8; anything else becomes null, not a crash */
	if ((v = json_string(s)) == NULL && !charset_is_utf8(s, strlen(s)))
		return json_null();
	return v;
}

static json_t *
jdate(int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == FEED_NODATE || date_format(t, buf, sizeof(buf)) == -1)
		return json_null();
	return json_string(buf);
}

char *
extract_to_json(const struct extract *x)
{
	json_t	*o;
	char	*s;

	if ((o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "title", jstr(x->title),
	    "site_name", jstr(x->site_name),
	    "byline", jstr(x->byline),
	    "published", jdate(x->published),
	    "modified", jdate(x->modified),
	    "canonical_url", jstr(x->canonical_url),
	    "language", jstr(x->language),
	    "text", jstr(x->text),
	    "html", jstr(x->html))) == NULL)
		return NULL;
	s = jsonio_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
