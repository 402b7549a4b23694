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
 *     frees at least half of the heap it starts with, making at most
 *     one allocation per WORK_END_ALLOCS_PER_FREE frees, and lasting no
 *     longer than the work before it.
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

/* A teardown makes at most one allocation per this many frees ... */
#define WORK_END_ALLOCS_PER_FREE 10
/* ... and frees at least 1/this of the heap it starts with. */
#define WORK_END_SHARE_FREED 10

/* A free, as the loader saw it. */
struct work_end_free {
	uint64_t ptr;		/* the block's address */
	uint64_t ts;		/* of the free, ns */
	uint64_t alloc_ts;	/* of the block's allocation */
	uint64_t birth;		/* of its realloc chain (= alloc_ts if none) */
	uint64_t size;
	uint64_t allocs_before;	/* the run's allocations before the free */
	int64_t heap_before;	/* heap bytes just before the free */
	uint32_t stack;
	uint8_t alloc_fn;	/* enum ht_alloc_fn */
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
 * A free F; HEAP_BLOCKS is the number of live heap blocks after it.
 * Frees after the end of the work is decided are kept only if their
 * block was allocated before it: by time after a teardown; after the
 * mark, the caller leaves out those allocated after it (it knows them
 * by their order, where times may be equal).
 */
void work_end_add_free(work_end *w, const struct work_end_free *f,
    int64_t heap_blocks);

/*
 * The recorder's mark at TS, LABEL (its text); the run's ALLOCS so far.
 * The first one decides the end of the work; later ones are ignored.
 */
void work_end_mark(work_end *w, uint64_t ts, const char *label,
    uint64_t allocs);

/*
 * The last event was at LAST_TS, after ALLOCS allocations in all:
 * decides the end of the work if no mark did.
 */
void work_end_finish(work_end *w, uint64_t last_ts, uint64_t allocs);

/* The end of the work, ns: blocks allocated at or after it are not live
   then, blocks freed at or after it (and listed below) are. */
uint64_t work_end_time(const work_end *w);
enum work_end_reason work_end_why(const work_end *w);
/* The mark's label (without the prefix), or NULL. */
const char *work_end_label(const work_end *w);

/* Calls FN for each free after the end of a block allocated before it. */
void work_end_each_undone(const work_end *w,
    void (*fn)(const struct work_end_free *f, void *arg), void *arg);

#endif /* HEAPTRAIL_WORK_END_H */
