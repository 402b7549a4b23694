/*
 * cmd-check.c - `heaptrail check`: is the trace consistent?
 *
 * Lists the anomalies (frees of addresses that were not live, allocations
 * over a live block, dropped events) and recomputes the live totals at
 * the end of the work and after the last event from the blocks, the
 * stacks, the sites and the timeline, comparing each with the running
 * counters.  Exit status 0 when every
 * total agrees, 1 when one does not (anomalies alone are not failures:
 * a program may free memory heaptrail never saw allocated).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"

static int64_t
one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const struct {
	const char *what;
	const char *counter;	/* the running counter */
	const char *recount;	/* the same, recomputed */
} checks[] = {
	/* Heap figures leave anonymous mappings out; they are below. */
	{ "live blocks at the end of the work: blocks table",
	    "SELECT value FROM meta WHERE key = 'live_blocks_end'",
	    "SELECT count(*) FROM blocks WHERE live_at_end = 1 AND entry"
	    " NOT IN ('mmap', 'mremap')" },
	{ "live bytes at the end of the work: blocks table",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE live_at_end = 1"
	    " AND entry NOT IN ('mmap', 'mremap')" },
	{ "live bytes at the end of the work: per stack totals",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(live_bytes), 0) - coalesce((SELECT value FROM"
	    " meta WHERE key = 'mapped_bytes_end'), 0) FROM stack_stats" },
	{ "live bytes at the end of the work: per site totals",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(live_bytes - mapped_bytes), 0) FROM sites" },
	{ "live blocks after the last event: blocks table",
	    "SELECT value FROM meta WHERE key = 'exit_live_blocks'",
	    "SELECT count(*) FROM blocks WHERE free_time IS NULL AND entry"
	    " NOT IN ('mmap', 'mremap')" },
	{ "live bytes after the last event: blocks table",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE free_time IS NULL"
	    " AND entry NOT IN ('mmap', 'mremap')" },
	{ "live bytes after the last event: per site totals",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT coalesce(sum(exit_live_bytes), 0) - coalesce((SELECT"
	    " value FROM meta WHERE key = 'exit_mapped_bytes'), 0) FROM"
	    " sites" },
	{ "live bytes after the last event: timeline",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT heap_bytes FROM timeline ORDER BY bucket DESC LIMIT 1" },

	{ "allocations: per stack totals",
	    "SELECT value FROM meta WHERE key = 'allocations'",
	    "SELECT coalesce(sum(allocations), 0) - coalesce((SELECT value FROM"
	    " meta WHERE key = 'maps'), 0) FROM stack_stats" },
	{ "mapped bytes at the end of the work: blocks table",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'mapped_bytes_end'), 0)",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE live_at_end = 1"
	    " AND entry IN ('mmap', 'mremap')" },
	{ "mapped bytes at the end of the work: per site totals",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'mapped_bytes_end'), 0)",
	    "SELECT coalesce(sum(mapped_bytes), 0) FROM sites" },
	{ "mapped bytes after the last event: blocks table",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'exit_mapped_bytes'), 0)",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE free_time IS NULL"
	    " AND entry IN ('mmap', 'mremap')" },
	{ "mapped bytes after the last event: timeline",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'exit_mapped_bytes'), 0)",
	    "SELECT mapped_bytes FROM timeline ORDER BY bucket DESC LIMIT 1" },
	{ "allocations: timeline",
	    "SELECT value FROM meta WHERE key = 'allocations'",
	    "SELECT coalesce(sum(allocations), 0) FROM timeline" },
};

int
cmd_check(int argc, char **argv)
{
	static const struct column anomaly_columns[] = {
		{ "kind", COL_TEXT, 0, NULL },
		{ "time_s", COL_REAL, 0, NULL },
		{ "thread", COL_INT, 0, NULL },
		{ "address", COL_TEXT, 0, NULL },
		{ "count", COL_INT, 0, NULL },
	};
	struct query_opts o;
	sqlite3 *db;
	size_t i;
	int ret, bad = 0;

	ret = query_parse(argc, argv, "check", "[OPTIONS] DB|TRACE",
	    anomaly_columns, 5, 0, &o);
	if (ret >= 0)
		return ret;
	if (!o.limit_given)
		o.limit = 50;	/* --limit 0: all of them */
	if ((db = query_open(&o)) == NULL)
		return 1;
	if (o.format == QF_TABLE)
		printf("anomalies: %" PRId64 " unknown frees, %" PRId64
		    " allocations over a live block, %" PRId64 " dropped "
		    "events\n", one(db, "SELECT value FROM meta WHERE key ="
		    " 'unknown_frees'"), one(db, "SELECT value FROM meta WHERE"
		    " key = 'replaced_live'"), one(db, "SELECT value FROM meta"
		    " WHERE key = 'dropped_events'"));
	if (query_print(db, "SELECT kind, time AS time_s, thread_id AS thread,"
	    " printf('0x%x', address) AS address, count FROM anomalies"
	    " ORDER BY id", anomaly_columns, 5, &o, NULL, NULL) < 0)
		bad = 1;
	for (i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		int64_t a = one(db, checks[i].counter);
		int64_t b = one(db, checks[i].recount);

		if (a != b) {
			bad = 1;
			fprintf(stderr, "heaptrail: %s: disagree: counter %"
			    PRId64 ", recomputed %" PRId64 "\n",
			    checks[i].what, a, b);
		} else if (o.format == QF_TABLE) {
			printf("ok  %s (%" PRId64 ")\n", checks[i].what, a);
		}
	}
	sqlite3_close(db);
	return bad;
}
