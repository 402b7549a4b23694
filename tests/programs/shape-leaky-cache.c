/*
 * shape-leaky-cache.c - an LRU cache capped at CAPACITY entries whose
 * eviction path forgets to free one evicted entry in LEAK_EVERY.
 *
 * usage: shape-leaky-cache MS CAPACITY LEAK_EVERY ENTRY_SIZE [LOOKUPS_PER_MS]
 *
 * LOOKUPS_PER_MS (default 20) lookups a millisecond for MS milliseconds,
 * of keys drawn uniformly from 0..3*CAPACITY-1, so about two lookups in
 * three miss once the cache is full.  A miss inserts an entry (cache_insert:
 * one malloc of a 48-byte header plus ENTRY_SIZE bytes of value) and, past
 * CAPACITY entries, evicts the least recently used (cache_evict).  The bug:
 * one eviction in LEAK_EVERY unlinks the entry but does not free it.
 * LEAK_EVERY 0 is the twin without the bug: every evicted entry is freed,
 * and the site stays at its plateau of CAPACITY entries.  Each lookup also
 * formats its key into a temporary (format_key, freed).  The cache and its
 * bucket array (cache_init) are left as they are at exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape-clock.h"

struct entry {
	struct entry *prev, *next;	/* LRU list, most recent first */
	struct entry *chain;		/* hash bucket chain */
	long key;
	size_t len;
	long hits;
	char value[];
};

static struct entry **buckets, *lru_head, *lru_tail;
static size_t nbuckets, count, capacity, entry_size;
static long leak_every, evictions, leaked, misses;

static void
cache_init(size_t cap)
{
	capacity = cap;
	nbuckets = cap * 2 + 1;
	buckets = calloc(nbuckets, sizeof *buckets);
}

static void
lru_unlink(struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push_front(struct entry *e)
{
	e->prev = NULL;
	e->next = lru_head;
	if (lru_head)
		lru_head->prev = e;
	lru_head = e;
	if (!lru_tail)
		lru_tail = e;
}

static void
cache_evict(void)
{
	struct entry *e = lru_tail, **p;

	lru_unlink(e);
	for (p = &buckets[(size_t)e->key % nbuckets]; *p != e; p = &(*p)->chain)
		;
	*p = e->chain;
	count--;
	evictions++;
	if (leak_every && evictions % leak_every == 0) {
		leaked++;	/* the bug: unlinked, never freed */
		return;
	}
	free(e);
}

static struct entry *
cache_insert(long key)
{
	struct entry *e = malloc(sizeof *e + entry_size);
	size_t b = (size_t)key % nbuckets;

	e->key = key;
	e->len = entry_size;
	e->hits = 0;
	memset(e->value, (int)key, entry_size);
	e->chain = buckets[b];
	buckets[b] = e;
	lru_push_front(e);
	if (++count > capacity)
		cache_evict();
	return e;
}

static struct entry *
cache_lookup(long key)
{
	struct entry *e;

	for (e = buckets[(size_t)key % nbuckets]; e; e = e->chain)
		if (e->key == key) {
			lru_unlink(e);
			lru_push_front(e);
			e->hits++;
			return e;
		}
	return NULL;
}

static char *
format_key(long key)
{
	char *s = malloc(40);

	snprintf(s, 40, "object/%08ld", key);
	return s;
}

int
main(int argc, char **argv)
{
	double run_s, t0, t;
	long per_ms, done = 0, range;
	unsigned seed = 5;
	unsigned long sum = 0;
	const struct timespec ms = { 0, 1000000 };

	if (argc < 5) {
		fprintf(stderr, "usage: shape-leaky-cache MS CAPACITY LEAK_EVERY ENTRY_SIZE [LOOKUPS_PER_MS]\n");
		return 2;
	}
	run_s = atof(argv[1]) / 1000;
	cache_init((size_t)atol(argv[2]));
	leak_every = atol(argv[3]);
	entry_size = (size_t)atol(argv[4]);
	per_ms = argc > 5 ? atol(argv[5]) : 20;
	if (capacity < 1 || entry_size < 1)
		return 2;
	range = (long)capacity * 3;
	t0 = now();
	while ((t = now() - t0) < run_s) {
		while (done < per_ms * t * 1000) {
			long key = rand_r(&seed) % range;
			char *k = format_key(key);
			struct entry *e = cache_lookup(key);

			if (!e) {
				misses++;
				e = cache_insert(key);
			}
			sum += (unsigned char)e->value[0] + (unsigned char)k[7];
			free(k);
			done++;
		}
		nanosleep(&ms, NULL);
	}
	printf("lookups %ld misses %ld evictions %ld leaked %ld cached %zu (sum %lu)\n",
	    done, misses, evictions, leaked, count, sum);
	return 0;
}
