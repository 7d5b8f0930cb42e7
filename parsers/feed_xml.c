/*
 * feed_xml: reading feed documents with libxml2, safely and forgivingly.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/feed_xml.h"
#include "parsers/swar.h"
#include "parsers/xmlcap.h"
#include "parsers/xmloom.h"

#define ENTITY_NAME_MAX	32
#define PUSH_CHUNK	(64 * 1024)
/* The replacement text of one internal entity, once decoded. */
#define ENTITY_MAX	4096
/* The replacement text expanded in one document, all references together. */
#define ENTITY_BUDGET	(1024 * 1024)

/* What libxml2 2.9 reads in time linear in the document (feed_xml_bound). */
#define ATTRS_MAX	256	/* attributes of one element */
#define NS_MAX		128	/* namespace declarations in scope */
#define NS_DEPTH	512	/* open elements whose declarations count */
#define ATTR_MIN	5	/* bytes of the shortest attribute, ' a=""' */
#define DEFAULTS_MAX	8	/* attribute declarations of the DTD */
/*
 * General entities of one document, declared or met undeclared: libxml2
 * 2.9's name hashes collide on names like e1, e2 ... and 100,000 of them
 * took 1.5 s.  XHTML's three entity sets are 253.
 */
#define ENTITIES_MAX	2048
/* The one entity every reference past ENTITIES_MAX is read as. */
#define ENT_OVER	"feedspool-entities-over-" STR(ENTITIES_MAX)

#define STR(x)		STR1(x)
#define STR1(x)		#x

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether c may start an XML name (any byte of UTF-8 beyond ASCII may). */
static bool
is_name_start(int c)
{
	return is_alpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static bool
xml_entity(const char *name)
{
	return strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0;
}

/* Skip to just past end, or to the end of the data. */
static size_t
skip_past(const char *s, size_t len, size_t i, const char *end)
{
	size_t	 n = strlen(end);
	void	*hit;

	/* memchr for the first byte is much faster than memmem here. */
	while (i < len && (hit = memchr(s + i, end[0], len - i)) != NULL) {
		i = (size_t)((const char *)hit - s);
		if (len - i >= n && memcmp(s + i, end, n) == 0)
			return i + n;
		i++;
	}
	return len;
}

/* How many bytes XML's own entity at s[0] ('&') takes: "&lt;" is 4; 0
 * when there is none. */
static size_t
xml_entity_at(const char *s, size_t n)
{
	if (n >= 4 && (memcmp(s + 1, "lt;", 3) == 0 ||
	    memcmp(s + 1, "gt;", 3) == 0))
		return 4;
	if (n >= 5 && memcmp(s + 1, "amp;", 4) == 0)
		return 5;
	if (n >= 6 && (memcmp(s + 1, "quot;", 5) == 0 ||
	    memcmp(s + 1, "apos;", 5) == 0))
		return 6;
	return 0;
}

/*
 * What to write instead of the byte at s[i], or NULL to keep it; *skip is
 * how many input bytes the replacement stands for.
 */
static const char *
fix_one(const char *s, size_t len, size_t i, char *tmp, size_t tmplen,
    size_t *skip)
{
	const htmlEntityDesc	*ent;
	char			 name[ENTITY_NAME_MAX + 1];
	size_t			 j;
	unsigned char		 c = (unsigned char)s[i];
	int			 n;

	*skip = 1;
	/* C0 controls are not allowed in XML 1.0 at all. */
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
		return "";
	if (c == '<') {
		/* markup starts with a name, '/', '!' or '?' */
		if (i + 1 < len && (is_alpha((unsigned char)s[i + 1]) ||
		    strchr("/!?_:", s[i + 1]) != NULL ||
		    (unsigned char)s[i + 1] >= 0x80))
			return NULL;
		return "&lt;";
	}
	if (c != '&')
		return NULL;
	/* XML's own entities, most of the '&' in escaped HTML */
	if (xml_entity_at(s + i, len - i) > 0)
		return NULL;
	if (i + 1 < len && s[i + 1] == '#') {
		for (j = i + 2; j < len && (is_alnum((unsigned char)s[j])); j++)
			;
		if (j < len && s[j] == ';' && j > i + 2)
			return NULL;
		return "&amp;";
	}
	for (j = 0; i + 1 + j < len && j < ENTITY_NAME_MAX &&
	    is_alnum((unsigned char)s[i + 1 + j]); j++)
		name[j] = s[i + 1 + j];
	name[j] = '\0';
	if (j == 0 || i + 1 + j >= len || s[i + 1 + j] != ';')
		return "&amp;";	/* a bare ampersand: "Fish & Chips" */
	if (xml_entity(name))
		return NULL;
	if ((ent = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return "&amp;";
	n = snprintf(tmp, tmplen, "&#%u;", ent->value);
	if (n < 0 || (size_t)n >= tmplen)
		return NULL;
	*skip = j + 2;
	return tmp;
}

/* Past the '>' closing the tag at s[i], quoted '>' included. */
static size_t
skip_tag(const char *s, size_t len, size_t i)
{
	const char	*q;

	for (i++; i < len; i++) {
		if (s[i] == '>')
			return i + 1;
		/* a quoted value in one step: values are most of a tag */
		if (s[i] == '"' || s[i] == '\'') {
			if ((q = memchr(s + i + 1, s[i], len - i - 1)) == NULL)
				return len;
			i = (size_t)(q - s);
		}
	}
	return len;
}

/*
 * Past the run of bytes from s[i] that fix_one would keep as they are:
 * most of a document, stepped over without a call per byte.
 */
#ifdef __SSE2__
/*
 * skip_plain sixteen bytes at a time, tabs and line ends stepped over
 * too (a pretty-printed feed has one every line): the first byte it
 * would not keep, or where fewer than sixteen are left.
 */
static size_t
skip_plain16(const char *s, size_t len, size_t i)
{
	const __m128i	 lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
	const __m128i	 ctl = _mm_set1_epi8(0x1f), tab = _mm_set1_epi8('\t');
	const __m128i	 nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	__m128i		 v, stop, ok;
	int		 m;

	for (; len - i >= 16; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* unsigned v <= 0x1f: a control */
		stop = _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v);
		ok = _mm_or_si128(_mm_cmpeq_epi8(v, tab),
		    _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr)));
		stop = _mm_andnot_si128(ok, stop);
		stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(v, lt),
		    _mm_cmpeq_epi8(v, amp)));
		if ((m = _mm_movemask_epi8(stop)) != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
	return i;
}
#endif

static size_t
skip_plain(const char *s, size_t len, size_t i)
{
	uint64_t	 v;
	unsigned char	 c;

#ifdef __SSE2__
	if (len - (i = skip_plain16(s, len, i)) >= 16)
		return i;
#endif
	/* Eight bytes at a time while none is '<', '&' or a control. */
	for (; len - i >= 8; i += 8) {
		memcpy(&v, s + i, 8);
		if (HAS_ZERO(v ^ (ONES * '<')) || HAS_ZERO(v ^ (ONES * '&')) ||
		    HAS_LESS(v, 0x20))
			break;
	}
	for (; i < len; i++) {
		c = (unsigned char)s[i];
		if (c > '<')	/* letters, UTF-8: the common case first */
			continue;
		if (c == '<' || c == '&' ||
		    (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			break;
	}
	return i;
}

/*
 * Whether "<!ENTITY" is anywhere in s: memmem, by a memchr for the '!',
 * rare outside CDATA openings, at a fraction of glibc memmem's cost.
 */
static bool
declares_entity(const char *s, size_t len)
{
	const char	*p, *end = s + len;

	for (p = s; (p = memchr(p, '!', (size_t)(end - p))) != NULL; p++)
		if (p > s && p[-1] == '<' && end - p >= 7 &&
		    memcmp(p + 1, "ENTITY", 6) == 0)
			return true;
	return false;
}

int
feed_xml_fix_entities(const char *s, size_t len, char **out, size_t *outlen)
{
	struct buf	 b;
	char		 tmp[16];
	const char	*rep;
	size_t		 i, skip, done = 0;
	int		 rc = BUF_OK;
	bool		 changed = false;

	*out = NULL;
	*outlen = 0;
	/* A document declaring its own entities means what it says. */
	if (declares_entity(s, len))
		return 0;
	buf_init(&b, len > SIZE_MAX / 2 - 64 ? len : len + len / 2 + 64);
	for (i = 0; i < len && rc == BUF_OK;) {
		if ((i = skip_plain(s, len, i)) == len)
			break;
		/* escaped HTML is mostly "&lt;" and "&gt;": kept, as fix_one
		 * would, without the call */
		if (s[i] == '&' && (skip = xml_entity_at(s + i, len - i)) > 0) {
			i += skip;
			continue;
		}
		if (s[i] == '<' && len - i >= 9 &&
		    memcmp(s + i, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, i + 9, "]]>");
			continue;
		}
		if (s[i] == '<' && len - i >= 4 &&
		    memcmp(s + i, "<!--", 4) == 0) {
			i = skip_past(s, len, i + 4, "-->");
			continue;
		}
		if (s[i] == '<' && len - i >= 2 && (s[i + 1] == '?' ||
		    s[i + 1] == '!')) {
			i = skip_past(s, len, i + 2, ">");
			continue;
		}
		if (s[i] == '<') {
			/* Inside a tag: leave attribute values alone. */
			if ((rep = fix_one(s, len, i, tmp, sizeof(tmp),
			    &skip)) == NULL) {
				i = skip_tag(s, len, i);
				continue;
			}
		} else if ((rep = fix_one(s, len, i, tmp, sizeof(tmp),
		    &skip)) == NULL) {
			i++;
			continue;
		}
		if ((rc = buf_add(&b, s + done, i - done)) == BUF_OK)
			rc = buf_addstr(&b, rep);
		i += skip;
		done = i;
		changed = true;
	}
	if (rc == BUF_OK && changed)
		rc = buf_add(&b, s + done, len - done);
	if (rc != BUF_OK) {
		buf_free(&b);
		/* Too big to rewrite: leave it to the recovering parser. */
		return rc == BUF_NOMEM ? -1 : 0;
	}
	if (!changed) {
		buf_free(&b);
		return 0;
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

/*
 * Elements whose text is HTML: raw tags in them (<br>, <p> left open) are
 * the publisher's HTML, not elements of the feed.  Atom's are wrapped only
 * when they say type="html", where raw tags are wrong by definition.
 */
static const struct {
	const char	*name;
	bool		 atom;
} html_elements[] = {
	{ "description", false }, { "content:encoded", false },
	{ "itunes:summary", false }, { "media:description", false },
	{ "summary", true }, { "content", true },
};

/* The end of the element whose start tag is s[i..tag_end), at its close
 * tag "</name>"; sets *close_len.  len when there is none. */
static size_t
find_close(const char *s, size_t len, size_t i, const char *name,
    size_t *close_len)
{
	size_t	 n = strlen(name), j;

	for (; (i = skip_past(s, len, i, "</")) < len; ) {
		if (len - i < n || memcmp(s + i, name, n) != 0)
			continue;
		for (j = i + n; j < len && (s[j] == ' ' || s[j] == '\t' ||
		    s[j] == '\r' || s[j] == '\n'); j++)
			;
		if (j < len && s[j] == '>') {
			*close_len = j + 1 - (i - 2);
			return i - 2;
		}
	}
	return len;
}

/* Whether the body of an HTML element should become CDATA. */
static bool
wants_cdata(const char *body, size_t n)
{
	/* no raw tag: nothing to protect; CDATA already: written on
	 * purpose; an item's tags: the close tag found belongs to another
	 * element (the real one was never closed) */
	return memchr(body, '<', n) != NULL &&
	    memmem(body, n, "<![CDATA[", 9) == NULL &&
	    memmem(body, n, "<item", 5) == NULL &&
	    memmem(body, n, "</item", 6) == NULL &&
	    memmem(body, n, "<entry", 6) == NULL &&
	    memmem(body, n, "</entry", 7) == NULL;
}

/* body as one or more CDATA sections ("]]>" cannot be inside one). */
static int
add_cdata(struct buf *b, const char *body, size_t n)
{
	const char	*end;
	int		 rc;

	rc = buf_addstr(b, "<![CDATA[");
	while (rc == BUF_OK && (end = memmem(body, n, "]]>", 3)) != NULL) {
		rc = buf_add(b, body, (size_t)(end - body) + 2);
		if (rc == BUF_OK)
			rc = buf_addstr(b, "]]><![CDATA[");
		n -= (size_t)(end - body) + 2;
		body = end + 2;
	}
	if (rc == BUF_OK)
		rc = buf_add(b, body, n);
	if (rc == BUF_OK)
		rc = buf_addstr(b, "]]>");
	return rc;
}

/* Which of html_elements starts at s[i] ('<'), or -1. */
static int
html_element_at(const char *s, size_t len, size_t i)
{
	size_t	 k, n;
	char	 c;

	for (k = 0; k < sizeof(html_elements) / sizeof(html_elements[0]);
	    k++) {
		n = strlen(html_elements[k].name);
		if (len - i < n + 2 ||
		    memcmp(s + i + 1, html_elements[k].name, n) != 0)
			continue;
		c = s[i + 1 + n];
		if (c == '>' || c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n')
			return (int)k;
	}
	return -1;
}

static bool
says_html(const char *tag, size_t n)
{
	return memmem(tag, n, "type=\"html\"", 11) != NULL ||
	    memmem(tag, n, "type='html'", 11) != NULL;
}

int
feed_xml_wrap_html(const char *s, size_t len, char **out, size_t *outlen)
{
	struct buf	 b;
	const void	*hit;
	size_t		 i = 0, done = 0, tag_end, close, close_len = 0;
	int		 k, rc = BUF_OK;
	bool		 changed = false;
	/* No close tag of that name after here: none after any later
	 * point either, so the search is not repeated (a document of
	 * unclosed tags would take quadratic time). */
	bool		 unclosed[sizeof(html_elements) /
			    sizeof(html_elements[0])] = { false };

	*out = NULL;
	*outlen = 0;
	buf_init(&b, len > SIZE_MAX / 2 - 64 ? len : len + len / 4 + 64);
	while (rc == BUF_OK && i < len &&
	    (hit = memchr(s + i, '<', len - i)) != NULL) {
		i = (size_t)((const char *)hit - s);
		if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, i + 9, "]]>");
			continue;
		}
		if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			i = skip_past(s, len, i + 4, "-->");
			continue;
		}
		if ((k = html_element_at(s, len, i)) == -1) {
			i++;
			continue;
		}
		tag_end = skip_tag(s, len, i);
		if (unclosed[k] || s[tag_end - 2] == '/' ||
		    (html_elements[k].atom && !says_html(s + i, tag_end - i))) {
			i = tag_end;
			continue;
		}
		close = find_close(s, len, tag_end, html_elements[k].name,
		    &close_len);
		if (close == len) {
			unclosed[k] = true;
			i = tag_end;
			continue;
		}
		if (wants_cdata(s + tag_end, close - tag_end)) {
			rc = buf_add(&b, s + done, tag_end - done);
			if (rc == BUF_OK)
				rc = add_cdata(&b, s + tag_end, close - tag_end);
			done = close;
			changed = true;
		}
		i = close + close_len;
	}
	if (rc == BUF_OK && changed)
		rc = buf_add(&b, s + done, len - done);
	if (rc != BUF_OK || !changed) {
		buf_free(&b);
		return rc == BUF_NOMEM ? -1 : 0;
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

size_t
feed_xml_feed_start(const char *s, size_t len)
{
	static const char *const starts[] = { "<rss", "<feed", "<rdf:RDF",
	    "<RDF" };
	const char	*hit, *best = NULL;
	size_t		 k, n;

	if (len > 1 && (hit = memmem(s + 1, len - 1, "<?xml", 5)) != NULL)
		return (size_t)(hit - s);
	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		n = strlen(starts[k]);
		hit = len > 1 ? memmem(s + 1, len - 1, starts[k], n) : NULL;
		if (hit != NULL && (size_t)(hit - s) + n < len &&
		    strchr(" \t\r\n>", hit[n]) != NULL && hit[n] != '\0' &&
		    (best == NULL || hit < best))
			best = hit;
	}
	return best != NULL ? (size_t)(best - s) : 0;
}

/* --- attributes and namespaces -------------------------------------- */

/*
 * libxml2 2.9 checks each attribute of a start tag against all the earlier
 * ones (and SAX2 walks the list to append it), and looks a prefix up by
 * walking every namespace declaration in scope: quadratic, so that one
 * element of 100,000 attributes took minutes, as did 200 nested elements of
 * 200 declarations each over an 8 MiB document.  feed_xml_bound drops what
 * is over ATTRS_MAX and NS_MAX before libxml2 sees it.
 */

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Whether s[0] ('<') starts a tag that runs over ATTRS_MAX * ATTR_MIN of
 * the n bytes before the next '<', quoted '>' included; only that many are
 * looked at.
 */
static bool
tag_long(const char *s, size_t n)
{
	size_t		 lim = ATTRS_MAX * ATTR_MIN;
	unsigned char	 c = (unsigned char)s[1];

	/* A start tag begins with a name: not "<!", "</" or "<?". */
	return n > lim && is_name_start(c) && skip_tag(s, lim, 0) == lim;
}

/*
 * Whether the document may need feed_xml_bound at all, at about the speed
 * of memchr: an element over ATTRS_MAX attributes has a start tag over
 * ATTRS_MAX * ATTR_MIN bytes long, with no '<' in it (libxml2 ends a start
 * tag there); more than NS_MAX declarations in scope need more than NS_MAX
 * "xmlns" in the text.
 */
static bool
bound_suspect(const char *s, size_t len)
{
	const char	*p, *q, *end = s + len;
	size_t		 n = 0, lim = ATTRS_MAX * ATTR_MIN, room;

	/*
	 * From one '<' to the last one within lim bytes after it: those in
	 * between are followed by one as near, and a tag but a few bytes
	 * long, so a document is crossed in about len / lim steps.
	 */
	for (p = memchr(s, '<', len); p != NULL; p = q) {
		room = (size_t)(end - p - 1);
		if ((q = memrchr(p + 1, '<', room < lim ? room : lim)) != NULL)
			continue;
		if (room <= lim)
			break;
		if (tag_long(p, room))
			return true;
		q = memchr(p + 1 + lim, '<', room - lim);
	}
	/* memchr for the rare 'x' beats glibc's memmem here */
	for (p = s; (p = memchr(p, 'x', (size_t)(end - p))) != NULL; p++)
		if (end - p >= 5 && memcmp(p, "xmlns", 5) == 0 && ++n > NS_MAX)
			return true;
	return false;
}

/* The rewrite: what is kept, and the declarations of each open element. */
struct bound {
	const char	*s;
	size_t		 len;
	struct buf	 b;
	size_t		 done;		/* s[0..done) is in b or dropped */
	size_t		 depth;
	size_t		 nsin;		/* declarations in scope */
	uint16_t	 ns[NS_DEPTH];	/* kept by each open element */
	size_t		 dropped;
	int		 rc;
};

/* Leave s[a..j) out. */
static void
bound_drop(struct bound *bd, size_t a, size_t j)
{
	if (bd->rc == BUF_OK)
		bd->rc = buf_add(&bd->b, bd->s + bd->done, a - bd->done);
	bd->done = j;
	bd->dropped++;
}

/*
 * Past the attribute at s[j] as libxml2 reads it (name, '=', a value
 * quoted and ended by its quote or by a '<'), *name_len the length of its
 * name, *lt whether the value ran into a '<'.  0 when there is no such
 * attribute: libxml2 stops reading the tag there.
 */
static size_t
bound_attr(const char *s, size_t len, size_t j, size_t *name_len, bool *lt)
{
	size_t	 a = j;
	char	 q;

	while (j < len && !is_space(s[j]) && strchr("=>/<", s[j]) == NULL)
		j++;
	*name_len = j - a;
	while (j < len && is_space(s[j]))
		j++;
	if (*name_len == 0 || j == len || s[j++] != '=')
		return 0;
	while (j < len && is_space(s[j]))
		j++;
	if (j == len || (s[j] != '"' && s[j] != '\''))
		return 0;
	for (q = s[j++]; j < len && s[j] != q && s[j] != '<'; j++)
		;
	*lt = j < len && s[j] == '<';
	return j < len && s[j] == q ? j + 1 : j;
}

static bool
is_xmlns(const char *name, size_t n)
{
	return (n == 5 && memcmp(name, "xmlns", 5) == 0) ||
	    (n > 6 && memcmp(name, "xmlns:", 6) == 0);
}

/*
 * The start tag at s[i]: its attributes over ATTRS_MAX, and its namespace
 * declarations over NS_MAX in scope, dropped.  Returns where reading goes
 * on: past the tag, or where libxml2 would give up on it.
 */
static size_t
bound_tag(struct bound *bd, size_t i)
{
	const char	*s = bd->s;
	size_t		 len = bd->len, j, a, k, n, nattr = 0, nns = 0;
	bool		 lt = false, xmlns;

	for (j = i + 1; j < len && !is_space(s[j]) &&
	    strchr(">/<", s[j]) == NULL; j++)
		;
	for (;;) {
		for (a = j; j < len && is_space(s[j]); j++)
			;
		if (j == len || lt || j == a ||
		    (k = bound_attr(s, len, j, &n, &lt)) == 0)
			break;
		xmlns = is_xmlns(s + j, n);
		if (nattr >= ATTRS_MAX || (xmlns && (bd->depth >= NS_DEPTH ||
		    bd->nsin + nns >= NS_MAX)))
			bound_drop(bd, j, k);
		else {
			nattr++;
			nns += xmlns;
		}
		j = k;
	}
	if (j < len && s[j] == '/' && j + 1 < len && s[j + 1] == '>')
		return j + 2;		/* empty: its declarations end here */
	if (j == len || s[j] != '>')
		return j;		/* libxml2 drops the element */
	if (bd->depth < NS_DEPTH) {
		bd->ns[bd->depth] = (uint16_t)nns;
		bd->nsin += nns;
	}
	bd->depth++;
	return j + 1;
}

/* The end tag at s[i]: its element's declarations go out of scope. */
static size_t
bound_end(struct bound *bd, size_t i)
{
	const char	*s = bd->s;

	if (bd->depth > 0 && --bd->depth < NS_DEPTH)
		bd->nsin -= bd->ns[bd->depth];
	for (i += 2; i < bd->len && s[i] != '>' && s[i] != '<'; i++)
		;
	return i < bd->len && s[i] == '>' ? i + 1 : i;
}

static bool
starts(const char *s, size_t len, size_t i, const char *with)
{
	size_t	 n = strlen(with);

	return len - i >= n && memcmp(s + i, with, n) == 0;
}

/* Past "<!DOCTYPE ...>", its internal subset and the literals in it. */
static size_t
skip_doctype(const char *s, size_t len, size_t i)
{
	bool	 subset = false;
	char	 q = 0;

	for (i += 2; i < len; i++) {
		if (q != 0) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'')
			q = s[i];
		else if (subset && starts(s, len, i, "<!--"))
			i = skip_past(s, len, i + 4, "-->") - 1;
		else if (subset && starts(s, len, i, "<?"))
			i = skip_past(s, len, i + 2, "?>") - 1;
		else if (s[i] == '[')
			subset = true;
		else if (s[i] == ']')
			subset = false;
		else if (s[i] == '>' && !subset)
			return i + 1;
	}
	return len;
}

/*
 * The document with what libxml2 2.9 cannot read in linear time left out:
 * the attributes of an element past its ATTRS_MAX-th, and namespace
 * declarations past NS_MAX in scope.  *out is NULL when nothing was, else
 * a malloc'd copy of *outlen bytes, and *dropped how many attributes went.
 * -1 when out of memory.
 */
static int
feed_xml_bound(const char *s, size_t len, char **out, size_t *outlen,
    size_t *dropped)
{
	struct bound	 bd;
	const char	*hit;
	size_t		 i;

	*out = NULL;
	*outlen = *dropped = 0;
	if (!bound_suspect(s, len))
		return 0;
	memset(&bd, 0, sizeof(bd));
	bd.s = s;
	bd.len = len;
	buf_init(&bd.b, len);
	for (i = 0; bd.rc == BUF_OK && i < len &&
	    (hit = memchr(s + i, '<', len - i)) != NULL; ) {
		i = (size_t)(hit - s);
		if (starts(s, len, i, "<!--"))
			i = skip_past(s, len, i + 4, "-->");
		else if (starts(s, len, i, "<![CDATA["))
			i = skip_past(s, len, i + 9, "]]>");
		else if (starts(s, len, i, "<?"))
			i = skip_past(s, len, i + 2, "?>");
		else if (starts(s, len, i, "<!"))
			i = skip_doctype(s, len, i);
		else if (starts(s, len, i, "</"))
			i = bound_end(&bd, i);
		else
			i = bound_tag(&bd, i);
	}
	if (bd.rc == BUF_OK && bd.dropped > 0)
		bd.rc = buf_add(&bd.b, s + bd.done, len - bd.done);
	if (bd.rc != BUF_OK || bd.dropped == 0) {
		buf_free(&bd.b);
		return bd.rc == BUF_NOMEM ? -1 : 0;
	}
	*dropped = bd.dropped;
	*outlen = bd.b.len;
	*out = buf_steal(&bd.b);
	return 0;
}

/* --- entities of the internal subset -------------------------------- */

/*
 * What becomes of a general entity of the DTD, decided where it is declared
 * and kept in the entity's _private (application data: libxml2 leaves it
 * alone).  why is NULL when its text is expanded.
 */
struct ent_verdict {
	const char	*why;
};

static struct ent_verdict ent_kept = { NULL };
static struct ent_verdict ent_nested = { "refers to another entity" };
static struct ent_verdict ent_markup = { "holds markup" };
static struct ent_verdict ent_long = {
	"expansion over " STR(ENTITY_MAX) " bytes" };
static struct ent_verdict ent_bad = { "not well-formed" };
static struct ent_verdict ent_external = { "external, never loaded" };
static struct ent_verdict ent_undeclared = { "not declared" };
static struct ent_verdict ent_over = {
	"past " STR(ENTITIES_MAX) " entities" };

static const char ent_spent[] = "over the document's 1 MiB of entity text";

/* What declares an entity empty. */
static xmlChar ent_empty[1];

static const struct {
	const char	*ref;
	char		 c;
} xml_refs[] = {
	{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	{ "&quot;", '"' }, { "&apos;", '\'' },
};

/* Whether c may appear in an XML 1.0 document (production [2] Char). */
static bool
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * The character reference at s ("&#...;"): its length, the character in
 * *cp; 0 when it is none or names no XML character.
 */
static size_t
char_ref(const char *s, uint32_t *cp)
{
	uint32_t	 v = 0, base = 10, d;
	size_t		 i = 2, start;

	if (s[i] == 'x') {
		base = 16;
		i++;
	}
	for (start = i; ; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (uint32_t)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (uint32_t)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (uint32_t)(s[i] - 'A' + 10);
		else
			break;
		/* never above 0x10ffff * 16 + 15: no overflow */
		if ((v = v * base + d) > 0x10ffff)
			return 0;
	}
	if (s[i] != ';' || i == start || !xml_char(v))
		return 0;
	*cp = v;
	return i + 1;
}

/*
 * One piece of an internal entity's replacement text at s: *k bytes of it
 * standing for the *n bytes at *p (a character reference or one of XML's
 * five entities decoded into u, room for 4 bytes).  NULL, or why the
 * entity is not to be expanded.
 */
static struct ent_verdict *
ent_piece(const char *s, size_t *k, const char **p, size_t *n, xmlChar *u)
{
	uint32_t	 cp;
	size_t		 i;
	unsigned char	 c = (unsigned char)s[1];

	*p = s;
	if (*s != '<' && *s != '&') {
		*k = *n = strcspn(s, "<&");
		return NULL;
	}
	if (*s == '<')
		return &ent_markup;
	if (c == '#') {
		if ((*k = char_ref(s, &cp)) == 0)
			return &ent_bad;
		*n = (size_t)xmlCopyCharMultiByte(u, (int)cp);
		*p = (const char *)u;
		return NULL;
	}
	for (i = 0; i < sizeof(xml_refs) / sizeof(xml_refs[0]); i++) {
		*k = strlen(xml_refs[i].ref);
		if (strncmp(s, xml_refs[i].ref, *k) == 0) {
			*p = &xml_refs[i].c;
			*n = 1;
			return NULL;
		}
	}
	/* "&name;" names another entity; a bare '&' is no reference */
	return is_name_start(c) ? &ent_nested : &ent_bad;
}

/*
 * The verdict on the replacement text of an internal entity: expanded when
 * it is text, character references and XML's five entities only, at most
 * ENTITY_MAX bytes once decoded.
 */
static struct ent_verdict *
ent_judge(const char *s)
{
	struct ent_verdict	*v;
	const char		*p;
	xmlChar			 u[8];
	size_t			 i, k, n, len = 0;

	for (i = 0; s[i] != '\0'; i += k) {
		if ((v = ent_piece(s + i, &k, &p, &n, u)) != NULL)
			return v;
		if (n > ENTITY_MAX - len)
			return &ent_long;
		len += n;
	}
	return &ent_kept;
}

/* The replacement text of an entity ent_judge kept, decoded, added to b. */
static int
ent_decode(const char *s, struct buf *b)
{
	const char	*p;
	xmlChar		 u[8];
	size_t		 i, k, n;
	int		 rc = BUF_OK;

	for (i = 0; s[i] != '\0' && rc == BUF_OK; i += k) {
		if (ent_piece(s + i, &k, &p, &n, u) != NULL)
			break;
		rc = buf_add(b, p, n);
	}
	return rc;
}

/* The general entities the document has, for ENTITIES_MAX. */
static size_t
ent_count(const xmlDoc *doc)
{
	if (doc == NULL || doc->intSubset == NULL ||
	    doc->intSubset->entities == NULL)
		return 0;
	return (size_t)xmlHashSize(doc->intSubset->entities);
}

/*
 * The SAX entityDecl of every parse.  A general entity whose text is not
 * to be expanded (ent_judge) is declared empty, so that libxml2 never
 * parses a nested reference (its amplification check takes three small
 * levels for a loop and stops the document there) nor builds markup from
 * one; an external one is declared an empty internal one, so that nothing
 * can load it.  The verdict goes into _private for ent_expand.  Parameter
 * entities stay libxml2's: internal ones under its amplification check,
 * external ones never read without XML_PARSE_DTDLOAD.
 */
static void
entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	xmlParserCtxt		*ctxt = ctx;
	struct ent_verdict	*v = NULL;
	xmlEntity		*ent;

	if (type == XML_INTERNAL_GENERAL_ENTITY)
		v = content != NULL ? ent_judge((const char *)content) :
		    &ent_kept;
	else if (type == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
	    type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY)
		v = &ent_external;
	/* Past the cap a declaration is forgotten: its references too. */
	if (v != NULL && ent_count(ctxt->myDoc) >= ENTITIES_MAX)
		return;
	/* The first declaration binds; XML's own five are libxml2's. */
	if (v == NULL || ctxt->myDoc == NULL ||
	    xmlGetDocEntity(ctxt->myDoc, name) != NULL) {
		xmlSAX2EntityDecl(ctx, name, type, pub, sys, content);
		return;
	}
	xmlSAX2EntityDecl(ctx, name, XML_INTERNAL_GENERAL_ENTITY, NULL, NULL,
	    v == &ent_kept ? content : ent_empty);
	if ((ent = xmlGetDocEntity(ctxt->myDoc, name)) != NULL &&
	    ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->_private == NULL)
		ent->_private = v;
}

/*
 * The SAX getEntity.  An entity the document uses but its DTD does not
 * declare is declared on the spot: an HTML one (&nbsp;) as its character,
 * as feed_xml_fix_entities decodes it in a document without a DTD; any
 * other empty, for ent_expand to note.  libxml2 would take it for an error
 * (a warning with an external subset or parameter entities) and, reading
 * the document again in recovery, drop every entity reference after it.
 * Only in content: a default value in the DTD must name a declared one.
 */
static xmlEntity *
get_entity(void *ctx, const xmlChar *name)
{
	xmlParserCtxt		*ctxt = ctx;
	const htmlEntityDesc	*h;
	struct ent_verdict	*v = &ent_undeclared;
	xmlEntity		*ent;
	xmlChar			 ref[16], *content = ent_empty;
	int			 n;

	if ((ent = xmlSAX2GetEntity(ctx, name)) != NULL ||
	    ctxt->inSubset != 0 || ctxt->myDoc == NULL ||
	    ctxt->myDoc->intSubset == NULL)
		return ent;
	/* Past the cap every name is one entity, left out (ent_expand). */
	if (ent_count(ctxt->myDoc) >= ENTITIES_MAX) {
		if ((ent = xmlGetDocEntity(ctxt->myDoc, BAD_CAST ENT_OVER)) !=
		    NULL)
			return ent;
		name = BAD_CAST ENT_OVER;
		v = &ent_over;
	} else if ((h = htmlEntityLookup(name)) != NULL) {
		n = snprintf((char *)ref, sizeof(ref), "&#%u;", h->value);
		if (n < 0 || (size_t)n >= sizeof(ref))
			return NULL;
		content = ref;
		v = &ent_kept;
	}
	if ((ent = xmlAddDocEntity(ctxt->myDoc, name,
	    XML_INTERNAL_GENERAL_ENTITY, NULL, NULL, content)) != NULL)
		ent->_private = v;
	return ent;
}

/*
 * The SAX externalSubset, called once the internal subset is read (the
 * external one is never loaded).  libxml2 2.9 checks each default value an
 * ATTLIST declares against every attribute of each element it applies to,
 * those defaulted before it included: 256 defaults over 8 MiB of small
 * elements took minutes.  Past DEFAULTS_MAX declarations the defaults are
 * forgotten (the tree never holds them without XML_PARSE_DTDATTR: only a
 * defaulted xmlns is lost); xmlGetNsProp still finds them in the DTD.
 */
static void
external_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxt	*ctxt = ctx;
	xmlDtd		*dtd;

	if (ctxt->attsDefault != NULL && ctxt->myDoc != NULL &&
	    (dtd = ctxt->myDoc->intSubset) != NULL && dtd->attributes != NULL &&
	    xmlHashSize(dtd->attributes) > DEFAULTS_MAX) {
		xmlHashFree(ctxt->attsDefault, xmlHashDefaultDeallocator);
		ctxt->attsDefault = NULL;
	}
	xmlSAX2ExternalSubset(ctx, name, eid, sid);
}

/* Our SAX callbacks, on every context (xmlCtxtReadMemory keeps them). */
static void
sax_hooks(xmlParserCtxt *ctxt)
{
	ctxt->sax->entityDecl = entity_decl;
	ctxt->sax->getEntity = get_entity;
	ctxt->sax->externalSubset = external_subset;
}

/* Every reference of one document, expanded or left out. */
struct ent_walk {
	xmlDoc			*doc;
	struct buf		 b;		/* the text of one run */
	size_t			 spent;		/* entity text expanded */
	struct feed_xml_notes	*notes;
};

/* A reference left out: counted, the first one named. */
static void
ent_drop(struct ent_walk *w, const xmlChar *name, const char *why)
{
	struct feed_xml_notes	*nt = w->notes;
	size_t			 n;

	if (nt->ents_dropped++ > 0)
		return;
	/* cut on a UTF-8 boundary: the name goes into JSON and logs */
	if ((n = strlen((const char *)name)) > FEED_XML_NAME_MAX) {
		n = FEED_XML_NAME_MAX;
		while (n > 0 && (name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(nt->ent_name, name, n);
	nt->ent_name[n] = '\0';
	nt->ent_why = why;
}

/* The text of the entity reference ref added to w->b, or nothing. */
static int
ent_expand(struct ent_walk *w, const xmlNode *ref)
{
	struct ent_verdict	*v;
	xmlEntity		*ent;
	size_t			 n;

	if ((ent = xmlGetDocEntity(w->doc, ref->name)) == NULL) {
		ent_drop(w, ref->name, ent_undeclared.why);
		return BUF_OK;
	}
	if (ent->etype != XML_INTERNAL_GENERAL_ENTITY || ent->content == NULL)
		v = &ent_external;
	else if ((v = ent->_private) == NULL)	/* declared past our hook */
		v = ent_judge((const char *)ent->content);
	if (v->why != NULL) {
		ent_drop(w, ref->name, v->why);
		return BUF_OK;
	}
	/* Charged as declared: the decoded text is never longer. */
	if ((n = strlen((const char *)ent->content)) > ENTITY_BUDGET -
	    w->spent) {
		ent_drop(w, ref->name, ent_spent);
		return BUF_OK;
	}
	w->spent += n;
	return ent_decode((const char *)ent->content, &w->b);
}

static bool
run_node(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_ENTITY_REF_NODE;
}

/*
 * The run of text and references [first, end) under parent as one text
 * node, none when it comes to nothing.  Linked by hand: xmlAddNextSibling
 * and its kin merge text nodes on their own terms.
 */
static int
ent_run(struct ent_walk *w, xmlNode *parent, xmlNode *first, xmlNode *end)
{
	xmlNode	*n, *next, *prev = first->prev, *t = NULL;
	int	 rc = BUF_OK;

	buf_reset(&w->b);
	for (n = first; n != end && rc == BUF_OK; n = n->next)
		if (n->type == XML_ENTITY_REF_NODE)
			rc = ent_expand(w, n);
		else if (n->content != NULL)
			rc = buf_addstr(&w->b, (const char *)n->content);
	/* BUF_TOOBIG: cut at INT_MAX bytes, what a text node can hold */
	if (rc == BUF_NOMEM || (w->b.len > 0 && (t = xmlNewDocTextLen(w->doc,
	    (const xmlChar *)w->b.data, (int)w->b.len)) == NULL))
		return -1;
	for (n = first; n != end; n = next) {
		next = n->next;
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	if (t == NULL)
		return 0;
	t->parent = parent;
	t->prev = prev;
	t->next = end;
	if (prev != NULL)
		prev->next = t;
	else
		parent->children = t;
	if (end != NULL)
		end->prev = t;
	else
		parent->last = t;
	return 0;
}

/* Each run of parent's children (an element's or an attribute's) that
 * holds a reference, as one text node. */
static int
ent_list(struct ent_walk *w, xmlNode *parent)
{
	xmlNode	*c, *end;
	bool	 refs;

	for (c = parent->children; c != NULL; c = end) {
		if (!run_node(c)) {
			end = c->next;
			continue;
		}
		refs = false;
		for (end = c; end != NULL && run_node(end); end = end->next)
			refs = refs || end->type == XML_ENTITY_REF_NODE;
		if (refs && ent_run(w, parent, c, end) == -1)
			return -1;
	}
	return 0;
}

/*
 * Every entity reference of the document, in elements and attributes,
 * replaced by its text or by nothing (noted), so that no reader of the
 * tree expands one on its own (xmlGetNsProp and xmlNodeDump would).
 * -1 when out of memory.
 */
static int
ent_resolve(xmlDoc *doc, struct feed_xml_notes *notes)
{
	struct ent_walk	 w;
	xmlNode		*root, *n;
	xmlAttr		*a;
	int		 rc = 0;

	/* References need a DOCTYPE, and most feeds have none. */
	if (doc->intSubset == NULL ||
	    (root = xmlDocGetRootElement(doc)) == NULL)
		return 0;
	w.doc = doc;
	w.spent = 0;
	w.notes = notes;
	buf_init(&w.b, INT_MAX);
	for (n = root; n != NULL && rc == 0; ) {
		if (n->type == XML_ELEMENT_NODE) {
			for (a = n->properties; a != NULL && rc == 0;
			    a = a->next)
				rc = ent_list(&w, (xmlNode *)a);
			if (rc == 0)
				rc = ent_list(&w, n);
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		n = n == root ? NULL : n->next;
	}
	buf_free(&w.b);
	return rc;
}

/*
 * xmlCtxtReadMemory(ctxt, s, len, base, NULL, options set), but reading
 * s where it is (s[len] is '\0'), not in a copy of libxml2's own.
 */
static xmlDoc *
read_in_place(xmlParserCtxt *ctxt, const char *s, size_t len,
    const char *base, const struct xmlcap *cap)
{
	xmlDoc	*doc = NULL;

	if (xmlcap_input(ctxt, s, len) == -1 || (base != NULL &&
	    (ctxt->input->filename = (char *)xmlStrdup(
	    (const xmlChar *)base)) == NULL))
		return NULL;
	xmlParseDocument(ctxt);
	if (ctxt->wellFormed || ctxt->recovery || cap->cut)
		doc = ctxt->myDoc;
	else if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	return doc;
}

/*
 * The pull parser, its tree within cap.  s is read in place when inplace
 * (s[len] is then '\0'), else libxml2 reads a copy.  *wellformed as
 * libxml2 found it; a tree cut at the cap is returned all the same.
 */
static xmlDoc *
read_once(const char *s, size_t len, const char *base, int opts,
    bool inplace, struct xmlcap *cap, bool *wellformed)
{
	xmlParserCtxt	*ctxt;
	xmlDoc		*doc;

	*wellformed = false;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	sax_hooks(ctxt);
	xmlCtxtUseOptions(ctxt, opts);
	xmlcap_init(cap, XMLCAP_TREE, 0);
	xmlcap_attach(cap, ctxt);
	/*
	 * No encoding named: the text is UTF-8 (charset.c) and read as it
	 * is.  libxml2's "UTF-8" converter would convert all of it at once,
	 * into one more copy.
	 */
	if (inplace)
		doc = read_in_place(ctxt, s, len, base, cap);
	else
		doc = xmlCtxtReadMemory(ctxt, s, (int)len, base, NULL, opts);
	*wellformed = ctxt->wellFormed != 0;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* --- text into the tree, in fewer pieces ---------------------------- */

/*
 * libxml2 hands the tree builder text a piece at a time: at most 300
 * bytes, and each reference to one of XML's own entities ("&lt;") a piece
 * of its own; xmlSAX2Characters costs about a hundred instructions a call,
 * a tenth of the whole parse of escaped HTML, the cap's (xmlcap.c) in
 * front of it more.  Once a text node is in the tree, the pieces that
 * follow it are gathered here and added to it in one call, before anything
 * else reaches the cap or the tree.  The node's content is the same, and
 * so is the cap's charge: a piece added to a text node costs its length,
 * and the pieces wait only while all of them fit in what is left of the
 * budget, so none would have been refused.  Only in the strict push pass,
 * and only without a DTD (whose entities libxml2 builds under other
 * nodes).
 */
#define PENDING_MAX	4096

struct push {
	struct xmlcap	 cap;		/* first: what ctxt->_private is */
	xmlParserCtxt	*ctxt;
	xmlSAXHandler	 next;		/* the cap's callbacks, the builder's
					 * behind them */
	size_t		 len;		/* pending text, for ctxt->node->last */
	bool		 armed;		/* push_may_wait said yes, since */
	char		 text[PENDING_MAX];
};

static struct push *
push_of(void *ctx)
{
	return (struct push *)((xmlParserCtxt *)ctx)->_private;
}

static void
push_flush(struct push *ps)
{
	size_t	 n = ps->len;

	ps->armed = false;
	if (n == 0)
		return;
	ps->len = 0;
	ps->next.characters(ps->ctxt, (const xmlChar *)ps->text, (int)n);
}

/*
 * Whether the pending text and a piece of n bytes fit: in the cap's
 * budget, and in libxml2's limit on one text node (a node over it fails
 * on the same piece as it would have).
 */
static bool
push_fits(const struct push *ps, size_t n)
{
	const struct xmlcap	*cap = &ps->cap;

	return !cap->cut && ps->len + n <= cap->max - cap->used &&
	    (size_t)ps->ctxt->nodelen + ps->len + n <= XML_MAX_TEXT_LENGTH;
}

/*
 * Whether a piece of n bytes may wait: it goes at the end of the text
 * node that is ctxt->node's last child, the one whose length the builder
 * keeps (nodelen), and it fits.
 */
static bool
push_may_wait(struct push *ps, xmlParserCtxt *ctxt, size_t n)
{
	const xmlNode	*last;

	if (ctxt != ps->ctxt || ctxt->node == NULL || ctxt->myDoc == NULL ||
	    ctxt->myDoc->intSubset != NULL ||
	    (last = ctxt->node->last) == NULL ||
	    last->type != XML_TEXT_NODE || last->name != xmlStringText ||
	    ctxt->nodemem <= 0 || ctxt->nodelen < 0)
		return false;
	return push_fits(ps, n);
}

static void
push_characters(void *ctx, const xmlChar *s, int len)
{
	struct push	*ps = push_of(ctx);
	size_t		 n = len > 0 ? (size_t)len : 0;

	/*
	 * Armed, the tree has not changed since push_may_wait looked: every
	 * other callback flushes first.  Only the limit on text is left.
	 */
	if (ps->armed && n <= sizeof(ps->text) - ps->len && push_fits(ps, n)) {
		memcpy(ps->text + ps->len, s, n);
		ps->len += n;
		return;
	}
	if (ps->len > 0 && ps->len + n > sizeof(ps->text))
		push_flush(ps);
	if (n >= sizeof(ps->text) || !push_may_wait(ps, ctx, n)) {
		push_flush(ps);
		ps->next.characters(ctx, s, len);
		return;
	}
	memcpy(ps->text + ps->len, s, n);
	ps->len += n;
	ps->armed = true;
}

static void
push_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int natts,
    int ndefaulted, const xmlChar **atts)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.startElementNs(ctx, localname, prefix, uri, nns, ns, natts,
	    ndefaulted, atts);
}

static void
push_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.endElementNs(ctx, localname, prefix, uri);
}

static void
push_comment(void *ctx, const xmlChar *value)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.comment(ctx, value);
}

static void
push_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.processingInstruction(ctx, target, data);
}

static void
push_reference(void *ctx, const xmlChar *name)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.reference(ctx, name);
}

static void
push_cdata(void *ctx, const xmlChar *s, int len)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.cdataBlock(ctx, s, len);
}

static void
push_end_document(void *ctx)
{
	struct push	*ps = push_of(ctx);

	push_flush(ps);
	ps->next.endDocument(ctx);
}

/*
 * Our callbacks in front of the cap's (attached before).  Blanks are text
 * to the builder (its ignorableWhitespace is xmlSAX2Characters unless
 * blanks are dropped, and they are not): the cap charges them alike, and
 * with one callback for both libxml2 no longer asks which they are.
 */
static void
push_hooks(struct push *ps, xmlParserCtxt *ctxt)
{
	xmlSAXHandler	*h = ctxt->sax;

	ps->ctxt = ctxt;
	ps->len = 0;
	ps->armed = false;
	ps->next = *h;
	if (ps->cap.sax.characters != xmlSAX2Characters ||
	    ps->cap.sax.ignorableWhitespace != xmlSAX2Characters)
		return;
	h->characters = push_characters;
	h->ignorableWhitespace = push_characters;
#define HOOK(field, fn)	do { if (h->field != NULL) h->field = (fn); } while (0)
	HOOK(startElementNs, push_start);
	HOOK(endElementNs, push_end);
	HOOK(comment, push_comment);
	HOOK(processingInstruction, push_pi);
	HOOK(reference, push_reference);
	HOOK(cdataBlock, push_cdata);
	HOOK(endDocument, push_end_document);
#undef HOOK
}

/*
 * The first, strict pass through the push parser, which builds the same
 * tree as xmlCtxtReadMemory but reads CDATA sections and character data a
 * block at a time, not a character at a time (the feeds' HTML sits in
 * CDATA).  The document is fed in PUSH_CHUNK pieces as a transfer would,
 * and libxml2 keeps only the piece it is reading.  NULL unless the
 * document is well-formed or its tree was cut at the cap.
 */
static xmlDoc *
read_push(const char *s, size_t len, const char *base, int opts,
    struct push *ps)
{
	struct xmlcap	*cap = &ps->cap;
	xmlParserCtxt	*ctxt;
	xmlDoc		*doc;
	size_t		 off, n;
	bool		 wf;

	if ((ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)) ==
	    NULL)
		return NULL;
	sax_hooks(ctxt);
	xmlCtxtUseOptions(ctxt, opts);
	xmlcap_init(cap, XMLCAP_TREE, 0);
	xmlcap_attach(cap, ctxt);
	push_hooks(ps, ctxt);
	/*
	 * The text is valid UTF-8 (charset.c): read as it is, no converter.
	 * The URL is set as xmlCtxtReadMemory sets it.
	 */
	if (xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8) != 0)
		goto fail;
	if (base != NULL && ctxt->input != NULL &&
	    ctxt->input->filename == NULL &&
	    (ctxt->input->filename = (char *)xmlStrdup(
	    (const xmlChar *)base)) == NULL)
		goto fail;
	for (off = 0; off < len && !cap->cut; off += n) {
		n = len - off < PUSH_CHUNK ? len - off : PUSH_CHUNK;
		if (xmlParseChunk(ctxt, s + off, (int)n, 0) != 0 && !cap->cut)
			goto fail;
	}
	if (!cap->cut && xmlParseChunk(ctxt, NULL, 0, 1) != 0)
		goto fail;
	wf = ctxt->wellFormed != 0 || cap->cut;
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	if (doc != NULL && !wf) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
 fail:
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return NULL;
}

/*
 * Never NOENT, DTDLOAD or HUGE: no entity bombs, no external files.  The
 * text is UTF-8 by now (charset.c), whatever it declares.
 */
#define READ_OPTS	(XML_PARSE_NONET | XML_PARSE_NOCDATA | \
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			    XML_PARSE_IGNORE_ENC)

/*
 * The passes of feed_xml_read, strict first, stopped as soon as libxml2
 * ran out of memory: a document it could not read whole is no reason to
 * read it leniently, and a lenient pass would hide the failure.  A tree
 * cut at its cap ends the passes too: what came before is the feed,
 * recovered.
 */
static xmlDoc *
read_doc(const char *s, size_t len, bool inplace, const char *base,
    bool *recovered, const struct xmloom *w, bool *oom)
{
	struct push	 ps;
	struct xmlcap	 cap;
	xmlDoc		*doc;
	char		*wrapped = NULL;
	size_t		 wlen = 0;
	bool		 wf;
	int		 opts;

	*recovered = false;
	opts = READ_OPTS;
	/* COMPACT: short text inside its node, one malloc less each. */
	if ((doc = read_push(s, len, base, opts | XML_PARSE_COMPACT,
	    &ps)) != NULL || xmloom_seen(w)) {
		*recovered = doc != NULL && ps.cap.cut;
		return doc;
	}
	/* Not well-formed for the push parser: the pull parser decides. */
	doc = read_once(s, len, base, opts, inplace, &cap, &wf);
	if (doc != NULL && (wf || cap.cut)) {
		*recovered = cap.cut;
		return doc;
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (xmloom_seen(w))
		return NULL;
	/*
	 * A second, lenient pass: raw HTML in a description becomes CDATA, so
	 * that a <br> left open does not swallow the items after it; then
	 * libxml2's recovery for whatever else is wrong.
	 */
	if (feed_xml_wrap_html(s, len, &wrapped, &wlen) == -1) {
		*oom = true;
		return NULL;
	}
	doc = NULL;
	if (wrapped != NULL && wlen <= INT_MAX) {
		s = wrapped;
		len = wlen;
		inplace = true;		/* a buf: its '\0' is there */
		doc = read_once(s, len, base, opts, inplace, &cap, &wf);
		if (doc != NULL && !wf && !cap.cut) {
			xmlFreeDoc(doc);
			doc = NULL;
		}
	}
	if (doc == NULL && !xmloom_seen(w))
		doc = read_once(s, len, base, opts | XML_PARSE_RECOVER,
		    inplace, &cap, &wf);
	free(wrapped);
	*recovered = doc != NULL;
	return doc;
}

int
feed_xml_read(const char *s, size_t len, bool inplace, const char *base,
    xmlDoc **out, struct feed_xml_notes *notes)
{
	struct xmloom	 w;
	xmlDoc		*doc;
	char		*bounded;
	size_t		 blen;
	bool		 oom = false;

	*out = NULL;
	memset(notes, 0, sizeof(*notes));
	if (len > INT_MAX)
		return -1;
	if (feed_xml_bound(s, len, &bounded, &blen,
	    &notes->attrs_dropped) == -1)
		return FEED_XML_NOMEM;
	if (bounded != NULL) {
		s = bounded;
		len = blen;
		inplace = true;		/* a buf */
	}
	xmloom_begin(&w);
	doc = read_doc(s, len, inplace, base, &notes->recovered, &w, &oom);
	free(bounded);
	if (doc != NULL && ent_resolve(doc, notes) == -1)
		oom = true;
	if (xmloom_end(&w))
		oom = true;
	if (oom) {
		if (doc != NULL)
			xmlFreeDoc(doc);
		return FEED_XML_NOMEM;
	}
	if (doc == NULL)
		return -1;
	/* What libxml2 read is not quite the document: said as recovered. */
	notes->recovered = notes->recovered || notes->attrs_dropped > 0;
	*out = doc;
	return 0;
}

/*
 * Whether each processing instruction of s ends at its first '>', as
 * feed_xml_fix_entities reads one ("<?pi a>b?>" is a PI to libxml2 to
 * the "?>"; the rewrite would go on after the "a>").
 */
static bool
pis_plain(const char *s, size_t len)
{
	const char	*p, *gt, *end = s + len;

	for (p = s; (p = memchr(p, '?', (size_t)(end - p))) != NULL; p++) {
		if (p == s || p[-1] != '<')
			continue;
		if ((gt = memchr(p + 1, '>', (size_t)(end - p - 1))) == NULL ||
		    gt[-1] != '?' || gt - 1 == p)
			return false;
		p = gt;
	}
	return true;
}

/*
 * Whether a DOCTYPE (or any other "<!" but a comment) comes before the
 * first element: such a document is read the usual way, and reading it
 * first as it is would be work done twice (the hostile ones among them,
 * entity bombs, are the costliest of all to read).
 */
static bool
prolog_declares(const char *s, size_t len)
{
	const char	*p, *end = s + len;
	size_t		 i;

	for (p = s; (p = memchr(p, '<', (size_t)(end - p))) != NULL; ) {
		i = (size_t)(p - s);
		if (starts(s, len, i, "<?"))
			p = s + skip_past(s, len, i + 2, "?>");
		else if (starts(s, len, i, "<!--"))
			p = s + skip_past(s, len, i + 4, "-->");
		else
			return starts(s, len, i, "<!");
	}
	return false;
}

int
feed_xml_read_as_is(const char *s, size_t len, const char *base,
    xmlDoc **out, struct feed_xml_notes *notes)
{
	struct xmloom	 w;
	struct push	 ps;
	xmlDoc		*doc;
	bool		 oom;

	*out = NULL;
	memset(notes, 0, sizeof(*notes));
	/* what feed_xml_bound would rewrite, and what the rewrite of
	 * entities would read otherwise than libxml2 */
	if (len > INT_MAX || prolog_declares(s, len) ||
	    bound_suspect(s, len) || !pis_plain(s, len))
		return 1;
	xmloom_begin(&w);
	doc = read_push(s, len, base, READ_OPTS | XML_PARSE_COMPACT, &ps);
	oom = xmloom_end(&w);
	if (oom || doc == NULL || ps.cap.cut || doc->intSubset != NULL) {
		if (doc != NULL)
			xmlFreeDoc(doc);
		return oom ? FEED_XML_NOMEM : 1;
	}
	*out = doc;
	return 0;
}
