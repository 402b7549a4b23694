/*
 * late-leak.c - nothing leaks in the first half of the run; a leak starts
 * in the second half.  For the classes as of a time: at 25% the leaking
 * function has not allocated yet, so it is no leak then.
 *
 * usage: late-leak [ROUNDS]   (default 400 rounds of 1 ms per half)
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
pause_ms(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* The first half: a buffer made and freed per request. */
__attribute__((noinline)) static void
handle_request(int i)
{
	char *scratch = malloc(256);

	memset(scratch, i, 256);
	free(scratch);
}

/* The second half: every request's record kept on a list never freed. */
struct record {
	struct record *next;
	char body[120];
};

static struct record *kept;

__attribute__((noinline)) static void
keep_record(int i)
{
	struct record *r = malloc(sizeof *r);

	memset(r->body, i, sizeof r->body);
	r->next = kept;
	kept = r;
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 400, i;
	char *config = malloc(4096);	/* held all run */

	memset(config, 0, 4096);
	for (i = 0; i < rounds; i++) {
		handle_request(i);
		pause_ms();
	}
	for (i = 0; i < rounds; i++) {
		keep_record(i);
		pause_ms();
	}
	return config[0];
}
