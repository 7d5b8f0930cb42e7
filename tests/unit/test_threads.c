/*
 * The CPU work the daemon hands to worker threads, from several threads at
 * once: feed_parse, story_key, story_content_hash, story_from_item,
 * extract_page_charset, story_add_page, story_dump and langid_guess, each
 * thread on its own document at a time.  Every thread's output must be
 * byte for byte what one thread alone makes of the same documents; under
 * ThreadSanitizer (make check, build/tsan) any data race fails the run.
 * The threads start before anything was parsed or guessed, so the lazy
 * parts (the language models, norm's cache) are first used concurrently.
 *
 *   test_threads            the cmocka tests
 *   test_threads --once [N] N single-threaded passes only (for callgrind)
 *
 * Tests run from the repository root (tests/fixtures).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/story.h"
#include "parsers/buf.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "parsers/langid.h"
#include "parsers/parsers.h"

#define NTHREADS	4
#define ROUNDS		3
#define OUT_MAX		(64 * 1024 * 1024)

/* Documents of every kind the parsers tell apart: formats, charsets. */
static const char *const feed_names[] = {
	"atom10.xml", "atom-people.xml", "rss20.xml", "rss-summaries.xml",
	"rss10.rdf", "rss091n.xml", "conventions.xml", "entities.xml",
	"lenient.xml", "truncated.xml", "enc-iso8859-2.xml",
	"enc-utf16le-bom.xml", "enc-cp1252-as-utf8.xml", "jsonfeed.json"
};
static const char *const page_names[] = {
	"news-article.html", "lead.html", "metadata.html", "modules.html",
	"ld-body.html", "loose-text.html", "split.html"
};
#define NFEEDS	(sizeof(feed_names) / sizeof(feed_names[0]))
#define NPAGES	(sizeof(page_names) / sizeof(page_names[0]))
#define NDOCS	NFEEDS

struct text {
	char	*data;
	size_t	 len;
};

static struct text	 feeds[NFEEDS], pages[NPAGES];
static struct text	 lines[64];		/* langid's fixture texts */
static size_t		 nlines;

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n = -1;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	assert_true(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
	assert_non_null(s = malloc((size_t)n + 1));
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static void
load_texts(void)
{
	char	 path[256], line[4096], *tab;
	FILE	*f;
	size_t	 i;

	for (i = 0; i < NFEEDS; i++) {
		snprintf(path, sizeof(path), "tests/fixtures/feeds/%s",
		    feed_names[i]);
		feeds[i].data = slurp(path, &feeds[i].len);
	}
	for (i = 0; i < NPAGES; i++) {
		snprintf(path, sizeof(path), "tests/fixtures/pages/%s",
		    page_names[i]);
		pages[i].data = slurp(path, &pages[i].len);
	}
	assert_non_null(f = fopen("tests/fixtures/langid/texts.tsv", "r"));
	while (nlines < sizeof(lines) / sizeof(lines[0]) &&
	    fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		tab[strcspn(tab, "\n")] = '\0';
		assert_non_null(lines[nlines].data = strdup(tab + 1));
		lines[nlines++].len = strlen(tab + 1);
	}
	fclose(f);
	assert_true(nlines >= 20);
}

static void
free_texts(void)
{
	size_t	 i;

	for (i = 0; i < NFEEDS; i++)
		free(feeds[i].data);
	for (i = 0; i < NPAGES; i++)
		free(pages[i].data);
	for (i = 0; i < nlines; i++)
		free(lines[i].data);
}

/* One item's story, completed by page p, onto out. */
static void
one_story(struct buf *out, const struct feed_item *it, size_t n, size_t p)
{
	static const struct story_feed	 sf = { "threads",
	    "http://127.0.0.1/feed", "Threads", NULL };
	struct extract	*ex;
	struct story	*s;
	char		*key, *json, id[STORY_ID_LEN + 1], err[256];
	size_t		 len;
	int		 used = 0;

	snprintf(id, sizeof(id), "%016zx", n);
	assert_non_null(key = story_key(it));
	assert_int_equal(buf_printf(out, "%s %016llx\n", key,
	    (unsigned long long)story_content_hash(it)), BUF_OK);
	free(key);
	assert_non_null(s = story_from_item(id, &sf, it, 1700000000, NULL,
	    1, NULL));
	if (extract_page_charset(pages[p].data, pages[p].len,
	    "http://127.0.0.1/page.html", n % 2 ? "utf-8" : NULL, &ex, err,
	    sizeof(err)) == 0) {
		assert_int_equal(story_add_page(s, ex, NULL, &used), 0);
		extract_free(ex);
	} else
		assert_int_equal(buf_printf(out, "page: %s\n", err), BUF_OK);
	assert_non_null(json = story_dump(s, &len));
	assert_int_equal(buf_add(out, json, len), BUF_OK);
	assert_int_equal(buf_printf(out, "\nused %d\n", used), BUF_OK);
	free(json);
	story_free(s);
}

/* Everything document d gives, as text: its stories, language guesses. */
static char *
one_doc(size_t d)
{
	struct feed_doc	*doc;
	struct buf	 out;
	char		 err[256], tag[LANGID_TAG_MAX];
	size_t		 i;

	buf_init(&out, OUT_MAX);
	if (feed_parse(feeds[d].data, feeds[d].len, "http://127.0.0.1/feed",
	    NULL, &doc, err, sizeof(err)) == -1)
		assert_int_equal(buf_printf(&out, "feed: %s\n", err), BUF_OK);
	else {
		assert_int_equal(buf_printf(&out, "%s %zu\n", doc->version,
		    doc->nitems), BUF_OK);
		for (i = 0; i < doc->nitems; i++)
			one_story(&out, &doc->items[i], d * 100 + i,
			    (d + i) % NPAGES);
		feed_free(doc);
	}
	for (i = d % 3; i < nlines; i += 3) {
		langid_guess(NULL, lines[i].data, tag, sizeof(tag));
		assert_int_equal(buf_printf(&out, "lang %zu %s\n", i, tag),
		    BUF_OK);
	}
	assert_int_equal(buf_addch(&out, '\0'), BUF_OK);
	return buf_steal(&out);
}

struct worker {
	pthread_t	 tid;
	size_t		 first;			/* its first document */
	char		*out[ROUNDS][NDOCS];
};

/* ROUNDS passes over the documents, each thread starting elsewhere. */
static void *
work(void *arg)
{
	struct worker	*w = arg;
	size_t		 r, k, d;

	for (r = 0; r < ROUNDS; r++)
		for (k = 0; k < NDOCS; k++) {
			d = (w->first + r + k) % NDOCS;
			w->out[r][d] = one_doc(d);
		}
	return NULL;
}

/* NTHREADS threads at once, then one alone: the same outputs. */
static void
same_output(void)
{
	static struct worker	 w[NTHREADS];
	char			*ref[NDOCS];
	size_t			 t, r, d;

	for (t = 0; t < NTHREADS; t++) {
		w[t].first = t * NDOCS / NTHREADS;
		assert_int_equal(pthread_create(&w[t].tid, NULL, work, &w[t]),
		    0);
	}
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(w[t].tid, NULL), 0);
	for (d = 0; d < NDOCS; d++)
		ref[d] = one_doc(d);
	for (t = 0; t < NTHREADS; t++)
		for (r = 0; r < ROUNDS; r++)
			for (d = 0; d < NDOCS; d++) {
				if (strcmp(w[t].out[r][d], ref[d]) != 0)
					fail_msg("thread %zu, round %zu: %s "
					    "differs", t, r, feed_names[d]);
				free(w[t].out[r][d]);
			}
	for (d = 0; d < NDOCS; d++)
		free(ref[d]);
}

/*
 * First without language detection: a guess takes a lock (langfp's pool),
 * and ThreadSanitizer does not see a race between two threads that took
 * one lock in turn in between; so the caches the rest of the work fills
 * (norm's) are first filled here, with no lock at all.
 */
static void
test_threads_no_langid(void **unused)
{
	(void)unused;
	langid_enable(0);
	same_output();
	langid_enable(1);
}

/* Then with it: the models load at the first guess, in the threads. */
static void
test_threads_same_output(void **unused)
{
	(void)unused;
	same_output();
}

/* Every document gave stories, and some of them a page and a language. */
static void
test_threads_cover(void **unused)
{
	size_t	 d, stories = 0, pages_used = 0, langs = 0;
	char	*s, *p;

	(void)unused;
	for (d = 0; d < NDOCS; d++) {
		s = one_doc(d);
		for (p = s; (p = strstr(p, "\"id\":")) != NULL; p++)
			stories++;
		for (p = s; (p = strstr(p, "\nused 1\n")) != NULL; p++)
			pages_used++;
		for (p = s; (p = strstr(p, "\"language\": \"")) != NULL; p++)
			langs++;
		free(s);
	}
	assert_true(stories >= 2 * NDOCS);
	assert_true(pages_used >= 1);
	assert_true(langs >= 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_no_langid),
		cmocka_unit_test(test_threads_same_output),
		cmocka_unit_test(test_threads_cover),
	};
	size_t	 d, total = 0;
	char	*s;
	long	 n;
	int	 rc;

	parsers_init();
	load_texts();
	if (argc > 1 && strcmp(argv[1], "--once") == 0) {
		for (n = argc > 2 ? strtol(argv[2], NULL, 10) : 1; n > 0; n--)
			for (d = 0; d < NDOCS; d++) {
				s = one_doc(d);
				total += strlen(s);
				free(s);
			}
		printf("%zu bytes\n", total);
		free_texts();
		return 0;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free_texts();
	return rc;
}
