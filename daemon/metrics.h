/*
 * metrics: the daemon's counters and gauges in Prometheus' text exposition
 * format (version 0.0.4), served over HTTP on metrics_listen (GET /metrics,
 * through libevent's evhttp on the daemon's event_base) and written to
 * metrics_file for node_exporter's textfile collector (tmp file + rename,
 * every METRICS_FILE_SEC and at exit).  Counters count from the start of
 * the process; gauges are asked of the daemon when the text is made.
 */
#ifndef FEEDSPOOL_METRICS_H
#define FEEDSPOOL_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fetch_result;
struct metrics;

/* How often metrics_file is rewritten, seconds. */
#define METRICS_FILE_SEC	15

enum metrics_kind {
	METRICS_FEED,
	METRICS_PAGE,
	METRICS_NKINDS
};

/* What a poll came to: the label values of feedspool_polls_total. */
enum metrics_poll {
	METRICS_POLL_OK,
	METRICS_POLL_NOT_MODIFIED,
	METRICS_POLL_PARSE,	/* a 2xx that is not a feed */
	METRICS_POLL_HTTP_3XX,	/* a redirect not followed */
	METRICS_POLL_HTTP_4XX,
	METRICS_POLL_HTTP_5XX,
	METRICS_POLL_HTTP_OTHER,
	METRICS_POLL_TIMEOUT,
	METRICS_POLL_CONNECT,
	METRICS_POLL_DNS,
	METRICS_POLL_TLS,
	METRICS_POLL_TOO_BIG,
	METRICS_POLL_REFUSED,	/* a non-public address */
	METRICS_POLL_ERROR,	/* any other transfer error */
	METRICS_NPOLLS
};

/* The gauges, as the daemon sees them now. */
struct metrics_gauges {
	unsigned	 feeds;		/* configured */
	unsigned	 feeds_failing;	/* whose last poll failed */
	int64_t		 pending;	/* stories in the state database not
					   delivered yet; -1 unknown */
	unsigned	 queued[METRICS_NKINDS]; /* scheduler entries waiting */
	unsigned	 transfers;	/* in flight */
};
typedef void	(*metrics_gauges_fn)(void *, struct metrics_gauges *);

struct metrics	*metrics_new(metrics_gauges_fn, void *arg);
void		 metrics_free(struct metrics *);

/*
 * Serve GET /metrics on listen ("[HOST:]PORT", config_parse_listen(); port
 * 0 picks a free one).  Returns 0, or -1 with err set.
 */
int		 metrics_serve(struct metrics *, struct event_base *,
		    const char *listen, char *err, size_t errlen);
/* Write path now and every METRICS_FILE_SEC.  Returns 0 or -1 (errno). */
int		 metrics_file(struct metrics *, struct event_base *,
		    const char *path);
/* The file rewritten now (at exit): 0, or -1 with errno set. */
int		 metrics_flush(struct metrics *);

void		 metrics_delivered(struct metrics *);
/* A duplicate, for reason why (NULL: "unknown"), spooled marked or not. */
void		 metrics_duplicate(struct metrics *, const char *why,
		    int marked);
enum metrics_poll metrics_poll_class(const struct fetch_result *, int ok);
void		 metrics_poll(struct metrics *, enum metrics_poll);
/* A finished transfer: its bytes and its time. */
void		 metrics_transfer(struct metrics *, enum metrics_kind,
		    const struct fetch_result *);

/* The whole exposition, malloc'd (*len without the NUL), or NULL. */
char		*metrics_render(struct metrics *, size_t *len);

#endif
