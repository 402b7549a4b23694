/*
 * addr-window.h - the address windows of the trace format, shared by the
 * recorder's frame encoder and the reader, so both count the same way.
 *
 * Within one chunk (one thread's run of events), a window holds the
 * addresses pushed so far in order, each either live or popped.  A
 * back-reference k names the live entry with k live entries after it
 * (k = 0: the most recent live one).  The allocation window gets every
 * allocated address and loses one when a free refers to it; the free
 * window gets every freed address and loses one when an allocation refers
 * to it.  Counting only live entries keeps k small: freeing a block
 * usually means one of the few recently allocated blocks still held.
 *
 * A Fenwick tree over positions gives rank and select in O(log n).  No
 * allocation: the caller provides the struct (about 45 KiB).
 */
#ifndef HEAPTRAIL_ADDR_WINDOW_H
#define HEAPTRAIL_ADDR_WINDOW_H

#include <stdint.h>
#include <string.h>

/*
 * Positions a window holds; when full it starts over empty (both sides
 * do, at the same push), which keeps the tree small enough for L1.
 */
#define HT_WINDOW_POSITIONS 4096

struct ht_window {
	uint32_t n;		/* positions used, 1-based */
	uint32_t nlive;
	uint16_t tree[HT_WINDOW_POSITIONS + 1];	/* Fenwick: live counts */
	uint8_t live[HT_WINDOW_POSITIONS + 1];
	uint64_t addr[HT_WINDOW_POSITIONS + 1];
};

static inline void
ht_window_reset(struct ht_window *w)
{
	memset(w->live, 0, w->n + 1);
	memset(w->tree, 0, sizeof w->tree);
	w->n = w->nlive = 0;
}

static inline void
ht_window_add(struct ht_window *w, uint32_t pos, int delta)
{
	for (; pos <= HT_WINDOW_POSITIONS; pos += pos & -pos)
		w->tree[pos] = (uint16_t)(w->tree[pos] + delta);
}

static inline void
ht_window_push(struct ht_window *w, uint64_t addr)
{
	uint32_t pos;

	if (w->n == HT_WINDOW_POSITIONS)
		ht_window_reset(w);
	pos = ++w->n;
	w->addr[pos] = addr;
	w->live[pos] = 1;
	w->nlive++;
	ht_window_add(w, pos, 1);
}

static inline void
ht_window_pop(struct ht_window *w, uint32_t pos)
{
	w->live[pos] = 0;
	w->nlive--;
	ht_window_add(w, pos, -1);
}

/* Live entries at positions 1..pos. */
static inline uint32_t
ht_window_prefix(const struct ht_window *w, uint32_t pos)
{
	uint32_t sum = 0;

	for (; pos > 0; pos -= pos & -pos)
		sum += w->tree[pos];
	return sum;
}

/* k of a live position: how many live entries come after it. */
static inline uint32_t
ht_window_rank(const struct ht_window *w, uint32_t pos)
{
	return w->nlive - ht_window_prefix(w, pos);
}

/* The live position with K live entries after it, or 0 if none. */
static inline uint32_t
ht_window_select(const struct ht_window *w, uint64_t k)
{
	uint32_t target, pos = 0, step;

	if (k >= w->nlive)
		return 0;
	target = w->nlive - (uint32_t)k;	/* prefix count wanted */
	for (step = HT_WINDOW_POSITIONS; step > 0; step >>= 1) {
		if (pos + step <= HT_WINDOW_POSITIONS &&
		    w->tree[pos + step] < target) {
			pos += step;
			target -= w->tree[pos];
		}
	}
	return pos + 1;
}

#endif /* HEAPTRAIL_ADDR_WINDOW_H */
