/*
 * modules.c - the modules table (modules.h), from the sites: as SQL for
 * the queries, and site by site in memory for the browser.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "../util/xmalloc.h"
#include "live.h"
#include "modules.h"

/* The live bytes of the sites of the class named C, summed. */
#define CLASS_BYTES(c) \
	" coalesce(sum(CASE WHEN v.class = '" c "' THEN v.live_bytes END),"\
	" 0) AS " c "_bytes,"

char *
modules_sql(long bucket)
{
	char *bytes = bucket == TIME_BUCKET_END ? xstrdup("s.live_bytes") :
	    live_sql(LIVE_OF_SITE, "s.id", "live_bytes", bucket);
	char *blocks = bucket == TIME_BUCKET_END ? xstrdup("s.live_blocks") :
	    live_sql(LIVE_OF_SITE, "s.id", "live_blocks", bucket);
	char *sql;

	/* Each site read once ("v"), then summed by module. */
	sql = xasprintf("SELECT x.name AS module, coalesce(sum(v.live_blocks),"
	    " 0) AS live_blocks, coalesce(sum(v.live_bytes), 0) AS live_bytes,"
	    " (SELECT max(y.peak_bytes) FROM modules y WHERE y.path = x.path)"
	    " AS peak_bytes, (SELECT sum(y.allocations) FROM modules y WHERE"
	    " y.path = x.path) AS allocations,"
	    CLASS_BYTES("leak") CLASS_BYTES("steady") CLASS_BYTES("unclear")
	    " x.path AS path, coalesce(sum(v.mapped_bytes), 0) AS mapped_bytes"
	    " FROM modules x LEFT JOIN (SELECT s.module_id, coalesce("
	    "ca.class_at, s.class) AS class, %s AS live_bytes, %s AS"
	    " live_blocks, s.mapped_bytes FROM sites s LEFT JOIN"
	    " temp.site_class_at ca ON"
	    " ca.site_id = s.id) v ON v.module_id = x.id GROUP BY x.path"
	    " HAVING max(x.allocations) > 0 ORDER BY live_bytes DESC,"
	    " allocations DESC, module", bytes, blocks);
	free(bytes);
	free(blocks);
	return sql;
}

void
modules_add_site(struct module_sums *m, int64_t live_bytes,
    int64_t live_blocks, int64_t allocations, char class_letter)
{
	m->live_bytes += live_bytes;
	m->live_blocks += live_blocks;
	m->allocations += allocations;
	m->nsites++;
	if (class_letter == 'L')
		m->leak_bytes += live_bytes;
	else if (class_letter == 'S')
		m->steady_bytes += live_bytes;
	else if (class_letter == 'U')
		m->unclear_bytes += live_bytes;
}
