/*
 * addr-window.h - the address windows of the trace format, shared by the
 * recorder's frame encoder and the reader, so both count the same way.
 *
 * Within one chunk (one thread's run of events; from format version 4,
 * the chunks of one thread that follow each other in a frame), a window
 * holds the addresses pushed so far in order, each either live or popped.  A
 * back-reference k names the live entry with k live entries after it
 * (k = 0: the most recent live one).  The allocation window gets every
 * allocated address and loses one when a free refers to it; the free
 * window gets every freed address and loses one when an allocation refers
 * to it.  Counting only live entries keeps k small: freeing a block
 * usually means one of the few recently allocated blocks still held.
 *
 * Live entries are bits of a bitset over positions, with a count of the
 * live bits of each word: rank adds the counts of the words after a
 * position, select walks the counts back from the end (k is usually
 * small, so one or two words), and only the word it ends in needs a
 * popcount (a dozen instructions without -mpopcnt).
 *
 * Each entry also has a size class (ht_size_class; 0: not known), and
 * the entries of a class are linked newest first, so that "the newest
 * live entry of class c" is found without a rank.  Allocators hand out
 * the block of a size class freed last (glibc's tcache, jemalloc's and
 * tcmalloc's caches are LIFO per class), so an allocation usually gets
 * the newest live freed address of its own class (format version 3).
 *
 * No allocation: the caller provides the struct (about 108 KiB).
 */
#ifndef HEAPTRAIL_ADDR_WINDOW_H
#define HEAPTRAIL_ADDR_WINDOW_H

#include <stdint.h>
#include <string.h>

/*
 * Positions a window holds; when full it starts over (both sides do, at
 * the same push), which keeps rank and select short: empty in format
 * versions 1 to 3, with its newest HT_WINDOW_KEEP live entries (in order)
 * from version 4, so that the blocks a program is about to free, and the
 * addresses its allocator is about to hand out again, are still found
 * (a program that holds a few thousand blocks and frees them in any
 * order, bench/random-free.c: 10% smaller traces than with 4096 and 1024).
 * Versions 1 to 3 hold HT_WINDOW_POSITIONS_V3.
 */
#define HT_WINDOW_POSITIONS 8192
#define HT_WINDOW_POSITIONS_V3 4096
#define HT_WINDOW_KEEP 4096
/* A window that kept KEEP entries must have room for the next push. */
_Static_assert(HT_WINDOW_KEEP < HT_WINDOW_POSITIONS, "window keeps too many");

#define HT_WINDOW_WORDS (HT_WINDOW_POSITIONS / 64)
/* Words counted together, so rank and select step over 8 at a time. */
#define HT_WINDOW_GROUP 8
#define HT_WINDOW_GROUPS (HT_WINDOW_WORDS / HT_WINDOW_GROUP)

#define HT_SIZE_CLASSES 128

struct ht_window {
	uint32_t n;		/* positions used, 1-based */
	uint32_t nlive;
	uint32_t cap;		/* positions: HT_WINDOW_POSITIONS_V3 or
				   HT_WINDOW_POSITIONS; set by the owner */
	uint32_t keep;		/* live entries kept when full: 0 (versions
				   1-3) or HT_WINDOW_KEEP; set by the owner */
	uint32_t restarts;	/* times it was full (for the encoder's
				   cache of positions) */
	uint64_t live[HT_WINDOW_WORDS + 1];	/* bit p: position p live */
	uint8_t word_live[HT_WINDOW_WORDS + 1];	/* set bits of each */
	uint16_t group_live[HT_WINDOW_GROUPS + 1];	/* of each group */
	uint64_t addr[HT_WINDOW_POSITIONS + 1];
	uint32_t newest[HT_SIZE_CLASSES];	/* per class: a position
						   at or above its newest
						   live entry, or 0 */
	uint32_t older[HT_WINDOW_POSITIONS + 1];	/* same class */
	uint8_t size_class[HT_WINDOW_POSITIONS + 1];
};

/*
 * The size class of an allocation of SIZE bytes, 1 to 119: glibc's
 * chunk sizes (16-byte steps) up to its tcache's largest, then powers of
 * two.
 */
static inline uint32_t
ht_size_class(uint64_t size)
{
	if (size <= 1032)
		return (uint32_t)((size + 23) >> 4);
	return 56 + (uint32_t)(63 - __builtin_clzll(size));
}

/* Bits set in V (inline: without -mpopcnt the builtin is a call). */
static inline uint32_t
ht_popcount(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (uint32_t)((v * 0x0101010101010101ull) >> 56);
}

static inline int
ht_window_is_live(const struct ht_window *w, uint32_t pos)
{
	return (int)(w->live[pos / 64] >> (pos % 64)) & 1;
}

static inline void
ht_window_reset(struct ht_window *w)
{
	memset(w->live, 0, (w->n / 64 + 1) * sizeof w->live[0]);
	memset(w->word_live, 0, (w->n / 64 + 1) * sizeof w->word_live[0]);
	memset(w->group_live, 0, (w->n / 64 / HT_WINDOW_GROUP + 1) *
	    sizeof w->group_live[0]);
	memset(w->newest, 0, sizeof w->newest);
	w->n = w->nlive = 0;
}

/* Links position POS, just filled, as live and the newest of its class. */
static inline void
ht_window_link(struct ht_window *w, uint32_t pos)
{
	uint32_t cls = w->size_class[pos];

	w->live[pos / 64] |= 1ull << (pos % 64);
	w->word_live[pos / 64]++;
	w->group_live[pos / 64 / HT_WINDOW_GROUP]++;
	w->nlive++;
	w->older[pos] = w->newest[cls];
	w->newest[cls] = pos;
}

/*
 * A full window starts over with its newest KEEP live entries, moved down
 * to positions 1, 2, ... in their order (in place: an entry never moves
 * up), classes linked again.
 */
static inline void
ht_window_compact(struct ht_window *w)
{
	uint32_t pos, n = w->n, kept = 0;
	uint32_t skip = w->nlive > w->keep ? w->nlive - w->keep : 0;

	for (pos = 1; pos <= n; pos++) {
		if (!ht_window_is_live(w, pos))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		kept++;
		w->addr[kept] = w->addr[pos];
		w->size_class[kept] = w->size_class[pos];
	}
	ht_window_reset(w);
	for (pos = 1; pos <= kept; pos++)
		ht_window_link(w, pos);
	w->n = kept;
}

/* Adds ADDR of size class CLS (0: not known) as the newest entry. */
static inline void
ht_window_push(struct ht_window *w, uint64_t addr, uint32_t cls)
{
	uint32_t pos;

	if (w->n >= w->cap) {
		w->restarts++;
		if (w->keep > 0)
			ht_window_compact(w);
		else
			ht_window_reset(w);
	}
	pos = ++w->n;
	w->addr[pos] = addr;
	w->size_class[pos] = (uint8_t)cls;
	ht_window_link(w, pos);
}

/*
 * The newest live position of class CLS, or 0.  Entries passed over are
 * popped ones, which never come back: the class's start moves past them.
 */
static inline uint32_t
ht_window_newest(struct ht_window *w, uint32_t cls)
{
	uint32_t pos = w->newest[cls];

	while (pos != 0 && !((w->live[pos / 64] >> (pos % 64)) & 1))
		pos = w->older[pos];
	w->newest[cls] = pos;
	return pos;
}

/*
 * The live entry of class CLS with R live entries of that class after it
 * (R = 0: the newest), or 0 if there is none.
 */
static inline uint32_t
ht_window_class_select(struct ht_window *w, uint32_t cls, uint64_t r)
{
	uint32_t pos = ht_window_newest(w, cls);

	for (; pos != 0; pos = w->older[pos]) {
		if (!ht_window_is_live(w, pos))
			continue;
		if (r == 0)
			return pos;
		r--;
	}
	return 0;
}

/*
 * How many live entries of its class come after live position POS, if
 * POS is among the first MAX entries (live or popped) of its class's
 * list from the newest; else -1.
 */
static inline int64_t
ht_window_class_rank(struct ht_window *w, uint32_t pos, uint32_t max)
{
	uint32_t p = ht_window_newest(w, w->size_class[pos]);
	int64_t r = 0;

	for (; p != 0 && max > 0; p = w->older[p], max--) {
		if (p == pos)
			return r;
		r += ht_window_is_live(w, p);
	}
	return -1;
}

static inline void
ht_window_pop(struct ht_window *w, uint32_t pos)
{
	w->live[pos / 64] &= ~(1ull << (pos % 64));
	w->word_live[pos / 64]--;
	w->group_live[pos / 64 / HT_WINDOW_GROUP]--;
	w->nlive--;
}

/* k of a live position: how many live entries come after it. */
static inline uint32_t
ht_window_rank(const struct ht_window *w, uint32_t pos)
{
	uint32_t word = pos / 64, last = w->n / 64, k;

	uint32_t group = word / HT_WINDOW_GROUP;
	uint32_t group_end = (group + 1) * HT_WINDOW_GROUP;

	/* Bits above pos in its word, the words after it in its group, then
	   whole groups up to n (positions past n are never live). */
	k = ht_popcount(w->live[word] &
	    (pos % 64 == 63 ? 0 : ~0ull << (pos % 64 + 1)));
	while (++word < group_end && word <= last)
		k += w->word_live[word];
	while (++group <= last / HT_WINDOW_GROUP)
		k += w->group_live[group];
	return k;
}

/*
 * The position of the set bit of WORD with R set bits below it (R less
 * than the word's popcount), without a loop over bits: per-byte counts
 * summed into prefix counts pick the byte, a short loop the bit in it.
 */
static inline uint32_t
ht_select_in_word(uint64_t word, uint32_t r)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t v, prefix, below;
	uint32_t byte, bits;

	v = word - ((word >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	prefix = v * ones;	/* byte i: set bits in bytes 0..i */
	/* Bytes whose prefix count is <= r come before the one wanted
	   (every prefix is < 128, so 0x80 + r - prefix does not borrow). */
	below = ((r * ones) | (0x80 * ones)) - prefix;
	byte = ht_popcount(below & (0x80 * ones));
	r -= (uint32_t)((prefix << 8) >> (byte * 8)) & 0xff;
	bits = (uint32_t)(word >> (byte * 8)) & 0xff;
	while (r-- > 0)
		bits &= bits - 1;
	return byte * 8 + (uint32_t)__builtin_ctz(bits);
}

/* The live position with K live entries after it, or 0 if none. */
static inline uint32_t
ht_window_select(const struct ht_window *w, uint64_t k)
{
	uint32_t word, c, group, last = w->n / 64;

	if (k >= w->nlive)
		return 0;
	/* The group it is in, from the top; then the word in the group. */
	for (group = last / HT_WINDOW_GROUP; group > 0 &&
	    k >= w->group_live[group]; group--)
		k -= w->group_live[group];
	word = (group + 1) * HT_WINDOW_GROUP;
	if (word > last + 1)
		word = last + 1;
	while (word-- > group * HT_WINDOW_GROUP) {
		c = w->word_live[word];
		if (k >= c) {
			k -= c;
			continue;
		}
		/* The (k+1)-th set bit from the top of this word. */
		return word * 64 + ht_select_in_word(w->live[word],
		    c - 1 - (uint32_t)k);
	}
	return 0;
}

#endif /* HEAPTRAIL_ADDR_WINDOW_H */
