/*
 * test_membound: the peak RSS of a process that extracts a page or parses
 * a feed of n bytes, of every shape that costs the parsers most, stays
 * within what README.md ("Memory") allows a document: 96 MiB and twice
 * its size beside the document itself (UTF-8).  Each document is made
 * and read in a child of its own; the parent takes the child's
 * ru_maxrss from wait4(), and compares it with a child that read a
 * document of a few bytes.  Nothing is timed.
 *
 * Skipped in the sanitizer build: ASan's shadow memory and its
 * quarantine of freed blocks make RSS no measure of the program's own
 * (test_xmlcap counts libxml2's allocations there instead).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsers/buf.h"
#include "parsers/extract.h"
#include "parsers/feed.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

#define MIB		(1024UL * 1024)
#define DOC		(16 * MIB)	/* n, the size of the documents */
#define ALLOWED		(96 * MIB + 2 * DOC)
#define MARGIN		(16 * MIB)	/* malloc's slack, the generator's */
#define AS_MAX		(4096 * MIB)	/* a child's address space */

#define PAD		(1 * MIB)	/* one long value, unless pad_size */

enum kind { PAGE, FEED };

/*
 * head, then pad, pad_unit repeated to pad_size (or PAD) bytes and
 * pad_end when there is a pad, then unit repeated to n bytes in all, then
 * tail.
 */
struct shape {
	const char	*name;
	enum kind	 kind;
	const char	*head;
	const char	*pad;
	const char	*pad_unit;
	const char	*pad_end;
	size_t		 pad_size;
	const char	*unit;
	const char	*tail;
	bool		 refused;	/* the parser is to turn it down */
};

/* An entity of 2 KiB (feed_xml.c expands up to 4 KiB), in every item. */
#define ENT2K_16	"xxxxxxxxxxxxxxxx"
#define ENT2K_256	ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 \
			ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16 \
			ENT2K_16 ENT2K_16 ENT2K_16 ENT2K_16
#define ENT2K		ENT2K_256 ENT2K_256 ENT2K_256 ENT2K_256 ENT2K_256 \
			ENT2K_256 ENT2K_256 ENT2K_256
#define JSONFEED	"{\"version\":\"https://jsonfeed.org/version/1.1\"," \
			"\"title\":\"t\",\"items\":["
#define RSS		"<rss version=\"2.0\"><channel><title>t</title>"
#define RSS_ITEM	RSS "<item><title>i</title>"
#define RSS_END		"</channel></rss>"
#define RSS_ITEM_END	"</item>" RSS_END

static const struct shape shapes[] = {
	{ .name = "many tiny elements", .kind = PAGE,
	    .head = "<html><body><p>", .unit = "<b>x</b>",
	    .tail = "</p></body></html>" },
	{ .name = "siblings", .kind = PAGE, .head = "<html><body>",
	    .unit = "<div></div>", .tail = "</body></html>" },
	{ .name = "deep nesting", .kind = PAGE,
	    .head = "<html><body><p>Some text.</p>", .unit = "<div>",
	    .tail = "" },
	{ .name = "one huge attribute", .kind = PAGE,
	    .head = "<html><body><div title=\"", .unit = "A",
	    .tail = "\"><p>text</p></div></body></html>" },
	{ .name = "attributes", .kind = PAGE, .head = "<html><body><p>",
	    .unit = "<span class=\"c\" data-x=\"yyyyyyyyyyyyyyyy\">z</span>",
	    .tail = "</p></body></html>" },
	{ .name = "paragraphs", .kind = PAGE, .head = "<html><body>",
	    .unit = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing "
	    "elit, sed do.</p>\n",
	    .tail = "</body></html>" },
	{ .name = "comments", .kind = PAGE, .head = "<html><body><p>x",
	    .unit = "<!-- a comment -->", .tail = "</p></body></html>" },
	{ .name = "JSON-LD", .kind = PAGE,
	    .head = "<html><head><title>t</title>",
	    .pad = "<script type=\"application/ld+json\">[",
	    .pad_unit = "{},", .pad_end = "{}]</script></head><body>",
	    /* the most extraction reads of a block (extract_meta.c) */
	    .pad_size = 4 * MIB,
	    .unit = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing "
	    "elit, sed do.</p>\n",
	    .tail = "</body></html>" },
	{ .name = "feed: empty elements", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<x/>", .tail = RSS_ITEM_END },
	{ .name = "feed: attributes", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<x a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\"/>",
	    .tail = RSS_ITEM_END },
	{ .name = "feed: namespaces", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<x xmlns:a=\"u\" a:b=\"c\"/>", .tail = RSS_ITEM_END },
	{ .name = "feed: deep nesting", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<x>", .tail = "" },
	{ .name = "feed: text nodes", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<x>y</x>", .tail = RSS_ITEM_END },
	{ .name = "feed: comments", .kind = FEED, .head = RSS_ITEM,
	    .unit = "<!--c-->", .tail = RSS_ITEM_END },
	{ .name = "feed: items", .kind = FEED, .head = RSS,
	    .unit = "<item><title>An item</title><link>https://example.org/a"
	    "</link><description>A sentence or two of text.</description>"
	    "</item>\n",
	    .tail = RSS_END },
	{ .name = "feed: broken", .kind = FEED, .head = RSS,
	    .unit = "<item><title>t</title><description><p>Some <b>raw</b> "
	    "html<br> &nbsp; &eacute;</description></item>\n",
	    .tail = RSS_END },
	{ .name = "feed: Latin-1", .kind = FEED,
	    .head = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" RSS,
	    .unit = "<item><title>\xe9t\xe9 &eacute;</title><description>"
	    "\xe0 \xe9t\xe9 &nbsp;<br></description></item>\n",
	    .tail = RSS_END },
	{ .name = "feed: entities", .kind = FEED,
	    .head = "<!DOCTYPE rss [<!ENTITY e \"" ENT2K "\">]>" RSS,
	    .unit = "<item><title>&e;</title></item>\n", .tail = RSS_END },
	{ .name = "feed: long xml:base", .kind = FEED,
	    .head = "<feed xmlns=\"http://www.w3.org/2005/Atom\"",
	    .pad = " xml:base=\"http://example.org/", .pad_unit = "a",
	    .pad_end = "/\"><title>t</title>",
	    .unit = "<entry><id>e</id><title>x</title><link href=\"p\"/>"
	    "<link href=\"\"/><content type=\"html\">&lt;a href=\"x\"&gt;"
	    "y&lt;/a&gt;</content></entry>\n", .tail = "</feed>" },
	{ .name = "feed: long xml:lang", .kind = FEED,
	    .head = "<feed xmlns=\"http://www.w3.org/2005/Atom\"",
	    .pad = " xml:lang=\"en-", .pad_unit = "a",
	    .pad_end = "\"><title>t</title>",
	    .unit = "<entry><id>e</id><title>x</title></entry>\n",
	    .tail = "</feed>" },
	{ .name = "json: feed's author", .kind = FEED,
	    .head = "{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"title\":\"t\"", .pad = ",\"authors\":[{\"name\":\"",
	    .pad_unit = "a", .pad_end = "\"}],\"items\":[",
	    .unit = "{\"id\":\"1\",\"content_text\":\"" ENT2K "\"},",
	    .tail = "{}]}" },
	{ .name = "json: items", .kind = FEED, .head = JSONFEED,
	    .unit = "{\"id\":\"1\",\"title\":\"t\"},", .tail = "{}]}",
	    .refused = true },
	{ .name = "json: tiny values", .kind = FEED,
	    .head = JSONFEED "{\"id\":\"1\",\"tags\":[", .unit = "0,",
	    .tail = "0]}]}", .refused = true },
	{ .name = "json: long texts", .kind = FEED, .head = JSONFEED,
	    .unit = "{\"id\":\"1\",\"content_html\":\"" ENT2K "\"},",
	    .tail = "{}]}" },
};

/* The document, read as the daemon reads it; 0 when that went well. */
static int
child(const struct shape *s, size_t size)
{
	struct buf	 b;
	struct extract	*x = NULL;
	struct feed_doc	*d = NULL;
	struct rlimit	 rl;
	char		 err[256];
	int		 rc;

	/* A document the parsers do not bound fails here, not the machine. */
	rl.rlim_cur = rl.rlim_max = AS_MAX;
	if (setrlimit(RLIMIT_AS, &rl) == -1)
		return 1;
	buf_init(&b, size + strlen(s->head) + strlen(s->unit) +
	    strlen(s->tail) + (s->pad != NULL ? strlen(s->pad) +
	    strlen(s->pad_unit) + strlen(s->pad_end) : 0) + 1);
	if (buf_addstr(&b, s->head) != BUF_OK)
		return 1;
	if (s->pad != NULL) {
		if (buf_addstr(&b, s->pad) != BUF_OK)
			return 1;
		while (b.len < (s->pad_size != 0 ? s->pad_size : PAD) &&
		    b.len < size)
			if (buf_addstr(&b, s->pad_unit) != BUF_OK)
				return 1;
		if (buf_addstr(&b, s->pad_end) != BUF_OK)
			return 1;
	}
	while (b.len < size)
		if (buf_addstr(&b, s->unit) != BUF_OK)
			return 1;
	if (buf_addstr(&b, s->tail) != BUF_OK)
		return 1;
	if (s->kind == PAGE) {
		rc = extract_page(b.data, b.len, NULL, &x, err, sizeof(err));
		extract_free(x);
	} else {
		rc = feed_parse(b.data, b.len, NULL, NULL, &d, err,
		    sizeof(err));
		feed_free(d);
	}
	buf_free(&b);
	/* Turned down when it is too big for the parser, read when small. */
	return (rc == 0) == (!s->refused || size < MIB) ? 0 : 1;
}

/* The peak RSS of a child reading shape s at size, in bytes. */
static size_t
peak_rss(const struct shape *s, size_t size)
{
	struct rusage	 ru;
	pid_t		 pid;
	int		 status;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fail_msg("fork");
	if (pid == 0)
		_exit(child(s, size));
	if (wait4(pid, &status, 0, &ru) != pid)
		fail_msg("wait4");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: the child failed", s->name);
	return (size_t)ru.ru_maxrss * 1024;
}

static void
test_bound(void **state)
{
	size_t	 i, base, rss, over = 0;

	(void)state;
#ifdef UNDER_ASAN
	print_message("skipped: under ASan, RSS is the sanitizer's "
	    "(test_xmlcap counts libxml2's allocations instead)\n");
	skip();
#endif
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		base = peak_rss(&shapes[i], 1);
		rss = peak_rss(&shapes[i], DOC);
		print_message("%-20s %6zu KiB (%zu KiB for a few bytes)\n",
		    shapes[i].name, rss / 1024, base / 1024);
		if (rss > base + DOC + ALLOWED + MARGIN) {
			print_message("%s: %zu MiB for a document of %zu MiB, "
			    "more than allowed\n", shapes[i].name, rss / MIB,
			    DOC / MIB);
			over++;
		}
	}
	assert_int_equal(over, 0);
}

/* head, unit repeated to n bytes, tail, parsed: the feed. */
static struct feed_doc *
parse_made(const char *head, const char *unit, size_t n, const char *mid,
    const char *tail)
{
	struct buf	 b;
	struct feed_doc	*d = NULL;
	char		 err[256];

	buf_init(&b, SIZE_MAX - 1);
	assert_int_equal(buf_addstr(&b, head), BUF_OK);
	while (b.len < n)
		assert_int_equal(buf_addstr(&b, unit), BUF_OK);
	assert_int_equal(buf_addstr(&b, mid), BUF_OK);
	assert_int_equal(buf_addstr(&b, tail), BUF_OK);
	if (feed_parse(b.data, b.len, NULL, NULL, &d, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	buf_free(&b);
	return d;
}

#define ATOM		"<feed xmlns=\"http://www.w3.org/2005/Atom\""
#define ENTRIES		"<entry><id>urn:1</id><link href=\"p\"/></entry>" \
			"<entry><id>urn:2</id><link href=\"p\"/></entry>" \
			"<entry><id>urn:3</id><link href=\"p\"/></entry>"

/*
 * What each story or item would carry a copy of is bounded, not only the
 * document: the feed's title (4 KiB), a language tag (64 bytes), what
 * relative links take of a long xml:base and items of a JSON Feed's
 * author (the document's size in all, 1 MiB at least).  Ordinary values
 * pass whole.
 */
static void
test_inherited(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse_made("<rss version=\"2.0\"><channel><title>", "t", 2 * MIB,
	    "</title>", "<item><title>i</title></item>" RSS_END);
	assert_int_equal(strlen(d->title), 4096);
	feed_free(d);

	d = parse_made(ATOM " xml:lang=\"en-", "a", 200, "\"><title>t</title>",
	    ENTRIES "</feed>");
	assert_null(d->language);
	assert_null(d->items[0].language);
	feed_free(d);
	d = parse_made(ATOM " xml:lang=\"en-GB\"><title>t</title>", "", 0, "",
	    ENTRIES "</feed>");
	assert_string_equal(d->items[2].language, "en-GB");
	feed_free(d);

	/* 2 MiB of base, room for one link: the others stay as written */
	d = parse_made(ATOM " xml:base=\"http://example.org/", "a", 2 * MIB,
	    "/\"><title>t</title>", ENTRIES "</feed>");
	assert_int_equal(d->nitems, 3);
	assert_true(strlen(d->items[0].link) > MIB);
	assert_string_equal(d->items[1].link, "p");
	assert_string_equal(d->items[2].link, "p");
	feed_free(d);
	d = parse_made(ATOM " xml:base=\"http://example.org/a/\"><title>t"
	    "</title>", "", 0, "", ENTRIES "</feed>");
	assert_string_equal(d->items[2].link, "http://example.org/a/p");
	feed_free(d);

	/* an author of 1 MiB, room for one item's copy */
	d = parse_made("{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"title\":\"t\",\"authors\":[{\"name\":\"", "a", MIB - 16,
	    "\"}],", "\"items\":[{\"id\":\"1\"},{\"id\":\"2\"}]}");
	assert_int_equal(d->nitems, 2);
	assert_int_equal(d->items[0].nauthors, 1);
	assert_int_equal(d->items[1].nauthors, 0);
	feed_free(d);
	d = parse_made("{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"title\":\"t\",\"authors\":[{\"name\":\"Ann\"}],", "", 0, "",
	    "\"items\":[{\"id\":\"1\"},{\"id\":\"2\"}]}");
	assert_string_equal(d->items[1].authors[0].name, "Ann");
	feed_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_inherited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
