/*
 * test.h - the in-house unit test harness.
 *
 * A test file defines test functions and a table, then main() calls
 * test_run(table).  expect_*() records a failure and goes on; assert_*()
 * records it and returns from the test function.  Each test prints
 * "PASS name" or "FAIL name" with the failed checks; the last line is
 * "N passed, N failed", and the exit status is non-zero on any failure.
 */
#ifndef HEAPTRAIL_TEST_H
#define HEAPTRAIL_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

static int test_failures;	/* in the current test */

#define test_fail_at(...) do {						\
	fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	test_failures++;						\
} while (0)

#define expect_true(c) do {						\
	if (!(c))							\
		test_fail_at("expected %s", #c);			\
} while (0)

#define expect_u64_eq(a, b) do {					\
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);		\
	if (a_ != b_)							\
		test_fail_at("%s == %" PRIu64 ", expected %s == %"	\
		    PRIu64, #a, a_, #b, b_);				\
} while (0)

#define expect_str_contains(s, sub) do {				\
	const char *s_ = (s);						\
	if (s_ == NULL || strstr(s_, (sub)) == NULL)			\
		test_fail_at("'%s' does not contain '%s'",		\
		    s_ ? s_ : "(null)", (sub));				\
} while (0)

#define assert_true(c) do {						\
	if (!(c)) {							\
		test_fail_at("expected %s", #c);			\
		return;							\
	}								\
} while (0)

static inline int
test_run(const struct test *tests)
{
	int passed = 0, failed = 0;

	for (; tests->name != NULL; tests++) {
		test_failures = 0;
		tests->fn();
		if (test_failures == 0) {
			printf("PASS %s\n", tests->name);
			passed++;
		} else {
			printf("FAIL %s\n", tests->name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif /* HEAPTRAIL_TEST_H */
