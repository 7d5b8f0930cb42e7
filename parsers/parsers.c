/*
 * parsers: the process-wide set-up of the libraries the parsers use.
 */
#include <pthread.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "parsers/jsonio.h"
#include "parsers/parsers.h"

static pthread_once_t	 parsers_once = PTHREAD_ONCE_INIT;

static void
parsers_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
parsers_setup(void)
{
	xmlInitParser();
	/* This thread's handler, and the one threads made later start with. */
	xmlSetGenericErrorFunc(NULL, parsers_quiet);
	xmlThrDefSetGenericErrorFunc(NULL, parsers_quiet);
	/* Its hash seed, which it would otherwise pick at the first object. */
	json_object_seed(0);
	jsonio_init();
}

void
parsers_init(void)
{
	(void)pthread_once(&parsers_once, parsers_setup);
}
