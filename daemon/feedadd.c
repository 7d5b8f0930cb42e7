/*
 * feedadd: `feedspool add URL [NAME]`.  The URL is fetched as the daemon
 * fetches a feed (its User-Agent, limits and redirects, through
 * daemon/fetch.c, one easy transfer at a time: a person waits for it);
 * when it is a web page, the feeds it links to are tried in its order,
 * then the common paths of its site, and the first that parses as a feed
 * is written to the include directory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "daemon/config.h"
#include "daemon/daemon_int.h"
#include "daemon/discover.h"
#include "daemon/feedcmd.h"
#include "daemon/feedcmd_int.h"
#include "daemon/fetch.h"
#include "parsers/feed.h"

const char feedcmd_usage_add[] =
"usage: feedspool add [-c FILE] [--category LABEL] URL [NAME]\n"
"\n"
"Add the feed at URL, or the feed a web page at URL links to\n"
"(<link rel=\"alternate\">, else /feed, /rss, /feed.xml, /atom.xml,\n"
"/index.xml, /rss.xml of its site): fetch it, check that it parses, and\n"
"write [NAME] (by default from the feed's title, else the host) to a\n"
"file of the include directory.  Exits 1 when no feed is found, NAME or\n"
"the feed is configured already, or there is no include directory (the\n"
"section to add by hand is printed instead).\n";

struct found {
	char	*url;		/* the feed's */
	char	*title;
	size_t	 nitems;
};

/* The host of an http(s) URL, as a length into it. */
static const char *
url_host(const char *url, size_t *len)
{
	const char	*h = strstr(url, "://");

	if (h == NULL) {
		*len = 0;
		return url;
	}
	h += 3;
	*len = strcspn(h, ":/?#");
	return h;
}

static int
same_host(const char *a, const char *b)
{
	const char	*ha, *hb;
	size_t		 la, lb;

	ha = url_host(a, &la);
	hb = url_host(b, &lb);
	return la > 0 && la == lb && strncasecmp(ha, hb, la) == 0;
}

/*
 * One GET, as the daemon makes it; NULL after printing why it failed.
 * A link from a page (untrusted) may not reach a private address unless
 * allow_private_articles says so; the URL given, and its own site, may.
 */
static struct fetch *
get(const struct config *cfg, const char *url, int public_only)
{
	struct fetch_opts		 o;
	struct fetch			*f;
	const struct fetch_result	*r;

	memset(&o, 0, sizeof(o));
	o.url = url;
	o.user_agent = cfg->user_agent_header;
	o.proxy = cfg->req.proxy;
	o.timeout = cfg->timeout;
	o.connect_timeout = cfg->connect_timeout;
	o.max_redirects = cfg->max_redirects;
	o.max_body = cfg->max_body;
	o.public_only = public_only;
	if ((f = fetch_new(&o, NULL, NULL)) == NULL) {
		fprintf(stderr, "feedspool: %s: cannot set up the transfer\n",
		    url);
		return NULL;
	}
	fetch_done(f, curl_easy_perform(fetch_easy(f)));
	r = fetch_result(f);
	if (!r->ok)
		fprintf(stderr, "feedspool: %s: %s\n", url, r->error);
	else if (r->status < 200 || r->status > 299)
		fprintf(stderr, "feedspool: %s: HTTP %ld\n", url, r->status);
	else
		return f;
	fetch_free(f);
	return NULL;
}

/* Whether the answer r to url parses as a feed: 1 and *out set. */
static int
as_feed(const char *url, const struct fetch_result *r, struct found *out,
    int quiet)
{
	struct feed_doc	*doc;
	char		*charset, err[512];
	int		 rc;

	charset = daemon_charset(r->content_type);
	rc = feed_parse(r->body, r->body_len, r->final_url != NULL ?
	    r->final_url : url, charset, &doc, err, sizeof(err));
	free(charset);
	if (rc == -1) {
		if (!quiet)
			fprintf(stderr, "feedspool: %s: not a feed: %s\n", url,
			    err);
		return 0;
	}
	out->nitems = doc->nitems;
	out->url = strdup(url);
	out->title = doc->title != NULL ? strdup(doc->title) : NULL;
	feed_free(doc);
	if (out->url == NULL) {
		fprintf(stderr, "feedspool: out of memory\n");
		return -1;
	}
	return 1;
}

/* The first candidate that is a feed: 1, 0 when none is, -1 on errors. */
static int
try_list(const struct config *cfg, const struct discover_list *l,
    const char *page, struct found *out)
{
	struct fetch	*f;
	size_t		 i;
	int		 rc, public_only;

	for (i = 0; i < l->n; i++) {
		public_only = !cfg->allow_private_articles &&
		    !same_host(l->urls[i], page);
		fprintf(stderr, "feedspool: trying %s\n", l->urls[i]);
		if ((f = get(cfg, l->urls[i], public_only)) == NULL)
			continue;
		rc = as_feed(l->urls[i], fetch_result(f), out, 0);
		fetch_free(f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The page's own links, then its site's common paths. */
static int
discover(const struct config *cfg, const char *url,
    const struct fetch_result *r, struct found *out)
{
	struct discover_list	 l;
	const char		*page = r->final_url != NULL ? r->final_url : url;
	int			 rc;

	if (discover_links(r->body, r->body_len, page, &l) == -1)
		goto nomem;
	if (l.n == 0)
		fprintf(stderr, "feedspool: %s links to no feed "
		    "(<link rel=\"alternate\">)\n", url);
	rc = try_list(cfg, &l, page, out);
	discover_list_free(&l);
	if (rc != 0)
		return rc;
	if (discover_fallbacks(page, &l) == -1)
		goto nomem;
	rc = try_list(cfg, &l, page, out);
	discover_list_free(&l);
	return rc;
 nomem:
	fprintf(stderr, "feedspool: out of memory\n");
	return -1;
}

static int
find_feed(const struct config *cfg, const char *url, struct found *out)
{
	struct fetch	*f;
	int		 rc;

	if ((f = get(cfg, url, 0)) == NULL)
		return -1;
	/* A page is no feed: only its parse error would be noise. */
	rc = as_feed(url, fetch_result(f), out,
	    discover_is_html(fetch_result(f)->body, fetch_result(f)->body_len,
	    fetch_result(f)->content_type));
	if (rc == 0 && (rc = discover(cfg, url, fetch_result(f), out)) == 0)
		fprintf(stderr, "feedspool: no feed found at %s: it is not "
		    "one, links to none that answers, and none of its site's "
		    "/feed, /rss, /feed.xml, /atom.xml, /index.xml, /rss.xml "
		    "is one\n", url);
	fetch_free(f);
	return rc == 1 ? 0 : -1;
}

/* NAME given, or made from the feed: malloc'd; NULL after saying why. */
static char *
add_name(const struct config *cfg, const char *given, const struct found *ff)
{
	const struct config_feed	*cf;
	char				*name;

	if (given != NULL && !feedcmd_name_ok(given)) {
		fprintf(stderr, "feedspool: bad feed name '%s' (1 to %d "
		    "letters, digits, '.', '_' or '-', not starting with '.' "
		    "or '-')\n", given, FEEDCMD_NAME_MAX);
		return NULL;
	}
	name = given != NULL ? strdup(given) :
	    feedcmd_name_from(ff->title, ff->url);
	if (name == NULL) {
		fprintf(stderr, "feedspool: out of memory\n");
		return NULL;
	}
	if ((cf = config_feed_find(cfg, name)) != NULL) {
		fprintf(stderr, "feedspool: feed [%s] exists (%s:%u): give "
		    "another NAME\n", name, cf->file, cf->line);
		free(name);
		return NULL;
	}
	return name;
}

/* Write the feed's file and check the configuration with it. */
static int
add_write(const char *config, const char *name, const struct found *ff,
    const char *category)
{
	struct feedcmd_dir	 d;
	char			 why[512], *path = NULL;
	int			 found, rc;

	if ((found = feedcmd_dir_find(config, &d, why, sizeof(why))) == -1)
		return -1;
	if (found == 0) {
		fprintf(stderr, "feedspool: %s: not added; add `include = "
		    "feeds.d/*.conf` to [feedspool] for `feedspool add` to "
		    "write a file, or this section (on stdout) to %s\n", why,
		    config);
		feedcmd_section(stdout, name, ff->url, category);
		return -1;
	}
	rc = feedcmd_write(&d, name, ff->url, category,
	    "added by feedspool add", &path);
	if (rc == 1)
		fprintf(stderr, "feedspool: %s/%s%s exists: give another "
		    "NAME\n", d.dir, name, d.suffix);
	if (rc == 0 && feedcmd_check(config) == -1) {
		fprintf(stderr, "feedspool: not added (%s removed)\n", path);
		unlink(path);
		rc = -1;
	}
	if (rc == 0)
		printf("added feed [%s] %s (\"%s\", %zu item%s) in %s\n", name,
		    ff->url, ff->title != NULL ? ff->title : "", ff->nitems,
		    ff->nitems == 1 ? "" : "s", path);
	free(path);
	feedcmd_dir_free(&d);
	return rc == 0 ? 0 : -1;
}

int
feedcmd_add(int argc, char **argv, const char *config)
{
	struct config	*cfg;
	struct found	 ff;
	const char	*deflt = config, *category = NULL, *known;
	char		*errors = NULL, *name = NULL, *cat = NULL;
	int		 rc = 1;

	if (feedcmd_options(argc, argv, feedcmd_usage_add, &config, &category,
	    1, 2) == -1)
		return 1;
	if (!feedcmd_url_usable(argv[optind])) {
		fprintf(stderr, "feedspool: '%s' is not an http:// or https:// "
		    "URL\n", argv[optind]);
		return 1;
	}
	if (feedcmd_clean_value("category", category, &cat) == -1) {
		fprintf(stderr, "feedspool: category too long\n");
		return 1;
	}
	if (config_load(config, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		free(cat);
		return 1;
	}
	memset(&ff, 0, sizeof(ff));
	if (find_feed(cfg, argv[optind], &ff) == -1)
		goto out;
	if ((known = feedcmd_url_configured(cfg, ff.url)) != NULL) {
		fprintf(stderr, "feedspool: %s is configured already, as "
		    "[%s]\n", ff.url, known);
		goto out;
	}
	if (!feedcmd_url_usable(ff.url)) {
		fprintf(stderr, "feedspool: %s: too long for a line of the "
		    "configuration\n", ff.url);
		goto out;
	}
	if ((name = add_name(cfg, optind + 1 < argc ? argv[optind + 1] : NULL,
	    &ff)) == NULL || add_write(config, name, &ff, cat) == -1)
		goto out;
	feedcmd_tell_daemon(config, deflt);
	rc = 0;
 out:
	free(name);
	free(cat);
	free(ff.url);
	free(ff.title);
	config_free(cfg);
	return rc;
}
