/*
 * feed: parse one RSS/Atom/RDF document into plain C structs.
 *
 * Callers never see libxml2: they get a struct feed_doc whose strings are
 * UTF-8, owned by the document, NULL when absent.  Titles are plain text;
 * summaries and contents keep their (X)HTML.  Links are absolute where a base
 * could be found.  Dates are seconds since the epoch, UTC, or FEED_NODATE.
 * A *_type is the media type the feed gave the field (text/plain, text/html,
 * application/xhtml+xml), NULL when the field is absent; a title is plain
 * text whatever its title_type.
 */
#ifndef FEEDSPOOL_FEED_H
#define FEEDSPOOL_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FEED_NODATE	INT64_MIN
/* How much of a dropped entity's name struct feed_doc keeps. */
#define FEED_ENTITY_NAME_MAX	64

struct feed_person {
	char	*name;
	char	*email;
	char	*uri;
};

struct feed_link {
	char	*href;
	char	*rel;
	char	*type;
	char	*title;
};

struct feed_category {
	char	*term;
	char	*scheme;
	char	*label;
};

struct feed_enclosure {
	char	*url;
	char	*type;
	char	*length;
};

struct feed_image {
	char	*url;
	char	*title;
	char	*link;
};

struct feed_item {
	char			*title;
	const char		*title_type;	/* static */
	char			*link;
	char			*id;		/* guid / atom:id, never invented */
	int64_t			 published;
	int64_t			 updated;
	struct feed_person	*authors;
	size_t			 nauthors;
	/* atom:contributor, dc:contributor */
	struct feed_person	*contributors;
	size_t			 ncontributors;
	char			*summary;
	const char		*summary_type;	/* static */
	char			*content;
	/*
	 * The type of content, or when there is none, of the content out
	 * of line at content_src (Atom <content src="..." type="...">):
	 * any media type.
	 */
	char			*content_type;
	char			*content_src;
	/*
	 * The item had no summary (no content) of its own: the field is the
	 * other one's copy, as readers show it (README, Conventions).
	 */
	bool			 summary_copied;
	bool			 content_copied;
	struct feed_enclosure	*enclosures;
	size_t			 nenclosures;
	struct feed_category	*categories;
	size_t			 ncategories;
	struct feed_link	*links;
	size_t			 nlinks;
	char			*comments;
	int64_t			 ncomments;	/* slash:comments, -1 when absent */
	char			*language;	/* xml:lang / dc:language */
	char			*rights;	/* atom:rights / dc:rights */
};

/* sy:updatePeriod, in seconds. */
enum feed_period {
	FEED_PERIOD_NONE = 0,
	FEED_PERIOD_HOURLY = 3600,
	FEED_PERIOD_DAILY = 86400,
	FEED_PERIOD_WEEKLY = 7 * 86400,
	FEED_PERIOD_MONTHLY = 30 * 86400,
	FEED_PERIOD_YEARLY = 365 * 86400
};

/*
 * How often the publisher says the feed changes, for polling it politely:
 * RSS 2.0 <ttl>, <skipHours> and <skipDays>, and the syndication module
 * (sy:updatePeriod, sy:updateFrequency, sy:updateBase).
 */
struct feed_schedule {
	int64_t			 ttl;		/* minutes, -1 when absent */
	enum feed_period	 period;
	int64_t			 frequency;	/* updates per period, >= 1 */
	int64_t			 base;		/* FEED_NODATE when absent */
	uint32_t		 skip_hours;	/* bit h: skip hour h, UTC */
	uint8_t			 skip_days;	/* bit d: skip day d, 0 = Sunday */
};

struct feed_doc {
	const char		*version;	/* "rss20", "atom10", "rss10", ... */
	bool			 recovered;
	/*
	 * Entity references left out of the text (README.md, "Caps"): how
	 * many, the first one's name (at most FEED_ENTITY_NAME_MAX bytes)
	 * and why, a static string ("refers to another entity" ...).
	 */
	size_t			 entities_dropped;
	char			*entity;
	const char		*entity_why;
	/* Attributes over the caps, left out before parsing (recovered). */
	size_t			 attrs_dropped;
	char			*title;
	const char		*title_type;	/* static */
	char			*link;
	char			*id;
	int64_t			 updated;
	int64_t			 published;
	struct feed_person	*author;	/* NULL when none */
	/* every Atom author of the feed; author is the first */
	struct feed_person	*authors;
	size_t			 nauthors;
	struct feed_person	*contributors;
	size_t			 ncontributors;
	char			*summary;
	const char		*summary_type;	/* static */
	char			*language;
	char			*rights;
	char			*generator;
	struct feed_schedule	 schedule;
	struct feed_image	*image;		/* NULL when none */
	char			*icon;		/* atom:icon */
	char			*logo;		/* atom:logo */
	struct feed_link	*links;
	size_t			 nlinks;
	struct feed_category	*categories;
	size_t			 ncategories;
	struct feed_item	*items;
	size_t			 nitems;
};

/*
 * Parse len bytes of a feed document.  base is the document's URL (may be
 * NULL), charset the HTTP Content-Type charset (may be NULL).  On success
 * returns 0 and sets *out; on failure returns -1 and writes a one-line
 * reason into err.
 */
int	 feed_parse(const char *data, size_t len, const char *base,
	    const char *charset, struct feed_doc **out, char *err, size_t errlen);
void	 feed_free(struct feed_doc *);

/*
 * The shortest time in seconds between two polls that the publisher asks
 * for through <ttl> or sy:updatePeriod/updateFrequency (the longer of the
 * two), or 0 when the feed says nothing.
 */
int64_t	 feed_min_interval(const struct feed_schedule *);

/*
 * Whether the publisher asks not to be polled at time t (seconds since the
 * epoch, UTC) through <skipHours> or <skipDays>.
 */
bool	 feed_skip_at(const struct feed_schedule *, int64_t t);

/* "hourly" ... for a period, "Sunday" ... for day 0 to 6; else NULL. */
const char *feed_period_name(enum feed_period);
const char *feed_day_name(int day);

/* A schedule that says nothing; an item without comment count. */
void	 feed_schedule_clear(struct feed_schedule *);
void	 feed_item_clear(struct feed_item *);

/*
 * The JSON that `feedspool parse` prints (see ../shared/conformance/README.md),
 * as a malloc'd NUL-terminated string, or NULL when out of memory.
 */
char	*feed_to_json(const struct feed_doc *);

#endif
