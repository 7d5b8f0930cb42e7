/*
 * test_dupset: precision and recall of the duplicate decision on a
 * labelled set built from the base stories in tests/dupset/stories/.
 *
 * Positives: a base story against a copy with realistic edits (headline
 * tag, rewritten first sentence, a paragraph dropped or added, a byline
 * and footer, a shortened version keeping 60-80% of the paragraphs, light
 * word substitutions), one to three edits per copy.  Negatives: every pair
 * of different base stories (many share a topic cluster and names), each
 * side dressed with the same or a different outlet's byline and footer;
 * and, for every pair in one topic cluster, follow-ups that repeat one or
 * two background paragraphs of the other story.
 * Everything is drawn from a seeded generator, so the set is the same on
 * every run.
 *
 * Prints precision, recall and every miss.  DUPSET_SWEEP=1 in the
 * environment also prints precision/recall for a grid of thresholds (how
 * the defaults in store/dedup.c were chosen).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/buf.h"
#include "store/dedup.h"

#define STORIES		"tests/dupset/stories/"
#define SEED		20240611ULL
#define VARIANTS	10	/* positives per base story */
#define MAX_STORIES	128
#define MAX_PARAS	64

enum edit {
	ED_TAG,		/* headline tag */
	ED_LEAD,	/* first sentence rewritten */
	ED_DROP,	/* a paragraph dropped */
	ED_ADD,		/* a paragraph added */
	ED_BYLINE,	/* byline and footer */
	ED_SHORT,	/* 60-80% of the paragraphs kept */
	ED_WORDS,	/* light word substitutions */
	ED__COUNT
};

static const char *const edit_name[ED__COUNT] = {
	"tag", "lead", "drop", "add", "byline", "short", "words"
};

struct story {
	char	 name[128];
	char	 cluster[32];
	char	*title;
	char	*para[MAX_PARAS];
	size_t	 npara;
};

struct pair {
	struct dedup_fp	 a, b;
	int		 positive;
	int		 same_cluster;
	unsigned	 edits;		/* bit per enum edit (positives) */
	size_t		 background;	/* paragraphs of a copied into b */
	size_t		 sa, sb;	/* story indices */
};

static struct story	 stories[MAX_STORIES];
static size_t		 nstories;
static struct pair	*pairs;
static size_t		 npairs, pairs_cap;

/* splitmix64: small, seedable, good enough to draw edits. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return (size_t)(rnd(s) % n);
}

/* Load */

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*data;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	assert_non_null(data = malloc((size_t)n + 1));
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	return data;
}

/* "NN-cluster-rest.txt": the cluster is the word after the number. */
static void
story_cluster(struct story *st)
{
	const char	*p = strchr(st->name, '-');
	size_t		 n;

	assert_non_null(p);
	p++;
	n = strcspn(p, "-.");
	assert_true(n > 0 && n < sizeof(st->cluster));
	memcpy(st->cluster, p, n);
	st->cluster[n] = '\0';
}

/* First line the title, then paragraphs separated by blank lines. */
static void
story_parse(struct story *st, char *data)
{
	char	*p = data, *end;

	end = strchr(p, '\n');
	assert_non_null(end);
	*end = '\0';
	st->title = p;
	p = end + 1;
	while (*p != '\0') {
		while (*p == '\n')
			p++;
		if (*p == '\0')
			break;
		end = strstr(p, "\n\n");
		assert_true(st->npara < MAX_PARAS);
		st->para[st->npara++] = p;
		if (end == NULL) {
			end = p + strlen(p);
			while (end > p && end[-1] == '\n')
				*--end = '\0';
			break;
		}
		*end = '\0';
		p = end + 2;
	}
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct story *)a)->name,
	    ((const struct story *)b)->name);
}

static void
load_stories(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[512];
	size_t		 i, n;
	int		 r;

	if ((d = opendir(STORIES)) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    STORIES);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".txt") != 0)
			continue;
		assert_true(nstories < MAX_STORIES);
		assert_true(n < sizeof(stories[0].name));
		memcpy(stories[nstories++].name, de->d_name, n + 1);
	}
	closedir(d);
	/* readdir order is the file system's: sort for reproducibility. */
	qsort(stories, nstories, sizeof(stories[0]), cmp_name);
	for (i = 0; i < nstories; i++) {
		r = snprintf(path, sizeof(path), "%s%s", STORIES,
		    stories[i].name);
		assert_true(r > 0 && (size_t)r < sizeof(path));
		story_parse(&stories[i], slurp(path));
		story_cluster(&stories[i]);
		assert_true(stories[i].npara >= 4);
	}
}

/* Edits */

static const char *const tags_before[] = {
	"UPDATE 2-", "EXCLUSIVE: ", "Breaking: ", "WORLD NEWS: ", "Analysis: ",
};
static const char *const tags_after[] = {
	" | Northern Wire", " - live updates", " (video)", " - World",
	" | The Daily Ledger",
};
static const char *const datelines[] = {
	"(Northern Wire) - ", "GENEVA, Sept 14 (NWS) - ",
	"BRUSSELS (Reuters-style wire) - ", "By our correspondent: ",
};
static const char *const bylines[] = {
	"By Anna Kowal and Peter Brandt",
	"By Lena Ortiz, Diplomatic Correspondent",
	"Staff and agencies",
	"By Tomas Reinholt in Geneva",
};
static const char *const footers[] = {
	"Reporting by Anna Kowal; additional reporting by Peter Brandt in "
	    "Brussels; editing by Mark Heller.",
	"Copyright 2024 Northern Wire Service. All rights reserved. This "
	    "material may not be published, broadcast, rewritten or "
	    "redistributed.",
	"Sign up for our daily world briefing to get the most important "
	    "stories in your inbox every morning. Follow us on social media "
	    "for live coverage.",
	"This article was amended on Thursday to correct the spelling of a "
	    "name and to add comments from the ministry.",
};
static const char *const extra_paras[] = {
	"The ministry did not immediately respond to a request for comment. "
	    "A spokesperson said a fuller statement would be issued later in "
	    "the day.",
	"Analysts said the developments were being watched closely by "
	    "investors and by governments across the region, which have been "
	    "wary of any escalation in recent months.",
	"This is a developing story and will be updated as more information "
	    "becomes available.",
	"Diplomats in Brussels said the issue was likely to be raised at a "
	    "meeting of foreign ministers next week, although it was not "
	    "formally on the agenda.",
	"Local media reported that the decision had been discussed at a "
	    "closed meeting the previous evening, but officials declined to "
	    "confirm the details.",
};
/* Light rewording: each word, and what a sub-editor may write instead. */
static const char *const synonyms[][2] = {
	{ "said", "stated" }, { "about", "around" }, { "people", "residents" },
	{ "government", "administration" }, { "country", "nation" },
	{ "began", "started" }, { "help", "assist" }, { "warned", "cautioned" },
	{ "expected", "anticipated" }, { "agreed", "decided" },
	{ "officials", "authorities" }, { "several", "a number of" },
	{ "more", "over" }, { "would", "will" }, { "told", "informed" },
	{ "urged", "called on" }, { "week", "seven days" },
	{ "largest", "biggest" }, { "announced", "unveiled" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A working copy of a story: paragraphs as malloc'd strings. */
struct draft {
	struct buf	 title;
	char		*para[MAX_PARAS + 4];
	size_t		 npara;
	const char	*byline, *footer;
};

static char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	assert_non_null(p);
	return p;
}

static void
draft_init(struct draft *d, const struct story *st)
{
	size_t	 i;

	memset(d, 0, sizeof(*d));
	buf_init(&d->title, 4096);
	assert_int_equal(buf_addstr(&d->title, st->title), BUF_OK);
	for (i = 0; i < st->npara; i++)
		d->para[i] = xstrdup(st->para[i]);
	d->npara = st->npara;
}

static void
draft_free(struct draft *d)
{
	size_t	 i;

	for (i = 0; i < d->npara; i++)
		free(d->para[i]);
	buf_free(&d->title);
}

static void
draft_remove(struct draft *d, size_t i)
{
	free(d->para[i]);
	memmove(d->para + i, d->para + i + 1,
	    (d->npara - i - 1) * sizeof(d->para[0]));
	d->npara--;
}

static void
edit_tag(struct draft *d, uint64_t *s)
{
	struct buf	 t;

	buf_init(&t, 4096);
	if (rnd(s) & 1)
		assert_int_equal(buf_printf(&t, "%s%s",
		    tags_before[rnd_below(s, NELEM(tags_before))],
		    d->title.data), BUF_OK);
	else
		assert_int_equal(buf_printf(&t, "%s%s", d->title.data,
		    tags_after[rnd_below(s, NELEM(tags_after))]), BUF_OK);
	buf_free(&d->title);
	d->title = t;
}

/* A dateline before the lead, or the headline as the first sentence. */
static void
edit_lead(struct draft *d, uint64_t *s, const struct story *st)
{
	struct buf	 p;
	const char	*rest;

	buf_init(&p, 1 << 16);
	if (rnd(s) & 1) {
		assert_int_equal(buf_printf(&p, "%s%s",
		    datelines[rnd_below(s, NELEM(datelines))], d->para[0]),
		    BUF_OK);
	} else {
		rest = strstr(d->para[0], ". ");
		rest = rest != NULL ? rest + 2 : "";
		assert_int_equal(buf_printf(&p, "%s, officials and people "
		    "familiar with the matter said. %s", st->title, rest),
		    BUF_OK);
	}
	free(d->para[0]);
	d->para[0] = buf_steal(&p);
	buf_free(&p);
}

static void
edit_drop(struct draft *d, uint64_t *s)
{
	if (d->npara > 2)
		draft_remove(d, 1 + rnd_below(s, d->npara - 1));
}

static void
edit_add(struct draft *d, uint64_t *s)
{
	size_t	 at = 1 + rnd_below(s, d->npara);

	memmove(d->para + at + 1, d->para + at,
	    (d->npara - at) * sizeof(d->para[0]));
	d->para[at] = xstrdup(extra_paras[rnd_below(s, NELEM(extra_paras))]);
	d->npara++;
}

static void
edit_byline(struct draft *d, uint64_t *s)
{
	d->byline = bylines[rnd_below(s, NELEM(bylines))];
	d->footer = footers[rnd_below(s, NELEM(footers))];
}

/* Keep 60-80% of the paragraphs: the lead always, mostly the top. */
static void
edit_short(struct draft *d, uint64_t *s)
{
	size_t	 keep, pct = 60 + rnd_below(s, 21);

	keep = (d->npara * pct + 50) / 100;
	if (keep < 1)
		keep = 1;
	while (d->npara > keep) {
		if (rnd_below(s, 10) < 7)
			draft_remove(d, d->npara - 1);
		else
			draft_remove(d, 1 + rnd_below(s, d->npara - 1));
	}
}

/* Replace one occurrence of a whole word w in para by r. */
static int
replace_word(char **para, const char *w, const char *r)
{
	struct buf	 b;
	char		*p = *para;
	size_t		 n = strlen(w);

	for (; (p = strstr(p, w)) != NULL; p += n) {
		if ((p > *para && (p[-1] >= 'a' && p[-1] <= 'z')) ||
		    (p[n] >= 'a' && p[n] <= 'z'))
			continue;
		buf_init(&b, 1 << 16);
		assert_int_equal(buf_add(&b, *para, (size_t)(p - *para)),
		    BUF_OK);
		assert_int_equal(buf_printf(&b, "%s%s", r, p + n), BUF_OK);
		free(*para);
		*para = buf_steal(&b);
		buf_free(&b);
		return 1;
	}
	return 0;
}

static void
edit_words(struct draft *d, uint64_t *s)
{
	size_t	 want = 3 + rnd_below(s, 6), done = 0, tries;
	size_t	 k, i;

	for (tries = 0; done < want && tries < 200; tries++) {
		k = rnd_below(s, NELEM(synonyms));
		i = rnd_below(s, d->npara);
		done += replace_word(&d->para[i], synonyms[k][0],
		    synonyms[k][1]);
	}
}

static void
apply(struct draft *d, enum edit e, uint64_t *s, const struct story *st)
{
	switch (e) {
	case ED_TAG:	edit_tag(d, s); break;
	case ED_LEAD:	edit_lead(d, s, st); break;
	case ED_DROP:	edit_drop(d, s); break;
	case ED_ADD:	edit_add(d, s); break;
	case ED_BYLINE:	edit_byline(d, s); break;
	case ED_SHORT:	edit_short(d, s); break;
	case ED_WORDS:	edit_words(d, s); break;
	case ED__COUNT:	break;
	}
}

/* The text a feed would carry: byline, paragraphs, footer. */
static char *
draft_text(const struct draft *d)
{
	struct buf	 b;
	size_t		 i;
	char		*t;

	buf_init(&b, 1 << 20);
	if (d->byline != NULL)
		assert_int_equal(buf_printf(&b, "%s\n\n", d->byline), BUF_OK);
	for (i = 0; i < d->npara; i++)
		assert_int_equal(buf_printf(&b, "%s%s", i > 0 ? "\n\n" : "",
		    d->para[i]), BUF_OK);
	if (d->footer != NULL)
		assert_int_equal(buf_printf(&b, "\n\n%s", d->footer), BUF_OK);
	t = buf_steal(&b);
	buf_free(&b);
	assert_non_null(t);
	return t;
}

static void
draft_fp(const struct draft *d, struct dedup_fp *fp)
{
	char	*t = draft_text(d);

	assert_int_equal(dedup_fingerprint(t, d->title.data, fp), 0);
	free(t);
}

/* Pairs */

static struct pair *
new_pair(void)
{
	struct pair	*p;

	if (npairs == pairs_cap) {
		pairs_cap = pairs_cap == 0 ? 1024 : pairs_cap * 2;
		assert_non_null(p = realloc(pairs, pairs_cap * sizeof(*p)));
		pairs = p;
	}
	p = &pairs[npairs++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* A copy of story i with one to three edits, the first by turn. */
static void
make_positive(size_t i, unsigned v, uint64_t *s)
{
	struct draft	 orig, copy;
	struct pair	*p = new_pair();
	enum edit	 e;
	unsigned	 n, k;

	draft_init(&orig, &stories[i]);
	draft_init(&copy, &stories[i]);
	if (rnd_below(s, 3) == 0)
		edit_byline(&orig, s);
	n = 1 + (rnd_below(s, 2) == 0) + (rnd_below(s, 4) == 0);
	for (k = 0; k < n; k++) {
		e = k == 0 ? (enum edit)(v % ED__COUNT) :
		    (enum edit)rnd_below(s, ED__COUNT);
		apply(&copy, e, s, &stories[i]);
		p->edits |= 1U << e;
	}
	p->positive = 1;
	p->sa = p->sb = i;
	draft_fp(&orig, &p->a);
	draft_fp(&copy, &p->b);
	draft_free(&orig);
	draft_free(&copy);
}

/* Two different stories, half the time from the same outlet. */
static void
make_negative(size_t i, size_t j, uint64_t *s)
{
	struct draft	 a, b;
	struct pair	*p = new_pair();

	draft_init(&a, &stories[i]);
	draft_init(&b, &stories[j]);
	if (rnd(s) & 1) {
		edit_byline(&a, s);
		b.byline = a.byline;
		b.footer = a.footer;
	} else if (rnd(s) & 1) {
		edit_byline(&a, s);
		edit_byline(&b, s);
	}
	p->sa = i;
	p->sb = j;
	p->same_cluster = strcmp(stories[i].cluster, stories[j].cluster) == 0;
	draft_fp(&a, &p->a);
	draft_fp(&b, &p->b);
	draft_free(&a);
	draft_free(&b);
}

/*
 * A follow-up that repeats background: story j with one or two of story
 * i's paragraphs (not its lead) inserted before its last paragraph, as
 * wire updates do.  A different story all the same.
 */
static void
make_background(size_t i, size_t j, size_t copies, uint64_t *s)
{
	struct draft	 a, b;
	struct pair	*p = new_pair();
	size_t		 k, from, at;

	draft_init(&a, &stories[i]);
	draft_init(&b, &stories[j]);
	for (k = 0; k < copies; k++) {
		from = 1 + rnd_below(s, stories[i].npara - 1);
		at = b.npara - 1;
		memmove(b.para + at + 1, b.para + at,
		    (b.npara - at) * sizeof(b.para[0]));
		b.para[at] = xstrdup(stories[i].para[from]);
		b.npara++;
	}
	p->sa = i;
	p->sb = j;
	p->same_cluster = 1;
	p->background = copies;
	draft_fp(&a, &p->a);
	draft_fp(&b, &p->b);
	draft_free(&a);
	draft_free(&b);
}

static void
build_set(void)
{
	uint64_t	 s = SEED;
	size_t		 i, j;
	unsigned	 v;

	load_stories();
	assert_true(nstories >= 40);
	for (i = 0; i < nstories; i++)
		for (v = 0; v < VARIANTS; v++)
			make_positive(i, v, &s);
	for (i = 0; i < nstories; i++)
		for (j = i + 1; j < nstories; j++)
			make_negative(i, j, &s);
	for (i = 0; i < nstories; i++)
		for (j = i + 1; j < nstories; j++)
			if (strcmp(stories[i].cluster, stories[j].cluster) == 0) {
				make_background(i, j, 1, &s);
				make_background(j, i, 2, &s);
			}
}

/* Measure */

struct score {
	size_t	 tp, fp, fn, tn;
};

static double
precision(const struct score *c)
{
	return c->tp + c->fp == 0 ? 1.0 : (double)c->tp / (c->tp + c->fp);
}

static double
recall(const struct score *c)
{
	return c->tp + c->fn == 0 ? 1.0 : (double)c->tp / (c->tp + c->fn);
}

static void
score(const struct dedup_params *prm, struct score *c, int verbose)
{
	const struct pair	*p;
	enum dedup_verdict	 v;
	unsigned		 d, e;
	double			 sim;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < npairs; i++) {
		p = &pairs[i];
		v = dedup_compare(prm, &p->a, &p->b, &d, &sim);
		if (v != DEDUP_DISTINCT && p->positive)
			c->tp++;
		else if (v != DEDUP_DISTINCT)
			c->fp++;
		else if (p->positive)
			c->fn++;
		else
			c->tn++;
		if (!verbose || (v != DEDUP_DISTINCT) == p->positive)
			continue;
		printf("  %s: %s", p->positive ? "missed" : "false match",
		    stories[p->sa].name);
		if (!p->positive)
			printf(" ~ %s", stories[p->sb].name);
		printf(" distance %u similarity %.3f", d, sim);
		for (e = 0; e < ED__COUNT; e++)
			if (p->edits & (1U << e))
				printf(" %s", edit_name[e]);
		if (p->background > 0)
			printf(" (%zu background paragraphs shared)",
			    p->background);
		printf("\n");
	}
}

/* The distribution of both measures, for the report. */
static void
print_spread(void)
{
	unsigned	 maxd_neg = 64, maxd_pos = 0, d;
	double		 maxs_neg = 0, mins_pos = 1, sim, sumd = 0;
	size_t		 i, nneg = 0;

	for (i = 0; i < npairs; i++) {
		d = dedup_distance(&pairs[i].a, &pairs[i].b);
		sim = dedup_similarity(&pairs[i].a, &pairs[i].b);
		if (pairs[i].positive) {
			maxd_pos = d > maxd_pos ? d : maxd_pos;
			mins_pos = sim < mins_pos ? sim : mins_pos;
		} else {
			sumd += d;
			nneg++;
			maxd_neg = d < maxd_neg ? d : maxd_neg;
			maxs_neg = sim > maxs_neg ? sim : maxs_neg;
		}
	}
	printf("positives: largest distance %u, smallest similarity %.3f\n",
	    maxd_pos, mins_pos);
	printf("negatives: smallest distance %u (mean %.1f), largest "
	    "similarity %.3f\n", maxd_neg, nneg > 0 ? sumd / nneg : 0.0,
	    maxs_neg);
}

static void
sweep_row(struct dedup_params *prm, const char *label)
{
	static const double	 js[] = { 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 1.1 };
	struct score		 c;
	size_t			 j;

	printf("%-10s", label);
	for (j = 0; j < NELEM(js); j++) {
		prm->far_similarity = js[j];
		score(prm, &c, 0);
		printf(" %.3f/%.3f ", precision(&c), recall(&c));
	}
	printf("\n");
}

/*
 * Rows: max_distance and min_similarity; columns: far_similarity (1.1:
 * off, SimHash distance alone finds candidates).
 */
static void
sweep(void)
{
	static const unsigned	 ks[] = { 0, 3, 5, 7, 11, 15 };
	static const double	 mins[] = { 0.1, 0.2, 0.3 };
	struct dedup_params	 prm;
	char			 label[32];
	size_t			 i, j;
	int			 r;

	dedup_params_default(&prm);
	printf("sweep: precision/recall; columns far_similarity 0.2 0.3 0.35 "
	    "0.4 0.5 0.6 off\n");
	for (j = 0; j < NELEM(mins); j++)
		for (i = 0; i < NELEM(ks); i++) {
			prm.max_distance = ks[i];
			prm.min_similarity = mins[j];
			r = snprintf(label, sizeof(label), "k=%u J>=%.1f",
			    ks[i], mins[j]);
			assert_true(r > 0 && (size_t)r < sizeof(label));
			sweep_row(&prm, label);
		}
}

static void
test_precision_recall(void **unused)
{
	struct dedup_params	 prm;
	struct score		 c;
	size_t			 i, pos = 0, near = 0;

	(void)unused;
	build_set();
	for (i = 0; i < npairs; i++) {
		pos += pairs[i].positive;
		near += pairs[i].same_cluster;
	}
	dedup_params_default(&prm);
	printf("dupset: %zu stories, %zu pairs: %zu positive, %zu negative "
	    "(%zu in the same topic cluster)\n", nstories, npairs, pos,
	    npairs - pos, near);
	printf("defaults: max_distance %u, min_similarity %.2f, "
	    "far_similarity %.2f, min_shingles %u\n", prm.max_distance,
	    prm.min_similarity, prm.far_similarity, prm.min_shingles);
	print_spread();
	score(&prm, &c, 1);
	printf("tp %zu fp %zu fn %zu tn %zu: precision %.4f recall %.4f\n",
	    c.tp, c.fp, c.fn, c.tn, precision(&c), recall(&c));
	if (getenv("DUPSET_SWEEP") != NULL)
		sweep();
	assert_true(npairs >= 300);
	assert_true(precision(&c) >= 0.98);
	assert_true(recall(&c) >= 0.95);
}

/*
 * The index must agree with the pairwise decision: every base story in,
 * each positive copy the decision accepts finds its own story, never
 * another.  The MinHash bands are probabilistic (a pair at similarity 0.4
 * shares a band with probability 0.995), so a few misses are allowed and
 * printed.
 */
static void
test_index_agrees(void **unused)
{
	struct dedup_params	 prm;
	struct dedup_index	*x;
	struct dedup_match	 m;
	char			 id[DEDUP_ID_LEN + 1];
	size_t			 i, want = 0, got = 0;
	int			 r;

	(void)unused;
	assert_true(npairs > 0);
	dedup_params_default(&prm);
	assert_non_null(x = dedup_new(&prm));
	/* The first positive of each story holds its original as a. */
	for (i = 0; i < npairs; i++) {
		if (!pairs[i].positive || i % VARIANTS != 0)
			continue;
		r = snprintf(id, sizeof(id), "s%zu", pairs[i].sa);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_int_equal(dedup_add(x, id, (int64_t)i, &pairs[i].a), 0);
	}
	assert_int_equal(dedup_count(x), nstories);
	for (i = 0; i < npairs; i++) {
		if (!pairs[i].positive || dedup_compare(&prm, &pairs[i].a,
		    &pairs[i].b, NULL, NULL) == DEDUP_DISTINCT)
			continue;
		want++;
		if (!dedup_find(x, &pairs[i].b, &m)) {
			printf("  index missed %s: distance %u similarity "
			    "%.3f\n", stories[pairs[i].sa].name,
			    dedup_distance(&pairs[i].a, &pairs[i].b),
			    dedup_similarity(&pairs[i].a, &pairs[i].b));
			continue;
		}
		r = snprintf(id, sizeof(id), "s%zu", pairs[i].sa);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_string_equal(m.id, id);
		got++;
	}
	printf("index: found %zu of the %zu accepted copies\n", got, want);
	assert_true(want > 0);
	assert_true(got * 100 >= want * 99);
	dedup_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precision_recall),
		cmocka_unit_test(test_index_agrees),
	};
	int	 rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(pairs);
	return rc;
}
