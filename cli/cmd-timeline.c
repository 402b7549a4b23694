/*
 * cmd-timeline.c - `heaptrail timeline`: the heap (and RSS) over time,
 * one row per time bucket, with the markers set during the bucket;
 * --from/--to keep the buckets that overlap the window.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "../analyzer/analyzer.h"
#include "../util/xmalloc.h"

#include "cli.h"
#include "query.h"

static const struct column timeline_columns[] = {
	{ "time_s", COL_REAL, 0, "time", 0, 0 },
	{ "heap_bytes", COL_BYTES, 0, "heap", 0, 0 },
	{ "heap_blocks", COL_INT, 0, "blocks", 3, 0 },
	{ "peak_bytes", COL_BYTES, 0, "peak", 2, 0 },
	{ "rss_bytes", COL_BYTES, 0, "rss", 0, 0 },
	{ "allocations", COL_INT, 0, "allocs", 4, 0 },
	{ "frees", COL_INT, 0, NULL, 5, 0 },
	{ "mapped_bytes", COL_BYTES, 0, "mapped", 1, 0 },
	{ "markers", COL_TEXT, 0, NULL, 0, 0 },
};
/* Too narrow: mapped, peak, blocks, allocs, frees left out, in order. */

int
cmd_timeline(int argc, char **argv)
{
	struct query_opts o;
	double from = 0, to = 1e300;
	sqlite3 *db;
	char *sql;
	long n;
	int ret;

	ret = query_parse(argc, argv, "timeline", "[OPTIONS] DB|TRACE",
	    timeline_columns, 8, QUERY_WINDOW, &o);
	if (ret >= 0)
		return ret;
	if ((db = query_open(&o)) == NULL)
		return 1;
	if ((o.from != NULL && query_time(db, o.from, &from) != 0) ||
	    (o.to != NULL && query_time(db, o.to, &to) != 0)) {
		sqlite3_close(db);
		return 1;
	}
	/* The buckets that overlap [from, to]. */
	sql = xasprintf("SELECT t.time AS time_s, t.heap_bytes,"
	    " t.heap_blocks, t.peak_bytes, t.rss_bytes, t.allocations,"
	    " t.frees, t.mapped_bytes, (SELECT group_concat(label, ' ') FROM markers m WHERE"
	    " m.time <= t.time AND m.time > t.time - %1$.9f) AS markers"
	    " FROM timeline t WHERE t.time >= %2$.9f AND t.time - %1$.9f <="
	    " %3$.9f ORDER BY t.bucket", db_meta_number(db, "bucket_s"), from,
	    to);
	n = query_print(db, sql, timeline_columns, 9, &o, NULL, NULL);
	free(sql);
	sqlite3_close(db);
	return n < 0 ? 1 : 0;
}
