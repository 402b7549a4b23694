/*
 * read-ahead.h - run a stage of trace reading on a thread of its own.
 *
 * Reading a trace is three stages: decoding (decompression and the
 * event codes, reader/trace-reader.c), merging and pairing
 * (reader/trace-order.c) and loading (load.c), each about a third of the
 * work.  A read_ahead runs a source of records on its own thread and
 * hands them to the caller in batches; the analyzer chains two of them
 * (decode -> merge -> load) so that all three stages overlap, on as many
 * cores as there are, up to three.
 */
#ifndef HEAPTRAIL_READ_AHEAD_H
#define HEAPTRAIL_READ_AHEAD_H

#include <stdint.h>

#include "../reader/trace-reader.h"

typedef struct read_ahead read_ahead;

/*
 * A source of records.  NEXT fills *ev or *rec as ht_reader_next_event
 * does (rec's pointers valid until the next call); OFFSET says how far
 * into the file it has read (for progress).  Both run on the
 * read_ahead's thread only.
 */
struct record_source {
	int (*next)(void *arg, struct ht_event *ev, struct ht_record *rec);
	uint64_t (*offset)(void *arg);
	void *arg;
};

/*
 * Starts reading SRC on a new thread named NAME.  What SRC reads belongs
 * to that thread until read_ahead_stop(); returns NULL if no thread can
 * be started (then read SRC directly).
 */
read_ahead *read_ahead_start(const struct record_source *src,
    const char *name);

/*
 * The next batch of events and records, in order: 1 with *batch filled
 * (at least one entry), all of it valid until the next call (it is not
 * copied: the thread fills another meanwhile); 0 at the end, -1 at an
 * error (the source says which, after read_ahead_stop()).
 */
int read_ahead_take(read_ahead *ra, struct ht_event_batch *batch);

/* File offset the reader had reached at the last record returned. */
uint64_t read_ahead_offset(const read_ahead *ra);

/* Stops and joins the thread; O is the caller's again. */
void read_ahead_stop(read_ahead *ra);

#endif /* HEAPTRAIL_READ_AHEAD_H */
