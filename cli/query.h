/*
 * query.h - what the query commands share: their common options,
 * printing rows of an SQL query as a table, CSV or JSON, and the query
 * library (query/) with its causes printed.  What the database means is
 * in query/; here is only how the command line says it.
 */
#ifndef HEAPTRAIL_QUERY_H
#define HEAPTRAIL_QUERY_H

#include <sqlite3.h>

#include "../query/group.h"
#include "../query/time.h"

enum query_format { QF_TABLE, QF_CSV, QF_JSON };

enum column_type {
	COL_INT,	/* integer, plain everywhere */
	COL_BYTES,	/* integer bytes: human units in tables */
	COL_REAL,	/* seconds, rates */
	COL_RATE,	/* bytes per second: human units in tables */
	COL_TEXT,
	COL_DELTA,	/* signed integer: "+3", "-2" in tables */
	COL_DELTA_BYTES,	/* signed bytes: "+1.50 KiB" in tables */
	COL_FUNCTION,	/* text: a function's name, abbreviated in tables
			   (C++ template arguments and argument lists) */
	COL_FILE,	/* text: a source file; in tables "FILE:LINE" with
			   the next column's line when it is COL_LINE, the
			   file's base name when the table is narrow */
	COL_LINE,	/* integer: the line of the COL_FILE before it */
};

/*
 * Tables fit the width (query_print): while the columns shown, their
 * text cut to MIN, would not fit, the one of lowest DROP is left out;
 * then the text is cut, down to MIN, and below it (to 3) only when that
 * is not enough.  --wide tables are never cut.
 */
struct column {
	const char *name;	/* JSON key, CSV and table header */
	enum column_type type;
	int hidden;		/* not in tables (CSV and JSON only); 2: only
				   when a row has a value there; 3: only in
				   --wide tables */
	const char *label;	/* shorter table header, or NULL */
	int drop;		/* order in which tables too narrow leave it
				   out (1 first); 0: kept */
	int min;		/* text: the characters it keeps while
				   columns with a DROP can go (0: 10) */
};

struct query_opts {
	enum query_format format;
	long limit;		/* 0: no limit */
	int limit_given;	/* --limit was on the command line */
	const char *sort;	/* a column name, or NULL */
	int fail_on_leak;	/* leaks only */
	struct group_opts group;	/* --by, --focus */
	const char *at;		/* TIME strings as given, or NULL */
	const char *from;
	const char *to;
	const char *measure;	/* flamegraph: live, peak, allocations,
				   leak (NULL: live) */
	const char *suppressions[8];	/* --suppressions files */
	int nsuppressions;
	long long min_bytes;	/* --min-bytes (leaks), 0: none */
	int wide;		/* --wide: tables at full width, with full
				   names and paths and the hidden=3 columns */
	const char *output;	/* -o FILE (pprof), or NULL */
	const char *input;	/* DB or TRACE */
	const char *input2;	/* diff: the second DB or TRACE, or NULL */
};

/*
 * The query library (query/) with what goes wrong printed: each returns
 * 0, or -1 after printing the cause.
 */
/* TIME (query/time.h) as seconds. */
int query_time(sqlite3 *db, const char *spec, double *seconds);
/* O's --at as a bucket: TIME_BUCKET_END without one. */
int query_at(sqlite3 *db, const struct query_opts *o, long *bucket);
/* O's --from/--to. */
int query_window(sqlite3 *db, const struct query_opts *o,
    struct time_window *w);
/* The sites' classes as of BUCKET into temp.site_class_at
   (query/classify-at.h). */
int query_classes_at(sqlite3 *db, long bucket);
/* The suppressions: the built-in ones, HEAPTRAIL_SUPPRESSIONS's and
   O's --suppressions (query/suppress.h). */
int query_suppress(sqlite3 *db, const struct query_opts *o);

/* Prints DB's last SQL error with the database's name; returns -1. */
int query_sql_failed(sqlite3 *db);

/* O's --by and --focus: the groups (query/group.h). */
int query_group(sqlite3 *db, const struct query_opts *o);

/* Adds --suppressions PATH to O; -1 after a usage message (too many). */
int query_add_suppressions(struct query_opts *o, const char *cmd,
    const char *path);

/*
 * Parses the options of CMD (--format, --wide, --limit, --sort KEY among
 * COLS, and what FLAGS allows: --fail-on-leak, --at, --from/--to, -o ...)
 * into *o.
 * Returns -1 when all is well, else the exit status (help printed: 0;
 * usage error: 2).
 */
#define QUERY_FAIL_ON_LEAK 1	/* flags: which options a command takes */
#define QUERY_AT 2
#define QUERY_WINDOW 4
#define QUERY_GROUP 8		/* --by, --focus */
#define QUERY_FOLDED 16		/* --measure; no --format or --sort */
#define QUERY_SUPPRESS 32	/* --suppressions */
#define QUERY_MIN_BYTES 64	/* --min-bytes */
#define QUERY_TWO_INPUTS 128	/* one or two DB|TRACE (diff) */
#define QUERY_OUTPUT 256	/* -o FILE; writes a file: no --format,
				   --wide, --limit or --sort */

int query_parse(int argc, char **argv, const char *cmd, const char *usage,
    const struct column *cols, int ncols, int flags, struct query_opts *o);

/* Opens o->input (analyzing a trace first); prints the error itself. */
sqlite3 *query_open(const struct query_opts *o);

/*
 * Runs SQL (one statement whose result columns are COLS, in order) and
 * prints the rows.  EXTRA, if not NULL, is called for each row in JSON
 * output to add more members (it prints ", \"key\": value ...").
 * Returns the number of rows, or -1 on an SQL error (printed).
 */
long query_print(sqlite3 *db, const char *sql, const struct column *cols,
    int ncols, const struct query_opts *o,
    void (*extra)(sqlite3 *db, sqlite3_stmt *row, void *arg), void *arg);

/* JSON helpers for EXTRA callbacks. */
void json_string(const char *s);
void json_column(sqlite3_stmt *st, int i);

#endif /* HEAPTRAIL_QUERY_H */
