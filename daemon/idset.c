/*
 * idset: story ids as 64-bit keys (16 hex digits are 64 bits: no two ids
 * share a key), in a table at most half full.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/idset.h"

#define IDSET_DIGITS	16
#define IDSET_MIN	64

static int
idset_key(const char *id, uint64_t *out)
{
	uint64_t	 k = 0;
	size_t		 i;
	int		 c, v;

	for (i = 0; i < IDSET_DIGITS; i++) {
		c = (unsigned char)id[i];
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		k = k << 4 | (uint64_t)v;
	}
	if (id[IDSET_DIGITS] != '\0')
		return -1;
	*out = k;
	return 0;
}

/* Random ids spread well already; the multiply mixes any others. */
static size_t
idset_slot(const struct idset *s, uint64_t k)
{
	return (size_t)((k * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
	    (s->cap - 1);
}

/* Where k is, or the empty slot where it would go. */
static size_t
idset_find(const struct idset *s, uint64_t k)
{
	size_t	 i = idset_slot(s, k);

	while (s->used[i] && s->keys[i] != k)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
idset_grow(struct idset *s)
{
	struct idset	 t;
	size_t		 i;

	t.cap = s->cap != 0 ? s->cap * 2 : IDSET_MIN;
	if (t.cap < s->cap || t.cap > SIZE_MAX / sizeof(*t.keys))
		return -1;
	t.n = s->n;
	t.keys = calloc(t.cap, sizeof(*t.keys));
	t.used = calloc(t.cap, 1);
	if (t.keys == NULL || t.used == NULL) {
		free(t.keys);
		free(t.used);
		return -1;
	}
	for (i = 0; i < s->cap; i++) {
		size_t	 j;

		if (!s->used[i])
			continue;
		j = idset_find(&t, s->keys[i]);
		t.used[j] = 1;
		t.keys[j] = s->keys[i];
	}
	free(s->keys);
	free(s->used);
	*s = t;
	return 0;
}

int
idset_add(struct idset *s, const char *id)
{
	uint64_t	 k;

	if (idset_key(id, &k) == -1)
		return -1;
	return idset_add_key(s, k);
}

int
idset_add_key(struct idset *s, uint64_t k)
{
	size_t		 i;

	if ((s->n + 1) * 2 > s->cap && idset_grow(s) == -1)
		return -1;
	i = idset_find(s, k);
	if (!s->used[i]) {
		s->used[i] = 1;
		s->keys[i] = k;
		s->n++;
	}
	return 0;
}

int
idset_has(const struct idset *s, const char *id)
{
	uint64_t	 k;

	if (idset_key(id, &k) == -1)
		return 0;
	return idset_has_key(s, k);
}

int
idset_has_key(const struct idset *s, uint64_t k)
{
	if (s->cap == 0)
		return 0;
	return s->used[idset_find(s, k)];
}

/*
 * Backward shift: the keys after the hole that would not be found past
 * it move into it, until an empty slot ends the run.
 */
void
idset_remove(struct idset *s, const char *id)
{
	uint64_t	 k;

	if (idset_key(id, &k) == 0)
		idset_remove_key(s, k);
}

void
idset_remove_key(struct idset *s, uint64_t k)
{
	size_t		 hole, i, home, mask = s->cap - 1;

	if (s->cap == 0)
		return;
	hole = idset_find(s, k);
	if (!s->used[hole])
		return;
	s->used[hole] = 0;
	s->n--;
	for (i = (hole + 1) & mask; s->used[i]; i = (i + 1) & mask) {
		home = idset_slot(s, s->keys[i]);
		/* Leave it when its home lies cyclically in (hole, i]. */
		if (((i - home) & mask) < ((i - hole) & mask))
			continue;
		s->keys[hole] = s->keys[i];
		s->used[hole] = 1;
		s->used[i] = 0;
		hole = i;
	}
}

void
idset_clear(struct idset *s)
{
	free(s->keys);
	free(s->used);
	memset(s, 0, sizeof(*s));
}
