/*
 * config: read feedspool.conf through inih, collecting every error with
 * its file and line.
 *
 * inih 55 as Debian builds it does not pass the line number to the handler
 * and only returns the first syntax error, so every line goes through our
 * own reader first: it counts lines, strips leading blanks (which turns off
 * inih's multi-line continuations, so an indented key is just a key), sees
 * the section headers (inih does not call the handler for a section without
 * keys, and a feed without keys must still be found) and reports syntax
 * errors itself.  The handler then only deals with keys.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "cmdline.h"
#include "config.h"
#include "daemon/watch.h"
#include "daemon/work.h"
#include "parsers/url.h"
#include "store/dedup.h"

#ifndef FEEDSPOOL_VERSION
#define FEEDSPOOL_VERSION	"0.0.0"
#endif

#define INCLUDE_DEPTH_MAX	8
#define ERRORS_MAX		100
#define FEED_NAME_MAX		64

#define INTERVAL_MIN		1
#define MAX_INTERVAL_MAX	(30 * 86400)
#define INTERVAL_MAX		(7 * 24 * 60 * 60)
#define TIMEOUT_MIN		1
#define TIMEOUT_MAX		3600
#define MAX_BODY_MIN		1024ULL
#define MAX_BODY_MAX		(1024ULL * 1024 * 1024)

enum ktype {
	K_PATH,
	K_CONTACT,
	K_URL,
	K_TEXT,		/* a label: no control characters */
	K_DURATION,
	K_COUNT,
	K_COUNT_AUTO,	/* a count, or "auto": stored as CONFIG_AUTO */
	K_SIZE,
	K_BOOL,
	K_LISTEN,	/* [HOST:]PORT, config_parse_listen(), a string */
	K_CHOICE,	/* one of the words of range, "a|b": stored as its index */
	K_RATIO,	/* a decimal from 0 to 1, stored as a double */
	K_ARGV		/* a command (cmdline.h) or none: a char ** */
};

struct key {
	const char		*name;
	enum ktype		 type;
	size_t			 off;
	unsigned long long	 min, max;
	const char		*range;		/* min and max, for messages */
};

static const struct key global_keys[] = {
	{ "spool", K_PATH, offsetof(struct config, spool), 0, 0, NULL },
	{ "state", K_PATH, offsetof(struct config, state), 0, 0, NULL },
	{ "interval", K_DURATION, offsetof(struct config, interval),
	    INTERVAL_MIN, INTERVAL_MAX, "1s to 7d" },
	{ "max_transfers", K_COUNT, offsetof(struct config, max_transfers),
	    1, 256, "1 to 256" },
	{ "per_host", K_COUNT, offsetof(struct config, per_host),
	    1, 16, "1 to 16" },
	{ "host_gap", K_DURATION, offsetof(struct config, host_gap),
	    0, 3600, "0 to 1h" },
	{ "timeout", K_DURATION, offsetof(struct config, timeout),
	    TIMEOUT_MIN, TIMEOUT_MAX, "1s to 1h" },
	{ "connect_timeout", K_DURATION,
	    offsetof(struct config, connect_timeout), 1, 300, "1s to 5m" },
	{ "max_redirects", K_COUNT, offsetof(struct config, max_redirects),
	    0, 20, "0 to 20" },
	{ "max_body", K_SIZE, offsetof(struct config, max_body),
	    MAX_BODY_MIN, MAX_BODY_MAX, "1k to 1G" },
	{ "max_pending", K_COUNT, offsetof(struct config, max_pending),
	    1, 10000000, "1 to 10000000" },
	{ "max_page_queue", K_COUNT, offsetof(struct config, max_page_queue),
	    1, 10000000, "1 to 10000000" },
	{ "user_agent", K_CONTACT, offsetof(struct config, user_agent),
	    0, 0, NULL },
	{ "fetch_articles", K_BOOL, offsetof(struct config, fetch_articles),
	    0, 1, NULL },
	{ "workers", K_COUNT_AUTO, offsetof(struct config, workers),
	    0, WORK_THREADS_MAX, "auto or 0 to 16" },
	{ "detect_language", K_BOOL,
	    offsetof(struct config, detect_language), 0, 1, NULL },
	{ "allow_private_articles", K_BOOL,
	    offsetof(struct config, allow_private_articles), 0, 1, NULL },
	{ "duplicates", K_CHOICE, offsetof(struct config, dup_mark),
	    0, 1, "drop|mark" },
	{ "updates", K_CHOICE, offsetof(struct config, updates_emit),
	    0, 1, "ignore|emit" },
	{ "follow_feed_schedule", K_BOOL,
	    offsetof(struct config, follow_schedule), 0, 1, NULL },
	{ "duplicate_window", K_DURATION, offsetof(struct config, dup_window),
	    3600, 90 * 86400, "1h to 90d" },
	{ "duplicate_distance", K_COUNT, offsetof(struct config, dup_distance),
	    0, 15, "0 to 15" },
	{ "duplicate_similarity", K_RATIO,
	    offsetof(struct config, dup_similarity), 0, 1, "0 to 1" },
	{ "duplicate_far_similarity", K_RATIO,
	    offsetof(struct config, dup_far_similarity), 0, 1, "0 to 1" },
	{ "duplicate_containment", K_RATIO,
	    offsetof(struct config, dup_containment), 0, 1, "0 to 1" },
	{ "max_interval", K_DURATION, offsetof(struct config, max_interval),
	    INTERVAL_MIN, MAX_INTERVAL_MAX, "1s to 30d" },
	{ "adaptive", K_BOOL, offsetof(struct config, adaptive), 0, 1, NULL },
	{ "moved_after", K_COUNT, offsetof(struct config, moved_after),
	    1, 100, "1 to 100" },
	{ "log_level", K_CHOICE, offsetof(struct config, log_level),
	    0, 4, "err|warning|notice|info|debug" },
	{ "metrics_listen", K_LISTEN, offsetof(struct config, metrics_listen),
	    0, 0, NULL },
	{ "metrics_file", K_PATH, offsetof(struct config, metrics_file),
	    0, 0, NULL },
	{ "exec", K_ARGV, offsetof(struct config, exec), 0, 0, NULL },
	{ "exec_max", K_COUNT, offsetof(struct config, exec_max),
	    1, 64, "1 to 64" },
	{ "exec_timeout", K_DURATION, offsetof(struct config, exec_timeout),
	    1, 3600, "1s to 1h" },
	{ "exec_tries", K_COUNT, offsetof(struct config, exec_tries),
	    1, 20, "1 to 20" },
	{ "keep", K_CHOICE, offsetof(struct config, keep_watch),
	    0, 1, "all|watch" },
	{ "drop", K_TEXT, offsetof(struct config, drop_names), 0, 0, NULL },
};

/* The index in feed_keys is the bit in parse.fset. */
enum {
	FK_URL,
	FK_INTERVAL,
	FK_TIMEOUT,
	FK_MAX_BODY,
	FK_FETCH_ARTICLES,
	FK_DUPLICATES,
	FK_UPDATES,
	FK_FOLLOW_SCHEDULE,
	FK_MAX_INTERVAL,
	FK_ADAPTIVE,
	FK_CATEGORY,
	FK_EXEC,
	FK_KEEP,
	FK_DROP
};

static const struct key feed_keys[] = {
	[FK_URL] = { "url", K_URL, offsetof(struct config_feed, url),
	    0, 0, NULL },
	[FK_INTERVAL] = { "interval", K_DURATION,
	    offsetof(struct config_feed, interval),
	    INTERVAL_MIN, INTERVAL_MAX, "1s to 7d" },
	[FK_TIMEOUT] = { "timeout", K_DURATION,
	    offsetof(struct config_feed, timeout),
	    TIMEOUT_MIN, TIMEOUT_MAX, "1s to 1h" },
	[FK_MAX_BODY] = { "max_body", K_SIZE,
	    offsetof(struct config_feed, max_body),
	    MAX_BODY_MIN, MAX_BODY_MAX, "1k to 1G" },
	[FK_FETCH_ARTICLES] = { "fetch_articles", K_BOOL,
	    offsetof(struct config_feed, fetch_articles), 0, 1, NULL },
	[FK_DUPLICATES] = { "duplicates", K_CHOICE,
	    offsetof(struct config_feed, dup_mark), 0, 1, "drop|mark" },
	[FK_UPDATES] = { "updates", K_CHOICE,
	    offsetof(struct config_feed, updates_emit), 0, 1, "ignore|emit" },
	[FK_FOLLOW_SCHEDULE] = { "follow_feed_schedule", K_BOOL,
	    offsetof(struct config_feed, follow_schedule), 0, 1, NULL },
	[FK_MAX_INTERVAL] = { "max_interval", K_DURATION,
	    offsetof(struct config_feed, max_interval),
	    INTERVAL_MIN, MAX_INTERVAL_MAX, "1s to 30d" },
	[FK_ADAPTIVE] = { "adaptive", K_BOOL,
	    offsetof(struct config_feed, adaptive), 0, 1, NULL },
	[FK_CATEGORY] = { "category", K_TEXT,
	    offsetof(struct config_feed, category), 0, 0, NULL },
	[FK_EXEC] = { "exec", K_ARGV, offsetof(struct config_feed, exec),
	    0, 0, NULL },
	[FK_KEEP] = { "keep", K_CHOICE,
	    offsetof(struct config_feed, keep_watch), 0, 1, "all|watch" },
	[FK_DROP] = { "drop", K_TEXT,
	    offsetof(struct config_feed, drop_names), 0, 0, NULL },
};

#define NGLOBAL_KEYS	(sizeof(global_keys) / sizeof(global_keys[0]))
#define NFEED_KEYS	(sizeof(feed_keys) / sizeof(feed_keys[0]))

/* A file already read, so that reading it twice is caught. */
struct seen {
	dev_t		 dev;
	ino_t		 ino;
	char		*path;
	const char	*from;		/* including file, NULL for the main */
	unsigned	 from_line;
};

/* State of one config_load. */
struct parse {
	struct config	*conf;
	unsigned	*fset;		/* per feed: keys set explicitly */
	size_t		 feedcap;
	const char	*gfile[NGLOBAL_KEYS];	/* where a global was set */
	unsigned	 gline[NGLOBAL_KEYS];
	const char	*gpass_file;	/* where [feedspool]'s password is */
	unsigned	 gpass_line;
	struct seen	*seen;
	size_t		 nseen;
	char		*err;
	size_t		 errlen;
	unsigned	 nerr;
	int		 oom;
};

enum sect {
	SECT_NONE,		/* before the first section */
	SECT_GLOBAL,		/* [feedspool] */
	SECT_FEED,
	SECT_WATCH,		/* [watch NAME] */
	SECT_SKIP		/* a bad section, already reported */
};

/* State of one file being read. */
struct pfile {
	struct parse	*p;
	const char	*path;
	FILE		*fp;
	unsigned	 depth;
	unsigned	 lineno;
	unsigned	 nsyntax;
	enum sect	 sect;
	size_t		 feed;		/* index, when sect is SECT_FEED */
	size_t		 watch;		/* index, when sect is SECT_WATCH */
};

static void	 errf(struct parse *, const char *, unsigned, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	 read_file(struct parse *, const char *, struct pfile *);

/*
 * Append one "FILE:LINE: message" line (or "FILE: message" when there is
 * no line, as for a main file that cannot be opened).  After ERRORS_MAX
 * errors only a note is added: a binary file given as config would
 * otherwise fill memory with complaints.
 */
static void
errf(struct parse *p, const char *file, unsigned line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg = NULL, *text = NULL, *nerr;
	int	 n;
	size_t	 len;

	if (p->nerr > ERRORS_MAX)
		return;
	if (p->nerr++ == ERRORS_MAX) {
		fmt = "too many errors, the rest are not shown";
		n = asprintf(&msg, "%s", fmt);
	} else {
		va_start(ap, fmt);
		n = vasprintf(&msg, fmt, ap);
		va_end(ap);
	}
	if (n < 0) {
		msg = NULL;
		goto oom;
	}
	if (line > 0)
		n = asprintf(&text, "%s:%u: %s\n", file, line, msg);
	else
		n = asprintf(&text, "%s: %s\n", file, msg);
	if (n < 0) {
		text = NULL;
		goto oom;
	}
	len = (size_t)n;
	if (p->errlen > SIZE_MAX - len - 1)
		goto oom;
	if ((nerr = realloc(p->err, p->errlen + len + 1)) == NULL)
		goto oom;
	p->err = nerr;
	memcpy(p->err + p->errlen, text, len + 1);
	p->errlen += len;
	free(msg);
	free(text);
	return;
oom:
	p->oom = 1;
	free(msg);
	free(text);
}

/* An error about the current line of f. */
#define ferr(f, ...)	errf((f)->p, (f)->path, (f)->lineno, __VA_ARGS__)

/* Digits only: no sign, no blanks, no base prefixes. */
static int
parse_digits(const char *s, unsigned long long *out, const char **end)
{
	unsigned long long	 v = 0;
	unsigned		 d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int
config_parse_duration(const char *s, unsigned *out)
{
	unsigned long long	 v, mult = 1;
	const char		*end;

	if (s == NULL || parse_digits(s, &v, &end) == -1)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		mult = 60;
		end++;
		break;
	case 'h':
		mult = 60 * 60;
		end++;
		break;
	case 'd':
		mult = 24 * 60 * 60;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > UINT_MAX / mult)
		return -1;
	*out = (unsigned)(v * mult);
	return 0;
}

int
config_parse_size(const char *s, size_t *out)
{
	unsigned long long	 v, mult = 1;
	const char		*end;

	if (s == NULL || parse_digits(s, &v, &end) == -1)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		end++;
		break;
	case 'M':
		mult = 1024 * 1024;
		end++;
		break;
	case 'G':
		mult = 1024 * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

/*
 * Printable ASCII without blanks: the values go into request lines and
 * headers, where a CR, LF or space would split or forge them.
 */
static int
is_token(const char *s, const char *reject)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
		if (strchr(reject, *s) != NULL)
			return 0;
	}
	return 1;
}

static int
is_http_url(const char *s)
{
	const char	*host;

	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	if (*host == '\0' || strchr("/?#", *host) != NULL)
		return 0;
	return is_token(s, "");
}

static int
check_string(struct pfile *f, const struct key *k, const char *v)
{
	char		 host[CONFIG_LISTEN_HOST_MAX], *shown;
	unsigned	 port;

	switch (k->type) {
	case K_PATH:
		if (*v == '\0' || !is_token(v, "")) {
			ferr(f, "%s: '%s' is not a usable path (empty, "
			    "blanks or control characters)", k->name, v);
			return -1;
		}
		return 0;
	case K_URL:
		if (!is_http_url(v)) {
			/* Without a password it may hold. */
			shown = url_strip_userinfo(v);
			ferr(f, "%s: '%s' is not an http:// or https:// URL",
			    k->name, shown != NULL ? shown : "");
			free(shown);
			return -1;
		}
		return 0;
	case K_LISTEN:
		if (config_parse_listen(v, host, sizeof(host), &port) == -1) {
			ferr(f, "%s: '%s' is not PORT, ADDRESS:PORT or "
			    "[IPV6-ADDRESS]:PORT (an address literal, port 0 "
			    "to 65535)", k->name, v);
			return -1;
		}
		return 0;
	case K_CONTACT:
		/* Parentheses would end the User-Agent comment early. */
		if (!((is_http_url(v) && is_token(v, "()")) ||
		    (strncasecmp(v, "mailto:", 7) == 0 && v[7] != '\0' &&
		    is_token(v, "()")))) {
			ferr(f, "%s: '%s' is not an http(s):// or mailto: "
			    "contact", k->name, v);
			return -1;
		}
		return 0;
	case K_TEXT:
		for (; *v != '\0'; v++)
			if ((unsigned char)*v < 0x20 || *v == 0x7f) {
				ferr(f, "%s: control characters", k->name);
				return -1;
			}
		return 0;
	default:
		return -1;
	}
}

/* yes/no, true/false, on/off, 1/0, in any case. */
static int
parse_bool(const char *v, unsigned long long *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* The index of v among the words of "a|b|c", in any case. */
static int
parse_choice(const char *v, const char *words, unsigned long long *out)
{
	const char	*w, *end;
	size_t		 len = strlen(v);
	unsigned long long i = 0;

	for (w = words; *w != '\0'; w = *end == '|' ? end + 1 : end, i++) {
		end = w + strcspn(w, "|");
		if ((size_t)(end - w) == len && strncasecmp(w, v, len) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* "0.4", "1", ".35": a decimal from 0 to 1, nothing after it. */
static int
parse_ratio(const char *v, double *out)
{
	char	*end;
	double	 d;

	if (*v == '\0' || *v == '-' || *v == '+' || isspace((unsigned char)*v))
		return -1;
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !(d >= 0.0 && d <= 1.0))
		return -1;
	*out = d;
	return 0;
}

/* A command, or "none" (NULL): parsed now, so errors have their line. */
static void
set_argv(struct pfile *f, const struct key *k, char ***field, const char *v)
{
	char		**argv = NULL;
	const char	*why;
	int		 rc;

	if (strcmp(v, "none") != 0 &&
	    (rc = cmdline_split(v, &argv, &why)) != 0) {
		if (rc == -2)
			f->p->oom = 1;
		else
			ferr(f, "%s: %s (a command and its arguments, quoted "
			    "with '...', \"...\" or \\, or none)", k->name, why);
		return;
	}
	cmdline_free(*field);
	*field = argv;
}

/* Request settings: header, username, password(_file), proxy, user_agent. */

#define PASSWORD_FILE_MAX	4096
#define HEADER_LINE_MAX		4000

/* Headers curl writes itself from the transfer: not the operator's. */
static const char *const header_reserved[] = {
	"host", "content-length", "transfer-encoding", "connection",
	"expect", "te", "upgrade", "if-none-match", "if-modified-since",
	"accept-encoding", "range", "proxy-authorization"
};

/* RFC 9110 tchar: what a header name is made of. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* No control character (a tab is fine): nothing to split a request with. */
static int
is_field_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 0;
	return 1;
}

/* "Name: value", normalised to one blank after the colon, or NULL. */
static char *
header_line(struct pfile *f, const char *v, int *bad)
{
	const char	*colon, *val;
	char		*line;
	size_t		 nlen, i;

	*bad = 1;
	if ((colon = strchr(v, ':')) == NULL || colon == v)
		return NULL;
	nlen = (size_t)(colon - v);
	for (i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)v[i]))
			return NULL;
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	if (*val == '\0' || !is_field_text(val) || strlen(v) > HEADER_LINE_MAX)
		return NULL;
	for (i = 0; i < sizeof(header_reserved) / sizeof(header_reserved[0]);
	    i++)
		if (strlen(header_reserved[i]) == nlen &&
		    strncasecmp(v, header_reserved[i], nlen) == 0) {
			/* The value is never shown: it may be a secret. */
			ferr(f, "header: %.*s is set by feedspool itself", (int)nlen,
			    v);
			*bad = 2;
			return NULL;
		}
	*bad = 0;
	if (asprintf(&line, "%.*s: %s", (int)nlen, v, val) < 0) {
		f->p->oom = 1;
		return NULL;
	}
	return line;
}

static void
set_header(struct pfile *f, struct config_request *rq, const char *v)
{
	char	*line, **nh;
	int	 bad;

	if (rq->nheaders >= CONFIG_HEADERS_MAX) {
		ferr(f, "header: more than %d in one section",
		    CONFIG_HEADERS_MAX);
		return;
	}
	if ((line = header_line(f, v, &bad)) == NULL) {
		if (bad == 1)
			ferr(f, "header: not 'Name: value' (a header name, a "
			    "colon, a value of at most %d bytes without control "
			    "characters)", HEADER_LINE_MAX);
		return;
	}
	if ((nh = reallocarray(rq->headers, rq->nheaders + 1,
	    sizeof(*nh))) == NULL) {
		free(line);
		f->p->oom = 1;
		return;
	}
	rq->headers = nh;
	rq->headers[rq->nheaders++] = line;
	rq->set |= CONFIG_RQ_HEADERS;
}

/* The password in path (relative to f's directory), one line. */
static char *
read_password_file(struct pfile *f, const char *path)
{
	char		 buf[PASSWORD_FILE_MAX + 2], *full = NULL, *pw = NULL;
	const char	*slash;
	FILE		*fp;
	size_t		 n;
	int		 len;

	slash = strrchr(f->path, '/');
	if (*path != '/' && slash != NULL) {
		len = (int)(slash - f->path);
		if (asprintf(&full, "%.*s/%s", len, f->path, path) < 0) {
			f->p->oom = 1;
			return NULL;
		}
		path = full;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		ferr(f, "password_file: cannot read '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (ferror(fp))
		ferr(f, "password_file: cannot read '%s': %s", path,
		    strerror(errno));
	else if (n > PASSWORD_FILE_MAX)
		ferr(f, "password_file: '%s' is longer than %d bytes", path,
		    PASSWORD_FILE_MAX);
	else {
		buf[n] = '\0';
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		if (strlen(buf) != n || !is_field_text(buf))
			ferr(f, "password_file: '%s' is not one line of text",
			    path);
		else if ((pw = strdup(buf)) == NULL)
			f->p->oom = 1;
	}
	fclose(fp);
out:
	explicit_bzero(buf, sizeof(buf));
	free(full);
	return pw;
}

static int
is_proxy_url(const char *v)
{
	static const char *const schemes[] = { "http://", "https://",
	    "socks4://", "socks4a://", "socks5://", "socks5h://" };
	size_t		 i, n;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if (strncasecmp(v, schemes[i], n) == 0)
			return v[n] != '\0' && strchr("/?#", v[n]) == NULL &&
			    is_token(v, "");
	}
	return 0;
}

static void
set_secret(char **slot, char *v)
{
	if (*slot != NULL) {
		explicit_bzero(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = v;
}

/*
 * A request setting of rq (feed is NULL in [feedspool]).  Returns 0 when
 * name is none of them.
 */
static int
set_request(struct pfile *f, struct config_request *rq,
    struct config_feed *feed, const char *name, const char *value)
{
	static const struct key	 contact = { "user_agent", K_CONTACT, 0, 0,
	    0, NULL };
	unsigned		 bit;
	char			*v = NULL;

	if (strcmp(name, "header") == 0) {
		set_header(f, rq, value);
		return 1;
	}
	if (strcmp(name, "username") == 0)
		bit = CONFIG_RQ_USERNAME;
	else if (strcmp(name, "password") == 0 ||
	    strcmp(name, "password_file") == 0)
		bit = CONFIG_RQ_PASSWORD;
	else if (strcmp(name, "proxy") == 0)
		bit = CONFIG_RQ_PROXY;
	else if (feed != NULL && strcmp(name, "user_agent") == 0)
		bit = CONFIG_RQ_USER_AGENT;
	else
		return 0;
	if ((bit & (CONFIG_RQ_USERNAME | CONFIG_RQ_PASSWORD)) &&
	    (rq->set & CONFIG_RQ_URL_LOGIN)) {
		ferr(f, "%s: the url has a user name and password already: "
		    "use one or the other", name);
		return 1;
	}
	if (rq->set & bit) {
		ferr(f, "%s: already set in %s%s%s", name, feed != NULL ? "[" :
		    "[feedspool]", feed != NULL ? feed->name : "",
		    feed != NULL ? "]" : "");
		return 1;
	}
	switch (bit) {
	case CONFIG_RQ_USERNAME:
		if (*value == '\0' || strchr(value, ':') != NULL ||
		    !is_field_text(value)) {
			ferr(f, "username: empty, or with a ':' or control "
			    "characters");
			return 1;
		}
		v = strdup(value);
		break;
	case CONFIG_RQ_PASSWORD:
		if (strcmp(name, "password_file") == 0) {
			if ((v = read_password_file(f, value)) == NULL)
				return 1;
		} else if (!is_field_text(value)) {
			ferr(f, "password: control characters");
			return 1;
		} else
			v = strdup(value);
		if (feed == NULL) {
			f->p->gpass_file = f->path;
			f->p->gpass_line = f->lineno;
		}
		break;
	case CONFIG_RQ_PROXY:
		if (strcasecmp(value, "none") == 0)
			v = strdup("");
		else if (!is_proxy_url(value)) {
			v = url_strip_userinfo(value);
			ferr(f, "proxy: '%s' is not none or an http://, "
			    "https://, socks4(a):// or socks5(h):// URL",
			    v != NULL ? v : "");
			free(v);
			return 1;
		} else
			v = strdup(value);
		break;
	case CONFIG_RQ_USER_AGENT:
		if (check_string(f, &contact, value) == -1)
			return 1;
		v = strdup(value);
		break;
	}
	if (v == NULL) {
		f->p->oom = 1;
		return 1;
	}
	rq->set |= bit;
	if (bit == CONFIG_RQ_USERNAME)
		set_secret(&rq->username, v);
	else if (bit == CONFIG_RQ_PASSWORD)
		set_secret(&rq->password, v);
	else if (bit == CONFIG_RQ_PROXY)
		set_secret(&rq->proxy, v);
	else
		set_secret(&feed->user_agent, v);
	return 1;
}

/* Percent-decoded s[0..len), malloc'd; NULL (*bad set) on a control char. */
static char *
pct_decode(const char *s, size_t len, int *bad)
{
	char		*r, *w;
	size_t		 i;
	unsigned	 hi, lo;

	if ((r = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0, w = r; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			hi = (unsigned)(isdigit((unsigned char)s[i + 1]) ?
			    s[i + 1] - '0' : (tolower((unsigned char)s[i + 1]) -
			    'a' + 10));
			lo = (unsigned)(isdigit((unsigned char)s[i + 2]) ?
			    s[i + 2] - '0' : (tolower((unsigned char)s[i + 2]) -
			    'a' + 10));
			*w++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*w++ = s[i];
	}
	*w = '\0';
	if ((size_t)(w - r) != strlen(r) || !is_field_text(r)) {
		free(r);
		*bad = 1;
		return NULL;
	}
	return r;
}

int
config_url_login(const char *url, char **clean, char **user, char **pass)
{
	const char	*ui, *colon;
	size_t		 off, len;
	int		 bad = 0;

	*clean = *user = *pass = NULL;
	if (!url_userinfo(url, &off, &len))
		return 0;
	ui = url + off;
	len--;		/* the '@' */
	colon = memchr(ui, ':', len);
	if ((*user = pct_decode(ui, colon != NULL ? (size_t)(colon - ui) :
	    len, &bad)) == NULL)
		goto fail;
	if (colon != NULL && (*pass = pct_decode(colon + 1,
	    len - (size_t)(colon + 1 - ui), &bad)) == NULL)
		goto fail;
	if ((*clean = url_strip_userinfo(url)) == NULL)
		goto fail;
	return 1;
fail:
	free(*user);
	if (*pass != NULL)
		explicit_bzero(*pass, strlen(*pass));
	free(*pass);
	*user = *pass = NULL;
	return -1;
}

/* A feed's url with userinfo: the login taken out of it. */
static void
feed_url_login(struct pfile *f, struct config_feed *feed)
{
	char	*clean, *user, *pass;
	int	 rc;

	if ((rc = config_url_login(feed->url, &clean, &user, &pass)) == 0)
		return;
	if (rc == -1) {
		/* Not the URL: it holds the password. */
		ferr(f, "url: its user name or password is not text");
		return;
	}
	free(feed->url);
	feed->url = clean;
	if (feed->req.set & (CONFIG_RQ_USERNAME | CONFIG_RQ_PASSWORD)) {
		ferr(f, "url: has a user name and password, and username or "
		    "password is set too: use one or the other");
		free(user);
		set_secret(&pass, NULL);
		return;
	}
	set_secret(&feed->req.username, user);
	set_secret(&feed->req.password, pass != NULL ? pass : strdup(""));
	if (feed->req.password == NULL)
		f->p->oom = 1;
	feed->req.set |= CONFIG_RQ_URL_LOGIN;
}

static void
request_free(struct config_request *rq)
{
	size_t	 i;

	for (i = 0; i < rq->nheaders; i++) {
		explicit_bzero(rq->headers[i], strlen(rq->headers[i]));
		free(rq->headers[i]);
	}
	free(rq->headers);
	free(rq->username);
	if (rq->password != NULL)
		explicit_bzero(rq->password, strlen(rq->password));
	free(rq->password);
	free(rq->proxy);
	memset(rq, 0, sizeof(*rq));
}

static int
dup_or_null(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

/* What a feed did not set of its own, from [feedspool]. Returns -1: OOM. */
static int
request_inherit(struct config_request *rq, const struct config_request *g)
{
	size_t	 i;

	if (!(rq->set & CONFIG_RQ_HEADERS) && g->nheaders > 0) {
		if ((rq->headers = calloc(g->nheaders,
		    sizeof(*rq->headers))) == NULL)
			return -1;
		for (i = 0; i < g->nheaders; i++) {
			if ((rq->headers[i] = strdup(g->headers[i])) == NULL)
				return -1;
			rq->nheaders++;
		}
	}
	if (!(rq->set & (CONFIG_RQ_USERNAME | CONFIG_RQ_URL_LOGIN |
	    CONFIG_RQ_PASSWORD)) &&
	    (dup_or_null(g->username, &rq->username) == -1 ||
	    dup_or_null(g->password, &rq->password) == -1))
		return -1;
	if (rq->username != NULL && rq->password == NULL &&
	    (rq->password = strdup("")) == NULL)
		return -1;
	if (!(rq->set & CONFIG_RQ_PROXY) &&
	    dup_or_null(g->proxy, &rq->proxy) == -1)
		return -1;
	return 0;
}

/* Parse v per k into the field of base; errors are reported here. */
static void
set_value(struct pfile *f, const struct key *k, void *base, const char *v)
{
	char			*field = (char *)base + k->off;
	char			*s, **sp;
	unsigned long long	 n;
	unsigned		 u;
	size_t			 sz;
	const char		*end;

	switch (k->type) {
	case K_PATH:
	case K_CONTACT:
	case K_URL:
	case K_TEXT:
	case K_LISTEN:
		if (check_string(f, k, v) == -1)
			return;
		if ((s = strdup(v)) == NULL) {
			f->p->oom = 1;
			return;
		}
		sp = (char **)(void *)field;
		free(*sp);
		*sp = s;
		return;
	case K_DURATION:
		if (config_parse_duration(v, &u) == -1) {
			ferr(f, "%s: bad duration '%s' (seconds, or a number "
			    "with s, m, h or d)", k->name, v);
			return;
		}
		n = u;
		break;
	case K_COUNT_AUTO:
		if (strcmp(v, "auto") == 0) {
			*(unsigned *)(void *)field = CONFIG_AUTO;
			return;
		}
		/* FALLTHROUGH */
	case K_COUNT:
		if (parse_digits(v, &n, &end) == -1 || *end != '\0') {
			ferr(f, "%s: bad number '%s'", k->name, v);
			return;
		}
		break;
	case K_SIZE:
		if (config_parse_size(v, &sz) == -1) {
			ferr(f, "%s: bad size '%s' (bytes, or a number with "
			    "k, M or G)", k->name, v);
			return;
		}
		n = sz;
		break;
	case K_BOOL:
		if (parse_bool(v, &n) == -1) {
			ferr(f, "%s: '%s' is not yes or no", k->name, v);
			return;
		}
		break;
	case K_CHOICE:
		if (parse_choice(v, k->range, &n) == -1) {
			ferr(f, "%s: '%s' is not one of %s", k->name, v,
			    k->range);
			return;
		}
		*(int *)(void *)field = (int)n;
		return;
	case K_ARGV:
		set_argv(f, k, (char ***)(void *)field, v);
		return;
	case K_RATIO:
		if (parse_ratio(v, (double *)(void *)field) == -1)
			ferr(f, "%s: '%s' is not a number from 0 to 1",
			    k->name, v);
		return;
	default:
		return;
	}
	if (n < k->min || n > k->max) {
		ferr(f, "%s: '%s' out of range (%s)", k->name, v, k->range);
		return;
	}
	if (k->type == K_SIZE)
		*(size_t *)(void *)field = (size_t)n;
	else if (k->type == K_BOOL)
		*(int *)(void *)field = (int)n;
	else
		*(unsigned *)(void *)field = (unsigned)n;
}

/* Copy of the directory part of path, glob-escaped, with the '/'. */
static char *
glob_dir(const char *path)
{
	const char	*slash, *s;
	char		*dir, *d;
	size_t		 len;

	if ((slash = strrchr(path, '/')) == NULL)
		return strdup("");
	len = (size_t)(slash - path) + 1;
	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	if ((dir = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (s = path, d = dir; s <= slash; s++) {
		if (strchr("*?[]\\", *s) != NULL)
			*d++ = '\\';
		*d++ = *s;
	}
	*d = '\0';
	return dir;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Read every file matching pattern, relative to the including file's
 * directory, in strcmp order (glob's own order depends on the locale).
 */
static void
do_include(struct pfile *f, const char *pattern)
{
	glob_t	 g;
	char	*dir = NULL, *full = NULL;
	size_t	 i, dlen, plen;
	int	 rc;

	memset(&g, 0, sizeof(g));
	if (*pattern == '\0') {
		ferr(f, "include: empty pattern");
		return;
	}
	if (f->depth + 1 > INCLUDE_DEPTH_MAX) {
		ferr(f, "include: nested too deep (more than %d levels)",
		    INCLUDE_DEPTH_MAX);
		return;
	}
	if (*pattern == '/')
		dir = strdup("");
	else
		dir = glob_dir(f->path);
	if (dir == NULL)
		goto oom;
	dlen = strlen(dir);
	plen = strlen(pattern);
	if (dlen > SIZE_MAX - plen - 1)
		goto oom;
	if ((full = malloc(dlen + plen + 1)) == NULL)
		goto oom;
	memcpy(full, dir, dlen);
	memcpy(full + dlen, pattern, plen + 1);

	rc = glob(full, GLOB_NOSORT, NULL, &g);
	switch (rc) {
	case 0:
		break;
	case GLOB_NOMATCH:
		/* An empty feeds.d is fine. */
		goto out;
	case GLOB_NOSPACE:
		goto oom;
	default:
		ferr(f, "include: cannot read '%s'", full);
		goto out;
	}
	qsort(g.gl_pathv, g.gl_pathc, sizeof(g.gl_pathv[0]), cmp_path);
	for (i = 0; i < g.gl_pathc; i++)
		read_file(f->p, g.gl_pathv[i], f);
	goto out;
oom:
	f->p->oom = 1;
out:
	if (g.gl_pathv != NULL)
		globfree(&g);
	free(full);
	free(dir);
}

static void
set_global(struct pfile *f, const char *name, const char *value)
{
	struct parse	*p = f->p;
	size_t		 i;

	if (strcmp(name, "include") == 0) {
		do_include(f, value);
		return;
	}
	if (set_request(f, &p->conf->req, NULL, name, value))
		return;
	for (i = 0; i < NGLOBAL_KEYS; i++)
		if (strcmp(name, global_keys[i].name) == 0)
			break;
	if (i == NGLOBAL_KEYS) {
		ferr(f, "unknown key '%s' in [feedspool]", name);
		return;
	}
	if (p->gfile[i] != NULL) {
		ferr(f, "%s: already set at %s:%u", name, p->gfile[i],
		    p->gline[i]);
		return;
	}
	p->gfile[i] = f->path;
	p->gline[i] = f->lineno;
	set_value(f, &global_keys[i], p->conf, value);
}

static void
set_feed(struct pfile *f, const char *name, const char *value)
{
	struct config_feed	*feed = &f->p->conf->feeds[f->feed];
	unsigned		*set = &f->p->fset[f->feed];
	size_t			 i;

	if (set_request(f, &feed->req, feed, name, value))
		return;
	for (i = 0; i < NFEED_KEYS; i++)
		if (strcmp(name, feed_keys[i].name) == 0)
			break;
	if (i == NFEED_KEYS) {
		ferr(f, "unknown key '%s' in [%s]", name, feed->name);
		return;
	}
	if (*set & (1U << i)) {
		ferr(f, "%s: already set in [%s]", name, feed->name);
		return;
	}
	*set |= 1U << i;
	if (i == FK_EXEC)
		feed->exec_own = 1;
	if (i == FK_DROP)
		feed->drop_line = f->lineno;
	set_value(f, &feed_keys[i], feed, value);
	if (i == FK_URL && feed->url != NULL)
		feed_url_login(f, feed);
}

/*
 * The next term of a list at *sp into buf: a term runs to the next comma,
 * blanks around it trimmed, or is quoted ("a, b": inside the quotes \"
 * is a quote and \\ a backslash).  1 with *sp past it and its comma, 0
 * at the end, -1 with *why set on a bad list.
 */
static int
next_term(const char **sp, char *buf, const char **why)
{
	const char	*s = *sp;
	char		*b = buf;
	int		 quoted = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	if (*s == '"') {
		quoted = 1;
		for (s++; *s != '"'; s++) {
			if (*s == '\0') {
				*why = "a quote is not closed";
				return -1;
			}
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*b++ = *s;
		}
		for (s++; *s == ' ' || *s == '\t'; s++)
			;
		if (*s != ',' && *s != '\0') {
			*why = "text after a quoted term";
			return -1;
		}
	} else {
		while (*s != ',' && *s != '\0')
			*b++ = *s++;
		while (b > buf && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
	}
	*b = '\0';
	if (!quoted && b == buf) {
		*why = "an empty term";
		return -1;
	}
	if (*s == ',') {
		s++;
		if (*s == '\0') {
			*why = "an empty term after the last comma";
			return -1;
		}
	}
	*sp = s;
	return 1;
}

/* terms = or exclude = of a watch: a list, see next_term(). */
static void
watch_terms(struct pfile *f, const char *key, const char *v, int exclude)
{
	struct watch	*wt = f->p->conf->watch;
	const char	*why = NULL;
	char		*buf;
	size_t		 n = 0;
	int		 rc;

	if ((buf = malloc(strlen(v) + 1)) == NULL) {
		f->p->oom = 1;
		return;
	}
	while ((rc = next_term(&v, buf, &why)) == 1) {
		n++;
		if ((rc = watch_term(wt, buf, exclude)) == -1) {
			f->p->oom = 1;
			break;
		}
		if (rc == 1)
			ferr(f, "%s: '%s' has no word to match", key, buf);
	}
	if (rc == -1 && why != NULL)
		ferr(f, "%s: %s", key, why);
	else if (rc == 0 && n == 0)
		ferr(f, "%s: no term", key);
	free(buf);
}

/* where = title, text, categories: a list of those. */
static void
watch_where_key(struct pfile *f, const char *v)
{
	static const char *const names[] = { "title", "text", "categories" };
	struct config_watch	*cw = &f->p->conf->watches[f->watch];
	unsigned		 where = 0, i;
	size_t			 len;

	if (cw->where_set) {
		ferr(f, "where: already set in [watch %s]", cw->name);
		return;
	}
	cw->where_set = 1;
	for (;;) {
		v += strspn(v, " \t");
		len = strcspn(v, ", \t");
		for (i = 0; i < 3; i++)
			if (strlen(names[i]) == len &&
			    memcmp(v, names[i], len) == 0)
				break;
		if (i == 3) {
			ferr(f, "where: '%.*s' is not title, text or "
			    "categories", (int)(len > 40 ? 40 : len), v);
			return;
		}
		where |= 1U << i;
		v += len;
		v += strspn(v, " \t");
		if (*v == '\0')
			break;
		if (*v++ != ',') {
			ferr(f, "where: a list of title, text, categories");
			return;
		}
	}
	watch_where(f->p->conf->watch, where);
}

static void
set_watch(struct pfile *f, const char *name, const char *value)
{
	struct watch	*wt = f->p->conf->watch;
	char		 err[300];
	int		 rc;

	if (strcmp(name, "terms") == 0)
		watch_terms(f, name, value, 0);
	else if (strcmp(name, "exclude") == 0)
		watch_terms(f, name, value, 1);
	else if (strcmp(name, "patterns") == 0) {
		if (*value == '\0')
			ferr(f, "patterns: empty pattern");
		else if ((rc = watch_pattern(wt, value, err,
		    sizeof(err))) == -1)
			f->p->oom = 1;
		else if (rc == 1)
			ferr(f, "patterns: '%s': %s", value, err);
	} else if (strcmp(name, "where") == 0)
		watch_where_key(f, value);
	else
		ferr(f, "unknown key '%s' in [watch %s]", name,
		    f->p->conf->watches[f->watch].name);
}

static int
handle_key(void *arg, const char *section, const char *name,
    const char *value)
{
	struct pfile	*f = arg;

	(void)section;	/* we track sections ourselves, see scan_line */
	switch (f->sect) {
	case SECT_NONE:
		ferr(f, "'%s' outside any section", name);
		break;
	case SECT_GLOBAL:
		set_global(f, name, value);
		break;
	case SECT_FEED:
		set_feed(f, name, value);
		break;
	case SECT_WATCH:
		set_watch(f, name, value);
		break;
	case SECT_SKIP:
		break;
	}
	/* Go on: we want every error, not just the first. */
	return 1;
}

/*
 * Feed names end up in log lines and spool paths: keep them to a safe
 * alphabet and a sane length.
 */
static int
is_feed_name(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > FEED_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]) == NULL ||
		    s[i] == '\0')
			return 0;
	return 1;
}

/*
 * [watch NAME]: a new watch, the one its keys go to.  Its name is a feed
 * name's alphabet (it is shown in logs and story files).
 */
static void
watch_section(struct pfile *f, const char *s, size_t len)
{
	struct config		*conf = f->p->conf;
	struct config_watch	*cw, *nv;
	size_t			 i;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (!is_feed_name(s, len)) {
		ferr(f, "bad watch name [watch %.*s] (1 to %d letters, digits, "
		    "'.', '_' or '-', not starting with '.' or '-')",
		    (int)(len > 80 ? 80 : len), s, FEED_NAME_MAX);
		return;
	}
	for (i = 0; i < conf->nwatches; i++) {
		cw = &conf->watches[i];
		if (strlen(cw->name) == len && memcmp(cw->name, s, len) == 0) {
			ferr(f, "[watch %s] already defined at %s:%u",
			    cw->name, cw->file, cw->line);
			return;
		}
	}
	if (conf->watch == NULL && (conf->watch = watch_new()) == NULL)
		goto oom;
	if ((nv = reallocarray(conf->watches, conf->nwatches + 1,
	    sizeof(*nv))) == NULL)
		goto oom;
	conf->watches = nv;
	cw = &conf->watches[conf->nwatches];
	memset(cw, 0, sizeof(*cw));
	if ((cw->name = strndup(s, len)) == NULL ||
	    (cw->file = strdup(f->path)) == NULL) {
		free(cw->name);
		free(cw->file);
		goto oom;
	}
	cw->line = f->lineno;
	if (watch_begin(conf->watch, cw->name) == -1) {
		free(cw->name);
		free(cw->file);
		goto oom;
	}
	f->watch = conf->nwatches++;
	f->sect = SECT_WATCH;
	return;
oom:
	f->p->oom = 1;
}

/* FNV-1a of a feed name. */
static size_t
name_hash(const char *s, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ h >> 32);
}

/* The cell of name s in conf->names: its feed's, or the free one for it. */
static size_t *
name_cell(const struct config *conf, const char *s, size_t len)
{
	const struct config_feed	*feed;
	size_t				 i, mask = conf->namecap - 1;

	for (i = name_hash(s, len) & mask; conf->names[i] != 0;
	    i = (i + 1) & mask) {
		feed = &conf->feeds[conf->names[i] - 1];
		if (strlen(feed->name) == len &&
		    memcmp(feed->name, s, len) == 0)
			break;
	}
	return &conf->names[i];
}

/*
 * Room for one more name: twice the cells past half full.  Without the
 * map a section defined twice was found by reading every feed before
 * it (10,000 feeds: 0.3 s), and a story's feed the same way (10,000
 * feeds: 1.4 * 10^9 name comparisons in a first poll).
 */
static int
names_room(struct config *conf)
{
	const struct config_feed	*feed;
	size_t				*old = conf->names;
	size_t				 oldcap = conf->namecap, ncap, i;

	if ((conf->nfeeds + 1) * 2 <= conf->namecap)
		return 0;
	ncap = conf->namecap == 0 ? 64 : conf->namecap * 2;
	if (ncap < conf->namecap ||
	    (conf->names = calloc(ncap, sizeof(*conf->names))) == NULL) {
		conf->names = old;
		return -1;
	}
	conf->namecap = ncap;
	for (i = 0; i < oldcap; i++)
		if (old[i] != 0) {
			feed = &conf->feeds[old[i] - 1];
			*name_cell(conf, feed->name, strlen(feed->name)) =
			    old[i];
		}
	free(old);
	return 0;
}

static void
section_begin(struct pfile *f, const char *s, size_t len)
{
	struct parse		*p = f->p;
	struct config		*conf = p->conf;
	struct config_feed	*feed, *nfeeds;
	unsigned		*nfset;
	size_t			*cell, ncap;

	f->sect = SECT_SKIP;
	if (len == strlen("feedspool") && memcmp(s, "feedspool", len) == 0) {
		f->sect = SECT_GLOBAL;
		return;
	}
	/* A feed's name has no blank: "watch" and a blank is a watch. */
	if (len > 6 && memcmp(s, "watch", 5) == 0 && (s[5] == ' ' ||
	    s[5] == '\t')) {
		watch_section(f, s + 6, len - 6);
		return;
	}
	if (!is_feed_name(s, len)) {
		ferr(f, "bad feed name [%.*s] (1 to %d letters, digits, "
		    "'.', '_' or '-', not starting with '.' or '-')",
		    (int)(len > 80 ? 80 : len), s, FEED_NAME_MAX);
		return;
	}
	if (names_room(conf) == -1)
		goto oom;
	if (*(cell = name_cell(conf, s, len)) != 0) {
		feed = &conf->feeds[*cell - 1];
		ferr(f, "feed [%s] already defined at %s:%u", feed->name,
		    feed->file, feed->line);
		return;
	}
	if (conf->nfeeds == p->feedcap) {
		ncap = p->feedcap == 0 ? 16 : p->feedcap * 2;
		if (ncap < p->feedcap)
			goto oom;
		nfeeds = reallocarray(conf->feeds, ncap, sizeof(*nfeeds));
		if (nfeeds == NULL)
			goto oom;
		conf->feeds = nfeeds;
		nfset = reallocarray(p->fset, ncap, sizeof(*nfset));
		if (nfset == NULL)
			goto oom;
		p->fset = nfset;
		p->feedcap = ncap;
	}
	feed = &conf->feeds[conf->nfeeds];
	memset(feed, 0, sizeof(*feed));
	if ((feed->name = strndup(s, len)) == NULL ||
	    (feed->file = strdup(f->path)) == NULL) {
		free(feed->name);
		free(feed->file);
		goto oom;
	}
	feed->line = f->lineno;
	p->fset[conf->nfeeds] = 0;
	*cell = conf->nfeeds + 1;
	f->feed = conf->nfeeds++;
	f->sect = SECT_FEED;
	return;
oom:
	p->oom = 1;
}

/*
 * Where inih stops scanning for one of chars: at the char, at the end, or
 * at an inline comment (';' after a blank), exactly as its own
 * find_chars_or_comment, so we agree on what is a syntax error.
 */
static const char *
find_end(const char *s, const char *chars)
{
	int	 was_space = 0;

	while (*s != '\0' && strchr(chars, *s) == NULL &&
	    !(was_space && *s == ';')) {
		was_space = (*s == ' ' || *s == '\t' || *s == '\r' ||
		    *s == '\f' || *s == '\v');
		s++;
	}
	return s;
}

static void
syntax_error(struct pfile *f, const char *msg)
{
	f->nsyntax++;
	ferr(f, "%s", msg);
}

/* Look at a line before inih does, see the header comment. */
static void
scan_line(struct pfile *f, const char *s)
{
	const char	*end, *t;

	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		end = find_end(s + 1, "]");
		if (*end != ']') {
			syntax_error(f, "section header without ']'");
			f->sect = SECT_SKIP;
			return;
		}
		for (t = end + 1; *t == ' ' || *t == '\t'; t++)
			;
		if (*t != '\0' && *t != ';') {
			syntax_error(f, "text after the section header");
			f->sect = SECT_SKIP;
			return;
		}
		section_begin(f, s + 1, (size_t)(end - (s + 1)));
		return;
	}
	end = find_end(s, "=:");
	if (*end != '=' && *end != ':')
		syntax_error(f, "expected 'key = value' or '[section]'");
}

/*
 * inih's reader: one physical line per call, so inih's line numbers (for
 * the syntax error it returns) and ours agree.  A line too long for inih's
 * fixed buffer is reported and replaced by an empty line, rather than
 * letting inih split it into two lines.
 */
static char *
read_line(char *str, int num, void *arg)
{
	struct pfile	*f = arg;
	size_t		 len = 0, max, skip = 0, i;
	int		 c, any = 0, toolong = 0, nul = 0;

	if (num < 2)
		return NULL;
	max = (size_t)num - 1;
	while ((c = getc(f->fp)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == '\0')
			nul = 1;
		else if (len < max)
			str[len++] = (char)c;
		else
			toolong = 1;
	}
	if (c == EOF && ferror(f->fp)) {
		errf(f->p, f->path, f->lineno + 1, "read error");
		return NULL;
	}
	if (!any)
		return NULL;
	f->lineno++;
	str[len] = '\0';
	if (toolong || nul) {
		if (toolong)
			ferr(f, "line too long (more than %zu bytes)", max);
		else
			ferr(f, "NUL byte in line");
		f->nsyntax++;
		str[0] = '\0';
		return str;
	}
	if (f->lineno == 1 && len >= 3 && memcmp(str, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	while (skip < len && (str[skip] == ' ' || str[skip] == '\t'))
		skip++;
	if (skip > 0) {
		memmove(str, str + skip, len - skip + 1);
		len -= skip;
	}
	/* Trailing blanks (and the CR of CRLF) for our scan only. */
	for (i = len; i > 0 && (str[i - 1] == ' ' || str[i - 1] == '\t' ||
	    str[i - 1] == '\r'); i--)
		;
	c = str[i];
	str[i] = '\0';
	scan_line(f, str);
	str[i] = (char)c;
	return str;
}

/* Report a file that cannot be read at the include line, if any. */
static void
file_error(struct parse *p, const char *path, struct pfile *parent,
    const char *msg)
{
	if (parent != NULL)
		errf(p, parent->path, parent->lineno, "%s: %s", path, msg);
	else
		errf(p, path, 0, "%s", msg);
}

static int
read_file(struct parse *p, const char *path, struct pfile *parent)
{
	struct pfile	 f;
	struct stat	 st;
	struct seen	*s, *nseen;
	size_t		 i;
	int		 rc, ret = -1;

	memset(&f, 0, sizeof(f));
	f.p = p;
	f.sect = SECT_NONE;
	f.depth = parent != NULL ? parent->depth + 1 : 0;
	if ((f.fp = fopen(path, "re")) == NULL) {
		file_error(p, path, parent, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f.fp), &st) == -1) {
		file_error(p, path, parent, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		file_error(p, path, parent, "not a regular file");
		goto out;
	}
	for (i = 0; i < p->nseen; i++) {
		s = &p->seen[i];
		if (s->dev != st.st_dev || s->ino != st.st_ino)
			continue;
		if (s->from != NULL)
			errf(p, parent != NULL ? parent->path : path,
			    parent != NULL ? parent->lineno : 0,
			    "%s: already included at %s:%u", path, s->from,
			    s->from_line);
		else
			errf(p, parent != NULL ? parent->path : path,
			    parent != NULL ? parent->lineno : 0,
			    "%s: already read as the main file", path);
		goto out;
	}
	nseen = reallocarray(p->seen, p->nseen + 1, sizeof(*nseen));
	if (nseen == NULL)
		goto oom;
	p->seen = nseen;
	s = &p->seen[p->nseen];
	memset(s, 0, sizeof(*s));
	if ((s->path = strdup(path)) == NULL)
		goto oom;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (parent != NULL) {
		s->from = parent->path;
		s->from_line = parent->lineno;
	}
	p->nseen++;
	/* s->path lives until the end of config_load: errors point at it. */
	f.path = s->path;

	rc = ini_parse_stream(read_line, &f, handle_key, &f);
	if (rc == -2)
		goto oom;
	/* Only a backstop: scan_line should have seen it already. */
	if (rc != 0 && f.nsyntax == 0)
		errf(p, f.path, rc > 0 ? (unsigned)rc : 0, "syntax error");
	ret = 0;
	goto out;
oom:
	p->oom = 1;
out:
	fclose(f.fp);
	return ret;
}

/* Where a global key was set, or NULL: its index found by name. */
static const char *
global_where(const struct parse *p, const char *name, unsigned *line)
{
	size_t	 i;

	for (i = 0; i < NGLOBAL_KEYS; i++)
		if (strcmp(global_keys[i].name, name) == 0) {
			*line = p->gline[i];
			return p->gfile[i];
		}
	*line = 0;
	return NULL;
}

/*
 * drop = WATCH[,WATCH...] (or none) as watch indices into *out; an
 * unknown watch is an error at file:line.
 */
static void
resolve_drop(struct parse *p, const char *names, const char *file,
    unsigned line, size_t **out, size_t *nout)
{
	const struct watch	*wt = p->conf->watch;
	char			*copy, *tok, *next, *end;
	size_t			*v;
	long			 w;

	*out = NULL;
	*nout = 0;
	if (names == NULL)
		return;
	if ((copy = strdup(names)) == NULL ||
	    (v = calloc(strlen(names) / 2 + 1, sizeof(*v))) == NULL) {
		free(copy);
		p->oom = 1;
		return;
	}
	*out = v;
	for (tok = copy; tok != NULL; tok = next) {
		if ((next = strchr(tok, ',')) != NULL)
			*next++ = '\0';
		tok += strspn(tok, " \t");
		for (end = tok + strlen(tok); end > tok && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			;
		*end = '\0';
		if (strcmp(tok, "none") == 0 && *nout == 0 && next == NULL)
			break;
		if (*tok == '\0') {
			errf(p, file, line, "drop: an empty watch name");
			break;
		}
		if ((w = watch_find(wt, tok)) == -1) {
			errf(p, file, line, "drop: no [watch %s]", tok);
			continue;
		}
		v[(*nout)++] = (size_t)w;
	}
	free(copy);
}

/* A copy of the default drop list for a feed without its own. */
static void
copy_drop(struct parse *p, struct config_feed *feed)
{
	struct config	*conf = p->conf;

	if (conf->ndrop == 0)
		return;
	if ((feed->drop = calloc(conf->ndrop, sizeof(*feed->drop))) == NULL) {
		p->oom = 1;
		return;
	}
	memcpy(feed->drop, conf->drop, conf->ndrop * sizeof(*feed->drop));
	feed->ndrop = conf->ndrop;
}

/* The watches compiled, every keep and drop checked against them. */
static void
finish_watches(struct parse *p)
{
	struct config		*conf = p->conf;
	struct config_feed	*feed;
	struct config_watch	*cw;
	const char		*file;
	unsigned		 line;
	size_t			 i;

	for (i = 0; i < conf->nwatches; i++) {
		cw = &conf->watches[i];
		if (watch_size(conf->watch, i) == 0)
			errf(p, cw->file, cw->line, "[watch %s] has no terms "
			    "or patterns", cw->name);
	}
	if (conf->watch != NULL && watch_ready(conf->watch) == -1)
		p->oom = 1;
	if (conf->keep_watch && conf->nwatches == 0 &&
	    (file = global_where(p, "keep", &line)) != NULL)
		errf(p, file, line, "keep = watch, but there is no "
		    "[watch NAME] section");
	file = global_where(p, "drop", &line);
	resolve_drop(p, conf->drop_names, file, line, &conf->drop,
	    &conf->ndrop);
	for (i = 0; i < conf->nfeeds; i++) {
		feed = &conf->feeds[i];
		if (!(p->fset[i] & (1U << FK_KEEP)))
			feed->keep_watch = conf->keep_watch;
		else if (feed->keep_watch && conf->nwatches == 0)
			errf(p, feed->file, feed->line, "feed [%s]: keep = "
			    "watch, but there is no [watch NAME] section",
			    feed->name);
		if (p->fset[i] & (1U << FK_DROP))
			resolve_drop(p, feed->drop_names, feed->file,
			    feed->drop_line, &feed->drop, &feed->ndrop);
		else
			copy_drop(p, feed);
	}
}

/* The request settings of every feed, [feedspool]'s where it has none. */
static void
finish_requests(struct parse *p)
{
	struct config		*conf = p->conf;
	struct config_feed	*feed;
	size_t			 i;
	int			 n;

	if ((conf->req.set & CONFIG_RQ_PASSWORD) &&
	    !(conf->req.set & CONFIG_RQ_USERNAME))
		errf(p, p->gpass_file, p->gpass_line, "password without "
		    "username in [feedspool]");
	for (i = 0; i < conf->nfeeds; i++) {
		feed = &conf->feeds[i];
		if ((feed->req.set & CONFIG_RQ_PASSWORD) &&
		    !(feed->req.set & CONFIG_RQ_USERNAME))
			errf(p, feed->file, feed->line, "feed [%s]: password "
			    "without username", feed->name);
		if (request_inherit(&feed->req, &conf->req) == -1)
			p->oom = 1;
		if (feed->user_agent != NULL)
			n = asprintf(&feed->user_agent_header,
			    "feedspool/%s (+%s)", FEEDSPOOL_VERSION,
			    feed->user_agent);
		else
			n = asprintf(&feed->user_agent_header, "%s",
			    conf->user_agent_header);
		if (n < 0) {
			feed->user_agent_header = NULL;
			p->oom = 1;
		}
	}
}

/* After every file: what needs all of them read first. */
static void
finish(struct parse *p)
{
	struct config		*conf = p->conf;
	struct config_feed	*feed;
	size_t			 i;
	unsigned		 set;
	int			 n;

	for (i = 0; i < conf->nfeeds; i++) {
		feed = &conf->feeds[i];
		set = p->fset[i];
		if (!(set & (1U << FK_URL)))
			errf(p, feed->file, feed->line, "feed [%s] has no url",
			    feed->name);
		/* Globals may come after the feed, so defaults go in now. */
		if (!(set & (1U << FK_INTERVAL)))
			feed->interval = conf->interval;
		if (!(set & (1U << FK_TIMEOUT)))
			feed->timeout = conf->timeout;
		if (!(set & (1U << FK_MAX_BODY)))
			feed->max_body = conf->max_body;
		if (!(set & (1U << FK_FETCH_ARTICLES)))
			feed->fetch_articles = conf->fetch_articles;
		if (!(set & (1U << FK_DUPLICATES)))
			feed->dup_mark = conf->dup_mark;
		if (!(set & (1U << FK_UPDATES)))
			feed->updates_emit = conf->updates_emit;
		if (!(set & (1U << FK_FOLLOW_SCHEDULE)))
			feed->follow_schedule = conf->follow_schedule;
		if (!(set & (1U << FK_MAX_INTERVAL)))
			feed->max_interval = conf->max_interval;
		if (!(set & (1U << FK_ADAPTIVE)))
			feed->adaptive = conf->adaptive;
		if (!feed->exec_own)
			feed->exec = conf->exec;
	}
	finish_watches(p);
	n = asprintf(&conf->user_agent_header, "feedspool/%s (+%s)",
	    FEEDSPOOL_VERSION, conf->user_agent);
	if (n < 0) {
		conf->user_agent_header = NULL;
		p->oom = 1;
		return;
	}
	finish_requests(p);
}

static struct config *
config_new(const char *path)
{
	struct config		*conf;
	struct dedup_params	 dp;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return NULL;
	conf->path = strdup(path);
	conf->spool = strdup(CONFIG_DEFAULT_SPOOL);
	conf->state = strdup(CONFIG_DEFAULT_STATE);
	conf->user_agent = strdup(CONFIG_DEFAULT_USER_AGENT);
	if (conf->path == NULL || conf->spool == NULL || conf->state == NULL ||
	    conf->user_agent == NULL) {
		config_free(conf);
		return NULL;
	}
	conf->interval = CONFIG_DEFAULT_INTERVAL;
	conf->max_transfers = CONFIG_DEFAULT_MAX_TRANSFERS;
	conf->per_host = CONFIG_DEFAULT_PER_HOST;
	conf->host_gap = CONFIG_DEFAULT_HOST_GAP;
	conf->timeout = CONFIG_DEFAULT_TIMEOUT;
	conf->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
	conf->max_redirects = CONFIG_DEFAULT_MAX_REDIRECTS;
	conf->max_body = CONFIG_DEFAULT_MAX_BODY;
	conf->max_pending = CONFIG_DEFAULT_MAX_PENDING;
	conf->max_page_queue = CONFIG_DEFAULT_MAX_PAGE_QUEUE;
	conf->fetch_articles = 1;
	conf->detect_language = 1;
	conf->workers = CONFIG_AUTO;
	conf->follow_schedule = 1;
	conf->max_interval = CONFIG_DEFAULT_MAX_INTERVAL;
	conf->adaptive = 1;
	conf->moved_after = CONFIG_DEFAULT_MOVED_AFTER;
	conf->log_level = CONFIG_LOG_INFO;
	conf->exec_max = CONFIG_DEFAULT_EXEC_MAX;
	conf->exec_timeout = CONFIG_DEFAULT_EXEC_TIMEOUT;
	conf->exec_tries = CONFIG_DEFAULT_EXEC_TRIES;
	conf->allow_private_articles = 0;
	conf->dup_mark = 0;
	conf->updates_emit = 0;
	conf->dup_window = CONFIG_DEFAULT_DUP_WINDOW;
	dedup_params_default(&dp);
	conf->dup_distance = dp.max_distance;
	conf->dup_similarity = dp.min_similarity;
	conf->dup_far_similarity = dp.far_similarity;
	conf->dup_containment = dp.min_containment;
	return conf;
}

int
config_load(const char *path, struct config **out, char **errors)
{
	struct parse	 p;
	size_t		 i;
	int		 ret = -1;

	*out = NULL;
	if (errors != NULL)
		*errors = NULL;
	memset(&p, 0, sizeof(p));
	if ((p.conf = config_new(path)) == NULL) {
		p.oom = 1;
		goto out;
	}
	read_file(&p, path, NULL);
	finish(&p);
	if (p.nerr == 0 && !p.oom) {
		*out = p.conf;
		p.conf = NULL;
		ret = 0;
	}
out:
	if (ret == -1 && errors != NULL) {
		if (p.oom) {
			/* The list may miss lines: say so, plainly. */
			free(p.err);
			p.err = NULL;
			if (asprintf(&p.err, "%s: out of memory\n", path) < 0)
				p.err = NULL;
		}
		*errors = p.err;
		p.err = NULL;
	}
	free(p.err);
	config_free(p.conf);
	free(p.fset);
	for (i = 0; i < p.nseen; i++)
		free(p.seen[i].path);
	free(p.seen);
	return ret;
}

void
config_free(struct config *conf)
{
	size_t	 i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nfeeds; i++) {
		free(conf->feeds[i].name);
		free(conf->feeds[i].url);
		free(conf->feeds[i].category);
		free(conf->feeds[i].drop);
		free(conf->feeds[i].drop_names);
		free(conf->feeds[i].file);
		if (conf->feeds[i].exec_own)
			cmdline_free(conf->feeds[i].exec);
		free(conf->feeds[i].user_agent);
		free(conf->feeds[i].user_agent_header);
		request_free(&conf->feeds[i].req);
	}
	request_free(&conf->req);
	free(conf->feeds);
	free(conf->names);
	for (i = 0; i < conf->nwatches; i++) {
		free(conf->watches[i].name);
		free(conf->watches[i].file);
	}
	free(conf->watches);
	watch_free(conf->watch);
	free(conf->drop);
	free(conf->drop_names);
	free(conf->path);
	free(conf->spool);
	free(conf->state);
	free(conf->user_agent);
	free(conf->user_agent_header);
	free(conf->metrics_listen);
	free(conf->metrics_file);
	cmdline_free(conf->exec);
	free(conf);
}

const struct config_feed *
config_feed_find(const struct config *conf, const char *name)
{
	size_t	*cell, i;

	if (conf == NULL || name == NULL)
		return NULL;
	if (conf->namecap > 0) {
		cell = name_cell(conf, name, strlen(name));
		return *cell != 0 ? &conf->feeds[*cell - 1] : NULL;
	}
	for (i = 0; i < conf->nfeeds; i++)
		if (strcmp(conf->feeds[i].name, name) == 0)
			return &conf->feeds[i];
	return NULL;
}

/* The port after the address: digits only, 0 to 65535. */
static int
parse_port(const char *s, unsigned *port)
{
	unsigned long	 n = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

int
config_parse_listen(const char *v, char *host, size_t hostlen, unsigned *port)
{
	unsigned char	 addr[sizeof(struct in6_addr)];
	const char	*colon, *h = v;
	size_t		 len;
	int		 v6 = 0;

	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL)
			return -1;
		h = v + 1;
		len = (size_t)(colon - h);
		colon++;
		v6 = 1;
	} else if ((colon = strrchr(v, ':')) != NULL) {
		len = (size_t)(colon - v);
	} else {
		/* A port alone listens on loopback only. */
		h = "127.0.0.1";
		len = strlen(h);
	}
	if (parse_port(colon != NULL ? colon + 1 : v, port) == -1 ||
	    len == 0 || len >= hostlen)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	if (!v6 && strcmp(host, "localhost") == 0)
		return 0;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -1;
	return 0;
}
