/*
 * fork-child.c - fork from a program with a second thread running, for
 * the fork tests.
 *
 * Before the fork the parent makes 20 allocations of 31 bytes and keeps
 * them, while a second thread churns 47-byte blocks (so there are
 * buffered events of another thread at the moment of the fork).  The
 * child frees 10 of the parent's 31-byte blocks (frees of blocks it never
 * saw allocated), leaks 7 blocks of 53 bytes and frees 3 of 59, then
 * forks a grandchild that leaks 5 of 61 and calls _exit.  After the
 * child is reaped, the parent leaks 11 blocks of 67 bytes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;

static void *
churn(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		char *volatile p = malloc(47);

		free(p);
	}
	return NULL;
}

static void
leak(int n, size_t size)
{
	for (int i = 0; i < n; i++) {
		volatile char *p = malloc(size);

		p[0] = 1;
	}
}

int
main(void)
{
	void *kept[20];
	pthread_t t;
	pid_t child;
	int status;

	for (int i = 0; i < 20; i++)
		kept[i] = malloc(31);
	pthread_create(&t, NULL, churn, NULL);
	usleep(20000);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		pid_t grandchild;

		for (int i = 0; i < 10; i++)
			free(kept[i]);
		leak(7, 53);
		for (int i = 0; i < 3; i++) {
			char *volatile p = malloc(59);

			free(p);
		}
		grandchild = fork();
		if (grandchild == 0) {
			leak(5, 61);
			_exit(0);
		}
		waitpid(grandchild, &status, 0);
		exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 2);
	}
	waitpid(child, &status, 0);
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	leak(11, 67);
	printf("child %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
	    "ok" : "failed");
	return 0;
}
