/*
 * Which addresses article links may not reach; how links go on the wire.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/fetch.h"

static int
private4(const char *ip)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return fetch_addr_private((struct sockaddr *)&sin, sizeof(sin));
}

static int
private6(const char *ip)
{
	struct sockaddr_in6	 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	return fetch_addr_private((struct sockaddr *)&sin6, sizeof(sin6));
}

static void
test_ipv4(void **unused)
{
	(void)unused;
	assert_true(private4("127.0.0.1"));
	assert_true(private4("127.255.0.9"));
	assert_true(private4("10.1.2.3"));
	assert_true(private4("172.16.0.1"));
	assert_true(private4("172.31.255.255"));
	assert_true(private4("192.168.1.1"));
	assert_true(private4("169.254.169.254"));	/* cloud metadata */
	assert_true(private4("100.64.0.1"));
	assert_true(private4("0.0.0.0"));
	assert_true(private4("224.0.0.1"));
	assert_true(private4("255.255.255.255"));
	/* Public neighbours of the private ranges stay reachable. */
	assert_false(private4("172.32.0.1"));
	assert_false(private4("172.15.255.255"));
	assert_false(private4("100.128.0.1"));
	assert_false(private4("8.8.8.8"));
	assert_false(private4("151.101.1.69"));
	assert_false(private4("192.169.0.1"));
}

static void
test_ipv6(void **unused)
{
	(void)unused;
	assert_true(private6("::1"));
	assert_true(private6("::"));
	assert_true(private6("fe80::1"));
	assert_true(private6("fd00::1"));
	assert_true(private6("fc12::1"));
	assert_true(private6("ff02::1"));
	assert_true(private6("::ffff:127.0.0.1"));	/* mapped loopback */
	assert_true(private6("::ffff:10.0.0.1"));
	assert_false(private6("::ffff:8.8.8.8"));
	assert_false(private6("2a00:1450:4001:80e::200e"));
	assert_false(private6("2606:4700::1111"));
}

/* Links are sent as browsers send them; curl refuses a raw space. */
static void
test_url_escape(void **unused)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "http://ex.com/a b.html?q=x y#f g",
		    "http://ex.com/a%20b.html?q=x%20y#f%20g" },
		{ "http://ex.com/caf\xc3\xa9", "http://ex.com/caf%C3%A9" },
		{ "https://b\xc3\xbc" "cher.example/x y",
		    "https://b\xc3\xbc" "cher.example/x%20y" },
		{ "http://ex.com/%41?a=\"<b>\"|{c}",
		    "http://ex.com/%41?a=%22%3Cb%3E%22%7C%7Bc%7D" },
		{ "http://ex.com", "http://ex.com" },
		{ "http://ex.com/plain?x=1&y=2", "http://ex.com/plain?x=1&y=2" },
	};
	char	*r;
	size_t	 i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(r = fetch_url_escape(cases[i].in));
		assert_string_equal(r, cases[i].out);
		free(r);
	}
}

/* Where a feed's secrets may go: its own host and port only. */
static void
test_same_origin(void **state)
{
	(void)state;
	assert_true(fetch_same_origin("http://Example.org/feed",
	    "http://example.org:80/page"));
	assert_true(fetch_same_origin("https://a.example/f", "https://a.example/"));
	assert_false(fetch_same_origin("http://a.example/f", "https://a.example/"));
	assert_false(fetch_same_origin("http://a.example/f", "http://b.example/"));
	assert_false(fetch_same_origin("http://a.example/f",
	    "http://a.example.evil/"));
	assert_false(fetch_same_origin("http://a.example:8080/",
	    "http://a.example/"));
	assert_false(fetch_same_origin("not a url", "not a url"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_origin),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_url_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
