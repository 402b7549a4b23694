/*
 * group.h - rows that are groups of stacks: `--by stack|function|file|
 * object` and `--focus PATTERN`, for sites, leaks and growth.
 */
#ifndef HEAPTRAIL_GROUP_H
#define HEAPTRAIL_GROUP_H

#include <sqlite3.h>

#define GROUP_MAX_FOCUS 8

struct group_opts {
	const char *by;		/* site (NULL too), stack, function, file,
				   object */
	const char *focus[GROUP_MAX_FOCUS];	/* --focus patterns */
	int nfocus;
};

/* Whether G makes rows of groups rather than the sites themselves. */
int group_wanted(const struct group_opts *g);

/*
 * Makes DB's temporary tables group_key (each stack's group: its gid and
 * group frame) and group_peak (gid, peak) for G.  0, or -1 with *cause.
 */
int group_prepare(sqlite3 *db, const struct group_opts *g, char **cause);

/*
 * SQL whose rows are the groups group_prepare made, with the columns of
 * a site row (id, class, live_bytes, live_blocks, peak_bytes,
 * allocations, alloc_bytes, growth_bytes_per_s, module, function, file,
 * line, pattern, address, mapped_bytes, suppressed).  W is
 * live_window_sql's subquery for stacks, SITE_LIVE the live bytes of
 * the site "c" at the same time (live_sql); HAVING is added to the
 * grouping ("" for none).  How each column adds up over a group is said
 * in group.c.  Malloc'ed.
 */
char *group_sql(const struct group_opts *g, const char *w,
    const char *site_live, const char *having);

#endif /* HEAPTRAIL_GROUP_H */
