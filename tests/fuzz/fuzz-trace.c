/*
 * fuzz-trace.c - fuzz target for the trace reader (libFuzzer), and, built
 * without libFuzzer, a replayer of the checked-in corpus for make check.
 *
 * Each input is written to a memfd and read through the whole reading
 * path the analyzer uses: ht_ordered (which decodes frames, merges
 * threads and pairs frees) to the end or the first error, plus the
 * totals lookup.  Anything but a clean return is a bug.
 *
 *   make fuzz          clang -fsanitize=fuzzer,address; runs FUZZ_SECONDS
 *   build/unit/...     the replayer: test-fuzz-corpus runs every file of
 *                      tests/fuzz/corpus/ (see tests/unit/test-fuzz-corpus.c)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../reader/trace-reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ht_record rec;
	struct ht_totals totals;
	char path[64], *cause = NULL;
	ht_ordered *o;
	int fd = memfd_create("fuzz-trace", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	o = ht_ordered_open(path, &cause);
	if (o != NULL) {
		while (ht_ordered_next(o, &rec) > 0)
			;
		ht_ordered_close(o);
	}
	free(cause);
	cause = NULL;
	if (ht_trace_totals(path, &totals, &cause) != 0)
		free(cause);
	close(fd);
	return 0;
}
