/*
 * fuzz_norm: libFuzzer target for text normalisation (parsers/norm.h).
 * The input is a text, then after a NUL its declared language; it goes
 * through every entry point.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parsers/norm.h"
#include "tests/fuzz/fuzz_split.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*part[FUZZ_PARTS], *lang;
	char		*s;

	if ((s = fuzz_split(data, size, part)) == NULL)
		return 0;
	lang = part[1][0] != '\0' ? part[1] : NULL;
	free(norm_text(part[0], lang));
	free(norm_text_full_nfc(part[0], lang));
	free(norm_line(part[0]));
	free(norm_line_lang(part[0], lang));
	free(norm_nfc(part[0]));
	(void)norm_nfc_quick(part[0]);
	(void)norm_is_english(part[0], lang);
	free(s);
	return 0;
}
