/*
 * jsoncap: the cost of a JSON text to jansson, before it is loaded.
 *
 * What jansson 2.x allocates, as glibc rounds it (64-bit): an object is
 * its struct (80 bytes) and a first table of eight buckets (144); each
 * member a pair with its key (80 + the key) and its share of buckets,
 * which double as the object grows (up to 48 while both tables exist);
 * an array is its struct (48) and a first table (80), each element a
 * slot of 8 bytes in a table that doubles (up to 24 while it is copied);
 * a string its struct (48) and its bytes (the text's length errs high:
 * escapes only shrink); a number 32; true, false and null nothing.  The
 * lexer's buffer, twice the longest string, lives until the end; the
 * parser's own state is a few KiB.
 */
#include <stdint.h>

#include "parsers/jsoncap.h"

#define COST_OBJECT	256
#define COST_ARRAY	160
#define COST_MEMBER	64	/* at ':': buckets, beside its key (a string) */
#define COST_SLOT	32	/* at ',': an element or a member more */
#define COST_STRING	80	/* beside its bytes */
#define COST_NUMBER	32

static int
number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	    c == 'e' || c == 'E';
}

/* The end of the string opened at s[i] (its closing quote or len). */
static size_t
string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\' && i + 1 < len)
			i++;
	return i;
}

/* The cost of s, or of the part that was read when it passed max. */
static size_t
scan(const char *s, size_t len, size_t max)
{
	size_t	 i, end, cost = 0, longest = 0;

	/* A step adds COST_OBJECT or a string (COST_STRING + len) at most. */
	if (len > SIZE_MAX / 4)
		return SIZE_MAX;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	for (i = 0; i < len && cost <= max; i++) {
		switch (s[i]) {
		case '{':
			cost += COST_OBJECT;
			break;
		case '[':
			cost += COST_ARRAY;
			break;
		case ':':
			cost += COST_MEMBER;
			break;
		case ',':
			cost += COST_SLOT;
			break;
		case '"':
			end = string_end(s, len, i);
			cost += COST_STRING + (end - i);
			if (end - i > longest)
				longest = end - i;
			i = end;
			break;
		default:
			if (!number_char(s[i]))
				break;
			cost += COST_NUMBER;
			while (i + 1 < len && number_char(s[i + 1]))
				i++;
			break;
		}
	}
	return cost + 2 * longest + 4096;
}

size_t
jsoncap_cost(const char *s, size_t len)
{
	return scan(s, len, SIZE_MAX);
}

bool
jsoncap_fits(const char *s, size_t len, size_t max)
{
	return scan(s, len, max) <= max;
}
