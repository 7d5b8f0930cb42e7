/*
 * feed_xml: reading feed documents with libxml2, safely and forgivingly.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/feed_xml.h"

#define ENTITY_NAME_MAX	32

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
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

	if (i >= len)
		return len;
	hit = memmem(s + i, len - i, end, n);
	return hit == NULL ? len : (size_t)((const char *)hit - s) + n;
}

int
feed_xml_fix_entities(const char *s, size_t len, char **out, size_t *outlen)
{
	const htmlEntityDesc	*ent;
	struct buf		 b;
	char			 name[ENTITY_NAME_MAX + 1];
	size_t			 i, j, done = 0;
	int			 rc = BUF_OK;

	*out = NULL;
	*outlen = 0;
	/* A document declaring its own entities means what it says. */
	if (memmem(s, len, "<!ENTITY", 8) != NULL)
		return 0;
	buf_init(&b, len + len / 2 + 64 < len ? len : len + len / 2 + 64);
	for (i = 0; i < len && rc == BUF_OK;) {
		if (s[i] == '<' && len - i >= 9 &&
		    memcmp(s + i, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, i + 9, "]]>");
			continue;
		}
		if (s[i] == '<' && len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			i = skip_past(s, len, i + 4, "-->");
			continue;
		}
		if (s[i] != '&') {
			i++;
			continue;
		}
		for (j = 0; i + 1 + j < len && j < ENTITY_NAME_MAX &&
		    is_alnum((unsigned char)s[i + 1 + j]); j++)
			name[j] = s[i + 1 + j];
		name[j] = '\0';
		if (j == 0 || i + 1 + j >= len || s[i + 1 + j] != ';' ||
		    xml_entity(name) ||
		    (ent = htmlEntityLookup((const xmlChar *)name)) == NULL) {
			i++;
			continue;
		}
		if ((rc = buf_add(&b, s + done, i - done)) == BUF_OK)
			rc = buf_printf(&b, "&#%u;", ent->value);
		i += j + 2;
		done = i;
	}
	if (rc == BUF_OK && done > 0)
		rc = buf_add(&b, s + done, len - done);
	if (rc != BUF_OK) {
		buf_free(&b);
		/* Too big to rewrite: leave it to the recovering parser. */
		return rc == BUF_NOMEM ? -1 : 0;
	}
	if (done == 0) {
		buf_free(&b);
		return 0;
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

/*
 * The transport's charset is only used when the document does not say:
 * servers are wrong about it more often than documents are.
 */
static const char *
pick_encoding(const char *s, size_t len, const char *charset)
{
	size_t	 n;
	const char *end;

	if (charset == NULL || *charset == '\0')
		return NULL;
	if (len >= 2 && (((unsigned char)s[0] == 0xfe &&
	    (unsigned char)s[1] == 0xff) || ((unsigned char)s[0] == 0xff &&
	    (unsigned char)s[1] == 0xfe)))
		return NULL;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		return NULL;
	if (len >= 5 && memcmp(s, "<?xml", 5) == 0) {
		end = memmem(s, len, "?>", 2);
		n = end == NULL ? len : (size_t)(end - s);
		if (memmem(s, n, "encoding", 8) != NULL)
			return NULL;
	}
	return charset;
}

static xmlDoc *
read_once(const char *s, size_t len, const char *base, const char *enc,
    int opts, bool *wellformed)
{
	xmlParserCtxt	*ctxt;
	xmlDoc		*doc;

	*wellformed = false;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	doc = xmlCtxtReadMemory(ctxt, s, (int)len, base, enc, opts);
	*wellformed = ctxt->wellFormed != 0;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int
feed_xml_read(const char *s, size_t len, const char *base,
    const char *charset, xmlDoc **out, bool *recovered)
{
	xmlDoc		*doc;
	const char	*enc;
	bool		 wf;
	int		 opts;

	*out = NULL;
	*recovered = false;
	if (len > INT_MAX)
		return -1;
	enc = pick_encoding(s, len, charset);
	/* Never NOENT, DTDLOAD or HUGE: no entity bombs, no external files. */
	opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING;
	doc = read_once(s, len, base, enc, opts, &wf);
	if (doc != NULL && wf) {
		*out = doc;
		return 0;
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	doc = read_once(s, len, base, enc, opts | XML_PARSE_RECOVER, &wf);
	if (doc == NULL)
		return -1;
	*recovered = true;
	*out = doc;
	return 0;
}
