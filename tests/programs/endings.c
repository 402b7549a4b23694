/*
 * endings.c - the ways a process ends, each of which must lose nothing.
 *
 * usage: endings return|exit|_exit|_Exit|abort-threads|forever
 * Allocates 1000 blocks of 48 bytes and frees 600 (400 live), then ends
 * as told.  "abort-threads" leaves two threads allocating while main
 * returns.  "forever" writes its pid to ./pid and then keeps allocating
 * 32-byte blocks (one every 20 us, kept) until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *volatile sink;

static void *
spinner(void *arg)
{
	(void)arg;
	for (;;) {
		void *p = malloc(24);

		sink = p;	/* not optimized away; free our own p */
		free(p);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";
	void *b[1000];
	int i;

	for (i = 0; i < 1000; i++)
		b[i] = malloc(48);
	for (i = 0; i < 600; i++)
		free(b[i]);

	if (strcmp(how, "exit") == 0)
		exit(0);
	if (strcmp(how, "_exit") == 0)
		_exit(0);
	if (strcmp(how, "_Exit") == 0)
		_Exit(0);
	if (strcmp(how, "abort-threads") == 0) {
		pthread_t t;

		for (i = 0; i < 2; i++)
			pthread_create(&t, NULL, spinner, NULL);
		usleep(50000);
		return 0;
	}
	if (strcmp(how, "forever") == 0) {
		struct timespec pause = { 0, 20000 };
		FILE *f = fopen("pid.tmp", "w");

		fprintf(f, "%d\n", getpid());
		fclose(f);
		rename("pid.tmp", "pid");
		for (;;) {
			sink = malloc(32);
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}
