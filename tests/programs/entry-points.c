/*
 * entry-points.c - every allocation entry point, a known number of times,
 * including the odd cases (realloc(NULL, n), realloc(p, 0), failed
 * allocations, free(NULL)).  tests/cli/test-entry-points.sh holds the
 * expected counts; keep the two in step.  Uses no stdio, so libc makes no
 * allocations of its own.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

/* Using p after a realloc that failed on purpose is the point here. */
#pragma GCC diagnostic ignored "-Wuse-after-free"

static void *volatile sink;

int
main(void)
{
	/* volatile: gcc would turn realloc(NULL, n) into malloc(n) */
	volatile size_t huge = SIZE_MAX / 2, max = SIZE_MAX;
	void *volatile null = NULL;
	void *m[10], *p, *q;
	int i;

	/* malloc: 10 calls of 100 bytes, 7 freed -> 3 live (300 bytes) */
	for (i = 0; i < 10; i++)
		m[i] = malloc(100);
	for (i = 0; i < 7; i++)
		free(m[i]);
	sink = m[7];

	/* calloc: 5 calls of 4 x 25, all freed; an overflowing one fails */
	for (i = 0; i < 5; i++)
		free(calloc(4, 25));
	sink = calloc(max, 2);

	/* failed allocations record nothing */
	sink = malloc(huge);

	/* realloc: NULL -> 50 (alloc), 50 -> 5000 (free + alloc), a failed
	   grow (nothing), -> 0 (free only, glibc returns NULL) */
	p = realloc(null, 50);
	p = realloc(p, 5000);
	sink = realloc(p, huge);
	sink = realloc(p, 0);

	/* reallocarray: NULL -> 10x10, -> 20x10 (free + alloc), overflow
	   fails; 200 bytes stay live */
	q = reallocarray(null, 10, 10);
	q = reallocarray(q, 20, 10);
	sink = reallocarray(q, max, 2);
	sink = q;

	/* aligned family: posix_memalign x2 (one freed), aligned_alloc
	   (live), memalign (freed), valloc (freed), pvalloc (live) */
	if (posix_memalign(&p, 64, 128) != 0)
		return 1;
	free(p);
	if (posix_memalign(&p, 64, 128) != 0)
		return 1;
	sink = p;
	sink = aligned_alloc(64, 256);
	free(memalign(32, 96));
	free(valloc(4096));
	sink = pvalloc(100);

	/* free(NULL) records nothing */
	free(NULL);
	free(NULL);
	free(NULL);
	return 0;
}
