/*
 * Language detection (parsers/langid.c) and what a story makes of it:
 * the fixture texts of tests/fixtures/langid/ (tests run from the
 * repository root), short texts left alone, language_source; and a
 * story's summary and content as the feed gave them, null when absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "parsers/extract.h"
#include "parsers/feed.h"
#include "parsers/langid.h"
#include "parsers/norm.h"
#include "daemon/story.h"

#define TEXTS	"tests/fixtures/langid/texts.tsv"

/*
 * Each fixture text gets its language, or none; the function-word quick
 * path answers only what is right (or nothing), and some of them.
 */
static void
test_fixture_texts(void **unused)
{
	char		 line[2048], tag[LANGID_TAG_MAX], *tab;
	const char	*q;
	FILE		*f;
	int		 n = 0, answered = 0;

	(void)unused;
	assert_true(langid_available());
	assert_non_null(f = fopen(TEXTS, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		if (strcmp(line, "-") == 0) {
			assert_int_equal(langid_guess(NULL, tab + 1, tag,
			    sizeof(tag)), 0);
			assert_string_equal(tag, "");
		} else {
			if (langid_guess(NULL, tab + 1, tag, sizeof(tag)) != 1)
				fail_msg("no language for %s", tab + 1);
			if (strcmp(tag, line) != 0)
				fail_msg("%s, not %s: %s", tag, line, tab + 1);
		}
		if ((q = norm_quick_lang(tab + 1)) != NULL) {
			if (strcmp(q, line) != 0)
				fail_msg("quick %s, not %s: %s", q, line,
				    tab + 1);
			answered++;
		}
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
	assert_true(answered >= 3);
}

/*
 * The quick path leaves texts of few function words, or of two close
 * languages, to the classifier.  detect_language = no: no answer at all.
 */
static void
test_quick_path(void **unused)
{
	char	 tag[LANGID_TAG_MAX];

	(void)unused;
	/* Content words only (as a headline list is): the classifier's. */
	assert_null(norm_quick_lang("council voted budget schools months "
	    "debate protest minister report shows growth exports prices rose "
	    "market analysts warned storm closed roads police arrested men"));
	/* As many Spanish as Portuguese function words: not plain. */
	assert_null(norm_quick_lang("el que los por una com para que em no "
	    "las del con se para uma mais foi y es"));
	assert_string_equal(norm_quick_lang("The minister said that the "
	    "talks with the unions would resume after the holiday, and that "
	    "the government was ready to listen to their proposals for the "
	    "reform of the pension system, which has been the cause of "
	    "strikes for months."), "en");

	langid_enable(0);
	assert_int_equal(langid_guess("Talks resume", "The minister said that "
	    "the talks with the unions would resume after the holiday.", tag,
	    sizeof(tag)), 0);
	assert_string_equal(tag, "");
	langid_enable(1);
	assert_int_equal(langid_guess("Talks resume", "The minister said that "
	    "the talks with the unions would resume after the holiday.", tag,
	    sizeof(tag)), 1);
	assert_string_equal(tag, "en");
}

/* Title and text together; either may be NULL; a tiny buffer is no tag. */
static void
test_title_and_text(void **unused)
{
	char	 tag[LANGID_TAG_MAX];

	(void)unused;
	assert_int_equal(langid_guess("Ein kurzer Titel", NULL, tag,
	    sizeof(tag)), 0);
	assert_int_equal(langid_guess(NULL, NULL, tag, sizeof(tag)), 0);
	assert_int_equal(langid_guess("Die Regierung kündigt an",
	    "dass die Steuern im kommenden Jahr nicht erhöht werden sollen.",
	    tag, sizeof(tag)), 1);
	assert_string_equal(tag, "de");
	assert_int_equal(langid_guess("Die Regierung kündigt an",
	    "dass die Steuern im kommenden Jahr nicht erhöht werden sollen.",
	    tag, 2), 0);
	/* Bytes that are not UTF-8 read as spaces; digits alone say nothing. */
	assert_int_equal(langid_guess(NULL, "2023-06-14 18:20 1234567890 "
	    "1234567890 1234567890 1234567890 1234567890", tag, sizeof(tag)),
	    0);
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

static json_t *
story_of(const struct story_feed *sf, const struct feed_item *it,
    const struct extract *ex)
{
	struct story	*st;
	json_error_t	 e;
	json_t		*o;
	char		*s;
	int		 used;

	assert_non_null(st = story_from_item("00000000000000aa", sf, it, 0,
	    NULL, 1, NULL));
	if (ex != NULL)
		assert_int_equal(story_add_page(st, ex, NULL, &used), 0);
	assert_non_null(s = story_dump(st, NULL));
	assert_non_null(o = json_loads(s, 0, &e));
	free(s);
	story_free(st);
	return o;
}

static const char *
field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_story_language_source(void **unused)
{
	struct feed_item	 it = item();
	struct story_feed	 sf = { "w", "https://example.org/feed", NULL,
	    NULL };
	struct extract		 ex;
	json_t			*o;

	(void)unused;
	it.title = (char *)"Reprise des négociations à Genève";
	it.summary = (char *)"<p>Les délégations des deux pays se sont "
	    "réunies mardi pour la première fois depuis l'effondrement du "
	    "cessez-le-feu.</p>";
	o = story_of(&sf, &it, NULL);
	assert_string_equal(field(o, "language"), "fr");
	assert_string_equal(field(o, "language_source"), "detected");
	json_decref(o);

	/* Declared by the feed, by the item: never guessed. */
	sf.language = "en";
	o = story_of(&sf, &it, NULL);
	assert_string_equal(field(o, "language"), "en");
	assert_string_equal(field(o, "language_source"), "feed");
	json_decref(o);
	it.language = (char *)"fr-CH";
	o = story_of(&sf, &it, NULL);
	assert_string_equal(field(o, "language"), "fr-CH");
	assert_string_equal(field(o, "language_source"), "item");
	json_decref(o);

	/* The page's html lang wins over a guess, not over the feed. */
	memset(&ex, 0, sizeof(ex));
	ex.language = (char *)"fr-BE";
	it.language = NULL;
	o = story_of(&sf, &it, &ex);
	assert_string_equal(field(o, "language_source"), "feed");
	json_decref(o);
	sf.language = NULL;
	o = story_of(&sf, &it, &ex);
	assert_string_equal(field(o, "language"), "fr-BE");
	assert_string_equal(field(o, "language_source"), "page");
	json_decref(o);

	/* Too short to tell: null, and so is its source. */
	it.title = (char *)"Brief";
	it.summary = (char *)"Short.";
	o = story_of(&sf, &it, NULL);
	assert_true(json_is_null(json_object_get(o, "language")));
	assert_true(json_is_null(json_object_get(o, "language_source")));
	json_decref(o);

	/* A page whose text wins is guessed from again. */
	memset(&ex, 0, sizeof(ex));
	ex.text = (char *)"Die Unterhändler beider Länder trafen sich am "
	    "Dienstag zum ersten Mal seit dem Zusammenbruch der Waffenruhe.";
	o = story_of(&sf, &it, &ex);
	assert_string_equal(field(o, "text_source"), "article");
	assert_string_equal(field(o, "language"), "de");
	assert_string_equal(field(o, "language_source"), "detected");
	json_decref(o);
}

/* A pending story read back keeps its language_source. */
static void
test_story_load_source(void **unused)
{
	struct feed_item	 it = item();
	struct story_feed	 sf = { "w", "https://example.org/feed", NULL,
	    NULL };
	struct story		*st, *back;
	char			*a, *b;

	(void)unused;
	it.title = (char *)"Se reanudan las negociaciones en Ginebra";
	it.summary = (char *)"Los negociadores de ambos países se reunieron "
	    "el martes por primera vez desde que se rompió el alto el fuego.";
	assert_non_null(st = story_from_item("00000000000000ab", &sf, &it, 0,
	    NULL, 1, NULL));
	assert_int_equal(st->language_source, STORY_LANG_DETECTED);
	assert_non_null(a = story_dump(st, NULL));
	assert_non_null(back = story_load(a));
	assert_int_equal(back->language_source, STORY_LANG_DETECTED);
	assert_non_null(b = story_dump(back, NULL));
	assert_string_equal(a, b);
	free(a);
	free(b);
	story_free(back);
	story_free(st);
}

/* Parse a feed of one item, story it, and hand the file back. */
static json_t *
story_of_feed(const char *xml)
{
	struct story_feed	 sf = { "w", "https://example.org/feed", NULL,
	    "en" };
	struct feed_doc		*doc;
	char			 err[256];
	json_t			*o;

	assert_int_equal(feed_parse(xml, strlen(xml), NULL, NULL, &doc, err,
	    sizeof(err)), 0);
	assert_int_equal(doc->nitems, 1);
	o = story_of(&sf, &doc->items[0], NULL);
	feed_free(doc);
	return o;
}

static void
test_content_as_the_feed_gave_it(void **unused)
{
	json_t	*o;

	(void)unused;
	/* A description alone: content null, the text still the summary's. */
	o = story_of_feed("<rss version=\"2.0\"><channel><item>"
	    "<title>T</title><description>&lt;p&gt;Only a summary.&lt;/p&gt;"
	    "</description></item></channel></rss>");
	assert_string_equal(field(o, "summary"), "<p>Only a summary.</p>");
	assert_true(json_is_null(json_object_get(o, "content")));
	assert_string_equal(field(o, "text"), "Only a summary.");
	json_decref(o);
	/* content:encoded alone: summary null, the text the content's. */
	o = story_of_feed("<rss version=\"2.0\" xmlns:content=\"http://purl."
	    "org/rss/1.0/modules/content/\"><channel><item><title>T</title>"
	    "<content:encoded>&lt;p&gt;Only content.&lt;/p&gt;"
	    "</content:encoded></item></channel></rss>");
	assert_true(json_is_null(json_object_get(o, "summary")));
	assert_string_equal(field(o, "content"), "<p>Only content.</p>");
	assert_string_equal(field(o, "text"), "Only content.");
	json_decref(o);
	/* Both: both, the text the content's. */
	o = story_of_feed("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<title>T</title><summary>Brief.</summary>"
	    "<content type=\"html\">&lt;p&gt;Full text.&lt;/p&gt;</content>"
	    "</entry></feed>");
	assert_string_equal(field(o, "summary"), "Brief.");
	assert_string_equal(field(o, "content"), "<p>Full text.</p>");
	assert_string_equal(field(o, "text"), "Full text.");
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_texts),
		cmocka_unit_test(test_title_and_text),
		cmocka_unit_test(test_quick_path),
		cmocka_unit_test(test_story_language_source),
		cmocka_unit_test(test_story_load_source),
		cmocka_unit_test(test_content_as_the_feed_gave_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
