/*
 * db.c - open an analysis database for the query commands.
 *
 * A query is given a DB or a TRACE.  A trace is recognized by its magic
 * and analyzed into TRACE's database (db_path_for), unless that database
 * is already there, newer than the trace and of our schema version (one
 * written by an older heaptrail is replaced).  A database must be SQLite
 * with our schema version (PRAGMA user_version); anything else is refused
 * with a message naming the file.
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
		struct load_options opt = { path, db_path, 0, progress, arg };

		if (load_trace(&opt, cause) != 0) {
			free(db_path);
			return NULL;
		}
	}
	db = db_open_checked(db_path, cause);
	free(db_path);
	return db;
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
