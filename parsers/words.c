/*
 * words: word characters by Unicode category (utf8proc), with ASCII read
 * without a table look-up, since most text is ASCII.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "parsers/buf.h"
#include "parsers/swar.h"
#include "parsers/words.h"

#define FNV_OFFSET	UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME	UINT64_C(0x100000001b3)
#define COOKIE_BYTES	400	/* a cookie notice, not an article on them */

/*
 * What a byte says: 0 no word character, 1 an ASCII letter or digit, 2
 * the start of a non-ASCII character (or invalid UTF-8): look closer.
 */
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static inline bool
unicode_is_word(int32_t cp, unsigned flags)
{
	utf8proc_category_t	 cat = utf8proc_category(cp);

	if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
		return (flags & WORDS_NOMARKS) == 0;
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	    (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

bool
words_is_char(int32_t cp, unsigned flags)
{
	if (cp < 0x80)
		return cp >= 0 && byte_class[cp] == 1;
	return unicode_is_word(cp, flags);
}

/*
 * Han, kana and Hangul: the CJK scripts.  Chinese and Japanese put no
 * spaces between words and a Korean word carries its particles, so what
 * words_next() gives there is a clause, not a word.
 */
bool
words_is_cjk(int32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x11FF) ||	/* Hangul Jamo */
	    (cp >= 0x3040 && cp <= 0x30FF) ||	/* Hiragana, Katakana */
	    (cp >= 0x3130 && cp <= 0x318F) ||	/* Hangul compatibility Jamo */
	    (cp >= 0x31F0 && cp <= 0x31FF) ||	/* Katakana extensions */
	    (cp >= 0x3400 && cp <= 0x4DBF) ||	/* CJK extension A */
	    (cp >= 0x4E00 && cp <= 0x9FFF) ||	/* CJK unified ideographs */
	    (cp >= 0xAC00 && cp <= 0xD7AF) ||	/* Hangul syllables */
	    (cp >= 0xF900 && cp <= 0xFAFF) ||	/* CJK compatibility */
	    (cp >= 0xFF66 && cp <= 0xFF9F) ||	/* halfwidth Katakana */
	    (cp >= 0x20000 && cp <= 0x3FFFF);	/* CJK extensions B and on */
}

/*
 * Is the character at p a word character?  Its length goes to *n (1 for
 * a byte of invalid UTF-8, which is none).
 */
static inline bool
word_at(const unsigned char *p, const unsigned char *end, unsigned flags,
    size_t *n)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;

	if (byte_class[*p] < 2) {
		*n = 1;
		return byte_class[*p] == 1;
	}
	r = utf8proc_iterate(p, (utf8proc_ssize_t)(end - p), &c);
	if (r < 1) {
		*n = 1;
		return false;
	}
	*n = (size_t)r;
	return unicode_is_word(c, flags);
}

void
words_begin(struct words_iter *it, const char *s, size_t len, unsigned flags)
{
	it->p = (const unsigned char *)s;
	it->end = it->p + len;
	it->flags = flags;
}

bool
words_next(struct words_iter *it, const char **word, size_t *len)
{
	const unsigned char	*p = it->p, *end = it->end, *start;
	size_t			 n = 1;

	/* ASCII is read a byte at a time here, without word_at(). */
	for (;; p += n) {
		while (p < end && byte_class[*p] == 0)
			p++;
		if (p == end) {
			it->p = p;
			return false;
		}
		if (word_at(p, end, it->flags, &n))
			break;
	}
	start = p;
	for (p += n;; p += n) {
		while (p < end && byte_class[*p] == 1)
			p++;
		if (p == end || !word_at(p, end, it->flags, &n))
			break;
	}
	*word = (const char *)start;
	*len = (size_t)(p - start);
	/* Past the separator too, which was read already. */
	it->p = p < end ? p + n : p;
	return true;
}

/* A copy of s[0..len) without invalid UTF-8, so utf8proc_map accepts it. */
static char *
valid_copy(const char *s, size_t len)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;
	size_t			 i = 0, w = 0;
	char			*out;

	if (len == SIZE_MAX || (out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (n <= 0 || c == 0) {
			i++;
			continue;
		}
		memcpy(out + w, s + i, (size_t)n);
		w += (size_t)n;
		i += (size_t)n;
	}
	out[w] = '\0';
	return out;
}

/* The bytes below 0x80 that s[0..len) begins with. */
static size_t
ascii_span(const char *s, size_t len)
{
	uint64_t	 v;
	size_t		 i = 0;

	for (; len - i >= 8; i += 8) {
		memcpy(&v, s + i, 8);
		if (v & HIGHS)
			break;
	}
	while (i < len && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/*
 * ASCII folded: its case lowered, NULs dropped (as valid_copy() does).
 * Eight bytes at a time while they hold no NUL: adding 0x3f to a byte
 * below 0x80 sets its high bit from 'A' on, adding 0x25 from 'Z' + 1 on
 * (neither carries into the next byte), and the bytes between get 0x20.
 */
static size_t
fold_ascii(char *out, const char *s, size_t len)
{
	uint64_t	 v, upper;
	size_t		 i = 0, n = 0;

	for (; len - i >= 8; i += 8, n += 8) {
		memcpy(&v, s + i, 8);
		if ((v & HIGHS) != 0 || HAS_ZERO(v))
			break;
		upper = (v + ONES * 0x3f) & ~(v + ONES * 0x25) & HIGHS;
		v |= upper >> 2;
		memcpy(out + n, &v, 8);
	}
	for (; i < len; i++)
		if (s[i] != '\0')
			out[n++] = s[i] >= 'A' && s[i] <= 'Z' ?
			    (char)(s[i] - 'A' + 'a') : s[i];
	return n;
}

/*
 * The folds of the code points most non-ASCII text is made of, computed
 * once by utf8proc: U+0080 to U+07FF (Latin, IPA, the combining marks,
 * Greek, Cyrillic, Armenian, Hebrew, Arabic...), the general punctuation
 * (curly quotes, dashes) and the currency signs.  A run of those folds to
 * the folds of its code points put together: test_words checks it for
 * every pair of them (composition joins neighbours only, and a mark in
 * between is stripped, so pairs are enough), against utf8proc on the
 * whole.  Every other run goes to utf8proc as it is.
 */
#define FOLD_BYTES	15	/* the longest fold of them takes 12 */

struct fold_cp {
	unsigned char	 len;		/* FOLD_BYTES + 1: not in the table */
	char		 s[FOLD_BYTES];
};

static const struct fold_range {
	int32_t		 lo, hi;	/* inclusive */
} fold_ranges[] = {
	{ 0x0080, 0x07ff }, { 0x2000, 0x206f }, { 0x20a0, 0x20cf },
};
#define NFOLD_RANGES	(sizeof(fold_ranges) / sizeof(fold_ranges[0]))
/* The ranges' code points, in all. */
#define FOLD_CP		((0x0800 - 0x0080) + (0x2070 - 0x2000) + (0x20d0 - 0x20a0))

static struct fold_cp	 fold_table[FOLD_CP];
static pthread_once_t	 fold_once = PTHREAD_ONCE_INIT;

static void
fold_build(void)
{
	utf8proc_uint8_t	 in[8], *out;
	utf8proc_ssize_t	 n;
	size_t			 r, k = 0;
	int32_t			 c;

	for (r = 0; r < NFOLD_RANGES; r++)
		for (c = fold_ranges[r].lo; c <= fold_ranges[r].hi &&
		    k < FOLD_CP; c++, k++) {
			fold_table[k].len = FOLD_BYTES + 1;
			in[utf8proc_encode_char(c, in)] = '\0';
			out = NULL;
			n = utf8proc_map(in, 0, &out, UTF8PROC_NULLTERM |
			    UTF8PROC_STABLE | UTF8PROC_COMPAT |
			    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
			    UTF8PROC_STRIPMARK);
			if (n >= 0 && n <= FOLD_BYTES) {
				memcpy(fold_table[k].s, out, (size_t)n);
				fold_table[k].len = (unsigned char)n;
			}
			free(out);
		}
}

/* The table's entry for the character at s (n bytes left), or NULL. */
static const struct fold_cp *
fold_lookup(const unsigned char *s, size_t n, size_t *used)
{
	const struct fold_cp	*f;
	size_t			 r, base = 0;
	int32_t			 c;

	/* The ranges' characters take two bytes, or three after 0xe2. */
	if (n >= 2 && s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80) {
		c = (s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		*used = 2;
	} else if (n >= 3 && s[0] == 0xe2 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		c = 0x2000 | (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		*used = 3;
	} else
		return NULL;
	for (r = 0; r < NFOLD_RANGES; r++) {
		if (c >= fold_ranges[r].lo && c <= fold_ranges[r].hi) {
			base += (size_t)(c - fold_ranges[r].lo);
			if (base >= FOLD_CP)
				return NULL;
			f = &fold_table[base];
			return f->len <= FOLD_BYTES ? f : NULL;
		}
		base += (size_t)(fold_ranges[r].hi - fold_ranges[r].lo + 1);
	}
	return NULL;
}

/*
 * s[0..len) folded through the table onto the end of b: 1 done, 0 when a
 * character is not in it (b as it was), -1 out of memory.
 */
static int
fold_run_table(struct buf *b, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const struct fold_cp	*f;
	size_t			 i, used, start = b->len;

	(void)pthread_once(&fold_once, fold_build);
	for (i = 0; i < len; i += used) {
		if ((f = fold_lookup(p + i, len - i, &used)) == NULL) {
			b->len = start;
			if (b->data != NULL)
				b->data[start] = '\0';
			return 0;
		}
		if (buf_add(b, f->s, f->len) != BUF_OK)
			return -1;
	}
	return 1;
}

/* s[0..len), no ASCII in it, folded by utf8proc and put at the end of b. */
static int
fold_run(struct buf *b, const char *s, size_t len)
{
	utf8proc_uint8_t	*out = NULL;
	char			*v;
	int			 rc;

	if ((rc = fold_run_table(b, s, len)) != 0)
		return rc == 1 ? 0 : -1;
	if ((v = valid_copy(s, len)) == NULL)
		return -1;
	rc = utf8proc_map((const utf8proc_uint8_t *)v, 0, &out,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
	    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) < 0 ||
	    buf_addstr(b, (const char *)out) != BUF_OK ? -1 : 0;
	free(out);
	free(v);
	return rc;
}

char *
words_fold(const char *s, size_t len)
{
	struct buf	 b;
	size_t		 i, j;
	char		*v;

	/*
	 * ASCII is its own NFKC form and has no marks: folding it only
	 * lowers its case.  Most lines are ASCII, and utf8proc costs a
	 * hundred times more.
	 */
	if (ascii_span(s, len) == len) {
		if (len == SIZE_MAX || (v = malloc(len + 1)) == NULL)
			return NULL;
		v[fold_ascii(v, s, len)] = '\0';
		return v;
	}
	/*
	 * The others have runs of ASCII too (a curly quote in an English
	 * line): those fold alone, and only the runs between them go to
	 * utf8proc.  The same bytes as folding the whole line: an ASCII
	 * character is a starter that nothing before it composes with, and
	 * what a mark after it would compose into loses the mark again
	 * (STRIPMARK), so NFKC never looks across the edge of a run.
	 */
	/* Folding may lengthen a run many times ("ﬄ" is "ffl"). */
	buf_init(&b, SIZE_MAX / 2);
	for (i = 0; i < len; i = j) {
		if ((unsigned char)s[i] >= 0x80) {
			for (j = i; j < len && (unsigned char)s[j] >= 0x80; j++)
				continue;
			if (fold_run(&b, s + i, j - i) == -1)
				goto fail;
		} else {
			j = i + ascii_span(s + i, len - i);
			if (buf_add(&b, s + i, j - i) != BUF_OK)
				goto fail;
			b.len -= (j - i) - fold_ascii(b.data + b.len - (j - i),
			    s + i, j - i);
			b.data[b.len] = '\0';
		}
	}
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

char *
words_key(const char *s, size_t len)
{
	struct words_iter	 it;
	const char		*w;
	char			*f, *out;
	size_t			 n;

	/*
	 * Folded first, then split: folding makes word characters of some
	 * symbols ("①" is "1") and takes the marks away.
	 */
	if ((f = words_fold(s, len)) == NULL)
		return NULL;
	out = f;
	words_begin(&it, f, strlen(f), 0);
	while (words_next(&it, &w, &n)) {
		memmove(out, w, n);
		out += n;
	}
	*out = '\0';
	return f;
}

char *
words_line_key(const char *line)
{
	utf8proc_uint8_t	*f, *p, *w;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;
	utf8proc_category_t	 cat;
	bool			 space = false;

	if ((f = (utf8proc_uint8_t *)words_fold(line, strlen(line))) == NULL)
		return NULL;
	for (p = w = f; *p != '\0'; p += n) {
		if (*p < 0x80) {
			/* ASCII's one Zs is the space: no table look-up */
			n = 1;
			c = *p;
			cat = c == ' ' ? UTF8PROC_CATEGORY_ZS : c >= '0' &&
			    c <= '9' ? UTF8PROC_CATEGORY_ND :
			    UTF8PROC_CATEGORY_PO;	/* or any other */
		} else if ((n = utf8proc_iterate(p, -1, &c)) <= 0)
			break;
		else
			cat = utf8proc_category(c);
		if (c == '\t' || c == '\n' || c == '\r' ||
		    cat == UTF8PROC_CATEGORY_ZS) {
			space = w > f;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		if (cat == UTF8PROC_CATEGORY_ND) {
			*w++ = '0';
			continue;
		}
		memmove(w, p, (size_t)n);
		w += n;
	}
	*w = '\0';
	return (char *)f;
}

/* Boilerplate lines */

/* Is s[0..len) the string lit? */
static bool
is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* Decoration around a share button's label: bullets, arrows, colons. */
static size_t
decor_at(const char *s, size_t len)
{
	static const char *const decor[] = {
		":", ".", "!", "-", "*", ">", " ",
		"\xe2\x80\xa6", "\xc2\xbb", "\xe2\x80\xba", "\xe2\x86\x92",
		"\xe2\x80\xa2", "\xc2\xb7", NULL	/* … » › → • · */
	};
	size_t	 i, n;

	for (i = 0; decor[i] != NULL; i++) {
		n = strlen(decor[i]);
		if (n <= len && memcmp(s, decor[i], n) == 0)
			return n;
	}
	return 0;
}

/* s[0..*len) without the decoration at either end. */
static const char *
strip_decor(const char *s, size_t *len)
{
	size_t	 n, i;
	bool	 again = true;

	while ((n = decor_at(s, *len)) > 0) {
		s += n;
		*len -= n;
	}
	while (again) {
		again = false;
		for (i = *len > 3 ? *len - 3 : 0; i < *len; i++)
			if (decor_at(s + i, *len - i) == *len - i) {
				*len = i;
				again = true;
				break;
			}
	}
	return s;
}

static const char *const boiler_exact[] = {
		"share", "share this", "share this article",
		"share this story", "share this page", "share on facebook",
		"share on twitter", "share on x", "share on linkedin",
		"share on whatsapp", "share via email", "email this article",
		"print this article", "sign up for our newsletter",
		"sign up to our newsletter", "subscribe to our newsletter",
		"subscribe", "advertisement", "skip advertisement",
		"advertisement - scroll to continue", "read more", "related",
		"related articles", "related stories", "related content",
		"more on this story", "skip to content", "continue reading",
		"most read", "follow us", NULL
};
/*
 * The longest of them, in bytes; worked out at the first call (threads
 * that race to it store the same value).
 */
static size_t
boiler_exact_max(void)
{
	static _Atomic size_t	 max;
	size_t			 i, m;

	if ((m = atomic_load_explicit(&max, memory_order_relaxed)) != 0)
		return m;
	for (i = 0; boiler_exact[i] != NULL; i++)
		if (strlen(boiler_exact[i]) > m)
			m = strlen(boiler_exact[i]);
	atomic_store_explicit(&max, m, memory_order_relaxed);
	return m;
}

static const char *const boiler_cookie[] = {
	"we use cookies", "this site uses cookies",
	"this website uses cookies", NULL
};

bool
words_boilerplate(const char *key)
{
	const char	*const *exact = boiler_exact, *const *cookie = boiler_cookie;
	const char	*k;
	size_t		 i, len = strlen(key);

	k = strip_decor(key, &len);
	for (i = 0; exact[i] != NULL; i++)
		if (is(k, len, exact[i]))
			return true;
	if (len > COOKIE_BYTES)
		return false;
	for (i = 0; cookie[i] != NULL; i++)
		if (strlen(cookie[i]) <= len &&
		    memcmp(k, cookie[i], strlen(cookie[i])) == 0)
			return true;
	return false;
}

bool
words_not_boilerplate(const char *s, size_t *alnum)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 0;
	int			 first = 0;

	for (; *p != '\0'; p++) {
		if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
			n++;
		else if (*p >= '0' && *p <= '9')
			n++;
		else
			continue;
		/* The first one, when only ASCII decoration came before. */
		if (n == 1 && strspn(s, " :.!-*>") == (size_t)((const char *)p -
		    s))
			first = *p | 0x20;
	}
	*alnum = n;
	if (n <= boiler_exact_max())
		return false;
	/* A cookie notice begins "we" or "this" (its key, once stripped). */
	return n > COOKIE_BYTES || (first != 0 && first != 'w' && first != 't');
}

/* Hashing and counting */

uint64_t
words_hash(const void *p, size_t len, uint64_t h)
{
	const unsigned char	*s = p;
	size_t			 i;

	if (h == 0)
		h = FNV_OFFSET;
	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	return h;
}

size_t
words_count(const char *s)
{
	size_t	 n = 0;
	bool	 counted = false;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			counted = false;
			continue;
		}
		/* Any byte of a multi-byte character counts as a letter. */
		if (!counted && ((unsigned char)*s >= 0x80 ||
		    (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z'))) {
			n++;
			counted = true;
		}
	}
	return n;
}
