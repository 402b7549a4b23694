/*
 * trace-order.c - merge the per-thread event streams into one time order
 * and pair every free with its allocation.
 *
 * The recorder writes each thread's events in chunks, so in the file a
 * thread's events can come after later events of another thread.  Two
 * promises of the format (man/heaptrail.5, "Ordering") make the merge
 * cheap:
 *  - a thread's events are in file order: each thread index gets a FIFO
 *    queue of held events, already in time order;
 *  - SYNC(T) says every event with time < T is already in the file: at
 *    each SYNC the queues are merged, oldest head first, until the oldest
 *    head is T or later; the rest wait for the next SYNC.
 * The heads are kept in a binary heap by (time, chunk), the chunk number
 * standing for file position between threads.  At the end of the file, or
 * at an error, everything held is released.
 *
 * Times have a unit (a microsecond), so events of several threads can
 * share one.  A free is stamped before the real free and an allocation
 * after the real malloc, so a free never has a later time than the
 * allocation that got its address back; at equal times the order is
 * resolved here with the live set: among the heads of that time (each
 * thread's next event), in file order, the first that makes sense (an
 * allocation of a free address, a free of a live one) goes first.  That
 * is also why pairing lives here and not in each consumer.
 *
 * Owns: the queues (lists of blocks) and their heap, copies of the strings
 * held events point to, and the live maps (malloc family, and annotated
 * blocks apart).  Memory: the events of about one SYNC period, 40 bytes
 * each (at most HELD_MAX of them: 320 MiB), plus the live blocks.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../util/ptr-map.h"
#include "../util/xmalloc.h"
#include "trace-reader.h"

/*
 * An event held in a queue: only what event records use.  A THREAD_NAME
 * or MARK keeps a copy of its string (the frame it points into is gone by
 * the time it is released): id is its index in o->strings, size its
 * length.
 */
struct held_event {
	uint64_t ts;
	uint64_t ptr;
	uint64_t size;
	uint32_t id;		/* stack id, tid, or string index */
	uint32_t chunk;
	uint8_t tag;
	uint8_t fn;
};

/* Queues are lists of blocks of events, recycled through o->spare. */
#define HELD_BLOCK_EVENTS 1024

struct held_block {
	struct held_block *next;
	struct held_event ev[HELD_BLOCK_EVENTS];
};

/* One thread's held events, oldest first. */
struct thread_queue {
	uint32_t thread;
	uint32_t heap_pos;	/* in o->heap while not empty */
	struct held_block *first, *last;
	uint32_t first_pos;	/* the head: first->ev[first_pos] */
	uint32_t last_len;	/* events used in last */
	size_t len;
	int ended;		/* its THREAD_END was released */
};

/*
 * Bounds against damaged or hostile traces, and against a writer that
 * fell behind: never more than HELD_MAX events held (when there are, the
 * oldest half is released in merged order without waiting for a SYNC: the
 * newest stay held, to merge with what comes), and a tie whose first
 * event does not fit is resolved among at most TIE_SCAN_MAX threads
 * (beyond that, file order).
 */
/* (A recorder with 1000 threads wrote 1.7-6.7 million events between two
   SYNCs: 2M, the bound before, misordered thousands of them.) */
#define HELD_MAX (8u << 20)
#define TIE_SCAN_MAX 256

struct ht_ordered {
	ht_reader *reader;
	int (*source)(void *, struct ht_event_batch *);
	void *source_arg;		/* source: NULL, or batches of */
	struct ht_event_batch batch;	/*  events, read up to */
	size_t batch_pos;		/*  batch_pos */

	ptr_map *queue_of;		/* thread + 1 -> index in queues */
	struct thread_queue **queues;	/* every queue, by index */
	size_t nqueues, queues_cap;
	uint32_t *free_slots;		/* indexes in queues now unused */
	size_t nfree_slots;
	struct thread_queue *last;	/* the queue of the last event read */
	struct held_block *spare;	/* blocks no queue uses now */
	char **strings;			/* held events' strings, by index */
	uint32_t nstrings, strings_cap;
	uint32_t *free_strings;		/* unused indexes in strings */
	uint32_t nfree_strings;

	struct thread_queue **heap;	/* non-empty queues, oldest head on top */
	size_t nheap;
	size_t held;			/* events in all queues */

	uint64_t limit;			/* release events older than this */
	size_t flood_to;		/* and while more are held than this
					   (HELD_MAX reached; else SIZE_MAX) */
	uint64_t last_sync;		/* T of the last SYNC applied */
	uint64_t stale_since;		/* T of the first of the SYNCs in a
					   row that released nothing held,
					   or 0 */
	char *error;			/* our own, beside the reader's */
	char *released_str;		/* string of the last record returned */

	ptr_map *live;			/* malloc family blocks */
	ptr_map *annotated;		/* heaptrail_alloc() blocks */

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
	o->queue_of = ptr_map_create();
	o->flood_to = SIZE_MAX;
	o->live = ptr_map_create();
	o->annotated = ptr_map_create();
	return o;
}

static void
blocks_free(struct held_block *b)
{
	while (b != NULL) {
		struct held_block *next = b->next;

		free(b);
		b = next;
	}
}

void
ht_ordered_close(ht_ordered *o)
{
	size_t i;

	if (o == NULL)
		return;
	ht_reader_close(o->reader);
	for (i = 0; i < o->nqueues; i++) {
		if (o->queues[i] != NULL) {
			blocks_free(o->queues[i]->first);
			free(o->queues[i]);
		}
	}
	blocks_free(o->spare);
	for (i = 0; i < o->nstrings; i++)
		free(o->strings[i]);
	free(o->strings);
	free(o->free_strings);
	free(o->queues);
	free(o->free_slots);
	free(o->heap);
	ptr_map_free(o->queue_of);
	ptr_map_free(o->live);
	ptr_map_free(o->annotated);
	free(o->released_str);
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
ht_ordered_set_source(ht_ordered *o, int (*next)(void *,
    struct ht_event_batch *), void *arg)
{
	o->source = next;
	o->source_arg = arg;
	memset(&o->batch, 0, sizeof o->batch);
	o->batch_pos = 0;
}

void
ht_ordered_each_live(ht_ordered *o, void (*fn)(uint64_t,
    const struct ptr_value *, void *), void *arg)
{
	ptr_map_each(o->live, fn, arg);
	ptr_map_each(o->annotated, fn, arg);
}

/* --- queues and their heap ----------------------------------------------- */

static struct held_event *
queue_front(const struct thread_queue *q)
{
	return &q->first->ev[q->first_pos];
}

/* Does queue A's head go before queue B's?  (Time, then file order.) */
static int
heap_before(const struct thread_queue *a, const struct thread_queue *b)
{
	const struct held_event *x = queue_front(a), *y = queue_front(b);

	if (x->ts != y->ts)
		return x->ts < y->ts;
	return x->chunk < y->chunk;
}

static void
heap_set(ht_ordered *o, size_t pos, struct thread_queue *q)
{
	o->heap[pos] = q;
	q->heap_pos = (uint32_t)pos;
}

static void
heap_up(ht_ordered *o, size_t pos)
{
	struct thread_queue *q = o->heap[pos];

	while (pos > 0 && heap_before(q, o->heap[(pos - 1) / 2])) {
		heap_set(o, pos, o->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	heap_set(o, pos, q);
}

static void
heap_down(ht_ordered *o, size_t pos)
{
	struct thread_queue *q = o->heap[pos];

	for (;;) {
		size_t c = 2 * pos + 1;

		if (c >= o->nheap)
			break;
		if (c + 1 < o->nheap && heap_before(o->heap[c + 1],
		    o->heap[c]))
			c++;
		if (!heap_before(o->heap[c], q))
			break;
		heap_set(o, pos, o->heap[c]);
		pos = c;
	}
	heap_set(o, pos, q);
}

/* The queue of THREAD, made on first use. */
static struct thread_queue *
queue_of(ht_ordered *o, uint32_t thread)
{
	struct ptr_value *found, v;
	struct thread_queue *q;
	uint32_t slot;

	if (o->last != NULL && o->last->thread == thread)
		return o->last;
	found = ptr_map_find(o->queue_of, (uint64_t)thread + 1);
	if (found != NULL)
		return o->last = o->queues[found->size];
	if (o->nfree_slots > 0) {
		slot = o->free_slots[--o->nfree_slots];
	} else {
		if (o->nqueues == o->queues_cap) {
			o->queues_cap = o->queues_cap ? o->queues_cap * 2 : 16;
			o->queues = xreallocarray(o->queues, o->queues_cap,
			    sizeof *o->queues);
			/* Room for every queue in the heap. */
			o->heap = xreallocarray(o->heap, o->queues_cap,
			    sizeof *o->heap);
			o->free_slots = xreallocarray(o->free_slots,
			    o->queues_cap, sizeof *o->free_slots);
		}
		slot = (uint32_t)o->nqueues++;
	}
	q = xcalloc(1, sizeof *q);
	q->thread = thread;
	o->queues[slot] = q;
	memset(&v, 0, sizeof v);
	v.size = slot;
	ptr_map_put(o->queue_of, (uint64_t)thread + 1, &v);
	return o->last = q;
}

/* Forgets the queue of a thread that ended, once it is empty. */
static void
queue_retire(ht_ordered *o, struct thread_queue *q)
{
	struct ptr_value v;

	if (!ptr_map_remove(o->queue_of, (uint64_t)q->thread + 1, &v))
		return;
	o->queues[v.size] = NULL;
	o->free_slots[o->nfree_slots++] = (uint32_t)v.size;
	if (o->last == q)
		o->last = NULL;
	if (q->first != NULL) {		/* its one block, emptied */
		q->first->next = o->spare;
		o->spare = q->first;
	}
	free(q);
}

/* Keeps a copy of a held event's string; returns its index. */
static uint32_t
string_keep(ht_ordered *o, const char *str, size_t len)
{
	uint32_t i;

	if (o->nfree_strings > 0) {
		i = o->free_strings[--o->nfree_strings];
	} else {
		if (o->nstrings == o->strings_cap) {
			o->strings_cap = o->strings_cap ? o->strings_cap * 2 :
			    16;
			o->strings = xreallocarray(o->strings, o->strings_cap,
			    sizeof *o->strings);
			o->free_strings = xreallocarray(o->free_strings,
			    o->strings_cap, sizeof *o->free_strings);
		}
		i = o->nstrings++;
	}
	o->strings[i] = xmalloc(len + 1);
	memcpy(o->strings[i], str, len);
	o->strings[i][len] = '\0';
	return i;
}

/* Takes string I out of the table; the caller frees it. */
static char *
string_take(ht_ordered *o, uint32_t i)
{
	char *str = o->strings[i];

	o->strings[i] = NULL;
	o->free_strings[o->nfree_strings++] = i;
	return str;
}

static int
has_string(unsigned tag)
{
	return tag == HT_TAG_THREAD_NAME || tag == HT_TAG_MARK;
}

/*
 * A new slot at the end of THREAD's queue, for an event to hold; the
 * caller fills it and then calls hold_done.
 */
static struct held_event *
hold_slot(ht_ordered *o, uint32_t thread, struct thread_queue **qp)
{
	struct thread_queue *q = queue_of(o, thread);

	if (q->last == NULL || q->last_len == HELD_BLOCK_EVENTS) {
		struct held_block *b = o->spare;

		if (b != NULL)
			o->spare = b->next;
		else
			b = xmalloc(sizeof *b);
		b->next = NULL;
		if (q->last != NULL)
			q->last->next = b;
		else
			q->first = b;
		q->last = b;
		q->last_len = 0;
	}
	*qp = q;
	return &q->last->ev[q->last_len++];
}

/* The slot of queue Q filled: one more held. */
static void
hold_done(ht_ordered *o, struct thread_queue *q)
{
	o->held++;
	if (q->len++ == 0) {
		o->heap[o->nheap] = q;
		heap_up(o, o->nheap++);
	}
}

/* Appends event EV to its thread's queue. */
static void
ordered_hold_event(ht_ordered *o, const struct ht_event *ev)
{
	struct thread_queue *q;
	struct held_event *h = hold_slot(o, ev->thread, &q);

	h->ts = ev->ts;
	h->ptr = ev->ptr;
	h->size = ev->size;
	h->id = ev->id;
	h->chunk = ev->chunk;
	h->tag = ev->tag;
	h->fn = ev->fn;
	hold_done(o, q);
}

/* Appends an event that came as record REC (the inverse of pop). */
static void
ordered_hold_record(ht_ordered *o, const struct ht_record *rec)
{
	struct ht_event ev;

	ht_event_of_record(&ev, rec);
	/* Stack ids past 32 bits are damage: no stack (id 0). */
	if (rec->id > UINT32_MAX)
		ev.id = 0;
	if (has_string(rec->tag)) {
		ev.id = string_keep(o, rec->str ? rec->str : "",
		    rec->str_len);
		ev.size = rec->str_len;
	}
	ordered_hold_event(o, &ev);
}

static void ordered_pair(ht_ordered *o, const struct held_event *h,
    struct ht_event *ev, struct ht_record *rec);

/*
 * Takes the head of queue Q into *ev, paired (ordered_pair), or into *rec
 * as ht_ordered_next_event does; a record's string stays valid until the
 * next call.
 */
static void
ordered_pop(ht_ordered *o, struct thread_queue *q, struct ht_event *ev,
    struct ht_record *rec)
{
	struct held_event *h = queue_front(q);

	if (h->tag == HT_TAG_ALLOC || h->tag == HT_TAG_FREE) {
		ev->ts = h->ts;
		ev->ptr = h->ptr;
		ev->size = h->size;
		ev->alloc_ts = 0;
		ev->id = h->id;
		ev->thread = q->thread;
		ev->chunk = h->chunk;
		ev->tag = h->tag;
		ev->fn = h->fn;
		ev->flags = ev->alloc_fn = 0;
		ordered_pair(o, h, ev, rec);
	} else {
		ev->tag = HT_EVENT_RECORD;
		ht_record_clear_event(rec);
		rec->tag = h->tag;
		rec->fn = h->fn;
		rec->thread = q->thread;
		rec->chunk = h->chunk;
		rec->ts = h->ts;
		rec->ptr = h->ptr;
		rec->size = h->size;
		rec->id = h->id;
		if (has_string(h->tag)) {
			rec->id = rec->size = 0;
			rec->str = o->released_str = string_take(o, h->id);
			rec->str_len = h->size;
		}
		if (h->tag == HT_TAG_THREAD_END)
			q->ended = 1;
	}

	if (++q->first_pos == HELD_BLOCK_EVENTS) {
		struct held_block *b = q->first;

		q->first = b->next;
		q->first_pos = 0;
		b->next = o->spare;
		o->spare = b;
		if (q->first == NULL)
			q->last = NULL;
	}
	o->held--;
	if (--q->len > 0) {
		if (o->nheap > 1)
			heap_down(o, q->heap_pos);
		return;
	}
	/* Empty: start its one block over. */
	q->first_pos = q->last_len = 0;
	/* Empty: out of the heap (the last entry takes its place). */
	{
		size_t pos = q->heap_pos;

		o->nheap--;
		if (pos < o->nheap) {
			struct thread_queue *moved = o->heap[o->nheap];

			heap_set(o, pos, moved);
			heap_down(o, pos);
			heap_up(o, moved->heap_pos);
		}
	}
	if (q->ended)
		queue_retire(o, q);
}

/* --- tie resolution and pairing ------------------------------------------ */

/* The map an event's block belongs to. */
static ptr_map *
ordered_map(ht_ordered *o, unsigned tag, unsigned fn)
{
	if ((tag == HT_TAG_ALLOC && fn == HT_ALLOC_ANNOTATION) ||
	    (tag == HT_TAG_FREE && fn == HT_FREE_ANNOTATION))
		return o->annotated;
	return o->live;
}

/* Would EV make sense applied now?  (Non-block events always do.) */
static int
ordered_fits(ht_ordered *o, const struct held_event *ev)
{
	if (ev->tag == HT_TAG_ALLOC)
		return ptr_map_find(ordered_map(o, ev->tag, ev->fn),
		    ev->ptr) == NULL;
	if (ev->tag == HT_TAG_FREE)
		return ptr_map_find(ordered_map(o, ev->tag, ev->fn),
		    ev->ptr) != NULL;
	return 1;
}

/*
 * Does queue Q, within its events at its head's time, have an event like
 * EV (same kind, same address) directly followed, among its events on
 * that address, by the opposite one (it frees the address and allocates
 * it again, or allocates and frees it)?  Then Q must get there before any
 * other thread's EV-like event at that time: the other one needs the
 * state the pair leaves.  (Two threads freeing P in one microsecond, the
 * first of them having allocated it again in between, would otherwise be
 * taken in file order and look like an unknown free.)  Looks at most
 * TIE_LOOKAHEAD events ahead.
 */
#define TIE_LOOKAHEAD 32

static int
queue_reuses_address(ht_ordered *o, const struct thread_queue *q,
    const struct held_event *ev)
{
	ptr_map *map = ordered_map(o, ev->tag, ev->fn);
	const struct held_block *b = q->first;
	uint64_t ts = queue_front(q)->ts;
	uint32_t pos = q->first_pos, seen = 0;
	int found = 0;

	if (ev->tag != HT_TAG_ALLOC && ev->tag != HT_TAG_FREE)
		return 0;
	for (;;) {
		const struct held_event *e;

		if (b == NULL || (b == q->last && pos >= q->last_len) ||
		    seen++ == TIE_LOOKAHEAD)
			return 0;
		e = &b->ev[pos];
		if (e->ts != ts)
			return 0;
		if ((e->tag == HT_TAG_ALLOC || e->tag == HT_TAG_FREE) &&
		    e->ptr == ev->ptr && ordered_map(o, e->tag, e->fn) == map) {
			if (found)
				return e->tag != ev->tag;
			if (e->tag != ev->tag)
				return 0;	/* the opposite comes first */
			found = 1;
		}
		if (++pos == HELD_BLOCK_EVENTS) {
			b = b->next;
			pos = 0;
		}
	}
}

/*
 * Among the heap entries at POS and below whose head has TOP's time, the
 * first in file order whose head makes sense now and whose events at that
 * time reuse TOP's address (queue_reuses_address), into *BEST.  Not
 * bounded like tie_collect: missing a candidate here misorders the trace.
 */
static void
tie_same_address(ht_ordered *o, size_t pos, struct thread_queue *top,
    struct thread_queue **best)
{
	const struct held_event *t = queue_front(top), *h;
	struct thread_queue *q;

	if (pos >= o->nheap || (h = queue_front(q = o->heap[pos]))->ts !=
	    t->ts)
		return;
	/* Its head goes first (if it fits) so that it gets to the pair. */
	if (q != top && (*best == NULL || h->chunk <
	    queue_front(*best)->chunk) && ordered_fits(o, h) &&
	    queue_reuses_address(o, q, t))
		*best = q;
	tie_same_address(o, 2 * pos + 1, top, best);
	tie_same_address(o, 2 * pos + 2, top, best);
}

/* Collects the heap entries at POS and below whose head has time TS. */
static void
tie_collect(ht_ordered *o, size_t pos, uint64_t ts,
    struct thread_queue **tie, size_t *n)
{
	if (pos >= o->nheap || *n == TIE_SCAN_MAX ||
	    queue_front(o->heap[pos])->ts != ts)
		return;
	tie[(*n)++] = o->heap[pos];
	tie_collect(o, 2 * pos + 1, ts, tie, n);
	tie_collect(o, 2 * pos + 2, ts, tie, n);
}

/*
 * The queue whose head goes next: the heap's top, unless other threads'
 * heads have the same time.  Then, if the top makes sense now: the top,
 * unless a tied thread must first get to a pair of events reusing the
 * top's address (tie_same_address).  If it does not: in file order, the
 * first head that makes sense now and reuses its address, else the first
 * head that makes sense now, else the top.
 */
static struct thread_queue *
ordered_choose(ht_ordered *o)
{
	struct thread_queue *top = o->heap[0], *tie[TIE_SCAN_MAX];
	uint64_t ts = queue_front(top)->ts;
	size_t n = 0, i, j;
	int top_fits;

	if ((o->nheap < 2 || queue_front(o->heap[1])->ts != ts) &&
	    (o->nheap < 3 || queue_front(o->heap[2])->ts != ts))
		return top;
	top_fits = ordered_fits(o, queue_front(top));
	if (top_fits && queue_front(top)->tag != HT_TAG_ALLOC &&
	    queue_front(top)->tag != HT_TAG_FREE)
		return top;
	if (top_fits) {
		/* Only another event on the same address that reuses it can
		   go first (see queue_reuses_address). */
		struct thread_queue *best = NULL;

		if (queue_reuses_address(o, top, queue_front(top)))
			return top;
		tie_same_address(o, 0, top, &best);
		return best != NULL ? best : top;
	}
	tie_collect(o, 0, ts, tie, &n);
	/* File order: insertion sort by chunk (ties are short). */
	for (i = 1; i < n; i++) {
		struct thread_queue *q = tie[i];

		for (j = i; j > 0 && queue_front(tie[j - 1])->chunk >
		    queue_front(q)->chunk; j--)
			tie[j] = tie[j - 1];
		tie[j] = q;
	}
	for (i = 0; i < n; i++)
		if (ordered_fits(o, queue_front(tie[i])) &&
		    queue_reuses_address(o, tie[i],
		    queue_front(tie[i])))
			return tie[i];
	for (i = 0; i < n; i++)
		if (ordered_fits(o, queue_front(tie[i])))
			return tie[i];
	return top;
}

/*
 * Applies held allocation or free H to the live map; fills the pairing
 * fields of EV, the event it was just copied to (an allocation that
 * replaces a live block becomes record REC, with HT_REC_REPLACED).
 * (Read from H, not from EV just written: a load spanning two fresh
 * stores stalls.)
 */
static void
ordered_pair(ht_ordered *o, const struct held_event *h,
    struct ht_event *ev, struct ht_record *rec)
{
	struct ptr_value v, *slot;
	int added;

	if (h->tag == HT_TAG_ALLOC) {
		v.size = h->size;
		v.ts = h->ts;
		v.stack = h->id;
		v.fn = h->fn;
		slot = ptr_map_slot(ordered_map(o, h->tag, h->fn), h->ptr,
		    &added);
		if (slot == NULL)
			return;		/* address 0: not a block */
		if (!added) {
			/* The old block is gone unseen: say what it was. */
			ht_record_of_event(rec, ev);
			rec->flags |= HT_REC_REPLACED;
			rec->replaced_size = slot->size;
			rec->replaced_stack = slot->stack;
			rec->replaced_ts = slot->ts;
			ev->tag = HT_EVENT_RECORD;
		}
		*slot = v;
	} else {
		if (ptr_map_remove(ordered_map(o, h->tag, h->fn), h->ptr,
		    &v)) {
			ev->size = v.size;
			ev->id = (uint32_t)v.stack;
			ev->alloc_ts = v.ts;
			ev->alloc_fn = (uint8_t)v.fn;
		} else {
			ev->flags = HT_REC_UNKNOWN_FREE;
		}
	}
}

/* --- the merge ----------------------------------------------------------- */

/*
 * How long SYNC records may go on releasing nothing while events are
 * held.  In a good trace an event waits in its thread's buffer for a sync
 * period or so (man/heaptrail.5, "Ordering"), or as long as a realloc()
 * of another thread is in flight; events still held after SYNCs this much
 * later are dated in the future: damage.
 */
#define STALE_NS 10000000000ull

/*
 * A SYNC(T) with T above the last: release what is older.  Returns -1
 * when held events outlive SYNC records (STALE_NS).
 */
static int
ordered_sync(ht_ordered *o, uint64_t t)
{
	o->last_sync = t;
	o->limit = t;
	if (o->nheap > 0 && queue_front(o->heap[0])->ts >= t) {
		if (o->stale_since == 0)
			o->stale_since = t;
		else if (t - o->stale_since > STALE_NS)
			return -1;
	} else {
		o->stale_since = 0;
	}
	return 0;
}

int
ht_ordered_next(ht_ordered *o, struct ht_record *rec)
{
	struct ht_event ev;
	int ret = ht_ordered_next_event(o, &ev, rec);

	if (ret > 0 && ev.tag != HT_EVENT_RECORD)
		ht_record_of_event(rec, &ev);
	return ret;
}

int
ht_ordered_next_event(ht_ordered *o, struct ht_event *ev,
    struct ht_record *rec)
{
	struct ht_event read;
	const struct ht_event *in;
	const struct ht_record *in_rec = NULL;
	int ret;

	if (o->released_str != NULL) {
		free(o->released_str);
		o->released_str = NULL;
	}
	for (;;) {
		if (o->nheap > 0 && (queue_front(o->heap[0])->ts < o->limit ||
		    o->held > o->flood_to)) {
			/* One thread holding events: no ties to resolve. */
			ordered_pop(o, o->nheap == 1 ? o->heap[0] :
			    ordered_choose(o), ev, rec);
			return 1;
		}
		o->flood_to = SIZE_MAX;		/* the oldest half released */
		if (o->finished) {
			if (o->held > 0) {
				o->limit = UINT64_MAX;
				continue;
			}
			return o->failed ? -1 : 0;
		}

		if (o->source != NULL) {
			ret = 1;
			if (o->batch_pos == o->batch.n) {
				ret = o->source(o->source_arg, &o->batch);
				o->batch_pos = 0;
			}
			in = ret > 0 ? &o->batch.ev[o->batch_pos++] : NULL;
			if (in != NULL && in->tag == HT_EVENT_RECORD)
				in_rec = &o->batch.records[in->id];
		} else {
			ret = ht_reader_next_event(o->reader, &read, rec);
			in = &read;
			in_rec = rec;
		}
		if (ret <= 0) {
			o->finished = 1;
			o->failed = ret < 0;
			continue;
		}
		if (in->tag != HT_EVENT_RECORD || ht_record_is_event(
		    in_rec->tag)) {
			if (in->tag != HT_EVENT_RECORD)
				ordered_hold_event(o, in);
			else
				ordered_hold_record(o, in_rec);
			if (o->held >= HELD_MAX)
				o->flood_to = HELD_MAX / 2;
			continue;
		}
		ev->tag = HT_EVENT_RECORD;
		if (in_rec != rec)
			*rec = *in_rec;	/* a definition or a SYNC: rare */
		if (rec->tag == HT_TAG_SYNC) {
			/* A T that does not move promises nothing new. */
			if (rec->ts <= o->last_sync)
				return 1;
			if (ordered_sync(o, rec->ts) != 0) {
				o->error = xasprintf("%s: corrupt trace: "
				    "events dated after SYNC records 10 s "
				    "later "
				    "(frame at offset %llu)",
				    ht_reader_path(o->reader),
				    (unsigned long long)rec->offset);
				o->finished = o->failed = 1;
			}
		}
		return 1;
	}
}
