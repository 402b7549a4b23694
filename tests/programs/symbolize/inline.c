/* inline.c - C test program for the symbolizer: nested inlining at -O2. */
#include <stdio.h>
#include <string.h>

#include "util.h"

static void *volatile sink;

static inline void *
leaf(size_t n)
{
	void *p = malloc(n);

	memset(p, 1, n);
	return p;
}

static inline void *
middle(size_t n)
{
	void *p = leaf(n + 1);

	sink = p;
	return util_grow(p, n);
}

__attribute__((noinline)) static void *
outer(size_t n)
{
	void *a = middle(n);
	void *b = util_grow(a, n + 3);

	return b;
}

__attribute__((noinline)) void *
other(size_t n)
{
	return util_grow(leaf(n), n);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strlen(argv[1]) : 8;

	free(outer(n));
	free(other(n));
	free(util_make(n));
	printf("done\n");
	return 0;
}
