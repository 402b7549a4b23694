/*
 * walk-stacks.c - stacks for the recorder's stack walkers (test-unwind).
 * Built with frame pointers (see the Makefile), so that --unwind fp can
 * walk it too.
 *
 * usage: walk-stacks deep|altstack|badbp
 *   deep      from two threads, 4000 allocations through recursions 1 to
 *             40 deep ending in one of three leaves (every fourth kept),
 *             so that walks repeat and the remembered ones are used
 *   altstack  allocations in a signal handler running on sigaltstack(2),
 *             which the dwarf walker hands to libunwind
 *   badbp     malloc called with garbage in the frame-pointer register
 *             (zero, small, unaligned, a kernel address, a frame that
 *             is its own caller, a global): --unwind fp must stop
 *             its walk there, not crash; 6 allocations, all kept
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *volatile keep[4096];
static volatile int kept;

#define LEAF(name, size)						\
static __attribute__((noinline)) void					\
name(int i)								\
{									\
	void *p = malloc(size);						\
									\
	if (i % 4 == 0)							\
		keep[__atomic_fetch_add(&kept, 1, __ATOMIC_RELAXED) %	\
		    4096] = p;						\
	else								\
		free(p);						\
}
LEAF(leaf_one, 24)
LEAF(leaf_two, 40)
LEAF(leaf_three, 72)

static __attribute__((noinline)) void
descend(int depth, int i)
{
	if (depth > 1) {
		descend(depth - 1, i);
		__asm__ volatile("" ::: "memory");	/* no tail call */
		return;
	}
	switch (i % 3) {
	case 0: leaf_one(i); break;
	case 1: leaf_two(i); break;
	default: leaf_three(i); break;
	}
}

static void *
deep_thread(void *arg)
{
	int i, base = (int)(intptr_t)arg;

	for (i = 0; i < 2000; i++)
		descend(1 + (i * 7 + base) % 40, i);
	return NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	keep[0] = malloc(100);		/* malloc in a handler: for the test */
}

#if defined(__x86_64__)
/* malloc(N) with BP in the frame-pointer register. */
static __attribute__((noinline)) void *
malloc_with_bp(uintptr_t bp, size_t n)
{
	void *p;

	/* Below the red zone, aligned for the call; %r12 keeps the SP. */
	__asm__ volatile(
	    "mov %%rsp, %%r12\n\t"
	    "sub $128, %%rsp\n\t"
	    "and $-16, %%rsp\n\t"
	    "push %%rbp\n\t"
	    "push %%rbp\n\t"
	    "mov %1, %%rbp\n\t"
	    "mov %2, %%rdi\n\t"
	    "call malloc@PLT\n\t"
	    "pop %%rbp\n\t"
	    "pop %%rbp\n\t"
	    "mov %%r12, %%rsp"
	    : "=a"(p)
	    : "r"(bp), "r"(n)
	    : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
	    "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
	    "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
	    "xmm13", "xmm14", "xmm15");
	return p;
}
#endif

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "deep";

	if (strcmp(mode, "deep") == 0) {
		pthread_t t;

		pthread_create(&t, NULL, deep_thread, (void *)1);
		deep_thread((void *)0);
		pthread_join(t, NULL);
		return 0;
	}
	if (strcmp(mode, "altstack") == 0) {
		static char alt[1 << 16];
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
		struct sigaction sa;
		int i;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_ONSTACK;
		sigaltstack(&ss, NULL);
		sigaction(SIGUSR1, &sa, NULL);
		for (i = 0; i < 10; i++) {
			raise(SIGUSR1);
			free(keep[0]);
		}
		return 0;
	}
#if defined(__x86_64__)
	if (strcmp(mode, "badbp") == 0) {
		uintptr_t self[4];
		uintptr_t here = (uintptr_t)self;

		self[0] = (uintptr_t)&self[0];	/* a frame that is its own caller */
		self[1] = 0x1234;
		keep[0] = malloc_with_bp(0, 8);
		keep[1] = malloc_with_bp(0x1234, 8);
		keep[2] = malloc_with_bp(here + 3, 8);
		keep[3] = malloc_with_bp(0xffff800000000000ull, 8);
		keep[4] = malloc_with_bp(here, 8);
		keep[5] = malloc_with_bp((uintptr_t)&kept, 8);	/* not stack */
		return 0;
	}
#endif
	return 2;
}
