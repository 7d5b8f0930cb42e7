/*
 * nextpoll: the delay after a poll is the longest of what each party asks
 * (us, the feed, the server), cut to max_interval; failures back off; the
 * feed's skipped hours come last.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/nextpoll.h"

#define NEXTPOLL_BACKOFF_SHIFT	6	/* at most 64 intervals */
#define NEXTPOLL_CADENCE_DAYS	28
#define NEXTPOLL_CADENCE_MIN	3	/* dates, for two gaps */

static const char *const why_names[] = {
	[NEXTPOLL_INTERVAL] = "interval",
	[NEXTPOLL_CADENCE] = "cadence",
	[NEXTPOLL_ASKED] = "feed's ttl",
	[NEXTPOLL_SKIP] = "feed's skip hours",
	[NEXTPOLL_CACHE] = "cache lifetime",
	[NEXTPOLL_BACKOFF] = "backoff",
	[NEXTPOLL_RETRY_AFTER] = "retry-after",
	[NEXTPOLL_RATE_LIMITED] = "rate-limited",
	[NEXTPOLL_MAX] = "max_interval",
	[NEXTPOLL_GONE] = "gone",
};

const char *
nextpoll_why_name(enum nextpoll_why why)
{
	if ((unsigned)why >= sizeof(why_names) / sizeof(why_names[0]))
		return "interval";
	return why_names[why];
}

int
nextpoll_why_parse(const char *s, enum nextpoll_why *out)
{
	unsigned	 i;

	for (i = 0; s != NULL && i < sizeof(why_names) / sizeof(why_names[0]);
	    i++)
		if (strcmp(s, why_names[i]) == 0) {
			*out = (enum nextpoll_why)i;
			return 0;
		}
	return -1;
}

/* d grows to at least want_ms, and then it is want who decided. */
static void
at_least(int64_t *d, int64_t want_ms, enum nextpoll_why *why,
    enum nextpoll_why because)
{
	if (want_ms > *d) {
		*d = want_ms;
		*why = because;
	}
}

static int
skipped(const struct nextpoll_feed *f, int64_t t_ms)
{
	int64_t	 t = t_ms / 1000, hour, day;

	if (t < 0)
		return 0;
	hour = (t / 3600) % 24;
	day = (t / 86400 + 4) % 7;	/* 1 January 1970 was a Thursday */
	/* A feed that skips every hour or every day asks for nothing. */
	if ((f->skip_hours & 0xffffffU) != 0xffffffU &&
	    ((f->skip_hours >> hour) & 1U))
		return 1;
	return f->skip_days != 0x7f && ((f->skip_days >> day) & 1U);
}

/* Our own delays spread by up to 5% later; what others ask is exact. */
static int64_t
spread(int64_t d, uint64_t jitter)
{
	return d + (int64_t)(jitter % (uint64_t)(d / 20 + 1));
}

/* The delay a failed poll asks for. */
static int64_t
failed_delay(const struct nextpoll_feed *f, const struct nextpoll_answer *a,
    uint64_t jitter, enum nextpoll_why *why)
{
	int64_t		 d = (int64_t)f->interval * 1000, gap;
	unsigned	 shift;

	*why = NEXTPOLL_BACKOFF;
	shift = a->failures > 1 ? a->failures - 1 : 0;
	if (shift > NEXTPOLL_BACKOFF_SHIFT)
		shift = NEXTPOLL_BACKOFF_SHIFT;
	d = spread(d << shift, jitter);
	if (a->retry_after_s >= 0)
		at_least(&d, a->retry_after_s * 1000, why,
		    NEXTPOLL_RETRY_AFTER);
	else if (a->status == 429 || a->status == 503) {
		/* Told to slow down, not how much: twice the gap at least. */
		gap = a->last_gap_ms > 0 ? a->last_gap_ms :
		    (int64_t)f->interval * 1000;
		at_least(&d, 2 * gap, why, NEXTPOLL_RATE_LIMITED);
	}
	return d;
}

/* The delay a good answer asks for. */
static int64_t
good_delay(const struct nextpoll_feed *f, const struct nextpoll_answer *a,
    uint64_t jitter, enum nextpoll_why *why)
{
	int64_t	 d = (int64_t)f->interval * 1000;

	*why = NEXTPOLL_INTERVAL;
	if (f->adaptive && f->cadence_s > 0)
		at_least(&d, f->cadence_s * 1000, why, NEXTPOLL_CADENCE);
	d = spread(d, jitter);
	if (f->follow_schedule && f->asked_s > 0)
		at_least(&d, f->asked_s * 1000, why, NEXTPOLL_ASKED);
	if (a->fresh_s > 0)
		at_least(&d, a->fresh_s * 1000, why, NEXTPOLL_CACHE);
	if (a->retry_after_s >= 0)
		at_least(&d, a->retry_after_s * 1000, why,
		    NEXTPOLL_RETRY_AFTER);
	return d;
}

int64_t
nextpoll(const struct nextpoll_feed *f, const struct nextpoll_answer *a,
    int64_t now_ms, uint64_t jitter, enum nextpoll_why *why)
{
	int64_t		 d, cap, next;
	unsigned	 hours;

	if (a->status == 410) {
		*why = NEXTPOLL_GONE;
		return -1;
	}
	/* Up to 5% later, so feeds that started together drift apart. */
	d = a->ok ? good_delay(f, a, jitter, why) :
	    failed_delay(f, a, jitter, why);
	cap = (int64_t)(f->max_interval > f->interval ? f->max_interval :
	    f->interval) * 1000;
	if (d > cap) {
		d = cap;
		*why = NEXTPOLL_MAX;
	}
	next = now_ms + d;
	if (!a->ok || !f->follow_schedule)
		return next;
	/* To the start of the next hour not skipped: a week covers all. */
	for (hours = 0; hours < 7 * 24 && skipped(f, next); hours++) {
		next = (next / 3600000 + 1) * 3600000;
		*why = NEXTPOLL_SKIP;
	}
	return next;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t
nextpoll_cadence(const int64_t *dates, unsigned n, int64_t now_s)
{
	int64_t		*v, since = now_s - NEXTPOLL_CADENCE_DAYS * 86400, c;
	unsigned	 i, m = 0, k = 0;

	if (n < NEXTPOLL_CADENCE_MIN ||
	    (v = calloc(n, sizeof(*v))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (dates[i] > 0 && dates[i] >= since && dates[i] <= now_s)
			v[m++] = dates[i];
	qsort(v, m, sizeof(*v), cmp_int64);
	/* Gaps between distinct dates, in place: v[k] = v[i+1] - v[i]. */
	for (i = 0; i + 1 < m; i++)
		if (v[i + 1] > v[i])
			v[k++] = v[i + 1] - v[i];
	c = 0;
	if (k + 1 >= NEXTPOLL_CADENCE_MIN) {
		qsort(v, k, sizeof(*v), cmp_int64);
		c = (k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2) / 2;
	}
	free(v);
	return c;
}
