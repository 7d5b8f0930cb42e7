/*
 * buf: a growable byte buffer with a hard size cap, in the manner of curl's
 * dynbuf.  The contents are always NUL-terminated so they can be used as a
 * C string; the cap counts the bytes without that terminator.
 */
#ifndef FEEDSPOOL_BUF_H
#define FEEDSPOOL_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;	/* allocated, including the terminator */
	size_t	 cap;	/* largest len allowed */
};

/* Possible results of the append functions. */
#define BUF_OK		0
#define BUF_NOMEM	-1
#define BUF_TOOBIG	-2

void	 buf_init(struct buf *, size_t cap);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_addstr(struct buf *, const char *);
int	 buf_addch(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* n bytes of s with & < > " written as HTML character references. */
int	 buf_add_html(struct buf *, const char *s, size_t n);
/* Hand the contents to the caller (never NULL: "" when empty). */
char	*buf_steal(struct buf *);

#endif
