/*
 * ingest: turn a fetched feed document into delivered stories.
 *
 * For every item not seen before: a story id, the story JSON from the feed,
 * a pending row in the state store (before anything touches the spool).
 * Then either the story is delivered at once, or, when its web page is to
 * be fetched, it is handed to the caller as a struct ingest_page, and
 * ingest_page_done() delivers it once the page is in (or failed).  A crash
 * anywhere leaves either nothing or a pending row that ingest_pending()
 * delivers again under the same name.
 */
#ifndef FEEDSPOOL_INGEST_H
#define FEEDSPOOL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/feed.h"

struct state;
struct spool;
struct dedup_index;

#define INGEST_NAME_MAX	64

/* A story begun, waiting for its web page. */
struct ingest_page {
	char		 id[17];		/* STATE_ID_LEN + 1 */
	char		 name[INGEST_NAME_MAX];	/* in the spool */
	char		*feed;			/* the feed's name */
	char		*url;			/* the page */
	char		*host;			/* of url */
	char		*json;			/* the story from the feed */
	int		 dup_mark;		/* spool duplicates, marked */
};

/* Takes the page (returns 0), or refuses it (-1: deliver at once). */
typedef int	(*ingest_page_fn)(void *, struct ingest_page *);

struct ingest_feed {
	const char	*name;
	const char	*url;
	ingest_page_fn	 page_fn;	/* NULL: no pages are fetched */
	void		*page_arg;
	struct dedup_index *dups;	/* recent stories; NULL: no checks */
	int		 dup_mark;	/* duplicates spooled with duplicate_of
					   (else recorded, not spooled) */
	int		 updates_emit;	/* a changed item becomes a new story */
};

/* What became of a story at its delivery. */
enum ingest_fate {
	INGEST_DELIVERED,
	INGEST_DUP_DROPPED,	/* a duplicate, recorded as a sighting */
	INGEST_DUP_MARKED	/* a duplicate, spooled with duplicate_of */
};

struct ingest_counts {
	size_t		 items;		/* items in the document */
	size_t		 fresh;		/* new stories, delivered or waiting */
	size_t		 waiting;	/* of which wait for their page */
	size_t		 duplicates;	/* of which were duplicates */
	size_t		 revised;	/* of which revise an earlier story */
	const char	*version;	/* format read, static string */
	int		 recovered;	/* document was not well-formed */
	struct feed_schedule schedule;	/* what the publisher asks */
};

/*
 * Parse and deliver.  Returns 0; -1 with err set when the document is not a
 * feed; -2 with err set when the state store or the spool failed (the
 * stories not delivered are retried, nothing is lost).
 */
int	 ingest_document(struct state *, struct spool *,
	    const struct ingest_feed *, const char *body, size_t len,
	    const char *base, const char *charset, int64_t now_ms,
	    struct ingest_counts *, char *err, size_t errlen);

/*
 * The page of p arrived (html, len; final_url after redirects; charset
 * from the HTTP Content-Type, or NULL) or failed
 * (html NULL): merge what it gives into the story and deliver it, unless
 * it is a duplicate of a story in the index.  Sets *used to 1 when the
 * page's text won, and *fate.  Returns 0, or -2 with err set when
 * the state store or the spool failed.  Does not free p.
 */
int	 ingest_page_done(struct state *, struct spool *, struct dedup_index *,
	    const struct ingest_page *p, const char *html, size_t len,
	    const char *final_url, const char *charset, int *used,
	    enum ingest_fate *, char *err, size_t errlen);
void	 ingest_page_free(struct ingest_page *);

/*
 * Deliver every pending story (after a crash or a failed delivery), but
 * hand to fn (when not NULL) those that still wait for their page, which
 * fn may take (0) or refuse (-1: delivered now).  Returns the count
 * delivered, or -1; *queued (may be NULL) counts those fn took.
 */
int	 ingest_pending(struct state *, struct spool *, ingest_page_fn fn,
	    void *arg, size_t *queued, char *err, size_t errlen);

#endif
