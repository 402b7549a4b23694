/*
 * own-malloc.c - a program with an allocator of its own built in (a bump
 * allocator standing in for a statically linked jemalloc or tcmalloc).
 * The recorder cannot see its allocations; heaptrail must say so.
 */
#include <stddef.h>
#include <string.h>

static _Alignas(16) char arena[1 << 20];
static size_t used;

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);

void *
malloc(size_t n)
{
	void *p;

	if (used + n > sizeof arena)
		return NULL;
	p = arena + used;
	used += (n + 15) & ~(size_t)15;
	return p;
}

void
free(void *p)
{
	(void)p;
}

void *
calloc(size_t n, size_t size)
{
	void *p = malloc(n * size);

	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
realloc(void *p, size_t n)
{
	void *q = malloc(n);

	if (q != NULL && p != NULL)
		memmove(q, p, n);
	return q;
}

int
main(void)
{
	int i;

	for (i = 0; i < 100; i++)
		free(malloc(10));
	return 0;
}
