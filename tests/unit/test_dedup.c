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

/*
 * Chinese and Japanese do not space their words, Korean spaces phrases:
 * a run of Han, kana or Hangul is read as its character bigrams.
 */
static void
test_cjk_bigrams(void **unused)
{
	struct dedup_fp	 w;

	(void)unused;
	/* 今天 天天 天气 气很 很好: five units, three shingles. */
	fp("今天天气很好", NULL, &w);
	assert_int_equal(w.nshingles, 3);
	/* 日本 本の, then a word of Latin letters, then が alone. */
	fp("日本のiPhone15が", NULL, &w);
	assert_int_equal(w.nshingles, 2);
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
	assert_non_null(x = dedup_new(&p));
	fp(t, NULL, &a);
	t[strlen(t) / 2] = '\0';
	fp(t, NULL, &b);
	assert_true(dedup_distance(&a, &b) > 0);
	assert_int_equal(dedup_add(x, "full", 1, &a), 0);
	assert_int_equal(dedup_find(x, &b, &m), 0);
	assert_int_equal(dedup_find(x, &a, &m), 1);
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
		cmocka_unit_test(test_cjk_bigrams),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_index_best),
		cmocka_unit_test(test_index_titles),
		cmocka_unit_test(test_index_params),
		cmocka_unit_test(test_index_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
