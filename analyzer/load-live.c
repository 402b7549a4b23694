/*
 * load-live.c - allocations and frees: the live totals and the time
 * buckets.
 *
 * Every allocation and free comes through load_event, which checks it
 * and keeps the running totals of its stack, site and module and of the
 * heap (load_gain, load_lose: mappings use them too), the realloc chains
 * (births) and the end-of-work log (work-end.h).  Time goes in BUCKETS
 * buckets: when an event falls past the current one's end, the bucket
 * is written (load_flush_bucket): a timeline row, and a stack_series and
 * site_series row per stack and site it touched.
 *
 * What becomes of blocks (survival.h): when a block goes in a later
 * bucket than it came in, its bytes are added to the stack_survival sum
 * of (stack, bucket it came in, bucket it went in) (load_gone); the
 * blocks still live at the end are added by load-finish.c.  Each site
 * counts its allocations by size and its blocks gone by lifetime.
 *
 * Nothing here is per event in memory: the totals are per stack, site,
 * module and thread.
 */
#define _GNU_SOURCE
#include <string.h>

#include "../util/xmalloc.h"
#include "load-internal.h"

static void
load_touch(struct loader *l, uint64_t stack, struct stack_acc *s)
{
	if (s->touched)
		return;
	s->touched = 1;
	if (l->time.ntouched == l->time.touched_cap) {
		l->time.touched_cap = l->time.touched_cap ?
		    l->time.touched_cap * 2 : 1024;
		l->time.touched = xreallocarray(l->time.touched,
		    l->time.touched_cap, sizeof *l->time.touched);
	}
	l->time.touched[l->time.ntouched++] = (uint32_t)stack;
}

static void
load_touch_site(struct loader *l, uint32_t site)
{
	if (site == 0 || l->where.sites[site].touched)
		return;
	l->where.sites[site].touched = 1;
	if (l->time.ntouched_sites == l->time.touched_sites_cap) {
		l->time.touched_sites_cap = l->time.touched_sites_cap ?
		    l->time.touched_sites_cap * 2 : 1024;
		l->time.touched_sites = xreallocarray(l->time.touched_sites,
		    l->time.touched_sites_cap, sizeof *l->time.touched_sites);
	}
	l->time.touched_sites[l->time.ntouched_sites++] = site;
}

/* Writes the current bucket and moves to the next. */
void
load_flush_bucket(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->time.ntouched_sites; i++) {
		struct site_acc *t = &l->where.sites[l->time.touched_sites[i]];

		load_exec(l, l->sql.ins_site_series, "iiiiii",
		    (int64_t)l->time.touched_sites[i], (int64_t)l->time.bucket,
		    t->live_bytes, t->live_blocks,
		    (int64_t)t->bucket_allocs, (int64_t)t->bucket_alloc_bytes);
		t->touched = 0;
		t->bucket_allocs = t->bucket_alloc_bytes = 0;
	}
	l->time.ntouched_sites = 0;

	for (i = 0; i < l->time.ntouched; i++) {
		struct stack_acc *s = &l->ids.stacks[l->time.touched[i]];

		load_exec(l, l->sql.ins_series, "iiiiii",
		    (int64_t)l->time.touched[i], (int64_t)l->time.bucket,
		    s->live_bytes, s->live_blocks,
		    (int64_t)s->bucket_allocs, (int64_t)s->bucket_alloc_bytes);
		s->touched = 0;
		s->bucket_allocs = s->bucket_alloc_bytes = 0;
	}
	l->time.ntouched = 0;
	/* RSS samples come ahead of events (they are not held for
	   ordering), so they are kept per bucket, the last carried on. */
	if (l->time.rss[l->time.bucket] >= 0)
		l->time.last_rss = l->time.rss[l->time.bucket];
	load_exec(l, l->sql.ins_timeline, l->time.last_rss >= 0 ? "idiiiiiii" :
	    "idiiiniii", (int64_t)l->time.bucket,
	    secs((l->time.bucket + 1) * l->time.bucket_ns), l->run.heap_bytes,
	    l->run.heap_blocks, l->time.bucket_peak, l->time.last_rss,
	    (int64_t)l->time.bucket_allocs, (int64_t)l->time.bucket_frees,
	    l->mapped.mapped_bytes);
	l->time.bucket++;
	l->time.bucket_end = l->time.bucket + 1 < BUCKETS ?
	    (l->time.bucket + 1) * l->time.bucket_ns : UINT64_MAX;
	l->time.bucket_peak = l->run.heap_bytes;
	l->time.bucket_allocs = l->time.bucket_frees = 0;
}

/* Writes the buckets that end at or before TS. */
static inline void
load_advance(struct loader *l, uint64_t ts)
{
	uint64_t b;

	if (ts < l->time.bucket_end)
		return;
	b = ts / l->time.bucket_ns;
	if (b >= BUCKETS)
		b = BUCKETS - 1;	/* the END may land past the last */
	while (l->time.bucket < b)
		load_flush_bucket(l);
}

static void
load_anomaly(struct loader *l, const char *kind, const struct ht_event *e)
{
	if (l->run.anomaly_rows++ >= ANOMALY_ROWS_MAX)
		return;
	load_exec(l, l->sql.ins_anomaly, e->tag == HT_TAG_ALLOC ? "tdiiii" :
	    "tdiini", kind, secs(e->ts), (int64_t)e->thread, (int64_t)e->ptr,
	    (int64_t)e->id, (int64_t)1);
}

/* The stack an event names; a stack never defined gets "no stack". */
struct stack_acc *
load_event_stack(struct loader *l, uint64_t id)
{
	struct stack_acc *s = load_stack(l, id);

	if (!s->defined && s->site == 0)
		s->site = load_site(l, 0, UINT32_MAX);	/* no stack */
	return s;
}

/*
 * Adds one live block of SIZE bytes to stack ID (S) and its site and
 * module; HOW: LIVE_* flags.
 */
void
load_gain(struct loader *l, uint64_t id, struct stack_acc *s, uint64_t size,
    uint64_t ts, int how)
{
	if (how & LIVE_COUNTED) {
		if (s->allocs == 0)
			s->first_ts = ts;
		s->last_ts = ts;
		s->allocs++;
		s->alloc_bytes += size;
		s->bucket_allocs++;
		s->bucket_alloc_bytes += size;
	}
	s->live_blocks++;
	s->live_bytes += (int64_t)size;
	if (s->live_bytes > s->peak_bytes) {
		s->peak_bytes = s->live_bytes;
		s->peak_ts = ts;
	}
	if (s->site != 0) {
		struct site_acc *site = &l->where.sites[s->site];

		if (how & LIVE_COUNTED) {
			if (site->allocs == 0)
				site->first_ts = ts;
			site->last_ts = ts;
			site->allocs++;
			site->alloc_bytes += size;
			site->bucket_allocs++;
			site->bucket_alloc_bytes += size;
		}
		site->live_blocks++;
		site->live_bytes += (int64_t)size;
		if (how & LIVE_MAPPED)
			site->mapped_bytes += (int64_t)size;
		if (site->live_bytes > site->peak_bytes)
			site->peak_bytes = site->live_bytes;
		load_touch_site(l, s->site);
		if (site->module_idx >= 0) {
			struct module_acc *m =
			    &l->mods.modules[site->module_idx];

			if (how & LIVE_COUNTED)
				m->allocs++;
			m->live_blocks++;
			m->live_bytes += (int64_t)size;
			if (how & LIVE_MAPPED)
				m->mapped_bytes += (int64_t)size;
			if (m->live_bytes > m->peak_bytes)
				m->peak_bytes = m->live_bytes;
		}
	}
	load_touch(l, id, s);
}

/*
 * An allocation of SIZE bytes at S's site, in its size histogram (apart
 * from load_gain, which then stays small enough to inline).
 */
void
load_size(struct loader *l, const struct stack_acc *s, uint64_t size)
{
	if (s->site != 0)
		survival_hist_add(&l->where.sites[s->site].size,
		    survival_size_bin(size), 1, size);
}

/* Takes one live block of SIZE bytes off STACK, its site and module. */
void
load_lose(struct loader *l, uint64_t stack, uint64_t size, uint64_t ts,
    int how)
{
	struct stack_acc *s = load_stack(l, stack);

	if (how & LIVE_COUNTED) {
		s->frees++;
		s->freed_bytes += size;
	}
	s->live_blocks--;
	s->live_bytes -= (int64_t)size;
	if (s->site != 0) {
		struct site_acc *site = &l->where.sites[s->site];

		if (how & LIVE_COUNTED) {
			site->frees++;
			if (ts * 20 >= l->time.duration_ns * 19)
				site->late_frees++;
		}
		site->live_blocks--;
		site->live_bytes -= (int64_t)size;
		if (how & LIVE_MAPPED)
			site->mapped_bytes -= (int64_t)size;
		load_touch_site(l, s->site);
		if (site->module_idx >= 0) {
			struct module_acc *m =
			    &l->mods.modules[site->module_idx];

			m->live_blocks--;
			m->live_bytes -= (int64_t)size;
			if (how & LIVE_MAPPED)
				m->mapped_bytes -= (int64_t)size;
		}
	}
	load_touch(l, stack, s);
}

/*
 * BYTES of a block of STACK, allocated at ALLOC_TS, went now (at TS, in
 * the current bucket), after load_lose took them off: adds them to the
 * stack_survival sums if the block came in an earlier bucket, and to its
 * site's lifetime histogram.  BLOCKS is by how many the stack's live
 * blocks went down (not always 1 for mappings, see load_unmap_range);
 * WHOLE: nothing is left of the block, so it counts as a block gone.
 */
void
load_gone(struct loader *l, uint64_t stack, uint64_t bytes,
    uint64_t alloc_ts, uint64_t ts, int64_t blocks, int whole)
{
	uint32_t site = l->ids.stacks[stack].site;

	/* Most blocks go in the bucket they came in: no division then. */
	if (alloc_ts < l->time.bucket * l->time.bucket_ns)
		survival_add(l->time.survival, (uint32_t)stack,
		    load_bucket_of(l, alloc_ts), (unsigned)l->time.bucket,
		    blocks, (int64_t)bytes);
	if (site != 0)
		survival_hist_add(&l->where.sites[site].lifetime,
		    survival_time_bin(ts > alloc_ts ? ts - alloc_ts : 0),
		    whole != 0, bytes);
}

static void
load_alloc(struct loader *l, const struct ht_event *r)
{
	struct stack_acc *s = load_event_stack(l, r->id);
	struct thread_acc *t = load_thread(l, r->thread);

	l->run.allocs++;
	l->run.alloc_bytes += r->size;
	l->time.bucket_allocs++;
	l->run.heap_bytes += (int64_t)r->size;
	l->run.heap_blocks++;
	if (l->run.heap_bytes > l->time.bucket_peak)
		l->time.bucket_peak = l->run.heap_bytes;
	if (l->run.heap_bytes > l->run.peak_bytes) {
		l->run.peak_bytes = l->run.heap_bytes;
		l->run.peak_ts = r->ts;
	}
	load_gain(l, r->id, s, r->size, r->ts, LIVE_COUNTED);
	load_size(l, s, r->size);
	if (l->end.marked) {
		struct ptr_value v = { 0 };

		ptr_map_put(l->end.after_mark, r->ptr, &v);
	}
	t->last_alloc = r->ptr;
	t->last_was_alloc = 1;
	t->last_alloc_size = r->size;
	t->last_alloc_ts = r->ts;
	t->last_alloc_stack = r->id;
	/* A realloc's new block goes on with the chain of the old one; any
	   other starts its own (a chain's block freed unseen by the loader's
	   bookkeeping leaves no birth behind for its address). */
	if (t->realloc_pending && (r->fn == HT_ALLOC_REALLOC ||
	    r->fn == HT_ALLOC_REALLOCARRAY) && t->realloc_birth < r->ts) {
		struct ptr_value v = { 0 };

		v.ts = t->realloc_birth;
		ptr_map_put(l->end.births, r->ptr, &v);
	} else if (ptr_map_count(l->end.births) > 0) {
		ptr_map_remove(l->end.births, r->ptr, NULL);
	}
	t->realloc_pending = 0;
}

/* When the chain of the block at PTR, allocated at ALLOC_TS, began;
   forgets it (the block is going). */
static inline uint64_t
load_birth(struct loader *l, uint64_t ptr, uint64_t alloc_ts)
{
	struct ptr_value v;

	if (ptr_map_count(l->end.births) > 0 &&
	    ptr_map_remove(l->end.births, ptr, &v))
		return v.ts;
	return alloc_ts;
}

/*
 * Block R is freed right after its thread allocated, at the same stack
 * and with nothing between, a block half as big again or more: a vector
 * or hash table grown by copying (std::vector, a Rust HashMap), so the
 * new block goes on with the chain of the old one, born at BIRTH.
 */
static inline void
load_moved(struct loader *l, const struct thread_acc *t,
    const struct ht_event *r, uint64_t birth)
{
	struct ptr_value v = { 0 };

	if (!t->last_was_alloc || t->last_alloc == r->ptr ||
	    t->last_alloc_stack != r->id ||
	    t->last_alloc_size * 2 < r->size * 3 || birth >= t->last_alloc_ts)
		return;
	v.ts = birth;
	ptr_map_put(l->end.births, t->last_alloc, &v);
}

/* Takes a heap block of SIZE bytes from STACK off every running total. */
static void
load_unlive(struct loader *l, uint64_t stack, uint64_t size, uint64_t ts)
{
	l->run.heap_bytes -= (int64_t)size;
	l->run.heap_blocks--;
	load_lose(l, stack, size, ts, LIVE_COUNTED);
}

static void
load_free(struct loader *l, const struct ht_event *r)
{
	struct thread_acc *t = load_thread(l, r->thread);
	struct work_end_free f;

	l->run.frees++;
	l->time.bucket_frees++;
	if (r->flags & HT_REC_UNKNOWN_FREE) {
		l->run.unknown_frees++;
		load_anomaly(l, "unknown_free", r);
		t->last_was_alloc = 0;
		t->realloc_pending = 0;
		return;
	}
	f.ptr = r->ptr;
	f.ts = r->ts;
	f.alloc_ts = r->alloc_ts;
	f.birth = load_birth(l, r->ptr, r->alloc_ts);
	load_moved(l, t, r, f.birth);
	f.size = r->size;
	f.allocated_before = l->run.alloc_bytes;
	f.heap_before = l->run.heap_bytes + l->mapped.mapped_bytes;
	f.stack = r->id;
	f.alloc_fn = r->alloc_fn;
	f.blocks = 1;
	f.mapped = 0;
	t->realloc_pending = r->fn == HT_FREE_REALLOC ||
	    r->fn == HT_FREE_REALLOCARRAY;
	t->realloc_birth = f.birth;
	load_unlive(l, r->id, r->size, r->ts);
	load_gone(l, r->id, r->size, r->alloc_ts, r->ts, 1, 1);
	/* After the mark, only the blocks from before it matter. */
	if (!l->end.marked || !ptr_map_remove(l->end.after_mark, r->ptr, NULL))
		work_end_add_free(l->end.log, &f, l->run.heap_bytes +
		    l->mapped.mapped_bytes);
	if (t->last_was_alloc && t->last_alloc == r->ptr) {
		load_stack(l, r->id)->temporary++;
		l->run.temporary++;
	}
	t->last_was_alloc = 0;
	if (l->opt->all_blocks)
		load_exec(l, l->sql.ins_block, "iiddiiti", (int64_t)r->ptr,
		    (int64_t)r->size, secs(r->alloc_ts), secs(r->ts),
		    (int64_t)r->id, (int64_t)r->thread,
		    ht_alloc_fn_names[r->alloc_fn < HT_ALLOC_FN_COUNT ?
		    r->alloc_fn : 0], (int64_t)0);
}

/*
 * Checks the thread of an event of any kind at TS, and moves time on to
 * it (writing the buckets that end before it).  0, or -1 after
 * load_error: the thread index is out of sequence.
 */
int
load_at(struct loader *l, uint32_t thread, uint64_t ts)
{
	if (thread > l->ids.threads_started + ID_SLACK) {
		load_error(l, "%s: corrupt trace: thread index %u out of "
		    "sequence", l->opt->trace, thread);
		return -1;
	}
	load_advance(l, ts);
	if (ts > l->run.last_ts)
		l->run.last_ts = ts;
	return 0;
}

/*
 * An allocation or free, E; R is the record it came as when it did not
 * fit a struct ht_event (see its comment), else NULL.  The one path of
 * both: the checks that come before any use of it, a live block it
 * replaced, then load_alloc or load_free.
 */
void
load_event(struct loader *l, const struct ht_event *e,
    const struct ht_record *r)
{
	struct ht_event fixed;

	if (load_at(l, e->thread, e->ts) != 0)
		return;
	l->run.events++;
	if (!load_stack_known(l, r != NULL ? r->id : e->id)) {
		/* Damage: an event naming no defined stack. */
		fixed = *e;
		fixed.id = 0;
		e = &fixed;
	}
	if (r != NULL && (r->flags & HT_REC_REPLACED)) {
		/* The block that was live here went unseen: count it gone. */
		uint64_t stack = load_stack_known(l, r->replaced_stack) ?
		    r->replaced_stack : 0;

		l->run.replaced++;
		load_anomaly(l, "replaced_live", e);
		load_unlive(l, stack, r->replaced_size, r->ts);
		load_gone(l, stack, r->replaced_size, r->replaced_ts, r->ts, 1,
		    1);
	}
	if (e->tag == HT_TAG_ALLOC)
		load_alloc(l, e);
	else
		load_free(l, e);
}
