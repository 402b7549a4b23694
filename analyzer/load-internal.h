/*
 * load-internal.h - what the files of the loader share (private to
 * analyzer/load*.c; the loader as a whole is described in load.c).
 *
 *   load.c           the pipeline that feeds records in, the records'
 *                    dispatch, load_trace itself
 *   load-db.c        the database: statements, rows, meta, indexes
 *   load-live.c      allocations and frees: live totals by stack, site,
 *                    module and heap; time buckets and their rows
 *   load-mappings.c  anonymous mappings, live ranges and their cuts
 *   load-symbols.c   modules, and symbolizing return addresses (and
 *                    what could not be symbolized)
 *   load-sites.c     which frame of a stack is its site
 *   load-finish.c    after the last event: back to the end of the work,
 *                    the blocks live then and after, the survival sums
 *   load-tables.c    the tables written from the totals at the end:
 *                    stack_stats, threads, sites and their classes,
 *                    modules, stack_survival, site_histograms, meta
 *
 * One struct loader per load_trace call, on its stack; every function
 * here takes it first.  Errors: the first one is kept in l->error (see
 * load_error) and every writer does nothing once it is set; the caller
 * of load_trace gets it.  Out of memory is fatal (xmalloc.h).
 */
#ifndef HEAPTRAIL_LOAD_INTERNAL_H
#define HEAPTRAIL_LOAD_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "../reader/trace-reader.h"
#include "../util/ptr-map.h"
#include "analyzer.h"
#include "classify.h"
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

/* How load_gain and load_lose count a change of live memory. */
#define LIVE_COUNTED 1	/* an allocation or free, not a split mapping */
#define LIVE_MAPPED 2	/* memory of an anonymous mapping */

/* A stack's running totals (ids.stacks, by stack id). */
struct stack_acc {
	uint64_t allocs, alloc_bytes, frees, freed_bytes;
	int64_t live_blocks, live_bytes;	/* at the end of the work, once
						   load_work_end has run */
	int64_t exit_live_blocks, exit_live_bytes;	/* after the last
							   event */
	int64_t peak_bytes;
	uint64_t peak_ts, first_ts, last_ts;
	uint64_t temporary;
	uint64_t bucket_allocs, bucket_alloc_bytes;	/* this bucket's */
	uint32_t site;			/* index in sites, 0: none */
	uint32_t nframes;
	int touched;			/* in the current bucket's list */
	int defined;
};

/* What a return address is, for choosing sites (load-sites.c). */
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
	int sym_quality;		/* enum sym_quality, once tried */
	char *sym_problem;		/* why not SYM_DWARF, or NULL */
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

/* The database being written (load-db.c). */
struct load_sql {
	sqlite3 *db;
	char *tmp_path;			/* DB.tmp.PID, renamed when complete */
	char *json;			/* load_stack_frames' text */
	struct db_queue *queue;		/* while events load (load_db_async) */
	size_t json_cap;
	sqlite3_stmt *ins_module, *ins_stack, *ins_stack_frame, *ins_frame,
	    *ins_series, *ins_timeline, *ins_marker, *ins_anomaly,
	    *ins_block, *ins_thread, *ins_stack_stats, *ins_meta,
	    *upd_module_unload, *ins_site_series;
};

/* Stacks and threads by the trace's ids (dense arrays, zeroed as they
   grow: load_stack, load_thread). */
struct load_ids {
	struct stack_acc *stacks;
	size_t nstacks;
	uint64_t stacks_defined;	/* STACK records read */
	struct thread_acc *threads;
	size_t nthreads;
	uint64_t threads_started;	/* THREAD_START records read */
};

/* Time buckets (load-live.c): the current one, what it touched, RSS. */
struct load_time {
	uint64_t duration_ns;		/* of the trace, known before reading */
	uint64_t bucket_ns;
	uint64_t bucket;		/* current bucket index */
	uint64_t bucket_end;		/* its end, ns (no division per
					   event: a 64-bit one is slow) */
	int64_t bucket_peak;
	uint64_t bucket_allocs, bucket_frees;
	int64_t rss[BUCKETS];		/* last sample in each bucket, or -1 */
	int64_t last_rss;
	/* Stacks and sites with a change in this bucket: a series row each
	   when it is written. */
	uint32_t *touched;
	size_t ntouched, touched_cap;
	uint32_t *touched_sites;
	size_t ntouched_sites, touched_sites_cap;
	survival *survival;		/* stack_survival sums */
};

/* The run as a whole: the header, the heap, the counters of meta. */
struct load_run {
	struct ht_header header;
	char *exe, *argv;
	size_t argv_len;
	int complete;			/* the trace has its END */
	uint64_t cut_at;		/* offset of a last frame cut short,
					   0 if none */
	int64_t heap_bytes, heap_blocks;	/* at the end of the work, once
						   load_work_end has run */
	int64_t exit_heap_bytes, exit_heap_blocks;	/* after the last
							   event */
	uint64_t events, allocs, frees, last_ts;
	uint64_t alloc_bytes;		/* allocated in all, mappings too */
	int64_t peak_bytes;
	uint64_t peak_ts;
	uint64_t temporary;
	uint64_t unknown_frees, replaced, dropped, anomaly_rows;
};

/* Live anonymous mappings (load-mappings.c). */
struct load_mapped {
	struct mapping *maps;		/* sorted by address, never
					   overlapping */
	size_t nmaps, maps_cap;
	int64_t mapped_bytes, mapped_peak;
	int64_t exit_mapped_bytes;	/* after the last event */
	uint64_t n_maps, n_unmaps;	/* calls seen */
};

/* Modules, and what symbolizing them came to (load-symbols.c). */
struct load_modules {
	struct module_acc *modules;	/* in load order */
	size_t nmodules, modules_cap;
	/* Modules tried by quality (enum sym_quality), compilation units
	   libdwarf could not read, addresses left without a source line. */
	uint64_t by_quality[SYM_QUALITIES];
	/* The debuginfod client (NULL without DEBUGINFOD_URLS), and
	   whether its reason to stop asking was noted. */
	sym_debuginfod *servers;
	int servers_problem_noted;
	uint64_t failed_units;
	uint64_t failed_addresses;
};

/* Addresses and sites (load-symbols.c, load-sites.c). */
struct load_where {
	ptr_map *addresses;		/* address -> index in infos */
	struct addr_info *infos;
	size_t ninfos, infos_cap;
	ptr_map *site_of;		/* site frame address -> site index */
	ptr_map *site_of_line;		/* load_site_of_line's key -> site */
	struct site_acc *sites;		/* [0] unused */
	size_t nsites, sites_cap;
	uint32_t nostack_site;		/* stacks without frames, or 0 */
};

/* The end of the work (work-end.h) and the chains of blocks. */
struct load_end {
	work_end *log;			/* the frees that may follow it */
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
};

struct loader {
	const struct load_options *opt;	/* borrowed */
	char *error;			/* the first error, or NULL */
	struct load_sql sql;
	struct load_ids ids;
	struct load_time time;
	struct load_run run;
	struct load_mapped mapped;
	struct load_modules mods;
	struct load_where where;
	struct load_end end;
};

/* load.c */
void load_error(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void *load_grow(void *arr, size_t *n, uint64_t i, size_t size);

/* load-db.c */
int load_db_open(struct loader *l);
void load_db_commit(struct loader *l);
void load_db_close(struct loader *l);
int load_sql_ok(struct loader *l, int rc, const char *what);
sqlite3_stmt *load_prepare(struct loader *l, const char *sql);
void load_exec(struct loader *l, sqlite3_stmt *st, const char *types, ...);
void load_stack_frames(struct loader *l, uint64_t id, const uint64_t *frames,
    uint32_t n);
void load_db_async(struct loader *l);
void load_db_sync(struct loader *l);
void load_meta(struct loader *l, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* load-live.c */
int load_at(struct loader *l, uint32_t thread, uint64_t ts);
void load_event(struct loader *l, const struct ht_event *e,
    const struct ht_record *r);
void load_flush_bucket(struct loader *l);
struct stack_acc *load_event_stack(struct loader *l, uint64_t id);
void load_gain(struct loader *l, uint64_t id, struct stack_acc *s,
    uint64_t size, uint64_t ts, int how);
void load_size(struct loader *l, const struct stack_acc *s, uint64_t size);
void load_lose(struct loader *l, uint64_t stack, uint64_t size, uint64_t ts,
    int how);
void load_gone(struct loader *l, uint64_t stack, uint64_t bytes,
    uint64_t alloc_ts, uint64_t ts, int64_t blocks, int whole);

/* load-mappings.c */
void load_map(struct loader *l, const struct ht_record *r);
void load_unmap(struct loader *l, const struct ht_record *r);
void load_mapping_row(struct loader *l, const struct mapping *m,
    uint64_t start, uint64_t end, uint64_t free_ts, int held);

/* load-symbols.c */
void load_module(struct loader *l, const struct ht_record *r);
void load_module_unload(struct loader *l, const struct ht_record *r);
struct module_acc *load_module_at(struct loader *l, uint64_t addr);
uint32_t load_symbolize(struct loader *l, uint64_t addr);
void load_symbols_meta(struct loader *l);
/* Names code with no name MODULE+0xADDRESS in sites and frames. */
void load_name_unnamed(struct loader *l);

/* load-sites.c */
void load_addr_info(struct addr_info *info, const struct module_acc *m,
    const struct sym_frame *frames, int n);
uint32_t load_site(struct loader *l, uint64_t addr, uint32_t info);
void load_stack_def(struct loader *l, const struct ht_record *r);

/* load-finish.c */
void load_finish(struct loader *l, ht_ordered *o);

/* load-tables.c */
void load_tables(struct loader *l);

static inline double
secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static inline struct stack_acc *
load_stack(struct loader *l, uint64_t id)
{
	if (id >= l->ids.nstacks)
		l->ids.stacks = load_grow(l->ids.stacks, &l->ids.nstacks, id,
		    sizeof *l->ids.stacks);
	return &l->ids.stacks[id];
}

/* Was stack ID defined (or is it 0, "no stack")? */
static inline int
load_stack_known(const struct loader *l, uint64_t id)
{
	return id == 0 || (id < l->ids.nstacks && l->ids.stacks[id].defined);
}

static inline struct thread_acc *
load_thread(struct loader *l, uint32_t idx)
{
	if (idx >= l->ids.nthreads)
		l->ids.threads = load_grow(l->ids.threads, &l->ids.nthreads,
		    idx, sizeof *l->ids.threads);
	return &l->ids.threads[idx];
}

/* The bucket of time TS (the END may land past the last). */
static inline unsigned
load_bucket_of(const struct loader *l, uint64_t ts)
{
	uint64_t b = ts / l->time.bucket_ns;

	return b < BUCKETS ? (unsigned)b : BUCKETS - 1;
}

/* The stack a block is counted under: "no stack" if never defined. */
static inline uint32_t
load_counted_stack(const struct loader *l, uint32_t stack)
{
	return load_stack_known(l, stack) ? stack : 0;
}

#endif /* HEAPTRAIL_LOAD_INTERNAL_H */
