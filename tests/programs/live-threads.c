/*
 * live-threads.c - many threads alive at once, all allocating.
 *
 * usage: live-threads THREADS PAIRS
 * Each thread makes PAIRS malloc/free pairs of 24..223 bytes over a ring
 * of 16 slots, frees the ring, then waits at a barrier until every thread
 * is done, so all THREADS live at the same time: past 64 of them the
 * recorder shrinks each thread's buffer and walker cache.  Each thread
 * also leaves one 99-byte block live, so THREADS of them stay at the end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 16

static pthread_barrier_t all_done;
static long pairs;
void *kept[4096];	/* not static: the blocks must stay */

static void *
worker(void *arg)
{
	long id = (long)arg, i;
	void *ring[RING] = { 0 };

	for (i = 0; i < pairs; i++) {
		free(ring[i % RING]);
		ring[i % RING] = malloc(24 + (size_t)((i * 7 + id) % 200));
	}
	for (i = 0; i < RING; i++)
		free(ring[i]);
	kept[id] = malloc(99);
	pthread_barrier_wait(&all_done);
	return NULL;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200, i;
	pthread_t *t;

	pairs = argc > 2 ? atol(argv[2]) : 2000;
	if (n < 1 || n > 4096) {
		fprintf(stderr, "live-threads: 1 to 4096 threads\n");
		return 2;
	}
	t = malloc(sizeof *t * (size_t)n);
	pthread_barrier_init(&all_done, NULL, (unsigned)n);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
			return 1;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
