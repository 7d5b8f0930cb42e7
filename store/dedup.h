/*
 * dedup: fingerprints of story texts and an index of recent ones, to find
 * a story already seen under another URL, feed or headline.
 *
 * A fingerprint holds five things about a story's normalised text:
 * - a 64-bit SimHash of its word shingles (3 lower-cased words, weighted
 *   by their count; in Chinese, Japanese and Korean text a "word" is a
 *   character bigram), near for near texts, so that candidates can be
 *   found by Hamming distance;
 * - a MinHash signature of the shingle set (DEDUP_MINHASH values, one
 *   permutation hashing), whose share of equal values estimates the
 *   Jaccard similarity of two texts: the measure that confirms;
 * - a containment sketch (DEDUP_SKETCH bins of one byte, the smallest
 *   shingle of each bin or none), from which the share of the shorter
 *   text's shingles found in the longer one is estimated: a brief inside
 *   its full story, which Jaccard similarity misses;
 * - a hash of the text's word sequence (exact duplicates: case, spacing
 *   and punctuation do not count) and one of the title's, used when
 *   neither story has a text.
 *
 * The index finds, for a new fingerprint, the most similar story within
 * max_distance bits using permuted tables: the 64 bits are cut into
 * max_distance + 1 blocks, and two fingerprints that differ in at most
 * max_distance bits agree on at least one whole block, so only the stories
 * sharing one block value with the query are checked.  Stories further
 * away are found through MinHash bands (LSH): 64 bands of 2 values (each
 * value in two bands), a story sharing one band with the query is a
 * candidate.
 */
#ifndef FEEDSPOOL_DEDUP_H
#define FEEDSPOOL_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define DEDUP_MINHASH		64	/* signature values */
#define DEDUP_SKETCH		256	/* containment sketch bins */
#define DEDUP_SKETCH_EMPTY	0xff	/* a bin without shingles */
#define DEDUP_SHINGLE		3	/* words per shingle */
#define DEDUP_MAX_DISTANCE	15	/* largest max_distance an index takes */
#define DEDUP_ID_LEN		16	/* longest story id kept */

struct dedup_fp {
	uint64_t	 simhash;
	uint64_t	 text_hash;	/* 0: no text */
	uint64_t	 title_hash;	/* 0: no title */
	uint32_t	 nshingles;	/* distinct shingles of the text */
	uint32_t	 minhash[DEDUP_MINHASH];
	/* Every bin DEDUP_SKETCH_EMPTY: not known (older fingerprints). */
	uint8_t		 sketch[DEDUP_SKETCH];
};

/*
 * Two stories (long enough, see min_shingles) are near duplicates when
 * their similarity is at least min_similarity and either their SimHash
 * distance is at most max_distance or their similarity reaches
 * far_similarity.  The second way exists because a 64-bit SimHash moves
 * by 10-20 bits when a quarter of a story is cut (measured), too far for
 * the permuted tables; such candidates are found through bands of the
 * MinHash signature instead.  far_similarity above 1 turns that off.
 *
 * A third way is containment: when the shorter text has at least
 * containment_shingles and holds a quarter to two thirds of the longer
 * one's, and at least min_containment of its shingles are in the longer
 * one, it is a part of it (a brief, the earlier text of an update): the
 * verdict says which way round.  min_containment above 1 turns that off.
 */
struct dedup_params {
	unsigned	 max_distance;	/* SimHash bits that may differ */
	double		 min_similarity; /* MinHash Jaccard estimate, 0..1 */
	double		 far_similarity; /* the same, whatever the distance */
	/*
	 * Texts with fewer distinct shingles than this are too short for
	 * near-duplicate judgement: only the exact hashes decide.
	 */
	unsigned	 min_shingles;
	double		 min_containment; /* sketch estimate, 0..1 */
	unsigned	 containment_shingles;
};

enum dedup_verdict {
	DEDUP_DISTINCT,
	DEDUP_NEAR,		/* within max_distance and min_similarity */
	DEDUP_SAME_TEXT,	/* the same words in the same order */
	DEDUP_SAME_TITLE,	/* no text on either side, the same title */
	DEDUP_CONTAINED,	/* the first story is a part of the second */
	DEDUP_CONTAINS		/* the second is a part of the first */
};

struct dedup_match {
	char			 id[DEDUP_ID_LEN + 1];
	int64_t			 time;
	unsigned		 distance;
	double			 similarity;
	double			 containment;
	enum dedup_verdict	 verdict;	/* the query's to this story */
};

struct dedup_index;

/* The measured defaults: see tests/unit/test_dupset.c. */
void	 dedup_params_default(struct dedup_params *);

/* A 64-bit hash of a byte string (xxHash64-like; not cryptographic). */
uint64_t dedup_hash64(const void *, size_t, uint64_t seed);

/*
 * Fingerprint a story: text (plain UTF-8, may be NULL or empty) and title
 * (may be NULL).  Only the first DEDUP_MAX_WORDS words of the text count.
 * Returns 0, or -1 when out of memory.
 */
#define DEDUP_MAX_WORDS		50000
int	 dedup_fingerprint(const char *text, const char *title,
	    struct dedup_fp *);

unsigned dedup_distance(const struct dedup_fp *, const struct dedup_fp *);
double	 dedup_similarity(const struct dedup_fp *, const struct dedup_fp *);
/*
 * The share of the shorter text's shingles found in the longer one (the
 * first when both are as long), estimated from the sketches; 0 when a
 * sketch is not known.
 */
double	 dedup_containment(const struct dedup_fp *, const struct dedup_fp *);
/* The decision for two stories; distance and similarity may be NULL. */
enum dedup_verdict dedup_compare(const struct dedup_params *,
	    const struct dedup_fp *, const struct dedup_fp *,
	    unsigned *distance, double *similarity);
const char *dedup_verdict_name(enum dedup_verdict);

/*
 * The index.  dedup_new() fails (NULL) when out of memory or when
 * params->max_distance is above DEDUP_MAX_DISTANCE; the parameters are
 * copied.
 */
struct dedup_index *dedup_new(const struct dedup_params *);
void	 dedup_free(struct dedup_index *);
/*
 * Keep the containment sketches out of memory (DEDUP_SKETCH of the
 * index's some 950 bytes a story): load(arg, id, sketch) is asked for an
 * indexed story's sketch when a decision needs it (an exact match, or a
 * candidate long enough that shares a few MinHash values: a few a
 * lookup), and returns 0, or -1 when it has none: the sketch is then
 * unknown, as for fingerprints saved before sketches.  Decisions are
 * those of an index holding the sketches given to dedup_add() as long as
 * load gives the same bytes.  Only before the first dedup_add(): returns
 * 0, or -1 when stories were added.
 */
int	 dedup_sketches_from(struct dedup_index *,
	    int (*load)(void *, const char *id, uint8_t sketch[DEDUP_SKETCH]),
	    void *arg);
/*
 * id: at most DEDUP_ID_LEN bytes.  Returns 0, or -1 (memory, bad id, or
 * 2^23 stories in the index already).
 */
int	 dedup_add(struct dedup_index *, const char *id, int64_t time,
	    const struct dedup_fp *);
/*
 * The best match for fp: exact matches first, then the highest
 * similarity, then the smallest distance, then the oldest.  Returns 1 and
 * fills *out, or 0 when no story in the index is a duplicate.
 */
int	 dedup_find(struct dedup_index *, const struct dedup_fp *,
	    struct dedup_match *out);
/* Drop every story older than before; returns how many went. */
size_t	 dedup_expire(struct dedup_index *, int64_t before);
size_t	 dedup_count(const struct dedup_index *);
/* Bytes held by the index, its fixed tables included. */
size_t	 dedup_memory(const struct dedup_index *);

#endif
