/*
 * opml: read an OPML document's feeds with libxml2 (no network, no
 * entities substituted, no DTD loaded), write a configuration's feeds.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "daemon/config.h"
#include "daemon/opml.h"
#include "parsers/buf.h"

/* A written document: the feed list of any real reader fits. */
#define OPML_MAX_OUTPUT	(64UL * 1024 * 1024)

struct oread {
	struct opml_feed	*feeds;
	size_t			 n, cap;
	int			 oom;
};

void
opml_feeds_free(struct opml_feed *feeds, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(feeds[i].title);
		free(feeds[i].url);
		free(feeds[i].category);
	}
	free(feeds);
}

/* The attribute as a malloc'd string, NULL when absent or empty. */
static char *
attr(xmlNode *n, const char *name, int *oom)
{
	xmlChar	*v;
	char	*s = NULL;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	if (v[0] != '\0' && (s = strdup((char *)v)) == NULL)
		*oom = 1;
	xmlFree(v);
	return s;
}

/*
 * OPML 2.0's own category attribute ("/News/Europe,/Other"): its first
 * path, for a feed that is not nested in outlines.
 */
static char *
category_attr(xmlNode *n, int *oom)
{
	char	*c, *s;
	size_t	 len;

	if ((c = attr(n, "category", oom)) == NULL)
		return NULL;
	s = c + strspn(c, "/");
	len = strcspn(s, ",");
	while (len > 0 && s[len - 1] == '/')
		len--;
	memmove(c, s, len);
	c[len] = '\0';
	if (c[0] == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

static void
add_feed(struct oread *r, xmlNode *n, char *url, const char *category)
{
	struct opml_feed	*f, *nf;

	if (r->n == r->cap) {
		if (r->cap > SIZE_MAX / 2 / sizeof(*nf) ||
		    (nf = realloc(r->feeds, (r->cap ? r->cap * 2 : 16) *
		    sizeof(*nf))) == NULL) {
			free(url);
			r->oom = 1;
			return;
		}
		r->feeds = nf;
		r->cap = r->cap ? r->cap * 2 : 16;
	}
	f = &r->feeds[r->n++];
	memset(f, 0, sizeof(*f));
	f->url = url;
	if ((f->title = attr(n, "text", &r->oom)) == NULL)
		f->title = attr(n, "title", &r->oom);
	if (category != NULL) {
		if ((f->category = strdup(category)) == NULL)
			r->oom = 1;
	} else
		f->category = category_attr(n, &r->oom);
}

/* "a" and "b" make "a/b"; malloc'd, NULL when out of memory. */
static char *
join(const char *parent, const char *label)
{
	char	*s;

	if (parent == NULL)
		return strdup(label);
	if (asprintf(&s, "%s/%s", parent, label) < 0)
		return NULL;
	return s;
}

static void
read_outlines(struct oread *r, xmlNode *n, const char *category,
    unsigned depth)
{
	char	*url, *label, *sub;

	for (; n != NULL && !r->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, (const xmlChar *)"outline") != 0)
			continue;
		if ((url = attr(n, "xmlUrl", &r->oom)) != NULL) {
			add_feed(r, n, url, category);
			continue;
		}
		if (depth >= OPML_DEPTH_MAX)
			continue;
		if ((label = attr(n, "text", &r->oom)) == NULL &&
		    (label = attr(n, "title", &r->oom)) == NULL) {
			/* An unnamed folder: its feeds go one level up. */
			read_outlines(r, n->children, category, depth + 1);
			continue;
		}
		if ((sub = join(category, label)) == NULL)
			r->oom = 1;
		else
			read_outlines(r, n->children, sub, depth + 1);
		free(sub);
		free(label);
	}
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
	return NULL;
}

int
opml_read(const char *data, size_t len, struct opml_feed **out, size_t *n,
    char *err, size_t errlen)
{
	struct oread	 r;
	xmlDoc		*doc;
	xmlNode		*root, *body;

	*out = NULL;
	*n = 0;
	if (len > OPML_MAX_INPUT) {
		snprintf(err, errlen, "larger than %lu bytes", OPML_MAX_INPUT);
		return -1;
	}
	/* Never XML_PARSE_NOENT or DTDLOAD: no entity reaches a file. */
	doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		snprintf(err, errlen, "not well-formed XML");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || xmlStrcmp(root->name, (const xmlChar *)"opml") != 0) {
		snprintf(err, errlen, "not OPML: root element <%s>",
		    root != NULL ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return -1;
	}
	if ((body = child(root, "body")) == NULL) {
		snprintf(err, errlen, "OPML without <body>");
		xmlFreeDoc(doc);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	read_outlines(&r, body->children, NULL, 0);
	xmlFreeDoc(doc);
	if (r.oom) {
		opml_feeds_free(r.feeds, r.n);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = r.feeds;
	*n = r.n;
	return 0;
}

/* Feeds by category (none first), then in their configured order. */
static const struct config_feed *sort_feeds;

static int
cmp_feed(const void *a, const void *b)
{
	size_t		 i = *(const size_t *)a, j = *(const size_t *)b;
	const char	*ci = sort_feeds[i].category;
	const char	*cj = sort_feeds[j].category;
	int		 c;

	if (ci == NULL || cj == NULL)
		c = (ci != NULL) - (cj != NULL);
	else
		c = strcmp(ci, cj);
	if (c != 0)
		return c;
	return (i > j) - (i < j);
}

/* How many '/'-separated labels a and b share from the start. */
static size_t
common_labels(const char *a, const char *b)
{
	size_t	 n = 0, i;

	if (a == NULL || b == NULL)
		return 0;
	for (i = 0;; i++) {
		if ((a[i] == '/' || a[i] == '\0') &&
		    (b[i] == '/' || b[i] == '\0')) {
			n++;
			if (a[i] == '\0' || b[i] == '\0')
				return n;
		} else if (a[i] != b[i] || a[i] == '\0')
			return n;
	}
}

static size_t
count_labels(const char *c)
{
	size_t	 n = 1;

	if (c == NULL)
		return 0;
	for (; *c != '\0'; c++)
		n += *c == '/';
	return n;
}

static int
indent(struct buf *b, size_t depth)
{
	size_t	 i;

	for (i = 0; i < depth + 2; i++)
		if (buf_addstr(b, "  ") != BUF_OK)
			return -1;
	return 0;
}

/* Open the outlines of c's labels after the first skip of them. */
static int
open_labels(struct buf *b, const char *c, size_t skip)
{
	size_t	 i = 0, len;

	for (; *c != '\0'; c += len + (c[len] == '/'), i++) {
		len = strcspn(c, "/");
		if (i < skip)
			continue;
		if (indent(b, i) == -1 || buf_addstr(b, "<outline text=\"") ||
		    buf_add_html(b, c, len) || buf_addstr(b, "\">\n"))
			return -1;
	}
	return 0;
}

static int
write_feed(struct buf *b, const struct config_feed *f, size_t depth)
{
	if (indent(b, depth) == -1 ||
	    buf_addstr(b, "<outline type=\"rss\" text=\"") ||
	    buf_add_html(b, f->name, strlen(f->name)) ||
	    buf_addstr(b, "\" title=\"") ||
	    buf_add_html(b, f->name, strlen(f->name)) ||
	    buf_addstr(b, "\" xmlUrl=\"") ||
	    buf_add_html(b, f->url, strlen(f->url)) ||
	    buf_addstr(b, "\"/>\n"))
		return -1;
	return 0;
}

static int
write_body(struct buf *b, const struct config *conf, const size_t *order)
{
	const char	*open = NULL, *c;
	size_t		 i, keep, nopen = 0;

	for (i = 0; i < conf->nfeeds; i++) {
		c = conf->feeds[order[i]].category;
		keep = common_labels(open, c);
		for (; nopen > keep; nopen--)
			if (indent(b, nopen - 1) == -1 ||
			    buf_addstr(b, "</outline>\n"))
				return -1;
		if (c != NULL && open_labels(b, c, keep) == -1)
			return -1;
		open = c;
		nopen = count_labels(c);
		if (write_feed(b, &conf->feeds[order[i]], nopen) == -1)
			return -1;
	}
	for (; nopen > 0; nopen--)
		if (indent(b, nopen - 1) == -1 || buf_addstr(b, "</outline>\n"))
			return -1;
	return 0;
}

char *
opml_write(const struct config *conf)
{
	struct buf	 b;
	size_t		*order, i;
	char		*s = NULL;

	if ((order = calloc(conf->nfeeds + 1, sizeof(*order))) == NULL)
		return NULL;
	for (i = 0; i < conf->nfeeds; i++)
		order[i] = i;
	sort_feeds = conf->feeds;
	qsort(order, conf->nfeeds, sizeof(*order), cmp_feed);
	buf_init(&b, OPML_MAX_OUTPUT);
	/* No date in the head: the same feeds make the same document. */
	if (buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n  <head>\n"
	    "    <title>feedspool feeds</title>\n  </head>\n  <body>\n") ||
	    write_body(&b, conf, order) == -1 ||
	    buf_addstr(&b, "  </body>\n</opml>\n"))
		goto out;
	s = buf_steal(&b);
out:
	buf_free(&b);
	free(order);
	return s;
}
