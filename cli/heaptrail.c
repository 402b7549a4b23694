/*
 * heaptrail.c - main(): the command table and dispatch.
 *
 * The program is one binary with subcommands (like git).  A command
 * listed without a function says plainly that it is not built yet.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *heaptrail_version = "0.1.0";

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *args;
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "[-o TRACE] [--depth N] [--] PROGRAM [ARG...]",
	    "run PROGRAM and record its heap events" },
	{ "analyze", cmd_analyze, "[-o DB] [--all-blocks] TRACE",
	    "load a trace into an SQLite database" },
	{ "summary", cmd_summary, "DB|TRACE", "key figures of a run" },
	{ "sites", cmd_sites, "DB|TRACE", "every allocation site, sortable" },
	{ "leaks", cmd_leaks, "DB|TRACE", "sites still holding memory, classified" },
	{ "growth", cmd_growth, "DB|TRACE", "sites ranked by growth of live memory" },
	{ "modules", cmd_modules, "DB|TRACE", "live blocks and bytes per module" },
	{ "timeline", cmd_timeline, "DB|TRACE", "heap and RSS over time" },
	{ "flamegraph", cmd_flamegraph, "[--measure M] [--at T] DB|TRACE",
	    "folded stacks for flamegraph.pl, speedscope" },
	{ "pprof", cmd_pprof, "[-o FILE] [--at TIME] DB|TRACE",
	    "a gzipped profile.proto for pprof, continuous profilers" },
	{ "diff", cmd_diff, "A B | --from T1 --to T2 DB",
	    "what changed from A to B" },
	{ "check", cmd_check, "DB|TRACE", "consistency of the trace" },
	{ "tui", cmd_tui, "[--at TIME | --from T --to T] DB|TRACE",
	    "the interactive browser" },
	{ "symbolize", cmd_symbolize, "[--json] BINARY ADDRESS...", "debug: addresses to function, file:line" },
	{ "dump", cmd_dump, "[--stats] [--ordered] TRACE",
	    "the raw events as text" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("heaptrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("heaptrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'heaptrail %s --help'\n", cmd ? cmd : "");
	return EXIT_USAGE;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: heaptrail COMMAND [OPTIONS] ...\n\n"
	    "heaptrail records a program's heap (record) and tells leaks from "
	    "memory\nthat is merely held (analyze and the queries).\n\n"
	    "commands:\n");
	/* Two lines a command, so that the list fits 80 columns. */
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n%13s%s%s\n", commands[i].name,
		    commands[i].args, "", commands[i].summary,
		    commands[i].fn ? "" : " (not built yet)");
	fprintf(f, "\n'heaptrail COMMAND --help' for a command's options; "
	    "man heaptrail for all.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("heaptrail %s\n", heaptrail_version);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].fn == NULL) {
			cli_error("'%s' is not built yet in this version",
			    argv[1]);
			return 1;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	return cli_usage(NULL, "unknown command '%s'", argv[1]);
}
