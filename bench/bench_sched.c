/*
 * bench_sched: the cost of one scheduler operation as the queue grows.
 *
 *   build/rel/bench/bench_sched [TICKS]      (default 20000 per round)
 *
 * For n = 1,000, 10,000 and 100,000 entries (one in eleven a feed, spread
 * over its host, the others article pages; n / 100 hosts), the daemon's
 * steady state is replayed on a virtual clock, one millisecond a tick:
 * every tick pops what may start (sched_pop until NULL, then sched_wait,
 * as daemon_schedule does) and finishes the oldest running transfer.  A
 * finished feed is due again within about n ticks (sched_done); a
 * finished page is forgotten (sched_done + sched_remove) and a new page is
 * queued (sched_add).  Everything is seeded, so any two implementations
 * of the same semantics pop the same entries in the same order: the
 * checksum printed says so.  ROUNDS rounds of TICKS ticks run one after
 * the other on the same queue; the best round (CPU time) counts.  The cost
 * per operation at 100,000 over the cost at 1,000 is the figure to watch:
 * about 1.7 (log2 100000 / log2 1000) for a logarithmic scheduler, 100
 * for a linear scan.  Measured, it is nearer 3: the instructions per
 * operation stay flat (about 250 under callgrind at every n), the rest
 * is cache misses once the queue (13 MB at 100,000) outgrows the caches.
 *
 * Each n runs twice: "plain", without a gap between starts, and "polite",
 * the daemon's defaults in kind: GAP ticks between two starts to a host
 * or an address, HOSTS_PER_ADDR hosts found at each address (a CDN), and
 * one finished transfer in WAIT_EVERY told to hold its host back for
 * WAIT ticks (a 429).  The polite checksum differs, the order being
 * another; its cost per operation should stay near the plain one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/sched.h"

#define ROUNDS		3
#define TICKS		20000
#define MAX_TRANSFERS	64
#define PER_HOST	2
#define FEED_EVERY	11	/* one entry in FEED_EVERY is a feed */
#define HOST_SHARE	100	/* entries per host */
#define GAP		2	/* polite: ticks between starts to a host */
#define HOSTS_PER_ADDR	2
#define WAIT_EVERY	97
#define WAIT		200

struct bs_job {
	struct sched_entry	*se;
	size_t			 id;
	int			 feed;
};

struct bs_run {
	struct sched	*s;
	struct bs_job	*jobs;
	struct bs_job	**ring;		/* running, oldest first */
	size_t		 head, nrunning;
	size_t		 n, nhosts;
	char		(*hosts)[32];
	uint64_t	 rnd, sum;
	uint64_t	 ops, pops;
	uint64_t	 finished;
	int64_t		 now;
	int		 polite;
};

static double
bs_now(void)
{
	struct timespec	 ts;

	/* CPU time: the machine is shared, wall time measures neighbours. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
bs_rnd(struct bs_run *r)
{
	uint64_t	 z = (r->rnd += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A due time within about n ticks from now: one entry due per tick. */
static int64_t
bs_due(struct bs_run *r)
{
	return r->now + (int64_t)(bs_rnd(r) % (2 * r->n)) + 1;
}

static int
bs_add_page(struct bs_run *r, struct bs_job *j)
{
	j->feed = 0;
	j->se = sched_add(r->s, r->hosts[bs_rnd(r) % r->nhosts], bs_due(r), j,
	    0);
	r->ops++;
	return j->se != NULL ? 0 : -1;
}

/* Polite: the hosts found at their addresses, HOSTS_PER_ADDR each. */
static int
bs_addresses(struct bs_run *r)
{
	char	 addr[32];
	size_t	 i, a;

	sched_host_gap(r->s, GAP);
	for (i = 0; i < r->nhosts; i++) {
		a = i / HOSTS_PER_ADDR;
		snprintf(addr, sizeof(addr), "10.%zu.%zu.%zu", a >> 16 & 255,
		    a >> 8 & 255, a & 255);
		r->ops++;
		if (sched_host_addr(r->s, r->hosts[i], addr) == -1)
			return -1;
	}
	return 0;
}

static int
bs_setup(struct bs_run *r, size_t n, int polite)
{
	size_t	 i;

	memset(r, 0, sizeof(*r));
	r->n = n;
	r->polite = polite;
	r->nhosts = n / HOST_SHARE > 10 ? n / HOST_SHARE : 10;
	r->rnd = 0x5EED;
	if ((r->s = sched_new(MAX_TRANSFERS, PER_HOST)) == NULL ||
	    (r->jobs = calloc(n, sizeof(*r->jobs))) == NULL ||
	    (r->ring = calloc(MAX_TRANSFERS, sizeof(*r->ring))) == NULL ||
	    (r->hosts = calloc(r->nhosts, sizeof(*r->hosts))) == NULL)
		return -1;
	for (i = 0; i < r->nhosts; i++)
		snprintf(r->hosts[i], sizeof(r->hosts[i]), "h%zu.example", i);
	for (i = 0; i < n; i++) {
		r->jobs[i].id = i;
		if (i % FEED_EVERY != 0) {
			if (bs_add_page(r, &r->jobs[i]) == -1)
				return -1;
			continue;
		}
		r->jobs[i].feed = 1;
		r->jobs[i].se = sched_add(r->s, r->hosts[i % r->nhosts],
		    bs_due(r), &r->jobs[i], 1);
		if (r->jobs[i].se == NULL)
			return -1;
	}
	return polite ? bs_addresses(r) : 0;
}

static void
bs_teardown(struct bs_run *r)
{
	if (r->s != NULL)
		sched_free(r->s);
	free(r->jobs);
	free(r->ring);
	free(r->hosts);
}

/* The oldest running transfer ends. */
static int
bs_finish(struct bs_run *r)
{
	struct bs_job	*j = r->ring[r->head];

	r->head = (r->head + 1) % MAX_TRANSFERS;
	r->nrunning--;
	r->ops++;
	if (r->polite && ++r->finished % WAIT_EVERY == 0) {
		sched_host_wait(r->s, sched_host(j->se), r->now + WAIT);
		r->ops++;
	}
	if (j->feed) {
		sched_done(r->s, j->se, bs_due(r));
		return 0;
	}
	if (sched_done(r->s, j->se, INT64_MAX) == 0) {
		sched_remove(r->s, j->se);
		r->ops++;
	}
	return bs_add_page(r, j);
}

static int
bs_tick(struct bs_run *r)
{
	struct sched_entry	*se;
	struct bs_job		*j;

	r->now++;
	for (;;) {
		r->ops++;
		if ((se = sched_pop(r->s, r->now)) == NULL)
			break;
		j = sched_data(se);
		r->sum = (r->sum ^ j->id) * 0x100000001B3ULL;
		r->pops++;
		if (r->nrunning == MAX_TRANSFERS)
			return -1;	/* the global limit did not hold */
		r->ring[(r->head + r->nrunning++) % MAX_TRANSFERS] = j;
	}
	r->ops++;
	r->sum ^= (uint64_t)sched_wait(r->s, r->now);
	if (r->nrunning > 0)
		return bs_finish(r);
	return 0;
}

static int
bs_bench(size_t n, int polite, unsigned long ticks, double *per_op)
{
	struct bs_run	 r;
	double		 t0, secs, best = -1, setup;
	uint64_t	 ops, pops;
	unsigned long	 t;
	int		 round, rc = -1;

	t0 = bs_now();
	if (bs_setup(&r, n, polite) == -1) {
		fprintf(stderr, "bench_sched: out of memory\n");
		goto out;
	}
	setup = bs_now() - t0;
	for (round = 0; round < ROUNDS; round++) {
		ops = r.ops;
		pops = r.pops;
		t0 = bs_now();
		for (t = 0; t < ticks; t++)
			if (bs_tick(&r) == -1) {
				fprintf(stderr, "bench_sched: more than %d "
				    "running\n", MAX_TRANSFERS);
				goto out;
			}
		secs = bs_now() - t0;
		if (best < 0 || secs / (double)(r.ops - ops) < best)
			best = secs / (double)(r.ops - ops);
	}
	*per_op = best;
	printf("%-6s n %7zu: %5zu hosts, setup %8.3f s, %9" PRIu64 " ops, %8"
	    PRIu64 " started, %8.1f ns/op, checksum %016" PRIx64 "\n",
	    polite ? "polite" : "plain", n, r.nhosts, setup, r.ops - ops,
	    r.pops - pops, best * 1e9, r.sum);
	rc = 0;
 out:
	bs_teardown(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	static const size_t	 sizes[] = { 1000, 10000, 100000 };
	double			 cost[2][3];
	unsigned long		 ticks = TICKS;
	char			*end;
	size_t			 i;

	if (argc > 2) {
		fprintf(stderr, "usage: bench_sched [TICKS]\n");
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		ticks = strtoul(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' ||
		    ticks == 0 || ticks > 100000000) {
			fprintf(stderr, "bench_sched: bad TICKS: %s\n",
			    argv[1]);
			return 2;
		}
	}
	printf("max_transfers %d, per_host %d, %lu ticks a round, best of %d "
	    "rounds; polite: gap %d ticks, %d hosts an address, a wait of %d "
	    "every %d ends\n", MAX_TRANSFERS, PER_HOST, ticks, ROUNDS, GAP,
	    HOSTS_PER_ADDR, WAIT, WAIT_EVERY);
	for (i = 0; i < 6; i++)
		if (bs_bench(sizes[i % 3], i >= 3, ticks,
		    &cost[i >= 3][i % 3]) == -1)
			return 1;
	printf("per-op cost 100,000 / 1,000: plain %.2f, polite %.2f "
	    "(logarithmic: about 1.7, linear: 100)\n", cost[0][2] / cost[0][0],
	    cost[1][2] / cost[1][0]);
	printf("polite / plain per op at 100,000: %.2f\n",
	    cost[1][2] / cost[0][2]);
	return 0;
}
