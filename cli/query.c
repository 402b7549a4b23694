/*
 * query.c - common options of the query commands and their output.
 *
 * Tables fit the terminal (query_width, query_print: C++ names
 * abbreviated, files by base name, low-value columns left out in each
 * command's order, then text cut) and use human units; --wide tables are
 * whole.  CSV and JSON give plain numbers and every column, unchanged.
 * No colour is used yet, so NO_COLOR has nothing to turn off.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../analyzer/analyzer.h"
#include "../query/classify-at.h"
#include "../query/suppress.h"
#include "../query/units.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

int
query_parse(int argc, char **argv, const char *cmd, const char *usage,
    const struct column *cols, int ncols, int flags, struct query_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "wide", no_argument, NULL, 'W' },
		{ "limit", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "fail-on-leak", no_argument, NULL, 'F' },
		{ "at", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'A' },
		{ "to", required_argument, NULL, 'B' },
		{ "by", required_argument, NULL, 'y' },
		{ "focus", required_argument, NULL, 'c' },
		{ "measure", required_argument, NULL, 'm' },
		{ "suppressions", required_argument, NULL, 'S' },
		{ "min-bytes", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int allow_fail_on_leak = flags & QUERY_FAIL_ON_LEAK;
	int c, i, w;

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "f:n:s:o:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'o':
			if (!(flags & QUERY_OUTPUT))
				return cli_usage(cmd, "%s prints its output:"
				    " no -o", cmd);
			o->output = optarg;
			break;
		case 'f':
			if (flags & QUERY_OUTPUT)
				return cli_usage(cmd, "%s writes a file of "
				    "its own format: no --format", cmd);
			if (flags & QUERY_FOLDED)
				return cli_usage(cmd, "%s writes folded stacks"
				    " only: no --format", cmd);
			if (strcmp(optarg, "table") == 0)
				o->format = QF_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->format = QF_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = QF_JSON;
			else
				return cli_usage(cmd, "--format wants table, "
				    "csv or json, not '%s'", optarg);
			break;
		case 'W':
			if (flags & QUERY_FOLDED)
				return cli_usage(cmd, "%s writes folded stacks"
				    " only: no --wide", cmd);
			o->wide = 1;
			break;
		case 'n': {
			char *end;

			o->limit = strtol(optarg, &end, 10);
			o->limit_given = 1;
			if (*end != '\0' || o->limit < 0)
				return cli_usage(cmd, "--limit wants a number,"
				    " not '%s'", optarg);
			break;
		}
		case 'm':
			if (!(flags & QUERY_FOLDED))
				return cli_usage(cmd, "%s does not take "
				    "--measure", cmd);
			if (strcmp(optarg, "live") != 0 &&
			    strcmp(optarg, "peak") != 0 &&
			    strcmp(optarg, "allocations") != 0 &&
			    strcmp(optarg, "leak") != 0)
				return cli_usage(cmd, "--measure wants live, "
				    "peak, allocations or leak, not '%s'",
				    optarg);
			o->measure = optarg;
			break;
		case 's':
			for (i = 0; i < ncols; i++)
				if (strcmp(cols[i].name, optarg) == 0)
					break;
			if (i == ncols)
				return cli_usage(cmd, "cannot sort by '%s'",
				    optarg);
			o->sort = cols[i].name;
			break;
		case 'F':
			if (!allow_fail_on_leak)
				return cli_usage(cmd, "--fail-on-leak is for "
				    "leaks");
			o->fail_on_leak = 1;
			break;
		case 'a':
			if (!(flags & QUERY_AT))
				return cli_usage(cmd, "%s does not take --at",
				    cmd);
			o->at = optarg;
			break;
		case 'y':
			if (!(flags & QUERY_GROUP))
				return cli_usage(cmd, "%s does not take --by",
				    cmd);
			if (strcmp(optarg, "site") != 0 &&
			    strcmp(optarg, "stack") != 0 &&
			    strcmp(optarg, "function") != 0 &&
			    strcmp(optarg, "file") != 0 &&
			    strcmp(optarg, "object") != 0)
				return cli_usage(cmd, "--by wants site, stack, "
				    "function, file or object, not '%s'",
				    optarg);
			o->group.by = optarg;
			break;
		case 'c':
			if (!(flags & QUERY_GROUP))
				return cli_usage(cmd, "%s does not take "
				    "--focus", cmd);
			if (o->group.nfocus == GROUP_MAX_FOCUS)
				return cli_usage(cmd, "at most %d --focus",
				    GROUP_MAX_FOCUS);
			o->group.focus[o->group.nfocus++] = optarg;
			break;
		case 'S':
			if (!(flags & QUERY_SUPPRESS))
				return cli_usage(cmd, "%s does not take "
				    "--suppressions", cmd);
			if (query_add_suppressions(o, cmd, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'M':
			if (!(flags & QUERY_MIN_BYTES))
				return cli_usage(cmd, "%s does not take "
				    "--min-bytes", cmd);
			if ((o->min_bytes = units_parse_size(optarg)) < 0)
				return cli_usage(cmd, "--min-bytes wants a "
				    "size (4096, 4K, 1.5MiB), not '%s'",
				    optarg);
			break;
		case 'A':
		case 'B':
			if (!(flags & QUERY_WINDOW))
				return cli_usage(cmd, "%s does not take "
				    "--from/--to", cmd);
			if (c == 'A')
				o->from = optarg;
			else
				o->to = optarg;
			break;
		case 'h':
			printf("usage: heaptrail %s %s\n\n", cmd, usage);
			if (flags & QUERY_OUTPUT) {
				printf("  -o, --output FILE         where to write "
				    "it (- for standard\n"
				    "                            output; default:"
				    " DB|TRACE's name with\n"
				    "                            .pb.gz)\n");
			} else if (flags & QUERY_FOLDED) {
				printf("  --measure live|peak|allocations|leak\n"
				    "                            what a stack "
				    "weighs (default: live)\n"
				    "  --limit N                 the N heaviest "
				    "lines\n");
			} else {
				printf("  --format table|csv|json   output "
				    "format\n"
				    "  --wide                    tables at full "
				    "width: whole names and\n"
				    "                            paths, and the "
				    "address\n"
				    "  --limit N                 at most N rows\n"
				    "  --sort KEY                one of the "
				    "columns:\n");
				/* Names after the options' indent, lines of
				   at most 80 columns. */
				for (i = 0, w = 0; i < ncols; i++) {
					int n = (int)strlen(cols[i].name);

					if (w > 0 && w + 1 + n > 80) {
						printf("\n");
						w = 0;
					}
					w += printf("%*s%s", w == 0 ? 28 : 1,
					    "", cols[i].name);
				}
				printf("\n");
			}
			if (allow_fail_on_leak)
				printf("  --fail-on-leak            exit 3 when a "
				    "site classified leak (at the\n"
				    "                            end of the work) "
				    "is listed and not\n"
				    "                            suppressed\n");
			if (flags & QUERY_TWO_INPUTS)
				printf("  --at TIME                 two runs: "
				    "both at TIME (default: their ends)\n"
				    "  --from TIME --to TIME     one run: at "
				    "these two times (defaults: the\n"
				    "                            start, the "
				    "end)\n"
				    "  TIME: 12.5, 12.5s, 50%%, peak, end, exit "
				    "or @marker.  Sites are matched by\n"
				    "  function and file; rows where nothing "
				    "changed are left out.\n");
			else if (flags & QUERY_AT)
				printf("  --at TIME                 live memory at "
				    "TIME (12.5, 12.5s, 50%%, peak,\n"
				    "                            end (of the "
				    "work, the default), exit\n"
				    "                            (after the "
				    "teardown), @marker)\n");
			if ((flags & QUERY_WINDOW) && !(flags & QUERY_TWO_INPUTS))
				printf("  --from TIME --to TIME     only that "
				    "window of the run\n");
			if (flags & QUERY_SUPPRESS)
				printf("  --suppressions FILE       leak:PATTERN "
				    "lines: matching sites are shown\n"
				    "                            as suppressed "
				    "(repeatable)\n");
			if (flags & QUERY_MIN_BYTES)
				printf("  --min-bytes SIZE          only sites "
				    "with at least SIZE live bytes\n");
			if (flags & QUERY_GROUP)
				printf("  --by site|stack|function|file|object\n"
				    "                            what to group "
				    "by (default: site)\n"
				    "  --focus PATTERN           the innermost "
				    "frame whose function or\n"
				    "                            file contains "
				    "PATTERN is the site\n");
			return 0;
		default:
			return cli_usage(cmd, "bad option");
		}
	}
	if ((flags & QUERY_OUTPUT) && (o->wide || o->limit_given || o->sort))
		return cli_usage(cmd, "%s writes a whole profile: no --wide, "
		    "--limit or --sort", cmd);
	if ((flags & QUERY_TWO_INPUTS) && optind == argc - 2) {
		o->input = argv[optind];
		o->input2 = argv[optind + 1];
		return -1;
	}
	if (optind != argc - 1)
		return cli_usage(cmd, (flags & QUERY_TWO_INPUTS) ?
		    "want two DBs or TRACEs, or one with --from/--to" :
		    "want exactly one DB or TRACE");
	o->input = argv[optind];
	return -1;
}

int
query_add_suppressions(struct query_opts *o, const char *cmd,
    const char *path)
{
	if (o->nsuppressions == (int)(sizeof o->suppressions /
	    sizeof o->suppressions[0])) {
		cli_usage(cmd, "at most %d --suppressions", o->nsuppressions);
		return -1;
	}
	o->suppressions[o->nsuppressions++] = path;
	return 0;
}

int
query_sql_failed(sqlite3 *db)
{
	cli_error("%s: %s", sqlite3_db_filename(db, "main"),
	    sqlite3_errmsg(db));
	return -1;
}

/* Prints and frees CAUSE when RC is not 0; returns RC. */
static int
query_report(int rc, char *cause)
{
	if (rc != 0) {
		cli_error("%s", cause);
		free(cause);
	}
	return rc;
}

int
query_time(sqlite3 *db, const char *spec, double *seconds)
{
	char *cause = NULL;
	int rc = time_parse(db, spec, seconds, &cause);

	return query_report(rc, cause);
}

int
query_at(sqlite3 *db, const struct query_opts *o, long *bucket)
{
	char *cause = NULL;
	int rc = time_at(db, o->at, bucket, &cause);

	return query_report(rc, cause);
}

int
query_window(sqlite3 *db, const struct query_opts *o, struct time_window *w)
{
	char *cause = NULL;
	int rc = time_window(db, o->from, o->to, w, &cause);

	return query_report(rc, cause);
}

int
query_classes_at(sqlite3 *db, long bucket)
{
	char *cause = NULL;
	int rc = classify_at(db, bucket, &cause);

	return query_report(rc, cause);
}

int
query_group(sqlite3 *db, const struct query_opts *o)
{
	char *cause = NULL;
	int rc = group_prepare(db, &o->group, &cause);

	return query_report(rc, cause);
}

int
query_suppress(sqlite3 *db, const struct query_opts *o)
{
	char *cause = NULL;
	int rc = supp_apply(db, o->suppressions, o->nsuppressions, &cause);

	return query_report(rc, cause);
}

sqlite3 *
query_open(const struct query_opts *o)
{
	char *cause = NULL;
	int no_events = 0;
	sqlite3 *db = cli_open_db(o->input, isatty(STDERR_FILENO), &no_events,
	    &cause);

	if (db == NULL) {
		cli_error("%s", cause);
		free(cause);
	} else if (no_events && o->fail_on_leak) {
		/* Nothing recorded is no pass: the warning said why. */
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void
json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void
json_column(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		printf("null");
		break;
	case SQLITE_INTEGER:
		printf("%lld", sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		printf("%.6g", sqlite3_column_double(st, i));
		break;
	default:
		json_string((const char *)sqlite3_column_text(st, i));
		break;
	}
}

/* A cell as text for tables (human units) or CSV (plain). */
static char *
cell(sqlite3_stmt *st, int i, enum column_type type, int human)
{
	char buf[64];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return xstrdup(human ? "-" : "");
	switch (type) {
	case COL_BYTES:
		if (human)
			return xstrdup(units_bytes((uint64_t)
			    sqlite3_column_int64(st, i), buf, sizeof buf));
		return xasprintf("%lld", sqlite3_column_int64(st, i));
	case COL_RATE:
		if (human) {
			double v = sqlite3_column_double(st, i);

			units_bytes((uint64_t)(v < 0 ? -v : v), buf, sizeof buf);
			return xasprintf("%s%s/s", v < 0 ? "-" : "", buf);
		}
		return xasprintf("%.6g", sqlite3_column_double(st, i));
	case COL_REAL:
		return xasprintf(human ? "%.3f" : "%.6g",
		    sqlite3_column_double(st, i));
	case COL_INT:
		return xasprintf("%lld", sqlite3_column_int64(st, i));
	case COL_DELTA:
		return xasprintf(human ? "%+lld" : "%lld",
		    sqlite3_column_int64(st, i));
	case COL_DELTA_BYTES: {
		long long v = sqlite3_column_int64(st, i);

		if (!human)
			return xasprintf("%lld", v);
		if (v == 0)
			return xstrdup("0");
		units_bytes((uint64_t)(v < 0 ? -v : v), buf, sizeof buf);
		return xasprintf("%c%s", v < 0 ? '-' : '+', buf);
	}
	default:
		return xstrdup((const char *)sqlite3_column_text(st, i));
	}
}

static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/*
 * The width tables fit: the terminal's on a terminal, else $COLUMNS,
 * else 80 on a terminal of no known size and 120 through a pipe or into
 * a file (wide enough for a file:line and a pattern beside the figures,
 * and a line in a log or a pager).
 */
static int
query_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ,
	    &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env != NULL && atoi(env) > 0)
		return atoi(env);
	return isatty(STDOUT_FILENO) ? 80 : 120;
}

#define ELLIPSIS "\xe2\x80\xa6"	/* U+2026, one column */

/* Characters (UTF-8 code points) in S: the columns it takes. */
static int
text_width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The byte offset of S's character N (its length if it has fewer). */
static size_t
text_offset(const char *s, int n)
{
	size_t i = 0;

	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n-- == 0)
			break;
	return i;
}

/*
 * S cut to W characters (W >= 1) with an ellipsis where the cut is: at
 * the end, or, with FROM_LEFT, at the start (a path's base name and a
 * qualified name's last part are what matter), there at a "::" when
 * what is kept has one ("…::operator[]", not "…>::operator[]").  A new
 * string.
 */
static char *
text_cut(const char *s, int w, int from_left)
{
	int len = text_width(s);
	const char *kept, *colons;

	if (len <= w)
		return xstrdup(s);
	if (!from_left)
		return xasprintf("%.*s" ELLIPSIS, (int)text_offset(s, w - 1),
		    s);
	kept = s + text_offset(s, len - w + 1);
	if (kept - s >= 2 && strncmp(kept - 2, "::", 2) != 0 &&
	    (colons = strstr(kept, "::")) != NULL && colons[2] != '\0')
		kept = colons;
	return xasprintf(ELLIPSIS "%s", kept);
}

/* The length of "operator" and its symbol at S ("operator<<",
   "operator()", "operator new[]"), or 0 when S does not start with the
   keyword. */
static size_t
operator_length(const char *s)
{
	size_t n;

	if (strncmp(s, "operator", 8) != 0 || (s[8] >= 'a' && s[8] <= 'z') ||
	    (s[8] >= 'A' && s[8] <= 'Z') || (s[8] >= '0' && s[8] <= '9') ||
	    s[8] == '_')
		return 0;
	if (strncmp(s + 8, "()", 2) == 0)
		return 10;
	for (n = 8; s[n] != '\0' && s[n] != '('; n++)
		;
	return n;
}

/* The length of S up to and with the bracket that closes S[0]. */
static size_t
closing(const char *s, char open, char close)
{
	size_t i;
	int depth = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return i;
}

/*
 * A function's name for tables: each template's arguments as "<…>", the
 * argument list and what follows it (const, ABI tags, clones) and a
 * template function's return type left out, namespaces and classes kept:
 * "void std::vector<Foo, std::allocator<Foo> >::_M_realloc_insert<Foo>(
 * ...)" is "std::vector<…>::_M_realloc_insert<…>".  A new string.
 */
static char *
function_abbrev(const char *s)
{
	char *out = xmalloc(strlen(s) * 2 + 8);
	size_t i = 0, j = 0, start = 0, n;

	while (s[i] != '\0') {
		if ((i == 0 || s[i - 1] == ':' || s[i - 1] == ' ') &&
		    (n = operator_length(s + i)) > 0) {
			memcpy(out + j, s + i, n);
			i += n;
			j += n;
		} else if (s[i] == '<') {
			memcpy(out + j, "<" ELLIPSIS ">", 5);
			j += 5;
			i += closing(s + i, '<', '>');
		} else if (strncmp(s + i, "(anonymous namespace)", 21) == 0) {
			memcpy(out + j, s + i, 21);
			i += 21;
			j += 21;
		} else if (s[i] == '(') {
			/* The argument list: the name goes on only past a
			   local entity's "::" ("f(int)::cache"). */
			i += closing(s + i, '(', ')');
			if (strncmp(s + i, "::", 2) != 0)
				break;
		} else if (s[i] == '{') {
			/* {lambda(int)#1}: the braces as they are, without
			   the argument list. */
			size_t end = i + closing(s + i, '{', '}');

			while (i < end) {
				if (s[i] == '(') {
					i += closing(s + i, '(', ')');
					out[j++] = '(';
					out[j++] = ')';
				} else {
					out[j++] = s[i++];
				}
			}
		} else {
			if (s[i] == ' ')
				start = j + 1;	/* a return type before */
			out[j++] = s[i++];
		}
	}
	out[j] = '\0';
	if (start > 0 && start < j)
		memmove(out, out + start, j - start + 1);
	if (out[0] == '\0') {
		free(out);
		return xstrdup(s);
	}
	return out;
}

/* Are columns of type T text in tables, cut to fit? */
#define IS_TEXT(t) ((t) == COL_TEXT || (t) == COL_FUNCTION || (t) == COL_FILE)

#define HEADER(i) (cols[i].label ? cols[i].label : cols[i].name)

/* Prints a table's LINE, its trailing blanks left out, cut to TW (0: no
   limit) should the columns still not fit. */
static void
table_line(char *line, int tw)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	if (tw > 0)
		line[text_offset(line, tw)] = '\0';
	puts(line);
}

/* A cell of a table: like cell(), a function abbreviated unless WIDE,
   a file with its line. */
static char *
table_cell(sqlite3_stmt *st, const struct column *cols, int ncols, int i,
    int wide)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (s == NULL)
		return xstrdup("-");
	if (cols[i].type == COL_FUNCTION && !wide)
		return function_abbrev(s);
	if (cols[i].type == COL_FILE && i + 1 < ncols &&
	    cols[i + 1].type == COL_LINE &&
	    sqlite3_column_type(st, i + 1) != SQLITE_NULL)
		return xasprintf("%s:%lld", s, sqlite3_column_int64(st, i + 1));
	return cell(st, i, cols[i].type, 1);
}

/* The least width a text column is cut to while others can go. */
#define TEXT_MIN(i) (cols[i].min > 0 ? cols[i].min : 10)

/*
 * How far text column C is cut in PASS 0 to 3 when the table is still
 * too wide: to its minimum; to half of it, but short ones (a minimum
 * under 8: the class) stay whole; other text but functions, files and
 * short ones to 3; all to 3.
 */
static int
text_floor(const struct column *c, int pass)
{
	int min = c->min > 0 ? c->min : 10;

	switch (pass) {
	case 0:
		return min;
	case 1:
		return min / 2 > (min < 9 ? min : 9) ? min / 2 :
		    (min < 9 ? min : 9);
	case 2:
		return c->type == COL_TEXT && min >= 8 ? 3 : min;
	default:
		return 3;
	}
}

/* Sets WIDTH to each column's widest cell or header; returns the width
   of the columns not HIDDEN, with a blank between two. */
static int
table_widths(char ***rows, long n, const struct column *cols, int ncols,
    const int *hidden, int *width)
{
	int i, total = -1;
	long r;

	for (i = 0; i < ncols; i++) {
		width[i] = text_width(HEADER(i));
		for (r = 0; r < n; r++)
			if (text_width(rows[r][i]) > width[i])
				width[i] = text_width(rows[r][i]);
		if (!hidden[i])
			total += width[i] + 1;
	}
	return total;
}

/* The width of the columns not HIDDEN with their text cut to the
   least. */
static int
table_least(const struct column *cols, int ncols, const int *hidden,
    const int *width)
{
	int i, total = -1;

	for (i = 0; i < ncols; i++)
		if (!hidden[i])
			total += 1 + (IS_TEXT(cols[i].type) &&
			    width[i] > TEXT_MIN(i) ? TEXT_MIN(i) : width[i]);
	return total;
}

long
query_print(sqlite3 *db, const char *sql, const struct column *cols,
    int ncols, const struct query_opts *o,
    void (*extra)(sqlite3 *db, sqlite3_stmt *row, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	char *full, ***rows = NULL;
	long n = 0, cap = 0, r;
	char *line;
	int i, rc, *width, *hidden, total, tw, linecap;

	full = xasprintf("SELECT * FROM (%s)%s%s%s", sql,
	    o->sort ? " ORDER BY " : "", o->sort ? o->sort : "",
	    o->sort ? " DESC" : "");
	if (o->limit) {
		char *l = xasprintf("%s LIMIT %ld", full, o->limit);

		free(full);
		full = l;
	}
	if (sqlite3_prepare_v2(db, full, -1, &st, NULL) != SQLITE_OK) {
		cli_error("query failed: %s", sqlite3_errmsg(db));
		free(full);
		return -1;
	}
	free(full);

	if (o->format == QF_JSON)
		printf("[");
	if (o->format == QF_CSV) {
		for (i = 0; i < ncols; i++) {
			if (i)
				putchar(',');
			fputs(cols[i].name, stdout);
		}
		putchar('\n');
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (o->format == QF_JSON) {
			printf("%s\n  {", n ? "," : "");
			for (i = 0; i < ncols; i++) {
				printf("%s\"%s\": ", i ? ", " : "",
				    cols[i].name);
				json_column(st, i);
			}
			if (extra != NULL)
				extra(db, st, arg);
			printf("}");
		} else if (o->format == QF_CSV) {
			for (i = 0; i < ncols; i++) {
				char *c = cell(st, i, cols[i].type, 0);

				if (i)
					putchar(',');
				csv_field(c);
				free(c);
			}
			putchar('\n');
		} else {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xreallocarray(rows, (size_t)cap,
				    sizeof *rows);
			}
			rows[n] = xcalloc((size_t)ncols, sizeof **rows);
			for (i = 0; i < ncols; i++)
				rows[n][i] = table_cell(st, cols, ncols, i,
				    o->wide);
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		cli_error("query failed: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (o->format == QF_JSON)
		printf("%s]\n", n ? "\n" : "");
	if (o->format != QF_TABLE)
		return rc == SQLITE_DONE ? n : -1;

	/*
	 * Table: the columns shown, their widths, and, when they are wider
	 * than TW: files by base name; then the columns with a drop order
	 * left out, first ones first, until the text columns at their
	 * minimum widths would fit; then the text column widest above its
	 * minimum cut, one character at a time, down to its minimum; then
	 * below it (text_floor).
	 */
	tw = o->wide ? 0 : query_width();
	width = xcalloc((size_t)ncols, sizeof *width);
	hidden = xcalloc((size_t)ncols, sizeof *hidden);
	for (i = 0; i < ncols; i++) {
		hidden[i] = cols[i].hidden == 3 ? !o->wide : cols[i].hidden;
		if (cols[i].type == COL_LINE && i > 0 &&
		    cols[i - 1].type == COL_FILE)
			hidden[i] = 1;	/* in the file's column */
		for (r = 0; r < n && hidden[i] == 2; r++)
			if (strcmp(rows[r][i], "-") != 0)
				hidden[i] = 0;	/* a row has a value */
	}
	total = table_widths(rows, n, cols, ncols, hidden, width);
	if (tw > 0 && total > tw) {
		for (i = 0; i < ncols; i++) {
			if (cols[i].type != COL_FILE || hidden[i])
				continue;
			for (r = 0; r < n; r++) {
				char *slash = strrchr(rows[r][i], '/');

				if (slash != NULL)
					memmove(rows[r][i], slash + 1,
					    strlen(slash + 1) + 1);
			}
		}
		total = table_widths(rows, n, cols, ncols, hidden, width);
	}
	while (tw > 0 && table_least(cols, ncols, hidden, width) > tw) {
		int next = -1;

		for (i = 0; i < ncols; i++)
			if (!hidden[i] && cols[i].drop > 0 && (next < 0 ||
			    cols[i].drop < cols[next].drop))
				next = i;
		if (next < 0)
			break;
		hidden[next] = 1;
		total -= width[next] + 1;
	}
	while (tw > 0 && total > tw) {
		int cut = -1, pass, excess = 0;

		for (pass = 0; cut < 0 && pass < 4; pass++)
			for (i = 0; i < ncols; i++) {
				int e = width[i] - text_floor(&cols[i], pass);

				if (!hidden[i] && IS_TEXT(cols[i].type) &&
				    e > excess) {
					cut = i;
					excess = e;
				}
			}
		if (cut < 0)
			break;
		width[cut]--;
		total--;
	}
	line = NULL;
	linecap = 0;
	for (r = -1; r < n; r++) {
		int len = 0;

		for (i = 0; i < ncols; i++) {
			const char *s = r < 0 ? HEADER(i) : rows[r][i];
			char *c;
			int pad;

			if (hidden[i])
				continue;
			c = text_cut(s, width[i], cols[i].type == COL_FILE ||
			    (cols[i].type == COL_FUNCTION && r >= 0 &&
			    strstr(s, "::") != NULL));
			pad = width[i] - text_width(c);
			if (len + (int)strlen(c) + pad + 2 > linecap) {
				linecap = (len + (int)strlen(c) + pad + 2) * 2;
				line = xrealloc(line, (size_t)linecap);
			}
			len += sprintf(line + len, "%s%*s%s%*s", len ? " " :
			    "", IS_TEXT(cols[i].type) ? 0 : pad, "", c,
			    IS_TEXT(cols[i].type) ? pad : 0, "");
			free(c);
		}
		if (line != NULL)
			table_line(line, tw);
		if (r >= 0) {
			for (i = 0; i < ncols; i++)
				free(rows[r][i]);
			free(rows[r]);
		}
	}
	free(line);
	free(rows);
	free(width);
	free(hidden);
	return n;
}
