/*
 * cmd-check.c - `heaptrail check`: is the trace consistent?
 *
 * Lists the anomalies (frees of addresses that were not live, allocations
 * over a live block, dropped events) and recomputes the live totals at
 * the end of the work and after the last event from the blocks, the
 * stacks, the sites and the timeline, comparing each with the running
 * counters.  Exit status 0 when every
 * total agrees, 1 when one does not (anomalies alone are not failures:
 * a program may free memory heaptrail never saw allocated).  It also says
 * what could not be symbolized (meta symbolize_*), a line per kind.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyzer.h"
#include "cli.h"
#include "query.h"

static const struct {
	const char *what;
	const char *counter;	/* the running counter */
	const char *recount;	/* the same, recomputed */
} checks[] = {
	/* Heap figures leave anonymous mappings out; they are below. */
	{ "live blocks at the end of the work: blocks table",
	    "SELECT value FROM meta WHERE key = 'live_blocks_end'",
	    "SELECT count(*) FROM blocks WHERE live_at_end = 1 AND entry"
	    " NOT IN ('mmap', 'mremap')" },
	{ "live bytes at the end of the work: blocks table",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE live_at_end = 1"
	    " AND entry NOT IN ('mmap', 'mremap')" },
	{ "live bytes at the end of the work: per stack totals",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(live_bytes), 0) - coalesce((SELECT value FROM"
	    " meta WHERE key = 'mapped_bytes_end'), 0) FROM stack_stats" },
	{ "live bytes at the end of the work: per site totals",
	    "SELECT value FROM meta WHERE key = 'live_bytes_end'",
	    "SELECT coalesce(sum(live_bytes - mapped_bytes), 0) FROM sites" },
	{ "live blocks after the last event: blocks table",
	    "SELECT value FROM meta WHERE key = 'exit_live_blocks'",
	    "SELECT count(*) FROM blocks WHERE free_time IS NULL AND entry"
	    " NOT IN ('mmap', 'mremap')" },
	{ "live bytes after the last event: blocks table",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE free_time IS NULL"
	    " AND entry NOT IN ('mmap', 'mremap')" },
	{ "live bytes after the last event: per site totals",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT coalesce(sum(exit_live_bytes), 0) - coalesce((SELECT"
	    " value FROM meta WHERE key = 'exit_mapped_bytes'), 0) FROM"
	    " sites" },
	{ "live bytes after the last event: timeline",
	    "SELECT value FROM meta WHERE key = 'exit_live_bytes'",
	    "SELECT heap_bytes FROM timeline ORDER BY bucket DESC LIMIT 1" },

	{ "allocations: per stack totals",
	    "SELECT value FROM meta WHERE key = 'allocations'",
	    "SELECT coalesce(sum(allocations), 0) - coalesce((SELECT value FROM"
	    " meta WHERE key = 'maps'), 0) FROM stack_stats" },
	{ "mapped bytes at the end of the work: blocks table",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'mapped_bytes_end'), 0)",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE live_at_end = 1"
	    " AND entry IN ('mmap', 'mremap')" },
	{ "mapped bytes at the end of the work: per site totals",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'mapped_bytes_end'), 0)",
	    "SELECT coalesce(sum(mapped_bytes), 0) FROM sites" },
	{ "mapped bytes after the last event: blocks table",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'exit_mapped_bytes'), 0)",
	    "SELECT coalesce(sum(size), 0) FROM blocks WHERE free_time IS NULL"
	    " AND entry IN ('mmap', 'mremap')" },
	{ "mapped bytes after the last event: timeline",
	    "SELECT coalesce((SELECT value FROM meta WHERE key ="
	    " 'exit_mapped_bytes'), 0)",
	    "SELECT mapped_bytes FROM timeline ORDER BY bucket DESC LIMIT 1" },
	{ "allocations: timeline",
	    "SELECT value FROM meta WHERE key = 'allocations'",
	    "SELECT coalesce(sum(allocations), 0) FROM timeline" },
};

/* The kinds of meta symbolize_failures, as check words them. */
static const struct {
	const char *kind, *what;
} symbol_kinds[] = {
	{ "no_debug", "without debug info" },
	{ "bad_debug", "with debug info that cannot be used" },
	{ "unreadable", "that cannot be read" },
	{ "changed", "changed since the recording" },
};

/* The next line of LIST (a meta symbolize_failures value) from *P:
   its kind, path and why, as lengths into it.  0 at the end. */
static int
check_failure(const char **p, const char **kind, int *kind_len,
    const char **path, int *path_len, const char **why, int *why_len)
{
	const char *end, *tab1, *tab2;

	while (**p != '\0') {
		end = strchr(*p, '\n');
		if (end == NULL)
			end = *p + strlen(*p);
		tab1 = memchr(*p, '\t', (size_t)(end - *p));
		tab2 = tab1 ? memchr(tab1 + 1, '\t', (size_t)(end - tab1 - 1)) :
		    NULL;
		*kind = *p;
		*p = *end != '\0' ? end + 1 : end;
		if (tab2 == NULL)
			continue;	/* not ours: skipped */
		*kind_len = (int)(tab1 - *kind);
		*path = tab1 + 1;
		*path_len = (int)(tab2 - *path);
		*why = tab2 + 1;
		*why_len = (int)(end - *why);
		return 1;
	}
	return 0;
}

/*
 * "symbols: N modules KIND: PATH (WHY), ..." for each kind of failure in
 * meta symbolize_failures (lines "KIND<tab>PATH<tab>WHY"), then the
 * units and addresses left without source lines.
 */
static void
check_symbols(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	const char *list = NULL, *p, *kind, *path, *why;
	int kind_len, path_len, why_len;
	int64_t n;
	size_t k;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key ="
	    " 'symbolize_failures'", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		list = (const char *)sqlite3_column_text(st, 0);
	for (k = 0; list != NULL && k < sizeof symbol_kinds /
	    sizeof symbol_kinds[0]; k++) {
		const char *want = symbol_kinds[k].kind;
		int64_t i = 0;

		n = 0;
		for (p = list; check_failure(&p, &kind, &kind_len, &path,
		    &path_len, &why, &why_len);)
			n += (size_t)kind_len == strlen(want) &&
			    strncmp(kind, want, (size_t)kind_len) == 0;
		if (n == 0)
			continue;
		printf("symbols: %" PRId64 " module%s %s:", n, n == 1 ? "" :
		    "s", symbol_kinds[k].what);
		for (p = list; check_failure(&p, &kind, &kind_len, &path,
		    &path_len, &why, &why_len);)
			if ((size_t)kind_len == strlen(want) &&
			    strncmp(kind, want, (size_t)kind_len) == 0)
				printf("%s %.*s (%.*s)", i++ ? "," : "",
				    path_len, path, why_len, why);
		putchar('\n');
	}
	sqlite3_finalize(st);
	n = db_query_int(db, "SELECT value FROM meta WHERE key ="
	    " 'symbolize_failed_units'");
	if (n > 0)
		printf("symbols: %" PRId64 " compilation unit%s libdwarf could"
		    " not read\n", n, n == 1 ? "" : "s");
	n = db_query_int(db, "SELECT value FROM meta WHERE key ="
	    " 'symbolize_failed_addresses'");
	if (n > 0)
		printf("symbols: %" PRId64 " address%s without a source line\n",
		    n, n == 1 ? "" : "es");
}

int
cmd_check(int argc, char **argv)
{
	static const struct column anomaly_columns[] = {
		{ "kind", COL_TEXT, 0, NULL, 0, 0 },
		{ "time_s", COL_REAL, 0, NULL, 0, 0 },
		{ "thread", COL_INT, 0, NULL, 0, 0 },
		{ "address", COL_TEXT, 0, NULL, 0, 0 },
		{ "count", COL_INT, 0, NULL, 0, 0 },
	};
	struct query_opts o;
	sqlite3 *db;
	size_t i;
	int ret, bad = 0;

	ret = query_parse(argc, argv, "check", "[OPTIONS] DB|TRACE",
	    anomaly_columns, 5, 0, &o);
	if (ret >= 0)
		return ret;
	if (!o.limit_given)
		o.limit = 50;	/* --limit 0: all of them */
	if ((db = query_open(&o)) == NULL)
		return 1;
	if (o.format == QF_TABLE)
		printf("anomalies: %" PRId64 " unknown frees, %" PRId64
		    " allocations over a live block, %" PRId64 " dropped "
		    "events\n", db_query_int(db, "SELECT value FROM meta WHERE key ="
		    " 'unknown_frees'"), db_query_int(db, "SELECT value FROM meta WHERE"
		    " key = 'replaced_live'"), db_query_int(db, "SELECT value FROM meta"
		    " WHERE key = 'dropped_events'"));
	if (o.format == QF_TABLE)
		check_symbols(db);
	if (query_print(db, "SELECT kind, time AS time_s, thread_id AS thread,"
	    " printf('0x%x', address) AS address, count FROM anomalies"
	    " ORDER BY id", anomaly_columns, 5, &o, NULL, NULL) < 0)
		bad = 1;
	for (i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		int64_t a = db_query_int(db, checks[i].counter);
		int64_t b = db_query_int(db, checks[i].recount);

		if (a != b) {
			bad = 1;
			fprintf(stderr, "heaptrail: %s: disagree: counter %"
			    PRId64 ", recomputed %" PRId64 "\n",
			    checks[i].what, a, b);
		} else if (o.format == QF_TABLE) {
			printf("ok  %s (%" PRId64 ")\n", checks[i].what, a);
		}
	}
	sqlite3_close(db);
	return bad;
}
