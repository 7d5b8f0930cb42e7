/*
 * watch: the watch terms of the [watch NAME] sections, compiled once (at
 * config load, so again at every reload) and matched against every story
 * before it is delivered.
 *
 * A term is one word or a phrase of words (words.h says what a word is),
 * compared folded (case, compatibility forms, accents: words_fold) and on
 * word boundaries: "Taiwan" matches "TAIWAN's" and "Taïwan", "Red Sea"
 * matches those two words one after the other, and "sea" does not match
 * "Seattle".  A pattern is a PCRE2 regular expression (UTF, Unicode
 * properties, caseless; JIT-compiled where PCRE2 can) run on the text as
 * the story has it, not folded.  An exclude term vetoes its watch when it
 * is found where the watch looks.
 *
 * Matching costs one pass over the story's folded words however many terms
 * there are: each word is looked up in a hash of the terms' first words,
 * and only the terms found there are checked word by word.  Patterns are
 * run once each per field they look at.
 */
#ifndef FEEDSPOOL_WATCH_H
#define FEEDSPOOL_WATCH_H

#include <stddef.h>

struct story;
struct watch;

/* Where a watch looks: the bits of where. */
#define WATCH_TITLE		0x01
#define WATCH_TEXT		0x02
#define WATCH_CATEGORIES	0x04
#define WATCH_ALL		(WATCH_TITLE | WATCH_TEXT | WATCH_CATEGORIES)

/* The fields of a story as the matcher reads them; any may be NULL. */
struct watch_text {
	const char		*title;
	const char		*text;
	const char *const	*categories;
	size_t			 ncategories;
};

/*
 * A watch that matched: its index (in the order watch_begin() made them),
 * its name, what matched (the terms and patterns as given, in their
 * order) and where (WATCH_* bits).  Valid until the next watch_match().
 */
struct watch_hit {
	size_t			 index;
	const char		*name;
	const char *const	*terms;
	size_t			 nterms;
	unsigned		 where;
};

struct watch	*watch_new(void);
void		 watch_free(struct watch *);

/* A new watch, the one terms and patterns go to next.  0, -1 (memory). */
int		 watch_begin(struct watch *, const char *name);
/* Where the current watch looks (WATCH_* bits, not 0). */
void		 watch_where(struct watch *, unsigned where);
/*
 * A term (exclude: one that vetoes) of the current watch.  0; 1 when it
 * has no word to match; -1 out of memory.
 */
int		 watch_term(struct watch *, const char *term, int exclude);
/*
 * A pattern of the current watch.  0; 1 when it does not compile (err
 * says why and at which offset); -1 out of memory.
 */
int		 watch_pattern(struct watch *, const char *re, char *err,
		    size_t errlen);
/* How many terms and patterns (not excludes) a watch has. */
size_t		 watch_size(const struct watch *, size_t index);
/* After the last watch: 0, or -1 out of memory. */
int		 watch_ready(struct watch *);

size_t		 watch_count(const struct watch *);
const char	*watch_name(const struct watch *, size_t index);
/* The index of the watch named name, or -1. */
long		 watch_find(const struct watch *, const char *name);

/*
 * The watches t matches: *hits, *nhits of them, in the order of the
 * config.  0, or -1 out of memory (no hits then).
 */
int		 watch_match(struct watch *, const struct watch_text *t,
		    const struct watch_hit **hits, size_t *nhits);
/*
 * Match s and record what matched in it (story.h's watch list, replaced);
 * the hits as watch_match() gives them.  0, or -1 out of memory.
 */
int		 watch_story(struct watch *, struct story *s,
		    const struct watch_hit **hits, size_t *nhits);

/*
 * Whether a story with these hits is spooled: not when keep (keep =
 * watch) and nothing matched, nor when one of the watches drop[] (drop =
 * W,...: indices) matched.  1 to drop it, 0 to spool it.
 */
int		 watch_drops(const struct watch_hit *hits, size_t nhits,
		    int keep, const size_t *drop, size_t ndrop);

#endif
