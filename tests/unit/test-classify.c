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

/* A history of B buckets over DURATION seconds. */
static struct site_history
history(double duration, uint64_t allocs, double q0, double q1, double q2,
    double q3)
{
	struct site_history h;

	memset(&h, 0, sizeof h);
	h.live = live;
	h.buckets = B;
	h.duration_s = duration;
	h.bucket_s = duration / B;
	h.allocations = allocs;
	h.live_bytes = live[B - 1];
	h.live_blocks = live[B - 1] > 0 ? (uint64_t)(live[B - 1] / 64) + 1 : 0;
	h.live_by_quarter[0] = q0 * h.live_bytes;
	h.live_by_quarter[1] = q1 * h.live_bytes;
	h.live_by_quarter[2] = q2 * h.live_bytes;
	h.live_by_quarter[3] = q3 * h.live_bytes;
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
		{ NULL, NULL },
	};

	return test_run(tests);
}
