/*
 * xmloom: whether libxml2 ran out of memory while we used it.
 *
 * Much of libxml2's tree API answers NULL both for "none" and for "no
 * memory" (xmlGetProp, xmlNodeGetLang, xmlNodeGetBase, xmlBuildURI), and
 * its parsers leave out of the tree what they could not allocate (an
 * attribute, a namespace) and may still call the document well-formed.
 * Every such failure is reported as an error with the code
 * XML_ERR_NO_MEMORY, though.  Between xmloom_begin() and xmloom_end()
 * those reports are caught through libxml2's structured error handler
 * (one per thread); the handler that was in place is still called, and
 * put back at the end.  Watches nest.
 */
#ifndef FEEDSPOOL_XMLOOM_H
#define FEEDSPOOL_XMLOOM_H

#include <stdbool.h>

#include <libxml/xmlerror.h>

struct xmloom {
	xmlStructuredErrorFunc	 prev;
	void			*prev_ctx;
	bool			 oom;
};

void	 xmloom_begin(struct xmloom *);
/* Whether libxml2 reported running out of memory since xmloom_begin(). */
bool	 xmloom_seen(const struct xmloom *);
/* The same, and the handler before xmloom_begin() put back. */
bool	 xmloom_end(struct xmloom *);

#endif
