/*
 * signals.c - write the trace out before a signal ends the program.
 *
 * A signal whose default action ends the process (SIGINT, SIGTERM, a
 * crash ...) would end it with events still in the buffers.  So where the
 * program leaves such a signal at SIG_DFL, the recorder installs a handler
 * of its own that flushes the trace, puts SIG_DFL back and raises the
 * signal again: the process dies exactly as it would have (same signal,
 * same exit status, a core dump where the default makes one).
 *
 * The program must not notice.  sigaction() and signal() are interposed:
 * while our handler stands in for SIG_DFL they report SIG_DFL (Python,
 * for one, installs its KeyboardInterrupt handler only if SIGINT is at
 * SIG_DFL), and a handler the program installs replaces ours at once; a
 * later SIG_DFL brings ours back.  A disposition changed behind our back
 * (a raw syscall, sigset()) is noticed at the next sigaction() call and
 * reported as it really is.
 *
 * Two kinds of signal:
 *   - asynchronous ones (SIGINT, SIGTERM, SIGHUP, ...) may arrive while
 *     the interrupted thread is inside the recorder (rec_guard set),
 *     perhaps holding its buffer lock, which the flush needs.  Then the
 *     handler only notes the signal; the thread acts on it when it leaves
 *     the recorder (rec_guard_leave), a few instructions later.
 *   - crashes (SIGSEGV, SIGABRT, ...) cannot wait: abort() does not
 *     return, a fault repeats.  They flush at once, best effort: if the
 *     crashing thread held a recorder lock the writer cannot finish and
 *     is abandoned after its timeout, and what was already written stays.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "recorder.h"

#define EXPORT __attribute__((visibility("default")))

_Atomic int rec_signal_pending;

static int (*real_sigaction)(int, const struct sigaction *,
    struct sigaction *);
static sighandler_t (*real_signal)(int, sighandler_t);
static sighandler_t (*real_sysv_signal)(int, sighandler_t);

/* Signals whose default action ends the process, by kind. */
static const int deferrable_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2,
};
static const int crash_signals[] = {
	SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS,
};

enum watch { NOT_WATCHED, DEFERRABLE, CRASH };
static enum watch watched[NSIG];
/* Our handler stands in for SIG_DFL; the program believes it has VIEW. */
static int standing_in[NSIG];
static struct sigaction program_view[NSIG];
static struct sigaction our_action;
static int ready;

static void
resolve(void)
{
	if (real_sigaction != NULL)
		return;
	*(void **)&real_signal = dlsym(RTLD_NEXT, "signal");
	*(void **)&real_sysv_signal = dlsym(RTLD_NEXT, "sysv_signal");
	*(void **)&real_sigaction = dlsym(RTLD_NEXT, "sigaction");
}

/*
 * Flushes the trace, then lets SIG kill the process by its default
 * action.  Returns only for a fault the kernel raised: returning from
 * the handler repeats the faulting instruction, now with SIG_DFL, so the
 * core dump shows where it happened.
 */
static void
flush_and_die(int sig, const siginfo_t *info)
{
	struct sigaction dfl;
	sigset_t unblock;

	rec_stop();
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	real_sigaction(sig, &dfl, NULL);
	if (info != NULL && info->si_code > 0 && watched[sig] == CRASH &&
	    sig != SIGABRT)
		return;
	raise(sig);
	sigemptyset(&unblock);
	sigaddset(&unblock, sig);
	pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

static void
on_signal(int sig, siginfo_t *info, void *context)
{
	int saved_errno = errno;

	(void)context;
	if (watched[sig] == DEFERRABLE && rec_guard != 0) {
		/* Inside the recorder: rec_guard_leave() acts on it. */
		atomic_store(&rec_signal_pending, sig);
		errno = saved_errno;
		return;
	}
	flush_and_die(sig, info);
	errno = saved_errno;
}

void
rec_signal_deliver_pending(void)
{
	int sig = atomic_exchange(&rec_signal_pending, 0);

	if (sig != 0)
		flush_and_die(sig, NULL);
}

static void
watch(const int *sigs, size_t n, enum watch kind)
{
	struct sigaction now;
	size_t i;

	for (i = 0; i < n; i++) {
		int sig = sigs[i];

		watched[sig] = kind;
		if (real_sigaction(sig, NULL, &now) != 0 ||
		    now.sa_handler != SIG_DFL)
			continue;	/* ignored, or someone's handler */
		program_view[sig] = now;
		if (real_sigaction(sig, &our_action, NULL) == 0)
			standing_in[sig] = 1;
	}
}

void
signals_init(void)
{
	resolve();
	if (real_sigaction == NULL)
		return;
	memset(&our_action, 0, sizeof our_action);
	our_action.sa_sigaction = on_signal;
	our_action.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&our_action.sa_mask);	/* one flush at a time */
	watch(deferrable_signals, sizeof deferrable_signals /
	    sizeof deferrable_signals[0], DEFERRABLE);
	watch(crash_signals, sizeof crash_signals / sizeof crash_signals[0],
	    CRASH);
	ready = 1;
}

/* (sa_handler and sa_sigaction share their storage: 0 is SIG_DFL.) */
static int
is_default(const struct sigaction *act)
{
	return act->sa_handler == SIG_DFL;
}

EXPORT int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction view, real_old;
	int was_standing_in, ret;

	resolve();
	if (real_sigaction == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!ready || sig <= 0 || sig >= NSIG || watched[sig] == NOT_WATCHED)
		return real_sigaction(sig, act, old);

	view = program_view[sig];
	was_standing_in = standing_in[sig];
	if (act != NULL && is_default(act))
		ret = real_sigaction(sig, &our_action, &real_old);
	else
		ret = real_sigaction(sig, act, &real_old);
	if (ret != 0)
		return ret;
	/* Changed behind our back since we stood in?  Then it is theirs. */
	if (was_standing_in && real_old.sa_sigaction != on_signal)
		was_standing_in = 0;
	if (old != NULL)
		*old = was_standing_in ? view : real_old;
	if (act != NULL) {
		standing_in[sig] = is_default(act);
		program_view[sig] = *act;
	} else {
		standing_in[sig] = was_standing_in;
	}
	return 0;
}

/*
 * signal() and friends: glibc implements them with its internal
 * sigaction, not through the PLT, so they are interposed too, with the
 * flags glibc gives them.
 */
static sighandler_t
signal_with(int sig, sighandler_t handler, int flags, int mask_self)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = flags;
	sigemptyset(&act.sa_mask);
	if (mask_self && sig > 0 && sig < NSIG)
		sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

EXPORT sighandler_t
signal(int sig, sighandler_t handler)
{
	resolve();
	if (!ready || sig <= 0 || sig >= NSIG || watched[sig] == NOT_WATCHED)
		return real_signal(sig, handler);
	return signal_with(sig, handler, SA_RESTART, 1);
}

EXPORT sighandler_t bsd_signal(int sig, sighandler_t handler);
EXPORT sighandler_t
bsd_signal(int sig, sighandler_t handler)
{
	return signal(sig, handler);
}

EXPORT sighandler_t
sysv_signal(int sig, sighandler_t handler)
{
	resolve();
	if (!ready || sig <= 0 || sig >= NSIG || watched[sig] == NOT_WATCHED)
		return real_sysv_signal(sig, handler);
	return signal_with(sig, handler, SA_RESETHAND | SA_NODEFER, 0);
}
