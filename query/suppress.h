/*
 * suppress.h - suppressions: known allocations shown as suppressed, never
 * hidden (the rules and how they match are in suppress.c).
 */
#ifndef HEAPTRAIL_SUPPRESS_H
#define HEAPTRAIL_SUPPRESS_H

#include <sqlite3.h>

/*
 * Gathers the built-in rules, those of the files in HEAPTRAIL_SUPPRESSIONS
 * and of FILES (NFILES of them), and leaves in DB's temporary tables:
 * suppression_rules (id, text: "leak:PATTERN (ORIGIN)"),
 * suppressed_stacks (stack_id, rule: an id) and suppressed_sites
 * (site_id, rule: the text), for the stacks and sites holding memory at
 * the end of the work.  Returns 0, or -1 with *cause (a file naming its
 * line).
 */
int supp_apply(sqlite3 *db, const char *const *files, int nfiles,
    char **cause);

/*
 * SQL aggregate over a group of stacks, given each stack's live blocks
 * (BLOCKS), live bytes (BYTES) and suppression rule id or NULL (RULE):
 * when the group holds memory at the end and every stack of it that
 * does is suppressed, the rule of the heaviest of them (ties: the
 * highest id), else NULL.  Rule ids are below SUPP_RULES_MAX, so bytes
 * and rule share one integer (bytes up to 8 TiB).
 */
#define SUPP_RULES_MAX 1048576	/* as text in SUPP_GROUP_RULE */
#define SUPP_GROUP_RULE(blocks, bytes, rule) \
	"CASE WHEN sum(" blocks " > 0 AND " rule " IS NULL) = 0 AND sum(" \
	blocks " > 0) > 0 THEN max(CASE WHEN " blocks " > 0 THEN " bytes \
	" * 1048576 + " rule " END) & (1048576 - 1) END"

#endif /* HEAPTRAIL_SUPPRESS_H */
