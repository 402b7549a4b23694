/*
 * alloc-bench.c - the allocation-heavy workload of `make bench`.
 *
 * usage: alloc-bench THREADS PAIRS
 * Each thread makes PAIRS/THREADS malloc/free pairs.  Every allocation is
 * made at the bottom of a call chain 1 to 12 frames deep (through four
 * different leaf functions, so there are 48 distinct stacks per thread
 * entry), of 16..520 bytes, and replaces a random one of 64 held blocks,
 * so blocks live a while and addresses are reused, as in a real program.
 * Depth, leaf, size and slot come from a fixed-seed PRNG: the run is the
 * same every time, but not a short period a compressor could fold away.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 64

struct state {
	void *ring[RING];
	uint64_t rand;		/* xorshift64 state */
	unsigned long sum;
};

static inline uint64_t
next_rand(struct state *s)
{
	s->rand ^= s->rand << 13;
	s->rand ^= s->rand >> 7;
	s->rand ^= s->rand << 17;
	return s->rand;
}

#define LEAF(name, extra)						\
static __attribute__((noinline)) void					\
name(struct state *s)							\
{									\
	uint64_t r = next_rand(s);					\
	size_t size = 16 + (r % 64) * 8 + (extra);			\
	void **slot = &s->ring[(r >> 8) % RING];			\
									\
	free(*slot);							\
	*slot = malloc(size);						\
	((char *)*slot)[0] = (char)r;					\
}
LEAF(leaf_a, 0)
LEAF(leaf_b, 0)
LEAF(leaf_c, 8)
LEAF(leaf_d, 8)

static __attribute__((noinline)) void
chain(struct state *s, int depth)
{
	if (depth > 1) {
		chain(s, depth - 1);
		s->sum += (unsigned long)depth;	/* no tail call */
		return;
	}
	switch (next_rand(s) & 3) {
	case 0: leaf_a(s); break;
	case 1: leaf_b(s); break;
	case 2: leaf_c(s); break;
	default: leaf_d(s); break;
	}
}

static unsigned long pairs_per_thread;

static void *
worker(void *arg)
{
	struct state *s = calloc(1, sizeof *s);
	unsigned long n;
	int i;

	s->rand = 0x9e3779b97f4a7c15ull + (uint64_t)(uintptr_t)arg;
	for (n = 0; n < pairs_per_thread; n++)
		chain(s, 1 + (int)(next_rand(s) % 12));
	for (i = 0; i < RING; i++)
		free(s->ring[i]);
	free(s);
	return NULL;
}

int
main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 1, i;
	unsigned long pairs = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000;
	pthread_t t[64];

	if (threads < 1 || threads > 64)
		threads = 1;
	pairs_per_thread = pairs / (unsigned long)threads;
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
