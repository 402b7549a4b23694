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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyzer.h"
#include "../analyzer/classify.h"
#include "../util/xmalloc.h"
#include "classify-at.h"
#include "live.h"
#include "time.h"

/* The pattern of a site that had allocated nothing yet. */
#define NOT_YET "no allocation yet"

/* A site's figures as of bucket B, gathered from the two tables. */
struct site_at {
	int64_t id;
	double *live;		/* [0, B] */
	double periods[CLASSIFY_PERIODS];
	uint64_t allocations, live_blocks;
};

/* Judges site A (its series filled up to B): classify.c's rules. */
static enum site_class
classify_at_judge(const struct site_at *a, long b, double bucket_s,
    char *pattern, size_t cap, double *growth)
{
	struct site_history h;

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
	return classify_site(&h, pattern, cap, growth);
}

/* Classifies site A (its series filled up to B) into INS. */
static int
classify_at_site(sqlite3_stmt *ins, const struct site_at *a, long b,
    double bucket_s)
{
	char pattern[128];
	double growth;
	enum site_class c = classify_at_judge(a, b, bucket_s, pattern,
	    sizeof pattern, &growth);

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
	/* The sites with no series up to then had nothing yet. */
	if (rc_series == SQLITE_DONE && sqlite3_exec(db, "INSERT OR IGNORE INTO"
	    " temp.site_class_at SELECT id, 'freed', '" NOT_YET "', 0 FROM"
	    " sites", NULL, NULL, NULL) == SQLITE_OK)
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

/* --- the same in memory, for the browser --------------------------------- */

struct classify_memory {
	const struct live_series *series;
	double bucket_s;
	size_t nsites;			/* highest site id + 1 */
	size_t *site_first, *site_stacks;	/* site i's stacks:
				   site_stacks[site_first[i] ..
				   site_first[i + 1] - 1] */
	/* stack_survival, by stack: stack i's rows are
	   surv_first[i] .. surv_first[i + 1] - 1 */
	size_t *surv_first;
	uint16_t *alloc_bucket, *free_bucket;
	int64_t *surv_bytes;
};

struct classify_memory *
classify_memory_open(sqlite3 *db, const struct live_series *series,
    const int64_t *stack_site, char **cause)
{
	struct classify_memory *m = xcalloc(1, sizeof *m);
	size_t nstacks = series->nstacks, i, n = 0, cap = 0, *at;
	sqlite3_stmt *st = NULL;
	int64_t maxsite = -1, last = -1;
	int rc;

	m->series = series;
	m->bucket_s = db_meta_number(db, "bucket_s");
	for (i = 0; i < nstacks; i++)
		if (stack_site[i] > maxsite)
			maxsite = stack_site[i];
	m->nsites = (size_t)(maxsite + 1);
	/* Each site's stacks: a counting sort by site. */
	m->site_first = xcalloc(m->nsites + 1, sizeof *m->site_first);
	m->site_stacks = xcalloc(nstacks ? nstacks : 1,
	    sizeof *m->site_stacks);
	for (i = 0; i < nstacks; i++)
		if (stack_site[i] >= 0)
			m->site_first[stack_site[i] + 1]++;
	for (i = 0; i < m->nsites; i++)
		m->site_first[i + 1] += m->site_first[i];
	at = xcalloc(m->nsites + 1, sizeof *at);
	memcpy(at, m->site_first, m->nsites * sizeof *at);
	for (i = 0; i < nstacks; i++)
		if (stack_site[i] >= 0)
			m->site_stacks[at[stack_site[i]]++] = i;
	free(at);
	/* The survival rows, in the key's order (by stack). */
	m->surv_first = xcalloc(nstacks + 1, sizeof *m->surv_first);
	if (sqlite3_prepare_v2(db, "SELECT stack_id, alloc_bucket,"
	    " free_bucket, bytes FROM stack_survival ORDER BY stack_id", -1,
	    &st, NULL) != SQLITE_OK)
		goto sql_error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int ab = sqlite3_column_int(st, 1), fb = sqlite3_column_int(st, 2);

		if (id < 0 || (size_t)id >= nstacks || id < last || ab < 0 ||
		    ab > UINT16_MAX || fb < 0 || fb > UINT16_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			m->alloc_bucket = xreallocarray(m->alloc_bucket, cap,
			    sizeof *m->alloc_bucket);
			m->free_bucket = xreallocarray(m->free_bucket, cap,
			    sizeof *m->free_bucket);
			m->surv_bytes = xreallocarray(m->surv_bytes, cap,
			    sizeof *m->surv_bytes);
		}
		for (; last < id; last++)
			m->surv_first[last + 1] = n;
		m->alloc_bucket[n] = (uint16_t)ab;
		m->free_bucket[n] = (uint16_t)fb;
		m->surv_bytes[n++] = sqlite3_column_int64(st, 3);
	}
	if (rc != SQLITE_DONE)
		goto sql_error;
	sqlite3_finalize(st);
	for (i = (size_t)(last + 1); i <= nstacks; i++)
		m->surv_first[i] = n;
	return m;
sql_error:
	*cause = xasprintf("%s: cannot read stack_survival: %s",
	    sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(st);
	classify_memory_close(m);
	return NULL;
}

void
classify_memory_close(struct classify_memory *m)
{
	if (m == NULL)
		return;
	free(m->site_first);
	free(m->site_stacks);
	free(m->surv_first);
	free(m->alloc_bucket);
	free(m->free_bucket);
	free(m->surv_bytes);
	free(m);
}

/* One worker's share of classify_memory_at: sites FIRST .. END - 1. */
struct classify_share {
	const struct classify_memory *m;
	long bucket;
	size_t first, end;
	classify_at_fn *fn;
	void *arg;
};

static void *
classify_memory_share(void *p)
{
	const struct classify_share *w = p;
	const struct classify_memory *m = w->m;
	const struct live_series *s = m->series;
	long bucket = w->bucket, i;
	struct site_at a;
	size_t site, k, r;

	memset(&a, 0, sizeof a);
	a.live = xcalloc((size_t)bucket + 1, sizeof *a.live);
	for (site = w->first; site < w->end; site++) {
		char pattern[128];
		double growth;
		enum site_class c;
		int judged = 0;

		a.id = (int64_t)site;
		a.allocations = a.live_blocks = 0;
		memset(a.periods, 0, sizeof a.periods);
		for (i = 0; i <= bucket; i++)
			a.live[i] = 0;
		/* The site's series: its stacks' changes, summed. */
		for (k = m->site_first[site]; k < m->site_first[site + 1]; k++) {
			size_t st = m->site_stacks[k];
			int64_t prev = 0, blocks = 0;

			for (r = s->first[st]; r < s->first[st + 1] &&
			    (long)s->bucket[r] <= bucket; r++) {
				a.live[s->bucket[r]] += (double)(s->bytes[r] -
				    prev);
				prev = s->bytes[r];
				blocks = s->blocks[r];
				a.allocations += s->allocs[r];
				judged = 1;
			}
			a.live_blocks += (uint64_t)blocks;
			for (r = m->surv_first[st]; r < m->surv_first[st + 1];
			    r++)
				if (m->alloc_bucket[r] <= bucket &&
				    m->free_bucket[r] > bucket)
					a.periods[classify_period(
					    m->alloc_bucket[r],
					    (uint64_t)bucket)] +=
					    (double)m->surv_bytes[r];
		}
		if (!judged) {
			/* No series up to then: nothing yet (as classify_at). */
			if (m->site_first[site] < m->site_first[site + 1])
				w->fn(w->arg, a.id, class_names[CLASS_FREED],
				    NOT_YET, 0);
			continue;
		}
		for (i = 1; i <= bucket; i++)
			a.live[i] += a.live[i - 1];
		c = classify_at_judge(&a, bucket, m->bucket_s, pattern,
		    sizeof pattern, &growth);
		w->fn(w->arg, a.id, class_names[c], pattern, growth);
	}
	free(a.live);
	return NULL;
}

/* Sites shared out between this many threads (the machines are small). */
#define CLASSIFY_THREADS 2

void
classify_memory_at(const struct classify_memory *m, long bucket,
    classify_at_fn *fn, void *arg)
{
	struct classify_share w[CLASSIFY_THREADS];
	pthread_t tid[CLASSIFY_THREADS];
	int started[CLASSIFY_THREADS] = { 0 }, t;

	if (bucket == TIME_BUCKET_END)
		return;
	if (bucket == TIME_BUCKET_START)
		bucket = 0;
	for (t = 0; t < CLASSIFY_THREADS; t++) {
		w[t].m = m;
		w[t].bucket = bucket;
		w[t].first = m->nsites * (size_t)t / CLASSIFY_THREADS;
		w[t].end = m->nsites * (size_t)(t + 1) / CLASSIFY_THREADS;
		w[t].fn = fn;
		w[t].arg = arg;
	}
	/* Few sites: not worth a thread.  A thread that cannot start: its
	   share is done here. */
	for (t = 1; m->nsites >= 4096 && t < CLASSIFY_THREADS; t++)
		started[t] = pthread_create(&tid[t], NULL,
		    classify_memory_share, &w[t]) == 0;
	classify_memory_share(&w[0]);
	for (t = 1; t < CLASSIFY_THREADS; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			classify_memory_share(&w[t]);
	}
}
