/*
 * odd-stacks.c - inputs that once broke the analyzer's totals.
 *
 * usage: odd-stacks replace|strdup
 *   replace  annotates the same address ten times without freeing it
 *            (a pool that forgets to report frees): each allocation
 *            replaces the block before it, 10 bytes more each time,
 *            a millisecond apart (so in different time buckets).
 *   strdup   300 strdup() of a 25-byte string, every third one kept;
 *            recorded with --depth 1 the stacks hold only libc frames.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heaptrail.h"

static char arena[256];
void *volatile sink;

int
main(int argc, char **argv)
{
	int i;

	if (argc > 1 && strcmp(argv[1], "replace") == 0) {
		struct timespec ms = { 0, 1000000 };

		for (i = 1; i <= 10; i++) {
			heaptrail_alloc(arena, (size_t)i * 10);
			nanosleep(&ms, NULL);
		}
		return 0;
	}
	for (i = 0; i < 300; i++) {
		char *s = strdup("twenty-four characters..");

		sink = s;
		if (i % 3)
			free(s);
	}
	return 0;
}
