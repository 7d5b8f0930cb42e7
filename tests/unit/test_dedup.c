/*
 * test_dedup: fingerprints, the decision, and the index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/buf.h"
#include "store/dedup.h"

/* A deterministic text of n words drawn from a small vocabulary. */
static char *
text(uint64_t seed, size_t n)
{
	static const char *const vocab[] = {
		"minister", "talks", "border", "said", "on", "the", "of",
		"government", "troops", "agreement", "summit", "vote", "in",
		"election", "parliament", "sanctions", "envoy", "ceasefire",
		"aid", "floods", "a", "to", "and", "officials", "statement",
		"president", "capital", "region", "council", "ministry",
		"foreign", "trade", "tariffs", "steel", "dairy", "report",
	};
	struct buf	 b;
	size_t		 i;
	char		*t;

	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		assert_int_equal(buf_printf(&b, "%s%s", i > 0 ? " " : "",
		    vocab[(seed >> 33) % (sizeof(vocab) / sizeof(vocab[0]))]),
		    BUF_OK);
	}
	t = buf_steal(&b);
	buf_free(&b);
	assert_non_null(t);
	return t;
}

static void
fp(const char *t, const char *title, struct dedup_fp *out)
{
	assert_int_equal(dedup_fingerprint(t, title, out), 0);
}

static void
test_hash64(void **unused)
{
	const char	*s = "The quick brown fox jumps over the lazy dog";

	(void)unused;
	assert_true(dedup_hash64(s, strlen(s), 0) ==
	    dedup_hash64(s, strlen(s), 0));
	assert_true(dedup_hash64(s, strlen(s), 0) !=
	    dedup_hash64(s, strlen(s), 1));
	assert_true(dedup_hash64(s, strlen(s), 0) !=
	    dedup_hash64(s, strlen(s) - 1, 0));
	assert_true(dedup_hash64("a", 1, 0) != dedup_hash64("b", 1, 0));
	assert_true(dedup_hash64("", 0, 0) != dedup_hash64("", 0, 7));
}

/* Case, spacing and punctuation are not part of the text. */
static void
test_same_text(void **unused)
{
	struct dedup_params	 p;
	struct dedup_fp		 a, b;
	char			*t = text(1, 200);
	char			*u;
	size_t			 i;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(u = strdup(t));
	for (i = 0; u[i] != '\0'; i++)
		if (i % 7 == 0 && u[i] >= 'a' && u[i] <= 'z')
			u[i] = (char)(u[i] - 'a' + 'A');
		else if (u[i] == ' ' && i % 3 == 0)
			u[i] = '\n';
		else if (u[i] == ' ' && i % 5 == 0)
			u[i] = ',';
	fp(t, "One headline", &a);
	fp(u, "Another headline | Outlet", &b);
	assert_true(a.text_hash != 0);
	assert_true(a.text_hash == b.text_hash);
	assert_true(a.simhash == b.simhash);
	assert_int_equal(dedup_distance(&a, &b), 0);
	assert_true(dedup_similarity(&a, &b) == 1.0);
	assert_int_equal(dedup_compare(&p, &a, &b, NULL, NULL),
	    DEDUP_SAME_TEXT);
	assert_string_equal(dedup_verdict_name(DEDUP_SAME_TEXT), "same-text");
	free(t);
	free(u);
}

static void
test_unicode_words(void **unused)
{
	struct dedup_fp	 a, b, c;

	(void)unused;
	fp("Ärger über die Wahl in Österreich", NULL, &a);
	fp("ärger ÜBER die wahl in österreich!", NULL, &b);
	fp("Arger uber die Wahl in Osterreich", NULL, &c);
	assert_true(a.text_hash == b.text_hash);
	assert_true(a.text_hash != c.text_hash);
	/* Broken UTF-8 separates words, it does not stop the reader. */
	fp("vote\xff\xfe" "count", NULL, &a);
	fp("vote count", NULL, &b);
	assert_true(a.text_hash == b.text_hash);
}

/* A near copy: one word in forty changed. */
static void
test_near_and_distinct(void **unused)
{
	struct dedup_params	 p;
	struct dedup_fp		 a, b, c;
	char			*t = text(2, 400), *u = text(3, 400);
	char			*v;
	unsigned		 d;
	double			 s;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(v = strdup(t));
	memcpy(v + 100, "zz", 2);
	memcpy(v + 1200, "qq", 2);
	fp(t, NULL, &a);
	fp(v, NULL, &b);
	fp(u, NULL, &c);
	assert_int_equal(dedup_compare(&p, &a, &b, &d, &s), DEDUP_NEAR);
	assert_true(s >= p.min_similarity);
	assert_int_equal(dedup_compare(&p, &a, &c, &d, &s), DEDUP_DISTINCT);
	assert_true(s < p.min_similarity);
	free(t);
	free(u);
	free(v);
}

/* Text-less stories compare by title, and only exactly. */
static void
test_titles_only(void **unused)
{
	struct dedup_params	 p;
	struct dedup_fp		 a, b, c, d;

	(void)unused;
	dedup_params_default(&p);
	fp(NULL, "Minister resigns over leaked memo", &a);
	fp("", "MINISTER resigns over leaked memo.", &b);
	fp(NULL, "Minister resigns over leaked memos", &c);
	fp("Some text of the story itself.", "Minister resigns over leaked "
	    "memo", &d);
	assert_true(a.text_hash == 0);
	assert_int_equal(a.nshingles, 0);
	assert_int_equal(dedup_compare(&p, &a, &b, NULL, NULL),
	    DEDUP_SAME_TITLE);
	assert_int_equal(dedup_compare(&p, &a, &c, NULL, NULL),
	    DEDUP_DISTINCT);
	assert_int_equal(dedup_compare(&p, &a, &d, NULL, NULL),
	    DEDUP_DISTINCT);
	/* Nothing at all: nothing to match on. */
	fp(NULL, NULL, &a);
	fp("", "  ", &b);
	assert_true(a.text_hash == 0 && a.title_hash == 0);
	assert_int_equal(dedup_compare(&p, &a, &b, NULL, NULL),
	    DEDUP_DISTINCT);
}

/* Short texts: only the exact hash may call them the same. */
static void
test_tiny_texts(void **unused)
{
	struct dedup_params	 p;
	struct dedup_fp		 a, b, c;

	(void)unused;
	dedup_params_default(&p);
	fp("The foreign minister will travel to Vienna on Monday for talks.",
	    NULL, &a);
	fp("The foreign minister will travel to Vienna on Tuesday for talks.",
	    NULL, &b);
	fp("The foreign minister will travel to Vienna on Monday for talks!",
	    NULL, &c);
	assert_true(a.nshingles < p.min_shingles);
	assert_int_equal(dedup_compare(&p, &a, &b, NULL, NULL),
	    DEDUP_DISTINCT);
	assert_int_equal(dedup_compare(&p, &a, &c, NULL, NULL),
	    DEDUP_SAME_TEXT);
}

/* Templated teasers of one feed are different stories; a copy is not. */
static void
test_teasers(void **unused)
{
	static const char tmpl[] = "This is update %d of the coverage. It "
	    "stands for a story of a few sentences, long enough to look like "
	    "a summary, short enough to keep large feeds small, and nothing "
	    "in it is true.";
	struct dedup_params	 p;
	struct dedup_fp		 a, b, c;
	char			 t1[256], t2[256];

	(void)unused;
	dedup_params_default(&p);
	snprintf(t1, sizeof(t1), tmpl, 41);
	snprintf(t2, sizeof(t2), tmpl, 42);
	fp(t1, "Update 41", &a);
	fp(t2, "Update 42", &b);
	assert_true(a.nshingles >= p.min_shingles && a.nshingles < 40);
	assert_true(dedup_similarity(&a, &b) > 0.5);
	assert_int_equal(dedup_compare(&p, &a, &b, NULL, NULL),
	    DEDUP_DISTINCT);
	/* The same teaser under the same title is the same story. */
	fp(t2, "Update 41", &c);
	assert_int_equal(dedup_compare(&p, &a, &c, NULL, NULL), DEDUP_NEAR);
}

/* The first n words of t (words of text() are one space apart). */
static char *
first_words(const char *t, size_t n)
{
	const char	*p = t;
	char		*s;

	while (n > 0 && (p = strchr(p, ' ')) != NULL) {
		p++;
		n--;
	}
	assert_non_null(p);
	assert_non_null(s = strndup(t, (size_t)(p - t)));
	return s;
}

/*
 * A part of a longer text (a brief, the earlier text of an update) is
 * contained in it, which way round the verdict says; not when shorter than
 * a quarter of it, or shorter than containment_shingles, or half of its own.
 */
static void
test_containment(void **unused)
{
	struct dedup_params	 p;
	struct dedup_fp		 full, brief, small, mixed, unknown;
	struct buf		 b;
	char			*t = text(40, 500), *u = text(41, 500), *s;

	(void)unused;
	dedup_params_default(&p);
	fp(t, NULL, &full);
	s = first_words(t, 200);
	fp(s, NULL, &brief);
	free(s);
	assert_true(dedup_containment(&brief, &full) > 0.95);
	assert_true(dedup_containment(&full, &brief) > 0.95);
	assert_true(dedup_similarity(&brief, &full) < p.far_similarity);
	assert_int_equal(dedup_compare(&p, &brief, &full, NULL, NULL),
	    DEDUP_CONTAINED);
	assert_int_equal(dedup_compare(&p, &full, &brief, NULL, NULL),
	    DEDUP_CONTAINS);
	assert_string_equal(dedup_verdict_name(DEDUP_CONTAINED), "contained");
	assert_string_equal(dedup_verdict_name(DEDUP_CONTAINS), "contains");
	p.min_containment = 2.0;
	assert_int_equal(dedup_compare(&p, &brief, &full, NULL, NULL),
	    DEDUP_DISTINCT);
	dedup_params_default(&p);

	/* A fifth: a story inside a digest, not a brief of it. */
	s = first_words(t, 100);
	fp(s, NULL, &small);
	free(s);
	assert_true(dedup_containment(&small, &full) > 0.95);
	assert_int_equal(dedup_compare(&p, &small, &full, NULL, NULL),
	    DEDUP_DISTINCT);
	/* A third, but a teaser's length. */
	s = first_words(t, 50);
	fp(s, NULL, &small);
	free(s);
	s = first_words(t, 150);
	fp(s, NULL, &mixed);
	free(s);
	assert_true(small.nshingles < p.containment_shingles);
	assert_int_equal(dedup_compare(&p, &small, &mixed, NULL, NULL),
	    DEDUP_DISTINCT);
	/* Half of it is the longer text's, half its own. */
	buf_init(&b, 1 << 20);
	s = first_words(t, 100);
	assert_int_equal(buf_printf(&b, "%s", s), BUF_OK);
	free(s);
	s = first_words(u, 100);
	assert_int_equal(buf_printf(&b, "%s", s), BUF_OK);
	free(s);
	fp(b.data, NULL, &mixed);
	buf_free(&b);
	assert_true(dedup_containment(&mixed, &full) < p.min_containment);
	assert_int_equal(dedup_compare(&p, &mixed, &full, NULL, NULL),
	    DEDUP_DISTINCT);
	/* A fingerprint from before sketches: containment is not known. */
	unknown = full;
	memset(unknown.sketch, DEDUP_SKETCH_EMPTY, sizeof(unknown.sketch));
	assert_true(dedup_containment(&brief, &unknown) == 0);
	assert_true(dedup_containment(&unknown, &brief) == 0);
	free(t);
	free(u);
}

/* A story of tests/dupset (run from the repository root), as one text. */
static char *
dupset_story(const char *name, size_t paras, const char *from,
    const char *to)
{
	char		 path[256];
	struct buf	 b;
	FILE		*f;
	char		 line[4096], *t, *at;
	size_t		 n = 0;

	assert_true(snprintf(path, sizeof(path), "tests/dupset/stories/%s",
	    name) < (int)sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	buf_init(&b, 1 << 20);
	/* The title, then one paragraph a line between blank lines. */
	assert_non_null(fgets(line, sizeof(line), f));
	while (n < paras && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '\n')
			continue;
		assert_int_equal(buf_printf(&b, "%s\n", line), BUF_OK);
		n++;
	}
	fclose(f);
	assert_non_null(t = buf_steal(&b));
	buf_free(&b);
	/* One edit, a word for another of the same length. */
	if (from != NULL && (at = strstr(t, from)) != NULL) {
		assert_int_equal(strlen(from), strlen(to));
		memcpy(at, to, strlen(to));
	}
	return t;
}

/*
 * Chinese and Japanese do not space their words, Korean spaces phrases:
 * read as character bigrams, a copy with a few characters changed is a
 * near duplicate, a brief is contained, two stories on one topic stay
 * two.
 */
static void
test_cjk(void **unused)
{
	static const struct {
		const char	*a, *b;		/* one topic */
		const char	*from, *to;	/* a copy's edit */
	} langs[] = {
		{ "41-lanjiang-floods.txt", "42-lanjiang-relief.txt",
		    "四万名", "五万名" },
		{ "43-kanto-rail.txt", "44-kanto-typhoon.txt",
		    "十万人", "八万人" },
		{ "45-hanbit-strike.txt", "46-hanbit-wages.txt",
		    "3천 대", "4천 대" },
	};
	struct dedup_params	 p;
	struct dedup_fp		 a, copy, brief, other, w;
	char			*t;
	size_t			 i;

	(void)unused;
	dedup_params_default(&p);
	/* 今天 天天 天气 气很 很好: five units, three shingles. */
	fp("今天天气很好", NULL, &w);
	assert_int_equal(w.nshingles, 3);
	/* 日本 本の, then a word of Latin letters, then が alone. */
	fp("日本のiPhone15が", NULL, &w);
	assert_int_equal(w.nshingles, 2);
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		fp(t = dupset_story(langs[i].a, 6, NULL, NULL), NULL, &a);
		free(t);
		fp(t = dupset_story(langs[i].a, 5, langs[i].from,
		    langs[i].to), NULL, &copy);
		assert_non_null(strstr(t, langs[i].to));
		free(t);
		fp(t = dupset_story(langs[i].a, 2, NULL, NULL), NULL, &brief);
		free(t);
		fp(t = dupset_story(langs[i].b, 6, NULL, NULL), NULL, &other);
		free(t);
		assert_true(a.nshingles > 200);
		assert_int_equal(dedup_compare(&p, &a, &copy, NULL, NULL),
		    DEDUP_NEAR);
		assert_int_equal(dedup_compare(&p, &brief, &a, NULL, NULL),
		    DEDUP_CONTAINED);
		assert_int_equal(dedup_compare(&p, &a, &other, NULL, NULL),
		    DEDUP_DISTINCT);
	}
}

static void
test_index(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	struct dedup_match	 m;
	struct dedup_fp		 f[3], q;
	char			*t[3], *v;
	size_t			 i;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(x = dedup_new(&p));
	for (i = 0; i < 3; i++) {
		t[i] = text(10 + i, 300);
		fp(t[i], NULL, &f[i]);
	}
	assert_int_equal(dedup_add(x, "aaaa", 100, &f[0]), 0);
	assert_int_equal(dedup_add(x, "bbbb", 200, &f[1]), 0);
	assert_int_equal(dedup_add(x, "cccc", 300, &f[2]), 0);
	assert_int_equal(dedup_count(x), 3);
	assert_true(dedup_memory(x) > 3 * sizeof(struct dedup_fp));
	/* Bad ids. */
	assert_int_equal(dedup_add(x, "", 1, &f[0]), -1);
	assert_int_equal(dedup_add(x, "0123456789abcdef0", 1, &f[0]), -1);

	/* The exact text, and a copy that lost its last quarter. */
	assert_int_equal(dedup_find(x, &f[1], &m), 1);
	assert_string_equal(m.id, "bbbb");
	assert_int_equal(m.verdict, DEDUP_SAME_TEXT);
	assert_int_equal(m.time, 200);
	assert_non_null(v = strdup(t[2]));
	v[strlen(v) * 3 / 4] = '\0';
	fp(v, NULL, &q);
	assert_int_equal(dedup_find(x, &q, &m), 1);
	assert_string_equal(m.id, "cccc");
	assert_int_equal(m.verdict, DEDUP_NEAR);
	assert_true(m.similarity >= p.far_similarity);
	free(v);

	/* Something else entirely. */
	v = text(99, 300);
	fp(v, NULL, &q);
	assert_int_equal(dedup_find(x, &q, &m), 0);
	free(v);

	/* The window: what is older than 250 goes, slots are reused. */
	assert_int_equal(dedup_expire(x, 250), 2);
	assert_int_equal(dedup_count(x), 1);
	assert_int_equal(dedup_find(x, &f[1], &m), 0);
	assert_int_equal(dedup_find(x, &f[2], &m), 1);
	assert_int_equal(dedup_add(x, "dddd", 400, &f[0]), 0);
	assert_int_equal(dedup_find(x, &f[0], &m), 1);
	assert_string_equal(m.id, "dddd");
	assert_int_equal(dedup_expire(x, 1000), 2);
	assert_int_equal(dedup_count(x), 0);
	assert_int_equal(dedup_find(x, &f[2], &m), 0);
	for (i = 0; i < 3; i++)
		free(t[i]);
	dedup_free(x);
}

/* The best match wins: exact before near, then the most similar. */
static void
test_index_best(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	struct dedup_match	 m;
	struct dedup_fp		 a, b;
	char			*t = text(20, 400), *v;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(x = dedup_new(&p));
	assert_non_null(v = strdup(t));
	memcpy(v + 600, "xyz", 3);
	fp(t, NULL, &a);
	fp(v, NULL, &b);
	assert_int_equal(dedup_add(x, "near", 1, &b), 0);
	assert_int_equal(dedup_add(x, "same", 2, &a), 0);
	assert_int_equal(dedup_find(x, &a, &m), 1);
	assert_string_equal(m.id, "same");
	dedup_free(x);
	free(t);
	free(v);
}

/* Text-less stories in the index: found by their exact title only. */
static void
test_index_titles(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	struct dedup_match	 m;
	struct dedup_fp		 a, b, c;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(x = dedup_new(&p));
	fp(NULL, "Minister resigns over leaked memo", &a);
	fp(NULL, "Minister Resigns Over Leaked Memo", &b);
	fp(NULL, "Minister resigns over leaked memos", &c);
	assert_int_equal(dedup_add(x, "t1", 1, &a), 0);
	assert_int_equal(dedup_find(x, &b, &m), 1);
	assert_string_equal(m.id, "t1");
	assert_int_equal(m.verdict, DEDUP_SAME_TITLE);
	assert_int_equal(dedup_find(x, &c, &m), 0);
	dedup_free(x);
}

/* Without MinHash bands only the SimHash tables find candidates. */
static void
test_index_params(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	struct dedup_match	 m;
	struct dedup_fp		 a, b;
	char			*t = text(30, 400);

	(void)unused;
	dedup_params_default(&p);
	p.max_distance = DEDUP_MAX_DISTANCE + 1;
	assert_null(dedup_new(&p));
	dedup_params_default(&p);
	p.max_distance = 0;
	p.far_similarity = 2.0;
	p.min_containment = 2.0;
	assert_non_null(x = dedup_new(&p));
	fp(t, NULL, &a);
	t[strlen(t) / 2] = '\0';
	fp(t, NULL, &b);
	assert_true(dedup_distance(&a, &b) > 0);
	assert_int_equal(dedup_add(x, "full", 1, &a), 0);
	assert_int_equal(dedup_find(x, &b, &m), 0);
	assert_int_equal(dedup_find(x, &a, &m), 1);
	dedup_free(x);
	/* Containment alone keeps the bands: the first half is a part. */
	p.min_containment = 0.7;
	assert_non_null(x = dedup_new(&p));
	assert_int_equal(dedup_add(x, "full", 1, &a), 0);
	assert_int_equal(dedup_find(x, &b, &m), 1);
	assert_int_equal(m.verdict, DEDUP_CONTAINED);
	assert_true(m.containment > 0.9);
	dedup_free(x);
	free(t);
}

/* Many stories: slots grow, chains stay consistent through expiry. */
static void
test_index_many(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*x;
	struct dedup_match	 m;
	struct dedup_fp		 f;
	char			 id[DEDUP_ID_LEN + 1], *t;
	int			 i, r;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(x = dedup_new(&p));
	for (i = 0; i < 3000; i++) {
		t = text(1000 + (uint64_t)i, 60);
		fp(t, NULL, &f);
		free(t);
		r = snprintf(id, sizeof(id), "%d", i);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_int_equal(dedup_add(x, id, i, &f), 0);
	}
	assert_int_equal(dedup_expire(x, 1500), 1500);
	for (i = 0; i < 3000; i += 97) {
		t = text(1000 + (uint64_t)i, 60);
		fp(t, NULL, &f);
		free(t);
		r = dedup_find(x, &f, &m);
		assert_int_equal(r, i >= 1500);
		if (r) {
			assert_int_equal(m.time, i);
			assert_int_equal(m.verdict, DEDUP_SAME_TEXT);
		}
	}
	dedup_free(x);
}

/* The sketches of test_index_loader's stories, by id: "s<number>". */
#define LOADER_STORIES	400
static struct dedup_fp	 loader_fps[LOADER_STORIES];
static unsigned		 loader_calls;

static int
loader_sketch(void *arg, const char *id, uint8_t sketch[DEDUP_SKETCH])
{
	char	*end;
	long	 i;

	assert_ptr_equal(arg, loader_fps);
	loader_calls++;
	assert_true(id[0] == 's');
	i = strtol(id + 1, &end, 10);
	assert_true(*end == '\0' && i >= 0 && i < LOADER_STORIES);
	memcpy(sketch, loader_fps[i].sketch, DEDUP_SKETCH);
	return 0;
}

/*
 * An index whose sketches come from a loader decides as one that holds
 * them: full stories, their briefs, edited copies and others, every
 * answer the same, containment included; and it holds less.
 */
static void
test_index_loader(void **unused)
{
	struct dedup_params	 p;
	struct dedup_index	*mem, *cold;
	struct dedup_match	 a, b;
	struct dedup_fp		 q;
	char			 id[DEDUP_ID_LEN + 1], *t, *s;
	int			 i, r, found = 0, parts = 0;

	(void)unused;
	dedup_params_default(&p);
	assert_non_null(mem = dedup_new(&p));
	assert_non_null(cold = dedup_new(&p));
	assert_int_equal(dedup_sketches_from(cold, loader_sketch, loader_fps),
	    0);
	for (i = 0; i < LOADER_STORIES; i++) {
		t = text(5000 + (uint64_t)i, 300);
		fp(t, NULL, &loader_fps[i]);
		free(t);
		r = snprintf(id, sizeof(id), "s%d", i);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_int_equal(dedup_add(mem, id, i, &loader_fps[i]), 0);
		assert_int_equal(dedup_add(cold, id, i, &loader_fps[i]), 0);
	}
	assert_int_equal(dedup_sketches_from(cold, loader_sketch, loader_fps),
	    -1);
	for (i = 0; i < 3 * LOADER_STORIES; i++) {
		t = text(5000 + (uint64_t)(i % (LOADER_STORIES + 50)), 300);
		switch (i / LOADER_STORIES) {
		case 0:		/* a brief: the first 120 words */
			s = first_words(t, 120);
			break;
		case 1:		/* a copy with its end cut */
			s = first_words(t, 230);
			break;
		default:	/* the same text */
			assert_non_null(s = strdup(t));
			break;
		}
		free(t);
		fp(s, NULL, &q);
		free(s);
		r = dedup_find(mem, &q, &a);
		assert_int_equal(dedup_find(cold, &q, &b), r);
		if (r == 0)
			continue;
		found++;
		parts += a.verdict == DEDUP_CONTAINED;
		assert_string_equal(a.id, b.id);
		assert_int_equal(a.time, b.time);
		assert_int_equal(a.distance, b.distance);
		assert_true(a.similarity == b.similarity);
		assert_true(a.containment == b.containment);
		assert_int_equal(a.verdict, b.verdict);
	}
	assert_true(found >= 3 * LOADER_STORIES * 8 / 10);
	assert_true(parts > 0);
	assert_true(loader_calls > 0);
	assert_true(dedup_memory(cold) + LOADER_STORIES * DEDUP_SKETCH <=
	    dedup_memory(mem));
	dedup_free(mem);
	dedup_free(cold);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash64),
		cmocka_unit_test(test_same_text),
		cmocka_unit_test(test_unicode_words),
		cmocka_unit_test(test_near_and_distinct),
		cmocka_unit_test(test_titles_only),
		cmocka_unit_test(test_tiny_texts),
		cmocka_unit_test(test_teasers),
		cmocka_unit_test(test_containment),
		cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_index_best),
		cmocka_unit_test(test_index_titles),
		cmocka_unit_test(test_index_params),
		cmocka_unit_test(test_index_many),
		cmocka_unit_test(test_index_loader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
