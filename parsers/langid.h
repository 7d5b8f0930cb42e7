/*
 * langid: the language of a text that declares none, guessed from its
 * character n-grams by libexttextcat's classifier with the language models
 * Debian ships (libexttextcat-data, read once, on the first guess).
 *
 * The answer is a BCP 47 tag as feeds write them: the ISO 639-1 code where
 * the language has one ("en", "de"), else ISO 639-3 ("ast"), with a script
 * where exttextcat tells two apart ("zh-Hans", "uz-Cyrl").  No answer for a
 * text of fewer than LANGID_MIN_CHARS letters, nor when the classifier is
 * unsure (its best candidates are different languages), nor when the
 * models cannot be read.  A few regional languages whose models shadow a
 * neighbour's (Scots, Luxembourgish, Low German, Romansh, Frisian, Rusyn)
 * are never an answer: they came with most English and German texts.
 *
 * Measured on 928 pages of an extraction corpus by their html lang: of
 * texts of up to 1000 characters 96.1% agree, 2.5% differ (most of them
 * pages that declare the wrong language), 1.4% get no answer; of texts
 * cut to 200 characters 88.5%, 2.2% and 9.4%.
 *
 * exttextcat's textcat_ClassifyFull compares the text with its 164 models
 * one after the other: 3.9 million instructions a guess.  parsers/langfp.c
 * computes the same scores for all of them in one pass (a table of every
 * model's n-grams, n-gram -> (model, rank)), with the same candidates for
 * every text (of the 906 texts of that corpus, and of thousands made up
 * in tests/unit/test_langfp.c): 0.59 million instructions, the models
 * loaded in 134 million (35 ms, 1.7 MB; exttextcat's 60 million, 20 ms,
 * 1.5 MB).  exttextcat itself classifies when langfp cannot read the
 * models.  A text whose function words leave no doubt (norm_quick_lang:
 * 0.2 million) is answered without the classifier: 775 of those 906 texts
 * of 1000 characters, all but one as the classifier would, that one right
 * where the classifier had no answer.
 */
#ifndef FEEDSPOOL_LANGID_H
#define FEEDSPOOL_LANGID_H

#include <stddef.h>

/* Below this many word characters a guess is wrong too often. */
#define LANGID_MIN_CHARS	40
/* The classifier reads at most this many bytes of a text. */
#define LANGID_MAX_INPUT	1024
/* Room for any tag langid_guess() writes. */
#define LANGID_TAG_MAX		16

/*
 * The language of a story's title and text (either NULL): 1 and the tag
 * in tag (of size LANGID_TAG_MAX or more), or 0 and "" when there is no
 * answer.
 */
int	 langid_guess(const char *title, const char *text, char *tag,
	    size_t size);

/* 1 when the language models could be read (they are on the first call). */
int	 langid_available(void);
/*
 * 1 when the models' list is there to be read, without reading it: the
 * daemon's check at start (the models load at the first guess, some 35 ms
 * that a run with nothing new would spend for nothing).
 */
int	 langid_present(void);
/* Off (0): langid_guess() answers nothing, and no model is read.  On by
 * default; detect_language in the configuration. */
void	 langid_enable(int on);

#endif
