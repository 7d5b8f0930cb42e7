/*
 * Unit tests for store/state.c, on real database files in a fresh
 * temporary directory per test.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "store/state.h"

#include "tests/unit/state_fixture.h"

/* Read one integer or text result straight from the file, bypassing state. */
static void
raw_query(const char *path, const char *sql, char *out, size_t outlen)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	const char	*v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(s, 0);
		assert_true(snprintf(out, outlen, "%s", v != NULL ? v : "NULL")
		    < (int)outlen);
	}
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void
save_feed(struct state *st, const char *name, const char *url)
{
	struct state_feed	 f;

	memset(&f, 0, sizeof(f));
	f.url = (char *)(uintptr_t)url;
	assert_int_equal(state_feed_save(st, name, &f), 0);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f;
	enum state_item_status	 status;
	struct stat		 sb;
	char			 wal[4200];

	st = open_ok(fx->db);
	save_feed(st, "news", "https://example.org/feed.xml");
	assert_int_equal(state_item_begin(st, "news", "k1", "0123456789abcdef",
	    100, "100.0123456789abcdef.json", "{}", 0), 0);
	state_close(st);

	/* A clean close leaves no WAL content behind. */
	assert_true(snprintf(wal, sizeof(wal), "%s-wal", fx->db) <
	    (int)sizeof(wal));
	assert_true(stat(wal, &sb) == -1 || sb.st_size == 0);

	st = open_ok(fx->db);
	assert_int_equal(state_feed_load(st, "news", &f), 0);
	assert_string_equal(f.url, "https://example.org/feed.xml");
	state_feed_clear(&f);
	assert_int_equal(state_item_status(st, "news", "k1", &status), 0);
	assert_int_equal(status, STATE_ITEM_PENDING);
	state_close(st);
}

static void
test_wal_and_user_version(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	char		 v[64];

	st = open_ok(fx->db);
	raw_query(fx->db, "PRAGMA journal_mode", v, sizeof(v));
	assert_string_equal(v, "wal");
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "10");
	state_close(st);

	/* Reopening a current database does not re-run the schema. */
	st = open_ok(fx->db);
	state_close(st);
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "10");
}

static void
test_refuses_newer_schema(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st = (struct state *)&st;
	sqlite3		*db;
	char		 err[512] = "", v[64];

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	assert_int_equal(state_open(fx->db, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "99"));
	assert_non_null(strstr(err, fx->db));

	/* The refused file is left as it was. */
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "99");
	raw_query(fx->db, "PRAGMA journal_mode", v, sizeof(v));
	assert_string_equal(v, "delete");
}

static void
test_open_fails_with_message(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	char		 path[4200], err[512] = "";

	assert_true(snprintf(path, sizeof(path), "%s/missing/state.db",
	    fx->dir) < (int)sizeof(path));
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, path));
}

static void
test_feed_roundtrip(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 in, out;
	char			 etag[] = "W/\"67ab43\"";
	char			 lm[] = "Tue, 15 Nov 1994 08:12:31 GMT";
	char			 url[] = "https://example.org/a?b=c&d=\xc3\xa9";
	char			 err[] = "timeout after 30s";

	st = open_ok(fx->db);

	/* Never seen: zeroed, not an error. */
	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(state_feed_load(st, "unknown", &out), 0);
	assert_null(out.url);
	assert_null(out.etag);
	assert_null(out.last_modified);
	assert_null(out.last_error);
	assert_int_equal(out.last_status, 0);
	assert_int_equal(out.last_poll, 0);
	assert_int_equal(out.next_poll, 0);
	assert_int_equal(out.failures, 0);
	assert_int_equal(out.items_total, 0);

	memset(&in, 0, sizeof(in));
	in.url = url;
	in.etag = etag;
	in.last_modified = lm;
	in.last_status = 200;
	in.last_poll = INT64_C(1700000000);
	in.next_poll = INT64_C(4102444800);	/* past 2038 */
	in.failures = 3;
	in.last_error = err;
	in.moved_to = (char *)(uintptr_t)"https://new.example/feed";
	in.gone = 1;
	in.retry_until = INT64_C(4102444801);
	in.next_why = (char *)(uintptr_t)"retry-after";
	in.asked = 7200;
	in.skip_hours = 0xff0000;
	in.skip_days = 0x41;
	in.cadence = 43200;
	in.polled_interval = 1800;
	in.moved_polls = 2;
	in.polling_moved = 1;
	assert_int_equal(state_feed_save(st, "f", &in), 0);
	state_close(st);

	st = open_ok(fx->db);
	assert_int_equal(state_feed_load(st, "f", &out), 0);
	assert_string_equal(out.url, url);
	assert_memory_equal(out.etag, etag, sizeof(etag));
	assert_memory_equal(out.last_modified, lm, sizeof(lm));
	assert_int_equal(out.last_status, 200);
	assert_string_equal(out.last_error, err);
	assert_true(out.last_poll == INT64_C(1700000000));
	assert_true(out.next_poll == INT64_C(4102444800));
	assert_int_equal(out.failures, 3);
	assert_string_equal(out.moved_to, "https://new.example/feed");
	assert_true(out.gone);
	assert_true(out.retry_until == INT64_C(4102444801));
	assert_string_equal(out.next_why, "retry-after");
	assert_true(out.asked == 7200);
	assert_int_equal(out.skip_hours, 0xff0000);
	assert_int_equal(out.skip_days, 0x41);
	assert_true(out.cadence == 43200);
	assert_int_equal(out.polled_interval, 1800);
	assert_int_equal(out.moved_polls, 2);
	assert_true(out.polling_moved);
	state_feed_clear(&out);
	assert_null(out.url);

	/* Saving again updates in place; NULLs stay NULL. */
	in.etag = NULL;
	in.last_modified = NULL;
	in.last_error = NULL;
	in.last_status = 0;
	in.failures = 0;
	in.moved_to = NULL;
	assert_int_equal(state_feed_save(st, "f", &in), 0);
	assert_int_equal(state_feed_load(st, "f", &out), 0);
	assert_string_equal(out.url, url);
	assert_null(out.moved_to);
	assert_null(out.etag);
	assert_null(out.last_modified);
	assert_null(out.last_error);
	assert_int_equal(out.last_status, 0);
	assert_int_equal(out.failures, 0);
	state_feed_clear(&out);

	/* A plain strong etag keeps its quotes. */
	in.etag = (char *)(uintptr_t)"\"xyzzy\"";
	assert_int_equal(state_feed_save(st, "f", &in), 0);
	assert_int_equal(state_feed_load(st, "f", &out), 0);
	assert_string_equal(out.etag, "\"xyzzy\"");
	state_feed_clear(&out);
	state_close(st);
}

static void
test_item_lifecycle(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f;
	enum state_item_status	 status;
	struct state_item_rev	 rev;
	char			 id[STATE_ID_LEN + 1], v[64];

	st = open_ok(fx->db);
	save_feed(st, "news", "https://example.org/");

	assert_int_equal(state_item_status(st, "news", "guid-1", &status), 0);
	assert_int_equal(status, STATE_ITEM_NEW);

	assert_int_equal(state_new_id(id), 0);
	assert_int_equal(state_item_begin(st, "news", "guid-1", id, 10,
	    "10.x.json", "{\"a\":1}", UINT64_C(0x8000000000000001)), 0);
	assert_int_equal(state_item_status(st, "news", "guid-1", &status), 0);
	assert_int_equal(status, STATE_ITEM_PENDING);
	/* The text hash is stored with it, all 64 bits. */
	assert_int_equal(state_item_hash(st, "news", "guid-1", &rev), 1);
	assert_true(rev.text_hash == UINT64_C(0x8000000000000001));
	assert_string_equal(rev.id, id);
	assert_false(rev.delivered);
	/* Same key in another feed is another item. */
	assert_int_equal(state_item_status(st, "other", "guid-1", &status), 0);
	assert_int_equal(status, STATE_ITEM_NEW);

	/* The same (feed, key) cannot be begun twice. */
	assert_int_equal(state_item_begin(st, "news", "guid-1",
	    "ffffffffffffffff", 11, "11.y.json", "{}", 0), -1);
	assert_true(strlen(state_errmsg(st)) > 0);

	assert_int_equal(state_item_delivered(st, id), 0);
	assert_int_equal(state_item_status(st, "news", "guid-1", &status), 0);
	assert_int_equal(status, STATE_ITEM_DELIVERED);
	/* Delivered again (a redelivery) is counted once. */
	assert_int_equal(state_item_delivered(st, id), 0);

	assert_int_equal(state_item_delivered(st, "0000000000000000"), -1);
	assert_non_null(strstr(state_errmsg(st), "0000000000000000"));

	/* items_total survives a stale save of the feed. */
	save_feed(st, "news", "https://example.org/");
	assert_int_equal(state_feed_load(st, "news", &f), 0);
	assert_int_equal(f.items_total, 1);
	state_feed_clear(&f);
	state_close(st);

	/* The story is dropped once delivered. */
	raw_query(fx->db, "SELECT story IS NULL FROM items", v, sizeof(v));
	assert_string_equal(v, "1");
}

static void
test_item_begin_before_feed_save(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f;

	st = open_ok(fx->db);
	assert_int_equal(state_item_begin(st, "fresh", "k", "aaaaaaaaaaaaaaaa",
	    1, "1.a.json", "{}", 0), 0);
	assert_int_equal(state_item_delivered(st, "aaaaaaaaaaaaaaaa"), 0);
	save_feed(st, "fresh", "https://fresh.example/");
	assert_int_equal(state_feed_load(st, "fresh", &f), 0);
	assert_string_equal(f.url, "https://fresh.example/");
	assert_int_equal(f.items_total, 1);
	state_feed_clear(&f);
	state_close(st);
}

struct seen {
	int	 n;
	int	 stop_after;
	char	 ids[8][STATE_ID_LEN + 1];
	char	 names[8][64];
	char	 json[8][64];
};

static int
pending_cb(void *arg, const struct state_pending_row *row)
{
	struct seen	*s = arg;

	assert_true(s->n < 8);
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", row->id);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", row->spool_name);
	snprintf(s->json[s->n], sizeof(s->json[0]), "%s", row->json);
	s->n++;
	return s->n == s->stop_after ? -1 : 0;
}

/* The recovery loop: redeliver, then mark delivered, inside the walk. */
struct recover {
	struct state	*st;
	int		 n;
};

static int
recover_cb(void *arg, const struct state_pending_row *row)
{
	struct recover	*r = arg;

	r->n++;
	assert_int_equal(state_item_delivered(r->st, row->id), 0);
	return 0;
}

static void
test_pending_mark_during_walk(void **state)
{
	struct fixture	*fx = *state;
	struct recover	 r;
	struct seen	 seen;

	memset(&r, 0, sizeof(r));
	r.st = open_ok(fx->db);
	assert_int_equal(state_item_begin(r.st, "a", "k1", "1111111111111111",
	    1, "1.1.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(r.st, "a", "k2", "2222222222222222",
	    2, "2.2.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(r.st, "a", "k3", "3333333333333333",
	    3, "3.3.json", "{}", 0), 0);
	assert_int_equal(state_pending(r.st, recover_cb, &r), 0);
	assert_int_equal(r.n, 3);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending(r.st, pending_cb, &seen), 0);
	assert_int_equal(seen.n, 0);
	state_close(r.st);
}

static void
test_pending(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct seen	 seen;

	st = open_ok(fx->db);
	save_feed(st, "a", "https://a.example/");
	save_feed(st, "b", "https://b.example/");
	/* Begun out of first_seen order, across feeds. */
	assert_int_equal(state_item_begin(st, "a", "k3", "3333333333333333",
	    300, "300.3.json", "{\"n\":3}", 0), 0);
	assert_int_equal(state_item_begin(st, "b", "k1", "1111111111111111",
	    100, "100.1.json", "{\"n\":1}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k2", "2222222222222222",
	    200, "200.2.json", "{\"n\":2}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k4", "4444444444444444",
	    50, "50.4.json", "{\"n\":4}", 0), 0);
	assert_int_equal(state_item_delivered(st, "4444444444444444"), 0);
	state_close(st);

	st = open_ok(fx->db);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending(st, pending_cb, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.ids[0], "1111111111111111");
	assert_string_equal(seen.names[0], "100.1.json");
	assert_string_equal(seen.json[0], "{\"n\":1}");
	assert_string_equal(seen.ids[1], "2222222222222222");
	assert_string_equal(seen.json[1], "{\"n\":2}");
	assert_string_equal(seen.ids[2], "3333333333333333");
	assert_string_equal(seen.names[2], "300.3.json");

	/* A callback returning -1 stops the walk. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 1;
	assert_int_equal(state_pending(st, pending_cb, &seen), 0);
	assert_int_equal(seen.n, 1);

	/* And the statement is reusable afterwards. */
	assert_int_equal(state_item_delivered(st, "1111111111111111"), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending(st, pending_cb, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.ids[0], "2222222222222222");
	state_close(st);
}

/*
 * In pages: each from after the last row read, in the same order; a row
 * left pending behind the mark (same first_seen, earlier rowid
 * included) is not read again, and one delivered meanwhile is not met.
 */
static void
test_pending_pages(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct seen		 seen;
	struct state_mark	 at = STATE_MARK_FIRST;

	st = open_ok(fx->db);
	save_feed(st, "a", "https://a.example/");
	assert_int_equal(state_item_begin(st, "a", "k1", "1111111111111111",
	    100, "1.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k2", "2222222222222222",
	    100, "2.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k3", "3333333333333333",
	    100, "3.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k4", "4444444444444444",
	    50, "4.json", "{}", 0), 0);
	assert_int_equal(state_item_begin(st, "a", "k5", "5555555555555555",
	    200, "5.json", "{}", 0), 0);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending_page(st, &at, 2, pending_cb, &seen), 2);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.ids[0], "4444444444444444");
	assert_string_equal(seen.ids[1], "1111111111111111");
	assert_int_equal(at.seen, 100);

	/* Delivered behind the mark or ahead of it: neither is met. */
	assert_int_equal(state_item_delivered(st, "4444444444444444"), 0);
	assert_int_equal(state_item_delivered(st, "3333333333333333"), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending_page(st, &at, 2, pending_cb, &seen), 2);
	assert_string_equal(seen.ids[0], "2222222222222222");
	assert_string_equal(seen.ids[1], "5555555555555555");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending_page(st, &at, 2, pending_cb, &seen), 0);
	assert_int_equal(seen.n, 0);

	/* From the first again: only what is still pending. */
	at = (struct state_mark)STATE_MARK_FIRST;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(state_pending_page(st, &at, 10, pending_cb, &seen),
	    3);
	assert_string_equal(seen.ids[0], "1111111111111111");
	state_close(st);
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_new_id(void **state)
{
	static char	 ids[2000][STATE_ID_LEN + 1];
	size_t		 i, j;

	(void)state;
	for (i = 0; i < 2000; i++) {
		memset(ids[i], 'X', sizeof(ids[i]));
		assert_int_equal(state_new_id(ids[i]), 0);
		assert_int_equal(strlen(ids[i]), STATE_ID_LEN);
		for (j = 0; j < STATE_ID_LEN; j++)
			assert_non_null(strchr("0123456789abcdef",
			    ids[i][j]));
	}
	qsort(ids, 2000, sizeof(ids[0]), cmp_id);
	for (i = 1; i < 2000; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
}

struct walk {
	int	 n;
	int	 stop_after;
	char	 names[8][32];
	char	 urls[8][64];
};

static int
feed_cb(void *arg, const char *name, const struct state_feed *f)
{
	struct walk	*w = arg;

	assert_true(w->n < 8);
	snprintf(w->names[w->n], sizeof(w->names[0]), "%s", name);
	snprintf(w->urls[w->n], sizeof(w->urls[0]), "%s",
	    f->url != NULL ? f->url : "NULL");
	w->n++;
	return w->n == w->stop_after ? -1 : 0;
}

static void
test_feed_foreach(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct walk	 w;

	st = open_ok(fx->db);
	memset(&w, 0, sizeof(w));
	assert_int_equal(state_feed_foreach(st, feed_cb, &w), 0);
	assert_int_equal(w.n, 0);

	save_feed(st, "charlie", "https://c.example/");
	save_feed(st, "alpha", "https://a.example/");
	save_feed(st, "bravo", NULL);

	memset(&w, 0, sizeof(w));
	assert_int_equal(state_feed_foreach(st, feed_cb, &w), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[0], "alpha");
	assert_string_equal(w.urls[0], "https://a.example/");
	assert_string_equal(w.names[1], "bravo");
	assert_string_equal(w.urls[1], "NULL");
	assert_string_equal(w.names[2], "charlie");

	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	assert_int_equal(state_feed_foreach(st, feed_cb, &w), 0);
	assert_int_equal(w.n, 2);
	state_close(st);
}

static void
test_transactions(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f;

	st = open_ok(fx->db);
	assert_int_equal(state_begin(st), 0);
	save_feed(st, "gone", "https://gone.example/");
	state_rollback(st);
	assert_int_equal(state_feed_load(st, "gone", &f), 0);
	assert_null(f.url);

	assert_int_equal(state_begin(st), 0);
	/* No nesting: the second BEGIN fails and says why. */
	assert_int_equal(state_begin(st), -1);
	assert_true(strlen(state_errmsg(st)) > 0);
	save_feed(st, "kept", "https://kept.example/");
	assert_int_equal(state_item_begin(st, "kept", "k", "bbbbbbbbbbbbbbbb",
	    1, "1.b.json", "{}", 0), 0);
	assert_int_equal(state_commit(st), 0);
	state_close(st);

	st = open_ok(fx->db);
	assert_int_equal(state_feed_load(st, "kept", &f), 0);
	assert_string_equal(f.url, "https://kept.example/");
	state_feed_clear(&f);
	/* Rolling back with no transaction open is harmless. */
	state_rollback(st);
	assert_int_equal(state_commit(st), -1);
	state_close(st);
}

/* A NULL-terminated array as one string, "a,b", for comparisons. */
static void
join(char **v, char *out, size_t outlen)
{
	size_t	 i, len = 0;
	int	 n;

	assert_non_null(v);
	out[0] = '\0';
	for (i = 0; v[i] != NULL; i++) {
		n = snprintf(out + len, outlen - len, "%s%s", i > 0 ? "," : "",
		    v[i]);
		assert_true(n >= 0 && (size_t)n < outlen - len);
		len += (size_t)n;
	}
}

static void
check_tags(struct state *st, const char *host, const char *want)
{
	char	**tags = NULL, got[512];

	assert_int_equal(state_title_tags(st, host, &tags), 0);
	join(tags, got, sizeof(got));
	state_strings_free(tags);
	assert_string_equal(got, want);
}

static void
test_title_tags(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	int		 i;

	st = open_ok(fx->db);
	/* Two titles are too few to learn from, even both tagged. */
	assert_int_equal(state_title_seen(st, "ltc-a.example", "ltc-a", 1), 0);
	assert_int_equal(state_title_seen(st, "ltc-a.example", "ltc-a", 2), 0);
	check_tags(st, "ltc-a.example", "");
	for (i = 3; i <= 5; i++)
		assert_int_equal(state_title_seen(st, "ltc-a.example", "ltc-a",
		    i), 0);
	check_tags(st, "ltc-a.example", "ltc-a");
	/* Per host: another host has learned nothing. */
	check_tags(st, "other.example", "");

	/* One tagged title in ten is a headline's own separator. */
	assert_int_equal(state_title_seen(st, "b.example", "a year on", 1), 0);
	for (i = 2; i <= 10; i++)
		assert_int_equal(state_title_seen(st, "b.example", NULL, i), 0);
	check_tags(st, "b.example", "");
	state_close(st);

	/* Learned tags survive a restart. */
	st = open_ok(fx->db);
	check_tags(st, "ltc-a.example", "ltc-a");
	state_close(st);
}

/*
 * Many titles at once keep what as many single calls keep: the last 20
 * of each host, hosts interleaved or not, titles without a host skipped.
 */
static void
test_titles_seen_batch(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_title	 v[64];
	char			 got[64];
	size_t			 n = 0;
	int			 i;

	st = open_ok(fx->db);
	assert_int_equal(state_titles_seen(st, v, 0, 1), 0);
	/* 30 "old" of h, then 12 "new" interleaved with a second host. */
	for (i = 0; i < 30; i++)
		v[n++] = (struct state_title){ "h.example", "old" };
	v[n++] = (struct state_title){ NULL, "nohost" };
	for (i = 0; i < 12; i++) {
		v[n++] = (struct state_title){ "h.example", "new" };
		v[n++] = (struct state_title){ "k.example", NULL };
	}
	assert_int_equal(state_titles_seen(st, v, n, 1), 0);
	/* 12 new and 8 old in h's last 20: as with one call a title. */
	check_tags(st, "h.example", "new");
	check_tags(st, "k.example", "");
	state_close(st);
	raw_query(fx->db, "SELECT count(*) FROM title_seen WHERE host ="
	    " 'h.example'", got, sizeof(got));
	assert_string_equal(got, "20");
	raw_query(fx->db, "SELECT count(*) FROM title_seen WHERE tag ="
	    " 'old'", got, sizeof(got));
	assert_string_equal(got, "8");
	raw_query(fx->db, "SELECT count(*) FROM title_seen WHERE host ="
	    " 'k.example'", got, sizeof(got));
	assert_string_equal(got, "12");
}

static void
test_title_tags_window(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	char		 v[64];
	int		 i;

	st = open_ok(fx->db);
	for (i = 1; i <= 30; i++)
		assert_int_equal(state_title_seen(st, "h.example", "old", i),
		    0);
	check_tags(st, "h.example", "old");
	/* The site changed its tag: the window follows it. */
	for (i = 31; i <= 40; i++)
		assert_int_equal(state_title_seen(st, "h.example", "new", i),
		    0);
	check_tags(st, "h.example", "new,old");
	assert_int_equal(state_title_seen(st, "h.example", "new", 41), 0);
	check_tags(st, "h.example", "new");
	state_close(st);
	raw_query(fx->db, "SELECT count(*) FROM title_seen", v, sizeof(v));
	assert_string_equal(v, "20");

	/* Rows older than the age limit go on the next write. */
	st = open_ok(fx->db);
	assert_int_equal(state_title_seen(st, "z.example", NULL,
	    41 + 100 * 24 * 3600), 0);
	state_close(st);
	raw_query(fx->db, "SELECT count(*) FROM title_seen", v, sizeof(v));
	assert_string_equal(v, "1");
}

static void
check_lines(struct state *st, const char *host, const char *want)
{
	char	**lines = NULL, got[1024];

	assert_int_equal(state_recurring_lines(st, host, &lines), 0);
	join(lines, got, sizeof(got));
	state_strings_free(lines);
	assert_string_equal(got, want);
}

static void
test_recurring_lines(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	const char	*page[] = {
		"Share this article",
		"© 2023 Example News",
		"Share this article",		/* twice: counts once */
		NULL,
		"Story text that differs from page to page 0",
	};
	char		 story[64], longp[300];
	int		 i;

	st = open_ok(fx->db);
	assert_int_equal(state_lines_seen(st, "news.example", page, 5, 1), 0);
	check_lines(st, "news.example", "");
	for (i = 2; i <= 3; i++) {
		assert_true(snprintf(story, sizeof(story),
		    "A story about page %c", 'a' + i) < (int)sizeof(story));
		page[4] = story;
		assert_int_equal(state_lines_seen(st, "news.example", page, 5,
		    i), 0);
		check_lines(st, "news.example", i < 3 ? "" :
		    "share this article,© 0000 example news");
	}
	check_lines(st, "elsewhere.example", "");

	/* Long paragraphs are content, never learned. */
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	page[0] = longp;
	for (i = 10; i < 14; i++)
		assert_int_equal(state_lines_seen(st, "long.example", page, 1,
		    i), 0);
	check_lines(st, "long.example", "");
	state_close(st);
}

static void
test_recurring_lines_share(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	const char	*footer[] = { "Sign up for our newsletter" };
	const char	*plain[] = { NULL };
	char		 story[64];
	int		 i;

	st = open_ok(fx->db);
	/* 3 pages of 20 carry it: 15%, under the 30% needed. */
	for (i = 0; i < 20; i++) {
		assert_true(snprintf(story, sizeof(story), "Story %c",
		    'a' + i) < (int)sizeof(story));
		plain[0] = story;
		assert_int_equal(state_lines_seen(st, "n.example",
		    i % 7 == 0 ? footer : plain, 1, i), 0);
	}
	check_lines(st, "n.example", "");
	for (i = 20; i < 26; i++)
		assert_int_equal(state_lines_seen(st, "n.example", footer, 1,
		    i), 0);
	check_lines(st, "n.example", "sign up for our newsletter");
	state_close(st);
}

static void
test_migration_from_1(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	sqlite3		*db;
	char		 v[64];

	/* A version 1 file: without the learning and duplicate tables. */
	st = open_ok(fx->db);
	state_close(st);
	assert_int_equal(sqlite3_open_v2(fx->db, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE line_seen;"
	    "DROP TABLE page_seen; DROP TABLE title_seen;"
	    "DROP TABLE fingerprints; DROP TABLE sightings;"
	    "ALTER TABLE items DROP COLUMN text_hash;"
	    "ALTER TABLE items DROP COLUMN revision;"
	    "ALTER TABLE feeds DROP COLUMN moved_to;"
	    "DROP INDEX feeds_held; DROP INDEX items_pending_feed;"
	    "ALTER TABLE feeds DROP COLUMN held;"
	    "ALTER TABLE feeds DROP COLUMN held_etag;"
	    "ALTER TABLE feeds DROP COLUMN held_last_modified;"
	    "ALTER TABLE feeds DROP COLUMN gone;"
	    "ALTER TABLE feeds DROP COLUMN retry_until;"
	    "ALTER TABLE feeds DROP COLUMN next_why;"
	    "ALTER TABLE feeds DROP COLUMN asked;"
	    "ALTER TABLE feeds DROP COLUMN skip_hours;"
	    "ALTER TABLE feeds DROP COLUMN skip_days;"
	    "ALTER TABLE feeds DROP COLUMN cadence;"
	    "ALTER TABLE feeds DROP COLUMN polled_interval;"
	    "ALTER TABLE feeds DROP COLUMN moved_polls;"
	    "ALTER TABLE feeds DROP COLUMN polling_moved;"
	    "ALTER TABLE items DROP COLUMN page_done;"
	    "DROP TABLE health;"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	st = open_ok(fx->db);
	assert_int_equal(state_title_seen(st, "a.example", "tag", 1), 0);
	state_close(st);
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "10");
	raw_query(fx->db, "SELECT tag FROM title_seen", v, sizeof(v));
	assert_string_equal(v, "tag");
}

/* A feed's new validators wait until no story of it is pending. */
static void
test_held_validators(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f, out;
	size_t			 n;
	int64_t			 oldest;

	st = open_ok(fx->db);
	memset(&f, 0, sizeof(f));
	f.url = (char *)(uintptr_t)"https://a.example/feed";
	f.etag = (char *)(uintptr_t)"\"old\"";
	assert_int_equal(state_feed_save(st, "a", &f), 0);
	assert_int_equal(state_item_begin(st, "a", "k1", "1111111111111111",
	    20, "20.x.json", "{\"a\":1}", 0), 0);
	assert_int_equal(state_item_begin(st, "b", "k1", "2222222222222222",
	    10, "10.x.json", "{\"b\":1}", 0), 0);
	assert_int_equal(state_pending_count(st, &n, &oldest), 0);
	assert_int_equal(n, 2);
	assert_true(oldest == 10);

	/* The answer's validators are held, the old ones still asked with. */
	f.held = 1;
	f.held_etag = (char *)(uintptr_t)"\"new\"";
	f.held_last_modified = NULL;
	assert_int_equal(state_feed_save(st, "a", &f), 0);
	assert_int_equal(state_feeds_release(st), 0);
	assert_int_equal(state_feed_load(st, "a", &out), 0);
	assert_string_equal(out.etag, "\"old\"");
	assert_true(out.held);
	assert_string_equal(out.held_etag, "\"new\"");
	state_feed_clear(&out);

	/* Another feed's delivery does not free them; their own does. */
	assert_int_equal(state_item_delivered(st, "2222222222222222"), 0);
	assert_int_equal(state_feeds_release(st), 0);
	assert_int_equal(state_feed_release(st, "a"), 0);
	assert_int_equal(state_feed_load(st, "a", &out), 0);
	assert_string_equal(out.etag, "\"old\"");
	state_feed_clear(&out);
	assert_int_equal(state_item_delivered(st, "1111111111111111"), 0);
	/* Released for one feed: another's name leaves them held. */
	assert_int_equal(state_feed_release(st, "b"), 0);
	assert_int_equal(state_feed_load(st, "a", &out), 0);
	assert_true(out.held);
	state_feed_clear(&out);
	assert_int_equal(state_feed_release(st, "a"), 0);
	assert_int_equal(state_feed_load(st, "a", &out), 0);
	assert_string_equal(out.etag, "\"new\"");
	assert_null(out.last_modified);
	assert_false(out.held);
	assert_null(out.held_etag);
	state_feed_clear(&out);
	assert_int_equal(state_pending_count(st, &n, &oldest), 0);
	assert_int_equal(n, 0);
	assert_true(oldest == 0);

	/* An answer without validators, held and released, clears them. */
	memset(&f, 0, sizeof(f));
	f.url = (char *)(uintptr_t)"https://a.example/feed";
	f.etag = (char *)(uintptr_t)"\"new\"";
	f.held = 1;
	assert_int_equal(state_feed_save(st, "a", &f), 0);
	assert_int_equal(state_feeds_release(st), 0);
	assert_int_equal(state_feed_load(st, "a", &out), 0);
	assert_null(out.etag);
	state_feed_clear(&out);
	state_close(st);
}

static int
first_story(void *arg, const struct state_pending_row *row)
{
	char	*out = arg;

	(void)snprintf(out, 64, "%s %d", row->json, row->page_done);
	return 0;
}

/* A pending story completed later; the daemon's problems by name. */
static void
test_restory_and_health(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	char		 json[64], *msg;
	int64_t		 since;

	st = open_ok(fx->db);
	assert_int_equal(state_item_begin(st, "a", "k1", "1111111111111111",
	    20, "20.x.json", "{\"feed\":1}", 0), 0);
	assert_int_equal(state_item_restory(st, "1111111111111111",
	    "{\"page\":1}"), 0);
	assert_int_equal(state_pending(st, first_story, json), 0);
	assert_string_equal(json, "{\"page\":1} 1");
	/* A page tried and not used keeps the feed's story. */
	assert_int_equal(state_item_begin(st, "a", "k2", "2222222222222222",
	    30, "30.x.json", "{\"feed\":2}", 0), 0);
	assert_int_equal(state_item_restory(st, "2222222222222222", NULL), 0);
	/* Delivered stories keep no JSON, and get none back. */
	assert_int_equal(state_item_delivered(st, "1111111111111111"), 0);
	assert_int_equal(state_item_restory(st, "1111111111111111",
	    "{\"late\":1}"), 0);
	json[0] = '\0';
	assert_int_equal(state_pending(st, first_story, json), 0);
	assert_string_equal(json, "{\"feed\":2} 1");

	assert_int_equal(state_health_get(st, "spool", &msg, &since), 0);
	assert_null(msg);
	assert_int_equal(state_health_set(st, "spool", "spool full", 100), 0);
	/* A problem that goes on keeps the time it began. */
	assert_int_equal(state_health_set(st, "spool", "still full", 200), 0);
	state_close(st);
	st = open_ok(fx->db);
	assert_int_equal(state_health_get(st, "spool", &msg, &since), 1);
	assert_string_equal(msg, "still full");
	assert_true(since == 100);
	free(msg);
	assert_int_equal(state_health_clear(st, "spool"), 0);
	assert_int_equal(state_health_get(st, "spool", &msg, &since), 0);
	state_close(st);
}

static void
test_learning_in_transaction(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	const char	*lines[] = { "Read more:" };
	int		 i;

	st = open_ok(fx->db);
	/* Savepoints nest in the caller's transaction and go with it. */
	assert_int_equal(state_begin(st), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(state_lines_seen(st, "t.example", lines, 1,
		    i), 0);
	check_lines(st, "t.example", "read more:");
	state_rollback(st);
	check_lines(st, "t.example", "");
	assert_int_equal(state_title_seen(st, NULL, "x", 1), -1);
	assert_non_null(strstr(state_errmsg(st), "no host"));
	state_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_and_user_version,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails_with_message,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_roundtrip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_lifecycle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_item_begin_before_feed_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_pages,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_mark_during_walk,
		    setup, teardown),
		cmocka_unit_test(test_new_id),
		cmocka_unit_test_setup_teardown(test_feed_foreach,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_title_tags,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_titles_seen_batch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_title_tags_window,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_recurring_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_recurring_lines_share,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_1,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_learning_in_transaction,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_validators,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restory_and_health,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
