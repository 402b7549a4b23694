/*
 * test-work-end.c - finding the end of the program's work in synthetic
 * event streams (see analyzer/work-end.c): a teardown after the work, a
 * teardown with a few allocations, a mark, churn that is no teardown, a
 * drain longer than the work, and the frees listed as undone.
 */
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/work-end.h"
#include "../../format/trace-format.h"
#include "test.h"

/* A simulated heap of 100-byte blocks, fed to a work_end as events. */
struct sim {
	work_end *w;
	uint64_t ts, allocs;
	int64_t blocks;
	uint64_t *born;		/* alloc time of the live blocks, a stack */
	size_t n, cap;
};

static void
sim_alloc(struct sim *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->born = realloc(s->born, s->cap * sizeof *s->born);
	}
	s->born[s->n++] = s->ts;
	s->blocks++;
	s->allocs++;
	s->ts += 1000;
}

/* Frees the newest block (OLDEST: the oldest) */
static void
sim_free(struct sim *s, int oldest)
{
	struct work_end_free f;

	memset(&f, 0, sizeof f);
	if (s->n == 0)
		return;
	f.ptr = 0x1000 + s->n;
	f.ts = s->ts;
	if (oldest) {
		f.alloc_ts = s->born[0];
		memmove(s->born, s->born + 1, (s->n - 1) * sizeof *s->born);
	} else {
		f.alloc_ts = s->born[s->n - 1];
	}
	s->n--;
	f.birth = f.alloc_ts;
	f.size = 100;
	f.allocated_before = s->allocs * 100;
	f.heap_before = s->blocks * 100;
	f.stack = 1;
	s->blocks--;
	work_end_add_free(s->w, &f, s->blocks * 100);
	s->ts += 1000;
}

static void
sim_init(struct sim *s)
{
	memset(s, 0, sizeof *s);
	s->w = work_end_create();
}

static void
sim_done(struct sim *s)
{
	work_end_free(s->w);
	free(s->born);
}

/* LIVE_SINCE for runs that leave nothing new behind. */
static uint64_t
nothing_left(uint64_t ts, void *arg)
{
	(void)ts;
	(void)arg;
	return 0;
}

/* LIVE_SINCE of a struct sim: its blocks born at or after TS. */
static uint64_t
sim_live_since(uint64_t ts, void *arg)
{
	const struct sim *s = arg;
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->born[i] >= ts)
			bytes += 100;
	return bytes;
}

static size_t undone;

static void
count_undone(const struct work_end_free *f, void *arg)
{
	(void)f;
	(void)arg;
	undone++;
}

static size_t
sim_undone(struct sim *s)
{
	undone = 0;
	work_end_each_undone(s->w, count_undone, NULL);
	return undone;
}

/* WORK rounds of "allocate two, free the newest" (one block kept each). */
static void
sim_work(struct sim *s, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		sim_alloc(s);
		sim_alloc(s);
		sim_free(s, 0);
	}
}

static void
test_teardown(void)
{
	struct sim s;
	uint64_t start;
	int i;

	sim_init(&s);
	sim_work(&s, 5000);
	start = s.ts;
	for (i = 0; i < 5000; i++)
		sim_free(&s, 1);
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	/* The work's last free, after its last allocation, goes too. */
	expect_u64_eq(work_end_why(s.w), WORK_END_TEARDOWN);
	expect_u64_eq(work_end_time(s.w), start - 1000);
	expect_u64_eq(sim_undone(&s), 5001);
	sim_done(&s);
}

static void
test_teardown_with_allocations(void)
{
	struct sim s;
	uint64_t start;
	int i;

	/* Printing a report at exit allocates a little. */
	sim_init(&s);
	sim_work(&s, 3000);
	start = s.ts;
	for (i = 0; i < 3000; i++) {
		sim_free(&s, 1);
		if (i % 200 == 0) {
			sim_alloc(&s);
			sim_free(&s, 0);
		}
	}
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	expect_u64_eq(work_end_why(s.w), WORK_END_TEARDOWN);
	expect_true(work_end_time(s.w) + 1000 >= start &&
	    work_end_time(s.w) <= start + 10000);
	sim_done(&s);
}

static void
test_mark(void)
{
	struct sim s;
	uint64_t mark;
	int i;

	/* No teardown before the mark; atexit handlers free after it. */
	sim_init(&s);
	sim_work(&s, 2000);
	mark = s.ts;
	work_end_mark(s.w, mark, HT_WORK_END_PREFIX "main returned",
	    s.allocs * 100);
	for (i = 0; i < 1500; i++)
		sim_free(&s, 1);
	/* A block allocated after the mark and freed: the loader knows it
	   by its order and leaves its free out. */
	sim_alloc(&s);
	s.n--;
	s.blocks--;
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	expect_u64_eq(work_end_why(s.w), WORK_END_MARK);
	expect_u64_eq(work_end_time(s.w), mark);
	expect_str_contains(work_end_label(s.w), "main returned");
	expect_u64_eq(sim_undone(&s), 1500);
	sim_done(&s);
}

static void
test_churn_is_no_teardown(void)
{
	struct sim s;
	int i;

	/* A cache at its capacity: every allocation evicts the oldest. */
	sim_init(&s);
	for (i = 0; i < 1000; i++)
		sim_alloc(&s);
	for (i = 0; i < 200000; i++) {
		sim_alloc(&s);
		sim_free(&s, 1);
	}
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	expect_u64_eq(work_end_why(s.w), WORK_END_LAST_EVENT);
	expect_u64_eq(sim_undone(&s), 0);
	sim_done(&s);
}

static void
test_long_drain_is_work(void)
{
	struct sim s;
	int i;

	/* Everything allocated in a short first phase, then consumed and
	   freed over a phase three times as long: that is the work. */
	sim_init(&s);
	for (i = 0; i < 1000; i++)
		sim_alloc(&s);
	for (i = 0; i < 1000; i++) {
		sim_free(&s, 1);
		s.ts += 2000;
	}
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	expect_u64_eq(work_end_why(s.w), WORK_END_LAST_EVENT);
	sim_done(&s);
}

static void
test_pause_is_work(void)
{
	struct sim s;
	uint64_t start;
	int i;

	/* A vector freed its old copy, then filled its room for 100 ms
	   without allocating; the teardown came after. */
	sim_init(&s);
	sim_work(&s, 3000);
	for (i = 0; i < 1000; i++)
		sim_free(&s, 1);
	s.ts += 100000000;
	sim_alloc(&s);
	start = s.ts;
	for (i = 0; i < 2000; i++)
		sim_free(&s, 1);
	work_end_finish(s.w, s.ts, s.allocs * 100, nothing_left, NULL);
	expect_u64_eq(work_end_why(s.w), WORK_END_TEARDOWN);
	expect_u64_eq(work_end_time(s.w), start);
	sim_done(&s);
}

static void
test_leaky_drain_is_work(void)
{
	struct sim s;
	int i;

	/* The work ends by draining its queue, and keeps a buffer for one
	   job in 15: what it leaves behind says it was work. */
	sim_init(&s);
	sim_work(&s, 3000);
	for (i = 0; i < 3000; i++) {
		sim_free(&s, 1);
		if (i % 15 == 0)
			sim_alloc(&s);	/* the newest: never reached */
	}
	work_end_finish(s.w, s.ts, s.allocs * 100, sim_live_since, &s);
	expect_u64_eq(work_end_why(s.w), WORK_END_LAST_EVENT);
	sim_done(&s);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "work end: a teardown after the work", test_teardown },
		{ "work end: a teardown that allocates a little",
		    test_teardown_with_allocations },
		{ "work end: the recorder's mark", test_mark },
		{ "work end: churn is no teardown", test_churn_is_no_teardown },
		{ "work end: a drain longer than the work is work",
		    test_long_drain_is_work },
		{ "work end: a pause ends no teardown", test_pause_is_work },
		{ "work end: a drain that leaks is work",
		    test_leaky_drain_is_work },
		{ NULL, NULL },
	};

	return test_run(tests);
}
