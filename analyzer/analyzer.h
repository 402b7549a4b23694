/*
 * analyzer.h - from a trace to the analysis database, and back out.
 *
 *   load.c   one streaming pass over the time-ordered trace into a new
 *            SQLite file (written under a temporary name, renamed into
 *            place only when complete); its parts are load-*.c
 *            (load-internal.h)
 *   read-ahead.c  a source of records on a thread of its own, handing
 *            them over in batches: load.c chains two (decode, then
 *            merge and pair) ahead of itself (read-ahead.h)
 *   db-queue.c  the loader's SQL statements run on a thread of their
 *            own while events load (db-queue.h)
 *   work-end.c  when the program's work ended (its mark, or the start
 *            of its teardown), and the frees after it that load.c
 *            undoes to have every live figure as of then (work-end.h)
 *   classify.c  leak / steady / unclear / freed from a site's series
 *            over the work
 *   survival.c  the sums behind stack_survival, and the bins of
 *            site_histograms (survival.h)
 *   symbolize.c, symbolize-dwarf.c  addresses to function, file, line
 *            and inline chains (symbolize.h)
 *   db.c     opening a database for queries: checks that it is one of
 *            ours and of our schema version; finds or makes the database
 *            of a trace
 *
 * Library-style: errors come back as a malloc'ed *cause naming the file;
 * nothing here prints or exits (progress goes to the caller's function).
 * Out of memory is the one exception: fatal, through util/xmalloc.h.
 */
#ifndef HEAPTRAIL_ANALYZER_H
#define HEAPTRAIL_ANALYZER_H

#include <stdint.h>

#include <sqlite3.h>

#define HT_SCHEMA_VERSION 5

/* The schema, schema/schema.sql compiled in (generated schema.c). */
extern const char ht_schema_sql[];

/*
 * Progress of an analysis: AT bytes of the trace's SIZE are read.  Called
 * from the thread that called load_trace (or db_open_reporting), now and
 * then while it reads and once more with DONE set at the end of the reading
 * (AT = SIZE then); ARG is load_options' progress_arg.
 */
typedef void load_progress_fn(void *arg, uint64_t at, uint64_t size,
    int done);

/*
 * Something the analysis did besides reading the trace that the user
 * should hear of: LINE (no newline, borrowed for the call) is e.g. "debug
 * info for PATH from debuginfod (build-id HEX)".  Called from the thread
 * that called load_trace; ARG is load_options' note_arg.
 */
typedef void load_note_fn(void *arg, const char *line);

struct load_options {
	const char *trace;	/* input */
	const char *db;		/* output */
	int all_blocks;		/* a row per block, not only those live */
	load_progress_fn *progress;	/* or NULL */
	void *progress_arg;
	load_note_fn *note;	/* or NULL: nothing is said */
	void *note_arg;
};

/* Analyzes OPT->trace into OPT->db.  0, or -1 with *cause. */
int load_trace(const struct load_options *opt, char **cause);

/* TRACE's default database: TRACE without ".trace", plus ".db". */
char *db_path_for(const char *trace);

/*
 * Opens PATH for reading.  PATH may be a database or a trace; a trace is
 * analyzed first into its database next to it (reused if newer than the
 * trace), reporting to PROGRESS (or NULL) with ARG as load_trace does.
 * Returns the connection, or NULL with *cause.  (The program's cli_open_db,
 * cli.h, is this with its progress bar.)
 */
sqlite3 *db_open_reporting(const char *path, load_progress_fn *progress,
    void *arg, char **cause);

/* The first column of the first row of SQL in DB, or -1 if none. */
int64_t db_query_int(sqlite3 *db, const char *sql);

/*
 * The meta value of KEY in DB (the one reader of meta): as a number, 0 if
 * there is none; as text, malloc'ed, NULL if there is none.
 */
double db_meta_number(sqlite3 *db, const char *key);
char *db_meta_text(sqlite3 *db, const char *key);

/* What db_warning found wrong with the recording behind a database. */
enum db_damage {
	DB_WHOLE,		/* an END record: nothing to say */
	DB_CUT_SHORT,		/* events, but no END record */
	DB_NO_EVENTS		/* nothing recorded at all */
};

/*
 * The one rule of what a query on DB must be told about the recording
 * behind it: a line naming PATH (the file the user gave), malloc'ed, or
 * NULL when the trace ended cleanly with events in it; *damage (when not
 * NULL) says which case it is.
 */
char *db_warning(sqlite3 *db, const char *path, enum db_damage *damage);

#endif /* HEAPTRAIL_ANALYZER_H */
