/*
 * feed_jsonfeed: JSON Feed 1.0/1.1 into struct feed_doc (internal to
 * parsers/; feed_parse hands over documents that start with '{').
 */
#ifndef FEEDSPOOL_FEED_JSONFEED_H
#define FEEDSPOOL_FEED_JSONFEED_H

#include <stddef.h>

#include "parsers/feed.h"

int	 feed_jsonfeed_parse(const char *, size_t, const char *base,
	    struct feed_doc **, char *err, size_t errlen);

#endif
