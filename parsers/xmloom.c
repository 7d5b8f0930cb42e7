/*
 * xmloom: libxml2's out-of-memory reports, caught.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "parsers/xmloom.h"

/* libxml2 2.12 made the error it hands over const. */
#if LIBXML_VERSION >= 21200
#define XMLOOM_ERROR	const xmlError
#else
#define XMLOOM_ERROR	xmlError
#endif

static void
xmloom_error(void *arg, XMLOOM_ERROR *e)
{
	struct xmloom	*w = arg;

	/*
	 * libxml2 2.9 reports a text node past XML_MAX_TEXT_LENGTH
	 * (10,000,000 bytes, without XML_PARSE_HUGE) as out of memory: the
	 * text is only cut there.
	 */
	if (e != NULL && e->code == XML_ERR_NO_MEMORY && (e->message == NULL ||
	    strstr(e->message, "huge text node") == NULL))
		w->oom = true;
	if (w->prev != NULL)
		w->prev(w->prev_ctx, e);
}

void
xmloom_begin(struct xmloom *w)
{
	w->prev = xmlStructuredError;
	w->prev_ctx = xmlStructuredErrorContext;
	w->oom = false;
	xmlSetStructuredErrorFunc(w, xmloom_error);
}

bool
xmloom_seen(const struct xmloom *w)
{
	return w->oom;
}

bool
xmloom_end(struct xmloom *w)
{
	xmlSetStructuredErrorFunc(w->prev_ctx, w->prev);
	return w->oom;
}
