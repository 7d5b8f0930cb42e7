/*
 * test_feed_fields: the families of issue 13, one test each, on the small
 * fixtures in tests/fixtures/feeds/ (tests run from the repository root):
 * namespaced roots, the fields a feed carries that were missed, version
 * names, summary precedence and markup, and the fields added to the JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "daemon/story.h"

#include "parsers/date.h"
#include "parsers/feed.h"

#define FIXTURES	"tests/fixtures/feeds/"

static struct feed_doc *
parse_fixture(const char *name)
{
	struct feed_doc	*d = NULL;
	char		 path[256], err[256];
	char		*data;
	FILE		*f;
	long		 n;
	int		 r;

	r = snprintf(path, sizeof(path), "%s%s", FIXTURES, name);
	assert_true(r > 0 && (size_t)r < sizeof(path));
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	if (feed_parse(data, (size_t)n, NULL, NULL, &d, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	free(data);
	assert_non_null(d);
	return d;
}

/* Family 1: elements known by namespace URI and local name, any prefix. */
static void
test_namespaced_roots(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse_fixture("ns-rss2.xml");
	assert_string_equal(d->version, "rss20");
	assert_string_equal(d->title, "Prefixed RSS");
	assert_string_equal(d->link, "http://example.com/");
	assert_int_equal(d->nitems, 1);
	assert_string_equal(d->items[0].title, "First");
	/* szf:description shares the local name only */
	assert_string_equal(d->items[0].summary, "correct description");
	feed_free(d);

	d = parse_fixture("ns-rss2-default.xml");
	assert_string_equal(d->version, "rss20");
	assert_string_equal(d->title, "Default-namespace RSS");
	assert_int_equal(d->nitems, 1);
	assert_string_equal(d->items[0].id, "urn:x:1");
	feed_free(d);

	d = parse_fixture("ns-atom.xml");
	assert_string_equal(d->version, "atom10");
	assert_string_equal(d->title, "Prefixed Atom");
	assert_string_equal(d->link, "http://example.com/");
	assert_int_equal(d->nitems, 1);
	assert_string_equal(d->items[0].id, "urn:x:e1");
	assert_string_equal(d->items[0].summary, "sum");
	feed_free(d);
}

static void
assert_date(int64_t t, const char *want)
{
	char	 buf[DATE_RFC3339_LEN];

	assert_int_equal(date_format(t, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/*
 * Family 2: href-less Atom links, rdf:about, Dublin Core terms dates, the
 * channel's own author.
 */
static void
test_missed_fields(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse_fixture("atom-links.xml");
	assert_string_equal(d->link, "http://example.com/");
	assert_int_equal(d->nitems, 3);
	assert_string_equal(d->items[0].link, "http://example.com/1");
	assert_int_equal(d->items[1].nlinks, 1);
	assert_string_equal(d->items[1].link, "http://example.com/2");
	assert_string_equal(d->items[2].link, "http://example.com/3");
	assert_int_equal(d->items[2].nenclosures, 1);
	feed_free(d);

	d = parse_fixture("rdf-fields.rdf");
	assert_date(d->published, "2002-01-12T02:15:32Z");
	assert_date(d->updated, "2002-09-28T20:01:19Z");
	assert_int_equal(d->nitems, 2);
	assert_string_equal(d->items[0].id, "http://example.com/about/1");
	assert_date(d->items[0].published, "2002-09-28T20:01:19Z");
	assert_date(d->items[0].updated, "2002-09-29T10:00:00Z");
	/* dc:identifier is the item's own say: rdf:about only stands in */
	assert_string_equal(d->items[1].id, "urn:x:2");
	feed_free(d);

	d = parse_fixture("rss-channel-author.xml");
	assert_non_null(d->author);
	assert_string_equal(d->author->name, "Example Editor");
	assert_string_equal(d->author->email, "editor@example.com");
	feed_free(d);
}

static const char *
version_of(const char *xml)
{
	static char	 tok[16];
	struct feed_doc	*d = NULL;
	char		 err[256];

	if (feed_parse(xml, strlen(xml), NULL, NULL, &d, err,
	    sizeof(err)) != 0)
		fail_msg("%s: %s", xml, err);
	assert_true(strlen(d->version) < sizeof(tok));
	memcpy(tok, d->version, strlen(d->version) + 1);
	feed_free(d);
	return tok;
}

/* Family 3: version names as feedparser gives them. */
static void
test_version_names(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse_fixture("rss091n.xml");
	assert_string_equal(d->version, "rss091n");
	assert_string_equal(d->title, "Netscape 0.91");
	feed_free(d);
	d = parse_fixture("rss090.rdf");
	assert_string_equal(d->version, "rss090");
	feed_free(d);
	assert_string_equal(version_of("<rss version=\"0.91\"><channel>"
	    "<title>t</title></channel></rss>"), "rss091u");
	assert_string_equal(version_of("<rss><channel><title>t</title>"
	    "</channel></rss>"), "rss");
	assert_string_equal(version_of("<rss version=\"7\"><channel/></rss>"),
	    "rss");
	assert_string_equal(version_of("<rss version=\"2.0.1\"><channel/>"
	    "</rss>"), "rss20");
	assert_string_equal(version_of("<rss version=\"0.92\"><channel/>"
	    "</rss>"), "rss092");
	assert_string_equal(version_of("<rdf:RDF xmlns:rdf=\"http://www.w3.org"
	    "/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
	    "<channel/></rdf:RDF>"), "rss10");
}

/*
 * Family 4: an RSS item's second summary is its content when it has none,
 * xhtml:body is content, and empty elements of naked HTML are written as
 * HTML writes them (<br />, <p></p>), escaped HTML as the feed wrote it.
 */
static void
test_summaries_and_markup(void **state)
{
	struct feed_doc		*d;
	struct feed_item	*it;

	(void)state;
	d = parse_fixture("rss-summaries.xml");
	assert_int_equal(d->nitems, 6);
	it = d->items;
	assert_string_equal(it[0].summary, "Example description");
	assert_string_equal(it[0].content, "Example summary");
	assert_string_equal(it[1].summary, "Atom summary");
	assert_string_equal(it[1].content, "Second description");
	assert_string_equal(it[2].summary, "Only one");
	assert_string_equal(it[2].content, "The content");
	assert_string_equal(it[3].summary, "With a body");
	assert_string_equal(it[3].content, "<p>Example content</p>");
	assert_string_equal(it[4].summary, "<b>x</b><br />y<br />z"
	    "<img src=\"http://example.com/a.png\" /><p></p><!-- a/> -->");
	assert_string_equal(it[5].summary, "<b>x</b><br />y<br>");
	feed_free(d);
}

static void
assert_person(const struct feed_person *who, const char *name,
    const char *email, const char *uri)
{
#define EQ(a, b) do { if ((b) == NULL) assert_null(a); \
	else assert_string_equal((a), (b)); } while (0)
	EQ(who->name, name);
	EQ(who->email, email);
	EQ(who->uri, uri);
#undef EQ
}

/* The name of the first author in the story file that item makes. */
static void
assert_story_author(const struct feed_item *it, const char *want)
{
	struct story_feed	 sf = { "f", "http://example.com/feed", "F",
	    NULL };
	struct story		*st;
	json_t			*o, *a;
	json_error_t		 e;
	char			*s;

	assert_non_null(st = story_from_item("0123456789abcdef", &sf, it, 0,
	    NULL, 1, NULL));
	assert_non_null(s = story_dump(st, NULL));
	story_free(st);
	assert_non_null(o = json_loads(s, 0, &e));
	a = json_array_get(json_object_get(o, "authors"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "name")),
	    want);
	json_decref(o);
	free(s);
}

/*
 * Family 5: contributors, every author of a feed, icon and logo, the types
 * of title, summary and content, content_src, rel of RSS enclosures.
 */
static void
test_new_fields(void **state)
{
	struct feed_doc		*d;
	struct feed_item	*it;
	char			*json;

	(void)state;
	d = parse_fixture("atom-people.xml");
	assert_string_equal(d->title_type, "text/html");
	assert_string_equal(d->summary_type, "application/xhtml+xml");
	assert_int_equal(d->nauthors, 2);
	assert_person(&d->authors[0], "Ann", "ann@example.com", NULL);
	assert_person(&d->authors[1], "Bob", NULL, "http://example.com/bob");
	assert_person(d->author, "Ann", "ann@example.com", NULL);
	assert_int_equal(d->ncontributors, 1);
	assert_person(&d->contributors[0], "Cy", NULL, NULL);
	assert_string_equal(d->icon, "http://example.com/favicon.ico");
	assert_string_equal(d->logo, "http://example.com/logo.png");
	assert_int_equal(d->nitems, 4);
	it = d->items;
	/* a contributor is no author, wherever it stands */
	assert_int_equal(it[0].nauthors, 1);
	assert_person(&it[0].authors[0], "Eve", NULL, NULL);
	assert_int_equal(it[0].ncontributors, 1);
	assert_person(&it[0].contributors[0], "Dee", "dee@example.com", NULL);
	assert_string_equal(it[0].title_type, "text/plain");
	assert_string_equal(it[0].summary_type, "text/html");
	assert_string_equal(it[0].content_type, "application/xhtml+xml");
	assert_null(it[0].content_src);
	assert_string_equal(it[1].title, "XH");
	assert_string_equal(it[1].title_type, "application/xhtml+xml");
	assert_null(it[1].content);
	assert_string_equal(it[1].content_src, "http://example.com/2.pdf");
	assert_string_equal(it[1].content_type, "application/pdf");
	/* a summary copied into content keeps its type */
	assert_string_equal(it[2].content, "just text");
	assert_string_equal(it[2].summary_type, "text/plain");
	assert_string_equal(it[2].content_type, "text/plain");
	/* the story file's authors: the contributor only when no author */
	assert_int_equal(it[3].nauthors, 0);
	assert_story_author(&it[0], "Eve");
	assert_story_author(&it[3], "Hal");
	assert_non_null(json = feed_to_json(d));
	assert_non_null(strstr(json, "\"logo\": "
	    "\"http://example.com/logo.png\""));
	assert_non_null(strstr(json, "\"content_src\": "
	    "\"http://example.com/2.pdf\""));
	free(json);
	feed_free(d);

	d = parse_fixture("rss-people.xml");
	assert_string_equal(d->title_type, "text/plain");
	assert_int_equal(d->ncontributors, 1);
	assert_person(&d->contributors[0], "Fay", "fay@example.com", NULL);
	it = d->items;
	assert_int_equal(it[0].ncontributors, 1);
	assert_person(&it[0].contributors[0], "Gus", NULL, NULL);
	assert_string_equal(it[0].summary_type, "text/html");
	assert_int_equal(it[0].nlinks, 1);
	assert_string_equal(it[0].links[0].href, "http://example.com/1.mp3");
	assert_string_equal(it[0].links[0].rel, "enclosure");
	assert_string_equal(it[0].links[0].type, "audio/mpeg");
	/* an enclosure is not the item's link */
	assert_null(it[0].link);
	feed_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaced_roots),
		cmocka_unit_test(test_missed_fields),
		cmocka_unit_test(test_version_names),
		cmocka_unit_test(test_summaries_and_markup),
		cmocka_unit_test(test_new_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
