/*
 * test-fuzz-corpus.c - replays tests/fuzz/corpus/ through the fuzz target
 * (tests/fuzz/fuzz-trace.c), so make check covers every input the fuzzer
 * ever kept, without clang.  Under make asan it runs with ASan.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/fuzz/corpus"
#endif

static void
test_corpus(void)
{
	DIR *d = opendir(CORPUS_DIR);
	struct dirent *e;
	int n = 0;

	assert_true(d != NULL);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		uint8_t *buf;
		long size;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
		f = fopen(path, "rb");
		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(size > 0 ? (size_t)size : 1);
		if (fread(buf, 1, (size_t)size, f) == (size_t)size)
			LLVMFuzzerTestOneInput(buf, (size_t)size);
		free(buf);
		fclose(f);
		n++;
	}
	closedir(d);
	expect_true(n >= 10);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "fuzz: corpus replays without a crash", test_corpus },
		{ NULL, NULL },
	};

	return test_run(tests);
}
