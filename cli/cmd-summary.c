/*
 * cmd-summary.c - `heaptrail summary`: the key figures of a run.
 *
 * Reads the meta table, counts threads and adds up the classified sites
 * (leak and steady bytes count suppressed sites too; suppressed_bytes
 * and suppressed_blocks say how much of the live memory is suppressed);
 * prints them as a table, one JSON object, or CSV.  Live figures are as
 * of the end of the program's work; exit_live_* after the last event.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analyzer/analyzer.h"
#include "../query/units.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

/* The summary's fields, in output order, and their meta keys. */
static const struct field {
	const char *name;
	const char *meta;	/* NULL: not from meta */
	int bytes;		/* shown in human units in tables */
	int text;		/* a string, quoted in JSON */
} fields[] = {
	{ "program", "program", 0, 1 },
	{ "duration_s", "duration_s", 0, 0 },
	{ "events", "events", 0, 0 },
	{ "allocations", "allocations", 0, 0 },
	{ "frees", "frees", 0, 0 },
	{ "threads", NULL, 0, 0 },
	{ "peak_bytes", "peak_bytes", 1, 0 },
	{ "peak_time_s", "peak_time_s", 0, 0 },
	{ "work_end_s", "work_end_s", 0, 0 },
	{ "work_end", "work_end", 0, 1 },
	/* What the program holds, heap and mappings: the sites' sums, as
	   leaks, modules and flamegraph count; the heap alone apart. */
	{ "live_bytes_end", NULL, 1, 0 },
	{ "live_blocks_end", NULL, 0, 0 },
	{ "heap_bytes_end", "live_bytes_end", 1, 0 },
	{ "heap_blocks_end", "live_blocks_end", 0, 0 },
	{ "exit_live_bytes", NULL, 1, 0 },
	{ "exit_live_blocks", NULL, 0, 0 },
	{ "leak_bytes", NULL, 1, 0 },
	{ "leak_blocks", NULL, 0, 0 },
	{ "steady_bytes", NULL, 1, 0 },
	{ "suppressed_bytes", NULL, 1, 0 },
	{ "suppressed_blocks", NULL, 0, 0 },
	{ "temporary_allocations", "temporary_allocations", 0, 0 },
	{ "mapped_bytes_end", "mapped_bytes_end", 1, 0 },
	{ "mapped_peak_bytes", "mapped_peak_bytes", 1, 0 },
	{ "markers", NULL, 0, 1 },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void
summary_help(void)
{
	printf("usage: heaptrail summary [OPTIONS] DB|TRACE\n\n"
	    "  --format table|csv|json   output format\n"
	    "  --suppressions FILE       leak:PATTERN lines: what matches "
	    "is counted\n"
	    "                            in suppressed_bytes (repeatable; "
	    "also the\n"
	    "                            files in HEAPTRAIL_SUPPRESSIONS)\n");
}

/* The first column of SQL's first row as a string (integers in
   decimal), or NULL. */
static char *
sql_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static char *
computed(sqlite3 *db, const char *name)
{
	if (strcmp(name, "markers") == 0)
		return sql_text(db, "SELECT coalesce(group_concat(label || '@'"
		    " || printf('%.3f', time), ' '), '') FROM (SELECT * FROM"
		    " markers ORDER BY time, id)");
	if (strcmp(name, "threads") == 0)
		return sql_text(db, "SELECT count(*) FROM threads WHERE tid != 0");
	if (strcmp(name, "live_bytes_end") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_bytes), 0) FROM"
		    " sites");
	if (strcmp(name, "live_blocks_end") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_blocks), 0) FROM"
		    " sites");
	if (strcmp(name, "exit_live_bytes") == 0)
		return sql_text(db, "SELECT coalesce(sum(exit_live_bytes), 0)"
		    " FROM sites");
	if (strcmp(name, "exit_live_blocks") == 0)
		return sql_text(db, "SELECT coalesce(sum(exit_live_blocks), 0)"
		    " FROM sites");
	if (strcmp(name, "leak_bytes") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_bytes), 0) FROM"
		    " sites WHERE class = 'leak'");
	if (strcmp(name, "leak_blocks") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_blocks), 0) FROM"
		    " sites WHERE class = 'leak'");
	if (strcmp(name, "steady_bytes") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_bytes), 0) FROM"
		    " sites WHERE class = 'steady'");
	if (strcmp(name, "suppressed_bytes") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_bytes), 0) FROM"
		    " sites WHERE id IN (SELECT site_id FROM"
		    " temp.suppressed_sites)");
	if (strcmp(name, "suppressed_blocks") == 0)
		return sql_text(db, "SELECT coalesce(sum(live_blocks), 0) FROM"
		    " sites WHERE id IN (SELECT site_id FROM"
		    " temp.suppressed_sites)");
	return NULL;
}

int
cmd_summary(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "suppressions", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *values[NFIELDS], *unknown, *dropped, *cause = NULL;
	struct query_opts o;	/* for supp_apply */
	enum fmt fmt = FMT_TABLE;
	sqlite3 *db;
	size_t i;
	int c;

	memset(&o, 0, sizeof o);
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (query_add_suppressions(&o, "summary", optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else
				return cli_usage("summary", "--format wants "
				    "table, csv or json, not '%s'", optarg);
			break;
		case 'h':
			summary_help();
			return 0;
		default:
			return cli_usage("summary", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("summary", "want exactly one DB or TRACE");
	db = cli_open_db(argv[optind], isatty(STDERR_FILENO), NULL,
	    &cause);
	if (db == NULL) {
		cli_error("%s", cause);
		free(cause);
		return 1;
	}
	o.input = argv[optind];
	if (query_suppress(db, &o) != 0) {
		sqlite3_close(db);
		return 1;
	}
	for (i = 0; i < NFIELDS; i++)
		values[i] = fields[i].meta ? db_meta_text(db, fields[i].meta) :
		    computed(db, fields[i].name);
	unknown = db_meta_text(db, "unknown_frees");
	dropped = db_meta_text(db, "dropped_events");
	sqlite3_close(db);

	switch (fmt) {
	case FMT_JSON:
		printf("{");
		for (i = 0; i < NFIELDS; i++) {
			printf("%s\"%s\": ", i ? ", " : "", fields[i].name);
			if (values[i] == NULL)
				printf("null");
			else if (fields[i].text)
				json_string(values[i]);
			else
				printf("%s", values[i]);
		}
		printf(", \"anomalies\": {\"unknown_frees\": %s, "
		    "\"dropped_events\": %s}}\n", unknown ? unknown : "null",
		    dropped ? dropped : "null");
		break;
	case FMT_CSV:
		for (i = 0; i < NFIELDS; i++)
			printf("%s%s", i ? "," : "", fields[i].name);
		printf(",unknown_frees,dropped_events\n");
		for (i = 0; i < NFIELDS; i++)
			printf("%s%s", i ? "," : "", values[i] ? values[i] :
			    "");
		printf(",%s,%s\n", unknown ? unknown : "",
		    dropped ? dropped : "");
		break;
	default:
		for (i = 0; i < NFIELDS; i++) {
			char buf[32];
			const char *v = values[i];

			if (v == NULL)
				v = "?";
			else if (fields[i].bytes)
				v = units_bytes(strtoull(v, NULL, 10), buf,
				    sizeof buf);
			printf("%-22s %s\n", fields[i].name, v);
		}
		printf("%-22s %s\n%-22s %s\n", "unknown_frees",
		    unknown ? unknown : "?", "dropped_events",
		    dropped ? dropped : "?");
		break;
	}
	for (i = 0; i < NFIELDS; i++)
		free(values[i]);
	free(unknown);
	free(dropped);
	return 0;
}
