/*
 * test-survival.c - the survival sums and the histogram bins (see
 * analyzer/survival.h): bins against a slow count at every edge, sums
 * added up and handed back in key order through the table's growth.
 */
#include <stdlib.h>

#include "../../analyzer/survival.h"
#include "test.h"

/* Decimal digits of N, by division. */
static unsigned
digits(uint64_t n)
{
	unsigned k = 0;

	for (; n > 0; n /= 10)
		k++;
	return k;
}

static unsigned
log2_floor(uint64_t n)
{
	unsigned k = 0;

	for (; n >= 2; n /= 2)
		k++;
	return k;
}

static void
test_time_bins(void)
{
	uint64_t p = 1;
	int i;

	expect_u64_eq(survival_time_bin(0), 0);
	expect_u64_eq(survival_time_bin(1), 1);
	expect_u64_eq(survival_time_bin(999), 3);
	expect_u64_eq(survival_time_bin(1000), 4);
	expect_u64_eq(survival_time_bin(UINT64_MAX), 20);
	/* Around every power of ten, and of two. */
	for (i = 0; i < 20; i++, p *= 10) {
		expect_u64_eq(survival_time_bin(p), digits(p));
		expect_u64_eq(survival_time_bin(p - 1), digits(p - 1));
		expect_u64_eq(survival_time_bin(p + 1), digits(p + 1));
	}
	for (i = 0; i < 64; i++) {
		uint64_t q = (uint64_t)1 << i;

		expect_u64_eq(survival_time_bin(q), digits(q));
		expect_u64_eq(survival_time_bin(q - 1), digits(q - 1));
		expect_u64_eq(survival_time_bin(q + 1), digits(q + 1));
	}
	for (p = 0; p < 100000; p++)
		if (survival_time_bin(p) != digits(p)) {
			expect_u64_eq(survival_time_bin(p), digits(p));
			break;
		}
	expect_true(survival_time_bin(UINT64_MAX) < SURVIVAL_TIME_BINS);
}

static void
test_size_bins(void)
{
	int i;

	expect_u64_eq(survival_size_bin(0), 0);
	expect_u64_eq(survival_size_bin(1), 0);
	expect_u64_eq(survival_size_bin(2), 1);
	expect_u64_eq(survival_size_bin(255), 7);
	expect_u64_eq(survival_size_bin(256), 8);
	for (i = 1; i < 64; i++) {
		uint64_t q = (uint64_t)1 << i;

		expect_u64_eq(survival_size_bin(q), log2_floor(q));
		expect_u64_eq(survival_size_bin(q - 1), log2_floor(q - 1));
		expect_u64_eq(survival_size_bin(q + 1), log2_floor(q + 1));
	}
	expect_u64_eq(survival_size_bin(UINT64_MAX), SURVIVAL_SIZE_BINS - 1);
}

struct seen {
	uint64_t last;		/* packed key of the last sum, + 1 */
	int ordered;
	size_t n;
	int64_t blocks, bytes;
	int64_t b_777;		/* blocks of (777, 3, 200) */
};

static void
collect(uint32_t stack, unsigned a, unsigned f, int64_t blocks,
    int64_t bytes, void *arg)
{
	struct seen *s = arg;
	uint64_t key = (uint64_t)stack << 16 | a << 8 | f;

	if (s->n > 0 && key + 1 <= s->last)
		s->ordered = 0;
	s->last = key + 1;
	s->n++;
	s->blocks += blocks;
	s->bytes += bytes;
	if (stack == 777 && a == 3 && f == 200)
		s->b_777 = blocks;
}

static void
test_sums(void)
{
	survival *sv = survival_create();
	struct seen s = { 0, 1, 0, 0, 0, 0 };
	uint32_t stack;
	unsigned a;

	/* Added in an order unlike the key's, each sum twice. */
	for (stack = 5000; stack-- > 0;)
		for (a = 0; a < 4; a++) {
			survival_add(sv, stack, a, 200, 1, 10);
			survival_add(sv, stack, a, 200, 1, 10);
		}
	survival_add(sv, 0, 0, 0, -1, 5);	/* key of all zeros */
	survival_add(sv, UINT32_MAX, 255, 255, 1, 1);
	expect_u64_eq(survival_count(sv), 5000 * 4 + 2);
	survival_each(sv, collect, &s);
	expect_true(s.ordered);
	expect_u64_eq(s.n, 5000 * 4 + 2);
	expect_u64_eq(s.blocks, 5000 * 4 * 2 - 1 + 1);
	expect_u64_eq(s.bytes, 5000 * 4 * 20 + 5 + 1);
	expect_u64_eq(s.b_777, 2);
	survival_free(sv);
	survival_free(NULL);
}

static void
test_hist(void)
{
	struct survival_hist h = { NULL, 0, 0 };
	static const unsigned order[] = { 7, 7, 9, 3, 0, 63, 5 };
	uint64_t blocks = 0, bytes = 0;
	unsigned i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		survival_hist_add(&h, order[i], 1, 100 + order[i]);
	expect_u64_eq(h.lo, 0);
	expect_u64_eq(h.hi, 64);
	expect_u64_eq(h.bins[7].blocks, 2);
	expect_u64_eq(h.bins[7].bytes, 214);
	expect_u64_eq(h.bins[0].bytes, 100);
	expect_u64_eq(h.bins[63].bytes, 163);
	for (i = 0; i < 64; i++) {
		blocks += h.bins[i].blocks;
		bytes += h.bins[i].bytes;
	}
	expect_u64_eq(blocks, 7);
	expect_u64_eq(bytes, 700 + 7 + 7 + 9 + 3 + 0 + 63 + 5);
	survival_hist_clear(&h);
	expect_true(h.bins == NULL && h.lo == 0 && h.hi == 0);
	/* One bin, then one below it: the range grows down. */
	survival_hist_add(&h, 12, 0, 4096);
	expect_u64_eq(h.lo, 12);
	expect_u64_eq(h.hi, 13);
	survival_hist_add(&h, 10, 1, 1024);
	expect_u64_eq(h.lo, 10);
	expect_u64_eq(h.bins[2].bytes, 4096);
	expect_u64_eq(h.bins[1].bytes, 0);
	expect_u64_eq(h.bins[0].blocks, 1);
	survival_hist_clear(&h);
}

static const struct test tests[] = {
	{ "survival time bins", test_time_bins },
	{ "survival size bins", test_size_bins },
	{ "survival sums in key order", test_sums },
	{ "survival histograms widen", test_hist },
	{ NULL, NULL }
};

int
main(void)
{
	return test_run(tests);
}
