/*
 * leak.c - a true leak: every "request" loses a block.
 *
 * handle_request() allocates a 256-byte session and forgets half of them
 * (the odd ones).  Run with an argument to change the number of requests
 * (default 2000); one request per 0.5 ms, so the default run lasts ~1 s.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heaptrail.h"

struct session {
	char name[240];
	long id;
	struct session *next;
};

static struct session *
session_new(long id)
{
	struct session *s = malloc(sizeof *s);

	memset(s, 0, sizeof *s);
	s->id = id;
	return s;
}

static void
handle_request(long id)
{
	struct session *s = session_new(id);

	if (id % 2 == 0)
		free(s);	/* the odd ones are lost */
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, i;
	struct timespec pause = { 0, 500000 };

	heaptrail_mark("start");
	for (i = 0; i < n; i++) {
		handle_request(i);
		nanosleep(&pause, NULL);
	}
	heaptrail_mark("done");
	return 0;
}
