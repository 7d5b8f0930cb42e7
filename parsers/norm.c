/*
 * norm: text normalisation.  The text goes through three stages:
 * entities and broken UTF-8 repaired (libxml2's HTML entity table) and
 * NFC, both while decoding it into an array of code points; then passes
 * over that array that only ever shrink it: cleaning, collapsing, the
 * English quotes, doubled stops (before the space rule, so "end . ."
 * gives "end."), the English space before marks.  The last step encodes
 * the paragraphs back into UTF-8.
 *
 * NFC goes through utf8proc only where the text may not be in NFC
 * already: most text is ASCII or precomposed letters that NFC leaves
 * alone, and utf8proc's NFC costs far more than the rest of the work.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <utf8proc.h>

#include "parsers/buf.h"
#include "parsers/norm.h"
#include "parsers/words.h"

#define NORM_MAX	(64 * 1024 * 1024)	/* output cap */
#define NORM_WORD_MAX	16	/* longer words are no function words */
#define NORM_DETECT_MAX	4000	/* function-word sized words looked at */
#define NORM_QUICK_HITS	8	/* function words for norm_quick_lang() */
#define ENTITY_NAME_MAX	32
#define REPLACEMENT	0xFFFD
#define PARA		((int32_t)'\n')	/* paragraph mark in the array */
#define NFC_OPTIONS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE)
#define NFC_DECOMP_MAX	8	/* longest decomposition looked at */

/*
 * Numeric references in 0x80-0x9F mean windows-1252 in practice (&#146;
 * for an apostrophe); HTML5 maps them the same way.
 */
static const int32_t cp1252[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178
};

/* Entities */

static int
add_cp(struct buf *b, int32_t cp)
{
	utf8proc_uint8_t	 enc[4];
	utf8proc_ssize_t	 n;

	n = utf8proc_encode_char(cp, enc);
	if (n <= 0)
		n = utf8proc_encode_char(REPLACEMENT, enc);
	return buf_add(b, enc, (size_t)n);
}

static int32_t
numeric_ref(const char *p, size_t n, int hex)
{
	int32_t	 v = 0;
	size_t	 i;
	int	 d;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (hex && p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (hex && p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		if (v > (0x10FFFF - d) / (hex ? 16 : 10))
			return REPLACEMENT;
		v = v * (hex ? 16 : 10) + d;
	}
	if (v >= 0x80 && v <= 0x9F)
		return cp1252[v - 0x80];
	if (v == 0 || !utf8proc_codepoint_valid(v))
		return REPLACEMENT;
	return v;
}

/*
 * The code point of the reference at s ("&...;"), its length in *len;
 * -1 when s does not start a reference we know.
 */
static int32_t
entity_at(const char *s, size_t *len)
{
	const htmlEntityDesc	*e;
	char			 name[ENTITY_NAME_MAX + 1];
	const char		*semi;
	size_t			 n;

	/* never past the string's end: s may be near it */
	semi = memchr(s + 1, ';', strnlen(s + 1, ENTITY_NAME_MAX + 2));
	if (semi == NULL || (n = (size_t)(semi - s - 1)) == 0 ||
	    n > ENTITY_NAME_MAX)
		return -1;
	*len = n + 2;
	if (s[1] == '#' && n > 1 && (s[2] == 'x' || s[2] == 'X'))
		return numeric_ref(s + 3, n - 2, 1);
	if (s[1] == '#')
		return numeric_ref(s + 2, n - 1, 0);
	memcpy(name, s + 1, n);
	name[n] = '\0';
	if (strcmp(name, "apos") == 0)	/* XML and HTML5, not HTML 4 */
		return '\'';
	if ((e = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return -1;
	return (int32_t)e->value;
}

/* Entities decoded once, invalid UTF-8 replaced: valid UTF-8 out. */
static char *
repair(const char *text)
{
	struct buf		 b;
	const char		*p = text;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 elen;
	int32_t			 ent;
	int			 rc = BUF_OK;

	buf_init(&b, NORM_MAX);
	while (*p != '\0' && rc == BUF_OK) {
		if (*p == '&' && (ent = entity_at(p, &elen)) != -1) {
			rc = add_cp(&b, ent);
			p += elen;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		if (n <= 0) {
			rc = add_cp(&b, REPLACEMENT);
			p++;
		} else {
			rc = buf_add(&b, p, (size_t)n);
			p += n;
		}
	}
	if (rc != BUF_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Code points, the old way: whole-text NFC, kept as the tests' reference */

static int32_t *
decode(const char *s, size_t *np)
{
	int32_t			*cp;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;
	size_t			 len = strlen(s), i = 0;

	/* Never more code points than bytes; +1 for an empty string. */
	if ((cp = calloc(len + 1, sizeof(*cp))) == NULL)
		return NULL;
	while (*s != '\0') {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
		if (n <= 0) {		/* cannot happen after repair() */
			c = REPLACEMENT;
			n = 1;
		}
		cp[i++] = c;
		s += n;
	}
	*np = i;
	return cp;
}

/* repair(), utf8proc's NFC over every byte, decode(). */
static int32_t *
decode_full(const char *text, size_t *np)
{
	utf8proc_uint8_t	*nfc = NULL;
	utf8proc_ssize_t	 nlen;
	char			*fixed;
	int32_t			*cp;

	if ((fixed = repair(text)) == NULL)
		return NULL;
	nlen = utf8proc_map((const utf8proc_uint8_t *)fixed, 0, &nfc,
	    UTF8PROC_NULLTERM | NFC_OPTIONS);
	free(fixed);
	if (nlen < 0)
		return NULL;
	cp = decode((const char *)nfc, np);
	free(nfc);
	return cp;
}

/* NFC */

/* Hangul vowel and trailing jamo: utf8proc composes them by arithmetic. */
static bool
hangul_vt(int32_t c)
{
	return c >= 0x1160 && c <= 0x11FF;
}

/* Whether utf8proc's composition may take c as the second of a pair. */
static bool
nfc_second(const utf8proc_property_t *p)
{
#if UTF8PROC_VERSION_MAJOR > 2 || \
    (UTF8PROC_VERSION_MAJOR == 2 && UTF8PROC_VERSION_MINOR >= 9)
	return p->comb_issecond;
#else
	/* up to 2.8, the comb_index of a second has its top bit set */
	return p->comb_index != UINT16_MAX && p->comb_index >= 0x8000;
#endif
}

/*
 * Whether the full canonical decomposition d[0..n) of a precomposed
 * starter composes back into c alone, nothing able to reach d[0] from
 * before it: d[0] a starter no composition takes as its second, the
 * marks after it in canonical order already (or utf8proc would reorder
 * them first), and not a singleton (U+212B ANGSTROM SIGN composes into
 * U+00C5, not back).
 */
static bool
nfc_composes_back(int32_t c, utf8proc_int32_t *d, utf8proc_ssize_t n)
{
	const utf8proc_property_t	*p;
	utf8proc_propval_t		 prev = 0;
	utf8proc_ssize_t		 i;

	if (n < 2 || n > NFC_DECOMP_MAX || hangul_vt(d[0]))
		return false;
	for (i = 0; i < n; i++) {
		p = utf8proc_get_property(d[i]);
		if (i == 0 && (p->combining_class != 0 || nfc_second(p)))
			return false;
		if (p->combining_class != 0 && p->combining_class < prev)
			return false;
		prev = p->combining_class;
	}
	return utf8proc_normalize_utf32(d, n, NFC_OPTIONS) == 1 && d[0] == c;
}

/*
 * Whether NFC leaves c alone whatever surrounds it (Unicode's
 * NFC_Quick_Check=Yes with combining class 0, read from utf8proc's own
 * tables): a starter that no composition takes as its second, and its
 * own NFC.  The NFC of a text is the NFC of its pieces cut before such
 * code points.
 */
static bool
nfc_inert_uncached(int32_t c)
{
	const utf8proc_property_t	*p;
	utf8proc_int32_t		 d[NFC_DECOMP_MAX];
	utf8proc_ssize_t		 n;
	int				 bound = 0;

	if (c < 0x80)
		return true;
	if (hangul_vt(c))
		return false;
	p = utf8proc_get_property(c);
	if (p->combining_class != 0 || p->comp_exclusion || nfc_second(p))
		return false;
	if (p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0)
		return true;	/* no canonical decomposition */
	n = utf8proc_decompose_char(c, d, NFC_DECOMP_MAX, UTF8PROC_DECOMPOSE,
	    &bound);
	return nfc_composes_back(c, d, n);
}

/*
 * nfc_inert() of the Basic Multilingual Plane, remembered as it is asked:
 * accented letters recur in every text, and each answer costs a
 * decomposition.  Two bits a code point (known, inert), 16 KB in all,
 * shared by the threads that normalise: atomic words, the inert bit set
 * before the known one (release) and read after it (acquire), so that a
 * thread that sees a code point known sees its answer.  Two threads that
 * both work out one code point set the same bits.  On x86 the loads are
 * plain loads, as before.
 */
static _Atomic uint64_t	 nfc_known[0x10000 / 64], nfc_yes[0x10000 / 64];

static bool
nfc_inert(int32_t c)
{
	uint64_t	 bit;
	bool		 r;

	if (c < 0x80)
		return true;
	if (c >= 0x10000)
		return nfc_inert_uncached(c);
	bit = UINT64_C(1) << (c & 63);
	if (atomic_load_explicit(&nfc_known[c >> 6], memory_order_acquire) &
	    bit)
		return (atomic_load_explicit(&nfc_yes[c >> 6],
		    memory_order_relaxed) & bit) != 0;
	r = nfc_inert_uncached(c);
	if (r)
		atomic_fetch_or_explicit(&nfc_yes[c >> 6], bit,
		    memory_order_relaxed);
	atomic_fetch_or_explicit(&nfc_known[c >> 6], bit,
	    memory_order_release);
	return r;
}

/*
 * The text as code points, repaired, in NFC up to seg.  v[seg] is the
 * last inert code point (or the start); when dirty, v[seg..n) holds one
 * that is not and goes through utf8proc before the next inert one.
 */
struct cps {
	int32_t		*v;
	size_t		 n;
	size_t		 cap;
	size_t		 bytes;	/* UTF-8 length of the repaired text */
	size_t		 seg;
	bool		 dirty;
	struct buf	 utf8;	/* v[seg..n) handed to utf8proc */
};

static size_t
utf8_len(int32_t c)
{
	if (c >= 0 && c < 0x80)
		return 1;
	if (c >= 0 && c < 0x800)
		return 2;
	if (c >= 0x10000 && c < 0x110000)
		return 4;
	return 3;	/* U+0800-U+FFFF, or U+FFFD for what cannot be */
}

/* Room for more code points past n. */
static int
cps_grow(struct cps *c, size_t more)
{
	int32_t	*v;
	size_t	 ncap;

	if (more > SIZE_MAX / sizeof(*v) - c->n)
		return -1;
	if (c->n + more <= c->cap)
		return 0;
	ncap = c->cap > (SIZE_MAX / sizeof(*v)) / 2 ? c->n + more : c->cap * 2;
	if (ncap < c->n + more)
		ncap = c->n + more;
	if ((v = reallocarray(c->v, ncap, sizeof(*v))) == NULL)
		return -1;
	c->v = v;
	c->cap = ncap;
	return 0;
}

/* v[seg..n) through utf8proc's NFC, in place. */
static int
nfc_flush(struct cps *c)
{
	utf8proc_ssize_t	 m;
	size_t			 i, room;

	buf_reset(&c->utf8);
	for (i = c->seg; i < c->n; i++)
		if (add_cp(&c->utf8, c->v[i]) != BUF_OK)
			return -1;
	for (;;) {
		room = c->cap - c->seg;
		m = utf8proc_decompose((const utf8proc_uint8_t *)c->utf8.data,
		    (utf8proc_ssize_t)c->utf8.len, c->v + c->seg,
		    (utf8proc_ssize_t)room, NFC_OPTIONS);
		if (m < 0)
			return -1;
		if ((size_t)m <= room)
			break;
		c->n = c->seg;
		if (cps_grow(c, (size_t)m) == -1)
			return -1;
	}
	if ((m = utf8proc_normalize_utf32(c->v + c->seg, m, NFC_OPTIONS)) < 0)
		return -1;
	c->n = c->seg + (size_t)m;
	c->dirty = false;
	return 0;
}

static int
cps_push(struct cps *c, int32_t cp)
{
	if (nfc_inert(cp)) {
		if (c->dirty && nfc_flush(c) == -1)
			return -1;
		c->seg = c->n;
	} else
		c->dirty = true;
	if (cps_grow(c, 1) == -1)
		return -1;
	c->v[c->n++] = cp;
	c->bytes += utf8_len(cp);
	return 0;
}

/* A run of ASCII but '&' at *pp: inert code points, as they are. */
static int
cps_ascii(struct cps *c, const char **pp)
{
	const unsigned char	*start = (const unsigned char *)*pp, *p;
	size_t			 i, len;

	if (c->dirty && nfc_flush(c) == -1)
		return -1;
	for (p = start; *p != '\0' && *p < 0x80 && *p != '&'; p++)
		;
	len = (size_t)(p - start);
	if (cps_grow(c, len) == -1)
		return -1;
	for (i = 0; i < len; i++)
		c->v[c->n++] = start[i];
	c->seg = c->n - 1;
	c->bytes += len;
	*pp = (const char *)p;
	return 0;
}

/*
 * What repair(), utf8proc's NFC and decode() give, in one pass: entities
 * decoded once, invalid UTF-8 replaced, NFC where the text needs it.
 */
static int32_t *
decode_nfc(const char *text, size_t *np)
{
	struct cps		 c = { NULL, 0, 0, 0, 0, false, { 0 } };
	const char		*p = text;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 elen;

	buf_init(&c.utf8, NORM_MAX);
	if (cps_grow(&c, strlen(text) + 1) == -1)	/* +1: "" */
		goto fail;
	while (*p != '\0') {
		if ((unsigned char)*p < 0x80 && *p != '&') {
			if (cps_ascii(&c, &p) == -1)
				goto fail;
			continue;
		}
		if (*p == '&' && (cp = entity_at(p, &elen)) != -1)
			p += elen;
		else if ((n = utf8proc_iterate((const utf8proc_uint8_t *)p, -1,
		    &cp)) > 0)
			p += n;
		else {
			cp = REPLACEMENT;
			p++;
		}
		if (cps_push(&c, cp) == -1)
			goto fail;
	}
	/* repair() had the same cap on its UTF-8 */
	if ((c.dirty && nfc_flush(&c) == -1) || c.bytes > NORM_MAX)
		goto fail;
	buf_free(&c.utf8);
	*np = c.n;
	return c.v;
 fail:
	buf_free(&c.utf8);
	free(c.v);
	return NULL;
}

/* Code points */

static bool
invisible(int32_t c)
{
	return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF ||
	    c == 0x00AD;
}

#define CLEAN_DROP	(-1)

/*
 * What clean() makes of c: PARA for a line break, ' ' for a space,
 * CLEAN_DROP for an invisible or control character, else c.
 */
static inline int32_t
clean_class(int32_t c)
{
	if (c >= ' ' && c < 0x7F)	/* printable ASCII stays */
		return c;
	if (c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029)
		return PARA;
	if (c == '\t' || c == 0x0B || c == 0x0C ||
	    utf8proc_category(c) == UTF8PROC_CATEGORY_ZS)
		return ' ';
	if (invisible(c) || utf8proc_category(c) == UTF8PROC_CATEGORY_CC)
		return CLEAN_DROP;
	return c;
}

/*
 * Line breaks to PARA, spaces to ' ', invisible and control characters
 * dropped.
 */
static size_t
clean(int32_t *cp, size_t n)
{
	size_t	 r, w = 0;
	int32_t	 c;

	for (r = 0; r < n; r++) {
		if (cp[r] == '\r' && r + 1 < n && cp[r + 1] == '\n')
			continue;
		if ((c = clean_class(cp[r])) != CLEAN_DROP)
			cp[w++] = c;
	}
	return w;
}

/* One space between words, one PARA between paragraphs, none at the ends. */
static size_t
collapse(int32_t *cp, size_t n)
{
	size_t	 r, w = 0;
	bool	 space = false, para = false;

	for (r = 0; r < n; r++) {
		if (cp[r] == ' ') {
			space = w > 0;
			continue;
		}
		if (cp[r] == PARA) {
			para = w > 0;
			space = false;
			continue;
		}
		if (para)
			cp[w++] = PARA;
		else if (space)
			cp[w++] = ' ';
		para = space = false;
		cp[w++] = cp[r];
	}
	return w;
}

/* English quotes */

struct quotes {
	int	 dq;		/* double quotes open */
	bool	 dq_rev;	/* the last one opened with » (»...«) */
	int	 sq;		/* single guillemets open */
	bool	 sq_rev;
};

/* words_is_char() for ASCII, which has letters and digits only. */
static bool
ascii_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Write a closing quote at w, after dropping the spaces before it. */
static size_t
put_close(int32_t *cp, size_t start, size_t w, int32_t q)
{
	while (w > start && cp[w - 1] == ' ')
		w--;
	cp[w++] = q;
	return w;
}

/*
 * A guillemet closes the pair it matches (« and “ pairs close with »,
 * a reversed »...« pair with «), opens one when it cannot close, and is
 * left alone when it cannot do either: a lone » opens only at the start
 * of a word, so " » " between words (a breadcrumb) stays.  Returns 1 for
 * close, 0 for open, -1 for neither.
 */
static int
guillemet_role(int32_t c, int32_t prev, int32_t next, int open, bool rev)
{
	bool	 opener = c == 0xAB || c == 0x2039;

	if (open > 0 && opener == rev)
		return 1;
	if (open > 0 || opener)
		return 0;
	return prev == ' ' && words_is_char(next, WORDS_NOMARKS) ? 0 : -1;
}

/* Curly quotes for the guillemets of one paragraph [start, end). */
static size_t
quotes_en(int32_t *cp, size_t start, size_t end)
{
	struct quotes	 q = { 0, false, 0, false };
	size_t		 r, w = start;
	int32_t		 c, prev, next;
	int		*open, role;
	bool		*rev, dbl;

	for (r = start; r < end; r++) {
		c = cp[r];
		prev = w > start ? cp[w - 1] : ' ';
		next = r + 1 < end ? cp[r + 1] : ' ';
		if (c == 0x201C) {
			q.dq++;
			q.dq_rev = false;
		} else if (c == 0x201D && q.dq > 0)
			q.dq--;
		if (c != 0xAB && c != 0xBB && c != 0x2039 && c != 0x203A) {
			cp[w++] = c;
			continue;
		}
		dbl = c == 0xAB || c == 0xBB;
		open = dbl ? &q.dq : &q.sq;
		rev = dbl ? &q.dq_rev : &q.sq_rev;
		role = guillemet_role(c, prev, next, *open, *rev);
		if (role == 1) {
			w = put_close(cp, start, w, dbl ? 0x201D : 0x2019);
			(*open)--;
		} else if (role == 0) {
			cp[w++] = dbl ? 0x201C : 0x2018;
			*rev = c == 0xBB || c == 0x203A;
			(*open)++;
			while (r + 1 < end && cp[r + 1] == ' ')
				r++;
		} else
			cp[w++] = c;
	}
	return w;
}

/* Punctuation */

static bool
is_stop_mark(int32_t c)
{
	return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' ||
	    c == '?';
}

/* What may follow a mark for the space before it to be a stray one. */
static bool
ends_mark(int32_t c)
{
	return c == ' ' || c == PARA || is_stop_mark(c) || c == 0x201D ||
	    c == 0x2019 || c == '"' || c == '\'' || c == ')' || c == ']' ||
	    c == 0xBB || c == 0x203A;
}

static int32_t
at(const int32_t *cp, size_t n, size_t i, ptrdiff_t off)
{
	if (off < 0 && (size_t)-off > i)
		return PARA;
	if (off > 0 && i + (size_t)off >= n)
		return PARA;
	return cp[(ptrdiff_t)i + off];
}

/*
 * A lone full stop (not part of "..." nor of a spaced ". . ." run): the
 * dots before and after it, with at most one space between, are counted.
 */
static bool
lone_stop(const int32_t *cp, size_t n, size_t i)
{
	if (at(cp, n, i, -1) == '.' || at(cp, n, i, 1) == '.')
		return false;
	if (at(cp, n, i, -1) == ' ' && at(cp, n, i, -2) == '.')
		return false;
	if (at(cp, n, i, 1) == ' ' && at(cp, n, i, 2) == '.')
		return false;
	return true;
}

/*
 * ". ." with both dots lone otherwise: a doubled full stop.  Returns true
 * when the dot at i starts one.
 */
static bool
doubled_stop(const int32_t *cp, size_t n, size_t i)
{
	if (cp[i] != '.' || at(cp, n, i, 1) != ' ' || at(cp, n, i, 2) != '.')
		return false;
	if (at(cp, n, i, -1) == '.' ||
	    (at(cp, n, i, -1) == ' ' && at(cp, n, i, -2) == '.'))
		return false;
	if (at(cp, n, i, 3) == '.' ||
	    (at(cp, n, i, 3) == ' ' && at(cp, n, i, 4) == '.'))
		return false;
	return true;
}

/* Passes that look behind read src and write dst. */
static size_t
doubled_stops(const int32_t *src, size_t n, int32_t *dst)
{
	size_t	 r, w = 0;

	for (r = 0; r < n; r++) {
		dst[w++] = src[r];
		if (doubled_stop(src, n, r))
			r += 2;		/* drop " ." */
	}
	return w;
}

/*
 * English drops the space before , . ; : ! ? when the mark ends a word
 * (" .NET" and "10 :30" keep theirs).  A spaced ellipsis keeps its
 * spaces; a plain one keeps the space before it.
 */
static size_t
space_before_marks(const int32_t *src, size_t n, int32_t *dst)
{
	size_t	 r, w = 0;
	int32_t	 m;

	for (r = 0; r < n; r++) {
		if (src[r] == ' ' && r + 1 < n && is_stop_mark(m = src[r + 1]) &&
		    ends_mark(at(src, n, r + 1, 1)) &&
		    (m != '.' || lone_stop(src, n, r + 1)))
			continue;
		dst[w++] = src[r];
	}
	return w;
}

/* The quote rules, paragraph by paragraph, in place. */
static size_t
english_quotes(int32_t *cp, size_t n)
{
	size_t	 start = 0, end, w = 0, len;

	while (start < n) {
		for (end = start; end < n && cp[end] != PARA; end++)
			;
		len = quotes_en(cp, start, end) - start;
		memmove(cp + w, cp + start, len * sizeof(*cp));
		w += len;
		if (end < n)
			cp[w++] = PARA;
		start = end + 1;
	}
	return w;
}

static size_t
put_cp(char *d, int32_t c)
{
	utf8proc_ssize_t	 n;

	if (c >= 0 && c < 0x80) {
		*d = (char)c;
		return 1;
	}
	n = utf8proc_encode_char(c, (utf8proc_uint8_t *)d);
	if (n <= 0)
		n = utf8proc_encode_char(REPLACEMENT, (utf8proc_uint8_t *)d);
	return (size_t)n;
}

/*
 * Back to UTF-8, paragraphs joined by sep; NULL past NORM_MAX bytes, as
 * a struct buf capped there would give.
 */
static char *
encode(const int32_t *cp, size_t n, const char *sep)
{
	size_t	 i, len = 0, add, seplen = strlen(sep);
	char	*out, *d;

	for (i = 0; i < n; i++) {
		add = cp[i] == PARA ? seplen : utf8_len(cp[i]);
		if (add > NORM_MAX - len)
			return NULL;
		len += add;
	}
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (d = out, i = 0; i < n; i++)
		if (cp[i] == PARA) {
			memcpy(d, sep, seplen);
			d += seplen;
		} else
			d += put_cp(d, cp[i]);
	*d = '\0';
	return out;
}

/* The fast path */

/*
 * clean_class(c), or FAST_NO when the fast path must leave the text to
 * the passes: a code point NFC might change or combine, a guillemet (the
 * English quotes).
 */
#define FAST_NO		(-2)

static int32_t
fast_class(int32_t c)
{
	if (c >= 0x80 && (c == 0xAB || c == 0xBB || c == 0x2039 ||
	    c == 0x203A || !nfc_inert(c)))
		return FAST_NO;
	return clean_class(c);
}

/* Printable ASCII but the space and '&': clean() keeps it as it is. */
static inline bool
fast_plain(char b)
{
	return b > ' ' && b < 0x7F && b != '&';
}

/* Whether the passes after collapse() would change the UTF-8 in s. */
static bool
fast_marks(const char *s, size_t len)
{
	const char	*p, *end = s + len;

	for (p = s; (p = memchr(p, ' ', (size_t)(end - p))) != NULL; p++) {
		if (p + 1 < end && is_stop_mark((unsigned char)p[1]))
			return true;	/* " ," and the like (English) */
		if (p > s && p[-1] == '.' && p + 1 < end && p[1] == '.')
			return true;	/* ". ." */
	}
	return false;
}

/*
 * Most texts are in NFC, hold no entity, no guillemet and no ". .": for
 * them the passes come down to clean() and collapse(), done here in one
 * pass over the UTF-8, without code point arrays or the language test.
 * Returns 1 with *out set, 0 when the text needs the passes (nothing
 * allocated), -1 when out of memory.  tests/unit/test_norm.c checks that
 * both ways give the same bytes.
 */
static int
norm_fast(const char *text, bool oneline, char **out)
{
	const char		*p = text;
	size_t			 len = strlen(text), w = 0, elen;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;
	int32_t			 k;
	bool			 space = false, para = false;
	char			*o;

	/* A lone "\n" between two words becomes "\n\n": at most 2 len. */
	if (len > NORM_MAX / 2)
		return 0;
	if ((o = malloc(2 * len + 1)) == NULL)
		return -1;
	while (*p != '\0') {
		if (fast_plain(*p)) {	/* a word's bytes, copied at once */
			for (n = 1; fast_plain(p[n]); n++)
				;
			k = *p;		/* kept, as every byte of the run */
		} else {
			if ((unsigned char)*p < 0x80) {
				c = (unsigned char)*p;
				n = 1;
			} else if ((n = utf8proc_iterate(
			    (const utf8proc_uint8_t *)p, -1, &c)) <= 0)
				goto slow;
			if (c == '&' && entity_at(p, &elen) != -1)
				goto slow;
			if ((k = fast_class(c)) == FAST_NO)
				goto slow;
		}
		if (k == PARA || k == ' ') {
			para = para || (k == PARA && w > 0);
			space = w > 0;
		} else if (k != CLEAN_DROP) {
			if (para && !oneline) {
				memcpy(o + w, "\n\n", 2);
				w += 2;
			} else if (para || space)
				o[w++] = ' ';
			para = space = false;
			memcpy(o + w, p, (size_t)n);
			w += (size_t)n;
		}
		p += n;
	}
	if (fast_marks(o, w))
		goto slow;
	o[w] = '\0';
	/* stories keep their texts a while: give the slack back */
	*out = realloc(o, w + 1);
	if (*out == NULL)
		*out = o;
	return 1;
 slow:
	free(o);
	return 0;
}

/*
 * full: NFC over every byte and no fast path, the old way (the tests'
 * reference).
 */
static char *
norm_run(const char *text, const char *lang, bool oneline, bool full)
{
	char		*out = NULL;
	int32_t		*cp, *tmp;
	size_t		 n;
	bool		 en;

	if (text == NULL)
		text = "";
	if (!full)
		switch (norm_fast(text, oneline, &out)) {
		case 1:
			return out;
		case -1:
			return NULL;
		}
	en = norm_is_english(text, lang);
	cp = full ? decode_full(text, &n) : decode_nfc(text, &n);
	if (cp == NULL)
		return NULL;
	if ((tmp = calloc(n + 1, sizeof(*tmp))) == NULL)
		goto out_free_cp;
	n = collapse(cp, clean(cp, n));
	if (en) {
		n = english_quotes(cp, n);
		n = doubled_stops(cp, n, tmp);
		n = space_before_marks(tmp, n, cp);
	} else
		n = doubled_stops(cp, n, tmp);
	out = encode(en ? cp : tmp, n, oneline ? " " : "\n\n");
	free(tmp);
 out_free_cp:
	free(cp);
	return out;
}

char *
norm_text(const char *text, const char *lang)
{
	return norm_run(text, lang, false, false);
}

char *
norm_text_full_nfc(const char *text, const char *lang)
{
	return norm_run(text, lang, false, true);
}

char *
norm_line_full_nfc(const char *s, const char *lang)
{
	return norm_run(s, lang, true, true);
}

char *
norm_line(const char *s)
{
	return norm_run(s, NULL, true, false);
}

char *
norm_line_lang(const char *s, const char *lang)
{
	return norm_run(s, lang, true, false);
}

int
norm_nfc_quick(const char *s)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;

	for (; *s != '\0'; s += n)
		if ((n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1,
		    &c)) <= 0 || !nfc_inert(c))
			return 0;
	return 1;
}

char *
norm_nfc(const char *s)
{
	int32_t	*cp;
	size_t	 n;
	char	*out;

	if ((cp = decode_nfc(s, &n)) == NULL)
		return NULL;
	out = encode(cp, n, "\n");
	free(cp);
	return out;
}

/* Language */

enum lang { L_EN, L_FR, L_DE, L_ES, L_IT, L_PT, L_NL, L__COUNT };

/*
 * The commonest short words of each language.  Words shared by two
 * languages count for both; the English list avoids "in", "was", "on"
 * and "an" that are as common in Dutch, German or French.
 */
static const char *const function_words[L__COUNT][32] = {
	[L_EN] = { "the", "and", "of", "to", "is", "that", "with", "for",
	    "this", "from", "have", "has", "which", "were", "would", "their",
	    "they", "been", "not", "but", "it", "by", "said", "are", "will",
	    "its", "who", "there", "after", "about", NULL },
	[L_FR] = { "le", "la", "les", "des", "et", "est", "une", "dans",
	    "qui", "pour", "pas", "sur", "du", "au", "avec", "ce", "il",
	    "elle", "sont", "été", "mais", "aux", "ses", "leur", "nous",
	    "vous", "plus", "à", NULL },
	[L_DE] = { "der", "die", "das", "und", "ist", "nicht", "mit", "den",
	    "dem", "ein", "eine", "sich", "auf", "für", "von", "zu", "auch",
	    "wird", "sind", "wurde", "dass", "noch", "bei", "aus", "im",
	    NULL },
	[L_ES] = { "el", "los", "las", "del", "y", "que", "es", "por",
	    "una", "con", "para", "se", "lo", "como", "más", "pero", "sus",
	    "fue", "está", "al", NULL },
	[L_IT] = { "il", "gli", "della", "di", "e", "che", "è", "per",
	    "una", "non", "sono", "con", "del", "nel", "alla", "anche",
	    "come", "più", "questo", NULL },
	[L_PT] = { "o", "os", "da", "do", "dos", "e", "é", "não", "um",
	    "uma", "com", "para", "que", "em", "no", "na", "mais", "foi",
	    "seu", "sua", NULL },
	[L_NL] = { "de", "het", "een", "en", "van", "niet", "dat", "zijn",
	    "op", "voor", "met", "ook", "maar", "er", "wordt", "aan", "bij",
	    "deze", NULL },
};

static bool
declared_english(const char *lang)
{
	if (strncasecmp(lang, "en", 2) != 0)
		return false;
	return lang[2] == '\0' || lang[2] == '-' || lang[2] == '_' ||
	    strcasecmp(lang, "english") == 0;
}

/*
 * The lists as one table, built once: a function word and the languages
 * whose list has it.  A word of the text is one lookup, where it was a
 * comparison with every list (most of what guessing a language cost).
 */
#define FW_SLOTS	512	/* a power of two, well above the words */

struct fw_slot {
	const char	*word;
	unsigned	 langs;		/* bit l: in function_words[l] */
};

static struct fw_slot	 fw_table[FW_SLOTS];
static pthread_once_t	 fw_once = PTHREAD_ONCE_INIT;

/* The slot of w: the one that holds it, or the empty one it would take. */
static struct fw_slot *
fw_slot(const char *w)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */
	const char	*p;

	for (p = w; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (h &= FW_SLOTS - 1; fw_table[h].word != NULL &&
	    strcmp(fw_table[h].word, w) != 0; h = (h + 1) & (FW_SLOTS - 1))
		continue;
	return &fw_table[h];
}

static void
fw_build(void)
{
	struct fw_slot	*s;
	size_t		 l, i;

	for (l = 0; l < L__COUNT; l++)
		for (i = 0; function_words[l][i] != NULL; i++) {
			s = fw_slot(function_words[l][i]);
			s->word = function_words[l][i];
			s->langs |= 1u << l;
		}
}

static void
count_word(const char *w, unsigned hits[L__COUNT])
{
	const struct fw_slot	*s;
	size_t			 l;

	if ((s = fw_slot(w))->word == NULL)
		return;
	for (l = 0; l < L__COUNT; l++)
		if (s->langs & (1u << l))
			hits[l]++;
}

/*
 * Read the word starting at *pp (lower case, UTF-8) into w; advance *pp
 * past it.  Returns false for a word too long to be a function word.
 */
static bool
next_word(const char **pp, char w[NORM_WORD_MAX + 4])
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)*pp;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;
	size_t			 len = 0;
	bool			 fits = true;

	while (*p != '\0') {
		if (*p < 0x80) {	/* ASCII: the words are letters, digits */
			if (!ascii_word(*p))
				break;
			c = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
			n = 1;
		} else {
			n = utf8proc_iterate(p, -1, &c);
			if (n <= 0 || !words_is_char(c, WORDS_NOMARKS))
				break;
			c = utf8proc_tolower(c);
		}
		p += n;
		if (len + 4 > NORM_WORD_MAX) {
			fits = false;
			continue;
		}
		if (c < 0x80)
			w[len++] = (char)c;
		else
			len += (size_t)utf8proc_encode_char(c,
			    (utf8proc_uint8_t *)w + len);
	}
	w[len] = '\0';
	*pp = (const char *)p;
	return fits && len > 0;
}

/* The function words of each language in text; returns the words seen. */
static unsigned
count_words(const char *text, unsigned hits[L__COUNT])
{
	unsigned	 words = 0;
	char		 w[NORM_WORD_MAX + 4];
	const char	*p = text != NULL ? text : "";

	(void)pthread_once(&fw_once, fw_build);	/* the table, once a process */
	while (*p != '\0' && words < NORM_DETECT_MAX) {
		if (next_word(&p, w)) {
			count_word(w, hits);
			words++;
		} else if (*p != '\0')
			p++;	/* past the byte that ended no word */
	}
	return words;
}

int
norm_is_english(const char *text, const char *declared_lang)
{
	unsigned		 hits[L__COUNT] = { 0 };
	size_t			 l;

	if (declared_lang != NULL && *declared_lang != '\0')
		return declared_english(declared_lang);
	(void)count_words(text, hits);
	if (hits[L_EN] == 0)
		return 0;
	for (l = 0; l < L__COUNT; l++)
		if (l != L_EN && hits[l] >= hits[L_EN])
			return 0;
	return 1;
}

/*
 * Quick only where the answer is plain: one language's function words at
 * least NORM_QUICK_HITS, three times those of any other and a sixth of the
 * words.  Shared words ("que", "una", "e") leave close languages to the
 * full classifier.
 */
const char *
norm_quick_lang(const char *text)
{
	static const char *const tags[L__COUNT] = {
		[L_EN] = "en", [L_FR] = "fr", [L_DE] = "de", [L_ES] = "es",
		[L_IT] = "it", [L_PT] = "pt", [L_NL] = "nl"
	};
	unsigned	 hits[L__COUNT] = { 0 }, words, best = 0, second = 0;
	size_t		 l, which = 0;

	words = count_words(text, hits);
	for (l = 0; l < L__COUNT; l++)
		if (hits[l] > best) {
			second = best;
			best = hits[l];
			which = l;
		} else if (hits[l] > second)
			second = hits[l];
	if (best < NORM_QUICK_HITS || best < 3 * second || 6 * best < words)
		return NULL;
	return tags[which];
}
