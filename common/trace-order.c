/*
 * trace-order.c - merge the per-thread event streams into one time order
 * and pair every free with its allocation.
 *
 * The recorder writes each thread's events in chunks, so in the file a
 * thread's events can come after later events of another thread.  The
 * writer emits SYNC(T) records promising that every event with time < T is
 * already in the file above the record.  This module therefore holds the
 * events read since the last SYNC in a window, and at each SYNC sorts the
 * window by (time, file order) and releases the events older than T.  At
 * the end of the file, or at an error, it releases everything it holds.
 *
 * Times have a unit (a microsecond), so events of several threads can
 * share one.  A free is stamped before the real free and an allocation
 * after the real malloc, so a free never has a later time than the
 * allocation that got its address back; at equal times the order is
 * resolved here with the live set: among the events of a tie, each
 * thread's next one is a candidate, and the first candidate that makes
 * sense (an allocation of a free address, a free of a live one) goes
 * first.  That is also why pairing lives here and not in each consumer.
 *
 * Owns: the window (a growable array of records), copies of the strings
 * event records point to (released with the window), and the live maps
 * (malloc family, and annotated blocks apart).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ptr-map.h"
#include "trace-reader.h"
#include "xmalloc.h"

/* An event held in the window: only what event records use. */
struct ordered_event {
	uint64_t ts;
	uint64_t ptr;
	uint64_t size;
	uint64_t id;
	uint64_t offset;
	uint32_t thread;
	uint32_t str_off;	/* string, as an offset into the arena */
	uint32_t str_len;
	uint8_t tag;
	uint8_t fn;
	uint8_t has_str;
};

/*
 * Sort key: time, then index in the window.  Window order is file order
 * (held events are moved to the front in key order), so the index breaks
 * ties by file order, which keeps each thread's own order.
 */
struct ordered_key {
	uint64_t ts;
	uint64_t idx;
};

/*
 * Bounds against damaged or hostile traces: a window never holds more
 * than WINDOW_MAX events (without SYNC records it is released whole,
 * possibly out of order), and a tie is resolved by looking at no more
 * than TIE_SCAN_MAX of its events (beyond that, file order).
 */
#define WINDOW_MAX (2u << 20)
#define TIE_SCAN_MAX 512

struct ht_ordered {
	ht_reader *reader;

	struct ordered_event *win;	/* events in file order */
	size_t win_len, win_cap;
	struct ordered_key *keys;	/* the window sorted, once per SYNC */
	size_t keys_cap;
	size_t out_pos, out_end;	/* releasing keys[out_pos, out_end) */
	size_t sorted_len;		/* window length at the last sort */
	uint64_t last_sync;		/* T of the last SYNC applied */
	uint64_t held_min_ts;		/* oldest event held at the last one */
	int stale_syncs;		/* SYNCs that did not release it */
	char *error;			/* our own, beside the reader's */

	char *strings;			/* copies of event strings */
	size_t strings_len, strings_cap;
	char *old_strings;		/* arena of the window being released */

	ptr_map *live;			/* malloc family blocks */
	ptr_map *annotated;		/* heaptrail_alloc() blocks */
	uint32_t *tie_threads;		/* scratch for tie resolution */
	size_t tie_end;			/* end of the tie at out_pos, or 0 */
	int tie_several;		/* ... which spans several threads */

	int finished;			/* reader hit EOF or error */
	int failed;
};

ht_ordered *
ht_ordered_open(const char *path, char **cause)
{
	ht_reader *r = ht_reader_open(path, cause);
	ht_ordered *o;

	if (r == NULL)
		return NULL;
	o = xcalloc(1, sizeof *o);
	o->reader = r;
	o->live = ptr_map_create();
	o->annotated = ptr_map_create();
	return o;
}

void
ht_ordered_close(ht_ordered *o)
{
	if (o == NULL)
		return;
	ht_reader_close(o->reader);
	ptr_map_free(o->live);
	ptr_map_free(o->annotated);
	free(o->win);
	free(o->keys);
	free(o->strings);
	free(o->old_strings);
	free(o->error);
	free(o);
}

const char *
ht_ordered_error(const ht_ordered *o)
{
	return o->error ? o->error : ht_reader_error(o->reader);
}

ht_reader *
ht_ordered_reader(ht_ordered *o)
{
	return o->reader;
}

void
ht_ordered_each_live(ht_ordered *o, void (*fn)(uint64_t,
    const struct ptr_value *, void *), void *arg)
{
	ptr_map_each(o->live, fn, arg);
	ptr_map_each(o->annotated, fn, arg);
}

/* The map an event's block belongs to. */
static ptr_map *
ordered_map(ht_ordered *o, unsigned tag, unsigned fn)
{
	if ((tag == HT_TAG_ALLOC && fn == HT_ALLOC_ANNOTATION) ||
	    (tag == HT_TAG_FREE && fn == HT_FREE_ANNOTATION))
		return o->annotated;
	return o->live;
}

static int
ordered_cmp(const void *a, const void *b)
{
	const struct ordered_key *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Sorts the keys.  The window is a few long runs already in order (held
 * events, then each chunk of each thread), so runs are merged pairwise
 * (O(n log runs)); many short runs fall back to qsort.
 */
static void
ordered_sort(ht_ordered *o)
{
	size_t n = o->win_len, nruns = 0, i, r;
	size_t *runs;
	struct ordered_key *tmp;

	for (i = 1; i < n; i++)
		if (ordered_cmp(&o->keys[i - 1], &o->keys[i]) > 0)
			nruns++;
	nruns++;
	if (nruns > n / 64 + 16) {
		qsort(o->keys, n, sizeof *o->keys, ordered_cmp);
		return;
	}
	runs = xcalloc(nruns + 1, sizeof *runs);
	for (i = 1, r = 1; i < n; i++)
		if (ordered_cmp(&o->keys[i - 1], &o->keys[i]) > 0)
			runs[r++] = i;
	runs[nruns] = n;
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	while (nruns > 1) {
		size_t out = 0;

		for (r = 0; r + 1 < nruns; r += 2) {
			size_t a = runs[r], am = runs[r + 1], b = am,
			    bm = runs[r + 2], k = a;

			while (a < am && b < bm)
				tmp[k++] = ordered_cmp(&o->keys[b],
				    &o->keys[a]) < 0 ? o->keys[b++] :
				    o->keys[a++];
			while (a < am)
				tmp[k++] = o->keys[a++];
			while (b < bm)
				tmp[k++] = o->keys[b++];
			memcpy(o->keys + runs[r], tmp + runs[r],
			    (bm - runs[r]) * sizeof *tmp);
			runs[out++] = runs[r];
		}
		if (r < nruns)		/* an odd run out: stays as it is */
			runs[out++] = runs[r];
		runs[out] = n;
		nruns = out;
	}
	free(tmp);
	free(runs);
}

static struct ordered_event *
ordered_at(ht_ordered *o, size_t k)
{
	return &o->win[o->keys[k].idx];
}

/*
 * Event strings point into the reader's frame buffer, which the next read
 * replaces; copy them.  Offsets are stored until the window is released,
 * since the arena may move while growing.
 */
static void
ordered_keep_string(ht_ordered *o, struct ordered_event *ev, const char *str)
{
	if (o->strings_len + ev->str_len > o->strings_cap) {
		o->strings_cap = (o->strings_len + ev->str_len) * 2 + 256;
		o->strings = xrealloc(o->strings, o->strings_cap);
	}
	memcpy(o->strings + o->strings_len, str, ev->str_len);
	ev->str_off = (uint32_t)o->strings_len;
	ev->has_str = 1;
	o->strings_len += ev->str_len;
}

/*
 * Sorts the window and marks events with ts < limit for release.
 * Returns 0, or -1 when held events outlive SYNC records (the trace
 * breaks the SYNC promise; see ht_ordered_next).
 */
static int
ordered_release(ht_ordered *o, uint64_t limit)
{
	size_t i, held, fresh;

	/* Keep only what the last release held back, in key order. */
	if (o->out_end > 0) {
		struct ordered_event *kept;

		held = o->sorted_len - o->out_end;
		kept = xreallocarray(NULL, held ? held : 1, sizeof *kept);
		for (i = 0; i < held; i++)
			kept[i] = *ordered_at(o, o->out_end + i);
		/* Events read since then follow, in file order. */
		memmove(o->win + held, o->win + o->sorted_len,
		    (o->win_len - o->sorted_len) * sizeof *o->win);
		memcpy(o->win, kept, held * sizeof *kept);
		free(kept);
		o->win_len = held + (o->win_len - o->sorted_len);
		o->sorted_len = held;
		o->out_pos = o->out_end = 0;
	}
	held = o->sorted_len;
	fresh = o->win_len - held;
	if (o->keys_cap < o->win_len) {
		o->keys_cap = o->win_cap;
		o->keys = xreallocarray(o->keys, o->keys_cap, sizeof *o->keys);
	}
	for (i = 0; i < o->win_len; i++) {
		o->keys[i].ts = o->win[i].ts;
		o->keys[i].idx = i;
	}
	/*
	 * Held events are in key order already; sort only when new came, and
	 * not when all is in order anyway (one thread: chunks come in order).
	 */
	if (fresh > 0) {
		for (i = 1; i < o->win_len; i++)
			if (o->keys[i].ts < o->keys[i - 1].ts)
				break;
		if (i < o->win_len)
			ordered_sort(o);
	}
	for (i = 0; i < o->win_len && o->keys[i].ts < limit; i++)
		;
	o->out_end = i;
	o->sorted_len = o->win_len;
	o->tie_end = 0;

	/*
	 * In a good trace an event held at one SYNC is released by the
	 * next or the one after (its time is below their T); one held
	 * through three is from the future.
	 */
	if (held > 0 && o->held_min_ts >= limit && limit != UINT64_MAX) {
		if (++o->stale_syncs >= 3)
			return -1;
	} else {
		o->stale_syncs = 0;
	}
	if (o->out_end < o->win_len)
		o->held_min_ts = o->keys[o->out_end].ts;

	/*
	 * Released events keep their strings in the old arena until the
	 * next release; held events get copies in a fresh one.
	 */
	free(o->old_strings);
	o->old_strings = o->strings;
	o->strings = NULL;
	o->strings_len = o->strings_cap = 0;
	for (i = o->out_end; i < o->win_len; i++) {
		struct ordered_event *ev = ordered_at(o, i);

		if (ev->has_str)
			ordered_keep_string(o, ev, o->old_strings +
			    ev->str_off);
	}
	return 0;
}

/* Would EV make sense applied now?  (Non-block events always do.) */
static int
ordered_fits(ht_ordered *o, const struct ordered_event *ev)
{
	if (ev->tag == HT_TAG_ALLOC)
		return ptr_map_find(ordered_map(o, ev->tag, ev->fn),
		    ev->ptr) == NULL;
	if (ev->tag == HT_TAG_FREE)
		return ptr_map_find(ordered_map(o, ev->tag, ev->fn),
		    ev->ptr) != NULL;
	return 1;
}

/* Puts event REC into the window (the inverse of ordered_record). */
static void
ordered_hold(ht_ordered *o, const struct ht_record *rec)
{
	struct ordered_event *ev = &o->win[o->win_len++];

	ev->ts = rec->ts;
	ev->ptr = rec->ptr;
	ev->size = rec->size;
	ev->id = rec->id;
	ev->offset = rec->offset;
	ev->thread = rec->thread;
	ev->tag = (uint8_t)rec->tag;
	ev->fn = (uint8_t)rec->fn;
	ev->has_str = 0;
	ev->str_len = (uint32_t)rec->str_len;
	if (rec->str != NULL)
		ordered_keep_string(o, ev, rec->str);
}

/* The record an event of the window stands for. */
static void
ordered_record(const ht_ordered *o, const struct ordered_event *ev,
    struct ht_record *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->tag = ev->tag;
	rec->fn = ev->fn;
	rec->thread = ev->thread;
	rec->ts = ev->ts;
	rec->ptr = ev->ptr;
	rec->size = ev->size;
	rec->id = ev->id;
	rec->offset = ev->offset;
	if (ev->has_str) {
		rec->str = o->old_strings + ev->str_off;
		rec->str_len = ev->str_len;
	}
}

/*
 * If keys[out_pos] is in a tie of several threads, moves the event that
 * should go first to out_pos (the rest keep their order).
 */
static void
ordered_resolve_tie(ht_ordered *o)
{
	uint32_t threads[TIE_SCAN_MAX];
	size_t i, end, scan, nthreads = 0, pick = SIZE_MAX, first = o->out_pos;
	uint64_t ts = o->keys[first].ts;

	if (first >= o->tie_end) {
		/* A new tie: find where it ends, once. */
		uint32_t thread = ordered_at(o, first)->thread;

		o->tie_several = 0;
		for (end = first + 1; end < o->out_end &&
		    o->keys[end].ts == ts; end++)
			if (ordered_at(o, end)->thread != thread)
				o->tie_several = 1;
		o->tie_end = end;
	}
	if (!o->tie_several)
		return;		/* one thread: file order is its order */

	/* Candidates: each thread's first remaining event of the tie. */
	scan = o->tie_end - first < TIE_SCAN_MAX ? o->tie_end - first :
	    TIE_SCAN_MAX;
	for (i = first; i < first + scan; i++) {
		const struct ordered_event *ev = ordered_at(o, i);
		size_t k;

		for (k = 0; k < nthreads && threads[k] != ev->thread; k++)
			;
		if (k < nthreads)
			continue;	/* not this thread's next event */
		threads[nthreads++] = ev->thread;
		if (ordered_fits(o, ev)) {
			pick = i;
			break;
		}
	}
	if (pick == SIZE_MAX || pick == first)
		return;
	{
		struct ordered_key key = o->keys[pick];

		memmove(o->keys + first + 1, o->keys + first,
		    (pick - first) * sizeof *o->keys);
		o->keys[first] = key;
	}
}

/* Applies an event to the live map; fills the pairing fields. */
static void
ordered_pair(ht_ordered *o, struct ht_record *rec)
{
	struct ptr_value v;

	if (rec->tag == HT_TAG_ALLOC) {
		v.size = rec->size;
		v.ts = rec->ts;
		v.stack = rec->id > UINT32_MAX ? 0 : (uint32_t)rec->id;
		v.fn = rec->fn;
		ptr_map *map = ordered_map(o, rec->tag, rec->fn);
		struct ptr_value *old = ptr_map_find(map, rec->ptr);

		if (old != NULL) {
			/* The old block is gone unseen: say what it was. */
			rec->flags |= HT_REC_REPLACED;
			rec->replaced_size = old->size;
			rec->replaced_stack = old->stack;
		}
		ptr_map_put(map, rec->ptr, &v);
	} else if (rec->tag == HT_TAG_FREE) {
		if (ptr_map_remove(ordered_map(o, rec->tag, rec->fn),
		    rec->ptr, &v)) {
			rec->size = v.size;
			rec->id = v.stack;
			rec->alloc_ts = v.ts;
			rec->alloc_fn = v.fn;
		} else {
			rec->flags |= HT_REC_UNKNOWN_FREE;
		}
	}
}

int
ht_ordered_next(ht_ordered *o, struct ht_record *rec)
{
	int ret;

	for (;;) {
		if (o->out_pos < o->out_end) {
			if (o->out_pos < o->tie_end || (o->out_pos + 1 <
			    o->out_end && o->keys[o->out_pos + 1].ts ==
			    o->keys[o->out_pos].ts))
				ordered_resolve_tie(o);
			ordered_record(o, ordered_at(o, o->out_pos++), rec);
			ordered_pair(o, rec);
			return 1;
		}
		if (o->finished) {
			if (o->win_len > o->out_end) {
				ordered_release(o, UINT64_MAX);
				continue;
			}
			return o->failed ? -1 : 0;
		}

		ret = ht_reader_next(o->reader, rec);
		if (ret <= 0) {
			o->finished = 1;
			o->failed = ret < 0;
			continue;
		}
		if (ht_record_is_event(rec->tag)) {
			if (o->win_len == o->win_cap) {
				o->win_cap = o->win_cap ? o->win_cap * 2 : 4096;
				o->win = xreallocarray(o->win, o->win_cap,
				    sizeof *o->win);
			}
			ordered_hold(o, rec);
			if (o->win_len - o->out_end >= WINDOW_MAX &&
			    o->out_pos == o->out_end)
				ordered_release(o, UINT64_MAX);
			continue;
		}
		if (rec->tag == HT_TAG_SYNC) {
			/* A T that does not move promises nothing new. */
			if (rec->ts <= o->last_sync)
				return 1;
			o->last_sync = rec->ts;
			if (ordered_release(o, rec->ts) != 0) {
				o->error = xasprintf("%s: corrupt trace: "
				    "events dated after three SYNC records "
				    "(frame at offset %llu)",
				    ht_reader_path(o->reader),
				    (unsigned long long)rec->offset);
				o->finished = o->failed = 1;
			}
		}
		return 1;
	}
}
