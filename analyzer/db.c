/*
 * db.c - open an analysis database for the query commands.
 *
 * A query is given a DB or a TRACE.  A trace is recognized by its magic
 * and analyzed into TRACE's database (db_path_for), unless that database
 * is already there, newer than the trace and of our schema version (one
 * written by an older heaptrail is replaced).  A database must be SQLite
 * with our schema version (PRAGMA user_version); anything else is refused
 * with a message naming the file.
 *
 * db_warning holds the rule of what is wrong with a recording that
 * analyzed (meta events, complete, cut_at): nothing recorded, or cut
 * short by a kill; every query command prints it through cli_open_db.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../format/trace-format.h"
#include "../util/xmalloc.h"
#include "analyzer.h"

char *
db_path_for(const char *trace)
{
	size_t n = strlen(trace);

	if (n > 6 && strcmp(trace + n - 6, ".trace") == 0)
		return xasprintf("%.*s.db", (int)(n - 6), trace);
	return xasprintf("%s.db", trace);
}

/* 1 trace, 2 SQLite, 0 something else, -1 unreadable (errno). */
static int
db_kind(const char *path)
{
	char head[16];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, head, sizeof head);
	close(fd);
	if (n >= HT_MAGIC_LEN && memcmp(head, HT_MAGIC, HT_MAGIC_LEN) == 0)
		return 1;
	if (n == 16 && memcmp(head, "SQLite format 3", 16) == 0)
		return 2;
	return 0;
}

/* DB's PRAGMA user_version; -1 if it cannot be read. */
static int
db_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/* 1 if PATH is a database of our schema version. */
static int
db_is_current(const char *path)
{
	sqlite3 *db = NULL;
	int current = 0;

	if (db_kind(path) == 2 && sqlite3_open_v2(path, &db,
	    SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		current = db_version(db) == HT_SCHEMA_VERSION;
	sqlite3_close(db);
	return current;
}

static sqlite3 *
db_open_checked(const char *path, char **cause)
{
	sqlite3 *db = NULL;
	int version;

	/* One thread uses a query connection: no mutex per call (they
	   were 14% of reading the browser's series). */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot open: %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	version = db_version(db);
	if (version != HT_SCHEMA_VERSION) {
		*cause = version < 0 ?
		    xasprintf("%s: not a readable SQLite database: %s", path,
		    sqlite3_errmsg(db)) : version == 0 ?
		    xasprintf("%s: not a heaptrail database", path) :
		    xasprintf("%s: heaptrail database of schema %d, this "
		    "heaptrail reads schema %d (analyze the trace again)",
		    path, version, HT_SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *
db_open_reporting(const char *path, load_progress_fn *progress, void *arg,
    char **cause)
{
	struct stat ts, ds;
	char *db_path;
	sqlite3 *db;

	switch (db_kind(path)) {
	case -1:
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	case 2:
		return db_open_checked(path, cause);
	case 1:
		break;
	default:
		*cause = xasprintf("%s: neither a heaptrail trace nor a "
		    "heaptrail database", path);
		return NULL;
	}
	db_path = db_path_for(path);
	if (stat(path, &ts) != 0 || stat(db_path, &ds) != 0 ||
	    ds.st_mtim.tv_sec < ts.st_mtim.tv_sec ||
	    (ds.st_mtim.tv_sec == ts.st_mtim.tv_sec &&
	    ds.st_mtim.tv_nsec < ts.st_mtim.tv_nsec) ||
	    !db_is_current(db_path)) {
		/* Quiet but for the progress: no notes (as no "wrote"). */
		struct load_options opt = { path, db_path, 0, progress, arg,
		    NULL, NULL };

		if (load_trace(&opt, cause) != 0) {
			free(db_path);
			return NULL;
		}
	}
	db = db_open_checked(db_path, cause);
	free(db_path);
	return db;
}

int64_t
db_query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

double
db_meta_number(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	double v = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
	    &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_double(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

char *
db_meta_text(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
	    &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0) != NULL)
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return v;
}

char *
db_warning(sqlite3 *db, const char *path, enum db_damage *damage)
{
	long long events = (long long)db_meta_number(db, "events");
	long long bytes = (long long)db_meta_number(db, "trace_bytes");
	long long cut_at = (long long)db_meta_number(db, "cut_at");
	int complete = db_meta_number(db, "complete") != 0;
	double secs = db_meta_number(db, "duration_s");
	enum db_damage d = events == 0 ? DB_NO_EVENTS : complete ? DB_WHOLE :
	    DB_CUT_SHORT;
	char *where, *line;

	if (damage != NULL)
		*damage = d;
	if (d == DB_WHOLE)
		return NULL;
	if (d == DB_NO_EVENTS) {
		if (complete)
			return xasprintf("%s: no events: the recording ended "
			    "cleanly but holds no allocations or frees", path);
		if (cut_at > 0 && cut_at <= HT_PREFIX_LEN)
			return xasprintf("%s: no events: the trace ends after "
			    "%lld bytes, inside its first frame", path, bytes);
		if (cut_at > 0)
			return xasprintf("%s: no events: the trace ends after "
			    "%lld bytes, inside the frame at byte %lld", path,
			    bytes, cut_at);
		return xasprintf("%s: no events: the trace ends after %lld "
		    "bytes with no end record, the program was killed or is "
		    "still running", path, bytes);
	}
	where = cut_at > 0 ? xasprintf(" (at byte %lld of %lld, inside a "
	    "frame)", cut_at, bytes) : xstrdup("");
	line = xasprintf("%s: the trace ends early%s: no end record, the "
	    "program was killed or is still running; figures are up to "
	    "%.3f s", path, where, secs);
	free(where);
	return line;
}
