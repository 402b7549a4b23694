/*
 * pool.c - a free-list pool: memory held at a bounded level, not a leak.
 *
 * Objects of 48 bytes come from slabs of 128 objects (malloc'ed once,
 * never freed) and go back to a free list.  The program keeps a working
 * set of about 600 objects, replacing random ones, for ~0.4 s.  The pool
 * tells heaptrail about its objects with heaptrail_alloc/heaptrail_free
 * (include/heaptrail.h), so they show up as a site of their own.
 *
 * usage: pool [STEPS]   (default 40000, a 0.1 ms pause every 10)
 */
#include <stdlib.h>
#include <time.h>

#include "heaptrail.h"

#define SLAB_OBJECTS 128
#define WORKING_SET 600

union object {
	union object *next;
	char data[48];
};

static union object *free_list;

static void
pool_grow(void)
{
	union object *slab = malloc(SLAB_OBJECTS * sizeof *slab);
	int i;

	for (i = 0; i < SLAB_OBJECTS; i++) {
		slab[i].next = free_list;
		free_list = &slab[i];
	}
}

static void *
pool_get(void)
{
	union object *o;

	if (free_list == NULL)
		pool_grow();
	o = free_list;
	free_list = o->next;
	heaptrail_alloc(o, sizeof *o);
	return o;
}

static void
pool_put(void *p)
{
	union object *o = p;

	heaptrail_free(o);
	o->next = free_list;
	free_list = o;
}

int
main(int argc, char **argv)
{
	long steps = argc > 1 ? atol(argv[1]) : 40000, i;
	struct timespec pause = { 0, 100000 };
	void *set[WORKING_SET];
	unsigned seed = 7;

	for (i = 0; i < WORKING_SET; i++)
		set[i] = pool_get();
	for (i = 0; i < steps; i++) {
		int k = (int)(rand_r(&seed) % WORKING_SET);

		pool_put(set[k]);
		set[k] = pool_get();
		if (i % 10 == 0)
			nanosleep(&pause, NULL);
	}
	return 0;
}
