/*
 * load-db.c - the database the loader writes: made under a temporary
 * name, its statements, one writer for every row (load_exec), meta
 * rows, and at the end the indexes, the commit and the rename.
 *
 * Everything is written in one transaction with the journal off, into
 * DB.tmp.PID, renamed to DB only when complete: an interrupted analysis
 * never leaves a file that looks finished.  Every function here does
 * nothing once l->error is set, and sets it on the first SQL error.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../util/xmalloc.h"
#include "db-queue.h"
#include "load-internal.h"

/*
 * While events load, statements run on a thread of their own (the other
 * core was idle while SQLite took up to half of this one); the
 * connection is the queue's until load_db_sync.  A failing statement (a
 * full disk) is the load's error from then: the rest of the trace is
 * still read, and nothing written.
 */
void
load_db_async(struct loader *l)
{
	l->sql.queue = db_queue_start(l->sql.db);
}

/* Waits for the queued statements; their first failure is the load's. */
void
load_db_sync(struct loader *l)
{
	char *err;

	if (l->sql.queue == NULL)
		return;
	err = db_queue_stop(l->sql.queue);
	l->sql.queue = NULL;
	if (err != NULL)
		load_error(l, "%s: %s", l->opt->db, err);
	free(err);
}

int
load_sql_ok(struct loader *l, int rc, const char *what)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 1;
	load_error(l, "%s: %s: %s", l->opt->db, what,
	    sqlite3_errmsg(l->sql.db));
	return 0;
}

sqlite3_stmt *
load_prepare(struct loader *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	load_sql_ok(l, sqlite3_prepare_v2(l->sql.db, sql, -1, &st, NULL), sql);
	return st;
}

/*
 * Binds the arguments and runs ST, then resets it.  TYPES has a letter
 * per argument: "i" int64_t, "d" double, "t" string (NULL: SQL null),
 * "n" SQL null (its argument, an int64_t, is ignored: callers pass the
 * same list either way).
 */
void
load_exec(struct loader *l, sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	int i;

	if (st == NULL || l->error != NULL)
		return;
	va_start(ap, types);
	if (l->sql.queue != NULL) {
		db_queue_exec(l->sql.queue, st, types, ap);
		va_end(ap);
		return;
	}
	for (i = 0; types[i] != '\0'; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, s, -1,
				    SQLITE_TRANSIENT);
			break;
		}
		default:
			(void)va_arg(ap, int64_t);
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
	va_end(ap);
	load_sql_ok(l, sqlite3_step(st), sqlite3_sql(st));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* The stack_frames rows of stack ID: FRAMES[0, N) (see ins_stack_frame). */
void
load_stack_frames(struct loader *l, uint64_t id, const uint64_t *frames,
    uint32_t n)
{
	struct load_sql *s = &l->sql;
	size_t need = 2 + (size_t)n * 21, len = 0;
	uint32_t i;

	if (n == 0 || l->error != NULL)
		return;
	if (s->json_cap < need) {
		s->json_cap = need * 2;
		s->json = xrealloc(s->json, s->json_cap);
	}
	s->json[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s->json + len, s->json_cap - len,
		    i ? ",%" PRId64 : "%" PRId64, (int64_t)frames[i]);
	s->json[len++] = ']';
	if (s->queue != NULL) {
		db_queue_exec_text(s->queue, s->ins_stack_frame, (int64_t)id,
		    s->json, len);
		return;
	}
	sqlite3_bind_int64(s->ins_stack_frame, 1, (int64_t)id);
	sqlite3_bind_text(s->ins_stack_frame, 2, s->json, (int)len,
	    SQLITE_STATIC);
	load_sql_ok(l, sqlite3_step(s->ins_stack_frame),
	    sqlite3_sql(s->ins_stack_frame));
	sqlite3_reset(s->ins_stack_frame);
}

void
load_meta(struct loader *l, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	value = xvasprintf(fmt, ap);
	va_end(ap);
	load_exec(l, l->sql.ins_meta, "tt", key, value);
	free(value);
}

/*
 * No index of stack_frames by address: building it was a quarter of
 * cc1plus's analysis (1.44M rows), and the queries go from stacks to
 * their frames by the primary key; --by and --focus join frames to
 * stack_frames by address while reading all of it, and took the same
 * time without the index on cc1plus's database (2026-12-07).
 */
static const char *const load_indexes =
	"CREATE INDEX blocks_stack ON blocks (stack_id);"
	"CREATE INDEX stacks_site ON stacks (site_id);"
	"CREATE INDEX anomalies_kind ON anomalies (kind);"
	/* Statistics for the planner from a sample of each index: a whole
	   ANALYZE read every row again (0.37 s of cc1plus's analysis). */
	"PRAGMA analysis_limit = 1000;"
	"ANALYZE;";

/*
 * Creates the database under its temporary name with the schema, begins
 * the transaction and prepares the statements of l->sql.  0, or -1
 * after load_error.
 */
int
load_db_open(struct loader *l)
{
	struct load_sql *s = &l->sql;

	s->tmp_path = xasprintf("%s.tmp.%ld", l->opt->db, (long)getpid());
	unlink(s->tmp_path);
	if (sqlite3_open(s->tmp_path, &s->db) != SQLITE_OK) {
		load_error(l, "%s: cannot create: %s", l->opt->db,
		    s->db ? sqlite3_errmsg(s->db) : strerror(errno));
		return -1;
	}
	load_sql_ok(l, sqlite3_exec(s->db, "PRAGMA journal_mode = OFF;"
	    "PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
	    NULL, NULL, NULL), "pragmas");
	load_sql_ok(l, sqlite3_exec(s->db, ht_schema_sql, NULL, NULL, NULL),
	    "schema");
	load_sql_ok(l, sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL),
	    "begin");
	if (l->error)
		return -1;

	s->ins_module = load_prepare(l, "INSERT INTO modules (id, path, name,"
	    " base, text_start, text_end, build_id, load_time) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?)");
	s->upd_module_unload = load_prepare(l, "UPDATE modules SET"
	    " unload_time = ? WHERE id = ?");
	s->ins_stack = load_prepare(l, "INSERT OR REPLACE INTO stacks"
	    " (id, depth) VALUES (?, ?)");
	/* A stack's frames in one statement, its addresses as a JSON array:
	   a row at a time took a microsecond each (a stack has dozens). */
	s->ins_stack_frame = load_prepare(l, "INSERT OR REPLACE INTO"
	    " stack_frames (stack_id, position, address) SELECT ?1, key,"
	    " value FROM json_each(?2)");
	s->ins_frame = load_prepare(l, "INSERT OR IGNORE INTO frames"
	    " (address, depth, module_id, function, file, line, inlined)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)");
	s->ins_series = load_prepare(l, "INSERT INTO stack_series (stack_id,"
	    " bucket, live_bytes, live_blocks, allocations, alloc_bytes)"
	    " VALUES (?, ?, ?, ?, ?, ?)");
	s->ins_site_series = load_prepare(l, "INSERT INTO site_series"
	    " (site_id, bucket, live_bytes, live_blocks, allocations,"
	    " alloc_bytes) VALUES (?, ?, ?, ?, ?, ?)");
	s->ins_timeline = load_prepare(l, "INSERT INTO timeline (bucket,"
	    " time, heap_bytes, heap_blocks, peak_bytes, rss_bytes,"
	    " allocations, frees, mapped_bytes) VALUES (?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)");
	s->ins_marker = load_prepare(l, "INSERT INTO markers (time,"
	    " thread_id, label) VALUES (?, ?, ?)");
	s->ins_anomaly = load_prepare(l, "INSERT INTO anomalies (kind, time,"
	    " thread_id, address, stack_id, count) VALUES (?, ?, ?, ?, ?, ?)");
	s->ins_block = load_prepare(l, "INSERT INTO blocks (address, size,"
	    " alloc_time, free_time, stack_id, thread_id, entry, live_at_end)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	s->ins_thread = load_prepare(l, "INSERT INTO threads (id, tid, name,"
	    " start_time, end_time) VALUES (?, ?, ?, ?, ?)");
	s->ins_stack_stats = load_prepare(l, "INSERT INTO stack_stats"
	    " (stack_id, allocations, alloc_bytes, frees, freed_bytes,"
	    " live_blocks, live_bytes, peak_bytes, peak_time, first_time,"
	    " last_time, temporary, exit_live_blocks, exit_live_bytes) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)");
	s->ins_meta = load_prepare(l, "INSERT OR REPLACE INTO meta (key,"
	    " value) VALUES (?, ?)");
	return l->error != NULL ? -1 : 0;
}

/* The indexes, then the commit. */
void
load_db_commit(struct loader *l)
{
	if (l->error == NULL)
		load_sql_ok(l, sqlite3_exec(l->sql.db, load_indexes, NULL,
		    NULL, NULL), "indexes");
	if (l->error == NULL)
		load_sql_ok(l, sqlite3_exec(l->sql.db, "COMMIT", NULL, NULL,
		    NULL), "commit");
}

/*
 * Closes the database; renames it into place if no error came, else
 * removes it.
 */
void
load_db_close(struct loader *l)
{
	struct load_sql *s = &l->sql;
	sqlite3_stmt *st = NULL;

	while (s->db != NULL && (st = sqlite3_next_stmt(s->db, NULL)) != NULL)
		sqlite3_finalize(st);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		load_error(l, "%s: cannot close the database", l->opt->db);
	s->db = NULL;
	if (s->tmp_path == NULL)
		return;
	if (l->error == NULL && rename(s->tmp_path, l->opt->db) != 0)
		load_error(l, "%s: cannot write: %s", l->opt->db,
		    strerror(errno));
	if (l->error != NULL)
		unlink(s->tmp_path);
	free(s->tmp_path);
	free(s->json);
	s->tmp_path = NULL;
}
