/*
 * arena.c - memory held from start-up to exit, which is not a leak.
 *
 * At start it builds a 1000-entry lookup table (64-byte entries) and one
 * 4 MiB arena, both held until exit.  Then it serves requests, each with
 * a temporary 512-byte buffer that is freed.  A tool that lists memory
 * live at exit as "leaked" blames the table and the arena; both are
 * bounded and were allocated once.
 *
 * usage: arena [REQUESTS]   (default 20000; a 0.1 ms pause every 10)
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heaptrail.h"

struct entry {
	char key[56];
	long value;
};

static struct entry **table;
static char *arena;
char *volatile last_request;	/* keeps the compiler from eliding */

static void
build_table(void)
{
	int i;

	table = calloc(1000, sizeof *table);
	for (i = 0; i < 1000; i++) {
		table[i] = malloc(sizeof **table);
		memset(table[i], 0, sizeof **table);
		table[i]->value = i;
	}
	arena = malloc(4 << 20);
	memset(arena, 0, 4 << 20);
}

static long
serve(long n)
{
	char *buf = malloc(512);
	long v;

	memset(buf, (int)n, 512);
	last_request = buf;
	v = table[n % 1000]->value + buf[7];
	free(buf);
	return v;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, i, sum = 0;
	struct timespec pause = { 0, 100000 };

	build_table();
	heaptrail_mark("serving");
	for (i = 0; i < n; i++) {
		sum += serve(i);
		if (i % 10 == 0)
			nanosleep(&pause, NULL);
	}
	return sum == 42;	/* keep sum alive; exits 0 */
}
