/*
 * test_feed_xml: the fast paths of feed_xml.c against the plain ones they
 * stand in for.  feed_xml_fix_entities scans a block of bytes at a time
 * and steps over XML's own entities: it must rewrite exactly what a
 * byte-at-a-time scan does.  The strict push pass gathers a text node's
 * pieces before adding them: the tree must be the one libxml2 builds
 * without it, CDATA, comments, references and blanks included.  A
 * document read as it is must be one the rewrite leaves alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "parsers/feed.h"
#include "parsers/feed_xml.h"

/* --- feed_xml_fix_entities, one byte at a time ----------------------- */

struct out {
	char	*s;
	size_t	 len;
	size_t	 size;
};

static void
out_add(struct out *o, const char *s, size_t n)
{
	char	*p;

	if (o->len + n + 1 > o->size) {
		o->size = (o->len + n + 1) * 2;
		p = realloc(o->s, o->size);
		assert_non_null(p);
		o->s = p;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static bool
ref_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
ref_starts(const char *s, size_t len, size_t i, const char *with)
{
	return len - i >= strlen(with) && memcmp(s + i, with,
	    strlen(with)) == 0;
}

/* Past end from i, or len: the search the scan skips comments with. */
static size_t
ref_past(const char *s, size_t len, size_t i, const char *end)
{
	for (; i < len; i++)
		if (ref_starts(s, len, i, end))
			return i + strlen(end);
	return len;
}

/* Past the '>' of the tag at i, quotes honoured. */
static size_t
ref_tag(const char *s, size_t len, size_t i)
{
	char	 q = 0;

	for (i++; i < len; i++) {
		if (q != 0) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'')
			q = s[i];
		else if (s[i] == '>')
			return i + 1;
	}
	return len;
}

/* What the byte at i becomes (NULL: kept), *skip the bytes it stands for. */
static const char *
ref_one(const char *s, size_t len, size_t i, char *tmp, size_t *skip)
{
	static const char *const xml[] = { "&lt;", "&gt;", "&amp;",
	    "&quot;", "&apos;" };
	const htmlEntityDesc	*ent;
	char			 name[33];
	unsigned char		 c = (unsigned char)s[i];
	size_t			 j, k;

	*skip = 1;
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
		return "";
	if (c == '<')
		return i + 1 < len && (strchr("/!?_:", s[i + 1]) != NULL ||
		    (s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
		    (s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
		    (unsigned char)s[i + 1] >= 0x80) ? NULL : "&lt;";
	if (c != '&')
		return NULL;
	for (k = 0; k < 5; k++)
		if (ref_starts(s, len, i, xml[k]))
			return NULL;
	if (i + 1 < len && s[i + 1] == '#') {
		for (j = i + 2; j < len && ref_alnum((unsigned char)s[j]); j++)
			;
		return j < len && s[j] == ';' && j > i + 2 ? NULL : "&amp;";
	}
	for (j = 0; i + 1 + j < len && j < 32 &&
	    ref_alnum((unsigned char)s[i + 1 + j]); j++)
		name[j] = s[i + 1 + j];
	name[j] = '\0';
	if (j == 0 || i + 1 + j >= len || s[i + 1 + j] != ';' ||
	    (ent = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return "&amp;";
	snprintf(tmp, 16, "&#%u;", ent->value);
	*skip = j + 2;
	return tmp;
}

/* The rewrite, NULL when nothing changes. */
static char *
ref_fix(const char *s, size_t len, size_t *outlen)
{
	struct out	 o = { 0 };
	const char	*rep;
	char		 tmp[16];
	size_t		 i = 0, skip, done = 0;
	bool		 changed = false;

	if (memmem(s, len, "<!ENTITY", 8) != NULL)
		return NULL;
	while (i < len) {
		if (ref_starts(s, len, i, "<![CDATA["))
			i = ref_past(s, len, i + 9, "]]>");
		else if (ref_starts(s, len, i, "<!--"))
			i = ref_past(s, len, i + 4, "-->");
		else if (ref_starts(s, len, i, "<?") ||
		    ref_starts(s, len, i, "<!"))
			i = ref_past(s, len, i + 2, ">");
		else if ((rep = ref_one(s, len, i, tmp, &skip)) == NULL)
			i = s[i] == '<' ? ref_tag(s, len, i) : i + 1;
		else {
			out_add(&o, s + done, i - done);
			out_add(&o, rep, strlen(rep));
			i += skip;
			done = i;
			changed = true;
		}
	}
	if (!changed)
		return NULL;
	out_add(&o, s + done, len - done);
	*outlen = o.len;
	return o.s;
}

static uint64_t
next_rand(uint64_t *state)
{
	uint64_t	 z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Random documents of the pieces the scan decides on, at every offset. */
static void
test_fix_entities_as_bytewise(void **state)
{
	static const char *const pieces[] = {
		"&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&lt", "&am",
		"&nbsp;", "&eacute;", "&nosuch;", "&#160;", "&#x;", "&#;",
		"&", "& ", "<", "< ", "<3", "<a>", "</a>", "<b c='>&'>",
		"<d e=\"&nbsp;\">", "<![CDATA[&nbsp;<]]>", "]]>", "<!--",
		"-->", "<!-- & -->", "<?pi x?>", "<!DOCTYPE x>", "\x01",
		"\x1f", "\t", "\n", "\r", "\x7f", "\xc3\xa9", "\xe2\x80\x94",
		"x", "ab", "0123456789abcdef", ";", "#", "\"", "'", ">",
		"&Aacute;", "&copy;", "&hellip;", "<!EN", "TITY",
	};
	const size_t	 np = sizeof(pieces) / sizeof(pieces[0]);
	struct out	 doc;
	const char	*pc;
	uint64_t	 seed = 42;
	char		*got, *want;
	size_t		 round, k, n, pad, glen, wlen, changed = 0;

	(void)state;
	for (round = 0; round < 20000; round++) {
		memset(&doc, 0, sizeof(doc));
		out_add(&doc, "", 0);
		n = 1 + next_rand(&seed) % 40;
		for (k = 0; k < n; k++) {
			pc = pieces[next_rand(&seed) % np];
			for (pad = next_rand(&seed) % 40; pad > 0; pad--)
				out_add(&doc, "p", 1);
			out_str(&doc, pc);
		}
		glen = wlen = 0;
		assert_int_equal(feed_xml_fix_entities(doc.s, doc.len, &got,
		    &glen), 0);
		want = ref_fix(doc.s, doc.len, &wlen);
		if ((got == NULL) != (want == NULL) || glen != wlen ||
		    (got != NULL && memcmp(got, want, glen) != 0))
			fail_msg("rewrite differs for \"%s\"", doc.s);
		changed += got != NULL;
		free(got);
		free(want);
		free(doc.s);
	}
	/* both kinds were tried */
	assert_true(changed > 1000 && changed < 19000);
}

/*
 * What feed_xml_read_as_is reads, feed_xml_fix_entities would have left
 * as it is: documents of pieces mostly well-formed, some of them not.
 */
static void
test_as_is_needs_no_rewrite(void **state)
{
	static const char *const pieces[] = {
		"&lt;", "&gt;", "&amp;", "&quot;", "&#160;", "&#x2014;",
		"<a>x</a>", "<b c='>&amp;'/>", "<d e=\"&lt;\"></d>",
		"<![CDATA[&nbsp;<&]]>", "<!-- &nbsp; < -->", "<?pi x?>",
		"<?pi a>&nbsp;?>", "\t", "\n", "\r", "text", "\xc3\xa9",
		">", "'", "\"", ";", "#", "]", "&nbsp;", "&", "<", "\x01",
		"&#x;", "&#;", "<!DOCTYPE r>", "]]>", "&nosuch;", "<3",
		"&eacute;",
	};
	const size_t		 np = sizeof(pieces) / sizeof(pieces[0]);
	struct feed_xml_notes	 notes;
	struct out		 doc;
	xmlDoc			*x;
	uint64_t		 seed = 7;
	char			*got;
	size_t			 round, k, n, glen, read = 0;
	int			 rc;

	(void)state;
	for (round = 0; round < 20000; round++) {
		memset(&doc, 0, sizeof(doc));
		out_str(&doc, "<r>");
		n = 1 + next_rand(&seed) % 8;
		for (k = 0; k < n; k++)
			out_str(&doc, pieces[next_rand(&seed) % np]);
		out_str(&doc, "</r>");
		rc = feed_xml_read_as_is(doc.s, doc.len, NULL, &x, &notes);
		assert_true(rc == 0 || rc == 1);
		if (rc == 0) {
			read++;
			assert_false(notes.recovered);
			xmlFreeDoc(x);
			assert_int_equal(feed_xml_fix_entities(doc.s, doc.len,
			    &got, &glen), 0);
			if (got != NULL)
				fail_msg("read as is, but rewritten: \"%s\"",
				    doc.s);
		}
		free(doc.s);
	}
	/* both ways were taken */
	assert_true(read > 1000 && read < 19000);
}

/* --- the strict push pass against libxml2's own tree ----------------- */

static char *
dump(xmlDoc *doc)
{
	xmlChar	*s = NULL;
	int	 n = 0;

	xmlDocDumpMemory(doc, &s, &n);
	assert_non_null(s);
	return (char *)s;
}

/* feed_xml_read's tree is the one xmlReadMemory builds. */
static void
same_tree(const char *s)
{
	struct feed_xml_notes	 notes;
	xmlDoc			*ours, *theirs;
	char			*a, *b;

	assert_int_equal(feed_xml_read(s, strlen(s), false, NULL, &ours,
	    &notes), 0);
	assert_false(notes.recovered);
	theirs = xmlReadMemory(s, (int)strlen(s), NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	assert_non_null(theirs);
	a = dump(ours);
	b = dump(theirs);
	if (strcmp(a, b) != 0)
		fail_msg("tree differs:\n%s\n---\n%s", a, b);
	xmlFree(a);
	xmlFree(b);
	xmlFreeDoc(ours);
	xmlFreeDoc(theirs);
}

/* Text as pieces of every kind, mixed with what must end a node. */
static void
test_push_text_pieces(void **state)
{
	static const char *const docs[] = {
		"<r>a &lt;b&gt; c &amp; d &quot;e&apos; &#233; &#x2014;</r>",
		"<r>text<![CDATA[<p>cdata</p>]]>more&lt;<![CDATA[x]]></r>",
		"<r>a<!-- c -->b&lt;<!-- d -->&gt;c</r>",
		"<r>a<?pi data?>&lt;b<?pi?>c</r>",
		"<r>  <a>x&amp;y</a>  \n  <b/>&lt;  <c>z</c>\n</r>",
		"<r><a>&lt;</a><a></a><a>&lt;&lt;<b>&gt;</b>&gt;</a></r>",
		"<r xml:space=\"preserve\">  <a> </a>  &amp;  </r>",
		"<r xmlns=\"urn:x\" xmlns:p=\"urn:p\"><p:a>&lt;p</p:a>"
		    "<b p:c=\"&amp;\">&gt;</b></r>",
	};
	struct out	 big = { 0 };
	size_t		 k;

	(void)state;
	for (k = 0; k < sizeof(docs) / sizeof(docs[0]); k++)
		same_tree(docs[k]);
	/* past the buffer: thousands of pieces in one node, CDATA and
	 * runs of 300 bytes between them */
	out_str(&big, "<r><a>");
	for (k = 0; k < 5000; k++) {
		out_str(&big, "&lt;b&gt;word&amp;");
		if (k % 97 == 0)
			out_str(&big, "<![CDATA[<i>cdata</i>]]>");
		if (k % 311 == 0) {
			char	 run[700];

			memset(run, 'r', sizeof(run) - 1);
			run[sizeof(run) - 1] = '\0';
			out_str(&big, run);
		}
		if (k % 1000 == 999)
			out_str(&big, "</a><a>");
	}
	out_str(&big, "</a></r>");
	same_tree(big.s);
	free(big.s);
}

static struct feed_doc *
parse(const char *s)
{
	struct feed_doc	*d = NULL;
	char		 err[256];

	if (feed_parse(s, strlen(s), NULL, NULL, &d, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(d);
	return d;
}

/*
 * A document with a DTD is built without gathering (libxml2 builds its
 * entities' text under other nodes): references and text still join.
 */
static void
test_push_dtd(void **state)
{
	struct feed_doc	*d;

	(void)state;
	d = parse("<!DOCTYPE rss [<!ENTITY e \"E&amp;\">]>"
	    "<rss version=\"2.0\"><channel><title>c</title><item>"
	    "<title>a &e; b &amp; &nbsp;c</title>"
	    "<description>&lt;p&gt;&e;&lt;/p&gt;<![CDATA[<b>x</b>]]>"
	    "</description></item></channel></rss>");
	assert_false(d->recovered);
	assert_int_equal(d->nitems, 1);
	/* a title's no-break space is a space, and runs of them one */
	assert_string_equal(d->items[0].title, "a E& b & c");
	assert_string_equal(d->items[0].summary, "<p>E&</p><b>x</b>");
	feed_free(d);
}

/*
 * One text node over libxml2's limit on text (10,000,000 bytes), made of
 * pieces: the push pass fails on the piece it failed on before, and the
 * document is read by the passes after it.
 */
static void
test_push_text_limit(void **state)
{
	struct out	 doc = { 0 };
	struct feed_doc	*d;
	size_t		 k;

	(void)state;
	out_str(&doc, "<rss version=\"2.0\"><channel><title>c</title>"
	    "<item><title>t</title><description>");
	for (k = 0; k < 10100000 / 14; k++)
		out_str(&doc, "abc&lt;def&amp;");
	out_str(&doc, "</description></item></channel></rss>");
	d = parse(doc.s);
	assert_int_equal(d->nitems, 1);
	assert_string_equal(d->items[0].title, "t");
	feed_free(d);
	free(doc.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_entities_as_bytewise),
		cmocka_unit_test(test_as_is_needs_no_rewrite),
		cmocka_unit_test(test_push_text_pieces),
		cmocka_unit_test(test_push_dtd),
		cmocka_unit_test(test_push_text_limit),
	};

	xmlInitParser();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
