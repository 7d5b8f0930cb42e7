/*
 * config: read feedspool.conf (INI, through inih).
 *
 * [feedspool] holds the global settings; [watch NAME] sections are watch
 * terms (daemon/watch.h); every other section is one feed, named by the
 * section, with a required url and optional overrides.  A feed's name has
 * no blanks, so "watch NAME" is never one (a feed may be named "watch").
 * `include = PATTERN` (in [feedspool]) reads more files, a glob relative to
 * the including file's directory.  Unknown keys, bad values, duplicate feeds
 * are errors naming file and line; all errors of a file are collected.
 */
#ifndef FEEDSPOOL_CONFIG_H
#define FEEDSPOOL_CONFIG_H

#include <stddef.h>

struct watch;
/*
 * How a feed is asked for ([feedspool]'s settings are the default of every
 * feed).  These hold secrets: header values and the password are never
 * logged or shown.
 */
#define CONFIG_HEADERS_MAX	32
struct config_request {
	char		**headers;	/* "Name: value" lines, nheaders */
	size_t		  nheaders;
	char		 *username;	/* NULL: no login */
	char		 *password;	/* with username, maybe "" */
	char		 *proxy;	/* a proxy URL, "" for none, NULL: as
					   the environment says */
	unsigned	  set;		/* CONFIG_RQ_* given in the section */
};
#define CONFIG_RQ_HEADERS	0x01
#define CONFIG_RQ_USERNAME	0x02
#define CONFIG_RQ_PASSWORD	0x04	/* password or password_file */
#define CONFIG_RQ_PROXY		0x08
#define CONFIG_RQ_USER_AGENT	0x10	/* a feed's own user_agent */
#define CONFIG_RQ_URL_LOGIN	0x20	/* the url had userinfo */

struct config_feed {
	char		*name;
	char		*url;
	unsigned	 interval;	/* seconds between polls */
	unsigned	 timeout;	/* seconds for a whole transfer */
	size_t		 max_body;	/* bytes */
	int		 fetch_articles; /* fetch the page behind each item */
	int		 dup_mark;	/* duplicates = mark (else drop) */
	int		 updates_emit;	/* updates = emit (else ignore) */
	int		 follow_schedule; /* the feed's ttl, sy:, skipHours */
	unsigned	 max_interval;	/* seconds: the longest wait */
	int		 adaptive;	/* learn the feed's cadence */
	char		*category;	/* "a/b": a label, from OPML outlines;
					   NULL when none */
	char		**exec;		/* the hook's argv (daemon/cmdline.h),
					   NULL: none; the global one unless
					   exec_own */
	int		 exec_own;	/* set in the section (maybe none) */
	int		 keep_watch;	/* keep = watch: only stories that
					   match a watch are spooled */
	size_t		*drop;		/* drop = W,...: stories matching
					   these watches (indices) are not */
	size_t		 ndrop;
	char		*drop_names;	/* as given */
	unsigned	 drop_line;
	struct config_request req;
	char		*user_agent;	/* its own contact, or NULL */
	char		*user_agent_header; /* always set: its own or the
					       global one */
	char		*file;		/* where the section starts */
	unsigned	 line;
};

/* A [watch NAME] section; its terms are in config.watch. */
struct config_watch {
	char		*name;
	char		*file;
	unsigned	 line;
	int		 where_set;
};

struct config {
	char		*path;		/* the main file */
	char		*spool;		/* directory */
	char		*state;		/* SQLite file */
	unsigned	 interval;	/* default poll interval, seconds */
	unsigned	 max_transfers;	/* concurrent transfers in all */
	unsigned	 per_host;	/* concurrent transfers to one host */
	unsigned	 host_gap;	/* seconds between two starts to one
					   host or address, 0: none */
	unsigned	 timeout;	/* seconds for a whole transfer */
	unsigned	 connect_timeout; /* seconds to connect */
	unsigned	 max_redirects;
	size_t		 max_body;	/* bytes */
	unsigned	 max_pending;	/* stories waiting for a failing spool
					   before pages are no longer fetched */
	unsigned	 max_page_queue; /* stories waiting for their page
					   before feed polls wait */
	char		*user_agent;	/* contact URL for the User-Agent */
	char		*user_agent_header; /* "feedspool/VERSION (+CONTACT)" */
	struct config_request req;	/* the feeds' default */
	int		 fetch_articles; /* default for the feeds */
	unsigned	 workers;	/* threads for CPU work, or CONFIG_AUTO */
	int		 detect_language; /* guess a story's language when
					    it declares none */
	int		 allow_private_articles; /* article links may reach
					    loopback/private addresses */
	int		 dup_mark;	/* default duplicates = mark */
	int		 updates_emit;	/* default updates = emit */
	int		 follow_schedule; /* default follow_feed_schedule */
	unsigned	 max_interval;	/* default max_interval, seconds */
	int		 adaptive;	/* default adaptive */
	unsigned	 moved_after;	/* polls that end in the same permanent
					   redirect before it is followed */
	unsigned	 dup_window;	/* seconds stories stay comparable */
	unsigned	 dup_distance;	/* SimHash bits (store/dedup.h) */
	double		 dup_similarity; /* MinHash Jaccard estimate */
	double		 dup_far_similarity;
	double		 dup_containment; /* brief in its full story */
	int		 log_level;	/* err|warning|notice|info|debug as 0-4:
					   CONFIG_LOG_LEVEL() is log.h's */
	char		*metrics_listen; /* "[HOST:]PORT", or NULL: off */
	char		*metrics_file;	/* textfile to rewrite, or NULL */
	char		**exec;		/* hook for each story spooled: argv,
					   NULL: none (daemon/hook.h) */
	unsigned	 exec_max;	/* hooks running at once */
	unsigned	 exec_timeout;	/* seconds before a hook is killed */
	unsigned	 exec_tries;	/* runs of a failing hook in all */
	int		 keep_watch;	/* default keep = watch */
	char		*drop_names;	/* default drop, as given */
	size_t		*drop;		/* and as watch indices */
	size_t		 ndrop;
	struct config_feed *feeds;
	size_t		 nfeeds;
	/*
	 * The feeds by name (config_feed_find, once a story; and a section
	 * defined twice): open addressing, a feed's index + 1 in a cell, 0
	 * for none, at most half full.  namecap 0 (a config built by hand)
	 * is searched feed by feed.
	 */
	size_t		*names;
	size_t		 namecap;	/* a power of two, or 0 */
	struct config_watch *watches;
	size_t		 nwatches;
	struct watch	*watch;		/* compiled, or NULL: no watches */
};

/* Defaults, also documented in etc/feedspool.conf and the README. */
/* A count left to the daemon (workers = auto). */
#define CONFIG_AUTO			0xffffffffu
#define CONFIG_DEFAULT_SPOOL		"/var/spool/feedspool"
#define CONFIG_DEFAULT_STATE		"/var/lib/feedspool/feedspool.db"
#define CONFIG_DEFAULT_INTERVAL		(30 * 60)
#define CONFIG_DEFAULT_MAX_TRANSFERS	8
#define CONFIG_DEFAULT_PER_HOST		1
#define CONFIG_DEFAULT_HOST_GAP		1
#define CONFIG_DEFAULT_TIMEOUT		60
#define CONFIG_DEFAULT_CONNECT_TIMEOUT	15
#define CONFIG_DEFAULT_MAX_REDIRECTS	5
#define CONFIG_DEFAULT_MAX_BODY		(8 * 1024 * 1024)
#define CONFIG_DEFAULT_MAX_PENDING	10000
#define CONFIG_DEFAULT_MAX_PAGE_QUEUE	1000
#define CONFIG_DEFAULT_MAX_INTERVAL	86400
#define CONFIG_DEFAULT_MOVED_AFTER	1
#define CONFIG_DEFAULT_DUP_WINDOW	(7 * 86400)
#define CONFIG_DEFAULT_EXEC_MAX		4
#define CONFIG_DEFAULT_EXEC_TIMEOUT	60
#define CONFIG_DEFAULT_EXEC_TRIES	4
#define CONFIG_LOG_INFO			3
/* The syslog level of log_level (err is 3). */
#define CONFIG_LOG_LEVEL(cfg)		((cfg)->log_level + 3)
/* A placeholder: every installation should name its own contact. */
#define CONFIG_DEFAULT_USER_AGENT	"https://github.com/feedspool/feedspool"

/*
 * Load path.  On success returns 0 and sets *out.  On failure returns -1,
 * *out is NULL and *errors (when errors is not NULL) is a malloc'd text of
 * one "FILE:LINE: message" line per error.
 */
int	 config_load(const char *path, struct config **out, char **errors);
void	 config_free(struct config *);
const struct config_feed *config_feed_find(const struct config *,
	    const char *name);

/* Parse "90", "30s", "15m", "2h" into seconds; "512k", "8M" into bytes. */
int	 config_parse_duration(const char *, unsigned *);
int	 config_parse_size(const char *, size_t *);

/*
 * "PORT", "ADDR:PORT" or "[ADDR6]:PORT", an address literal (or
 * localhost): host (CONFIG_LISTEN_HOST_MAX bytes) is 127.0.0.1 when only
 * the port is given; port 0 means any free one.  Returns 0 or -1.
 */
#define CONFIG_LISTEN_HOST_MAX	64
int	 config_parse_listen(const char *, char *host, size_t hostlen,
	    unsigned *port);

/*
 * The user name and password of a URL's userinfo, percent-decoded, and
 * the URL without it; each malloc'd (*pass NULL when there is no ':').
 * Returns 1 when there was userinfo, 0 when none (nothing set), -1 when
 * out of memory or the userinfo decodes to a control character.
 */
int	 config_url_login(const char *url, char **clean, char **user,
	    char **pass);

#endif
