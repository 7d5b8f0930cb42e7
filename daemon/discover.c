/*
 * discover: the feeds a web page links to, and the common paths to try
 * when it links to none.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "daemon/discover.h"
#include "parsers/url.h"

/* The media types of feeds, as pages announce them. */
static const char *const feed_types[] = {
	"application/rss+xml",
	"application/atom+xml",
	"application/feed+json",
	"application/json",
	"application/rdf+xml",
};

/* Where sites serve their feed, most common first. */
static const char *const common_paths[] = {
	"/feed", "/rss", "/feed.xml", "/atom.xml", "/index.xml", "/rss.xml",
};

/* Pages nest; the walk stops this deep rather than recurse without end. */
#define WALK_DEPTH_MAX	64

struct walk {
	struct discover_list	*out;
	const char		*page_url;
	char			*base;		/* from <base href>, or NULL */
	int			 oom;
};

void
discover_list_free(struct discover_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->urls[i]);
	free(l->urls);
	l->urls = NULL;
	l->n = 0;
}

/* Append an absolute http(s) url once; takes url. */
static int
list_add(struct discover_list *l, char *url)
{
	char	**nurls;
	size_t	  i;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		free(url);
		return 0;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->urls[i], url) == 0) {
			free(url);
			return 0;
		}
	if (l->n == SIZE_MAX / sizeof(*nurls) - 1 ||
	    (nurls = realloc(l->urls, (l->n + 1) * sizeof(*nurls))) == NULL) {
		free(url);
		return -1;
	}
	l->urls = nurls;
	l->urls[l->n++] = url;
	return 0;
}

/* Whether the space-separated token list has word, in any case. */
static int
has_token(const char *list, const char *word)
{
	size_t	 wlen = strlen(word), n;

	while (*list != '\0') {
		list += strspn(list, " \t\r\n\f");
		n = strcspn(list, " \t\r\n\f");
		if (n == wlen && strncasecmp(list, word, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

/* "application/rss+xml; charset=utf-8" is a feed type. */
static int
is_feed_type(const char *type)
{
	size_t	 i, n;

	type += strspn(type, " \t");
	n = strcspn(type, " \t;");
	for (i = 0; i < sizeof(feed_types) / sizeof(feed_types[0]); i++)
		if (strlen(feed_types[i]) == n &&
		    strncasecmp(type, feed_types[i], n) == 0)
			return 1;
	return 0;
}

static void
walk_link(struct walk *w, xmlNode *n)
{
	xmlChar	*rel, *type, *href;
	char	*url;

	rel = xmlGetProp(n, (const xmlChar *)"rel");
	type = xmlGetProp(n, (const xmlChar *)"type");
	href = xmlGetProp(n, (const xmlChar *)"href");
	if (rel != NULL && type != NULL && href != NULL &&
	    has_token((char *)rel, "alternate") &&
	    is_feed_type((char *)type)) {
		url = url_absolute((char *)href,
		    w->base != NULL ? w->base : w->page_url);
		if (url == NULL || list_add(w->out, url) == -1)
			w->oom = 1;
	}
	xmlFree(rel);
	xmlFree(type);
	xmlFree(href);
}

/* The first <base href> counts, as in browsers. */
static void
walk_base(struct walk *w, xmlNode *n)
{
	xmlChar	*href;

	if (w->base != NULL)
		return;
	if ((href = xmlGetProp(n, (const xmlChar *)"href")) == NULL)
		return;
	if ((w->base = url_absolute((char *)href, w->page_url)) == NULL)
		w->oom = 1;
	xmlFree(href);
}

static void
walk(struct walk *w, xmlNode *n, unsigned depth)
{
	for (; n != NULL && !w->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, (const xmlChar *)"base") == 0)
			walk_base(w, n);
		else if (xmlStrcasecmp(n->name, (const xmlChar *)"link") == 0)
			walk_link(w, n);
		/* <link> belongs in <head>, but pages put it anywhere. */
		if (depth < WALK_DEPTH_MAX)
			walk(w, n->children, depth + 1);
	}
}

int
discover_links(const char *page, size_t len, const char *page_url,
    struct discover_list *out)
{
	struct walk	 w;
	xmlDoc		*doc;

	out->urls = NULL;
	out->n = 0;
	if (len == 0 || len > INT_MAX)
		return 0;
	doc = htmlReadMemory(page, (int)len, page_url, NULL,
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER);
	if (doc == NULL)
		return 0;
	memset(&w, 0, sizeof(w));
	w.out = out;
	w.page_url = page_url;
	/* <base> must come before the links it applies to: one pass does. */
	walk(&w, xmlDocGetRootElement(doc), 0);
	free(w.base);
	xmlFreeDoc(doc);
	if (w.oom) {
		discover_list_free(out);
		return -1;
	}
	return 0;
}

int
discover_fallbacks(const char *page_url, struct discover_list *out)
{
	size_t	 i;
	char	*url;

	out->urls = NULL;
	out->n = 0;
	for (i = 0; i < sizeof(common_paths) / sizeof(common_paths[0]); i++)
		if ((url = url_absolute(common_paths[i], page_url)) == NULL ||
		    list_add(out, url) == -1) {
			discover_list_free(out);
			return -1;
		}
	return 0;
}

int
discover_is_html(const char *body, size_t len, const char *content_type)
{
	size_t	 i;

	if (content_type != NULL &&
	    (strncasecmp(content_type, "text/html", 9) == 0 ||
	    strncasecmp(content_type, "application/xhtml+xml", 21) == 0))
		return 1;
	/* Servers that say nothing, or text/plain: look at the start. */
	for (i = 0; i < len && i < 512; i++) {
		if (strchr(" \t\r\n", body[i]) != NULL)
			continue;
		return (len - i >= 14 &&
		    strncasecmp(body + i, "<!doctype html", 14) == 0) ||
		    (len - i >= 5 && strncasecmp(body + i, "<html", 5) == 0);
	}
	return 0;
}
