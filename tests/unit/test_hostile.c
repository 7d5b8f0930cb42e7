/*
 * test_hostile: documents built to stall a parser, each parsed by
 * feed_parse in bounded CPU time with a sane result (issue 13): an element
 * with 100,000 attributes, 10 MB on one line (one huge text; many items
 * with no newline), 100,000 entity references and 100,000 entity
 * declarations.  The bound is 1 s of process CPU time, more under the
 * sanitizers, which slow every byte down alike but not a quadratic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "parsers/feed.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

#ifdef UNDER_ASAN
#define BOUND		10.0	/* seconds of CPU time */
#else
#define BOUND		1.0
#endif

#define N		100000
#define BIG		(10 * 1024 * 1024)

struct doc {
	char	*s;
	size_t	 len;
	size_t	 size;
};

static void
doc_add(struct doc *d, const char *s, size_t n)
{
	char	*p;
	size_t	 want;

	assert_true(n <= SIZE_MAX - d->len - 1);
	if (d->len + n + 1 > d->size) {
		want = d->size < 4096 ? 4096 : d->size;
		while (want < d->len + n + 1)
			want *= 2;
		p = realloc(d->s, want);
		assert_non_null(p);
		d->s = p;
		d->size = want;
	}
	memcpy(d->s + d->len, s, n);
	d->len += n;
	d->s[d->len] = '\0';
}

static void
doc_str(struct doc *d, const char *s)
{
	doc_add(d, s, strlen(s));
}

/* pre, n in decimal, post. */
static void
doc_num(struct doc *d, const char *pre, unsigned long n, const char *post)
{
	char	tmp[32];
	int	r;

	doc_str(d, pre);
	r = snprintf(tmp, sizeof(tmp), "%lu", n);
	assert_true(r > 0 && (size_t)r < sizeof(tmp));
	doc_add(d, tmp, (size_t)r);
	doc_str(d, post);
}

static double
cpu_now(void)
{
	struct timespec	ts;

	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Parse d, print and check the CPU time it took; returns feed_parse's
 * result with *out set on success and err set on failure.
 */
static int
timed_parse(const char *what, struct doc *d, struct feed_doc **out,
    char *err, size_t errlen)
{
	double	t0, t;
	int	rc;

	*out = NULL;
	err[0] = '\0';
	t0 = cpu_now();
	rc = feed_parse(d->s, d->len, "http://example.com/feed", NULL, out,
	    err, errlen);
	t = cpu_now() - t0;
	print_message("%-34s %9zu bytes  %.3f s CPU  (%s)\n", what, d->len,
	    t, rc == 0 ? "parsed" : err);
	if (t >= BOUND)
		fail_msg("%s: %.3f s of CPU time, over %.1f s", what, t, BOUND);
	if (rc != 0)
		assert_true(*out == NULL && err[0] != '\0');
	else
		assert_non_null(*out);
	free(d->s);
	memset(d, 0, sizeof(*d));
	return rc;
}

static void
open_rss(struct doc *d)
{
	doc_str(d, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	    "<title>hostile</title><link>http://example.com/</link>");
}

static void
close_rss(struct doc *d)
{
	doc_str(d, "</channel></rss>");
}

/* The case: over 60 s in libxml2 2.9 before the cap. */
static void
test_attributes(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i;

	(void)state;
	open_rss(&d);
	doc_str(&d, "<item");
	for (i = 0; i < N; i++)
		doc_num(&d, " a", i, "=\"x\"");
	doc_str(&d, "><title>first</title><link>http://example.com/1</link>"
	    "</item><item><title>second</title></item>");
	close_rss(&d);
	assert_int_equal(timed_parse("100,000 attributes", &d, &doc, err,
	    sizeof(err)), 0);
	assert_int_equal(doc->nitems, 2);
	assert_string_equal(doc->items[0].title, "first");
	assert_string_equal(doc->items[1].title, "second");
	feed_free(doc);
}

/* The same attribute, 100,000 times: libxml2's duplicate check. */
static void
test_duplicate_attributes(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i;

	(void)state;
	open_rss(&d);
	doc_str(&d, "<item");
	for (i = 0; i < N; i++)
		doc_str(&d, " a=\"x\"");
	doc_str(&d, "><title>first</title></item>");
	close_rss(&d);
	if (timed_parse("100,000 duplicate attributes", &d, &doc, err,
	    sizeof(err)) == 0)
		feed_free(doc);
}

/* 10 MB of text in one description, no newline anywhere. */
static void
test_one_huge_text(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256], chunk[4096];
	size_t		 i;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < sizeof(chunk); i += 64)
		chunk[i] = ' ';
	open_rss(&d);
	doc_str(&d, "<item><title>huge</title><description>");
	for (i = 0; i < BIG / sizeof(chunk); i++)
		doc_add(&d, chunk, sizeof(chunk));
	doc_str(&d, "</description></item>");
	close_rss(&d);
	assert_int_equal(timed_parse("10 MB one text", &d, &doc, err,
	    sizeof(err)), 0);
	assert_int_equal(doc->nitems, 1);
	assert_string_equal(doc->items[0].title, "huge");
	assert_non_null(doc->items[0].summary);
	feed_free(doc);
}

/* 10 MB of items on one line. */
static void
test_one_line_items(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i, n = 0;

	(void)state;
	open_rss(&d);
	for (i = 0; d.len < BIG; i++, n++)
		doc_num(&d, "<item><title>item ", i, "</title><link>"
		    "http://example.com/a</link></item>");
	close_rss(&d);
	assert_int_equal(timed_parse("10 MB of items, one line", &d, &doc,
	    err, sizeof(err)), 0);
	/* All of them, or the parser's own cap on items: never none. */
	assert_true(doc->nitems > 0 && doc->nitems <= n);
	assert_string_equal(doc->items[0].title, "item 0");
	feed_free(doc);
}

/* 100,000 references to XML's own entities and to numeric ones. */
static void
test_entity_references(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i;

	(void)state;
	open_rss(&d);
	doc_str(&d, "<item><title>refs</title><description>");
	for (i = 0; i < N; i++)
		doc_str(&d, i % 2 ? "&amp;" : "&#233;");
	doc_str(&d, "</description></item>");
	close_rss(&d);
	assert_int_equal(timed_parse("100,000 entity references", &d, &doc,
	    err, sizeof(err)), 0);
	assert_int_equal(doc->nitems, 1);
	assert_non_null(doc->items[0].summary);
	feed_free(doc);
}

/* 100,000 references to one entity the DTD declares. */
static void
test_declared_references(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i;

	(void)state;
	doc_str(&d, "<?xml version=\"1.0\"?><!DOCTYPE rss ["
	    "<!ENTITY e \"word \">]><rss version=\"2.0\"><channel>"
	    "<title>hostile</title><item><title>refs</title><description>");
	for (i = 0; i < N; i++)
		doc_str(&d, "&e;");
	doc_str(&d, "</description></item>");
	close_rss(&d);
	if (timed_parse("100,000 refs to a declared entity", &d, &doc, err,
	    sizeof(err)) == 0) {
		assert_int_equal(doc->nitems, 1);
		feed_free(doc);
	}
}

/* 100,000 entity declarations, each used once. */
static void
test_entity_declarations(void **state)
{
	struct doc	 d = { 0 };
	struct feed_doc	*doc;
	char		 err[256];
	unsigned long	 i;

	(void)state;
	doc_str(&d, "<?xml version=\"1.0\"?><!DOCTYPE rss [");
	for (i = 0; i < N; i++)
		doc_num(&d, "<!ENTITY e", i, " \"x\">");
	doc_str(&d, "]><rss version=\"2.0\"><channel><title>hostile</title>"
	    "<item><title>decls</title><description>");
	for (i = 0; i < N; i++)
		doc_num(&d, "&e", i, ";");
	doc_str(&d, "</description></item>");
	close_rss(&d);
	assert_int_equal(timed_parse("100,000 entity declarations", &d, &doc,
	    err, sizeof(err)), 0);
	assert_int_equal(doc->nitems, 1);
	/* The first 2,048 expanded, the rest left out and counted. */
	assert_int_equal(strlen(doc->items[0].summary), 2048);
	assert_int_equal(doc->entities_dropped, N - 2048);
	feed_free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_duplicate_attributes),
		cmocka_unit_test(test_one_huge_text),
		cmocka_unit_test(test_one_line_items),
		cmocka_unit_test(test_entity_references),
		cmocka_unit_test(test_declared_references),
		cmocka_unit_test(test_entity_declarations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
