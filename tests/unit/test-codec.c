/*
 * test-codec.c - the recorder's frame encoder against the reader.
 *
 * Builds raw thread buffers the way recorder/thread-buffer.c does, runs
 * them through recorder/frame-encoder.c (linked in, with rec_map from
 * here), writes the frames as a trace and reads it back with the reader:
 * every address, size, stack and time must come back as written.  The
 * workloads stress the address windows: one address reused forever, a
 * ring of live blocks, random churn, more than a window's positions,
 * addresses that collide in the encoder's cache, wide deltas, chunks of
 * threads in turn; and a full window keeping its live entries.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zstd.h>

#include "../../format/addr-window.h"
#include "../../reader/trace-reader.h"
#include "../../recorder/recorder.h"
#include "test.h"

/* What frame-encoder.c needs from the rest of the recorder. */
void *
rec_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#define EVENTS 200000

struct ev {
	int alloc;
	uint64_t addr, size, stack, ts;
};

static struct ev evs[EVENTS];
static uint8_t raw[THREAD_BUF_SIZE];
static uint8_t frame[HT_FRAME_MAX];
static char path[4096];

static FILE *
trace_begin(void)
{
	uint8_t prefix[HT_PREFIX_LEN] = { 0 }, hdr[256], *p = hdr;
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	/* In $TMPDIR: the test runner's, for this test. */
	snprintf(path, sizeof path, "%s/heaptrail-codec-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	f = fdopen(fd, "wb");

	memcpy(prefix, HT_MAGIC, HT_MAGIC_LEN);
	prefix[8] = HT_FORMAT_VERSION;
	fwrite(prefix, 1, sizeof prefix, f);
	*p++ = HT_TAG_HEADER;
	p = ht_put_varint(p, 1);
	p = ht_put_varint(p, 1);
	p = ht_put_varint(p, 4096);
	p = ht_put_varint(p, 0);
	p = ht_put_varint(p, 1000);
	p = ht_put_varint(p, 64);
	p = ht_put_bytes(p, "x", 1);
	p = ht_put_bytes(p, "", 0);
	frame_add_defs(hdr, (size_t)(p - hdr));
	return f;
}

static size_t last_frame_bytes;	/* compressed, of the last frame written */

/*
 * Writes the staged frame as the writer does from format version 4: with
 * the frame before as zstd's prefix (trace-format.h, HT_WINDOW_LOG), so
 * the reader must decode each frame with the one before it.
 */
static void
trace_frame(FILE *f)
{
	static uint8_t out[HT_FRAME_MAX + 65536], prev[HT_FRAME_MAX];
	static size_t prev_len;
	static ZSTD_CCtx *cctx;
	size_t len = frame_take(frame), n;

	if (cctx == NULL) {
		cctx = ZSTD_createCCtx();
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, HT_WINDOW_LOG);
	}
	if (ftell(f) == HT_PREFIX_LEN)
		prev_len = 0;		/* a new trace */
	if (prev_len > 0)
		ZSTD_CCtx_refPrefix(cctx, prev, prev_len);
	n = ZSTD_compress2(cctx, out, sizeof out, frame, len);
	assert_true(!ZSTD_isError(n));
	fwrite(out, 1, n, f);
	last_frame_bytes = n;
	memcpy(prev, frame, len);
	prev_len = len;
}

/*
 * Encodes evs[0, n) as raw chunks, frames, then reads back.  The chunks
 * take turns among THREADS threads (from format version 4 a thread's
 * windows go on over its chunks that follow each other in a frame).
 */
static void
roundtrip_threads(size_t n, uint32_t threads)
{
	struct ht_record rec;
	uint64_t last_ts = 0, last_ptr = 0;
	size_t i, len = 0, got = 0, chunks = 0;
	ht_reader *r;
	FILE *f = trace_begin();

	trace_frame(f);
	for (i = 0; i < n; i++) {
		uint8_t *p = raw + len;
		struct ev *e = &evs[i];

		*p++ = (uint8_t)(e->alloc ? HT_TAG_ALLOC : HT_TAG_FREE);
		p = ht_put_varint(p, e->ts - last_ts);
		p = ht_put_svarint(p, (int64_t)(e->addr - last_ptr));
		last_ts = e->ts;
		last_ptr = e->addr;
		if (e->alloc) {
			p = ht_put_varint(p, e->size);
			p = ht_put_varint(p, e->stack);
		}
		len = (size_t)(p - raw);
		if (len + EVENT_MAX > sizeof raw || i == n - 1) {
			if (!frame_fits(len))
				trace_frame(f);
			frame_add_chunk(1 + (uint32_t)(chunks++ % threads), raw,
			    len);
			len = 0;
			last_ts = last_ptr = 0;
		}
	}
	trace_frame(f);
	fclose(f);

	r = ht_reader_open(path, NULL);
	assert_true(r != NULL);
	while (ht_reader_next(r, &rec) == 1) {
		struct ev *e;

		if (rec.tag != HT_TAG_ALLOC && rec.tag != HT_TAG_FREE)
			continue;
		assert_true(got < n);
		e = &evs[got++];
		if (rec.ptr != e->addr || (rec.tag == HT_TAG_ALLOC) !=
		    e->alloc || rec.ts != e->ts * 1000 ||
		    (e->alloc && (rec.size != e->size ||
		    rec.id != e->stack))) {
			test_fail_at("event %zu: got %s 0x%llx, wrote %s 0x%llx",
			    got - 1, rec.tag == HT_TAG_ALLOC ? "alloc" : "free",
			    (unsigned long long)rec.ptr,
			    e->alloc ? "alloc" : "free",
			    (unsigned long long)e->addr);
			break;
		}
	}
	expect_true(ht_reader_error(r) == NULL);
	if (ht_reader_error(r))
		fprintf(stderr, "  %s\n", ht_reader_error(r));
	expect_u64_eq(got, n);
	ht_reader_close(r);
	unlink(path);
}

static void
roundtrip(size_t n)
{
	roundtrip_threads(n, 1);
}

static uint64_t seed = 88172645463325252ull;

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* Alloc/free pairs of one address, as a tight malloc/free loop makes. */
static void
test_same_address(void)
{
	size_t i;

	for (i = 0; i < EVENTS; i++) {
		evs[i].alloc = !(i & 1);
		evs[i].addr = 0x7f7fd4000b70;
		evs[i].size = 24;
		evs[i].stack = 4;
		evs[i].ts = i / 7;
	}
	roundtrip(EVENTS);
}

/* A ring of live blocks with random replacement and random sizes. */
static void
test_ring(void)
{
	uint64_t live[64] = { 0 }, next = 0x555555559000;
	size_t i = 0;

	while (i + 2 <= EVENTS) {
		uint64_t r = rnd();
		unsigned slot = (unsigned)(r % 64);

		if (live[slot]) {
			evs[i].alloc = 0;
			evs[i].addr = live[slot];
			evs[i].ts = i;
			i++;
		}
		/* Often reuse a just-freed address, as tcache does. */
		live[slot] = (r >> 8) % 3 == 0 || !live[slot] ?
		    (next += 16 * (1 + (r >> 16) % 40)) : live[slot];
		evs[i].alloc = 1;
		evs[i].addr = live[slot];
		evs[i].size = 16 + (r >> 24) % 512;
		evs[i].stack = 1 + (r >> 40) % 50;
		evs[i].ts = i;
		i++;
	}
	roundtrip(i);
}

/*
 * An allocator with a LIFO free list per size class (as tcache): blocks
 * freed at random come back to allocations of their class, newest first,
 * and freed blocks of other classes sit in between; times advance by 0
 * most of the time, in runs (version 3's class-newest code and runs of
 * zero deltas).
 */
static void
test_size_classes(void)
{
	static uint64_t freed[8][256];
	uint64_t live[128] = { 0 }, live_size[128] = { 0 };
	uint64_t next = 0x7f0000001000, ts = 1;
	unsigned nfreed[8] = { 0 };
	size_t i = 0;

	while (i + 2 <= EVENTS) {
		uint64_t r = rnd();
		unsigned slot = (unsigned)(r % 128), cls;
		uint64_t size = 16 * (1 + (r >> 8) % 8) - (r >> 12) % 9;

		ts += (r >> 20) % 5 == 0;
		if (live[slot]) {
			cls = ht_size_class(live_size[slot]) % 8;
			if (nfreed[cls] < 256)
				freed[cls][nfreed[cls]++] = live[slot];
			evs[i].alloc = 0;
			evs[i].addr = live[slot];
			evs[i].ts = ts;
			i++;
		}
		cls = ht_size_class(size) % 8;
		live[slot] = nfreed[cls] > 0 && (r >> 24) % 8 != 0 ?
		    freed[cls][--nfreed[cls]] : (next += 256);
		live_size[slot] = size;
		evs[i].alloc = 1;
		evs[i].addr = live[slot];
		evs[i].size = size;
		evs[i].stack = 1 + (r >> 40) % 50;
		evs[i].ts = ts;
		i++;
	}
	roundtrip(i);
}

/* Addresses that collide in the encoder's direct-mapped cache. */
static void
test_collisions(void)
{
	size_t i = 0;
	uint64_t a[8];
	int k;

	for (k = 0; k < 8; k++)
		a[k] = 0x600000000000ull + ((uint64_t)k << 54 >> 10) * 16;
	while (i + 16 <= EVENTS) {
		for (k = 0; k < 8; k++) {
			evs[i].alloc = 1;
			evs[i].addr = a[(k * 3 + i / 16) % 8] + (uint64_t)k * 64;
			evs[i].size = 8;
			evs[i].stack = 1;
			evs[i].ts = i;
			i++;
		}
		for (k = 7; k >= 0; k--) {
			evs[i] = evs[i - 8 + (7 - k) * 0 + (size_t)k - k];
			evs[i].alloc = 0;
			evs[i].addr = evs[i - 1 - 2 * (7 - k)].addr;
			evs[i].ts = i;
			i++;
		}
	}
	roundtrip(i);
}

/* Mostly allocations: the window fills past its positions. */
static void
test_window_overflow(void)
{
	size_t i;

	for (i = 0; i < EVENTS; i++) {
		evs[i].alloc = i < 10 || (i % 10) != 0;
		evs[i].addr = evs[i].alloc ? 0x1000 + i * 32 :
		    0x1000 + (i - 1 - rnd() % 5000 % i) * 32;
		evs[i].size = 32;
		evs[i].stack = 2;
		evs[i].ts = i;
	}
	roundtrip(EVENTS);
}

/* The same with the chunks of three threads in turn. */
static void
test_threads_in_turn(void)
{
	size_t i;

	for (i = 0; i < EVENTS; i++) {
		evs[i].alloc = i < 10 || (i % 3) != 0;
		evs[i].addr = evs[i].alloc ? 0x1000 + (rnd() % 20000) * 32 :
		    evs[i - 1 - rnd() % 3000 % i].addr;
		evs[i].size = 16 + rnd() % 200;
		evs[i].stack = 2;
		evs[i].ts = i;
	}
	roundtrip_threads(EVENTS, 3);
}

/*
 * A full window (format version 4) starts over with its newest live
 * entries: long-lived ones pushed first are still found after thousands
 * of pushes, in their order and by class; with keep = 0 (versions 1-3)
 * it starts empty.
 */
static void
test_window_keep(void)
{
	static struct ht_window w;
	uint32_t i, pos;

	w.keep = HT_WINDOW_KEEP;
	w.cap = HT_WINDOW_POSITIONS;
	ht_window_reset(&w);
	for (i = 0; i < 10; i++)
		ht_window_push(&w, 0x100000 + i * 64, 3);
	for (i = 0; i < 3 * HT_WINDOW_POSITIONS; i++) {
		ht_window_push(&w, 0x900000 + i * 16, 5);
		ht_window_pop(&w, w.n);
	}
	expect_u64_eq(w.restarts, 3);
	expect_u64_eq(w.nlive, 10);
	pos = ht_window_select(&w, 0);
	expect_true(pos != 0 && w.addr[pos] == 0x100000 + 9 * 64);
	pos = ht_window_select(&w, 9);
	expect_true(pos != 0 && w.addr[pos] == 0x100000);
	pos = ht_window_newest(&w, 3);
	expect_true(pos != 0 && w.addr[pos] == 0x100000 + 9 * 64);
	expect_u64_eq(ht_window_newest(&w, 5), 0);

	/* More live entries than it keeps: the newest HT_WINDOW_KEEP. */
	ht_window_reset(&w);
	for (i = 0; i < HT_WINDOW_POSITIONS + 1; i++)
		ht_window_push(&w, 0x100000 + i * 64, 3);
	expect_u64_eq(w.nlive, HT_WINDOW_KEEP + 1);
	pos = ht_window_select(&w, HT_WINDOW_KEEP);
	expect_true(pos != 0 && w.addr[pos] ==
	    0x100000 + (uint64_t)(HT_WINDOW_POSITIONS - HT_WINDOW_KEEP) * 64);

	w.keep = 0;
	w.cap = HT_WINDOW_POSITIONS_V3;
	ht_window_reset(&w);
	for (i = 0; i < HT_WINDOW_POSITIONS_V3 + 1; i++)
		ht_window_push(&w, 0x100000 + i * 64, 3);
	expect_u64_eq(w.nlive, 1);
}

/*
 * Two frames of the same 20000 random events: the second is made of
 * references into the first (its prefix), which the reader must supply.
 */
static void
test_frames_chained(void)
{
	struct ht_record rec;
	size_t i, k, len, got = 0, first;
	ht_reader *r;
	FILE *f = trace_begin();

	trace_frame(f);
	for (i = 0; i < 20000; i++) {
		evs[i].addr = 0x10000 + (rnd() % 100000) * 16;
		evs[i].ts = i;
	}
	for (k = 0; k < 2; k++) {
		uint64_t last_ts = 0, last_ptr = 0;

		for (i = 0; i < 20000; i += 2000) {
			size_t j;
			uint8_t *p = raw;

			for (j = i; j < i + 2000; j++) {
				*p++ = HT_TAG_ALLOC;
				p = ht_put_varint(p, evs[j].ts - last_ts);
				p = ht_put_svarint(p,
				    (int64_t)(evs[j].addr - last_ptr));
				p = ht_put_varint(p, 16 + evs[j].addr % 512);
				p = ht_put_varint(p, 1 + evs[j].addr % 7);
				last_ts = evs[j].ts;
				last_ptr = evs[j].addr;
			}
			len = (size_t)(p - raw);
			frame_add_chunk(1, raw, len);
			last_ts = last_ptr = 0;
		}
		first = last_frame_bytes;
		trace_frame(f);
	}
	fclose(f);
	/* The second frame is tiny: the first one's bytes again. */
	expect_true(first > 0 && last_frame_bytes * 20 < first);
	r = ht_reader_open(path, NULL);
	assert_true(r != NULL);
	while (ht_reader_next(r, &rec) == 1)
		if (rec.tag == HT_TAG_ALLOC) {
			if (rec.ptr != evs[got % 20000].addr) {
				test_fail_at("event %zu: got 0x%llx", got,
				    (unsigned long long)rec.ptr);
				break;
			}
			got++;
		}
	expect_true(ht_reader_error(r) == NULL);
	expect_u64_eq(got, 40000);
	ht_reader_close(r);
	unlink(path);
}

/*
 * rank and select (addr-window.h counts by words and groups of words)
 * against counting bit by bit, over random pushes and pops through
 * several restarts.
 */
static void
test_window_rank_select(void)
{
	static struct ht_window w;
	uint32_t i, checked = 0;

	w.keep = HT_WINDOW_KEEP;
	w.cap = HT_WINDOW_POSITIONS;
	ht_window_reset(&w);
	for (i = 0; i < 60000 && test_failures == 0; i++) {
		uint32_t pos, p, after = 0;

		if (w.nlive > 0 && rnd() % 3 == 0) {
			pos = ht_window_select(&w, rnd() % w.nlive);
			assert_true(pos != 0 && ht_window_is_live(&w, pos));
			ht_window_pop(&w, pos);
		} else {
			ht_window_push(&w, 0x1000 + i * 16, 1 + rnd() % 4);
		}
		if (i % 7 != 0 || w.nlive == 0)
			continue;
		pos = ht_window_select(&w, rnd() % w.nlive);
		assert_true(pos != 0);
		for (p = pos + 1; p <= w.n; p++)
			after += ht_window_is_live(&w, p);
		expect_u64_eq(ht_window_rank(&w, pos), after);
		expect_u64_eq(ht_window_select(&w, after), pos);
		checked++;
	}
	expect_true(w.restarts >= 2);
	expect_true(checked > 5000);
}

/* Far-apart addresses (tagged pointers, low addresses). */
static void
test_wide(void)
{
	static const uint64_t a[] = { 0x10, 0xc000000000001000ull,
	    0xffffffffff000000ull, 0x7fffffffff000000ull, 0x20,
	    0x8000000000000000ull };
	size_t i;

	for (i = 0; i < 6000; i++) {
		evs[i].alloc = 1;
		evs[i].addr = a[i % 6] + (i / 6) * 16;
		evs[i].size = 1;
		evs[i].stack = 1;
		evs[i].ts = i;
	}
	roundtrip(6000);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "codec: one address reused", test_same_address },
		{ "codec: ring of live blocks", test_ring },
		{ "codec: size classes reused newest first", test_size_classes },
		{ "codec: encoder cache collisions", test_collisions },
		{ "codec: window overflow", test_window_overflow },
		{ "codec: wide address deltas", test_wide },
		{ "codec: chunks of three threads in turn", test_threads_in_turn },
		{ "codec: a full window keeps its newest live entries",
		    test_window_keep },
		{ "codec: a frame refers back into the one before",
		    test_frames_chained },
		{ "codec: window rank and select against counting bits",
		    test_window_rank_select },
		{ NULL, NULL },
	};

	if (frame_encoder_init() != 0)
		return 1;
	return test_run(tests);
}
