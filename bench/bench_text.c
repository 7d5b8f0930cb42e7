/*
 * bench_text: text_from_html's fast path against libxml2's, for speed and
 * for sameness.
 *
 *   bench_text [-gl] [-n PASSES] [-z SNIPPETS] [FILE ...]
 *
 * The fields are every element's text and inner markup in the generated
 * feeds (bench/gen_feeds.c; -g leaves them out) and in each FILE given: a feed (XML, or JSON
 * whose strings are taken), or an HTML page (".html", ".htm": the page
 * whole and each of its paragraphs).  Each field goes through both paths,
 * as text and as one line (titles), and so do SNIPPETS random fragments
 * (default 20000) and mutations of the fields; any difference is printed
 * and the exit status is 1.  Then both paths are timed on the fields,
 * best of several runs, and the share that took the fast path printed.
 * With -n, runs exactly PASSES passes of text_from_html over the fields
 * and nothing else (for callgrind); -l makes those passes libxml2's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "bench/gen_feeds.h"
#include "parsers/buf.h"
#include "parsers/text_int.h"

#define NFEEDS		300
#define FILE_MAX	(16 * 1024 * 1024)
#define SNIP_MAX	2048
#define RUNS		5

struct field {
	char	*s;
	size_t	 len;
	bool	 title;
};

struct fields {
	struct field	*v;
	size_t		 n, cap, bytes;
};

struct diffstats {
	size_t	 compared, fast, differ;
};

static struct gen_rng	 rng = { UINT64_C(0x74657874) };	/* "text" */

static void
die(const char *what)
{
	fprintf(stderr, "bench_text: %s\n", what);
	exit(2);
}

static void
add_field(struct fields *f, const char *s, size_t len, bool title)
{
	struct field	*v;

	if (len == 0)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		if ((v = realloc(f->v, f->cap * sizeof(*v))) == NULL)
			die("out of memory");
		f->v = v;
	}
	if ((f->v[f->n].s = malloc(len + 1)) == NULL)
		die("out of memory");
	memcpy(f->v[f->n].s, s, len);
	f->v[f->n].s[len] = '\0';
	f->v[f->n].len = len;
	f->v[f->n].title = title;
	f->n++;
	f->bytes += len;
}

/* A feed's own elements, whose markup is the feed rather than a field. */
static bool
container(const xmlChar *name)
{
	static const char *const names[] = { "rss", "channel", "item", "feed",
	    "entry", "RDF", "source", "image", "author", NULL };
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (xmlStrcmp(name, (const xmlChar *)names[i]) == 0)
			return true;
	return false;
}

/*
 * Each element's own text, and its inner markup when it has elements
 * (XHTML content), but for the feed's own containers.
 */
static void
xml_fields(struct fields *f, xmlNode *node, int depth)
{
	xmlNode		*c;
	xmlBuffer	*b;
	bool		 title, kids;

	for (; node != NULL && depth < 64; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		title = xmlStrcmp(node->name, (const xmlChar *)"title") == 0;
		if ((b = xmlBufferCreate()) == NULL)
			die("out of memory");
		kids = false;
		for (c = node->children; c != NULL; c = c->next)
			if (c->type == XML_TEXT_NODE ||
			    c->type == XML_CDATA_SECTION_NODE)
				xmlBufferCat(b, c->content);
			else if (c->type == XML_ELEMENT_NODE)
				kids = true;
		add_field(f, (const char *)xmlBufferContent(b),
		    (size_t)xmlBufferLength(b), title);
		if (kids && !container(node->name)) {
			xmlBufferEmpty(b);
			for (c = node->children; c != NULL; c = c->next)
				xmlNodeDump(b, node->doc, c, 0, 0);
			add_field(f, (const char *)xmlBufferContent(b),
			    (size_t)xmlBufferLength(b), title);
		}
		xmlBufferFree(b);
		xml_fields(f, node->children, depth + 1);
	}
}

static void
json_fields(struct fields *f, json_t *j, const char *key)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (json_is_string(j))
		add_field(f, json_string_value(j), json_string_length(j),
		    key != NULL && strcmp(key, "title") == 0);
	else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			json_fields(f, v, key);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			json_fields(f, v, k);
	}
}

/* The page whole, and each "<p ...>...</p>" in it. */
static void
page_fields(struct fields *f, const char *s, size_t len)
{
	const char	*p, *e;

	add_field(f, s, len, false);
	for (p = s; (p = strstr(p, "<p")) != NULL; p = e) {
		if ((e = strstr(p, "</p>")) == NULL)
			break;
		e += 4;
		add_field(f, p, (size_t)(e - p), false);
	}
}

static void
doc_fields(struct fields *f, const char *name, const char *s, size_t len)
{
	xmlDoc		*doc;
	json_t		*j;
	json_error_t	 jerr;
	size_t		 n = strlen(name);

	if ((n > 5 && strcmp(name + n - 5, ".html") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".htm") == 0)) {
		page_fields(f, s, len);
		return;
	}
	if (len > 0 && (s[0] == '{' || s[0] == '[') &&
	    (j = json_loadb(s, len, 0, &jerr)) != NULL) {
		json_fields(f, j, NULL);
		json_decref(j);
		return;
	}
	if (len > INT32_MAX)
		return;
	doc = xmlReadMemory(s, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc != NULL) {
		xml_fields(f, xmlDocGetRootElement(doc), 0);
		xmlFreeDoc(doc);
	}
}

static void
file_fields(struct fields *f, const char *path)
{
	FILE	*fp;
	char	*s;
	size_t	 len;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "bench_text: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if ((s = malloc(FILE_MAX + 1)) == NULL)
		die("out of memory");
	len = fread(s, 1, FILE_MAX, fp);
	fclose(fp);
	s[len] = '\0';
	doc_fields(f, path, s, len);
	free(s);
}

static void
gen_fields(struct fields *f)
{
	struct buf	 b;
	size_t		 i, items;

	buf_init(&b, 64 * 1024 * 1024);
	for (i = 0; i < NFEEDS; i++) {
		if (gen_feed(&b, GEN_SEED, i, &items) != BUF_OK)
			die("gen_feed");
		doc_fields(f, "gen.xml", b.data, b.len);
	}
	buf_free(&b);
}

static void
show(const char *label, const char *s, size_t len)
{
	size_t	 i;

	fprintf(stderr, "  %s \"", label);
	for (i = 0; i < len && i < 600; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' ||
		    s[i] == '\\' || (unsigned char)s[i] >= 0x7f)
			fprintf(stderr, "\\x%02x", (unsigned char)s[i]);
		else
			fputc(s[i], stderr);
	fprintf(stderr, "%s\"\n", i < len ? "..." : "");
}

/* Both paths on s, as text and as a line. */
static void
compare(struct diffstats *d, const char *s, size_t len)
{
	char	*want, *got;
	bool	 fast;
	int	 oneline;

	for (oneline = 0; oneline < 2; oneline++) {
		want = text_convert(s, len, oneline, TEXT_LIBXML, NULL);
		got = text_convert(s, len, oneline, TEXT_AUTO, &fast);
		if (want == NULL || got == NULL)
			die("out of memory");
		d->compared++;
		d->fast += fast;
		if (strcmp(want, got) != 0) {
			d->differ++;
			if (d->differ <= 20) {
				fprintf(stderr, "difference (%s, %s):\n",
				    oneline ? "line" : "text",
				    fast ? "fast" : "libxml2");
				show("input  ", s, len);
				show("libxml2", want, strlen(want));
				show("fast   ", got, strlen(got));
			}
		}
		free(want);
		free(got);
	}
}

/* Pieces of the fragments the fast path reads itself. */
static const char *const tame[] = {
	"<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</i>",
	"<em>", "</em>", "<strong>", "</strong>", "<br>", "<br/>", "<br />",
	"<li>", "</li>", "<ul>", "</ul>", "<ol>", "</ol>", "<h2>", "</h2>",
	"<h3 class=\"x\">", "</h3>", "<blockquote>", "</blockquote>", "<pre>",
	"</pre>", "<dl>", "<dt>", "<dd>", "</dl>", "</dt>", "</dd>",
	"<center>", "</center>", "<font color=red>", "</font>", "<u>", "</u>",
	"<s>", "</s>", "<small>", "<tt>", "</tt>", "<big>", "<strike>",
	"<address>", "</address>", "<figure>", "</figure>", "<figcaption>",
	"<section>", "</section>", "<article>", "<nav>", "</nav>", "<header>",
	"<main>", "<aside>", "<time datetime=\"2024-01-01\">", "</time>",
	"<mark>", "<q>", "</q>", "<code>", "</code>", "<sub>", "<sup>",
	"</sup>", "<abbr title=x>", "<cite>", "<del>", "<ins>", "<span>",
	"</span>", "<span/>", "<a href=\"/x\">", "<a href='y' title=\"a > b\">",
	"<a href=x/>", "</a>", "<A HREF=z>", "<img src=x>",
	"<img src=\"a.png\" alt=\"\"/>", "<hr>", "<hr/>", "<p/>", "<div/>",
	"<noscript>", "</noscript>", "<iframe src=v>", "</iframe>", "<object>",
	"</object>", "<embed src=e>", "</embed>", "<!-- c -->", "<P>", "</P>",
	"<DIV class=a>", "</DIV>", "<Br>", "<p a b c>", "<h1>", "</h1>",
	"<h6>", "</h6>", "&amp;", "&nbsp;", "&eacute;", "&#8217;", "&#x2014;",
	"&#X41;", "&#65;", "&#9;", "&#10;", "&#13;", "&#32;", "&#160;",
	"&#x1F600;", "&bogus;", "&amp", "&ampx;", "&AMP;", "&Eacute;",
	"&mdash;", "&rsquo;", "&hellip;", "&lt;", "&gt;", "&quot;", "&apos;",
	"&copy", "&euro;", "&1;", "& ", "&", "&&", "&;", "word", "two words",
	"Lorem ipsum", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\r", "\r\r",
	"\xc2\xa0", "caf\xc3\xa9", "\xe2\x80\x9cq\xe2\x80\x9d",
	"x\xc2\xa0y", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
	"\xef\xbf\xbd", "]]>", "\"", "'", "=", "/", ">", "--", "-->",
};

/* And the others. */
static const char *const wild[] = {
	"<img src=x></img>", "</hr>", "</br>", "</img>",
	"<script>var a = '<p>x</p>';</script>", "<style>p{}</style>",
	"<title>t</title>", "<table><tr><td>", "</td></tr></table>", "<td>",
	"<html>", "<body>", "</body>", "</html>", "<head>", "<meta x=y>",
	"<!---->", "<!-->", "<!--->", "<!-- a -- b -->", "<!-- a --->",
	"<!--x--!>", "<![CDATA[cd]]>", "<!DOCTYPE html>", "<?pi x?>", "<",
	"< p>", "</ p>", "</>", "<3", "<_x>", "<:x>", "<x-y>", "<my:tag>",
	"<p class=a", "<p \"q\">", "<p a=>", "<p a='b>", "<p/ >",
	"<sTyLe>x</style>", "<wbr>", "<unknown>", "</unknown>", "<textarea>",
	"<select><option>o</select>", "<form>", "</form>", "<input x>",
	"&#0;", "&#150;", "&#127;", "&#xD800;", "&#xFFFE;", "&#1114112;",
	"&#99999999999;", "&#;", "&#x;", "&#foo;", "&#12", "&#x4g;",
	"&amp.x;", "&a-b;", "&_x;", "&:x;", "&caf\xc3\xa9;", "&#", "\f",
	"\v", "\x01", "\x1f", "\x7f", "\xc2\x85", "\xc2", "\xe2\x80",
	"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xef\xbb\xbf",
	"\xef\xbf\xbe", "\xef\xbf\xbf", "\xf4\x90\x80\x80",
};

static uint64_t
next(void)
{
	return gen_rng_next(&rng);
}

/* Mostly of tame pieces (the fast path's), now and then a wild one. */
static size_t
snippet(char *out, size_t max)
{
	size_t		 len = 0, k, n, pieces;
	size_t		 nt = sizeof(tame) / sizeof(tame[0]);
	size_t		 nw = sizeof(wild) / sizeof(wild[0]);
	bool		 plain = next() % 8 == 0, mixed = next() % 4 == 0;
	const char	*p;

	pieces = 1 + next() % 40;
	for (k = 0; k < pieces; k++) {
		p = mixed && next() % 8 == 0 ? wild[next() % nw] :
		    tame[next() % nt];
		/* Plain text now and then: no markup at all. */
		if (plain && (strchr(p, '<') != NULL))
			continue;
		n = strlen(p);
		if (len + n >= max)
			break;
		memcpy(out + len, p, n);
		len += n;
	}
	return len;
}

/* A field with a few bytes changed, dropped or put in. */
static size_t
mutate(char *out, size_t max, const struct field *fl)
{
	static const char	 bytes[] = "<>&;/#=\"' \n\r\t-!xa\xc2\xa0\x80";
	size_t			 len, k, at, edits;

	len = fl->len < max - 8 ? fl->len : max - 8;
	memcpy(out, fl->s, len);
	for (edits = 1 + next() % 4, k = 0; k < edits && len > 0; k++) {
		at = next() % len;
		switch (next() % 3) {
		case 0:
			out[at] = bytes[next() % (sizeof(bytes) - 1)];
			break;
		case 1:
			memmove(out + at, out + at + 1, len - at - 1);
			len--;
			break;
		default:
			if (len + 1 < max) {
				memmove(out + at + 1, out + at, len - at);
				out[at] = bytes[next() % (sizeof(bytes) - 1)];
				len++;
			}
		}
	}
	return len;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
pass(const struct fields *f, enum text_path path, size_t *fast)
{
	size_t	 i;
	char	*t;
	bool	 fa;

	for (i = 0; i < f->n; i++) {
		t = text_convert(f->v[i].s, f->v[i].len, f->v[i].title, path,
		    &fa);
		if (t == NULL)
			die("out of memory");
		if (fast != NULL)
			*fast += fa;
		free(t);
	}
}

static double
best(const struct fields *f, enum text_path path)
{
	double	 t, min = 1e9;
	int	 r;

	for (r = 0; r < RUNS; r++) {
		t = now();
		pass(f, path, NULL);
		if ((t = now() - t) < min)
			min = t;
	}
	return min;
}

int
main(int argc, char **argv)
{
	struct fields		 f = { 0 };
	struct diffstats	 d = { 0 };
	char			*buf;
	size_t			 i, len, nsnip = 20000, passes = 0, fast = 0;
	size_t			 differ;
	enum text_path		 path = TEXT_AUTO;
	double			 tl, ta;
	int			 ch;
	bool			 gen = true;

	while ((ch = getopt(argc, argv, "gln:z:")) != -1) {
		switch (ch) {
		case 'g':
			gen = false;
			break;
		case 'l':
			path = TEXT_LIBXML;
			break;
		case 'n':
			passes = strtoul(optarg, NULL, 10);
			break;
		case 'z':
			nsnip = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: bench_text [-gl] [-n PASSES] "
			    "[-z SNIPPETS] [FILE ...]\n");
			return 2;
		}
	}
	if (gen)
		gen_fields(&f);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		file_fields(&f, argv[i]);
	if (passes > 0) {
		for (i = 0; i < passes; i++)
			pass(&f, path, NULL);
		return 0;
	}
	for (i = 0; i < f.n; i++)
		compare(&d, f.v[i].s, f.v[i].len);
	printf("fields: %zu (%zu bytes), %zu comparisons, %.1f%% fast, "
	    "%zu differ\n", f.n, f.bytes, d.compared,
	    d.compared ? 100.0 * (double)d.fast / (double)d.compared : 0.0,
	    d.differ);
	if ((buf = malloc(SNIP_MAX + 64)) == NULL)
		die("out of memory");
	differ = d.differ;
	memset(&d, 0, sizeof(d));
	for (i = 0; i < nsnip; i++) {
		len = snippet(buf, SNIP_MAX);
		compare(&d, buf, len);
		if (f.n > 0) {
			len = mutate(buf, SNIP_MAX, &f.v[next() % f.n]);
			compare(&d, buf, len);
		}
	}
	free(buf);
	printf("fragments and mutations: %zu comparisons, %.1f%% fast, "
	    "%zu differ\n", d.compared,
	    d.compared ? 100.0 * (double)d.fast / (double)d.compared : 0.0,
	    d.differ);
	pass(&f, TEXT_AUTO, &fast);
	tl = best(&f, TEXT_LIBXML);
	ta = best(&f, TEXT_AUTO);
	printf("text_from_html on %zu fields: libxml2 %.1f ms, with the fast "
	    "path %.1f ms (%.1fx), %.1f%% fast\n", f.n, tl * 1e3, ta * 1e3,
	    tl / ta, f.n ? 100.0 * (double)fast / (double)f.n : 0.0);
	for (i = 0; i < f.n; i++)
		free(f.v[i].s);
	free(f.v);
	return differ + d.differ > 0 ? 1 : 0;
}
