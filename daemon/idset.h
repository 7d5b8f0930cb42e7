/*
 * idset: a set of story ids (STATE_ID_LEN hex digits), for the stories
 * out for their page: a redelivery must leave those alone; and of 64-bit
 * keys, for the links of those pages.  Open
 * addressing with linear probing and backward-shift deletion, so that
 * adding and removing many ids over months leaves no tombstones behind.
 */
#ifndef FEEDSPOOL_IDSET_H
#define FEEDSPOOL_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t	*keys;
	unsigned char	*used;
	size_t		 n, cap;	/* cap: 0 or a power of two */
};

/* 0, or -1 when out of memory or id is not a story id. */
int	 idset_add(struct idset *, const char *id);
void	 idset_remove(struct idset *, const char *id);
int	 idset_has(const struct idset *, const char *id);
void	 idset_clear(struct idset *);
/* The same for any 64-bit key (a hash, say). */
int	 idset_add_key(struct idset *, uint64_t);
void	 idset_remove_key(struct idset *, uint64_t);
int	 idset_has_key(const struct idset *, uint64_t);

#endif
