/*
 * fetch: one HTTP GET as a libcurl easy handle, configured for politeness
 * and safety (GET only, no cookies, no Referer, truthful User-Agent, capped
 * redirects, time and body size), with the answer's validators captured.
 * The event loop (daemon/loop.c) drives it through curl's multi interface.
 */
#ifndef FEEDSPOOL_FETCH_H
#define FEEDSPOOL_FETCH_H

#include <sys/socket.h>

#include <stddef.h>

#include <curl/curl.h>

struct fetch;

struct fetch_opts {
	const char	*url;
	const char	*etag;		/* sent verbatim as If-None-Match */
	const char	*last_modified;	/* sent verbatim as If-Modified-Since */
	const char	*user_agent;	/* whole User-Agent value */
	unsigned	 timeout;	/* seconds, whole transfer */
	unsigned	 connect_timeout;
	unsigned	 max_redirects;
	size_t		 max_body;	/* bytes after decompression */
	int		 public_only;	/* refuse loopback, private, link-local
					   and multicast addresses */
	/*
	 * The feed's request settings, secrets among them: the caller gives
	 * them only for the feed's own host (fetch_same_origin()), and a
	 * redirect to another host is not followed with headers, nor sent
	 * the login (CURLOPT_UNRESTRICTED_AUTH stays off).
	 */
	char *const	*headers;	/* "Name: value" lines */
	size_t		 nheaders;
	const char	*username;	/* HTTP Basic, NULL: none */
	const char	*password;
	const char	*proxy;		/* a URL, "" for none, NULL: as the
					   environment says (see fetch.c) */
};

/* What a finished transfer produced. Strings belong to the fetch. */
struct fetch_result {
	int		 ok;		/* transfer completed (any HTTP status) */
	long		 status;	/* HTTP status, 0 when none */
	char		 error[CURL_ERROR_SIZE + 64]; /* when !ok */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
	const char	*etag;		/* as received, or NULL */
	const char	*last_modified;
	const char	*content_type;
	const char	*final_url;	/* after redirects */
	long		 retry_after;	/* seconds, -1 when none */
	long		 fresh;		/* Cache-Control max-age or Expires:
					   seconds fresh, -1 when none */
	double		 seconds;	/* total time */
	CURLcode	 code;		/* curl's verdict on the transfer */
	curl_off_t	 received;	/* body bytes as they came (before
					   decompression) */
	int		 too_big;	/* aborted at max_body */
	int		 refused;	/* a non-public address was refused */
	int		 moved;		/* reached final_url by permanent
					   redirects (301, 308) only */
	const char	*addr;		/* the address the first request went
					   to (the URL's host's), as curl
					   writes it; NULL when none was */
};

/* Told once, when the transfer ended; it may fetch_free() the fetch. */
typedef void	(*fetch_done_fn)(struct fetch *, void *arg);

struct fetch	*fetch_new(const struct fetch_opts *, fetch_done_fn, void *arg);
void		 fetch_free(struct fetch *);
CURL		*fetch_easy(struct fetch *);
/*
 * Called by the loop with the transfer's CURLcode, once: the result is
 * made, then the fetch's done function told.
 */
void		 fetch_done(struct fetch *, CURLcode);
const struct fetch_result *fetch_result(const struct fetch *);

/*
 * Whether an address is one a feed must not make us reach: loopback,
 * private, shared (CGNAT), link-local, multicast, unspecified, reserved.
 */
int		 fetch_addr_private(const struct sockaddr *, socklen_t);

/*
 * url as it goes on the wire: in its path, query and fragment, spaces,
 * control characters, bytes beyond ASCII and "<>\^`{|} written as %XX, as
 * browsers send them (curl refuses a space); '%', the host and everything
 * else as given.  malloc'd, NULL when out of
 * memory.
 */
char		*fetch_url_escape(const char *url);

/*
 * Whether two http(s) URLs name the same host and port (the default port
 * of the scheme when none is written): where a feed's secrets may go.
 */
int		 fetch_same_origin(const char *a, const char *b);

/* The fetch of an easy handle, through CURLINFO_PRIVATE. */
struct fetch	*fetch_of(CURL *);

#endif
