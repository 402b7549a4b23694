/*
 * signals.c - a program ended by signals, for test-signals.sh.
 *
 * usage: signals wait|churn|own-handler|query|segv|abort
 * Every mode first allocates 1000 blocks of 48 bytes and frees 600 (400
 * live), then:
 *   wait         writes its pid to ./pid and sleeps until a signal ends it
 *   churn        the same, while 3 threads and main malloc/free 24-byte
 *                blocks as fast as they can (signals land inside malloc)
 *   own-handler  installs a SIGTERM handler, writes ./pid, and when the
 *                signal comes exits with status 7
 *   query        prints how SIGINT, SIGTERM and SIGSEGV look to it (as
 *                sigaction and signal report them), changes SIGINT to
 *                SIG_IGN and back, then raises SIGINT
 *   segv         writes through a null pointer
 *   abort        calls abort()
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile sink;
static volatile sig_atomic_t got_term;

static void
write_pid(void)
{
	FILE *f = fopen("pid.tmp", "w");

	fprintf(f, "%d\n", getpid());
	fclose(f);
	rename("pid.tmp", "pid");
}

static void *
churn(void *arg)
{
	(void)arg;
	for (;;) {
		void *p = malloc(24);

		sink = p;
		free(p);
	}
	return NULL;
}

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static const char *
describe(sighandler_t h)
{
	if (h == SIG_DFL)
		return "SIG_DFL";
	if (h == SIG_IGN)
		return "SIG_IGN";
	return "handler";
}

static void
show(const char *name, int sig)
{
	struct sigaction now;
	sighandler_t old;

	sigaction(sig, NULL, &now);
	old = signal(sig, SIG_IGN);	/* and put back what was there */
	signal(sig, old);
	printf("%s %s %s\n", name, describe(now.sa_handler), describe(old));
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "wait";
	void *b[1000];
	int i;

	for (i = 0; i < 1000; i++)
		b[i] = malloc(48);
	for (i = 0; i < 600; i++)
		free(b[i]);

	if (strcmp(mode, "wait") == 0) {
		write_pid();
		for (;;)
			pause();
	}
	if (strcmp(mode, "churn") == 0) {
		pthread_t t;

		for (i = 0; i < 3; i++)
			pthread_create(&t, NULL, churn, NULL);
		write_pid();
		churn(NULL);
	}
	if (strcmp(mode, "own-handler") == 0) {
		struct sigaction act;

		memset(&act, 0, sizeof act);
		act.sa_handler = on_term;
		sigaction(SIGTERM, &act, NULL);
		write_pid();
		while (!got_term)
			pause();
		exit(7);
	}
	if (strcmp(mode, "query") == 0) {
		struct sigaction ign, old;

		show("SIGINT", SIGINT);
		show("SIGTERM", SIGTERM);
		show("SIGSEGV", SIGSEGV);
		memset(&ign, 0, sizeof ign);
		ign.sa_handler = SIG_IGN;
		sigaction(SIGINT, &ign, NULL);
		show("SIGINT", SIGINT);
		signal(SIGINT, SIG_DFL);
		sigaction(SIGINT, NULL, &old);
		printf("SIGINT %s\n", describe(old.sa_handler));
		fflush(stdout);
		raise(SIGINT);
		return 0;
	}
	if (strcmp(mode, "segv") == 0)
		*(volatile int *)sink = 1;	/* sink is NULL */
	if (strcmp(mode, "abort") == 0)
		abort();
	return 0;
}
