/*
 * state: the daemon's SQLite database.
 *
 * One connection, WAL mode, every statement prepared once at open and
 * reused.  The schema is versioned with PRAGMA user_version; migrate()
 * walks the steps from the file's version up to STATE_SCHEMA_VERSION
 * inside one transaction.
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "parsers/url.h"
#include "parsers/words.h"
#include "store/dedup.h"
#include "store/state.h"

#define STATE_SCHEMA_VERSION	10
#define STATE_BUSY_TIMEOUT_MS	5000

/*
 * What is learned per host stays bounded: the last LEARN_TITLES titles
 * and LEARN_PAGES pages of each host, nothing older than LEARN_AGE, at
 * most LEARN_LINES short paragraphs per page.
 */
#define LEARN_TITLES		20
#define LEARN_TITLES_MIN	3
#define LEARN_PAGES		50
#define LEARN_PAGES_MIN		3	/* distinct pages for a recurring line */
#define LEARN_PAGES_PCT		30	/* of the host's recent pages */
#define LEARN_LINES		100
#define LEARN_LINE_CHARS	200	/* longer paragraphs are content */
#define LEARN_AGE		(90 * 24 * 3600)
enum stmt {
	ST_FEED_LOAD,
	ST_FEED_SAVE,
	ST_FEED_ENSURE,
	ST_FEED_LIST,
	ST_ITEM_STATUS,
	ST_ITEM_BEGIN,
	ST_ITEM_DELIVERED,
	ST_PENDING,
	ST_FP_SAVE,
	ST_FP_LOAD,
	ST_FP_BY_URL,
	ST_FP_EXPIRE,
	ST_FP_SKETCH,
	ST_SIGHTING_ADD,
	ST_SIGHTINGS,
	ST_ITEM_HASH,
	ST_ITEM_SET_HASH,
	ST_ITEM_REVISE,
	ST_STORY_INFO,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_PART_BEGIN,
	ST_PART_RELEASE,
	ST_PART_UNDO,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_TITLE_ADD,
	ST_TITLE_TRIM,
	ST_TITLE_EXPIRE,
	ST_TITLE_TAGS,
	ST_PAGE_ADD,
	ST_PAGE_TRIM,
	ST_PAGE_EXPIRE,
	ST_LINE_ADD,
	ST_LINES_RECURRING,
	ST_FEEDS_RELEASE,
	ST_FEED_RELEASE,
	ST_ITEM_RESTORY,
	ST_ITEM_STORY,
	ST_PENDING_COUNT,
	ST_HEALTH_SET,
	ST_HEALTH_CLEAR,
	ST_HEALTH_GET,
	ST_FEED_LAST_NEW,
	ST__COUNT
};

#define FEED_COLUMNS \
	"url, etag, last_modified, last_status, last_error, last_poll, " \
	"next_poll, failures, items_total, moved_to, held, held_etag, " \
	"held_last_modified, gone, retry_until, next_why, asked, skip_hours, " \
	"skip_days, cadence, polled_interval, moved_polls, polling_moved"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_FEED_LOAD] =
	    "SELECT " FEED_COLUMNS " FROM feeds WHERE name = ?1",
	/*
	 * items_total is not written: it is counted by the trigger on
	 * items, and a caller saving a struct loaded before its deliveries
	 * must not roll the count back.
	 */
	[ST_FEED_SAVE] =
	    "INSERT INTO feeds (name, url, etag, last_modified, last_status,"
	    " last_error, last_poll, next_poll, failures, moved_to, held,"
	    " held_etag, held_last_modified, gone, retry_until, next_why,"
	    " asked, skip_hours, skip_days, cadence, polled_interval,"
	    " moved_polls, polling_moved)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
	    " ON CONFLICT (name) DO UPDATE SET url = excluded.url,"
	    " etag = excluded.etag, last_modified = excluded.last_modified,"
	    " last_status = excluded.last_status,"
	    " last_error = excluded.last_error,"
	    " last_poll = excluded.last_poll,"
	    " next_poll = excluded.next_poll,"
	    " failures = excluded.failures, moved_to = excluded.moved_to,"
	    " held = excluded.held, held_etag = excluded.held_etag,"
	    " held_last_modified = excluded.held_last_modified,"
	    " gone = excluded.gone, retry_until = excluded.retry_until,"
	    " next_why = excluded.next_why, asked = excluded.asked,"
	    " skip_hours = excluded.skip_hours,"
	    " skip_days = excluded.skip_days, cadence = excluded.cadence,"
	    " polled_interval = excluded.polled_interval,"
	    " moved_polls = excluded.moved_polls,"
	    " polling_moved = excluded.polling_moved",
	/* Items may be begun before their feed's first save. */
	[ST_FEED_ENSURE] =
	    "INSERT OR IGNORE INTO feeds (name) VALUES (?1)",
	[ST_FEED_LIST] =
	    "SELECT name, " FEED_COLUMNS " FROM feeds ORDER BY name",
	[ST_ITEM_STATUS] =
	    "SELECT status FROM items WHERE feed = ?1 AND key = ?2",
	[ST_ITEM_BEGIN] =
	    "INSERT INTO items (feed, key, first_seen, story_id, spool_name,"
	    " status, story, text_hash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
	[ST_ITEM_DELIVERED] =
	    "UPDATE items SET status = 'delivered', story = NULL"
	    " WHERE story_id = ?1",
	/* A page of them, after the last one read (items_pending's order). */
	[ST_PENDING] =
	    "SELECT story_id, spool_name, story, page_done, first_seen, rowid"
	    " FROM items WHERE status = 'pending'"
	    " AND (first_seen, rowid) > (?1, ?2)"
	    " ORDER BY first_seen, rowid LIMIT ?3",
	/* A story whose text changed gets its new fingerprint. */
	[ST_FP_SAVE] =
	    "INSERT OR REPLACE INTO fingerprints (story_id, time, simhash,"
	    " minhash, text_hash, title_hash, nshingles, url, sketch)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_FP_LOAD] =
	    "SELECT story_id, time, simhash, minhash, text_hash, title_hash,"
	    " nshingles, url, sketch FROM fingerprints WHERE time >= ?1"
	    " ORDER BY time, rowid",
	[ST_FP_BY_URL] =
	    "SELECT story_id FROM fingerprints WHERE url = ?1"
	    " ORDER BY time, rowid LIMIT 1",
	[ST_FP_EXPIRE] =
	    "DELETE FROM fingerprints WHERE time < ?1",
	/* The index keeps no sketches: a candidate's, by its primary key. */
	[ST_FP_SKETCH] =
	    "SELECT sketch FROM fingerprints WHERE story_id = ?1",
	[ST_SIGHTING_ADD] =
	    "INSERT INTO sightings (story_id, feed, url, seen)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[ST_ITEM_HASH] =
	    "SELECT text_hash, story_id, revision, status FROM items"
	    " WHERE feed = ?1 AND key = ?2",
	[ST_ITEM_SET_HASH] =
	    "UPDATE items SET text_hash = ?2 WHERE story_id = ?1",
	/* A new revision of an item: a new story, pending again. */
	[ST_ITEM_REVISE] =
	    "UPDATE items SET story_id = ?3, first_seen = ?4, spool_name = ?5,"
	    " status = 'pending', story = ?6, text_hash = ?7, revision = ?8"
	    " WHERE feed = ?1 AND key = ?2 AND status = 'delivered'",
	[ST_STORY_INFO] =
	    "SELECT feed, key, first_seen, spool_name, status, revision"
	    " FROM items WHERE story_id = ?1",
	[ST_SIGHTINGS] =
	    "SELECT feed, url, seen FROM sightings WHERE story_id = ?1"
	    " ORDER BY seen, rowid",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/* Savepoints nest inside a caller's state_begin() and alone. */
	[ST_SAVEPOINT] = "SAVEPOINT learn",
	/* One part of a longer transaction: a feed document's rows. */
	[ST_PART_BEGIN] = "SAVEPOINT part",
	[ST_PART_RELEASE] = "RELEASE part",
	[ST_PART_UNDO] = "ROLLBACK TO part",
	[ST_RELEASE] = "RELEASE learn",
	[ST_ROLLBACK_TO] = "ROLLBACK TO learn",
	[ST_TITLE_ADD] =
	    "INSERT INTO title_seen (host, seen, tag) VALUES (?1, ?2, ?3)",
	[ST_TITLE_TRIM] =
	    "DELETE FROM title_seen WHERE host = ?1 AND id <="
	    " (SELECT id FROM title_seen WHERE host = ?1"
	    "  ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	[ST_TITLE_EXPIRE] =
	    "DELETE FROM title_seen WHERE seen < ?1",
	[ST_TITLE_TAGS] =
	    "WITH recent AS (SELECT tag FROM title_seen WHERE host = ?1"
	    "  ORDER BY id DESC LIMIT ?2),"
	    " total AS (SELECT count(*) AS n FROM recent)"
	    " SELECT tag FROM recent, total WHERE tag IS NOT NULL"
	    " GROUP BY tag HAVING total.n >= ?3 AND count(*) * 2 >= total.n"
	    " ORDER BY count(*) DESC, tag",
	[ST_PAGE_ADD] =
	    "INSERT INTO page_seen (host, seen) VALUES (?1, ?2)",
	[ST_PAGE_TRIM] =
	    "DELETE FROM page_seen WHERE host = ?1 AND id <="
	    " (SELECT id FROM page_seen WHERE host = ?1"
	    "  ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	[ST_PAGE_EXPIRE] =
	    "DELETE FROM page_seen WHERE seen < ?1",
	[ST_LINE_ADD] =
	    "INSERT OR IGNORE INTO line_seen (page, line) VALUES (?1, ?2)",
	[ST_LINES_RECURRING] =
	    "WITH recent AS (SELECT id FROM page_seen WHERE host = ?1"
	    "  ORDER BY id DESC LIMIT ?2),"
	    " total AS (SELECT count(*) AS n FROM recent)"
	    " SELECT line FROM line_seen, total"
	    " WHERE page IN (SELECT id FROM recent)"
	    " GROUP BY line HAVING count(*) >= ?3"
	    " AND count(*) * 100 >= total.n * ?4"
	    " ORDER BY line",
	/* The validators held back, once no story of the feed is pending. */
	[ST_FEEDS_RELEASE] =
	    "UPDATE feeds SET etag = held_etag,"
	    " last_modified = held_last_modified, held = 0, held_etag = NULL,"
	    " held_last_modified = NULL WHERE held = 1 AND NOT EXISTS"
	    " (SELECT 1 FROM items WHERE items.feed = feeds.name"
	    "  AND items.status = 'pending')",
	/* The same for one feed: a point look-up, not a walk of them all. */
	[ST_FEED_RELEASE] =
	    "UPDATE feeds SET etag = held_etag,"
	    " last_modified = held_last_modified, held = 0, held_etag = NULL,"
	    " held_last_modified = NULL WHERE name = ?1 AND held = 1 AND"
	    " NOT EXISTS (SELECT 1 FROM items WHERE items.feed = feeds.name"
	    "  AND items.status = 'pending')",
	[ST_ITEM_RESTORY] =
	    "UPDATE items SET story = coalesce(?2, story), page_done = 1"
	    " WHERE story_id = ?1 AND status = 'pending'",
	[ST_ITEM_STORY] =
	    "UPDATE items SET story = ?2 WHERE story_id = ?1"
	    " AND status = 'pending'",
	[ST_PENDING_COUNT] =
	    "SELECT count(*), min(first_seen) FROM items"
	    " WHERE status = 'pending'",
	/* A problem keeps the time it began while it lasts. */
	[ST_HEALTH_SET] =
	    "INSERT INTO health (what, message, since) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (what) DO UPDATE SET message = excluded.message",
	[ST_HEALTH_CLEAR] =
	    "DELETE FROM health WHERE what = ?1",
	[ST_HEALTH_GET] =
	    "SELECT message, since FROM health WHERE what = ?1",
	/* The primary key (feed, key) keeps this to the feed's own rows. */
	[ST_FEED_LAST_NEW] =
	    "SELECT max(first_seen) FROM items WHERE feed = ?1",
};

/*
 * Schema steps: migration[n] takes a database from user_version n to
 * n + 1.  Never edit a released step; append a new one and bump
 * STATE_SCHEMA_VERSION.
 */
static const char *const migration[STATE_SCHEMA_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE feeds ("
	"  name		TEXT PRIMARY KEY NOT NULL,"
	"  url		TEXT,"
	"  etag		TEXT,"
	"  last_modified	TEXT,"
	"  last_status	INTEGER NOT NULL DEFAULT 0,"
	"  last_error	TEXT,"
	"  last_poll	INTEGER NOT NULL DEFAULT 0,"
	"  next_poll	INTEGER NOT NULL DEFAULT 0,"
	"  failures	INTEGER NOT NULL DEFAULT 0,"
	"  items_total	INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE items ("
	"  feed		TEXT NOT NULL REFERENCES feeds (name)"
	"		    ON DELETE CASCADE ON UPDATE CASCADE,"
	"  key		TEXT NOT NULL,"
	"  first_seen	INTEGER NOT NULL,"
	"  story_id	TEXT NOT NULL UNIQUE,"
	"  spool_name	TEXT NOT NULL,"
	"  status	TEXT NOT NULL"
	"		    CHECK (status IN ('pending', 'delivered')),"
	"  story	TEXT,"
	"  CHECK ((status = 'pending') = (story IS NOT NULL)),"
	"  PRIMARY KEY (feed, key)"
	");"
	"CREATE INDEX items_pending ON items (first_seen)"
	"  WHERE status = 'pending';"
	/* Counted here so the update and the count are one statement. */
	"CREATE TRIGGER items_delivered AFTER UPDATE OF status ON items"
	"  WHEN old.status = 'pending' AND new.status = 'delivered'"
	"  BEGIN"
	"    UPDATE feeds SET items_total = items_total + 1"
	"      WHERE name = new.feed;"
	"  END;",
	/* 1 -> 2: what boilerplate removal learns per host. */
	"CREATE TABLE title_seen ("
	"  id		INTEGER PRIMARY KEY,"
	"  host		TEXT NOT NULL,"
	"  seen		INTEGER NOT NULL,"
	"  tag		TEXT"
	");"
	"CREATE INDEX title_seen_host ON title_seen (host, id);"
	"CREATE INDEX title_seen_age ON title_seen (seen);"
	"CREATE TABLE page_seen ("
	"  id		INTEGER PRIMARY KEY,"
	"  host		TEXT NOT NULL,"
	"  seen		INTEGER NOT NULL"
	");"
	"CREATE INDEX page_seen_host ON page_seen (host, id);"
	"CREATE INDEX page_seen_age ON page_seen (seen);"
	"CREATE TABLE line_seen ("
	"  page		INTEGER NOT NULL REFERENCES page_seen (id)"
	"		    ON DELETE CASCADE,"
	"  line		TEXT NOT NULL,"
	"  PRIMARY KEY (page, line)"
	") WITHOUT ROWID;",
	/*
	 * 2 -> 3: duplicate detection.  One fingerprint per story (64-bit
	 * values stored as their two's-complement INTEGER, the MinHash
	 * signature as little-endian 32-bit values), loaded back into the
	 * in-memory index at start; and every place a story was seen.
	 */
	"CREATE TABLE fingerprints ("
	"  story_id	TEXT PRIMARY KEY NOT NULL,"
	"  time		INTEGER NOT NULL,"
	"  simhash	INTEGER NOT NULL,"
	"  minhash	BLOB NOT NULL,"
	"  text_hash	INTEGER NOT NULL,"
	"  title_hash	INTEGER NOT NULL,"
	"  nshingles	INTEGER NOT NULL,"
	"  url		TEXT"
	");"
	"CREATE INDEX fingerprints_time ON fingerprints (time);"
	"CREATE INDEX fingerprints_url ON fingerprints (url)"
	"  WHERE url IS NOT NULL;"
	"CREATE TABLE sightings ("
	"  story_id	TEXT NOT NULL,"
	"  feed		TEXT NOT NULL,"
	"  url		TEXT,"
	"  seen		INTEGER NOT NULL"
	");"
	"CREATE INDEX sightings_story ON sightings (story_id, seen);",
	/*
	 * 3 -> 4: updates of an item's own text.  The hash of the text the
	 * feed gave (0 unknown), and which revision of the item the story
	 * that stands for it now is.
	 */
	"ALTER TABLE items ADD COLUMN text_hash INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE items ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;",
	/* 4 -> 5: where a feed moved to, by permanent redirects. */
	"ALTER TABLE feeds ADD COLUMN moved_to TEXT;",
	/*
	 * 5 -> 6: the oldest story of a URL found in the index itself, not
	 * by sorting its rows in a temporary tree on every lookup (twice a
	 * new story).
	 */
	"DROP INDEX fingerprints_url;"
	"CREATE INDEX fingerprints_url ON fingerprints (url, time)"
	"  WHERE url IS NOT NULL;",
	/*
	 * 6 -> 7: a feed's new validators are held back while stories of
	 * its answer are pending (NULLs are validators too: held says so);
	 * a pending story whose page was tried already (its delivery failed);
	 * the problems of the daemon's own, such as a failing spool, for
	 * `feedspool status`.
	 */
	"ALTER TABLE feeds ADD COLUMN held INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN held_etag TEXT;"
	"ALTER TABLE feeds ADD COLUMN held_last_modified TEXT;"
	"ALTER TABLE items ADD COLUMN page_done INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX feeds_held ON feeds (name) WHERE held = 1;"
	"CREATE INDEX items_pending_feed ON items (feed)"
	"  WHERE status = 'pending';"
	"CREATE TABLE health ("
	"  what		TEXT PRIMARY KEY NOT NULL,"
	"  message	TEXT NOT NULL,"
	"  since	INTEGER NOT NULL"
	");",
	/*
	 * 7 -> 8: everything that decides a feed's next request, so that a
	 * restart forgets no wait: gone (410), the Retry-After deadline, why
	 * the next poll is when it is, what the feed asks (its minimum
	 * interval in seconds, skipped hours and days), its learned cadence
	 * (seconds), the interval next_poll was computed with, and how many
	 * polls in a row a permanent redirect led to moved_to (polled there
	 * instead when polling_moved).
	 */
	"ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN retry_until INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN next_why TEXT;"
	"ALTER TABLE feeds ADD COLUMN asked INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN cadence INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN polled_interval INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN moved_polls INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN polling_moved INTEGER NOT NULL"
	"  DEFAULT 0;",
	/*
	 * 8 -> 9: a fingerprint's containment sketch (DEDUP_SKETCH bytes);
	 * NULL in the rows from before, whose stories are then judged by
	 * similarity alone.
	 */
	"ALTER TABLE fingerprints ADD COLUMN sketch BLOB;",
	/*
	 * 9 -> 10: a pending row may be without its story, when the story's
	 * file is durable in the spool's tmp/ (the file is the story until it
	 * is in new/); a delivered one still has none.  SQLite cannot change
	 * a CHECK, so the table is built again.
	 */
	"CREATE TABLE items_v10 ("
	"  feed		TEXT NOT NULL REFERENCES feeds (name)"
	"		    ON DELETE CASCADE ON UPDATE CASCADE,"
	"  key		TEXT NOT NULL,"
	"  first_seen	INTEGER NOT NULL,"
	"  story_id	TEXT NOT NULL UNIQUE,"
	"  spool_name	TEXT NOT NULL,"
	"  status	TEXT NOT NULL"
	"		    CHECK (status IN ('pending', 'delivered')),"
	"  story	TEXT,"
	"  text_hash	INTEGER NOT NULL DEFAULT 0,"
	"  revision	INTEGER NOT NULL DEFAULT 1,"
	"  page_done	INTEGER NOT NULL DEFAULT 0,"
	"  CHECK (status = 'pending' OR story IS NULL),"
	"  PRIMARY KEY (feed, key)"
	");"
	"INSERT INTO items_v10 (feed, key, first_seen, story_id, spool_name,"
	"  status, story, text_hash, revision, page_done)"
	"  SELECT feed, key, first_seen, story_id, spool_name, status, story,"
	"  text_hash, revision, page_done FROM items;"
	"DROP TABLE items;"
	"ALTER TABLE items_v10 RENAME TO items;"
	"CREATE INDEX items_pending ON items (first_seen)"
	"  WHERE status = 'pending';"
	"CREATE INDEX items_pending_feed ON items (feed)"
	"  WHERE status = 'pending';"
	"CREATE TRIGGER items_delivered AFTER UPDATE OF status ON items"
	"  WHEN old.status = 'pending' AND new.status = 'delivered'"
	"  BEGIN"
	"    UPDATE feeds SET items_total = items_total + 1"
	"      WHERE name = new.feed;"
	"  END;",
};

struct state {
	sqlite3		*db;
	sqlite3_stmt	*stmt[ST__COUNT];
	char		 errmsg[512];
};

static void state_seterr(struct state *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* A truncated error message is still a useful one: no check needed. */
static void
state_seterr(struct state *st, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
}

static void
state_sqlerr(struct state *st, const char *what)
{
	state_seterr(st, "%s: %s", what, sqlite3_errmsg(st->db));
}

const char *
state_errmsg(struct state *st)
{
	return st->errmsg;
}

/* Ready the statement for its next use, and drop borrowed pointers. */
static void
stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Run a statement that returns no rows. */
static int
stmt_exec(struct state *st, enum stmt which, const char *what)
{
	sqlite3_stmt	*s = st->stmt[which];
	int		 rc;

	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		state_sqlerr(st, what);
		stmt_done(s);
		return -1;
	}
	stmt_done(s);
	return 0;
}

/*
 * Strings are bound SQLITE_STATIC: every statement is reset and its
 * bindings cleared before the caller's strings can go away.
 */
static int
bind_text(sqlite3_stmt *s, int idx, const char *str)
{
	if (str == NULL)
		return sqlite3_bind_null(s, idx);
	return sqlite3_bind_text(s, idx, str, -1, SQLITE_STATIC);
}

static int
exec_sql(struct state *st, const char *sql, const char *what)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		state_seterr(st, "%s: %s", what,
		    msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
user_version(struct state *st, int *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK) {
		state_sqlerr(st, "user_version");
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		state_sqlerr(st, "user_version");
		sqlite3_finalize(s);
		return -1;
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
check_version(struct state *st, int version)
{
	if (version < 0 || version > STATE_SCHEMA_VERSION) {
		state_seterr(st, "database schema version %d is newer than "
		    "this feedspool understands (%d); refusing to use it",
		    version, STATE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

/*
 * The version is read again under BEGIN IMMEDIATE so two processes
 * opening a fresh file cannot both run the same step.
 */
static int
migrate(struct state *st)
{
	char	 sql[64];
	int	 version, n;

	if (exec_sql(st, "BEGIN IMMEDIATE", "migrate") == -1)
		return -1;
	if (user_version(st, &version) == -1 ||
	    check_version(st, version) == -1)
		goto out_rollback;
	if (version == STATE_SCHEMA_VERSION)
		return exec_sql(st, "COMMIT", "migrate");

	for (; version < STATE_SCHEMA_VERSION; version++) {
		if (exec_sql(st, migration[version], "schema step") == -1)
			goto out_rollback;
	}
	n = snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		state_seterr(st, "migrate: user_version statement too long");
		goto out_rollback;
	}
	if (exec_sql(st, sql, "set user_version") == -1 ||
	    exec_sql(st, "COMMIT", "migrate") == -1)
		goto out_rollback;
	return 0;

 out_rollback:
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
set_pragmas(struct state *st)
{
	sqlite3_stmt	*s;
	const char	*mode;
	int		 ok;

	/* journal_mode answers with the mode it ended up in. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK) {
		state_sqlerr(st, "journal_mode");
		return -1;
	}
	ok = sqlite3_step(s) == SQLITE_ROW &&
	    (mode = (const char *)sqlite3_column_text(s, 0)) != NULL &&
	    strcmp(mode, "wal") == 0;
	sqlite3_finalize(s);
	if (!ok) {
		state_seterr(st, "cannot switch the database to WAL mode");
		return -1;
	}
	/*
	 * FULL, not NORMAL: with NORMAL a WAL commit is not fsync'ed, so a
	 * power cut could lose a pending row whose story file already
	 * reached the spool, and the item would come back as new under a
	 * fresh id: a duplicate story.  Writes are batched per poll with
	 * state_begin(), so the extra fsync is per batch, not per item.
	 */
	if (exec_sql(st, "PRAGMA synchronous = FULL", "synchronous") == -1 ||
	    exec_sql(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1)
		return -1;
	/*
	 * The savepoint of each document keeps what it changed, to undo it
	 * alone: in memory, not in a temporary file written page by page
	 * (half of all writes on a first poll).  And a checkpoint every
	 * 32 MiB of WAL, not 4: the pages a first poll changes over and over
	 * (index leaves) are copied back once, not every few batches.
	 */
	if (exec_sql(st, "PRAGMA temp_store = MEMORY", "temp_store") == -1 ||
	    exec_sql(st, "PRAGMA wal_autocheckpoint = 8192",
	    "wal_autocheckpoint") == -1)
		return -1;
	return 0;
}

static int
prepare_all(struct state *st)
{
	size_t	 i;

	for (i = 0; i < ST__COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			state_sqlerr(st, "prepare");
			return -1;
		}
	}
	return 0;
}

static void
finalize_all(struct state *st)
{
	size_t	 i;

	for (i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

int
state_open(const char *path, struct state **out, char *err, size_t errlen)
{
	struct state	*st;
	int		 version;

	/* Here and below, a truncated error message is still useful. */
	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		state_seterr(st, "%s", st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory");
		goto out_close_db;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_busy_timeout(st->db, STATE_BUSY_TIMEOUT_MS) != SQLITE_OK) {
		state_sqlerr(st, "busy_timeout");
		goto out_close_db;
	}
	/* Refuse a newer schema before we change anything in the file. */
	if (user_version(st, &version) == -1 ||
	    check_version(st, version) == -1 ||
	    set_pragmas(st) == -1 ||
	    migrate(st) == -1 ||
	    prepare_all(st) == -1)
		goto out_finalize;

	*out = st;
	return 0;

 out_finalize:
	finalize_all(st);
 out_close_db:
	(void)snprintf(err, errlen, "%s: %s", path, st->errmsg);
	sqlite3_close(st->db);
	free(st);
	return -1;
}

void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	finalize_all(st);
	/*
	 * Fold the WAL back into the main file so the database is a single
	 * clean file between runs; sqlite3_close() would also do it, but
	 * TRUNCATE leaves a zero-length -wal even when another reader is
	 * still attached.
	 */
	(void)sqlite3_wal_checkpoint_v2(st->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

/* Feeds */

void
state_feed_clear(struct state_feed *f)
{
	free(f->url);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->moved_to);
	free(f->held_etag);
	free(f->held_last_modified);
	free(f->next_why);
	memset(f, 0, sizeof(*f));
}

static int
dup_column(sqlite3_stmt *s, int col, char **out)
{
	const unsigned char	*p;

	*out = NULL;
	if ((p = sqlite3_column_text(s, col)) == NULL)
		return 0;
	if ((*out = strdup((const char *)p)) == NULL)
		return -1;
	return 0;
}

/*
 * A feed's url or moved_to, without userinfo: an earlier version stored
 * the url as configured, password and all, and a feed is known by its url
 * (the url of its config now comes without it, see config.c).
 */
static int
dup_url_column(sqlite3_stmt *s, int col, char **out)
{
	const unsigned char	*p;

	*out = NULL;
	if ((p = sqlite3_column_text(s, col)) == NULL)
		return 0;
	if ((*out = url_strip_userinfo((const char *)p)) == NULL)
		return -1;
	return 0;
}

/* Copy a row in FEED_COLUMNS order, starting at column col. */
static int
row_to_feed(struct state *st, sqlite3_stmt *s, int col,
    struct state_feed *f)
{
	memset(f, 0, sizeof(*f));
	if (dup_url_column(s, col, &f->url) == -1 ||
	    dup_column(s, col + 1, &f->etag) == -1 ||
	    dup_column(s, col + 2, &f->last_modified) == -1 ||
	    dup_column(s, col + 4, &f->last_error) == -1 ||
	    dup_url_column(s, col + 9, &f->moved_to) == -1 ||
	    dup_column(s, col + 11, &f->held_etag) == -1 ||
	    dup_column(s, col + 12, &f->held_last_modified) == -1 ||
	    dup_column(s, col + 15, &f->next_why) == -1) {
		state_feed_clear(f);
		state_seterr(st, "feed: out of memory");
		return -1;
	}
	f->last_status = (long)sqlite3_column_int64(s, col + 3);
	f->last_poll = sqlite3_column_int64(s, col + 5);
	f->next_poll = sqlite3_column_int64(s, col + 6);
	f->failures = (unsigned)sqlite3_column_int64(s, col + 7);
	f->items_total = (uint64_t)sqlite3_column_int64(s, col + 8);
	f->held = sqlite3_column_int64(s, col + 10) != 0;
	f->gone = sqlite3_column_int64(s, col + 13) != 0;
	f->retry_until = sqlite3_column_int64(s, col + 14);
	f->asked = sqlite3_column_int64(s, col + 16);
	f->skip_hours = (uint32_t)sqlite3_column_int64(s, col + 17);
	f->skip_days = (uint8_t)sqlite3_column_int64(s, col + 18);
	f->cadence = sqlite3_column_int64(s, col + 19);
	f->polled_interval = (unsigned)sqlite3_column_int64(s, col + 20);
	f->moved_polls = (unsigned)sqlite3_column_int64(s, col + 21);
	f->polling_moved = sqlite3_column_int64(s, col + 22) != 0;
	return 0;
}

int
state_feed_load(struct state *st, const char *name, struct state_feed *out)
{
	sqlite3_stmt	*s = st->stmt[ST_FEED_LOAD];
	int		 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (bind_text(s, 1, name) != SQLITE_OK) {
		state_sqlerr(st, "feed load");
		goto out_reset;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc == SQLITE_ROW)
		ret = row_to_feed(st, s, 0, out);
	else
		state_sqlerr(st, "feed load");
 out_reset:
	stmt_done(s);
	return ret;
}

int
state_feed_save(struct state *st, const char *name,
    const struct state_feed *f)
{
	sqlite3_stmt	*s = st->stmt[ST_FEED_SAVE];
	int		 rc, lazy;

	rc = bind_text(s, 1, name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, f->url);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, f->etag);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, f->last_modified);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 5, f->last_status);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, f->last_error);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, f->last_poll);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 8, f->next_poll);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 9, f->failures);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 10, f->moved_to);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 11, f->held != 0);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 12, f->held ? f->held_etag : NULL);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 13, f->held ? f->held_last_modified : NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 14, f->gone != 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 15, f->retry_until);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 16, f->next_why);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 17, f->asked);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 18, f->skip_hours);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 19, f->skip_days);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 20, f->cadence);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 21, f->polled_interval);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 22, f->moved_polls);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 23, f->polling_moved != 0);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "feed save");
		stmt_done(s);
		return -1;
	}
	/*
	 * Outside a transaction, a feed's state is committed without an
	 * fsync of its own (NORMAL for this one commit): a poll that only
	 * learned "304" must not cost a flush.  A power cut can lose the
	 * update, and the worst that follows is one unconditional or early
	 * poll; it can never lose stories, since a WAL commit becomes
	 * durable only with the ones before it, and the next FULL commit
	 * (or checkpoint) takes this one along.
	 */
	lazy = sqlite3_get_autocommit(st->db);
	if (lazy && exec_sql(st, "PRAGMA synchronous = NORMAL",
	    "synchronous") == -1) {
		stmt_done(s);
		return -1;
	}
	rc = stmt_exec(st, ST_FEED_SAVE, "feed save");
	if (lazy && exec_sql(st, "PRAGMA synchronous = FULL",
	    "synchronous") == -1)
		rc = -1;
	return rc;
}

int
state_feed_foreach(struct state *st,
    int (*cb)(void *, const char *, const struct state_feed *), void *arg)
{
	sqlite3_stmt		*s = st->stmt[ST_FEED_LIST];
	struct state_feed	 f;
	int			 rc, stop, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name == NULL || row_to_feed(st, s, 1, &f) == -1) {
			if (name == NULL)
				state_seterr(st, "feed list: NULL name");
			ret = -1;
			break;
		}
		stop = cb(arg, name, &f) == -1;
		state_feed_clear(&f);
		if (stop)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		state_sqlerr(st, "feed list");
		ret = -1;
	}
	stmt_done(s);
	return ret;
}

/* Items */

int
state_item_status(struct state *st, const char *feed, const char *key,
    enum state_item_status *out)
{
	sqlite3_stmt	*s = st->stmt[ST_ITEM_STATUS];
	const char	*status;
	int		 rc, ret = -1;

	rc = bind_text(s, 1, feed);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, key);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "item status");
		goto out_reset;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		*out = STATE_ITEM_NEW;
		ret = 0;
	} else if (rc == SQLITE_ROW) {
		status = (const char *)sqlite3_column_text(s, 0);
		if (status != NULL && strcmp(status, "delivered") == 0)
			*out = STATE_ITEM_DELIVERED;
		else
			*out = STATE_ITEM_PENDING;
		ret = 0;
	} else
		state_sqlerr(st, "item status");
 out_reset:
	stmt_done(s);
	return ret;
}

static int
read_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;
	int		 fd;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		p += n;
		len -= (size_t)n;
	}
	if (len == 0)
		return 0;

	/* Old kernels without getrandom(2). */
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return 0;
}

int
state_new_id(char id[STATE_ID_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[STATE_ID_LEN / 2];
	size_t			 i;

	if (read_random(raw, sizeof(raw)) == -1)
		return -1;
	for (i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	id[STATE_ID_LEN] = '\0';
	return 0;
}

int
state_item_begin(struct state *st, const char *feed, const char *key,
    const char *id, int64_t first_seen, const char *spool_name,
    const char *json, uint64_t text_hash)
{
	sqlite3_stmt	*s;
	int		 rc;

	s = st->stmt[ST_FEED_ENSURE];
	if (bind_text(s, 1, feed) != SQLITE_OK) {
		state_sqlerr(st, "item begin");
		stmt_done(s);
		return -1;
	}
	if (stmt_exec(st, ST_FEED_ENSURE, "item begin") == -1)
		return -1;

	s = st->stmt[ST_ITEM_BEGIN];
	rc = bind_text(s, 1, feed);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, key);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, first_seen);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 5, spool_name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, json);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, (sqlite3_int64)text_hash);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "item begin");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_ITEM_BEGIN, "item begin");
}

/*
 * Marking an already delivered story again is harmless (the trigger only
 * counts the pending -> delivered change); an unknown id is an error.
 */
int
state_item_delivered(struct state *st, const char *id)
{
	sqlite3_stmt	*s = st->stmt[ST_ITEM_DELIVERED];

	if (bind_text(s, 1, id) != SQLITE_OK) {
		state_sqlerr(st, "item delivered");
		stmt_done(s);
		return -1;
	}
	if (stmt_exec(st, ST_ITEM_DELIVERED, "item delivered") == -1)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		state_seterr(st, "item delivered: unknown story id %s", id);
		return -1;
	}
	return 0;
}

int
state_pending_page(struct state *st, struct state_mark *after, size_t max,
    int (*cb)(void *, const struct state_pending_row *), void *arg)
{
	sqlite3_stmt			*s = st->stmt[ST_PENDING];
	struct state_pending_row	 row;
	int				 rc, ret = 0;

	if (max > INT64_MAX)
		max = INT64_MAX;
	if (sqlite3_bind_int64(s, 1, after->seen) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, after->row) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)max) != SQLITE_OK) {
		state_sqlerr(st, "pending");
		stmt_done(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = (const char *)sqlite3_column_text(s, 0);
		row.spool_name = (const char *)sqlite3_column_text(s, 1);
		row.json = (const char *)sqlite3_column_text(s, 2);
		row.page_done = sqlite3_column_int(s, 3) != 0;
		if (row.id == NULL || row.spool_name == NULL) {
			state_seterr(st, "pending: incomplete row");
			ret = -1;
			break;
		}
		after->seen = sqlite3_column_int64(s, 4);
		after->row = sqlite3_column_int64(s, 5);
		ret++;
		if (cb(arg, &row) == -1)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		state_sqlerr(st, "pending");
		ret = -1;
	}
	stmt_done(s);
	return ret;
}

int
state_pending(struct state *st,
    int (*cb)(void *, const struct state_pending_row *), void *arg)
{
	struct state_mark	 from = STATE_MARK_FIRST;

	return state_pending_page(st, &from, SIZE_MAX, cb, arg) == -1 ?
	    -1 : 0;
}

int
state_feeds_release(struct state *st)
{
	return stmt_exec(st, ST_FEEDS_RELEASE, "feeds release");
}

int
state_feed_release(struct state *st, const char *feed)
{
	sqlite3_stmt	*s = st->stmt[ST_FEED_RELEASE];

	if (bind_text(s, 1, feed) != SQLITE_OK) {
		state_sqlerr(st, "feed release");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_FEED_RELEASE, "feed release");
}

/* A statement taking a story id and its JSON. */
static int
item_with_story(struct state *st, enum stmt which, const char *what,
    const char *id, const char *json)
{
	sqlite3_stmt	*s = st->stmt[which];
	int		 rc;

	rc = bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, json);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, what);
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, which, what);
}

int
state_item_restory(struct state *st, const char *id, const char *json)
{
	return item_with_story(st, ST_ITEM_RESTORY, "item restory", id, json);
}

int
state_item_story(struct state *st, const char *id, const char *json)
{
	return item_with_story(st, ST_ITEM_STORY, "item story", id, json);
}

int
state_pending_count(struct state *st, size_t *n, int64_t *oldest)
{
	sqlite3_stmt	*s = st->stmt[ST_PENDING_COUNT];
	int		 ret = -1;

	*n = 0;
	*oldest = 0;
	if (sqlite3_step(s) != SQLITE_ROW)
		state_sqlerr(st, "pending count");
	else {
		*n = (size_t)sqlite3_column_int64(s, 0);
		*oldest = sqlite3_column_int64(s, 1);
		ret = 0;
	}
	stmt_done(s);
	return ret;
}

int
state_feed_last_new(struct state *st, const char *name, int64_t *t)
{
	sqlite3_stmt	*s = st->stmt[ST_FEED_LAST_NEW];
	int		 ret = -1;

	*t = 0;
	if (bind_text(s, 1, name) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		state_sqlerr(st, "feed last new");
	else {
		*t = sqlite3_column_int64(s, 0);	/* NULL: 0 */
		ret = 0;
	}
	stmt_done(s);
	return ret;
}

int
state_health_set(struct state *st, const char *what, const char *message,
    int64_t since)
{
	sqlite3_stmt	*s = st->stmt[ST_HEALTH_SET];
	int		 rc;

	rc = bind_text(s, 1, what);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, message);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, since);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "health set");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_HEALTH_SET, "health set");
}

int
state_health_clear(struct state *st, const char *what)
{
	sqlite3_stmt	*s = st->stmt[ST_HEALTH_CLEAR];

	if (bind_text(s, 1, what) != SQLITE_OK) {
		state_sqlerr(st, "health clear");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_HEALTH_CLEAR, "health clear");
}

int
state_health_get(struct state *st, const char *what, char **message,
    int64_t *since)
{
	sqlite3_stmt	*s = st->stmt[ST_HEALTH_GET];
	int		 rc, ret = -1;

	*message = NULL;
	*since = 0;
	if (bind_text(s, 1, what) != SQLITE_OK) {
		state_sqlerr(st, "health get");
		goto out_reset;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		state_sqlerr(st, "health get");
	else if (dup_column(s, 0, message) == -1)
		state_seterr(st, "health get: out of memory");
	else {
		*since = sqlite3_column_int64(s, 1);
		ret = *message != NULL;
	}
 out_reset:
	stmt_done(s);
	return ret;
}

/* Transactions */

int
state_begin(struct state *st)
{
	return stmt_exec(st, ST_BEGIN, "begin");
}

int
state_commit(struct state *st)
{
	return stmt_exec(st, ST_COMMIT, "commit");
}

int
state_begin_lazy(struct state *st)
{
	if (exec_sql(st, "PRAGMA synchronous = NORMAL", "synchronous") == -1)
		return -1;
	if (state_begin(st) == -1) {
		(void)exec_sql(st, "PRAGMA synchronous = FULL", "synchronous");
		return -1;
	}
	return 0;
}

int
state_commit_lazy(struct state *st)
{
	int	 rc;

	if ((rc = state_commit(st)) == -1)
		state_rollback(st);
	/* Keep the commit's error: it says what went wrong. */
	if (sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL) != SQLITE_OK && rc == 0) {
		state_sqlerr(st, "synchronous");
		rc = -1;
	}
	return rc;
}

void
state_rollback_lazy(struct state *st)
{
	state_rollback(st);
	(void)sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL);
}

void
state_rollback(struct state *st)
{
	/* Nothing to roll back is not worth reporting. */
	if (sqlite3_get_autocommit(st->db))
		return;
	(void)stmt_exec(st, ST_ROLLBACK, "rollback");
}

int
state_part_begin(struct state *st)
{
	return stmt_exec(st, ST_PART_BEGIN, "savepoint");
}

int
state_part_end(struct state *st, int ok)
{
	if (ok)
		return stmt_exec(st, ST_PART_RELEASE, "release");
	/* Keep the first error: it says what went wrong. */
	(void)sqlite3_step(st->stmt[ST_PART_UNDO]);
	stmt_done(st->stmt[ST_PART_UNDO]);
	(void)sqlite3_step(st->stmt[ST_PART_RELEASE]);
	stmt_done(st->stmt[ST_PART_RELEASE]);
	return -1;
}

/* Learning for boilerplate removal */

static int
learn_begin(struct state *st)
{
	return stmt_exec(st, ST_SAVEPOINT, "savepoint");
}

static int
learn_end(struct state *st, int ret)
{
	if (ret == 0)
		return stmt_exec(st, ST_RELEASE, "release");
	/* Keep the first error: it says what went wrong. */
	(void)sqlite3_step(st->stmt[ST_ROLLBACK_TO]);
	stmt_done(st->stmt[ST_ROLLBACK_TO]);
	(void)sqlite3_step(st->stmt[ST_RELEASE]);
	stmt_done(st->stmt[ST_RELEASE]);
	return -1;
}

/* Bind host and an integer, run, reset. */
static int
exec_host_int(struct state *st, enum stmt which, const char *host,
    int64_t v, const char *what)
{
	sqlite3_stmt	*s = st->stmt[which];
	int		 rc = SQLITE_OK, i = 1;

	if (host != NULL)
		rc = bind_text(s, i++, host);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, i, v);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, what);
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, which, what);
}

static int
title_add(struct state *st, const char *host, const char *tag, int64_t now)
{
	sqlite3_stmt	*s = st->stmt[ST_TITLE_ADD];
	int		 rc;

	rc = bind_text(s, 1, host);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, now);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, tag);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "title seen");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_TITLE_ADD, "title seen");
}

int
state_title_seen(struct state *st, const char *host, const char *tag,
    int64_t now)
{
	int	 ret;

	if (host == NULL) {
		state_seterr(st, "title seen: no host");
		return -1;
	}
	if (learn_begin(st) == -1)
		return -1;
	ret = title_add(st, host, tag, now);
	if (ret == 0)
		ret = exec_host_int(st, ST_TITLE_TRIM, host, LEARN_TITLES,
		    "title trim");
	if (ret == 0)
		ret = exec_host_int(st, ST_TITLE_EXPIRE, NULL, now - LEARN_AGE,
		    "title expire");
	return learn_end(st, ret);
}

/*
 * Whether v[i] ends a run of titles of one host, trimmed then: a host
 * trimmed again by a later run loses nothing more than by one trim at its
 * end (a trim only drops rows older than its newest LEARN_TITLES).
 */
static int
title_run_ends(const struct state_title *v, size_t n, size_t i)
{
	return i + 1 == n || v[i + 1].host == NULL ||
	    strcmp(v[i + 1].host, v[i].host) != 0;
}

int
state_titles_seen(struct state *st, const struct state_title *v, size_t n,
    int64_t now)
{
	size_t	 i;
	int	 ret;

	if (n == 0)
		return 0;
	if (learn_begin(st) == -1)
		return -1;
	for (i = 0, ret = 0; i < n && ret == 0; i++)
		if (v[i].host != NULL)
			ret = title_add(st, v[i].host, v[i].tag, now);
	/* A document's titles are mostly of one host: one trim for them. */
	for (i = 0; i < n && ret == 0; i++)
		if (v[i].host != NULL && title_run_ends(v, n, i))
			ret = exec_host_int(st, ST_TITLE_TRIM, v[i].host,
			    LEARN_TITLES, "title trim");
	if (ret == 0)
		ret = exec_host_int(st, ST_TITLE_EXPIRE, NULL, now - LEARN_AGE,
		    "title expire");
	return learn_end(st, ret);
}

void
state_strings_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The first column of every row, as a NULL-terminated array. */
static int
collect_strings(struct state *st, sqlite3_stmt *s, const char *what,
    char ***out)
{
	char	**v = NULL, **nv, *str;
	size_t	 n = 0;
	int	 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (dup_column(s, 0, &str) == -1 || str == NULL ||
		    (nv = reallocarray(v, n + 2, sizeof(*v))) == NULL) {
			free(str);
			state_seterr(st, "%s: out of memory", what);
			goto out_free;
		}
		v = nv;
		v[n++] = str;
		v[n] = NULL;
	}
	if (rc != SQLITE_DONE) {
		state_sqlerr(st, what);
		goto out_free;
	}
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL) {
		state_seterr(st, "%s: out of memory", what);
		goto out_free;
	}
	stmt_done(s);
	*out = v;
	return 0;

 out_free:
	stmt_done(s);
	state_strings_free(v);
	return -1;
}

int
state_title_tags(struct state *st, const char *host, char ***tags)
{
	sqlite3_stmt	*s = st->stmt[ST_TITLE_TAGS];
	int		 rc;

	*tags = NULL;
	rc = bind_text(s, 1, host);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 2, LEARN_TITLES);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, LEARN_TITLES_MIN);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "title tags");
		stmt_done(s);
		return -1;
	}
	return collect_strings(st, s, "title tags", tags);
}

static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int
line_add(struct state *st, int64_t page, const char *paragraph)
{
	sqlite3_stmt	*s = st->stmt[ST_LINE_ADD];
	char		*k;
	int		 rc, ret;

	if ((k = words_line_key(paragraph)) == NULL) {
		state_seterr(st, "lines seen: out of memory");
		return -1;
	}
	if (*k == '\0') {
		free(k);
		return 0;
	}
	rc = sqlite3_bind_int64(s, 1, page);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, k);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "lines seen");
		stmt_done(s);
		free(k);
		return -1;
	}
	ret = stmt_exec(st, ST_LINE_ADD, "lines seen");
	free(k);
	return ret;
}

static int
page_lines(struct state *st, const char *host, const char *const *paras,
    size_t n, int64_t now)
{
	int64_t	 page;
	size_t	 i, kept = 0;

	if (exec_host_int(st, ST_PAGE_ADD, host, now, "page seen") == -1)
		return -1;
	page = sqlite3_last_insert_rowid(st->db);
	for (i = 0; i < n && kept < LEARN_LINES; i++) {
		if (paras[i] == NULL ||
		    utf8_chars(paras[i]) >= LEARN_LINE_CHARS)
			continue;
		if (line_add(st, page, paras[i]) == -1)
			return -1;
		kept++;
	}
	if (exec_host_int(st, ST_PAGE_TRIM, host, LEARN_PAGES,
	    "page trim") == -1)
		return -1;
	return exec_host_int(st, ST_PAGE_EXPIRE, NULL, now - LEARN_AGE,
	    "page expire");
}

int
state_lines_seen(struct state *st, const char *host,
    const char *const *paragraphs, size_t n, int64_t now)
{
	if (host == NULL) {
		state_seterr(st, "lines seen: no host");
		return -1;
	}
	if (learn_begin(st) == -1)
		return -1;
	return learn_end(st, page_lines(st, host, paragraphs, n, now));
}

int
state_recurring_lines(struct state *st, const char *host, char ***lines)
{
	sqlite3_stmt	*s = st->stmt[ST_LINES_RECURRING];
	int		 rc;

	*lines = NULL;
	rc = bind_text(s, 1, host);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 2, LEARN_PAGES);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, LEARN_PAGES_MIN);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 4, LEARN_PAGES_PCT);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "recurring lines");
		stmt_done(s);
		return -1;
	}
	return collect_strings(st, s, "recurring lines", lines);
}

/* Fingerprints */

#define MINHASH_BYTES	(DEDUP_MINHASH * 4)

static void
minhash_pack(const uint32_t *mh, unsigned char *out)
{
	size_t	 i;

	for (i = 0; i < DEDUP_MINHASH; i++) {
		out[4 * i] = (unsigned char)mh[i];
		out[4 * i + 1] = (unsigned char)(mh[i] >> 8);
		out[4 * i + 2] = (unsigned char)(mh[i] >> 16);
		out[4 * i + 3] = (unsigned char)(mh[i] >> 24);
	}
}

static void
minhash_unpack(const unsigned char *in, uint32_t *mh)
{
	size_t	 i;

	for (i = 0; i < DEDUP_MINHASH; i++)
		mh[i] = (uint32_t)in[4 * i] |
		    (uint32_t)in[4 * i + 1] << 8 |
		    (uint32_t)in[4 * i + 2] << 16 |
		    (uint32_t)in[4 * i + 3] << 24;
}

int
state_fp_save(struct state *st, const char *id, int64_t time,
    const struct dedup_fp *fp, const char *url)
{
	sqlite3_stmt	*s = st->stmt[ST_FP_SAVE];
	unsigned char	 blob[MINHASH_BYTES];
	int		 rc;

	minhash_pack(fp->minhash, blob);
	rc = bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, time);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, (int64_t)fp->simhash);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, 4, blob, sizeof(blob),
		    SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 5, (int64_t)fp->text_hash);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 6, (int64_t)fp->title_hash);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, fp->nshingles);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 8, url);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, 9, fp->sketch, sizeof(fp->sketch),
		    SQLITE_TRANSIENT);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "fingerprint save");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_FP_SAVE, "fingerprint save");
}

/* A row of ST_FP_LOAD as a fingerprint; -1 for a damaged row. */
static int
row_to_fp(sqlite3_stmt *s, struct dedup_fp *fp)
{
	const void	*blob;
	int64_t		 n;

	memset(fp, 0, sizeof(*fp));
	blob = sqlite3_column_blob(s, 3);
	if (blob == NULL || sqlite3_column_bytes(s, 3) != MINHASH_BYTES)
		return -1;
	n = sqlite3_column_int64(s, 6);
	if (n < 0 || n > UINT32_MAX)
		return -1;
	fp->simhash = (uint64_t)sqlite3_column_int64(s, 2);
	minhash_unpack(blob, fp->minhash);
	fp->text_hash = (uint64_t)sqlite3_column_int64(s, 4);
	fp->title_hash = (uint64_t)sqlite3_column_int64(s, 5);
	fp->nshingles = (uint32_t)n;
	/* None yet (a row from before schema 9): an empty sketch, unknown. */
	blob = sqlite3_column_blob(s, 8);
	if (blob == NULL)
		memset(fp->sketch, DEDUP_SKETCH_EMPTY, sizeof(fp->sketch));
	else if (sqlite3_column_bytes(s, 8) == DEDUP_SKETCH)
		memcpy(fp->sketch, blob, DEDUP_SKETCH);
	else
		return -1;
	return 0;
}

int
state_fp_load(struct state *st, int64_t since,
    int (*cb)(void *, const char *, int64_t, const struct dedup_fp *,
    const char *), void *arg)
{
	sqlite3_stmt	*s = st->stmt[ST_FP_LOAD];
	struct dedup_fp	 fp;
	const char	*id;
	int		 rc, ret = 0;

	if (sqlite3_bind_int64(s, 1, since) != SQLITE_OK) {
		state_sqlerr(st, "fingerprint load");
		stmt_done(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(s, 0);
		if (id == NULL || row_to_fp(s, &fp) == -1) {
			state_seterr(st, "fingerprint load: damaged row");
			ret = -1;
			break;
		}
		if (cb(arg, id, sqlite3_column_int64(s, 1), &fp,
		    (const char *)sqlite3_column_text(s, 7)) == -1)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		state_sqlerr(st, "fingerprint load");
		ret = -1;
	}
	stmt_done(s);
	return ret;
}

int
state_fp_by_url(struct state *st, const char *url,
    char id[STATE_ID_LEN + 1])
{
	sqlite3_stmt	*s = st->stmt[ST_FP_BY_URL];
	const char	*p;
	int		 rc, ret = -1;

	if (bind_text(s, 1, url) != SQLITE_OK) {
		state_sqlerr(st, "fingerprint by url");
		goto out_reset;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		state_sqlerr(st, "fingerprint by url");
	else if ((p = (const char *)sqlite3_column_text(s, 0)) == NULL ||
	    strlen(p) > STATE_ID_LEN)
		state_seterr(st, "fingerprint by url: bad story id");
	else {
		memcpy(id, p, strlen(p) + 1);
		ret = 1;
	}
 out_reset:
	stmt_done(s);
	return ret;
}

int
state_fp_sketch(struct state *st, const char *id, uint8_t *sketch,
    size_t len)
{
	sqlite3_stmt	*s = st->stmt[ST_FP_SKETCH];
	const void	*blob;
	int		 rc, ret = -1;

	if (bind_text(s, 1, id) != SQLITE_OK) {
		state_sqlerr(st, "fingerprint sketch");
		goto out_reset;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		state_sqlerr(st, "fingerprint sketch");
	else if ((blob = sqlite3_column_blob(s, 0)) == NULL)
		ret = 0;	/* a row from before schema 9 */
	else if ((size_t)sqlite3_column_bytes(s, 0) != len)
		state_seterr(st, "fingerprint sketch: damaged row");
	else {
		memcpy(sketch, blob, len);
		ret = 1;
	}
 out_reset:
	stmt_done(s);
	return ret;
}

int
state_fp_expire(struct state *st, int64_t before)
{
	sqlite3_stmt	*s = st->stmt[ST_FP_EXPIRE];

	if (sqlite3_bind_int64(s, 1, before) != SQLITE_OK) {
		state_sqlerr(st, "fingerprint expire");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_FP_EXPIRE, "fingerprint expire");
}

/* Sightings */

int
state_sighting_add(struct state *st, const char *id, const char *feed,
    const char *url, int64_t seen)
{
	sqlite3_stmt	*s = st->stmt[ST_SIGHTING_ADD];
	int		 rc;

	rc = bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, feed);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, url);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 4, seen);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "sighting add");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_SIGHTING_ADD, "sighting add");
}

int
state_sightings(struct state *st, const char *id,
    int (*cb)(void *, const char *, const char *, int64_t), void *arg)
{
	sqlite3_stmt	*s = st->stmt[ST_SIGHTINGS];
	const char	*feed;
	int		 rc, ret = 0;

	if (bind_text(s, 1, id) != SQLITE_OK) {
		state_sqlerr(st, "sightings");
		stmt_done(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((feed = (const char *)sqlite3_column_text(s, 0)) == NULL) {
			state_seterr(st, "sightings: NULL feed");
			ret = -1;
			break;
		}
		if (cb(arg, feed, (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int64(s, 2)) == -1)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		state_sqlerr(st, "sightings");
		ret = -1;
	}
	stmt_done(s);
	return ret;
}

/* Revisions */

int
state_item_hash(struct state *st, const char *feed, const char *key,
    struct state_item_rev *out)
{
	sqlite3_stmt	*s = st->stmt[ST_ITEM_HASH];
	const char	*id, *status;
	int		 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	rc = bind_text(s, 1, feed);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, key);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "item hash");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		state_sqlerr(st, "item hash");
		goto out;
	}
	out->text_hash = (uint64_t)sqlite3_column_int64(s, 0);
	id = (const char *)sqlite3_column_text(s, 1);
	if (id != NULL && strlen(id) <= STATE_ID_LEN)
		memcpy(out->id, id, strlen(id) + 1);
	out->revision = (unsigned)sqlite3_column_int(s, 2);
	status = (const char *)sqlite3_column_text(s, 3);
	out->delivered = status != NULL && strcmp(status, "delivered") == 0;
	ret = 1;
out:
	stmt_done(s);
	return ret;
}

int
state_item_set_hash(struct state *st, const char *id, uint64_t hash)
{
	sqlite3_stmt	*s = st->stmt[ST_ITEM_SET_HASH];
	int		 rc;

	rc = bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, (sqlite3_int64)hash);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "item hash");
		stmt_done(s);
		return -1;
	}
	return stmt_exec(st, ST_ITEM_SET_HASH, "item hash");
}

int
state_item_revise(struct state *st, const char *feed, const char *key,
    const char *id, int64_t first_seen, const char *spool_name,
    const char *json, uint64_t hash, unsigned revision)
{
	sqlite3_stmt	*s = st->stmt[ST_ITEM_REVISE];
	int		 rc;

	rc = bind_text(s, 1, feed);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, key);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 4, first_seen);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 5, spool_name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, json);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, (sqlite3_int64)hash);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 8, (int)revision);
	if (rc != SQLITE_OK) {
		state_sqlerr(st, "item revise");
		stmt_done(s);
		return -1;
	}
	if (stmt_exec(st, ST_ITEM_REVISE, "item revise") == -1)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		state_seterr(st, "item revise: %s: no delivered item", feed);
		return -1;
	}
	return 0;
}

int
state_story_info(struct state *st, const char *id, struct state_story *out)
{
	sqlite3_stmt	*s = st->stmt[ST_STORY_INFO];
	int		 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (bind_text(s, 1, id) != SQLITE_OK) {
		state_sqlerr(st, "story");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		state_sqlerr(st, "story");
		goto out;
	}
	if (dup_column(s, 0, &out->feed) == -1 ||
	    dup_column(s, 1, &out->key) == -1 ||
	    dup_column(s, 3, &out->spool_name) == -1) {
		/* caught below; the feed copied before goes too */
		free(out->feed);
		out->feed = NULL;
	}
	out->first_seen = sqlite3_column_int64(s, 2);
	out->delivered = sqlite3_column_text(s, 4) != NULL &&
	    strcmp((const char *)sqlite3_column_text(s, 4), "delivered") == 0;
	out->revision = (unsigned)sqlite3_column_int(s, 5);
	if (out->feed == NULL || out->key == NULL || out->spool_name == NULL) {
		state_story_clear(out);
		state_seterr(st, "story: out of memory");
		goto out;
	}
	ret = 1;
out:
	stmt_done(s);
	return ret;
}

void
state_story_clear(struct state_story *s)
{
	free(s->feed);
	free(s->key);
	free(s->spool_name);
	memset(s, 0, sizeof(*s));
}
