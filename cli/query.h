/*
 * query.h - what the query commands share: their common options, and
 * printing rows of an SQL query as a table, CSV or JSON.
 */
#ifndef HEAPTRAIL_QUERY_H
#define HEAPTRAIL_QUERY_H

#include <sqlite3.h>

enum query_format { QF_TABLE, QF_CSV, QF_JSON };

enum column_type {
	COL_INT,	/* integer, plain everywhere */
	COL_BYTES,	/* integer bytes: human units in tables */
	COL_REAL,	/* seconds, rates */
	COL_RATE,	/* bytes per second: human units in tables */
	COL_TEXT,
	COL_DELTA,	/* signed integer: "+3", "-2" in tables */
	COL_DELTA_BYTES,	/* signed bytes: "+1.50 KiB" in tables */
};

struct column {
	const char *name;	/* JSON key, CSV and table header */
	enum column_type type;
	int hidden;		/* not in tables (CSV and JSON only); 2: only
				   when a row has a value there */
	const char *label;	/* shorter table header, or NULL */
};

struct query_opts {
	enum query_format format;
	long limit;		/* 0: no limit */
	int limit_given;	/* --limit was on the command line */
	const char *sort;	/* a column name, or NULL */
	int fail_on_leak;	/* leaks only */
	const char *by;		/* site (default), stack, function, file,
				   object */
	const char *focus[8];	/* --focus patterns */
	int nfocus;
	const char *at;		/* TIME strings as given, or NULL */
	const char *from;
	const char *to;
	const char *measure;	/* flamegraph: live, peak, allocations,
				   leak (NULL: live) */
	const char *suppressions[8];	/* --suppressions files */
	int nsuppressions;
	long long min_bytes;	/* --min-bytes (leaks), 0: none */
	const char *input;	/* DB or TRACE */
	const char *input2;	/* diff: the second DB or TRACE, or NULL */
};

/*
 * TIME as seconds since the start: "12.5", "12.5s", "50%" (of the run),
 * "peak" (of the heap), "end" (of the program's work: meta work_end_s),
 * "exit" (the last event, after the teardown), or "@label" (the first
 * marker so named).  Returns 0, or -1 after printing what is wrong.
 */
int query_time(sqlite3 *db, const char *spec, double *seconds);

/* When the program's work ended (meta work_end_s), in seconds. */
double query_work_end(sqlite3 *db);

/* Adds --suppressions PATH to O; -1 after a usage message (too many). */
int query_add_suppressions(struct query_opts *o, const char *cmd,
    const char *path);

/* The time bucket that ends at or after SECONDS (0 .. buckets - 1). */
long query_bucket(sqlite3 *db, double seconds);

/*
 * A time's bucket that stands for the end of the work: the live figures
 * then are the tables' live_* columns, exact, not a series' bucket (the
 * bucket the work ends in holds some of the teardown already).
 */
#define QUERY_BUCKET_END (-2)

/*
 * The bucket of O's --at TIME into *bucket: -1 at the start of the run
 * (nothing is live yet), QUERY_BUCKET_END for "end".  Returns 0, or -1
 * after printing what is wrong.
 */
int query_at(sqlite3 *db, const struct query_opts *o, long *bucket);

/*
 * The sites' classes as of time bucket BUCKET (query_at): leaves in DB's
 * temporary table site_class_at (site_id, class_at, pattern_at,
 * growth_at) the class of each site judged as of then (heaptrail(5),
 * "Classification"), or no row for the end of the work
 * (QUERY_BUCKET_END: the sites table's own).  So a site's class as of
 * the time is coalesce(site_class_at.class_at, sites.class).  Returns 0,
 * or -1 after printing what is wrong.
 */
int query_classes_at(sqlite3 *db, long bucket);

/* Whose live figures query_live_sql gives. */
enum query_of { QUERY_OF_STACK, QUERY_OF_SITE };

/*
 * SQL for the live COL (live_bytes or live_blocks) of the stack or site
 * whose id is the SQL expression ID as of time bucket BUCKET (from
 * query_at or query_window): QUERY_BUCKET_END, its live column in
 * stack_stats or sites (the end of the work, exact); -1, 0 (the start);
 * else its series' last row up to BUCKET.  Malloc'ed.
 */
char *query_live_sql(enum query_of of, const char *id, const char *col,
    long bucket);

/*
 * The window --from/--to of O (defaults: the start and the end of the
 * work) as time buckets: *from_bucket -1 for the start of the run
 * (nothing is live yet), *to_bucket QUERY_BUCKET_END for the end of the
 * work, and its length in seconds.  Returns 0, or -1 after printing what
 * is wrong.
 */

int query_window(sqlite3 *db, const struct query_opts *o,
    long *from_bucket, long *to_bucket, double *seconds);

/*
 * Parses the options of CMD (--format, --limit, --sort KEY among COLS,
 * and what FLAGS allows: --fail-on-leak, --at, --from/--to) into *o.
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

int query_parse(int argc, char **argv, const char *cmd, const char *usage,
    const struct column *cols, int ncols, int flags, struct query_opts *o);

/* Opens o->input (analyzing a trace first); prints the error itself. */
sqlite3 *query_open(const struct query_opts *o);

/*
 * Suppressions (suppress.c): gathers the built-in rules, those of the
 * files in HEAPTRAIL_SUPPRESSIONS and O's --suppressions, and leaves in
 * DB's temporary tables: suppression_rules (id, text: "leak:PATTERN
 * (ORIGIN)"), suppressed_stacks (stack_id, rule: an id) and
 * suppressed_sites (site_id, rule: the text), for the stacks and sites
 * holding memory at the end.  Returns 0, or -1 after printing what is
 * wrong (a file naming its line).
 */
int supp_apply(sqlite3 *db, const struct query_opts *o);

/*
 * SQL aggregate over a group of stacks, given each stack's live blocks
 * (BLOCKS), live bytes (BYTES) and suppression rule id or NULL (RULE):
 * when the group holds memory at the end and every stack of it that
 * does is suppressed, the rule of the heaviest of them (ties: the
 * highest id), else NULL.  Rule ids are below SUPP_RULES_MAX, so bytes
 * and rule share one integer (bytes up to 8 TiB).
 */
#define SUPP_RULES_MAX 1048576	/* as text in SUPP_GROUP_RULE */
#define SUPP_GROUP_RULE(blocks, bytes, rule) \
	"CASE WHEN sum(" blocks " > 0 AND " rule " IS NULL) = 0 AND sum(" \
	blocks " > 0) > 0 THEN max(CASE WHEN " blocks " > 0 THEN " bytes \
	" * 1048576 + " rule " END) & (1048576 - 1) END"

/* SQL aggregate: the worst of a group's classes C (leak, unclear,
   steady, freed), NULL if it has none. */
#define WORST_CLASS(c) \
	"CASE WHEN max(" c " = 'leak') THEN 'leak' WHEN max(" c " =" \
	" 'unclear') THEN 'unclear' WHEN max(" c " = 'steady') THEN" \
	" 'steady' WHEN max(" c " = 'freed') THEN 'freed' END"

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
