/*
 * db-queue.c - run prepared statements on a thread of their own (see
 * db-queue.h).
 *
 * The producer fills a block of operations (a statement and its
 * arguments, strings copied into the block's text) and hands it over
 * when full; the thread runs the blocks in order and gives them back.
 * At most BLOCKS_MAX blocks exist, so a producer faster than SQLite
 * waits rather than holding the whole load in memory (about 3 MiB).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "db-queue.h"

#define OPS_PER_BLOCK 2048
#define TEXT_PER_BLOCK (128u << 10)	/* grows for one longer string */
#define BLOCKS_MAX 8

struct db_op {
	sqlite3_stmt *st;
	uint8_t nargs;
	char types[DB_QUEUE_ARGS];	/* 'i', 'd', 't', 'n' */
	union {
		int64_t i;
		double d;
		struct {
			uint32_t off, len;
		} t;
	} v[DB_QUEUE_ARGS];
};

struct db_block {
	struct db_block *next;
	size_t nops;
	size_t text_len, text_cap;
	char *text;
	struct db_op ops[OPS_PER_BLOCK];
};

struct db_queue {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	/* protects: full, full_last, spare, nblocks, stopping */
	pthread_cond_t work;		/* a block is full, or stopping */
	pthread_cond_t room;		/* a block came back */
	struct db_block *full, *full_last;	/* to run, oldest first */
	struct db_block *spare;
	unsigned nblocks;
	int stopping;
	struct db_block *cur;		/* the producer's; no lock */
	char *error;			/* the thread's; read after join */
};

static struct db_block *
block_new(void)
{
	struct db_block *b = xcalloc(1, sizeof *b);

	b->text_cap = TEXT_PER_BLOCK;
	b->text = xmalloc(b->text_cap);
	return b;
}

static void
block_free(struct db_block *b)
{
	free(b->text);
	free(b);
}

/* Runs the operations of B, unless an earlier one failed. */
static void
block_run(db_queue *q, struct db_block *b)
{
	size_t i;
	unsigned a;

	for (i = 0; i < b->nops && q->error == NULL; i++) {
		struct db_op *op = &b->ops[i];
		int rc;

		for (a = 0; a < op->nargs; a++) {
			switch (op->types[a]) {
			case 'i':
				sqlite3_bind_int64(op->st, a + 1, op->v[a].i);
				break;
			case 'd':
				sqlite3_bind_double(op->st, a + 1, op->v[a].d);
				break;
			case 't':
				sqlite3_bind_text(op->st, a + 1,
				    b->text + op->v[a].t.off,
				    (int)op->v[a].t.len, SQLITE_STATIC);
				break;
			default:
				sqlite3_bind_null(op->st, a + 1);
				break;
			}
		}
		rc = sqlite3_step(op->st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_OK)
			q->error = xasprintf("%s: %s", sqlite3_sql(op->st),
			    sqlite3_errmsg(q->db));
		sqlite3_reset(op->st);
		sqlite3_clear_bindings(op->st);
	}
	b->nops = 0;
	b->text_len = 0;
}

static void *
queue_main(void *arg)
{
	db_queue *q = arg;

	pthread_setname_np(pthread_self(), "heaptrail-db");
	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct db_block *b;

		while (q->full == NULL && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->full == NULL)
			break;
		b = q->full;
		q->full = b->next;
		if (q->full == NULL)
			q->full_last = NULL;
		pthread_mutex_unlock(&q->lock);
		block_run(q, b);
		pthread_mutex_lock(&q->lock);
		b->next = q->spare;
		q->spare = b;
		pthread_cond_signal(&q->room);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

db_queue *
db_queue_start(sqlite3 *db)
{
	db_queue *q = xcalloc(1, sizeof *q);

	q->db = db;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->room, NULL);
	q->cur = block_new();
	q->nblocks = 1;
	if (pthread_create(&q->thread, NULL, queue_main, q) != 0) {
		block_free(q->cur);
		free(q);
		return NULL;
	}
	return q;
}

/* Hands the current block over and takes an empty one. */
static void
queue_hand_over(db_queue *q)
{
	struct db_block *b = q->cur;

	pthread_mutex_lock(&q->lock);
	b->next = NULL;
	if (q->full_last != NULL)
		q->full_last->next = b;
	else
		q->full = b;
	q->full_last = b;
	pthread_cond_signal(&q->work);
	while (q->spare == NULL && q->nblocks == BLOCKS_MAX)
		pthread_cond_wait(&q->room, &q->lock);
	if (q->spare != NULL) {
		q->cur = q->spare;
		q->spare = q->cur->next;
	} else {
		q->cur = NULL;
		q->nblocks++;
	}
	pthread_mutex_unlock(&q->lock);
	if (q->cur == NULL)
		q->cur = block_new();
}

/* An operation slot in the current block with room for TEXT more bytes. */
static struct db_op *
queue_op(db_queue *q, size_t text)
{
	struct db_block *b = q->cur;

	if (b->nops == OPS_PER_BLOCK || b->text_len + text > b->text_cap) {
		if (b->nops > 0)
			queue_hand_over(q);
		b = q->cur;
		if (text > b->text_cap) {
			b->text_cap = text;
			b->text = xrealloc(b->text, b->text_cap);
		}
	}
	return &b->ops[b->nops++];
}

/* Copies LEN bytes of S into the current block's text for OP's arg A. */
static void
queue_text(db_queue *q, struct db_op *op, unsigned a, const char *s,
    size_t len)
{
	struct db_block *b = q->cur;

	memcpy(b->text + b->text_len, s, len);
	op->v[a].t.off = (uint32_t)b->text_len;
	op->v[a].t.len = (uint32_t)len;
	b->text_len += len;
}

void
db_queue_exec(db_queue *q, sqlite3_stmt *st, const char *types, va_list ap)
{
	const char *texts[DB_QUEUE_ARGS];
	size_t lens[DB_QUEUE_ARGS], text = 0;
	int64_t ints[DB_QUEUE_ARGS];
	double dbls[DB_QUEUE_ARGS];
	struct db_op *op;
	unsigned a, n = 0;

	/* The arguments first: the text they need decides the block. */
	for (; types[n] != '\0' && n < DB_QUEUE_ARGS; n++) {
		texts[n] = NULL;
		switch (types[n]) {
		case 'i':
			ints[n] = va_arg(ap, int64_t);
			break;
		case 'd':
			dbls[n] = va_arg(ap, double);
			break;
		case 't':
			texts[n] = va_arg(ap, const char *);
			lens[n] = texts[n] != NULL ? strlen(texts[n]) : 0;
			text += lens[n];
			break;
		default:
			(void)va_arg(ap, int64_t);
			break;
		}
	}
	op = queue_op(q, text);
	op->st = st;
	op->nargs = (uint8_t)n;
	for (a = 0; a < n; a++) {
		op->types[a] = types[a];
		if (types[a] == 'i')
			op->v[a].i = ints[a];
		else if (types[a] == 'd')
			op->v[a].d = dbls[a];
		else if (types[a] == 't' && texts[a] != NULL)
			queue_text(q, op, a, texts[a], lens[a]);
		else
			op->types[a] = 'n';
	}
}

void
db_queue_exec_text(db_queue *q, sqlite3_stmt *st, int64_t first,
    const char *text, size_t len)
{
	struct db_op *op = queue_op(q, len);

	op->st = st;
	op->nargs = 2;
	op->types[0] = 'i';
	op->v[0].i = first;
	op->types[1] = 't';
	queue_text(q, op, 1, text, len);
}

char *
db_queue_stop(db_queue *q)
{
	struct db_block *b;
	char *error;

	if (q->cur->nops > 0)
		queue_hand_over(q);
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	block_free(q->cur);
	while ((b = q->spare) != NULL) {
		q->spare = b->next;
		block_free(b);
	}
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->room);
	error = q->error;
	free(q);
	return error;
}
