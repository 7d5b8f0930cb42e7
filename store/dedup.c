/*
 * dedup: SimHash + MinHash fingerprints and a permuted-tables index.
 *
 * Words are those of parsers/words.h (runs of letters, digits and
 * combining marks), lower-cased; where a word holds Han, kana or Hangul,
 * each run of those is read as its character bigrams instead (a lone
 * character as itself), since those scripts do not space their words and
 * a whole clause would otherwise be one "word".  Each word is hashed
 * once; a shingle's hash combines the hashes of its DEDUP_SHINGLE words,
 * so no shingle is read again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "parsers/words.h"
#include "store/dedup.h"

/*
 * Defaults chosen on the labelled pairs of tests/dupset (DUPSET_SWEEP=1
 * build/rel/tests/test_dupset prints the sweep).  There, copies reach a
 * similarity of 0.35 at the least (those cut shortest, which containment
 * finds too) and different stories 0.36 at the most (follow-ups repeating
 * background paragraphs); 0.40 keeps a margin on the side of precision.
 * With the 64 MinHash values alone the least was 0.36 and the most 0.42,
 * one false match (see dedup_similarity()).  A SimHash distance of 3 finds
 * only 16% of the copies by itself but costs almost nothing; min_shingles
 * 12 means about 14 words.
 */
#define DEFAULT_MAX_DISTANCE	3
#define DEFAULT_MIN_SIMILARITY	0.30
#define DEFAULT_FAR_SIMILARITY	0.40
#define DEFAULT_MIN_SHINGLES	12
/*
 * A teaser-sized text (fewer shingles than this, about 40 words) says too
 * little to tell a copy from a templated item of the same feed ("This is
 * update 41 of ..."): it is a near duplicate only with the same title, or
 * when almost every shingle is shared.
 */
#define TEASER_SHINGLES		40
#define TEASER_SIMILARITY	0.9
/*
 * Containment, from the same pairs (DUPSET_SWEEP=1 prints its sweep too):
 * briefs hold 0.76 of their shingles in the full story at the least (a
 * brief with another outlet's byline and footer), different stories 0.58
 * at the most (a short follow-up, half of it background paragraphs of the
 * other story); the sketch estimates come out at 0.74 and 0.64.  0.70 is
 * between; over 20 hash seeds it made no error on either side.  The
 * shorter text must have 60 shingles (about a paragraph: a teaser framed
 * by share and subscribe lines is mostly frame) and hold a quarter to two
 * thirds of the longer one's: above that, similarity decides as before;
 * below, the shorter is a story inside a digest or a live blog, not a
 * brief of it.
 */
#define DEFAULT_MIN_CONTAINMENT	0.70
#define DEFAULT_CONTAINMENT_SHINGLES 60
#define PART_MIN_NUM	1	/* the shorter >= 1/4 of the longer */
#define PART_MIN_DEN	4
#define PART_MAX_NUM	2	/* the shorter <= 2/3 of the longer */
#define PART_MAX_DEN	3
#define FEW_SAME	4	/* equal MinHash values, see judge() */

/*
 * MinHash bands: pairs of signature values; two stories sharing one
 * whole band become candidates.  Each value is in two bands: values 2b
 * and 2b + 1 make band b, values k and k + 32 band 32 + k.  With 64 bands
 * a pair of similarity J is met with probability 1 - (1 - J^2)^64: 0.98
 * at J = 0.25 (a 30% brief with a few lines of its own), 0.998 at 0.3,
 * 0.006 for unrelated texts (J about 0.01).  32 bands (one pairing) would
 * miss one such brief in ten.
 */
#define BAND_ROWS	2
#define NBANDS		(DEDUP_MINHASH / BAND_ROWS * 2)

#define P1	0x9E3779B185EBCA87ULL
#define P2	0xC2B2AE3D27D4EB4FULL
#define P3	0x165667B19E3779F9ULL
#define P4	0x85EBCA77C2B2AE63ULL
#define P5	0x27D4EB2F165667C5ULL

/* Buckets per table, at most: 2^16 heads of 4 bytes. */
#define TABLE_BITS_MAX	16
#define NO_SLOT		UINT32_MAX

void
dedup_params_default(struct dedup_params *p)
{
	p->max_distance = DEFAULT_MAX_DISTANCE;
	p->min_similarity = DEFAULT_MIN_SIMILARITY;
	p->far_similarity = DEFAULT_FAR_SIMILARITY;
	p->min_shingles = DEFAULT_MIN_SHINGLES;
	p->min_containment = DEFAULT_MIN_CONTAINMENT;
	p->containment_shingles = DEFAULT_CONTAINMENT_SHINGLES;
}

/* Hashing */

static inline uint64_t
rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* MurmurHash3's finaliser: every input bit reaches every output bit. */
static inline uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

static inline uint64_t
read64(const unsigned char *p)
{
	uint64_t	 v = 0;
	int		 i;

	/* Little-endian on every host, so hashes are portable. */
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
dedup_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char	*p = data;
	uint64_t		 h = seed + P5 + (uint64_t)len;
	size_t			 i;

	for (i = 0; i + 8 <= len; i += 8) {
		h ^= rotl64(read64(p + i) * P2, 31) * P1;
		h = rotl64(h, 27) * P1 + P4;
	}
	for (; i < len; i++) {
		h ^= p[i] * P5;
		h = rotl64(h, 11) * P1;
	}
	return fmix64(h);
}

/*
 * Shingle hash from its words' hashes (already well mixed): each word
 * rotated by its position, so order matters, then one finaliser.
 */
static inline uint64_t
shingle_hash(const uint64_t *w, size_t n)
{
	uint64_t	 h = P3 + n;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ rotl64(w[i], (unsigned)(i * 21 % 63) + 1)) * P2;
	return fmix64(h);
}

/* Words */

struct wordhashes {
	uint64_t	*h;
	size_t		 n, cap;
};

static int
wordhashes_add(struct wordhashes *w, uint64_t h)
{
	uint64_t	*p;
	size_t		 ncap;

	if (w->n == w->cap) {
		ncap = w->cap == 0 ? 256 : w->cap * 2;
		if (ncap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(w->h, ncap * sizeof(*p))) == NULL)
			return -1;
		w->h = p;
		w->cap = ncap;
	}
	w->h[w->n++] = h;
	return 0;
}

/*
 * A word's hash: a multiply-xor over its lower-cased code points,
 * finished by fmix64.  word[0..len) is valid UTF-8 (words_next() gives
 * only word characters).
 */
static uint64_t
word_hash(const char *word, size_t len)
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)word;
	const utf8proc_uint8_t	*end = p + len;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	uint64_t		 h = 0;
	size_t			 ncp = 0;

	while (p < end) {
		if (*p < 0x80) {
			/* Letter or digit: | 0x20 lowers one, keeps the other. */
			cp = *p | 0x20;
			n = 1;
		} else if ((n = utf8proc_iterate(p, end - p, &cp)) < 1)
			break;	/* not from words_next() */
		else
			cp = utf8proc_tolower(cp);
		h = (h ^ (uint64_t)cp) * P1;
		ncp++;
		p += n;
	}
	return fmix64(h ^ ncp);
}

static int
add_unit(struct wordhashes *w, size_t max, const utf8proc_uint8_t *p,
    const utf8proc_uint8_t *end)
{
	if (w->n >= max || p == end)
		return 0;
	return wordhashes_add(w, word_hash((const char *)p, (size_t)(end - p)));
}

/*
 * A word with CJK characters: each run of them as its bigrams (a lone
 * one as itself), each run of other characters as a word ("iPhone" in a
 * Japanese sentence).
 */
static int
split_cjk(const char *word, size_t len, size_t max, struct wordhashes *w)
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)word;
	const utf8proc_uint8_t	*end = p + len, *run = p, *prev = NULL;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 ncjk = 0;	/* in the run ending at p */
	int			 rc = 0;

	for (; p < end && rc == 0; p += n) {
		if ((n = utf8proc_iterate(p, end - p, &cp)) < 1)
			break;	/* not from words_next() */
		if (words_is_cjk(cp)) {
			if (ncjk == 0)
				rc = add_unit(w, max, run, p);
			else
				rc = add_unit(w, max, prev, p + n);
			prev = p;
			ncjk++;
			continue;
		}
		if (ncjk == 1)
			rc = add_unit(w, max, prev, p);
		if (ncjk > 0)
			run = p;
		ncjk = 0;
	}
	if (rc == 0 && ncjk == 1)
		rc = add_unit(w, max, prev, p);
	else if (rc == 0 && ncjk == 0)
		rc = add_unit(w, max, run, p);
	return rc;
}

static int
has_cjk(const char *word, size_t len)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 i;

	for (i = 0; i < len; i += (size_t)n) {
		n = 1;
		/* CJK characters are three or four bytes long. */
		if ((unsigned char)word[i] < 0xe0)
			continue;
		if ((n = utf8proc_iterate((const utf8proc_uint8_t *)word + i,
		    (utf8proc_ssize_t)(len - i), &cp)) < 1)
			return 0;
		if (words_is_cjk(cp))
			return 1;
	}
	return 0;
}

/* The hash of every word of s (words_next()), in order, at most max. */
static int
split_words(const char *s, size_t max, struct wordhashes *w)
{
	struct words_iter	 it;
	const char		*word;
	size_t			 len;

	if (s == NULL)
		return 0;
	words_begin(&it, s, strlen(s), 0);
	while (w->n < max && words_next(&it, &word, &len))
		if ((has_cjk(word, len) ? split_cjk(word, len, max, w) :
		    wordhashes_add(w, word_hash(word, len))) == -1)
			return -1;
	return 0;
}

/* The hash of a word sequence, 0 for none (and never 0 otherwise). */
static uint64_t
sequence_hash(const struct wordhashes *w)
{
	uint64_t	 h = P4;
	size_t		 i;

	if (w->n == 0)
		return 0;
	for (i = 0; i < w->n; i++)
		h = fmix64(h ^ w->h[i]) * P1;
	h = fmix64(h ^ w->n);
	return h != 0 ? h : 1;
}

/* Fingerprints */

/*
 * The distinct shingles of a text with their counts: an open-addressing
 * set (0 marks a free cell; a shingle hashing to 0 is taken as 1).
 */
struct shset {
	uint64_t	*key;
	uint32_t	*cnt;
	size_t		 mask;
	size_t		 n;		/* distinct */
};

static int
shset_init(struct shset *set, size_t want)
{
	size_t	 size = 64;

	while (size < want * 2) {
		if (size > SIZE_MAX / 2 / sizeof(uint64_t))
			return -1;
		size *= 2;
	}
	set->key = calloc(size, sizeof(*set->key));
	set->cnt = calloc(size, sizeof(*set->cnt));
	if (set->key == NULL || set->cnt == NULL) {
		free(set->key);
		free(set->cnt);
		return -1;
	}
	set->mask = size - 1;
	set->n = 0;
	return 0;
}

static void
shset_add(struct shset *set, uint64_t h)
{
	size_t	 i;

	if (h == 0)
		h = 1;
	for (i = h & set->mask; set->key[i] != 0 && set->key[i] != h;
	    i = (i + 1) & set->mask)
		;
	if (set->key[i] == 0) {
		set->key[i] = h;
		set->n++;
	}
	if (set->cnt[i] < UINT32_MAX)
		set->cnt[i]++;
}

/* The shingles of a word sequence: DEDUP_SHINGLE words, or all if fewer. */
static int
shingles(const struct wordhashes *w, struct shset *set)
{
	size_t	 i, k;

	k = w->n < DEDUP_SHINGLE ? 1 : w->n - DEDUP_SHINGLE + 1;
	if (shset_init(set, k) == -1)
		return -1;
	if (w->n < DEDUP_SHINGLE)
		shset_add(set, shingle_hash(w->h, w->n));
	else
		for (i = 0; i < k; i++)
			shset_add(set, shingle_hash(w->h + i, DEDUP_SHINGLE));
	return 0;
}

/*
 * Add every bit of h to the per-bit counters, eight at a time: lane b of
 * acc[k] counts bit 8b + k.  A byte lane overflows after 255 additions,
 * so the lanes are emptied into cnt[] before that.
 */
struct bitcount {
	uint64_t	 acc[8];
	uint64_t	 cnt[64];
	unsigned	 pending;
};

static void
bitcount_flush(struct bitcount *bc)
{
	unsigned	 k, b;

	for (k = 0; k < 8; k++) {
		for (b = 0; b < 8; b++)
			bc->cnt[8 * b + k] += (bc->acc[k] >> (8 * b)) & 0xff;
		bc->acc[k] = 0;
	}
	bc->pending = 0;
}

static inline void
bitcount_add(struct bitcount *bc, uint64_t h)
{
	unsigned	 k;

	for (k = 0; k < 8; k++)
		bc->acc[k] += (h >> k) & 0x0101010101010101ULL;
	if (++bc->pending == 255)
		bitcount_flush(bc);
}

/*
 * SimHash: every shingle votes on every bit once per occurrence (weight:
 * its count in the text; measured against 1 + log(count) and against
 * word features, see test_dupset.c), a bit is set when most votes are.
 */
static uint64_t
simhash(const struct shset *set)
{
	struct bitcount	 bc;
	uint64_t	 out = 0, total = 0, h;
	uint32_t	 r;
	size_t		 i;
	unsigned	 j;

	memset(&bc, 0, sizeof(bc));
	for (i = 0; i <= set->mask; i++) {
		if ((h = set->key[i]) == 0)
			continue;
		for (r = 0; r < set->cnt[i]; r++)
			bitcount_add(&bc, h);
		total += set->cnt[i];
	}
	bitcount_flush(&bc);
	for (j = 0; j < 64; j++)
		if (2 * bc.cnt[j] > total)
			out |= 1ULL << j;
	return out;
}

/*
 * The containment sketch: one permutation hashing again, without
 * densification, on bits the MinHash does not use (it takes the top 6 and
 * the low 32): bits 50-57 pick one of 256 bins, bits 42-49 are the value,
 * each bin keeps its smallest (DEDUP_SKETCH_EMPTY: no shingle).  Where the
 * shorter text's smallest value is at most the longer's, the smallest
 * shingle of both texts in that bin is the shorter's, a uniform draw from
 * it; whether the longer has it too, the values being equal, tells its
 * containment (see dedup_containment()).  One byte a bin: two different
 * shingles tie on a value one time in a hundred or so, which makes
 * containment look a little higher, measured as harmless (tests/dupset);
 * 256 bins of one byte did better there than 128 of two.
 */
static inline void
sketch_add(uint8_t sk[DEDUP_SKETCH], uint64_t h)
{
	size_t	 j = (size_t)(h >> 50) & (DEDUP_SKETCH - 1);
	uint8_t	 v = (uint8_t)(h >> 42);

	if (v == DEDUP_SKETCH_EMPTY)
		v--;
	if (v < sk[j])
		sk[j] = v;
}

/*
 * MinHash by one permutation hashing (and the containment sketch in the
 * same pass): the top 6 bits of a shingle's hash
 * pick one of the 64 bins, the low 32 bits are its value, each bin keeps
 * its minimum: one pass instead of 64 hash functions.  Empty bins (short
 * texts) borrow from the next non-empty bin to the right, plus a constant
 * per step, so that two texts agree on a borrowed bin only when they
 * agree on its source (rotation densification, Shrivastava and Li 2014).
 */
static void
minhash(const struct shset *set, uint32_t mh[DEDUP_MINHASH],
    uint8_t sk[DEDUP_SKETCH])
{
	uint64_t	 h;
	uint32_t	 v, orig[DEDUP_MINHASH];
	size_t		 i, j, step;

	for (j = 0; j < DEDUP_MINHASH; j++)
		mh[j] = UINT32_MAX;
	memset(sk, DEDUP_SKETCH_EMPTY, DEDUP_SKETCH);
	/* One pass for both sketches: reading the set is what costs. */
	for (i = 0; i <= set->mask; i++) {
		if ((h = set->key[i]) == 0)
			continue;
		j = (size_t)(h >> 58);
		v = (uint32_t)h;
		if (v < mh[j])
			mh[j] = v;
		sketch_add(sk, h);
	}
	if (set->n == 0)
		return;
	memcpy(orig, mh, sizeof(orig));
	for (j = 0; j < DEDUP_MINHASH; j++) {
		if (orig[j] != UINT32_MAX)
			continue;
		for (step = 1; step < DEDUP_MINHASH; step++)
			if (orig[(j + step) % DEDUP_MINHASH] != UINT32_MAX)
				break;
		mh[j] = orig[(j + step) % DEDUP_MINHASH] +
		    (uint32_t)step * 0x9E3779B9U;
	}
}

/* The fingerprint's sketches of a non-empty word sequence. */
static int
sketch(const struct wordhashes *w, struct dedup_fp *fp)
{
	struct shset	 set;

	if (shingles(w, &set) == -1)
		return -1;
	fp->simhash = simhash(&set);
	minhash(&set, fp->minhash, fp->sketch);
	fp->nshingles = set.n > UINT32_MAX ? UINT32_MAX : (uint32_t)set.n;
	free(set.key);
	free(set.cnt);
	return 0;
}

int
dedup_fingerprint(const char *text, const char *title, struct dedup_fp *fp)
{
	struct wordhashes	 tw = { NULL, 0, 0 }, hw = { NULL, 0, 0 };
	int			 rc = -1;

	memset(fp, 0, sizeof(*fp));
	memset(fp->sketch, DEDUP_SKETCH_EMPTY, sizeof(fp->sketch));
	if (split_words(text, DEDUP_MAX_WORDS, &tw) == -1 ||
	    split_words(title, DEDUP_MAX_WORDS, &hw) == -1)
		goto out_free;
	fp->text_hash = sequence_hash(&tw);
	fp->title_hash = sequence_hash(&hw);
	/*
	 * A story without text is sketched from its title, so an exact
	 * title match still lands in the same index blocks; nshingles stays
	 * 0 so that only the exact hashes can ever match it.
	 */
	if (tw.n > 0 || hw.n > 0) {
		if (sketch(tw.n > 0 ? &tw : &hw, fp) == -1)
			goto out_free;
		if (tw.n == 0)
			fp->nshingles = 0;
	}
	rc = 0;

 out_free:
	free(tw.h);
	free(hw.h);
	return rc;
}

unsigned
dedup_distance(const struct dedup_fp *a, const struct dedup_fp *b)
{
	return (unsigned)__builtin_popcountll(a->simhash ^ b->simhash);
}

/* Is the sketch known?  A known one has a shingle in some bin. */
static int
sketched(const struct dedup_fp *fp)
{
	uint64_t	 w;
	size_t		 i;

	/* Eight bins at a time: this is asked for every candidate. */
	for (i = 0; i < DEDUP_SKETCH; i += sizeof(w)) {
		memcpy(&w, fp->sketch + i, sizeof(w));
		if (w != UINT64_MAX)
			return 1;
	}
	return 0;
}

/*
 * The share of equal MinHash values, pooled with the share of equal
 * sketch bins among those either text fills: 64 draws alone miss the
 * Jaccard similarity by 0.04 (standard deviation on tests/dupset), with
 * the sketch's bins by 0.02.  Fingerprints saved before sketches were
 * kept have only the 64.
 */
double
dedup_similarity(const struct dedup_fp *a, const struct dedup_fp *b)
{
	unsigned	 same = 0, n = DEDUP_MINHASH, i;

	if (a->nshingles == 0 || b->nshingles == 0)
		return a->text_hash != 0 && a->text_hash == b->text_hash;
	for (i = 0; i < DEDUP_MINHASH; i++)
		same += a->minhash[i] == b->minhash[i];
	if (!sketched(a) || !sketched(b))
		return (double)same / n;
	for (i = 0; i < DEDUP_SKETCH; i++) {
		if (a->sketch[i] == DEDUP_SKETCH_EMPTY &&
		    b->sketch[i] == DEDUP_SKETCH_EMPTY)
			continue;
		n++;
		same += a->sketch[i] == b->sketch[i];
	}
	return (double)same / n;
}

/*
 * Over the bins where the shorter text s has a shingle: those where its
 * smallest is at most the longer one's are a sample of s (the smallest
 * of both texts there is s's), and those where the two are equal the part
 * of it that the longer text has too.
 */
double
dedup_containment(const struct dedup_fp *a, const struct dedup_fp *b)
{
	const struct dedup_fp	*s = a, *l = b;
	unsigned		 drawn = 0, shared = 0, i;

	if (a->nshingles == 0 || b->nshingles == 0)
		return 0;
	if (b->nshingles < a->nshingles) {
		s = b;
		l = a;
	}
	for (i = 0; i < DEDUP_SKETCH; i++) {
		if (s->sketch[i] == DEDUP_SKETCH_EMPTY ||
		    s->sketch[i] > l->sketch[i])
			continue;
		drawn++;
		shared += s->sketch[i] == l->sketch[i];
	}
	/* An unknown sketch is all empty: no draw, or none shared. */
	return drawn == 0 ? 0 : (double)shared / drawn;
}

/* Is the shorter of a and b a part of the longer (see dedup.h)? */
static int
is_part(const struct dedup_params *p, const struct dedup_fp *a,
    const struct dedup_fp *b)
{
	uint64_t	 s = a->nshingles, l = b->nshingles;

	if (s > l) {
		s = b->nshingles;
		l = a->nshingles;
	}
	if (p->min_containment > 1.0 || s < p->containment_shingles ||
	    s * PART_MIN_DEN < l * PART_MIN_NUM ||
	    s * PART_MAX_DEN > l * PART_MAX_NUM)
		return 0;
	return dedup_containment(a, b) >= p->min_containment;
}

/*
 * The decision, reading no more than it needs: *s is the similarity when
 * it was computed, -1 when not.
 */
static enum dedup_verdict
judge(const struct dedup_params *p, const struct dedup_fp *a,
    const struct dedup_fp *b, unsigned d, double *s)
{
	unsigned	 same = 0, i;

	*s = -1;
	if (a->text_hash != 0 && a->text_hash == b->text_hash)
		return DEDUP_SAME_TEXT;
	if (a->text_hash == 0 && b->text_hash == 0 && a->title_hash != 0 &&
	    a->title_hash == b->title_hash)
		return DEDUP_SAME_TITLE;
	/* Too short to tell a rewrite from another story on the topic. */
	if (a->nshingles < p->min_shingles || b->nshingles < p->min_shingles)
		return DEDUP_DISTINCT;
	/*
	 * Most candidates share one band and little else: with fewer than
	 * FEW_SAME equal values of 64 their sketches need not be read.  A
	 * part at the thresholds (Jaccard 0.16) falls below that three times
	 * in a thousand, a near copy (0.3) never.
	 */
	for (i = 0; i < DEDUP_MINHASH; i++)
		same += a->minhash[i] == b->minhash[i];
	if (same < FEW_SAME)
		return DEDUP_DISTINCT;
	*s = dedup_similarity(a, b);
	/* Before similarity: a brief is a part even when near enough. */
	if (is_part(p, a, b))
		return a->nshingles < b->nshingles ? DEDUP_CONTAINED :
		    DEDUP_CONTAINS;
	if (*s < p->min_similarity)
		return DEDUP_DISTINCT;
	if ((a->nshingles < TEASER_SHINGLES || b->nshingles < TEASER_SHINGLES) &&
	    a->title_hash != b->title_hash && *s < TEASER_SIMILARITY)
		return DEDUP_DISTINCT;
	if (d <= p->max_distance || *s >= p->far_similarity)
		return DEDUP_NEAR;
	return DEDUP_DISTINCT;
}

enum dedup_verdict
dedup_compare(const struct dedup_params *p, const struct dedup_fp *a,
    const struct dedup_fp *b, unsigned *distance, double *similarity)
{
	unsigned		 d = dedup_distance(a, b);
	double			 s;
	enum dedup_verdict	 v = judge(p, a, b, d, &s);

	if (distance != NULL)
		*distance = d;
	if (similarity != NULL)
		*similarity = s >= 0 ? s : dedup_similarity(a, b);
	return v;
}

const char *
dedup_verdict_name(enum dedup_verdict v)
{
	switch (v) {
	case DEDUP_NEAR:
		return "near";
	case DEDUP_SAME_TEXT:
		return "same-text";
	case DEDUP_SAME_TITLE:
		return "same-title";
	case DEDUP_CONTAINED:
		return "contained";
	case DEDUP_CONTAINS:
		return "contains";
	case DEDUP_DISTINCT:
		break;
	}
	return "distinct";
}

/* The index */

/*
 * A story: its fingerprint as given but the containment sketch, which is
 * in x->sk[slot] or, with a loader, out of memory (read only for the
 * candidates that get that far, see consider()).  The id is kept without
 * its NUL (padded with NULs when shorter): "" marks a free slot, whose
 * t[0].next link chains the free slots.
 */
struct entry {
	uint64_t	 simhash;
	uint64_t	 text_hash;
	uint64_t	 title_hash;
	int64_t		 time;
	uint32_t	 nshingles;
	char		 id[DEDUP_ID_LEN];
	uint32_t	 minhash[DEDUP_MINHASH];
};

/*
 * One table per block: heads[bucket] starts a chain of slots through
 * next[slot].  A block wider than TABLE_BITS_MAX is folded into that many
 * bits, so a chain may hold other block values: every candidate's distance
 * is checked anyway.
 */
struct table {
	unsigned	 shift;		/* the block's lowest bit */
	unsigned	 width;		/* its bits */
	unsigned	 bits;		/* log2 of the bucket count */
	uint32_t	*heads;
	uint32_t	*next;		/* one per slot */
};

/*
 * The bands: per band, an open-addressing table of ngroups groups, a
 * group being a cache line of GROUP_CELLS cells.  A story goes into the
 * first free cell from the group its band key's hash picks; cell 0 of a
 * group says that an insert once found it full and went on, so a lookup
 * reads the groups from that one on while they say so: one cache line a
 * band, mostly, even seven eighths full (linear probing cell by cell reads
 * nine cells at three quarters, measured, and became the lookup's cost).
 * A cell holds a story's slot and, above it, CELL_TAG_BITS of its key's
 * hash, so that a lookup reads a story's entry only when the tags agree
 * (one time in 256 otherwise).  Chains, as for the SimHash tables, cost
 * three cache misses per story on them, for 64 bands too much.
 *
 * The cells are most of the index's memory (64 a story), so the tables
 * grow by a quarter, not twice (any number of groups: the hash's low 32
 * bits are scaled to it), one band at a time: growing holds the old and
 * the new cells of one band at once, not of all 64.
 */
#define CELL_SLOT_BITS	24
#define CELL_TAG_BITS	(32 - CELL_SLOT_BITS)
#define CELL_SLOT_MASK	((1U << CELL_SLOT_BITS) - 1)
#define CELL_FREE	UINT32_MAX	/* its slot part is no slot */
#define GROUP_CELLS	16		/* 64 bytes: cell 0 the flag */
#define GROUP_LINE	(GROUP_CELLS * sizeof(uint32_t))
#define GROUPS_MIN	64
/* From this many groups a band grows by a quarter, not twice. */
#define GROUPS_STEADY	4096
/* Slots, at most: below CELL_SLOT_MASK, so that no cell is CELL_FREE. */
#define SLOTS_MAX	((size_t)1 << 23)

struct band {
	uint32_t	*cells;		/* ngroups groups */
	size_t		 ngroups;	/* 0 before the first story */
};

struct dedup_index {
	struct dedup_params	 params;
	struct entry		*e;
	uint8_t			(*sk)[DEDUP_SKETCH]; /* NULL with a loader */
	int			(*load_sketch)(void *, const char *,
				    uint8_t [DEDUP_SKETCH]);
	void			*load_arg;
	size_t			 nslots;	/* used or free */
	size_t			 cap;
	size_t			 count;		/* used */
	uint32_t		 freehead;	/* NO_SLOT: none free */
	unsigned		 ntables;
	struct table		 t[DEDUP_MAX_DISTANCE + 1];
	unsigned		 nbands;	/* 0 or NBANDS */
	struct band		 band[NBANDS];
	size_t			 ngroups;	/* of the smallest band, or 0 */
	size_t			 nbanded;	/* stories in them */
};

static inline uint64_t
band_key(const uint32_t *mh, unsigned band)
{
	unsigned	 half = DEDUP_MINHASH / 2;

	if (band < half)
		return (uint64_t)mh[band * BAND_ROWS] << 32 |
		    mh[band * BAND_ROWS + 1];
	return (uint64_t)mh[band - half] << 32 | mh[band];
}

/* The key's hash: its low bits pick the group, its top bits the tag. */
static inline uint64_t
band_hash(uint64_t key)
{
	return fmix64(key ^ P3);
}

static inline uint32_t
cell_tag(uint64_t h)
{
	return (uint32_t)(h >> (64 - CELL_TAG_BITS)) << CELL_SLOT_BITS;
}

/* The first group for hash h in a table of n groups. */
static inline size_t
group_of(uint64_t h, size_t n)
{
	return (size_t)(((h & UINT32_MAX) * (uint64_t)n) >> 32);
}

static inline size_t
group_next(size_t g, size_t n)
{
	return g + 1 == n ? 0 : g + 1;
}

static inline uint32_t *
band_group(const struct band *bd, size_t g)
{
	return bd->cells + g * GROUP_CELLS;
}

/* Stories too short for a near match are only in the SimHash tables. */
static int
banded(const struct dedup_index *x, uint32_t nshingles)
{
	return x->nbands > 0 && nshingles >= x->params.min_shingles;
}

static int
slot_used(const struct dedup_index *x, size_t slot)
{
	return x->e[slot].id[0] != '\0';
}

static inline uint64_t
block_of(const struct table *t, uint64_t sim)
{
	uint64_t	 mask;

	mask = t->width >= 64 ? UINT64_MAX : (1ULL << t->width) - 1;
	return (sim >> t->shift) & mask;
}

static inline uint32_t
bucket_of(const struct table *t, uint64_t sim)
{
	uint64_t	 v = block_of(t, sim);

	if (t->width <= t->bits)
		return (uint32_t)v;
	return (uint32_t)((v * P1) >> (64 - t->bits));
}

struct dedup_index *
dedup_new(const struct dedup_params *p)
{
	struct dedup_index	*x;
	struct table		*t;
	unsigned		 i, shift = 0, width;
	size_t			 nb;

	if (p->max_distance > DEDUP_MAX_DISTANCE)
		return NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->params = *p;
	x->freehead = NO_SLOT;
	x->ntables = p->max_distance + 1;
	for (i = 0; i < x->ntables; i++) {
		t = &x->t[i];
		/* The first 64 % ntables blocks get one bit more. */
		width = 64 / x->ntables + (i < 64 % x->ntables);
		t->shift = shift;
		t->width = width;
		t->bits = width < TABLE_BITS_MAX ? width : TABLE_BITS_MAX;
		shift += width;
		nb = (size_t)1 << t->bits;
		if ((t->heads = malloc(nb * sizeof(*t->heads))) == NULL)
			goto out_free;
		memset(t->heads, 0xff, nb * sizeof(*t->heads));
	}
	/*
	 * No bands when distance alone may decide (far_similarity > 1 and
	 * no containment); their cells come with the first story.
	 */
	x->nbands = p->far_similarity <= 1.0 || p->min_containment <= 1.0 ?
	    NBANDS : 0;
	return x;

 out_free:
	dedup_free(x);
	return NULL;
}

int
dedup_sketches_from(struct dedup_index *x,
    int (*load)(void *, const char *, uint8_t [DEDUP_SKETCH]), void *arg)
{
	if (x->nslots > 0)
		return -1;
	free(x->sk);
	x->sk = NULL;
	x->cap = 0;
	x->load_sketch = load;
	x->load_arg = arg;
	return 0;
}

void
dedup_free(struct dedup_index *x)
{
	unsigned	 i;

	if (x == NULL)
		return;
	for (i = 0; i < x->ntables; i++) {
		free(x->t[i].heads);
		free(x->t[i].next);
	}
	for (i = 0; i < x->nbands; i++)
		free(x->band[i].cells);
	free(x->e);
	free(x->sk);
	free(x);
}

/* Put slot into band b, at the first free cell from its group on. */
static void
band_link(struct band *bd, unsigned b, const uint32_t *mh, uint32_t slot)
{
	uint32_t	*c;
	uint64_t	 h = band_hash(band_key(mh, b));
	size_t		 g, k;

	for (g = group_of(h, bd->ngroups);; g = group_next(g, bd->ngroups)) {
		c = band_group(bd, g);
		for (k = 1; k < GROUP_CELLS && c[k] != CELL_FREE; k++)
			;
		if (k < GROUP_CELLS) {
			c[k] = cell_tag(h) | slot;
			return;
		}
		c[0] = 1;
	}
}

/*
 * Band b with n groups: new cells, every banded story linked again (which
 * also forgets the flags of groups no longer full), then the old ones go.
 */
static int
band_resize(struct dedup_index *x, unsigned b, size_t n)
{
	struct band	*bd = &x->band[b], nb;
	size_t		 g, slot;

	/* A group on one cache line: what a lookup reads, once. */
	if ((nb.cells = aligned_alloc(GROUP_LINE, n * GROUP_LINE)) == NULL)
		return -1;
	nb.ngroups = n;
	memset(nb.cells, 0xff, n * GROUP_LINE);
	for (g = 0; g < n; g++)
		nb.cells[g * GROUP_CELLS] = 0;	/* no group overflowed */
	for (slot = 0; slot < x->nslots; slot++)
		if (slot_used(x, slot) && banded(x, x->e[slot].nshingles))
			band_link(&nb, b, x->e[slot].minhash,
			    (uint32_t)slot);
	free(bd->cells);
	*bd = nb;
	return 0;
}

/*
 * Room in the bands for one more story, at most seven eighths full:
 * twice the groups in every band while they are small (a first poll adds
 * thousands of stories at once, and each growth links every story again),
 * a quarter more from GROUPS_STEADY on, where memory counts more.  When
 * one cannot grow, those grown already stay so (each band is read at its
 * own size) and the story is not added.
 */
static int
bands_room(struct dedup_index *x)
{
	size_t		 n, old = x->ngroups;
	unsigned	 b;

	if ((x->nbanded + 1) * 8 <= old * (GROUP_CELLS - 1) * 7)
		return 0;
	if (old < GROUPS_MIN)
		n = GROUPS_MIN;
	else
		n = old < GROUPS_STEADY ? old * 2 : old + old / 4;
	if (n > SIZE_MAX / GROUP_LINE)
		return -1;
	for (b = 0; b < x->nbands; b++)
		if (x->band[b].ngroups < n && band_resize(x, b, n) == -1)
			return -1;
	x->ngroups = n;
	return 0;
}

/* Take slot out of every band (the flags stay: lookups read on). */
static void
bands_unlink(struct dedup_index *x, uint32_t slot)
{
	const struct band	*bd;
	uint32_t		*c, cell;
	uint64_t		 h;
	size_t			 g, k;
	unsigned		 b;

	for (b = 0; b < x->nbands; b++) {
		bd = &x->band[b];
		h = band_hash(band_key(x->e[slot].minhash, b));
		cell = cell_tag(h) | slot;
		for (g = group_of(h, bd->ngroups);;
		    g = group_next(g, bd->ngroups)) {
			c = band_group(bd, g);
			for (k = 1; k < GROUP_CELLS && c[k] != cell; k++)
				;
			if (k < GROUP_CELLS) {
				c[k] = CELL_FREE;
				break;
			}
			if (c[0] == 0)
				break;	/* not there: cannot happen */
		}
	}
}

/*
 * Room for one more slot: the entries and every next array, an eighth
 * more (realloc moves large blocks by remapping them, so growing less at
 * a time costs little, and leaves less unused).
 */
static int
grow(struct dedup_index *x)
{
	struct entry	*e;
	uint8_t		(*sk)[DEDUP_SKETCH];
	uint32_t	*p;
	size_t		 ncap;
	unsigned	 i;

	if (x->nslots < x->cap)
		return 0;
	ncap = x->cap < 1024 ? 1024 : x->cap + x->cap / 8;
	if (ncap > SLOTS_MAX)
		ncap = SLOTS_MAX;
	if (ncap <= x->cap || ncap > SIZE_MAX / sizeof(*e) ||
	    ncap > SIZE_MAX / DEDUP_SKETCH)
		return -1;
	if ((e = realloc(x->e, ncap * sizeof(*e))) == NULL)
		return -1;
	x->e = e;
	for (i = 0; i < x->ntables; i++) {
		if ((p = realloc(x->t[i].next, ncap * sizeof(*p))) == NULL)
			return -1;
		x->t[i].next = p;
	}
	if (x->load_sketch == NULL) {
		if ((sk = realloc(x->sk, ncap * sizeof(*sk))) == NULL)
			return -1;
		x->sk = sk;
	}
	x->cap = ncap;
	return 0;
}

int
dedup_add(struct dedup_index *x, const char *id, int64_t time,
    const struct dedup_fp *fp)
{
	struct entry	*e;
	struct table	*t;
	size_t		 idlen = strlen(id);
	uint32_t	 slot, b;
	unsigned	 i;

	if (idlen == 0 || idlen > DEDUP_ID_LEN)
		return -1;
	if (banded(x, fp->nshingles) && bands_room(x) == -1)
		return -1;
	if (x->freehead != NO_SLOT) {
		slot = x->freehead;
		x->freehead = x->t[0].next[slot];
	} else {
		if (grow(x) == -1)
			return -1;
		slot = (uint32_t)x->nslots++;
	}
	e = &x->e[slot];
	e->simhash = fp->simhash;
	e->text_hash = fp->text_hash;
	e->title_hash = fp->title_hash;
	e->nshingles = fp->nshingles;
	memcpy(e->minhash, fp->minhash, sizeof(e->minhash));
	if (x->sk != NULL)
		memcpy(x->sk[slot], fp->sketch, DEDUP_SKETCH);
	e->time = time;
	memset(e->id, 0, sizeof(e->id));
	memcpy(e->id, id, idlen);
	for (i = 0; i < x->ntables; i++) {
		t = &x->t[i];
		b = bucket_of(t, fp->simhash);
		t->next[slot] = t->heads[b];
		t->heads[b] = slot;
	}
	if (banded(x, fp->nshingles)) {
		for (i = 0; i < x->nbands; i++)
			band_link(&x->band[i], i, fp->minhash, slot);
		x->nbanded++;
	}
	x->count++;
	return 0;
}

/* Was this candidate already met through an earlier table? */
static int
seen_before(const struct dedup_index *x, unsigned table, uint64_t a,
    uint64_t b)
{
	unsigned	 i;

	for (i = 0; i < table; i++)
		if (block_of(&x->t[i], a) == block_of(&x->t[i], b))
			return 1;
	return 0;
}

static int
is_exact(enum dedup_verdict v)
{
	return v == DEDUP_SAME_TEXT || v == DEDUP_SAME_TITLE;
}

/* Is m (verdict v, distance d, similarity s) better than best? */
static int
better(const struct dedup_match *best, int have, enum dedup_verdict v,
    unsigned d, double s, int64_t time)
{
	if (!have)
		return 1;
	if (is_exact(v) != is_exact(best->verdict))
		return is_exact(v);
	if (s != best->similarity)
		return s > best->similarity;
	if (d != best->distance)
		return d < best->distance;
	return time < best->time;
}

/* A lookup: the query, the best match so far and its entry. */
struct search {
	const struct dedup_fp	*fp;
	struct dedup_match	*out;
	const struct entry	*best;		/* NULL: none yet */
	struct dedup_fp		 bestfp;	/* its fingerprint */
	struct dedup_fp		 cand;		/* the candidate's */
};

/*
 * Would judge() find a and the story of e distinct before it reads a
 * sketch?  Most candidates are (they share a band and little else), and
 * need not have their sketch read, from memory or from the loader.
 */
static int
distinct_unsketched(const struct dedup_params *p, const struct dedup_fp *a,
    const struct entry *e)
{
	unsigned	 same = 0, i;

	if (a->text_hash != 0 && a->text_hash == e->text_hash)
		return 0;
	if (a->text_hash == 0 && e->text_hash == 0 && a->title_hash != 0 &&
	    a->title_hash == e->title_hash)
		return 0;
	if (a->nshingles < p->min_shingles || e->nshingles < p->min_shingles)
		return 1;
	for (i = 0; i < DEDUP_MINHASH; i++)
		same += a->minhash[i] == e->minhash[i];
	return same < FEW_SAME;
}

/* The whole fingerprint of e's story; its sketch unknown if not had. */
static void
entry_fp(const struct dedup_index *x, const struct entry *e,
    struct dedup_fp *fp)
{
	char	 id[DEDUP_ID_LEN + 1];

	fp->simhash = e->simhash;
	fp->text_hash = e->text_hash;
	fp->title_hash = e->title_hash;
	fp->nshingles = e->nshingles;
	memcpy(fp->minhash, e->minhash, sizeof(fp->minhash));
	if (x->sk != NULL) {
		memcpy(fp->sketch, x->sk[e - x->e], DEDUP_SKETCH);
		return;
	}
	memcpy(id, e->id, DEDUP_ID_LEN);
	id[DEDUP_ID_LEN] = '\0';
	if (x->load_sketch(x->load_arg, id, fp->sketch) == -1)
		memset(fp->sketch, DEDUP_SKETCH_EMPTY, DEDUP_SKETCH);
}

static void
consider(struct dedup_index *x, const struct entry *e, struct search *q)
{
	struct dedup_match	*out = q->out;
	struct dedup_fp		*c = &q->cand;
	enum dedup_verdict	 v;
	unsigned		 d;
	double			 s;

	if (distinct_unsketched(&x->params, q->fp, e))
		return;
	entry_fp(x, e, c);
	d = dedup_distance(q->fp, c);
	if ((v = judge(&x->params, q->fp, c, d, &s)) == DEDUP_DISTINCT)
		return;
	if (s < 0)
		s = dedup_similarity(q->fp, c);
	if (!better(out, q->best != NULL, v, d, s, e->time))
		return;
	q->best = e;
	q->bestfp = *c;
	memcpy(out->id, e->id, DEDUP_ID_LEN);
	out->id[DEDUP_ID_LEN] = '\0';
	out->time = e->time;
	out->distance = d;
	out->similarity = s;
	out->verdict = v;
}

/* Was this candidate already met through an earlier band? */
static int
band_seen_before(unsigned band, const uint32_t *a, const uint32_t *b)
{
	unsigned	 i;

	for (i = 0; i < band; i++)
		if (band_key(a, i) == band_key(b, i))
			return 1;
	return 0;
}

/*
 * Candidates sharing a MinHash band: the far ones, whose SimHash the
 * tables cannot reach.  Near ones were considered already.
 */
static void
find_banded(struct dedup_index *x, struct search *q)
{
	const struct dedup_fp	*fp = q->fp;
	const struct entry	*e;
	const struct band	*bd;
	const uint32_t		*c;
	uint64_t		 key, h, hs[NBANDS];
	uint32_t		 tag;
	size_t			 g, k;
	unsigned		 b;

	if (x->ngroups == 0)
		return;
	/*
	 * Every band's group is a cache miss of its own: ask for all of
	 * them first, so that they overlap (twice as fast, measured).
	 */
	for (b = 0; b < x->nbands; b++) {
		hs[b] = band_hash(band_key(fp->minhash, b));
		bd = &x->band[b];
		__builtin_prefetch(band_group(bd, group_of(hs[b], bd->ngroups)));
	}
	for (b = 0; b < x->nbands; b++) {
		bd = &x->band[b];
		key = band_key(fp->minhash, b);
		h = hs[b];
		tag = cell_tag(h);
		for (g = group_of(h, bd->ngroups);;
		    g = group_next(g, bd->ngroups)) {
			c = band_group(bd, g);
			for (k = 1; k < GROUP_CELLS; k++) {
				if (c[k] == CELL_FREE ||
				    (c[k] & ~CELL_SLOT_MASK) != tag)
					continue;
				e = &x->e[c[k] & CELL_SLOT_MASK];
				if (band_key(e->minhash, b) != key ||
				    (unsigned)__builtin_popcountll(e->simhash ^
				    fp->simhash) <= x->params.max_distance ||
				    band_seen_before(b, e->minhash,
				    fp->minhash))
					continue;
				consider(x, e, q);
			}
			if (c[0] == 0)
				break;
		}
	}
}

int
dedup_find(struct dedup_index *x, const struct dedup_fp *fp,
    struct dedup_match *out)
{
	struct search		 q;
	const struct table	*t;
	const struct entry	*e;
	uint64_t		 qb;
	uint32_t		 slot;
	unsigned		 i;

	memset(out, 0, sizeof(*out));
	q.fp = fp;
	q.out = out;
	q.best = NULL;
	for (i = 0; i < x->ntables; i++) {
		t = &x->t[i];
		qb = block_of(t, fp->simhash);
		for (slot = t->heads[bucket_of(t, fp->simhash)];
		    slot != NO_SLOT; slot = t->next[slot]) {
			e = &x->e[slot];
			/* Cheap filters before the whole comparison. */
			if (block_of(t, e->simhash) != qb ||
			    seen_before(x, i, e->simhash, fp->simhash) ||
			    (unsigned)__builtin_popcountll(e->simhash ^
			    fp->simhash) > x->params.max_distance)
				continue;
			consider(x, e, &q);
		}
	}
	if (banded(x, fp->nshingles))
		find_banded(x, &q);
	if (q.best == NULL)
		return 0;
	/* For the best only: candidates may be many, and it is 256 bins. */
	out->containment = dedup_containment(fp, &q.bestfp);
	return 1;
}

/* Unlink slot from every table: chains are short, walk them. */
static void
unlink_slot(struct dedup_index *x, uint32_t slot)
{
	struct table	*t;
	uint32_t	*pp;
	unsigned	 i;

	for (i = 0; i < x->ntables; i++) {
		t = &x->t[i];
		pp = &t->heads[bucket_of(t, x->e[slot].simhash)];
		while (*pp != NO_SLOT && *pp != slot)
			pp = &t->next[*pp];
		if (*pp == slot)
			*pp = t->next[slot];
	}
	if (banded(x, x->e[slot].nshingles)) {
		bands_unlink(x, slot);
		x->nbanded--;
	}
}

size_t
dedup_expire(struct dedup_index *x, int64_t before)
{
	size_t		 i, gone = 0;

	for (i = 0; i < x->nslots; i++) {
		if (x->e[i].id[0] == '\0' || x->e[i].time >= before)
			continue;
		unlink_slot(x, (uint32_t)i);
		x->e[i].id[0] = '\0';
		x->t[0].next[i] = x->freehead;
		x->freehead = (uint32_t)i;
		x->count--;
		gone++;
	}
	return gone;
}

size_t
dedup_count(const struct dedup_index *x)
{
	return x->count;
}

size_t
dedup_memory(const struct dedup_index *x)
{
	size_t		 n = sizeof(*x);
	unsigned	 i;

	n += x->cap * sizeof(*x->e);
	if (x->sk != NULL)
		n += x->cap * DEDUP_SKETCH;
	for (i = 0; i < x->ntables; i++)
		n += ((size_t)1 << x->t[i].bits) * sizeof(uint32_t) +
		    x->cap * sizeof(uint32_t);
	for (i = 0; i < x->nbands; i++)
		n += x->band[i].ngroups * GROUP_LINE;
	return n;
}
