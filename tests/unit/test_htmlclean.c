/*
 * test_htmlclean: the article HTML made to agree with its cleaned text,
 * on hand-written fragments and on a fixture page taken through
 * extract_page, boiler_body and norm_text as store/story.c does (tests
 * run from the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/boiler.h"
#include "parsers/extract.h"
#include "parsers/htmlclean.h"
#include "parsers/norm.h"

#define PAGE		"tests/fixtures/site/news/blinken-beijing.html"
#define PAGE_URL	"http://127.0.0.1/news/blinken-beijing.html"
#define HEADLINE	"Blinken plans to meet with top Chinese officials in Beijing"

static char *
clean_text(const char *raw, const char *title, const char *lang)
{
	char	*b, *n;

	assert_non_null(b = boiler_body(raw, title, NULL, NULL, 0));
	assert_non_null(n = norm_text(b, lang));
	free(b);
	return n;
}

static char *
match(const char *html, const char *text, const char *lang)
{
	char	*out;

	out = htmlclean_match(html, text, lang);
	assert_non_null(out);
	return out;
}

static void
assert_has(const char *s, const char *what)
{
	if (strstr(s, what) == NULL)
		fail_msg("\"%s\" not in:\n%s", what, s);
}

static void
assert_lacks(const char *s, const char *what)
{
	if (strstr(s, what) != NULL)
		fail_msg("\"%s\" still in:\n%s", what, s);
}

/* What the story file must not hold, anywhere. */
static void
assert_clean(const char *html)
{
	assert_lacks(html, "ltc-a");
	assert_lacks(html, "\xc2\xab");		/* « */
	assert_lacks(html, "\xc2\xbb");		/* » */
	assert_lacks(html, ". .");
}

/* text's paragraphs, each as a <p> (text without & < > "). */
static char *
as_paragraphs(const char *text)
{
	const char	*s = text, *e;
	char		*out, *w;

	/* 7 bytes of tags per paragraph of at least 1 byte and its "\n\n" */
	assert_non_null(out = malloc(strlen(text) * 4 + 8));
	w = out;
	while (*s != '\0') {
		if ((e = strstr(s, "\n\n")) == NULL)
			e = s + strlen(s);
		memcpy(w, "<p>", 3);
		memcpy(w + 3, s, (size_t)(e - s));
		w += 3 + (e - s);
		memcpy(w, "</p>", 4);
		w += 4;
		s = *e != '\0' ? e + 2 : e;
	}
	*w = '\0';
	return out;
}

static const char seed_html[] =
    "<p>Blinken plans to meet with top Chinese officials in Beijing | ltc-a</p>"
    "<p>The State Department said Secretary Blinken would stress "
    "\xc2\xab the importance of keeping lines of communication open \xc2\xbb "
    "in Beijing . .</p>"
    "<p>Mr. Blinken also plans to \xc2\xab raise bilateral issues, \xc2\xbb "
    "<a href=\"https://example.org/statement\">the statement</a> said.</p>"
    "<p>Officials called it \xc2\xab<a href=\"https://example.org/q\">a "
    "frank exchange</a> \xc2\xbb of views.</p>"
    "<p>Share this article</p>";

static void
test_seed_fragment(void **unused)
{
	char	*text, *html;

	(void)unused;
	text = clean_text("Blinken plans to meet with top Chinese officials "
	    "in Beijing | ltc-a\n\n"
	    "The State Department said Secretary Blinken would stress "
	    "\xc2\xab the importance of keeping lines of communication open "
	    "\xc2\xbb in Beijing . .\n\n"
	    "Mr. Blinken also plans to \xc2\xab raise bilateral issues, \xc2\xbb "
	    "the statement said.\n\n"
	    "Officials called it \xc2\xab" "a frank exchange \xc2\xbb of views.\n\n"
	    "Share this article", HEADLINE, "en");
	assert_lacks(text, "ltc-a");
	assert_lacks(text, "Share this");
	html = match(seed_html, text, "en");
	assert_string_equal(html,
	    "<p>The State Department said Secretary Blinken would stress "
	    "\xe2\x80\x9cthe importance of keeping lines of communication "
	    "open\xe2\x80\x9d in Beijing.</p>"
	    "<p>Mr. Blinken also plans to \xe2\x80\x9craise bilateral "
	    "issues,\xe2\x80\x9d <a href=\"https://example.org/statement\">"
	    "the statement</a> said.</p>"
	    "<p>Officials called it \xe2\x80\x9c<a href=\"https://example.org/q\">"
	    "a frank exchange</a>\xe2\x80\x9d of views.</p>");
	assert_clean(html);
	free(html);
	free(text);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;

	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static void
test_seed_page(void **unused)
{
	struct extract		*ex;
	struct boiler_hints	 bh;
	char			 err[256];
	char			*page, *title, *text, *html, *want;
	size_t			 len;

	(void)unused;
	page = read_file(PAGE, &len);
	assert_int_equal(extract_page(page, len, PAGE_URL, &ex, err,
	    sizeof(err)), 0);
	assert_non_null(ex->title);
	/* the extracted HTML has what the text will lose */
	assert_has(ex->html, "ltc-a");
	assert_has(ex->html, "\xc2\xab");
	memset(&bh, 0, sizeof(bh));
	bh.site_name = ex->site_name;
	assert_non_null(title = boiler_title(ex->title, &bh));
	assert_string_equal(title, HEADLINE);
	text = clean_text(ex->text, title, "en");
	html = match(ex->html, text, "en");
	assert_clean(html);
	/* every paragraph as a <p>, and nothing else */
	assert_null(strpbrk(text, "&<>\""));
	assert_non_null(want = as_paragraphs(text));
	assert_string_equal(html, want);
	assert_has(html, "<p>The State Department announced on Wednesday");
	assert_has(html, "\xe2\x80\x9cthe importance of keeping lines");
	free(want);
	free(html);
	free(text);
	free(title);
	extract_free(ex);
	free(page);
}

static void
test_list_and_table_kept(void **unused)
{
	const char	*in =
	    "<h2>Results \xc2\xab so far \xc2\xbb</h2>"
	    "<ul><li>First item</li><li>Second <em>item</em></li></ul>"
	    "<table><tr><th>City</th><th>Votes</th></tr>"
	    "<tr><td>Lyon</td><td>1200</td></tr></table>"
	    "<blockquote><p>A quote . .</p></blockquote>";
	const char	*text = "Results \xe2\x80\x9cso far\xe2\x80\x9d\n\n"
	    "First item\n\nSecond item\n\nCity\n\nVotes\n\nLyon\n\n1200\n\n"
	    "A quote.";
	char		*html;

	(void)unused;
	html = match(in, text, "en");
	assert_string_equal(html,
	    "<h2>Results \xe2\x80\x9cso far\xe2\x80\x9d</h2>"
	    "<ul><li>First item</li><li>Second <em>item</em></li></ul>"
	    "<table><tr><th>City</th><th>Votes</th></tr>"
	    "<tr><td>Lyon</td><td>1200</td></tr></table>"
	    "<blockquote><p>A quote.</p></blockquote>");
	free(html);
}

static void
test_dropped_blocks_go(void **unused)
{
	const char	*in =
	    "<p>Kept paragraph.</p><p>Share this article</p>"
	    "<ul><li>Related: other story</li></ul>"
	    "<table><tr><td>gone</td></tr></table>"
	    "<figure><img src=\"https://example.org/a.jpg\" alt=\"A \xc2\xab"
	    "b\xc2\xbb\"><figcaption>Caption gone</figcaption></figure>"
	    "<p>Last one.</p>";
	char		*html;

	(void)unused;
	html = match(in, "Kept paragraph.\n\nLast one.", "en");
	assert_string_equal(html, "<p>Kept paragraph.</p>"
	    "<figure><img src=\"https://example.org/a.jpg\" "
	    "alt=\"A \xe2\x80\x9c" "b\xe2\x80\x9d\"></figure>"
	    "<p>Last one.</p>");
	free(html);
}

/* Each paragraph matches one block: a repeat the text lost goes. */
static void
test_repeated_block(void **unused)
{
	char	*html;

	(void)unused;
	html = match("<p>Same line.</p><p>Other.</p><p>Same line.</p>",
	    "Same line.\n\nOther.", "en");
	assert_string_equal(html, "<p>Same line.</p><p>Other.</p>");
	free(html);
}

/*
 * No language declared: the text's own, found in the whole text as
 * norm_text did, not in each block (too short to tell).
 */
static void
test_language_of_text(void **unused)
{
	const char	*raw = "\xc2\xab Oui \xc2\xbb\n\n"
	    "The minister said that the plan would go ahead, and that it was "
	    "the best of the options \xc2\xab on the table \xc2\xbb .";
	char		*text, *html;

	(void)unused;
	assert_non_null(text = norm_text(raw, NULL));
	html = match("<p>\xc2\xab Oui \xc2\xbb</p><p>The minister said that "
	    "the plan would go ahead, and that it was the best of the "
	    "<a href=\"https://example.org/o\">options</a> \xc2\xab on the "
	    "table \xc2\xbb .</p>", text, NULL);
	assert_string_equal(html, "<p>\xe2\x80\x9cOui\xe2\x80\x9d</p>"
	    "<p>The minister said that the plan would go ahead, and that it "
	    "was the best of the <a href=\"https://example.org/o\">options</a> "
	    "\xe2\x80\x9con the table\xe2\x80\x9d.</p>");
	free(html);
	free(text);
}

/* A block of plain text ends up as its paragraph. */
static void
test_retext(void **unused)
{
	char	*html;

	(void)unused;
	html = match("<p>Caf\x65\xcc\x81 &amp; bar</p>",
	    "Caf\xc3\xa9 & bar", "en");
	assert_string_equal(html, "<p>Caf\xc3\xa9 &amp; bar</p>");
	free(html);
	/* other languages keep their guillemets and spacing */
	html = match("<p>Il a dit \xc2\xab oui \xc2\xbb .</p><p>Non.</p>",
	    "Il a dit \xc2\xab oui \xc2\xbb .", "fr");
	assert_string_equal(html, "<p>Il a dit \xc2\xab oui \xc2\xbb .</p>");
	free(html);
}

static void
test_empty(void **unused)
{
	char	*html;

	(void)unused;
	html = match("", "Some text.", "en");
	assert_string_equal(html, "");
	free(html);
	html = match(NULL, NULL, NULL);
	assert_string_equal(html, "");
	free(html);
	/* nothing left of it */
	html = match("<p>Share this article</p>", "", "en");
	assert_string_equal(html, "");
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_fragment),
		cmocka_unit_test(test_seed_page),
		cmocka_unit_test(test_list_and_table_kept),
		cmocka_unit_test(test_dropped_blocks_go),
		cmocka_unit_test(test_repeated_block),
		cmocka_unit_test(test_language_of_text),
		cmocka_unit_test(test_retext),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
