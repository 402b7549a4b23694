/*
 * annotate.c - a custom pool annotated with include/heaptrail.h, markers,
 * and addresses far apart (a tagged-pointer-like one), whose deltas do
 * not fit the trace's short address codes.
 *
 * 64 pool blocks of 32 bytes handed out, 40 given back (24 live); one
 * block at 0xc000000000001000 handed out and given back; one at 0x10
 * left live.  Markers "phase-1" and "phase-2".
 */
#include <stdint.h>

#include "heaptrail.h"

static char pool[64][32];

int
main(void)
{
	int i;

	heaptrail_mark("phase-1");
	for (i = 0; i < 64; i++)
		heaptrail_alloc(pool[i], 32);
	for (i = 0; i < 40; i++)
		heaptrail_free(pool[i]);
	heaptrail_alloc((void *)(uintptr_t)0xc000000000001000ull, 2);
	heaptrail_alloc((void *)(uintptr_t)0x10, 5);
	heaptrail_free((void *)(uintptr_t)0xc000000000001000ull);
	heaptrail_mark("phase-2");
	return 0;
}
