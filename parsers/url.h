/*
 * url: the links of a feed made absolute (url.c), and canonical forms for
 * telling whether two links name the same story (url_canon.c).  A
 * canonical form is for comparison only, never for fetching: it may name a
 * page the server does not serve (http turned into https, an AMP page
 * mapped to its article).
 */
#ifndef FEEDSPOOL_URL_H
#define FEEDSPOOL_URL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* url_join's answers besides BUF_OK and the buf errors (all negative) */
#define URL_BADREF	1	/* the reference is no URI reference */
#define URL_BADBASE	2	/* a relative one, and the base is none */

/*
 * The reference ref[0..len) resolved against base as RFC 3986 section 5.2
 * says (5.2.2, with the merge of 5.2.3 and remove_dot_segments of 5.2.4,
 * put together as 5.3: strict, so "http:g" keeps its scheme), appended to
 * b.  Nothing else changes: percent-encoding, case and ports stay as
 * written.  Both must follow the grammar of RFC 3986 appendix A (no space,
 * no raw non-ASCII byte, no broken escape); a reference that does not is
 * URL_BADREF, a relative one against a base that does not (or NULL) is
 * URL_BADBASE, and nothing is appended.  Returns BUF_OK, a buf error (b as
 * it was) or one of those.
 */
int	 url_join(struct buf *b, const char *ref, size_t len,
	    const char *base);

/*
 * Whether s is an absolute URI that resolution leaves as it is, whatever
 * the base: it has a scheme and no "." or ".." path segment.
 */
bool	 url_is_absolute(const char *s);

/*
 * The absolute form of the link ref, resolved against base (may be NULL)
 * by url_join, or kept as written when either is no URI reference:
 * the feed: pseudo-scheme removed ("feed:https://h/x", "feed://h/x" is
 * http), a protocol-relative "//h/x" given base's scheme or else https, and
 * http(s) URLs normalised as RFC 3986 6.2.2-6.2.3 says (scheme and host in
 * lower case, default port dropped, an empty path written "/").  Returns a
 * malloc'd string, or NULL when out of memory.
 */
char	*url_absolute(const char *ref, const char *base);

/*
 * The same without the normalisation, for URIs that identify rather than
 * lead somewhere (a person's uri): kept as written once absolute.
 */
char	*url_resolve(const char *ref, const char *base);

/*
 * The canonical form of an absolute URL, parsed with libcurl's URL API:
 *
 * - scheme and host lower-cased, one trailing dot of the host dropped;
 *   http becomes https; user name and password dropped;
 * - the scheme's default port dropped (80 for http, 443 for https);
 * - dot segments resolved (by libcurl), the fragment dropped;
 * - percent-encoding: escapes of unreserved characters (A-Z a-z 0-9 - . _ ~)
 *   decoded, every other escape written with upper-case hex digits;
 * - tracking parameters removed from the query (utm_* and the names in
 *   url.c: fbclid, gclid, dclid, msclkid, mc_cid, mc_eid, igshid, _ga,
 *   ref_src, yclid, ...), empty parameters dropped, the others kept in
 *   their order; an empty query dropped;
 * - AMP forms mapped to the article: an "amp." host prefix, an "amp" path
 *   segment anywhere ("/amp/x", "/x/amp", "/x/amp/"), a ".amp.html" or
 *   ".amp" file suffix (to ".html" and nothing), and the parameters
 *   amp, amp=1 and amp=true, outputType=amp;
 * - an empty path becomes "/"; a trailing slash of any other path is
 *   removed ("/news/" and "/news" compare equal).
 *
 * Returns a malloc'd string, or NULL when the URL cannot be parsed (or
 * memory runs out).
 */
char	*url_canonical(const char *url);

/*
 * Where the userinfo ("alice:s3cret@") of an absolute URL's authority is:
 * *off and *len (the '@' included), or 0 when there is none.  It is what
 * lies between "//" and the last '@' before the first of "/?#".
 */
int	 url_userinfo(const char *url, size_t *off, size_t *len);

/*
 * A copy of url without its userinfo, so that a password never gets shown
 * or stored; a copy as it is when it has none.  malloc'd, NULL when out of
 * memory.
 */
char	*url_strip_userinfo(const char *url);

#endif
