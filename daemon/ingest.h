/*
 * ingest: turn a fetched feed document into delivered stories.
 *
 * For every item not seen before: a story id, the story JSON, a pending row
 * in the state store, the file in the spool, then the row marked delivered.
 * A crash anywhere leaves either nothing or a pending row that
 * ingest_pending() delivers again under the same name.
 */
#ifndef FEEDSPOOL_INGEST_H
#define FEEDSPOOL_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct state;
struct spool;

struct ingest_feed {
	const char	*name;
	const char	*url;
};

struct ingest_counts {
	size_t		 items;		/* items in the document */
	size_t		 fresh;		/* stories delivered now */
	const char	*version;	/* format read, static string */
	int		 recovered;	/* document was not well-formed */
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

/* Deliver every pending story (after a crash).  Returns the count or -1. */
int	 ingest_pending(struct state *, struct spool *, char *err,
	    size_t errlen);

#endif
