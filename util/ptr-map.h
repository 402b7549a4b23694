/*
 * ptr-map.h - live blocks by address: an open-addressing hash map from a
 * non-zero 64-bit key (a block's address) to a small caller-defined value.
 *
 * Key 0 is never stored (put ignores it, find and remove miss it).
 * Linear probing with backward-shift deletion, so no tombstones pile up
 * under the alloc/free churn it exists for.  Grows at 1/2 load.  Values
 * are copied in and out; pointers returned by ptr_map_find() are valid
 * until the next insertion or removal.
 */
#ifndef HEAPTRAIL_PTR_MAP_H
#define HEAPTRAIL_PTR_MAP_H

#include <stddef.h>
#include <stdint.h>

struct ptr_value {
	uint64_t size;
	uint64_t ts;		/* when allocated, ns */
	uint32_t stack;		/* stack id of the allocation */
	uint32_t fn;		/* entry point (enum ht_alloc_fn) */
};

typedef struct ptr_map ptr_map;

ptr_map *ptr_map_create(void);
void ptr_map_free(ptr_map *m);

/* Inserts or replaces; returns 1 if KEY was already present. */
int ptr_map_put(ptr_map *m, uint64_t key, const struct ptr_value *v);
/*
 * The value slot of KEY, added if absent (*added says which; an added
 * slot's value is for the caller to fill).  NULL for key 0.
 */
struct ptr_value *ptr_map_slot(ptr_map *m, uint64_t key, int *added);
/* The value for KEY, or NULL. */
struct ptr_value *ptr_map_find(ptr_map *m, uint64_t key);
/* Removes KEY, copying its value to *out if not NULL; 0 if absent. */
int ptr_map_remove(ptr_map *m, uint64_t key, struct ptr_value *out);
size_t ptr_map_count(const ptr_map *m);

/* Visits every entry (in no order); FN must not modify the map. */
void ptr_map_each(ptr_map *m, void (*fn)(uint64_t key,
    const struct ptr_value *v, void *arg), void *arg);

#endif /* HEAPTRAIL_PTR_MAP_H */
