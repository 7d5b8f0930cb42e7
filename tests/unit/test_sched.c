/*
 * Scheduler: due times, the global and per-host limits, spreading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Idle entries taken out of the middle of their host's queue. */
static void
test_remove_middle(void **unused)
{
	struct sched		*s;
	struct sched_entry	*e[9], *p;
	int			 x, i;

	(void)unused;
	assert_non_null(s = sched_new(1, 1));
	/* Due 0, 400, 800, 300, 700, 200, 600, 100, 500. */
	for (i = 0; i < 9; i++)
		assert_non_null(e[i] = sched_add(s, "news.example",
		    (int64_t)(i * 4 % 9) * 100, &x, 0));
	sched_remove(s, e[4]);		/* due 700 */
	sched_remove(s, e[1]);		/* due 400 */
	sched_remove(s, e[8]);		/* due 500, the last added */
	for (i = 0; i < 9; i++) {
		if (i == 4 || i == 5 || i == 7)
			continue;
		assert_non_null(p = sched_pop(s, 10000));
		assert_int_equal(sched_due(p), (int64_t)i * 100);
		assert_int_equal(sched_done(s, p, 0), 0);
		sched_remove(s, p);
	}
	assert_null(sched_pop(s, 10000));
	assert_int_equal(sched_wait(s, 0), -1);
	sched_free(s);
}

/* Moving an entry earlier and later reorders it, on its host and across. */
static void
test_set_due_both_ways(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c, *d;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 8));
	assert_non_null(a = sched_add(s, "a.example", 1000, &x, 0));
	assert_non_null(b = sched_add(s, "a.example", 2000, &x, 0));
	assert_non_null(c = sched_add(s, "a.example", 3000, &x, 0));
	assert_non_null(d = sched_add(s, "d.example", 2500, &x, 0));
	assert_int_equal(sched_wait(s, 0), 1000);
	sched_set_due(c, 500);		/* earlier: first of all */
	assert_int_equal(sched_wait(s, 0), 500);
	sched_set_due(a, 9000);		/* the host's first, later: last */
	assert_int_equal(sched_wait(s, 0), 500);
	sched_set_due(c, 2000);		/* ties with b, added before it */
	assert_int_equal(sched_wait(s, 0), 2000);
	assert_ptr_equal(sched_pop(s, 10000), b);
	assert_ptr_equal(sched_pop(s, 10000), c);
	assert_ptr_equal(sched_pop(s, 10000), d);
	assert_ptr_equal(sched_pop(s, 10000), a);
	assert_null(sched_pop(s, 10000));
	/* A running entry may be moved too: sched_done sets it again. */
	sched_set_due(b, 1);
	assert_int_equal(sched_done(s, b, 7000), 0);
	assert_int_equal(sched_due(b), 7000);
	sched_free(s);
}

/* With per_host 1 and many hosts, one entry of each host runs. */
static void
test_per_host_many_hosts(void **unused)
{
	struct sched		*s;
	struct sched_entry	*e, *run[200];
	char			 host[32];
	int			 i, nrun = 0;
	int			 seen[200];

	(void)unused;
	assert_non_null(s = sched_new(1000, 1));
	for (i = 0; i < 1000; i++) {
		snprintf(host, sizeof(host), "h%d.example", i % 200);
		assert_non_null(sched_add(s, host, 1000 - i, &seen[i % 200],
		    0));
	}
	memset(seen, 0, sizeof(seen));
	while ((e = sched_pop(s, 5000)) != NULL) {
		int	*h = sched_data(e);

		assert_int_equal(*h, 0);	/* one per host */
		*h = 1;
		assert_true(nrun < 200);
		run[nrun++] = e;
	}
	assert_int_equal(nrun, 200);
	assert_int_equal(sched_running(s), 200);
	/* Every host is busy: nothing to wait for but a transfer. */
	assert_int_equal(sched_wait(s, 5000), -1);
	assert_true(sched_host_busy(s, "h17.example"));
	assert_false(sched_host_busy(s, "nowhere.example"));
	/* The most overdue went first: each host's last added entry. */
	for (i = 0; i < nrun; i++)
		assert_true(sched_due(run[i]) <= 1000 - 800);
	assert_int_equal(sched_done(s, run[5], 100000), 0);
	assert_non_null(e = sched_pop(s, 5000));
	assert_ptr_equal(sched_data(e), sched_data(run[5]));
	assert_null(sched_pop(s, 5000));
	sched_free(s);
}

/* A reload lowers and raises the limits while transfers run. */
static void
test_limits_lowered_running(void **unused)
{
	struct sched		*s;
	struct sched_entry	*e[6];
	int			 x, i;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	for (i = 0; i < 6; i++)
		assert_non_null(sched_add(s, i < 4 ? "a.example" : "b.example",
		    i, &x, 0));
	for (i = 0; i < 5; i++)
		assert_non_null(e[i] = sched_pop(s, 100));
	assert_int_equal(sched_running(s), 5);	/* 4 of a, 1 of b */
	sched_limits(s, 2, 1);
	/* Over both limits now: nothing starts, nothing to wait for. */
	assert_null(sched_pop(s, 100));
	assert_int_equal(sched_wait(s, 100), -1);
	assert_true(sched_host_busy(s, "a.example"));
	assert_true(sched_host_busy(s, "b.example"));
	for (i = 0; i < 4; i++)
		assert_int_equal(sched_done(s, e[i], 1000 + i), 0);
	/* One of b runs: b is still busy, a is free with its four. */
	assert_int_equal(sched_running(s), 1);
	assert_false(sched_host_busy(s, "a.example"));
	assert_int_equal(sched_wait(s, 100), 900);
	assert_non_null(e[5] = sched_pop(s, 2000));
	assert_int_equal(sched_due(e[5]), 1000);
	assert_null(sched_pop(s, 2000));	/* both limits again */
	/* Raised: a's others and b's second may start. */
	sched_limits(s, 8, 4);
	for (i = 0; i < 4; i++)
		assert_non_null(sched_pop(s, 2000));
	assert_null(sched_pop(s, 2000));
	assert_int_equal(sched_running(s), 6);
	sched_free(s);
}

/* A running feed removed no longer holds its host's feeds apart. */
static void
test_remove_running_spread(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	assert_non_null(a = sched_add(s, "news.example", 10000, &x, 1));
	assert_ptr_equal(sched_pop(s, 10000), a);
	/* Running, a still counts for spreading. */
	assert_non_null(b = sched_add(s, "news.example", 10000, &x, 1));
	assert_int_equal(sched_due(b), 12000);
	sched_remove(s, a);
	assert_int_equal(sched_running(s), 1);
	assert_non_null(c = sched_add(s, "news.example", 9000, &x, 1));
	assert_int_equal(sched_due(c), 9000);
	assert_int_equal(sched_done(s, a, 50000), 1);
	assert_int_equal(sched_running(s), 0);
	assert_ptr_equal(sched_pop(s, 20000), c);
	assert_ptr_equal(sched_pop(s, 20000), b);
	sched_free(s);
}

/*
 * The old, linear definition of a free slot: moved past every spread
 * feed of the host it is closer to than 2000 ms, until none is.
 */
static int64_t
model_free_slot(const int64_t *dues, size_t n, int64_t due)
{
	size_t	 i;
	int	 moved;

	do {
		moved = 0;
		for (i = 0; i < n; i++)
			if (due > dues[i] - 2000 && due < dues[i] + 2000) {
				due = dues[i] + 2000;
				moved = 1;
			}
	} while (moved);
	return due;
}

/* Slots are found across runs of packed feeds, holes and duplicates. */
static void
test_spread_packed_run(void **unused)
{
	struct sched		*s;
	struct sched_entry	*e;
	int64_t			 dues[600];
	uint64_t		 r = 7;
	size_t			 n = 0;
	int			 x, i;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	/* A hole of exactly two spreads takes one. */
	assert_non_null(e = sched_add(s, "edge.example", 0, &x, 1));
	assert_non_null(e = sched_add(s, "edge.example", 4000, &x, 1));
	assert_non_null(e = sched_add(s, "edge.example", 1000, &x, 1));
	assert_int_equal(sched_due(e), 2000);
	assert_non_null(e = sched_add(s, "edge.example", -1999, &x, 1));
	assert_int_equal(sched_due(e), 6000);
	assert_non_null(e = sched_add(s, "edge.example", -2000, &x, 1));
	assert_int_equal(sched_due(e), -2000);
	for (i = 0; i < 600; i++) {
		int64_t	 want, got;

		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		/* Mostly at 0 (a run grows), some anywhere in it. */
		want = (r >> 33) % 4 == 0 ? (int64_t)((r >> 20) % 1200000) -
		    5000 : 0;
		assert_non_null(e = sched_add(s, "news.example", want, &x, 1));
		got = sched_due(e);
		assert_int_equal(got, model_free_slot(dues, n, want));
		dues[n++] = got;
		/* Now and then one moves (a poll ended): its slot frees. */
		if ((r >> 40) % 7 == 0) {
			sched_set_due(e, (int64_t)((r >> 13) % 3000000));
			dues[n - 1] = sched_due(e);
		}
	}
	sched_free(s);
}

/* With a gap, starts to one host are that far apart; other hosts go on. */
static void
test_host_gap(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a1, *a2, *a3, *b;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	sched_host_gap(s, 1000);
	assert_non_null(a1 = sched_add(s, "news.example", 0, &x, 0));
	assert_non_null(a2 = sched_add(s, "news.example", 0, &x, 0));
	assert_non_null(a3 = sched_add(s, "news.example", 0, &x, 1));
	assert_ptr_equal(sched_pop(s, 100), a1);
	/* per_host 4 allows more at once; the gap does not. */
	assert_null(sched_pop(s, 100));
	assert_int_equal(sched_wait(s, 100), 1000);
	assert_non_null(b = sched_add(s, "other.example", 0, &x, 0));
	assert_ptr_equal(sched_pop(s, 100), b);
	assert_null(sched_pop(s, 1099));
	assert_ptr_equal(sched_pop(s, 1100), a2);
	/* Feeds and pages share it; a finished transfer does not end it. */
	assert_int_equal(sched_done(s, a1, 50000), 0);
	assert_int_equal(sched_done(s, a2, 50000), 0);
	assert_null(sched_pop(s, 2099));
	assert_int_equal(sched_wait(s, 2099), 1);
	assert_ptr_equal(sched_pop(s, 2100), a3);
	/* Off again: the gate already set holds, the next start does not. */
	sched_host_gap(s, 0);
	assert_int_equal(sched_done(s, a3, 0), 0);
	assert_int_equal(sched_done(s, a1, 0), 0);
	assert_null(sched_pop(s, 3099));
	assert_ptr_equal(sched_pop(s, 3100), a1);
	assert_ptr_equal(sched_pop(s, 3100), a3);
	sched_free(s);
}

/*
 * An entry put back did not start: the host's gap runs from the start
 * before it, and the entry waits until it is due again.
 */
static void
test_put_back(void **unused)
{
	struct sched		*s;
	struct sched_entry	*feed, *page1, *page2;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	sched_host_gap(s, 1000);
	assert_non_null(page1 = sched_add(s, "news.example", 0, &x, 0));
	assert_non_null(feed = sched_add(s, "news.example", 10, &x, 1));
	assert_non_null(page2 = sched_add(s, "news.example", 20, &x, 0));
	assert_ptr_equal(sched_pop(s, 100), page1);
	assert_ptr_equal(sched_pop(s, 1100), feed);
	assert_int_equal(sched_put_back(s, feed, 30000), 0);
	assert_int_equal(sched_running(s), 1);
	/* The gap of page1's start, not of the feed's that did not go. */
	assert_ptr_equal(sched_pop(s, 1100), page2);
	assert_null(sched_pop(s, 29999));
	assert_ptr_equal(sched_pop(s, 30000), feed);
	/* Put back, a removed entry is freed. */
	sched_remove(s, feed);
	assert_int_equal(sched_put_back(s, feed, 40000), 1);
	sched_free(s);
}

/* Hosts found at one address share its budget, running transfers too. */
static void
test_addr_shared(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c, *d, *p;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 1));
	assert_non_null(a = sched_add(s, "a.example", 0, &x, 0));
	assert_non_null(b = sched_add(s, "b.example", 10, &x, 0));
	assert_non_null(c = sched_add(s, "c.example", 20, &x, 0));
	assert_int_equal(sched_host_addr(s, "a.example", "192.0.2.1"), 0);
	/* The same address written otherwise is the same address. */
	assert_int_equal(sched_host_addr(s, "b.example", "::ffff:192.0.2.1"),
	    0);
	assert_int_equal(sched_host_addr(s, "b.example", "not an address"),
	    -1);
	assert_int_equal(sched_host_addr(s, "nowhere.example", "192.0.2.1"),
	    0);
	assert_ptr_equal(sched_pop(s, 100), a);
	/* b is due and idle, but its address is busy: c goes. */
	assert_true(sched_host_busy(s, "b.example"));
	assert_ptr_equal(sched_pop(s, 100), c);
	assert_null(sched_pop(s, 100));
	/* c turns out to be there too: its transfer counts against it. */
	assert_int_equal(sched_host_addr(s, "c.example", "192.0.2.1"), 0);
	assert_int_equal(sched_done(s, a, 5000), 0);
	assert_null(sched_pop(s, 100));
	assert_int_equal(sched_done(s, c, 5000), 0);
	assert_ptr_equal(sched_pop(s, 100), b);
	/* A host named by an address is there from the start. */
	assert_non_null(d = sched_add(s, "192.0.2.1", 0, &x, 0));
	assert_null(sched_pop(s, 100));
	assert_true(sched_host_busy(s, "192.0.2.1"));
	assert_int_equal(sched_done(s, b, 5000), 0);
	assert_ptr_equal(sched_pop(s, 100), d);
	/* Moved elsewhere, b runs beside the others again. */
	assert_int_equal(sched_host_addr(s, "b.example", "2001:db8::1"), 0);
	sched_set_due(b, 0);
	assert_ptr_equal(sched_pop(s, 100), b);
	/* An IPv6 host in its URL's brackets meets curl's text. */
	assert_non_null(p = sched_add(s, "[2001:DB8::1]", 0, &x, 0));
	assert_true(sched_host_busy(s, "[2001:DB8::1]"));
	assert_null(sched_pop(s, 100));
	assert_int_equal(sched_done(s, b, 5000), 0);
	assert_ptr_equal(sched_pop(s, 100), p);
	sched_free(s);
}

/* A wait told to one host holds its address's other hosts too. */
static void
test_host_wait(void **unused)
{
	struct sched		*s;
	struct sched_entry	*a, *b, *c;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 4));
	assert_non_null(a = sched_add(s, "a.example", 0, &x, 1));
	assert_non_null(b = sched_add(s, "b.example", 0, &x, 0));
	assert_non_null(c = sched_add(s, "c.example", 2000, &x, 0));
	assert_int_equal(sched_host_addr(s, "a.example", "198.51.100.7"), 0);
	assert_int_equal(sched_host_addr(s, "b.example", "198.51.100.7"), 0);
	assert_ptr_equal(sched_pop(s, 0), a);
	sched_host_wait(s, "a.example", 5000);
	assert_int_equal(sched_done(s, a, 0), 0);
	/* Neither a nor b, both due; c at its time. */
	assert_int_equal(sched_wait(s, 0), 2000);
	assert_null(sched_pop(s, 1999));
	assert_ptr_equal(sched_pop(s, 2000), c);
	assert_int_equal(sched_wait(s, 2000), 3000);
	assert_null(sched_pop(s, 4999));
	/* b first: a was told to wait, b only through its address. */
	assert_ptr_equal(sched_pop(s, 5000), b);
	assert_ptr_equal(sched_pop(s, 5000), a);
	/* An earlier deadline does not shorten a wait. */
	assert_int_equal(sched_done(s, a, 0), 0);
	sched_host_wait(s, "a.example", 9000);
	sched_host_wait(s, "a.example", 6000);
	sched_host_wait(s, "nowhere.example", 6000);
	assert_null(sched_pop(s, 8999));
	assert_ptr_equal(sched_pop(s, 9000), a);
	sched_free(s);
}

/*
 * The pages of a host come and go in batches: between two, the host is
 * remembered with its address and its wait.
 */
static void
test_host_kept(void **unused)
{
	struct sched		*s;
	struct sched_entry	*f, *p, *q;
	int			 x;

	(void)unused;
	assert_non_null(s = sched_new(8, 1));
	assert_non_null(f = sched_add(s, "feeds.example", 0, &x, 1));
	assert_non_null(p = sched_add(s, "www.example", 0, &x, 0));
	assert_int_equal(sched_host_addr(s, "feeds.example", "203.0.113.5"),
	    0);
	assert_int_equal(sched_host_addr(s, "www.example", "203.0.113.5"), 0);
	assert_ptr_equal(sched_pop(s, 0), f);
	assert_null(sched_pop(s, 0));
	assert_int_equal(sched_done(s, f, 100000), 0);
	assert_ptr_equal(sched_pop(s, 0), p);
	sched_host_wait(s, "www.example", 7000);
	assert_int_equal(sched_done(s, p, INT64_MAX), 0);
	sched_remove(s, p);
	/* The next batch: still at the address, still told to wait. */
	assert_non_null(q = sched_add(s, "www.example", 0, &x, 0));
	assert_null(sched_pop(s, 6999));
	assert_ptr_equal(sched_pop(s, 7000), q);
	sched_set_due(f, 0);
	assert_true(sched_host_busy(s, "feeds.example"));
	assert_null(sched_pop(s, 7000));
	sched_free(s);
}

/*
 * A reference model: the scheduler as it was, a list scanned from end to
 * end, with the budgets of hosts and addresses written out as they are
 * defined.  Entries are kept in the order they were added.  Each host
 * offers its most overdue idle entry (the first added among equals); it
 * may start once the host's gate is past: the host is free at the later
 * of the two.  Each budget (an address, or a host's own while it is found
 * at none) offers its host free first (the first added entry among
 * equals), at the later of that and its own gate; the budget free first
 * wins.  With no gap and no wait, the most overdue entry wins.
 */
#define MODEL_MAX	4000
#define MODEL_HOSTS	24
#define MODEL_ADDRS	6	/* budgets: 6 addresses, then one a host */
#define MODEL_BUDGETS	(MODEL_ADDRS + MODEL_HOSTS)
#define MODEL_OPEN	INT64_MIN

struct model_entry {
	struct sched_entry	*se;
	int64_t			 due;
	int			 host;
	int			 alive, running, removed, spread;
};

struct model {
	struct model_entry	 e[MODEL_MAX];
	size_t			 n;
	unsigned		 max, per_host, running;
	unsigned		 host_running[MODEL_HOSTS];
	unsigned		 host_alive[MODEL_HOSTS];
	int			 addr[MODEL_HOSTS];	/* its budget */
	int64_t			 host_gate[MODEL_HOSTS];
	int64_t			 gate[MODEL_BUDGETS];
	int64_t			 gap;
	int64_t			 popped;	/* now of the last pop */
	int			 spread;
	int			 polite;	/* gaps, addresses, waits */
};

static void
model_init(struct model *m, int spread, int polite)
{
	int	 i;

	memset(m, 0, sizeof(*m));
	m->max = 6;
	m->per_host = 2;
	m->spread = spread;
	m->polite = polite;
	m->gap = polite ? 1500 : 0;
	m->popped = INT64_MIN;
	for (i = 0; i < MODEL_HOSTS; i++) {
		m->addr[i] = MODEL_ADDRS + i;
		m->host_gate[i] = MODEL_OPEN;
	}
	for (i = 0; i < MODEL_BUDGETS; i++)
		m->gate[i] = MODEL_OPEN;
}

static int64_t
model_slot(const struct model *m, int host, int64_t due)
{
	int64_t	 dues[MODEL_MAX];
	size_t	 i, n = 0;

	for (i = 0; i < m->n; i++)
		if (m->e[i].alive && !m->e[i].removed && m->e[i].spread &&
		    m->e[i].host == host)
			dues[n++] = m->e[i].due;
	return model_free_slot(dues, n, due);
}

static int64_t
model_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static unsigned
model_budget_running(const struct model *m, int b)
{
	unsigned	 n = 0;
	int		 h;

	for (h = 0; h < MODEL_HOSTS; h++)
		if (m->addr[h] == b)
			n += m->host_running[h];
	return n;
}

/* The entry that would start next, and from when; NULL when none may. */
static struct model_entry *
model_pick(const struct model *m, int64_t *when)
{
	const struct model_entry	*top[MODEL_HOSTS], *e, *best = NULL;
	const struct model_entry	*cand;
	int64_t				 key, ckey = 0, bkey, bkbest = 0;
	size_t				 i;
	int				 b, h;

	memset(top, 0, sizeof(top));
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (e->alive && !e->running && (top[e->host] == NULL ||
		    e->due < top[e->host]->due))
			top[e->host] = e;
	}
	for (b = 0; b < MODEL_BUDGETS; b++) {
		if (model_budget_running(m, b) >= m->per_host)
			continue;
		cand = NULL;
		for (h = 0; h < MODEL_HOSTS; h++) {
			if (m->addr[h] != b || top[h] == NULL ||
			    m->host_running[h] >= m->per_host)
				continue;
			key = model_max(m->host_gate[h], top[h]->due);
			if (cand == NULL || key < ckey ||
			    (key == ckey && top[h] < cand)) {
				cand = top[h];
				ckey = key;
			}
		}
		if (cand == NULL)
			continue;
		bkey = model_max(m->gate[b], ckey);
		if (best == NULL || bkey < bkbest ||
		    (bkey == bkbest && cand < best)) {
			best = cand;
			bkbest = bkey;
		}
	}
	*when = bkbest;
	return (struct model_entry *)(uintptr_t)best;
}

static struct model_entry *
model_pop(struct model *m, int64_t now)
{
	struct model_entry	*best;
	int64_t			 when;

	m->popped = now;
	if (m->running >= m->max || (best = model_pick(m, &when)) == NULL ||
	    when > now)
		return NULL;
	best->running = 1;
	m->host_running[best->host]++;
	m->running++;
	if (m->gap > 0) {
		m->host_gate[best->host] = model_max(m->host_gate[best->host],
		    now + m->gap);
		m->gate[m->addr[best->host]] =
		    model_max(m->gate[m->addr[best->host]], now + m->gap);
	}
	return best;
}

static int64_t
model_wait(const struct model *m, int64_t now)
{
	int64_t	 when;

	if (m->running >= m->max || model_pick(m, &when) == NULL)
		return -1;
	return when > now ? when - now : 0;
}

static int
model_busy(const struct model *m, int host)
{
	if (m->host_alive[host] == 0)
		return 0;
	return m->host_running[host] >= m->per_host ||
	    model_budget_running(m, m->addr[host]) >= m->per_host;
}

/*
 * An entry is gone.  A host left without any, at no address and with
 * nothing to wait for, is forgotten: it comes back afresh.
 */
static void
model_free(struct model *m, struct model_entry *e)
{
	int	 h = e->host;

	e->alive = 0;
	if (--m->host_alive[h] > 0 || m->addr[h] != MODEL_ADDRS + h ||
	    m->host_gate[h] > m->popped)
		return;
	m->host_gate[h] = MODEL_OPEN;
	m->gate[MODEL_ADDRS + h] = MODEL_OPEN;
}

/* Host h found at address b; an address no host is at is forgotten. */
static void
model_link(struct model *m, int h, int b)
{
	int	 old = m->addr[h], k;

	if (old == b)
		return;
	m->addr[h] = b;
	m->gate[b] = model_max(m->gate[b], m->host_gate[h]);
	if (old >= MODEL_ADDRS)
		return;
	for (k = 0; k < MODEL_HOSTS; k++)
		if (m->addr[k] == old)
			return;
	m->gate[old] = MODEL_OPEN;
}

static uint64_t
model_rnd(uint64_t *r)
{
	*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
	return *r >> 33;
}

/* An alive entry picked at random, running or not; NULL if none. */
static struct model_entry *
model_any(struct model *m, uint64_t *r, int running)
{
	size_t	 i, start;

	if (m->n == 0)
		return NULL;
	start = model_rnd(r) % m->n;
	for (i = 0; i < m->n; i++) {
		struct model_entry	*e = &m->e[(start + i) % m->n];

		if (e->alive && !e->removed && (running < 0 ||
		    e->running == running))
			return e;
	}
	return NULL;
}

/* The polite steps: a host found at an address, a host told to wait. */
static void
model_polite_step(struct sched *s, struct model *m, uint64_t *r,
    int64_t now, int wait)
{
	struct model_entry	*e;
	char			 host[32], addr[32];
	int64_t			 until;
	int			 b;

	if ((e = model_any(m, r, -1)) == NULL)
		return;
	snprintf(host, sizeof(host), "h%d", e->host);
	if (wait) {
		until = now + (int64_t)(model_rnd(r) % 6000) - 1000;
		sched_host_wait(s, host, until);
		m->host_gate[e->host] = model_max(m->host_gate[e->host],
		    until);
		m->gate[m->addr[e->host]] = model_max(m->gate[m->addr[e->host]],
		    until);
		return;
	}
	b = (int)(model_rnd(r) % MODEL_ADDRS);
	snprintf(addr, sizeof(addr), "192.0.2.%d", b);
	assert_int_equal(sched_host_addr(s, host, addr), 0);
	model_link(m, e->host, b);
}

static void
model_step(struct sched *s, struct model *m, uint64_t *r, int64_t *now)
{
	struct model_entry	*e;
	struct sched_entry	*se;
	char			 host[32];
	unsigned		 op = model_rnd(r) % 100;
	int			 h;

	if (op < 30 && m->n < MODEL_MAX) {		/* add */
		e = &m->e[m->n];
		e->host = model_rnd(r) % MODEL_HOSTS;
		e->spread = model_rnd(r) % 3 == 0;
		e->due = *now + (int64_t)(model_rnd(r) % 40000) - 5000;
		snprintf(host, sizeof(host), "h%d", e->host);
		assert_non_null(e->se = sched_add(s, host, e->due, e,
		    e->spread));
		if (m->spread && e->spread)
			e->due = model_slot(m, e->host, e->due);
		e->alive = 1;
		m->host_alive[e->host]++;
		m->n++;
		assert_int_equal(sched_due(e->se), e->due);
	} else if (op < 55) {				/* pop */
		e = model_pop(m, *now);
		se = sched_pop(s, *now);
		assert_ptr_equal(se, e != NULL ? e->se : NULL);
	} else if (op < 75) {				/* done */
		if ((e = model_any(m, r, 1)) == NULL)
			return;
		e->running = 0;
		m->host_running[e->host]--;
		m->running--;
		e->due = *now + (int64_t)(model_rnd(r) % 30000);
		assert_int_equal(sched_done(s, e->se, e->due), 0);
	} else if (op < 82) {				/* set_due */
		if ((e = model_any(m, r, -1)) == NULL)
			return;
		e->due = *now + (int64_t)(model_rnd(r) % 30000) - 10000;
		sched_set_due(e->se, e->due);
	} else if (op < 90) {				/* remove */
		if ((e = model_any(m, r, -1)) == NULL)
			return;
		if (e->running) {
			e->removed = 1;
			sched_remove(s, e->se);
			/* Its transfer ends later, or now. */
			if (model_rnd(r) % 2 == 0)
				return;
			e->running = 0;
			m->host_running[e->host]--;
			m->running--;
			assert_int_equal(sched_done(s, e->se, 0), 1);
		} else
			sched_remove(s, e->se);
		model_free(m, e);
	} else if (op < 92) {				/* a reload */
		m->max = 1 + model_rnd(r) % 12;
		m->per_host = 1 + model_rnd(r) % 4;
		sched_limits(s, m->max, m->per_host);
		if (m->polite) {
			m->gap = (int64_t)(model_rnd(r) % 3000);
			sched_host_gap(s, m->gap);
		}
	} else if (m->polite && op < 96)
		model_polite_step(s, m, r, *now, op >= 95);
	else
		*now += (int64_t)(model_rnd(r) % 4000);
	/* Whatever happened, the views agree. */
	assert_int_equal(sched_running(s), m->running);
	assert_int_equal(sched_wait(s, *now), model_wait(m, *now));
	h = model_rnd(r) % (MODEL_HOSTS + 1);
	snprintf(host, sizeof(host), "h%d", h);
	/* A host without entries may be remembered at its address. */
	if (h == MODEL_HOSTS || m->host_alive[h] > 0 || !m->polite)
		assert_int_equal(sched_host_busy(s, host), h < MODEL_HOSTS ?
		    model_busy(m, h) : 0);
}

/* Random operations on both, step by step: the same answers. */
static void
test_against_model(void **unused)
{
	struct sched		*s;
	struct model		*m;
	struct model_entry	*e;
	uint64_t		 r = 42;
	int64_t			 now = 1000000;
	size_t			 i;
	int			 step, pass;

	(void)unused;
	assert_non_null(m = calloc(1, sizeof(*m)));
	/* Spread on and off, then the same with gaps, addresses, waits. */
	for (pass = 0; pass < 4; pass++) {
		model_init(m, pass % 2 == 0, pass >= 2);
		assert_non_null(s = sched_new(m->max, m->per_host));
		sched_spread(s, m->spread);
		sched_host_gap(s, m->gap);
		for (step = 0; step < 12000; step++)
			model_step(s, m, &r, &now);
		/* Drain what is left, running or not. */
		for (i = 0; i < m->n; i++) {
			e = &m->e[i];
			if (e->alive && e->running)
				assert_int_equal(sched_done(s, e->se, 0),
				    e->removed);
		}
		while (sched_pop(s, INT64_MAX) != NULL)
			;
		sched_free(s);
	}
	free(m);
}

struct big_entry {
	struct sched_entry	*se;
	int64_t			 due;
	size_t			 order;
};

static int
big_cmp(const void *a, const void *b)
{
	const struct big_entry	*x = *(const struct big_entry * const *)a;
	const struct big_entry	*y = *(const struct big_entry * const *)b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * 100,000 pages over 1,000 hosts and 10,000 feeds, one transfer at a
 * time: they come out in the order of their due times, the first added
 * first among equals (the model: a sorted copy).  Feeds are spread as
 * the old definition of a free slot says.
 */
static void
test_many_in_due_order(void **unused)
{
	enum { PAGES = 100000, FEEDS = 10000, HOSTS = 1000 };
	struct sched		*s;
	struct big_entry	*all, **sorted;
	struct sched_entry	*se;
	int64_t			*fdues, now = 0;
	size_t			 i, nf[HOSTS], n = PAGES + FEEDS;
	uint64_t		 r = 99;
	char			 host[32];
	int			 h;

	(void)unused;
	assert_non_null(all = calloc(n, sizeof(*all)));
	assert_non_null(sorted = calloc(n, sizeof(*sorted)));
	/* Each host's feeds, in the order they were added. */
	assert_non_null(fdues = calloc((size_t)HOSTS * (FEEDS / HOSTS),
	    sizeof(*fdues)));
	memset(nf, 0, sizeof(nf));
	assert_non_null(s = sched_new(1, 1));
	for (i = 0; i < n; i++) {
		int	 feed = i % ((PAGES + FEEDS) / FEEDS) == 0;

		h = feed ? (int)(i / 11 % HOSTS) : (int)(model_rnd(&r) % HOSTS);
		snprintf(host, sizeof(host), "h%d.example", h);
		all[i].order = i;
		all[i].due = (int64_t)(model_rnd(&r) % 500000);
		assert_non_null(all[i].se = sched_add(s, host, all[i].due,
		    &all[i], feed));
		if (feed) {
			int64_t	*d = fdues + (size_t)h * (FEEDS / HOSTS);

			assert_true(nf[h] < FEEDS / HOSTS);
			all[i].due = model_free_slot(d, nf[h], all[i].due);
			d[nf[h]++] = all[i].due;
		}
		assert_int_equal(sched_due(all[i].se), all[i].due);
		sorted[i] = &all[i];
	}
	qsort(sorted, n, sizeof(*sorted), big_cmp);
	for (i = 0; i < n; i++) {
		/* Time goes by in steps; what is due comes out in order. */
		if (sorted[i]->due > now) {
			assert_null(sched_pop(s, now));
			assert_int_equal(sched_wait(s, now),
			    sorted[i]->due - now);
			now = sorted[i]->due + (int64_t)(model_rnd(&r) % 50);
		}
		assert_non_null(se = sched_pop(s, now));
		assert_ptr_equal(sched_data(se), sorted[i]);
		assert_null(sched_pop(s, now));		/* one at a time */
		assert_int_equal(sched_done(s, se, INT64_MAX), 0);
		sched_remove(s, se);
	}
	assert_int_equal(sched_wait(s, now), -1);
	sched_free(s);
	free(fdues);
	free(sorted);
	free(all);
}

/*
 * The same numbers under the polite limits: 1,000 hosts on 250 addresses,
 * per_host 2, a gap of 50 ms, transfers of 20 ms, waits told now and
 * then; a virtual clock, one millisecond a step.  Every entry starts once,
 * never before its time, and no address ever has more than per_host
 * running or two starts closer than the gap (or one inside a wait).
 */
static void
test_many_polite(void **unused)
{
	enum { PAGES = 100000, FEEDS = 10000, HOSTS = 1000, ADDRS = 250,
	    GAP = 50, LENGTH = 20, MAX = 64 };
	struct sched		*s;
	struct sched_entry	*se, *run[MAX];
	int64_t			 ends[MAX], last[ADDRS], until[ADDRS];
	int64_t			 now = 0;
	unsigned		 nrun[ADDRS];
	size_t			 i, k, nr = 0, started = 0;
	size_t			 n = PAGES + FEEDS;
	uint64_t		 r = 5;
	char			 host[32], addr[32];
	int			*hostof;

	(void)unused;
	assert_non_null(hostof = calloc(n, sizeof(*hostof)));
	assert_non_null(s = sched_new(MAX, 2));
	sched_host_gap(s, GAP);
	for (i = 0; i < n; i++) {
		hostof[i] = (int)(model_rnd(&r) % HOSTS);
		snprintf(host, sizeof(host), "h%d.example", hostof[i]);
		assert_non_null(sched_add(s, host,
		    (int64_t)(model_rnd(&r) % 20000), &hostof[i],
		    i % 11 == 0));
	}
	for (i = 0; i < HOSTS; i++) {
		snprintf(host, sizeof(host), "h%zu.example", i);
		snprintf(addr, sizeof(addr), "10.0.%zu.%zu", i % ADDRS / 256,
		    i % ADDRS % 256);
		assert_int_equal(sched_host_addr(s, host, addr), 0);
	}
	for (i = 0; i < ADDRS; i++) {
		last[i] = until[i] = INT64_MIN;
		nrun[i] = 0;
	}
	while (started < n) {
		assert_true(now < 10000000);
		/* Transfers end, in the order they began. */
		for (k = 0; k < nr && ends[k] <= now; k++) {
			int	*h = sched_data(run[k]);

			nrun[*h % ADDRS]--;
			/* Now and then a host says 429: its address waits. */
			if (model_rnd(&r) % 97 == 0) {
				until[*h % ADDRS] = now + 300;
				sched_host_wait(s, sched_host(run[k]),
				    now + 300);
			}
			assert_int_equal(sched_done(s, run[k], INT64_MAX), 0);
			sched_remove(s, run[k]);
		}
		memmove(run, run + k, (nr - k) * sizeof(*run));
		memmove(ends, ends + k, (nr - k) * sizeof(*ends));
		nr -= k;
		while ((se = sched_pop(s, now)) != NULL) {
			int	 a = *(int *)sched_data(se) % ADDRS;

			assert_true(sched_due(se) <= now);
			assert_true(nrun[a] < 2);
			assert_true(last[a] == INT64_MIN ||
			    now - last[a] >= GAP);
			assert_true(now >= until[a]);
			assert_true(nr < MAX);
			last[a] = now;
			nrun[a]++;
			run[nr] = se;
			ends[nr++] = now + LENGTH;
			started++;
		}
		assert_int_equal(sched_running(s), nr);
		/* Nothing may start before the time sched_wait() tells. */
		if (sched_wait(s, now) > 1)
			now += sched_wait(s, now) - 1;
		now++;
	}
	sched_free(s);
	free(hostof);
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
		cmocka_unit_test(test_remove_middle),
		cmocka_unit_test(test_set_due_both_ways),
		cmocka_unit_test(test_per_host_many_hosts),
		cmocka_unit_test(test_limits_lowered_running),
		cmocka_unit_test(test_remove_running_spread),
		cmocka_unit_test(test_spread_packed_run),
		cmocka_unit_test(test_host_gap),
		cmocka_unit_test(test_put_back),
		cmocka_unit_test(test_addr_shared),
		cmocka_unit_test(test_host_wait),
		cmocka_unit_test(test_host_kept),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_many_in_due_order),
		cmocka_unit_test(test_many_polite),
		cmocka_unit_test(test_feed_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
