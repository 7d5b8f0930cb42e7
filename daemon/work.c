/*
 * work: worker threads for the CPU-heavy part of jobs, see work.h.
 *
 * Two lists under one mutex: the jobs to run (FIFO) and the jobs run,
 * whose done() the loop owes.  A worker that finishes a job onto an empty
 * list writes to an eventfd the loop reads; the loop then takes the whole
 * list at once.  Without threads one event runs one job per turn of the
 * loop, so that I/O goes on between them.
 */
#include <sys/eventfd.h>

#include <stdatomic.h>
#include <time.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "work.h"

struct joblist {
	struct work_job	*head, *tail;
};

struct work {
	struct event_base	*base;
	struct event		*ev;		/* the eventfd, or activated */
	int			 fd;		/* eventfd, -1 without threads */
	pthread_t		 tid[WORK_THREADS_MAX];
	unsigned		 nthreads;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* todo has a job, or stop */
	struct joblist		 todo;		/* under mu */
	struct joblist		 ran;		/* under mu */
	int			 stop;		/* under mu */
	int			 ended[WORK_THREADS_MAX];	/* under mu */
	/* When each thread began the job it runs (ms, monotonic), or 0. */
	int64_t			 since[WORK_THREADS_MAX];	/* under mu */
	pthread_cond_t		 end_cv;	/* a thread ended */
	size_t			 busy;		/* the loop's alone */
};

/* Arguments of a thread: its pool and its place in it. */
struct work_self {
	struct work	*w;
	unsigned	 i;
};

static atomic_int	 work_left_running;

static int64_t
work_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
joblist_push(struct joblist *l, struct work_job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

static struct work_job *
joblist_pop(struct joblist *l)
{
	struct work_job	*j = l->head;

	if (j != NULL && (l->head = j->next) == NULL)
		l->tail = NULL;
	return j;
}

/* Every done() of l, in its order; each may submit more. */
static void
work_tell(struct work *w, struct work_job *j, int cancelled)
{
	struct work_job	*next;

	for (; j != NULL; j = next) {
		next = j->next;
		w->busy--;
		j->done(j, cancelled);
	}
}

static void *
work_thread(void *arg)
{
	struct work	*w = ((struct work_self *)arg)->w;
	unsigned	 self = ((struct work_self *)arg)->i;
	struct work_job	*j;
	uint64_t	 one = 1;
	int		 wake;

	free(arg);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->todo.head == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		j = joblist_pop(&w->todo);
		w->since[self] = work_now_ms();
		pthread_mutex_unlock(&w->mu);
		j->run(j);
		pthread_mutex_lock(&w->mu);
		w->since[self] = 0;
		wake = w->ran.head == NULL;
		joblist_push(&w->ran, j);
		/* An eventfd counter cannot overflow at one write a batch. */
		if (wake && write(w->fd, &one, sizeof(one)) == -1 &&
		    errno != EAGAIN)
			log_warn("work: waking the loop");
	}
	w->ended[self] = 1;
	pthread_cond_broadcast(&w->end_cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The loop's end of the eventfd, or the one job of a pool without threads. */
static void
work_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct work	*w = arg;
	struct work_job	*j;
	uint64_t	 n;

	(void)kind;
	if (w->nthreads == 0) {
		if ((j = joblist_pop(&w->todo)) == NULL)
			return;
		if (w->todo.head != NULL)
			event_active(w->ev, EV_READ, 0);
		j->run(j);
		j->next = NULL;
		work_tell(w, j, 0);
		return;
	}
	if (read(fd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		log_warn("work: reading the eventfd");
	pthread_mutex_lock(&w->mu);
	j = w->ran.head;
	w->ran.head = w->ran.tail = NULL;
	pthread_mutex_unlock(&w->mu);
	work_tell(w, j, 0);
}

/* The threads start with every signal blocked: the loop's to handle. */
static int
work_start(struct work *w, unsigned threads, char *err, size_t errlen)
{
	struct work_self	*self;
	sigset_t		 all, old;
	int			 e = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (w->nthreads = 0; w->nthreads < threads; w->nthreads++) {
		if ((self = malloc(sizeof(*self))) == NULL) {
			e = ENOMEM;
			break;
		}
		self->w = w;
		self->i = w->nthreads;
		if ((e = pthread_create(&w->tid[w->nthreads], NULL,
		    work_thread, self)) != 0) {
			free(self);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		(void)snprintf(err, errlen, "starting worker thread %u: %s",
		    w->nthreads + 1, strerror(e));
		return -1;
	}
	return 0;
}

struct work *
work_new(struct event_base *base, unsigned threads, char *err, size_t errlen)
{
	struct work	*w;

	if (threads > WORK_THREADS_MAX)
		threads = WORK_THREADS_MAX;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->base = base;
	w->fd = -1;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto free_w;
	if (pthread_cond_init(&w->cv, NULL) != 0)
		goto free_mu;
	if (pthread_cond_init(&w->end_cv, NULL) != 0) {
		pthread_cond_destroy(&w->cv);
		goto free_mu;
	}
	if (threads > 0 &&
	    (w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		goto free_cv;
	if ((w->ev = event_new(base, w->fd, threads > 0 ?
	    EV_READ | EV_PERSIST : 0, work_cb, w)) == NULL ||
	    (threads > 0 && event_add(w->ev, NULL) == -1))
		goto free_ev;
	if (work_start(w, threads, err, errlen) == -1) {
		work_free(w);
		return NULL;
	}
	return w;
free_ev:
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fd != -1)
		close(w->fd);
free_cv:
	pthread_cond_destroy(&w->end_cv);
	pthread_cond_destroy(&w->cv);
free_mu:
	pthread_mutex_destroy(&w->mu);
free_w:
	(void)snprintf(err, errlen, "worker pool: %s", strerror(errno));
	free(w);
	return NULL;
}

void
work_submit(struct work *w, struct work_job *j)
{
	w->busy++;
	/* Stopping (a done() of work_free): told cancelled there. */
	if (w->stop) {
		joblist_push(&w->todo, j);
		return;
	}
	if (w->nthreads == 0) {
		if (w->todo.head == NULL)
			event_active(w->ev, EV_READ, 0);
		joblist_push(&w->todo, j);
		return;
	}
	pthread_mutex_lock(&w->mu);
	joblist_push(&w->todo, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

size_t
work_busy(const struct work *w)
{
	return w->busy;
}

unsigned
work_threads(const struct work *w)
{
	return w->nthreads;
}

int64_t
work_stalled(struct work *w)
{
	int64_t		 now = work_now_ms(), longest = 0;
	unsigned	 i;

	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->nthreads; i++)
		if (w->since[i] != 0 && now - w->since[i] > longest)
			longest = now - w->since[i];
	pthread_mutex_unlock(&w->mu);
	return longest;
}

/*
 * Wait for the threads to end, seconds at most: 0, or -1 when one
 * is still in its job (a loop that never ends), left to run.
 */
static int
work_join(struct work *w, unsigned seconds)
{
	struct timespec	 until;
	unsigned	 i;
	int		 all = 1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)seconds;
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->nthreads; i++)
		while (!w->ended[i] && pthread_cond_timedwait(&w->end_cv,
		    &w->mu, &until) == 0)
			;
	for (i = 0; i < w->nthreads; i++)
		all &= w->ended[i];
	pthread_mutex_unlock(&w->mu);
	if (!all)
		return -1;
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->tid[i], NULL);
	return 0;
}

void
work_free(struct work *w)
{
	work_free_within(w, WORK_JOIN_SEC);
}

void
work_free_within(struct work *w, unsigned seconds)
{
	struct work_job	*ran, *never;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	never = w->todo.head;
	w->todo.head = w->todo.tail = NULL;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (work_join(w, seconds) == -1) {
		/*
		 * Its job, and the pool it will come back to, stay: freeing
		 * them under it would be worse than the memory.
		 */
		log_err("a worker thread has been in one job for %lld s: "
		    "leaving it", (long long)(work_stalled(w) / 1000));
		atomic_store(&work_left_running, 1);
		work_tell(w, never, 1);
		return;
	}
	/* The threads are gone: the lists are the loop's alone now. */
	ran = w->ran.head;
	w->ran.head = w->ran.tail = NULL;
	work_tell(w, ran, 0);
	work_tell(w, never, 1);
	/* What those done() submitted. */
	while ((never = w->todo.head) != NULL) {
		w->todo.head = w->todo.tail = NULL;
		work_tell(w, never, 1);
	}
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fd != -1)
		close(w->fd);
	pthread_cond_destroy(&w->end_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int
work_left(void)
{
	return atomic_load(&work_left_running);
}

unsigned
work_cpus(void)
{
	cpu_set_t	 set;
	int		 n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    (n = CPU_COUNT(&set)) > 0)
		return (unsigned)n;
	return 1;
}
