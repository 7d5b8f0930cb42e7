/*
 * test_dupset: precision and recall of the duplicate decision on a
 * labelled set built from the base stories in tests/dupset/stories/.
 *
 * Positives, three kinds:
 * - copy: a base story against a copy with realistic edits (headline
 *   tag, rewritten first sentence, a paragraph dropped or added, a byline
 *   and footer, a shortened version keeping 60-80% of the paragraphs,
 *   light word substitutions), one to three edits per copy;
 * - brief: the first 30-50% of a story (whole paragraphs, then whole
 *   sentences), as a wire sends ahead of the full text, with or without
 *   a dateline, a "more to follow" line or another outlet's byline and
 *   footer;
 * - update: two new paragraphs (tests/dupset/updates.txt) on top of the
 *   whole earlier text.
 * Negatives, four kinds:
 * - other: every pair of different base stories (many share a topic
 *   cluster and names), each side dressed with the same or a different
 *   outlet's byline and footer;
 * - background: for every pair in one topic cluster, follow-ups that
 *   repeat one or two background paragraphs of the other story inside
 *   their own new text, which is a whole story or only its first two or
 *   three paragraphs;
 * - template: two stories of one outlet inside the same frame of share
 *   and subscribe lines (tests/dupset/frames/), whole or cut to their
 *   first paragraphs;
 * - quote: a story quoting three sentences of another.
 * Everything is drawn from a seeded generator, so the set is the same on
 * every run.
 *
 * Prints precision, recall (per kind too) and every miss.  DUPSET_SWEEP=1
 * in the environment also prints precision/recall for a grid of
 * thresholds (how the defaults in store/dedup.c were chosen).
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

#define DUPSET		"tests/dupset/"
#define STORIES		DUPSET "stories/"
#define FRAMES		DUPSET "frames/"
#define UPDATES		DUPSET "updates.txt"
#define SEED		20240611ULL
#define VARIANTS	10	/* copies per base story */
#define BRIEFS		6	/* briefs per base story */
#define UPDATES_PER	3	/* updates per base story */
#define MAX_STORIES	128
#define MAX_PARAS	64
#define MAX_FRAMES	8

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

/* What a pair is; the positives first. */
enum kind {
	K_COPY,
	K_BRIEF,
	K_UPDATE,
	K_OTHER,
	K_BACKGROUND,
	K_TEMPLATE,
	K_QUOTE,
	K__COUNT
};
#define K_FIRST_NEGATIVE	K_OTHER

static const char *const kind_name[K__COUNT] = {
	"copy", "brief", "update", "other", "background", "template", "quote"
};

struct story {
	char	 name[128];
	char	 cluster[32];
	char	*title;
	char	*para[MAX_PARAS];
	size_t	 npara;
};

/* Paragraphs of a data file: one a line. */
struct lines {
	char	*line[MAX_PARAS];
	size_t	 n;
};

/* An outlet's frame: paragraphs before and after every story. */
struct frame {
	struct lines	 head, tail;
};

struct pair {
	struct dedup_fp	 a, b;
	enum kind	 kind;
	int		 positive;
	int		 same_cluster;
	unsigned	 edits;		/* bit per enum edit (copies) */
	size_t		 background;	/* paragraphs of a copied into b */
	unsigned	 pct;		/* brief: share of the story kept */
	size_t		 sa, sb;	/* story indices */
};

static struct story	 stories[MAX_STORIES];
static size_t		 nstories;
static struct lines	 updates;
static struct frame	 frames[MAX_FRAMES];
static size_t		 nframes;
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
xstrdup(const char *s)
{
	char	*p = strdup(s);

	assert_non_null(p);
	return p;
}

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

/*
 * A data file of paragraphs, one a line; blank lines and lines starting
 * with # do not count.  A line "%%" moves on to the next list (a frame's
 * tail), when there is one.
 */
static void
lines_parse(char *data, struct lines *l, struct lines *next)
{
	char	*p, *line;

	for (p = data; (line = strsep(&p, "\n")) != NULL; ) {
		if (*line == '\0' || *line == '#')
			continue;
		if (strcmp(line, "%%") == 0 && next != NULL) {
			l = next;
			next = NULL;
			continue;
		}
		assert_true(l->n < MAX_PARAS);
		l->line[l->n++] = line;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.txt files of dir, sorted (readdir order is the file system's). */
static size_t
txt_files(const char *dir, char **names, size_t max)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n, len;

	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s (run from the repository root)", dir);
	for (n = 0; (de = readdir(d)) != NULL; ) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		assert_true(n < max);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	return n;
}

static char *
path_in(const char *dir, const char *name)
{
	char	 path[512];
	int	 r;

	r = snprintf(path, sizeof(path), "%s%s", dir, name);
	assert_true(r > 0 && (size_t)r < sizeof(path));
	return slurp(path);
}

static void
load_data(void)
{
	char	*names[MAX_STORIES];
	size_t	 i;

	nstories = txt_files(STORIES, names, MAX_STORIES);
	for (i = 0; i < nstories; i++) {
		assert_true(strlen(names[i]) < sizeof(stories[i].name));
		memcpy(stories[i].name, names[i], strlen(names[i]) + 1);
		story_parse(&stories[i], path_in(STORIES, names[i]));
		story_cluster(&stories[i]);
		assert_true(stories[i].npara >= 4);
		free(names[i]);
	}
	nframes = txt_files(FRAMES, names, MAX_FRAMES);
	for (i = 0; i < nframes; i++) {
		lines_parse(path_in(FRAMES, names[i]), &frames[i].head,
		    &frames[i].tail);
		assert_true(frames[i].head.n > 0 && frames[i].tail.n > 0);
		free(names[i]);
	}
	lines_parse(slurp(UPDATES), &updates, NULL);
	assert_true(nframes >= 2 && updates.n >= 2);
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
	char		*para[MAX_PARAS + 16];
	size_t		 npara;
	const char	*byline, *footer;
};

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

/* A copy of text as paragraph at of d (at == d->npara: the last). */
static void
draft_insert(struct draft *d, size_t at, const char *text)
{
	assert_true(at <= d->npara && d->npara < NELEM(d->para));
	memmove(d->para + at + 1, d->para + at,
	    (d->npara - at) * sizeof(d->para[0]));
	d->para[at] = xstrdup(text);
	d->npara++;
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

static void
draft_set(struct draft *d, size_t i, struct buf *p)
{
	free(d->para[i]);
	d->para[i] = buf_steal(p);
	assert_non_null(d->para[i]);
	buf_free(p);
}

static void
edit_dateline(struct draft *d, uint64_t *s)
{
	struct buf	 p;

	buf_init(&p, 1 << 16);
	assert_int_equal(buf_printf(&p, "%s%s",
	    datelines[rnd_below(s, NELEM(datelines))], d->para[0]), BUF_OK);
	draft_set(d, 0, &p);
}

/* A dateline before the lead, or the headline as the first sentence. */
static void
edit_lead(struct draft *d, uint64_t *s, const struct story *st)
{
	struct buf	 p;
	const char	*rest;

	if (rnd(s) & 1) {
		edit_dateline(d, s);
		return;
	}
	buf_init(&p, 1 << 16);
	rest = strstr(d->para[0], ". ");
	rest = rest != NULL ? rest + 2 : "";
	assert_int_equal(buf_printf(&p, "%s, officials and people "
	    "familiar with the matter said. %s", st->title, rest), BUF_OK);
	draft_set(d, 0, &p);
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

	draft_insert(d, at, extra_paras[rnd_below(s, NELEM(extra_paras))]);
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

/* Text measures */

/* Characters that are not spaces: the length of text in any script. */
static size_t
text_size(const char *p, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80 && p[i] != ' ' &&
		    p[i] != '\n')
			n++;
	return n;
}

static size_t
draft_size(const struct draft *d)
{
	size_t	 i, n = 0;

	for (i = 0; i < d->npara; i++)
		n += text_size(d->para[i], strlen(d->para[i]));
	return n;
}

/* The end of the sentence at p, its full stop (or 。) included. */
static const char *
sentence_end(const char *p)
{
	for (; *p != '\0'; p++) {
		if ((*p == '.' || *p == '?' || *p == '!') &&
		    (p[1] == ' ' || p[1] == '\0'))
			return p + 1;
		if (strncmp(p, "\xe3\x80\x82", 3) == 0)	/* 。 */
			return p + 3;
	}
	return p;
}

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/*
 * Keep the first pct percent of d's text: whole paragraphs, then whole
 * sentences of the next one, never more than half.
 */
static void
cut_brief(struct draft *d, unsigned pct)
{
	size_t		 total = draft_size(d), target, kept = 0, i, n;
	const char	*p, *e;

	target = total * pct / 100;
	for (i = 0; i < d->npara; i++) {
		n = text_size(d->para[i], strlen(d->para[i]));
		if (kept + n > target)
			break;
		kept += n;
	}
	if (i < d->npara && kept < target) {
		for (p = d->para[i]; *p != '\0' && kept < target; p = e) {
			e = skip_spaces(sentence_end(p));
			n = text_size(p, (size_t)(e - p));
			if (kept > 0 && kept + n > total / 2)
				break;
			kept += n;
		}
		if (p > d->para[i]) {
			d->para[i][p - d->para[i]] = '\0';
			i++;
		}
	}
	while (d->npara > i && d->npara > 1)
		draft_remove(d, d->npara - 1);
}

/* Pairs */

static struct pair *
new_pair(enum kind k, size_t i, size_t j)
{
	struct pair	*p;

	if (npairs == pairs_cap) {
		pairs_cap = pairs_cap == 0 ? 1024 : pairs_cap * 2;
		assert_non_null(p = realloc(pairs, pairs_cap * sizeof(*p)));
		pairs = p;
	}
	p = &pairs[npairs++];
	memset(p, 0, sizeof(*p));
	p->kind = k;
	p->positive = k < K_FIRST_NEGATIVE;
	p->sa = i;
	p->sb = j;
	p->same_cluster = strcmp(stories[i].cluster, stories[j].cluster) == 0;
	return p;
}

static void
pair_done(struct pair *p, struct draft *a, struct draft *b)
{
	draft_fp(a, &p->a);
	draft_fp(b, &p->b);
	draft_free(a);
	draft_free(b);
}

/* A copy of story i with one to three edits, the first by turn. */
static void
make_positive(size_t i, unsigned v, uint64_t *s)
{
	struct draft	 orig, copy;
	struct pair	*p = new_pair(K_COPY, i, i);
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
	pair_done(p, &orig, &copy);
}

static const char *const brief_notes[] = {
	"More to follow.",
	"This is a developing story. Check back for updates.",
	"Read the full story on our website.",
	"Full story to follow.",
};

/*
 * A brief of story i, its first 30-50%, against the full story (a); both
 * bare, or dressed by one outlet, or the brief with a dateline and a note,
 * or each by its own outlet.
 */
static void
make_brief(size_t i, uint64_t *s)
{
	struct draft	 full, brief;
	struct pair	*p = new_pair(K_BRIEF, i, i);

	draft_init(&full, &stories[i]);
	draft_init(&brief, &stories[i]);
	p->pct = 30 + (unsigned)rnd_below(s, 21);
	cut_brief(&brief, p->pct);
	if (rnd(s) & 1)
		edit_tag(&brief, s);
	switch (rnd_below(s, 6)) {
	case 0:
		break;
	case 1:		/* one outlet */
		edit_byline(&full, s);
		brief.byline = full.byline;
		brief.footer = full.footer;
		break;
	case 2:
		brief.footer = brief_notes[rnd_below(s, NELEM(brief_notes))];
		break;
	case 3:
		edit_dateline(&brief, s);
		brief.footer = brief_notes[rnd_below(s, NELEM(brief_notes))];
		break;
	case 4:		/* the site dresses its full story, the wire not */
		edit_byline(&full, s);
		break;
	default:	/* two outlets */
		edit_byline(&full, s);
		edit_byline(&brief, s);
		break;
	}
	pair_done(p, &full, &brief);
}

/* Two new paragraphs on top of the whole earlier text of story i. */
static void
make_update(size_t i, uint64_t *s)
{
	struct draft	 old, upd;
	struct pair	*p = new_pair(K_UPDATE, i, i);
	size_t		 k = rnd_below(s, updates.n);

	draft_init(&old, &stories[i]);
	draft_init(&upd, &stories[i]);
	if (rnd_below(s, 3) == 0) {
		edit_byline(&old, s);
		upd.byline = old.byline;
		upd.footer = old.footer;
	}
	draft_insert(&upd, 0, updates.line[(k + 1) % updates.n]);
	draft_insert(&upd, 0, updates.line[k]);
	if (rnd(s) & 1)
		edit_tag(&upd, s);
	pair_done(p, &old, &upd);
}

/* Two different stories, half the time from the same outlet. */
static void
make_negative(size_t i, size_t j, uint64_t *s)
{
	struct draft	 a, b;
	struct pair	*p = new_pair(K_OTHER, i, j);

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
	pair_done(p, &a, &b);
}

/*
 * A follow-up that repeats background: story j (whole, or short: its
 * first two or three paragraphs) with one or two different paragraphs of
 * story i (not its lead) inserted before its last paragraph, as wire
 * updates do.  A different story all the same.
 */
static void
make_background(size_t i, size_t j, size_t copies, int shortened,
    uint64_t *s)
{
	struct draft	 a, b;
	struct pair	*p = new_pair(K_BACKGROUND, i, j);
	size_t		 k, from, first = 0;

	draft_init(&a, &stories[i]);
	draft_init(&b, &stories[j]);
	if (shortened)
		while (b.npara > 2 + rnd_below(s, 2))
			draft_remove(&b, b.npara - 1);
	for (k = 0; k < copies; k++) {
		do
			from = 1 + rnd_below(s, stories[i].npara - 1);
		while (k > 0 && from == first);
		first = from;
		draft_insert(&b, b.npara - 1, stories[i].para[from]);
	}
	p->background = copies;
	pair_done(p, &a, &b);
}

/* Story i whole, or its first paragraphs, inside frame f. */
static void
framed(struct draft *d, size_t i, const struct frame *f, uint64_t *s)
{
	size_t	 k;

	draft_init(d, &stories[i]);
	if (rnd(s) & 1)
		while (d->npara > 2 + rnd_below(s, 2))
			draft_remove(d, d->npara - 1);
	for (k = f->head.n; k-- > 0; )
		draft_insert(d, 0, f->head.line[k]);
	for (k = 0; k < f->tail.n; k++)
		draft_insert(d, d->npara, f->tail.line[k]);
}

/* Two stories of one outlet in the same frame of share/subscribe lines. */
static void
make_template(size_t i, size_t j, uint64_t *s)
{
	struct draft		 a, b;
	struct pair		*p = new_pair(K_TEMPLATE, i, j);
	const struct frame	*f = &frames[rnd_below(s, nframes)];

	framed(&a, i, f, s);
	framed(&b, j, f, s);
	pair_done(p, &a, &b);
}

static const char *const quote_intros[] = {
	"As the Northern Wire reported earlier this week: ",
	"In a report published on Monday, the Daily Ledger wrote: ",
	"An earlier account of the events read: ",
};

/* Three sentences in a row of story i (after its lead), quoted. */
static char *
quote_of(size_t i, uint64_t *s)
{
	const char	*from[MAX_PARAS * 16], *to[MAX_PARAS * 16], *p, *e;
	struct buf	 q;
	size_t		 n = 0, k, at;
	char		*t;

	for (k = 1; k < stories[i].npara; k++)
		for (p = stories[i].para[k]; *p != '\0'; p = skip_spaces(e)) {
			e = sentence_end(p);
			assert_true(n < NELEM(from));
			from[n] = p;
			to[n++] = e;
		}
	assert_true(n >= 3);
	at = rnd_below(s, n - 2);
	buf_init(&q, 1 << 16);
	assert_int_equal(buf_printf(&q, "%s\"",
	    quote_intros[rnd_below(s, NELEM(quote_intros))]), BUF_OK);
	for (k = at; k < at + 3; k++)
		assert_int_equal(buf_printf(&q, "%s%.*s", k > at ? " " : "",
		    (int)(to[k] - from[k]), from[k]), BUF_OK);
	assert_int_equal(buf_addch(&q, '"'), BUF_OK);
	t = buf_steal(&q);
	buf_free(&q);
	assert_non_null(t);
	return t;
}

/* Story j (whole, or its first three paragraphs) quoting story i. */
static void
make_quote(size_t i, size_t j, uint64_t *s)
{
	struct draft	 a, b;
	struct pair	*p = new_pair(K_QUOTE, i, j);
	char		*q = quote_of(i, s);

	draft_init(&a, &stories[i]);
	draft_init(&b, &stories[j]);
	if (rnd(s) & 1)
		while (b.npara > 3)
			draft_remove(&b, b.npara - 1);
	draft_insert(&b, 1 + rnd_below(s, b.npara - 1), q);
	free(q);
	pair_done(p, &a, &b);
}

static int
same_cluster(size_t i, size_t j)
{
	return strcmp(stories[i].cluster, stories[j].cluster) == 0;
}

static void
build_set(void)
{
	uint64_t	 s = SEED;
	size_t		 i, j;
	unsigned	 v;

	load_data();
	assert_true(nstories >= 40);
	for (i = 0; i < nstories; i++)
		for (v = 0; v < VARIANTS; v++)
			make_positive(i, v, &s);
	for (i = 0; i < nstories; i++)
		for (v = 0; v < BRIEFS; v++)
			make_brief(i, &s);
	for (i = 0; i < nstories; i++)
		for (v = 0; v < UPDATES_PER; v++)
			make_update(i, &s);
	for (i = 0; i < nstories; i++)
		for (j = i + 1; j < nstories; j++)
			make_negative(i, j, &s);
	for (i = 0; i < nstories; i++)
		for (j = i + 1; j < nstories; j++) {
			if (!same_cluster(i, j)) {
				/* Outlets frame stories on every topic. */
				if (rnd_below(&s, 8) == 0)
					make_template(i, j, &s);
				continue;
			}
			make_background(i, j, 1, 0, &s);
			make_background(j, i, 2, 0, &s);
			make_background(i, j, 2, 1, &s);
			make_background(j, i, 2, 1, &s);
			make_template(i, j, &s);
			make_quote(i, j, &s);
			make_quote(j, i, &s);
		}
}

/* Measure */

struct score {
	size_t	 tp, fp, fn, tn;
	size_t	 kind_n[K__COUNT], kind_ok[K__COUNT];
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
print_miss(const struct pair *p, unsigned d, double sim, double cont)
{
	unsigned	 e;

	printf("  %s %s: %s", p->positive ? "missed" : "false match",
	    kind_name[p->kind], stories[p->sa].name);
	if (!p->positive)
		printf(" ~ %s", stories[p->sb].name);
	printf(" distance %u similarity %.3f containment %.3f", d, sim, cont);
	for (e = 0; e < ED__COUNT; e++)
		if (p->edits & (1U << e))
			printf(" %s", edit_name[e]);
	if (p->pct > 0)
		printf(" (%u%% kept)", p->pct);
	if (p->background > 0)
		printf(" (%zu background paragraphs shared)", p->background);
	printf("\n");
}

static void
score(const struct dedup_params *prm, struct score *c, int verbose)
{
	const struct pair	*p;
	enum dedup_verdict	 v;
	unsigned		 d;
	double			 sim, cont;
	size_t			 i;
	int			 dup;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < npairs; i++) {
		p = &pairs[i];
		v = dedup_compare(prm, &p->a, &p->b, &d, &sim);
		cont = dedup_containment(&p->a, &p->b);
		dup = v != DEDUP_DISTINCT;
		if (dup && p->positive)
			c->tp++;
		else if (dup)
			c->fp++;
		else if (p->positive)
			c->fn++;
		else
			c->tn++;
		c->kind_n[p->kind]++;
		c->kind_ok[p->kind] += dup == p->positive;
		if (verbose && dup != p->positive)
			print_miss(p, d, sim, cont);
	}
}

static void
print_kinds(const struct score *c)
{
	enum kind	 k;

	for (k = 0; k < K__COUNT; k++)
		if (k < K_FIRST_NEGATIVE)
			printf("  %-10s %4zu pairs, recall %.4f\n", kind_name[k],
			    c->kind_n[k], c->kind_n[k] == 0 ? 1.0 :
			    (double)c->kind_ok[k] / c->kind_n[k]);
		else
			printf("  %-10s %4zu pairs, %zu false matches\n",
			    kind_name[k], c->kind_n[k],
			    c->kind_n[k] - c->kind_ok[k]);
}

/* The spread of the three measures per kind, for the report. */
static void
print_spread(void)
{
	const struct pair	*p;
	double			 lo_s[K__COUNT], hi_s[K__COUNT];
	double			 lo_c[K__COUNT], hi_c[K__COUNT], sim, cont;
	unsigned		 lo_d[K__COUNT], hi_d[K__COUNT], d;
	enum kind		 k;
	size_t			 i;

	for (k = 0; k < K__COUNT; k++) {
		lo_s[k] = lo_c[k] = 2;
		hi_s[k] = hi_c[k] = -1;
		lo_d[k] = 65;
		hi_d[k] = 0;
	}
	for (i = 0; i < npairs; i++) {
		p = &pairs[i];
		k = p->kind;
		d = dedup_distance(&p->a, &p->b);
		sim = dedup_similarity(&p->a, &p->b);
		cont = dedup_containment(&p->a, &p->b);
		lo_d[k] = d < lo_d[k] ? d : lo_d[k];
		hi_d[k] = d > hi_d[k] ? d : hi_d[k];
		lo_s[k] = sim < lo_s[k] ? sim : lo_s[k];
		hi_s[k] = sim > hi_s[k] ? sim : hi_s[k];
		lo_c[k] = cont < lo_c[k] ? cont : lo_c[k];
		hi_c[k] = cont > hi_c[k] ? cont : hi_c[k];
	}
	printf("spread: kind, distance, similarity, containment (min-max)\n");
	for (k = 0; k < K__COUNT; k++)
		printf("  %-10s %2u-%-2u  %.3f-%.3f  %.3f-%.3f\n", kind_name[k],
		    lo_d[k], hi_d[k], lo_s[k], hi_s[k], lo_c[k], hi_c[k]);
}

static void
sweep_row(struct dedup_params *prm, const char *label)
{
	static const double	 cs[] = { 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.1 };
	struct score		 c;
	size_t			 j;

	printf("%-18s", label);
	for (j = 0; j < NELEM(cs); j++) {
		prm->min_containment = cs[j];
		score(prm, &c, 0);
		printf(" %.3f/%.3f", precision(&c), recall(&c));
	}
	printf("\n");
}

/*
 * Rows: far_similarity and containment_shingles; columns: min_containment
 * (1.1: off, similarity alone decides).
 */
static void
sweep(void)
{
	static const double	 fs[] = { 0.35, 0.4, 0.5 };
	static const unsigned	 ns[] = { 30, 40, 60, 80 };
	struct dedup_params	 prm;
	char			 label[32];
	size_t			 i, j;
	int			 r;

	dedup_params_default(&prm);
	printf("sweep: precision/recall; columns min_containment 0.5 0.6 "
	    "0.7 0.75 0.8 0.9 off\n");
	for (j = 0; j < NELEM(fs); j++)
		for (i = 0; i < NELEM(ns); i++) {
			prm.far_similarity = fs[j];
			prm.containment_shingles = ns[i];
			r = snprintf(label, sizeof(label), "J>=%.2f short>=%u",
			    fs[j], ns[i]);
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
		near += !pairs[i].positive && pairs[i].same_cluster;
	}
	dedup_params_default(&prm);
	printf("dupset: %zu stories, %zu pairs: %zu positive, %zu negative "
	    "(%zu in the same topic cluster)\n", nstories, npairs, pos,
	    npairs - pos, near);
	printf("defaults: max_distance %u, min_similarity %.2f, "
	    "far_similarity %.2f, min_shingles %u, min_containment %.2f, "
	    "containment_shingles %u\n", prm.max_distance,
	    prm.min_similarity, prm.far_similarity, prm.min_shingles,
	    prm.min_containment, prm.containment_shingles);
	print_spread();
	score(&prm, &c, 1);
	print_kinds(&c);
	printf("tp %zu fp %zu fn %zu tn %zu: precision %.4f recall %.4f\n",
	    c.tp, c.fp, c.fn, c.tn, precision(&c), recall(&c));
	if (getenv("DUPSET_SWEEP") != NULL)
		sweep();
	assert_true(npairs >= 2000);
	assert_true(precision(&c) == 1.0);
	assert_true(recall(&c) >= 0.99);
	assert_true(c.kind_ok[K_BRIEF] * 100 >= c.kind_n[K_BRIEF] * 99);
}

/*
 * Query the index of the a (b: when from_b) sides of pairs i with
 * pairs[i].kind == k with the other side of every accepted pair of kind
 * q: it must find a story of the same base story, never another.  The
 * MinHash bands are probabilistic, so a few misses are allowed, and
 * printed.
 */
static void
index_agrees(enum kind k, int from_b, enum kind q, size_t *want,
    size_t *got)
{
	struct dedup_params	 prm;
	struct dedup_index	*x;
	struct dedup_match	 m;
	const struct dedup_fp	*in, *out;
	char			 id[DEDUP_ID_LEN + 1];
	size_t			 i;
	int			 r;

	dedup_params_default(&prm);
	assert_non_null(x = dedup_new(&prm));
	for (i = 0; i < npairs; i++) {
		/* Of copies, the first of each story: its original as a. */
		if (pairs[i].kind != k || (k == K_COPY && i % VARIANTS != 0))
			continue;
		r = snprintf(id, sizeof(id), "s%zu", pairs[i].sa);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_int_equal(dedup_add(x, id, (int64_t)i,
		    from_b ? &pairs[i].b : &pairs[i].a), 0);
	}
	for (i = 0; i < npairs; i++) {
		if (pairs[i].kind != q || dedup_compare(&prm, &pairs[i].a,
		    &pairs[i].b, NULL, NULL) == DEDUP_DISTINCT)
			continue;
		in = from_b ? &pairs[i].b : &pairs[i].a;
		out = from_b ? &pairs[i].a : &pairs[i].b;
		(*want)++;
		if (!dedup_find(x, out, &m)) {
			printf("  index missed %s %s: distance %u similarity "
			    "%.3f containment %.3f\n", kind_name[q],
			    stories[pairs[i].sa].name, dedup_distance(in, out),
			    dedup_similarity(in, out),
			    dedup_containment(in, out));
			continue;
		}
		r = snprintf(id, sizeof(id), "s%zu", pairs[i].sa);
		assert_true(r > 0 && (size_t)r < sizeof(id));
		assert_string_equal(m.id, id);
		(*got)++;
	}
	dedup_free(x);
}

/*
 * The index must agree with the pairwise decision: every base story in,
 * each copy, brief and update the decision accepts finds its own story;
 * and with the briefs in, each full story finds its brief.
 */
static void
test_index_agrees(void **unused)
{
	size_t	 want = 0, got = 0, bwant = 0, bgot = 0;

	(void)unused;
	assert_true(npairs > 0);
	index_agrees(K_COPY, 0, K_COPY, &want, &got);
	index_agrees(K_COPY, 0, K_BRIEF, &want, &got);
	index_agrees(K_COPY, 0, K_UPDATE, &want, &got);
	index_agrees(K_BRIEF, 1, K_BRIEF, &bwant, &bgot);
	printf("index: found %zu of the %zu accepted copies, briefs and "
	    "updates; %zu of %zu full stories found their brief\n", got, want,
	    bgot, bwant);
	assert_true(want > 0 && bwant > 0);
	assert_true(got * 100 >= want * 99);
	assert_true(bgot * 100 >= bwant * 99);
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
