/*
 * sched: poll times and concurrency limits.
 *
 * A feed list is short (tens to a few thousand entries) and the scheduler
 * runs once per transfer, so plain lists and linear scans are enough and
 * easy to get right.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/sched.h"
#include "parsers/feed.h"

/* Feeds of one host added together start this far apart. */
#define SCHED_HOST_SPREAD_MS	2000

/* A host, with how many of its entries run: shared by its entries. */
struct sched_host {
	struct sched_host	*next;
	char			*name;
	unsigned		 running;
	unsigned		 refs;
};

struct sched_entry {
	struct sched_entry	*next;
	struct sched_host	*host;
	int64_t			 due;
	void			*data;
	int			 running;
	int			 removed;
	int			 spread;
};

struct sched {
	struct sched_entry	*head;
	struct sched_host	*hosts;
	unsigned		 max_transfers;
	unsigned		 per_host;
	unsigned		 running;
	int			 spread;
};

struct sched *
sched_new(unsigned max_transfers, unsigned per_host)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	sched_limits(s, max_transfers, per_host);
	s->spread = 1;
	return s;
}

void
sched_spread(struct sched *s, int on)
{
	s->spread = on;
}

void
sched_limits(struct sched *s, unsigned max_transfers, unsigned per_host)
{
	s->max_transfers = max_transfers > 0 ? max_transfers : 1;
	s->per_host = per_host > 0 ? per_host : 1;
}

static struct sched_host *
sched_host_get(struct sched *s, const char *name)
{
	struct sched_host	*h;

	for (h = s->hosts; h != NULL; h = h->next)
		if (strcmp(h->name, name) == 0) {
			h->refs++;
			return h;
		}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->name = strdup(name)) == NULL) {
		free(h);
		return NULL;
	}
	h->refs = 1;
	h->next = s->hosts;
	s->hosts = h;
	return h;
}

static void
sched_host_put(struct sched *s, struct sched_host *h)
{
	struct sched_host	**pp;

	if (--h->refs > 0)
		return;
	for (pp = &s->hosts; *pp != NULL; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	free(h->name);
	free(h);
}

static void
sched_entry_free(struct sched *s, struct sched_entry *e)
{
	sched_host_put(s, e->host);
	free(e);
}

void
sched_free(struct sched *s)
{
	struct sched_entry	*e, *next;

	if (s == NULL)
		return;
	for (e = s->head; e != NULL; e = next) {
		next = e->next;
		sched_entry_free(s, e);
	}
	free(s);
}

int
sched_host_busy(const struct sched *s, const char *host)
{
	const struct sched_host	*h;

	for (h = s->hosts; h != NULL; h = h->next)
		if (strcmp(h->name, host) == 0)
			return h->running >= s->per_host;
	return 0;
}

/* The first time from due_ms on that no entry of host is close to. */
static int64_t
sched_free_slot(const struct sched *s, const char *host, int64_t due_ms)
{
	const struct sched_entry	*e;
	int				 moved;

	do {
		moved = 0;
		for (e = s->head; e != NULL; e = e->next) {
			if (e->removed || !e->spread ||
			    strcmp(e->host->name, host) != 0)
				continue;
			if (due_ms > e->due - SCHED_HOST_SPREAD_MS &&
			    due_ms < e->due + SCHED_HOST_SPREAD_MS) {
				due_ms = e->due + SCHED_HOST_SPREAD_MS;
				moved = 1;
			}
		}
	} while (moved);
	return due_ms;
}

struct sched_entry *
sched_add(struct sched *s, const char *host, int64_t due_ms, void *data,
    int spread)
{
	struct sched_entry	*e, **tail;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->host = sched_host_get(s, host != NULL ? host : "")) == NULL) {
		free(e);
		return NULL;
	}
	/* Spread a host's feeds instead of firing them together. */
	e->spread = spread;
	if (s->spread && spread)
		due_ms = sched_free_slot(s, e->host->name, due_ms);
	e->due = due_ms;
	e->data = data;
	for (tail = &s->head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = e;
	return e;
}

static void
sched_unlink(struct sched *s, struct sched_entry *e)
{
	struct sched_entry	**pp;

	for (pp = &s->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			return;
		}
}

void
sched_remove(struct sched *s, struct sched_entry *e)
{
	if (e->running) {
		e->removed = 1;
		return;
	}
	sched_unlink(s, e);
	sched_entry_free(s, e);
}

void *
sched_data(const struct sched_entry *e)
{
	return e->data;
}

int64_t
sched_due(const struct sched_entry *e)
{
	return e->due;
}

void
sched_set_due(struct sched_entry *e, int64_t due_ms)
{
	e->due = due_ms;
}

struct sched_entry *
sched_pop(struct sched *s, int64_t now_ms)
{
	struct sched_entry	*e, *best = NULL;

	if (s->running >= s->max_transfers)
		return NULL;
	for (e = s->head; e != NULL; e = e->next) {
		if (e->running || e->removed || e->due > now_ms)
			continue;
		if (best != NULL && best->due <= e->due)
			continue;
		if (e->host->running >= s->per_host)
			continue;
		best = e;
	}
	if (best != NULL) {
		best->running = 1;
		best->host->running++;
		s->running++;
	}
	return best;
}

int
sched_done(struct sched *s, struct sched_entry *e, int64_t next_ms)
{
	if (e->running) {
		e->running = 0;
		e->host->running--;
		s->running--;
	}
	if (e->removed) {
		sched_unlink(s, e);
		sched_entry_free(s, e);
		return 1;
	}
	e->due = next_ms;
	return 0;
}

int64_t
sched_wait(const struct sched *s, int64_t now_ms)
{
	const struct sched_entry	*e;
	int64_t				 best = -1;

	/* Blocked entries wait for a transfer to finish, not for a timer. */
	if (s->running >= s->max_transfers)
		return -1;
	for (e = s->head; e != NULL; e = e->next) {
		if (e->running || e->removed)
			continue;
		if (e->host->running >= s->per_host)
			continue;
		if (best == -1 || e->due < best)
			best = e->due;
	}
	if (best == -1)
		return -1;
	return best > now_ms ? best - now_ms : 0;
}

unsigned
sched_running(const struct sched *s)
{
	return s->running;
}

int64_t
sched_feed_next(int64_t now_ms, int64_t delay_ms,
    const struct feed_schedule *s)
{
	int64_t	 ask, next;
	int	 hours;

	if (s == NULL)
		return now_ms + delay_ms;
	ask = feed_min_interval(s);
	ask = ask > SCHED_OBEY_MAX_MS / 1000 ? SCHED_OBEY_MAX_MS : ask * 1000;
	next = now_ms + (delay_ms > ask ? delay_ms : ask);
	/* To the start of the next hour that is not skipped; a week of
	 * hours covers every mix of skipped hours and days. */
	for (hours = 0; hours < 7 * 24 && feed_skip_at(s, next / 1000);
	    hours++)
		next = (next / 3600000 + 1) * 3600000;
	return next;
}
