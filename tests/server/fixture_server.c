/*
 * fixture-server: a loopback HTTP server for feedspool's tests.
 *
 *   fixture-server --root DIR [--port N] [--port-file FILE] [--log FILE]
 *       [--lifetime SECONDS]
 *
 * Binds 127.0.0.1 only (port 0, the default, picks a free one), writes the
 * port to --port-file (tmp + rename) and prints "listening on
 * 127.0.0.1:PORT".  Stops after --lifetime seconds (default 120) or on
 * SIGTERM/SIGINT, exit 0.
 *
 * Routes (they nest: /slow/2/gzip/feeds/world.xml is fine):
 *   /PATH                 DIR/PATH; ETag, Last-Modified, 304 handling
 *   /status/CODE          that status with a short body (429: Retry-After
 *                         120, unless /retry-after/ said otherwise)
 *   /retry-after/N/PATH   PATH, its answer with Retry-After: N (seconds)
 *   /redirect/N/PATH      302 to /redirect/N-1/PATH ... /redirect/0 -> /PATH
 *   /moved/N/PATH         the same with 301 (moved permanently)
 *   /slow/SECONDS/PATH    wait (timer), then serve PATH
 *   /huge/MB              MB megabytes of RSS, chunked, as the client reads
 *   /gzip/PATH            PATH gzip'ed when Accept-Encoding mentions gzip
 *   /truncated/PATH       the first half of PATH's bytes
 *   /gen/N.xml            RSS 2.0 with N generated items (N <= 5000)
 *   /gen/K+N.xml          the same with items K+1 to K+N (K <= 1000000):
 *                         feeds that share no item, nor page
 *   /gen-article/N.html   a small generated article (N <= 1005000)
 *   /moved308/N/PATH      as /moved/, with 308
 *   /seq/A,B,.../PATH     the k-th request of this path answers the k-th
 *                         step (the last one repeats): 200 serves PATH;
 *                         a status code answers it, with Retry-After N
 *                         seconds for CODEraN, or as an HTTP date N seconds
 *                         ahead for CODErdN (e.g. /seq/200,429ra60,410/x);
 *                         301, 302, 307 and 308 redirect to PATH.  The
 *                         count is per path, of every request reaching
 *                         it: /seq/301,200/seq/200,404,200/x moves to
 *                         /seq/200,404,200/x, whose second request fails,
 *                         and its third, through the old url, does not
 *   /redirect-to/HOST:PORT/PATH  302 to http://HOST:PORT/PATH: another host
 *   /cache/N/PATH         PATH with Cache-Control: max-age=N
 *   /expires/N/PATH       PATH with Expires N seconds ahead (and a Date)
 *
 * Access rules (each repeatable, up to 8), checked before the routes:
 *   --auth PREFIX=USER:PASS   a path starting with PREFIX wants HTTP Basic
 *                         with USER:PASS (else 401 with WWW-Authenticate);
 *                         the rest of the path is then routed as above
 *                         (/basic/feeds/x.xml with --auth /basic=a:b)
 *   --require-header PREFIX=NAME:VALUE  the same with a header (else 403)
 *
 * Forward proxy: a request with an absolute URI (GET http://HOST:PORT/PATH,
 * as clients send to a proxy) is forwarded to the address that
 * --proxy-map HOST=127.0.0.1:PORT (repeatable, up to 8) gives its host, or
 * to 127.0.0.1 itself, with its headers (not the Proxy- ones), and the
 * answer sent back; any other host gets 502.  It is logged as any request,
 * its absolute URI in the URI field.
 *
 * In served .xml/.rss/.atom/.rdf/.html files the token @BASE@ is replaced
 * by http://127.0.0.1:PORT.  The ETag is a hash of the bytes sent, so it is
 * stable for the life of the server (the port does not change).
 *
 * --log FILE appends one line per answered request, fields separated by a
 * tab:
 *   METHOD URI STATUS inm=V ims=V ua=V ae=V cookie=V referer=V host=V
 *   t=MS inflight=N hostflight=N authz=V apikey=V
 * where V is the request header's value or "-", MS the time the request
 * came in (unix milliseconds), N how many requests were in flight at that
 * moment (received and not answered yet, this one included), in all and
 * with the same Host header.  The server listens on one address, so
 * inflight is what a client's per-address limit may allow at most; authz
 * and apikey are the Authorization and X-Api-Key headers.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <zlib.h>

#define MAX_FILE	(64UL * 1024 * 1024)
#define MAX_GEN_ITEMS	5000UL
#define MAX_GEN_FIRST	1000000UL	/* K of /gen/K+N.xml */
#define MAX_HUGE_MB	4096UL
#define MAX_SLOW	3600UL
#define MAX_REDIRECTS	100UL
#define HUGE_CHUNK	(64 * 1024)
#define GEN_EPOCH	((time_t)1704067200)	/* 2024-01-01T00:00:00Z */
#define BASE_TOKEN	"@BASE@"

/* How many times a /seq/ path was asked. */
struct seqcount {
	char		*path;
	unsigned	 n;
};

#define SEQ_PATHS	256
#define RULES_MAX	8

/* --auth, --require-header and --proxy-map: PREFIX (or HOST) = VALUE. */
struct rule {
	int		 kind;		/* 'a', 'h' or 'p', see rule_parse */
	const char	*key;
	size_t		 keylen;
	char		*name;		/* header name; proxy: the address */
	char		*value;		/* "Basic b64", the header's value;
					   proxy: the port */
};

/* A request received and not answered yet. */
struct inflight {
	struct inflight		*next;
	struct evhttp_request	*req;
	int64_t			 t;		/* when it came in, unix ms */
	unsigned		 all;		/* in flight then, it included */
	unsigned		 same;		/* of them to its Host */
	char			 host[256];	/* its Host header, maybe cut */
};

struct server {
	struct event_base	*base;
	struct evhttp		*http;
	const char		*root;
	unsigned		 port;
	char			 base_url[64];
	FILE			*log;
	struct seqcount		 seq[SEQ_PATHS];
	unsigned		 nseq;
	struct inflight		*inflight;	/* newest first */
	struct rule		 rules[RULES_MAX];	/* auth and headers */
	unsigned		 nrules;
	struct rule		 maps[RULES_MAX];	/* proxy */
	unsigned		 nmaps;
};

struct opts {
	int	gzip;
	int	truncate;
};

/* Per-request state for replies that outlive the request callback. */
struct pending {
	struct server		*srv;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	struct event		*timer;		/* /slow */
	char			*path;		/* /slow: what to serve then */
	struct opts		 o;		/* /slow: options so far */
	uint64_t		 left;		/* /huge: bytes still to send */
	unsigned long		 item;		/* /huge: next item number */
};

/* A response body with what we know about it. */
struct entity {
	char		*data;
	size_t		 len;
	time_t		 mtime;		/* -1: unknown */
	const char	*ctype;
};

static void	dispatch(struct server *, struct evhttp_request *,
		    const char *, struct opts);

static const char *
status_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static const char *
method_name(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	default: return "OTHER";
	}
}

static const char *
req_header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

/* Write one header value; tabs and control bytes would break the format. */
static void
log_value(FILE *fp, const char *key, const char *v)
{
	const unsigned char *p;

	fprintf(fp, "\t%s=", key);
	if (v == NULL) {
		fputc('-', fp);
		return;
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, fp);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A request came in: counted with those in flight.  Out of memory, it is
 * logged without its times, which a test notices.
 */
static void
inflight_add(struct server *srv, struct evhttp_request *req)
{
	struct inflight	*f, *i;
	const char	*host = req_header(req, "Host");
	int		 n;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return;
	f->req = req;
	f->t = now_ms();
	n = snprintf(f->host, sizeof(f->host), "%s", host != NULL ? host : "");
	(void)n;	/* a cut Host still tells hosts apart in the tests */
	f->all = f->same = 1;
	for (i = srv->inflight; i != NULL; i = i->next) {
		f->all++;
		f->same += strcmp(i->host, f->host) == 0;
	}
	f->next = srv->inflight;
	srv->inflight = f;
}

/* The request is answered or gone: no longer in flight.  Free the result. */
static struct inflight *
inflight_take(struct server *srv, struct evhttp_request *req)
{
	struct inflight	**pp, *f;

	for (pp = &srv->inflight; (f = *pp) != NULL; pp = &f->next)
		if (f->req == req) {
			*pp = f->next;
			return f;
		}
	return NULL;
}

static void
log_request(struct server *srv, struct evhttp_request *req, int code)
{
	struct inflight	*f = inflight_take(srv, req);

	if (srv->log == NULL) {
		free(f);
		return;
	}
	fprintf(srv->log, "%s\t%s\t%d", method_name(req),
	    evhttp_request_get_uri(req), code);
	log_value(srv->log, "inm", req_header(req, "If-None-Match"));
	log_value(srv->log, "ims", req_header(req, "If-Modified-Since"));
	log_value(srv->log, "ua", req_header(req, "User-Agent"));
	log_value(srv->log, "ae", req_header(req, "Accept-Encoding"));
	log_value(srv->log, "cookie", req_header(req, "Cookie"));
	log_value(srv->log, "referer", req_header(req, "Referer"));
	log_value(srv->log, "host", req_header(req, "Host"));
	if (f != NULL)
		fprintf(srv->log, "\tt=%" PRId64 "\tinflight=%u\thostflight=%u",
		    f->t, f->all, f->same);
	else
		fputs("\tt=-\tinflight=-\thostflight=-", srv->log);
	log_value(srv->log, "authz", req_header(req, "Authorization"));
	log_value(srv->log, "apikey", req_header(req, "X-Api-Key"));
	fputc('\n', srv->log);
	fflush(srv->log);
	free(f);
}

static void
reply(struct server *srv, struct evhttp_request *req, int code,
    struct evbuffer *body)
{
	log_request(srv, req, code);
	evhttp_send_reply(req, code, status_reason(code), body);
}

/* A short text/plain answer. */
static void
reply_text(struct server *srv, struct evhttp_request *req, int code,
    const char *text)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf;

	evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(buf, "%d %s\n%s", code, status_reason(code),
	    text != NULL ? text : "") < 0) {
		if (buf != NULL)
			evbuffer_free(buf);
		reply(srv, req, 500, NULL);
		return;
	}
	reply(srv, req, code, buf);
	evbuffer_free(buf);
}

/* Decimal number of at most max, ending at the end of s or at a '/'. */
static int
parse_num(const char *s, unsigned long max, unsigned long *out,
    const char **rest)
{
	unsigned long	 v = 0;
	const char	*p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (p == s || p - s > 10)
		return -1;
	*out = v;
	*rest = p;
	return 0;
}

static int
parse_arg(const char *s, unsigned long max, unsigned long *out)
{
	const char *rest;

	if (parse_num(s, max, out, &rest) == -1 || *rest != '\0')
		return -1;
	return 0;
}

static const char *
content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".xml") == 0 || strcmp(dot, ".rss") == 0)
		return "application/rss+xml";
	if (strcmp(dot, ".atom") == 0)
		return "application/atom+xml";
	if (strcmp(dot, ".rdf") == 0)
		return "application/rdf+xml";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	return "application/octet-stream";
}

static int
is_text(const char *ctype)
{
	return strcmp(ctype, "application/octet-stream") != 0;
}

static uint64_t
fnv1a(const char *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
http_date(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		return -1;
	return 0;
}

static int
parse_http_date(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

/* Replace every BASE_TOKEN in e->data by srv->base_url. */
static int
subst_base(struct server *srv, struct entity *e)
{
	const size_t	 tlen = sizeof(BASE_TOKEN) - 1;
	const size_t	 blen = strlen(srv->base_url);
	const char	*p, *end = e->data + e->len, *hit;
	char		*out, *o;
	size_t		 n = 0, len;

	for (p = e->data; (hit = memmem(p, (size_t)(end - p), BASE_TOKEN,
	    tlen)) != NULL; p = hit + tlen)
		n++;
	if (n == 0)
		return 0;
	/* blen < tlen is impossible, the URL is longer than the token */
	if (n > (SIZE_MAX - e->len) / (blen - tlen))
		return -1;
	len = e->len + n * (blen - tlen);
	if ((out = malloc(len + 1)) == NULL)
		return -1;
	o = out;
	for (p = e->data; (hit = memmem(p, (size_t)(end - p), BASE_TOKEN,
	    tlen)) != NULL; p = hit + tlen) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, srv->base_url, blen);
		o += blen;
	}
	memcpy(o, p, (size_t)(end - p));
	out[len] = '\0';
	free(e->data);
	e->data = out;
	e->len = len;
	return 0;
}

static int
gzip_entity(struct entity *e)
{
	z_stream	 zs;
	char		*out;
	uLong		 bound;
	int		 rc;

	if (e->len > UINT_MAX)
		return -1;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&zs, (uLong)e->len);
	if (bound > UINT_MAX || (out = malloc(bound)) == NULL) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)e->data;
	zs.avail_in = (uInt)e->len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(out);
		return -1;
	}
	free(e->data);
	e->data = out;
	e->len = zs.total_out;
	return 0;
}

/*
 * Send e (taking its data) as 200, or 304 when the request's validators
 * match: If-None-Match against the ETag, else If-Modified-Since >= mtime.
 */
static void
reply_entity(struct server *srv, struct evhttp_request *req,
    struct entity *e, struct opts o)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf = NULL;
	const char		*inm, *ims, *ae;
	char			 etag[64], date[64];
	time_t			 t;
	int			 n, gz = 0;

	if (is_text(e->ctype) && subst_base(srv, e) == -1)
		goto fail;
	if (o.truncate)
		e->len /= 2;
	ae = req_header(req, "Accept-Encoding");
	if (o.gzip) {
		evhttp_add_header(out, "Vary", "Accept-Encoding");
		if (ae != NULL && strcasestr(ae, "gzip") != NULL) {
			if (gzip_entity(e) == -1)
				goto fail;
			gz = 1;
		}
	}
	n = snprintf(etag, sizeof(etag), "\"%zx-%016" PRIx64 "%s\"", e->len,
	    fnv1a(e->data, e->len), gz ? "-gz" : "");
	if (n < 0 || (size_t)n >= sizeof(etag))
		goto fail;
	evhttp_add_header(out, "ETag", etag);
	if (e->mtime != (time_t)-1) {
		if (http_date(date, sizeof(date), e->mtime) == -1)
			goto fail;
		evhttp_add_header(out, "Last-Modified", date);
	}
	if ((inm = req_header(req, "If-None-Match")) != NULL) {
		if (strcmp(inm, etag) == 0) {
			reply(srv, req, 304, NULL);
			goto done;
		}
	} else if ((ims = req_header(req, "If-Modified-Since")) != NULL &&
	    e->mtime != (time_t)-1 && parse_http_date(ims, &t) == 0 &&
	    e->mtime <= t) {
		reply(srv, req, 304, NULL);
		goto done;
	}
	evhttp_add_header(out, "Content-Type", e->ctype);
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp drops the body of a HEAD reply, and its length */
		n = snprintf(date, sizeof(date), "%zu", e->len);
		if (n < 0 || (size_t)n >= sizeof(date))
			goto fail;
		evhttp_add_header(out, "Content-Length", date);
		reply(srv, req, 200, NULL);
		goto done;
	}
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add(buf, e->data, e->len) == -1)
		goto fail;
	reply(srv, req, 200, buf);
	goto done;
fail:
	evhttp_remove_header(out, "ETag");
	evhttp_remove_header(out, "Last-Modified");
	reply_text(srv, req, 500, "cannot build the response\n");
done:
	if (buf != NULL)
		evbuffer_free(buf);
	free(e->data);
	e->data = NULL;
}

/* Refuse empty paths, NUL bytes and ".." segments. */
static int
path_ok(const char *p, size_t len)
{
	const char *seg, *end;

	if (len == 0 || p[0] != '/' || strlen(p) != len)
		return 0;
	for (seg = p + 1; ; seg = end + 1) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		if (end - seg == 2 && seg[0] == '.' && seg[1] == '.')
			return 0;
		if (*end == '\0')
			return 1;
	}
}

static int
read_file(int fd, size_t size, char **out)
{
	char	*data;
	size_t	 off = 0;
	ssize_t	 r;

	if ((data = malloc(size + 1)) == NULL)
		return -1;
	while (off < size) {
		r = read(fd, data + off, size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(data);
			return -1;
		}
		off += (size_t)r;
	}
	data[size] = '\0';
	*out = data;
	return 0;
}

static void
serve_file(struct server *srv, struct evhttp_request *req, const char *raw,
    struct opts o)
{
	struct entity	 e = { NULL, 0, (time_t)-1, NULL };
	struct stat	 st;
	char		*path = NULL, full[PATH_MAX];
	size_t		 len;
	int		 fd = -1, n;

	if ((path = evhttp_uridecode(raw, 0, &len)) == NULL) {
		reply_text(srv, req, 500, "out of memory\n");
		return;
	}
	if (!path_ok(path, len)) {
		reply_text(srv, req, 403, "bad path\n");
		goto out;
	}
	n = snprintf(full, sizeof(full), "%s%s", srv->root, path);
	if (n < 0 || (size_t)n >= sizeof(full)) {
		reply_text(srv, req, 404, "path too long\n");
		goto out;
	}
	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		reply_text(srv, req, 404, "no such file\n");
		goto out;
	}
	if ((uintmax_t)st.st_size > MAX_FILE) {
		reply_text(srv, req, 500, "file too large\n");
		goto out;
	}
	if (read_file(fd, (size_t)st.st_size, &e.data) == -1) {
		reply_text(srv, req, 500, "cannot read the file\n");
		goto out;
	}
	e.len = (size_t)st.st_size;
	e.mtime = st.st_mtime;
	e.ctype = content_type(path);
	reply_entity(srv, req, &e, o);
out:
	if (fd != -1)
		close(fd);
	free(path);
}

static void
serve_status(struct server *srv, struct evhttp_request *req,
    const char *arg)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	unsigned long		 code;

	if (parse_arg(arg, 599, &code) == -1 || code < 200) {
		reply_text(srv, req, 400, "bad status code\n");
		return;
	}
	if (code == 429 && evhttp_find_header(out, "Retry-After") == NULL)
		evhttp_add_header(out, "Retry-After", "120");
	if (code == 204 || code == 304)
		reply(srv, req, (int)code, NULL);
	else
		reply_text(srv, req, (int)code, "fault route\n");
}

/* The request count of a /seq/ path, this one included (0: no room). */
static unsigned
seq_count(struct server *srv, const char *path)
{
	unsigned	 i;

	for (i = 0; i < srv->nseq; i++)
		if (strcmp(srv->seq[i].path, path) == 0)
			return ++srv->seq[i].n;
	if (srv->nseq == SEQ_PATHS ||
	    (srv->seq[srv->nseq].path = strdup(path)) == NULL)
		return 0;
	srv->seq[srv->nseq].n = 1;
	srv->nseq++;
	return 1;
}

/*
 * /seq/STEPS/PATH: the step of this request.  Returns 1 with *code 0 to
 * serve PATH, 1 with *code set to answer that status (Retry-After added),
 * -1 on a bad route.
 */
static int
seq_step(struct server *srv, struct evhttp_request *req, const char *full,
    const char *arg, const char **rest, unsigned long *code)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const char		*p = arg, *end;
	unsigned		 k, i = 1;
	unsigned long		 ra = 0;
	char			 v[64];
	int			 date = -1;

	if ((end = strchr(arg, '/')) == NULL || (k = seq_count(srv, full)) == 0)
		return -1;
	*rest = end;
	/* The k-th comma-separated step, or the last. */
	while (i < k && (p = memchr(p, ',', (size_t)(end - p))) != NULL) {
		p++;
		i++;
	}
	if (p == NULL) {
		for (p = end; p > arg && p[-1] != ','; p--)
			;
	}
	if (parse_num(p, 599, code, &p) == -1)
		return -1;
	if (p + 2 < end && p[0] == 'r' && (p[1] == 'a' || p[1] == 'd')) {
		date = p[1] == 'd';
		if (parse_num(p + 2, 7 * 86400, &ra, &p) == -1)
			return -1;
	}
	if (*p != ',' && p != end)
		return -1;
	if (date == 1) {
		if (http_date(v, sizeof(v), time(NULL) + (time_t)ra) == -1)
			return -1;
	} else
		(void)snprintf(v, sizeof(v), "%lu", ra);
	if (date != -1)
		evhttp_add_header(out, "Retry-After", v);
	if (*code == 200)
		*code = 0;
	return 1;
}

static void
serve_seq(struct server *srv, struct evhttp_request *req, const char *full,
    const char *arg, struct opts o)
{
	const char	*rest;
	unsigned long	 code;

	if (seq_step(srv, req, full, arg, &rest, &code) == -1) {
		reply_text(srv, req, 400, "bad sequence\n");
		return;
	}
	if (code == 0)
		dispatch(srv, req, rest, o);
	else if (code == 301 || code == 302 || code == 307 || code == 308) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Location", rest);
		reply_text(srv, req, (int)code, "sequence step\n");
	} else if (code == 304)
		reply(srv, req, (int)code, NULL);
	else
		reply_text(srv, req, (int)code, "sequence step\n");
}

/* /cache/N/ and /expires/N/: the freshness headers, then the rest. */
static void
serve_fresh(struct server *srv, struct evhttp_request *req, const char *arg,
    int expires, struct opts o)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	unsigned long		 n;
	const char		*rest;
	char			 v[64];

	if (parse_num(arg, 365UL * 86400, &n, &rest) == -1 || *rest != '/') {
		reply_text(srv, req, 400, "bad freshness\n");
		return;
	}
	if (expires) {
		if (http_date(v, sizeof(v), time(NULL) + (time_t)n) == 0)
			evhttp_add_header(out, "Expires", v);
		if (http_date(v, sizeof(v), time(NULL)) == 0)
			evhttp_add_header(out, "Date", v);
	} else {
		(void)snprintf(v, sizeof(v), "max-age=%lu", n);
		evhttp_add_header(out, "Cache-Control", v);
	}
	dispatch(srv, req, rest, o);
}

/* /redirect/ answers 302, /moved/ 301 and /moved308/ 308 (permanent). */
static void
serve_redirect(struct server *srv, struct evhttp_request *req,
    const char *arg, int permanent)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	unsigned long		 n;
	const char		*rest;
	char			 loc[2048];
	int			 len;

	if (parse_num(arg, MAX_REDIRECTS, &n, &rest) == -1 || *rest != '/') {
		reply_text(srv, req, 400, "bad redirect\n");
		return;
	}
	if (n == 0)
		len = snprintf(loc, sizeof(loc), "%s", rest);
	else
		len = snprintf(loc, sizeof(loc), "/%s/%lu%s",
		    permanent == 308 ? "moved308" : permanent ? "moved" :
		    "redirect", n - 1, rest);
	if (len < 0 || (size_t)len >= sizeof(loc)) {
		reply_text(srv, req, 400, "path too long\n");
		return;
	}
	evhttp_add_header(out, "Location", loc);
	reply_text(srv, req, permanent == 308 ? 308 : permanent ? 301 : 302,
	    "redirecting\n");
}

static void
pending_free(struct pending *p)
{
	if (p->timer != NULL)
		event_free(p->timer);
	free(p->path);
	free(p);
}

/*
 * The client went away (or the server stops).  A request whose reply we had
 * not finished is detached from the dying connection by libevent 2.1 and
 * left for us to free; one still attached is freed by libevent.
 */
static void
pending_closed(struct evhttp_connection *evcon, void *arg)
{
	struct pending *p = arg;

	(void)evcon;
	free(inflight_take(p->srv, p->req));
	if (evhttp_request_get_connection(p->req) == NULL)
		evhttp_request_free(p->req);
	pending_free(p);
}

static struct pending *
pending_new(struct server *srv, struct evhttp_request *req)
{
	struct pending *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->srv = srv;
	p->req = req;
	p->evcon = evhttp_request_get_connection(req);
	evhttp_connection_set_closecb(p->evcon, pending_closed, p);
	return p;
}

/* Done with p while the connection lives on. */
static void
pending_done(struct pending *p)
{
	evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	pending_free(p);
}

static void
slow_fire(evutil_socket_t fd, short what, void *arg)
{
	struct pending		*p = arg;
	struct server		*srv = p->srv;
	struct evhttp_request	*req = p->req;
	struct opts		 o = p->o;
	char			*path = p->path;

	(void)fd;
	(void)what;
	p->path = NULL;
	pending_done(p);
	dispatch(srv, req, path, o);
	free(path);
}

static void
serve_slow(struct server *srv, struct evhttp_request *req, const char *arg,
    struct opts o)
{
	struct pending	*p;
	struct timeval	 tv;
	unsigned long	 secs;
	const char	*rest;

	if (parse_num(arg, MAX_SLOW, &secs, &rest) == -1 || *rest != '/') {
		reply_text(srv, req, 400, "bad delay\n");
		return;
	}
	if ((p = pending_new(srv, req)) == NULL) {
		reply_text(srv, req, 500, "out of memory\n");
		return;
	}
	if ((p->path = strdup(rest)) == NULL ||
	    (p->timer = evtimer_new(srv->base, slow_fire, p)) == NULL) {
		pending_done(p);
		reply_text(srv, req, 500, "out of memory\n");
		return;
	}
	p->o = o;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = 0;
	evtimer_add(p->timer, &tv);
}

static void	huge_next(struct evhttp_connection *, void *);

static int
huge_fill(struct pending *p, struct evbuffer *buf)
{
	static const char	 tail[] = "</channel>\n</rss>\n";
	size_t			 len;

	while (evbuffer_get_length(buf) < HUGE_CHUNK) {
		if (p->left <= sizeof(tail) - 1 + 300) {
			if (evbuffer_add(buf, tail, sizeof(tail) - 1) == -1)
				return -1;
			p->left = 0;
			return 0;
		}
		len = evbuffer_get_length(buf);
		if (evbuffer_add_printf(buf, "<item><guid>huge-%lu</guid>"
		    "<title>Huge item %lu</title><description>Padding text "
		    "that makes this feed grow without end, item %lu, so a "
		    "client with a body cap must stop reading it at some "
		    "point.</description></item>\n", p->item, p->item,
		    p->item) < 0)
			return -1;
		p->item++;
		len = evbuffer_get_length(buf) - len;
		p->left -= len < p->left ? len : p->left;
	}
	return 0;
}

static void
huge_next(struct evhttp_connection *evcon, void *arg)
{
	struct pending		*p = arg;
	struct evhttp_request	*req = p->req;
	struct evbuffer		*buf;

	(void)evcon;
	if (p->left == 0) {
		pending_done(p);
		evhttp_send_reply_end(req);
		return;
	}
	if ((buf = evbuffer_new()) == NULL || huge_fill(p, buf) == -1) {
		/* cannot go on: end the body short, the client sees it */
		if (buf != NULL)
			evbuffer_free(buf);
		pending_done(p);
		evhttp_send_reply_end(req);
		return;
	}
	evhttp_send_reply_chunk_with_cb(req, buf, huge_next, p);
	evbuffer_free(buf);
}

static void
serve_huge(struct server *srv, struct evhttp_request *req, const char *arg)
{
	static const char	 head[] = "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n"
	    "<title>Huge feed</title>\n<link>http://127.0.0.1/</link>\n"
	    "<description>A feed without end</description>\n";
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct pending		*p;
	struct evbuffer		*buf;
	unsigned long		 mb;

	if (parse_arg(arg, MAX_HUGE_MB, &mb) == -1 || mb == 0) {
		reply_text(srv, req, 400, "bad size\n");
		return;
	}
	evhttp_add_header(out, "Content-Type", "application/rss+xml");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		reply(srv, req, 200, NULL);
		return;
	}
	if ((p = pending_new(srv, req)) == NULL) {
		reply_text(srv, req, 500, "out of memory\n");
		return;
	}
	p->left = (uint64_t)mb * 1024 * 1024 - (sizeof(head) - 1);
	p->item = 1;
	log_request(srv, req, 200);
	evhttp_send_reply_start(req, 200, status_reason(200));
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add(buf, head, sizeof(head) - 1) == -1) {
		if (buf != NULL)
			evbuffer_free(buf);
		pending_done(p);
		evhttp_send_reply_end(req);
		return;
	}
	evhttp_send_reply_chunk_with_cb(req, buf, huge_next, p);
	evbuffer_free(buf);
}

static int
gen_pubdate(char *buf, size_t len, unsigned long n)
{
	struct tm	tm;
	time_t		t = GEN_EPOCH + (time_t)n * 3600;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		return -1;
	return 0;
}

/*
 * Words of a generated story: a seeded pseudo-random pick per item, so
 * that every item is a different story (to duplicate detection too).
 */
static int
gen_words(struct evbuffer *b, unsigned long item, unsigned count)
{
	static const char *const words[] = {
		"minister", "harbour", "council", "river", "election", "border",
		"treaty", "grain", "village", "court", "budget", "strike",
		"ferry", "storm", "museum", "bridge", "tariff", "vaccine",
		"drought", "pipeline", "summit", "railway", "festival", "mine",
		"parliament", "refugees", "satellite", "forest", "port", "bank",
		"teachers", "doctors", "farmers", "miners", "pilots", "judges",
		"opened", "closed", "delayed", "approved", "rejected", "signed",
		"north", "south", "eastern", "western", "coastal", "upland",
		"on Monday", "on Tuesday", "this week", "last year", "at dawn",
		"after talks", "under pressure", "without notice", "by vote",
		"for months", "in secret", "in public", "again", "at last",
	};
	uint64_t	x = item * 0x9e3779b97f4a7c15ULL + 1;
	unsigned	i;

	for (i = 0; i < count; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (evbuffer_add_printf(b, "%s%s", i == 0 ? "" : " ",
		    words[x % (sizeof(words) / sizeof(words[0]))]) < 0)
			return -1;
	}
	return 0;
}

static int
gen_feed(struct server *srv, unsigned long first, unsigned long n,
    struct evbuffer *b)
{
	char		date[64];
	unsigned long	i;

	if (evbuffer_add_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\">\n<channel>\n"
	    "<title>Generated feed of %lu items</title>\n"
	    "<link>%s/gen/</link>\n"
	    "<description>Items made up by the fixture server</description>\n"
	    "<language>en</language>\n", n, srv->base_url) < 0)
		return -1;
	for (i = first + n; i > first; i--) {
		if (gen_pubdate(date, sizeof(date), i) == -1)
			return -1;
		if (evbuffer_add_printf(b, "<item>\n"
		    "<guid isPermaLink=\"false\">gen-%lu</guid>\n"
		    "<title>Generated item %lu</title>\n"
		    "<link>%s/gen-article/%lu.html</link>\n"
		    "<description>This is generated item %lu: ", i, i,
		    srv->base_url, i, i) < 0 ||
		    gen_words(b, i, 40) == -1 ||
		    evbuffer_add_printf(b, ".</description>\n"
		    "<pubDate>%s</pubDate>\n</item>\n", date) < 0)
			return -1;
	}
	return evbuffer_add_printf(b, "</channel>\n</rss>\n") < 0 ? -1 : 0;
}

static int
gen_article(unsigned long n, struct evbuffer *b)
{
	char date[64];

	if (gen_pubdate(date, sizeof(date), n) == -1)
		return -1;
	return evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n"
	    "<title>Generated item %lu | gen</title>\n</head>\n<body>\n"
	    "<article>\n<h1>Generated item %lu</h1>\n"
	    "<p class=\"date\">%s</p>\n"
	    "<p>This is the article of generated item %lu. It has two "
	    "paragraphs of plain text.</p>\n"
	    "<p>The second paragraph says nothing more, on purpose.</p>\n"
	    "</article>\n</body>\n</html>\n", n, n, date, n) < 0 ? -1 : 0;
}

/* /gen/N.xml and /gen-article/N.html */
static void
serve_gen(struct server *srv, struct evhttp_request *req, const char *arg,
    int article, struct opts o)
{
	const char	*suffix = article ? ".html" : ".xml";
	struct entity	 e = { NULL, 0, (time_t)-1, NULL };
	struct evbuffer	*b = NULL;
	unsigned long	 n = 0, first = 0;
	const char	*rest;
	size_t		 len;

	if (parse_num(arg, MAX_GEN_FIRST + MAX_GEN_ITEMS, &n, &rest) == -1)
		rest = "";
	else if (!article && *rest == '+') {
		first = n;
		if (parse_num(rest + 1, MAX_GEN_ITEMS, &n, &rest) == -1)
			rest = "";
	}
	if (strcmp(rest, suffix) != 0 || (article && n == 0) ||
	    (!article && (n > MAX_GEN_ITEMS || first > MAX_GEN_FIRST))) {
		reply_text(srv, req, 404, "no such generated document\n");
		return;
	}
	if ((b = evbuffer_new()) == NULL ||
	    (article ? gen_article(n, b) : gen_feed(srv, first, n, b)) == -1)
		goto fail;
	len = evbuffer_get_length(b);
	if ((e.data = malloc(len + 1)) == NULL)
		goto fail;
	if (evbuffer_remove(b, e.data, len) != (int)len) {
		free(e.data);
		goto fail;
	}
	evbuffer_free(b);
	e.len = len;
	e.mtime = GEN_EPOCH + (time_t)(first + n) * 3600;
	e.ctype = article ? "text/html; charset=utf-8" : "application/rss+xml";
	reply_entity(srv, req, &e, o);
	return;
fail:
	if (b != NULL)
		evbuffer_free(b);
	reply_text(srv, req, 500, "cannot generate\n");
}

/* /retry-after/N/PATH: PATH's answer, with Retry-After: N. */
static void
serve_retry_after(struct server *srv, struct evhttp_request *req,
    const char *arg, struct opts o)
{
	unsigned long	 secs;
	const char	*rest;
	char		 v[16];
	int		 n;

	if (parse_num(arg, MAX_SLOW, &secs, &rest) == -1 || *rest != '/') {
		reply_text(srv, req, 400, "bad retry-after\n");
		return;
	}
	n = snprintf(v, sizeof(v), "%lu", secs);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		reply_text(srv, req, 500, "cannot say when\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Retry-After", v);
	dispatch(srv, req, rest, o);
}

static int
prefix(const char *path, const char *pre, const char **rest)
{
	size_t len = strlen(pre);

	if (strncmp(path, pre, len) != 0)
		return 0;
	*rest = path + len;
	return 1;
}

/* 302 to http://HOST:PORT/PATH, for redirects that leave the host. */
static void
serve_redirect_to(struct server *srv, struct evhttp_request *req,
    const char *arg)
{
	const char	*slash = strchr(arg, '/');
	char		 loc[2048];
	int		 len;

	if (slash == NULL || slash == arg) {
		reply_text(srv, req, 400, "bad redirect\n");
		return;
	}
	len = snprintf(loc, sizeof(loc), "http://%s", arg);
	if (len < 0 || (size_t)len >= sizeof(loc)) {
		reply_text(srv, req, 400, "path too long\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    loc);
	reply_text(srv, req, 302, "redirecting\n");
}

static void
dispatch(struct server *srv, struct evhttp_request *req, const char *path,
    struct opts o)
{
	const char *rest;

	if (prefix(path, "/redirect-to/", &rest))
		serve_redirect_to(srv, req, rest);
	else if (prefix(path, "/status/", &rest))
		serve_status(srv, req, rest);
	else if (prefix(path, "/redirect/", &rest))
		serve_redirect(srv, req, rest, 0);
	else if (prefix(path, "/moved/", &rest))
		serve_redirect(srv, req, rest, 1);
	else if (prefix(path, "/moved308/", &rest))
		serve_redirect(srv, req, rest, 308);
	else if (prefix(path, "/seq/", &rest))
		serve_seq(srv, req, path, rest, o);
	else if (prefix(path, "/cache/", &rest))
		serve_fresh(srv, req, rest, 0, o);
	else if (prefix(path, "/expires/", &rest))
		serve_fresh(srv, req, rest, 1, o);
	else if (prefix(path, "/slow/", &rest))
		serve_slow(srv, req, rest, o);
	else if (prefix(path, "/retry-after/", &rest))
		serve_retry_after(srv, req, rest, o);
	else if (prefix(path, "/huge/", &rest))
		serve_huge(srv, req, rest);
	else if (prefix(path, "/gzip/", &rest)) {
		o.gzip = 1;
		dispatch(srv, req, rest - 1, o);
	} else if (prefix(path, "/truncated/", &rest)) {
		o.truncate = 1;
		dispatch(srv, req, rest - 1, o);
	} else if (prefix(path, "/gen/", &rest))
		serve_gen(srv, req, rest, 0, o);
	else if (prefix(path, "/gen-article/", &rest))
		serve_gen(srv, req, rest, 1, o);
	else
		serve_file(srv, req, path, o);
}

/* Access rules and the forward proxy. */

static char *
base64(const char *s)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i;
	char			*r, *w;
	unsigned		 v;

	if (len > (SIZE_MAX - 5) / 4 * 3 || (r = malloc((len + 2) / 3 * 4 +
	    1)) == NULL)
		return NULL;
	for (i = 0, w = r; i < len; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*w++ = tab[v >> 18 & 63];
		*w++ = tab[v >> 12 & 63];
		*w++ = i + 1 < len ? tab[v >> 6 & 63] : '=';
		*w++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*w = '\0';
	return r;
}

/*
 * "KEY=A<sep>B" into r: kind 'a' (auth: value "Basic base64(A:B)"), 'h'
 * (header A, value B) or 'p' (proxy map: address A, port B).
 */
static int
rule_parse(struct rule *r, const char *arg, int kind)
{
	const char	*eq, *sep;
	char		*b;

	if ((eq = strchr(arg, '=')) == NULL || eq == arg ||
	    (sep = strchr(eq + 1, ':')) == NULL || sep == eq + 1)
		return -1;
	r->kind = kind;
	r->key = arg;
	r->keylen = (size_t)(eq - arg);
	if ((r->name = strndup(eq + 1, (size_t)(sep - eq - 1))) == NULL)
		return -1;
	if (kind != 'a')
		r->value = strdup(sep + 1);
	else if ((b = base64(eq + 1)) != NULL) {
		if (asprintf(&r->value, "Basic %s", b) < 0)
			r->value = NULL;
		free(b);
	}
	return r->value == NULL ? -1 : 0;
}

/*
 * The rules of path's prefix: 0 and *path past the prefix when met (or
 * none applies), -1 when answered (401, 403).
 */
static int
rules_check(struct server *srv, struct evhttp_request *req, const char **path)
{
	const struct rule	*r;
	const char		*v;
	unsigned		 i;

	for (i = 0; i < srv->nrules; i++) {
		r = &srv->rules[i];
		if (strncmp(*path, r->key, r->keylen) != 0 ||
		    (*path)[r->keylen] != '/')
			continue;
		v = req_header(req, r->kind == 'a' ? "Authorization" : r->name);
		if (v != NULL && strcmp(v, r->value) == 0) {
			*path += r->keylen;
			return 0;
		}
		if (r->kind == 'a') {
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "WWW-Authenticate", "Basic realm=\"fixture\"");
			reply_text(srv, req, 401, "login wanted\n");
		} else
			reply_text(srv, req, 403, "header wanted\n");
		return -1;
	}
	return 0;
}

struct forward {
	struct server		*srv;
	struct evhttp_request	*req;
	struct evhttp_connection *conn;
};

/* libevent may still use the connection as the callback returns. */
static void
forward_free_conn(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

/* Done with fw: its connection freed from the loop, right after. */
static void
forward_end(struct forward *fw)
{
	struct timeval	 now = { 0, 0 };

	if (event_base_once(fw->srv->base, -1, EV_TIMEOUT, forward_free_conn,
	    fw->conn, &now) == -1)
		fprintf(stderr, "fixture-server: a proxy connection leaks\n");
	free(fw);
}

/* The origin's answer, back to the client as it came. */
static void
forward_done(struct evhttp_request *resp, void *arg)
{
	struct forward		*fw = arg;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(fw->req);
	struct evkeyval		*h;
	int			 code;

	if (resp == NULL || (code = evhttp_request_get_response_code(resp)) ==
	    0) {
		reply_text(fw->srv, fw->req, 502, "origin unreachable\n");
		forward_end(fw);
		return;
	}
	TAILQ_FOREACH(h, evhttp_request_get_input_headers(resp), next)
		if (strcasecmp(h->key, "Transfer-Encoding") != 0 &&
		    strcasecmp(h->key, "Connection") != 0 &&
		    strcasecmp(h->key, "Content-Length") != 0)
			evhttp_add_header(out, h->key, h->value);
	reply(fw->srv, fw->req, code, evhttp_request_get_input_buffer(resp));
	forward_end(fw);
}

/* GET http://HOST[:PORT]/PATH: to the mapped address, or 127.0.0.1. */
static void
forward(struct server *srv, struct evhttp_request *req,
    const struct evhttp_uri *uri)
{
	const char		*host = evhttp_uri_get_host(uri), *addr = NULL;
	const char		*path = evhttp_uri_get_path(uri);
	const char		*query = evhttp_uri_get_query(uri);
	struct evhttp_connection *conn;
	struct evhttp_request	*out;
	struct evkeyval		*h;
	struct forward		*fw;
	unsigned long		 port = 0;
	unsigned		 i;
	char			*target = NULL;

	for (i = 0; i < srv->nmaps; i++)
		if (strlen(host) == srv->maps[i].keylen &&
		    strncasecmp(host, srv->maps[i].key, srv->maps[i].keylen) ==
		    0) {
			addr = srv->maps[i].name;
			if (parse_arg(srv->maps[i].value, 65535, &port) == -1)
				addr = NULL;
		}
	if (addr == NULL && strcmp(host, "127.0.0.1") == 0) {
		addr = host;
		port = evhttp_uri_get_port(uri) > 0 ?
		    (unsigned long)evhttp_uri_get_port(uri) : 80;
	}
	if (addr == NULL) {
		reply_text(srv, req, 502, "no such host\n");
		return;
	}
	if (asprintf(&target, "%s%s%s", path != NULL && *path != '\0' ? path :
	    "/", query != NULL ? "?" : "", query != NULL ? query : "") < 0 ||
	    (fw = calloc(1, sizeof(*fw))) == NULL) {
		free(target);
		reply_text(srv, req, 500, "out of memory\n");
		return;
	}
	fw->srv = srv;
	fw->req = req;
	conn = evhttp_connection_base_new(srv->base, NULL, addr,
	    (ev_uint16_t)port);
	out = conn != NULL ? evhttp_request_new(forward_done, fw) : NULL;
	if (out == NULL) {
		if (conn != NULL)
			evhttp_connection_free(conn);
		free(fw);
		free(target);
		reply_text(srv, req, 500, "cannot forward\n");
		return;
	}
	TAILQ_FOREACH(h, evhttp_request_get_input_headers(req), next)
		if (strncasecmp(h->key, "Proxy-", 6) != 0 &&
		    strcasecmp(h->key, "Connection") != 0)
			evhttp_add_header(evhttp_request_get_output_headers(out),
			    h->key, h->value);
	fw->conn = conn;
	if (evhttp_make_request(conn, out, EVHTTP_REQ_GET, target) == -1) {
		/* libevent freed out; the connection is ours. */
		evhttp_connection_free(conn);
		free(fw);
		reply_text(srv, req, 502, "cannot forward\n");
	}
	free(target);
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct server		*srv = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct opts		 o = { 0, 0 };
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	inflight_add(srv, req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(srv, req, 405, "GET and HEAD only\n");
		return;
	}
	if (uri != NULL && evhttp_uri_get_host(uri) != NULL &&
	    evhttp_uri_get_scheme(uri) != NULL) {
		forward(srv, req, uri);
		return;
	}
	if (path == NULL || path[0] != '/') {
		reply_text(srv, req, 400, "bad request target\n");
		return;
	}
	if (rules_check(srv, req, &path) == -1)
		return;
	dispatch(srv, req, path, o);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)what;
	event_base_loopexit(srv->base, NULL);
}

static int
write_port_file(const char *file, unsigned port)
{
	char	 tmp[PATH_MAX];
	FILE	*fp;
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	if (fprintf(fp, "%u\n", port) < 0 || fflush(fp) == EOF ||
	    fsync(fileno(fp)) == -1) {
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) == EOF || rename(tmp, file) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
bind_loopback(struct server *srv, unsigned port)
{
	struct evhttp_bound_socket	*bound;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);
	int				 n;

	bound = evhttp_bind_socket_with_handle(srv->http, "127.0.0.1",
	    (ev_uint16_t)port);
	if (bound == NULL)
		return -1;
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &slen) == -1)
		return -1;
	srv->port = ntohs(sin.sin_port);
	n = snprintf(srv->base_url, sizeof(srv->base_url),
	    "http://127.0.0.1:%u", srv->port);
	if (n < 0 || (size_t)n >= sizeof(srv->base_url))
		return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fixture-server --root DIR [--port N] "
	    "[--port-file FILE] [--log FILE] [--lifetime SECONDS]\n"
	    "    [--auth PREFIX=USER:PASS] [--require-header PREFIX=NAME:VALUE]\n"
	    "    [--proxy-map HOST=127.0.0.1:PORT]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "root",	required_argument, NULL, 'r' },
		{ "port",	required_argument, NULL, 'p' },
		{ "port-file",	required_argument, NULL, 'f' },
		{ "log",	required_argument, NULL, 'l' },
		{ "lifetime",	required_argument, NULL, 't' },
		{ "auth",	required_argument, NULL, 'a' },
		{ "require-header", required_argument, NULL, 'h' },
		{ "proxy-map",	required_argument, NULL, 'm' },
		{ NULL,		0,		   NULL, 0 }
	};
	struct server		 srv;
	struct inflight		*f;
	struct event		*ev_term = NULL, *ev_int = NULL, *ev_life = NULL;
	struct sigaction	 sa;
	struct timeval		 tv;
	const char		*port_file = NULL, *log_file = NULL;
	unsigned long		 port = 0, lifetime = 120;
	int			 ch, rc = 1;

	memset(&srv, 0, sizeof(srv));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			srv.root = optarg;
			break;
		case 'p':
			if (parse_arg(optarg, 65535, &port) == -1)
				usage();
			break;
		case 'f':
			port_file = optarg;
			break;
		case 'l':
			log_file = optarg;
			break;
		case 't':
			if (parse_arg(optarg, 86400, &lifetime) == -1)
				usage();
			break;
		case 'a':
		case 'h':
			if (srv.nrules == RULES_MAX || rule_parse(
			    &srv.rules[srv.nrules++], optarg, ch) == -1)
				usage();
			break;
		case 'm':
			if (srv.nmaps == RULES_MAX || rule_parse(
			    &srv.maps[srv.nmaps++], optarg, 'p') == -1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || srv.root == NULL)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		perror("fixture-server: sigaction");
		return 1;
	}
	if (log_file != NULL && (srv.log = fopen(log_file, "a")) == NULL) {
		fprintf(stderr, "fixture-server: %s: %s\n", log_file,
		    strerror(errno));
		return 1;
	}
	if ((srv.base = event_base_new()) == NULL ||
	    (srv.http = evhttp_new(srv.base)) == NULL) {
		fprintf(stderr, "fixture-server: cannot set up libevent\n");
		goto out;
	}
	evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(srv.http, request_cb, &srv);
	if (bind_loopback(&srv, (unsigned)port) == -1) {
		fprintf(stderr, "fixture-server: cannot listen on "
		    "127.0.0.1:%lu\n", port);
		goto out;
	}
	if ((ev_term = evsignal_new(srv.base, SIGTERM, stop_cb, &srv)) == NULL ||
	    (ev_int = evsignal_new(srv.base, SIGINT, stop_cb, &srv)) == NULL ||
	    (ev_life = evtimer_new(srv.base, stop_cb, &srv)) == NULL ||
	    evsignal_add(ev_term, NULL) == -1 || evsignal_add(ev_int, NULL) == -1) {
		fprintf(stderr, "fixture-server: cannot set up events\n");
		goto out;
	}
	tv.tv_sec = (time_t)lifetime;
	tv.tv_usec = 0;
	if (evtimer_add(ev_life, &tv) == -1)
		goto out;
	if (port_file != NULL && write_port_file(port_file, srv.port) == -1) {
		fprintf(stderr, "fixture-server: %s: %s\n", port_file,
		    strerror(errno));
		goto out;
	}
	printf("listening on 127.0.0.1:%u\n", srv.port);
	fflush(stdout);

	if (event_base_dispatch(srv.base) == -1)
		goto out;
	rc = 0;
out:
	if (ev_life != NULL)
		event_free(ev_life);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_term != NULL)
		event_free(ev_term);
	if (srv.http != NULL)
		evhttp_free(srv.http);
	while ((f = srv.inflight) != NULL) {
		srv.inflight = f->next;
		free(f);
	}
	if (srv.base != NULL)
		event_base_free(srv.base);
	if (srv.log != NULL)
		fclose(srv.log);
	while (srv.nseq > 0)
		free(srv.seq[--srv.nseq].path);
	while (srv.nrules > 0) {
		free(srv.rules[--srv.nrules].name);
		free(srv.rules[srv.nrules].value);
	}
	while (srv.nmaps > 0) {
		free(srv.maps[--srv.nmaps].name);
		free(srv.maps[srv.nmaps].value);
	}
	return rc;
}
