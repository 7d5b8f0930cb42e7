/*
 * story: one item as the daemon carries it, from the feed to the spool.
 *
 * A struct story is built from a feed item (story_from_item), completed by
 * its web page (story_add_page), and serialised once, where it is stored
 * or sent (story_dump): the pending row and the spool file hold the same
 * bytes.  Only a story read back from the state store after a restart is
 * ever parsed (story_load).  The file's layout is documented in README.md
 * ("Story files"); bump STORY_SCHEMA when a field changes meaning or goes
 * away.
 */
#ifndef FEEDSPOOL_STORY_H
#define FEEDSPOOL_STORY_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/feed.h"

struct extract;

#define STORY_SCHEMA	3
/* Keys longer than this are replaced by their hash. */
#define STORY_KEY_MAX	1024
#define STORY_ID_LEN	16

struct story_feed {
	const char	*name;		/* the config section */
	const char	*url;		/* as configured */
	const char	*title;		/* the feed's own title, or NULL */
	const char	*language;	/* the feed's language, or NULL */
};

/* What the boilerplate rules know about a story's site. */
struct story_hints {
	const char		*host;		/* of the item's link */
	const char *const	*tags;		/* title tags learned for host */
	size_t			 ntags;
	const char *const	*lines;		/* recurring lines of host */
	size_t			 nlines;
};

struct story_person {
	char		*name;
	char		*email;
	char		*uri;
};

struct story_media {
	char		*url;
	char		*type;
	char		*length;
};

/*
 * A watch the story matched (daemon/watch.h): its name, the terms and
 * patterns that matched, as configured, and where (STORY_WHERE_* bits).
 */
#define STORY_WHERE_TITLE	0x01
#define STORY_WHERE_TEXT	0x02
#define STORY_WHERE_CATEGORIES	0x04

struct story_watch {
	char		*name;
	char		**terms;
	size_t		 nterms;
	unsigned	 where;
};

/* Where the story's text came from. */
enum story_source {
	STORY_FROM_FEED,
	STORY_FROM_ARTICLE
};

/* Where the story's language came from ("language_source" in the file). */
enum story_lang {
	STORY_LANG_NONE,	/* none declared, none detected: null */
	STORY_LANG_ITEM,	/* the item's xml:lang / dc:language */
	STORY_LANG_FEED,	/* the feed's <language>, xml:lang ... */
	STORY_LANG_PAGE,	/* the article page's <html lang> */
	STORY_LANG_DETECTED	/* guessed from title and text (langid) */
};

/*
 * Every string is malloc'd and owned by the story, or NULL (null in the
 * file).  Dates are unix seconds or FEED_NODATE.
 */
struct story {
	char			 id[STORY_ID_LEN + 1];
	char			*feed_name;
	char			*feed_url;
	char			*feed_title;
	char			*url;
	char			*guid;
	char			*title;
	int64_t			 published;
	int64_t			 updated;
	int64_t			 fetched;
	struct story_person	*authors;
	size_t			 nauthors;
	char			**categories;
	size_t			 ncategories;
	struct story_media	*enclosures;
	size_t			 nenclosures;
	char			*summary;	/* exactly as the feed gave it, */
	char			*content;	/* NULL when it gave none */
	char			*text;		/* cleaned and normalised */
	char			*language;
	enum story_lang		 language_source;
	char			*html;		/* the article's, cleaned */
	char			*byline;
	char			*site_name;
	char			*canonical_url;
	size_t			 word_count;
	enum story_source	 source;
	unsigned		 revision;	/* 1, then 2 ... */
	char			*supersedes;	/* id of the revision before, or
						   of the brief a fuller text
						   replaces (revision <= 1) */
	char			*duplicate_of;	/* id of the original */
	const char		*duplicate_reason; /* static string; also of a
						   fuller text */
	uint64_t		 content_hash;	/* story_content_hash() of the
						   item; not in the file */
	struct story_watch	*watch;		/* the watches it matched */
	size_t			 nwatch;
};

/*
 * The state store's key of an item: its guid/id, else its link, else a
 * hash of title and date ("h:" and 16 hex digits).  malloc'd, or NULL when
 * out of memory.
 */
char	*story_key(const struct feed_item *);

/*
 * The story of an item from the feed alone: title without its site tag,
 * text cleaned and normalised; revision 1 unless supersedes names the
 * revision it replaces.  NULL when out of memory.
 */
struct story *story_from_item(const char *id, const struct story_feed *,
	    const struct feed_item *, int64_t fetched,
	    const struct story_hints *, unsigned revision,
	    const char *supersedes);

/*
 * Complete s with what its web page gave: the page's text when it holds
 * more than the feed's (source becomes STORY_FROM_ARTICLE, *used 1), and
 * the page's metadata where the feed had none.  Returns 0, or -1 when out
 * of memory (s is then unchanged where it matters: still deliverable).
 */
int	 story_add_page(struct story *s, const struct extract *,
	    const struct story_hints *, int *used);

/* Mark s as a duplicate of orig (an id), for the reason why (static). */
int	 story_mark_duplicate(struct story *s, const char *orig,
	    const char *why);
/* Not a duplicate after all (an attempt to deliver it failed). */
void	 story_unmark(struct story *);
/*
 * s is the fuller text of brief (an id, delivered from another item): s
 * supersedes it, for the reason why (static).  story_unsupersede() undoes
 * that (an attempt to deliver it failed).
 */
int	 story_supersede(struct story *s, const char *brief, const char *why);
void	 story_unsupersede(struct story *);

/*
 * One more watch s matched (copies of name and terms); 0, or -1 out of
 * memory (s unchanged).  story_clear_watch() forgets them all.
 */
int	 story_add_watch(struct story *s, const char *name,
	    const char *const *terms, size_t nterms, unsigned where);
void	 story_clear_watch(struct story *);

/* The story file: a malloc'd JSON text and its length, or NULL. */
char	*story_dump(const struct story *, size_t *lenp);

/*
 * A story file read back (a pending story after a restart): the story, or
 * NULL when json is not one of ours or out of memory.
 */
struct story *story_load(const char *json);

void	 story_free(struct story *);

/* A hash of the item's title and text as the feed gives them (never 0). */
uint64_t story_content_hash(const struct feed_item *);

#endif
