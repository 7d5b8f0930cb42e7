/*
 * report: what `feedspool run --once` prints on stdout.  Each feed's poll
 * and what became of each of its stories (spooled, a duplicate) are
 * counted by feed name; at the end one line per feed and a total, as
 * text, or with --json one JSON object per line: one per story as its
 * fate is known, one per feed, then a summary (README "Command line").
 */
#ifndef FEEDSPOOL_REPORT_H
#define FEEDSPOOL_REPORT_H

#include <stddef.h>

#include "daemon/ingest.h"

struct fetch_result;
struct story;
struct report;

/* nfeeds sizes the table (more may come); NULL when out of memory. */
struct report	*report_new(size_t nfeeds, int json);
void		 report_free(struct report *);

/* A poll of feed ended: ok as poll.c judged it, err when not ok. */
void	 report_poll(struct report *, const char *feed,
	    const struct fetch_result *, int ok, const struct ingest_counts *,
	    const char *err);
/* What became of story s of feed at its delivery. */
void	 report_story(struct report *, const char *feed,
	    const struct story *s, enum ingest_fate);
/*
 * The line of one feed, in the order of the configuration: summary is
 * the text of its last poll, NULL when it was not polled.
 */
void	 report_feed(struct report *, const char *feed, const char *url,
	    const char *summary);
/* The total, after every feed's line; pending stories in the state. */
void	 report_end(struct report *, size_t pending);

#endif
