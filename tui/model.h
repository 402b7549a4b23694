/*
 * model.h - what the browser shows, without any drawing: the run's key
 * figures and timeline, the time scope, the site table with its sort,
 * filter and cursor, the module table, the call trees and one site's
 * detail.  Everything comes from the analysis database; nothing here
 * includes curses (the views in view-*.c draw these structures).
 *
 *   model-run.c     meta, timeline, markers, the time scope and the
 *                   per-stack values in scope; list cursors
 *   model-sites.c   sites: rows, scoped values and classes, sort, filter
 *   model-modules.c modules: the sites' rows summed by module
 *   model-tree.c    top-down and bottom-up call trees
 *   model-detail.c  one site: its stacks, series, histograms, source
 *
 * Memory: the sites and stacks tables, the stacks' series and their
 * survival rows are held as compact arrays (loaded once: a change of
 * time needs no query); the sites' series, frames, blocks and histograms
 * are queried by key when a view needs them.
 */
#ifndef HEAPTRAIL_TUI_MODEL_H
#define HEAPTRAIL_TUI_MODEL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "../query/live.h"

/* --- list cursor ------------------------------------------------------- */

/* A selection in a list of COUNT rows shown PAGE at a time from TOP. */
struct cursor {
	long sel, top, count, page;
};

enum cursor_move {
	MOVE_UP, MOVE_DOWN, MOVE_PAGE_UP, MOVE_PAGE_DOWN, MOVE_HOME, MOVE_END,
};

void cursor_move(struct cursor *c, enum cursor_move how);
/* Keeps sel within count and visible between top and top + page. */
void cursor_clamp(struct cursor *c);

/* --- the run --------------------------------------------------------------- */

/*
 * What the live figures are of (query/live.h): at the end of the work,
 * at the end of a bucket, or over a window of buckets (live at its end;
 * growth: the change from its start to its end, per second).
 */
enum scope_kind {
	SCOPE_END,	/* at the end of the work */
	SCOPE_AT,	/* at the end of bucket to */
	SCOPE_WINDOW,	/* from the start of bucket from to the end of
			   bucket to (or of the work: to_end) */
};

struct scope {
	enum scope_kind kind;
	int from, to;	/* buckets */
	int to_end;	/* a window to the end of the work; to is the
			   bucket the work ends in */
};

struct marker {
	double time;
	char *label;
};

struct run {
	sqlite3 *db;
	char *path;
	char *program;
	double duration, bucket_s;
	double work_end;		/* seconds */
	int buckets;
	int64_t events, allocations, frees, threads;
	int64_t peak_bytes, live_bytes_end, live_blocks_end;	/* heap and
							   mappings */
	double peak_time;
	int64_t unknown_frees, dropped, replaced;
	int64_t mapped_end;
	int complete;

	/* The timeline, one entry per bucket. */
	int64_t *heap, *peak, *rss;	/* rss -1: no sample yet */
	int64_t *allocs_in, *frees_in;
	struct marker *markers;
	size_t nmarkers;

	/* Stacks: site of each (index = stack id; 0 unused, -1 none). */
	int64_t *stack_site;
	size_t nstacks;			/* highest id + 1 */

	/* Every stack's series, held to answer a change of scope without
	   a query (query/live.h), and what judges the classes as of a time
	   from it (query/classify-at.h). */
	struct live_series series;
	struct classify_memory *classes;

	struct scope scope;
	/* Per stack live bytes and blocks in the scope, and (a window) the
	   change of the live bytes per second (index stack id). */
	int64_t *scoped_bytes, *scoped_blocks;
	double *scoped_growth;
	unsigned scope_serial;		/* bumped when the scope changes */
};

/*
 * Opens the model of DB (already opened), with the suppressions of
 * SUPP_FILES (NSUPP of them) beside the built-in ones and those of
 * HEAPTRAIL_SUPPRESSIONS (query/suppress.h); NULL with *cause set.
 */
struct run *run_open(sqlite3 *db, const char *path,
    const char *const *supp_files, int nsupp, char **cause);
void run_close(struct run *r);

/* Sets the scope and recomputes the per-stack values. */
void run_set_scope(struct run *r, struct scope s);
/* The scope's time as query/time.h's bucket (TIME_BUCKET_END...). */
long run_scope_bucket(const struct run *r);
/* The scope of window W (query/time.h's): from the bucket after its
   from_bucket to its to_bucket, or to the end of the work. */
struct scope run_window_scope(const struct run *r,
    const struct time_window *w);
/* The scope in words for titles: "live at the end", "live at 1.20 s". */
void run_scope_text(const struct run *r, char *buf, size_t cap);
/* "0.044 s", "12.50 s": a time with the precision that matters. */
const char *run_time_text(double t, char *buf, size_t cap);
/* Bucket of time T (seconds), and time at the end of bucket B (B < 0:
   the start). */
int run_bucket_of(const struct run *r, double t);
double run_bucket_end(const struct run *r, int b);

/* Live bytes at the end split by the class of their site (scope aware). */
struct class_split {
	int64_t leak, steady, unclear, freed;	/* bytes */
};

/* One SQL value helper: the first column of the first row as integer. */
int64_t run_sql_int(sqlite3 *db, const char *sql, int64_t fallback);
/* Column I of a result row as a malloc'ed string, NULL if NULL. */
char *run_sql_text(sqlite3_stmt *st, int i);

/* --- sites and modules ------------------------------------------------ */

enum site_sort {
	SORT_LIVE, SORT_BLOCKS, SORT_ALLOCS, SORT_PEAK, SORT_GROWTH,
	SORT_CLASS, SORT_COUNT,
};

extern const char *const site_sort_names[SORT_COUNT];

struct site_row {
	int64_t id;
	char cls;			/* L U S F (query/classes.h), ? if
					   unclassified: as of the scope */
	int64_t live_bytes, live_blocks;	/* in the scope */
	int64_t allocations, alloc_bytes, peak_bytes;
	double growth;			/* as of the scope, or over its
					   window */
	double first_time, last_time;
	uint64_t address;
	int line;
	const char *function, *file;	/* may be NULL */
	const char *pattern;		/* as of the scope; may be NULL */
	const char *suppressed;		/* the rule, or NULL */
	/* At the end of the work (the sites table's). */
	char cls_end;
	double growth_end, growth_at;	/* growth_at: as of the scope */
	const char *pattern_end;
	char *pattern_at;		/* pattern's storage as of a time */
	const char *module;		/* interned: modules[module_idx] */
	int module_idx;
	uint8_t spark[16];		/* trend, 0..8, if spark_ready */
	int spark_ready;
};

#define SPARK_POINTS 16

struct sites {
	struct run *run;
	struct site_row *rows;
	size_t nrows;
	char **modules;			/* distinct modules' names */
	char **module_paths;		/* and paths: what tells them apart */
	size_t nmodules;
	int64_t *row_of_id;		/* site id -> row index, -1 none */
	size_t nids;
	size_t *order;			/* rows passing the filter, sorted */
	size_t norder;
	enum site_sort sort;
	char filter[128];		/* text in function, file or module,
					   or any frame of its stacks */
	char cls_filter;		/* 0: every class, else L S U F */
	int module_filter;		/* -1, or only sites of this module */
	struct cursor cur;
	unsigned scope_serial;
	long classes_bucket;		/* the rows' classes are as of it */
	/* Filtering: the rows' texts, and the filter last applied. */
	char *haystack;
	size_t *hay_at;
	/* And the frames of every stack of a site (sites_load_frames):
	   each distinct lower-case "function\tfile" of the frames table
	   once, at frame_text + frame_text_at[k]; the texts of row I's
	   frames are row_texts[row_texts_at[I] .. row_texts_at[I + 1]),
	   each once; text_hit[k]: text k holds the filter applied. */
	int frames_loaded;
	struct sites_frames_job *frames_job;	/* reading them, or NULL */
	char *frame_text;
	size_t *frame_text_at, nframe_texts;
	uint32_t *row_texts;
	size_t *row_texts_at;
	unsigned char *text_hit;
	char applied[128];
	char applied_cls;
	int applied_module, applied_valid;
};

struct sites *sites_open(struct run *r, char **cause);
void sites_close(struct sites *s);
/* Re-applies scope (if changed), filter and sort; keeps the selected row. */
void sites_refresh(struct sites *s);
/* Reads what the text filter looks in beyond the rows' own texts: the
 * frames of every site's stacks.  Once (a later call does nothing);
 * sites_refresh calls it for the first filter, the view when its prompt
 * opens, so that typing does not wait.  It waits for the thread
 * sites_start_frames started, if any. */
void sites_load_frames(struct sites *s);
/* Starts reading them on a thread with a connection of its own, if the
 * database is a file (else sites_load_frames reads them).  The thread
 * reads only what sites_open set; sites_close waits for it. */
void sites_start_frames(struct sites *s);
/* The first frame text (function, then a tab and the file) of ROW's
 * stacks that holds the filter applied, or NULL (none, no filter, or
 * the row's own texts hold it). */
const char *sites_frame_match(const struct sites *s,
    const struct site_row *row);
/* Fills the trend of row I (from site_series) if not done yet. */
void sites_spark(struct sites *s, struct site_row *row);
/* The selected row, or NULL. */
struct site_row *sites_selected(struct sites *s);
/* ROW's class letter as shown: in lower case when it is suppressed. */
char sites_letter(const struct site_row *row);
/* Live bytes in scope split by class. */
struct class_split sites_class_split(struct sites *s);

struct module_row {
	const char *name;
	int module_idx;			/* in sites->modules */
	int64_t live_bytes, live_blocks, peak_bytes, allocations;
	int64_t leak_bytes, steady_bytes, unclear_bytes;
	int nsites;
};



struct modules {
	struct module_row *rows;
	size_t nrows;
	int64_t *peak_of;		/* index module_idx: the modules
					   table's highest peak */
	struct cursor cur;
	unsigned scope_serial;
};

/* The modules table (query/modules.h) in the sites' scope. */
void modules_refresh(struct modules *m, struct sites *s);
void modules_free(struct modules *m);

/* --- call tree ---------------------------------------------------------------- */

enum tree_measure { MEASURE_LIVE, MEASURE_ALLOCS, MEASURE_ALLOC_BYTES,
	MEASURE_COUNT };

extern const char *const tree_measure_names[MEASURE_COUNT];

struct tree_node {
	uint32_t parent, first_child, next_sibling;	/* 0: none */
	uint32_t label;			/* index in tree labels */
	int inlined;
	int depth;
	int expanded;
	int64_t value[MEASURE_COUNT];
};

struct tree {
	int bottom_up;
	struct tree_node *nodes;	/* [0]: the root (all stacks) */
	size_t nnodes, cap;
	char **labels;			/* "function\0module" */
	size_t nlabels, labels_cap;
	int shares_labels;		/* the other tree's: not freed here */
	uint32_t *stack_leaf;		/* index stack id: its deepest node */
	size_t nstacks;
	int64_t *stack_allocs, *stack_alloc_bytes;
	enum tree_measure measure;
	uint32_t *visible;		/* expanded nodes in display order */
	size_t nvisible, visible_cap;
	struct cursor cur;
	unsigned scope_serial;
	void *index;			/* (parent, label) -> child */
};

/* Builds both trees: OUT[0] top-down, OUT[1] bottom-up.  0, or -1 with
 * *cause. */
int trees_open(struct run *r, struct tree *out[2], char **cause);
void tree_close(struct tree *t);
/* Recomputes the scoped measure (if the scope changed) and the rows. */
void tree_refresh(struct tree *t, struct run *r);
void tree_toggle(struct tree *t, uint32_t node, int expand);
/* Expands the selected node's heaviest path down to a leaf. */
void tree_expand_heaviest(struct tree *t, uint32_t node);

/* --- one site ------------------------------------------------------------ */

struct detail_frame {
	char *function, *file, *module;
	int line, inlined;
	uint64_t address;
	int is_site;			/* the site's frame */
};

struct histo_bin {
	int bin;
	int64_t blocks, bytes;
};

struct detail {
	int64_t site_id;
	int64_t *stack_ids;		/* the site's stacks, heaviest first */
	size_t nstacks, stack_at;	/* shown: stack_ids[stack_at] */
	struct detail_frame *frames;	/* of the shown stack, innermost
					   first, inlined frames expanded */
	size_t nframes;
	struct cursor cur;		/* over frames */
	int64_t *series;		/* live bytes per bucket */
	struct histo_bin *sizes, *lifetimes, *ages;
	size_t nsizes, nlifetimes, nages;
	char **source;			/* lines around the selected frame */
	size_t nsource;
	int source_first;		/* line number of source[0] */
	int source_line;		/* the frame's line */
	char *source_path;		/* or NULL if not on disk */
	long source_for;		/* the frame they are of, -1 none */
};

/* Loads site ID's detail; NULL with *cause. */
struct detail *detail_open(struct run *r, int64_t site_id, char **cause);
void detail_close(struct detail *d);
/* Shows the site's next (+1) or previous (-1) stack. */
void detail_next_stack(struct detail *d, struct run *r, int step);
/* Reads the source around the selected frame (CONTEXT lines each side). */
void detail_load_source(struct detail *d, int context);

#endif /* HEAPTRAIL_TUI_MODEL_H */
