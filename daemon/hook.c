/*
 * hook: run exec = COMMAND for each spooled story, see hook.h.
 *
 * A job is one story's hook: queued, running (pid set, its timer the
 * timeout, then the wait before SIGKILL), or waiting for its retry (its
 * timer the backoff).  The one timer of a job is embedded and assigned
 * once.  SIGCHLD only says that some child ended: each running job is
 * asked with waitpid(pid, WNOHANG), so children that are not ours are
 * never reaped here.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "cmdline.h"
#include "hook.h"
#include "log.h"

extern char **environ;

enum hookstate {
	HOOK_QUEUED,
	HOOK_RUNNING,
	HOOK_WAITING		/* for its retry */
};

struct hookjob {
	TAILQ_ENTRY(hookjob)	 entry;
	struct hooks		*h;
	enum hookstate		 state;
	char			**argv;
	char			*id;
	char			*feed;
	char			*name;
	pid_t			 pid;
	unsigned		 tries;		/* runs started */
	int			 timed_out;
	int			 killed;	/* SIGKILL sent */
	int64_t			 started;	/* ms, monotonic */
	struct event		 timer;
};
TAILQ_HEAD(hooklist, hookjob);

struct hooks {
	struct event_base	*base;
	char			*spool;
	void			(*idle)(void *);
	void			*idle_arg;
	struct event		*sigchld;
	struct hooklist		 queue, running, waiting;
	size_t			 nrunning, nbusy;
	unsigned		 max, timeout, tries;
	int			 stopped;
	size_t			 dropped;	/* by stopping */
};

static void	hooks_kick(struct hooks *);

static int64_t
hook_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
hook_feed(const struct hookjob *j)
{
	return j->feed != NULL ? j->feed : "?";
}

static void
hookjob_free(struct hookjob *j)
{
	if (j == NULL)
		return;
	if (event_initialized(&j->timer))
		event_del(&j->timer);
	cmdline_free(j->argv);
	free(j->id);
	free(j->feed);
	free(j->name);
	free(j);
}

/* j is done with (ran, gave up, skipped): freed; idle told when last. */
static void
hook_retire(struct hooks *h, struct hookjob *j)
{
	switch (j->state) {
	case HOOK_QUEUED:
		TAILQ_REMOVE(&h->queue, j, entry);
		break;
	case HOOK_RUNNING:
		TAILQ_REMOVE(&h->running, j, entry);
		h->nrunning--;
		break;
	case HOOK_WAITING:
		TAILQ_REMOVE(&h->waiting, j, entry);
		break;
	}
	h->nbusy--;
	hookjob_free(j);
}

/* "NAME=value", malloc'd, or NULL. */
static char *
hook_envvar(const char *name, const char *value)
{
	char	*s;

	if (asprintf(&s, "%s=%s", name, value) < 0)
		return NULL;
	return s;
}

/*
 * The daemon's environment with our two variables instead of any of the
 * same name; the strings of environ are borrowed, ours are v[0] and v[1].
 */
static char **
hook_env(const struct hookjob *j)
{
	char	**v;
	size_t	 n = 0, i, k = 2;

	while (environ[n] != NULL)
		n++;
	if (n > SIZE_MAX / sizeof(*v) - 3 ||
	    (v = calloc(n + 3, sizeof(*v))) == NULL)
		return NULL;
	v[0] = hook_envvar("FEEDSPOOL_STORY_ID", j->id);
	v[1] = hook_envvar("FEEDSPOOL_FEED", hook_feed(j));
	if (v[0] == NULL || v[1] == NULL) {
		free(v[0]);
		free(v[1]);
		free(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "FEEDSPOOL_STORY_ID=", 19) != 0 &&
		    strncmp(environ[i], "FEEDSPOOL_FEED=", 15) != 0)
			v[k++] = environ[i];
	v[k] = NULL;
	return v;
}

/*
 * The story's file: in new/, else in cur/ under the same name (a consumer
 * took it already), else NULL (*gone set) or NULL when out of memory.
 */
static char *
hook_path(const struct hooks *h, const struct hookjob *j, int *gone)
{
	static const char *const dirs[] = { "new", "cur" };
	struct stat	 st;
	char		*path;
	size_t		 i;

	*gone = 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (asprintf(&path, "%s/%s/%s", h->spool, dirs[i],
		    j->name) < 0)
			return NULL;
		if (stat(path, &st) == 0)
			return path;
		free(path);
	}
	*gone = 1;
	return NULL;
}

/*
 * posix_spawn's settings: stdin /dev/null, stdout onto stderr, no other
 * descriptor, every signal at its default and none blocked (the daemon
 * ignores SIGPIPE, which a child would inherit), a process group of its
 * own (a timeout ends the whole of a `sh -c` pipeline).
 */
static int
hook_spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr)
{
	sigset_t	 all, none;

	sigfillset(&all);
	sigemptyset(&none);
	if (posix_spawn_file_actions_init(fa) != 0)
		return -1;
	if (posix_spawnattr_init(attr) != 0) {
		posix_spawn_file_actions_destroy(fa);
		return -1;
	}
	if (posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, STDERR_FILENO,
	    STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1) !=
	    0 ||
	    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP) != 0 ||
	    posix_spawnattr_setsigdefault(attr, &all) != 0 ||
	    posix_spawnattr_setsigmask(attr, &none) != 0 ||
	    posix_spawnattr_setpgroup(attr, 0) != 0) {
		posix_spawnattr_destroy(attr);
		posix_spawn_file_actions_destroy(fa);
		return -1;
	}
	return 0;
}

/* Start j's child: 0 (pid set), or an errno. */
static int
hook_spawn(struct hookjob *j, const char *path)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	char				**argv = NULL, **env = NULL;
	size_t				 n = cmdline_count(j->argv);
	int				 rc = ENOMEM;

	if ((argv = calloc(n + 2, sizeof(*argv))) == NULL ||
	    (env = hook_env(j)) == NULL)
		goto out;
	memcpy(argv, j->argv, n * sizeof(*argv));
	argv[n] = (char *)(uintptr_t)path;
	if (hook_spawn_setup(&fa, &attr) == -1)
		goto out;
	rc = posix_spawnp(&j->pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
out:
	if (env != NULL) {
		free(env[0]);
		free(env[1]);
	}
	free(env);
	free(argv);
	return rc;
}

/* A run failed (why): tried again after its backoff, or given up. */
static void
hook_failed(struct hooks *h, struct hookjob *j, const char *why)
{
	struct timeval	 tv = { 1, 0 };
	unsigned	 i;

	if (j->tries >= h->tries || h->stopped) {
		log_notice("feed %s: story %s: hook %s %s (run %u of %u): "
		    "giving up", hook_feed(j), j->id, j->argv[0], why,
		    j->tries, h->tries);
		hook_retire(h, j);
		return;
	}
	for (i = 1; i < j->tries && tv.tv_sec < HOOK_BACKOFF_MAX_SEC; i++)
		tv.tv_sec *= 2;
	if (tv.tv_sec > HOOK_BACKOFF_MAX_SEC)
		tv.tv_sec = HOOK_BACKOFF_MAX_SEC;
	log_notice("feed %s: story %s: hook %s %s (run %u of %u): again in "
	    "%llds", hook_feed(j), j->id, j->argv[0], why, j->tries, h->tries,
	    (long long)tv.tv_sec);
	if (j->state == HOOK_RUNNING) {
		TAILQ_REMOVE(&h->running, j, entry);
		h->nrunning--;
	} else
		TAILQ_REMOVE(&h->queue, j, entry);
	j->state = HOOK_WAITING;
	j->pid = 0;
	TAILQ_INSERT_TAIL(&h->waiting, j, entry);
	evtimer_add(&j->timer, &tv);
}

/* Start j, first of the queue: running, failed, or skipped. */
static void
hook_start(struct hooks *h, struct hookjob *j)
{
	struct timeval	 tv = { (time_t)h->timeout, 0 };
	char		 why[128];
	char		*path;
	int		 gone, rc;

	if ((path = hook_path(h, j, &gone)) == NULL) {
		if (gone)
			log_debug("feed %s: story %s: %s is in neither new/ "
			    "nor cur/ any more: no hook", hook_feed(j), j->id,
			    j->name);
		else
			log_warnx("feed %s: story %s: hook: out of memory",
			    hook_feed(j), j->id);
		hook_retire(h, j);
		return;
	}
	j->tries++;
	j->timed_out = 0;
	j->killed = 0;
	rc = hook_spawn(j, path);
	free(path);
	if (rc != 0) {
		(void)snprintf(why, sizeof(why), "cannot be run: %s",
		    strerror(rc));
		hook_failed(h, j, why);
		return;
	}
	TAILQ_REMOVE(&h->queue, j, entry);
	j->state = HOOK_RUNNING;
	j->started = hook_now_ms();
	TAILQ_INSERT_TAIL(&h->running, j, entry);
	h->nrunning++;
	evtimer_add(&j->timer, &tv);
	log_debug("feed %s: story %s: hook %s started, pid %ld",
	    hook_feed(j), j->id, j->argv[0], (long)j->pid);
}

static void
hooks_kick(struct hooks *h)
{
	struct hookjob	*j;

	while (!h->stopped && h->nrunning < h->max &&
	    (j = TAILQ_FIRST(&h->queue)) != NULL)
		hook_start(h, j);
}

/*
 * From the loop's callbacks only: told from hooks_add(), the daemon could
 * stop in the middle of a delivery, before its other stories are added.
 */
static void
hooks_tell_idle(struct hooks *h)
{
	if (h->nbusy == 0 && h->idle != NULL)
		h->idle(h->idle_arg);
}

/* j's child ended with status. */
static void
hook_ended(struct hooks *h, struct hookjob *j, int status)
{
	char	 why[128];

	evtimer_del(&j->timer);
	if (j->timed_out)
		(void)snprintf(why, sizeof(why), "timed out after %us",
		    h->timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("feed %s: story %s: hook %s done in %lld ms",
		    hook_feed(j), j->id, j->argv[0],
		    (long long)(hook_now_ms() - j->started));
		hook_retire(h, j);
		return;
	} else if (WIFEXITED(status))
		(void)snprintf(why, sizeof(why), "exited %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(why, sizeof(why), "killed by signal %d",
		    WTERMSIG(status));
	else
		(void)snprintf(why, sizeof(why), "ended, status %d", status);
	hook_failed(h, j, why);
}

/* Some child ended: which of ours did. */
static void
hooks_reap(struct hooks *h)
{
	struct hookjob	*j, *next;
	pid_t		 pid;
	int		 status;

	for (j = TAILQ_FIRST(&h->running); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		do
			pid = waitpid(j->pid, &status, WNOHANG);
		while (pid == -1 && errno == EINTR);
		if (pid == j->pid)
			hook_ended(h, j, status);
		else if (pid == -1) {
			/* Not ours to wait for any more (ECHILD). */
			log_warn("feed %s: story %s: hook pid %ld",
			    hook_feed(j), j->id, (long)j->pid);
			hook_retire(h, j);
		}
	}
}

static void
hooks_sigchld_cb(evutil_socket_t sig, short kind, void *arg)
{
	struct hooks	*h = arg;

	(void)sig;
	(void)kind;
	hooks_reap(h);
	hooks_kick(h);
	hooks_tell_idle(h);
}

/* The timeout, then the wait after SIGTERM, or the backoff ended. */
static void
hook_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct hookjob	*j = arg;
	struct hooks	*h = j->h;
	struct timeval	 tv = { HOOK_KILL_SEC, 0 };

	(void)fd;
	(void)kind;
	if (j->state == HOOK_WAITING) {
		TAILQ_REMOVE(&h->waiting, j, entry);
		j->state = HOOK_QUEUED;
		TAILQ_INSERT_TAIL(&h->queue, j, entry);
		hooks_kick(h);
		hooks_tell_idle(h);
		return;
	}
	if (j->state != HOOK_RUNNING)
		return;
	if (j->killed) {
		/* A backstop: its SIGCHLD should have come by now. */
		hooks_reap(h);
		hooks_kick(h);
		hooks_tell_idle(h);
		return;
	}
	if (!j->timed_out) {
		j->timed_out = 1;
		(void)kill(-j->pid, SIGTERM);
		evtimer_add(&j->timer, &tv);
		return;
	}
	j->killed = 1;
	(void)kill(-j->pid, SIGKILL);
	evtimer_add(&j->timer, &tv);
}

struct hooks *
hooks_new(struct event_base *base, const char *spool, void (*idle)(void *),
    void *arg)
{
	struct hooks	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->base = base;
	h->idle = idle;
	h->idle_arg = arg;
	h->max = 1;
	h->timeout = 60;
	h->tries = 1;
	TAILQ_INIT(&h->queue);
	TAILQ_INIT(&h->running);
	TAILQ_INIT(&h->waiting);
	/* Before any child exists, so that no SIGCHLD goes unseen. */
	if ((h->spool = strdup(spool)) == NULL ||
	    (h->sigchld = evsignal_new(base, SIGCHLD, hooks_sigchld_cb,
	    h)) == NULL || event_add(h->sigchld, NULL) == -1) {
		if (h->sigchld != NULL)
			event_free(h->sigchld);
		free(h->spool);
		free(h);
		return NULL;
	}
	return h;
}

void
hooks_configure(struct hooks *h, unsigned max, unsigned timeout_sec,
    unsigned tries)
{
	h->max = max > 0 ? max : 1;
	h->timeout = timeout_sec > 0 ? timeout_sec : 1;
	h->tries = tries > 0 ? tries : 1;
	hooks_kick(h);
}

int
hooks_add(struct hooks *h, char *const *argv, const char *id,
    const char *feed, const char *name)
{
	struct hookjob	*j;

	if (h->stopped) {
		h->dropped++;
		log_info("feed %s: story %s: stopping, its hook is not run",
		    feed != NULL ? feed : "?", id);
		return -1;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->argv = cmdline_dup(argv)) == NULL ||
	    (j->id = strdup(id)) == NULL ||
	    (feed != NULL && (j->feed = strdup(feed)) == NULL) ||
	    (j->name = strdup(name)) == NULL ||
	    evtimer_assign(&j->timer, h->base, hook_timer_cb, j) == -1) {
		log_warnx("feed %s: story %s: hook: out of memory",
		    feed != NULL ? feed : "?", id);
		hookjob_free(j);
		return -1;
	}
	j->h = h;
	j->state = HOOK_QUEUED;
	TAILQ_INSERT_TAIL(&h->queue, j, entry);
	h->nbusy++;
	hooks_kick(h);
	return 0;
}

size_t
hooks_running(const struct hooks *h)
{
	return h != NULL ? h->nrunning : 0;
}

size_t
hooks_busy(const struct hooks *h)
{
	return h != NULL ? h->nbusy : 0;
}

void
hooks_stop(struct hooks *h)
{
	struct hookjob	*j;

	if (h == NULL)
		return;
	h->stopped = 1;
	while ((j = TAILQ_FIRST(&h->queue)) != NULL) {
		h->dropped++;
		log_info("feed %s: story %s: stopping, its hook is not run",
		    hook_feed(j), j->id);
		hook_retire(h, j);
	}
	while ((j = TAILQ_FIRST(&h->waiting)) != NULL) {
		h->dropped++;
		log_info("feed %s: story %s: stopping, its hook is not run "
		    "again", hook_feed(j), j->id);
		hook_retire(h, j);
	}
}

/* Wait up to ms for every running child; those left are SIGKILLed. */
static void
hooks_end_running(struct hooks *h, int64_t ms)
{
	struct hookjob	*j;
	struct timespec	 nap = { 0, 20 * 1000000L };
	int64_t		 until = hook_now_ms() + ms;
	int		 status;

	TAILQ_FOREACH(j, &h->running, entry)
		(void)kill(-j->pid, SIGTERM);
	while (h->nrunning > 0) {
		j = TAILQ_FIRST(&h->running);
		if (hook_now_ms() >= until)
			(void)kill(-j->pid, SIGKILL);
		if (waitpid(j->pid, &status, hook_now_ms() >= until ? 0 :
		    WNOHANG) == 0) {
			(void)nanosleep(&nap, NULL);
			continue;
		}
		log_notice("feed %s: story %s: hook %s ended as the daemon "
		    "stopped", hook_feed(j), j->id, j->argv[0]);
		hook_retire(h, j);
	}
}

void
hooks_free(struct hooks *h)
{
	if (h == NULL)
		return;
	h->idle = NULL;
	hooks_stop(h);
	if (h->nrunning > 0) {
		log_notice("stopping %zu hook%s still running", h->nrunning,
		    h->nrunning == 1 ? "" : "s");
		hooks_end_running(h, 1000);
	}
	if (h->dropped > 0)
		log_notice("%zu hook%s not run: their stories are in the "
		    "spool all the same", h->dropped, h->dropped == 1 ? "" :
		    "s");
	event_free(h->sigchld);
	free(h->spool);
	free(h);
}
