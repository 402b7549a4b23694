/*
 * classify.h - is a site's live memory a leak, or held and bounded?
 *
 * A pure function of a site's live bytes over time and the ages of its
 * blocks still live at the end; the method and its thresholds are in
 * classify.c and in heaptrail(5) ("Classification").
 */
#ifndef HEAPTRAIL_CLASSIFY_H
#define HEAPTRAIL_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_QUARTERS 4

struct site_history {
	const double *live;	/* live bytes at the end of each bucket */
	int buckets;
	double bucket_s;	/* seconds per bucket */
	double duration_s;	/* of the whole run */
	uint64_t allocations;
	uint64_t live_blocks;	/* at the end */
	double live_bytes;	/* at the end */
	/* Live bytes at the end by when they were allocated: the run in
	   quarters. */
	double live_by_quarter[CLASSIFY_QUARTERS];
	int freed_late;		/* most frees came in the last 5% of the run */
};

enum site_class { CLASS_FREED, CLASS_LEAK, CLASS_STEADY, CLASS_UNCLEAR };

extern const char *const class_names[];

/*
 * Classifies H; writes a short pattern in words ("linear growth 1.9
 * KiB/s", "held since start", "plateau at 400 KiB", why it is unclear)
 * to PATTERN (CAP bytes) and the growth rate (least squares over the run,
 * bytes per second) to *growth.
 */
enum site_class classify_site(const struct site_history *h, char *pattern,
    size_t cap, double *growth);

#endif /* HEAPTRAIL_CLASSIFY_H */
