/*
 * test-trace.c - unit tests of the trace format: varints, a round trip
 * through an independent writer, truncation at every byte, corrupt and
 * foreign input, time ordering across threads, the live-block map, and
 * the analyzer's handling of damaged ids.
 *
 * The writer here is written from man/heaptrail.5, not from recorder/,
 * so a round trip also checks that the document and the reader agree.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include <zstd.h>

#include "../../analyzer/analyzer.h"
#include "../../util/ptr-map.h"
#include "../../reader/trace-reader.h"
#include "../../util/xmalloc.h"
#include "test.h"

/* --- a tiny trace writer ---------------------------------------------------- */

struct tw {
	FILE *f;
	uint8_t st[HT_STREAMS][1 << 14];	/* the frame's streams */
	size_t len[HT_STREAMS];
	uint32_t version;
	uint64_t last_ts, last_ptr;
	uint64_t allocs[64], nallocs;	/* live allocated addresses, in order */
	size_t frame_ends[64];	/* file size after each frame */
	int nframes;
	int records_in_frames[64];	/* records completed per frame */
	int records;
};

static char tmp_path[4096];

/* A new mkstemp template in $TMPDIR (the test runner's, for this test). */
static void
tmp_reset(void)
{
	const char *dir = getenv("TMPDIR");

	snprintf(tmp_path, sizeof tmp_path, "%s/heaptrail-test-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
}

static void
tw_open(struct tw *w, uint32_t version)
{
	uint8_t prefix[16] = { 0 };
	int fd;

	tmp_reset();
	fd = mkstemp(tmp_path);
	memset(w, 0, sizeof *w);
	w->version = version;
	w->f = fdopen(fd, "wb");
	memcpy(prefix, HT_MAGIC, HT_MAGIC_LEN);
	prefix[8] = (uint8_t)version;
	fwrite(prefix, 1, sizeof prefix, w->f);
}

static void
tw_frame(struct tw *w)
{
	static uint8_t raw[1 << 17], out[1 << 17];
	uint8_t *p = raw;
	size_t n;
	int i;

	p = ht_put_varint(p, HT_STREAMS);
	for (i = 0; i < HT_STREAMS; i++)
		p = ht_put_varint(p, w->len[i]);
	for (i = 0; i < HT_STREAMS; i++) {
		memcpy(p, w->st[i], w->len[i]);
		p += w->len[i];
		w->len[i] = 0;
	}
	n = ZSTD_compress(out, sizeof out, raw, (size_t)(p - raw), 3);
	fwrite(out, 1, n, w->f);
	fflush(w->f);
	w->frame_ends[w->nframes] = (size_t)ftell(w->f);
	w->records_in_frames[w->nframes] = w->records;
	w->nframes++;
	w->last_ts = w->last_ptr = w->nallocs = 0;
}

static void
tw_close(struct tw *w)
{
	if (w->len[HT_STREAM_TAGS])
		tw_frame(w);
	fclose(w->f);
}

static void
tw_v(struct tw *w, int stream, uint64_t v)
{
	uint8_t *end = ht_put_varint(w->st[stream] + w->len[stream], v);

	w->len[stream] = (size_t)(end - w->st[stream]);
}

static void
tw_str(struct tw *w, const char *s, size_t n)
{
	tw_v(w, HT_STREAM_OTHER, n);
	memcpy(w->st[HT_STREAM_OTHER] + w->len[HT_STREAM_OTHER], s, n);
	w->len[HT_STREAM_OTHER] += n;
}

static void
tw_tag(struct tw *w, unsigned tag)
{
	w->st[HT_STREAM_TAGS][w->len[HT_STREAM_TAGS]++] = (uint8_t)tag;
	w->records++;
}

static void
tw_header(struct tw *w)
{
	tw_tag(w, HT_TAG_HEADER);
	tw_v(w, HT_STREAM_OTHER, 4242);
	tw_v(w, HT_STREAM_OTHER, 1);
	tw_v(w, HT_STREAM_OTHER, 4096);
	tw_v(w, HT_STREAM_OTHER, 1700000000000000000ull);
	tw_v(w, HT_STREAM_OTHER, 1);		/* time unit: 1 ns */
	tw_v(w, HT_STREAM_OTHER, 64);
	tw_str(w, "/bin/prog", 9);
	tw_str(w, "prog\0-x\0", 8);
}

static void
tw_chunk(struct tw *w, uint32_t thread)
{
	tw_tag(w, HT_TAG_CHUNK);
	tw_v(w, HT_STREAM_OTHER, thread);
	w->last_ts = w->last_ptr = w->nallocs = 0;
}

static void
tw_event(struct tw *w, unsigned tag, uint64_t ts)
{
	tw_tag(w, tag);
	tw_v(w, HT_STREAM_TIMES, ts - w->last_ts);
	if (w->version >= 3)
		tw_v(w, HT_STREAM_TIMES, 0);	/* no run of zero deltas */
	w->last_ts = ts;
}

/* Delta-coded address (code 2z+1). */
static void
tw_addr(struct tw *w, uint64_t ptr)
{
	tw_v(w, HT_STREAM_ADDRS, ht_zigzag((int64_t)(ptr - w->last_ptr)) * 2 + 1);
	w->last_ptr = ptr;
}

static void
tw_alloc(struct tw *w, uint64_t ts, uint64_t ptr, uint64_t size,
    uint64_t stack)
{
	tw_event(w, HT_TAG_ALLOC + HT_ALLOC_MALLOC, ts);
	tw_addr(w, ptr);
	w->allocs[w->nallocs++] = ptr;
	tw_v(w, HT_STREAM_SIZES, size);
	tw_v(w, HT_STREAM_STACKS, stack);
}

/*
 * A free coded as a back-reference into the allocation window: k = how
 * many live allocations of the chunk came after it.  (The test writer
 * keeps no free window, so its allocations never refer back.)
 */
static void
tw_free(struct tw *w, uint64_t ts, uint64_t ptr)
{
	uint64_t i;

	tw_event(w, HT_TAG_FREE + HT_FREE_FREE, ts);
	for (i = w->nallocs; i-- > 0;) {
		if (w->allocs[i] == ptr) {
			tw_v(w, HT_STREAM_ADDRS, (w->nallocs - 1 - i) * 2);
			memmove(w->allocs + i, w->allocs + i + 1,
			    (w->nallocs - 1 - i) * sizeof *w->allocs);
			w->nallocs--;
			w->last_ptr = ptr;
			return;
		}
	}
	tw_addr(w, ptr);
}

static void
tw_simple(struct tw *w, unsigned tag, uint64_t a, uint64_t b)
{
	tw_tag(w, tag);
	tw_v(w, HT_STREAM_OTHER, a);
	if (tag == HT_TAG_RSS)
		tw_v(w, HT_STREAM_OTHER, b);
}

/* Frame boundaries of the sample: file size and records after each. */
static size_t sample_frame_end[8];
static int sample_records[8];
static int sample_frames;

/* Two threads, a stack, a module, a sync; three frames. */
static void
write_sample(void)
{
	static const uint64_t frames[] = { 0x401000, 0x400f00, 0x7f0000001234 };
	struct tw w;
	int i;

	tw_open(&w, HT_FORMAT_VERSION);
	tw_header(&w);
	tw_frame(&w);

	tw_tag(&w, HT_TAG_MODULE_LOAD);
	tw_v(&w, HT_STREAM_OTHER, 1);
	tw_v(&w, HT_STREAM_OTHER, 5);
	tw_str(&w, "/bin/prog", 9);
	tw_v(&w, HT_STREAM_OTHER, 0x400000);
	tw_v(&w, HT_STREAM_OTHER, 1);
	tw_v(&w, HT_STREAM_OTHER, 0x1000);
	tw_v(&w, HT_STREAM_OTHER, 0x2000);
	tw_v(&w, HT_STREAM_OTHER, 5);
	tw_str(&w, "\xab\xcd", 2);

	tw_tag(&w, HT_TAG_STACK);
	tw_v(&w, HT_STREAM_OTHER, 1);
	tw_v(&w, HT_STREAM_OTHER, 3);
	for (i = 0; i < 3; i++)
		tw_v(&w, HT_STREAM_OTHER, ht_zigzag((int64_t)(frames[i] -
		    (i ? frames[i - 1] : 0))));

	tw_chunk(&w, 1);
	tw_alloc(&w, 10, 0x1000, 32, 1);
	tw_alloc(&w, 30, 0x2000, 64, 1);
	tw_free(&w, 31, 0x2000);	/* a window back-reference (k = 0) */
	tw_alloc(&w, 32, 0x2000, 8, 1);
	tw_frame(&w);

	tw_chunk(&w, 2);
	tw_free(&w, 20, 0x1000);	/* freed by thread 2, before ts 30 */
	tw_alloc(&w, 40, 0x1000, 16, 1);	/* address reused */
	tw_simple(&w, HT_TAG_SYNC, 35, 0);
	tw_simple(&w, HT_TAG_RSS, 36, 1 << 20);
	tw_tag(&w, HT_TAG_END);
	tw_v(&w, HT_STREAM_OTHER, 50);
	tw_v(&w, HT_STREAM_OTHER, 6);
	tw_v(&w, HT_STREAM_OTHER, 5);
	tw_v(&w, HT_STREAM_OTHER, 2);
	tw_v(&w, HT_STREAM_OTHER, 0);
	tw_close(&w);
	sample_frames = w.nframes;
	for (i = 0; i < w.nframes; i++) {
		sample_frame_end[i] = w.frame_ends[i];
		sample_records[i] = w.records_in_frames[i];
	}
}

/* --- tests ---------------------------------------------------------------------- */

/*
 * A trace whose ids are out of all proportion (a damaged file): a stack
 * never defined, or STACK_ID defined, in thread THREAD.
 */
static void
write_odd_ids(uint64_t stack_id, uint32_t thread)
{
	struct tw w;

	tw_open(&w, HT_FORMAT_VERSION);
	tw_header(&w);
	tw_frame(&w);
	if (stack_id != 0) {
		tw_tag(&w, HT_TAG_STACK);
		tw_v(&w, HT_STREAM_OTHER, stack_id);
		tw_v(&w, HT_STREAM_OTHER, 1);
		tw_v(&w, HT_STREAM_OTHER, ht_zigzag(0x401000));
	}
	tw_chunk(&w, thread);
	tw_alloc(&w, 10, 0x1000, 32, 4000000000u);	/* never defined */
	tw_simple(&w, HT_TAG_SYNC, 20, 0);
	tw_close(&w);
}

/* Analyzes tmp_path; returns load_trace's result, *cause if any. */
static int
analyze_tmp(char **cause)
{
	struct load_options opt = { 0 };
	char *db = xasprintf("%s.db", tmp_path);
	int ret;

	opt.trace = tmp_path;
	opt.db = db;
	*cause = NULL;
	ret = load_trace(&opt, cause);
	unlink(db);
	free(db);
	return ret;
}

/* Damaged ids never size the analyzer's arrays: errors, or "no stack". */
static void
test_odd_ids(void)
{
	char *cause;

	write_odd_ids(0, 1);
	expect_u64_eq(analyze_tmp(&cause), 0);	/* the block: no stack */
	free(cause);
	unlink(tmp_path);

	write_odd_ids(0, 3000000000u);
	expect_true(analyze_tmp(&cause) == -1);
	expect_str_contains(cause, "thread index 3000000000 out of sequence");
	free(cause);
	unlink(tmp_path);

	write_odd_ids(3000000000u, 1);
	expect_true(analyze_tmp(&cause) == -1);
	expect_str_contains(cause, "stack id 3000000000 out of sequence");
	free(cause);
	unlink(tmp_path);
}

static void
test_varint(void)
{
	static const uint64_t values[] = { 0, 1, 127, 128, 300, 16383, 16384,
	    (1ull << 35) + 7, 1ull << 63, UINT64_MAX };
	uint8_t buf[16];
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		const uint8_t *q = buf;
		uint8_t *end = ht_put_varint(buf, values[i]);
		uint64_t v = 0;

		expect_true(ht_get_varint(&q, end, &v) == 0);
		expect_u64_eq(v, values[i]);
		expect_true(q == end);
		/* Every shorter prefix is incomplete. */
		for (q = buf; end - 1 > buf && q < end; q++) {
			const uint8_t *r = buf;

			if (q == end - 1)
				continue;
			expect_true(ht_get_varint(&r, q + 1, &v) != 0 ||
			    q + 1 == end);
		}
	}
	for (i = 0; i < 5; i++) {
		int64_t s[] = { 0, -1, 1, INT64_MIN, INT64_MAX };

		expect_true(ht_unzigzag(ht_zigzag(s[i])) == s[i]);
	}
	/* Eleven continuation bytes: rejected. */
	memset(buf, 0xff, 11);
	{
		const uint8_t *q = buf;
		uint64_t v;

		expect_true(ht_get_varint(&q, buf + 11, &v) != 0);
	}
}

static void
test_roundtrip(void)
{
	struct ht_record rec;
	ht_reader *r;
	char *cause = NULL;
	int n = 0;

	write_sample();
	r = ht_reader_open(tmp_path, &cause);
	assert_true(r != NULL);

	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_HEADER);
	expect_u64_eq(rec.header->pid, 4242);
	expect_u64_eq(rec.header->page_size, 4096);
	expect_u64_eq(rec.header->depth, 64);
	expect_u64_eq(rec.header->argv_len, 8);

	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_MODULE_LOAD);
	expect_u64_eq(rec.base, 0x400000);
	expect_u64_eq(rec.nsegs, 1);
	expect_u64_eq(rec.segs[0].memsz, 0x2000);
	expect_u64_eq(rec.build_id_len, 2);
	expect_u64_eq(rec.build_id[1], 0xcd);

	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_STACK);
	expect_u64_eq(rec.nframes, 3);
	expect_u64_eq(rec.frames[2], 0x7f0000001234);
	expect_u64_eq(rec.frames[1], 0x400f00);

	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_CHUNK);
	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_ALLOC);
	expect_u64_eq(rec.thread, 1);
	expect_u64_eq(rec.ts, 10);
	expect_u64_eq(rec.ptr, 0x1000);
	expect_u64_eq(rec.size, 32);
	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.ts, 30);
	expect_u64_eq(rec.ptr, 0x2000);
	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_FREE);
	expect_u64_eq(rec.ptr, 0x2000);		/* from the window */
	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_ALLOC);
	expect_u64_eq(rec.ptr, 0x2000);
	expect_u64_eq(rec.size, 8);

	assert_true(ht_reader_next(r, &rec) == 1);	/* chunk 2 */
	expect_u64_eq(rec.thread, 2);
	assert_true(ht_reader_next(r, &rec) == 1);
	expect_u64_eq(rec.tag, HT_TAG_FREE);
	expect_u64_eq(rec.ptr, 0x1000);
	expect_u64_eq(rec.ts, 20);

	while (ht_reader_next(r, &rec) == 1)
		n++;
	expect_u64_eq(n, 4);		/* alloc, sync, rss, end */
	expect_true(ht_reader_error(r) == NULL);
	expect_true(ht_reader_saw_end(r));
	ht_reader_close(r);
	unlink(tmp_path);
}

static void
test_ordered(void)
{
	static const uint64_t want[] = { 10, 20, 30, 31, 32, 40 };
	struct ht_record rec;
	ht_ordered *o;
	size_t i = 0;
	int ret;

	write_sample();
	o = ht_ordered_open(tmp_path, NULL);
	assert_true(o != NULL);
	while ((ret = ht_ordered_next(o, &rec)) == 1) {
		if (rec.tag != HT_TAG_ALLOC && rec.tag != HT_TAG_FREE)
			continue;
		assert_true(i < 6);
		expect_u64_eq(rec.ts, want[i]);
		i++;
	}
	expect_u64_eq(ret, 0);
	expect_u64_eq(i, 6);
	ht_ordered_close(o);
	unlink(tmp_path);
}

/*
 * Two threads free one address in the same microsecond, the first of
 * them having allocated it again in between: thread 1 allocates P at 1,
 * then at 5 allocates another block, frees P and allocates it again
 * (the pair is not at the head of its queue); thread 2 frees P at 5.
 * Thread 2's chunk comes first in the file.  Taken in file order, thread
 * 2's free would go first and thread 1's would look unknown.
 */
static void
test_tie_reuse(void)
{
	static const struct { uint32_t thread; unsigned tag; } want[] = {
		{ 1, HT_TAG_ALLOC }, { 1, HT_TAG_ALLOC }, { 1, HT_TAG_FREE },
		{ 1, HT_TAG_ALLOC }, { 2, HT_TAG_FREE },
	};
	struct ht_record rec;
	struct tw w;
	ht_ordered *o;
	size_t i = 0;

	tw_open(&w, HT_FORMAT_VERSION);
	tw_header(&w);
	tw_frame(&w);
	tw_chunk(&w, 2);
	tw_free(&w, 5, 0x5000);
	tw_chunk(&w, 1);
	tw_alloc(&w, 1, 0x5000, 16, 0);
	tw_alloc(&w, 5, 0x9000, 16, 0);	/* the pair is not its head */
	tw_free(&w, 5, 0x5000);
	tw_alloc(&w, 5, 0x5000, 16, 0);
	tw_simple(&w, HT_TAG_SYNC, 10, 0);
	tw_close(&w);

	o = ht_ordered_open(tmp_path, NULL);
	assert_true(o != NULL);
	while (ht_ordered_next(o, &rec) == 1) {
		if (rec.tag != HT_TAG_ALLOC && rec.tag != HT_TAG_FREE)
			continue;
		assert_true(i < 5);
		expect_u64_eq(rec.thread, want[i].thread);
		expect_u64_eq(rec.tag, want[i].tag);
		expect_u64_eq(rec.flags, 0);	/* no unknown, no replaced */
		i++;
	}
	expect_u64_eq(i, 5);
	ht_ordered_close(o);
	unlink(tmp_path);
}

/* Every prefix of the file: no crash, whole frames only, a clear error. */
static void
test_truncation(void)
{
	static uint8_t full[1 << 16];
	size_t size, len;
	FILE *f;
	int i;

	write_sample();
	f = fopen(tmp_path, "rb");
	size = fread(full, 1, sizeof full, f);
	fclose(f);
	expect_u64_eq(sample_records[sample_frames - 1], 14);

	for (len = 0; len <= size; len++) {
		struct ht_record rec;
		char *cause = NULL;
		ht_reader *r;
		int n = 0, ret;

		f = fopen(tmp_path, "wb");
		fwrite(full, 1, len, f);
		fclose(f);
		r = ht_reader_open(tmp_path, &cause);
		if (len < HT_PREFIX_LEN) {
			expect_true(r == NULL);
			expect_true(cause != NULL);
			free(cause);
			continue;
		}
		assert_true(r != NULL);
		while ((ret = ht_reader_next(r, &rec)) == 1)
			n++;
		/* Whole frames only: a cut inside one loses just it. */
		{
			int whole = 0, at_boundary = len == HT_PREFIX_LEN;

			for (i = 0; i < sample_frames; i++) {
				if (sample_frame_end[i] <= len)
					whole = sample_records[i];
				if (sample_frame_end[i] == len)
					at_boundary = 1;
			}
			expect_u64_eq(n, whole);
			if (at_boundary) {
				expect_u64_eq(ret, 0);
			} else {
				expect_true(ret == -1);
				expect_str_contains(ht_reader_error(r),
				    tmp_path);
				expect_str_contains(ht_reader_error(r),
				    "truncated frame at offset");
			}
		}
		expect_true(ht_reader_saw_end(r) == (len == size));
		ht_reader_close(r);
	}
	unlink(tmp_path);
}

static void
test_bad_input(void)
{
	struct tw w;
	char *cause = NULL;
	ht_reader *r;
	FILE *f;

	r = ht_reader_open("/nonexistent/x.trace", &cause);
	expect_true(r == NULL);
	expect_str_contains(cause, "No such file");
	free(cause);

	tmp_reset();
	close(mkstemp(tmp_path));
	f = fopen(tmp_path, "w");
	fputs("hello, this is not a trace at all\n", f);
	fclose(f);
	r = ht_reader_open(tmp_path, &cause);
	expect_true(r == NULL);
	expect_str_contains(cause, "not a heaptrail trace");
	free(cause);
	unlink(tmp_path);

	f = fopen(tmp_path, "w");
	fclose(f);
	r = ht_reader_open(tmp_path, &cause);
	expect_true(r == NULL);
	expect_str_contains(cause, "empty");
	free(cause);
	unlink(tmp_path);

	tmp_reset();
	tw_open(&w, 99);
	tw_header(&w);
	tw_close(&w);
	r = ht_reader_open(tmp_path, &cause);
	expect_true(r == NULL);
	expect_str_contains(cause, "version 99");
	free(cause);
	unlink(tmp_path);

	/* An unknown tag inside a good frame. */
	tw_open(&w, HT_FORMAT_VERSION);
	tw_header(&w);
	tw_tag(&w, 0x7e);
	tw_close(&w);
	r = ht_reader_open(tmp_path, &cause);
	assert_true(r != NULL);
	{
		struct ht_record rec;

		expect_u64_eq(ht_reader_next(r, &rec), 1);
		expect_true(ht_reader_next(r, &rec) == -1);
		expect_str_contains(ht_reader_error(r), "unknown tag 0x7e");
	}
	ht_reader_close(r);
	unlink(tmp_path);

	/* Garbage after the prefix: not zstd. */
	tmp_reset();
	tw_open(&w, HT_FORMAT_VERSION);
	fputs("garbage garbage garbage", w.f);
	fclose(w.f);
	r = ht_reader_open(tmp_path, &cause);
	assert_true(r != NULL);
	{
		struct ht_record rec;

		expect_true(ht_reader_next(r, &rec) == -1);
		expect_str_contains(ht_reader_error(r), "corrupt frame at "
		    "offset 16");
	}
	ht_reader_close(r);
	unlink(tmp_path);
	tmp_reset();
}

static void
test_ptr_map(void)
{
	enum { N = 20000 };
	static uint64_t present[N];
	ptr_map *m = ptr_map_create();
	uint64_t seed = 12345;
	size_t live = 0;
	int i;

	for (i = 0; i < 400000; i++) {
		struct ptr_value v = { 0 }, out;
		size_t k;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (size_t)(seed >> 33) % N;
		if (present[k]) {
			expect_true(ptr_map_remove(m, (k + 1) * 16, &out));
			expect_u64_eq(out.size, k);
			present[k] = 0;
			live--;
		} else {
			v.size = k;
			expect_u64_eq(ptr_map_put(m, (k + 1) * 16, &v), 0);
			present[k] = 1;
			live++;
		}
	}
	expect_u64_eq(ptr_map_count(m), live);
	for (i = 0; i < N; i++) {
		struct ptr_value *v = ptr_map_find(m, ((uint64_t)i + 1) * 16);

		expect_true((v != NULL) == (present[i] != 0));
		if (v)
			expect_u64_eq(v->size, i);
	}
	expect_true(!ptr_map_remove(m, 8, NULL));
	ptr_map_free(m);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "trace: varint encoding", test_varint },
		{ "trace: round trip", test_roundtrip },
		{ "trace: time order across threads", test_ordered },
		{ "trace: truncated at every byte", test_truncation },
		{ "trace: missing, foreign, corrupt input", test_bad_input },
		{ "ptr-map: random insert/remove", test_ptr_map },
		{ "analyze: damaged stack and thread ids", test_odd_ids },
		{ "ordered: same-microsecond frees of a reused address",
		    test_tie_reuse },
		{ NULL, NULL },
	};

	return test_run(tests);
}
