/*
 * suppress.c - suppressions: known allocations shown as suppressed.
 *
 * A suppression is a LeakSanitizer-style line "leak:PATTERN".  A stack
 * matches when any of its frames (inlined ones too) has a function, a
 * source file or a module name that PATTERN matches: a substring, with
 * '*' for any run of characters, '^' at the start to anchor it to the
 * start and '$' at the end to anchor it to the end.
 *
 * Rules come, in this order, from a built-in list (allocations glibc, the
 * dynamic loader, libstdc++ and Rust's std make once for their own state
 * and keep for the life of the process; its rule 0 matches by site, see
 * rules_add),
 * from the files named by HEAPTRAIL_SUPPRESSIONS
 * (colon-separated) and from each --suppressions FILE.  Suppressions
 * are about memory live at the end: a site is suppressed when it holds
 * some and every one of its stacks that holds some matches a rule.  It is
 * then shown with the rule of its heaviest stack, never hidden, and
 * `leaks --fail-on-leak` does not count it.
 *
 * supp_apply() leaves the result in the connection's temporary tables
 * (suppress.h), for the queries to join.  Errors come back as a cause.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../util/xmalloc.h"
#include "suppress.h"

/*
 * Allocations the C runtime makes once and holds until exit: stdio
 * buffers, the dynamic loader's link maps, TLS and search paths, locale
 * and time-zone data, NSS and iconv module state (libstdc++'s emergency
 * exception pool is rule 0's, see rules_add).  Each names
 * functions that call no user code, so a program's own allocations never
 * match them: not dlopen(), whose stacks run the constructors of the
 * library it opens.
 */
static const char *const builtin_rules[] = {
	"_IO_file_doallocate",
	"^_dl_new_object$",
	"^_dl_map_object",
	"^_dl_allocate_tls",
	"^_dl_resize_dtv$",
	"^_dl_update_slotinfo$",
	"^_dl_check_map_versions$",
	"^_dl_important_hwcaps$",
	"^_dl_init_paths$",
	"^_dl_load_cache_lookup$",
	"^_dlfo_",
	"^__libc_setlocale$",
	"^setlocale$",
	"^_nl_",
	"^__tz",
	"^tzset",
	"^__nss_",
	"^nss_",
	"^__gconv_",
	"^__cxa_thread_atexit_impl$",
	/*
	 * Rust's std (names as rustc 1.95 gives them; "{closure#0}" is
	 * "{{closure}}" in legacy-mangled names): the main thread's guard
	 * page record (544 B, set_current_info), with what it reads of
	 * /proc/self/maps; the Thread handle (an Arc, 48 B and up) made for
	 * a thread std did not start, the main thread, on its first
	 * std::thread::current(); the buffers of std's stdout (a LineWriter,
	 * 1 KiB) and stdin (a BufReader, 8 KiB), made on first use.  A
	 * program's own stdio buffers are of its own types, and the Strings
	 * of std::env::args() and vars() are the program's (std keeps argv
	 * and environ as the C library gave them).
	 */
	"^std::sys::*stack_overflow::",
	"^std::thread::current::init_current",
	"^std::io::stdio::stdout::{*closure",
	"^std::io::stdio::stdin::{*closure",
};
#define NBUILTIN (int)(sizeof builtin_rules / sizeof builtin_rules[0])

/*
 * Glob match of P against all of S: '*' is any run of characters.  On a
 * mismatch only the last '*' takes one more character (a match found
 * through an earlier '*' can also be found through it), so this is
 * linear in S times P, however many '*' P has.
 */
static int
glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* PATTERN as a glob over a whole string ("^a*b" -> "a*b*"). */
static char *
rule_glob(const char *pattern)
{
	size_t n = strlen(pattern);
	int start = pattern[0] == '^';
	int end = n > (size_t)start && pattern[n - 1] == '$';

	return xasprintf("%s%.*s%s", start ? "" : "*",
	    (int)(n - (size_t)start - (size_t)end), pattern + start,
	    end ? "" : "*");
}

/* The longest run of GLOB without '*'. */
static char *
glob_needle(const char *glob)
{
	const char *best = glob, *p = glob;
	size_t best_len = 0, len;

	while (*p != '\0') {
		len = strcspn(p, "*");
		if (len > best_len) {
			best = p;
			best_len = len;
		}
		p += len;
		p += strspn(p, "*");
	}
	return xasprintf("%.*s", (int)best_len, best);
}

struct rule {
	char *text;		/* "leak:PATTERN (ORIGIN)", as shown */
	char *glob;		/* PATTERN as a whole-string glob */
	char *needle;		/* its longest run without '*': a text
				   without it cannot match (fast check) */
};

struct rules {
	struct rule *v;
	int n, cap;
};

/*
 * Adds the rule leak:PATTERN from ORIGIN ("built-in", "FILE:LINE").
 * PATTERN NULL adds rule 0, which matches no frame: supp_apply gives it
 * to the sites that the loader's call_init or _dl_init are the site of.
 * Since libc and libstdc++ are allocator plumbing, such a site's
 * allocations were made by those libraries' own constructors
 * (libstdc++'s emergency exception pool, 71 KiB with GCC 12), whose
 * functions have no symbol in a stripped library: a constructor of the
 * program or of another library would be the site itself.
 */
static void
rules_add(struct rules *r, const char *pattern, const char *origin)
{
	struct rule *rule;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = xreallocarray(r->v, (size_t)r->cap, sizeof *r->v);
	}
	rule = &r->v[r->n++];
	if (pattern == NULL) {
		rule->text = xasprintf("start-up of libc or libstdc++ (%s)",
		    origin);
		rule->glob = rule->needle = NULL;
		return;
	}
	rule->text = xasprintf("leak:%s (%s)", pattern, origin);
	rule->glob = rule_glob(pattern);
	rule->needle = glob_needle(rule->glob);
}

static void
rules_free(struct rules *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].text);
		free(r->v[i].glob);
		free(r->v[i].needle);
	}
	free(r->v);
}

/*
 * Reads the rules of PATH into R.  Blank lines and lines starting with
 * '#' are skipped.  Returns 0, or -1 with *cause naming the file (and
 * the line).
 */
static int
rules_read(struct rules *r, const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *p, *end;
	size_t cap = 0;
	long lineno = 0;
	int ret = 0;

	if (f == NULL) {
		*cause = xasprintf("%s: cannot read suppressions: %s", path,
		    strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
		    end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (strncmp(p, "leak:", 5) != 0 || p[5] == '\0') {
			*cause = xasprintf("%s:%ld: not a suppression: '%s' "
			    "(want leak:PATTERN)", path, lineno, p);
			ret = -1;
			break;
		}
		if (r->n >= SUPP_RULES_MAX) {
			*cause = xasprintf("%s:%ld: too many suppressions (at "
			    "most %d)", path, lineno, SUPP_RULES_MAX);
			ret = -1;
			break;
		}
		{
			char *origin = xasprintf("%s:%ld", path, lineno);

			rules_add(r, p + 5, origin);
			free(origin);
		}
	}
	if (ret == 0 && ferror(f)) {
		*cause = xasprintf("%s: cannot read suppressions: %s", path,
		    strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(f);
	return ret;
}

/*
 * The SQL function ht_suppression(function, file, module): the index of
 * the first rule one of its arguments matches, or NULL.
 */
static void
sql_suppression(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct rules *r = sqlite3_user_data(ctx);
	const char *text[3];
	int i, a, n = 0;

	for (a = 0; a < argc && a < 3; a++)
		if ((text[n] = (const char *)sqlite3_value_text(argv[a])) !=
		    NULL)
			n++;
	for (i = 0; i < r->n; i++) {
		const char *g = r->v[i].glob;

		if (g == NULL)
			continue;	/* not a pattern (rule 0) */
		/* Cheap checks first: the first character of an anchored
		   pattern, then the needle. */
		for (a = 0; a < n; a++)
			if ((*g == '*' || *g == *text[a]) &&
			    strstr(text[a], r->v[i].needle) != NULL &&
			    glob_match(g, text[a])) {
				sqlite3_result_int(ctx, i);
				return;
			}
	}
	sqlite3_result_null(ctx);
}

/* The rules: built-in, HEAPTRAIL_SUPPRESSIONS's files, then FILES. */
static int
rules_gather(struct rules *r, const char *const *files, int nfiles,
    char **cause)
{
	const char *env = getenv("HEAPTRAIL_SUPPRESSIONS");
	int i;

	rules_add(r, NULL, "built-in");	/* rule 0 */
	for (i = 0; i < NBUILTIN; i++)
		rules_add(r, builtin_rules[i], "built-in");
	if (env != NULL && *env != '\0') {
		char *list = xstrdup(env), *save = NULL, *path;
		int ret = 0;

		for (path = strtok_r(list, ":", &save); path != NULL &&
		    ret == 0; path = strtok_r(NULL, ":", &save))
			ret = rules_read(r, path, cause);
		free(list);
		if (ret != 0)
			return -1;
	}
	for (i = 0; i < nfiles; i++)
		if (rules_read(r, files[i], cause) != 0)
			return -1;
	return 0;
}

int
supp_apply(sqlite3 *db, const char *const *files, int nfiles, char **cause)
{
	struct rules r = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL;
	char *err = NULL;
	int i, ret = -1;

	if (rules_gather(&r, files, nfiles, cause) != 0)
		goto out;
	if (sqlite3_create_function(db, "ht_suppression", 3, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, &r, sql_suppression, NULL, NULL) !=
	    SQLITE_OK || sqlite3_exec(db, "DROP TABLE IF EXISTS"
	    " temp.suppression_rules; DROP TABLE IF EXISTS"
	    " temp.suppressed_frames; DROP TABLE IF EXISTS"
	    " temp.suppressed_stacks; DROP TABLE IF EXISTS"
	    " temp.suppressed_sites; CREATE TEMP TABLE"
	    " suppression_rules (id INTEGER PRIMARY KEY, text TEXT)", NULL,
	    NULL, &err) != SQLITE_OK || sqlite3_prepare_v2(db, "INSERT INTO"
	    " temp.suppression_rules VALUES (?, ?)", -1, &st, NULL) !=
	    SQLITE_OK)
		goto sql_error;
	for (i = 0; i < r.n; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, r.v[i].text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto sql_error;
		sqlite3_reset(st);
	}
	/*
	 * Each distinct address once, then stacks, then sites; only the
	 * stacks holding memory at the end, all that suppressions are
	 * about.  The joins are ordered by hand (CROSS JOIN): stack_frames
	 * has no index by address, so it is read through those stacks.
	 */
	if (sqlite3_exec(db, "CREATE TEMP TABLE suppressed_frames (address"
	    " INTEGER PRIMARY KEY, rule INTEGER NOT NULL);"
	    " INSERT INTO temp.suppressed_frames SELECT f.address,"
	    " min(ht_suppression(f.function, f.file, m.name)) AS rule FROM"
	    " frames f LEFT JOIN modules m ON m.id = f.module_id WHERE"
	    " f.address IN (SELECT sf.address FROM stack_stats t CROSS JOIN"
	    " stack_frames sf ON sf.stack_id = t.stack_id WHERE"
	    " t.live_blocks > 0) GROUP BY f.address HAVING rule IS NOT NULL;"
	    " CREATE TEMP TABLE suppressed_stacks (stack_id INTEGER"
	    " PRIMARY KEY, rule INTEGER NOT NULL);"
	    " CREATE TEMP TABLE suppressed_sites (site_id INTEGER PRIMARY"
	    " KEY, rule TEXT NOT NULL);", NULL, NULL, &err) != SQLITE_OK)
		goto sql_error;
	/* A stack's rule is that of its innermost frame matched. */
	if (sqlite3_changes(db) > 0 && sqlite3_exec(db, "INSERT INTO"
	    " temp.suppressed_stacks SELECT stack_id, rule FROM (SELECT"
	    " sf.stack_id AS stack_id, x.rule AS rule, min(sf.position) FROM"
	    " stack_stats t CROSS JOIN stack_frames sf ON sf.stack_id ="
	    " t.stack_id AND t.live_blocks > 0 CROSS JOIN"
	    " temp.suppressed_frames x ON x.address = sf.address GROUP BY"
	    " sf.stack_id)", NULL, NULL, &err) != SQLITE_OK)
		goto sql_error;
	/* Rule 0: sites in the loader's constructor calls. */
	if (sqlite3_exec(db, "INSERT OR IGNORE INTO temp.suppressed_stacks"
	    " SELECT st.id, 0 FROM stack_stats t CROSS JOIN stacks st ON"
	    " st.id = t.stack_id AND t.live_blocks > 0 JOIN sites s ON s.id ="
	    " st.site_id WHERE s.function IN ('call_init', '_dl_init') AND"
	    " s.module LIKE 'ld-%'", NULL, NULL, &err) != SQLITE_OK)
		goto sql_error;
	if (sqlite3_exec(db, "INSERT INTO temp.suppressed_sites SELECT"
	    " g.site_id, r.text FROM (SELECT st.site_id AS site_id, "
	    SUPP_GROUP_RULE("t.live_blocks", "t.live_bytes", "x.rule")
	    " AS rule_id FROM stack_stats t CROSS JOIN stacks st ON st.id ="
	    " t.stack_id AND t.live_blocks > 0 LEFT JOIN"
	    " temp.suppressed_stacks x ON x.stack_id = st.id WHERE EXISTS"
	    " (SELECT 1 FROM temp.suppressed_stacks) GROUP BY st.site_id) g"
	    " JOIN temp.suppression_rules r ON r.id = g.rule_id", NULL, NULL,
	    &err) != SQLITE_OK)
		goto sql_error;
	ret = 0;
	goto out;
sql_error:
	*cause = xasprintf("%s: suppressions: %s", sqlite3_db_filename(db,
	    "main"), err ? err : sqlite3_errmsg(db));
out:
	sqlite3_free(err);
	sqlite3_finalize(st);
	/* The rows hold the rules' text: the function is not needed now. */
	if (r.n > 0)
		sqlite3_create_function(db, "ht_suppression", 3, SQLITE_UTF8,
		    NULL, NULL, NULL, NULL);
	rules_free(&r);
	return ret;
}
