/*
 * words: the text basics every module shares, defined once: what a word
 * is, walking the words of a text, folding, hashing and counting them, and
 * the lines that are boilerplate on any site.  store/ may include this
 * header and no other of parsers/.
 *
 * A word is a run of word characters: Unicode letters, combining marks
 * and numbers (categories L*, M*, N*), so "naïve" written with a
 * combining diaeresis and Hindi words with their vowel signs stay whole.
 * Everything else separates words: spaces, punctuation (so "don't" and
 * "e-mail" are two words each), symbols and emoji, invalid UTF-8.  CJK
 * ideographs are letters (Lo): a run of them is one word.
 *
 * WORDS_NOMARKS is the one variant: combining marks are no word
 * characters, so a mark ends a word and one standing alone (the U+FE0F
 * that asks for an emoji's colour form) is none.  boiler's and norm's
 * tests of "is there a word here" always read text so: "🗓️ 5 May" is a
 * dateline, and "Headline | ❤️" has no site tag.  They keep it so that
 * their output does not change.
 */
#ifndef FEEDSPOOL_WORDS_H
#define FEEDSPOOL_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORDS_NOMARKS	0x01	/* combining marks are no word characters */

/* Is the code point cp a word character?  flags: 0 or WORDS_NOMARKS. */
bool	 words_is_char(int32_t cp, unsigned flags);

/*
 * Is cp a Han, kana or Hangul character?  Those scripts do not space
 * their words (Korean spaces phrases), so a run of them from words_next()
 * is no word: store/dedup.c reads it as character bigrams.
 */
bool	 words_is_cjk(int32_t cp);

/*
 * The words of s[0..len), in order:
 *
 *	words_begin(&it, s, len, 0);
 *	while (words_next(&it, &w, &wlen))
 *		... w[0..wlen) is one word, in s ...
 */
struct words_iter {
	const unsigned char	*p;
	const unsigned char	*end;
	unsigned		 flags;
};

void	 words_begin(struct words_iter *, const char *s, size_t len,
	    unsigned flags);
bool	 words_next(struct words_iter *, const char **word, size_t *len);

/*
 * s[0..len) folded for comparison: invalid UTF-8 and NULs dropped, then
 * compatibility forms (NFKC), case folded, accents and other marks
 * stripped ("Ｆéte" gives "fete").  Malloc'd, NULL when out of memory.
 */
char	*words_fold(const char *s, size_t len);

/*
 * The words of s[0..len) folded and run together: the key names are
 * compared by ("The N.Y. Times" gives "thenytimes").  Malloc'd, NULL when
 * out of memory.
 */
char	*words_key(const char *s, size_t len);

/*
 * The form recurring lines are compared and learned in: folded as above,
 * spaces collapsed and trimmed, every decimal digit "0" ("© 2023 Example"
 * and "© 2024 example" are one line).  Malloc'd, NULL when out of memory.
 */
char	*words_line_key(const char *line);

/*
 * Is key (a words_line_key()) a line that is boilerplate on any site when
 * it stands alone: a share or subscribe button, an advertisement label, a
 * cookie notice?  Bullets, arrows and colons around it do not count.
 */
bool	 words_boilerplate(const char *key);
/*
 * Whether no line key of s can be boilerplate by words_boilerplate(),
 * told from s itself, without folding it: it has more ASCII letters and
 * digits (each one byte of its key, none of them decoration) than any
 * phrase but a cookie notice, and cannot begin like one.
 */
bool	 words_not_boilerplate(const char *s, size_t *alnum);

/*
 * 64-bit FNV-1a of len bytes, continuing from seed (0: start afresh, from
 * the FNV offset basis), for keys that need to be short and stable.
 */
uint64_t words_hash(const void *, size_t, uint64_t seed);

/*
 * How many words a text has, as a reader counts them: runs of bytes
 * between spaces, tabs and line breaks that hold an ASCII letter or digit
 * or any non-ASCII character ("don't" and "e-mail" are one each, a lone
 * "-" none).  The count stories give; not the words of words_next().
 */
size_t	 words_count(const char *);

#endif
