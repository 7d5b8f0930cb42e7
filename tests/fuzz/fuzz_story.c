/*
 * fuzz_story: libFuzzer target for story building (daemon/story.c).  The
 * input is a feed document, a NUL byte, then a page; every item of the
 * feed becomes a story (story_from_item), completed by the page
 * (story_add_page) and dumped as the story file.  Built and run by
 * `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/story.h"
#include "parsers/extract.h"
#include "parsers/feed.h"

#define ITEMS	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
one_item(const struct feed_doc *doc, const struct feed_item *it,
    const struct extract *x)
{
	static const char *const tags[] = { "Example News" };
	struct story_feed	 f = { "fuzz", "http://example.com/feed",
	    doc->title, doc->language };
	struct story_hints	 h = { "example.com", tags, 1, NULL, 0 };
	struct story		*s;
	char			*json;
	size_t			 len;
	int			 used = 0;

	if ((s = story_from_item("fuzz-1", &f, it, 1700000000, &h, 1,
	    NULL)) == NULL)
		return;
	if (x != NULL)
		(void)story_add_page(s, x, &h, &used);
	if ((json = story_dump(s, &len)) != NULL)
		free(json);
	story_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	struct feed_doc	*doc = NULL;
	struct extract	*x = NULL;
	char		 err[256], *page;
	size_t		 flen, i;

	nul = memchr(data, '\0', size);
	flen = nul != NULL ? (size_t)(nul - data) : size;
	if (feed_parse((const char *)data, flen, "http://example.com/feed",
	    NULL, &doc, err, sizeof(err)) != 0)
		return 0;
	/* A page is parsed in place, up to its '\0': as a buf holds it. */
	if (nul != NULL && (page = malloc(size - flen)) != NULL) {
		memcpy(page, nul + 1, size - flen - 1);
		page[size - flen - 1] = '\0';
		if (extract_page(page, size - flen - 1, "http://example.com/a",
		    &x, err, sizeof(err)) != 0)
			x = NULL;
		free(page);
	}
	for (i = 0; i < doc->nitems && i < ITEMS; i++)
		one_item(doc, &doc->items[i], x);
	if (x != NULL)
		extract_free(x);
	feed_free(doc);
	return 0;
}
