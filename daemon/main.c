/*
 * feedspool: one binary, several sub-commands.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/feedcmd.h"
#include "daemon/log.h"
#include "daemon/tail.h"
#include "daemon/work.h"
#include "parsers/buf.h"
#include "parsers/date.h"
#include "parsers/extract.h"
#include "parsers/feed.h"
#include "parsers/parsers.h"
#include "parsers/text.h"
#include "store/dedup.h"
#include "store/state.h"

#ifndef FEEDSPOOL_CONFIG_PATH
#define FEEDSPOOL_CONFIG_PATH	"/etc/feedspool/feedspool.conf"
#endif

/* `parse` reads at most this much; feeds are far smaller. */
#define PARSE_MAX_INPUT		(256UL * 1024 * 1024)
/* Blocks from this size on are mapped, and unmapped when freed (main()). */
#define MAIN_MMAP_THRESHOLD	(128 * 1024)

static const char usage_main[] =
"usage: feedspool COMMAND [OPTIONS]\n"
"\n"
"commands:\n"
"  run           poll the configured feeds, spool new stories (the daemon)\n"
"  parse         parse one feed document, print it as JSON\n"
"  extract       extract the article from a web page, print it as JSON\n"
"  check-config  validate the configuration file\n"
"  status        show each feed's health from the state database\n"
"  resume        poll a feed again that is gone (410) or backing off\n"
"  compare       tell whether two stories are duplicates\n"
"  story         show a story and every place it was seen\n"
"  add           add a feed, found from a web page's address\n"
"  remove        remove a feed that add or import-opml wrote\n"
"  import-opml   add the feeds of an OPML file\n"
"  export-opml   print the configured feeds as OPML\n"
"  tail          print the stories in new/, and those that arrive (-f)\n"
"\n"
"  feedspool --version\n"
"  feedspool COMMAND --help\n";

static const char usage_run[] =
"usage: feedspool run [-c FILE] [--once [--json]] [--spool DIR]\n"
"                     [--state FILE] [-v | -q]\n"
"\n"
"Run the daemon in the foreground, logging to stderr.\n"
"  -c, --config FILE  configuration (default " FEEDSPOOL_CONFIG_PATH ")\n"
"      --once         poll every feed once, print a line per feed, exit\n"
"      --spool DIR    spool directory, instead of the configured one\n"
"      --state FILE   state database, instead of the configured one\n"
"      --json         with --once: one JSON object per line on stdout, for\n"
"                     each story and each feed, then a summary\n"
"  -v, --verbose      log debug messages too (instead of log_level)\n"
"  -q, --quiet        log only warnings and errors (instead of log_level)\n"
"SIGHUP reloads the configuration; SIGTERM stops after the transfers in\n"
"flight (at most a few seconds).\n";

static const char usage_parse[] =
"usage: feedspool parse [--base URL] [--charset NAME] FILE|-\n"
"\n"
"Parse an RSS, Atom or RDF document and print it as JSON.\n"
"  --base URL       the document's own URL, to resolve relative links\n"
"  --charset NAME   the charset an HTTP Content-Type would have given\n"
"Exits 1 when the input is not a feed.\n";

static const char usage_extract[] =
"usage: feedspool extract [--url URL] [--text] FILE|-\n"
"\n"
"Extract the main text and the metadata of an HTML page; print them as\n"
"JSON.\n"
"  --url URL   where the page came from, to make its links absolute\n"
"  --text      print only the main text, one paragraph per line\n"
"Exits 1 when the input cannot be read.\n";

static const char usage_check[] =
"usage: feedspool check-config [-c FILE]\n"
"\n"
"Validate the configuration; print 'configuration OK' or every error with\n"
"its file and line.  Exits 1 on errors.\n";

static const char usage_story[] =
"usage: feedspool story [-c FILE] [--state FILE] [--json] ID\n"
"\n"
"Show what the state database knows of story ID (the 16 hex digits of its\n"
"file name): its feed and revision, its spool file, and every place it\n"
"was seen (its own item and each duplicate of it).  --json prints it as\n"
"one JSON object on one line.  Exits 1 when there is no such story.\n";

static const char usage_status[] =
"usage: feedspool status [-c FILE] [--state FILE] [--json]\n"
"\n"
"Print, for every configured feed, the result of its last poll, when it\n"
"is polled next and why, and how long it has been silent (no new item)\n"
"against its usual cadence: SILENT when more than 4 times that and more\n"
"than a day.  Then the spool's health.\n"
"  --json   one JSON object per line: one per feed, then the spool's\n"
"Exits 0; 3 when a feed fails or is gone or the spool fails; 2 when the\n"
"state database does not exist or cannot be read.\n";

static const char usage_resume[] =
"usage: feedspool resume [-c FILE] [--state FILE] NAME\n"
"\n"
"Forget that feed NAME answered 410 Gone, its failures in a row and any\n"
"wait its server asked for: it is due at once.  A running daemon polls it\n"
"after a reload (SIGHUP, systemctl reload feedspool).  Exits 1 when the\n"
"configuration has no such feed.\n";

static const char usage_compare[] =
"usage: feedspool compare [--max-distance N] [--min-similarity X]\n"
"                         [--far-similarity X] [--min-containment X]\n"
"                         [--json] A B\n"
"\n"
"Compare two stories: plain-text files, or story JSON files from the spool\n"
"(their \"text\", else title and summary).  Prints the SimHash distance,\n"
"the similarity of their shingle sets, the share of the shorter story's\n"
"shingles found in the longer one (containment) and the decision under\n"
"the thresholds (defaults as the daemon's): \"contained\" when A is a part\n"
"of B (a brief of it), \"contains\" when B is a part of A.  --json prints\n"
"the same as one JSON object on one line.  Exits 0 for\n"
"duplicate, 1 for distinct, 2 on errors.\n";

static int
help_wanted(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "once",	no_argument,	   NULL, 'o' },
		{ "spool",	required_argument, NULL, 's' },
		{ "state",	required_argument, NULL, 'd' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_opts	 o;
	int			 ch;

	memset(&o, 0, sizeof(o));
	o.config = FEEDSPOOL_CONFIG_PATH;
	while ((ch = getopt_long(argc, argv, "c:vq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'o':
			o.once = 1;
			break;
		case 's':
			o.spool = optarg;
			break;
		case 'd':
			o.state = optarg;
			break;
		case 'v':
			log_setlevel(LOG_LVL_DEBUG);
			break;
		case 'q':
			log_setlevel(LOG_LVL_WARNING);
			break;
		case 'j':
			o.json = 1;
			break;
		default:
			fputs(usage_run, stderr);
			return 1;
		}
	}
	if (optind != argc || (o.json && !o.once)) {
		fputs(usage_run, stderr);
		return 1;
	}
	return daemon_run(&o);
}

static int
cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "base",	required_argument, NULL, 'b' },
		{ "charset",	required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*base = NULL, *charset = NULL;
	struct feed_doc	*doc = NULL;
	struct buf	 in;
	char		 err[512], *json;
	int		 ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			base = optarg;
			break;
		case 'C':
			charset = optarg;
			break;
		default:
			fputs(usage_parse, stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_parse, stderr);
		return 1;
	}
	buf_init(&in, PARSE_MAX_INPUT);
	if (feedcmd_read_input(argv[optind], &in) == -1)
		goto out;
	if (feed_parse(in.data != NULL ? in.data : "", in.len, base, charset,
	    &doc, err, sizeof(err)) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", argv[optind], err);
		goto out;
	}
	if ((json = feed_to_json(doc)) == NULL) {
		fprintf(stderr, "feedspool: out of memory\n");
		goto out;
	}
	puts(json);
	free(json);
	rc = 0;
out:
	feed_free(doc);
	buf_free(&in);
	return rc;
}

/* The text with each paragraph on one line (they are blank-line separated). */
static void
print_paragraphs(const char *t)
{
	int	 any = *t != '\0';

	for (; *t != '\0'; t++) {
		if (t[0] == '\n' && t[1] == '\n')
			t++;
		putchar(*t);
	}
	if (any)
		putchar('\n');
}

static int
cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url",	required_argument, NULL, 'u' },
		{ "text",	no_argument,	   NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*url = NULL;
	struct extract	*x = NULL;
	struct buf	 in;
	char		 err[512], *json;
	int		 ch, text = 0, rc = 1;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'u')
			url = optarg;
		else if (ch == 't')
			text = 1;
		else {
			fputs(usage_extract, stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_extract, stderr);
		return 1;
	}
	buf_init(&in, PARSE_MAX_INPUT);
	if (feedcmd_read_input(argv[optind], &in) == -1)
		goto out;
	if (extract_page(in.data != NULL ? in.data : "", in.len, url, &x,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "feedspool: %s: %s\n", argv[optind], err);
		goto out;
	}
	if (text)
		print_paragraphs(x->text);
	else if ((json = extract_to_json(x)) != NULL) {
		puts(json);
		free(json);
	} else {
		fprintf(stderr, "feedspool: out of memory\n");
		goto out;
	}
	rc = 0;
out:
	extract_free(x);
	buf_free(&in);
	return rc;
}

/* One line of JSON on stdout (o is taken); -1 when it cannot be made. */
static int
print_json_line(json_t *o)
{
	char	*line;

	line = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	if (line == NULL) {
		fprintf(stderr, "feedspool: out of memory, or text not in "
		    "UTF-8\n");
		return -1;
	}
	puts(line);
	free(line);
	return 0;
}

/*
 * A story file's text and title: a spool JSON object's "text" (else its
 * title and summary), or the whole file as plain text.
 */
static int
compare_load(const char *path, struct dedup_fp *fp)
{
	struct buf	 in, t;
	json_t		*o = NULL;
	const char	*text, *title, *summary;
	char		*plain = NULL;
	int		 rc = -1;

	buf_init(&in, PARSE_MAX_INPUT);
	buf_init(&t, PARSE_MAX_INPUT);
	if (feedcmd_read_input(path, &in) == -1)
		goto out_free;
	text = in.data != NULL ? in.data : "";
	title = NULL;
	if ((o = json_loadb(text, in.len, 0, NULL)) != NULL &&
	    json_is_object(o)) {
		title = json_string_value(json_object_get(o, "title"));
		text = json_string_value(json_object_get(o, "text"));
		summary = json_string_value(json_object_get(o, "summary"));
		if ((text == NULL || *text == '\0') && summary != NULL) {
			/* Summaries may be HTML. */
			if ((plain = text_from_html(summary,
			    strlen(summary))) == NULL ||
			    buf_printf(&t, "%s\n\n%s", title != NULL ? title :
			    "", plain) != BUF_OK)
				goto out_nomem;
			text = t.data;
		}
	}
	if (dedup_fingerprint(text, title, fp) == -1)
		goto out_nomem;
	rc = 0;
	goto out_free;

 out_nomem:
	fprintf(stderr, "feedspool: %s: out of memory\n", path);
 out_free:
	free(plain);
	json_decref(o);
	buf_free(&t);
	buf_free(&in);
	return rc;
}

static int
compare_number(const char *arg, double max, double *out)
{
	char	*end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(*out >= 0) ||
	    *out > max) {
		fprintf(stderr, "feedspool: compare: bad value '%s'\n", arg);
		return -1;
	}
	return 0;
}

static int
cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-distance",	required_argument, NULL, 'k' },
		{ "min-similarity",	required_argument, NULL, 'j' },
		{ "far-similarity",	required_argument, NULL, 'f' },
		{ "min-containment",	required_argument, NULL, 'c' },
		{ "json",		no_argument,	   NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	struct dedup_params	 p;
	struct dedup_fp		 a, b;
	enum dedup_verdict	 v;
	unsigned		 d;
	double			 sim, k, cont;
	int			 ch, json = 0;

	dedup_params_default(&p);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'k' && compare_number(optarg, 64, &k) == 0)
			p.max_distance = (unsigned)k;
		else if (ch == 'j' &&
		    compare_number(optarg, 1, &p.min_similarity) == 0)
			continue;
		else if (ch == 'f' &&
		    compare_number(optarg, 2, &p.far_similarity) == 0)
			continue;
		else if (ch == 'c' &&
		    compare_number(optarg, 2, &p.min_containment) == 0)
			continue;
		else if (ch == 'J')
			json = 1;
		else {
			fputs(usage_compare, stderr);
			return 2;
		}
	}
	if (optind != argc - 2) {
		fputs(usage_compare, stderr);
		return 2;
	}
	if (compare_load(argv[optind], &a) == -1 ||
	    compare_load(argv[optind + 1], &b) == -1)
		return 2;
	v = dedup_compare(&p, &a, &b, &d, &sim);
	cont = dedup_containment(&a, &b);
	if (!json)
		printf("distance: %u\nsimilarity: %.3f\ncontainment: %.3f\n"
		    "decision: %s (%s)\n", d, sim, cont,
		    v == DEDUP_DISTINCT ? "distinct" : "duplicate",
		    dedup_verdict_name(v));
	else if (print_json_line(json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, "
	    "s:s, s:s}", "type", "compare", "a", argv[optind],
	    "b", argv[optind + 1], "distance", (int)d, "similarity", sim,
	    "containment", cont, "decision", v == DEDUP_DISTINCT ?
	    "distinct" : "duplicate", "reason", dedup_verdict_name(v))) == -1)
		return 2;
	return v == DEDUP_DISTINCT ? 1 : 0;
}

/* -c, --state (when state is not NULL), --json (when json is not NULL). */
static int
config_option(int argc, char **argv, const char *usage, const char **path,
    const char **state, int *json, int nargs)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "state",	required_argument, NULL, 'd' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	*path = FEEDSPOOL_CONFIG_PATH;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch == 'c')
			*path = optarg;
		else if (ch == 'd' && state != NULL)
			*state = optarg;
		else if (ch == 'j' && json != NULL)
			*json = 1;
		else {
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc - nargs) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct config	*cfg;
	const char	*path;
	char		*errors = NULL;

	if (config_option(argc, argv, usage_check, &path, NULL, NULL, 0) == -1)
		return 1;
	if (config_load(path, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		if (errors != NULL && errors[0] != '\0' &&
		    errors[strlen(errors) - 1] != '\n')
			fputc('\n', stderr);
		free(errors);
		return 1;
	}
	printf("configuration OK: %s, %zu feed%s\n", path, cfg->nfeeds,
	    cfg->nfeeds == 1 ? "" : "s");
	config_free(cfg);
	return 0;
}

/*
 * The state database of a command that only reads it (status, story,
 * resume): one that does not exist is an error, not a new empty file.
 */
static int
open_existing_state(const char *path, struct state **st)
{
	char		 err[512];
	struct stat	 sb;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "feedspool: state %s: %s (has the daemon run "
		    "with this configuration?)\n", path, strerror(errno));
		return -1;
	}
	if (state_open(path, st, err, sizeof(err)) == -1) {
		fprintf(stderr, "feedspool: state %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static void
status_time(int64_t t, char *buf, size_t len)
{
	if (t <= 0 || date_format(t, buf, len) == -1)
		snprintf(buf, len, "never");
}

/* The spool's health as the daemon last recorded it; 1 when failing. */
static int
status_spool(struct state *st)
{
	char	*msg = NULL, when[DATE_RFC3339_LEN];
	size_t	 n;
	int64_t	 since, oldest;
	int	 rc;

	rc = state_health_get(st, "spool", &msg, &since);
	if (rc == 1) {
		status_time(since, when, sizeof(when));
		printf("%-20s FAILING since %s  %s\n", "(spool)", when, msg);
	}
	free(msg);
	if (rc != 1 && state_pending_count(st, &n, &oldest) == 0 && n > 0) {
		status_time(oldest, when, sizeof(when));
		printf("%-20s ok  %zu stor%s pending (waiting for their page), "
		    "the oldest since %s\n", "(spool)", n, n == 1 ? "y" : "ies",
		    when);
	}
	return rc == 1;
}

/* "12h", "3d", "45m": a duration for people. */
static void
status_span(int64_t s, char *buf, size_t len)
{
	if (s >= 2 * 86400 && s % 86400 < 3600)
		(void)snprintf(buf, len, "%lldd", (long long)(s / 86400));
	else if (s >= 3600)
		(void)snprintf(buf, len, "%lldh", (long long)((s + 1800) / 3600));
	else if (s >= 60)
		(void)snprintf(buf, len, "%lldm", (long long)((s + 30) / 60));
	else
		(void)snprintf(buf, len, "%llds", (long long)s);
}

/* The "next T (why)" part, and the cadence learned. */
static void
status_next(const struct state_feed *sf, char *buf, size_t len)
{
	char	 next[DATE_RFC3339_LEN], span[32];

	status_time(sf->next_poll, next, sizeof(next));
	if (sf->cadence > 0) {
		status_span(sf->cadence, span, sizeof(span));
		(void)snprintf(buf, len, "next %s (%s), cadence %s", next,
		    sf->next_why != NULL ? sf->next_why : "interval", span);
	} else
		(void)snprintf(buf, len, "next %s (%s)", next,
		    sf->next_why != NULL ? sf->next_why : "interval");
}

/*
 * A feed is flagged silent when its last new item is this many times its
 * usual cadence ago, and at least STATUS_SILENT_MIN: a feed that posts
 * hourly can pause a night without anyone minding.
 */
#define STATUS_SILENT_FACTOR	4
#define STATUS_SILENT_MIN	86400

/* How long a feed has been silent, against its learned cadence. */
struct status_silence {
	int64_t	 last_new;	/* unix seconds, 0: never a new item */
	int64_t	 silent;	/* seconds since last_new */
	int	 alert;		/* much longer than its cadence */
};

static void
status_silence(struct state *st, const char *name,
    const struct state_feed *sf, int64_t now, struct status_silence *out)
{
	memset(out, 0, sizeof(*out));
	if (state_feed_last_new(st, name, &out->last_new) == -1 ||
	    out->last_new <= 0) {
		out->last_new = 0;
		return;
	}
	out->silent = now > out->last_new ? now - out->last_new : 0;
	out->alert = sf->cadence > 0 && out->silent > STATUS_SILENT_MIN &&
	    out->silent / STATUS_SILENT_FACTOR > sf->cadence;
}

/* ", silent 3d (usually every 6h)", flagged when much longer. */
static void
status_silence_text(const struct state_feed *sf,
    const struct status_silence *si, char *buf, size_t len)
{
	char	 span[32], usual[32];

	buf[0] = '\0';
	if (si->last_new == 0)
		return;
	status_span(si->silent, span, sizeof(span));
	if (sf->cadence <= 0) {
		(void)snprintf(buf, len, ", silent %s", span);
		return;
	}
	status_span(sf->cadence, usual, sizeof(usual));
	(void)snprintf(buf, len, ", %s %s (usually every %s%s)",
	    si->alert ? "SILENT" : "silent", span, usual, si->alert ?
	    ": much longer than usual" : "");
}

/* The ok line, or FAILING (backing off, or rate-limited until T). */
static void
status_feed_text(const struct config_feed *cf, const struct state_feed *sf,
    const struct status_silence *si)
{
	char	 last[DATE_RFC3339_LEN], until[DATE_RFC3339_LEN];
	char	 next[160], silence[128];

	status_time(sf->last_poll, last, sizeof(last));
	status_next(sf, next, sizeof(next));
	status_silence_text(sf, si, silence, sizeof(silence));
	if (sf->gone)
		printf("%-20s GONE  %s  last %s; not polled: `feedspool resume "
		    "%s` polls it again  %s\n", cf->name, sf->last_error != NULL ?
		    sf->last_error : "HTTP 410", last, cf->name, cf->url);
	else if (sf->last_error != NULL) {
		status_time(sf->retry_until, until, sizeof(until));
		printf("%-20s FAILING  %s  last %s, %u failure%s in a row, "
		    "%s%s%s%s  %s\n", cf->name, sf->last_error, last,
		    sf->failures, sf->failures == 1 ? "" : "s", next,
		    sf->retry_until > 0 ? ", rate-limited until " : "",
		    sf->retry_until > 0 ? until : "", silence, cf->url);
	} else
		printf("%-20s ok (%ld)  last %s, %s, %" PRIu64 " stories%s  %s\n",
		    cf->name, sf->last_status, last, next, sf->items_total,
		    silence, cf->url);
	if (sf->moved_to != NULL)
		printf("%-20s moved permanently to %s: update its url in the "
		    "configuration%s\n", "", sf->moved_to, sf->polling_moved ?
		    " (polled there directly)" : "");
}

/* A unix time as a JSON number, or null when there is none. */
static json_t *
status_json_time(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

/* The feed's object of status --json (sf NULL: never polled). */
static int
status_feed_json(const struct config_feed *cf, const struct state_feed *sf,
    const struct status_silence *si)
{
	static const struct state_feed		 none;
	static const struct status_silence	 quiet;
	const char				*word = "never_polled";

	if (sf != NULL)
		word = sf->gone ? "gone" : sf->last_error != NULL ?
		    "failing" : "ok";
	else {
		sf = &none;
		si = &quiet;
	}
	return print_json_line(json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?, "
	    "s:i, s:o, s:o, s:s?, s:o, s:o, s:I, s:o, s:o, s:b, s:s?, s:b}",
	    "type", "feed", "feed", cf->name, "url", cf->url, "state", word,
	    "http_status", sf->last_status > 0 ?
	    json_integer(sf->last_status) : json_null(),
	    "error", sf->last_error, "failures", (int)sf->failures,
	    "last_poll", status_json_time(sf->last_poll),
	    "next_poll", status_json_time(sf->next_poll),
	    "next_why", sf->next_why != NULL || sf == &none ? sf->next_why :
	    "interval",
	    "retry_until", status_json_time(sf->retry_until),
	    "cadence", sf->cadence > 0 ? json_integer(sf->cadence) :
	    json_null(),
	    "stories", (json_int_t)sf->items_total,
	    "last_new", status_json_time(si->last_new),
	    "silent", si->last_new > 0 ? json_integer(si->silent) :
	    json_null(), "silent_alert", si->alert,
	    "moved_to", sf->moved_to, "polling_moved", sf->polling_moved));
}

/*
 * One feed's line (or JSON object): ok, FAILING, GONE or never polled,
 * its last and next poll and why, how long it has been silent; then
 * where it moved.  Returns 1 when the feed is in trouble (failing or
 * gone; a silent feed is flagged, not in trouble), -1 on errors.
 */
static int
status_feed(struct state *st, const struct config_feed *cf, int json,
    int64_t now)
{
	struct state_feed	 sf;
	struct status_silence	 si;
	int			 rc;

	memset(&sf, 0, sizeof(sf));
	if (state_feed_load(st, cf->name, &sf) == -1 || sf.last_poll == 0 ||
	    sf.url == NULL || strcmp(sf.url, cf->url) != 0) {
		if (json)
			rc = status_feed_json(cf, NULL, NULL);
		else {
			printf("%-20s never polled  %s\n", cf->name, cf->url);
			rc = 0;
		}
		state_feed_clear(&sf);
		return rc;
	}
	status_silence(st, cf->name, &sf, now, &si);
	rc = sf.gone || sf.last_error != NULL;
	if (json) {
		if (status_feed_json(cf, &sf, &si) == -1)
			rc = -1;
	} else
		status_feed_text(cf, &sf, &si);
	state_feed_clear(&sf);
	return rc;
}

/* The spool's object of status --json; 1 when failing, -1 on errors. */
static int
status_spool_json(struct state *st)
{
	char	*msg = NULL;
	size_t	 n = 0;
	int64_t	 since = 0, oldest = 0;
	int	 rc;

	rc = state_health_get(st, "spool", &msg, &since);
	if (state_pending_count(st, &n, &oldest) == -1)
		n = 0;
	if (print_json_line(json_pack("{s:s, s:s, s:s?, s:o, s:I, s:o}",
	    "type", "spool", "state", rc == 1 ? "failing" : "ok",
	    "error", rc == 1 ? msg : NULL,
	    "since", status_json_time(rc == 1 ? since : 0),
	    "pending", (json_int_t)n,
	    "oldest_pending", status_json_time(oldest))) == -1)
		rc = -1;
	free(msg);
	return rc == 1 || rc == -1 ? rc : 0;
}

static int
cmd_status(int argc, char **argv)
{
	struct config		*cfg;
	struct state		*st;
	const char		*path, *statepath = NULL;
	char			*errors = NULL;
	size_t			 i;
	int64_t			 now = (int64_t)time(NULL);
	int			 bad = 0, err = 0, json = 0, rc;

	if (config_option(argc, argv, usage_status, &path, &statepath, &json,
	    0) == -1)
		return 1;
	if (config_load(path, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if (statepath == NULL)
		statepath = cfg->state;
	if (open_existing_state(statepath, &st) == -1) {
		config_free(cfg);
		return 2;
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		rc = status_feed(st, &cfg->feeds[i], json, now);
		bad += rc == 1;
		err += rc == -1;
	}
	rc = json ? status_spool_json(st) : status_spool(st);
	bad += rc == 1;
	err += rc == -1;
	state_close(st);
	config_free(cfg);
	return err > 0 ? 2 : bad > 0 ? 3 : 0;
}

static int
cmd_resume(int argc, char **argv)
{
	struct config		*cfg;
	struct state		*st;
	struct state_feed	 sf;
	const char		*path, *statepath = NULL, *name;
	char			*errors = NULL;
	int			 rc = 1;

	if (config_option(argc, argv, usage_resume, &path, &statepath, NULL,
	    1) == -1)
		return 1;
	name = argv[argc - 1];
	if (config_load(path, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if (config_feed_find(cfg, name) == NULL) {
		fprintf(stderr, "feedspool: %s: no feed [%s]\n", path, name);
		goto out_config;
	}
	if (open_existing_state(statepath != NULL ? statepath : cfg->state,
	    &st) == -1) {
		rc = 2;
		goto out_config;
	}
	if (state_feed_load(st, name, &sf) == -1) {
		fprintf(stderr, "feedspool: state: %s\n", state_errmsg(st));
		rc = 2;
		goto out_state;
	}
	sf.gone = 0;
	sf.failures = 0;
	sf.retry_until = 0;
	sf.next_poll = 0;
	if (state_feed_save(st, name, &sf) == -1) {
		fprintf(stderr, "feedspool: state: %s\n", state_errmsg(st));
		rc = 2;
	} else {
		printf("feed %s: resumed; a running daemon polls it after a "
		    "reload (SIGHUP)\n", name);
		rc = 0;
	}
	state_feed_clear(&sf);
 out_state:
	state_close(st);
 out_config:
	config_free(cfg);
	return rc;
}

/*
 * The story's file in the spool, still in new/ or taken to cur/: its
 * parsed JSON, its path in path; NULL when it is in neither.
 */
static json_t *
story_file_load(const char *spool, const char *name, char *path,
    size_t len)
{
	static const char *const dirs[] = { "new", "cur" };
	json_t		*o;
	json_error_t	 jerr;
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		n = snprintf(path, len, "%s/%s/%s", spool, dirs[i], name);
		if (n < 0 || (size_t)n >= len)
			break;
		if ((o = json_load_file(path, 0, &jerr)) != NULL)
			return o;
	}
	path[0] = '\0';
	return NULL;
}

static const char *
story_field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
story_text(const char *id, const struct state_story *info, json_t *file,
    const char *path)
{
	char	 when[DATE_RFC3339_LEN];

	status_time(info->first_seen, when, sizeof(when));
	printf("story       %s\n", id);
	printf("feed        %s (revision %u)\n", info->feed, info->revision);
	printf("item        %s\n", info->key);
	printf("first seen  %s\n", when);
	printf("delivered   %s\n", info->delivered ? "yes" : "pending");
	if (file == NULL)
		printf("file        %s (taken out of the spool)\n",
		    info->spool_name);
	else {
		printf("file        %s\n", path);
		printf("title       %s\n", story_field(file, "title") != NULL ?
		    story_field(file, "title") : "-");
		printf("url         %s\n", story_field(file, "url") != NULL ?
		    story_field(file, "url") : "-");
	}
	printf("seen at:\n");
}

/* state_sightings() callback of story --json: arg is the array. */
static int
story_sighting_json(void *arg, const char *feed, const char *url,
    int64_t seen)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s?, s:I}",
	    "feed", feed, "url", url, "seen", (json_int_t)seen));
}

static int
story_sighting(void *arg, const char *feed, const char *url, int64_t seen)
{
	char	 when[DATE_RFC3339_LEN];

	(*(unsigned *)arg)++;
	status_time(seen, when, sizeof(when));
	printf("  %s  %-20s %s\n", when, feed, url != NULL ? url : "-");
	return 0;
}

/* story --json: the story's one object; 0, or 2 on errors. */
static int
story_json(struct state *st, const char *id, const struct state_story *info,
    json_t *file, const char *path)
{
	json_t	*seen;

	if ((seen = json_array()) == NULL)
		goto out_nomem;
	if (state_sightings(st, id, story_sighting_json, seen) == -1) {
		fprintf(stderr, "feedspool: %s\n", state_errmsg(st));
		json_decref(seen);
		return 2;
	}
	return print_json_line(json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, "
	    "s:b, s:s, s:s?, s:s?, s:s?, s:s?, s:o}", "type", "story",
	    "id", id, "feed", info->feed, "revision", (int)info->revision,
	    "item", info->key, "first_seen", (json_int_t)info->first_seen,
	    "delivered", info->delivered, "spool_name", info->spool_name,
	    "file", file != NULL ? path : NULL,
	    "title", story_field(file, "title"), "url", story_field(file, "url"),
	    "duplicate_of", story_field(file, "duplicate_of"),
	    "sightings", seen)) == -1 ? 2 : 0;
 out_nomem:
	fprintf(stderr, "feedspool: out of memory\n");
	return 2;
}

static int
cmd_story(int argc, char **argv)
{
	struct config		*cfg;
	struct state		*st;
	struct state_story	 info;
	json_t			*file;
	const char		*path, *statepath = NULL, *id;
	char			*errors = NULL, fpath[4096];
	unsigned		 seen = 0;
	int			 rc, json = 0;

	if (config_option(argc, argv, usage_story, &path, &statepath, &json,
	    1) == -1)
		return 2;
	id = argv[argc - 1];
	if (config_load(path, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 2;
	}
	if (statepath == NULL)
		statepath = cfg->state;
	if (open_existing_state(statepath, &st) == -1) {
		config_free(cfg);
		return 2;
	}
	if ((rc = state_story_info(st, id, &info)) != 1) {
		if (rc == 0)
			fprintf(stderr, "feedspool: no story %s in %s\n", id,
			    statepath);
		else
			fprintf(stderr, "feedspool: %s\n", state_errmsg(st));
		rc = rc == 0 ? 1 : 2;
		goto out;
	}
	file = story_file_load(cfg->spool, info.spool_name, fpath,
	    sizeof(fpath));
	if (json)
		rc = story_json(st, id, &info, file, fpath);
	else {
		story_text(id, &info, file, fpath);
		if (state_sightings(st, id, story_sighting, &seen) == -1) {
			fprintf(stderr, "feedspool: %s\n", state_errmsg(st));
			rc = 2;
		} else {
			printf("(%u sighting%s)\n", seen, seen == 1 ? "" : "s");
			rc = 0;
		}
	}
	json_decref(file);
	state_story_clear(&info);
out:
	state_close(st);
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	const char	*cmd;
	int		 rc;

	/* Dates and numbers are read and written the "C" way, always. */
	setlocale(LC_ALL, "C");
	signal(SIGPIPE, SIG_IGN);
#ifdef M_MMAP_THRESHOLD
	/*
	 * glibc raises its mmap threshold to the size of each large block
	 * freed, up to 32 MiB: then the duplicate index's bands and arrays,
	 * as they grow, and the bodies of documents come out of the heaps,
	 * and the holes they leave stay resident.  Fixed at glibc's own
	 * start value, a first poll of 10,000 feeds peaked at 256 MiB
	 * instead of 450.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, MAIN_MMAP_THRESHOLD);
#endif
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 1;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("feedspool %s\n", FEEDSPOOL_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	argc--;
	argv++;
	if (strcmp(cmd, "run") == 0 && help_wanted(argc, argv)) {
		fputs(usage_run, stdout);
		return 0;
	} else if (strcmp(cmd, "parse") == 0 && help_wanted(argc, argv)) {
		fputs(usage_parse, stdout);
		return 0;
	} else if (strcmp(cmd, "extract") == 0 && help_wanted(argc, argv)) {
		fputs(usage_extract, stdout);
		return 0;
	} else if (strcmp(cmd, "check-config") == 0 && help_wanted(argc, argv)) {
		fputs(usage_check, stdout);
		return 0;
	} else if (strcmp(cmd, "status") == 0 && help_wanted(argc, argv)) {
		fputs(usage_status, stdout);
		return 0;
	} else if (strcmp(cmd, "story") == 0 && help_wanted(argc, argv)) {
		fputs(usage_story, stdout);
		return 0;
	} else if (strcmp(cmd, "resume") == 0 && help_wanted(argc, argv)) {
		fputs(usage_resume, stdout);
		return 0;
	} else if (strcmp(cmd, "add") == 0 && help_wanted(argc, argv)) {
		fputs(feedcmd_usage_add, stdout);
		return 0;
	} else if (strcmp(cmd, "remove") == 0 && help_wanted(argc, argv)) {
		fputs(feedcmd_usage_remove, stdout);
		return 0;
	} else if (strcmp(cmd, "import-opml") == 0 && help_wanted(argc, argv)) {
		fputs(feedcmd_usage_import, stdout);
		return 0;
	} else if (strcmp(cmd, "export-opml") == 0 && help_wanted(argc, argv)) {
		fputs(feedcmd_usage_export, stdout);
		return 0;
	} else if (strcmp(cmd, "tail") == 0) {
		/* A reader of the spool: no network, no XML. */
		if (help_wanted(argc, argv)) {
			fputs(tail_usage, stdout);
			return 0;
		}
		return tail_main(argc, argv, FEEDSPOOL_CONFIG_PATH);
	} else if (strcmp(cmd, "compare") == 0) {
		if (help_wanted(argc, argv)) {
			fputs(usage_compare, stdout);
			return 0;
		}
		/* No network, no XML: nothing to initialise. */
		return cmd_compare(argc, argv);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "feedspool: cannot initialise libcurl\n");
		return 1;
	}
	/* Before any worker thread (daemon/work.h) starts. */
	parsers_init();
	if (strcmp(cmd, "run") == 0)
		rc = cmd_run(argc, argv);
	else if (strcmp(cmd, "parse") == 0)
		rc = cmd_parse(argc, argv);
	else if (strcmp(cmd, "extract") == 0)
		rc = cmd_extract(argc, argv);
	else if (strcmp(cmd, "check-config") == 0)
		rc = cmd_check_config(argc, argv);
	else if (strcmp(cmd, "status") == 0)
		rc = cmd_status(argc, argv);
	else if (strcmp(cmd, "story") == 0)
		rc = cmd_story(argc, argv);
	else if (strcmp(cmd, "resume") == 0)
		rc = cmd_resume(argc, argv);
	else if (strcmp(cmd, "add") == 0)
		rc = feedcmd_add(argc, argv, FEEDSPOOL_CONFIG_PATH);
	else if (strcmp(cmd, "remove") == 0)
		rc = feedcmd_remove(argc, argv, FEEDSPOOL_CONFIG_PATH);
	else if (strcmp(cmd, "import-opml") == 0)
		rc = feedcmd_import_opml(argc, argv, FEEDSPOOL_CONFIG_PATH);
	else if (strcmp(cmd, "export-opml") == 0)
		rc = feedcmd_export_opml(argc, argv, FEEDSPOOL_CONFIG_PATH);
	else {
		fprintf(stderr, "feedspool: unknown command '%s'\n", cmd);
		fputs(usage_main, stderr);
		rc = 1;
	}
	/* Not under a worker left in its job (daemon/work.h). */
	if (!work_left()) {
		xmlCleanupParser();
		curl_global_cleanup();
	}
	return rc;
}
