/*
 * cmd-sites.c - `heaptrail sites`, `leaks` and `growth`: allocation sites
 * from the sites table, each with its heaviest stack in JSON, or groups
 * of stacks with --by and --focus.
 *
 *   sites   every site, most bytes allocated first
 *   leaks   sites still holding memory at the end, leaks first (those
 *           suppressed last)
 *   growth  sites ranked by how fast their live memory grows
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

static const struct column site_columns[] = {
	{ "id", COL_INT, 1, NULL },
	{ "class", COL_TEXT, 0, NULL },
	{ "live_bytes", COL_BYTES, 0, "live" },
	{ "live_blocks", COL_INT, 0, "blocks" },
	{ "peak_bytes", COL_BYTES, 0, "peak" },
	{ "allocations", COL_INT, 0, "allocs" },
	{ "alloc_bytes", COL_BYTES, 0, "alloc'd" },
	{ "growth_bytes_per_s", COL_RATE, 0, "growth" },
	{ "module", COL_TEXT, 0, NULL },
	{ "function", COL_TEXT, 0, NULL },
	{ "file", COL_TEXT, 1, NULL },
	{ "line", COL_INT, 1, NULL },
	{ "pattern", COL_TEXT, 1, NULL },
	{ "address", COL_TEXT, 0, NULL },
	{ "mapped_bytes", COL_BYTES, 1, "mapped" },
	{ "suppressed", COL_TEXT, 2, NULL },
};
#define NSITE_COLUMNS (int)(sizeof site_columns / sizeof site_columns[0])

/*
 * The site columns, from "sites" joined with "w" (live_window): the live
 * bytes and blocks (at --at, else at the end of the work) and the growth
 * rate (over --from/--to, else the work); the class and pattern as of
 * --at (query_classes_at).
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
 * "w": per site (OF: QUERY_OF_SITE, from sites) or stack (from
 * stack_stats), its id (wid), its live bytes and blocks at bucket AT
 * (query_at; QUERY_BUCKET_END: the end of the work) and its growth rate
 * over --from/--to (else a
 * site's over the work; a stack has none, as a fitted rate does not add
 * up over stacks while a window's change does).  NULL after an error.
 */
static char *
live_window(sqlite3 *db, const struct query_opts *o, long at,
    enum query_of of)
{
	const char *id = of == QUERY_OF_SITE ? "s.id" : "s.stack_id";
	long from_bucket, to_bucket;
	char *bytes, *blocks, *growth = NULL, *w;
	double seconds;

	if ((o->from != NULL || o->to != NULL) && query_window(db, o,
	    &from_bucket, &to_bucket, &seconds) != 0)
		return NULL;
	/* At the end of the work: the row's own columns. */
	bytes = at == QUERY_BUCKET_END ? xstrdup("s.live_bytes") :
	    query_live_sql(of, id, "live_bytes", at);
	blocks = at == QUERY_BUCKET_END ? xstrdup("s.live_blocks") :
	    query_live_sql(of, id, "live_blocks", at);
	if (o->from != NULL || o->to != NULL) {
		char *a = query_live_sql(of, id, "live_bytes", from_bucket);
		char *b = to_bucket == QUERY_BUCKET_END ?
		    xstrdup("s.live_bytes") : query_live_sql(of, id,
		    "live_bytes", to_bucket);

		growth = xasprintf("(%s - %s) / %.9f", b, a, seconds);
		free(a);
		free(b);
	}
	w = xasprintf("(SELECT %s AS wid, %s AS live_bytes, %s AS live_blocks,"
	    " %s AS growth FROM %s s)", id, bytes, blocks, growth ? growth :
	    of == QUERY_OF_SITE ? "s.growth_bytes_per_s" : "NULL",
	    of == QUERY_OF_SITE ? "sites" : "stack_stats");
	free(bytes);
	free(blocks);
	free(growth);
	return w;
}

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

/*
 * --by and --focus: rows are groups of stacks.  "k" gives each stack its
 * group frame: the site's (by default) or the innermost frame whose
 * function or file contains a --focus pattern (stacks without one keep
 * their site, so the totals stay whole).  Sums come from stack_stats,
 * and the live bytes, blocks and growth from W (live_window: as of
 * --at, over --from/--to); a group's class is the worst of its stacks'
 * sites (leak, unclear, steady, freed); peak, and the growth of the
 * whole run, do not add up over stacks and are left null.  A group is
 * suppressed when its stacks are (SUPP_GROUP_RULE).
 */
static char *
sites_grouped(const struct query_opts *o, const char *w, const char *having)
{
	const char *by = o->by ? o->by : "site";
	char *k, *match = NULL, *sql;
	const char *key;
	int i;

	if (o->nfocus > 0) {
		for (i = 0; i < o->nfocus; i++) {
			char *m = sqlite3_mprintf("%s%s(instr(coalesce("
			    "fr.function, ''), %Q) > 0 OR instr(coalesce("
			    "fr.file, ''), %Q) > 0)", match ? match : "",
			    match ? " OR " : "", o->focus[i], o->focus[i]);

			sqlite3_free(match);
			match = m;
		}
		k = xasprintf("WITH m AS (SELECT sf.stack_id, min(sf.position"
		    " * 256 + fr.depth) AS key FROM stack_frames sf JOIN"
		    " frames fr ON fr.address = sf.address WHERE %s GROUP BY"
		    " sf.stack_id), k AS (SELECT m.stack_id, fr.function AS"
		    " gfunction, fr.file AS gfile, fr.line AS gline, md.name"
		    " AS gmodule, sf.address AS gaddress, st.site_id AS gsite"
		    " FROM m JOIN stack_frames sf ON sf.stack_id = m.stack_id"
		    " AND sf.position = m.key / 256 JOIN frames fr ON"
		    " fr.address = sf.address AND fr.depth = m.key %% 256"
		    " LEFT JOIN modules md ON md.id = fr.module_id JOIN stacks"
		    " st ON st.id = m.stack_id"
		    /* Stacks with no frame that matches keep their site. */
		    " UNION ALL SELECT st.id, s.function, s.file, s.line,"
		    " s.module, s.address, s.id FROM stacks st JOIN sites s ON"
		    " s.id = st.site_id WHERE st.id NOT IN (SELECT stack_id"
		    " FROM m)) ", match);
		sqlite3_free(match);
	} else {
		k = xstrdup("WITH k AS (SELECT st.id AS stack_id, s.function"
		    " AS gfunction, s.file AS gfile, s.line AS gline, s.module"
		    " AS gmodule, s.address AS gaddress, s.id AS gsite FROM"
		    " stacks st JOIN sites s ON s.id = st.site_id) ");
	}
	if (strcmp(by, "stack") == 0)
		key = "k.stack_id";
	else if (strcmp(by, "function") == 0)
		key = "k.gfunction, k.gmodule";
	else if (strcmp(by, "file") == 0)
		key = "k.gfile";
	else if (strcmp(by, "object") == 0)
		key = "k.gmodule";
	else
		key = "k.gaddress, k.gfunction, k.gfile, k.gline";
	sql = xasprintf("%sSELECT g.id, g.class, g.live_bytes, g.live_blocks,"
	    " g.peak_bytes, g.allocations, g.alloc_bytes,"
	    " g.growth_bytes_per_s, g.module, g.function, g.file, g.line,"
	    " g.pattern, g.address, g.mapped_bytes, r.text AS suppressed"
	    " FROM (SELECT min(k.stack_id) AS id, coalesce("
	    WORST_CLASS("coalesce(ca.class_at, c.class)") ", 'freed') AS class,"
	    " sum(w.live_bytes) AS"
	    " live_bytes, sum(w.live_blocks) AS live_blocks, NULL AS"
	    " peak_bytes, sum(ss.allocations) AS allocations,"
	    " sum(ss.alloc_bytes) AS alloc_bytes, sum(w.growth) AS"
	    " growth_bytes_per_s, k.gmodule AS module, %s AS function, %s AS"
	    " file, %s AS line, NULL AS pattern, %s AS address, NULL AS"
	    " mapped_bytes, " SUPP_GROUP_RULE("ss.live_blocks",
	    "ss.live_bytes", "sx.rule") " AS rule_id FROM k JOIN stack_stats ss ON ss.stack_id ="
	    " k.stack_id JOIN %s w ON w.wid = k.stack_id LEFT JOIN sites c"
	    " ON c.id = k.gsite LEFT JOIN temp.site_class_at ca ON"
	    " ca.site_id = k.gsite LEFT JOIN"
	    " temp.suppressed_stacks sx ON sx.stack_id = k.stack_id"
	    " GROUP BY %s%s) g LEFT JOIN temp.suppression_rules r ON r.id ="
	    " g.rule_id", k,
	    strcmp(by, "file") == 0 || strcmp(by, "object") == 0 ? "NULL" :
	    "k.gfunction", strcmp(by, "object") == 0 ? "NULL" : "k.gfile",
	    strcmp(by, "site") == 0 || strcmp(by, "stack") == 0 ? "k.gline" :
	    "NULL", strcmp(by, "site") == 0 || strcmp(by, "stack") == 0 ?
	    "printf('0x%x', k.gaddress)" : "NULL", w, key, having);
	free(k);
	return sql;
}

static int
sites_run(int argc, char **argv, const char *cmd, const char *where,
    const char *order, int flags)
{
	struct query_opts o;
	sqlite3 *db;
	char *sql, *w;
	long n;
	int ret, grouped;
	long at = QUERY_BUCKET_END;

	ret = query_parse(argc, argv, cmd, "[OPTIONS] DB|TRACE", site_columns,
	    NSITE_COLUMNS, flags, &o);
	if (ret >= 0)
		return ret;
	grouped = o.nfocus > 0 || (o.by != NULL && strcmp(o.by, "site") != 0);
	if ((db = query_open(&o)) == NULL)
		return 1;
	if (supp_apply(db, &o) != 0 || (o.at != NULL && query_at(db, &o,
	    &at) != 0) || query_classes_at(db, at) != 0) {
		sqlite3_close(db);
		return 1;
	}
	if (grouped) {
		char *having, *g;

		if ((w = live_window(db, &o, at, QUERY_OF_STACK)) == NULL) {
			sqlite3_close(db);
			return 1;
		}
		having = strstr(where, "live_blocks") == NULL ? xstrdup("") :
		    xasprintf(" HAVING sum(w.live_blocks) > 0 AND"
		    " sum(w.live_bytes) >= %lld", o.min_bytes);
		g = sites_grouped(&o, w, having);
		free(having);
		free(w);
		/* Order by the grouped query's columns; growth rates only
		   over a window (--from/--to). */
		sql = xasprintf("SELECT * FROM (%s) ORDER BY %s", g,
		    strstr(order, "growth") && o.from == NULL && o.to == NULL ?
		    "alloc_bytes DESC" : order);
		free(g);
	} else {
		if ((w = live_window(db, &o, at, QUERY_OF_SITE)) == NULL) {
			sqlite3_close(db);
			return 1;
		}
		/* --min-bytes is leaks': its WHERE is there to add to. */
		sql = xasprintf("%s%s w ON w.wid = sites.id%s AND w.live_bytes"
		    " >= %lld ORDER BY %s", SITE_SELECT, w, where[0] ? where :
		    " WHERE 1", o.min_bytes, order);
		free(w);
	}
	{
		/* --by file: the file is what a row stands for; show it. */
		struct column cols[NSITE_COLUMNS];
		int i;

		memcpy(cols, site_columns, sizeof cols);
		for (i = 0; i < NSITE_COLUMNS; i++)
			if (o.by != NULL && strcmp(o.by, "file") == 0)
				cols[i].hidden = strcmp(cols[i].name,
				    "function") == 0 ? 1 : strcmp(cols[i].name,
				    "file") == 0 ? 0 : cols[i].hidden;
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

		if (sqlite3_prepare_v2(db, count, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int64(st, 0) > 0)
			ret = EXIT_LEAK;
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
	return sites_run(argc, argv, "sites", "", "alloc_bytes DESC",
	    QUERY_AT | QUERY_GROUP | QUERY_SUPPRESS);
}

int
cmd_leaks(int argc, char **argv)
{
	return sites_run(argc, argv, "leaks", " WHERE w.live_blocks > 0",
	    "suppressed IS NULL DESC, class = 'leak' DESC, live_bytes DESC",
	    QUERY_FAIL_ON_LEAK | QUERY_AT | QUERY_GROUP | QUERY_SUPPRESS |
	    QUERY_MIN_BYTES);
}

int
cmd_growth(int argc, char **argv)
{
	return sites_run(argc, argv, "growth", "",
	    "growth_bytes_per_s DESC", QUERY_WINDOW | QUERY_GROUP |
	    QUERY_SUPPRESS);
}
