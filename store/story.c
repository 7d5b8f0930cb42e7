/*
 * story: one item as the JSON file the spool delivers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/date.h"
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

char *
story_json(const char *id, const struct story_feed *sf,
    const struct feed_item *it, int64_t fetched)
{
	json_t		*o, *j;
	char		*text = NULL, *out = NULL;
	const char	*lang;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "schema", json_integer(STORY_SCHEMA)) == -1 ||
	    story_set_str(o, "id", id) == -1)
		goto out;
	if ((j = story_feed_obj(sf)) == NULL ||
	    json_object_set_new(o, "feed", j) == -1)
		goto out;
	if (story_set_str(o, "url", it->link) == -1 ||
	    story_set_str(o, "guid", it->id) == -1 ||
	    story_set_str(o, "title", it->title) == -1 ||
	    story_set_date(o, "published", it->published) == -1 ||
	    story_set_date(o, "updated", it->updated) == -1 ||
	    story_set_date(o, "fetched", fetched) == -1)
		goto out;
	if ((j = story_authors(it)) == NULL ||
	    json_object_set_new(o, "authors", j) == -1)
		goto out;
	if ((j = story_categories(it)) == NULL ||
	    json_object_set_new(o, "categories", j) == -1)
		goto out;
	if ((text = story_text(it)) == NULL)
		goto out;
	lang = it->language != NULL ? it->language : sf->language;
	if (story_set_str(o, "summary", it->summary) == -1 ||
	    story_set_str(o, "content", it->content) == -1 ||
	    story_set_str(o, "text", text) == -1 ||
	    story_set_str(o, "language", lang) == -1)
		goto out;
	out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	free(text);
	json_decref(o);
	return out;
}
