/*
 * load-mappings.c - anonymous mappings the program made: which ranges
 * are live, and what an mmap, munmap or mremap does to them.
 *
 * Owns l->mapped: the live mappings sorted by address, never
 * overlapping.  A mapping is a live block of its stack (load_gain,
 * load_lose with LIVE_MAPPED), and so are the pieces an unmap leaves of
 * it (load_unmap_range says how they count).  An unmap goes to the
 * end-of-work log like a free.  The new range of an mremap counts only
 * if the old one did (a mapping the program made).
 */
#define _GNU_SOURCE
#include <string.h>

#include "load-internal.h"

/* Index of the first live mapping that ends after ADDR. */
static size_t
load_maps_from(const struct loader *l, uint64_t addr)
{
	size_t lo = 0, hi = l->mapped.nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->mapped.maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The range [START, END) of mapping M as a blocks row (HELD: live at
   the end of the work). */
void
load_mapping_row(struct loader *l, const struct mapping *m, uint64_t start,
    uint64_t end, uint64_t free_ts, int held)
{
	const char *entry = ht_map_fn_names[m->fn < HT_MAP_FN_COUNT ? m->fn :
	    0];

	if (free_ts != 0)
		load_exec(l, l->sql.ins_block, "iiddiiti", (int64_t)start,
		    (int64_t)(end - start), secs(m->ts), secs(free_ts),
		    (int64_t)m->stack, (int64_t)m->thread, entry, (int64_t)held);
	else
		load_exec(l, l->sql.ins_block, "iidniiti", (int64_t)start,
		    (int64_t)(end - start), secs(m->ts), (int64_t)0,
		    (int64_t)m->stack, (int64_t)m->thread, entry, (int64_t)held);
}

/*
 * [CUT_LO, CUT_HI) of mapping M went at TS, changing its stack's live
 * blocks by BLOCKS: to the end-of-work log, like a free (after
 * load_unmap_range took the whole mapping off the mapped total).
 */
static void
load_unmapped(struct loader *l, const struct mapping *m, uint64_t cut_lo,
    uint64_t cut_hi, uint64_t ts, int64_t blocks)
{
	struct work_end_free f;
	int64_t total = l->run.heap_bytes + l->mapped.mapped_bytes +
	    (int64_t)(m->end - m->start);

	if (l->end.marked && m->ts >= l->end.mark_ts)
		return;		/* mapped after the end of the work */
	memset(&f, 0, sizeof f);
	f.ptr = cut_lo;
	f.ts = ts;
	f.alloc_ts = f.birth = m->ts;
	f.size = cut_hi - cut_lo;
	f.allocated_before = l->run.alloc_bytes;
	f.heap_before = total;
	f.stack = m->stack;
	f.alloc_fn = (uint8_t)m->fn;
	f.blocks = (int32_t)blocks;
	f.mapped = 1;
	work_end_add_free(l->end.log, &f, total - (int64_t)f.size);
}

/*
 * Unmaps [START, END) at time TS: every live mapping in the range loses
 * what overlaps it; a mapping only partly covered keeps the rest (at most
 * two pieces, if the range is inside it).  A mapping counts as freed when
 * nothing of it is left.  Returns the number of mappings touched.
 *
 * The pieces are live blocks of their own (in live_blocks, as in
 * stack_series), made when the mapping was: so in stack_survival the
 * bytes cut away go with blocks = 1 - pieces kept (1 for a whole
 * mapping, 0 when one end is trimmed, -1 when a hole splits it in two),
 * the change in live blocks, and the sums of live blocks at a bucket's
 * end stay exact.  In the lifetime histogram a cut that leaves pieces
 * adds its bytes but no block; a piece unmapped whole adds one.
 */
static size_t
load_unmap_range(struct loader *l, uint64_t start, uint64_t end, uint64_t ts)
{
	size_t i = load_maps_from(l, start), j, k, nkeep = 0;
	struct mapping keep[2];

	for (j = i; j < l->mapped.nmaps && l->mapped.maps[j].start < end; j++) {
		struct mapping *m = &l->mapped.maps[j];
		uint64_t cut_lo = m->start > start ? m->start : start;
		uint64_t cut_hi = m->end < end ? m->end : end;
		int whole = cut_lo == m->start && cut_hi == m->end;
		int pieces = (m->start < start) + (m->end > end);

		load_lose(l, m->stack, m->end - m->start, ts, LIVE_MAPPED |
		    (whole ? LIVE_COUNTED : 0));
		load_gone(l, m->stack, cut_hi - cut_lo, m->ts, ts, 1 - pieces,
		    whole);
		l->mapped.mapped_bytes -= (int64_t)(m->end - m->start);
		load_unmapped(l, m, cut_lo, cut_hi, ts, 1 - pieces);
		if (l->opt->all_blocks)
			load_mapping_row(l, m, cut_lo, cut_hi, ts, 0);
		if (m->start < start) {
			keep[nkeep] = *m;
			keep[nkeep++].end = start;
		}
		if (m->end > end) {
			keep[nkeep] = *m;
			keep[nkeep++].start = end;
		}
	}
	if (i == j)
		return 0;
	for (k = 0; k < nkeep; k++) {
		struct mapping *m = &keep[k];

		load_gain(l, m->stack, load_stack(l, m->stack),
		    m->end - m->start, ts, LIVE_MAPPED);
		l->mapped.mapped_bytes += (int64_t)(m->end - m->start);
	}
	/* Replace maps[i, j) with the pieces kept. */
	if (i + nkeep != j) {
		l->mapped.maps = load_grow(l->mapped.maps,
		    &l->mapped.maps_cap, l->mapped.nmaps + nkeep,
		    sizeof *l->mapped.maps);
		memmove(&l->mapped.maps[i + nkeep], &l->mapped.maps[j],
		    (l->mapped.nmaps - j) * sizeof *l->mapped.maps);
		l->mapped.nmaps = l->mapped.nmaps - (j - i) + nkeep;
	}
	memcpy(&l->mapped.maps[i], keep, nkeep * sizeof *keep);
	return j - i;
}

/* The end of a range of LEN bytes at START, rounded up to pages; 0 if
   it would wrap. */
static uint64_t
load_range_end(const struct loader *l, uint64_t start, uint64_t len)
{
	uint64_t page = l->run.header.page_size ? l->run.header.page_size :
	    4096;
	uint64_t end;

	if (len == 0 || __builtin_add_overflow(start, len, &end) ||
	    __builtin_add_overflow(end, page - 1, &end))
		return 0;
	return end - end % page;
}

void
load_map(struct loader *l, const struct ht_record *r)
{
	struct thread_acc *t = load_thread(l, r->thread);
	uint64_t end = load_range_end(l, r->ptr, r->size);
	struct stack_acc *s;
	struct mapping *m;
	size_t i;

	/* The new range of an mremap counts if the old one did. */
	if (end == 0 || (r->fn == HT_MAP_MREMAP && !t->remap_known))
		return;
	l->mapped.n_maps++;
	load_unmap_range(l, r->ptr, end, r->ts);	/* what it replaced */
	s = load_event_stack(l, r->id);
	i = load_maps_from(l, r->ptr);
	l->mapped.maps = load_grow(l->mapped.maps, &l->mapped.maps_cap,
	    l->mapped.nmaps, sizeof *l->mapped.maps);
	memmove(&l->mapped.maps[i + 1], &l->mapped.maps[i],
	    (l->mapped.nmaps - i) * sizeof *l->mapped.maps);
	l->mapped.nmaps++;
	m = &l->mapped.maps[i];
	m->start = r->ptr;
	m->end = end;
	m->ts = r->ts;
	m->stack = (uint32_t)r->id;
	m->thread = r->thread;
	m->fn = r->fn;
	load_gain(l, r->id, s, end - r->ptr, r->ts, LIVE_COUNTED |
	    LIVE_MAPPED);
	load_size(l, s, end - r->ptr);
	l->mapped.mapped_bytes += (int64_t)(end - r->ptr);
	l->run.alloc_bytes += end - r->ptr;
	if (l->mapped.mapped_bytes > l->mapped.mapped_peak)
		l->mapped.mapped_peak = l->mapped.mapped_bytes;
}

void
load_unmap(struct loader *l, const struct ht_record *r)
{
	uint64_t end = load_range_end(l, r->ptr, r->size);
	size_t touched = end ? load_unmap_range(l, r->ptr, end, r->ts) : 0;

	l->mapped.n_unmaps++;
	if (r->fn == HT_UNMAP_MREMAP)
		load_thread(l, r->thread)->remap_known = touched > 0;
}
