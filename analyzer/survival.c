/*
 * survival.c - the sums behind stack_survival, and histograms (see
 * survival.h).
 *
 * The sums live in a ptr_map (util/ptr-map.h) keyed by stack << 16 |
 * alloc_bucket << 8 | free_bucket, with bit 63 set so that every key is
 * non-zero (and all sort alike, as the table's primary key does); a
 * slot's size and ts hold the bytes and blocks, as two's complement
 * (a partial unmap adds negative blocks).
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

#include "../util/ptr-map.h"
#include "../util/xmalloc.h"
#include "survival.h"

#define USED (1ull << 63)

struct survival {
	ptr_map *sums;
};

survival *
survival_create(void)
{
	survival *sv = xcalloc(1, sizeof *sv);

	sv->sums = ptr_map_create();
	return sv;
}

void
survival_free(survival *sv)
{
	if (sv == NULL)
		return;
	ptr_map_free(sv->sums);
	free(sv);
}

size_t
survival_count(const survival *sv)
{
	return ptr_map_count(sv->sums);
}

void
survival_add(survival *sv, uint32_t stack, unsigned alloc_bucket,
    unsigned free_bucket, int64_t blocks, int64_t bytes)
{
	uint64_t key = USED | (uint64_t)stack << 16 |
	    (uint64_t)(alloc_bucket & 0xff) << 8 | (free_bucket & 0xff);
	int added;
	struct ptr_value *v = ptr_map_slot(sv->sums, key, &added);

	if (added)
		v->size = v->ts = 0;
	v->ts += (uint64_t)blocks;
	v->size += (uint64_t)bytes;
}

struct sum {
	uint64_t key;
	int64_t blocks, bytes;
};

struct collect {
	struct sum *all;
	size_t n;
};

static void
survival_collect(uint64_t key, const struct ptr_value *v, void *arg)
{
	struct collect *c = arg;

	c->all[c->n].key = key;
	c->all[c->n].blocks = (int64_t)v->ts;
	c->all[c->n++].bytes = (int64_t)v->size;
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
	size_t n = ptr_map_count(sv->sums), i;
	struct collect c = { xreallocarray(NULL, n ? n : 1, sizeof *c.all),
	    0 };

	ptr_map_each(sv->sums, survival_collect, &c);
	qsort(c.all, c.n, sizeof *c.all, survival_cmp);
	for (i = 0; i < c.n; i++)
		fn((uint32_t)(c.all[i].key >> 16 & 0xffffffffu),
		    (unsigned)(c.all[i].key >> 8) & 0xff,
		    (unsigned)c.all[i].key & 0xff, c.all[i].blocks,
		    c.all[i].bytes, arg);
	free(c.all);
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
