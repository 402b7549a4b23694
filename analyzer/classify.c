/*
 * classify.c - tell a leak from memory that is merely held.
 *
 * Input: a site's live bytes at the end of each of the run's time buckets,
 * and how the bytes still live at the end spread over the run's quarters
 * by allocation time.  The rules, first match wins:
 *
 *   freed    nothing live at the end ("freed at exit" when most frees
 *            came in the last 5% of the run).
 *   unclear  the run is shorter than MIN_RUN_S: too little to tell.
 *   steady   "held since start": 90% of the live bytes were allocated in
 *            the first quarter and the last 75% of the run stays within
 *            10% of its maximum (one big arena block is enough).
 *   unclear  the site made fewer than MIN_ALLOCS allocations.
 *   leak     over the last 80% of the run, live bytes fit a rising line
 *            (R^2 >= LEAK_R2) whose rise explains at least half of what
 *            is live at the end, and at least 3 of the 4 quarters of the
 *            run still hold 5% or more of those bytes (blocks from all
 *            through the run are kept).  A run killed while the site was
 *            still growing ends in this case too.
 *   steady   "plateau at X": over the last half of the run live bytes stay
 *            within 25% of their maximum and the trend over that half
 *            changes them by less than 10%.
 *   unclear  otherwise, with what was seen ("irregular growth", ...).
 *
 * The growth rate reported for every site is the least-squares slope of
 * its live bytes over the whole run.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>

#include "classify.h"

#define MIN_RUN_S 0.2
#define MIN_ALLOCS 8
#define LEAK_R2 0.8

const char *const class_names[] = { "freed", "leak", "steady", "unclear" };

/* Least squares over buckets [from, to): slope (bytes/s) and R^2. */
static void
fit(const struct site_history *h, int from, int to, double *slope,
    double *r2)
{
	double n = to - from, st = 0, sl = 0, stt = 0, sll = 0, stl = 0;
	double vt, vl, cov;
	int i;

	*slope = 0;
	*r2 = 1;
	if (to - from < 2)
		return;
	for (i = from; i < to; i++) {
		double t = (i + 1) * h->bucket_s, l = h->live[i];

		st += t;
		sl += l;
		stt += t * t;
		sll += l * l;
		stl += t * l;
	}
	vt = stt - st * st / n;
	vl = sll - sl * sl / n;
	cov = stl - st * sl / n;
	if (vt <= 0)
		return;
	*slope = cov / vt;
	if (fabs(*slope) < 1e-3)
		*slope = 0;	/* rounding noise of a flat series */
	*r2 = vl <= 0 ? 1 : cov * cov / (vt * vl);
}

static void
range(const struct site_history *h, int from, int to, double *lo,
    double *hi)
{
	int i;

	*lo = INFINITY;
	*hi = 0;
	for (i = from; i < to; i++) {
		if (h->live[i] < *lo)
			*lo = h->live[i];
		if (h->live[i] > *hi)
			*hi = h->live[i];
	}
	if (*lo == INFINITY)
		*lo = 0;
}

static const char *
human(double bytes, char *buf, size_t cap)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (fabs(bytes) >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
	return buf;
}

enum site_class
classify_site(const struct site_history *h, char *pattern, size_t cap,
    double *growth)
{
	double slope, r2, lo, hi, rise;
	char buf[32];
	int b = h->buckets, i, quarters = 0;

	fit(h, 0, b, growth, &r2);
	if (h->live_blocks == 0) {
		snprintf(pattern, cap, h->freed_late ? "freed at exit" :
		    "freed");
		return CLASS_FREED;
	}
	if (h->duration_s < MIN_RUN_S) {
		snprintf(pattern, cap, "run too short to tell (%.2f s)",
		    h->duration_s);
		return CLASS_UNCLEAR;
	}
	range(h, b / 4, b, &lo, &hi);
	if (h->live_by_quarter[0] >= 0.9 * h->live_bytes &&
	    hi - lo <= 0.1 * hi) {
		snprintf(pattern, cap, "held since start (%s)",
		    human(h->live_bytes, buf, sizeof buf));
		return CLASS_STEADY;
	}

	if (h->allocations < MIN_ALLOCS) {
		snprintf(pattern, cap, "too few allocations to tell (%llu)",
		    (unsigned long long)h->allocations);
		return CLASS_UNCLEAR;
	}

	for (i = 0; i < CLASSIFY_QUARTERS; i++)
		if (h->live_by_quarter[i] >= 0.05 * h->live_bytes)
			quarters++;
	fit(h, b / 5, b, &slope, &r2);
	rise = slope * h->duration_s * 0.8;
	if (slope > 0 && r2 >= LEAK_R2 && rise >= 0.5 * h->live_bytes &&
	    quarters >= 3) {
		snprintf(pattern, cap, "linear growth %s/s",
		    human(slope, buf, sizeof buf));
		return CLASS_LEAK;
	}

	range(h, b / 2, b, &lo, &hi);
	fit(h, b / 2, b, &slope, &r2);
	if (hi - lo <= 0.25 * hi &&
	    fabs(slope) * h->duration_s * 0.5 < 0.1 * hi) {
		snprintf(pattern, cap, "plateau at %s",
		    human(hi, buf, sizeof buf));
		return CLASS_STEADY;
	}

	if (slope > 0)
		snprintf(pattern, cap, "irregular growth (%s/s, fit %.2f)",
		    human(slope, buf, sizeof buf), r2);
	else
		snprintf(pattern, cap, "irregular, %d of 4 quarters of the run"
		    " still hold memory", quarters);
	return CLASS_UNCLEAR;
}
