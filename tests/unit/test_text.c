/*
 * test_text: HTML fragments to plain text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/text.h"

static void
check(const char *html, const char *want_text, const char *want_line)
{
	char	*t;

	t = text_from_html(html, strlen(html));
	assert_non_null(t);
	if (strcmp(t, want_text) != 0)
		fail_msg("text_from_html(\"%s\") = \"%s\", want \"%s\"", html,
		    t, want_text);
	free(t);
	t = text_line_from_html(html, strlen(html));
	assert_non_null(t);
	if (strcmp(t, want_line) != 0)
		fail_msg("text_line_from_html(\"%s\") = \"%s\", want \"%s\"",
		    html, t, want_line);
	free(t);
}

static void
test_plain(void **state)
{
	(void)state;
	check("Hello world", "Hello world", "Hello world");
	check("  padded\t text \n", "padded text", "padded text");
	check("Tom &amp; Jerry", "Tom & Jerry", "Tom & Jerry");
	check("caf&eacute; &mdash; bar", "café — bar", "café — bar");
	check("5 &lt; 6", "5 < 6", "5 < 6");
	check("fish & chips", "fish & chips", "fish & chips");
	check("déjà vu", "déjà vu", "déjà vu");
	/* A blank line in plain text is a paragraph break. */
	check("one\n\ntwo", "one\n\ntwo", "one two");
}

static void
test_markup(void **state)
{
	(void)state;
	check("<p>Hello <b>bold</b> world</p>", "Hello bold world",
	    "Hello bold world");
	check("<p>one</p><p>two</p>", "one\n\ntwo", "one two");
	check("a<br>b", "a\n\nb", "a b");
	check("<ul><li>x</li><li>y</li></ul>", "x\n\ny", "x y");
	check("<h1>Title</h1>\n\n<div>  body   text </div>",
	    "Title\n\nbody text", "Title body text");
	check("<b>a</b> <i>b</i>", "a b", "a b");
	check("x&nbsp;y", "x y", "x y");
	check("<p>\xc2\xa0 lead</p>", "lead", "lead");
}

static void
test_dropped(void **state)
{
	(void)state;
	check("<script>alert(1)</script>visible", "visible", "visible");
	check("<style>p { color: red }</style><p>styled</p>", "styled",
	    "styled");
	check("<p>a<script>var x = '<p>';</script>b</p>", "ab", "ab");
	check("<!-- comment -->text", "text", "text");
}

static void
test_broken(void **state)
{
	(void)state;
	check("<p>unclosed <b>bold", "unclosed bold", "unclosed bold");
	check("</div>stray close", "stray close", "stray close");
	check("<p>a < b</p>", "a < b", "a < b");
}

static void
test_empty(void **state)
{
	char	*t;

	(void)state;
	t = text_from_html("", 0);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
	t = text_line_from_html(NULL, 0);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
	check("<p> </p><script>x</script>", "", "");
}

/* The length is honoured: no reading past it, no need for a NUL. */
static void
test_length(void **state)
{
	const char	 html[] = "<b>abc</b>XYZ";
	char		*t;

	(void)state;
	t = text_from_html(html, 10);
	assert_non_null(t);
	assert_string_equal(t, "abc");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
