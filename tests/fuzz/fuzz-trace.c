/*
 * fuzz-trace.c - fuzz target for the trace reader (libFuzzer), and, built
 * without libFuzzer, a replayer of the checked-in corpus for make check.
 *
 * Each input is written to a memfd and read through the whole reading
 * path the analyzer uses: ht_ordered (which decodes frames, merges
 * threads and pairs frees) to the end or the first error, plus the
 * totals lookup.  Anything but a clean return is a bug.
 *
 * fuzz_trace_describe() does the same and says in one line what the
 * reader made of the input (the open error, or the records read and how
 * the reading ended, and the totals), so the replayer can compare it
 * with tests/fuzz/expected.txt.
 *
 *   make fuzz          clang -fsanitize=fuzzer,address; runs FUZZ_SECONDS
 *   build/unit/...     the replayer: test-fuzz-corpus runs every file of
 *                      tests/fuzz/corpus/ (see tests/unit/test-fuzz-corpus.c)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../reader/trace-reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_trace_describe(const uint8_t *data, size_t size, char *buf,
    size_t len);

/* Appends to BUF (LEN bytes, *AT used so far), truncating quietly. */
static void
put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + (size_t)n < len ? *at + (size_t)n : len;
}

/*
 * Appends message MSG with every "PATH: " and PATH taken out (the memfd's
 * number is not the same from run to run) and newlines as spaces.
 */
static void
put_message(char *buf, size_t len, size_t *at, const char *msg,
    const char *path)
{
	size_t plen = strlen(path);

	if (*at >= len)
		return;
	if (msg == NULL) {
		put(buf, len, at, "(no message)");
		return;
	}
	while (*msg != '\0') {
		if (strncmp(msg, path, plen) == 0) {
			msg += plen;
			if (strncmp(msg, ": ", 2) == 0)
				msg += 2;
			continue;
		}
		put(buf, len, at, "%c", *msg == '\n' ? ' ' : *msg);
		msg++;
	}
}

/*
 * Reads DATA as a trace; when BUF is not NULL, writes there (LEN bytes,
 * NUL-terminated) one line of what came of it:
 *   open: MESSAGE
 *   records N allocs N frees N unknown_frees N, end|error: MESSAGE;
 *     totals ...|totals error: MESSAGE
 * Returns -1 if the input could not even be put in a memfd, else 0.
 */
int
fuzz_trace_describe(const uint8_t *data, size_t size, char *buf, size_t len)
{
	struct ht_record rec;
	struct ht_totals totals;
	char path[64], *cause = NULL;
	uint64_t records = 0, allocs = 0, frees = 0, unknown = 0;
	size_t at = 0;
	ht_ordered *o;
	int fd = memfd_create("fuzz-trace", MFD_CLOEXEC), ret;

	if (buf == NULL)
		len = 0;
	else if (len > 0)
		buf[0] = '\0';
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	o = ht_ordered_open(path, &cause);
	if (o == NULL) {
		put(buf, len, &at, "open: ");
		put_message(buf, len, &at, cause, path);
		free(cause);
		close(fd);
		return 0;
	}
	while ((ret = ht_ordered_next(o, &rec)) > 0) {
		records++;
		if (rec.tag == HT_TAG_ALLOC)
			allocs++;
		else if (rec.tag == HT_TAG_FREE) {
			frees++;
			if (rec.flags & HT_REC_UNKNOWN_FREE)
				unknown++;
		}
	}
	put(buf, len, &at, "records %" PRIu64 " allocs %" PRIu64 " frees %"
	    PRIu64 " unknown_frees %" PRIu64 ", ", records, allocs, frees,
	    unknown);
	if (ret == 0)
		put(buf, len, &at, "%s", ht_reader_saw_end(ht_ordered_reader(o)) ?
		    "end" : "eof without END");
	else {
		put(buf, len, &at, "error: ");
		put_message(buf, len, &at, ht_ordered_error(o), path);
	}
	ht_ordered_close(o);
	if (ht_trace_totals(path, &totals, &cause) != 0) {
		put(buf, len, &at, "; totals error: ");
		put_message(buf, len, &at, cause, path);
		free(cause);
	} else
		put(buf, len, &at, "; totals events %" PRIu64 " allocations %"
		    PRIu64 " frees %" PRIu64 " dropped %" PRIu64
		    " duration_ns %" PRIu64 " %s", totals.events,
		    totals.allocations, totals.frees, totals.dropped,
		    totals.duration_ns,
		    totals.complete ? "complete" : "incomplete");
	close(fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_trace_describe(data, size, NULL, 0);
	return 0;
}
