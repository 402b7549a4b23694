/*
 * stress.c - many threads allocating and freeing across each other, for
 * test-stress.sh and `make soak`.
 *
 * usage: stress THREADS SECONDS
 * For SECONDS, THREADS workers put blocks of 7000 to 7063 bytes into a
 * shared table of slots, each freeing the block it displaces (mostly one
 * another thread made).  Meanwhile one thread keeps creating and joining
 * short-lived threads (each 50 blocks of 7100 bytes, allocated and
 * freed), one sends SIGUSR1 to the workers as fast as it can (they are
 * mostly inside malloc or free when it lands), and one forks children
 * that allocate and free 100 blocks of 7200 bytes and end with _exit or
 * exit.  At the end every block is freed.  Prints the counts to check:
 *   workers N       blocks of 7000..7063 allocated (and freed)
 *   short-lived N   blocks of 7100
 *   children N      fork children made (each: 100 blocks of 7200)
 *   signals N       SIGUSR1 handled
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096
#define MAX_THREADS 512

static _Atomic(void *) slots[SLOTS];
static atomic_int stop;
static atomic_long worker_allocs, short_allocs, children, signals_seen;
static pthread_t workers[MAX_THREADS];
static int nworkers;

static void
on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&signals_seen, 1, memory_order_relaxed);
}

static void *
worker(void *arg)
{
	unsigned seed = (unsigned)(long)arg * 2654435761u;
	long n = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		void *p = malloc(7000 + rand_r(&seed) % 64), *old;

		n++;
		old = atomic_exchange(&slots[rand_r(&seed) % SLOTS], p);
		free(old);
	}
	atomic_fetch_add(&worker_allocs, n);
	return NULL;
}

static void *
short_lived(void *arg)
{
	void *b[50];
	int i;

	(void)arg;
	for (i = 0; i < 50; i++)
		b[i] = malloc(7100);
	for (i = 0; i < 50; i++)
		free(b[i]);
	return NULL;
}

static void *
spawner(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_t t[4];
		int i;

		for (i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, short_lived, NULL);
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		atomic_fetch_add(&short_allocs, 4 * 50);
	}
	return NULL;
}

static void *
signaller(void *arg)
{
	unsigned seed = 7;

	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_kill(workers[rand_r(&seed) % nworkers], SIGUSR1);
		usleep(100);
	}
	return NULL;
}

static void *
forker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pid_t pid = fork();

		if (pid == 0) {
			void *b[100];
			int i;

			for (i = 0; i < 100; i++)
				b[i] = malloc(7200);
			for (i = 0; i < 100; i++)
				free(b[i]);
			if (getpid() % 2)
				_exit(0);
			exit(0);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			atomic_fetch_add(&children, 1);
		}
		usleep(100000);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	int seconds = argc > 2 ? atoi(argv[2]) : 2, i;
	struct sigaction act = { .sa_handler = on_usr1,
	    .sa_flags = SA_RESTART };
	pthread_t helpers[3];

	nworkers = argc > 1 ? atoi(argv[1]) : 64;
	if (nworkers < 1 || nworkers > MAX_THREADS)
		nworkers = 64;
	sigaction(SIGUSR1, &act, NULL);
	for (i = 0; i < nworkers; i++)
		pthread_create(&workers[i], NULL, worker, (void *)(long)(i + 1));
	pthread_create(&helpers[0], NULL, spawner, NULL);
	pthread_create(&helpers[1], NULL, signaller, NULL);
	pthread_create(&helpers[2], NULL, forker, NULL);
	sleep((unsigned)seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(helpers[i], NULL);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	for (i = 0; i < SLOTS; i++)
		free(atomic_exchange(&slots[i], NULL));
	printf("workers %ld\nshort-lived %ld\nchildren %ld\nsignals %ld\n",
	    (long)worker_allocs, (long)short_allocs, (long)children,
	    (long)signals_seen);
	return 0;
}
