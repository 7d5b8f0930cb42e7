/*
 * jsoncap: whether the values jansson would build for a JSON text stay
 * within a budget (internal to parsers/).
 *
 * jansson makes a struct for every value, and a hash table for every
 * object: "{}," is three bytes of text and some 250 bytes once loaded.
 * The text is scanned first and what loading it would take is estimated
 * (erring high); over the budget, the caller does not load it.
 */
#ifndef FEEDSPOOL_JSONCAP_H
#define FEEDSPOOL_JSONCAP_H

#include <stdbool.h>
#include <stddef.h>

#define JSONCAP_FEED	(64UL * 1024 * 1024)	/* a JSON Feed */
#define JSONCAP_LD	(16UL * 1024 * 1024)	/* a page's JSON-LD block */

/* About what jansson allocates to hold s[0..len) as values, at most. */
size_t	 jsoncap_cost(const char *s, size_t len);

/* Whether jsoncap_cost(s, len) <= max (the scan stops past max). */
bool	 jsoncap_fits(const char *s, size_t len, size_t max);

#endif
