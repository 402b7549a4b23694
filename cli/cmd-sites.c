/*
 * cmd-sites.c - `heaptrail sites`, `leaks` and `growth`: allocation sites
 * from the sites table, each with its heaviest stack in JSON, or groups
 * of stacks with --by and --focus.
 *
 *   sites   every site, most bytes allocated first
 *   leaks   sites holding memory at the end of the work (or --at TIME),
 *           leaks first (those suppressed last)
 *   growth  sites ranked by how fast their live memory grows
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/live.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

static const struct column site_columns[] = {
	{ "id", COL_INT, 1, NULL, 0, 0 },
	{ "class", COL_TEXT, 0, NULL, 0, 7 },
	{ "live_bytes", COL_BYTES, 0, "live", 0, 0 },
	{ "live_blocks", COL_INT, 0, "blocks", 5, 0 },
	{ "peak_bytes", COL_BYTES, 0, "peak", 2, 0 },
	{ "allocations", COL_INT, 0, "allocs", 3, 0 },
	{ "alloc_bytes", COL_BYTES, 0, "alloc'd", 1, 0 },
	{ "growth_bytes_per_s", COL_RATE, 0, "growth", 6, 0 },	/* growth: 0 */
	{ "module", COL_TEXT, 0, NULL, 4, 8 },
	{ "function", COL_FUNCTION, 0, NULL, 0, 40 },
	{ "file", COL_FILE, 0, "file:line", 0, 24 },
	{ "line", COL_LINE, 1, NULL, 0, 0 },
	{ "pattern", COL_TEXT, 0, NULL, 0, 30 },
	{ "address", COL_TEXT, 3, NULL, 0, 0 },
	{ "mapped_bytes", COL_BYTES, 1, "mapped", 0, 0 },
	{ "suppressed", COL_TEXT, 2, NULL, 0, 8 },
};
/*
 * Tables too narrow leave out, in this order: alloc'd, peak, allocs,
 * module, blocks, growth (never in growth's); the class, live bytes,
 * function, file:line, pattern and suppression stay, cut.
 */
#define NSITE_COLUMNS (int)(sizeof site_columns / sizeof site_columns[0])

/*
 * The site columns, from "sites" joined with "w" (live_window_sql): the
 * live bytes and blocks (at --at, else at the end of --to, else at the
 * end of the work) and the growth rate (over --from/--to, else as of
 * --at); the class and pattern as of then (query_classes_at).
 */
#define SITE_SELECT \
	"SELECT id, coalesce(ca.class_at, sites.class) AS class, w.live_bytes" \
	" AS live_bytes, w.live_blocks AS live_blocks, peak_bytes," \
	" allocations, alloc_bytes, w.growth AS growth_bytes_per_s, module," \
	" function, file, line, coalesce(ca.pattern_at, sites.pattern) AS" \
	" pattern, printf('0x%x', address) AS address, mapped_bytes," \
	" sp.rule AS suppressed FROM sites LEFT JOIN temp.suppressed_sites" \
	" sp ON sp.site_id = sites.id LEFT JOIN temp.site_class_at ca ON" \
	" ca.site_id = sites.id JOIN "

/*
 * JSON: the row's stack, innermost frame first: a site's heaviest stack,
 * or (grouped rows, ARG non-NULL) the stack whose id the row carries.
 */
static void
site_stack(sqlite3 *db, sqlite3_stmt *row, void *arg)
{
	sqlite3_stmt *st = NULL;
	int first = 1;

	printf(", \"stack\": [");
	if (sqlite3_prepare_v2(db, arg != NULL ? "SELECT f.function, f.file,"
	    " f.line, m.name, coalesce(f.inlined, 0), printf('0x%x',"
	    " sf.address) FROM stack_frames sf LEFT JOIN frames f ON"
	    " f.address = sf.address LEFT JOIN modules m ON m.id ="
	    " f.module_id WHERE sf.stack_id = ? ORDER BY sf.position, f.depth"
	    : "SELECT f.function, f.file, f.line, m.name,"
	    " coalesce(f.inlined, 0), printf('0x%x', sf.address)"
	    " FROM stack_frames sf LEFT JOIN frames f ON f.address ="
	    " sf.address LEFT JOIN modules m ON m.id = f.module_id"
	    " WHERE sf.stack_id = (SELECT s.id FROM stacks s JOIN stack_stats"
	    " t ON t.stack_id = s.id WHERE s.site_id = ? ORDER BY"
	    " t.live_bytes DESC, t.alloc_bytes DESC LIMIT 1)"
	    " ORDER BY sf.position, f.depth", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, 0));
		while (sqlite3_step(st) == SQLITE_ROW) {
			printf("%s{\"function\": ", first ? "" : ", ");
			json_column(st, 0);
			printf(", \"file\": ");
			json_column(st, 1);
			printf(", \"line\": ");
			json_column(st, 2);
			printf(", \"module\": ");
			json_column(st, 3);
			printf(", \"inlined\": %s, \"address\": ",
			    sqlite3_column_int(st, 4) ? "true" : "false");
			json_column(st, 5);
			printf("}");
			first = 0;
		}
	}
	sqlite3_finalize(st);
	printf("]");
}

/* ONLY_LIVE: only the rows holding memory (leaks). */
static int
sites_run(int argc, char **argv, const char *cmd, int only_live,
    const char *order, int flags)
{
	struct query_opts o;
	sqlite3 *db;
	char *sql, *w;
	long n;
	int ret, grouped, windowed;
	long at = TIME_BUCKET_END;
	struct time_window win;

	ret = query_parse(argc, argv, cmd, "[OPTIONS] DB|TRACE", site_columns,
	    NSITE_COLUMNS, flags, &o);
	if (ret >= 0)
		return ret;
	grouped = group_wanted(&o.group);
	windowed = o.from != NULL || o.to != NULL;
	if ((db = query_open(&o)) == NULL)
		return 1;
	/* Live as of --at, or at the end of the window. */
	if (query_suppress(db, &o) != 0 || query_at(db, &o, &at) != 0 ||
	    (windowed && query_window(db, &o, &win) != 0)) {
		sqlite3_close(db);
		return 1;
	}
	if (windowed)
		at = win.to_bucket;
	if (query_classes_at(db, at) != 0 || (grouped &&
	    query_group(db, &o) != 0)) {
		sqlite3_close(db);
		return 1;
	}
	w = live_window_sql(grouped ? LIVE_OF_STACK : LIVE_OF_SITE, at,
	    windowed ? &win : NULL);
	if (grouped) {
		char *having, *g, *site_live;

		having = !only_live ? xstrdup("") :
		    xasprintf(" HAVING sum(w.live_blocks) > 0 AND"
		    " sum(w.live_bytes) >= %lld", o.min_bytes);
		site_live = live_sql(LIVE_OF_SITE, "c.id", "live_bytes", at);
		g = group_sql(&o.group, w, site_live, having);
		free(site_live);
		free(having);
		free(w);
		/* Order by the grouped query's columns. */
		sql = xasprintf("SELECT * FROM (%s) ORDER BY %s", g, order);
		free(g);
	} else {
		/* (--min-bytes is leaks': 0 for the others) */
		sql = xasprintf("%s%s w ON w.wid = sites.id WHERE %s AND"
		    " w.live_bytes >= %lld ORDER BY %s", SITE_SELECT, w,
		    only_live ? "w.live_blocks > 0" : "1", o.min_bytes, order);
		free(w);
	}
	{
		/* --by file: the file is what a row stands for; show it. */
		struct column cols[NSITE_COLUMNS];
		int i;

		memcpy(cols, site_columns, sizeof cols);
		for (i = 0; i < NSITE_COLUMNS; i++) {
			if (o.group.by != NULL && strcmp(o.group.by, "file") ==
			    0)
				cols[i].hidden = strcmp(cols[i].name,
				    "function") == 0 ? 1 : strcmp(cols[i].name,
				    "file") == 0 ? 0 : cols[i].hidden;
			/* growth keeps what it is sorted by */
			if (strcmp(cmd, "growth") == 0 && strcmp(cols[i].name,
			    "growth_bytes_per_s") == 0)
				cols[i].drop = 0;
		}
		n = query_print(db, sql, cols, NSITE_COLUMNS, &o, site_stack,
		    grouped ? (void *)&o : NULL);
	}
	ret = n < 0 ? 1 : 0;
	if (ret == 0 && o.fail_on_leak) {
		/* The rows listed (classes as of --at, --min-bytes, --by):
		   a leak among them not suppressed. */
		char *count = xasprintf("SELECT count(*) FROM (%s) WHERE"
		    " class = 'leak' AND suppressed IS NULL", sql);
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, count, -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			cli_error("%s: --fail-on-leak: %s", o.input,
			    sqlite3_errmsg(db));
			ret = 1;
		} else if (sqlite3_column_int64(st, 0) > 0) {
			ret = EXIT_LEAK;
		}
		sqlite3_finalize(st);
		free(count);
	}
	free(sql);
	sqlite3_close(db);
	return ret;
}

int
cmd_sites(int argc, char **argv)
{
	return sites_run(argc, argv, "sites", 0, "alloc_bytes DESC",
	    QUERY_AT | QUERY_GROUP | QUERY_SUPPRESS);
}

int
cmd_leaks(int argc, char **argv)
{
	return sites_run(argc, argv, "leaks", 1,
	    "suppressed IS NULL DESC, class = 'leak' DESC, live_bytes DESC",
	    QUERY_FAIL_ON_LEAK | QUERY_AT | QUERY_GROUP | QUERY_SUPPRESS |
	    QUERY_MIN_BYTES);
}

int
cmd_growth(int argc, char **argv)
{
	return sites_run(argc, argv, "growth", 0,
	    "growth_bytes_per_s DESC", QUERY_WINDOW | QUERY_GROUP |
	    QUERY_SUPPRESS);
}
