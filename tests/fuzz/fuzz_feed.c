/*
 * fuzz_feed: libFuzzer target for the feed parser.
 *
 * The first input byte chooses how the rest is parsed, so that one corpus
 * covers the daemon's ways of calling feed_parse: a base URL or none
 * (relative links get resolved), and a transport charset (none, an empty
 * one, the usual ones, a bogus one); see feed_select.h.  The rest is the
 * document; it goes through feed_parse, feed_to_json and feed_free, as in
 * `feedspool parse`.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/feed.h"
#include "tests/fuzz/feed_select.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_doc	*doc = NULL;
	const char	*base, *charset;
	char		 err[256];
	char		*json;

	if (size < 1)
		return 0;
	base = feed_select_base(data[0]);
	charset = feed_select_charset(data[0]);
	if (feed_parse((const char *)data + 1, size - 1, base, charset, &doc,
	    err, sizeof(err)) != 0) {
		/* A failure must leave nothing behind and say why. */
		if (doc != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (doc == NULL)
		abort();
	if ((json = feed_to_json(doc)) != NULL)
		free(json);
	feed_free(doc);
	return 0;
}
