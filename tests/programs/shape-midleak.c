/*
 * shape-midleak.c - a leak that starts midway through the run.
 *
 * usage: shape-midleak MS WARMUP_PCT RECORDS_PER_S RECORD_SIZE [THREADS]
 *
 * Every thread handles requests for MS milliseconds.  Each request parses
 * a record (new_record, RECORD_SIZE bytes), builds a reply in temporaries
 * (64..2048 bytes, freed at once) and refreshes a shared lookup cache
 * (cache_put: 256 slots of 96 bytes, replaced round robin, so bounded).
 * For the first WARMUP_PCT % of the run the record is freed once handled;
 * after that a "deferred" path keeps every record on a pending list that is
 * never drained: new_record leaks RECORDS_PER_S records a second (shared
 * between the THREADS threads, default 1) from WARMUP_PCT % to the end.
 * Nothing is freed at exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape-clock.h"

struct record {
	struct record *next;
	long id;
	char payload[];
};

static double run_s, warmup_s, rate;
static size_t record_size;
static int threads;
static double t0;

#define CACHE_SLOTS 256
static void *cache[CACHE_SLOTS];
static unsigned cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void
pause_ms(double ms)
{
	struct timespec ts = { 0, (long)(ms * 1e6) };

	nanosleep(&ts, NULL);
}

static struct record *
new_record(long id)
{
	struct record *r = malloc(record_size);

	r->next = NULL;
	r->id = id;
	memset(r->payload, (int)id, record_size - sizeof *r);
	return r;
}

static void
cache_put(long id)
{
	char *e = malloc(96);

	snprintf(e, 96, "entry-%ld", id);
	pthread_mutex_lock(&cache_lock);
	free(cache[cache_next]);
	cache[cache_next] = e;
	cache_next = (cache_next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&cache_lock);
}

static size_t
build_reply(const struct record *r, unsigned *seed)
{
	size_t n = 64 + rand_r(seed) % 1985, sum = 0;
	char *head = malloc(n), *body = malloc(2 * n);

	memset(head, 'h', n);
	memset(body, (int)r->id, 2 * n);
	sum = (unsigned char)head[n / 2] + (unsigned char)body[n];
	free(body);
	free(head);
	return sum;
}

static void *
worker(void *arg)
{
	long me = (long)arg, done = 0;
	double my_rate = rate / threads;
	unsigned seed = 7 + (unsigned)me;
	struct record *pending = NULL;
	size_t sum = 0;

	for (;;) {
		double t = now() - t0;
		int last = t >= run_s;

		/* Requests arrive at the same pace all through the run, and
		   each is handled as of when it arrived (SHAPE_PACE). */
		while (done < my_rate * (last ? run_s : t)) {
			struct record *r = new_record(me * 100000000L + done);

			sum += build_reply(r, &seed);
			if (done % 4 == 0)
				cache_put(r->id);
			if (done / my_rate < warmup_s) {
				free(r);
			} else {
				r->next = pending;	/* deferred, never drained */
				pending = r;
			}
			done++;
		}
		if (last)
			break;
		pause_ms(1);
	}
	return (void *)(sum + (pending != NULL));
}

int
main(int argc, char **argv)
{
	pthread_t tid[64];
	int i;

	if (argc < 5) {
		fprintf(stderr, "usage: shape-midleak MS WARMUP_PCT RECORDS_PER_S RECORD_SIZE [THREADS]\n");
		return 2;
	}
	run_s = atof(argv[1]) / 1000;
	warmup_s = run_s * atof(argv[2]) / 100;
	rate = atof(argv[3]);
	record_size = (size_t)atol(argv[4]);
	threads = argc > 5 ? atoi(argv[5]) : 1;
	if (threads < 1 || threads > 64 || record_size < sizeof(struct record))
		return 2;
	t0 = now();
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(long)i);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	printf("leaked about %.0f records\n", rate * (run_s - warmup_s));
	return 0;
}
