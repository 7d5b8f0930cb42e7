/*
 * test_norm: text normalisation, one rule at a time, with the cases where
 * a rule must not fire.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/norm.h"

static void
check(const char *in, const char *lang, const char *want)
{
	char	*t;

	t = norm_text(in, lang);
	assert_non_null(t);
	if (strcmp(t, want) != 0)
		fail_msg("norm_text(\"%s\", %s) = \"%s\", want \"%s\"", in,
		    lang != NULL ? lang : "NULL", t, want);
	free(t);
}

static void
check_line(const char *in, const char *want)
{
	char	*t;

	t = norm_line(in);
	assert_non_null(t);
	if (strcmp(t, want) != 0)
		fail_msg("norm_line(\"%s\") = \"%s\", want \"%s\"", in, t,
		    want);
	free(t);
}

static void
test_nfc(void **state)
{
	(void)state;
	/* e + combining acute composes; the composed form stays. */
	check("cafe\xcc\x81 au lait", "fr", "caf\xc3\xa9 au lait");
	check("caf\xc3\xa9", "fr", "caf\xc3\xa9");
	check("", NULL, "");
	check(NULL, NULL, "");
}

static void
test_invisible(void **state)
{
	(void)state;
	check("zero\xe2\x80\x8bwidth\xe2\x80\x8c and\xe2\x80\x8d join", "en",
	    "zerowidth and join");
	check("\xef\xbb\xbfword\xe2\x81\xa0joiner", "en", "wordjoiner");
	check("soft\xc2\xadhyphen", "en", "softhyphen");
	check("bell\x07 and\x1b esc\x7f del", "en", "bell and esc del");
	/* Invalid UTF-8 is replaced, not passed on. */
	check("bad \xff byte", "en", "bad \xef\xbf\xbd byte");
}

static void
test_spaces(void **state)
{
	(void)state;
	check("non\xc2\xa0" "breaking", "en", "non breaking");
	check("thin\xe2\x80\x89space em\xe2\x80\x83space", "en",
	    "thin space em space");
	check("ideographic\xe3\x80\x80space", "en", "ideographic space");
	check("  many \t  spaces  ", "en", "many spaces");
}

static void
test_paragraphs(void **state)
{
	(void)state;
	check("one\n\n\n\ntwo", "en", "one\n\ntwo");
	check("one\ntwo", "en", "one\n\ntwo");
	check("one\r\ntwo\rthree", "en", "one\n\ntwo\n\nthree");
	check("\n\n  one  \n \n two \n\n", "en", "one\n\ntwo");
	check("line\xe2\x80\xa8sep", "en", "line\n\nsep");
	check_line("one\n\ntwo\nthree", "one two three");
}

static void
test_entities(void **state)
{
	(void)state;
	check("Tom &amp; Jerry", "en", "Tom & Jerry");
	check("no&nbsp;break", "en", "no break");
	check("&lt;b&gt; &quot;q&quot; &apos;a&apos;", "en", "<b> \"q\" 'a'");
	check("caf&eacute; &#233; &#xE9; &#XE9;", "fr",
	    "caf\xc3\xa9 \xc3\xa9 \xc3\xa9 \xc3\xa9");
	/* Windows-1252 numbers, as feeds send them. */
	check("it&#146;s", "en", "it\xe2\x80\x99s");
	/* Decoded once: &amp;amp; is the text "&amp;". */
	check("&amp;amp;", "en", "&amp;");
	/* Not entities: left alone. */
	check("AT&T and fish & chips &unknown; &#;", "en",
	    "AT&T and fish & chips &unknown; &#;");
	check("&#0; &#x110000;", "en", "\xef\xbf\xbd \xef\xbf\xbd");
	check("a&shy;b&#8203;c", "en", "abc");
}

/* An '&' near the end of a string: nothing read past it (ASan). */
static void
test_entity_at_end(void **state)
{
	char	*s;

	(void)state;
	assert_non_null(s = strdup("AT&T"));
	check(s, "en", "AT&T");
	free(s);
	assert_non_null(s = strdup("fish &"));
	check(s, "en", "fish &");
	free(s);
}

static void
test_is_english(void **state)
{
	(void)state;
	assert_true(norm_is_english("x", "en"));
	assert_true(norm_is_english("x", "en-GB"));
	assert_true(norm_is_english("x", "EN_us"));
	assert_false(norm_is_english("the and of", "fr"));
	assert_false(norm_is_english("the and of", "eng-x"));
	assert_true(norm_is_english("The cat and the dog went to the park.",
	    NULL));
	assert_true(norm_is_english("The cat and the dog", ""));
	assert_false(norm_is_english("Le chat et le chien sont dans la "
	    "maison.", NULL));
	assert_false(norm_is_english("Der Hund und die Katze sind nicht "
	    "im Haus.", NULL));
	assert_false(norm_is_english("El perro y el gato están en la casa "
	    "con los niños.", NULL));
	assert_false(norm_is_english("Il cane e il gatto sono nella casa "
	    "della nonna.", NULL));
	assert_false(norm_is_english("O cão e o gato não estão em casa.",
	    NULL));
	assert_false(norm_is_english("De hond en de kat zijn niet in het "
	    "huis.", NULL));
	/* No function word at all: not known to be English. */
	assert_false(norm_is_english("Xi Jinping", NULL));
	assert_false(norm_is_english(NULL, NULL));
}

static void
test_guillemets_english(void **state)
{
	(void)state;
	check("to \xc2\xab raise bilateral issues \xc2\xbb", "en",
	    "to \xe2\x80\x9craise bilateral issues\xe2\x80\x9d");
	/* The seed's no-break spaces inside the guillemets. */
	check("to \xc2\xab\xc2\xa0" "de-risk\xc2\xa0\xc2\xbb their economies",
	    "en", "to \xe2\x80\x9c" "de-risk\xe2\x80\x9d their economies");
	/* Detected, not declared. */
	check("He said \xc2\xab no \xc2\xbb to the plan and that was that.",
	    NULL, "He said \xe2\x80\x9cno\xe2\x80\x9d to the plan and that "
	    "was that.");
	check("the \xe2\x80\xb9 single \xe2\x80\xba one", "en",
	    "the \xe2\x80\x98single\xe2\x80\x99 one");
	/* Reversed »...« (Danish, some German print) in English text. */
	check("the \xc2\xbbreversed\xc2\xab quote", "en",
	    "the \xe2\x80\x9creversed\xe2\x80\x9d quote");
	/* A quote still open at the end of a paragraph stays open. */
	check("\xc2\xab Open\n\nnext", "en", "\xe2\x80\x9cOpen\n\nnext");
}

static void
test_mixed_pairs(void **state)
{
	(void)state;
	/* Opened curly, closed with a guillemet: closed curly. */
	check("\xe2\x80\x9cWe hope to make progress. \xc2\xbb", "en",
	    "\xe2\x80\x9cWe hope to make progress.\xe2\x80\x9d");
	/* Opened with a guillemet, closed curly. */
	check("\xc2\xab We hope to make progress.\xe2\x80\x9d", "en",
	    "\xe2\x80\x9cWe hope to make progress.\xe2\x80\x9d");
	/* A correct curly pair is left as it is, spaces included. */
	check("a \xe2\x80\x9cquote\xe2\x80\x9d here", "en",
	    "a \xe2\x80\x9cquote\xe2\x80\x9d here");
}

static void
test_guillemets_kept(void **state)
{
	(void)state;
	/* French keeps its guillemets and its spaces before ; : ! ? */
	check("Il a dit \xc2\xab non \xc2\xbb ; pourquoi ?", "fr",
	    "Il a dit \xc2\xab non \xc2\xbb ; pourquoi ?");
	check("Le ministre a dit \xc2\xab\xc2\xa0non\xc2\xa0\xc2\xbb et la "
	    "France est d'accord : c'est la fin !", NULL,
	    "Le ministre a dit \xc2\xab non \xc2\xbb et la France est "
	    "d'accord : c'est la fin !");
	/* German „...“ and »...« untouched. */
	check("Die Regierung sagt \xe2\x80\x9eNein\xe2\x80\x9c und das ist "
	    "\xc2\xbbgut\xc2\xab f\xc3\xbcr die Leute.", NULL,
	    "Die Regierung sagt \xe2\x80\x9eNein\xe2\x80\x9c und das ist "
	    "\xc2\xbbgut\xc2\xab f\xc3\xbcr die Leute.");
	check("\xe2\x80\x9eNein\xe2\x80\x9c", "de",
	    "\xe2\x80\x9eNein\xe2\x80\x9c");
	/* A breadcrumb separator in English text is not a quote. */
	check("Home \xc2\xbb News \xc2\xbb World of the day", "en",
	    "Home \xc2\xbb News \xc2\xbb World of the day");
}

static void
test_space_before_marks(void **state)
{
	(void)state;
	check("Hello , world ; this : that ! Really ? Yes .", "en",
	    "Hello, world; this: that! Really? Yes.");
	/* The mark must end the word: .NET, 10 :30 and " .5" stay. */
	check("use .NET at 10 :30 with .5 more", "en",
	    "use .NET at 10 :30 with .5 more");
	/* French keeps them. */
	check("Quoi ? Oui !", "fr", "Quoi ? Oui !");
	/* Only the space before a lone stop: a plain ellipsis keeps it. */
	check("and so on ...", "en", "and so on ...");
}

static void
test_doubled_stop(void **state)
{
	(void)state;
	check("in the briefing. . \xe2\x80\x9cWe hope", "en",
	    "in the briefing. \xe2\x80\x9cWe hope");
	check("the end . .", "en", "the end.");
	/* Ellipses stay, plain, spaced or one character. */
	check("Wait... and then", "en", "Wait... and then");
	check("Wait. . . and then", "en", "Wait. . . and then");
	check("Wait . . . and then", "en", "Wait . . . and then");
	check("Wait\xe2\x80\xa6 and then", "en", "Wait\xe2\x80\xa6 and then");
	check("Wait.. . and", "en", "Wait.. . and");
	/* Every language: a doubled stop is a mistake in all of them. */
	check("Il est parti. . Puis", "fr", "Il est parti. Puis");
}

static void
test_norm_line(void **state)
{
	(void)state;
	check_line("  Blinken plans to meet\nwith top\xc2\xa0officials ",
	    "Blinken plans to meet with top officials");
	/* English detected from the title's own words. */
	check_line("The \xc2\xab deal \xc2\xbb of the year",
	    "The \xe2\x80\x9c" "deal\xe2\x80\x9d of the year");
	check_line("Le \xc2\xab deal \xc2\xbb de la semaine",
	    "Le \xc2\xab deal \xc2\xbb de la semaine");
	/* A site separator in a title survives for boiler_title(). */
	check_line("Headline of the day \xc2\xbb Site",
	    "Headline of the day \xc2\xbb Site");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_entity_at_end),
		cmocka_unit_test(test_is_english),
		cmocka_unit_test(test_guillemets_english),
		cmocka_unit_test(test_mixed_pairs),
		cmocka_unit_test(test_guillemets_kept),
		cmocka_unit_test(test_space_before_marks),
		cmocka_unit_test(test_doubled_stop),
		cmocka_unit_test(test_norm_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
