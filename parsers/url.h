/*
 * url: canonical forms of URLs, for telling whether two links name the
 * same story.  The result is for comparison only, never for fetching: it
 * may name a page the server does not serve (http turned into https, an
 * AMP page mapped to its article).
 */
#ifndef FEEDSPOOL_URL_H
#define FEEDSPOOL_URL_H

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
