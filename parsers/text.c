/*
 * text: plain text out of (X)HTML fragments, through libxml2's HTML parser
 * so that entities, unclosed tags and stray markup are handled the way a
 * browser would rather than with string matching.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/text.h"
#include "parsers/text_int.h"
#include "parsers/xmlcap.h"
#include "parsers/xmloom.h"

#define TEXT_MAX	(16 * 1024 * 1024)	/* output cap */
#define TEXT_DEPTH	256			/* deeper nesting is ignored */

/*
 * The parser's SAX events are walked as they come: no tree is built (it
 * cost more than the parse itself), and the depth is counted as a tree
 * walk would see it.
 */
struct walk {
	struct buf	 out;
	bool		 oneline;	/* titles: paragraph breaks are spaces */
	bool		 plain;		/* input had no markup at all */
	bool		 space;		/* a space is due before the next text */
	bool		 brk;		/* a paragraph break is due */
	unsigned	 nl;		/* newlines in the white space so far */
	int		 depth;		/* elements open */
	int		 skip;		/* depth inside a skipped one, or 0 */
	int		 err;
};

const char *const text_skipped[] = {
	"script", "style", "title", "noscript", "template", "iframe",
	"object", "embed", NULL
};

const char *const text_blocks[] = {
	"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
	"h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr", "section",
	"article", "header", "footer", "aside", "nav", "figure", "figcaption",
	"address", "form", "fieldset", "main", "details", "summary", "caption",
	"center", NULL
};

/*
 * The HTML parser gives names in lower case: compared as bytes, after
 * their first letter (most names are in neither list).
 */
static bool
in_list(const char *const *list, const xmlChar *name)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (list[i][0] == (char)name[0] &&
		    strcmp((const char *)name, list[i]) == 0)
			return true;
	return false;
}

static void
emit(struct walk *w, const char *p, size_t n)
{
	int	 rc;

	if (w->err != BUF_OK)
		return;
	if ((rc = buf_add(&w->out, p, n)) != BUF_OK)
		w->err = rc;
}

/* White space (NBSP counts): a space is due, or in plain text a break. */
static size_t
blank_at(struct walk *w, const unsigned char *s, size_t len)
{
	size_t	 n;

	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\f' ||
	    s[0] == '\v')
		n = 1;
	else if (s[0] == '\n') {
		w->nl++;
		n = 1;
	} else if (s[0] == 0xc2 && len > 1 && s[1] == 0xa0)
		n = 2;
	else
		return 0;
	if (w->out.len > 0)
		w->space = true;
	/* In plain text a blank line is a paragraph break. */
	if (w->plain && w->nl >= 2 && w->out.len > 0)
		w->brk = true;
	return n;
}

/* Append text, collapsing white space; it may come in many pieces. */
static void
add_text(struct walk *w, const unsigned char *s, size_t len)
{
	size_t	 i = 0, n, run;

	while (i < len) {
		if ((n = blank_at(w, s + i, len - i)) > 0) {
			i += n;
			continue;
		}
		if (w->brk && w->out.len > 0)
			emit(w, w->oneline ? " " : "\n\n", w->oneline ? 1 : 2);
		else if (w->space && w->out.len > 0)
			emit(w, " ", 1);
		w->brk = w->space = false;
		w->nl = 0;
		/*
		 * A word, and the words after it each behind one space: the
		 * space would come out as it is, so they go in one piece.
		 */
		for (run = i + 1; run < len; run++)
			if ((s[run] <= ' ' || s[run] == 0xc2) && (s[run] != ' ' ||
			    run + 1 == len || s[run + 1] <= ' ' ||
			    s[run + 1] == 0xc2))
				break;
		emit(w, (const char *)s + i, run - i);
		i = run;
	}
}

/* An element opens: a skipped one hides what it holds, a block breaks. */
static void
walk_start(struct walk *w, bool skip, bool block)
{
	int	 depth = w->depth++;

	if (w->skip != 0 || depth > TEXT_DEPTH)
		return;
	if (skip)
		w->skip = w->depth;
	else if (block)
		w->brk = true;
}

static void
walk_end(struct walk *w, bool block)
{
	int	 depth = --w->depth;

	if (w->skip != 0) {
		if (w->skip == depth + 1)
			w->skip = 0;
		return;
	}
	if (depth <= TEXT_DEPTH && block)
		w->brk = true;
}

static void
walk_text(struct walk *w, const unsigned char *s, size_t len)
{
	/* Outside every element a tree has no place for text: dropped. */
	if (w->skip == 0 && w->depth > 0 && w->depth <= TEXT_DEPTH &&
	    len > 0 && w->err == BUF_OK)
		add_text(w, s, len);
}

static struct walk *
walk_of(void *ctx)
{
	return ((htmlParserCtxt *)ctx)->_private;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct walk	*w = walk_of(ctx);

	(void)atts;
	walk_start(w, in_list(text_skipped, name), in_list(text_blocks, name));
	/* libxml2 looks for each end tag among all the open elements */
	if (w->depth > XMLCAP_STACK)
		xmlStopParser(ctx);
}

static void
on_end(void *ctx, const xmlChar *name)
{
	walk_end(walk_of(ctx), in_list(text_blocks, name));
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
	if (len > 0)
		walk_text(walk_of(ctx), s, (size_t)len);
}

/* HTML's own is a no-op too (blanks come as characters, keepBlanks). */
static void
on_blanks(void *ctx, const xmlChar *s, int len)
{
	(void)ctx;
	(void)s;
	(void)len;
}

/*
 * The fast path: most fields are plain text or a few well-formed tags
 * (p, br, a, em, img, ...) and entities.  For those the tree libxml2 would
 * build is known in advance: the elements it implies (html, body, and a p
 * around text that comes first), the ones a start tag closes (its table,
 * text_tags[].closes) and the ones an end tag closes (its priorities).
 * The same walk is driven from here; anything else (another element, a
 * bare '<', a doctype, a character libxml2 drops or changes, nesting
 * deeper than FAST_DEPTH) gives up, and libxml2 reads the fragment.
 */
#define FAST_DEPTH	64	/* elements open at once, html and body too */
#define FAST_NAME	16	/* longest element name read */
#define FAST_ATTR	90	/* longest attribute name (libxml2 cuts at 100) */

/* In alphabetical order (fast_tag searches them), html and body last. */
enum {
	T_A, T_ABBR, T_ADDRESS, T_ARTICLE, T_ASIDE, T_B, T_BIG, T_BLOCKQUOTE,
	T_BR, T_CENTER, T_CITE, T_CODE, T_DD, T_DEL, T_DIV, T_DL, T_DT, T_EM,
	T_EMBED, T_FIGCAPTION, T_FIGURE, T_FONT, T_FOOTER, T_H1, T_H2, T_H3,
	T_H4, T_H5, T_H6, T_HEADER, T_HR, T_I, T_IFRAME, T_IMG, T_INS, T_LI,
	T_MAIN, T_MARK, T_NAV, T_NOSCRIPT, T_OBJECT, T_OL, T_P, T_PRE, T_Q,
	T_S, T_SECTION, T_SMALL, T_SPAN, T_STRIKE, T_STRONG, T_SUB, T_SUP,
	T_TIME, T_TT, T_U, T_UL,
	T_HTML, T_BODY
};

#define BIT(t)		(UINT64_C(1) << (t))
#define HEADINGS	(BIT(T_H1) | BIT(T_H2) | BIT(T_H3) | BIT(T_H4) | \
			    BIT(T_H5) | BIT(T_H6))
#define INLINE		0
#define BLOCK		TEXT_TAG_BLOCK
#define HEADING(n)	{ n, BLOCK, BIT(T_P) }

/* In the enum's order; the closes are libxml2's htmlStartClose. */
const struct text_tag text_tags[] = {
	{ "a", INLINE, BIT(T_A) },
	{ "abbr", INLINE, 0 },
	{ "address", BLOCK, BIT(T_P) | BIT(T_UL) },
	{ "article", BLOCK, 0 },
	{ "aside", BLOCK, 0 },
	{ "b", INLINE, 0 },
	{ "big", INLINE, 0 },
	{ "blockquote", BLOCK, BIT(T_P) },
	{ "br", BLOCK | TEXT_TAG_VOID, 0 },
	{ "center", BLOCK, BIT(T_B) | BIT(T_FONT) | BIT(T_I) | BIT(T_P) },
	{ "cite", INLINE, 0 },
	{ "code", INLINE, 0 },
	{ "dd", BLOCK, BIT(T_P) | BIT(T_DT) | BIT(T_ADDRESS) | BIT(T_PRE) },
	{ "del", INLINE, 0 },
	{ "div", BLOCK | TEXT_TAG_DIV, BIT(T_P) },
	{ "dl", BLOCK, BIT(T_P) | BIT(T_DT) | BIT(T_ADDRESS) | BIT(T_PRE) },
	{ "dt", BLOCK, BIT(T_P) | BIT(T_DD) | BIT(T_ADDRESS) | BIT(T_PRE) },
	{ "em", INLINE, 0 },
	{ "embed", TEXT_TAG_SKIP, 0 },
	{ "figcaption", BLOCK, 0 },
	{ "figure", BLOCK, 0 },
	{ "font", INLINE, 0 },
	{ "footer", BLOCK, 0 },
	HEADING("h1"),
	HEADING("h2"),
	HEADING("h3"),
	HEADING("h4"),
	HEADING("h5"),
	HEADING("h6"),
	{ "header", BLOCK, 0 },
	{ "hr", BLOCK | TEXT_TAG_VOID, BIT(T_P) },
	{ "i", INLINE, 0 },
	{ "iframe", TEXT_TAG_SKIP, 0 },
	{ "img", TEXT_TAG_VOID, 0 },
	{ "ins", INLINE, 0 },
	{ "li", BLOCK, BIT(T_P) | BIT(T_LI) | BIT(T_DL) | HEADINGS |
	    BIT(T_ADDRESS) | BIT(T_PRE) },
	{ "main", BLOCK, 0 },
	{ "mark", INLINE, 0 },
	{ "nav", BLOCK, 0 },
	{ "noscript", TEXT_TAG_SKIP, 0 },
	{ "object", TEXT_TAG_SKIP, 0 },
	{ "ol", BLOCK, BIT(T_P) | BIT(T_UL) },
	{ "p", BLOCK, BIT(T_P) | BIT(T_B) | BIT(T_BIG) | BIT(T_I) | BIT(T_S) |
	    BIT(T_SMALL) | BIT(T_STRIKE) | BIT(T_TT) | BIT(T_U) | HEADINGS },
	{ "pre", BLOCK, BIT(T_P) | BIT(T_UL) },
	{ "q", INLINE, 0 },
	{ "s", INLINE, 0 },
	{ "section", BLOCK, 0 },
	{ "small", INLINE, 0 },
	{ "span", INLINE, 0 },
	{ "strike", INLINE, 0 },
	{ "strong", INLINE, 0 },
	{ "sub", INLINE, 0 },
	{ "sup", INLINE, 0 },
	{ "time", INLINE, 0 },
	{ "tt", INLINE, 0 },
	{ "u", INLINE, 0 },
	{ "ul", BLOCK, BIT(T_P) | BIT(T_OL) | BIT(T_ADDRESS) | BIT(T_PRE) },
	{ "html", TEXT_TAG_IMPLIED, 0 },
	{ "body", TEXT_TAG_IMPLIED, 0 },
	{ NULL, 0, 0 }
};

/*
 * libxml2's HTML 4 entities (html40EntitiesTable), by name: its own
 * htmlEntityLookup compares the name with each in turn.
 */
const struct text_entity text_entities[] = {
	{ "AElig", 198 }, { "Aacute", 193 }, { "Acirc", 194 },
	{ "Agrave", 192 }, { "Alpha", 913 }, { "Aring", 197 },
	{ "Atilde", 195 }, { "Auml", 196 }, { "Beta", 914 },
	{ "Ccedil", 199 }, { "Chi", 935 }, { "Dagger", 8225 },
	{ "Delta", 916 }, { "ETH", 208 }, { "Eacute", 201 },
	{ "Ecirc", 202 }, { "Egrave", 200 }, { "Epsilon", 917 },
	{ "Eta", 919 }, { "Euml", 203 }, { "Gamma", 915 },
	{ "Iacute", 205 }, { "Icirc", 206 }, { "Igrave", 204 },
	{ "Iota", 921 }, { "Iuml", 207 }, { "Kappa", 922 },
	{ "Lambda", 923 }, { "Mu", 924 }, { "Ntilde", 209 },
	{ "Nu", 925 }, { "OElig", 338 }, { "Oacute", 211 },
	{ "Ocirc", 212 }, { "Ograve", 210 }, { "Omega", 937 },
	{ "Omicron", 927 }, { "Oslash", 216 }, { "Otilde", 213 },
	{ "Ouml", 214 }, { "Phi", 934 }, { "Pi", 928 },
	{ "Prime", 8243 }, { "Psi", 936 }, { "Rho", 929 },
	{ "Scaron", 352 }, { "Sigma", 931 }, { "THORN", 222 },
	{ "Tau", 932 }, { "Theta", 920 }, { "Uacute", 218 },
	{ "Ucirc", 219 }, { "Ugrave", 217 }, { "Upsilon", 933 },
	{ "Uuml", 220 }, { "Xi", 926 }, { "Yacute", 221 },
	{ "Yuml", 376 }, { "Zeta", 918 }, { "aacute", 225 },
	{ "acirc", 226 }, { "acute", 180 }, { "aelig", 230 },
	{ "agrave", 224 }, { "alefsym", 8501 }, { "alpha", 945 },
	{ "amp", 38 }, { "and", 8743 }, { "ang", 8736 }, { "apos", 39 },
	{ "aring", 229 }, { "asymp", 8776 }, { "atilde", 227 },
	{ "auml", 228 }, { "bdquo", 8222 }, { "beta", 946 },
	{ "brvbar", 166 }, { "bull", 8226 }, { "cap", 8745 },
	{ "ccedil", 231 }, { "cedil", 184 }, { "cent", 162 },
	{ "chi", 967 }, { "circ", 710 }, { "clubs", 9827 },
	{ "cong", 8773 }, { "copy", 169 }, { "crarr", 8629 },
	{ "cup", 8746 }, { "curren", 164 }, { "dArr", 8659 },
	{ "dagger", 8224 }, { "darr", 8595 }, { "deg", 176 },
	{ "delta", 948 }, { "diams", 9830 }, { "divide", 247 },
	{ "eacute", 233 }, { "ecirc", 234 }, { "egrave", 232 },
	{ "empty", 8709 }, { "emsp", 8195 }, { "ensp", 8194 },
	{ "epsilon", 949 }, { "equiv", 8801 }, { "eta", 951 },
	{ "eth", 240 }, { "euml", 235 }, { "euro", 8364 },
	{ "exist", 8707 }, { "fnof", 402 }, { "forall", 8704 },
	{ "frac12", 189 }, { "frac14", 188 }, { "frac34", 190 },
	{ "frasl", 8260 }, { "gamma", 947 }, { "ge", 8805 },
	{ "gt", 62 }, { "hArr", 8660 }, { "harr", 8596 },
	{ "hearts", 9829 }, { "hellip", 8230 }, { "iacute", 237 },
	{ "icirc", 238 }, { "iexcl", 161 }, { "igrave", 236 },
	{ "image", 8465 }, { "infin", 8734 }, { "int", 8747 },
	{ "iota", 953 }, { "iquest", 191 }, { "isin", 8712 },
	{ "iuml", 239 }, { "kappa", 954 }, { "lArr", 8656 },
	{ "lambda", 955 }, { "lang", 9001 }, { "laquo", 171 },
	{ "larr", 8592 }, { "lceil", 8968 }, { "ldquo", 8220 },
	{ "le", 8804 }, { "lfloor", 8970 }, { "lowast", 8727 },
	{ "loz", 9674 }, { "lrm", 8206 }, { "lsaquo", 8249 },
	{ "lsquo", 8216 }, { "lt", 60 }, { "macr", 175 },
	{ "mdash", 8212 }, { "micro", 181 }, { "middot", 183 },
	{ "minus", 8722 }, { "mu", 956 }, { "nabla", 8711 },
	{ "nbsp", 160 }, { "ndash", 8211 }, { "ne", 8800 },
	{ "ni", 8715 }, { "not", 172 }, { "notin", 8713 },
	{ "nsub", 8836 }, { "ntilde", 241 }, { "nu", 957 },
	{ "oacute", 243 }, { "ocirc", 244 }, { "oelig", 339 },
	{ "ograve", 242 }, { "oline", 8254 }, { "omega", 969 },
	{ "omicron", 959 }, { "oplus", 8853 }, { "or", 8744 },
	{ "ordf", 170 }, { "ordm", 186 }, { "oslash", 248 },
	{ "otilde", 245 }, { "otimes", 8855 }, { "ouml", 246 },
	{ "para", 182 }, { "part", 8706 }, { "permil", 8240 },
	{ "perp", 8869 }, { "phi", 966 }, { "pi", 960 }, { "piv", 982 },
	{ "plusmn", 177 }, { "pound", 163 }, { "prime", 8242 },
	{ "prod", 8719 }, { "prop", 8733 }, { "psi", 968 },
	{ "quot", 34 }, { "rArr", 8658 }, { "radic", 8730 },
	{ "rang", 9002 }, { "raquo", 187 }, { "rarr", 8594 },
	{ "rceil", 8969 }, { "rdquo", 8221 }, { "real", 8476 },
	{ "reg", 174 }, { "rfloor", 8971 }, { "rho", 961 },
	{ "rlm", 8207 }, { "rsaquo", 8250 }, { "rsquo", 8217 },
	{ "sbquo", 8218 }, { "scaron", 353 }, { "sdot", 8901 },
	{ "sect", 167 }, { "shy", 173 }, { "sigma", 963 },
	{ "sigmaf", 962 }, { "sim", 8764 }, { "spades", 9824 },
	{ "sub", 8834 }, { "sube", 8838 }, { "sum", 8721 },
	{ "sup", 8835 }, { "sup1", 185 }, { "sup2", 178 },
	{ "sup3", 179 }, { "supe", 8839 }, { "szlig", 223 },
	{ "tau", 964 }, { "there4", 8756 }, { "theta", 952 },
	{ "thetasym", 977 }, { "thinsp", 8201 }, { "thorn", 254 },
	{ "tilde", 732 }, { "times", 215 }, { "trade", 8482 },
	{ "uArr", 8657 }, { "uacute", 250 }, { "uarr", 8593 },
	{ "ucirc", 251 }, { "ugrave", 249 }, { "uml", 168 },
	{ "upsih", 978 }, { "upsilon", 965 }, { "uuml", 252 },
	{ "weierp", 8472 }, { "xi", 958 }, { "yacute", 253 },
	{ "yen", 165 }, { "yuml", 255 }, { "zeta", 950 },
	{ "zwj", 8205 }, { "zwnj", 8204 },
};
const size_t text_nentities =
    sizeof(text_entities) / sizeof(text_entities[0]);

static int
entity_cmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct text_entity *)ent)->name);
}

/*
 * The entity named name (n bytes, NUL-terminated), or NULL.  Feeds' text
 * holds few names but these, tried before the table's eight or nine
 * comparisons.
 */
const struct text_entity *
text_entity_find(const char *name, size_t n)
{
	static const struct text_entity common[] = {
		{ "amp", '&' }, { "quot", '"' }, { "lt", '<' }, { "gt", '>' },
		{ "nbsp", 160 }, { "apos", '\'' },
	};
	size_t	 i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (strlen(common[i].name) == n &&
		    memcmp(common[i].name, name, n) == 0)
			return &common[i];
	return bsearch(name, text_entities, text_nentities,
	    sizeof(text_entities[0]), entity_cmp);
}

struct fast {
	const unsigned char	*s;
	size_t			 len, i;
	struct walk		*w;
	int			 n;		/* elements open */
	unsigned char		 open[FAST_DEPTH];
};

#define IS_BLANK(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
#define IS_ALPHA(c)	((((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z'))
#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')

/*
 * Whether every byte is one libxml2 passes as it is: UTF-8, no control
 * character but tab, newline and CR, no DEL or C1 control, no byte-order
 * mark (it skips one at the start) and neither U+FFFE nor U+FFFF (it
 * drops them).
 */
static bool
fast_bytes(const unsigned char *s, size_t n)
{
	size_t		 i = 0;
	uint64_t	 v;
	unsigned char	 c, lo, hi;

	while (i < n) {
		/* Most of a field is printable ASCII: eight bytes at a time. */
		while (n - i >= 8) {
			memcpy(&v, s + i, 8);
			/* a byte under 0x20, DEL, or with its high bit */
			if (((v - UINT64_C(0x2020202020202020)) | v |
			    ((v ^ UINT64_C(0x7f7f7f7f7f7f7f7f)) -
			    UINT64_C(0x0101010101010101))) &
			    UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				return false;
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			if (n - i < 2 || s[i + 1] < (c == 0xc2 ? 0xa0 : lo) ||
			    s[i + 1] > hi)
				return false;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
			if (n - i < 3 || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80)
				return false;
			if (c == 0xef && ((s[i + 1] == 0xbb &&
			    s[i + 2] == 0xbf) || (s[i + 1] == 0xbf &&
			    s[i + 2] >= 0xbe)))
				return false;
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
			if (n - i < 4 || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80 ||
			    (s[i + 3] & 0xc0) != 0x80)
				return false;
			i += 4;
		} else
			return false;
	}
	return true;
}

static int
fast_open(struct fast *f, int t)
{
	if (f->n == FAST_DEPTH)
		return -1;
	f->open[f->n++] = (unsigned char)t;
	walk_start(f->w, text_tags[t].flags & TEXT_TAG_SKIP,
	    text_tags[t].flags & TEXT_TAG_BLOCK);
	return 0;
}

static void
fast_close(struct fast *f)
{
	walk_end(f->w, text_tags[f->open[--f->n]].flags & TEXT_TAG_BLOCK);
}

/*
 * What libxml2 implies before the first element or text: html and body,
 * and a p around text (htmlCheckImplied, htmlCheckParagraph).
 */
static int
fast_implied(struct fast *f, bool text)
{
	if (f->n > 0)
		return 0;
	if (fast_open(f, T_HTML) == -1 || fast_open(f, T_BODY) == -1 ||
	    (text && fast_open(f, T_P) == -1))
		return -1;
	return 0;
}

/* The element named s[0..n) (lower case, no NUL), or -1. */
static int
fast_tag(const char *s, size_t n)
{
	int	 lo = 0, hi = T_HTML, mid, c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = (unsigned char)text_tags[mid].name[0] -
		    (unsigned char)s[0]) == 0 &&
		    (c = strncmp(text_tags[mid].name, s, n)) == 0 &&
		    text_tags[mid].name[n] == '\0')
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* An element's name, at f->i: its number, or -1 to give up. */
static int
fast_name(struct fast *f)
{
	char		 name[FAST_NAME];
	size_t		 n = 0;
	unsigned char	 c;

	while (f->i < f->len && (IS_ALPHA(f->s[f->i]) ||
	    IS_DIGIT(f->s[f->i]))) {
		if (n == sizeof(name))
			return -1;
		c = f->s[f->i++];
		name[n++] = (char)(IS_ALPHA(c) ? c | 0x20 : c);
	}
	/* libxml2's names go on with ":-_." */
	if (f->i == f->len || !(IS_BLANK(f->s[f->i]) || f->s[f->i] == '>' ||
	    f->s[f->i] == '/'))
		return -1;
	return fast_tag(name, n);
}

static void
fast_blanks(struct fast *f)
{
	while (f->i < f->len && IS_BLANK(f->s[f->i]))
		f->i++;
}

/* One attribute, name and value: 0, or -1 to give up. */
static int
fast_attr(struct fast *f)
{
	const unsigned char	*q;
	size_t			 start = f->i;
	unsigned char		 c;

	if (!IS_ALPHA(f->s[f->i]) && f->s[f->i] != '_' && f->s[f->i] != ':')
		return -1;
	for (f->i++; f->i < f->len; f->i++) {
		c = f->s[f->i];
		if (!IS_ALPHA(c) && !IS_DIGIT(c) && c != '_' && c != ':' &&
		    c != '.' && c != '-')
			break;
	}
	if (f->i - start > FAST_ATTR)
		return -1;
	fast_blanks(f);
	if (f->i == f->len || f->s[f->i] != '=')
		return 0;
	f->i++;
	fast_blanks(f);
	if (f->i == f->len)
		return -1;
	c = f->s[f->i];
	if (c == '"' || c == '\'') {
		if ((q = memchr(f->s + f->i + 1, c, f->len - f->i - 1)) ==
		    NULL)
			return -1;
		f->i = (size_t)(q - f->s) + 1;
		return 0;
	}
	/* Unquoted: up to a blank or '>' ("/>" is part of the value). */
	for (start = f->i; f->i < f->len; f->i++)
		if (IS_BLANK(f->s[f->i]) || f->s[f->i] == '>')
			break;
	return f->i > start ? 0 : -1;
}

/* A start tag, f->i after its '<': 0, or -1 to give up. */
static int
fast_start(struct fast *f)
{
	int	 t, top;
	bool	 empty = false;

	if ((t = fast_name(f)) == -1)
		return -1;
	for (;;) {
		fast_blanks(f);
		if (f->i == f->len)
			return -1;
		if (f->s[f->i] == '>') {
			f->i++;
			break;
		}
		if (f->s[f->i] == '/' && f->i + 1 < f->len &&
		    f->s[f->i + 1] == '>') {
			f->i += 2;
			empty = true;
			break;
		}
		if (fast_attr(f) == -1)
			return -1;
	}
	if (fast_implied(f, false) == -1)
		return -1;
	/* htmlAutoClose: the new element may close the one open. */
	while ((top = f->open[f->n - 1]) < T_HTML &&
	    (text_tags[t].closes & BIT(top)))
		fast_close(f);
	if (fast_open(f, t) == -1)
		return -1;
	if (empty || (text_tags[t].flags & TEXT_TAG_VOID))
		fast_close(f);
	return 0;
}

static int
fast_priority(int t)
{
	if (t == T_HTML)
		return 220;
	if (t == T_BODY)
		return 200;
	return (text_tags[t].flags & TEXT_TAG_DIV) ? 150 : 100;
}

/*
 * An end tag, f->i after its "</": 0, or -1 to give up.  As libxml2's
 * htmlAutoCloseOnClose, it closes the elements open inside its own, but
 * none of a higher priority (a </b> does not close a div); without its
 * element open it is ignored.
 */
static int
fast_end(struct fast *f)
{
	int	 t, k, prio;

	if ((t = fast_name(f)) == -1 || (text_tags[t].flags & TEXT_TAG_VOID))
		return -1;
	fast_blanks(f);
	if (f->i == f->len || f->s[f->i] != '>')
		return -1;
	f->i++;
	prio = fast_priority(t);
	for (k = f->n - 1; k >= 0 && f->open[k] != t; k--)
		if (fast_priority(f->open[k]) > prio)
			return 0;
	if (k < 0)
		return 0;
	while (f->n > k)
		fast_close(f);
	return 0;
}

/*
 * A comment, f->i after its "<!--".  Only plain ones: "<!-->",
 * "<!--->" and "--" inside are read otherwise by different libxml2s.
 */
static int
fast_comment(struct fast *f)
{
	size_t	 k;

	if (f->i < f->len && (f->s[f->i] == '>' || f->s[f->i] == '-'))
		return -1;
	for (k = f->i; k + 2 < f->len; k++) {
		if (f->s[k] != '-' || f->s[k + 1] != '-')
			continue;
		if (f->s[k + 2] != '>' || (k > f->i && f->s[k - 1] == '-'))
			return -1;
		f->i = k + 3;
		return 0;
	}
	return -1;
}

/* Code point c as UTF-8 into out: its length. */
static size_t
fast_utf8(unsigned int c, unsigned char *out)
{
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | c >> 6);
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | c >> 12);
		out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | c >> 18);
	out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* "&#" digits ";" or "&#x" hex digits ";", f->i after the '#'. */
static int
fast_charref(struct fast *f, unsigned int *c)
{
	unsigned int	 v = 0, d, base = 10;
	size_t		 start;

	if (f->i < f->len && (f->s[f->i] | 0x20) == 'x') {
		base = 16;
		f->i++;
	}
	for (start = f->i; f->i < f->len && f->i - start < 7; f->i++) {
		d = f->s[f->i];
		if (IS_DIGIT(d))
			d -= '0';
		else if (base == 16 && (d | 0x20) >= 'a' && (d | 0x20) <= 'f')
			d = (d | 0x20) - 'a' + 10;
		else
			break;
		v = v * base + d;
	}
	if (f->i == start || f->i == f->len || f->s[f->i] != ';')
		return -1;
	f->i++;
	/* libxml2's IS_CHAR, without the controls it passes on as they are */
	if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
	    (v >= 0x7f && v < 0xa0) || (v >= 0xd800 && v < 0xe000) ||
	    v == 0xfffe || v == 0xffff || v > 0x10ffff)
		return -1;
	*c = v;
	return 0;
}

/*
 * A reference, f->i at its '&'.  A name libxml2 knows, followed by ';',
 * is decoded; another name, or one without its ';', is kept as written,
 * as is a lone '&'.
 */
static int
fast_ref(struct fast *f)
{
	const struct text_entity *ent;
	char			 name[FAST_NAME + 1];
	unsigned char		 out[4];
	unsigned int		 c;
	size_t			 start, n;

	if (fast_implied(f, true) == -1)
		return -1;
	start = f->i++;
	if (f->i < f->len && f->s[f->i] == '#') {
		f->i++;
		if (fast_charref(f, &c) == -1)
			return -1;
		walk_text(f->w, out, fast_utf8(c, out));
		return 0;
	}
	for (n = 0; f->i < f->len && (IS_ALPHA(f->s[f->i]) ||
	    (n > 0 && IS_DIGIT(f->s[f->i]))); f->i++, n++) {
		if (n == FAST_NAME)
			return -1;
		name[n] = (char)f->s[f->i];
	}
	/* Names go on with ".-_:" and letters beyond ASCII. */
	if (f->i < f->len && (f->s[f->i] == '.' || f->s[f->i] == '-' ||
	    f->s[f->i] == '_' || f->s[f->i] == ':' || f->s[f->i] >= 0x80))
		return -1;
	name[n] = '\0';
	if (n > 0 && f->i < f->len && f->s[f->i] == ';' &&
	    (ent = text_entity_find(name, n)) != NULL) {
		f->i++;
		walk_text(f->w, out, fast_utf8(ent->value, out));
		return 0;
	}
	walk_text(f->w, f->s + start, f->i - start);
	return 0;
}

/* Text up to the next '<' or '&'. */
static int
fast_chars(struct fast *f)
{
	size_t		 start = f->i, k;
	uint64_t	 v, a, b;
	bool		 blank = true;

	while (f->len - f->i >= 8) {
		memcpy(&v, f->s + f->i, 8);
		/* a zero byte in either: a '<' or a '&' among the eight */
		a = v ^ UINT64_C(0x3c3c3c3c3c3c3c3c);
		b = v ^ UINT64_C(0x2626262626262626);
		if ((((a - UINT64_C(0x0101010101010101)) & ~a) |
		    ((b - UINT64_C(0x0101010101010101)) & ~b)) &
		    UINT64_C(0x8080808080808080))
			break;
		f->i += 8;
	}
	while (f->i < f->len && f->s[f->i] != '<' && f->s[f->i] != '&')
		f->i++;
	if (f->n == 0) {
		/*
		 * Blanks before any element are no paragraph, unless a
		 * reference follows (libxml2's areBlanks).
		 */
		for (k = start; k < f->i && blank; k++)
			blank = IS_BLANK(f->s[k]);
		if (blank && (f->i == f->len || f->s[f->i] != '&'))
			return 0;
		if (fast_implied(f, true) == -1)
			return -1;
	}
	walk_text(f->w, f->s + start, f->i - start);
	return 0;
}

/* The walk of s[0..len) without libxml2: 0, or -1 to give up. */
static int
fast_walk(struct walk *w, const unsigned char *s, size_t len)
{
	struct fast	 f;
	int		 rc;

	memset(&f, 0, sizeof(f));
	f.s = s;
	f.len = len;
	f.w = w;
	while (f.i < len) {
		if (s[f.i] == '&')
			rc = fast_ref(&f);
		else if (s[f.i] != '<')
			rc = fast_chars(&f);
		else if (f.i + 1 < len && IS_ALPHA(s[f.i + 1])) {
			f.i++;
			rc = fast_start(&f);
		} else if (f.i + 2 < len && s[f.i + 1] == '/' &&
		    IS_ALPHA(s[f.i + 2])) {
			f.i += 2;
			rc = fast_end(&f);
		} else if (len - f.i >= 4 && memcmp(s + f.i, "<!--", 4) == 0) {
			f.i += 4;
			rc = fast_comment(&f);
		} else
			rc = -1;
		if (rc == -1)
			return -1;
	}
	/* Last: a page gives up at its first tag, before this reads it all. */
	return fast_bytes(s, len) ? 0 : -1;
}

static void
walk_init(struct walk *w, const char *html, size_t len, bool oneline)
{
	memset(w, 0, sizeof(*w));
	buf_init(&w->out, TEXT_MAX);
	w->oneline = oneline;
	w->plain = memchr(html, '<', len) == NULL;
}

/* The walk of html[0..len) by libxml2's HTML parser. */
static void
slow_walk(struct walk *w, const char *html, size_t len)
{
	struct xmloom	 wo;
	htmlParserCtxt	*ctxt;
	char		*copy;
	int		 opts;

	opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER;
	/*
	 * The parser reads up to a '\0' the caller's bytes need not have:
	 * a copy (of a feed's field, at most a few MiB).  UTF-8, whatever a
	 * <meta> in the fragment says.
	 */
	if ((copy = malloc(len + 1)) == NULL) {
		w->err = BUF_NOMEM;
		return;
	}
	memcpy(copy, html, len);
	copy[len] = '\0';
	xmloom_begin(&wo);
	if ((ctxt = xmlcap_html_ctxt(copy, len, NULL, opts)) != NULL) {
		memset(ctxt->sax, 0, sizeof(*ctxt->sax));
		ctxt->sax->startElement = on_start;
		ctxt->sax->endElement = on_end;
		ctxt->sax->characters = on_text;
		ctxt->sax->cdataBlock = on_text;
		ctxt->sax->ignorableWhitespace = on_blanks;
		ctxt->_private = w;
		htmlParseDocument(ctxt);
		if (ctxt->myDoc != NULL)
			xmlFreeDoc(ctxt->myDoc);
		htmlFreeParserCtxt(ctxt);
	}
	free(copy);
	/* A fragment libxml2 could not read whole has no text to give. */
	if (xmloom_end(&wo))
		w->err = BUF_NOMEM;
}

char *
text_convert(const char *html, size_t len, bool oneline,
    enum text_path path, bool *fast)
{
	struct walk	 w;

	if (fast != NULL)
		*fast = false;
	if (html == NULL || len == 0)
		return path == TEXT_FAST ? NULL : strdup("");
	if (len > INT_MAX)
		return NULL;
	walk_init(&w, html, len, oneline);
	/*
	 * The text is never longer than the markup: under the cap, the fast
	 * path cuts nothing where libxml2's pieces might be cut otherwise.
	 */
	if (path != TEXT_LIBXML && len < TEXT_MAX / 2 &&
	    fast_walk(&w, (const unsigned char *)html, len) == 0) {
		if (fast != NULL)
			*fast = true;
	} else if (path == TEXT_FAST) {
		buf_free(&w.out);
		return NULL;
	} else {
		if (path != TEXT_LIBXML) {
			buf_free(&w.out);
			walk_init(&w, html, len, oneline);
		}
		slow_walk(&w, html, len);
	}
	if (w.err == BUF_NOMEM) {
		buf_free(&w.out);
		return NULL;
	}
	/* Too long: keep what fit, the caller wanted text, not an error. */
	return buf_steal(&w.out);
}

char *
text_from_html(const char *html, size_t len)
{
	return text_convert(html, len, false, TEXT_AUTO, NULL);
}

char *
text_line_from_html(const char *html, size_t len)
{
	return text_convert(html, len, true, TEXT_AUTO, NULL);
}
