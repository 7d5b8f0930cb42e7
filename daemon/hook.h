/*
 * hook: `exec = COMMAND`, run once for each story file spooled into new/,
 * from the event loop and never blocking it.
 *
 * The command is an argv (daemon/cmdline.h), run without a shell with the
 * file's path as its last argument, FEEDSPOOL_STORY_ID and FEEDSPOOL_FEED
 * added to the daemon's environment, stdin /dev/null, stdout and stderr
 * the daemon's stderr, in a process group of its own.  At most exec_max
 * run at once, the others wait in a queue (in memory only).  A run that
 * exits non-zero, dies of a signal or outlasts exec_timeout (then SIGTERM
 * to its group, SIGKILL HOOK_KILL_SEC later) is run again after 1 s, 2 s,
 * 4 s ... (at most HOOK_BACKOFF_MAX_SEC), exec_tries runs in all.
 * Children are reaped on SIGCHLD (a libevent signal event), by their pid.
 */
#ifndef FEEDSPOOL_HOOK_H
#define FEEDSPOOL_HOOK_H

#include <stddef.h>

struct event_base;
struct hooks;

#define HOOK_KILL_SEC		2
#define HOOK_BACKOFF_MAX_SEC	300

/*
 * spool is the spool's directory (the path given to a hook is
 * SPOOL/new/NAME); idle(arg) is called each time the last hook ends.
 * NULL when out of memory or the SIGCHLD event cannot be added.
 */
struct hooks	*hooks_new(struct event_base *, const char *spool,
		    void (*idle)(void *), void *arg);
void		 hooks_configure(struct hooks *, unsigned max,
		    unsigned timeout_sec, unsigned tries);
/*
 * Run argv (copied) for story id of feed (may be NULL: "?") spooled as
 * name.  Returns 0, or -1 when out of memory or stopped (logged).
 */
int		 hooks_add(struct hooks *, char *const *argv, const char *id,
		    const char *feed, const char *name);
/* Running now; and running, queued or waiting for a retry. */
size_t		 hooks_running(const struct hooks *);
size_t		 hooks_busy(const struct hooks *);
/* No more starts: the queued and those waiting for a retry are dropped. */
void		 hooks_stop(struct hooks *);
/*
 * Stop, and end those still running: SIGTERM, then SIGKILL after at most
 * a second; each is reaped.  Then free.
 */
void		 hooks_free(struct hooks *);

#endif
