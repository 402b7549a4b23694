/*
 * random-free.c - a workload of `make bench`: frees in random order.
 *
 * usage: random-free STEPS [WINDOW]
 * Keeps a rolling window of WINDOW live blocks (default 4096).  Each step
 * frees one block of the window chosen at random and allocates a new one
 * of random size in its place, so frees come in no order an allocator or
 * a trace coder could predict (unlike a stack or a FIFO).  Sizes are
 * mostly small (16..1032 bytes), one in 64 up to 64 KiB.  Allocations
 * come from three call paths of different depths.  The PRNG has a fixed
 * seed: every run is the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x243f6a8885a308d3ull;

static inline uint64_t
next_rand(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static __attribute__((noinline)) void *
make_block(uint64_t r)
{
	size_t size = (r & 63) == 0 ? 16 + (r >> 16) % 65536
	    : 16 + ((r >> 8) % 128) * 8;
	char *p = malloc(size);

	if (p == NULL)
		abort();
	p[0] = (char)r;
	p[size - 1] = (char)(r >> 8);
	return p;
}

static __attribute__((noinline)) void *
make_record(uint64_t r)
{
	void *p = make_block(r);

	__asm__ volatile("" ::: "memory");	/* no tail call */
	return p;
}

static __attribute__((noinline)) void *
make_entry(uint64_t r)
{
	void *p = make_record(r);

	__asm__ volatile("" ::: "memory");
	return p;
}

int
main(int argc, char **argv)
{
	unsigned long steps = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000;
	unsigned long window = argc > 2 ? strtoul(argv[2], NULL, 10) : 4096;
	unsigned long i, sum = 0;
	void **live;

	if (window < 1)
		window = 1;
	live = calloc(window, sizeof *live);
	if (live == NULL)
		return 1;
	for (i = 0; i < window; i++)
		live[i] = make_block(next_rand());
	for (i = 0; i < steps; i++) {
		uint64_t r = next_rand();
		unsigned long slot = (unsigned long)(r >> 40) % window;

		sum += (unsigned char)*(char *)live[slot];
		free(live[slot]);
		switch (r % 3) {
		case 0: live[slot] = make_block(r); break;
		case 1: live[slot] = make_record(r); break;
		default: live[slot] = make_entry(r); break;
		}
	}
	for (i = 0; i < window; i++)
		free(live[i]);
	free(live);
	printf("%lu\n", sum);
	return 0;
}
