/*
 * time.h - times of a run as the user names them, and the time buckets
 * the database's series are kept in.
 *
 * TIME is seconds since the start: "12.5", "12.5s", "50%" (of the run),
 * "peak" (of the heap), "end" (of the program's work: meta work_end_s),
 * "exit" (after the last event, the teardown included), or "@label"
 * (the first marker so named).  A time stands for the bucket that ends
 * at or after it; two times stand for more than a bucket:
 *
 *   TIME_BUCKET_START  the start of the run: nothing is live yet
 *   TIME_BUCKET_END    the end of the work: the live figures are the
 *                      tables' own live_* columns, exact (the bucket the
 *                      work ends in holds some of the teardown already)
 */
#ifndef HEAPTRAIL_TIME_H
#define HEAPTRAIL_TIME_H

#include <sqlite3.h>

#define TIME_BUCKET_START (-1L)
#define TIME_BUCKET_END (-2L)

/* SPEC as seconds into *seconds; 0, or -1 with *cause (malloc'ed): a
   time in seconds past the run's end is refused, not clamped. */
int time_parse(sqlite3 *db, const char *spec, double *seconds,
    char **cause);

/* When the program's work ended (meta work_end_s), in seconds. */
double time_work_end(sqlite3 *db);

/* The bucket, of BUCKETS of BUCKET_S seconds, that ends at or after T. */
long time_bucket_of(double bucket_s, long buckets, double t);

/* The same in DB's buckets (meta bucket_s, buckets). */
long time_bucket(sqlite3 *db, double t);

/*
 * When bucket B ends, the time its live figures are of: 0 for B < 0,
 * the run's DURATION for the last of BUCKETS, else (B + 1) * BUCKET_S.
 */
double time_bucket_end_of(double bucket_s, long buckets, double duration,
    long b);

/* The same in DB (TIME_BUCKET_END: the end of the work). */
double time_bucket_end(sqlite3 *db, long b);

/*
 * SPEC's bucket into *bucket: TIME_BUCKET_END for "end" or a NULL SPEC,
 * TIME_BUCKET_START for 0.  0, or -1 with *cause.
 */
int time_at(sqlite3 *db, const char *spec, long *bucket, char **cause);

/*
 * A window of the run: --from FROM --to TO, defaults the start and the
 * end of the work.  Live figures are those at TO; a growth is the change
 * of the live bytes from FROM to TO, per second.
 */
struct time_window {
	long from_bucket;	/* TIME_BUCKET_START at 0 */
	long to_bucket;		/* TIME_BUCKET_END at the end of the work */
	double from, to;	/* seconds, as given */
	double seconds;		/* between the ends of the two buckets,
				   which the live figures are of */
};

/* The window FROM..TO (either NULL: its default); 0, or -1 with *cause
   (also when TO is not after FROM). */
int time_window(sqlite3 *db, const char *from, const char *to,
    struct time_window *w, char **cause);

#endif /* HEAPTRAIL_TIME_H */
