/*
 * classify-at.c - the class of every site as of a time bucket, for the
 * queries' --at TIME (classify.c's rules, judged as if the work ended
 * there).
 *
 * The database keeps each site's live bytes per bucket (site_series) and
 * what became of each stack's blocks by allocation and free bucket
 * (stack_survival).  As of the end of bucket B, a site's history is its
 * series up to B, and the bytes live then by when they were allocated
 * are the survival rows with alloc_bucket <= B < free_bucket, in periods
 * of the buckets up to B.  Two things are coarser than at the end of the
 * work: a block is born when it was allocated (a realloc chain is not
 * followed), and the frees are the allocations less the live blocks.
 * No teardown comes after B, so nothing is "released at exit".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyzer.h"
#include "../analyzer/classify.h"
#include "../util/xmalloc.h"
#include "classify-at.h"
#include "time.h"

/* A site's figures as of bucket B, gathered from the two tables. */
struct site_at {
	int64_t id;
	double *live;		/* [0, B] */
	double periods[CLASSIFY_PERIODS];
	uint64_t allocations, live_blocks;
};

/* Classifies site A (its series filled up to B) into INS. */
static int
classify_at_site(sqlite3_stmt *ins, const struct site_at *a, long b,
    double bucket_s)
{
	struct site_history h;
	char pattern[128];
	double growth;
	enum site_class c;

	memset(&h, 0, sizeof h);
	h.live = a->live;
	h.buckets = (int)b + 1;
	h.bucket_s = bucket_s;
	h.duration_s = (b + 1) * bucket_s;
	h.allocations = a->allocations;
	h.live_blocks = a->live_blocks;
	h.live_bytes = a->live[b];
	h.frees = a->allocations > a->live_blocks ? a->allocations -
	    a->live_blocks : 0;
	h.exit_live_blocks = h.live_blocks;	/* no teardown after B */
	h.exit_live_bytes = h.live_bytes;
	memcpy(h.live_by_period, a->periods, sizeof h.live_by_period);
	c = classify_site(&h, pattern, sizeof pattern, &growth);
	sqlite3_bind_int64(ins, 1, a->id);
	sqlite3_bind_text(ins, 2, class_names[c], -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, pattern, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(ins, 4, growth);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(ins);
	return 0;
}

int
classify_at(sqlite3 *db, long bucket, char **cause)
{
	double bucket_s = db_meta_number(db, "bucket_s");
	sqlite3_stmt *series = NULL, *survival = NULL, *ins = NULL;
	struct site_at a;
	int rc_series, rc_survival, ret = -1, in_savepoint = 0;
	long i;

	/* The start is judged at its first bucket: nothing is live. */
	if (bucket == TIME_BUCKET_START)
		bucket = 0;
	memset(&a, 0, sizeof a);
	a.live = xcalloc(bucket >= 0 ? (size_t)bucket + 1 : 1, sizeof *a.live);
	if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.site_class_at;"
	    " CREATE TEMP TABLE site_class_at (site_id INTEGER PRIMARY KEY,"
	    " class_at TEXT, pattern_at TEXT, growth_at REAL)", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto out;
	if (bucket < 0) {
		ret = 0;	/* the end of the work: no rows */
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT site_id, bucket, live_bytes,"
	    " live_blocks, allocations FROM site_series WHERE bucket <= ?"
	    " ORDER BY site_id, bucket", -1, &series, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT s.site_id, v.alloc_bucket,"
	    " sum(v.bytes) FROM stack_survival v JOIN stacks s ON s.id ="
	    " v.stack_id WHERE v.alloc_bucket <= ?1 AND v.free_bucket > ?1"
	    " GROUP BY s.site_id, v.alloc_bucket ORDER BY s.site_id", -1,
	    &survival, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.site_class_at (site_id,"
	    " class_at, pattern_at, growth_at) VALUES (?, ?, ?, ?)", -1, &ins,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(series, 1, bucket);
	sqlite3_bind_int64(survival, 1, bucket);
	/* One transaction for the rows, not one each (3x faster). */
	if (sqlite3_exec(db, "SAVEPOINT classify_at", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto out;
	in_savepoint = 1;
	rc_series = sqlite3_step(series);
	rc_survival = sqlite3_step(survival);
	/* The two are in site order: one site at a time from both. */
	while (rc_series == SQLITE_ROW) {
		a.id = sqlite3_column_int64(series, 0);
		a.allocations = 0;
		a.live_blocks = 0;
		memset(a.periods, 0, sizeof a.periods);
		for (i = 0; i <= bucket; i++)
			a.live[i] = 0;
		while (rc_series == SQLITE_ROW &&
		    sqlite3_column_int64(series, 0) == a.id) {
			long b = (long)sqlite3_column_int64(series, 1);
			double v = (double)sqlite3_column_int64(series, 2);

			for (i = b; i <= bucket; i++)
				a.live[i] = v;	/* until the next row */
			a.live_blocks = (uint64_t)sqlite3_column_int64(series,
			    3);
			a.allocations += (uint64_t)sqlite3_column_int64(series,
			    4);
			rc_series = sqlite3_step(series);
		}
		while (rc_survival == SQLITE_ROW &&
		    sqlite3_column_int64(survival, 0) < a.id)
			rc_survival = sqlite3_step(survival);
		while (rc_survival == SQLITE_ROW &&
		    sqlite3_column_int64(survival, 0) == a.id) {
			int p = classify_period((uint64_t)sqlite3_column_int64(
			    survival, 1), (uint64_t)bucket);

			a.periods[p] += (double)sqlite3_column_int64(survival,
			    2);
			rc_survival = sqlite3_step(survival);
		}
		if (classify_at_site(ins, &a, bucket, bucket_s) != 0)
			goto out;
	}
	if (rc_series == SQLITE_DONE)
		ret = 0;
out:
	if (in_savepoint && sqlite3_exec(db, "RELEASE classify_at", NULL, NULL,
	    NULL) != SQLITE_OK)
		ret = -1;
	if (ret != 0)
		*cause = xasprintf("%s: cannot classify as of a time: %s",
		    sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(series);
	sqlite3_finalize(survival);
	sqlite3_finalize(ins);
	free(a.live);
	return ret;
}
