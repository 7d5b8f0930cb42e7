/*
 * spool: Maildir delivery, the way OpenSMTPD's maildir backend does it.
 *
 * The spool keeps directory descriptors for tmp/ and new/ so every
 * delivery works relative to them (openat, renameat) and the directory
 * that received the rename can be fsync'ed without opening it again.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/spool.h"

#define SPOOL_DIR_MODE	0755
#define SPOOL_FILE_MODE	0644

struct spool {
	char	*path;
	int	 dirfd;
	int	 tmpfd;
	int	 newfd;
};

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* A truncated error message is still a useful one: no check needed. */
static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* mkdir -p: create dir and any missing parents. */
static int
mkpath(const char *dir, char *err, size_t errlen)
{
	char	*p, *copy;

	if ((copy = strdup(dir)) == NULL) {
		seterr(err, errlen, "spool %s: %s", dir, strerror(errno));
		return -1;
	}
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char save = *p;

			*p = '\0';
			if (mkdir(copy, SPOOL_DIR_MODE) == -1 &&
			    errno != EEXIST) {
				seterr(err, errlen, "spool: mkdir %s: %s",
				    copy, strerror(errno));
				free(copy);
				return -1;
			}
			*p = save;
		}
		if (*p == '\0')
			break;
	}
	free(copy);
	return 0;
}

/* Create (if needed) and open one of tmp/, new/, cur/. */
static int
open_subdir(struct spool *sp, const char *name, int *created, char *err,
    size_t errlen)
{
	int	 fd;

	if (mkdirat(sp->dirfd, name, SPOOL_DIR_MODE) == 0)
		*created = 1;
	else if (errno != EEXIST) {
		seterr(err, errlen, "spool: mkdir %s/%s: %s", sp->path, name,
		    strerror(errno));
		return -1;
	}
	fd = openat(sp->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		seterr(err, errlen, "spool: open %s/%s: %s", sp->path, name,
		    strerror(errno));
	return fd;
}

/*
 * Whatever is in tmp/ at start-up, once the caller adopted what its
 * records say is a story, was being written when we last died; its item
 * is still pending in the state database with its JSON and will be
 * written again, so the leftovers are only removed.  A leftover that
 * cannot be removed (a spool remounted read-only) is left: it is harmless,
 * never renamed, and replaced when its story is written again, and the
 * daemon must start to keep polling while the spool is unwritable.
 */
int
spool_clean_tmp(struct spool *sp, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	int		 fd;

	/* fdopendir() owns the descriptor it is given. */
	if ((fd = dup(sp->tmpfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		seterr(err, errlen, "spool: %s/tmp: %s", sp->path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sp->tmpfd, de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (unlinkat(sp->tmpfd, de->d_name, 0) == -1 &&
		    errno != ENOENT && errno != EROFS) {
			seterr(err, errlen, "spool: unlink %s/tmp/%s: %s",
			    sp->path, de->d_name, strerror(errno));
			closedir(d);
			return -1;
		}
	}
	if (errno != 0) {
		seterr(err, errlen, "spool: read %s/tmp: %s", sp->path,
		    strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}

int
spool_open(const char *dir, struct spool **out, char *err, size_t errlen)
{
	struct spool	*sp;
	int		 curfd, created = 0;

	*out = NULL;
	if (dir == NULL || *dir == '\0') {
		seterr(err, errlen, "spool: empty directory name");
		return -1;
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->path = strdup(dir)) == NULL) {
		seterr(err, errlen, "spool %s: %s", dir, strerror(errno));
		goto out_free;
	}
	sp->dirfd = sp->tmpfd = sp->newfd = -1;

	if (mkpath(dir, err, errlen) == -1)
		goto out_free;
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd == -1) {
		seterr(err, errlen, "spool: open %s: %s", dir,
		    strerror(errno));
		goto out_free;
	}
	if ((sp->tmpfd = open_subdir(sp, "tmp", &created, err,
	    errlen)) == -1 ||
	    (sp->newfd = open_subdir(sp, "new", &created, err,
	    errlen)) == -1 ||
	    (curfd = open_subdir(sp, "cur", &created, err, errlen)) == -1)
		goto out_close;
	/* cur/ is for readers; we only make sure it exists. */
	close(curfd);

	/* Make freshly created subdirectories survive a crash. */
	if (created && fsync(sp->dirfd) == -1) {
		seterr(err, errlen, "spool: fsync %s: %s", dir,
		    strerror(errno));
		goto out_close;
	}
	*out = sp;
	return 0;

 out_close:
	if (sp->newfd != -1)
		close(sp->newfd);
	if (sp->tmpfd != -1)
		close(sp->tmpfd);
	close(sp->dirfd);
 out_free:
	if (sp != NULL)
		free(sp->path);
	free(sp);
	return -1;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	close(sp->newfd);
	close(sp->tmpfd);
	close(sp->dirfd);
	free(sp->path);
	free(sp);
}

int
spool_name(char *buf, size_t len, int64_t unix_ms, const char *id)
{
	int	 n;

	if (buf == NULL || len == 0 || id == NULL || *id == '\0')
		return -1;
	n = snprintf(buf, len, "%" PRId64 ".%s.json", unix_ms, id);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* One path component, not hidden (readers skip dot files). */
static int
valid_name(const char *name)
{
	size_t	 len;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    strchr(name, '/') != NULL)
		return 0;
	len = strlen(name);
	return len <= NAME_MAX;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char	*p = data;
	ssize_t			 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A tmp/NAME that already exists is from a delivery that died half way
 * (we are the only writer): remove it and try once more.
 */
static int
create_tmp(const struct spool *sp, const char *name)
{
	int	 fd, flags = O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC;

	fd = openat(sp->tmpfd, name, flags, SPOOL_FILE_MODE);
	if (fd == -1 && errno == EEXIST) {
		if (unlinkat(sp->tmpfd, name, 0) == -1 && errno != ENOENT)
			return -1;
		fd = openat(sp->tmpfd, name, flags, SPOOL_FILE_MODE);
	}
	return fd;
}

int
spool_deliver(struct spool *sp, const char *name, const void *data,
    size_t len, char *err, size_t errlen)
{
	const char	*what;
	int		 fd, saved;

	if (!valid_name(name)) {
		seterr(err, errlen, "spool: invalid file name \"%s\"",
		    name != NULL ? name : "(null)");
		return -1;
	}
	if ((fd = create_tmp(sp, name)) == -1) {
		seterr(err, errlen, "spool: create %s/tmp/%s: %s", sp->path,
		    name, strerror(errno));
		return -1;
	}

	what = "write";
	if (write_all(fd, data, len) == -1)
		goto out_close;
	what = "fsync";
	if (fsync(fd) == -1)
		goto out_close;
	/* close() can report a deferred write error (NFS). */
	what = "close";
	if (close(fd) == -1) {
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	/* rename(2) replaces an existing new/NAME atomically. */
	what = "rename";
	if (renameat(sp->tmpfd, name, sp->newfd, name) == -1)
		goto out_unlink;
	/*
	 * The story is in new/ but may not survive a power cut: report the
	 * failure so the item stays pending and is written again.
	 */
	if (fsync(sp->newfd) == -1) {
		saved = errno;
		seterr(err, errlen, "spool: fsync %s/new: %s", sp->path,
		    strerror(saved));
		return -1;
	}
	return 0;

 out_close:
	saved = errno;
	close(fd);
	errno = saved;
 out_unlink:
	saved = errno;
	(void)unlinkat(sp->tmpfd, name, 0);
	seterr(err, errlen, "spool: %s %s/tmp/%s: %s", what, sp->path, name,
	    strerror(saved));
	return -1;
}

/*
 * tmp/NAME written and closed, not flushed: 0, or -1 with errno kept,
 * nothing left, and in *what the step that failed.
 */
static int
tmp_write(const struct spool *sp, const char *name, const void *data,
    size_t len, const char **what)
{
	int	 fd, saved;

	*what = "create";
	if ((fd = create_tmp(sp, name)) == -1)
		return -1;
	*what = "write";
	if (write_all(fd, data, len) == -1) {
		saved = errno;
		(void)close(fd);
		goto out_unlink;
	}
	/* close() can report a deferred write error (NFS). */
	*what = "close";
	if (close(fd) == -1) {
		saved = errno;
		goto out_unlink;
	}
	return 0;
 out_unlink:
	(void)unlinkat(sp->tmpfd, name, 0);
	errno = saved;
	return -1;
}

int
spool_tmp_write(const struct spool *sp, const char *name, const void *data,
    size_t len)
{
	const char	*what;

	if (!valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	return tmp_write(sp, name, data, len, &what);
}

void
spool_tmp_remove(const struct spool *sp, const char *name)
{
	if (valid_name(name))
		(void)unlinkat(sp->tmpfd, name, 0);
}

/* ---- batches ---- */

struct spool_batch {
	struct spool	 *sp;
	char		**names;	/* written to tmp/, not yet renamed */
	size_t		  n, cap;
	size_t		  renamed;	/* names[0..renamed-1] are in new/ */
	int		  synced;	/* every file durable in tmp/ */
	int		  kept;		/* the caller answers for them */
	int		  error;	/* errno of the failure, 0 none */
	char		 *failed;	/* the file it was about, or NULL */
};

/* Remember what failed, for spool_batch_failure(); errno is kept. */
static void
batch_failed(struct spool_batch *b, const char *name, int error)
{
	b->error = error;
	free(b->failed);
	b->failed = name != NULL ? strdup(name) : NULL;
	errno = error;
}

struct spool_batch *
spool_batch_new(struct spool *sp)
{
	struct spool_batch	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->sp = sp;
	return b;
}

size_t
spool_batch_count(const struct spool_batch *b)
{
	return b->n;
}

static int
batch_grow(struct spool_batch *b)
{
	char	**nv;
	size_t	  cap;

	if (b->n < b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap * 2 : 16;
	if (cap < b->cap || (nv = reallocarray(b->names, cap,
	    sizeof(*nv))) == NULL)
		return -1;
	b->names = nv;
	b->cap = cap;
	return 0;
}

/*
 * A copy of name for the batch's next slot, room made for it: NULL (err
 * and the failure set) when the name is not one, or out of memory.
 */
static char *
batch_name(struct spool_batch *b, const char *name, char *err,
    size_t errlen)
{
	char	*copy;

	if (!valid_name(name)) {
		seterr(err, errlen, "spool: invalid file name \"%s\"",
		    name != NULL ? name : "(null)");
		batch_failed(b, NULL, EINVAL);
		return NULL;
	}
	if (batch_grow(b) == -1 || (copy = strdup(name)) == NULL) {
		seterr(err, errlen, "spool: %s", strerror(ENOMEM));
		batch_failed(b, NULL, ENOMEM);
		return NULL;
	}
	return copy;
}

/* Written and closed, not flushed: spool_batch_commit() does that. */
int
spool_batch_add(struct spool_batch *b, const char *name, const void *data,
    size_t len, char *err, size_t errlen)
{
	struct spool	*sp = b->sp;
	const char	*what;
	char		*copy;
	int		 saved;

	if ((copy = batch_name(b, name, err, errlen)) == NULL)
		return -1;
	if (tmp_write(sp, name, data, len, &what) == -1) {
		saved = errno;
		seterr(err, errlen, "spool: %s %s/tmp/%s: %s", what, sp->path,
		    name, strerror(saved));
		batch_failed(b, name, saved);
		free(copy);
		return -1;
	}
	b->names[b->n++] = copy;
	return 0;
}

int
spool_batch_take(struct spool_batch *b, const char *name, char *err,
    size_t errlen)
{
	char	*copy;

	if ((copy = batch_name(b, name, err, errlen)) == NULL) {
		/* It is the batch's all the same: gone with it. */
		spool_tmp_remove(b->sp, name);
		return -1;
	}
	b->names[b->n++] = copy;
	return 0;
}

/*
 * One syncfs(2) makes every file of the batch durable at once (since
 * Linux 5.8 it also reports a write-back error of any of them); only
 * then may a name appear in new/.  After the renames one fsync of new/
 * makes the names durable.  A failure leaves the stories to be written
 * again: those already renamed are replaced by the next delivery.
 */
int
spool_batch_commit(struct spool_batch *b, char *err, size_t errlen)
{
	if (spool_batch_sync(b, err, errlen) == -1)
		return -1;
	return spool_batch_publish(b, err, errlen);
}

int
spool_batch_sync(struct spool_batch *b, char *err, size_t errlen)
{
	struct spool	*sp = b->sp;

	if (b->n == 0 || b->synced)
		return 0;
	if (syncfs(sp->tmpfd) == -1) {
		seterr(err, errlen, "spool: syncfs %s: %s", sp->path,
		    strerror(errno));
		batch_failed(b, NULL, errno);
		return -1;
	}
	b->synced = 1;
	return 0;
}

void
spool_batch_keep(struct spool_batch *b)
{
	b->kept = 1;
}

int
spool_batch_publish(struct spool_batch *b, char *err, size_t errlen)
{
	struct spool	*sp = b->sp;
	const char	*name;

	if (b->n == 0)
		return 0;
	if (!b->synced) {
		seterr(err, errlen, "spool: %s: publishing a batch not "
		    "flushed", sp->path);
		batch_failed(b, NULL, EINVAL);
		return -1;
	}
	for (; b->renamed < b->n; b->renamed++) {
		name = b->names[b->renamed];
		if (renameat(sp->tmpfd, name, sp->newfd, name) == -1) {
			seterr(err, errlen, "spool: rename %s/tmp/%s: %s",
			    sp->path, name, strerror(errno));
			batch_failed(b, name, errno);
			return -1;
		}
	}
	if (fsync(sp->newfd) == -1) {
		seterr(err, errlen, "spool: fsync %s/new: %s", sp->path,
		    strerror(errno));
		batch_failed(b, NULL, errno);
		return -1;
	}
	return 0;
}

void
spool_batch_free(struct spool_batch *b)
{
	size_t	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		if (i >= b->renamed && !b->kept)
			(void)unlinkat(b->sp->tmpfd, b->names[i], 0);
		free(b->names[i]);
	}
	free(b->names);
	free(b->failed);
	free(b);
}

int
spool_adopt(struct spool *sp, const char *name, char *err, size_t errlen)
{
	int	 saved;

	if (!valid_name(name)) {
		seterr(err, errlen, "spool: invalid name %s", name);
		errno = EINVAL;
		return -1;
	}
	if (renameat(sp->tmpfd, name, sp->newfd, name) == -1 &&
	    errno != ENOENT) {
		saved = errno;
		seterr(err, errlen, "spool: rename %s/tmp/%s: %s", sp->path,
		    name, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

int
spool_sync_new(struct spool *sp, char *err, size_t errlen)
{
	int	 saved;

	if (fsync(sp->newfd) == -1) {
		saved = errno;
		seterr(err, errlen, "spool: fsync %s/new: %s", sp->path,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

int
spool_batch_failure(const struct spool_batch *b, const char **name)
{
	*name = b->failed;
	return b->error;
}

int
spool_probe(struct spool *sp, char *err, size_t errlen)
{
	static const char	 probe[] = "probe\n";
	char			 name[64];
	const char		*what = "create";
	int			 fd, saved;

	(void)snprintf(name, sizeof(name), "probe.%ld", (long)getpid());
	if ((fd = openat(sp->tmpfd, name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1)
		goto out_fail;
	what = "write";
	if (write_all(fd, probe, sizeof(probe) - 1) == -1)
		goto out_close;
	what = "fsync";
	if (fsync(fd) == -1)
		goto out_close;
	what = "close";
	if (close(fd) == -1)
		goto out_unlink;
	(void)unlinkat(sp->tmpfd, name, 0);
	return 0;
 out_close:
	saved = errno;
	close(fd);
	errno = saved;
 out_unlink:
	saved = errno;
	(void)unlinkat(sp->tmpfd, name, 0);
	errno = saved;
 out_fail:
	saved = errno;
	seterr(err, errlen, "spool: %s %s/tmp/%s: %s", what, sp->path, name,
	    strerror(saved));
	errno = saved;
	return -1;
}

int
spool_space(struct spool *sp, struct spool_space *out)
{
	struct statvfs	 vfs;

	memset(out, 0, sizeof(*out));
	if (fstatvfs(sp->newfd, &vfs) == -1)
		return -1;
	out->bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	out->files = (uint64_t)vfs.f_favail;
	out->readonly = (vfs.f_flag & ST_RDONLY) != 0;
	return 0;
}
