/*
 * nextpoll: when a feed is asked again, and why, from what decides it:
 * the configured interval and max_interval, the cadence learned from the
 * feed's items, what the feed asks (ttl, sy:, skipHours, skipDays), what
 * the server asks (Retry-After, Cache-Control max-age, Expires), and the
 * failures in a row.  A pure function, so that a table of cases tests it.
 */
#ifndef FEEDSPOOL_NEXTPOLL_H
#define FEEDSPOOL_NEXTPOLL_H

#include <stdint.h>

/* Why the next poll is when it is; stored with it for `status`. */
enum nextpoll_why {
	NEXTPOLL_INTERVAL,	/* the configured interval */
	NEXTPOLL_CADENCE,	/* the feed's own pace, learned */
	NEXTPOLL_ASKED,		/* the feed's ttl or sy:update* */
	NEXTPOLL_SKIP,		/* the feed's skipHours / skipDays */
	NEXTPOLL_CACHE,		/* Cache-Control max-age or Expires */
	NEXTPOLL_BACKOFF,	/* failures in a row */
	NEXTPOLL_RETRY_AFTER,	/* the server's Retry-After */
	NEXTPOLL_RATE_LIMITED,	/* 429 or 503 without Retry-After */
	NEXTPOLL_MAX,		/* cut to max_interval */
	NEXTPOLL_GONE		/* 410: never again, unless resumed */
};

/* The feed's side: configuration and what was learned of it. */
struct nextpoll_feed {
	unsigned	 interval;	/* seconds */
	unsigned	 max_interval;	/* seconds, at least interval */
	int		 adaptive;	/* use cadence_s */
	int		 follow_schedule; /* obey asked_s and the skips */
	int64_t		 cadence_s;	/* learned pace, 0 unknown */
	int64_t		 asked_s;	/* ttl / sy:, 0 none */
	uint32_t	 skip_hours;	/* bit h: hour h UTC */
	uint8_t		 skip_days;	/* bit d: day d, 0 = Sunday */
};

/* The answer's side. */
struct nextpoll_answer {
	int		 ok;		/* 2xx or 304 */
	long		 status;	/* 0 when no answer */
	unsigned	 failures;	/* in a row, this one included */
	int64_t		 retry_after_s;	/* -1 none */
	int64_t		 fresh_s;	/* max-age / Expires lifetime, -1 */
	int64_t		 last_gap_ms;	/* since the poll before, 0 unknown */
};

/*
 * The unix milliseconds of the next poll after one at now_ms, or -1 for
 * a feed that is gone (410); *why says what decided.  jitter (any value)
 * spreads our own delays (interval, cadence, backoff) by up to 5%, later
 * only; what the feed or the server asks is kept exactly.
 */
int64_t		 nextpoll(const struct nextpoll_feed *,
		    const struct nextpoll_answer *, int64_t now_ms,
		    uint64_t jitter, enum nextpoll_why *why);
/* "interval", "cadence", "retry-after"...: for the log and status. */
const char	*nextpoll_why_name(enum nextpoll_why);
int		 nextpoll_why_parse(const char *, enum nextpoll_why *);

/*
 * The cadence of a feed from the dates of its items (unix seconds, any
 * order, 0 or negative for none): half the median gap between distinct
 * dates not after now, over the last 28 days; 0 when fewer than three
 * dates say it.
 */
int64_t		 nextpoll_cadence(const int64_t *dates, unsigned n,
		    int64_t now_s);

#endif
