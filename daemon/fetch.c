/*
 * fetch: one polite, capped HTTP GET.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "daemon/fetch.h"
#include "parsers/date.h"
#include "parsers/buf.h"

/* Headers larger than this are not kept (a validator is never that big). */
#define FETCH_HEADER_MAX	4096

struct fetch {
	CURL			*easy;
	struct curl_slist	*headers;
	fetch_done_fn		 done;		/* told when it ends */
	void			*done_arg;
	struct buf		 body;
	char			 errbuf[CURL_ERROR_SIZE];
	char			*etag;
	char			*last_modified;
	char			*content_type;
	long			 retry_after;
	long			 max_age;	/* Cache-Control, -1 none */
	int64_t			 expires;	/* unix seconds, -1 none */
	int64_t			 date;		/* the answer's Date, -1 */
	int			 redirects;	/* 3xx answers followed */
	int			 temporary;	/* one of them not 301/308 */
	int			 too_big;
	int			 refused;
	int			 public_only;
	int			 proxied;	/* public_only through a proxy */
	int			 via_proxy;	/* maybe through one */
	int			 cross;		/* a redirect left origin */
	char			*origin;	/* host:port the headers are for */
	char			 refused_addr[320];
	char			 addr[INET6_ADDRSTRLEN];	/* first request's */
	struct fetch_result	 res;
};

static size_t
fetch_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch	*f = arg;
	size_t		 n = size * nmemb;

	if (buf_add(&f->body, ptr, n) != BUF_OK) {
		/* Returning short makes curl abort with CURLE_WRITE_ERROR. */
		f->too_big = f->body.len + n > f->body.cap;
		return 0;
	}
	return n;
}

/* Copy a header value, trimmed, or NULL if absurdly long. */
static char *
fetch_header_value(const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len > FETCH_HEADER_MAX)
		return NULL;
	return strndup(v, len);
}

/* Retry-After: delta seconds or an HTTP date; capped at a week. */
static long
fetch_retry_after(const char *v)
{
	char		*end;
	long		 n;
	int64_t		 t, now;

	n = strtol(v, &end, 10);
	if (end != v && *end == '\0' && n >= 0)
		return n > 7 * 86400 ? 7 * 86400 : n;
	if (date_parse(v, &t) == -1)
		return -1;
	now = (int64_t)time(NULL);
	if (t <= now)
		return 0;
	return t - now > 7 * 86400 ? 7 * 86400 : (long)(t - now);
}

/*
 * Cache-Control: max-age=N (s-maxage is for shared caches; we are not
 * one); no-cache and no-store mean no lifetime at all.
 */
static long
fetch_max_age(const char *v)
{
	const char	*p;
	char		*end;
	long		 n;

	if (strcasestr(v, "no-cache") != NULL ||
	    strcasestr(v, "no-store") != NULL)
		return 0;
	for (p = v; (p = strcasestr(p, "max-age")) != NULL; p += 7) {
		if (p > v && p[-1] != ',' && p[-1] != ' ' && p[-1] != '\t')
			continue;	/* s-maxage, or part of a token */
		p += 7;
		while (*p == ' ')
			p++;
		if (*p != '=')
			return -1;
		p++;
		if (*p == '"')
			p++;
		n = strtol(p, &end, 10);
		if (end == p || n < 0)
			return -1;
		return n > 365L * 86400 ? 365L * 86400 : n;
	}
	return -1;
}

/* How long the answer says it stays fresh, in seconds, or -1. */
static long
fetch_fresh(const struct fetch *f)
{
	int64_t	 base, left;

	if (f->max_age >= 0)
		return f->max_age;
	if (f->expires < 0)
		return -1;
	/* Expires is read against the server's own clock when it sent one. */
	base = f->date >= 0 ? f->date : (int64_t)time(NULL);
	left = f->expires - base;
	if (left <= 0)
		return 0;
	return left > 365L * 86400 ? 365L * 86400 : (long)left;
}

/*
 * A status line: a redirect that curl will follow is counted, and whether
 * it was permanent (301, 308) noted.  The final answer is not one of these
 * unless the redirect cap was reached, when nothing moved anyway.
 */
static void
fetch_status_line(struct fetch *f, const char *p, size_t n)
{
	const char	*sp;
	int		 code;

	if ((sp = memchr(p, ' ', n)) == NULL || (size_t)(sp - p) + 4 > n)
		return;
	if (sp[1] < '0' || sp[1] > '9' || sp[2] < '0' || sp[2] > '9' ||
	    sp[3] < '0' || sp[3] > '9')
		return;
	code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	/* the codes curl follows; not 304 Not Modified */
	if (code != 301 && code != 302 && code != 303 && code != 307 &&
	    code != 308)
		return;
	f->redirects++;
	if (code != 301 && code != 308)
		f->temporary = 1;
}

/* Cache-Control, Expires and Date: how long the answer stays fresh. */
static size_t
fetch_cache_header(struct fetch *f, const char *ptr, size_t namelen,
    const char *colon, size_t n)
{
	char	*v;
	int64_t	 t;
	int	 which;

	if (namelen == 13 && strncasecmp(ptr, "cache-control", 13) == 0)
		which = 0;
	else if (namelen == 7 && strncasecmp(ptr, "expires", 7) == 0)
		which = 1;
	else if (namelen == 4 && strncasecmp(ptr, "date", 4) == 0)
		which = 2;
	else
		return n;
	if ((v = fetch_header_value(colon + 1, n - namelen - 1)) == NULL)
		return n;
	if (which == 0)
		f->max_age = fetch_max_age(v);
	else if (date_parse(v, &t) == 0) {
		if (which == 1)
			f->expires = t;
		else
			f->date = t;
	} else if (which == 1)
		f->expires = 0;		/* an invalid date is in the past */
	free(v);
	return n;
}

static size_t
fetch_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch	*f = arg;
	size_t		 n = size * nmemb, namelen;
	const char	*colon;
	char		**slot = NULL;
	char		*v;

	/* A new response (after a redirect or a 100) starts afresh. */
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		fetch_status_line(f, ptr, n);
		free(f->etag);
		free(f->last_modified);
		free(f->content_type);
		f->etag = f->last_modified = f->content_type = NULL;
		f->retry_after = -1;
		f->max_age = -1;
		f->expires = f->date = -1;
		return n;
	}
	if ((colon = memchr(ptr, ':', n)) == NULL)
		return n;
	namelen = (size_t)(colon - ptr);
	if (namelen == 4 && strncasecmp(ptr, "etag", 4) == 0)
		slot = &f->etag;
	else if (namelen == 13 && strncasecmp(ptr, "last-modified", 13) == 0)
		slot = &f->last_modified;
	else if (namelen == 12 && strncasecmp(ptr, "content-type", 12) == 0)
		slot = &f->content_type;
	else if (namelen == 11 && strncasecmp(ptr, "retry-after", 11) == 0) {
		if ((v = fetch_header_value(colon + 1, n - namelen - 1)) != NULL) {
			f->retry_after = fetch_retry_after(v);
			free(v);
		}
		return n;
	}
	if (slot == NULL)
		return fetch_cache_header(f, ptr, namelen, colon, n);
	v = fetch_header_value(colon + 1, n - namelen - 1);
	free(*slot);
	*slot = v;	/* NULL when too long: better none than a wrong one */
	return n;
}

static int
fetch_v4_private(uint32_t a)
{
	return (a >> 24) == 0 ||		/* 0.0.0.0/8 */
	    (a >> 24) == 10 ||			/* 10.0.0.0/8 */
	    (a >> 24) == 127 ||			/* loopback */
	    (a >> 22) == (100U << 2 | 1) ||	/* 100.64.0.0/10, CGNAT */
	    (a >> 16) == (169U << 8 | 254) ||	/* link-local */
	    (a >> 20) == (172U << 4 | 1) ||	/* 172.16.0.0/12 */
	    (a >> 8) == (192U << 16 | 0 << 8 | 0) || /* 192.0.0.0/24 */
	    (a >> 16) == (192U << 8 | 168) ||	/* 192.168.0.0/16 */
	    (a >> 17) == (198U << 7 | 9) ||	/* 198.18.0.0/15, benchmarks */
	    (a >> 28) >= 14;			/* multicast and 240/4 */
}

int
fetch_addr_private(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const uint8_t			*b;
	uint32_t			 v4;

	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(*sin)) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		return fetch_v4_private(ntohl(sin->sin_addr.s_addr));
	}
	if (sa->sa_family != AF_INET6 || len < (socklen_t)sizeof(*sin6))
		return 1;	/* unix sockets and the unknown: never */
	sin6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = sin6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_V4COMPAT(&sin6->sin6_addr)) {
		v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
		return fetch_v4_private(v4);
	}
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_SITELOCAL(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr) ||
	    (b[0] & 0xfe) == 0xfc ||		/* fc00::/7, unique local */
	    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
	    (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b);
}

/*
 * CURLOPT_OPENSOCKETFUNCTION: the check happens on the address curl is
 * about to connect to, after DNS and after every redirect, so neither a
 * rebinding name nor a redirect can lead inside the network.
 */
static curl_socket_t
fetch_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch	*f = arg;
	const void	*ip;

	/*
	 * Through a proxy every connection of the transfer is to the proxy
	 * (CURLOPT_NOPROXY is "", see fetch_proxy()), which the operator
	 * named: it may well be on 127.0.0.1.  What it is asked to reach is
	 * checked in fetch_prereq().
	 */
	if (purpose == CURLSOCKTYPE_IPCXN && !f->proxied &&
	    fetch_addr_private(&a->addr, a->addrlen)) {
		f->refused = 1;
		if (a->family == AF_INET)
			ip = &((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
		else
			ip = &((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr;
		if (inet_ntop(a->family, ip, f->refused_addr,
		    sizeof(f->refused_addr)) == NULL)
			f->refused_addr[0] = '\0';
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Whether an address in text form is a non-public one (or unreadable). */
static int
fetch_ip_private(const char *ip)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, ip, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return fetch_addr_private((struct sockaddr *)&sin, sizeof(sin));
	}
	if (inet_pton(AF_INET6, ip, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		return fetch_addr_private((struct sockaddr *)&sin6,
		    sizeof(sin6));
	}
	return 1;
}

/* "host:port" of an http(s) URL, lower-cased, malloc'd; NULL if none. */
static char *
fetch_origin(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *port = NULL, *r = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK && asprintf(&r, "%s:%s", host, port) < 0)
		r = NULL;
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (r != NULL)
		for (host = r; *host != '\0'; host++)
			*host = (char)tolower((unsigned char)*host);
	return r;
}

int
fetch_same_origin(const char *a, const char *b)
{
	char	*oa, *ob;
	int	 same;

	oa = fetch_origin(a);
	ob = fetch_origin(b);
	same = oa != NULL && ob != NULL && strcmp(oa, ob) == 0;
	free(oa);
	free(ob);
	return same;
}

/*
 * Whether the host of url is one the guard refuses when a proxy reaches it
 * for us: an address literal that is not public, or a name that resolves
 * here to one.  A name that does not resolve here is the proxy's to
 * resolve (and its network's to guard).  The name is looked up in the
 * loop, blocking: only for article pages through a proxy, and once per
 * host in FETCH_NAMES_TTL (fetch_name_private), since a network whose
 * resolver knows only the proxy may take seconds to say so.
 */
#define FETCH_NAMES		256	/* hosts remembered, direct-mapped */
#define FETCH_NAMES_TTL		300	/* seconds */
#define FETCH_NAME_MAX		256

static struct {
	char		 host[FETCH_NAME_MAX];
	time_t		 until;		/* CLOCK_MONOTONIC seconds */
	int		 private;
} fetch_names[FETCH_NAMES];

/* FNV-1a of a host name, for its slot in fetch_names. */
static size_t
fetch_name_slot(const char *h)
{
	uint32_t	 x = 2166136261u;

	for (; *h != '\0'; h++)
		x = (x ^ (unsigned char)*h) * 16777619u;
	return x % FETCH_NAMES;
}

/* 1 when the name h resolves here to an address that is not public. */
static int
fetch_name_private(const char *h)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct timespec	 now;
	size_t		 slot = fetch_name_slot(h), n = strlen(h);
	int		 bad = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (n < FETCH_NAME_MAX && strcmp(fetch_names[slot].host, h) == 0 &&
	    now.tv_sec < fetch_names[slot].until)
		return fetch_names[slot].private;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(h, NULL, &hints, &res) == 0) {
		for (ai = res; ai != NULL && !bad; ai = ai->ai_next)
			bad = fetch_addr_private(ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(res);
	}
	if (n < FETCH_NAME_MAX) {
		memcpy(fetch_names[slot].host, h, n + 1);
		fetch_names[slot].until = now.tv_sec + FETCH_NAMES_TTL;
		fetch_names[slot].private = bad;
	}
	return bad;
}

static int
fetch_target_private(struct fetch *f, const char *url)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	CURLU		*u;
	char		*host = NULL, *h;
	size_t		 n;
	int		 bad = 1;

	if ((u = curl_url()) == NULL)
		return 1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	h = host;
	if (*h == '[') {
		h++;
		h[strcspn(h, "]%")] = '\0';
	}
	n = strlen(host);
	if (n < sizeof(f->refused_addr))
		memcpy(f->refused_addr, host, n + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(h, NULL, &hints, &res) != 0) {
		res = NULL;
		bad = fetch_name_private(h);
		goto out;
	}
	bad = 0;
	for (ai = res; ai != NULL && !bad; ai = ai->ai_next)
		bad = fetch_addr_private(ai->ai_addr, ai->ai_addrlen);
out:
	if (res != NULL)
		freeaddrinfo(res);
	curl_free(host);
	curl_url_cleanup(u);
	return bad;
}

/*
 * The headers of a feed are for its own host: a redirect elsewhere is not
 * followed with them (curl would send them on, except Authorization and
 * Cookie).  The login curl itself keeps to the first host.
 */
static int
fetch_origin_kept(struct fetch *f, const char *url)
{
	char	*o;
	int	 same;

	if (f->origin == NULL)
		return 1;
	o = fetch_origin(url);
	same = o != NULL && strcmp(o, f->origin) == 0;
	free(o);
	f->cross = !same;
	return same;
}

/*
 * CURLOPT_PREREQFUNCTION: called on every request, also on a connection
 * reused from the cache (which never goes through the open-socket check),
 * with the address the request is about to go to.  The first request's is
 * kept: it is the URL's own host's (a redirect's belongs to another), the
 * one the scheduler counts that host's transfers against; through a proxy
 * it is the proxy's, and not kept.  Through a proxy, the guard looks at
 * the request's URL (a redirect's too) instead.
 */
static int
fetch_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct fetch	*f = arg;
	size_t		 n = strlen(primary_ip);
	char		*url = NULL;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &url) !=
	    CURLE_OK || url == NULL)
		return CURL_PREREQFUNC_ABORT;
	if (!fetch_origin_kept(f, url))
		return CURL_PREREQFUNC_ABORT;
	if (f->addr[0] == '\0' && !f->via_proxy && n < sizeof(f->addr))
		memcpy(f->addr, primary_ip, n + 1);
	if (f->proxied) {
		if (!fetch_target_private(f, url))
			return CURL_PREREQFUNC_OK;
		f->refused = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	if (!f->public_only || !fetch_ip_private(primary_ip))
		return CURL_PREREQFUNC_OK;
	f->refused = 1;
	if (n < sizeof(f->refused_addr))
		memcpy(f->refused_addr, primary_ip, n + 1);
	return CURL_PREREQFUNC_ABORT;
}

static int
fetch_add_header(struct fetch *f, const char *name, const char *value)
{
	struct buf		 b;
	struct curl_slist	*l;
	int			 rc;

	buf_init(&b, FETCH_HEADER_MAX * 2);
	rc = buf_printf(&b, "%s: %s", name, value);
	if (rc != BUF_OK) {
		buf_free(&b);
		return -1;
	}
	l = curl_slist_append(f->headers, b.data);
	buf_free(&b);
	if (l == NULL)
		return -1;
	f->headers = l;
	return 0;
}

/* A header value must not smuggle a line break into the request. */
static int
fetch_header_ok(const char *v)
{
	return v != NULL && *v != '\0' && strpbrk(v, "\r\n") == NULL &&
	    strlen(v) < FETCH_HEADER_MAX;
}

/* Bytes a browser escapes before sending a URL: curl refuses some. */
static int
fetch_url_unsafe(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL;
}

char *
fetch_url_escape(const char *url)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s, *path;
	const char		*p;
	size_t			 n = 0, len = strlen(url);
	char			*r, *w;

	/* The host is left to curl (an IDN host is not percent-encoded). */
	path = (const unsigned char *)url;
	if ((p = strstr(url, "://")) != NULL)
		path = (const unsigned char *)p + 3 + strcspn(p + 3, "/?#");
	for (s = path; *s != '\0'; s++)
		n += fetch_url_unsafe(*s);
	if (n > (SIZE_MAX - 1 - len) / 2 || (r = malloc(len + 2 * n + 1)) ==
	    NULL)
		return NULL;
	for (s = (const unsigned char *)url, w = r; *s != '\0'; s++) {
		if (s < path || !fetch_url_unsafe(*s)) {
			*w++ = (char)*s;
			continue;
		}
		*w++ = '%';
		*w++ = hex[*s >> 4];
		*w++ = hex[*s & 15];
	}
	*w = '\0';
	return r;
}

/*
 * Whether no_proxy (or NO_PROXY) names url's host: "*", the host, or a
 * domain it is in (".example.org" or "example.org"), as libcurl reads it
 * for names; address ranges are not read (a literal is matched as text).
 */
static int
fetch_no_proxy(const char *url)
{
	const char	*np, *e, *end;
	char		*origin, *host;
	size_t		 hl, el;
	int		 hit = 0;

	if ((np = getenv("no_proxy")) == NULL || *np == '\0')
		np = getenv("NO_PROXY");
	if (np == NULL || *np == '\0')
		return 0;
	if ((origin = fetch_origin(url)) == NULL)
		return 0;
	host = origin;
	*strrchr(host, ':') = '\0';
	if (*host == '[') {
		host++;
		host[strcspn(host, "]")] = '\0';
	}
	hl = strlen(host);
	for (e = np; *e != '\0' && !hit; e = *end == ',' ? end + 1 : end) {
		while (*e == ' ' || *e == '\t')
			e++;
		end = e + strcspn(e, ",");
		for (el = (size_t)(end - e); el > 0 && (e[el - 1] == ' ' ||
		    e[el - 1] == '\t'); el--)
			;
		if (el == 1 && *e == '*') {
			hit = 1;
			continue;
		}
		if (el > 0 && *e == '.') {
			e++;
			el--;
		}
		if (el == 0 || el > hl)
			continue;
		hit = strncasecmp(host + hl - el, e, el) == 0 &&
		    (el == hl || host[hl - el - 1] == '.');
	}
	free(origin);
	return hit;
}

/*
 * The proxy libcurl would take from the environment for url's scheme
 * (http_proxy, https_proxy or HTTPS_PROXY, then all_proxy or ALL_PROXY;
 * not HTTP_PROXY, which a CGI environment lets a client set), or NULL:
 * none, or no_proxy names the host.
 */
static const char *
fetch_env_proxy(const char *url)
{
	static const char *const http[] = { "http_proxy", "all_proxy",
	    "ALL_PROXY", NULL };
	static const char *const https[] = { "https_proxy", "HTTPS_PROXY",
	    "all_proxy", "ALL_PROXY", NULL };
	const char *const	*v;
	const char		*p;

	v = strncasecmp(url, "https:", 6) == 0 ? https : http;
	/* (not for a host no_proxy names: see fetch_no_proxy) */
	for (; *v != NULL; v++)
		if ((p = getenv(*v)) != NULL && *p != '\0')
			return fetch_no_proxy(url) ? NULL : p;
	return NULL;
}

/*
 * The proxy: the configured one, none, or the environment's.  A proxy
 * that is used takes every request of the transfer, redirects too
 * (CURLOPT_NOPROXY ""), so that the guard knows every connection is to
 * it; with the guard off and nothing configured libcurl reads the
 * environment itself, no_proxy included.
 */
static int
fetch_proxy(struct fetch *f, const struct fetch_opts *o)
{
	CURL		*e = f->easy;
	const char	*proxy = o->proxy;
	char		*remote = NULL;
	int		 bad = 0;

	if (proxy == NULL) {
		f->via_proxy = fetch_env_proxy(o->url) != NULL;
		if (!o->public_only)
			return 0;
		proxy = fetch_env_proxy(o->url);
		if (proxy == NULL)
			proxy = "";
	}
	/*
	 * Through socks4:// or socks5:// libcurl resolves the target itself
	 * and hands the proxy an address, after (and apart from) the guard's
	 * look-up: with the guard on, the proxy resolves (socks4a, socks5h).
	 */
	if (o->public_only && strncasecmp(proxy, "socks4://", 9) == 0 &&
	    asprintf(&remote, "socks4a://%s", proxy + 9) < 0)
		return -1;
	if (o->public_only && strncasecmp(proxy, "socks5://", 9) == 0 &&
	    asprintf(&remote, "socks5h://%s", proxy + 9) < 0)
		return -1;
	bad |= curl_easy_setopt(e, CURLOPT_PROXY, remote != NULL ? remote :
	    proxy) != CURLE_OK;
	free(remote);
	if (*proxy != '\0') {
		bad |= curl_easy_setopt(e, CURLOPT_NOPROXY, "") != CURLE_OK;
		f->via_proxy = 1;
		f->proxied = o->public_only;
	} else
		f->via_proxy = 0;
	return bad ? -1 : 0;
}

/* The login, sent as HTTP Basic; never to another host (curl's rule). */
static int
fetch_login(struct fetch *f, const struct fetch_opts *o)
{
	CURL	*e = f->easy;
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L) != CURLE_OK;
	/* The feed's headers go to the server, not in a CONNECT. */
	bad |= curl_easy_setopt(e, CURLOPT_HEADEROPT,
	    (long)CURLHEADER_SEPARATE) != CURLE_OK;
	if (o->username == NULL)
		return bad ? -1 : 0;
	bad |= curl_easy_setopt(e, CURLOPT_USERNAME, o->username) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PASSWORD,
	    o->password != NULL ? o->password : "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) !=
	    CURLE_OK;
	return bad ? -1 : 0;
}

static int
fetch_setopts(struct fetch *f, const struct fetch_opts *o)
{
	CURL	*e = f->easy;
	char	*url;
	int	 bad = 0;

	/* curl copies the string; a link with a space is still fetched. */
	if ((url = fetch_url_escape(o->url)) == NULL)
		return -1;
	bad |= curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
	free(url);
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, f) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	/* Only web schemes, also after redirects: no file://, no gopher. */
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)o->max_redirects) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_AUTOREFERER, 0L) != CURLE_OK;
	/* "" = every encoding this libcurl decodes (gzip, deflate, br, zstd). */
	bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)o->timeout) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, f) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, f) != CURLE_OK;
	/* A declared length over the cap fails before any byte is read. */
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)(o->max_body > (size_t)INT64_MAX ? INT64_MAX : (int64_t)o->max_body)) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers) != CURLE_OK;
	/* Every fetch learns its address; only some refuse private ones. */
	bad |= curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PREREQDATA, f) != CURLE_OK;
	f->public_only = o->public_only;
	if (fetch_proxy(f, o) == -1 || fetch_login(f, o) == -1)
		bad = 1;
	if (o->public_only) {
		bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION,
		    fetch_opensocket) != CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, f) != CURLE_OK;
	}
	return bad ? -1 : 0;
}

/* Whether one of the configured header lines is name's. */
static int
fetch_has_header(const struct fetch_opts *o, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < o->nheaders; i++)
		if (strncasecmp(o->headers[i], name, n) == 0 &&
		    o->headers[i][n] == ':')
			return 1;
	return 0;
}

struct fetch *
fetch_new(const struct fetch_opts *o, fetch_done_fn done, void *arg)
{
	struct fetch		*f;
	struct curl_slist	*l;
	size_t			 i;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->done = done;
	f->done_arg = arg;
	f->retry_after = -1;
	f->max_age = -1;
	f->expires = f->date = -1;
	buf_init(&f->body, o->max_body);
	if ((f->easy = curl_easy_init()) == NULL)
		goto fail;
	if (fetch_header_ok(o->etag) &&
	    fetch_add_header(f, "If-None-Match", o->etag) == -1)
		goto fail;
	if (fetch_header_ok(o->last_modified) &&
	    fetch_add_header(f, "If-Modified-Since", o->last_modified) == -1)
		goto fail;
	/* Feeds first, but take whatever the server has. */
	if (!fetch_has_header(o, "Accept") &&
	    fetch_add_header(f, "Accept", "application/rss+xml, "
	    "application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
	    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1") == -1)
		goto fail;
	for (i = 0; i < o->nheaders; i++) {
		if ((l = curl_slist_append(f->headers, o->headers[i])) == NULL)
			goto fail;
		f->headers = l;
	}
	if (o->nheaders > 0 && (f->origin = fetch_origin(o->url)) == NULL)
		goto fail;
	if (fetch_setopts(f, o) == -1)
		goto fail;
	return f;
fail:
	fetch_free(f);
	return NULL;
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	if (f->easy != NULL)
		curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->headers);
	free(f->origin);
	buf_free(&f->body);
	free(f->etag);
	free(f->last_modified);
	free(f->content_type);
	free(f);
}

CURL *
fetch_easy(struct fetch *f)
{
	return f->easy;
}

struct fetch *
fetch_of(CURL *easy)
{
	char	*p = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK)
		return NULL;
	return (struct fetch *)(void *)p;
}

/* The result of the transfer, from curl's counters and ours. */
static void
fetch_finish(struct fetch *f, CURLcode code)
{
	struct fetch_result	*r = &f->res;
	char			*url = NULL;
	int			 n;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(f->easy, CURLINFO_TOTAL_TIME, &r->seconds);
	if (curl_easy_getinfo(f->easy, CURLINFO_SIZE_DOWNLOAD_T,
	    &r->received) != CURLE_OK)
		r->received = 0;
	r->code = code;
	curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &url);
	r->final_url = url;
	r->body = f->body.data != NULL ? f->body.data : "";
	r->body_len = f->body.len;
	r->etag = f->etag;
	r->last_modified = f->last_modified;
	r->content_type = f->content_type;
	r->retry_after = f->retry_after;
	r->fresh = fetch_fresh(f);
	r->too_big = f->too_big || code == CURLE_FILESIZE_EXCEEDED;
	r->ok = code == CURLE_OK;
	r->refused = f->refused;
	r->addr = f->addr[0] != '\0' ? f->addr : NULL;
	r->moved = r->ok && f->redirects > 0 && !f->temporary &&
	    ((r->status >= 200 && r->status < 300) || r->status == 304);
	if (r->ok)
		return;
	if (f->cross)
		n = snprintf(r->error, sizeof(r->error), "redirect to another "
		    "host not followed: the feed's header lines are for %s "
		    "only", f->origin);
	else if (r->refused)
		n = snprintf(r->error, sizeof(r->error),
		    "refused: %s is a loopback, private or otherwise "
		    "non-public address (allow_private_articles is off)",
		    f->refused_addr[0] != '\0' ? f->refused_addr : "the address");
	else if (r->too_big)
		n = snprintf(r->error, sizeof(r->error),
		    "body larger than max_body (%zu bytes), transfer aborted",
		    f->body.cap);
	else
		n = snprintf(r->error, sizeof(r->error), "%s",
		    f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(code));
	if (n < 0 || (size_t)n >= sizeof(r->error))
		r->error[sizeof(r->error) - 1] = '\0';
}

void
fetch_done(struct fetch *f, CURLcode code)
{
	fetch_finish(f, code);
	/* The last use of f here: the callback may free it. */
	if (f->done != NULL)
		f->done(f, f->done_arg);
}

const struct fetch_result *
fetch_result(const struct fetch *f)
{
	return &f->res;
}
