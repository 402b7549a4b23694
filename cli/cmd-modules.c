/*
 * cmd-modules.c - `heaptrail modules`: live blocks and bytes per ELF
 * object (the module of each site's frame), with what of it is leak and
 * what is steady.  An object loaded twice is one row (its peak is the
 * higher of the two loads').
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "cli.h"
#include "query.h"

static const struct column module_columns[] = {
	{ "module", COL_TEXT, 0, NULL },
	{ "live_blocks", COL_INT, 0, "blocks" },
	{ "live_bytes", COL_BYTES, 0, "live" },
	{ "peak_bytes", COL_BYTES, 0, "peak" },
	{ "allocations", COL_INT, 0, "allocs" },
	{ "leak_bytes", COL_BYTES, 0, "leak" },
	{ "steady_bytes", COL_BYTES, 0, "steady" },
	{ "path", COL_TEXT, 1, NULL },
};

int
cmd_modules(int argc, char **argv)
{
	struct query_opts o;
	sqlite3 *db;
	long n;
	int ret;

	ret = query_parse(argc, argv, "modules", "[OPTIONS] DB|TRACE",
	    module_columns, 8, 0, &o);
	if (ret >= 0)
		return ret;
	if ((db = query_open(&o)) == NULL)
		return 1;
	n = query_print(db, "SELECT m.name AS module,"
	    " sum(m.live_blocks) AS live_blocks,"
	    " sum(m.live_bytes) AS live_bytes,"
	    " max(m.peak_bytes) AS peak_bytes,"
	    " sum(m.allocations) AS allocations,"
	    " (SELECT coalesce(sum(s.live_bytes), 0) FROM sites s JOIN modules"
	    "  x ON x.id = s.module_id WHERE x.path = m.path AND s.class ="
	    "  'leak') AS leak_bytes,"
	    " (SELECT coalesce(sum(s.live_bytes), 0) FROM sites s JOIN modules"
	    "  x ON x.id = s.module_id WHERE x.path = m.path AND s.class ="
	    "  'steady') AS steady_bytes,"
	    " m.path AS path"
	    " FROM modules m GROUP BY m.path HAVING sum(m.allocations) > 0"
	    " ORDER BY live_bytes DESC, allocations DESC",
	    module_columns, 8, &o, NULL, NULL);
	sqlite3_close(db);
	return n < 0 ? 1 : 0;
}
