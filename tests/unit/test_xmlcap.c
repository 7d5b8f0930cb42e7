/*
 * test_xmlcap: what libxml2 holds while it parses a page or a feed stays
 * within the tree's budget and the document's size, however the document
 * is shaped; HTML nesting is capped.  Every allocation of libxml2's is
 * counted through xmlMemSetup (set before libxml2 is used), each block
 * with its size in a header of its own: exact, under the sanitizers too,
 * and no measure of time or of the machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlmemory.h>

#include "parsers/buf.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "parsers/xmlcap.h"

#define HEADER	16	/* keeps the blocks 16-byte aligned */
#define MIB	(1024UL * 1024)
#define PAGE	(4 * MIB)	/* the size of the documents made here */

static size_t	 live, peak;

static void *
count_malloc(size_t n)
{
	unsigned char	*p;

	if (n > SIZE_MAX - HEADER || (p = malloc(HEADER + n)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	live += n;
	if (live > peak)
		peak = live;
	return p + HEADER;
}

static void
count_free(void *v)
{
	unsigned char	*p = v;
	size_t		 n;

	if (p == NULL)
		return;
	p -= HEADER;
	memcpy(&n, p, sizeof(n));
	live -= n;
	free(p);
}

static void *
count_realloc(void *v, size_t n)
{
	unsigned char	*p = v, *np;
	size_t		 old;

	if (p == NULL)
		return count_malloc(n);
	p -= HEADER;
	memcpy(&old, p, sizeof(old));
	if (n > SIZE_MAX - HEADER || (np = realloc(p, HEADER + n)) == NULL)
		return NULL;
	memcpy(np, &n, sizeof(n));
	live = live - old + n;
	if (live > peak)
		peak = live;
	return np + HEADER;
}

static char *
count_strdup(const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p;

	if ((p = count_malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

/* From here on, peak is the most libxml2 holds above what it holds now. */
static size_t
measure_from(void)
{
	peak = live;
	return live;
}

/* A document: head, then unit repeated to about PAGE bytes, then tail. */
static void
make(struct buf *b, const char *head, const char *unit, const char *tail)
{
	buf_init(b, 2 * PAGE);
	assert_int_equal(buf_addstr(b, head), BUF_OK);
	while (b->len < PAGE)
		assert_int_equal(buf_addstr(b, unit), BUF_OK);
	assert_int_equal(buf_addstr(b, tail), BUF_OK);
}

static size_t
max_depth(const xmlNode *n, size_t d)
{
	size_t	 m = d, c;

	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (c = max_depth(n->children, d + 1)) > m)
			m = c;
	return m;
}

#define OPTS	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
		HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER | HTML_PARSE_COMPACT)

/*
 * A million nested divs: elements past XMLCAP_DEPTH are not built, their
 * text goes to the deepest one that is, and at XMLCAP_STACK open elements
 * the parse stops.  The text before the deep part and inside its first
 * levels is all there; extraction completes and finds it.
 */
static void
test_deep(void **state)
{
	struct buf	 b;
	struct xmlcap	 cap;
	struct extract	*x = NULL;
	xmlDoc		*doc;
	char		 err[128];
	size_t		 i;

	(void)state;
	buf_init(&b, 8 * MIB);
	assert_int_equal(buf_addstr(&b, "<html><body><p>Before the deep "
	    "part, a paragraph long enough, with commas, to be read.</p>"),
	    BUF_OK);
	for (i = 0; i < 300; i++)
		assert_int_equal(buf_addstr(&b, "<div>"), BUF_OK);
	assert_int_equal(buf_addstr(&b, "<p>Three hundred levels down, the "
	    "text of an element that is not built, kept all the same.</p>"),
	    BUF_OK);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(buf_addstr(&b, "<div>"), BUF_OK);
	assert_int_equal(buf_addstr(&b, "lost"), BUF_OK);

	xmlcap_init(&cap, XMLCAP_TREE, 0);
	assert_non_null(doc = xmlcap_html(b.data, b.len, NULL, OPTS, &cap));
	assert_true(max_depth(doc->children, 0) <= XMLCAP_DEPTH);
	assert_true(cap.cut);
	/* every level from XMLCAP_DEPTH to XMLCAP_STACK, and the <p> */
	assert_int_equal(cap.flattened, XMLCAP_STACK - XMLCAP_DEPTH + 1);
	xmlFreeDoc(doc);

	assert_int_equal(extract_page(b.data, b.len, NULL, &x, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(x->text, "Before the deep part"));
	assert_non_null(strstr(x->text, "Three hundred levels down"));
	assert_null(strstr(x->text, "lost"));
	extract_free(x);
	buf_free(&b);
}

/* Deep, but within the cap: every level built, nothing flattened. */
static void
test_not_deep(void **state)
{
	struct buf	 b;
	struct xmlcap	 cap;
	xmlDoc		*doc;
	size_t		 i;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_addstr(&b, "<html><body>"), BUF_OK);
	for (i = 0; i < XMLCAP_DEPTH - 2; i++)
		assert_int_equal(buf_addstr(&b, "<div>"), BUF_OK);
	assert_int_equal(buf_addstr(&b, "x"), BUF_OK);
	xmlcap_init(&cap, XMLCAP_TREE, 0);
	assert_non_null(doc = xmlcap_html(b.data, b.len, NULL, OPTS, &cap));
	assert_int_equal(max_depth(doc->children, 0), XMLCAP_DEPTH);
	assert_false(cap.cut);
	assert_int_equal(cap.flattened, 0);
	xmlFreeDoc(doc);
	buf_free(&b);
}

/*
 * Pages of every shape that costs libxml2 most per byte, under a budget
 * of 1 MiB: each is cut, the tree it leaves takes no more than was
 * charged for it, and the parse never held more than the budget and one
 * attribute or comment of the page (libxml2 reads those whole first).
 */
static void
test_budget(void **state)
{
	static const char *const units[] = {
		"<b>x</b>", "<div></div>", "<br>", "x<!---->",
		"<span class=\"c\" data-x=\"yyyyyyyy\">z</span>", "<a b c d e>",
		NULL
	};
	struct buf	 b;
	struct xmlcap	 cap;
	xmlDoc		*doc;
	size_t		 i, base;

	(void)state;
	for (i = 0; units[i] != NULL; i++) {
		make(&b, "<html><body>", units[i], "</body></html>");
		base = measure_from();
		xmlcap_init(&cap, MIB, 0);
		assert_non_null(doc = xmlcap_html(b.data, b.len, NULL, OPTS,
		    &cap));
		if (!cap.cut)
			fail_msg("%s: not cut", units[i]);
		if (live - base > cap.used)
			fail_msg("%s: the tree holds %zu, %zu were charged",
			    units[i], live - base, cap.used);
		if (peak - base > MIB + MIB / 2)
			fail_msg("%s: libxml2 held %zu", units[i], peak - base);
		xmlFreeDoc(doc);
		buf_free(&b);
	}
}

/* Distinct names: the parser's dictionary is charged too. */
static void
test_names(void **state)
{
	struct buf	 b;
	struct xmlcap	 cap;
	xmlDoc		*doc;
	size_t		 i, base;

	(void)state;
	buf_init(&b, 2 * PAGE);
	assert_int_equal(buf_addstr(&b, "<html><body>"), BUF_OK);
	for (i = 0; b.len < PAGE; i++)
		assert_int_equal(buf_printf(&b, "<e%zu a%zu=1>", i, i), BUF_OK);
	base = measure_from();
	xmlcap_init(&cap, MIB, 0);
	assert_non_null(doc = xmlcap_html(b.data, b.len, NULL, OPTS, &cap));
	assert_true(cap.cut);
	assert_true(peak - base <= MIB + MIB / 2);
	xmlFreeDoc(doc);
	buf_free(&b);
}

/*
 * extract_page on 4 MB of "<b>x</b>": libxml2 used to hold 140 MB for it
 * (a tree of 35 times the page, and two copies of the page); now never
 * more than the tree's budget.
 */
static void
test_page_bound(void **state)
{
	struct buf	 b;
	struct extract	*x = NULL;
	char		 err[128];
	size_t		 base;

	(void)state;
	make(&b, "<html><body><p>", "<b>x</b>", "</p></body></html>");
	base = measure_from();
	assert_int_equal(extract_page(b.data, b.len, NULL, &x, err,
	    sizeof(err)), 0);
	if (peak - base > XMLCAP_TREE + MIB)
		fail_msg("libxml2 held %zu for a page of %zu", peak - base,
		    b.len);
	extract_free(x);
	buf_free(&b);
}

/*
 * feed_parse on 4 MB of each shape that costs libxml2 most in a feed,
 * well-formed (the push parser keeps only the piece it reads) or not (the
 * pull parser reads feed_xml.c's lenient copy in place): libxml2 used to
 * hold up to 145 MB for them, now never more than the tree's budget.  A
 * feed cut there is flagged recovered and keeps what came before.
 */
static void
test_feed_bound(void **state)
{
	static const struct {
		const char	*head;
		const char	*unit;
	} units[] = {
		{ "", "<x/>" },
		{ "", "<x>y</x>" },
		{ "", "<x a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\"/>" },
		{ "", "<x xmlns:a=\"u\" a:b=\"c\"/>" },
		{ "", "<!--c-->" },
		/* not well-formed: read by the pull parser, wrapped in CDATA */
		{ "<description>a<br>b</description>", "<x/>" },
	};
	struct buf	 b, head;
	struct feed_doc	*d = NULL;
	char		 err[128];
	size_t		 i, base;

	(void)state;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		buf_init(&head, 256);
		assert_int_equal(buf_printf(&head, "<rss version=\"2.0\">"
		    "<channel><title>t</title><item><title>i</title>%s",
		    units[i].head), BUF_OK);
		make(&b, head.data, units[i].unit, "</item></channel></rss>");
		buf_free(&head);
		base = measure_from();
		if (feed_parse(b.data, b.len, NULL, NULL, &d, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", units[i].unit, err);
		print_message("%-40s %-7s libxml2 held %zu KiB at most\n",
		    units[i].unit, units[i].head[0] != '\0' ? "broken" : "",
		    (peak - base) / 1024);
		if (peak - base > XMLCAP_TREE + MIB)
			fail_msg("%s: libxml2 held %zu for a feed of %zu",
			    units[i].unit, peak - base, b.len);
		assert_true(d->recovered);
		assert_int_equal(d->nitems, 1);
		assert_string_equal(d->items[0].title, "i");
		feed_free(d);
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_not_deep),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_page_bound),
		cmocka_unit_test(test_feed_bound),
	};

	/* before libxml2 allocates anything */
	if (xmlMemSetup(count_free, count_malloc, count_realloc,
	    count_strdup) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
