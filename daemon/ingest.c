/*
 * ingest: feed document in, story files out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "daemon/fetch.h"
#include "daemon/ingest.h"
#include "parsers/boiler.h"
#include "parsers/url.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "store/dedup.h"
#include "store/spool.h"
#include "store/state.h"
#include "store/story.h"

#define PARAGRAPHS_MAX	200	/* learned from one page, at most */

static void
ingest_seterr(char *err, size_t errlen, const char *what, const char *why)
{
	if (snprintf(err, errlen, "%s: %s", what, why) < 0 && errlen > 0)
		err[0] = '\0';
}

/* Lower-case host of an http(s) URL, or NULL. */
static char *
ingest_host(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *scheme = NULL, *copy = NULL, *wire;

	if (url == NULL || (wire = fetch_url_escape(url)) == NULL)
		return NULL;
	if ((u = curl_url()) == NULL) {
		free(wire);
		return NULL;
	}
	/* As fetched: a link with a space is still a link. */
	if (curl_url_set(u, CURLUPART_URL, wire, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		copy = strdup(host);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	free(wire);
	return copy;
}

/* What the state store learned of host, for the boilerplate rules. */
struct hints {
	struct story_hints	 h;
	char			*host;
	char			**tags;
	char			**lines;
};

static size_t
strings_count(char **v)
{
	size_t	 n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static void
hints_clear(struct hints *h)
{
	state_strings_free(h->tags);
	state_strings_free(h->lines);
	free(h->host);
	memset(h, 0, sizeof(*h));
}

/* Load the hints of host, unless they are loaded already. */
static int
hints_load(struct state *st, struct hints *h, const char *host, int lines)
{
	if (host == NULL) {
		hints_clear(h);
		return 0;
	}
	if (h->host != NULL && strcmp(h->host, host) == 0)
		return 0;
	hints_clear(h);
	if ((h->host = strdup(host)) == NULL)
		return -1;
	if (state_title_tags(st, host, &h->tags) == -1)
		return -1;
	if (lines && state_recurring_lines(st, host, &h->lines) == -1)
		return -1;
	h->h.host = h->host;
	h->h.tags = (const char *const *)h->tags;
	h->h.ntags = strings_count(h->tags);
	h->h.lines = (const char *const *)h->lines;
	h->h.nlines = strings_count(h->lines);
	return 0;
}

static int
ingest_spool(struct state *st, struct spool *sp, const char *id,
    const char *name, const char *json, char *err, size_t errlen)
{
	if (spool_deliver(sp, name, json, strlen(json), err, errlen) == -1)
		return -2;
	if (state_item_delivered(st, id) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		return -2;
	}
	return 0;
}

/* A story about to be delivered, as the duplicate checks see it. */
struct candidate {
	json_t		*o;
	const char	*url;		/* the item's link */
	char		*canon;		/* its canonical form */
	char		*page_canon;	/* of the page's rel=canonical */
	struct dedup_fp	 fp;
	int		 has_fp;
};

static void
candidate_clear(struct candidate *c)
{
	json_decref(c->o);
	free(c->canon);
	free(c->page_canon);
	memset(c, 0, sizeof(*c));
}

static int
candidate_load(struct candidate *c, const char *json)
{
	json_error_t	 jerr;
	const char	*text, *title, *pc;

	memset(c, 0, sizeof(*c));
	if ((c->o = json_loads(json, 0, &jerr)) == NULL)
		return -1;
	c->url = json_string_value(json_object_get(c->o, "url"));
	if (c->url != NULL)
		c->canon = url_canonical(c->url);
	pc = json_string_value(json_object_get(c->o, "canonical_url"));
	if (pc != NULL)
		c->page_canon = url_canonical(pc);
	text = json_string_value(json_object_get(c->o, "text"));
	title = json_string_value(json_object_get(c->o, "title"));
	c->has_fp = dedup_fingerprint(text != NULL ? text : "", title,
	    &c->fp) == 0;
	return 0;
}

/*
 * The story c duplicates, by canonical URL (the item's or the page's) or
 * by text: 1 with orig and why set, 0 when none, -1 on a state error.
 */
static int
ingest_find_dup(struct state *st, struct dedup_index *idx,
    const struct candidate *c, const char *self, char orig[STATE_ID_LEN + 1],
    const char **why)
{
	struct dedup_match	 m;
	int			 rc;

	if (c->canon != NULL) {
		if ((rc = state_fp_by_url(st, c->canon, orig)) != 0) {
			*why = "same URL";
			return rc == 1 && strcmp(orig, self) != 0 ? 1 : rc;
		}
	}
	if (c->page_canon != NULL) {
		if ((rc = state_fp_by_url(st, c->page_canon, orig)) != 0) {
			*why = "same canonical URL";
			return rc == 1 && strcmp(orig, self) != 0 ? 1 : rc;
		}
	}
	if (idx == NULL || !c->has_fp || dedup_find(idx, &c->fp, &m) != 1 ||
	    strcmp(m.id, self) == 0)
		return 0;
	memcpy(orig, m.id, STATE_ID_LEN + 1);
	orig[STATE_ID_LEN] = '\0';
	*why = dedup_verdict_name(m.verdict);
	return 1;
}

/* Remember a story delivered as an original: fingerprint and sighting. */
static int
ingest_remember(struct state *st, struct dedup_index *idx,
    const struct candidate *c, const char *id, const char *feed,
    int64_t now)
{
	if (c->has_fp) {
		if (idx != NULL && dedup_add(idx, id, now, &c->fp) == -1)
			return -1;
		if (state_fp_save(st, id, now, &c->fp,
		    c->canon != NULL ? c->canon : c->page_canon) == -1)
			return -1;
	}
	return state_sighting_add(st, id, feed, c->url, now);
}

/*
 * Deliver a pending story, or, when it duplicates one already delivered,
 * record where it was seen and either drop it (marking the item done) or
 * spool it with duplicate_of.
 */
static int
ingest_deliver(struct state *st, struct spool *sp, struct dedup_index *idx,
    const char *feed, int mark, const char *id, const char *name,
    const char *json, enum ingest_fate *fate, char *err, size_t errlen)
{
	struct candidate	 c;
	char			 orig[STATE_ID_LEN + 1], *marked = NULL;
	const char		*why = NULL;
	int64_t			 now = (int64_t)time(NULL);
	int			 dup, rc = -2;

	*fate = INGEST_DELIVERED;
	if (candidate_load(&c, json) == -1)	/* not ours to judge: deliver */
		return ingest_spool(st, sp, id, name, json, err, errlen);
	/* A revision resembles the story it supersedes: that is the point. */
	if (json_string_value(json_object_get(c.o, "supersedes")) != NULL)
		dup = 0;
	else if ((dup = ingest_find_dup(st, idx, &c, id, orig, &why)) == -1)
		goto state_error;
	if (!dup) {
		/*
		 * The file first; then, in one transaction, the item done and
		 * the story remembered.  A crash between the two delivers the
		 * same file again at the next start.
		 */
		if (spool_deliver(sp, name, json, strlen(json), err,
		    errlen) == -1)
			goto out;
		if (state_begin(st) == -1)
			goto state_error;
		if (ingest_remember(st, idx, &c, id, feed, now) == -1 ||
		    state_item_delivered(st, id) == -1) {
			state_rollback(st);
			goto state_error;
		}
		if (state_commit(st) == -1)
			goto state_error;
		rc = 0;
		goto out;
	}
	if (!mark) {
		*fate = INGEST_DUP_DROPPED;
		if (state_begin(st) == -1)
			goto state_error;
		if (state_sighting_add(st, orig, feed, c.url, now) == -1 ||
		    state_item_delivered(st, id) == -1) {
			state_rollback(st);
			goto state_error;
		}
		if (state_commit(st) == -1)
			goto state_error;
		rc = 0;
		goto out;
	}
	if (state_sighting_add(st, orig, feed, c.url, now) == -1)
		goto state_error;
	*fate = INGEST_DUP_MARKED;
	if (json_object_set_new(c.o, "duplicate_of", json_string(orig)) == -1 ||
	    json_object_set_new(c.o, "duplicate_reason", json_string(why)) == -1 ||
	    (marked = json_dumps(c.o, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		goto out;
	}
	rc = ingest_spool(st, sp, id, name, marked, err, errlen);
	goto out;
state_error:
	ingest_seterr(err, errlen, "state", state_errmsg(st));
out:
	free(marked);
	candidate_clear(&c);
	return rc;
}

void
ingest_page_free(struct ingest_page *p)
{
	if (p == NULL)
		return;
	free(p->feed);
	free(p->url);
	free(p->host);
	free(p->json);
	free(p);
}

/* Hand a begun story to the page fetcher; 1 when it took it. */
static int
ingest_hand_over(const struct ingest_feed *f, const struct feed_item *it,
    const char *id, const char *name, const char *host, char **json)
{
	struct ingest_page	*p;

	if (f->page_fn == NULL || host == NULL)
		return 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 0;
	memcpy(p->id, id, sizeof(p->id));
	memcpy(p->name, name, sizeof(p->name));
	p->feed = strdup(f->name);
	p->url = strdup(it->link);
	p->host = strdup(host);
	p->json = *json;
	p->dup_mark = f->dup_mark;
	if (p->feed == NULL || p->url == NULL || p->host == NULL ||
	    f->page_fn(f->page_arg, p) == -1) {
		p->json = NULL;
		ingest_page_free(p);
		return 0;
	}
	*json = NULL;
	return 1;
}

/* Whether a story with this link (canonically) is in the state store. */
static int
ingest_url_known(struct state *st, const char *link)
{
	char	*canon, orig[STATE_ID_LEN + 1];
	int	 known;

	if (link == NULL || (canon = url_canonical(link)) == NULL)
		return 0;
	known = state_fp_by_url(st, canon, orig) == 1;
	free(canon);
	return known;
}

/*
 * A story stored as pending goes on: handed over for its page, or
 * delivered now (no page to fetch, or its link is already known: a
 * duplicate needs no page).  A revision always gets its page.
 */
static int
ingest_go(struct state *st, struct spool *sp, const struct ingest_feed *f,
    const struct feed_item *it, const char *id, const char *name,
    const char *host, char **json, int revision, struct ingest_counts *c,
    char *err, size_t errlen)
{
	enum ingest_fate	 fate;
	int			 rc;

	if ((revision || !ingest_url_known(st, it->link)) &&
	    ingest_hand_over(f, it, id, name, host, json)) {
		c->waiting++;
		return 0;
	}
	rc = ingest_deliver(st, sp, f->dups, f->name, f->dup_mark, id, name,
	    *json, &fate, err, errlen);
	if (rc == 0 && fate != INGEST_DELIVERED)
		c->duplicates++;
	return rc;
}

/*
 * An item delivered before: with updates = emit, a new story when the
 * text the feed gives for it changed (revision + 1, supersedes the last).
 */
static int
ingest_revision(struct state *st, struct spool *sp,
    const struct ingest_feed *f, const struct story_feed *sf,
    const struct feed_item *it, const char *key, struct hints *hints,
    const char *host, int64_t now_ms, struct ingest_counts *c, char *err,
    size_t errlen)
{
	struct state_item_rev	 rev;
	char			 id[STATE_ID_LEN + 1], name[INGEST_NAME_MAX];
	char			*json = NULL;
	uint64_t		 hash = story_content_hash(it);
	int			 rc = -2;

	if (state_item_hash(st, sf->name, key, &rev) != 1 || !rev.delivered)
		return 0;	/* gone meanwhile, or still pending */
	if (rev.text_hash == hash)
		return 0;
	if (rev.text_hash == 0) {	/* from before hashes were kept */
		if (state_item_set_hash(st, rev.id, hash) == -1)
			goto state_error;
		return 0;
	}
	if (state_new_id(id) == -1 ||
	    spool_name(name, sizeof(name), now_ms + (int64_t)c->fresh, id) == -1) {
		ingest_seterr(err, errlen, "story", "cannot make an id");
		return -2;
	}
	json = story_json_revision(id, sf, it, now_ms / 1000, &hints->h,
	    rev.revision + 1, rev.id);
	if (json == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		return -2;
	}
	if (state_item_revise(st, sf->name, key, id, now_ms / 1000, name,
	    json, hash, rev.revision + 1) == -1)
		goto state_error;
	c->fresh++;
	c->revised++;
	rc = ingest_go(st, sp, f, it, id, name, host, &json, 1, c, err,
	    errlen);
	free(json);
	return rc;
state_error:
	ingest_seterr(err, errlen, "state", state_errmsg(st));
	free(json);
	return -2;
}

/* Store as pending; then deliver, or hand over for the page. */
static int
ingest_item(struct state *st, struct spool *sp, const struct ingest_feed *f,
    const struct story_feed *sf, const struct feed_item *it,
    struct hints *hints, int64_t now_ms, struct ingest_counts *c,
    char *err, size_t errlen)
{
	enum state_item_status	 status;
	char			 id[STATE_ID_LEN + 1], name[INGEST_NAME_MAX];
	char			*key, *host = NULL, *json = NULL;
	int			 rc = -2;

	if ((key = story_key(it)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		return -2;
	}
	if (state_item_status(st, sf->name, key, &status) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	if (status != STATE_ITEM_NEW && !f->updates_emit) {
		rc = 0;
		goto out;
	}
	host = ingest_host(it->link);
	if (hints_load(st, hints, host, 0) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	if (status != STATE_ITEM_NEW) {
		rc = ingest_revision(st, sp, f, sf, it, key, hints, host,
		    now_ms, c, err, errlen);
		goto out;
	}
	if (state_new_id(id) == -1 ||
	    spool_name(name, sizeof(name), now_ms + (int64_t)c->fresh, id) == -1) {
		ingest_seterr(err, errlen, "story", "cannot make an id");
		goto out;
	}
	if ((json = story_json(id, sf, it, now_ms / 1000, &hints->h)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		goto out;
	}
	/* The pending row is whole, hash and all, before the spool is touched. */
	if (state_begin(st) == -1)
		goto state_error;
	if (state_item_begin(st, sf->name, key, id, now_ms / 1000, name,
	    json) == -1 ||
	    state_item_set_hash(st, id, story_content_hash(it)) == -1) {
		state_rollback(st);
		goto state_error;
	}
	if (state_commit(st) == -1)
		goto state_error;
	c->fresh++;
	rc = ingest_go(st, sp, f, it, id, name, host, &json, 0, c, err,
	    errlen);
	goto out;
state_error:
	ingest_seterr(err, errlen, "state", state_errmsg(st));
out:
	free(json);
	free(host);
	free(key);
	return rc;
}

/* Count the site tag of every new item's title, before any is cleaned. */
static int
ingest_learn_titles(struct state *st, const char *feed,
    const struct feed_doc *doc, int64_t now)
{
	enum state_item_status	 status;
	char			*key, *host, *tag;
	size_t			 i;
	int			 rc = 0;

	/* One transaction (one fsync) for the whole document. */
	if (state_begin(st) == -1)
		return -1;
	for (i = 0; i < doc->nitems && rc == 0; i++) {
		const struct feed_item *it = &doc->items[i];

		if (it->title == NULL || (key = story_key(it)) == NULL)
			continue;
		if (state_item_status(st, feed, key, &status) == 0 &&
		    status == STATE_ITEM_NEW &&
		    (host = ingest_host(it->link)) != NULL) {
			tag = boiler_title_tag(it->title);
			rc = state_title_seen(st, host, tag, now);
			free(tag);
			free(host);
		}
		free(key);
	}
	if (rc == -1) {
		state_rollback(st);
		return -1;
	}
	return state_commit(st);
}

int
ingest_document(struct state *st, struct spool *sp,
    const struct ingest_feed *f, const char *body, size_t len,
    const char *base, const char *charset, int64_t now_ms,
    struct ingest_counts *c, char *err, size_t errlen)
{
	struct feed_doc		*doc = NULL;
	struct story_feed	 sf;
	struct hints		 hints;
	size_t			 i;
	int			 rc = 0;

	memset(c, 0, sizeof(*c));
	memset(&hints, 0, sizeof(hints));
	if (feed_parse(body, len, base, charset, &doc, err, errlen) == -1)
		return -1;
	c->items = doc->nitems;
	c->version = doc->version;
	c->recovered = doc->recovered;
	c->schedule = doc->schedule;
	sf.name = f->name;
	sf.url = f->url;
	sf.title = doc->title;
	sf.language = doc->language;
	if (ingest_learn_titles(st, f->name, doc, now_ms / 1000) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		rc = -2;
		goto out;
	}
	/*
	 * Feeds list the newest item first; deliver the oldest first so the
	 * spool's time-sorted names follow the feed's own order.  Each story
	 * gets its own millisecond for a stable order among them.
	 */
	for (i = doc->nitems; i > 0 && rc == 0; i--)
		rc = ingest_item(st, sp, f, &sf, &doc->items[i - 1], &hints,
		    now_ms, c, err, errlen);
out:
	hints_clear(&hints);
	feed_free(doc);
	return rc;
}

/* Remember the page's short paragraphs, to find the host's boilerplate. */
static int
ingest_learn_lines(struct state *st, const char *host, const char *text,
    int64_t now)
{
	const char	*v[PARAGRAPHS_MAX];
	char		*copy, *p, *next;
	size_t		 n = 0;
	int		 rc;

	if (text == NULL || (copy = strdup(text)) == NULL)
		return 0;
	for (p = copy; p != NULL && n < PARAGRAPHS_MAX; p = next) {
		if ((next = strstr(p, "\n\n")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (*p != '\0')
			v[n++] = p;
	}
	rc = state_lines_seen(st, host, v, n, now);
	free(copy);
	return rc;
}

int
ingest_page_done(struct state *st, struct spool *sp, struct dedup_index *idx,
    const struct ingest_page *p, const char *html, size_t len,
    const char *final_url, const char *charset, int *used,
    enum ingest_fate *fate, char *err, size_t errlen)
{
	struct extract	*ex = NULL;
	struct hints	 hints;
	char		*json = NULL, xerr[256];
	const char	*src;
	int		 rc;

	*used = 0;
	*fate = INGEST_DELIVERED;
	memset(&hints, 0, sizeof(hints));
	if (html != NULL && extract_page_charset(html, len,
	    final_url != NULL ? final_url : p->url, charset, &ex, xerr,
	    sizeof(xerr)) == 0) {
		if (hints_load(st, &hints, p->host, 1) == -1 ||
		    ingest_learn_lines(st, p->host, ex->text,
		    (int64_t)time(NULL)) == -1) {
			ingest_seterr(err, errlen, "state", state_errmsg(st));
			rc = -2;
			goto out;
		}
		json = story_add_page(p->json, ex, &hints.h, used);
	}
	src = json != NULL ? json : p->json;
	rc = ingest_deliver(st, sp, idx, p->feed, p->dup_mark, p->id, p->name,
	    src, fate, err, errlen);
out:
	hints_clear(&hints);
	extract_free(ex);
	free(json);
	return rc;
}

/* Pending stories, copied out of the state store's walk. */
struct pending {
	char	id[STATE_ID_LEN + 1];
	char	*name;
	char	*json;
};

struct pending_list {
	struct pending	*v;
	size_t		 n, cap;
};

static int
ingest_collect(void *arg, const char *id, const char *name, const char *json)
{
	struct pending_list	*l = arg;
	struct pending		*p;
	void			*nv;

	if (strlen(id) > STATE_ID_LEN)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = reallocarray(l->v, l->cap, sizeof(*l->v))) == NULL)
			return -1;
		l->v = nv;
	}
	p = &l->v[l->n];
	memcpy(p->id, id, strlen(id) + 1);
	p->name = strdup(name);
	p->json = strdup(json);
	if (p->name == NULL || p->json == NULL) {
		free(p->name);
		free(p->json);
		return -1;
	}
	l->n++;
	return 0;
}

/*
 * A pending story from the feed alone whose page can still be fetched:
 * handed to fn (1), or not (0).  p->json is taken when fn takes it.
 */
static int
ingest_requeue(struct pending *pd, ingest_page_fn fn, void *arg)
{
	struct ingest_page	*p;
	json_t			*o;
	json_error_t		 jerr;
	const char		*src, *url, *feed;
	int			 taken = 0;

	if (fn == NULL || (o = json_loads(pd->json, 0, &jerr)) == NULL)
		return 0;
	src = json_string_value(json_object_get(o, "text_source"));
	url = json_string_value(json_object_get(o, "url"));
	feed = json_string_value(json_object_get(json_object_get(o, "feed"),
	    "name"));
	if (src == NULL || strcmp(src, "feed") != 0 || url == NULL ||
	    feed == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	memcpy(p->id, pd->id, sizeof(p->id));
	if (strlen(pd->name) >= sizeof(p->name)) {
		free(p);
		goto out;
	}
	memcpy(p->name, pd->name, strlen(pd->name) + 1);
	p->feed = strdup(feed);
	p->url = strdup(url);
	p->host = ingest_host(url);
	p->json = pd->json;
	if (p->feed == NULL || p->url == NULL || p->host == NULL ||
	    fn(arg, p) == -1) {
		p->json = NULL;
		ingest_page_free(p);
		goto out;
	}
	pd->json = NULL;
	taken = 1;
out:
	json_decref(o);
	return taken;
}

int
ingest_pending(struct state *st, struct spool *sp, ingest_page_fn fn,
    void *arg, size_t *queued, char *err, size_t errlen)
{
	struct pending_list	 l = { NULL, 0, 0 };
	size_t			 i, n = 0;
	int			 rc = -1;

	if (queued != NULL)
		*queued = 0;
	/*
	 * Copy first, deliver after: SQLite wants no writes while the walk
	 * holds its statement open.
	 */
	if (state_pending(st, ingest_collect, &l) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (ingest_requeue(&l.v[i], fn, arg)) {
			if (queued != NULL)
				(*queued)++;
			continue;
		}
		if (spool_deliver(sp, l.v[i].name, l.v[i].json,
		    strlen(l.v[i].json), err, errlen) == -1)
			goto out;
		if (state_item_delivered(st, l.v[i].id) == -1) {
			ingest_seterr(err, errlen, "state", state_errmsg(st));
			goto out;
		}
		n++;
	}
	rc = (int)n;
out:
	for (i = 0; i < l.n; i++) {
		free(l.v[i].name);
		free(l.v[i].json);
	}
	free(l.v);
	return rc;
}
