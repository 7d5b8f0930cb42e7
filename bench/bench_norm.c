/*
 * bench_norm: text normalisation throughput next to a baseline that only
 * measures and copies the same texts (strlen + memcpy), in one run.
 *
 *   bench_norm [-n PASSES] [DIR]
 *
 * The texts are made up by a seeded generator (the same ones on every
 * run): English, French and German paragraphs in NFC, some with their
 * accents decomposed (NFD, as some feeds send them), some Greek and
 * Japanese, titles and bodies; plus every file in DIR when given.  Each
 * text goes through norm_text with its language declared and detected,
 * and norm_line.  Prints MB/s of both and their ratio (norm / copy).
 * With -n, runs exactly PASSES passes of norm only (for callgrind).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/dir_files.h"
#include "bench/gen_feeds.h"
#include "parsers/buf.h"
#include "parsers/norm.h"

#define NTEXTS		400
#define TEXT_MAX	(8 * 1024)	/* generated body size, at most */
#define MIN_SECONDS	2.0	/* each side runs about this long */
#define FILE_MAX	(16 * 1024 * 1024)

struct corpus {
	char	**texts;
	size_t	 n;
	size_t	 cap;
	size_t	 bytes;
};

/* The generators' splitmix64: the same texts on every run and machine. */
static struct gen_rng	 rng = { UINT64_C(0x9e3779b97f4a7c15) };

static size_t
pick(size_t n)
{
	return gen_rng_range(&rng, 0, n - 1);
}

/* One vocabulary per kind of text; "e\xcc\x81" is e + U+0301 (NFD). */
static const char *const en_words[] = {
	"the", "council", "said", "on", "Monday", "that", "harbour", "ferry",
	"would", "reopen", "after", "two", "years", "of", "work", "and",
	"engineers", "rebuilt", "quay", "with", "a", "new", "wall", "which",
	"port", "authority", "expects", "to", "keep", "berths", "open", "in",
	"winter", "storms", "residents", "welcomed", "news", "\xe2\x80\x9cwe",
	"hope\xe2\x80\x9d", "it\xe2\x80\x99s", "caf\xc3\xa9", "&amp;",
	"\xe2\x80\x94", "2024", NULL
};
static const char *const fr_words[] = {
	"le", "conseil", "a", "d\xc3\xa9" "clar\xc3\xa9", "que", "la",
	"r\xc3\xa9ouverture", "du", "port", "aura", "lieu", "apr\xc3\xa8s",
	"deux", "ann\xc3\xa9" "es", "de", "travaux", "et", "les",
	"ing\xc3\xa9nieurs", "ont", "reconstruit", "\xc3\xa0", "l\xe2\x80\x99"
	"h\xc3\xb4pital", "\xc2\xab\xc2\xa0non\xc2\xa0\xc2\xbb", "o\xc3\xb9",
	"f\xc3\xaate", "gar\xc3\xa7on", NULL
};
static const char *const de_words[] = {
	"der", "Rat", "sagte", "am", "Montag", "dass", "die", "F\xc3\xa4hre",
	"nach", "zwei", "Jahren", "wieder", "f\xc3\xa4hrt", "und", "die",
	"Stra\xc3\x9f" "e", "\xc3\xbc" "ber", "den", "Hafen", "gro\xc3\x9f",
	"\xe2\x80\x9eNein\xe2\x80\x9c", "M\xc3\xb6glichkeit", NULL
};
static const char *const nfd_words[] = {
	"le", "conseil", "a", "de\xcc\x81" "clare\xcc\x81", "que", "la",
	"re\xcc\x81ouverture", "apre\xcc\x80s", "anne\xcc\x81" "es", "et",
	"ho\xcc\x82pital", "fe\xcc\x82te", "garc\xcc\xa7on", "u\xcc\x88" "ber",
	NULL
};
static const char *const el_words[] = {
	"\xce\xb7", "\xce\xba\xcf\x85\xce\xb2\xce\xad\xcf\x81\xce\xbd\xce\xb7"
	"\xcf\x83\xce\xb7", "\xce\xb5\xce\xaf\xcf\x80\xce\xb5", "\xcf\x8c\xcf"
	"\x84\xce\xb9", "\xcf\x84\xce\xbf", "\xce\xbb\xce\xb9\xce\xbc\xce\xac"
	"\xce\xbd\xce\xb9", NULL
};
static const char *const ja_words[] = {
	"\xe6\x94\xbf\xe5\xba\x9c\xe3\x81\xaf", "\xe6\xb8\xaf\xe3\x81\xae",
	"\xe5\x86\x8d\xe9\x96\x8b\xe3\x82\x92", "\xe7\x99\xba\xe8\xa1\xa8"
	"\xe3\x81\x97\xe3\x81\x9f", "\xe3\x80\x82", "\xe3\x82\xac\xe3\x82\xb9",
	NULL
};

struct kind {
	const char *const	*words;
	const char		*lang;
	size_t			 weight;	/* in NTEXTS / 20 */
};

static const struct kind kinds[] = {
	{ en_words, "en", 10 }, { fr_words, "fr", 3 }, { de_words, "de", 3 },
	{ nfd_words, "fr", 1 }, { el_words, "el", 1 }, { ja_words, "ja", 2 },
};

static int
corpus_add(struct corpus *c, char *s)
{
	char	**nt;
	size_t	 ncap;

	if (c->n == c->cap) {
		ncap = c->cap == 0 ? 64 : c->cap * 2;
		if ((nt = reallocarray(c->texts, ncap, sizeof(*nt))) == NULL)
			return -1;
		c->texts = nt;
		c->cap = ncap;
	}
	c->texts[c->n++] = s;
	c->bytes += strlen(s);
	return 0;
}

/* A title (one line) or a body of paragraphs, about target bytes. */
static char *
make_text(const struct kind *k, size_t target)
{
	struct buf	 b;
	size_t		 nw, i;
	int		 rc = BUF_OK;

	for (nw = 0; k->words[nw] != NULL; nw++)
		;
	buf_init(&b, TEXT_MAX * 2);
	for (i = 0; b.len < target && rc == BUF_OK; i++) {
		if (i > 0)
			rc = buf_addstr(&b, pick(40) == 0 ? ".\n\n" :
			    pick(12) == 0 ? ", " : " ");
		if (rc == BUF_OK)
			rc = buf_addstr(&b, k->words[pick(nw)]);
	}
	if (rc != BUF_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
generate(struct corpus *c)
{
	size_t	 i, j, w, target;
	char	*s;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (w = 0; w < kinds[i].weight * NTEXTS / 20; w++)
			for (j = 0; j < 2; j++) {
				target = j == 0 ? 40 + pick(80) :
				    500 + pick(TEXT_MAX - 500);
				if ((s = make_text(&kinds[i], target)) == NULL ||
				    corpus_add(c, s) == -1) {
					free(s);
					return -1;
				}
			}
	return 0;
}

/* dir_file_fn: one file of the user's corpus. */
static int
take_file(void *arg, char *data, size_t len)
{
	struct corpus	*c = arg;

	(void)len;
	return corpus_add(c, data);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The baseline: what any consumer of the text does at least. */
static int
copy_one(const char *s, const char *lang, int line)
{
	size_t	 n = strlen(s);
	char	*d;

	(void)lang;
	(void)line;
	if ((d = malloc(n + 1)) == NULL)
		return -1;
	memcpy(d, s, n + 1);
	/* keep the copy from being optimised away */
	if (d[n / 2] == '\1')
		fputs("", stderr);
	free(d);
	return 0;
}

static int
norm_one(const char *s, const char *lang, int line)
{
	char	*t;

	if ((t = line ? norm_line(s) : norm_text(s, lang)) == NULL)
		return -1;
	free(t);
	return 0;
}

/*
 * One whole pass over the corpus, each text declared, detected and as a
 * line; returns its seconds.
 */
static double
pass(const struct corpus *c, int (*fn)(const char *, const char *, int))
{
	double	 start = now();
	size_t	 i;

	for (i = 0; i < c->n; i++) {
		(void)fn(c->texts[i], "en", 0);
		(void)fn(c->texts[i], NULL, 0);
		(void)fn(c->texts[i], NULL, 1);
	}
	return now() - start;
}

int
main(int argc, char **argv)
{
	struct corpus	 c;
	double		 tcopy, tnorm, mb;
	size_t		 i, passes, generated, fixed = 0;
	const char	*errstr = NULL;
	int		 ch;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			fixed = (size_t)strtoul(optarg, NULL, 10);
			if (fixed == 0)
				errstr = "-n wants a number of passes";
			break;
		default:
			errstr = "usage: bench_norm [-n PASSES] [DIR]";
		}
	}
	if (errstr != NULL) {
		fprintf(stderr, "bench_norm: %s\n", errstr);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	if (generate(&c) == -1) {
		fprintf(stderr, "bench_norm: out of memory\n");
		return 1;
	}
	generated = c.n;
	if (optind < argc &&
	    dir_files(argv[optind], FILE_MAX, take_file, &c) == -1) {
		fprintf(stderr, "bench_norm: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	mb = 3.0 * (double)c.bytes / (1024.0 * 1024.0);
	printf("norm: %zu texts (%zu generated, %zu from %s), %.1f MB a pass\n",
	    c.n, generated, c.n - generated,
	    optind < argc ? argv[optind] : "-", mb);
	if (fixed > 0) {
		for (i = 0; i < fixed; i++)
			(void)pass(&c, norm_one);
		return 0;
	}
	/* warm up the allocator, the caches and any table built once */
	(void)pass(&c, norm_one);
	/*
	 * Passes alternate, so that a change in the machine's load while
	 * the benchmark runs falls on both sides alike.
	 */
	tcopy = tnorm = 0;
	for (passes = 0; passes < 2 || tnorm < MIN_SECONDS; passes++) {
		tcopy += pass(&c, copy_one);
		tnorm += pass(&c, norm_one);
	}
	printf("copy: %8.1f MB/s\n", mb * (double)passes / tcopy);
	printf("norm: %8.1f MB/s\n", mb * (double)passes / tnorm);
	printf("ratio norm/copy: %.1f times slower (%zu passes)\n",
	    tnorm / tcopy, passes);
	for (i = 0; i < c.n; i++)
		free(c.texts[i]);
	free(c.texts);
	return 0;
}
