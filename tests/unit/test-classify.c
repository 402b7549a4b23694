/*
 * test-classify.c - the leak classification on synthetic site histories,
 * one per shape it must tell apart (see analyzer/classify.c).
 */
#include <math.h>
#include <string.h>

#include "../../analyzer/classify.h"
#include "test.h"

#define B 200

static double live[B];

/*
 * A history of B buckets over DURATION seconds; Q0 ... Q3: the shares of
 * the bytes live at the end born in each quarter (even over its periods).
 */
static struct site_history
history(double duration, uint64_t allocs, double q0, double q1, double q2,
    double q3)
{
	struct site_history h;
	double quarter[4] = { q0, q1, q2, q3 };
	int i;

	memset(&h, 0, sizeof h);
	h.live = live;
	h.buckets = B;
	h.duration_s = duration;
	h.bucket_s = duration / B;
	h.allocations = allocs;
	h.live_bytes = live[B - 1];
	h.live_blocks = live[B - 1] > 0 ? (uint64_t)(live[B - 1] / 64) + 1 : 0;
	h.exit_live_bytes = h.live_bytes;	/* no teardown */
	h.exit_live_blocks = h.live_blocks;
	for (i = 0; i < CLASSIFY_PERIODS; i++)
		h.live_by_period[i] = quarter[i * 4 / CLASSIFY_PERIODS] *
		    h.live_bytes * 4 / CLASSIFY_PERIODS;
	return h;
}

static enum site_class
run(const struct site_history *h, const char *want_pattern)
{
	char pattern[128];
	double growth;
	enum site_class c = classify_site(h, pattern, sizeof pattern, &growth);

	if (want_pattern != NULL)
		expect_str_contains(pattern, want_pattern);
	return c;
}

static void
test_linear_leak(void)
{
	struct site_history h;
	int i;

	for (i = 0; i < B; i++)
		live[i] = 1000.0 * (i + 1) + (i % 7) * 30;	/* noisy line */
	h = history(10, 5000, 0.25, 0.25, 0.25, 0.25);
	expect_u64_eq(run(&h, "linear growth"), CLASS_LEAK);
}

static void
test_killed_while_growing(void)
{
	struct site_history h;
	int i;

	/* Flat start-up, then growth right up to the end of the trace. */
	for (i = 0; i < B; i++)
		live[i] = i < 20 ? 5000 : 5000 + 800.0 * (i - 20);
	h = history(4, 900, 0.05, 0.3, 0.3, 0.35);
	expect_u64_eq(run(&h, "linear growth"), CLASS_LEAK);
}

static void
test_held_since_start(void)
{
	struct site_history h;
	int i;

	for (i = 0; i < B; i++)
		live[i] = i < 3 ? 100000.0 * i : 300000;
	h = history(30, 1, 1, 0, 0, 0);		/* one arena block */
	expect_u64_eq(run(&h, "held since start"), CLASS_STEADY);
}

static void
test_plateau(void)
{
	struct site_history h;
	int i;

	/* A cache filling up, then churning at its capacity. */
	for (i = 0; i < B; i++)
		live[i] = i < 40 ? 10000.0 * i : 400000 - (i % 5) * 4000;
	h = history(20, 200000, 0.0, 0.05, 0.15, 0.8);
	expect_u64_eq(run(&h, "plateau at"), CLASS_STEADY);
}

static void
test_steps_unclear(void)
{
	struct site_history h;
	int i;

	/* Two big steps: grows, but not steadily. */
	for (i = 0; i < B; i++)
		live[i] = i < 100 ? 1000 : i < 180 ? 500000 : 2000000;
	h = history(10, 100, 0.0, 0.0, 0.3, 0.7);
	expect_u64_eq(run(&h, "irregular"), CLASS_UNCLEAR);
}

static void
test_short_run(void)
{
	struct site_history h;
	int i;

	for (i = 0; i < B; i++)
		live[i] = 100.0 * i;
	h = history(0.05, 1000, 0.25, 0.25, 0.25, 0.25);
	expect_u64_eq(run(&h, "run too short"), CLASS_UNCLEAR);
}

static void
test_freed(void)
{
	struct site_history h;
	double growth;
	char pattern[64];
	int i;

	for (i = 0; i < B; i++)
		live[i] = i < B - 2 ? 100.0 * i : 0;
	h = history(5, 1000, 0, 0, 0, 0);
	h.freed_late = 1;
	expect_u64_eq(classify_site(&h, pattern, sizeof pattern, &growth),
	    CLASS_FREED);
	expect_str_contains(pattern, "freed at exit");
	expect_true(growth > 0);	/* still ranked by growth */
}

static void
test_leak_since_midway(void)
{
	struct site_history h;
	int i;

	/* Churn around 5 KB, then a leak from 45% of the run on. */
	for (i = 0; i < B; i++)
		live[i] = 5000 + (i % 3) * 300 + (i < 90 ? 0 : 800.0 * (i - 90));
	h = history(8, 20000, 0, 0, 0, 0);
	h.frees = 15000;
	for (i = 9; i < CLASSIFY_PERIODS; i++)
		h.live_by_period[i] = (h.live_bytes - 5000) / 11;
	h.live_by_period[19] += 5000;
	expect_u64_eq(run(&h, "since"), CLASS_LEAK);
}

static void
test_realloc_chain(void)
{
	struct site_history h;
	int i;

	/* One buffer grown by realloc from the start: born in period 0. */
	for (i = 0; i < B; i++)
		live[i] = 4096.0 * (i + 1);
	h = history(5, 400, 1, 0, 0, 0);
	h.live_blocks = 1;
	h.frees = 399;
	memset(h.live_by_period, 0, sizeof h.live_by_period);
	h.live_by_period[0] = h.live_bytes;
	expect_u64_eq(run(&h, "a growing block"), CLASS_LEAK);
}

static void
test_doubling_vector(void)
{
	struct site_history h;
	int i;

	/* Capacity doubling as a vector fills at a steady rate; the last
	   doubling comes at 55% of the run. */
	for (i = 0; i < B; i++)
		live[i] = 16 * pow(2, ceil(log2((i + 1) * 4700.0 / 16)));
	h = history(6, 22, 1, 0, 0, 0);
	h.live_blocks = 1;
	h.frees = 21;
	memset(h.live_by_period, 0, sizeof h.live_by_period);
	h.live_by_period[0] = h.live_bytes;
	expect_u64_eq(run(&h, NULL), CLASS_LEAK);
}

static void
test_sawtooth(void)
{
	struct site_history h;
	int i;

	/* Fills to 100 KB and is released, every 25 buckets. */
	for (i = 0; i < B; i++)
		live[i] = (i % 25 + 1) * 4000.0;
	h = history(10, 50000, 0, 0, 0, 1);
	h.frees = 49000;
	memset(h.live_by_period, 0, sizeof h.live_by_period);
	h.live_by_period[19] = h.live_bytes;
	expect_u64_eq(run(&h, "sawtooth"), CLASS_STEADY);
}

static void
test_bursty_queue(void)
{
	struct site_history h;
	int i;

	/* Between half and full, no trend. */
	for (i = 0; i < B; i++)
		live[i] = i < 10 ? 30000.0 * i : 300000 + 90000 * sin(i * 0.9) +
		    (i * 7919 % 13) * 800;
	h = history(10, 80000, 0, 0, 0, 1);
	h.frees = 79000;
	memset(h.live_by_period, 0, sizeof h.live_by_period);
	h.live_by_period[19] = h.live_bytes;
	expect_u64_eq(run(&h, "bounded between"), CLASS_STEADY);
}

static void
test_leaky_cache(void)
{
	struct site_history h;
	int i;

	/* A cache at 400 KB that loses 500 bytes a bucket. */
	for (i = 0; i < B; i++)
		live[i] = (i < 20 ? 20000.0 * i : 400000 - (i % 5) * 4000) +
		    500.0 * i;
	h = history(10, 300000, 0, 0, 0, 0);
	h.frees = 290000;
	for (i = 0; i < CLASSIFY_PERIODS; i++)
		h.live_by_period[i] = 5000;
	h.live_by_period[19] += h.live_bytes - 100000;
	expect_u64_eq(run(&h, NULL), CLASS_LEAK);
}

static void
test_random_cache_steady(void)
{
	struct site_history h;
	int i;

	/* A cache with random eviction at its plateau: some blocks of
	   every age survive, fewer the older they are. */
	for (i = 0; i < B; i++)
		live[i] = i < 40 ? 10000.0 * i : 400000 - (i % 5) * 4000;
	h = history(20, 200000, 0, 0, 0, 0);
	h.frees = 190000;
	for (i = 0; i < CLASSIFY_PERIODS; i++)
		h.live_by_period[i] = h.live_bytes * 0.23 *
		    exp(-(CLASSIFY_PERIODS - 1 - i) / 4.0);
	expect_u64_eq(run(&h, "plateau at"), CLASS_STEADY);
}

static void
test_ramp_then_held(void)
{
	struct site_history h;
	int i;

	/* A table built over the first 60% of the run, then held. */
	for (i = 0; i < B; i++)
		live[i] = 1000.0 * (i < 120 ? i + 1 : 120);
	h = history(10, 120, 0, 0, 0, 0);
	for (i = 0; i < 12; i++)
		h.live_by_period[i] = h.live_bytes / 12;
	expect_u64_eq(run(&h, NULL), CLASS_STEADY);
}

static void
test_released_at_exit(void)
{
	struct site_history h;
	int i;

	for (i = 0; i < B; i++)
		live[i] = 1000.0 * (i + 1);
	h = history(10, 5000, 0.25, 0.25, 0.25, 0.25);
	h.exit_live_blocks = 0;
	h.exit_live_bytes = 0;
	expect_u64_eq(run(&h, "linear growth"), CLASS_LEAK);
	expect_u64_eq(run(&h, ", released at exit"), CLASS_LEAK);
}

static void
test_long_teeth_steady(void)
{
	struct site_history h;
	char pattern[128];
	double growth;
	int i, period;

	/* A buffer filled and flushed every 20% ... 50% of the run, the
	   work ending at the top of a tooth: never a leak. */
	for (period = 40; period <= 100; period += 20) {
		for (i = 0; i < B; i++)
			live[i] = 1000.0 * ((i % period) + 1);
		live[B - 1] = 1000.0 * period;
		h = history(10, 40000, 0, 0, 0, 0);
		h.frees = 39000;
		h.live_by_period[CLASSIFY_PERIODS - 1] = h.live_bytes / 2;
		h.live_by_period[CLASSIFY_PERIODS - 2] = h.live_bytes / 2;
		for (i = CLASSIFY_PERIODS * (B - period) / B;
		    i < CLASSIFY_PERIODS; i++)
			h.live_by_period[i] = h.live_bytes * B / period /
			    CLASSIFY_PERIODS;
		expect_true(classify_site(&h, pattern, sizeof pattern,
		    &growth) != CLASS_LEAK);
	}
}

static void
test_zero_bytes(void)
{
	struct site_history h;
	int i;

	/* malloc(0) blocks kept: no division by nothing in the words. */
	for (i = 0; i < B; i++)
		live[i] = 0;
	h = history(10, 100, 1, 0, 0, 0);
	h.live_blocks = 100;
	h.exit_live_blocks = 100;
	expect_u64_eq(run(&h, "held since start (0 B)"), CLASS_STEADY);
	h.exit_live_blocks = 0;
	expect_u64_eq(run(&h, "(0 B), released at exit"), CLASS_STEADY);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "classify: linear growth is a leak", test_linear_leak },
		{ "classify: killed while growing is a leak",
		    test_killed_while_growing },
		{ "classify: start-up arena is steady", test_held_since_start },
		{ "classify: cache at capacity is steady", test_plateau },
		{ "classify: steps are unclear", test_steps_unclear },
		{ "classify: short run is unclear", test_short_run },
		{ "classify: freed at exit", test_freed },
		{ "classify: a leak from midway says since when",
		    test_leak_since_midway },
		{ "classify: one block grown by realloc is a leak",
		    test_realloc_chain },
		{ "classify: a doubling vector is a leak", test_doubling_vector },
		{ "classify: a sawtooth is steady", test_sawtooth },
		{ "classify: a bursty bounded queue is steady",
		    test_bursty_queue },
		{ "classify: a cache losing blocks is a leak", test_leaky_cache },
		{ "classify: a random-eviction cache is steady",
		    test_random_cache_steady },
		{ "classify: a table built then held is steady",
		    test_ramp_then_held },
		{ "classify: released at exit keeps its class",
		    test_released_at_exit },
		{ "classify: a sawtooth with long teeth is no leak",
		    test_long_teeth_steady },
		{ "classify: blocks of 0 bytes", test_zero_bytes },
		{ NULL, NULL },
	};

	return test_run(tests);
}
