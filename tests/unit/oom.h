/*
 * oom: an allocator that fails the Nth allocation, for test_oom.c (the
 * way curl's torture tests fail the Nth malloc).  Header-only: it defines
 * the __wrap_ functions that the link of test_oom alone routes our own
 * objects' calls through (ld --wrap, see OOM_WRAP in the Makefile), and
 * installs the same functions as the allocators of libxml2, SQLite,
 * jansson and libcurl, so that their allocations count and fail too.
 *
 * Every block handed out is remembered (an open-addressing set of
 * pointers), so that a run can be checked to give back all it took: the
 * set's size before and after must match.  Pointers the set does not know
 * (allocated inside a library we do not hook, such as glibc's iconv or
 * utf8proc's internals) are passed to the real free untouched.
 *
 * ld --wrap only reaches calls from the objects of the link (the test and
 * libfeedspool.a), not from shared libraries: that is what makes it work
 * under ASan too, where __real_malloc is ASan's malloc.  utf8proc has no
 * allocator hook, so utf8proc_map (its only allocating entry point we
 * call) is wrapped as one allocation; iconv_open and fdopendir, which
 * allocate inside glibc, are wrapped the same way.
 */
#ifndef FEEDSPOOL_TEST_OOM_H
#define FEEDSPOOL_TEST_OOM_H

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <iconv.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <sqlite3.h>
#include <utf8proc.h>

/* What the countdown does; see oom_arm(). */
static struct {
	bool		 armed;
	bool		 persist;	/* fail every allocation from the Nth */
	unsigned long	 fail_at;	/* 1-based; 0: count only */
	unsigned long	 seen;		/* allocations since oom_arm() */
	unsigned long	 failed;	/* of them, failed */
	const char	*who;		/* whose allocation failed last */
	void		*where[24];	/* and its call stack */
	int		 nwhere;
	int		 shelter;	/* in libxml2's or jansson's parser */
	bool		 parsers;	/* fail their allocations too */
} oom;

/*
 * Count the allocations from now on, failing the fail_at'th (and, with
 * persist, every one after it); fail_at 0 only counts.
 */
static void
oom_arm(unsigned long fail_at, bool persist)
{
	oom.fail_at = fail_at;
	oom.persist = persist;
	oom.seen = oom.failed = 0;
	oom.who = NULL;
	oom.nwhere = 0;
	oom.armed = true;
}

static void
oom_disarm(void)
{
	oom.armed = false;
}

/* Where a debugger stops to see who is failed: break oom_failing. */
static void __attribute__((noinline))
oom_failing(void)
{
	__asm__ volatile("");
}

/*
 * Whether this allocation, asked for by who (our code or a library's
 * name), fails; errno is ENOMEM when it does.
 */
static bool
oom_fail(const char *who)
{
	if (!oom.armed || (oom.shelter > 0 && !oom.parsers))
		return false;
	oom.seen++;
	if (oom.fail_at == 0 || oom.seen < oom.fail_at ||
	    (oom.seen > oom.fail_at && !oom.persist))
		return false;
	oom.failed++;
	oom.who = who;
	oom.nwhere = backtrace(oom.where, 24);
	oom_failing();
	errno = ENOMEM;
	return true;
}

/*
 * The set of live blocks: linear probing, deletion by backward shift (no
 * tombstones), a size fixed at build time; no allocation of its own.
 */
#define OOM_SLOTS	(1u << 20)
static uintptr_t	 oom_slot[OOM_SLOTS];
static size_t		 oom_live;

static size_t
oom_hash(uintptr_t p)
{
	uint64_t	 h = (uint64_t)p;

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h & (OOM_SLOTS - 1);
}

static void
oom_die(const char *msg)
{
	/* No stdio: it may allocate, and we are the allocator. */
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
		_exit(2);
	abort();
}

static void
oom_track(void *p)
{
	uintptr_t	 v = (uintptr_t)p;
	size_t		 i;

	if (p == NULL)
		return;
	if (oom_live >= OOM_SLOTS / 2)
		oom_die("oom: too many live blocks for the set\n");
	for (i = oom_hash(v); oom_slot[i] != 0; i = (i + 1) & (OOM_SLOTS - 1))
		if (oom_slot[i] == v)
			oom_die("oom: a block handed out twice\n");
	oom_slot[i] = v;
	oom_live++;
}

/* Forget p: true when it was ours. */
static bool
oom_untrack(void *p)
{
	uintptr_t	 v = (uintptr_t)p;
	size_t		 i, j, k;

	if (p == NULL)
		return false;
	for (i = oom_hash(v); oom_slot[i] != v; i = (i + 1) & (OOM_SLOTS - 1))
		if (oom_slot[i] == 0)
			return false;
	oom_slot[i] = 0;
	oom_live--;
	/* Move back every later entry of the run that may no longer be
	 * reached from its home slot across the hole at i. */
	for (j = (i + 1) & (OOM_SLOTS - 1); oom_slot[j] != 0;
	    j = (j + 1) & (OOM_SLOTS - 1)) {
		k = oom_hash(oom_slot[j]);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		oom_slot[i] = oom_slot[j];
		oom_slot[j] = 0;
		i = j;
	}
	return true;
}

/* The real functions behind the wrapped ones. */
void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__real_reallocarray(void *, size_t, size_t);
void	 __real_free(void *);
char	*__real_strdup(const char *);
char	*__real_strndup(const char *, size_t);
int	 __real_vasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
utf8proc_ssize_t __real_utf8proc_map(const utf8proc_uint8_t *,
	    utf8proc_ssize_t, utf8proc_uint8_t **, utf8proc_option_t);
iconv_t	 __real_iconv_open(const char *, const char *);
DIR	*__real_fdopendir(int);

/* The allocator, for who. */
static void *
oom_malloc(const char *who, size_t n)
{
	void	*p;

	if (oom_fail(who))
		return NULL;
	p = __real_malloc(n);
	oom_track(p);
	return p;
}

static void *
oom_calloc(const char *who, size_t nmemb, size_t size)
{
	void	*p;

	if (oom_fail(who))
		return NULL;
	p = __real_calloc(nmemb, size);
	oom_track(p);
	return p;
}

/* After a realloc of p to q: q is ours when p was (or was NULL). */
static void
oom_moved(void *p, void *q)
{
	if (oom_untrack(p) || p == NULL)
		oom_track(q);
}

static void *
oom_realloc(const char *who, void *p, size_t n)
{
	void	*q;

	if (oom_fail(who))
		return NULL;
	/* realloc(p, 0) frees p in glibc and may return NULL */
	if ((q = __real_realloc(p, n)) != NULL || n == 0)
		oom_moved(p, q);
	return q;
}

static void
oom_free(void *p)
{
	oom_untrack(p);
	__real_free(p);
}

static char *
oom_strdup(const char *who, const char *s)
{
	char	*p;

	if (oom_fail(who))
		return NULL;
	p = __real_strdup(s);
	oom_track(p);
	return p;
}

/* What ld --wrap sends our objects' calls to. */
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
void	*__wrap_reallocarray(void *, size_t, size_t);
void	 __wrap_free(void *);
char	*__wrap_strdup(const char *);
char	*__wrap_strndup(const char *, size_t);
int	 __wrap_vasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
int	 __wrap_asprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
utf8proc_ssize_t __wrap_utf8proc_map(const utf8proc_uint8_t *,
	    utf8proc_ssize_t, utf8proc_uint8_t **, utf8proc_option_t);
iconv_t	 __wrap_iconv_open(const char *, const char *);
DIR	*__wrap_fdopendir(int);

#define OOM_US	"feedspool"

void *
__wrap_malloc(size_t n)
{
	return oom_malloc(OOM_US, n);
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	return oom_calloc(OOM_US, nmemb, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return oom_realloc(OOM_US, p, n);
}

void *
__wrap_reallocarray(void *p, size_t nmemb, size_t size)
{
	void	*q;

	if (oom_fail(OOM_US))
		return NULL;
	if ((q = __real_reallocarray(p, nmemb, size)) != NULL)
		oom_moved(p, q);
	return q;
}

void
__wrap_free(void *p)
{
	oom_free(p);
}

char *
__wrap_strdup(const char *s)
{
	return oom_strdup(OOM_US, s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	char	*p;

	if (oom_fail(OOM_US))
		return NULL;
	p = __real_strndup(s, n);
	oom_track(p);
	return p;
}

int
__wrap_vasprintf(char **sp, const char *fmt, va_list ap)
{
	int	 n;

	if (oom_fail(OOM_US)) {
		*sp = NULL;
		return -1;
	}
	if ((n = __real_vasprintf(sp, fmt, ap)) >= 0)
		oom_track(*sp);
	return n;
}

int
__wrap_asprintf(char **sp, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = __wrap_vasprintf(sp, fmt, ap);
	va_end(ap);
	return n;
}

/* utf8proc has no allocator hook: its one allocating call counts as one. */
utf8proc_ssize_t
__wrap_utf8proc_map(const utf8proc_uint8_t *s, utf8proc_ssize_t len,
    utf8proc_uint8_t **dst, utf8proc_option_t opts)
{
	utf8proc_ssize_t n;

	if (oom_fail("utf8proc")) {
		*dst = NULL;
		return UTF8PROC_ERROR_NOMEM;
	}
	if ((n = __real_utf8proc_map(s, len, dst, opts)) >= 0)
		oom_track(*dst);
	return n;
}

/* glibc allocates for these, out of reach: each counts as one. */
iconv_t
__wrap_iconv_open(const char *to, const char *from)
{
	if (oom_fail("iconv_open"))
		return (iconv_t)-1;
	return __real_iconv_open(to, from);
}

DIR *
__wrap_fdopendir(int fd)
{
	if (oom_fail("fdopendir"))
		return NULL;
	return __real_fdopendir(fd);
}

/*
 * Two parsers do not survive every allocation failure inside them.
 * libxml2 2.9's: xmlParseDocument dereferences the NULL left by an input
 * buffer that could not grow, htmlParseDocument can loop for ever.
 * jansson 2.14's: its lexer drops a byte it cannot save (load.c,
 * lex_save), and when that byte was a string's closing quote the string
 * is decoded past the end of its buffer.  Their allocations are neither
 * counted nor failed, unless oom.parsers (then test_oom should run each N
 * in a child of its own, OOM_FORK).
 */
xmlDoc	*__real_xmlCtxtReadMemory(xmlParserCtxt *, const char *, int,
	    const char *, const char *, int);
int	 __real_xmlParseChunk(xmlParserCtxt *, const char *, int, int);
int	 __real_xmlParseDocument(xmlParserCtxt *);
htmlDocPtr __real_htmlReadMemory(const char *, int, const char *,
	    const char *, int);
xmlDoc	*__wrap_xmlCtxtReadMemory(xmlParserCtxt *, const char *, int,
	    const char *, const char *, int);
int	 __wrap_xmlParseChunk(xmlParserCtxt *, const char *, int, int);
int	 __wrap_xmlParseDocument(xmlParserCtxt *);
htmlDocPtr __wrap_htmlReadMemory(const char *, int, const char *,
	    const char *, int);
int	 __real_htmlParseDocument(htmlParserCtxtPtr);
int	 __wrap_htmlParseDocument(htmlParserCtxtPtr);
htmlParserCtxtPtr __real_htmlNewParserCtxt(void);
htmlParserCtxtPtr __wrap_htmlNewParserCtxt(void);
json_t	*__real_json_loadb(const char *, size_t, size_t, json_error_t *);
json_t	*__wrap_json_loadb(const char *, size_t, size_t, json_error_t *);

xmlDoc *
__wrap_xmlCtxtReadMemory(xmlParserCtxt *ctxt, const char *s, int len,
    const char *url, const char *enc, int opts)
{
	xmlDoc	*doc;

	oom.shelter++;
	doc = __real_xmlCtxtReadMemory(ctxt, s, len, url, enc, opts);
	oom.shelter--;
	return doc;
}

int
__wrap_xmlParseChunk(xmlParserCtxt *ctxt, const char *s, int len, int end)
{
	int	 rc;

	oom.shelter++;
	rc = __real_xmlParseChunk(ctxt, s, len, end);
	oom.shelter--;
	return rc;
}

/* feed_xml.c's way in for a document it reads in place */
int
__wrap_xmlParseDocument(xmlParserCtxt *ctxt)
{
	int	 rc;

	oom.shelter++;
	rc = __real_xmlParseDocument(ctxt);
	oom.shelter--;
	return rc;
}

htmlDocPtr
__wrap_htmlReadMemory(const char *s, int len, const char *url,
    const char *enc, int opts)
{
	htmlDocPtr	 doc;

	oom.shelter++;
	doc = __real_htmlReadMemory(s, len, url, enc, opts);
	oom.shelter--;
	return doc;
}

/* xmlcap.c's way in, which htmlReadMemory also takes */
int
__wrap_htmlParseDocument(htmlParserCtxtPtr ctxt)
{
	int	 rc;

	oom.shelter++;
	rc = __real_htmlParseDocument(ctxt);
	oom.shelter--;
	return rc;
}

/*
 * libxml2 2.9's htmlNewParserCtxt leaks its SAX handler when the input
 * stack after it cannot be allocated (ctxt->sax is set last).
 */
htmlParserCtxtPtr
__wrap_htmlNewParserCtxt(void)
{
	htmlParserCtxtPtr	 ctxt;

	oom.shelter++;
	ctxt = __real_htmlNewParserCtxt();
	oom.shelter--;
	return ctxt;
}

json_t *
__wrap_json_loadb(const char *s, size_t len, size_t flags, json_error_t *err)
{
	json_t	*v;

	oom.shelter++;
	v = __real_json_loadb(s, len, flags, err);
	oom.shelter--;
	return v;
}

/* libxml2's allocator. */
static void *
oom_xml_malloc(size_t n)
{
	return oom_malloc("libxml2", n);
}

static void *
oom_xml_realloc(void *p, size_t n)
{
	return oom_realloc("libxml2", p, n);
}

static char *
oom_xml_strdup(const char *s)
{
	return oom_strdup("libxml2", s);
}

/* jansson's. */
static void *
oom_json_malloc(size_t n)
{
	return oom_malloc("jansson", n);
}

/* libcurl's. */
static void *
oom_curl_malloc(size_t n)
{
	return oom_malloc("libcurl", n);
}

static void *
oom_curl_calloc(size_t nmemb, size_t size)
{
	return oom_calloc("libcurl", nmemb, size);
}

static void *
oom_curl_realloc(void *p, size_t n)
{
	return oom_realloc("libcurl", p, n);
}

static char *
oom_curl_strdup(const char *s)
{
	return oom_strdup("libcurl", s);
}

/* SQLite's, in its terms. */
static void *
oom_sqlite_malloc(int n)
{
	return n < 0 ? NULL : oom_malloc("sqlite", (size_t)n);
}

static void *
oom_sqlite_realloc(void *p, int n)
{
	return n < 0 ? NULL : oom_realloc("sqlite", p, (size_t)n);
}

static int
oom_sqlite_size(void *p)
{
	return p == NULL ? 0 : (int)malloc_usable_size(p);
}

static int
oom_sqlite_roundup(int n)
{
	return n > INT32_MAX - 7 ? n : (n + 7) & ~7;
}

static int
oom_sqlite_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void
oom_sqlite_shutdown(void *arg)
{
	(void)arg;
}

/*
 * Route the libraries' allocations through the wrappers.  Before anything
 * else of theirs runs: SQLite takes an allocator only before it
 * initialises, libxml2 before its parser does.  0, or -1.
 */
static int
oom_hook_libraries(void)
{
	static const sqlite3_mem_methods mem = {
		oom_sqlite_malloc, oom_free, oom_sqlite_realloc,
		oom_sqlite_size, oom_sqlite_roundup, oom_sqlite_init,
		oom_sqlite_shutdown, NULL
	};

	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK ||
	    sqlite3_initialize() != SQLITE_OK)
		return -1;
	if (xmlGcMemSetup(oom_free, oom_xml_malloc, oom_xml_malloc,
	    oom_xml_realloc, oom_xml_strdup) != 0)
		return -1;
	xmlInitParser();
	json_set_alloc_funcs(oom_json_malloc, oom_free);
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, oom_curl_malloc,
	    oom_free, oom_curl_realloc, oom_curl_strdup,
	    oom_curl_calloc) != CURLE_OK)
		return -1;
	return 0;
}

#endif
