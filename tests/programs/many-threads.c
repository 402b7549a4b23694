/*
 * many-threads.c - many short-lived threads, created and joined in waves.
 *
 * usage: many-threads WAVES PER_WAVE
 * Each thread allocates five 77-byte blocks, frees three and hands two to
 * a global array, so 2 * WAVES * PER_WAVE blocks of 77 bytes stay live.
 * Odd threads name themselves "worker-N".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void **live;

static void *
worker(void *arg)
{
	long id = (long)arg;
	void *b[5];
	int i;

	if (id % 2) {
		char name[16];

		snprintf(name, sizeof name, "worker-%ld", id % 1000);
		pthread_setname_np(pthread_self(), name);
	}
	for (i = 0; i < 5; i++)
		b[i] = malloc(77);
	for (i = 0; i < 3; i++)
		free(b[i]);
	live[id * 2] = b[3];
	live[id * 2 + 1] = b[4];
	return NULL;
}

int
main(int argc, char **argv)
{
	long waves = argc > 1 ? atol(argv[1]) : 30;
	long per = argc > 2 ? atol(argv[2]) : 10, w, i;
	pthread_t t[64];

	if (per > 64)
		per = 64;
	live = calloc((size_t)(waves * per * 2), sizeof *live);
	for (w = 0; w < waves; w++) {
		for (i = 0; i < per; i++)
			pthread_create(&t[i], NULL, worker,
			    (void *)(w * per + i));
		for (i = 0; i < per; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}
