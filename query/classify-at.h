/*
 * classify-at.h - every site's class as of a time: classify.c's rules
 * judged as if the work ended then (how, and what is coarser than at the
 * end, is in classify-at.c).
 */
#ifndef HEAPTRAIL_CLASSIFY_AT_H
#define HEAPTRAIL_CLASSIFY_AT_H

#include <sqlite3.h>

/*
 * Leaves in DB's temporary table site_class_at (site_id, class_at,
 * pattern_at, growth_at), made anew, the class of every site with a
 * series as of time bucket BUCKET (time.h): none for TIME_BUCKET_END
 * (the sites table's own columns are the classes at the end of the
 * work), the first bucket's for TIME_BUCKET_START.  So a site's class
 * as of the time is coalesce(site_class_at.class_at, sites.class).
 * Returns 0, or -1 with *cause.
 */
int classify_at(sqlite3 *db, long bucket, char **cause);

#endif /* HEAPTRAIL_CLASSIFY_AT_H */
