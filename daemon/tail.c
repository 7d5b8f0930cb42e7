/*
 * tail: list and follow the stories in SPOOL/new, see tail.h.
 *
 * With --follow the watch on new/ is set up before the directory is
 * read, so that no story slips between the listing and the first event;
 * a story both listed and notified is printed once (the names listed are
 * kept, sorted, and looked up).  A file gone between its event and its
 * read (a consumer took it) is skipped without a word.
 */
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "tail.h"

/* A story file larger than this is not one of ours. */
#define TAIL_FILE_MAX	((off_t)256 << 20)

const char tail_usage[] =
"usage: feedspool tail [-c FILE] [-f | --follow] [--json] [SPOOL]\n"
"\n"
"Print the stories waiting in the spool's new/ (SPOOL, or the configured\n"
"spool), oldest first: one line each, time (published, else fetched),\n"
"feed, title and URL separated by tabs.\n"
"  -c, --config FILE  configuration (for the spool)\n"
"  -f, --follow       then print each story as it arrives, until SIGINT\n"
"                     or SIGTERM, or until the reader of stdout goes\n"
"  --json             each story file's JSON on one line (JSON Lines)\n"
"Files are only read, never moved.  Exits 0; 2 when new/ cannot be read.\n";

struct entry {
	char		*name;
	struct timespec	 mtime;
};

struct tail {
	int		 dirfd;		/* SPOOL/new */
	int		 json;
	struct entry	*listed;	/* sorted by name, with --follow */
	size_t		 nlisted;
	int		 out_gone;	/* EPIPE: stop, exit 0 */
};

/* Title and feed on one line: tabs, newlines, controls become spaces. */
static void
tail_field(const char *s, FILE *out)
{
	if (s == NULL || *s == '\0') {
		fputc('-', out);
		return;
	}
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

static const char *
tail_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One story's line; 0, or -1 when stdout failed (out_gone on EPIPE). */
static int
tail_print(struct tail *t, json_t *j)
{
	const char	*when;
	char		*line;

	if (t->json) {
		if ((line = json_dumps(j, JSON_COMPACT)) == NULL)
			return 0;
		fputs(line, stdout);
		free(line);
	} else {
		if ((when = tail_str(j, "published")) == NULL)
			when = tail_str(j, "fetched");
		tail_field(when, stdout);
		fputc('\t', stdout);
		tail_field(tail_str(json_object_get(j, "feed"), "name"),
		    stdout);
		fputc('\t', stdout);
		tail_field(tail_str(j, "title"), stdout);
		fputc('\t', stdout);
		tail_field(tail_str(j, "url"), stdout);
	}
	fputc('\n', stdout);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			t->out_gone = 1;
		else
			perror("feedspool: stdout");
		return -1;
	}
	return 0;
}

/*
 * The story file name in new/: printed (0), skipped (0: gone, not a
 * regular file, not JSON: said on stderr but for the first), or -1 when
 * stdout failed.
 */
static int
tail_file(struct tail *t, const char *name)
{
	struct stat	 st;
	json_error_t	 e;
	json_t		*j;
	int		 fd, rc;

	if (name[0] == '.')
		return 0;
	if ((fd = openat(t->dirfd, name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK)) == -1) {
		if (errno != ENOENT)
			fprintf(stderr, "feedspool: new/%s: %s\n", name,
			    strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TAIL_FILE_MAX) {
		close(fd);
		return 0;
	}
	j = json_loadfd(fd, JSON_REJECT_DUPLICATES, &e);
	close(fd);
	if (j == NULL) {
		fprintf(stderr, "feedspool: new/%s: not JSON: %s (line %d)\n",
		    name, e.text, e.line);
		return 0;
	}
	rc = tail_print(t, j);
	json_decref(j);
	return rc;
}

static int
tail_cmp_time(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
tail_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

static void
tail_entries_free(struct entry *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* The files of new/ with their mtimes, in *v: 0, or -1 (said why). */
static int
tail_read_dir(struct tail *t, struct entry **vp, size_t *np)
{
	struct entry	*v = NULL, *nv;
	struct dirent	*de;
	struct stat	 st;
	DIR		*dir;
	size_t		 n = 0, cap = 0;
	int		 fd;

	if ((fd = dup(t->dirfd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		perror("feedspool: new/");
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || fstatat(t->dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[n].name = strdup(de->d_name)) == NULL)
			goto oom;
		v[n++].mtime = st.st_mtim;
	}
	closedir(dir);
	*vp = v;
	*np = n;
	return 0;
oom:
	fprintf(stderr, "feedspool: out of memory\n");
	closedir(dir);
	tail_entries_free(v, n);
	return -1;
}

/* What is in new/ now, oldest first: 0, 1 when stdout went, -1. */
static int
tail_list(struct tail *t, int keep)
{
	struct entry	*v;
	size_t		 n, i;

	if (tail_read_dir(t, &v, &n) == -1)
		return -1;
	qsort(v, n, sizeof(*v), tail_cmp_time);
	for (i = 0; i < n; i++)
		if (tail_file(t, v[i].name) == -1)
			break;
	if (keep) {
		qsort(v, n, sizeof(*v), tail_cmp_name);
		t->listed = v;
		t->nlisted = n;
	} else
		tail_entries_free(v, n);
	if (i < n)
		return t->out_gone ? 1 : -1;
	return 0;
}

static int
tail_was_listed(const struct tail *t, const char *name)
{
	struct entry	 key;

	key.name = (char *)(uintptr_t)name;
	return t->nlisted > 0 && bsearch(&key, t->listed, t->nlisted,
	    sizeof(key), tail_cmp_name) != NULL;
}

/* The events read from ifd: 0, 1 when stdout went, -1. */
static int
tail_events(struct tail *t, int ifd)
{
	_Alignas(struct inotify_event) char buf[64 * 1024];
	const struct inotify_event	*ev;
	ssize_t				 len;
	char				*p;

	if ((len = read(ifd, buf, sizeof(buf))) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		perror("feedspool: inotify");
		return -1;
	}
	for (p = buf; p < buf + len;
	    p += sizeof(struct inotify_event) + ev->len) {
		ev = (const struct inotify_event *)(void *)p;
		if (ev->mask & IN_Q_OVERFLOW)
			fprintf(stderr, "feedspool: too many stories at once: "
			    "some were not shown\n");
		if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
			fprintf(stderr, "feedspool: new/ is gone\n");
			return -1;
		}
		if (ev->len == 0 || tail_was_listed(t, ev->name))
			continue;
		if (tail_file(t, ev->name) == -1)
			return t->out_gone ? 1 : -1;
	}
	return 0;
}

/*
 * Until SIGINT or SIGTERM (a signalfd: no handler races the poll), or
 * until stdout, a pipe whose reader went, reports an error.
 */
static int
tail_follow(struct tail *t, int ifd)
{
	struct pollfd	 fds[3];
	sigset_t	 set;
	int		 sfd, rc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		perror("feedspool: signalfd");
		return -1;
	}
	fds[0].fd = ifd;
	fds[0].events = POLLIN;
	fds[1].fd = sfd;
	fds[1].events = POLLIN;
	fds[2].fd = STDOUT_FILENO;
	fds[2].events = 0;
	while (rc == 0) {
		if (poll(fds, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("feedspool: poll");
			rc = -1;
			break;
		}
		if (fds[1].revents != 0 || (fds[2].revents & (POLLERR |
		    POLLHUP | POLLNVAL)))
			break;
		if (fds[0].revents != 0)
			rc = tail_events(t, ifd);
	}
	close(sfd);
	return rc;
}

/* The spool directory: SPOOL, or the configuration's; NULL on errors. */
static char *
tail_spool(const char *arg, const char *config)
{
	struct config	*cfg;
	char		*errors = NULL, *spool;

	if (arg != NULL)
		return strdup(arg);
	if (config_load(config, &cfg, &errors) == -1) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return NULL;
	}
	spool = strdup(cfg->spool);
	config_free(cfg);
	return spool;
}

static int
tail_run(struct tail *t, const char *spool, int follow)
{
	char	 path[PATH_MAX];
	int	 ifd = -1, rc, n;

	n = snprintf(path, sizeof(path), "%s/new", spool);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "feedspool: %s: path too long\n", spool);
		return -1;
	}
	if ((t->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		fprintf(stderr, "feedspool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (follow && ((ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) ==
	    -1 || inotify_add_watch(ifd, path, IN_MOVED_TO | IN_CLOSE_WRITE |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) == -1)) {
		fprintf(stderr, "feedspool: inotify on %s: %s\n", path,
		    strerror(errno));
		rc = -1;
		goto out;
	}
	if ((rc = tail_list(t, follow)) == 0 && follow)
		rc = tail_follow(t, ifd);
out:
	if (ifd != -1)
		close(ifd);
	close(t->dirfd);
	tail_entries_free(t->listed, t->nlisted);
	return rc;
}

int
tail_main(int argc, char **argv, const char *config)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "follow",	no_argument,	   NULL, 'f' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct tail	 t;
	char		*spool;
	int		 ch, follow = 0, rc;

	memset(&t, 0, sizeof(t));
	while ((ch = getopt_long(argc, argv, "c:f", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'f':
			follow = 1;
			break;
		case 'j':
			t.json = 1;
			break;
		default:
			fputs(tail_usage, stderr);
			return 1;
		}
	}
	if (optind < argc - 1) {
		fputs(tail_usage, stderr);
		return 1;
	}
	if ((spool = tail_spool(optind < argc ? argv[optind] : NULL,
	    config)) == NULL)
		return 2;
	rc = tail_run(&t, spool, follow);
	free(spool);
	/* The reader went away: what it wanted, it had. */
	return rc == -1 ? 2 : 0;
}
