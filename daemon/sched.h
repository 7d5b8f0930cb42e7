/*
 * sched: when each feed is polled next, and which may start now.
 *
 * Entries carry a due time and a host.  sched_pop() hands out a due entry
 * only while fewer than max_transfers entries run in all, fewer than
 * per_host run against its host and against its host's address, the last
 * start to either was host_gap ago or longer, and no wait holds either
 * back; among entries free to start the one free longest wins, which is
 * the most overdue one when there is no gap and no wait.  Entries of one
 * host added together are spread out in time.
 *
 * A host's address is what the caller says it last connected to
 * (sched_host_addr()); hosts found at one address share its budget.  A
 * host named by an address is at that address from the start.
 *
 * Every operation costs O(log n) in the entries of the queue, but for
 * sched_limits(), which looks at every host again when per_host changes.
 */
#ifndef FEEDSPOOL_SCHED_H
#define FEEDSPOOL_SCHED_H

#include <stdint.h>

struct sched;
struct sched_entry;
struct feed_schedule;

/* The longest wait a publisher's schedule may impose: a day. */
#define SCHED_OBEY_MAX_MS	(24 * 60 * 60 * 1000LL)

struct sched	*sched_new(unsigned max_transfers, unsigned per_host);
void		 sched_free(struct sched *);
void		 sched_limits(struct sched *, unsigned max_transfers,
		    unsigned per_host);
/* Spreading a host's feeds (on by default); off for a one-shot run. */
void		 sched_spread(struct sched *, int);
/* The least time between two starts to one host or address (0: none, the
 * default), from the next start on. */
void		 sched_host_gap(struct sched *, int64_t gap_ms);

/*
 * Add an entry for host, due no earlier than due_ms (unix milliseconds),
 * kept apart in time from the host's other spread entries (feeds) when
 * spread is set; pages are only held back by the per-host limit.
 * Returns NULL when out of memory.  data is the caller's.
 */
struct sched_entry *sched_add(struct sched *, const char *host,
		    int64_t due_ms, void *data, int spread);
/* Forget an entry; one that is running is freed by sched_done(). */
void		 sched_remove(struct sched *, struct sched_entry *);
void		*sched_data(const struct sched_entry *);
int64_t		 sched_due(const struct sched_entry *);
void		 sched_set_due(struct sched_entry *, int64_t due_ms);

/* A due entry that may start now, marked running; NULL when none. */
struct sched_entry *sched_pop(struct sched *, int64_t now_ms);
/*
 * A running entry finished; it is due again at next_ms.  Returns 1 when
 * the entry was removed meanwhile (and is now freed), else 0.
 */
int		 sched_done(struct sched *, struct sched_entry *,
		    int64_t next_ms);
/*
 * The same for an entry that did not start after all, right after the
 * sched_pop() that gave it: its start no longer holds its host back
 * (host_gap), as if it had not been popped.
 */
int		 sched_put_back(struct sched *, struct sched_entry *,
		    int64_t next_ms);

/* Milliseconds until the next entry could start (-1: none is idle). */
int64_t		 sched_wait(const struct sched *, int64_t now_ms);
unsigned	 sched_running(const struct sched *);
/* Transfers that are not feed polls (article pages) share the budget:
 * whether host, or its address, has per_host running. */
int		 sched_host_busy(const struct sched *, const char *host);
/* The host an entry was added for. */
const char	*sched_host(const struct sched_entry *);
/*
 * host connected to addr (text, IPv4 or IPv6 as curl or inet_ntop write
 * it): from now on its transfers, those running included, count against
 * that address's budget, shared with every host found there.  Returns -1
 * when addr is not an address or memory is short (host keeps its budget),
 * else 0 (also when host has no entry: there is nothing to count).
 */
int		 sched_host_addr(struct sched *, const char *host,
		    const char *addr);
/* Nothing starts to host, nor to its address, before until_ms. */
void		 sched_host_wait(struct sched *, const char *host,
		    int64_t until_ms);

/*
 * When a feed polled at now_ms is next due, given the delay the daemon
 * chose: no sooner than the publisher's schedule asks (its min interval,
 * at most SCHED_OBEY_MAX_MS), and then out of the hours and days it asks to
 * be skipped.  s may be NULL (nothing asked).
 */
int64_t		 sched_feed_next(int64_t now_ms, int64_t delay_ms,
		    const struct feed_schedule *s);

#endif
