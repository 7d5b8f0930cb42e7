/*
 * test_url: url_join against RFC 3986 section 5.4, the feed rules of
 * url_absolute and url_resolve, then url_canonical, one rule at a time and
 * rules together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "parsers/buf.h"
#include "parsers/url.h"

#define RFC_BASE	"http://a/b/c/d;p?q"

static void
join(const char *ref, const char *base, const char *want)
{
	struct buf	 b;

	buf_init(&b, 4096);
	assert_int_equal(url_join(&b, ref, strlen(ref), base), BUF_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

/* RFC 3986 5.4.1, every normal example. */
static void
test_rfc_normal(void **unused)
{
	static const char *const ex[][2] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
	};
	size_t	 i;

	(void)unused;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		join(ex[i][0], RFC_BASE, ex[i][1]);
}

/* RFC 3986 5.4.2, every abnormal example (strict parser: "http:g"). */
static void
test_rfc_abnormal(void **unused)
{
	static const char *const ex[][2] = {
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g#s/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		{ "http:g", "http:g" },
	};
	size_t	 i;

	(void)unused;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		join(ex[i][0], RFC_BASE, ex[i][1]);
}

/* What resolution leaves alone, and what it refuses. */
static void
test_join_edges(void **unused)
{
	struct buf	 b;

	(void)unused;
	/* Percent-encoding, case and ports stay as written. */
	join("%7Euser/a%2Fb%e9", "HTTP://Ex.COM:80/d/", "HTTP://Ex.COM:80/d/"
	    "%7Euser/a%2Fb%e9");
	/* Empty segments are segments; an absolute URI loses its dots. */
	join("a//b", "http://h/d/", "http://h/d/a//b");
	join("http://h/a/./b/../c", "http://x/", "http://h/a/c");
	/* Against a base with an authority and no path: a root "/". */
	join("g", "http://h", "http://h/g");
	join("?q", "http://h", "http://h?q");
	/* XPointer's brackets in a fragment. */
	join("#xpointer(id[1])", "http://h/d", "http://h/d#xpointer(id[1])");
	join("//[::1]:8080/x", "https://h/", "https://[::1]:8080/x");
	/*
	 * A relative base is outside RFC 3986: the path stays relative, and a
	 * ".." with nothing left to remove is kept (5.2.4 would give "/x").
	 */
	join("../../x", "a/b", "../x");
	join("../x", "a/b", "x");
	join("x/../../y", "", "../y");
	join("..", "img", "../");

	buf_init(&b, 4096);
	assert_int_equal(url_join(&b, "a b", 3, RFC_BASE), URL_BADREF);
	assert_int_equal(url_join(&b, "\xc3\xa9", 2, RFC_BASE), URL_BADREF);
	assert_int_equal(url_join(&b, "%zz", 3, RFC_BASE), URL_BADREF);
	assert_int_equal(url_join(&b, "1a:b", 4, RFC_BASE), URL_BADREF);
	assert_int_equal(url_join(&b, "//[x]/", 6, RFC_BASE), URL_BADREF);
	assert_int_equal(url_join(&b, "g", 1, "http://a b/"), URL_BADBASE);
	assert_int_equal(url_join(&b, "g", 1, NULL), URL_BADBASE);
	assert_null(b.data);
	/* An absolute reference needs no base. */
	assert_int_equal(url_join(&b, "g:h", 3, NULL), BUF_OK);
	assert_string_equal(b.data, "g:h");
	/* Only the first len bytes are the reference. */
	assert_int_equal(url_join(&b, "/x\"rest", 2, "http://h/"), BUF_OK);
	assert_string_equal(b.data, "g:hhttp://h/x");
	buf_free(&b);

	/* Out of room: nothing appended. */
	buf_init(&b, 8);
	assert_int_equal(url_join(&b, "g", 1, RFC_BASE), BUF_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	assert_true(url_is_absolute("http://h/a/b"));
	assert_true(url_is_absolute("urn:x:y"));
	assert_false(url_is_absolute("http://h/a/./b"));
	assert_false(url_is_absolute("http://h/.."));
	assert_false(url_is_absolute("/a/b"));
	assert_false(url_is_absolute("http://a b/"));
}

static void
absolute(const char *ref, const char *base, const char *want)
{
	char	*got;

	got = url_absolute(ref, base);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* The feed rules of url.h around the resolution. */
static void
test_feed_rules(void **unused)
{
	char	*got;

	(void)unused;
	absolute("feed:https://h/x", NULL, "https://h/x");
	absolute("feed://h/x", NULL, "http://h/x");
	absolute("feed:https://h/x", "http://b/", "https://h/x");
	absolute("feed:../x", "http://b/d/e", "http://b/x");
	/* protocol-relative: the base's scheme, or else https */
	absolute("//host/x", "http://b/", "http://host/x");
	absolute("//host/x", NULL, "https://host/x");
	absolute("//host/x", "", "https://host/x");
	absolute("//host/x", "not a base", "https://host/x");
	/* the base without its fragment; a fragment or query alone */
	absolute("", "http://b/d?q#f", "http://b/d?q");
	absolute("#top", "http://b/d?q#f", "http://b/d?q#top");
	absolute("?p=2", "http://b/d?q#f", "http://b/d?p=2");
	/* normalised once absolute: case, default port, root path */
	absolute("/x", "HTTP://Ex.COM:80", "http://ex.com/x");
	absolute("", "https://Ex.com:443", "https://ex.com/");
	/* no URI reference: kept as written */
	absolute("a b.html", "http://b/", "a b.html");
	absolute("caf\xc3\xa9", "http://b/", "caf\xc3\xa9");
	/* an identifier is resolved but not normalised */
	got = url_resolve("/who", "HTTP://Ex.COM:80/");
	assert_non_null(got);
	assert_string_equal(got, "HTTP://Ex.COM:80/who");
	free(got);
}

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

/* The userinfo of the authority only, up to its last '@'. */
static void
test_strip_userinfo(void **state)
{
	static const char *const cases[][2] = {
		{ "http://alice:s3cret@host/feed", "http://host/feed" },
		{ "https://a@b@host:8443/x?y#z", "https://host:8443/x?y#z" },
		{ "http://host/p@q?r=s@t#u@v", "http://host/p@q?r=s@t#u@v" },
		{ "http://u:p@[::1]:80/", "http://[::1]:80/" },
		{ "http://host", "http://host" },
		{ "http://@host/", "http://host/" },
		{ "/rel?next=http://a:b@c/", "/rel?next=http://a:b@c/" },
		{ "mailto:a@b", "mailto:a@b" },
	};
	size_t	 i;
	char	*r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(r = url_strip_userinfo(cases[i][0]));
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_userinfo),
		cmocka_unit_test(test_rfc_normal),
		cmocka_unit_test(test_rfc_abnormal),
		cmocka_unit_test(test_join_edges),
		cmocka_unit_test(test_feed_rules),
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
