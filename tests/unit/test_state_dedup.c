/*
 * test_state_dedup: fingerprints and sightings in the state database,
 * on real SQLite files in a fresh temporary directory per test.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "store/dedup.h"
#include "store/state.h"

#include "tests/unit/state_fixture.h"

/* What state_fp_load() handed back. */
struct loaded {
	char		 id[8][STATE_ID_LEN + 1];
	int64_t		 time[8];
	struct dedup_fp	 fp[8];
	char		 url[8][128];
	size_t		 n;
	size_t		 stop_after;	/* 0: never stop */
};

static int
load_cb(void *arg, const char *id, int64_t time, const struct dedup_fp *fp,
    const char *url)
{
	struct loaded	*l = arg;

	assert_true(l->n < 8);
	assert_true(strlen(id) <= STATE_ID_LEN);
	memcpy(l->id[l->n], id, strlen(id) + 1);
	l->time[l->n] = time;
	l->fp[l->n] = *fp;
	assert_true(snprintf(l->url[l->n], sizeof(l->url[0]), "%s",
	    url != NULL ? url : "(null)") < (int)sizeof(l->url[0]));
	l->n++;
	return l->stop_after != 0 && l->n >= l->stop_after ? -1 : 0;
}

static void
test_fp_roundtrip(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct dedup_fp	 a, b;
	struct loaded	 l;
	char		 id[STATE_ID_LEN + 1];

	assert_int_equal(dedup_fingerprint("The council met on Monday to "
	    "discuss the budget for the coming year and the new harbour.",
	    "Council meets", &a), 0);
	/* Values with the top bit set must survive the signed column. */
	b = a;
	b.simhash = UINT64_MAX - 5;
	b.text_hash = 0x8000000000000001ULL;
	b.title_hash = 0;
	b.minhash[0] = UINT32_MAX;
	b.minhash[63] = 0x80000000U;

	st = open_ok(fx->db);
	assert_int_equal(state_fp_save(st, "aaaaaaaaaaaaaaaa", 1000, &a,
	    "https://example.org/a"), 0);
	assert_int_equal(state_fp_save(st, "bbbbbbbbbbbbbbbb", 2000, &b,
	    NULL), 0);
	state_close(st);

	st = open_ok(fx->db);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.id[0], "aaaaaaaaaaaaaaaa");
	assert_int_equal(l.time[0], 1000);
	assert_memory_equal(&l.fp[0], &a, sizeof(a));
	assert_string_equal(l.url[0], "https://example.org/a");
	assert_string_equal(l.id[1], "bbbbbbbbbbbbbbbb");
	assert_memory_equal(&l.fp[1], &b, sizeof(b));
	assert_string_equal(l.url[1], "(null)");

	/* The window: since is inclusive. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 2000, load_cb, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.id[0], "bbbbbbbbbbbbbbbb");

	/* The callback may stop early. */
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), 0);
	assert_int_equal(l.n, 1);

	/* By URL; saving again replaces. */
	assert_int_equal(state_fp_by_url(st, "https://example.org/a", id), 1);
	assert_string_equal(id, "aaaaaaaaaaaaaaaa");
	assert_int_equal(state_fp_by_url(st, "https://example.org/b", id), 0);
	assert_int_equal(state_fp_save(st, "aaaaaaaaaaaaaaaa", 1500, &b,
	    "https://example.org/a2"), 0);
	assert_int_equal(state_fp_by_url(st, "https://example.org/a", id), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.time[0], 1500);
	assert_memory_equal(&l.fp[0], &b, sizeof(b));

	/* Expiry is exclusive of its bound. */
	assert_int_equal(state_fp_expire(st, 2000), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.id[0], "bbbbbbbbbbbbbbbb");
	state_close(st);
}

/* A damaged signature is reported, not handed on. */
static void
test_fp_damaged(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct dedup_fp	 a;
	struct loaded	 l;
	sqlite3		*db;

	assert_int_equal(dedup_fingerprint("some words", NULL, &a), 0);
	st = open_ok(fx->db);
	assert_int_equal(state_fp_save(st, "aaaaaaaaaaaaaaaa", 1, &a, NULL),
	    0);
	state_close(st);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE fingerprints SET minhash ="
	    " x'0102'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	st = open_ok(fx->db);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), -1);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(state_errmsg(st), "damaged"));
	state_close(st);
}

/*
 * A database of schema 8: its fingerprints have no sketch, and load with
 * an empty (unknown) one; a sketch of the wrong length is damage.
 */
static void
test_fp_before_sketches(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct dedup_fp	 a, want;
	struct loaded	 l;
	sqlite3		*db;

	assert_int_equal(dedup_fingerprint("The council met on Monday to "
	    "discuss the budget for the coming year.", NULL, &a), 0);
	st = open_ok(fx->db);
	assert_int_equal(state_fp_save(st, "aaaaaaaaaaaaaaaa", 1, &a, NULL),
	    0);
	state_close(st);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE fingerprints DROP"
	    " COLUMN sketch; PRAGMA user_version = 8", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	st = open_ok(fx->db);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), 0);
	assert_int_equal(l.n, 1);
	want = a;
	memset(want.sketch, DEDUP_SKETCH_EMPTY, sizeof(want.sketch));
	assert_memory_equal(&l.fp[0], &want, sizeof(want));
	assert_true(dedup_containment(&l.fp[0], &a) == 0);
	state_close(st);

	/* The migration gave the column back: it can be damaged. */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE fingerprints SET sketch ="
	    " x'0102'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	st = open_ok(fx->db);
	memset(&l, 0, sizeof(l));
	assert_int_equal(state_fp_load(st, 0, load_cb, &l), -1);
	assert_non_null(strstr(state_errmsg(st), "damaged"));
	state_close(st);
}

struct seen {
	char	 feed[4][32];
	char	 url[4][64];
	int64_t	 when[4];
	size_t	 n;
};

static int
sighting_cb(void *arg, const char *feed, const char *url, int64_t seen)
{
	struct seen	*s = arg;

	assert_true(s->n < 4);
	assert_true(snprintf(s->feed[s->n], sizeof(s->feed[0]), "%s", feed) <
	    (int)sizeof(s->feed[0]));
	assert_true(snprintf(s->url[s->n], sizeof(s->url[0]), "%s",
	    url != NULL ? url : "(null)") < (int)sizeof(s->url[0]));
	s->when[s->n++] = seen;
	return 0;
}

static void
test_sightings(void **state)
{
	struct fixture	*fx = *state;
	struct state	*st;
	struct seen	 s;

	st = open_ok(fx->db);
	assert_int_equal(state_sighting_add(st, "aaaaaaaaaaaaaaaa", "wire",
	    "https://wire.example/a", 300), 0);
	assert_int_equal(state_sighting_add(st, "aaaaaaaaaaaaaaaa", "paper",
	    "https://paper.example/b", 100), 0);
	assert_int_equal(state_sighting_add(st, "bbbbbbbbbbbbbbbb", "wire",
	    NULL, 200), 0);
	assert_int_equal(state_sighting_add(st, "aaaaaaaaaaaaaaaa", "blog",
	    NULL, 300), 0);
	state_close(st);

	st = open_ok(fx->db);
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_sightings(st, "aaaaaaaaaaaaaaaa", sighting_cb,
	    &s), 0);
	/* Oldest first; equal times in the order they were added. */
	assert_int_equal(s.n, 3);
	assert_string_equal(s.feed[0], "paper");
	assert_int_equal(s.when[0], 100);
	assert_string_equal(s.feed[1], "wire");
	assert_string_equal(s.url[1], "https://wire.example/a");
	assert_string_equal(s.feed[2], "blog");
	assert_string_equal(s.url[2], "(null)");
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_sightings(st, "cccccccccccccccc", sighting_cb,
	    &s), 0);
	assert_int_equal(s.n, 0);
	state_close(st);
}

/* A version 2 database gets the new tables and keeps its items. */
static void
test_migration_from_1(void **state)
{
	struct fixture		*fx = *state;
	struct state		*st;
	struct state_feed	 f;
	struct seen		 s;
	sqlite3			*db;

	st = open_ok(fx->db);
	memset(&f, 0, sizeof(f));
	f.url = (char *)(uintptr_t)"https://example.org/feed";
	assert_int_equal(state_feed_save(st, "news", &f), 0);
	state_close(st);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE fingerprints;"
	    " DROP TABLE sightings; ALTER TABLE items DROP COLUMN text_hash;"
	    " ALTER TABLE items DROP COLUMN revision;"
	    " ALTER TABLE feeds DROP COLUMN moved_to;"
	    " DROP INDEX feeds_held; DROP INDEX items_pending_feed;"
	    " ALTER TABLE feeds DROP COLUMN held;"
	    " ALTER TABLE feeds DROP COLUMN held_etag;"
	    " ALTER TABLE feeds DROP COLUMN held_last_modified;"
	    " ALTER TABLE feeds DROP COLUMN gone;"
	    " ALTER TABLE feeds DROP COLUMN retry_until;"
	    " ALTER TABLE feeds DROP COLUMN next_why;"
	    " ALTER TABLE feeds DROP COLUMN asked;"
	    " ALTER TABLE feeds DROP COLUMN skip_hours;"
	    " ALTER TABLE feeds DROP COLUMN skip_days;"
	    " ALTER TABLE feeds DROP COLUMN cadence;"
	    " ALTER TABLE feeds DROP COLUMN polled_interval;"
	    " ALTER TABLE feeds DROP COLUMN moved_polls;"
	    " ALTER TABLE feeds DROP COLUMN polling_moved;"
	    " ALTER TABLE items DROP COLUMN page_done;"
	    " DROP TABLE health; PRAGMA user_version = 2",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	st = open_ok(fx->db);
	assert_int_equal(state_feed_load(st, "news", &f), 0);
	assert_string_equal(f.url, "https://example.org/feed");
	state_feed_clear(&f);
	assert_int_equal(state_sighting_add(st, "aaaaaaaaaaaaaaaa", "news",
	    NULL, 1), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_sightings(st, "aaaaaaaaaaaaaaaa", sighting_cb,
	    &s), 0);
	assert_int_equal(s.n, 1);
	state_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fp_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fp_damaged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fp_before_sketches, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sightings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_1, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
