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

/*
 * JSONLD: a page whose head is followed by a JSON-LD block of LD_BYTES
 * of empty objects, the most extraction reads of one (a text node of
 * more than 10 MB is more than libxml2 builds without XML_PARSE_HUGE).
 */
enum kind { PAGE, JSONLD, FEED };
#define LD_BYTES	(4 * MIB)

struct shape {
	const char	*name;
	enum kind	 kind;
	const char	*head;
	const char	*unit;	/* repeated to DOC bytes */
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
	{ "many tiny elements", PAGE, "<html><body><p>", "<b>x</b>",
	    "</p></body></html>", false },
	{ "siblings", PAGE, "<html><body>", "<div></div>", "</body></html>",
	    false },
	{ "deep nesting", PAGE, "<html><body><p>Some text.</p>", "<div>",
	    "", false },
	{ "one huge attribute", PAGE, "<html><body><div title=\"", "A",
	    "\"><p>text</p></div></body></html>", false },
	{ "attributes", PAGE, "<html><body><p>",
	    "<span class=\"c\" data-x=\"yyyyyyyyyyyyyyyy\">z</span>",
	    "</p></body></html>", false },
	{ "paragraphs", PAGE, "<html><body>", "<p>Lorem ipsum dolor sit "
	    "amet, consectetur adipiscing elit, sed do.</p>\n",
	    "</body></html>", false },
	{ "comments", PAGE, "<html><body><p>x", "<!-- a comment -->",
	    "</p></body></html>", false },
	{ "JSON-LD", JSONLD, "<html><head><title>t</title>", "<p>Lorem ipsum "
	    "dolor sit amet, consectetur adipiscing elit, sed do.</p>\n",
	    "</body></html>", false },
	{ "feed: empty elements", FEED, RSS_ITEM, "<x/>", RSS_ITEM_END, false },
	{ "feed: attributes", FEED, RSS_ITEM,
	    "<x a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\"/>",
	    RSS_ITEM_END, false },
	{ "feed: namespaces", FEED, RSS_ITEM, "<x xmlns:a=\"u\" a:b=\"c\"/>",
	    RSS_ITEM_END, false },
	{ "feed: deep nesting", FEED, RSS_ITEM, "<x>", "", false },
	{ "feed: text nodes", FEED, RSS_ITEM, "<x>y</x>", RSS_ITEM_END, false },
	{ "feed: comments", FEED, RSS_ITEM, "<!--c-->", RSS_ITEM_END, false },
	{ "feed: items", FEED, RSS,
	    "<item><title>An item</title><link>https://example.org/a</link>"
	    "<description>A sentence or two of text.</description></item>\n",
	    RSS_END, false },
	{ "feed: broken", FEED, RSS,
	    "<item><title>t</title><description><p>Some <b>raw</b> html<br>"
	    " &nbsp; &eacute;</description></item>\n", RSS_END, false },
	{ "feed: Latin-1", FEED, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    RSS, "<item><title>\xe9t\xe9 &eacute;</title><description>\xe0 "
	    "\xe9t\xe9 &nbsp;<br></description></item>\n", RSS_END, false },
	{ "feed: entities", FEED, "<!DOCTYPE rss [<!ENTITY e \"" ENT2K
	    "\">]>" RSS, "<item><title>&e;</title></item>\n", RSS_END, false },
	{ "json: items", FEED, JSONFEED, "{\"id\":\"1\",\"title\":\"t\"},",
	    "{}]}", true },
	{ "json: tiny values", FEED, JSONFEED "{\"id\":\"1\",\"tags\":[",
	    "0,", "0]}]}", true },
	{ "json: long texts", FEED, JSONFEED, "{\"id\":\"1\",\"content_html\":"
	    "\"" ENT2K "\"},", "{}]}", false },
};

/* The document, read as the daemon reads it; 0 when that went well. */
static int
child(const struct shape *s, size_t size)
{
	struct buf	 b;
	struct extract	*x = NULL;
	struct feed_doc	*d = NULL;
	char		 err[256];
	int		 rc;

	buf_init(&b, size + strlen(s->head) + strlen(s->unit) +
	    strlen(s->tail) + 256);
	if (buf_addstr(&b, s->head) != BUF_OK)
		return 1;
	if (s->kind == JSONLD) {
		if (buf_addstr(&b, "<script type=\"application/ld+json\">[") !=
		    BUF_OK)
			return 1;
		while (b.len < LD_BYTES && b.len < size)
			if (buf_addstr(&b, "{},") != BUF_OK)
				return 1;
		if (buf_addstr(&b, "{}]</script></head><body>") != BUF_OK)
			return 1;
	}
	while (b.len < size)
		if (buf_addstr(&b, s->unit) != BUF_OK)
			return 1;
	if (buf_addstr(&b, s->tail) != BUF_OK)
		return 1;
	if (s->kind != FEED) {
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
