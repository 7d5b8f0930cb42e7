/*
 * test_fuzz: every input the fuzzers crashed on (tests/fixtures/fuzz/),
 * replayed the way the fuzz target reads it, with the outcome it must
 * have now.  The bytes are copied into a buffer of exactly their size, so
 * that the sanitizer build catches a read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/date.h"
#include "parsers/feed.h"
#include "tests/fuzz/feed_select.h"

#define FIXTURES	"tests/fixtures/fuzz/"

static char *
slurp(const char *name, size_t *len)
{
	char	 path[256];
	FILE	*f;
	char	*data;
	long	 n;
	int	 r;

	r = snprintf(path, sizeof(path), "%s%s", FIXTURES, name);
	assert_true(r > 0 && (size_t)r < sizeof(path));
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/*
 * Parse a fuzz_feed input: the selector byte, then the document.  Returns
 * feed_parse's result; a document parsed must also print as JSON.
 */
static int
replay_feed(const char *name, struct feed_doc **doc, char *err,
    size_t errlen)
{
	char	*data, *json;
	size_t	 len;
	int	 rc;

	data = slurp(name, &len);
	err[0] = '\0';
	rc = feed_parse(data + 1, len - 1,
	    feed_select_base((unsigned char)data[0]),
	    feed_select_charset((unsigned char)data[0]), doc, err, errlen);
	free(data);
	if (rc == 0) {
		assert_non_null(*doc);
		json = feed_to_json(*doc);
		assert_non_null(json);
		free(json);
	}
	return rc;
}

/* Only blanks: there was a read past the end looking for a JSON Feed. */
static void
test_blank(void **state)
{
	struct feed_doc	*doc = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(replay_feed("feed-blank", &doc, err, sizeof(err)),
	    -1);
	assert_null(doc);
	assert_string_equal(err, "not a feed: empty document");
}

/*
 * An empty guid with isPermaLink, then another guid: the first attribute
 * was overwritten and leaked (found by the sanitizer build).
 */
static void
test_guid_leak(void **state)
{
	static const char	 doc[] = "<rss version=\"2.0\"><channel><item>"
	    "<guid isPermaLink=\"false\"></guid>"
	    "<guid>http://example.com/a</guid></item></channel></rss>";
	struct feed_doc		*d = NULL;
	char			 err[256];

	(void)state;
	assert_int_equal(replay_feed("feed-guid-leak", &d, err, sizeof(err)),
	    0);
	assert_true(d->recovered);
	assert_int_equal(d->nitems, 1);
	assert_null(d->items[0].id);
	feed_free(d);

	/* The guid that counts is the first with text, with its own flag. */
	assert_int_equal(feed_parse(doc, sizeof(doc) - 1, NULL, NULL, &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d->nitems, 1);
	assert_string_equal(d->items[0].id, "http://example.com/a");
	assert_string_equal(d->items[0].link, "http://example.com/a");
	feed_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_guid_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
