/*
 * jsonio: JSON text read and written through jansson, out of memory told
 * apart.
 *
 * jansson (2.14) does not stop at every allocation that fails on its way
 * through a text: its lexer drops a character it cannot keep (load.c,
 * lex_save) and its dump drops an object key it cannot write (dump.c,
 * the dump_string of a key), and both then report success.  Here jansson
 * allocates through jsonio's functions, which count what failed (on top
 * of the allocator it had), and a load or a dump during which anything
 * failed is out of memory.  A dump is written through a buf whose first
 * failure sticks.
 */
#ifndef FEEDSPOOL_JSONIO_H
#define FEEDSPOOL_JSONIO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* jansson's allocations through jsonio's, from now on (parsers_init). */
void	 jsonio_init(void);

/*
 * json_loadb: the value, or NULL with *oom set when memory ran out (err,
 * which may be NULL, then says nothing useful) or unset when the text is
 * no JSON.
 */
json_t	*jsonio_loadb(const char *, size_t, size_t flags, json_error_t *err,
	    bool *oom);

/* json_dumps: a malloc'd text, or NULL (out of memory). */
char	*jsonio_dumps(const json_t *, size_t flags);

#endif
