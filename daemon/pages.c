/*
 * pages: the web page of each new story, fetched once under its host's
 * budget; the stories of the pages that came in together delivered as
 * one batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "daemon/config.h"
#include "daemon/daemon_int.h"
#include "daemon/fetch.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/metrics.h"
#include "daemon/sched.h"
#include "daemon/work.h"

static void	pages_start_job(struct daemon *, struct job *);
static void	pages_fetched(struct fetch *, void *);
static int	pages_held_back(const struct daemon *);

static void
pagejob_free(struct pagejob *j)
{
	if (j == NULL)
		return;
	j->d->npages--;
	ingest_page_work_free(j->merge);
	fetch_free(j->fetch);
	ingest_page_free(j->page);
	free(j);
}

/* ingest_page_fn: queue the page of a new story under its host's budget. */
/* Queue the page of a new story of feed fr under its host's budget. */
static int
pages_queue(struct feedrt *fr, struct ingest_page *p)
{
	struct daemon	*d = fr->d;
	struct pagejob	*j;

	if (d->stopping || (j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->job.start = pages_start_job;
	j->d = d;
	j->timeout = fr->timeout;
	j->max_body = fr->max_body;
	if ((j->se = sched_add(d->sched, p->host, daemon_now_ms(), j, 0)) == NULL) {
		free(j);
		return -1;
	}
	j->page = p;
	TAILQ_INSERT_TAIL(&d->pages, j, entry);
	d->npages++;
	return 0;
}

/*
 * The page of j is in (r) or, when why says what went wrong, will not be:
 * its transfer's place under the host's budget is given back at once, and
 * the story waits in d->finished for pages_deliver().
 */
static void
pages_finish(struct daemon *d, struct pagejob *j,
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
pages_log(struct daemon *d, const struct pagejob *j,
    const struct ingest_page_result *pr)
{
	const struct ingest_page	*p = j->page;

	report_story(d->report, p->feed, p->story, pr->fate);
	if (pr->fate == INGEST_KEPT) {
		log_debug("feed %s: story %s: waiting for the spool, %s",
		    p->feed, p->id, pr->used ? "with its page" :
		    "with the feed's text");
		return;
	}
	if (pr->fate == INGEST_WATCH_DROPPED) {
		daemon_log_watch_drop(p->story);
		return;
	}
	if (pr->fate != INGEST_DELIVERED) {
		log_info("feed %s: story %s <%s> is a duplicate, %s", p->feed,
		    p->id, p->url, pr->fate == INGEST_DUP_MARKED ?
		    "spooled marked" : "recorded, not spooled");
		metrics_duplicate(d->metrics, pr->why,
		    pr->fate == INGEST_DUP_MARKED);
		if (pr->fate == INGEST_DUP_MARKED) {
			d->delivered++;
			metrics_delivered(d->metrics);
		}
		return;
	}
	d->delivered++;
	metrics_delivered(d->metrics);
	if (j->result != NULL)
		log_debug("feed %s: page %s: %s, %.2fs", p->feed, p->url,
		    pr->used ? "article text" : "feed text kept",
		    j->result->seconds);
}

/*
 * Deliver every finished page's story as one batch: one flush of the
 * spool and one transaction for all the pages that came in together.
 */
void
pages_deliver(struct daemon *d)
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
		pr[i].deferred = j->deferred;
		pr[i].work = j->merge;
		if (j->result != NULL) {
			pr[i].html = j->result->body;
			pr[i].len = j->result->body_len;
			pr[i].final_url = j->result->final_url;
			pr[i].charset = cs[i] =
			    daemon_charset(j->result->content_type);
		}
		i++;
	}
	rc = ingest_pages_done(d->ingest, pv, pr, n, err, sizeof(err));
out:
	i = 0;
	/* A failing spool is the daemon's to report (daemon_health). */
	if (rc == -2)
		log_err("delivering %zu stories with their pages: %s (kept: "
		    "they wait in the state database)", n, err);
	while ((j = TAILQ_FIRST(&d->finished)) != NULL) {
		TAILQ_REMOVE(&d->finished, j, entry);
		if (rc != -2)
			pages_log(d, j, &pr[i]);
		if (cs != NULL)
			free(cs[i]);
		i++;
		pagejob_free(j);
	}
	free(cs);
	free(pr);
	free(pv);
	poll_release(d);
}

static void
pages_start(struct daemon *d, struct pagejob *j)
{
	struct fetch_opts	 o;
	struct feedrt		*fr;

	/* The story waits as the feed gave it; its page is fetched later. */
	if (pages_held_back(d)) {
		j->deferred = 1;
		pages_finish(d, j, NULL, NULL);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.url = j->page->url;
	o.user_agent = d->cfg->user_agent_header;
	o.proxy = d->cfg->req.proxy;
	if ((fr = poll_find_feed(d, j->page->feed)) != NULL)
		poll_request_opts(fr, o.url, &o);
	o.timeout = j->timeout;
	o.connect_timeout = d->cfg->connect_timeout;
	o.max_redirects = d->cfg->max_redirects;
	o.max_body = j->max_body;
	o.public_only = !d->cfg->allow_private_articles;
	j->fetch = fetch_new(&o, pages_fetched, j);
	if (j->fetch == NULL ||
	    curl_multi_add_handle(d->multi, fetch_easy(j->fetch)) != CURLM_OK) {
		log_err("feed %s: page %s: cannot start a transfer",
		    j->page->feed, j->page->url);
		pages_finish(d, j, NULL, "cannot start a transfer");
		return;
	}
	d->transfers++;
	log_debug("feed %s: GET %s", j->page->feed, j->page->url);
}

static const char *
pages_problem(const struct fetch_result *r, char *buf, size_t len)
{
	const char	*ct = r->content_type;

	if (!r->ok)
		return r->error;
	if (r->status < 200 || r->status > 299) {
		snprintf(buf, len, "HTTP %ld%s", r->status,
		    poll_http_reason(r->status));
		return buf;
	}
	if (ct != NULL && strcasestr(ct, "html") == NULL) {
		snprintf(buf, len, "not an HTML page (%s)", ct);
		return buf;
	}
	return NULL;
}

/* On a worker: the page read and merged into its story. */
static void
pages_merge_run(struct work_job *w)
{
	ingest_page_work_run(DAEMON_CONTAINER(w, struct pagejob,
	    work)->merge);
}

static void
pages_merge_done(struct work_job *w, int cancelled)
{
	struct pagejob	*j = DAEMON_CONTAINER(w, struct pagejob, work);
	struct daemon	*d = j->d;

	/* Cancelled (stopping), the delivery merges it itself. */
	(void)cancelled;
	j->merging = 0;
	pages_finish(d, j, fetch_result(j->fetch), NULL);
	daemon_turn(d);
}

static void
pages_done(struct daemon *d, struct pagejob *j)
{
	const struct fetch_result	*r = fetch_result(j->fetch);
	const char			*why;
	char				 buf[256], *charset;

	daemon_host_answered(d, j->se, r);
	metrics_transfer(d->metrics, METRICS_PAGE, r);
	if ((why = pages_problem(r, buf, sizeof(buf))) != NULL) {
		pages_finish(d, j, NULL, why);
		return;
	}
	/* Merged by a worker (else by the delivery); delivered after. */
	charset = daemon_charset(r->content_type);
	j->merge = ingest_page_work_new(d->ingest, j->page, r->body,
	    r->body_len, r->final_url, charset);
	free(charset);
	if (j->merge == NULL) {
		pages_finish(d, j, r, NULL);
		return;
	}
	j->merging = 1;
	j->work.run = pages_merge_run;
	j->work.done = pages_merge_done;
	work_submit(d->work, &j->work);
}

/*
 * Deliver the stories whose page has not been fetched (all of them, or
 * only those not in flight) with the feed's text: stopping must not wait
 * for more transfers, and the stories are not to wait for the next start.
 */
void
pages_drop(struct daemon *d, int in_flight_too)
{
	struct pagejob	*j, *next;

	for (j = TAILQ_FIRST(&d->pages); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		/* Its transfer is over: the worker's end finishes it. */
		if (j->merging)
			continue;
		if (j->fetch != NULL) {
			if (!in_flight_too)
				continue;
			curl_multi_remove_handle(d->multi,
			    fetch_easy(j->fetch));
			d->transfers--;
		}
		pages_finish(d, j, NULL, "not fetched, stopping");
	}
	pages_deliver(d);
}

/*
 * While the spool fails and more than max_pending stories wait, no page
 * is fetched: a long outage must not fill the state database with pages.
 */
static int
pages_held_back(const struct daemon *d)
{
	const struct ingest_health	*h = ingest_health(d->ingest);

	return h->failing && h->waiting >= d->cfg->max_pending;
}

int
pages_offer(void *arg, struct ingest_page *p)
{
	struct daemon	*d = arg;
	struct feedrt	*fr;

	if ((fr = poll_find_feed(d, p->feed)) == NULL ||
	    !fr->fetch_articles || pages_held_back(d))
		return -1;
	p->dup_mark = fr->dup_mark;
	return pages_queue(fr, p);
}

static int
pages_dup_mark(void *arg, const char *feed)
{
	struct daemon	*d = arg;
	struct feedrt	*fr;

	if ((fr = poll_find_feed(d, feed)) == NULL)
		return d->cfg->dup_mark;
	return fr->dup_mark;
}

int
pages_redeliver(struct daemon *d, size_t *queued, char *err, size_t errlen)
{
	struct ingest_resume	 r;

	r.page_fn = pages_offer;
	r.dup_mark_fn = pages_dup_mark;
	r.arg = d;
	return ingest_pending(d->ingest, &r, queued, err, errlen);
}

/*
 * Stories an earlier run left pending: those still waiting for their page
 * get it now (the feeds must be known), the others are delivered.
 */
int
pages_resume(struct daemon *d)
{
	char	 err[1024];
	size_t	 queued;
	int	 n;

	n = pages_redeliver(d, &queued, err, sizeof(err));
	/* The daemon runs on: they are tried again (daemon_health). */
	if (n == -1) {
		log_err("delivering stories left pending by an earlier run: %s",
		    err);
		return 0;
	}
	if (n > 0 || queued > 0)
		log_notice("stories left pending by an earlier run: %d "
		    "delivered, %zu waiting for their page", n, queued);
	return 0;
}

static void
pages_start_job(struct daemon *d, struct job *j)
{
	pages_start(d, DAEMON_CONTAINER(j, struct pagejob, job));
}

/* fetch_done_fn of a page. */
static void
pages_fetched(struct fetch *f, void *arg)
{
	struct pagejob	*j = arg;

	(void)f;
	pages_done(j->d, j);
}
