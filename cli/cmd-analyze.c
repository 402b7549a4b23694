/*
 * cmd-analyze.c - `heaptrail analyze`: a trace into its SQLite database,
 * saying on stderr what it wrote and what it fetched (debug info from
 * debuginfod); and the analysis every command that takes a TRACE runs
 * (cli_open_db), with its progress bar on stderr when that is a TTY.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../analyzer/analyzer.h"
#include "../util/xmalloc.h"
#include "cli.h"

void
cli_progress(void *arg, uint64_t at, uint64_t size, int done)
{
	int pct = size ? (int)(at * 100 / size) : 100, i;
	char bar[41];

	(void)arg;
	if (done)
		pct = 100;
	for (i = 0; i < 40; i++)
		bar[i] = i < pct * 40 / 100 ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\rheaptrail: analyzing [%s] %3d%%%s", bar, pct,
	    done ? "\n" : "");
}

/*
 * The analysis' notes, a line each on stderr; ARG is non-NULL while the
 * progress bar is drawn, which the line then replaces (the next progress
 * call draws the bar again below it).
 */
static void
analyze_note(void *arg, const char *line)
{
	fprintf(stderr, "%sheaptrail: %s\n", arg != NULL ? "\r\033[K" : "",
	    line);
}

/* Says on stderr what db_warning finds wrong with DB, opened from PATH. */
static enum db_damage
warn_damage(sqlite3 *db, const char *path)
{
	enum db_damage d;
	char *warning = db_warning(db, path, &d);

	if (warning != NULL)
		cli_error("%s", warning);
	free(warning);
	return d;
}

sqlite3 *
cli_open_db(const char *path, int progress, int *no_events, char **cause)
{
	sqlite3 *db = db_open_reporting(path, progress ? cli_progress : NULL,
	    NULL, cause);
	enum db_damage d;

	if (db == NULL)
		return NULL;
	d = warn_damage(db, path);
	if (no_events != NULL)
		*no_events = d == DB_NO_EVENTS;
	return db;
}

static void
analyze_help(void)
{
	printf("usage: heaptrail analyze [-o DB] [--all-blocks] TRACE\n\n"
	    "Loads TRACE into an SQLite database (default: TRACE with .db for "
	    ".trace),\nwritten under a temporary name and renamed when "
	    "complete.\n\n"
	    "  -o, --output DB    the database to write\n"
	    "  -a, --all-blocks   a row in blocks for every block, not only "
	    "those live\n                     at the end of the work or "
	    "after it\n");
}

int
cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "all-blocks", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_options opt = { 0 };
	char *db = NULL, *cause = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.db = optarg;
			break;
		case 'a':
			opt.all_blocks = 1;
			break;
		case 'h':
			analyze_help();
			return 0;
		default:
			return cli_usage("analyze", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("analyze", "want exactly one TRACE");
	opt.trace = argv[optind];
	if (opt.db == NULL)
		opt.db = db = db_path_for(opt.trace);
	if (isatty(STDERR_FILENO))
		opt.progress = cli_progress;
	opt.note = analyze_note;
	opt.note_arg = opt.progress != NULL ? &opt : NULL;
	ret = load_trace(&opt, &cause);
	if (ret != 0) {
		cli_error("%s", cause);
		free(cause);
	} else {
		char *unread = NULL;
		sqlite3 *written = db_open_reporting(opt.db, NULL, NULL,
		    &unread);

		fprintf(stderr, "heaptrail: wrote %s\n", opt.db);
		if (written != NULL)
			warn_damage(written, opt.trace);
		sqlite3_close(written);
		free(unread);
	}
	free(db);
	return ret == 0 ? 0 : 1;
}
