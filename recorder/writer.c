/*
 * writer.c - the background thread that turns buffers into trace frames.
 *
 * Owns: the trace file descriptor, the zstd context, the definitions
 * buffer and the staging buffer (a finished frame before compression);
 * frame-encoder.c holds the frame being built.
 *
 * Every tick (TICK_NS) or when kicked, the writer moves queued chunks into
 * staging, samples RSS and looks for loaded/unloaded modules.  Every sync
 * period (SYNC_NS) it also collects the partly filled buffers whose first
 * event is older than a sync period, appends SYNC(T) and writes the frame;
 * so it does after SYNC_CHUNKS chunks, when the program allocates fast (a
 * reader holds the events between two SYNCs: fewer of them take less
 * memory and keep its merge in cache), but then writes the frame only
 * once a sync period (every frame has its own zstd header and tables, and
 * its matches reach only into the frame before it).  T is the
 * time read before the collection, lowered to the first event time of
 * every buffer left and to any realloc in flight, then as a lone thread's
 * times may be (thread_buffers_sync_time); every event stamped before T
 * was in a buffer the collection took or in the queue (events are stamped
 * inside the thread lock, and a buffer's times never decrease), so the
 * promise of SYNC holds.  A frame also ends when staging would pass FRAME_TARGET.
 *
 * Definitions (stacks, modules) are staged before each chunk, so every id
 * an event names is defined earlier in the file.  Only the writer thread
 * touches staging while it runs; after writer_finish() the same functions
 * run under finish_lock in whichever thread makes a late event.
 *
 * The writer thread blocks all signals and keeps rec_guard set: whatever
 * it allocates (zstd) is not recorded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "recorder.h"

#define TICK_NS 10000000ull		/* RSS sample, queue drain */
#define SYNC_NS 50000000ull		/* sync period; an event waits in a
					   buffer up to two */
#define SYNC_CHUNKS 32			/* ... or chunks between SYNCs */
#define TICK_UNITS (TICK_NS / HT_TIME_UNIT_NS)
#define REAP_UNITS (1000000000ull / HT_TIME_UNIT_NS)	/* gone threads */
#define STRAGGLER_UNITS (10000000ull / HT_TIME_UNIT_NS)
#define FINISH_TIMEOUT_S 5	/* a writer stuck longer is abandoned */
#define SYNC_UNITS (SYNC_NS / HT_TIME_UNIT_NS)
#define FRAME_TARGET (3u << 20)
#define DEFS_SIZE (1u << 20)
/*
 * zstd levels: FAST while frames compress less than 3:1 (random sizes and
 * stacks, alloc-bench: level 3 took 4x the time of level 1 there for 4%
 * less), higher on the frames of a program that repeats itself, which
 * zstd's higher levels compress faster as well as better (a C++ request
 * loop: 2.8 GB/s at level 1, 5.5 at 3; the trace 50 -> 21 -> 15 KB at
 * levels 1, 3, 7; git log -p, cc1plus, python3: 8-11% less at 3 than at
 * 1 for the same CPU, 5-9% less again at 5 for 10-20% more).  The level
 * of a frame follows how well the one before it compressed.
 */
#define ZSTD_LEVEL_FAST 1
#define ZSTD_LEVEL_SOME 3		/* frames of at least 3:1 */
#define ZSTD_LEVEL_REPEATS 5		/* frames of at least 12:1 */
#define ZSTD_LEVEL_LOOPS 7		/* frames of at least 32:1 */

static int trace_fd = -1;
static ZSTD_CCtx *cctx;
static int level = ZSTD_LEVEL_FAST;
static uint64_t last_flush;	/* when the last frame was written */
static uint8_t *staging;		/* HT_FRAME_MAX bytes */
static uint8_t *previous;		/* the frame before, raw (HT_FRAME_MAX) */
static size_t previous_len;		/* 0: the next frame stands alone */
static uint8_t *compressed;
static size_t compressed_cap;
static int write_failed;
static _Atomic uint64_t dropped_events;

static pthread_mutex_t defs_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: defs_buf, defs_len; also serializes stack-table inserts */
static pthread_cond_t defs_room = PTHREAD_COND_INITIALIZER;
static uint8_t *defs_buf;
static size_t defs_len;

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: wake_flag, stop_flag */
static pthread_cond_t wake_cond;
static int wake_flag, stop_flag;
static pthread_t writer_thread;
static int writer_running;

static pthread_mutex_t finish_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: staging and the file after writer_finish() */

static int statm_fd = -1;
static uint64_t page_size;

/*
 * The program may close every descriptor it did not open (daemons do)
 * or dup2 onto any number: the hooks (hooks.c) keep ours open and move
 * them out of the way first.  fd_lock keeps their numbers still while
 * one is in use.
 */
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;

int
writer_fd_is_ours(int fd)
{
	return fd >= 0 && (fd == trace_fd || fd == statm_fd);
}

void
writer_fd_vacate(int fd)
{
	pthread_mutex_lock(&fd_lock);
	if (writer_fd_is_ours(fd)) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);

		/* The old number stays ours until the dup2 replaces it. */
		if (moved >= 0 && fd == trace_fd)
			trace_fd = moved;
		else if (moved >= 0)
			statm_fd = moved;
	}
	pthread_mutex_unlock(&fd_lock);
}

/* Our descriptors, lowest first, for close_range (-1: none). */
void
writer_fds(int out[2])
{
	out[0] = trace_fd < statm_fd ? trace_fd : statm_fd;
	out[1] = trace_fd < statm_fd ? statm_fd : trace_fd;
}

/* --- file output ---------------------------------------------------------- */

/* Writes to the trace; the caller holds fd_lock (see write_all). */
static void
write_numbered(const uint8_t *p, size_t len)
{
	while (len > 0 && !write_failed) {
		ssize_t n = write(trace_fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rec_warn("cannot write the trace, recording stops: ",
			    strerror(errno));
			write_failed = 1;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
write_all(const uint8_t *p, size_t len)
{
	pthread_mutex_lock(&fd_lock);
	write_numbered(p, len);
	pthread_mutex_unlock(&fd_lock);
}

/* The level for the frame after one of RAW bytes that compressed to N. */
static int
next_level(size_t raw, size_t n)
{
	if (raw < 4096)
		return level;	/* too small to tell */
	if (n * 32 <= raw)
		return ZSTD_LEVEL_LOOPS;
	if (n * 12 <= raw)
		return ZSTD_LEVEL_REPEATS;
	if (n * 3 <= raw)
		return ZSTD_LEVEL_SOME;
	return ZSTD_LEVEL_FAST;
}

/*
 * Compresses and writes the staged frame.  From format version 4 a frame
 * may refer back into the one before it (zstd's prefix: the previous
 * frame's raw bytes), which a reader decoding the file front to back
 * has: a program's frames repeat each other far more than a frame
 * repeats itself (git log -p: 1.43 -> 0.89 MB).  Not when the frame
 * before compressed less than CHAIN_MIN:1 (random data: loading the
 * prefix would cost as much as compressing), and never for a frame that
 * must stand ALONE: the first, and the ones with an END record, which a
 * reader finds by seeking to the file's last frame.
 */
#define CHAIN_MIN 3

static void
flush_frame_as(int alone)
{
	size_t n, len;
	uint8_t *t;

	if (frame_size() == 0)
		return;
	len = frame_take(staging);
	n = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	/* Always set: NULL also drops a prefix left pending in the context
	   (a fork child inherits the context as the writer left it). */
	if (!ZSTD_isError(n))
		n = !alone && previous_len > 0 ? ZSTD_CCtx_refPrefix(cctx,
		    previous, previous_len) : ZSTD_CCtx_refPrefix(cctx, NULL,
		    0);
	if (!ZSTD_isError(n))
		n = ZSTD_compress2(cctx, compressed, compressed_cap, staging,
		    len);
	last_flush = rec_now();
	if (ZSTD_isError(n)) {
		rec_warn("zstd failed, recording stops: ",
		    ZSTD_getErrorName(n));
		write_failed = 1;
		return;
	}
	write_all(compressed, n);
	level = next_level(len, n);
	/* The frame just written is the prefix of the next one. */
	t = previous;
	previous = staging;
	staging = t;
	previous_len = n * CHAIN_MIN <= len ? len : 0;
}

static void
flush_frame(void)
{
	flush_frame_as(0);
}

/* Stages raw definition records, ending the frame first if needed. */
static void
stage_raw_defs(const uint8_t *p, size_t len)
{
	if (!frame_fits(len))
		flush_frame();
	frame_add_defs(p, len);
}

int
writer_open(int fd)
{
	uint8_t prefix[HT_PREFIX_LEN] = { 0 };

	trace_fd = fd;
	memcpy(prefix, HT_MAGIC, HT_MAGIC_LEN);
	prefix[8] = HT_FORMAT_VERSION;
	write_all(prefix, sizeof prefix);

	/* A fork child opens its own trace with its parent's buffers. */
	if (cctx == NULL) {
		cctx = ZSTD_createCCtx();
		compressed_cap = ZSTD_compressBound(HT_FRAME_MAX);
		staging = rec_map(HT_FRAME_MAX);
		previous = rec_map(HT_FRAME_MAX);
		compressed = rec_map(compressed_cap);
		/* Matches may reach over a whole previous frame. */
		if (cctx != NULL)
			ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog,
			    HT_WINDOW_LOG);
		defs_buf = rec_map(DEFS_SIZE);
		if (frame_encoder_init() != 0)
			write_failed = 1;
	}
	if (cctx == NULL || staging == NULL || previous == NULL ||
	    compressed == NULL || defs_buf == NULL || write_failed) {
		close(trace_fd);
		trace_fd = -1;
		return -1;
	}
	page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	return 0;
}

int
writer_first_frame(const uint8_t *rec, size_t len)
{
	if (!frame_fits(len))
		return -1;
	frame_add_defs(rec, len);
	flush_frame();
	return write_failed ? -1 : 0;
}

/* --- definitions ------------------------------------------------------------ */

/* Who may stage: the writer thread, or (after it) finish_lock holders. */
static __thread int tls_writer __attribute__((tls_model("initial-exec")));

/*
 * When the buffer is full: the writer drains it itself (it must never wait
 * for itself); after the writer is gone, the caller writes it out through
 * writer_flush_sync(); otherwise wait for the writer.
 */
uint8_t *
defs_reserve(size_t len)
{
	if (len > DEFS_SIZE)
		return NULL;
	pthread_mutex_lock(&defs_lock);
	while (defs_buf != NULL && !write_failed &&
	    defs_len + len > DEFS_SIZE) {
		if (tls_writer) {
			stage_raw_defs(defs_buf, defs_len);
			defs_len = 0;
			pthread_cond_broadcast(&defs_room);
		} else if (!writer_running) {
			if (rec_state != REC_FINISHED)
				break;
			pthread_mutex_unlock(&defs_lock);
			writer_flush_sync();
			pthread_mutex_lock(&defs_lock);
		} else {
			writer_kick();
			pthread_cond_wait(&defs_room, &defs_lock);
		}
	}
	if (defs_buf == NULL || write_failed || defs_len + len > DEFS_SIZE) {
		pthread_mutex_unlock(&defs_lock);
		return NULL;
	}
	return defs_buf + defs_len;
}

void
defs_commit(uint8_t *end)
{
	defs_len = (size_t)(end - defs_buf);
	pthread_mutex_unlock(&defs_lock);
}

static void
stage_defs(void)
{
	pthread_mutex_lock(&defs_lock);
	if (defs_len > 0) {
		stage_raw_defs(defs_buf, defs_len);
		defs_len = 0;
		pthread_cond_broadcast(&defs_room);
	}
	pthread_mutex_unlock(&defs_lock);
}

/* --- chunks ------------------------------------------------------------------ */

static void
stage_chunk(uint32_t thread, const uint8_t *data, size_t len)
{
	stage_defs();
	if (!frame_fits(len))
		flush_frame();
	frame_add_chunk(thread, data, len);
	if (frame_size() >= FRAME_TARGET)
		flush_frame();
}

/* Stages the oldest queued chunk; returns 0 if the queue was empty. */
static int
stage_one_queued(void)
{
	struct queue_chunk *c = queue_peek();

	if (c == NULL)
		return 0;
	stage_chunk(c->thread, c->data, c->len);
	queue_pop_done();
	return 1;
}

static uint64_t collected;	/* buffers collect_one() took */

/* Through the queue, so a thread's chunks stay in order. */
static int
collect_one(struct rec_thread *t)
{
	if (!queue_try_push(t))
		return 0;
	collected++;
	return 1;
}

static void
make_room(void)
{
	stage_one_queued();
}

static void
stage_rss(void)
{
	char buf[128];
	uint8_t rec[1 + 2 * HT_VARINT_MAX], *p = rec;
	uint64_t size = 0, resident = 0;
	ssize_t n;
	char *s;

	if (statm_fd < 0)
		return;
	pthread_mutex_lock(&fd_lock);
	n = pread(statm_fd, buf, sizeof buf - 1, 0);
	pthread_mutex_unlock(&fd_lock);
	if (n <= 0)
		return;
	buf[n] = '\0';
	size = strtoull(buf, &s, 10);
	resident = strtoull(s, NULL, 10);
	(void)size;
	*p++ = HT_TAG_RSS;
	p = ht_put_varint(p, rec_now());
	p = ht_put_varint(p, resident * page_size);
	stage_raw_defs(rec, (size_t)(p - rec));
}

/*
 * Collects the buffers that hold an event older than a sync period (ALL:
 * every buffer), stages everything, SYNC, writes the frame.  T is lowered
 * to the first time of every buffer left, so a busy thread's buffer is
 * not cut short at every SYNC: with many threads that made each SYNC
 * take a chunk from every one of them, SYNCs rare (1000 threads: a
 * second apart, 2-6 million events between two) and a reader's holding
 * window overflow.
 */
static void
sync_cycle(int all)
{
	uint8_t rec[1 + HT_VARINT_MAX], *p = rec;
	uint64_t t = rec_now(), left;
	unsigned n;

	left = thread_buffers_collect(all || t < SYNC_UNITS ? UINT64_MAX :
	    t - SYNC_UNITS, collect_one, make_room);
	if (left < t)
		t = left;
	t = thread_buffers_sync_time(t);
	/*
	 * Every event older than T is now in the queue.  Stage only what is
	 * there: chunks threads hand over meanwhile hold only newer events,
	 * and under a flood they would keep this loop going, every one of
	 * them an event a reader must hold until the next SYNC.
	 */
	for (n = queue_length(); n > 0 && stage_one_queued(); n--)
		;
	stage_defs();
	*p++ = HT_TAG_SYNC;
	p = ht_put_varint(p, t);
	stage_raw_defs(rec, (size_t)(p - rec));
	/* A frame a sync period, not a SYNC (see the top of this file). */
	if (all || rec_now() - last_flush >= SYNC_UNITS)
		flush_frame();
}

static void
stage_end(void)
{
	uint8_t rec[1 + 5 * HT_VARINT_MAX], *p = rec;
	uint64_t events, allocs, frees;

	thread_buffers_totals(&events, &allocs, &frees);
	*p++ = HT_TAG_END;
	p = ht_put_varint(p, rec_now());
	p = ht_put_varint(p, events);
	p = ht_put_varint(p, allocs);
	p = ht_put_varint(p, frees);
	p = ht_put_varint(p, atomic_load(&dropped_events));
	stage_raw_defs(rec, (size_t)(p - rec));
}

void
writer_count_dropped(uint64_t n)
{
	atomic_fetch_add(&dropped_events, n);
}

/* --- the thread ---------------------------------------------------------------- */

void
writer_kick(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&wake_lock);
	if (!wake_flag) {
		wake_flag = 1;
		pthread_cond_signal(&wake_cond);
	}
	pthread_mutex_unlock(&wake_lock);
}

static void *
writer_main(void *arg)
{
	uint64_t last_sync = 0, last_tick = 0, last_reap = 0;
	unsigned staged = 0;	/* chunks since the last SYNC */
	int stop = 0;

	(void)arg;
	rec_guard = 1;
	tls_writer = 1;
	modules_rescan(1);
	while (!stop) {
		struct timespec deadline;
		uint64_t now;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += (long)TICK_NS;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&wake_lock);
		while (!wake_flag && !stop_flag)
			if (pthread_cond_timedwait(&wake_cond, &wake_lock,
			    &deadline) == ETIMEDOUT)
				break;
		wake_flag = 0;
		stop = stop_flag;
		pthread_mutex_unlock(&wake_lock);

		/*
		 * Drain the queue, but not past the sync period: under a
		 * steady flood it never empties, and SYNC records are what
		 * bound the readers' windows.
		 */
		now = rec_now();
		while (now - last_sync < SYNC_UNITS &&
		    staged < SYNC_CHUNKS && stage_one_queued()) {
			staged++;
			now = rec_now();
		}
		if (now - last_tick >= TICK_UNITS) {
			last_tick = now;
			rec_clock_calibrate();
			thread_buffers_pick_sole();
			stage_rss();
			modules_rescan(1);
		}
		if (now - last_reap >= REAP_UNITS) {
			last_reap = now;
			thread_buffers_reap(make_room);
		}
		if (now - last_sync >= SYNC_UNITS ||
		    staged >= SYNC_CHUNKS || stop) {
			last_sync = now;
			staged = 0;
			sync_cycle(stop);
		}
	}
	modules_rescan(1);
	stage_rss();
	sync_cycle(1);
	stage_end();
	flush_frame_as(1);
	return NULL;
}

int
writer_start(void)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int err;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wake_cond, &attr);
	pthread_condattr_destroy(&attr);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	stop_flag = wake_flag = 0;
	writer_running = 1;
	err = pthread_create(&writer_thread, NULL, writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		writer_running = 0;
		rec_warn("cannot start the writer thread: ", strerror(err));
		return -1;
	}
	return 0;
}

int
writer_finish(void)
{
	struct timespec deadline;

	if (!writer_running)
		return 0;
	pthread_mutex_lock(&wake_lock);
	stop_flag = 1;
	pthread_cond_signal(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
	/*
	 * The final collection waits for every thread's buffer lock; a
	 * thread stopped forever while holding one (say, exit() called from
	 * a signal handler that interrupted a hook) must not hang the exit.
	 */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += FINISH_TIMEOUT_S;
	if (pthread_timedjoin_np(writer_thread, NULL, &deadline) != 0) {
		rec_warn("the writer did not finish in time; the trace ends "
		    "at its last complete frame", "");
		return -1;
	}
	writer_running = 0;
	return 0;
}

/*
 * After the writer stopped: writes whatever the threads appended since,
 * if anything, followed by a new END with the totals so far (so the last
 * frame always carries the latest END).
 */
void
writer_flush_sync(void)
{
	int saved = rec_guard, pending;

	rec_guard = 1;
	pthread_mutex_lock(&finish_lock);
	if (!writer_running && trace_fd >= 0) {
		tls_writer = 1;
		collected = 0;
		thread_buffers_collect(UINT64_MAX, collect_one, make_room);
		pthread_mutex_lock(&defs_lock);
		pending = defs_len > 0;
		pthread_mutex_unlock(&defs_lock);
		if (collected > 0 || pending || queue_peek() != NULL) {
			sync_cycle(1);
			stage_end();
			flush_frame_as(1);
		}
		tls_writer = 0;
	}
	pthread_mutex_unlock(&finish_lock);
	rec_guard = saved;
}

/*
 * After the writer stopped, every event comes here: a full-ish buffer or
 * 10 ms since the last write means write now.  What is left at the very
 * end is written by rec_last_flush() (recorder.c) when stdio is flushed,
 * after every destructor.
 */
void
writer_straggler(size_t len)
{
	static _Atomic uint64_t last;
	uint64_t now = rec_now();

	if (len < THREAD_BUF_SIZE / 4 && now - last < STRAGGLER_UNITS)
		return;
	last = now;
	writer_flush_sync();
}

/*
 * In a fork child: no writer thread exists, and what the parent had
 * staged or queued is the parent's to write.  Forget the parent's file
 * and state; the locks may have been held by threads that do not exist
 * here, so they start over.  writer_open() and writer_start() follow.
 */
void
writer_after_fork_child(void)
{
	pthread_mutex_init(&defs_lock, NULL);
	pthread_cond_init(&defs_room, NULL);
	pthread_mutex_init(&wake_lock, NULL);
	pthread_mutex_init(&finish_lock, NULL);
	if (trace_fd >= 0)
		close(trace_fd);
	trace_fd = -1;
	if (statm_fd >= 0)
		close(statm_fd);	/* the parent's /proc/self */
	statm_fd = -1;
	pthread_mutex_init(&fd_lock, NULL);
	writer_running = 0;
	write_failed = 0;
	stop_flag = wake_flag = 0;
	defs_len = 0;
	collected = 0;
	atomic_store(&dropped_events, 0);
	frame_encoder_reset();
	previous_len = 0;	/* the child's trace starts with a lone frame */
	/* The parent's writer may have been inside a compression: the
	   context takes no parameter until it is reset. */
	if (cctx != NULL) {
		ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, HT_WINDOW_LOG);
	}
}
