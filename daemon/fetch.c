/*
 * fetch: one polite, capped HTTP GET.
 */
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
	void			*owner;
	struct buf		 body;
	char			 errbuf[CURL_ERROR_SIZE];
	char			*etag;
	char			*last_modified;
	char			*content_type;
	long			 retry_after;
	int			 too_big;
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
		free(f->etag);
		free(f->last_modified);
		free(f->content_type);
		f->etag = f->last_modified = f->content_type = NULL;
		f->retry_after = -1;
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
		return n;
	v = fetch_header_value(colon + 1, n - namelen - 1);
	free(*slot);
	*slot = v;	/* NULL when too long: better none than a wrong one */
	return n;
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

static int
fetch_setopts(struct fetch *f, const struct fetch_opts *o)
{
	CURL	*e = f->easy;
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, o->url) != CURLE_OK;
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
	return bad ? -1 : 0;
}

struct fetch *
fetch_new(const struct fetch_opts *o, void *owner)
{
	struct fetch	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->owner = owner;
	f->retry_after = -1;
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
	if (fetch_add_header(f, "Accept", "application/rss+xml, "
	    "application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
	    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1") == -1)
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

void *
fetch_owner(struct fetch *f)
{
	return f->owner;
}

struct fetch *
fetch_of(CURL *easy)
{
	char	*p = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK)
		return NULL;
	return (struct fetch *)(void *)p;
}

void
fetch_done(struct fetch *f, CURLcode code)
{
	struct fetch_result	*r = &f->res;
	char			*url = NULL;
	int			 n;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(f->easy, CURLINFO_TOTAL_TIME, &r->seconds);
	curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &url);
	r->final_url = url;
	r->body = f->body.data != NULL ? f->body.data : "";
	r->body_len = f->body.len;
	r->etag = f->etag;
	r->last_modified = f->last_modified;
	r->content_type = f->content_type;
	r->retry_after = f->retry_after;
	r->too_big = f->too_big || code == CURLE_FILESIZE_EXCEEDED;
	r->ok = code == CURLE_OK;
	if (r->ok)
		return;
	if (r->too_big)
		n = snprintf(r->error, sizeof(r->error),
		    "body larger than max_body (%zu bytes), transfer aborted",
		    f->body.cap);
	else
		n = snprintf(r->error, sizeof(r->error), "%s",
		    f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(code));
	if (n < 0 || (size_t)n >= sizeof(r->error))
		r->error[sizeof(r->error) - 1] = '\0';
}

const struct fetch_result *
fetch_result(const struct fetch *f)
{
	return &f->res;
}
