/*
 * survival.h - what becomes of blocks: the sums behind the stack_survival
 * table, and the histograms of site_histograms (see heaptrail(5)).
 *
 * stack_survival has a row per (stack, bucket a block was allocated in,
 * bucket it went in) with the blocks and bytes that went so; the loader
 * adds to it only when a block goes in a later bucket than it came, and
 * for every block live at the end.  A survival map holds those sums
 * until they are written, in key order.
 *
 * A site has three histograms (sizes, lifetimes, ages); most use a few
 * of their bins, and a program may have a hundred thousand sites, so a
 * histogram holds only the range of bins used so far.
 */
#ifndef HEAPTRAIL_SURVIVAL_H
#define HEAPTRAIL_SURVIVAL_H

#include <stddef.h>
#include <stdint.h>

#define SURVIVAL_BUCKETS_MAX 255	/* buckets, and free bucket
					   "never" = the number of buckets */
#define SURVIVAL_SIZE_BINS 64	/* floor(log2(size)) */
#define SURVIVAL_TIME_BINS 21	/* decimal digits of a time in ns */

typedef struct survival survival;

survival *survival_create(void);
void survival_free(survival *sv);

/*
 * Adds BLOCKS and BYTES to the sums of (STACK, ALLOC_BUCKET, FREE_BUCKET);
 * both buckets at most SURVIVAL_BUCKETS_MAX.
 */
void survival_add(survival *sv, uint32_t stack, unsigned alloc_bucket,
    unsigned free_bucket, int64_t blocks, int64_t bytes);

/* Number of (stack, alloc_bucket, free_bucket) sums held. */
size_t survival_count(const survival *sv);

/*
 * Calls FN for every sum, ordered by stack, then alloc bucket, then free
 * bucket (the table's key, so rows go in in order).
 */
void survival_each(survival *sv, void (*fn)(uint32_t stack,
    unsigned alloc_bucket, unsigned free_bucket, int64_t blocks,
    int64_t bytes, void *arg), void *arg);

/* Blocks and bytes in one bin of a histogram. */
struct survival_bin {
	uint64_t blocks, bytes;
};

/* A histogram: bins [lo, hi) in BINS (malloc'ed); all zero when empty. */
struct survival_hist {
	struct survival_bin *bins;
	uint8_t lo, hi;
};

/* Makes room in H for BIN (below SURVIVAL_SIZE_BINS); see below. */
void survival_hist_widen(struct survival_hist *h, unsigned bin);
/* Frees H's bins; H is empty again. */
void survival_hist_clear(struct survival_hist *h);

/* Adds BLOCKS and BYTES to bin BIN of H. */
static inline void
survival_hist_add(struct survival_hist *h, unsigned bin, uint64_t blocks,
    uint64_t bytes)
{
	struct survival_bin *b;

	if (bin < h->lo || bin >= h->hi)
		survival_hist_widen(h, bin);
	b = &h->bins[bin - h->lo];
	b->blocks += blocks;
	b->bytes += bytes;
}

/* The size bin of SIZE bytes: floor(log2(SIZE)), 0 for 0. */
static inline unsigned
survival_size_bin(uint64_t size)
{
	return 63 - (unsigned)__builtin_clzll(size | 1);
}

/*
 * The time bin of NS nanoseconds: its number of decimal digits, so bin k
 * holds [10^(k-1), 10^k) and bin 0 holds 0.  Without a division: the
 * bit length gives the digits to within one (1233 / 4096 is just above
 * log10(2)), and one comparison settles it.
 */
static inline unsigned
survival_time_bin(uint64_t ns)
{
	static const uint64_t pow10[20] = { 1ull, 10ull, 100ull, 1000ull,
	    10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
	    1000000000ull, 10000000000ull, 100000000000ull,
	    1000000000000ull, 10000000000000ull, 100000000000000ull,
	    1000000000000000ull, 10000000000000000ull,
	    100000000000000000ull, 1000000000000000000ull,
	    10000000000000000000ull };
	unsigned t;

	if (ns == 0)
		return 0;
	t = ((64 - (unsigned)__builtin_clzll(ns)) * 1233) >> 12;
	return t + (ns >= pow10[t]);
}

#endif /* HEAPTRAIL_SURVIVAL_H */
