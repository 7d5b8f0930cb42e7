/*
 * story: the JSON document the spool holds for one item.
 * Its layout is documented in README.md ("Story files"); bump STORY_SCHEMA
 * when a field changes meaning or goes away.
 */
#ifndef FEEDSPOOL_STORY_H
#define FEEDSPOOL_STORY_H

#include <stdint.h>

#include "parsers/feed.h"

struct extract;

#define STORY_SCHEMA	2
/* Keys longer than this are replaced by their hash. */
#define STORY_KEY_MAX	1024

struct story_feed {
	const char	*name;		/* the config section */
	const char	*url;		/* as configured */
	const char	*title;		/* the feed's own title, or NULL */
	const char	*language;	/* the feed's language, or NULL */
};

/*
 * The state store's key of an item: its guid/id, else its link, else a
 * hash of title and date ("h:" and 16 hex digits).  malloc'd, or NULL when
 * out of memory.
 */
char	*story_key(const struct feed_item *);

/* What the boilerplate rules know about a story's site. */
struct story_hints {
	const char		*host;		/* of the item's link */
	const char *const	*tags;		/* title tags learned for host */
	size_t			 ntags;
	const char *const	*lines;		/* recurring lines of host */
	size_t			 nlines;
};

/*
 * The story as a malloc'd JSON text, from the feed alone (text_source
 * "feed"): title without its site tag, text cleaned and normalised.
 * NULL when out of memory.
 */
char	*story_json(const char *id, const struct story_feed *,
	    const struct feed_item *, int64_t fetched,
	    const struct story_hints *);

/* The same for a new revision of an item: revision and supersedes set. */
char	*story_json_revision(const char *id, const struct story_feed *,
	    const struct feed_item *, int64_t fetched,
	    const struct story_hints *, unsigned revision,
	    const char *supersedes);

/* A hash of the item's title and text as the feed gives them (never 0). */
uint64_t story_content_hash(const struct feed_item *);

/*
 * The story with what its web page gave: the page's text when it holds more
 * than the feed's (text_source "article"), and the page's metadata where the
 * feed had none.  *used is 1 when the page's text won.  Returns a new
 * malloc'd JSON text, or NULL.
 */
char	*story_add_page(const char *json, const struct extract *,
	    const struct story_hints *, int *used);

/* Words in a text: runs of characters holding a letter or a digit. */
size_t	 story_word_count(const char *);

/* 64-bit FNV-1a, for keys that need to be short and stable. */
uint64_t story_hash(const void *, size_t, uint64_t seed);

#endif
