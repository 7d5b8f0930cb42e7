/*
 * bench_dup: the cost of duplicate detection per story, next to the cost
 * of hashing the same text once.
 *
 *   build/rel/bench/bench_dup [WINDOW]      (default 100000 stories)
 *
 * `make bench BENCH_ARGS=N` hands every bench the same N (a number of
 * feeds for bench_parse): any WINDOW from 1 is taken, so a small N gives
 * a small index here too rather than an error.
 *
 * WINDOW synthetic stories (seeded, the same on every run: 250-550 words
 * drawn with a Zipf law from a vocabulary of made-up words, so common
 * words repeat the way they do in prose) are fingerprinted into an index.
 * Then QUERIES more stories, half of them new and half edited copies of
 * indexed ones (a paragraph dropped, some words changed), go through
 * dedup_fingerprint() + dedup_find(), timed; the baseline is
 * dedup_hash64() over the same texts.  Each is run ROUNDS times,
 * interleaved, and the best round (in CPU time) counts.  Memory per
 * indexed story is dedup_memory() / dedup_count().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parsers/buf.h"
#include "store/dedup.h"

#define WINDOW		100000
#define QUERIES		10000
#define ROUNDS		5
#define VOCAB		20000
#define TEXT_CAP	(1 << 20)

static char	*bd_vocab[VOCAB];
static double	 bd_cdf[VOCAB];

static uint64_t
bd_rnd(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double
bd_unit(uint64_t *s)
{
	return (double)(bd_rnd(s) >> 11) / (double)(1ULL << 53);
}

static double
bd_now(void)
{
	struct timespec	 ts;

	/* CPU time: the machine is shared, wall time moves by 2x. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Made-up words of 1-4 syllables; rank r drawn with weight 1/r. */
static int
bd_vocab_init(void)
{
	static const char *const syl[] = {
		"ka", "ro", "mi", "ten", "sa", "vo", "lin", "der", "po", "al",
		"es", "tra", "nu", "gor", "fe", "ul", "bri", "mon", "zi", "ha",
	};
	uint64_t	 s = 42;
	double		 sum = 0;
	char		 w[32];
	size_t		 i, n, k, len;

	for (i = 0; i < VOCAB; i++) {
		n = 1 + (size_t)(bd_rnd(&s) % 4);
		for (k = 0, len = 0; k < n; k++) {
			const char *p = syl[bd_rnd(&s) % 20];

			memcpy(w + len, p, strlen(p));
			len += strlen(p);
		}
		w[len] = '\0';
		if ((bd_vocab[i] = strdup(w)) == NULL)
			return -1;
		sum += 1.0 / (double)(i + 1);
		bd_cdf[i] = sum;
	}
	for (i = 0; i < VOCAB; i++)
		bd_cdf[i] /= sum;
	return 0;
}

static const char *
bd_word(uint64_t *s)
{
	double	 u = bd_unit(s);
	size_t	 lo = 0, hi = VOCAB - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (bd_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return bd_vocab[lo];
}

/*
 * Story n: paragraphs of 40-80 words.  An edited copy (edit != 0) drops
 * paragraph 2 and changes about one word in fifty.
 */
static char *
bd_story(uint64_t n, int edit)
{
	struct buf	 b;
	uint64_t	 s = n * 0x100000001B3ULL + 7, e = n ^ 0xabcdefULL;
	size_t		 words, para = 0, inpara = 0, plen, i;
	char		*t;

	buf_init(&b, TEXT_CAP);
	words = 250 + (size_t)(bd_rnd(&s) % 300);
	plen = 40 + (size_t)(bd_rnd(&s) % 40);
	for (i = 0; i < words; i++) {
		const char *w = bd_word(&s);

		if (inpara == plen) {
			para++;
			inpara = 0;
			plen = 40 + (size_t)(bd_rnd(&s) % 40);
			if (!(edit && para == 2) &&
			    buf_addstr(&b, ".\n\n") != BUF_OK)
				goto fail;
		}
		inpara++;
		if (edit && para == 2)
			continue;
		if (edit && bd_rnd(&e) % 50 == 0)
			w = "changed";
		if ((inpara > 1 && buf_addch(&b, ' ') != BUF_OK) ||
		    buf_addstr(&b, w) != BUF_OK)
			goto fail;
	}
	if ((t = buf_steal(&b)) == NULL)
		goto fail;
	buf_free(&b);
	return t;
 fail:
	buf_free(&b);
	return NULL;
}

static int
bd_fill(struct dedup_index *x, size_t window, double *secs)
{
	struct dedup_fp	 fp;
	char		 id[DEDUP_ID_LEN + 1];
	char		*t;
	size_t		 i;
	double		 t0 = bd_now();

	for (i = 0; i < window; i++) {
		if ((t = bd_story(i, 0)) == NULL ||
		    dedup_fingerprint(t, NULL, &fp) == -1) {
			free(t);
			return -1;
		}
		free(t);
		if (snprintf(id, sizeof(id), "%016zx", i) != DEDUP_ID_LEN ||
		    dedup_add(x, id, (int64_t)i, &fp) == -1)
			return -1;
	}
	*secs = bd_now() - t0;
	return 0;
}

/* Fingerprint and look up every query; returns the seconds, -1 on error. */
static double
bd_run_dedup(struct dedup_index *x, char **q, size_t nq, size_t *found)
{
	struct dedup_fp		 fp;
	struct dedup_match	 m;
	size_t			 i;
	double			 t0 = bd_now();

	*found = 0;
	for (i = 0; i < nq; i++) {
		if (dedup_fingerprint(q[i], NULL, &fp) == -1)
			return -1;
		*found += (size_t)dedup_find(x, &fp, &m);
	}
	return bd_now() - t0;
}

/* The two halves apart: fingerprints alone, then lookups alone. */
static double
bd_run_fp(char **q, size_t nq, struct dedup_fp *fps)
{
	size_t	 i;
	double	 t0 = bd_now();

	for (i = 0; i < nq; i++)
		if (dedup_fingerprint(q[i], NULL, &fps[i]) == -1)
			return -1;
	return bd_now() - t0;
}

static double
bd_run_find(struct dedup_index *x, const struct dedup_fp *fps, size_t nq)
{
	struct dedup_match	 m;
	size_t			 i, found = 0;
	double			 t0 = bd_now();

	for (i = 0; i < nq; i++)
		found += (size_t)dedup_find(x, &fps[i], &m);
	return found > nq ? -1 : bd_now() - t0;
}

static double
bd_run_hash(char **q, size_t nq, uint64_t *sink)
{
	size_t	 i;
	double	 t0 = bd_now();

	for (i = 0; i < nq; i++)
		*sink ^= dedup_hash64(q[i], strlen(q[i]), 0);
	return bd_now() - t0;
}

int
main(int argc, char **argv)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	static struct dedup_fp	 fps[QUERIES];
	char			*q[QUERIES], *end;
	size_t			 window = WINDOW, i, found = 0, bytes = 0;
	double			 fill, best_d = 1e9, best_h = 1e9, d, h;
	double			 best_f = 1e9, best_l = 1e9, f, l;
	uint64_t		 sink = 0;
	int			 r, rc = 1;

	if (argc > 1) {
		errno = 0;
		window = (size_t)strtoul(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' ||
		    window == 0 || window > SIZE_MAX / 2) {
			fprintf(stderr, "usage: bench_dup [WINDOW >= 1]\n");
			return 1;
		}
	}
	dedup_params_default(&p);
	if (bd_vocab_init() == -1 || (x = dedup_new(&p)) == NULL) {
		fprintf(stderr, "bench_dup: out of memory\n");
		return 1;
	}
	memset(q, 0, sizeof(q));
	if (bd_fill(x, window, &fill) == -1)
		goto out;
	/* Even queries are new stories, odd ones copies of indexed ones. */
	for (i = 0; i < QUERIES; i++) {
		q[i] = i % 2 == 0 ? bd_story(window + i, 0) :
		    bd_story((i * 7919) % window, 1);
		if (q[i] == NULL)
			goto out;
		bytes += strlen(q[i]);
	}
	for (r = 0; r < ROUNDS; r++) {
		if ((d = bd_run_dedup(x, q, QUERIES, &found)) < 0)
			goto out;
		h = bd_run_hash(q, QUERIES, &sink);
		if ((f = bd_run_fp(q, QUERIES, fps)) < 0 ||
		    (l = bd_run_find(x, fps, QUERIES)) < 0)
			goto out;
		best_d = d < best_d ? d : best_d;
		best_h = h < best_h ? h : best_h;
		best_f = f < best_f ? f : best_f;
		best_l = l < best_l ? l : best_l;
	}
	printf("bench_dup: window %zu stories (filled in %.2f s), %d queries "
	    "of %.0f bytes on average, max_distance %u, far_similarity "
	    "%.2f\n", dedup_count(x), fill, QUERIES,
	    (double)bytes / QUERIES, p.max_distance, p.far_similarity);
	printf("  found duplicates:        %zu of %d (the edited copies: "
	    "%d)\n", found, QUERIES, QUERIES / 2);
	printf("  fingerprint + lookup:    %10.0f stories/s  %8.2f us/story\n",
	    QUERIES / best_d, best_d * 1e6 / QUERIES);
	printf("    of which fingerprint:  %10.0f stories/s  %8.2f us/story\n",
	    QUERIES / best_f, best_f * 1e6 / QUERIES);
	printf("    of which lookup:       %10.0f stories/s  %8.2f us/story\n",
	    QUERIES / best_l, best_l * 1e6 / QUERIES);
	printf("  baseline dedup_hash64:   %10.0f stories/s  %8.2f us/story "
	    "(%.0f MB/s)\n", QUERIES / best_h, best_h * 1e6 / QUERIES,
	    (double)bytes / best_h / 1e6);
	printf("  ratio dedup/baseline:    %10.1f x the time of one hash\n",
	    best_d / best_h);
	printf("  memory: %zu bytes in the index, %.0f bytes per story "
	    "(fingerprint %zu)\n", dedup_memory(x),
	    (double)dedup_memory(x) / (double)dedup_count(x),
	    sizeof(struct dedup_fp));
	printf("  (checksum %016" PRIx64 ")\n", sink);
	rc = 0;
 out:
	if (rc != 0)
		fprintf(stderr, "bench_dup: out of memory\n");
	for (i = 0; i < QUERIES; i++)
		free(q[i]);
	for (i = 0; i < VOCAB; i++)
		free(bd_vocab[i]);
	dedup_free(x);
	return rc;
}
