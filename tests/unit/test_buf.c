/*
 * buf: the cap, and text written as HTML.  buf_add_html steps over
 * sixteen or eight bytes at once: every special character is put at
 * every place of strings long enough for each step, and the result is
 * compared with the escaping done byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/buf.h"

/* The escaping as written out by hand, one byte at a time. */
static size_t
html_by_hand(char *out, const char *s, size_t n)
{
	size_t	 i, w = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: out[w++] = s[i]; continue;
		}
		memcpy(out + w, rep, strlen(rep));
		w += strlen(rep);
	}
	out[w] = '\0';
	return w;
}

static void
test_html_every_place(void **unused)
{
	static const char	 specials[] = "&<>\"'\n\x80\xff";
	char			 s[48], want[48 * 6 + 1];
	struct buf		 b;
	size_t			 len, at, k, wlen;

	(void)unused;
	for (len = 1; len <= sizeof(s); len++)
		for (at = 0; at < len; at++)
			for (k = 0; k < sizeof(specials) - 1; k++) {
				memset(s, 'a', len);
				s[at] = specials[k];
				/* a second one further on, past a step */
				if (at + 17 < len)
					s[at + 17] = '<';
				wlen = html_by_hand(want, s, len);
				buf_init(&b, SIZE_MAX / 2);
				assert_int_equal(buf_add_html(&b, s, len),
				    BUF_OK);
				assert_int_equal(b.len, wlen);
				assert_memory_equal(b.data, want, wlen);
				assert_int_equal(b.data[b.len], '\0');
				buf_free(&b);
			}
}

/* Only n bytes are read: a special byte just past them is not escaped. */
static void
test_html_length(void **unused)
{
	const char	*s = "0123456789abcdefghij<>&\"";
	struct buf	 b;

	(void)unused;
	buf_init(&b, 1024);
	assert_int_equal(buf_add_html(&b, s, 20), BUF_OK);
	assert_string_equal(b.data, "0123456789abcdefghij");
	assert_int_equal(buf_add_html(&b, s + 20, 4), BUF_OK);
	assert_string_equal(b.data, "0123456789abcdefghij&lt;&gt;&amp;&quot;");
	buf_free(&b);
}

static void
test_cap(void **unused)
{
	struct buf	 b;

	(void)unused;
	buf_init(&b, 8);
	assert_int_equal(buf_add(&b, "12345678", 8), BUF_OK);
	assert_int_equal(buf_add(&b, "9", 1), BUF_TOOBIG);
	assert_string_equal(b.data, "12345678");
	buf_reset(&b);
	/* "&amp;" alone is 5 of the 8 bytes; a second one is too many. */
	assert_int_equal(buf_add_html(&b, "&&", 2), BUF_TOOBIG);
	assert_int_equal(b.len, 5);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_every_place),
		cmocka_unit_test(test_html_length),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
