/*
 * grow-free.c - memory that grows all through the run and is released
 * only by the program's cleanup before main returns.  heaptrail judges it
 * at the end of the work, before that teardown: a leak ("linear growth
 * ..., released at exit"), first in `heaptrail growth`; valgrind, which
 * looks after the teardown, sees no leak.
 *
 * usage: grow-free [RECORDS]   (default 4000, one every 0.1 ms)
 */
#include <stdlib.h>
#include <time.h>

struct record {
	struct record *next;
	char data[56];
};

static struct record *
append(struct record *head)
{
	struct record *r = malloc(sizeof *r);

	r->next = head;
	r->data[0] = 1;
	return r;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4000, i;
	struct timespec pause = { 0, 100000 };
	struct record *head = NULL;

	for (i = 0; i < n; i++) {
		head = append(head);
		nanosleep(&pause, NULL);
	}
	while (head != NULL) {		/* all of it, at the very end */
		struct record *next = head->next;

		free(head);
		head = next;
	}
	return 0;
}
