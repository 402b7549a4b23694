/*
 * thread-buffer.c - per-thread event buffers and the hand-off queue.
 *
 * Each thread that makes an event gets a struct rec_thread (mapped, never
 * malloc'ed) registered in a list the writer walks.  Appending an event
 * takes only the thread's own spin lock, which nobody else wants except
 * the writer when it collects idle buffers (every sync period) - so there
 * is no lock shared between threads on the per-event path.
 *
 * A full buffer is copied, as one chunk, into the hand-off queue: a ring of
 * QUEUE_SLOTS chunk slots under queue_lock.  When the ring is full the
 * producer waits (after dropping its own lock, so the writer can still
 * collect it): events are delayed, never dropped.
 *
 * Lock order: a thread lock may be held while taking queue_lock (briefly,
 * never waiting on it); queue_lock is never held while taking a thread
 * lock.  The writer may take the definitions lock while holding a thread
 * lock; no thread takes a thread lock while holding the definitions lock.
 *
 * Many threads: a thread's buffer is THREAD_BUF_SIZE while few threads
 * live, but all live threads share THREAD_BUFFERS_BUDGET (buf_room), and
 * the pages of a buffer past its room, or of a thread that ended, go back
 * to the kernel; so the recorder's memory does not grow with the number
 * of threads (measured: 1000 threads, 104 KiB each before).
 *
 * Thread exit: a pthread key destructor flushes the buffer and marks the
 * struct dead; registration recycles dead ones.  Events after that in the
 * same thread (other keys' destructors) go to one shared "late" buffer.
 * A thread whose destructor never ran (its first event came in the last
 * destructor round) is found gone by the writer (thread_buffers_reap).
 *
 * Times (event_now): as the clock reads, in microseconds, while several
 * threads make events, since the reader orders threads by them; rounded
 * down to the millisecond while one thread alone does (read from the
 * CPU's counter where it can be: rec_now_fast).  On a program that
 * repeats itself, a time per event was most of the trace (the noise of the
 * clock does not compress), and one thread's events need no time to be in
 * order: its chunks keep them so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "recorder.h"

#define QUEUE_SLOTS 32
#define THREAD_BUFFERS_BUDGET (8u << 20)
#define THREAD_BUF_MIN (4u << 10)
#define PAGE_SIZE_MIN 4096u	/* madvise wants page-aligned starts */

/* Threads registered and not ended (the shared late buffer apart). */
static _Atomic uint32_t threads_live;
/* How much of its buffer a thread fills before handing it off. */
static _Atomic uint32_t buf_room = THREAD_BUF_SIZE;

__thread struct rec_thread *tls_thread
    __attribute__((tls_model("initial-exec")));
static __thread int tls_exited __attribute__((tls_model("initial-exec")));

static pthread_key_t thread_key;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: registration and recycling; the list itself is read lock-free */
static struct rec_thread *_Atomic registry_head;
static _Atomic uint32_t next_thread_idx = 1;
static struct rec_thread *late_thread;	/* shared by exiting threads */

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: queue_head, queue_count, the slots between them */
static pthread_cond_t queue_room = PTHREAD_COND_INITIALIZER;
static struct queue_chunk *queue_slots;
static unsigned queue_head, queue_count;

static void
spin_lock(struct rec_thread *t)
{
	unsigned spins = 0;

	while (atomic_flag_test_and_set_explicit(&t->lock,
	    memory_order_acquire)) {
		if (++spins > 64) {
			sched_yield();
			spins = 0;
		}
	}
}

static void
spin_unlock(struct rec_thread *t)
{
	atomic_flag_clear_explicit(&t->lock, memory_order_release);
}

void
thread_buffers_init(void)
{
	pthread_key_create(&thread_key, thread_exit_hook);
	queue_slots = rec_map(sizeof(struct queue_chunk) * QUEUE_SLOTS);
}

/* A thread started (+1) or ended (-1): the room of every buffer. */
static void
threads_live_add(int d)
{
	uint32_t n = atomic_fetch_add(&threads_live, (uint32_t)d) +
	    (uint32_t)d, room;

	room = n == 0 ? THREAD_BUF_SIZE : THREAD_BUFFERS_BUDGET / n;
	if (room > THREAD_BUF_SIZE)
		room = THREAD_BUF_SIZE;
	if (room < THREAD_BUF_MIN)
		room = THREAD_BUF_MIN;
	atomic_store_explicit(&buf_room, room & ~(PAGE_SIZE_MIN - 1),
	    memory_order_relaxed);
}

/* Gives the pages of T's empty buffer from KEEP bytes on back. */
static void
buf_release(struct rec_thread *t, size_t keep)
{
	/* The whole pages between buf + keep and buf + touched (buf
	   itself does not start on a page). */
	uintptr_t from = ((uintptr_t)t->buf + keep + PAGE_SIZE_MIN - 1) &
	    ~(uintptr_t)(PAGE_SIZE_MIN - 1);
	uintptr_t to = ((uintptr_t)t->buf + t->touched) &
	    ~(uintptr_t)(PAGE_SIZE_MIN - 1);

	if (t->touched <= keep)
		return;
	if (to > from)
		syscall(SYS_madvise, (void *)from, to - from, MADV_DONTNEED);
	t->touched = keep;
}

/* --- hand-off queue ----------------------------------------------------- */

int
queue_try_push(struct rec_thread *t)
{
	struct queue_chunk *c;

	pthread_mutex_lock(&queue_lock);
	if (queue_count == QUEUE_SLOTS) {
		pthread_mutex_unlock(&queue_lock);
		return 0;
	}
	c = &queue_slots[(queue_head + queue_count) % QUEUE_SLOTS];
	c->thread = t->idx;
	c->len = (uint32_t)t->len;
	memcpy(c->data, t->buf, t->len);
	queue_count++;
	pthread_mutex_unlock(&queue_lock);

	if (t->len > t->touched)
		t->touched = t->len;
	if (t->touched > atomic_load_explicit(&buf_room, memory_order_relaxed))
		buf_release(t, atomic_load_explicit(&buf_room,
		    memory_order_relaxed));
	t->len = 0;
	if (t->min_ts < t->last_ts)
		t->min_ts = t->last_ts;	/* the newest time, kept */
	t->last_ts = 0;
	t->last_ptr = 0;
	writer_kick();
	return 1;
}

void
queue_wait_room(void)
{
	if (rec_state == REC_FINISHED) {
		writer_flush_sync();	/* no writer any more: drain it */
		return;
	}
	writer_kick();
	pthread_mutex_lock(&queue_lock);
	while (queue_count == QUEUE_SLOTS)
		pthread_cond_wait(&queue_room, &queue_lock);
	pthread_mutex_unlock(&queue_lock);
}

struct queue_chunk *
queue_peek(void)
{
	struct queue_chunk *c = NULL;

	pthread_mutex_lock(&queue_lock);
	if (queue_count > 0)
		c = &queue_slots[queue_head];
	pthread_mutex_unlock(&queue_lock);
	return c;
}

unsigned
queue_length(void)
{
	unsigned n;

	pthread_mutex_lock(&queue_lock);
	n = queue_count;
	pthread_mutex_unlock(&queue_lock);
	return n;
}

void
queue_pop_done(void)
{
	pthread_mutex_lock(&queue_lock);
	queue_head = (queue_head + 1) % QUEUE_SLOTS;
	queue_count--;
	/*
	 * One slot: one waiter.  Waking them all made every chunk the writer
	 * took wake every waiting thread (1000 threads: most of the time in
	 * the scheduler).  A waiter that wakes and does not fill the slot
	 * leaves the others to the next pop; when the queue is empty all
	 * wake, so none sleeps on with room there.
	 */
	if (queue_count == 0)
		pthread_cond_broadcast(&queue_room);
	else
		pthread_cond_signal(&queue_room);
	pthread_mutex_unlock(&queue_lock);
}

/* --- registration -------------------------------------------------------- */

/* Locks T with room for one event, handing the buffer off if full. */
static uint8_t *
buf_begin(struct rec_thread *t)
{
	for (;;) {
		spin_lock(t);
		if (t->len + EVENT_MAX <= atomic_load_explicit(&buf_room,
		    memory_order_relaxed))
			return t->buf + t->len;
		if (queue_try_push(t))
			return t->buf;
		spin_unlock(t);
		queue_wait_room();
	}
}

static void
buf_end(struct rec_thread *t, uint8_t *p)
{
	t->len = (size_t)(p - t->buf);
	spin_unlock(t);
	if (rec_state == REC_FINISHED)
		writer_straggler(t->len);
}

/* --- times ---------------------------------------------------------------- */

/*
 * The thread alone making events (the first thread from its first event,
 * then the one the writer found alone in its last tick; NULL: none or
 * several), and the latest time, less than COARSE_UNITS old when stored,
 * of an event of any other thread (0: no other thread made one yet; its
 * first always stores).  The sole thread rounds
 * its times down only when no other thread made one for LONE_UNITS: then any
 * event of another thread that its events may depend on (a block passed
 * over, an address reused; they synchronize through a lock, which makes
 * other_ts visible) is at least a millisecond older than its rounded
 * time, so the order by time stays right.  Which thread the writer picks
 * decides only how much is rounded, never the order.
 */
#define COARSE_UNITS (1000000ull / HT_TIME_UNIT_NS)	/* a millisecond */
#define LONE_UNITS (3 * COARSE_UNITS)

static struct rec_thread *_Atomic sole_thread;
static _Atomic uint64_t other_ts;

/* T rounded down to 1 plus a multiple of COARSE_UNITS (times are >= 1). */
static inline uint64_t
round_time(uint64_t t)
{
	return t == 0 ? 0 : t - (t - 1) % COARSE_UNITS;
}

/*
 * What a SYNC may promise when the clock reads T: a lone thread's next
 * event may read the cheaper clock, a little earlier than T, and round
 * that down.
 */
uint64_t
thread_buffers_sync_time(uint64_t t)
{
	uint64_t margin = rec_now_fast_margin();

	return round_time(t > margin ? t - margin : 0);
}

/*
 * An event of a thread other than the sole one at TS (SEEN: other_ts as
 * read): keeps other_ts within COARSE_UNITS of it, and sets it at the
 * first such event whenever it comes (other_ts 0 tells the sole thread
 * that there was none).
 */
static inline void
note_other(uint64_t ts, uint64_t seen)
{
	while ((seen == 0 || ts >= seen + COARSE_UNITS) &&
	    !atomic_compare_exchange_weak_explicit(&other_ts, &seen, ts,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

/*
 * The time of an event of T, now (see above).  The lone thread reads the
 * cheaper clock (rec_now_fast), never later than the other: so it only
 * errs towards the safe side of the test against other_ts, and its
 * rounded time is older still.
 */
static inline uint64_t
event_now(const struct rec_thread *t)
{
	uint64_t ts, seen;

	seen = atomic_load_explicit(&other_ts, memory_order_relaxed);
	if (atomic_load_explicit(&sole_thread, memory_order_relaxed) == t) {
		ts = rec_now_fast();
		if (seen == 0 || (ts > seen && ts - seen > LONE_UNITS))
			return round_time(ts);
		return rec_now();
	}
	ts = rec_now();
	note_other(ts, seen);
	return ts;
}

/*
 * Every tick: which thread alone made heap events since the last call
 * (sole_thread), if one did.  Takes each thread's lock briefly.
 */
void
thread_buffers_pick_sole(void)
{
	struct rec_thread *t, *active = NULL;
	unsigned n = 0;

	t = atomic_load_explicit(&registry_head, memory_order_acquire);
	for (; t != NULL; t = t->next) {
		uint64_t events;

		spin_lock(t);
		events = t->n_events;
		spin_unlock(t);
		if (events != t->events_at_tick && !t->dead) {
			active = t;
			n++;
		}
		t->events_at_tick = events;
	}
	if (n == 1 && !active->shared)
		atomic_store_explicit(&sole_thread, active,
		    memory_order_relaxed);
	else if (n > 1)
		atomic_store_explicit(&sole_thread, NULL,
		    memory_order_relaxed);
}

/*
 * Tag and time of an event; times never go backwards within a chunk, nor
 * come back to a marker's.
 */
static uint8_t *
put_head(struct rec_thread *t, uint8_t *p, unsigned tag, uint64_t ts)
{
	if (ts < t->min_ts)
		ts = t->min_ts;
	if (ts < t->last_ts)
		ts = t->last_ts;
	if (p == t->buf)
		t->first_ts = ts;
	*p++ = (uint8_t)tag;
	p = ht_put_varint(p, ts - t->last_ts);
	t->last_ts = ts;
	return p;
}

static uint8_t *
put_ptr(struct rec_thread *t, uint8_t *p, uintptr_t ptr)
{
	p = ht_put_svarint(p, (int64_t)(ptr - t->last_ptr));
	t->last_ptr = ptr;
	return p;
}

static uint8_t *
put_name(struct rec_thread *t, uint8_t *p, const char *name)
{
	p = put_head(t, p, HT_TAG_THREAD_NAME, event_now(t));
	return ht_put_bytes(p, name, strnlen(name, 31));
}

/* THREAD_START with the thread's name: the first event of its stream. */
static void
thread_start_record(struct rec_thread *t)
{
	char name[32] = "";
	uint8_t *p;

	p = buf_begin(t);
	p = put_head(t, p, HT_TAG_THREAD_START, event_now(t));
	p = ht_put_varint(p, (uint64_t)t->tid);
	if (t->shared)
		strcpy(name, "(exiting threads)");
	else
		prctl(PR_GET_NAME, name, 0, 0, 0);
	p = put_name(t, p, name);
	buf_end(t, p);
}

static struct rec_thread *
thread_register(int shared)
{
	struct rec_thread *t;
	pid_t tid = shared ? 0 : (pid_t)syscall(SYS_gettid);

	/* The identity changes under the struct's lock: the reaper checks. */
	pthread_mutex_lock(&registry_lock);
	for (t = registry_head; t != NULL; t = t->next) {
		if (!t->dead)
			continue;
		spin_lock(t);
		if (t->dead && t->len == 0) {
			t->dead = 0;
			t->idx = atomic_fetch_add(&next_thread_idx, 1);
			t->shared = shared;
			t->tid = tid;
			t->self = pthread_self();
			spin_unlock(t);
			break;
		}
		spin_unlock(t);
	}
	if (t == NULL) {
		t = rec_map(sizeof *t);
		if (t == NULL) {
			pthread_mutex_unlock(&registry_lock);
			return NULL;
		}
		t->idx = atomic_fetch_add(&next_thread_idx, 1);
		t->shared = shared;
		t->tid = tid;
		t->self = pthread_self();
		t->next = registry_head;
		atomic_store_explicit(&registry_head, t, memory_order_release);
	}
	pthread_mutex_unlock(&registry_lock);

	if (!shared) {
		struct rec_thread *none = NULL;

		threads_live_add(1);
		/* The first thread is alone from its first event. */
		if (atomic_load(&threads_live) == 1)
			atomic_compare_exchange_strong(&sole_thread, &none, t);
		unwind_thread_init(&t->unwind, tid == getpid(),
		    atomic_load(&threads_live) > UNWIND_FULL_THREADS);
	}
	thread_start_record(t);
	return t;
}

/*
 * In a fork child, only the thread that called fork() exists.  Every
 * other thread's struct is marked dead and emptied (its events are the
 * parent's to write), the hand-off queue is emptied, and the locks start
 * over (threads that do not exist here may have held them).  The calling
 * thread becomes thread 1 of the child's trace, starting with a new
 * THREAD_START; the writer must be ready for events (see fork_child).
 */
void
thread_buffers_after_fork(void)
{
	struct rec_thread *t, *self = tls_thread;

	pthread_mutex_init(&registry_lock, NULL);
	pthread_mutex_init(&queue_lock, NULL);
	pthread_cond_init(&queue_room, NULL);
	queue_head = queue_count = 0;
	late_thread = NULL;
	atomic_store(&next_thread_idx, 1);
	atomic_store(&sole_thread, self);	/* the child's only thread */
	atomic_store(&other_ts, 0);
	for (t = registry_head; t != NULL; t = t->next) {
		atomic_flag_clear(&t->lock);
		t->len = 0;
		t->last_ts = t->last_ptr = t->min_ts = 0;
		atomic_store(&t->inflight_ts, 0);
		t->n_events = t->n_allocs = t->n_frees = 0;
		if (t != self)
			t->dead = 1;
	}
	atomic_store(&threads_live, 0);
	threads_live_add(self != NULL && !self->shared);
	if (self != NULL) {
		self->idx = atomic_fetch_add(&next_thread_idx, 1);
		self->tid = (pid_t)syscall(SYS_gettid);
		self->self = pthread_self();
		thread_start_record(self);
	}
}

void
thread_buffers_wait_unwinds(void)
{
	struct rec_thread *t;

	/* (Not the forking thread's own: fork from a signal handler that
	   interrupted an unwind would wait for itself.) */
	for (t = atomic_load_explicit(&registry_head, memory_order_acquire);
	    t != NULL; t = t->next)
		while (t != tls_thread && atomic_load_explicit(&t->unwinding,
		    memory_order_acquire) > 0)
			sched_yield();
}

/* thread_current() when the thread has no struct yet (recorder.h). */
struct rec_thread *
thread_current_slow(void)
{
	struct rec_thread *t;

	if (tls_exited) {
		pthread_mutex_lock(&registry_lock);
		t = late_thread;
		pthread_mutex_unlock(&registry_lock);
		if (t == NULL) {
			t = thread_register(1);
			pthread_mutex_lock(&registry_lock);
			if (late_thread == NULL)
				late_thread = t;
			else if (t != NULL)
				t->dead = 1;	/* lost a race; recycle */
			t = late_thread;
			pthread_mutex_unlock(&registry_lock);
		}
		return t;
	}
	t = thread_register(0);
	tls_thread = t;
	if (t != NULL)
		pthread_setspecific(thread_key, t);
	return t;
}

/*
 * Ends T's stream: THREAD_END, hand the buffer off, mark it dead.  T is
 * locked on entry and unlocked on return.  WAIT makes room in the queue
 * when it is full (the writer itself must not wait for the writer).
 */
static void
thread_end_locked(struct rec_thread *t, const char *name, void (*wait)(void))
{
	uint8_t *p;

	if (t->len + EVENT_MAX > THREAD_BUF_SIZE) {
		while (!queue_try_push(t)) {
			spin_unlock(t);
			wait();
			spin_lock(t);
		}
	}
	p = t->buf + t->len;
	if (name != NULL)
		p = put_name(t, p, name);
	p = put_head(t, p, HT_TAG_THREAD_END, event_now(t));
	t->len = (size_t)(p - t->buf);
	while (!queue_try_push(t)) {
		spin_unlock(t);
		wait();
		spin_lock(t);
	}
	t->dead = 1;
	buf_release(t, 0);
	if (!t->shared)
		threads_live_add(-1);
	spin_unlock(t);
}

void
thread_exit_hook(void *arg)
{
	struct rec_thread *t = arg;
	char name[32] = "";
	int saved = rec_guard;

	tls_thread = NULL;
	tls_exited = 1;
	if (rec_state == REC_OFF)
		return;		/* a fork child, or not recording */
	rec_guard = 1;
	prctl(PR_GET_NAME, name, 0, 0, 0);
	spin_lock(t);
	thread_end_locked(t, name, queue_wait_room);
	if (rec_state == REC_FINISHED)
		writer_flush_sync();
	rec_guard = saved;
}

uint64_t
thread_buffers_collect(uint64_t older_than, int (*take)(struct rec_thread *),
    void (*make_room)(void))
{
	struct rec_thread *t;
	uint64_t oldest = UINT64_MAX;

	t = atomic_load_explicit(&registry_head, memory_order_acquire);
	while (t != NULL) {
		uint64_t f;

		spin_lock(t);
		f = atomic_load_explicit(&t->inflight_ts, memory_order_relaxed);
		if (f != 0 && f < oldest)
			oldest = f;
		if (t->len > 0 && t->first_ts >= older_than) {
			/* Left: its events are all first_ts or later. */
			if (t->first_ts < oldest)
				oldest = t->first_ts;
		} else if (t->len > 0 && !take(t)) {
			/* No room: make some without holding T, then again. */
			spin_unlock(t);
			make_room();
			continue;
		}
		spin_unlock(t);
		t = t->next;
	}
	return oldest;
}

void
thread_buffers_reap(void (*make_room)(void))
{
	struct rec_thread *t;
	pid_t pid = getpid();

	t = atomic_load_explicit(&registry_head, memory_order_acquire);
	for (; t != NULL; t = t->next) {
		pid_t tid = t->tid;

		if (t->dead || t->shared || tid == 0)
			continue;
		if (syscall(SYS_tgkill, pid, tid, 0) == 0 || errno != ESRCH)
			continue;
		spin_lock(t);
		if (t->dead || t->tid != tid) {	/* ended or reused meanwhile */
			spin_unlock(t);
			continue;
		}
		thread_end_locked(t, NULL, make_room);
	}
}

/* --- events --------------------------------------------------------------- */

/*
 * The calling thread's buffer, locked, with room for an event (*TP: its
 * struct); NULL, the event counted as dropped, if the thread has none.
 */
static inline uint8_t *
event_begin(struct rec_thread **tp)
{
	*tp = thread_current();
	if (*tp == NULL) {
		writer_count_dropped(1);
		return NULL;
	}
	return buf_begin(*tp);
}

void
event_alloc(unsigned fn, uintptr_t ptr, size_t size, uint64_t stack,
    uint64_t ts)
{
	struct rec_thread *t;
	uint8_t *p = event_begin(&t);

	if (p == NULL)
		return;
	p = put_head(t, p, HT_TAG_ALLOC + fn, ts ? ts : event_now(t));
	p = put_ptr(t, p, ptr);
	p = ht_put_varint(p, size);
	p = ht_put_varint(p, stack);
	t->n_events++;
	t->n_allocs++;
	buf_end(t, p);
}

void
event_free(unsigned fn, uintptr_t ptr)
{
	struct rec_thread *t;
	uint8_t *p = event_begin(&t);

	if (p == NULL)
		return;
	p = put_head(t, p, HT_TAG_FREE + fn, event_now(t));
	p = put_ptr(t, p, ptr);
	t->n_events++;
	t->n_frees++;
	buf_end(t, p);
}

void
event_mark(const char *label)
{
	struct rec_thread *t;
	uint64_t ts;
	uint8_t *p = event_begin(&t);

	if (p == NULL)
		return;
	/* Apart in time from the events before and after it, rounded or
	   not: queries take what is live at a marker by time. */
	ts = rec_now();
	if (atomic_load_explicit(&sole_thread, memory_order_relaxed) != t)
		note_other(ts, atomic_load_explicit(&other_ts,
		    memory_order_relaxed));
	if (ts <= t->last_ts || ts <= t->min_ts)
		ts = (t->last_ts > t->min_ts ? t->last_ts : t->min_ts) + 1;
	p = put_head(t, p, HT_TAG_MARK, ts);
	t->min_ts = ts + 1;
	p = ht_put_bytes(p, label, strnlen(label, 255));
	buf_end(t, p);
}

/*
 * realloc frees the old block inside the call and allocates the new one
 * inside it too, so the free part is stamped before the call and the
 * allocation after it.  While the call runs, inflight_ts keeps the writer
 * from promising (SYNC) a time past the free part, which is appended only
 * after the call.  Shared buffers (exiting threads) stamp both at the end.
 */
/*
 * Mapping events: the address is a plain varint (not a delta: mappings
 * are few and far from the heap), then the length, then for MAP the
 * stack.  Not counted in n_events, which counts heap events for END.
 */
static uint8_t *
put_mapping(struct rec_thread *t, uint8_t *p, unsigned tag, uint64_t ts,
    uintptr_t addr, size_t len)
{
	p = put_head(t, p, tag, ts);
	p = ht_put_varint(p, addr);
	return ht_put_varint(p, len);
}

void
event_mapping(unsigned tag, uintptr_t addr, size_t len, uint64_t stack)
{
	struct rec_thread *t;
	uint8_t *p = event_begin(&t);

	if (p == NULL)
		return;
	p = put_mapping(t, p, tag, event_now(t), addr, len);
	if (ht_tag_is_map(tag))
		p = ht_put_varint(p, stack);
	buf_end(t, p);
}

/* mremap: as event_realloc_end, for mappings (begun the same way). */
void
event_remap_end(uintptr_t old, size_t old_len, uint64_t t0, uintptr_t addr,
    size_t len, uint64_t stack)
{
	struct rec_thread *t = thread_current();
	uint8_t *p;

	if (t == NULL) {
		writer_count_dropped(2);
		return;
	}
	p = buf_begin(t);
	p = put_mapping(t, p, HT_TAG_UNMAP + HT_UNMAP_MREMAP,
	    t0 ? t0 : event_now(t), old, old_len);
	p = put_mapping(t, p, HT_TAG_MAP + HT_MAP_MREMAP, event_now(t), addr,
	    len);
	p = ht_put_varint(p, stack);
	atomic_store_explicit(&t->inflight_ts, 0, memory_order_relaxed);
	buf_end(t, p);
}

void
event_thread_name(pthread_t thread, const char *name)
{
	struct rec_thread *t;
	uint8_t *p;

	if (pthread_equal(thread, pthread_self())) {
		t = thread_current();
	} else {
		/* Another thread: the live one registered with that id. */
		for (t = atomic_load_explicit(&registry_head,
		    memory_order_acquire); t != NULL; t = t->next) {
			spin_lock(t);
			if (!t->dead && !t->shared &&
			    pthread_equal(t->self, thread))
				break;
			spin_unlock(t);
		}
		if (t == NULL)
			return;		/* not seen yet: named at its start */
		spin_unlock(t);
	}
	if (t == NULL)
		return;
	p = buf_begin(t);
	p = put_name(t, p, name);
	buf_end(t, p);
}

uint64_t
event_realloc_begin(void)
{
	struct rec_thread *t = thread_current();
	uint64_t t0;

	if (t == NULL || t->shared)
		return 0;
	spin_lock(t);
	t0 = event_now(t);
	atomic_store_explicit(&t->inflight_ts, t0, memory_order_relaxed);
	spin_unlock(t);
	return t0;
}

void
event_realloc_cancel(void)
{
	struct rec_thread *t = tls_thread;

	if (t != NULL)
		atomic_store_explicit(&t->inflight_ts, 0, memory_order_relaxed);
}

void
event_realloc_end(unsigned free_fn, uintptr_t old, uint64_t t0,
    unsigned alloc_fn, uintptr_t ptr, size_t size, uint64_t stack)
{
	struct rec_thread *t = thread_current();
	uint8_t *p;

	if (t == NULL) {
		writer_count_dropped(ptr ? 2 : 1);
		return;
	}
	p = buf_begin(t);
	p = put_head(t, p, HT_TAG_FREE + free_fn, t0 ? t0 : event_now(t));
	p = put_ptr(t, p, old);
	t->n_events++;
	t->n_frees++;
	if (ptr != 0) {
		t->n_events++;
		t->n_allocs++;
		p = put_head(t, p, HT_TAG_ALLOC + alloc_fn, event_now(t));
		p = put_ptr(t, p, ptr);
		p = ht_put_varint(p, size);
		p = ht_put_varint(p, stack);
	}
	atomic_store_explicit(&t->inflight_ts, 0, memory_order_relaxed);
	buf_end(t, p);
}

void
thread_buffers_totals(uint64_t *events, uint64_t *allocs, uint64_t *frees)
{
	struct rec_thread *t;

	*events = *allocs = *frees = 0;
	t = atomic_load_explicit(&registry_head, memory_order_acquire);
	for (; t != NULL; t = t->next) {
		spin_lock(t);
		*events += t->n_events;
		*allocs += t->n_allocs;
		*frees += t->n_frees;
		spin_unlock(t);
	}
}
