/*
 * daemon: libevent + libcurl multi-socket, in the shape of curl's
 * docs/examples/hiperfifo.c: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION, one struct event per socket) and when to wake
 * it (CURLMOPT_TIMERFUNCTION, one timer); both paths call
 * curl_multi_socket_action() and then drain curl_multi_info_read().
 * A second timer wakes the scheduler.  Signals arrive as libevent events.
 * The feed polls are in poll.c, the article pages in pages.c.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <systemd/sd-daemon.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/daemon_int.h"
#include "daemon/fetch.h"
#include "daemon/hook.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/metrics.h"
#include "daemon/sched.h"
#include "daemon/story.h"
#include "daemon/watch.h"
#include "daemon/work.h"
#include "parsers/date.h"
#include "parsers/langid.h"
#include "store/dedup.h"
#include "store/spool.h"
#include "store/state.h"

static void	daemon_schedule(struct daemon *);
static void	daemon_prune_dups(struct daemon *);
static void	daemon_maybe_exit(struct daemon *);
static void	daemon_check_multi(struct daemon *);
static void	daemon_health(struct daemon *);

/* A one-shot run waits this long at most for a transfer to be allowed. */
#define DAEMON_ONCE_WAIT_MS	60000
/* The group commit (daemon_settle): how long and how much may wait. */
#define DAEMON_FLUSH_MIN_MS	20
#define DAEMON_FLUSH_MAX_MS	1000
#define DAEMON_FLUSH_STORIES	256
#define DAEMON_FLUSH_BYTES	((size_t)4 << 20)

/* Deliveries that failed are tried again after 1 s, 2 s, ... up to 60 s. */
#define DAEMON_RETRY_MIN_MS	1000
#define DAEMON_RETRY_MAX_MS	60000

/* What curl's SOCKETFUNCTION keeps per socket. */
struct sockctx {
	struct event	*ev;
};

int64_t
daemon_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval
ms_to_tv(int64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return tv;
}

/* The charset parameter of a Content-Type value, or NULL. */
char *
daemon_charset(const char *ctype)
{
	const char	*p, *end;

	if (ctype == NULL)
		return NULL;
	for (p = ctype; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		end = p + strcspn(p, "\"; \t");
		if (end == p || end - p > 40)
			return NULL;
		return strndup(p, (size_t)(end - p));
	}
	return NULL;
}

/*
 * Told first thing by poll_done() and pages_done(), while se still runs,
 * so that its transfer moves to the budget of the address it went to.
 */
void
daemon_host_answered(struct daemon *d, struct sched_entry *se,
    const struct fetch_result *r)
{
	const char	*host = sched_host(se);
	int64_t		 wait;

	/* From now on its transfers count against that address's budget. */
	if (r->addr != NULL && sched_host_addr(d->sched, host, r->addr) == -1)
		log_debug("host %s: address %s not remembered", host, r->addr);
	if (!r->ok || (r->status != 429 && r->status != 503))
		return;
	wait = r->retry_after >= 0 ? (int64_t)r->retry_after * 1000 :
	    DAEMON_HOST_WAIT_MS;
	if (wait > DAEMON_HOST_WAIT_MAX_MS)
		wait = DAEMON_HOST_WAIT_MAX_MS;
	if (wait == 0)
		return;
	sched_host_wait(d->sched, host, daemon_now_ms() + wait);
	log_info("host %s: HTTP %ld: no request to it%s%s for %llds", host,
	    r->status, r->addr != NULL ? " or to " : "",
	    r->addr != NULL ? r->addr : "", (long long)(wait / 1000));
}

static void
daemon_notify_status(struct daemon *d)
{
	/* Counted, not read off the list: this is told at every poll. */
	sd_notifyf(0, "STATUS=%zu feeds, %" PRIu64 " stories delivered, "
	    "%u transfers", d->nlive, d->delivered, d->transfers);
}

static void
daemon_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;
	int		 action = 0, running;

	if (kind & EV_READ)
		action |= CURL_CSELECT_IN;
	if (kind & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(d->multi, fd, action, &running);
	/*
	 * Unlike hiperfifo, the timer is left to curl's TIMERFUNCTION: the
	 * polls started from daemon_check_multi() have just armed it.
	 */
	daemon_check_multi(d);
}

static void
daemon_curl_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;
	int		 running;

	(void)fd;
	(void)kind;
	curl_multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	daemon_check_multi(d);
}

/* CURLMOPT_TIMERFUNCTION: arm (or disarm, on -1) the one timer. */
static int
daemon_multi_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(d->curl_timer);
		return 0;
	}
	tv = ms_to_tv(timeout_ms);
	return evtimer_add(d->curl_timer, &tv) == 0 ? 0 : -1;
}

/* CURLMOPT_SOCKETFUNCTION: one struct event per socket. */
static int
daemon_sock_cb(CURL *easy, curl_socket_t s, int what, void *arg,
    void *sockp)
{
	struct daemon	*d = arg;
	struct sockctx	*sc = sockp;
	short		 kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sc != NULL) {
			event_free(sc->ev);
			free(sc);
		}
		curl_multi_assign(d->multi, s, NULL);
		return 0;
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (sc == NULL) {
		if ((sc = calloc(1, sizeof(*sc))) == NULL)
			return -1;
		curl_multi_assign(d->multi, s, sc);
	} else if (sc->ev != NULL) {
		event_free(sc->ev);
		sc->ev = NULL;
	}
	sc->ev = event_new(d->base, s, kind, daemon_event_cb, d);
	if (sc->ev == NULL || event_add(sc->ev, NULL) == -1) {
		log_err("cannot watch a socket: out of memory");
		return -1;
	}
	return 0;
}

/* A story keep/drop left out of the spool, in the log. */
void
daemon_log_watch_drop(const struct story *s)
{
	log_info("feed %s: story %s <%s> %s%s, recorded, not spooled",
	    s->feed_name != NULL ? s->feed_name : "?", s->id,
	    s->url != NULL ? s->url : "", s->nwatch > 0 ?
	    "matches watch " : "matches no watch (keep = watch)",
	    s->nwatch > 0 ? s->watch[0].name : "");
}

/*
 * ingest_watch_fn: the story's watches, and whether its feed's keep and
 * drop (the defaults for a feed no longer configured) leave it out.  The
 * watches are the running config's: a reload rebuilds them.
 */
static int
daemon_watch(void *arg, struct story *s)
{
	struct daemon			*d = arg;
	const struct config		*cfg = d->cfg;
	const struct config_feed	*cf;
	const struct watch_hit		*hits;
	size_t				 nhits;

	if (cfg->watch == NULL) {
		story_clear_watch(s);
		return 0;
	}
	if (watch_story(cfg->watch, s, &hits, &nhits) == -1)
		return -1;
	if ((cf = config_feed_find(cfg, s->feed_name)) != NULL)
		return watch_drops(hits, nhits, cf->keep_watch, cf->drop,
		    cf->ndrop);
	return watch_drops(hits, nhits, cfg->keep_watch, cfg->drop,
	    cfg->ndrop);
}

/* ingest_fate_fn: a story of the documents flushed, delivered or not. */
static void
daemon_fate(void *arg, const struct story *s, enum ingest_fate fate,
    const char *why)
{
	struct daemon	*d = arg;

	report_story(d->report, s->feed_name != NULL ? s->feed_name : "?", s,
	    fate);
	if (fate == INGEST_WATCH_DROPPED) {
		daemon_log_watch_drop(s);
		return;
	}
	if (fate == INGEST_DUP_MARKED || fate == INGEST_DUP_DROPPED)
		metrics_duplicate(d->metrics, why, fate == INGEST_DUP_MARKED);
	if (fate == INGEST_DELIVERED || fate == INGEST_DUP_MARKED)
		metrics_delivered(d->metrics);
	if (fate != INGEST_DELIVERED)
		log_info("feed %s: story %s <%s> is a duplicate, %s",
		    s->feed_name != NULL ? s->feed_name : "?", s->id,
		    s->url != NULL ? s->url : "", fate == INGEST_DUP_MARKED ?
		    "spooled marked" : "recorded, not spooled");
	else if (s->revision <= 1 && s->supersedes != NULL)
		log_info("feed %s: story %s <%s> is a fuller text of story %s, "
		    "spooled superseding it",
		    s->feed_name != NULL ? s->feed_name : "?", s->id,
		    s->url != NULL ? s->url : "", s->supersedes);
	if (fate != INGEST_DUP_DROPPED)
		d->delivered++;
}

/* The feed of a story file in new/ (adopted after a crash), or NULL. */
static char *
daemon_file_feed(struct daemon *d, const char *name)
{
	char		 path[PATH_MAX];
	json_t		*j;
	const char	*feed;
	char		*copy = NULL;
	int		 n;

	n = snprintf(path, sizeof(path), "%s/new/%s", d->cfg->spool, name);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (j = json_load_file(path, 0, NULL)) == NULL)
		return NULL;
	feed = json_string_value(json_object_get(json_object_get(j, "feed"),
	    "name"));
	if (feed != NULL)
		copy = strdup(feed);
	json_decref(j);
	return copy;
}

/* ingest_spooled_fn: a story is in new/ for good: its feed's hook runs. */
static void
daemon_spooled(void *arg, const char *id, const char *feed,
    const char *name)
{
	struct daemon			*d = arg;
	const struct config_feed	*cf;
	char *const			*argv;
	char				*found = NULL;

	if (d->hooks == NULL)
		return;
	if (feed == NULL)
		feed = found = daemon_file_feed(d, name);
	cf = config_feed_find(d->cfg, feed);
	argv = cf != NULL ? cf->exec : d->cfg->exec;
	if (argv != NULL)
		(void)hooks_add(d->hooks, argv, id, feed, name);
	free(found);
}

/* The last hook ended. */
static void
daemon_hooks_idle(void *arg)
{
	daemon_maybe_exit(arg);
}

/*
 * The hooks, given the spool's absolute path (a hook may change its
 * directory).  Before the first delivery: pages_resume() delivers too.
 */
static int
daemon_setup_hooks(struct daemon *d)
{
	char	 abs[PATH_MAX];

	if (realpath(d->cfg->spool, abs) == NULL) {
		log_warn("spool %s", d->cfg->spool);
		return -1;
	}
	if ((d->hooks = hooks_new(d->base, abs, daemon_hooks_idle, d)) ==
	    NULL) {
		log_err("hooks: out of memory");
		return -1;
	}
	hooks_configure(d->hooks, d->cfg->exec_max, d->cfg->exec_timeout,
	    d->cfg->exec_tries);
	ingest_on_spooled(d->ingest, daemon_spooled, d);
	return 0;
}

/*
 * The stories of every document that came in since the last flush: one
 * commit and one spool batch for all of them.
 */
static void
daemon_flush(struct daemon *d)
{
	char	 err[1024];

	/* A failing delivery is daemon_health()'s to report. */
	if (ingest_flush(d->ingest, err, sizeof(err)) == -2 &&
	    !ingest_health(d->ingest)->failing)
		log_err("storing stories: %s (their feeds are read again at "
		    "their next poll)", err);
}

/* Everything waiting flushed: the documents' stories, then the pages'. */
static void
daemon_flush_all(struct daemon *d)
{
	int64_t	 t0 = daemon_now_ms();

	evtimer_del(d->flush_timer);
	d->flush_since = 0;
	daemon_flush(d);
	pages_deliver(d);
	d->flush_cost = daemon_now_ms() - t0;
}

/*
 * The group commit.  A flush costs a few fsyncs whatever it carries (tens
 * of ms each on a journalled disk behind a VM), so what comes in while
 * transfers still run waits for what they bring: the flush runs when none
 * is in flight, when DAEMON_FLUSH_STORIES or _BYTES wait, or after four
 * times what the last flush took (at most a fifth of the time goes to
 * flushing), between DAEMON_FLUSH_MIN_MS and _MAX_MS after the first
 * thing began to wait.  Nothing is at risk meanwhile: the validators of
 * those documents wait in the same uncommitted transaction, so after a
 * crash their feeds are read again.
 */
static void
daemon_settle(struct daemon *d)
{
	struct pagejob		*j;
	struct timeval		 tv;
	size_t			 stories, bytes;
	int64_t			 now = daemon_now_ms(), delay;
	int			 waiting;

	waiting = ingest_unflushed(d->ingest, &stories, &bytes);
	TAILQ_FOREACH(j, &d->finished, entry) {
		waiting = 1;
		stories++;
	}
	if (!waiting)
		return;
	if (d->flush_since == 0)
		d->flush_since = now;
	delay = d->flush_cost * 4;
	if (delay < DAEMON_FLUSH_MIN_MS)
		delay = DAEMON_FLUSH_MIN_MS;
	if (delay > DAEMON_FLUSH_MAX_MS)
		delay = DAEMON_FLUSH_MAX_MS;
	if ((d->transfers == 0 && work_busy(d->work) == 0) || d->stopping ||
	    stories >= DAEMON_FLUSH_STORIES || bytes >= DAEMON_FLUSH_BYTES ||
	    now - d->flush_since >= delay) {
		daemon_flush_all(d);
		return;
	}
	if (!evtimer_pending(d->flush_timer, NULL)) {
		tv = ms_to_tv(delay - (now - d->flush_since));
		evtimer_add(d->flush_timer, &tv);
	}
}

/* What the spool's trouble is called in the log and in status. */
static const char *
daemon_spool_trouble(int error)
{
	switch (error) {
	case ENOSPC:
	case EDQUOT:
		return "spool full";
	case EROFS:
		return "spool read-only";
	default:
		return "spool failing";
	}
}

/*
 * The spool's health in the log and in the state database (for `feedspool
 * status`), and the next try armed.  The database may be as unwritable as
 * the spool: then only the log says it.
 */
static void
daemon_report_failing(struct daemon *d, int first)
{
	const struct ingest_health	*h = ingest_health(d->ingest);
	char				 since[DATE_RFC3339_LEN], msg[1024];
	struct timeval			 tv;

	if (h->oldest <= 0 || date_format(h->oldest, since, sizeof(since)) ==
	    -1)
		(void)snprintf(since, sizeof(since), "now");
	(void)snprintf(msg, sizeof(msg), "%s: %zu stor%s waiting since %s: "
	    "%s", daemon_spool_trouble(h->error), h->waiting,
	    h->waiting == 1 ? "y" : "ies", since, h->message);
	if (first)
		log_err("%s; tried again in %llds", msg,
		    (long long)(d->retry_ms / 1000));
	else
		log_warnx("%s; tried again in %llds", msg,
		    (long long)(d->retry_ms / 1000));
	if (state_health_set(d->state, "spool", msg, h->since) == -1)
		log_debug("state: %s", state_errmsg(d->state));
	tv = ms_to_tv(d->retry_ms);
	evtimer_add(d->retry_timer, &tv);
}

/* Every story that waits, delivered now if the spool takes them. */
static void
daemon_retry(struct daemon *d)
{
	char	 err[1024];
	size_t	 queued = 0;
	int64_t	 since = ingest_health(d->ingest)->since;
	int	 n;

	/* What waits to be flushed goes first (its transaction is open). */
	daemon_flush_all(d);
	d->retry_at = daemon_now_ms();
	n = pages_redeliver(d, &queued, err, sizeof(err));
	if (n >= 0 && !ingest_health(d->ingest)->failing) {
		d->failing = 0;
		evtimer_del(d->retry_timer);
		log_notice("spool: delivering again after %llds: %d "
		    "stor%s delivered, %zu waiting for their page",
		    (long long)((int64_t)time(NULL) - since), n,
		    n == 1 ? "y" : "ies", queued);
		if (state_health_clear(d->state, "spool") == -1)
			log_warnx("state: %s", state_errmsg(d->state));
		return;
	}
	(void)spool_space(d->spool, &d->space);
	d->retry_ms = d->retry_ms * 2 > DAEMON_RETRY_MAX_MS ?
	    DAEMON_RETRY_MAX_MS : d->retry_ms * 2;
	daemon_report_failing(d, 0);
}

/* Whether a full or read-only spool has become usable since it failed. */
static int
daemon_spool_back(struct daemon *d)
{
	struct spool_space	 now;

	/* At most one early try a second, however busy the loop. */
	if (daemon_now_ms() - d->retry_at < DAEMON_RETRY_MIN_MS ||
	    spool_space(d->spool, &now) == -1)
		return 0;
	switch (ingest_health(d->ingest)->error) {
	case ENOSPC:
	case EDQUOT:
		return now.bytes > d->space.bytes || now.files > d->space.files;
	case EROFS:
		return !now.readonly;
	default:
		return 0;
	}
}

/*
 * After every flush: a delivery that just began to fail is reported and
 * retried on a timer with backoff, and at once when the spool has room
 * again (it is cheap to ask after every transfer).
 */
static void
daemon_health(struct daemon *d)
{
	const struct ingest_health	*h = ingest_health(d->ingest);

	if (!h->failing || d->stopping)
		return;
	if (!d->failing) {
		d->failing = 1;
		d->retry_ms = DAEMON_RETRY_MIN_MS;
		d->retry_at = daemon_now_ms();
		(void)spool_space(d->spool, &d->space);
		daemon_report_failing(d, 1);
		return;
	}
	if (daemon_spool_back(d))
		daemon_retry(d);
}

static void
daemon_flush_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)kind;
	daemon_flush_all(d);
	daemon_health(d);
	daemon_notify_status(d);
	daemon_schedule(d);
	daemon_maybe_exit(d);
}

static void
daemon_retry_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)kind;
	if (d->stopping)
		return;
	daemon_retry(d);
	daemon_schedule(d);
	daemon_maybe_exit(d);
}

static void
daemon_check_multi(struct daemon *d)
{
	CURLMsg		*msg;
	int		 left;
	struct fetch	*f;

	while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		f = fetch_of(msg->easy_handle);
		curl_multi_remove_handle(d->multi, msg->easy_handle);
		d->transfers--;
		if (f == NULL)
			continue;
		/* Tells the poll or the page, which may free f. */
		fetch_done(f, msg->data.result);
	}
	daemon_turn(d);
}

void
daemon_turn(struct daemon *d)
{
	daemon_settle(d);
	daemon_health(d);
	daemon_prune_dups(d);
	daemon_notify_status(d);
	daemon_schedule(d);
	daemon_maybe_exit(d);
}

/*
 * A one-shot run does not sit out a long wait a server asked for (a 429's
 * Retry-After holds its whole host back): what is left is not polled this
 * time, and says so; pages not fetched leave their stories the feed's text.
 */
static void
daemon_once_give_up(struct daemon *d, int64_t wait)
{
	struct feedrt	*fr;

	log_notice("the next transfer could start only in %llds (a server "
	    "asked to wait): not waiting in a one-shot run",
	    (long long)(wait / 1000));
	TAILQ_FOREACH(fr, &d->feeds, entry) {
		if (fr->removed || fr->parked || fr->polls > 0 ||
		    fr->fetch != NULL)
			continue;
		fr->parked = 1;
		feedrt_summary(fr, "not polled: its host asked to wait %llds",
		    (long long)(wait / 1000));
	}
	pages_drop(d, 0);
	daemon_maybe_exit(d);
}

/* Start what is due, then sleep until the next feed is. */
static void
daemon_schedule(struct daemon *d)
{
	struct sched_entry	*se;
	struct timeval		 tv;
	int64_t			 wait;

	if (d->stopping)
		return;
	while ((se = sched_pop(d->sched, daemon_now_ms())) != NULL) {
		struct job	*j = sched_data(se);

		j->start(d, j);
	}
	/*
	 * Those that could not start wait with the pages that came in (the
	 * group commit): a delivery here, at every turn, was a flush for
	 * every page.
	 */
	if (!TAILQ_EMPTY(&d->finished))
		daemon_settle(d);
	wait = sched_wait(d->sched, daemon_now_ms());
	evtimer_del(d->sched_timer);
	if (wait < 0 || (d->opts->once && wait > 1000LL * 86400 * 365))
		return;
	if (d->opts->once && wait > DAEMON_ONCE_WAIT_MS) {
		daemon_once_give_up(d, wait);
		return;
	}
	tv = ms_to_tv(wait);
	evtimer_add(d->sched_timer, &tv);
}

static void
daemon_sched_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	(void)fd;
	(void)kind;
	daemon_schedule(arg);
}

static int
daemon_once_finished(struct daemon *d)
{
	struct feedrt	*fr;

	if (!TAILQ_EMPTY(&d->pages))
		return 0;
	/*
	 * Asked at every poll's end: read on from the first feed not done
	 * when last asked (a feed done stays done until a reload), not from
	 * the first of 10,000.
	 */
	fr = d->once_from != NULL ? d->once_from : TAILQ_FIRST(&d->feeds);
	for (; fr != NULL; fr = TAILQ_NEXT(fr, entry))
		if (!fr->removed && !fr->parked && fr->polls == 0)
			break;
	d->once_from = fr;
	return fr == NULL;
}

static void
daemon_maybe_exit(struct daemon *d)
{
	/* Stopping, only those running are left (hooks_stop()). */
	if (d->transfers > 0 || hooks_busy(d->hooks) > 0 ||
	    work_busy(d->work) > 0)
		return;
	if (d->stopping || (d->opts->once && daemon_once_finished(d)))
		event_base_loopexit(d->base, NULL);
}

/* The loop is alive: told to systemd at half its WatchdogSec=. */
static void
daemon_watchdog_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;
	int64_t		 stalled;

	(void)fd;
	(void)kind;
	/*
	 * A worker stuck in one job stalls its feed as surely as a stuck
	 * loop: no ping, and systemd restarts the service.
	 */
	if ((stalled = work_stalled(d->work)) > d->watchdog_ms) {
		log_err("a worker thread has been in one job for %lld s: "
		    "no ping for the watchdog", (long long)(stalled / 1000));
		return;
	}
	sd_notify(0, "WATCHDOG=1");
}

/*
 * Under WatchdogSec=, a timer of the loop itself pings systemd: a loop
 * that stalls (a hung call, a busy loop) stops pinging and is restarted.
 */
static int
daemon_setup_watchdog(struct daemon *d)
{
	uint64_t	 usec;
	struct timeval	 tv;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	d->watchdog_ms = (int64_t)(usec / 1000);
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	d->watchdog = event_new(d->base, -1, EV_PERSIST, daemon_watchdog_cb, d);
	if (d->watchdog == NULL || event_add(d->watchdog, &tv) == -1)
		return -1;
	log_info("watchdog: a ping every %lld ms", (long long)(usec / 1000));
	return 0;
}

static void
daemon_grace_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)kind;
	if (d->transfers > 0)
		log_warnx("abandoning %u transfer%s still running after %ds",
		    d->transfers, d->transfers == 1 ? "" : "s",
		    DAEMON_GRACE_SEC);
	event_base_loopexit(d->base, NULL);
}

static void
daemon_stop_cb(evutil_socket_t sig, short kind, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { DAEMON_GRACE_SEC, 0 };

	(void)kind;
	if (d->stopping) {
		log_notice("signal %d again: stopping now", (int)sig);
		event_base_loopexit(d->base, NULL);
		return;
	}
	d->stopping = 1;
	sd_notify(0, "STOPPING=1");
	evtimer_del(d->sched_timer);
	pages_drop(d, 0);
	hooks_stop(d->hooks);
	log_notice("signal %d: stopping, %u transfer%s in flight, %zu hook%s "
	    "running", (int)sig, d->transfers, d->transfers == 1 ? "" : "s",
	    hooks_running(d->hooks), hooks_running(d->hooks) == 1 ? "" : "s");
	if (d->transfers == 0 && hooks_running(d->hooks) == 0 &&
	    work_busy(d->work) == 0) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	evtimer_add(d->grace_timer, &tv);
}

static void
daemon_log_errors(const char *prefix, char *errors)
{
	char	*line, *save = NULL;

	if (errors == NULL)
		return;
	for (line = strtok_r(errors, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_err("%s%s", prefix, line);
}

/* A feed that stays: its new settings, and its next poll if they move it. */
static void
daemon_reconfigure(struct daemon *d, struct feedrt *fr,
    const struct config_feed *cf)
{
	char		*old_url;
	unsigned	 old_interval = fr->interval;

	fr->cf = cf;	/* the old configuration is freed next */
	if ((old_url = strdup(fr->url)) == NULL ||
	    feedrt_configure(fr, cf) == -1) {
		log_err("feed %s: out of memory", fr->name);
		free(old_url);
		return;
	}
	poll_reconfigured(d, fr, old_url, old_interval);
	free(old_url);
}

/* Whether two settings that may be unset are the same. */
static int
daemon_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Swap in a new configuration: feeds added, removed or changed. */
static void
daemon_apply(struct daemon *d, struct config *cfg)
{
	struct feedrt		*fr, *next;
	size_t			 i, added = 0, removed = 0;

	d->once_from = NULL;	/* feeds may be resumed or added */
	for (fr = TAILQ_FIRST(&d->feeds); fr != NULL; fr = next) {
		next = TAILQ_NEXT(fr, entry);
		if (fr->removed || config_feed_find(cfg, fr->name) != NULL)
			continue;
		removed++;
		log_info("feed %s: removed from the configuration", fr->name);
		if (fr->fetch != NULL) {
			fr->removed = 1;	/* freed when its poll ends */
			d->nlive--;
			sched_remove(d->sched, fr->se);
			continue;
		}
		sched_remove(d->sched, fr->se);
		poll_unlist(d, fr);
		feedrt_free(fr);
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if ((fr = poll_find_feed(d, cfg->feeds[i].name)) != NULL) {
			daemon_reconfigure(d, fr, &cfg->feeds[i]);
			continue;
		}
		if (poll_add_feed(d, &cfg->feeds[i]) == 0) {
			added++;
			log_info("feed %s: added", cfg->feeds[i].name);
		}
	}
	sched_limits(d->sched, cfg->max_transfers, cfg->per_host);
	sched_host_gap(d->sched, (int64_t)cfg->host_gap * 1000);
	hooks_configure(d->hooks, cfg->exec_max, cfg->exec_timeout,
	    cfg->exec_tries);
	log_setdefault((enum log_level)CONFIG_LOG_LEVEL(cfg));
	if (strcmp(cfg->spool, d->cfg->spool) != 0 ||
	    strcmp(cfg->state, d->cfg->state) != 0)
		log_warnx("reload: a new spool or state path takes effect at "
		    "the next restart");
	if (!daemon_same(cfg->metrics_listen, d->cfg->metrics_listen) ||
	    !daemon_same(cfg->metrics_file, d->cfg->metrics_file))
		log_warnx("reload: a new metrics_listen or metrics_file takes "
		    "effect at the next restart");
	log_notice("reloaded %s: %zu feeds, %zu added, %zu removed",
	    cfg->path, cfg->nfeeds, added, removed);
}

static void
daemon_hup_cb(evutil_socket_t sig, short kind, void *arg)
{
	struct daemon	*d = arg;
	struct config	*cfg = NULL;
	char		*errors = NULL;

	(void)sig;
	(void)kind;
	if (d->stopping)
		return;
	sd_notify(0, "RELOADING=1");
	if (config_load(d->opts->config, &cfg, &errors) == -1) {
		log_err("reload of %s failed, keeping the running "
		    "configuration:", d->opts->config);
		daemon_log_errors("reload: ", errors);
		free(errors);
		sd_notify(0, "READY=1");
		return;
	}
	/* The paths in use stay: compare against what is open. */
	daemon_apply(d, cfg);
	config_free(d->cfg);
	d->cfg = cfg;
	langid_enable(cfg->detect_language);
	sd_notify(0, "READY=1");
	daemon_schedule(d);
}

static int
daemon_add_fp(void *arg, const char *id, int64_t t, const struct dedup_fp *fp,
    const char *url)
{
	(void)url;
	return dedup_add(arg, id, t, fp);
}

/*
 * The duplicate index, filled with the stories of the window when the
 * first story is judged (ingest_defer_dups): a run that hears only 304s
 * never reads it (at 55,000 stories, 60 MiB and most of a re-poll's time).
 */
static int
daemon_fill_dups(void *arg)
{
	struct daemon	*d = arg;
	int64_t		 since;

	d->dups_pruned = (int64_t)time(NULL);
	since = d->dups_pruned - (int64_t)d->cfg->dup_window;
	if (state_fp_expire(d->state, since) == -1 ||
	    state_fp_load(d->state, since, daemon_add_fp, d->dups) == -1) {
		log_err("duplicate index: %s (stories not in it are not "
		    "found duplicates)", state_errmsg(d->state));
		return -1;
	}
	log_info("duplicate index: %zu stories of the last %u days",
	    dedup_count(d->dups), d->cfg->dup_window / 86400);
	return 0;
}

/*
 * The index's sketches are read from the state store, for the few
 * candidates that need one: a quarter of its memory less.  Its rows are
 * saved with each story the index is given (ingest_remember), in the
 * same connection.
 */
static int
daemon_fp_sketch(void *arg, const char *id, uint8_t sketch[DEDUP_SKETCH])
{
	struct daemon	*d = arg;
	int		 rc;

	if ((rc = state_fp_sketch(d->state, id, sketch, DEDUP_SKETCH)) == -1)
		log_warnx("duplicate index: story %s: %s", id,
		    state_errmsg(d->state));
	return rc == 1 ? 0 : -1;
}

static int
daemon_load_dups(struct daemon *d)
{
	struct dedup_params	 p;

	dedup_params_default(&p);
	p.max_distance = d->cfg->dup_distance;
	p.min_similarity = d->cfg->dup_similarity;
	p.far_similarity = d->cfg->dup_far_similarity;
	p.min_containment = d->cfg->dup_containment;
	if ((d->dups = dedup_new(&p)) == NULL ||
	    dedup_sketches_from(d->dups, daemon_fp_sketch, d) == -1) {
		log_err("duplicate index: out of memory");
		return -1;
	}
	d->dups_pruned = (int64_t)time(NULL);
	return 0;
}

/* Stories older than the window stop being compared (hourly). */
static void
daemon_prune_dups(struct daemon *d)
{
	int64_t	 now = (int64_t)time(NULL), before;

	if (now - d->dups_pruned < 3600)
		return;
	d->dups_pruned = now;
	before = now - (int64_t)d->cfg->dup_window;
	dedup_expire(d->dups, before);
	if (state_fp_expire(d->state, before) == -1)
		log_warnx("duplicate index: %s", state_errmsg(d->state));
}

static int
daemon_open_store(struct daemon *d, const char *spool, const char *state)
{
	char	 err[1024];

	if (spool_open(spool, &d->spool, err, sizeof(err)) == -1) {
		log_err("spool %s: %s", spool, err);
		return -1;
	}
	if (state_open(state, &d->state, err, sizeof(err)) == -1) {
		log_err("state %s: %s", state, err);
		return -1;
	}
	if (daemon_load_dups(d) == -1)
		return -1;
	if ((d->ingest = ingest_new(d->state, d->spool, d->dups, daemon_fate,
	    d)) == NULL) {
		log_err("state %s: out of memory", state);
		return -1;
	}
	ingest_defer_dups(d->ingest, daemon_fill_dups, d);
	ingest_set_watch(d->ingest, daemon_watch, d);
	return 0;
}

/* metrics_gauges_fn: what the daemon holds now. */
static void
daemon_gauges(void *arg, struct metrics_gauges *g)
{
	struct daemon	*d = arg;
	struct feedrt	*fr;
	struct pagejob	*j;
	size_t		 n;
	int64_t		 oldest;

	TAILQ_FOREACH(fr, &d->feeds, entry) {
		if (fr->removed)
			continue;
		g->feeds++;
		if (fr->failures > 0)
			g->feeds_failing++;
		if (fr->fetch == NULL && !fr->parked &&
		    !(d->opts->once && fr->polls > 0))
			g->queued[METRICS_FEED]++;
	}
	TAILQ_FOREACH(j, &d->pages, entry)
		if (j->fetch == NULL)
			g->queued[METRICS_PAGE]++;
	g->transfers = d->transfers;
	if (state_pending_count(d->state, &n, &oldest) == 0)
		g->pending = (int64_t)n;
}

/* The metrics kept, served on metrics_listen, written to metrics_file. */
static int
daemon_setup_metrics(struct daemon *d)
{
	char	 err[512];

	if ((d->metrics = metrics_new(daemon_gauges, d)) == NULL) {
		log_err("metrics: out of memory");
		return -1;
	}
	if (d->cfg->metrics_listen != NULL && metrics_serve(d->metrics,
	    d->base, d->cfg->metrics_listen, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	if (d->cfg->metrics_file != NULL && metrics_file(d->metrics, d->base,
	    d->cfg->metrics_file) == -1) {
		log_err("metrics_file %s: %s", d->cfg->metrics_file,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
daemon_setup_events(struct daemon *d)
{
	if ((d->base = event_base_new()) == NULL ||
	    (d->multi = curl_multi_init()) == NULL)
		return -1;
	d->curl_timer = evtimer_new(d->base, daemon_curl_timer_cb, d);
	d->sched_timer = evtimer_new(d->base, daemon_sched_timer_cb, d);
	d->grace_timer = evtimer_new(d->base, daemon_grace_cb, d);
	d->retry_timer = evtimer_new(d->base, daemon_retry_cb, d);
	d->flush_timer = evtimer_new(d->base, daemon_flush_cb, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, daemon_stop_cb, d);
	d->sig_int = evsignal_new(d->base, SIGINT, daemon_stop_cb, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, daemon_hup_cb, d);
	if (d->curl_timer == NULL || d->sched_timer == NULL ||
	    d->grace_timer == NULL || d->retry_timer == NULL ||
	    d->flush_timer == NULL ||
	    d->sig_term == NULL ||
	    d->sig_int == NULL || d->sig_hup == NULL)
		return -1;
	if (event_add(d->sig_term, NULL) == -1 ||
	    event_add(d->sig_int, NULL) == -1 ||
	    event_add(d->sig_hup, NULL) == -1 ||
	    daemon_setup_watchdog(d) == -1)
		return -1;
	curl_multi_setopt(d->multi, CURLMOPT_SOCKETFUNCTION, daemon_sock_cb);
	curl_multi_setopt(d->multi, CURLMOPT_SOCKETDATA, d);
	curl_multi_setopt(d->multi, CURLMOPT_TIMERFUNCTION,
	    daemon_multi_timer_cb);
	curl_multi_setopt(d->multi, CURLMOPT_TIMERDATA, d);
	/* The per-host limit is the scheduler's; this is a backstop. */
	curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)d->cfg->per_host);
	return 0;
}

static void
daemon_teardown(struct daemon *d)
{
	struct feedrt	*fr;

	/* The documents the workers hold are stored, or left to their next
	 * poll; before the flush, and before their feeds go. */
	work_free(d->work);
	d->work = NULL;
	if (d->ingest != NULL && d->sched != NULL) {
		daemon_flush(d);
		pages_drop(d, 1);
		/* Last, with what those deliveries counted. */
		if (metrics_flush(d->metrics) == -1)
			log_warn("metrics_file %s", d->cfg->metrics_file);
	}
	/* Stories the last flush delivered get none: logged as not run. */
	hooks_free(d->hooks);
	d->hooks = NULL;
	/* A worker left in its job reads its feed's answer: all of it stays. */
	while (!work_left() && (fr = TAILQ_FIRST(&d->feeds)) != NULL) {
		poll_unlist(d, fr);
		if (fr->fetch != NULL) {
			curl_multi_remove_handle(d->multi,
			    fetch_easy(fr->fetch));
			fetch_free(fr->fetch);
		}
		feedrt_free(fr);
	}
	poll_map_free(d);
	if (d->multi != NULL)
		curl_multi_cleanup(d->multi);
	metrics_free(d->metrics);
	if (d->curl_timer != NULL)
		event_free(d->curl_timer);
	if (d->sched_timer != NULL)
		event_free(d->sched_timer);
	if (d->grace_timer != NULL)
		event_free(d->grace_timer);
	if (d->retry_timer != NULL)
		event_free(d->retry_timer);
	if (d->flush_timer != NULL)
		event_free(d->flush_timer);
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	if (d->sig_term != NULL)
		event_free(d->sig_term);
	if (d->sig_int != NULL)
		event_free(d->sig_int);
	if (d->sig_hup != NULL)
		event_free(d->sig_hup);
	if (d->base != NULL)
		event_base_free(d->base);
	sched_free(d->sched);
	report_free(d->report);
	ingest_free(d->ingest);
	dedup_free(d->dups);
	state_close(d->state);
	spool_close(d->spool);
	config_free(d->cfg);
}

/* run --once: a line per feed, and the total (daemon/report.c). */
static void
daemon_print_summary(struct daemon *d)
{
	struct feedrt	*fr;
	size_t		 pending = 0;
	int64_t		 oldest;

	TAILQ_FOREACH(fr, &d->feeds, entry)
		report_feed(d->report, fr->name, fr->url, fr->polls > 0 ||
		    fr->parked ? feedrt_summary_of(fr) : NULL);
	if (state_pending_count(d->state, &pending, &oldest) == -1)
		pending = 0;
	report_end(d->report, pending);
}

/*
 * The worker threads: workers = auto is one a CPU, none on one CPU (the
 * loop thread alone is as fast there, and simpler).
 */
static int
daemon_setup_work(struct daemon *d)
{
	unsigned	 n = d->cfg->workers;
	char		 err[256];

	if (n == CONFIG_AUTO && (n = work_cpus()) == 1)
		n = 0;
	if (n > WORK_THREADS_MAX)
		n = WORK_THREADS_MAX;
	if ((d->work = work_new(d->base, n, err, sizeof(err))) == NULL) {
		log_err("%s", err);
		return -1;
	}
	log_info("%u worker thread%s", n, n == 1 ? "" : "s");
	return 0;
}

/* Replace a config path with a command-line override. */
static int
daemon_override(char **slot, const char *value)
{
	char	*copy;

	if (value == NULL)
		return 0;
	if ((copy = strdup(value)) == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

int
daemon_run(const struct daemon_opts *opts)
{
	struct daemon	 d;
	char		*errors = NULL;
	size_t		 i;
	int		 rc = DAEMON_EXIT_STORE;

	memset(&d, 0, sizeof(d));
	d.opts = opts;
	TAILQ_INIT(&d.feeds);
	TAILQ_INIT(&d.pages);
	TAILQ_INIT(&d.finished);
	TAILQ_INIT(&d.held);
	d.pages_per_poll = POLL_PAGES_GUESS;
	srandom((unsigned)(time(NULL) ^ getpid()));
	if (config_load(opts->config, &d.cfg, &errors) == -1) {
		daemon_log_errors("", errors);
		free(errors);
		return DAEMON_EXIT_CONFIG;
	}
	log_setdefault((enum log_level)CONFIG_LOG_LEVEL(d.cfg));
	if (daemon_override(&d.cfg->spool, opts->spool) == -1 ||
	    daemon_override(&d.cfg->state, opts->state) == -1) {
		log_err("%s: settings too long or out of memory", opts->config);
		config_free(d.cfg);
		return DAEMON_EXIT_CONFIG;
	}
	if (opts->once && (d.report = report_new(d.cfg->nfeeds,
	    opts->json)) == NULL) {
		log_err("run --once: out of memory");
		goto out;
	}
	if (daemon_open_store(&d, d.cfg->spool, d.cfg->state) == -1)
		goto out;
	if ((d.sched = sched_new(d.cfg->max_transfers, d.cfg->per_host)) ==
	    NULL || daemon_setup_events(&d) == -1) {
		log_err("cannot set up the event loop: out of memory");
		goto out;
	}
	if (daemon_setup_metrics(&d) == -1) {
		rc = DAEMON_EXIT_CONFIG;
		goto out;
	}
	if (daemon_setup_hooks(&d) == -1 || daemon_setup_work(&d) == -1)
		goto out;
	/* One pass over every feed: per_host and the gap keep hosts calm. */
	sched_spread(d.sched, !opts->once);
	sched_host_gap(d.sched, (int64_t)d.cfg->host_gap * 1000);
	for (i = 0; i < d.cfg->nfeeds; i++)
		if (poll_add_feed(&d, &d.cfg->feeds[i]) == -1)
			goto out;
	if (pages_resume(&d) == -1)
		goto out;
	daemon_health(&d);
	log_notice("feedspool %s: %zu feeds, spool %s, state %s%s",
	    FEEDSPOOL_VERSION, d.cfg->nfeeds, d.cfg->spool, d.cfg->state,
	    opts->once ? ", polling once" : "");
	/* The models load at the first story that needs a guess; a missing
	 * package is told at once. */
	langid_enable(d.cfg->detect_language);
	if (d.cfg->detect_language && !langid_present())
		log_warnx("language detection is off: cannot read the language "
		    "models of libexttextcat-data");
	sd_notify(0, "READY=1");
	daemon_notify_status(&d);
	daemon_schedule(&d);
	daemon_maybe_exit(&d);
	if (event_base_dispatch(d.base) == -1) {
		log_err("event loop failed");
		goto out;
	}
	if (opts->once)
		daemon_print_summary(&d);
	log_notice("stopped: %" PRIu64 " stories delivered", d.delivered);
	rc = DAEMON_EXIT_OK;
	/* One pass must say when it leaves stories it could not spool. */
	if (opts->once && ingest_health(d.ingest)->failing) {
		log_err("%zu stories wait in the state database for the spool "
		    "(%s): the next run delivers them",
		    ingest_health(d.ingest)->waiting,
		    ingest_health(d.ingest)->message);
		rc = DAEMON_EXIT_STORE;
	}
out:
	daemon_teardown(&d);
	return rc;
}
