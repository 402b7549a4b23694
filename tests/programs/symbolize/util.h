/* util.h - a static inline function that the compiler inlines into two callers. */
#ifndef SYMBOLIZE_UTIL_H
#define SYMBOLIZE_UTIL_H
#include <stdlib.h>

static inline void *
util_grow(void *p, size_t n)
{
	void *q = realloc(p, n * 2 + 1);

	if (q == NULL)
		abort();
	return q;
}

void *util_make(size_t n);
#endif
