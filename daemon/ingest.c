/*
 * ingest: feed document in, story files out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include "daemon/fetch.h"
#include "daemon/idset.h"
#include "daemon/ingest.h"
#include "daemon/nextpoll.h"
#include "daemon/story.h"
#include "parsers/boiler.h"
#include "parsers/url.h"
#include "parsers/words.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "store/dedup.h"
#include "store/spool.h"
#include "store/state.h"

#define PARAGRAPHS_MAX	200	/* learned from one page, at most */
/*
 * The hosts whose hints (title tags, recurring lines) pages are merged
 * with are read from the state store at most once a INGEST_HINTS_AGE_MS
 * each (a page teaches a line only after three pages), the last
 * INGEST_HINTS_CACHED hosts kept.
 */
#define INGEST_HINTS_CACHED	32
#define INGEST_HINTS_AGE_MS	1000
/* Stories delivered again at once, at most: one flush each. */
#define INGEST_RETRY_BATCH	256
/* Pending stories read back at once, at most (ingest_pending). */
#define INGEST_PENDING_PAGE	INGEST_RETRY_BATCH

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

/* *out a copy of v (NULL-terminated, or NULL).  0, or -1 out of memory. */
static int
strings_dup(char **v, char ***out)
{
	char	**c;
	size_t	  i, n = strings_count(v);

	*out = NULL;
	if (v == NULL)
		return 0;
	if ((c = calloc(n + 1, sizeof(*c))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((c[i] = strdup(v[i])) == NULL) {
			state_strings_free(c);
			return -1;
		}
	*out = c;
	return 0;
}

static void
hints_clear(struct hints *h)
{
	state_strings_free(h->tags);
	state_strings_free(h->lines);
	free(h->host);
	memset(h, 0, sizeof(*h));
}

/* dst (cleared) a copy of src, for a worker.  0, or -1 out of memory. */
static int
hints_copy(struct hints *dst, const struct hints *src)
{
	struct hints	 h;

	memset(&h, 0, sizeof(h));
	if ((src->host != NULL && (h.host = strdup(src->host)) == NULL) ||
	    strings_dup(src->tags, &h.tags) == -1 ||
	    strings_dup(src->lines, &h.lines) == -1) {
		hints_clear(&h);
		return -1;
	}
	h.h.host = h.host;
	h.h.tags = (const char *const *)h.tags;
	h.h.ntags = strings_count(h.tags);
	h.h.lines = (const char *const *)h.lines;
	h.h.nlines = strings_count(h.lines);
	*dst = h;
	return 0;
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

/* The site tag of a new item's title counted for its link's host. */
static int
ingest_learn_title(struct state *st, const struct feed_item *it, int64_t now)
{
	char	*host, *tag;
	int	 rc;

	if (it->title == NULL || (host = ingest_host(it->link)) == NULL)
		return 0;
	tag = boiler_title_tag(it->title);
	rc = state_title_seen(st, host, tag, now);
	free(tag);
	free(host);
	return rc;
}

/*
 * Count the site tag of every new item's title, before any is cleaned;
 * inside the document's transaction.
 */
static int
ingest_learn_titles(struct state *st, const char *feed,
    const struct feed_doc *doc, int64_t now)
{
	enum state_item_status	 status;
	char			*key;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < doc->nitems && rc == 0; i++) {
		const struct feed_item *it = &doc->items[i];

		if (it->title == NULL || (key = story_key(it)) == NULL)
			continue;
		if (state_item_status(st, feed, key, &status) == 0 &&
		    status == STATE_ITEM_NEW)
			rc = ingest_learn_title(st, it, now);
		free(key);
	}
	return rc;
}

/* A story about to be delivered, as the duplicate checks see it. */
struct candidate {
	char		*canon;		/* of its link */
	char		*page_canon;	/* of the page's rel=canonical */
	struct dedup_fp	 fp;
	int		 has_fp;
};

static void
candidate_clear(struct candidate *c)
{
	free(c->canon);
	free(c->page_canon);
	memset(c, 0, sizeof(*c));
}

static void
candidate_make(struct candidate *c, const struct story *s)
{
	memset(c, 0, sizeof(*c));
	if (s->url != NULL)
		c->canon = url_canonical(s->url);
	if (s->canonical_url != NULL)
		c->page_canon = url_canonical(s->canonical_url);
	c->has_fp = dedup_fingerprint(s->text != NULL ? s->text : "",
	    s->title, &c->fp) == 0;
}

/* Made by a worker for a story whose text is final (no page to come). */
static struct candidate *
candidate_new(const struct story *s)
{
	struct candidate	*c;

	if ((c = malloc(sizeof(*c))) != NULL)
		candidate_make(c, s);
	return c;
}

static void
candidate_free(struct candidate *c)
{
	if (c != NULL) {
		candidate_clear(c);
		free(c);
	}
}

/* A story of a document, stored pending, waiting for the next flush. */
struct parcel {
	struct story	*story;
	char		 name[INGEST_NAME_MAX];	/* in the spool */
	char		*host;		/* of its link */
	char		*json;		/* the pending row's bytes */
	size_t		 len;
	int		 dup_mark;
	int		 page;		/* its page is to be fetched */
	ingest_page_fn	 page_fn;
	void		*page_arg;
	uint64_t	 key;		/* of its link, at the flush */
	int		 waits;		/* for a page, at the flush */
	struct candidate *cand;		/* made by a worker, or NULL */
	int		 in_tmp;	/* json written in tmp/ as name */
};

struct ingest {
	struct state		*st;
	struct spool		*sp;
	struct dedup_index	*dups;
	ingest_fate_fn		 fate_fn;
	void			*fate_arg;
	ingest_spooled_fn	 spooled_fn;
	void			*spooled_arg;
	int			 open;		/* documents' rows not committed */
	struct parcel		*out;		/* their stories */
	size_t			 nout, capout;
	struct idset		 away;		/* ids out for their page */
	struct idset		 away_urls;	/* and their links (url_key) */
	struct parcel		*parked;	/* waiting for a page of their
						   link to be in */
	uint64_t		*parked_keys;
	size_t			 nparked, capparked;
	struct parcel		*released;	/* that page is in: they go at
						   the next flush */
	size_t			 nreleased, capreleased;
	struct ingest_health	 health;
	int			 tmp_clean;	/* start-up leftovers gone */
	int			 lazy;		/* the open transaction holds
						   feed state alone */
	int			(*dups_load)(void *);	/* not yet run */
	void			*dups_arg;
	ingest_watch_fn		 watch_fn;
	void			*watch_arg;
	/* What the pages' hosts taught, as read lately (ingest_hints()). */
	struct hints		 hcache[INGEST_HINTS_CACHED];
	int64_t			 hcache_at[INGEST_HINTS_CACHED];	/* ms */
};

static void	parcel_clear(struct parcel *);
static int	ingest_end_lazy(struct ingest *);

struct ingest *
ingest_new(struct state *st, struct spool *sp, struct dedup_index *dups,
    ingest_fate_fn fate_fn, void *fate_arg)
{
	struct ingest	*in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->st = st;
	in->sp = sp;
	in->dups = dups;
	in->fate_fn = fate_fn;
	in->fate_arg = fate_arg;
	return in;
}

void
ingest_on_spooled(struct ingest *in, ingest_spooled_fn fn, void *arg)
{
	in->spooled_fn = fn;
	in->spooled_arg = arg;
}

/* A file a worker wrote ahead (in_tmp), not to be spooled: removed. */
static void
ingest_unwrite(const struct spool *sp, const char *name, int *in_tmp)
{
	if (*in_tmp)
		spool_tmp_remove(sp, name);
	*in_tmp = 0;
}

static void
parcel_clear(struct parcel *pc)
{
	story_free(pc->story);
	free(pc->host);
	free(pc->json);
	candidate_free(pc->cand);
	memset(pc, 0, sizeof(*pc));
}

static void
parcels_clear(struct ingest *in)
{
	size_t	 i;

	for (i = 0; i < in->nout; i++) {
		/* Written ahead, and not spooled after all. */
		ingest_unwrite(in->sp, in->out[i].name, &in->out[i].in_tmp);
		parcel_clear(&in->out[i]);
	}
	in->nout = 0;
}

/* A link as a key: its canonical form, hashed; 0 when it has none. */
static uint64_t
canon_key(const char *canon)
{
	uint64_t	 k = words_hash(canon, strlen(canon), 0);

	return k != 0 ? k : 1;
}

static uint64_t
url_key(const char *url)
{
	char		*canon;
	uint64_t	 k;

	if (url == NULL || (canon = url_canonical(url)) == NULL)
		return 0;
	k = canon_key(canon);
	free(canon);
	return k;
}

/* Whether the page of this link is being fetched for another story. */
static int
url_away(const struct ingest *in, uint64_t key)
{
	return key != 0 && idset_has_key(&in->away_urls, key);
}

/* Room for one more in the outbox. */
static struct parcel *
outbox_slot(struct ingest *in)
{
	struct parcel	*nv;
	size_t		 cap;

	if (in->nout == in->capout) {
		cap = in->capout != 0 ? in->capout * 2 : 16;
		if (cap < in->capout ||
		    (nv = reallocarray(in->out, cap, sizeof(*nv))) == NULL)
			return NULL;
		in->out = nv;
		in->capout = cap;
	}
	memset(&in->out[in->nout], 0, sizeof(in->out[0]));
	return &in->out[in->nout++];
}

/*
 * A story whose link is out for another story's page waits in memory (its
 * row is pending) until that page is in: then it is judged against that
 * story, a duplicate by its link, and needs no page of its own.  Takes pc
 * (0), or leaves it to the caller (-1: out of memory).
 */
static int
ingest_park(struct ingest *in, struct parcel *pc, uint64_t key)
{
	struct parcel	*nv;
	uint64_t	*nk;
	size_t		 cap;

	if (in->nparked == in->capparked) {
		cap = in->capparked != 0 ? in->capparked * 2 : 8;
		if (cap < in->capparked ||
		    (nv = reallocarray(in->parked, cap, sizeof(*nv))) == NULL)
			return -1;
		in->parked = nv;
		if ((nk = reallocarray(in->parked_keys, cap,
		    sizeof(*nk))) == NULL)
			return -1;
		in->parked_keys = nk;
		in->capparked = cap;
	}
	in->parked[in->nparked] = *pc;
	in->parked_keys[in->nparked++] = key;
	memset(pc, 0, sizeof(*pc));
	return 0;
}

/* Room for one more released story. */
static struct parcel *
released_slot(struct ingest *in)
{
	struct parcel	*nv;
	size_t		 cap;

	if (in->nreleased == in->capreleased) {
		cap = in->capreleased != 0 ? in->capreleased * 2 : 8;
		if (cap < in->capreleased || (nv = reallocarray(in->released,
		    cap, sizeof(*nv))) == NULL)
			return NULL;
		in->released = nv;
		in->capreleased = cap;
	}
	return &in->released[in->nreleased++];
}

/*
 * The page of this link is in (or given up): the stories that waited for
 * it go at the next flush, after it.  One that cannot be moved for want
 * of memory stays pending in its row, delivered at the next start.
 */
static void
ingest_unpark(struct ingest *in, uint64_t key)
{
	struct parcel	*pc;
	size_t		 i = 0;

	idset_remove_key(&in->away_urls, key);
	while (i < in->nparked) {
		if (in->parked_keys[i] != key) {
			i++;
			continue;
		}
		if ((pc = released_slot(in)) != NULL) {
			*pc = in->parked[i];
			pc->page = 0;
		} else
			parcel_clear(&in->parked[i]);
		in->parked[i] = in->parked[--in->nparked];
		in->parked_keys[i] = in->parked_keys[in->nparked];
	}
}

/* The released stories join the outbox; 0, or -1 out of memory. */
static int
ingest_take_released(struct ingest *in)
{
	struct parcel	*pc;

	while (in->nreleased > 0) {
		if ((pc = outbox_slot(in)) == NULL)
			return -1;
		*pc = in->released[--in->nreleased];
	}
	return 0;
}

void
ingest_set_watch(struct ingest *in, ingest_watch_fn fn, void *arg)
{
	in->watch_fn = fn;
	in->watch_arg = arg;
}

void
ingest_defer_dups(struct ingest *in, int (*load)(void *), void *arg)
{
	in->dups_load = load;
	in->dups_arg = arg;
}

/* Unflushed documents are dropped: their rows were never committed. */
void
ingest_free(struct ingest *in)
{
	size_t	 i;

	if (in == NULL)
		return;
	if (in->open)
		state_rollback(in->st);
	parcels_clear(in);
	free(in->out);
	while (in->nparked > 0)
		parcel_clear(&in->parked[--in->nparked]);
	while (in->nreleased > 0)
		parcel_clear(&in->released[--in->nreleased]);
	free(in->released);
	free(in->parked);
	free(in->parked_keys);
	idset_clear(&in->away);
	idset_clear(&in->away_urls);
	for (i = 0; i < INGEST_HINTS_CACHED; i++)
		hints_clear(&in->hcache[i]);
	free(in);
}

const struct ingest_health *
ingest_health(const struct ingest *in)
{
	return &in->health;
}

/* Recount what waits; a count that fails keeps the last one. */
static void
ingest_count_waiting(struct ingest *in)
{
	size_t	 n;
	int64_t	 oldest;

	if (state_pending_count(in->st, &n, &oldest) == 0) {
		in->health.waiting = n;
		in->health.oldest = oldest;
	}
}

/* A delivery failed (err says why, error is its errno or 0). */
static void
ingest_failed(struct ingest *in, const char *err, int error)
{
	struct ingest_health	*h = &in->health;

	if (!h->failing)
		h->since = (int64_t)time(NULL);
	h->failing = 1;
	h->error = error;
	(void)snprintf(h->message, sizeof(h->message), "%s", err);
	ingest_count_waiting(in);
}

/*
 * The story c duplicates, by canonical URL (the item's or the page's) or
 * by text: 1 with orig and why set, 0 when none, -1 on a state error.
 * *fuller: c is not a part of orig but orig a part of c (a brief of it).
 */
static int
ingest_find_dup(struct ingest *in, const struct candidate *c,
    const char *self, char orig[STATE_ID_LEN + 1], const char **why,
    int *fuller)
{
	struct dedup_match	 m;
	int			 rc;

	if (c->canon != NULL) {
		if ((rc = state_fp_by_url(in->st, c->canon, orig)) != 0) {
			*why = "same URL";
			return rc == 1 && strcmp(orig, self) != 0 ? 1 : rc;
		}
	}
	if (c->page_canon != NULL) {
		if ((rc = state_fp_by_url(in->st, c->page_canon, orig)) != 0) {
			*why = "same canonical URL";
			return rc == 1 && strcmp(orig, self) != 0 ? 1 : rc;
		}
	}
	if (in->dups == NULL || !c->has_fp ||
	    dedup_find(in->dups, &c->fp, &m) != 1 || strcmp(m.id, self) == 0)
		return 0;
	memcpy(orig, m.id, STATE_ID_LEN + 1);
	orig[STATE_ID_LEN] = '\0';
	*why = dedup_verdict_name(m.verdict);
	*fuller = m.verdict == DEDUP_CONTAINS;
	return 1;
}

/* Remember a story delivered as an original: fingerprint and sighting. */
static int
ingest_remember(struct ingest *in, const struct candidate *c,
    const struct story *s, int64_t now)
{
	if (c->has_fp) {
		if (in->dups != NULL && dedup_add(in->dups, s->id, now,
		    &c->fp) == -1)
			return -1;
		if (state_fp_save(in->st, s->id, now, &c->fp,
		    c->canon != NULL ? c->canon : c->page_canon) == -1)
			return -1;
	}
	return state_sighting_add(in->st, s->id, s->feed_name, s->url, now);
}

/* One story of a batch to deliver. */
struct delivery {
	struct story	*story;
	const char	*name;		/* in the spool */
	const char	*json;		/* as stored pending, or NULL */
	size_t		 len;
	int		 dup_mark;
	int		 check;		/* judged (else spooled as stored) */
	int		 later;		/* marked delivered once published */
	const char	*row_json;	/* to store if it is to wait */
	const struct candidate *cand;	/* made already, or NULL */
	int		*in_tmp;	/* json is written in tmp/ (its
					   parcel's), or NULL */
	enum ingest_fate fate;		/* out */
	const char	*why;		/* out: a duplicate's reason (static) */
};

/*
 * The file of d, dumped now unless the pending row's bytes are it; when
 * a worker wrote those in tmp/ already, that file.
 */
static int
ingest_add_file(struct ingest *in, struct spool_batch *b,
    const struct delivery *d, char *err, size_t errlen)
{
	char	*json;
	size_t	 len;
	int	 rc;

	if (d->in_tmp != NULL && *d->in_tmp) {
		if (d->json == NULL)		/* it differs now */
			ingest_unwrite(in->sp, d->name, d->in_tmp);
		else {
			*d->in_tmp = 0;
			return spool_batch_take(b, d->name, err, errlen);
		}
	}
	if (d->json != NULL)
		return spool_batch_add(b, d->name, d->json, d->len, err,
		    errlen);
	if ((json = story_dump(d->story, &len)) == NULL) {
		ingest_seterr(err, errlen, "story", "out of memory");
		return -1;
	}
	rc = spool_batch_add(b, d->name, json, len, err, errlen);
	free(json);
	return rc;
}

/*
 * The watches of d's story, matched now that its text is final: 1 when
 * it is dropped (recorded delivered, as a dropped duplicate is, so that it
 * is not fetched or judged again; not remembered for the duplicate checks,
 * since it is not in the spool), 0 when it goes on to be judged, -1 on a
 * state error, -2 out of memory (err set).
 */
static int
ingest_watch(struct ingest *in, struct delivery *d, char *err,
    size_t errlen)
{
	struct story	*s = d->story;
	size_t		 had = s->nwatch;
	int		 rc;

	if (in->watch_fn == NULL)
		return 0;
	if ((rc = in->watch_fn(in->watch_arg, s)) == -1) {
		ingest_seterr(err, errlen, "story", "out of memory");
		return -2;
	}
	/* The pending row's bytes were dumped before the match. */
	if (had > 0 || s->nwatch > 0)
		d->json = NULL;
	if (rc == 0)
		return 0;
	d->fate = INGEST_WATCH_DROPPED;
	if (state_item_delivered(in->st, s->id) == -1)
		return -1;
	return 1;
}

/*
 * Decide what d is and record it, inside the batch's transaction: an
 * original (remembered, spooled), or a duplicate (a sighting of the
 * original; dropped, or spooled marked).  Returns 0, -1 on a state
 * error, -2 on a spool error (err set).
 */
static int
ingest_decide(struct ingest *in, struct spool_batch *b, struct delivery *d,
    int64_t now, char *err, size_t errlen)
{
	struct story		*s = d->story;
	struct candidate	 mine;
	const struct candidate	*cp = d->cand;
	char			 orig[STATE_ID_LEN + 1];
	const char		*why = NULL;
	int			 dup = 0, fuller = 0, rc = -1;
	int			(*load)(void *);

	/* Once: a failure leaves what was read (duplicates missed, no more). */
	if (in->dups_load != NULL) {
		load = in->dups_load;
		in->dups_load = NULL;
		if (load(in->dups_arg) == -1)
			return -1;
	}
	d->fate = INGEST_DELIVERED;
	d->why = NULL;
	if ((rc = ingest_watch(in, d, err, errlen)) != 0)
		return rc == 1 ? 0 : rc;
	rc = -1;
	memset(&mine, 0, sizeof(mine));
	if (cp == NULL) {
		candidate_make(&mine, s);
		cp = &mine;
	}
	/* A revision resembles the story it supersedes: that is the point. */
	if (s->revision <= 1) {
		/* Made a fuller text by an attempt that failed: judged anew. */
		if (s->supersedes != NULL) {
			story_unsupersede(s);
			d->json = NULL;
		}
		if ((dup = ingest_find_dup(in, cp, s->id, orig, &why,
		    &fuller)) == -1)
			goto out;
	}
	/*
	 * The full text of a story delivered as a brief: a desk wants it, so
	 * it is delivered as a new story superseding the brief.
	 */
	if (dup && fuller) {
		if (story_supersede(s, orig, why) == -1) {
			ingest_seterr(err, errlen, "story", "out of memory");
			rc = -2;
			goto out;
		}
		d->json = NULL;		/* it differs now */
		dup = 0;
	}
	if (!dup) {
		if (ingest_remember(in, cp, s, now) == -1)
			goto out;
		/* Marked by an attempt that failed, and no longer a copy. */
		if (s->duplicate_of != NULL) {
			story_unmark(s);
			d->json = NULL;
		}
	} else {
		if (state_sighting_add(in->st, orig, s->feed_name, s->url,
		    now) == -1)
			goto out;
		d->fate = d->dup_mark ? INGEST_DUP_MARKED : INGEST_DUP_DROPPED;
		d->why = why;
		/* Dropped too: who is told its fate learns of which. */
		if (story_mark_duplicate(s, orig, why) == -1) {
			ingest_seterr(err, errlen, "story", "out of memory");
			rc = -2;
			goto out;
		}
		if (d->dup_mark)
			d->json = NULL;		/* it differs now */
	}
	if ((!d->later || d->fate == INGEST_DUP_DROPPED) &&
	    state_item_delivered(in->st, s->id) == -1)
		goto out;
	rc = 0;
	if (d->fate != INGEST_DUP_DROPPED &&
	    ingest_add_file(in, b, d, err, errlen) == -1)
		rc = -2;
out:
	candidate_clear(&mine);
	return rc;
}

/*
 * Which story a failure of the spool was about, put in front of err:
 * the log must name the story and the feed, not only a file.
 */
static void
ingest_blame(const struct spool_batch *b, const struct delivery *v,
    size_t n, char *err, size_t errlen)
{
	const struct story	*s;
	const char		*name;
	char			 why[512];
	size_t			 i;

	(void)spool_batch_failure(b, &name);
	for (i = 0; name != NULL && i < n; i++) {
		if (strcmp(v[i].name, name) != 0)
			continue;
		s = v[i].story;
		(void)snprintf(why, sizeof(why), "%s", err);
		(void)snprintf(err, errlen, "feed %s: story %s: %s",
		    s->feed_name != NULL ? s->feed_name : "?", s->id, why);
		return;
	}
}

/* Tell who asked of each file of v[0..n-1] now in new/ and committed. */
static void
ingest_spooled(struct ingest *in, const struct delivery *v, size_t n)
{
	const struct story	*s;
	size_t			 i;

	for (i = 0; in->spooled_fn != NULL && i < n; i++) {
		s = v[i].story;
		if (v[i].check && v[i].fate == INGEST_DUP_DROPPED)
			continue;
		in->spooled_fn(in->spooled_arg, s->id, s->feed_name,
		    v[i].name);
	}
}

/*
 * The held validators of the batch's feeds, released where none of their
 * stories is pending now: one point look-up a feed (consecutive stories
 * are mostly of one), not a walk of every held feed at every batch.
 */
static int
ingest_release(struct ingest *in, const struct delivery *v, size_t n)
{
	const char	*feed, *last = NULL;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((feed = v[i].story->feed_name) == NULL)
			return state_feeds_release(in->st);
		if (last != NULL && strcmp(last, feed) == 0)
			continue;
		if (state_feed_release(in->st, feed) == -1)
			return -1;
		last = feed;
	}
	return 0;
}

/*
 * Deliver v[0..n-1] as one batch, in the transaction the caller began:
 * decisions and "delivered" rows in it, the files flushed together, the
 * transaction committed only once every file is durable in new/.  A story
 * not to be checked (read back pending, unreadable) is spooled as stored.
 * Feeds whose stories are all in now get their held validators.  Returns
 * 0, or -2 with err set (the transaction rolled back: nothing of the
 * batch counts as delivered, it all stays pending, and deliveries are
 * failing from now on).
 */
static int
ingest_deliver_begun(struct ingest *in, struct delivery *v, size_t n,
    char *err, size_t errlen)
{
	struct spool_batch	*b;
	const char		*name;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 i;
	int			 rc = 0, error = 0;

	if ((b = spool_batch_new(in->sp)) == NULL) {
		ingest_seterr(err, errlen, "spool", "out of memory");
		rc = -2;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (v[i].check)
			rc = ingest_decide(in, b, &v[i], now, err, errlen);
		else if ((rc = state_item_delivered(in->st,
		    v[i].story->id)) == 0 &&
		    ingest_add_file(in, b, &v[i], err, errlen) == -1)
			rc = -2;
	}
	if (rc == 0 && ingest_release(in, v, n) == -1)
		rc = -1;
	if (rc == -1)
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
	if (rc == 0 && spool_batch_commit(b, err, errlen) == -1)
		rc = -2;
	if (rc == -2 && b != NULL) {
		error = spool_batch_failure(b, &name);
		ingest_blame(b, v, n, err, errlen);
	}
	if (rc == 0 && state_commit(in->st) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		rc = -2;
	}
	if (rc != 0) {
		state_rollback(in->st);
		ingest_failed(in, err, error);
	}
	spool_batch_free(b);
	if (rc == 0)
		ingest_spooled(in, v, n);
	return rc == 0 ? 0 : -2;
}

/* The same, in a transaction of its own. */
static int
ingest_deliver(struct ingest *in, struct delivery *v, size_t n,
    char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	if (state_begin(in->st) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		ingest_failed(in, err, 0);
		return -2;
	}
	return ingest_deliver_begun(in, v, n, err, errlen);
}

void
ingest_page_free(struct ingest_page *p)
{
	if (p == NULL)
		return;
	if (p->owner != NULL) {
		idset_remove(&p->owner->away, p->id);
		if (p->url_key != 0)
			ingest_unpark(p->owner, p->url_key);
	}
	free(p->feed);
	free(p->url);
	free(p->host);
	story_free(p->story);
	free(p);
}

/*
 * Hand a begun story to the page fetcher; 1 when it took it.  Until the
 * page is freed its story is out: ingest_pending() leaves it alone.
 */
static int
ingest_hand_over(struct ingest *in, ingest_page_fn fn, void *arg,
    int dup_mark, const char *name, const char *host, struct story **sp)
{
	struct ingest_page	*p;
	struct story		*s = *sp;
	uint64_t		 key;

	if (fn == NULL || host == NULL || s->url == NULL ||
	    strlen(name) >= sizeof(p->name))
		return 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 0;
	memcpy(p->id, s->id, sizeof(p->id));
	memcpy(p->name, name, strlen(name) + 1);
	p->feed = strdup(s->feed_name);
	p->url = strdup(s->url);
	p->host = strdup(host);
	p->story = s;
	p->dup_mark = dup_mark;
	if (p->feed != NULL && p->url != NULL && p->host != NULL &&
	    idset_add(&in->away, p->id) == 0)
		p->owner = in;
	/* The first story out for a link answers for every other. */
	if (p->owner != NULL && (key = url_key(p->url)) != 0 &&
	    !url_away(in, key) && idset_add_key(&in->away_urls, key) == 0)
		p->url_key = key;
	if (p->owner == NULL || fn(arg, p) == -1) {
		p->story = NULL;
		ingest_page_free(p);
		return 0;
	}
	*sp = NULL;
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

/* A new story of a document, stored pending, not yet gone on. */
struct fresh {
	struct story	*story;
	char		 name[INGEST_NAME_MAX];
	char		*host;		/* of its link */
	char		*json;		/* the pending row's bytes */
	size_t		 len;
	int		 revision;
	struct candidate *cand;		/* a worker's, or NULL */
	int		 in_tmp;	/* json written in tmp/ as name */
};

/*
 * One item of a document on its way (ingest_prep_*): read by a worker,
 * planned by the loop, its story built by a worker.
 */
struct prep_item {
	char		*key;		/* story_key(), or NULL */
	char		*host;		/* ingest_host() of its link, or NULL */
	char		*tag;		/* boiler_title_tag(), or NULL */
	enum state_item_status status;	/* read by the plan */
	int		 build;		/* the plan: a story to build */
	unsigned	 revision;
	char		 supersedes[STATE_ID_LEN + 1];	/* or "" */
	char		 id[STATE_ID_LEN + 1];
	size_t		 hints;		/* of the prep's */
	struct story	*story;		/* built, or NULL */
	char		*json;		/* its dump */
	size_t		 len;
	struct candidate *cand;		/* when its text is final */
	char		 name[INGEST_NAME_MAX];	/* with in_tmp */
	int		 in_tmp;	/* json written in tmp/ as name */
};

struct ingest_prep {
	char			*name;		/* the feed's */
	char			*url;
	const char		*body;		/* the caller's */
	size_t			 len;
	char			*base;
	char			*charset;
	int64_t			 now_ms;
	struct feed_doc		*doc;		/* read, or NULL (err) */
	char			 err[512];
	struct prep_item	*items;		/* doc->nitems, or NULL */
	struct hints		*hints;		/* of the items' hosts */
	size_t			 nhints;
	size_t			 nbuild;
	int			 final;		/* no page will be fetched */
	const struct spool	*sp;		/* built files go to its tmp/,
						   or NULL */
	struct story_feed	 sf;
};

/* One document's work: what every step of it needs. */
struct ingest_doc {
	struct ingest		*in;
	const struct ingest_feed *f;
	struct story_feed	 sf;
	struct hints		 hints;
	int64_t			 now_ms;
	struct ingest_counts	*c;
	struct fresh		*v;
	size_t			 n, cap;
	char			*err;
	size_t			 errlen;
	struct ingest_prep	*prep;
};

static void
ingest_doc_clear(struct ingest_doc *x)
{
	size_t	 i;

	for (i = 0; i < x->n; i++) {
		ingest_unwrite(x->in->sp, x->v[i].name, &x->v[i].in_tmp);
		story_free(x->v[i].story);
		free(x->v[i].host);
		free(x->v[i].json);
		candidate_free(x->v[i].cand);
	}
	free(x->v);
	hints_clear(&x->hints);
}

/* A slot for the next fresh story, or NULL when out of memory. */
static struct fresh *
ingest_doc_slot(struct ingest_doc *x)
{
	struct fresh	*nv;
	size_t		 cap;

	if (x->n == x->cap) {
		cap = x->cap != 0 ? x->cap * 2 : 16;
		if ((nv = reallocarray(x->v, cap, sizeof(*nv))) == NULL)
			return NULL;
		x->v = nv;
		x->cap = cap;
	}
	memset(&x->v[x->n], 0, sizeof(x->v[x->n]));
	return &x->v[x->n];
}

/*
 * The story a worker built for pi, when it is the one wanted now (the
 * plan and the store read the same rows, unless a page came in between),
 * taken into fr.  0, or -1 when there is none to take.
 */
static int
ingest_take_built(struct fresh *fr, struct prep_item *pi, unsigned revision,
    const char *supersedes)
{
	if (pi == NULL || pi->story == NULL || pi->json == NULL ||
	    pi->revision != revision ||
	    strcmp(pi->supersedes, supersedes != NULL ? supersedes : "") != 0)
		return -1;
	fr->story = pi->story;
	fr->json = pi->json;
	fr->len = pi->len;
	fr->cand = pi->cand;
	if ((fr->in_tmp = pi->in_tmp))
		memcpy(fr->name, pi->name, sizeof(fr->name));
	pi->story = NULL;
	pi->json = NULL;
	pi->cand = NULL;
	pi->in_tmp = 0;
	return 0;
}

/*
 * The story of it (revision and supersedes set for a new revision) into a
 * new slot, dumped for its pending row: the one a worker built (pi), or
 * built here.  Returns the slot, or NULL (err set).
 */
static struct fresh *
ingest_build(struct ingest_doc *x, const struct feed_item *it, char *host,
    unsigned revision, const char *supersedes, struct prep_item *pi)
{
	struct fresh	*fr;
	char		 id[STATE_ID_LEN + 1];

	if ((fr = ingest_doc_slot(x)) == NULL) {
		ingest_seterr(x->err, x->errlen, "story", "out of memory");
		return NULL;
	}
	if (ingest_take_built(fr, pi, revision, supersedes) == 0)
		memcpy(id, fr->story->id, sizeof(id));
	else if (state_new_id(id) == -1) {
		ingest_seterr(x->err, x->errlen, "story", "cannot make an id");
		return NULL;
	}
	if (!fr->in_tmp && spool_name(fr->name, sizeof(fr->name),
	    x->now_ms + (int64_t)x->c->fresh, id) == -1) {
		ingest_seterr(x->err, x->errlen, "story", "cannot make an id");
		goto free_story;
	}
	if (fr->story == NULL && ((fr->story = story_from_item(id, &x->sf, it,
	    x->now_ms / 1000, &x->hints.h, revision, supersedes)) == NULL ||
	    (fr->json = story_dump(fr->story, &fr->len)) == NULL)) {
		ingest_seterr(x->err, x->errlen, "story", "out of memory");
		goto free_story;
	}
	fr->host = host;
	fr->revision = revision > 1;
	x->n++;
	x->c->fresh++;
	return fr;
free_story:
	ingest_unwrite(x->in->sp, fr->name, &fr->in_tmp);
	story_free(fr->story);
	free(fr->json);
	candidate_free(fr->cand);
	fr->story = NULL;
	fr->json = NULL;
	fr->cand = NULL;
	return NULL;
}

/*
 * An item delivered before: with updates = emit, a new story when the
 * text the feed gives for it changed (revision + 1, supersedes the last).
 * Returns 0 or -1 (err set); takes host.
 */
static int
ingest_revision(struct ingest_doc *x, const struct feed_item *it,
    const char *key, char *host, struct prep_item *pi)
{
	struct state		*st = x->in->st;
	struct state_item_rev	 rev;
	struct fresh		*fr;
	uint64_t		 hash = story_content_hash(it);

	if (state_item_hash(st, x->sf.name, key, &rev) != 1 || !rev.delivered ||
	    rev.text_hash == hash) {
		free(host);
		return 0;	/* gone meanwhile, still pending, or the same */
	}
	if (rev.text_hash == 0) {	/* from before hashes were kept */
		free(host);
		return state_item_set_hash(st, rev.id, hash) == -1 ? -1 : 0;
	}
	if ((fr = ingest_build(x, it, host, rev.revision + 1, rev.id,
	    pi)) == NULL) {
		free(host);
		return -1;
	}
	x->c->revised++;
	if (state_item_revise(st, x->sf.name, key, fr->story->id,
	    x->now_ms / 1000, fr->name, fr->json, hash,
	    rev.revision + 1) == -1)
		return -1;
	return 0;
}

/*
 * A new item (or a changed one) stored as pending, with the story a
 * worker built for it when there is one (pi).  0, or -1 (err set).
 */
static int
ingest_item(struct ingest_doc *x, const struct feed_item *it,
    struct prep_item *pi)
{
	struct state		*st = x->in->st;
	enum state_item_status	 status;
	struct fresh		*fr;
	char			*key, *host;
	int			 rc = -1;

	if (pi != NULL && pi->key != NULL) {
		key = pi->key;
		pi->key = NULL;
	} else if ((key = story_key(it)) == NULL) {
		ingest_seterr(x->err, x->errlen, "story", "out of memory");
		return -1;
	}
	if (state_item_status(st, x->sf.name, key, &status) == -1)
		goto state_error;
	if (status != STATE_ITEM_NEW && !x->f->updates_emit) {
		rc = 0;
		goto out;
	}
	if (pi != NULL && pi->host != NULL) {
		host = pi->host;
		pi->host = NULL;
	} else
		host = ingest_host(it->link);
	if (hints_load(st, &x->hints, host, 0) == -1) {
		free(host);
		goto state_error;
	}
	if (status != STATE_ITEM_NEW) {
		if ((rc = ingest_revision(x, it, key, host, pi)) == -1 &&
		    x->err[0] == '\0')
			goto state_error;
		goto out;
	}
	if ((fr = ingest_build(x, it, host, 1, NULL, pi)) == NULL) {
		free(host);
		goto out;
	}
	/* The pending row is whole, hash and all, before the spool is touched. */
	/* Its JSON only if it is to wait: ingest_flush() knows. */
	if (state_item_begin(st, x->sf.name, key, fr->story->id,
	    x->now_ms / 1000, fr->name, NULL, fr->story->content_hash) == -1)
		goto state_error;
	rc = 0;
	goto out;
state_error:
	ingest_seterr(x->err, x->errlen, "state", state_errmsg(st));
out:
	free(key);
	return rc;
}

/*
 * The stored stories wait in the outbox for ingest_flush(): each is to be
 * handed over for its page there, or delivered with the others (no page
 * to fetch, or its link is already known: a duplicate needs no page).  A
 * revision always gets its page.
 */
static int
ingest_go(struct ingest_doc *x)
{
	const struct ingest_feed	*f = x->f;
	struct ingest			*in = x->in;
	struct parcel			*nv, *pc;
	struct fresh			*fr;
	size_t				 i, cap;

	if (x->n > SIZE_MAX / 2 - in->nout)
		return -1;
	if (in->nout + x->n > in->capout) {
		cap = in->capout * 2 > in->nout + x->n ? in->capout * 2 :
		    in->nout + x->n;
		if ((nv = reallocarray(in->out, cap, sizeof(*nv))) == NULL)
			return -1;
		in->out = nv;
		in->capout = cap;
	}
	for (i = 0; i < x->n; i++) {
		fr = &x->v[i];
		pc = &in->out[in->nout++];
		memset(pc, 0, sizeof(*pc));
		pc->story = fr->story;
		memcpy(pc->name, fr->name, sizeof(pc->name));
		pc->host = fr->host;
		pc->json = fr->json;
		pc->len = fr->len;
		pc->cand = fr->cand;
		fr->cand = NULL;
		pc->in_tmp = fr->in_tmp;
		fr->in_tmp = 0;
		pc->dup_mark = f->dup_mark;
		pc->page_fn = f->page_fn;
		pc->page_arg = f->page_arg;
		pc->page = f->page_fn != NULL && fr->host != NULL &&
		    (fr->revision || !ingest_url_known(in->st, fr->story->url));
		if (pc->page)
			x->c->waiting++;
		fr->story = NULL;
		fr->host = fr->json = NULL;
	}
	return 0;
}

/*
 * A part of the documents' transaction (begun if need be), undone alone
 * when it fails.  0, or -1 (state_errmsg()).
 */
static int
ingest_part_begin(struct ingest *in)
{
	/* Stories want a flushed commit: what was held goes alone first. */
	if (ingest_end_lazy(in) == -1)
		return -1;
	if (!in->open) {
		if (state_begin(in->st) == -1)
			return -1;
		in->open = 1;
	}
	return state_part_begin(in->st);
}

/*
 * The document's items, oldest first (feeds list the newest first, and the
 * spool's time-sorted names follow the feed's own order; each story gets
 * its own millisecond), stored pending in one transaction (the titles
 * were learned by the plan).
 */
static int
ingest_store(struct ingest_doc *x, const struct feed_doc *doc)
{
	struct state	*st = x->in->st;
	size_t		 i;
	int		 rc = 0;

	/* One document's rows, undone alone when it fails. */
	if (ingest_part_begin(x->in) == -1)
		goto state_error;
	for (i = doc->nitems; i > 0 && rc == 0; i--)
		rc = ingest_item(x, &doc->items[i - 1],
		    x->prep->items != NULL ? &x->prep->items[i - 1] : NULL);
	if (rc == -1) {
		(void)state_part_end(st, 0);
		return -2;
	}
	if (state_part_end(st, 1) == -1)
		goto state_error;
	return 0;
state_error:
	ingest_seterr(x->err, x->errlen, "state", state_errmsg(st));
	return -2;
}

/* The feed's pace, from when its items say they came out. */
static int64_t
ingest_cadence(const struct feed_doc *doc, int64_t now)
{
	int64_t		*dates, t, c;
	size_t		 i, n = doc->nitems > 200 ? 200 : doc->nitems;

	if (n == 0 || (dates = calloc(n, sizeof(*dates))) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		t = doc->items[i].published;
		if (t == FEED_NODATE)
			t = doc->items[i].updated;
		dates[i] = t == FEED_NODATE ? 0 : t;
	}
	c = nextpoll_cadence(dates, (unsigned)n, now);
	free(dates);
	return c;
}

struct ingest_prep *
ingest_prep_new(const struct ingest_feed *f, const char *body, size_t len,
    const char *base, const char *charset, int64_t now_ms)
{
	struct ingest_prep	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->body = body;
	p->len = len;
	p->now_ms = now_ms;
	if ((p->name = strdup(f->name)) == NULL ||
	    (p->url = strdup(f->url)) == NULL ||
	    (base != NULL && (p->base = strdup(base)) == NULL) ||
	    (charset != NULL && (p->charset = strdup(charset)) == NULL)) {
		ingest_prep_free(p);
		return NULL;
	}
	return p;
}

void
ingest_prep_free(struct ingest_prep *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; p->items != NULL && i < p->doc->nitems; i++) {
		ingest_unwrite(p->sp, p->items[i].name, &p->items[i].in_tmp);
		free(p->items[i].key);
		free(p->items[i].host);
		free(p->items[i].tag);
		story_free(p->items[i].story);
		free(p->items[i].json);
		candidate_free(p->items[i].cand);
	}
	free(p->items);
	for (i = 0; i < p->nhints; i++)
		hints_clear(&p->hints[i]);
	free(p->hints);
	feed_free(p->doc);
	free(p->name);
	free(p->url);
	free(p->base);
	free(p->charset);
	free(p);
}

void
ingest_prep_parse(struct ingest_prep *p)
{
	const struct feed_item	*it;
	size_t			 i;

	if (feed_parse(p->body, p->len, p->base, p->charset, &p->doc, p->err,
	    sizeof(p->err)) == -1) {
		p->doc = NULL;
		return;
	}
	/* Without them the store works the keys out itself. */
	if (p->doc->nitems == 0 ||
	    (p->items = calloc(p->doc->nitems, sizeof(*p->items))) == NULL)
		return;
	/* What the plan and the store would work out on the loop. */
	for (i = 0; i < p->doc->nitems; i++) {
		it = &p->doc->items[i];
		p->items[i].key = story_key(it);
		p->items[i].host = ingest_host(it->link);
		if (it->title != NULL && p->items[i].host != NULL)
			p->items[i].tag = boiler_title_tag(it->title);
	}
}

/* The index of the hints of host in p, loaded if need be, or -1. */
static int
prep_hints(struct state *st, struct ingest_prep *p, const char *host,
    size_t *at)
{
	struct hints	*nv;
	size_t		 i;

	for (i = 0; i < p->nhints; i++)
		if ((host == NULL) == (p->hints[i].host == NULL) &&
		    (host == NULL || strcmp(p->hints[i].host, host) == 0)) {
			*at = i;
			return 0;
		}
	if ((nv = reallocarray(p->hints, p->nhints + 1, sizeof(*nv))) == NULL)
		return -1;
	p->hints = nv;
	memset(&p->hints[p->nhints], 0, sizeof(*nv));
	if (hints_load(st, &p->hints[p->nhints], host, 0) == -1) {
		hints_clear(&p->hints[p->nhints]);
		return -1;
	}
	*at = p->nhints++;
	return 0;
}

/*
 * ingest_learn_titles() with the worker's keys, hosts and tags, in one
 * go; each item's status kept for the plan.  0, or -1 when the state
 * store failed.
 */
static int
prep_learn_titles(struct ingest *in, struct ingest_prep *p)
{
	struct state_title	*v;
	struct prep_item	*pi;
	int64_t			 now = p->now_ms / 1000;
	size_t			 i, n = 0;
	int			 rc = 0;

	/* Out of memory: one title at a time. */
	v = calloc(p->doc->nitems, sizeof(*v));
	for (i = 0; i < p->doc->nitems && rc == 0; i++) {
		pi = &p->items[i];
		if (pi->key == NULL)
			continue;
		if ((rc = state_item_status(in->st, p->name, pi->key,
		    &pi->status)) == -1 || pi->status != STATE_ITEM_NEW ||
		    pi->host == NULL || p->doc->items[i].title == NULL)
			continue;
		if (v == NULL)
			rc = state_title_seen(in->st, pi->host, pi->tag, now);
		else {
			v[n].host = pi->host;
			v[n].tag = pi->tag;
			n++;
		}
	}
	if (rc == 0 && v != NULL)
		rc = state_titles_seen(in->st, v, n, now);
	free(v);
	return rc;
}

/*
 * What the store will want built for pi: a new item's story, or with
 * updates = emit a changed item's revision (ingest_revision()'s test).
 * 0, or -1 when the state store failed.
 */
static int
prep_plan_item(struct ingest *in, const struct ingest_feed *f,
    struct ingest_prep *p, size_t i)
{
	struct prep_item	*pi = &p->items[i];
	const struct feed_item	*it = &p->doc->items[i];
	struct state_item_rev	 rev;
	enum state_item_status	 status;
	int			 rc;

	if (pi->key == NULL)
		return 0;
	if ((status = pi->status) == STATE_ITEM_NEW)
		pi->revision = 1;
	else if (!f->updates_emit)
		return 0;
	else if ((rc = state_item_hash(in->st, p->name, pi->key,
	    &rev)) == -1)
		return -1;
	else if (rc != 1 || !rev.delivered || rev.text_hash == 0 ||
	    rev.text_hash == story_content_hash(it))
		return 0;
	else {
		pi->revision = rev.revision + 1;
		memcpy(pi->supersedes, rev.id, sizeof(pi->supersedes));
	}
	if (prep_hints(in->st, p, pi->host, &pi->hints) == -1 ||
	    state_new_id(pi->id) == -1)
		return -1;
	pi->build = 1;
	p->nbuild++;
	return 0;
}

int
ingest_prep_plan(struct ingest *in, const struct ingest_feed *f,
    struct ingest_prep *p, struct ingest_counts *c, char *err, size_t errlen)
{
	struct feed_doc	*doc = p->doc;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	if (doc == NULL) {
		(void)snprintf(err, errlen, "%s", p->err);
		return -1;
	}
	c->items = doc->nitems;
	c->version = doc->version;
	c->recovered = doc->recovered;
	if ((c->entities_dropped = doc->entities_dropped) > 0) {
		/* doc->entity fits: both are FEED_ENTITY_NAME_MAX long */
		(void)snprintf(c->entity, sizeof(c->entity), "%s",
		    doc->entity != NULL ? doc->entity : "");
		c->entity_why = doc->entity_why != NULL ?
		    doc->entity_why : "?";
	}
	c->attrs_dropped = doc->attrs_dropped;
	c->schedule = doc->schedule;
	c->cadence = ingest_cadence(doc, p->now_ms / 1000);
	p->final = f->page_fn == NULL;
	/*
	 * A final story's file can be written by the worker that builds it,
	 * off the loop: the flush then only takes it into its batch.  Not
	 * before the start-up's leftovers are gone from tmp/ (they would
	 * take it along), nor while the spool fails (the stories wait in
	 * their rows then).
	 */
	p->sp = p->final && in->tmp_clean && !in->health.failing ?
	    in->sp : NULL;
	p->sf.name = p->name;
	p->sf.url = p->url;
	p->sf.title = doc->title;
	p->sf.language = doc->language;
	/* Titles first: the stories are built with what they teach. */
	if (ingest_part_begin(in) == -1)
		goto state_error;
	if ((p->items != NULL ? prep_learn_titles(in, p) :
	    ingest_learn_titles(in->st, p->name, doc,
	    p->now_ms / 1000)) == -1) {
		(void)state_part_end(in->st, 0);
		goto state_error;
	}
	if (state_part_end(in->st, 1) == -1)
		goto state_error;
	for (i = 0; p->items != NULL && i < doc->nitems; i++)
		if (prep_plan_item(in, f, p, i) == -1)
			goto state_error;
	return p->nbuild > 0;
state_error:
	ingest_seterr(err, errlen, "state", state_errmsg(in->st));
	return -2;
}

void
ingest_prep_build(struct ingest_prep *p)
{
	struct prep_item	*pi;
	size_t			 i, k = 0;

	/* From the last item, as the store goes (oldest first, mostly). */
	for (i = p->doc != NULL ? p->doc->nitems : 0;
	    p->items != NULL && i > 0; i--) {
		pi = &p->items[i - 1];
		if (!pi->build)
			continue;
		k++;
		/* Left NULL when out of memory: the store tries again. */
		pi->story = story_from_item(pi->id, &p->sf,
		    &p->doc->items[i - 1],
		    p->now_ms / 1000, &p->hints[pi->hints].h, pi->revision,
		    pi->supersedes[0] != '\0' ? pi->supersedes : NULL);
		if (pi->story != NULL &&
		    (pi->json = story_dump(pi->story, &pi->len)) == NULL) {
			story_free(pi->story);
			pi->story = NULL;
		}
		/* NULL when out of memory: the delivery makes one itself. */
		if (pi->story != NULL && p->final)
			pi->cand = candidate_new(pi->story);
		/* Named as the store would: a millisecond apart, in order. */
		if (pi->story != NULL && p->sp != NULL &&
		    spool_name(pi->name, sizeof(pi->name), p->now_ms +
		    (int64_t)k - 1, pi->id) == 0 &&
		    spool_tmp_write(p->sp, pi->name, pi->json, pi->len) == 0)
			pi->in_tmp = 1;
	}
}

/*
 * No room in the outbox for x's stories: they wait in their rows, with
 * their JSON (stored without it, they would have no file to stand for
 * them), and deliveries fail until ingest_pending() has delivered them.
 * Returns -2 (err set).
 */
static int
ingest_doc_wait(struct ingest_doc *x)
{
	size_t	 i;

	for (i = 0; i < x->n; i++)
		if (state_item_story(x->in->st, x->v[i].story->id,
		    x->v[i].json) == -1) {
			ingest_seterr(x->err, x->errlen, "state",
			    state_errmsg(x->in->st));
			return -2;
		}
	ingest_seterr(x->err, x->errlen, "ingest", "out of memory");
	ingest_failed(x->in, x->err, 0);
	return -2;
}

int
ingest_prep_store(struct ingest *in, const struct ingest_feed *f,
    struct ingest_prep *p, struct ingest_counts *c, char *err, size_t errlen)
{
	struct ingest_doc	 x;
	int			 rc;

	if (errlen > 0)
		err[0] = '\0';
	memset(&x, 0, sizeof(x));
	x.in = in;
	x.f = f;
	x.sf = p->sf;
	x.now_ms = p->now_ms;
	x.c = c;
	x.err = err;
	x.errlen = errlen;
	x.prep = p;
	if ((rc = ingest_store(&x, p->doc)) == 0 && ingest_go(&x) == -1)
		rc = ingest_doc_wait(&x);
	ingest_doc_clear(&x);
	return rc;
}

int
ingest_document(struct ingest *in, const struct ingest_feed *f,
    const char *body, size_t len, const char *base, const char *charset,
    int64_t now_ms, struct ingest_counts *c, char *err, size_t errlen)
{
	struct ingest_prep	*p;
	int			 rc;

	memset(c, 0, sizeof(*c));
	if (errlen > 0)
		err[0] = '\0';
	if ((p = ingest_prep_new(f, body, len, base, charset,
	    now_ms)) == NULL) {
		ingest_seterr(err, errlen, "ingest", "out of memory");
		return -2;
	}
	ingest_prep_parse(p);
	if ((rc = ingest_prep_plan(in, f, p, c, err, errlen)) >= 0) {
		if (rc > 0)
			ingest_prep_build(p);
		rc = ingest_prep_store(in, f, p, c, err, errlen);
	}
	ingest_prep_free(p);
	return rc;
}
/* Tell who asked what became of each story of a delivered batch. */
static void
ingest_tell(struct ingest *in, const struct delivery *v, size_t n)
{
	size_t	 i;

	for (i = 0; in->fate_fn != NULL && i < n; i++)
		in->fate_fn(in->fate_arg, v[i].story, v[i].fate, v[i].why);
}

/*
 * The spool failed before the rows of v[0..n-1] were committed without
 * their JSON: they get it, to wait (ingest_pending() delivers them).
 * Returns 0 with the documents' transaction committed, or -3 with it
 * rolled back (the documents are read again at their feeds' next poll).
 */
static int
ingest_fresh_wait(struct ingest *in, const struct delivery *v, size_t n)
{
	char	*json;
	size_t	 i, len;
	int	 rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (v[i].row_json != NULL) {
			rc = state_item_story(in->st, v[i].story->id,
			    v[i].row_json);
			continue;
		}
		if ((json = story_dump(v[i].story, &len)) == NULL) {
			rc = -1;
			break;
		}
		rc = state_item_story(in->st, v[i].story->id, json);
		free(json);
	}
	if (rc == 0 && (state_feeds_release(in->st) == -1 ||
	    state_commit(in->st) == -1))
		rc = -1;
	if (rc != 0)
		state_rollback(in->st);
	in->open = 0;
	return rc == 0 ? 0 : -3;
}

/*
 * The published stories of v marked delivered.  When the store fails here
 * they are in new/ all the same; their rows, pending without JSON, are
 * set right by the next ingest_pending().  For the same reason the commit
 * is not flushed (new/ was, with the files in it): a power cut that takes
 * it leaves those rows, which the next start sets right, and the next
 * flushed commit takes it along.
 */
static int
ingest_mark_delivered(struct ingest *in, const struct delivery *v,
    size_t n)
{
	size_t	 i;
	int	 rc;

	if (state_begin_lazy(in->st) == -1)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++)
		if (!INGEST_FATE_DROPPED(v[i].fate))
			rc = state_item_delivered(in->st, v[i].story->id);
	if (rc == 0)
		rc = state_feeds_release(in->st);
	if (rc != 0) {
		state_rollback_lazy(in->st);
		return -1;
	}
	return state_commit_lazy(in->st);
}

/*
 * Deliver v[0..n-1], new stories whose rows have no JSON, in the
 * documents' open transaction: judged, written to tmp/ and made durable
 * there, and only then the rows and decisions committed, so that a story
 * is never written twice (row and file) and never lost: until it is
 * renamed into new/, its file in tmp/ is the story (ingest_pending()
 * moves it after a crash).  When the spool fails before the commit, the
 * decisions are undone and the rows get their JSON, to wait.  Returns 0;
 * -2 with err set when the spool failed (they wait, deliveries are
 * failing from now on); -3 when the state store failed and nothing of the
 * transaction holds (their feeds are read again).
 */
static int
ingest_deliver_fresh(struct ingest *in, struct delivery *v, size_t n,
    char *err, size_t errlen)
{
	struct spool_batch	*b;
	const char		*name;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 i;
	int			 rc = 0, error = 0;

	if ((b = spool_batch_new(in->sp)) == NULL) {
		ingest_seterr(err, errlen, "spool", "out of memory");
		rc = -2;
	} else if (state_part_begin(in->st) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		rc = -2;
	}
	for (i = 0; i < n && rc == 0; i++) {
		v[i].later = 1;
		if ((rc = ingest_decide(in, b, &v[i], now, err,
		    errlen)) == -1) {
			ingest_seterr(err, errlen, "state",
			    state_errmsg(in->st));
			rc = -2;
		}
	}
	if (rc == 0 && spool_batch_sync(b, err, errlen) == -1)
		rc = -2;
	if (rc != 0) {
		if (b != NULL) {
			error = spool_batch_failure(b, &name);
			ingest_blame(b, v, n, err, errlen);
			(void)state_part_end(in->st, 0);
		}
		spool_batch_free(b);
		if (ingest_fresh_wait(in, v, n) == -3)
			return -3;
		ingest_failed(in, err, error);
		return -2;
	}
	if (state_part_end(in->st, 1) == -1 ||
	    state_feeds_release(in->st) == -1 || state_commit(in->st) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		state_rollback(in->st);
		in->open = 0;
		spool_batch_free(b);
		return -3;
	}
	in->open = 0;
	/* Committed without their JSON: the files are the stories now. */
	spool_batch_keep(b);
	if (spool_batch_publish(b, err, errlen) == -1) {
		error = spool_batch_failure(b, &name);
		ingest_blame(b, v, n, err, errlen);
		spool_batch_free(b);
		ingest_failed(in, err, error);
		return -2;
	}
	spool_batch_free(b);
	/* Else ingest_pending() adopts them, and tells of them then. */
	if (ingest_mark_delivered(in, v, n) == 0)
		ingest_spooled(in, v, n);
	return 0;
}

/*
 * Which stories of the outbox wait (for their page, or for the page of
 * their link, which another story went for): their rows get their JSON,
 * in the documents' transaction.  The others go in v; *n of them.
 */
static int
ingest_sort_out(struct ingest *in, struct delivery *v, size_t *n)
{
	struct parcel	*pc;
	size_t		 i;

	*n = 0;
	for (i = 0; i < in->nout; i++) {
		pc = &in->out[i];
		if (pc->story->supersedes != NULL)
			pc->key = 0;
		else if (pc->cand != NULL)
			pc->key = pc->cand->canon != NULL ?
			    canon_key(pc->cand->canon) : 0;
		else
			pc->key = url_key(pc->story->url);
		pc->waits = url_away(in, pc->key) || (pc->page &&
		    pc->page_fn != NULL && pc->host != NULL &&
		    pc->story->url != NULL);
		if (pc->waits) {
			/* Its row is the story while it waits. */
			ingest_unwrite(in->sp, pc->name, &pc->in_tmp);
			if (pc->json != NULL && state_item_story(in->st,
			    pc->story->id, pc->json) == -1)
				return -1;
			continue;
		}
		v[*n].story = pc->story;
		v[*n].name = pc->name;
		v[*n].json = pc->json;
		v[*n].row_json = pc->json;
		v[*n].len = pc->len;
		v[*n].dup_mark = pc->dup_mark;
		v[*n].cand = pc->cand;
		v[*n].in_tmp = &pc->in_tmp;
		v[*n].check = 1;
		(*n)++;
	}
	return 0;
}

/*
 * The stories that wait, once their rows are in: parked for the page of
 * their link, or handed over for their own.  Those that cannot be (out of
 * memory, a page refused) are delivered now, from their rows' JSON.
 */
static int
ingest_send_out(struct ingest *in, struct delivery *late, char *err,
    size_t errlen)
{
	struct parcel	*pc;
	size_t		 i, n = 0;
	int		 rc = 0;

	for (i = 0; i < in->nout; i++) {
		pc = &in->out[i];
		if (!pc->waits)
			continue;
		if (url_away(in, pc->key) && ingest_park(in, pc, pc->key) == 0)
			continue;
		if (pc->page && ingest_hand_over(in, pc->page_fn, pc->page_arg,
		    pc->dup_mark, pc->name, pc->host, &pc->story))
			continue;
		late[n].story = pc->story;
		late[n].name = pc->name;
		late[n].json = pc->json;
		late[n].len = pc->len;
		late[n].dup_mark = pc->dup_mark;
		late[n].check = 1;
		n++;
	}
	if (n == 0)
		return 0;
	if (in->health.failing)
		in->health.waiting += n;
	else if ((rc = ingest_deliver(in, late, n, err, errlen)) == 0)
		ingest_tell(in, late, n);
	return rc;
}

int
ingest_flush(struct ingest *in, char *err, size_t errlen)
{
	struct delivery	*v = NULL, *late = NULL;
	size_t		 n = 0;
	int		 rc = 0;

	if (!in->open && in->nreleased == 0)
		return 0;
	/* Feed state alone (304s): no flush of its own, as state_feed_save. */
	if (ingest_end_lazy(in) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		return -2;
	}
	if (!in->open && in->nreleased == 0)
		return 0;
	/* Out of memory: they wait in their rows for the next start. */
	(void)ingest_take_released(in);
	if (!in->open) {
		if (state_begin(in->st) == -1) {
			ingest_seterr(err, errlen, "state",
			    state_errmsg(in->st));
			parcels_clear(in);
			return -2;
		}
		in->open = 1;
	}
	if (in->nout > 0 && ((v = calloc(in->nout, sizeof(*v))) == NULL ||
	    (late = calloc(in->nout, sizeof(*late))) == NULL)) {
		ingest_seterr(err, errlen, "ingest", "out of memory");
		rc = -3;
	} else if (ingest_sort_out(in, v, &n) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		rc = -3;
	}
	if (rc == -3) {
		state_rollback(in->st);
		in->open = 0;
	} else if (in->health.failing || n == 0) {
		/* While deliveries fail, the stories wait in their rows. */
		if ((rc = ingest_fresh_wait(in, v, n)) == -3)
			ingest_seterr(err, errlen, "state",
			    state_errmsg(in->st));
		else
			in->health.waiting += in->health.failing ? n : 0;
	} else if ((rc = ingest_deliver_fresh(in, v, n, err, errlen)) == 0)
		ingest_tell(in, v, n);
	/* Rows and all undone: their feeds are read again. */
	if (rc != -3 && ingest_send_out(in, late, err, errlen) == -2)
		rc = -2;
	free(v);
	free(late);
	parcels_clear(in);
	return rc == 0 ? 0 : -2;
}

int
ingest_hold(struct ingest *in)
{
	if (in->open)
		return 0;
	if (state_begin_lazy(in->st) == -1)
		return -1;
	in->open = 1;
	in->lazy = 1;
	return 0;
}

/* The feed state held (ingest_hold) committed, not flushed. */
static int
ingest_end_lazy(struct ingest *in)
{
	if (!in->open || !in->lazy)
		return 0;
	in->open = in->lazy = 0;
	if (state_feeds_release(in->st) == -1) {
		state_rollback_lazy(in->st);
		return -1;
	}
	return state_commit_lazy(in->st);
}

int
ingest_unflushed(const struct ingest *in, size_t *stories, size_t *bytes)
{
	size_t	 i, sum = 0;

	for (i = 0; i < in->nout; i++)
		sum += in->out[i].len;
	*stories = in->nout + in->nreleased;
	*bytes = sum;
	return in->open || in->nreleased > 0;
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

static int64_t
ingest_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The hints of host (lines included) as the state store had them at most
 * INGEST_HINTS_AGE_MS ago: the cache's, valid until the next call; NULL
 * when the store failed.
 */
static const struct hints *
ingest_hints(struct ingest *in, const char *host)
{
	static const struct hints	 none;
	int64_t				 now = ingest_mono_ms();
	size_t				 i, oldest = 0;

	/* A link without a host has nothing learned for it. */
	if (host == NULL)
		return &none;
	for (i = 0; i < INGEST_HINTS_CACHED; i++) {
		if (in->hcache[i].host != NULL &&
		    strcmp(in->hcache[i].host, host) == 0)
			break;
		if (in->hcache_at[i] < in->hcache_at[oldest])
			oldest = i;
	}
	if (i < INGEST_HINTS_CACHED &&
	    now - in->hcache_at[i] < INGEST_HINTS_AGE_MS)
		return &in->hcache[i];
	if (i == INGEST_HINTS_CACHED)
		i = oldest;
	hints_clear(&in->hcache[i]);
	in->hcache_at[i] = 0;
	if (hints_load(in->st, &in->hcache[i], host, 1) == -1) {
		hints_clear(&in->hcache[i]);
		return NULL;
	}
	in->hcache_at[i] = now;
	return &in->hcache[i];
}

/* A page merged into its story on a worker (ingest.h). */
struct ingest_page_work {
	struct ingest_page	*p;		/* its story is the worker's */
	const char		*html;		/* the caller's */
	size_t			 len;
	char			*url;		/* after redirects */
	char			*charset;
	struct hints		 hints;		/* a copy: the cache moves on */
	int			 ran;
	struct extract		*ex;		/* or NULL: unreadable */
	int			 used;
	struct candidate	*cand;		/* the story's, merged */
};

struct ingest_page_work *
ingest_page_work_new(struct ingest *in, struct ingest_page *p,
    const char *html, size_t len, const char *final_url, const char *charset)
{
	struct ingest_page_work	*w;
	const struct hints	*h;

	if (p->host == NULL || (h = ingest_hints(in, p->host)) == NULL ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->p = p;
	w->html = html;
	w->len = len;
	if ((w->url = strdup(final_url != NULL ? final_url : p->url)) == NULL ||
	    (charset != NULL && (w->charset = strdup(charset)) == NULL) ||
	    hints_copy(&w->hints, h) == -1) {
		ingest_page_work_free(w);
		return NULL;
	}
	return w;
}

void
ingest_page_work_run(struct ingest_page_work *w)
{
	char	 xerr[256];

	w->ran = 1;
	if (extract_page_charset(w->html, w->len, w->url, w->charset, &w->ex,
	    xerr, sizeof(xerr)) == -1) {
		w->ex = NULL;
		return;
	}
	/* Out of memory leaves the feed's story: still deliverable. */
	(void)story_add_page(w->p->story, w->ex, &w->hints.h, &w->used);
	/* NULL when out of memory: the delivery makes one itself. */
	w->cand = candidate_new(w->p->story);
}

void
ingest_page_work_free(struct ingest_page_work *w)
{
	if (w == NULL)
		return;
	free(w->url);
	free(w->charset);
	hints_clear(&w->hints);
	extract_free(w->ex);
	candidate_free(w->cand);
	free(w);
}

/*
 * Complete the story of p with its page, when one came and reads: merged
 * by a worker already (r->work), or here; the page's lines learned.
 */
static int
ingest_merge_page(struct ingest *in, struct ingest_page *p,
    struct ingest_page_result *r, char *err, size_t errlen)
{
	const struct hints	*hints = NULL;
	struct extract		*ex = NULL;
	const struct extract	*text;
	char			 xerr[256];
	int			 rc = 0;

	r->used = 0;
	if (r->work != NULL && r->work->ran) {
		if ((text = r->work->ex) == NULL)
			return 0;
		r->used = r->work->used;
	} else if (r->html == NULL || extract_page_charset(r->html, r->len,
	    r->final_url != NULL ? r->final_url : p->url, r->charset, &ex,
	    xerr, sizeof(xerr)) == -1)
		return 0;
	else
		text = ex;
	if ((ex != NULL && (hints = ingest_hints(in, p->host)) == NULL) ||
	    ingest_learn_lines(in->st, p->host, text->text,
	    (int64_t)time(NULL)) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		rc = -2;
	} else if (ex != NULL)
		/* Out of memory leaves the feed's story: still deliverable. */
		(void)story_add_page(p->story, ex, &hints->h, &r->used);
	extract_free(ex);
	return rc;
}

/*
 * The stories of pages that cannot be delivered now replace their pending
 * rows, page and all, and the rows say their page was tried, so that no
 * page is fetched twice (a page that failed or did not win keeps the
 * feed's story); in a transaction of their own (the caller's was rolled
 * back).  A row that cannot be written keeps the feed's story: its page
 * is fetched again.
 */
static void
ingest_keep_pages(struct ingest *in, struct ingest_page *const *pv,
    struct ingest_page_result *r, size_t n)
{
	char	*json;
	size_t	 i, len;
	int	 rc;

	for (i = 0; i < n; i++)
		r[i].fate = INGEST_KEPT;
	if (state_begin(in->st) == -1)
		return;
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		if (r[i].deferred)
			continue;
		json = NULL;
		story_unmark(pv[i]->story);
		if (r[i].used &&
		    (json = story_dump(pv[i]->story, &len)) == NULL)
			continue;
		rc = state_item_restory(in->st, pv[i]->id, json);
		free(json);
	}
	if (rc == -1 || state_commit(in->st) == -1)
		state_rollback(in->st);
}

int
ingest_pages_done(struct ingest *in, struct ingest_page *const *pv,
    struct ingest_page_result *r, size_t n, char *err, size_t errlen)
{
	struct delivery	*v;
	size_t		 i;
	int		 rc = 0;

	if (n == 0)
		return 0;
	/* A transaction of their own, after the documents' one. */
	if (ingest_flush(in, err, errlen) == -2)
		return -2;
	if ((v = calloc(n, sizeof(*v))) == NULL) {
		ingest_seterr(err, errlen, "ingest", "out of memory");
		return -2;
	}
	/* The lines learned from the pages go in with their stories. */
	if (state_begin(in->st) == -1) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		free(v);
		return -2;
	}
	for (i = 0; i < n && rc == 0; i++) {
		rc = ingest_merge_page(in, pv[i], &r[i], err, errlen);
		v[i].story = pv[i]->story;
		v[i].cand = r[i].work != NULL && r[i].work->ran ?
		    r[i].work->cand : NULL;
		v[i].name = pv[i]->name;
		v[i].dup_mark = pv[i]->dup_mark;
		v[i].check = 1;
	}
	if (rc == 0 && in->health.failing) {
		/* What was learned stays; the stories wait, with their page. */
		if (state_commit(in->st) == -1)
			state_rollback(in->st);
		rc = 1;
	} else if (rc == 0 &&
	    (rc = ingest_deliver_begun(in, v, n, err, errlen)) == -2)
		rc = 1;
	else if (rc != 0)
		state_rollback(in->st);
	if (rc == 1)
		ingest_keep_pages(in, pv, r, n);
	for (i = 0; rc == 0 && i < n; i++) {
		r[i].fate = v[i].fate;
		r[i].why = v[i].why;
	}
	free(v);
	return rc;
}

/* Pending stories, copied out of the state store's walk. */
struct pending {
	char		 id[STATE_ID_LEN + 1];
	char		*name;
	char		*json;
	int		 page_done;
	struct story	*story;		/* read back, or NULL */
};

struct pending_list {
	struct pending	*v;
	size_t		 n, cap;
	int		 oom;		/* the walk stopped short */
};

static int
ingest_collect(void *arg, const struct state_pending_row *row)
{
	struct pending_list	*l = arg;
	struct pending		*p;
	void			*nv;
	size_t			 cap;

	if (strlen(row->id) > STATE_ID_LEN)
		return 0;	/* not one of ours: left alone */
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((nv = reallocarray(l->v, cap, sizeof(*l->v))) == NULL)
			goto oom;
		l->v = nv;
		l->cap = cap;
	}
	p = &l->v[l->n];
	memset(p, 0, sizeof(*p));
	memcpy(p->id, row->id, strlen(row->id) + 1);
	p->page_done = row->page_done;
	p->name = strdup(row->spool_name);
	p->json = row->json != NULL ? strdup(row->json) : NULL;
	if (p->name == NULL || (row->json != NULL && p->json == NULL)) {
		free(p->name);
		free(p->json);
		goto oom;
	}
	l->n++;
	return 0;
 oom:
	l->oom = 1;
	return -1;
}

static void
pending_clear(struct pending_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].json);
		story_free(l->v[i].story);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * A pending story from the feed alone whose page can still be fetched is
 * handed to r->page_fn: 1 when it took it, -1 when it refused; 0 for a
 * story that has no page to fetch.
 */
static int
ingest_requeue(struct ingest *in, struct pending *pd,
    const struct ingest_resume *r)
{
	struct story	*s = pd->story;
	char		*host;
	int		 taken;

	if (r == NULL || r->page_fn == NULL || s == NULL || pd->page_done ||
	    s->source != STORY_FROM_FEED || s->url == NULL ||
	    s->feed_name == NULL)
		return 0;
	/* As ingest_go() decides: a known link needs no page, but a revision. */
	if (s->revision <= 1 && ingest_url_known(in->st, s->url))
		return 0;
	host = ingest_host(s->url);
	/* A duplicate's mark is decided again when its page is in. */
	taken = ingest_hand_over(in, r->page_fn, r->arg, 0, pd->name, host,
	    &pd->story);
	free(host);
	return taken ? 1 : -1;
}

/*
 * Deliver what ingest_pending() gathered, in batches: a spool that has
 * some room again takes what fits, and a batch that does not fit is
 * halved, down to one story, before the spool counts as failing still.
 * With nothing to deliver while deliveries fail, a probe of the spool
 * tells whether they still do.  Success ends the failure.  *done counts
 * the stories delivered (and told of) either way.
 */
static int
ingest_recover(struct ingest *in, struct delivery *v, size_t n,
    size_t *done, char *err, size_t errlen)
{
	size_t	 at = 0, chunk = INGEST_RETRY_BATCH, k;

	*done = 0;
	if (n == 0 && in->health.failing &&
	    spool_probe(in->sp, err, errlen) == -1) {
		ingest_failed(in, err, errno);
		return -1;
	}
	while (at < n) {
		k = n - at < chunk ? n - at : chunk;
		if (ingest_deliver(in, v + at, k, err, errlen) == -2) {
			if (chunk == 1)
				return -1;
			chunk /= 2;
			continue;
		}
		ingest_tell(in, v + at, k);
		at += k;
		*done = at;
	}
	memset(&in->health, 0, sizeof(in->health));
	return 0;
}

/* A story read back whose link is out for another's page waits for it. */
static int
ingest_park_pending(struct ingest *in, struct pending *pd,
    const struct ingest_resume *r)
{
	struct parcel	 pc;
	struct story	*s = pd->story;
	uint64_t	 key;

	if (s == NULL || s->supersedes != NULL ||
	    !url_away(in, key = url_key(s->url)) ||
	    strlen(pd->name) >= sizeof(pc.name))
		return -1;
	memset(&pc, 0, sizeof(pc));
	pc.story = s;
	memcpy(pc.name, pd->name, strlen(pd->name) + 1);
	pc.json = pd->json;
	pc.len = strlen(pd->json);
	pc.dup_mark = r != NULL && r->dup_mark_fn != NULL &&
	    s->feed_name != NULL && r->dup_mark_fn(r->arg, s->feed_name);
	if (ingest_park(in, &pc, key) == -1)
		return -1;
	pd->story = NULL;
	pd->json = NULL;
	return 0;
}

/*
 * Read back (the one place a story file is parsed) to be judged like any
 * other; one that does not read is spooled as it was stored.
 */
static void
ingest_readback(struct pending *pd, struct delivery *d, struct story *stub,
    const struct ingest_resume *r)
{
	struct story	*s = pd->story;

	d->name = pd->name;
	d->json = pd->json;
	d->len = strlen(pd->json);
	if (s == NULL) {
		memcpy(stub->id, pd->id, sizeof(stub->id));
		d->story = stub;
		return;
	}
	d->story = s;
	d->check = 1;
	d->dup_mark = r != NULL && r->dup_mark_fn != NULL &&
	    s->feed_name != NULL && r->dup_mark_fn(r->arg, s->feed_name);
}

/*
 * Rows without JSON: their files were durable in tmp/ when the rows were
 * committed (ingest_deliver_fresh()), and are in new/ now, or still in
 * tmp/ after a crash or a failure before their rename: moved into new/,
 * the rows marked delivered.  Once they are all in (the last page of the
 * walk), whatever is left in tmp/ at start-up is removed.  Returns how
 * many, or -1 with err set.
 */
static int
ingest_adopt(struct ingest *in, const struct pending_list *l, int last,
    char *err, size_t errlen)
{
	size_t	 i, n = 0;
	int	 rc;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].json != NULL)
			continue;
		if (spool_adopt(in->sp, l->v[i].name, err, errlen) == -1) {
			ingest_failed(in, err, errno);
			return -1;
		}
		n++;
	}
	if (n > 0 && spool_sync_new(in->sp, err, errlen) == -1) {
		ingest_failed(in, err, errno);
		return -1;
	}
	if (last && !in->tmp_clean) {
		if (spool_clean_tmp(in->sp, err, errlen) == -1)
			return -1;
		in->tmp_clean = 1;
	}
	if (n == 0)
		return 0;
	rc = state_begin(in->st);
	for (i = 0; i < l->n && rc == 0; i++)
		if (l->v[i].json == NULL)
			rc = state_item_delivered(in->st, l->v[i].id);
	if (rc == 0 && (state_feeds_release(in->st) == -1 ||
	    state_commit(in->st) == -1))
		rc = -1;
	if (rc != 0) {
		ingest_seterr(err, errlen, "state", state_errmsg(in->st));
		state_rollback(in->st);
		return -1;
	}
	for (i = 0; in->spooled_fn != NULL && i < l->n; i++)
		if (l->v[i].json == NULL)
			in->spooled_fn(in->spooled_arg, l->v[i].id, NULL,
			    l->v[i].name);
	return (int)n;
}

/*
 * One page of the pending stories: those whose files are the story
 * adopted, the others read back and delivered, or handed on to wait for
 * their page.  Returns how many went into the spool, or -1.
 */
static int
ingest_pending_page(struct ingest *in, struct pending_list *l, int last,
    const struct ingest_resume *r, size_t *queued, size_t *deferred,
    char *err, size_t errlen)
{
	struct delivery	*v = NULL;
	struct story	*stubs = NULL;
	struct pending	*pd;
	size_t		 i, n = 0, done;
	int		 rc = -1, taken, adopted;

	if ((adopted = ingest_adopt(in, l, last, err, errlen)) == -1)
		return -1;
	if (l->n > 0 && ((v = calloc(l->n, sizeof(*v))) == NULL ||
	    (stubs = calloc(l->n, sizeof(*stubs))) == NULL)) {
		ingest_seterr(err, errlen, "ingest", "out of memory");
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		pd = &l->v[i];
		if (pd->json == NULL || idset_has(&in->away, pd->id))
			continue;
		pd->story = story_load(pd->json);
		if (pd->story != NULL && strcmp(pd->story->id, pd->id) != 0) {
			story_free(pd->story);
			pd->story = NULL;
		}
		if (ingest_park_pending(in, pd, r) == 0)
			continue;
		if ((taken = ingest_requeue(in, pd, r)) == 1) {
			if (queued != NULL)
				(*queued)++;
			continue;
		}
		/* Refused while deliveries fail: it waits for its page. */
		if (taken == -1 && in->health.failing) {
			(*deferred)++;
			continue;
		}
		ingest_readback(pd, &v[n], &stubs[n], r);
		n++;
	}
	if (ingest_recover(in, v, n, &done, err, errlen) == 0)
		rc = (int)done + adopted;
out:
	free(v);
	free(stubs);
	return rc;
}

/*
 * In pages of INGEST_PENDING_PAGE, so that a spool full for hours, with
 * a hundred thousand stories waiting, costs one page of memory and one
 * page's attempt at each retry, not all of them read back each time.
 */
int
ingest_pending(struct ingest *in, const struct ingest_resume *r,
    size_t *queued, char *err, size_t errlen)
{
	struct pending_list	 l = { NULL, 0, 0, 0 };
	struct state_mark	 at = STATE_MARK_FIRST;
	size_t			 deferred = 0, requeued;
	int			 rc = 0, got, page, more;

	if (queued != NULL)
		*queued = 0;
	if (ingest_flush(in, err, errlen) == -2)
		return -1;
	do {
		/*
		 * Copy first, deliver after: SQLite wants no writes while
		 * the walk holds its statement open.
		 */
		got = state_pending_page(in->st, &at, INGEST_PENDING_PAGE,
		    ingest_collect, &l);
		if (got == -1 || l.oom) {
			ingest_seterr(err, errlen, got == -1 ? "state" :
			    "ingest", got == -1 ? state_errmsg(in->st) :
			    "out of memory");
			rc = -1;
			break;
		}
		page = ingest_pending_page(in, &l, got < INGEST_PENDING_PAGE,
		    r, queued, &deferred, err, errlen);
		pending_clear(&l);
		if (page == -1) {
			rc = -1;
			break;
		}
		rc += page;
	} while (got == INGEST_PENDING_PAGE);
	pending_clear(&l);
	/* Not failing now: those that waited get their page. */
	if (rc >= 0 && deferred > 0 && (more = ingest_pending(in, r,
	    &requeued, err, errlen)) >= 0) {
		rc += more;
		if (queued != NULL)
			*queued += requeued;
	}
	return rc;
}
