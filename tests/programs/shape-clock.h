/*
 * shape-clock.h - the clock the shape programs (shape-*.c) pace their
 * work by: seconds on the monotonic clock.
 */
#ifndef HEAPTRAIL_SHAPE_CLOCK_H
#define HEAPTRAIL_SHAPE_CLOCK_H

#include <time.h>

static inline double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* HEAPTRAIL_SHAPE_CLOCK_H */
