/*
 * story: one item, built from the feed and its page, dumped once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <jansson.h>

#include "parsers/boiler.h"
#include "parsers/buf.h"
#include "parsers/date.h"
#include "parsers/extract.h"
#include "parsers/htmlclean.h"
#include "parsers/jsonio.h"
#include "parsers/langid.h"
#include "parsers/norm.h"
#include "parsers/swar.h"
#include "parsers/text.h"
#include "parsers/words.h"
#include "daemon/story.h"


static char *
story_hashed_key(const char *a, const char *b)
{
	char		 key[2 + 16 + 1];
	uint64_t	 h;

	h = words_hash(a, strlen(a), 0);
	h = words_hash("\n", 1, h);	/* so "ab"+"c" differs from "a"+"bc" */
	h = words_hash(b, strlen(b), h);
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

/*
 * The title normalised, then without its site tag (the separators are
 * found between plain spaces); NULL when out of memory.
 */
static char *
story_clean_title(const char *title, const char *lang, const char *site_name,
    const char *feed_title, const struct story_hints *h)
{
	struct boiler_hints	 bh;
	char			*t, *n;

	memset(&bh, 0, sizeof(bh));
	bh.site_name = site_name;
	bh.feed_title = feed_title;
	bh.host = h != NULL ? h->host : NULL;
	bh.tags = h != NULL ? h->tags : NULL;
	bh.ntags = h != NULL ? h->ntags : 0;
	if ((n = norm_line_lang(title, lang)) == NULL)
		return NULL;
	t = boiler_title(n, &bh);
	free(n);
	return t;
}

/* A body text without boilerplate, normalised; NULL when out of memory. */
static char *
story_clean_text(const char *text, const char *title, const char *byline,
    const char *lang, const struct story_hints *h)
{
	char	*b, *n;

	b = boiler_body(text, title, byline, h != NULL ? h->lines : NULL,
	    h != NULL ? h->nlines : 0);
	if (b == NULL)
		return NULL;
	n = norm_text(b, lang);
	free(b);
	return n;
}

/* The hash of a title and the plain text of the item's body. */
static uint64_t
story_hash_text(const char *title, const char *text)
{
	uint64_t	 h;

	h = words_hash(title != NULL ? title : "",
	    title != NULL ? strlen(title) : 0, 0);
	h = words_hash("\n", 1, h);
	if (text != NULL)
		h = words_hash(text, strlen(text), h);
	return h != 0 ? h : 1;
}

uint64_t
story_content_hash(const struct feed_item *it)
{
	char		*text;
	uint64_t	 h;

	text = story_text(it);
	h = story_hash_text(it->title, text);
	free(text);
	return h;
}

/* A copy of s, or NULL for NULL; *bad is set when out of memory. */
static char *
story_dup(const char *s, int *bad)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*bad = 1;
	return d;
}

/* Replace *slot by v (taken); v NULL means out of memory: -1. */
static int
story_take(char **slot, char *v)
{
	if (v == NULL)
		return -1;
	free(*slot);
	*slot = v;
	return 0;
}

/*
 * The story's authors: the item's, or when it names none, its first
 * contributor (as the parser took an Atom contributor before it kept them
 * apart), so that the story still has a byline.
 */
static const struct feed_person *
story_people(const struct feed_item *it, size_t *n)
{
	*n = it->nauthors > 0 ? it->nauthors : it->ncontributors > 0 ? 1 : 0;
	return it->nauthors > 0 ? it->authors : it->contributors;
}

static int
story_copy_lists(struct story *s, const struct feed_item *it)
{
	const struct feed_person	*who;
	size_t				 i, n;
	int				 bad = 0;

	who = story_people(it, &n);
	if (n > 0 && (s->authors = calloc(n, sizeof(*s->authors))) == NULL)
		return -1;
	for (i = 0; i < n; i++, s->nauthors++) {
		s->authors[i].name = story_dup(who[i].name, &bad);
		s->authors[i].email = story_dup(who[i].email, &bad);
		s->authors[i].uri = story_dup(who[i].uri, &bad);
	}
	if (it->ncategories > 0 && (s->categories = calloc(it->ncategories,
	    sizeof(*s->categories))) == NULL)
		return -1;
	/* A category without a term says nothing: left out. */
	for (i = 0; i < it->ncategories; i++)
		if (it->categories[i].term != NULL)
			s->categories[s->ncategories++] =
			    story_dup(it->categories[i].term, &bad);
	if (it->nenclosures > 0 && (s->enclosures = calloc(it->nenclosures,
	    sizeof(*s->enclosures))) == NULL)
		return -1;
	for (i = 0; i < it->nenclosures; i++, s->nenclosures++) {
		s->enclosures[i].url = story_dup(it->enclosures[i].url, &bad);
		s->enclosures[i].type = story_dup(it->enclosures[i].type, &bad);
		s->enclosures[i].length = story_dup(it->enclosures[i].length,
		    &bad);
	}
	return bad ? -1 : 0;
}

/*
 * Where nothing declares the story's language, a guess from its title and
 * text, or none.  The guess is only a label: the text was normalised as
 * of no declared language (norm tells English by itself), so a story
 * reads the same whether the guess is made or not.  0, or -1 when out of
 * memory.
 */
static int
story_detect_language(struct story *s)
{
	char	 tag[LANGID_TAG_MAX];

	/* (A pending row of schema 2 has a language and no source.) */
	if ((s->language_source != STORY_LANG_NONE &&
	    s->language_source != STORY_LANG_DETECTED) ||
	    (s->language_source == STORY_LANG_NONE && s->language != NULL))
		return 0;
	if (!langid_guess(s->title, s->text, tag, sizeof(tag))) {
		free(s->language);
		s->language = NULL;
		s->language_source = STORY_LANG_NONE;
		return 0;
	}
	if (story_take(&s->language, strdup(tag)) == -1)
		return -1;
	s->language_source = STORY_LANG_DETECTED;
	return 0;
}

/* The language the story declares (item, feed or page), or NULL. */
static const char *
story_declared_language(const struct story *s)
{
	return s->language_source == STORY_LANG_DETECTED ? NULL : s->language;
}

struct story *
story_from_item(const char *id, const struct story_feed *sf,
    const struct feed_item *it, int64_t fetched, const struct story_hints *h,
    unsigned revision, const char *supersedes)
{
	struct story	*s;
	const struct feed_person *who;
	const char	*lang, *byline;
	char		*raw;
	size_t		 n;
	int		 bad = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (strlen(id) > STORY_ID_LEN)
		goto fail;
	memcpy(s->id, id, strlen(id) + 1);
	lang = it->language != NULL ? it->language : sf->language;
	s->language_source = it->language != NULL ? STORY_LANG_ITEM :
	    sf->language != NULL ? STORY_LANG_FEED : STORY_LANG_NONE;
	who = story_people(it, &n);
	byline = n > 0 ? who[0].name : NULL;
	if (it->title != NULL && (s->title = story_clean_title(it->title, lang,
	    NULL, sf->title, h)) == NULL)
		goto fail;
	if ((raw = story_text(it)) == NULL)
		goto fail;
	/* The feed's own text, hashed once it is plain: what changes tell. */
	s->content_hash = story_hash_text(it->title, raw);
	s->text = story_clean_text(raw, s->title, byline, lang, h);
	free(raw);
	if (s->text == NULL)
		goto fail;
	s->feed_name = story_dup(sf->name, &bad);
	s->feed_url = story_dup(sf->url, &bad);
	s->feed_title = story_dup(sf->title, &bad);
	s->url = story_dup(it->link, &bad);
	s->guid = story_dup(it->id, &bad);
	/* The parser's copy of one for the other is no field of the feed. */
	s->summary = it->summary_copied ? NULL : story_dup(it->summary, &bad);
	s->content = it->content_copied ? NULL : story_dup(it->content, &bad);
	s->language = story_dup(lang, &bad);
	s->supersedes = story_dup(supersedes, &bad);
	s->published = it->published;
	s->updated = it->updated;
	s->fetched = fetched;
	s->word_count = words_count(s->text);
	s->source = STORY_FROM_FEED;
	s->revision = revision;
	if (bad || story_copy_lists(s, it) == -1 ||
	    story_detect_language(s) == -1)
		goto fail;
	return s;
fail:
	story_free(s);
	return NULL;
}

/* Set *slot from the page only where the feed left it empty. */
static int
story_fill(char **slot, const char *v)
{
	if (v == NULL || *v == '\0' || *slot != NULL)
		return 0;
	return story_take(slot, strdup(v));
}

/*
 * Text: the page's, when it holds more than the feed's; its HTML then
 * made to agree with it, so neither holds the headline or a share line
 * again, nor quotes and stops the text had normalised.
 */
static int
story_page_text(struct story *s, const struct extract *ex,
    const struct story_hints *h, int *used)
{
	const char	*lang = story_declared_language(s);
	char		*text, *html;

	if (lang == NULL)
		lang = ex->language;

	if (ex->text == NULL)
		return 0;
	text = story_clean_text(ex->text, s->title, ex->byline, lang, h);
	if (text == NULL)
		return -1;
	if (s->text != NULL && strlen(text) <= strlen(s->text)) {
		free(text);
		return 0;
	}
	if ((html = htmlclean_match(ex->html, text, lang)) == NULL) {
		free(text);
		return -1;
	}
	free(s->text);
	free(s->html);
	s->text = text;
	s->html = html;
	s->word_count = words_count(text);
	s->source = STORY_FROM_ARTICLE;
	*used = 1;
	return 0;
}

int
story_add_page(struct story *s, const struct extract *ex,
    const struct story_hints *h, int *used)
{
	const char	*cur;

	*used = 0;
	/* The page's declared language, where the feed's declared none. */
	if (ex->language != NULL && *ex->language != '\0' &&
	    story_declared_language(s) == NULL) {
		if (story_take(&s->language, strdup(ex->language)) == -1)
			return -1;
		s->language_source = STORY_LANG_PAGE;
	}
	/* Title: the feed's, or the page's, without a site tag. */
	if ((cur = s->title != NULL ? s->title : ex->title) != NULL &&
	    story_take(&s->title, story_clean_title(cur,
	    story_declared_language(s), ex->site_name, s->feed_title,
	    h)) == -1)
		return -1;
	if (story_page_text(s, ex, h, used) == -1)
		return -1;
	/* A guess from the feed's text is made again from the page's. */
	if (*used && story_detect_language(s) == -1)
		return -1;
	if (s->published == FEED_NODATE)
		s->published = ex->published;
	if (s->updated == FEED_NODATE)
		s->updated = ex->modified;
	if (story_fill(&s->byline, ex->byline) == -1 ||
	    story_fill(&s->site_name, ex->site_name) == -1 ||
	    story_fill(&s->canonical_url, ex->canonical_url) == -1)
		return -1;
	return 0;
}

int
story_mark_duplicate(struct story *s, const char *orig, const char *why)
{
	if (story_take(&s->duplicate_of, strdup(orig)) == -1)
		return -1;
	s->duplicate_reason = why;
	return 0;
}

void
story_unmark(struct story *s)
{
	free(s->duplicate_of);
	s->duplicate_of = NULL;
	s->duplicate_reason = NULL;
}

int
story_supersede(struct story *s, const char *brief, const char *why)
{
	if (story_take(&s->supersedes, strdup(brief)) == -1)
		return -1;
	s->duplicate_reason = why;
	return 0;
}

void
story_unsupersede(struct story *s)
{
	free(s->supersedes);
	s->supersedes = NULL;
	s->duplicate_reason = NULL;
}

static void
story_watch_free(struct story_watch *w)
{
	size_t	 i;

	for (i = 0; i < w->nterms; i++)
		free(w->terms[i]);
	free(w->terms);
	free(w->name);
}

void
story_clear_watch(struct story *s)
{
	size_t	 i;

	for (i = 0; i < s->nwatch; i++)
		story_watch_free(&s->watch[i]);
	free(s->watch);
	s->watch = NULL;
	s->nwatch = 0;
}

int
story_add_watch(struct story *s, const char *name, const char *const *terms,
    size_t nterms, unsigned where)
{
	struct story_watch	*nv, w;
	size_t			 i;

	memset(&w, 0, sizeof(w));
	w.where = where;
	if ((w.name = strdup(name)) == NULL ||
	    (nterms > 0 && (w.terms = calloc(nterms, sizeof(*w.terms))) == NULL))
		goto oom;
	for (i = 0; i < nterms; i++) {
		if ((w.terms[i] = strdup(terms[i])) == NULL)
			goto oom;
		w.nterms++;
	}
	if (s->nwatch == SIZE_MAX ||
	    (nv = reallocarray(s->watch, s->nwatch + 1, sizeof(*nv))) == NULL)
		goto oom;
	s->watch = nv;
	s->watch[s->nwatch++] = w;
	return 0;
oom:
	story_watch_free(&w);
	return -1;
}

void
story_free(struct story *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	story_clear_watch(s);
	for (i = 0; i < s->nauthors; i++) {
		free(s->authors[i].name);
		free(s->authors[i].email);
		free(s->authors[i].uri);
	}
	free(s->authors);
	for (i = 0; i < s->ncategories; i++)
		free(s->categories[i]);
	free(s->categories);
	for (i = 0; i < s->nenclosures; i++) {
		free(s->enclosures[i].url);
		free(s->enclosures[i].type);
		free(s->enclosures[i].length);
	}
	free(s->enclosures);
	free(s->feed_name);
	free(s->feed_url);
	free(s->feed_title);
	free(s->url);
	free(s->guid);
	free(s->title);
	free(s->summary);
	free(s->content);
	free(s->text);
	free(s->language);
	free(s->html);
	free(s->byline);
	free(s->site_name);
	free(s->canonical_url);
	free(s->supersedes);
	free(s->duplicate_of);
	free(s);
}

/* ---- the story file ---- */

/*
 * The file is written here directly, in exactly the layout jansson's
 * json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER) gives (readers and the
 * tests compare bytes): building a json_t per story only to print it cost
 * a tenth of a first poll.  A string that is not valid UTF-8 is written
 * as null, as json_string() refused it.
 */

/* The largest story file: far above any text the caps let through. */
#define STORY_FILE_MAX	(256u * 1024 * 1024)

struct jw {
	struct buf	 b;
	unsigned	 depth;
	int		 first;		/* no member yet in this container */
	int		 rc;
};

/* Length of the valid UTF-8 sequence at s (strict: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 when there is none. */
static size_t
story_utf8_len(const unsigned char *s)
{
	uint32_t	 c;
	size_t		 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

static int
story_utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = story_utf8_len(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

/* n bytes of s; in place while they fit, a call to buf_add to grow. */
static inline void
jw_add(struct jw *w, const char *s, size_t n)
{
	struct buf	*b = &w->b;

	if (w->rc != BUF_OK)
		return;
	if (n < b->size - b->len && n <= b->cap - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else
		w->rc = buf_add(b, s, n);
}

/*
 * Past the bytes from s[i] that go into a JSON string as they are: up to
 * a control, '"', '\\' or a byte above ASCII.  Most of a story is such
 * bytes, stepped over sixteen or eight at a time.
 */
static size_t
jw_plain(const unsigned char *s, size_t len, size_t i)
{
	uint64_t	 v;

#ifdef __SSE2__
	const __m128i	 ctl = _mm_set1_epi8(0x1f), dq = _mm_set1_epi8('"');
	const __m128i	 bs = _mm_set1_epi8('\\');
	__m128i		 x, stop;
	int		 m;

	for (; len - i >= 16; i += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* unsigned x <= 0x1f: a control */
		stop = _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x);
		stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(x, dq),
		    _mm_cmpeq_epi8(x, bs)));
		/* the high bit of x: above ASCII */
		if ((m = _mm_movemask_epi8(_mm_or_si128(stop, x))) != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	for (; len - i >= 8; i += 8) {
		memcpy(&v, s + i, 8);
		/* a byte under 0x20 or above 0x7f, a '"' (0x22), a '\\' (0x5c) */
		if ((HAS_LESS(v, 0x20) | HAS_ZERO(v ^ (ONES * '"')) |
		    HAS_ZERO(v ^ (ONES * '\\')) | v) & HIGHS)
			break;
	}
	for (; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\')
			break;
	return i;
}

/*
 * s as a JSON string.  With check, its UTF-8 is checked on the way (one
 * pass, not two): 0 when it is not valid, what was added then left for
 * the caller to take back; else 1.
 */
static int
jw_escape(struct jw *w, const char *str, int check)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s = (const unsigned char *)str;
	char			 esc[7];
	unsigned char		 c;
	size_t			 len = strlen(str), i = 0, run = 0, n;

	jw_add(w, "\"", 1);
	while ((i = jw_plain(s, len, i)) < len) {
		c = s[i];
		if (c >= 0x80) {
			if (!check)
				i++;
			else if ((n = story_utf8_len(s + i)) == 0)
				return 0;
			else
				i += n;
			continue;
		}
		jw_add(w, str + run, i - run);
		run = ++i;
		esc[0] = '\\';
		switch (c) {
		case '"': case '\\': esc[1] = (char)c; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			jw_add(w, esc, 6);
			continue;
		}
		jw_add(w, esc, 2);
	}
	jw_add(w, str + run, len - run);
	jw_add(w, "\"", 1);
	return 1;
}

static void
jw_str(struct jw *w, const char *s)
{
	(void)jw_escape(w, s, 0);
}

/* Before a member or an element: the comma, the line break, the indent. */
static void
jw_next(struct jw *w)
{
	unsigned	 i;

	jw_add(w, w->first ? "\n" : ",\n", w->first ? 1 : 2);
	for (i = 0; i < w->depth; i++)
		jw_add(w, "  ", 2);
	w->first = 0;
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_next(w);
	jw_str(w, key);
	jw_add(w, ": ", 2);
}

/* Open an object or an array; one closed with nothing in it is {} or []. */
static void
jw_open(struct jw *w, char c)
{
	jw_add(w, &c, 1);
	w->depth++;
	w->first = 1;
}

static void
jw_close(struct jw *w, char c)
{
	unsigned	 i;

	w->depth--;
	if (!w->first) {
		jw_add(w, "\n", 1);
		for (i = 0; i < w->depth; i++)
			jw_add(w, "  ", 2);
	}
	w->first = 0;
	jw_add(w, &c, 1);
}

static void
jw_str_or_null(struct jw *w, const char *v)
{
	size_t	 mark = w->b.len;

	if (v != NULL && jw_escape(w, v, 1))
		return;
	/* Not valid UTF-8: what was written of it taken back. */
	if (w->rc == BUF_OK && w->b.len > mark) {
		w->b.len = mark;
		w->b.data[mark] = '\0';
	}
	jw_add(w, "null", 4);
}

static void
jw_member(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	jw_str_or_null(w, v);
}

static void
jw_int(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	if (w->rc == BUF_OK)
		w->rc = buf_printf(&w->b, "%lld", v);
}

static void
jw_date(struct jw *w, const char *key, int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == FEED_NODATE || date_format(t, buf, sizeof(buf)) == -1)
		jw_member(w, key, NULL);
	else
		jw_member(w, key, buf);
}

static void
story_dump_lists(struct jw *w, const struct story *s)
{
	size_t	 i;

	jw_key(w, "authors");
	jw_open(w, '[');
	for (i = 0; i < s->nauthors; i++) {
		jw_next(w);
		jw_open(w, '{');
		jw_member(w, "name", s->authors[i].name);
		jw_member(w, "email", s->authors[i].email);
		jw_member(w, "uri", s->authors[i].uri);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_key(w, "categories");
	jw_open(w, '[');
	/* One that is not valid UTF-8 is left out, as it was. */
	for (i = 0; i < s->ncategories; i++)
		if (story_utf8_valid(s->categories[i])) {
			jw_next(w);
			jw_str(w, s->categories[i]);
		}
	jw_close(w, ']');
	jw_key(w, "enclosures");
	jw_open(w, '[');
	for (i = 0; i < s->nenclosures; i++) {
		jw_next(w);
		jw_open(w, '{');
		jw_member(w, "url", s->enclosures[i].url);
		jw_member(w, "type", s->enclosures[i].type);
		jw_member(w, "length", s->enclosures[i].length);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static const char *const story_lang_names[] = {
	[STORY_LANG_NONE] = NULL, [STORY_LANG_ITEM] = "item",
	[STORY_LANG_FEED] = "feed", [STORY_LANG_PAGE] = "page",
	[STORY_LANG_DETECTED] = "detected"
};

static const char *
story_lang_name(enum story_lang l)
{
	return (size_t)l < sizeof(story_lang_names) /
	    sizeof(story_lang_names[0]) ? story_lang_names[l] : NULL;
}

/*
 * The watches it matched; no "watch" member at all when none did (or none
 * is configured), so that files without watches stay as they were.
 */
static void
story_dump_watch(struct jw *w, const struct story *s)
{
	static const char *const where[] = { "title", "text", "categories" };
	const struct story_watch *sw;
	size_t			 i, j;

	if (s->nwatch == 0)
		return;
	jw_key(w, "watch");
	jw_open(w, '[');
	for (i = 0; i < s->nwatch; i++) {
		sw = &s->watch[i];
		jw_next(w);
		jw_open(w, '{');
		jw_member(w, "name", sw->name);
		jw_key(w, "terms");
		jw_open(w, '[');
		for (j = 0; j < sw->nterms; j++)
			if (story_utf8_valid(sw->terms[j])) {
				jw_next(w);
				jw_str(w, sw->terms[j]);
			}
		jw_close(w, ']');
		jw_key(w, "where");
		jw_open(w, '[');
		for (j = 0; j < 3; j++)
			if (sw->where & (1U << j)) {
				jw_next(w);
				jw_str(w, where[j]);
			}
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* The fields in the order of the file (README "Story files"). */
static void
story_dump_fields(struct jw *w, const struct story *s)
{
	jw_open(w, '{');
	jw_int(w, "schema", STORY_SCHEMA);
	jw_member(w, "id", s->id);
	jw_key(w, "feed");
	jw_open(w, '{');
	jw_member(w, "name", s->feed_name);
	jw_member(w, "url", s->feed_url);
	jw_member(w, "title", s->feed_title);
	jw_close(w, '}');
	jw_member(w, "url", s->url);
	jw_member(w, "guid", s->guid);
	jw_member(w, "title", s->title);
	jw_date(w, "published", s->published);
	jw_date(w, "updated", s->updated);
	jw_date(w, "fetched", s->fetched);
	story_dump_lists(w, s);
	jw_member(w, "summary", s->summary);
	jw_member(w, "content", s->content);
	jw_member(w, "text", s->text);
	jw_member(w, "language", s->language);
	jw_member(w, "language_source", story_lang_name(s->language_source));
	jw_member(w, "html", s->html);
	jw_member(w, "byline", s->byline);
	jw_member(w, "site_name", s->site_name);
	jw_member(w, "canonical_url", s->canonical_url);
	jw_int(w, "word_count", (long long)s->word_count);
	jw_member(w, "text_source", s->source == STORY_FROM_ARTICLE ?
	    "article" : "feed");
	jw_int(w, "revision", s->revision);
	jw_member(w, "supersedes", s->supersedes);
	jw_member(w, "duplicate_of", s->duplicate_of);
	/*
	 * Only a duplicate says why it is one, and a fuller text why it
	 * supersedes a story of another item ("contains").
	 */
	if (s->duplicate_of != NULL || s->duplicate_reason != NULL)
		jw_member(w, "duplicate_reason", s->duplicate_reason);
	story_dump_watch(w, s);
	jw_close(w, '}');
}

char *
story_dump(const struct story *s, size_t *lenp)
{
	struct jw	 w;
	size_t		 len;

	memset(&w, 0, sizeof(w));
	buf_init(&w.b, STORY_FILE_MAX);
	w.rc = BUF_OK;
	story_dump_fields(&w, s);
	if (w.rc != BUF_OK) {
		buf_free(&w.b);
		return NULL;
	}
	len = w.b.len;
	if (lenp != NULL)
		*lenp = len;
	return buf_steal(&w.b);
}

/* ---- reading a story file back (pending stories after a restart) ---- */

static char *
story_get(json_t *o, const char *key, int *bad)
{
	return story_dup(json_string_value(json_object_get(o, key)), bad);
}

static int64_t
story_get_date(json_t *o, const char *key)
{
	const char	*v = json_string_value(json_object_get(o, key));
	int64_t		 t;

	if (v == NULL || date_parse(v, &t) == -1)
		return FEED_NODATE;
	return t;
}

/* What "where" of a watch says, as STORY_WHERE_* bits. */
static unsigned
story_load_where(json_t *a)
{
	static const char *const where[] = { "title", "text", "categories" };
	json_t		*e;
	const char	*v;
	size_t		 i, j;
	unsigned	 bits = 0;

	json_array_foreach(a, i, e) {
		if ((v = json_string_value(e)) == NULL)
			continue;
		for (j = 0; j < 3; j++)
			if (strcmp(v, where[j]) == 0)
				bits |= 1U << j;
	}
	return bits;
}

/* The watches of a story file; what is not one of ours is left out. */
static int
story_load_watch(struct story *s, json_t *a)
{
	const char	**terms, *name;
	json_t		*e, *t, *v;
	size_t		 i, j, n;
	int		 rc;

	json_array_foreach(a, i, e) {
		if ((name = json_string_value(json_object_get(e,
		    "name"))) == NULL)
			continue;
		t = json_object_get(e, "terms");
		terms = NULL;
		if (json_array_size(t) > 0 && (terms = calloc(json_array_size(t),
		    sizeof(*terms))) == NULL)
			return -1;
		n = 0;
		json_array_foreach(t, j, v)
			if (json_is_string(v))
				terms[n++] = json_string_value(v);
		rc = story_add_watch(s, name, terms, n,
		    story_load_where(json_object_get(e, "where")));
		free(terms);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
story_load_lists(struct story *s, json_t *o)
{
	json_t	*a, *e;
	size_t	 i, n;
	int	 bad = 0;

	a = json_object_get(o, "authors");
	if ((n = json_array_size(a)) > 0 &&
	    (s->authors = calloc(n, sizeof(*s->authors))) == NULL)
		return -1;
	json_array_foreach(a, i, e) {
		s->authors[i].name = story_get(e, "name", &bad);
		s->authors[i].email = story_get(e, "email", &bad);
		s->authors[i].uri = story_get(e, "uri", &bad);
		s->nauthors++;
	}
	a = json_object_get(o, "categories");
	if ((n = json_array_size(a)) > 0 &&
	    (s->categories = calloc(n, sizeof(*s->categories))) == NULL)
		return -1;
	json_array_foreach(a, i, e)
		if (json_is_string(e))
			s->categories[s->ncategories++] =
			    story_dup(json_string_value(e), &bad);
	a = json_object_get(o, "enclosures");
	if ((n = json_array_size(a)) > 0 &&
	    (s->enclosures = calloc(n, sizeof(*s->enclosures))) == NULL)
		return -1;
	json_array_foreach(a, i, e) {
		s->enclosures[i].url = story_get(e, "url", &bad);
		s->enclosures[i].type = story_get(e, "type", &bad);
		s->enclosures[i].length = story_get(e, "length", &bad);
		s->nenclosures++;
	}
	if (bad || story_load_watch(s, json_object_get(o, "watch")) == -1)
		return -1;
	return 0;
}

static int
story_load_fields(struct story *s, json_t *o)
{
	json_t		*f = json_object_get(o, "feed");
	const char	*id = json_string_value(json_object_get(o, "id"));
	const char	*src;
	enum story_lang	 l;
	int		 bad = 0;

	if (id == NULL || strlen(id) > STORY_ID_LEN || !json_is_object(f))
		return -1;
	memcpy(s->id, id, strlen(id) + 1);
	s->feed_name = story_get(f, "name", &bad);
	s->feed_url = story_get(f, "url", &bad);
	s->feed_title = story_get(f, "title", &bad);
	s->url = story_get(o, "url", &bad);
	s->guid = story_get(o, "guid", &bad);
	s->title = story_get(o, "title", &bad);
	s->summary = story_get(o, "summary", &bad);
	s->content = story_get(o, "content", &bad);
	s->text = story_get(o, "text", &bad);
	s->language = story_get(o, "language", &bad);
	s->html = story_get(o, "html", &bad);
	s->byline = story_get(o, "byline", &bad);
	s->site_name = story_get(o, "site_name", &bad);
	s->canonical_url = story_get(o, "canonical_url", &bad);
	s->supersedes = story_get(o, "supersedes", &bad);
	s->duplicate_of = story_get(o, "duplicate_of", &bad);
	s->published = story_get_date(o, "published");
	s->updated = story_get_date(o, "updated");
	s->fetched = story_get_date(o, "fetched");
	s->word_count = (size_t)json_integer_value(json_object_get(o,
	    "word_count"));
	s->revision = (unsigned)json_integer_value(json_object_get(o,
	    "revision"));
	src = json_string_value(json_object_get(o, "language_source"));
	for (l = STORY_LANG_ITEM; src != NULL && l <= STORY_LANG_DETECTED; l++)
		if (strcmp(src, story_lang_name(l)) == 0)
			s->language_source = l;
	src = json_string_value(json_object_get(o, "text_source"));
	s->source = src != NULL && strcmp(src, "article") == 0 ?
	    STORY_FROM_ARTICLE : STORY_FROM_FEED;
	return bad ? -1 : 0;
}

struct story *
story_load(const char *json)
{
	struct story	*s;
	json_t		*o;
	json_error_t	 jerr;
	bool		 oom;

	/* jansson may drop a character it has no memory for, and say
	 * nothing: jsonio tells. */
	if ((o = jsonio_loadb(json, strlen(json), 0, &jerr, &oom)) == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    story_load_fields(s, o) == -1 || story_load_lists(s, o) == -1) {
		story_free(s);
		s = NULL;
	}
	json_decref(o);
	return s;
}
