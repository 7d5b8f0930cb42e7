/*
 * poll: the feeds of the configuration, each polled in its turn: the
 * request (with the validators of its last answer), the answer ingested,
 * the feed's state and its next poll stored.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/daemon_int.h"
#include "daemon/fetch.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/metrics.h"
#include "daemon/nextpoll.h"
#include "daemon/sched.h"
#include "daemon/work.h"
#include "parsers/date.h"
#include "store/state.h"

/*
 * The longest a poll waits for the pages of others (poll_hold), below
 * DAEMON_ONCE_WAIT_MS: a one-shot run waits for it.
 */
#define POLL_HOLD_MAX_MS	(30 * 1000)

static void	poll_start_job(struct daemon *, struct job *);
static void	poll_fetched(struct fetch *, void *);

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

void
feedrt_free(struct feedrt *fr)
{
	if (fr == NULL)
		return;
	free(fr->name);
	free(fr->url);
	free(fr->host);
	free(fr->asked_url);
	free(fr->summary);
	free(fr);
}

/*
 * The line is kept as long as it is: a 512-byte buffer in every feed was
 * 5 MB of a daemon with 10,000 feeds.  Without memory for it, the feed
 * has none rather than the line of an older poll.
 */
void
feedrt_summary(struct feedrt *fr, const char *fmt, ...)
{
	char	 line[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)n;	/* for humans: a cut line is acceptable */
	free(fr->summary);
	fr->summary = strdup(line);
}

const char *
feedrt_summary_of(const struct feedrt *fr)
{
	return fr->summary != NULL ? fr->summary : "";
}

/* FNV-1a of a feed's name: for its chain in the map. */
static size_t
feedmap_hash(const char *name)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return (size_t)(h ^ h >> 32);
}

/* Room for one feed more: twice the chains past one feed a chain. */
static int
feedmap_room(struct feedmap *m)
{
	struct feedrt	**heads, *fr, *next;
	size_t		 n, i, b;

	if (m->n < m->nheads)
		return 0;
	n = m->nheads == 0 ? 64 : m->nheads * 2;
	if (n > SIZE_MAX / sizeof(*heads) ||
	    (heads = calloc(n, sizeof(*heads))) == NULL)
		return -1;
	for (i = 0; i < m->nheads; i++)
		for (fr = m->heads[i]; fr != NULL; fr = next) {
			next = fr->byname_next;
			b = feedmap_hash(fr->name) & (n - 1);
			fr->byname_next = heads[b];
			heads[b] = fr;
		}
	free(m->heads);
	m->heads = heads;
	m->nheads = n;
	return 0;
}

static void
feedmap_del(struct feedmap *m, struct feedrt *fr)
{
	struct feedrt	**pp;

	if (m->nheads == 0)
		return;
	pp = &m->heads[feedmap_hash(fr->name) & (m->nheads - 1)];
	for (; *pp != NULL; pp = &(*pp)->byname_next)
		if (*pp == fr) {
			*pp = fr->byname_next;
			m->n--;
			return;
		}
}

void
poll_map_free(struct daemon *d)
{
	free(d->byname.heads);
	memset(&d->byname, 0, sizeof(d->byname));
}

/*
 * The list's feeds are also in the map: a page or a reload finds its
 * feed without reading all of them (10,000 feeds, 100,000 pages).
 */
static int
poll_list(struct daemon *d, struct feedrt *fr)
{
	struct feedmap	*m = &d->byname;
	size_t		 b;

	if (feedmap_room(m) == -1)
		return -1;
	b = feedmap_hash(fr->name) & (m->nheads - 1);
	fr->byname_next = m->heads[b];
	m->heads[b] = fr;
	m->n++;
	TAILQ_INSERT_TAIL(&d->feeds, fr, entry);
	if (!fr->removed)
		d->nlive++;
	return 0;
}

static void	poll_unhold(struct daemon *, struct feedrt *);

void
poll_unlist(struct daemon *d, struct feedrt *fr)
{
	poll_unhold(d, fr);
	feedmap_del(&d->byname, fr);
	if (d->once_from == fr)
		d->once_from = TAILQ_NEXT(fr, entry);
	TAILQ_REMOVE(&d->feeds, fr, entry);
	if (!fr->removed)
		d->nlive--;
}

struct feedrt *
poll_find_feed(struct daemon *d, const char *name)
{
	struct feedrt	*fr;

	if (d->byname.nheads == 0)
		return NULL;
	for (fr = d->byname.heads[feedmap_hash(name) &
	    (d->byname.nheads - 1)]; fr != NULL; fr = fr->byname_next)
		if (!fr->removed && strcmp(fr->name, name) == 0)
			return fr;
	return NULL;
}

/* Copy the settings of a configured feed; the feed keeps its state. */
int
feedrt_configure(struct feedrt *fr, const struct config_feed *cf)
{
	char	*url, *host;

	fr->cf = cf;
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
	fr->max_interval = cf->max_interval;
	fr->adaptive = cf->adaptive;
	return 0;
}

/*
 * A feed not to be polled: gone (410), or, in a one-shot run, told to
 * wait past now.  It counts as done for the run, and says why.
 */
static void
feedrt_park(struct feedrt *fr, const char *why, int64_t until)
{
	char	 when[DATE_RFC3339_LEN];

	fr->parked = 1;
	if (until > 0 && date_format(until, when, sizeof(when)) == 0)
		feedrt_summary(fr, "not polled: %s until %s", why, when);
	else
		feedrt_summary(fr, "not polled: %s", why);
}

/*
 * When the feed is first due: when the state store says it is, for it
 * remembers every wait asked (a restart never moves a feed earlier), but
 * at most one interval away when the interval was changed since, and
 * never before a Retry-After deadline.  A feed whose url changed is new.
 */
static int64_t
feedrt_first_due(struct daemon *d, struct feedrt *fr, int64_t now,
    int64_t *wait_ms)
{
	struct state_feed	 sf;
	int64_t			 due = now, wait;

	*wait_ms = 0;
	if (state_feed_load(d->state, fr->name, &sf) == -1 ||
	    sf.url == NULL || strcmp(sf.url, fr->url) != 0) {
		state_feed_clear(&sf);
		return now;
	}
	wait = sf.retry_until * 1000;
	*wait_ms = wait;
	if (sf.gone) {
		feedrt_park(fr, "gone (HTTP 410); feedspool resume NAME polls "
		    "it again", 0);
		due = DAEMON_ONCE_NEVER;
	} else if (d->opts->once) {
		if (wait > now)
			feedrt_park(fr, "the server asked to wait",
			    sf.retry_until);
		due = wait > now ? DAEMON_ONCE_NEVER : now;
	} else {
		if (sf.next_poll > 0)
			due = sf.next_poll * 1000;
		if (sf.polled_interval != fr->interval &&
		    due > now + (int64_t)fr->interval * 1000)
			due = now + (int64_t)fr->interval * 1000;
		if (due < wait)
			due = wait;
	}
	state_feed_clear(&sf);
	return due < now ? now : due;
}

/*
 * A reload changed a feed's settings: a new url is a new feed, due now; a
 * shorter interval brings its next poll in; a feed resumed in the state
 * store (feedspool resume) is due now.
 */
void
poll_reconfigured(struct daemon *d, struct feedrt *fr, const char *old_url,
    unsigned old_interval)
{
	struct state_feed	 sf;
	int64_t			 now = daemon_now_ms(), due;
	int			 resumed = 0;

	if (fr->fetch != NULL || fr->se == NULL)
		return;
	if (fr->parked && state_feed_load(d->state, fr->name, &sf) == 0) {
		resumed = !sf.gone && !d->opts->once;
		state_feed_clear(&sf);
	}
	due = sched_due(fr->se);
	if (strcmp(old_url, fr->url) != 0 || resumed)
		due = now;
	else if (fr->interval != old_interval &&
	    due > now + (int64_t)fr->interval * 1000)
		due = now + (int64_t)fr->interval * 1000;
	if (due == now)
		fr->parked = 0;
	if (due != sched_due(fr->se))
		sched_set_due(fr->se, due);
}

int
poll_add_feed(struct daemon *d, const struct config_feed *cf)
{
	struct feedrt	*fr;
	int64_t		 now, wait;

	if ((fr = calloc(1, sizeof(*fr))) == NULL)
		goto fail;
	fr->job.start = poll_start_job;
	fr->d = d;
	if ((fr->name = strdup(cf->name)) == NULL ||
	    feedrt_configure(fr, cf) == -1)
		goto fail;
	now = daemon_now_ms();
	fr->se = sched_add(d->sched, fr->host, feedrt_first_due(d, fr, now,
	    &wait), fr, 1);
	if (fr->se == NULL)
		goto fail;
	/* What a 429 or 503 asked holds the whole host, after a restart too. */
	if (wait > now)
		sched_host_wait(d->sched, fr->host,
		    wait - now > DAEMON_HOST_WAIT_MAX_MS ?
		    now + DAEMON_HOST_WAIT_MAX_MS : wait);
	if (poll_list(d, fr) == -1) {
		sched_remove(d->sched, fr->se);
		goto fail;
	}
	return 0;
fail:
	log_err("feed %s: out of memory", cf->name);
	feedrt_free(fr);
	return -1;
}


void
poll_request_opts(struct feedrt *fr, const char *url, struct fetch_opts *o)
{
	const struct config_request	*rq = &fr->cf->req;

	o->user_agent = fr->cf->user_agent_header;
	o->proxy = rq->proxy;
	if (!fetch_same_origin(url, fr->url))
		return;
	o->headers = rq->headers;
	o->nheaders = rq->nheaders;
	o->username = rq->username;
	o->password = rq->password;
}

static void
poll_start(struct daemon *d, struct feedrt *fr)
{
	struct state_feed	 sf;
	struct fetch_opts	 o;
	int			 known;

	memset(&sf, 0, sizeof(sf));
	known = state_feed_load(d->state, fr->name, &sf) == 0 &&
	    sf.url != NULL && strcmp(sf.url, fr->url) == 0;
	memset(&o, 0, sizeof(o));
	/* Where the feed moved permanently, once followed. */
	fr->polled_moved = known && sf.polling_moved && sf.moved_to != NULL;
	free(fr->asked_url);
	fr->asked_url = strdup(fr->polled_moved ? sf.moved_to : fr->url);
	o.url = fr->asked_url != NULL ? fr->asked_url : fr->url;
	/* Validators belong to the feed they came from. */
	if (known) {
		o.etag = sf.etag;
		o.last_modified = sf.last_modified;
	}
	poll_request_opts(fr, o.url, &o);
	o.timeout = fr->timeout;
	o.connect_timeout = d->cfg->connect_timeout;
	o.max_redirects = d->cfg->max_redirects;
	o.max_body = fr->max_body;
	fr->fetch = fetch_new(&o, poll_fetched, fr);
	state_feed_clear(&sf);
	if (fr->fetch == NULL ||
	    curl_multi_add_handle(d->multi, fetch_easy(fr->fetch)) != CURLM_OK) {
		log_err("feed %s: cannot start a transfer", fr->name);
		fetch_free(fr->fetch);
		fr->fetch = NULL;
		sched_done(d->sched, fr->se, daemon_now_ms() + 60 * 1000);
		return;
	}
	d->transfers++;
	if (fr->fetch_articles) {
		fr->inpoll = 1;
		d->inpoll++;
	}
	log_debug("feed %s: GET %s", fr->name, o.url);
}

/*
 * What an HTTP error status means, and what to do about it when that is
 * the operator's to do, for the log and `feedspool status`.
 */
const char *
poll_http_reason(long status)
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

/* Ingest a 2xx answer.  Returns 0, or -1 with err set. */
/* What ingest is told of fr. */
static void
poll_feed_of(struct daemon *d, const struct feedrt *fr, struct ingest_feed *f)
{
	f->name = fr->name;
	f->url = fr->url;
	/* Offered at the flush, when the feed may be gone (pages_offer). */
	f->page_fn = fr->fetch_articles ? pages_offer : NULL;
	f->page_arg = d;
	f->dup_mark = fr->dup_mark;
	f->updates_emit = fr->updates_emit;
}

/* The document ingested on the loop thread (no worker could take it). */
static int
poll_ingest(struct daemon *d, struct feedrt *fr,
    const struct fetch_result *r, int64_t now, struct ingest_counts *c,
    char *err, size_t errlen)
{
	struct ingest_feed	 f;
	char			*charset;
	int			 rc;

	poll_feed_of(d, fr, &f);
	charset = daemon_charset(r->content_type);
	rc = ingest_document(d->ingest, &f, r->body, r->body_len,
	    r->final_url != NULL ? r->final_url : fr->url, charset, now, c,
	    err, errlen);
	free(charset);
	return rc == 0 ? 0 : -1;
}

/*
 * Asking the configured url again, the moved one having failed.  Without
 * the moved url's validators: they are another resource's, and its
 * Last-Modified could get a 304 from the configured url for news.
 */
static void
poll_move_back(struct feedrt *fr, struct state_feed *sf)
{
	log_notice("feed %s: <%s> failed; asking the configured url <%s> "
	    "again", fr->name, sf->moved_to, fr->url);
	sf->polling_moved = 0;
	sf->moved_polls = 0;
	free(sf->etag);
	free(sf->last_modified);
	free(sf->held_etag);
	free(sf->held_last_modified);
	sf->etag = sf->last_modified = NULL;
	sf->held_etag = sf->held_last_modified = NULL;
}

/*
 * A poll whose document lost some of its text to the parser's caps: a
 * warning, since the stories lack it and only the publisher can fix it.
 */
static void
poll_log_dropped(const struct feedrt *fr, const struct ingest_counts *c)
{
	char	 ents[192] = "", attrs[80] = "";

	/* for humans: a cut message is acceptable */
	if (c->entities_dropped > 0)
		(void)snprintf(ents, sizeof(ents), "; entity &%s; dropped "
		    "(%s), %zu reference%s left out", c->entity,
		    c->entity_why, c->entities_dropped,
		    c->entities_dropped == 1 ? "" : "s");
	if (c->attrs_dropped > 0)
		(void)snprintf(attrs, sizeof(attrs), "; %zu attribute%s over "
		    "the caps left out", c->attrs_dropped,
		    c->attrs_dropped == 1 ? "" : "s");
	log_warnx("feed %s: %s%s%s", fr->name, feedrt_summary_of(fr), ents,
	    attrs);
}

/*
 * A feed reached through permanent redirects only (301, 308) has moved:
 * said once in the log, kept for `feedspool status`, and after
 * moved_after such polls in a row the new url is polled directly (the
 * configuration stays the operator's to change).  A poll of the new url
 * that fails goes back to the configured one; one that reaches the
 * configured url directly forgets the move.
 */
static void
poll_moves(struct daemon *d, struct feedrt *fr, struct state_feed *sf,
    const struct fetch_result *r, int ok)
{
	const char	*to = r->final_url;
	char		*copy;

	if (fr->polled_moved) {
		if (!ok)
			poll_move_back(fr, sf);
		return;
	}
	if (!ok)
		return;
	if (!r->moved || to == NULL || strcmp(to, fr->url) == 0) {
		free(sf->moved_to);
		sf->moved_to = NULL;
		sf->moved_polls = 0;
		return;
	}
	if (sf->moved_to != NULL && strcmp(sf->moved_to, to) == 0)
		sf->moved_polls++;
	else if ((copy = strdup(to)) != NULL) {
		log_notice("feed %s: moved permanently to <%s>; update its "
		    "url in the configuration", fr->name, to);
		free(sf->moved_to);
		sf->moved_to = copy;
		sf->moved_polls = 1;
	}
	if (sf->moved_to != NULL && sf->moved_polls >= d->cfg->moved_after &&
	    !sf->polling_moved) {
		sf->polling_moved = 1;
		log_notice("feed %s: polling <%s> directly from now on",
		    fr->name, sf->moved_to);
	}
}

/* What the feed asked in its answer, and its pace, kept for next time. */
static void
poll_learn(struct state_feed *sf, const struct ingest_counts *c)
{
	int64_t	 asked = feed_min_interval(&c->schedule);

	sf->asked = asked > SCHED_OBEY_MAX_MS / 1000 ?
	    SCHED_OBEY_MAX_MS / 1000 : asked;
	sf->skip_hours = c->schedule.skip_hours;
	sf->skip_days = c->schedule.skip_days;
	if (c->cadence > 0)
		sf->cadence = c->cadence;
}

/* The next poll, and why; the Retry-After deadline kept apart. */
static int64_t
poll_next(struct feedrt *fr, struct state_feed *sf,
    const struct fetch_result *r, int ok, int64_t now, int64_t last_gap)
{
	struct nextpoll_feed	 f;
	struct nextpoll_answer	 a;
	enum nextpoll_why	 why;
	int64_t			 next;
	char			*name;

	memset(&f, 0, sizeof(f));
	f.interval = fr->interval;
	f.max_interval = fr->max_interval;
	f.adaptive = fr->adaptive;
	f.follow_schedule = fr->follow_schedule;
	f.cadence_s = sf->cadence;
	f.asked_s = sf->asked;
	f.skip_hours = sf->skip_hours;
	f.skip_days = sf->skip_days;
	memset(&a, 0, sizeof(a));
	a.ok = ok;
	a.status = r->ok ? r->status : 0;
	a.failures = sf->failures;
	a.retry_after_s = r->ok ? r->retry_after : -1;
	a.fresh_s = ok ? r->fresh : -1;
	a.last_gap_ms = last_gap;
	next = nextpoll(&f, &a, now, (uint64_t)random(), &why);
	if ((name = strdup(nextpoll_why_name(why))) != NULL) {
		free(sf->next_why);
		sf->next_why = name;
	}
	sf->retry_until = 0;
	if (why == NEXTPOLL_RETRY_AFTER || why == NEXTPOLL_RATE_LIMITED)
		sf->retry_until = next / 1000;
	return next;
}

/* A new configured url is a new feed: what was learned of the old goes. */
static void
poll_forget(struct state_feed *sf)
{
	free(sf->moved_to);
	sf->moved_to = NULL;
	sf->moved_polls = 0;
	sf->polling_moved = 0;
	sf->gone = 0;
	sf->asked = sf->cadence = 0;
	sf->skip_hours = 0;
	sf->skip_days = 0;
}

/*
 * The feed's state after the answer r: validators held back, moves, what
 * the feed asked, failures, gone, and the next poll (returned: unix ms,
 * DAEMON_ONCE_NEVER for a feed gone).
 */
static int64_t
poll_record(struct daemon *d, struct feedrt *fr, const struct fetch_result *r,
    int ok, const struct ingest_counts *c, const char *err, int64_t now,
    unsigned *failures)
{
	struct state_feed	 sf;
	int64_t			 gap, next;
	int			 was_gone;

	memset(&sf, 0, sizeof(sf));
	if (state_feed_load(d->state, fr->name, &sf) == -1)
		log_warnx("feed %s: state: %s", fr->name, state_errmsg(d->state));
	/*
	 * The answer's validators are held back until every story of it is
	 * in the spool (state_feeds_release(), at the flush and after each
	 * delivery): asked with them earlier, the feed could answer 304 to
	 * a request whose stories a failing spool still keeps waiting.
	 */
	if (ok && r->status != 304) {
		free(sf.held_etag);
		free(sf.held_last_modified);
		sf.held = 1;
		sf.held_etag = r->etag != NULL ? strdup(r->etag) : NULL;
		sf.held_last_modified = r->last_modified != NULL ?
		    strdup(r->last_modified) : NULL;
	}
	if (sf.url == NULL || strcmp(sf.url, fr->url) != 0)
		poll_forget(&sf);
	free(sf.url);
	sf.url = strdup(fr->url);
	free(sf.last_error);
	sf.last_error = ok ? NULL : strdup(err);
	poll_moves(d, fr, &sf, r, ok);
	if (ok && r->status != 304)
		poll_learn(&sf, c);
	gap = sf.last_poll > 0 ? now - sf.last_poll * 1000 : 0;
	sf.last_status = r->status;
	sf.last_poll = now / 1000;
	sf.failures = ok ? 0 : sf.failures + 1;
	*failures = sf.failures;
	was_gone = sf.gone;
	sf.gone = r->ok && r->status == 410;
	next = poll_next(fr, &sf, r, ok, now, gap);
	sf.next_poll = next > 0 ? next / 1000 : 0;
	sf.polled_interval = fr->interval;
	if (sf.gone && !was_gone)
		log_warnx("feed %s: 410 Gone: no longer polled; `feedspool "
		    "resume %s` (or a new url in the configuration) polls it "
		    "again", fr->name, fr->name);
	/* With the others that end together: one commit (daemon_settle). */
	(void)ingest_hold(d->ingest);
	if (state_feed_save(d->state, fr->name, &sf) == -1)
		log_warnx("feed %s: state: %s", fr->name, state_errmsg(d->state));
	state_feed_clear(&sf);
	return next < 0 ? DAEMON_ONCE_NEVER : next;
}

/* The line of the poll in the log and in run --once. */
static void
poll_report(struct feedrt *fr, const struct fetch_result *r, int ok,
    const struct ingest_counts *c, const char *err, unsigned failures)
{
	if (ok && r->status == 304)
		feedrt_summary(fr, "304 not modified, %.2fs", r->seconds);
	else if (ok)
		feedrt_summary(fr,
		    "%ld, %zu bytes, %s%s, %zu items, %zu new%s, %.2fs",
		    r->status, r->body_len, c->version ? c->version : "?",
		    c->recovered ? " (recovered)" : "", c->items, c->fresh,
		    c->waiting > 0 ? " (pages queued)" : "", r->seconds);
	else
		feedrt_summary(fr,
		    "error: %s (%u consecutive failure%s), %.2fs", err,
		    failures, failures == 1 ? "" : "s", r->seconds);
	report_poll(fr->d->report, fr->name, r, ok, c, err);
	if (ok && (c->entities_dropped > 0 || c->attrs_dropped > 0))
		poll_log_dropped(fr, c);
	else if (ok)
		log_info("feed %s: %s", fr->name, feedrt_summary_of(fr));
	else
		log_warnx("feed %s: %s <%s>", fr->name, feedrt_summary_of(fr),
		    fr->asked_url != NULL ? fr->asked_url : fr->url);
}

/* A poll counted in d->inpoll ends, having queued pages pages. */
static void
poll_uncount(struct daemon *d, struct feedrt *fr, size_t pages)
{
	if (!fr->inpoll)
		return;
	fr->inpoll = 0;
	d->inpoll--;
	d->pages_per_poll += ((double)pages - d->pages_per_poll) / 8;
}

/* The poll's end: its state, its report, its next turn. */
static void
poll_finish(struct daemon *d, struct feedrt *fr, int ok,
    const struct ingest_counts *c, const char *err, int64_t now)
{
	const struct fetch_result	*r = fetch_result(fr->fetch);
	int64_t				 next;
	unsigned			 failures;

	next = poll_record(d, fr, r, ok, c, err, now, &failures);
	fr->failures = failures;
	metrics_poll(d->metrics, metrics_poll_class(r, ok));
	metrics_transfer(d->metrics, METRICS_FEED, r);
	poll_report(fr, r, ok, c, err, failures);
	if (next == DAEMON_ONCE_NEVER)
		fr->parked = 1;
	poll_uncount(d, fr, c->waiting);
	fetch_free(fr->fetch);
	fr->fetch = NULL;
	fr->polls++;
	if (d->opts->once)
		next = DAEMON_ONCE_NEVER;
	if (sched_done(d->sched, fr->se, next)) {
		/* Removed by a reload while it was in flight. */
		poll_unlist(d, fr);
		feedrt_free(fr);
	}
}

/*
 * A document on its way through the workers: read there, planned here,
 * its stories built there, stored here (ingest_prep_*).  The poll stays
 * in flight meanwhile: its transfer's slot and its host's turn with it.
 */
struct polljob {
	struct work_job		 job;
	struct daemon		*d;
	struct feedrt		*fr;
	struct ingest_feed	 f;
	struct ingest_prep	*prep;
	int			 building;	/* the parse is done */
	int64_t			 now;
	struct ingest_counts	 c;
	char			 err[1024];
};

static void
poll_job_run(struct work_job *j)
{
	struct polljob	*pj = DAEMON_CONTAINER(j, struct polljob, job);

	if (!pj->building)
		ingest_prep_parse(pj->prep);
	else
		ingest_prep_build(pj->prep);
}

static void
poll_job_done(struct work_job *j, int cancelled)
{
	struct polljob	*pj = DAEMON_CONTAINER(j, struct polljob, job);
	struct daemon	*d = pj->d;
	int		 rc;

	if (cancelled) {
		/* Stopping: not recorded, so the next start polls it again. */
		poll_uncount(d, pj->fr, 0);
		fetch_free(pj->fr->fetch);
		pj->fr->fetch = NULL;
		goto free_job;
	}
	/* As the feed is now: a reload may have changed its settings. */
	poll_feed_of(d, pj->fr, &pj->f);
	if (!pj->building) {
		rc = ingest_prep_plan(d->ingest, &pj->f, pj->prep, &pj->c,
		    pj->err, sizeof(pj->err));
		if (rc == 1) {
			pj->building = 1;
			work_submit(d->work, &pj->job);
			return;
		}
		if (rc == 0)
			rc = ingest_prep_store(d->ingest, &pj->f, pj->prep,
			    &pj->c, pj->err, sizeof(pj->err));
	} else
		rc = ingest_prep_store(d->ingest, &pj->f, pj->prep, &pj->c,
		    pj->err, sizeof(pj->err));
	poll_finish(d, pj->fr, rc == 0, &pj->c, pj->err, pj->now);
	daemon_turn(d);
free_job:
	ingest_prep_free(pj->prep);
	free(pj);
}

/* The document handed to the workers: 0, or -1 to ingest it here. */
static int
poll_submit(struct daemon *d, struct feedrt *fr, const struct fetch_result *r,
    int64_t now)
{
	struct polljob	*pj;
	char		*charset;

	if ((pj = calloc(1, sizeof(*pj))) == NULL)
		return -1;
	pj->d = d;
	pj->fr = fr;
	poll_feed_of(d, fr, &pj->f);
	pj->now = now;
	charset = daemon_charset(r->content_type);
	pj->prep = ingest_prep_new(&pj->f, r->body, r->body_len,
	    r->final_url != NULL ? r->final_url : fr->url, charset, now);
	free(charset);
	if (pj->prep == NULL) {
		free(pj);
		return -1;
	}
	pj->job.run = poll_job_run;
	pj->job.done = poll_job_done;
	work_submit(d->work, &pj->job);
	return 0;
}

static void
poll_done(struct daemon *d, struct feedrt *fr)
{
	const struct fetch_result	*r = fetch_result(fr->fetch);
	struct ingest_counts		 c;
	char				 err[1024] = "";
	int64_t				 now = daemon_now_ms();
	int				 ok = 0, n;

	daemon_host_answered(d, fr->se, r);
	memset(&c, 0, sizeof(c));
	if (!r->ok)
		n = snprintf(err, sizeof(err), "%s", r->error);
	else if (r->status == 304)
		ok = 1;
	else if (r->status >= 200 && r->status < 300) {
		if (poll_submit(d, fr, r, now) == 0)
			return;
		ok = poll_ingest(d, fr, r, now, &c, err, sizeof(err)) == 0;
	} else
		n = snprintf(err, sizeof(err), "HTTP %ld%s%s", r->status,
		    poll_http_reason(r->status), (r->status == 429 ||
		    r->status == 503) && r->retry_after >= 0 ?
		    ", told to retry later" : "");
	(void)n;	/* err is for humans: a cut message is acceptable */
	poll_finish(d, fr, ok, &c, err, now);
}

/* Out of daemon.held (its since stays: the wait's start). */
static void
poll_unhold(struct daemon *d, struct feedrt *fr)
{
	if (!fr->held)
		return;
	TAILQ_REMOVE(&d->held, fr, held_entry);
	fr->held = 0;
}

/* The stories waiting for their page, and those the polls will bring. */
static double
poll_pages_coming(const struct daemon *d)
{
	return (double)d->npages + d->inpoll * d->pages_per_poll;
}

/*
 * A story waits in memory, with its item, until its page is in and
 * delivered: a first poll of thousands of feeds would hold every story of
 * every feed at once (351 MiB for 2,000 feeds, 55,000 stories).  So while
 * max_page_queue stories wait, or would with those the polls in flight
 * bring (as many as such polls brought lately), a feed that fetches pages
 * waits to be polled, until the pages catch up (poll_release) or
 * POLL_HOLD_MAX_MS at most: pages a host holds back (a Retry-After) must
 * not stop every feed.  Its place goes back to its host as if it had not
 * been taken.  Returns 1 when fr waits.
 */
static int
poll_hold(struct daemon *d, struct feedrt *fr)
{
	int64_t	 now = daemon_now_ms();

	if (!fr->fetch_articles ||
	    poll_pages_coming(d) < d->cfg->max_page_queue ||
	    (fr->held_since != 0 && now - fr->held_since >= POLL_HOLD_MAX_MS)) {
		poll_unhold(d, fr);
		fr->held_since = 0;
		return 0;
	}
	if (fr->held_since == 0)
		fr->held_since = now;
	if (!fr->held) {
		fr->held = 1;
		TAILQ_INSERT_TAIL(&d->held, fr, held_entry);
	}
	if (!d->held_told) {
		log_info("%zu stories wait for their page (max_page_queue): "
		    "feed polls wait for them, %llds at most (logged once)",
		    d->npages, (long long)(POLL_HOLD_MAX_MS / 1000));
		d->held_told = 1;
	} else
		log_debug("feed %s: waits for %zu pages", fr->name, d->npages);
	if (sched_put_back(d->sched, fr->se, fr->held_since +
	    POLL_HOLD_MAX_MS) == 1)
		fr->se = NULL;
	return 1;
}

/*
 * Below three quarters of max_page_queue, the polls held longest go, as
 * many as the room left takes at the pages a poll brings.
 */
void
poll_release(struct daemon *d)
{
	struct feedrt	*fr;
	double		 max = d->cfg->max_page_queue, coming, per;
	size_t		 n;
	int64_t		 now;

	coming = poll_pages_coming(d);
	if (TAILQ_EMPTY(&d->held) || coming >= max * 3 / 4)
		return;
	per = d->pages_per_poll < 1 ? 1 : d->pages_per_poll;
	n = (size_t)((max - coming) / per) + 1;
	now = daemon_now_ms();
	while (n-- > 0 && (fr = TAILQ_FIRST(&d->held)) != NULL) {
		poll_unhold(d, fr);
		if (fr->se != NULL)
			sched_set_due(fr->se, now);
	}
}

static void
poll_start_job(struct daemon *d, struct job *j)
{
	struct feedrt	*fr = DAEMON_CONTAINER(j, struct feedrt, job);

	if (!poll_hold(d, fr))
		poll_start(d, fr);
}

/* fetch_done_fn of a poll. */
static void
poll_fetched(struct fetch *f, void *arg)
{
	struct feedrt	*fr = arg;

	(void)f;
	poll_done(fr->d, fr);
}
