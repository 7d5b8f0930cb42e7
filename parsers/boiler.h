/*
 * boiler: boilerplate rules for titles and article text, as pure
 * functions; what is learned per host (title tags, recurring lines) comes
 * from the caller (store/state.h keeps it).
 */
#ifndef FEEDSPOOL_BOILER_H
#define FEEDSPOOL_BOILER_H

#include <stddef.h>

struct boiler_hints {
	const char	*site_name;	/* og:site_name, or NULL */
	const char	*feed_title;	/* the feed's own title, or NULL */
	const char	*host;		/* host name of the article URL, or NULL */
	const char *const *tags;	/* title tags learned for this host */
	size_t		 ntags;
};

/*
 * The title without a leading or trailing segment that names the site.
 * Separators: | · » • :: anywhere, ": " and " - " " – " " — " with spaces.
 * A segment names the site when, comparing letters and digits only (case
 * and accents ignored, a leading "the" optional), it is the site name,
 * the feed title, one of the learned tags, the host name or the host's
 * main label ("www.nytimes.com": "nytimes"); when its words, each whole
 * or by its initial, spell that label ("The New York Times"); when it
 * abbreviates the site name or feed title so ("ltc-a" for "LTC
 * Actualités", "AFP" for "Agence France-Presse"); and, trailing only,
 * when it is their first word(s) ("NYT" of "NYT > World News").  A
 * leading segment before ": " needs a whole name (site, feed title, tag,
 * full host): "Example: how to ..." on example.org is a headline.  A
 * title that would be left empty or naming the site itself ("ltc-a |
 * ltc-a"), and a separator that belongs to the headline ("Kyiv - a year
 * on"), stay.  hints may be NULL.  Returns a malloc'd string (trimmed),
 * NULL when out of memory.
 */
char	*boiler_title(const char *title, const struct boiler_hints *);

/*
 * The segment after the last separator (else the one before the first
 * separator but ":") when it is short (at most 6 words, 60 bytes) and
 * shorter than the rest: a candidate tag for state_title_seen(), given
 * without the separator ("ltc-a" for "Headline | ltc-a").  NULL when the
 * title has none (or out of memory).
 */
char	*boiler_title_tag(const char *title);

/*
 * The text without boilerplate.  text has one paragraph per line (blank
 * lines between them are fine); the result has them separated by one
 * blank line.  Dropped everywhere: paragraphs equal to one of lines,
 * compared by words_line_key(), or to a built-in share/subscribe/cookie/
 * advertisement line (words_boilerplate()).  Dropped while at the top:
 * the headline again (title, with or without a site tag, case, spacing
 * and punctuation ignored), the byline again ("By Jane Doe"), a line with
 * only a date.  title, byline and lines may be NULL.  Returns a malloc'd string, NULL
 * when out of memory.
 */
char	*boiler_body(const char *text, const char *title, const char *byline,
	    const char *const *lines, size_t nlines);

#endif
