/*
 * story: one item as the JSON file the spool delivers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/boiler.h"
#include "parsers/date.h"
#include "parsers/extract.h"
#include "parsers/htmlclean.h"
#include "parsers/norm.h"
#include "parsers/text.h"
#include "store/story.h"

#define FNV_OFFSET	UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME	UINT64_C(0x100000001b3)

uint64_t
story_hash(const void *p, size_t len, uint64_t h)
{
	const unsigned char	*s = p;
	size_t			 i;

	if (h == 0)
		h = FNV_OFFSET;
	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	return h;
}

static char *
story_hashed_key(const char *a, const char *b)
{
	char		 key[2 + 16 + 1];
	uint64_t	 h;

	h = story_hash(a, strlen(a), 0);
	h = story_hash("\n", 1, h);	/* so "ab"+"c" differs from "a"+"bc" */
	h = story_hash(b, strlen(b), h);
	if (snprintf(key, sizeof(key), "h:%016" PRIx64, h) != (int)sizeof(key) - 1)
		return NULL;
	return strdup(key);
}

char *
story_key(const struct feed_item *it)
{
	const char	*k = NULL;
	char		 date[DATE_RFC3339_LEN] = "";

	if (it->id != NULL && *it->id != '\0')
		k = it->id;
	else if (it->link != NULL && *it->link != '\0')
		k = it->link;
	if (k != NULL) {
		if (strlen(k) <= STORY_KEY_MAX)
			return strdup(k);
		return story_hashed_key(k, "");
	}
	if (it->published != FEED_NODATE)
		date_format(it->published, date, sizeof(date));
	else if (it->updated != FEED_NODATE)
		date_format(it->updated, date, sizeof(date));
	return story_hashed_key(it->title != NULL ? it->title : "", date);
}

/* Adds key: string or null; returns -1 when out of memory. */
static int
story_set_str(json_t *o, const char *key, const char *v)
{
	json_t	*j;

	j = (v != NULL) ? json_string(v) : json_null();
	if (j == NULL) {
		/* json_string refuses invalid UTF-8: keep the field, empty. */
		if ((j = json_null()) == NULL)
			return -1;
	}
	return json_object_set_new(o, key, j) == 0 ? 0 : -1;
}

static int
story_set_date(json_t *o, const char *key, int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == FEED_NODATE || date_format(t, buf, sizeof(buf)) == -1)
		return story_set_str(o, key, NULL);
	return story_set_str(o, key, buf);
}

static json_t *
story_authors(const struct feed_item *it)
{
	json_t	*a, *p;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < it->nauthors; i++) {
		if ((p = json_object()) == NULL ||
		    json_array_append_new(a, p) == -1 ||
		    story_set_str(p, "name", it->authors[i].name) == -1 ||
		    story_set_str(p, "email", it->authors[i].email) == -1 ||
		    story_set_str(p, "uri", it->authors[i].uri) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
story_categories(const struct feed_item *it)
{
	json_t	*a, *s;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < it->ncategories; i++) {
		if (it->categories[i].term == NULL)
			continue;
		if ((s = json_string(it->categories[i].term)) == NULL)
			continue;
		if (json_array_append_new(a, s) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The item's media: url, type and length of each enclosure. */
static json_t *
story_enclosures(const struct feed_item *it)
{
	json_t	*a, *e;
	size_t	 i;
	int	 bad = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < it->nenclosures && !bad; i++) {
		/* In the array first, so that it is freed with it. */
		if ((e = json_object()) == NULL ||
		    json_array_append_new(a, e) == -1) {
			bad = 1;
			break;
		}
		bad = story_set_str(e, "url", it->enclosures[i].url) == -1 ||
		    story_set_str(e, "type", it->enclosures[i].type) == -1 ||
		    story_set_str(e, "length", it->enclosures[i].length) == -1;
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Plain text of the richest body the feed gave. */
static char *
story_text(const struct feed_item *it)
{
	const char	*src;

	src = it->content != NULL && *it->content != '\0' ? it->content :
	    it->summary;
	if (src == NULL)
		return strdup("");
	return text_from_html(src, strlen(src));
}

size_t
story_word_count(const char *s)
{
	size_t	 n = 0;
	int	 inword = 0, counted = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			inword = counted = 0;
			continue;
		}
		inword = 1;
		/* Any byte of a multi-byte character counts as a letter. */
		if (!counted && ((unsigned char)*s >= 0x80 ||
		    (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z'))) {
			n++;
			counted = 1;
		}
	}
	(void)inword;
	return n;
}

/*
 * The title normalised, then without its site tag (the separators are
 * found between plain spaces); NULL when out of memory.
 */
static char *
story_clean_title(const char *title, const char *lang, const char *site_name,
    const char *feed_title, const struct story_hints *h)
{
	struct boiler_hints	 bh;
	char			*t, *n;

	memset(&bh, 0, sizeof(bh));
	bh.site_name = site_name;
	bh.feed_title = feed_title;
	bh.host = h != NULL ? h->host : NULL;
	bh.tags = h != NULL ? h->tags : NULL;
	bh.ntags = h != NULL ? h->ntags : 0;
	if ((n = norm_line_lang(title, lang)) == NULL)
		return NULL;
	t = boiler_title(n, &bh);
	free(n);
	return t;
}

/* A body text without boilerplate, normalised; NULL when out of memory. */
static char *
story_clean_text(const char *text, const char *title, const char *byline,
    const char *lang, const struct story_hints *h)
{
	char	*b, *n;

	b = boiler_body(text, title, byline, h != NULL ? h->lines : NULL,
	    h != NULL ? h->nlines : 0);
	if (b == NULL)
		return NULL;
	n = norm_text(b, lang);
	free(b);
	return n;
}

static json_t *
story_feed_obj(const struct story_feed *sf)
{
	json_t	*f;

	if ((f = json_object()) == NULL)
		return NULL;
	if (story_set_str(f, "name", sf->name) == -1 ||
	    story_set_str(f, "url", sf->url) == -1 ||
	    story_set_str(f, "title", sf->title) == -1) {
		json_decref(f);
		return NULL;
	}
	return f;
}

/* The fields the page may fill later, empty for now. */
static int
story_set_page_fields(json_t *o, const char *text)
{
	if (story_set_str(o, "html", NULL) == -1 ||
	    story_set_str(o, "byline", NULL) == -1 ||
	    story_set_str(o, "site_name", NULL) == -1 ||
	    story_set_str(o, "canonical_url", NULL) == -1 ||
	    json_object_set_new(o, "word_count",
	    json_integer((json_int_t)story_word_count(text))) == -1 ||
	    story_set_str(o, "text_source", "feed") == -1)
		return -1;
	return 0;
}

uint64_t
story_content_hash(const struct feed_item *it)
{
	char		*text;
	uint64_t	 h;

	h = story_hash(it->title != NULL ? it->title : "",
	    it->title != NULL ? strlen(it->title) : 0, 0);
	h = story_hash("\n", 1, h);
	if ((text = story_text(it)) != NULL) {
		h = story_hash(text, strlen(text), h);
		free(text);
	}
	return h != 0 ? h : 1;
}

char *
story_json(const char *id, const struct story_feed *sf,
    const struct feed_item *it, int64_t fetched, const struct story_hints *h)
{
	return story_json_revision(id, sf, it, fetched, h, 1, NULL);
}

char *
story_json_revision(const char *id, const struct story_feed *sf,
    const struct feed_item *it, int64_t fetched, const struct story_hints *h,
    unsigned revision, const char *supersedes)
{
	json_t		*o, *j;
	char		*raw = NULL, *text = NULL, *title = NULL, *out = NULL;
	const char	*lang, *byline;

	lang = it->language != NULL ? it->language : sf->language;
	byline = it->nauthors > 0 ? it->authors[0].name : NULL;
	if (it->title != NULL &&
	    (title = story_clean_title(it->title, lang, NULL, sf->title, h)) ==
	    NULL)
		return NULL;
	if ((raw = story_text(it)) == NULL ||
	    (text = story_clean_text(raw, title, byline, lang, h)) == NULL)
		goto out;
	if ((o = json_object()) == NULL)
		goto out;
	if (json_object_set_new(o, "schema", json_integer(STORY_SCHEMA)) == -1 ||
	    story_set_str(o, "id", id) == -1)
		goto out_json;
	if ((j = story_feed_obj(sf)) == NULL ||
	    json_object_set_new(o, "feed", j) == -1)
		goto out_json;
	if (story_set_str(o, "url", it->link) == -1 ||
	    story_set_str(o, "guid", it->id) == -1 ||
	    story_set_str(o, "title", title) == -1 ||
	    story_set_date(o, "published", it->published) == -1 ||
	    story_set_date(o, "updated", it->updated) == -1 ||
	    story_set_date(o, "fetched", fetched) == -1)
		goto out_json;
	if ((j = story_authors(it)) == NULL ||
	    json_object_set_new(o, "authors", j) == -1)
		goto out_json;
	if ((j = story_categories(it)) == NULL ||
	    json_object_set_new(o, "categories", j) == -1)
		goto out_json;
	if ((j = story_enclosures(it)) == NULL ||
	    json_object_set_new(o, "enclosures", j) == -1)
		goto out_json;
	if (story_set_str(o, "summary", it->summary) == -1 ||
	    story_set_str(o, "content", it->content) == -1 ||
	    story_set_str(o, "text", text) == -1 ||
	    story_set_str(o, "language", lang) == -1 ||
	    story_set_page_fields(o, text) == -1 ||
	    json_object_set_new(o, "revision", json_integer(revision)) == -1 ||
	    story_set_str(o, "supersedes", supersedes) == -1 ||
	    story_set_str(o, "duplicate_of", NULL) == -1)
		goto out_json;
	out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out_json:
	json_decref(o);
out:
	free(raw);
	free(text);
	free(title);
	return out;
}

static const char *
story_get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Set key from the page only where the feed left it empty. */
static int
story_fill(json_t *o, const char *key, const char *v)
{
	if (v == NULL || *v == '\0' || story_get_str(o, key) != NULL)
		return 0;
	return story_set_str(o, key, v);
}

static int
story_fill_date(json_t *o, const char *key, int64_t t)
{
	if (t == FEED_NODATE || story_get_str(o, key) != NULL)
		return 0;
	return story_set_date(o, key, t);
}

/* Title: the feed's, or the page's, without a site tag. */
static int
story_page_title(json_t *o, const struct extract *ex,
    const struct story_hints *h)
{
	const char	*cur = story_get_str(o, "title");
	const char	*feed_title;
	char		*t;
	int		 rc;

	if (cur == NULL)
		cur = ex->title;
	if (cur == NULL)
		return 0;
	feed_title = story_get_str(json_object_get(o, "feed"), "title");
	t = story_clean_title(cur, story_get_str(o, "language"), ex->site_name,
	    feed_title, h);
	if (t == NULL)
		return -1;
	rc = story_set_str(o, "title", t);
	free(t);
	return rc;
}

/*
 * Text: the page's, when it holds more than the feed's; its HTML then
 * made to agree with it, so neither holds the headline or a share line
 * again, nor quotes and stops the text had normalised.
 */
static int
story_page_text(json_t *o, const struct extract *ex,
    const struct story_hints *h, int *used)
{
	const char	*feed_text = story_get_str(o, "text");
	const char	*lang = story_get_str(o, "language");
	char		*text, *html = NULL;
	int		 rc = 0;

	if (ex->text == NULL)
		return 0;
	if (lang == NULL)
		lang = ex->language;
	text = story_clean_text(ex->text, story_get_str(o, "title"),
	    ex->byline, lang, h);
	if (text == NULL)
		return -1;
	if (feed_text == NULL || strlen(text) > strlen(feed_text)) {
		if ((html = htmlclean_match(ex->html, text, lang)) == NULL ||
		    story_set_str(o, "text", text) == -1 ||
		    story_set_str(o, "html", html) == -1 ||
		    json_object_set_new(o, "word_count",
		    json_integer((json_int_t)story_word_count(text))) == -1 ||
		    story_set_str(o, "text_source", "article") == -1)
			rc = -1;
		*used = rc == 0;
	}
	free(html);
	free(text);
	return rc;
}

char *
story_add_page(const char *json, const struct extract *ex,
    const struct story_hints *h, int *used)
{
	json_t		*o;
	json_error_t	 jerr;
	char		*out = NULL;

	*used = 0;
	if ((o = json_loads(json, 0, &jerr)) == NULL)
		return NULL;
	if (story_fill(o, "language", ex->language) == -1 ||
	    story_page_title(o, ex, h) == -1 ||
	    story_page_text(o, ex, h, used) == -1 ||
	    story_fill_date(o, "published", ex->published) == -1 ||
	    story_fill_date(o, "updated", ex->modified) == -1 ||
	    story_fill(o, "byline", ex->byline) == -1 ||
	    story_fill(o, "site_name", ex->site_name) == -1 ||
	    story_fill(o, "canonical_url", ex->canonical_url) == -1)
		goto out;
	out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(o);
	return out;
}
