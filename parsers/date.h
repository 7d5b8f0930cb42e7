/*
 * date: read the date formats feeds use, write RFC 3339.
 * No locale, no strptime: RFC 822/1123/2822 and their real-world variants,
 * RFC 3339 / ISO 8601 / W3C-DTF, asctime, RFC 850, localised month and day
 * names, numeric dates, Unix seconds.  Everything converts to UTC.
 */
#ifndef FEEDSPOOL_DATE_H
#define FEEDSPOOL_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *t (seconds since the epoch, UTC), or -1. */
int	 date_parse(const char *s, int64_t *t);

/* "2004-01-01T19:48:21Z" into buf (at least DATE_RFC3339_LEN bytes). */
#define DATE_RFC3339_LEN	32
int	 date_format(int64_t t, char *buf, size_t len);

#endif
