/*
 * test_nextpoll: the next-poll computation on a table of cases (what we,
 * the feed and the server ask, failures in a row, the caps, the skipped
 * hours), the jitter's bounds, and the cadence learned from item dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/nextpoll.h"

#define H	3600
#define DAY	86400
/* 2024-01-01T00:00:00Z, a Monday */
#define MON	INT64_C(1704067200)

struct npcase {
	const char		*what;
	struct nextpoll_feed	 f;
	struct nextpoll_answer	 a;
	int64_t			 now_s;
	int64_t			 want_s;	/* delay, or -1 */
	enum nextpoll_why	 why;
};

/* interval, max_interval, adaptive, follow, cadence, asked, skips */
#define FEED(i, m, ad, fo, c, as, sh, sd) { i, m, ad, fo, c, as, sh, sd }
/* ok, status, failures, retry_after, fresh, last_gap_ms */
#define ANS(ok, st, fl, ra, fr, gap) { ok, st, fl, ra, fr, gap }

static const struct npcase cases[] = {
	{ "plain interval", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "304 is a good answer", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 304, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "slow cadence stretches", FEED(1800, DAY, 1, 1, 6 * H, 0, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 6 * H, NEXTPOLL_CADENCE },
	{ "adaptive = no", FEED(1800, DAY, 0, 1, 6 * H, 0, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "busy cadence never below interval",
	    FEED(1800, DAY, 1, 1, 60, 0, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "cadence capped", FEED(1800, DAY, 1, 1, 9 * DAY, 0, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, DAY, NEXTPOLL_MAX },
	{ "ttl", FEED(1800, DAY, 1, 1, 0, 2 * H, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 2 * H, NEXTPOLL_ASKED },
	{ "ttl ignored", FEED(1800, DAY, 1, 0, 0, 2 * H, 0, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "max-age beyond interval", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 200, 0, -1, 3 * H, 0), MON, 3 * H, NEXTPOLL_CACHE },
	{ "max-age below interval", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 200, 0, -1, 60, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "max-age of a month", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 200, 0, -1, 30 * DAY, 0), MON, DAY, NEXTPOLL_MAX },
	{ "the longest ask wins", FEED(1800, DAY, 1, 1, 3 * H, 2 * H, 0, 0),
	    ANS(1, 200, 0, -1, 4 * H, 0), MON, 4 * H, NEXTPOLL_CACHE },
	{ "first failure", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 500, 1, -1, -1, 0), MON, 1800, NEXTPOLL_BACKOFF },
	{ "third failure", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 0, 3, -1, -1, 0), MON, 7200, NEXTPOLL_BACKOFF },
	{ "backoff capped", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 500, 40, -1, -1, 0), MON, DAY, NEXTPOLL_MAX },
	{ "max_interval below interval", FEED(2 * DAY, H, 1, 1, 0, 0, 0, 0),
	    ANS(0, 500, 5, -1, -1, 0), MON, 2 * DAY, NEXTPOLL_MAX },
	{ "failure ignores cadence", FEED(1800, DAY, 1, 1, 6 * H, 0, 0, 0),
	    ANS(0, 500, 1, -1, -1, 0), MON, 1800, NEXTPOLL_BACKOFF },
	{ "Retry-After", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 429, 1, 600, -1, 0), MON, 1800, NEXTPOLL_BACKOFF },
	{ "long Retry-After", FEED(60, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 503, 1, 600, -1, 0), MON, 600, NEXTPOLL_RETRY_AFTER },
	{ "Retry-After beyond max", FEED(60, H, 1, 1, 0, 0, 0, 0),
	    ANS(0, 503, 1, DAY, -1, 0), MON, H, NEXTPOLL_MAX },
	{ "429 alone: twice the gap", FEED(60, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 429, 1, -1, -1, 600000), MON, 1200, NEXTPOLL_RATE_LIMITED },
	{ "503 alone, gap unknown", FEED(60, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 503, 1, -1, -1, 0), MON, 120, NEXTPOLL_RATE_LIMITED },
	{ "429 after backoff", FEED(60, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 429, 5, -1, -1, 60000), MON, 960, NEXTPOLL_BACKOFF },
	{ "Retry-After on a 200", FEED(60, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(1, 200, 0, 900, -1, 0), MON, 900, NEXTPOLL_RETRY_AFTER },
	{ "gone", FEED(1800, DAY, 1, 1, 0, 0, 0, 0),
	    ANS(0, 410, 1, -1, -1, 0), MON, -1, NEXTPOLL_GONE },
	/* Monday 00:00 + 30 min lands at 00:30, skipped: to 01:00 (0-based
	   hour 0 skipped), then hour 1 skipped too: 02:00. */
	{ "skipped hours", FEED(1800, DAY, 1, 1, 0, 0, 0x3, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 2 * H, NEXTPOLL_SKIP },
	{ "skipped Monday", FEED(1800, DAY, 1, 1, 0, 0, 0, 1U << 1),
	    ANS(1, 200, 0, -1, -1, 0), MON, DAY, NEXTPOLL_SKIP },
	{ "skips every hour: none", FEED(1800, DAY, 1, 1, 0, 0, 0xffffff, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "skips ignored", FEED(1800, DAY, 1, 0, 0, 0, 0x3, 0),
	    ANS(1, 200, 0, -1, -1, 0), MON, 1800, NEXTPOLL_INTERVAL },
	{ "a failure is retried in skipped hours",
	    FEED(1800, DAY, 1, 1, 0, 0, 0x3, 0),
	    ANS(0, 500, 1, -1, -1, 0), MON, 1800, NEXTPOLL_BACKOFF },
};

static void
test_table(void **state)
{
	const struct npcase	*c;
	enum nextpoll_why	 why;
	int64_t			 got, now;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		now = c->now_s * 1000;
		got = nextpoll(&c->f, &c->a, now, 0, &why);
		if (c->want_s < 0) {
			if (got != -1)
				fail_msg("%s: %lld, want never", c->what,
				    (long long)got);
		} else if (got != now + c->want_s * 1000)
			fail_msg("%s: in %lld s, want %lld s", c->what,
			    (long long)(got - now) / 1000,
			    (long long)c->want_s);
		if (why != c->why)
			fail_msg("%s: because %s, want %s", c->what,
			    nextpoll_why_name(why), nextpoll_why_name(c->why));
	}
}

/* Jitter only ever delays, by at most 5%, and never past the cap. */
static void
test_jitter(void **state)
{
	struct nextpoll_feed	 f = FEED(1000, DAY, 1, 1, 0, 0, 0, 0);
	struct nextpoll_answer	 a = ANS(1, 200, 0, -1, -1, 0);
	enum nextpoll_why	 why;
	int64_t			 got, now = MON * 1000;
	uint64_t		 j;

	(void)state;
	for (j = 0; j < 200000; j += 997) {
		got = nextpoll(&f, &a, now, j * UINT64_C(2654435761), &why) -
		    now;
		assert_true(got >= 1000000 && got <= 1050000);
	}
	f.interval = DAY;
	got = nextpoll(&f, &a, now, UINT64_MAX, &why) - now;
	assert_true(got == (int64_t)DAY * 1000);
}

static void
test_why_names(void **state)
{
	enum nextpoll_why	 w, back;

	(void)state;
	for (w = NEXTPOLL_INTERVAL; w <= NEXTPOLL_GONE; w++) {
		assert_int_equal(nextpoll_why_parse(nextpoll_why_name(w),
		    &back), 0);
		assert_int_equal(back, w);
	}
	assert_int_equal(nextpoll_why_parse("soon", &back), -1);
}

static void
test_cadence(void **state)
{
	int64_t	 now = MON, daily[10], busy[6], same[5], few[2];
	int	 i;

	(void)state;
	for (i = 0; i < 10; i++)
		daily[i] = now - i * DAY;
	/* a gap of a day: asked every 12 hours */
	assert_true(nextpoll_cadence(daily, 10, now) == DAY / 2);
	/* hourly items, one of them twice, out of order, and a future one */
	busy[0] = now - 3 * H;
	busy[1] = now - H;
	busy[2] = now - 2 * H;
	busy[3] = now - H;
	busy[4] = now + DAY;
	busy[5] = now;
	assert_true(nextpoll_cadence(busy, 6, now) == H / 2);
	/* every item of one date, or too few dates: nothing learned */
	for (i = 0; i < 5; i++)
		same[i] = now - DAY;
	assert_true(nextpoll_cadence(same, 5, now) == 0);
	few[0] = now - DAY;
	few[1] = now;
	assert_true(nextpoll_cadence(few, 2, now) == 0);
	/* older than four weeks does not count */
	for (i = 0; i < 10; i++)
		daily[i] = now - 60 * DAY - i * DAY;
	assert_true(nextpoll_cadence(daily, 10, now) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_why_names),
		cmocka_unit_test(test_cadence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
