/*
 * test_feed_base: what feed_parse does with links and titles around the
 * parse itself: xml:base in scope at each element (XML Base), relative
 * href/src values inside HTML content, atom:id against an explicit
 * xml:base, and titles with an '&' but no markup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/feed.h"

static struct feed_doc *
parse(const char *s, const char *base)
{
	struct feed_doc	*d = NULL;
	char		 err[256];

	if (feed_parse(s, strlen(s), base, NULL, &d, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(d);
	assert_false(d->recovered);
	return d;
}

#define NESTED \
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"img/\">" \
	"<entry xml:base=\"../rel/\"><id>i</id><link href=\"a.html\"/>" \
	"<content type=\"html\">&lt;a href=\"b.html\"&gt;b&lt;/a&gt;" \
	"</content></entry></feed>"

/*
 * Each xml:base is resolved against the base in scope at its parent, from
 * the document's URL down: "../rel/" within "img/" is a sibling of img/.
 */
static void
test_nested_bases(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse(NESTED, "http://doc.example/feeds/main.xml");
	assert_string_equal(d->items[0].link,
	    "http://doc.example/feeds/rel/a.html");
	assert_string_equal(d->items[0].content,
	    "<a href=\"http://doc.example/feeds/rel/b.html\">b</a>");
	feed_free(d);

	/* Without the document's URL the links stay relative, but right. */
	d = parse(NESTED, NULL);
	assert_string_equal(d->items[0].link, "rel/a.html");
	assert_string_equal(d->items[0].content,
	    "<a href=\"rel/b.html\">b</a>");
	feed_free(d);

	/* An absolute xml:base ends the walk, whatever is above it. */
	d = parse("<rss version=\"2.0\" xml:base=\"http://outer/x/\">"
	    "<channel xml:base=\"https://inner.example/blog/\"><item>"
	    "<link>p/1</link></item></channel></rss>",
	    "http://doc.example/feed");
	assert_string_equal(d->items[0].link,
	    "https://inner.example/blog/p/1");
	feed_free(d);
}

/*
 * An xml:base that is no URI reference is passed over when one below it
 * is resolved against it; when it is the nearest, links stay as written.
 */
static void
test_bad_bases(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse("<rss version=\"2.0\" xml:base=\"http://good.example/d/\">"
	    "<channel xml:base=\"http://bad example/\"><item "
	    "xml:base=\"sub/\"><link>x</link></item><item><link>y</link>"
	    "</item></channel></rss>", NULL);
	assert_string_equal(d->items[0].link, "http://good.example/d/sub/x");
	assert_string_equal(d->items[1].link, "y");
	feed_free(d);
}

/*
 * HTML content: only relative href/src values change, resolved as RFC
 * 3986 5.2 says, percent-encoding as written; the rest stays byte for
 * byte.
 */
static void
test_html_links(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse("<rss version=\"2.0\" xml:base=\"http://h.example/a/b\">"
	    "<channel><item><description><![CDATA[<p class=x>"
	    "<a  HREF = 'c%2Fd'>1</a> <img\tsrc=\"/./i.png\"/>"
	    "<a href=\"https://o.example/x\">2</a> <a href=\"a b\">3</a> "
	    "<a title='href=\"no\"' href=\"#f\">4</a> src=\"text\" "
	    "<a href=\"../../up\">5</a><a href=\"open]]></description>"
	    "</item><item><description>&lt;b&gt;no links&lt;/b&gt;"
	    "</description></item></channel></rss>", NULL);
	assert_string_equal(d->items[0].summary, "<p class=x>"
	    "<a  HREF = 'http://h.example/a/c%2Fd'>1</a> "
	    "<img\tsrc=\"http://h.example/i.png\"/>"
	    "<a href=\"https://o.example/x\">2</a> <a href=\"a b\">3</a> "
	    "<a title='href=\"no\"' href=\"http://h.example/a/b#f\">4</a> "
	    "src=\"text\" <a href=\"http://h.example/up\">5</a>"
	    "<a href=\"open");
	assert_string_equal(d->items[1].summary, "<b>no links</b>");
	feed_free(d);
}

/* atom:id is resolved against an explicit xml:base only. */
static void
test_atom_id(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<entry xml:base=\"http://h.example/posts/\"><id>7</id></entry>"
	    "<entry><id>8</id></entry>"
	    "<entry xml:base=\"http://h.example/\"><id>tag:h,2020:9</id>"
	    "</entry></feed>", "http://doc.example/feed");
	assert_string_equal(d->items[0].id, "http://h.example/posts/7");
	assert_string_equal(d->items[1].id, "8");
	assert_string_equal(d->items[2].id, "tag:h,2020:9");
	feed_free(d);
}

/*
 * Titles with an '&' are read as HTML, whether or not there is markup the
 * parser acts on: white space collapsed (NBSP too), references decoded,
 * a leading byte-order mark dropped.
 */
static void
test_titles(void **state)
{
	static const char *const ex[][2] = {
		{ "News &amp;  more\n", "News & more" },
		{ "  Tom&#160;&amp;\tJerry&#160;", "Tom & Jerry" },
		{ "R&amp;", "R&" },
		{ "Q&amp;A", "Q&A" },
		{ "&amp;lt;b&amp;gt;bold &amp; brave", "<b>bold & brave" },
		{ "&#xfeff;x &amp; y", "x & y" },
		{ "&amp; &#160; ", "&" },
		{ "&lt;i&gt;&lt;/i&gt; &amp;", "&" },
	};
	struct feed_doc	*d;
	char		 doc[512];
	size_t		 i;
	int		 n;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		n = snprintf(doc, sizeof(doc), "<feed xmlns=\"http://www.w3."
		    "org/2005/Atom\"><entry><title type=\"html\">%s</title>"
		    "</entry></feed>", ex[i][0]);
		assert_true(n > 0 && (size_t)n < sizeof(doc));
		d = parse(doc, NULL);
		assert_non_null(d->items[0].title);
		assert_string_equal(d->items[0].title, ex[i][1]);
		feed_free(d);
	}
	/* Nothing left: no title. */
	d = parse("<rss version=\"2.0\"><channel><item><title>&amp;#160;"
	    "</title><link>x</link></item></channel></rss>", NULL);
	assert_null(d->items[0].title);
	feed_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_bases),
		cmocka_unit_test(test_bad_bases),
		cmocka_unit_test(test_html_links),
		cmocka_unit_test(test_atom_id),
		cmocka_unit_test(test_titles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
