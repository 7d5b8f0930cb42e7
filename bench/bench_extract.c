/*
 * bench_extract: article extraction throughput next to a baseline that
 * only parses the same pages with libxml2's HTML parser, in one run.
 *
 *   bench_extract [DIR]
 *
 * The pages are news pages made up by a seeded generator (the same ones on
 * every run: menus, scripts, share boxes, an article, related links,
 * comments, a footer; 20-150 KB each), plus every file in DIR when given.
 * Prints pages/s and MB/s of both and their ratio (extraction / parse).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "bench/dir_files.h"
#include "parsers/buf.h"
#include "parsers/extract.h"

#define NPAGES		300
#define PAGE_MIN	(20 * 1024)
#define PAGE_MAX	(150 * 1024)
#define MIN_SECONDS	2.0	/* each side runs about this long */
#define FILE_MAX	(16 * 1024 * 1024)

struct page {
	char	*data;
	size_t	 len;
};

struct corpus {
	struct page	*pages;
	size_t		 n;
	size_t		 cap;
	size_t		 bytes;
};

static uint64_t	 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same pages on every run and every machine */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t
pick(size_t n)
{
	return (size_t)(rng() % n);
}

static const char *const words[] = {
	"the", "council", "said", "on", "Monday", "that", "harbour", "ferry",
	"would", "reopen", "after", "two", "years", "of", "work", "and",
	"engineers", "rebuilt", "quay", "with", "a", "new", "wall", "which",
	"port", "authority", "expects", "to", "keep", "berths", "open", "in",
	"winter", "storms", "residents", "welcomed", "news", "but", "shops",
	"lost", "trade", "while", "passengers", "used", "northern", "pier",
	"minister", "budget", "election", "union", "talks", "strike",
	"railway", "operators", "pay", "inflation", "drivers", "offices",
	"glacier", "survey", "summer", "melt", "scientists", "measured",
	"front", "retreat", "metres", "decade", "average", "snow", "heat",
	NULL
};

static size_t	 nwords;

static int
add(struct buf *b, const char *s)
{
	return buf_addstr(b, s) == BUF_OK ? 0 : -1;
}

static int
sentence(struct buf *b)
{
	size_t	 i, n = 8 + pick(20);

	for (i = 0; i < n; i++) {
		if (add(b, i == 0 ? "" : (pick(9) == 0 ? ", " : " ")) == -1 ||
		    add(b, words[pick(nwords)]) == -1)
			return -1;
		if (pick(30) == 0 && (add(b, " <a href=\"/topic/") == -1 ||
		    add(b, words[pick(nwords)]) == -1 ||
		    add(b, "\">") == -1 || add(b, words[pick(nwords)]) == -1 ||
		    add(b, "</a>") == -1))
			return -1;
	}
	return add(b, ". ");
}

static int
paragraph(struct buf *b, const char *open, const char *close, size_t maxs)
{
	size_t	 i, n = 1 + pick(maxs);

	if (add(b, open) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (sentence(b) == -1)
			return -1;
	return add(b, close);
}

static int
links(struct buf *b, const char *cls, size_t n)
{
	size_t	 i;

	if (buf_printf(b, "<ul class=\"%s\">", cls) != BUF_OK)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, "<li><a href=\"/%s/%zu.html\">%s %s %s</a>"
		    "</li>\n", words[pick(nwords)], i, words[pick(nwords)],
		    words[pick(nwords)], words[pick(nwords)]) != BUF_OK)
			return -1;
	return add(b, "</ul>\n");
}

static int
script(struct buf *b, size_t bytes)
{
	size_t	 i;

	if (add(b, "<script>var cfg={") == -1)
		return -1;
	for (i = 0; i * 24 < bytes; i++)
		if (buf_printf(b, "k%zu:\"%08llx\",", i,
		    (unsigned long long)(rng() & 0xffffffff)) != BUF_OK)
			return -1;
	return add(b, "};</script>\n");
}

/* The page's boilerplate around the article, sized to reach target. */
static int
page_head(struct buf *b, size_t n)
{
	if (buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>Story %zu | Daily Bench</title>"
	    "<meta property=\"og:title\" content=\"Story %zu\">"
	    "<meta property=\"og:site_name\" content=\"Daily Bench\">"
	    "<link rel=\"canonical\" href=\"/news/%zu.html\">"
	    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
	    "\"headline\":\"Story %zu\",\"datePublished\":"
	    "\"2024-03-0%zuT10:00:00Z\",\"author\":{\"name\":\"A. Writer\"}}"
	    "</script><style>body{margin:0}.menu{display:flex}</style>",
	    n, n, n, n, 1 + n % 9) != BUF_OK)
		return -1;
	if (script(b, 2000 + pick(8000)) == -1)
		return -1;
	if (add(b, "</head><body><div class=\"cookie-consent\"><p>We use "
	    "cookies.</p></div><header><nav class=\"menu\">") == -1 ||
	    links(b, "nav", 20 + pick(60)) == -1 ||
	    add(b, "</nav></header>\n<div class=\"wrap\">") == -1)
		return -1;
	return 0;
}

static int
page_article(struct buf *b, size_t n)
{
	size_t	 i, np = 6 + pick(30);

	if (buf_printf(b, "<article><h1>Story %zu</h1><p class=\"byline\">"
	    "By A. Writer</p><div class=\"share\"><a href=\"#\">Share</a>"
	    "</div><div class=\"article-body\">", n) != BUF_OK)
		return -1;
	for (i = 0; i < np; i++) {
		if (pick(8) == 0 &&
		    paragraph(b, "<h2>", "</h2>", 1) == -1)
			return -1;
		if (pick(12) == 0 && links(b, "facts", 3 + pick(4)) == -1)
			return -1;
		if (paragraph(b, "<p>", "</p>\n", 6) == -1)
			return -1;
	}
	return add(b, "</div></article>\n");
}

static int
page_tail(struct buf *b, size_t target)
{
	size_t	 i;

	if (add(b, "<aside class=\"sidebar\"><h3>Most read</h3>") == -1 ||
	    links(b, "popular", 10) == -1 ||
	    add(b, "</aside><section class=\"related\"><h2>Related</h2>") ==
	    -1 || links(b, "related", 8) == -1 ||
	    add(b, "</section><section class=\"comments\">") == -1)
		return -1;
	/* comments fill the page up to its size */
	for (i = 0; b->len + 2048 < target; i++)
		if (buf_printf(b, "<div class=\"comment\" id=\"c%zu\"><span>"
		    "reader%zu</span>", i, pick(1000)) != BUF_OK ||
		    paragraph(b, "<p>", "</p></div>\n", 3) == -1)
			return -1;
	if (add(b, "</section></div><footer><p>&copy; 2024 Daily Bench</p>")
	    == -1 || links(b, "footer", 12) == -1 ||
	    add(b, "</footer></body></html>\n") == -1)
		return -1;
	return 0;
}

static int
corpus_add(struct corpus *c, char *data, size_t len)
{
	struct page	*np;
	size_t		 ncap;

	if (c->n == c->cap) {
		ncap = c->cap == 0 ? 64 : c->cap * 2;
		if ((np = reallocarray(c->pages, ncap, sizeof(*np))) == NULL)
			return -1;
		c->pages = np;
		c->cap = ncap;
	}
	c->pages[c->n].data = data;
	c->pages[c->n].len = len;
	c->n++;
	c->bytes += len;
	return 0;
}

static int
generate(struct corpus *c)
{
	struct buf	 b;
	size_t		 i, target;
	char		*s;

	for (nwords = 0; words[nwords] != NULL; nwords++)
		;
	for (i = 0; i < NPAGES; i++) {
		target = PAGE_MIN + pick(PAGE_MAX - PAGE_MIN);
		buf_init(&b, PAGE_MAX * 2);
		if (page_head(&b, i) == -1 || page_article(&b, i) == -1 ||
		    page_tail(&b, target) == -1) {
			buf_free(&b);
			return -1;
		}
		s = buf_steal(&b);
		if (s == NULL || corpus_add(c, s, strlen(s)) == -1) {
			free(s);
			return -1;
		}
	}
	return 0;
}

/* dir_file_fn: one file of the user's corpus. */
static int
take_file(void *arg, char *data, size_t len)
{
	struct corpus	*c = arg;

	return corpus_add(c, data, len);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The baseline: parse with the options extract_page uses, then free. */
static int
parse_only(const struct page *p)
{
	htmlDocPtr	 doc;

	doc = htmlReadMemory(p->data, (int)p->len, NULL, NULL,
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
	if (doc == NULL)
		return -1;
	xmlFreeDoc(doc);
	return 0;
}

static int
extract_one(const struct page *p)
{
	struct extract	*x;
	char		 err[256];

	if (extract_page(p->data, p->len, NULL, &x, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_extract: %s\n", err);
		return -1;
	}
	extract_free(x);
	return 0;
}

/* One whole pass over the corpus; returns its seconds. */
static double
pass(const struct corpus *c, int (*fn)(const struct page *))
{
	double	 start = now();
	size_t	 i;

	for (i = 0; i < c->n; i++)
		if (c->pages[i].len <= INT_MAX)
			(void)fn(&c->pages[i]);
	return now() - start;
}

int
main(int argc, char **argv)
{
	struct corpus	 c;
	double		 tparse, textract, mb;
	size_t		 i, passes, generated;

	memset(&c, 0, sizeof(c));
	xmlInitParser();
	if (generate(&c) == -1) {
		fprintf(stderr, "bench_extract: out of memory\n");
		return 1;
	}
	generated = c.n;
	if (argc > 1 && dir_files(argv[1], FILE_MAX, take_file, &c) == -1) {
		fprintf(stderr, "bench_extract: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	mb = (double)c.bytes / (1024.0 * 1024.0);
	printf("extract: %zu pages (%zu generated, %zu from %s), %.1f MB\n",
	    c.n, generated, c.n - generated, argc > 1 ? argv[1] : "-", mb);
	/* warm up the allocator and the caches once */
	for (i = 0; i < c.n && i < 10; i++)
		(void)extract_one(&c.pages[i]);
	/*
	 * Passes alternate, so that a change in the machine's load while
	 * the benchmark runs falls on both sides alike.
	 */
	tparse = textract = 0;
	for (passes = 0; passes < 2 || tparse + textract < 2 * MIN_SECONDS;
	    passes++) {
		tparse += pass(&c, parse_only);
		textract += pass(&c, extract_one);
	}
	tparse /= (double)passes;
	textract /= (double)passes;
	printf("extract: parse only  %8.1f pages/s %7.1f MB/s (%zu passes)\n",
	    (double)c.n / tparse, mb / tparse, passes);
	printf("extract: extraction  %8.1f pages/s %7.1f MB/s (%zu passes)\n",
	    (double)c.n / textract, mb / textract, passes);
	printf("extract: ratio %.2f (extraction / parse only, target >= "
	    "0.50)\n", tparse / textract);
	for (i = 0; i < c.n; i++)
		free(c.pages[i].data);
	free(c.pages);
	xmlCleanupParser();
	return 0;
}
