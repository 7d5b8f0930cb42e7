/*
 * boiler: site tags in titles, repeated headlines, bylines, datelines and
 * recurring lines in article text.  Names are compared through keys
 * (words_key(): letters and digits only, case folded, accents stripped),
 * so "NYTimes", "nytimes.com" and "NY Times" meet where they should.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "parsers/boiler.h"
#include "parsers/buf.h"
#include "parsers/words.h"

#define BOILER_MAX	(64 * 1024 * 1024)	/* output cap */
#define MAX_SEPS	16	/* separators looked at in one title */
#define MAX_WORDS	8	/* words spelling a host label */
#define MAX_PREFIXES	6	/* first words of a feed title */
#define TAG_WORDS	6	/* a site tag is short ... */
#define TAG_BYTES	60
#define BYLINE_BYTES	120	/* "By Jane Doe and ..." at most */
#define DATELINE_BYTES	100

struct sep {
	size_t	 start;		/* first byte, with the spaces before */
	size_t	 end;		/* past it and the spaces after */
	bool	 colon;
};

struct wordlist {
	char	*w[MAX_WORDS];
	size_t	 n;
};

/* The hints as keys, computed once per title. */
struct site {
	char	*name;
	struct wordlist name_words;	/* to spell a tag: "ltc-a" */
	char	*feed;
	struct wordlist feed_words;
	char	*prefix[MAX_PREFIXES];	/* first words of name and feed */
	size_t	 nprefix;
	char	*host_all;		/* "nytimescom" */
	char	*host_main;		/* "nytimes" */
	char	**tags;
	size_t	 ntags;
};

/* Strings */

static char *
key(const char *s)
{
	return words_key(s, strlen(s));
}

/* Equal keys, a leading "the" on either side optional. */
static bool
keys_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL || strlen(a) < 2 || strlen(b) < 2)
		return false;
	if (strcmp(a, b) == 0)
		return true;
	if (strncmp(a, "the", 3) == 0 && strcmp(a + 3, b) == 0)
		return true;
	return strncmp(b, "the", 3) == 0 && strcmp(b + 3, a) == 0;
}

static bool
has_word(const char *s, size_t len)
{
	struct words_iter	 it;
	const char		*w;
	size_t			 n;

	words_begin(&it, s, len, WORDS_NOMARKS);
	return words_next(&it, &w, &n);
}

static char *
trim_dup(const char *s, size_t len)
{
	char	*out;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

static size_t
count_words(const char *s, size_t len)
{
	size_t	 i, words = 0;
	bool	 in = false;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			in = false;
		else if (!in) {
			in = true;
			words++;
		}
	}
	return words;
}

/* Short enough to be a site tag rather than part of the headline. */
static bool
short_seg(const char *s, size_t len)
{
	return len > 0 && len <= TAG_BYTES && has_word(s, len) &&
	    count_words(s, len) <= TAG_WORDS;
}

/* Separators */

/* Length of the separator at t[i], 0 for none. */
static size_t
sep_at(const char *t, size_t i, bool *colon)
{
	static const char *const spaced[] = {
		"-", "\xe2\x80\x93", "\xe2\x80\x94", NULL	/* - – — */
	};
	static const char *const bare[] = {
		"|", "::", "\xc2\xb7", "\xc2\xbb", "\xe2\x80\xa2", NULL
	};					/* | :: · » • */
	size_t	 j, n;

	*colon = false;
	/* Each separator begins with one of these bytes: most bytes are none. */
	switch ((unsigned char)t[i]) {
	case '|': case ':': case '-': case 0xc2: case 0xe2:
		break;
	default:
		return 0;
	}
	for (j = 0; bare[j] != NULL; j++)
		if (strncmp(t + i, bare[j], strlen(bare[j])) == 0)
			return strlen(bare[j]);
	if (t[i] == ':' && t[i + 1] == ' ') {
		*colon = true;
		return 1;
	}
	if (i == 0 || t[i - 1] != ' ')
		return 0;
	for (j = 0; spaced[j] != NULL; j++) {
		n = strlen(spaced[j]);
		if (strncmp(t + i, spaced[j], n) == 0 && t[i + n] == ' ')
			return n;
	}
	return 0;
}

static size_t
find_seps(const char *t, struct sep *seps)
{
	size_t	 i, n, nsep = 0;
	bool	 colon;

	for (i = 0; t[i] != '\0' && nsep < MAX_SEPS; i++) {
		if ((n = sep_at(t, i, &colon)) == 0)
			continue;
		seps[nsep].start = i;
		while (seps[nsep].start > 0 && t[seps[nsep].start - 1] == ' ')
			seps[nsep].start--;
		i += n;
		while (t[i] == ' ')
			i++;
		seps[nsep].end = i;
		seps[nsep].colon = colon;
		nsep++;
		i--;
	}
	return nsep;
}

/* Words */

static void
wordlist_free(struct wordlist *ws)
{
	size_t	 i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	ws->n = 0;
}

/*
 * The keys of the words of s[0..len), split at spaces, hyphens and dots;
 * none when there are more than MAX_WORDS.  -1 when out of memory.
 */
static int
wordlist_split(const char *s, size_t len, struct wordlist *ws)
{
	size_t	 i = 0, n;

	ws->n = 0;
	while (i < len) {
		n = strcspn(s + i, " -.");
		if (n > len - i)
			n = len - i;
		if (n > 0) {
			if (ws->n == MAX_WORDS) {
				wordlist_free(ws);
				return 0;
			}
			if ((ws->w[ws->n] = words_key(s + i, n)) == NULL) {
				wordlist_free(ws);
				return -1;
			}
			if (*ws->w[ws->n] != '\0')
				ws->n++;
			else
				free(ws->w[ws->n]);
		}
		i += n + 1;
	}
	return 0;
}

/* Hints */

static void
site_free(struct site *s)
{
	size_t	 i;

	free(s->name);
	wordlist_free(&s->name_words);
	free(s->feed);
	wordlist_free(&s->feed_words);
	for (i = 0; i < s->nprefix; i++)
		free(s->prefix[i]);
	free(s->host_all);
	free(s->host_main);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	memset(s, 0, sizeof(*s));
}

/* Keys of the first 1, 2, ... words of a name, not all of them. */
static int
site_prefixes(struct site *s, const char *name)
{
	size_t	 i, words = 0;
	bool	 in = false;

	for (i = 0; name[i] != '\0' && s->nprefix < MAX_PREFIXES; i++) {
		if (name[i] != ' ') {
			if (!in)
				words++;
			in = true;
			continue;
		}
		if (in && words > 0) {
			s->prefix[s->nprefix] = words_key(name, i);
			if (s->prefix[s->nprefix] == NULL)
				return -1;
			s->nprefix++;
		}
		in = false;
	}
	return 0;
}

static bool
skipped_label(const char *l, size_t n)
{
	return (n >= 3 && strncasecmp(l, "www", 3) == 0) ||
	    (n == 1 && (*l == 'm' || *l == 'M')) ||
	    (n == 6 && strncasecmp(l, "mobile", 6) == 0) ||
	    (n == 3 && strncasecmp(l, "amp", 3) == 0);
}

/*
 * The host's main label: the one before the public suffix, "co.uk" style
 * suffixes (a short second-level under a country code) counted as one.
 */
static int
site_host(struct site *s, const char *host)
{
	const char	*label[16], *h = host, *end;
	size_t		 len[16], n = 0, m;

	/* A port or a path the caller left on is no part of the name. */
	end = host + strcspn(host, ":/");
	while (h < end && n < 16) {
		label[n] = h;
		len[n] = strcspn(h, ".:/");
		h += len[n];
		if (*h == '.')
			h++;
		if (len[n] > 0 && (n > 0 || !skipped_label(label[n], len[n])))
			n++;
	}
	if (n == 0)
		return 0;
	if ((s->host_all = words_key(label[0],
	    (size_t)(end - label[0]))) == NULL)
		return -1;
	m = n == 1 ? 0 : n - 2;
	if (n >= 3 && len[n - 1] == 2 && len[n - 2] <= 3)
		m = n - 3;
	if ((s->host_main = words_key(label[m], len[m])) == NULL)
		return -1;
	return 0;
}

static int
site_init(struct site *s, const struct boiler_hints *h)
{
	size_t	 i;

	memset(s, 0, sizeof(*s));
	if (h->site_name != NULL && ((s->name = key(h->site_name)) == NULL ||
	    site_prefixes(s, h->site_name) == -1 ||
	    wordlist_split(h->site_name, strlen(h->site_name),
	    &s->name_words) == -1))
		goto out_free;
	if (h->feed_title != NULL && ((s->feed = key(h->feed_title)) ==
	    NULL || site_prefixes(s, h->feed_title) == -1 ||
	    wordlist_split(h->feed_title, strlen(h->feed_title),
	    &s->feed_words) == -1))
		goto out_free;
	if (h->host != NULL && site_host(s, h->host) == -1)
		goto out_free;
	if (h->ntags > 0 &&
	    (s->tags = calloc(h->ntags, sizeof(*s->tags))) == NULL)
		goto out_free;
	for (i = 0; i < h->ntags; i++, s->ntags++)
		if (h->tags[i] != NULL && (s->tags[i] = key(h->tags[i])) ==
		    NULL)
			goto out_free;
	return 0;

 out_free:
	site_free(s);
	return -1;
}

static bool
generic_word(const char *w)
{
	static const char *const generic[] = {
		"the", "news", "online", "daily", "com", NULL
	};
	size_t	 i;

	for (i = 0; generic[i] != NULL; i++)
		if (strcmp(w, generic[i]) == 0)
			return true;
	return false;
}

/* Can label be spelt by the words, each whole or as its initial? */
static bool
spells(char *const *w, size_t nw, const char *label)
{
	size_t	 l;

	if (nw == 0)
		return *label == '\0';
	if (generic_word(w[0]) && spells(w + 1, nw - 1, label))
		return true;
	l = strlen(w[0]);
	if (strncmp(label, w[0], l) == 0 && spells(w + 1, nw - 1, label + l))
		return true;
	return *label == w[0][0] && spells(w + 1, nw - 1, label + 1);
}

/*
 * Is label (a key) spelt by two or more words, each whole or by its
 * initial?  "nytimes" by "The New York Times", "ltca" by "LTC
 * Actualités".
 */
static bool
spelt_by(const struct wordlist *ws, const char *label)
{
	return label != NULL && strlen(label) >= 3 && ws->n >= 2 &&
	    spells(ws->w, ws->n, label);
}

/* "The New York Times" for nytimes; -1 when out of memory. */
static int
spells_label(const char *seg, size_t len, const char *label)
{
	struct wordlist	 ws;
	int		 ret;

	if (label == NULL || strlen(label) < 3)
		return 0;
	if (wordlist_split(seg, len, &ws) == -1)
		return -1;
	ret = spelt_by(&ws, label);
	wordlist_free(&ws);
	return ret;
}

/*
 * How sure a match must be, by where the segment stands.  Any name
 * strips a trailing segment.  A leading one is more often the headline's
 * topic: never by the first words of the site name or feed title ("NYT"
 * of "NYT > World News"), and before ": " only by a whole name (site,
 * feed, tag, full host), not by the host's main label nor an
 * abbreviation ("Example: how to ..." on example.org).
 */
enum place { TRAILING, LEADING, LEADING_COLON };

/* Does seg[0..len) name the site?  -1: out of memory. */
static int
names_site(const struct site *s, const char *seg, size_t len,
    enum place where)
{
	char	*k;
	size_t	 i;
	int	 ret = 0;

	if ((k = words_key(seg, len)) == NULL)
		return -1;
	if (keys_eq(k, s->name) || keys_eq(k, s->feed) ||
	    keys_eq(k, s->host_all))
		ret = 1;
	else if (where != LEADING_COLON && (spelt_by(&s->name_words, k) ||
	    spelt_by(&s->feed_words, k)))
		ret = 1;
	for (i = 0; ret == 0 && i < s->ntags; i++)
		ret = keys_eq(k, s->tags[i]);
	for (i = 0; ret == 0 && where == TRAILING && i < s->nprefix; i++)
		ret = strlen(s->prefix[i]) >= 3 && keys_eq(k, s->prefix[i]);
	if (ret == 0 && where != LEADING_COLON)
		ret = keys_eq(k, s->host_main) ? 1 :
		    spells_label(seg, len, s->host_main);
	free(k);
	return ret;
}

/* What would be left is itself a name of the site? */
static int
rest_names_site(const struct site *s, const char *cur, const struct sep *sp,
    int lead)
{
	if (lead)
		return names_site(s, cur + sp->end, strlen(cur + sp->end),
		    TRAILING);
	return names_site(s, cur, sp->start, LEADING);
}

/*
 * Strip one site segment from cur, trailing ones first, each tried from
 * the rightmost separator so a tag holding a separator is found too.  The
 * rest must have words and must not name the site itself ("ltc-a |
 * ltc-a" is only the tag).  Returns 1 when one went, 0 when none, -1 when
 * out of memory.
 */
static int
strip_once(const struct site *s, char *cur)
{
	struct sep	 seps[MAX_SEPS], *sp;
	size_t		 nsep, j, len = strlen(cur);
	int		 r, lead;

	nsep = find_seps(cur, seps);
	for (lead = 0; lead < 2; lead++)
		for (j = 0; j < nsep; j++) {
			sp = &seps[lead ? j : nsep - 1 - j];
			if (!has_word(cur, sp->start) ||
			    !has_word(cur + sp->end, len - sp->end))
				continue;
			if (lead)
				r = names_site(s, cur, sp->start,
				    sp->colon ? LEADING_COLON : LEADING);
			else
				r = names_site(s, cur + sp->end, len - sp->end,
				    TRAILING);
			if (r == 0)
				continue;
			if (r == 1)
				r = rest_names_site(s, cur, sp, lead);
			if (r != 0)
				return r == -1 ? -1 : 0;
			if (lead)
				memmove(cur, cur + sp->end, len - sp->end + 1);
			else
				cur[sp->start] = '\0';
			return 1;
		}
	return 0;
}

char *
boiler_title(const char *title, const struct boiler_hints *hints)
{
	struct site	 s;
	char		*cur;
	int		 round, r = 0;

	if (title == NULL)
		title = "";
	if ((cur = trim_dup(title, strlen(title))) == NULL)
		return NULL;
	if (hints == NULL)
		return cur;
	if (site_init(&s, hints) == -1)
		goto out_free;
	/* "Headline - Section | Site": a few rounds at most. */
	for (round = 0; round < 3; round++)
		if ((r = strip_once(&s, cur)) != 1)
			break;
	site_free(&s);
	if (r == -1)
		goto out_free;
	return cur;

 out_free:
	free(cur);
	return NULL;
}

char *
boiler_title_tag(const char *title)
{
	struct sep	 seps[MAX_SEPS];
	const char	*seg;
	size_t		 nsep, len, n;

	if (title == NULL)
		return NULL;
	len = strlen(title);
	while (len > 0 && title[len - 1] == ' ')
		len--;
	if ((nsep = find_seps(title, seps)) == 0)
		return NULL;
	seg = title + seps[nsep - 1].end;
	n = len > seps[nsep - 1].end ? len - seps[nsep - 1].end : 0;
	if (short_seg(seg, n) && has_word(title, seps[nsep - 1].start) &&
	    n < seps[nsep - 1].start)
		return trim_dup(seg, n);
	n = seps[0].start;
	if (!seps[0].colon && short_seg(title, n) && len > seps[0].end &&
	    has_word(title + seps[0].end, len - seps[0].end) &&
	    n < len - seps[0].end)
		return trim_dup(title, n);
	return NULL;
}

/* Lines */

/* Does one side of a separator in a match want, the other side short? */
static int
side_matches(const char *s, const char *want)
{
	struct sep	 seps[MAX_SEPS];
	size_t		 nsep, j, len = strlen(s);
	char		*k;
	int		 eq;

	nsep = find_seps(s, seps);
	for (j = 0; j < nsep; j++) {
		if (short_seg(s + seps[j].end, len - seps[j].end)) {
			if ((k = words_key(s, seps[j].start)) == NULL)
				return -1;
			eq = strcmp(k, want) == 0;
			free(k);
			if (eq)
				return 1;
		}
		if (short_seg(s, seps[j].start)) {
			if ((k = key(s + seps[j].end)) == NULL)
				return -1;
			eq = strcmp(k, want) == 0;
			free(k);
			if (eq)
				return 1;
		}
	}
	return 0;
}

/* The headline again, maybe with a site tag on either. */
static int
is_headline(const char *line, const char *title, const char *tkey)
{
	char	*lk;
	int	 r;

	if (tkey == NULL || *tkey == '\0')
		return 0;
	if ((lk = key(line)) == NULL)
		return -1;
	if (strcmp(lk, tkey) == 0)
		r = 1;
	else if ((r = side_matches(line, tkey)) == 0 && *lk != '\0')
		r = side_matches(title, lk);
	free(lk);
	return r;
}

static const char *
skip_by(const char *s)
{
	while (*s == ' ')
		s++;
	if (strncasecmp(s, "by ", 3) == 0)
		return s + 3;
	return s;
}

/* "By Jane Doe" when the byline is Jane Doe, maybe with co-authors. */
static int
is_byline(const char *line, const char *bkey)
{
	const char	*rest = skip_by(line);
	char		*k;
	int		 r;

	if (bkey == NULL || strlen(bkey) < 2)
		return 0;
	if ((k = key(rest)) == NULL)
		return -1;
	r = strcmp(k, bkey) == 0 || (rest != line &&
	    strlen(line) <= BYLINE_BYTES &&
	    strncmp(k, bkey, strlen(bkey)) == 0);
	free(k);
	return r;
}

static bool
in_list(const char *w, size_t n, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncasecmp(w, list[i], n) == 0)
			return true;
	return false;
}

/*
 * Tokens of a dateline: months, days, times, zones and their words; 2
 * for those that make a number a date (a month, "ago").
 */
static int
date_word(const char *w, size_t n)
{
	static const char *const months[] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
		"sep", "sept", "oct", "nov", "dec", NULL
	};
	static const char *const others[] = {
		"monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday", "mon", "tue", "tues", "wed", "thu",
		"thur", "thurs", "fri", "sat", "sun", "published", "updated",
		"posted", "last", "modified", "on", "at", "am", "pm", "a", "p",
		"m", "st", "nd", "rd", "th", "utc", "gmt", "bst", "cet",
		"cest", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt",
		"et", "pt", "ist", "aest", "jst", "hours", "hour", "minutes",
		"min", "mins", "z", "t", NULL
	};

	if (in_list(w, n, months) || (n == 3 && strncasecmp(w, "ago", 3) == 0))
		return 2;
	return in_list(w, n, others) ? 1 : 0;
}

/* A line with only a date and time, some words around them allowed. */
static bool
is_dateline(const char *line)
{
	const char		*p = line;
	size_t			 n, numbers = 0, months = 0;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 len;
	int			 d;

	if (strlen(line) > DATELINE_BYTES)
		return false;
	while (*p != '\0') {
		if ((unsigned char)*p >= 0x80) {	/* a letter: words */
			if ((len = utf8proc_iterate((const utf8proc_uint8_t *)p,
			    -1, &c)) > 0 && words_is_char(c, WORDS_NOMARKS))
				return false;
			p += len > 0 ? len : 1;
			continue;
		}
		if ((n = strspn(p, "0123456789")) > 0) {
			if (n > 4)
				return false;
			numbers++;
		} else if ((n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) > 0) {
			if ((d = date_word(p, n)) == 0)
				return false;
			months += d == 2;
		} else
			n = 1;
		p += n;
	}
	return numbers > 0 && (months > 0 || numbers >= 3);
}

/* Everything boiler_body() compares with, as keys. */
struct body {
	char	*tkey;		/* the title */
	char	*bkey;		/* the byline, without "By" */
	char	**lines;
	size_t	 nlines;
	size_t	 longest;	/* of the lines, in bytes */
};

static void
body_free(struct body *b)
{
	size_t	 i;

	free(b->tkey);
	free(b->bkey);
	for (i = 0; i < b->nlines; i++)
		free(b->lines[i]);
	free(b->lines);
}

static int
body_init(struct body *b, const char *title, const char *byline,
    const char *const *lines, size_t nlines)
{
	size_t	 i;

	memset(b, 0, sizeof(*b));
	if (title != NULL && (b->tkey = key(title)) == NULL)
		goto out_free;
	if (byline != NULL && (b->bkey = key(skip_by(byline))) == NULL)
		goto out_free;
	if (nlines > 0 &&
	    (b->lines = calloc(nlines, sizeof(*b->lines))) == NULL)
		goto out_free;
	for (i = 0; i < nlines; i++, b->nlines++) {
		if (lines[i] == NULL)
			continue;
		if ((b->lines[i] = words_line_key(lines[i])) == NULL)
			goto out_free;
		if (strlen(b->lines[i]) > b->longest)
			b->longest = strlen(b->lines[i]);
	}
	return 0;

 out_free:
	body_free(b);
	return -1;
}

/* A recurring or universal line: dropped wherever it stands. */
static int
is_recurring(const struct body *b, const char *line)
{
	char	*k;
	size_t	 i, alnum;
	int	 r = 0;

	/*
	 * Most lines are paragraphs, longer than anything recurring: told
	 * so without their key (folding is most of the cost of a body).
	 */
	if (words_not_boilerplate(line, &alnum) && alnum > b->longest)
		return 0;
	if ((k = words_line_key(line)) == NULL)
		return -1;
	for (i = 0; r == 0 && i < b->nlines; i++)
		r = b->lines[i] != NULL && strcmp(k, b->lines[i]) == 0;
	if (r == 0)
		r = words_boilerplate(k);
	free(k);
	return r;
}

/* Headline, byline or dateline: dropped while nothing else came before. */
static int
is_top_line(const struct body *b, const char *line, const char *title)
{
	int	 r;

	if ((r = is_headline(line, title, b->tkey)) != 0)
		return r;
	if ((r = is_byline(line, b->bkey)) != 0)
		return r;
	return is_dateline(line);
}

static int
body_line(const struct body *b, struct buf *out, const char *line,
    const char *title, bool *top)
{
	int	 r;

	if ((r = is_recurring(b, line)) != 0)
		return r == -1 ? -1 : 0;
	if (*top && (r = is_top_line(b, line, title)) != 0)
		return r == -1 ? -1 : 0;
	*top = false;
	if (out->len > 0 && buf_addstr(out, "\n\n") != BUF_OK)
		return -1;
	return buf_addstr(out, line) == BUF_OK ? 0 : -1;
}

char *
boiler_body(const char *text, const char *title, const char *byline,
    const char *const *lines, size_t nlines)
{
	struct body	 b;
	struct buf	 out;
	const char	*p, *nl;
	char		*line;
	bool		 top = true;
	int		 r = 0;

	if (body_init(&b, title, byline, lines, nlines) == -1)
		return NULL;
	buf_init(&out, BOILER_MAX);
	for (p = text != NULL ? text : ""; *p != '\0' && r == 0; p = nl) {
		nl = p + strcspn(p, "\n");
		if ((line = trim_dup(p, (size_t)(nl - p))) == NULL)
			r = -1;
		else if (*line != '\0')
			r = body_line(&b, &out, line, title, &top);
		free(line);
		if (*nl == '\n')
			nl++;
	}
	body_free(&b);
	if (r == -1) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out);
}
