/*
 * test-query.c - the query library (query/) and the browser's models
 * (tui/model-*.c) on a small database made by hand: the order of the
 * classes, TIME words and buckets, "live at T" as SQL and from the
 * series in memory (they must agree), grouped rows, the modules table,
 * and the browser's scope, sites and modules, the sites' filter in
 * their stacks' frames and the detail's stack.
 *
 * The run: 10 buckets of 1 s, the work ends at 9.5 s.  Module prog has
 * sites 1 (leak; stacks 1 and 2) and 2 (steady; stack 3), libx.so has
 * site 3 (unclear; stack 4, whose block is a mapping).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>

#include "../../analyzer/analyzer.h"
#include "../../query/classes.h"
#include "../../query/classify-at.h"
#include "../../query/group.h"
#include "../../query/live.h"
#include "../../query/modules.h"
#include "../../query/suppress.h"
#include "../../query/time.h"
#include "../../tui/model.h"
#include "../../util/xmalloc.h"
#include "test.h"

static const char run_sql[] =
	"INSERT INTO meta VALUES ('duration_s', 10), ('bucket_s', 1),"
	" ('buckets', 10), ('work_end_s', 9.5), ('peak_time_s', 4),"
	" ('program', 'synthetic'), ('mapped_bytes_end', 50);"
	"INSERT INTO markers (time, label) VALUES (2.5, 'warm'), (7, 'warm');"
	"WITH RECURSIVE b(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM b"
	" WHERE n < 9) INSERT INTO timeline (bucket, time, heap_bytes,"
	" heap_blocks, peak_bytes, allocations, frees) SELECT n, n + 1, 0, 0,"
	" 0, 0, 0 FROM b;"
	"INSERT INTO modules (id, path, name, base, load_time, allocations)"
	" VALUES (1, '/p/prog', 'prog', 0, 0, 30),"
	" (2, '/lib/libx.so', 'libx.so', 0, 0, 5);"
	"INSERT INTO sites (id, address, function, file, line, module_id,"
	" module, class, pattern, allocations, alloc_bytes, frees,"
	" live_blocks, live_bytes, peak_bytes, growth_bytes_per_s) VALUES"
	" (1, 4096, 'grow', 'p.c', 10, 1, 'prog', 'leak', 'linear growth',"
	"  20, 300, 0, 3, 300, 300, 30),"
	" (2, 4200, 'table', 'p.c', 20, 1, 'prog', 'steady', 'held since"
	"  start', 10, 100, 0, 1, 100, 100, 0),"
	" (3, 8192, 'xalloc', 'x.c', 5, 2, 'libx.so', 'unclear', NULL,"
	"  5, 100, 4, 1, 50, 50, 1);"
	"INSERT INTO stacks (id, depth, site_id) VALUES (1, 1, 1), (2, 1, 1),"
	" (3, 1, 2), (4, 1, 3);"
	"INSERT INTO stack_stats (stack_id, allocations, alloc_bytes, frees,"
	" freed_bytes, live_blocks, live_bytes, peak_bytes, temporary,"
	" exit_live_blocks, exit_live_bytes) VALUES"
	" (1, 10, 200, 0, 0, 2, 200, 200, 0, 0, 0),"
	" (2, 10, 100, 0, 0, 1, 100, 100, 0, 0, 0),"
	" (3, 10, 100, 0, 0, 1, 100, 100, 0, 0, 0),"
	" (4, 5, 100, 4, 50, 1, 50, 50, 0, 0, 0);"
	"INSERT INTO stack_series (stack_id, bucket, live_bytes, live_blocks,"
	" allocations, alloc_bytes) VALUES"
	" (1, 0, 50, 1, 1, 50), (1, 3, 100, 1, 1, 50), (1, 6, 200, 2, 1, 100),"
	" (2, 2, 100, 1, 10, 100),"
	" (3, 0, 100, 1, 10, 100),"
	" (4, 1, 50, 1, 1, 50), (4, 4, 0, 0, 0, 0), (4, 7, 50, 1, 1, 50);"
	"INSERT INTO site_series (site_id, bucket, live_bytes, live_blocks,"
	" allocations, alloc_bytes) VALUES"
	" (1, 0, 50, 1, 1, 50), (1, 2, 150, 2, 10, 100), (1, 3, 200, 2, 1, 50),"
	" (1, 6, 300, 3, 1, 100),"
	" (2, 0, 100, 1, 10, 100),"
	" (3, 1, 50, 1, 1, 50), (3, 4, 0, 0, 0, 0), (3, 7, 50, 1, 1, 50);"
	"INSERT INTO stack_survival (stack_id, alloc_bucket, free_bucket,"
	" blocks, bytes) VALUES (1, 0, 10, 1, 50), (1, 3, 10, 1, 50),"
	" (1, 6, 10, 1, 100), (2, 2, 10, 1, 100), (3, 0, 10, 1, 100),"
	" (4, 1, 4, 1, 50), (4, 7, 10, 1, 50);"
	"INSERT INTO blocks (address, size, alloc_time, stack_id, entry,"
	" live_at_end) VALUES (65536, 50, 7.5, 4, 'mmap', 1),"
	" (1024, 100, 0.5, 3, 'malloc', 1);";

/* A new in-memory database with the schema and the run above. */
static sqlite3 *
test_db(void)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, ht_schema_sql, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, run_sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "  test database: %s\n", err ? err :
		    sqlite3_errmsg(db));
		sqlite3_free(err);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int64_t
sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

static void
test_class_order(void)
{
	sqlite3 *db = NULL;
	int mask, i;

	assert_true(sqlite3_open(":memory:", &db) == SQLITE_OK);
	/* Every non-empty set of classes: the worst is the lowest rank. */
	for (mask = 1; mask < 1 << CLASSES_N; mask++) {
		char *sql;
		sqlite3_stmt *st = NULL;
		int worst = -1;

		sqlite3_exec(db, "DROP TABLE IF EXISTS c; CREATE TABLE c (class"
		    " TEXT)", NULL, NULL, NULL);
		for (i = CLASSES_N - 1; i >= 0; i--) {
			if (!(mask & 1 << i))
				continue;
			sql = xasprintf("INSERT INTO c VALUES ('%s')",
			    classes[i].name);
			sqlite3_exec(db, sql, NULL, NULL, NULL);
			free(sql);
			worst = i;
		}
		assert_true(sqlite3_prepare_v2(db, "SELECT "
		    CLASSES_WORST_SQL("class") " FROM c", -1, &st, NULL) ==
		    SQLITE_OK);
		assert_true(sqlite3_step(st) == SQLITE_ROW);
		expect_true(strcmp((const char *)sqlite3_column_text(st, 0),
		    classes[worst].name) == 0);
		sqlite3_finalize(st);
	}
	for (i = 0; i < CLASSES_N; i++) {
		expect_u64_eq(classes_rank(classes[i].name), i);
		expect_u64_eq(classes_rank_of_letter(classes[i].letter), i);
		expect_true(classes_letter(classes[i].name) ==
		    classes[i].letter);
		expect_true(strcmp(classes_name_of_letter(classes[i].letter),
		    classes[i].name) == 0);
	}
	expect_u64_eq(classes_rank("nonsense"), CLASSES_N);
	expect_true(classes_letter(NULL) == '?');
	sqlite3_close(db);
}

static void
test_time(void)
{
	sqlite3 *db = test_db();
	struct time_window w;
	char *cause = NULL;
	double t;
	long b;

	assert_true(db != NULL);
	/* The bucket that ends at or after a time. */
	expect_u64_eq(time_bucket_of(1, 10, 0), 0);
	expect_u64_eq(time_bucket_of(1, 10, 0.5), 0);
	expect_u64_eq(time_bucket_of(1, 10, 1.0), 0);
	expect_u64_eq(time_bucket_of(1, 10, 1.01), 1);
	expect_u64_eq(time_bucket_of(1, 10, 100), 9);
	expect_u64_eq(time_bucket_of(0, 10, 5), 0);

	expect_true(time_parse(db, "50%", &t, &cause) == 0 && t == 5);
	expect_true(time_parse(db, "2.5s", &t, &cause) == 0 && t == 2.5);
	/* Past the end (10 s) is refused, naming the duration; the
	   rounding of a duration printed to the millisecond is not. */
	expect_true(time_parse(db, "99", &t, &cause) == -1);
	expect_str_contains(cause, "'99' is past the end of the run, which "
	    "lasted 10.000 s");
	free(cause);
	cause = NULL;
	expect_true(time_parse(db, "10.0004", &t, &cause) == 0 && t == 10);
	expect_true(time_parse(db, "10", &t, &cause) == 0 && t == 10);
	expect_true(time_parse(db, "100%", &t, &cause) == 0 && t == 10);
	expect_true(time_parse(db, "end", &t, &cause) == 0 && t == 9.5);
	expect_true(time_parse(db, "exit", &t, &cause) == 0 && t == 10);
	expect_true(time_parse(db, "peak", &t, &cause) == 0 && t == 4);
	expect_true(time_parse(db, "@warm", &t, &cause) == 0 && t == 2.5);
	expect_true(time_parse(db, "nonsense", &t, &cause) == -1);
	expect_str_contains(cause, "'nonsense' is not a TIME");
	free(cause);
	cause = NULL;
	expect_true(time_parse(db, "@cold", &t, &cause) == -1);
	expect_str_contains(cause, "no marker 'cold'");
	free(cause);
	cause = NULL;

	expect_true(time_at(db, NULL, &b, &cause) == 0 &&
	    b == TIME_BUCKET_END);
	expect_true(time_at(db, "end", &b, &cause) == 0 &&
	    b == TIME_BUCKET_END);
	expect_true(time_at(db, "0", &b, &cause) == 0 &&
	    b == TIME_BUCKET_START);
	expect_true(time_at(db, "3.5", &b, &cause) == 0 && b == 3);

	expect_true(time_window(db, NULL, NULL, &w, &cause) == 0);
	expect_true(w.from_bucket == TIME_BUCKET_START &&
	    w.to_bucket == TIME_BUCKET_END && w.from == 0 && w.to == 9.5);
	expect_true(time_window(db, "2", "7", &w, &cause) == 0);
	expect_true(w.from_bucket == 1 && w.to_bucket == 6);
	expect_true(time_window(db, "7", "2", &w, &cause) == -1);
	expect_str_contains(cause, "must come after");
	free(cause);
	sqlite3_close(db);
}

/* "Live at T" as SQL and from the series held: the same everywhere. */
static void
test_live_agrees(void)
{
	sqlite3 *db = test_db();
	struct live_series s;
	int64_t bytes[5], blocks[5];
	char *cause = NULL;
	long b;
	int id;

	assert_true(db != NULL);
	assert_true(live_series_load(db, 5, &s, &cause) == 0);
	for (b = TIME_BUCKET_END; b < 10; b++) {
		live_series_at(&s, b, bytes, blocks);
		for (id = 1; id <= 4; id++) {
			char ids[16], *e1, *e2, *sql;

			snprintf(ids, sizeof ids, "%d", id);
			e1 = live_sql(LIVE_OF_STACK, ids, "live_bytes", b);
			e2 = live_sql(LIVE_OF_STACK, ids, "live_blocks", b);
			sql = xasprintf("SELECT %s * 1000 + %s", e1, e2);
			if (sql_int(db, sql) != bytes[id] * 1000 + blocks[id])
				test_fail_at("stack %d at bucket %ld: SQL %"
				    PRId64 ", memory %" PRId64 " bytes %" PRId64
				    " blocks", id, b, sql_int(db, sql),
				    bytes[id], blocks[id]);
			free(e1);
			free(e2);
			free(sql);
		}
	}
	/* A few by hand: before a stack's first row, between, the end. */
	live_series_at(&s, 2, bytes, blocks);
	expect_u64_eq(bytes[1], 50);
	expect_u64_eq(bytes[2], 100);
	expect_u64_eq(bytes[4], 50);
	live_series_at(&s, 0, bytes, blocks);
	expect_u64_eq(bytes[2], 0);
	live_series_at(&s, TIME_BUCKET_START, bytes, blocks);
	expect_u64_eq(bytes[1], 0);
	live_series_at(&s, TIME_BUCKET_END, bytes, blocks);
	expect_u64_eq(bytes[1], 200);
	expect_u64_eq(blocks[1], 2);
	live_series_free(&s);
	sqlite3_close(db);
}

/* The query tables the site SQL joins: suppressions, classes as of B. */
static int
prepare(sqlite3 *db, long b)
{
	char *cause = NULL;

	if (supp_apply(db, NULL, 0, &cause) != 0 ||
	    classify_at(db, b, &cause) != 0) {
		fprintf(stderr, "  %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static void
test_window_growth(void)
{
	sqlite3 *db = test_db();
	struct time_window w;
	char *cause = NULL, *sub, *sql;

	assert_true(db != NULL && prepare(db, TIME_BUCKET_END) == 0);
	/* From 1 s (end of bucket 0) to 7 s (end of bucket 6): site 1 went
	   from 50 to 300 bytes. */
	assert_true(time_window(db, "1", "7", &w, &cause) == 0);
	sub = live_window_sql(LIVE_OF_SITE, w.to_bucket, &w);
	sql = xasprintf("SELECT round(growth * 1000) FROM %s WHERE wid = 1",
	    sub);
	expect_u64_eq(sql_int(db, sql), 41667);	/* 250 B in 6 s */
	free(sql);
	sql = xasprintf("SELECT live_bytes FROM %s WHERE wid = 1", sub);
	expect_u64_eq(sql_int(db, sql), 300);
	free(sql);
	free(sub);
	/* No window: the site's own rate. */
	sub = live_window_sql(LIVE_OF_SITE, TIME_BUCKET_END, NULL);
	sql = xasprintf("SELECT growth FROM %s WHERE wid = 1", sub);
	expect_u64_eq(sql_int(db, sql), 30);
	free(sql);
	free(sub);
	sqlite3_close(db);
}

static void
test_groups(void)
{
	sqlite3 *db = test_db();
	struct group_opts g = { "object", { NULL }, 0 };
	char *w, *rows, *sql, *cause = NULL;

	assert_true(db != NULL && prepare(db, TIME_BUCKET_END) == 0);
	expect_true(group_wanted(&g));
	w = live_window_sql(LIVE_OF_STACK, TIME_BUCKET_END, NULL);
	assert_true(group_prepare(db, &g, &cause) == 0);
	rows = group_sql(&g, w, "c.live_bytes", "");
	/* prog: sites 1 and 2 whole. */
	sql = xasprintf("SELECT live_bytes * 1000000 + allocations * 1000 +"
	    " round(growth_bytes_per_s) FROM (%s) WHERE module = 'prog'",
	    rows);
	expect_u64_eq(sql_int(db, sql), 400 * 1000000 + 30 * 1000 + 30);
	free(sql);
	/* Its peak: the sum of its stacks over the buckets, 400 at 6. */
	sql = xasprintf("SELECT peak_bytes FROM (%s) WHERE module = 'prog'",
	    rows);
	expect_u64_eq(sql_int(db, sql), 400);
	free(sql);
	sql = xasprintf("SELECT class FROM (%s) WHERE module = 'prog'", rows);
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			expect_true(strcmp((const char *)sqlite3_column_text(
			    st, 0), "leak") == 0);
		else
			test_fail_at("no class: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	free(sql);
	/* libx.so: its mapping, and a peak of its one stack. */
	sql = xasprintf("SELECT mapped_bytes * 1000 + peak_bytes FROM (%s)"
	    " WHERE module = 'libx.so'", rows);
	expect_u64_eq(sql_int(db, sql), 50 * 1000 + 50);
	free(sql);
	free(rows);
	/* By stack: site 1's rate shared out, 200 and 100 of its 300. */
	g.by = "stack";
	assert_true(group_prepare(db, &g, &cause) == 0);
	rows = group_sql(&g, w, "c.live_bytes", "");
	sql = xasprintf("SELECT round(growth_bytes_per_s) FROM (%s) WHERE"
	    " id = 1", rows);
	expect_u64_eq(sql_int(db, sql), 20);
	free(sql);
	sql = xasprintf("SELECT round(sum(growth_bytes_per_s)) FROM (%s)",
	    rows);
	expect_u64_eq(sql_int(db, sql), 31);
	free(sql);
	free(rows);
	free(w);
	sqlite3_close(db);
}

static void
test_modules(void)
{
	sqlite3 *db = test_db();
	char *rows, *sql;

	assert_true(db != NULL && prepare(db, TIME_BUCKET_END) == 0);
	rows = modules_sql(TIME_BUCKET_END);
	sql = xasprintf("SELECT live_bytes * 1000000 + leak_bytes * 1000 +"
	    " steady_bytes FROM (%s) WHERE module = 'prog'", rows);
	expect_u64_eq(sql_int(db, sql), 400 * 1000000 + 300 * 1000 + 100);
	free(sql);
	sql = xasprintf("SELECT unclear_bytes * 1000 + allocations FROM (%s)"
	    " WHERE module = 'libx.so'", rows);
	expect_u64_eq(sql_int(db, sql), 50 * 1000 + 5);
	free(sql);
	sql = xasprintf("SELECT module = 'prog' FROM (%s) LIMIT 1", rows);
	expect_u64_eq(sql_int(db, sql), 1);	/* heaviest first */
	free(sql);
	free(rows);
	/* At bucket 3: site 1 held 200, site 2 100; libx 50 at 1..3. */
	assert_true(prepare(db, 3) == 0);
	rows = modules_sql(3);
	sql = xasprintf("SELECT sum(live_bytes) FROM (%s)", rows);
	expect_u64_eq(sql_int(db, sql), 350);
	free(sql);
	free(rows);
	sqlite3_close(db);
}

/* What classify_memory_at said, by site id. */
struct judged {
	char cls[4][16], pattern[4][128];
	double growth[4];
	int n;
};

static void
judged_add(void *arg, int64_t id, const char *cls, const char *pattern,
    double growth)
{
	struct judged *j = arg;

	if (id < 0 || id > 3)
		return;
	snprintf(j->cls[id], sizeof j->cls[id], "%s", cls);
	snprintf(j->pattern[id], sizeof j->pattern[id], "%s", pattern);
	j->growth[id] = growth;
	j->n++;
}

/* The classes as of every bucket: the queries' and the browser's agree. */
static void
test_classes_agree(void)
{
	sqlite3 *db = test_db();
	struct live_series s;
	struct classify_memory *m;
	int64_t stack_site[5] = { -1, 1, 1, 2, 3 };
	char *cause = NULL;
	long b;

	assert_true(db != NULL);
	assert_true(live_series_load(db, 5, &s, &cause) == 0);
	m = classify_memory_open(db, &s, stack_site, &cause);
	assert_true(m != NULL);
	for (b = 0; b < 10; b++) {
		struct judged j;
		sqlite3_stmt *st = NULL;
		int n = 0;

		memset(&j, 0, sizeof j);
		classify_memory_at(m, b, judged_add, &j);
		assert_true(classify_at(db, b, &cause) == 0);
		assert_true(sqlite3_prepare_v2(db, "SELECT site_id, class_at,"
		    " pattern_at, growth_at FROM temp.site_class_at", -1, &st,
		    NULL) == SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int id = sqlite3_column_int(st, 0);

			n++;
			if (id < 1 || id > 3 || strcmp(j.cls[id],
			    (const char *)sqlite3_column_text(st, 1)) != 0 ||
			    strcmp(j.pattern[id], (const char *)
			    sqlite3_column_text(st, 2)) != 0 ||
			    fabs(j.growth[id] - sqlite3_column_double(st, 3)) >
			    1e-9)
				test_fail_at("bucket %ld, site %d: SQL %s '%s',"
				    " memory %s '%s'", b, id, (const char *)
				    sqlite3_column_text(st, 1), (const char *)
				    sqlite3_column_text(st, 2), id >= 1 &&
				    id <= 3 ? j.cls[id] : "?", id >= 1 &&
				    id <= 3 ? j.pattern[id] : "?");
		}
		sqlite3_finalize(st);
		expect_u64_eq(j.n, n);
	}
	classify_memory_close(m);
	live_series_free(&s);
	sqlite3_close(db);
}

/* The browser's modules (summed in C) are modules_sql's rows. */
static void
modules_agree(sqlite3 *db, const struct modules *m, long bucket)
{
	char *rows = modules_sql(bucket), *cause = NULL;
	sqlite3_stmt *st = NULL;
	size_t i = 0;

	if (classify_at(db, bucket, &cause) != 0) {
		test_fail_at("classify_at: %s", cause);
		free(cause);
	}

	if (sqlite3_prepare_v2(db, rows, -1, &st, NULL) != SQLITE_OK) {
		test_fail_at("modules_sql: %s", sqlite3_errmsg(db));
		free(rows);
		return;
	}
	for (; sqlite3_step(st) == SQLITE_ROW; i++) {
		const struct module_row *mr = &m->rows[i];

		if (i >= m->nrows) {
			test_fail_at("more modules in SQL than in the model");
			break;
		}
		expect_true(strcmp(mr->name, (const char *)
		    sqlite3_column_text(st, 0)) == 0);
		expect_u64_eq(mr->live_blocks, sqlite3_column_int64(st, 1));
		expect_u64_eq(mr->live_bytes, sqlite3_column_int64(st, 2));
		expect_u64_eq(mr->peak_bytes, sqlite3_column_int64(st, 3));
		expect_u64_eq(mr->allocations, sqlite3_column_int64(st, 4));
		expect_u64_eq(mr->leak_bytes, sqlite3_column_int64(st, 5));
		expect_u64_eq(mr->steady_bytes, sqlite3_column_int64(st, 6));
		expect_u64_eq(mr->unclear_bytes, sqlite3_column_int64(st, 7));
	}
	expect_u64_eq(i, m->nrows);
	sqlite3_finalize(st);
	free(rows);
}

/* The browser's models: scope, sites and modules, as the queries say. */
static void
test_models(void)
{
	sqlite3 *db = test_db();
	struct run *r;
	struct sites *s;
	struct modules m;
	struct site_row *row;
	char *cause = NULL, text[128];

	assert_true(db != NULL);
	r = run_open(db, "test.db", NULL, 0, &cause);
	if (r == NULL)
		test_fail_at("run_open: %s", cause);
	assert_true(r != NULL);
	expect_u64_eq(r->nstacks, 5);
	expect_u64_eq(r->scoped_bytes[1], 200);
	s = sites_open(r, &cause);
	assert_true(s != NULL);
	/* The end: live bytes first. */
	s->sort = SORT_LIVE;
	sites_refresh(s);
	row = sites_selected(s);
	assert_true(row != NULL);
	expect_u64_eq(row->id, 1);
	expect_u64_eq(row->live_bytes, 300);
	expect_true(row->cls == 'L');

	/* At bucket 3. */
	run_set_scope(r, (struct scope){ SCOPE_AT, 0, 3, 0 });
	sites_refresh(s);
	expect_u64_eq(s->rows[s->row_of_id[1]].live_bytes, 200);
	expect_u64_eq(s->rows[s->row_of_id[3]].live_bytes, 50);
	run_scope_text(r, text, sizeof text);
	expect_str_contains(text, "live at 4.000 s");
	memset(&m, 0, sizeof m);
	modules_refresh(&m, s);
	expect_u64_eq(m.nrows, 2);
	expect_u64_eq(m.rows[0].live_bytes, 300);
	expect_u64_eq(m.rows[0].nsites, 2);
	modules_agree(db, &m, 3);
	run_set_scope(r, (struct scope){ SCOPE_END, 0, 0, 0 });
	modules_refresh(&m, s);
	modules_agree(db, &m, TIME_BUCKET_END);
	run_set_scope(r, (struct scope){ SCOPE_AT, 0, 3, 0 });

	/* A window from the end of bucket 0 to the end of bucket 6. */
	run_set_scope(r, (struct scope){ SCOPE_WINDOW, 1, 6, 0 });
	sites_refresh(s);
	expect_u64_eq(s->rows[s->row_of_id[1]].live_bytes, 300);
	expect_u64_eq((int64_t)round(s->rows[s->row_of_id[1]].growth * 1000),
	    41667);
	run_scope_text(r, text, sizeof text);
	expect_str_contains(text, "from 1.000 s to 7.000 s");

	/* A class filter and a text filter. */
	run_set_scope(r, (struct scope){ SCOPE_END, 0, 0, 0 });
	s->cls_filter = 'U';
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	s->cls_filter = 0;
	snprintf(s->filter, sizeof s->filter, "TAB");
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	expect_u64_eq(sites_selected(s)->id, 2);
	modules_free(&m);
	sites_close(s);
	run_close(r);
	sqlite3_close(db);
}

/*
 * The text filter in the frames of a site's stacks: site 1's stack 1 is
 * called from Dispatch_Loop (main.c) through a wrapper below its own
 * frame, site 3's stack 4 from helper, into which inner_inl is inlined.
 * The detail opens at frame #0 with the site's frame marked.
 */
static void
test_models_frames(void)
{
	sqlite3 *db = test_db();
	struct run *r;
	struct sites *s;
	struct detail *d;
	const char *via;
	char *cause = NULL;

	assert_true(db != NULL);
	assert_true(sqlite3_exec(db, "INSERT INTO frames (address, depth,"
	    " module_id, function, file, line, inlined) VALUES"
	    " (3000, 0, 1, 'wrap_alloc', 'w.c', 3, 0),"
	    " (4096, 0, 1, 'grow', 'p.c', 10, 0),"
	    " (5000, 0, 1, 'Dispatch_Loop', 'main.c', 40, 0),"
	    " (8192, 0, 2, 'xalloc', 'x.c', 5, 0),"
	    " (6000, 0, 2, 'inner_inl', 'h.c', 7, 1),"
	    " (6000, 1, 2, 'helper', 'h.c', 9, 0);"
	    "INSERT INTO stack_frames (stack_id, position, address) VALUES"
	    " (1, 0, 3000), (1, 1, 4096), (1, 2, 5000),"
	    " (2, 0, 4096), (3, 0, 4200), (4, 0, 8192), (4, 1, 6000);",
	    NULL, NULL, NULL) == SQLITE_OK);
	r = run_open(db, "test.db", NULL, 0, &cause);
	assert_true(r != NULL);
	s = sites_open(r, &cause);
	assert_true(s != NULL);
	sites_start_frames(s);	/* in memory: read on the first filter */
	snprintf(s->filter, sizeof s->filter, "dispatch");
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	expect_u64_eq(sites_selected(s)->id, 1);
	via = sites_frame_match(s, sites_selected(s));
	expect_true(via != NULL);
	expect_str_contains(via != NULL ? via : "", "dispatch_loop\tmain.c");
	/* Narrowing, and a file. */
	snprintf(s->filter, sizeof s->filter, "dispatch_x");
	sites_refresh(s);
	expect_u64_eq(s->norder, 0);
	snprintf(s->filter, sizeof s->filter, "MAIN.C");
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	/* An inlined frame; and the site's own text names no frame. */
	snprintf(s->filter, sizeof s->filter, "inner_inl");
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	expect_u64_eq(sites_selected(s)->id, 3);
	snprintf(s->filter, sizeof s->filter, "grow");
	sites_refresh(s);
	expect_u64_eq(s->norder, 1);
	expect_true(sites_frame_match(s, sites_selected(s)) == NULL);
	/* A frame of several sites' stacks: each site once. */
	snprintf(s->filter, sizeof s->filter, ".c");
	sites_refresh(s);
	expect_u64_eq(s->norder, 3);

	d = detail_open(r, 1, &cause);
	assert_true(d != NULL);
	expect_u64_eq(d->stack_ids[d->stack_at], 1);
	expect_u64_eq(d->nframes, 3);
	expect_u64_eq(d->cur.sel, 0);
	expect_true(d->nframes == 3 && !d->frames[0].is_site &&
	    d->frames[1].is_site);
	detail_close(d);
	sites_close(s);
	run_close(r);
	sqlite3_close(db);
}

static void
test_cursor(void)
{
	struct cursor c = { 0, 0, 100, 10 };

	cursor_move(&c, MOVE_PAGE_DOWN);
	expect_u64_eq(c.sel, 9);
	cursor_move(&c, MOVE_END);
	expect_u64_eq(c.sel, 99);
	expect_u64_eq(c.top, 90);
	cursor_move(&c, MOVE_DOWN);
	expect_u64_eq(c.sel, 99);
	cursor_move(&c, MOVE_HOME);
	expect_u64_eq(c.sel, 0);
	expect_u64_eq(c.top, 0);
	c.count = 0;
	cursor_clamp(&c);
	expect_u64_eq(c.sel, 0);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "query: the classes' order, in C and in SQL", test_class_order },
		{ "query: TIME words, buckets, windows", test_time },
		{ "query: live at T, SQL and in memory agree", test_live_agrees },
		{ "query: growth over a window", test_window_growth },
		{ "query: grouped rows (peak, growth, mapped)", test_groups },
		{ "query: the modules table", test_modules },
		{ "query: classes as of a time, SQL and in memory agree",
		    test_classes_agree },
		{ "models: scope, sites, modules", test_models },
		{ "models: the filter in the frames, the detail at #0",
		    test_models_frames },
		{ "models: the list cursor", test_cursor },
		{ NULL, NULL },
	};

	return test_run(tests);
}
