/*
 * shape-realloc.c - one block that keeps growing through realloc.
 *
 * usage: shape-realloc MODE MS ITEMS_PER_S
 *
 *   log     log_append: a log buffer; each line (30..130 bytes, formatted
 *           in a temporary that is freed) is appended with realloc to the
 *           exact new length, like a string builder.
 *   array   records_add: an array of 32-byte records grown 16 at a time
 *           with reallocarray.
 *   double  vec_push: a dynamic array of 48-byte structs whose capacity
 *           doubles (8, 16, 32, ...) through realloc when full.
 *
 * ITEMS_PER_S items are added, evenly, for MS milliseconds (SHAPE_PACE:
 * all of them, also when the program was held up); the block is kept (a
 * global) and never freed.  Only one block of the site is live at
 * any time: the growth is one object moved along by its reallocations.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape-clock.h"

struct rec {
	long id;
	double t;
	char tag[16];
};

struct item {
	long id;
	double v[5];
};

static char *log_buf;
static size_t log_len;
static struct rec *recs;
static size_t nrecs;
static struct item *items;
static size_t nitems, items_cap;

static char *
format_line(long id, double t)
{
	size_t n = 30 + (size_t)(id * 37 % 101);
	char *s = malloc(n + 1);

	snprintf(s, n + 1, "%10.6f request %ld handled ok ............................................................................................................................",
	    t, id);
	return s;
}

static void
log_append(const char *line)
{
	size_t n = strlen(line);

	log_buf = realloc(log_buf, log_len + n + 2);
	memcpy(log_buf + log_len, line, n);
	log_len += n;
	log_buf[log_len++] = '\n';
	log_buf[log_len] = 0;
}

static void
records_add(long id, double t)
{
	if (nrecs % 16 == 0)
		recs = reallocarray(recs, nrecs + 16, sizeof *recs);
	recs[nrecs].id = id;
	recs[nrecs].t = t;
	snprintf(recs[nrecs].tag, sizeof recs[nrecs].tag, "r%ld", id);
	nrecs++;
}

static void
vec_push(long id, double t)
{
	if (nitems == items_cap) {
		items_cap = items_cap ? items_cap * 2 : 8;
		items = realloc(items, items_cap * sizeof *items);
	}
	items[nitems].id = id;
	for (int i = 0; i < 5; i++)
		items[nitems].v[i] = t * i;
	nitems++;
}

int
main(int argc, char **argv)
{
	double run_s, rate, t0, t;
	long done = 0;
	const struct timespec ms = { 0, 1000000 };
	int mode;

	if (argc < 4) {
		fprintf(stderr, "usage: shape-realloc log|array|double MS ITEMS_PER_S\n");
		return 2;
	}
	mode = !strcmp(argv[1], "log") ? 0 : !strcmp(argv[1], "array") ? 1 :
	    !strcmp(argv[1], "double") ? 2 : -1;
	if (mode < 0)
		return 2;
	run_s = atof(argv[2]) / 1000;
	rate = atof(argv[3]);
	t0 = now();
	for (;;) {
		int last = (t = now() - t0) >= run_s;

		while (done < rate * (last ? run_s : t)) {
			if (mode == 0) {
				char *line = format_line(done, t);

				log_append(line);
				free(line);
			} else if (mode == 1) {
				records_add(done, t);
			} else {
				vec_push(done, t);
			}
			done++;
		}
		if (last)
			break;
		nanosleep(&ms, NULL);
	}
	printf("%ld items, log %zu bytes, %zu records, %zu items (capacity %zu)\n",
	    done, log_len, nrecs, nitems, items_cap);
	return 0;
}
