/*
 * work-end.c - the ways a program's work ends, each marked by the recorder.
 *
 * usage: work-end return|exit|thread-exit|quick_exit|_exit|fork
 * main marks "working" (and tries a label reserved for the recorder, which
 * it refuses), allocates 10 blocks of 111 bytes (kept), then ends as told:
 *   return       main returns 3
 *   exit         a function main calls calls exit(4)
 *   thread-exit  a second thread calls exit(5) while main waits for it
 *   quick_exit   quick_exit(6); an at_quick_exit handler allocates
 *   _exit        _exit(7)
 *   fork         forks; the child allocates 5 blocks of 113 bytes and
 *                returns 0 from main, the parent waits and returns 8
 * Work after the end: an atexit handler allocates and frees 222 bytes, a
 * destructor 333 bytes, an at_quick_exit handler 444 bytes.  Before it:
 * a constructor allocates 555 bytes (kept until the destructor frees it).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heaptrail.h"

void *volatile sink;
void *held[10];		/* not static: kept, not optimized away */
static void *from_constructor;

static void
churn(size_t size)
{
	void *p = malloc(size);

	sink = p;
	free(p);
}

__attribute__((constructor)) static void
before_main(void)
{
	from_constructor = malloc(555);
}

__attribute__((destructor)) static void
after_main(void)
{
	churn(333);
	free(from_constructor);
}

static void
at_exit_handler(void)
{
	churn(222);
}

static void
at_quick_exit_handler(void)
{
	churn(444);
}

static void __attribute__((noinline))
give_up(int status)
{
	exit(status);
}

static void *
exiter(void *arg)
{
	(void)arg;
	churn(99);
	exit(5);
}

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";
	pthread_t t;
	int i, status;
	pid_t pid;

	atexit(at_exit_handler);
	at_quick_exit(at_quick_exit_handler);
	heaptrail_mark("working");
	heaptrail_mark("heaptrail: main returned");
	for (i = 0; i < 10; i++)
		held[i] = malloc(111);
	if (strcmp(how, "return") == 0)
		return 3;
	if (strcmp(how, "exit") == 0)
		give_up(4);
	if (strcmp(how, "thread-exit") == 0) {
		if (pthread_create(&t, NULL, exiter, NULL) != 0)
			return 1;
		pthread_join(t, NULL);
		return 1;		/* not reached: the thread exits */
	}
	if (strcmp(how, "quick_exit") == 0)
		quick_exit(6);
	if (strcmp(how, "_exit") == 0)
		_exit(7);
	if (strcmp(how, "fork") == 0) {
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			for (i = 0; i < 5; i++)
				held[i] = malloc(113);
			return 0;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return 1;
		return 8;
	}
	fprintf(stderr, "usage: work-end return|exit|thread-exit|quick_exit|"
	    "_exit|fork\n");
	return 2;
}
