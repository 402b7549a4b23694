/*
 * hooks.c - the interposed allocation entry points of libheaptrail.so.
 *
 * Each hook calls the next definition of its function (dlsym RTLD_NEXT:
 * glibc's, or another preloaded allocator's) and records what happened:
 *   - allocations are recorded after the real call (only if it succeeded),
 *     with the time read after it;
 *   - free is recorded before the real call, with the time read before it;
 *   - realloc is a free of the old block (time before the call) and an
 *     allocation of the new one (time after), even when it does not move;
 *     realloc(NULL, n) is only an allocation; realloc(p, 0) returning NULL
 *     is only a free; a failed realloc records nothing.
 * Those two rules are what lets a reader order a free in one thread before
 * the malloc in another thread that got the same address back.
 *
 * rec_guard is set around every real call, so allocator functions that
 * call each other through the PLT (reallocarray -> realloc) are recorded
 * once, and allocations made by the recorder itself are not recorded.
 *
 * exit, quick_exit, _exit, _Exit and the program's main (through
 * __libc_start_main) are hooked to mark the end of the program's work.
 *
 * Bootstrap: dlsym() itself calls calloc before we know the real calloc,
 * so until resolution is done allocations come from a static arena, whose
 * blocks are never freed (free ignores them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "recorder.h"

extern char **environ;

#define EXPORT __attribute__((visibility("default")))

/* The annotation entry points include/heaptrail.h binds to (weakly). */
EXPORT void __heaptrail_alloc(const void *ptr, size_t size);
EXPORT void __heaptrail_free(const void *ptr);
EXPORT void __heaptrail_mark(const char *label);
/* glibc declares it nowhere: the program's entry code calls it. */
typedef int (*main_fn)(int, char **, char **);
EXPORT int __libc_start_main(main_fn main_, int argc, char **argv,
    main_fn init, void (*fini)(void), void (*rtld_fini)(void),
    void *stack_end);

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static int (*real_dlclose)(void *);
static void *(*real_dlopen)(const char *, int);
static void *(*real_dlmopen)(Lmid_t, const char *, int);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);
static void *(*real_mremap)(void *, size_t, size_t, int, ...);
static int (*real_pthread_setname_np)(pthread_t, const char *);
static int (*real_prctl)(int, ...);
static int (*real_close)(int);
static int (*real_close_range)(unsigned, unsigned, int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static void (*real_exit)(int) __attribute__((noreturn));
static void (*real_quick_exit)(int) __attribute__((noreturn));
static void (*real__exit)(int) __attribute__((noreturn));
static void (*real_Exit)(int) __attribute__((noreturn));

/* main, and glibc's __libc_start_main that calls it (x86_64: no auxv
   argument; INIT and FINI are NULL from programs linked against glibc
   2.34 or later, the old ELF init/fini functions before). */
static int (*real_libc_start_main)(main_fn, int, char **, main_fn,
    void (*)(void), void (*)(void), void *);

/* --- bootstrap arena ------------------------------------------------------- */

#define BOOT_SIZE (256u << 10)
static _Alignas(64) uint8_t boot_arena[BOOT_SIZE];
static _Atomic size_t boot_used;
static _Atomic int resolving;

static int
is_boot(const void *p)
{
	return (const uint8_t *)p >= boot_arena &&
	    (const uint8_t *)p < boot_arena + BOOT_SIZE;
}

/* Blocks carry their size in the 16 bytes before them. */
static void *
boot_alloc(size_t size)
{
	size_t need = ((size + 15) & ~(size_t)15) + 16;
	size_t off = atomic_fetch_add(&boot_used, need);

	if (off + need > BOOT_SIZE)
		return NULL;
	*(size_t *)(boot_arena + off) = size;
	return boot_arena + off + 16;
}

static size_t
boot_size(const void *p)
{
	return *(const size_t *)((const uint8_t *)p - 16);
}

#define RESOLVE(name) \
	(*(void **)&real_##name = dlsym(RTLD_NEXT, #name))

void
rec_resolve_real(void)
{
	if (real_free != NULL || resolving)
		return;
	resolving = 1;
	RESOLVE(malloc);
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(reallocarray);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(dlclose);
	RESOLVE(dlopen);
	RESOLVE(dlmopen);
	RESOLVE(execve);
	RESOLVE(execvp);
	RESOLVE(execvpe);
	RESOLVE(fexecve);
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(mremap);
	RESOLVE(pthread_setname_np);
	RESOLVE(close);
	RESOLVE(close_range);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(prctl);
	RESOLVE(exit);
	RESOLVE(quick_exit);
	*(void **)&real__exit = dlsym(RTLD_NEXT, "_exit");
	*(void **)&real_Exit = dlsym(RTLD_NEXT, "_Exit");
	*(void **)&real_libc_start_main = dlsym(RTLD_NEXT,
	    "__libc_start_main");
	RESOLVE(free);		/* last: it says resolution is done */
	resolving = 0;
}

/* True when the real functions are not known yet: use the arena. */
static int
booting(void)
{
	if (__builtin_expect(real_free != NULL, 1))
		return 0;
	if (resolving)
		return 1;
	rec_resolve_real();
	return real_free == NULL;
}

/* --- is malloc ours? ---------------------------------------------------- */

/*
 * Calls what the name "malloc" is bound to for the program, with
 * rec_guard at GUARD_PROBE, and tells whether our hook saw the call.  An
 * address comparison would not do: a non-PIE program that takes malloc's
 * address exports a PLT entry under that name, which still leads here.
 */
#define GUARD_PROBE 2
static int probe_seen;

static inline void
note_probe(void)
{
	if (__builtin_expect(rec_guard == GUARD_PROBE, 0))
		probe_seen = 1;
}

int
rec_malloc_is_ours(void)
{
	void *(*bound)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT,
	    "malloc");
	int saved = rec_guard;
	void *p;

	if (bound == NULL)
		return 1;
	probe_seen = 0;
	rec_guard = GUARD_PROBE;
	p = bound(1);
	rec_guard = saved;
	/* Freed by whoever made it: the same binding's free. */
	if (p != NULL && probe_seen)
		real_free(p);
	return probe_seen;
}

static inline int
recording(void)
{
	if (rec_guard != 0)
		return 0;
	if (__builtin_expect(atomic_load_explicit(&rec_state,
	    memory_order_relaxed) != REC_OFF, 1))
		return 1;
	return rec_start_early();
}

static inline __attribute__((always_inline)) void
record_alloc(unsigned fn, void *p, size_t size)
{
	uint64_t stack = stack_capture();

	event_alloc(fn, (uintptr_t)p, size, stack, 0);
}

/* --- malloc family ----------------------------------------------------------- */

EXPORT void *
malloc(size_t size)
{
	void *p;

	if (booting())
		return boot_alloc(size);
	if (!recording()) {
		note_probe();
		return real_malloc(size);
	}
	rec_guard = 1;
	p = real_malloc(size);
	if (p != NULL)
		record_alloc(HT_ALLOC_MALLOC, p, size);
	rec_guard_leave();
	return p;
}

EXPORT void *
calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (booting()) {
		if (__builtin_mul_overflow(n, size, &total))
			return NULL;
		return boot_alloc(total);	/* static: already zero */
	}
	if (!recording())
		return real_calloc(n, size);
	rec_guard = 1;
	p = real_calloc(n, size);
	if (p != NULL)
		record_alloc(HT_ALLOC_CALLOC, p, n * size);
	rec_guard_leave();
	return p;
}

EXPORT void
free(void *p)
{
	if (p == NULL || is_boot(p))
		return;
	if (booting())
		return;		/* cannot happen: nothing else allocated */
	if (!recording()) {
		real_free(p);
		return;
	}
	rec_guard = 1;
	event_free(HT_FREE_FREE, (uintptr_t)p);
	real_free(p);
	rec_guard_leave();
}

/* The common part of realloc and reallocarray; SIZE is already checked. */
static void *
do_realloc(void *old, size_t size, unsigned alloc_fn, unsigned free_fn,
    void *(*call)(void *, size_t, size_t), size_t n, size_t m)
{
	uint64_t stack = 0, t0;
	void *p;

	if (is_boot(old)) {
		/* Moves out of the arena; the arena block was never seen. */
		p = malloc(size);
		if (p != NULL)
			memcpy(p, old, boot_size(old) < size ?
			    boot_size(old) : size);
		return p;
	}
	if (!recording())
		return call(old, n, m);

	rec_guard = 1;
	if (old == NULL) {
		p = call(old, n, m);
		if (p != NULL)
			record_alloc(alloc_fn, p, size);
		rec_guard_leave();
		return p;
	}
	if (size != 0)
		stack = stack_capture();
	t0 = event_realloc_begin();
	p = call(old, n, m);
	if (p == NULL && size != 0)
		event_realloc_cancel();		/* failed: old block stays */
	else
		event_realloc_end(free_fn, (uintptr_t)old, t0, alloc_fn,
		    (uintptr_t)p, size, p ? (stack ? stack :
		    stack_capture()) : 0);
	rec_guard_leave();
	return p;
}

static void *
call_realloc(void *old, size_t n, size_t m)
{
	(void)m;
	return real_realloc(old, n);
}

static void *
call_reallocarray(void *old, size_t n, size_t m)
{
	return real_reallocarray(old, n, m);
}

EXPORT void *
realloc(void *old, size_t size)
{
	if (booting())
		return old == NULL ? boot_alloc(size) : NULL;
	return do_realloc(old, size, HT_ALLOC_REALLOC, HT_FREE_REALLOC,
	    call_realloc, size, 0);
}

EXPORT void *
reallocarray(void *old, size_t n, size_t m)
{
	size_t size;

	if (__builtin_mul_overflow(n, m, &size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (booting())
		return old == NULL ? boot_alloc(size) : NULL;
	return do_realloc(old, size, HT_ALLOC_REALLOCARRAY,
	    HT_FREE_REALLOCARRAY, call_reallocarray, n, m);
}

EXPORT int
posix_memalign(void **out, size_t align, size_t size)
{
	int ret;

	if (booting())
		return ENOMEM;
	if (!recording())
		return real_posix_memalign(out, align, size);
	rec_guard = 1;
	ret = real_posix_memalign(out, align, size);
	if (ret == 0)
		record_alloc(HT_ALLOC_POSIX_MEMALIGN, *out, size);
	rec_guard_leave();
	return ret;
}

/* aligned_alloc, memalign, valloc, pvalloc: one shape, one helper. */
static void *
aligned_hook(unsigned fn, void *(*call)(size_t, size_t), size_t align,
    size_t size)
{
	void *p;

	if (!recording())
		return call(align, size);
	rec_guard = 1;
	p = call(align, size);
	if (p != NULL)
		record_alloc(fn, p, size);
	rec_guard_leave();
	return p;
}

static void *
call_aligned_alloc(size_t a, size_t n)
{
	return real_aligned_alloc(a, n);
}

static void *
call_memalign(size_t a, size_t n)
{
	return real_memalign(a, n);
}

static void *
call_valloc(size_t a, size_t n)
{
	(void)a;
	return real_valloc(n);
}

static void *
call_pvalloc(size_t a, size_t n)
{
	(void)a;
	return real_pvalloc(n);
}

EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	if (booting())
		return NULL;
	return aligned_hook(HT_ALLOC_ALIGNED_ALLOC, call_aligned_alloc, align,
	    size);
}

EXPORT void *
memalign(size_t align, size_t size)
{
	if (booting())
		return NULL;
	return aligned_hook(HT_ALLOC_MEMALIGN, call_memalign, align, size);
}

EXPORT void *
valloc(size_t size)
{
	if (booting())
		return NULL;
	return aligned_hook(HT_ALLOC_VALLOC, call_valloc, 0, size);
}

EXPORT void *
pvalloc(size_t size)
{
	if (booting())
		return NULL;
	return aligned_hook(HT_ALLOC_PVALLOC, call_pvalloc, 0, size);
}

/* --- anonymous mappings ------------------------------------------------------ */

/*
 * The program's own anonymous mappings (Python's arenas, custom pools).
 * glibc's malloc and the loader map memory through internal calls that
 * never reach these hooks, and an allocator that does call mmap through
 * the PLT does it inside a hooked malloc, with rec_guard set: neither is
 * recorded twice.  Reservations (PROT_NONE) are not memory and are left
 * out; a MAP_FIXED mapping replaces whatever was in its range, so that
 * range is first recorded as unmapped.  File mappings are not recorded.
 */
static void *
call_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (real_mmap == NULL)		/* before resolution */
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd,
		    off);
	return real_mmap(addr, len, prot, flags, fd, off);
}

static void *
mmap_hook(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (real_mmap == NULL || !recording() ||
	    (!(flags & MAP_ANONYMOUS) && !(flags & MAP_FIXED)))
		return call_mmap(addr, len, prot, flags, fd, off);
	rec_guard = 1;
	if (flags & MAP_FIXED)
		event_mapping(HT_TAG_UNMAP + HT_UNMAP_MMAP_FIXED, (uintptr_t)addr,
		    len, 0);
	p = real_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & MAP_ANONYMOUS) && prot != PROT_NONE)
		event_mapping(HT_TAG_MAP + HT_MAP_MMAP, (uintptr_t)p, len,
		    stack_capture());
	rec_guard_leave();
	return p;
}

EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_hook(addr, len, prot, flags, fd, off);
}

EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_hook(addr, len, prot, flags, fd, off);
}

EXPORT int
munmap(void *addr, size_t len)
{
	int ret;

	if (real_munmap == NULL)
		return (int)syscall(SYS_munmap, addr, len);
	if (!recording())
		return real_munmap(addr, len);
	rec_guard = 1;
	event_mapping(HT_TAG_UNMAP + HT_UNMAP_MUNMAP, (uintptr_t)addr, len, 0);
	ret = real_munmap(addr, len);
	rec_guard_leave();
	return ret;
}

/* Recorded like realloc: the old range unmapped, the new one mapped. */
EXPORT void *
mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	void *want = NULL, *p;
	uint64_t stack, t0;

	if (flags & MREMAP_FIXED) {
		va_list ap;

		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	if (real_mremap == NULL)
		return (void *)syscall(SYS_mremap, old, old_len, len, flags,
		    want);
	if (!recording())
		return real_mremap(old, old_len, len, flags, want);
	rec_guard = 1;
	stack = stack_capture();
	t0 = event_realloc_begin();
	p = real_mremap(old, old_len, len, flags, want);
	if (p == MAP_FAILED)
		event_realloc_cancel();
	else
		event_remap_end((uintptr_t)old, old_len, t0, (uintptr_t)p,
		    len, stack);
	rec_guard_leave();
	return p;
}

/* --- the recorder's descriptors ------------------------------------------------ */

/*
 * A daemon closes every descriptor it did not open, and may dup2 onto
 * any number.  Closing the trace would lose it, and worse, the number
 * could then be reused by the program's next open and trace data land
 * in the program's file.  So a close of one of ours succeeds without
 * closing it, a range closed skips them, and a dup2 onto one of their
 * numbers moves ours out of the way first.  (The recorder's own calls,
 * with rec_guard set, go straight through.)
 */
EXPORT int
close(int fd)
{
	if (real_close == NULL)
		return (int)syscall(SYS_close, fd);
	if (rec_guard == 0 && rec_state != REC_OFF && writer_fd_is_ours(fd))
		return 0;
	return real_close(fd);
}

static int
call_close_range(unsigned first, unsigned last, int flags)
{
	if (real_close_range == NULL)
		return (int)syscall(SYS_close_range, first, last, flags);
	return real_close_range(first, last, flags);
}

EXPORT int
close_range(unsigned first, unsigned last, int flags)
{
	int ours[2], i, ret = 0;

	if (rec_guard != 0 || rec_state == REC_OFF ||
	    (flags & CLOSE_RANGE_CLOEXEC))
		return call_close_range(first, last, flags);
	writer_fds(ours);
	for (i = 0; i < 2 && first <= last; i++) {
		unsigned fd = (unsigned)ours[i];

		if (ours[i] < 0 || fd < first || fd > last)
			continue;
		if (fd > first && call_close_range(first, fd - 1, flags) != 0)
			ret = -1;
		if (fd == UINT_MAX)
			return ret;
		first = fd + 1;
	}
	if (first <= last && call_close_range(first, last, flags) != 0)
		ret = -1;
	return ret;
}

EXPORT void
closefrom(int low)
{
	if (low < 0)
		low = 0;
	close_range((unsigned)low, UINT_MAX, 0);
}

EXPORT int
dup2(int old, int new)
{
	if (real_dup2 == NULL)
		return (int)syscall(SYS_dup2, old, new);
	if (rec_guard == 0 && rec_state != REC_OFF && old != new &&
	    writer_fd_is_ours(new)) {
		rec_guard = 1;
		writer_fd_vacate(new);
		rec_guard_leave();
	}
	return real_dup2(old, new);
}

EXPORT int
dup3(int old, int new, int flags)
{
	if (real_dup3 == NULL)
		return (int)syscall(SYS_dup3, old, new, flags);
	if (rec_guard == 0 && rec_state != REC_OFF && old != new &&
	    writer_fd_is_ours(new)) {
		rec_guard = 1;
		writer_fd_vacate(new);
		rec_guard_leave();
	}
	return real_dup3(old, new, flags);
}

/* --- thread names ---------------------------------------------------------------- */

/* A thread named after it started: say so in the trace at once. */
EXPORT int
pthread_setname_np(pthread_t thread, const char *name)
{
	int ret;

	if (real_pthread_setname_np == NULL)
		return ENOSYS;
	ret = real_pthread_setname_np(thread, name);
	if (ret == 0 && recording()) {
		rec_guard = 1;
		event_thread_name(thread, name);
		rec_guard_leave();
	}
	return ret;
}

EXPORT int
prctl(int option, ...)
{
	unsigned long arg[4];
	va_list ap;
	int ret, i;

	va_start(ap, option);
	for (i = 0; i < 4; i++)
		arg[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (real_prctl == NULL)
		return (int)syscall(SYS_prctl, option, arg[0], arg[1], arg[2],
		    arg[3]);
	ret = real_prctl(option, arg[0], arg[1], arg[2], arg[3]);
	if (ret == 0 && option == PR_SET_NAME && arg[0] != 0 &&
	    recording()) {
		char name[16];

		/* The kernel keeps 15 bytes: report what it kept. */
		if (real_prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0) ==
		    0) {
			rec_guard = 1;
			event_thread_name(pthread_self(), name);
			rec_guard_leave();
		}
	}
	return ret;
}

/* --- loader and process end ------------------------------------------------------ */

/*
 * dlopen and dlmopen only look at the flags and go on: the real call is
 * the last thing they do, compiled as a jump (a sibling call), because
 * glibc finds the caller by its return address to apply the caller's
 * RUNPATH and $ORIGIN.  A library opened with RTLD_DEEPBIND binds malloc
 * to the C library's ahead of ours, and one in a new namespace has a C
 * library of its own: neither can be recorded, so say so.
 */
static void
warn_unseen(const char *file, const char *why)
{
	char msg[512];
	size_t n = strlen(why);

	if (n > sizeof msg - 100)
		n = sizeof msg - 100;
	memcpy(msg, why, n);
	strcpy(msg + n, ": the allocations it makes are not recorded, and the "
	    "program's blocks it frees look live: ");
	rec_warn(msg, file ? file : "(the program)");
}

EXPORT void *
dlopen(const char *file, int mode)
{
	if (real_dlopen == NULL)
		rec_resolve_real();
	if ((mode & RTLD_DEEPBIND) && rec_state != REC_OFF)
		warn_unseen(file, "a library is opened with RTLD_DEEPBIND");
	return real_dlopen(file, mode);
}

EXPORT void *
dlmopen(Lmid_t lmid, const char *file, int mode)
{
	if (real_dlmopen == NULL)
		rec_resolve_real();
	if (lmid != LM_ID_BASE && rec_state != REC_OFF)
		warn_unseen(file, "a library is opened in a namespace of its "
		    "own (dlmopen)");
	return real_dlmopen(lmid, file, mode);
}

EXPORT int
dlclose(void *handle)
{
	int ret, rec;

	if (booting())
		return -1;
	rec = recording();
	if (rec) {
		rec_guard = 1;
		modules_rescan(0);	/* see it before it goes */
		rec_guard_leave();
	}
	ret = real_dlclose(handle);	/* its destructors' frees count */
	if (rec) {
		rec_guard = 1;
		modules_rescan(0);
		rec_guard_leave();
	}
	return ret;
}

/*
 * exec replaces the program without running its destructors: write
 * everything out first, and go on recording if exec fails.  (glibc's own
 * execvp, execl ... call execve internally, not through the PLT, so each
 * entry point is hooked.)  exec and _exit are async-signal-safe: called
 * from a signal handler that interrupted this thread inside a hook
 * (rec_guard set), the thread may hold its buffer lock, so nothing is
 * flushed then.
 */
#define EXEC_HOOK(call) do {						\
	int ret_, flushed_ = 0;						\
									\
	if (booting()) {						\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	if (rec_guard == 0) {						\
		rec_before_exec();					\
		flushed_ = 1;						\
	}								\
	ret_ = call;							\
	if (flushed_)							\
		rec_after_failed_exec();				\
	return ret_;							\
} while (0)

EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	EXEC_HOOK(real_execve(path, argv, envp));
}

EXPORT int
execv(const char *path, char *const argv[])
{
	EXEC_HOOK(real_execve(path, argv, environ));
}

EXPORT int
execvp(const char *file, char *const argv[])
{
	EXEC_HOOK(real_execvp(file, argv));
}

EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	EXEC_HOOK(real_execvpe(file, argv, envp));
}

EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	EXEC_HOOK(real_fexecve(fd, argv, envp));
}

/*
 * execl, execlp, execle: count the arguments, gather them into an array
 * of just that size on the stack (as glibc does), then as execv*.
 */
static size_t
count_args(const char *arg0, va_list ap)
{
	size_t n = 1;

	if (arg0 == NULL)
		return 1;
	while (va_arg(ap, char *) != NULL)
		n++;
	return n + 1;
}

static void
gather_args(const char *arg0, va_list ap, char **argv, size_t n)
{
	size_t i;

	argv[0] = (char *)arg0;
	for (i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	argv[n - 1] = NULL;
}

#define EXECL_BODY(first, call) do {					\
	va_list ap, ap2;						\
	size_t n;							\
									\
	va_start(ap, first);						\
	va_copy(ap2, ap);						\
	n = count_args(first, ap2);					\
	va_end(ap2);							\
	{								\
		char *argv[n];						\
									\
		gather_args(first, ap, argv, n);			\
		ENVP_FROM(ap);						\
		va_end(ap);						\
		return call;						\
	}								\
} while (0)

EXPORT int
execl(const char *path, const char *arg, ...)
{
#define ENVP_FROM(ap) (void)0
	EXECL_BODY(arg, execv(path, argv));
}

EXPORT int
execlp(const char *file, const char *arg, ...)
{
	EXECL_BODY(arg, execvp(file, argv));
#undef ENVP_FROM
}

EXPORT int
execle(const char *path, const char *arg, ...)
{
	char **envp;

#define ENVP_FROM(ap) (envp = va_arg(ap, char **))
	EXECL_BODY(arg, execve(path, argv, envp));
#undef ENVP_FROM
}

/*
 * The end of the program's work (format/trace-format.h): main returns, or
 * the program calls exit, quick_exit, _exit or _Exit; the first of those
 * is marked, before the atexit handlers and destructors that exit runs.
 * glibc calls exit with main's value by an internal call that no hook
 * sees, so main itself is called through work_main.  All of it happens
 * once per process, none of it on an allocation's path.
 */
static main_fn program_main;

static int
work_main(int argc, char **argv, char **envp)
{
	int ret = program_main(argc, argv, envp);

	rec_work_end(HT_WORK_END_MAIN);
	return ret;
}

EXPORT int
__libc_start_main(main_fn main_, int argc, char **argv, main_fn init,
    void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	if (real_libc_start_main == NULL)	/* normally found at start */
		*(void **)&real_libc_start_main = dlsym(RTLD_NEXT,
		    "__libc_start_main");
	if (real_libc_start_main == NULL) {
		rec_warn("cannot find the C library's __libc_start_main", "");
		abort();
	}
	program_main = main_;
	return real_libc_start_main(work_main, argc, argv, init, fini,
	    rtld_fini, stack_end);
}

/* Ends the process without the C library (which cannot be found). */
static void __attribute__((noreturn))
exit_group(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

EXPORT void
exit(int status)
{
	if (!booting())
		rec_work_end(HT_WORK_END_EXIT);
	if (real_exit == NULL)
		exit_group(status);
	real_exit(status);
}

/* Its handlers' events are written by one of ours (recorder.c). */
EXPORT void
quick_exit(int status)
{
	if (!booting())
		rec_work_end(HT_WORK_END_QUICK_EXIT);
	if (real_quick_exit == NULL)
		exit_group(status);
	real_quick_exit(status);
}

EXPORT void
_exit(int status)
{
	if (!booting() && rec_guard == 0) {
		rec_work_end(HT_WORK_END__EXIT);
		rec_stop();
	}
	if (real__exit == NULL)
		exit_group(status);
	real__exit(status);
}

EXPORT void
_Exit(int status)
{
	if (!booting() && rec_guard == 0) {
		rec_work_end(HT_WORK_END__EXIT);
		rec_stop();
	}
	if (real_Exit == NULL)
		exit_group(status);
	real_Exit(status);
}

/* --- annotations (include/heaptrail.h) ------------------------------------------------ */

EXPORT void
__heaptrail_alloc(const void *ptr, size_t size)
{
	if (ptr == NULL || !recording())
		return;
	rec_guard = 1;
	record_alloc(HT_ALLOC_ANNOTATION, (void *)ptr, size);
	rec_guard_leave();
}

EXPORT void
__heaptrail_free(const void *ptr)
{
	if (ptr == NULL || !recording())
		return;
	rec_guard = 1;
	event_free(HT_FREE_ANNOTATION, (uintptr_t)ptr);
	rec_guard_leave();
}

/* Labels of the recorder's own (HT_WORK_END_PREFIX) are refused: the
   end of the work is marked once, by the recorder. */
EXPORT void
__heaptrail_mark(const char *label)
{
	static _Atomic int warned;

	if (label == NULL || !recording())
		return;
	if (strncmp(label, HT_WORK_END_PREFIX,
	    sizeof HT_WORK_END_PREFIX - 1) == 0) {
		if (!atomic_exchange(&warned, 1))
			rec_warn("heaptrail_mark: labels starting with "
			    "\"" HT_WORK_END_PREFIX "\" are reserved, not "
			    "recorded: ", label);
		return;
	}
	rec_guard = 1;
	event_mark(label);
	rec_guard_leave();
}
