/*
 * poll_gen: the web site the polling benchmark (bench/poll.sh) serves.
 *
 *   build/rel/bench/poll_gen DIR NFEEDS PORT
 *
 * Writes feed number i of gen_feeds' corpus (the same seed as bench_parse)
 * to DIR/f/i.xml, with each item's link rewritten to a page of the
 * benchmark server, http://127.0.0.1:PORT/a/i/k.html, and that page to
 * DIR/a/i/k.html: a few KB of an ordinary news page (head metadata, a
 * navigation bar, a headline and byline, paragraphs of prose, share
 * buttons, related links, a footer), seeded by (i, k) so every run writes
 * the same bytes.  DIR/feeds.txt and DIR/pages.txt list the URLs, one a
 * line; stdout gets one line, "feeds N items M bytes B".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/gen_feeds.h"
#include "parsers/buf.h"

#define POLL_DOC_CAP	(16 * 1024 * 1024)
#define POLL_MAX_FEEDS	100000
#define POLL_HOST	"127.0.0.1"

struct site {
	const char	*dir;
	unsigned	 port;
	FILE		*feeds;		/* DIR/feeds.txt */
	FILE		*pages;		/* DIR/pages.txt */
	struct buf	 doc;		/* the feed as generated */
	struct buf	 out;		/* the feed or a page as written */
	size_t		 items;
	uint64_t	 bytes;
};


static const char *const prose[] = {
	"the", "council", "said", "on", "Tuesday", "that", "it", "would",
	"review", "the", "plan", "after", "residents", "raised", "concerns",
	"about", "traffic", "and", "noise", "near", "the", "new", "station",
	"officials", "expect", "a", "decision", "by", "the", "end", "of",
	"the", "year", "while", "critics", "argue", "costs", "have", "risen",
	"sharply", "since", "the", "project", "was", "first", "proposed",
	"in", "a", "statement", "the", "ministry", "described", "growth",
	"as", "steady", "but", "warned", "of", "risks", "from", "weather",
	"energy", "prices", "and", "trade", "local", "businesses", "welcomed",
	"investment", "schools", "hospitals", "roads", "will", "benefit",
};
#define NPROSE	(sizeof(prose) / sizeof(prose[0]))

static const char *const sections[] = {
	"World", "Politics", "Business", "Technology", "Science", "Health",
	"Sport", "Culture", "Opinion", "Weather",
};
#define NSECTIONS	(sizeof(sections) / sizeof(sections[0]))

/* n words of prose, with a comma now and then and a full stop at the end. */
static int
add_prose(struct buf *b, struct gen_rng *r, size_t n)
{
	size_t	 i;
	int	 rc = BUF_OK;

	for (i = 0; i < n && rc == BUF_OK; i++) {
		rc = buf_addstr(b, prose[gen_rng_next(r) % NPROSE]);
		if (rc != BUF_OK)
			break;
		if (i + 1 == n)
			rc = buf_addch(b, '.');
		else if (gen_rng_next(r) % 9 == 0)
			rc = buf_addstr(b, ", ");
		else if (gen_rng_next(r) % 14 == 0)
			rc = buf_addstr(b, ". ");
		else
			rc = buf_addch(b, ' ');
	}
	return rc;
}

static int
page_head(struct buf *b, struct gen_rng *r, const struct site *s, size_t feed,
    size_t item)
{
	int	 rc;

	rc = buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<title>Story %zu | News "
	    "%zu</title>\n<meta property=\"og:site_name\" content=\"News %zu"
	    "\">\n<link rel=\"canonical\" href=\"http://" POLL_HOST ":%u/a/%zu"
	    "/%zu.html\">\n<link rel=\"stylesheet\" href=\"/static/site.css\">"
	    "\n<script>window.dataLayer = window.dataLayer || []; dataLayer."
	    "push({section: \"%s\"});</script>\n</head>\n<body>\n<header "
	    "class=\"site-header\"><a class=\"logo\" href=\"/\">News %zu</a>\n"
	    "<nav class=\"menu\"><ul>", item, feed, feed, s->port, feed, item,
	    sections[gen_rng_next(r) % NSECTIONS], feed);
	for (size_t i = 0; i < NSECTIONS && rc == BUF_OK; i++)
		rc = buf_printf(b, "<li><a href=\"/%zu/\">%s</a></li>", i,
		    sections[i]);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</ul></nav>\n<form class=\"search\" action="
		    "\"/search\"><input name=\"q\"><button>Search</button></form>"
		    "\n</header>\n");
	return rc;
}

static int
page_article(struct buf *b, struct gen_rng *r, size_t item)
{
	size_t	 i, n;
	int	 rc;

	rc = buf_printf(b, "<main>\n<article>\n<h1>Story %zu: ", item);
	if (rc == BUF_OK)
		rc = add_prose(b, r, gen_rng_range(r, 6, 12));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</h1>\n<p class=\"byline\">By %s %s</p>\n"
		    "<time datetime=\"2024-03-%02zuT%02zu:%02zu:00Z\">March %zu, "
		    "2024</time>\n", prose[gen_rng_next(r) % NPROSE],
		    prose[gen_rng_next(r) % NPROSE], gen_rng_range(r, 10, 28),
		    gen_rng_range(r, 10, 23), gen_rng_range(r, 10, 59),
		    gen_rng_range(r, 1, 28));
	n = gen_rng_range(r, 4, 8);
	for (i = 0; i < n && rc == BUF_OK; i++) {
		rc = buf_addstr(b, "<p>");
		if (rc == BUF_OK)
			rc = add_prose(b, r, gen_rng_range(r, 40, 110));
		if (rc == BUF_OK)
			rc = buf_addstr(b, "</p>\n");
	}
	if (rc == BUF_OK)
		rc = buf_addstr(b, "<div class=\"share\"><a href=\"#\">Share this "
		    "article</a> <a href=\"#\">Facebook</a> <a href=\"#\">"
		    "Twitter</a> <a href=\"#\">Email</a></div>\n</article>\n"
		    "<aside class=\"related\"><h2>Related stories</h2><ul>");
	for (i = 0; i < 5 && rc == BUF_OK; i++) {
		rc = buf_printf(b, "<li><a href=\"/%zu.html\">",
		    gen_rng_range(r, 1, 99999));
		if (rc == BUF_OK)
			rc = add_prose(b, r, gen_rng_range(r, 5, 9));
		if (rc == BUF_OK)
			rc = buf_addstr(b, "</a></li>");
	}
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</ul></aside>\n</main>\n");
	return rc;
}

static int
page_foot(struct buf *b, size_t feed)
{
	return buf_printf(b, "<footer class=\"site-footer\">\n<div class="
	    "\"newsletter\">Sign up for our newsletter <form><input name=\""
	    "email\"><button>Subscribe</button></form></div>\n<p><a href=\""
	    "/about\">About us</a> | <a href=\"/contact\">Contact</a> | <a "
	    "href=\"/privacy\">Privacy</a> | <a href=\"/cookies\">Cookies</a>"
	    "</p>\n<p>Copyright 2024 News %zu. All rights reserved.</p>\n"
	    "</footer>\n<script src=\"/static/app.js\"></script>\n</body>\n"
	    "</html>\n", feed);
}

/* An snprintf result: 0 when the whole string fit in size bytes. */
static int
fits(int n, size_t size)
{
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

static int
write_file(const char *path, const struct buf *b)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "poll_gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len) {
		fprintf(stderr, "poll_gen: %s: write failed\n", path);
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "poll_gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
write_page(struct site *s, size_t feed, size_t item)
{
	struct gen_rng	 r;
	char		 path[4096];
	int		 rc;

	r.s = ((uint64_t)feed << 32) ^ item ^ UINT64_C(0x70616765); /* page */
	buf_reset(&s->out);
	rc = page_head(&s->out, &r, s, feed, item);
	if (rc == BUF_OK)
		rc = page_article(&s->out, &r, item);
	if (rc == BUF_OK)
		rc = page_foot(&s->out, feed);
	if (rc != BUF_OK || fits(snprintf(path, sizeof(path), "%s/a/%zu/%zu.html",
	    s->dir, feed, item), sizeof(path)) == -1)
		return -1;
	if (write_file(path, &s->out) == -1)
		return -1;
	s->bytes += s->out.len;
	if (fprintf(s->pages, "http://" POLL_HOST ":%u/a/%zu/%zu.html\n",
	    s->port, feed, item) < 0)
		return -1;
	return 0;
}

static int
has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t	 n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/*
 * Which kind of item link a line of a generated feed is: 1 for RSS and RDF
 * (<link>URL</link>, where the channel's own link ends in a slash and the
 * items' do not), 2 for an Atom entry's alternate link (the feed's own has
 * no type), 0 for any other line.  gen_feeds writes each link on its own
 * line and never puts a raw "<link" at the start of a line of content.
 */
static int
item_link(const char *line, size_t len)
{
	static const char	 end[] = "/</link>";
	const size_t		 nend = sizeof(end) - 1;

	if (has_prefix(line, len, "<link rel=\"alternate\" type=\"text/html\""))
		return 2;
	if (!has_prefix(line, len, "<link>") || len < 6 + nend ||
	    memcmp(line + len - nend + 1, end + 1, nend - 1) != 0)
		return 0;
	return line[len - nend] == '/' ? 0 : 1;
}

/* Feed i with its item links rewritten into s->out; *nlinks counts them. */
static int
rewrite_feed(struct site *s, size_t feed, size_t *nlinks)
{
	const char	*p = s->doc.data, *end = s->doc.data + s->doc.len;
	const char	*nl;
	size_t		 len;
	int		 kind, rc = BUF_OK;

	buf_reset(&s->out);
	*nlinks = 0;
	while (p < end && rc == BUF_OK) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		kind = item_link(p, len);
		if (kind == 1)
			rc = buf_printf(&s->out, "<link>http://" POLL_HOST
			    ":%u/a/%zu/%zu.html</link>", s->port, feed,
			    (*nlinks)++);
		else if (kind == 2)
			rc = buf_printf(&s->out, "<link rel=\"alternate\" type="
			    "\"text/html\" href=\"http://" POLL_HOST ":%u/a/%zu/"
			    "%zu.html\"/>", s->port, feed, (*nlinks)++);
		else
			rc = buf_add(&s->out, p, len);
		if (rc == BUF_OK && nl != NULL)
			rc = buf_addch(&s->out, '\n');
		p += len + (nl != NULL);
	}
	return rc;
}

static int
write_feed(struct site *s, size_t feed)
{
	char	 path[4096];
	size_t	 nitems, nlinks, k;

	if (gen_feed(&s->doc, GEN_SEED, feed, &nitems) != BUF_OK ||
	    rewrite_feed(s, feed, &nlinks) != BUF_OK) {
		fprintf(stderr, "poll_gen: feed %zu: out of memory\n", feed);
		return -1;
	}
	if (nlinks != nitems) {
		fprintf(stderr, "poll_gen: feed %zu: %zu items but %zu links "
		    "rewritten\n", feed, nitems, nlinks);
		return -1;
	}
	if (fits(snprintf(path, sizeof(path), "%s/f/%zu.xml", s->dir, feed),
	    sizeof(path)) == -1 || write_file(path, &s->out) == -1)
		return -1;
	s->bytes += s->out.len;
	s->items += nitems;
	if (fprintf(s->feeds, "http://" POLL_HOST ":%u/f/%zu.xml\n", s->port,
	    feed) < 0)
		return -1;
	if (fits(snprintf(path, sizeof(path), "%s/a/%zu", s->dir, feed),
	    sizeof(path)) == -1 || (mkdir(path, 0755) == -1 && errno != EEXIST)) {
		fprintf(stderr, "poll_gen: cannot make %s/a/%zu\n", s->dir, feed);
		return -1;
	}
	for (k = 0; k < nitems; k++)
		if (write_page(s, feed, k) == -1)
			return -1;
	return 0;
}

static int
parse_count(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static FILE *
open_list(const struct site *s, const char *name)
{
	char	 path[4096];
	FILE	*f;

	if (fits(snprintf(path, sizeof(path), "%s/%s", s->dir, name),
	    sizeof(path)) == -1)
		return NULL;
	if ((f = fopen(path, "w")) == NULL)
		fprintf(stderr, "poll_gen: %s: %s\n", path, strerror(errno));
	return f;
}

static int
make_dirs(const struct site *s)
{
	static const char *const sub[] = { "f", "a" };
	char	 path[4096];
	size_t	 i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (fits(snprintf(path, sizeof(path), "%s/%s", s->dir, sub[i]),
		    sizeof(path)) == -1 ||
		    (mkdir(path, 0755) == -1 && errno != EEXIST)) {
			fprintf(stderr, "poll_gen: cannot make %s/%s\n",
			    s->dir, sub[i]);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct site	 s;
	unsigned long	 nfeeds, port, i;
	int		 rc = 1;

	if (argc != 4 || parse_count(argv[2], 1, POLL_MAX_FEEDS, &nfeeds) ==
	    -1 || parse_count(argv[3], 1, 65535, &port) == -1) {
		fprintf(stderr, "usage: poll_gen DIR NFEEDS PORT\n");
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.dir = argv[1];
	s.port = (unsigned)port;
	buf_init(&s.doc, POLL_DOC_CAP);
	buf_init(&s.out, POLL_DOC_CAP);
	if (make_dirs(&s) == -1 || (s.feeds = open_list(&s, "feeds.txt")) ==
	    NULL)
		goto out;
	if ((s.pages = open_list(&s, "pages.txt")) == NULL)
		goto out_feeds;
	for (i = 0; i < nfeeds; i++)
		if (write_feed(&s, i) == -1)
			goto out_pages;
	rc = 0;
 out_pages:
	if (fclose(s.pages) != 0)
		rc = 1;
 out_feeds:
	if (fclose(s.feeds) != 0)
		rc = 1;
 out:
	buf_free(&s.doc);
	buf_free(&s.out);
	if (rc == 0)
		printf("feeds %lu items %zu bytes %" PRIu64 "\n", nfeeds,
		    s.items, s.bytes);
	return rc;
}
