/*
 * classify.c - tell a leak from memory that is merely held.
 *
 * Input: a site's live bytes at the end of each time bucket of the work
 * (the last one at the end of the work itself), and the bytes still live
 * then by the period of the work their block was born in (CLASSIFY_PERIODS
 * periods; a realloc chain is born with its first block).  The rules,
 * first match wins:
 *
 *   freed    nothing live at the end of the work.
 *   unclear  the work is shorter than MIN_RUN_S: too little to tell.
 *   steady   "held since start": 90% of the live bytes were born in the
 *            first quarter and the last 75% of the work stays within 10%
 *            of its maximum (one big arena block is enough).
 *   unclear  the site made fewer than MIN_ALLOCS allocations.
 *   leak     linear growth: from a start chosen among the periods (the
 *            earliest whose fit to the end is within R2_TIE of the best),
 *            live bytes fit a rising line (R^2 >= LEAK_R2), the rise is
 *            at least a quarter of what is live at the end, the last
 *            quarter of the stretch still rises, and the growth is kept:
 *            three quarters of the stretch's periods still hold a share
 *            of it, or the blocks born by the start of the stretch grew
 *            by half of it (a buffer grown by realloc, a vector or table
 *            grown by copying: "a growing block").  "since T" when the
 *            stretch starts after the first 10% of the work; then the
 *            end must pass what the site held before T by half the rise
 *            (the last tooth of a sawtooth rises as straight).
 *   leak     growth in steps (spikes of up to SETTLE_BUCKETS aside): from
 *            below a tenth of the end's bytes, the series never falls by
 *            more than 10%, rises in at least 3 buckets (at most half of
 *            them), has not gone flat for longer than twice its last
 *            step's spacing (a vector doubling its capacity as it fills
 *            at a steady rate steps at doubling spacings), and is kept as
 *            above.
 *   leak     growth under churn: the site frees at least as many blocks
 *            as it holds, yet blocks born in nearly every period of the
 *            middle of the work are still live, the older half of them
 *            no fewer than half the newer (no decay with age, as a
 *            bounded cache would show), and over the last half of the
 *            work live bytes rise at half the rate at which those blocks
 *            piled up or more (a bounded site that keeps old blocks must
 *            free others: its bytes stay flat).
 *   steady   "plateau at X": over the last half of the work live bytes
 *            stay within 25% of their maximum and the trend over that
 *            half changes them by less than 10%.
 *   steady   "sawtooth up to X" / "bounded between X and Y": the last
 *            quarter's maximum and mean are no more than 15% above the
 *            third quarter's, and the trend over the last half changes
 *            the bytes by less than 25% of their maximum.
 *   unclear  otherwise, with what was seen ("irregular growth", ...).
 *
 * A site still holding memory at the end of the work that the teardown
 * released gets ", released at exit" (or the share released) added to
 * its pattern: its class is what its behaviour during the work earned.
 * The growth rate reported for a leak is the rate its pattern gives (of
 * the stretch that grew); for every other site, the least-squares slope
 * of its live bytes over the work.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"

#define MIN_RUN_S 0.2
#define MIN_BUCKETS 8
#define MIN_ALLOCS 8
#define LEAK_R2 0.8
#define R2_TIE 0.01
#define SETTLE_BUCKETS 4

const char *const class_names[] = { "freed", "leak", "steady", "unclear" };

int
classify_period(uint64_t at, uint64_t end)
{
	uint64_t p;

	if (at > end)
		at = end;
	p = at * CLASSIFY_PERIODS / (end + 1);
	return p < CLASSIFY_PERIODS ? (int)p : CLASSIFY_PERIODS - 1;
}

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

static double
mean(const struct site_history *h, int from, int to)
{
	double sum = 0;
	int i;

	for (i = from; i < to; i++)
		sum += h->live[i];
	return to > from ? sum / (to - from) : 0;
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

/* The first bucket of period K of the work. */
static int
period_start(const struct site_history *h, int k)
{
	return k * h->buckets / CLASSIFY_PERIODS;
}

/* The period bucket B is in. */
static int
period_of(const struct site_history *h, int b)
{
	int k = b * CLASSIFY_PERIODS / h->buckets;

	return k < CLASSIFY_PERIODS ? k : CLASSIFY_PERIODS - 1;
}

/* Live bytes at the end born in periods [from, to). */
static double
born(const struct site_history *h, int from, int to)
{
	double sum = 0;
	int k;

	for (k = from; k < to; k++)
		sum += h->live_by_period[k];
	return sum;
}

/*
 * Is the RISE of a stretch that starts at bucket FROM still held at the
 * end?  Yes when three quarters of the stretch's periods hold a quarter
 * of their share of it, or when the blocks born by its start hold half
 * of it more than the whole site held then (grown in place: *IN_PLACE).
 */
static int
kept(const struct site_history *h, int from, double rise, int *in_place)
{
	int k = period_of(h, from), m = CLASSIFY_PERIODS - k, holding = 0, j;
	double share = rise / m;

	*in_place = 0;
	for (j = k; j < CLASSIFY_PERIODS; j++)
		if (h->live_by_period[j] >= 0.25 * share)
			holding++;
	if (holding * 4 >= m * 3)
		return 1;
	if (born(h, 0, k + 1) - h->live[from] >= 0.5 * rise) {
		*in_place = 1;
		return 1;
	}
	return 0;
}

/* " since T s" and ", a growing block" for a stretch from FROM. */
static void
growth_words(const struct site_history *h, int from, int in_place,
    char *buf, size_t cap)
{
	int k = period_of(h, from);

	buf[0] = '\0';
	if (k >= 2)
		snprintf(buf, cap, " since %.1f s", from * h->bucket_s);
	if (in_place)
		snprintf(buf + strlen(buf), cap - strlen(buf), ", %s",
		    h->live_blocks == 1 ? "a growing block" : "growing blocks");
}

/* Linear growth to the end of the work (see the top). */
static int
linear_leak(const struct site_history *h, char *pattern, size_t cap,
    double *rate)
{
	double slope[CLASSIFY_PERIODS], r2[CLASSIFY_PERIODS], best = -1;
	double rise, tail_slope, tail_r2, lo, hi;
	char num[32], words[64];
	int n = h->buckets, k, from = -1, q, in_place;

	for (k = 0; k <= CLASSIFY_PERIODS * 4 / 5; k++) {
		fit(h, period_start(h, k), n, &slope[k], &r2[k]);
		if (n - period_start(h, k) >= 4 && slope[k] > 0 && r2[k] > best)
			best = r2[k];
	}
	if (best < LEAK_R2)
		return 0;
	for (k = 0; k <= CLASSIFY_PERIODS * 4 / 5 && from < 0; k++)
		if (n - period_start(h, k) >= 4 && slope[k] > 0 &&
		    r2[k] >= best - R2_TIE)
			from = period_start(h, k);
	k = period_of(h, from);
	rise = slope[k] * (n - from) * h->bucket_s;
	if (rise < 0.25 * h->live_bytes)
		return 0;
	/* Growth since T must reach past what the site held before T: a
	   sawtooth's last tooth rises as straight as a leak. */
	range(h, 0, from, &lo, &hi);
	if (from > 0 && h->live[n - 1] - hi < 0.5 * rise)
		return 0;
	q = from + (n - from) * 3 / 4;
	if (n - q >= 4)
		fit(h, q, n, &tail_slope, &tail_r2);
	else
		tail_slope = (h->live[n - 1] - h->live[q > 0 ? q - 1 : 0]) /
		    ((n - q) * h->bucket_s);
	if (tail_slope < 0.25 * slope[k] || !kept(h, from, rise, &in_place))
		return 0;
	growth_words(h, from, in_place, words, sizeof words);
	snprintf(pattern, cap, "linear growth %s/s%s",
	    human(slope[k], num, sizeof num), words);
	*rate = slope[k];
	return 1;
}

/*
 * Live bytes at the end of bucket I with short spikes taken off: the
 * least of it and the next SETTLE_BUCKETS - 1 (a table copied as it
 * grows holds its old and new copies while the copy runs).
 */
static double
settled(const struct site_history *h, int i)
{
	double v = h->live[i];
	int j;

	for (j = i + 1; j < i + SETTLE_BUCKETS && j < h->buckets; j++)
		if (h->live[j] < v)
			v = h->live[j];
	return v;
}

/* Growth in steps to the end of the work (see the top). */
static int
step_leak(const struct site_history *h, char *pattern, size_t cap,
    double *rate)
{
	int n = h->buckets, from = 0, i, steps = 0, last = -1, before = -1;
	int in_place;
	double end = h->live[n - 1], top = 0;
	char size[32], words[64];

	for (i = 0; i < n; i++)
		if (settled(h, i) <= 0.1 * end)
			from = i + 1;
	if (from == 0 && settled(h, 0) > 0.1 * end)
		return 0;	/* never below a tenth: not grown from there */
	if (from >= n || (n - from) * 5 < n)
		return 0;
	for (i = from; i < n; i++) {
		double v = settled(h, i);

		if (v < 0.9 * top)
			return 0;
		if (v > top)
			top = v;
		if (i > from && v > settled(h, i - 1) * 1.01) {
			steps++;
			before = last;
			last = i;
		}
	}

	if (steps < 3 || steps * 2 > n - from || before < 0 ||
	    h->live[n - 1] < 0.9 * top ||
	    n - 1 - last > 2 * (last - before) + 2 ||
	    !kept(h, from, end - h->live[from], &in_place))
		return 0;
	growth_words(h, from, in_place, words, sizeof words);
	snprintf(pattern, cap, "growth in %d steps to %s%s", steps + 1,
	    human(end, size, sizeof size), words);
	*rate = (end - h->live[from]) / ((n - from) * h->bucket_s);
	return 1;
}

/* Growth under churn (see the top). */
static int
churn_leak(const struct site_history *h, char *pattern, size_t cap,
    double *rate)
{
	const int lo = 1, mid = CLASSIFY_PERIODS * 2 / 5,
	    hi = CLASSIFY_PERIODS * 3 / 4;
	double older = born(h, lo, mid), newer = born(h, mid, hi);
	double piled, slope, r2, half_s;
	char num[32];
	int n = h->buckets, k, holding = 0;

	if (h->frees < h->live_blocks)
		return 0;
	for (k = lo; k < hi; k++)
		if (h->live_by_period[k] > 0)
			holding++;
	if (holding * 20 < (hi - lo) * 17 || older < 0.5 * newer)
		return 0;
	piled = (older + newer) / ((double)(hi - lo) / CLASSIFY_PERIODS *
	    h->duration_s);
	fit(h, n / 2, n, &slope, &r2);
	half_s = (n - n / 2) * h->bucket_s;
	if (slope < 0.5 * piled || r2 < 0.5 ||
	    slope * half_s < 0.05 * h->live_bytes)
		return 0;
	snprintf(pattern, cap, "growth %s/s under churn, blocks from all"
	    " through the work kept", human(slope, num, sizeof num));
	*rate = slope;
	return 1;
}

/* Bounded over the last half of the work (see the top). */
static int
bounded(const struct site_history *h, char *pattern, size_t cap)
{
	int n = h->buckets, half = n / 2, q3 = n / 2, q4 = n * 3 / 4;
	double lo, hi, lo3, hi3, lo4, hi4, slope, r2, half_s;
	char a[32], b[32];

	range(h, half, n, &lo, &hi);
	fit(h, half, n, &slope, &r2);
	half_s = (n - half) * h->bucket_s;
	if (hi - lo <= 0.25 * hi && fabs(slope) * half_s < 0.1 * hi) {
		snprintf(pattern, cap, "plateau at %s", human(hi, a, sizeof a));
		return 1;
	}
	range(h, q3, q4, &lo3, &hi3);
	range(h, q4, n, &lo4, &hi4);
	if (q4 - q3 < 2 || n - q4 < 2 || hi4 > 1.15 * hi3 ||
	    mean(h, q4, n) > 1.15 * mean(h, q3, q4) ||
	    fabs(slope) * half_s >= 0.25 * hi)
		return 0;
	if (lo3 <= 0.25 * hi && lo4 <= 0.25 * hi)
		snprintf(pattern, cap, "sawtooth up to %s",
		    human(hi, a, sizeof a));
	else
		snprintf(pattern, cap, "bounded between %s and %s",
		    human(lo, a, sizeof a), human(hi, b, sizeof b));
	return 1;
}

/* The class of a site holding memory at the end of the work. */
static enum site_class
judge(const struct site_history *h, char *pattern, size_t cap,
    double *rate)
{
	double lo, hi, slope, r2;
	char buf[32];
	int b = h->buckets, holding = 0, k;

	if (h->duration_s < MIN_RUN_S || b < MIN_BUCKETS) {
		snprintf(pattern, cap, "run too short to tell (%.2f s)",
		    h->duration_s);
		return CLASS_UNCLEAR;
	}
	range(h, b / 4, b, &lo, &hi);
	if (born(h, 0, CLASSIFY_PERIODS / 4) >= 0.9 * h->live_bytes &&
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
	if (linear_leak(h, pattern, cap, rate) ||
	    step_leak(h, pattern, cap, rate) ||
	    churn_leak(h, pattern, cap, rate))
		return CLASS_LEAK;
	if (bounded(h, pattern, cap))
		return CLASS_STEADY;

	fit(h, b / 2, b, &slope, &r2);
	for (k = 0; k < CLASSIFY_PERIODS; k++)
		if (h->live_by_period[k] >= 0.01 * h->live_bytes)
			holding++;
	if (slope > 0)
		snprintf(pattern, cap, "irregular growth (%s/s, fit %.2f)",
		    human(slope, buf, sizeof buf), r2);
	else
		snprintf(pattern, cap, "irregular, %d of %d periods of the"
		    " work still hold memory", holding, CLASSIFY_PERIODS);
	return CLASS_UNCLEAR;
}

enum site_class
classify_site(const struct site_history *h, char *pattern, size_t cap,
    double *growth)
{
	enum site_class c;
	double r2, released;
	size_t len;

	fit(h, 0, h->buckets, growth, &r2);
	if (h->live_blocks == 0) {
		snprintf(pattern, cap, h->exit_live_blocks > 0 ?
		    "allocated after the end of the work" : h->freed_late ?
		    "freed at exit" : "freed");
		return CLASS_FREED;
	}
	c = judge(h, pattern, cap, growth);
	released = h->live_bytes - h->exit_live_bytes;
	len = strlen(pattern);
	if (h->exit_live_blocks == 0 || (h->live_bytes > 0 &&
	    released >= 0.995 * h->live_bytes))
		snprintf(pattern + len, cap - len, ", released at exit");
	else if (h->live_bytes > 0 && released >= 0.1 * h->live_bytes)
		snprintf(pattern + len, cap - len, ", %.0f%% released at exit",
		    100 * released / h->live_bytes);
	return c;
}
