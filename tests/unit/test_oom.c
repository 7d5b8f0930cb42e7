/*
 * test_oom: allocation-failure torture, as curl's tests do it.  Each
 * entry point below is run once without failures, which counts its
 * allocations (K) and gives the result to compare with; then for N in
 * 1..K with the Nth allocation failing, and again with every allocation
 * from the Nth on failing.  Every run must:
 *   - not crash (the sanitizer build also catches a bad read or free);
 *   - give back every block it took (tests/unit/oom.h keeps the set of
 *     live blocks: its size after the run is its size before);
 *   - report an error, or succeed with exactly the result of the run
 *     without failures: a success with another result is the bug looked
 *     for, a field dropped or a text cut without a word;
 *   - leave the files it wrote as they must be after an error (state,
 *     spool).
 *
 * What is failed (tests/unit/oom.h): our own objects' malloc, calloc,
 * realloc, reallocarray, strdup, strndup, asprintf, vasprintf (ld
 * --wrap, this program alone: see OOM_WRAP in the Makefile), utf8proc_map,
 * iconv_open and fdopendir (one allocation each), and the allocators of
 * libxml2, SQLite, jansson and libcurl.  Not failed: what libxml2's
 * parsers and jansson's lexer allocate inside xmlParseChunk,
 * xmlCtxtReadMemory, htmlParseDocument (xmlcap.c's, and htmlReadMemory's)
 * and json_loadb, which those libraries do not survive (crashes, endless
 * loops, a heap overflow: see oom.h), and in htmlNewParserCtxt, which
 * leaks on one of its own; OOM_PARSERS=1 OOM_FORK=1 fails them too,
 * each run in a child, and counts the crashes inside the libraries
 * apart.
 *
 * The entry points, and what counts as right under a failure:
 *   feed_parse + feed_to_json, on every file of tests/fixtures/feeds
 *   (HTML that is no feed included: an error with or without failures);
 *   extract_page + extract_to_json, on tests/fixtures/pages and the seed
 *   article's page; norm_text, norm_line(_lang), norm_nfc; boiler_title,
 *   boiler_title_tag (its NULL also means "no tag": the caller learns
 *   one title less, the one degradation allowed), boiler_body;
 *   text_from_html, text_line_from_html, htmlclean_match; url_join,
 *   url_absolute, url_resolve, url_canonical; date_parse and date_format
 *   (which allocate nothing: K is 0); the state store (open and create,
 *   a transaction of writes with a part undone, close, open again, every
 *   reader: after an error the file opens again and holds all of the
 *   transaction or none of it); the spool (deliver, a batch committed, a
 *   batch dropped: after an error tmp/ is empty and new/ holds whole
 *   files only); dedup (fingerprints, the index, a match, expiry); and
 *   stories (story_key, story_from_item, story_add_page,
 *   story_mark_duplicate, story_dump and story_load of what it dumped,
 *   which dumps the same bytes).
 *
 * Knobs: OOM_ONLY=substring (entries by name), OOM_N=n (start there),
 * OOM_FULL=1 (every N, no stride), OOM_TRACE=1 (each N on stderr),
 * OOM_SHOW=1 (each entry's result without failures),
 * OOM_BT=1 (the failed allocation's call stack with each report; break
 * on oom_failing in a debugger), OOM_FORK=1 (each run in a child, so a
 * crash is reported and the runs go on), OOM_PARSERS=1 (see above).
 * The state store runs on /dev/shm unless TMPDIR is set.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include <cmocka.h>
#include <libxml/xmlerror.h>

#include "tests/unit/oom.h"
#include "tests/unit/tmpdir.h"

#include "parsers/boiler.h"
#include "parsers/buf.h"
#include "parsers/date.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "parsers/htmlclean.h"
#include "parsers/norm.h"
#include "parsers/text.h"
#include "parsers/url.h"
#include "store/dedup.h"
#include "store/spool.h"
#include "store/state.h"
#include "daemon/ingest.h"
#include "daemon/story.h"

/*
 * One entry point under torture.  run() is the part whose allocations
 * are counted and failed; it keeps what it made in the context and says
 * 0 (success) or -1 (an error reported).  show() is not: it writes the
 * result as text into out (compared with the run without failures) and
 * frees it; rc is what run() said.  It returns -1 (and says why) when
 * what is left after an error is not what must be left.  prep() readies
 * what a run needs, uncounted (a fresh directory).
 */
struct entry {
	const char	*name;
	void		*ctx;
	int		(*run)(void *ctx);
	int		(*show)(void *ctx, int rc, struct buf *out);
	void		(*prep)(void *ctx);	/* before each run, or NULL */
	unsigned long	 budget;	/* runs failing the Nth; 0: OOM_RUNS */
};

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Which N of 1..K are tried.  Failing only the Nth: all of them when K
 * is within the entry's budget (OOM_RUNS unless it says), else every N
 * of the first and of the last quarter of the budget (the set-up and
 * the readers and teardown at the end), and a stride between that keeps
 * to the budget.  Failing every allocation from the Nth on (as real
 * exhaustion does, and what the error paths' own allocations then
 * meet): a stride that keeps to OOM_PERSIST_RUNS.  OOM_FULL=1 tries
 * every N both ways.
 */
#define OOM_RUNS		2000
#define OOM_PERSIST_RUNS	200

static unsigned long
budget_of(const struct entry *e)
{
	return e->budget != 0 ? e->budget : OOM_RUNS;
}

/* The stride between the ends (1: every N). */
static unsigned long
stride(const struct entry *e, unsigned long k, bool persist)
{
	unsigned long	 b = budget_of(e), d = b / 4;

	if (getenv("OOM_FULL") != NULL)
		return 1;
	if (persist)
		return k <= OOM_PERSIST_RUNS ? 1 :
		    (k + OOM_PERSIST_RUNS - 1) / OOM_PERSIST_RUNS;
	if (k <= b)
		return 1;
	return (k - 2 * d + (b - 2 * d) - 1) / (b - 2 * d);
}

/* The N after n. */
static unsigned long
next_n(const struct entry *e, unsigned long k, unsigned long n,
    bool persist, unsigned long step)
{
	unsigned long	 d = budget_of(e) / 4;

	if (persist || step == 1 || n < d || n >= k - d)
		return n + (persist ? step : 1);
	return n + step > k - d ? k - d : n + step;
}

/*
 * Every entry point is tried to its end even when one failed before, so
 * that a run shows all there is; the test fails at the end.
 */
static unsigned	 failures;

static void	 report(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
report(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (getenv("OOM_BT") != NULL && oom.nwhere > 0) {
		fprintf(stderr, "  the allocation that failed (%s):\n",
		    oom.who);
		fflush(stderr);
		backtrace_symbols_fd(oom.where, oom.nwhere, STDERR_FILENO);
	}
	failures++;
}

/* What the Nth allocation is: "N=12", "N=12 and after". */
static const char *
nth(unsigned long n, bool persist)
{
	static char	 s[64];

	snprintf(s, sizeof(s), "N=%lu%s", n, persist ? " and after" : "");
	return s;
}

/*
 * One run, failing allocation n (0: none, which only counts), its result
 * into out and what run() said into *rc.  -1 when a block was not given
 * back or show() found a bad state.
 */
static int
run_once(const struct entry *e, unsigned long n, bool persist,
    struct buf *out, int *rc)
{
	size_t	 live;

	if (e->prep != NULL)
		e->prep(e->ctx);
	/* libxml2 keeps the last error (and its strings) globally. */
	xmlResetLastError();
	live = oom_live;
	oom_arm(n, persist);
	*rc = e->run(e->ctx);
	oom_disarm();
	buf_reset(out);
	if (e->show(e->ctx, *rc, out) == -1) {
		report("%s: %s: left in a bad state (above)", e->name,
		    nth(n, persist));
		return -1;
	}
	xmlResetLastError();
	if (oom_live == live)
		return 0;
	report("%s: %s: %zd blocks not given back", e->name, nth(n, persist),
	    (ssize_t)oom_live - (ssize_t)live);
	return -1;
}

/* Report the first line where got is not want. */
static void
differ(const struct entry *e, const char *which, const struct buf *want,
    const struct buf *got)
{
	size_t	 i, line = 0, w, g;

	for (i = 0; i < want->len && i < got->len &&
	    want->data[i] == got->data[i]; i++)
		if (want->data[i] == '\n')
			line = i + 1;
	w = strcspn(want->data + line, "\n");
	g = strcspn(got->data + line, "\n");
	report("%s: %s: success, but another result, at byte %zu:\n"
	    "  want: %.*s\n  got:  %.*s", e->name, which, i, (int)w,
	    want->data + line, (int)g, got->data + line);
}

/* What one run with a failing allocation came to. */
enum outcome {
	RUN_ERROR,		/* an error reported: fine */
	RUN_SAME,		/* success, the same result: fine */
	RUN_BAD,		/* the rest are not: reported */
	RUN_CRASH,		/* a signal (OOM_FORK only) */
	RUN_LIBCRASH		/* the same, inside a sheltered parser */
};

/* The run without failures, to compare with. */
struct baseline {
	struct buf	 out;
	int		 rc;
	unsigned long	 k;
};

static enum outcome
try_once(const struct entry *e, unsigned long n, bool persist,
    const struct baseline *want, struct buf *got)
{
	int	 rc;

	if (run_once(e, n, persist, got, &rc) == -1)
		return RUN_BAD;
	if (rc != 0)
		return RUN_ERROR;
	if (want->rc != 0) {
		report("%s: %s: success where it failed without a failing "
		    "allocation", e->name, nth(n, persist));
		return RUN_BAD;
	}
	if (got->len != want->out.len || memcmp(got->data, want->out.data,
	    got->len) != 0) {
		differ(e, nth(n, persist), &want->out, got);
		return RUN_BAD;
	}
	return RUN_SAME;
}

/*
 * A fatal signal (or the alarm) in a child of OOM_FORK: say where, and
 * whether that was inside a library after one of its own allocations
 * failed (only possible with OOM_PARSERS).
 */
static void
on_crash(int sig, siginfo_t *si, void *uc)
{
	Dl_info		 dl;
	void		*pc = NULL, *frames[32];
	char		 msg[512];
	int		 n, lib = 0;

	(void)si;
#if defined(__x86_64__)
	pc = (void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#else
	(void)uc;
#endif
	memset(&dl, 0, sizeof(dl));
	if (pc != NULL && dladdr(pc, &dl) != 0 && dl.dli_fname != NULL &&
	    oom.who != NULL && strcmp(oom.who, OOM_US) != 0 &&
	    strstr(dl.dli_fname, oom.who) != NULL)
		lib = 1;
	n = snprintf(msg, sizeof(msg), "signal %d at %p in %s (%s), after "
	    "failing an allocation of %s\n", sig, pc,
	    dl.dli_fname != NULL ? dl.dli_fname : "?",
	    dl.dli_sname != NULL ? dl.dli_sname : "?",
	    oom.who != NULL ? oom.who : "nobody");
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(RUN_CRASH);
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
	_exit(lib ? RUN_LIBCRASH : RUN_CRASH);
}

/* try_once in a child process, which may crash or hang. */
static enum outcome
try_forked(const struct entry *e, unsigned long n, bool persist,
    const struct baseline *want, struct buf *got)
{
	static const int	 sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
				    SIGALRM };
	struct sigaction	 sa;
	pid_t			 pid;
	size_t			 i;
	int			 st;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_crash;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
		/* libxml2's HTML parser may loop for ever (oom.h) */
		alarm(20);
		st = try_once(e, n, persist, want, got);
		fflush(NULL);
		_exit(st);
	}
	if (waitpid(pid, &st, 0) == -1)
		fail_msg("waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) <= RUN_LIBCRASH) {
		if (WEXITSTATUS(st) == RUN_BAD || WEXITSTATUS(st) == RUN_CRASH)
			failures++;	/* reported by the child */
		return (enum outcome)WEXITSTATUS(st);
	}
	report("%s: %s: %s %d", e->name, nth(n, persist), WIFSIGNALED(st) ?
	    "killed by signal" : "exit status", WIFSIGNALED(st) ?
	    WTERMSIG(st) : WEXITSTATUS(st));
	return RUN_CRASH;
}

/* The tally of one way of failing. */
struct pass {
	bool		 persist;
	unsigned long	 step, runs, errors, libcrashes;
};

/*
 * One way of failing over the N it tries (stride()), from OOM_N on.  In
 * process a pass stops at its first failure (reported), as the state
 * left may be anything; -1 then.
 */
static int
pass_run(const struct entry *e, const struct baseline *want,
    struct buf *got, struct pass *p)
{
	const char	*first = getenv("OOM_N");
	unsigned long	 n;
	enum outcome	 o;
	bool		 forked = getenv("OOM_FORK") != NULL;

	p->step = stride(e, want->k, p->persist);
	n = first != NULL ? strtoul(first, NULL, 10) : 1;
	for (; n >= 1 && n <= want->k;
	    n = next_n(e, want->k, n, p->persist, p->step)) {
		if (getenv("OOM_TRACE") != NULL)
			fprintf(stderr, "%s: %s\n", e->name,
			    nth(n, p->persist));
		p->runs++;
		o = forked ? try_forked(e, n, p->persist, want, got) :
		    try_once(e, n, p->persist, want, got);
		if (o == RUN_ERROR)
			p->errors++;
		else if (o == RUN_LIBCRASH)
			p->libcrashes++;
		else if (o != RUN_SAME && !forked)
			return -1;
	}
	return 0;
}

/*
 * Run e without failures (twice: lazy state is set up by the first), which
 * counts its allocations, K; then once for each N tried, failing the Nth
 * only, and once for each N tried, failing every allocation from the Nth
 * on.  Each run must give back every block, leave what show() checks in a
 * good state, and either report an error or succeed with the result of
 * the run without failures.  OOM_ONLY=substring picks entries by name.
 */
static void
torture(const struct entry *e)
{
	struct baseline	 want;
	struct buf	 got;
	struct pass	 one = { false, 0, 0, 0, 0 };
	struct pass	 all = { true, 0, 0, 0, 0 };
	const char	*only = getenv("OOM_ONLY");
	double		 t0 = now();

	if (only != NULL && strstr(e->name, only) == NULL)
		return;
	/* Allocated already, so that a result does not count as a block. */
	buf_init(&want.out, SIZE_MAX - 1);
	buf_init(&got, SIZE_MAX - 1);
	assert_int_equal(buf_addch(&want.out, 0), BUF_OK);
	assert_int_equal(buf_addch(&got, 0), BUF_OK);
	if (run_once(e, 0, false, &want.out, &want.rc) == -1 ||
	    run_once(e, 0, false, &want.out, &want.rc) == -1)
		goto out;
	want.k = oom.seen;
	if (getenv("OOM_SHOW") != NULL)
		printf("%s, without failures (%s):\n%s\n", e->name,
		    want.rc == 0 ? "success" : "an error", want.out.data);
	if (pass_run(e, &want, &got, &one) == -1 ||
	    pass_run(e, &want, &got, &all) == -1)
		goto out;
	printf("oom: %-34s K=%-5lu  Nth: %4lu runs (stride %lu), %4lu errors"
	    "  Nth on: %3lu runs (stride %lu), %3lu errors  %5.2f s\n",
	    e->name, want.k, one.runs, one.step, one.errors, all.runs,
	    all.step, all.errors, now() - t0);
	if (one.libcrashes + all.libcrashes > 0)
		printf("oom: %-34s %lu crashes inside the parsers' libraries\n",
		    e->name, one.libcrashes + all.libcrashes);
 out:
	buf_free(&want.out);
	buf_free(&got);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

/* Every file of dir, in name order, through fn. */
static void
each_file(const char *dir, void (*fn)(const char *path, const char *name))
{
	struct dirent	**ents;
	char		  path[4096];
	int		  i, n, r;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		fail_msg("cannot read %s", dir);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			r = snprintf(path, sizeof(path), "%s/%s", dir,
			    ents[i]->d_name);
			assert_true(r > 0 && (size_t)r < sizeof(path));
			fn(path, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
}

/* feed_parse and feed_to_json */

struct feed_ctx {
	const char	*data;
	size_t		 len;
	const char	*charset;
	struct feed_doc	*doc;
	char		*json;
	char		 err[256];
};

static int
feed_run(void *arg)
{
	struct feed_ctx	*c = arg;

	c->err[0] = '\0';
	if (feed_parse(c->data, c->len, "https://example.org/feeds/x.xml",
	    c->charset, &c->doc, c->err, sizeof(c->err)) == -1)
		return -1;
	if ((c->json = feed_to_json(c->doc)) == NULL)
		return -1;
	return 0;
}

static int
feed_show(void *arg, int rc, struct buf *out)
{
	struct feed_ctx	*c = arg;
	int		 ok = 0;

	if (rc == 0)
		(void)buf_addstr(out, c->json);
	else if (c->doc == NULL && c->err[0] == '\0') {
		fprintf(stderr, "feed_parse failed without a reason\n");
		ok = -1;
	}
	free(c->json);
	c->json = NULL;
	feed_free(c->doc);
	c->doc = NULL;
	return ok;
}

static void
feed_one(const char *path, const char *name)
{
	struct feed_ctx	 c;
	struct entry	 e = { NULL, &c, feed_run, feed_show, NULL, 0 };
	char		 label[128];
	char		*data;

	memset(&c, 0, sizeof(c));
	data = slurp(path, &c.len);
	c.data = data;
	snprintf(label, sizeof(label), "feed_parse %s", name);
	e.name = label;
	torture(&e);
	free(data);
}

static void
test_feed(void **unused)
{
	(void)unused;
	each_file("tests/fixtures/feeds", feed_one);
	assert_int_equal(failures, 0);
}

/* extract_page and extract_to_json */

struct extract_ctx {
	const char	*html;
	size_t		 len;
	struct extract	*x;
	char		*json;
	char		 err[256];
};

static int
extract_run(void *arg)
{
	struct extract_ctx	*c = arg;

	c->err[0] = '\0';
	if (extract_page(c->html, c->len, "https://news.example/dir/p.html",
	    &c->x, c->err, sizeof(c->err)) == -1)
		return -1;
	if ((c->json = extract_to_json(c->x)) == NULL)
		return -1;
	return 0;
}

static int
extract_show(void *arg, int rc, struct buf *out)
{
	struct extract_ctx	*c = arg;

	if (rc == 0)
		(void)buf_addstr(out, c->json);
	free(c->json);
	c->json = NULL;
	extract_free(c->x);
	c->x = NULL;
	return 0;
}

static void
extract_one(const char *path, const char *name)
{
	struct extract_ctx	 c;
	struct entry		 e = { NULL, &c, extract_run, extract_show,
				    NULL, 0 };
	char			 label[128];
	char			*html;

	memset(&c, 0, sizeof(c));
	html = slurp(path, &c.len);
	c.html = html;
	snprintf(label, sizeof(label), "extract_page %s", name);
	e.name = label;
	torture(&e);
	free(html);
}

static void
test_extract(void **unused)
{
	(void)unused;
	each_file("tests/fixtures/pages", extract_one);
	/* the seed article, whole: navigation, share boxes, JSON-LD */
	extract_one("tests/fixtures/site/news/blinken-beijing.html",
	    "blinken-beijing.html");
	assert_int_equal(failures, 0);
}

/*
 * The text functions: a list of calls, each giving a malloc'd string
 * (NULL: out of memory), run in turn; the first NULL is the error.
 */
#define STR_CALLS	12

struct str_ctx {
	char	*(*call[STR_CALLS])(const char *const *args);
	const char *const *args[STR_CALLS];
	size_t	 n;
	char	*r[STR_CALLS];
};

static int
str_run(void *arg)
{
	struct str_ctx	*c = arg;
	size_t		 i;

	for (i = 0; i < c->n; i++)
		if ((c->r[i] = c->call[i](c->args[i])) == NULL)
			return -1;
	return 0;
}

static int
str_show(void *arg, int rc, struct buf *out)
{
	struct str_ctx	*c = arg;
	size_t		 i;

	for (i = 0; i < c->n; i++) {
		if (rc == 0)
			(void)buf_printf(out, "[%zu] %s\n", i, c->r[i]);
		free(c->r[i]);
		c->r[i] = NULL;
	}
	return 0;
}

static void
str_add(struct str_ctx *c, char *(*fn)(const char *const *),
    const char *const *args)
{
	assert_true(c->n < STR_CALLS);
	c->call[c->n] = fn;
	c->args[c->n] = args;
	c->n++;
}

static void
str_torture(const char *name, struct str_ctx *c)
{
	struct entry	 e = { name, c, str_run, str_show, NULL, 0 };

	torture(&e);
}

/* What the seed article's fixtures hold, read once. */
static struct {
	char	*raw;		/* tests/fixtures/seed/blinken.txt */
	char	*clean;		/* tests/fixtures/seed/expected.txt */
	char	*page;		/* its page */
	size_t	 pagelen;
	char	*feed;		/* the feed it comes in */
	size_t	 feedlen;
} seed;

static void
seed_read(void)
{
	size_t	 len;

	if (seed.raw != NULL)
		return;
	seed.raw = slurp("tests/fixtures/seed/blinken.txt", &len);
	seed.clean = slurp("tests/fixtures/seed/expected.txt", &len);
	seed.page = slurp("tests/fixtures/site/news/blinken-beijing.html",
	    &seed.pagelen);
	seed.feed = slurp("tests/fixtures/site/feeds/seed.xml",
	    &seed.feedlen);
}

static char *
c_norm_text(const char *const *a)
{
	return norm_text(a[0], a[1]);
}

static char *
c_norm_line(const char *const *a)
{
	return norm_line(a[0]);
}

static char *
c_norm_line_lang(const char *const *a)
{
	return norm_line_lang(a[0], a[1]);
}

static char *
c_norm_nfc(const char *const *a)
{
	return norm_nfc(a[0]);
}

static void
test_norm(void **unused)
{
	static const char *seed_any[2], *seed_en[2];
	static const char *const quotes[] = {
		"\xc2\xab Bonjour \xc2\xbb , dit-il . . Fin\xe2\x80\x8b.\r\n"
		"A\xcc\x81 la ligne&amp;amp; \xff", "fr" };
	static const char *const en[] = {
		"He said \xc2\xab yes \xc2\xbb , then left . .\nNext "
		"paragraph\xc2\xa0with\xc2\xadsoft hyphens and e\xcc\x81t"
		"e\xcc\x81.", "en" };
	static const char *const line[] = {
		"  A  title\nover\ttwo lines &eacute; e\xcc\x81  ", NULL };
	static const char *const nfc[] = {
		"Cafe\xcc\x81 \xe1\x84\x80\xe1\x85\xa1 A\xcc\x8a", NULL };
	struct str_ctx	 c;

	(void)unused;
	seed_read();
	seed_any[0] = seed_en[0] = seed.raw;
	seed_en[1] = "en";
	memset(&c, 0, sizeof(c));
	str_add(&c, c_norm_text, seed_any);
	str_add(&c, c_norm_text, seed_en);
	str_add(&c, c_norm_text, quotes);
	str_add(&c, c_norm_text, en);
	str_add(&c, c_norm_line, line);
	str_add(&c, c_norm_line_lang, en);
	str_add(&c, c_norm_nfc, nfc);
	str_torture("norm", &c);
	assert_int_equal(failures, 0);
}

static const struct boiler_hints seed_hints = {
	"ltc-a", "LTC Actualit\xc3\xa9s", "www.ltc-a.example", NULL, 0
};

static char *
c_boiler_title(const char *const *a)
{
	return boiler_title(a[0], &seed_hints);
}

static char *
c_boiler_title_tag(const char *const *a)
{
	return boiler_title_tag(a[0]);
}

static char *
c_boiler_body(const char *const *a)
{
	static const char *const lines[] = { "share this article",
	    "sign up for our newsletter" };

	return boiler_body(a[0], a[1], a[2], lines, 2);
}

static void
test_boiler(void **unused)
{
	static const char *const title[] = {
		"Blinken plans to meet with top Chinese officials in Beijing "
		"| ltc-a" };
	static const char *const title2[] = {
		"The New York Times - Harbour ferries return" };
	static const char *body[3];
	struct str_ctx	 c;

	(void)unused;
	seed_read();
	body[0] = seed.raw;
	body[1] = title[0];
	body[2] = "By Jane Doe";
	memset(&c, 0, sizeof(c));
	str_add(&c, c_boiler_title, title);
	str_add(&c, c_boiler_title, title2);
	/* NULL is also "no tag": the caller learns one title less. */
	str_add(&c, c_boiler_title_tag, title);
	str_add(&c, c_boiler_body, body);
	str_torture("boiler", &c);
	assert_int_equal(failures, 0);
}

static char *
c_text_from_html(const char *const *a)
{
	return text_from_html(a[0], strlen(a[0]));
}

static char *
c_text_line(const char *const *a)
{
	return text_line_from_html(a[0], strlen(a[0]));
}

static char *
c_htmlclean(const char *const *a)
{
	return htmlclean_match(a[0], a[1], a[2]);
}

static void
test_text(void **unused)
{
	static const char *page[1], *clean[3];
	static const char *const frag[] = {
		"<p>One &amp; <b>two</b><br>three</p><ul><li>four</li></ul>"
		"<script>x()</script><div>five&nbsp;six</div>" };
	static const char *const title[] = { "A <em>bold</em> &quot;title"
	    "&quot;\n here" };
	struct extract	*x = NULL;
	struct str_ctx	 c;
	char		 err[256];

	(void)unused;
	seed_read();
	page[0] = seed.page;
	if (extract_page(seed.page, seed.pagelen, "https://ltc-a.example/"
	    "news/blinken-beijing.html", &x, err, sizeof(err)) == -1)
		fail_msg("extract_page: %s", err);
	clean[0] = x->html;
	clean[1] = seed.clean;
	clean[2] = "en";
	memset(&c, 0, sizeof(c));
	str_add(&c, c_text_from_html, frag);
	str_add(&c, c_text_from_html, page);
	str_add(&c, c_text_line, title);
	str_add(&c, c_htmlclean, clean);
	str_torture("text, htmlclean", &c);
	extract_free(x);
	assert_int_equal(failures, 0);
}

/* url_join into a buf, as a string. */
static char *
c_url_join(const char *const *a)
{
	struct buf	 b;

	buf_init(&b, 4096);
	if (url_join(&b, a[0], strlen(a[0]), a[1]) != BUF_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static char *
c_url_absolute(const char *const *a)
{
	return url_absolute(a[0], a[1]);
}

static char *
c_url_resolve(const char *const *a)
{
	return url_resolve(a[0], a[1]);
}

static char *
c_url_canonical(const char *const *a)
{
	return url_canonical(a[0]);
}

static void
test_url(void **unused)
{
	static const char *const rel[] = { "../a/./b/../c?x=1#f",
	    "https://Example.ORG:443/p/q/r" };
	static const char *const feed[] = { "feed://Example.org/x", NULL };
	static const char *const proto[] = { "//h.example/x",
	    "http://b.example/" };
	static const char *const amp[] = { "https://amp.Example.org:443/news/"
	    "amp/story.amp.html?utm_source=x&id=3&fbclid=y&amp=1#top" };
	static const char *const enc[] = { "http://user:pw@h.example./a/%7e"
	    "b/%2f/../c/?q=%e2%82%ac" };
	struct str_ctx	 c;

	(void)unused;
	memset(&c, 0, sizeof(c));
	str_add(&c, c_url_join, rel);
	str_add(&c, c_url_absolute, rel);
	str_add(&c, c_url_absolute, feed);
	str_add(&c, c_url_absolute, proto);
	str_add(&c, c_url_resolve, rel);
	str_add(&c, c_url_canonical, amp);
	str_add(&c, c_url_canonical, enc);
	str_torture("url", &c);
	assert_int_equal(failures, 0);
}

/* date_parse and date_format allocate nothing: K must be 0. */
struct date_ctx {
	char	 out[2048];
};

static int
date_run(void *arg)
{
	static const char *const dates[] = {
		"Wed, 14 Jun 2023 18:05:00 GMT", "2024-03-01T08:00:00+01:00",
		"Sun Nov  6 08:49:37 1994", "Sunday, 06-Nov-94 08:49:37 GMT",
		"14 juin 2023 18:05", "1686765900", "2023-06-14",
		"Mi, 14 Jun 2023 18:05:00 MESZ", "not a date"
	};
	struct date_ctx	*c = arg;
	char		 buf[DATE_RFC3339_LEN];
	size_t		 i, len = 0;
	int64_t		 t;
	int		 n;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		if (date_parse(dates[i], &t) == -1)
			snprintf(buf, sizeof(buf), "-");
		else if (date_format(t, buf, sizeof(buf)) == -1)
			return -1;
		n = snprintf(c->out + len, sizeof(c->out) - len, "%s\n", buf);
		if (n < 0 || (size_t)n >= sizeof(c->out) - len)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

static int
date_show(void *arg, int rc, struct buf *out)
{
	struct date_ctx	*c = arg;

	if (rc == 0)
		(void)buf_addstr(out, c->out);
	return 0;
}

static void
test_date(void **unused)
{
	struct date_ctx	 c;
	struct entry	 e = { "date", &c, date_run, date_show, NULL, 0 };

	(void)unused;
	torture(&e);
	assert_int_equal(failures, 0);
}

/*
 * The state store, on a real SQLite file in a fresh directory each run:
 * open (creating the schema), one delivery's worth of writes in a
 * transaction, every reader, close, open again (the existing file).  What
 * the callbacks see goes into log, written without allocating.  After an
 * error the file must open again (unhooked) and hold no half of the
 * transaction.
 */
struct state_ctx {
	char		 dir[4096];
	char		 db[4200];
	struct state	*st;
	struct state_feed feed;
	struct state_story story;
	char		**tags;
	char		**lines;
	char		*health;
	int64_t		 since;
	char		 log[4096];
	size_t		 loglen;
	bool		 committed;
};

static void	 ctx_log(char *, size_t, size_t *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static void
ctx_log(char *log, size_t size, size_t *len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(log + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

static int
state_pending_cb(void *arg, const struct state_pending_row *r)
{
	struct state_ctx	*c = arg;

	ctx_log(c->log, sizeof(c->log), &c->loglen, "pending %s %s %s %d\n",
	    r->id, r->spool_name, r->json, r->page_done);
	return 0;
}

static int
state_fp_cb(void *arg, const char *id, int64_t t, const struct dedup_fp *fp,
    const char *url)
{
	struct state_ctx	*c = arg;

	ctx_log(c->log, sizeof(c->log), &c->loglen, "fp %s %lld %016llx %u "
	    "%08x %s\n", id, (long long)t, (unsigned long long)fp->simhash,
	    fp->nshingles, fp->minhash[7], url != NULL ? url : "-");
	return 0;
}

static int
state_sighting_cb(void *arg, const char *feed, const char *url, int64_t t)
{
	struct state_ctx	*c = arg;

	ctx_log(c->log, sizeof(c->log), &c->loglen, "seen %s %s %lld\n", feed,
	    url, (long long)t);
	return 0;
}

static int
state_feed_cb(void *arg, const char *name, const struct state_feed *f)
{
	struct state_ctx	*c = arg;

	ctx_log(c->log, sizeof(c->log), &c->loglen, "feed %s %s %ld %u\n",
	    name, f->url, f->last_status, f->failures);
	return 0;
}

static void
state_prep(void *arg)
{
	struct state_ctx	*c = arg;
	int			 n;

	if (tmpdir_make(c->dir, sizeof(c->dir), "test_oom") == -1)
		fail_msg("cannot make a directory: %s", strerror(errno));
	n = snprintf(c->db, sizeof(c->db), "%s/state.db", c->dir);
	assert_true(n > 0 && (size_t)n < sizeof(c->db));
	c->loglen = 0;
	c->log[0] = '\0';
	c->committed = false;
}

/* The writes of one delivery, and a part undone. */
static int
state_writes(struct state_ctx *c)
{
	static const char *const paras[] = { "Share this article",
	    "A paragraph of the story", "Sign up for our newsletter" };
	struct state_feed	 f;
	struct dedup_fp		 fp;
	int			 i;

	memset(&f, 0, sizeof(f));
	f.url = (char *)(uintptr_t)"https://ltc-a.example/feed.xml";
	f.etag = (char *)(uintptr_t)"\"abc\"";
	f.held = 1;
	f.held_etag = (char *)(uintptr_t)"\"def\"";
	f.next_why = (char *)(uintptr_t)"interval";
	f.last_status = 200;
	f.last_poll = 1700000000;
	memset(&fp, 0, sizeof(fp));
	fp.simhash = UINT64_C(0x0123456789abcdef);
	fp.text_hash = 7;
	fp.nshingles = 42;
	for (i = 0; i < DEDUP_MINHASH; i++)
		fp.minhash[i] = (uint32_t)i * 2654435761u;
	if (state_begin(c->st) == -1 ||
	    state_feed_save(c->st, "ltc", &f) == -1 ||
	    state_item_begin(c->st, "ltc", "https://ltc-a.example/1",
	    "00000000000000a1", 1700000000, "1.00000000000000a1.json",
	    "{\"id\":\"00000000000000a1\"}", 0) == -1 ||
	    state_item_begin(c->st, "ltc", "https://ltc-a.example/2",
	    "00000000000000a2", 1700000001, "2.00000000000000a2.json",
	    "{\"id\":\"00000000000000a2\"}", 0) == -1 ||
	    state_item_delivered(c->st, "00000000000000a1") == -1 ||
	    state_item_set_hash(c->st, "00000000000000a1", 99) == -1 ||
	    state_fp_save(c->st, "00000000000000a1", 1700000000, &fp,
	    "https://ltc-a.example/1") == -1 ||
	    state_sighting_add(c->st, "00000000000000a1", "other",
	    "https://other.example/x", 1700000005) == -1 ||
	    state_item_restory(c->st, "00000000000000a2",
	    "{\"id\":\"00000000000000a2\",\"page\":1}") == -1 ||
	    state_feeds_release(c->st) == -1 ||
	    state_health_set(c->st, "spool", "disk full", 1700000003) == -1 ||
	    state_health_set(c->st, "fetch", "no network", 1700000004) == -1 ||
	    state_health_clear(c->st, "fetch") == -1)
		return -1;
	for (i = 0; i < 4; i++)
		if (state_title_seen(c->st, "ltc-a.example", "ltc-a",
		    1700000000 + i) == -1 ||
		    state_lines_seen(c->st, "ltc-a.example", paras, 3,
		    1700000000 + i) == -1)
			return -1;
	/* A part that goes wrong is undone alone. */
	if (state_part_begin(c->st) == -1 ||
	    state_item_begin(c->st, "ltc", "https://ltc-a.example/3",
	    "00000000000000a3", 1700000002, "3.json", "{}", 0) == -1 ||
	    state_part_end(c->st, 0) != -1)
		return -1;
	if (state_commit(c->st) == -1)
		return -1;
	c->committed = true;
	return 0;
}

/* Every reader, into the context. */
static int
state_reads(struct state_ctx *c)
{
	struct state_item_rev	 rev;
	enum state_item_status	 status;
	char			 id[STATE_ID_LEN + 1];
	size_t			 npending;
	int64_t			 oldest;

	if (state_feed_load(c->st, "ltc", &c->feed) == -1 ||
	    state_item_status(c->st, "ltc", "https://ltc-a.example/2",
	    &status) == -1 ||
	    state_item_hash(c->st, "ltc", "https://ltc-a.example/1",
	    &rev) != 1 ||
	    state_pending(c->st, state_pending_cb, c) == -1 ||
	    state_fp_load(c->st, 0, state_fp_cb, c) == -1 ||
	    state_fp_by_url(c->st, "https://ltc-a.example/1", id) != 1 ||
	    state_sightings(c->st, "00000000000000a1", state_sighting_cb,
	    c) == -1 ||
	    state_story_info(c->st, "00000000000000a2", &c->story) != 1 ||
	    state_title_tags(c->st, "ltc-a.example", &c->tags) == -1 ||
	    state_recurring_lines(c->st, "ltc-a.example", &c->lines) == -1 ||
	    state_feed_foreach(c->st, state_feed_cb, c) == -1 ||
	    state_pending_count(c->st, &npending, &oldest) == -1 ||
	    state_health_get(c->st, "spool", &c->health, &c->since) != 1)
		return -1;
	ctx_log(c->log, sizeof(c->log), &c->loglen, "status %d hash %llu "
	    "%s %u %d by_url %s pending %zu %lld\n", (int)status,
	    (unsigned long long)rev.text_hash, rev.id, rev.revision,
	    rev.delivered, id, npending, (long long)oldest);
	return 0;
}

static int
state_run(void *arg)
{
	struct state_ctx	*c = arg;
	char			 err[512];

	if (state_open(c->db, &c->st, err, sizeof(err)) == -1)
		return -1;
	if (state_writes(c) == -1) {
		state_rollback(c->st);
		goto fail;
	}
	state_close(c->st);
	if (state_open(c->db, &c->st, err, sizeof(err)) == -1)
		return -1;
	if (state_reads(c) == -1)
		goto fail;
	state_close(c->st);
	c->st = NULL;
	return 0;
 fail:
	state_close(c->st);
	c->st = NULL;
	return -1;
}

static void
show_strings(struct buf *out, const char *what, char **v)
{
	(void)buf_printf(out, "%s:", what);
	for (; v != NULL && *v != NULL; v++)
		(void)buf_printf(out, " [%s]", *v);
	(void)buf_addch(out, '\n');
}

/*
 * After an error the file opens again; what it holds is the whole
 * transaction or none of it.
 */
static int
state_check_after(struct state_ctx *c)
{
	struct state		*st;
	enum state_item_status	 status;
	char			 err[512];
	int			 ok = -1;

	if (state_open(c->db, &st, err, sizeof(err)) == -1) {
		if (access(c->db, F_OK) == -1)
			return 0;	/* never created */
		fprintf(stderr, "state_open after an error: %s\n", err);
		return -1;
	}
	if (state_item_status(st, "ltc", "https://ltc-a.example/2",
	    &status) == -1)
		fprintf(stderr, "state_item_status: %s\n", state_errmsg(st));
	else if (status != (c->committed ? STATE_ITEM_PENDING :
	    STATE_ITEM_NEW))
		fprintf(stderr, "half a transaction: item status %d\n",
		    (int)status);
	else
		ok = 0;
	state_close(st);
	return ok;
}

static int
state_show(void *arg, int rc, struct buf *out)
{
	struct state_ctx	*c = arg;
	int			 ok = 0;

	if (rc == 0) {
		(void)buf_printf(out, "%sfeed %s etag %s status %ld items "
		    "%llu\nstory %s %s %lld %s %d %u\n", c->log, c->feed.url,
		    c->feed.etag, c->feed.last_status,
		    (unsigned long long)c->feed.items_total, c->story.feed,
		    c->story.key, (long long)c->story.first_seen,
		    c->story.spool_name, c->story.delivered,
		    c->story.revision);
		show_strings(out, "tags", c->tags);
		show_strings(out, "lines", c->lines);
		(void)buf_printf(out, "health %s %lld held %d %s next %s\n",
		    c->health, (long long)c->since, c->feed.held,
		    c->feed.held_etag != NULL ? c->feed.held_etag : "-",
		    c->feed.next_why != NULL ? c->feed.next_why : "-");
	} else
		ok = state_check_after(c);
	state_feed_clear(&c->feed);
	state_story_clear(&c->story);
	memset(&c->story, 0, sizeof(c->story));
	state_strings_free(c->tags);
	state_strings_free(c->lines);
	c->tags = c->lines = NULL;
	free(c->health);
	c->health = NULL;
	if (tmpdir_remove(c->dir) == -1)
		fail_msg("cannot remove %s", c->dir);
	return ok;
}

static void
test_state(void **unused)
{
	struct state_ctx	 c;
	/* A run takes milliseconds (a database made and opened twice):
	 * 800 of the ~19,500 N, OOM_FULL=1 for all (minutes). */
	struct entry		 e = { "state", &c, state_run, state_show,
				    state_prep, 800 };

	(void)unused;
	memset(&c, 0, sizeof(c));
	torture(&e);
	assert_int_equal(failures, 0);
}

/*
 * The spool, in a fresh directory each run: open, one story delivered
 * alone, a batch of two committed, a batch of one dropped.  After an
 * error nothing may be left in tmp/, and new/ holds only whole files.
 */
struct spool_ctx {
	char	 dir[4096];
	char	 spool[4200];
};

static const char *const spool_files[][2] = {
	{ "1.00000000000000a1.json", "{\"id\":\"00000000000000a1\"}\n" },
	{ "2.00000000000000a2.json", "{\"id\":\"00000000000000a2\"}\n" },
	{ "3.00000000000000a3.json", "{\"id\":\"00000000000000a3\"}\n" },
};

static void
spool_prep(void *arg)
{
	struct spool_ctx	*c = arg;
	int			 n;

	if (tmpdir_make(c->dir, sizeof(c->dir), "test_oom") == -1)
		fail_msg("cannot make a directory: %s", strerror(errno));
	n = snprintf(c->spool, sizeof(c->spool), "%s/spool", c->dir);
	assert_true(n > 0 && (size_t)n < sizeof(c->spool));
}

static int
spool_run(void *arg)
{
	struct spool_ctx	*c = arg;
	struct spool		*sp;
	struct spool_batch	*b;
	char			 err[512];
	int			 rc = -1;
	size_t			 i;

	if (spool_open(c->spool, &sp, err, sizeof(err)) == -1)
		return -1;
	if (spool_deliver(sp, spool_files[0][0], spool_files[0][1],
	    strlen(spool_files[0][1]), err, sizeof(err)) == -1)
		goto out;
	if ((b = spool_batch_new(sp)) == NULL)
		goto out;
	for (i = 1; i < 3; i++)
		if (spool_batch_add(b, spool_files[i][0], spool_files[i][1],
		    strlen(spool_files[i][1]), err, sizeof(err)) == -1)
			goto out_batch;
	if (spool_batch_count(b) != 2 ||
	    spool_batch_commit(b, err, sizeof(err)) == -1)
		goto out_batch;
	spool_batch_free(b);
	/* one that is never committed */
	if ((b = spool_batch_new(sp)) == NULL)
		goto out;
	if (spool_batch_add(b, "4.json", "{}", 2, err, sizeof(err)) == -1)
		goto out_batch;
	rc = 0;
 out_batch:
	spool_batch_free(b);
 out:
	spool_close(sp);
	return rc;
}

/* The files of dir, and their contents, into out; -1 if unreadable. */
static int
list_dir(const char *dir, struct buf *out)
{
	struct dirent	**ents;
	char		  path[8192], *data;
	size_t		  len;
	int		  i, n;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
		    ents[i]->d_name) < (int)sizeof(path)) {
			data = slurp(path, &len);
			(void)buf_printf(out, "%s: %s", ents[i]->d_name, data);
			free(data);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

/* Whether every file of new/ is one of those delivered, whole. */
static int
spool_whole(const char *listing)
{
	const char	*l, *e;
	size_t		 i, n;

	for (l = listing; *l != '\0'; l = e + 1) {
		if ((e = strchr(l, '\n')) == NULL)
			return -1;
		n = (size_t)(e - l) + 1;
		for (i = 0; i < 3; i++)
			if (strlen(spool_files[i][0]) + 2 +
			    strlen(spool_files[i][1]) == n &&
			    strncmp(l, spool_files[i][0],
			    strlen(spool_files[i][0])) == 0 &&
			    strncmp(e + 1 - strlen(spool_files[i][1]),
			    spool_files[i][1], strlen(spool_files[i][1])) == 0)
				break;
		if (i == 3)
			return -1;
	}
	return 0;
}

static int
spool_show(void *arg, int rc, struct buf *out)
{
	struct spool_ctx	*c = arg;
	struct buf		 tmp, new;
	char			 path[8192];
	int			 ok = 0;

	buf_init(&tmp, SIZE_MAX);
	buf_init(&new, SIZE_MAX);
	snprintf(path, sizeof(path), "%s/tmp", c->spool);
	if (list_dir(path, &tmp) == -1)
		ok = -1;
	snprintf(path, sizeof(path), "%s/new", c->spool);
	if (list_dir(path, &new) == -1)
		ok = -1;
	if (tmp.len > 0) {
		fprintf(stderr, "left in tmp/: %s\n", tmp.data);
		ok = -1;
	}
	if (rc == 0)
		(void)buf_printf(out, "new/:\n%s", new.data != NULL ?
		    new.data : "");
	else if (new.len > 0 && spool_whole(new.data) == -1) {
		fprintf(stderr, "new/ after an error:\n%s\n", new.data);
		ok = -1;
	}
	buf_free(&tmp);
	buf_free(&new);
	if (tmpdir_remove(c->dir) == -1)
		fail_msg("cannot remove %s", c->dir);
	return ok;
}

static void
test_spool(void **unused)
{
	struct spool_ctx	 c;
	struct entry		 e = { "spool", &c, spool_run, spool_show,
				    spool_prep, 0 };

	(void)unused;
	memset(&c, 0, sizeof(c));
	torture(&e);
	assert_int_equal(failures, 0);
}

/*
 * A feed document through ingest on a fresh state and spool, failing an
 * allocation while it is read, stored and flushed; then, allocations
 * working again, what the next start does (ingest_pending()).  Every item
 * with a row must have its file in new/ then, and tmp/ be empty: a row
 * without its file is a story lost (an item without a row is read again
 * at its feed's next poll).  The state and spool are opened uncounted:
 * their set-up is test_state's and test_spool's.
 */
struct ingest_ctx {
	char		 dir[4096];
	char		 db[4200];
	char		 spool[4200];
	char		 tmpl[4200];	/* a state made once, or "" */
	struct state	*st;
	struct spool	*sp;
	struct ingest	*in;
};

static const char ingest_body[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
    "<title>Wire</title><link>http://127.0.0.1/</link>"
    "<item><guid>w1</guid><title>Harbour reopens to ferries</title>"
    "<link>http://127.0.0.1/w1.html</link><description>The old harbour "
    "reopened to ferries on Monday after two years of works.</description>"
    "</item><item><guid>w2</guid><title>Rail strike called off</title>"
    "<link>http://127.0.0.1/w2.html</link><description>Unions called off "
    "the rail strike planned for the weekend.</description></item>"
    "<item><guid>w3</guid><title>Glacier melt faster</title>"
    "<link>http://127.0.0.1/w3.html</link><description>A survey finds the "
    "glaciers melted faster this summer than in any year.</description>"
    "</item></channel></rss>";

static void
ingest_copy(const char *from, const char *to)
{
	char	 b[65536];
	ssize_t	 n;
	int	 in, out;

	assert_true((in = open(from, O_RDONLY)) != -1);
	assert_true((out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	while ((n = read(in, b, sizeof(b))) > 0)
		assert_int_equal(write(out, b, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static void
ingest_prep_dirs(void *arg)
{
	struct ingest_ctx	*c = arg;
	int			 n, m;

	if (tmpdir_make(c->dir, sizeof(c->dir), "test_oom") == -1)
		fail_msg("cannot make a directory: %s", strerror(errno));
	n = snprintf(c->db, sizeof(c->db), "%s/state.db", c->dir);
	m = snprintf(c->spool, sizeof(c->spool), "%s/spool", c->dir);
	assert_true(n > 0 && (size_t)n < sizeof(c->db));
	assert_true(m > 0 && (size_t)m < sizeof(c->spool));
	/* A copy of a state already made: its schema's SQL is not run again. */
	if (c->tmpl[0] != '\0')
		ingest_copy(c->tmpl, c->db);
}

/* The state, the spool and an ingest on them, with the feed's row. */
static int
ingest_open(struct ingest_ctx *c)
{
	struct state_feed	 sf;
	char			 err[512];

	c->st = NULL;
	c->sp = NULL;
	c->in = NULL;
	memset(&sf, 0, sizeof(sf));
	sf.url = (char *)"http://127.0.0.1/wire.xml";
	if (state_open(c->db, &c->st, err, sizeof(err)) == -1 ||
	    state_feed_save(c->st, "wire", &sf) == -1 ||
	    spool_open(c->spool, &c->sp, err, sizeof(err)) == -1 ||
	    (c->in = ingest_new(c->st, c->sp, NULL, NULL, NULL)) == NULL)
		return -1;
	return 0;
}

static void
ingest_close(struct ingest_ctx *c)
{
	ingest_free(c->in);
	if (c->sp != NULL)
		spool_close(c->sp);
	if (c->st != NULL)
		state_close(c->st);
}

static int
ingest_run(void *arg)
{
	struct ingest_ctx	*c = arg;
	struct ingest_feed	 f;
	struct ingest_resume	 r;
	struct ingest_counts	 counts;
	char			 err[512];
	bool			 armed = oom.armed;
	int			 rc;

	oom.armed = false;
	rc = ingest_open(c);
	oom.armed = armed;
	memset(&f, 0, sizeof(f));
	f.name = "wire";
	f.url = "http://127.0.0.1/wire.xml";
	memset(&r, 0, sizeof(r));
	/* The start's pass first: the workers' files are written after it. */
	if (rc == 0 && ingest_pending(c->in, &r, NULL, err, sizeof(err)) < 0)
		rc = -1;
	if (rc == 0 && ingest_document(c->in, &f, ingest_body,
	    sizeof(ingest_body) - 1, f.url, NULL, INT64_C(1700000000000),
	    &counts, err, sizeof(err)) != 0)
		rc = -1;
	/* Flushed as the loop does, whatever became of the document. */
	if (c->in != NULL && ingest_flush(c->in, err, sizeof(err)) != 0)
		rc = -1;
	ingest_close(c);
	return rc;
}

static int
ingest_show(void *arg, int rc, struct buf *out)
{
	struct ingest_ctx	*c = arg;
	struct ingest_resume	 r;
	sqlite3			*db;
	sqlite3_stmt		*s;
	char			 err[512];
	long			 rows = -1, files, tmp;
	int			 ok = 0;

	(void)rc;
	memset(&r, 0, sizeof(r));
	if (ingest_open(c) == -1 || ingest_pending(c->in, &r, NULL, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "ingest after an error: cannot deliver\n");
		ok = -1;
	}
	ingest_close(c);
	if (sqlite3_open_v2(c->db, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) FROM items",
	    -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			rows = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	files = tmpdir_count(c->spool, "new");
	tmp = tmpdir_count(c->spool, "tmp");
	if (rows != files || tmp != 0) {
		fprintf(stderr, "ingest: %ld items recorded, %ld files in new/, "
		    "%ld in tmp/\n", rows, files, tmp);
		ok = -1;
	}
	(void)buf_printf(out, "rows %ld new %ld\n", rows, files);
	if (tmpdir_remove(c->dir) == -1)
		fail_msg("cannot remove %s", c->dir);
	return ok;
}

static void
test_ingest(void **unused)
{
	struct ingest_ctx	 c;
	struct entry		 e = { "ingest", &c, ingest_run, ingest_show,
				    ingest_prep_dirs, 0 };
	struct buf		 out;
	char			 keep[4096];
	int			 n;

	(void)unused;
	memset(&c, 0, sizeof(c));
	/* Once first: what stays loaded (the language models) is not a leak. */
	buf_init(&out, SIZE_MAX - 1);
	ingest_prep_dirs(&c);
	assert_int_equal(ingest_run(&c), 0);
	assert_int_equal(ingest_show(&c, 0, &out), 0);
	buf_free(&out);
	/* The state every run starts from: made, the feed's row in, closed. */
	ingest_prep_dirs(&c);
	assert_int_equal(ingest_open(&c), 0);
	ingest_close(&c);
	memcpy(keep, c.dir, sizeof(keep));
	n = snprintf(c.tmpl, sizeof(c.tmpl), "%s", c.db);
	assert_true(n > 0 && (size_t)n < sizeof(c.tmpl));
	torture(&e);
	assert_int_equal(tmpdir_remove(keep), 0);
	assert_int_equal(failures, 0);
}

/*
 * Duplicates: fingerprints of the seed text, of its first half and of a
 * title alone; an index with the first two, the best match for the third,
 * an expiry.
 */
struct dedup_ctx {
	const char		*text;
	char			*half;
	struct dedup_fp		 fp[3];
	struct dedup_match	 m;
	int			 found;
	size_t			 count, expired;
};

static int
dedup_run(void *arg)
{
	struct dedup_ctx	*c = arg;
	struct dedup_params	 params;
	struct dedup_index	*idx;
	int			 rc = -1;

	if (dedup_fingerprint(c->text, "Blinken plans to meet", &c->fp[0]) ==
	    -1 || dedup_fingerprint(c->half, "Blinken to meet officials",
	    &c->fp[1]) == -1 ||
	    dedup_fingerprint(NULL, "Blinken plans to meet", &c->fp[2]) == -1)
		return -1;
	dedup_params_default(&params);
	if ((idx = dedup_new(&params)) == NULL)
		return -1;
	if (dedup_add(idx, "00000000000000a1", 100, &c->fp[0]) == -1 ||
	    dedup_add(idx, "00000000000000a2", 200, &c->fp[2]) == -1)
		goto out;
	c->found = dedup_find(idx, &c->fp[1], &c->m);
	c->expired = dedup_expire(idx, 150);
	c->count = dedup_count(idx);
	if (dedup_add(idx, "00000000000000a3", 300, &c->fp[1]) == -1)
		goto out;
	rc = 0;
 out:
	dedup_free(idx);
	return rc;
}

static int
dedup_show(void *arg, int rc, struct buf *out)
{
	struct dedup_ctx	*c = arg;
	size_t			 i, j;

	if (rc != 0)
		return 0;
	for (i = 0; i < 3; i++) {
		(void)buf_printf(out, "fp %016llx %016llx %016llx %u:",
		    (unsigned long long)c->fp[i].simhash,
		    (unsigned long long)c->fp[i].text_hash,
		    (unsigned long long)c->fp[i].title_hash,
		    c->fp[i].nshingles);
		for (j = 0; j < DEDUP_MINHASH; j++)
			(void)buf_printf(out, " %08x", c->fp[i].minhash[j]);
		(void)buf_addch(out, '\n');
	}
	(void)buf_printf(out, "found %d %s %u %.3f %s expired %zu count %zu\n",
	    c->found, c->found ? c->m.id : "-", c->found ? c->m.distance : 0,
	    c->found ? c->m.similarity : 0.0,
	    c->found ? dedup_verdict_name(c->m.verdict) : "-", c->expired,
	    c->count);
	return 0;
}

static void
test_dedup(void **unused)
{
	struct dedup_ctx	 c;
	struct entry		 e = { "dedup", &c, dedup_run, dedup_show,
				    NULL, 0 };

	(void)unused;
	seed_read();
	memset(&c, 0, sizeof(c));
	c.text = seed.clean;
	assert_non_null(c.half = strndup(seed.clean, strlen(seed.clean) / 2));
	torture(&e);
	free(c.half);
	assert_int_equal(failures, 0);
}

/*
 * Stories: the items of the seed feed each made a story (key, story,
 * file), the first completed by its page and the second marked a
 * duplicate, and every file read back as the store would after a
 * restart (story_load), which must dump as the same bytes (but the
 * duplicate's, whose mark is decided again then).
 */
#define STORY_ITEMS	4

struct story_ctx {
	struct feed_doc	*doc;
	struct extract	*x;
	char		*key[STORY_ITEMS];
	char		*dump[STORY_ITEMS];
	char		*again[STORY_ITEMS];
	int		 used;
};

static const char *const story_tags[] = { "ltc-a" };
static const char *const story_lines[] = { "share this article" };

static int
story_one(struct story_ctx *c, size_t i)
{
	static const struct story_feed sf = { "ltc",
	    "https://ltc-a.example/feed.xml", "LTC Actualit\xc3\xa9s", "en" };
	static const struct story_hints hints = { "ltc-a.example",
	    story_tags, 1, story_lines, 1 };
	struct story	*st, *back;
	char		 id[STORY_ID_LEN + 1];
	int		 rc = -1;

	snprintf(id, sizeof(id), "00000000000000a%zu", i);
	if ((c->key[i] = story_key(&c->doc->items[i])) == NULL ||
	    (st = story_from_item(id, &sf, &c->doc->items[i], 1700000000,
	    &hints, 1, NULL)) == NULL)
		return -1;
	if (i == 0 && story_add_page(st, c->x, &hints, &c->used) == -1)
		goto out;
	if (i == 1 && story_mark_duplicate(st, "00000000000000a0",
	    "same text") == -1)
		goto out;
	if ((c->dump[i] = story_dump(st, NULL)) == NULL ||
	    (back = story_load(c->dump[i])) == NULL)
		goto out;
	c->again[i] = story_dump(back, NULL);
	story_free(back);
	if (c->again[i] != NULL)
		rc = 0;
 out:
	story_free(st);
	return rc;
}

static int
story_run(void *arg)
{
	struct story_ctx	*c = arg;
	size_t			 i;

	for (i = 0; i < STORY_ITEMS; i++)
		if (story_one(c, i) == -1)
			return -1;
	return 0;
}

static int
story_show(void *arg, int rc, struct buf *out)
{
	struct story_ctx	*c = arg;
	size_t			 i;
	int			 ok = 0;

	for (i = 0; i < STORY_ITEMS; i++) {
		if (rc == 0) {
			(void)buf_printf(out, "key %s used %d\n%s\n%s",
			    c->key[i], c->used, c->dump[i], c->again[i]);
			/* a duplicate's mark is not read back (ingest.c) */
			if (i != 1 && strcmp(c->dump[i], c->again[i]) != 0) {
				fprintf(stderr, "story %zu read back as "
				    "another:\n%s\n", i, c->again[i]);
				ok = -1;
			}
		}
		free(c->key[i]);
		free(c->dump[i]);
		free(c->again[i]);
		c->key[i] = c->dump[i] = c->again[i] = NULL;
	}
	c->used = 0;
	return ok;
}

static void
test_story(void **unused)
{
	struct story_ctx	 c;
	struct entry		 e = { "story", &c, story_run, story_show,
				    NULL, 0 };
	char			 err[256];

	(void)unused;
	seed_read();
	memset(&c, 0, sizeof(c));
	if (feed_parse(seed.feed, seed.feedlen, "https://ltc-a.example/"
	    "feed.xml", NULL, &c.doc, err, sizeof(err)) == -1)
		fail_msg("feed_parse: %s", err);
	assert_true(c.doc->nitems >= STORY_ITEMS);
	if (extract_page(seed.page, seed.pagelen, "https://ltc-a.example/"
	    "news/blinken-beijing.html", &c.x, err, sizeof(err)) == -1)
		fail_msg("extract_page: %s", err);
	torture(&e);
	feed_free(c.doc);
	extract_free(c.x);
	assert_int_equal(failures, 0);
}

static int
reset(void **unused)
{
	(void)unused;
	failures = 0;
	return 0;
}

/* libxml2's messages about memory it could not get, not wanted here. */
static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_feed, reset),
		cmocka_unit_test_setup(test_extract, reset),
		cmocka_unit_test_setup(test_norm, reset),
		cmocka_unit_test_setup(test_boiler, reset),
		cmocka_unit_test_setup(test_text, reset),
		cmocka_unit_test_setup(test_url, reset),
		cmocka_unit_test_setup(test_date, reset),
		cmocka_unit_test_setup(test_state, reset),
		cmocka_unit_test_setup(test_spool, reset),
		cmocka_unit_test_setup(test_ingest, reset),
		cmocka_unit_test_setup(test_dedup, reset),
		cmocka_unit_test_setup(test_story, reset),
	};
	double	 t0;
	int	 rc;

	oom.parsers = getenv("OOM_PARSERS") != NULL;
	/* The state store's fsyncs on a disk would take minutes. */
	if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 0);
	/* backtrace() loads libgcc on its first call: not while armed. */
	oom.nwhere = backtrace(oom.where, 24);
	oom.nwhere = 0;
	if (oom_hook_libraries() == -1) {
		fprintf(stderr, "test_oom: cannot install the allocators\n");
		return 1;
	}
	xmlSetGenericErrorFunc(NULL, quiet);
	t0 = now();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("oom: every entry point in %.1f s\n", now() - t0);
	return rc;
}
