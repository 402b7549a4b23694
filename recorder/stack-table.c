/*
 * stack-table.c - unwind the caller and give each distinct stack a small id.
 *
 * A stack is written to the trace once (a STACK record in the definitions
 * buffer) and events name it by id.  The table is an open-addressing hash
 * of entry indexes: lookups are lock-free (acquire loads of published
 * slots), insertions are serialized by the definitions lock, which they
 * hold anyway to write the STACK record; a slot is published only after
 * its record is in the definitions buffer, so any thread that finds the id
 * appends its event after the definition.
 *
 * Memory is bounded: at most STACK_ENTRIES stacks and STACK_FRAMES frames
 * are kept (mapped lazily, so only what is used counts).  Once either is
 * full, new stacks are still written, each time with a fresh id, just no
 * longer deduplicated (and each such event takes the definitions lock).
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <string.h>

#include "recorder.h"

#define STACK_SLOTS (1u << 20)		/* power of two */
#define STACK_ENTRIES (1u << 19)
/* Room for every entry at the default depth: 256 MiB of address space,
   touched only as stacks come (a smaller map if that is refused). */
#define STACK_FRAMES (1u << 25)
#define STACK_FRAMES_SMALL (1u << 21)

struct stack_entry {
	uint64_t hash;
	uint64_t id;
	uint32_t frames;	/* offset into stack_frames */
	uint32_t n;
	uint32_t gen;		/* stack_gen when it was defined */
};

/*
 * Bumped when a module is unloaded: its addresses may come back as
 * another object's code, so stacks seen before are defined again (new
 * ids, after the new module's definition) instead of reused.
 */
static _Atomic uint32_t stack_gen;

static _Atomic uint32_t *stack_slots;	/* entry index + 1, or 0 */
static struct stack_entry *stack_entries;
static uintptr_t *stack_frames;
static uint32_t frames_cap;
/* protected by the definitions lock: */
static uint32_t entries_used, frames_used;
static uint64_t next_stack_id = 1;

uintptr_t rec_self_lo, rec_self_hi;	/* our own code (recorder.h) */

void
stack_table_init(uintptr_t lo, uintptr_t hi)
{
	rec_self_lo = lo;
	rec_self_hi = hi;
	stack_slots = rec_map(sizeof(*stack_slots) * STACK_SLOTS);
	stack_entries = rec_map(sizeof(*stack_entries) * STACK_ENTRIES);
	frames_cap = STACK_FRAMES;
	stack_frames = rec_map(sizeof(*stack_frames) * frames_cap);
	if (stack_frames == NULL) {
		frames_cap = STACK_FRAMES_SMALL;
		stack_frames = rec_map(sizeof(*stack_frames) * frames_cap);
	}
	if (stack_slots == NULL || stack_entries == NULL ||
	    stack_frames == NULL)
		frames_cap = 0;		/* no dedup: every stack written */
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

static uint64_t
stack_hash(const uintptr_t *f, int n)
{
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < n; i++) {
		h ^= f[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

static int
stack_equal(const struct stack_entry *e, uint64_t h, const uintptr_t *f,
    int n)
{
	return e->hash == h && e->n == (uint32_t)n &&
	    memcmp(stack_frames + e->frames, f, (size_t)n * sizeof *f) == 0;
}

/* Returns the id, or 0 when the probe reached an empty slot at *slot. */
static uint64_t
stack_find(uint64_t h, const uintptr_t *f, int n, uint32_t *slot)
{
	uint32_t i = (uint32_t)h & (STACK_SLOTS - 1);
	uint32_t probes;

	if (frames_cap == 0) {
		*slot = UINT32_MAX;
		return 0;
	}

	for (probes = 0; probes < STACK_SLOTS; probes++) {
		uint32_t e = atomic_load_explicit(&stack_slots[i],
		    memory_order_acquire);

		if (e == 0) {
			*slot = i;
			return 0;
		}
		if (stack_equal(&stack_entries[e - 1], h, f, n) &&
		    stack_entries[e - 1].gen == atomic_load_explicit(
		    &stack_gen, memory_order_relaxed))
			return stack_entries[e - 1].id;
		i = (i + 1) & (STACK_SLOTS - 1);
	}
	*slot = UINT32_MAX;
	return 0;
}

static uint64_t
stack_define(uint64_t h, const uintptr_t *f, int n)
{
	uint8_t *p, *start;
	uint64_t id;
	uint32_t slot;
	uintptr_t prev = 0;
	int i;

	start = p = defs_reserve(1 + 2 * HT_VARINT_MAX +
	    (size_t)n * HT_VARINT_MAX);
	if (p == NULL)
		return 0;
	/* Another thread may have defined it since our lock-free look. */
	id = stack_find(h, f, n, &slot);
	if (id != 0) {
		defs_commit(start);
		return id;
	}
	id = next_stack_id++;
	*p++ = HT_TAG_STACK;
	p = ht_put_varint(p, id);
	p = ht_put_varint(p, (uint64_t)n);
	for (i = 0; i < n; i++) {
		p = ht_put_svarint(p, (int64_t)(f[i] - prev));
		prev = f[i];
	}
	if (slot != UINT32_MAX && entries_used < STACK_ENTRIES &&
	    frames_used + (uint32_t)n <= frames_cap &&
	    entries_used < STACK_SLOTS / 2) {
		struct stack_entry *e = &stack_entries[entries_used];

		e->hash = h;
		e->id = id;
		e->gen = atomic_load_explicit(&stack_gen, memory_order_relaxed);
		e->frames = frames_used;
		e->n = (uint32_t)n;
		memcpy(stack_frames + frames_used, f, (size_t)n * sizeof *f);
		frames_used += (uint32_t)n;
		entries_used++;
		atomic_store_explicit(&stack_slots[slot], entries_used,
		    memory_order_release);
	}
	defs_commit(p);
	return id;
}

void
stack_table_forget(void)
{
	atomic_fetch_add(&stack_gen, 1);
	unwind_forget();	/* its rules and remembered ids too */
}

/* In a fork child: every stack is defined again, numbered from 1. */
void
stack_table_after_fork(void)
{
	stack_table_forget();
	next_stack_id = 1;
}

/*
 * Our frames further out are left out too: the program's main is called
 * through ours (hooks.c, work_main), and so are what dlclose and exit call
 * back (destructors, atexit handlers).  They are squeezed out of RAW.
 */
int
stack_program_frames(void **raw, int n, void ***start)
{
	int skip = 0, i, kept;

	while (skip < n && rec_is_own((uintptr_t)raw[skip]))
		skip++;
	*start = raw + skip;
	for (i = kept = skip; i < n; i++)
		if (!rec_is_own((uintptr_t)raw[i]))
			raw[kept++] = raw[i];
	n = kept - skip;
	return n < rec_config.depth ? n : rec_config.depth;
}

uint64_t
stack_intern(void **raw, int n)
{
	void **start;
	uintptr_t *f;
	uint64_t h, id;
	uint32_t slot;

	n = stack_program_frames(raw, n, &start);
	f = (uintptr_t *)start;
	h = stack_hash(f, n);
	id = stack_find(h, f, n, &slot);
	if (id != 0)
		return id;
	/*
	 * A new stack may run through an object dlopen'ed since the last
	 * scan: define modules first, so that readers always know the
	 * module of every frame when its stack comes.  (Cheap when nothing
	 * changed; new stacks are rare.)
	 */
	modules_rescan(0);
	return stack_define(h, f, n);
}
