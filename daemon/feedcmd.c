/*
 * feedcmd: the files of feeds added from the command line (one per feed
 * in the include directory), and remove, import-opml, export-opml.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/feedcmd.h"
#include "daemon/feedcmd_int.h"
#include "daemon/opml.h"
#include "parsers/buf.h"

/* The longest line config.c reads. */
#define CONF_LINE_MAX	199

const char feedcmd_usage_remove[] =
"usage: feedspool remove [-c FILE] NAME\n"
"\n"
"Remove feed NAME: delete the file `feedspool add` or `import-opml` wrote\n"
"for it in the include directory.  A feed defined in any other file is\n"
"not edited: the command says where it is.  Exits 1 when it removes\n"
"nothing.\n";

const char feedcmd_usage_import[] =
"usage: feedspool import-opml [-c FILE] OPML-FILE|-\n"
"\n"
"Add every feed of an OPML file, one file each in the include directory;\n"
"the outlines around a feed become its category key (\"News/Europe\").\n"
"Feeds whose url is configured already are skipped; a name in use gets a\n"
"number (name-2).  Exits 1 on errors.\n";

const char feedcmd_usage_export[] =
"usage: feedspool export-opml [-c FILE]\n"
"\n"
"Print the configured feeds as OPML 2.0, nested by category.\n";

/* ---- the include directory ---- */

void
feedcmd_dir_free(struct feedcmd_dir *d)
{
	free(d->dir);
	free(d->suffix);
	free(d->pattern);
	memset(d, 0, sizeof(*d));
}

/* The value of `include` in a [feedspool] line, or NULL. */
static char *
include_value(char *line)
{
	char	*s = line + strspn(line, " \t"), *v, *e;

	if (strncmp(s, "include", 7) != 0)
		return NULL;
	s += 7;
	s += strspn(s, " \t");
	if (*s != '=' && *s != ':')
		return NULL;
	v = s + 1 + strspn(s + 1, " \t");
	/* A ';' or '#' after a blank starts a comment, as inih reads it. */
	for (e = v; *e != '\0'; e++)
		if ((*e == ';' || *e == '#') && e > v &&
		    (e[-1] == ' ' || e[-1] == '\t'))
			break;
	while (e > v && strchr(" \t\r\n", e[-1]) != NULL)
		e--;
	*e = '\0';
	return v;
}

/* The first `include` of [feedspool] in path, malloc'd; NULL: none. */
static int
include_pattern(const char *path, char **out)
{
	FILE	*fp;
	char	 line[1024], *s, *v;
	int	 global = 0;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "feedspool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (*out == NULL && fgets(line, sizeof(line), fp) != NULL) {
		s = line + strspn(line, " \t");
		if (*s == '[') {
			global = strncmp(s, "[feedspool]", 11) == 0;
			continue;
		}
		if (global && (v = include_value(line)) != NULL && *v != '\0' &&
		    (*out = strdup(v)) == NULL) {
			fclose(fp);
			fprintf(stderr, "feedspool: out of memory\n");
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* pattern's directory, relative to the main file's unless absolute. */
static int
dir_join(const char *path, const char *pattern, size_t dlen, char **out)
{
	const char	*slash = strrchr(path, '/');
	int		 n;

	if (pattern[0] == '/' || slash == NULL)
		n = asprintf(out, "%.*s", (int)dlen, pattern);
	else
		n = asprintf(out, "%.*s/%.*s", (int)(slash - path), path,
		    (int)dlen, pattern);
	if (n < 0) {
		*out = NULL;
		return -1;
	}
	return 0;
}

int
feedcmd_dir_find(const char *path, struct feedcmd_dir *d, char *why,
    size_t whylen)
{
	char		*pattern, *slash;
	const char	*base;
	size_t		 dlen;

	memset(d, 0, sizeof(*d));
	if (include_pattern(path, &pattern) == -1)
		return -1;
	if (pattern == NULL) {
		snprintf(why, whylen, "%s has no include in [feedspool]", path);
		return 0;
	}
	slash = strrchr(pattern, '/');
	base = slash != NULL ? slash + 1 : pattern;
	dlen = slash != NULL ? (size_t)(slash - pattern) : 0;
	/* Only a DIR and "*SUFFIX" name one file per feed we can write. */
	if (base[0] != '*' || strpbrk(base + 1, "*?[]\\") != NULL ||
	    strcspn(pattern, "*?[]\\") < dlen || dlen == 0 ||
	    (slash != NULL && slash == pattern)) {
		snprintf(why, whylen, "%s: include = %s is not of the form "
		    "DIR/*SUFFIX (e.g. feeds.d/*.conf)", path, pattern);
		free(pattern);
		return 0;
	}
	d->pattern = pattern;
	if ((d->suffix = strdup(base + 1)) == NULL ||
	    dir_join(path, pattern, dlen, &d->dir) == -1) {
		feedcmd_dir_free(d);
		fprintf(stderr, "feedspool: out of memory\n");
		return -1;
	}
	return 1;
}

/* ---- names ---- */

int
feedcmd_name_ok(const char *s)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > FEEDCMD_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

/* Lower-case letters and digits of s, other runs as one '-'. */
static void
name_fold(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	 o = 0, i;
	int	 dash = 0;

	for (i = 0; i < len && o + 1 < outlen; i++) {
		if (isalnum((unsigned char)s[i]) && (unsigned char)s[i] < 0x80) {
			if (dash && o > 0 && o + 2 < outlen)
				out[o++] = '-';
			out[o++] = (char)tolower((unsigned char)s[i]);
			dash = 0;
		} else
			dash = 1;
	}
	out[o] = '\0';
}

char *
feedcmd_name_from(const char *title, const char *url)
{
	char		 name[FEEDCMD_NAME_MAX / 2 + 1];
	const char	*host;
	size_t		 len;

	name[0] = '\0';
	if (title != NULL)
		name_fold(title, strlen(title), name, sizeof(name));
	if (name[0] == '\0' && (host = strstr(url, "://")) != NULL) {
		host += 3;
		len = strcspn(host, ":/?#");
		if (len > 4 && strncasecmp(host, "www.", 4) == 0) {
			host += 4;
			len -= 4;
		}
		name_fold(host, len, name, sizeof(name));
	}
	return strdup(name[0] != '\0' ? name : "feed");
}

/* ---- feed files ---- */

void
feedcmd_section(FILE *fp, const char *name, const char *url,
    const char *category)
{
	fprintf(fp, "[%s]\nurl = %s\n", name, url);
	if (category != NULL)
		fprintf(fp, "category = %s\n", category);
}

static int
write_all(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
file_text(struct buf *b, const char *name, const char *url,
    const char *category, const char *origin)
{
	if (buf_printf(b, "# %.*s\n[%s]\nurl = %s\n", CONF_LINE_MAX - 3,
	    origin, name, url) != BUF_OK)
		return -1;
	if (category != NULL &&
	    buf_printf(b, "category = %s\n", category) != BUF_OK)
		return -1;
	return 0;
}

/*
 * Written as tmp/ then new/ is in the spool: a dot file (which the glob
 * does not match) synced, then linked to its name, which fails rather
 * than replace a file of that name; a reader sees all of it or nothing.
 */
int
feedcmd_write(const struct feedcmd_dir *d, const char *name, const char *url,
    const char *category, const char *origin, char **path)
{
	struct buf	 b;
	char		*tmp = NULL;
	int		 fd = -1, rc = -1;

	*path = NULL;
	buf_init(&b, 4096);
	if (mkdir(d->dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "feedspool: mkdir %s: %s\n", d->dir,
		    strerror(errno));
		goto out;
	}
	if (file_text(&b, name, url, category, origin) == -1 ||
	    asprintf(path, "%s/%s%s", d->dir, name, d->suffix) < 0 ||
	    asprintf(&tmp, "%s/.%s%s.tmp", d->dir, name, d->suffix) < 0) {
		fprintf(stderr, "feedspool: out of memory\n");
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, b.data, b.len) == -1 || fsync(fd) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(fd) == -1) {
		fd = -1;
		fprintf(stderr, "feedspool: %s: %s\n", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (link(tmp, *path) == -1) {
		if (errno == EEXIST)
			rc = 1;
		else
			fprintf(stderr, "feedspool: %s: %s\n", *path,
			    strerror(errno));
		goto out_unlink;
	}
	rc = 0;
 out_unlink:
	unlink(tmp);
 out:
	if (fd != -1)
		close(fd);
	if (rc != 0) {
		free(*path);
		*path = NULL;
	}
	free(tmp);
	buf_free(&b);
	return rc;
}

int
feedcmd_check(const char *config)
{
	struct config	*cfg;
	char		*errors = NULL;

	if (config_load(config, &cfg, &errors) == 0) {
		config_free(cfg);
		return 0;
	}
	fputs(errors != NULL ? errors : "out of memory\n", stderr);
	free(errors);
	return -1;
}

/* ---- a running daemon ---- */

/*
 * Whether the argument vector args[0..len) (NUL-separated, as in
 * /proc/PID/cmdline) is `feedspool run` with the configuration conf (a
 * real path), cwd being the process's directory.
 */
static int
is_our_daemon(const char *args, size_t len, const char *cwd,
    const char *conf, const char *deflt)
{
	const char	*a[64], *p, *c = deflt, *base;
	char		 full[PATH_MAX], real[PATH_MAX];
	size_t		 n = 0, i;
	int		 k;

	for (p = args; p < args + len && n < 64; p += strlen(p) + 1)
		a[n++] = p;
	if (n < 2 || strcmp(a[1], "run") != 0)
		return 0;
	base = strrchr(a[0], '/') != NULL ? strrchr(a[0], '/') + 1 : a[0];
	if (strcmp(base, "feedspool") != 0)
		return 0;
	for (i = 2; i < n; i++) {
		if ((strcmp(a[i], "-c") == 0 || strcmp(a[i], "--config") == 0) &&
		    i + 1 < n)
			c = a[++i];
		else if (strncmp(a[i], "--config=", 9) == 0)
			c = a[i] + 9;
		else if (strncmp(a[i], "-c", 2) == 0 && a[i][2] != '\0')
			c = a[i] + 2;
	}
	k = c[0] == '/' ? snprintf(full, sizeof(full), "%s", c) :
	    snprintf(full, sizeof(full), "%s/%s", cwd, c);
	if (k < 0 || (size_t)k >= sizeof(full) || realpath(full, real) == NULL)
		return 0;
	return strcmp(real, conf) == 0;
}

/* One process's cmdline and cwd, checked; 1 for a daemon of conf. */
static int
check_pid(const char *pid, const char *conf, const char *deflt)
{
	char	 path[64], cwd[PATH_MAX], args[4096];
	ssize_t	 nargs, ncwd;
	int	 fd;

	if (snprintf(path, sizeof(path), "/proc/%s/cmdline", pid) >=
	    (int)sizeof(path) || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	nargs = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (nargs <= 0)
		return 0;
	args[nargs] = '\0';
	if (snprintf(path, sizeof(path), "/proc/%s/cwd", pid) >=
	    (int)sizeof(path) ||
	    (ncwd = readlink(path, cwd, sizeof(cwd) - 1)) < 0)
		ncwd = 0;
	cwd[ncwd] = '\0';
	return is_our_daemon(args, (size_t)nargs, cwd, conf, deflt);
}

/*
 * The pid of `feedspool run` on this configuration, found in /proc (the
 * daemon writes no pid file): 0 when none is, -1 when more than one.
 */
static pid_t
find_daemon(const char *config, const char *deflt)
{
	DIR		*d;
	struct dirent	*e;
	char		 real[PATH_MAX];
	pid_t		 found = 0;
	long		 pid;
	char		*end;

	if (realpath(config, real) == NULL || (d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		errno = 0;
		pid = strtol(e->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 ||
		    pid == (long)getpid() || pid > INT_MAX)
			continue;
		if (check_pid(e->d_name, real, deflt)) {
			if (found != 0) {
				found = -1;
				break;
			}
			found = (pid_t)pid;
		}
	}
	closedir(d);
	return found;
}

void
feedcmd_tell_daemon(const char *config, const char *deflt)
{
	pid_t	 pid;

	pid = find_daemon(config, deflt);
	if (pid > 0 && kill(pid, SIGHUP) == 0) {
		printf("told the daemon (pid %ld) to reload its configuration "
		    "(SIGHUP)\n", (long)pid);
		return;
	}
	if (pid > 0)
		printf("the daemon (pid %ld) must reload its configuration: "
		    "kill -HUP %ld failed: %s; systemctl reload feedspool\n",
		    (long)pid, (long)pid, strerror(errno));
	else
		printf("a running daemon must reload its configuration: "
		    "systemctl reload feedspool (or kill -HUP PID)%s\n",
		    pid == -1 ? "; more than one runs with it" : "");
}

/* ---- the commands ---- */

int
feedcmd_options(int argc, char **argv, const char *usage,
    const char **config, const char **category, int min, int max)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "category",	required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch == 'c')
			*config = optarg;
		else if (ch == 'C' && category != NULL)
			*category = optarg;
		else {
			fputs(usage, stderr);
			return -1;
		}
	}
	if (argc - optind < min || argc - optind > max) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

/* Whether file is one of dir's, as config.c names it ("DIR/NAME"). */
static int
in_dir(const char *file, const char *dir, const char *suffix)
{
	size_t	 dlen = strlen(dir), slen = strlen(suffix), flen;

	if (strncmp(file, dir, dlen) != 0 || file[dlen] != '/' ||
	    strchr(file + dlen + 1, '/') != NULL)
		return 0;
	flen = strlen(file);
	return flen >= slen && strcmp(file + flen - slen, suffix) == 0;
}

/* Other feeds in the same file as f. */
static size_t
file_neighbours(const struct config *cfg, const struct config_feed *f)
{
	size_t	 i, n = 0;

	for (i = 0; i < cfg->nfeeds; i++)
		if (&cfg->feeds[i] != f &&
		    strcmp(cfg->feeds[i].file, f->file) == 0)
			n++;
	return n;
}

static int
remove_feed(const struct config *cfg, const struct config_feed *f,
    const struct feedcmd_dir *d, int found)
{
	if (strcmp(f->file, cfg->path) == 0 || !found ||
	    !in_dir(f->file, d->dir, d->suffix)) {
		fprintf(stderr, "feedspool: feed [%s] is defined in %s:%u, "
		    "not in a file of the include directory%s%s: edit that "
		    "file (not changed)\n", f->name, f->file, f->line,
		    found ? " " : "", found ? d->dir : "");
		return 1;
	}
	if (file_neighbours(cfg, f) > 0) {
		fprintf(stderr, "feedspool: %s holds other feeds than [%s]: "
		    "edit it (not changed)\n", f->file, f->name);
		return 1;
	}
	if (unlink(f->file) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", f->file,
		    strerror(errno));
		return 1;
	}
	printf("removed feed [%s]: deleted %s\n", f->name, f->file);
	return 0;
}

int
feedcmd_remove(int argc, char **argv, const char *config)
{
	struct config			*cfg;
	const struct config_feed	*f;
	struct feedcmd_dir		 d;
	const char			*deflt = config;
	char				*errors = NULL, why[512];
	int				 found, rc = 1;

	if (feedcmd_options(argc, argv, feedcmd_usage_remove, &config, NULL,
	    1, 1) == -1)
		return 1;
	if (config_load(config, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if ((f = config_feed_find(cfg, argv[optind])) == NULL) {
		fprintf(stderr, "feedspool: %s: no feed [%s]\n", config,
		    argv[optind]);
		goto out;
	}
	if ((found = feedcmd_dir_find(config, &d, why, sizeof(why))) == -1)
		goto out;
	rc = remove_feed(cfg, f, &d, found);
	feedcmd_dir_free(&d);
	if (rc == 0)
		feedcmd_tell_daemon(config, deflt);
 out:
	config_free(cfg);
	return rc;
}

/* A free name for an imported feed: its own, else with -2, -3 ... */
static char *
import_name(const struct config *cfg, const struct opml_feed *of,
    char **taken, size_t ntaken)
{
	char	*base, *name;
	size_t	 i;
	int	 k, used;

	if (of->title != NULL && feedcmd_name_ok(of->title))
		base = strdup(of->title);
	else
		base = feedcmd_name_from(of->title, of->url);
	if (base == NULL)
		return NULL;
	for (k = 1; k < 1000; k++) {
		if (k == 1)
			name = strdup(base);
		else if (asprintf(&name, "%.*s-%d", FEEDCMD_NAME_MAX - 5, base,
		    k) < 0)
			name = NULL;
		if (name == NULL)
			break;
		used = config_feed_find(cfg, name) != NULL;
		for (i = 0; i < ntaken && !used; i++)
			used = strcmp(taken[i], name) == 0;
		if (!used)
			break;
		free(name);
		name = NULL;
	}
	free(base);
	return name;
}

const char *
feedcmd_url_configured(const struct config *cfg, const char *url)
{
	size_t	 i;

	for (i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].url, url) == 0)
			return cfg->feeds[i].name;
	return NULL;
}

/* The whole of a file, or of stdin for "-", within b's cap. */
int
feedcmd_read_input(const char *path, struct buf *b)
{
	FILE	*fp;
	char	 chunk[65536];
	size_t	 n;
	int	 rc = 0;

	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "feedspool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(b, chunk, n) != BUF_OK) {
			fprintf(stderr, "feedspool: %s: larger than %zu bytes "
			    "or out of memory\n", path, b->cap);
			rc = -1;
		}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, "feedspool: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/*
 * What the configuration accepts as a value: a ';' or '#' after a blank
 * would start a comment, a control character is refused; both become
 * blanks or ','.  Too long for a line: NULL, with no copy made.
 */
int
feedcmd_clean_value(const char *key, const char *v, char **out)
{
	char	*s;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (strlen(v) + strlen(key) + 3 > CONF_LINE_MAX)
		return -1;
	if ((*out = strdup(v)) == NULL)
		return -1;
	for (s = *out; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
		else if (*s == ';' || *s == '#')
			*s = ',';
	return 0;
}

int
feedcmd_url_usable(const char *url)
{
	const char	*s;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return 0;
	if (strlen(url) + strlen("url = ") > CONF_LINE_MAX)
		return 0;
	for (s = url; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

struct import {
	const char		*config;
	const struct config	*cfg;
	const struct feedcmd_dir *dir;
	char			**names;	/* written, for the names */
	char			**paths;	/* written, to undo */
	size_t			  n, skipped;
};

/* One feed of the OPML: 0 written or skipped, -1 on errors. */
static int
import_one(struct import *im, const struct opml_feed *of)
{
	char	*name = NULL, *cat = NULL, *path;
	int	 rc = -1, w;

	if (!feedcmd_url_usable(of->url)) {
		fprintf(stderr, "feedspool: skipped '%s': not a usable "
		    "http(s) URL\n", of->url);
		im->skipped++;
		return 0;
	}
	if (feedcmd_url_configured(im->cfg, of->url) != NULL) {
		printf("skipped %s: configured already\n", of->url);
		im->skipped++;
		return 0;
	}
	if ((name = import_name(im->cfg, of, im->names, im->n)) == NULL ||
	    feedcmd_clean_value("category", of->category, &cat) == -1) {
		fprintf(stderr, "feedspool: %s: no name or category too long "
		    "(or out of memory)\n", of->url);
		goto out;
	}
	w = feedcmd_write(im->dir, name, of->url, cat,
	    "imported by feedspool import-opml", &path);
	if (w == 1)
		fprintf(stderr, "feedspool: %s/%s%s exists: not imported\n",
		    im->dir->dir, name, im->dir->suffix);
	if (w != 0)
		goto out;
	im->names[im->n] = name;
	im->paths[im->n++] = path;
	name = NULL;
	printf("added [%s] %s\n", im->names[im->n - 1], of->url);
	rc = 0;
 out:
	free(cat);
	free(name);
	return rc;
}

static void
import_undo(struct import *im)
{
	size_t	 i;

	for (i = 0; i < im->n; i++)
		unlink(im->paths[i]);
}

static int
import_all(struct import *im, const struct opml_feed *feeds, size_t n)
{
	size_t	 i;
	int	 rc = 0;

	if ((im->names = calloc(n + 1, sizeof(char *))) == NULL ||
	    (im->paths = calloc(n + 1, sizeof(char *))) == NULL) {
		fprintf(stderr, "feedspool: out of memory\n");
		rc = -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = import_one(im, &feeds[i]);
	/* All of them or none: the configuration must load afterwards. */
	if (rc == 0 && im->n > 0 && feedcmd_check(im->config) == -1)
		rc = -1;
	if (rc == -1) {
		import_undo(im);
		if (im->n > 0)
			fprintf(stderr, "feedspool: nothing imported (the %zu "
			    "file%s written are removed)\n", im->n,
			    im->n == 1 ? "" : "s");
	}
	for (i = 0; i < im->n; i++) {
		free(im->names[i]);
		free(im->paths[i]);
	}
	free(im->names);
	free(im->paths);
	return rc;
}

/* Without an include directory: the sections to add by hand. */
static void
import_print(const struct config *cfg, const struct opml_feed *feeds,
    size_t n, const char *why)
{
	size_t	 i;
	char	*name;

	fprintf(stderr, "feedspool: %s: cannot write feed files; add "
	    "`include = feeds.d/*.conf` to [feedspool], or these sections "
	    "(on stdout) to the configuration\n", why);
	for (i = 0; i < n; i++) {
		if (!feedcmd_url_usable(feeds[i].url) ||
		    feedcmd_url_configured(cfg, feeds[i].url) != NULL ||
		    (name = import_name(cfg, &feeds[i], NULL, 0)) == NULL)
			continue;
		printf("\n");
		feedcmd_section(stdout, name, feeds[i].url, feeds[i].category);
		free(name);
	}
}

int
feedcmd_import_opml(int argc, char **argv, const char *config)
{
	struct import		 im;
	struct config		*cfg;
	struct feedcmd_dir	 d;
	struct opml_feed	*feeds = NULL;
	struct buf		 in;
	const char		*deflt = config;
	char			*errors = NULL, err[512];
	size_t			 n = 0;
	int			 found, rc = 1;

	if (feedcmd_options(argc, argv, feedcmd_usage_import, &config, NULL,
	    1, 1) == -1)
		return 1;
	buf_init(&in, OPML_MAX_INPUT);
	if (feedcmd_read_input(argv[optind], &in) == -1)
		goto out_buf;
	if (opml_read(in.data != NULL ? in.data : "", in.len, &feeds, &n,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", argv[optind], err);
		goto out_buf;
	}
	if (config_load(config, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		goto out_feeds;
	}
	if ((found = feedcmd_dir_find(config, &d, err, sizeof(err))) == 0)
		import_print(cfg, feeds, n, err);
	if (found != 1)
		goto out_config;
	memset(&im, 0, sizeof(im));
	im.config = config;
	im.cfg = cfg;
	im.dir = &d;
	if (import_all(&im, feeds, n) == 0) {
		printf("imported %zu feed%s into %s, %zu skipped\n", im.n,
		    im.n == 1 ? "" : "s", d.dir, im.skipped);
		if (im.n > 0)
			feedcmd_tell_daemon(config, deflt);
		rc = 0;
	}
	feedcmd_dir_free(&d);
 out_config:
	config_free(cfg);
 out_feeds:
	opml_feeds_free(feeds, n);
 out_buf:
	buf_free(&in);
	return rc;
}

int
feedcmd_export_opml(int argc, char **argv, const char *config)
{
	struct config	*cfg;
	char		*errors = NULL, *opml;
	int		 rc = 1;

	if (feedcmd_options(argc, argv, feedcmd_usage_export, &config, NULL,
	    0, 0) == -1)
		return 1;
	if (config_load(config, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if ((opml = opml_write(cfg)) == NULL)
		fprintf(stderr, "feedspool: out of memory\n");
	else if (fputs(opml, stdout) == EOF || fflush(stdout) == EOF)
		fprintf(stderr, "feedspool: stdout: %s\n", strerror(errno));
	else
		rc = 0;
	free(opml);
	config_free(cfg);
	return rc;
}
