/*
 * spool: deliver story files, Maildir protocol.
 *
 * Each story is written to SPOOL/tmp/NAME (O_CREAT|O_EXCL), flushed (fsync,
 * or one syncfs for a batch), renamed into SPOOL/new/NAME, and the
 * directory fsync'ed.  Readers of new/
 * never see a partial file.  Delivered files are never touched again.
 */
#ifndef FEEDSPOOL_SPOOL_H
#define FEEDSPOOL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool;

/*
 * Open (creating tmp/, new/ and cur/ as needed) the spool at dir.  Leftovers
 * in tmp/ from an earlier crash are left for spool_clean_tmp(), once the
 * caller has moved those its records say are stories (spool_adopt()).
 */
int	 spool_open(const char *dir, struct spool **out, char *err,
	    size_t errlen);
void	 spool_close(struct spool *);
/* Remove every file left in tmp/ (one that cannot be is left alone). */
int	 spool_clean_tmp(struct spool *, char *err, size_t errlen);
/*
 * A story whose file a batch made durable in tmp/ (spool_batch_sync()) but
 * did not publish: tmp/NAME renamed into new/, 0 when it was not in tmp/
 * (published already).  Returns 0, or -1 with err set and errno kept; after
 * the last, spool_sync_new() makes the names durable.
 */
int	 spool_adopt(struct spool *, const char *name, char *err,
	    size_t errlen);
int	 spool_sync_new(struct spool *, char *err, size_t errlen);

/* "<unix-ms>.<id>.json"; returns 0, or -1 if len is too small. */
int	 spool_name(char *buf, size_t len, int64_t unix_ms, const char *id);

/*
 * Write data as NAME; an existing new/NAME (a redelivery after a crash) is
 * replaced atomically.  Returns 0, or -1 with err set.
 */
int	 spool_deliver(struct spool *, const char *name, const void *data,
	    size_t len, char *err, size_t errlen);

/*
 * A story's file written ahead of its batch, by a thread that is not the
 * loop's (it reads nothing of the spool but the descriptor of tmp/): the
 * file is closed, not flushed, and becomes the batch's by
 * spool_batch_take(), or is removed by spool_tmp_remove() when its story
 * turns out different or is not spooled.  A crash leaves it for
 * spool_clean_tmp(), as any file of a batch not committed.  Returns 0, or
 * -1 with errno set (nothing left in tmp/).
 */
int	 spool_tmp_write(const struct spool *, const char *name,
	    const void *data, size_t len);
void	 spool_tmp_remove(const struct spool *, const char *name);
/*
 * Many stories made durable together, for the cost of one: each is
 * written to tmp/ by spool_batch_add(); spool_batch_commit() flushes the
 * file system once (syncfs), renames every file into new/ and fsyncs
 * new/ once.  A power cut before the commit returns leaves files in tmp/
 * or whole files in new/, never a partial one; the caller marks the
 * stories delivered only after it returned 0.  spool_batch_sync() and
 * spool_batch_publish() are its two halves, for a caller that records
 * between them that the files are durable in tmp/: it says so with
 * spool_batch_keep(), and spool_batch_free() then leaves them for
 * spool_adopt(); otherwise it removes what was written but not committed.
 */
struct spool_batch;

struct spool_batch *spool_batch_new(struct spool *);
int	 spool_batch_add(struct spool_batch *, const char *name,
	    const void *data, size_t len, char *err, size_t errlen);
/* A file spool_tmp_write() wrote: the batch's (removed if this fails). */
int	 spool_batch_take(struct spool_batch *, const char *name, char *err,
	    size_t errlen);
size_t	 spool_batch_count(const struct spool_batch *);
int	 spool_batch_commit(struct spool_batch *, char *err, size_t errlen);
int	 spool_batch_sync(struct spool_batch *, char *err, size_t errlen);
int	 spool_batch_publish(struct spool_batch *, char *err, size_t errlen);
void	 spool_batch_keep(struct spool_batch *);
void	 spool_batch_free(struct spool_batch *);
/*
 * After a failed add or commit: the errno of the failure (ENOSPC, EROFS,
 * EIO...), and in *name the file it was about, or NULL when it was about
 * the whole batch (the flush) or no file at all.
 */
int	 spool_batch_failure(const struct spool_batch *, const char **name);

/*
 * Whether a file can be written and flushed in tmp/ now (it is removed):
 * 0, or -1 with err set and errno kept.
 */
int	 spool_probe(struct spool *, char *err, size_t errlen);

/* Room left where the spool is, for telling when a full one has some. */
struct spool_space {
	uint64_t	 bytes;		/* available to us */
	uint64_t	 files;		/* inodes available to us */
	int		 readonly;	/* mounted read-only */
};
int	 spool_space(struct spool *, struct spool_space *);

#endif
