/*
 * fuzz_feed: libFuzzer target for the feed parser.
 *
 * The first input byte chooses how the rest is parsed, so that one corpus
 * covers the daemon's ways of calling feed_parse: bit 7 gives a base URL
 * (relative links get resolved), the low bits pick a transport charset
 * (none, an empty one, the usual ones, a bogus one).  The rest is the
 * document; it goes through feed_parse, feed_to_json and feed_free, as in
 * `feedspool parse`.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/feed.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const charsets[] = {
	NULL, "", "utf-8", "iso-8859-1", "windows-1252", "utf-16",
	"koi8-r", "no-such-charset",
};
#define NCHARSETS	(sizeof(charsets) / sizeof(charsets[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_doc	*doc = NULL;
	const char	*base, *charset;
	char		 err[256];
	char		*json;

	if (size < 1)
		return 0;
	base = (data[0] & 0x80) ? "https://example.org/dir/feed.xml" : NULL;
	charset = charsets[data[0] % NCHARSETS];
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
