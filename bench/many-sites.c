/*
 * many-sites.c - a program with a big heap profile: the workload of
 * bench/tui-keys.sh, which measures the browser (heaptrail tui) on it.
 *
 * usage: many-sites [ALLOCATIONS]          (default 10500000)
 *
 * This file is the program; the allocation sites are in eight libraries,
 * libms-NAME.so, whose source bench/many-sites-gen.sh writes (the parts
 * are listed by MS_PARTS in many-sites.h).  bench/tui-keys.sh generates,
 * compiles (-O0 -g: a quarter of -O1's compile time, and every call stays
 * a call) and links them into BUILD/bench/, not the Makefile.
 *
 * Sites.  Each part has 2048 constructor functions of 1 to 13 allocation
 * sites each, 13,883 sites a part, 111,064 in all (and two here).  A
 * first pass calls every constructor once, so all of them appear.
 *
 * Call chains (the constructor 4 to 7 frames below main):
 *   main > phase_init > init_part > NAME_entry > ...
 *   main > phase_serve > handle_{request,batch,timer,admin} > NAME_entry
 *   NAME_entry > [NAME_rebuild >] [NAME_lookup >] NAME_group_GG
 *       > NAME_NOUN_VERB_NNNN > malloc | calloc | strdup
 *                               | NAME_group_GG_node > malloc
 * The 32 groups of a part are shared callers of 64 constructors each.
 * Which handler and which path a constructor is reached by is fixed by its
 * rank (below), with one call in eight taking a second handler.
 *
 * Workload.  After the first pass, constructors are called with Zipf
 * popularity: the constructor of rank r (0 the busiest; ranks map onto
 * constructors by a fixed permutation, so busy ones are spread over parts
 * and groups) is picked with probability about 1 / ((r + 1) ln 16384): a
 * few sites make most allocations, most make a few dozen.  What becomes of
 * an object depends on its rank:
 *   r % 200 == 57   leaked: never freed, so those sites grow all along;
 *   r % 40 == 11    cached: kept on a list freed at exit;
 *   r % 10 == 3     held: replaces a random one of 65536 long-lived slots
 *                   (a plateau);
 *   otherwise       freed soon: replaces a random one of 256 slots.
 * Of the first pass, objects of rank r % 50 == 7 are held to the end and
 * never freed, the others freed at once.  Request sizes are 16 B to 1 KiB,
 * mostly small.  The run stops once ALLOCATIONS allocations are made;
 * then the rings and the cache are freed, the leaked and held-forever
 * objects stay.  A fixed-seed PRNG makes every run the same.
 * heaptrail_mark() labels the phases.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "heaptrail.h"
#include "many-sites.h"

#define NOINLINE __attribute__((noinline))
#define NLEAVES (MS_NPARTS * MS_PER_PART)

#define DECLARE(i, name) ms_entry_fn name##_entry;
MS_PARTS(DECLARE)
#define ENTRY_PTR(i, name) [i] = name##_entry,
static ms_entry_fn *const entries[MS_NPARTS] = { MS_PARTS(ENTRY_PTR) };

#define SHORT_SLOTS 256
#define HELD_SLOTS 65536

static struct obj *short_ring[SHORT_SLOTS];	/* freed soon */
static struct obj *held_ring[HELD_SLOTS];	/* long-lived, a plateau */
static struct obj *cache;			/* freed at exit */
static struct obj **leaked;			/* never freed */
static size_t nleaked, leaked_cap;

static uint64_t rand_state = 0x9e3779b97f4a7c15ull;	/* xorshift64 */

static uint64_t
next_rand(void)
{
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return rand_state;
}

/* Rank -> global constructor index (part * 2048 + leaf): a bijection of
   [0, 16384), so busy constructors are spread over parts and groups. */
static unsigned
rank_leaf(unsigned r)
{
	return (r * 20071u + 12345u) % NLEAVES;	/* odd times, mod 2^14 */
}

static void
obj_free(struct obj *o)
{
	unsigned i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nmem; i++)
		free(o->mem[i]);
	free(o);
}

/* Request size: 16 B to 1 KiB, mostly small (mean about 130 B). */
static size_t
pick_size(void)
{
	uint64_t r = next_rand();
	int shift = __builtin_ctzll(r | 16);	/* 0 ... 4, halving odds */

	return 16 + (((r >> 8) % 64) << shift);
}

static void
keep_forever(struct obj *o)
{
	if (nleaked == leaked_cap) {
		leaked_cap = leaked_cap ? leaked_cap * 2 : 4096;
		leaked = realloc(leaked, leaked_cap * sizeof *leaked);
		if (leaked == NULL)
			abort();
	}
	leaked[nleaked++] = o;
}

/* The four request handlers: shared callers of every part. */
#define HANDLER(name, extra)						\
static NOINLINE struct obj *						\
name(struct ms_ctx *c, unsigned leaf, unsigned path)			\
{									\
	struct obj *o = entries[leaf / MS_PER_PART](c, path,		\
	    leaf % MS_PER_PART, pick_size() + (extra));			\
									\
	o->sum += (extra);						\
	return o;							\
}
HANDLER(handle_request, 0)
HANDLER(handle_batch, 8)
HANDLER(handle_timer, 16)
HANDLER(handle_admin, 24)

typedef struct obj *handler_fn(struct ms_ctx *, unsigned, unsigned);
static handler_fn *const handlers[4] = {
	handle_request, handle_batch, handle_timer, handle_admin,
};

static NOINLINE struct obj *
init_part(struct ms_ctx *c, unsigned leaf)
{
	struct obj *o = entries[leaf / MS_PER_PART](c, leaf % MS_PER_PART % 3,
	    leaf % MS_PER_PART, 64);

	o->sum++;
	return o;
}

/* Every constructor once; rank % 50 == 7 is kept to the end. */
static NOINLINE void
phase_init(struct ms_ctx *c)
{
	unsigned r;

	heaptrail_mark("init");
	for (r = 0; r < NLEAVES; r++) {
		struct obj *o = init_part(c, rank_leaf(r));

		if (r % 50 == 7)
			keep_forever(o);
		else
			obj_free(o);
	}
}

static NOINLINE void
phase_serve(struct ms_ctx *c, unsigned long target)
{
	const double log_n = log(NLEAVES + 1.0);
	unsigned long n = 0;

	heaptrail_mark("serve");
	while (c->allocs < target) {
		uint64_t x = next_rand();
		double u = (double)(x >> 11) * 0x1p-53;
		unsigned r = (unsigned)exp(u * log_n) - 1, h;
		struct obj *o, **slot;

		if (r >= NLEAVES)
			r = NLEAVES - 1;
		h = (r * 7 + (x % 8 == 0)) % 4;
		o = handlers[h](c, rank_leaf(r), r % 3);
		if (r % 200 == 57) {
			keep_forever(o);
			continue;
		}
		if (r % 40 == 11) {
			o->next = cache;
			cache = o;
			continue;
		}
		if (r % 10 == 3)
			slot = &held_ring[(x >> 20) % HELD_SLOTS];
		else
			slot = &short_ring[(x >> 20) % SHORT_SLOTS];
		obj_free(*slot);
		*slot = o;
		if (++n % 500000 == 0) {
			char label[32];

			snprintf(label, sizeof label, "%lu calls", n);
			heaptrail_mark(label);
		}
	}
}

static NOINLINE void
phase_exit(void)
{
	size_t i;

	heaptrail_mark("exit");
	for (i = 0; i < SHORT_SLOTS; i++)
		obj_free(short_ring[i]);
	for (i = 0; i < HELD_SLOTS; i++)
		obj_free(held_ring[i]);
	while (cache != NULL) {
		struct obj *next = cache->next;

		obj_free(cache);
		cache = next;
	}
	/* The leaked and held-forever objects stay. */
}

int
main(int argc, char **argv)
{
	unsigned long target = argc > 1 ? strtoul(argv[1], NULL, 10) : 10500000;
	struct ms_ctx c = { 0 };

	phase_init(&c);
	phase_serve(&c, target);
	phase_exit();
	printf("many-sites: %lu allocations, %zu objects never freed\n",
	    c.allocs, nleaked);
	return 0;
}
