/*
 * test_url: url_canonical, one rule at a time, then rules together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "parsers/url.h"

static void
check(const char *in, const char *want)
{
	char	*got;

	got = url_canonical(in);
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_scheme_host_port(void **unused)
{
	(void)unused;
	check("HTTP://WWW.Example.COM/News", "https://www.example.com/News");
	check("http://example.com:80/a", "https://example.com/a");
	check("https://example.com:443/a", "https://example.com/a");
	check("https://example.com:8443/a", "https://example.com:8443/a");
	check("http://example.com./a", "https://example.com/a");
	check("https://user:pw@example.com/a", "https://example.com/a");
	check("ftp://Example.com/a", "ftp://example.com/a");
}

static void
test_fragment_and_slash(void **unused)
{
	(void)unused;
	check("https://example.com", "https://example.com/");
	check("https://example.com/", "https://example.com/");
	check("https://example.com/news/", "https://example.com/news");
	check("https://example.com/news/a.html#comments",
	    "https://example.com/news/a.html");
	check("https://example.com/a/./b/../c", "https://example.com/a/c");
	check("https://example.com/#top", "https://example.com/");
}

static void
test_tracking(void **unused)
{
	(void)unused;
	check("https://example.com/a?utm_source=rss&utm_medium=feed",
	    "https://example.com/a");
	check("https://example.com/a?id=7&UTM_Campaign=x&page=2",
	    "https://example.com/a?id=7&page=2");
	check("https://example.com/a?fbclid=abc&gclid=1&dclid=2&msclkid=3"
	    "&mc_cid=4&mc_eid=5&igshid=6&_ga=7&ref_src=8&yclid=9",
	    "https://example.com/a");
	/* Order kept; empty parameters and an empty query dropped. */
	check("https://example.com/a?b=2&&a=1&", "https://example.com/a?b=2&a=1");
	check("https://example.com/a?", "https://example.com/a");
	/* An escaped name is still the tracking name. */
	check("https://example.com/a?utm%5Fsource=x&q=1",
	    "https://example.com/a?q=1");
	/* Names that only start like a tracking name are kept. */
	check("https://example.com/a?gclidx=1&ref=home",
	    "https://example.com/a?gclidx=1&ref=home");
}

static void
test_percent(void **unused)
{
	(void)unused;
	check("https://example.com/%7Euser/%61%62c",
	    "https://example.com/~user/abc");
	check("https://example.com/a%2fb?q=%3d%41",
	    "https://example.com/a%2Fb?q=%3DA");
	/* A broken escape is left alone. */
	check("https://example.com/100%25/x%zz",
	    "https://example.com/100%25/x%zz");
}

static void
test_amp(void **unused)
{
	(void)unused;
	check("https://example.com/amp/news/story-1",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1/amp",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1/amp/",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1?amp=1",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1?amp",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1?outputType=amp&p=2",
	    "https://example.com/news/story-1?p=2");
	check("https://amp.example.com/news/story-1",
	    "https://example.com/news/story-1");
	check("https://example.com/news/story-1.amp.html",
	    "https://example.com/news/story-1.html");
	check("https://example.com/news/story-1.amp",
	    "https://example.com/news/story-1");
	/* Not AMP: a word containing amp, amp=0, a bare "amp." host. */
	check("https://example.com/news/camp/ampere",
	    "https://example.com/news/camp/ampere");
	check("https://example.com/a?amp=0", "https://example.com/a?amp=0");
	check("https://amp.com/a", "https://amp.com/a");
}

static void
test_same_story(void **unused)
{
	char	*a, *b;

	(void)unused;
	a = url_canonical("http://News.Example.com:80/world/summit-ends/"
	    "?utm_source=twitter&fbclid=XyZ#comments");
	b = url_canonical("https://amp.news.example.com/world/summit-ends/amp");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	assert_string_equal(a, "https://news.example.com/world/summit-ends");
	free(a);
	free(b);
}

static void
test_bad(void **unused)
{
	(void)unused;
	check("not a url", NULL);
	check("", NULL);
	assert_null(url_canonical(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheme_host_port),
		cmocka_unit_test(test_fragment_and_slash),
		cmocka_unit_test(test_tracking),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_amp),
		cmocka_unit_test(test_same_story),
		cmocka_unit_test(test_bad),
	};
	int	 rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
