/*
 * group.c - rows that are groups of stacks (group.h).
 *
 * "k" gives each stack its group frame: its site's (by default) or the
 * innermost frame whose function or file contains a --focus pattern
 * (stacks without one keep their site, so the totals stay whole); the
 * table group_key holds it with the group's number (gid).  Over a group:
 *
 *   live bytes, blocks  the sum of its stacks' (W: as of --at, at the end
 *                       of a window)
 *   allocations, bytes  the sum of its stacks' (stack_stats)
 *   class               the worst of its stacks' sites' (classes.h), as
 *                       of --at (temp.site_class_at)
 *   peak                the highest of its summed live bytes at the end
 *                       of any time bucket (stack_series, summed in C:
 *                       in SQL it took 9 s on 4.5M rows, see
 *                       group_peaks), of its heaviest stack's own peak,
 *                       and of its live bytes at the end of the work and
 *                       as of --at (the buckets' ends miss the peaks
 *                       between them)
 *   growth              over a window, the sum of its stacks' change;
 *                       else each site's rate (as of --at) shared out
 *                       by the part of the site's live bytes the group
 *                       holds (of its bytes allocated, when the site
 *                       holds none): a group of whole sites has the sum
 *                       of their rates
 *   mapped bytes        its live blocks at the end of the work that are
 *                       anonymous mappings (blocks.entry mmap, mremap)
 *   suppressed          when its stacks are (SUPP_GROUP_RULE)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include <sqlite3.h>

#include "../analyzer/analyzer.h"
#include "../util/xmalloc.h"
#include "classes.h"
#include "group.h"
#include "suppress.h"

int
group_wanted(const struct group_opts *g)
{
	return g->nfocus > 0 || (g->by != NULL && strcmp(g->by, "site") != 0);
}

/* "k": each stack's group frame (see the top of the file). */
static char *
group_frames(const struct group_opts *g)
{
	char *match = NULL, *k;
	int i;

	if (g->nfocus == 0)
		return xstrdup("k AS (SELECT st.id AS stack_id, s.function"
		    " AS gfunction, s.file AS gfile, s.line AS gline, s.module"
		    " AS gmodule, s.address AS gaddress, s.id AS gsite FROM"
		    " stacks st JOIN sites s ON s.id = st.site_id)");
	for (i = 0; i < g->nfocus; i++) {
		char *m = sqlite3_mprintf("%s%s(instr(coalesce(fr.function,"
		    " ''), %Q) > 0 OR instr(coalesce(fr.file, ''), %Q) > 0)",
		    match ? match : "", match ? " OR " : "", g->focus[i],
		    g->focus[i]);

		sqlite3_free(match);
		match = m;
	}
	k = xasprintf("m AS (SELECT sf.stack_id, min(sf.position * 256 +"
	    " fr.depth) AS key FROM stack_frames sf JOIN frames fr ON"
	    " fr.address = sf.address WHERE %s GROUP BY sf.stack_id),"
	    " k AS (SELECT m.stack_id, fr.function AS gfunction, fr.file AS"
	    " gfile, fr.line AS gline, md.name AS gmodule, sf.address AS"
	    " gaddress, st.site_id AS gsite FROM m JOIN stack_frames sf ON"
	    " sf.stack_id = m.stack_id AND sf.position = m.key / 256 JOIN"
	    " frames fr ON fr.address = sf.address AND fr.depth = m.key %% 256"
	    " LEFT JOIN modules md ON md.id = fr.module_id JOIN stacks st ON"
	    " st.id = m.stack_id"
	    /* Stacks with no frame that matches keep their site. */
	    " UNION ALL SELECT st.id, s.function, s.file, s.line, s.module,"
	    " s.address, s.id FROM stacks st JOIN sites s ON s.id = st.site_id"
	    " WHERE st.id NOT IN (SELECT stack_id FROM m))", match);
	sqlite3_free(match);
	return k;
}

/* The key that makes a group for G->by. */
static const char *
group_key_columns(const struct group_opts *g)
{
	const char *by = g->by ? g->by : "site";

	if (strcmp(by, "stack") == 0)
		return "k.stack_id";
	if (strcmp(by, "function") == 0)
		return "k.gfunction, k.gmodule";
	if (strcmp(by, "file") == 0)
		return "k.gfile";
	if (strcmp(by, "object") == 0)
		return "k.gmodule";
	return "k.gaddress, k.gfunction, k.gfile, k.gline";
}

/* Groups x buckets summed in one table up to this many cells (64 MiB). */
#define GROUP_DENSE_CELLS (8.0 * 1024 * 1024)

/* The highest running sum of N changes, which are zeroed on the way. */
static int64_t
peak_of_changes(int64_t *changes, long n)
{
	int64_t live = 0, peak = 0;
	long b;

	for (b = 0; b < n; b++) {
		live += changes[b];
		changes[b] = 0;
		if (live > peak)
			peak = live;
	}
	return peak;
}

static int
group_peak_add(sqlite3_stmt *ins, int64_t gid, int64_t peak)
{
	sqlite3_bind_int64(ins, 1, gid);
	sqlite3_bind_int64(ins, 2, peak);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(ins);
	return 0;
}

/*
 * temp.group_peak from the stacks' series: each group's live bytes per
 * bucket are the sums of its stacks' changes (a series row is a change).
 * The series is read once, in its key's order, its changes summed into
 * a table of groups by buckets, or (too many groups for that) kept and
 * sorted by group, each group then summed into one array of buckets.
 */
static int
group_peaks(sqlite3 *db, char **cause)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	int64_t nstacks, ngroups, *gid_of = NULL, *acc = NULL;
	size_t *first = NULL, *order = NULL, *next, i, n = 0, cap = 0;
	struct change { uint32_t stack; uint16_t bucket; int64_t delta; }
	    *rows = NULL;
	long buckets = 0;
	int64_t g, last = -1, prev = 0;
	int ret = -1, rc, dense, in_savepoint = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(stack_id) + 1, max(gid) + 1"
	    " FROM temp.group_key", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto sql_error;
	nstacks = sqlite3_column_int64(st, 0) > 0 ?
	    sqlite3_column_int64(st, 0) : 1;
	ngroups = sqlite3_column_int64(st, 1) > 0 ?
	    sqlite3_column_int64(st, 1) : 1;
	sqlite3_finalize(st);
	st = NULL;
	gid_of = xcalloc((size_t)nstacks, sizeof *gid_of);
	if (sqlite3_prepare_v2(db, "SELECT stack_id, gid FROM"
	    " temp.group_key", -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id >= 0 && id < nstacks)
			gid_of[id] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	/*
	 * Each stack's changes: the series' rows less the row before.  Few
	 * groups (by function, file, object): summed at once into a table
	 * of groups by buckets.  Many (by stack): kept, then sorted by
	 * group (the table would be groups x buckets cells).
	 */
	buckets = (long)db_meta_number(db, "buckets");
	if (buckets <= 0 || buckets > UINT16_MAX + 1)
		buckets = UINT16_MAX + 1;
	dense = (double)ngroups * (double)buckets <= GROUP_DENSE_CELLS;
	if (dense)
		acc = xcalloc((size_t)ngroups * (size_t)buckets, sizeof *acc);
	if (sqlite3_prepare_v2(db, "SELECT stack_id, bucket, live_bytes FROM"
	    " stack_series ORDER BY stack_id, bucket", -1, &st, NULL) !=
	    SQLITE_OK)
		goto sql_error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int64_t bytes = sqlite3_column_int64(st, 2);
		int b = sqlite3_column_int(st, 1);

		if (id < 0 || id >= nstacks || b < 0 || b >= buckets)
			continue;
		if (id != last)
			prev = 0;
		if (dense) {
			acc[gid_of[id] * buckets + b] += bytes - prev;
		} else {
			if (n == cap) {
				cap = cap ? cap * 2 : 65536;
				rows = xreallocarray(rows, cap, sizeof *rows);
			}
			rows[n].stack = (uint32_t)id;
			rows[n].bucket = (uint16_t)b;
			rows[n++].delta = bytes - prev;
		}
		last = id;
		prev = bytes;
	}
	if (rc != SQLITE_DONE)
		goto sql_error;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.group_peak; CREATE"
	    " TEMP TABLE group_peak (gid INTEGER PRIMARY KEY, peak INTEGER)",
	    NULL, NULL, NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "INSERT"
	    " INTO temp.group_peak VALUES (?, ?)", -1, &ins, NULL) !=
	    SQLITE_OK || sqlite3_exec(db, "SAVEPOINT group_peak", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto sql_error;
	in_savepoint = 1;	/* one transaction for the rows */
	if (dense) {
		for (g = 0; g < ngroups; g++) {
			if (group_peak_add(ins, g, peak_of_changes(acc + g *
			    buckets, buckets)) != 0)
				goto sql_error;
		}
		ret = 0;
		goto out;
	}
	/* The rows by group (a counting sort), then each group's sum. */
	first = xcalloc((size_t)ngroups + 1, sizeof *first);
	for (i = 0; i < n; i++)
		first[gid_of[rows[i].stack] + 1]++;
	for (g = 0; g < ngroups; g++)
		first[g + 1] += first[g];
	next = xcalloc((size_t)ngroups, sizeof *next);
	memcpy(next, first, (size_t)ngroups * sizeof *next);
	order = xcalloc(n ? n : 1, sizeof *order);
	for (i = 0; i < n; i++)
		order[next[gid_of[rows[i].stack]]++] = i;
	free(next);
	acc = xcalloc((size_t)buckets, sizeof *acc);
	for (g = 0; g < ngroups; g++) {
		if (first[g] == first[g + 1])
			continue;
		for (i = first[g]; i < first[g + 1]; i++)
			acc[rows[order[i]].bucket] += rows[order[i]].delta;
		if (group_peak_add(ins, g, peak_of_changes(acc, buckets)) !=
		    0)
			goto sql_error;
	}
	ret = 0;
	goto out;
sql_error:
	*cause = xasprintf("%s: grouping: %s", sqlite3_db_filename(db,
	    "main"), sqlite3_errmsg(db));
out:
	if (in_savepoint && sqlite3_exec(db, "RELEASE group_peak", NULL, NULL,
	    NULL) != SQLITE_OK && ret == 0) {
		*cause = xasprintf("%s: grouping: %s", sqlite3_db_filename(db,
		    "main"), sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	free(rows);
	free(first);
	free(order);
	free(acc);
	free(gid_of);
	return ret;
}

int
group_prepare(sqlite3 *db, const struct group_opts *g, char **cause)
{
	char *k = group_frames(g), *sql;
	int rc;

	/* Mappings are rare: their blocks are summed only if the run has
	   some live at the end of the work. */
	sql = xasprintf("DROP TABLE IF EXISTS temp.group_key; CREATE TEMP"
	    " TABLE group_key (stack_id INTEGER PRIMARY KEY, gfunction,"
	    " gfile, gline, gmodule, gaddress, gsite, gid, mapped INTEGER NOT"
	    " NULL DEFAULT 0); INSERT INTO temp.group_key (stack_id,"
	    " gfunction, gfile, gline, gmodule, gaddress, gsite, gid) WITH %s"
	    " SELECT k.*, dense_rank() OVER (ORDER BY %s) FROM k;"
	    " UPDATE temp.group_key SET mapped = (SELECT sum(b.size) FROM"
	    " blocks b WHERE b.stack_id = group_key.stack_id AND"
	    " b.live_at_end = 1 AND b.entry IN ('mmap', 'mremap')) WHERE"
	    " (SELECT value FROM meta WHERE key = 'mapped_bytes_end') > 0 AND"
	    " stack_id IN (SELECT stack_id FROM blocks WHERE entry IN ('mmap',"
	    " 'mremap'))", k, group_key_columns(g));
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	free(sql);
	free(k);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: grouping: %s", sqlite3_db_filename(db,
		    "main"), sqlite3_errmsg(db));
		return -1;
	}
	return group_peaks(db, cause);
}

char *
group_sql(const struct group_opts *g, const char *w, const char *site_live,
    const char *having)
{
	const char *by = g->by ? g->by : "site";
	int whole_frame = strcmp(by, "site") == 0 || strcmp(by, "stack") == 0;

	return xasprintf("SELECT g.id, g.class, g.live_bytes, g.live_blocks, max("
	    "coalesce(pk.peak, 0), g.stack_peak, g.end_live, g.live_bytes) AS"
	    " peak_bytes, g.allocations,"
	    " g.alloc_bytes, g.growth_bytes_per_s, g.module, g.function,"
	    " g.file, g.line, g.pattern, g.address, g.mapped_bytes, r.text AS"
	    " suppressed FROM (SELECT gk.gid AS gid, min(gk.stack_id) AS id,"
	    " coalesce(" CLASSES_WORST_SQL("coalesce(ca.class_at, c.class)")
	    ", 'freed') AS class, sum(w.live_bytes) AS live_bytes,"
	    " sum(w.live_blocks) AS live_blocks, max(ss.peak_bytes) AS"
	    " stack_peak, sum(ss.live_bytes) AS end_live, sum(ss.allocations)"
	    " AS allocations,"
	    " sum(ss.alloc_bytes) AS alloc_bytes, sum(coalesce(w.growth,"
	    " coalesce(ca.growth_at, c.growth_bytes_per_s) * CASE WHEN (%s) >"
	    " 0 THEN 1.0 * w.live_bytes / (%s) WHEN c.alloc_bytes > 0 THEN 1.0"
	    " * ss.alloc_bytes / c.alloc_bytes ELSE 1 END)) AS"
	    " growth_bytes_per_s, gk.gmodule AS module, %s AS function, %s AS"
	    " file, %s AS line, NULL AS pattern, %s AS address,"
	    " sum(gk.mapped) AS mapped_bytes, "
	    SUPP_GROUP_RULE("ss.live_blocks", "ss.live_bytes", "sx.rule")
	    " AS rule_id FROM temp.group_key gk JOIN stack_stats ss ON"
	    " ss.stack_id = gk.stack_id JOIN %s w ON w.wid = gk.stack_id LEFT"
	    " JOIN sites c ON c.id = gk.gsite LEFT JOIN temp.site_class_at ca"
	    " ON ca.site_id = gk.gsite LEFT JOIN temp.suppressed_stacks sx ON"
	    " sx.stack_id = gk.stack_id GROUP BY gk.gid%s) g LEFT JOIN"
	    " temp.group_peak pk ON pk.gid = g.gid LEFT JOIN"
	    " temp.suppression_rules r ON r.id = g.rule_id", site_live,
	    site_live,
	    strcmp(by, "file") == 0 || strcmp(by, "object") == 0 ? "NULL" :
	    "gk.gfunction", strcmp(by, "object") == 0 ? "NULL" : "gk.gfile",
	    whole_frame ? "gk.gline" : "NULL", whole_frame ?
	    "printf('0x%x', gk.gaddress)" : "NULL", w, having);
}
