/*
 * daemon: libevent + libcurl multi-socket, in the shape of curl's
 * docs/examples/hiperfifo.c: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION, one struct event per socket) and when to wake
 * it (CURLMOPT_TIMERFUNCTION, one timer); both paths call
 * curl_multi_socket_action() and then drain curl_multi_info_read().
 * A second timer wakes the scheduler.  Signals arrive as libevent events.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/fetch.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/sched.h"
#include "store/dedup.h"
#include "store/spool.h"
#include "store/state.h"

/* Transfers still running this long after SIGTERM are abandoned. */
#define DAEMON_GRACE_SEC	5
/* Failed feeds back off exponentially, up to this. */
#define DAEMON_BACKOFF_MAX_MS	(INT64_C(24) * 3600 * 1000)
#define DAEMON_ONCE_NEVER	INT64_MAX

struct daemon;

/* What a scheduler entry or a transfer belongs to: the first member. */
enum job_kind {
	JOB_FEED,
	JOB_PAGE
};

struct feedrt {
	enum job_kind		 kind;
	TAILQ_ENTRY(feedrt)	 entry;
	struct daemon		*d;
	char			*name;
	char			*url;
	char			*host;
	unsigned		 interval;
	unsigned		 timeout;
	size_t			 max_body;
	int			 fetch_articles;
	int			 dup_mark;
	int			 updates_emit;
	int			 follow_schedule;
	struct feed_schedule	 schedule;	/* as the last answer said */
	struct sched_entry	*se;
	struct fetch		*fetch;		/* the poll in flight */
	int			 removed;	/* by a reload, while in flight */
	unsigned		 polls;
	char			 summary[512];	/* of the last poll */
};
TAILQ_HEAD(feedlist, feedrt);

/* The web page of a new story, to fetch once. */
struct pagejob {
	enum job_kind		 kind;
	TAILQ_ENTRY(pagejob)	 entry;
	struct ingest_page	*page;
	unsigned		 timeout;
	size_t			 max_body;
	struct sched_entry	*se;
	struct fetch		*fetch;
	const struct fetch_result *result;	/* finished: the page, or NULL */
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
	struct pagelist		 pages;
	struct pagelist		 finished;	/* to deliver as one batch */
	int			 stopping;
	int			 redeliver;	/* a delivery failed earlier */
	unsigned		 transfers;
	uint64_t		 delivered;
};

static void	daemon_schedule(struct daemon *);
static void	daemon_prune_dups(struct daemon *);
static int	daemon_queue_page(void *, struct ingest_page *);
static void	daemon_maybe_exit(struct daemon *);

static int64_t
now_ms(void)
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

/* The host part of url, lower-cased by curl; "" when it has none. */
static char *
url_host(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *copy;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return strdup("");
	}
	copy = strdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

/* The charset parameter of a Content-Type value, or NULL. */
static char *
content_charset(const char *ctype)
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

/* ---- feeds ---- */

static void
feedrt_free(struct feedrt *fr)
{
	if (fr == NULL)
		return;
	free(fr->name);
	free(fr->url);
	free(fr->host);
	free(fr);
}

/* Copy the settings of a configured feed; the feed keeps its state. */
static int
feedrt_configure(struct feedrt *fr, const struct config_feed *cf)
{
	char	*url, *host;

	if ((url = strdup(cf->url)) == NULL)
		return -1;
	if ((host = url_host(cf->url)) == NULL) {
		free(url);
		return -1;
	}
	free(fr->url);
	free(fr->host);
	fr->url = url;
	fr->host = host;
	fr->interval = cf->interval;
	fr->timeout = cf->timeout;
	fr->max_body = cf->max_body;
	fr->fetch_articles = cf->fetch_articles;
	fr->dup_mark = cf->dup_mark;
	fr->updates_emit = cf->updates_emit;
	fr->follow_schedule = cf->follow_schedule;
	return 0;
}

/* When the feed is first due: as the state store says, now at the latest
 * one interval away (the interval may have been shortened). */
static int64_t
feedrt_first_due(struct daemon *d, struct feedrt *fr, int64_t now)
{
	struct state_feed	 sf;
	int64_t			 due = now;

	if (d->opts->once)
		return now;
	if (state_feed_load(d->state, fr->name, &sf) == 0) {
		if (sf.next_poll > 0 && sf.url != NULL &&
		    strcmp(sf.url, fr->url) == 0)
			due = sf.next_poll * 1000;
		state_feed_clear(&sf);
	}
	if (due < now)
		due = now;
	if (due > now + (int64_t)fr->interval * 1000)
		due = now + (int64_t)fr->interval * 1000;
	return due;
}

static int
daemon_add_feed(struct daemon *d, const struct config_feed *cf)
{
	struct feedrt	*fr;

	if ((fr = calloc(1, sizeof(*fr))) == NULL)
		goto fail;
	fr->kind = JOB_FEED;
	fr->d = d;
	feed_schedule_clear(&fr->schedule);
	if ((fr->name = strdup(cf->name)) == NULL ||
	    feedrt_configure(fr, cf) == -1)
		goto fail;
	fr->se = sched_add(d->sched, fr->host,
	    feedrt_first_due(d, fr, now_ms()), fr, 1);
	if (fr->se == NULL)
		goto fail;
	TAILQ_INSERT_TAIL(&d->feeds, fr, entry);
	return 0;
fail:
	log_err("feed %s: out of memory", cf->name);
	feedrt_free(fr);
	return -1;
}

static struct feedrt *
daemon_find_feed(struct daemon *d, const char *name)
{
	struct feedrt	*fr;

	TAILQ_FOREACH(fr, &d->feeds, entry)
		if (!fr->removed && strcmp(fr->name, name) == 0)
			return fr;
	return NULL;
}

static void
daemon_notify_status(struct daemon *d)
{
	struct feedrt	*fr;
	unsigned	 n = 0;

	TAILQ_FOREACH(fr, &d->feeds, entry)
		if (!fr->removed)
			n++;
	sd_notifyf(0, "STATUS=%u feeds, %" PRIu64 " stories delivered, "
	    "%u transfers", n, d->delivered, d->transfers);
}

/* ---- curl <-> libevent ---- */

struct sockctx {
	struct event	*ev;
};

static void	daemon_check_multi(struct daemon *);

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

/* ---- polls ---- */

static void
daemon_start_poll(struct daemon *d, struct feedrt *fr)
{
	struct state_feed	 sf;
	struct fetch_opts	 o;
	int			 known;

	memset(&sf, 0, sizeof(sf));
	known = state_feed_load(d->state, fr->name, &sf) == 0;
	memset(&o, 0, sizeof(o));
	o.url = fr->url;
	/* Validators belong to the URL they came from. */
	if (known && sf.url != NULL && strcmp(sf.url, fr->url) == 0) {
		o.etag = sf.etag;
		o.last_modified = sf.last_modified;
	}
	o.user_agent = d->cfg->user_agent_header;
	o.timeout = fr->timeout;
	o.connect_timeout = d->cfg->connect_timeout;
	o.max_redirects = d->cfg->max_redirects;
	o.max_body = fr->max_body;
	fr->fetch = fetch_new(&o, fr);
	state_feed_clear(&sf);
	if (fr->fetch == NULL ||
	    curl_multi_add_handle(d->multi, fetch_easy(fr->fetch)) != CURLM_OK) {
		log_err("feed %s: cannot start a transfer", fr->name);
		fetch_free(fr->fetch);
		fr->fetch = NULL;
		sched_done(d->sched, fr->se, now_ms() + 60 * 1000);
		return;
	}
	d->transfers++;
	log_debug("feed %s: GET %s", fr->name, fr->url);
}

static int64_t
daemon_next_delay(const struct feedrt *fr, int ok, unsigned failures,
    long retry_after)
{
	int64_t		 delay = (int64_t)fr->interval * 1000;
	unsigned	 shift;

	if (!ok && failures > 0) {
		shift = failures - 1 > 6 ? 6 : failures - 1;
		delay <<= shift;
		if (delay > DAEMON_BACKOFF_MAX_MS)
			delay = DAEMON_BACKOFF_MAX_MS > (int64_t)fr->interval * 1000 ?
			    DAEMON_BACKOFF_MAX_MS : (int64_t)fr->interval * 1000;
	}
	/* Up to 5% later, so feeds that started together drift apart. */
	delay += (int64_t)(random() % (delay / 20 + 1));
	if (retry_after >= 0 && (int64_t)retry_after * 1000 > delay)
		delay = (int64_t)retry_after * 1000;
	return delay;
}

/* ---- article pages ---- */

static void
pagejob_free(struct pagejob *j)
{
	if (j == NULL)
		return;
	fetch_free(j->fetch);
	ingest_page_free(j->page);
	free(j);
}

/* ingest_page_fn: queue the page of a new story under its host's budget. */
static int
daemon_queue_page(void *arg, struct ingest_page *p)
{
	struct feedrt	*fr = arg;
	struct daemon	*d = fr->d;
	struct pagejob	*j;

	if (d->stopping || (j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->kind = JOB_PAGE;
	j->timeout = fr->timeout;
	j->max_body = fr->max_body;
	if ((j->se = sched_add(d->sched, p->host, now_ms(), j, 0)) == NULL) {
		free(j);
		return -1;
	}
	j->page = p;
	TAILQ_INSERT_TAIL(&d->pages, j, entry);
	return 0;
}

/*
 * The page of j is in (r) or, when why says what went wrong, will not be:
 * its transfer's place under the host's budget is given back at once, and
 * the story waits in d->finished for daemon_deliver_pages().
 */
static void
daemon_page_finish(struct daemon *d, struct pagejob *j,
    const struct fetch_result *r, const char *why)
{
	if (why != NULL)
		log_warnx("feed %s: page %s: %s; the story keeps the feed's "
		    "text", j->page->feed, j->page->url, why);
	j->result = r;
	TAILQ_REMOVE(&d->pages, j, entry);
	TAILQ_INSERT_TAIL(&d->finished, j, entry);
	if (j->se != NULL && sched_done(d->sched, j->se, DAEMON_ONCE_NEVER) == 0)
		sched_remove(d->sched, j->se);
	j->se = NULL;
}

/* How a story delivered with its page went, in the log. */
static void
daemon_page_log(struct daemon *d, const struct pagejob *j,
    const struct ingest_page_result *pr)
{
	const struct ingest_page	*p = j->page;

	if (pr->fate != INGEST_DELIVERED) {
		log_info("feed %s: story %s <%s> is a duplicate, %s", p->feed,
		    p->id, p->url, pr->fate == INGEST_DUP_MARKED ?
		    "spooled marked" : "recorded, not spooled");
		if (pr->fate == INGEST_DUP_MARKED)
			d->delivered++;
		return;
	}
	d->delivered++;
	if (j->result != NULL)
		log_debug("feed %s: page %s: %s, %.2fs", p->feed, p->url,
		    pr->used ? "article text" : "feed text kept",
		    j->result->seconds);
}

/*
 * Deliver every finished page's story as one batch: one flush of the
 * spool and one transaction for all the pages that came in together.
 */
static void
daemon_deliver_pages(struct daemon *d)
{
	struct ingest_page		**pv = NULL;
	struct ingest_page_result	 *pr = NULL;
	struct pagejob			 *j;
	char				  err[1024], **cs = NULL;
	size_t				  i, n = 0;
	int				  rc = -2;

	TAILQ_FOREACH(j, &d->finished, entry)
		n++;
	if (n == 0)
		return;
	if ((pv = calloc(n, sizeof(*pv))) == NULL ||
	    (pr = calloc(n, sizeof(*pr))) == NULL ||
	    (cs = calloc(n, sizeof(*cs))) == NULL) {
		(void)snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	i = 0;
	TAILQ_FOREACH(j, &d->finished, entry) {
		pv[i] = j->page;
		if (j->result != NULL) {
			pr[i].html = j->result->body;
			pr[i].len = j->result->body_len;
			pr[i].final_url = j->result->final_url;
			pr[i].charset = cs[i] =
			    content_charset(j->result->content_type);
		}
		i++;
	}
	rc = ingest_pages_done(d->ingest, pv, pr, n, err, sizeof(err));
out:
	i = 0;
	while ((j = TAILQ_FIRST(&d->finished)) != NULL) {
		TAILQ_REMOVE(&d->finished, j, entry);
		if (rc == -2) {
			log_err("feed %s: story %s: %s (kept, delivered later)",
			    j->page->feed, j->page->id, err);
			d->redeliver = 1;
		} else
			daemon_page_log(d, j, &pr[i]);
		if (cs != NULL)
			free(cs[i]);
		i++;
		pagejob_free(j);
	}
	free(cs);
	free(pr);
	free(pv);
}

static void
daemon_start_page(struct daemon *d, struct pagejob *j)
{
	struct fetch_opts	 o;

	memset(&o, 0, sizeof(o));
	o.url = j->page->url;
	o.user_agent = d->cfg->user_agent_header;
	o.timeout = j->timeout;
	o.connect_timeout = d->cfg->connect_timeout;
	o.max_redirects = d->cfg->max_redirects;
	o.max_body = j->max_body;
	o.public_only = !d->cfg->allow_private_articles;
	j->fetch = fetch_new(&o, j);
	if (j->fetch == NULL ||
	    curl_multi_add_handle(d->multi, fetch_easy(j->fetch)) != CURLM_OK) {
		log_err("feed %s: page %s: cannot start a transfer",
		    j->page->feed, j->page->url);
		daemon_page_finish(d, j, NULL, "cannot start a transfer");
		return;
	}
	d->transfers++;
	log_debug("feed %s: GET %s", j->page->feed, j->page->url);
}

/* An HTML answer, or why the page cannot be used. */
/*
 * What an HTTP error status means, and what to do about it when that is
 * the operator's to do, for the log and `feedspool status`.
 */
static const char *
http_reason(long status)
{
	switch (status) {
	case 400:
		return " Bad Request";
	case 401:
		return " Unauthorized: the feed wants a login";
	case 403:
		return " Forbidden: the server refuses us (a private feed, "
		    "or one that blocks robots)";
	case 404:
		return " Not Found: check the url";
	case 410:
		return " Gone: the publisher removed it; remove it from "
		    "the configuration";
	case 429:
		return " Too Many Requests";
	case 451:
		return " Unavailable For Legal Reasons";
	case 500:
		return " Internal Server Error";
	case 502:
		return " Bad Gateway";
	case 503:
		return " Service Unavailable";
	case 504:
		return " Gateway Timeout";
	default:
		return "";
	}
}

static const char *
daemon_page_problem(const struct fetch_result *r, char *buf, size_t len)
{
	const char	*ct = r->content_type;

	if (!r->ok)
		return r->error;
	if (r->status < 200 || r->status > 299) {
		snprintf(buf, len, "HTTP %ld%s", r->status,
		    http_reason(r->status));
		return buf;
	}
	if (ct != NULL && strcasestr(ct, "html") == NULL) {
		snprintf(buf, len, "not an HTML page (%s)", ct);
		return buf;
	}
	return NULL;
}

static void
daemon_page_done(struct daemon *d, struct pagejob *j)
{
	const struct fetch_result	*r = fetch_result(j->fetch);
	const char			*why;
	char				 buf[256];

	if ((why = daemon_page_problem(r, buf, sizeof(buf))) != NULL) {
		daemon_page_finish(d, j, NULL, why);
		return;
	}
	daemon_page_finish(d, j, r, NULL);
}

/* Ingest a 2xx answer.  Returns 0, or -1 with err set. */
static int
daemon_ingest(struct daemon *d, struct feedrt *fr,
    const struct fetch_result *r, int64_t now, struct ingest_counts *c,
    char *err, size_t errlen)
{
	struct ingest_feed	 f;
	char			*charset;
	int			 rc;

	/* Stories waiting for their page are pending too: not while those wait. */
	if (d->redeliver && TAILQ_EMPTY(&d->pages)) {
		if (ingest_pending(d->ingest, NULL, NULL, NULL, err,
		    errlen) == -1)
			return -1;
		d->redeliver = 0;
	}
	f.name = fr->name;
	f.url = fr->url;
	f.page_fn = fr->fetch_articles ? daemon_queue_page : NULL;
	f.page_arg = fr;
	f.dup_mark = fr->dup_mark;
	f.updates_emit = fr->updates_emit;
	charset = content_charset(r->content_type);
	rc = ingest_document(d->ingest, &f, r->body, r->body_len,
	    r->final_url != NULL ? r->final_url : fr->url, charset, now, c,
	    err, errlen);
	free(charset);
	d->delivered += c->fresh - c->waiting - (fr->dup_mark ? 0 : c->duplicates);
	if (rc == -2)
		d->redeliver = 1;
	return rc == 0 ? 0 : -1;
}

/*
 * A feed reached through permanent redirects only has moved: said once in
 * the log, kept for `feedspool status` until a good poll reaches it
 * directly (the configuration is the operator's to change, not ours).
 */
static void
daemon_note_move(const struct feedrt *fr, struct state_feed *sf,
    const struct fetch_result *r)
{
	char	*to = NULL;

	if (r->moved && r->final_url != NULL &&
	    strcmp(r->final_url, fr->url) != 0 &&
	    (to = strdup(r->final_url)) != NULL &&
	    (sf->moved_to == NULL || strcmp(sf->moved_to, to) != 0))
		log_notice("feed %s: moved permanently to <%s>; update its "
		    "url in the configuration", fr->name, to);
	free(sf->moved_to);
	sf->moved_to = to;
}

static void
daemon_poll_done(struct daemon *d, struct feedrt *fr)
{
	const struct fetch_result	*r = fetch_result(fr->fetch);
	struct state_feed		 sf;
	struct ingest_counts		 c;
	char				 err[1024] = "";
	int64_t				 now = now_ms(), next;
	int				 ok = 0, n;

	memset(&c, 0, sizeof(c));
	if (!r->ok)
		n = snprintf(err, sizeof(err), "%s", r->error);
	else if (r->status == 304)
		ok = 1;
	else if (r->status >= 200 && r->status < 300) {
		ok = daemon_ingest(d, fr, r, now, &c, err, sizeof(err)) == 0;
		if (ok)
			fr->schedule = c.schedule;
	}
	else
		n = snprintf(err, sizeof(err), "HTTP %ld%s%s", r->status,
		    http_reason(r->status), (r->status == 429 ||
		    r->status == 503) && r->retry_after >= 0 ?
		    ", told to retry later" : "");
	(void)n;	/* err is for humans: a cut message is acceptable */

	memset(&sf, 0, sizeof(sf));
	if (state_feed_load(d->state, fr->name, &sf) == -1)
		log_warnx("feed %s: state: %s", fr->name, state_errmsg(d->state));
	/* Validators are kept only once the answer is fully ingested. */
	if (ok && r->status != 304) {
		free(sf.etag);
		free(sf.last_modified);
		sf.etag = r->etag != NULL ? strdup(r->etag) : NULL;
		sf.last_modified = r->last_modified != NULL ?
		    strdup(r->last_modified) : NULL;
	}
	free(sf.url);
	sf.url = strdup(fr->url);
	free(sf.last_error);
	sf.last_error = ok ? NULL : strdup(err);
	if (ok)
		daemon_note_move(fr, &sf, r);
	sf.last_status = r->status;
	sf.last_poll = now / 1000;
	sf.failures = ok ? 0 : sf.failures + 1;
	next = daemon_next_delay(fr, ok, sf.failures, r->retry_after);
	/* A failing feed backs off on its own terms. */
	next = ok && fr->follow_schedule ?
	    sched_feed_next(now, next, &fr->schedule) : now + next;
	sf.next_poll = next / 1000;
	if (state_feed_save(d->state, fr->name, &sf) == -1)
		log_warnx("feed %s: state: %s", fr->name, state_errmsg(d->state));

	if (ok && r->status == 304)
		n = snprintf(fr->summary, sizeof(fr->summary),
		    "304 not modified, %.2fs", r->seconds);
	else if (ok)
		n = snprintf(fr->summary, sizeof(fr->summary),
		    "%ld, %zu bytes, %s%s, %zu items, %zu new%s%s, %.2fs",
		    r->status, r->body_len, c.version ? c.version : "?",
		    c.recovered ? " (recovered)" : "", c.items, c.fresh,
		    c.duplicates > 0 ? " (some duplicates)" : "",
		    c.waiting > 0 ? " (pages queued)" : "", r->seconds);
	else
		n = snprintf(fr->summary, sizeof(fr->summary),
		    "error: %s (%u consecutive failure%s), %.2fs", err,
		    sf.failures, sf.failures == 1 ? "" : "s", r->seconds);
	if (ok)
		log_info("feed %s: %s", fr->name, fr->summary);
	else
		log_warnx("feed %s: %s <%s>", fr->name, fr->summary, fr->url);
	state_feed_clear(&sf);
	(void)n;
	fetch_free(fr->fetch);
	fr->fetch = NULL;
	fr->polls++;
	if (d->opts->once)
		next = DAEMON_ONCE_NEVER;
	if (sched_done(d->sched, fr->se, next)) {
		/* Removed by a reload while it was in flight. */
		TAILQ_REMOVE(&d->feeds, fr, entry);
		feedrt_free(fr);
	}
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
		fetch_done(f, msg->data.result);
		if (*(enum job_kind *)fetch_owner(f) == JOB_PAGE)
			daemon_page_done(d, fetch_owner(f));
		else
			daemon_poll_done(d, fetch_owner(f));
	}
	daemon_deliver_pages(d);
	daemon_prune_dups(d);
	daemon_notify_status(d);
	daemon_schedule(d);
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
	while ((se = sched_pop(d->sched, now_ms())) != NULL) {
		if (*(enum job_kind *)sched_data(se) == JOB_PAGE)
			daemon_start_page(d, sched_data(se));
		else
			daemon_start_poll(d, sched_data(se));
	}
	daemon_deliver_pages(d);	/* those that could not start */
	wait = sched_wait(d->sched, now_ms());
	evtimer_del(d->sched_timer);
	if (wait < 0 || (d->opts->once && wait > 1000LL * 86400 * 365))
		return;
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
	TAILQ_FOREACH(fr, &d->feeds, entry)
		if (!fr->removed && fr->polls == 0)
			return 0;
	return 1;
}

static void
daemon_maybe_exit(struct daemon *d)
{
	if (d->transfers > 0)
		return;
	if (d->stopping || (d->opts->once && daemon_once_finished(d)))
		event_base_loopexit(d->base, NULL);
}

/* ---- signals and reload ---- */

/*
 * Deliver the stories whose page has not been fetched (all of them, or
 * only those not in flight) with the feed's text: stopping must not wait
 * for more transfers, and the stories are not to wait for the next start.
 */
static void
daemon_drop_pages(struct daemon *d, int in_flight_too)
{
	struct pagejob	*j, *next;

	for (j = TAILQ_FIRST(&d->pages); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		if (j->fetch != NULL) {
			if (!in_flight_too)
				continue;
			curl_multi_remove_handle(d->multi,
			    fetch_easy(j->fetch));
			d->transfers--;
		}
		daemon_page_finish(d, j, NULL, "not fetched, stopping");
	}
	daemon_deliver_pages(d);
}

static void
daemon_grace_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)kind;
	log_warnx("abandoning %u transfer%s still running after %ds",
	    d->transfers, d->transfers == 1 ? "" : "s", DAEMON_GRACE_SEC);
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
	daemon_drop_pages(d, 0);
	log_notice("signal %d: stopping, %u transfer%s in flight", (int)sig,
	    d->transfers, d->transfers == 1 ? "" : "s");
	if (d->transfers == 0) {
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

/* Swap in a new configuration: feeds added, removed or changed. */
static void
daemon_apply(struct daemon *d, struct config *cfg)
{
	struct feedrt		*fr, *next;
	size_t			 i, added = 0, removed = 0;

	for (fr = TAILQ_FIRST(&d->feeds); fr != NULL; fr = next) {
		next = TAILQ_NEXT(fr, entry);
		if (fr->removed || config_feed_find(cfg, fr->name) != NULL)
			continue;
		removed++;
		log_info("feed %s: removed from the configuration", fr->name);
		if (fr->fetch != NULL) {
			fr->removed = 1;	/* freed when its poll ends */
			sched_remove(d->sched, fr->se);
			continue;
		}
		sched_remove(d->sched, fr->se);
		TAILQ_REMOVE(&d->feeds, fr, entry);
		feedrt_free(fr);
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if ((fr = daemon_find_feed(d, cfg->feeds[i].name)) != NULL) {
			if (feedrt_configure(fr, &cfg->feeds[i]) == -1)
				log_err("feed %s: out of memory", fr->name);
			continue;
		}
		if (daemon_add_feed(d, &cfg->feeds[i]) == 0) {
			added++;
			log_info("feed %s: added", cfg->feeds[i].name);
		}
	}
	sched_limits(d->sched, cfg->max_transfers, cfg->per_host);
	if (strcmp(cfg->spool, d->cfg->spool) != 0 ||
	    strcmp(cfg->state, d->cfg->state) != 0)
		log_warnx("reload: a new spool or state path takes effect at "
		    "the next restart");
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
	sd_notify(0, "READY=1");
	daemon_schedule(d);
}

/* ---- set-up and teardown ---- */

static int
daemon_add_fp(void *arg, const char *id, int64_t t, const struct dedup_fp *fp,
    const char *url)
{
	(void)url;
	return dedup_add(arg, id, t, fp);
}

/* The duplicate index, filled with the stories of the window. */
static int
daemon_load_dups(struct daemon *d)
{
	struct dedup_params	 p;
	int64_t			 since;

	dedup_params_default(&p);
	p.max_distance = d->cfg->dup_distance;
	p.min_similarity = d->cfg->dup_similarity;
	p.far_similarity = d->cfg->dup_far_similarity;
	if ((d->dups = dedup_new(&p)) == NULL) {
		log_err("duplicate index: out of memory");
		return -1;
	}
	d->dups_pruned = (int64_t)time(NULL);
	since = d->dups_pruned - (int64_t)d->cfg->dup_window;
	if (state_fp_expire(d->state, since) == -1 ||
	    state_fp_load(d->state, since, daemon_add_fp, d->dups) == -1) {
		log_err("duplicate index: %s", state_errmsg(d->state));
		return -1;
	}
	log_info("duplicate index: %zu stories of the last %u days",
	    dedup_count(d->dups), d->cfg->dup_window / 86400);
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
	if ((d->ingest = ingest_new(d->state, d->spool, d->dups)) == NULL) {
		log_err("state %s: out of memory", state);
		return -1;
	}
	return 0;
}

/* ingest_page_fn for stories left waiting for their page by a crash. */
static int
daemon_requeue_page(void *arg, struct ingest_page *p)
{
	struct feedrt	*fr;

	if ((fr = daemon_find_feed(arg, p->feed)) == NULL ||
	    !fr->fetch_articles)
		return -1;
	p->dup_mark = fr->dup_mark;
	return daemon_queue_page(fr, p);
}

/*
 * Stories an earlier run left pending: those still waiting for their page
 * get it now (the feeds must be known), the others are delivered.
 */
static int
daemon_resume_pending(struct daemon *d)
{
	char	 err[1024];
	size_t	 queued;
	int	 n;

	n = ingest_pending(d->ingest, daemon_requeue_page, d,
	    &queued, err, sizeof(err));
	if (n == -1) {
		log_err("delivering pending stories: %s", err);
		return -1;
	}
	if (n > 0 || queued > 0)
		log_notice("stories left pending by an earlier run: %d "
		    "delivered, %zu waiting for their page", n, queued);
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
	d->sig_term = evsignal_new(d->base, SIGTERM, daemon_stop_cb, d);
	d->sig_int = evsignal_new(d->base, SIGINT, daemon_stop_cb, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, daemon_hup_cb, d);
	if (d->curl_timer == NULL || d->sched_timer == NULL ||
	    d->grace_timer == NULL || d->sig_term == NULL ||
	    d->sig_int == NULL || d->sig_hup == NULL)
		return -1;
	if (event_add(d->sig_term, NULL) == -1 ||
	    event_add(d->sig_int, NULL) == -1 ||
	    event_add(d->sig_hup, NULL) == -1)
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

	if (d->ingest != NULL && d->sched != NULL)
		daemon_drop_pages(d, 1);
	while ((fr = TAILQ_FIRST(&d->feeds)) != NULL) {
		TAILQ_REMOVE(&d->feeds, fr, entry);
		if (fr->fetch != NULL) {
			curl_multi_remove_handle(d->multi,
			    fetch_easy(fr->fetch));
			fetch_free(fr->fetch);
		}
		feedrt_free(fr);
	}
	if (d->multi != NULL)
		curl_multi_cleanup(d->multi);
	if (d->curl_timer != NULL)
		event_free(d->curl_timer);
	if (d->sched_timer != NULL)
		event_free(d->sched_timer);
	if (d->grace_timer != NULL)
		event_free(d->grace_timer);
	if (d->sig_term != NULL)
		event_free(d->sig_term);
	if (d->sig_int != NULL)
		event_free(d->sig_int);
	if (d->sig_hup != NULL)
		event_free(d->sig_hup);
	if (d->base != NULL)
		event_base_free(d->base);
	sched_free(d->sched);
	ingest_free(d->ingest);
	dedup_free(d->dups);
	state_close(d->state);
	spool_close(d->spool);
	config_free(d->cfg);
}

static void
daemon_print_summary(struct daemon *d)
{
	struct feedrt	*fr;

	TAILQ_FOREACH(fr, &d->feeds, entry)
		printf("%s: %s\n", fr->name,
		    fr->polls > 0 ? fr->summary : "not polled");
	fflush(stdout);
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
	srandom((unsigned)(time(NULL) ^ getpid()));
	if (config_load(opts->config, &d.cfg, &errors) == -1) {
		daemon_log_errors("", errors);
		free(errors);
		return DAEMON_EXIT_CONFIG;
	}
	if (daemon_override(&d.cfg->spool, opts->spool) == -1 ||
	    daemon_override(&d.cfg->state, opts->state) == -1) {
		log_err("%s: settings too long or out of memory", opts->config);
		config_free(d.cfg);
		return DAEMON_EXIT_CONFIG;
	}
	if (daemon_open_store(&d, d.cfg->spool, d.cfg->state) == -1)
		goto out;
	if ((d.sched = sched_new(d.cfg->max_transfers, d.cfg->per_host)) ==
	    NULL || daemon_setup_events(&d) == -1) {
		log_err("cannot set up the event loop: out of memory");
		goto out;
	}
	/* One pass over every feed: per_host alone keeps hosts calm. */
	sched_spread(d.sched, !opts->once);
	for (i = 0; i < d.cfg->nfeeds; i++)
		if (daemon_add_feed(&d, &d.cfg->feeds[i]) == -1)
			goto out;
	if (daemon_resume_pending(&d) == -1)
		goto out;
	log_notice("feedspool %s: %zu feeds, spool %s, state %s%s",
	    FEEDSPOOL_VERSION, d.cfg->nfeeds, d.cfg->spool, d.cfg->state,
	    opts->once ? ", polling once" : "");
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
out:
	daemon_teardown(&d);
	return rc;
}
