/*
 * live.h - what is live at a time, and how it changed over a window: the
 * one definition the CLI's queries (as SQL) and the browser (in memory,
 * for speed) both use.
 *
 * At the end of the work (TIME_BUCKET_END) the live figures are the
 * tables' live_* columns (sites, stack_stats), exact.  At the start
 * (TIME_BUCKET_START) nothing is live.  At a time bucket B they are a
 * series' last row up to B (stack_series, site_series: a row per bucket
 * where the figure changed).  Over a window (time.h) the live figures
 * are those at its end, and the growth is the change of the live bytes
 * from its start to its end, per second.
 */
#ifndef HEAPTRAIL_LIVE_H
#define HEAPTRAIL_LIVE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "time.h"

/* Whose live figures: a stack's, or a site's. */
enum live_of { LIVE_OF_STACK, LIVE_OF_SITE };

/*
 * SQL for the live COL (live_bytes or live_blocks) as of BUCKET of the
 * stack or site whose id is the SQL expression ID.  Malloc'ed.
 */
char *live_sql(enum live_of of, const char *id, const char *col,
    long bucket);

/*
 * SQL for a subquery with a row per site (OF: LIVE_OF_SITE, from sites)
 * or stack (from stack_stats): wid (its id), live_bytes and live_blocks
 * as of bucket AT, and growth: over WINDOW if not NULL, else a site's
 * own rate as of AT (temp.site_class_at's, classify-at.h, else the
 * sites table's), else NULL (a stack has no rate of its own; group.c
 * shares out its site's).  Malloc'ed.
 */
char *live_window_sql(enum live_of of, long at,
    const struct time_window *window);

/*
 * The same in memory, for the browser: every stack's series, held, and
 * its figures at the end of the work.  Stack ids are below nstacks.
 */
struct live_series {
	size_t nstacks;
	size_t *first;		/* [nstacks + 1]: stack i's rows are
				   first[i] .. first[i + 1] - 1 */
	uint16_t *bucket;	/* the rows, by stack then bucket */
	int64_t *bytes;
	int64_t *blocks;
	uint32_t *allocs;	/* allocations made in the bucket */
	size_t nrows;
	int64_t *end_bytes, *end_blocks;	/* [nstacks]: stack_stats' */
};

/* Reads DB's series of stacks below NSTACKS; 0, or -1 with *cause. */
int live_series_load(sqlite3 *db, size_t nstacks, struct live_series *s,
    char **cause);
void live_series_free(struct live_series *s);

/* Each stack's live bytes and blocks as of BUCKET into BYTES, BLOCKS
   (nstacks each). */
void live_series_at(const struct live_series *s, long bucket,
    int64_t *bytes, int64_t *blocks);

#endif /* HEAPTRAIL_LIVE_H */
