/*
 * sample.c - the program recorded into tests/traces/v*.trace (see
 * README there).  A handful of allocations through each entry point, a
 * mark, an anonymous mapping, an annotated pool block and two threads
 * run one after the other, so every recording makes the same events in
 * the same order.  Some blocks are left live at the end on purpose.
 *
 * Not built by make: the README gives the command, against the
 * include/heaptrail.h of the commit whose recorder is used.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heaptrail.h"

static void *kept[8];

static void *
worker(void *arg)
{
	int id = (int)(long)arg;
	void *p[6];
	int i;

	for (i = 0; i < 6; i++)
		p[i] = malloc(64 + (size_t)id * 16);
	for (i = 0; i < 6; i += 2)
		free(p[i]);
	kept[id] = p[1];	/* p[3] and p[5] stay live: this thread's leak */
	return NULL;
}

int
main(void)
{
	pthread_t t;
	char *a, *b, *c, *d, *m, *pool, *obj;
	void *al = NULL;
	long id;

	a = malloc(100);
	b = calloc(10, 20);
	a = realloc(a, 4000);
	c = realloc(NULL, 48);
	if (posix_memalign(&al, 64, 256) != 0)
		return 1;
	d = aligned_alloc(128, 512);
	memset(a, 1, 4000);
	free(b);

	heaptrail_mark("threads");
	for (id = 1; id <= 2; id++) {
		if (pthread_create(&t, NULL, worker, (void *)id) != 0)
			return 1;
		pthread_join(t, NULL);
	}

	/* An own pool handing out an annotated object. */
	pool = malloc(1024);
	obj = pool + 64;
	heaptrail_alloc(obj, 32);
	heaptrail_free(obj);

	/* Anonymous memory (recorded from format version 2 on). */
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	m[0] = 1;
	munmap(m, 65536);

	heaptrail_mark("teardown");
	free(pool);
	free(al);
	free(kept[1]);
	a = realloc(a, 0);
	(void)c;		/* c and d are left live at the end */
	(void)d;
	return 0;
}
