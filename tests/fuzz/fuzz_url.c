/*
 * fuzz_url: libFuzzer target for parsers/url.h: a URL, canonicalised (and
 * its canonical form again, which must not change), then after a NUL a
 * reference resolved against it.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/url.h"
#include "tests/fuzz/fuzz_split.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*part[FUZZ_PARTS];
	char		*s, *c;

	if ((s = fuzz_split(data, size, part)) == NULL)
		return 0;
	c = url_canonical(part[0]);
	free(c);
	(void)url_is_absolute(part[0]);
	free(url_absolute(part[1], part[0]));
	free(url_resolve(part[1], part[0]));
	free(s);
	return 0;
}
