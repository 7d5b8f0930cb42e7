/*
 * test_watch: the watch matcher: folding, word boundaries, phrases,
 * patterns, exclude terms, where a watch looks, and what a story gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/story.h"
#include "daemon/watch.h"

/* One watch named "w" of the terms (NULL-ended), ready. */
static struct watch *
one_watch(const char *const *terms, const char *const *excl, unsigned where)
{
	struct watch	*wt;
	size_t		 i;

	assert_non_null(wt = watch_new());
	assert_int_equal(watch_begin(wt, "w"), 0);
	if (where != 0)
		watch_where(wt, where);
	for (i = 0; terms != NULL && terms[i] != NULL; i++)
		assert_int_equal(watch_term(wt, terms[i], 0), 0);
	for (i = 0; excl != NULL && excl[i] != NULL; i++)
		assert_int_equal(watch_term(wt, excl[i], 1), 0);
	assert_int_equal(watch_ready(wt), 0);
	return wt;
}

/* How many watches the title (and text) match; the first hit's terms. */
static size_t
match(struct watch *wt, const char *title, const char *text,
    const struct watch_hit **first)
{
	struct watch_text	 t;
	const struct watch_hit	*hits;
	size_t			 n;

	memset(&t, 0, sizeof(t));
	t.title = title;
	t.text = text;
	assert_int_equal(watch_match(wt, &t, &hits, &n), 0);
	if (first != NULL)
		*first = n > 0 ? &hits[0] : NULL;
	return n;
}

static void
test_fold_and_boundaries(void **state)
{
	static const char *const terms[] = { "Taiwan", "sea", NULL };
	struct watch	*wt = one_watch(terms, NULL, 0);

	(void)state;
	assert_int_equal(match(wt, "TAIWAN's election", NULL, NULL), 1);
	assert_int_equal(match(wt, "Ta\xc3\xafwan", NULL, NULL), 1);
	/* A combining diaeresis, not a precomposed letter. */
	assert_int_equal(match(wt, "Tai\xcc\x88wan", NULL, NULL), 1);
	assert_int_equal(match(wt, "\xef\xbc\xb4\xef\xbd\x81iwan", NULL,
	    NULL), 1);	/* fullwidth "Ta" */
	assert_int_equal(match(wt, "Seattle rains", NULL, NULL), 0);
	assert_int_equal(match(wt, "Taiwanese chips", NULL, NULL), 0);
	assert_int_equal(match(wt, "out at sea.", NULL, NULL), 1);
	assert_int_equal(match(wt, "(SEA)", NULL, NULL), 1);
	assert_int_equal(match(wt, "", "", NULL), 0);
	assert_int_equal(match(wt, NULL, NULL, NULL), 0);
	watch_free(wt);
}

static void
test_phrases(void **state)
{
	static const char *const terms[] = { "Red Sea", "export controls",
	    NULL };
	struct watch		*wt = one_watch(terms, NULL, 0);
	const struct watch_hit	*h;

	(void)state;
	assert_int_equal(match(wt, "Ships in the red sea", NULL, &h), 1);
	assert_int_equal(h->nterms, 1);
	assert_string_equal(h->terms[0], "Red Sea");
	assert_int_equal(h->where, WATCH_TITLE);
	assert_int_equal(match(wt, "RED-SEA shipping", NULL, NULL), 1);
	assert_int_equal(match(wt, "red, then sea", NULL, NULL), 0);
	assert_int_equal(match(wt, "the sea is red", NULL, NULL), 0);
	assert_int_equal(match(wt, "ends with red", NULL, NULL), 0);
	assert_int_equal(match(wt, "Red Seattle", NULL, NULL), 0);
	assert_int_equal(match(wt, "new Export Controls on chips",
	    "red sea", &h), 1);
	/* Both terms, in the order of the config, and both fields. */
	assert_int_equal(h->nterms, 2);
	assert_string_equal(h->terms[0], "Red Sea");
	assert_string_equal(h->terms[1], "export controls");
	assert_int_equal(h->where, WATCH_TITLE | WATCH_TEXT);
	watch_free(wt);
}

static void
test_shared_first_word(void **state)
{
	struct watch		*wt;
	const struct watch_hit	*hits;
	struct watch_text	 t;
	size_t			 n;

	(void)state;
	assert_non_null(wt = watch_new());
	assert_int_equal(watch_begin(wt, "a"), 0);
	assert_int_equal(watch_term(wt, "south china sea", 0), 0);
	assert_int_equal(watch_begin(wt, "b"), 0);
	assert_int_equal(watch_term(wt, "south", 0), 0);
	assert_int_equal(watch_term(wt, "south korea", 0), 0);
	assert_int_equal(watch_ready(wt), 0);
	memset(&t, 0, sizeof(t));
	t.title = "Drills in the South China Sea";
	assert_int_equal(watch_match(wt, &t, &hits, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(hits[0].name, "a");
	assert_int_equal(hits[0].index, 0);
	assert_string_equal(hits[1].name, "b");
	assert_int_equal(hits[1].nterms, 1);
	assert_string_equal(hits[1].terms[0], "south");
	t.title = "South Korea";
	assert_int_equal(watch_match(wt, &t, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].nterms, 2);
	assert_int_equal(watch_find(wt, "b"), 1);
	assert_int_equal(watch_find(wt, "c"), -1);
	watch_free(wt);
}

static void
test_patterns(void **state)
{
	struct watch		*wt;
	const struct watch_hit	*h;
	char			 err[256];

	(void)state;
	assert_non_null(wt = watch_new());
	assert_int_equal(watch_begin(wt, "w"), 0);
	assert_int_equal(watch_pattern(wt, "\\bsemiconductor(s)?\\b", err,
	    sizeof(err)), 0);
	assert_int_equal(watch_pattern(wt, "\\bpr\\p{L}sident", err,
	    sizeof(err)), 0);
	assert_int_equal(watch_pattern(wt, "(unclosed", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "offset 9"));
	assert_non_null(strstr(err, "missing closing parenthesis"));
	assert_int_equal(watch_size(wt, 0), 2);
	assert_int_equal(watch_ready(wt), 0);
	assert_int_equal(match(wt, "SEMICONDUCTORS and more", NULL, &h), 1);
	assert_string_equal(h->terms[0], "\\bsemiconductor(s)?\\b");
	assert_int_equal(match(wt, "semiconductorsx", NULL, NULL), 0);
	/* Caseless on Unicode: É is é. */
	assert_int_equal(match(wt, NULL, "le PR\xc3\x89SIDENT", &h), 1);
	assert_int_equal(h->where, WATCH_TEXT);
	/* Invalid UTF-8 in the text does not stop the match. */
	assert_int_equal(match(wt, "\xff semiconductor", NULL, NULL), 1);
	watch_free(wt);
}

static void
test_exclude(void **state)
{
	static const char *const terms[] = { "Taiwan", NULL };
	static const char *const excl[] = { "Taiwan Semiconductor", "sport",
	    NULL };
	struct watch	*wt = one_watch(terms, excl, 0);

	(void)state;
	assert_int_equal(match(wt, "Taiwan votes", NULL, NULL), 1);
	assert_int_equal(match(wt, "Taiwan Semiconductor earnings", NULL,
	    NULL), 0);
	assert_int_equal(match(wt, "Taiwan", "SPORT results", NULL), 0);
	assert_int_equal(match(wt, "Taiwan", "sports results", NULL), 1);
	watch_free(wt);
}

static void
test_where(void **state)
{
	static const char *const terms[] = { "Taiwan", NULL };
	static const char *const cats[] = { "Asia", "Taiwan Strait" };
	struct watch		*wt = one_watch(terms, NULL,
	    WATCH_TITLE | WATCH_CATEGORIES);
	struct watch_text	 t;
	const struct watch_hit	*hits;
	size_t			 n;

	(void)state;
	assert_int_equal(match(wt, NULL, "Taiwan", NULL), 0);
	assert_int_equal(match(wt, "Taiwan", "Taiwan", NULL), 1);
	memset(&t, 0, sizeof(t));
	t.text = "Taiwan";
	t.categories = cats;
	t.ncategories = 2;
	assert_int_equal(watch_match(wt, &t, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].where, WATCH_CATEGORIES);
	watch_free(wt);
}

/* A phrase never spans two categories. */
static void
test_categories_apart(void **state)
{
	static const char *const terms[] = { "red sea", NULL };
	static const char *const cats[] = { "Red", "Sea" };
	struct watch		*wt = one_watch(terms, NULL, 0);
	struct watch_text	 t;
	const struct watch_hit	*hits;
	size_t			 n;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.categories = cats;
	t.ncategories = 2;
	assert_int_equal(watch_match(wt, &t, &hits, &n), 0);
	assert_int_equal(n, 0);
	watch_free(wt);
}

static void
test_no_words(void **state)
{
	struct watch	*wt;

	(void)state;
	assert_non_null(wt = watch_new());
	assert_int_equal(watch_begin(wt, "w"), 0);
	assert_int_equal(watch_term(wt, " -- ", 0), 1);
	assert_int_equal(watch_term(wt, "", 1), 1);
	assert_int_equal(watch_size(wt, 0), 0);
	assert_int_equal(watch_ready(wt), 0);
	assert_int_equal(match(wt, "anything", NULL, NULL), 0);
	watch_free(wt);
}

/* Many terms: all found through the hash, each only where it is. */
static void
test_many(void **state)
{
	struct watch	*wt;
	char		 term[64], title[64];
	size_t		 i;

	(void)state;
	assert_non_null(wt = watch_new());
	assert_int_equal(watch_begin(wt, "w"), 0);
	for (i = 0; i < 2000; i++) {
		(void)snprintf(term, sizeof(term), "word%zu next%zu", i, i % 7);
		assert_int_equal(watch_term(wt, term, 0), 0);
	}
	assert_int_equal(watch_ready(wt), 0);
	for (i = 0; i < 2000; i += 97) {
		(void)snprintf(title, sizeof(title), "x WORD%zu next%zu y", i,
		    i % 7);
		assert_int_equal(match(wt, title, NULL, NULL), 1);
		(void)snprintf(title, sizeof(title), "x word%zu next%zu y", i,
		    (i + 1) % 7);
		assert_int_equal(match(wt, title, NULL, NULL), 0);
	}
	watch_free(wt);
}

static void
test_story(void **state)
{
	static const char *const terms[] = { "Taiwan", "Red Sea", NULL };
	struct watch		*wt = one_watch(terms, NULL, 0);
	const struct watch_hit	*hits;
	struct story		*s, *back;
	char			*json, *cat = NULL;
	size_t			 n;

	(void)state;
	assert_non_null(s = calloc(1, sizeof(*s)));
	memcpy(s->id, "0123456789abcdef", STORY_ID_LEN + 1);
	assert_non_null(s->feed_name = strdup("f"));
	assert_non_null(s->title = strdup("Taiwan talks"));
	assert_non_null(s->text = strdup("nothing"));
	assert_non_null(s->categories = calloc(1, sizeof(*s->categories)));
	assert_non_null(cat = strdup("Red Sea"));
	s->categories[s->ncategories++] = cat;
	assert_int_equal(watch_story(wt, s, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(s->nwatch, 1);
	assert_int_equal(s->watch[0].nterms, 2);
	assert_int_equal(s->watch[0].where,
	    STORY_WHERE_TITLE | STORY_WHERE_CATEGORIES);
	assert_non_null(json = story_dump(s, NULL));
	assert_non_null(strstr(json, "\"watch\": [\n    {\n      \"name\": "
	    "\"w\",\n      \"terms\": [\n        \"Taiwan\",\n        "
	    "\"Red Sea\"\n      ],\n      \"where\": [\n        \"title\",\n"
	    "        \"categories\"\n      ]\n    }\n  ]\n}"));
	assert_non_null(back = story_load(json));
	assert_int_equal(back->nwatch, 1);
	assert_string_equal(back->watch[0].name, "w");
	assert_int_equal(back->watch[0].nterms, 2);
	assert_int_equal(back->watch[0].where, s->watch[0].where);
	free(json);
	story_free(back);
	/* Matched again, to nothing: the field goes. */
	free(s->title);
	s->title = NULL;
	free(s->categories[0]);
	s->ncategories = 0;
	assert_int_equal(watch_story(wt, s, &hits, &n), 0);
	assert_int_equal(s->nwatch, 0);
	assert_non_null(json = story_dump(s, NULL));
	assert_null(strstr(json, "\"watch\""));
	free(json);
	story_free(s);
	watch_free(wt);
}

/* keep = watch and drop = W,... on the hits of a story. */
static void
test_drops(void **state)
{
	struct watch_hit	 h[2];
	static const size_t	 drop1[] = { 1 };
	static const size_t	 drop2[] = { 3, 0 };

	(void)state;
	memset(h, 0, sizeof(h));
	h[0].index = 0;
	h[1].index = 2;
	assert_int_equal(watch_drops(h, 0, 0, NULL, 0), 0);
	assert_int_equal(watch_drops(h, 0, 1, NULL, 0), 1);
	assert_int_equal(watch_drops(h, 2, 1, NULL, 0), 0);
	assert_int_equal(watch_drops(h, 2, 1, drop1, 1), 0);
	assert_int_equal(watch_drops(h, 2, 0, drop2, 2), 1);
	assert_int_equal(watch_drops(&h[1], 1, 1, drop2, 2), 0);
	assert_int_equal(watch_drops(h, 0, 0, drop2, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_and_boundaries),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_shared_first_word),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_categories_apart),
		cmocka_unit_test(test_no_words),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_story),
		cmocka_unit_test(test_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
