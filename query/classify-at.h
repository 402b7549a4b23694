/*
 * classify-at.h - every site's class as of a time: classify.c's rules
 * judged as if the work ended then (how, and what is coarser than at the
 * end, is in classify-at.c).
 */
#ifndef HEAPTRAIL_CLASSIFY_AT_H
#define HEAPTRAIL_CLASSIFY_AT_H

#include <sqlite3.h>
#include <stdint.h>

/*
 * Leaves in DB's temporary table site_class_at (site_id, class_at,
 * pattern_at, growth_at), made anew, the class of every site as of time
 * bucket BUCKET (time.h; a site with no series up to then is freed, "no
 * allocation yet"): none for TIME_BUCKET_END
 * (the sites table's own columns are the classes at the end of the
 * work), the first bucket's for TIME_BUCKET_START.  So a site's class
 * as of the time is coalesce(site_class_at.class_at, sites.class).
 * Returns 0, or -1 with *cause.
 */
int classify_at(sqlite3 *db, long bucket, char **cause);

/*
 * The same in memory, for the browser: judged from the stacks' series it
 * holds (SERIES, with STACK_SITE the site of each stack, -1 none) and
 * the survival rows read here, with no query per time (0.6 to 1.1 s of
 * queries on 111k sites).  tests/unit/test-query.c checks that both
 * judge alike.
 */
struct live_series;
struct classify_memory;

typedef void classify_at_fn(void *arg, int64_t site_id, const char *cls,
    const char *pattern, double growth);

/* NULL with *cause.  SERIES must outlive it. */
struct classify_memory *classify_memory_open(sqlite3 *db,
    const struct live_series *series, const int64_t *stack_site,
    char **cause);
void classify_memory_close(struct classify_memory *m);

/*
 * Calls FN for every site (none for TIME_BUCKET_END) with its class as
 * of BUCKET, as classify_at judges it.  FN is called from two threads at
 * once, each site once: it may touch only that site's state (and
 * allocate).
 */
void classify_memory_at(const struct classify_memory *m, long bucket,
    classify_at_fn *fn, void *arg);

#endif /* HEAPTRAIL_CLASSIFY_AT_H */
