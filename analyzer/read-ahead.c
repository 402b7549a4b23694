/*
 * read-ahead.c - a source of trace records on its own thread, records
 * handed over in batches (see read-ahead.h).
 *
 * A ring of BATCHES batches, each up to BATCH_EVENTS events (struct
 * ht_event: allocations and frees, nearly all records) with the other
 * records kept whole beside them, and an arena for what those point to
 * (strings, stack frames, segments, build-ids, the header), since the
 * source's own buffers change with the next record.  The thread fills
 * batches in ring order and the caller takes them whole in the same
 * order, reading the events where the thread wrote them (no copy); one
 * mutex and two condition variables guard the count of full batches (see
 * WAKE_AT).  Handing over a batch, not a record, keeps the locking to
 * once per thousand records.
 *
 * Stopping early (the caller met an error) sets `stop`; the thread ends
 * at its next batch boundary.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/xmalloc.h"
#include "read-ahead.h"

#define BATCHES 8
/*
 * A side that waits (the caller for a full batch, the thread for an
 * empty one) is woken only once WAKE_AT batches are there for it, not at
 * each: with more stages than cores, every wake-up is a switch.
 */
#define WAKE_AT (BATCHES / 2)
#define BATCH_EVENTS 1024
/*
 * Before it sleeps, a side that has to wait looks again for up to
 * SPIN_NS, yielding the CPU between looks.  Measured on a loaded 2-CPU
 * virtual machine: a thread put to sleep while its CPU went idle took so
 * long to wake that both sides of a ring spent 40% of an analysis
 * waiting, each for the other; a batch takes well under SPIN_NS to fill.
 */
#define SPIN_NS 200000
#define ARENA_PIECE (64u << 10)

/* A piece of a batch's arena; a big copy gets a piece of its own. */
struct arena_piece {
	struct arena_piece *next;
	size_t used, size;
	_Alignas(8) char data[];
};

struct batch {
	struct ht_event ev[BATCH_EVENTS];
	struct ht_record *whole;	/* records that are not events: */
	size_t nwhole, whole_cap;	/*  ev[i].tag HT_EVENT_RECORD, their
					   index in ev[i].id */
	size_t n;			/* events filled */
	int last;			/* the reader ended after these */
	int ret;			/* ... with this ht_ordered_next result */
	uint64_t offset;		/* reader's file offset at the end */
	struct arena_piece *arena;	/* newest piece first */
	struct ht_header header;	/* a HEADER record's, copied */
};

struct read_ahead {
	struct record_source src;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct batch *batch;		/* BATCHES of them */
	_Atomic size_t nfull;		/* batches ready for the caller
					   (changed under lock, looked at
					   without it by spin_while) */
	int stop;

	/* The caller's side. */
	size_t take;			/* batch being emptied */
	size_t pos;			/* next record in it */
	int taken;			/* it is the caller's */
	int done;
	int final_ret;
	uint64_t offset;
};

/* --- the arena ------------------------------------------------------------ */

/* A copy of LEN bytes at SRC in batch B's arena (NULL stays NULL). */
static void *
arena_keep(struct batch *b, const void *src, size_t len)
{
	struct arena_piece *p = b->arena;
	size_t need = (len + 7) & ~(size_t)7;
	void *dst;

	if (src == NULL)
		return NULL;
	if (p == NULL || p->size - p->used < need) {
		size_t size = need > ARENA_PIECE ? need : ARENA_PIECE;

		p = xmalloc(sizeof *p + size);
		p->size = size;
		p->used = 0;
		p->next = b->arena;
		b->arena = p;
	}
	dst = p->data + p->used;
	memcpy(dst, src, len);
	p->used += need;
	return dst;
}

/*
 * Empties the arena; with KEEP, one standard piece stays for the next
 * fill, without, all is freed.
 */
static void
arena_reset(struct batch *b, int keep)
{
	struct arena_piece *p = b->arena, *kept = NULL;

	while (p != NULL) {
		struct arena_piece *next = p->next;

		if (keep && kept == NULL && p->size == ARENA_PIECE) {
			kept = p;
			kept->used = 0;
			kept->next = NULL;
		} else {
			free(p);
		}
		p = next;
	}
	b->arena = kept;
}

/* Makes record REC of batch B independent of the reader's buffers. */
static void
batch_keep_pointers(struct batch *b, struct ht_record *rec)
{
	if (ht_record_is_event(rec->tag)) {
		rec->str = arena_keep(b, rec->str, rec->str_len);
		return;
	}
	rec->str = arena_keep(b, rec->str, rec->str_len);
	rec->frames = arena_keep(b, rec->frames,
	    rec->nframes * sizeof *rec->frames);
	rec->segs = arena_keep(b, rec->segs, rec->nsegs * sizeof *rec->segs);
	rec->build_id = arena_keep(b, rec->build_id, rec->build_id_len);
	if (rec->header != NULL) {
		b->header = *rec->header;
		b->header.exe = arena_keep(b, b->header.exe,
		    b->header.exe_len);
		b->header.argv = arena_keep(b, b->header.argv,
		    b->header.argv_len);
		rec->header = &b->header;
	}
}

/* Keeps record REC in batch B for its entry EV (tag HT_EVENT_RECORD). */
static void
batch_keep_record(struct batch *b, struct ht_event *ev,
    const struct ht_record *rec)
{
	if (b->nwhole == b->whole_cap) {
		b->whole_cap = b->whole_cap ? b->whole_cap * 2 : 16;
		b->whole = xreallocarray(b->whole, b->whole_cap,
		    sizeof *b->whole);
	}
	b->whole[b->nwhole] = *rec;
	batch_keep_pointers(b, &b->whole[b->nwhole]);
	ev->id = (uint32_t)b->nwhole++;
}

/* Spins (see SPIN_NS) while the ring holds FULL batches. */
static void
spin_while(read_ahead *ra, size_t full)
{
	struct timespec start, now;
	unsigned looks;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (looks = 1; atomic_load(&ra->nfull) == full; looks++) {
		sched_yield();
		if (looks % 16 != 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000000000L +
		    (now.tv_nsec - start.tv_nsec) > SPIN_NS)
			return;
	}
}

/* --- the thread ----------------------------------------------------------- */

static void *
read_ahead_main(void *arg)
{
	read_ahead *ra = arg;
	int (*next)(void *, struct ht_event *, struct ht_record *) =
	    ra->src.next;
	void *src_arg = ra->src.arg;
	struct ht_record rec;
	size_t fill = 0, n;
	int ret = 1;

	while (ret > 0) {
		struct batch *b = &ra->batch[fill];

		int stop;

		spin_while(ra, BATCHES);
		pthread_mutex_lock(&ra->lock);
		while (ra->nfull == BATCHES && !ra->stop)
			pthread_cond_wait(&ra->emptied, &ra->lock);
		stop = ra->stop;
		pthread_mutex_unlock(&ra->lock);
		if (stop)
			break;

		arena_reset(b, 1);
		b->last = 0;
		b->nwhole = 0;
		for (n = 0; n < BATCH_EVENTS; n++) {
			struct ht_event *ev = &b->ev[n];

			ret = next(src_arg, ev, &rec);
			if (ret <= 0)
				break;
			if (ev->tag == HT_EVENT_RECORD)
				batch_keep_record(b, ev, &rec);
		}
		b->n = n;
		b->offset = ra->src.offset(ra->src.arg);
		if (ret <= 0) {
			b->last = 1;
			b->ret = ret;
		}
		pthread_mutex_lock(&ra->lock);
		if (++ra->nfull >= WAKE_AT || b->last)
			pthread_cond_signal(&ra->filled);
		pthread_mutex_unlock(&ra->lock);
		fill = (fill + 1) % BATCHES;
	}
	return NULL;
}

read_ahead *
read_ahead_start(const struct record_source *src, const char *name)
{
	read_ahead *ra = xcalloc(1, sizeof *ra);
	sigset_t all, old;
	int err;

	ra->src = *src;
	ra->batch = xcalloc(BATCHES, sizeof *ra->batch);
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->filled, NULL);
	pthread_cond_init(&ra->emptied, NULL);

	/* Signals (SIGINT for one) stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&ra->thread, NULL, read_ahead_main, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		pthread_setname_np(ra->thread, name);
	if (err != 0) {
		free(ra->batch);
		free(ra);
		return NULL;
	}
	return ra;
}

int
read_ahead_take(read_ahead *ra, struct ht_event_batch *batch)
{
	struct batch *b;

	for (;;) {
		if (ra->done)
			return ra->final_ret;
		if (ra->taken) {
			/* The batch given last time is used: give it back. */
			b = &ra->batch[ra->take];
			if (b->last) {
				ra->done = 1;
				ra->final_ret = b->ret;
				continue;
			}
			pthread_mutex_lock(&ra->lock);
			if (--ra->nfull <= BATCHES - WAKE_AT)
				pthread_cond_signal(&ra->emptied);
			pthread_mutex_unlock(&ra->lock);
			ra->take = (ra->take + 1) % BATCHES;
			ra->taken = 0;
		}
		spin_while(ra, 0);
		pthread_mutex_lock(&ra->lock);
		while (ra->nfull == 0)
			pthread_cond_wait(&ra->filled, &ra->lock);
		pthread_mutex_unlock(&ra->lock);
		ra->taken = 1;
		b = &ra->batch[ra->take];
		ra->offset = b->offset;
		if (b->n == 0)
			continue;	/* only the last can be empty */
		batch->ev = b->ev;
		batch->n = b->n;
		batch->records = b->whole;
		return 1;
	}
}

uint64_t
read_ahead_offset(const read_ahead *ra)
{
	return ra->offset;
}

void
read_ahead_stop(read_ahead *ra)
{
	size_t i;

	if (ra == NULL)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->stop = 1;
	pthread_cond_signal(&ra->emptied);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	for (i = 0; i < BATCHES; i++) {
		arena_reset(&ra->batch[i], 0);
		free(ra->batch[i].whole);
	}
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->filled);
	pthread_cond_destroy(&ra->emptied);
	free(ra->batch);
	free(ra);
}
