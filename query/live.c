/*
 * live.c - live figures as of a time and over a window (live.h): as SQL
 * for the queries, and from the series held in memory for the browser.
 * Both follow the one rule of live.h; tests/unit/test-query.c checks
 * that they agree.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "live.h"

char *
live_sql(enum live_of of, const char *id, const char *col, long bucket)
{
	if (bucket == TIME_BUCKET_END)
		return of == LIVE_OF_STACK ? xasprintf("coalesce((SELECT"
		    " y.%s FROM stack_stats y WHERE y.stack_id = %s), 0)", col,
		    id) : xasprintf("(SELECT y.%s FROM sites y WHERE y.id = %s)",
		    col, id);
	if (bucket < 0)
		return xstrdup("0");
	return xasprintf("coalesce((SELECT x.%s FROM %s x WHERE x.%s = %s AND"
	    " x.bucket <= %ld ORDER BY x.bucket DESC LIMIT 1), 0)", col,
	    of == LIVE_OF_STACK ? "stack_series" : "site_series",
	    of == LIVE_OF_STACK ? "stack_id" : "site_id", id, bucket);
}

/* The live COL of the row "s" as of BUCKET: its own column at the end. */
static char *
live_of_row(enum live_of of, const char *id, const char *col, long bucket)
{
	return bucket == TIME_BUCKET_END ? xasprintf("s.%s", col) :
	    live_sql(of, id, col, bucket);
}

char *
live_window_sql(enum live_of of, long at, const struct time_window *window)
{
	const char *id = of == LIVE_OF_SITE ? "s.id" : "s.stack_id";
	char *bytes = live_of_row(of, id, "live_bytes", at);
	char *blocks = live_of_row(of, id, "live_blocks", at);
	char *growth, *w;

	if (window != NULL) {
		char *a = live_of_row(of, id, "live_bytes", window->from_bucket);
		char *b = live_of_row(of, id, "live_bytes", window->to_bucket);

		growth = xasprintf("(%s - %s) / %.9f", b, a,
		    window->seconds);
		free(a);
		free(b);
	} else if (of == LIVE_OF_SITE) {
		growth = xstrdup("coalesce((SELECT ca.growth_at FROM"
		    " temp.site_class_at ca WHERE ca.site_id = s.id),"
		    " s.growth_bytes_per_s)");
	} else {
		growth = xstrdup("NULL");
	}
	w = xasprintf("(SELECT %s AS wid, %s AS live_bytes, %s AS live_blocks,"
	    " %s AS growth FROM %s s)", id, bytes, blocks, growth,
	    of == LIVE_OF_SITE ? "sites" : "stack_stats");
	free(bytes);
	free(blocks);
	free(growth);
	return w;
}

int
live_series_load(sqlite3 *db, size_t nstacks, struct live_series *s,
    char **cause)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i;
	int64_t last = -1;
	int rc;

	memset(s, 0, sizeof *s);
	s->nstacks = nstacks;
	s->first = xcalloc(nstacks + 1, sizeof *s->first);
	s->end_bytes = xcalloc(nstacks ? nstacks : 1, sizeof *s->end_bytes);
	s->end_blocks = xcalloc(nstacks ? nstacks : 1, sizeof *s->end_blocks);
	if (sqlite3_prepare_v2(db, "SELECT stack_id, live_bytes, live_blocks"
	    " FROM stack_stats", -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id >= 0 && (size_t)id < nstacks) {
			s->end_bytes[id] = sqlite3_column_int64(st, 1);
			s->end_blocks[id] = sqlite3_column_int64(st, 2);
		}
	}
	if (rc != SQLITE_DONE)
		goto sql_error;
	sqlite3_finalize(st);
	/* The primary key's order: by stack, then bucket. */
	if (sqlite3_prepare_v2(db, "SELECT stack_id, bucket, live_bytes,"
	    " live_blocks, allocations FROM stack_series ORDER BY stack_id,"
	    " bucket", -1,
	    &st, NULL) != SQLITE_OK)
		goto sql_error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int b = sqlite3_column_int(st, 1);

		if (id < 0 || (size_t)id >= nstacks || id < last || b < 0 ||
		    b > UINT16_MAX)
			continue;
		if (s->nrows == cap) {
			cap = cap ? cap * 2 : 4096;
			s->bucket = xreallocarray(s->bucket, cap,
			    sizeof *s->bucket);
			s->bytes = xreallocarray(s->bytes, cap, sizeof *s->bytes);
			s->blocks = xreallocarray(s->blocks, cap,
			    sizeof *s->blocks);
			s->allocs = xreallocarray(s->allocs, cap,
			    sizeof *s->allocs);
		}
		/* Stacks without rows between: they start here too. */
		for (; last < id; last++)
			s->first[last + 1] = s->nrows;
		s->bucket[s->nrows] = (uint16_t)b;
		s->bytes[s->nrows] = sqlite3_column_int64(st, 2);
		s->blocks[s->nrows] = sqlite3_column_int64(st, 3);
		/* (saturated: a count per stack and bucket) */
		s->allocs[s->nrows++] = sqlite3_column_int64(st, 4) > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)sqlite3_column_int64(st, 4);
	}
	if (rc != SQLITE_DONE)
		goto sql_error;
	sqlite3_finalize(st);
	for (i = (size_t)(last + 1); i <= nstacks; i++)
		s->first[i] = s->nrows;
	return 0;
sql_error:
	*cause = xasprintf("%s: cannot read the stacks' series: %s",
	    sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(st);
	live_series_free(s);
	return -1;
}

void
live_series_free(struct live_series *s)
{
	free(s->first);
	free(s->bucket);
	free(s->bytes);
	free(s->blocks);
	free(s->allocs);
	free(s->end_bytes);
	free(s->end_blocks);
	memset(s, 0, sizeof *s);
}

void
live_series_at(const struct live_series *s, long bucket, int64_t *bytes,
    int64_t *blocks)
{
	size_t i;

	if (bucket == TIME_BUCKET_END) {
		memcpy(bytes, s->end_bytes, s->nstacks * sizeof *bytes);
		memcpy(blocks, s->end_blocks, s->nstacks * sizeof *blocks);
		return;
	}
	for (i = 0; i < s->nstacks; i++) {
		size_t lo = s->first[i], hi = s->first[i + 1];

		/* The last row at or before the bucket: binary search. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if ((long)s->bucket[mid] <= bucket)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (bucket < 0 || lo == s->first[i]) {
			bytes[i] = blocks[i] = 0;
		} else {
			bytes[i] = s->bytes[lo - 1];
			blocks[i] = s->blocks[lo - 1];
		}
	}
}
