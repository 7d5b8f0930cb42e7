/*
 * test_text: HTML fragments to plain text.
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
#include <libxml/tree.h>

#include "parsers/text.h"
#include "parsers/text_int.h"

static void
check(const char *html, const char *want_text, const char *want_line)
{
	char	*t;

	t = text_from_html(html, strlen(html));
	assert_non_null(t);
	if (strcmp(t, want_text) != 0)
		fail_msg("text_from_html(\"%s\") = \"%s\", want \"%s\"", html,
		    t, want_text);
	free(t);
	t = text_line_from_html(html, strlen(html));
	assert_non_null(t);
	if (strcmp(t, want_line) != 0)
		fail_msg("text_line_from_html(\"%s\") = \"%s\", want \"%s\"",
		    html, t, want_line);
	free(t);
}

static void
test_plain(void **state)
{
	(void)state;
	check("Hello world", "Hello world", "Hello world");
	check("  padded\t text \n", "padded text", "padded text");
	check("Tom &amp; Jerry", "Tom & Jerry", "Tom & Jerry");
	check("caf&eacute; &mdash; bar", "café — bar", "café — bar");
	check("5 &lt; 6", "5 < 6", "5 < 6");
	check("fish & chips", "fish & chips", "fish & chips");
	check("déjà vu", "déjà vu", "déjà vu");
	/* A blank line in plain text is a paragraph break. */
	check("one\n\ntwo", "one\n\ntwo", "one two");
}

static void
test_markup(void **state)
{
	(void)state;
	check("<p>Hello <b>bold</b> world</p>", "Hello bold world",
	    "Hello bold world");
	check("<p>one</p><p>two</p>", "one\n\ntwo", "one two");
	check("a<br>b", "a\n\nb", "a b");
	check("<ul><li>x</li><li>y</li></ul>", "x\n\ny", "x y");
	check("<h1>Title</h1>\n\n<div>  body   text </div>",
	    "Title\n\nbody text", "Title body text");
	check("<b>a</b> <i>b</i>", "a b", "a b");
	check("x&nbsp;y", "x y", "x y");
	check("<p>\xc2\xa0 lead</p>", "lead", "lead");
}

static void
test_dropped(void **state)
{
	(void)state;
	check("<script>alert(1)</script>visible", "visible", "visible");
	check("<style>p { color: red }</style><p>styled</p>", "styled",
	    "styled");
	check("<p>a<script>var x = '<p>';</script>b</p>", "ab", "ab");
	check("<!-- comment -->text", "text", "text");
}

static void
test_broken(void **state)
{
	(void)state;
	check("<p>unclosed <b>bold", "unclosed bold", "unclosed bold");
	check("</div>stray close", "stray close", "stray close");
	check("<p>a < b</p>", "a < b", "a < b");
}

static void
test_empty(void **state)
{
	char	*t;

	(void)state;
	t = text_from_html("", 0);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
	t = text_line_from_html(NULL, 0);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
	check("<p> </p><script>x</script>", "", "");
}

/* The length is honoured: no reading past it, no need for a NUL. */
static void
test_length(void **state)
{
	const char	 html[] = "<b>abc</b>XYZ";
	char		*t;

	(void)state;
	t = text_from_html(html, 10);
	assert_non_null(t);
	assert_string_equal(t, "abc");
	free(t);
}

/*
 * The text of a tree, as text.c made it before it walked the parser's
 * events instead: the reference its output must keep to, byte for byte.
 */
struct ref {
	char	 out[8192];
	size_t	 len;
	int	 oneline, plain, space, brk;
};

static int
ref_in(const char *const *list, const xmlChar *name)
{
	for (; *list != NULL; list++)
		if (xmlStrcasecmp(name, (const xmlChar *)*list) == 0)
			return 1;
	return 0;
}

static void
ref_emit(struct ref *r, const char *p, size_t n)
{
	assert_true(r->len + n < sizeof(r->out));
	memcpy(r->out + r->len, p, n);
	r->len += n;
	r->out[r->len] = '\0';
}

static void
ref_text(struct ref *r, const unsigned char *s)
{
	size_t	 n, nl;

	while (*s != '\0') {
		for (n = nl = 0;;) {
			if (s[n] == ' ' || s[n] == '\t' || s[n] == '\r' ||
			    s[n] == '\f' || s[n] == '\v')
				n++;
			else if (s[n] == '\n') {
				nl++;
				n++;
			} else if (s[n] == 0xc2 && s[n + 1] == 0xa0)
				n += 2;
			else
				break;
		}
		if (n > 0) {
			if (r->len > 0)
				r->space = 1;
			if (r->plain && nl >= 2 && r->len > 0)
				r->brk = 1;
			s += n;
			continue;
		}
		if (r->brk && r->len > 0)
			ref_emit(r, r->oneline ? " " : "\n\n",
			    r->oneline ? 1 : 2);
		else if (r->space && r->len > 0)
			ref_emit(r, " ", 1);
		r->brk = r->space = 0;
		ref_emit(r, (const char *)s++, 1);
	}
}

static void
ref_walk(struct ref *r, xmlNode *node, int depth)
{
	static const char *const skipped[] = { "script", "style", "title",
	    "noscript", "template", "iframe", "object", "embed", NULL };
	static const char *const blocks[] = { "p", "div", "br", "li", "ul",
	    "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
	    "blockquote", "pre", "table", "tr", "hr", "section", "article",
	    "header", "footer", "aside", "nav", "figure", "figcaption",
	    "address", "form", "fieldset", "main", "details", "summary",
	    "caption", "center", NULL };
	xmlNode	*n;
	int	 block;

	if (depth > 256)
		return;
	for (n = node; n != NULL; n = n->next) {
		if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
			ref_text(r, n->content);
		if (n->type != XML_ELEMENT_NODE || ref_in(skipped, n->name))
			continue;
		if ((block = ref_in(blocks, n->name)))
			r->brk = 1;
		ref_walk(r, n->children, depth + 1);
		if (block)
			r->brk = 1;
	}
}

static void
ref_convert(struct ref *r, const char *html, int oneline)
{
	htmlDocPtr	 doc;

	memset(r, 0, sizeof(*r));
	r->oneline = oneline;
	r->plain = strchr(html, '<') == NULL;
	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER);
	if (doc != NULL) {
		ref_walk(r, doc->children, 0);
		xmlFreeDoc(doc);
	}
}

/*
 * Random fragments of the pieces feeds are made of (blocks and inline
 * elements, unclosed and stray tags, skipped elements, entities, white
 * space of every kind, blank lines, NBSP, comments, CDATA, bare '<' and
 * '&', text long enough to come in several pieces): the same text as the
 * tree walk's, as text and as one line.
 */
static void
test_as_tree(void **state)
{
	static const char *const piece[] = {
		"<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</i>",
		"<br>", "<br/>", "<li>", "<ul>", "</ul>", "<h2>", "</h2>",
		"<script>var a = '<p>x</p>';</script>", "<style>p{}</style>",
		"<title>t</title>", "<noscript>n</noscript>", "<table><tr><td>",
		"</td></tr></table>", "<span>", "</span>", "<a href=\"/x\">",
		"</a>", "<img src=x>", "<!-- c -->", "<![CDATA[cd]]>", "word",
		"two words", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\xc2\xa0",
		"&amp;", "&nbsp;", "&eacute;", "&#8217;", "&bogus;", "& ", "a<b",
		"<", ">", "caf\xc3\xa9", "\xe2\x80\x9cq\xe2\x80\x9d", "</x>",
		"<blockquote>", "<pre>  a\n  b</pre>", "<html>", "<body>",
		"<center>", "\x01", "\xc2", "x\xc2\xa0y", "<P>", "</P>",
		"<DIV class=a>", "<Br>", "<SCRIPT>s</SCRIPT>", "<sTyLe>x</style>",
		"lorem ipsum dolor sit amet consectetur adipiscing elit sed "
		"do eiusmod tempor incididunt ut labore et dolore magna aliqua "
		"ut enim ad minim veniam quis nostrud exercitation ullamco "
		"laboris nisi ut aliquip ex ea commodo consequat duis aute "
		"irure dolor in reprehenderit in voluptate velit esse cillum",
	};
	struct ref	 r;
	uint64_t	 x = 0x2545f4914f6cdd1dULL;
	char		 in[4096], *got;
	size_t		 i, k, n, len, np = sizeof(piece) / sizeof(piece[0]);
	int		 oneline;

	(void)state;
	for (i = 0; i < 4000; i++) {
		len = 0;
		in[0] = '\0';
		for (k = 0; k < 1 + i % 24; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Plain text now and then: no '<' at all. */
			if (i % 5 == 0 && strchr(piece[x % np], '<') != NULL)
				continue;
			n = strlen(piece[x % np]);
			memcpy(in + len, piece[x % np], n + 1);
			len += n;
		}
		for (oneline = 0; oneline < 2; oneline++) {
			ref_convert(&r, in, oneline);
			got = oneline ? text_line_from_html(in, len) :
			    text_from_html(in, len);
			assert_non_null(got);
			if (strcmp(got, r.out) != 0)
				fail_msg("%s(\"%s\") = \"%s\", the tree's: \"%s\"",
				    oneline ? "text_line_from_html" :
				    "text_from_html", in, got, r.out);
			free(got);
		}
	}
}

static int
listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/*
 * Whether libxml2 closes an open <name> at a second <name> ("<p>a<p>b"
 * makes two paragraphs, "<b>a<b>b" one inside the other).
 */
static int
closes_itself(const char *name)
{
	char		 html[64];
	htmlDocPtr	 doc;
	xmlNode		*n;
	int		 yes = 0;

	snprintf(html, sizeof(html), "<%s>a<%s>b", name, name);
	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER);
	assert_non_null(doc);
	/* html > body > name */
	n = xmlDocGetRootElement(doc)->children->children;
	assert_string_equal((const char *)n->name, name);
	yes = n->next != NULL;
	xmlFreeDoc(doc);
	return yes;
}

/*
 * The fast path's table of elements is libxml2's: what is void, what a
 * start tag closes (htmlAutoCloseTag asks its htmlStartClose), and the
 * block and skipped lists are text.c's own.
 */
static void
test_fast_tables(void **state)
{
	const struct text_tag	*t, *o;
	const htmlElemDesc	*d;
	xmlNode			 node;
	size_t			 i, k;
	int			 want;

	(void)state;
	for (i = 0; text_tags[i].name != NULL; i++) {
		t = &text_tags[i];
		if (t->flags & TEXT_TAG_IMPLIED)
			continue;
		d = htmlTagLookup((const xmlChar *)t->name);
		if ((d != NULL && d->empty) != !!(t->flags & TEXT_TAG_VOID))
			fail_msg("%s: void or not", t->name);
		if (listed(text_blocks, t->name) !=
		    !!(t->flags & TEXT_TAG_BLOCK))
			fail_msg("%s: block or not", t->name);
		if (listed(text_skipped, t->name) !=
		    !!(t->flags & TEXT_TAG_SKIP))
			fail_msg("%s: skipped or not", t->name);
		if ((strcmp(t->name, "div") == 0) !=
		    !!(t->flags & TEXT_TAG_DIV))
			fail_msg("%s: end priority", t->name);
		memset(&node, 0, sizeof(node));
		node.type = XML_ELEMENT_NODE;
		node.name = (const xmlChar *)t->name;
		for (k = 0; text_tags[k].name != NULL; k++) {
			o = &text_tags[k];
			if (k == i)
				want = !(t->flags & TEXT_TAG_VOID) &&
				    closes_itself(t->name);
			else
				want = htmlAutoCloseTag(NULL,
				    (const xmlChar *)o->name, &node);
			if (want != !!(t->closes & (UINT64_C(1) << k)))
				fail_msg("<%s> closes <%s>: libxml2 says %d",
				    t->name, o->name, want);
		}
	}
}

/* The fast path's entities are libxml2's, all of them, sorted. */
static void
test_fast_entities(void **state)
{
	const htmlEntityDesc	*d;
	const struct text_entity *e;
	size_t			 i, n = 0;
	unsigned		 v;

	(void)state;
	for (i = 0; i < text_nentities; i++) {
		if (i > 0 && strcmp(text_entities[i - 1].name,
		    text_entities[i].name) >= 0)
			fail_msg("%s: out of order", text_entities[i].name);
		d = htmlEntityLookup((const xmlChar *)text_entities[i].name);
		if (d == NULL || d->value != text_entities[i].value)
			fail_msg("&%s;: not libxml2's", text_entities[i].name);
		/* and the look-up's, the common names tried first included */
		e = text_entity_find(text_entities[i].name,
		    strlen(text_entities[i].name));
		if (e == NULL || e->value != text_entities[i].value)
			fail_msg("&%s;: not found", text_entities[i].name);
	}
	assert_null(text_entity_find("am", 2));
	assert_null(text_entity_find("ampx", 4));
	assert_null(text_entity_find("AMP", 3));
	assert_null(text_entity_find("", 0));
	/* libxml2's table, by value: as many as ours */
	for (v = 0; v < 0x30000; v++)
		if ((d = htmlEntityValueLookup(v)) != NULL && d->value == v)
			n++;
	assert_int_equal(n, text_nentities);
	/* and the elements are sorted, for their binary search */
	for (i = 1; text_tags[i].name != NULL &&
	    !(text_tags[i].flags & TEXT_TAG_IMPLIED); i++)
		if (strcmp(text_tags[i - 1].name, text_tags[i].name) >= 0)
			fail_msg("<%s>: out of order", text_tags[i].name);
}

/* The same as libxml2's, as text and as a line; fast says by which path. */
static void
same(const char *html, size_t len, int fast)
{
	char	*want, *got;
	bool	 took;
	int	 oneline;

	for (oneline = 0; oneline < 2; oneline++) {
		want = text_convert(html, len, oneline, TEXT_LIBXML, NULL);
		got = text_convert(html, len, oneline, TEXT_AUTO, &took);
		assert_non_null(want);
		assert_non_null(got);
		if (strcmp(want, got) != 0)
			fail_msg("\"%s\" (%s): \"%s\", libxml2's \"%s\"", html,
			    oneline ? "line" : "text", got, want);
		if (fast != -1 && took != (fast == 1))
			fail_msg("\"%s\": %s the fast path", html,
			    took ? "took" : "did not take");
		free(want);
		free(got);
	}
}

/* What feeds' fields are made of: no libxml2, the same text. */
static void
test_fast_taken(void **state)
{
	static const char *const in[] = {
		"Plain title", "  padded\t text \n", "one\n\ntwo", "a\r\rb",
		"a\r\n\r\nb", "x\xc2\xa0y", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
		"Tom &amp; Jerry", "&lt;tag&gt;", "It&#8217;s &#x2014; &#X41;",
		"&nbsp;lead", "&#160;", "&#10;&#10;x", "&#13;x", "&bogus; &amp x",
		"&AMP;", "& ", "a &", "&&;", "&1;", "&#x1F600;",
		"<p>Hello <b>bold</b> world</p>", "<p>one</p><p>two</p>",
		"a<br>b", "a<br/>b", "a<br />b", "<P>x</P>", "<DIV CLASS=a>y</DIV>",
		"<ul><li>x<li>y</ul>", "<p>a<p>b", "<a href=\"/x\">l</a>",
		"<a href='y' title=\"a > b\">t</a>", "<a href=x/>y",
		"<img src=\"a.png\" alt=\"\"/> caption", "<p/>x", "<div/>x",
		"text<div>block</div>after", "x</p>y", "<b><p>x</b>y</p>z",
		"<div><span>a</div>b", "<noscript><div>x</noscript>y</div>z",
		"<iframe src=v><p>in</p></iframe>out", "<embed src=e>e</embed>",
		"<!-- c -->text", "a<!-- c -->b", "<h1>T</h1>\n\n<div> b </div>",
		"<p a b c>x", "<figure><img src=x><figcaption>c</figcaption>"
		"</figure>", "<dl><dt>t<dd>d</dl>", "<center><b>x<p>y",
		"<pre>\n  a\n  b</pre>", "]]> --> = / >",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		same(in[i], strlen(in[i]), 1);
}

/* What libxml2 reads otherwise than as written: left to it. */
static void
test_fast_fallback(void **state)
{
	static const char *const in[] = {
		"a\fb", "a\vb", "a\x01" "b", "a\x7f" "b", "a\xc2\x85" "b",
		"\xef\xbb\xbf" "bom", "a\xef\xbf\xbe" "b", "a\xef\xbf\xbf" "b",
		"a\xc2" "b", "a\xff" "b", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "<script>x</script>y", "<style>p{}</style>y",
		"<title>t</title>y", "<table><tr><td>c</td></tr></table>",
		"<html><body>x</body></html>", "<head>h</head>x", "<meta x=y>z",
		"<!DOCTYPE html>x", "<?pi x?>y", "<![CDATA[c]]>", "a < b",
		"< p>", "<3", "</ p>", "</>", "a</br>b", "</img>", "<_x>",
		"<x-y>z", "<my:tag>z", "<unknown>z", "<wbr>", "<p class=a",
		"<p a='b>", "<p a=>x", "<p \"q\">x", "<p/ >x", "&#0;", "&#150;",
		"&#127;", "&#xD800;", "&#xFFFE;", "&#1114112;", "&#;", "&#x;",
		"&#foo;", "&#12", "&#x4g;", "&a-b;", "&amp.x;", "&_x;", "&:x;",
		"&caf\xc3\xa9;", "&#", "<!-->x", "<!--->x", "<!-- a -- b -->x",
		"<!-- a --->x", "<!-- unterminated", "<p>x<input y>",
	};
	char	 deep[64 * 3 + 8];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		same(in[i], strlen(in[i]), 0);
	/* NUL inside the length */
	same("a\0b", 3, 0);
	/* Nesting deeper than the fast path keeps */
	for (i = 0; i < 64; i++)
		memcpy(deep + 3 * i, "<b>", 3);
	memcpy(deep + 3 * i, "x", 2);
	same(deep, strlen(deep), 0);
	deep[3 * 60] = 'x';
	deep[3 * 60 + 1] = '\0';
	same(deep, strlen(deep), 1);
}

/*
 * Random fragments of what the fast path reads itself, where the tree
 * libxml2 builds matters to the text: skipped elements around blocks,
 * end tags that close or may not close what is open, start tags that
 * close the open one, references.  Mostly fast, the same text.
 */
static void
test_fast_random(void **state)
{
	static const char *const piece[] = {
		"<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</i>",
		"<span>", "</span>", "<a href=x>", "</a>", "<li>", "</li>",
		"<ul>", "</ul>", "<ol>", "</ol>", "<dl>", "<dt>", "<dd>",
		"</dd>", "<h2>", "</h2>", "<pre>", "</pre>", "<address>",
		"</address>", "<center>", "</center>", "<font>", "</font>",
		"<tt>", "<u>", "<br>", "<hr>", "<img src=x>", "<p/>", "<em/>",
		"<noscript>", "</noscript>", "<iframe>", "</iframe>", "<object>",
		"</object>", "<embed>", "</embed>", "<section>", "</section>",
		"<!-- c -->", "&amp;", "&nbsp;", "&#8217;", "&bogus;", "& ",
		"word", "two words", " ", "\n", "\n\n", "\r\n", "\xc2\xa0",
	};
	uint64_t	 x = 0x9e3779b97f4a7c15ULL;
	char		 in[1024];
	size_t		 i, k, n, len, fast = 0;
	size_t		 np = sizeof(piece) / sizeof(piece[0]);
	bool		 took;
	char		*t;

	(void)state;
	for (i = 0; i < 3000; i++) {
		len = 0;
		for (k = 0; k < 1 + i % 32; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n = strlen(piece[x % np]);
			memcpy(in + len, piece[x % np], n);
			len += n;
		}
		in[len] = '\0';
		same(in, len, -1);
		t = text_convert(in, len, false, TEXT_FAST, &took);
		fast += took;
		free(t);
	}
	/* All of it, but for what nests too deep. */
	assert_true(fast > 2900);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_as_tree),
		cmocka_unit_test(test_fast_tables),
		cmocka_unit_test(test_fast_entities),
		cmocka_unit_test(test_fast_taken),
		cmocka_unit_test(test_fast_fallback),
		cmocka_unit_test(test_fast_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
