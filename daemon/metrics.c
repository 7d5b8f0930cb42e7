/*
 * metrics: counters kept as the daemon works, gauges asked of it when the
 * exposition is made; one text (Prometheus 0.0.4) for the HTTP endpoint
 * and the textfile.  Only the loop's thread touches any of it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/config.h"
#include "daemon/fetch.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

/* Distinct duplicate reasons kept apart; the rest count as "other". */
#define METRICS_REASONS		16
#define METRICS_REASON_LEN	32
/* A scrape has no business sending more than a few headers. */
#define METRICS_HTTP_HEADERS	8192
#define METRICS_HTTP_TIMEOUT	10

/* Seconds: the upper bounds of the transfer-time histogram's buckets. */
static const double metrics_bounds[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};
#define METRICS_NBOUNDS	(sizeof(metrics_bounds) / sizeof(metrics_bounds[0]))

static const char *const metrics_kinds[METRICS_NKINDS] = { "feed", "page" };

static const char *const metrics_polls[METRICS_NPOLLS] = {
	[METRICS_POLL_OK] = "ok",
	[METRICS_POLL_NOT_MODIFIED] = "not_modified",
	[METRICS_POLL_PARSE] = "parse",
	[METRICS_POLL_HTTP_3XX] = "http_3xx",
	[METRICS_POLL_HTTP_4XX] = "http_4xx",
	[METRICS_POLL_HTTP_5XX] = "http_5xx",
	[METRICS_POLL_HTTP_OTHER] = "http_other",
	[METRICS_POLL_TIMEOUT] = "timeout",
	[METRICS_POLL_CONNECT] = "connect",
	[METRICS_POLL_DNS] = "dns",
	[METRICS_POLL_TLS] = "tls",
	[METRICS_POLL_TOO_BIG] = "too_big",
	[METRICS_POLL_REFUSED] = "refused",
	[METRICS_POLL_ERROR] = "error",
};

struct metrics_reason {
	char		 why[METRICS_REASON_LEN];
	uint64_t	 n[2];		/* dropped, marked */
};

struct metrics_hist {
	uint64_t	 bucket[METRICS_NBOUNDS];	/* not cumulative */
	uint64_t	 count;
	double		 sum;
};

struct metrics {
	metrics_gauges_fn	 gauges;
	void			*gauges_arg;
	int64_t			 started;	/* unix seconds */
	uint64_t		 delivered;
	uint64_t		 polls[METRICS_NPOLLS];
	uint64_t		 bytes[METRICS_NKINDS];
	struct metrics_hist	 hist[METRICS_NKINDS];
	struct metrics_reason	 reasons[METRICS_REASONS];
	size_t			 nreasons;
	struct metrics_reason	 other;
	struct evhttp		*http;
	char			*path;		/* metrics_file */
	char			*tmp;		/* path.tmp */
	struct event		*timer;
	int			 file_failing;	/* said once in the log */
};

struct metrics *
metrics_new(metrics_gauges_fn fn, void *arg)
{
	struct metrics	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->gauges = fn;
	m->gauges_arg = arg;
	m->started = (int64_t)time(NULL);
	(void)snprintf(m->other.why, sizeof(m->other.why), "other");
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->timer != NULL)
		event_free(m->timer);
	if (m->http != NULL)
		evhttp_free(m->http);
	free(m->path);
	free(m->tmp);
	free(m);
}

void
metrics_delivered(struct metrics *m)
{
	if (m != NULL)
		m->delivered++;
}

void
metrics_duplicate(struct metrics *m, const char *why, int marked)
{
	struct metrics_reason	*r = NULL;
	size_t			 i;

	if (m == NULL)
		return;
	if (why == NULL)
		why = "unknown";
	for (i = 0; i < m->nreasons && r == NULL; i++)
		if (strcmp(m->reasons[i].why, why) == 0)
			r = &m->reasons[i];
	if (r == NULL && m->nreasons < METRICS_REASONS &&
	    strlen(why) < METRICS_REASON_LEN) {
		r = &m->reasons[m->nreasons++];
		memcpy(r->why, why, strlen(why) + 1);
	}
	if (r == NULL)
		r = &m->other;
	r->n[marked ? 1 : 0]++;
}

/* curl's verdict on a transfer that did not complete, as a class. */
static enum metrics_poll
metrics_curl_class(const struct fetch_result *r)
{
	if (r->refused)
		return METRICS_POLL_REFUSED;
	if (r->too_big)
		return METRICS_POLL_TOO_BIG;
	switch (r->code) {
	case CURLE_OPERATION_TIMEDOUT:
		return METRICS_POLL_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
		return METRICS_POLL_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return METRICS_POLL_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return METRICS_POLL_TLS;
	default:
		return METRICS_POLL_ERROR;
	}
}

/* ok: the poll succeeded (a 2xx that was a feed, or a 304). */
enum metrics_poll
metrics_poll_class(const struct fetch_result *r, int ok)
{
	if (!r->ok)
		return metrics_curl_class(r);
	if (r->status == 304)
		return METRICS_POLL_NOT_MODIFIED;
	if (r->status >= 200 && r->status < 300)
		return ok ? METRICS_POLL_OK : METRICS_POLL_PARSE;
	if (r->status >= 300 && r->status < 400)
		return METRICS_POLL_HTTP_3XX;
	if (r->status >= 400 && r->status < 500)
		return METRICS_POLL_HTTP_4XX;
	if (r->status >= 500 && r->status < 600)
		return METRICS_POLL_HTTP_5XX;
	return METRICS_POLL_HTTP_OTHER;
}

void
metrics_poll(struct metrics *m, enum metrics_poll p)
{
	if (m != NULL && p < METRICS_NPOLLS)
		m->polls[p]++;
}

void
metrics_transfer(struct metrics *m, enum metrics_kind k,
    const struct fetch_result *r)
{
	struct metrics_hist	*h;
	size_t			 i;

	if (m == NULL || k >= METRICS_NKINDS)
		return;
	if (r->received > 0)
		m->bytes[k] += (uint64_t)r->received;
	h = &m->hist[k];
	h->count++;
	h->sum += r->seconds;
	for (i = 0; i < METRICS_NBOUNDS; i++)
		if (r->seconds <= metrics_bounds[i]) {
			h->bucket[i]++;
			break;
		}
}

static void
metrics_head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, quote and newline escaped. */
static void
metrics_label(FILE *fp, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', fp);
		if (*v == '\n')
			fputs("\\n", fp);
		else
			fputc(*v, fp);
	}
}

static void
metrics_render_dups(FILE *fp, const struct metrics *m)
{
	static const char *const action[2] = { "dropped", "marked" };
	const struct metrics_reason	*r;
	size_t				 i;
	int				 a;

	metrics_head(fp, "feedspool_duplicates_total", "counter",
	    "Stories found duplicates of a recent story, by reason, and "
	    "whether they were dropped (recorded only) or spooled marked.");
	for (i = 0; i <= m->nreasons; i++) {
		r = i < m->nreasons ? &m->reasons[i] : &m->other;
		for (a = 0; a < 2; a++) {
			if (r == &m->other && r->n[a] == 0)
				continue;
			fputs("feedspool_duplicates_total{reason=\"", fp);
			metrics_label(fp, r->why);
			fprintf(fp, "\",action=\"%s\"} %llu\n", action[a],
			    (unsigned long long)r->n[a]);
		}
	}
}

static void
metrics_render_hist(FILE *fp, const struct metrics *m)
{
	const struct metrics_hist	*h;
	uint64_t			 cum;
	size_t				 i;
	int				 k;

	metrics_head(fp, "feedspool_transfer_seconds", "histogram",
	    "Time of finished transfers, feeds and article pages.");
	for (k = 0; k < METRICS_NKINDS; k++) {
		h = &m->hist[k];
		cum = 0;
		for (i = 0; i < METRICS_NBOUNDS; i++) {
			cum += h->bucket[i];
			fprintf(fp, "feedspool_transfer_seconds_bucket{kind=\"%s\","
			    "le=\"%g\"} %llu\n", metrics_kinds[k],
			    metrics_bounds[i], (unsigned long long)cum);
		}
		fprintf(fp, "feedspool_transfer_seconds_bucket{kind=\"%s\","
		    "le=\"+Inf\"} %llu\n", metrics_kinds[k],
		    (unsigned long long)h->count);
		fprintf(fp, "feedspool_transfer_seconds_sum{kind=\"%s\"} %.6f\n",
		    metrics_kinds[k], h->sum);
		fprintf(fp, "feedspool_transfer_seconds_count{kind=\"%s\"} "
		    "%llu\n", metrics_kinds[k], (unsigned long long)h->count);
	}
}

static void
metrics_render_counters(FILE *fp, const struct metrics *m)
{
	int	 i;

	metrics_head(fp, "feedspool_stories_delivered_total", "counter",
	    "Stories written to the spool's new/ (marked duplicates "
	    "included).");
	fprintf(fp, "feedspool_stories_delivered_total %llu\n",
	    (unsigned long long)m->delivered);
	metrics_render_dups(fp, m);
	metrics_head(fp, "feedspool_polls_total", "counter",
	    "Feed polls finished, by result.");
	for (i = 0; i < METRICS_NPOLLS; i++)
		fprintf(fp, "feedspool_polls_total{result=\"%s\"} %llu\n",
		    metrics_polls[i], (unsigned long long)m->polls[i]);
	metrics_head(fp, "feedspool_received_bytes_total", "counter",
	    "Body bytes received, as sent (before decompression).");
	for (i = 0; i < METRICS_NKINDS; i++)
		fprintf(fp, "feedspool_received_bytes_total{kind=\"%s\"} %llu\n",
		    metrics_kinds[i], (unsigned long long)m->bytes[i]);
	metrics_render_hist(fp, m);
}

static void
metrics_render_gauges(FILE *fp, const struct metrics *m)
{
	struct metrics_gauges	 g;
	int			 i;

	memset(&g, 0, sizeof(g));
	g.pending = -1;
	if (m->gauges != NULL)
		m->gauges(m->gauges_arg, &g);
	metrics_head(fp, "feedspool_start_time_seconds", "gauge",
	    "When the process started (the counters count from then), unix "
	    "seconds.");
	fprintf(fp, "feedspool_start_time_seconds %lld\n",
	    (long long)m->started);
	metrics_head(fp, "feedspool_feeds", "gauge", "Feeds configured.");
	fprintf(fp, "feedspool_feeds %u\n", g.feeds);
	metrics_head(fp, "feedspool_feeds_failing", "gauge",
	    "Feeds whose last poll (in this process) failed.");
	fprintf(fp, "feedspool_feeds_failing %u\n", g.feeds_failing);
	if (g.pending >= 0) {
		metrics_head(fp, "feedspool_pending_stories", "gauge",
		    "Stories waiting in the state database to be delivered "
		    "(for their page, or for the spool).");
		fprintf(fp, "feedspool_pending_stories %lld\n",
		    (long long)g.pending);
	}
	metrics_head(fp, "feedspool_queued", "gauge",
	    "Transfers waiting in the scheduler, not started yet.");
	for (i = 0; i < METRICS_NKINDS; i++)
		fprintf(fp, "feedspool_queued{kind=\"%s\"} %u\n",
		    metrics_kinds[i], g.queued[i]);
	metrics_head(fp, "feedspool_transfers_in_flight", "gauge",
	    "Transfers running.");
	fprintf(fp, "feedspool_transfers_in_flight %u\n", g.transfers);
}

char *
metrics_render(struct metrics *m, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 n = 0;
	int	 bad;

	if ((fp = open_memstream(&buf, &n)) == NULL)
		return NULL;
	metrics_render_counters(fp, m);
	metrics_render_gauges(fp, m);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* GET (or HEAD) /metrics; 404 for any other path, 405 for other methods. */
static void
metrics_http_cb(struct evhttp_request *req, void *arg)
{
	struct metrics		*m = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) :
				    NULL;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct evbuffer		*body;
	char			*text;
	size_t			 len;

	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(out, "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	if ((text = metrics_render(m, &len)) == NULL ||
	    (body = evbuffer_new()) == NULL) {
		free(text);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (evbuffer_add(body, text, len) == -1) {
		evbuffer_free(body);
		free(text);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	free(text);
	evhttp_add_header(out, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/* The port the listener got (port 0 asks for any), or -1. */
static int
metrics_bound_port(struct evhttp_bound_socket *bs)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 port[NI_MAXSERV];

	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &sl) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, port,
	    sizeof(port), NI_NUMERICSERV) != 0)
		return -1;
	return (int)strtol(port, NULL, 10);
}

int
metrics_serve(struct metrics *m, struct event_base *base, const char *listen,
    char *err, size_t errlen)
{
	struct evhttp_bound_socket	*bs;
	char				 host[CONFIG_LISTEN_HOST_MAX];
	unsigned			 port;

	if (config_parse_listen(listen, host, sizeof(host), &port) == -1) {
		(void)snprintf(err, errlen, "metrics_listen: bad address "
		    "'%s'", listen);
		return -1;
	}
	if ((m->http = evhttp_new(base)) == NULL) {
		(void)snprintf(err, errlen, "metrics: out of memory");
		return -1;
	}
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(m->http, METRICS_HTTP_HEADERS);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_timeout(m->http, METRICS_HTTP_TIMEOUT);
	evhttp_set_gencb(m->http, metrics_http_cb, m);
	if ((bs = evhttp_bind_socket_with_handle(m->http, host,
	    (ev_uint16_t)port)) == NULL) {
		(void)snprintf(err, errlen, "metrics_listen %s: cannot listen "
		    "(%s)", listen, strerror(errno));
		evhttp_free(m->http);
		m->http = NULL;
		return -1;
	}
	log_notice("metrics: http://%s%s%s:%d/metrics",
	    strchr(host, ':') != NULL ? "[" : "", host,
	    strchr(host, ':') != NULL ? "]" : "", metrics_bound_port(bs));
	return 0;
}

/* The text into path.tmp, then renamed over path: readers see all or none. */
int
metrics_flush(struct metrics *m)
{
	char	*text;
	size_t	 len, off = 0;
	ssize_t	 w;
	int	 fd, saved;

	if (m == NULL || m->path == NULL)
		return 0;
	if ((text = metrics_render(m, &len)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		goto out_free;
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto out_close;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto out_unlink;
	}
	if (rename(m->tmp, m->path) == -1)
		goto out_unlink;
	free(text);
	return 0;
out_close:
	saved = errno;
	(void)close(fd);
	errno = saved;
out_unlink:
	saved = errno;
	(void)unlink(m->tmp);
	errno = saved;
out_free:
	saved = errno;
	free(text);
	errno = saved;
	return -1;
}

static void
metrics_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct metrics	*m = arg;

	(void)fd;
	(void)kind;
	if (metrics_flush(m) == -1) {
		if (!m->file_failing)
			log_warn("metrics_file %s", m->path);
		m->file_failing = 1;
	} else if (m->file_failing) {
		log_notice("metrics_file %s: written again", m->path);
		m->file_failing = 0;
	}
}

int
metrics_file(struct metrics *m, struct event_base *base, const char *path)
{
	struct timeval	 tv = { METRICS_FILE_SEC, 0 };
	int		 saved;

	if ((m->path = strdup(path)) == NULL ||
	    asprintf(&m->tmp, "%s.tmp", path) < 0) {
		m->tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	m->timer = event_new(base, -1, EV_PERSIST, metrics_timer_cb, m);
	if (m->timer == NULL || event_add(m->timer, &tv) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if (metrics_flush(m) == -1) {
		/* Refused at the start: no second try at exit. */
		saved = errno;
		free(m->path);
		m->path = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}
