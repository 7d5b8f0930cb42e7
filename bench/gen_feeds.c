/*
 * gen_feeds: synthetic RSS 2.0, Atom 1.0 and RDF feeds from a seeded PRNG.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/gen_feeds.h"
#include "parsers/buf.h"

#define GEN_FEED_CAP	(16 * 1024 * 1024)
#define GEN_ITEMS_MIN	5
#define GEN_ITEMS_MAX	50
#define GEN_BODY_MIN	200
#define GEN_BODY_MAX	5000
/* 2015-01-01T00:00:00Z: item dates fall in the ten years after it. */
#define GEN_EPOCH	INT64_C(1420070400)


static const char *const words[] = {
	"the", "council", "voted", "on", "a", "new", "budget", "for", "city",
	"schools", "after", "months", "of", "debate", "and", "protest",
	"minister", "said", "report", "shows", "growth", "in", "exports",
	"while", "prices", "rose", "faster", "than", "expected", "market",
	"analysts", "warned", "that", "storm", "closed", "roads", "across",
	"north", "police", "arrested", "two", "men", "court", "ruled",
	"election", "results", "will", "be", "announced", "tomorrow",
	"company", "shares", "fell", "sharply", "weather", "service",
	"café", "naïve", "Zürich", "Ελλάδα", "São", "Paulo", "über", "résumé",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

static const char *const zones[] = {
	"GMT", "+0000", "+0100", "-0500", "EST", "PDT", "+0530", "Z",
};
#define NZONES	(sizeof(zones) / sizeof(zones[0]))

static const char *const days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

uint64_t
gen_rng_next(struct gen_rng *r)
{
	uint64_t	 z;

	r->s += UINT64_C(0x9e3779b97f4a7c15);
	z = r->s;
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

size_t
gen_rng_range(struct gen_rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)(gen_rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool
rng_chance(struct gen_rng *r, unsigned percent)
{
	return gen_rng_next(r) % 100 < percent;
}

static const char *
rng_word(struct gen_rng *r)
{
	return words[gen_rng_next(r) % NWORDS];
}

/* A sentence of n words, with the XML escapes a title may carry. */
static int
add_words(struct buf *b, struct gen_rng *r, size_t n)
{
	size_t	 i;
	int	 rc = BUF_OK;

	for (i = 0; i < n && rc == BUF_OK; i++) {
		if (i > 0)
			rc = buf_addch(b, ' ');
		if (rc == BUF_OK && rng_chance(r, 3))
			rc = buf_addstr(b, "&amp; ");
		else if (rc == BUF_OK && rng_chance(r, 3))
			rc = buf_addstr(b, "&#8217;");
		if (rc == BUF_OK)
			rc = buf_addstr(b, rng_word(r));
	}
	return rc;
}

/*
 * About len bytes of HTML: paragraphs of words with emphasis, relative and
 * absolute links, images and HTML named entities.  With escape set, the
 * markup is escaped for an XML text node (Atom type="html", RDF).
 */
static int
add_html(struct buf *b, struct gen_rng *r, size_t len, bool escape)
{
	const char	*lt = escape ? "&lt;" : "<";
	const char	*gt = escape ? "&gt;" : ">";
	const char	*amp = escape ? "&amp;" : "&";
	size_t		 start = b->len;
	int		 rc;

	rc = buf_printf(b, "%sp%s", lt, gt);
	while (rc == BUF_OK && b->len - start < len) {
		switch (gen_rng_next(r) % 24) {
		case 0:
			rc = buf_printf(b, "%s/p%s\n%sp%s", lt, gt, lt, gt);
			break;
		case 1:
			rc = buf_printf(b, "%sa href=\"/story/%zu\"%s%s%s/a%s",
			    lt, gen_rng_range(r, 1, 99999), gt, rng_word(r), lt,
			    gt);
			break;
		case 2:
			rc = buf_printf(b, "%sa href=\"https://example.net/%s"
			    "?id=%zu%sref=feed\"%s%s%s/a%s", lt, rng_word(r),
			    gen_rng_range(r, 1, 999), amp, gt, rng_word(r), lt, gt);
			break;
		case 3:
			rc = buf_printf(b, "%sem%s%s%s/em%s", lt, gt,
			    rng_word(r), lt, gt);
			break;
		case 4:
			rc = buf_printf(b, "%simg src=\"img/%zu.jpg\" alt=\"\"/%s",
			    lt, gen_rng_range(r, 1, 9999), gt);
			break;
		case 5:
			rc = buf_printf(b, "%snbsp;%smdash; ", amp, amp);
			break;
		case 6:
			rc = buf_printf(b, "%seacute;%samp; ", amp, amp);
			break;
		default:
			rc = buf_printf(b, "%s ", rng_word(r));
			break;
		}
	}
	if (rc == BUF_OK)
		rc = buf_printf(b, "%s/p%s", lt, gt);
	return rc;
}

/* A date in the items' ten years, in RFC 822 form with a random zone. */
static int
add_rfc822(struct buf *b, struct gen_rng *r, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		return BUF_TOOBIG;
	return buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d %s",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    zones[gen_rng_next(r) % NZONES]);
}

/* RFC 3339, sometimes with fractional seconds or an offset. */
static int
add_rfc3339(struct buf *b, struct gen_rng *r, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	const char	*tail;

	if (gmtime_r(&tt, &tm) == NULL)
		return BUF_TOOBIG;
	switch (gen_rng_next(r) % 3) {
	case 0:
		tail = ".250Z";
		break;
	case 1:
		tail = "+02:00";
		break;
	default:
		tail = "Z";
		break;
	}
	return buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, tail);
}

static int64_t
rng_date(struct gen_rng *r)
{
	return GEN_EPOCH + (int64_t)gen_rng_range(r, 0, 10 * 365 * 86400);
}

static int
rss_item(struct buf *b, struct gen_rng *r, size_t feed, size_t i)
{
	int	 rc;

	rc = buf_addstr(b, "<item>\n<title>");
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 4, 12));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</title>\n<link>https://news%zu.example"
		    ".com/%zu/story.html</link>\n<guid isPermaLink=\"false\">"
		    "urn:example:%zu:%zu</guid>\n<pubDate>", feed, i, feed, i);
	if (rc == BUF_OK)
		rc = add_rfc822(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</pubDate>\n<dc:creator>%s %s</dc:creator>"
		    "\n<category>%s</category>\n<description>", rng_word(r),
		    rng_word(r), rng_word(r));
	if (rc == BUF_OK)
		rc = add_html(b, r, gen_rng_range(r, 60, 300), true);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</description>\n<content:encoded><![CDATA[");
	if (rc == BUF_OK)
		rc = add_html(b, r, gen_rng_range(r, GEN_BODY_MIN, GEN_BODY_MAX),
		    false);
	if (rc == BUF_OK && rng_chance(r, 20))
		rc = buf_printf(b, "]]></content:encoded>\n<enclosure url=\""
		    "https://cdn.example.com/%zu.mp3\" length=\"%zu\" type=\""
		    "audio/mpeg\"/>\n</item>\n", i, gen_rng_range(r, 1000, 9999999));
	else if (rc == BUF_OK)
		rc = buf_addstr(b, "]]></content:encoded>\n</item>\n");
	return rc;
}

static int
rss_feed(struct buf *b, struct gen_rng *r, size_t feed, size_t nitems)
{
	size_t	 i;
	int	 rc;

	rc = buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/"
	    "modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
	    " xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n"
	    "<title>News %zu &amp; more</title>\n<link>https://news%zu"
	    ".example.com/</link>\n<description>", feed, feed);
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 5, 20));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</description>\n<language>en-us</language>\n"
		    "<atom:link href=\"https://news%zu.example.com/feed.xml\" "
		    "rel=\"self\" type=\"application/rss+xml\"/>\n"
		    "<lastBuildDate>", feed);
	if (rc == BUF_OK)
		rc = add_rfc822(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</lastBuildDate>\n");
	for (i = 0; i < nitems && rc == BUF_OK; i++)
		rc = rss_item(b, r, feed, i);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</channel>\n</rss>\n");
	return rc;
}

static int
atom_entry(struct buf *b, struct gen_rng *r, size_t feed, size_t i)
{
	int	 rc;

	rc = buf_addstr(b, "<entry>\n<title type=\"html\">");
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 4, 12));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</title>\n<link rel=\"alternate\" type=\""
		    "text/html\" href=\"/%zu/entry.html\"/>\n<id>tag:blog%zu"
		    ".example.org,2015:%zu</id>\n<updated>", i, feed, i);
	if (rc == BUF_OK)
		rc = add_rfc3339(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</updated>\n<published>");
	if (rc == BUF_OK)
		rc = add_rfc3339(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</published>\n<author><name>%s %s</name>"
		    "<email>%s@example.org</email></author>\n<category term=\""
		    "%s\" scheme=\"https://blog%zu.example.org/tags\"/>\n"
		    "<summary type=\"html\">", rng_word(r), rng_word(r),
		    rng_word(r), rng_word(r), feed);
	if (rc == BUF_OK)
		rc = add_html(b, r, gen_rng_range(r, 60, 300), true);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</summary>\n<content type=\"html\">");
	if (rc == BUF_OK)
		rc = add_html(b, r, gen_rng_range(r, GEN_BODY_MIN, GEN_BODY_MAX),
		    true);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</content>\n</entry>\n");
	return rc;
}

static int
atom_feed(struct buf *b, struct gen_rng *r, size_t feed, size_t nitems)
{
	size_t	 i;
	int	 rc;

	rc = buf_printf(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\" "
	    "xml:base=\"https://blog%zu.example.org/\">\n<title>Blog %zu"
	    "</title>\n<subtitle>", feed, feed);
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 5, 20));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</subtitle>\n<link rel=\"alternate\" href=\""
		    "https://blog%zu.example.org/\"/>\n<link rel=\"self\" href="
		    "\"https://blog%zu.example.org/atom.xml\"/>\n<id>tag:blog%zu"
		    ".example.org,2015:feed</id>\n<generator>gen_feeds"
		    "</generator>\n<updated>", feed, feed, feed);
	if (rc == BUF_OK)
		rc = add_rfc3339(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</updated>\n");
	for (i = 0; i < nitems && rc == BUF_OK; i++)
		rc = atom_entry(b, r, feed, i);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</feed>\n");
	return rc;
}

static int
rdf_item(struct buf *b, struct gen_rng *r, size_t feed, size_t i)
{
	int	 rc;

	rc = buf_printf(b, "<item rdf:about=\"http://site%zu.example.net/%zu"
	    "\">\n<title>", feed, i);
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 4, 12));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</title>\n<link>http://site%zu.example.net/"
		    "%zu</link>\n<dc:date>", feed, i);
	if (rc == BUF_OK)
		rc = add_rfc3339(b, r, rng_date(r));
	if (rc == BUF_OK)
		rc = buf_printf(b, "</dc:date>\n<dc:creator>%s</dc:creator>\n"
		    "<description>", rng_word(r));
	if (rc == BUF_OK)
		rc = add_html(b, r, gen_rng_range(r, GEN_BODY_MIN, GEN_BODY_MAX),
		    true);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</description>\n</item>\n");
	return rc;
}

static int
rdf_feed(struct buf *b, struct gen_rng *r, size_t feed, size_t nitems)
{
	size_t	 i;
	int	 rc;

	rc = buf_printf(b, "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\""
	    "http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://"
	    "purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/"
	    "\">\n<channel rdf:about=\"http://site%zu.example.net/\">\n"
	    "<title>Site %zu</title>\n<link>http://site%zu.example.net/</link>"
	    "\n<description>", feed, feed, feed);
	if (rc == BUF_OK)
		rc = add_words(b, r, gen_rng_range(r, 5, 20));
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</description>\n<items><rdf:Seq>\n");
	for (i = 0; i < nitems && rc == BUF_OK; i++)
		rc = buf_printf(b, "<rdf:li rdf:resource=\"http://site%zu"
		    ".example.net/%zu\"/>\n", feed, i);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</rdf:Seq></items>\n</channel>\n");
	for (i = 0; i < nitems && rc == BUF_OK; i++)
		rc = rdf_item(b, r, feed, i);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "</rdf:RDF>\n");
	return rc;
}

int
gen_feed(struct buf *b, uint64_t seed, size_t i, size_t *nitems)
{
	struct gen_rng	 r;
	size_t		 kind;

	/* Each feed its own stream, so that feed i never depends on i - 1. */
	r.s = seed ^ ((uint64_t)i * UINT64_C(0xd1b54a32d192ed03));
	(void)gen_rng_next(&r);
	buf_reset(b);
	*nitems = gen_rng_range(&r, GEN_ITEMS_MIN, GEN_ITEMS_MAX);
	kind = (size_t)(gen_rng_next(&r) % 10);
	if (kind < 5)
		return rss_feed(b, &r, i, *nitems);
	if (kind < 8)
		return atom_feed(b, &r, i, *nitems);
	return rdf_feed(b, &r, i, *nitems);
}

int
gen_corpus(struct gen_corpus *c, uint64_t seed, size_t n)
{
	struct buf	 b;
	size_t		 i, nitems;

	memset(c, 0, sizeof(*c));
	if ((c->docs = calloc(n, sizeof(*c->docs))) == NULL)
		return -1;
	if ((c->lens = calloc(n, sizeof(*c->lens))) == NULL)
		goto fail;
	buf_init(&b, GEN_FEED_CAP);
	for (i = 0; i < n; i++) {
		if (gen_feed(&b, seed, i, &nitems) != BUF_OK)
			goto fail_buf;
		c->lens[i] = b.len;
		c->docs[i] = buf_steal(&b);
		c->n = i + 1;
		c->bytes += c->lens[i];
		c->items += nitems;
	}
	buf_free(&b);
	return 0;
 fail_buf:
	buf_free(&b);
 fail:
	gen_corpus_free(c);
	return -1;
}

void
gen_corpus_free(struct gen_corpus *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->docs[i]);
	free(c->docs);
	free(c->lens);
	memset(c, 0, sizeof(*c));
}
