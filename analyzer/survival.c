/*
 * survival.c - the sums behind stack_survival, and histograms (see
 * survival.h).
 *
 * An open-addressing hash table from a packed key, stack << 16 |
 * alloc_bucket << 8 | free_bucket, to blocks and bytes.  Insert-only (sums
 * are never removed), linear probing, grows at 1/2 load.  Bit 63 marks a
 * used slot, so every key, even that of stack 0 and buckets 0, is
 * non-zero; it sorts all keys alike, so the packed keys sort as the
 * table's primary key does.
 *
 * The loader adds to it only when a block goes in a later bucket than it
 * came and for the blocks live at the end, so it holds at most one entry
 * per stack and pair of buckets touched, and usually far fewer.
 *
 * A histogram widens its range of bins to take a bin outside it: a new
 * array each time, at most SURVIVAL_SIZE_BINS times, usually once or twice.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/xmalloc.h"
#include "survival.h"

#define USED (1ull << 63)

struct sum {
	uint64_t key;			/* packed | USED, 0: empty */
	int64_t blocks, bytes;
};

struct survival {
	struct sum *slots;
	size_t mask;			/* capacity - 1 */
	size_t count;
};

static size_t
survival_home(const survival *sv, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & sv->mask;
}

survival *
survival_create(void)
{
	survival *sv = xcalloc(1, sizeof *sv);

	sv->mask = 1023;
	sv->slots = xcalloc(sv->mask + 1, sizeof *sv->slots);
	return sv;
}

void
survival_free(survival *sv)
{
	if (sv == NULL)
		return;
	free(sv->slots);
	free(sv);
}

size_t
survival_count(const survival *sv)
{
	return sv->count;
}

static void
survival_grow(survival *sv)
{
	struct sum *old = sv->slots;
	size_t n = sv->mask + 1, i, j;

	sv->mask = n * 2 - 1;
	sv->slots = xcalloc(n * 2, sizeof *sv->slots);
	for (i = 0; i < n; i++) {
		if (old[i].key == 0)
			continue;
		for (j = survival_home(sv, old[i].key); sv->slots[j].key != 0;
		    j = (j + 1) & sv->mask)
			;
		sv->slots[j] = old[i];
	}
	free(old);
}

void
survival_add(survival *sv, uint32_t stack, unsigned alloc_bucket,
    unsigned free_bucket, int64_t blocks, int64_t bytes)
{
	uint64_t key = USED | (uint64_t)stack << 16 |
	    (uint64_t)(alloc_bucket & 0xff) << 8 | (free_bucket & 0xff);
	size_t i;

	for (i = survival_home(sv, key); sv->slots[i].key != 0;
	    i = (i + 1) & sv->mask) {
		if (sv->slots[i].key == key) {
			sv->slots[i].blocks += blocks;
			sv->slots[i].bytes += bytes;
			return;
		}
	}
	if ((sv->count + 1) * 2 > sv->mask + 1) {
		survival_grow(sv);
		for (i = survival_home(sv, key); sv->slots[i].key != 0;
		    i = (i + 1) & sv->mask)
			;
	}
	sv->slots[i].key = key;
	sv->slots[i].blocks = blocks;
	sv->slots[i].bytes = bytes;
	sv->count++;
}

static int
survival_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct sum *)a)->key;
	uint64_t y = ((const struct sum *)b)->key;

	return x < y ? -1 : x > y;
}

void
survival_each(survival *sv, void (*fn)(uint32_t, unsigned, unsigned,
    int64_t, int64_t, void *), void *arg)
{
	struct sum *all = xreallocarray(NULL, sv->count ? sv->count : 1,
	    sizeof *all);
	size_t i, n = 0;

	for (i = 0; i <= sv->mask; i++)
		if (sv->slots[i].key != 0)
			all[n++] = sv->slots[i];
	qsort(all, n, sizeof *all, survival_cmp);
	for (i = 0; i < n; i++)
		fn((uint32_t)(all[i].key >> 16), (unsigned)(all[i].key >> 8) &
		    0xff, (unsigned)all[i].key & 0xff, all[i].blocks,
		    all[i].bytes, arg);
	free(all);
}

void
survival_hist_widen(struct survival_hist *h, unsigned bin)
{
	unsigned lo = h->hi == 0 || bin < h->lo ? bin : h->lo;
	unsigned hi = h->hi == 0 || bin >= h->hi ? bin + 1 : h->hi;
	struct survival_bin *bins = xcalloc(hi - lo, sizeof *bins);

	if (h->hi != 0)
		memcpy(bins + (h->lo - lo), h->bins, (size_t)(h->hi - h->lo) *
		    sizeof *bins);
	free(h->bins);
	h->bins = bins;
	h->lo = (uint8_t)lo;
	h->hi = (uint8_t)hi;
}

void
survival_hist_clear(struct survival_hist *h)
{
	free(h->bins);
	h->bins = NULL;
	h->lo = h->hi = 0;
}
