/*
 * url: the links of a feed made absolute (url.c), and canonical forms for
 * telling whether two links name the same story (url_canon.c).  A
 * canonical form is for comparison only, never for fetching: it may name a
 * page the server does not serve (http turned into https, an AMP page
 * mapped to its article).
 */
#ifndef FEEDSPOOL_URL_H
#define FEEDSPOOL_URL_H

/*
 * The absolute form of the link ref, resolved against base (may be NULL):
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

#endif
