/*
 * classify.h - is a site's live memory a leak, or held and bounded?
 *
 * A pure function of a site's live bytes over the work (up to the end of
 * the program's work, see work-end.h) and of when the blocks still live
 * then were born; the method and its thresholds are in classify.c and in
 * heaptrail(5) ("Classification").
 */
#ifndef HEAPTRAIL_CLASSIFY_H
#define HEAPTRAIL_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_PERIODS 20	/* the work, in periods of birth */

struct site_history {
	/* Live bytes at the end of each bucket of the work; the last one
	   is at the end of the work. */
	const double *live;
	int buckets;
	double bucket_s;	/* seconds per bucket */
	double duration_s;	/* of the work */
	uint64_t allocations, frees;	/* over the whole run */
	uint64_t live_blocks;	/* at the end of the work */
	double live_bytes;
	uint64_t exit_live_blocks;	/* after the last event */
	double exit_live_bytes;
	/*
	 * Live bytes at the end of the work by when their block was born
	 * (a block made by realloc is born with its chain): the work in
	 * CLASSIFY_PERIODS equal periods.
	 */
	double live_by_period[CLASSIFY_PERIODS];
	int freed_late;		/* most frees came in the last 5% of the run */
};

/*
 * The period of birth (0 .. CLASSIFY_PERIODS - 1) of a block born at AT
 * in a work that ends at END (in any one unit: ns, or buckets with END
 * the last bucket of the work); AT past END is in the last period.  The
 * one rule for live_by_period, at the end of the work and at a time.
 */
int classify_period(uint64_t at, uint64_t end);

enum site_class { CLASS_FREED, CLASS_LEAK, CLASS_STEADY, CLASS_UNCLEAR };

extern const char *const class_names[];

/*
 * Classifies H; writes a short pattern in words ("linear growth 1.9
 * KiB/s", "held since start", "plateau at 400 KiB", why it is unclear;
 * ", released at exit" when the teardown freed it) to PATTERN (CAP
 * bytes) and the growth rate (bytes per second: a leak's as its pattern
 * says, else least squares over the work) to *growth.
 */
enum site_class classify_site(const struct site_history *h, char *pattern,
    size_t cap, double *growth);

#endif /* HEAPTRAIL_CLASSIFY_H */
