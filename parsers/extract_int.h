/*
 * extract_int: what the extract_*.c files share.  Not for other modules.
 */
#ifndef FEEDSPOOL_EXTRACT_INT_H
#define FEEDSPOOL_EXTRACT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parsers/buf.h"
#include "parsers/extract.h"

#define EXTRACT_DEPTH	256	/* deeper nesting is ignored */
#define EXTRACT_LD_MAX	(1024 * 1024)	/* JSON-LD articleBody kept */

/* Why an element is left out (xnode.flags). */
#define XN_TAG		0x01	/* script, style, nav, ...: always */
#define XN_SOFTTAG	0x02	/* header, footer, aside, form: strict pass */
#define XN_CLASS	0x04	/* class/id/role say boilerplate */
#define XN_HIDDEN	0x08	/* hidden attribute, display:none */
#define XN_POSITIVE	0x10	/* class/id say article, content, ... */
#define XN_HEADLINE	0x20	/* the page's headline (an h1) */

/* What the element is (xnode.kind). */
enum xkind {
	XK_OTHER = 0,
	XK_BLOCK,	/* p, div, section, ...: starts a paragraph */
	XK_HEADING,	/* h1-h6 */
	XK_LIST,	/* ul, ol */
	XK_ITEM,	/* li, dt, dd */
	XK_TABLE,
	XK_ROW,
	XK_CELL,	/* td, th */
	XK_QUOTE,
	XK_FIGURE,
	XK_PRE,
	XK_BR,
	XK_LINK,	/* a */
	XK_INLINE,	/* em, strong, b, i: kept in the HTML */
	XK_IMG
};

/* One element of the page, reached through xmlNode._private. */
struct xnode {
	xmlNode		*n;
	struct xnode	*parent;	/* NULL at the root element */
	enum xkind	 kind;
	unsigned	 flags;
	int		 weight;	/* class/id: -25, 0, +25 */
	size_t		 text;		/* characters, white space collapsed */
	size_t		 links;		/* of those, inside <a> */
	size_t		 commas;
	size_t		 own_text;	/* in its own text nodes */
	size_t		 own_commas;
	bool		 blocks;	/* has block-level children */
	bool		 out;		/* it or an ancestor is left out */
	double		 score;
	bool		 candidate;
};

struct ectx {
	htmlDocPtr	 doc;
	const char	*url;
	char		*base;		/* <base href>, resolved, or NULL */
	struct xnode	*nodes;
	size_t		 nnodes;
	unsigned	 drop;		/* flags that leave an element out */
	char		*headline;	/* h1 / title text, to keep out */
	char		*ldbody;	/* JSON-LD articleBody or NULL */
	struct extract	*x;
};

static inline struct xnode *
xn(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE ? n->_private : NULL;
}

const xmlChar	*extract_attr(const xmlNode *, const char *);
bool		 extract_is(const xmlNode *, const char *);
char		*extract_resolve(struct ectx *, const xmlChar *);
char		*extract_node_text(const xmlNode *, size_t cap);
/* -1 when a field was lost for want of memory. */
int		 extract_meta(struct ectx *);
int		 extract_render(struct ectx *, xmlNode **, size_t,
		    struct buf *, struct buf *);
/* Plain text, a paragraph a line, as text and HTML; -1 out of memory. */
int		 extract_render_plain(const char *, struct buf *,
		    struct buf *);

#endif
