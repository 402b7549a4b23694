/*
 * heaptrail.h - annotate your own allocators and phases for heaptrail.
 *
 *   heaptrail_alloc(ptr, size)  a block of your pool/arena was handed out
 *   heaptrail_free(ptr)         ... and given back
 *   heaptrail_mark("label")     a phase starts (usable as TIME "@label")
 *
 * Labels starting with "heaptrail: " are reserved: the recorder marks the
 * end of the program's work with them (man 5 heaptrail, MARK).
 *
 * Without the recorder preloaded these do nothing and cost one test of a
 * weak symbol: the recorder defines __heaptrail_*, and the dynamic loader
 * binds these weak references to them only when it is there.  Include
 * this header and link nothing.
 */
#ifndef HEAPTRAIL_H
#define HEAPTRAIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void __heaptrail_alloc(const void *ptr, size_t size) __attribute__((weak));
void __heaptrail_free(const void *ptr) __attribute__((weak));
void __heaptrail_mark(const char *label) __attribute__((weak));

static inline void
heaptrail_alloc(const void *ptr, size_t size)
{
	if (__heaptrail_alloc)
		__heaptrail_alloc(ptr, size);
}

static inline void
heaptrail_free(const void *ptr)
{
	if (__heaptrail_free)
		__heaptrail_free(ptr);
}

static inline void
heaptrail_mark(const char *label)
{
	if (__heaptrail_mark)
		__heaptrail_mark(label);
}

#ifdef __cplusplus
}
#endif

#endif /* HEAPTRAIL_H */
