/*
 * model-run.c - the run as the browser sees it: key figures from meta,
 * the timeline and markers (held whole: one entry per time bucket), the
 * stack -> site map, and the time scope with each stack's live bytes and
 * blocks in it.  Also the list cursor every table view moves.
 *
 * The scope's figures mean what the queries' --at and --from/--to mean
 * (query/live.h); they come from the stacks' series, read into memory at
 * the start, so that a change of scope needs no query.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyzer.h"
#include "../query/classify-at.h"
#include "../query/suppress.h"
#include "../query/time.h"
#include "../util/xmalloc.h"
#include "model.h"

/* --- list cursor --------------------------------------------------------- */

void
cursor_clamp(struct cursor *c)
{
	long page = c->page > 0 ? c->page : 1;

	if (c->sel >= c->count)
		c->sel = c->count - 1;
	if (c->sel < 0)
		c->sel = 0;
	if (c->top > c->sel)
		c->top = c->sel;
	if (c->sel >= c->top + page)
		c->top = c->sel - page + 1;
	if (c->top > c->count - page)
		c->top = c->count - page;
	if (c->top < 0)
		c->top = 0;
}

void
cursor_move(struct cursor *c, enum cursor_move how)
{
	long page = c->page > 1 ? c->page - 1 : 1;

	switch (how) {
	case MOVE_UP:
		c->sel--;
		break;
	case MOVE_DOWN:
		c->sel++;
		break;
	case MOVE_PAGE_UP:
		c->sel -= page;
		c->top -= page;
		break;
	case MOVE_PAGE_DOWN:
		c->sel += page;
		c->top += page;
		break;
	case MOVE_HOME:
		c->sel = 0;
		break;
	case MOVE_END:
		c->sel = c->count - 1;
		break;
	}
	cursor_clamp(c);
}

/* --- small SQL helpers ---------------------------------------------------- */

int64_t
run_sql_int(sqlite3 *db, const char *sql, int64_t fallback)
{
	sqlite3_stmt *st = NULL;
	int64_t v = fallback;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *
run_sql_text(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup((const char *)sqlite3_column_text(st, i));
}

/* --- opening ------------------------------------------------------------------ */

static int
run_load_timeline(struct run *r, char **cause)
{
	sqlite3_stmt *st = NULL;
	int b;

	r->heap = xcalloc((size_t)r->buckets, sizeof *r->heap);
	r->peak = xcalloc((size_t)r->buckets, sizeof *r->peak);
	r->rss = xcalloc((size_t)r->buckets, sizeof *r->rss);
	r->allocs_in = xcalloc((size_t)r->buckets, sizeof *r->allocs_in);
	r->frees_in = xcalloc((size_t)r->buckets, sizeof *r->frees_in);
	for (b = 0; b < r->buckets; b++)
		r->rss[b] = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT bucket, heap_bytes,"
	    " peak_bytes, rss_bytes, allocations, frees FROM timeline", -1,
	    &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot read the timeline: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		b = sqlite3_column_int(st, 0);
		if (b < 0 || b >= r->buckets)
			continue;
		r->heap[b] = sqlite3_column_int64(st, 1);
		r->peak[b] = sqlite3_column_int64(st, 2);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			r->rss[b] = sqlite3_column_int64(st, 3);
		r->allocs_in[b] = sqlite3_column_int64(st, 4);
		r->frees_in[b] = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(r->db, "SELECT time, label FROM markers ORDER"
	    " BY time", -1, &st, NULL) == SQLITE_OK) {
		size_t cap = 0;

		while (sqlite3_step(st) == SQLITE_ROW) {
			if (r->nmarkers == cap) {
				cap = cap ? cap * 2 : 16;
				r->markers = xreallocarray(r->markers, cap,
				    sizeof *r->markers);
			}
			r->markers[r->nmarkers].time =
			    sqlite3_column_double(st, 0);
			r->markers[r->nmarkers++].label = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int
run_load_stacks(struct run *r, char **cause)
{
	sqlite3_stmt *st = NULL;
	int64_t max = run_sql_int(r->db, "SELECT max(id) FROM stacks", 0);
	size_t i;

	if (max < 0 || max > 100000000) {
		*cause = xasprintf("%s: stack ids out of range", r->path);
		return -1;
	}
	r->nstacks = (size_t)max + 1;
	r->stack_site = xcalloc(r->nstacks, sizeof *r->stack_site);
	r->scoped_bytes = xcalloc(r->nstacks, sizeof *r->scoped_bytes);
	r->scoped_blocks = xcalloc(r->nstacks, sizeof *r->scoped_blocks);
	r->scoped_growth = xcalloc(r->nstacks, sizeof *r->scoped_growth);
	for (i = 0; i < r->nstacks; i++)
		r->stack_site[i] = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT id, site_id FROM stacks", -1,
	    &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot read stacks: %s", r->path,
		    sqlite3_errmsg(r->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id >= 0 && (size_t)id < r->nstacks &&
		    sqlite3_column_type(st, 1) != SQLITE_NULL)
			r->stack_site[id] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);

	return live_series_load(r->db, r->nstacks, &r->series, cause);
}

struct run *
run_open(sqlite3 *db, const char *path, const char *const *supp_files,
    int nsupp, char **cause)
{
	struct run *r = xcalloc(1, sizeof *r);

	r->db = db;
	r->path = xstrdup(path);
	r->program = db_meta_text(db, "program");
	if (r->program == NULL)
		r->program = xstrdup("?");
	r->duration = db_meta_number(db, "duration_s");
	r->bucket_s = db_meta_number(db, "bucket_s");
	r->buckets = (int)db_meta_number(db, "buckets");
	r->events = (int64_t)db_meta_number(db, "events");
	r->allocations = (int64_t)db_meta_number(db, "allocations");
	r->frees = (int64_t)db_meta_number(db, "frees");
	r->peak_bytes = (int64_t)db_meta_number(db, "peak_bytes");
	r->peak_time = db_meta_number(db, "peak_time_s");
	/* Heap and mappings, as summary and every table count them. */
	r->live_bytes_end = run_sql_int(db, "SELECT coalesce(sum(live_bytes),"
	    " 0) FROM sites", 0);
	r->live_blocks_end = run_sql_int(db, "SELECT coalesce(sum(live_blocks),"
	    " 0) FROM sites", 0);
	r->unknown_frees = (int64_t)db_meta_number(db, "unknown_frees");
	r->dropped = (int64_t)db_meta_number(db, "dropped_events");
	r->replaced = (int64_t)db_meta_number(db, "replaced_live");
	r->mapped_end = (int64_t)db_meta_number(db, "mapped_bytes_end");
	r->work_end = time_work_end(db);
	r->complete = (int)db_meta_number(db, "complete");
	r->threads = run_sql_int(db, "SELECT count(*) FROM threads", 0);
	if (r->buckets <= 0 || r->buckets > 65535 || r->bucket_s <= 0) {
		*cause = xasprintf("%s: no timeline in this database (meta "
		    "'buckets' or 'bucket_s' missing)", path);
		run_close(r);
		return NULL;
	}
	/* The classes as of a time are read now: a first key would wait. */
	if (run_load_timeline(r, cause) != 0 || run_load_stacks(r, cause) !=
	    0 || supp_apply(db, supp_files, nsupp, cause) != 0 ||
	    (r->classes = classify_memory_open(db, &r->series, r->stack_site,
	    cause)) == NULL) {
		if (*cause == NULL)
			*cause = xasprintf("%s: %s", path, sqlite3_errmsg(db));
		run_close(r);
		return NULL;
	}
	run_set_scope(r, (struct scope){ SCOPE_END, 0, 0, 0 });
	return r;
}

void
run_close(struct run *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nmarkers; i++)
		free(r->markers[i].label);
	free(r->markers);
	free(r->heap);
	free(r->peak);
	free(r->rss);
	free(r->allocs_in);
	free(r->frees_in);
	free(r->stack_site);
	free(r->scoped_bytes);
	free(r->scoped_blocks);
	free(r->scoped_growth);
	classify_memory_close(r->classes);
	live_series_free(&r->series);
	free(r->program);
	free(r->path);
	free(r);
}

/* --- time and scope ---------------------------------------------------------- */

int
run_bucket_of(const struct run *r, double t)
{
	return (int)time_bucket_of(r->bucket_s, r->buckets, t);
}

double
run_bucket_end(const struct run *r, int b)
{
	return time_bucket_end_of(r->bucket_s, r->buckets, r->duration, b);
}

/* The bucket whose end starts window S: the one before its first. */
static long
scope_start_bucket(const struct scope *s)
{
	return s->from > 0 ? s->from - 1 : TIME_BUCKET_START;
}

struct scope
run_window_scope(const struct run *r, const struct time_window *w)
{
	struct scope s = { SCOPE_WINDOW, 0, 0, 0 };

	s.from = w->from_bucket < 0 ? 0 : (int)w->from_bucket + 1;
	s.to_end = w->to_bucket == TIME_BUCKET_END;
	s.to = s.to_end ? run_bucket_of(r, r->work_end) : (int)w->to_bucket;
	if (s.from > s.to)
		s.from = s.to;
	return s;
}

long
run_scope_bucket(const struct run *r)
{
	if (r->scope.kind == SCOPE_END ||
	    (r->scope.kind == SCOPE_WINDOW && r->scope.to_end))
		return TIME_BUCKET_END;
	return r->scope.to;
}

void
run_set_scope(struct run *r, struct scope s)
{
	size_t i;

	if (s.to >= r->buckets)
		s.to = r->buckets - 1;
	if (s.from < 0)
		s.from = 0;
	if (s.kind == SCOPE_AT)
		s.from = 0;
	if (s.kind != SCOPE_WINDOW)
		s.to_end = 0;
	if (s.kind == SCOPE_WINDOW && s.from > s.to) {
		int t = s.from;

		s.from = s.to;
		s.to = t;
	}
	r->scope = s;
	live_series_at(&r->series, run_scope_bucket(r), r->scoped_bytes,
	    r->scoped_blocks);
	memset(r->scoped_growth, 0, r->nstacks * sizeof *r->scoped_growth);
	if (s.kind == SCOPE_WINDOW) {
		/* The window starts at the end of the bucket before from. */
		double seconds = (s.to_end ? r->work_end :
		    run_bucket_end(r, s.to)) - run_bucket_end(r,
		    (int)scope_start_bucket(&s));
		int64_t *before = xcalloc(r->nstacks, sizeof *before);
		int64_t *blocks = xcalloc(r->nstacks, sizeof *blocks);

		live_series_at(&r->series, scope_start_bucket(&s), before,
		    blocks);
		for (i = 0; seconds > 0 && i < r->nstacks; i++)
			r->scoped_growth[i] = (double)(r->scoped_bytes[i] -
			    before[i]) / seconds;
		free(before);
		free(blocks);
	}
	r->scope_serial++;
}

const char *
run_time_text(double t, char *buf, size_t cap)
{
	snprintf(buf, cap, t < 10 ? "%.3f s" : t < 100 ? "%.2f s" :
	    "%.1f s", t);
	return buf;
}

void
run_scope_text(const struct run *r, char *buf, size_t cap)
{
	char a[32], b[32];

	switch (r->scope.kind) {
	case SCOPE_END:
		snprintf(buf, cap, "live at the end");
		break;
	case SCOPE_AT:
		snprintf(buf, cap, "live at %s", run_time_text(
		    run_bucket_end(r, r->scope.to), a, sizeof a));
		break;
	case SCOPE_WINDOW:
		snprintf(buf, cap, "from %s to %s, live at its end", run_time_text(
		    run_bucket_end(r, (int)scope_start_bucket(&r->scope)), a,
		    sizeof a),
		    r->scope.to_end ? "the end of the work" : run_time_text(
		    run_bucket_end(r, r->scope.to), b, sizeof b));
		break;
	}
}
