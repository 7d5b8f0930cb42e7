/*
 * feed_xml: the libxml2 side of the feed parser (internal to parsers/).
 */
#ifndef FEEDSPOOL_FEED_XML_H
#define FEEDSPOOL_FEED_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "parsers/feed.h"

/*
 * Rewrite HTML named entities that XML does not define (&nbsp; &eacute;)
 * as numeric references.  *out is NULL when nothing needed rewriting, else
 * a malloc'd copy of *outlen bytes.  -1 when out of memory.
 */
int	 feed_xml_fix_entities(const char *, size_t, char **out,
	    size_t *outlen);

/*
 * The lenient rewrite of a document that is not well-formed: the body of
 * an element whose text is HTML (description, content:encoded, Atom
 * type="html" ...) that holds raw tags becomes CDATA.  *out is NULL when
 * nothing needed it, else a malloc'd copy of *outlen bytes.  -1 when out
 * of memory.
 */
int	 feed_xml_wrap_html(const char *, size_t, char **out, size_t *outlen);

/*
 * Where a feed starts in a document that begins with something else (PHP
 * warnings before the XML declaration): the offset of the first "<?xml",
 * else of the first <rss, <feed or <rdf:RDF, after the first byte; 0 when
 * there is none.
 */
size_t	 feed_xml_feed_start(const char *, size_t);

/* How much of an entity's name a note keeps. */
#define FEED_XML_NAME_MAX	FEED_ENTITY_NAME_MAX

/* What reading a document left out or had to forgive. */
struct feed_xml_notes {
	bool		 recovered;	/* not well-formed: read leniently */
	size_t		 attrs_dropped;	/* over the attribute caps */
	size_t		 ents_dropped;	/* entity references left out */
	char		 ent_name[FEED_XML_NAME_MAX + 1];	/* the first */
	const char	*ent_why;	/* why it was, a static string */
};

/*
 * Parse a UTF-8 document (whatever its declaration says) without network
 * access; a document that is not well-formed is read again in recovery
 * mode, noted.  Before libxml2 sees it, attributes past the 256th of an
 * element and namespace declarations past 128 in scope are dropped (noted,
 * and recovered).  libxml2 never substitutes an entity: each reference in
 * the tree is replaced by its decoded text when the entity is internal, of
 * text only and at most 4 KiB (an undeclared HTML entity is its
 * character), within 1 MiB for the document; any other by nothing, noted.
 * The tree takes at most XMLCAP_TREE (xmlcap.h): a document whose tree
 * would take more is read up to there, and recovered.  inplace: s[len]
 * is '\0', and libxml2 may read s where it is, not a copy.
 * -1 when it is no XML at all, FEED_XML_NOMEM when out of memory,
 * libxml2's own included (then it is not read again leniently).
 */
#define FEED_XML_NOMEM	(-2)
int	 feed_xml_read(const char *, size_t, bool inplace, const char *base,
	    xmlDoc **, struct feed_xml_notes *);

/*
 * The document as it is, before feed_xml_fix_entities, by the strict push
 * pass alone: 0 and the tree when libxml2 finds it well-formed, without a
 * DOCTYPE, within every limit of feed_xml_read, read with nothing left
 * out, and with no processing instruction holding a '>'.  Then the
 * rewrite would have changed nothing: each thing it rewrites (an HTML
 * entity, a bare '&' or '<', a C0 control in text) is a fatal error to
 * libxml2 in a document without a DTD, and it skips tags, comments and
 * CDATA as libxml2 reads them.  1 when the document must take the usual
 * way (feed_xml_fix_entities, then feed_xml_read); FEED_XML_NOMEM.
 */
int	 feed_xml_read_as_is(const char *, size_t, const char *base,
	    xmlDoc **, struct feed_xml_notes *);

#endif
