/*
 * test_words: the word definition on its edge cases, the iterator,
 * folding and keys, FNV-1a against its published vectors, the word count
 * stories give, and the boilerplate line list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "parsers/words.h"

/* The words of s under flags, joined by "|", must be want. */
static void
check_words(const char *s, unsigned flags, const char *want)
{
	struct words_iter	 it;
	const char		*w;
	char			 got[256];
	size_t			 n, len = 0;

	got[0] = '\0';
	words_begin(&it, s, strlen(s), flags);
	while (words_next(&it, &w, &n)) {
		assert_true(w >= s && w + n <= s + strlen(s));
		assert_true(len + n + 2 < sizeof(got));
		if (len > 0)
			got[len++] = '|';
		memcpy(got + len, w, n);
		len += n;
		got[len] = '\0';
	}
	if (strcmp(got, want) != 0)
		fail_msg("words of \"%s\" (flags %u) = \"%s\", want \"%s\"", s,
		    flags, got, want);
}

static void
test_is_char(void **state)
{
	(void)state;
	assert_true(words_is_char('a', 0));
	assert_true(words_is_char('Z', 0));
	assert_true(words_is_char('7', 0));
	assert_false(words_is_char('_', 0));
	assert_false(words_is_char('\'', 0));
	assert_false(words_is_char('-', 0));
	assert_false(words_is_char(' ', 0));
	assert_false(words_is_char(0, 0));
	assert_false(words_is_char(-1, 0));
	assert_true(words_is_char(0xE9, 0));		/* é */
	assert_true(words_is_char(0x4E2D, 0));		/* 中 */
	assert_true(words_is_char(0x30FC, 0));		/* ー, Lm */
	assert_true(words_is_char(0x0663, 0));		/* Arabic-Indic 3 */
	assert_true(words_is_char(0xBD, 0));		/* ½, No */
	assert_true(words_is_char(0x216B, 0));		/* Ⅻ, Nl */
	assert_false(words_is_char(0x2019, 0));		/* ’ */
	assert_false(words_is_char(0x2011, 0));		/* no-break hyphen */
	assert_false(words_is_char(0xA0, 0));		/* no-break space */
	assert_false(words_is_char(0x1F600, 0));	/* 😀 */
	assert_false(words_is_char(0x1F3FD, 0));	/* skin tone, Sk */
	assert_false(words_is_char(0x200D, 0));		/* ZWJ */
	/* Marks: word characters, but for the variant. */
	assert_true(words_is_char(0x0301, 0));
	assert_false(words_is_char(0x0301, WORDS_NOMARKS));
	assert_true(words_is_char(0x094D, 0));		/* Devanagari virama */
	assert_false(words_is_char(0x094D, WORDS_NOMARKS));
	assert_true(words_is_char(0xFE0F, 0));		/* emoji presentation */
	assert_false(words_is_char(0xFE0F, WORDS_NOMARKS));
	assert_true(words_is_char(0xE9, WORDS_NOMARKS));
}

/* The scripts dedup reads as character bigrams. */
static void
test_is_cjk(void **state)
{
	(void)state;
	assert_true(words_is_cjk(0x4E2D));		/* 中 */
	assert_true(words_is_cjk(0x3042));		/* あ */
	assert_true(words_is_cjk(0x30AB));		/* カ */
	assert_true(words_is_cjk(0x30FC));		/* ー */
	assert_true(words_is_cjk(0xFF76));		/* halfwidth ｶ */
	assert_true(words_is_cjk(0xD55C));		/* 한 */
	assert_true(words_is_cjk(0x1100));		/* Hangul Jamo ᄀ */
	assert_true(words_is_cjk(0x20BB7));		/* 𠮷, extension B */
	assert_false(words_is_cjk('a'));
	assert_false(words_is_cjk(0xE9));		/* é */
	assert_false(words_is_cjk(0x3002));		/* 。 */
	assert_false(words_is_cjk(0xFF21));		/* fullwidth Ａ */
	assert_false(words_is_cjk(0x0E01));		/* Thai, not ours */
	assert_false(words_is_cjk(-1));
}

static void
test_iter_punctuation(void **state)
{
	(void)state;
	check_words("", 0, "");
	check_words("  ,;  ", 0, "");
	check_words("Hello, world!", 0, "Hello|world");
	check_words("don't", 0, "don|t");
	check_words("don\xe2\x80\x99t", 0, "don|t");
	check_words("e-mail", 0, "e|mail");
	check_words("e\xe2\x80\x91mail", 0, "e|mail");
	check_words("snake_case", 0, "snake|case");
	check_words("COVID-19 in 2020", 0, "COVID|19|in|2020");
	check_words("3.14 \xc2\xbd \xd9\xa3", 0, "3|14|\xc2\xbd|\xd9\xa3");
	check_words("a\xc2\xa0" "b", 0, "a|b");
}

static void
test_iter_scripts(void **state)
{
	(void)state;
	/* CJK: a run of ideographs and kana is one word; 、 separates. */
	check_words("\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf"
	    "\xe3\x83\xbc", 0, "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf"
	    "\xe3\x83\xaf\xe3\x83\xbc");
	check_words("\xe6\x97\xa5\xe6\x9c\xac\xe3\x80\x81\xe8\xaa\x9e", 0,
	    "\xe6\x97\xa5\xe6\x9c\xac|\xe8\xaa\x9e");
	/* A combining diaeresis stays in its word, but for the variant. */
	check_words("nai\xcc\x88ve", 0, "nai\xcc\x88ve");
	check_words("nai\xcc\x88ve", WORDS_NOMARKS, "nai|ve");
	/* Hindi: the vowel signs and the virama are marks. */
	check_words("\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d"
	    "\xe0\xa4\xa4\xe0\xa5\x87", 0, "\xe0\xa4\xa8\xe0\xa4\xae"
	    "\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87");
	check_words("\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d"
	    "\xe0\xa4\xa4\xe0\xa5\x87", WORDS_NOMARKS,
	    "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8|\xe0\xa4\xa4");
}

static void
test_iter_emoji_invalid(void **state)
{
	(void)state;
	check_words("I \xf0\x9f\x98\x80 NY", 0, "I|NY");
	check_words("ok\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbdok", 0, "ok|ok");
	/* ❤️: the U+FE0F alone is a word, as dedup has always hashed it. */
	check_words("I \xe2\x9d\xa4\xef\xb8\x8f NY", 0,
	    "I|\xef\xb8\x8f|NY");
	check_words("I \xe2\x9d\xa4\xef\xb8\x8f NY", WORDS_NOMARKS, "I|NY");
	/* Invalid UTF-8 separates, one byte at a time. */
	check_words("ab\xff" "cd", 0, "ab|cd");
	check_words("ab\xc3", 0, "ab");
	check_words("\xc3\xa9t\xc3", 0, "\xc3\xa9t");
	check_words("a\xe2\x82" "b", 0, "a|b");
}

static void
test_iter_bounds(void **state)
{
	struct words_iter	 it;
	const char		*s = "one two three", *w;
	size_t			 n;

	(void)state;
	/* Only s[0..6): "one", "tw". */
	words_begin(&it, s, 6, 0);
	assert_true(words_next(&it, &w, &n));
	assert_ptr_equal(w, s);
	assert_int_equal(n, 3);
	assert_true(words_next(&it, &w, &n));
	assert_ptr_equal(w, s + 4);
	assert_int_equal(n, 2);
	assert_false(words_next(&it, &w, &n));
	assert_false(words_next(&it, &w, &n));
}

/* got (malloc'd, from what(s)) must be want. */
static void
check_got(const char *what, const char *s, char *got, const char *want)
{
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("%s(\"%s\") = \"%s\", want \"%s\"", what, s, got,
		    want);
	free(got);
}

static void
check_key(const char *s, const char *want)
{
	check_got("words_key", s, words_key(s, strlen(s)), want);
}

static void
test_fold_key(void **state)
{
	(void)state;
	check_key("The N.Y. Times", "thenytimes");
	check_key("\xef\xbc\xa6\xc3\xa9te", "fete");		/* Ｆéte */
	check_key("Fe\xcc\x81te", "fete");			/* decomposed */
	check_key("\xe2\x91\xa0 nytimes.com", "1nytimescom");	/* ① */
	check_key("Stra\xc3\x9f" "e", "strasse");
	check_key("I \xe2\x9d\xa4\xef\xb8\x8f NY", "iny");
	check_key("-- !! --", "");
	check_key("", "");
	check_got("words_fold", "A\\xff\\xc3\\x89",
	    words_fold("A\xff\xc3\x89", 4), "ae");
}

/* The ASCII fast path of words_fold() folds as utf8proc does. */
static void
test_fold_ascii(void **state)
{
	char			 in[128];
	utf8proc_uint8_t	*want = NULL;
	char			*got;
	size_t			 i;

	(void)state;
	for (i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	in[127] = '\0';
	assert_true(utf8proc_map((const utf8proc_uint8_t *)in, 0, &want,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
	    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) > 0);
	assert_non_null(got = words_fold(in, 127));
	assert_string_equal(got, (char *)want);
	free(got);
	free(want);
	/* A NUL inside the length is dropped, on either path. */
	assert_non_null(got = words_fold("A\0B", 3));
	assert_string_equal(got, "ab");
	free(got);
	assert_non_null(got = words_fold("\xc3\x89\0B", 4));
	assert_string_equal(got, "eb");
	free(got);
}

/* ASCII folded byte by byte, NULs dropped, onto out + n. */
static size_t
ref_fold_ascii(char *out, size_t n, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != '\0')
			out[n++] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
	out[n] = '\0';
	return n;
}

/*
 * ASCII folds eight bytes at a time: every length to 40, with the
 * letters next to the case edges ('@', 'A', 'Z', '[', '`', 'a', 'z',
 * '{'), NULs, DEL and a non-ASCII character at random places, against
 * the folding done byte by byte.
 */
static void
test_fold_ascii_words(void **state)
{
	static const char	 pick[] = "@AZ[`az{\x7f\x01 0";
	uint64_t		 x = 0x2545f4914f6cdd1dULL;
	char			 in[48], want[48], *got;
	size_t			 len, i, n, round;

	(void)state;
	for (round = 0; round < 4000; round++)
		for (len = 0; len <= 40; len++) {
			for (i = 0; i < len; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				in[i] = x % 64 == 0 ? '\0' :
				    pick[x % (sizeof(pick) - 1)];
			}
			n = len;
			if (round % 2 == 1 && len >= 2) {
				/* an e-acute, folded to "e", somewhere */
				i = (size_t)(x % (len - 1));
				memcpy(in + i, "\xc3\xa9", 2);
				n = ref_fold_ascii(want, 0, in, i);
				want[n++] = 'e';
				(void)ref_fold_ascii(want, n, in + i + 2,
				    len - i - 2);
			} else
				(void)ref_fold_ascii(want, 0, in, len);
			assert_non_null(got = words_fold(in, len));
			if (strcmp(got, want) != 0)
				fail_msg("length %zu: \"%s\", want \"%s\"",
				    len, got, want);
			free(got);
		}
}

/*
 * words_fold() folds ASCII runs by itself and hands utf8proc only what
 * lies between them: the same bytes as utf8proc over the whole text, on
 * random texts of every piece the edge of a run could split badly (an
 * ASCII letter and the mark after it, Hangul jamo, ligatures, sharp s,
 * Greek final sigma, fullwidth and circled forms, marks alone).
 */
static void
test_fold_runs(void **state)
{
	static const char *const piece[] = {
		"a", "E", "z ", " ", "1", ".", "\xcc\x81", "\xcc\xa7",
		"\xcd\x85", "\xc3\xa9", "\xc3\x89", "e\xcc\x81",
		"\xc3\x9f", "\xef\xac\x84", "\xce\xa3", "\xcf\x82",
		"\xe1\x84\x80", "\xe1\x85\xa1", "\xe1\x86\xa8",
		"\xea\xb0\x80", "\xef\xbc\xa1", "\xe2\x91\xa0",
		"\xe2\x80\x99", "\xe2\x80\x9c", "\xe2\x84\xab",
		"\xe2\x84\xa6", "\xd8\xa7\xd9\x8b", "\xe0\xa4\x95",
		"\xe0\xa4\xbf", "\xe4\xb8\xad", "\xf0\x9f\x98\x80",
		"\xc4\xb0", "\xe1\xba\x9e", "n\xcc\x83", "\xe0\xbe\xb2",
	};
	utf8proc_uint8_t	*want;
	uint64_t		 x = 0x9e3779b97f4a7c15ULL;
	char			 in[256], *got;
	size_t			 i, k, n, len;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = 0;
		in[0] = '\0';
		for (k = 0; k < 12; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n = strlen(piece[x % (sizeof(piece) / sizeof(piece[0]))]);
			memcpy(in + len, piece[x % (sizeof(piece) /
			    sizeof(piece[0]))], n + 1);
			len += n;
		}
		want = NULL;
		assert_true(utf8proc_map((const utf8proc_uint8_t *)in, 0,
		    &want, UTF8PROC_NULLTERM | UTF8PROC_STABLE |
		    UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
		    UTF8PROC_STRIPMARK) >= 0);
		assert_non_null(got = words_fold(in, len));
		if (strcmp(got, (const char *)want) != 0)
			fail_msg("words_fold(\"%s\") = \"%s\", utf8proc: \"%s\"",
			    in, got, (const char *)want);
		free(got);
		free(want);
	}
}

/*
 * words_fold() folds the code points of its table one by one (U+0080 to
 * U+07FF, U+2000 to U+206F, U+20A0 to U+20CF): for every pair of them, the
 * same bytes as utf8proc over the pair.  Composition joins neighbours
 * only, and a mark between two characters is stripped and makes them
 * neighbours, so pairs are what a run of any length needs.
 */
static void
test_fold_table(void **state)
{
	static const int32_t	 range[][2] = {
		{ 0x0080, 0x07ff }, { 0x2000, 0x206f }, { 0x20a0, 0x20cf },
	};
	static int32_t		 cp[0x0900];	/* 2,080 of them */
	utf8proc_uint8_t	 in[16], *want;
	size_t			 ncp = 0, r, i, j, len;
	int32_t			 c;
	char			*got;

	(void)state;
	for (r = 0; r < sizeof(range) / sizeof(range[0]); r++)
		for (c = range[r][0]; c <= range[r][1]; c++) {
			assert_true(ncp < sizeof(cp) / sizeof(cp[0]));
			cp[ncp++] = c;
		}
	for (i = 0; i < ncp; i++)
		for (j = 0; j < ncp; j++) {
			len = (size_t)utf8proc_encode_char(cp[i], in);
			len += (size_t)utf8proc_encode_char(cp[j], in + len);
			in[len] = '\0';
			want = NULL;
			assert_true(utf8proc_map(in, 0, &want,
			    UTF8PROC_NULLTERM | UTF8PROC_STABLE |
			    UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
			    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) >= 0);
			assert_non_null(got = words_fold((const char *)in,
			    len));
			if (strcmp(got, (const char *)want) != 0)
				fail_msg("words_fold(U+%04X U+%04X) = \"%s\", "
				    "utf8proc: \"%s\"", (unsigned)cp[i],
				    (unsigned)cp[j], got, (const char *)want);
			free(got);
			free(want);
		}
	/* Past the table's edges (U+2070, U+209F, U+20D0): utf8proc's. */
	want = NULL;
	assert_true(utf8proc_map((const utf8proc_uint8_t *)
	    "\xe2\x81\xb0\xe2\x82\x9f\xe2\x83\x90", 0, &want,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
	    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) >= 0);
	check_got("words_fold", "U+2070 U+209F U+20D0",
	    words_fold("\xe2\x81\xb0\xe2\x82\x9f\xe2\x83\x90", 9),
	    (const char *)want);
	free(want);
	/* A character cut short is dropped, in the table's range too. */
	check_got("words_fold", "\xc3\xa9\xc3", words_fold("\xc3\xa9\xc3", 3),
	    "e");
}

/*
 * words_not_boilerplate() never clears a line words_boilerplate() would
 * find: random lines of phrases, cookie notices, decoration, digits, marks
 * and long paragraphs.
 */
static void
test_not_boilerplate(void **state)
{
	static const char *const piece[] = {
		"Share this article", "advertisement - scroll to continue",
		"We use cookies", "This website uses cookies", " to give you ",
		"the best experience on our site and to show you relevant ads",
		"- ", "\xe2\x80\xa2 ", ": ", "\xe2\x80\x9c", "1234 ",
		"Subscribe", "e\xcc\x81", "\xef\xac\x81", "W", "t",
		"lorem ipsum dolor sit amet consectetur adipiscing elit sed do ",
		"eiusmod tempor incididunt ut labore et dolore magna aliqua ut ",
		"enim ad minim veniam quis nostrud exercitation ullamco laboris ",
		"nisi ut aliquip ex ea commodo consequat duis aute irure dolor ",
	};
	uint64_t	 x = 0x853c49e6748fea9bULL;
	char		 line[4096], *k;
	size_t		 i, j, n, len, alnum, cleared = 0;
	size_t		 np = sizeof(piece) / sizeof(piece[0]);

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = 0;
		line[0] = '\0';
		for (j = 0; j < 1 + i % 16; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n = strlen(piece[x % np]);
			memcpy(line + len, piece[x % np], n + 1);
			len += n;
		}
		if (!words_not_boilerplate(line, &alnum))
			continue;
		cleared++;
		assert_non_null(k = words_line_key(line));
		if (words_boilerplate(k))
			fail_msg("\"%s\" cleared, but its key is boilerplate",
			    line);
		assert_true(alnum <= strlen(k));
		free(k);
	}
	assert_true(cleared > 1000);
}

static void
check_line_key(const char *s, const char *want)
{
	check_got("words_line_key", s, words_line_key(s), want);
}

static void
test_line_key(void **state)
{
	(void)state;
	check_line_key("  \xc2\xa9 2023\tExample   NEWS ",
	    "\xc2\xa9 0000 example news");
	check_line_key("Read\xc2\xa0More \xc2\xbb", "read more \xc2\xbb");
	check_line_key("Page \xd9\xa3 of 12", "page 0 of 00");
	check_line_key("", "");
	/* ASCII read without utf8proc: only the space is Zs. */
	check_line_key("a\rb\x1f\x0b" "7 Z!", "a b\x1f\x0b" "0 z!");
}

static void
test_boilerplate(void **state)
{
	char	 longer[512];

	(void)state;
	assert_true(words_boilerplate("share this article"));
	assert_true(words_boilerplate("share"));
	assert_true(words_boilerplate("\xc2\xbb read more \xe2\x86\x92"));
	assert_true(words_boilerplate("related:"));
	assert_true(words_boilerplate("* subscribe to our newsletter!"));
	assert_true(words_boilerplate("advertisement - scroll to continue"));
	assert_true(words_boilerplate("we use cookies to improve your "
	    "experience. accept?"));
	assert_false(words_boilerplate(""));
	assert_false(words_boilerplate("..."));
	assert_false(words_boilerplate("share the view"));
	assert_false(words_boilerplate("related: the storm of 1953"));
	assert_false(words_boilerplate("Share this article"));	/* not a key */
	/* A long text on cookies is an article, not a notice. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "we use cookies ", 15);
	assert_false(words_boilerplate(longer));
	longer[400] = '\0';
	assert_true(words_boilerplate(longer));
}

static void
test_hash(void **state)
{
	uint64_t	 h;

	(void)state;
	/* The published FNV-1a 64 vectors. */
	assert_true(words_hash("", 0, 0) == UINT64_C(0xcbf29ce484222325));
	assert_true(words_hash("a", 1, 0) == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(words_hash("foobar", 6, 0) ==
	    UINT64_C(0x85944171f73967e8));
	/* A seed continues a hash. */
	h = words_hash("foo", 3, 0);
	assert_true(words_hash("bar", 3, h) == words_hash("foobar", 6, 0));
	assert_true(words_hash("b", 1, 0) != words_hash("a", 1, 0));
}

static void
test_count(void **state)
{
	(void)state;
	assert_int_equal(words_count(""), 0);
	assert_int_equal(words_count("   \n\t"), 0);
	assert_int_equal(words_count("one two  three"), 3);
	assert_int_equal(words_count("don't stop"), 2);
	assert_int_equal(words_count("e-mail"), 1);
	assert_int_equal(words_count("a - b"), 2);
	assert_int_equal(words_count("a\tb\nc"), 3);
	assert_int_equal(words_count("\xe2\x80\x94"), 1);	/* — */
	assert_int_equal(words_count("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
	    1);
	assert_int_equal(words_count("(1) [2]"), 2);
	assert_int_equal(words_count("!!! ..."), 0);
	assert_int_equal(words_count("a\xc2\xa0" "b"), 1);	/* no-break */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_char),
		cmocka_unit_test(test_is_cjk),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_fold_ascii_words),
		cmocka_unit_test(test_fold_runs),
		cmocka_unit_test(test_fold_table),
		cmocka_unit_test(test_not_boilerplate),
		cmocka_unit_test(test_iter_punctuation),
		cmocka_unit_test(test_iter_scripts),
		cmocka_unit_test(test_iter_emoji_invalid),
		cmocka_unit_test(test_iter_bounds),
		cmocka_unit_test(test_fold_key),
		cmocka_unit_test(test_line_key),
		cmocka_unit_test(test_boilerplate),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
