/*
 * recorder.h - internals of libheaptrail.so, shared by its files.
 *
 * Data flow of one event (see man/heaptrail.5 "Ordering" for why):
 *
 *   hooks.c       interposed malloc/free/...: calls the real function,
 *                 unwinds (unw_backtrace) and asks stack-table.c for the
 *                 stack's id, then appends the event to its thread's buffer
 *   thread-buffer.c  per-thread buffers (one spin lock each, taken by the
 *                 owner per event and by the writer when it collects); a
 *                 full buffer is copied into the hand-off queue
 *   writer.c      the background thread: takes chunks from the queue,
 *                 collects idle buffers every sync period, puts definitions
 *                 (stacks, modules) before the chunks that use them,
 *                 compresses frames with zstd and writes them
 *
 * Rules for every file here: no stdio, no allocation through the hooked
 * malloc on a recording path (memory comes from rec_map()), problems are
 * reported with rec_warn() (one write(2) line starting "heaptrail:").
 */
#ifndef HEAPTRAIL_RECORDER_H
#define HEAPTRAIL_RECORDER_H

#include <pthread.h>
#include <sys/types.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../format/trace-format.h"

#define REC_HIDDEN __attribute__((visibility("hidden")))

/* --- configuration (recorder.c) -------------------------------------- */

/* How stacks are walked (HEAPTRAIL_UNWIND; unwind.c). */
enum rec_unwind { UNWIND_DWARF, UNWIND_FP, UNWIND_LIBUNWIND };

struct rec_config {
	int depth;		/* frames kept per stack */
	int quiet;		/* HEAPTRAIL_QUIET: no messages */
	int unwind;		/* enum rec_unwind */
	int unwind_check;	/* HEAPTRAIL_UNWIND_CHECK: compare every
				   walk with libunwind's (for tests) */
};
extern struct rec_config rec_config REC_HIDDEN;

/*
 * Recorder life cycle.  Hooks record in REC_RUNNING and REC_FINISHED; in
 * REC_OFF (not started, disabled by an error, a stuck writer, or a forked
 * child) they only pass calls through.  REC_FINISHED: the writer is gone,
 * events are written by the threads that make them (writer_straggler).
 */
enum rec_state { REC_OFF, REC_RUNNING, REC_FINISHED };
extern _Atomic int rec_state REC_HIDDEN;

/* Per-thread guard: non-zero while inside the recorder, so allocations
   the recorder itself causes (libunwind, zstd, pthread) pass through. */
extern __thread int rec_guard __attribute__((tls_model("initial-exec")))
    REC_HIDDEN;

/*
 * A terminating signal that arrived while its thread was inside the
 * recorder (signals.c), or 0.  Code that clears rec_guard does it with
 * rec_guard_leave(), which then flushes the trace and dies by it.
 */
extern _Atomic int rec_signal_pending REC_HIDDEN;
void rec_signal_deliver_pending(void) REC_HIDDEN;
void signals_init(void) REC_HIDDEN;

static inline void
rec_guard_leave(void)
{
	rec_guard = 0;
	if (__builtin_expect(atomic_load_explicit(&rec_signal_pending,
	    memory_order_relaxed) != 0, 0))
		rec_signal_deliver_pending();
}

/* Starts the recorder from a hook if it is time (see recorder.c). */
int rec_start_early(void) REC_HIDDEN;
void rec_stop(void) REC_HIDDEN;		/* flush everything, end trace */
/*
 * The end of the program's work (main returned, exit called ...): the
 * first call in a process writes a MARK with LABEL (an HT_WORK_END_*
 * label), later ones do nothing.  Safe in any state; it records nothing
 * when not recording, inside the recorder, or in a vfork child.
 */
void rec_work_end(const char *label) REC_HIDDEN;
/* Around exec: write everything out first; resume if exec failed. */
void rec_before_exec(void) REC_HIDDEN;
void rec_after_failed_exec(void) REC_HIDDEN;
uint64_t rec_now(void) REC_HIDDEN;	/* HT_TIME_UNITs since start, >= 1 */
/* The same from the CPU's counter where it can be (cheaper), never later
   than rec_now() and at most rec_now_fast_margin() units earlier. */
uint64_t rec_now_fast(void) REC_HIDDEN;
uint64_t rec_now_fast_margin(void) REC_HIDDEN;
/* The writer, every tick: the counter's scale against the clock. */
void rec_clock_calibrate(void) REC_HIDDEN;
void rec_clock_after_fork(void) REC_HIDDEN;
void rec_warn(const char *msg, const char *arg) REC_HIDDEN;
char *rec_put_decimal(char *p, char *end, unsigned long v) REC_HIDDEN;
void *rec_map(size_t size) REC_HIDDEN;	/* zeroed pages, or NULL */
void rec_unmap(void *p, size_t size) REC_HIDDEN;

/* --- real functions (hooks.c) ---------------------------------------- */

void rec_resolve_real(void) REC_HIDDEN;
/* Do the program's malloc calls reach our hook? */
int rec_malloc_is_ours(void) REC_HIDDEN;

/* --- stacks (stack-table.c) -------------------------------------------- */

/*
 * The id (>= 1) of the stack in RAW[0, N) (from unw_backtrace), defining
 * it in the trace the first time it is seen.  Frames inside
 * libheaptrail.so are left out.  0 if it could not be defined.
 */
uint64_t stack_intern(void **raw, int n) REC_HIDDEN;
/* A module went away: stacks seen so far are defined afresh when seen
   again (their addresses may now be another object's). */
void stack_table_forget(void) REC_HIDDEN;
void stack_table_after_fork(void) REC_HIDDEN;

/* Frames of the recorder itself that unw_backtrace may report first. */
#define STACK_SKIP_MAX 8

/* libheaptrail.so's own code (set by stack_table_init). */
extern uintptr_t rec_self_lo REC_HIDDEN, rec_self_hi REC_HIDDEN;

static inline int
rec_is_own(uintptr_t pc)
{
	return pc >= rec_self_lo && pc < rec_self_hi;
}

/* The frames of RAW[0, N) that a stack keeps: from *START, past our own
   leading ones and without our frames further out (RAW is rewritten),
   at most the configured depth.  Returns how many. */
int stack_program_frames(void **raw, int n, void ***start) REC_HIDDEN;

void stack_table_init(uintptr_t self_lo, uintptr_t self_hi) REC_HIDDEN;

/* --- unwinding (unwind.c) ------------------------------------------------ */

/*
 * Per-thread state of the stack walkers: the thread's stack bounds and a
 * direct-mapped cache of unwind rules by code address (see unwind.c).
 */
#define UNWIND_SLOT_BITS 11
struct unwind_slot {
	uintptr_t pc;		/* lookup address, 0 if empty */
	uint64_t rule;
};
/*
 * The last walks from given registers, with the stack words each read
 * (offsets from SP and values) and the stack id found: when the words
 * still hold those values, the walk would find the same stack again.
 */
#define MEMO_SLOT_BITS 6
#define MEMO_WORDS 48
struct unwind_memo {
	uintptr_t pc, sp, bp;	/* the registers at the hook; pc 0: empty */
	uintptr_t ra;		/* the hook's return address (a hint) */
	uint64_t id;
	uint32_t gen;		/* unwind_gen when it was walked */
	uint32_t words;
	uint32_t off[MEMO_WORDS];
	uintptr_t val[MEMO_WORDS];
};
/*
 * With more than UNWIND_FULL_THREADS threads live, a new thread uses only
 * the first 2^UNWIND_FEW_SLOT_BITS slots and 2^MEMO_FEW_SLOT_BITS memos
 * (about 9 KiB instead of 71): the pages of the rest stay untouched.
 */
#define UNWIND_FULL_THREADS 64
#define UNWIND_FEW_SLOT_BITS 8
#define MEMO_FEW_SLOT_BITS 3
struct unwind_state {
	uintptr_t stack_lo, stack_hi;	/* 0, 0: walk with libunwind */
	uint32_t gen;			/* unwind_gen the cache is of */
	uint8_t slot_bits, memo_bits;	/* slots and memos in use */
	struct unwind_slot slot[1u << UNWIND_SLOT_BITS];
	struct unwind_memo memo[1u << MEMO_SLOT_BITS];
};

struct rec_thread;
/* Finds the calling thread's stack bounds (at registration); IS_MAIN:
   it is the process's first thread; FEW: use the smaller cache. */
void unwind_thread_init(struct unwind_state *u, int is_main, int few)
    REC_HIDDEN;
/* Code was unloaded or stack ids start over (stack_table_forget):
   cached rules and remembered walks are void. */
void unwind_forget(void) REC_HIDDEN;
/*
 * The id of the stack walked from the registers of a frame of ours (PC,
 * SP, BP; RA its return address) into *ID (stack_intern; RAW has room
 * for MAX frames).  Returns 0, or -1 if libunwind must walk this stack.
 */
int unwind_stack_id(struct unwind_state *u, uintptr_t pc, uintptr_t sp,
    uintptr_t bp, uintptr_t ra, void **raw, int max, uint64_t *id)
    REC_HIDDEN;
/* HEAPTRAIL_UNWIND_CHECK: compares OUT[0, N) with libunwind's walk
   (N < 0: counts a stack that libunwind walked). */
void unwind_check(void **out, int n, int max) REC_HIDDEN;
/* HEAPTRAIL_UNWIND_CHECK: one line with what the checks found. */
void unwind_report(void) REC_HIDDEN;

/*
 * Unwinds the caller's stack and returns its id.  Always inlined into the
 * hook, so that the walk starts at the hook's own frame: every frame of
 * our own walked costs as much as one of the program's.
 */
int unw_backtrace(void **buffer, int size);
static inline struct rec_thread *thread_current(void);
static inline void unwind_enter(struct rec_thread *t);
static inline void unwind_leave(struct rec_thread *t);
static inline struct unwind_state *thread_unwind_state(struct rec_thread *t);
static inline __attribute__((always_inline)) uint64_t
stack_capture(void)
{
	void *raw[HT_DEPTH_MAX + STACK_SKIP_MAX];
	struct rec_thread *t = thread_current();
	struct unwind_state *u = thread_unwind_state(t);
	int max = rec_config.depth + STACK_SKIP_MAX, ours = -1;
	uint64_t id;

	unwind_enter(t);
#if defined(__x86_64__)
	if (u != NULL) {
		uintptr_t pc, sp, bp;

		/* The hook's own registers, at one instruction. */
		__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\t"
		    "mov %%rbp, %2" : "=r"(pc), "=r"(sp), "=r"(bp));
		ours = unwind_stack_id(u, pc, sp, bp,
		    (uintptr_t)__builtin_return_address(0), raw, max, &id);
	}
#endif
	if (ours < 0)
		id = stack_intern(raw, unw_backtrace(raw, max));
	unwind_leave(t);
	return id;
}

/* --- definitions buffer (writer.c) --------------------------------------- */

/*
 * Records that define things (stacks, modules) go here, under the
 * definitions lock, and the writer drains them before any chunk it writes:
 * an event can only name a stack that was put here before the event was
 * appended, so the definition always precedes its users in the file.
 * defs_reserve() returns room for LEN bytes with the lock held (waiting
 * for the writer if the buffer is full); defs_commit() releases it.
 */
uint8_t *defs_reserve(size_t len) REC_HIDDEN;
void defs_commit(uint8_t *end) REC_HIDDEN;

/* --- per-thread buffers (thread-buffer.c) ------------------------------- */

#define THREAD_BUF_SIZE (64u << 10)
/* Largest single event record (MARK with its label cap). */
#define EVENT_MAX (1 + 4 * HT_VARINT_MAX + 256)

struct rec_thread {
	atomic_flag lock;	/* protects everything below but next, and
				   serializes owner appends with collection */
	uint32_t idx;		/* thread index in the trace (>= 1) */
	int dead;		/* owner exited; recycled once drained */
	int shared;		/* appended to by several threads */
	pid_t tid;		/* kernel thread id (0 if shared) */
	pthread_t self;		/* its pthread_self() (unset if shared) */
	uint64_t last_ts;	/* delta bases, reset with the buffer */
	uint64_t last_ptr;
	uint64_t min_ts;	/* the next time is at least this: past a
				   marker, or the newest time of the
				   chunks handed off */
	_Atomic int unwinding;	/* threads inside stack_capture (see
				   unwind_enter) */
	_Atomic uint64_t inflight_ts;	/* start of a realloc in progress
					   (rec_now() >= 1), or 0: caps SYNC */
	size_t len;
	uint64_t first_ts;	/* time of buf's first event, if len > 0 */
	size_t touched;		/* bytes of buf ever filled (resident) */
	uint64_t n_events;	/* cumulative over the struct's life, */
	uint64_t n_allocs;	/*  summed by the writer for END */
	uint64_t n_frees;
	uint64_t events_at_tick;	/* n_events when the writer last
					   looked (thread_buffers_pick_sole) */
	struct rec_thread *next;	/* registry, immutable once linked */
	struct unwind_state unwind;	/* not for a shared struct */
	uint8_t buf[THREAD_BUF_SIZE];
};

/* The walker state of T, or NULL: walk with libunwind. */
static inline struct unwind_state *
thread_unwind_state(struct rec_thread *t)
{
	if (t == NULL || t->shared || rec_config.unwind == UNWIND_LIBUNWIND)
		return NULL;
	return &t->unwind;
}

/*
 * The calling thread's buffer struct, registered on first use (or the one
 * exiting threads share); NULL if none could be made.  Inline: every
 * event asks for it twice (unwinding, appending).
 */
extern __thread struct rec_thread *tls_thread
    __attribute__((tls_model("initial-exec"))) REC_HIDDEN;
struct rec_thread *thread_current_slow(void) REC_HIDDEN;

static inline struct rec_thread *
thread_current(void)
{
	struct rec_thread *t = tls_thread;

	return __builtin_expect(t != NULL, 1) ? t : thread_current_slow();
}

void thread_buffers_init(void) REC_HIDDEN;
/* Fork: waits until no thread is inside stack_capture (recorder.c). */
void thread_buffers_wait_unwinds(void) REC_HIDDEN;

/*
 * The fork gate.  libunwind and the loader take locks of their own while
 * a stack is unwound; a fork child inherits them as they were, and one
 * taken by another thread at the fork is never released there.  So the
 * fork prepare handler (recorder.c) closes the gate (rec_fork_pending),
 * waits until no thread is inside stack_capture, and the fork happens
 * with none there; threads arriving meanwhile wait at the gate.
 *
 * The hot path only stores its flag and reads the gate, with no fence:
 * the prepare handler makes every thread execute a full barrier
 * (membarrier) before it reads the flags.  Where the kernel has no
 * membarrier, rec_fork_fence is set and the hot path fences itself.
 */
extern _Atomic int rec_fork_pending REC_HIDDEN;
extern int rec_fork_fence REC_HIDDEN;
void rec_fork_wait(void) REC_HIDDEN;

/* The flag is a plain store for a thread's own struct (a locked add
   would fence), a count for the struct exiting threads share. */
static inline void
unwind_flag(struct rec_thread *t, int delta)
{
	if (__builtin_expect(t->shared, 0))
		atomic_fetch_add_explicit(&t->unwinding, delta,
		    memory_order_release);
	else
		atomic_store_explicit(&t->unwinding, delta > 0,
		    memory_order_release);
}

static inline void
unwind_enter(struct rec_thread *t)
{
	if (t == NULL)
		return;
	for (;;) {
		unwind_flag(t, 1);
		if (__builtin_expect(rec_fork_fence, 0))
			atomic_thread_fence(memory_order_seq_cst);
		else
			atomic_signal_fence(memory_order_seq_cst);
		if (__builtin_expect(!atomic_load_explicit(&rec_fork_pending,
		    memory_order_relaxed), 1))
			return;
		unwind_flag(t, -1);
		rec_fork_wait();
	}
}

static inline void
unwind_leave(struct rec_thread *t)
{
	if (t != NULL)
		unwind_flag(t, -1);
}
void thread_exit_hook(void *arg) REC_HIDDEN;
void thread_buffers_after_fork(void) REC_HIDDEN;
/* Every writer tick: notes which thread alone makes events, whose times
   are then rounded to the millisecond (see thread-buffer.c, "times"). */
void thread_buffers_pick_sole(void) REC_HIDDEN;
/* T rounded down as the times of a lone thread's events are (SYNC's). */
uint64_t thread_buffers_sync_time(uint64_t t) REC_HIDDEN;

/*
 * Event encoding.  Each locks the thread buffer, reads the clock inside
 * the lock (the SYNC promise depends on it) unless given a time, encodes,
 * and unlocks.  ts = 0 means "read the clock now".
 */
void event_alloc(unsigned fn, uintptr_t ptr, size_t size, uint64_t stack,
    uint64_t ts) REC_HIDDEN;
void event_free(unsigned fn, uintptr_t ptr) REC_HIDDEN;
void event_mark(const char *label) REC_HIDDEN;
/* A THREAD_NAME event for THREAD (any live thread of the process). */
void event_thread_name(pthread_t thread, const char *name) REC_HIDDEN;
/* realloc: marks the free part in flight, returns its time. */
uint64_t event_realloc_begin(void) REC_HIDDEN;
void event_realloc_end(unsigned free_fn, uintptr_t old, uint64_t t0,
    unsigned alloc_fn, uintptr_t ptr, size_t size, uint64_t stack)
    REC_HIDDEN;
void event_realloc_cancel(void) REC_HIDDEN;
/* Anonymous mappings (MAP/UNMAP records); mremap is begun with
   event_realloc_begin() and cancelled with event_realloc_cancel(). */
/* TAG: HT_TAG_MAP + fn (STACK written) or HT_TAG_UNMAP + fn. */
void event_mapping(unsigned tag, uintptr_t addr, size_t len, uint64_t stack)
    REC_HIDDEN;
void event_remap_end(uintptr_t old, size_t old_len, uint64_t t0,
    uintptr_t addr, size_t len, uint64_t stack) REC_HIDDEN;

/*
 * Collection, for the writer: calls TAKE for each registered thread whose
 * buffer holds an event older than OLDER_THAN, with its lock held; if TAKE
 * returns 0 (no room), the lock is dropped, MAKE_ROOM called and the
 * thread tried again.  Returns the smallest of the in-flight realloc
 * starts and of the first times of the buffers left (UINT64_MAX if none):
 * no event older than that is left in any buffer.
 */
uint64_t thread_buffers_collect(uint64_t older_than,
    int (*take)(struct rec_thread *), void (*make_room)(void)) REC_HIDDEN;
/* Ends the streams of threads that are gone without a destructor call;
   MAKE_ROOM as for thread_buffers_collect. */
void thread_buffers_reap(void (*make_room)(void)) REC_HIDDEN;
/* Events, allocations and frees appended so far, all threads. */
void thread_buffers_totals(uint64_t *events, uint64_t *allocs,
    uint64_t *frees) REC_HIDDEN;

/* --- hand-off queue (thread-buffer.c) ------------------------------------ */

/*
 * Copies a thread's buffer into the queue as one chunk.  Never blocks:
 * returns 0 if the queue is full (the caller drops its lock, waits with
 * queue_wait_room(), retries).
 */
int queue_try_push(struct rec_thread *t) REC_HIDDEN;
void queue_wait_room(void) REC_HIDDEN;

struct queue_chunk {
	uint32_t thread;
	uint32_t len;
	uint8_t data[THREAD_BUF_SIZE];
};
/* Writer side: the oldest chunk, or NULL; then queue_pop_done(). */
struct queue_chunk *queue_peek(void) REC_HIDDEN;
void queue_pop_done(void) REC_HIDDEN;
/* Chunks in the queue now. */
unsigned queue_length(void) REC_HIDDEN;
/* Wakes the writer early (a queue is filling up). */
void writer_kick(void) REC_HIDDEN;

/* --- writer (writer.c) ----------------------------------------------------- */

int writer_open(int fd) REC_HIDDEN;	/* takes FD; 0 or -1 */
/* Writes the header frame; before writer_start().  0 or -1.  writer_start
   may be called again after writer_finish (a failed exec). */
int writer_first_frame(const uint8_t *rec, size_t len) REC_HIDDEN;
int writer_start(void) REC_HIDDEN;
/* Final collection, END record; stops the writer thread.  Returns 0, or
   -1 if the writer did not finish in time (it is then abandoned). */
int writer_finish(void) REC_HIDDEN;
/* After writer_finish(): write out what threads appended since. */
void writer_flush_sync(void) REC_HIDDEN;
/* After writer_finish(), per event: flush now and then (LEN: the
   appending thread's buffer fill). */
void writer_straggler(size_t len) REC_HIDDEN;
/* Events that could not be recorded (counted in the trace). */
void writer_count_dropped(uint64_t n) REC_HIDDEN;
void writer_after_fork_child(void) REC_HIDDEN;
/* The recorder's own descriptors, kept from the program's close/dup2. */
int writer_fd_is_ours(int fd) REC_HIDDEN;
void writer_fd_vacate(int fd) REC_HIDDEN;
void writer_fds(int out[2]) REC_HIDDEN;

/* --- frame encoder (frame-encoder.c) ------------------------------------------ */

int frame_encoder_init(void) REC_HIDDEN;
void frame_encoder_reset(void) REC_HIDDEN;
/* Adds a thread's raw buffer as one chunk / raw definition records. */
void frame_add_chunk(uint32_t thread, const uint8_t *raw, size_t len)
    REC_HIDDEN;
void frame_add_defs(const uint8_t *raw, size_t len) REC_HIDDEN;
int frame_fits(size_t raw_len) REC_HIDDEN;	/* room for LEN raw bytes? */
size_t frame_size(void) REC_HIDDEN;		/* bytes staged so far */
/* Writes the finished frame (stream table + streams) to OUT, which has
   HT_FRAME_MAX bytes; empties the encoder; returns the length. */
size_t frame_take(uint8_t *out) REC_HIDDEN;

/* --- modules (modules.c) ------------------------------------------------------ */

/* Compares the loaded objects with the last scan and defines the
   differences.  Called by the writer (which skips it when another
   thread is rescanning) and around dlclose(). */
void modules_rescan(int from_writer) REC_HIDDEN;
void modules_after_fork(void) REC_HIDDEN;
void modules_fork_prepare(void) REC_HIDDEN;
void modules_fork_parent(void) REC_HIDDEN;
void modules_self_range(uintptr_t *lo, uintptr_t *hi) REC_HIDDEN;

#endif /* HEAPTRAIL_RECORDER_H */
