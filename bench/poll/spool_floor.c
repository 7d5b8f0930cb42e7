/*
 * spool_floor: what writing the stories into a Maildir spool costs by
 * itself, the floor under feedspool's first poll (bench/poll.sh).
 *
 *   build/rel/bench/spool_floor DIR COUNT BYTES BATCH
 *
 * Writes COUNT files of BYTES in all (as even as whole bytes go) into
 * DIR/tmp/ (DIR, tmp/ and new/ made when missing), BATCH at a time, each
 * batch made durable as feedspool makes one (one syncfs of the file
 * system, the renames into DIR/new/, one fsync of new/), and nothing
 * else: no network, no parsing, no state store.  The names are of the
 * spool's shape (time.id.host), one millisecond apart.  Exits 0 when
 * every file is in new/.
 */
/* syncfs(2) is a GNU extension: the build defines _GNU_SOURCE. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLOOR_NAME_MAX	96
#define FLOOR_MAX_FILES	10000000ULL

struct floor {
	int		 tmpfd;
	int		 newfd;
	char		*body;		/* the largest file's bytes */
	uint64_t	 count;
	uint64_t	 bytes;
};

static int
parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char		*end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
floor_name(char *name, size_t size, uint64_t i)
{
	(void)snprintf(name, size, "%" PRIu64 ".%032" PRIx64 ".floor",
	    (uint64_t)1764547200000ULL + i, i);
}

/* File i's share of the bytes: the remainder goes to the first ones. */
static size_t
floor_size(const struct floor *f, uint64_t i)
{
	return (size_t)(f->bytes / f->count + (i < f->bytes % f->count));
}

static int
floor_write(const struct floor *f, uint64_t i)
{
	char	 name[FLOOR_NAME_MAX];
	size_t	 len = floor_size(f, i), off = 0;
	ssize_t	 w;
	int	 fd;

	floor_name(name, sizeof(name), i);
	fd = openat(f->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		fprintf(stderr, "spool_floor: tmp/%s: %s\n", name,
		    strerror(errno));
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, f->body + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "spool_floor: write tmp/%s: %s\n",
			    name, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1) {
		fprintf(stderr, "spool_floor: close tmp/%s: %s\n", name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Files [from, to): written, flushed, renamed, new/ flushed. */
static int
floor_batch(const struct floor *f, uint64_t from, uint64_t to)
{
	char		 name[FLOOR_NAME_MAX];
	uint64_t	 i;

	for (i = from; i < to; i++)
		if (floor_write(f, i) == -1)
			return -1;
	if (syncfs(f->tmpfd) == -1) {
		fprintf(stderr, "spool_floor: syncfs: %s\n", strerror(errno));
		return -1;
	}
	for (i = from; i < to; i++) {
		floor_name(name, sizeof(name), i);
		if (renameat(f->tmpfd, name, f->newfd, name) == -1) {
			fprintf(stderr, "spool_floor: rename %s: %s\n", name,
			    strerror(errno));
			return -1;
		}
	}
	if (fsync(f->newfd) == -1) {
		fprintf(stderr, "spool_floor: fsync new: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_subdir(const char *dir, const char *sub)
{
	char	 path[4096];
	int	 n, fd;

	n = snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "spool_floor: %s: path too long\n", dir);
		return -1;
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "spool_floor: mkdir %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fprintf(stderr, "spool_floor: %s: %s\n", path,
		    strerror(errno));
	return fd;
}

int
main(int argc, char **argv)
{
	struct floor	 f = { -1, -1, NULL, 0, 0 };
	uint64_t	 batch, i, to;
	size_t		 big;
	int		 rc = 1;

	if (argc != 5 || parse_count(argv[2], FLOOR_MAX_FILES, &f.count) ||
	    parse_count(argv[3], UINT64_MAX, &f.bytes) ||
	    parse_count(argv[4], FLOOR_MAX_FILES, &batch)) {
		fprintf(stderr, "usage: spool_floor DIR COUNT BYTES BATCH\n");
		return 2;
	}
	if (f.bytes / f.count > 64 * 1024 * 1024) {
		fprintf(stderr, "spool_floor: files of over 64 MB\n");
		return 2;
	}
	big = floor_size(&f, 0);
	if (mkdir(argv[1], 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "spool_floor: mkdir %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if ((f.tmpfd = open_subdir(argv[1], "tmp")) == -1 ||
	    (f.newfd = open_subdir(argv[1], "new")) == -1)
		goto close_dirs;
	/* What the bytes are does not matter to the disk. */
	if ((f.body = malloc(big > 0 ? big : 1)) == NULL) {
		fprintf(stderr, "spool_floor: out of memory\n");
		goto close_dirs;
	}
	memset(f.body, 'x', big);
	for (i = 0; i < f.count; i = to) {
		to = f.count - i > batch ? i + batch : f.count;
		if (floor_batch(&f, i, to) == -1)
			goto free_body;
	}
	rc = 0;
free_body:
	free(f.body);
close_dirs:
	if (f.newfd != -1)
		close(f.newfd);
	if (f.tmpfd != -1)
		close(f.tmpfd);
	return rc;
}
