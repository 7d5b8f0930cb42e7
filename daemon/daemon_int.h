/*
 * The daemon's parts, shared by its three files: daemon.c is the loop glue
 * (libevent, curl's multi interface, signals, reload, set-up), poll.c the
 * feed polls, pages.c the article pages of new stories.
 */
#ifndef FEEDSPOOL_DAEMON_INT_H
#define FEEDSPOOL_DAEMON_INT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "daemon/work.h"
#include "parsers/feed.h"
#include "store/spool.h"

struct config;
struct config_feed;
struct story;
struct daemon;
struct daemon_opts;
struct dedup_index;
struct event;
struct event_base;
struct fetch;
struct fetch_opts;
struct fetch_result;
struct hooks;
struct ingest;
struct ingest_page;
struct report;
struct metrics;
struct sched;
struct sched_entry;
struct spool;
struct state;

/* Transfers still running this long after SIGTERM are abandoned. */
#define DAEMON_GRACE_SEC	5
/* Failed feeds back off exponentially, up to this. */
#define DAEMON_BACKOFF_MAX_MS	(INT64_C(24) * 3600 * 1000)
/*
 * A 429 or 503 holds back every transfer to its host and address for as
 * long as Retry-After says, at most DAEMON_HOST_WAIT_MAX_MS (an address
 * may be a CDN's, shared by many publishers), or DAEMON_HOST_WAIT_MS
 * without one.  The feed itself waits as long as it was told.
 */
#define DAEMON_HOST_WAIT_MS	(INT64_C(60) * 1000)
#define DAEMON_HOST_WAIT_MAX_MS	(INT64_C(3600) * 1000)
#define DAEMON_ONCE_NEVER	INT64_MAX

#define DAEMON_CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* What a scheduler entry stands for: how to start it when it is due. */
struct job {
	void	(*start)(struct daemon *, struct job *);
};

struct feedrt {
	struct job		 job;
	TAILQ_ENTRY(feedrt)	 entry;
	struct daemon		*d;
	char			*name;
	char			*url;
	char			*host;
	const struct config_feed *cf;	/* in d->cfg: its request settings */
	unsigned		 interval;
	unsigned		 timeout;
	size_t			 max_body;
	int			 fetch_articles;
	int			 dup_mark;
	int			 updates_emit;
	int			 follow_schedule;
	unsigned		 max_interval;	/* seconds */
	int			 adaptive;
	char			*asked_url;	/* of the poll in flight */
	int			 polled_moved;	/* it is the moved_to url */
	int			 parked;	/* not polled: gone, or told to
						   wait past a --once run */
	struct sched_entry	*se;
	struct fetch		*fetch;		/* the poll in flight */
	int			 removed;	/* by a reload, while in flight */
	unsigned		 polls;
	unsigned		 failures;	/* in a row, as last polled */
	/* In daemon.held: its poll waits for the pages (poll_hold). */
	int			 held;
	int64_t			 held_since;	/* ms, 0: not waiting */
	int			 inpoll;	/* counted in daemon.inpoll */
	TAILQ_ENTRY(feedrt)	 held_entry;
	char			*summary;	/* of the last poll, or NULL */
	struct feedrt		*byname_next;	/* in daemon.byname's chain */
};
TAILQ_HEAD(feedlist, feedrt);

/* The feeds of the list by name: chains of a hash of the name. */
struct feedmap {
	struct feedrt		**heads;
	size_t			 nheads;	/* a power of two, or 0 */
	size_t			 n;
};

/* The web page of a new story, to fetch once. */
struct pagejob {
	struct job		 job;
	TAILQ_ENTRY(pagejob)	 entry;
	struct daemon		*d;
	struct ingest_page	*page;
	unsigned		 timeout;
	size_t			 max_body;
	struct sched_entry	*se;
	struct fetch		*fetch;
	const struct fetch_result *result;	/* finished: the page, or NULL */
	int			 deferred;	/* held back, not fetched */
	struct work_job		 work;		/* its merge, on a worker */
	struct ingest_page_work	*merge;		/* or NULL */
	int			 merging;	/* by a worker, fetch done */
};
TAILQ_HEAD(pagelist, pagejob);

struct daemon {
	const struct daemon_opts *opts;
	struct event_base	*base;
	CURLM			*multi;
	struct event		*curl_timer;
	struct event		*sched_timer;
	struct event		*grace_timer;
	struct event		*sig_term;
	struct event		*sig_int;
	struct event		*sig_hup;
	struct config		*cfg;
	struct state		*state;
	struct spool		*spool;
	struct sched		*sched;
	struct dedup_index	*dups;		/* stories of the window */
	struct ingest		*ingest;	/* state, spool and dups */
	int64_t			 dups_pruned;	/* when, unix seconds */
	struct feedlist		 feeds;
	struct feedmap		 byname;	/* every feed of feeds */
	size_t			 nlive;		/* of feeds, not removed */
	/*
	 * run --once: every feed before this one is done (polled, parked or
	 * removed), which stays so until a reload; NULL: from the first.
	 */
	struct feedrt		*once_from;
	struct pagelist		 pages;
	struct pagelist		 finished;	/* to deliver as one batch */
	size_t			 npages;	/* pagejobs, in either list */
	unsigned		 inpoll;	/* polls of feeds fetching pages,
						   from the request to the end */
	double			 pages_per_poll; /* theirs, moving average */
	struct feedlist		 held;		/* polls waiting for pages */
	int			 held_told;	/* logged at info once */
	int			 stopping;
	struct event		*retry_timer;	/* deliveries, while failing */
	struct event		*flush_timer;	/* the group commit's delay */
	int64_t			 flush_since;	/* ms: the first thing waiting */
	int64_t			 flush_cost;	/* ms the last flush took */
	struct event		*watchdog;	/* WATCHDOG=1, under WatchdogSec= */
	int64_t			 watchdog_ms;	/* WatchdogSec= */
	int64_t			 retry_ms;	/* its backoff */
	int64_t			 retry_at;	/* the last try, ms */
	int			 failing;	/* as last reported */
	struct spool_space	 space;		/* at the last failure */
	unsigned		 transfers;
	uint64_t		 delivered;
	struct report		*report;	/* run --once's output, or NULL */
	struct metrics		*metrics;	/* NULL: none kept */
	struct hooks		*hooks;		/* exec = (daemon/hook.h) */
	struct work		*work;		/* the CPU's jobs (daemon/work.h) */
};

/* daemon.c */
int64_t		 daemon_now_ms(void);
/* The charset parameter of a Content-Type value, malloc'd, or NULL. */
char		*daemon_charset(const char *ctype);
/*
 * What the answer to the transfer of se (still running) tells its host's
 * budget: the address it was found at, and a wait after a 429 or 503.
 */
void		 daemon_host_answered(struct daemon *, struct sched_entry *se,
		    const struct fetch_result *);

/*
 * What the loop does after anything came in (a transfer ended, a job of
 * the workers): the group commit, health, the schedule, the exit of a
 * one-shot run.
 */
void		 daemon_turn(struct daemon *);

/* poll.c */
/*
 * What an HTTP error status means, and what to do about it when that is
 * the operator's to do, for the log and `feedspool status`.
 */
const char	*poll_http_reason(long status);
void		 feedrt_free(struct feedrt *);
/* Set the line of fr's last poll (cut at 511 bytes). */
void		 feedrt_summary(struct feedrt *fr, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* That line, "" when there is none. */
const char	*feedrt_summary_of(const struct feedrt *);
int		 feedrt_configure(struct feedrt *, const struct config_feed *);
void		 daemon_log_watch_drop(const struct story *);
int		 poll_add_feed(struct daemon *, const struct config_feed *);
struct feedrt	*poll_find_feed(struct daemon *, const char *name);
/* Take fr out of the feeds (and their map); it is not freed. */
void		 poll_unlist(struct daemon *, struct feedrt *);
void		 poll_map_free(struct daemon *);
/* A reload changed fr's settings (it was old_url, old_interval). */
void		 poll_reconfigured(struct daemon *, struct feedrt *,
		    const char *old_url, unsigned old_interval);

/*
 * The request settings of fr for url: the feed's proxy and User-Agent,
 * and its headers and login when url is on the feed's own host.
 */
void		 poll_request_opts(struct feedrt *fr, const char *url,
		    struct fetch_opts *);
/* The pages a poll is taken to bring before any came in (poll_hold). */
#define POLL_PAGES_GUESS	32
/* Fewer stories wait for their page: a few held polls may go now. */
void		 poll_release(struct daemon *);

/* pages.c */
/*
 * ingest_page_fn (arg: the daemon): the page of a story of feed p->feed,
 * queued under its host's budget while that feed is configured and fetches
 * articles; refused (-1: the story goes without it) otherwise.
 */
int		 pages_offer(void *d, struct ingest_page *);
/* Deliver the stories of every finished page, as one batch. */
void		 pages_deliver(struct daemon *);
/* Give up the pages not fetched yet (and those in flight, too). */
void		 pages_drop(struct daemon *, int in_flight_too);
/* Stories an earlier run left pending: delivered, or back in the queue. */
int		 pages_resume(struct daemon *);
/*
 * Every pending story not out for its page: back in the page queue when
 * its page is still to fetch, else delivered (ingest_pending()).
 */
int		 pages_redeliver(struct daemon *, size_t *queued, char *err,
		    size_t errlen);

#endif
