/*
 * cmd-tui.c - `heaptrail tui [--at TIME | --from TIME --to TIME] DB|TRACE`:
 * opens the interactive browser (tui/) on a database, analyzing a trace
 * first.  TIME is as for the queries (12.5, 12.5s, 50%, peak, end,
 * @marker) and selects the time the views start at.
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_options to = { NULL, -1, -1, -1 };
	struct query_opts qo;
	const char *at = NULL, *from = NULL, *until = NULL;
	char *cause = NULL;
	sqlite3 *db;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			at = optarg;
			break;
		case 'A':
			from = optarg;
			break;
		case 'B':
			until = optarg;
			break;
		case 'h':
			printf("usage: heaptrail tui [--at TIME | --from TIME "
			    "--to TIME] DB|TRACE\n\n"
			    "  --at TIME                 start with the memory "
			    "live at TIME\n"
			    "  --from TIME --to TIME     start with what was "
			    "allocated in the window\n"
			    "                            and still live at its "
			    "end\n\n"
			    "TIME: 12.5, 12.5s, 50%%, peak, end, exit, @marker.  "
			    "Press ? in the browser\nfor the keys.\n");
			return 0;
		default:
			return cli_usage("tui", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("tui", "want exactly one DB or TRACE");
	if (at != NULL && (from != NULL || until != NULL))
		return cli_usage("tui", "--at does not go with --from/--to");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_error("tui needs a terminal (use the query commands in "
		    "scripts)");
		return 1;
	}
	memset(&qo, 0, sizeof qo);
	qo.input = argv[optind];
	if ((db = query_open(&qo)) == NULL)
		return 1;
	if ((at != NULL && query_time(db, at, &to.at) != 0) ||
	    (from != NULL && query_time(db, from, &to.from) != 0) ||
	    (until != NULL && query_time(db, until, &to.to) != 0)) {
		sqlite3_close(db);
		return EXIT_USAGE;
	}
	if (to.from >= 0 && to.to >= 0 && to.to <= to.from) {
		sqlite3_close(db);
		return cli_usage("tui", "--to must come after --from");
	}
	to.path = argv[optind];
	ret = tui_run(db, &to, &cause);
	sqlite3_close(db);
	if (ret < 0) {
		cli_error("%s", cause);
		free(cause);
		return 1;
	}
	return ret;
}
