/*
 * report: the output of `feedspool run --once`.  Stories are told by name
 * of their feed (ingest knows no feedrt), many per feed, so the counts
 * live in a small hash table of their own, sized for the configuration.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon/fetch.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/story.h"

enum report_result {
	REPORT_NOT_POLLED,
	REPORT_OK,
	REPORT_NOT_MODIFIED,
	REPORT_ERROR
};

static const char *const report_result_names[] = {
	"not_polled", "ok", "not_modified", "error"
};

#define REPORT_ERROR_MAX	255

struct report_entry {
	struct report_entry	*next;		/* in its bucket */
	char			*name;
	enum report_result	 result;	/* of the last poll */
	long			 status;
	/*
	 * The last poll's error, at most REPORT_ERROR_MAX bytes, or NULL:
	 * held for every feed until the end, so not inline (256 bytes a
	 * feed, 2.5 MB of a re-poll of 10,000 feeds that mostly have none).
	 */
	char			*error;
	double			 seconds;
	size_t			 items;		/* of every poll, summed */
	size_t			 fresh;
	size_t			 spooled;	/* files in the spool */
	size_t			 dups;		/* marked or not */
	size_t			 marked;
	size_t			 kept;		/* pending: the spool failed */
	size_t			 watch_dropped;	/* left out by keep/drop */
};

struct report {
	int			 json;
	int			 oom;		/* said once */
	size_t			 nbuckets;	/* a power of two */
	struct report_entry	**buckets;
	size_t			 feeds, polled, failed;	/* report_feed() */
	size_t			 fresh, spooled, dups, marked;
	size_t			 watch_dropped;
};

struct report *
report_new(size_t nfeeds, int json)
{
	struct report	*rp;
	size_t		 n = 16;

	while (n < nfeeds && n < SIZE_MAX / 4)
		n *= 2;
	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return NULL;
	if ((rp->buckets = calloc(n, sizeof(*rp->buckets))) == NULL) {
		free(rp);
		return NULL;
	}
	rp->nbuckets = n;
	rp->json = json;
	return rp;
}

void
report_free(struct report *rp)
{
	struct report_entry	*e, *next;
	size_t			 i;

	if (rp == NULL)
		return;
	for (i = 0; i < rp->nbuckets; i++)
		for (e = rp->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e->name);
			free(e->error);
			free(e);
		}
	free(rp->buckets);
	free(rp);
}

/* FNV-1a, enough for feed names. */
static size_t
report_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The entry of feed, made when create is set; NULL when none or no memory. */
static struct report_entry *
report_entry(struct report *rp, const char *feed, int create)
{
	struct report_entry	**b, *e;

	b = &rp->buckets[report_hash(feed) & (rp->nbuckets - 1)];
	for (e = *b; e != NULL; e = e->next)
		if (strcmp(e->name, feed) == 0)
			return e;
	if (!create)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->name = strdup(feed)) == NULL) {
		free(e);
		if (!rp->oom)
			log_warnx("run --once: out of memory: the counts "
			    "printed at the end are short");
		rp->oom = 1;
		return NULL;
	}
	e->next = *b;
	*b = e;
	return e;
}

void
report_poll(struct report *rp, const char *feed, const struct fetch_result *r,
    int ok, const struct ingest_counts *c, const char *err)
{
	struct report_entry	*e;

	if (rp == NULL || (e = report_entry(rp, feed, 1)) == NULL)
		return;
	e->status = r->status;
	e->seconds = r->seconds;
	free(e->error);
	e->error = NULL;
	if (!ok) {
		e->result = REPORT_ERROR;
		if ((e->error = strndup(err != NULL ? err : "",
		    REPORT_ERROR_MAX)) == NULL && !rp->oom) {
			log_warnx("run --once: out of memory: an error is "
			    "left out of the counts printed at the end");
			rp->oom = 1;
		}
	} else if (r->status == 304)
		e->result = REPORT_NOT_MODIFIED;
	else {
		e->result = REPORT_OK;
		e->items += c->items;
		e->fresh += c->fresh;
	}
}

static const char *
report_fate_name(enum ingest_fate fate)
{
	switch (fate) {
	case INGEST_DELIVERED:
		return "spooled";
	case INGEST_DUP_DROPPED:
		return "duplicate";
	case INGEST_DUP_MARKED:
		return "duplicate_marked";
	case INGEST_WATCH_DROPPED:
		return "dropped_by_watch";
	default:
		return "pending";
	}
}

/* One JSON object, one line on stdout; o is taken. */
static void
report_print(struct report *rp, json_t *o)
{
	char	*line;

	line = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6)) :
	    NULL;
	json_decref(o);
	if (line == NULL) {
		if (!rp->oom)
			log_warnx("run --once --json: a line could not be "
			    "written (out of memory, or not UTF-8)");
		rp->oom = 1;
		return;
	}
	puts(line);
	free(line);
}

void
report_story(struct report *rp, const char *feed, const struct story *s,
    enum ingest_fate fate)
{
	struct report_entry	*e;

	if (rp == NULL)
		return;
	if ((e = report_entry(rp, feed, 1)) != NULL) {
		if (fate == INGEST_DELIVERED || fate == INGEST_DUP_MARKED)
			e->spooled++;
		if (fate == INGEST_DUP_DROPPED || fate == INGEST_DUP_MARKED)
			e->dups++;
		if (fate == INGEST_DUP_MARKED)
			e->marked++;
		if (fate == INGEST_KEPT)
			e->kept++;
		if (fate == INGEST_WATCH_DROPPED)
			e->watch_dropped++;
	}
	if (!rp->json)
		return;
	report_print(rp, json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?, s:i, "
	    "s:s?, s:s?, s:s?}", "type", "story", "feed", feed, "id", s->id,
	    "fate", report_fate_name(fate), "url", s->url, "title", s->title,
	    "revision", (int)s->revision, "duplicate_of", s->duplicate_of,
	    "duplicate_reason", s->duplicate_reason,
	    "supersedes", s->supersedes));
}

/* "; 3 spooled, 2 duplicates": what the new items became. */
static void
report_fates_text(const struct report_entry *e, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "; %zu spooled, %zu duplicate%s", e->spooled,
	    e->dups, e->dups == 1 ? "" : "s");
	if (n >= 0 && (size_t)n < len && e->marked > 0)
		n += snprintf(buf + n, len - (size_t)n, " (%zu spooled "
		    "marked)", e->marked);
	if (n >= 0 && (size_t)n < len && e->watch_dropped > 0)
		n += snprintf(buf + n, len - (size_t)n, ", %zu dropped by "
		    "watch", e->watch_dropped);
	if (n >= 0 && (size_t)n < len && e->kept > 0)
		(void)snprintf(buf + n, len - (size_t)n, ", %zu waiting for "
		    "the spool", e->kept);
}

static json_t *
report_feed_json(const char *feed, const char *url, const char *summary,
    const struct report_entry *e)
{
	static const struct report_entry none;

	if (e == NULL)
		e = &none;
	return json_pack("{s:s, s:s?, s:s?, s:s, s:o, s:s?, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:f, s:s?}", "type", "feed", "feed", feed, "url", url,
	    "result", report_result_names[summary != NULL ? e->result :
	    REPORT_NOT_POLLED], "status", e->status > 0 ?
	    json_integer(e->status) : json_null(), "error",
	    e->result == REPORT_ERROR ? e->error : NULL,
	    "items", (json_int_t)e->items, "new", (json_int_t)e->fresh,
	    "duplicates", (json_int_t)e->dups, "duplicates_marked",
	    (json_int_t)e->marked, "dropped_by_watch",
	    (json_int_t)e->watch_dropped, "spooled", (json_int_t)e->spooled,
	    "seconds", e->seconds, "summary", summary);
}

void
report_feed(struct report *rp, const char *feed, const char *url,
    const char *summary)
{
	struct report_entry	*e;
	char			 fates[128] = "";

	if (rp == NULL)
		return;
	e = report_entry(rp, feed, 0);
	rp->feeds++;
	if (e != NULL && summary != NULL && e->result != REPORT_NOT_POLLED) {
		rp->polled++;
		rp->failed += e->result == REPORT_ERROR;
	}
	if (e != NULL) {
		rp->fresh += e->fresh;
		rp->spooled += e->spooled;
		rp->dups += e->dups;
		rp->marked += e->marked;
		rp->watch_dropped += e->watch_dropped;
	}
	if (rp->json) {
		report_print(rp, report_feed_json(feed, url, summary, e));
		return;
	}
	if (e != NULL && (e->fresh > 0 || e->spooled > 0 || e->dups > 0 ||
	    e->watch_dropped > 0))
		report_fates_text(e, fates, sizeof(fates));
	printf("%s: %s%s\n", feed, summary != NULL ? summary : "not polled",
	    fates);
}

void
report_end(struct report *rp, size_t pending)
{
	if (rp == NULL)
		return;
	if (rp->json)
		report_print(rp, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I}", "type", "summary",
		    "feeds", (json_int_t)rp->feeds,
		    "polled", (json_int_t)rp->polled,
		    "failed", (json_int_t)rp->failed,
		    "new", (json_int_t)rp->fresh,
		    "duplicates", (json_int_t)rp->dups,
		    "duplicates_marked", (json_int_t)rp->marked,
		    "dropped_by_watch", (json_int_t)rp->watch_dropped,
		    "spooled", (json_int_t)rp->spooled,
		    "pending", (json_int_t)pending));
	else {
		printf("total: %zu of %zu feeds polled (%zu failed): %zu new, "
		    "%zu duplicate%s", rp->polled, rp->feeds, rp->failed,
		    rp->fresh, rp->dups, rp->dups == 1 ? "" : "s");
		if (rp->marked > 0)
			printf(" (%zu spooled marked)", rp->marked);
		if (rp->watch_dropped > 0)
			printf(", %zu dropped by watch", rp->watch_dropped);
		printf(", %zu spooled", rp->spooled);
		if (pending > 0)
			printf(", %zu pending", pending);
		putchar('\n');
	}
	fflush(stdout);
}
