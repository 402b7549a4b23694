/*
 * group.c - rows that are groups of stacks (group.h).
 *
 * "k" gives each stack its group frame: its site's (by default) or the
 * innermost frame whose function or file contains a --focus pattern
 * (stacks without one keep their site, so the totals stay whole); "gk"
 * numbers the groups (gid).  Over a group:
 *
 *   live bytes, blocks  the sum of its stacks' (W: as of --at, at the end
 *                       of a window)
 *   allocations, bytes  the sum of its stacks' (stack_stats)
 *   class               the worst of its stacks' sites' (classes.h), as
 *                       of --at (temp.site_class_at)
 *   peak                the highest of its summed live bytes at the end
 *                       of any time bucket (stack_series), and at least
 *                       its heaviest stack's own peak
 *   growth              over a window, the sum of its stacks' change;
 *                       else each site's rate (as of --at) shared out
 *                       by the part of the site's live bytes the group
 *                       holds: a group of whole sites has the sum of
 *                       their rates
 *   mapped bytes        its live blocks at the end of the work that are
 *                       anonymous mappings (blocks.entry mmap, mremap)
 *   suppressed          when its stacks are (SUPP_GROUP_RULE)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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

char *
group_sql(const struct group_opts *g, const char *w, const char *having)
{
	const char *by = g->by ? g->by : "site";
	int whole_frame = strcmp(by, "site") == 0 || strcmp(by, "stack") == 0;
	char *k = group_frames(g), *sql;
	const char *key;

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
	sql = xasprintf("WITH %s,"
	    " gk AS (SELECT k.*, dense_rank() OVER (ORDER BY %s) AS gid FROM k),"
	    " w AS %s,"
	    /* Each site's live bytes, to share its growth out. */
	    " sl AS (SELECT k.gsite AS site_id, sum(w.live_bytes) AS live FROM"
	    " k JOIN w ON w.wid = k.stack_id GROUP BY k.gsite),"
	    " mp AS (SELECT stack_id, sum(size) AS bytes FROM blocks WHERE"
	    " live_at_end = 1 AND entry IN ('mmap', 'mremap') GROUP BY"
	    " stack_id),"
	    /* The group's live bytes per bucket from its stacks' changes. */
	    " pk AS (SELECT gid, max(live) AS peak FROM (SELECT gid, sum(sum("
	    "delta)) OVER (PARTITION BY gid ORDER BY bucket) AS live FROM"
	    " (SELECT gk.gid, x.bucket, x.live_bytes - coalesce(lag("
	    "x.live_bytes) OVER (PARTITION BY x.stack_id ORDER BY x.bucket),"
	    " 0) AS delta FROM stack_series x JOIN gk ON gk.stack_id ="
	    " x.stack_id) GROUP BY gid, bucket) GROUP BY gid)"
	    " SELECT g.id, g.class, g.live_bytes, g.live_blocks, max("
	    "coalesce(pk.peak, 0), g.stack_peak) AS peak_bytes, g.allocations,"
	    " g.alloc_bytes, g.growth_bytes_per_s, g.module, g.function,"
	    " g.file, g.line, g.pattern, g.address, g.mapped_bytes, r.text AS"
	    " suppressed FROM (SELECT gk.gid AS gid, min(gk.stack_id) AS id,"
	    " coalesce(" CLASSES_WORST_SQL("coalesce(ca.class_at, c.class)")
	    ", 'freed') AS class, sum(w.live_bytes) AS live_bytes,"
	    " sum(w.live_blocks) AS live_blocks, max(ss.peak_bytes) AS"
	    " stack_peak, sum(ss.allocations) AS allocations,"
	    " sum(ss.alloc_bytes) AS alloc_bytes, sum(coalesce(w.growth,"
	    " coalesce(ca.growth_at, c.growth_bytes_per_s) * CASE WHEN sl.live"
	    " > 0 THEN 1.0 * w.live_bytes / sl.live ELSE 0 END)) AS"
	    " growth_bytes_per_s, gk.gmodule AS module, %s AS function, %s AS"
	    " file, %s AS line, NULL AS pattern, %s AS address,"
	    " sum(coalesce(mp.bytes, 0)) AS mapped_bytes, "
	    SUPP_GROUP_RULE("ss.live_blocks", "ss.live_bytes", "sx.rule")
	    " AS rule_id FROM gk JOIN stack_stats ss ON ss.stack_id ="
	    " gk.stack_id JOIN w ON w.wid = gk.stack_id LEFT JOIN sites c ON"
	    " c.id = gk.gsite LEFT JOIN temp.site_class_at ca ON ca.site_id ="
	    " gk.gsite LEFT JOIN sl ON sl.site_id = gk.gsite LEFT JOIN mp ON"
	    " mp.stack_id = gk.stack_id LEFT JOIN temp.suppressed_stacks sx ON"
	    " sx.stack_id = gk.stack_id GROUP BY gk.gid%s) g LEFT JOIN pk ON"
	    " pk.gid = g.gid LEFT JOIN temp.suppression_rules r ON r.id ="
	    " g.rule_id", k, key, w,
	    strcmp(by, "file") == 0 || strcmp(by, "object") == 0 ? "NULL" :
	    "gk.gfunction", strcmp(by, "object") == 0 ? "NULL" : "gk.gfile",
	    whole_frame ? "gk.gline" : "NULL", whole_frame ?
	    "printf('0x%x', gk.gaddress)" : "NULL", having);
	free(k);
	return sql;
}
