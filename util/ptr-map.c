/*
 * ptr-map.c - the live-block hash map (see ptr-map.h).
 *
 * Invariant: every key sits in the probe run that starts at its home slot
 * with no empty slot in between; removal shifts later members of the run
 * back to keep it so.  Key 0 marks an empty slot (no block lives at 0):
 * it is never stored, never found.
 */
#include <stdlib.h>
#include <string.h>

#include "ptr-map.h"
#include "xmalloc.h"

struct slot {
	uint64_t key;
	struct ptr_value v;
};

struct ptr_map {
	struct slot *slots;
	size_t mask;		/* capacity - 1 */
	size_t count;
};

static size_t
home(const ptr_map *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & m->mask;
}

ptr_map *
ptr_map_create(void)
{
	ptr_map *m = xcalloc(1, sizeof *m);

	m->mask = 1023;
	m->slots = xcalloc(m->mask + 1, sizeof *m->slots);
	return m;
}

void
ptr_map_free(ptr_map *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

size_t
ptr_map_count(const ptr_map *m)
{
	return m->count;
}

static void
grow(ptr_map *m)
{
	struct slot *old = m->slots;
	size_t n = m->mask + 1, i;

	m->mask = n * 2 - 1;
	m->slots = xcalloc(n * 2, sizeof *m->slots);
	for (i = 0; i < n; i++) {
		size_t j;

		if (old[i].key == 0)
			continue;
		for (j = home(m, old[i].key); m->slots[j].key != 0;
		    j = (j + 1) & m->mask)
			;
		m->slots[j] = old[i];
	}
	free(old);
}

struct ptr_value *
ptr_map_slot(ptr_map *m, uint64_t key, int *added)
{
	size_t i;

	*added = 0;
	if (key == 0)
		return NULL;
	if ((m->count + 1) * 2 > m->mask + 1)
		grow(m);
	for (i = home(m, key); m->slots[i].key != 0; i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			return &m->slots[i].v;
	m->slots[i].key = key;
	m->count++;
	*added = 1;
	return &m->slots[i].v;
}

int
ptr_map_put(ptr_map *m, uint64_t key, const struct ptr_value *v)
{
	int added;
	struct ptr_value *slot = ptr_map_slot(m, key, &added);

	if (slot == NULL)
		return 0;
	*slot = *v;
	return !added;
}

struct ptr_value *
ptr_map_find(ptr_map *m, uint64_t key)
{
	size_t i;

	if (key == 0)
		return NULL;
	for (i = home(m, key); m->slots[i].key != 0; i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			return &m->slots[i].v;
	return NULL;
}

int
ptr_map_remove(ptr_map *m, uint64_t key, struct ptr_value *out)
{
	size_t i, j;

	if (key == 0)
		return 0;
	for (i = home(m, key); m->slots[i].key != key; i = (i + 1) & m->mask)
		if (m->slots[i].key == 0)
			return 0;
	if (out != NULL)
		*out = m->slots[i].v;
	/* Backward shift: pull later run members into the hole. */
	for (j = (i + 1) & m->mask; m->slots[j].key != 0;
	    j = (j + 1) & m->mask) {
		size_t h = home(m, m->slots[j].key);

		/* Move j to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = 0;
	m->count--;
	return 1;
}

void
ptr_map_each(ptr_map *m, void (*fn)(uint64_t, const struct ptr_value *,
    void *), void *arg)
{
	size_t i;

	for (i = 0; i <= m->mask; i++)
		if (m->slots[i].key != 0)
			fn(m->slots[i].key, &m->slots[i].v, arg);
}
