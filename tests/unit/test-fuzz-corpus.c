/*
 * test-fuzz-corpus.c - replays tests/fuzz/corpus/ through the fuzz target
 * (tests/fuzz/fuzz-trace.c), so make check covers every input the fuzzer
 * ever kept, without clang.  Under make asan it runs with ASan.
 *
 * Beyond not crashing, what the reader made of each input (its error
 * and message, or the records it returned: fuzz_trace_describe()) must
 * be the line of tests/fuzz/expected.txt for that file, so that a change
 * in how damaged input is treated shows.  After a deliberate change:
 * UPDATE_EXPECTED=1 build/unit/test-fuzz-corpus (or make update-expected)
 * rewrites the listing; review its diff.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

int fuzz_trace_describe(const uint8_t *data, size_t size, char *buf,
    size_t len);

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/fuzz/corpus"
#endif
#ifndef EXPECTED_FILE
#define EXPECTED_FILE "tests/fuzz/expected.txt"
#endif

#define LINE_MAX_LEN 1024
#define MISMATCHES_SHOWN 10

/* The expected listing: "NAME OUTCOME" lines, '#' comments. */
struct expected {
	char **name, **outcome;
	int *seen;
	size_t n;
};

static void
expected_read(struct expected *x, FILE *f)
{
	char line[LINE_MAX_LEN + 64];
	size_t cap = 0;

	memset(x, 0, sizeof *x);
	while (fgets(line, sizeof line, f) != NULL) {
		char *sp;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		if (x->n == cap) {
			cap = cap ? 2 * cap : 256;
			x->name = realloc(x->name, cap * sizeof *x->name);
			x->outcome = realloc(x->outcome, cap * sizeof *x->outcome);
			x->seen = realloc(x->seen, cap * sizeof *x->seen);
			if (x->name == NULL || x->outcome == NULL || x->seen == NULL)
				abort();
		}
		x->name[x->n] = strdup(line);
		x->outcome[x->n] = strdup(sp + 1);
		x->seen[x->n] = 0;
		x->n++;
	}
}

static void
expected_free(struct expected *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		free(x->name[i]);
		free(x->outcome[i]);
	}
	free(x->name);
	free(x->outcome);
	free(x->seen);
}

/* The outcome line of corpus file NAME into BUF; 0, or -1 if unreadable. */
static int
describe_file(const char *name, char *buf, size_t len)
{
	char path[512];
	uint8_t *data;
	long size;
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(size > 0 ? (size_t)size : 1);
	if (data != NULL && size >= 0 &&
	    fread(data, 1, (size_t)size, f) == (size_t)size)
		ret = fuzz_trace_describe(data, (size_t)size, buf, len);
	free(data);
	fclose(f);
	return ret;
}

static int
visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void
test_corpus(void)
{
	struct dirent **names;
	struct expected x;
	FILE *f, *out = NULL;
	char outcome[LINE_MAX_LEN];
	int n, i, update, differ = 0, missing = 0;
	size_t j;

	n = scandir(CORPUS_DIR, &names, visible, alphasort);
	assert_true(n >= 10);
	update = getenv("UPDATE_EXPECTED") != NULL &&
	    strcmp(getenv("UPDATE_EXPECTED"), "1") == 0;
	if (update) {
		out = fopen(EXPECTED_FILE, "w");
		assert_true(out != NULL);
		fprintf(out, "# What the trace reader makes of each file of "
		    "tests/fuzz/corpus/ (tests/unit/test-fuzz-corpus.c).\n"
		    "# Regenerate: make update-expected, then review the "
		    "diff.\n");
		memset(&x, 0, sizeof x);
	} else {
		f = fopen(EXPECTED_FILE, "r");
		if (f == NULL)
			test_fail_at("cannot read %s (UPDATE_EXPECTED=1 "
			    "writes it)", EXPECTED_FILE);
		else {
			expected_read(&x, f);
			fclose(f);
		}
		if (f == NULL)
			memset(&x, 0, sizeof x);
	}

	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (describe_file(name, outcome, sizeof outcome) != 0) {
			test_fail_at("%s/%s: cannot be read", CORPUS_DIR, name);
			continue;
		}
		if (update) {
			fprintf(out, "%s %s\n", name, outcome);
			continue;
		}
		for (j = 0; j < x.n; j++)
			if (strcmp(x.name[j], name) == 0)
				break;
		if (j == x.n) {
			if (missing++ < MISMATCHES_SHOWN)
				test_fail_at("%s: not in %s; now: %s", name,
				    EXPECTED_FILE, outcome);
		} else {
			x.seen[j] = 1;
			if (strcmp(x.outcome[j], outcome) != 0 &&
			    differ++ < MISMATCHES_SHOWN)
				test_fail_at("%s:\n    expected: %s\n    "
				    "now:      %s", name, x.outcome[j], outcome);
		}
	}
	for (j = 0; j < x.n; j++)
		if (!x.seen[j] && missing++ < MISMATCHES_SHOWN)
			test_fail_at("%s: listed in %s but not in %s",
			    x.name[j], EXPECTED_FILE, CORPUS_DIR);
	if (differ > MISMATCHES_SHOWN || missing > MISMATCHES_SHOWN)
		test_fail_at("(%d differing, %d missing or extra in all)",
		    differ, missing);
	if (differ + missing > 0)
		test_fail_at("if the change is deliberate: make "
		    "update-expected, and review the diff of %s",
		    EXPECTED_FILE);
	if (update) {
		expect_true(fclose(out) == 0);
		fprintf(stderr, "  wrote %s (%d files)\n", EXPECTED_FILE, n);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	expected_free(&x);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "fuzz: the corpus reads as tests/fuzz/expected.txt says",
		    test_corpus },
		{ NULL, NULL },
	};

	return test_run(tests);
}
