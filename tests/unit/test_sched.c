/*
 * Scheduler: due times, the global and per-host limits, spreading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/sched.h"
#include "parsers/date.h"
#include "parsers/feed.h"

static void
test_due_order_and_global_limit(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c;
	int			 da, db, dc;

	(void)unused;
	assert_non_null(s = sched_new(2, 4));
	assert_non_null(a = sched_add(s, "a.example", 3000, &da, 1));
	assert_non_null(b = sched_add(s, "b.example", 1000, &db, 1));
	assert_non_null(c = sched_add(s, "c.example", 2000, &dc, 1));
	/* Nothing is due before its time. */
	assert_null(sched_pop(s, 999));
	assert_int_equal(sched_wait(s, 0), 1000);
	/* The most overdue first, and no more than two at once. */
	assert_ptr_equal(sched_pop(s, 5000), b);
	assert_ptr_equal(sched_pop(s, 5000), c);
	assert_null(sched_pop(s, 5000));
	assert_int_equal(sched_running(s), 2);
	/* While the limit holds, nothing to wait for but a transfer. */
	assert_int_equal(sched_wait(s, 5000), -1);
	assert_int_equal(sched_done(s, b, 9000), 0);
	assert_ptr_equal(sched_pop(s, 5000), a);
	assert_int_equal(sched_due(b), 9000);
	sched_free(s);
}

static void
test_per_host_limit(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a1, *a2, *b;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 1));
	assert_non_null(a1 = sched_add(s, "news.example", 0, &x, 1));
	assert_non_null(a2 = sched_add(s, "news.example", 100000, &x, 1));
	assert_non_null(b = sched_add(s, "other.example", 0, &x, 1));
	sched_set_due(a2, 0);
	assert_ptr_equal(sched_pop(s, 1000), a1);
	/* a2 is due but its host is busy: b goes first. */
	assert_ptr_equal(sched_pop(s, 1000), b);
	assert_null(sched_pop(s, 1000));
	assert_true(sched_host_busy(s, "news.example"));
	assert_int_equal(sched_done(s, a1, 50000), 0);
	assert_false(sched_host_busy(s, "news.example"));
	assert_ptr_equal(sched_pop(s, 1000), a2);
	sched_free(s);
}

static void
test_same_host_spread(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c, *d, *e;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	assert_non_null(a = sched_add(s, "news.example", 10000, &x, 1));
	assert_non_null(b = sched_add(s, "news.example", 10000, &x, 1));
	assert_non_null(c = sched_add(s, "news.example", 10000, &x, 1));
	assert_non_null(d = sched_add(s, "other.example", 10000, &x, 1));
	/* Feeds of one host added together do not fire together... */
	assert_true(sched_due(b) >= sched_due(a) + 1000);
	assert_true(sched_due(c) >= sched_due(b) + 1000);
	/* ...and other hosts are not held back by them, nor are pages. */
	assert_int_equal(sched_due(d), 10000);
	assert_non_null(e = sched_add(s, "news.example", 10000, &x, 0));
	assert_int_equal(sched_due(e), 10000);
	sched_free(s);
}

static void
test_remove_running(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 1));
	assert_non_null(a = sched_add(s, "a.example", 0, &x, 1));
	assert_non_null(b = sched_add(s, "b.example", 0, &x, 1));
	assert_ptr_equal(sched_pop(s, 0), a);
	/* Removing a running entry defers its end to sched_done. */
	sched_remove(s, a);
	assert_int_equal(sched_running(s), 1);
	assert_int_equal(sched_done(s, a, 1000), 1);
	assert_int_equal(sched_running(s), 0);
	/* An idle entry goes at once. */
	sched_remove(s, b);
	assert_null(sched_pop(s, 100000));
	assert_int_equal(sched_wait(s, 0), -1);
	sched_free(s);
}

/* A publisher's ttl, sy: period and skipped hours and days are obeyed. */
static void
test_feed_schedule(void **unused)
{
	struct feed_schedule	 fs;
	int64_t			 sat, now;

	(void)unused;
	/* Saturday 2026-11-28 10:20 UTC */
	assert_int_equal(date_parse("2026-11-28T10:20:00Z", &sat), 0);
	now = sat * 1000;
	feed_schedule_clear(&fs);
	assert_int_equal(sched_feed_next(now, 60000, NULL), now + 60000);
	assert_int_equal(sched_feed_next(now, 60000, &fs), now + 60000);
	/* ttl 45 minutes beats a 30-minute interval, not a 2-hour one */
	fs.ttl = 45;
	assert_int_equal(sched_feed_next(now, 1800000, &fs), now + 2700000);
	assert_int_equal(sched_feed_next(now, 7200000, &fs), now + 7200000);
	/* a yearly feed is still polled once a day */
	fs.ttl = -1;
	fs.period = FEED_PERIOD_YEARLY;
	assert_int_equal(sched_feed_next(now, 1800000, &fs),
	    now + SCHED_OBEY_MAX_MS);
	/* skipped 11:00-12:59 UTC: 10:50 stays, 11:20 moves to 13:00 */
	feed_schedule_clear(&fs);
	fs.skip_hours = (1U << 11) | (1U << 12);
	assert_int_equal(sched_feed_next(now, 1800000, &fs), now + 1800000);
	assert_int_equal(sched_feed_next(now, 3600000, &fs),
	    (sat + 2 * 3600 + 40 * 60) * 1000);
	/* Saturday and Sunday skipped: Monday 00:00 */
	fs.skip_hours = 0;
	fs.skip_days = (1U << 0) | (1U << 6);
	assert_int_equal(sched_feed_next(now, 60000, &fs),
	    (sat + 86400 + 13 * 3600 + 40 * 60) * 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_order_and_global_limit),
		cmocka_unit_test(test_per_host_limit),
		cmocka_unit_test(test_same_host_spread),
		cmocka_unit_test(test_remove_running),
		cmocka_unit_test(test_feed_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
