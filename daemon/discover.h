/*
 * discover: where a web page says its feeds are (`feedspool add`).
 *
 * A page names its feeds with <link rel="alternate" type="..." href="...">
 * (RSS, Atom, JSON Feed); the links are resolved against its <base href>,
 * else its own URL.  Pages that name none often still serve one at a few
 * common paths of their site.
 */
#ifndef FEEDSPOOL_DISCOVER_H
#define FEEDSPOOL_DISCOVER_H

#include <stddef.h>

/* Candidate feed URLs, absolute http(s), each once, in the page's order. */
struct discover_list {
	char	**urls;
	size_t	  n;
};

/*
 * The feeds page[0..len) links to, page_url being where it came from.
 * Returns 0 (the list may be empty) or -1 when out of memory.
 */
int	 discover_links(const char *page, size_t len, const char *page_url,
	    struct discover_list *);

/* The common feed paths (/feed, /rss, ...) of page_url's site. */
int	 discover_fallbacks(const char *page_url, struct discover_list *);

/* Whether a fetched body is an HTML page rather than a feed. */
int	 discover_is_html(const char *body, size_t len,
	    const char *content_type);

void	 discover_list_free(struct discover_list *);

#endif
