/*
 * handoff-early.c - a block allocated in a new thread and freed by main,
 * all within the recorder's first milliseconds: main is then the lone
 * thread, whose times are rounded down (recorder/thread-buffer.c), while
 * the new thread's are not; the free must still come after the malloc.
 *
 * usage: handoff-early [ROUNDS]   (default 1: one thread, one block)
 */
#include <pthread.h>
#include <stdlib.h>

static void *
worker(void *arg)
{
	(void)arg;
	return malloc(40);
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1, i;

	for (i = 0; i < rounds; i++) {
		pthread_t t;
		void *p;

		if (pthread_create(&t, NULL, worker, NULL) != 0)
			return 1;
		pthread_join(t, &p);
		free(p);
	}
	return 0;
}
