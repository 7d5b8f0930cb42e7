/*
 * htmlclean: the article HTML (extract.h's ex->html) made to agree with
 * the text once boiler.h and norm.h have cleaned it, so the story's
 * "html" holds nothing its "text" lost: no repeated headline, no share
 * line, no guillemets in English, no ". .".  libxml2's HTML parser, never
 * the network.
 */
#ifndef FEEDSPOOL_HTMLCLEAN_H
#define FEEDSPOOL_HTMLCLEAN_H

/*
 * The article HTML made to agree with its cleaned text: every block (p, li,
 * h2-h6, blockquote, pre, figcaption, td/th...) whose text is no longer among
 * text's paragraphs is dropped; in the blocks kept, every text node is
 * normalised for lang (norm_line_lang), and a block whose text still differs
 * from its paragraph in text and holds no inline markup gets that paragraph
 * as its text.  Returns a malloc'd HTML string ("" when nothing is left), or
 * NULL when out of memory.
 *
 * Blocks and paragraphs are compared after both went through
 * norm_line_lang, so a paragraph that was only re-quoted still matches;
 * each paragraph matches one block at most.  A block that holds others
 * (ul, table, blockquote with p inside) is judged by its leaf blocks and
 * goes when none of them is left.  A block without text (an image) stays.
 * The text nodes of one block are normalised together, so a quote pair
 * split across inline nodes ("« <a>...</a> »") is made curly as a whole;
 * a ". ." split across nodes stays.  A NULL or empty lang is found in
 * the whole text, as norm_text() found it, never block by block.  html
 * and text may be NULL (as "").
 */
char	*htmlclean_match(const char *html, const char *text, const char *lang);

#endif
