/*
 * state: the daemon's SQLite database (WAL mode, schema versioned with
 * PRAGMA user_version).  It remembers per feed the validators and health of
 * the last poll, and per item whether its story was delivered to the spool.
 *
 * Delivery protocol (crash safety): state_item_begin() stores a new item as
 * pending, with its story id and spool name, and with the story JSON unless
 * the caller commits the row only once the story's file is durable in the
 * spool's tmp/ (then the file is the story: no need to write it twice);
 * state_item_delivered() marks it delivered after the spool's rename.
 * After a crash, state_pending() hands back every pending story, to be
 * delivered again under the same name from its JSON, or, without one, its
 * file moved from tmp/ to new/ (or found there already).
 */
#ifndef FEEDSPOOL_STATE_H
#define FEEDSPOOL_STATE_H

#include <stddef.h>
#include <stdint.h>

struct state;

#define STATE_ID_LEN	16	/* story ids: 16 lower-case hex digits */

struct state_feed {
	char		*url;
	char		*etag;		/* exactly as received, or NULL */
	char		*last_modified;	/* exactly as received, or NULL */
	long		 last_status;	/* HTTP status, 0 when no answer */
	char		*last_error;	/* NULL when the last poll was good */
	int64_t		 last_poll;	/* unix seconds, 0 if never */
	int64_t		 next_poll;	/* unix seconds, 0 if unknown */
	unsigned	 failures;	/* consecutive failed polls */
	uint64_t	 items_total;	/* stories delivered, all time */
	char		*moved_to;	/* where permanent redirects led the
					   last good poll, or NULL */
	/*
	 * The validators of the last answer, held back while stories of it
	 * are pending (state_feeds_release() makes them etag and
	 * last_modified): a feed asked again with them could answer 304
	 * before its stories are in the spool.
	 */
	int		 held;
	char		*held_etag;
	char		*held_last_modified;
	/* What decides the next request, kept across restarts. */
	int		 gone;		/* answered 410: not polled */
	int64_t		 retry_until;	/* unix seconds: Retry-After / 429 */
	char		*next_why;	/* nextpoll_why_name(), or NULL */
	int64_t		 asked;		/* the feed's ttl / sy:, seconds */
	uint32_t	 skip_hours;	/* the feed's skipHours, bit h */
	uint8_t		 skip_days;	/* skipDays, bit d, 0 = Sunday */
	int64_t		 cadence;	/* learned pace, seconds, 0 unknown */
	unsigned	 polled_interval; /* interval next_poll came from */
	unsigned	 moved_polls;	/* polls in a row ending at moved_to
					   by permanent redirects */
	int		 polling_moved;	/* requests go to moved_to */
};

enum state_item_status {
	STATE_ITEM_NEW,		/* never seen */
	STATE_ITEM_PENDING,	/* begun, not yet known to be in the spool */
	STATE_ITEM_DELIVERED
};

int	 state_open(const char *path, struct state **out, char *err,
	    size_t errlen);
void	 state_close(struct state *);
/* The last SQLite error message, for logging. */
const char *state_errmsg(struct state *);

/* Feeds. state_feed_load() zeroes *out for a feed never seen (returns 0). */
int	 state_feed_load(struct state *, const char *name,
	    struct state_feed *out);
int	 state_feed_save(struct state *, const char *name,
	    const struct state_feed *);
void	 state_feed_clear(struct state_feed *);
/* Every feed known to the database, in name order; cb returning -1 stops. */
int	 state_feed_foreach(struct state *,
	    int (*cb)(void *, const char *name, const struct state_feed *),
	    void *arg);

/*
 * When the feed last brought a new item (its newest first_seen, unix
 * seconds; 0 when none), for `feedspool status`.
 */
int	 state_feed_last_new(struct state *, const char *name, int64_t *t);

/* Items, by (feed name, item key). */
int	 state_item_status(struct state *, const char *feed, const char *key,
	    enum state_item_status *out);
/*
 * Record a new item as pending.  A fresh random story id is written into
 * id (STATE_ID_LEN + 1 bytes); spool_name, json and the text hash of its
 * content (0: unknown, as state_item_set_hash() takes it) are stored with
 * it.  The caller builds json with the id: see state_new_id().
 */
int	 state_new_id(char id[STATE_ID_LEN + 1]);
int	 state_item_begin(struct state *, const char *feed, const char *key,
	    const char *id, int64_t first_seen, const char *spool_name,
	    const char *json, uint64_t text_hash);
int	 state_item_delivered(struct state *, const char *id);
/* A pending item's story JSON, stored after all: it is to wait. */
int	 state_item_story(struct state *, const char *id, const char *json);
/* A pending story as stored. */
struct state_pending_row {
	const char	*id;
	const char	*spool_name;
	const char	*json;		/* NULL: its file is the story */
	int		 page_done;	/* its page was tried (restory) */
};
/* Every pending story, oldest first; cb returning -1 stops. */
int	 state_pending(struct state *,
	    int (*cb)(void *, const struct state_pending_row *), void *arg);
/* Where a walk of the pending stories is: after the one read last. */
struct state_mark {
	int64_t		 seen;		/* its first_seen */
	int64_t		 row;		/* its rowid */
};
#define STATE_MARK_FIRST	{ INT64_MIN, INT64_MIN }
/*
 * At most max of them, from the one after *after on, which is moved to
 * the last one read: a walk in pages holds one page in memory, and rows
 * left pending behind it are not read again.  Returns how many were
 * read (cb included the one that stopped it), or -1.
 */
int	 state_pending_page(struct state *, struct state_mark *after,
	    size_t max, int (*cb)(void *, const struct state_pending_row *),
	    void *arg);

/* Pending stories: how many, and the first_seen of the oldest (0: none). */
int	 state_pending_count(struct state *, size_t *n, int64_t *oldest);
/*
 * A pending item's page was tried: its story JSON is replaced by json (the
 * story completed by its page) unless json is NULL, and page_done is set.
 * A delivered or unknown id is left alone.
 */
int	 state_item_restory(struct state *, const char *id, const char *json);
/*
 * Held validators become the feeds' own where no story of the feed is
 * pending any more.  Run in the transaction that delivers.
 */
int	 state_feeds_release(struct state *);
/* The same for one feed (whose stories were just delivered). */
int	 state_feed_release(struct state *, const char *feed);

/*
 * The daemon's own problems by name ("spool"), for `feedspool status`:
 * set keeps the since of a problem already recorded; get returns 1 with
 * *message malloc'd, 0 when there is none, -1 on error.
 */
int	 state_health_set(struct state *, const char *what,
	    const char *message, int64_t since);
int	 state_health_clear(struct state *, const char *what);
int	 state_health_get(struct state *, const char *what, char **message,
	    int64_t *since);

/*
 * Learning for boilerplate removal (parsers/boiler.h), per host, bounded:
 * the last 20 titles and 50 pages of each host, nothing older than 90
 * days.  Each call is atomic (a savepoint), inside state_begin() or not.
 *
 * state_title_seen() records one title of host and its candidate tag
 * (boiler_title_tag(): the segment without its separator, "ltc-a"; NULL
 * for a title without one).  state_title_tags() gives the tags carried by
 * at least half of the host's last 20 titles, once it has 3, most common
 * first, in the same form: boiler_title() takes them as they are.
 */
int	 state_title_seen(struct state *, const char *host, const char *tag,
	    int64_t now);
/*
 * The same for many titles at once (a document's), in one savepoint,
 * each host trimmed once after its last: what is kept is what as many
 * state_title_seen() calls keep.  A title without a host is skipped.
 */
struct state_title {
	const char	*host;
	const char	*tag;		/* or NULL */
};
int	 state_titles_seen(struct state *, const struct state_title *,
	    size_t n, int64_t now);
int	 state_title_tags(struct state *, const char *host, char ***tags);
/*
 * state_lines_seen() records one page of host: each of its paragraphs
 * shorter than 200 characters counts once (the first 100 of them), in
 * the form of words_line_key().  state_recurring_lines() gives the lines
 * seen on at least 3 distinct pages and on at least 30% of the host's
 * recent pages, as keys (boiler_body() takes them as they are).
 */
int	 state_lines_seen(struct state *, const char *host,
	    const char *const *paragraphs, size_t n, int64_t now);
int	 state_recurring_lines(struct state *, const char *host,
	    char ***lines);
/* Results of the two above: NULL-terminated, malloc'd; NULL is fine. */
void	 state_strings_free(char **);

/*
 * Duplicate detection (see store/dedup.h).  A story's fingerprint, with
 * its time and canonical URL (may be NULL); saving again replaces it.
 * state_fp_load() hands back every fingerprint with time >= since, oldest
 * first, to fill the index at start; cb returning -1 stops.
 * state_fp_by_url() finds the oldest story with that canonical URL:
 * 1 and id filled, 0 when none, -1 on error.
 */
struct dedup_fp;
int	 state_fp_save(struct state *, const char *id, int64_t time,
	    const struct dedup_fp *, const char *url);
int	 state_fp_load(struct state *, int64_t since,
	    int (*cb)(void *, const char *id, int64_t time,
	    const struct dedup_fp *, const char *url), void *arg);
int	 state_fp_by_url(struct state *, const char *url,
	    char id[STATE_ID_LEN + 1]);
int	 state_fp_expire(struct state *, int64_t before);
/*
 * The sketch saved with story id (len bytes, DEDUP_SKETCH): 1, or 0 when
 * the story has none (no row, or one saved before sketches), -1 on error.
 */
int	 state_fp_sketch(struct state *, const char *id, uint8_t *sketch,
	    size_t len);

/*
 * Every place a story was seen: its own delivery and each duplicate
 * (feed, item URL, unix seconds), oldest first for state_sightings().
 */
int	 state_sighting_add(struct state *, const char *id, const char *feed,
	    const char *url, int64_t seen);
int	 state_sightings(struct state *, const char *id,
	    int (*cb)(void *, const char *feed, const char *url,
	    int64_t seen), void *arg);

/*
 * Updates of an item's own text (updates = emit).  state_item_hash() gives
 * the item's text hash, current story id and revision: 1 when the item is
 * known, 0 when not.  state_item_revise() turns a delivered item into a new
 * pending story (the next revision), like state_item_begin().
 */
struct state_item_rev {
	uint64_t	 text_hash;	/* 0: unknown */
	char		 id[STATE_ID_LEN + 1];
	unsigned	 revision;
	int		 delivered;
};
int	 state_item_hash(struct state *, const char *feed, const char *key,
	    struct state_item_rev *);
int	 state_item_set_hash(struct state *, const char *id, uint64_t hash);
int	 state_item_revise(struct state *, const char *feed, const char *key,
	    const char *id, int64_t first_seen, const char *spool_name,
	    const char *json, uint64_t hash, unsigned revision);

/* What the state knows of one story (feedspool story ID). */
struct state_story {
	char		*feed;
	char		*key;
	int64_t		 first_seen;
	char		*spool_name;
	int		 delivered;
	unsigned	 revision;
};
/* 1 and *out filled, 0 when no such story, -1 on error. */
int	 state_story_info(struct state *, const char *id, struct state_story *);
void	 state_story_clear(struct state_story *);

/* Group many writes into one transaction. */
int	 state_begin(struct state *);
int	 state_commit(struct state *);
/*
 * A transaction whose commit is not flushed (synchronous=NORMAL), for
 * feed state alone (see state_feed_save()): durable with the next FULL
 * commit.  state_commit_lazy() ends it (rolled back when the commit
 * fails) and makes commits FULL again.
 */
int	 state_begin_lazy(struct state *);
int	 state_commit_lazy(struct state *);
/* Or undoes it (the error that led here kept for state_errmsg()). */
void	 state_rollback_lazy(struct state *);
void	 state_rollback(struct state *);
/*
 * A part of the transaction begun, that can be undone alone:
 * state_part_end() keeps it (ok set; returns 0, or -1) or undoes it (ok
 * unset; returns -1, the first error kept for state_errmsg()).
 */
int	 state_part_begin(struct state *);
int	 state_part_end(struct state *, int ok);

#endif
