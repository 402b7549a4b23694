/*
 * work-end.h - when the program's work ended, and which blocks were
 * released only after it.
 *
 * heaptrail judges memory as of the end of the program's work: before
 * atexit handlers, static destructors and the final teardown free it
 * (heaptrail(5), "The end of the work").  The end of the work is the
 * earlier of
 *
 *   - the recorder's mark (main returned, exit() called: a MARK whose
 *     label starts with HT_WORK_END_PREFIX), or the last event of a run
 *     without one (killed, still going); and
 *   - the start of the final teardown before that: the stretch that
 *     frees at least 1/WORK_END_SHARE_FREED of the heap it starts with
 *     (the rest may be held until the process ends: a leaked singleton,
 *     a static never destroyed), allocating at most a byte for every
 *     WORK_END_FREED_PER_ALLOCATED it frees, without pauses, leaving
 *     next to nothing behind, and lasting no longer than the work before
 *     it.
 *
 * The loader hands every free (in the global order) to a work_end; it
 * keeps the frees that may still turn out to follow the end of the work,
 * and forgets the others as soon as they cannot (so it holds about as
 * many entries as the teardown frees, at most some per live block).
 * Once the end is known, work_end_each_undone lists the frees after it
 * of blocks allocated before it: what the loader adds back to the live
 * figures to have them as of the end of the work.
 */
#ifndef HEAPTRAIL_WORK_END_H
#define HEAPTRAIL_WORK_END_H

#include <stddef.h>
#include <stdint.h>

/* A teardown allocates at most a byte per this many bytes it frees ... */
#define WORK_END_FREED_PER_ALLOCATED 10
/* ... and frees at least 1/this of the heap it starts with ... */
#define WORK_END_SHARE_FREED 10
/* ... with no pause between its frees longer than 1/this of the run (or
   the minimum) ... */
#define WORK_END_GAP_SHARE 200
#define WORK_END_GAP_MIN_NS 2000000
/* ... and leaves behind at most 1/this of what it freed. */
#define WORK_END_SHARE_LEFT 20

/* A free (or an unmap), as the loader saw it. */
struct work_end_free {
	uint64_t ptr;		/* the block's address */
	uint64_t ts;		/* of the free, ns */
	uint64_t alloc_ts;	/* of the block's allocation */
	uint64_t birth;		/* of its realloc chain (= alloc_ts if none) */
	uint64_t size;
	uint64_t allocated_before;	/* bytes the run allocated before */
	int64_t heap_before;	/* heap bytes just before the free */
	uint64_t freed_before;	/* (work_end's: bytes the log freed before) */
	uint32_t stack;
	int32_t blocks;		/* how many live blocks it took: 1, but for
				   a cut of a mapping (load_unmap_range) */
	uint8_t alloc_fn;	/* enum ht_alloc_fn (ht_map_fn if mapped) */
	uint8_t mapped;		/* an unmap of anonymous memory */
};

/* Why the work ended when it did. */
enum work_end_reason {
	WORK_END_LAST_EVENT,	/* no mark: killed, or still going */
	WORK_END_MARK,		/* the recorder's mark */
	WORK_END_TEARDOWN	/* a teardown before the mark or last event */
};

typedef struct work_end work_end;

work_end *work_end_create(void);
void work_end_free(work_end *w);

/*
 * A free F, in the global order; HEAP is the live bytes after it (heap
 * and mappings).  After the mark, the caller leaves out the frees of
 * blocks allocated after it (it knows them by their order, where times
 * may be equal).
 */
void work_end_add_free(work_end *w, const struct work_end_free *f,
    int64_t heap);

/*
 * The recorder's mark at TS, LABEL (its text); the bytes the run
 * ALLOCATED so far.  The first one counts; later ones are ignored.
 */
void work_end_mark(work_end *w, uint64_t ts, const char *label,
    uint64_t allocated);

/*
 * The last event was at LAST_TS, after ALLOCATED bytes allocated in all:
 * decides the end of the work.  LIVE_SINCE(ts, ARG) gives the bytes live
 * now (heap and mappings) that were allocated at or after ts.
 */
void work_end_finish(work_end *w, uint64_t last_ts, uint64_t allocated,
    uint64_t (*live_since)(uint64_t ts, void *arg), void *arg);

/*
 * The end of the work, ns, once decided.  Blocks freed after it, listed
 * below, were live then; those allocated after it were not: after the
 * mark by their order (the loader's), after a teardown's start those
 * allocated later than its time (ties count as before).
 */
uint64_t work_end_time(const work_end *w);
enum work_end_reason work_end_why(const work_end *w);
/* The mark's label (without the prefix), or NULL. */
const char *work_end_label(const work_end *w);

/* Calls FN for each free after the end of a block allocated before it. */
void work_end_each_undone(const work_end *w,
    void (*fn)(const struct work_end_free *f, void *arg), void *arg);

#endif /* HEAPTRAIL_WORK_END_H */
