/*
 * xmlcap: libxml2 trees within a memory budget (internal to parsers/).
 *
 * libxml2 builds a struct of 100 bytes or more for every element,
 * attribute and text of a document: a page of "<b>x</b>" repeated takes
 * fifty times its size as a tree.  Here the SAX2 callbacks that build the
 * tree are wrapped, each node is charged about what it costs in memory,
 * and the parse stops, as if the document ended there, before the tree
 * passes its budget.  HTML elements nested deeper than XMLCAP_DEPTH are
 * not built: their text goes to the deepest element that is, and at
 * XMLCAP_STACK elements open at once the parse stops.  (libxml2's XML
 * parser stops at 256 levels by itself.)
 */
#ifndef FEEDSPOOL_XMLCAP_H
#define FEEDSPOOL_XMLCAP_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define XMLCAP_TREE	(64UL * 1024 * 1024)	/* bytes of tree, default */
#define XMLCAP_DEPTH	256	/* HTML elements built inside one another */
/*
 * HTML elements open at once.  libxml2 looks for each end tag among all
 * the open elements, and stores one pointer per level: beyond 256 levels
 * are kept only so far that a page a little deeper keeps its text.
 */
#define XMLCAP_STACK	512

struct xmlcap {
	size_t		 max;		/* bytes the tree may take */
	size_t		 per_element;	/* the caller's own, per element */
	size_t		 used;		/* bytes charged so far */
	size_t		 names;		/* names in the parser's dictionary */
	size_t		 flattened;	/* HTML elements too deep to build */
	bool		 cut;		/* stopped: budget or stack full */
	xmlSAXHandler	 sax;		/* libxml2's callbacks, wrapped */
};

/* A budget of max bytes, per_element more charged for each element. */
void	 xmlcap_init(struct xmlcap *, size_t max, size_t per_element);

/*
 * Charge the tree ctxt builds to cap from now on.  Call it after the
 * context's options are set (they change its callbacks) and before the
 * parse; cap must outlive the parse.
 */
void	 xmlcap_attach(struct xmlcap *, xmlParserCtxt *);

/*
 * Make s[0..len) ctxt's input, read where it is: libxml2 would copy it
 * into a buffer of its own (and copy it again through its UTF-8
 * "converter").  The input has no buffer at all, as libxml2's inputs of
 * entity text have none; its static buffers are no help (libxml2 2.9
 * rewinds wrongly into them when it shrinks its input), and reading s a
 * chunk at a time cuts attribute values longer than a chunk.  The parser
 * stops at the '\0' that s[len] must be.  -1 when out of memory.
 */
int	 xmlcap_input(xmlParserCtxt *, const char *s, size_t len);

/*
 * An HTML document parsed within cap as htmlReadMemory(s, len, url,
 * "UTF-8", opts) parses it, with any <meta> charset ignored, but where it
 * is: libxml2 makes no copy of s when s is UTF-8.  s[len] must be '\0'.
 * NULL when out of memory or len is 0 or over INT_MAX.
 */
xmlDoc	*xmlcap_html(const char *s, size_t len, const char *url, int opts,
	    struct xmlcap *);

/*
 * The parser context xmlcap_html() reads s with, its options set, for a
 * caller that takes the SAX events itself and builds no tree (ctxt->sax
 * is its to replace).  NULL as for xmlcap_html().
 */
htmlParserCtxt *xmlcap_html_ctxt(const char *s, size_t len,
	    const char *url, int opts);

#endif
