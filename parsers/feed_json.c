/*
 * feed_json: the JSON that `feedspool parse` prints, built with jansson.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/date.h"
#include "parsers/feed.h"
#include "parsers/jsonio.h"

/* Each builder returns NULL only when out of memory. */

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t	 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/*
 * Strings come from the XML parser as UTF-8, but base64 content can decode
 * to anything: invalid bytes become U+FFFD rather than losing the document.
 */
static json_t *
jstr(const char *s)
{
	json_t		*v;
	char		*fixed, *w;
	size_t		 n, len;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	len = strlen(s);
	if (len > (SIZE_MAX - 1) / 3 || (fixed = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (w = fixed; *s != '\0'; s += n) {
		if ((n = utf8_len((const unsigned char *)s)) == 0) {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			n = 1;
		} else {
			memcpy(w, s, n);
			w += n;
		}
	}
	*w = '\0';
	v = json_string(fixed);
	free(fixed);
	return v;
}

/* json_object_set_new that remembers a failure instead of returning it. */
static void
put(json_t *o, const char *k, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(o, k, v) == -1)
		*bad = 1;
}

static void
append(json_t *a, json_t *v, int *bad)
{
	if (v == NULL || json_array_append_new(a, v) == -1)
		*bad = 1;
}

static json_t *
jdate(int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == FEED_NODATE || date_format(t, buf, sizeof(buf)) == -1)
		return json_null();
	return json_string(buf);
}

static json_t *
jperson(const struct feed_person *p)
{
	json_t	*o;
	int	 bad = 0;

	if (p == NULL)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "name", jstr(p->name), &bad);
	put(o, "email", jstr(p->email), &bad);
	put(o, "uri", jstr(p->uri), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A list of people, [] when there is none. */
static json_t *
jpeople(const struct feed_person *p, size_t n)
{
	json_t	*a;
	size_t	 i;
	int	 bad = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n && !bad; i++)
		append(a, jperson(&p[i]), &bad);
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
jlinks(const struct feed_link *l, size_t n)
{
	json_t	*a, *o;
	size_t	 i;
	int	 bad = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n && !bad; i++) {
		if ((o = json_object()) == NULL) {
			bad = 1;
			break;
		}
		put(o, "href", jstr(l[i].href), &bad);
		put(o, "rel", jstr(l[i].rel), &bad);
		put(o, "type", jstr(l[i].type), &bad);
		put(o, "title", jstr(l[i].title), &bad);
		append(a, o, &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
jcategories(const struct feed_category *c, size_t n)
{
	json_t	*a, *o;
	size_t	 i;
	int	 bad = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n && !bad; i++) {
		if ((o = json_object()) == NULL) {
			bad = 1;
			break;
		}
		put(o, "term", jstr(c[i].term), &bad);
		put(o, "scheme", jstr(c[i].scheme), &bad);
		put(o, "label", jstr(c[i].label), &bad);
		append(a, o, &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
jenclosures(const struct feed_enclosure *e, size_t n)
{
	json_t	*a, *o;
	size_t	 i;
	int	 bad = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n && !bad; i++) {
		if ((o = json_object()) == NULL) {
			bad = 1;
			break;
		}
		put(o, "url", jstr(e[i].url), &bad);
		put(o, "type", jstr(e[i].type), &bad);
		put(o, "length", jstr(e[i].length), &bad);
		append(a, o, &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
jitem(const struct feed_item *it)
{
	json_t	*o;
	int	 bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "title", jstr(it->title), &bad);
	put(o, "title_type", jstr(it->title_type), &bad);
	put(o, "link", jstr(it->link), &bad);
	put(o, "id", jstr(it->id), &bad);
	put(o, "published", jdate(it->published), &bad);
	put(o, "updated", jdate(it->updated), &bad);
	put(o, "author", jperson(it->nauthors > 0 ? &it->authors[0] : NULL),
	    &bad);
	put(o, "authors", jpeople(it->authors, it->nauthors), &bad);
	put(o, "contributors", jpeople(it->contributors, it->ncontributors),
	    &bad);
	put(o, "summary", jstr(it->summary), &bad);
	put(o, "summary_type", jstr(it->summary_type), &bad);
	put(o, "content", jstr(it->content), &bad);
	put(o, "content_type", jstr(it->content_type), &bad);
	put(o, "content_src", jstr(it->content_src), &bad);
	put(o, "enclosures", jenclosures(it->enclosures, it->nenclosures),
	    &bad);
	put(o, "categories", jcategories(it->categories, it->ncategories),
	    &bad);
	put(o, "links", jlinks(it->links, it->nlinks), &bad);
	put(o, "comments", jstr(it->comments), &bad);
	put(o, "comments_count", it->ncomments < 0 ? json_null() :
	    json_integer(it->ncomments), &bad);
	put(o, "language", jstr(it->language), &bad);
	put(o, "rights", jstr(it->rights), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
jimage(const struct feed_image *img)
{
	json_t	*o;
	int	 bad = 0;

	if (img == NULL)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "url", jstr(img->url), &bad);
	put(o, "title", jstr(img->title), &bad);
	put(o, "link", jstr(img->link), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* What the publisher says of its updates; null when it says nothing. */
static json_t *
jschedule(const struct feed_schedule *s)
{
	json_t	*o, *hours, *dayl;
	int	 bad = 0, i;

	if (s->ttl < 0 && s->period == FEED_PERIOD_NONE &&
	    s->base == FEED_NODATE && s->skip_hours == 0 && s->skip_days == 0)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "ttl", s->ttl < 0 ? json_null() : json_integer(s->ttl), &bad);
	put(o, "update_period", jstr(feed_period_name(s->period)), &bad);
	put(o, "update_frequency", s->period == FEED_PERIOD_NONE ?
	    json_null() : json_integer(s->frequency), &bad);
	put(o, "update_base", jdate(s->base), &bad);
	if ((hours = json_array()) == NULL)
		bad = 1;
	for (i = 0; hours != NULL && i < 24; i++)
		if ((s->skip_hours >> i) & 1U)
			append(hours, json_integer(i), &bad);
	put(o, "skip_hours", hours, &bad);
	if ((dayl = json_array()) == NULL)
		bad = 1;
	for (i = 0; dayl != NULL && i < 7; i++)
		if ((s->skip_days >> i) & 1U)
			append(dayl, json_string(feed_day_name(i)), &bad);
	put(o, "skip_days", dayl, &bad);
	put(o, "min_interval", json_integer(feed_min_interval(s)), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
jfeed(const struct feed_doc *d)
{
	json_t	*o;
	int	 bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "title", jstr(d->title), &bad);
	put(o, "title_type", jstr(d->title_type), &bad);
	put(o, "link", jstr(d->link), &bad);
	put(o, "id", jstr(d->id), &bad);
	put(o, "updated", jdate(d->updated), &bad);
	put(o, "published", jdate(d->published), &bad);
	put(o, "author", jperson(d->author), &bad);
	/* RSS has one author at most: authors is [author] then. */
	put(o, "authors", d->nauthors > 0 ? jpeople(d->authors, d->nauthors) :
	    jpeople(d->author, d->author != NULL ? 1 : 0), &bad);
	put(o, "contributors", jpeople(d->contributors, d->ncontributors),
	    &bad);
	put(o, "summary", jstr(d->summary), &bad);
	put(o, "summary_type", jstr(d->summary_type), &bad);
	put(o, "language", jstr(d->language), &bad);
	put(o, "rights", jstr(d->rights), &bad);
	put(o, "generator", jstr(d->generator), &bad);
	put(o, "schedule", jschedule(&d->schedule), &bad);
	put(o, "image", jimage(d->image), &bad);
	put(o, "icon", jstr(d->icon), &bad);
	put(o, "logo", jstr(d->logo), &bad);
	put(o, "links", jlinks(d->links, d->nlinks), &bad);
	put(o, "categories", jcategories(d->categories, d->ncategories),
	    &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* What the parser left out, or null when nothing. */
static json_t *
jdropped(const struct feed_doc *d)
{
	json_t	*o;
	int	 bad = 0;

	if (d->entities_dropped == 0 && d->attrs_dropped == 0)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "entities", json_integer((json_int_t)d->entities_dropped),
	    &bad);
	put(o, "entity", jstr(d->entity), &bad);
	put(o, "why", jstr(d->entity_why), &bad);
	put(o, "attributes", json_integer((json_int_t)d->attrs_dropped),
	    &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *
feed_to_json(const struct feed_doc *d)
{
	json_t	*root, *items;
	char	*s = NULL;
	size_t	 i;
	int	 bad = 0;

	if ((root = json_object()) == NULL)
		return NULL;
	put(root, "version", jstr(d->version), &bad);
	put(root, "recovered", json_boolean(d->recovered), &bad);
	put(root, "dropped", jdropped(d), &bad);
	put(root, "feed", jfeed(d), &bad);
	if ((items = json_array()) == NULL)
		bad = 1;
	for (i = 0; items != NULL && i < d->nitems && !bad; i++)
		append(items, jitem(&d->items[i]), &bad);
	put(root, "items", items, &bad);
	if (!bad)
		s = jsonio_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}
