/*
 * test_membound: the peak RSS of a process that extracts a page (feeds:
 * not yet, the shapes are kept for when they are) of n bytes, of every
 * shape that costs the parsers most, stays
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

enum kind { PAGE, FEED };

struct shape {
	const char	*name;
	enum kind	 kind;
	const char	*head;
	const char	*unit;	/* repeated to DOC bytes */
	const char	*tail;
};

static const struct shape shapes[] = {
	{ "many tiny elements", PAGE, "<html><body><p>", "<b>x</b>",
	    "</p></body></html>" },
	{ "siblings", PAGE, "<html><body>", "<div></div>", "</body></html>" },
	{ "deep nesting", PAGE, "<html><body><p>Some text.</p>", "<div>",
	    "" },
	{ "one huge attribute", PAGE, "<html><body><div title=\"", "A",
	    "\"><p>text</p></div></body></html>" },
	{ "attributes", PAGE, "<html><body><p>",
	    "<span class=\"c\" data-x=\"yyyyyyyyyyyyyyyy\">z</span>",
	    "</p></body></html>" },
	{ "paragraphs", PAGE, "<html><body>", "<p>Lorem ipsum dolor sit "
	    "amet, consectetur adipiscing elit, sed do.</p>\n",
	    "</body></html>" },
	{ "comments", PAGE, "<html><body><p>x", "<!-- a comment -->",
	    "</p></body></html>" },
	{ "empty elements", FEED, "<rss version=\"2.0\"><channel><title>t"
	    "</title><item><title>i</title>", "<x/>",
	    "</item></channel></rss>" },
	{ "items", FEED, "<rss version=\"2.0\"><channel><title>t</title>",
	    "<item><title>An item</title><link>https://example.org/a</link>"
	    "<description>A sentence or two of text.</description></item>\n",
	    "</channel></rss>" },
	{ "broken", FEED, "<rss version=\"2.0\"><channel><title>t</title>",
	    "<item><title>t</title><description><p>Some <b>raw</b> html<br>"
	    " &nbsp; &eacute;</description></item>\n", "</channel></rss>" },
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

	buf_init(&b, 2 * size + 1024);
	if (buf_addstr(&b, s->head) != BUF_OK)
		return 1;
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
	return rc == 0 ? 0 : 1;
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
		/* Feeds are not within the bound yet (README, "Memory"). */
		if (shapes[i].kind != PAGE)
			continue;
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
