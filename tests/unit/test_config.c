/*
 * test_config: config_load and the value parsers, on files written into a
 * fresh mkdtemp directory, and on the bundled etc/feedspool.conf (the tests
 * run from the top of the tree).
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/watch.h"
#include "parsers/buf.h"

struct tdir {
	char	 path[64];
};

static int
setup(void **state)
{
	struct tdir	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	if (snprintf(t->path, sizeof(t->path), "%s",
	    "/tmp/test_config.XXXXXX") >= (int)sizeof(t->path) ||
	    mkdtemp(t->path) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct tdir	*t = *state;
	int		 rc;

	rc = nftw(t->path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return rc == 0 ? 0 : -1;
}

/* Full path of name in the test directory; the result is malloc'd. */
static char *
tpath(const struct tdir *t, const char *name)
{
	char	*p;
	size_t	 len;
	int	 n;

	len = strlen(t->path) + 1 + strlen(name) + 1;
	p = malloc(len);
	assert_non_null(p);
	n = snprintf(p, len, "%s/%s", t->path, name);
	assert_true(n > 0 && (size_t)n < len);
	return p;
}

/* Write text to name, creating its directory (one level) if needed. */
static void
put(const struct tdir *t, const char *name, const char *text)
{
	char	*p, *dir;
	size_t	 dlen;
	FILE	*fp;

	p = tpath(t, name);
	dlen = (size_t)(strrchr(p, '/') - p);
	assert_non_null(dir = strndup(p, dlen));
	if (mkdir(dir, 0700) == -1)
		assert_int_equal(errno, EEXIST);
	free(dir);
	assert_non_null(fp = fopen(p, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	free(p);
}

/* Load name, which must be valid. */
static struct config *
load_ok(const struct tdir *t, const char *name)
{
	struct config	*conf = NULL;
	char		*p, *errors = NULL;
	int		 rc;

	p = tpath(t, name);
	rc = config_load(p, &conf, &errors);
	if (rc != 0)
		print_error("unexpected errors:\n%s", errors ? errors : "?");
	assert_int_equal(rc, 0);
	assert_null(errors);
	assert_non_null(conf);
	free(p);
	return conf;
}

/*
 * Load name, which must fail, and compare the errors with expect, where
 * each "@" stands for the test directory.
 */
static void
load_bad(const struct tdir *t, const char *name, const char *expect)
{
	struct config	*conf = (struct config *)1;
	char		*p, *errors = NULL, *want;
	size_t		 n = 0, len, dlen = strlen(t->path);
	const char	*s;

	for (s = expect; *s != '\0'; s++)
		if (*s == '@')
			n++;
	len = strlen(expect) + n * dlen + 1;
	assert_non_null(want = malloc(len));
	for (s = expect, p = want; *s != '\0'; s++) {
		if (*s == '@') {
			memcpy(p, t->path, dlen);
			p += dlen;
		} else
			*p++ = *s;
	}
	*p = '\0';

	p = tpath(t, name);
	assert_int_equal(config_load(p, &conf, &errors), -1);
	assert_null(conf);
	assert_non_null(errors);
	assert_string_equal(errors, want);
	free(errors);
	free(want);
	free(p);
}

static void
test_all_keys(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;

	put(*state, "main.conf",
	    "# every key\n"
	    "[feedspool]\n"
	    "spool = /srv/spool\n"
	    "state = /srv/state.db\n"
	    "interval = 15m\n"
	    "max_transfers = 16\n"
	    "per_host = 2\n"
	    "host_gap = 0\n"
	    "timeout = 2m\n"
	    "connect_timeout = 10s\n"
	    "max_redirects = 0\n"
	    "max_body = 512k\n"
	    "user_agent = mailto:ops@example.org\n"
	    "\n"
	    "[bbc]\n"
	    "url = https://feeds.bbci.co.uk/news/world/rss.xml\n"
	    "interval = 1h\n"
	    "timeout = 90\n"
	    "max_body = 2M ; inline comment\n"
	    "[plain]\r\n"
	    "  url = http://example.org/feed\r\n");
	conf = load_ok(*state, "main.conf");
	assert_string_equal(conf->spool, "/srv/spool");
	assert_string_equal(conf->state, "/srv/state.db");
	assert_int_equal(conf->interval, 900);
	assert_int_equal(conf->max_transfers, 16);
	assert_int_equal(conf->per_host, 2);
	assert_int_equal(conf->host_gap, 0);
	assert_int_equal(conf->timeout, 120);
	assert_int_equal(conf->connect_timeout, 10);
	assert_int_equal(conf->max_redirects, 0);
	assert_int_equal(conf->max_body, 512 * 1024);
	assert_string_equal(conf->user_agent, "mailto:ops@example.org");
	assert_string_equal(conf->user_agent_header,
	    "feedspool/" FEEDSPOOL_VERSION " (+mailto:ops@example.org)");
	assert_int_equal(conf->nfeeds, 2);

	assert_non_null(f = config_feed_find(conf, "bbc"));
	assert_string_equal(f->url,
	    "https://feeds.bbci.co.uk/news/world/rss.xml");
	assert_int_equal(f->interval, 3600);
	assert_int_equal(f->timeout, 90);
	assert_int_equal(f->max_body, 2 * 1024 * 1024);
	assert_int_equal(f->line, 15);

	/* CRLF and indentation are fine. */
	assert_non_null(f = config_feed_find(conf, "plain"));
	assert_string_equal(f->url, "http://example.org/feed");
	assert_int_equal(f->interval, 900);
	assert_int_equal(f->timeout, 120);
	assert_int_equal(f->max_body, 512 * 1024);

	assert_null(config_feed_find(conf, "nope"));
	assert_null(config_feed_find(conf, "feedspool"));
	config_free(conf);
}

static void
test_defaults(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;

	put(*state, "main.conf", "[one]\nurl = https://example.org/a\n");
	conf = load_ok(*state, "main.conf");
	assert_string_equal(conf->spool, CONFIG_DEFAULT_SPOOL);
	assert_string_equal(conf->state, CONFIG_DEFAULT_STATE);
	assert_int_equal(conf->interval, CONFIG_DEFAULT_INTERVAL);
	assert_int_equal(conf->max_transfers, CONFIG_DEFAULT_MAX_TRANSFERS);
	assert_int_equal(conf->per_host, CONFIG_DEFAULT_PER_HOST);
	assert_int_equal(conf->host_gap, CONFIG_DEFAULT_HOST_GAP);
	assert_int_equal(conf->timeout, CONFIG_DEFAULT_TIMEOUT);
	assert_int_equal(conf->connect_timeout,
	    CONFIG_DEFAULT_CONNECT_TIMEOUT);
	assert_int_equal(conf->max_redirects, CONFIG_DEFAULT_MAX_REDIRECTS);
	assert_int_equal(conf->max_body, CONFIG_DEFAULT_MAX_BODY);
	assert_string_equal(conf->user_agent, CONFIG_DEFAULT_USER_AGENT);
	assert_string_equal(conf->user_agent_header, "feedspool/"
	    FEEDSPOOL_VERSION " (+" CONFIG_DEFAULT_USER_AGENT ")");
	assert_non_null(f = config_feed_find(conf, "one"));
	assert_int_equal(f->interval, CONFIG_DEFAULT_INTERVAL);
	assert_int_equal(f->timeout, CONFIG_DEFAULT_TIMEOUT);
	assert_int_equal(f->max_body, CONFIG_DEFAULT_MAX_BODY);
	config_free(conf);

	/* No feeds at all is a valid, if idle, configuration. */
	put(*state, "empty.conf", "");
	conf = load_ok(*state, "empty.conf");
	assert_int_equal(conf->nfeeds, 0);
	config_free(conf);
}

/* log_level: a word, its syslog level through CONFIG_LOG_LEVEL(). */
static void
test_log_level(void **state)
{
	struct config	*conf;

	put(*state, "main.conf", "[feedspool]\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(CONFIG_LOG_LEVEL(conf), LOG_LVL_INFO);
	config_free(conf);
	put(*state, "main.conf", "[feedspool]\nlog_level = Warning\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(CONFIG_LOG_LEVEL(conf), LOG_LVL_WARNING);
	config_free(conf);
	put(*state, "main.conf", "[feedspool]\nlog_level = err\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(CONFIG_LOG_LEVEL(conf), LOG_LVL_ERR);
	config_free(conf);
	put(*state, "main.conf", "[feedspool]\nlog_level = debug\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(CONFIG_LOG_LEVEL(conf), LOG_LVL_DEBUG);
	config_free(conf);
	put(*state, "main.conf", "[feedspool]\nlog_level = 7\n");
	load_bad(*state, "main.conf", "@/main.conf:2: log_level: '7' is not "
	    "one of err|warning|notice|info|debug\n");
}

/* Globals after the feeds still become the feeds' defaults. */
static void
test_globals_after_feeds(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;

	put(*state, "main.conf",
	    "[a]\nurl = https://example.org/a\n"
	    "[b]\nurl = https://example.org/b\ninterval = 5m\n"
	    "max_body = 1k\n"
	    "[feedspool]\ninterval = 10m\ntimeout = 30\nmax_body = 1M\n");
	conf = load_ok(*state, "main.conf");
	assert_non_null(f = config_feed_find(conf, "a"));
	assert_int_equal(f->interval, 600);
	assert_int_equal(f->timeout, 30);
	assert_int_equal(f->max_body, 1024 * 1024);
	assert_non_null(f = config_feed_find(conf, "b"));
	assert_int_equal(f->interval, 300);
	assert_int_equal(f->timeout, 30);
	assert_int_equal(f->max_body, 1024);
	config_free(conf);
}

static void
test_parse_duration(void **state)
{
	unsigned	 v;

	(void)state;
	assert_int_equal(config_parse_duration("90", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(config_parse_duration("30s", &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(config_parse_duration("15m", &v), 0);
	assert_int_equal(v, 900);
	assert_int_equal(config_parse_duration("2h", &v), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(config_parse_duration("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(config_parse_duration("4294967295", &v), 0);
	assert_int_equal(v, UINT_MAX);

	assert_int_equal(config_parse_duration("", &v), -1);
	assert_int_equal(config_parse_duration("m", &v), -1);
	assert_int_equal(config_parse_duration("-5", &v), -1);
	assert_int_equal(config_parse_duration("+5", &v), -1);
	assert_int_equal(config_parse_duration(" 5", &v), -1);
	assert_int_equal(config_parse_duration("5 m", &v), -1);
	assert_int_equal(config_parse_duration("5mm", &v), -1);
	assert_int_equal(config_parse_duration("5d", &v), 0);
	assert_int_equal(v, 5 * 86400);
	assert_int_equal(config_parse_duration("5dd", &v), -1);
	assert_int_equal(config_parse_duration("5x", &v), -1);
	assert_int_equal(config_parse_duration("1.5h", &v), -1);
	assert_int_equal(config_parse_duration("0x10", &v), -1);
	assert_int_equal(config_parse_duration("4294967296", &v), -1);
	assert_int_equal(config_parse_duration("71582789m", &v), -1);
	assert_int_equal(config_parse_duration(
	    "99999999999999999999999", &v), -1);
	assert_int_equal(config_parse_duration(NULL, &v), -1);
}

static void
test_parse_size(void **state)
{
	size_t	 v;

	(void)state;
	assert_int_equal(config_parse_size("100", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(config_parse_size("512k", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(config_parse_size("512K", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(config_parse_size("8M", &v), 0);
	assert_int_equal(v, 8 * 1024 * 1024);
	assert_int_equal(config_parse_size("1G", &v), 0);
	assert_int_equal(v, 1024 * 1024 * 1024);

	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(config_parse_size("k", &v), -1);
	assert_int_equal(config_parse_size("-1", &v), -1);
	assert_int_equal(config_parse_size("1MB", &v), -1);
	assert_int_equal(config_parse_size("1m", &v), -1);
	assert_int_equal(config_parse_size("1T", &v), -1);
	assert_int_equal(config_parse_size("1 k", &v), -1);
	assert_int_equal(config_parse_size("8M ", &v), -1);
	assert_int_equal(config_parse_size("18446744073709551616", &v), -1);
	assert_int_equal(config_parse_size("18014398509481984k", &v), -1);
	assert_int_equal(config_parse_size("17179869184G", &v), -1);
}

/* include: glob relative to the including file, sorted, nested. */
static void
test_include(void **state)
{
	struct config	*conf;
	size_t		 i;
	static const char *order[] = { "main", "a1", "a2", "deep", "b", "z" };

	put(*state, "main.conf",
	    "[main]\nurl = https://example.org/main\n"
	    "[feedspool]\ninclude = feeds.d/*.conf\n"
	    "include = nothing/*.conf\n"
	    "[z]\nurl = https://example.org/z\n");
	/* Written out of order: reading must be sorted. */
	put(*state, "feeds.d/b.conf", "[b]\nurl = https://example.org/b\n");
	put(*state, "feeds.d/ignored.txt", "[nope]\nurl = ftp://x\n");
	put(*state, "feeds.d/a.conf",
	    "[a1]\nurl = https://example.org/a1\n"
	    "[a2]\nurl = https://example.org/a2\n"
	    "[feedspool]\ninterval = 1h\n"
	    "; relative to feeds.d/, not to the main file\n"
	    "include = sub/*.conf\n");
	put(*state, "feeds.d/sub/deep.conf",
	    "[deep]\nurl = https://example.org/deep\ninterval = 5m\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(conf->nfeeds, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < conf->nfeeds; i++)
		assert_string_equal(conf->feeds[i].name, order[i]);
	/* A global from an included file is the default everywhere. */
	assert_int_equal(conf->interval, 3600);
	assert_int_equal(config_feed_find(conf, "main")->interval, 3600);
	assert_int_equal(config_feed_find(conf, "deep")->interval, 300);
	assert_true(strstr(config_feed_find(conf, "deep")->file,
	    "/feeds.d/sub/deep.conf") != NULL);
	assert_int_equal(config_feed_find(conf, "deep")->line, 1);
	config_free(conf);
}

static void
test_include_errors(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\ninclude = inc/*.conf\ninclude = main.conf\n");
	put(*state, "inc/a.conf", "[feedspool]\ninclude = b.conf\n");
	put(*state, "inc/b.conf", "[feedspool]\ninclude = a.conf\n");
	put(*state, "inc/c.conf", "[feedspool]\n\ninclude =\n");
	load_bad(*state, "main.conf",
	    "@/inc/b.conf:2: @/inc/a.conf: already included at "
	    "@/main.conf:2\n"
	    "@/main.conf:2: @/inc/b.conf: already included at "
	    "@/inc/a.conf:2\n"
	    "@/inc/c.conf:3: include: empty pattern\n"
	    "@/main.conf:3: @/main.conf: already read as the main file\n");

	/* Too deep: each file includes the next. */
	put(*state, "deep.conf", "[feedspool]\ninclude = d/1.conf\n");
	put(*state, "d/1.conf", "[feedspool]\ninclude = 2.conf\n");
	put(*state, "d/2.conf", "[feedspool]\ninclude = 3.conf\n");
	put(*state, "d/3.conf", "[feedspool]\ninclude = 4.conf\n");
	put(*state, "d/4.conf", "[feedspool]\ninclude = 5.conf\n");
	put(*state, "d/5.conf", "[feedspool]\ninclude = 6.conf\n");
	put(*state, "d/6.conf", "[feedspool]\ninclude = 7.conf\n");
	put(*state, "d/7.conf", "[feedspool]\ninclude = 8.conf\n");
	put(*state, "d/8.conf", "[feedspool]\ninclude = 9.conf\n");
	put(*state, "d/9.conf", "[x]\nurl = https://example.org/\n");
	load_bad(*state, "deep.conf",
	    "@/d/8.conf:2: include: nested too deep (more than 8 levels)\n");
}

static void
test_article_switches(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;

	put(*state, "main.conf",
	    "[a]\nurl = https://example.org/a\n"
	    "[b]\nurl = https://example.org/b\nfetch_articles = yes\n"
	    "follow_feed_schedule = yes\n"
	    "[feedspool]\nfetch_articles = Off\nallow_private_articles = true\n"
	    "follow_feed_schedule = no\ndetect_language = no\n");
	conf = load_ok(*state, "main.conf");
	assert_int_equal(conf->fetch_articles, 0);
	assert_int_equal(conf->detect_language, 0);
	assert_int_equal(conf->allow_private_articles, 1);
	assert_int_equal(conf->follow_schedule, 0);
	assert_non_null(f = config_feed_find(conf, "a"));
	assert_int_equal(f->fetch_articles, 0);
	assert_int_equal(f->follow_schedule, 0);
	assert_non_null(f = config_feed_find(conf, "b"));
	assert_int_equal(f->fetch_articles, 1);
	assert_int_equal(f->follow_schedule, 1);
	config_free(conf);

	/* Defaults: articles fetched, private addresses refused. */
	put(*state, "plain.conf", "[a]\nurl = https://example.org/a\n");
	conf = load_ok(*state, "plain.conf");
	assert_int_equal(conf->fetch_articles, 1);
	assert_int_equal(conf->detect_language, 1);
	assert_int_equal(conf->allow_private_articles, 0);
	assert_int_equal(conf->feeds[0].fetch_articles, 1);
	assert_int_equal(conf->feeds[0].follow_schedule, 1);
	config_free(conf);

	put(*state, "bad.conf", "[feedspool]\nfetch_articles = maybe\n");
	load_bad(*state, "bad.conf",
	    "@/bad.conf:2: fetch_articles: 'maybe' is not yes or no\n");
}

/* workers: auto (the default), a count, or an error naming the range. */
static void
test_workers(void **state)
{
	struct config	*conf;

	put(*state, "plain.conf", "[a]\nurl = https://example.org/a\n");
	conf = load_ok(*state, "plain.conf");
	assert_true(conf->workers == CONFIG_AUTO);
	config_free(conf);
	put(*state, "two.conf", "[feedspool]\nworkers = 2\n"
	    "[a]\nurl = https://example.org/a\n");
	conf = load_ok(*state, "two.conf");
	assert_int_equal(conf->workers, 2);
	config_free(conf);
	put(*state, "none.conf", "[feedspool]\nworkers = auto\n"
	    "[a]\nurl = https://example.org/a\n");
	conf = load_ok(*state, "none.conf");
	assert_true(conf->workers == CONFIG_AUTO);
	config_free(conf);
	put(*state, "bad.conf", "[feedspool]\nworkers = 17\n"
	    "[a]\nurl = https://example.org/a\nworkers = 1\n");
	load_bad(*state, "bad.conf",
	    "@/bad.conf:2: workers: '17' out of range (auto or 0 to 16)\n"
	    "@/bad.conf:5: unknown key 'workers' in [a]\n");
	put(*state, "word.conf", "[feedspool]\nworkers = many\n"
	    "[a]\nurl = https://example.org/a\n");
	load_bad(*state, "word.conf",
	    "@/word.conf:2: workers: bad number 'many'\n");
}

static void
test_unknown_key(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\nspool = /x\n\n[bbc]\nurl = https://example.org/\n"
	    "foo = bar\n"
	    "[feedspool]\nfrobnicate = 1\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:6: unknown key 'foo' in [bbc]\n"
	    "@/main.conf:8: unknown key 'frobnicate' in [feedspool]\n");
}

/* category: a label from OPML, kept as written; no control bytes. */
static void
test_category(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;

	put(*state, "main.conf",
	    "[a]\nurl = https://example.org/a\ncategory = World News/Europe\n"
	    "[b]\nurl = https://example.org/b\n");
	conf = load_ok(*state, "main.conf");
	assert_non_null(f = config_feed_find(conf, "a"));
	assert_string_equal(f->category, "World News/Europe");
	assert_non_null(f = config_feed_find(conf, "b"));
	assert_null(f->category);
	config_free(conf);
	put(*state, "bad.conf", "[a]\nurl = https://example.org/a\n"
	    "category = x\x01y\n");
	load_bad(*state, "bad.conf",
	    "@/bad.conf:3: category: control characters\n");
}

static void
test_missing_url(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\n\n[empty]\n\n[nourl]\ninterval = 5m\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:3: feed [empty] has no url\n"
	    "@/main.conf:5: feed [nourl] has no url\n");
}

static void
test_bad_url(void **state)
{
	put(*state, "main.conf",
	    "[a]\nurl = ftp://example.org/feed\n"
	    "[b]\nurl = file:///etc/passwd\n"
	    "[c]\nurl = https://\n"
	    "[d]\nurl = https://example.org/a b\n"
	    "[e]\nurl = example.org/feed\n"
	    "[feedspool]\nuser_agent = me\n"
	    "[f]\nurl = HTTPS://example.org/ok\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:2: url: 'ftp://example.org/feed' is not an http:// "
	    "or https:// URL\n"
	    "@/main.conf:4: url: 'file:///etc/passwd' is not an http:// "
	    "or https:// URL\n"
	    "@/main.conf:6: url: 'https://' is not an http:// or https:// "
	    "URL\n"
	    "@/main.conf:8: url: 'https://example.org/a b' is not an "
	    "http:// or https:// URL\n"
	    "@/main.conf:10: url: 'example.org/feed' is not an http:// or "
	    "https:// URL\n"
	    "@/main.conf:12: user_agent: 'me' is not an http(s):// or "
	    "mailto: contact\n");
}

static void
test_duplicate_feed(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\ninclude = more.conf\n"
	    "[bbc]\nurl = https://example.org/1\n"
	    "[bbc]\nurl = https://example.org/3\n");
	put(*state, "more.conf",
	    "# more\n[bbc]\nurl = https://example.org/2\n"
	    "[feedspool]\nspool = /a\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:3: feed [bbc] already defined at @/more.conf:2\n"
	    "@/main.conf:5: feed [bbc] already defined at @/more.conf:2\n");
}

/*
 * Many feeds, their names found through the parser's map as it grows:
 * every one is kept, and a name taken again is still found, at its line.
 */
static void
test_duplicate_feed_many(void **state)
{
	struct config	*conf;
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 1 << 20);
	assert_int_equal(buf_printf(&b, "[feedspool]\nspool = /a\n"), BUF_OK);
	for (i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&b, "[f%zu]\nurl = "
		    "https://example.org/%zu\n", i, i), BUF_OK);
	assert_int_equal(buf_addstr(&b, ""), BUF_OK);
	put(*state, "main.conf", b.data);
	conf = load_ok(*state, "main.conf");
	assert_int_equal(conf->nfeeds, 3000);
	assert_non_null(config_feed_find(conf, "f2999"));
	assert_string_equal(config_feed_find(conf, "f1234")->url,
	    "https://example.org/1234");
	/*
	 * The daemon looks a story's feed up by name: through the map the
	 * parse kept (a search of every feed cost 1.4 * 10^9 comparisons
	 * in a first poll of 10,000 feeds), every feed at its own index.
	 */
	assert_true(conf->namecap >= 2 * conf->nfeeds);
	for (i = 0; i < conf->nfeeds; i++)
		assert_ptr_equal(config_feed_find(conf, conf->feeds[i].name),
		    &conf->feeds[i]);
	assert_null(config_feed_find(conf, "f3000"));
	assert_null(config_feed_find(conf, "f"));
	assert_null(config_feed_find(conf, "F12"));
	assert_null(config_feed_find(conf, "f12 "));
	config_free(conf);
	assert_int_equal(buf_printf(&b, "[f1234]\nurl = https://example.org/"
	    "x\n"), BUF_OK);
	put(*state, "main.conf", b.data);
	load_bad(*state, "main.conf",
	    "@/main.conf:6003: feed [f1234] already defined at "
	    "@/main.conf:2471\n");
	buf_free(&b);
}

static void
test_twice_set(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\ninterval = 1m\ninclude = more.conf\n"
	    "[a]\nurl = https://example.org/\nurl = https://example.org/b\n");
	put(*state, "more.conf", "[feedspool]\ninterval = 2m\n");
	load_bad(*state, "main.conf",
	    "@/more.conf:2: interval: already set at @/main.conf:2\n"
	    "@/main.conf:6: url: already set in [a]\n");
}

static void
test_ranges(void **state)
{
	put(*state, "main.conf",
	    "[feedspool]\n"
	    "interval = 0\n"
	    "max_transfers = 257\n"
	    "per_host = 0\n"
	    "timeout = 2h\n"
	    "connect_timeout = 0s\n"
	    "max_redirects = 21\n"
	    "max_body = 2G\n"
	    "spool =\n"
	    "[a]\n"
	    "url = https://example.org/\n"
	    "interval = 8h0\n"
	    "timeout = -1\n"
	    "max_body = 1023\n"
	    "[b]\n"
	    "url = https://example.org/\n"
	    "interval = 169h\n"
	    "max_body = 10 M\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:2: interval: '0' out of range (1s to 7d)\n"
	    "@/main.conf:3: max_transfers: '257' out of range (1 to 256)\n"
	    "@/main.conf:4: per_host: '0' out of range (1 to 16)\n"
	    "@/main.conf:5: timeout: '2h' out of range (1s to 1h)\n"
	    "@/main.conf:6: connect_timeout: '0s' out of range (1s to 5m)\n"
	    "@/main.conf:7: max_redirects: '21' out of range (0 to 20)\n"
	    "@/main.conf:8: max_body: '2G' out of range (1k to 1G)\n"
	    "@/main.conf:9: spool: '' is not a usable path (empty, blanks "
	    "or control characters)\n"
	    "@/main.conf:12: interval: bad duration '8h0' (seconds, or a "
	    "number with s, m, h or d)\n"
	    "@/main.conf:13: timeout: bad duration '-1' (seconds, or a "
	    "number with s, m, h or d)\n"
	    "@/main.conf:14: max_body: '1023' out of range (1k to 1G)\n"
	    "@/main.conf:17: interval: '169h' out of range (1s to 7d)\n"
	    "@/main.conf:18: max_body: bad size '10 M' (bytes, or a number "
	    "with k, M or G)\n");

	put(*state, "gap.conf", "[feedspool]\nhost_gap = 61m\n");
	load_bad(*state, "gap.conf",
	    "@/gap.conf:2: host_gap: '61m' out of range (0 to 1h)\n");

	/* The edges themselves are fine, in days too. */
	put(*state, "edges.conf",
	    "[feedspool]\ninterval = 7d\nmax_interval = 30d\n");
	config_free(load_ok(*state, "edges.conf"));
	put(*state, "edges.conf",
	    "[feedspool]\nmax_interval = 31d\n");
	load_bad(*state, "edges.conf",
	    "@/edges.conf:2: max_interval: '31d' out of range (1s to 30d)\n");
	put(*state, "edges.conf",
	    "[feedspool]\ninterval = 168h\nmax_transfers = 256\n"
	    "per_host = 16\nhost_gap = 1h\ntimeout = 1h\nmax_body = 1G\n"
	    "max_redirects = 20\n"
	    "[a]\nurl = https://example.org/\ninterval = 1\nmax_body = 1k\n");
	config_free(load_ok(*state, "edges.conf"));
}

/* Everything wrong in one file is reported, in order, and only once. */
static void
test_many_errors(void **state)
{
	put(*state, "main.conf",
	    "orphan = 1\n"
	    "[feedspool]\n"
	    "bogus = 1\n"
	    "interval = soon\n"
	    "this line is not ini\n"
	    "[bad name]\n"
	    "url = https://example.org/\n"
	    "[ok]\n"
	    "url = gopher://example.org/\n"
	    "[unclosed\n"
	    "[ok2] trailing\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:1: 'orphan' outside any section\n"
	    "@/main.conf:3: unknown key 'bogus' in [feedspool]\n"
	    "@/main.conf:4: interval: bad duration 'soon' (seconds, or a "
	    "number with s, m, h or d)\n"
	    "@/main.conf:5: expected 'key = value' or '[section]'\n"
	    "@/main.conf:6: bad feed name [bad name] (1 to 64 letters, "
	    "digits, '.', '_' or '-', not starting with '.' or '-')\n"
	    "@/main.conf:9: url: 'gopher://example.org/' is not an http:// "
	    "or https:// URL\n"
	    "@/main.conf:10: section header without ']'\n"
	    "@/main.conf:11: text after the section header\n");
}

static void
test_syntax_error(void **state)
{
	char	 line[400];

	put(*state, "main.conf",
	    "[feedspool]\n"
	    "spool = /x\n"
	    "# fine\n"
	    "; fine\n"
	    "\n"
	    "oops\n");
	load_bad(*state, "main.conf",
	    "@/main.conf:6: expected 'key = value' or '[section]'\n");

	/* A line longer than inih's buffer is one error, not two lines. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "url = https://example.org/", 26);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	put(*state, "long.conf", "[a]\n");
	{
		char	*p = tpath(*state, "long.conf");
		FILE	*fp;

		assert_non_null(fp = fopen(p, "a"));
		assert_true(fputs(line, fp) >= 0);
		assert_true(fputs("oops\n", fp) >= 0);
		assert_int_equal(fclose(fp), 0);
		free(p);
	}
	load_bad(*state, "long.conf",
	    "@/long.conf:2: line too long (more than 199 bytes)\n"
	    "@/long.conf:3: expected 'key = value' or '[section]'\n"
	    "@/long.conf:1: feed [a] has no url\n");
}

static void
test_missing_file(void **state)
{
	struct config	*conf = (struct config *)1;

	load_bad(*state, "nope.conf",
	    "@/nope.conf: No such file or directory\n");
	load_bad(*state, ".", "@/.: not a regular file\n");

	/* errors may be NULL. */
	assert_int_equal(config_load("/nonexistent/feedspool.conf", &conf,
	    NULL), -1);
	assert_null(conf);
}

/* A flood of errors is cut off after 100, with a note. */
static void
test_too_many_errors(void **state)
{
	struct config	*conf = NULL;
	char		*p, *errors = NULL, *last;
	const char	*s;
	size_t		 i, lines = 0;
	FILE		*fp;

	p = tpath(*state, "main.conf");
	assert_non_null(fp = fopen(p, "w"));
	for (i = 0; i < 150; i++)
		assert_true(fputs("junk\n", fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(config_load(p, &conf, &errors), -1);
	assert_null(conf);
	assert_non_null(errors);
	for (s = errors; *s != '\0'; s++)
		if (*s == '\n')
			lines++;
	assert_int_equal(lines, 101);
	errors[strlen(errors) - 1] = '\0';
	assert_non_null(last = strrchr(errors, '\n'));
	assert_true(strstr(last, "/main.conf:101: too many errors, the rest "
	    "are not shown") != NULL);
	free(errors);
	free(p);
}

/* Glob characters in the including file's directory are literal. */
static void
test_include_odd_dir(void **state)
{
	struct config	*conf;

	put(*state, "we[ir]d*/main.conf",
	    "\xEF\xBB\xBF[feedspool]\ninclude = *.feed\n");
	put(*state, "we[ir]d*/a.feed", "[a]\nurl = https://example.org/\n");
	put(*state, "weid/b.feed", "[b]\nurl = https://example.org/\n");
	conf = load_ok(*state, "we[ir]d*/main.conf");
	assert_int_equal(conf->nfeeds, 1);
	assert_non_null(config_feed_find(conf, "a"));
	config_free(conf);
}

/* The bundled configuration is valid and has what it promises. */
static void
test_bundled(void **state)
{
	struct config			*conf = NULL;
	const struct config_feed	*f;
	char				*errors = NULL;
	int				 rc;

	(void)state;
	rc = config_load("etc/feedspool.conf", &conf, &errors);
	if (rc != 0)
		print_error("etc/feedspool.conf:\n%s", errors ? errors : "?");
	assert_int_equal(rc, 0);
	assert_null(errors);
	assert_string_equal(conf->spool, "/var/spool/feedspool");
	assert_string_equal(conf->state, "/var/lib/feedspool/feedspool.db");
	assert_int_equal(conf->interval, 30 * 60);
	assert_int_equal(conf->max_transfers, CONFIG_DEFAULT_MAX_TRANSFERS);
	assert_int_equal(conf->per_host, CONFIG_DEFAULT_PER_HOST);
	assert_int_equal(conf->host_gap, CONFIG_DEFAULT_HOST_GAP);
	assert_int_equal(conf->timeout, CONFIG_DEFAULT_TIMEOUT);
	assert_int_equal(conf->connect_timeout,
	    CONFIG_DEFAULT_CONNECT_TIMEOUT);
	assert_int_equal(conf->max_redirects, CONFIG_DEFAULT_MAX_REDIRECTS);
	assert_int_equal(conf->max_body, CONFIG_DEFAULT_MAX_BODY);
	assert_string_equal(conf->user_agent, CONFIG_DEFAULT_USER_AGENT);
	assert_true(conf->nfeeds >= 12);
	assert_non_null(f = config_feed_find(conf, "bbc-world"));
	assert_string_equal(f->url,
	    "https://feeds.bbci.co.uk/news/world/rss.xml");
	assert_non_null(f = config_feed_find(conf, "dw-world"));
	assert_string_equal(f->url, "https://rss.dw.com/rdf/rss-en-world");
	assert_non_null(f = config_feed_find(conf, "un-news"));
	assert_string_equal(f->url,
	    "https://news.un.org/feed/subscribe/en/news/all/rss.xml");
	config_free(conf);
}

/* [watch NAME] sections, their lists, and keep and drop per feed. */
static void
test_watch_sections(void **state)
{
	struct config			*conf;
	const struct config_feed	*f;
	const struct watch_hit		*hits;
	struct watch_text		 t;
	size_t				 n;

	put(*state, "w.conf",
	    "[feedspool]\n"
	    "drop = sport\n"
	    "keep = watch\n"
	    "[watch asia]\n"
	    "terms = Taiwan, \"Red Sea\" , \"a, b \\\"q\\\"\"\n"
	    "terms = export controls\n"
	    "patterns = \\bchips?\\b\n"
	    "exclude = Taiwan Semiconductor\n"
	    "where = title , categories\n"
	    "[watch sport]\n"
	    "terms = football\n"
	    "[f1]\n"
	    "url = http://example.org/a\n"
	    "[f2]\n"
	    "url = http://example.org/b\n"
	    "keep = all\n"
	    "drop = none\n"
	    "[f3]\n"
	    "url = http://example.org/c\n"
	    "drop = asia , sport\n"
	    "[watch]\n"
	    "url = http://example.org/w\n");
	conf = load_ok(*state, "w.conf");
	assert_int_equal(conf->nwatches, 2);
	assert_string_equal(conf->watches[0].name, "asia");
	assert_int_equal(conf->watches[0].line, 4);
	assert_int_equal(watch_count(conf->watch), 2);
	assert_int_equal(watch_size(conf->watch, 0), 5);
	assert_int_equal(watch_size(conf->watch, 1), 1);
	assert_int_equal(conf->keep_watch, 1);
	assert_int_equal(conf->ndrop, 1);
	assert_int_equal(conf->drop[0], 1);
	/* A feed may be named "watch": no blank, no watch. */
	assert_non_null(config_feed_find(conf, "watch"));
	assert_non_null(f = config_feed_find(conf, "f1"));
	assert_int_equal(f->keep_watch, 1);
	assert_int_equal(f->ndrop, 1);
	assert_int_equal(f->drop[0], 1);
	assert_non_null(f = config_feed_find(conf, "f2"));
	assert_int_equal(f->keep_watch, 0);
	assert_int_equal(f->ndrop, 0);
	assert_non_null(f = config_feed_find(conf, "f3"));
	assert_int_equal(f->ndrop, 2);
	assert_int_equal(f->drop[0], 0);
	assert_int_equal(f->drop[1], 1);
	/* The quoted term, its quotes and comma kept, as one phrase. */
	memset(&t, 0, sizeof(t));
	t.title = "A, B \"Q\" and chips";
	t.text = "Taiwan";	/* not where asia looks */
	assert_int_equal(watch_match(conf->watch, &t, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].nterms, 2);
	assert_string_equal(hits[0].terms[0], "a, b \"q\"");
	assert_string_equal(hits[0].terms[1], "\\bchips?\\b");
	assert_int_equal(hits[0].where, WATCH_TITLE);
	config_free(conf);
}

/* header, username, password(_file), proxy, user_agent; inherited. */
static void
test_request_keys(void **state)
{
	const struct tdir		*t = *state;
	const struct config_feed	*f;
	struct config			*conf;

	put(t, "pw", "s3cret\n");
	put(t, "f.conf",
	    "[feedspool]\n"
	    "header = X-Api-Key:   k1\n"
	    "header = Cookie: a=b\n"
	    "username = alice\n"
	    "password_file = pw\n"
	    "proxy = http://127.0.0.1:3128\n"
	    "[a]\n"
	    "url = https://example.org/a\n"
	    "[b]\n"
	    "url = https://example.org/b\n"
	    "header = Authorization: Bearer t0k\n"
	    "username = bob\n"
	    "password = p;w\n"
	    "proxy = none\n"
	    "user_agent = mailto:desk@example.org\n"
	    "[c]\n"
	    "url = http://carol:s%40f3@example.org:8080/c?x=1\n");
	conf = load_ok(t, "f.conf");
	assert_non_null(f = config_feed_find(conf, "a"));
	assert_int_equal(f->req.nheaders, 2);
	assert_string_equal(f->req.headers[0], "X-Api-Key: k1");
	assert_string_equal(f->req.headers[1], "Cookie: a=b");
	assert_string_equal(f->req.username, "alice");
	assert_string_equal(f->req.password, "s3cret");
	assert_string_equal(f->req.proxy, "http://127.0.0.1:3128");
	assert_string_equal(f->user_agent_header, conf->user_agent_header);

	assert_non_null(f = config_feed_find(conf, "b"));
	assert_int_equal(f->req.nheaders, 1);
	assert_string_equal(f->req.headers[0], "Authorization: Bearer t0k");
	assert_string_equal(f->req.username, "bob");
	assert_string_equal(f->req.password, "p;w");
	assert_string_equal(f->req.proxy, "");
	assert_string_equal(f->user_agent_header,
	    "feedspool/0.1.0 (+mailto:desk@example.org)");

	/* The url's login, decoded, and the url without it. */
	assert_non_null(f = config_feed_find(conf, "c"));
	assert_string_equal(f->url, "http://example.org:8080/c?x=1");
	assert_string_equal(f->req.username, "carol");
	assert_string_equal(f->req.password, "s@f3");
	assert_int_equal(f->req.nheaders, 2);
	config_free(conf);

	/* Nothing set: no login, no headers, the environment's proxy. */
	put(t, "g.conf", "[a]\nurl = https://example.org/a\n");
	conf = load_ok(t, "g.conf");
	assert_non_null(f = config_feed_find(conf, "a"));
	assert_int_equal(f->req.nheaders, 0);
	assert_null(f->req.username);
	assert_null(f->req.password);
	assert_null(f->req.proxy);
	config_free(conf);
}

static void
test_watch_errors(void **state)
{
	put(*state, "c.conf",
	    "[feedspool]\n"
	    "url = x\n"
	    "[watch a]\n"
	    "where = title\n"
	    "where = text\n"
	    "color = red\n"
	    "terms = \"open\n"
	    "terms = \"x\" y\n"
	    "terms = a,,b\n"
	    "terms = --\n"
	    "terms =\n"
	    "patterns = a{2,1}\n"
	    "[watch a]\n"
	    "[watch b]\n"
	    "[watch bad name!]\n"
	    "[f]\n"
	    "url = http://example.org/\n"
	    "drop = a, nope\n"
	    "keep = sometimes\n");
	load_bad(*state, "c.conf",
	    "@/c.conf:2: unknown key 'url' in [feedspool]\n"
	    "@/c.conf:5: where: already set in [watch a]\n"
	    "@/c.conf:6: unknown key 'color' in [watch a]\n"
	    "@/c.conf:7: terms: a quote is not closed\n"
	    "@/c.conf:8: terms: text after a quoted term\n"
	    "@/c.conf:9: terms: an empty term\n"
	    "@/c.conf:10: terms: '--' has no word to match\n"
	    "@/c.conf:11: terms: no term\n"
	    "@/c.conf:12: patterns: 'a{2,1}': offset 5: numbers out of "
	    "order in {} quantifier\n"
	    "@/c.conf:13: [watch a] already defined at @/c.conf:3\n"
	    "@/c.conf:15: bad watch name [watch bad name!] (1 to 64 letters, "
	    "digits, '.', '_' or '-', not starting with '.' or '-')\n"
	    "@/c.conf:19: keep: 'sometimes' is not one of all|watch\n"
	    "@/c.conf:14: [watch b] has no terms or patterns\n"
	    "@/c.conf:18: drop: no [watch nope]\n");
	put(*state, "k.conf",
	    "[feedspool]\n"
	    "keep = watch\n"
	    "[f]\n"
	    "url = http://example.org/\n"
	    "keep = watch\n");
	load_bad(*state, "k.conf",
	    "@/k.conf:2: keep = watch, but there is no [watch NAME] section\n"
	    "@/k.conf:3: feed [f]: keep = watch, but there is no "
	    "[watch NAME] section\n");
}

static void
test_request_errors(void **state)
{
	const struct tdir	*t = *state;

	put(t, "pw", "one\ntwo\n");
	put(t, "f.conf",
	    "[feedspool]\n"
	    "password = x\n"
	    "header = no colon\n"
	    "header = Bad Name: v\n"
	    "header = Host: example.org\n"
	    "header = X-Empty:\n"
	    "proxy = ftp://127.0.0.1\n"
	    "[a]\n"
	    "url = https://example.org/a\n"
	    "username = a:b\n"
	    "password_file = nope\n"
	    "[b]\n"
	    "url = https://u:p@example.org/b\n"
	    "username = u\n"
	    "password_file = pw\n"
	    "[c]\n"
	    "username = c\n"
	    "url = https://u:p@example.org/c\n"
	    "proxy = none\n"
	    "proxy = none\n"
	    "[d]\n"
	    "url = https://example.org/d\n"
	    "password = x\n");
	load_bad(t, "f.conf",
	    "@/f.conf:3: header: not 'Name: value' (a header name, a colon, "
	    "a value of at most 4000 bytes without control characters)\n"
	    "@/f.conf:4: header: not 'Name: value' (a header name, a colon, "
	    "a value of at most 4000 bytes without control characters)\n"
	    "@/f.conf:5: header: Host is set by feedspool itself\n"
	    "@/f.conf:6: header: not 'Name: value' (a header name, a colon, "
	    "a value of at most 4000 bytes without control characters)\n"
	    "@/f.conf:7: proxy: 'ftp://127.0.0.1' is not none or an http://, "
	    "https://, socks4(a):// or socks5(h):// URL\n"
	    "@/f.conf:10: username: empty, or with a ':' or control "
	    "characters\n"
	    "@/f.conf:11: password_file: cannot read '@/nope': No such file "
	    "or directory\n"
	    "@/f.conf:14: username: the url has a user name and password "
	    "already: use one or the other\n"
	    "@/f.conf:15: password_file: the url has a user name and password "
	    "already: use one or the other\n"
	    "@/f.conf:18: url: has a user name and password, and username or "
	    "password is set too: use one or the other\n"
	    "@/f.conf:20: proxy: already set in [c]\n"
	    "@/f.conf:2: password without username in [feedspool]\n"
	    "@/f.conf:21: feed [d]: password without username\n");

	put(t, "g.conf", "[a]\nurl = https://example.org/a\n"
	    "password_file = pw\n");
	load_bad(t, "g.conf",
	    "@/g.conf:3: password_file: '@/pw' is not one line of text\n");
}

static void
test_url_login(void **state)
{
	char	*clean, *user, *pass;

	(void)state;
	assert_int_equal(config_url_login("https://example.org/a@b", &clean,
	    &user, &pass), 0);
	assert_null(clean);
	assert_int_equal(config_url_login("http://a%3Ab@h/x", &clean, &user,
	    &pass), 1);
	assert_string_equal(clean, "http://h/x");
	assert_string_equal(user, "a:b");
	assert_null(pass);
	free(clean);
	free(user);
	/* the last '@' of the authority ends the userinfo */
	assert_int_equal(config_url_login("http://u:p@q@h:81?y=@", &clean,
	    &user, &pass), 1);
	assert_string_equal(clean, "http://h:81?y=@");
	assert_string_equal(user, "u");
	assert_string_equal(pass, "p@q");
	free(clean);
	free(user);
	free(pass);
	/* a decoded control character is refused */
	assert_int_equal(config_url_login("http://u:%0A@h/", &clean, &user,
	    &pass), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_sections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_globals_after_feeds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_level, setup,
		    teardown),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_article_switches,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_url,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_feed_many,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_feed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_twice_set,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_odd_dir,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_category,
		    setup, teardown),
		cmocka_unit_test(test_bundled),
		cmocka_unit_test_setup_teardown(test_request_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_request_errors, setup,
		    teardown),
		cmocka_unit_test(test_url_login),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
