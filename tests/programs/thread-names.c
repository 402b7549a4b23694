/*
 * thread-names.c - threads named while they run, for test-thread-names.sh.
 *
 * A worker is named "by-main" by the main thread (pthread_setname_np on
 * another thread), then allocates 10 blocks of 40 bytes and renames itself
 * "self-named" with prctl(PR_SET_NAME), then allocates 10 more; the main
 * thread renames itself "main-thread" and allocates one block of 50 bytes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>

void *volatile sink;
static pthread_barrier_t named;

static void *
worker(void *arg)
{
	int i;

	(void)arg;
	pthread_barrier_wait(&named);
	for (i = 0; i < 10; i++)
		sink = malloc(40);
	prctl(PR_SET_NAME, "self-named", 0, 0, 0);
	for (i = 0; i < 10; i++)
		sink = malloc(40);
	return NULL;
}

int
main(void)
{
	pthread_t t;

	pthread_barrier_init(&named, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	sink = malloc(8);	/* the worker registers at its first event */
	pthread_setname_np(t, "by-main");
	pthread_barrier_wait(&named);
	pthread_join(t, NULL);
	pthread_setname_np(pthread_self(), "main-thread");
	sink = malloc(50);
	return 0;
}
