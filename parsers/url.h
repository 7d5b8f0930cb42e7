/*
 * url: the links of a feed made absolute and comparable.
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

#endif
