/*
 * test_extract: main content and metadata of the pages in
 * tests/fixtures/pages/ and of the seed page (tests run from the
 * repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/date.h"
#include "parsers/extract.h"
#include "parsers/feed.h"

#define PAGES	"tests/fixtures/pages/"
#define PAGE_URL	"https://news.example/dir/page.html"

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static struct extract *
extract_file(const char *path)
{
	struct extract	*x = NULL;
	char		 err[256], *html;
	size_t		 len;

	html = slurp(path, &len);
	if (extract_page(html, len, PAGE_URL, &x, err, sizeof(err)) == -1)
		fail_msg("%s: %s", path, err);
	free(html);
	assert_non_null(x);
	assert_non_null(x->text);
	assert_non_null(x->html);
	return x;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, hay);
}

static void
assert_hasnt(const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL)
		fail_msg("\"%s\" should not be in:\n%s", needle, hay);
}

static void
assert_date(int64_t t, const char *want)
{
	char	 buf[DATE_RFC3339_LEN];

	assert_int_equal(date_format(t, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* The whole text of a news page with every kind of boilerplate. */
static void
test_news_article(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "news-article.html");
	assert_string_equal(x->text,
	    "The old harbour reopened to passenger ferries on Monday morning, "
	    "two years after storms tore away most of its eastern quay, and "
	    "the first boat left for the islands at a quarter past seven.\n\n"
	    "Engineers rebuilt the quay with a new concrete apron, raised it "
	    "by half a metre and added a wave wall, which the port authority "
	    "says should keep the berths usable in all but the worst winter "
	    "gales.\n\n"
	    "Timetable\n\n"
	    "Crossings run every ninety minutes in summer, and every three "
	    "hours from October, when the smaller of the two vessels goes "
	    "into dry dock for its annual overhaul.\n\n"
	    "First departure at 07:15, daily\n\n"
	    "Last return at 21:40, except on Sundays\n\n"
	    "Local shops, which lost much of their trade while passengers "
	    "were sent to the northern pier, said the reopening came just in "
	    "time for the season.");
	/* headings and lists keep their structure in the HTML */
	assert_has(x->html, "<h2>Timetable</h2>");
	assert_has(x->html, "<ul><li>First departure at 07:15, daily</li>"
	    "<li>Last return at 21:40, except on Sundays</li></ul>");
	assert_hasnt(x->html, "<h1>");
	assert_string_equal(x->language, "en");
	assert_string_equal(x->title,
	    "Harbour ferries return after two-year rebuild - Coastal Courier");
	assert_null(x->site_name);
	assert_null(x->byline);
	assert_null(x->canonical_url);
	assert_true(x->published == FEED_NODATE);
	assert_true(x->modified == FEED_NODATE);
	extract_free(x);
}

/* What must go, one kind at a time. */
static void
test_news_article_dropped(void **state)
{
	static const char *const dropped[] = {
		"Harbour ferries return",	/* the headline */
		"cookies", "News", "Weather", "Share on Facebook",
		"Get the Courier", "newsletter", "Most read",
		"Council approves", "Related stories", "Storm damage",
		"© 2024", "Privacy", NULL
	};
	struct extract	*x;
	size_t		 i;

	(void)state;
	x = extract_file(PAGES "news-article.html");
	for (i = 0; dropped[i] != NULL; i++) {
		assert_hasnt(x->text, dropped[i]);
		assert_hasnt(x->html, dropped[i]);
	}
	extract_free(x);
}

/* itemprop=articleBody wins over a longer teaser elsewhere. */
static void
test_itemprop_body(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "itemprop-body.html");
	assert_string_equal(x->text,
	    "The city library has opened its archive of historic maps to the "
	    "public, with more than four thousand sheets now available to "
	    "view by appointment.\n\n"
	    "The oldest map in the collection dates from 1588, and shows the "
	    "town walls, the mills and the ford that gave the settlement its "
	    "name.\n\n"
	    "Volunteers spent three winters cataloguing the sheets, and a "
	    "grant from the heritage fund paid for the new, climate-controlled "
	    "reading room.");
	assert_null(x->language);
	extract_free(x);
}

/* No semantic markup at all: the scoring finds the paragraphs' div. */
static void
test_no_semantics(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "no-semantics.html");
	assert_true(strncmp(x->text, "Rail unions and the three operators",
	    35) == 0);
	assert_has(x->text, "\n\nA mediator, appointed by the ministry, will "
	    "chair the talks, which are expected to last at least two days.");
	assert_hasnt(x->text, "Home");
	assert_hasnt(x->text, "Politics");
	assert_hasnt(x->text, "Jobs");
	assert_string_equal(x->title, "Rail unions return to talks");
	extract_free(x);
}

/* Every metadata field, each from the source that should win. */
static void
test_metadata(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "metadata.html");
	assert_string_equal(x->title, "Le glacier recule plus vite que prévu");
	assert_string_equal(x->site_name, "Le Petit Alpin");
	/* JSON-LD authors before the meta author, joined */
	assert_string_equal(x->byline, "Claire Dubois, Marc Roux");
	/* JSON-LD datePublished before article:published_time */
	assert_date(x->published, "2023-08-01T06:30:00Z");
	assert_date(x->modified, "2023-08-02T10:15:00Z");
	assert_string_equal(x->canonical_url,
	    "https://news.example/sciences/glacier-recul.html");
	assert_string_equal(x->language, "fr");
	/* the byline paragraph is a field, not text */
	assert_hasnt(x->text, "Par Claire Dubois");
	assert_hasnt(x->text, "Le glacier recule");
	assert_has(x->html, "voir la <a href=\"https://news.example/dir/"
	    "photos/front.html\">galerie</a> du relevé.</p>");
	extract_free(x);
}

/* "article-share" is a share box; "article-body" is the article. */
static void
test_article_share(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "article-share.html");
	assert_hasnt(x->text, "Share this article");
	assert_hasnt(x->text, "Facebook");
	assert_hasnt(x->text, "Energy");
	assert_true(strncmp(x->text, "The county has approved a solar farm",
	    36) == 0);
	assert_has(x->text, "along the northern edge.");
	extract_free(x);
}

/* The seed page: exactly the article's paragraphs, in order. */
static void
test_seed(void **state)
{
	struct extract	*x;
	char		*want, *body;
	size_t		 len;

	(void)state;
	x = extract_file("tests/fixtures/site/news/blinken-beijing.html");
	/* blinken.txt is the headline, a blank line, then the body */
	want = slurp("tests/fixtures/seed/blinken.txt", &len);
	assert_non_null(body = strstr(want, "\n\n"));
	body += 2;
	while (len > 0 && want[len - 1] == '\n')
		want[--len] = '\0';
	assert_string_equal(x->text, body);
	assert_hasnt(x->text, "World · Diplomacy");
	assert_hasnt(x->text, "By the LTC newsroom");
	assert_hasnt(x->text, "Sign up");
	assert_hasnt(x->text, "Share");
	assert_hasnt(x->text, "cookies");
	assert_hasnt(x->text, "Related");
	assert_hasnt(x->text, "All rights reserved");
	assert_string_equal(x->site_name, "LTC Actualités");
	assert_date(x->published, "2023-06-14T18:05:00Z");
	assert_string_equal(x->language, "en");
	free(want);
	extract_free(x);
}

/* Markup the HTML must not carry. */
static void
test_clean_html(void **state)
{
	static const char page[] =
	    "<html><body><article><div class=\"story-text\">"
	    "<p style=\"color:red\" onclick=\"x()\">A first paragraph with "
	    "<em>some</em> <span class=\"k\">words</span> and "
	    "<a href=\"/x?a=1&amp;b=2\" title=\"t\">a link</a> that is long "
	    "enough to count as the article, which it is.</p>"
	    "<script>alert(1)</script>"
	    "<p>A second one, with <img src=\"i.png\" "
	    "alt=\"a &quot;pic&quot;\" width=\"3\"> an image, and more text after it to be kept.</p>"
	    "<p>Fish &amp; chips &lt;3, as they say, in the third one.</p>"
	    "</div></article></body></html>";
	struct extract	*x = NULL;
	char		 err[128];

	(void)state;
	assert_int_equal(extract_page(page, sizeof(page) - 1, PAGE_URL, &x,
	    err, sizeof(err)), 0);
	assert_string_equal(x->html,
	    "<p>A first paragraph with <em>some</em> words and "
	    "<a href=\"https://news.example/x?a=1&amp;b=2\">a link</a> that "
	    "is long enough to count as the article, which it is.</p>"
	    "<p>A second one, with <img src=\"https://news.example/dir/i.png\" "
	    "alt=\"a &quot;pic&quot;\"> an image, and more text after it to "
	    "be kept.</p>"
	    "<p>Fish &amp; chips &lt;3, as they say, in the third one.</p>");
	assert_hasnt(x->text, "alert");
	assert_has(x->text, "Fish & chips <3");
	extract_free(x);
}

/* Empty and text-free input is an empty extraction, not an error. */
static void
test_empty(void **state)
{
	struct extract	*x = NULL;
	char		 err[128], *json;

	(void)state;
	assert_int_equal(extract_page("", 0, NULL, &x, err, sizeof(err)), 0);
	assert_string_equal(x->text, "");
	assert_string_equal(x->html, "");
	assert_null(x->title);
	assert_true(x->published == FEED_NODATE);
	assert_non_null(json = extract_to_json(x));
	assert_has(json, "\"published\": null");
	assert_has(json, "\"text\": \"\"");
	free(json);
	extract_free(x);
	assert_int_equal(extract_page("<div><br></div>", 15, NULL, &x, err,
	    sizeof(err)), 0);
	assert_string_equal(x->text, "");
	extract_free(x);
}

/* The JSON has every key, in order, with the values of the struct. */
static void
test_json(void **state)
{
	struct extract	*x;
	char		*json;

	(void)state;
	x = extract_file(PAGES "metadata.html");
	assert_non_null(json = extract_to_json(x));
	assert_has(json, "\"title\": \"Le glacier recule plus vite que "
	    "prévu\",\n  \"site_name\": \"Le Petit Alpin\",\n  \"byline\": "
	    "\"Claire Dubois, Marc Roux\",\n  \"published\": "
	    "\"2023-08-01T06:30:00Z\",\n  \"modified\": "
	    "\"2023-08-02T10:15:00Z\",\n  \"canonical_url\": "
	    "\"https://news.example/sciences/glacier-recul.html\",\n  "
	    "\"language\": \"fr\",\n  \"text\": \"Le relevé");
	assert_has(json, "\"html\": \"<p>Le relevé");
	free(json);
	extract_free(x);
}

static struct extract *
extract_string(const char *page)
{
	struct extract	*x = NULL;
	char		 err[128];

	if (extract_page(page, strlen(page), PAGE_URL, &x, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return x;
}

/*
 * A layout wrapper whose class says sidebar holds the article; a kicker
 * above the headline; a figure; a "Related articles" heading that ends
 * the article (it was once dropped on its own, leaving its teasers in).
 */
/* The transport's charset is used, unless the bytes are plainly UTF-8. */
static void
test_transport_charset(void **state)
{
	/* windows-1251: without the transport's word it reads as Latin-1. */
	static const char cyrillic[] = "<html><body><article><p>"
	    "\xcc\xe8\xed\xe8\xf1\xf2\xf0 \xe8\xed\xee\xf1\xf2\xf0"
	    "\xe0\xed\xed\xfb\xf5 \xe4\xe5\xeb \xef\xf0\xe8\xe1"
	    "\xfb\xeb \xe2 \xc2\xe5\xed\xf3 \xe2 \xef\xee"
	    "\xed\xe5\xe4\xe5\xeb\xfc\xed\xe8\xea \xe4\xeb\xff "
	    "\xef\xe5\xf0\xe5\xe3\xee\xe2\xee\xf0\xee\xe2 \xee "
	    "\xed\xee\xe2\xee\xec \xf1\xee\xe3\xeb\xe0\xf8\xe5\xed"
	    "\xe8\xe8 \xef\xee \xe3\xe0\xe7\xf3 \xe8 \xf2"
	    "\xf0\xe0\xed\xe7\xe8\xf2\xf3."
	    "</p></article></body></html>";
	static const char utf8[] = "<html><body><article><p>Le caf\xc3\xa9 de "
	    "la gare a rouvert ses portes mardi apr\xc3\xa8s deux ans de "
	    "travaux, avec une terrasse agrandie et un nouveau menu.</p>"
	    "</article></body></html>";
	struct extract	*x = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(extract_page_charset(cyrillic, sizeof(cyrillic) - 1,
	    NULL, "windows-1251", &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "\xd0\x9c\xd0\xb8\xd0\xbd\xd0\xb8\xd1\x81\xd1\x82\xd1\x80\x20\xd0\xb8\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd1\x80\xd0\xb0\xd0\xbd\xd0\xbd\xd1\x8b\xd1\x85"));
	extract_free(x);
	/* A server's wrong ISO-8859-1 label on UTF-8 bytes. */
	assert_int_equal(extract_page_charset(utf8, sizeof(utf8) - 1, NULL,
	    "ISO-8859-1", &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "Le caf\xc3\xa9 de la gare"));
	extract_free(x);
	/* An unknown name is ignored, not fatal. */
	assert_int_equal(extract_page_charset(utf8, sizeof(utf8) - 1, NULL,
	    "x-no-such-charset", &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "apr\xc3\xa8s deux ans"));
	extract_free(x);
}

/*
 * A page's <meta> charset read as browsers read it: a "gb2312" page holding
 * a GBK character keeps all its text, ISO-8859-9 is windows-1254, and a
 * page that says Latin-1 but is plainly UTF-8 is UTF-8.
 */
static void
test_meta_charset(void **state)
{
	/* "...\u5a9e (GBK only) then more text": the tail must survive. */
	static const char gbk[] = "<html><head><meta charset=\"gb2312\">"
	    "</head><body><article><p>\xd5\xe2\xca\xc7\xd2\xbb\xb8\xf6"
	    "\xb2\xe2\xca\xd4\xb6\xce\xc2\xe4\xa3\xac\x8b\x81\xd5\xe2"
	    "\xb8\xf6\xd7\xd6\xd6\xbb\xd4\xda GBK \xc0\xef\xa1\xa3</p>"
	    "</article></body></html>";
	static const char turkish[] = "<html><head><meta http-equiv="
	    "\"Content-Type\" content=\"text/html; charset=ISO-8859-9\">"
	    "</head><body><article><p>Fiyat 5 \x80 oldu, \xfeimdilik ayn\xfd "
	    "kald\xfd ve yeni bir a\xe7\xfdklama beklenmiyor.</p></article>"
	    "</body></html>";
	static const char mislabelled[] = "<html><head><meta charset="
	    "'iso-8859-1'></head><body><article><p>Le caf\xc3\xa9 de la gare "
	    "a rouvert ses portes mardi apr\xc3\xa8s deux ans de travaux."
	    "</p></article></body></html>";
	/* nothing said, UTF-8 but for a windows-1252 byte in a script */
	static const char stray[] = "<html><head><script>/* M\xe4scot */"
	    "</script></head><body><article><p>Schaf, Standardausf\xc3\xbchrung, "
	    "wei\xc3\x9f: das Exemplar, das sich auf der gro\xc3\x9f" "en, "
	    "gr\xc3\xbcnen Wiese herumtreibt.</p></article></body></html>";
	struct extract	*x = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(extract_page_charset(stray, sizeof(stray) - 1, NULL,
	    NULL, &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "Standardausf\xc3\xbchrung, wei\xc3\x9f:"));
	extract_free(x);
	assert_int_equal(extract_page_charset(gbk, sizeof(gbk) - 1, NULL,
	    NULL, &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "\xe5\xaa\xae\xe8\xbf\x99"));
	assert_non_null(strstr(x->text, "GBK \xe9\x87\x8c\xe3\x80\x82"));
	extract_free(x);
	assert_int_equal(extract_page_charset(turkish, sizeof(turkish) - 1,
	    NULL, NULL, &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "5 \xe2\x82\xac oldu, \xc5\x9fimdilik"));
	extract_free(x);
	assert_int_equal(extract_page_charset(mislabelled,
	    sizeof(mislabelled) - 1, NULL, NULL, &x, err, sizeof(err)), 0);
	assert_non_null(strstr(x->text, "Le caf\xc3\xa9 de la gare"));
	extract_free(x);
}

static void
test_layout(void **state)
{
	static const char page[] =
	    "<html><body><div class=\"content-sidebar-wrap\"><main><article>"
	    "<p class=\"section\">Science</p><h1>Glacier front retreats</h1>"
	    "<p>First paragraph of the article, which is long enough to be "
	    "scored, and has commas, too.</p>"
	    "<figure><img src=\"/a.jpg\" alt=\"A glacier\"><figcaption>The "
	    "glacier front in July. Photo: J. Doe</figcaption></figure>"
	    "<p>Second paragraph of the article, also long enough to be "
	    "scored, with commas, and more words.</p>"
	    "<p>Third paragraph of the article, long enough again to count, "
	    "with a comma, and a full stop.</p>"
	    "<h2>Related articles</h2>"
	    "<p>A teaser of another story that is long enough to look like a "
	    "paragraph of text, sadly.</p>"
	    "</article></main><div class=\"sidebar\"><p>Sidebar text that "
	    "should never appear in the output at all, really.</p></div>"
	    "</div></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "First paragraph of the article, which is long enough to be "
	    "scored, and has commas, too.\n\n"
	    "Second paragraph of the article, also long enough to be scored, "
	    "with commas, and more words.\n\n"
	    "Third paragraph of the article, long enough again to count, "
	    "with a comma, and a full stop.");
	/* the caption is in the HTML only */
	assert_has(x->html, "<figure><p><img src=\"https://news.example/"
	    "a.jpg\" alt=\"A glacier\"></p><figcaption>The glacier front in "
	    "July. Photo: J. Doe</figcaption></figure>");
	assert_hasnt(x->html, "Related");
	assert_hasnt(x->html, "Sidebar");
	assert_hasnt(x->html, "Science");
	assert_string_equal(x->title, "Glacier front retreats");
	extract_free(x);
}

/* The paragraph filter inside the article, and where it must not fire. */
static void
test_paragraph_filter(void **state)
{
	static const char page[] =
	    "<html><body><article><div class=\"body\">"
	    "<p>Updated on 12 March 2024, 10:15</p>"
	    "<p>The first paragraph of the story is long enough to be the "
	    "article, with commas, and a full stop.</p>"
	    "<p>Share</p>"
	    "<p>Read more: <a href=\"/x\">another story</a></p>"
	    "<p>Opening hours</p>"
	    "<p>The second paragraph of the story is long enough as well, and "
	    "it has a comma or two, too.</p>"
	    "<p><a href=\"/a\">Politics</a> <a href=\"/b\">Economy</a> "
	    "<a href=\"/c\">Culture</a> and more</p>"
	    "<p>Tickets cost 12 euros, children go free.</p>"
	    "<p>Photo: Jane Doe</p>"
	    "<p>&copy; 2024 Example Media</p>"
	    "</div></article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "The first paragraph of the story is long enough to be the "
	    "article, with commas, and a full stop.\n\n"
	    "Opening hours\n\n"
	    "The second paragraph of the story is long enough as well, and "
	    "it has a comma or two, too.\n\n"
	    "Tickets cost 12 euros, children go free.");
	extract_free(x);
}

/* An unclosed <nav> swallows the page in libxml2's tree: still found. */
static void
test_unclosed_nav(void **state)
{
	static const char page[] =
	    "<html><body><header><nav><a href=\"/\">Home</a> "
	    "<a href=\"/news\">News</a>"
	    "<div class=\"main\"><article>"
	    "<p>The first paragraph, inside a navigation bar nobody closed, "
	    "is still the article, with commas, and words.</p>"
	    "<p>The second paragraph is there as well, and long enough to be "
	    "scored on its own, like the first.</p>"
	    "<p>The third paragraph ends the story, which is long enough for "
	    "the extractor not to look further.</p>"
	    "</article></div></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_true(strncmp(x->text, "The first paragraph", 19) == 0);
	assert_has(x->text, "look further.");
	assert_hasnt(x->text, "Home");
	extract_free(x);
}

/*
 * Hidden elements are left out; a style that ends right after "display"
 * was read past its end once.
 */
static void
test_hidden(void **state)
{
	static const char page[] =
	    "<html><body><div>"
	    "<p>Visible paragraph number one, long enough to be kept as the "
	    "article's text, with a comma.</p>"
	    "<p style=\"display: none\">Hidden by its style, with a comma, and "
	    "long enough to count.</p>"
	    "<p hidden>Hidden by its attribute, with a comma, and long enough "
	    "to count.</p>"
	    "<p style=\"color: red; display\">Visible paragraph number two, "
	    "with a style that ends early.</p>"
	    "<p style=\"display:\">Visible paragraph number three, with a "
	    "style cut after the colon.</p>"
	    "</div></body></html>";
	struct extract	*x = NULL;
	char		 err[128];

	(void)state;
	assert_int_equal(extract_page(page, sizeof(page) - 1, NULL, &x, err,
	    sizeof(err)), 0);
	assert_hasnt(x->text, "Hidden");
	assert_has(x->text, "number one");
	assert_has(x->text, "number two");
	assert_has(x->text, "number three");
	extract_free(x);
}

/* Deep nesting neither crashes nor loses the text around it. */
static void
test_deep(void **state)
{
	struct extract	*x = NULL;
	char		 err[128], *page;
	size_t		 i, n = 0, depth = 5000;
	const char	*p = "<p>Deep inside, a paragraph of text that is long "
	    "enough to be an article on its own, with commas, and more.</p>";

	(void)state;
	assert_non_null(page = malloc(depth * 11 + strlen(p) + 1));
	for (i = 0; i < depth; i++) {
		memcpy(page + n, "<div>", 5);
		n += 5;
	}
	memcpy(page + n, p, strlen(p));
	n += strlen(p);
	for (i = 0; i < depth; i++) {
		memcpy(page + n, "</div>", 6);
		n += 6;
	}
	assert_int_equal(extract_page(page, n, NULL, &x, err, sizeof(err)), 0);
	free(page);
	extract_free(x);
}

/*
 * An article written as a run of blocks of one shape (text, ad, image,
 * text) keeps every text block, not only the one the scoring picked.
 */
static void
test_modules(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "modules.html");
	assert_has(x->text, "For thirty-one years, Ada Lindqvist");
	assert_has(x->text, "the oil cans and a barometer");
	assert_has(x->text, "What did the light teach you?");
	assert_has(x->text, "its clockwork and its keeper.");
	assert_hasnt(x->text, "Advertisement");
	assert_hasnt(x->text, "More interviews");
	assert_hasnt(x->text, "all the news from the shore");
	extract_free(x);
}

/* Text written straight into a div beside a block child is a paragraph. */
static void
test_loose_text(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "loose-text.html");
	assert_string_equal(x->text,
	    "Taken with a small refractor, stopped down, the cluster shows "
	    "long star spikes and deep blue nebulae, while the dust around it "
	    "hardly shows at all.\n\n"
	    "Camera: a cooled colour sensor, forty exposures of three minutes "
	    "each, stacked and stretched, with flats and darks.\n\n"
	    "Place: a hill above the village, far from its street lights, on a "
	    "clear and moonless night.");
	extract_free(x);
}

/*
 * A "Most read" box set into the article does not end it; the comments
 * after it do.
 */
static void
test_inline_box(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "inline-box.html");
	assert_string_equal(x->text,
	    "The generators of the city's three hospitals have fuel for two "
	    "more days, their directors said on Tuesday, and the nurseries "
	    "will be the first wards to lose power.\n\n"
	    "Doctors have begun to move patients to the few clinics that "
	    "still have electricity, although the roads between them are "
	    "crowded and often closed.\n\n"
	    "Cancer patients\n\n"
	    "More than ten thousand cancer patients depend on treatments that "
	    "stopped when the only specialised hospital closed its doors last "
	    "week.\n\n"
	    "Its director said that the most serious cases were sent home with "
	    "what medicines were left, and that nobody knows how many of them "
	    "are still alive.");
	extract_free(x);
}

/* The page gives its article in JSON-LD, its elements only the start. */
static void
test_ld_body(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "ld-body.html");
	assert_has(x->text, "for most of the campaign.\n\nHer party won");
	assert_has(x->text, "a difficult one.\n\nShe spoke");
	assert_has(x->text, "with the budget and little else.");
	assert_has(x->html, "<p>What comes next is harder: a budget");
	extract_free(x);
}

/* An articleBody no longer than the text found stays unused. */
static void
test_ld_body_unused(void **state)
{
	static const char page[] =
	    "<html><head><script type=\"application/ld+json\">"
	    "{\"@type\": \"Article\", \"articleBody\": \"A summary that "
	    "the page's JSON-LD gives as the article, long enough to count as "
	    "one, which is forty words or more of plain text, written for the "
	    "search engines rather than for the readers, who see something "
	    "else: five hundred characters, at least, of text without markup "
	    "in it, and without a single line break in the whole of it, "
	    "from its start to its very end, here.\"}</script></head><body>"
	    "<article><p>The article on the page is another text, long enough "
	    "to be found, with commas, and a full stop.</p>"
	    "<p>Its second paragraph is as long as the first one, or longer, "
	    "which makes the page's own text win.</p>"
	    "<p>A third one, to make it longer than a third of the summary, "
	    "which it is, now, by some way.</p></article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_has(x->text, "The article on the page is another text");
	assert_hasnt(x->text, "A summary");
	extract_free(x);
}

/* A NUL byte in a page does not end it. */
static void
test_nul_byte(void **state)
{
	static const char page[] =
	    "<html><body><article><p>The first paragraph of the article, "
	    "long enough to be found, with commas, too.\0</p>"
	    "<p>The second paragraph comes after the NUL byte, and it is as "
	    "long as the first one, or longer.</p></article></body></html>";
	struct extract	*x = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(extract_page(page, sizeof(page) - 1, PAGE_URL, &x,
	    err, sizeof(err)), 0);
	assert_has(x->text, "The first paragraph");
	assert_has(x->text, "comes after the NUL byte");
	extract_free(x);
}

/* The lead written apart from the article's body opens the text. */
static void
test_lead(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "lead.html");
	assert_string_equal(x->text,
	    "The president invites the country's volunteers to a reception "
	    "every January; this year our chair was among them.\n\n"
	    "The president thanked the young people who run the youth clubs, "
	    "the summer camps and the sports days, most of them without pay "
	    "and in their spare time.\n\n"
	    "Our chair used the evening to ask for a law that would give "
	    "volunteers a day off work each year, an idea the president said "
	    "he would take to the cabinet.");
	extract_free(x);
}

/*
 * A wrapper whose class says sidebar holds the article: a positive block
 * with most of the page's prose inside it keeps it.
 */
static void
test_wrapper_positive(void **state)
{
	static const char page[] =
	    "<html><body><div class=\"sidebar-wrapper\"><div class=\"post"
	    "\"><div class=\"entry-content\">"
	    "<p>The first paragraph of the post is long enough to be the "
	    "article, with commas, and a full stop at its end.</p>"
	    "<p>The second paragraph of the post is as long as the first one, "
	    "with a comma or two, and another full stop.</p>"
	    "<p>The third paragraph, to give the post most of the page's "
	    "text, which it has, with commas, by now.</p>"
	    "<p>A fourth paragraph, because the box below is long, and the "
	    "post must still hold most of the text.</p>"
	    "<p>A fifth and last paragraph, with a comma, ends the post here, "
	    "before the box of the portal.</p>"
	    "</div></div></div><div class=\"trust\"><p>Our portal was "
	    "certified by an auditor for the quality of its advice, its "
	    "search options and the transparency of its offers.</p>"
	    "<p>It was the first portal of its kind to be certified by the "
	    "auditor, who checked its advice, how current it is, its search "
	    "options, its transparency and how clearly it is laid out.</p>"
	    "</div>"
	    "</body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_has(x->text, "The first paragraph of the post");
	assert_has(x->text, "The third paragraph");
	assert_hasnt(x->text, "certified by an auditor");
	extract_free(x);
}

/*
 * An article in three parts between an ad and a picture, in blocks of no
 * common shape, keeps its three parts.
 */
static void
test_split(void **state)
{
	struct extract	*x;

	(void)state;
	x = extract_file(PAGES "split.html");
	assert_has(x->text, "The old bridge over the river");
	assert_has(x->text, "The inspectors had measured");
	assert_has(x->text, "unless somebody asked him to.");
	assert_hasnt(x->text, "Advertisement");
	assert_hasnt(x->text, "Riverside Times");
	extract_free(x);
}

/* Lines of the lists match in any case, "Über" as "über" too. */
static void
test_folded_case(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>Der erste Absatz des Artikels ist lang genug, um gefunden zu "
	    "werden, mit Kommas, und einem Punkt.</p>"
	    "<p>Der zweite Absatz ist ebenso lang wie der erste, oder noch "
	    "länger, mit einem Komma, und noch einem Punkt.</p>"
	    "<p>Der dritte Absatz ist der letzte des Artikels, mit einem "
	    "Komma, und er endet hier, vor dem Kasten.</p>"
	    "<h3>Über den Autor</h3>"
	    "<p>Der Autor schreibt seit zwanzig Jahren über Wein, Reisen und "
	    "gutes Essen, am liebsten aus Südtirol.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_has(x->text, "Der dritte Absatz");
	assert_hasnt(x->text, "Autor");
	extract_free(x);
}

/*
 * A "See also" box in the article goes with its short lines; the article
 * goes on after it.
 */
static void
test_box_heading(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.</p>"
	    "<h3>See also</h3>"
	    "<p>Our dossier on bridges</p>"
	    "<p>The council's report</p>"
	    "<p>The second paragraph of the article comes after the box, and "
	    "it is as long as the first one, or longer.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.\n\n"
	    "The second paragraph of the article comes after the box, and it "
	    "is as long as the first one, or longer.");
	extract_free(x);
}

/* Date lines in Spanish, Polish and "Publiziert:" are dates too. */
static void
test_date_lines(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>16 marca 2021</p>"
	    "<p>Publiziert: 03.04.2020, 12:35</p>"
	    "<p>12 de marzo de 2022</p>"
	    "<p>The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.</p>"
	    "<p>The second paragraph of the article is as long as the first "
	    "one, or longer, with a comma.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.\n\n"
	    "The second paragraph of the article is as long as the first one, "
	    "or longer, with a comma.");
	extract_free(x);
}

/*
 * A caption set as a paragraph, its credit at the end, goes; a sentence
 * that mentions a photo stays.
 */
static void
test_credit_lines(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.</p>"
	    "<p>The new bridge over the river at dusk. | \xc2\xa9 Jane Doe/Agency</p>"
	    "<p>Pupils return to school in March. Foto: Andina</p>"
	    "<p>The second paragraph says the photo: was taken in May, and it "
	    "goes on for a while.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.\n\n"
	    "The second paragraph says the photo: was taken in May, and it "
	    "goes on for a while.");
	extract_free(x);
}

/*
 * The calls to install the site's app or get its newsletter that end an
 * article go; a mention of Twitter within it stays, and so does a post
 * that is one such line.
 */
static void
test_promo_lines(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.</p>"
	    "<p>The mayor wrote on Twitter that the second paragraph is as "
	    "long as the first one, or longer.</p>"
	    "<p>The third paragraph ends the article, and it has a comma in "
	    "it, as prose does.</p>"
	    "<p>Get the latest stories on your phone with our app.</p>"
	    "<p>Never miss the latest news: sign up to our newsletter!</p>"
	    "</article></body></html>";
	static const char post[] =
	    "<html><body><article>"
	    "<p>Our new app is out today, for phones and for tablets, and it is "
	    "free.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_string_equal(x->text,
	    "The first paragraph of the article is long enough to be found, "
	    "with commas, and a full stop.\n\n"
	    "The mayor wrote on Twitter that the second paragraph is as long "
	    "as the first one, or longer.\n\n"
	    "The third paragraph ends the article, and it has a comma in it, "
	    "as prose does.");
	extract_free(x);
	x = extract_string(post);
	assert_has(x->text, "Our new app is out today");
	extract_free(x);
}

/* "Keine Kommentare", "Schreibe einen Kommentar" open the tail too. */
static void
test_comment_tail(void **state)
{
	static const char page[] =
	    "<html><body><article>"
	    "<p>Der erste Absatz des Artikels ist lang genug, um gefunden zu "
	    "werden, mit Kommas, und einem Punkt.</p>"
	    "<p>Der zweite Absatz ist ebenso lang wie der erste, oder noch "
	    "länger, mit einem Komma, und noch einem Punkt.</p>"
	    "<p>Der dritte Absatz ist der letzte des Artikels, mit einem "
	    "Komma, und er endet hier, vor dem Kasten.</p>"
	    "<h3>Schreibe einen Kommentar</h3>"
	    "<p>Deine E-Mail-Adresse wird nicht veröffentlicht, und dein "
	    "Name erscheint neben deinem Kommentar.</p>"
	    "</article></body></html>";
	struct extract	*x;

	(void)state;
	x = extract_string(page);
	assert_has(x->text, "Der dritte Absatz");
	assert_hasnt(x->text, "Kommentar");
	assert_hasnt(x->text, "E-Mail-Adresse");
	extract_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport_charset),
		cmocka_unit_test(test_meta_charset),
		cmocka_unit_test(test_news_article),
		cmocka_unit_test(test_news_article_dropped),
		cmocka_unit_test(test_itemprop_body),
		cmocka_unit_test(test_no_semantics),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_article_share),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_clean_html),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_paragraph_filter),
		cmocka_unit_test(test_unclosed_nav),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_loose_text),
		cmocka_unit_test(test_inline_box),
		cmocka_unit_test(test_ld_body),
		cmocka_unit_test(test_ld_body_unused),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_lead),
		cmocka_unit_test(test_wrapper_positive),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_folded_case),
		cmocka_unit_test(test_box_heading),
		cmocka_unit_test(test_date_lines),
		cmocka_unit_test(test_credit_lines),
		cmocka_unit_test(test_promo_lines),
		cmocka_unit_test(test_comment_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
