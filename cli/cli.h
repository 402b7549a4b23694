/*
 * cli.h - what the command-line program's files share.
 *
 * Every command is a function int cmd_NAME(int argc, char **argv) that
 * returns the exit status (argv[0] is the command name).  Exit statuses:
 * 0 success, 1 failure (message on stderr naming the file), 2 usage error,
 * 3 `leaks --fail-on-leak` found a leak.  `record` returns the program's.
 */
#ifndef HEAPTRAIL_CLI_H
#define HEAPTRAIL_CLI_H

#include <stdint.h>

#define EXIT_USAGE 2
#define EXIT_LEAK 3	/* leaks --fail-on-leak found one */

extern const char *heaptrail_version;

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_sites(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_growth(int argc, char **argv);
int cmd_modules(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_flamegraph(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_pprof(int argc, char **argv);

/* Prints "heaptrail: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and "see 'heaptrail CMD --help'"; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The progress bar of an analysis on stderr, a load_progress_fn
 * (analyzer.h; ARG unused): "heaptrail: analyzing [###...] 42%".
 */
void cli_progress(void *arg, uint64_t at, uint64_t size, int done);

/*
 * Opens PATH (a database, or a trace analyzed first: db_open_reporting)
 * for the query commands, with the progress bar if PROGRESS.  Returns the
 * connection, or NULL with *cause.  What is wrong with the recording
 * (db_warning: nothing recorded, cut short) is said on stderr here, once
 * for every command; *NO_EVENTS (when not NULL) is set to 1 if it
 * recorded nothing.
 */
struct sqlite3 *cli_open_db(const char *path, int progress, int *no_events,
    char **cause);

#endif /* HEAPTRAIL_CLI_H */
