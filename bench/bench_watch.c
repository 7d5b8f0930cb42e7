/*
 * bench_watch: the cost of matching every story against the watch terms,
 * with 1,000 terms next to one, and next to the floor any word matcher
 * pays (folding the story's fields and walking their words).
 *
 *   build/rel/bench/bench_watch [STORIES]      (default 5000)
 *
 * STORIES synthetic stories (seeded, the same on every run: a title of 6
 * to 14 words, a text of 250 to 550, two categories, words drawn with a
 * Zipf law from a vocabulary of made-up words, one word in 40 capitalised
 * or accented) go through watch_match(), timed, best of ROUNDS rounds in
 * CPU time, interleaved:
 *
 *   baseline     words_fold + words_next over title, text and categories
 *   none         no watch configured: the daemon does not call the matcher
 *   1 term       one watch, one word
 *   1000 terms   50 watches of 20 terms, a third of them phrases of two
 *                words, drawn from all but the 500 commonest words (so
 *                a story hits a few terms, and phrases are checked)
 *   + patterns   the same and 10 PCRE2 patterns
 *   strstr       1,000 terms looked for with strstr() in the folded text,
 *                what the hash of first words avoids (and wrong on word
 *                boundaries): for comparison only
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/watch.h"
#include "parsers/words.h"

#define STORIES		5000
#define ROUNDS		5
#define VOCAB		20000
#define NTERMS		1000
#define NWATCH		50
#define NPATTERNS	10
#define COMMON		500	/* the commonest words are no terms */

struct bw_story {
	char	*title;
	char	*text;
	char	*cats[2];
};

static char	*bw_vocab[VOCAB];
static double	 bw_cdf[VOCAB];
static char	*bw_terms[NTERMS];

static uint64_t
bw_rnd(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double
bw_unit(uint64_t *s)
{
	return (double)(bw_rnd(s) >> 11) / (double)(1ULL << 53);
}

static double
bw_now(void)
{
	struct timespec	 ts;

	/* CPU time: the machine is shared, wall time moves by 2x. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Made-up words, each its own: rank i spelt in syllables as a number in
 * base 20 (the 400 commonest of two syllables, the rarest of four); rank
 * r drawn with weight 1/r.
 */
static int
bw_vocab_init(void)
{
	static const char *const syl[] = {
		"ka", "ro", "mi", "ten", "sa", "vo", "lin", "der", "po", "al",
		"es", "tra", "nu", "gor", "fe", "ul", "bri", "mon", "zi", "ha",
	};
	double		 sum = 0;
	char		 w[32];
	size_t		 i;

	for (i = 0; i < VOCAB; i++) {
		(void)snprintf(w, sizeof(w), "%s%s%s%s", syl[i % 20],
		    syl[(i / 20) % 20], i >= 400 ? syl[(i / 400) % 20] : "",
		    i >= 8000 ? syl[i / 8000] : "");
		if ((bw_vocab[i] = strdup(w)) == NULL)
			return -1;
		sum += 1.0 / (double)(i + 1);
		bw_cdf[i] = sum;
	}
	for (i = 0; i < VOCAB; i++)
		bw_cdf[i] /= sum;
	return 0;
}

static const char *
bw_word(uint64_t *s)
{
	double	 u = bw_unit(s);
	size_t	 lo = 0, hi = VOCAB - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (bw_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return bw_vocab[lo];
}

/* n words: one in 40 capitalised, one in 40 with an accented vowel. */
static char *
bw_words(uint64_t *s, size_t n)
{
	char		*out, *p;
	const char	*w;
	size_t		 i, cap = n * 16 + 1;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	p = out;
	for (i = 0; i < n; i++) {
		w = bw_word(s);
		if ((size_t)(p - out) + strlen(w) + 4 >= cap)
			break;
		if (i > 0)
			*p++ = (bw_rnd(s) % 12 == 0) ? ',' : ' ';
		if (i > 0 && p[-1] == ',')
			*p++ = ' ';
		memcpy(p, w, strlen(w));
		if (bw_rnd(s) % 40 == 0 && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		p += strlen(w);
		if (bw_rnd(s) % 40 == 0 && (size_t)(p - out) + 3 < cap) {
			memcpy(p, "\xc3\xa9", 2);	/* é */
			p += 2;
		}
	}
	*p = '\0';
	return out;
}

static int
bw_stories(struct bw_story *v, size_t n)
{
	uint64_t	 s = 42;
	size_t		 i;

	for (i = 0; i < n; i++) {
		v[i].title = bw_words(&s, 6 + bw_rnd(&s) % 9);
		v[i].text = bw_words(&s, 250 + bw_rnd(&s) % 301);
		v[i].cats[0] = bw_words(&s, 1);
		v[i].cats[1] = bw_words(&s, 1 + bw_rnd(&s) % 2);
		if (v[i].title == NULL || v[i].text == NULL ||
		    v[i].cats[0] == NULL || v[i].cats[1] == NULL)
			return -1;
	}
	return 0;
}

/*
 * 1,000 terms, a third of them phrases: words past the 500 commonest
 * (what a desk watches for is a name, not "the"), uniform over the rest.
 */
static int
bw_make_terms(void)
{
	uint64_t	 s = 1000;
	char		 t[80];
	size_t		 i;

	for (i = 0; i < NTERMS; i++) {
		if (i % 3 == 0)
			(void)snprintf(t, sizeof(t), "%s %s",
			    bw_vocab[COMMON + bw_rnd(&s) % (VOCAB - COMMON)],
			    bw_word(&s));
		else
			(void)snprintf(t, sizeof(t), "%s",
			    bw_vocab[COMMON + bw_rnd(&s) % (VOCAB - COMMON)]);
		if ((bw_terms[i] = strdup(t)) == NULL)
			return -1;
	}
	return 0;
}

static struct watch *
bw_watch(size_t nterms, size_t npatterns)
{
	static const char *const pats[NPATTERNS] = {
		"\\bka(ro)+mi\\b", "\\b\\d{4}\\b", "tra[^ ]*gor", "^Ka",
		"\\bz[iu]ha\\b", "mon\\s+bri", "(?:fe|ul){3}", "\\p{Lu}\\p{Ll}+es",
		"\\bpoal\\w*", "nu(?=gor)",
	};
	struct watch	*wt;
	char		 name[32], err[256];
	size_t		 i, per;

	if ((wt = watch_new()) == NULL)
		return NULL;
	per = nterms >= NWATCH ? nterms / NWATCH : 1;
	for (i = 0; i < nterms; i++) {
		if (i % per == 0) {
			(void)snprintf(name, sizeof(name), "w%zu", i / per);
			if (watch_begin(wt, name) == -1)
				goto fail;
		}
		if (watch_term(wt, bw_terms[i], 0) == -1)
			goto fail;
	}
	for (i = 0; i < npatterns; i++)
		if (watch_pattern(wt, pats[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_watch: %s: %s\n", pats[i], err);
			goto fail;
		}
	if (watch_ready(wt) == -1)
		goto fail;
	return wt;
fail:
	watch_free(wt);
	return NULL;
}

static size_t
bw_fold_walk(const char *s)
{
	struct words_iter	 it;
	const char		*w;
	char			*f;
	size_t			 n = 0, len;

	if ((f = words_fold(s, strlen(s))) == NULL)
		return 0;
	words_begin(&it, f, strlen(f), 0);
	while (words_next(&it, &w, &len))
		n += len;
	free(f);
	return n;
}

/* One pass over every story in mode; the CPU seconds it took. */
static double
bw_pass(int mode, struct watch *wt, const struct bw_story *v, size_t n,
    uint64_t *sink)
{
	struct watch_text	 t;
	const struct watch_hit	*hits;
	double			 t0 = bw_now();
	char			*f;
	size_t			 i, j, nh;

	for (i = 0; i < n; i++) {
		switch (mode) {
		case 0:
			*sink += bw_fold_walk(v[i].title) +
			    bw_fold_walk(v[i].text) +
			    bw_fold_walk(v[i].cats[0]) +
			    bw_fold_walk(v[i].cats[1]);
			break;
		case 1:
			t.title = v[i].title;
			t.text = v[i].text;
			t.categories = (const char *const *)v[i].cats;
			t.ncategories = 2;
			if (watch_match(wt, &t, &hits, &nh) == 0)
				for (j = 0; j < nh; j++)
					*sink += hits[j].index + 1 +
					    hits[j].nterms;
			break;
		default:
			if ((f = words_fold(v[i].text, strlen(v[i].text))) ==
			    NULL)
				break;
			for (j = 0; j < NTERMS; j++)
				*sink += strstr(f, bw_terms[j]) != NULL;
			free(f);
			break;
		}
	}
	return bw_now() - t0;
}

int
main(int argc, char **argv)
{
	static const char *const label[] = {
		"baseline fold + words", "1 term", "1000 terms",
		"1000 terms + 10 patterns", "1000 terms by strstr (text only)",
	};
	struct bw_story	*v;
	struct watch	*wt[5] = { NULL, NULL, NULL, NULL, NULL };
	struct watch_text t;
	const struct watch_hit *hits;
	size_t		 nh, nwatches = 0, nterms = 0;
	double		 best[5], d;
	uint64_t	 sink = 0;
	size_t		 n = STORIES, i, r;
	char		*end;
	int		 mode;

	if (argc > 1) {
		errno = 0;
		n = (size_t)strtoul(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' || n == 0) {
			fprintf(stderr, "usage: bench_watch [STORIES >= 1]\n");
			return 2;
		}
		/* make bench BENCH_ARGS=N is a number of feeds elsewhere. */
		if (n < 100)
			n = 100;
	}
	if ((v = calloc(n, sizeof(*v))) == NULL || bw_vocab_init() == -1 ||
	    bw_stories(v, n) == -1 || bw_make_terms() == -1 ||
	    (wt[1] = bw_watch(1, 0)) == NULL ||
	    (wt[2] = bw_watch(NTERMS, 0)) == NULL ||
	    (wt[3] = bw_watch(NTERMS, NPATTERNS)) == NULL) {
		fprintf(stderr, "bench_watch: out of memory\n");
		return 1;
	}
	/* What the 1,000 terms find: watches and terms per story. */
	for (i = 0; i < n; i++) {
		t.title = v[i].title;
		t.text = v[i].text;
		t.categories = (const char *const *)v[i].cats;
		t.ncategories = 2;
		if (watch_match(wt[2], &t, &hits, &nh) == -1)
			return 1;
		nwatches += nh;
		for (r = 0; r < nh; r++)
			nterms += hits[r].nterms;
	}
	for (i = 0; i < 5; i++)
		best[i] = 1e30;
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < 5; i++) {
			mode = i == 0 ? 0 : i == 4 ? 2 : 1;
			d = bw_pass(mode, wt[i], v, n, &sink);
			if (d < best[i])
				best[i] = d;
		}
	printf("bench_watch: %zu stories (title, text of 250-550 words, 2 "
	    "categories), best of %d rounds, CPU time\n", n, ROUNDS);
	printf("  1000 terms in %d watches find %.1f watches and %.1f terms a "
	    "story\n", NWATCH, (double)nwatches / (double)n,
	    (double)nterms / (double)n);
	printf("  %-34s %10s stories/s   (the matcher is not called)\n",
	    "no watch", "-");
	for (i = 0; i < 5; i++)
		printf("  %-34s %10.0f stories/s  %8.2f us/story\n", label[i],
		    (double)n / best[i], best[i] * 1e6 / (double)n);
	printf("  ratio 1000 terms / 1 term:         %6.2f x the time\n",
	    best[2] / best[1]);
	printf("  ratio 1000 terms / baseline:       %6.2f x the time\n",
	    best[2] / best[0]);
	printf("  ratio + 10 patterns / 1000 terms:  %6.2f x the time\n",
	    best[3] / best[2]);
	printf("  ratio strstr / 1000 terms:         %6.2f x the time\n",
	    best[4] / best[2]);
	printf("  (checksum %016" PRIx64 ")\n", sink);
	for (i = 0; i < 5; i++)
		watch_free(wt[i]);
	for (i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].text);
		free(v[i].cats[0]);
		free(v[i].cats[1]);
	}
	free(v);
	for (i = 0; i < VOCAB; i++)
		free(bw_vocab[i]);
	for (i = 0; i < NTERMS; i++)
		free(bw_terms[i]);
	return 0;
}
