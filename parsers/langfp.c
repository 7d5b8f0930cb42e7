/*
 * langfp: exttextcat's classifier, every model scored in one pass.
 *
 * What must match libexttextcat 3.4 (fingerprint.c, textcat.c) exactly,
 * since a rank that differs by one changes a score:
 * - the buffer: runs of spaces and digits (INVALID) become one '_', a '_'
 *   before the first word, and one after the last unless the text ends in
 *   a word character (then only when the copy fills the whole buffer);
 * - the n-grams: from every character (UTF-8 characters as
 *   utf8_charcopy cuts them), of 1 to 5 characters, ending at the first
 *   '_' after the first character; none starts in the last word when the
 *   buffer does not end in '_' (exttextcat stops at the NUL);
 * - the top 400: exttextcat's counting table (simplehash, 2^13 buckets,
 *   new n-grams in front of their bucket's chain) emptied bucket by bucket
 *   into its min-heap of 400 (an equal count replaces the root), then
 *   pulled out of the heap one by one, the last pulled ranked 0: ties are
 *   ordered by that walk, so the walk is done the same way;
 * - a model: the n-grams fp_Read keeps, ranked in file order (read here
 *   as fp_Read reads them: langfp_model, checked against fp_Read and
 *   fp_Print in the tests);
 * - a score: for each n-gram of the text, the distance of its two ranks
 *   when the model has it, MAXOUTOFPLACE when not.  fp_Compare gives up
 *   on a model (MAXSCORE) once its sum passes the current threshold; the
 *   threshold only falls towards the final one and the best model never
 *   passes it, so the models it gives up on are never candidates anyway;
 * - the candidates: scores below (int)(best * THRESHOLDVALUE), in model
 *   order, "unknown" beyond MAXCANDIDATES, then qsort on the score with
 *   exttextcat's comparison, so that equal scores come out in its order.
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <constants.h>
#include <textcat.h>

#include "parsers/langfp.h"

#define FP_BUCKETS	(1u << TABLEPOW)
#define FP_NONE		UINT32_MAX

/*
 * An n-gram as a key: its bytes, zero-padded, its length in the last
 * byte; two keys are compared word by word.
 */
struct fp_key {
	uint64_t	 w[3];
};

_Static_assert(MAXNGRAMSIZE < sizeof(struct fp_key), "n-gram in a key");
_Static_assert(LANGFP_MAXCAND == MAXCANDIDATES, "exttextcat's candidates");

/* An n-gram of the models, and where its (model, rank) pairs are. */
struct fp_gram {
	struct fp_key	 key;
	uint32_t	 nposts;
	uint32_t	 post;
};

struct fp_post {
	uint16_t	 model;
	uint16_t	 rank;
};

/* An n-gram of the text being classified, in exttextcat's table. */
struct fp_entry {
	struct fp_key	 key;
	uint32_t	 cnt;
	uint32_t	 next;
};

/* A place in exttextcat's heap: an entry and its count. */
struct fp_heap {
	uint32_t	 cnt;
	uint32_t	 ent;
};

/*
 * What one text needs while it is classified: the models themselves are
 * only read, so every thread that classifies takes one of these from the
 * models' pool (a lock held only to take or give one back) and as many
 * exist as texts were ever classified at once.
 */
struct fp_work {
	struct fp_work	*next;		/* in the pool */
	int32_t		*acc;
	char		*buf;
	size_t		 bufcap;
	struct fp_entry	*ent;
	size_t		 entcap, nent;
	uint32_t	 heads[FP_BUCKETS];
	uint64_t	 used[FP_BUCKETS / 64];	/* buckets not empty */
	struct fp_heap	 heap[MAXNGRAMS];
	uint32_t	 nheap;
	uint32_t	 fprint[MAXNGRAMS];	/* entries, by rank */
};

struct langfp {
	char		**names;
	size_t		 nmodels;
	struct fp_gram	*grams;
	size_t		 ngrams;
	uint32_t	*slots;		/* gram + 1, 0 for none */
	uint32_t	 mask;
	struct fp_post	*posts;
	size_t		 nposts;

	pthread_mutex_t	 lock;
	struct fp_work	*pool;		/* free ones */
};

/* A model's n-gram while the models load. */
struct fp_rec {
	struct fp_key	 key;
	uint16_t	 model;
	uint16_t	 rank;
	uint32_t	 gram;
};

struct fp_load {
	struct fp_rec	*recs;
	size_t		 nrecs, cap;
};

static int
fp_keyeq(const struct fp_key *a, const struct fp_key *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2];
}

/* The gram of key k in the models' table: its slot. */
static uint32_t *
fp_slot(const struct langfp *lf, const struct fp_key *k)
{
	uint64_t	 h;
	uint32_t	 i, g;

	h = k->w[0] * 0x9e3779b97f4a7c15u ^ k->w[1] * 0xc2b2ae3d27d4eb4fu ^
	    k->w[2] * 0x165667b19e3779f9u;
	i = (uint32_t)(h >> 32) & lf->mask;
	while ((g = lf->slots[i]) != 0) {
		if (fp_keyeq(&lf->grams[g - 1].key, k))
			break;
		i = (i + 1) & lf->mask;
	}
	return &lf->slots[i];
}

static int
fp_addrec(struct fp_load *ld, const char *s, size_t len, size_t model,
    size_t rank)
{
	struct fp_rec	*r;
	size_t		 ncap;

	if (len > MAXNGRAMSIZE || model > UINT16_MAX || rank > UINT16_MAX)
		return -1;
	if (ld->nrecs == ld->cap) {
		ncap = ld->cap == 0 ? 1024 : ld->cap * 2;
		if ((r = reallocarray(ld->recs, ncap, sizeof(*r))) == NULL)
			return -1;
		ld->recs = r;
		ld->cap = ncap;
	}
	r = &ld->recs[ld->nrecs++];
	memset(&r->key, 0, sizeof(r->key));
	memcpy(r->key.w, s, len);
	((unsigned char *)r->key.w)[sizeof(r->key) - 1] = (unsigned char)len;
	r->model = (uint16_t)model;
	r->rank = (uint16_t)rank;
	return 0;
}

/* isspace() in the C locale, as wg_trim asks it (feedspool runs in "C"). */
static int
fp_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int
langfp_model(const char *path, int (*cb)(void *, const char *, size_t),
    void *arg)
{
	char	 line[1024], *p, *e;
	FILE	*f;
	size_t	 rank = 0, len;
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* wg_getline: fgets into 1024 bytes, cut at the first CR or LF. */
	while (rank < MAXNGRAMS && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		/* wg_trim, then the n-gram up to a space or a tab */
		for (p = line; fp_space(*p); p++)
			continue;
		for (e = p + strlen(p); e > p && fp_space(e[-1]); e--)
			continue;
		*e = '\0';
		if ((len = strcspn(p, " \t")) > MAXNGRAMSIZE)
			continue;	/* left out, and not ranked */
		rank++;
		if ((rc = cb(arg, p, len)) == -1)
			break;
	}
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

struct fp_model_ctx {
	struct fp_load	*ld;
	size_t		 model, rank;
};

static int
fp_model_gram(void *arg, const char *s, size_t len)
{
	struct fp_model_ctx	*c = arg;

	return fp_addrec(c->ld, s, len, c->model, c->rank++);
}

/*
 * One model, read as fp_Read reads it (langfp_model) rather than through
 * it: fp_Read sorts the list, and fp_Print sorted it back to rank order,
 * which made loading the models a third of a small run's instructions.
 */
static int
fp_model(struct fp_load *ld, const char *path, size_t model)
{
	struct fp_model_ctx	 c = { ld, model, 0 };

	return langfp_model(path, fp_model_gram, &c);
}

/*
 * A line of fpdb.conf cut as wg_split cuts it into at most 4 segments;
 * the file and the name are the first two.  -1 for what wg_split would
 * unquote or unescape.
 */
static int
fp_confline(char *line, char **file, char **name)
{
	char	*seg[4], *p = line;
	int	 n = 0;

	line[strcspn(line, "#\r\n")] = '\0';
	if (strpbrk(line, "'\\") != NULL)
		return -1;
	while (n < 3 && *p != '\0') {
		while (isspace((unsigned char)*p))
			p++;
		seg[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	if (*p != '\0')
		seg[n++] = p;
	if (n < 2)
		return 0;
	*file = seg[0];
	*name = seg[1];
	return 1;
}

/* The models of conf into ld, their names into lf. */
static int
fp_models(struct langfp *lf, struct fp_load *ld, const char *conf,
    const char *dir)
{
	char	 line[1024], path[4096], *file, *name, **nn;
	FILE	*f;
	int	 rc = -1, r;

	if ((f = fopen(conf, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((r = fp_confline(line, &file, &name)) == -1)
			goto out;
		if (r == 0)
			continue;
		r = snprintf(path, sizeof(path), "%s%s", dir, file);
		if (r < 0 || (size_t)r >= sizeof(path))
			goto out;
		if ((nn = reallocarray(lf->names, lf->nmodels + 1,
		    sizeof(*nn))) == NULL)
			goto out;
		lf->names = nn;
		if ((nn[lf->nmodels] = strdup(name)) == NULL)
			goto out;
		if (fp_model(ld, path, lf->nmodels++) == -1)
			goto out;
	}
	rc = ferror(f) || lf->nmodels == 0 || lf->nmodels > UINT16_MAX ?
	    -1 : 0;
out:
	fclose(f);
	return rc;
}

/* The table of n-grams, then each one's (model, rank) pairs. */
static int
fp_index(struct langfp *lf, struct fp_load *ld)
{
	struct fp_rec	*r;
	struct fp_gram	*g;
	uint32_t	*slot, size = 1024, off = 0;
	size_t		 i;

	while (size < ld->nrecs * 2 && size < (UINT32_MAX >> 2))
		size *= 2;
	if (size < ld->nrecs * 2 ||
	    (lf->slots = calloc(size, sizeof(*lf->slots))) == NULL ||
	    (lf->grams = calloc(ld->nrecs, sizeof(*lf->grams))) == NULL ||
	    (lf->posts = calloc(ld->nrecs, sizeof(*lf->posts))) == NULL)
		return -1;
	lf->mask = size - 1;
	for (i = 0; i < ld->nrecs; i++) {
		r = &ld->recs[i];
		slot = fp_slot(lf, &r->key);
		if (*slot == 0) {
			g = &lf->grams[lf->ngrams++];
			g->key = r->key;
			*slot = (uint32_t)lf->ngrams;
		}
		r->gram = *slot - 1;
		lf->grams[r->gram].nposts++;
	}
	for (i = 0; i < lf->ngrams; i++) {
		lf->grams[i].post = off;
		off += lf->grams[i].nposts;
		lf->grams[i].nposts = 0;
	}
	/* Model by model: an n-gram twice in one model comes in a row. */
	for (i = 0; i < ld->nrecs; i++) {
		r = &ld->recs[i];
		g = &lf->grams[r->gram];
		if (g->nposts > 0 &&
		    lf->posts[g->post + g->nposts - 1].model == r->model)
			return -1;
		lf->posts[g->post + g->nposts].model = r->model;
		lf->posts[g->post + g->nposts].rank = r->rank;
		g->nposts++;
	}
	lf->nposts = ld->nrecs;
	/* Fewer n-grams than lines: most come in many models. */
	if (lf->ngrams > 0 &&
	    (g = reallocarray(lf->grams, lf->ngrams, sizeof(*g))) != NULL)
		lf->grams = g;
	return 0;
}

struct langfp *
langfp_load(const char *conf, const char *dir)
{
	struct fp_load	 ld = { NULL, 0, 0 };
	struct langfp	*lf;

	if ((lf = calloc(1, sizeof(*lf))) == NULL)
		return NULL;
	if (pthread_mutex_init(&lf->lock, NULL) != 0) {
		free(lf);
		return NULL;
	}
	if (fp_models(lf, &ld, conf, dir) == -1 || fp_index(lf, &ld) == -1) {
		free(ld.recs);
		langfp_free(lf);
		return NULL;
	}
	free(ld.recs);
	return lf;
}

static void
fp_work_free(struct fp_work *w)
{
	free(w->acc);
	free(w->buf);
	free(w->ent);
	free(w);
}

void
langfp_free(struct langfp *lf)
{
	struct fp_work	*w;
	size_t		 i;

	if (lf == NULL)
		return;
	while ((w = lf->pool) != NULL) {
		lf->pool = w->next;
		fp_work_free(w);
	}
	pthread_mutex_destroy(&lf->lock);
	for (i = 0; i < lf->nmodels; i++)
		free(lf->names[i]);
	free(lf->names);
	free(lf->grams);
	free(lf->slots);
	free(lf->posts);
	free(lf);
}

/* A scratch space from the pool, or a new one; NULL when out of memory. */
static struct fp_work *
fp_work_take(struct langfp *lf)
{
	struct fp_work	*w;
	size_t		 i;

	pthread_mutex_lock(&lf->lock);
	if ((w = lf->pool) != NULL)
		lf->pool = w->next;
	pthread_mutex_unlock(&lf->lock);
	if (w != NULL)
		return w;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->acc = calloc(lf->nmodels, sizeof(*w->acc))) == NULL) {
		free(w);
		return NULL;
	}
	for (i = 0; i < FP_BUCKETS; i++)
		w->heads[i] = FP_NONE;
	return w;
}

static void
fp_work_give(struct langfp *lf, struct fp_work *w)
{
	pthread_mutex_lock(&lf->lock);
	w->next = lf->pool;
	lf->pool = w;
	pthread_mutex_unlock(&lf->lock);
}

/*
 * Bytes of the character at s as utf8_charcopy counts them: a lead
 * byte's high bits say how many, any other byte stands alone, a NUL ends
 * the character early.
 */
static size_t
fp_clen(const char *s)
{
	unsigned char	 b = (unsigned char)*s;
	size_t		 n, i;

	n = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if (s[i] == '\0')
			return i;
	return n;
}

/*
 * exttextcat's prepbuffer: src (len bytes, NUL-terminated) into w->buf
 * (len + 3 bytes), every run of INVALID characters one '_'.
 */
static void
fp_prep(struct fp_work *wk, const char *src, size_t len)
{
	char	*w = wk->buf, *lim = wk->buf + len + 1;

	for (;;) {
		while (INVALID(*src))
			src++;
		*w++ = '_';
		if (*src == '\0' || w == lim)
			break;
		do {
			*w++ = *src++;
			if (w == lim) {
				*w++ = '_';
				*w = '\0';
				return;
			}
		} while (!INVALID(*src) && *src != '\0');
		if (*src == '\0')
			break;
	}
	*w = '\0';
}

/* exttextcat's increasefreq: a new n-gram goes in front of its chain. */
static void
fp_increase(struct fp_work *w, const struct fp_key *k, uint32_t hash)
{
	struct fp_entry	*e;
	uint32_t	 b = hash & (FP_BUCKETS - 1), i;

	for (i = w->heads[b]; i != FP_NONE; i = w->ent[i].next)
		if (fp_keyeq(&w->ent[i].key, k)) {
			w->ent[i].cnt++;
			return;
		}
	e = &w->ent[w->nent];
	e->key = *k;
	e->cnt = 1;
	e->next = w->heads[b];
	w->heads[b] = (uint32_t)w->nent++;
	w->used[b / 64] |= (uint64_t)1 << (b % 64);
}

/*
 * exttextcat's createngramtable on w->buf.  The hash is its simplehash
 * of the n-gram (13 times its characters, then times 31 plus each byte
 * as a signed char), kept up as the n-gram grows.
 */
static void
fp_count(struct fp_work *w)
{
	const char	*buf = w->buf;
	struct fp_key	 g;
	unsigned char	*gb = (unsigned char *)g.w;
	size_t		 pos = 0, q, k, j, m;
	uint32_t	 h, pw, i;

	for (;;) {
		q = pos;
		m = 0;
		h = 0;
		pw = 1;
		memset(&g, 0, sizeof(g));
		for (i = 1; i <= MAXNGRAMSYMBOL; i++) {
			k = fp_clen(buf + q);
			for (j = 0; j < k; j++) {
				gb[m++] = (unsigned char)buf[q + j];
				h = h * 31 + (uint32_t)(int32_t)(signed char)buf[q + j];
				pw *= 31;
			}
			gb[sizeof(g) - 1] = (unsigned char)m;
			fp_increase(w, &g, i * 13 * pw + h);
			if (i > 1 && buf[q] == '_')
				break;
			q += k;
			if (buf[q] == '\0')
				return;
		}
		pos += fp_clen(buf + pos);
	}
}

/*
 * exttextcat's siftup and siftdown (a min-heap on the count; a child goes
 * up only when strictly smaller, the right child is taken only when
 * strictly smaller than the left).  Its swaps of the moving item are done
 * as moves into the gap it leaves, which ends with the same heap.
 */
static void
fp_siftup(struct fp_work *w, uint32_t child)
{
	struct fp_heap	 it = w->heap[child];
	uint32_t	 parent;

	while (child > 0) {
		parent = (child - 1) >> 1;
		if (w->heap[parent].cnt <= it.cnt)
			break;
		w->heap[child] = w->heap[parent];
		child = parent;
	}
	w->heap[child] = it;
}

static void
fp_siftdown(struct fp_work *w, uint32_t size, uint32_t parent)
{
	struct fp_heap	 it = w->heap[parent];
	uint32_t	 child = parent * 2 + 1;

	while (child < size) {
		if (child + 1 < size &&
		    w->heap[child].cnt > w->heap[child + 1].cnt)
			child++;
		if (it.cnt <= w->heap[child].cnt)
			break;
		w->heap[parent] = w->heap[child];
		parent = child;
		child = parent * 2 + 1;
	}
	w->heap[parent] = it;
}

/*
 * exttextcat's table2heap and the pulling out of fp_Create: the entries
 * of the fingerprint by rank into w->fprint, their count returned.  The
 * buckets are emptied on the way, ready for the next text.
 */
static uint32_t
fp_top(struct fp_work *w)
{
	struct fp_heap	 it;
	uint64_t	 bits;
	uint32_t	 wd, b, e, n, i;

	w->nheap = 0;
	for (wd = 0; wd < FP_BUCKETS / 64; wd++) {
		for (bits = w->used[wd]; bits != 0; bits &= bits - 1) {
			b = wd * 64 + (uint32_t)__builtin_ctzll(bits);
			for (e = w->heads[b]; e != FP_NONE; e = w->ent[e].next) {
				it.cnt = w->ent[e].cnt;
				it.ent = e;
				if (w->nheap < MAXNGRAMS) {
					w->heap[w->nheap] = it;
					fp_siftup(w, w->nheap++);
				} else if (it.cnt >= w->heap[0].cnt) {
					w->heap[0] = it;
					fp_siftdown(w, w->nheap, 0);
				}
			}
			w->heads[b] = FP_NONE;
		}
		w->used[wd] = 0;
	}
	n = w->nheap;
	/* heapextract sifts down before it shrinks the heap. */
	for (i = n; i-- > 0; ) {
		w->fprint[i] = w->heap[0].ent;
		w->heap[0] = w->heap[w->nheap - 1];
		fp_siftdown(w, w->nheap, 0);
		w->nheap--;
	}
	return n;
}

/* Room for the buffer and the n-grams of a text of len bytes. */
static int
fp_room(struct fp_work *w, size_t len)
{
	struct fp_entry	*e;
	char		*b;
	size_t		 n;

	if (len > (SIZE_MAX - 3) / MAXNGRAMSYMBOL / sizeof(*e) ||
	    len + 3 > UINT32_MAX / MAXNGRAMSYMBOL)
		return -1;
	if (len + 3 > w->bufcap) {
		if ((b = realloc(w->buf, len + 3)) == NULL)
			return -1;
		w->buf = b;
		w->bufcap = len + 3;
	}
	/* At most MAXNGRAMSYMBOL n-grams from each character of the buffer. */
	n = (len + 2) * MAXNGRAMSYMBOL;
	if (n > w->entcap) {
		if ((e = reallocarray(w->ent, n, sizeof(*e))) == NULL)
			return -1;
		w->ent = e;
		w->entcap = n;
	}
	return 0;
}

/* textcat.c's cmpcandidates, so that qsort orders ties as there. */
static int
fp_candcmp(const void *a, const void *b)
{
	const candidate_t	*x = a, *y = b;

	return x->score - y->score;
}

/* The scores of w->acc into names, as textcat_ClassifyFull picks them. */
static int
fp_pick(const struct langfp *lf, struct fp_work *w, uint32_t n,
    const char **names)
{
	candidate_t	 cand[MAXCANDIDATES];
	int32_t		 min = INT32_MAX, score, threshold;
	size_t		 m;
	int		 cnt = 0, i;

	for (m = 0; m < lf->nmodels; m++) {
		w->acc[m] = (int32_t)n * MAXOUTOFPLACE - w->acc[m];
		if (w->acc[m] < min)
			min = w->acc[m];
	}
	threshold = (int32_t)((double)min * THRESHOLDVALUE);
	for (m = 0; m < lf->nmodels; m++) {
		if ((score = w->acc[m]) >= threshold)
			continue;
		if (cnt == MAXCANDIDATES)
			return 0;
		cand[cnt].score = score;
		cand[cnt++].name = lf->names[m];
	}
	qsort(cand, (size_t)cnt, sizeof(cand[0]), fp_candcmp);
	for (i = 0; i < cnt; i++)
		names[i] = cand[i].name;
	return cnt;
}

/* The scores of the text in w->acc, its fingerprint's size returned. */
static uint32_t
fp_score(const struct langfp *lf, struct fp_work *w, const char *text,
    size_t len)
{
	const struct fp_entry	*e;
	const struct fp_gram	*g;
	const struct fp_post	*p, *pe;
	uint32_t		 n, r, slot;
	int32_t			 d;

	fp_prep(w, text, len);
	w->nent = 0;
	fp_count(w);
	n = fp_top(w);
	memset(w->acc, 0, lf->nmodels * sizeof(*w->acc));
	/* Each pair adds what the n-gram saves on MAXOUTOFPLACE there. */
	for (r = 0; r < n; r++) {
		e = &w->ent[w->fprint[r]];
		if ((slot = *fp_slot(lf, &e->key)) == 0)
			continue;
		g = &lf->grams[slot - 1];
		for (p = &lf->posts[g->post], pe = p + g->nposts; p < pe; p++) {
			d = (int32_t)p->rank - (int32_t)r;
			w->acc[p->model] += MAXOUTOFPLACE - (d < 0 ? -d : d);
		}
	}
	return n;
}

int
langfp_classify(struct langfp *lf, const char *text, size_t len,
    const char **names)
{
	struct fp_work	*w;
	int		 rc = -1;

	if (len < MINDOCSIZE)
		return -2;
	if ((w = fp_work_take(lf)) == NULL)
		return -1;
	if (fp_room(w, len) == 0)
		rc = fp_pick(lf, w, fp_score(lf, w, text, len), names);
	fp_work_give(lf, w);
	return rc;
}
