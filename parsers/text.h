/*
 * text: turn (X)HTML fragments into plain text.
 */
#ifndef FEEDSPOOL_TEXT_H
#define FEEDSPOOL_TEXT_H

#include <stddef.h>

/*
 * Plain text of an HTML fragment: tags removed, entities decoded, scripts
 * and styles dropped, whitespace collapsed within paragraphs, block elements
 * (p, div, br, li, h1-h6, ...) separated by one blank line.  Returns a
 * malloc'd UTF-8 string ("" for empty input) or NULL when out of memory.
 */
char	*text_from_html(const char *html, size_t len);

/* The same on one line: for titles (whitespace collapsed, no newlines). */
char	*text_line_from_html(const char *html, size_t len);

#endif
