/*
 * recorder.c - start and stop libheaptrail.so inside the recorded process.
 *
 * The constructor reads the settings (HEAPTRAIL_OUTPUT, HEAPTRAIL_DEPTH,
 * HEAPTRAIL_QUIET), opens the trace, writes its header frame, and starts
 * the writer; from then on the hooks record.  The destructor (and the
 * _exit and exec hooks, and quick_exit) stop it: final collection, END
 * record.  Before that, the hooks of main and exit mark the end of the
 * program's work (rec_work_end).  Other destructors may run after ours
 * (the loader's order is not ours to choose) and other threads may still
 * be running: their events are written by the threads themselves from
 * then on (REC_FINISHED, see writer_straggler), the last ones when exit()
 * flushes stdio.
 *
 * Owns: the configuration, the recorder state, the time base.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_initStaticDCtx */
#include <zstd.h>

#include "recorder.h"

extern char **environ;

struct rec_config rec_config = { .depth = 64 };
_Atomic int rec_state = REC_OFF;
__thread int rec_guard __attribute__((tls_model("initial-exec")));

static uint64_t base_ns;
static pid_t recorder_pid;
static char exe_path[4096];		/* /proc/self/exe at start */
static char output_pattern[4096];	/* HEAPTRAIL_OUTPUT, made absolute */
static char trace_path[4096];		/* this process's trace */
static char exec_side_path[4096 + 16];	/* trace_path moved there by exec */
static int exec_keeps_name;		/* an exec'd image writes trace_path */

/*
 * The last flush.  exit() runs the atexit handlers (among them the one
 * that runs every ELF destructor, ours included, in an order we do not
 * control), and only then flushes stdio streams.  A stream of our own
 * with one byte pending gets its write function called at that point,
 * after every destructor, to write out what they freed.  This is the one
 * use of stdio in the recorder; the buffer is static, nothing allocates
 * after the constructor.
 */
static FILE *last_flush_stream;
static char last_flush_buf[64];

static ssize_t
last_flush_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	writer_flush_sync();
	return (ssize_t)size;
}
static atomic_flag stopping = ATOMIC_FLAG_INIT;

void
rec_warn(const char *msg, const char *arg)
{
	char buf[512];
	size_t n = 0;
	const char *parts[] = { "heaptrail: ", msg, arg, "\n" };
	size_t i;

	if (rec_config.quiet)
		return;
	for (i = 0; i < 4; i++) {
		size_t len = parts[i] ? strlen(parts[i]) : 0;

		if (len > sizeof buf - n)
			len = sizeof buf - n;
		memcpy(buf + n, parts[i], len);
		n += len;
	}
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

/* The recorder's own memory: straight from the kernel, never through
   the mmap/munmap hooks (hooks.c). */
void *
rec_map(size_t size)
{
	long p = syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == -1 ? NULL : (void *)p;
}

void
rec_unmap(void *p, size_t size)
{
	if (p != NULL)
		syscall(SYS_munmap, p, size);
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
rec_now(void)
{
	return (clock_ns(CLOCK_MONOTONIC) - base_ns) / HT_TIME_UNIT_NS;
}

/*
 * A cheaper clock for a thread alone making events (thread-buffer.c): the
 * CPU's time-stamp counter, scaled by the writer's calibration against
 * the monotonic clock every tick.  On the machine of bench/RESULTS.md the
 * clock costs 30 ns a read, the counter 12, and a request loop made 13%
 * of its samples in the clock.  Only on x86-64, only with an invariant
 * counter (the kernel's clock source is the TSC), and never more than
 * TSC_STALE_NS past the last calibration; else the clock itself.  A
 * calibration point whose clock read took over TSC_POINT_CYCLES (it was
 * preempted) is dropped, and a scale's two points are TSC_SPAN_NS or more
 * apart: each within 1000 cycles of the truth, on a counter of 2 GHz or
 * more a reading TSC_STALE_NS on is off by at most 10 us, and reads come
 * TSC_MARGIN_NS early, so they are never later than the clock's.
 */
#define TSC_MARGIN_NS 20000ull
#define TSC_STALE_NS 100000000ull
#define TSC_POINT_CYCLES 2000
#define TSC_SPAN_NS 10000000ull

static struct {
	_Atomic uint64_t seq;		/* odd while being written */
	_Atomic uint64_t tsc0, ns0, mult;	/* ns = ns0 + (tsc - tsc0) *
						   mult / 2^32 */
} tsc_scale;
static int tsc_usable;
static uint64_t tsc_prev, tsc_prev_ns;	/* the writer's previous point */

#if defined(__x86_64__)
static uint64_t
tsc_read(void)
{
	return __rdtsc();
}

static int
tsc_invariant(void)
{
	char buf[32] = "";
	int fd = open("/sys/devices/system/clocksource/clocksource0/"
	    "current_clocksource", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);

		close(fd);
		buf[n > 0 ? n : 0] = '\0';
	}
	return strncmp(buf, "tsc", 3) == 0 && (buf[3] == '\n' ||
	    buf[3] == '\0');
}
#else
static uint64_t
tsc_read(void)
{
	return 0;
}

static int
tsc_invariant(void)
{
	return 0;
}
#endif

/* In a fork child: the parent's writer may have been inside a calibration
   (an odd seq would hold every reader forever); start over. */
void
rec_clock_after_fork(void)
{
	atomic_store(&tsc_scale.seq, 0);
	atomic_store(&tsc_scale.mult, 0);
	tsc_prev = tsc_prev_ns = 0;
}

/* Every writer tick: a new point, and the scale from the one before. */
void
rec_clock_calibrate(void)
{
	uint64_t t1, t2, ns, tsc, mult, seq;

	if (!tsc_usable)
		return;
	t1 = tsc_read();
	ns = clock_ns(CLOCK_MONOTONIC);
	t2 = tsc_read();
	if (t2 < t1 || t2 - t1 > TSC_POINT_CYCLES)
		return;		/* preempted in between: not a point */
	tsc = t1 + (t2 - t1) / 2;
	if (tsc_prev != 0 && ns < tsc_prev_ns + TSC_SPAN_NS)
		return;		/* too close to the point before */
	if (tsc_prev != 0 && tsc > tsc_prev && tsc - tsc_prev < (1ull << 40)) {
		mult = (uint64_t)(((unsigned __int128)(ns - tsc_prev_ns) << 32) /
		    (tsc - tsc_prev));
		seq = atomic_load_explicit(&tsc_scale.seq,
		    memory_order_relaxed);
		atomic_store_explicit(&tsc_scale.seq, seq + 1,
		    memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		atomic_store_explicit(&tsc_scale.tsc0, tsc,
		    memory_order_relaxed);
		atomic_store_explicit(&tsc_scale.ns0, ns,
		    memory_order_relaxed);
		atomic_store_explicit(&tsc_scale.mult, mult,
		    memory_order_relaxed);
		atomic_store_explicit(&tsc_scale.seq, seq + 2,
		    memory_order_release);
	}
	tsc_prev = tsc;
	tsc_prev_ns = ns;
}

uint64_t
rec_now_fast(void)
{
	uint64_t seq, tsc0, ns0, mult, tsc, d, ns;

	do {
		seq = atomic_load_explicit(&tsc_scale.seq,
		    memory_order_acquire);
		tsc0 = atomic_load_explicit(&tsc_scale.tsc0,
		    memory_order_relaxed);
		ns0 = atomic_load_explicit(&tsc_scale.ns0,
		    memory_order_relaxed);
		mult = atomic_load_explicit(&tsc_scale.mult,
		    memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
	} while ((seq & 1) || seq != atomic_load_explicit(&tsc_scale.seq,
	    memory_order_relaxed));
	if (mult == 0)
		return rec_now();
	tsc = tsc_read();
	d = tsc - tsc0;
	if (tsc < tsc0 || (ns = (uint64_t)(((unsigned __int128)d * mult) >>
	    32)) > TSC_STALE_NS)
		return rec_now();
	ns += ns0 - TSC_MARGIN_NS;
	return ns > base_ns + HT_TIME_UNIT_NS ? (ns - base_ns) /
	    HT_TIME_UNIT_NS : 1;
}

uint64_t
rec_now_fast_margin(void)
{
	return TSC_MARGIN_NS / HT_TIME_UNIT_NS + 1;
}

/* Appends decimal V at P, not past END; returns the new end. */
char *
rec_put_decimal(char *p, char *end, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0 && p < end)
		*p++ = tmp[--n];
	return p;
}

/*
 * Expands %p (pid), %e (program name) and %% in PATTERN into OUT.
 * Returns whether %p was present.
 */
static int
expand_output(const char *pattern, const char *exe, char *out, size_t cap)
{
	const char *name = strrchr(exe, '/');
	char *p = out, *end = out + cap - 1;
	int has_pid = 0;

	name = name ? name + 1 : exe;
	for (; *pattern && p < end; pattern++) {
		if (pattern[0] != '%' || pattern[1] == '\0') {
			*p++ = *pattern;
			continue;
		}
		pattern++;
		if (*pattern == 'p') {
			p = rec_put_decimal(p, end, (unsigned long)getpid());
			has_pid = 1;
		} else if (*pattern == 'e') {
			size_t n = strlen(name);

			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			memcpy(p, name, n);
			p += n;
		} else {
			*p++ = *pattern;
		}
	}
	*p = '\0';
	return has_pid;
}

static size_t
read_file(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

/*
 * Was PATH written by this very process, before it exec'd?  (Then the
 * trace must be kept: the new program gets another name.)  Reads the pid
 * from the header frame: the first field of the OTHER stream.  Decodes
 * with a context in pages of our own: no malloc, also just before exec.
 */
static int
trace_is_mine(const char *path)
{
	static uint8_t in[1 << 16], out[1 << 16];
	static ZSTD_DCtx *dctx;
	const uint8_t *p, *end;
	uint64_t n, len, skip = 0, pid;
	ssize_t got;
	size_t size;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, in, sizeof in);
	close(fd);
	if (got <= HT_PREFIX_LEN || memcmp(in, HT_MAGIC, HT_MAGIC_LEN) != 0)
		return 0;
	if (dctx == NULL) {
		size_t room = ZSTD_estimateDCtxSize();
		void *w = rec_map(room);

		if (w == NULL || (dctx = ZSTD_initStaticDCtx(w, room)) == NULL) {
			rec_unmap(w, room);
			return 0;
		}
	}
	size = ZSTD_decompressDCtx(dctx, out, sizeof out, in + HT_PREFIX_LEN,
	    (size_t)got - HT_PREFIX_LEN);
	if (ZSTD_isError(size)) {
		/* Only the first frame is wanted: decode just it. */
		size_t f = ZSTD_findFrameCompressedSize(in + HT_PREFIX_LEN,
		    (size_t)got - HT_PREFIX_LEN);

		if (ZSTD_isError(f))
			return 0;
		size = ZSTD_decompressDCtx(dctx, out, sizeof out,
		    in + HT_PREFIX_LEN, f);
		if (ZSTD_isError(size))
			return 0;
	}
	p = out;
	end = out + size;
	if (ht_get_varint(&p, end, &n) != 0 || n != HT_STREAMS)
		return 0;
	for (i = 0; i < HT_STREAMS; i++) {
		if (ht_get_varint(&p, end, &len) != 0)
			return 0;
		if (i < HT_STREAM_OTHER)
			skip += len;
	}
	if (skip > (uint64_t)(end - p))
		return 0;
	p += skip;
	return ht_get_varint(&p, end, &pid) == 0 && pid == (uint64_t)getpid();
}

/*
 * Opens the trace at PATH (PATH_CAP bytes).  An existing file is
 * replaced, unless this process wrote it before it exec'd and could not
 * move it aside (see rec_before_exec): then the new program writes
 * PATH.1 (or .2 ...) and PATH is updated.
 */
static int
open_trace(char *path, size_t cap)
{
	size_t len = strlen(path);
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0 || errno != EEXIST)
		return fd;
	if (!trace_is_mine(path))
		return open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	for (i = 1; i < 1000 && len + 5 < cap; i++) {
		char *p = rec_put_decimal(path + len + 1, path + cap - 1,
		    (unsigned long)i);

		path[len] = '.';
		*p = '\0';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* The first frame: the HEADER record. */
static int
write_header(const char *exe)
{
	static char args[16384];
	static uint8_t rec[sizeof args + 4096 + 128];
	size_t args_len = read_file("/proc/self/cmdline", args, sizeof args);
	uint8_t *p = rec;

	*p++ = HT_TAG_HEADER;
	p = ht_put_varint(p, (uint64_t)getpid());
	p = ht_put_varint(p, (uint64_t)getppid());
	p = ht_put_varint(p, (uint64_t)sysconf(_SC_PAGESIZE));
	p = ht_put_varint(p, clock_ns(CLOCK_REALTIME) -
	    (clock_ns(CLOCK_MONOTONIC) - base_ns));
	p = ht_put_varint(p, HT_TIME_UNIT_NS);
	p = ht_put_varint(p, (uint64_t)rec_config.depth);
	p = ht_put_bytes(p, exe, strlen(exe));
	p = ht_put_bytes(p, args, args_len);
	return writer_first_frame(rec, (size_t)(p - rec));
}

/*
 * PATTERN made absolute with the current directory into OUT (CAP bytes;
 * left relative if that does not fit): the program may chdir() before it
 * forks or execs, and its children must write where it was started.
 */
static void
make_absolute(const char *pattern, char *out, size_t cap)
{
	size_t dir_len, len = strlen(pattern);

	out[0] = '\0';
	if (pattern[0] != '/' && getcwd(out, cap) != NULL) {
		dir_len = strlen(out);
		if (dir_len > 0 && out[dir_len - 1] == '/')
			dir_len--;
		if (dir_len + 1 + len < cap) {
			out[dir_len] = '/';
			memcpy(out + dir_len + 1, pattern, len + 1);
			return;
		}
	}
	if (len < cap)
		memcpy(out, pattern, len + 1);
	else
		out[0] = '\0';
}

/*
 * The trace path for this process from the output pattern: %p is this
 * process's pid; a pattern without %p gets ".<pid>" added, so that
 * processes sharing the pattern (fork children, exec'd programs) never
 * write to one file.  Returns 0, or -1 if it does not fit.
 */
static int
trace_path_for_child(char *path, size_t cap)
{
	size_t len;
	char *end;

	if (expand_output(output_pattern, exe_path, path, cap))
		return 0;
	len = strlen(path);
	if (len + 24 > cap)
		return -1;
	path[len] = '.';
	end = rec_put_decimal(path + len + 1, path + cap - 1,
	    (unsigned long)getpid());
	*end = '\0';
	return 0;
}

/*
 * The end of the work is marked once per process: the first caller takes
 * the flag (main's return, then the exit() libc calls with its value; or
 * two threads ending the program at once), and a fork child clears it, its
 * trace being its own.  recorder_pid keeps a vfork child, which shares
 * this memory, from marking (or taking the flag of) the parent's trace.
 */
static atomic_flag work_ended = ATOMIC_FLAG_INIT;

void
rec_work_end(const char *label)
{
	if (rec_guard != 0 || atomic_load(&rec_state) == REC_OFF ||
	    getpid() != recorder_pid || atomic_flag_test_and_set(&work_ended))
		return;
	rec_guard = 1;
	event_mark(label);
	rec_guard_leave();
}

_Atomic int rec_fork_pending;
int rec_fork_fence;

/* A thread at the closed fork gate (recorder.h) waits for it to open. */
void
rec_fork_wait(void)
{
	while (atomic_load_explicit(&rec_fork_pending, memory_order_acquire))
		sched_yield();
}

/* Can the fork gate use membarrier (see recorder.h)?  Else fence. */
static void
fork_gate_init(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
	    0, 0) != 0)
		rec_fork_fence = 1;
}

/* fork() prepare: close the gate; wait for unwinds and rescans. */
static void
fork_prepare(void)
{
	if (rec_state == REC_OFF)
		return;
	atomic_store(&rec_fork_pending, 1);
	if (!rec_fork_fence && syscall(SYS_membarrier,
	    MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
		/* Cannot happen once registered; be safe anyway. */
		rec_fork_fence = 1;
		usleep(1000);
	}
	thread_buffers_wait_unwinds();
	modules_fork_prepare();
}

static void
fork_parent(void)
{
	if (!atomic_load(&rec_fork_pending))
		return;
	modules_fork_parent();
	atomic_store(&rec_fork_pending, 0);
}

/*
 * fork() child: record into a trace of its own.  Only this thread exists
 * here; whatever the parent had buffered is the parent's to write.  The
 * recorder's state is reset as after a fresh start (modules and stacks
 * defined again, numbered from 1, time from 0), then a new file, header
 * and writer thread.
 */
static void
fork_child(void)
{
	static char path[4096];
	int saved = rec_guard, fd;

	/* Its modules lock is re-made by modules_after_fork(). */
	atomic_store(&rec_fork_pending, 0);
	if (rec_state != REC_RUNNING) {
		rec_state = REC_OFF;
		writer_after_fork_child();
		modules_after_fork();
		return;
	}
	rec_guard = 1;
	rec_state = REC_OFF;
	recorder_pid = getpid();
	base_ns = clock_ns(CLOCK_MONOTONIC) - HT_TIME_UNIT_NS;
	rec_clock_after_fork();
	atomic_flag_clear(&stopping);
	atomic_flag_clear(&work_ended);
	writer_after_fork_child();
	modules_after_fork();
	stack_table_after_fork();
	if (trace_path_for_child(path, sizeof path) != 0 ||
	    (fd = open_trace(path, sizeof path)) < 0) {
		rec_warn("cannot write the trace of a fork child, not "
		    "recording it: ", path);
		rec_guard = saved;
		return;
	}
	memcpy(trace_path, path, sizeof trace_path);
	exec_keeps_name = 1;	/* HEAPTRAIL_OUTPUT has %p, or the owner */
	if (writer_open(fd) != 0 || write_header(exe_path) != 0) {
		rec_warn("cannot write the trace of a fork child: ", path);
		rec_guard = saved;
		return;
	}
	thread_buffers_after_fork();
	modules_rescan(0);
	if (writer_start() == 0)
		rec_state = REC_RUNNING;
	rec_guard = saved;
}

/*
 * The hooks see malloc only if the program's calls reach them: a program
 * that defines malloc itself, or a library preloaded before this one,
 * comes first.  Say so, since the trace would miss those calls.
 */
static void
check_malloc_order(void)
{
	void *bound;
	Dl_info info;

	if (rec_malloc_is_ours())
		return;
	bound = dlsym(RTLD_DEFAULT, "malloc");
	if (bound == NULL || dladdr(bound, &info) == 0 ||
	    info.dli_fname == NULL)
		info.dli_fname = "another object";
	rec_warn("allocations will not be recorded: malloc is defined ahead "
	    "of the recorder (by the program itself, or by a library "
	    "preloaded before libheaptrail.so) in ", info.dli_fname);
}

/* Set once the recorder has tried to start (it starts once at most). */
static _Atomic int start_attempted;

static void
rec_init(void)
{
	static char path[4096];
	const char *env, *owner;
	uintptr_t lo, hi;
	ssize_t n;
	int fd;

	if (atomic_exchange(&start_attempted, 1))
		return;
	rec_resolve_real();
	rec_guard = 1;
	base_ns = clock_ns(CLOCK_MONOTONIC) - HT_TIME_UNIT_NS;
	tsc_usable = tsc_invariant();
	rec_clock_calibrate();		/* the first point */
	recorder_pid = getpid();

	if ((env = getenv("HEAPTRAIL_QUIET")) != NULL && *env && *env != '0')
		rec_config.quiet = 1;
	if ((env = getenv("HEAPTRAIL_DEPTH")) != NULL && *env) {
		char *end;
		long d = strtol(env, &end, 10);

		if (*end != '\0' || d < 1)
			rec_warn("HEAPTRAIL_DEPTH is not a number from 1 to 256, "
			    "using 64: ", env);
		else
			rec_config.depth = d > HT_DEPTH_MAX ? HT_DEPTH_MAX :
			    (int)d;
	}
	if ((env = getenv("HEAPTRAIL_UNWIND")) != NULL && *env) {
		if (strcmp(env, "fp") == 0)
			rec_config.unwind = UNWIND_FP;
		else if (strcmp(env, "libunwind") == 0)
			rec_config.unwind = UNWIND_LIBUNWIND;
		else if (strcmp(env, "dwarf") != 0)
			rec_warn("HEAPTRAIL_UNWIND is not dwarf, fp or "
			    "libunwind, using dwarf: ", env);
	}
	if ((env = getenv("HEAPTRAIL_UNWIND_CHECK")) != NULL && *env &&
	    *env != '0')
		rec_config.unwind_check = 1;
	n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = '\0';
	env = getenv("HEAPTRAIL_OUTPUT");
	if (env == NULL || *env == '\0')
		env = "heaptrail.%e.%p.trace";
	make_absolute(env, output_pattern, sizeof output_pattern);
	env = output_pattern;
	if (expand_output(env, exe_path, path, sizeof path)) {
		/* Children (fork, exec) start from the same directory. */
		setenv("HEAPTRAIL_OUTPUT", env, 1);
		exec_keeps_name = 1;
	} else if ((owner = getenv("HEAPTRAIL_OUTPUT_PID")) != NULL &&
	    *owner != '\0') {
		/*
		 * A fixed name, with the process it belongs to (record sets
		 * that): the trace of that process whatever it execs; any
		 * other process writes NAME.<pid>, as fork children do.
		 */
		char pid[24];

		*rec_put_decimal(pid, pid + sizeof pid - 1,
		    (unsigned long)getpid()) = '\0';
		if (strcmp(owner, pid) != 0 &&
		    trace_path_for_child(path, sizeof path) != 0)
			path[0] = '\0';
		setenv("HEAPTRAIL_OUTPUT", env, 1);
		exec_keeps_name = 1;
	} else {
		/*
		 * A fixed name, bare: programs this one execs would
		 * overwrite it, so they get NAME.<pid> instead.  (No
		 * variable is added here: a new one would grow environ with
		 * memory the trace never saw allocated.)
		 */
		static char child[4096 + 4];
		size_t len = strlen(env);

		if (len + 4 < sizeof child) {
			memcpy(child, env, len);
			memcpy(child + len, ".%p", 4);
			setenv("HEAPTRAIL_OUTPUT", child, 1);
		}
	}
	fd = path[0] ? open_trace(path, sizeof path) : -1;
	if (fd < 0 || writer_open(fd) != 0) {
		rec_warn("cannot write the trace, not recording: ", path);
		if (fd >= 0)
			close(fd);
		rec_guard = 0;
		return;
	}
	memcpy(trace_path, path, sizeof trace_path);
	thread_buffers_init();
	modules_self_range(&lo, &hi);
	stack_table_init(lo, hi);
	if (write_header(exe_path) != 0) {
		rec_warn("cannot write the trace header: ", path);
		rec_guard = 0;
		return;
	}
	check_malloc_order();
	modules_rescan(0);	/* before any stack can be defined */
	fork_gate_init();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	{
		cookie_io_functions_t io = { .write = last_flush_write };

		last_flush_stream = fopencookie(NULL, "w", io);
		if (last_flush_stream != NULL)
			setvbuf(last_flush_stream, last_flush_buf, _IOFBF,
			    sizeof last_flush_buf);
	}
	if (writer_start() != 0) {
		rec_guard = 0;
		return;
	}
	rec_state = REC_RUNNING;
	signals_init();
	/*
	 * quick_exit() runs neither atexit handlers nor destructors: stop
	 * from a handler of its own, which (registered first) runs after
	 * those the program registers.
	 */
	at_quick_exit(rec_stop);
	rec_guard = 0;
}

/*
 * The constructor of a preloaded library runs late: after those of every
 * other library the program loads (the loader initializes in reverse
 * load order), whose constructors may allocate and keep memory (C++
 * static objects, libstdc++'s emergency pool).  So the recorder starts at
 * the first allocation once the C library itself is ready: its
 * constructor has set environ, and no thread exists yet (so nothing
 * races with the start).  Called by the hooks while not recording;
 * returns whether they should record now.
 */
int
rec_start_early(void)
{
	if (atomic_load_explicit(&start_attempted, memory_order_relaxed) ||
	    environ == NULL || !__libc_single_threaded)
		return 0;
	rec_init();
	return atomic_load(&rec_state) != REC_OFF;
}

__attribute__((constructor)) static void
rec_constructor(void)
{
	rec_init();
}

void
rec_stop(void)
{
	int saved = rec_guard;

	if (rec_state != REC_RUNNING || getpid() != recorder_pid ||
	    atomic_flag_test_and_set(&stopping))
		return;
	rec_guard = 1;
	if (writer_finish() != 0) {
		rec_state = REC_OFF;	/* the writer is stuck: let go */
		rec_guard = saved;
		return;
	}
	/*
	 * Threads still running, and destructors that run after this one,
	 * append after the writer's last collection: from now on the threads
	 * that make events write them (writer_straggler), what was appended
	 * meanwhile is collected here, and the rest when stdio is flushed.
	 */
	rec_state = REC_FINISHED;
	unwind_report();
	writer_flush_sync();
	if (last_flush_stream != NULL)
		fputc('.', last_flush_stream);
	rec_guard = saved;
}

/*
 * An exec chain (env, nice, a shell's exec, a shim) keeps the pid: the
 * trace's name goes to the program that does the work, the last one.  So
 * the image about to exec moves its finished trace T aside, to the first
 * T.execN that no earlier image of this process wrote (one left by
 * another process, an earlier run, is replaced), and the next image
 * writes T afresh.  If exec fails, T comes back and recording goes on.
 * (Not under a bare fixed name, whose exec'd images write T.<pid>.)
 */
void
rec_before_exec(void)
{
	size_t len = strlen(trace_path);
	int saved = rec_guard, i;

	exec_side_path[0] = '\0';
	rec_stop();
	if (rec_state != REC_FINISHED || getpid() != recorder_pid ||
	    !exec_keeps_name || len == 0 || len + 16 > sizeof exec_side_path)
		return;
	rec_guard = 1;
	memcpy(exec_side_path, trace_path, len);
	memcpy(exec_side_path + len, ".exec", 5);
	for (i = 1; i < 1000; i++) {
		*rec_put_decimal(exec_side_path + len + 5, exec_side_path +
		    sizeof exec_side_path - 1, (unsigned long)i) = '\0';
		if (access(exec_side_path, F_OK) == 0 &&
		    trace_is_mine(exec_side_path))
			continue;
		if (rename(trace_path, exec_side_path) == 0)
			break;
		i = 1000;
	}
	if (i >= 1000)
		exec_side_path[0] = '\0';
	rec_guard = saved;
}

/* exec failed and we are still this program: record on. */
void
rec_after_failed_exec(void)
{
	int saved = rec_guard;

	if (rec_state != REC_FINISHED || getpid() != recorder_pid)
		return;
	rec_guard = 1;
	if (exec_side_path[0] != '\0')
		rename(exec_side_path, trace_path);
	exec_side_path[0] = '\0';
	if (writer_start() == 0) {
		atomic_flag_clear(&stopping);
		rec_state = REC_RUNNING;
	}
	rec_guard = saved;
}

__attribute__((destructor)) static void
rec_fini(void)
{
	rec_stop();
}
