/*
 * test_work: the worker pool on a real event loop.  Every job's done()
 * comes once, on the loop thread, never from work_submit(); a done() may
 * submit the job again (the two steps of a document); work_free() waits
 * for the jobs running and tells the others cancelled, run() never
 * called.  With no threads and with several.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>

#include "daemon/work.h"

#define JOBS	200

struct tjob {
	struct work_job	 job;
	struct work	*w;
	unsigned	 n;		/* its number */
	unsigned	 runs;		/* run() calls */
	unsigned	 dones;		/* done() calls */
	int		 cancelled;
	int		 again;		/* submit once more from done() */
	uint64_t	 sum;		/* what run() worked out */
	int		 sleep_ms;
};

static struct event_base	*base;
static pthread_t		 loop_thread;
static unsigned			 finished, expected;
static int			 wrong_thread;

static void
tjob_run(struct work_job *j)
{
	struct tjob	*t = (struct tjob *)(void *)j;
	struct timespec	 ts = { 0, 0 };
	uint64_t	 x = t->n;
	unsigned	 i;

	if (t->sleep_ms > 0) {
		ts.tv_sec = t->sleep_ms / 1000;
		ts.tv_nsec = (long)(t->sleep_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < 10000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	t->sum += x;
	t->runs++;
}

static void
tjob_done(struct work_job *j, int cancelled)
{
	struct tjob	*t = (struct tjob *)(void *)j;

	if (!pthread_equal(pthread_self(), loop_thread))
		wrong_thread = 1;
	t->dones++;
	t->cancelled = cancelled;
	if (t->again && !cancelled) {
		t->again = 0;
		work_submit(t->w, &t->job);
		return;
	}
	if (++finished == expected)
		event_base_loopbreak(base);
}

static uint64_t
expected_sum(unsigned n, unsigned runs)
{
	uint64_t	 x, sum = 0;
	unsigned	 r, i;

	for (r = 0; r < runs; r++) {
		x = n;
		for (i = 0; i < 10000; i++)
			x = x * 6364136223846793005ULL +
			    1442695040888963407ULL;
		sum += x;
	}
	return sum;
}

static void
run_pool(unsigned threads)
{
	static struct tjob	 v[JOBS];
	struct work		*w;
	char			 err[128];
	unsigned		 i;

	assert_non_null(base = event_base_new());
	loop_thread = pthread_self();
	assert_non_null(w = work_new(base, threads, err, sizeof(err)));
	assert_int_equal(work_threads(w), threads);
	memset(v, 0, sizeof(v));
	finished = wrong_thread = 0;
	expected = JOBS;
	for (i = 0; i < JOBS; i++) {
		v[i].job.run = tjob_run;
		v[i].job.done = tjob_done;
		v[i].w = w;
		v[i].n = i;
		v[i].again = i % 3 == 0;
		work_submit(w, &v[i].job);
	}
	/* Not one done() from work_submit(). */
	assert_int_equal(finished, 0);
	assert_int_equal(work_busy(w), JOBS);
	assert_int_equal(event_base_dispatch(base), 0);
	assert_int_equal(finished, JOBS);
	assert_int_equal(work_busy(w), 0);
	assert_false(wrong_thread);
	for (i = 0; i < JOBS; i++) {
		unsigned runs = i % 3 == 0 ? 2 : 1;

		assert_int_equal(v[i].runs, runs);
		assert_int_equal(v[i].dones, runs);
		assert_false(v[i].cancelled);
		assert_true(v[i].sum == expected_sum(i, runs));
	}
	work_free(w);
	event_base_free(base);
}

static void
test_no_threads(void **state)
{
	(void)state;
	run_pool(0);
}

static void
test_threads(void **state)
{
	(void)state;
	run_pool(1);
	run_pool(3);
}

/* Freed with jobs queued: the running finish, the rest are cancelled. */
static void
test_free_cancels(void **state)
{
	static struct tjob	 v[8];
	struct work		*w;
	char			 err[128];
	unsigned		 i, ran = 0, cancelled = 0, threads;

	(void)state;
	for (threads = 0; threads <= 1; threads++) {
		assert_non_null(base = event_base_new());
		loop_thread = pthread_self();
		assert_non_null(w = work_new(base, threads, err, sizeof(err)));
		memset(v, 0, sizeof(v));
		finished = wrong_thread = 0;
		expected = 1000;	/* the loop is not run */
		for (i = 0; i < 8; i++) {
			v[i].job.run = tjob_run;
			v[i].job.done = tjob_done;
			v[i].w = w;
			v[i].sleep_ms = 20;
			work_submit(w, &v[i].job);
		}
		work_free(w);
		assert_false(wrong_thread);
		for (i = 0, ran = cancelled = 0; i < 8; i++) {
			assert_int_equal(v[i].dones, 1);
			assert_int_equal(v[i].runs, v[i].cancelled ? 0 : 1);
			ran += v[i].runs;
			cancelled += (unsigned)v[i].cancelled;
		}
		assert_int_equal(ran + cancelled, 8);
		/* One thread, 20 ms a job: most never started. */
		assert_true(cancelled >= 4);
		event_base_free(base);
	}
}

/*
 * A job that does not end: work_stalled() says for how long, and
 * work_free_within() gives up on it, leaving it its job (its done() is
 * never called) and saying so through work_left().
 */
static void
test_stuck_job(void **state)
{
	static struct tjob	 v[3];
	struct work		*w;
	struct timespec		 ts = { 0, 300 * 1000000L };
	char			 err[128];
	unsigned		 i;

	(void)state;
	assert_non_null(base = event_base_new());
	loop_thread = pthread_self();
	assert_non_null(w = work_new(base, 1, err, sizeof(err)));
	assert_true(work_stalled(w) == 0);
	memset(v, 0, sizeof(v));
	finished = 0;
	expected = 1000;
	for (i = 0; i < 3; i++) {
		v[i].job.run = tjob_run;
		v[i].job.done = tjob_done;
		v[i].w = w;
		v[i].sleep_ms = i == 0 ? 3000 : 0;
		work_submit(w, &v[i].job);
	}
	nanosleep(&ts, NULL);
	assert_true(work_stalled(w) >= 250);
	assert_false(work_left());
	work_free_within(w, 1);
	assert_true(work_left());
	assert_int_equal(v[0].dones, 0);	/* still its thread's */
	assert_int_equal(v[1].dones, 1);
	assert_true(v[1].cancelled);
	assert_int_equal(v[2].dones, 1);
	/* The pool stays with the thread; the loop may go. */
	event_base_free(base);
}

static void
test_cpus(void **state)
{
	(void)state;
	assert_true(work_cpus() >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_threads),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_free_cancels),
		cmocka_unit_test(test_cpus),
		/* Last: it leaves a thread behind. */
		cmocka_unit_test(test_stuck_job),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
