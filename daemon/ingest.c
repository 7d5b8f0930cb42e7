/*
 * ingest: feed document in, story files out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ingest.h"
#include "parsers/feed.h"
#include "store/spool.h"
#include "store/state.h"
#include "store/story.h"

#define SPOOL_NAME_MAX	64

static void
ingest_seterr(char *err, size_t errlen, const char *what, const char *why)
{
	if (snprintf(err, errlen, "%s: %s", what, why) < 0 && errlen > 0)
		err[0] = '\0';
}

/* Store as pending, write the file, mark delivered: in that order. */
static int
ingest_item(struct state *st, struct spool *sp, const struct story_feed *sf,
    const struct feed_item *it, int64_t now_ms, int *fresh, char *err,
    size_t errlen)
{
	enum state_item_status	 status;
	char			 id[STATE_ID_LEN + 1], name[SPOOL_NAME_MAX];
	char			*key, *json = NULL;
	int			 rc = -2;

	*fresh = 0;
	if ((key = story_key(it)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		return -2;
	}
	if (state_item_status(st, sf->name, key, &status) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	if (status != STATE_ITEM_NEW) {
		rc = 0;
		goto out;
	}
	if (state_new_id(id) == -1 ||
	    spool_name(name, sizeof(name), now_ms, id) == -1) {
		ingest_seterr(err, errlen, "story", "cannot make an id");
		goto out;
	}
	if ((json = story_json(id, sf, it, now_ms / 1000)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		goto out;
	}
	if (state_item_begin(st, sf->name, key, id, now_ms / 1000, name,
	    json) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	if (spool_deliver(sp, name, json, strlen(json), err, errlen) == -1)
		goto out;
	if (state_item_delivered(st, id) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	*fresh = 1;
	rc = 0;
out:
	free(json);
	free(key);
	return rc;
}

int
ingest_document(struct state *st, struct spool *sp,
    const struct ingest_feed *f, const char *body, size_t len,
    const char *base, const char *charset, int64_t now_ms,
    struct ingest_counts *c, char *err, size_t errlen)
{
	struct feed_doc		*doc = NULL;
	struct story_feed	 sf;
	size_t			 i;
	int			 fresh, rc = 0;

	memset(c, 0, sizeof(*c));
	if (feed_parse(body, len, base, charset, &doc, err, errlen) == -1)
		return -1;
	c->items = doc->nitems;
	c->version = doc->version;
	c->recovered = doc->recovered;
	sf.name = f->name;
	sf.url = f->url;
	sf.title = doc->title;
	sf.language = doc->language;
	/*
	 * Feeds list the newest item first; deliver the oldest first so the
	 * spool's time-sorted names follow the feed's own order.  Each story
	 * gets its own millisecond for a stable order among them.
	 */
	for (i = doc->nitems; i > 0; i--) {
		rc = ingest_item(st, sp, &sf, &doc->items[i - 1],
		    now_ms + (int64_t)c->fresh, &fresh, err, errlen);
		if (rc != 0)
			break;
		c->fresh += (size_t)fresh;
	}
	feed_free(doc);
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

int
ingest_pending(struct state *st, struct spool *sp, char *err, size_t errlen)
{
	struct pending_list	 l = { NULL, 0, 0 };
	size_t			 i;
	int			 rc = -1;

	/*
	 * Copy first, deliver after: SQLite wants no writes while the walk
	 * holds its statement open.
	 */
	if (state_pending(st, ingest_collect, &l) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(st));
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (spool_deliver(sp, l.v[i].name, l.v[i].json,
		    strlen(l.v[i].json), err, errlen) == -1)
			goto out;
		if (state_item_delivered(st, l.v[i].id) == -1) {
			ingest_seterr(err, errlen, "state", state_errmsg(st));
			goto out;
		}
	}
	rc = (int)l.n;
out:
	for (i = 0; i < l.n; i++) {
		free(l.v[i].name);
		free(l.v[i].json);
	}
	free(l.v);
	return rc;
}
