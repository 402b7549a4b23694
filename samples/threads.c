/*
 * threads.c - a leak in one worker thread among several.
 *
 * Four workers each handle JOBS jobs (a 128-byte job record, freed when
 * done), pausing 0.2 ms every other job; worker 2 forgets to free every
 * tenth one, so JOBS / 10 records leak, all from that thread, all through
 * the run.  The main thread names the workers.
 *
 * usage: threads [JOBS]   (default 2000)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct job {
	long id;
	char payload[120];
};

static long jobs;

static void *
worker(void *arg)
{
	long self = (long)arg, i;
	struct timespec pause = { 0, 200000 };

	for (i = 0; i < jobs; i++) {
		struct job *j = malloc(sizeof *j);

		if (i % 2)
			nanosleep(&pause, NULL);
		memset(j, 0, sizeof *j);
		j->id = i;
		if (self == 2 && i % 10 == 0)
			continue;	/* the leak */
		free(j);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];
	long i;

	jobs = argc > 1 ? atol(argv[1]) : 2000;
	for (i = 0; i < 4; i++) {
		char name[16];

		pthread_create(&t[i], NULL, worker, (void *)i);
		snprintf(name, sizeof name, "worker-%ld", i);
		pthread_setname_np(t[i], name);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
