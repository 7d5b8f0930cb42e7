/*
 * url: link clean-up shared by the XML and JSON feed parsers.  Resolution
 * itself is libxml2's (RFC 3986 section 5); what is added here is what
 * feeds need around it: the feed: forms, protocol-relative links without a
 * base, and one spelling per http(s) URL so that equal links compare equal.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "parsers/url.h"

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * "feed:https://h/x" is "https://h/x"; "feed://h/x" is "http://h/x" (the
 * feed URI draft maps the bare form to http).  *owned is set when the
 * result is a new malloc'd string.
 */
static const char *
strip_feed(const char *ref, char **owned)
{
	size_t	 n;
	char	*r;

	*owned = NULL;
	if (!has_prefix(ref, "feed:"))
		return ref;
	ref += 5;
	if (!has_prefix(ref, "//"))
		return ref;
	n = strlen(ref);
	if (n > SIZE_MAX - 6 || (r = malloc(n + 6)) == NULL)
		return NULL;
	memcpy(r, "http:", 5);
	memcpy(r + 5, ref, n + 1);
	*owned = r;
	return r;
}

static char *
resolve(const char *ref, const char *base)
{
	xmlChar	*abs;
	char	*r;
	size_t	 n;

	if (base != NULL && *base != '\0' &&
	    (abs = xmlBuildURI((const xmlChar *)ref,
	    (const xmlChar *)base)) != NULL) {
		r = strdup((const char *)abs);
		xmlFree(abs);
		return r;
	}
	/* No base to take a scheme from: the web's default today. */
	if (ref[0] == '/' && ref[1] == '/' && ref[2] != '/') {
		n = strlen(ref);
		if (n > SIZE_MAX - 7 || (r = malloc(n + 7)) == NULL)
			return NULL;
		memcpy(r, "https:", 6);
		memcpy(r + 6, ref, n + 1);
		return r;
	}
	return strdup(ref);
}

/* Lower-case the scheme and host, drop a default port, add the root "/". */
static char *
normalise(char *u)
{
	char	*auth, *end, *host, *p, *r;
	size_t	 slen, alen, n;
	bool	 https;

	if (has_prefix(u, "http://"))
		https = false;
	else if (has_prefix(u, "https://"))
		https = true;
	else
		return u;
	slen = https ? 8 : 7;
	for (p = u; p < u + slen; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	auth = u + slen;
	alen = strcspn(auth, "/?#");
	end = auth + alen;
	/* The host follows any user info; it ends at the port. */
	for (host = end; host > auth && host[-1] != '@'; host--)
		;
	p = host;
	if (*p == '[')	/* an IPv6 literal holds colons */
		while (p < end && *p != ']')
			p++;
	for (; p < end && *p != ':'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (*p == ':' && ((!https && end - p == 3 &&
	    memcmp(p, ":80", 3) == 0) || (https && end - p == 4 &&
	    memcmp(p, ":443", 4) == 0))) {
		memmove(p, end, strlen(end) + 1);
		end = p;
	}
	if (*end == '/')
		return u;
	n = strlen(u);
	if ((r = malloc(n + 2)) == NULL) {
		free(u);
		return NULL;
	}
	memcpy(r, u, (size_t)(end - u));
	r[end - u] = '/';
	memcpy(r + (end - u) + 1, end, n - (size_t)(end - u) + 1);
	free(u);
	return r;
}

char *
url_resolve(const char *ref, const char *base)
{
	const char	*s;
	char		*owned, *r;

	if ((s = strip_feed(ref, &owned)) == NULL)
		return NULL;
	r = resolve(s, base);
	free(owned);
	return r;
}

char *
url_absolute(const char *ref, const char *base)
{
	char	*r;

	if ((r = url_resolve(ref, base)) == NULL)
		return NULL;
	return normalise(r);
}
