/*
 * test-db-queue.c - analyzer/db-queue.c: statements run on the queue's
 * thread in order, with their arguments as they were when queued (strings
 * copied, long ones too), across many blocks; the first failure is
 * reported and what came after it is not run.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "../../analyzer/analyzer.h"
#include "../../analyzer/db-queue.h"
#include "test.h"

static void
queue(db_queue *q, sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;

	va_start(ap, types);
	db_queue_exec(q, st, types, ap);
	va_end(ap);
}

static sqlite3 *
open_db(sqlite3_stmt **ins)
{
	sqlite3 *db;

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, d REAL,"
	    " s TEXT, n)", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?)", -1, ins,
	    NULL);
	return db;
}

static void
test_in_order(void)
{
	sqlite3_stmt *ins, *json;
	sqlite3 *db = open_db(&ins);
	db_queue *q = db_queue_start(db);
	char buf[32], *big = malloc(300000);
	int64_t i;

	assert_true(q != NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t (id, s) SELECT ?1 + key, value"
	    " FROM json_each(?2)", -1, &json, NULL);
	for (i = 1; i <= 20000; i++) {
		snprintf(buf, sizeof buf, "s%" PRId64, i);
		/* The caller's string changes as soon as it is queued. */
		queue(q, ins, "idtn", i, (double)i / 2, i % 7 ? buf : NULL,
		    (int64_t)0);
		strcpy(buf, "overwritten");
	}
	memset(big, 'x', 299999);
	big[299999] = '\0';
	queue(q, ins, "idtn", (int64_t)20001, 0.0, big, (int64_t)0);
	db_queue_exec_text(q, json, 30000, "[1,2,3]xyz", 7);
	expect_true(db_queue_stop(q) == NULL);
	expect_u64_eq(db_query_int(db, "SELECT count(*) FROM t"), 20004);
	expect_u64_eq(db_query_int(db, "SELECT count(*) FROM t WHERE s IS NULL"),
	    20000 / 7);
	expect_u64_eq(db_query_int(db, "SELECT count(*) FROM t WHERE id <= 20000 AND"
	    " s IS NOT NULL AND s != 's' || id"), 0);
	expect_u64_eq(db_query_int(db, "SELECT sum(d * 2) FROM t WHERE id <= 20000"),
	    20000 * 20001 / 2);
	expect_u64_eq(db_query_int(db, "SELECT length(s) FROM t WHERE id = 20001"),
	    299999);
	expect_u64_eq(db_query_int(db, "SELECT sum(id) FROM t WHERE id >= 30000"),
	    30000 + 30001 + 30002);
	free(big);
	sqlite3_finalize(ins);
	sqlite3_finalize(json);
	sqlite3_close(db);
}

static void
test_failure_stops(void)
{
	sqlite3_stmt *ins;
	sqlite3 *db = open_db(&ins);
	db_queue *q = db_queue_start(db);
	char *err;

	assert_true(q != NULL);
	queue(q, ins, "idtn", (int64_t)1, 1.0, "a", (int64_t)0);
	queue(q, ins, "idtn", (int64_t)1, 1.0, "again", (int64_t)0);
	queue(q, ins, "idtn", (int64_t)2, 1.0, "after", (int64_t)0);
	err = db_queue_stop(q);
	assert_true(err != NULL);
	expect_str_contains(err, "INSERT INTO t");
	expect_str_contains(err, "UNIQUE");
	expect_u64_eq(db_query_int(db, "SELECT count(*) FROM t"), 1);
	free(err);
	sqlite3_finalize(ins);
	sqlite3_close(db);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "db-queue: statements run in order, arguments copied",
		    test_in_order },
		{ "db-queue: the first failure is reported, the rest not run",
		    test_failure_stops },
		{ NULL, NULL },
	};

	return test_run(tests);
}
