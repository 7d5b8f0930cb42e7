/*
 * norm: normalise the plain text of a story (utf8proc).
 *
 * Every language: HTML entities that survived are decoded once (&amp;amp;
 * gives "&amp;"), invalid UTF-8 becomes U+FFFD, Unicode NFC, zero-width
 * characters (U+200B-U+200D, U+2060, U+FEFF), soft hyphens and control
 * characters dropped, every Unicode space becomes a plain space, spaces
 * collapsed and trimmed.  Every line break ends a paragraph; paragraphs
 * come out separated by exactly one blank line.  A doubled full stop with
 * a space between (". .") becomes one; an ellipsis ("...", "…", ". . .")
 * stays.
 *
 * English text only (declared, or detected from its function words):
 * guillemets « » ‹ › become curly quotes “ ” ‘ ’ without the spaces just
 * inside them, a pair opened in one style and closed in the other
 * (“ ... », « ... ”) is closed with the curly quote, and the space before
 * , . ; : ! ? goes.  Other languages keep their quotes and spacing.
 */
#ifndef FEEDSPOOL_NORM_H
#define FEEDSPOOL_NORM_H

/*
 * The normalised text, paragraphs separated by "\n\n".  lang is the
 * declared language ("en", "en-GB", "fr", ...) or NULL/"" to detect it.
 * NULL text reads as "".  Returns a malloc'd string, NULL when out of
 * memory.
 */
char	*norm_text(const char *text, const char *lang);

/* The same on one line (titles): line breaks become spaces. */
char	*norm_line(const char *s);
char	*norm_line_lang(const char *s, const char *lang);

/*
 * 1 when declared_lang says English ("en", "en-US", "en_GB", any case),
 * 0 when it names another language; when it is NULL or "", 1 when the
 * text's English function words (the, and, of, to, ...) outnumber those
 * of French, German, Spanish, Italian, Portuguese and Dutch.
 */
int	 norm_is_english(const char *text, const char *declared_lang);

/*
 * The language of text (a BCP 47 tag: en, fr, de, es, it, pt, nl) when its
 * function words say so beyond doubt, else NULL: langid's quick path, a
 * hundredth of the n-gram classifier's cost.
 */
const char *norm_quick_lang(const char *text);

/*
 * For the tests.  norm_text_full_nfc, norm_line_full_nfc: norm_text and
 * norm_line_lang with utf8proc's NFC run over the whole text and every
 * pass run, as it was before the quick check and the fast path.
 * norm_nfc_quick: 1 when the quick check finds the UTF-8 string s in NFC
 * (every code point one that NFC leaves alone), 0 otherwise.  norm_nfc:
 * s repaired and in NFC as norm_text has it, before any other rule
 * (malloc'd).
 */
char	*norm_text_full_nfc(const char *text, const char *lang);
char	*norm_line_full_nfc(const char *s, const char *lang);
int	 norm_nfc_quick(const char *s);
char	*norm_nfc(const char *s);

#endif
