/*
 * thread-ends.c - threads that end other than by being joined, for
 * test-thread-ends.sh.
 *
 * A detached thread allocates 10 blocks of 444 bytes and returns; a
 * thread allocates 10 blocks of 555 bytes and waits until it is
 * cancelled; a thread allocates 10 blocks of 666 bytes and calls
 * pthread_exit().  Every block stays live.  Main waits for all three to
 * be gone, then returns.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

void *keep[30];		/* global: the blocks stay live */
static sem_t allocated, detached_done;

static void
allocate(int first, size_t size)
{
	int i;

	for (i = 0; i < 10; i++)
		keep[first + i] = malloc(size);
}

static void *
detached(void *arg)
{
	(void)arg;
	allocate(0, 444);
	sem_post(&detached_done);
	return NULL;
}

static void *
cancelled(void *arg)
{
	(void)arg;
	allocate(10, 555);
	sem_post(&allocated);
	for (;;)
		pause();	/* a cancellation point */
	return NULL;
}

static void *
exits(void *arg)
{
	(void)arg;
	allocate(20, 666);
	pthread_exit(NULL);
}

int
main(void)
{
	pthread_attr_t attr;
	pthread_t t;

	sem_init(&allocated, 0, 0);
	sem_init(&detached_done, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &attr, detached, NULL);
	sem_wait(&detached_done);
	usleep(20000);		/* let the detached thread finish exiting */
	pthread_create(&t, NULL, cancelled, NULL);
	sem_wait(&allocated);
	pthread_cancel(t);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, exits, NULL);
	pthread_join(t, NULL);
	return 0;
}
