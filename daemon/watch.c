/*
 * watch: terms in a hash of their first words, patterns through PCRE2.
 *
 * Every term and pattern of every watch is one item, numbered in the
 * order of the config, so that sorting the items a story hit gives the
 * watches and their terms in that order too.  The hits of one match are
 * kept in scratch arrays sized once, in watch_ready(): a match allocates
 * nothing but the folded copies of the story's fields (and the word list,
 * which grows to the longest text seen and stays).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH	8
#include <pcre2.h>

#include "daemon/story.h"
#include "daemon/watch.h"
#include "parsers/words.h"

_Static_assert(WATCH_TITLE == STORY_WHERE_TITLE &&
    WATCH_TEXT == STORY_WHERE_TEXT &&
    WATCH_CATEGORIES == STORY_WHERE_CATEGORIES, "where bits differ");

/*
 * Caps on what one pattern may cost a story: a backtracking pattern gives
 * up (no match) rather than hold the loop.
 */
#define WATCH_MATCH_LIMIT	1000000
#define WATCH_DEPTH_LIMIT	10000

/* One word: of a term (in its folded copy) or of a story's field. */
struct wword {
	const char	*p;
	size_t		 len;
	uint64_t	 hash;
};

struct witem {
	size_t		 watch;
	char		*given;		/* as configured */
	int		 exclude;
	char		*folded;	/* a term's: its words point in here */
	struct wword	*words;
	size_t		 nwords;
	size_t		 next;		/* next term of its first word, + 1 */
	pcre2_code	*re;		/* a pattern's */
};

struct wwatch {
	char		*name;
	unsigned	 where;
	size_t		 size;		/* terms and patterns, not excludes */
};

/* The first words of the terms: open addressing, linear probing. */
struct wslot {
	uint64_t	 hash;
	size_t		 head;		/* first term with this word, + 1 */
};

struct watch {
	struct wwatch		*w;
	size_t			 nw;
	struct witem		*it;
	size_t			 nit, capit;
	size_t			 nterms;	/* items that are terms */
	size_t			*pats;		/* items that are patterns */
	size_t			 npats;
	struct wslot		*tab;
	size_t			 tabmask;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	/* scratch of one match */
	unsigned char		*hit;		/* per item: WATCH_* bits */
	size_t			*touched;	/* the items hit */
	size_t			 ntouched;
	unsigned char		*veto;		/* per watch */
	struct wword		*sw;		/* the words of a field */
	size_t			 capsw;
	struct watch_hit	*hits;
	const char		**terms;
};

struct watch *
watch_new(void)
{
	return calloc(1, sizeof(struct watch));
}

void
watch_free(struct watch *wt)
{
	size_t	 i;

	if (wt == NULL)
		return;
	for (i = 0; i < wt->nit; i++) {
		free(wt->it[i].given);
		free(wt->it[i].folded);
		free(wt->it[i].words);
		pcre2_code_free(wt->it[i].re);
	}
	for (i = 0; i < wt->nw; i++)
		free(wt->w[i].name);
	free(wt->w);
	free(wt->it);
	free(wt->pats);
	free(wt->tab);
	pcre2_match_data_free(wt->md);
	pcre2_match_context_free(wt->mctx);
	free(wt->hit);
	free(wt->touched);
	free(wt->veto);
	free(wt->sw);
	free(wt->hits);
	free(wt->terms);
	free(wt);
}

int
watch_begin(struct watch *wt, const char *name)
{
	struct wwatch	*nv;

	if (wt->nw == SIZE_MAX ||
	    (nv = reallocarray(wt->w, wt->nw + 1, sizeof(*nv))) == NULL)
		return -1;
	wt->w = nv;
	memset(&wt->w[wt->nw], 0, sizeof(wt->w[0]));
	if ((wt->w[wt->nw].name = strdup(name)) == NULL)
		return -1;
	wt->w[wt->nw].where = WATCH_ALL;
	wt->nw++;
	return 0;
}

void
watch_where(struct watch *wt, unsigned where)
{
	if (wt->nw > 0 && (where & WATCH_ALL) != 0)
		wt->w[wt->nw - 1].where = where & WATCH_ALL;
}

size_t
watch_size(const struct watch *wt, size_t i)
{
	return i < wt->nw ? wt->w[i].size : 0;
}

/* A new item of the current watch, or NULL (out of memory). */
static struct witem *
watch_item(struct watch *wt, const char *given)
{
	struct witem	*nv, *it;
	size_t		 cap;

	if (wt->nw == 0)
		return NULL;
	if (wt->nit == wt->capit) {
		cap = wt->capit != 0 ? wt->capit * 2 : 16;
		if (cap < wt->capit ||
		    (nv = reallocarray(wt->it, cap, sizeof(*nv))) == NULL)
			return NULL;
		wt->it = nv;
		wt->capit = cap;
	}
	it = &wt->it[wt->nit];
	memset(it, 0, sizeof(*it));
	if ((it->given = strdup(given)) == NULL)
		return NULL;
	it->watch = wt->nw - 1;
	wt->nit++;
	return it;
}

/* The words of a folded text into words[], as many as fit; how many. */
static size_t
watch_split(const char *s, struct wword *words, size_t max)
{
	struct words_iter	 wi;
	const char		*p;
	size_t			 len, n = 0;

	words_begin(&wi, s, strlen(s), 0);
	while (words_next(&wi, &p, &len)) {
		if (n < max) {
			words[n].p = p;
			words[n].len = len;
			words[n].hash = words_hash(p, len, 0);
		}
		n++;
	}
	return n;
}

int
watch_term(struct watch *wt, const char *term, int exclude)
{
	struct witem	*it;
	struct wword	*words;
	char		*folded;
	size_t		 n;

	if ((folded = words_fold(term, strlen(term))) == NULL)
		return -1;
	if ((n = watch_split(folded, NULL, 0)) == 0) {
		free(folded);
		return 1;
	}
	if ((words = calloc(n, sizeof(*words))) == NULL ||
	    (it = watch_item(wt, term)) == NULL) {
		free(words);
		free(folded);
		return -1;
	}
	it->folded = folded;
	it->words = words;
	it->nwords = watch_split(folded, words, n);
	it->exclude = exclude;
	wt->nterms++;
	if (!exclude)
		wt->w[it->watch].size++;
	return 0;
}

int
watch_pattern(struct watch *wt, const char *re, char *err, size_t errlen)
{
	struct witem	*it;
	pcre2_code	*code;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	size_t		*nv;
	int		 ec;

	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF,
	    &ec, &off, NULL);
	if (code == NULL) {
		if (ec == PCRE2_ERROR_NOMEMORY)
			return -1;
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			(void)snprintf((char *)msg, sizeof(msg), "error %d", ec);
		(void)snprintf(err, errlen, "offset %zu: %s", (size_t)off,
		    (const char *)msg);
		return 1;
	}
	/* Without JIT (not built for this CPU, say) the interpreter runs. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	if ((nv = reallocarray(wt->pats, wt->npats + 1, sizeof(*nv))) == NULL) {
		pcre2_code_free(code);
		return -1;
	}
	wt->pats = nv;
	if ((it = watch_item(wt, re)) == NULL) {
		pcre2_code_free(code);
		return -1;
	}
	it->re = code;
	wt->pats[wt->npats++] = wt->nit - 1;
	wt->w[it->watch].size++;
	return 0;
}

/* The slot of a word: its own, or the empty one where it would go. */
static struct wslot *
watch_slot(const struct watch *wt, const char *p, size_t len, uint64_t hash)
{
	struct wslot		*sl;
	const struct wword	*first;
	size_t			 i;

	for (i = (size_t)hash & wt->tabmask;; i = (i + 1) & wt->tabmask) {
		sl = &wt->tab[i];
		if (sl->head == 0)
			return sl;
		/* The hash first: the term itself is one more cache line. */
		if (sl->hash != hash)
			continue;
		first = &wt->it[sl->head - 1].words[0];
		if (first->len == len && memcmp(first->p, p, len) == 0)
			return sl;
	}
}

int
watch_ready(struct watch *wt)
{
	struct wslot	*sl;
	struct witem	*it;
	size_t		 size = 16, i;

	while (size / 2 < wt->nterms) {
		if (size > SIZE_MAX / 2 / sizeof(*wt->tab))
			return -1;
		size *= 2;
	}
	if ((wt->tab = calloc(size, sizeof(*wt->tab))) == NULL)
		return -1;
	wt->tabmask = size - 1;
	/* Backwards, so that each chain lists its terms in config order. */
	for (i = wt->nit; i > 0; i--) {
		it = &wt->it[i - 1];
		if (it->re != NULL)
			continue;
		sl = watch_slot(wt, it->words[0].p, it->words[0].len,
		    it->words[0].hash);
		sl->hash = it->words[0].hash;
		it->next = sl->head;
		sl->head = i;
	}
	if (wt->nit > 0 && ((wt->hit = calloc(wt->nit, 1)) == NULL ||
	    (wt->touched = calloc(wt->nit, sizeof(*wt->touched))) == NULL ||
	    (wt->terms = calloc(wt->nit, sizeof(*wt->terms))) == NULL))
		return -1;
	if (wt->nw > 0 && ((wt->veto = calloc(wt->nw, 1)) == NULL ||
	    (wt->hits = calloc(wt->nw, sizeof(*wt->hits))) == NULL))
		return -1;
	if (wt->npats > 0) {
		if ((wt->md = pcre2_match_data_create(1, NULL)) == NULL ||
		    (wt->mctx = pcre2_match_context_create(NULL)) == NULL)
			return -1;
		(void)pcre2_set_match_limit(wt->mctx, WATCH_MATCH_LIMIT);
		(void)pcre2_set_depth_limit(wt->mctx, WATCH_DEPTH_LIMIT);
	}
	return 0;
}

size_t
watch_count(const struct watch *wt)
{
	return wt != NULL ? wt->nw : 0;
}

const char *
watch_name(const struct watch *wt, size_t i)
{
	return i < wt->nw ? wt->w[i].name : NULL;
}

long
watch_find(const struct watch *wt, const char *name)
{
	size_t	 i;

	for (i = 0; wt != NULL && i < wt->nw; i++)
		if (strcmp(wt->w[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void
watch_mark(struct watch *wt, size_t i, unsigned bit)
{
	if (wt->hit[i] == 0)
		wt->touched[wt->ntouched++] = i;
	wt->hit[i] |= (unsigned char)bit;
}

/* Does term it start at word i of the n words of a field? */
static int
watch_phrase(const struct witem *it, const struct wword *sw, size_t i,
    size_t n)
{
	size_t	 k;

	if (it->nwords > n - i)
		return 0;
	for (k = 1; k < it->nwords; k++)
		if (sw[i + k].hash != it->words[k].hash ||
		    sw[i + k].len != it->words[k].len ||
		    memcmp(sw[i + k].p, it->words[k].p, it->words[k].len) != 0)
			return 0;
	return 1;
}

/* The terms in the field s (raw), where is its bit.  0, or -1 (memory). */
static int
watch_scan_terms(struct watch *wt, const char *s, unsigned bit)
{
	const struct wslot	*sl;
	const struct witem	*it;
	struct wword		*nv;
	char			*folded;
	size_t			 n, i, t, cap;

	if ((folded = words_fold(s, strlen(s))) == NULL)
		return -1;
	/* Counted once, then split into a list that fits them all. */
	if ((n = watch_split(folded, wt->sw, wt->capsw)) > wt->capsw) {
		cap = n < 256 ? 256 : n;
		if ((nv = reallocarray(wt->sw, cap, sizeof(*nv))) == NULL) {
			free(folded);
			return -1;
		}
		wt->sw = nv;
		wt->capsw = cap;
		(void)watch_split(folded, wt->sw, wt->capsw);
	}
	for (i = 0; i < n; i++) {
		sl = watch_slot(wt, wt->sw[i].p, wt->sw[i].len, wt->sw[i].hash);
		for (t = sl->head; t != 0; t = it->next) {
			it = &wt->it[t - 1];
			if ((wt->w[it->watch].where & bit) != 0 &&
			    watch_phrase(it, wt->sw, i, n))
				watch_mark(wt, t - 1, bit);
		}
	}
	free(folded);
	return 0;
}

/* The patterns in the field s, as it is. */
static void
watch_scan_patterns(struct watch *wt, const char *s, unsigned bit)
{
	const struct witem	*it;
	size_t			 i, len = strlen(s);

	for (i = 0; i < wt->npats; i++) {
		it = &wt->it[wt->pats[i]];
		if ((wt->w[it->watch].where & bit) == 0 ||
		    (wt->hit[wt->pats[i]] & bit) != 0)
			continue;
		/* No match, or a limit hit: either way not a match. */
		if (pcre2_match(it->re, (PCRE2_SPTR)s, len, 0, 0, wt->md,
		    wt->mctx) >= 0)
			watch_mark(wt, wt->pats[i], bit);
	}
}

static int
watch_scan(struct watch *wt, const char *s, unsigned bit)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (wt->nterms > 0 && watch_scan_terms(wt, s, bit) == -1)
		return -1;
	if (wt->npats > 0)
		watch_scan_patterns(wt, s, bit);
	return 0;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t	 x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The items hit, grouped into the watches not vetoed. */
static size_t
watch_collect(struct watch *wt)
{
	const struct witem	*it;
	struct watch_hit	*h = NULL;
	size_t			 i, j, k, nh = 0, nt = 0;

	/* A story hits a few items: insertion sort, qsort past that. */
	if (wt->ntouched > 32)
		qsort(wt->touched, wt->ntouched, sizeof(*wt->touched),
		    cmp_size);
	else
		for (i = 1; i < wt->ntouched; i++)
			for (j = i; j > 0 && wt->touched[j - 1] >
			    wt->touched[j]; j--) {
				k = wt->touched[j];
				wt->touched[j] = wt->touched[j - 1];
				wt->touched[j - 1] = k;
			}
	for (i = 0; i < wt->ntouched; i++) {
		it = &wt->it[wt->touched[i]];
		if (it->exclude)
			wt->veto[it->watch] = 1;
	}
	for (i = 0; i < wt->ntouched; i++) {
		it = &wt->it[wt->touched[i]];
		if (it->exclude || wt->veto[it->watch])
			continue;
		if (h == NULL || h->index != it->watch) {
			h = &wt->hits[nh++];
			h->index = it->watch;
			h->name = wt->w[it->watch].name;
			h->terms = &wt->terms[nt];
			h->nterms = 0;
			h->where = 0;
		}
		wt->terms[nt++] = it->given;
		h->nterms++;
		h->where |= wt->hit[wt->touched[i]];
	}
	for (i = 0; i < wt->ntouched; i++) {
		it = &wt->it[wt->touched[i]];
		wt->veto[it->watch] = 0;
		wt->hit[wt->touched[i]] = 0;
	}
	wt->ntouched = 0;
	return nh;
}

int
watch_match(struct watch *wt, const struct watch_text *t,
    const struct watch_hit **hits, size_t *nhits)
{
	size_t	 i;
	int	 rc = 0;

	*hits = wt->hits;
	*nhits = 0;
	if (wt->nit == 0)
		return 0;
	rc = watch_scan(wt, t->title, WATCH_TITLE);
	if (rc == 0)
		rc = watch_scan(wt, t->text, WATCH_TEXT);
	for (i = 0; rc == 0 && i < t->ncategories; i++)
		rc = watch_scan(wt, t->categories[i], WATCH_CATEGORIES);
	*nhits = watch_collect(wt);
	if (rc == -1)
		*nhits = 0;
	return rc;
}

int
watch_drops(const struct watch_hit *hits, size_t nhits, int keep,
    const size_t *drop, size_t ndrop)
{
	size_t	 i, j;

	if (keep && nhits == 0)
		return 1;
	for (i = 0; i < nhits; i++)
		for (j = 0; j < ndrop; j++)
			if (hits[i].index == drop[j])
				return 1;
	return 0;
}

int
watch_story(struct watch *wt, struct story *s, const struct watch_hit **hits,
    size_t *nhits)
{
	struct watch_text	 t;
	size_t			 i;

	story_clear_watch(s);
	t.title = s->title;
	t.text = s->text;
	t.categories = (const char *const *)s->categories;
	t.ncategories = s->ncategories;
	if (watch_match(wt, &t, hits, nhits) == -1)
		return -1;
	for (i = 0; i < *nhits; i++)
		if (story_add_watch(s, (*hits)[i].name, (*hits)[i].terms,
		    (*hits)[i].nterms, (*hits)[i].where) == -1) {
			story_clear_watch(s);
			*nhits = 0;
			return -1;
		}
	return 0;
}
