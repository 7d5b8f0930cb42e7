/*
 * test_discover: the feed links of a page (rel and type matching, <base>,
 * order, duplicates), the common paths; opml_read's nesting and
 * opml_write's, and feedcmd_name_from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "daemon/config.h"
#include "daemon/discover.h"
#include "daemon/feedcmd_int.h"
#include "daemon/opml.h"

static void
links(const char *html, const char *page, const char *const *want,
    size_t nwant)
{
	struct discover_list	 l;
	size_t			 i;

	assert_int_equal(discover_links(html, strlen(html), page, &l), 0);
	assert_int_equal(l.n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(l.urls[i], want[i]);
	discover_list_free(&l);
}

static void
test_links(void **unused)
{
	static const char *const w1[] = {
		"https://ex.org/b/a.xml", "https://ex.org/j.json",
		"https://other.example/x.rdf",
	};
	static const char *const w2[] = { "https://ex.org/dir/feed" };

	(void)unused;
	/* Rel is a token list in any case, the type may have parameters;
	   stylesheets, HTML alternates and non-http links are no feeds. */
	links("<html><head><base href=\"/b/\">"
	    "<link rel=\"stylesheet\" type=\"text/css\" href=\"s.css\">"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"fr.html\">"
	    "<link REL=\"Alternate home\" TYPE=\"application/RSS+xml; "
	    "charset=utf-8\" href=\"a.xml\">"
	    "<link rel=alternate type=application/feed+json href=/j.json>"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "href=\"a.xml\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "href=\"ftp://ex.org/f\">"
	    "</head><body><link rel=\"alternate\" "
	    "type=\"application/rdf+xml\" href=\"//other.example/x.rdf\">"
	    "</body></html>", "https://ex.org/page", w1, 3);
	/* Without <base>: the page's URL; a later <base> does not count. */
	links("<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"feed\"><base href=\"https://no.example/\">",
	    "https://ex.org/dir/index.html", w2, 1);
	links("<p>no links</p>", "https://ex.org/", NULL, 0);
	links("", "https://ex.org/", NULL, 0);
}

static void
test_fallbacks(void **unused)
{
	struct discover_list	 l;

	(void)unused;
	assert_int_equal(discover_fallbacks("https://Ex.org:443/a/b?c", &l),
	    0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.urls[0], "https://ex.org/feed");
	assert_string_equal(l.urls[5], "https://ex.org/rss.xml");
	discover_list_free(&l);
}

static void
test_is_html(void **unused)
{
	(void)unused;
	assert_true(discover_is_html("x", 1, "text/html; charset=utf-8"));
	assert_true(discover_is_html("\n <!DOCTYPE html><html>", 22, NULL));
	assert_false(discover_is_html("<?xml version=\"1.0\"?><rss>", 26,
	    "text/xml"));
	assert_false(discover_is_html("{\"version\":1}", 13, NULL));
}

static void
test_opml_read(void **unused)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body>"
	    "<outline text=\"A\"><outline title=\"B\">"
	    "<outline text=\"one\" xmlUrl=\"https://ex.org/1\"/></outline>"
	    "<outline text=\"two\" xmlUrl=\"https://ex.org/2\"/></outline>"
	    "<outline><outline xmlUrl=\"https://ex.org/3\"/></outline>"
	    "<outline text=\"c\" category=\"/x/y/,/z\" "
	    "xmlUrl=\"https://ex.org/4\"/>"
	    "</body></opml>";
	struct opml_feed	*f;
	size_t			 n;
	char			 err[256];

	(void)unused;
	assert_int_equal(opml_read(doc, sizeof(doc) - 1, &f, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(f[0].category, "A/B");
	assert_string_equal(f[0].title, "one");
	assert_string_equal(f[1].category, "A");
	assert_null(f[2].category);
	assert_null(f[2].title);
	assert_string_equal(f[3].category, "x/y");
	opml_feeds_free(f, n);
	assert_int_equal(opml_read("<html/>", 7, &f, &n, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not OPML: root element <html>");
	assert_int_equal(opml_read("<opml", 5, &f, &n, err, sizeof(err)), -1);
}

static void
test_opml_write(void **unused)
{
	struct config_feed	 feeds[4];
	struct config		 conf;
	char			*s;

	(void)unused;
	memset(&conf, 0, sizeof(conf));
	memset(feeds, 0, sizeof(feeds));
	feeds[0].name = (char *)"n1";
	feeds[0].url = (char *)"https://ex.org/?a=1&b=\"2\"";
	feeds[0].category = (char *)"A/B";
	feeds[1].name = (char *)"n2";
	feeds[1].url = (char *)"https://ex.org/2";
	feeds[2].name = (char *)"n3";
	feeds[2].url = (char *)"https://ex.org/3";
	feeds[2].category = (char *)"A";
	feeds[3].name = (char *)"n4";
	feeds[3].url = (char *)"https://ex.org/4";
	feeds[3].category = (char *)"A/B";
	conf.feeds = feeds;
	conf.nfeeds = 4;
	assert_non_null(s = opml_write(&conf));
	assert_non_null(strstr(s,
	    "    <outline type=\"rss\" text=\"n2\" title=\"n2\" "
	    "xmlUrl=\"https://ex.org/2\"/>\n"
	    "    <outline text=\"A\">\n"
	    "      <outline type=\"rss\" text=\"n3\" title=\"n3\" "
	    "xmlUrl=\"https://ex.org/3\"/>\n"
	    "      <outline text=\"B\">\n"
	    "        <outline type=\"rss\" text=\"n1\" title=\"n1\" "
	    "xmlUrl=\"https://ex.org/?a=1&amp;b=&quot;2&quot;\"/>\n"
	    "        <outline type=\"rss\" text=\"n4\" title=\"n4\" "
	    "xmlUrl=\"https://ex.org/4\"/>\n"
	    "      </outline>\n"
	    "    </outline>\n"
	    "  </body>\n"));
	free(s);
}

static void
name(const char *title, const char *url, const char *want)
{
	char	*s;

	assert_non_null(s = feedcmd_name_from(title, url));
	assert_string_equal(s, want);
	assert_true(feedcmd_name_ok(s));
	free(s);
}

static void
test_names(void **unused)
{
	(void)unused;
	name("BBC News - World", "https://x/", "bbc-news-world");
	name("  Café & Co.  ", "https://x/", "caf-co");
	name(NULL, "https://www.Example.org:8080/feed", "example-org");
	name("???", "https://127.0.0.1/", "127-0-0-1");
	name("", "nohost", "feed");
	name("a very long title that goes on and on and on and on", "https://x/",
	    "a-very-long-title-that-goes-on-a");
	assert_false(feedcmd_name_ok("-x"));
	assert_false(feedcmd_name_ok("a b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_is_html),
		cmocka_unit_test(test_opml_read),
		cmocka_unit_test(test_opml_write),
		cmocka_unit_test(test_names),
	};
	int	 rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
