/*
 * time.c - TIME words to seconds and buckets (time.h), read from meta
 * and the markers table.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyzer.h"
#include "../util/xmalloc.h"
#include "time.h"

/* How far past the duration a TIME in seconds may be: the rounding of
   a duration printed to the millisecond. */
#define TIME_SLACK_S 0.0005

double
time_work_end(sqlite3 *db)
{
	return db_meta_number(db, "work_end_s");
}

/* The first marker named LABEL into *seconds; 0, or -1. */
static int
time_of_marker(sqlite3 *db, const char *label, double *seconds)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT time FROM markers WHERE label = ?"
	    " ORDER BY time LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*seconds = sqlite3_column_double(st, 0);
			found = 1;
		}
	}
	sqlite3_finalize(st);
	return found ? 0 : -1;
}

int
time_parse(sqlite3 *db, const char *spec, double *seconds, char **cause)
{
	double duration = db_meta_number(db, "duration_s");
	char *end;

	if (strcmp(spec, "end") == 0) {
		*seconds = time_work_end(db);
		return 0;
	}
	if (strcmp(spec, "exit") == 0) {
		*seconds = duration;
		return 0;
	}
	if (strcmp(spec, "peak") == 0) {
		*seconds = db_meta_number(db, "peak_time_s");
		return 0;
	}
	if (spec[0] == '@') {
		if (time_of_marker(db, spec + 1, seconds) == 0)
			return 0;
		*cause = xasprintf("%s: no marker '%s' in this run",
		    sqlite3_db_filename(db, "main"), spec + 1);
		return -1;
	}
	*seconds = strtod(spec, &end);
	if (end != spec && strcmp(end, "%") == 0 && *seconds >= 0 &&
	    *seconds <= 100) {
		*seconds = duration * *seconds / 100;
		return 0;
	}
	if (end != spec && (*end == '\0' || strcmp(end, "s") == 0) &&
	    *seconds >= 0) {
		/* Past the end is refused, not clamped: the answer would be
		   that of another time.  The duration as printed to the
		   millisecond (rounded up) is still in the run. */
		if (*seconds > duration + TIME_SLACK_S) {
			*cause = xasprintf("TIME '%s' is past the end of the "
			    "run, which lasted %.3f s (exit or 100%% is its "
			    "end)", spec, duration);
			return -1;
		}
		if (*seconds > duration)
			*seconds = duration;
		return 0;
	}
	*cause = xasprintf("'%s' is not a TIME (12.5, 12.5s, 50%%, peak, end,"
	    " exit or @marker)", spec);
	return -1;
}

long
time_bucket_of(double bucket_s, long buckets, double t)
{
	long b;

	if (bucket_s <= 0 || buckets <= 0)
		return 0;
	b = (long)(t / bucket_s);
	if (b > 0 && b * bucket_s >= t)
		b--;		/* the bucket that ends at or after it */
	return b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
}

long
time_bucket(sqlite3 *db, double t)
{
	return time_bucket_of(db_meta_number(db, "bucket_s"),
	    (long)db_meta_number(db, "buckets"), t);
}

double
time_bucket_end_of(double bucket_s, long buckets, double duration, long b)
{
	if (b < 0)
		return 0;
	if (b >= buckets - 1)
		return duration;
	return (double)(b + 1) * bucket_s;
}

double
time_bucket_end(sqlite3 *db, long b)
{
	if (b == TIME_BUCKET_END)
		return time_work_end(db);
	return time_bucket_end_of(db_meta_number(db, "bucket_s"),
	    (long)db_meta_number(db, "buckets"),
	    db_meta_number(db, "duration_s"), b);
}

int
time_at(sqlite3 *db, const char *spec, long *bucket, char **cause)
{
	double at;

	if (spec == NULL || strcmp(spec, "end") == 0) {
		*bucket = TIME_BUCKET_END;
		return 0;
	}
	if (time_parse(db, spec, &at, cause) != 0)
		return -1;
	*bucket = at > 0 ? time_bucket(db, at) : TIME_BUCKET_START;
	return 0;
}

int
time_window(sqlite3 *db, const char *from, const char *to,
    struct time_window *w, char **cause)
{
	if (time_parse(db, from ? from : "0", &w->from, cause) != 0 ||
	    time_parse(db, to ? to : "end", &w->to, cause) != 0)
		return -1;
	if (w->to <= w->from) {
		*cause = xasprintf("%s: --to %s (%.6g s) must come after --from"
		    " %s (%.6g s)", sqlite3_db_filename(db, "main"), to ? to :
		    "end", w->to, from ? from : "0", w->from);
		return -1;
	}
	w->from_bucket = w->from > 0 ? time_bucket(db, w->from) :
	    TIME_BUCKET_START;
	w->to_bucket = to == NULL || strcmp(to, "end") == 0 ?
	    TIME_BUCKET_END : time_bucket(db, w->to);
	w->seconds = time_bucket_end(db, w->to_bucket) -
	    time_bucket_end(db, w->from_bucket);
	if (w->seconds <= 0) {
		*cause = xasprintf("%s: --from %s and --to %s fall in the same "
		    "time bucket (%.6g s)", sqlite3_db_filename(db, "main"),
		    from ? from : "0", to ? to : "end",
		    db_meta_number(db, "bucket_s"));
		return -1;
	}
	return 0;
}
