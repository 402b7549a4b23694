/*
 * cmd-modules.c - `heaptrail modules`: live blocks and bytes per ELF
 * object (the module of each site's frame), with what of it is leak and
 * what is steady, at the end of the work or --at TIME (query/modules.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "../query/modules.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

static const struct column module_columns[] = {
	{ "module", COL_TEXT, 0, NULL, 0, 12 },
	{ "live_blocks", COL_INT, 0, "blocks", 3, 0 },
	{ "live_bytes", COL_BYTES, 0, "live", 0, 0 },
	{ "peak_bytes", COL_BYTES, 0, "peak", 1, 0 },
	{ "allocations", COL_INT, 0, "allocs", 2, 0 },
	{ "leak_bytes", COL_BYTES, 0, "leak", 0, 0 },
	{ "steady_bytes", COL_BYTES, 0, "steady", 0, 0 },
	{ "path", COL_TEXT, 3, NULL, 0, 0 },	/* --wide */
	{ "mapped_bytes", COL_BYTES, 2, "mapped", 0, 0 },
};
#define NMODULE_COLUMNS (int)(sizeof module_columns / sizeof module_columns[0])
/* Too narrow: peak, allocs, blocks left out, in order. */

int
cmd_modules(int argc, char **argv)
{
	struct query_opts o;
	sqlite3 *db;
	char *rows, *sql;
	long n, at;
	int ret;

	ret = query_parse(argc, argv, "modules", "[OPTIONS] DB|TRACE",
	    module_columns, NMODULE_COLUMNS, QUERY_AT, &o);
	if (ret >= 0)
		return ret;
	if ((db = query_open(&o)) == NULL)
		return 1;
	if (query_at(db, &o, &at) != 0 || query_classes_at(db, at) != 0) {
		sqlite3_close(db);
		return 1;
	}
	rows = modules_sql(at);
	/* Tables show the mapped column only when a module has some. */
	sql = xasprintf("SELECT module, live_blocks, live_bytes, peak_bytes,"
	    " allocations, leak_bytes, steady_bytes, path, %s FROM (%s)",
	    o.format == QF_TABLE ? "nullif(mapped_bytes, 0)" : "mapped_bytes",
	    rows);
	free(rows);
	n = query_print(db, sql, module_columns, NMODULE_COLUMNS, &o, NULL,
	    NULL);
	free(sql);
	sqlite3_close(db);
	return n < 0 ? 1 : 0;
}
