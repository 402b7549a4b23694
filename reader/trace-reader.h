/*
 * trace-reader.h - decode a heaptrail trace, record by record.
 *
 * Two layers:
 *  - ht_reader gives the records in file order, exactly as written.  Event
 *    records carry absolute times and pointers (the deltas are resolved)
 *    and the thread of the chunk they came in.
 *  - ht_ordered (trace-order.c) gives the same records with events merged
 *    into one global time order, which is what pairing frees with
 *    allocations needs (see "Ordering" in man/heaptrail.5).
 *
 * Both are library code: they return error codes and keep a message for
 * the caller to print; they never print or exit.  The one exception is
 * running out of memory through util/xmalloc.h, which is fatal there.
 */
#ifndef HEAPTRAIL_TRACE_READER_H
#define HEAPTRAIL_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../format/trace-format.h"

struct ht_header {
	uint32_t version;
	uint64_t pid;
	uint64_t ppid;
	uint64_t page_size;
	uint64_t realtime_ns;	/* wall clock at trace time 0 */
	uint64_t time_unit_ns;	/* what one unit of trace time is */
	uint32_t depth;		/* frames kept per stack */
	const char *exe;	/* program path; borrowed, see below */
	size_t exe_len;
	const char *argv;	/* arguments, each ending in '\0' */
	size_t argv_len;
};

struct ht_segment {
	uint64_t vaddr;		/* file virtual address (add base for runtime) */
	uint64_t memsz;
	uint32_t flags;		/* PF_X | PF_W | PF_R */
};


/*
 * One decoded record.  Which fields mean something depends on tag; the
 * strings, frames and segments are borrowed from the reader and valid until
 * the next call that reads a record.
 */
/*
 * The fields before `frames` are the ones events use; keep
 * ht_record_clear_event() (below) in step with them.
 */
struct ht_record {
	unsigned tag;		/* enum ht_tag, with ALLOC/FREE folded: */
	unsigned fn;		/*  ALLOC/FREE/MAP/UNMAP: which entry
				   point */
	uint32_t thread;	/* events: the chunk's thread index */
	uint64_t ts;		/* ns since trace start */
	uint64_t ptr;		/* ALLOC/FREE: block address; MAP/UNMAP:
				   start of the range */
	uint64_t size;		/* ALLOC: bytes asked for; MAP/UNMAP:
				   length of the range; RSS: bytes */
	uint64_t id;		/* ALLOC/MAP/STACK: stack id; MODULE_*: module
				   id; THREAD_START: kernel tid; END:
				   events written; DROPPED: count */
	uint64_t count;		/* END: events dropped */
	uint64_t allocs;	/* END: allocations */
	uint64_t frees;		/* END: frees */
	uint64_t offset;	/* file offset of the frame holding it */
	uint32_t chunk;		/* events: which chunk of the file, counted
				   from 1 (file order between threads) */
	/* Set by ht_ordered only, which pairs frees with allocations: */
	unsigned flags;		/* HT_REC_* */
	uint64_t alloc_ts;	/* FREE: when the block was allocated */
	unsigned alloc_fn;	/* FREE: by which entry point */
	uint64_t replaced_size;	/* ALLOC with HT_REC_REPLACED: the block */
	uint64_t replaced_stack;	/*  that was live at the address, */
	uint64_t replaced_ts;	/*  and when it was allocated */
	const char *str;	/* names, paths, labels (not NUL-terminated) */
	size_t str_len;
	/* Definition records only (events leave them unset): */
	const uint64_t *frames;	/* STACK: return addresses, innermost first */
	uint32_t nframes;
	uint64_t base;		/* MODULE_LOAD: load bias */
	const struct ht_segment *segs;
	unsigned nsegs;
	const uint8_t *build_id;
	size_t build_id_len;
	const struct ht_header *header;	/* HEADER */
};

/*
 * Clears the fields an event uses (all but the definitions' pointers),
 * field by field: a memset of this size costs a `rep stos` per record.
 */
static inline void
ht_record_clear_event(struct ht_record *rec)
{
	rec->tag = rec->fn = 0;
	rec->thread = rec->chunk = 0;
	rec->ts = rec->ptr = rec->size = rec->id = 0;
	rec->count = rec->allocs = rec->frees = rec->offset = 0;
	rec->flags = rec->alloc_fn = 0;
	rec->alloc_ts = rec->replaced_size = rec->replaced_stack = 0;
	rec->replaced_ts = 0;
	rec->str = NULL;
	rec->str_len = 0;
}

/* Is a record (tag as in ht_record, ALLOC/FREE folded) an event? */
static inline int
ht_record_is_event(unsigned tag)
{
	return tag == HT_TAG_ALLOC || tag == HT_TAG_FREE ||
	    tag == HT_TAG_MAP || tag == HT_TAG_UNMAP ||
	    tag == HT_TAG_THREAD_START || tag == HT_TAG_THREAD_NAME ||
	    tag == HT_TAG_THREAD_END || tag == HT_TAG_MARK;
}

/* ht_record.flags */
#define HT_REC_UNKNOWN_FREE 1	/* FREE of an address not live */
#define HT_REC_REPLACED 2	/* ALLOC of an address still live */

/*
 * An allocation or a free in 48 bytes: the form in which the analyzer's
 * stages hand events on (nearly all records are these), where a struct
 * ht_record takes 200.  The *_next_event functions below fill either one
 * of these or, for any other record (and for the rare event that does
 * not fit: a stack id past 32 bits, an allocation replacing a live block,
 * see HT_REC_REPLACED), a struct ht_record, and then set tag to
 * HT_EVENT_RECORD.  The fields mean what the struct ht_record's do.
 */
struct ht_event {
	uint64_t ts;
	uint64_t ptr;
	uint64_t size;
	uint64_t alloc_ts;	/* paired FREE */
	uint32_t id;		/* ALLOC: stack; paired FREE: the block's */
	uint32_t thread;
	uint32_t chunk;
	uint8_t tag;		/* HT_TAG_ALLOC, HT_TAG_FREE, or: */
	uint8_t fn;
	uint8_t flags;		/* HT_REC_UNKNOWN_FREE or 0 */
	uint8_t alloc_fn;	/* paired FREE */
};

#define HT_EVENT_RECORD 0xff	/* the record went to the struct ht_record */

_Static_assert(HT_TAG_ALLOC < HT_EVENT_RECORD &&
    HT_TAG_FREE < HT_EVENT_RECORD, "event tags fit in a byte");

/* REC (ALLOC or FREE, not HT_REC_REPLACED, id within 32 bits) as EV. */
static inline void
ht_event_of_record(struct ht_event *ev, const struct ht_record *rec)
{
	ev->ts = rec->ts;
	ev->ptr = rec->ptr;
	ev->size = rec->size;
	ev->alloc_ts = rec->alloc_ts;
	ev->id = (uint32_t)rec->id;
	ev->thread = rec->thread;
	ev->chunk = rec->chunk;
	ev->tag = (uint8_t)rec->tag;
	ev->fn = (uint8_t)rec->fn;
	ev->flags = (uint8_t)rec->flags;
	ev->alloc_fn = (uint8_t)rec->alloc_fn;
}

/* EV as a whole record (for readers that take records). */
static inline void
ht_record_of_event(struct ht_record *rec, const struct ht_event *ev)
{
	ht_record_clear_event(rec);
	rec->tag = ev->tag;
	rec->fn = ev->fn;
	rec->thread = ev->thread;
	rec->chunk = ev->chunk;
	rec->ts = ev->ts;
	rec->ptr = ev->ptr;
	rec->size = ev->size;
	rec->id = ev->id;
	rec->flags = ev->flags;
	rec->alloc_ts = ev->alloc_ts;
	rec->alloc_fn = ev->alloc_fn;
}

/*
 * A run of events handed on at once: N of them at EV; an entry with tag
 * HT_EVENT_RECORD stands for records[its id].
 */
struct ht_event_batch {
	const struct ht_event *ev;
	size_t n;
	const struct ht_record *records;
};

typedef struct ht_reader ht_reader;

/*
 * Opens PATH and checks its prefix.  On failure returns NULL and, when
 * cause is not NULL, a malloc'ed message the caller frees.
 */
ht_reader *ht_reader_open(const char *path, char **cause);
void ht_reader_close(ht_reader *r);

/*
 * Reads the next record.  Returns 1 with *rec filled, 0 at the end of the
 * file, -1 on an error (truncated frame, corrupt data): all records before
 * the error have been returned, and ht_reader_error() says what and where.
 */
int ht_reader_next(ht_reader *r, struct ht_record *rec);

/*
 * The same, into *ev when the record is an allocation or free that fits
 * (struct ht_event), else into *rec with ev->tag set to HT_EVENT_RECORD.
 */
int ht_reader_next_event(ht_reader *r, struct ht_event *ev,
    struct ht_record *rec);

/* The path the reader was opened with. */
const char *ht_reader_path(const ht_reader *r);

/* Message of the last error ("truncated frame at offset N"), or NULL. */
const char *ht_reader_error(const ht_reader *r);

/* True once an END record was read: the recording ended cleanly. */
int ht_reader_saw_end(const ht_reader *r);

/* Bytes of the file consumed so far (for progress). */
uint64_t ht_reader_offset(const ht_reader *r);

/* File offset of the frame being read: after a "truncated frame" error,
   the frame the file ends inside. */
uint64_t ht_reader_frame_offset(const ht_reader *r);

/* Decompressed bytes of one stream (enum ht_stream) read so far. */
uint64_t ht_reader_stream_bytes(const ht_reader *r, int stream);

/* The file's total size. */
uint64_t ht_reader_file_size(const ht_reader *r);

/*
 * Skips to the start of the last complete frame (after the header has
 * been read), for readers that only want the END record.  Returns 0, or -1
 * if the header was not read yet or no complete frame follows it.
 */
int ht_reader_seek_last_frame(ht_reader *r);

/* What a recording amounted to, from its END record or by counting. */
struct ht_totals {
	uint64_t events;
	uint64_t allocations;
	uint64_t frees;
	uint64_t dropped;
	uint64_t duration_ns;
	int complete;		/* an END record was found */
};

/*
 * Fills *t from PATH: from the END record when the recording ended
 * cleanly (reading only the last frame), else by reading every frame.
 * Returns 0, or -1 with *cause (malloc'ed) when the file is not readable.
 */
int ht_trace_totals(const char *path, struct ht_totals *t, char **cause);

/* --- global time order ------------------------------------------------- */

typedef struct ht_ordered ht_ordered;

/* As ht_reader_open, for ordered reading. */
ht_ordered *ht_ordered_open(const char *path, char **cause);
void ht_ordered_close(ht_ordered *o);

/*
 * Like ht_reader_next, but events come sorted by time, and frees are
 * paired with allocations: a FREE record carries the freed block's size
 * (size), stack (id), allocation time (alloc_ts) and entry point
 * (alloc_fn), or HT_REC_UNKNOWN_FREE.  Events of one time unit in several
 * threads are put in the order that pairs them (a free of an address
 * before the allocation that reuses it, and the reverse), keeping each
 * thread's own order; see "Ordering" in man/heaptrail.5.  Definitions
 * (stacks, modules, ...) come as soon as read, which is before any event
 * that refers to them.  On an error, the events read before it are still
 * all returned first.
 */
int ht_ordered_next(ht_ordered *o, struct ht_record *rec);

/* The same, into *ev or *rec as ht_reader_next_event does. */
int ht_ordered_next_event(ht_ordered *o, struct ht_event *ev,
    struct ht_record *rec);

/*
 * Calls FN for every block live now (after the records returned so far):
 * blocks of the malloc family and blocks annotated with heaptrail_alloc()
 * (kept apart: a pool's objects live inside blocks it got from malloc,
 * often at the same address as the block).
 */
struct ptr_value;
void ht_ordered_each_live(ht_ordered *o, void (*fn)(uint64_t addr,
    const struct ptr_value *v, void *arg), void *arg);
const char *ht_ordered_error(const ht_ordered *o);
ht_reader *ht_ordered_reader(ht_ordered *o);

/*
 * Where ht_ordered_next gets its records from, instead of reading its
 * reader itself: NEXT returns as ht_reader_next does, but a batch of
 * events and records at a time (*batch: at least one when it returns 1),
 * valid with what they point to until the next call; ARG is passed
 * along.  Used to decode on another thread (analyzer/read-ahead.c),
 * which then owns the reader; errors are still the reader's
 * (ht_ordered_error), read once that thread is stopped.
 */
void ht_ordered_set_source(ht_ordered *o, int (*next)(void *arg,
    struct ht_event_batch *batch), void *arg);

#endif /* HEAPTRAIL_TRACE_READER_H */
