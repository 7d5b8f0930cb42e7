/*
 * feed_jsonfeed: JSON Feed (https://jsonfeed.org/version/1.1) with jansson.
 * The same caps as the XML formats: item count and field length.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/date.h"
#include "parsers/feed.h"
#include "parsers/feed_jsonfeed.h"
#include "parsers/jsoncap.h"
#include "parsers/jsonio.h"
#include "parsers/url.h"

#define JF_MAX_ITEMS	10000
#define JF_MAX_FIELD	(1024 * 1024)
#define JF_MAX_LANG	64	/* bytes of a language tag, as in feed.c */

struct jctx {
	const char	*base;
	bool		 oom;
	/* bytes the feed's author may still take in items, in all */
	size_t		 room;
};

/* A copy of a JSON string member (numbers too: ids may be numbers). */
static char *
jget(struct jctx *c, json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);
	char	 num[32];
	const char *s;
	size_t	 n;
	char	*r;

	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
	} else
		return NULL;
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return NULL;
	if (n > JF_MAX_FIELD) {
		n = JF_MAX_FIELD;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if ((r = strndup(s, n)) == NULL)
		c->oom = true;
	return r;
}

/*
 * A URL member made absolute against the feed's own URL, normalised unless
 * it identifies someone (as_id), as the XML formats do.
 */
static char *
jurl_as(struct jctx *c, json_t *o, const char *key, bool as_id)
{
	char	*u, *r;

	if ((u = jget(c, o, key)) == NULL)
		return NULL;
	r = as_id ? url_resolve(u, c->base) : url_absolute(u, c->base);
	if (r == NULL) {
		c->oom = true;
		return u;
	}
	free(u);
	return r;
}

static char *
jurl(struct jctx *c, json_t *o, const char *key)
{
	return jurl_as(c, o, key, false);
}

static int64_t
jdate(struct jctx *c, json_t *o, const char *key)
{
	int64_t	 t;
	char	*s;

	if ((s = jget(c, o, key)) == NULL)
		return FEED_NODATE;
	if (date_parse(s, &t) == -1)
		t = FEED_NODATE;
	free(s);
	return t;
}

/* 1.1 "authors" or 1.0 "author": the first one. */
static json_t *
jauthor(json_t *o)
{
	json_t	*a = json_object_get(o, "authors");

	if (json_is_array(a) && json_array_size(a) > 0)
		return json_array_get(a, 0);
	a = json_object_get(o, "author");
	return json_is_object(a) ? a : NULL;
}

static void
set_person(struct jctx *c, struct feed_person *p, json_t *a)
{
	p->name = jget(c, a, "name");
	p->uri = jurl_as(c, a, "url", true);
}

static int
add_tags(struct feed_item *it, json_t *v)
{
	json_t	*t;
	size_t	 j;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	if ((it->categories = calloc(json_array_size(v),
	    sizeof(*it->categories))) == NULL)
		return -1;
	json_array_foreach(v, j, t) {
		if (!json_is_string(t))
			continue;
		if ((it->categories[it->ncategories].term =
		    strdup(json_string_value(t))) == NULL)
			return -1;
		it->ncategories++;
	}
	return 0;
}

static int
add_attachments(struct jctx *c, struct feed_item *it, json_t *v)
{
	struct feed_enclosure	*e;
	json_t			*at;
	size_t			 j;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	if ((it->enclosures = calloc(json_array_size(v),
	    sizeof(*it->enclosures))) == NULL)
		return -1;
	json_array_foreach(v, j, at) {
		if (!json_is_object(at))
			continue;
		e = &it->enclosures[it->nenclosures];
		if ((e->url = jurl(c, at, "url")) == NULL)
			continue;
		e->type = jget(c, at, "mime_type");
		e->length = jget(c, at, "size_in_bytes");
		it->nenclosures++;
	}
	return 0;
}

/* A language tag, none when longer than any tag is (feed.c). */
static char *
jlang(struct jctx *c, json_t *o)
{
	char	*s;

	if ((s = jget(c, o, "language")) != NULL && strlen(s) > JF_MAX_LANG) {
		free(s);
		s = NULL;
	}
	return s;
}

/*
 * The feed's author, for an item without one of its own (as in Atom):
 * within c->room in all, since a long name copied into each item of a
 * short feed made gigabytes.  Past it the item has no author.  -1 when
 * out of memory.
 */
static int
feed_author(struct jctx *c, struct feed_item *it, const struct feed_person *a)
{
	size_t	 n;

	n = (a->name != NULL ? strlen(a->name) : 0) +
	    (a->uri != NULL ? strlen(a->uri) : 0);
	if (n > c->room)
		return 0;
	c->room -= n;
	if ((it->authors = calloc(1, sizeof(*it->authors))) == NULL)
		return -1;
	it->nauthors = 1;
	if ((a->name != NULL && (it->authors->name = strdup(a->name)) ==
	    NULL) || (a->uri != NULL && (it->authors->uri = strdup(a->uri)) ==
	    NULL))
		return -1;
	return 0;
}

static int
add_items(struct jctx *c, struct feed_doc *d, json_t *items)
{
	struct feed_item	*it;
	json_t			*ji, *a;
	size_t			 i, n;

	n = json_array_size(items);
	if (n > JF_MAX_ITEMS)
		n = JF_MAX_ITEMS;
	if (n == 0)
		return 0;
	if ((d->items = calloc(n, sizeof(*d->items))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		ji = json_array_get(items, i);
		it = &d->items[d->nitems++];
		feed_item_clear(it);
		if (!json_is_object(ji))
			continue;
		it->id = jget(c, ji, "id");
		it->link = jurl(c, ji, "url");
		it->title = jget(c, ji, "title");
		it->summary = jget(c, ji, "summary");
		/* JSON Feed's title and summary are plain text */
		it->title_type = it->title != NULL ? "text/plain" : NULL;
		it->summary_type = it->summary != NULL ? "text/plain" : NULL;
		if ((it->content = jget(c, ji, "content_html")) != NULL)
			it->content_type = strdup("text/html");
		else if ((it->content = jget(c, ji, "content_text")) != NULL)
			it->content_type = strdup("text/plain");
		if (it->content != NULL && it->content_type == NULL)
			return -1;
		it->published = jdate(c, ji, "date_published");
		it->updated = jdate(c, ji, "date_modified");
		/* Like Atom, an entry without a date of change has not
		 * changed since it was published. */
		if (it->updated == FEED_NODATE)
			it->updated = it->published;
		it->language = jlang(c, ji);
		if ((a = jauthor(ji)) != NULL) {
			if ((it->authors = calloc(1, sizeof(*it->authors))) ==
			    NULL)
				return -1;
			it->nauthors = 1;
			set_person(c, it->authors, a);
		} else if (d->author != NULL &&
		    feed_author(c, it, d->author) == -1)
			return -1;
		if (add_tags(it, json_object_get(ji, "tags")) == -1 ||
		    add_attachments(c, it,
		    json_object_get(ji, "attachments")) == -1)
			return -1;
	}
	return 0;
}

int
feed_jsonfeed_parse(const char *data, size_t len, const char *base,
    struct feed_doc **out, char *err, size_t errlen)
{
	struct jctx	 c = { base, false, len > JF_MAX_FIELD ? len :
			    JF_MAX_FIELD };
	struct feed_doc	*d = NULL;
	json_error_t	 jerr;
	json_t		*root, *a, *v;
	const char	*ver;
	bool		 oom;

	*out = NULL;
	/* "{}," is 3 bytes of text and some 250 bytes loaded */
	if (!jsoncap_fits(data, len, JSONCAP_FEED)) {
		snprintf(err, errlen, "JSON Feed too large: more than %lu MiB "
		    "once loaded", JSONCAP_FEED >> 20);
		return -1;
	}
	if ((root = jsonio_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr,
	    &oom)) == NULL) {
		if (oom)
			snprintf(err, errlen, "out of memory");
		else
			snprintf(err, errlen, "not a feed: JSON error at line "
			    "%d: %s", jerr.line, jerr.text);
		return -1;
	}
	v = json_object_get(root, "version");
	ver = json_is_string(v) ? json_string_value(v) : NULL;
	if (!json_is_object(root) || ver == NULL ||
	    strncmp(ver, "https://jsonfeed.org/version/", 29) != 0) {
		snprintf(err, errlen, "not a feed: JSON without a JSON Feed "
		    "version");
		goto fail;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto oom;
	d->version = "json1";	/* 1.0 and 1.1 read the same */
	d->updated = d->published = FEED_NODATE;
	feed_schedule_clear(&d->schedule);
	d->title = jget(&c, root, "title");
	d->title_type = d->title != NULL ? "text/plain" : NULL;
	d->link = jurl(&c, root, "home_page_url");
	d->summary = jget(&c, root, "description");
	d->summary_type = d->summary != NULL ? "text/plain" : NULL;
	d->language = jlang(&c, root);
	if ((v = json_object_get(root, "feed_url")) != NULL &&
	    json_is_string(v)) {
		if ((d->links = calloc(1, sizeof(*d->links))) == NULL)
			goto oom;
		d->nlinks = 1;
		d->links->href = jurl(&c, root, "feed_url");
		if ((d->links->rel = strdup("self")) == NULL)
			goto oom;
	}
	if ((a = jauthor(root)) != NULL) {
		if ((d->author = calloc(1, sizeof(*d->author))) == NULL)
			goto oom;
		set_person(&c, d->author, a);
	}
	if ((v = json_object_get(root, "icon")) != NULL ||
	    (v = json_object_get(root, "favicon")) != NULL) {
		if ((d->image = calloc(1, sizeof(*d->image))) == NULL)
			goto oom;
		d->image->url = jurl(&c, root, json_object_get(root, "icon") ?
		    "icon" : "favicon");
	}
	if (add_items(&c, d, json_object_get(root, "items")) == -1 || c.oom)
		goto oom;
	json_decref(root);
	*out = d;
	return 0;
 oom:
	snprintf(err, errlen, "out of memory");
 fail:
	feed_free(d);
	json_decref(root);
	return -1;
}
