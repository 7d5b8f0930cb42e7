/*
 * Story files: the item key the state store uses, and the JSON layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "parsers/extract.h"
#include "daemon/story.h"

/* The file of an item's story, as the daemon would spool it. */
static char *
story_json(const char *id, const struct story_feed *sf,
    const struct feed_item *it, int64_t fetched, const struct story_hints *h)
{
	struct story	*st;
	char		*s;

	if ((st = story_from_item(id, sf, it, fetched, h, 1, NULL)) == NULL)
		return NULL;
	s = story_dump(st, NULL);
	story_free(st);
	return s;
}

/* The story of an item, completed by a page, as a file. */
static char *
story_json_page(const struct story_feed *sf, const struct feed_item *it,
    const struct extract *ex, int *used)
{
	struct story	*st;
	char		*s;

	if ((st = story_from_item("00000000000000bb", sf, it, 0, NULL, 1,
	    NULL)) == NULL)
		return NULL;
	assert_int_equal(story_add_page(st, ex, NULL, used), 0);
	s = story_dump(st, NULL);
	story_free(st);
	return s;
}

static struct feed_item
item(void)
{
	struct feed_item	 it;

	memset(&it, 0, sizeof(it));
	it.published = FEED_NODATE;
	it.updated = FEED_NODATE;
	return it;
}

static void
test_key_prefers_guid_then_link(void **unused)
{
	struct feed_item	 it = item();
	char			*k;

	(void)unused;
	it.id = (char *)"urn:uuid:1";
	it.link = (char *)"https://example.org/a";
	it.title = (char *)"A";
	assert_non_null(k = story_key(&it));
	assert_string_equal(k, "urn:uuid:1");
	free(k);
	it.id = (char *)"";	/* an empty guid is no guid */
	assert_non_null(k = story_key(&it));
	assert_string_equal(k, "https://example.org/a");
	free(k);
}

static void
test_key_hashes_title_and_date(void **unused)
{
	struct feed_item	 it = item();
	char			*k1, *k2, *k3;

	(void)unused;
	it.title = (char *)"Summit ends";
	it.published = 1686700000;
	assert_non_null(k1 = story_key(&it));
	assert_int_equal(strlen(k1), 18);
	assert_memory_equal(k1, "h:", 2);
	/* Stable across calls, different for another date or title. */
	assert_non_null(k2 = story_key(&it));
	assert_string_equal(k1, k2);
	it.published = 1686700001;
	assert_non_null(k3 = story_key(&it));
	assert_string_not_equal(k1, k3);
	free(k1);
	free(k2);
	free(k3);
}

static void
test_key_too_long_is_hashed(void **unused)
{
	struct feed_item	 it = item();
	char			*guid, *k;

	(void)unused;
	assert_non_null(guid = malloc(STORY_KEY_MAX + 2));
	memset(guid, 'g', STORY_KEY_MAX + 1);
	guid[STORY_KEY_MAX + 1] = '\0';
	it.id = guid;
	assert_non_null(k = story_key(&it));
	assert_int_equal(strlen(k), 18);
	free(k);
	free(guid);
}

static void
test_json_fields(void **unused)
{
	struct feed_item	 it = item();
	struct feed_person	 au = { (char *)"Jane Doe", NULL, NULL };
	struct feed_category	 cat = { (char *)"Asia", NULL, NULL };
	struct feed_enclosure	 enc = { (char *)"https://example.org/a.jpg",
	    (char *)"image/jpeg", NULL };
	struct story_feed	 sf = { "world", "https://example.org/feed",
	    "Example World", "en" };
	json_t			*o, *e0;
	json_error_t		 e;
	char			*s;

	(void)unused;
	it.id = (char *)"g1";
	it.link = (char *)"https://example.org/a";
	it.title = (char *)"Talks resume";
	it.summary = (char *)"<p>Talks resumed on <b>Monday</b>.</p><p>Second.</p>";
	it.published = 1686700800;	/* 2023-06-14T00:00:00Z */
	it.authors = &au;
	it.nauthors = 1;
	it.categories = &cat;
	it.ncategories = 1;
	it.enclosures = &enc;
	it.nenclosures = 1;
	assert_non_null(s = story_json("0123456789abcdef", &sf, &it, 1686701000,
	    NULL));
	assert_non_null(o = json_loads(s, 0, &e));
	assert_int_equal(json_integer_value(json_object_get(o, "schema")), STORY_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "0123456789abcdef");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "feed"), "name")), "world");
	assert_string_equal(json_string_value(json_object_get(o, "url")), "https://example.org/a");
	assert_string_equal(json_string_value(json_object_get(o, "guid")), "g1");
	assert_string_equal(json_string_value(json_object_get(o, "published")), "2023-06-14T00:00:00Z");
	assert_true(json_is_null(json_object_get(o, "updated")));
	assert_true(json_is_null(json_object_get(o, "content")));
	assert_string_equal(json_string_value(json_object_get(o, "fetched")), "2023-06-14T00:03:20Z");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "authors"), 0), "name")), "Jane Doe");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "categories"), 0)), "Asia");
	e0 = json_array_get(json_object_get(o, "enclosures"), 0);
	assert_string_equal(json_string_value(json_object_get(e0, "url")), "https://example.org/a.jpg");
	assert_string_equal(json_string_value(json_object_get(e0, "type")), "image/jpeg");
	assert_true(json_is_null(json_object_get(e0, "length")));
	/* text: the summary's plain text, paragraphs apart; language from the feed. */
	assert_string_equal(json_string_value(json_object_get(o, "text")),
	    "Talks resumed on Monday.\n\nSecond.");
	assert_string_equal(json_string_value(json_object_get(o, "language")), "en");
	assert_string_equal(json_string_value(json_object_get(o, "text_source")), "feed");
	assert_int_equal(json_integer_value(json_object_get(o, "word_count")), 5);
	assert_true(json_is_null(json_object_get(o, "html")));
	json_decref(o);
	free(s);
}

/* The feed's title tag goes when a learned tag names it. */
static void
test_json_title_tag(void **unused)
{
	struct feed_item	 it = item();
	struct story_feed	 sf = { "w", "https://example.org/feed", "Example",
	    "en" };
	const char		*tags[] = { "ltc-a" };
	struct story_hints	 h = { "example.org", tags, 1, NULL, 0 };
	json_t			*o;
	json_error_t		 e;
	char			*s;

	(void)unused;
	it.id = (char *)"g2";
	it.title = (char *)"Kyiv - a year on | ltc-a";
	assert_non_null(s = story_json("00000000000000aa", &sf, &it, 0, &h));
	assert_non_null(o = json_loads(s, 0, &e));
	assert_string_equal(json_string_value(json_object_get(o, "title")),
	    "Kyiv - a year on");
	json_decref(o);
	free(s);
}

/* The page wins with more text; the feed keeps its values. */
static void
test_add_page(void **unused)
{
	struct feed_item	 it = item();
	struct story_feed	 sf = { "w", "https://example.org/feed", "Example",
	    NULL };
	struct extract		 ex;
	json_t			*o;
	json_error_t		 e;
	char			*s, *t;
	int			 used;

	(void)unused;
	it.id = (char *)"g3";
	it.title = (char *)"Talks resume";
	it.summary = (char *)"Short teaser.";
	it.published = 1686700800;
	assert_non_null(s = story_json("00000000000000bb", &sf, &it, 0, NULL));
	memset(&ex, 0, sizeof(ex));
	ex.title = (char *)"Talks resume | Example News";
	ex.site_name = (char *)"Example News";
	ex.byline = (char *)"Jane Doe";
	ex.published = 1600000000;
	ex.modified = 1686800000;
	ex.canonical_url = (char *)"https://example.org/talks";
	ex.language = (char *)"en";
	ex.text = (char *)"Talks resume\n\nThe talks resumed on Monday , "
	    "both sides said . .\n\nA second paragraph follows.";
	ex.html = (char *)"<p>The talks resumed on Monday.</p>";
	assert_non_null(t = story_json_page(&sf, &it, &ex, &used));
	assert_true(used);
	assert_non_null(o = json_loads(t, 0, &e));
	assert_string_equal(json_string_value(json_object_get(o, "text_source")), "article");
	/* The repeated headline goes, the text is normalised. */
	assert_string_equal(json_string_value(json_object_get(o, "text")),
	    "The talks resumed on Monday, both sides said.\n\n"
	    "A second paragraph follows.");
	/* The feed's date wins; the page fills what the feed lacked. */
	assert_string_equal(json_string_value(json_object_get(o, "published")), "2023-06-14T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "updated")), "2023-06-15T03:33:20Z");
	assert_string_equal(json_string_value(json_object_get(o, "byline")), "Jane Doe");
	assert_string_equal(json_string_value(json_object_get(o, "site_name")), "Example News");
	assert_string_equal(json_string_value(json_object_get(o, "canonical_url")), "https://example.org/talks");
	assert_string_equal(json_string_value(json_object_get(o, "language")), "en");
	assert_string_equal(json_string_value(json_object_get(o, "title")), "Talks resume");
	assert_int_equal(json_integer_value(json_object_get(o, "word_count")), 12);
	json_decref(o);
	free(t);

	/* A page with less text than the feed leaves the feed's text. */
	ex.text = (char *)"Tiny.";
	assert_non_null(t = story_json_page(&sf, &it, &ex, &used));
	assert_false(used);
	assert_non_null(o = json_loads(t, 0, &e));
	assert_string_equal(json_string_value(json_object_get(o, "text_source")), "feed");
	assert_string_equal(json_string_value(json_object_get(o, "text")), "Short teaser.");
	json_decref(o);
	free(t);
	free(s);
}

/* A story read back (a pending one after a restart) dumps to the same bytes. */
static void
test_load_round_trip(void **unused)
{
	struct feed_item	 it = item();
	struct feed_person	 au[2] = { { (char *)"Jane Doe", (char *)"j@example.org", NULL },
	    { (char *)"Ann Roe", NULL, (char *)"https://example.org/ann" } };
	struct feed_category	 cat[2] = { { (char *)"Asia", NULL, NULL },
	    { (char *)"Trade", NULL, NULL } };
	struct feed_enclosure	 enc = { (char *)"https://example.org/a.jpg",
	    (char *)"image/jpeg", (char *)"1234" };
	struct story_feed	 sf = { "world", "https://example.org/feed",
	    "Example World", "en" };
	struct extract		 ex;
	struct story		*st, *back;
	char			*a, *b;
	int			 used;

	(void)unused;
	it.id = (char *)"g9";
	it.link = (char *)"https://example.org/a";
	it.title = (char *)"Talks \"resume\" | Example World";
	it.summary = (char *)"<p>Short.</p>";
	it.content = (char *)"<p>Talks resumed on <b>Monday</b>.</p>";
	it.published = 1686700800;
	it.authors = au;
	it.nauthors = 2;
	it.categories = cat;
	it.ncategories = 2;
	it.enclosures = &enc;
	it.nenclosures = 1;
	assert_non_null(st = story_from_item("0123456789abcdef", &sf, &it,
	    1686701000, NULL, 3, "00000000000000aa"));
	/* Hashed while built, as story_content_hash() hashes the item. */
	assert_true(st->content_hash == story_content_hash(&it));
	assert_non_null(a = story_dump(st, NULL));
	assert_non_null(back = story_load(a));
	assert_non_null(b = story_dump(back, NULL));
	assert_string_equal(a, b);
	free(b);
	story_free(back);
	free(a);

	/* Completed by its page, and marked a duplicate. */
	memset(&ex, 0, sizeof(ex));
	ex.site_name = (char *)"Example News";
	ex.modified = 1686800000;
	ex.canonical_url = (char *)"https://example.org/talks";
	ex.text = (char *)"The talks resumed on Monday, both sides said.\n\n"
	    "A second paragraph follows with more words.";
	ex.html = (char *)"<p>The talks resumed on Monday.</p>";
	assert_int_equal(story_add_page(st, &ex, NULL, &used), 0);
	assert_true(used);
	assert_int_equal(story_mark_duplicate(st, "00000000000000cc",
	    "same URL"), 0);
	assert_non_null(a = story_dump(st, NULL));
	assert_non_null(strstr(a, "\"duplicate_reason\": \"same URL\""));
	assert_non_null(back = story_load(a));
	assert_int_equal(back->source, STORY_FROM_ARTICLE);
	assert_int_equal(back->revision, 3);
	assert_string_equal(back->duplicate_of, "00000000000000cc");
	story_free(back);
	free(a);
	/* Not a copy after all, but the fuller text of a brief. */
	story_unmark(st);
	assert_int_equal(story_supersede(st, "00000000000000dd", "contains"),
	    0);
	assert_non_null(a = story_dump(st, NULL));
	assert_non_null(strstr(a, "\"supersedes\": \"00000000000000dd\""));
	assert_non_null(strstr(a, "\"duplicate_of\": null"));
	assert_non_null(strstr(a, "\"duplicate_reason\": \"contains\""));
	free(a);
	story_unsupersede(st);
	assert_null(st->supersedes);
	assert_non_null(a = story_dump(st, NULL));
	assert_null(strstr(a, "duplicate_reason"));
	free(a);
	story_free(st);
	assert_null(story_load("{\"schema\": 2}"));
	assert_null(story_load("not json"));
}

/*
 * The file is written by hand in jansson's layout: jansson reading it and
 * printing it again (indent 2, order kept) gives the same bytes, whatever
 * the strings hold; a string that is not UTF-8 is null, as jansson had it.
 */
static void
test_dump_layout(void **unused)
{
	struct feed_item	 it = item();
	struct feed_person	 au = { (char *)"Ann \"A\" Roe", NULL, NULL };
	/* The long ones past the sixteen and eight bytes stepped over at once. */
	struct feed_category	 cat[5] = { { (char *)"ok", NULL, NULL },
	    { (char *)"bad \xc3\x28", NULL, NULL },
	    { (char *)"tab\there", NULL, NULL },
	    { (char *)"a category long enough \"quoted\" at 24, "
	    "caf\xc3\xa9 at 41 and a \\ then\x1f\n near its end", NULL, NULL },
	    { (char *)"a long category, valid for thirty bytes then "
	    "\xe2\x82 cut short", NULL, NULL } };
	struct story_feed	 sf = { "w\\x", "https://example.org/feed", NULL,
	    NULL };
	struct story		*st;
	json_t			*o;
	json_error_t		 e;
	char			*a, *b;

	(void)unused;
	it.id = (char *)"g\x01\x1f\x7f";
	it.link = (char *)"https://example.org/a?b=1&c=\"2\"";
	it.title = (char *)"Caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80 / \\ end";
	it.summary = (char *)"<p>Line\r\nbreak\fform\bback</p>";
	it.content = (char *)"\xed\xa0\x80 surrogate";
	it.authors = &au;
	it.nauthors = 1;
	it.categories = cat;
	it.ncategories = 5;
	assert_non_null(st = story_from_item("0123456789abcdef", &sf, &it, 0,
	    NULL, 1, NULL));
	assert_non_null(a = story_dump(st, NULL));
	assert_non_null(o = json_loads(a, 0, &e));
	assert_non_null(b = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
	assert_string_equal(a, b);
	assert_true(json_is_null(json_object_get(o, "content")));
	assert_int_equal(json_array_size(json_object_get(o, "categories")), 3);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "categories"), 2)), cat[3].term);
	assert_int_equal(json_array_size(json_object_get(o, "enclosures")), 0);
	assert_non_null(strstr(a, "\"enclosures\": [],"));
	assert_string_equal(json_string_value(json_object_get(o, "guid")),
	    "g\x01\x1f\x7f");
	json_decref(o);
	free(a);
	free(b);
	story_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_prefers_guid_then_link),
		cmocka_unit_test(test_key_hashes_title_and_date),
		cmocka_unit_test(test_key_too_long_is_hashed),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_title_tag),
		cmocka_unit_test(test_add_page),
		cmocka_unit_test(test_load_round_trip),
		cmocka_unit_test(test_dump_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
