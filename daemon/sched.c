/*
 * sched: poll times and concurrency limits.
 *
 * The queue holds every feed and every article page waiting for its
 * transfer: tens of thousands of entries, and the scheduler runs several
 * times per transfer, so every operation is logarithmic:
 *
 * - each host keeps its idle entries in a binary min-heap on (due, order
 *   of addition), the order of addition breaking ties as the list that
 *   came before did: among equally overdue entries the older one wins;
 * - the hosts that may start a transfer (an idle entry, fewer than
 *   per_host running) sit in a second heap on their soonest idle entry,
 *   so the global winner is the soonest entry of the first host; a host
 *   at its limit leaves that heap until one of its transfers is done;
 * - each host keeps its spread entries (feeds, idle or running) in a
 *   treap on due time whose nodes know the widest step between two
 *   consecutive dues below them, so that the first free slot after a run
 *   of feeds packed SCHED_HOST_SPREAD_MS apart is found without walking
 *   the run;
 * - hosts are found by name in a hash table.
 *
 * Heap arrays are sized when an entry or a host is added, so that
 * sched_done() and sched_set_due(), which cannot fail, never allocate.
 * Changing per_host at run time (a reload) revisits every host once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/sched.h"
#include "parsers/feed.h"

/* Feeds of one host added together start this far apart. */
#define SCHED_HOST_SPREAD_MS	2000
/* A free slot needs this much between the dues on either side of it. */
#define SCHED_SLOT_GAP		(2 * SCHED_HOST_SPREAD_MS)
#define SCHED_NOSLOT		SIZE_MAX
#define SCHED_BUCKETS_MIN	16

/*
 * A binary min-heap of pointers.  Each element is told its index, so that
 * it can be moved or taken out from the middle.
 */
struct sched_heap {
	void		**v;
	size_t		  n;
	size_t		  cap;
	int		(*less)(const void *, const void *);
	void		(*moved)(void *, size_t);
};

/* A host, with how many of its entries run: shared by its entries. */
struct sched_host {
	struct sched_host	*chain;		/* next in its hash bucket */
	struct sched		*sched;
	char			*name;
	uint64_t		 hash;
	size_t			 refs;
	unsigned		 running;
	size_t			 slot;		/* in sched->ready, or NOSLOT */
	struct sched_heap	 idle;		/* idle entries, soonest first */
	struct sched_entry	*spread;	/* spread entries: a treap */
};

struct sched_entry {
	struct sched_entry	*prev, *next;	/* every entry, for sched_free */
	struct sched_host	*host;
	int64_t			 due;
	uint64_t		 seq;		/* order of addition */
	size_t			 slot;		/* in host->idle, or NOSLOT */
	/* In host->spread while spread and not removed. */
	struct sched_entry	*left, *right;
	uint64_t		 prio;
	int64_t			 min, max;	/* dues of the subtree */
	uint64_t		 gap;		/* widest step between them */
	void			*data;
	int			 running;
	int			 removed;
	int			 spread;
};

struct sched {
	struct sched_entry	*entries;
	struct sched_host	**buckets;
	size_t			 nbuckets;	/* a power of two */
	size_t			 nhosts;
	struct sched_heap	 ready;		/* hosts that may start one */
	uint64_t		 seq;
	unsigned		 max_transfers;
	unsigned		 per_host;
	unsigned		 running;
	int			 spread;
};

static int
sched_entry_less(const struct sched_entry *a, const struct sched_entry *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static int
sched_idle_less(const void *a, const void *b)
{
	return sched_entry_less(a, b);
}

static void
sched_idle_moved(void *e, size_t slot)
{
	((struct sched_entry *)e)->slot = slot;
}

/* Hosts compare by their soonest idle entry: they have one in the heap. */
static int
sched_ready_less(const void *a, const void *b)
{
	const struct sched_host	*ha = a, *hb = b;

	return sched_entry_less(ha->idle.v[0], hb->idle.v[0]);
}

static void
sched_ready_moved(void *h, size_t slot)
{
	((struct sched_host *)h)->slot = slot;
}

/* Room for want elements; -1 when out of memory. */
static int
heap_reserve(struct sched_heap *hp, size_t want)
{
	size_t	 cap;
	void	**v;

	if (want <= hp->cap)
		return 0;
	cap = hp->cap > 0 ? hp->cap : 4;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*v))
			return -1;
		cap *= 2;
	}
	if ((v = realloc(hp->v, cap * sizeof(*v))) == NULL)
		return -1;
	hp->v = v;
	hp->cap = cap;
	return 0;
}

static void
heap_place(struct sched_heap *hp, size_t i, void *x)
{
	hp->v[i] = x;
	hp->moved(x, i);
}

static void
heap_up(struct sched_heap *hp, size_t i)
{
	void	*x = hp->v[i];
	size_t	 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!hp->less(x, hp->v[parent]))
			break;
		heap_place(hp, i, hp->v[parent]);
		i = parent;
	}
	heap_place(hp, i, x);
}

static void
heap_down(struct sched_heap *hp, size_t i)
{
	void	*x = hp->v[i];
	size_t	 child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= hp->n)
			break;
		if (child + 1 < hp->n && hp->less(hp->v[child + 1],
		    hp->v[child]))
			child++;
		if (!hp->less(hp->v[child], x))
			break;
		heap_place(hp, i, hp->v[child]);
		i = child;
	}
	heap_place(hp, i, x);
}

/* Element i changed its key. */
static void
heap_fix(struct sched_heap *hp, size_t i)
{
	if (i > 0 && hp->less(hp->v[i], hp->v[(i - 1) / 2]))
		heap_up(hp, i);
	else
		heap_down(hp, i);
}

/* The room was reserved beforehand. */
static void
heap_push(struct sched_heap *hp, void *x)
{
	hp->v[hp->n++] = x;
	heap_up(hp, hp->n - 1);
}

static void
heap_remove(struct sched_heap *hp, size_t i)
{
	void	*x = hp->v[i];

	if (i < --hp->n) {
		heap_place(hp, i, hp->v[hp->n]);
		heap_fix(hp, i);
	}
	hp->moved(x, SCHED_NOSLOT);
}

/* hi - lo for hi >= lo, exact even when it does not fit an int64_t. */
static uint64_t
sched_span(int64_t lo, int64_t hi)
{
	return (uint64_t)hi - (uint64_t)lo;
}

/* Recompute what t knows of its subtree. */
static void
tree_pull(struct sched_entry *t)
{
	uint64_t	 gap = 0, g;

	t->min = t->max = t->due;
	if (t->left != NULL) {
		t->min = t->left->min;
		gap = t->left->gap;
		if ((g = sched_span(t->left->max, t->due)) > gap)
			gap = g;
	}
	if (t->right != NULL) {
		t->max = t->right->max;
		if (t->right->gap > gap)
			gap = t->right->gap;
		if ((g = sched_span(t->due, t->right->min)) > gap)
			gap = g;
	}
	t->gap = gap;
}

/* Split t into the entries before k (*l) and k and after (*r). */
static void
tree_split(struct sched_entry *t, const struct sched_entry *k,
    struct sched_entry **l, struct sched_entry **r)
{
	if (t == NULL) {
		*l = *r = NULL;
		return;
	}
	if (sched_entry_less(t, k)) {
		tree_split(t->right, k, &t->right, r);
		*l = t;
	} else {
		tree_split(t->left, k, l, &t->left);
		*r = t;
	}
	tree_pull(t);
}

static struct sched_entry *
tree_merge(struct sched_entry *l, struct sched_entry *r)
{
	if (l == NULL)
		return r;
	if (r == NULL)
		return l;
	if (l->prio > r->prio) {
		l->right = tree_merge(l->right, r);
		tree_pull(l);
		return l;
	}
	r->left = tree_merge(l, r->left);
	tree_pull(r);
	return r;
}

static struct sched_entry *
tree_insert(struct sched_entry *t, struct sched_entry *e)
{
	if (t == NULL || e->prio > t->prio) {
		tree_split(t, e, &e->left, &e->right);
		tree_pull(e);
		return e;
	}
	if (sched_entry_less(e, t))
		t->left = tree_insert(t->left, e);
	else
		t->right = tree_insert(t->right, e);
	tree_pull(t);
	return t;
}

/* Take e out of t, before its due time changes. */
static struct sched_entry *
tree_erase(struct sched_entry *t, const struct sched_entry *e)
{
	if (t == NULL)
		return NULL;
	if (t == e)
		return tree_merge(t->left, t->right);
	if (sched_entry_less(e, t))
		t->left = tree_erase(t->left, e);
	else
		t->right = tree_erase(t->right, e);
	tree_pull(t);
	return t;
}

/* The first entry of t due at lo or later; NULL when none is. */
static const struct sched_entry *
tree_first_from(const struct sched_entry *t, int64_t lo)
{
	const struct sched_entry	*best = NULL;

	while (t != NULL) {
		if (t->due >= lo) {
			best = t;
			t = t->left;
		} else
			t = t->right;
	}
	return best;
}

/*
 * The first entry of t due at lo or later that the next due (in t, else
 * *next, the first due after t; none when next is NULL) does not follow
 * closer than SCHED_SLOT_GAP.  A subtree is entered only when it may hold
 * one, so this costs one path down and one up.
 */
static const struct sched_entry *
tree_gap_from(const struct sched_entry *t, int64_t lo, const int64_t *next)
{
	const struct sched_entry	*found;
	uint64_t			 gap;

	if (t == NULL || t->max < lo)
		return NULL;
	if (t->gap < SCHED_SLOT_GAP && next != NULL &&
	    sched_span(t->max, *next) < SCHED_SLOT_GAP)
		return NULL;
	if ((found = tree_gap_from(t->left, lo, &t->due)) != NULL)
		return found;
	if (t->due >= lo) {
		if (t->right != NULL)
			gap = sched_span(t->due, t->right->min);
		else
			gap = next != NULL ? sched_span(t->due, *next) :
			    UINT64_MAX;
		if (gap >= SCHED_SLOT_GAP)
			return t;
	}
	return tree_gap_from(t->right, lo, next);
}

/*
 * The first time from due_ms on that no spread entry of h is closer to
 * than SCHED_HOST_SPREAD_MS.  When one is, the slot follows the first due
 * of the run of entries packed closer than two spreads, from there on.
 */
static int64_t
sched_free_slot(const struct sched_host *h, int64_t due_ms)
{
	const struct sched_entry	*e;
	int64_t				 lo;

	lo = due_ms > INT64_MIN + (SCHED_HOST_SPREAD_MS - 1) ?
	    due_ms - (SCHED_HOST_SPREAD_MS - 1) : INT64_MIN;
	e = tree_first_from(h->spread, lo);
	if (e == NULL || (e->due >= due_ms &&
	    sched_span(due_ms, e->due) >= SCHED_HOST_SPREAD_MS))
		return due_ms;
	/* Not NULL: the last entry of the tree qualifies. */
	e = tree_gap_from(h->spread, lo, NULL);
	return e->due > INT64_MAX - SCHED_HOST_SPREAD_MS ? INT64_MAX :
	    e->due + SCHED_HOST_SPREAD_MS;
}

/* Put h in the ready heap or take it out, by its idle entries and limit. */
static void
sched_host_fix(struct sched *s, struct sched_host *h)
{
	int	 ready = h->idle.n > 0 && h->running < s->per_host;

	if (ready && h->slot == SCHED_NOSLOT)
		heap_push(&s->ready, h);
	else if (ready)
		heap_fix(&s->ready, h->slot);
	else if (h->slot != SCHED_NOSLOT)
		heap_remove(&s->ready, h->slot);
}

struct sched *
sched_new(unsigned max_transfers, unsigned per_host)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ready.less = sched_ready_less;
	s->ready.moved = sched_ready_moved;
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
	struct sched_host	*h;
	size_t			 i;

	s->max_transfers = max_transfers > 0 ? max_transfers : 1;
	per_host = per_host > 0 ? per_host : 1;
	if (per_host == s->per_host)
		return;
	/* Which hosts are at their limit changes: look at each again. */
	s->per_host = per_host;
	for (i = 0; i < s->nbuckets; i++)
		for (h = s->buckets[i]; h != NULL; h = h->chain)
			sched_host_fix(s, h);
}

static uint64_t
sched_hash(const char *name)
{
	uint64_t	 h = 0xCBF29CE484222325ULL;	/* FNV-1a */

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001B3ULL;
	return h;
}

static struct sched_host *
sched_host_find(const struct sched *s, const char *name, uint64_t hash)
{
	struct sched_host	*h;

	if (s->nbuckets == 0)
		return NULL;
	for (h = s->buckets[hash & (s->nbuckets - 1)]; h != NULL; h = h->chain)
		if (h->hash == hash && strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

/* Twice the buckets; on failure the chains just grow longer. */
static int
sched_rehash(struct sched *s)
{
	struct sched_host	**b, *h, *next;
	size_t			 n, i;

	n = s->nbuckets > 0 ? s->nbuckets * 2 : SCHED_BUCKETS_MIN;
	if (n > SIZE_MAX / sizeof(*b) || (b = calloc(n, sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < s->nbuckets; i++)
		for (h = s->buckets[i]; h != NULL; h = next) {
			next = h->chain;
			h->chain = b[h->hash & (n - 1)];
			b[h->hash & (n - 1)] = h;
		}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
	return 0;
}

static struct sched_host *
sched_host_get(struct sched *s, const char *name)
{
	struct sched_host	*h;
	uint64_t		 hash = sched_hash(name);

	if ((h = sched_host_find(s, name, hash)) != NULL) {
		h->refs++;
		return h;
	}
	if ((s->nhosts >= s->nbuckets && sched_rehash(s) == -1 &&
	    s->nbuckets == 0) || heap_reserve(&s->ready, s->nhosts + 1) == -1)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->name = strdup(name)) == NULL) {
		free(h);
		return NULL;
	}
	h->sched = s;
	h->hash = hash;
	h->refs = 1;
	h->slot = SCHED_NOSLOT;
	h->idle.less = sched_idle_less;
	h->idle.moved = sched_idle_moved;
	h->chain = s->buckets[hash & (s->nbuckets - 1)];
	s->buckets[hash & (s->nbuckets - 1)] = h;
	s->nhosts++;
	return h;
}

/* The last entry of h is gone: so is h, idle and out of the ready heap. */
static void
sched_host_put(struct sched *s, struct sched_host *h)
{
	struct sched_host	**pp;

	if (--h->refs > 0)
		return;
	for (pp = &s->buckets[h->hash & (s->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->chain)
		if (*pp == h) {
			*pp = h->chain;
			break;
		}
	s->nhosts--;
	free(h->idle.v);
	free(h->name);
	free(h);
}

static void
sched_entry_free(struct sched *s, struct sched_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		s->entries = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	sched_host_put(s, e->host);
	free(e);
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	while (s->entries != NULL)
		sched_entry_free(s, s->entries);
	free(s->buckets);
	free(s->ready.v);
	free(s);
}

int
sched_host_busy(const struct sched *s, const char *host)
{
	const struct sched_host	*h;

	h = sched_host_find(s, host, sched_hash(host));
	return h != NULL && h->running >= s->per_host;
}

/* A priority for the treap, from the order of addition: well mixed. */
static uint64_t
sched_prio(uint64_t seq)
{
	uint64_t	 z = seq * 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct sched_entry *
sched_add(struct sched *s, const char *host, int64_t due_ms, void *data,
    int spread)
{
	struct sched_entry	*e;
	struct sched_host	*h;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((h = sched_host_get(s, host != NULL ? host : "")) == NULL)
		goto out_free;
	/* Room for all of the host's entries to be idle at once. */
	if (heap_reserve(&h->idle, h->refs) == -1)
		goto out_put;
	e->host = h;
	e->seq = s->seq++;
	e->prio = sched_prio(e->seq);
	e->data = data;
	/* Spread a host's feeds instead of firing them together. */
	e->spread = spread;
	if (s->spread && spread)
		due_ms = sched_free_slot(h, due_ms);
	e->due = due_ms;
	if (spread)
		h->spread = tree_insert(h->spread, e);
	heap_push(&h->idle, e);
	sched_host_fix(s, h);
	if ((e->next = s->entries) != NULL)
		e->next->prev = e;
	s->entries = e;
	return e;
 out_put:
	sched_host_put(s, h);
 out_free:
	free(e);
	return NULL;
}

void
sched_remove(struct sched *s, struct sched_entry *e)
{
	struct sched_host	*h = e->host;

	/* A removed entry no longer holds its host's feeds apart. */
	if (e->spread && !e->removed)
		h->spread = tree_erase(h->spread, e);
	if (e->running) {
		e->removed = 1;
		return;
	}
	heap_remove(&h->idle, e->slot);
	sched_host_fix(s, h);
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

/* A new due time, and e's place in the host's spread tree with it. */
static void
sched_move(struct sched_entry *e, int64_t due_ms)
{
	struct sched_host	*h = e->host;

	if (e->spread && !e->removed) {
		h->spread = tree_erase(h->spread, e);
		e->due = due_ms;
		h->spread = tree_insert(h->spread, e);
	} else
		e->due = due_ms;
}

void
sched_set_due(struct sched_entry *e, int64_t due_ms)
{
	struct sched_host	*h = e->host;

	sched_move(e, due_ms);
	if (e->slot != SCHED_NOSLOT) {
		heap_fix(&h->idle, e->slot);
		sched_host_fix(h->sched, h);
	}
}

struct sched_entry *
sched_pop(struct sched *s, int64_t now_ms)
{
	struct sched_host	*h;
	struct sched_entry	*e;

	if (s->running >= s->max_transfers || s->ready.n == 0)
		return NULL;
	h = s->ready.v[0];
	e = h->idle.v[0];
	if (e->due > now_ms)
		return NULL;
	heap_remove(&h->idle, 0);
	e->running = 1;
	h->running++;
	s->running++;
	sched_host_fix(s, h);
	return e;
}

int
sched_done(struct sched *s, struct sched_entry *e, int64_t next_ms)
{
	struct sched_host	*h = e->host;

	if (e->running) {
		e->running = 0;
		h->running--;
		s->running--;
	}
	if (e->removed) {
		sched_host_fix(s, h);
		sched_entry_free(s, e);
		return 1;
	}
	if (e->slot == SCHED_NOSLOT) {
		/* Idle again; the room was reserved by sched_add. */
		sched_move(e, next_ms);
		heap_push(&h->idle, e);
		sched_host_fix(s, h);
	} else
		sched_set_due(e, next_ms);
	return 0;
}

int64_t
sched_wait(const struct sched *s, int64_t now_ms)
{
	const struct sched_host		*h;
	const struct sched_entry	*e;

	/* Blocked entries wait for a transfer to finish, not for a timer. */
	if (s->running >= s->max_transfers || s->ready.n == 0)
		return -1;
	h = s->ready.v[0];
	e = h->idle.v[0];
	return e->due > now_ms ? e->due - now_ms : 0;
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
