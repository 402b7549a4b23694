/*
 * shape-clock.h - the clock the shape programs (shape-*.c, service.cc,
 * and the Rust ones alike) pace their work by: seconds on the monotonic
 * clock.
 *
 * SHAPE_PACE: they do RATE items a second for RUN seconds, each loop
 * doing the items due by now; at the end they do the ones still due
 * before they stop.  So a program held up by the machine (a loaded test
 * run can stop it for a few hundred milliseconds) catches up and still
 * does the whole of its work: a stall near the end had left its last
 * quarter flat, a shape no classifier should call a leak.
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
