/*
 * work: the CPU-heavy part of a job (parsing a document, extracting a
 * page, building stories) run on worker threads, so that both cores work
 * while the loop keeps doing I/O; its end told back on the loop thread.
 *
 * The loop thread stays the only one that touches libcurl, libevent,
 * SQLite and the spool's batches: a job's run() may read and write only
 * the job (what the caller put in it before work_submit(), and what it
 * builds), call pure functions of parsers/ and daemon/story.c, and write
 * a story's file in tmp/ with spool_tmp_write(), which reads nothing of
 * the spool but a descriptor fixed at its opening.  Its done() runs on
 * the loop thread, in the order the jobs finished.
 *
 * With no threads the jobs run on the loop thread, one at a time, and
 * their done() is still called from the loop, not from work_submit():
 * callers see one shape either way.
 */
#ifndef FEEDSPOOL_WORK_H
#define FEEDSPOOL_WORK_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct work;

/* The most worker threads a daemon starts; `workers = auto` is the CPUs'. */
#define WORK_THREADS_MAX	16
/* How long work_free() waits for a job still running. */
#define WORK_JOIN_SEC		10

struct work_job {
	void		(*run)(struct work_job *);	/* a worker thread */
	/* The loop thread.  cancelled: run() was never called (work_free). */
	void		(*done)(struct work_job *, int cancelled);
	struct work_job	*next;				/* the pool's */
};

/* A pool of threads (0: none), or NULL (err set). */
struct work	*work_new(struct event_base *, unsigned threads, char *err,
		    size_t errlen);
/* Cannot fail: the job is the caller's until its done() is called. */
void		 work_submit(struct work *, struct work_job *);
/* Jobs submitted whose done() has not been called yet. */
size_t		 work_busy(const struct work *);
unsigned	 work_threads(const struct work *);
/*
 * The longest any thread has been in its present job, ms (0: none runs):
 * a job takes milliseconds, one that takes minutes never ends (a bug),
 * and the watchdog should know.
 */
int64_t		 work_stalled(struct work *);
/*
 * Waits for the jobs that are running, then calls every done() still
 * owed: cancelled for the jobs that never started.  Joins the threads.
 * A job still running after WORK_JOIN_SEC is left to its thread, with the
 * pool (logged; work_left() is 1 from then on), so that nothing it uses is
 * freed under it: the process is to exit.
 */
void		 work_free(struct work *);
/* The same, waiting seconds instead of WORK_JOIN_SEC. */
void		 work_free_within(struct work *, unsigned seconds);
int		 work_left(void);
/* The number of CPUs this process may use, at least 1. */
unsigned	 work_cpus(void);

#endif
