/*
 * shape-queue.c - a bounded message queue under bursty load.
 *
 * usage: shape-queue MS CAPACITY THREADS MSG_SIZE
 *
 * A ring of CAPACITY message pointers (queue_init, held since start).
 * Each millisecond the producer receives 0..2 messages, and one time in
 * twenty a burst of CAPACITY/4..CAPACITY/2 of them; each is a malloc'ed
 * message (make_message, MSG_SIZE +-50 % bytes).  A message that finds the
 * queue full is rejected (freed at once).  The consumer works in batches:
 * it leaves half a queue buffered and, each millisecond, takes up to
 * about 1.2 times the mean arrival rate while more than CAPACITY/2 are
 * queued, handling and freeing each.  So the depth rises to half within
 * the first milliseconds and then wanders between half and full, with no
 * trend, for MS milliseconds.  THREADS 1: one thread does both in turn;
 * THREADS 2: a producer and a consumer thread share the queue under a
 * mutex.  What is queued at the end stays (nothing freed at exit).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape-clock.h"

struct message {
	long id;
	size_t len;
	char body[];
};

static struct message **ring;
static size_t cap, head, depth;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double run_s, t0;
static size_t msg_size;
static long produced, rejected, consumed;
static unsigned per_tick;

static void
tick(void)
{
	const struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
}

static void
queue_init(size_t n)
{
	ring = calloc(n, sizeof *ring);
	cap = n;
}

static struct message *
make_message(long id, unsigned *seed)
{
	size_t len = msg_size / 2 + rand_r(seed) % (msg_size + 1);
	struct message *m = malloc(sizeof *m + len);

	m->id = id;
	m->len = len;
	memset(m->body, (int)id, len);
	return m;
}

static void
produce_tick(unsigned *seed)
{
	unsigned n = rand_r(seed) % 3;

	if (rand_r(seed) % 20 == 0)
		n = (unsigned)(cap / 4 + rand_r(seed) % (cap / 4 + 1));
	for (unsigned i = 0; i < n; i++) {
		struct message *m = make_message(produced++, seed);

		pthread_mutex_lock(&lock);
		if (depth < cap) {
			ring[(head + depth) % cap] = m;
			depth++;
			m = NULL;
		}
		pthread_mutex_unlock(&lock);
		if (m) {
			rejected++;
			free(m);
		}
	}
}

static unsigned long
consume_tick(void)
{
	unsigned long sum = 0;

	for (unsigned i = 0; i < per_tick; i++) {
		struct message *m = NULL;

		pthread_mutex_lock(&lock);
		if (depth > cap / 2) {
			m = ring[head];
			head = (head + 1) % cap;
			depth--;
		}
		pthread_mutex_unlock(&lock);
		if (!m)
			break;
		sum += (unsigned char)m->body[m->len / 2];
		consumed++;
		free(m);
	}
	return sum;
}

static void *
producer(void *arg)
{
	unsigned seed = 11;

	(void)arg;
	while (now() - t0 < run_s) {
		produce_tick(&seed);
		tick();
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	int threads;
	unsigned seed = 11;
	unsigned long sum = 0;
	pthread_t tid;

	if (argc < 5) {
		fprintf(stderr, "usage: shape-queue MS CAPACITY THREADS MSG_SIZE\n");
		return 2;
	}
	run_s = atof(argv[1]) / 1000;
	threads = atoi(argv[3]);
	msg_size = (size_t)atol(argv[4]);
	if (atol(argv[2]) < 8 || msg_size < 2)
		return 2;
	queue_init((size_t)atol(argv[2]));
	/* Mean arrivals a millisecond: 1 + (3/8 * cap) / 20. */
	per_tick = (unsigned)((1 + cap * 3 / 8 / 20.0) * 1.2) + 1;
	t0 = now();
	if (threads >= 2) {
		pthread_create(&tid, NULL, producer, NULL);
		while (now() - t0 < run_s) {
			sum += consume_tick();
			tick();
		}
		pthread_join(tid, NULL);
	} else {
		while (now() - t0 < run_s) {
			produce_tick(&seed);
			sum += consume_tick();
			tick();
		}
	}
	printf("produced %ld rejected %ld consumed %ld queued %zu (sum %lu)\n",
	    produced, rejected, consumed, depth, sum);
	return 0;
}
