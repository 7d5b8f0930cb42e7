/*
 * ingest: turn a fetched feed document into delivered stories.
 *
 * For every item not seen before: a story id and a struct story from the
 * feed; the pending rows of the whole document in one transaction (before
 * anything touches the spool).  Then each story is either delivered with
 * the others of its batch, or, when its web page is to be fetched, handed
 * to the caller as a struct ingest_page, and ingest_page_done() delivers
 * it once the page is in (or failed).
 *
 * A batch is delivered as one step: the duplicate checks and the rows
 * that mark its stories delivered go into one open transaction; the files
 * are written to tmp/, flushed together (one syncfs), renamed into new/,
 * new/ is fsynced once; only then is the transaction committed.  A crash
 * anywhere leaves either nothing or pending rows that ingest_pending()
 * delivers again under the same names.
 *
 * A delivery that fails (a full or read-only spool, say) leaves its
 * stories pending, and from then on no delivery is tried but
 * ingest_pending(): the caller decides when (ingest_health() says why and
 * since when).  Stories that wait meanwhile stay in the state store, with
 * their page when one came: nothing waits in memory.
 */
#ifndef FEEDSPOOL_INGEST_H
#define FEEDSPOOL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/feed.h"

struct state;
struct spool;
struct dedup_index;
struct story;
struct ingest;
struct ingest_page_work;

#define INGEST_NAME_MAX	64

/* A story begun, waiting for its web page. */
struct ingest_page {
	char		 id[17];		/* STATE_ID_LEN + 1 */
	char		 name[INGEST_NAME_MAX];	/* in the spool */
	char		*feed;			/* the feed's name */
	char		*url;			/* the page */
	char		*host;			/* of url */
	struct story	*story;			/* from the feed */
	int		 dup_mark;		/* spool duplicates, marked */
	struct ingest	*owner;			/* knows it is out */
	uint64_t	 url_key;		/* its link, when it is the one
						   out for it */
};

/* Takes the page (returns 0), or refuses it (-1: deliver at once). */
typedef int	(*ingest_page_fn)(void *, struct ingest_page *);

struct ingest_feed {
	const char	*name;
	const char	*url;
	ingest_page_fn	 page_fn;	/* NULL: no pages are fetched */
	void		*page_arg;
	int		 dup_mark;	/* duplicates spooled with duplicate_of
					   (else recorded, not spooled) */
	int		 updates_emit;	/* a changed item becomes a new story */
};

/* What became of a story at its delivery. */
enum ingest_fate {
	INGEST_DELIVERED,
	INGEST_DUP_DROPPED,	/* a duplicate, recorded as a sighting */
	INGEST_DUP_MARKED,	/* a duplicate, spooled with duplicate_of */
	INGEST_KEPT,		/* pending: deliveries are failing */
	INGEST_WATCH_DROPPED	/* not spooled (keep/drop), recorded */
};

/* A story not spooled: a duplicate dropped, or dropped by its watches. */
#define INGEST_FATE_DROPPED(f)	((f) == INGEST_DUP_DROPPED || \
				 (f) == INGEST_WATCH_DROPPED)

/* Whether deliveries fail, and why: ingest_pending() is to try again. */
struct ingest_health {
	int		 failing;	/* the last delivery failed */
	int		 error;		/* its errno (ENOSPC, EROFS...), or 0
					   when it was not the spool's */
	int64_t		 since;		/* unix seconds, first failure in a row */
	size_t		 waiting;	/* pending stories, as last counted */
	int64_t		 oldest;	/* first_seen of the oldest of them */
	char		 message[512];	/* the last failure, naming its story
					   and feed */
};

struct ingest_counts {
	size_t		 items;		/* items in the document */
	size_t		 fresh;		/* new stories, delivered or waiting */
	size_t		 waiting;	/* of which are to wait for their page */
	size_t		 revised;	/* of which revise an earlier story */
	const char	*version;	/* format read, static string */
	int		 recovered;	/* document was not well-formed */
	size_t		 entities_dropped;	/* references left out */
	char		 entity[FEED_ENTITY_NAME_MAX + 1];	/* the first */
	const char	*entity_why;	/* why it was, static string */
	size_t		 attrs_dropped;	/* attributes over the caps */
	struct feed_schedule schedule;	/* what the publisher asks */
	int64_t		 cadence;	/* seconds, from the items' dates
					   (nextpoll_cadence), 0 unknown */
};

/*
 * Told of each story ingest_flush() delivered, or found a duplicate, and
 * then why (a static string: "same URL", a dedup verdict name), else NULL.
 */
typedef void	(*ingest_fate_fn)(void *, const struct story *,
		    enum ingest_fate, const char *why);

/*
 * The context of every call: where stories are recorded and spooled, the
 * index of recent stories the duplicate checks use (NULL: none), and who
 * is told what became of each story a flush delivered (fn may be NULL).
 */
struct ingest	*ingest_new(struct state *, struct spool *,
		    struct dedup_index *, ingest_fate_fn, void *);
/*
 * The index is filled by load(arg) when a story is first judged, not
 * before: a run whose polls bring nothing new (all 304) never reads it.
 * load returns 0, or -1 with the state's error set.
 */
void		 ingest_defer_dups(struct ingest *, int (*load)(void *),
		    void *arg);
/*
 * Told of each story file once it is durable in new/ and its row is
 * committed delivered (a fresh batch, a page's, one delivered again, one
 * adopted from tmp/ after a crash): its id, its feed's name (NULL for an
 * adopted one: the file says) and its name in the spool.  At most once
 * per story, unless the state store failed to record it delivered.
 */
typedef void	(*ingest_spooled_fn)(void *, const char *id, const char *feed,
		    const char *name);
void		 ingest_on_spooled(struct ingest *, ingest_spooled_fn, void *);
/*
 * Matches s against the watch terms when it is judged for delivery (its
 * page merged, so its text final) and records what matched in it: 1 when
 * it is not to be spooled (keep/drop), 0 when it is, -1 out of memory.
 */
typedef int	(*ingest_watch_fn)(void *, struct story *);
void		 ingest_set_watch(struct ingest *, ingest_watch_fn, void *);
/* Documents not flushed are dropped (their rows were never committed). */
void		 ingest_free(struct ingest *);

/*
 * Parse and store.  The document's stories are recorded pending in the
 * transaction the first document since the last flush began (state writes
 * of the caller's until then, a feed's validators, join it), and wait for
 * ingest_flush(), which the caller runs once the documents that came in
 * together are all in: one commit and one spool batch for all of them.
 * Returns 0; -1 with err set when the document is not a feed; -2 with err
 * set when the state store failed (this document is undone; the others
 * stay).  Duplicates are known at the flush (ingest_fate_fn).
 */
int	 ingest_document(struct ingest *, const struct ingest_feed *,
	    const char *body, size_t len, const char *base, const char *charset,
	    int64_t now_ms, struct ingest_counts *, char *err, size_t errlen);

/*
 * ingest_document() in steps, so that the two that need no state run on a
 * worker thread (daemon/work.h), the others on the loop's:
 *
 *   ingest_prep_new()    loop    the feed's names copied; body is the
 *                                caller's until ingest_prep_free()
 *   ingest_prep_parse()  worker  the document read, each item's key
 *   ingest_prep_plan()   loop    titles learned; which items want a
 *                                story: 1 some, 0 none, -1 not a feed,
 *                                -2 the state store failed (err set)
 *   ingest_prep_build()  worker  those stories built and dumped
 *   ingest_prep_store()  loop    as ingest_document() from its parse on
 *
 * The store reads the items' rows again, and builds a story itself where
 * the plan's is not the one wanted any more (a page came in between).
 */
struct ingest_prep;
struct ingest_prep *ingest_prep_new(const struct ingest_feed *,
	    const char *body, size_t len, const char *base, const char *charset,
	    int64_t now_ms);
void	 ingest_prep_parse(struct ingest_prep *);
int	 ingest_prep_plan(struct ingest *, const struct ingest_feed *,
	    struct ingest_prep *, struct ingest_counts *, char *err,
	    size_t errlen);
void	 ingest_prep_build(struct ingest_prep *);
int	 ingest_prep_store(struct ingest *, const struct ingest_feed *,
	    struct ingest_prep *, struct ingest_counts *, char *err,
	    size_t errlen);
void	 ingest_prep_free(struct ingest_prep *);

/*
 * Commit the documents' rows, then hand over the stories whose pages are
 * to be fetched and deliver the others as one batch (or, while deliveries
 * fail, leave them pending).  Returns 0, or -2 with err set: when the
 * commit failed nothing of the documents was stored (they are read again
 * at their next poll); when the delivery failed the stories stay pending
 * (ingest_pending() delivers them).
 */
int	 ingest_flush(struct ingest *, char *err, size_t errlen);
/*
 * The caller's next state writes (a feed's state after a 304, say) join
 * the transaction of the next flush instead of a commit of their own:
 * the polls that end together cost one flush.  0, or -1 (they commit
 * alone then).
 */
int	 ingest_hold(struct ingest *);
/*
 * What waits for ingest_flush(): its stories (0 with only state writes
 * open), and in *bytes the size of their rows.  Whether anything does.
 */
int	 ingest_unflushed(const struct ingest *, size_t *stories,
	    size_t *bytes);

/* A finished page: its body (NULL when the fetch failed) and whence. */
struct ingest_page_result {
	const char	*html;
	size_t		 len;
	const char	*final_url;	/* after redirects, or NULL */
	const char	*charset;	/* from the HTTP Content-Type, or NULL */
	/* Merged into the story by a worker already, or NULL. */
	struct ingest_page_work *work;
	int		 deferred;	/* not fetched, to be fetched later */
	int		 used;		/* out: the page's text won */
	enum ingest_fate fate;		/* out */
	const char	*why;		/* out: a duplicate's reason (static) */
};

/*
 * The pages of v[0..n-1] arrived or failed (r[i].html NULL): merge what each
 * gives into its story and deliver them as one batch, each unless it is a
 * duplicate of a story in the index.  Sets used and fate of each r[i].
 * While deliveries fail, or when this one does, the stories completed by
 * their pages replace their pending rows (fate INGEST_KEPT) and 1 is
 * returned, with err set when it was this delivery that failed.  Returns
 * 0 when the batch was delivered, -2 with err set when the state store
 * failed (the stories stay pending as the feed gave them).  Flushes the
 * documents first.  Does not free the pages.
 */
int	 ingest_pages_done(struct ingest *, struct ingest_page *const *v,
	    struct ingest_page_result *r, size_t n, char *err, size_t errlen);
void	 ingest_page_free(struct ingest_page *);

/*
 * The part of a page's merge that needs no state, for a worker thread
 * (daemon/work.h): ingest_page_work_new() on the loop takes what the
 * page's host taught so far (html, the fetch's, must outlive it);
 * ingest_page_work_run() on a worker extracts the page and completes
 * p->story with it, which is the worker's meanwhile; the work then goes
 * to ingest_pages_done() in its page's result, which learns the page's
 * lines and delivers.  NULL when out of memory or the store failed: the
 * merge is then ingest_pages_done()'s.
 */
struct ingest_page_work *ingest_page_work_new(struct ingest *,
	    struct ingest_page *, const char *html, size_t len,
	    const char *final_url, const char *charset);
void	 ingest_page_work_run(struct ingest_page_work *);
void	 ingest_page_work_free(struct ingest_page_work *);

/* How ingest_pending() treats the stories it reads back. */
struct ingest_resume {
	/*
	 * Takes a story still without its page (0), or refuses it (-1: it
	 * goes as it is); NULL: all go as they are.
	 */
	ingest_page_fn	 page_fn;
	/* Whether duplicates of this feed are spooled marked (NULL: no). */
	int		(*dup_mark_fn)(void *, const char *feed);
	void		*arg;
};

/*
 * Deliver every pending story (after a crash or failed deliveries) but
 * those out for their page, judged again as one batch, after handing to
 * r->page_fn those that still wait for their page.  Flushes the documents
 * first.  Returns the count delivered (then deliveries no longer fail),
 * or -1 with err set; *queued (may be NULL) counts those page_fn took.
 */
int	 ingest_pending(struct ingest *, const struct ingest_resume *r,
	    size_t *queued, char *err, size_t errlen);
const struct ingest_health *ingest_health(const struct ingest *);

#endif
