/*
 * The parts feedcmd.c (remove, import-opml, export-opml, the files) and
 * feedadd.c (add: fetch and discovery) share.
 */
#ifndef FEEDSPOOL_FEEDCMD_INT_H
#define FEEDSPOOL_FEEDCMD_INT_H

#include <stdio.h>

struct config;

/* Feed names: as config.c accepts them. */
#define FEEDCMD_NAME_MAX	64

/* Where new feed files go: DIR/NAME SUFFIX, from include = DIR "*SUFFIX". */
struct feedcmd_dir {
	char	*dir;		/* as a path from the current directory */
	char	*suffix;	/* ".conf" */
	char	*pattern;	/* as written, for messages */
};

/*
 * The include directory of the main file path: 1 and *d set, 0 when the
 * file has no usable include (why, in why), -1 on errors (printed).
 */
int	 feedcmd_dir_find(const char *path, struct feedcmd_dir *d,
	    char *why, size_t whylen);
void	 feedcmd_dir_free(struct feedcmd_dir *);

int	 feedcmd_name_ok(const char *);
/* A feed name from a title, else the URL's host: malloc'd, or NULL. */
char	*feedcmd_name_from(const char *title, const char *url);

/* The INI section of one feed. */
void	 feedcmd_section(FILE *, const char *name, const char *url,
	    const char *category);

/*
 * Write the file of one feed: 0 and *path (malloc'd) set, 1 when the file
 * exists, -1 on errors (printed).
 */
int	 feedcmd_write(const struct feedcmd_dir *, const char *name,
	    const char *url, const char *category, const char *origin,
	    char **path);

/*
 * A value as the configuration accepts it on one line (control bytes
 * blanked, ';' and '#' made ','): 0 and *out malloc'd (NULL for NULL),
 * -1 when too long or out of memory.
 */
int	 feedcmd_clean_value(const char *key, const char *v, char **out);
/* An http(s) URL that fits a `url = ` line. */
int	 feedcmd_url_usable(const char *url);
/* The name of the feed configured with url, or NULL. */
const char *feedcmd_url_configured(const struct config *, const char *url);

/* Whether the configuration still loads (else its errors are printed). */
int	 feedcmd_check(const char *config);

/*
 * Tell a running daemon of config to reload, or say how to; deflt is the
 * configuration `feedspool run` reads without -c.
 */
void	 feedcmd_tell_daemon(const char *config, const char *deflt);

/*
 * The -c option of a sub-command, and its arguments: 0 and *config set
 * (optind at the first argument), -1 after printing usage.  extra, when
 * not NULL, takes --category VALUE.
 */
int	 feedcmd_options(int argc, char **argv, const char *usage,
	    const char **config, const char **category, int min, int max);

#endif
