/*
 * modules.c - the modules table (modules.h), from the sites.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "../util/xmalloc.h"
#include "live.h"
#include "modules.h"

/* The live bytes of site s of the classes named C, summed. */
#define CLASS_BYTES(c) \
	" coalesce(sum(CASE WHEN coalesce(ca.class_at, s.class) = '" c \
	"' THEN w.live_bytes END), 0) AS " c "_bytes,"

char *
modules_sql(long bucket)
{
	char *w = live_window_sql(LIVE_OF_SITE, bucket, NULL), *sql;

	sql = xasprintf("SELECT x.name AS module, coalesce(sum(w.live_blocks),"
	    " 0) AS live_blocks, coalesce(sum(w.live_bytes), 0) AS live_bytes,"
	    " (SELECT max(y.peak_bytes) FROM modules y WHERE y.path = x.path)"
	    " AS peak_bytes, (SELECT sum(y.allocations) FROM modules y WHERE"
	    " y.path = x.path) AS allocations,"
	    CLASS_BYTES("leak") CLASS_BYTES("steady") CLASS_BYTES("unclear")
	    " x.path AS path FROM modules x LEFT JOIN sites s ON s.module_id ="
	    " x.id LEFT JOIN %s w ON w.wid = s.id LEFT JOIN temp.site_class_at"
	    " ca ON ca.site_id = s.id GROUP BY x.path HAVING max(x.allocations) > 0"
	    " ORDER BY live_bytes DESC, allocations DESC, module", w);
	free(w);
	return sql;
}
