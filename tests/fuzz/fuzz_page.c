/*
 * fuzz_page: libFuzzer target for article extraction.
 *
 * The first input byte chooses the page's URL (or none) and the transport
 * charset as for fuzz_feed (feed_select.h); the rest is the page.  It goes
 * through extract_page_charset and extract_free, as the daemon calls them
 * for every article page: decoding (charset.c), libxml2's HTML parser, the
 * extractor and its clean-up.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/extract.h"
#include "tests/fuzz/feed_select.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract	*x = NULL;
	char		 err[256], *page;
	int		 rc;

	if (size < 1)
		return 0;
	/* The page is parsed in place, up to its '\0': as a buf holds it. */
	if ((page = malloc(size)) == NULL)
		return 0;
	memcpy(page, data + 1, size - 1);
	page[size - 1] = '\0';
	err[0] = '\0';
	rc = extract_page_charset(page, size - 1, feed_select_base(data[0]),
	    feed_select_charset(data[0]), &x, err, sizeof(err));
	free(page);
	if (rc != 0) {
		/* A failure must leave nothing behind and say why. */
		if (x != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (x == NULL)
		abort();
	extract_free(x);
	return 0;
}
