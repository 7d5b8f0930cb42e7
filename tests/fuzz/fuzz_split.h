/*
 * fuzz_split: the input of a string target as up to FUZZ_PARTS C strings,
 * cut at its NUL bytes (missing parts are empty).  The copy is malloc'd to
 * the exact size, so ASan sees a read past a part's end.
 */
#ifndef FEEDSPOOL_FUZZ_SPLIT_H
#define FEEDSPOOL_FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_PARTS	4

/* Returns the copy to free, NULL when out of memory. */
static inline char *
fuzz_split(const uint8_t *data, size_t size, const char *part[FUZZ_PARTS])
{
	char	*s;
	size_t	 i, n = 0;

	if (size == SIZE_MAX || (s = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	part[n++] = s;
	for (i = 0; i < size && n < FUZZ_PARTS; i++)
		if (s[i] == '\0')
			part[n++] = s + i + 1;
	while (n < FUZZ_PARTS)
		part[n++] = s + size;
	return s;
}

#endif
