/*
 * fuzz_htmlclean: libFuzzer target for htmlclean_match (parsers/
 * htmlclean.h): HTML, then after NUL bytes the text it is matched
 * against and a language.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parsers/htmlclean.h"
#include "tests/fuzz/fuzz_split.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*part[FUZZ_PARTS];
	char		*s;

	if ((s = fuzz_split(data, size, part)) == NULL)
		return 0;
	free(htmlclean_match(part[0], part[1],
	    part[2][0] != '\0' ? part[2] : NULL));
	free(s);
	return 0;
}
