/* util.c - a second compilation unit, with its own inlined helper. */
#include "util.h"

static inline size_t
util_round(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

void *
util_make(size_t n)
{
	void *p = malloc(util_round(n));

	return util_grow(p, util_round(n + 1));
}
