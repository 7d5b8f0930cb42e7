/*
 * sched: poll times and politeness limits.
 *
 * The queue holds every feed and every article page waiting for its
 * transfer: tens of thousands of entries, and the scheduler runs several
 * times per transfer, so every operation is logarithmic:
 *
 * - each host keeps its idle entries in a binary min-heap on (due, order
 *   of addition), the order of addition breaking ties as the list that
 *   came before did: among equally overdue entries the older one wins;
 * - hosts are counted against a budget: per_host transfers at once and
 *   host_gap between two starts.  A host found at an address shares that
 *   address's budget with every other host found there; one not found at
 *   any yet has a budget of its own.  Each budget keeps the hosts that may
 *   start a transfer (an idle entry, fewer than per_host running) in a
 *   heap on when their first entry may start: its due time, or later when
 *   the host's gap or a wait it was told holds it back;
 * - the budgets that may start one (such a host, fewer than per_host
 *   running, the same gap and waits) sit in a last heap on the same time,
 *   so the global winner is the first entry of the first host of the
 *   first budget; a budget or a host at its limit leaves its heap until
 *   one of its transfers is done;
 * - each host keeps its spread entries (feeds, idle or running) in a
 *   treap on due time whose nodes know the widest step between two
 *   consecutive dues below them, so that the first free slot after a run
 *   of feeds packed SCHED_HOST_SPREAD_MS apart is found without walking
 *   the run;
 * - hosts and addresses are found by name in hash tables.
 *
 * With no gap and no wait, when a host may start is its first due time,
 * and the order is the one of due times alone.  With them, hosts and
 * budgets are taken in the order they became free to start.
 *
 * A host left without entries is kept (SCHED_KEEP_HOSTS at most, the
 * least recently used go first) while it knows its address or a wait or
 * gap still holds it: the pages of one host come and go in batches, and
 * the next batch must find its address and its wait.
 *
 * Heap arrays are sized when an entry, a host or an address is added, so
 * that sched_done(), sched_set_due() and sched_host_wait(), which cannot
 * fail, never allocate.  Changing per_host at run time (a reload) revisits
 * every host once.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

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
/* Hosts without entries remembered for their address or wait. */
#define SCHED_KEEP_HOSTS	4096
/* No gate: free to start. */
#define SCHED_OPEN		INT64_MIN

#define SCHED_CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

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

/* A named element of a hash table: hosts and addresses. */
struct sched_name {
	struct sched_name	*chain;		/* next in its bucket */
	char			*name;
	uint64_t		 hash;
};

struct sched_table {
	struct sched_name	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  n;
};

/*
 * A budget: per_host transfers at once, host_gap between starts.  The
 * transfers of its hosts are counted here, whenever they began.
 */
struct sched_addr {
	struct sched_name	 n;		/* shared ones: in sched->addrs */
	size_t			 refs;		/* hosts counted against it */
	unsigned		 running;
	int64_t			 gate;		/* nothing starts before */
	int64_t			 key;		/* when its first host may */
	uint64_t		 kseq;		/* that host's first entry */
	size_t			 slot;		/* in sched->ready, or NOSLOT */
	struct sched_heap	 hosts;		/* hosts that may start one */
};

struct sched_host {
	struct sched_name	 n;		/* in sched->hosts */
	struct sched		*sched;
	size_t			 refs;		/* its entries */
	unsigned		 running;
	int64_t			 gate;		/* nothing starts before */
	int64_t			 key;		/* when its first entry may */
	uint64_t		 kseq;		/* that entry's seq */
	size_t			 slot;		/* in addr->hosts, or NOSLOT */
	struct sched_heap	 idle;		/* idle entries, soonest first */
	struct sched_entry	*spread;	/* spread entries: a treap */
	struct sched_addr	*addr;		/* &own until found at one */
	struct sched_addr	 own;
	/* Kept without entries: least recently used first. */
	struct sched_host	*kept_prev, *kept_next;
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
	/* The gates of its host and address before its start: put back. */
	int64_t			 host_gate, addr_gate;
};

struct sched {
	struct sched_entry	*entries;
	struct sched_table	 hosts;
	struct sched_table	 addrs;
	struct sched_heap	 ready;		/* budgets that may start one */
	struct sched_host	*kept_first, *kept_last;
	size_t			 nkept;
	uint64_t		 seq;
	unsigned		 max_transfers;
	unsigned		 per_host;
	unsigned		 running;
	int64_t			 gap;		/* ms between starts, 0: none */
	int64_t			 now;		/* of the last sched_pop */
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

/* Hosts compare by when their first idle entry may start. */
static int
sched_host_less(const void *a, const void *b)
{
	const struct sched_host	*ha = a, *hb = b;

	return ha->key < hb->key || (ha->key == hb->key && ha->kseq < hb->kseq);
}

static void
sched_host_moved(void *h, size_t slot)
{
	((struct sched_host *)h)->slot = slot;
}

/* Budgets compare by when their first host may start. */
static int
sched_addr_less(const void *a, const void *b)
{
	const struct sched_addr	*aa = a, *ab = b;

	return aa->key < ab->key || (aa->key == ab->key && aa->kseq < ab->kseq);
}

static void
sched_addr_moved(void *a, size_t slot)
{
	((struct sched_addr *)a)->slot = slot;
}

static int64_t
sched_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
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


/* Put h in its budget's heap or take it out, by its idle entries and limit. */
static void
sched_host_fix(struct sched *s, struct sched_host *h)
{
	struct sched_heap	*hp = &h->addr->hosts;
	struct sched_entry	*e;
	int			 ready;

	ready = h->idle.n > 0 && h->running < s->per_host;
	if (ready) {
		e = h->idle.v[0];
		h->key = sched_max(h->gate, e->due);
		h->kseq = e->seq;
	}
	if (ready && h->slot == SCHED_NOSLOT)
		heap_push(hp, h);
	else if (ready)
		heap_fix(hp, h->slot);
	else if (h->slot != SCHED_NOSLOT)
		heap_remove(hp, h->slot);
}

/* The same for a budget in the ready heap. */
static void
sched_addr_fix(struct sched *s, struct sched_addr *a)
{
	struct sched_host	*h;
	int			 ready;

	ready = a->hosts.n > 0 && a->running < s->per_host;
	if (ready) {
		h = a->hosts.v[0];
		a->key = sched_max(a->gate, h->key);
		a->kseq = h->kseq;
	}
	if (ready && a->slot == SCHED_NOSLOT)
		heap_push(&s->ready, a);
	else if (ready)
		heap_fix(&s->ready, a->slot);
	else if (a->slot != SCHED_NOSLOT)
		heap_remove(&s->ready, a->slot);
}

/* Something of h changed: its place, and its budget's. */
static void
sched_fix(struct sched *s, struct sched_host *h)
{
	sched_host_fix(s, h);
	sched_addr_fix(s, h->addr);
}

struct sched *
sched_new(unsigned max_transfers, unsigned per_host)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ready.less = sched_addr_less;
	s->ready.moved = sched_addr_moved;
	s->now = INT64_MIN;
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
sched_host_gap(struct sched *s, int64_t gap_ms)
{
	/* Gates already set stay: they end within the old gap. */
	s->gap = gap_ms > 0 ? gap_ms : 0;
}

static uint64_t
sched_hash(const char *name)
{
	uint64_t	 h = 0xCBF29CE484222325ULL;	/* FNV-1a */

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001B3ULL;
	return h;
}

static struct sched_name *
table_find(const struct sched_table *t, const char *name)
{
	struct sched_name	*n;
	uint64_t		 hash;

	if (t->nbuckets == 0)
		return NULL;
	hash = sched_hash(name);
	for (n = t->buckets[hash & (t->nbuckets - 1)]; n != NULL;
	    n = n->chain)
		if (n->hash == hash && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* Twice the buckets; on failure the chains just grow longer. */
static int
table_rehash(struct sched_table *t)
{
	struct sched_name	**b, *n, *next;
	size_t			  nb, i;

	nb = t->nbuckets > 0 ? t->nbuckets * 2 : SCHED_BUCKETS_MIN;
	if (nb > SIZE_MAX / sizeof(*b) || (b = calloc(nb, sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n != NULL; n = next) {
			next = n->chain;
			n->chain = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

/* Room for one more name: -1 only when there are no buckets at all. */
static int
table_reserve(struct sched_table *t)
{
	if (t->n >= t->nbuckets && table_rehash(t) == -1 && t->nbuckets == 0)
		return -1;
	return 0;
}

/* Give n a copy of name and link it in; table_reserve() came first. */
static int
table_insert(struct sched_table *t, struct sched_name *n, const char *name)
{
	size_t	 b;

	if ((n->name = strdup(name)) == NULL)
		return -1;
	n->hash = sched_hash(name);
	b = n->hash & (t->nbuckets - 1);
	n->chain = t->buckets[b];
	t->buckets[b] = n;
	t->n++;
	return 0;
}

static void
table_remove(struct sched_table *t, struct sched_name *n)
{
	struct sched_name	**pp;

	for (pp = &t->buckets[n->hash & (t->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->chain)
		if (*pp == n) {
			*pp = n->chain;
			t->n--;
			break;
		}
	free(n->name);
	n->name = NULL;
}

/* Room in the ready heap for every budget there could be, and one more. */
static int
sched_reserve_ready(struct sched *s)
{
	size_t	 want = s->hosts.n + s->addrs.n;

	if (want > SIZE_MAX - 1)
		return -1;
	return heap_reserve(&s->ready, want + 1);
}

static void
sched_addr_init(struct sched_addr *a)
{
	a->slot = SCHED_NOSLOT;
	a->gate = SCHED_OPEN;
	a->hosts.less = sched_host_less;
	a->hosts.moved = sched_host_moved;
}

/* The budget of an address, with one more host counted against it. */
static struct sched_addr *
sched_addr_get(struct sched *s, const char *addr)
{
	struct sched_name	*n;
	struct sched_addr	*a;

	if ((n = table_find(&s->addrs, addr)) != NULL) {
		a = SCHED_CONTAINER(n, struct sched_addr, n);
		if (heap_reserve(&a->hosts, a->refs + 1) == -1)
			return NULL;
		a->refs++;
		return a;
	}
	if (table_reserve(&s->addrs) == -1 || sched_reserve_ready(s) == -1 ||
	    (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	sched_addr_init(a);
	if (heap_reserve(&a->hosts, 1) == -1)
		goto out_free;
	if (table_insert(&s->addrs, &a->n, addr) == -1)
		goto out_heap;
	a->refs = 1;
	return a;
 out_heap:
	free(a->hosts.v);
 out_free:
	free(a);
	return NULL;
}

/* A host no longer counts against a; the last one takes it along. */
static void
sched_addr_put(struct sched *s, struct sched_addr *a)
{
	if (--a->refs > 0)
		return;
	/* No host: out of the ready heap, nothing running. */
	table_remove(&s->addrs, &a->n);
	free(a->hosts.v);
	free(a);
}

/*
 * An address in the form inet_ntop() writes it, so that curl's text and
 * a host name that is an address meet: a URL's brackets around an IPv6
 * address dropped, an IPv4-mapped one written as IPv4.  -1 when it is
 * not an address.
 */
static int
sched_addr_canon(const char *in, char out[INET6_ADDRSTRLEN])
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 tmp[INET6_ADDRSTRLEN];
	size_t		 len = strlen(in);

	if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
		if (len - 2 >= sizeof(tmp))
			return -1;
		memcpy(tmp, in + 1, len - 2);
		tmp[len - 2] = '\0';
		in = tmp;
	}
	if (inet_pton(AF_INET, in, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, INET6_ADDRSTRLEN) ==
		    NULL ? -1 : 0;
	if (inet_pton(AF_INET6, in, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		return inet_ntop(AF_INET, &a4, out, INET6_ADDRSTRLEN) ==
		    NULL ? -1 : 0;
	}
	return inet_ntop(AF_INET6, &a6, out, INET6_ADDRSTRLEN) == NULL ?
	    -1 : 0;
}

/*
 * Count h against the budget of addr from now on, its transfers running
 * included: another host found there may have to wait for them.  The
 * budget learns h's gate, so a start just made under the old budget, or
 * a wait h was told, holds back the others there too.
 */
static int
sched_link(struct sched *s, struct sched_host *h, const char *addr)
{
	struct sched_addr	*a, *old = h->addr;

	if (old != &h->own && strcmp(old->n.name, addr) == 0)
		return 0;
	if ((a = sched_addr_get(s, addr)) == NULL)
		return -1;
	if (h->slot != SCHED_NOSLOT)
		heap_remove(&old->hosts, h->slot);
	old->running -= h->running;
	sched_addr_fix(s, old);
	a->running += h->running;
	a->gate = sched_max(a->gate, h->gate);
	h->addr = a;
	sched_fix(s, h);
	if (old != &h->own)
		sched_addr_put(s, old);
	return 0;
}

static struct sched_host *
sched_host_find(const struct sched *s, const char *name)
{
	struct sched_name	*n;

	if ((n = table_find(&s->hosts, name)) == NULL)
		return NULL;
	return SCHED_CONTAINER(n, struct sched_host, n);
}

static void
sched_kept_unlink(struct sched *s, struct sched_host *h)
{
	if (h->kept_prev != NULL)
		h->kept_prev->kept_next = h->kept_next;
	else
		s->kept_first = h->kept_next;
	if (h->kept_next != NULL)
		h->kept_next->kept_prev = h->kept_prev;
	else
		s->kept_last = h->kept_prev;
	h->kept_prev = h->kept_next = NULL;
	s->nkept--;
}

/* Forget h, which has no entry left. */
static void
sched_host_free(struct sched *s, struct sched_host *h)
{
	table_remove(&s->hosts, &h->n);
	if (h->addr != &h->own)
		sched_addr_put(s, h->addr);
	free(h->own.hosts.v);
	free(h->idle.v);
	free(h);
}

static struct sched_host *
sched_host_new(struct sched *s, const char *name)
{
	struct sched_host	*h;
	char			 addr[INET6_ADDRSTRLEN];

	if (table_reserve(&s->hosts) == -1 || sched_reserve_ready(s) == -1 ||
	    (h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->sched = s;
	h->refs = 1;
	h->slot = SCHED_NOSLOT;
	h->gate = SCHED_OPEN;
	h->idle.less = sched_idle_less;
	h->idle.moved = sched_idle_moved;
	sched_addr_init(&h->own);
	h->own.refs = 1;
	h->addr = &h->own;
	if (heap_reserve(&h->own.hosts, 1) == -1)
		goto out_free;
	if (table_insert(&s->hosts, &h->n, name) == -1)
		goto out_heap;
	/* A host that is an address is known to be there before it is
	 * asked anything; failing that, it is found at its first answer. */
	if (sched_addr_canon(name, addr) == 0)
		(void)sched_link(s, h, addr);
	return h;
 out_heap:
	free(h->own.hosts.v);
 out_free:
	free(h);
	return NULL;
}

/* The host of name, with one more entry; a kept one comes back. */
static struct sched_host *
sched_host_get(struct sched *s, const char *name)
{
	struct sched_host	*h;

	if ((h = sched_host_find(s, name)) == NULL)
		return sched_host_new(s, name);
	if (h->refs++ == 0)
		sched_kept_unlink(s, h);
	return h;
}

/*
 * The last entry of h is gone (h is idle and out of its budget's heap):
 * kept while its address or its gate is worth remembering, else freed.
 */
static void
sched_host_put(struct sched *s, struct sched_host *h)
{
	if (--h->refs > 0)
		return;
	if (h->addr == &h->own && h->gate <= s->now) {
		sched_host_free(s, h);
		return;
	}
	h->kept_next = NULL;
	if ((h->kept_prev = s->kept_last) != NULL)
		s->kept_last->kept_next = h;
	else
		s->kept_first = h;
	s->kept_last = h;
	if (++s->nkept > SCHED_KEEP_HOSTS) {
		h = s->kept_first;
		sched_kept_unlink(s, h);
		sched_host_free(s, h);
	}
}

void
sched_limits(struct sched *s, unsigned max_transfers, unsigned per_host)
{
	struct sched_name	*n;
	size_t			 i;

	s->max_transfers = max_transfers > 0 ? max_transfers : 1;
	per_host = per_host > 0 ? per_host : 1;
	if (per_host == s->per_host)
		return;
	/* Which hosts and budgets are at their limit changes: every budget
	 * has a host, so looking at each host again covers them all. */
	s->per_host = per_host;
	for (i = 0; i < s->hosts.nbuckets; i++)
		for (n = s->hosts.buckets[i]; n != NULL; n = n->chain)
			sched_fix(s, SCHED_CONTAINER(n, struct sched_host, n));
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
	struct sched_entry	*e;
	struct sched_name	*n, *next;
	struct sched_host	*h;
	struct sched_addr	*a;
	size_t			 i;

	if (s == NULL)
		return;
	/* Everything goes: no count needs to stay right on the way. */
	while ((e = s->entries) != NULL) {
		s->entries = e->next;
		free(e);
	}
	for (i = 0; i < s->hosts.nbuckets; i++)
		for (n = s->hosts.buckets[i]; n != NULL; n = next) {
			next = n->chain;
			h = SCHED_CONTAINER(n, struct sched_host, n);
			free(h->n.name);
			free(h->own.hosts.v);
			free(h->idle.v);
			free(h);
		}
	for (i = 0; i < s->addrs.nbuckets; i++)
		for (n = s->addrs.buckets[i]; n != NULL; n = next) {
			next = n->chain;
			a = SCHED_CONTAINER(n, struct sched_addr, n);
			free(a->n.name);
			free(a->hosts.v);
			free(a);
		}
	free(s->hosts.buckets);
	free(s->addrs.buckets);
	free(s->ready.v);
	free(s);
}

int
sched_host_busy(const struct sched *s, const char *host)
{
	const struct sched_host	*h;

	if ((h = sched_host_find(s, host)) == NULL)
		return 0;
	return h->running >= s->per_host || h->addr->running >= s->per_host;
}

int
sched_host_addr(struct sched *s, const char *host, const char *addr)
{
	struct sched_host	*h;
	char			 canon[INET6_ADDRSTRLEN];

	if (sched_addr_canon(addr, canon) == -1)
		return -1;
	/* Not scheduled: nothing to count. */
	if ((h = sched_host_find(s, host)) == NULL)
		return 0;
	return sched_link(s, h, canon);
}

void
sched_host_wait(struct sched *s, const char *host, int64_t until_ms)
{
	struct sched_host	*h;

	if ((h = sched_host_find(s, host)) == NULL)
		return;
	h->gate = sched_max(h->gate, until_ms);
	h->addr->gate = sched_max(h->addr->gate, until_ms);
	sched_fix(s, h);
}

const char *
sched_host(const struct sched_entry *e)
{
	return e->host->n.name;
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
	sched_fix(s, h);
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
	sched_fix(s, h);
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
		sched_fix(h->sched, h);
	}
}

/*
 * The gap runs from this start, for the host and for its budget: the
 * next transfer to either starts host_gap later at the soonest.
 */
static void
sched_started(struct sched *s, struct sched_host *h, int64_t now_ms)
{
	int64_t	 gate;

	if (s->gap == 0)
		return;
	gate = now_ms > INT64_MAX - s->gap ? INT64_MAX : now_ms + s->gap;
	h->gate = sched_max(h->gate, gate);
	h->addr->gate = sched_max(h->addr->gate, gate);
}

struct sched_entry *
sched_pop(struct sched *s, int64_t now_ms)
{
	struct sched_addr	*a;
	struct sched_host	*h;
	struct sched_entry	*e;

	s->now = now_ms;
	if (s->running >= s->max_transfers || s->ready.n == 0)
		return NULL;
	/* Its key is past: so is its first host's, and that one's entry. */
	a = s->ready.v[0];
	if (a->key > now_ms)
		return NULL;
	h = a->hosts.v[0];
	e = h->idle.v[0];
	heap_remove(&h->idle, 0);
	e->running = 1;
	h->running++;
	a->running++;
	s->running++;
	e->host_gate = h->gate;
	e->addr_gate = h->addr->gate;
	sched_started(s, h, now_ms);
	sched_fix(s, h);
	return e;
}

int
sched_done(struct sched *s, struct sched_entry *e, int64_t next_ms)
{
	struct sched_host	*h = e->host;

	/* Counted against the budget h has now: sched_link moved it. */
	if (e->running) {
		e->running = 0;
		h->running--;
		h->addr->running--;
		s->running--;
	}
	if (e->removed) {
		sched_fix(s, h);
		sched_entry_free(s, e);
		return 1;
	}
	if (e->slot == SCHED_NOSLOT) {
		/* Idle again; the room was reserved by sched_add. */
		sched_move(e, next_ms);
		heap_push(&h->idle, e);
		sched_fix(s, h);
	} else
		sched_set_due(e, next_ms);
	return 0;
}

int
sched_put_back(struct sched *s, struct sched_entry *e, int64_t next_ms)
{
	struct sched_host	*h = e->host;

	/* No request went: the next start to the host need not wait. */
	if (e->running) {
		h->gate = e->host_gate;
		h->addr->gate = e->addr_gate;
	}
	return sched_done(s, e, next_ms);
}

int64_t
sched_wait(const struct sched *s, int64_t now_ms)
{
	const struct sched_addr	*a;

	/* Blocked entries wait for a transfer to finish, not for a timer. */
	if (s->running >= s->max_transfers || s->ready.n == 0)
		return -1;
	a = s->ready.v[0];
	return a->key > now_ms ? a->key - now_ms : 0;
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
