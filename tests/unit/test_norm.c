/*
 * test_norm: text normalisation, one rule at a time, with the cases where
 * a rule must not fire; the quick NFC check against utf8proc for every
 * code point, and norm_text against its old whole-text NFC on the fixture
 * files (tests run from the repository root).
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "parsers/buf.h"
#include "parsers/norm.h"

#define FIXTURES	"tests/fixtures"
#define FIXTURE_MAX	(4 * 1024 * 1024)

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

/* The code points cps[0..n) as a UTF-8 string in out. */
static void
utf8(const int32_t *cps, size_t n, char out[64])
{
	size_t	 i, len = 0;

	for (i = 0; i < n; i++)
		len += (size_t)utf8proc_encode_char(cps[i],
		    (utf8proc_uint8_t *)out + len);
	out[len] = '\0';
}

/* utf8proc's NFC of s, the way norm did it on every text. */
static char *
nfc(const char *s)
{
	utf8proc_uint8_t	*out = NULL;

	assert_true(utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) >= 0);
	return (char *)out;
}

/*
 * s as the quick check sees it: when it says NFC, s is utf8proc's NFC of
 * itself; and NFC run only around what it does not pass (norm_nfc) is
 * utf8proc's NFC of the whole.  Without pieces, only the first.
 */
static void
check_nfc(const int32_t *cps, size_t n, bool pieces)
{
	char	 s[64], *want, *got;

	utf8(cps, n, s);
	if (!pieces && !norm_nfc_quick(s))
		return;
	want = nfc(s);
	if (norm_nfc_quick(s) && strcmp(s, want) != 0)
		fail_msg("U+%04X (+%zu): quick check says NFC, it is not",
		    (unsigned)cps[0], n - 1);
	if (!pieces) {
		free(want);
		return;
	}
	assert_non_null(got = norm_nfc(s));
	if (strcmp(got, want) != 0)
		fail_msg("U+%04X U+%04X (%zu): NFC by pieces differs",
		    (unsigned)cps[0], n > 1 ? (unsigned)cps[1] : 0u, n);
	free(got);
	free(want);
}

/* Marks that combine or reorder after a starter, in sequences of up to 2. */
static const int32_t marks[][2] = {
	{ 0x0301, 0 }, { 0x0327, 0 }, { 0x0323, 0x0302 }, { 0x0302, 0x0323 },
	{ 0x3099, 0 }, { 0x094D, 0 }, { 0x1161, 0 }, { 0x11A8, 0 },
	{ 0x0BBE, 0 }, { 0x0CD5, 0 },
};

/* Starters that compose with a following starter or mark. */
static const int32_t firsts[] = {
	'e', 0x1100, 0xAC00, 0x0BC6, 0x0CC6, 0x0DD9, 0x09C7, 0x1025, 0x1B05,
	0x304B,
};

/*
 * Every code point alone, then followed by marks: the quick check never
 * calls NFC what is not.  The marks never pass it, so norm_nfc gives such
 * a string to utf8proc whole: comparing its pieces is left to assigned
 * code points.  Every code point that passes, after starters that
 * compose: it must not be one that composes backwards (one of them for
 * the unassigned, whose properties are all the same, to keep it quick).
 */
static void
test_nfc_quick_every_code_point(void **state)
{
	int32_t	 s[4], cp;
	size_t	 i;
	char	 t[64];
	bool	 assigned;

	(void)state;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		utf8(marks[i], 1, t);
		assert_false(norm_nfc_quick(t));
	}
	for (cp = 0x01; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		assigned = utf8proc_category(cp) != UTF8PROC_CATEGORY_CN;
		s[0] = cp;
		check_nfc(s, 1, assigned);
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			s[1] = marks[i][0];
			s[2] = marks[i][1];
			check_nfc(s, s[2] != 0 ? 3 : 2, assigned);
		}
		utf8(s, 1, t);
		if (!norm_nfc_quick(t))
			continue;
		s[1] = cp;
		for (i = 0; i < (assigned ? sizeof(firsts) / sizeof(firsts[0]) :
		    1); i++) {
			s[0] = firsts[i];
			check_nfc(s, 2, true);
		}
	}
}

/*
 * Every canonical decomposition, fully decomposed: NFC by pieces composes
 * it back as utf8proc does (every pair utf8proc composes, but Hangul's,
 * which the test above covers).
 */
static void
test_nfc_decompositions(void **state)
{
	utf8proc_int32_t	 d[16];
	utf8proc_ssize_t	 n;
	int32_t			 cp;
	int			 bound = 0;

	(void)state;
	for (cp = 0x80; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		n = utf8proc_decompose_char(cp, d, 16, UTF8PROC_DECOMPOSE,
		    &bound);
		if (n >= 2 && n <= 8)
			check_nfc(d, (size_t)n, true);
	}
}

static char *
slurp(const char *path)
{
	struct buf	 b;
	FILE		*f;
	char		 chunk[8192];
	size_t		 n;

	assert_non_null(f = fopen(path, "rb"));
	buf_init(&b, FIXTURE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), BUF_OK);
	fclose(f);
	return buf_steal(&b);
}

/*
 * norm_text and norm_line_lang give what they gave before the quick check
 * and the fast path (the *_full_nfc references); where names the text in
 * a failure (NULL: the text itself).
 */
static void
check_same_ways(const char *text, const char *lang, const char *where)
{
	char	*got, *want;
	int	 line;

	for (line = 0; line < 2; line++) {
		assert_non_null(got = line ? norm_line_lang(text, lang) :
		    norm_text(text, lang));
		assert_non_null(want = line ? norm_line_full_nfc(text, lang) :
		    norm_text_full_nfc(text, lang));
		if (strcmp(got, want) != 0)
			fail_msg("%s \"%s\" (%s): \"%s\", want \"%s\"",
			    line ? "norm_line" : "norm_text",
			    where != NULL ? where : text,
			    lang != NULL ? lang : "NULL", got, want);
		free(got);
		free(want);
	}
}

static void
check_same_as_full(const char *path)
{
	static const char *const langs[] = { "en", "fr", NULL };
	char	*text;
	size_t	 i;

	assert_non_null(text = slurp(path));
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		check_same_ways(text, langs[i], path);
	free(text);
}

/* Every file under dir, recursively; returns how many. */
static size_t
walk(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[PATH_MAX];
	size_t		 n = 0;
	int		 r;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		r = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_true(r > 0 && (size_t)r < sizeof(path));
		assert_int_equal(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode))
			n += walk(path);
		else if (S_ISREG(st.st_mode)) {
			check_same_as_full(path);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void
test_same_as_full_nfc(void **state)
{
	(void)state;
	assert_true(walk(FIXTURES) > 20);
	/* NFD text, entities that make marks, marks after breaks and spaces */
	check_same_as_full(FIXTURES "/seed/blinken.txt");
}

static void
test_nfc_pieces(void **state)
{
	static const char *const texts[] = {
		"cafe\xcc\x81 e&#769; &#x1100;&#x1161;&#x11a8; a\xcc\xa3\xcc\x82",
		"\xcc\x81 starts with a mark, then \xe2\x84\xab \xe2\x80\x80.",
		"\xef\xbf\xbe \xe0\xa5\x98 \xcd\x84 x\xcd\x84\xcc\xa3 \xff\xcc\x81",
		"\xe0\xaf\x86\xe0\xae\xbe \xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8 "
		    "\xea\xb0\x80\xe1\x86\xa7 e\n\xcc\x81 e \xcc\x81",
		"",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_same_ways(texts[i], NULL, NULL);
}

/*
 * The fast path (clean and collapse on the UTF-8 itself) against every
 * pass: texts made of the pieces each rule looks at, in every order a
 * seeded generator finds, as text and as a line, declared English,
 * French and detected.
 */
static void
test_fast_path_same(void **state)
{
	static const char *const pieces[] = {
		"a", "The", " the ", "and", "l\xc3\xa9t\xc3\xa9", " ", "  ",
		"\n", "\n\n", "\r\n", "\r", "\t", "\x0b", "\x01", "\x7f",
		".", ",", ";", "!", "?", ":", " .", ". .", "...", "&amp;", "&",
		"&x", "&#8217;", "\xc2\xa0", "\xe2\x80\x8b", "\xc2\x85",
		"\xe2\x80\xa8", "\xc2\xad", "\xc2\x9f", "\xc2\xab",
		"\xc2\xbb", "\xe2\x80\xb9", "\xe2\x80\x9c", "\xe2\x80\x9d",
		"\xe2\x80\x99", "e\xcc\x81", "\xcc\x81", "\xe2\x80\x80",
		"\xe3\x80\x80", "\xe6\x97\xa5", "\xff", "\xe2\x82",
		"\xf0\x9f\x98\x80", "\"", "'", "(", ")",
	};
	static const char *const langs[] = { "en", "fr", NULL };
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	char		 text[512];
	uint64_t	 seed = 42;
	size_t		 len, k;
	int		 i, j, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = 0;
		n = 1 + i % 24;
		for (j = 0; j < n; j++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			k = (size_t)(seed >> 33) % npieces;
			memcpy(text + len, pieces[k], strlen(pieces[k]));
			len += strlen(pieces[k]);
		}
		text[len] = '\0';
		check_same_ways(text, langs[(size_t)i % 3], NULL);
	}
}

/*
 * What the ASCII fast paths take from utf8proc: words are letters and
 * digits, printable ASCII is neither a space nor a control character.
 */
static void
test_ascii_assumptions(void **state)
{
	utf8proc_category_t	 cat;
	int32_t			 c;
	bool			 word;

	(void)state;
	for (c = 0; c < 0x80; c++) {
		cat = utf8proc_category(c);
		word = (cat >= UTF8PROC_CATEGORY_LU &&
		    cat <= UTF8PROC_CATEGORY_LO) ||
		    (cat >= UTF8PROC_CATEGORY_ND &&
		    cat <= UTF8PROC_CATEGORY_NO);
		assert_int_equal(word, (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
		if (word)
			assert_int_equal(utf8proc_tolower(c),
			    c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		if (c > ' ' && c < 0x7F)
			assert_true(cat != UTF8PROC_CATEGORY_ZS &&
			    cat != UTF8PROC_CATEGORY_CC);
	}
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
		cmocka_unit_test(test_nfc_quick_every_code_point),
		cmocka_unit_test(test_nfc_decompositions),
		cmocka_unit_test(test_nfc_pieces),
		cmocka_unit_test(test_same_as_full_nfc),
		cmocka_unit_test(test_fast_path_same),
		cmocka_unit_test(test_ascii_assumptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
