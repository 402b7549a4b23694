/*
 * load.c - load a trace into a new analysis database in one pass.
 *
 * The trace is read in global time order (reader/trace-order.c, which
 * also pairs frees with allocations).  While reading, this file keeps:
 * per stack running totals (dense array by stack id), the heap totals,
 * the current time bucket and the stacks touched in it.  When an event
 * falls past the bucket's end, the bucket is written: a timeline row and a
 * stack_series row per touched stack.  Definitions (modules, stacks,
 * threads, markers) go to their tables as they come.  At the end come the
 * per-stack totals, the blocks still live, the threads, meta, and the
 * sites (below); then indexes.
 *
 * Everything is written in one transaction with the journal off, into
 * DB.tmp.PID, renamed to DB only when complete: an interrupted analysis
 * never leaves a file that looks finished.
 *
 * Symbols: each distinct return address is symbolized once, when the
 * first stack that holds it is defined (the recorder defines a stack's
 * modules before it); each module's debug info is opened once, on first
 * need, and kept until the end.
 *
 * Sites: a stack's site is its innermost frame of the program's own
 * code: outside the allocator (not in libheaptrail, libc or libstdc++,
 * and not only allocation glue by name: operator new, __rust_alloc,
 * alloc::raw_vec:: ...) and outside the toolchain's library code
 * (own-code.h: the C++ and Rust standard libraries, glibc), inlined
 * frames included.  A stack with no such frame falls back to its
 * innermost frame outside the allocator.  Both are decided once per
 * distinct address (addr_info): an address is "own" when one of its
 * inlined frames is, and then that frame names the site there, else its
 * innermost frame that is not glue does.  So stacks with the same site
 * frame (return address) share a site, whichever rule chose it; and so
 * do site frames that name the same function, file and line in one
 * module (load_site_of_line): one line of the program is one site, even
 * where it calls into the allocator at two places.
 *
 * What becomes of blocks (survival.h): when a block goes in a later
 * bucket than it came in, its bytes are added to the stack_survival sum
 * of (stack, bucket it came in, bucket it went in); at the end, the
 * blocks still live are added with the bucket "never" (BUCKETS).  A
 * block that goes in its own bucket was never live at a bucket's end and
 * adds nothing.  So a stack's live blocks and bytes at the end of bucket
 * b (stack_series) are the sums with alloc_bucket <= b < free_bucket.
 * Each site counts its allocations by size, its blocks gone by lifetime
 * and those live at the end by age, in bins (site_histograms).
 *
 * The end of the work (work-end.h): every free goes to a work_end log
 * too, which keeps those that may still follow the end of the work; at
 * the end, the frees after it are undone and the blocks allocated after
 * it taken off, so that every live figure is as of then (exit_* keep the
 * figures after the last event).  Blocks born of a realloc chain, or
 * copied into by a growing container, carry their chain's birth
 * (births), for the classification.
 *
 * Memory: the live map (in the ordered reader), the stack array, the
 * module list, the site array with the bins its histograms use, the
 * survival sums (one per stack and pair of buckets that saw a block cross
 * them), the work_end log, the births and the blocks allocated after the
 * recorder's mark (all within the live blocks); nothing per event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/ptr-map.h"
#include "../reader/trace-reader.h"
#include "../util/xmalloc.h"
#include "analyzer.h"
#include "classify.h"
#include "own-code.h"
#include "read-ahead.h"
#include "survival.h"
#include "symbolize.h"
#include "work-end.h"

#define BUCKETS 200		/* time series resolution */
_Static_assert(BUCKETS <= SURVIVAL_BUCKETS_MAX, "buckets for survival");
#define ANOMALY_ROWS_MAX 100000	/* one row each; the rest are counted */
/*
 * The recorder numbers stacks and threads from 1 up, so ids run ahead of
 * the definitions read by little.  A damaged trace could name any id and
 * size the arrays indexed by them with it: ids further ahead than this
 * are errors.
 */
#define ID_SLACK 65536

struct stack_acc {
	uint64_t allocs, alloc_bytes, frees, freed_bytes;
	int64_t live_blocks, live_bytes;	/* at the end of the work, once
						   load_work_end has run */
	int64_t exit_live_blocks, exit_live_bytes;	/* after the last event */
	int64_t peak_bytes;
	uint64_t peak_ts, first_ts, last_ts;
	uint64_t temporary;
	uint64_t bucket_allocs, bucket_alloc_bytes;	/* this bucket's */
	uint32_t site;			/* index in sites, 0: none */
	uint32_t nframes;
	int touched;			/* in the current bucket's list */
	int defined;
};

/* What a return address is, for choosing sites (see the top). */
enum addr_kind {
	ADDR_LIBRARY,			/* the toolchain's library code: a site
					   of stacks with no own code only */
	ADDR_GLUE,			/* allocator, not a site */
	ADDR_OWN,			/* an inlined frame of it is the
					   program's own code */
	ADDR_ENTRY			/* library code that calls the
					   program's main: no frame outside
					   it is the program's own */
};
struct addr_info {
	int kind;			/* enum addr_kind */
	char *function, *file;		/* of the site frame there: the
					   innermost own one, else the
					   innermost that is not glue */
	unsigned line;
};

/* A site's running totals (the stacks that share its frame). */
struct site_acc {
	uint64_t address;
	uint64_t module_id;
	char *module;
	uint32_t where_idx;		/* infos[]: function, file, line */
	uint64_t allocs, alloc_bytes, frees;
	int64_t live_blocks, live_bytes, peak_bytes;
	uint64_t first_ts, last_ts;
	uint64_t bucket_allocs, bucket_alloc_bytes;	/* this bucket's */
	int64_t module_idx;		/* index in modules, -1: none */
	uint64_t late_frees;		/* in the last 5% of the run */
	int64_t mapped_bytes;		/* of live_bytes, in mappings */
	int64_t exit_live_blocks, exit_live_bytes;
	/* Live bytes at the end of the work by when their block (realloc
	   chain) was born: the work in CLASSIFY_PERIODS periods. */
	double live_by_period[CLASSIFY_PERIODS];
	int touched;
	/* site_histograms, by survival_size_bin and survival_time_bin */
	struct survival_hist size;	/* every allocation */
	struct survival_hist lifetime;	/* gone during the run */
	struct survival_hist age;	/* live at the end */
};

struct thread_acc {
	uint64_t tid;
	char *name;
	uint64_t start_ts, end_ts;
	int ended, seen;
	uint64_t last_alloc;		/* for temporary allocations */
	int last_was_alloc;
	uint64_t last_alloc_size, last_alloc_ts;	/* and moves */
	uint32_t last_alloc_stack;
	int remap_known;		/* its last mremap moved a mapping
					   we know (so the new one counts) */
	int realloc_pending;		/* its last free was a realloc's */
	uint64_t realloc_birth;		/* of the block that realloc freed */
};

struct module_acc {
	uint64_t id, base, text_lo, text_hi;
	uint64_t load_ts, unload_ts;
	int unloaded;
	char *path;
	uint8_t build_id[HT_BUILD_ID_MAX];
	size_t build_id_len;
	sym_module *sym;		/* opened on first need */
	int sym_tried;
	uint64_t allocs;		/* of the sites in it */
	int64_t live_blocks, live_bytes, peak_bytes, mapped_bytes;
	int64_t exit_live_blocks, exit_live_bytes;
};

/* An anonymous mapping the program made, live now: [start, end). */
struct mapping {
	uint64_t start, end;
	uint64_t ts;			/* when mapped */
	uint32_t stack, thread;
	unsigned fn;			/* enum ht_map_fn */
};

struct loader {
	const struct load_options *opt;
	sqlite3 *db;
	char *tmp_path;
	char *error;

	sqlite3_stmt *ins_module, *ins_stack, *ins_stack_frame, *ins_frame,
	    *ins_series, *ins_timeline, *ins_marker, *ins_anomaly,
	    *ins_block, *ins_thread, *ins_stack_stats, *ins_meta,
	    *upd_module_unload, *ins_site_series;

	struct stack_acc *stacks;
	size_t nstacks;
	uint64_t stacks_defined;	/* STACK records read */
	uint64_t threads_started;	/* THREAD_START records read */
	uint32_t *touched;
	size_t ntouched, touched_cap;
	uint32_t *touched_sites;
	size_t ntouched_sites, touched_sites_cap;
	uint64_t duration_ns;

	struct thread_acc *threads;
	size_t nthreads;

	struct module_acc *modules;
	size_t nmodules, modules_cap;

	ptr_map *addresses;		/* address -> index in infos */
	struct addr_info *infos;
	size_t ninfos, infos_cap;
	ptr_map *site_of;		/* site frame address -> site index */
	ptr_map *site_of_line;		/* load_site_of_line's key -> site */
	struct site_acc *sites;		/* [0] unused */
	size_t nsites, sites_cap;
	uint32_t nostack_site;		/* stacks without frames, or 0 */

	uint64_t bucket_ns;
	uint64_t bucket;		/* current bucket index */
	uint64_t bucket_end;		/* its end, ns (no division per
					   event: a 64-bit one is slow) */
	int64_t heap_bytes, heap_blocks, bucket_peak;
	uint64_t bucket_allocs, bucket_frees;
	int64_t rss[BUCKETS];		/* last sample in each bucket, or -1 */
	int64_t last_rss;
	survival *survival;		/* stack_survival sums */
	work_end *work;			/* the end of the work */
	/* Blocks that go on with a chain begun before them (made by
	   realloc, or moved into by a copying growth; see load_moved):
	   address -> the chain's birth (in ts). */
	ptr_map *births;
	/* Blocks allocated after the recorder's end-of-work mark, still
	   live (the mark's time unit is shared with events on both sides
	   of it, so the order, not the time, says which came after). */
	ptr_map *after_mark;
	int marked;			/* the mark came, at mark_ts */
	uint64_t mark_ts;
	int64_t exit_heap_bytes, exit_heap_blocks, exit_mapped_bytes;

	uint64_t events, allocs, frees, last_ts;
	uint64_t alloc_bytes;		/* allocated in all, mappings too */
	int64_t peak_bytes;
	uint64_t peak_ts;
	uint64_t unknown_frees, replaced, dropped, anomaly_rows;

	/* Live anonymous mappings, sorted by address, never overlapping. */
	struct mapping *maps;
	size_t nmaps, maps_cap;
	int64_t mapped_bytes, mapped_peak;
	uint64_t n_maps, n_unmaps;
	uint64_t temporary;
	int complete;
	struct ht_header header;
	char *exe, *argv;
	size_t argv_len;
};

static void
load_error(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->error != NULL)
		return;
	va_start(ap, fmt);
	l->error = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
load_sql_ok(struct loader *l, int rc, const char *what)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 1;
	load_error(l, "%s: %s: %s", l->opt->db, what, sqlite3_errmsg(l->db));
	return 0;
}

static sqlite3_stmt *
load_prepare(struct loader *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	load_sql_ok(l, sqlite3_prepare_v2(l->db, sql, -1, &st, NULL), sql);
	return st;
}

/*
 * Binds the arguments and runs ST, then resets it.  TYPES has a letter
 * per argument: "i" int64_t, "d" double, "t" string (NULL: SQL null),
 * "n" SQL null (its argument, an int64_t, is ignored: callers pass the
 * same list either way).
 */
static void
load_exec(struct loader *l, sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	int i;

	if (st == NULL || l->error != NULL)
		return;
	va_start(ap, types);
	for (i = 0; types[i] != '\0'; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, s, -1,
				    SQLITE_TRANSIENT);
			break;
		}
		default:
			(void)va_arg(ap, int64_t);
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
	va_end(ap);
	load_sql_ok(l, sqlite3_step(st), sqlite3_sql(st));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static double
secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* Grows the zeroed array *ARR of *N elements of SIZE to hold index I. */
static void *
load_grow(void *arr, size_t *n, uint64_t i, size_t size)
{
	size_t want = *n ? *n : 64;
	char *p;

	if (i < *n)
		return arr;
	while (want <= i)
		want *= 2;
	p = xreallocarray(arr, want, size);
	memset(p + *n * size, 0, (want - *n) * size);
	*n = want;
	return p;
}

static inline struct stack_acc *
load_stack(struct loader *l, uint64_t id)
{
	if (id >= l->nstacks)
		l->stacks = load_grow(l->stacks, &l->nstacks, id,
		    sizeof *l->stacks);
	return &l->stacks[id];
}

/* Was stack ID defined (or is it 0, "no stack")? */
static inline int
load_stack_known(const struct loader *l, uint64_t id)
{
	return id == 0 || (id < l->nstacks && l->stacks[id].defined);
}

static inline struct thread_acc *
load_thread(struct loader *l, uint32_t idx)
{
	if (idx >= l->nthreads)
		l->threads = load_grow(l->threads, &l->nthreads, idx,
		    sizeof *l->threads);
	return &l->threads[idx];
}

static void
load_touch(struct loader *l, uint64_t stack, struct stack_acc *s)
{
	if (s->touched)
		return;
	s->touched = 1;
	if (l->ntouched == l->touched_cap) {
		l->touched_cap = l->touched_cap ? l->touched_cap * 2 : 1024;
		l->touched = xreallocarray(l->touched, l->touched_cap,
		    sizeof *l->touched);
	}
	l->touched[l->ntouched++] = (uint32_t)stack;
}

static void
load_touch_site(struct loader *l, uint32_t site)
{
	if (site == 0 || l->sites[site].touched)
		return;
	l->sites[site].touched = 1;
	if (l->ntouched_sites == l->touched_sites_cap) {
		l->touched_sites_cap = l->touched_sites_cap ?
		    l->touched_sites_cap * 2 : 1024;
		l->touched_sites = xreallocarray(l->touched_sites,
		    l->touched_sites_cap, sizeof *l->touched_sites);
	}
	l->touched_sites[l->ntouched_sites++] = site;
}

/* Writes the current bucket and moves to the next. */
static void
load_flush_bucket(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->ntouched_sites; i++) {
		struct site_acc *t = &l->sites[l->touched_sites[i]];

		load_exec(l, l->ins_site_series, "iiiiii",
		    (int64_t)l->touched_sites[i], (int64_t)l->bucket,
		    t->live_bytes, t->live_blocks,
		    (int64_t)t->bucket_allocs, (int64_t)t->bucket_alloc_bytes);
		t->touched = 0;
		t->bucket_allocs = t->bucket_alloc_bytes = 0;
	}
	l->ntouched_sites = 0;

	for (i = 0; i < l->ntouched; i++) {
		struct stack_acc *s = &l->stacks[l->touched[i]];

		load_exec(l, l->ins_series, "iiiiii", (int64_t)l->touched[i],
		    (int64_t)l->bucket, s->live_bytes, s->live_blocks,
		    (int64_t)s->bucket_allocs, (int64_t)s->bucket_alloc_bytes);
		s->touched = 0;
		s->bucket_allocs = s->bucket_alloc_bytes = 0;
	}
	l->ntouched = 0;
	/* RSS samples come ahead of events (they are not held for
	   ordering), so they are kept per bucket, the last carried on. */
	if (l->rss[l->bucket] >= 0)
		l->last_rss = l->rss[l->bucket];
	load_exec(l, l->ins_timeline, l->last_rss >= 0 ? "idiiiiiii" :
	    "idiiiniii", (int64_t)l->bucket,
	    secs((l->bucket + 1) * l->bucket_ns), l->heap_bytes,
	    l->heap_blocks, l->bucket_peak, l->last_rss,
	    (int64_t)l->bucket_allocs, (int64_t)l->bucket_frees,
	    l->mapped_bytes);
	l->bucket++;
	l->bucket_end = l->bucket + 1 < BUCKETS ? (l->bucket + 1) *
	    l->bucket_ns : UINT64_MAX;
	l->bucket_peak = l->heap_bytes;
	l->bucket_allocs = l->bucket_frees = 0;
}

/* Writes the buckets that end at or before TS. */
static inline void
load_advance(struct loader *l, uint64_t ts)
{
	uint64_t b;

	if (ts < l->bucket_end)
		return;
	b = ts / l->bucket_ns;
	if (b >= BUCKETS)
		b = BUCKETS - 1;	/* the END may land past the last */
	while (l->bucket < b)
		load_flush_bucket(l);
}

static void
load_anomaly(struct loader *l, const char *kind, const struct ht_event *e)
{
	if (l->anomaly_rows++ >= ANOMALY_ROWS_MAX)
		return;
	load_exec(l, l->ins_anomaly, e->tag == HT_TAG_ALLOC ? "tdiiii" :
	    "tdiini", kind, secs(e->ts), (int64_t)e->thread, (int64_t)e->ptr,
	    (int64_t)e->id, (int64_t)1);
}

static void load_unlive(struct loader *l, uint64_t stack, uint64_t size,
    uint64_t ts);
static uint32_t load_site(struct loader *l, uint64_t addr, uint32_t info);

/* How load_gain and load_lose count a change of live memory. */
#define LIVE_COUNTED 1	/* an allocation or free, not a split mapping */
#define LIVE_MAPPED 2	/* memory of an anonymous mapping */

/* The stack an event names; a stack never defined gets "no stack". */
static inline struct stack_acc *
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
static inline void
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
		struct site_acc *site = &l->sites[s->site];

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
			struct module_acc *m = &l->modules[site->module_idx];

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
static inline void
load_size(struct loader *l, const struct stack_acc *s, uint64_t size)
{
	if (s->site != 0)
		survival_hist_add(&l->sites[s->site].size,
		    survival_size_bin(size), 1, size);
}

/* Takes one live block of SIZE bytes off STACK, its site and module. */
static inline void
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
		struct site_acc *site = &l->sites[s->site];

		if (how & LIVE_COUNTED) {
			site->frees++;
			if (ts * 20 >= l->duration_ns * 19)
				site->late_frees++;
		}
		site->live_blocks--;
		site->live_bytes -= (int64_t)size;
		if (how & LIVE_MAPPED)
			site->mapped_bytes -= (int64_t)size;
		load_touch_site(l, s->site);
		if (site->module_idx >= 0) {
			struct module_acc *m = &l->modules[site->module_idx];

			m->live_blocks--;
			m->live_bytes -= (int64_t)size;
			if (how & LIVE_MAPPED)
				m->mapped_bytes -= (int64_t)size;
		}
	}
	load_touch(l, stack, s);
}

/* The bucket of time TS (the END may land past the last). */
static inline unsigned
load_bucket_of(const struct loader *l, uint64_t ts)
{
	uint64_t b = ts / l->bucket_ns;

	return b < BUCKETS ? (unsigned)b : BUCKETS - 1;
}

/*
 * BYTES of a block of STACK, allocated at ALLOC_TS, went now (at TS, in
 * the current bucket), after load_lose took them off: adds them to the
 * stack_survival sums if the block came in an earlier bucket, and to its
 * site's lifetime histogram.  BLOCKS is by how many the stack's live
 * blocks went down (not always 1 for mappings, see load_unmap_range);
 * WHOLE: nothing is left of the block, so it counts as a block gone.
 */
static inline void
load_gone(struct loader *l, uint64_t stack, uint64_t bytes,
    uint64_t alloc_ts, uint64_t ts, int64_t blocks, int whole)
{
	uint32_t site = l->stacks[stack].site;

	/* Most blocks go in the bucket they came in: no division then. */
	if (alloc_ts < l->bucket * l->bucket_ns)
		survival_add(l->survival, (uint32_t)stack,
		    load_bucket_of(l, alloc_ts), (unsigned)l->bucket, blocks,
		    (int64_t)bytes);
	if (site != 0)
		survival_hist_add(&l->sites[site].lifetime, survival_time_bin(
		    ts > alloc_ts ? ts - alloc_ts : 0), whole != 0, bytes);
}

static void
load_alloc(struct loader *l, const struct ht_event *r)
{
	struct stack_acc *s = load_event_stack(l, r->id);
	struct thread_acc *t = load_thread(l, r->thread);

	l->allocs++;
	l->alloc_bytes += r->size;
	l->bucket_allocs++;
	l->heap_bytes += (int64_t)r->size;
	l->heap_blocks++;
	if (l->heap_bytes > l->bucket_peak)
		l->bucket_peak = l->heap_bytes;
	if (l->heap_bytes > l->peak_bytes) {
		l->peak_bytes = l->heap_bytes;
		l->peak_ts = r->ts;
	}
	load_gain(l, r->id, s, r->size, r->ts, LIVE_COUNTED);
	load_size(l, s, r->size);
	if (l->marked) {
		struct ptr_value v = { 0 };

		ptr_map_put(l->after_mark, r->ptr, &v);
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
		ptr_map_put(l->births, r->ptr, &v);
	} else if (ptr_map_count(l->births) > 0) {
		ptr_map_remove(l->births, r->ptr, NULL);
	}
	t->realloc_pending = 0;
}

/* When the chain of the block at PTR, allocated at ALLOC_TS, began;
   forgets it (the block is going). */
static inline uint64_t
load_birth(struct loader *l, uint64_t ptr, uint64_t alloc_ts)
{
	struct ptr_value v;

	if (ptr_map_count(l->births) > 0 && ptr_map_remove(l->births, ptr, &v))
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
	ptr_map_put(l->births, t->last_alloc, &v);
}

/* Takes a heap block of SIZE bytes from STACK off every running total. */
static void
load_unlive(struct loader *l, uint64_t stack, uint64_t size, uint64_t ts)
{
	l->heap_bytes -= (int64_t)size;
	l->heap_blocks--;
	load_lose(l, stack, size, ts, LIVE_COUNTED);
}

static void
load_free(struct loader *l, const struct ht_event *r)
{
	struct thread_acc *t = load_thread(l, r->thread);
	struct work_end_free f;

	l->frees++;
	l->bucket_frees++;
	if (r->flags & HT_REC_UNKNOWN_FREE) {
		l->unknown_frees++;
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
	f.allocated_before = l->alloc_bytes;
	f.heap_before = l->heap_bytes + l->mapped_bytes;
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
	if (!l->marked || !ptr_map_remove(l->after_mark, r->ptr, NULL))
		work_end_add_free(l->work, &f, l->heap_bytes +
		    l->mapped_bytes);
	if (t->last_was_alloc && t->last_alloc == r->ptr) {
		load_stack(l, r->id)->temporary++;
		l->temporary++;
	}
	t->last_was_alloc = 0;
	if (l->opt->all_blocks)
		load_exec(l, l->ins_block, "iiddiiti", (int64_t)r->ptr,
		    (int64_t)r->size, secs(r->alloc_ts), secs(r->ts),
		    (int64_t)r->id, (int64_t)r->thread,
		    ht_alloc_fn_names[r->alloc_fn < HT_ALLOC_FN_COUNT ?
		    r->alloc_fn : 0], (int64_t)0);
}

/* --- anonymous mappings --------------------------------------------------- */

/* Index of the first live mapping that ends after ADDR. */
static size_t
load_maps_from(const struct loader *l, uint64_t addr)
{
	size_t lo = 0, hi = l->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The range [START, END) of mapping M as a blocks row (HELD: live at
   the end of the work). */
static void
load_mapping_row(struct loader *l, const struct mapping *m, uint64_t start,
    uint64_t end, uint64_t free_ts, int held)
{
	const char *entry = ht_map_fn_names[m->fn < HT_MAP_FN_COUNT ? m->fn :
	    0];

	if (free_ts != 0)
		load_exec(l, l->ins_block, "iiddiiti", (int64_t)start,
		    (int64_t)(end - start), secs(m->ts), secs(free_ts),
		    (int64_t)m->stack, (int64_t)m->thread, entry, (int64_t)held);
	else
		load_exec(l, l->ins_block, "iidniiti", (int64_t)start,
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
	int64_t total = l->heap_bytes + l->mapped_bytes +
	    (int64_t)(m->end - m->start);

	if (l->marked && m->ts >= l->mark_ts)
		return;		/* mapped after the end of the work */
	memset(&f, 0, sizeof f);
	f.ptr = cut_lo;
	f.ts = ts;
	f.alloc_ts = f.birth = m->ts;
	f.size = cut_hi - cut_lo;
	f.allocated_before = l->alloc_bytes;
	f.heap_before = total;
	f.stack = m->stack;
	f.alloc_fn = (uint8_t)m->fn;
	f.blocks = (int32_t)blocks;
	f.mapped = 1;
	work_end_add_free(l->work, &f, total - (int64_t)f.size);
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

	for (j = i; j < l->nmaps && l->maps[j].start < end; j++) {
		struct mapping *m = &l->maps[j];
		uint64_t cut_lo = m->start > start ? m->start : start;
		uint64_t cut_hi = m->end < end ? m->end : end;
		int whole = cut_lo == m->start && cut_hi == m->end;
		int pieces = (m->start < start) + (m->end > end);

		load_lose(l, m->stack, m->end - m->start, ts, LIVE_MAPPED |
		    (whole ? LIVE_COUNTED : 0));
		load_gone(l, m->stack, cut_hi - cut_lo, m->ts, ts, 1 - pieces,
		    whole);
		l->mapped_bytes -= (int64_t)(m->end - m->start);
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
		l->mapped_bytes += (int64_t)(m->end - m->start);
	}
	/* Replace maps[i, j) with the pieces kept. */
	if (i + nkeep != j) {
		l->maps = load_grow(l->maps, &l->maps_cap, l->nmaps + nkeep,
		    sizeof *l->maps);
		memmove(&l->maps[i + nkeep], &l->maps[j],
		    (l->nmaps - j) * sizeof *l->maps);
		l->nmaps = l->nmaps - (j - i) + nkeep;
	}
	memcpy(&l->maps[i], keep, nkeep * sizeof *keep);
	return j - i;
}

/* The end of a range of LEN bytes at START, rounded up to pages; 0 if
   it would wrap. */
static uint64_t
load_range_end(const struct loader *l, uint64_t start, uint64_t len)
{
	uint64_t page = l->header.page_size ? l->header.page_size : 4096;
	uint64_t end;

	if (len == 0 || __builtin_add_overflow(start, len, &end) ||
	    __builtin_add_overflow(end, page - 1, &end))
		return 0;
	return end - end % page;
}

static void
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
	l->n_maps++;
	load_unmap_range(l, r->ptr, end, r->ts);	/* what it replaced */
	s = load_event_stack(l, r->id);
	i = load_maps_from(l, r->ptr);
	l->maps = load_grow(l->maps, &l->maps_cap, l->nmaps, sizeof *l->maps);
	memmove(&l->maps[i + 1], &l->maps[i], (l->nmaps - i) *
	    sizeof *l->maps);
	l->nmaps++;
	m = &l->maps[i];
	m->start = r->ptr;
	m->end = end;
	m->ts = r->ts;
	m->stack = (uint32_t)r->id;
	m->thread = r->thread;
	m->fn = r->fn;
	load_gain(l, r->id, s, end - r->ptr, r->ts, LIVE_COUNTED |
	    LIVE_MAPPED);
	load_size(l, s, end - r->ptr);
	l->mapped_bytes += (int64_t)(end - r->ptr);
	l->alloc_bytes += end - r->ptr;
	if (l->mapped_bytes > l->mapped_peak)
		l->mapped_peak = l->mapped_bytes;
}

static void
load_unmap(struct loader *l, const struct ht_record *r)
{
	uint64_t end = load_range_end(l, r->ptr, r->size);
	size_t touched = end ? load_unmap_range(l, r->ptr, end, r->ts) : 0;

	l->n_unmaps++;
	if (r->fn == HT_UNMAP_MREMAP)
		load_thread(l, r->thread)->remap_known = touched > 0;
}

static void
load_module(struct loader *l, const struct ht_record *r)
{
	struct module_acc *m;
	char hex[2 * HT_BUILD_ID_MAX + 1];
	const char *name;
	char *path;
	unsigned i;

	if (l->nmodules == l->modules_cap) {
		l->modules_cap = l->modules_cap ? l->modules_cap * 2 : 64;
		l->modules = xreallocarray(l->modules, l->modules_cap,
		    sizeof *l->modules);
	}
	m = &l->modules[l->nmodules++];
	memset(m, 0, sizeof *m);
	m->id = r->id;
	m->base = r->base;
	m->load_ts = r->ts;
	m->text_lo = UINT64_MAX;
	for (i = 0; i < r->nsegs; i++) {
		if (!(r->segs[i].flags & 1))
			continue;
		if (r->base + r->segs[i].vaddr < m->text_lo)
			m->text_lo = r->base + r->segs[i].vaddr;
		if (r->base + r->segs[i].vaddr + r->segs[i].memsz > m->text_hi)
			m->text_hi = r->base + r->segs[i].vaddr +
			    r->segs[i].memsz;
	}
	path = xstrndup(r->str, r->str_len);
	m->path = path;
	memcpy(m->build_id, r->build_id, r->build_id_len);
	m->build_id_len = r->build_id_len;
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	for (i = 0; i < r->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->build_id[i]);
	hex[2 * r->build_id_len] = '\0';
	load_exec(l, l->ins_module, "ittiiitd", (int64_t)r->id, path, name,
	    (int64_t)r->base, (int64_t)(m->text_lo == UINT64_MAX ? 0 :
	    m->text_lo), (int64_t)m->text_hi,
	    r->build_id_len ? hex : NULL, secs(r->ts));
}

/* The module that held ADDR at time TS (latest load wins), or NULL. */
static struct module_acc *
load_module_at(struct loader *l, uint64_t addr)
{
	size_t i;

	for (i = l->nmodules; i-- > 0;)
		if (addr >= l->modules[i].text_lo &&
		    addr < l->modules[i].text_hi)
			return &l->modules[i];
	return NULL;
}

/* Objects whose every frame belongs to the allocator or its callers'
   libraries: never a site. */
static int
load_module_is_glue(const struct module_acc *m)
{
	const char *name;

	if (m == NULL)
		return 0;
	name = strrchr(m->path, '/');
	name = name ? name + 1 : m->path;
	return strncmp(name, "libheaptrail.so", 15) == 0 ||
	    strncmp(name, "libc.so", 7) == 0 ||
	    strncmp(name, "libstdc++.so", 12) == 0;
}

/* Allocation plumbing by (demangled) function name. */
static int
load_function_is_glue(const char *f)
{
	static const char *const exact[] = { "malloc", "calloc", "realloc",
	    "reallocarray", "free", "posix_memalign", "aligned_alloc",
	    "memalign", "valloc", "pvalloc",
	    /* common wrappers: libiberty, gnulib, GLib */
	    "xmalloc", "xcalloc", "xrealloc", "xzalloc", "xstrdup",
	    "xmemdup", "g_malloc", "g_malloc0", "g_realloc", "g_try_malloc",
	    "g_try_malloc0", "g_try_realloc", "g_malloc_n", "g_malloc0_n",
	    NULL };
	static const char *const prefix[] = { "operator new", "operator delete",
	    "__libc_", "heaptrail_",
	    /* C++: the standard allocator's layers */
	    "std::__new_allocator<", "__gnu_cxx::new_allocator<",
	    "std::allocator_traits<",
	    /* Rust: the allocator shims and the standard library's
	       containers around them (Box::new, Vec, HashMap ...) */
	    "__rust_", "__rdl_", "__rg_", "alloc::", "<alloc::", "core::",
	    "<core::", "hashbrown::", "<hashbrown::", "std::collections::",
	    "<std::collections::", NULL };
	int i;

	if (f == NULL)
		return 0;
	for (i = 0; exact[i] != NULL; i++)
		if (strcmp(f, exact[i]) == 0)
			return 1;
	for (i = 0; prefix[i] != NULL; i++)
		if (strncmp(f, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

/* Symbolizes ADDR (first time seen): frames rows and its addr_info. */
static uint32_t
load_symbolize(struct loader *l, uint64_t addr)
{
	struct sym_frame frames[16];
	struct module_acc *m = load_module_at(l, addr);
	struct addr_info *info;
	int n = 0, i, site = -1, own = -1, entry = 0;
	int toolchain = m != NULL && own_code_module_is_toolchain(m->path);

	if (m != NULL && !m->sym_tried) {
		char *cause = NULL;

		m->sym_tried = 1;
		m->sym = sym_module_open(m->path, m->build_id_len ?
		    m->build_id : NULL, m->build_id_len, &cause);
		free(cause);	/* not fatal: addresses stay unnamed */
	}
	if (m != NULL && m->sym != NULL)
		n = sym_lookup(m->sym, addr - 1 - m->base, frames, 16);

	if (l->ninfos == l->infos_cap) {
		l->infos_cap = l->infos_cap ? l->infos_cap * 2 : 1024;
		l->infos = xreallocarray(l->infos, l->infos_cap,
		    sizeof *l->infos);
	}
	info = &l->infos[l->ninfos];
	memset(info, 0, sizeof *info);
	if (n == 0)		/* no module, or it cannot be read */
		load_exec(l, l->ins_frame, m ? "iiittni" : "iinttni",
		    (int64_t)addr, (int64_t)0, m ? (int64_t)m->id : (int64_t)0,
		    (const char *)NULL, (const char *)NULL, (int64_t)0,
		    (int64_t)0);
	for (i = 0; i < n; i++) {
		const char *fn = frames[i].function;

		if (fn != NULL && strcmp(fn, "??") == 0)
			fn = NULL;
		load_exec(l, l->ins_frame, frames[i].line ? "iiittii" :
		    "iiittni", (int64_t)addr, (int64_t)i,
		    m ? (int64_t)m->id : 0, fn, frames[i].file,
		    (int64_t)frames[i].line, (int64_t)frames[i].inlined);
		if (load_function_is_glue(fn))
			continue;
		if (site < 0)
			site = i;
		if (own < 0 && !toolchain &&
		    own_code_frame_is_own(fn, frames[i].file))
			own = i;
		entry |= own_code_function_is_entry(fn);
	}
	/* No frames (no debug info nor symbols): the program's, unless its
	   module is the toolchain's. */
	info->kind = load_module_is_glue(m) || (n > 0 && site < 0) ?
	    ADDR_GLUE : !toolchain && (n == 0 || own >= 0) ? ADDR_OWN :
	    entry ? ADDR_ENTRY : ADDR_LIBRARY;
	if (n > 0) {
		if (site < 0)
			site = n - 1;
		if (info->kind == ADDR_OWN)
			site = own;
		if (frames[site].function != NULL &&
		    strcmp(frames[site].function, "??") != 0)
			info->function = xstrdup(frames[site].function);
		if (frames[site].file != NULL)
			info->file = xstrdup(frames[site].file);
		info->line = frames[site].line;
	}
	return (uint32_t)l->ninfos++;
}

/* Are A and B the same string, or both NULL? */
static int
load_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The site already made for the function, file and line of addr_info
 * INFO in module M, if any; *KEY: the key of that line in site_of_line
 * (0 if the line has no function to go by).  Two return addresses in one
 * line (calls of two allocating functions, or one through two paths)
 * are one site: the program's line is what a user reads.
 */
static struct ptr_value *
load_site_of_line(struct loader *l, const struct module_acc *m,
    uint32_t info, uint64_t *key)
{
	const struct addr_info *w;
	struct ptr_value *v;
	uint64_t h = 14695981039346656037ull;
	const char *parts[2];
	int i;

	*key = 0;
	if (info == UINT32_MAX || l->infos[info].function == NULL ||
	    l->infos[info].file == NULL || l->infos[info].line == 0)
		return NULL;	/* no line to go by: the address decides */
	w = &l->infos[info];
	parts[0] = w->function;
	parts[1] = w->file;
	for (i = 0; i < 2; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	h = (h ^ w->line) * 1099511628211ull;
	h = (h ^ (m ? m->id : 0)) * 1099511628211ull;
	*key = h | 1;
	v = ptr_map_find(l->site_of_line, *key);
	if (v != NULL) {
		const struct site_acc *t = &l->sites[v->stack];
		const struct addr_info *tw = &l->infos[t->where_idx];

		if (t->where_idx == UINT32_MAX || t->module_id !=
		    (m ? m->id : 0) || tw->line != w->line ||
		    !load_same(tw->function, w->function) ||
		    !load_same(tw->file, w->file))
			return NULL;	/* another line with the same key */
	}
	return v;
}

/*
 * The site of frame ADDR (its addr_info INFO), made on first use; ADDR 0:
 * the site of stacks with no frame.  Returns its index in sites.
 */
static uint32_t
load_site(struct loader *l, uint64_t addr, uint32_t info)
{
	struct module_acc *m;
	struct ptr_value *v, nv = { 0 };
	struct site_acc *site;
	uint64_t key = 0;

	if (addr == 0 && l->nostack_site != 0)
		return l->nostack_site;
	if (addr != 0 && (v = ptr_map_find(l->site_of, addr)) != NULL)
		return v->stack;
	m = addr ? load_module_at(l, addr) : NULL;
	if (addr != 0 && (v = load_site_of_line(l, m, info, &key)) != NULL) {
		nv.stack = v->stack;
		ptr_map_put(l->site_of, addr, &nv);
		return nv.stack;
	}
	if (l->nsites == l->sites_cap) {
		l->sites_cap = l->sites_cap ? l->sites_cap * 2 : 256;
		l->sites = xreallocarray(l->sites, l->sites_cap,
		    sizeof *l->sites);
	}
	if (l->nsites == 0)
		memset(&l->sites[l->nsites++], 0, sizeof *l->sites);
	site = &l->sites[l->nsites];
	memset(site, 0, sizeof *site);
	site->address = addr;
	site->where_idx = info;
	site->module_idx = m ? m - l->modules : -1;
	if (m != NULL) {
		const char *name = strrchr(m->path, '/');

		site->module_id = m->id;
		site->module = xstrdup(name ? name + 1 : m->path);
	}
	if (addr == 0) {
		l->nostack_site = (uint32_t)l->nsites;
	} else {
		nv.stack = (uint32_t)l->nsites;
		ptr_map_put(l->site_of, addr, &nv);
		if (key != 0 && ptr_map_find(l->site_of_line, key) == NULL)
			ptr_map_put(l->site_of_line, key, &nv);
	}
	return (uint32_t)l->nsites++;
}

static void
load_stack_def(struct loader *l, const struct ht_record *r)
{
	struct stack_acc *s;
	uint32_t i, j, *idx;

	if (r->id > l->stacks_defined + ID_SLACK || r->id > UINT32_MAX) {
		load_error(l, "%s: corrupt trace: stack id %llu out of "
		    "sequence (frame at offset %llu)", l->opt->trace,
		    (unsigned long long)r->id, (unsigned long long)r->offset);
		return;
	}
	l->stacks_defined++;
	s = load_stack(l, r->id);
	idx = xcalloc(r->nframes + 1, sizeof *idx);

	s->defined = 1;
	s->nframes = r->nframes;
	load_exec(l, l->ins_stack, "ii", (int64_t)r->id, (int64_t)r->nframes);
	for (i = 0; i < r->nframes; i++) {
		struct ptr_value *found, v = { 0 };

		load_exec(l, l->ins_stack_frame, "iii", (int64_t)r->id,
		    (int64_t)i, (int64_t)r->frames[i]);
		found = ptr_map_find(l->addresses, r->frames[i]);
		if (found != NULL) {
			idx[i] = found->stack;
			continue;
		}
		v.stack = load_symbolize(l, r->frames[i]);
		ptr_map_put(l->addresses, r->frames[i], &v);
		idx[i] = v.stack;
	}
	/*
	 * The site: the innermost frame of the program's own code; with none,
	 * the innermost frame outside the allocator; if every frame is the
	 * allocator's (a cut stack), the outermost one; with no frame at all,
	 * the "no stack" site.
	 */
	for (i = 0, j = UINT32_MAX; i < r->nframes; i++) {
		if (l->infos[idx[i]].kind == ADDR_OWN)
			break;
		if (j == UINT32_MAX && l->infos[idx[i]].kind != ADDR_GLUE)
			j = i;
		if (l->infos[idx[i]].kind == ADDR_ENTRY)
			i = r->nframes - 1;	/* the program's main is not in
						   this stack */
	}
	if (i == r->nframes && j != UINT32_MAX)
		i = j;
	if (i == r->nframes && r->nframes > 0)
		i = r->nframes - 1;
	s->site = load_site(l, r->nframes ? r->frames[i] : 0,
	    r->nframes ? idx[i] : UINT32_MAX);
	free(idx);
}

struct forget_ctx {
	uint64_t lo, hi;
	uint64_t *keys;
	size_t n, cap;
};

static void
load_forget_collect(uint64_t key, const struct ptr_value *v, void *arg)
{
	struct forget_ctx *f = arg;

	(void)v;
	if (key < f->lo || key >= f->hi)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->keys = xreallocarray(f->keys, f->cap, sizeof *f->keys);
	}
	f->keys[f->n++] = key;
}

/*
 * An unloaded module's code range may be reused by the next object
 * loaded there: forget which addresses in it were symbolized and which
 * sites they made, so new stacks get fresh ones.
 */
static void
load_forget_range(struct loader *l, struct module_acc *m)
{
	struct forget_ctx f = { m->text_lo, m->text_hi, NULL, 0, 0 };
	size_t i;

	ptr_map_each(l->addresses, load_forget_collect, &f);
	ptr_map_each(l->site_of, load_forget_collect, &f);
	for (i = 0; i < f.n; i++) {
		ptr_map_remove(l->addresses, f.keys[i], NULL);
		ptr_map_remove(l->site_of, f.keys[i], NULL);
	}
	free(f.keys);
	/* This module's files stay open for the symbols of its stacks. */
}

static void
load_record(struct loader *l, const struct ht_record *r)
{
	struct ht_record fixed;
	struct thread_acc *t;

	if (ht_record_is_event(r->tag)) {
		if (r->thread > l->threads_started + ID_SLACK) {
			load_error(l, "%s: corrupt trace: thread index %u out "
			    "of sequence", l->opt->trace, r->thread);
			return;
		}
		load_advance(l, r->ts);
		if (r->ts > l->last_ts)
			l->last_ts = r->ts;
	}
	switch (r->tag) {
	case HT_TAG_HEADER:
		l->header = *r->header;
		l->exe = xstrndup(r->header->exe, r->header->exe_len);
		l->argv = xmalloc(r->header->argv_len + 1);
		memcpy(l->argv, r->header->argv, r->header->argv_len);
		l->argv_len = r->header->argv_len;
		break;
	case HT_TAG_MODULE_LOAD:
		load_module(l, r);
		break;
	case HT_TAG_MODULE_UNLOAD: {
		size_t i;

		for (i = 0; i < l->nmodules; i++) {
			if (l->modules[i].id != r->id)
				continue;
			l->modules[i].unloaded = 1;
			load_exec(l, l->upd_module_unload, "di", secs(r->ts),
			    (int64_t)r->id);
			load_forget_range(l, &l->modules[i]);
		}
		break;
	}
	case HT_TAG_STACK:
		load_stack_def(l, r);
		break;
	case HT_TAG_RSS: {
		uint64_t b = r->ts / l->bucket_ns;

		l->rss[b < BUCKETS ? b : BUCKETS - 1] = (int64_t)r->size;
		break;
	}
	case HT_TAG_END:
		l->complete = 1;
		l->dropped = r->count;
		if (r->ts > l->last_ts)
			l->last_ts = r->ts;
		break;
	case HT_TAG_DROPPED:
		l->dropped += r->id;
		break;
	case HT_TAG_ALLOC:
	case HT_TAG_FREE: {
		/* Those that did not fit a struct ht_event (see its comment). */
		struct ht_event e;

		ht_event_of_record(&e, r);
		if (!load_stack_known(l, r->id))
			e.id = 0;
		if (r->flags & HT_REC_REPLACED) {
			/* The block that was live here went unseen: count it
			   gone. */
			uint64_t stack = load_stack_known(l, r->replaced_stack) ?
			    r->replaced_stack : 0;

			l->replaced++;
			load_anomaly(l, "replaced_live", &e);
			load_unlive(l, stack, r->replaced_size, r->ts);
			load_gone(l, stack, r->replaced_size, r->replaced_ts,
			    r->ts, 1, 1);
		}
		l->events++;
		if (r->tag == HT_TAG_ALLOC)
			load_alloc(l, &e);
		else
			load_free(l, &e);
		break;
	}
	case HT_TAG_MAP:
		if (!load_stack_known(l, r->id)) {
			fixed = *r;
			fixed.id = 0;
			r = &fixed;
		}
		load_map(l, r);
		break;
	case HT_TAG_UNMAP:
		load_unmap(l, r);
		break;
	case HT_TAG_THREAD_START:
		l->threads_started++;
		t = load_thread(l, r->thread);
		t->seen = 1;
		t->tid = r->id;
		t->start_ts = r->ts;
		break;
	case HT_TAG_THREAD_NAME:
		t = load_thread(l, r->thread);
		free(t->name);
		t->name = xstrndup(r->str, r->str_len);
		break;
	case HT_TAG_THREAD_END:
		t = load_thread(l, r->thread);
		t->ended = 1;
		t->end_ts = r->ts;
		break;
	case HT_TAG_MARK: {
		char *label = xstrndup(r->str, r->str_len);

		load_exec(l, l->ins_marker, "dit", secs(r->ts),
		    (int64_t)r->thread, label);
		if (strncmp(label, HT_WORK_END_PREFIX,
		    strlen(HT_WORK_END_PREFIX)) == 0 && !l->marked) {
			work_end_mark(l->work, r->ts, label, l->alloc_bytes);
			l->marked = 1;
			l->mark_ts = r->ts;
		}
		free(label);
		break;
	}
	default:
		break;
	}
}

/*
 * An allocation or free: checks that come before any use of it, then
 * load_alloc or load_free.
 */
static inline void
load_event(struct loader *l, const struct ht_event *e)
{
	struct ht_event fixed;

	if (e->thread > l->threads_started + ID_SLACK) {
		load_error(l, "%s: corrupt trace: thread index %u out of "
		    "sequence", l->opt->trace, e->thread);
		return;
	}
	load_advance(l, e->ts);
	if (e->ts > l->last_ts)
		l->last_ts = e->ts;
	l->events++;
	if (!load_stack_known(l, e->id)) {
		/* Damage: an event naming no defined stack. */
		fixed = *e;
		fixed.id = 0;
		e = &fixed;
	}
	if (e->tag == HT_TAG_ALLOC)
		load_alloc(l, e);
	else
		load_free(l, e);
}

/*
 * Classifies every site from its series (site_series, read back with
 * the gaps filled) up to the end of the work, and when the blocks live
 * then were born.
 */

static void
load_classify(struct loader *l)
{
	sqlite3_stmt *sel, *upd;
	double *live = xcalloc(BUCKETS, sizeof *live);
	int64_t cur = -1, last_bucket = 0;
	unsigned work_bucket = load_bucket_of(l, work_end_time(l->work));
	double value = 0;
	int rc;

	sel = load_prepare(l, "SELECT site_id, bucket, live_bytes FROM"
	    " site_series ORDER BY site_id, bucket");
	upd = load_prepare(l, "UPDATE sites SET class = ?, pattern = ?,"
	    " growth_bytes_per_s = ? WHERE id = ?");
	if (sel == NULL || upd == NULL) {
		sqlite3_finalize(sel);
		sqlite3_finalize(upd);
		free(live);
		return;
	}
	for (;;) {
		int64_t site = -1, bucket = 0;

		rc = sqlite3_step(sel);
		if (rc == SQLITE_ROW) {
			site = sqlite3_column_int64(sel, 0);
			bucket = sqlite3_column_int64(sel, 1);
		}
		if (site != cur && cur > 0) {
			/* Fill to the end and classify the finished site. */
			struct site_acc *t = &l->sites[cur];
			struct site_history h;
			char pattern[128];
			double growth;
			enum site_class c;
			int i;

			for (i = (int)last_bucket; i < BUCKETS; i++)
				live[i] = value;
			/* The work's last bucket: as at the end of the work. */
			live[work_bucket] = (double)t->live_bytes;
			memset(&h, 0, sizeof h);
			h.live = live;
			h.buckets = (int)work_bucket + 1;
			h.bucket_s = secs(l->bucket_ns);
			h.duration_s = secs(work_end_time(l->work));
			h.allocations = t->allocs;
			h.frees = t->frees;
			h.live_blocks = (uint64_t)t->live_blocks;
			h.live_bytes = (double)t->live_bytes;
			h.exit_live_bytes = (double)t->exit_live_bytes;
			h.exit_live_blocks = (uint64_t)t->exit_live_blocks;
			memcpy(h.live_by_period, t->live_by_period,
			    sizeof h.live_by_period);
			h.freed_late = t->frees > 0 &&
			    t->late_frees * 2 > t->frees;
			c = classify_site(&h, pattern, sizeof pattern, &growth);
			load_exec(l, upd, "ttdi", class_names[c], pattern,
			    growth, cur);
		}
		if (rc != SQLITE_ROW)
			break;
		if (site != cur) {
			cur = site;
			last_bucket = 0;
			value = 0;
		}
		/* Buckets without a row keep the value before. */
		while (last_bucket < bucket && last_bucket < BUCKETS)
			live[last_bucket++] = value;
		value = (double)sqlite3_column_int64(sel, 2);
		if (bucket < BUCKETS)
			live[bucket] = value;
		last_bucket = bucket + 1;
	}
	load_sql_ok(l, rc, "classify");
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(live);
}

struct live_ctx {
	struct loader *l;
};

/*
 * A block (or mapping piece) of STACK, allocated at TS, of SIZE bytes, is
 * live after the last event: its stack_survival sum "never freed" and its
 * site's age histogram.
 */
static void
load_survived(struct loader *l, uint32_t stack, uint64_t size, uint64_t ts)
{
	uint32_t site = stack < l->nstacks ? l->stacks[stack].site : 0;

	survival_add(l->survival, stack, load_bucket_of(l, ts), BUCKETS, 1,
	    (int64_t)size);
	if (site != 0)
		survival_hist_add(&l->sites[site].age, survival_time_bin(
		    l->last_ts > ts ? l->last_ts - ts : 0), 1, size);
}

/*
 * A block of STACK, of SIZE bytes, whose chain (load_birth) was born at
 * BIRTH, is live at the end of the work: its site's live bytes by period
 * of birth.
 */
static void
load_held(struct loader *l, uint32_t stack, uint64_t size, uint64_t birth)
{
	uint32_t site = stack < l->nstacks ? l->stacks[stack].site : 0;
	uint64_t work = work_end_time(l->work), p;
	struct site_acc *t;

	if (site == 0)
		return;
	t = &l->sites[site];
	if (birth > work)
		birth = work;
	p = birth * CLASSIFY_PERIODS / (work + 1);
	t->live_by_period[p < CLASSIFY_PERIODS ? p : CLASSIFY_PERIODS - 1] +=
	    (double)size;
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
		l->mapped_bytes += bytes;
	} else {
		l->heap_blocks += blocks;
		l->heap_bytes += bytes;
	}
	if (s->site != 0) {
		struct site_acc *t = &l->sites[s->site];

		t->live_blocks += blocks;
		t->live_bytes += bytes;
		if (mapped)
			t->mapped_bytes += bytes;
		if (t->module_idx >= 0) {
			struct module_acc *m = &l->modules[t->module_idx];

			m->live_blocks += blocks;
			m->live_bytes += bytes;
			if (mapped)
				m->mapped_bytes += bytes;
		}
	}
}

/* The stack a block is counted under: "no stack" if never defined. */
static inline uint32_t
load_counted_stack(const struct loader *l, uint32_t stack)
{
	return load_stack_known(l, stack) ? stack : 0;
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
	switch (work_end_why(l->work)) {
	case WORK_END_MARK:
		return mapped ? ts >= work_end_time(l->work) :
		    ptr_map_find(l->after_mark, addr) != NULL;
	case WORK_END_TEARDOWN:
		return ts > work_end_time(l->work);
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
	size_t i;

	c->ts = ts;
	c->bytes = 0;
	ht_ordered_each_live(c->o, load_live_since_block, c);
	for (i = 0; i < c->l->nmaps; i++)
		if (c->l->maps[i].ts >= ts)
			c->bytes += c->l->maps[i].end - c->l->maps[i].start;
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
	size_t i;

	work_end_finish(l->work, l->last_ts, l->alloc_bytes, load_live_since,
	    &since);
	for (i = 0; i < l->nstacks; i++) {
		l->stacks[i].exit_live_blocks = l->stacks[i].live_blocks;
		l->stacks[i].exit_live_bytes = l->stacks[i].live_bytes;
	}
	for (i = 1; i < l->nsites; i++) {
		l->sites[i].exit_live_blocks = l->sites[i].live_blocks;
		l->sites[i].exit_live_bytes = l->sites[i].live_bytes;
	}
	for (i = 0; i < l->nmodules; i++) {
		l->modules[i].exit_live_blocks = l->modules[i].live_blocks;
		l->modules[i].exit_live_bytes = l->modules[i].live_bytes;
	}
	l->exit_heap_blocks = l->heap_blocks;
	l->exit_heap_bytes = l->heap_bytes;
	l->exit_mapped_bytes = l->mapped_bytes;
	work_end_each_undone(l->work, load_undo_free, l);
	ht_ordered_each_live(o, load_undo_alloc, l);
	for (i = 0; i < l->nmaps; i++)
		if (load_after_work(l, 0, l->maps[i].ts, 1))
			load_shift(l, l->maps[i].stack, l->maps[i].end -
			    l->maps[i].start, -1, -1, 1);
}

/* A block live after the last event: survival, and a blocks row. */
static void
load_live_block(uint64_t addr, const struct ptr_value *v, void *arg)
{
	struct loader *l = ((struct live_ctx *)arg)->l;
	uint32_t stack = load_counted_stack(l, v->stack);
	int held = !load_after_work(l, addr, v->ts, 0);

	load_survived(l, stack, v->size, v->ts);
	if (held) {
		struct ptr_value *b = ptr_map_find(l->births, addr);

		load_held(l, stack, v->size, b ? b->ts : v->ts);
	}
	load_exec(l, l->ins_block, "iidninti", (int64_t)addr,
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
		load_exec(l, l->ins_block, "iiddinti", (int64_t)f->ptr,
		    (int64_t)f->size, secs(f->alloc_ts), secs(f->ts),
		    (int64_t)f->stack, (int64_t)0, f->mapped ?
		    ht_map_fn_names[f->alloc_fn < HT_MAP_FN_COUNT ? f->alloc_fn :
		    0] : ht_alloc_fn_names[f->alloc_fn < HT_ALLOC_FN_COUNT ?
		    f->alloc_fn : 0], (int64_t)1);
}

struct survival_ctx {
	struct loader *l;
	sqlite3_stmt *ins;
};

static void
load_survival_row(uint32_t stack, unsigned alloc_bucket, unsigned free_bucket,
    int64_t blocks, int64_t bytes, void *arg)
{
	struct survival_ctx *c = arg;

	load_exec(c->l, c->ins, "iiiii", (int64_t)stack, (int64_t)alloc_bucket,
	    (int64_t)free_bucket, blocks, bytes);
}

/* stack_survival, from the sums (after the blocks live at the end). */
static void
load_survival(struct loader *l)
{
	struct survival_ctx c = { l, NULL };

	c.ins = load_prepare(l, "INSERT INTO stack_survival (stack_id,"
	    " alloc_bucket, free_bucket, blocks, bytes) VALUES"
	    " (?, ?, ?, ?, ?)");
	survival_each(l->survival, load_survival_row, &c);
	sqlite3_finalize(c.ins);
}

/* Histogram H of SITE as site_histograms rows of KIND. */
static void
load_histogram(struct loader *l, sqlite3_stmt *ins, size_t site,
    const char *kind, const struct survival_hist *h)
{
	unsigned b;

	for (b = h->lo; b < h->hi; b++) {
		const struct survival_bin *bin = &h->bins[b - h->lo];

		if (bin->blocks != 0 || bin->bytes != 0)
			load_exec(l, ins, "itiii", (int64_t)site, kind,
			    (int64_t)b, (int64_t)bin->blocks,
			    (int64_t)bin->bytes);
	}
}

/* site_histograms: every site's, a row per bin that holds something. */
static void
load_histograms(struct loader *l)
{
	sqlite3_stmt *ins = load_prepare(l, "INSERT INTO site_histograms"
	    " (site_id, kind, bin, blocks, bytes) VALUES (?, ?, ?, ?, ?)");
	size_t i;

	for (i = 1; i < l->nsites; i++) {
		load_histogram(l, ins, i, "age", &l->sites[i].age);
		load_histogram(l, ins, i, "lifetime", &l->sites[i].lifetime);
		load_histogram(l, ins, i, "size", &l->sites[i].size);
	}
	sqlite3_finalize(ins);
}

static void
load_meta(struct loader *l, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	value = xvasprintf(fmt, ap);
	va_end(ap);
	load_exec(l, l->ins_meta, "tt", key, value);
	free(value);
}

/* meta work_end_s and work_end: when the work ended, and what ended it. */
static void
load_work_end_meta(struct loader *l)
{
	const char *label = work_end_label(l->work);

	load_meta(l, "work_end_s", "%.6f", secs(work_end_time(l->work)));
	switch (work_end_why(l->work)) {
	case WORK_END_MARK:
		load_meta(l, "work_end", "%s", label);
		break;
	case WORK_END_TEARDOWN:
		load_meta(l, "work_end", "teardown, before %s", label ? label :
		    "the last event");
		break;
	default:
		load_meta(l, "work_end", "last event");
		break;
	}
}


/* After the last record: totals, blocks, threads, sites, meta. */
static void
load_finish(struct loader *l, ht_ordered *o)
{
	struct live_ctx ctx = { l };
	const char *name;
	size_t i;
	struct stat st;

	while (l->bucket < BUCKETS)
		load_flush_bucket(l);
	load_work_end(l, o);
	for (i = 0; i < l->nstacks; i++) {
		struct stack_acc *s = &l->stacks[i];

		if (s->allocs == 0)
			continue;
		load_exec(l, l->ins_stack_stats, "iiiiiiiidddiii", (int64_t)i,
		    (int64_t)s->allocs, (int64_t)s->alloc_bytes,
		    (int64_t)s->frees, (int64_t)s->freed_bytes,
		    s->live_blocks, s->live_bytes, s->peak_bytes,
		    secs(s->peak_ts), secs(s->first_ts), secs(s->last_ts),
		    (int64_t)s->temporary, s->exit_live_blocks,
		    s->exit_live_bytes);
	}
	ht_ordered_each_live(o, load_live_block, &ctx);
	work_end_each_undone(l->work, load_undone_block, l);
	for (i = 0; i < l->nmaps; i++) {
		const struct mapping *m = &l->maps[i];
		int held = !load_after_work(l, 0, m->ts, 1);

		load_survived(l, m->stack, m->end - m->start, m->ts);
		if (held)
			load_held(l, m->stack, m->end - m->start, m->ts);
		load_mapping_row(l, m, m->start, m->end, 0, held);
	}
	if (l->opt->all_blocks && work_end_why(l->work) != WORK_END_LAST_EVENT) {
		/* Which of the blocks freed were live at the end of the work
		   (without --all-blocks, they are written live_at_end); by
		   their times, so a free in the very microsecond of the end
		   may be taken for one after it. */
		sqlite3_stmt *upd = load_prepare(l, "UPDATE blocks SET"
		    " live_at_end = 1 WHERE free_time IS NOT NULL AND"
		    " alloc_time <= ?1 AND free_time >= ?1");

		load_exec(l, upd, "d", secs(work_end_time(l->work)));
		sqlite3_finalize(upd);
	}
	load_survival(l);
	load_histograms(l);
	for (i = 0; i < l->nthreads; i++) {
		struct thread_acc *t = &l->threads[i];

		if (!t->seen)
			continue;
		if (t->ended)
			load_exec(l, l->ins_thread, "iitdd", (int64_t)i,
			    (int64_t)t->tid, t->name, secs(t->start_ts),
			    secs(t->end_ts));
		else
			load_exec(l, l->ins_thread, "iitdn", (int64_t)i,
			    (int64_t)t->tid, t->name, secs(t->start_ts),
			    (int64_t)0);
	}

	/* Sites, and which stacks make them. */
	{
		sqlite3_stmt *ins = load_prepare(l, "INSERT INTO sites (id,"
		    " address, module_id, module, allocations, alloc_bytes,"
		    " frees, live_blocks, live_bytes, peak_bytes, first_time,"
		    " last_time, function, file, line, mapped_bytes,"
		    " exit_live_blocks, exit_live_bytes) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		sqlite3_stmt *upd = load_prepare(l,
		    "UPDATE stacks SET site_id = ? WHERE id = ?");

		for (i = 1; i < l->nsites; i++) {
			struct site_acc *t = &l->sites[i];

			static const struct addr_info none = { 0, NULL, NULL,
			    0 };
			const struct addr_info *w = t->where_idx == UINT32_MAX ?
			    &none : &l->infos[t->where_idx];

			load_exec(l, ins, t->module ? "iiitiiiiiiddttiiii" :
			    "iintiiiiiiddttiiii", (int64_t)i,
			    (int64_t)t->address, (int64_t)t->module_id,
			    t->module, (int64_t)t->allocs,
			    (int64_t)t->alloc_bytes, (int64_t)t->frees,
			    t->live_blocks, t->live_bytes, t->peak_bytes,
			    secs(t->first_ts), secs(t->last_ts), w->function,
			    w->file, (int64_t)w->line, t->mapped_bytes,
			    t->exit_live_blocks, t->exit_live_bytes);
		}
		for (i = 0; i < l->nstacks; i++)
			if (l->stacks[i].defined && l->stacks[i].site != 0)
				load_exec(l, upd, "ii",
				    (int64_t)l->stacks[i].site, (int64_t)i);
		sqlite3_finalize(ins);
		sqlite3_finalize(upd);
	}
	load_classify(l);
	{
		sqlite3_stmt *upd = load_prepare(l, "UPDATE modules SET"
		    " allocations = ?, live_blocks = ?, live_bytes = ?,"
		    " peak_bytes = ?, mapped_bytes = ?, exit_live_blocks = ?,"
		    " exit_live_bytes = ? WHERE id = ?");

		for (i = 0; i < l->nmodules; i++) {
			struct module_acc *m = &l->modules[i];

			load_exec(l, upd, "iiiiiiii", (int64_t)m->allocs,
			    m->live_blocks, m->live_bytes, m->peak_bytes,
			    m->mapped_bytes, m->exit_live_blocks,
			    m->exit_live_bytes, (int64_t)m->id);
		}
		sqlite3_finalize(upd);
	}

	name = strrchr(l->exe ? l->exe : "", '/');
	name = name ? name + 1 : (l->exe ? l->exe : "");
	load_meta(l, "program", "%s", name);
	load_meta(l, "exe", "%s", l->exe ? l->exe : "");
	load_meta(l, "pid", "%" PRIu64, l->header.pid);
	load_meta(l, "duration_s", "%.6f", secs(l->last_ts));
	load_meta(l, "events", "%" PRIu64, l->events);
	load_meta(l, "allocations", "%" PRIu64, l->allocs);
	load_meta(l, "frees", "%" PRIu64, l->frees);
	load_meta(l, "peak_bytes", "%" PRId64, l->peak_bytes);
	load_meta(l, "peak_time_s", "%.6f", secs(l->peak_ts));
	load_meta(l, "live_bytes_end", "%" PRId64, l->heap_bytes);
	load_meta(l, "live_blocks_end", "%" PRId64, l->heap_blocks);
	load_meta(l, "exit_live_bytes", "%" PRId64, l->exit_heap_bytes);
	load_meta(l, "exit_live_blocks", "%" PRId64, l->exit_heap_blocks);
	load_work_end_meta(l);
	load_meta(l, "temporary_allocations", "%" PRIu64, l->temporary);
	load_meta(l, "unknown_frees", "%" PRIu64, l->unknown_frees);
	load_meta(l, "replaced_live", "%" PRIu64, l->replaced);
	load_meta(l, "dropped_events", "%" PRIu64, l->dropped);
	load_meta(l, "maps", "%" PRIu64, l->n_maps);
	load_meta(l, "unmaps", "%" PRIu64, l->n_unmaps);
	load_meta(l, "mapped_bytes_end", "%" PRId64, l->mapped_bytes);
	load_meta(l, "exit_mapped_bytes", "%" PRId64, l->exit_mapped_bytes);
	load_meta(l, "mapped_peak_bytes", "%" PRId64, l->mapped_peak);
	load_meta(l, "complete", "%d", l->complete);
	load_meta(l, "trace", "%s", l->opt->trace);
	load_meta(l, "trace_bytes", "%lld", stat(l->opt->trace, &st) == 0 ?
	    (long long)st.st_size : 0LL);
	load_meta(l, "realtime_start", "%.6f", secs(l->header.realtime_ns));
	load_meta(l, "buckets", "%d", BUCKETS);
	load_meta(l, "bucket_s", "%.9f", secs(l->bucket_ns));
	load_meta(l, "schema", "%d", HT_SCHEMA_VERSION);
	if (l->dropped > 0 && l->anomaly_rows < ANOMALY_ROWS_MAX)
		load_exec(l, l->ins_anomaly, "tnnnni", "dropped",
		    (int64_t)0, (int64_t)0, (int64_t)0, (int64_t)0,
		    (int64_t)l->dropped);
}

static const char *const load_indexes =
	"CREATE INDEX blocks_stack ON blocks (stack_id);"
	"CREATE INDEX stacks_site ON stacks (site_id);"
	"CREATE INDEX stack_frames_address ON stack_frames (address);"
	"CREATE INDEX anomalies_kind ON anomalies (kind);"
	"ANALYZE;";

/* The progress bar; AT is the reader's offset in the trace file. */
static void
load_progress(uint64_t size, uint64_t at, int done)
{
	int pct = size ? (int)(at * 100 / size) : 100, i;
	char bar[41];

	if (done)
		pct = 100;
	for (i = 0; i < 40; i++)
		bar[i] = i < pct * 40 / 100 ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\rheaptrail: analyzing [%s] %3d%%%s", bar, pct,
	    done ? "\n" : "");
}

/* record_source callbacks for the decoding stage. */
static int
decode_next(void *reader, struct ht_event *ev, struct ht_record *rec)
{
	return ht_reader_next_event(reader, ev, rec);
}

static uint64_t
decode_offset(void *reader)
{
	return ht_reader_offset(reader);
}

/*
 * The merge: its source (ht_ordered_set_source) is the decoding stage,
 * if it runs, and it is itself the source of the loader's read_ahead.
 */
struct merge_stage {
	ht_ordered *o;
	read_ahead *decode;	/* or NULL: the merge decodes too */
};

static int
merge_take(void *arg, struct ht_event_batch *batch)
{
	return read_ahead_take(((struct merge_stage *)arg)->decode, batch);
}

static int
merge_next(void *arg, struct ht_event *ev, struct ht_record *rec)
{
	return ht_ordered_next_event(((struct merge_stage *)arg)->o, ev, rec);
}

static uint64_t
merge_offset(void *arg)
{
	struct merge_stage *m = arg;

	return m->decode != NULL ? read_ahead_offset(m->decode) :
	    ht_reader_offset(ht_ordered_reader(m->o));
}

/* Loads the entries of BATCH; stops at an error. */
static void
load_batch(struct loader *l, const struct ht_event_batch *batch)
{
	size_t i;

	for (i = 0; i < batch->n && l->error == NULL; i++) {
		const struct ht_event *e = &batch->ev[i];

		if (e->tag != HT_EVENT_RECORD)
			load_event(l, e);
		else
			load_record(l, &batch->records[e->id]);
	}
}

/*
 * Feeds every record to load_event or load_record.  Decoding, merging
 * and loading each run on a thread of their own when threads can be
 * started (read-ahead.h).  Returns as ht_ordered_next does at its end.
 */
static int
load_records(struct loader *l, ht_ordered *o)
{
	ht_reader *reader = ht_ordered_reader(o);
	uint64_t size = ht_reader_file_size(reader), n = 0, next_progress = 0;
	struct record_source decode_src = { decode_next, decode_offset,
	    reader };
	struct merge_stage merge = { o, NULL };
	struct record_source merge_src = { merge_next, merge_offset, &merge };
	struct ht_event_batch batch;
	struct ht_event ev;
	struct ht_record *rec = xcalloc(1, sizeof *rec);
	read_ahead *ra;
	int ret;

	merge.decode = read_ahead_start(&decode_src, "heaptrail-read");
	if (merge.decode != NULL)
		ht_ordered_set_source(o, merge_take, &merge);
	ra = read_ahead_start(&merge_src, "heaptrail-merge");
	for (;;) {
		if (ra != NULL) {
			ret = read_ahead_take(ra, &batch);
		} else {
			/* No thread: one at a time. */
			ret = ht_ordered_next_event(o, &ev, rec);
			batch.ev = &ev;
			batch.n = 1;
			batch.records = rec;
			ev.id = ev.tag == HT_EVENT_RECORD ? 0 : ev.id;
		}
		if (ret <= 0)
			break;
		load_batch(l, &batch);
		if (l->error != NULL)
			break;
		n += batch.n;
		if (l->opt->progress && n >= next_progress) {
			next_progress = n + (1u << 20);
			load_progress(size, ra ? read_ahead_offset(ra) :
			    merge_offset(&merge), 0);
		}
	}
	/* The merge first: it may be waiting on the decoder. */
	read_ahead_stop(ra);
	read_ahead_stop(merge.decode);
	ht_ordered_set_source(o, NULL, NULL);
	free(rec);
	if (l->opt->progress)
		load_progress(size, size, 1);
	return ret;
}

int
load_trace(const struct load_options *opt, char **cause)
{
	struct loader l;
	struct ht_totals totals;
	ht_ordered *o;
	uint64_t n = 0;
	int ret;

	memset(&l, 0, sizeof l);
	l.opt = opt;
	l.last_rss = -1;
	for (n = 0; n < BUCKETS; n++)
		l.rss[n] = -1;
	n = 0;
	if (ht_trace_totals(opt->trace, &totals, cause) != 0)
		return -1;
	o = ht_ordered_open(opt->trace, cause);
	if (o == NULL)
		return -1;
	l.duration_ns = totals.duration_ns;
	l.bucket_ns = totals.duration_ns / BUCKETS + 1;
	l.bucket_end = l.bucket_ns;
	l.addresses = ptr_map_create();
	l.site_of = ptr_map_create();
	l.site_of_line = ptr_map_create();
	l.survival = survival_create();
	l.work = work_end_create();
	l.births = ptr_map_create();
	l.after_mark = ptr_map_create();

	l.tmp_path = xasprintf("%s.tmp.%ld", opt->db, (long)getpid());
	unlink(l.tmp_path);
	if (sqlite3_open(l.tmp_path, &l.db) != SQLITE_OK) {
		load_error(&l, "%s: cannot create: %s", opt->db,
		    l.db ? sqlite3_errmsg(l.db) : strerror(errno));
		goto out;
	}
	load_sql_ok(&l, sqlite3_exec(l.db, "PRAGMA journal_mode = OFF;"
	    "PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
	    NULL, NULL, NULL), "pragmas");
	load_sql_ok(&l, sqlite3_exec(l.db, ht_schema_sql, NULL, NULL, NULL),
	    "schema");
	load_sql_ok(&l, sqlite3_exec(l.db, "BEGIN", NULL, NULL, NULL),
	    "begin");
	if (l.error)
		goto out;

	l.ins_module = load_prepare(&l, "INSERT INTO modules (id, path, name,"
	    " base, text_start, text_end, build_id, load_time) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?)");
	l.upd_module_unload = load_prepare(&l, "UPDATE modules SET"
	    " unload_time = ? WHERE id = ?");
	l.ins_stack = load_prepare(&l, "INSERT OR REPLACE INTO stacks"
	    " (id, depth) VALUES (?, ?)");
	l.ins_stack_frame = load_prepare(&l, "INSERT OR REPLACE INTO"
	    " stack_frames (stack_id, position, address) VALUES (?, ?, ?)");
	l.ins_frame = load_prepare(&l, "INSERT OR IGNORE INTO frames"
	    " (address, depth, module_id, function, file, line, inlined)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)");
	l.ins_series = load_prepare(&l, "INSERT INTO stack_series (stack_id,"
	    " bucket, live_bytes, live_blocks, allocations, alloc_bytes)"
	    " VALUES (?, ?, ?, ?, ?, ?)");
	l.ins_site_series = load_prepare(&l, "INSERT INTO site_series"
	    " (site_id, bucket, live_bytes, live_blocks, allocations,"
	    " alloc_bytes) VALUES (?, ?, ?, ?, ?, ?)");
	l.ins_timeline = load_prepare(&l, "INSERT INTO timeline (bucket,"
	    " time, heap_bytes, heap_blocks, peak_bytes, rss_bytes,"
	    " allocations, frees, mapped_bytes) VALUES (?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)");
	l.ins_marker = load_prepare(&l, "INSERT INTO markers (time,"
	    " thread_id, label) VALUES (?, ?, ?)");
	l.ins_anomaly = load_prepare(&l, "INSERT INTO anomalies (kind, time,"
	    " thread_id, address, stack_id, count) VALUES (?, ?, ?, ?, ?, ?)");
	l.ins_block = load_prepare(&l, "INSERT INTO blocks (address, size,"
	    " alloc_time, free_time, stack_id, thread_id, entry, live_at_end)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	l.ins_thread = load_prepare(&l, "INSERT INTO threads (id, tid, name,"
	    " start_time, end_time) VALUES (?, ?, ?, ?, ?)");
	l.ins_stack_stats = load_prepare(&l, "INSERT INTO stack_stats"
	    " (stack_id, allocations, alloc_bytes, frees, freed_bytes,"
	    " live_blocks, live_bytes, peak_bytes, peak_time, first_time,"
	    " last_time, temporary, exit_live_blocks, exit_live_bytes) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)");
	l.ins_meta = load_prepare(&l, "INSERT OR REPLACE INTO meta (key,"
	    " value) VALUES (?, ?)");

	ret = load_records(&l, o);
	if (l.error == NULL && ret < 0) {
		/* A trace cut short is analyzed up to its last frame. */
		const char *err = ht_ordered_error(o);

		if (err == NULL || strstr(err, "truncated frame") == NULL)
			load_error(&l, "%s", err ? err : "read error");
	}
	if (l.error == NULL)
		load_finish(&l, o);
	if (l.error == NULL)
		load_sql_ok(&l, sqlite3_exec(l.db, load_indexes, NULL, NULL,
		    NULL), "indexes");
	if (l.error == NULL)
		load_sql_ok(&l, sqlite3_exec(l.db, "COMMIT", NULL, NULL,
		    NULL), "commit");
out:
	{
		sqlite3_stmt *st = NULL;

		while ((st = sqlite3_next_stmt(l.db, NULL)) != NULL)
			sqlite3_finalize(st);
	}
	if (l.db != NULL && sqlite3_close(l.db) != SQLITE_OK)
		load_error(&l, "%s: cannot close the database", opt->db);
	if (l.error == NULL && rename(l.tmp_path, opt->db) != 0)
		load_error(&l, "%s: cannot write: %s", opt->db, strerror(errno));
	if (l.error != NULL)
		unlink(l.tmp_path);
	ht_ordered_close(o);
	ptr_map_free(l.addresses);
	ptr_map_free(l.site_of);
	ptr_map_free(l.site_of_line);
	survival_free(l.survival);
	work_end_free(l.work);
	ptr_map_free(l.births);
	ptr_map_free(l.after_mark);
	{
		size_t i;

		for (i = 1; i < l.nsites; i++) {
			free(l.sites[i].module);
			survival_hist_clear(&l.sites[i].size);
			survival_hist_clear(&l.sites[i].lifetime);
			survival_hist_clear(&l.sites[i].age);
		}
		free(l.sites);

		for (i = 0; i < l.nthreads; i++)
			free(l.threads[i].name);
		for (i = 0; i < l.nmodules; i++) {
			free(l.modules[i].path);
			sym_module_close(l.modules[i].sym);
		}
		for (i = 0; i < l.ninfos; i++) {
			free(l.infos[i].function);
			free(l.infos[i].file);
		}
		free(l.infos);
	}
	free(l.threads);
	free(l.modules);
	free(l.maps);
	free(l.stacks);
	free(l.touched);
	free(l.touched_sites);
	free(l.exe);
	free(l.argv);
	free(l.tmp_path);
	if (l.error != NULL) {
		if (cause)
			*cause = l.error;
		else
			free(l.error);
		return -1;
	}
	return 0;
}
