/*
 * read-ahead.h - run the ordered trace reader on a second thread.
 *
 * Decoding, merging and pairing (common/trace-order.c) take about two
 * thirds of an analysis; the loader the rest.  read_ahead runs the first
 * part on its own thread and hands records to the caller in batches, so
 * on a machine with two cores the two overlap.
 */
#ifndef HEAPTRAIL_READ_AHEAD_H
#define HEAPTRAIL_READ_AHEAD_H

#include <stdint.h>

#include "../common/trace-reader.h"

typedef struct read_ahead read_ahead;

/*
 * Starts reading O on a new thread.  O belongs to that thread until
 * read_ahead_stop(); returns NULL if no thread can be started (then read
 * O directly).
 */
read_ahead *read_ahead_start(ht_ordered *o);

/*
 * As ht_ordered_next: 1 with *rec pointing to the next record (valid,
 * with what it points to, until the next call), 0 at the end, -1 at an
 * error (ht_ordered_error() says which, after read_ahead_stop()).
 */
int read_ahead_next(read_ahead *ra, const struct ht_record **rec);

/* File offset the reader had reached at the last record returned. */
uint64_t read_ahead_offset(const read_ahead *ra);

/* Stops and joins the thread; O is the caller's again. */
void read_ahead_stop(read_ahead *ra);

#endif /* HEAPTRAIL_READ_AHEAD_H */
