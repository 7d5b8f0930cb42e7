/*
 * feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 through libxml2's tree
 * API (JSON Feed in feed_jsonfeed.c).  Elements are matched by namespace
 * URI, never by prefix.  libxml2 is kept inside this file: callers get
 * struct feed_doc.
 *
 * Every input has a cap (README.md, "Parser"):
 *   FEED_MAX_DOC	a document of at most INT_MAX bytes (libxml2's int
 *			length), also once decoded to UTF-8 (charset.c);
 *   FEED_MAX_ITEMS	10,000 items, the rest ignored;
 *   FEED_MAX_FIELD	1 MiB per text field, cut on a character boundary;
 *   FEED_MAX_DEPTH	256 levels of elements gathered into one field, and
 *			libxml2's own limit of 256 nested elements without
 *			XML_PARSE_HUGE;
 *   entities		never substituted by libxml2 (no XML_PARSE_NOENT):
 *			feed_xml.c expands an internal entity of text only,
 *			at most 4 KiB, 1 MiB for the whole document, and
 *			drops any other reference (nested, markup, external),
 *			noted in feed_doc; no DTD or external entity is ever
 *			loaded, no network;
 *   the tree		of at most XMLCAP_TREE bytes (xmlcap.h): a document
 *			is read up to where its tree would take more;
 *   what every item	or story carries a copy of: the feed's title,
 *			FEED_MAX_TITLE bytes; a language tag, FEED_MAX_LANG;
 *			what resolving links against xml:base adds, the
 *			document's size in all (p->room).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/charset.h"
#include "parsers/date.h"
#include "parsers/feed.h"
#include "parsers/feed_jsonfeed.h"
#include "parsers/feed_xml.h"
#include "parsers/text.h"
#include "parsers/url.h"
#include "parsers/xmloom.h"

#define FEED_MAX_ITEMS	10000
#define FEED_MAX_FIELD	(1024 * 1024)
#define FEED_MAX_DOC	((size_t)INT_MAX)
#define FEED_MAX_DEPTH	256
#define FEED_MAX_LANG	64	/* bytes of a language tag (BCP 47: 35 or so) */
#define FEED_MAX_TITLE	4096	/* bytes of the feed's own title */
#define FEED_MAX_TTL	(366 * 24 * 60)		/* minutes: a year */
#define FEED_MAX_FREQUENCY 1000000

#define NS_ATOM10	"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS10	"http://purl.org/rss/1.0/"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_DC10		"http://purl.org/dc/elements/1.0/"
#define NS_DCTERMS	"http://purl.org/dc/terms/"
#define NS_MEDIA	"http://search.yahoo.com/mrss/"
#define NS_ITUNES	"http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_XHTML	"http://www.w3.org/1999/xhtml"
#define NS_SY		"http://purl.org/rss/1.0/modules/syndication/"
#define NS_SLASH	"http://purl.org/rss/1.0/modules/slash/"

/* Namespaces RSS 2.0 was put in by its publishers at one time or another. */
static const char *const rss2_ns[] = {
	"http://backend.userland.com/rss2",
	"http://backend.userland.com/rss",
	"http://blogs.law.harvard.edu/tech/rss",
};

/* The media types of feed_doc's *_type fields. */
#define TYPE_TEXT	"text/plain"
#define TYPE_HTML	"text/html"
#define TYPE_XHTML	"application/xhtml+xml"

/* "No namespace or the RSS/Atom one of this document": see native(). */
#define NATIVE		NULL

enum kind { KIND_RSS, KIND_RDF, KIND_ATOM };

struct pctx {
	xmlDoc		*xdoc;
	struct feed_doc	*doc;
	enum kind	 kind;
	bool		 oom;
	/* iTunes/DC summaries: used only when the format's own is missing */
	char		*feed_summary;
	const char	*feed_summary_type;
	char		*item_summary;
	const char	*item_summary_type;
	/* an RSS item's second summary (<description> and <summary>) */
	char		*item_alt;
	const char	*item_alt_type;
	/* dc:publisher: the feed's author only when nobody else is */
	char		*publisher;
	/* bytes URL resolution may still add to the fields, in all */
	size_t		 room;
};

static bool	atom_item_el(struct pctx *, struct feed_item *, xmlNode *);
static bool	atom_feed_el(struct pctx *, struct feed_doc *, xmlNode *);
static void	item_finish(struct pctx *, struct feed_item *);

/* --- small helpers ------------------------------------------------- */

/* Whether uri is one of RSS's own namespaces (0.90, 1.0, 2.0). */
static bool
rss_uri(const char *uri)
{
	size_t	 i;

	if (strcmp(uri, NS_RSS10) == 0 || strcmp(uri, NS_RSS090) == 0)
		return true;
	for (i = 0; i < sizeof(rss2_ns) / sizeof(rss2_ns[0]); i++)
		if (strcmp(uri, rss2_ns[i]) == 0)
			return true;
	return false;
}

/*
 * Whether n is in the document's own vocabulary: no namespace, or one of
 * its format's, with whatever prefix (<r:item xmlns:r="...rss2">).
 */
static bool
native(const struct pctx *p, const xmlNode *n)
{
	const char	*uri;

	if (n->ns == NULL || n->ns->href == NULL)
		return true;
	uri = (const char *)n->ns->href;
	if (p->kind == KIND_ATOM)
		return strcmp(uri, NS_ATOM10) == 0 ||
		    strcmp(uri, NS_ATOM03) == 0;
	return rss_uri(uri);
}

/*
 * A prefix used without its declaration ("content:encoded" in a feed that
 * forgot xmlns:content) leaves libxml2 with a name holding the colon; the
 * usual prefixes are recognised so that such content is not lost.
 */
static bool
undeclared(const xmlNode *n, const char *uri, const char *name)
{
	static const struct {
		const char	*prefix;
		const char	*uri;
	} known[] = {
		{ "content", NS_CONTENT }, { "dc", NS_DC },
		{ "media", NS_MEDIA }, { "itunes", NS_ITUNES },
		{ "dcterms", NS_DCTERMS }, { "sy", NS_SY },
		{ "slash", NS_SLASH },
	};
	const char	*colon = strchr((const char *)n->name, ':');
	size_t		 i, plen;

	plen = (size_t)(colon - (const char *)n->name);

	if (strcmp(colon + 1, name) != 0)
		return false;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].prefix) == plen &&
		    strncmp((const char *)n->name, known[i].prefix, plen) == 0)
			return strcmp(known[i].uri, uri) == 0;
	return false;
}

/* Element n is uri:name; uri NATIVE means the document's own vocabulary. */
static bool
is_el(const struct pctx *p, const xmlNode *n, const char *uri,
    const char *name)
{
	if (n->type != XML_ELEMENT_NODE)
		return false;
	if (n->ns == NULL && uri != NATIVE && strchr((const char *)n->name,
	    ':') != NULL)
		return undeclared(n, uri, name);
	if (strcmp((const char *)n->name, name) != 0)
		return false;
	if (uri == NATIVE)
		return native(p, n);
	if (n->ns == NULL || n->ns->href == NULL)
		return false;
	/* Apple's own feeds spell the iTunes namespace in mixed case. */
	if (strcmp(uri, NS_ITUNES) == 0)
		return strcasecmp((const char *)n->ns->href, uri) == 0;
	/* Dublin Core 1.0 names the same elements as 1.1. */
	if (strcmp(uri, NS_DC) == 0 &&
	    strcmp((const char *)n->ns->href, NS_DC10) == 0)
		return true;
	return strcmp((const char *)n->ns->href, uri) == 0;
}

static bool
is_atom(const struct pctx *p, const xmlNode *n, const char *name)
{
	if (n->type != XML_ELEMENT_NODE)
		return false;
	/* atom:link in an RSS feed that forgot to declare the prefix */
	if (n->ns == NULL && strncmp((const char *)n->name, "atom:", 5) == 0)
		return strcmp((const char *)n->name + 5, name) == 0;
	if (strcmp((const char *)n->name, name) != 0)
		return false;
	/* <feed> without a namespace: its children have none either. */
	if (n->ns == NULL)
		return p->kind == KIND_ATOM;
	return strcmp((const char *)n->ns->href, NS_ATOM10) == 0 ||
	    strcmp((const char *)n->ns->href, NS_ATOM03) == 0;
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A copy of at most FEED_MAX_FIELD bytes, cut on a UTF-8 character
 * boundary, with the whitespace around it trimmed unless keep_ws; NULL for
 * NULL or blank input (or, with p->oom, no memory).
 */
static char *
dup_field(struct pctx *p, const char *s, bool keep_ws)
{
	const char	*t;
	size_t		 n;
	char		*r;

	if (s == NULL)
		return NULL;
	for (t = s; is_space((unsigned char)*t); t++)
		;
	if (*t == '\0')
		return NULL;
	if (!keep_ws)
		s = t;
	n = strlen(s);
	while (!keep_ws && n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	if (n > FEED_MAX_FIELD) {
		n = FEED_MAX_FIELD;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if ((r = strndup(s, n)) == NULL)
		p->oom = true;
	return r;
}

static char *
dup_trim(struct pctx *p, const char *s)
{
	return dup_field(p, s, false);
}

/*
 * A language tag, or NULL for none or a longer one than any tag is: every
 * story of the feed carries its feed's language, every item its
 * feed's xml:lang.
 */
static char *
lang_field(char *s)
{
	if (s != NULL && strlen(s) > FEED_MAX_LANG) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * Whether a field may grow from was to now bytes.  A relative URL
 * resolved against a long xml:base takes its length, in every link and
 * every HTML attribute under it: what resolving adds to a document's
 * fields is at most the document's size (1 MiB at least), past which
 * URLs stay as written.
 */
static bool
room_for(struct pctx *p, size_t was, size_t now)
{
	if (now <= was)
		return true;
	if (now - was > p->room)
		return false;
	p->room -= now - was;
	return true;
}

/* Take a libxml2 string, return ours. */
static char *
take_xml(struct pctx *p, xmlChar *x)
{
	char	*r;

	r = dup_trim(p, (const char *)x);
	xmlFree(x);
	return r;
}

/*
 * The text below n.  Unlike xmlNodeGetContent this stops at the field cap
 * instead of building the whole string first.  Entity references are no
 * longer in the tree (feed_xml_read replaced them).
 */
/* Appends are cut to the room left: a failure is out of memory. */
static int
collect_text(xmlNode *n, struct buf *b, int depth)
{
	xmlNode	*c;
	size_t	 len, room;
	int	 rc = BUF_OK;

	if (depth > FEED_MAX_DEPTH)
		return BUF_OK;
	for (c = n->children; c != NULL && b->len < b->cap && rc == BUF_OK;
	    c = c->next) {
		if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL) {
			len = strlen((const char *)c->content);
			room = b->cap - b->len;
			rc = buf_add(b, c->content, len < room ? len : room);
		} else if (c->type == XML_ELEMENT_NODE)
			rc = collect_text(c, b, depth + 1);
	}
	return rc;
}

/* The text below n, trimmed unless keep_ws. */
static char *
node_text_ws(struct pctx *p, xmlNode *n, bool keep_ws)
{
	struct buf	 b;
	xmlNode		*c = n->children;
	char		*r;

	/*
	 * Most elements hold one text node (CDATA is merged into text): copy
	 * it once, rather than through a growing buffer and then again.
	 */
	if (c != NULL && c->next == NULL && c->type == XML_TEXT_NODE &&
	    c->content != NULL &&
	    strlen((const char *)c->content) <= FEED_MAX_FIELD + 4)
		return dup_field(p, (const char *)c->content, keep_ws);
	buf_init(&b, FEED_MAX_FIELD + 4);
	if (collect_text(n, &b, 0) != BUF_OK) {
		p->oom = true;
		buf_free(&b);
		return NULL;
	}
	if (b.data == NULL)
		return NULL;
	r = dup_field(p, b.data, keep_ws);
	buf_free(&b);
	return r;
}

static char *
node_text(struct pctx *p, xmlNode *n)
{
	return node_text_ws(p, n, false);
}

/*
 * The value of n's attribute name in namespace ns (NULL: none), as
 * xmlGetNsProp finds it (a DTD's default included), read in place when it
 * is one text node, as it nearly always is; *owned is what to xmlFree.
 */
static const char *
attr_value(xmlNode *n, const char *name, const char *ns, xmlChar **owned)
{
	xmlAttr	*a;
	xmlNode	*t;

	*owned = NULL;
	if ((a = xmlHasNsProp(n, (const xmlChar *)name,
	    (const xmlChar *)ns)) == NULL)
		return NULL;
	t = a->children;
	if (a->type == XML_ATTRIBUTE_NODE && t != NULL && t->next == NULL &&
	    (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
	    t->content != NULL)
		return (const char *)t->content;
	*owned = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
	return (const char *)*owned;
}

static char *
node_attr(struct pctx *p, xmlNode *n, const char *name)
{
	const char	*v;
	xmlChar		*owned;
	char		*r;

	if ((v = attr_value(n, name, NULL, &owned)) == NULL)
		return NULL;
	r = dup_trim(p, v);
	xmlFree(owned);
	return r;
}

/* Store v in *dst unless a value is there already (first one wins). */
static void
set_str(char **dst, char *v)
{
	if (*dst == NULL)
		*dst = v;
	else
		free(v);
}

/* set_str for a field and its type (a static string). */
static void
set_typed(char **dst, const char **tdst, char *v, const char *type)
{
	if (*dst == NULL && v != NULL) {
		*dst = v;
		*tdst = type;
	} else
		free(v);
}

static void
set_date(int64_t *dst, char *s)
{
	int64_t	 t;

	if (s != NULL && *dst == FEED_NODATE && date_parse(s, &t) == 0)
		*dst = t;
	free(s);
}

/* The xml:base attribute of element n: *owned is what to free. */
static const char *
xml_base(struct pctx *p, xmlNode *n, char **owned)
{
	const char	*v;
	xmlChar		*x;

	*owned = NULL;
	if (n->properties == NULL && (n->doc == NULL ||
	    n->doc->intSubset == NULL))
		return NULL;	/* no attribute, not even a DTD default */
	if ((v = attr_value(n, "base", (const char *)XML_XML_NAMESPACE,
	    &x)) == NULL || x == NULL)
		return v;
	if ((*owned = strdup(v)) == NULL)
		p->oom = true;
	xmlFree(x);
	return *owned;
}

/*
 * The base URI in scope at n (XML Base): the nearest xml:base, resolved
 * against the base in scope at its parent, and so on up to the document's
 * URL; an absolute one ends the walk.  NULL when there is none, or when
 * the nearest xml:base is no URI reference; one further up that is none
 * is passed over (skip_bad), as libxml2's xmlNodeGetBase did.  The common
 * cases (one absolute xml:base, or only the document's URL) are read in
 * place, without a copy; *owned is what to free.  Recursion is as deep as
 * the xml:base attributes are nested, which libxml2's depth limit bounds.
 */
static const char *
base_at(struct pctx *p, xmlNode *n, bool skip_bad, char **owned)
{
	struct buf	 b;
	const char	*v, *outer;
	char		*vo, *oo;
	int		 rc;

	*owned = NULL;
	for (v = NULL; n != NULL && v == NULL; n = n->parent)
		if (n->type == XML_ELEMENT_NODE)
			v = xml_base(p, n, &vo);
	if (v == NULL)
		return (const char *)p->xdoc->URL;
	/*
	 * One longer than resolving may still add (room_for) is none: links
	 * stay as written, and it is not read again for each of them.
	 */
	if (strnlen(v, p->room + 1) > p->room) {
		free(vo);
		return NULL;
	}
	if (url_is_absolute(v) || (outer = base_at(p, n, true, &oo)) ==
	    NULL) {
		*owned = vo;
		return v;
	}
	buf_init(&b, SIZE_MAX - 1);
	if ((rc = url_join(&b, v, strlen(v), outer)) == BUF_OK) {
		free(vo);
		free(oo);
		return *owned = buf_steal(&b);
	}
	buf_free(&b);
	if (rc == URL_BADREF && skip_bad) {
		free(vo);
		*owned = oo;
		return outer;
	}
	free(oo);
	if (rc == URL_BADBASE && *v != '\0') {	/* as good as it gets */
		*owned = vo;
		return v;
	}
	free(vo);
	if (rc != URL_BADREF && rc != URL_BADBASE)
		p->oom = true;
	return NULL;
}

/*
 * A whole number from 0 to max written in s, blanks around it allowed;
 * frees s.  "12abc", "-1", "" and overflow are refused.
 */
static bool
take_count(char *s, int64_t max, int64_t *out)
{
	const char	*t;
	int64_t		 v = 0;
	bool		 ok = false;

	if (s == NULL)
		return false;
	for (t = s; is_space((unsigned char)*t); t++)
		;
	for (; *t >= '0' && *t <= '9'; t++) {
		if (v > (max - (*t - '0')) / 10) {
			ok = false;
			goto out;
		}
		v = v * 10 + (*t - '0');
		ok = true;
	}
	while (is_space((unsigned char)*t))
		t++;
	if (*t != '\0')
		ok = false;
 out:
	free(s);
	if (ok)
		*out = v;
	return ok;
}

/*
 * Make url absolute against the xml:base in scope at n (or the doc URL),
 * in the one spelling url_absolute gives every link, or only resolved
 * when it identifies someone (as_id).
 */
static char *
resolve_as(struct pctx *p, xmlNode *n, char *url, bool as_id)
{
	const char	*base;
	char		*owned, *r;

	if (url == NULL)
		return NULL;
	base = base_at(p, n, false, &owned);
	r = as_id ? url_resolve(url, base) : url_absolute(url, base);
	free(owned);
	if (r == NULL) {
		p->oom = true;
		return url;
	}
	if (!room_for(p, strlen(url), strlen(r))) {
		free(r);
		return url;
	}
	free(url);
	return r;
}

static char *
resolve(struct pctx *p, xmlNode *n, char *url)
{
	return resolve_as(p, n, url, false);
}

/*
 * Append one zeroed element to an array whose capacity is implied by its
 * length: it grows when the length reaches a power of two.
 */
static void *
grow(struct pctx *p, void *arrp, size_t *n, size_t size)
{
	char	*arr, *na;
	size_t	 cap;

	/* memcpy: arrp points at a pointer of some struct type. */
	memcpy(&arr, arrp, sizeof(arr));
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		if (*n > SIZE_MAX / 2) {
			p->oom = true;
			return NULL;
		}
		cap = *n == 0 ? 1 : *n * 2;
		if ((na = reallocarray(arr, cap, size)) == NULL) {
			p->oom = true;
			return NULL;
		}
		arr = na;
		memcpy(arrp, &arr, sizeof(arr));
	}
	na = arr + *n * size;
	memset(na, 0, size);
	(*n)++;
	return na;
}

/* Whitespace collapsed to single spaces, for plain-text titles. */
static char *
collapse(struct pctx *p, char *s)
{
	char	*r, *w;
	bool	 sp = false;

	if (s == NULL)
		return NULL;
	for (r = w = s; *r != '\0'; r++) {
		if (is_space((unsigned char)*r)) {
			sp = true;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = false;
		*w++ = *r;
	}
	*w = '\0';
	(void)p;
	return s;
}

static bool	utf8_text(const char *, size_t);

/*
 * Whether libxml2's HTML parser would see nothing in s but text to copy:
 * no markup, no '&' that could begin a reference ("Q & A" has none), and
 * none of the characters it drops (C0 and C1 controls, DEL, a byte-order
 * mark, U+FFFE, U+FFFF) nor a broken UTF-8 sequence.
 */
static bool
markup_free(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;

	for (; *s != '\0'; s++) {
		if (*s == '<' || *s == 0x7f ||
		    (*s == '&' && s[1] != '\0' && !is_space(s[1])) ||
		    (*s == 0xc2 && s[1] < 0xa0) ||
		    (*s == 0xef && ((s[1] == 0xbb && s[2] == 0xbf) ||
		    (s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf)))))
			return false;
	}
	return utf8_text(str, (size_t)((const char *)s - str));
}

/*
 * What text_line_from_html makes of markup-free text, in place: runs of
 * white space (NBSP, form feed and vertical tab among it, as text.c has
 * it) become one space, none at either end.
 */
static void
collapse_as_html(char *s)
{
	unsigned char	*r, *w;
	bool		 sp = false;

	for (r = w = (unsigned char *)s; *r != '\0';) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' ||
		    *r == '\f' || *r == '\v' || (*r == 0xc2 && r[1] == 0xa0)) {
			r += *r == 0xc2 ? 2 : 1;
			sp = w != (unsigned char *)s;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = false;
		*w++ = *r++;
	}
	*w = '\0';
}

/*
 * Title text: markup removed when there may be some.  Text with an '&'
 * but nothing the HTML parser would act on ("News & more") skips it.
 */
static char *
plain_title(struct pctx *p, char *s)
{
	char	*t;

	if (s == NULL)
		return NULL;
	if (strpbrk(s, "<&") == NULL)
		return collapse(p, s);
	if (markup_free(s)) {
		collapse_as_html(s);
		t = s;
	} else {
		t = text_line_from_html(s, strlen(s));
		free(s);
	}
	if (t == NULL) {
		p->oom = true;
		return NULL;
	}
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	return t;
}

/* Whether the n bytes at s name one of HTML's void elements. */
static bool
html_void(const char *s, size_t n)
{
	static const char *const v[] = { "area", "base", "basefont", "br",
	    "col", "embed", "frame", "hr", "img", "input", "isindex",
	    "keygen", "link", "meta", "param", "source", "track", "wbr" };
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i]) == n && strncasecmp(s, v[i], n) == 0)
			return true;
	return false;
}

/* Where the markup that is not a tag at s ("<!--", "<![CDATA[", "<?",
 * "<!") ends, or NULL when s begins a tag. */
static const char *
skip_special(const char *s)
{
	const char	*e;

	if (strncmp(s, "<!--", 4) == 0)
		return (e = strstr(s + 4, "-->")) != NULL ? e + 3 : NULL;
	if (strncmp(s, "<![CDATA[", 9) == 0)
		return (e = strstr(s + 9, "]]>")) != NULL ? e + 3 : NULL;
	if (s[1] == '?')
		return (e = strstr(s + 2, "?>")) != NULL ? e + 2 : NULL;
	if (s[1] == '!')
		return (e = strchr(s + 2, '>')) != NULL ? e + 1 : NULL;
	return s;
}

/*
 * libxml2 writes every empty element <br/>, and <p/> for <p></p>, which
 * HTML reads as a paragraph that never ends.  As feeds write HTML (and as
 * XHTML's HTML-compatible form has it), void elements become <br /> and
 * any other empty element gets its end tag.  In libxml2's output '<' and
 * '>' are escaped in text and attribute values, so "/>" ends an empty
 * element but in comments, CDATA sections and processing instructions,
 * which are copied as they are.
 */
static char *
html_empty_tags(struct pctx *p, char *html)
{
	struct buf	 b;
	const char	*s, *end, *done, *skip;
	size_t		 nlen;
	int		 rc = BUF_OK;

	if (html == NULL || strstr(html, "/>") == NULL)
		return html;
	buf_init(&b, 2 * (size_t)FEED_MAX_FIELD);
	for (s = done = html; rc == BUF_OK && (s = strchr(s, '<')) != NULL;) {
		if ((skip = skip_special(s)) == NULL)
			break;
		if (skip != s) {
			s = skip;
			continue;
		}
		if ((end = strchr(s, '>')) == NULL)
			break;
		nlen = strcspn(s + 1, " \t\r\n/>");
		if (end[-1] == '/' && nlen > 0 && end - 1 > s + nlen) {
			rc = buf_add(&b, done, (size_t)(end - 1 - done));
			if (rc == BUF_OK && html_void(s + 1, nlen))
				rc = buf_addstr(&b, " />");
			else if (rc == BUF_OK)
				rc = buf_printf(&b, "></%.*s>", (int)nlen,
				    s + 1);
			done = end + 1;
		}
		s = end + 1;
	}
	if (rc == BUF_OK)
		rc = buf_addstr(&b, done);
	if (rc != BUF_OK) {
		/* out of room: as libxml2 wrote it will do */
		if (rc == BUF_NOMEM)
			p->oom = true;
		buf_free(&b);
		return html;
	}
	free(html);
	html = dup_trim(p, b.data != NULL ? b.data : "");
	buf_free(&b);
	return html;
}

/*
 * The children of n serialised as markup (Atom type="xhtml", naked HTML,
 * xhtml:body), as HTML writes empty elements unless as_xml.  unwrap: the
 * content is wrapped in an xhtml:div that is not part of it (Atom).
 */
static char *
inner_markup(struct pctx *p, xmlNode *n, bool unwrap, bool as_xml)
{
	xmlBuffer	*xb;
	xmlNode		*c;
	char		*r;

	for (c = n->children; unwrap && c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			break;
	if (unwrap && c != NULL && strcmp((const char *)c->name, "div") == 0 &&
	    c->ns != NULL && strcmp((const char *)c->ns->href, NS_XHTML) == 0)
		n = c;
	if ((xb = xmlBufferCreate()) == NULL) {
		p->oom = true;
		return NULL;
	}
	for (c = n->children; c != NULL; c = c->next)
		xmlNodeDump(xb, p->xdoc, c, 0, 0);
	r = dup_trim(p, (const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	return as_xml ? r : html_empty_tags(p, r);
}

static char *
inner_xml(struct pctx *p, xmlNode *n)
{
	return inner_markup(p, n, true, false);
}

/* "href" or "src" followed by '=' and a quote at s; sets *vlen to the
 * length up to and including the quote. */
static bool
url_attr(const char *s, size_t *vlen)
{
	size_t	 n;

	if (strncasecmp(s, "href", 4) == 0)
		n = 4;
	else if (strncasecmp(s, "src", 3) == 0)
		n = 3;
	else
		return false;
	while (is_space((unsigned char)s[n]))
		n++;
	if (s[n] != '=')
		return false;
	n++;
	while (is_space((unsigned char)s[n]))
		n++;
	if (s[n] != '"' && s[n] != '\'')
		return false;
	*vlen = n + 1;
	return true;
}

/* Whether a URL reference has a scheme ("http:", "mailto:"). */
static bool
has_scheme(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			return i > 0;
		if (s[i] == '/' || s[i] == '?' || s[i] == '#')
			return false;
	}
	return false;
}

/*
 * Relative href/src values in HTML made absolute against the xml:base in
 * scope at n, with a small scanner rather than an HTML round trip so that
 * the markup is otherwise left exactly as the publisher wrote it.  Only
 * the values that change are written out; the text between them is copied
 * in runs, and not at all when nothing changes.
 */
static char *
resolve_html(struct pctx *p, xmlNode *n, char *html)
{
	struct buf	 b;
	const char	*base, *s, *v, *end, *done;
	char		*owned;
	size_t		 alen;
	bool		 in_tag = false;
	int		 rc = BUF_OK, jr;

	if (html == NULL || (base = base_at(p, n, false, &owned)) == NULL)
		return html;
	buf_init(&b, FEED_MAX_FIELD);
	for (s = done = html; *s != '\0' && rc == BUF_OK;) {
		if (!in_tag) {
			if ((s = strchr(s, '<')) == NULL)
				break;
			s++;
			in_tag = (*s >= 'a' && *s <= 'z') ||
			    (*s >= 'A' && *s <= 'Z');
			continue;
		}
		s += strcspn(s, "> \t\n\r");
		if (*s == '\0')
			break;
		if (*s == '>' || !url_attr(s + 1, &alen)) {
			in_tag = *s != '>';
			s++;
			continue;
		}
		v = s + 1 + alen;
		if ((end = strchr(v, v[-1])) == NULL)
			break;
		s = end;
		if (has_scheme(v, (size_t)(end - v)) ||
		    (rc = buf_add(&b, done, (size_t)(v - done))) != BUF_OK)
			continue;
		jr = url_join(&b, v, (size_t)(end - v), base);
		if (jr == URL_BADREF || jr == URL_BADBASE)
			done = v;	/* copied as written with the rest */
		else if ((rc = jr) == BUF_OK)
			done = end;
	}
	if (rc == BUF_OK && done != html)
		rc = buf_addstr(&b, done);
	free(owned);
	if (rc == BUF_NOMEM)
		p->oom = true;
	if (rc != BUF_OK || done == html ||
	    !room_for(p, strlen(html), b.len)) {
		/* unchanged, or out of room: as it was will do */
		buf_free(&b);
		return html;
	}
	free(html);
	return buf_steal(&b);
}

/*
 * Text, or the markup of an element that holds elements (naked HTML).
 * Content (keep_ws) keeps the whitespace around it as the feed gave it.
 */
static char *
node_markup(struct pctx *p, xmlNode *n, bool keep_ws)
{
	xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return inner_xml(p, n);
	return node_text_ws(p, n, keep_ws);
}

/* Whether s[0..n) is UTF-8 text without C0 controls (tabs, newlines ok). */
static bool
utf8_text(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k, len;

	while (i < n) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
			    s[i] != '\r')
				return false;
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4;
		else
			return false;
		if (len > n - i)
			return false;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/* Atom 0.3 mode="base64": decode, dropping anything outside the alphabet. */
static char *
base64_decode(struct pctx *p, char *s)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*q;
	char		*out, *r;
	unsigned	 acc = 0;
	int		 bits = 0;
	size_t		 n = 0;

	if (s == NULL)
		return NULL;
	if ((out = malloc(strlen(s) + 1)) == NULL) {
		p->oom = true;
		free(s);
		return NULL;
	}
	for (r = s; *r != '\0' && *r != '='; r++) {
		if ((q = strchr(alpha, *r)) == NULL) {
			if (is_space((unsigned char)*r))
				continue;
			/* not base64 at all: keep the text */
			free(out);
			return s;
		}
		acc = (acc << 6) | (unsigned)(q - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	/* Binary, or not base64 after all: keep the text as it was. */
	if (!utf8_text(out, n)) {
		free(out);
		return s;
	}
	free(s);
	r = dup_trim(p, out);
	free(out);
	return r;
}

/*
 * atom:id is an IRI, and xml:base applies to it (RFC 4287 2): a relative
 * one is resolved against an explicit xml:base, never against the URL the
 * document was fetched from, so that an id does not change with it.
 */
static char *
atom_id(struct pctx *p, xmlNode *n)
{
	struct buf	 b;
	xmlNode		*a;
	const char	*base;
	char		*id, *owned, *r;
	int		 rc;

	if ((id = node_text(p, n)) == NULL ||
	    has_scheme(id, strlen(id)))
		return id;
	for (a = n; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (xml_base(p, a, &owned) != NULL) {
			free(owned);
			break;
		}
	if (a == NULL || a->type != XML_ELEMENT_NODE ||
	    (base = base_at(p, n, false, &owned)) == NULL)
		return id;
	buf_init(&b, SIZE_MAX - 1);
	rc = url_join(&b, id, strlen(id), base);
	free(owned);
	if (rc != BUF_OK || !room_for(p, strlen(id), b.len)) {
		if (rc != BUF_OK && rc != URL_BADREF && rc != URL_BADBASE)
			p->oom = true;
		buf_free(&b);
		return id;
	}
	free(id);
	r = dup_trim(p, b.data != NULL ? b.data : "");
	buf_free(&b);
	return r;
}

/*
 * type="html" text wrapped in the xhtml:div that belongs to type="xhtml":
 * the wrapper is dropped and the escaped HTML inside it read as HTML.
 * NULL when n holds anything else.
 */
static xmlNode *
html_in_div(xmlNode *n)
{
	xmlNode	*c, *div = NULL;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (div != NULL)
			return NULL;
		div = c;
	}
	if (div == NULL || strcmp((const char *)div->name, "div") != 0 ||
	    div->ns == NULL || strcmp((const char *)div->ns->href,
	    NS_XHTML) != 0)
		return NULL;
	for (c = div->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return NULL;
	return div;
}

/*
 * Atom text construct: kept as (X)HTML, or made plain for titles.  *kind
 * (unless NULL) is what it was: TYPE_TEXT, TYPE_HTML or TYPE_XHTML.
 */
static char *
atom_text(struct pctx *p, xmlNode *n, bool plain, const char **kind)
{
	xmlNode	*div;
	char	*type, *mode, *s;
	bool	 xhtml, html, b64, xml;

	type = node_attr(p, n, "type");
	mode = node_attr(p, n, "mode");	/* Atom 0.3 */
	xhtml = (type != NULL && (strcmp(type, "xhtml") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0)) ||
	    (mode != NULL && strcmp(mode, "xml") == 0);
	html = type != NULL && (strcmp(type, "html") == 0 ||
	    strcmp(type, "text/html") == 0);
	b64 = mode != NULL && strcmp(mode, "base64") == 0;
	/* Atom 1.0: any other media type than text or XML is base64. */
	if (type != NULL && !xhtml && !html && strcmp(type, "text") != 0 &&
	    strncmp(type, "text/", 5) != 0 && strstr(type, "xml") == NULL)
		b64 = true;
	/* Atom 0.3 escaped content is html unless typed text/plain. */
	if (mode != NULL && strcmp(mode, "escaped") == 0 &&
	    (type == NULL || strcmp(type, "text/plain") != 0))
		html = true;
	/* Other XML media types: the markup as written. */
	xml = !xhtml && type != NULL && strstr(type, "xml") != NULL;
	free(type);
	free(mode);
	if (kind != NULL)
		*kind = xhtml ? TYPE_XHTML : html ? TYPE_HTML : TYPE_TEXT;
	/* Unescaped markup in type="html" is kept as markup. */
	if (html && (div = html_in_div(n)) != NULL)
		s = node_text(p, div);
	else
		s = xhtml || xml ? inner_markup(p, n, true, xml) :
		    node_markup(p, n, false);
	if (b64)
		s = base64_decode(p, s);
	if (!plain)
		return xhtml || html ? resolve_html(p, n, s) : s;
	if (xhtml || html)
		return plain_title(p, s);
	return collapse(p, s);
}

/* The first Atom text construct of its kind into *dst, its type *tdst. */
static void
set_atom_text(struct pctx *p, xmlNode *n, bool plain, char **dst,
    const char **tdst)
{
	const char	*kind = TYPE_TEXT;
	char		*v;

	if (*dst != NULL)
		return;
	v = atom_text(p, n, plain, &kind);
	set_typed(dst, tdst, v, kind);
}

/* "x@y (Name)", "Name <x@y>", "x@y" or "Name". */
static void
parse_person(struct pctx *p, char *s, struct feed_person *who)
{
	char	*open, *close;

	if (s == NULL)
		return;
	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (open == NULL) {
		open = strchr(s, '<');
		close = strrchr(s, '>');
	}
	if (open != NULL && close != NULL && close > open) {
		*close = '\0';
		*open = '\0';
		if (strchr(open + 1, '@') != NULL && strchr(s, '@') != NULL) {
			/* "x@y (x@y)": an address twice, no name */
			who->email = dup_trim(p, s);
		} else if (strchr(open + 1, '@') != NULL) {
			who->email = dup_trim(p, open + 1);
			who->name = dup_trim(p, s);
		} else {
			who->name = dup_trim(p, open + 1);
			who->email = dup_trim(p, s);
		}
	} else if (strchr(s, '@') != NULL && strchr(s, ' ') == NULL)
		who->email = dup_trim(p, s);
	else
		who->name = dup_trim(p, s);
	free(s);
}

static void
add_person_str(struct pctx *p, struct feed_person **arr, size_t *n, char *s)
{
	struct feed_person	*who;

	if (s == NULL)
		return;
	if ((who = grow(p, arr, n, sizeof(*who))) == NULL) {
		free(s);
		return;
	}
	parse_person(p, s, who);
}

static void
atom_person(struct pctx *p, xmlNode *n, struct feed_person *who)
{
	xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next) {
		if (is_atom(p, c, "name"))
			set_str(&who->name, collapse(p, node_text(p, c)));
		else if (is_atom(p, c, "email"))
			set_str(&who->email, node_text(p, c));
		else if (is_atom(p, c, "uri") || is_atom(p, c, "url") ||
		    is_atom(p, c, "homepage"))
			set_str(&who->uri,
			    resolve_as(p, c, node_text(p, c), true));
	}
	/* No child elements: a bare name. */
	if (who->name == NULL && who->email == NULL && who->uri == NULL)
		parse_person(p, node_text(p, n), who);
}

/*
 * The URL of an Atom link: its href, or when it has none, the text it holds
 * (<link rel="alternate">http://...</link>, the way RSS writes links).  One
 * with neither is no link, so that the next one can be the entry's.
 */
static char *
link_href(struct pctx *p, xmlNode *el)
{
	xmlChar	*owned;

	if (attr_value(el, "href", NULL, &owned) != NULL) {
		xmlFree(owned);
		return resolve(p, el, node_attr(p, el, "href"));
	}
	return resolve(p, el, node_text(p, el));
}

static void
add_link(struct pctx *p, struct feed_link **arr, size_t *n, xmlNode *el,
    char *href, const char *rel)
{
	struct feed_link	*l;

	if (href == NULL)
		return;
	if ((l = grow(p, arr, n, sizeof(*l))) == NULL) {
		free(href);
		return;
	}
	l->href = href;
	if (el != NULL) {
		l->rel = node_attr(p, el, "rel");
		l->type = node_attr(p, el, "type");
		l->title = node_attr(p, el, "title");
	}
	if (l->rel == NULL && rel != NULL && (l->rel = strdup(rel)) == NULL)
		p->oom = true;
}

/*
 * The href of a feed's own link, absolute.  An empty one is the base it
 * sits in (RFC 3986 5.2.2), as in <link rel="self" href=""/> under an
 * xml:base.  Not for an entry's links: an empty one there would make every
 * such entry point at the feed, and look like one story.
 */
static char *
feed_href(struct pctx *p, xmlNode *el)
{
	xmlChar	*x, *base;
	char	*r;

	if ((x = xmlGetProp(el, (const xmlChar *)"href")) == NULL)
		return link_href(p, el);
	if ((r = take_xml(p, x)) != NULL || p->oom)
		return resolve(p, el, r);
	/* href="": the base itself, which the document holds only once */
	if ((base = xmlNodeGetBase(p->xdoc, el)) == NULL)
		return NULL;
	if ((r = url_absolute((const char *)base, NULL)) == NULL)
		p->oom = true;
	else if (!room_for(p, 0, strlen(r))) {
		free(r);
		r = NULL;
	}
	xmlFree(base);
	return r;
}

static void
add_category(struct pctx *p, struct feed_category **arr, size_t *n,
    char *term, char *scheme, char *label)
{
	struct feed_category	*c;

	if (term == NULL && label == NULL && scheme == NULL)
		return;
	if ((c = grow(p, arr, n, sizeof(*c))) == NULL) {
		free(term);
		free(scheme);
		free(label);
		return;
	}
	c->term = term;
	c->scheme = scheme;
	c->label = label;
}

static void
add_enclosure(struct pctx *p, struct feed_item *it, xmlNode *el,
    const char *urlattr, const char *lenattr)
{
	struct feed_enclosure	*e;
	char			*url;
	size_t			 i;

	if ((url = resolve(p, el, node_attr(p, el, urlattr))) == NULL)
		return;
	/* One file named twice (an enclosure and its media:content, a
	 * thumbnail of the item and of its group) is one enclosure. */
	for (i = 0; i < it->nenclosures; i++)
		if (strcmp(it->enclosures[i].url, url) == 0) {
			free(url);
			return;
		}
	if ((e = grow(p, &it->enclosures, &it->nenclosures,
	    sizeof(*e))) == NULL) {
		free(url);
		return;
	}
	e->url = url;
	e->type = node_attr(p, el, "type");
	if (lenattr != NULL)
		e->length = node_attr(p, el, lenattr);
}

/*
 * Media RSS: media:content and media:thumbnail, alone, in a media:group,
 * or a thumbnail inside a media:content; each one an enclosure.
 */
static void
add_media(struct pctx *p, struct feed_item *it, xmlNode *el, int depth)
{
	xmlNode	*c;

	if (is_el(p, el, NS_MEDIA, "thumbnail")) {
		add_enclosure(p, it, el, "url", NULL);
		return;
	}
	if (is_el(p, el, NS_MEDIA, "content"))
		add_enclosure(p, it, el, "url", "fileSize");
	if (depth >= 2)
		return;
	for (c = el->children; c != NULL; c = c->next)
		if (is_el(p, c, NS_MEDIA, "content") ||
		    is_el(p, c, NS_MEDIA, "thumbnail"))
			add_media(p, it, c, depth + 1);
}

/* The alternate link among links, or the first one. */
static char *
pick_link(struct pctx *p, struct feed_link *l, size_t n)
{
	size_t	 i;
	char	*r;

	for (i = 0; i < n; i++)
		if (l[i].rel == NULL || strcmp(l[i].rel, "alternate") == 0)
			break;
	if (i == n)
		return NULL;
	if ((r = strdup(l[i].href)) == NULL)
		p->oom = true;
	return r;
}

/* --- how often the publisher wants to be polled -------------------- */

static const struct {
	const char		*name;
	enum feed_period	 period;
} periods[] = {
	{ "hourly", FEED_PERIOD_HOURLY }, { "daily", FEED_PERIOD_DAILY },
	{ "weekly", FEED_PERIOD_WEEKLY }, { "monthly", FEED_PERIOD_MONTHLY },
	{ "yearly", FEED_PERIOD_YEARLY },
};

static const char *const day_names[7] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };

const char *
feed_period_name(enum feed_period period)
{
	size_t	 i;

	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		if (periods[i].period == period)
			return periods[i].name;
	return NULL;
}

const char *
feed_day_name(int day)
{
	return day >= 0 && day < 7 ? day_names[day] : NULL;
}

static void
sy_period(struct feed_schedule *s, char *v)
{
	size_t	 i;

	for (i = 0; v != NULL && i < sizeof(periods) / sizeof(periods[0]);
	    i++)
		if (strcasecmp(v, periods[i].name) == 0 &&
		    s->period == FEED_PERIOD_NONE)
			s->period = periods[i].period;
	free(v);
}

/* <skipHours><hour>0</hour>...: hours of the day in GMT; some feeds
 * count 1 to 24, so 24 is midnight. */
static void
skip_hours(struct pctx *p, struct feed_schedule *s, xmlNode *n)
{
	xmlNode	*c;
	int64_t	 h;

	for (c = n->children; c != NULL; c = c->next)
		if (is_el(p, c, NATIVE, "hour") &&
		    take_count(node_text(p, c), 24, &h))
			s->skip_hours |= (uint32_t)1 << (h % 24);
}

static void
skip_days(struct pctx *p, struct feed_schedule *s, xmlNode *n)
{
	xmlNode	*c;
	char	*v;
	size_t	 i;

	for (c = n->children; c != NULL; c = c->next) {
		if (!is_el(p, c, NATIVE, "day"))
			continue;
		v = node_text(p, c);
		for (i = 0; v != NULL && i < 7; i++)
			if (strcasecmp(v, day_names[i]) == 0)
				s->skip_days |= (uint8_t)(1U << i);
		free(v);
	}
}

void
feed_schedule_clear(struct feed_schedule *s)
{
	memset(s, 0, sizeof(*s));
	s->ttl = -1;
	s->frequency = 1;
	s->base = FEED_NODATE;
}

void
feed_item_clear(struct feed_item *it)
{
	memset(it, 0, sizeof(*it));
	it->published = it->updated = FEED_NODATE;
	it->ncomments = -1;
}

int64_t
feed_min_interval(const struct feed_schedule *s)
{
	int64_t	 ttl = 0, sy = 0;

	if (s->ttl > 0)
		ttl = s->ttl * 60;
	if (s->period != FEED_PERIOD_NONE)
		sy = (int64_t)s->period / (s->frequency > 0 ? s->frequency : 1);
	return ttl > sy ? ttl : sy;
}

bool
feed_skip_at(const struct feed_schedule *s, int64_t t)
{
	int64_t	 hour, day;

	if (t < 0)
		return false;
	hour = (t / 3600) % 24;
	day = (t / 86400 + 4) % 7;	/* 1 January 1970 was a Thursday */
	/* A feed that skips every hour or every day asks for nothing. */
	if ((s->skip_hours & 0xffffffU) != 0xffffffU &&
	    ((s->skip_hours >> hour) & 1U))
		return true;
	return s->skip_days != 0x7f && ((s->skip_days >> day) & 1U);
}

/* --- the elements every format shares (dc:, content:, media:...) --- */

/* itunes:keywords, "a, b,c": one category per keyword. */
static void
add_keywords(struct pctx *p, struct feed_category **arr, size_t *n,
    char *s)
{
	char	*kw, *next;

	for (kw = s; kw != NULL; kw = next) {
		if ((next = strchr(kw, ',')) != NULL)
			*next++ = '\0';
		add_category(p, arr, n, dup_trim(p, kw), NULL, NULL);
	}
	free(s);
}

/* itunes:category text="Tech", with its subcategories after it. */
static void
add_itunes_category(struct pctx *p, struct feed_category **arr, size_t *n,
    xmlNode *el, int depth)
{
	xmlNode	*c;

	add_category(p, arr, n, node_attr(p, el, "text"), NULL, NULL);
	if (depth >= 2)
		return;
	for (c = el->children; c != NULL; c = c->next)
		if (is_el(p, c, NS_ITUNES, "category"))
			add_itunes_category(p, arr, n, c, depth + 1);
}


/*
 * A summary of an item.  An RSS item that has two (<description> and
 * <summary>, or atom:summary) has the first as summary and the second as
 * its content when it has no other, as feedparser reads it.
 */
static void
add_summary(struct pctx *p, struct feed_item *it, char *s, const char *type)
{
	if (it->summary == NULL)
		set_typed(&it->summary, &it->summary_type, s, type);
	else if (p->kind != KIND_ATOM)
		set_typed(&p->item_alt, &p->item_alt_type, s, type);
	else
		free(s);
}

/* set_str for an item's content and its media type. */
static void
set_content(struct pctx *p, struct feed_item *it, char *v, const char *type)
{
	if (it->content != NULL || v == NULL) {
		free(v);
		return;
	}
	it->content = v;
	free(it->content_type);
	if ((it->content_type = strdup(type)) == NULL)
		p->oom = true;
}

static bool
item_common(struct pctx *p, struct feed_item *it, xmlNode *c)
{
	if (is_el(p, c, NS_CONTENT, "encoded"))
		set_content(p, it, resolve_html(p, c, node_markup(p, c, true)),
		    TYPE_HTML);
	else if (is_el(p, c, NS_XHTML, "body"))
		set_content(p, it, resolve_html(p, c,
		    inner_markup(p, c, false, false)), TYPE_XHTML);
	else if (is_el(p, c, NS_DC, "contributor"))
		add_person_str(p, &it->contributors, &it->ncontributors,
		    node_text(p, c));
	else if (is_el(p, c, NS_DC, "creator") ||
	    is_el(p, c, NS_DC, "author") || is_el(p, c, NS_ITUNES, "author"))
		add_person_str(p, &it->authors, &it->nauthors,
		    node_text(p, c));
	else if (is_el(p, c, NS_DC, "date") ||
	    is_el(p, c, NS_DCTERMS, "issued") ||
	    is_el(p, c, NS_DCTERMS, "created") ||
	    is_el(p, c, NS_DCTERMS, "date") ||
	    is_el(p, c, NS_DCTERMS, "available"))
		set_date(&it->published, node_text(p, c));
	else if (is_el(p, c, NS_DCTERMS, "modified"))
		set_date(&it->updated, node_text(p, c));
	else if (is_el(p, c, NS_DC, "subject"))
		add_category(p, &it->categories, &it->ncategories,
		    node_text(p, c), NULL, NULL);
	else if (is_el(p, c, NS_ITUNES, "keywords"))
		add_keywords(p, &it->categories, &it->ncategories,
		    node_text(p, c));
	else if (is_el(p, c, NS_DC, "language"))
		set_str(&it->language, lang_field(node_text(p, c)));
	else if (is_el(p, c, NS_DC, "title"))
		set_typed(&it->title, &it->title_type,
		    plain_title(p, node_text(p, c)), TYPE_TEXT);
	else if (is_el(p, c, NS_DC, "description"))
		set_typed(&p->item_summary, &p->item_summary_type,
		    node_text(p, c), TYPE_HTML);
	else if (is_el(p, c, NS_ITUNES, "summary"))
		set_typed(&p->item_summary, &p->item_summary_type,
		    node_text(p, c), TYPE_TEXT);
	else if (is_el(p, c, NS_DC, "identifier"))
		set_str(&it->id, node_text(p, c));
	else if (is_el(p, c, NS_DC, "rights"))
		set_str(&it->rights, node_text(p, c));
	else if (is_el(p, c, NS_SLASH, "comments")) {
		if (it->ncomments < 0)
			(void)take_count(node_text(p, c), INT64_MAX,
			    &it->ncomments);
	}
	else if (is_el(p, c, NS_MEDIA, "content") ||
	    is_el(p, c, NS_MEDIA, "thumbnail") ||
	    is_el(p, c, NS_MEDIA, "group"))
		add_media(p, it, c, 0);
	else
		return false;
	return true;
}

static bool
feed_common(struct pctx *p, struct feed_doc *d, xmlNode *c)
{
	struct feed_person	*who;

	if (is_el(p, c, NS_DC, "publisher"))
		set_str(&p->publisher, node_text(p, c));
	else if (is_el(p, c, NS_DC, "creator") ||
	    is_el(p, c, NS_ITUNES, "author") || is_el(p, c, NS_DC, "author")) {
		if (d->author == NULL) {
			if ((who = calloc(1, sizeof(*who))) == NULL) {
				p->oom = true;
				return true;
			}
			d->author = who;
			parse_person(p, node_text(p, c), who);
		} else if (d->author->name == NULL) {
			/* An editor given only as an address gets a name. */
			struct feed_person tmp = { NULL, NULL, NULL };

			parse_person(p, node_text(p, c), &tmp);
			d->author->name = tmp.name;
			free(tmp.email);
			free(tmp.uri);
		}
	} else if (is_el(p, c, NS_DC, "date")) {
		/* Readers disagree whether it is the publication or the
		 * update date of a channel: it is both until told apart. */
		if (d->published == FEED_NODATE)
			set_date(&d->published, node_text(p, c));
		set_date(&d->updated, node_text(p, c));
	} else if (is_el(p, c, NS_DCTERMS, "modified"))
		set_date(&d->updated, node_text(p, c));
	else if (is_el(p, c, NS_DCTERMS, "issued") ||
	    is_el(p, c, NS_DCTERMS, "created") ||
	    is_el(p, c, NS_DCTERMS, "date"))
		set_date(&d->published, node_text(p, c));
	else if (is_el(p, c, NS_ITUNES, "category"))
		add_itunes_category(p, &d->categories, &d->ncategories, c, 0);
	else if (is_el(p, c, NS_ITUNES, "keywords"))
		add_keywords(p, &d->categories, &d->ncategories,
		    node_text(p, c));
	else if (is_el(p, c, NS_DC, "language"))
		set_str(&d->language, lang_field(node_text(p, c)));
	else if (is_el(p, c, NS_DC, "rights"))
		set_str(&d->rights, node_text(p, c));
	else if (is_el(p, c, NS_SY, "updatePeriod"))
		sy_period(&d->schedule, node_text(p, c));
	else if (is_el(p, c, NS_SY, "updateFrequency")) {
		if (!take_count(node_text(p, c), FEED_MAX_FREQUENCY,
		    &d->schedule.frequency) || d->schedule.frequency == 0)
			d->schedule.frequency = 1;
	} else if (is_el(p, c, NS_SY, "updateBase"))
		set_date(&d->schedule.base, node_text(p, c));
	else if (is_el(p, c, NS_DC, "subject"))
		add_category(p, &d->categories, &d->ncategories,
		    node_text(p, c), NULL, NULL);
	else if (is_el(p, c, NS_DC, "title"))
		set_typed(&d->title, &d->title_type,
		    plain_title(p, node_text(p, c)), TYPE_TEXT);
	else if (is_el(p, c, NS_DC, "description"))
		set_typed(&p->feed_summary, &p->feed_summary_type,
		    node_text(p, c), TYPE_HTML);
	else if (is_el(p, c, NS_ITUNES, "summary") ||
	    is_el(p, c, NS_ITUNES, "subtitle"))
		set_typed(&p->feed_summary, &p->feed_summary_type,
		    node_text(p, c), TYPE_TEXT);
	else if (is_el(p, c, NS_DC, "contributor"))
		add_person_str(p, &d->contributors, &d->ncontributors,
		    node_text(p, c));
	else
		return false;
	return true;
}

/* --- RSS 0.9x, 2.0 and 1.0 ----------------------------------------- */

/* The rdf:about of an RSS 1.0 item, absolute as an identifier is. */
static char *
rdf_about(struct pctx *p, xmlNode *n)
{
	const char	*v;
	xmlChar		*owned;
	char		*r;

	if ((v = attr_value(n, "about", NS_RDF, &owned)) == NULL)
		return NULL;
	r = dup_trim(p, v);
	xmlFree(owned);
	return resolve_as(p, n, r, true);
}

static void
rss_item(struct pctx *p, xmlNode *n)
{
	struct feed_item	*it;
	xmlNode			*c;
	char			*perma = NULL, *guid = NULL;

	if (p->doc->nitems >= FEED_MAX_ITEMS)
		return;
	if ((it = grow(p, &p->doc->items, &p->doc->nitems,
	    sizeof(*it))) == NULL)
		return;
	feed_item_clear(it);
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(p, c, NATIVE, "title"))
			set_typed(&it->title, &it->title_type,
			    plain_title(p, node_text(p, c)), TYPE_TEXT);
		else if (is_el(p, c, NATIVE, "link"))
			set_str(&it->link, resolve(p, c, node_text(p, c)));
		else if (is_el(p, c, NATIVE, "description") ||
		    is_el(p, c, NATIVE, "summary"))
			add_summary(p, it, resolve_html(p, c,
			    node_markup(p, c, false)), TYPE_HTML);
		else if (is_el(p, c, NATIVE, "guid")) {
			if (guid == NULL) {
				/* an earlier guid without text had one too */
				free(perma);
				guid = node_text(p, c);
				perma = node_attr(p, c, "isPermaLink");
			}
		} else if (is_el(p, c, NATIVE, "pubDate"))
			set_date(&it->published, node_text(p, c));
		else if (is_el(p, c, NATIVE, "author"))
			add_person_str(p, &it->authors, &it->nauthors,
			    node_text(p, c));
		else if (is_el(p, c, NATIVE, "category"))
			add_category(p, &it->categories, &it->ncategories,
			    node_text(p, c), node_attr(p, c, "domain"), NULL);
		else if (is_el(p, c, NATIVE, "enclosure")) {
			add_enclosure(p, it, c, "url", "length");
			add_link(p, &it->links, &it->nlinks, c,
			    resolve(p, c, node_attr(p, c, "url")), "enclosure");
		}
		else if (is_el(p, c, NATIVE, "comments"))
			set_str(&it->comments, resolve(p, c, node_text(p, c)));
		else if (!atom_item_el(p, it, c))
			(void)item_common(p, it, c);
	}
	item_finish(p, it);
	/* A permalink guid is the link when there is no other. */
	if (guid != NULL && it->link == NULL &&
	    (perma == NULL || strcasecmp(perma, "true") == 0) &&
	    (strncmp(guid, "http://", 7) == 0 ||
	    strncmp(guid, "https://", 8) == 0) &&
	    (it->link = strdup(guid)) == NULL)
		p->oom = true;
	/* The guid is the item's own id; dc:identifier only stands in. */
	if (guid != NULL) {
		free(it->id);
		it->id = guid;
	}
	/* RDF names each item with rdf:about: its id when it has no other. */
	if (it->id == NULL && p->kind == KIND_RDF)
		it->id = rdf_about(p, n);
	free(perma);
	if (it->language == NULL)
		it->language = lang_field(take_xml(p, xmlNodeGetLang(n)));
}

static void
rss_image(struct pctx *p, xmlNode *n)
{
	struct feed_image	*img;
	xmlNode			*c;

	if (p->doc->image != NULL)
		return;
	if ((img = calloc(1, sizeof(*img))) == NULL) {
		p->oom = true;
		return;
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (is_el(p, c, NATIVE, "url"))
			set_str(&img->url, resolve(p, c, node_text(p, c)));
		else if (is_el(p, c, NATIVE, "title"))
			set_str(&img->title, plain_title(p, node_text(p, c)));
		else if (is_el(p, c, NATIVE, "link"))
			set_str(&img->link, resolve(p, c, node_text(p, c)));
	}
	if (img->url == NULL) {
		free(img->title);
		free(img->link);
		free(img);
		return;
	}
	p->doc->image = img;
}

/* s ("Name <a@b>" or so) as the feed's author unless it has one. */
static void
fallback_author(struct pctx *p, struct feed_doc *d, char *s)
{
	if (d->author != NULL || s == NULL) {
		free(s);
		return;
	}
	if ((d->author = calloc(1, sizeof(*d->author))) == NULL) {
		p->oom = true;
		free(s);
		return;
	}
	parse_person(p, s, d->author);
}

static void
rss_channel(struct pctx *p, xmlNode *n)
{
	struct feed_doc	*d = p->doc;
	xmlNode		*c;
	char		*webmaster = NULL;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(p, c, NATIVE, "item"))
			rss_item(p, c);
		else if (is_el(p, c, NATIVE, "title"))
			set_typed(&d->title, &d->title_type,
			    plain_title(p, node_text(p, c)), TYPE_TEXT);
		else if (is_el(p, c, NATIVE, "link"))
			set_str(&d->link, resolve(p, c, node_text(p, c)));
		else if (is_el(p, c, NATIVE, "description"))
			set_typed(&d->summary, &d->summary_type,
			    node_markup(p, c, false), TYPE_HTML);
		else if (is_el(p, c, NATIVE, "language"))
			set_str(&d->language, lang_field(node_text(p, c)));
		else if (is_el(p, c, NATIVE, "copyright"))
			set_str(&d->rights, node_text(p, c));
		else if (is_el(p, c, NATIVE, "generator"))
			set_str(&d->generator, node_text(p, c));
		else if (is_el(p, c, NATIVE, "lastBuildDate"))
			set_date(&d->updated, node_text(p, c));
		else if (is_el(p, c, NATIVE, "pubDate"))
			set_date(&d->published, node_text(p, c));
		else if (is_el(p, c, NATIVE, "image"))
			rss_image(p, c);
		else if (is_el(p, c, NATIVE, "category"))
			add_category(p, &d->categories, &d->ncategories,
			    node_text(p, c), node_attr(p, c, "domain"), NULL);
		else if ((is_el(p, c, NATIVE, "managingEditor") ||
		    is_el(p, c, NATIVE, "author")) && d->author == NULL) {
			if ((d->author = calloc(1, sizeof(*d->author))) == NULL)
				p->oom = true;
			else
				parse_person(p, node_text(p, c), d->author);
		} else if (is_el(p, c, NATIVE, "webMaster"))
			set_str(&webmaster, node_text(p, c));
		else if (is_el(p, c, NATIVE, "ttl")) {
			if (d->schedule.ttl < 0)
				(void)take_count(node_text(p, c), FEED_MAX_TTL,
				    &d->schedule.ttl);
		} else if (is_el(p, c, NATIVE, "skipHours"))
			skip_hours(p, &d->schedule, c);
		else if (is_el(p, c, NATIVE, "skipDays"))
			skip_days(p, &d->schedule, c);
		else if (!atom_feed_el(p, d, c))
			(void)feed_common(p, d, c);
	}
	if (d->link == NULL)
		d->link = pick_link(p, d->links, d->nlinks);
	if (d->language == NULL)
		d->language = lang_field(take_xml(p, xmlNodeGetLang(n)));
	set_typed(&d->summary, &d->summary_type, p->feed_summary,
	    p->feed_summary_type);
	p->feed_summary = NULL;
	/* The technical contact is the author only when nobody else is. */
	fallback_author(p, d, p->publisher);
	p->publisher = NULL;
	fallback_author(p, d, webmaster);
}

static void
rss_root(struct pctx *p, xmlNode *root)
{
	xmlNode	*c;

	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(p, c, NATIVE, "channel"))
			rss_channel(p, c);
		/* RSS 1.0 and some 0.9x put these beside the channel. */
		else if (is_el(p, c, NATIVE, "item"))
			rss_item(p, c);
		else if (is_el(p, c, NATIVE, "image"))
			rss_image(p, c);
	}
}

/* --- Atom 0.3 and 1.0 ---------------------------------------------- */

/*
 * The media type of an Atom content: as its type says, text, html and
 * xhtml (kind, as atom_text read it) spelled as media types.
 */
static char *
atom_media_type(struct pctx *p, xmlNode *n, const char *kind)
{
	char	*type, *r;

	type = node_attr(p, n, "type");
	if (type != NULL && strcmp(type, "text") != 0 &&
	    strcmp(type, "html") != 0 && strcmp(type, "xhtml") != 0)
		return type;
	free(type);
	if ((r = strdup(kind)) == NULL)
		p->oom = true;
	return r;
}

/*
 * atom:content, the first one: inline, or out of line at src (RFC 4287
 * 4.1.3.2: then it is empty, and its type says what src serves).
 */
static void
atom_content(struct pctx *p, struct feed_item *it, xmlNode *c)
{
	const char	*kind = TYPE_TEXT;
	char		*v;

	if (it->content != NULL || it->content_src != NULL)
		return;
	if ((v = node_attr(p, c, "src")) != NULL) {
		it->content_src = resolve(p, c, v);
		free(it->content_type);
		it->content_type = node_attr(p, c, "type");
		return;
	}
	if ((v = atom_text(p, c, false, &kind)) == NULL)
		return;
	it->content = v;
	free(it->content_type);
	it->content_type = atom_media_type(p, c, kind);
}

/* An Atom element of an entry (or of an RSS item borrowing it). */
static bool
atom_item_el(struct pctx *p, struct feed_item *it, xmlNode *c)
{
	struct feed_person	*who;
	const char		*kind = TYPE_TEXT;
	char			*rel, *v;

	if (is_atom(p, c, "title"))
		set_atom_text(p, c, true, &it->title, &it->title_type);
	else if (is_atom(p, c, "id"))
		set_str(&it->id, atom_id(p, c));
	else if (is_atom(p, c, "link")) {
		rel = node_attr(p, c, "rel");
		if (rel != NULL && strcmp(rel, "enclosure") == 0)
			add_enclosure(p, it, c, "href", "length");
		free(rel);
		add_link(p, &it->links, &it->nlinks, c, link_href(p, c),
		    "alternate");
	} else if (is_atom(p, c, "updated") || is_atom(p, c, "modified"))
		set_date(&it->updated, node_text(p, c));
	else if (is_atom(p, c, "published") || is_atom(p, c, "issued") ||
	    is_atom(p, c, "created"))
		set_date(&it->published, node_text(p, c));
	else if (is_atom(p, c, "author")) {
		if ((who = grow(p, &it->authors, &it->nauthors,
		    sizeof(*who))) != NULL)
			atom_person(p, c, who);
	} else if (is_atom(p, c, "contributor")) {
		if ((who = grow(p, &it->contributors, &it->ncontributors,
		    sizeof(*who))) != NULL)
			atom_person(p, c, who);
	} else if (is_atom(p, c, "summary")) {
		v = atom_text(p, c, false, &kind);
		add_summary(p, it, v, kind);
	} else if (is_atom(p, c, "content"))
		atom_content(p, it, c);
	else if (is_atom(p, c, "rights"))
		set_str(&it->rights, atom_text(p, c, false, NULL));
	else if (is_atom(p, c, "category"))
		add_category(p, &it->categories, &it->ncategories,
		    node_attr(p, c, "term"), node_attr(p, c, "scheme"),
		    node_attr(p, c, "label"));
	else
		return false;
	return true;
}

/* Which of TYPE_TEXT, TYPE_HTML and TYPE_XHTML a media type is nearest. */
static const char *
text_kind(const char *type)
{
	if (type == NULL)
		return TYPE_HTML;
	if (strstr(type, "xhtml") != NULL)
		return TYPE_XHTML;
	if (strstr(type, "html") != NULL)
		return TYPE_HTML;
	return TYPE_TEXT;
}

/*
 * Readers show the description when there is no content and the other way
 * round; do it once here so every consumer agrees.  The copy keeps its
 * type: content_type then says what content is, not what content_src is.
 */
static void
item_finish(struct pctx *p, struct feed_item *it)
{
	set_typed(&it->summary, &it->summary_type, p->item_summary,
	    p->item_summary_type);
	p->item_summary = NULL;
	if (p->item_alt != NULL)
		set_content(p, it, p->item_alt, p->item_alt_type);
	p->item_alt = NULL;
	/* An item only ever updated was first published then, as far as
	 * anyone can tell. */
	if (it->published == FEED_NODATE)
		it->published = it->updated;
	if (it->link == NULL)
		it->link = pick_link(p, it->links, it->nlinks);
	if (it->summary == NULL && it->content != NULL) {
		if ((it->summary = strdup(it->content)) == NULL)
			p->oom = true;
		it->summary_type = text_kind(it->content_type);
		it->summary_copied = true;
	}
	if (it->content == NULL && it->summary != NULL) {
		if ((it->content = strdup(it->summary)) == NULL)
			p->oom = true;
		it->content_copied = true;
		free(it->content_type);
		if ((it->content_type = strdup(it->summary_type != NULL ?
		    it->summary_type : TYPE_HTML)) == NULL)
			p->oom = true;
	}
}

static void
atom_entry(struct pctx *p, xmlNode *n)
{
	struct feed_item	*it;
	xmlNode			*c;

	if (p->doc->nitems >= FEED_MAX_ITEMS)
		return;
	if ((it = grow(p, &p->doc->items, &p->doc->nitems,
	    sizeof(*it))) == NULL)
		return;
	feed_item_clear(it);
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!atom_item_el(p, it, c))
			(void)item_common(p, it, c);
	}
	item_finish(p, it);
	set_str(&it->language, lang_field(take_xml(p, xmlNodeGetLang(n))));
}

/*
 * The people and pictures of an Atom feed: every author (the first is also
 * the feed's author), contributors, icon and logo (the first of them also
 * the feed's image, as RSS has one).
 */
static bool
atom_feed_extra(struct pctx *p, struct feed_doc *d, xmlNode *c)
{
	struct feed_person	*who;
	bool			 author = is_atom(p, c, "author");

	if (author || is_atom(p, c, "contributor")) {
		if ((who = author ? grow(p, &d->authors, &d->nauthors,
		    sizeof(*who)) : grow(p, &d->contributors,
		    &d->ncontributors, sizeof(*who))) != NULL)
			atom_person(p, c, who);
		if (!author || d->author != NULL)
			return true;
		if ((d->author = calloc(1, sizeof(*d->author))) == NULL)
			p->oom = true;
		else
			atom_person(p, c, d->author);
		return true;
	}
	if (is_atom(p, c, "icon"))
		set_str(&d->icon, resolve(p, c, node_text(p, c)));
	else if (is_atom(p, c, "logo"))
		set_str(&d->logo, resolve(p, c, node_text(p, c)));
	else
		return false;
	if (d->image != NULL)
		return true;
	if ((d->image = calloc(1, sizeof(*d->image))) == NULL)
		p->oom = true;
	else
		d->image->url = resolve(p, c, node_text(p, c));
	return true;
}

/* An Atom element of a feed (or of an RSS channel borrowing it). */
static bool
atom_feed_el(struct pctx *p, struct feed_doc *d, xmlNode *c)
{
	if (is_atom(p, c, "title"))
		set_atom_text(p, c, true, &d->title, &d->title_type);
	else if (is_atom(p, c, "id"))
		set_str(&d->id, atom_id(p, c));
	else if (is_atom(p, c, "updated") || is_atom(p, c, "modified"))
		set_date(&d->updated, node_text(p, c));
	else if (is_atom(p, c, "published") || is_atom(p, c, "issued"))
		set_date(&d->published, node_text(p, c));
	else if (is_atom(p, c, "subtitle") || is_atom(p, c, "tagline"))
		set_atom_text(p, c, false, &d->summary, &d->summary_type);
	else if (is_atom(p, c, "rights") || is_atom(p, c, "copyright"))
		set_str(&d->rights, atom_text(p, c, false, NULL));
	else if (is_atom(p, c, "generator"))
		set_str(&d->generator, node_text(p, c));
	else if (is_atom(p, c, "category"))
		add_category(p, &d->categories, &d->ncategories,
		    node_attr(p, c, "term"), node_attr(p, c, "scheme"),
		    node_attr(p, c, "label"));
	else if (is_atom(p, c, "link"))
		add_link(p, &d->links, &d->nlinks, c, feed_href(p, c),
		    "alternate");
	else
		return atom_feed_extra(p, d, c);
	return true;
}

static void
atom_feed(struct pctx *p, xmlNode *n)
{
	struct feed_doc	*d = p->doc;
	xmlNode		*c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_atom(p, c, "entry"))
			atom_entry(p, c);
		else if (!atom_feed_el(p, d, c))
			(void)feed_common(p, d, c);
	}
	set_str(&d->link, pick_link(p, d->links, d->nlinks));
	set_str(&d->language, lang_field(take_xml(p, xmlNodeGetLang(n))));
	set_typed(&d->summary, &d->summary_type, p->feed_summary,
	    p->feed_summary_type);
	p->feed_summary = NULL;
	fallback_author(p, d, p->publisher);
	p->publisher = NULL;
}

/* --- entry points -------------------------------------------------- */

/*
 * RSS 0.91 came twice: Netscape's, whose documents name its DTD, and
 * UserLand's, which has none.
 */
static bool
netscape_dtd(const xmlDoc *xdoc)
{
	const xmlDtd	*dtd = xdoc->intSubset;

	if (dtd == NULL)
		return false;
	return (dtd->ExternalID != NULL && strcasestr((const char *)
	    dtd->ExternalID, "netscape") != NULL) || (dtd->SystemID != NULL &&
	    strcasestr((const char *)dtd->SystemID, "netscape") != NULL);
}

/* The version token of <rss version="...">, as feedparser names them. */
static const char *
rss_version(const xmlDoc *xdoc, xmlNode *root)
{
	static const struct {
		const char	*attr;
		const char	*token;
	} v[] = {
		{ "0.90", "rss090" }, { "0.92", "rss092" },
		{ "0.93", "rss093" }, { "0.94", "rss094" },
	};
	xmlChar		*ver;
	const char	*s, *tok = "rss";	/* no version, or unknown */
	size_t		 i;

	if ((ver = xmlGetProp(root, (const xmlChar *)"version")) == NULL)
		return tok;
	s = (const char *)ver;
	if (s[0] == '2' && (s[1] == '\0' || s[1] == '.'))
		tok = "rss20";
	else if (strcmp(s, "0.91") == 0)
		tok = netscape_dtd(xdoc) ? "rss091n" : "rss091u";
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(s, v[i].attr) == 0)
			tok = v[i].token;
	xmlFree(ver);
	return tok;
}

/* Whether an RDF document is RSS 0.90: its root or a child in 0.90's
 * namespace (an empty one only says so on the root). */
static bool
rdf_is_090(xmlNode *root)
{
	const xmlNs	*ns;
	const xmlNode	*c;

	for (ns = root->nsDef; ns != NULL; ns = ns->next)
		if (ns->href != NULL &&
		    strcmp((const char *)ns->href, NS_RSS090) == 0)
			return true;
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->ns->href, NS_RSS090) == 0)
			return true;
	return false;
}

/* Whether root could be a feed's: detect() says which. */
static bool
feed_root(const xmlNode *root)
{
	const char	*name = (const char *)root->name;

	return strcmp(name, "rss") == 0 || strcmp(name, "RDF") == 0 ||
	    strcmp(name, "feed") == 0 || strcmp(name, "entry") == 0;
}

/* Which format the root element announces, or -1. */
static int
detect(struct pctx *p, xmlNode *root)
{
	const char	*uri, *name = (const char *)root->name;
	xmlChar		*ver;

	uri = root->ns != NULL ? (const char *)root->ns->href : NULL;
	if (strcmp(name, "rss") == 0 && (uri == NULL || rss_uri(uri))) {
		p->kind = KIND_RSS;
		p->doc->version = rss_version(p->xdoc, root);
		return 0;
	}
	if (strcmp(name, "RDF") == 0 && uri != NULL &&
	    strcmp(uri, NS_RDF) == 0) {
		p->kind = KIND_RDF;
		p->doc->version = rdf_is_090(root) ? "rss090" : "rss10";
		return 0;
	}
	if (strcmp(name, "feed") == 0 || strcmp(name, "entry") == 0) {
		p->kind = KIND_ATOM;
		if (uri != NULL && strcmp(uri, NS_ATOM03) == 0)
			p->doc->version = "atom03";
		else if (uri != NULL && strcmp(uri, NS_ATOM10) == 0)
			p->doc->version = "atom10";
		else if (uri == NULL) {
			ver = xmlGetProp(root, (const xmlChar *)"version");
			p->doc->version = ver != NULL &&
			    strcmp((const char *)ver, "0.3") == 0 ?
			    "atom03" : "atom10";
			xmlFree(ver);
		} else
			return -1;
		return 0;
	}
	return -1;
}

void
feed_free(struct feed_doc *d)
{
	size_t			 i, j;
	struct feed_item	*it;

	if (d == NULL)
		return;
#define FREE_PERSON(x) do { free((x)->name); free((x)->email); \
	    free((x)->uri); } while (0)
#define FREE_PEOPLE(a, n) do { for (j = 0; j < (n); j++) { \
	    FREE_PERSON(&(a)[j]); } free(a); } while (0)
#define FREE_LINKS(a, n) do { for (j = 0; j < (n); j++) { \
	    free((a)[j].href); free((a)[j].rel); free((a)[j].type); \
	    free((a)[j].title); } free(a); } while (0)
#define FREE_CATS(a, n) do { for (j = 0; j < (n); j++) { \
	    free((a)[j].term); free((a)[j].scheme); free((a)[j].label); } \
	    free(a); } while (0)
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		free(it->title);
		free(it->link);
		free(it->id);
		FREE_PEOPLE(it->authors, it->nauthors);
		FREE_PEOPLE(it->contributors, it->ncontributors);
		free(it->summary);
		free(it->content);
		free(it->content_type);
		free(it->content_src);
		for (j = 0; j < it->nenclosures; j++) {
			free(it->enclosures[j].url);
			free(it->enclosures[j].type);
			free(it->enclosures[j].length);
		}
		free(it->enclosures);
		FREE_CATS(it->categories, it->ncategories);
		FREE_LINKS(it->links, it->nlinks);
		free(it->comments);
		free(it->language);
		free(it->rights);
	}
	free(d->items);
	free(d->title);
	free(d->link);
	free(d->id);
	if (d->author != NULL)
		FREE_PERSON(d->author);
	free(d->author);
	FREE_PEOPLE(d->authors, d->nauthors);
	FREE_PEOPLE(d->contributors, d->ncontributors);
	free(d->summary);
	free(d->icon);
	free(d->logo);
	free(d->language);
	free(d->rights);
	free(d->generator);
	free(d->entity);
	if (d->image != NULL) {
		free(d->image->url);
		free(d->image->title);
		free(d->image->link);
		free(d->image);
	}
	FREE_LINKS(d->links, d->nlinks);
	FREE_CATS(d->categories, d->ncategories);
#undef FREE_PERSON
#undef FREE_PEOPLE
#undef FREE_LINKS
#undef FREE_CATS
	free(d);
}

/* What reading the document left out, for the caller to tell. */
static int
feed_notes(struct pctx *p, const struct feed_xml_notes *n)
{
	p->doc->attrs_dropped = n->attrs_dropped;
	if ((p->doc->entities_dropped = n->ents_dropped) == 0)
		return 0;
	p->doc->entity_why = n->ent_why;
	if ((p->doc->entity = strdup(n->ent_name)) == NULL)
		return -1;
	return 0;
}

/*
 * feed_parse once the text is UTF-8.  owned, when not NULL, is the buf
 * that data is in (so data[len] is '\0'): libxml2 reads it in place, and
 * it is freed here, as soon as a rewritten copy takes its place.
 */
static int
parse_utf8(const char *data, size_t len, char *owned, const char *base,
    struct feed_doc **out, char *err, size_t errlen)
{
	struct pctx		 p;
	struct feed_xml_notes	 notes;
	xmlNode			*root;
	char			*fixed = NULL;
	size_t			 flen, skip;
	int			 rc = -1, xr = -1;
	bool			 junk = false;

	memset(&p, 0, sizeof(p));
	p.room = len > FEED_MAX_FIELD ? len : FEED_MAX_FIELD;
	/* Blank lines before the XML declaration make it an error. */
	while (len > 0 && (*data == ' ' || *data == '\t' || *data == '\r' ||
	    *data == '\n')) {
		data++;
		len--;
	}
	if (len == 0) {
		snprintf(err, errlen, "not a feed: empty document");
		goto out;
	}
	if (*data == '{') {
		rc = feed_jsonfeed_parse(data, len, base, out, err, errlen);
		goto out;
	}
	/*
	 * Most feeds are well-formed as they come: read so, they are read
	 * without the rewrite below, which would change nothing in them.
	 */
	if ((xr = feed_xml_read_as_is(data, len, base, &p.xdoc,
	    &notes)) == FEED_XML_NOMEM) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (xr == 0 && (root = xmlDocGetRootElement(p.xdoc)) != NULL &&
	    feed_root(root))
		goto read;
	if (p.xdoc != NULL)
		xmlFreeDoc(p.xdoc);
	p.xdoc = NULL;
	/* HTML entities XML does not know become character references. */
	if (feed_xml_fix_entities(data, len, &fixed, &flen) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fixed != NULL) {
		free(owned);
		owned = fixed;
		data = fixed;
		len = flen;
	}
 again:
	root = NULL;
	if (len > 0 && (xr = feed_xml_read(data, len, owned != NULL, base,
	    &p.xdoc, &notes)) == 0 && p.xdoc != NULL)
		root = xmlDocGetRootElement(p.xdoc);
	/* Out of memory is not a document to read again from its feed. */
	if (xr == FEED_XML_NOMEM) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (root == NULL || !feed_root(root)) {
		/* PHP warnings and such before the feed: read from it. */
		if (!junk && (skip = feed_xml_feed_start(data, len)) > 0) {
			xmlFreeDoc(p.xdoc);
			p.xdoc = NULL;
			data += skip;
			len -= skip;
			junk = true;
			goto again;
		}
		if (p.xdoc == NULL)
			snprintf(err, errlen, "not a feed: not XML");
		else if (root == NULL)
			snprintf(err, errlen, "not a feed: no root element");
		else
			snprintf(err, errlen, "not a feed: root element "
			    "<%.64s>", (const char *)root->name);
		goto out;
	}
 read:
	if ((p.doc = calloc(1, sizeof(*p.doc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	p.doc->updated = p.doc->published = FEED_NODATE;
	feed_schedule_clear(&p.doc->schedule);
	p.doc->recovered = notes.recovered || junk;
	if (feed_notes(&p, &notes) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (detect(&p, root) == -1) {
		snprintf(err, errlen, "not a feed: root element <%.64s>",
		    (const char *)root->name);
		goto out;
	}
	if (p.kind == KIND_ATOM &&
	    strcmp((const char *)root->name, "entry") == 0)
		atom_entry(&p, root);	/* an Atom Entry Document */
	else if (p.kind == KIND_ATOM)
		atom_feed(&p, root);
	else
		rss_root(&p, root);
	if (p.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out = p.doc;
	p.doc = NULL;
	rc = 0;
 out:
	feed_free(p.doc);
	free(p.feed_summary);
	free(p.item_summary);
	free(p.item_alt);
	free(p.publisher);
	if (p.xdoc != NULL)
		xmlFreeDoc(p.xdoc);
	free(owned);
	return rc;
}

/*
 * The feed's title, cut to FEED_MAX_TITLE bytes on a character boundary:
 * every story of the feed carries a copy of it, and ten thousand items
 * of a few bytes each would make gigabytes of a title of a megabyte.
 */
static void
cut_title(char *t)
{
	size_t	 n;

	if (t == NULL || (n = strlen(t)) <= FEED_MAX_TITLE)
		return;
	n = FEED_MAX_TITLE;
	while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
		n--;
	t[n] = '\0';
}

int
feed_parse(const char *data, size_t len, const char *base,
    const char *charset, struct feed_doc **out, char *err, size_t errlen)
{
	struct xmloom	 w;
	char		*text;
	bool		 guessed;
	int		 rc;

	*out = NULL;
	if (data == NULL || len == 0) {
		snprintf(err, errlen, "not a feed: empty document");
		return -1;
	}
	if (len > FEED_MAX_DOC) {
		snprintf(err, errlen, "document too large");
		return -1;
	}
	if (charset_utf8(&data, &len, charset, FEED_MAX_DOC, &text,
	    &guessed) == -1) {
		snprintf(err, errlen, "document too large as UTF-8");
		return -1;
	}
	/*
	 * libxml2 answers "none" when it runs out of memory in much of its
	 * tree API (xmlGetProp, xmlNodeGetLang): the document would lose a
	 * field without a word.
	 */
	xmloom_begin(&w);
	rc = parse_utf8(data, len, text, base, out, err, errlen);
	if (xmloom_end(&w)) {
		feed_free(*out);
		*out = NULL;
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	/* Bytes read in another charset than the document said. */
	if (rc == 0 && guessed)
		(*out)->recovered = true;
	if (rc == 0)
		cut_title((*out)->title);
	return rc;
}
