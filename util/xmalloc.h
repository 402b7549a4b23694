/*
 * xmalloc.h - allocation that cannot fail, for the command-line programs.
 *
 * Out of memory is fatal in build/heaptrail: these print one line naming
 * the size and exit 1.  Never use them in recorder/ (it must not allocate
 * through the hooked malloc) nor where a caller wants to recover.
 */
#ifndef HEAPTRAIL_XMALLOC_H
#define HEAPTRAIL_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf that cannot fail; returns the new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#endif /* HEAPTRAIL_XMALLOC_H */
