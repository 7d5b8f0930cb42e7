/*
 * story: the JSON document the spool holds for one item.
 * Its layout is documented in README.md ("Story files"); bump STORY_SCHEMA
 * when a field changes meaning or goes away.
 */
#ifndef FEEDSPOOL_STORY_H
#define FEEDSPOOL_STORY_H

#include <stdint.h>

#include "parsers/feed.h"

#define STORY_SCHEMA	1
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

/* The story as a malloc'd JSON text, or NULL when out of memory. */
char	*story_json(const char *id, const struct story_feed *,
	    const struct feed_item *, int64_t fetched);

/* 64-bit FNV-1a, for keys that need to be short and stable. */
uint64_t story_hash(const void *, size_t, uint64_t seed);

#endif
