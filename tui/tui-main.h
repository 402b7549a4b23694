/*
 * tui-main.h - how the command line starts the browser (cli/cmd-tui.c).
 */
#ifndef HEAPTRAIL_TUI_MAIN_H
#define HEAPTRAIL_TUI_MAIN_H

#include <sqlite3.h>

struct tui_options {
	const char *path;	/* the DB or trace, for messages */
	double at;		/* seconds, or -1: the time selected at start */
	double from, to;	/* a window, or -1 */
};

/*
 * Browses DB until the user quits.  Returns 0, 128 + N when signal N
 * ended it, or -1 with *cause (the terminal already restored).
 */
int tui_run(sqlite3 *db, const struct tui_options *o, char **cause);

#endif /* HEAPTRAIL_TUI_MAIN_H */
