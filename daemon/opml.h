/*
 * opml: feed lists in OPML 2.0 (`feedspool import-opml`, `export-opml`).
 *
 * An outline with an xmlUrl is a feed; the outlines around it without one
 * are its category, their labels joined with '/' ("News/Europe"), kept as
 * the feed's `category` key.  Callers never see libxml2.
 */
#ifndef FEEDSPOOL_OPML_H
#define FEEDSPOOL_OPML_H

#include <stddef.h>

struct config;

struct opml_feed {
	char	*title;		/* text, else title; NULL when neither */
	char	*url;		/* xmlUrl, as written */
	char	*category;	/* "a/b", NULL when at the top */
};

/* OPML documents are small: a larger one is refused. */
#define OPML_MAX_INPUT	(16UL * 1024 * 1024)
/* Categories nest at most this deep; deeper outlines are ignored. */
#define OPML_DEPTH_MAX	16

/*
 * The feeds of data[0..len), in document order.  Returns 0 and sets *out
 * and *n (the array is malloc'd), or -1 with a reason in err.
 */
int	 opml_read(const char *data, size_t len, struct opml_feed **out,
	    size_t *n, char *err, size_t errlen);
void	 opml_feeds_free(struct opml_feed *, size_t n);

/*
 * The configuration's feeds as an OPML 2.0 document, nested by category,
 * the feeds in their configured order within each: a malloc'd string, or
 * NULL when out of memory.
 */
char	*opml_write(const struct config *);

#endif
