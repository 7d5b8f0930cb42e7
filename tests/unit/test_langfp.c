/*
 * parsers/langfp.c against libexttextcat itself: the same candidates,
 * names and order, as textcat_ClassifyFull for the fixture texts, for
 * thousands of generated texts (words of the fixture languages, spaces,
 * digits, underscores, random Unicode, lengths up to 1 KiB), and for
 * models of odd lines; and the lists and models it leaves to exttextcat.
 * Tests run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <constants.h>
#include <dirent.h>
#include <fingerprint.h>
#include <textcat.h>

#include "parsers/langfp.h"

#ifndef LANGID_DATA
#define LANGID_DATA	"/usr/share/libexttextcat/"
#endif
#define TEXTS		"tests/fixtures/langid/texts.tsv"
#define NGEN		3000
#define MAXLEN		1024

struct pair {
	void		*tc;
	candidate_t	*cand;
	struct langfp	*fp;
};

static struct pair	 models;
static char		*words[4096];
static size_t		 nwords;
static size_t		 line_at[64], nlines;	/* a line's first word */
static uint64_t		 rng = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11) % n;
}

static int
pair_open(struct pair *p, const char *conf, const char *dir)
{
	if ((p->tc = special_textcat_Init(conf, dir)) == NULL)
		return -1;
	textcat_SetProperty(p->tc, TCPROP_UTF8AWARE, TC_TRUE);
	assert_non_null(p->cand = textcat_GetClassifyFullOutput(p->tc));
	p->fp = langfp_load(conf, dir);
	return 0;
}

static void
pair_close(struct pair *p)
{
	textcat_ReleaseClassifyFullOutput(p->tc, p->cand);
	textcat_Done(p->tc);
	langfp_free(p->fp);
}

/* The candidates of both for text; 1 when any was reported. */
static int
same(struct pair *p, const char *text, size_t len)
{
	const char	*names[LANGFP_MAXCAND];
	int		 n, m, i;

	n = textcat_ClassifyFull(p->tc, text, len, p->cand);
	m = langfp_classify(p->fp, text, len, names);
	if (n != m)
		fail_msg("%d candidates, not %d: \"%s\"", m, n, text);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], p->cand[i].name) != 0)
			fail_msg("candidate %d %s, not %s: \"%s\"", i, names[i],
			    p->cand[i].name, text);
	return n > 0;
}

static int
setup(void **unused)
{
	char	 line[2048], *tab, *w, *save;
	FILE	*f;

	(void)unused;
	if (pair_open(&models, LANGID_DATA "fpdb.conf", LANGID_DATA) == -1 ||
	    models.fp == NULL)
		return -1;
	if ((f = fopen(TEXTS, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL ||
		    nlines == sizeof(line_at) / sizeof(line_at[0]) - 1)
			continue;
		line_at[nlines++] = nwords;
		for (w = strtok_r(tab + 1, " ", &save); w != NULL &&
		    nwords < sizeof(words) / sizeof(words[0]);
		    w = strtok_r(NULL, " ", &save))
			if ((words[nwords++] = strdup(w)) == NULL)
				return -1;
	}
	fclose(f);
	line_at[nlines] = nwords;
	return nwords > 100 ? 0 : -1;
}

static int
teardown(void **unused)
{
	size_t	 i;

	(void)unused;
	pair_close(&models);
	for (i = 0; i < nwords; i++)
		free(words[i]);
	return 0;
}

static void
test_fixture_texts(void **unused)
{
	char	 line[2048], *tab;
	FILE	*f;
	int	 n = 0;

	(void)unused;
	assert_non_null(f = fopen(TEXTS, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		n += same(&models, tab + 1, strlen(tab + 1));
		n += same(&models, line, strlen(line));
	}
	fclose(f);
	assert_true(n >= 20);
}

/* A code point of some script, or any, as UTF-8 into s; its length. */
static size_t
rnd_utf8(char *s)
{
	static const uint32_t	 base[] = { 0x80, 0x100, 0x370, 0x400, 0x590,
	    0x600, 0x900, 0xe00, 0x3040, 0x4e00, 0xac00, 0x1f600, 0x10000 };
	uint32_t		 cp;

	cp = base[rnd(sizeof(base) / sizeof(base[0]))] + rnd(0x80);
	if (rnd(8) == 0)
		cp = 1 + rnd(0x10ffff);
	if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	s[0] = (char)(0xf0 | cp >> 18);
	s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	s[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	s[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A text of at most max bytes: words of one fixture text or of all, now
 * and then a made-up one of random characters, between separators that
 * exttextcat folds into '_' (spaces, digits) or keeps (punctuation, '_').
 */
static size_t
gen(char *t, size_t max)
{
	size_t				 from = 0, to = nwords;
	static const char *const	 sep[] = { " ", " ", " ", "  ", "\t",
	    "\n", " 12 ", "3", ", ", ". ", "_", " _", " - ", "\r\n" };
	char				 c[4];
	size_t				 len = 0, n, i, k;
	const char			*s;

	if (rnd(2) == 0) {
		i = rnd((uint32_t)nlines);
		from = line_at[i];
		to = line_at[i + 1];
	}
	if (rnd(10) == 0) {
		s = sep[rnd(sizeof(sep) / sizeof(sep[0]))];
		memcpy(t, s, strlen(s));
		len = strlen(s);
	}
	for (;;) {
		if (rnd(12) == 0) {
			for (i = 0, k = 1 + rnd(8); i < k; i++) {
				n = rnd_utf8(c);
				if (len + n > max)
					goto out;
				memcpy(t + len, c, n);
				len += n;
			}
		} else {
			s = words[from + rnd((uint32_t)(to - from))];
			if (len + strlen(s) > max)
				break;
			memcpy(t + len, s, strlen(s));
			len += strlen(s);
		}
		s = sep[rnd(sizeof(sep) / sizeof(sep[0]))];
		if (len + strlen(s) > max)
			break;
		memcpy(t + len, s, strlen(s));
		len += strlen(s);
	}
out:
	t[len] = '\0';
	return len;
}

static void
test_generated_texts(void **unused)
{
	const char	*names[LANGFP_MAXCAND];
	char		 t[MAXLEN + 1];
	size_t		 len;
	int		 i, answered = 0;

	(void)unused;
	for (i = 0; i < NGEN; i++) {
		len = gen(t, 40 + rnd(MAXLEN - 40 + 1));
		if (len > 0)
			answered += same(&models, t, len);
	}
	/* Short texts too, down to a character. */
	for (i = 0; i < 300; i++) {
		len = gen(t, 1 + rnd(40));
		if (len > 0)
			same(&models, t, len);
	}
	print_message("%d of %d texts with candidates\n", answered, NGEN);
	assert_true(answered > NGEN / 3);
	assert_int_equal(langfp_classify(models.fp, "", 0, names), -2);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    sizeof(path));
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
rm(const char *dir, const char *name)
{
	char	 path[512];

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    sizeof(path));
	unlink(path);
}

/*
 * Models of odd lines (blank, indented, a count after the n-gram, an
 * n-gram too long for exttextcat, more than 400 of them) rank as in
 * exttextcat; a list with quotes, a missing file, an n-gram twice in a
 * model: no langfp, exttextcat stays.
 */
static void
test_odd_models(void **unused)
{
	char		 dir[] = "/tmp/langfp.XXXXXX", conf[64], big[8192];
	char		 path[64];
	struct pair	 p;
	size_t		 i, len = 0;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/fpdb.conf", dir);
	snprintf(path, sizeof(path), "%s/", dir);
	put(dir, "a.lm", "_\t 100\ne\t 90\n\n   a 80\nabcdefghijklmnopqrstuvwxyz\n"
	    "n\nr_\n_d\nde\nen_\ner\n");
	put(dir, "b.lm", "_\ne\nn\ni\ne_\nn_\n_e\nthe\nth\n_th\n");
	for (i = 0; i < 450; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "%c%c\n",
		    'a' + (int)(i % 26), 'a' + (int)(i / 26));
	put(dir, "c.lm", big);
	put(dir, "fpdb.conf", "# models\n a.lm\taa--utf8 extra words\n"
	    "b.lm bb--utf8\nc.lm  cc--utf8\nc.lm\n");
	assert_int_equal(pair_open(&p, conf, path), 0);
	assert_non_null(p.fp);
	assert_true(same(&p, "the end is near", 15) +
	    same(&p, "den der en er de die", 20) +
	    same(&p, "ab ba ca da ea fa ga", 20) >= 2);
	for (i = 0; i < 200; i++) {
		len = gen(big, 40 + rnd(400));
		same(&p, big, len);
	}
	pair_close(&p);

	put(dir, "fpdb.conf", "'a.lm' aa--utf8\n");
	assert_null(langfp_load(conf, path));
	put(dir, "fpdb.conf", "a.lm aa--utf8\nmissing.lm xx--utf8\n");
	assert_null(langfp_load(conf, path));
	put(dir, "b.lm", "_\ne\nn\ne\n");
	put(dir, "fpdb.conf", "a.lm aa--utf8\nb.lm bb--utf8\n");
	assert_null(langfp_load(conf, path));
	assert_null(langfp_load("/nonexistent/fpdb.conf", path));

	rm(dir, "a.lm");
	rm(dir, "b.lm");
	rm(dir, "c.lm");
	rm(dir, "fpdb.conf");
	assert_int_equal(rmdir(dir), 0);
}

static int
gram_out(void *arg, const char *s, size_t len)
{
	FILE	*f = arg;

	return fwrite(s, 1, len, f) == len && fputc('\n', f) != EOF ? 0 : -1;
}

/* The model at path as langfp_model lists it and as fp_Print does. */
static void
model_same(const char *path)
{
	void	*fp;
	FILE	*a, *b;
	char	*ta = NULL, *tb = NULL;
	size_t	 la = 0, lb = 0;

	assert_non_null(fp = fp_Init(NULL));
	assert_int_equal(fp_Read(fp, path, MAXNGRAMS), 1);
	assert_non_null(a = open_memstream(&ta, &la));
	fp_Print(fp, a);
	assert_int_equal(fclose(a), 0);
	fp_Done(fp);
	assert_non_null(b = open_memstream(&tb, &lb));
	assert_int_equal(langfp_model(path, gram_out, b), 0);
	assert_int_equal(fclose(b), 0);
	if (la != lb || memcmp(ta, tb, la) != 0)
		fail_msg("%s: langfp_model differs from fp_Read", path);
	free(ta);
	free(tb);
}

/*
 * Every model exttextcat ships, and one of every odd line: read as
 * fp_Read reads them, n-gram for n-gram and in the same order.
 */
static void
test_model_reading(void **unused)
{
	char		 dir[] = "/tmp/langfp.XXXXXX", path[600], big[16384];
	DIR		*d;
	struct dirent	*e;
	size_t		 n = 0, len = 0, i;
	FILE		*f;

	(void)unused;
	assert_non_null(d = opendir(LANGID_DATA));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".lm") != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", LANGID_DATA, e->d_name);
		model_same(path);
		n++;
	}
	closedir(d);
	print_message("%zu models read alike\n", n);
	assert_true(n > 100);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/odd.lm", dir);
	assert_non_null(f = fopen(path, "w"));
	/* blanks of every kind, a CR line end, a count, a tab, a NUL */
	fputs("  _\t 100\r\n\v\fe 9\n\n \t \nab\tcd\n"
	    "\xc3\xa9\xc3\xa9 7\n\xa0x\xa0\nto\rolong\n", f);
	fputc('n', f);
	fputc('\0', f);
	fputs("ul\n", f);
	/* too long for an n-gram, then a line longer than fgets' 1023 bytes */
	fputs("abcdefghijklmnopqrstuvwxyz\n", f);
	memset(big, 'q', 1500);
	memcpy(big + 1020, " de", 3);
	big[1500] = '\0';
	fprintf(f, "%s\n", big);
	for (i = 0, len = 0; i < 450; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "%c%c\n",
		    'a' + (int)(i % 26), 'a' + (int)(i / 26));
	fputs(big, f);
	assert_int_equal(fclose(f), 0);
	model_same(path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_texts),
		cmocka_unit_test(test_generated_texts),
		cmocka_unit_test(test_odd_models),
		cmocka_unit_test(test_model_reading),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
