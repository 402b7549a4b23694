/*
 * tui-main.h - how the command line starts the browser (cli/cmd-tui.c).
 */
#ifndef HEAPTRAIL_TUI_MAIN_H
#define HEAPTRAIL_TUI_MAIN_H

#include <sqlite3.h>

#include "../query/time.h"

enum tui_start { TUI_START_END, TUI_START_AT, TUI_START_WINDOW };

struct tui_options {
	const char *path;	/* the DB or trace, for messages */
	enum tui_start start;	/* the time selected at start */
	long at;		/* TUI_START_AT: a bucket (query/time.h) */
	struct time_window window;	/* TUI_START_WINDOW */
	const char *const *supp_files;	/* --suppressions */
	int nsupp;
};

/*
 * Browses DB until the user quits.  Returns 0, 128 + N when signal N
 * ended it, or -1 with *cause (the terminal already restored).
 */
int tui_run(sqlite3 *db, const struct tui_options *o, char **cause);

#endif /* HEAPTRAIL_TUI_MAIN_H */
