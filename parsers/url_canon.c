/*
 * url_canon: canonical URLs for duplicate detection.
 *
 * libcurl parses (and resolves dot segments); the rest is done here on
 * the parts it hands back, then joined again.  Nothing here is meant to
 * produce a URL worth fetching: see url.h.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "parsers/buf.h"
#include "parsers/url.h"

/* Longer URLs are not links anyone publishes. */
#define URL_MAX		(64 * 1024)

/* Query parameters that say who sent the reader, not what was read. */
static const char *const tracking[] = {
	"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
	"twclid", "ttclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
	"_hsenc", "_hsmi", "ref_src", "ref_url", "mkt_tok", "oly_anon_id",
	"oly_enc_id", "vero_id", "vero_conv", "li_fat_id", "s_kwcid",
	"wickedid", "__twitter_impression", "cmpid", "ito", "at_medium",
	"at_campaign", "guccounter", "guce_referrer", "guce_referrer_sig",
	"rss", "ncid", "sr_share", "smid", "ocid",
};

static int
is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Append s[0..len) with its escapes normalised: %41 becomes "A", %2f
 * becomes "%2F"; a broken escape is copied as it is.
 */
static int
add_pct_normal(struct buf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;
	int			 hi, lo, c;
	char			 esc[3];

	for (i = 0; i < len; i++) {
		if (s[i] != '%' || i + 2 >= len ||
		    (hi = hexval((unsigned char)s[i + 1])) == -1 ||
		    (lo = hexval((unsigned char)s[i + 2])) == -1) {
			if (buf_addch(b, s[i]) != BUF_OK)
				return -1;
			continue;
		}
		c = hi << 4 | lo;
		if (is_unreserved(c)) {
			if (buf_addch(b, (char)c) != BUF_OK)
				return -1;
		} else {
			esc[0] = '%';
			esc[1] = hex[hi];
			esc[2] = hex[lo];
			if (buf_add(b, esc, sizeof(esc)) != BUF_OK)
				return -1;
		}
		i += 2;
	}
	return 0;
}

/* Is the (decoded) name one of the tracking names? */
static int
is_tracking_name(const char *name, const char *val, size_t vlen)
{
	size_t	 i;

	if (strncasecmp(name, "utm_", 4) == 0)
		return 1;
	for (i = 0; i < sizeof(tracking) / sizeof(tracking[0]); i++)
		if (strcasecmp(name, tracking[i]) == 0)
			return 1;
	/* AMP switches: "amp", "amp=1", "amp=true", "outputType=amp". */
	if (strcasecmp(name, "amp") == 0)
		return vlen == 0 || (vlen == 1 && val[0] == '1') ||
		    (vlen == 4 && strncasecmp(val, "true", 4) == 0);
	if (strcasecmp(name, "outputtype") == 0)
		return vlen == 3 && strncasecmp(val, "amp", 3) == 0;
	return 0;
}

/*
 * Is the parameter p[0..len) a tracking one?  Its name is compared with
 * escapes of unreserved characters decoded ("utm%5Fsource").  -1 when out
 * of memory.
 */
static int
is_tracking(const char *p, size_t len)
{
	struct buf	 name;
	const char	*eq;
	size_t		 nlen;
	int		 rc;

	eq = memchr(p, '=', len);
	nlen = eq != NULL ? (size_t)(eq - p) : len;
	buf_init(&name, nlen);
	if (add_pct_normal(&name, p, nlen) == -1) {
		buf_free(&name);
		return -1;
	}
	rc = is_tracking_name(name.data != NULL ? name.data : "",
	    eq != NULL ? eq + 1 : "", eq != NULL ? len - nlen - 1 : 0);
	buf_free(&name);
	return rc;
}

static int
add_query(struct buf *b, const char *q)
{
	const char	*p, *end;
	size_t		 len;
	int		 first = 1, t;

	for (p = q; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		len = (size_t)(end - p);
		if (len == 0)
			continue;
		if ((t = is_tracking(p, len)) == -1)
			return -1;
		if (t)
			continue;
		if (buf_addch(b, first ? '?' : '&') != BUF_OK ||
		    add_pct_normal(b, p, len) == -1)
			return -1;
		first = 0;
	}
	return 0;
}

/* Does the segment p[0..len) name an AMP page? */
static int
is_amp_segment(const char *p, size_t len)
{
	return len == 3 && strncasecmp(p, "amp", 3) == 0;
}

/* The last segment, with ".amp.html" turned into ".html", ".amp" dropped. */
static int
add_last_segment(struct buf *b, const char *p, size_t len)
{
	if (len > 9 && strncasecmp(p + len - 9, ".amp.html", 9) == 0)
		return add_pct_normal(b, p, len - 9) == -1 ||
		    buf_addstr(b, ".html") != BUF_OK ? -1 : 0;
	if (len > 4 && strncasecmp(p + len - 4, ".amp", 4) == 0)
		return add_pct_normal(b, p, len - 4);
	return add_pct_normal(b, p, len);
}

/*
 * The path, segment by segment: empty and "amp" segments dropped (so a
 * trailing slash goes too), the last one's AMP suffix undone.
 */
static int
add_path(struct buf *b, const char *path)
{
	const char	*p, *end;
	size_t		 start = b->len, len;
	int		 rc;

	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "/");
		len = (size_t)(end - p);
		if (len == 0 || is_amp_segment(p, len))
			continue;
		if (buf_addch(b, '/') != BUF_OK)
			return -1;
		if (*end == '\0')
			rc = add_last_segment(b, p, len);
		else
			rc = add_pct_normal(b, p, len);
		if (rc == -1)
			return -1;
	}
	if (b->len == start && buf_addch(b, '/') != BUF_OK)
		return -1;
	return 0;
}

static int
is_default_port(const char *scheme, const char *port)
{
	return (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
	    (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
}

/* Lower-cased, without one trailing dot and without an "amp." prefix. */
static int
add_host(struct buf *b, const char *host)
{
	size_t	 len = strlen(host), i;

	if (len > 1 && host[len - 1] == '.')
		len--;
	if (len > 4 && strncasecmp(host, "amp.", 4) == 0 &&
	    memchr(host + 4, '.', len - 4) != NULL) {
		host += 4;
		len -= 4;
	}
	for (i = 0; i < len; i++)
		if (buf_addch(b, (char)tolower((unsigned char)host[i])) !=
		    BUF_OK)
			return -1;
	return 0;
}

static int
build(CURLU *u, struct buf *b)
{
	char	*scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char	*query = NULL;
	int	 rc = -1;
	CURLUcode uc;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out_free;
	/* Absent parts are fine (NULL stays NULL); parts lost are not. */
	if ((uc = curl_url_get(u, CURLUPART_PORT, &port, 0)) != CURLUE_OK &&
	    uc != CURLUE_NO_PORT)
		goto out_free;
	if ((uc = curl_url_get(u, CURLUPART_QUERY, &query, 0)) != CURLUE_OK &&
	    uc != CURLUE_NO_QUERY)
		goto out_free;

	if (buf_addstr(b, strcmp(scheme, "http") == 0 ? "https" : scheme) !=
	    BUF_OK || buf_addstr(b, "://") != BUF_OK ||
	    add_host(b, host) == -1)
		goto out_free;
	if (port != NULL && !is_default_port(scheme, port) &&
	    (buf_addch(b, ':') != BUF_OK || buf_addstr(b, port) != BUF_OK))
		goto out_free;
	if (add_path(b, path) == -1 ||
	    (query != NULL && add_query(b, query) == -1))
		goto out_free;
	rc = 0;

 out_free:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	return rc;
}

char *
url_canonical(const char *url)
{
	CURLU		*u;
	struct buf	 b;
	char		*out = NULL;

	if (url == NULL || strlen(url) > URL_MAX)
		return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	/* Any scheme libcurl can parse; feeds link to more than http. */
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK)
		goto out_cleanup;
	buf_init(&b, URL_MAX * 3);
	if (build(u, &b) == 0)
		out = buf_steal(&b);
	buf_free(&b);

 out_cleanup:
	curl_url_cleanup(u);
	return out;
}
