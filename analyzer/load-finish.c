/*
 * load-finish.c - after the last event: back to the end of the work.
 *
 * The end of the work (work-end.h) is decided here if no mark did; the
 * live figures after the last event are kept as exit_* (stacks, sites,
 * modules, heap), and the live figures become those at the end of the
 * work: the frees after it are undone, the blocks allocated after it
 * taken off (load_work_end).  Then the blocks live at the end of the
 * work or after the last event are written to blocks, added to the
 * survival sums as "never freed" (BUCKETS) and to their site's age
 * histogram, and those held at the end of the work to their site's live
 * bytes by period of birth (load_held: a realloc chain or a copied
 * container's block is born with its chain), for the classification.
 */
#define _GNU_SOURCE
#include <string.h>

#include "load-internal.h"

/*
 * A block (or mapping piece) of STACK, allocated at TS, of SIZE bytes, is
 * live after the last event: its stack_survival sum "never freed" and its
 * site's age histogram.
 */
static void
load_survived(struct loader *l, uint32_t stack, uint64_t size, uint64_t ts)
{
	uint32_t site = stack < l->ids.nstacks ? l->ids.stacks[stack].site : 0;

	survival_add(l->time.survival, stack, load_bucket_of(l, ts), BUCKETS, 1,
	    (int64_t)size);
	if (site != 0)
		survival_hist_add(&l->where.sites[site].age, survival_time_bin(
		    l->run.last_ts > ts ? l->run.last_ts - ts : 0), 1, size);
}

/*
 * A block of STACK, of SIZE bytes, whose chain (load_birth) was born at
 * BIRTH, is live at the end of the work: its site's live bytes by period
 * of birth.
 */
static void
load_held(struct loader *l, uint32_t stack, uint64_t size, uint64_t birth)
{
	uint32_t site = stack < l->ids.nstacks ? l->ids.stacks[stack].site : 0;

	if (site != 0)
		l->where.sites[site].live_by_period[classify_period(birth,
		    work_end_time(l->end.log))] += (double)size;
}

/*
 * Adds BLOCKS blocks and SIGN (+1 or -1) times SIZE bytes of STACK to
 * the live figures of the stack, its site and module, and the heap (or,
 * MAPPED, the mapped totals: see load_unmap_range for why a cut of a
 * mapping changes the live blocks by other than one).
 */
static void
load_shift(struct loader *l, uint32_t stack, uint64_t size, int64_t blocks,
    int sign, int mapped)
{
	struct stack_acc *s = load_stack(l, stack);
	int64_t bytes = sign * (int64_t)size;

	s->live_blocks += blocks;
	s->live_bytes += bytes;
	if (mapped) {
		l->mapped.mapped_bytes += bytes;
	} else {
		l->run.heap_blocks += blocks;
		l->run.heap_bytes += bytes;
	}
	if (s->site != 0) {
		struct site_acc *t = &l->where.sites[s->site];

		t->live_blocks += blocks;
		t->live_bytes += bytes;
		if (mapped)
			t->mapped_bytes += bytes;
		if (t->module_idx >= 0) {
			struct module_acc *m = &l->mods.modules[t->module_idx];

			m->live_blocks += blocks;
			m->live_bytes += bytes;
			if (mapped)
				m->mapped_bytes += bytes;
		}
	}
}

static void
load_undo_free(const struct work_end_free *f, void *arg)
{
	load_shift(arg, load_counted_stack(arg, f->stack), f->size, f->blocks,
	    1, f->mapped);
}

/*
 * Was the block at ADDR (or, MAPPED, the mapping), allocated at TS,
 * allocated after the work (work-end.h)?  After the mark, a block is
 * known by its order; a mapping goes by its time.
 */
static int
load_after_work(struct loader *l, uint64_t addr, uint64_t ts, int mapped)
{
	switch (work_end_why(l->end.log)) {
	case WORK_END_MARK:
		return mapped ? ts >= work_end_time(l->end.log) :
		    ptr_map_find(l->end.after_mark, addr) != NULL;
	case WORK_END_TEARDOWN:
		return ts > work_end_time(l->end.log);
	default:
		return 0;
	}
}

/* The loader and the ordered reader whose live map holds the blocks. */
struct live_since_ctx {
	struct loader *l;
	ht_ordered *o;
	uint64_t ts, bytes;
};

static void
load_live_since_block(uint64_t addr, const struct ptr_value *v, void *arg)
{
	struct live_since_ctx *c = arg;

	(void)addr;
	if (v->ts >= c->ts)
		c->bytes += v->size;
}

/* work_end_finish's LIVE_SINCE: bytes live now (blocks and mappings)
   allocated at TS or later; ARG: a struct live_since_ctx. */
static uint64_t
load_live_since(uint64_t ts, void *arg)
{
	struct live_since_ctx *c = arg;
	const struct load_mapped *mp = &c->l->mapped;
	size_t i;

	c->ts = ts;
	c->bytes = 0;
	ht_ordered_each_live(c->o, load_live_since_block, c);
	for (i = 0; i < mp->nmaps; i++)
		if (mp->maps[i].ts >= ts)
			c->bytes += mp->maps[i].end - mp->maps[i].start;
	return c->bytes;
}

static void
load_undo_alloc(uint64_t addr, const struct ptr_value *v, void *arg)
{
	struct loader *l = arg;

	if (load_after_work(l, addr, v->ts, 0))
		load_shift(l, load_counted_stack(l, v->stack), v->size, -1, -1,
		    0);
}

/*
 * The end of the work (work-end.h): decided now if no mark did; the live
 * figures after the last event are kept as exit_*, and the live figures
 * become those at the end of the work: the blocks freed after it were
 * live then, those allocated after it were not.  (Anonymous mappings
 * are taken as they are after the last event.)
 */
static void
load_work_end(struct loader *l, ht_ordered *o)
{
	struct live_since_ctx since = { l, o, 0, 0 };
	const struct mapping *maps = l->mapped.maps;
	size_t i;

	work_end_finish(l->end.log, l->run.last_ts, l->run.alloc_bytes,
	    load_live_since, &since);
	for (i = 0; i < l->ids.nstacks; i++) {
		struct stack_acc *s = &l->ids.stacks[i];

		s->exit_live_blocks = s->live_blocks;
		s->exit_live_bytes = s->live_bytes;
	}
	for (i = 1; i < l->where.nsites; i++) {
		struct site_acc *t = &l->where.sites[i];

		t->exit_live_blocks = t->live_blocks;
		t->exit_live_bytes = t->live_bytes;
	}
	for (i = 0; i < l->mods.nmodules; i++) {
		struct module_acc *m = &l->mods.modules[i];

		m->exit_live_blocks = m->live_blocks;
		m->exit_live_bytes = m->live_bytes;
	}
	l->run.exit_heap_blocks = l->run.heap_blocks;
	l->run.exit_heap_bytes = l->run.heap_bytes;
	l->mapped.exit_mapped_bytes = l->mapped.mapped_bytes;
	work_end_each_undone(l->end.log, load_undo_free, l);
	ht_ordered_each_live(o, load_undo_alloc, l);
	for (i = 0; i < l->mapped.nmaps; i++)
		if (load_after_work(l, 0, maps[i].ts, 1))
			load_shift(l, maps[i].stack, maps[i].end -
			    maps[i].start, -1, -1, 1);
}

struct live_ctx {
	struct loader *l;
};

/* A block live after the last event: survival, and a blocks row. */
static void
load_live_block(uint64_t addr, const struct ptr_value *v, void *arg)
{
	struct loader *l = ((struct live_ctx *)arg)->l;
	uint32_t stack = load_counted_stack(l, v->stack);
	int held = !load_after_work(l, addr, v->ts, 0);

	load_survived(l, stack, v->size, v->ts);
	if (held) {
		struct ptr_value *b = ptr_map_find(l->end.births, addr);

		load_held(l, stack, v->size, b ? b->ts : v->ts);
	}
	load_exec(l, l->sql.ins_block, "iidninti", (int64_t)addr,
	    (int64_t)v->size, secs(v->ts), (int64_t)0, (int64_t)v->stack,
	    (int64_t)0, ht_alloc_fn_names[v->fn < HT_ALLOC_FN_COUNT ? v->fn :
	    0], (int64_t)held);
}

/* A block freed after the end of the work, live then: a blocks row
   (unless --all-blocks wrote it when it was freed). */
static void
load_undone_block(const struct work_end_free *f, void *arg)
{
	struct loader *l = arg;

	load_held(l, load_counted_stack(l, f->stack), f->size, f->birth);
	if (!l->opt->all_blocks)
		load_exec(l, l->sql.ins_block, "iiddinti", (int64_t)f->ptr,
		    (int64_t)f->size, secs(f->alloc_ts), secs(f->ts),
		    (int64_t)f->stack, (int64_t)0, f->mapped ?
		    ht_map_fn_names[f->alloc_fn < HT_MAP_FN_COUNT ? f->alloc_fn :
		    0] : ht_alloc_fn_names[f->alloc_fn < HT_ALLOC_FN_COUNT ?
		    f->alloc_fn : 0], (int64_t)1);
}

/*
 * After the last record: the buckets left, the end of the work, the
 * blocks live then and after the last event (rows, survival, births),
 * then the tables from the totals (load-tables.c).
 */
void
load_finish(struct loader *l, ht_ordered *o)
{
	struct live_ctx ctx = { l };
	size_t i;

	while (l->time.bucket < BUCKETS)
		load_flush_bucket(l);
	load_work_end(l, o);
	ht_ordered_each_live(o, load_live_block, &ctx);
	work_end_each_undone(l->end.log, load_undone_block, l);
	for (i = 0; i < l->mapped.nmaps; i++) {
		const struct mapping *m = &l->mapped.maps[i];
		int held = !load_after_work(l, 0, m->ts, 1);

		load_survived(l, m->stack, m->end - m->start, m->ts);
		if (held)
			load_held(l, m->stack, m->end - m->start, m->ts);
		load_mapping_row(l, m, m->start, m->end, 0, held);
	}
	if (l->opt->all_blocks &&
	    work_end_why(l->end.log) != WORK_END_LAST_EVENT) {
		/* Which of the blocks freed were live at the end of the work
		   (without --all-blocks, they are written live_at_end); by
		   their times, so a free in the very microsecond of the end
		   may be taken for one after it. */
		sqlite3_stmt *upd = load_prepare(l, "UPDATE blocks SET"
		    " live_at_end = 1 WHERE free_time IS NOT NULL AND"
		    " alloc_time <= ?1 AND free_time >= ?1");

		load_exec(l, upd, "d", secs(work_end_time(l->end.log)));
		sqlite3_finalize(upd);
	}
	load_tables(l);
}
