/*
 * cmd-flamegraph.c - `heaptrail flamegraph`: folded stacks, one line per
 * call chain, "outermost;...;innermost VALUE", the input of
 * flamegraph.pl, speedscope and inferno.
 *
 * A stack's weight (--measure):
 *   live         bytes live at the end (or at --at TIME; with --from and
 *                --to, how much its live bytes grew in that window,
 *                stacks that shrank left out)
 *   peak         bytes live at the end of the time bucket (a 200th of
 *                the run) that ended with the most heap: stacks are
 *                kept per bucket, not per event, so this is the peak
 *                to a bucket's precision
 *   leak         as live, for the stacks of sites classified leak
 *   allocations  number of allocations over the whole run (up to --at
 *                TIME; with --from and --to, in that window), to the
 *                precision of a time bucket
 * Inlined calls are frames of their own (the frames table keeps each
 * return address's inline chain), and stacks whose frames read the same
 * are one line.  A frame without a function is its address and module.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/live.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

/* One output line while they are collected. */
struct folded {
	char *frames;
	long long value;
};

struct folded_set {
	struct folded *v;
	size_t n, cap;
};

static void
folded_add(struct folded_set *set, char *frames, long long value)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 1024;
		set->v = xreallocarray(set->v, set->cap, sizeof *set->v);
	}
	set->v[set->n].frames = frames;
	set->v[set->n].value = value;
	set->n++;
}

static int
by_frames(const void *a, const void *b)
{
	return strcmp(((const struct folded *)a)->frames,
	    ((const struct folded *)b)->frames);
}

static int
by_value_desc(const void *a, const void *b)
{
	long long x = ((const struct folded *)a)->value;
	long long y = ((const struct folded *)b)->value;

	return x < y ? 1 : x > y ? -1 : by_frames(a, b);
}

/*
 * Appends S to *line after a ';' (unless the line is empty); with CLEAN,
 * the format's separators in S become ':' and ' '.
 */
static void
line_add(char **line, size_t *len, size_t *cap, const char *s, int clean)
{
	size_t n = strlen(s), i;

	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		*line = xrealloc(*line, *cap);
	}
	if (*len > 0)
		(*line)[(*len)++] = ';';
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (clean)
			c = c == ';' ? ':' : c == '\n' ? ' ' : c;
		(*line)[(*len)++] = c;
	}
	(*line)[*len] = '\0';
}

/* Appends the name of one frame. */
static void
line_append(char **line, size_t *len, size_t *cap, const char *s)
{
	line_add(line, len, cap, s, 1);
}

/* The bucket that ended with the most heap. */
static long
peak_bucket(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long b = 0;

	if (sqlite3_prepare_v2(db, "SELECT bucket FROM timeline ORDER BY"
	    " heap_bytes DESC, bucket LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		b = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return b;
}

/*
 * The SQL giving (stack_id, value) for O's measure and times; NULL after
 * printing what is wrong (a TIME that names nothing).
 */
static char *
weights_sql(sqlite3 *db, const struct query_opts *o)
{
	const char *m = o->measure ? o->measure : "live";
	int leak = strcmp(m, "leak") == 0;
	const char *only_leaks = leak ? " JOIN sites t ON t.id = s.site_id"
	    " AND t.class = 'leak'" : "";
	long from_bucket = TIME_BUCKET_START, to_bucket = TIME_BUCKET_END;
	struct time_window win;
	char *from, *to, *sql;

	if (o->at != NULL && query_at(db, o, &to_bucket) != 0)
		return NULL;
	if (o->at == NULL && (o->from != NULL || o->to != NULL)) {
		if (query_window(db, o, &win) != 0)
			return NULL;
		from_bucket = win.from_bucket;
		to_bucket = win.to_bucket;
	}
	if (strcmp(m, "allocations") == 0 && (o->at || o->from || o->to)) {
		if (to_bucket == TIME_BUCKET_END)	/* what the work made */
			to_bucket = time_bucket(db, time_work_end(db));
		return xasprintf("SELECT s.id, coalesce((SELECT"
		    " sum(x.allocations) FROM stack_series x WHERE x.stack_id ="
		    " s.id AND x.bucket > %ld AND x.bucket <= %ld), 0) FROM"
		    " stacks s", from_bucket, to_bucket);
	}
	if (strcmp(m, "allocations") == 0)
		return xstrdup("SELECT stack_id, allocations FROM stack_stats");
	if (strcmp(m, "peak") == 0) {
		from_bucket = TIME_BUCKET_START;
		to_bucket = peak_bucket(db);
	}
	/* Live at the end of the window (or at --at), less at its start. */
	to = live_sql(LIVE_OF_STACK, "s.id", "live_bytes", to_bucket);
	from = live_sql(LIVE_OF_STACK, "s.id", "live_bytes", from_bucket);
	sql = xasprintf("SELECT s.id, %s - %s FROM stacks s%s", to, from,
	    only_leaks);
	free(to);
	free(from);
	return sql;
}

/* A return address's frames, outermost of its inline chain first. */
struct address_label {
	unsigned long long address;
	char *label;		/* "f;g" (g inlined into f), or NULL */
};

struct labels {
	struct address_label *v;
	size_t n, cap;
};

static int
by_address(const void *a, const void *b)
{
	unsigned long long x = ((const struct address_label *)a)->address;
	unsigned long long y = ((const struct address_label *)b)->address;

	return x < y ? -1 : x > y;
}

/*
 * Every address of the frames table with its label, sorted by address:
 * one pass over a table much smaller than stack_frames, where looking
 * each stack's frames up in it took seconds on 300k stacks.
 */
static int
labels_load(sqlite3 *db, struct labels *l)
{
	sqlite3_stmt *st = NULL;
	size_t len = 0, cap = 0;
	int rc;

	/* depth 0 is the innermost of an inline chain: read it last. */
	if (sqlite3_prepare_v2(db, "SELECT f.address, f.function, m.name"
	    " FROM frames f LEFT JOIN modules m ON m.id = f.module_id"
	    " ORDER BY f.address, f.depth DESC", -1, &st, NULL) != SQLITE_OK) {
		query_sql_failed(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned long long addr = (unsigned long long)
		    sqlite3_column_int64(st, 0);
		const char *fn = (const char *)sqlite3_column_text(st, 1);
		const char *mod = (const char *)sqlite3_column_text(st, 2);
		struct address_label *a;
		char *unknown = NULL;

		if (l->n == 0 || l->v[l->n - 1].address != addr) {
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 1024;
				l->v = xreallocarray(l->v, l->cap,
				    sizeof *l->v);
			}
			l->v[l->n].address = addr;
			l->v[l->n].label = NULL;
			l->n++;
			len = cap = 0;
		}
		a = &l->v[l->n - 1];
		if (fn == NULL)
			fn = unknown = mod != NULL ? xasprintf("0x%llx (%s)",
			    addr, mod) : xasprintf("0x%llx", addr);
		line_append(&a->label, &len, &cap, fn);
		free(unknown);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_sql_failed(db);
		return -1;
	}
	return 0;
}

static void
labels_free(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].label);
	free(l->v);
}

/* Appends the frames of return address ADDR to *line. */
static void
line_append_address(char **line, size_t *len, size_t *cap,
    const struct labels *l, unsigned long long addr)
{
	struct address_label key = { addr, NULL }, *found;
	char hex[32];

	found = bsearch(&key, l->v, l->n, sizeof *l->v, by_address);
	if (found != NULL && found->label != NULL) {
		line_add(line, len, cap, found->label, 0);	/* clean */
		return;
	}
	snprintf(hex, sizeof hex, "0x%llx", addr);
	line_append(line, len, cap, hex);
}

/*
 * The folded line of one stack: ADDRS (n of them, innermost first) from
 * the outermost.
 */
static char *
stack_line(const unsigned long long *addrs, size_t n,
    const struct labels *l)
{
	char *line = NULL;
	size_t len = 0, cap = 0;

	if (n == 0)
		line_append(&line, &len, &cap, "[no stack]");
	while (n-- > 0)
		line_append_address(&line, &len, &cap, l, addrs[n]);
	return line;
}

/*
 * Reads every stack with a positive weight (WEIGHTS: SQL giving stack id
 * and weight) as a folded line into SET.  Returns 0, or -1 after printing
 * the SQL error.
 */
static int
collect(sqlite3 *db, const char *weights, struct folded_set *set)
{
	struct labels labels = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL;
	unsigned long long *addrs = NULL;
	size_t naddrs = 0, addrs_cap = 0;
	long long stack = -1, value = 0;
	char *sql;
	int rc;

	if (labels_load(db, &labels) != 0)
		return -1;
	sql = xasprintf("WITH w(stack_id, value) AS (%s) SELECT w.stack_id,"
	    " w.value, sf.address FROM w"
	    " LEFT JOIN stack_frames sf ON sf.stack_id = w.stack_id"
	    " WHERE w.value > 0 ORDER BY w.stack_id, sf.position", weights);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		query_sql_failed(db);
		labels_free(&labels);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);

		if (id != stack) {
			if (stack >= 0)
				folded_add(set, stack_line(addrs, naddrs,
				    &labels), value);
			naddrs = 0;
			stack = id;
			value = sqlite3_column_int64(st, 1);
		}
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;	/* a stack without frames */
		if (naddrs == addrs_cap) {
			addrs_cap = addrs_cap ? addrs_cap * 2 : 64;
			addrs = xreallocarray(addrs, addrs_cap,
			    sizeof *addrs);
		}
		addrs[naddrs++] = (unsigned long long)
		    sqlite3_column_int64(st, 2);
	}
	if (stack >= 0)
		folded_add(set, stack_line(addrs, naddrs, &labels), value);
	sqlite3_finalize(st);
	free(addrs);
	labels_free(&labels);
	if (rc != SQLITE_DONE) {
		query_sql_failed(db);
		return -1;
	}
	return 0;
}

/* Merges the lines that read the same (SET sorted by frames). */
static void
merge_same(struct folded_set *set)
{
	size_t i, out = 0;

	for (i = 0; i < set->n; i++) {
		if (out > 0 && strcmp(set->v[out - 1].frames,
		    set->v[i].frames) == 0) {
			set->v[out - 1].value += set->v[i].value;
			free(set->v[i].frames);
			continue;
		}
		set->v[out++] = set->v[i];
	}
	set->n = out;
}

int
cmd_flamegraph(int argc, char **argv)
{
	struct folded_set set = { NULL, 0, 0 };
	struct query_opts o;
	sqlite3 *db;
	char *weights;
	size_t i;
	int ret;

	ret = query_parse(argc, argv, "flamegraph", "[OPTIONS] DB|TRACE",
	    NULL, 0, QUERY_AT | QUERY_WINDOW | QUERY_FOLDED, &o);
	if (ret >= 0)
		return ret;
	if (o.measure != NULL && strcmp(o.measure, "peak") == 0 &&
	    (o.at || o.from || o.to))
		return cli_usage("flamegraph", "--measure peak takes no --at, "
		    "--from or --to (it is at the heap's peak)");
	if (o.at != NULL && (o.from != NULL || o.to != NULL))
		return cli_usage("flamegraph", "--at and --from/--to do not "
		    "go together");
	if ((db = query_open(&o)) == NULL)
		return 1;
	weights = weights_sql(db, &o);
	ret = weights == NULL || collect(db, weights, &set) != 0;
	free(weights);
	sqlite3_close(db);
	if (ret == 0) {
		qsort(set.v, set.n, sizeof *set.v, by_frames);
		merge_same(&set);
		if (o.limit > 0 && (size_t)o.limit < set.n) {
			qsort(set.v, set.n, sizeof *set.v, by_value_desc);
			for (i = (size_t)o.limit; i < set.n; i++)
				free(set.v[i].frames);
			set.n = (size_t)o.limit;
			qsort(set.v, set.n, sizeof *set.v, by_frames);
		}
		for (i = 0; i < set.n; i++)
			printf("%s %lld\n", set.v[i].frames, set.v[i].value);
		if (fflush(stdout) != 0) {
			cli_error("writing the output: %m");
			ret = 1;
		}
	}
	for (i = 0; i < set.n; i++)
		free(set.v[i].frames);
	free(set.v);
	return ret;
}
