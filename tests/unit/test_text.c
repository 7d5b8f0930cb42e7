/*
 * test_text: HTML fragments to plain text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parsers/text.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
