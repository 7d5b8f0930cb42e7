/*
 * fuzz_date: libFuzzer target for the date parser.
 *
 * The input, as a C string, goes to date_parse; a date it accepts is
 * written back with date_format, and that RFC 3339 text must read back as
 * the same instant.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/date.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define FIRST	-62135596800LL
#define LAST	253402300799LL

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 out[DATE_RFC3339_LEN];
	char	*s;
	int64_t	 t, back;

	/* Dates are short; the parser's own limits are not the point here. */
	if (size > 4096)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (date_parse(s, &t) == 0 && date_format(t, out, sizeof(out)) == 0 &&
	    t >= FIRST && t <= LAST) {
		if (date_parse(out, &back) != 0 || back != t)
			abort();
	}
	free(s);
	return 0;
}
