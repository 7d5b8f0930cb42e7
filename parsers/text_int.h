/*
 * text_int: text.c's internals, for its tests and tools.  Not for other
 * modules.
 */
#ifndef FEEDSPOOL_TEXT_INT_H
#define FEEDSPOOL_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Elements whose content is dropped, and those that break paragraphs. */
extern const char *const text_skipped[];
extern const char *const text_blocks[];

/* What the fast path knows of an element (text_tags[], name NULL last). */
#define TEXT_TAG_VOID	0x01	/* no content, no end tag (libxml2's empty) */
#define TEXT_TAG_BLOCK	0x02	/* in text_blocks */
#define TEXT_TAG_SKIP	0x04	/* in text_skipped */
#define TEXT_TAG_DIV	0x08	/* end tag priority 150, not 100 */
#define TEXT_TAG_IMPLIED 0x10	/* html, body: never read, only implied */

struct text_tag {
	const char	*name;
	unsigned	 flags;
	uint64_t	 closes;	/* bit i: its start tag closes tag i */
};

extern const struct text_tag text_tags[];

/* libxml2's HTML entities, sorted by name (strcmp). */
struct text_entity {
	const char	*name;
	unsigned	 value;
};

extern const struct text_entity text_entities[];
extern const size_t text_nentities;
const struct text_entity *text_entity_find(const char *, size_t);

/* How convert() goes about it. */
enum text_path {
	TEXT_AUTO,		/* the fast path when it can, else libxml2 */
	TEXT_LIBXML,		/* libxml2's parser only */
	TEXT_FAST		/* the fast path only: NULL when it gives up */
};

/*
 * text_from_html (oneline false) or text_line_from_html (true) by the
 * given path; *fast (may be NULL) says whether the fast path made it.
 * With TEXT_FAST, NULL and *fast false when the fast path gives up.
 */
char	*text_convert(const char *html, size_t len, bool oneline,
	    enum text_path, bool *fast);

#endif
