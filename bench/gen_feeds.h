/*
 * gen_feeds: a deterministic corpus of synthetic feeds for the benchmarks.
 *
 * Feed number i of a corpus depends only on (seed, i): the same seed gives
 * the same bytes on every machine and every run (a fixed PRNG, no time, no
 * libc rand()).  The mix is RSS 2.0 with content:encoded in CDATA (half),
 * Atom 1.0 with escaped HTML (three in ten) and RSS 1.0/RDF (two in ten),
 * 5 to 50 items each with bodies of 200 bytes to 5 KB, entities, relative
 * links in the HTML and the date forms each format uses.
 */
#ifndef FEEDSPOOL_GEN_FEEDS_H
#define FEEDSPOOL_GEN_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/buf.h"

#define GEN_SEED	UINT64_C(0x66656564)	/* "feed" */

struct gen_corpus {
	char	**docs;
	size_t	 *lens;
	size_t	  n;
	size_t	  bytes;	/* sum of lens */
	size_t	  items;	/* items in all the feeds */
};

/* splitmix64: a good 64-bit generator with a one-word state, no libc rand(). */
struct gen_rng {
	uint64_t	 s;
};

uint64_t gen_rng_next(struct gen_rng *);
/* Uniform in [lo, hi]; the modulo bias is irrelevant here. */
size_t	 gen_rng_range(struct gen_rng *, size_t lo, size_t hi);

/*
 * Feed number i into b (reset first); *nitems is how many items it holds.
 * Returns BUF_OK or a buf error.
 */
int	 gen_feed(struct buf *b, uint64_t seed, size_t i, size_t *nitems);

/* Feeds 0..n-1 in memory.  Returns 0, or -1 when out of memory. */
int	 gen_corpus(struct gen_corpus *, uint64_t seed, size_t n);
void	 gen_corpus_free(struct gen_corpus *);

#endif
