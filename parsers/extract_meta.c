/*
 * extract_meta: what the page says about itself.  Open Graph and article:
 * meta tags, JSON-LD (NewsArticle and its kin, also inside @graph), the
 * canonical link, <html lang>, <title>, the h1 and the byline markup; each
 * field from the most specific source that has it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/date.h"
#include "parsers/extract_int.h"
#include "parsers/feed.h"
#include "parsers/jsoncap.h"
#include "parsers/jsonio.h"
#include "parsers/url.h"

#define META_FIELD_MAX	4096	/* longer titles and bylines are cut */
#define META_BYLINE_MAX	120	/* a longer byline element is prose */
#define JSONLD_DEPTH	16

/* Candidates for each field, most specific source first. */
enum src { S_BEST, S_GOOD, S_FAIR, S_LAST, S_COUNT };

struct meta {
	char	*title[S_COUNT];
	char	*site[S_COUNT];
	char	*byline[S_COUNT];
	char	*lang[S_COUNT];
	char	*published[S_COUNT];
	char	*modified[S_COUNT];
	char	*canonical;
	char	*h1;
	xmlNode	*h1node;
	char	*body;		/* the longest JSON-LD articleBody */
	bool	 oom;		/* a field lost for want of memory */
};

/* Meta tag names (property= or name=) that carry a date. */
static const char *const pub_names[] = {
	"article:published_time", "og:published_time", "date", "pubdate",
	"publishdate", "publish-date", "publish_date", "dc.date",
	"dc.date.issued", "dcterms.created", "dcterms.date", "dcterms.issued",
	"parsely-pub-date", "sailthru.date", "article.published",
	"datepublished", "cxenseparse:recs:publishtime", NULL
};

static const char *const mod_names[] = {
	"article:modified_time", "og:updated_time", "dcterms.modified",
	"last-modified", "datemodified", "article.updated", NULL
};

/*
 * NULL only when out of memory: extract_out.c counts on it.  url_join,
 * not xmlBuildURI, which sometimes answers NULL for no memory without
 * saying so, as it does for a reference it cannot resolve.
 */
char *
extract_resolve(struct ectx *c, const xmlChar *v)
{
	const char	*base = c->base != NULL ? c->base : c->url;
	const char	*s = (const char *)v;
	struct buf	 b;
	size_t		 len;
	int		 rc = URL_BADBASE;

	/* attribute values often carry stray white space around URLs */
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	buf_init(&b, SIZE_MAX - 1);
	if (base != NULL)
		rc = url_join(&b, s, len, base);
	/* no base, or no URI reference: the link as written */
	if (rc == URL_BADREF || rc == URL_BADBASE)
		rc = buf_add(&b, s, len);
	if (rc != BUF_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Text of a subtree, white space collapsed, at most cap bytes. */
char *
extract_node_text(const xmlNode *root, size_t cap)
{
	const xmlNode	*n;
	struct buf	 b;
	const xmlChar	*s;
	bool		 space = false;
	int		 rc = BUF_OK;

	buf_init(&b, cap);
	for (n = root->children; n != NULL && n != root;) {
		if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL) {
			for (s = n->content; *s != '\0'; s++) {
				if (isspace(*s)) {
					space = b.len > 0;
					continue;
				}
				if (space &&
				    (rc = buf_addch(&b, ' ')) != BUF_OK)
					break;
				space = false;
				if ((rc = buf_addch(&b, (char)*s)) != BUF_OK)
					break;
			}
			/* past the cap it is cut; out of memory, lost */
			if (rc == BUF_NOMEM) {
				buf_free(&b);
				return NULL;
			}
		}
		if (n->type == XML_ELEMENT_NODE && n->children != NULL &&
		    !extract_is(n, "script") && !extract_is(n, "style")) {
			n = n->children;
			continue;
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		if (n == root)
			break;
		n = n->next;
	}
	return buf_steal(&b);
}

/* Keep the first value offered for a slot, free the others. */
static void
offer(char **slot, char *v)
{
	if (v != NULL && *slot == NULL && v[0] != '\0')
		*slot = v;
	else
		free(v);
}

/* A field taken as it is; NULL for none, or for no memory (m->oom). */
static char *
dup_field(struct meta *m, const char *v)
{
	char	*r;

	if (v == NULL)
		return NULL;
	if ((r = strndup(v, META_FIELD_MAX)) == NULL)
		m->oom = true;
	return r;
}

static char *
dup_attr(struct meta *m, const xmlNode *n, const char *name)
{
	return dup_field(m, (const char *)extract_attr(n, name));
}

static bool
name_in(const xmlChar *v, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (xmlStrcasecmp(v, (const xmlChar *)list[i]) == 0)
			return true;
	return false;
}

static bool
url_like(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static void
meta_tag(struct meta *m, const xmlNode *n)
{
	const xmlChar	*k, *content;
	char		*v;

	if ((content = extract_attr(n, "content")) == NULL)
		return;
	if ((k = extract_attr(n, "property")) == NULL &&
	    (k = extract_attr(n, "name")) == NULL &&
	    (k = extract_attr(n, "itemprop")) == NULL &&
	    (k = extract_attr(n, "http-equiv")) == NULL)
		return;
	if ((v = dup_field(m, (const char *)content)) == NULL)
		return;
	if (xmlStrcasecmp(k, (const xmlChar *)"og:title") == 0)
		offer(&m->title[S_BEST], v);
	else if (xmlStrcasecmp(k, (const xmlChar *)"og:site_name") == 0)
		offer(&m->site[S_BEST], v);
	else if (xmlStrcasecmp(k, (const xmlChar *)"og:locale") == 0) {
		for (char *p = v; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
		offer(&m->lang[S_GOOD], v);
	} else if (xmlStrcasecmp(k, (const xmlChar *)"content-language") == 0 ||
	    xmlStrcasecmp(k, (const xmlChar *)"language") == 0 ||
	    xmlStrcasecmp(k, (const xmlChar *)"dc.language") == 0)
		offer(&m->lang[S_FAIR], v);
	else if (xmlStrcasecmp(k, (const xmlChar *)"author") == 0 ||
	    xmlStrcasecmp(k, (const xmlChar *)"article:author") == 0 ||
	    xmlStrcasecmp(k, (const xmlChar *)"dc.creator") == 0) {
		if (url_like(v))
			free(v);
		else
			offer(&m->byline[S_GOOD], v);
	} else if (name_in(k, pub_names))
		offer(&m->published[S_GOOD], v);
	else if (name_in(k, mod_names))
		offer(&m->modified[S_GOOD], v);
	else
		free(v);
}

static bool
rel_has(const xmlNode *n, const char *word)
{
	const xmlChar	*v;
	size_t		 wl = strlen(word);
	const char	*p;

	if ((v = extract_attr(n, "rel")) == NULL)
		return false;
	for (p = (const char *)v; (p = strcasestr(p, word)) != NULL; p += wl)
		if ((p == (const char *)v || isspace((unsigned char)p[-1])) &&
		    (p[wl] == '\0' || isspace((unsigned char)p[wl])))
			return true;
	return false;
}

/*
 * Join the names of a JSON-LD author (string, object, array).  Names
 * past the cap are left out; BUF_NOMEM when memory ran out.
 */
static int
ld_author(json_t *a, struct buf *b, int depth)
{
	json_t	*v;
	size_t	 i;
	int	 rc = BUF_OK;

	if (depth > JSONLD_DEPTH)
		return BUF_OK;
	if (json_is_array(a)) {
		json_array_foreach(a, i, v)
			if (ld_author(v, b, depth + 1) == BUF_NOMEM)
				return BUF_NOMEM;
		return BUF_OK;
	}
	if (json_is_object(a))
		a = json_object_get(a, "name");
	if (!json_is_string(a) || json_string_length(a) == 0 ||
	    url_like(json_string_value(a)))
		return BUF_OK;
	if (b->len > 0)
		rc = buf_addstr(b, ", ");
	if (rc == BUF_OK)
		rc = buf_addstr(b, json_string_value(a));
	return rc == BUF_NOMEM ? BUF_NOMEM : BUF_OK;
}

static bool
ld_article(json_t *o)
{
	json_t		*t = json_object_get(o, "@type"), *v;
	const char	*s;
	size_t		 i;

	if (json_is_array(t)) {
		json_array_foreach(t, i, v)
			if (json_is_string(v) && ((s = json_string_value(v)) !=
			    NULL) && (strstr(s, "Article") != NULL ||
			    strstr(s, "Posting") != NULL))
				return true;
		return false;
	}
	return json_is_string(t) && (strstr(json_string_value(t),
	    "Article") != NULL || strstr(json_string_value(t), "Posting") !=
	    NULL);
}

static char *
ld_string(struct meta *m, json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	return dup_field(m, json_string_value(v));
}

/*
 * Keep the article's articleBody when it is the longest yet, cut at
 * EXTRACT_LD_MAX bytes on a character boundary.
 */
static void
ld_body(struct meta *m, json_t *o)
{
	json_t		*v = json_object_get(o, "articleBody");
	const char	*s;
	size_t		 len;
	char		*d;

	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > EXTRACT_LD_MAX) {
		len = EXTRACT_LD_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if (m->body != NULL && strlen(m->body) >= len)
		return;
	if ((d = strndup(s, len)) == NULL) {
		m->oom = true;
		return;
	}
	free(m->body);
	m->body = d;
}

static void
ld_visit(struct meta *m, json_t *v, int depth)
{
	struct buf	 b;
	json_t		*e;
	char		*s;
	size_t		 i;

	if (depth > JSONLD_DEPTH)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			ld_visit(m, e, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	if ((e = json_object_get(v, "@graph")) != NULL)
		ld_visit(m, e, depth + 1);
	if (!ld_article(v))
		return;
	offer(&m->title[S_GOOD], ld_string(m, v, "headline"));
	offer(&m->published[S_BEST], ld_string(m, v, "datePublished"));
	offer(&m->modified[S_BEST], ld_string(m, v, "dateModified"));
	ld_body(m, v);
	if ((e = json_object_get(v, "publisher")) != NULL &&
	    json_is_object(e))
		offer(&m->site[S_GOOD], ld_string(m, e, "name"));
	if ((e = json_object_get(v, "author")) != NULL) {
		buf_init(&b, META_FIELD_MAX);
		if (ld_author(e, &b, depth + 1) == BUF_NOMEM) {
			buf_free(&b);
			m->oom = true;
			return;
		}
		if ((s = buf_steal(&b)) == NULL)
			m->oom = true;
		offer(&m->byline[S_BEST], s);
	}
}

static void
json_ld(struct meta *m, const xmlNode *n)
{
	json_t	*root;
	char	*s;
	bool	 oom;

	if ((s = extract_node_text(n, 4 * 1024 * 1024)) == NULL) {
		m->oom = true;
		return;
	}
	/*
	 * Broken JSON-LD is no metadata; JSON-LD unread for want of memory
	 * is metadata lost.  One that would take more than JSONCAP_LD as
	 * jansson's values ("{}," is 3 bytes here, 250 loaded) is not read.
	 */
	oom = false;
	if (jsoncap_fits(s, strlen(s), JSONCAP_LD) &&
	    (root = jsonio_loadb(s, strlen(s), JSON_DECODE_ANY, NULL,
	    &oom)) != NULL) {
		ld_visit(m, root, 0);
		json_decref(root);
	}
	if (oom)
		m->oom = true;
	free(s);
}

/* An element whose class or id names the byline or the author. */
static bool
byline_element(const xmlNode *n)
{
	const xmlChar	*v;

	if ((v = extract_attr(n, "itemprop")) != NULL &&
	    xmlStrcasecmp(v, (const xmlChar *)"author") == 0)
		return true;
	if (((v = extract_attr(n, "class")) != NULL ||
	    (v = extract_attr(n, "id")) != NULL) &&
	    (strcasestr((const char *)v, "byline") != NULL))
		return true;
	return false;
}

/* The text of n when it is at most max bytes, else NULL. */
static char *
short_text(struct meta *m, const xmlNode *n, size_t max)
{
	char	*s;

	if ((s = extract_node_text(n, META_FIELD_MAX)) == NULL) {
		m->oom = true;
		return NULL;
	}
	if (strlen(s) > max) {
		free(s);
		return NULL;
	}
	return s;
}

static void
meta_element(struct ectx *c, struct meta *m, struct xnode *x)
{
	xmlNode		*n = x->n;
	const xmlChar	*v;

	if (extract_is(n, "meta"))
		meta_tag(m, n);
	else if (extract_is(n, "html"))
		offer(&m->lang[S_BEST], dup_attr(m, n, "lang"));
	else if (extract_is(n, "link") && rel_has(n, "canonical") &&
	    m->canonical == NULL && (v = extract_attr(n, "href")) != NULL) {
		if ((m->canonical = extract_resolve(c, v)) == NULL)
			m->oom = true;
	} else if (extract_is(n, "base") && c->base == NULL &&
	    (v = extract_attr(n, "href")) != NULL) {
		if ((c->base = extract_resolve(c, v)) == NULL)
			m->oom = true;
	} else if (extract_is(n, "title") && m->title[S_FAIR] == NULL)
		offer(&m->title[S_FAIR], short_text(m, n, META_FIELD_MAX));
	else if (extract_is(n, "h1") && m->h1 == NULL &&
	    (x->flags & (XN_TAG | XN_CLASS | XN_HIDDEN)) == 0) {
		m->h1 = short_text(m, n, META_FIELD_MAX);
		m->h1node = n;
	} else if (extract_is(n, "script") &&
	    (v = extract_attr(n, "type")) != NULL &&
	    xmlStrcasecmp(v, (const xmlChar *)"application/ld+json") == 0)
		json_ld(m, n);
	else if (extract_is(n, "a") && rel_has(n, "author"))
		offer(&m->byline[S_FAIR], short_text(m, n, META_BYLINE_MAX));
	else if (byline_element(n))
		offer(&m->byline[S_LAST], short_text(m, n, META_BYLINE_MAX));
	if ((v = extract_attr(n, "itemprop")) != NULL &&
	    (xmlStrcasecmp(v, (const xmlChar *)"datePublished") == 0 ||
	    xmlStrcasecmp(v, (const xmlChar *)"dateModified") == 0)) {
		char	*d = dup_attr(m, n, "content");

		if (d == NULL)
			d = dup_attr(m, n, "datetime");
		offer(v[4] == 'P' || v[4] == 'p' ? &m->published[S_FAIR] :
		    &m->modified[S_FAIR], d);
	} else if (extract_is(n, "time"))
		offer(&m->published[S_LAST], dup_attr(m, n, "datetime"));
}

/* The best candidate of a field, taken out of the struct. */
static char *
take(char **slots)
{
	char	*v;
	int	 i;

	for (i = 0; i < S_COUNT; i++)
		if (slots[i] != NULL) {
			v = slots[i];
			slots[i] = NULL;
			return v;
		}
	return NULL;
}

static int64_t
take_date(char **slots)
{
	int64_t	 t;
	int	 i;

	for (i = 0; i < S_COUNT; i++)
		if (slots[i] != NULL && date_parse(slots[i], &t) == 0)
			return t;
	return FEED_NODATE;
}

static void
free_slots(char **slots)
{
	int	 i;

	for (i = 0; i < S_COUNT; i++)
		free(slots[i]);
}

/*
 * The headline kept out of the text: the first h1 when the title names
 * it (or there is no other title), else the title itself.
 */
static void
headline(struct ectx *c, struct meta *m)
{
	const char	*t = c->x->title;
	struct xnode	*h;

	if (m->h1 != NULL && m->h1[0] != '\0' &&
	    (h = xn(m->h1node)) != NULL &&
	    (t == NULL || strstr(t, m->h1) != NULL ||
	    strstr(m->h1, t) != NULL)) {
		h->flags |= XN_HEADLINE;
		c->headline = m->h1;
		m->h1 = NULL;
	} else if (t != NULL && (c->headline = strdup(t)) == NULL)
		m->oom = true;
}

int
extract_meta(struct ectx *c)
{
	struct meta	 m;
	struct extract	*x = c->x;
	size_t		 i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < c->nnodes; i++)
		meta_element(c, &m, &c->nodes[i]);
	if (m.h1 != NULL && (m.title[S_LAST] = strdup(m.h1)) == NULL)
		m.oom = true;
	x->title = take(m.title);
	x->site_name = take(m.site);
	x->byline = take(m.byline);
	x->language = take(m.lang);
	x->published = take_date(m.published);
	x->modified = take_date(m.modified);
	x->canonical_url = m.canonical;
	c->ldbody = m.body;
	headline(c, &m);
	free_slots(m.title);
	free_slots(m.site);
	free_slots(m.byline);
	free_slots(m.lang);
	free_slots(m.published);
	free_slots(m.modified);
	free(m.h1);
	return m.oom ? -1 : 0;
}
