/*
 * shape-sawtooth.c - a batch buffer filled up to a bound, then released
 * all at once, over and over.
 *
 * usage: shape-sawtooth MS PERIOD_MS BOUND_KB BLOCK_SIZE
 *
 * Each period of PERIOD_MS milliseconds: batch_add allocates BLOCK_SIZE-
 * byte blocks (sizes vary +-25 % around it) evenly over the first 80 % of
 * the period until BOUND_KB KiB are held, they stay for the rest of the
 * period, then batch_flush frees every one of them.  It stops after MS
 * milliseconds wherever it is in the cycle (pick MS not a multiple of the
 * period so the end is mid-cycle) and leaves that last batch held: nothing
 * is freed at exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape-clock.h"

static void **batch;
static size_t nbatch, batch_bytes;

static void
batch_add(size_t size)
{
	char *b = malloc(size);

	memset(b, 1, size);
	batch[nbatch++] = b;
	batch_bytes += size;
}

static void
batch_flush(void)
{
	for (size_t i = 0; i < nbatch; i++)
		free(batch[i]);
	nbatch = 0;
	batch_bytes = 0;
}

int
main(int argc, char **argv)
{
	double run_s, period, t0, t, start;
	size_t bound, block, max_blocks;
	unsigned seed = 3;
	long cycles = 0;
	const struct timespec ms = { 0, 1000000 };

	if (argc < 5) {
		fprintf(stderr, "usage: shape-sawtooth MS PERIOD_MS BOUND_KB BLOCK_SIZE\n");
		return 2;
	}
	run_s = atof(argv[1]) / 1000;
	period = atof(argv[2]) / 1000;
	bound = (size_t)atol(argv[3]) * 1024;
	block = (size_t)atol(argv[4]);
	if (block < 8 || period <= 0)
		return 2;
	max_blocks = bound / (block * 3 / 4) + 2;
	batch = malloc(max_blocks * sizeof *batch);	/* held since start */
	t0 = start = now();
	while ((t = now()) - t0 < run_s) {
		double phase = (t - start) / period;

		if (phase >= 1) {
			batch_flush();
			cycles++;
			start += period;
			continue;
		}
		/* Fill evenly over the first 80 % of the period. */
		while (phase < 0.8 && batch_bytes < bound * (phase / 0.8) &&
		    nbatch < max_blocks) {
			size_t size = block * 3 / 4 + rand_r(&seed) % (block / 2 + 1);

			if (batch_bytes + size > bound)
				break;
			batch_add(size);
		}
		nanosleep(&ms, NULL);
	}
	printf("%ld cycles, %zu blocks (%zu bytes) held at the end\n", cycles,
	    nbatch, batch_bytes);
	return 0;
}
