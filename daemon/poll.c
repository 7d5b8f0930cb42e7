/*
 * poll: the feeds of the configuration, each polled in its turn: the
 * request (with the validators of its last answer), the answer ingested,
 * the feed's state and its next poll stored.
 */
#include <inttypes.h>
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
#include "daemon/sched.h"
#include "store/state.h"

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
	free(fr);
}

/* Copy the settings of a configured feed; the feed keeps its state. */
int
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

int
poll_add_feed(struct daemon *d, const struct config_feed *cf)
{
	struct feedrt	*fr;

	if ((fr = calloc(1, sizeof(*fr))) == NULL)
		goto fail;
	fr->job.start = poll_start_job;
	fr->d = d;
	feed_schedule_clear(&fr->schedule);
	if ((fr->name = strdup(cf->name)) == NULL ||
	    feedrt_configure(fr, cf) == -1)
		goto fail;
	fr->se = sched_add(d->sched, fr->host,
	    feedrt_first_due(d, fr, daemon_now_ms()), fr, 1);
	if (fr->se == NULL)
		goto fail;
	TAILQ_INSERT_TAIL(&d->feeds, fr, entry);
	return 0;
fail:
	log_err("feed %s: out of memory", cf->name);
	feedrt_free(fr);
	return -1;
}

struct feedrt *
poll_find_feed(struct daemon *d, const char *name)
{
	struct feedrt	*fr;

	TAILQ_FOREACH(fr, &d->feeds, entry)
		if (!fr->removed && strcmp(fr->name, name) == 0)
			return fr;
	return NULL;
}

static void
poll_start(struct daemon *d, struct feedrt *fr)
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
	log_debug("feed %s: GET %s", fr->name, fr->url);
}

static int64_t
poll_next_delay(const struct feedrt *fr, int ok, unsigned failures,
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
static int
poll_ingest(struct daemon *d, struct feedrt *fr,
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
	/* Offered at the flush, when the feed may be gone (pages_offer). */
	f.page_fn = fr->fetch_articles ? pages_offer : NULL;
	f.page_arg = d;
	f.dup_mark = fr->dup_mark;
	f.updates_emit = fr->updates_emit;
	charset = daemon_charset(r->content_type);
	rc = ingest_document(d->ingest, &f, r->body, r->body_len,
	    r->final_url != NULL ? r->final_url : fr->url, charset, now, c,
	    err, errlen);
	free(charset);
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
poll_note_move(const struct feedrt *fr, struct state_feed *sf,
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
	log_warnx("feed %s: %s%s%s", fr->name, fr->summary, ents, attrs);
}

static void
poll_done(struct daemon *d, struct feedrt *fr)
{
	const struct fetch_result	*r = fetch_result(fr->fetch);
	struct state_feed		 sf;
	struct ingest_counts		 c;
	char				 err[1024] = "";
	int64_t				 now = daemon_now_ms(), next;
	int				 ok = 0, n;

	memset(&c, 0, sizeof(c));
	if (!r->ok)
		n = snprintf(err, sizeof(err), "%s", r->error);
	else if (r->status == 304)
		ok = 1;
	else if (r->status >= 200 && r->status < 300) {
		ok = poll_ingest(d, fr, r, now, &c, err, sizeof(err)) == 0;
		if (ok)
			fr->schedule = c.schedule;
	}
	else
		n = snprintf(err, sizeof(err), "HTTP %ld%s%s", r->status,
		    poll_http_reason(r->status), (r->status == 429 ||
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
		poll_note_move(fr, &sf, r);
	sf.last_status = r->status;
	sf.last_poll = now / 1000;
	sf.failures = ok ? 0 : sf.failures + 1;
	next = poll_next_delay(fr, ok, sf.failures, r->retry_after);
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
		    "%ld, %zu bytes, %s%s, %zu items, %zu new%s, %.2fs",
		    r->status, r->body_len, c.version ? c.version : "?",
		    c.recovered ? " (recovered)" : "", c.items, c.fresh,
		    c.waiting > 0 ? " (pages queued)" : "", r->seconds);
	else
		n = snprintf(fr->summary, sizeof(fr->summary),
		    "error: %s (%u consecutive failure%s), %.2fs", err,
		    sf.failures, sf.failures == 1 ? "" : "s", r->seconds);
	if (ok && (c.entities_dropped > 0 || c.attrs_dropped > 0))
		poll_log_dropped(fr, &c);
	else if (ok)
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
poll_start_job(struct daemon *d, struct job *j)
{
	poll_start(d, DAEMON_CONTAINER(j, struct feedrt, job));
}

/* fetch_done_fn of a poll. */
static void
poll_fetched(struct fetch *f, void *arg)
{
	struct feedrt	*fr = arg;

	(void)f;
	poll_done(fr->d, fr);
}
