/*
 * xthread.c - cross-thread stress: blocks allocated in one thread are
 * freed in another, and addresses come back through malloc in yet another.
 *
 * usage: xthread THREADS ITERATIONS KEEP
 * Each thread allocates ITERATIONS blocks (sizes 8..512), pushes each into
 * a shared ring and frees whatever it pops (usually another thread's
 * block).  At the end each thread still holds exactly KEEP blocks of
 * 1000 + thread bytes; everything else is freed.  If the recorder or the
 * reader ordered a free after the malloc that reused its address, the
 * live totals would come out wrong.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 1024

static void *ring[RING];
static unsigned ring_head, ring_count;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static long iterations, keep;
static void **kept;

static void *
ring_swap(void *p)
{
	void *out = NULL;

	pthread_mutex_lock(&ring_lock);
	if (ring_count == RING) {
		out = ring[ring_head];
		ring_head = (ring_head + 1) % RING;
		ring_count--;
	}
	ring[(ring_head + ring_count) % RING] = p;
	ring_count++;
	pthread_mutex_unlock(&ring_lock);
	return out;
}

static void *
worker(void *arg)
{
	long id = (long)arg, i;
	unsigned seed = (unsigned)id * 7919u + 1;

	for (i = 0; i < iterations; i++) {
		size_t size = 8 + (rand_r(&seed) % 64) * 8;

		free(ring_swap(malloc(size)));
	}
	for (i = 0; i < keep; i++)
		kept[id * keep + i] = malloc(1000 + (size_t)id);
	return NULL;
}

int
main(int argc, char **argv)
{
	long threads = argc > 1 ? atol(argv[1]) : 4, i;
	pthread_t *t;

	iterations = argc > 2 ? atol(argv[2]) : 100000;
	keep = argc > 3 ? atol(argv[3]) : 100;
	t = calloc((size_t)threads, sizeof *t);
	kept = calloc((size_t)(threads * keep), sizeof *kept);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	while (ring_count > 0) {
		free(ring[ring_head]);
		ring_head = (ring_head + 1) % RING;
		ring_count--;
	}
	free(t);
	/* kept[] itself stays live too: threads * keep + 1 blocks */
	return 0;
}
