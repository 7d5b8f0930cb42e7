/*
 * test_jsoncap: jsoncap_cost is at least what jansson allocates to load a
 * text, on the shapes that cost it most per byte and on ordinary feeds.
 * jansson's allocations are counted through json_set_alloc_funcs (set
 * before any other jansson call), each block with its size in a header
 * of its own, so the count is exact under the sanitizers too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "parsers/buf.h"
#include "parsers/feed.h"
#include "parsers/jsoncap.h"

#define HEADER	16	/* keeps the blocks 16-byte aligned */

static size_t	 live, peak;

static void *
count_malloc(size_t n)
{
	unsigned char	*p;

	if (n > SIZE_MAX - HEADER || (p = malloc(HEADER + n)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	live += n;
	if (live > peak)
		peak = live;
	return p + HEADER;
}

static void
count_free(void *v)
{
	unsigned char	*p = v;
	size_t		 n;

	if (p == NULL)
		return;
	p -= HEADER;
	memcpy(&n, p, sizeof(n));
	live -= n;
	free(p);
}

/* Peak bytes jansson held (as asked for, without malloc's rounding). */
static size_t
load_peak(const char *s, size_t len)
{
	json_t		*j;
	json_error_t	 e;

	live = peak = 0;
	j = json_loadb(s, len, JSON_DECODE_ANY, &e);
	if (j == NULL)
		fail_msg("not loaded: %s", e.text);
	json_decref(j);
	assert_int_equal(live, 0);
	return peak;
}

/* A text of n copies of unit inside open ... close. */
static void
repeat(struct buf *b, const char *open, const char *unit, const char *sep,
    const char *close, size_t n)
{
	size_t	 i;

	buf_reset(b);
	assert_int_equal(buf_addstr(b, open), BUF_OK);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_int_equal(buf_addstr(b, sep), BUF_OK);
		assert_int_equal(buf_addstr(b, unit), BUF_OK);
	}
	assert_int_equal(buf_addstr(b, close), BUF_OK);
}

static void
assert_covers(const struct buf *b, const char *what)
{
	size_t	 cost = jsoncap_cost(b->data, b->len), got;

	got = load_peak(b->data, b->len);
	if (cost < got)
		fail_msg("%s: estimated %zu, jansson took %zu", what, cost, got);
	assert_true(jsoncap_fits(b->data, b->len, cost));
	assert_false(jsoncap_fits(b->data, b->len, cost - 1));
}

static void
test_dense(void **state)
{
	static const char *const units[] = {
		"{}", "[]", "0", "\"\"", "true", "{\"a\":0}", "[[1,2],{}]",
		"{\"key\":\"value\",\"n\":-1.5e3}", "\"\\u00e9\\n\"", NULL
	};
	struct buf	 b;
	size_t		 i;

	(void)state;
	buf_init(&b, 8 << 20);
	for (i = 0; units[i] != NULL; i++) {
		repeat(&b, "[", units[i], ",", "]", 100000);
		assert_covers(&b, units[i]);
	}
	repeat(&b, "{", "\"k\":{}", ",", "}", 1);
	assert_covers(&b, "one member");
	buf_free(&b);
}

/* Members with distinct keys: the table doubles, both exist a while. */
static void
test_members(void **state)
{
	struct buf	 b;
	size_t		 i;

	(void)state;
	buf_init(&b, 8 << 20);
	assert_int_equal(buf_addstr(&b, "{"), BUF_OK);
	for (i = 0; i < 200000; i++)
		assert_int_equal(buf_printf(&b, "%s\"k%zu\":%zu", i ? "," : "",
		    i, i), BUF_OK);
	assert_int_equal(buf_addstr(&b, "}"), BUF_OK);
	assert_covers(&b, "members");
	buf_free(&b);
}

/* A long string: the lexer's buffer grows to twice its size. */
static void
test_long_string(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 8 << 20);
	repeat(&b, "[\"", "x", "", "\"]", 3 << 20);
	assert_covers(&b, "long string");
	buf_free(&b);
}

/* An ordinary JSON Feed: covered, and well within the budget. */
static void
test_feed(void **state)
{
	struct buf	 b;
	size_t		 i;

	(void)state;
	buf_init(&b, 8 << 20);
	assert_int_equal(buf_addstr(&b, "{\"version\":"
	    "\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["),
	    BUF_OK);
	for (i = 0; i < 2000; i++)
		assert_int_equal(buf_printf(&b, "%s{\"id\":\"%zu\",\"url\":"
		    "\"https://example.org/%zu\",\"title\":\"Title %zu\","
		    "\"content_html\":\"<p>Some text of the item, a sentence "
		    "or two long.</p>\",\"tags\":[\"a\",\"b\"]}", i ? "," : "",
		    i, i, i), BUF_OK);
	assert_int_equal(buf_addstr(&b, "]}"), BUF_OK);
	assert_covers(&b, "feed");
	assert_true(jsoncap_fits(b.data, b.len, JSONCAP_FEED));
	buf_free(&b);
}

/*
 * A JSON Feed of 1.2 MB of empty objects would take a hundred times that
 * in jansson's values: feed_parse refuses it before it is loaded, saying
 * why.
 */
static void
test_feed_refused(void **state)
{
	struct buf	 b;
	struct feed_doc	*d = NULL;
	char		 err[256];
	size_t		 i;

	(void)state;
	buf_init(&b, 4 << 20);
	assert_int_equal(buf_addstr(&b, "{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"t\", \"items\": [{}"), BUF_OK);
	for (i = 0; i < 400000; i++)
		assert_int_equal(buf_addstr(&b, ",{}"), BUF_OK);
	assert_int_equal(buf_addstr(&b, "]}"), BUF_OK);
	live = peak = 0;
	assert_int_equal(feed_parse(b.data, b.len, NULL, NULL, &d, err,
	    sizeof(err)), -1);
	assert_null(d);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(peak, 0);	/* nothing loaded */
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dense),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_feed_refused),
	};

	/* before anything else of jansson's */
	json_set_alloc_funcs(count_malloc, count_free);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
