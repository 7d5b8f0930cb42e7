/*
 * url: link clean-up shared by the XML and JSON feed parsers.  Resolution
 * is RFC 3986 section 5.2, done here rather than by libxml2's xmlBuildURI,
 * which takes a path apart and escapes it again (so "%7E" becomes "~" and
 * "%2F" a "/"), keeps the dot segments of an absolute path and costs a
 * dozen allocations a link.  Around it is what feeds need: the feed: forms,
 * protocol-relative links without a base, and one spelling per http(s) URL
 * so that equal links compare equal.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parsers/buf.h"
#include "parsers/url.h"

/* A URI reference split as RFC 3986 section 3 does; NULL: undefined. */
struct uri {
	const char	*scheme, *auth, *path, *query, *frag;
	size_t		 nscheme, nauth, npath, nquery, nfrag;
};

/*
 * Character classes of appendix A, as bits: a component allows the
 * characters whose class meets its mask.  Links are resolved by the
 * hundred thousand, so this is a table look-up per character.
 */
#define C_PLAIN		0x01	/* unreserved and sub-delims */
#define C_COLON		0x02
#define C_AT		0x04
#define C_SLASH		0x08
#define C_QMARK		0x10
#define C_HASH		0x20
#define C_BRACKET	0x40
#define C_PCT		0x80

#define C_PATH		(C_PLAIN | C_COLON | C_AT | C_SLASH)
#define C_QUERY		(C_PATH | C_QMARK)
/* and brackets, as libxml2 took them, for XPointer's "#xpointer(id[1])" */
#define C_FRAGMENT	(C_QUERY | C_BRACKET)
#define C_USERINFO	(C_PLAIN | C_COLON)
#define C_REGNAME	C_PLAIN

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The class of each ASCII character; any other byte has none. */
#define P_	C_PLAIN
static const unsigned char ascii_class[128] = {
	0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,	/* C0 */
	0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,
	/*  ! " # $ % & '  ( ) * + , - . / */
	0, P_, 0, C_HASH, P_, C_PCT, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, C_SLASH,
	/* 0-9 : ; < = > ? */
	P_, P_, P_, P_, P_, P_, P_, P_,  P_, P_, C_COLON, P_, 0, P_, 0, C_QMARK,
	/* @ A-O */
	C_AT, P_, P_, P_, P_, P_, P_, P_,  P_, P_, P_, P_, P_, P_, P_, P_,
	/* P-Z [ \ ] ^ _ */
	P_, P_, P_, P_, P_, P_, P_, P_,
	P_, P_, P_, C_BRACKET, 0, C_BRACKET, 0, P_,
	/* ` a-o */
	0, P_, P_, P_, P_, P_, P_, P_,  P_, P_, P_, P_, P_, P_, P_, P_,
	/* p-z { | } ~ DEL */
	P_, P_, P_, P_, P_, P_, P_, P_,  P_, P_, P_, 0, 0, 0, P_, 0,
};
#undef P_

static unsigned
cclass(unsigned char c)
{
	return c < 128 ? ascii_class[c] : 0;
}

/*
 * Whether s[0..n) is made of the characters of mask and percent-encoded
 * octets.
 */
static bool
all_of(const char *s, size_t n, unsigned mask)
{
	size_t		 i;
	unsigned	 c;

	for (i = 0; i < n; i++) {
		if ((c = cclass((unsigned char)s[i])) & mask)
			continue;
		if (c != C_PCT || n - i < 3 ||
		    !is_hex((unsigned char)s[i + 1]) ||
		    !is_hex((unsigned char)s[i + 2]))
			return false;
		i += 2;
	}
	return true;
}

/*
 * The length of s[0..n) up to the first character of a class in stops
 * (or n); *bad is set when a character before it is neither of a class
 * in mask nor part of a percent-encoded octet.  One pass that both splits
 * and checks.
 */
static size_t
scan(const char *s, size_t n, unsigned mask, unsigned stops, bool *bad)
{
	size_t		 i;
	unsigned	 c;

	for (i = 0; i < n; i++) {
		if ((c = cclass((unsigned char)s[i])) & stops)
			break;
		if (c & mask)
			continue;
		if (c == C_PCT && n - i >= 3 &&
		    is_hex((unsigned char)s[i + 1]) &&
		    is_hex((unsigned char)s[i + 2]))
			i += 2;
		else
			*bad = true;
	}
	return i;
}

static bool
scheme_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!is_alpha((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* IP-literal: an IPv6 address or IPvFuture, between the brackets. */
static bool
ip_literal_ok(const char *s, size_t n)
{
	struct in6_addr	 a;
	char		 tmp[INET6_ADDRSTRLEN + 1];
	size_t		 i;

	if (n > 1 && (s[0] == 'v' || s[0] == 'V')) {
		for (i = 1; i < n && is_hex((unsigned char)s[i]); i++)
			;
		return i > 1 && i < n - 1 && s[i] == '.' &&
		    all_of(s + i + 1, n - i - 1, C_PLAIN | C_COLON) &&
		    memchr(s + i + 1, '%', n - i - 1) == NULL;
	}
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

/* authority = [ userinfo "@" ] host [ ":" port ] */
static bool
authority_ok(const char *s, size_t n)
{
	const char	*at, *end = s + n, *close;

	if ((at = memchr(s, '@', n)) != NULL) {
		if (!all_of(s, (size_t)(at - s), C_USERINFO))
			return false;
		s = at + 1;
	}
	if (s < end && *s == '[') {
		if ((close = memchr(s, ']', (size_t)(end - s))) == NULL ||
		    !ip_literal_ok(s + 1, (size_t)(close - s - 1)))
			return false;
		s = close + 1;
	} else {
		/* a reg-name (an IPv4 address is one too) */
		for (close = s; close < end && *close != ':'; close++)
			;
		if (!all_of(s, (size_t)(close - s), C_REGNAME))
			return false;
		s = close;
	}
	if (s == end)
		return true;
	if (*s++ != ':')
		return false;
	for (; s < end; s++)
		if (!is_digit((unsigned char)*s))
			return false;
	return true;
}

/*
 * Split s[0..n) into its components (appendix B) and check each against
 * the grammar of appendix A.  -1: s is no URI reference (a space, a
 * non-ASCII byte, a broken escape, a colon in a relative first segment).
 */
static int
uri_parse(const char *s, size_t n, struct uri *u)
{
	size_t	 i;
	bool	 bad = false, odd = false;

	memset(u, 0, sizeof(*u));
	/* A scheme, or else the first segment, which holds no colon. */
	i = scan(s, n, C_PLAIN | C_AT, C_COLON | C_SLASH | C_QMARK | C_HASH,
	    &bad);
	if (i < n && s[i] == ':') {
		if (!scheme_ok(s, i))
			return -1;
		u->scheme = s;
		u->nscheme = i;
		s += i + 1;
		n -= i + 1;
		i = 0;
		bad = false;
	}
	if (i == 0 && n >= 2 && s[0] == '/' && s[1] == '/') {
		/* A plain host name is valid as it is; the rest is parsed. */
		i = 2 + scan(s + 2, n - 2, C_REGNAME, C_SLASH | C_QMARK |
		    C_HASH, &odd);
		u->auth = s + 2;
		u->nauth = i - 2;
		if (odd && !authority_ok(u->auth, u->nauth))
			return -1;
		s += i;
		n -= i;
		i = 0;
	}
	i += scan(s + i, n - i, C_PATH, C_QMARK | C_HASH, &bad);
	u->path = s;
	u->npath = i;
	if (i < n && s[i] == '?') {
		u->query = s + i + 1;
		i += 1 + scan(s + i + 1, n - i - 1, C_QUERY, C_HASH, &bad);
		u->nquery = (size_t)(s + i - u->query);
	}
	if (i < n) {	/* at the '#' */
		u->frag = s + i + 1;
		u->nfrag = n - i - 1;
		(void)scan(u->frag, u->nfrag, C_FRAGMENT, 0, &bad);
	}
	return bad ? -1 : 0;
}

/* Remove the last segment and the "/" before it from the output s[0..*w). */
static void
drop_segment(const char *s, size_t *w)
{
	while (*w > 0 && s[*w - 1] != '/')
		(*w)--;
	if (*w > 0)
		(*w)--;
}

static bool
at(const char *s, size_t n, const char *lit)
{
	size_t	 k = strlen(lit);

	return n >= k && memcmp(s, lit, k) == 0;
}

/* Rule E: the segment at s[i], with the "/" before it, moved to s[*w]. */
static size_t
move_segment(char *s, size_t i, size_t n, size_t *w)
{
	size_t	 j;

	for (j = i + 1; j < n && s[j] != '/'; j++)
		;
	memmove(s + *w, s + i, j - i);
	*w += j - i;
	return j;
}

/*
 * RFC 3986 5.2.4 remove_dot_segments on s[0..n), in place: the output
 * never runs ahead of the input.  Returns the new length.
 */
static size_t
remove_dots(char *s, size_t n)
{
	size_t	 i = 0, w = 0;

	while (i < n) {
		/* Rules A to D all begin with "." or "/.". */
		if (s[i] != '.' && (s[i] != '/' || i + 1 == n ||
		    s[i + 1] != '.'))
			i = move_segment(s, i, n, &w);
		else if (at(s + i, n - i, "../"))		/* A */
			i += 3;
		else if (at(s + i, n - i, "./"))
			i += 2;
		else if (at(s + i, n - i, "/./"))		/* B */
			i += 2;
		else if (n - i == 2 && at(s + i, 2, "/.")) {
			s[w++] = '/';
			i = n;
		} else if (at(s + i, n - i, "/../")) {		/* C */
			i += 3;
			drop_segment(s, &w);
		} else if (n - i == 3 && at(s + i, 3, "/..")) {
			drop_segment(s, &w);
			s[w++] = '/';
			i = n;
		} else if ((n - i == 1 && s[i] == '.') ||	/* D */
		    (n - i == 2 && at(s + i, 2, "..")))
			i = n;
		else						/* E */
			i = move_segment(s, i, n, &w);
	}
	return w;
}

/*
 * remove_dot_segments for a path merged with a relative base, which RFC
 * 3986 leaves undefined (its base is absolute): the same, except that a
 * ".." with no segment left to remove is kept, so that the path stays
 * relative ("a/../../x" is "../x", where 5.2.4 would give "/x") and can
 * still be resolved against an absolute base later.  In place, as above,
 * but a kept ".." at the end may write one byte past n: s must have room.
 */
static size_t
remove_dots_relative(char *s, size_t n)
{
	size_t	 i, j, w = 0, floor = 0;

	for (i = 0; i <= n; i = j + 1) {
		for (j = i; j < n && s[j] != '/'; j++)
			;
		if (j - i == 1 && s[i] == '.')
			continue;
		if (j - i == 2 && s[i] == '.' && s[i + 1] == '.') {
			if (w > floor) {
				/* w is just past a '/': drop the segment */
				for (w--; w > floor && s[w - 1] != '/'; w--)
					;
			} else {
				memcpy(s + w, "../", 3);
				floor = w += 3;
			}
			continue;
		}
		memmove(s + w, s + i, j - i);
		w += j - i;
		if (j < n)
			s[w++] = '/';
	}
	return w;
}

/* The pieces of a target URI (5.2.2): its path is dir and path merged. */
struct target {
	struct uri	 u;
	const char	*dir;
	size_t		 ndir;
	bool		 dots;		/* dot segments to remove */
};

/*
 * RFC 3986 5.2.2: the target of reference r against base (unused when r
 * has a scheme), with the merge of 5.2.3 left to compose().
 */
static void
transform(const struct uri *r, const struct uri *base, struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->u = *r;
	t->dots = true;
	if (r->scheme != NULL)
		return;
	t->u.scheme = base->scheme;
	t->u.nscheme = base->nscheme;
	if (r->auth != NULL)
		return;
	t->u.auth = base->auth;
	t->u.nauth = base->nauth;
	if (r->npath == 0) {
		/* the base's own path, kept as it is */
		t->u.path = base->path;
		t->u.npath = base->npath;
		t->dots = false;
		if (r->query == NULL) {
			t->u.query = base->query;
			t->u.nquery = base->nquery;
		}
	} else if (r->path[0] != '/') {
		/* merge: the base's path up to its last "/" */
		if (base->auth != NULL && base->npath == 0) {
			t->dir = "/";
			t->ndir = 1;
		} else {
			t->dir = base->path;
			for (t->ndir = base->npath; t->ndir > 0 &&
			    t->dir[t->ndir - 1] != '/'; t->ndir--)
				;
		}
	}
}

/* The most compose() writes for t: a kept ".." may add one byte. */
static size_t
target_len(const struct target *t)
{
	return t->u.nscheme + 1 + 2 + t->u.nauth + t->ndir + t->u.npath +
	    1 + 1 + t->u.nquery + 1 + t->u.nfrag;
}

static void
put(char *out, size_t *w, const char *s, size_t n)
{
	if (n == 0)	/* s may be NULL then */
		return;
	memcpy(out + *w, s, n);
	*w += n;
}

/*
 * RFC 3986 5.3: t written to out (room for target_len), the merged path's
 * dot segments removed as 5.2.4 says, or with remove_dots_relative when
 * there is no scheme to make the path absolute.  Returns the length.
 */
static size_t
compose(const struct target *t, char *out)
{
	size_t	 w = 0, start;

	if (t->u.scheme != NULL) {
		put(out, &w, t->u.scheme, t->u.nscheme);
		out[w++] = ':';
	}
	if (t->u.auth != NULL) {
		put(out, &w, "//", 2);
		put(out, &w, t->u.auth, t->u.nauth);
	}
	start = w;
	put(out, &w, t->dir, t->ndir);
	put(out, &w, t->u.path, t->u.npath);
	if (t->dots && t->u.scheme == NULL && (w == start ||
	    out[start] != '/'))
		w = start + remove_dots_relative(out + start, w - start);
	else if (t->dots)
		w = start + remove_dots(out + start, w - start);
	if (t->u.query != NULL) {
		out[w++] = '?';
		put(out, &w, t->u.query, t->u.nquery);
	}
	if (t->u.frag != NULL) {
		out[w++] = '#';
		put(out, &w, t->u.frag, t->u.nfrag);
	}
	return w;
}

int
url_join(struct buf *b, const char *ref, size_t len, const char *base)
{
	struct uri	 r, bu;
	struct target	 t;
	char		 stack[256], *out;
	size_t		 blen = 0, n;
	int		 rc;

	if (uri_parse(ref, len, &r) == -1)
		return URL_BADREF;
	/* An absolute reference needs no base, nor a valid one. */
	if (r.scheme != NULL)
		memset(&bu, 0, sizeof(bu));
	else if (base == NULL || uri_parse(base, blen = strlen(base),
	    &bu) == -1)
		return URL_BADBASE;
	/* Every piece comes from ref or base, the dir from base twice. */
	if (len > SIZE_MAX / 4 || blen > SIZE_MAX / 4)
		return BUF_TOOBIG;
	transform(&r, &bu, &t);
	if ((n = target_len(&t)) <= sizeof(stack))
		out = stack;
	else if ((out = malloc(n)) == NULL)
		return BUF_NOMEM;
	n = compose(&t, out);
	rc = buf_add(b, out, n);
	if (out != stack)
		free(out);
	return rc;
}

bool
url_is_absolute(const char *s)
{
	struct uri	 u;
	const char	*p, *end;

	if (uri_parse(s, strlen(s), &u) == -1 || u.scheme == NULL)
		return false;
	/* a "." or ".." segment would be removed by any resolution */
	end = u.path + u.npath;
	for (p = u.path; p < end; p++) {
		if (*p != '.' || (p > u.path && p[-1] != '/'))
			continue;
		if (p + 1 == end || p[1] == '/' || (p[1] == '.' &&
		    (p + 2 == end || p[2] == '/')))
			return false;
	}
	return true;
}

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
	struct buf	 b;
	char		*r;
	size_t		 n;
	int		 rc;

	if (base != NULL && *base != '\0') {
		buf_init(&b, SIZE_MAX - 1);
		if ((rc = url_join(&b, ref, strlen(ref), base)) == BUF_OK)
			return buf_steal(&b);
		buf_free(&b);
		if (rc != URL_BADREF && rc != URL_BADBASE)
			return NULL;
		/* not a URI reference, or no base to take from */
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

int
url_userinfo(const char *url, size_t *off, size_t *len)
{
	const char	*sep, *auth, *end, *at = NULL, *p;

	if ((sep = strstr(url, "://")) == NULL)
		return 0;
	/* The scheme must come first: "?next=http://a@b" is no authority. */
	if (strcspn(url, "/?#") < (size_t)(sep - url))
		return 0;
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return 0;
	*off = (size_t)(auth - url);
	*len = (size_t)(at + 1 - auth);
	return 1;
}

char *
url_strip_userinfo(const char *url)
{
	size_t	 off, len, n;
	char	*r;

	if (!url_userinfo(url, &off, &len))
		return strdup(url);
	n = strlen(url) - len;
	if ((r = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(r, url, off);
	memcpy(r + off, url + off + len, n - off + 1);
	return r;
}
