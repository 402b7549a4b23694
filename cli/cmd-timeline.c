/*
 * cmd-timeline.c - `heaptrail timeline`: the heap (and RSS) over time,
 * one row per time bucket, with the markers set during the bucket.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "cli.h"
#include "query.h"

static const struct column timeline_columns[] = {
	{ "time_s", COL_REAL, 0 },
	{ "heap_bytes", COL_BYTES, 0 },
	{ "heap_blocks", COL_INT, 0 },
	{ "peak_bytes", COL_BYTES, 0 },
	{ "rss_bytes", COL_BYTES, 0 },
	{ "allocations", COL_INT, 0 },
	{ "frees", COL_INT, 0 },
	{ "markers", COL_TEXT, 0 },
};

int
cmd_timeline(int argc, char **argv)
{
	struct query_opts o;
	sqlite3 *db;
	long n;
	int ret;

	ret = query_parse(argc, argv, "timeline", "[OPTIONS] DB|TRACE",
	    timeline_columns, 8, 0, &o);
	if (ret >= 0)
		return ret;
	if ((db = query_open(&o)) == NULL)
		return 1;
	n = query_print(db, "SELECT t.time AS time_s, t.heap_bytes,"
	    " t.heap_blocks, t.peak_bytes, t.rss_bytes, t.allocations,"
	    " t.frees, (SELECT group_concat(label, ' ') FROM markers m WHERE"
	    " m.time <= t.time AND m.time > t.time - (SELECT value FROM meta"
	    " WHERE key = 'bucket_s')) AS markers"
	    " FROM timeline t ORDER BY t.bucket",
	    timeline_columns, 8, &o, NULL, NULL);
	sqlite3_close(db);
	return n < 0 ? 1 : 0;
}
