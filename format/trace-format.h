/*
 * trace-format.h - the heaptrail trace format, shared by writer and readers.
 *
 * The recorder (recorder/) encodes records with the inline helpers below;
 * the reader (reader/trace-reader.c) decodes them.  The format is described
 * in prose in man/heaptrail.5 ("TRACE FORMAT"); this header is its single
 * source of numbers.  Nothing here allocates, so the recorder can use it
 * inside a hooked malloc.
 *
 * File = 16-byte prefix, then zstd frames back to back (from version 4,
 * each may refer back into the one before, see HT_WINDOW_LOG).  Every
 * frame decompresses to a stream table and HT_STREAMS byte streams; a
 * record is one tag byte in the tag stream and its fields in the streams their kind
 * belongs to (see ht_stream), integers as LEB128 varints (signed ones
 * zigzag-coded), strings as a varint length and the bytes (no NUL).
 * Grouping like fields together is what makes zstd effective on them.
 *
 * Addresses of events are coded against windows of recent addresses
 * (addr-window.h), reset at every chunk (from version 4: at every chunk
 * of another thread than the frame's chunk before it, and at every frame),
 * so a frame's records mean the same whatever came before them (given
 * the stacks and modules defined before).  From version 4 its zstd
 * decompression may need the frame before (HT_WINDOW_LOG), so a reader
 * goes front to back; the first frame and END frames stand alone.
 */
#ifndef HEAPTRAIL_TRACE_FORMAT_H
#define HEAPTRAIL_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HT_MAGIC "\x89HTRAIL\n"
#define HT_MAGIC_LEN 8
#define HT_PREFIX_LEN 16
#define HT_FORMAT_VERSION 4	/* 2 added MAP/UNMAP, 3 the class-newest
				   address code and runs of zero time
				   deltas, 4 address windows that last
				   over a thread's chunks in a frame and
				   keep live entries when full; readers
				   take 1 to 3 too */
#define HT_FORMAT_VERSION_MIN 1

/* Longest varint: 10 bytes for a uint64_t. */
#define HT_VARINT_MAX 10

/* Frames are at most this big once decompressed (readers may rely on it). */
#define HT_FRAME_MAX (4u << 20)

/*
 * From version 4, a frame may be compressed with the previous frame's
 * decompressed bytes as zstd's prefix (a reader decodes each frame with
 * the one before as its prefix); the first frame, and every frame holding
 * an END record, stand alone.  zstd's window: a previous frame and this
 * one (readers must allow it; zstd's default limit is 2^27).
 */
#define HT_WINDOW_LOG 23

/* Streams of a frame, in the order their bytes follow the stream table. */
enum ht_stream {
	HT_STREAM_TAGS,		/* one byte per record */
	HT_STREAM_TIMES,	/* event time deltas (from version 3, each
				   nonzero one, or the chunk's first, is
				   followed by how many records after it
				   have delta 0 and no entry here) */
	HT_STREAM_ADDRS,	/* event address codes */
	HT_STREAM_SIZES,	/* allocation sizes */
	HT_STREAM_STACKS,	/* allocation stack ids */
	HT_STREAM_OTHER,	/* every other field */
	HT_STREAMS
};

/*
 * Address code of an event: 2k for "the live entry of the chunk's window
 * with k live entries after it" (FREE: the window of allocated addresses;
 * ALLOC: the window of freed addresses; the entry is popped), 2z+1 for
 * "previous address of the chunk plus unzigzag(z)", and HT_ADDR_ESCAPE
 * (all ones) for "the address is the next varint" (deltas too wide for
 * 2z+1, such as tagged pointers).  See addr-window.h.  Address 0 never
 * occurs (a reader treats it as damage).
 *
 * From version 3, an ALLOC's even codes are 0 for "the newest live entry
 * of the freed window in this allocation's size class" and 2(k+1) for
 * the entry with k live entries after it.  Freed addresses enter their
 * window with the size class of the allocated entry they referred to
 * (0, no class, when they were coded by delta).
 *
 * From version 4, an ALLOC's even codes are 4r for "the live entry of
 * the freed window in this allocation's size class with r live entries
 * of that class after it" (4r = 0: the newest, as before) and 4k+2 for
 * the entry with k live entries after it: allocators reuse what they
 * freed last per size class, so r stays small where k does not.
 */
#define HT_ADDR_ESCAPE UINT64_MAX

/* The encoder looks this far down a class for an ALLOC's 4r code. */
#define HT_CLASS_WALK_MAX 64

/* Times in the trace count units of this many ns (the header says). */
#define HT_TIME_UNIT_NS 1000

/* Limits a MODULE_LOAD record stays within. */
#define HT_SEGMENTS_MAX 64
#define HT_BUILD_ID_MAX 64

/* Stacks are at most this deep (HEAPTRAIL_DEPTH is clamped to it). */
#define HT_DEPTH_MAX 256

enum ht_tag {
	/* Definitions: valid anywhere, no chunk context needed. */
	HT_TAG_HEADER = 0x01,		/* first record of the file */
	HT_TAG_MODULE_LOAD = 0x02,
	HT_TAG_MODULE_UNLOAD = 0x03,
	HT_TAG_STACK = 0x04,
	HT_TAG_CHUNK = 0x05,		/* switches to a thread's events */
	HT_TAG_SYNC = 0x09,		/* all events with ts < T are above */
	HT_TAG_RSS = 0x0a,
	HT_TAG_END = 0x0c,		/* clean end of recording */
	HT_TAG_DROPPED = 0x0d,

	/* Events: only after a CHUNK record; ts and pointers are deltas. */
	HT_TAG_THREAD_START = 0x06,
	HT_TAG_THREAD_NAME = 0x07,
	HT_TAG_THREAD_END = 0x08,
	HT_TAG_MARK = 0x0b,
	HT_TAG_ALLOC = 0x10,		/* 0x10 + enum ht_alloc_fn */
	HT_TAG_FREE = 0x30,		/* 0x30 + enum ht_free_fn */
	/* Anonymous memory mappings the program made (format 2): the
	   address is a plain varint in the OTHER stream, not window-coded. */
	HT_TAG_MAP = 0x50,		/* 0x50 + enum ht_map_fn */
	HT_TAG_UNMAP = 0x58,		/* 0x58 + enum ht_unmap_fn */
};

/*
 * The end of the program's work: the recorder writes one MARK record with
 * one of these labels when main returns or the program calls exit(),
 * quick_exit() or _exit() (whichever comes first, once per process),
 * before atexit handlers and static destructors run.  MARK labels that
 * start with HT_WORK_END_PREFIX are the recorder's own and reserved: a
 * program's heaptrail_mark() must not use that prefix.
 */
#define HT_WORK_END_PREFIX "heaptrail: "
#define HT_WORK_END_MAIN HT_WORK_END_PREFIX "main returned"
#define HT_WORK_END_EXIT HT_WORK_END_PREFIX "exit called"
#define HT_WORK_END_QUICK_EXIT HT_WORK_END_PREFIX "quick_exit called"
#define HT_WORK_END__EXIT HT_WORK_END_PREFIX "_exit called"

/* Which entry point allocated: ALLOC tag = HT_TAG_ALLOC + this. */
enum ht_alloc_fn {
	HT_ALLOC_MALLOC,
	HT_ALLOC_CALLOC,
	HT_ALLOC_REALLOC,
	HT_ALLOC_REALLOCARRAY,
	HT_ALLOC_POSIX_MEMALIGN,
	HT_ALLOC_ALIGNED_ALLOC,
	HT_ALLOC_MEMALIGN,
	HT_ALLOC_VALLOC,
	HT_ALLOC_PVALLOC,
	HT_ALLOC_ANNOTATION,		/* heaptrail_alloc() */
	HT_ALLOC_FN_COUNT
};

/* Which entry point freed: FREE tag = HT_TAG_FREE + this. */
enum ht_free_fn {
	HT_FREE_FREE,
	HT_FREE_REALLOC,		/* the old block of a realloc */
	HT_FREE_REALLOCARRAY,
	HT_FREE_ANNOTATION,		/* heaptrail_free() */
	HT_FREE_FN_COUNT
};

/* Which call mapped: MAP tag = HT_TAG_MAP + this. */
enum ht_map_fn {
	HT_MAP_MMAP,
	HT_MAP_MREMAP,			/* the new range of an mremap */
	HT_MAP_FN_COUNT
};

/* Which call unmapped: UNMAP tag = HT_TAG_UNMAP + this. */
enum ht_unmap_fn {
	HT_UNMAP_MUNMAP,
	HT_UNMAP_MREMAP,		/* the old range of an mremap */
	HT_UNMAP_MMAP_FIXED,		/* replaced by a MAP_FIXED mapping */
	HT_UNMAP_FN_COUNT
};

static inline int
ht_tag_is_map(unsigned tag)
{
	return tag >= HT_TAG_MAP && tag < HT_TAG_MAP + HT_MAP_FN_COUNT;
}

static inline int
ht_tag_is_unmap(unsigned tag)
{
	return tag >= HT_TAG_UNMAP && tag < HT_TAG_UNMAP + HT_UNMAP_FN_COUNT;
}

static inline int
ht_tag_is_alloc(unsigned tag)
{
	return tag >= HT_TAG_ALLOC && tag < HT_TAG_ALLOC + HT_ALLOC_FN_COUNT;
}

static inline int
ht_tag_is_free(unsigned tag)
{
	return tag >= HT_TAG_FREE && tag < HT_TAG_FREE + HT_FREE_FN_COUNT;
}

/* Names as shown by `heaptrail dump`; indexed by the enums above. */
extern const char *const ht_alloc_fn_names[HT_ALLOC_FN_COUNT];
extern const char *const ht_free_fn_names[HT_FREE_FN_COUNT];
extern const char *const ht_map_fn_names[HT_MAP_FN_COUNT];
extern const char *const ht_unmap_fn_names[HT_UNMAP_FN_COUNT];

/* --- encoding (writer side, no allocation) --------------------------- */

static inline uint8_t *
ht_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t
ht_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
ht_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint8_t *
ht_put_svarint(uint8_t *p, int64_t v)
{
	return ht_put_varint(p, ht_zigzag(v));
}

static inline uint8_t *
ht_put_bytes(uint8_t *p, const void *s, size_t len)
{
	p = ht_put_varint(p, len);
	memcpy(p, s, len);
	return p + len;
}

/* --- decoding (reader side) ------------------------------------------ */

/*
 * Reads a varint from [*pp, end).  Returns 0 and advances *pp, or -1 when
 * the input ends inside the varint or it is longer than 10 bytes.
 */
static inline int
ht_get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	while (p < end) {
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

#endif /* HEAPTRAIL_TRACE_FORMAT_H */
