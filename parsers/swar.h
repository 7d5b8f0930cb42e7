/*
 * swar: eight bytes of a string tested at once in a 64-bit word, for the
 * loops that step over the bytes they keep as they are.  The tests say
 * whether some byte of v is such; which one is found byte by byte.
 */
#ifndef FEEDSPOOL_SWAR_H
#define FEEDSPOOL_SWAR_H

#include <stdint.h>

#define ONES		UINT64_C(0x0101010101010101)
#define HIGHS		UINT64_C(0x8080808080808080)
/* Whether a byte of v is zero, or less than n (n <= 128). */
#define HAS_ZERO(v)	(((v) - ONES) & ~(v) & HIGHS)
#define HAS_LESS(v, n)	(((v) - ONES * (n)) & ~(v) & HIGHS)

#endif
