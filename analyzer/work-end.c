/*
 * work-end.c - the end of the program's work (see work-end.h).
 *
 * Until the recorder's mark, the log holds every free since the earliest
 * one that could still start the teardown.  A free at position p starts
 * a teardown when, from p to the end, A bytes were allocated and F bytes
 * freed with A * WORK_END_FREED_PER_ALLOCATED <= F (bytes, not calls: a
 * shutdown may free a few big buffers and still allocate a few small
 * things).  Whatever comes later, F can grow by at most the bytes live
 * now plus those still to be allocated, so once A *
 * WORK_END_FREED_PER_ALLOCATED > F + live bytes, p can never qualify:
 * such entries are dropped from the front of the log, every time it has
 * doubled since the last look (amortized constant work per free).  A long
 * teardown keeps its frees (each frees a block that was live, so the log
 * stays within the live blocks); steady churn keeps only its last
 * stretch.  After the mark every free is kept (they are the teardown's).
 *
 * The decision, after the last event, over the stretch that ends at the
 * mark (or at the last event): a teardown runs without pauses (no two of
 * its frees, nor its last and the end, further apart than
 * WORK_END_GAP_MIN_NS or 1/WORK_END_GAP_SHARE of the run: a vector that
 * grew and then filled its room for a while freed its old copy in the
 * work, not in a teardown).  Among the positions there that qualify, the
 * one with the most bytes freed after it less
 * WORK_END_FREED_PER_ALLOCATED times the bytes allocated after it (the
 * earliest of equals) would start the teardown: going back from there
 * into the work would take in allocations, going on would leave out
 * frees.  It is the teardown if it frees at least 1/WORK_END_SHARE_FREED
 * of the heap there (heap_before), lasts no longer than the time before
 * it, and leaves behind (live after the last event, allocated since its
 * start) at most 1/WORK_END_SHARE_LEFT of what it freed: a phase of the
 * work that drains a queue while it leaks is not one.  The end of the
 * work is then the time of its free.  Else the end is the mark, or just
 * after the last event.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../format/trace-format.h"
#include "../util/xmalloc.h"
#include "work-end.h"

struct work_end {
	struct work_end_free *log;
	size_t start;		/* entries before it are dropped */
	size_t n, cap;
	size_t looked_at;	/* entries after start at the last look */
	uint64_t freed;		/* bytes freed by the entries so far */
	int marked;		/* the mark came: log[mark_n] is its first
				   free after, and nothing is pruned */
	size_t mark_n;
	uint64_t mark_ts, mark_allocated;
	int decided;
	uint64_t end_ts;
	enum work_end_reason why;
	char *label;
};

work_end *
work_end_create(void)
{
	return xcalloc(1, sizeof(struct work_end));
}

void
work_end_free(work_end *w)
{
	if (w == NULL)
		return;
	free(w->log);
	free(w->label);
	free(w);
}

/* Drops the entries before START, moving the rest to the front. */
static void
work_end_compact(work_end *w)
{
	if (w->start == 0)
		return;
	memmove(w->log, w->log + w->start, (w->n - w->start) * sizeof *w->log);
	w->n -= w->start;
	if (w->marked)
		w->mark_n -= w->start;
	w->start = 0;
}

/*
 * Drops the front entries that can no longer start a teardown, after
 * ALLOCATED bytes allocated in all, with HEAP bytes live.
 */
static void
work_end_prune(work_end *w, uint64_t allocated, int64_t heap)
{
	uint64_t live = heap > 0 ? (uint64_t)heap : 0;

	while (w->start < w->n) {
		const struct work_end_free *f = &w->log[w->start];
		uint64_t a = allocated - f->allocated_before;

		if (a * WORK_END_FREED_PER_ALLOCATED <= w->freed - f->freed_before
		    + live)
			break;
		w->start++;
	}
	if (w->start * 2 >= w->n)
		work_end_compact(w);
	w->looked_at = w->n - w->start;
}

void
work_end_add_free(work_end *w, const struct work_end_free *f, int64_t heap)
{
	if (w->decided)
		return;
	if (w->n == w->cap) {
		work_end_compact(w);
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->log = xreallocarray(w->log, w->cap, sizeof *w->log);
		}
	}
	w->log[w->n] = *f;
	w->log[w->n++].freed_before = w->freed;
	w->freed += f->size;
	/* f->allocated_before counts the bytes allocated up to now. */
	if (!w->marked && w->n - w->start >= 2 * w->looked_at + 4096)
		work_end_prune(w, f->allocated_before, heap);
}

/*
 * The teardown that ends the entries [start, HI) at END_TS, after
 * ALLOCATED bytes allocated in all (see the top); LIVE_SINCE(ts, ARG):
 * the bytes live after the last event that were allocated at or after
 * ts.  Returns its first entry, or SIZE_MAX for none.
 */
static size_t
work_end_teardown(const work_end *w, size_t hi, uint64_t end_ts,
    uint64_t allocated, uint64_t (*live_since)(uint64_t ts, void *arg),
    void *arg)
{
	size_t i, best = SIZE_MAX, from = hi;
	uint64_t freed_hi = hi < w->n ? w->log[hi].freed_before : w->freed;
	uint64_t best_freed = 0, gap = end_ts / WORK_END_GAP_SHARE, next;
	int64_t best_score = INT64_MIN;
	const struct work_end_free *b;

	/* A teardown runs without pauses: from the end back to the first. */
	if (gap < WORK_END_GAP_MIN_NS)
		gap = WORK_END_GAP_MIN_NS;
	for (next = end_ts; from > w->start && next - w->log[from - 1].ts <=
	    gap; from--)
		next = w->log[from - 1].ts;
	for (i = from; i < hi; i++) {
		const struct work_end_free *f = &w->log[i];
		uint64_t a = allocated - f->allocated_before;
		uint64_t freed = freed_hi - f->freed_before;
		int64_t score;

		if (a * WORK_END_FREED_PER_ALLOCATED > freed)
			continue;
		score = (int64_t)freed - (int64_t)(a *
		    WORK_END_FREED_PER_ALLOCATED);
		if (score > best_score) {
			best_score = score;
			best = i;
			best_freed = freed;
		}
	}
	if (best == SIZE_MAX)
		return SIZE_MAX;
	b = &w->log[best];
	if (b->heap_before <= 0 ||
	    best_freed * WORK_END_SHARE_FREED < (uint64_t)b->heap_before ||
	    end_ts - b->ts > b->ts ||
	    live_since(b->ts, arg) * WORK_END_SHARE_LEFT > best_freed)
		return SIZE_MAX;	/* too little, too long, or it left new
					   memory behind: work, not teardown */
	return best;
}

void
work_end_mark(work_end *w, uint64_t ts, const char *label,
    uint64_t allocated)
{
	size_t n = strlen(HT_WORK_END_PREFIX);

	if (w->marked || w->decided)
		return;
	w->marked = 1;
	w->mark_n = w->n;
	w->mark_ts = ts;
	w->mark_allocated = allocated;
	w->label = xstrdup(strncmp(label, HT_WORK_END_PREFIX, n) == 0 ?
	    label + n : label);
}

void
work_end_finish(work_end *w, uint64_t last_ts, uint64_t allocated,
    uint64_t (*live_since)(uint64_t ts, void *arg), void *arg)
{
	size_t i, best, kept = 0;

	if (w->decided)
		return;
	w->decided = 1;
	best = w->marked ? work_end_teardown(w, w->mark_n, w->mark_ts,
	    w->mark_allocated, live_since, arg) : work_end_teardown(w, w->n,
	    last_ts, allocated, live_since, arg);
	if (best != SIZE_MAX) {
		/* Undone: its frees, and those after, of blocks from before
		   it (allocated up to its time: ties count as before). */
		w->end_ts = w->log[best].ts;
		w->why = WORK_END_TEARDOWN;
		for (i = best; i < w->n; i++)
			if (w->log[i].alloc_ts <= w->end_ts)
				w->log[kept++] = w->log[i];
	} else if (w->marked) {
		/* Undone: every free after the mark (the loader left out the
		   blocks allocated after it). */
		w->end_ts = w->mark_ts;
		w->why = WORK_END_MARK;
		for (i = w->mark_n; i < w->n; i++)
			w->log[kept++] = w->log[i];
	} else {
		/* Nothing after the last event: its own allocations count. */
		w->end_ts = last_ts + 1;
		w->why = WORK_END_LAST_EVENT;
	}
	w->n = kept;
	w->start = 0;
}

uint64_t
work_end_time(const work_end *w)
{
	return w->end_ts;
}

enum work_end_reason
work_end_why(const work_end *w)
{
	return w->why;
}

const char *
work_end_label(const work_end *w)
{
	return w->label;
}

void
work_end_each_undone(const work_end *w,
    void (*fn)(const struct work_end_free *f, void *arg), void *arg)
{
	size_t i;

	for (i = w->start; i < w->n; i++)
		fn(&w->log[i], arg);
}
