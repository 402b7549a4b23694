/*
 * cmd-diff.c - `heaptrail diff`: what changed from A to B.
 *
 *   heaptrail diff [OPTIONS] A B                two runs (DBs or traces)
 *   heaptrail diff [OPTIONS] --from T1 --to T2 DB   two times of one run
 *
 * Each side is a set of sites with their live bytes and blocks and the
 * allocations made so far: for a run, at its end (or at --at TIME, the
 * same TIME in both); for a time, from the site series (to the bucket
 * that holds it).  Sites are matched by symbol, function and source
 * file, not by address, so two builds of a program compare: sites of
 * one function and file are one row.  A site without a function stands
 * for MODULE+0xOFFSET (its address less the module's load bias), and
 * stacks of no frames for "[no stack]".  Rows where nothing changed are
 * left out; the rest come biggest change of live bytes first.
 *
 * B is attached to A's connection as the schema "b", so one SQL
 * statement sees both; each side is computed once, into a temporary
 * table.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analyzer/analyzer.h"
#include "../query/classes.h"
#include "../query/units.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

static const struct column diff_columns[] = {
	{ "change", COL_TEXT, 0, NULL, 0, 6 },	/* new, gone, grew, shrank,
						   same */
	{ "live_bytes_delta", COL_DELTA_BYTES, 0, "live +/-", 0, 0 },
	{ "live_bytes_a", COL_BYTES, 0, "live A", 2, 0 },
	{ "live_bytes_b", COL_BYTES, 0, "live B", 3, 0 },
	{ "live_blocks_delta", COL_DELTA, 1, NULL, 0, 0 },
	{ "live_blocks_a", COL_INT, 1, NULL, 0, 0 },
	{ "live_blocks_b", COL_INT, 1, NULL, 0, 0 },
	{ "allocations_delta", COL_DELTA, 0, "allocs +/-", 1, 0 },
	{ "allocations_a", COL_INT, 1, NULL, 0, 0 },
	{ "allocations_b", COL_INT, 1, NULL, 0, 0 },
	{ "alloc_bytes_delta", COL_DELTA_BYTES, 1, NULL, 0, 0 },
	{ "alloc_bytes_a", COL_BYTES, 1, NULL, 0, 0 },
	{ "alloc_bytes_b", COL_BYTES, 1, NULL, 0, 0 },
	{ "class", COL_TEXT, 0, NULL, 0, 7 },	/* class_b, or class_a if gone */
	{ "class_a", COL_TEXT, 1, NULL, 0, 0 },
	{ "class_b", COL_TEXT, 1, NULL, 0, 0 },
	{ "module", COL_TEXT, 0, NULL, 4, 8 },
	{ "function", COL_FUNCTION, 0, NULL, 0, 40 },
	{ "file", COL_FILE, 3, NULL, 0, 24 },	/* --wide */
};
#define NDIFF_COLUMNS (int)(sizeof diff_columns / sizeof diff_columns[0])

/* A site's name for matching: its function, or what stands for it. */
#define SITE_KEY \
	"coalesce(s.function, CASE WHEN coalesce(s.address, 0) = 0 THEN" \
	" '[no stack]' ELSE printf('%%s+0x%%x', coalesce(s.module, '?')," \
	" s.address - coalesce(m.base, 0)) END)"

/*
 * One side's sites from schema SCHEMA: at the end (BUCKET NULL) or at
 * the end of time bucket BUCKET ("-1": the start, nothing yet).
 * Columns: function, file, module, class, live_bytes, live_blocks,
 * allocations, alloc_bytes.
 */
static char *
diff_side(const char *schema, const char *bucket)
{
	if (bucket == NULL)
		return xasprintf("SELECT " SITE_KEY " AS function, s.file AS"
		    " file, s.module AS module, s.class AS class,"
		    " s.live_bytes AS live_bytes, s.live_blocks AS"
		    " live_blocks, s.allocations AS allocations,"
		    " s.alloc_bytes AS alloc_bytes FROM %1$s.sites s LEFT"
		    " JOIN %1$s.modules m ON m.id = s.module_id", schema);
	/* One pass over the series: a site's row of its last bucket up to
	   BUCKET (SQLite takes bare columns from the row of a lone max()),
	   and its allocations summed. */
	return xasprintf("SELECT " SITE_KEY " AS function, s.file AS file,"
	    " s.module AS module, s.class AS class, coalesce(x.live_bytes, 0)"
	    " AS live_bytes, coalesce(x.live_blocks, 0) AS live_blocks,"
	    " coalesce(x.allocations, 0) AS allocations,"
	    " coalesce(x.alloc_bytes, 0) AS alloc_bytes FROM %1$s.sites s"
	    " LEFT JOIN %1$s.modules m ON m.id = s.module_id LEFT JOIN"
	    " (SELECT site_id, live_bytes, live_blocks, max(bucket),"
	    " sum(allocations) AS allocations, sum(alloc_bytes) AS"
	    " alloc_bytes FROM %1$s.site_series WHERE bucket <= %2$s GROUP BY"
	    " site_id) x ON x.site_id = s.id", schema, bucket);
}

/* The diff of the sides temp.side_a and temp.side_b, in diff_columns. */
static const char diff_sql[] =
	"WITH a AS (SELECT * FROM temp.side_a), b AS (SELECT * FROM"
	    " temp.side_b), u AS ("
	    " SELECT function, file, module, class AS class_a, NULL AS"
	    " class_b, live_bytes AS la, live_blocks AS ka, allocations AS"
	    " na, alloc_bytes AS ba, 0 AS lb, 0 AS kb, 0 AS nb, 0 AS bb,"
	    " 1 AS in_a, 0 AS in_b FROM a UNION ALL"
	    " SELECT function, file, module, NULL, class, 0, 0, 0, 0,"
	    " live_bytes, live_blocks, allocations, alloc_bytes, 0, 1 FROM b)"
	    " SELECT CASE WHEN max(in_a) = 0 OR (sum(la) = 0 AND sum(na) = 0)"
	    " THEN 'new' WHEN max(in_b) = 0 OR (sum(lb) = 0 AND sum(nb) = 0)"
	    " THEN 'gone' WHEN sum(lb) > sum(la) THEN 'grew' WHEN sum(lb) <"
	    " sum(la) THEN 'shrank' ELSE 'same' END AS change,"
	    " sum(lb) - sum(la) AS live_bytes_delta, sum(la) AS live_bytes_a,"
	    " sum(lb) AS live_bytes_b, sum(kb) - sum(ka) AS"
	    " live_blocks_delta, sum(ka) AS live_blocks_a, sum(kb) AS"
	    " live_blocks_b, sum(nb) - sum(na) AS allocations_delta, sum(na)"
	    " AS allocations_a, sum(nb) AS allocations_b, sum(bb) - sum(ba)"
	    " AS alloc_bytes_delta, sum(ba) AS alloc_bytes_a, sum(bb) AS"
	    " alloc_bytes_b, coalesce(" CLASSES_WORST_SQL("class_b") ", "
	    CLASSES_WORST_SQL("class_a") ") AS class, "
	    CLASSES_WORST_SQL("class_a") " AS class_a, "
	    CLASSES_WORST_SQL("class_b")
	    " AS class_b, max(module) AS module, function,"
	    " file FROM u GROUP BY function, file HAVING live_bytes_delta != 0"
	    " OR live_blocks_delta != 0 OR allocations_delta != 0 OR"
	    " alloc_bytes_delta != 0 ORDER BY abs(live_bytes_delta) DESC,"
	    " abs(allocations_delta) DESC, function";

/* Table output: a line saying what A and B are, and their totals. */
static void
diff_heading(sqlite3 *db, const char *what_a, const char *what_b)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT (SELECT sum(live_bytes) FROM"
	    " temp.side_a), (SELECT sum(allocations) FROM temp.side_a),"
	    " (SELECT sum(live_bytes) FROM temp.side_b), (SELECT"
	    " sum(allocations) FROM temp.side_b)", -1, &st, NULL) ==
	    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		char la[32], lb[32], d[32];
		long long x = sqlite3_column_int64(st, 0);
		long long y = sqlite3_column_int64(st, 2);

		printf("A: %s\nB: %s\nlive %s -> %s (%c%s), allocations %lld "
		    "-> %lld\n\n", what_a, what_b, units_bytes((uint64_t)x, la,
		    sizeof la), units_bytes((uint64_t)y, lb, sizeof lb),
		    y < x ? '-' : '+', units_bytes((uint64_t)(y < x ? x - y :
		    y - x), d, sizeof d), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 3));
	}
	sqlite3_finalize(st);
}

/*
 * TIME in DB for the heading: "the end of the work" (TIME NULL or "end",
 * BUCKET "": the live columns) or "12.500 s (TIME)";
 * NULL after printing what is wrong.  With BUCKET, also its time bucket
 * there as SQL text ("-1": the start, nothing yet).
 */
static char *
diff_at(sqlite3 *db, const char *spec, char *bucket, size_t cap)
{
	double t;

	if (spec == NULL || strcmp(spec, "end") == 0) {
		if (bucket != NULL)
			bucket[0] = '\0';	/* the live columns */
		return xstrdup("the end of the work");
	}
	if (query_time(db, spec, &t) != 0)
		return NULL;
	if (bucket != NULL)
		snprintf(bucket, cap, "%ld", t > 0 ? time_bucket(db, t) :
		    TIME_BUCKET_START);
	return xasprintf("%.3f s (%s)", t, spec);
}

int
cmd_diff(int argc, char **argv)
{
	struct query_opts o, ob;
	sqlite3 *db = NULL, *db_b = NULL;
	sqlite3_stmt *st = NULL;
	char *side_a = NULL, *side_b = NULL, *sql = NULL;
	char *what_a = NULL, *what_b = NULL, *when_a = NULL, *when_b = NULL;
	char bucket_a[32], bucket_b[32];
	int ret;

	ret = query_parse(argc, argv, "diff", "[OPTIONS] A B | --from T1 "
	    "--to T2 DB", diff_columns, NDIFF_COLUMNS, QUERY_AT |
	    QUERY_WINDOW | QUERY_TWO_INPUTS, &o);
	if (ret >= 0)
		return ret;
	if (o.input2 != NULL && (o.from != NULL || o.to != NULL))
		return cli_usage("diff", "two runs are compared at the end, "
		    "or both --at TIME: --from/--to are for two times of one"
		    " run");
	if (o.input2 == NULL && o.from == NULL && o.to == NULL)
		return cli_usage("diff", "want two DBs or TRACEs, or one with"
		    " --from/--to");
	if (o.input2 == NULL && o.at != NULL)
		return cli_usage("diff", "--at is for two runs; one run's "
		    "times are --from and --to");
	if ((db = query_open(&o)) == NULL)
		return 1;
	ret = 1;
	if (o.input2 != NULL) {
		ob = o;
		ob.input = o.input2;
		if ((db_b = query_open(&ob)) == NULL)
			goto out;
		if ((when_a = diff_at(db, o.at, bucket_a, sizeof bucket_a)) ==
		    NULL || (when_b = diff_at(db_b, o.at, bucket_b,
		    sizeof bucket_b)) == NULL)
			goto out;
		/* A trace's database has its own name: attach that. */
		if (sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS b", -1, &st,
		    NULL) != SQLITE_OK || sqlite3_bind_text(st, 1,
		    sqlite3_db_filename(db_b, "main"), -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			cli_error("%s: cannot open beside %s: %s", o.input2,
			    o.input, sqlite3_errmsg(db));
			goto out;
		}
		side_a = diff_side("main", o.at && bucket_a[0] ? bucket_a :
		    NULL);
		side_b = diff_side("b", o.at && bucket_b[0] ? bucket_b : NULL);
		what_a = xasprintf("%s at %s", o.input, when_a);
		what_b = xasprintf("%s at %s", o.input2, when_b);
	} else {
		struct time_window win;

		if (query_window(db, &o, &win) != 0)
			goto out;
		snprintf(bucket_a, sizeof bucket_a, "%ld", win.from_bucket);
		snprintf(bucket_b, sizeof bucket_b, "%ld", win.to_bucket);
		if ((when_a = diff_at(db, o.from ? o.from : "0", NULL, 0)) ==
		    NULL || (when_b = diff_at(db, o.to ? o.to : "end", NULL,
		    0)) == NULL)
			goto out;
		side_a = diff_side("main", bucket_a);
		side_b = diff_side("main", win.to_bucket == TIME_BUCKET_END ?
		    NULL : bucket_b);
		what_a = xasprintf("%s at %s", o.input, when_a);
		what_b = xasprintf("%s at %s", o.input, when_b);
	}
	/* Each side once, into a temporary table the rest reads. */
	sql = xasprintf("CREATE TEMP TABLE side_a AS %s; CREATE TEMP TABLE"
	    " side_b AS %s", side_a, side_b);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		cli_error("%s: query failed: %s", o.input, sqlite3_errmsg(db));
		goto out;
	}
	if (o.format == QF_TABLE)
		diff_heading(db, what_a, what_b);
	ret = query_print(db, diff_sql, diff_columns, NDIFF_COLUMNS, &o, NULL,
	    NULL) < 0 ? 1 : 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db_b);
	sqlite3_close(db);
	free(side_a);
	free(side_b);
	free(sql);
	free(what_a);
	free(what_b);
	free(when_a);
	free(when_b);
	return ret;
}
