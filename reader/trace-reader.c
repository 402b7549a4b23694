/*
 * trace-reader.c - decode a trace file in file order.
 *
 * Owns: the open file, a zstd decompression context, one input buffer and
 * one buffer holding the current decompressed frame.  Records are parsed
 * out of that frame's streams (trace-format.h); everything a record points
 * to (strings, frames, segments) lives in the frame buffer or in
 * per-reader scratch arrays and stays valid until the next call.
 *
 * Invariant: a frame is fully decompressed before any of its records is
 * returned, so a truncated or corrupt frame yields none of its records
 * (frames are the unit of loss, as the format promises).
 *
 * Chunk context (thread, previous time, previous address, address
 * windows) resets at every CHUNK record and at every frame start, as the
 * writer's does; from format version 4 the previous address and the
 * windows go on over a CHUNK of the thread of the frame's chunk before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "../format/addr-window.h"
#include "../util/xmalloc.h"
#include "trace-reader.h"

#define READER_IN_SIZE (1u << 20)

const char *const ht_alloc_fn_names[HT_ALLOC_FN_COUNT] = {
	"malloc", "calloc", "realloc", "reallocarray", "posix_memalign",
	"aligned_alloc", "memalign", "valloc", "pvalloc", "heaptrail_alloc",
};

const char *const ht_free_fn_names[HT_FREE_FN_COUNT] = {
	"free", "realloc", "reallocarray", "heaptrail_free",
};

const char *const ht_map_fn_names[HT_MAP_FN_COUNT] = { "mmap", "mremap" };

const char *const ht_unmap_fn_names[HT_UNMAP_FN_COUNT] = {
	"munmap", "mremap", "mmap_fixed",
};

struct ht_reader {
	char *path;
	int fd;
	uint64_t file_size;
	ZSTD_DCtx *dctx;

	uint8_t *in;		/* compressed bytes read, [in_pos, in_len) */
	size_t in_pos, in_len;
	uint64_t in_file_off;	/* file offset of in[0] */
	int in_eof;

	uint8_t *frame;		/* current decompressed frame */
	size_t frame_len;
	uint8_t *spare;		/* the next frame goes here, then the two
				   swap: the current one is its prefix */
	uint64_t frame_off;	/* file offset of the current frame */
	struct stream {
		const uint8_t *p, *end;
	} s[HT_STREAMS];	/* cursors into the frame's streams */

	/* Chunk context: thread, delta bases, address windows. */
	int in_chunk;
	uint64_t zero_deltas;	/* version 3: records left at delta 0 */
	uint32_t thread;
	uint32_t frame_thread;	/* the frame's previous CHUNK's (0: none) */
	uint32_t chunk;		/* CHUNK records read */
	uint64_t last_tick;
	uint64_t last_addr;
	struct ht_window *allocs, *frees;	/* addr-window.h */
	uint64_t unit_ns;	/* from the header */
	uint64_t stream_bytes[HT_STREAMS];	/* decompressed, so far */

	int saw_header;
	int saw_end;
	char *error;

	struct ht_header header;
	uint64_t frames[HT_DEPTH_MAX];
	struct ht_segment segs[HT_SEGMENTS_MAX];
};

static void
reader_set_error(ht_reader *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = xasprintf("%s: %s", r->path, msg);
	free(msg);
}

ht_reader *
ht_reader_open(const char *path, char **cause)
{
	uint8_t prefix[HT_PREFIX_LEN];
	struct stat st;
	ZSTD_DCtx *dctx;
	ht_reader *r;
	ssize_t n;
	uint32_t version;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (cause)
			*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (cause)
			*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	n = pread(fd, prefix, sizeof prefix, 0);
	if (n == 0) {
		if (cause)
			*cause = xasprintf("%s: empty file (no trace was "
			    "written to it)", path);
		close(fd);
		return NULL;
	}
	if (n >= 0 && (size_t)n < sizeof prefix &&
	    memcmp(prefix, HT_MAGIC, (size_t)n < HT_MAGIC_LEN ?
	    (size_t)n : HT_MAGIC_LEN) == 0 && n > 0) {
		if (cause)
			*cause = xasprintf("%s: truncated trace (%zd bytes, "
			    "shorter than the %d-byte header)", path, n,
			    HT_PREFIX_LEN);
		close(fd);
		return NULL;
	}
	if (n != (ssize_t)sizeof prefix ||
	    memcmp(prefix, HT_MAGIC, HT_MAGIC_LEN) != 0) {
		if (cause)
			*cause = xasprintf("%s: not a heaptrail trace "
			    "(bad magic)", path);
		close(fd);
		return NULL;
	}
	version = (uint32_t)prefix[8] | (uint32_t)prefix[9] << 8 |
	    (uint32_t)prefix[10] << 16 | (uint32_t)prefix[11] << 24;
	if (version < HT_FORMAT_VERSION_MIN || version > HT_FORMAT_VERSION) {
		if (cause)
			*cause = xasprintf("%s: trace format version %u, this "
			    "heaptrail reads version %d", path, version,
			    HT_FORMAT_VERSION);
		close(fd);
		return NULL;
	}

	dctx = ZSTD_createDCtx();
	if (dctx == NULL) {
		/* Not through xmalloc: the caller decides what to do. */
		if (cause)
			*cause = xasprintf("%s: cannot create a zstd "
			    "decompression context (out of memory)", path);
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->fd = fd;
	r->file_size = (uint64_t)st.st_size;
	r->dctx = dctx;
	r->in = xmalloc(READER_IN_SIZE);
	r->in_file_off = HT_PREFIX_LEN;
	r->frame = xmalloc(HT_FRAME_MAX);
	r->spare = xmalloc(HT_FRAME_MAX);
	r->allocs = xcalloc(1, sizeof *r->allocs);
	r->frees = xcalloc(1, sizeof *r->frees);
	r->allocs->cap = r->frees->cap = version >= 4 ? HT_WINDOW_POSITIONS :
	    HT_WINDOW_POSITIONS_V3;
	if (version >= 4)
		r->allocs->keep = r->frees->keep = HT_WINDOW_KEEP;
	r->header.version = version;
	r->unit_ns = 1;
	return r;
}

void
ht_reader_close(ht_reader *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->frame);
	free(r->spare);
	free(r->allocs);
	free(r->frees);
	free(r->error);
	free(r->path);
	free(r);
}

const char *
ht_reader_path(const ht_reader *r)
{
	return r->path;
}

const char *
ht_reader_error(const ht_reader *r)
{
	return r->error;
}

int
ht_reader_saw_end(const ht_reader *r)
{
	return r->saw_end;
}

uint64_t
ht_reader_offset(const ht_reader *r)
{
	return r->in_file_off + r->in_pos;
}

uint64_t
ht_reader_frame_offset(const ht_reader *r)
{
	return r->frame_off;
}

uint64_t
ht_reader_stream_bytes(const ht_reader *r, int stream)
{
	return r->stream_bytes[stream];
}

uint64_t
ht_reader_file_size(const ht_reader *r)
{
	return r->file_size;
}

/* Refills the input buffer; returns bytes available, 0 at EOF, -1 error. */
static ssize_t
reader_fill(ht_reader *r)
{
	ssize_t n;

	if (r->in_pos > 0) {
		memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
		r->in_file_off += r->in_pos;
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	if (r->in_eof || r->in_len == READER_IN_SIZE)
		return (ssize_t)r->in_len;
	do
		n = pread(r->fd, r->in + r->in_len, READER_IN_SIZE - r->in_len,
		    (off_t)(r->in_file_off + r->in_len));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		reader_set_error(r, "read error at offset %llu: %s",
		    (unsigned long long)(r->in_file_off + r->in_len),
		    strerror(errno));
		return -1;
	}
	if (n == 0)
		r->in_eof = 1;
	r->in_len += (size_t)n;
	return (ssize_t)r->in_len;
}

/* Reads the stream table and points the stream cursors into the frame. */
static int
reader_split_streams(ht_reader *r)
{
	const uint8_t *p = r->frame, *end = r->frame + r->frame_len;
	uint64_t n, len[HT_STREAMS], total = 0;
	int i;

	if (ht_get_varint(&p, end, &n) != 0 || n != HT_STREAMS)
		goto bad;
	for (i = 0; i < HT_STREAMS; i++) {
		if (ht_get_varint(&p, end, &len[i]) != 0 ||
		    len[i] > HT_FRAME_MAX)
			goto bad;
		total += len[i];
	}
	if (total != (uint64_t)(end - p))
		goto bad;
	for (i = 0; i < HT_STREAMS; i++) {
		r->s[i].p = p;
		r->s[i].end = p + len[i];
		r->stream_bytes[i] += len[i];
		p += len[i];
	}
	return 1;
bad:
	reader_set_error(r, "corrupt frame at offset %llu: bad stream table",
	    (unsigned long long)r->frame_off);
	return -1;
}

/*
 * Decompresses the next whole frame into r->frame.  Returns 1, 0 at a clean
 * end of file, -1 on error.
 */
static int
reader_next_frame(ht_reader *r)
{
	ZSTD_outBuffer out = { r->frame, HT_FRAME_MAX, 0 };
	size_t ret;

	if (r->in_pos == r->in_len && reader_fill(r) <= 0)
		return r->error ? -1 : 0;
	r->frame_off = r->in_file_off + r->in_pos;
	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	/* Version 4: the frame before is this one's prefix (trace-format.h,
	   HT_WINDOW_LOG); after a seek there is none. */
	if (r->header.version >= 4 && r->frame_len > 0)
		ZSTD_DCtx_refPrefix(r->dctx, r->frame, r->frame_len);
	out.dst = r->spare;
	for (;;) {
		ZSTD_inBuffer in = { r->in, r->in_len, r->in_pos };

		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		r->in_pos = in.pos;
		if (ZSTD_isError(ret)) {
			reader_set_error(r, "corrupt frame at offset %llu: %s",
			    (unsigned long long)r->frame_off,
			    ZSTD_getErrorName(ret));
			return -1;
		}
		if (ret == 0)
			break;
		if (out.pos == out.size) {
			reader_set_error(r, "corrupt frame at offset %llu: "
			    "larger than %u bytes", (unsigned long long)
			    r->frame_off, HT_FRAME_MAX);
			return -1;
		}
		if (r->in_pos == r->in_len) {
			ssize_t n = reader_fill(r);

			if (n < 0)
				return -1;
			if (r->in_eof && r->in_pos == r->in_len) {
				reader_set_error(r, "truncated frame at offset "
				    "%llu (the file ends inside it; the "
				    "recording was cut short)",
				    (unsigned long long)r->frame_off);
				return -1;
			}
		}
	}
	r->spare = r->frame;
	r->frame = out.dst;
	r->frame_len = out.pos;
	r->in_chunk = 0;
	r->frame_thread = 0;
	return reader_split_streams(r);
}

/* Field readers: jump to `bad` when a stream runs out. */
#define GET(stream, v) do {						\
	if (ht_get_varint(&r->s[stream].p, r->s[stream].end, &(v)) != 0)\
		goto bad;						\
} while (0)

#define GET_STRING(s_, len_) do {					\
	struct stream *st_ = &r->s[HT_STREAM_OTHER];			\
	uint64_t n_;							\
									\
	if (ht_get_varint(&st_->p, st_->end, &n_) != 0 ||		\
	    n_ > (uint64_t)(st_->end - st_->p))				\
		goto bad;						\
	(s_) = (const char *)st_->p;					\
	(len_) = (size_t)n_;						\
	st_->p += n_;							\
} while (0)

/* A time field of a definition record, in the trace's units. */
#define GET_TIME(v) do {						\
	GET(HT_STREAM_OTHER, v);					\
	(v) *= r->unit_ns;						\
} while (0)

/* An event's time delta: only inside a chunk. */
static int
reader_event_time(ht_reader *r, uint64_t *ts)
{
	uint64_t d;
	struct stream *st = &r->s[HT_STREAM_TIMES];

	if (!r->in_chunk)
		return -1;
	if (r->zero_deltas > 0) {
		r->zero_deltas--;
		d = 0;
	} else if (ht_get_varint(&st->p, st->end, &d) != 0 ||
	    (r->header.version >= 3 &&
	    ht_get_varint(&st->p, st->end, &r->zero_deltas) != 0)) {
		return -1;
	}
	r->last_tick += d;
	*ts = r->last_tick * r->unit_ns;
	return 0;
}

/* The time of an event that comes as a record, and its thread's. */
static int
reader_record_time(ht_reader *r, struct ht_record *rec)
{
	rec->thread = r->thread;
	rec->chunk = r->chunk;
	return reader_event_time(r, &rec->ts);
}

/*
 * An event's address: a back-reference into window W (popping the entry)
 * or a delta; then pushed onto window PUSH.  SIZE: an allocation's size
 * (its class is what it pushes, and what the class-newest code of
 * version 3 looks for), or UINT64_MAX for a free (which pushes the class
 * of the entry it refers to).
 */
static int
reader_event_addr(ht_reader *r, struct ht_window *w, struct ht_window *push,
    uint64_t size, uint64_t *addr)
{
	struct stream *st = &r->s[HT_STREAM_ADDRS];
	uint32_t pos, cls = size == UINT64_MAX ? 0 : ht_size_class(size);
	uint32_t push_cls = cls;
	uint64_t code;

	if (ht_get_varint(&st->p, st->end, &code) != 0)
		return -1;
	if (code == HT_ADDR_ESCAPE) {
		if (ht_get_varint(&st->p, st->end, &r->last_addr) != 0)
			return -1;
	} else if (code & 1) {
		r->last_addr += (uint64_t)ht_unzigzag(code >> 1);
	} else {
		if (cls == 0 || r->header.version < 3)
			pos = ht_window_select(w, code >> 1);
		else if (r->header.version >= 4 && code % 4 == 0)
			pos = ht_window_class_select(w, cls, code / 4);
		else if (r->header.version >= 4)
			pos = ht_window_select(w, code / 4);
		else if (code == 0)
			pos = ht_window_newest(w, cls);
		else
			pos = ht_window_select(w, (code >> 1) - 1);
		if (pos == 0)
			return -1;
		r->last_addr = w->addr[pos];
		if (cls == 0)
			push_cls = w->size_class[pos];
		ht_window_pop(w, pos);
	}
	if (r->last_addr == 0)
		return -1;	/* no block lives at 0 */
	*addr = r->last_addr;
	ht_window_push(push, r->last_addr, push_cls);
	return 0;
}

int
ht_reader_next(ht_reader *r, struct ht_record *rec)
{
	struct ht_event ev;
	int ret = ht_reader_next_event(r, &ev, rec);

	if (ret > 0 && ev.tag != HT_EVENT_RECORD) {
		ht_record_of_event(rec, &ev);
		rec->offset = r->frame_off;
	}
	return ret;
}

int
ht_reader_next_event(ht_reader *r, struct ht_event *ev,
    struct ht_record *rec)
{
	struct stream *tags = &r->s[HT_STREAM_TAGS];
	uint64_t v, n, i, id;
	unsigned tag;
	int ret, k;

	if (r->error)
		return -1;
	while (tags->p == tags->end) {
		for (k = 0; k < HT_STREAMS && r->frame_len > 0; k++) {
			if (r->s[k].p != r->s[k].end) {
				reader_set_error(r, "corrupt frame at offset "
				    "%llu: stream %d has %zu bytes left over",
				    (unsigned long long)r->frame_off, k,
				    (size_t)(r->s[k].end - r->s[k].p));
				return -1;
			}
		}
		ret = reader_next_frame(r);
		if (ret <= 0)
			return ret;
	}
	tag = *tags->p++;
	if (!r->saw_header && tag != HT_TAG_HEADER) {
		reader_set_error(r, "corrupt trace: first record is not a "
		    "header (frame at offset %llu)",
		    (unsigned long long)r->frame_off);
		return -1;
	}

	/* Allocations and frees, nearly all records, as a struct ht_event. */
	if (ht_tag_is_alloc(tag) || ht_tag_is_free(tag)) {
		int alloc = ht_tag_is_alloc(tag);

		ev->tag = alloc ? HT_TAG_ALLOC : HT_TAG_FREE;
		ev->fn = (uint8_t)(tag - ev->tag);
		ev->flags = ev->alloc_fn = 0;
		ev->alloc_ts = 0;
		ev->thread = r->thread;
		ev->chunk = r->chunk;
		ev->size = 0;
		id = 0;
		if (alloc)
			GET(HT_STREAM_SIZES, ev->size);
		if (reader_event_time(r, &ev->ts) != 0)
			goto bad;
		if (alloc ? reader_event_addr(r, r->frees, r->allocs, ev->size,
		    &ev->ptr) : reader_event_addr(r, r->allocs, r->frees,
		    UINT64_MAX, &ev->ptr))
			goto bad;
		if (alloc)
			GET(HT_STREAM_STACKS, id);
		ev->id = (uint32_t)id;
		if (id > UINT32_MAX) {
			/* Damage the consumers judge: keep it whole. */
			ht_record_of_event(rec, ev);
			rec->id = id;
			rec->offset = r->frame_off;
			ev->tag = HT_EVENT_RECORD;
		}
		return 1;
	}

	/* Any other record. */
	ev->tag = HT_EVENT_RECORD;
	ht_record_clear_event(rec);
	rec->offset = r->frame_off;
	rec->tag = tag;
	if (ht_tag_is_map(tag) || ht_tag_is_unmap(tag)) {
		rec->tag = ht_tag_is_map(tag) ? HT_TAG_MAP : HT_TAG_UNMAP;
		rec->fn = tag - rec->tag;
		if (reader_record_time(r, rec) != 0)
			goto bad;
		GET(HT_STREAM_OTHER, rec->ptr);
		GET(HT_STREAM_SIZES, rec->size);
		if (rec->tag == HT_TAG_MAP)
			GET(HT_STREAM_STACKS, rec->id);
		if (rec->ptr == 0)
			goto bad;
		return 1;
	}

	memset(&rec->frames, 0, sizeof *rec - offsetof(struct ht_record,
	    frames));
	switch (tag) {
	case HT_TAG_HEADER: {
		struct ht_header *h = &r->header;

		if (r->saw_header)
			goto bad;
		GET(HT_STREAM_OTHER, h->pid);
		GET(HT_STREAM_OTHER, h->ppid);
		GET(HT_STREAM_OTHER, h->page_size);
		GET(HT_STREAM_OTHER, h->realtime_ns);
		GET(HT_STREAM_OTHER, h->time_unit_ns);
		if (h->time_unit_ns == 0 || h->time_unit_ns > 1000000000)
			goto bad;
		r->unit_ns = h->time_unit_ns;
		GET(HT_STREAM_OTHER, v);
		if (v == 0 || v > HT_DEPTH_MAX)
			goto bad;
		h->depth = (uint32_t)v;
		GET_STRING(h->exe, h->exe_len);
		GET_STRING(h->argv, h->argv_len);
		rec->header = h;
		r->saw_header = 1;
		break;
	}
	case HT_TAG_MODULE_LOAD: {
		const char *b;

		GET(HT_STREAM_OTHER, rec->id);
		GET_TIME(rec->ts);
		GET_STRING(rec->str, rec->str_len);
		GET(HT_STREAM_OTHER, rec->base);
		GET(HT_STREAM_OTHER, n);
		if (n > HT_SEGMENTS_MAX)
			goto bad;
		for (i = 0; i < n; i++) {
			GET(HT_STREAM_OTHER, r->segs[i].vaddr);
			GET(HT_STREAM_OTHER, r->segs[i].memsz);
			GET(HT_STREAM_OTHER, v);
			r->segs[i].flags = (uint32_t)v;
		}
		rec->segs = r->segs;
		rec->nsegs = (unsigned)n;
		GET_STRING(b, rec->build_id_len);
		if (rec->build_id_len > HT_BUILD_ID_MAX)
			goto bad;
		rec->build_id = (const uint8_t *)b;
		break;
	}
	case HT_TAG_MODULE_UNLOAD:
		GET(HT_STREAM_OTHER, rec->id);
		GET_TIME(rec->ts);
		break;
	case HT_TAG_STACK:
		GET(HT_STREAM_OTHER, rec->id);
		GET(HT_STREAM_OTHER, n);
		if (n > HT_DEPTH_MAX)
			goto bad;
		v = 0;
		for (i = 0; i < n; i++) {
			uint64_t d;

			GET(HT_STREAM_OTHER, d);
			v += (uint64_t)ht_unzigzag(d);
			r->frames[i] = v;
		}
		rec->frames = r->frames;
		rec->nframes = (uint32_t)n;
		break;
	case HT_TAG_CHUNK:
		GET(HT_STREAM_OTHER, v);
		if (v > UINT32_MAX)
			goto bad;
		r->thread = (uint32_t)v;
		r->chunk++;
		r->in_chunk = 1;
		r->last_tick = 0;
		r->zero_deltas = 0;
		if (r->header.version < 4 || r->frame_thread != r->thread) {
			r->last_addr = 0;
			ht_window_reset(r->allocs);
			ht_window_reset(r->frees);
		}
		r->frame_thread = r->thread;
		rec->thread = r->thread;
		break;
	case HT_TAG_SYNC:
		GET_TIME(rec->ts);
		break;
	case HT_TAG_RSS:
		GET_TIME(rec->ts);
		GET(HT_STREAM_OTHER, rec->size);
		break;
	case HT_TAG_END:
		GET_TIME(rec->ts);
		GET(HT_STREAM_OTHER, rec->id);
		GET(HT_STREAM_OTHER, rec->allocs);
		GET(HT_STREAM_OTHER, rec->frees);
		GET(HT_STREAM_OTHER, rec->count);
		r->saw_end = 1;
		break;
	case HT_TAG_DROPPED:
		GET(HT_STREAM_OTHER, rec->id);
		break;
	case HT_TAG_THREAD_START:
		if (reader_record_time(r, rec) != 0)
			goto bad;
		GET(HT_STREAM_OTHER, rec->id);
		break;
	case HT_TAG_THREAD_NAME:
	case HT_TAG_MARK:
		if (reader_record_time(r, rec) != 0)
			goto bad;
		GET_STRING(rec->str, rec->str_len);
		break;
	case HT_TAG_THREAD_END:
		if (reader_record_time(r, rec) != 0)
			goto bad;
		break;
	default:
		reader_set_error(r, "corrupt record in frame at offset %llu: "
		    "unknown tag 0x%02x", (unsigned long long)r->frame_off,
		    tag);
		return -1;
	}
	return 1;
bad:
	reader_set_error(r, "corrupt record in frame at offset %llu "
	    "(tag 0x%02x)", (unsigned long long)r->frame_off, tag);
	return -1;
}

/*
 * The frames are found by reading the file in windows of SEEK_WINDOW
 * bytes (more for a bigger frame), not by mapping it whole: touching the
 * pages of a mapped trace counts them in the analyzer's RSS, as much as
 * the trace's size.
 */
#define SEEK_WINDOW (4u << 20)

int
ht_reader_seek_last_frame(ht_reader *r)
{
	size_t cap = SEEK_WINDOW, len, used;
	uint64_t off = HT_PREFIX_LEN, last = 0;
	int found = 0, cut;
	uint8_t *buf;

	if (!r->saw_header || r->file_size <= HT_PREFIX_LEN)
		return -1;
	buf = xmalloc(cap);
	while (off < r->file_size) {
		ssize_t n;

		len = r->file_size - off < cap ? (size_t)(r->file_size -
		    off) : cap;
		n = pread(r->fd, buf, len, (off_t)off);
		if (n <= 0)
			break;
		len = (size_t)n;
		/* Every frame that ends in the window. */
		for (used = 0, cut = 0; used < len;) {
			size_t f = ZSTD_findFrameCompressedSize(buf + used,
			    len - used);

			if (ZSTD_isError(f)) {
				cut = ZSTD_getErrorCode(f) ==
				    ZSTD_error_srcSize_wrong;
				break;
			}
			last = off + used;
			found = 1;
			used += f;
		}
		if (used > 0 && (cut || used == len)) {
			off += used;
		} else if (cut && len == cap && off + len < r->file_size) {
			cap *= 2;	/* a frame bigger than the window */
			buf = xrealloc(buf, cap);
		} else {
			break;	/* damage, or the last frame cut short */
		}
	}
	free(buf);
	if (!found)
		return -1;
	r->in_file_off = last;
	r->in_pos = r->in_len = 0;
	r->in_eof = 0;
	r->frame_len = 0;
	memset(r->s, 0, sizeof r->s);
	return 0;
}

static int
totals_by_counting(const char *path, struct ht_totals *t, char **cause)
{
	struct ht_record rec;
	ht_reader *r = ht_reader_open(path, cause);

	if (r == NULL)
		return -1;
	memset(t, 0, sizeof *t);
	while (ht_reader_next(r, &rec) > 0) {
		switch (rec.tag) {
		case HT_TAG_ALLOC:
			t->allocations++;
			t->events++;
			break;
		case HT_TAG_FREE:
			t->frees++;
			t->events++;
			break;
		case HT_TAG_DROPPED:
			t->dropped += rec.id;
			break;
		case HT_TAG_END:
			/* Events after END: threads that outlived exit(). */
			t->complete = 1;
			t->dropped += rec.count;
			break;
		default:
			break;
		}
		if (rec.ts > t->duration_ns)
			t->duration_ns = rec.ts;
	}
	ht_reader_close(r);
	return 0;
}

int
ht_trace_totals(const char *path, struct ht_totals *t, char **cause)
{
	struct ht_record rec;
	ht_reader *r = ht_reader_open(path, cause);
	int ret;

	if (r == NULL)
		return -1;
	memset(t, 0, sizeof *t);
	ret = ht_reader_next(r, &rec);
	if (ret > 0 && ht_reader_seek_last_frame(r) == 0) {
		while (ht_reader_next(r, &rec) > 0) {
			if (rec.tag != HT_TAG_END)
				continue;
			t->events = rec.id;
			t->allocations = rec.allocs;
			t->frees = rec.frees;
			t->dropped = rec.count;
			t->duration_ns = rec.ts;
			t->complete = 1;
		}
	}
	ht_reader_close(r);
	if (t->complete)
		return 0;
	return totals_by_counting(path, t, cause);
}
