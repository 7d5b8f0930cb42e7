/*
 * spool: deliver story files, Maildir protocol.
 *
 * Each story is written to SPOOL/tmp/NAME (O_CREAT|O_EXCL), fsync'ed,
 * renamed into SPOOL/new/NAME, and the directory fsync'ed.  Readers of new/
 * never see a partial file.  Delivered files are never touched again.
 */
#ifndef FEEDSPOOL_SPOOL_H
#define FEEDSPOOL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool;

/*
 * Open (creating tmp/, new/ and cur/ as needed) the spool at dir.  Leftovers
 * in tmp/ from an earlier crash are removed.
 */
int	 spool_open(const char *dir, struct spool **out, char *err,
	    size_t errlen);
void	 spool_close(struct spool *);

/* "<unix-ms>.<id>.json"; returns 0, or -1 if len is too small. */
int	 spool_name(char *buf, size_t len, int64_t unix_ms, const char *id);

/*
 * Write data as NAME; an existing new/NAME (a redelivery after a crash) is
 * replaced atomically.  Returns 0, or -1 with err set.
 */
int	 spool_deliver(struct spool *, const char *name, const void *data,
	    size_t len, char *err, size_t errlen);

#endif
