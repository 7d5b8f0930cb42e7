/*
 * fuzz_boiler: libFuzzer target for boilerplate removal (parsers/boiler.h).
 * The input is a title, a site name (also the feed's title and the one
 * learned title tag), a byline and a text, cut at NUL bytes; the text's
 * lines are also its site's recurring lines.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parsers/boiler.h"
#include "tests/fuzz/fuzz_split.h"

#define LINES	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*part[FUZZ_PARTS], *lines[LINES];
	struct boiler_hints	 h = { 0 };
	const char		*p;
	char			*s;
	size_t			 n = 0;

	if ((s = fuzz_split(data, size, part)) == NULL)
		return 0;
	/* The first lines of the text, as they start (unterminated). */
	for (p = part[3]; p != NULL && *p != '\0' && n < LINES; ) {
		lines[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	h.site_name = part[1];
	h.feed_title = part[1];
	h.host = "example.com";
	h.tags = &part[1];
	h.ntags = 1;
	free(boiler_title(part[0], &h));
	free(boiler_title(part[0], NULL));
	free(boiler_title_tag(part[0]));
	free(boiler_body(part[3], part[0], part[2], lines, n));
	free(s);
	return 0;
}
