/*
 * frame-encoder.c - turn raw records into the stream layout of a frame.
 *
 * Threads append events to their buffers in a simple raw form (tag, then
 * varint fields in record order: time delta, address as a zigzag delta
 * from the previous one of the buffer, size, stack id ...; see
 * thread-buffer.c).  Definitions (stacks, modules, sync, RSS, end) are
 * raw records too: a tag and fields that all belong to the OTHER stream.
 * The writer thread hands both here, and this file moves every field into
 * its stream and codes event addresses against the windows of recent
 * addresses (trace-format.h), off the recorded threads' path.
 *
 * Owns: the six stream buffers of the frame being built, and the two
 * address windows of the chunk being encoded, reset at every chunk of
 * another thread than the frame's chunk before (format version 4) and at
 * every frame, so a frame's records need nothing of the frames before but
 * the definitions.  Only the writer (or, after it stopped,
 * whoever holds the finish lock) calls in here.
 */
#define _GNU_SOURCE
#include <string.h>

#include "../format/addr-window.h"
#include "recorder.h"

/* A frame's streams together stay below this (room for the table). */
#define STREAMS_MAX (HT_FRAME_MAX - 256)
#define CACHE_BITS 13
#define CACHE_SLOTS (1u << CACHE_BITS)	/* direct-mapped address -> pos */

static uint8_t *streams[HT_STREAMS];
static size_t stream_len[HT_STREAMS];
static size_t total_len;

/* The address windows of the chunk being encoded (addr-window.h), and
   for each a direct-mapped cache from address to its latest position. */
struct coder {
	struct ht_window w;
	uint32_t restarts;	/* w.restarts the cache is for */
	struct { uint64_t addr; uint32_t pos; } cache[CACHE_SLOTS];
};
static struct coder *allocs, *frees;
static uint32_t frame_thread;	/* thread of the frame's last chunk (0: none) */

/* The time deltas of the chunk being encoded, written as runs at its end. */
#define CHUNK_RECORDS_MAX (THREAD_BUF_SIZE / 2)	/* >= 2 bytes each */
static uint64_t *chunk_times;
static size_t chunk_records;

int
frame_encoder_init(void)
{
	int i;

	for (i = 0; i < HT_STREAMS; i++)
		if ((streams[i] = rec_map(STREAMS_MAX)) == NULL)
			return -1;
	allocs = rec_map(sizeof *allocs);
	frees = rec_map(sizeof *frees);
	chunk_times = rec_map(sizeof *chunk_times * CHUNK_RECORDS_MAX);
	if (allocs == NULL || frees == NULL || chunk_times == NULL)
		return -1;
	allocs->w.keep = frees->w.keep = HT_WINDOW_KEEP;
	allocs->w.cap = frees->w.cap = HT_WINDOW_POSITIONS;
	return 0;
}

/* Drops whatever is staged (a fork child's copy of its parent's frame). */
void
frame_encoder_reset(void)
{
	int i;

	for (i = 0; i < HT_STREAMS; i++)
		stream_len[i] = 0;
	total_len = 0;
	chunk_records = 0;	/* a chunk the parent was in the middle of */
	frame_thread = 0;
}

size_t
frame_size(void)
{
	return total_len;
}

/* Room check: can LEN raw bytes be added without passing the limit? */
int
frame_fits(size_t raw_len)
{
	/* Coding adds at most a byte per address and a CHUNK record. */
	return total_len + 2 * raw_len + 64 <= STREAMS_MAX;
}

static void
put_varint(int s, uint64_t v)
{
	uint8_t *end = ht_put_varint(streams[s] + stream_len[s], v);
	size_t n = (size_t)(end - (streams[s] + stream_len[s]));

	stream_len[s] += n;
	total_len += n;
}

static void
put_byte(int s, uint8_t b)
{
	streams[s][stream_len[s]++] = b;
	total_len++;
}

static void
put_bytes(int s, const uint8_t *p, size_t n)
{
	memcpy(streams[s] + stream_len[s], p, n);
	stream_len[s] += n;
	total_len += n;
}

/* Raw varint at *pp (the recorder wrote it: well formed). */
static uint64_t
get(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p & 0x80) {
		v |= (uint64_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint64_t)*p++ << shift;
	*pp = p;
	return v;
}

static void
copy_varint(const uint8_t **pp, int s)
{
	put_varint(s, get(pp));
}

static void
copy_string(const uint8_t **pp, int s)
{
	uint64_t n = get(pp);

	put_varint(s, n);
	put_bytes(s, *pp, (size_t)n);
	*pp += n;
}

static unsigned
cache_slot(uint64_t addr)
{
	addr *= 0x9e3779b97f4a7c15ull;
	return (unsigned)(addr >> (64 - CACHE_BITS));
}

/* Position of ADDR's latest live entry in C, or 0. */
static uint32_t
coder_find(const struct coder *c, uint64_t addr)
{
	unsigned slot = cache_slot(addr);
	uint32_t pos = c->cache[slot].pos;

	if (c->cache[slot].addr != addr || pos == 0 || pos > c->w.n ||
	    !ht_window_is_live(&c->w, pos) || c->w.addr[pos] != addr)
		return 0;
	return pos;
}

static void
coder_cache(struct coder *c, uint64_t addr, uint32_t pos)
{
	unsigned slot = cache_slot(addr);

	c->cache[slot].addr = addr;
	c->cache[slot].pos = pos;
}

static void
coder_push(struct coder *c, uint64_t addr, uint32_t cls)
{
	ht_window_push(&c->w, addr, cls);
	if (c->restarts != c->w.restarts) {
		/* It started over with entries moved down: cache them. */
		uint32_t pos;

		c->restarts = c->w.restarts;
		for (pos = 1; pos < c->w.n; pos++)
			if (ht_window_is_live(&c->w, pos))
				coder_cache(c, c->w.addr[pos], pos);
	}
	coder_cache(c, addr, c->w.n);
}

static uint64_t last_addr;	/* previous address of the chunk */

/*
 * Codes ADDR against window C (popping what it refers to).  CLS: the
 * allocation's size class (the class-newest code), or 0 for a free.
 * Returns the class of the entry referred to (0 if none).
 */
static uint32_t
put_addr(struct coder *c, uint64_t addr, uint32_t cls)
{
	uint32_t pos = coder_find(c, addr), found = 0;

	if (pos != 0) {
		int64_t r = -1;

		if (cls != 0 && c->w.size_class[pos] == cls)
			r = ht_window_class_rank(&c->w, pos, HT_CLASS_WALK_MAX);
		if (cls == 0)
			put_varint(HT_STREAM_ADDRS,
			    (uint64_t)ht_window_rank(&c->w, pos) * 2);
		else if (r >= 0)	/* by its place in its class */
			put_varint(HT_STREAM_ADDRS, (uint64_t)r * 4);
		else
			put_varint(HT_STREAM_ADDRS,
			    (uint64_t)ht_window_rank(&c->w, pos) * 4 + 2);
		found = c->w.size_class[pos];
		ht_window_pop(&c->w, pos);
	} else {
		uint64_t z = ht_zigzag((int64_t)(addr - last_addr));

		if (z < (HT_ADDR_ESCAPE >> 1)) {
			put_varint(HT_STREAM_ADDRS, z * 2 + 1);
		} else {
			put_varint(HT_STREAM_ADDRS, HT_ADDR_ESCAPE);
			put_varint(HT_STREAM_ADDRS, addr);
		}
	}
	last_addr = addr;
	return found;
}

/* The chunk's time deltas: each nonzero one (and the first) followed by
   how many zero deltas come after it (trace-format.h). */
static void
put_chunk_times(void)
{
	size_t i = 0, j;

	while (i < chunk_records) {
		put_varint(HT_STREAM_TIMES, chunk_times[i]);
		for (j = i + 1; j < chunk_records && chunk_times[j] == 0; j++)
			;
		put_varint(HT_STREAM_TIMES, j - i - 1);
		i = j;
	}
	chunk_records = 0;
}

void
frame_add_chunk(uint32_t thread, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t raw_addr = 0;

	put_byte(HT_STREAM_TAGS, HT_TAG_CHUNK);
	put_varint(HT_STREAM_OTHER, thread);
	if (thread != frame_thread) {
		ht_window_reset(&allocs->w);
		ht_window_reset(&frees->w);
		last_addr = 0;
		frame_thread = thread;
	}

	while (p < end) {
		unsigned tag = *p++;

		put_byte(HT_STREAM_TAGS, (uint8_t)tag);
		chunk_times[chunk_records++] = get(&p);
		if (ht_tag_is_alloc(tag) || ht_tag_is_free(tag)) {
			raw_addr += (uint64_t)ht_unzigzag(get(&p));
			if (ht_tag_is_alloc(tag)) {
				uint64_t size = get(&p);
				uint32_t cls = ht_size_class(size);

				put_addr(frees, raw_addr, cls);
				coder_push(allocs, raw_addr, cls);
				put_varint(HT_STREAM_SIZES, size);
				copy_varint(&p, HT_STREAM_STACKS);
			} else {
				coder_push(frees, raw_addr,
				    put_addr(allocs, raw_addr, 0));
			}
			continue;
		}
		if (ht_tag_is_map(tag) || ht_tag_is_unmap(tag)) {
			copy_varint(&p, HT_STREAM_OTHER);	/* address */
			copy_varint(&p, HT_STREAM_SIZES);
			if (ht_tag_is_map(tag))
				copy_varint(&p, HT_STREAM_STACKS);
			continue;
		}
		switch (tag) {
		case HT_TAG_THREAD_START:
			copy_varint(&p, HT_STREAM_OTHER);
			break;
		case HT_TAG_THREAD_NAME:
		case HT_TAG_MARK:
			copy_string(&p, HT_STREAM_OTHER);
			break;
		default:	/* THREAD_END: the time only */
			break;
		}
	}
	put_chunk_times();
}

void
frame_add_defs(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	while (p < end) {
		unsigned tag = *p++;
		uint64_t n, i;

		put_byte(HT_STREAM_TAGS, (uint8_t)tag);
		switch (tag) {
		case HT_TAG_HEADER:
			for (i = 0; i < 6; i++)
				copy_varint(&p, HT_STREAM_OTHER);
			copy_string(&p, HT_STREAM_OTHER);
			copy_string(&p, HT_STREAM_OTHER);
			break;
		case HT_TAG_MODULE_LOAD:
			copy_varint(&p, HT_STREAM_OTHER);	/* id */
			copy_varint(&p, HT_STREAM_OTHER);	/* time */
			copy_string(&p, HT_STREAM_OTHER);	/* path */
			copy_varint(&p, HT_STREAM_OTHER);	/* base */
			n = get(&p);
			put_varint(HT_STREAM_OTHER, n);
			for (i = 0; i < n * 3; i++)
				copy_varint(&p, HT_STREAM_OTHER);
			copy_string(&p, HT_STREAM_OTHER);	/* build-id */
			break;
		case HT_TAG_STACK:
			copy_varint(&p, HT_STREAM_OTHER);	/* id */
			n = get(&p);
			put_varint(HT_STREAM_OTHER, n);
			for (i = 0; i < n; i++)
				copy_varint(&p, HT_STREAM_OTHER);
			break;
		case HT_TAG_END:
			for (i = 0; i < 5; i++)
				copy_varint(&p, HT_STREAM_OTHER);
			break;
		case HT_TAG_MODULE_UNLOAD:
		case HT_TAG_RSS:
			copy_varint(&p, HT_STREAM_OTHER);
			copy_varint(&p, HT_STREAM_OTHER);
			break;
		default:	/* SYNC, DROPPED: one field */
			copy_varint(&p, HT_STREAM_OTHER);
			break;
		}
	}
}

size_t
frame_take(uint8_t *out)
{
	uint8_t *p = out;
	int i;

	p = ht_put_varint(p, HT_STREAMS);
	for (i = 0; i < HT_STREAMS; i++)
		p = ht_put_varint(p, stream_len[i]);
	for (i = 0; i < HT_STREAMS; i++) {
		memcpy(p, streams[i], stream_len[i]);
		p += stream_len[i];
		stream_len[i] = 0;
	}
	total_len = 0;
	frame_thread = 0;	/* the next frame starts its windows empty */
	return (size_t)(p - out);
}
