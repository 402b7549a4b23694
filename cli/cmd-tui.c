/*
 * cmd-tui.c - `heaptrail tui [--at TIME | --from TIME --to TIME]
 * [--suppressions FILE] DB|TRACE`: opens the interactive browser (tui/)
 * on a database, analyzing a trace first.  TIME is as for the queries
 * (query/time.h) and selects the time the views start at.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tui/tui-main.h"
#include "cli.h"
#include "query.h"

int
cmd_tui(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'A' },
		{ "to", required_argument, NULL, 'B' },
		{ "suppressions", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_options to;
	struct query_opts qo;
	char *cause = NULL;
	sqlite3 *db;
	int c, ret;

	memset(&to, 0, sizeof to);
	memset(&qo, 0, sizeof qo);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			qo.at = optarg;
			break;
		case 'A':
			qo.from = optarg;
			break;
		case 'B':
			qo.to = optarg;
			break;
		case 'S':
			if (query_add_suppressions(&qo, "tui", optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			printf("usage: heaptrail tui [--at TIME | --from TIME "
			    "--to TIME] [--suppressions FILE]\n"
			    "                     DB|TRACE\n\n"
			    "  --at TIME                 start with the memory "
			    "live at TIME\n"
			    "  --from TIME --to TIME     start with the window: "
			    "live at its end, growth\n"
			    "                            over it (defaults: the "
			    "start, the end)\n"
			    "  --suppressions FILE       leak:PATTERN lines: "
			    "matching sites are shown\n"
			    "                            as suppressed "
			    "(repeatable)\n\n"
			    "TIME: 12.5, 12.5s, 50%%, peak, end, exit, @marker.  "
			    "Press ? in the browser\nfor the keys.\n");
			return 0;
		default:
			return cli_usage("tui", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("tui", "want exactly one DB or TRACE");
	if (qo.at != NULL && (qo.from != NULL || qo.to != NULL))
		return cli_usage("tui", "--at does not go with --from/--to");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_error("tui needs a terminal (use the query commands in "
		    "scripts)");
		return 1;
	}
	qo.input = argv[optind];
	if ((db = query_open(&qo)) == NULL)
		return 1;
	if (qo.at != NULL) {
		to.start = TUI_START_AT;
		ret = query_at(db, &qo, &to.at);
	} else if (qo.from != NULL || qo.to != NULL) {
		to.start = TUI_START_WINDOW;
		ret = query_window(db, &qo, &to.window);
	} else {
		ret = 0;
	}
	if (ret != 0) {
		sqlite3_close(db);
		return 1;	/* as the queries: a TIME that names nothing */
	}
	to.path = argv[optind];
	to.supp_files = qo.suppressions;
	to.nsupp = qo.nsuppressions;
	ret = tui_run(db, &to, &cause);
	sqlite3_close(db);
	if (ret < 0) {
		cli_error("%s", cause);
		free(cause);
		return 1;
	}
	return ret;
}
