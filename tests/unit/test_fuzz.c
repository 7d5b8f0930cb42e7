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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
