/*
 * langid: a story's language from its text, by libexttextcat's models
 * and its classifier as parsers/langfp.c recomputes it (the same answers
 * at a sixth of the cost); exttextcat's own where langfp cannot read the
 * models.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <textcat.h>
#include <utf8proc.h>

#include "parsers/langfp.h"
#include "parsers/langid.h"
#include "parsers/norm.h"

#ifndef LANGID_DATA
#define LANGID_DATA	"/usr/share/libexttextcat/"
#endif

/* exttextcat's names that are no BCP 47 tag once "-utf8" is cut. */
static const struct {
	const char	*tc;
	const char	*tag;
} langid_names[] = {
	{ "zh-CN", "zh-Hans" }, { "zh-TW", "zh-Hant" },
	{ "az-cyrillic", "az-Cyrl" }, { "ha-NG", "ha" }
};

/*
 * Regional languages whose models overlap a neighbour's so much that
 * they come with nearly every text of it (Scots with English,
 * Luxembourgish and Low German with German, Rusyn with Russian and
 * Ukrainian ...): never an answer, and no reason to doubt the other.
 */
static const char *const langid_shadows[] = {
	"sco", "lb", "nds", "rm", "fy", "rue"
};

static int	 langid_classify(const char *, size_t, char *, size_t);

/*
 * The models, loaded once (pthread_once) by the first guess of any
 * thread; langfp classifies from many threads at once, exttextcat's
 * handle keeps the text's fingerprint in itself: one guess at a time.
 * langid_off is set at start (and at a reload) while other threads may
 * guess: atomic.
 */
static pthread_once_t	 langid_once = PTHREAD_ONCE_INIT;
static struct langfp	*langid_fp;
static void		*langid_h;
static pthread_mutex_t	 langid_h_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int	 langid_off;

/* The models: langfp's, else exttextcat's. */
static void
langid_read(void)
{
	langid_fp = langfp_load(LANGID_DATA "fpdb.conf", LANGID_DATA);
	if (langid_fp == NULL &&
	    (langid_h = special_textcat_Init(LANGID_DATA "fpdb.conf",
	    LANGID_DATA)) != NULL)
		textcat_SetProperty(langid_h, TCPROP_UTF8AWARE, TC_TRUE);
}

/* The models, read on the first call. */
static int
langid_load(void)
{
	(void)pthread_once(&langid_once, langid_read);
	return langid_fp != NULL || langid_h != NULL;
}

/* exttextcat's candidates of in (len bytes), best first, into names. */
static int
langid_tc_candidates(const char *in, size_t len, const char **names)
{
	candidate_t	*cand;
	int		 n, i;

	if ((cand = textcat_GetClassifyFullOutput(langid_h)) == NULL)
		return -1;
	n = textcat_ClassifyFull(langid_h, in, len, cand);
	for (i = 0; i < n && i < LANGFP_MAXCAND; i++)
		names[i] = cand[i].name;
	textcat_ReleaseClassifyFullOutput(langid_h, cand);
	return n < LANGFP_MAXCAND ? n : LANGFP_MAXCAND;
}

/* The candidates of in (len bytes), best first, into names. */
static int
langid_candidates(const char *in, size_t len, const char **names)
{
	int	 n;

	if (langid_fp != NULL)
		return langfp_classify(langid_fp, in, len, names);
	pthread_mutex_lock(&langid_h_lock);
	n = langid_tc_candidates(in, len, names);
	pthread_mutex_unlock(&langid_h_lock);
	return n;
}

static int
langid_is_off(void)
{
	return atomic_load_explicit(&langid_off, memory_order_relaxed);
}

void
langid_enable(int on)
{
	atomic_store_explicit(&langid_off, !on, memory_order_relaxed);
}

int
langid_available(void)
{
	return !langid_is_off() && langid_load();
}

int
langid_present(void)
{
	return !langid_is_off() && access(LANGID_DATA "fpdb.conf", R_OK) == 0;
}

/*
 * The tag of an exttextcat name ("en--utf8", "emk-Latn-utf8", "zh-CN-utf8")
 * into tag; -1 when it does not fit.
 */
static int
langid_tag(const char *name, char *tag, size_t size)
{
	size_t	 n, i;

	n = strlen(name);
	if (n >= 5 && strcmp(name + n - 5, "-utf8") == 0)
		n -= 5;
	while (n > 0 && name[n - 1] == '-')
		n--;
	if (n == 0 || n >= size)
		return -1;
	memcpy(tag, name, n);
	tag[n] = '\0';
	for (i = 0; i < sizeof(langid_names) / sizeof(langid_names[0]); i++)
		if (strcmp(tag, langid_names[i].tc) == 0) {
			if (strlen(langid_names[i].tag) >= size)
				return -1;
			memcpy(tag, langid_names[i].tag,
			    strlen(langid_names[i].tag) + 1);
			break;
		}
	return 0;
}

static int
langid_shadow(const char *tag)
{
	size_t	 i;

	for (i = 0; i < sizeof(langid_shadows) / sizeof(langid_shadows[0]); i++)
		if (strcmp(tag, langid_shadows[i]) == 0)
			return 1;
	return 0;
}

/* Length of the language subtag of tag ("zh" of "zh-Hans"). */
static size_t
langid_primary(const char *tag)
{
	return strcspn(tag, "-");
}

/*
 * Append s to in at *len, at most up to cap and cut where a UTF-8
 * character begins; counts the letters copied into *chars.
 */
static void
langid_add(char *in, size_t *len, size_t cap, const char *s, size_t *chars)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 slen = strlen(s), off = 0;

	while (off < slen && *len < cap) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + off,
		    (utf8proc_ssize_t)(slen - off), &cp);
		if (n <= 0 || cp == 0) {
			n = 1;		/* a byte that is no UTF-8: a space */
			cp = ' ';
		}
		if ((size_t)n > cap - *len)
			break;
		if (cp == ' ' && n == 1)
			in[*len] = ' ';
		else
			memcpy(in + *len, s + off, (size_t)n);
		*len += (size_t)n;
		off += (size_t)n;
		if (utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO)
			(*chars)++;
	}
}

int
langid_guess(const char *title, const char *text, char *tag, size_t size)
{
	char		 in[LANGID_MAX_INPUT];
	const char	*quick;
	size_t		 len = 0, chars = 0;

	if (size > 0)
		*tag = '\0';
	if (title != NULL)
		langid_add(in, &len, sizeof(in) - 1, title, &chars);
	if (title != NULL && text != NULL && len < sizeof(in) - 1)
		in[len++] = '\n';
	if (text != NULL)
		langid_add(in, &len, sizeof(in) - 1, text, &chars);
	if (langid_is_off() || chars < LANGID_MIN_CHARS)
		return 0;
	in[len] = '\0';
	if ((quick = norm_quick_lang(in)) != NULL && strlen(quick) < size) {
		memcpy(tag, quick, strlen(quick) + 1);
		return 1;
	}
	return langid_classify(in, len, tag, size);
}

/* The n-gram classifier on in (len bytes, NUL-terminated). */
static int
langid_classify(const char *in, size_t len, char *tag, size_t size)
{
	const char	*names[LANGFP_MAXCAND];
	char		 t[LANGID_TAG_MAX];
	int		 n, i, rc = 0;

	if (!langid_load())
		return 0;
	n = langid_candidates(in, len, names);
	/*
	 * The candidates (more than one when the best few score alike),
	 * shadows left out, must all be one language; of two scripts of one
	 * language (zh-Hans, zh-Hant) only the language is sure.
	 */
	for (i = 0; i < n; i++) {
		if (langid_tag(names[i], t, sizeof(t)) == -1) {
			rc = 0;
			break;
		}
		if (langid_shadow(t))
			continue;
		if (rc == 0) {
			if (strlen(t) >= size)
				break;
			memcpy(tag, t, strlen(t) + 1);
			rc = 1;
		} else if (langid_primary(t) != langid_primary(tag) ||
		    strncmp(t, tag, langid_primary(tag)) != 0) {
			rc = 0;
			break;
		} else if (strcmp(t, tag) != 0)
			tag[langid_primary(tag)] = '\0';
	}
	if (!rc && size > 0)
		*tag = '\0';
	return rc;
}
