/*
 * test_metrics: what a finished poll counts as, the duplicate reasons and
 * their overflow, the exposition's lines (escaping, the histogram, the
 * gauges asked of the caller), metrics_file's write, and the addresses
 * metrics_listen takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "daemon/config.h"
#include "daemon/fetch.h"
#include "daemon/metrics.h"
#include "tests/unit/tmpdir.h"

static struct fetch_result
answer(int ok, long status, CURLcode code, double seconds)
{
	struct fetch_result	 r;

	memset(&r, 0, sizeof(r));
	r.ok = ok;
	r.status = status;
	r.code = code;
	r.seconds = seconds;
	return r;
}

static void
test_poll_class(void **state)
{
	struct fetch_result	 r;

	(void)state;
	r = answer(1, 200, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 1), METRICS_POLL_OK);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_PARSE);
	r = answer(1, 304, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 1), METRICS_POLL_NOT_MODIFIED);
	r = answer(1, 302, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_HTTP_3XX);
	r = answer(1, 410, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_HTTP_4XX);
	r = answer(1, 503, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_HTTP_5XX);
	r = answer(1, 999, CURLE_OK, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_HTTP_OTHER);
	r = answer(0, 0, CURLE_OPERATION_TIMEDOUT, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_TIMEOUT);
	r = answer(0, 0, CURLE_COULDNT_CONNECT, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_CONNECT);
	r = answer(0, 0, CURLE_COULDNT_RESOLVE_HOST, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_DNS);
	r = answer(0, 0, CURLE_PEER_FAILED_VERIFICATION, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_TLS);
	r = answer(0, 0, CURLE_RECV_ERROR, 0);
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_ERROR);
	/* Our own aborts win over the code curl gave them. */
	r = answer(0, 200, CURLE_WRITE_ERROR, 0);
	r.too_big = 1;
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_TOO_BIG);
	r = answer(0, 0, CURLE_COULDNT_CONNECT, 0);
	r.refused = 1;
	assert_int_equal(metrics_poll_class(&r, 0), METRICS_POLL_REFUSED);
}

static void
gauges(void *arg, struct metrics_gauges *g)
{
	(void)arg;
	g->feeds = 3;
	g->feeds_failing = 1;
	g->pending = 7;
	g->queued[METRICS_PAGE] = 2;
	g->transfers = 4;
}

static void
assert_line(const char *text, const char *line)
{
	char	 want[256];

	(void)snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("no line '%s' in:\n%s", line, text);
}

static void
test_render(void **state)
{
	struct metrics		*m;
	struct fetch_result	 r;
	char			*text, why[32];
	size_t			 len;
	int			 i;

	(void)state;
	assert_non_null(m = metrics_new(gauges, NULL));
	metrics_delivered(m);
	metrics_delivered(m);
	metrics_duplicate(m, "same URL", 0);
	metrics_duplicate(m, "same URL", 0);
	metrics_duplicate(m, "near", 1);
	metrics_duplicate(m, "a \"quoted\\\" one", 0);
	metrics_duplicate(m, NULL, 0);
	/* Past the table, reasons count together. */
	for (i = 0; i < 20; i++) {
		(void)snprintf(why, sizeof(why), "reason %d", i);
		metrics_duplicate(m, why, 0);
	}
	metrics_poll(m, METRICS_POLL_OK);
	metrics_poll(m, METRICS_POLL_HTTP_4XX);
	r = answer(1, 200, CURLE_OK, 0.2);
	r.received = 1000;
	metrics_transfer(m, METRICS_FEED, &r);
	r.seconds = 100;
	metrics_transfer(m, METRICS_FEED, &r);
	r.seconds = 0.01;
	r.received = 5;
	metrics_transfer(m, METRICS_PAGE, &r);
	assert_non_null(text = metrics_render(m, &len));
	assert_int_equal(strlen(text), len);
	assert_true(strncmp(text, "# HELP feedspool_stories_delivered_total ",
	    41) == 0);
	assert_line(text, "# TYPE feedspool_stories_delivered_total counter");
	assert_line(text, "feedspool_stories_delivered_total 2");
	assert_line(text, "feedspool_duplicates_total{reason=\"same URL\","
	    "action=\"dropped\"} 2");
	assert_line(text, "feedspool_duplicates_total{reason=\"near\","
	    "action=\"marked\"} 1");
	assert_line(text, "feedspool_duplicates_total{reason=\"a \\\"quoted"
	    "\\\\\\\" one\",action=\"dropped\"} 1");
	assert_line(text, "feedspool_duplicates_total{reason=\"unknown\","
	    "action=\"dropped\"} 1");
	/* 16 kept: 4 above and the first 12 numbered; 8 are "other". */
	assert_line(text, "feedspool_duplicates_total{reason=\"reason 11\","
	    "action=\"dropped\"} 1");
	assert_null(strstr(text, "reason 12"));
	assert_line(text, "feedspool_duplicates_total{reason=\"other\","
	    "action=\"dropped\"} 8");
	assert_line(text, "feedspool_polls_total{result=\"ok\"} 1");
	assert_line(text, "feedspool_polls_total{result=\"http_4xx\"} 1");
	assert_line(text, "feedspool_polls_total{result=\"timeout\"} 0");
	assert_line(text, "feedspool_received_bytes_total{kind=\"feed\"} 2000");
	assert_line(text, "feedspool_received_bytes_total{kind=\"page\"} 5");
	assert_line(text, "# TYPE feedspool_transfer_seconds histogram");
	assert_line(text, "feedspool_transfer_seconds_bucket{kind=\"feed\","
	    "le=\"0.1\"} 0");
	assert_line(text, "feedspool_transfer_seconds_bucket{kind=\"feed\","
	    "le=\"0.25\"} 1");
	assert_line(text, "feedspool_transfer_seconds_bucket{kind=\"feed\","
	    "le=\"60\"} 1");
	assert_line(text, "feedspool_transfer_seconds_bucket{kind=\"feed\","
	    "le=\"+Inf\"} 2");
	assert_line(text, "feedspool_transfer_seconds_count{kind=\"feed\"} 2");
	assert_line(text, "feedspool_transfer_seconds_sum{kind=\"feed\"} "
	    "100.200000");
	assert_line(text, "feedspool_transfer_seconds_bucket{kind=\"page\","
	    "le=\"0.05\"} 1");
	assert_line(text, "feedspool_feeds 3");
	assert_line(text, "feedspool_feeds_failing 1");
	assert_line(text, "feedspool_pending_stories 7");
	assert_line(text, "feedspool_queued{kind=\"feed\"} 0");
	assert_line(text, "feedspool_queued{kind=\"page\"} 2");
	assert_line(text, "feedspool_transfers_in_flight 4");
	assert_int_equal(text[len - 1], '\n');
	free(text);
	metrics_free(m);
}

/* Without a gauge function, or a pending count, the gauges still parse. */
static void
test_no_gauges(void **state)
{
	struct metrics	*m;
	char		*text;
	size_t		 len;

	(void)state;
	assert_non_null(m = metrics_new(NULL, NULL));
	assert_non_null(text = metrics_render(m, &len));
	assert_line(text, "feedspool_feeds 0");
	assert_null(strstr(text, "feedspool_pending_stories"));
	free(text);
	metrics_free(m);
	/* Counting into no metrics is a no-op. */
	metrics_delivered(NULL);
	metrics_duplicate(NULL, "near", 0);
	metrics_poll(NULL, METRICS_POLL_OK);
	assert_int_equal(metrics_flush(NULL), 0);
}

static void
test_file(void **state)
{
	struct event_base	*base;
	struct metrics		*m;
	char			 dir[256], path[300], tmp[310], buf[64];
	FILE			*fp;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "test_metrics"), 0);
	(void)snprintf(path, sizeof(path), "%s/feedspool.prom", dir);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_non_null(base = event_base_new());
	assert_non_null(m = metrics_new(NULL, NULL));
	assert_int_equal(metrics_file(m, base, path), 0);
	metrics_delivered(m);
	assert_int_equal(metrics_flush(m), 0);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(fgets(buf, sizeof(buf), fp));
	assert_true(strncmp(buf, "# HELP ", 7) == 0);
	fclose(fp);
	assert_null(fopen(tmp, "r"));
	metrics_free(m);
	event_base_free(base);
	assert_int_equal(tmpdir_remove(dir), 0);
}

static void
test_file_unwritable(void **state)
{
	struct event_base	*base;
	struct metrics		*m;

	(void)state;
	assert_non_null(base = event_base_new());
	assert_non_null(m = metrics_new(NULL, NULL));
	assert_int_equal(metrics_file(m, base, "/nonexistent/dir/x.prom"), -1);
	metrics_free(m);
	event_base_free(base);
}

static void
test_listen(void **state)
{
	static const char *const bad[] = {
		"", ":", "99999", "65536", "-1", "127.0.0.1:", ":9464",
		"127.0.0.1:9464x", "metrics.example.org:9464", "[::1]9464",
		"[::1]:", "[127.0.0.1]:80", "::1:9464", "10.0.0.300:80",
		"127.0.0.1:123456", "127.0.0.1 :80",
	};
	char		 host[CONFIG_LISTEN_HOST_MAX];
	unsigned	 port;
	size_t		 i;

	(void)state;
	assert_int_equal(config_parse_listen("9464", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9464);
	assert_int_equal(config_parse_listen("0.0.0.0:80", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 80);
	assert_int_equal(config_parse_listen("[::1]:0", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(config_parse_listen("localhost:65535", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 65535);
	/* Too long for host: refused, not cut. */
	assert_int_equal(config_parse_listen("127.0.0.1:80", host, 9, &port),
	    -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_parse_listen(bad[i], host, sizeof(host), &port) != -1)
			fail_msg("'%s' taken", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_class),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_no_gauges),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_unwritable),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
