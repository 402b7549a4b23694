/*
 * cmd-dump.c - `heaptrail dump`: a trace as text, for debugging and tests.
 *
 * Default: one line per record, in file order (or, with --ordered, with
 * events in global time order, as the analyzer sees them).  --stats:
 * "key value" lines with counts per record kind, per entry point and per
 * thread, and the blocks still live at the end (frees paired with
 * allocations in time order), so tests can assert exact numbers.
 *
 * On a truncated or corrupt file, everything before the damage is shown,
 * then the error naming the file and offset, and the exit status is 1.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reader/trace-reader.h"
#include "../util/ptr-map.h"
#include "../util/xmalloc.h"
#include "cli.h"

static void
dump_help(void)
{
	printf("usage: heaptrail dump [--stats] [--ordered] TRACE\n\n"
	    "Prints every record of TRACE as a line of text.\n\n"
	    "  -s, --stats     counts per record kind, entry point and "
	    "thread, and the\n"
	    "                  blocks live at the end, as 'key value' lines\n"
	    "  -O, --ordered   events in time order across threads (as "
	    "analyzed)\n");
}

static void
print_time(uint64_t ns)
{
	printf("%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

static void
print_string(const char *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
dump_record(const struct ht_record *r)
{
	unsigned i;

	switch (r->tag) {
	case HT_TAG_HEADER:
		printf("header version=%u pid=%" PRIu64 " ppid=%" PRIu64
		    " page_size=%" PRIu64 " depth=%u realtime_ns=%" PRIu64
		    " time_unit_ns=%" PRIu64 " exe=", r->header->version,
		    r->header->pid, r->header->ppid, r->header->page_size,
		    r->header->depth, r->header->realtime_ns,
		    r->header->time_unit_ns);
		print_string(r->header->exe, r->header->exe_len);
		printf(" argv=");
		print_string(r->header->argv, r->header->argv_len);
		putchar('\n');
		return;
	case HT_TAG_MODULE_LOAD:
		printf("module %" PRIu64 " load t=", r->id);
		print_time(r->ts);
		printf(" base=0x%" PRIx64 " path=", r->base);
		print_string(r->str, r->str_len);
		printf(" build_id=");
		for (i = 0; i < r->build_id_len; i++)
			printf("%02x", r->build_id[i]);
		if (r->build_id_len == 0)
			printf("-");
		printf(" segments=");
		for (i = 0; i < r->nsegs; i++)
			printf("%s%c%c%c:0x%" PRIx64 "+0x%" PRIx64, i ? "," : "",
			    r->segs[i].flags & 4 ? 'r' : '-',
			    r->segs[i].flags & 2 ? 'w' : '-',
			    r->segs[i].flags & 1 ? 'x' : '-',
			    r->segs[i].vaddr, r->segs[i].memsz);
		putchar('\n');
		return;
	case HT_TAG_MODULE_UNLOAD:
		printf("module %" PRIu64 " unload t=", r->id);
		print_time(r->ts);
		putchar('\n');
		return;
	case HT_TAG_STACK:
		printf("stack %" PRIu64, r->id);
		for (i = 0; i < r->nframes; i++)
			printf(" 0x%" PRIx64, r->frames[i]);
		putchar('\n');
		return;
	case HT_TAG_CHUNK:
		printf("chunk thread=%u\n", r->thread);
		return;
	case HT_TAG_SYNC:
		printf("sync t=");
		print_time(r->ts);
		putchar('\n');
		return;
	case HT_TAG_RSS:
		printf("rss t=");
		print_time(r->ts);
		printf(" bytes=%" PRIu64 "\n", r->size);
		return;
	case HT_TAG_END:
		printf("end t=");
		print_time(r->ts);
		printf(" events=%" PRIu64 " allocations=%" PRIu64 " frees=%"
		    PRIu64 " dropped=%" PRIu64 "\n", r->id, r->allocs,
		    r->frees, r->count);
		return;
	case HT_TAG_DROPPED:
		printf("dropped count=%" PRIu64 "\n", r->id);
		return;
	default:
		break;
	}

	/* Events: time and thread first. */
	print_time(r->ts);
	printf(" thread=%u ", r->thread);
	switch (r->tag) {
	case HT_TAG_ALLOC:
		printf("%s ptr=0x%" PRIx64 " size=%" PRIu64 " stack=%" PRIu64
		    "%s\n", ht_alloc_fn_names[r->fn], r->ptr, r->size, r->id,
		    r->flags & HT_REC_REPLACED ? " replaces-live" : "");
		break;
	case HT_TAG_FREE:
		printf("%s%s ptr=0x%" PRIx64, ht_free_fn_names[r->fn],
		    r->fn == HT_FREE_FREE || r->fn == HT_FREE_ANNOTATION ?
		    "" : "-free", r->ptr);
		if (r->flags & HT_REC_UNKNOWN_FREE)
			printf(" unknown");
		else if (r->alloc_ts || r->size)
			printf(" size=%" PRIu64 " stack=%" PRIu64, r->size,
			    r->id);
		putchar('\n');
		break;
	case HT_TAG_MAP:
		printf("%s addr=0x%" PRIx64 " len=%" PRIu64 " stack=%" PRIu64
		    "\n", ht_map_fn_names[r->fn], r->ptr, r->size, r->id);
		break;
	case HT_TAG_UNMAP:
		printf("%s%s addr=0x%" PRIx64 " len=%" PRIu64 "\n",
		    ht_unmap_fn_names[r->fn], r->fn == HT_UNMAP_MUNMAP ? "" :
		    "-unmap",
		    r->ptr, r->size);
		break;
	case HT_TAG_THREAD_START:
		printf("thread-start tid=%" PRIu64 "\n", r->id);
		break;
	case HT_TAG_THREAD_NAME:
		printf("thread-name ");
		print_string(r->str, r->str_len);
		putchar('\n');
		break;
	case HT_TAG_THREAD_END:
		printf("thread-end\n");
		break;
	case HT_TAG_MARK:
		printf("mark ");
		print_string(r->str, r->str_len);
		putchar('\n');
		break;
	default:
		printf("tag=0x%02x\n", r->tag);
		break;
	}
}

/* --- --stats ---------------------------------------------------------------- */

#define MAX_STAT_THREADS 4096

struct dump_stats {
	uint64_t records[256];
	uint64_t alloc_calls[HT_ALLOC_FN_COUNT];
	uint64_t alloc_bytes[HT_ALLOC_FN_COUNT];
	uint64_t free_calls[HT_FREE_FN_COUNT];
	uint64_t live_blocks[HT_ALLOC_FN_COUNT];
	uint64_t live_bytes[HT_ALLOC_FN_COUNT];
	uint64_t map_calls[HT_MAP_FN_COUNT], map_bytes[HT_MAP_FN_COUNT];
	uint64_t unmap_calls[HT_UNMAP_FN_COUNT], unmap_bytes[HT_UNMAP_FN_COUNT];
	uint64_t unknown_frees;
	uint64_t replaced_live;		/* alloc of an address still live */
	uint64_t stacks, modules_loaded, modules_unloaded;
	uint64_t dropped, end_dropped;
	uint64_t last_ts;
	uint64_t thread_events[MAX_STAT_THREADS];
	uint32_t max_thread;
	int saw_end;
};

static void
stats_record(struct dump_stats *s, const struct ht_record *r)
{
	s->records[r->tag & 0xff]++;
	if (r->ts > s->last_ts)
		s->last_ts = r->ts;
	switch (r->tag) {
	case HT_TAG_ALLOC:
		s->alloc_calls[r->fn]++;
		s->alloc_bytes[r->fn] += r->size;
		if (r->flags & HT_REC_REPLACED)
			s->replaced_live++;
		break;
	case HT_TAG_FREE:
		s->free_calls[r->fn]++;
		if (r->flags & HT_REC_UNKNOWN_FREE)
			s->unknown_frees++;
		break;
	case HT_TAG_MAP:
		s->map_calls[r->fn]++;
		s->map_bytes[r->fn] += r->size;
		break;
	case HT_TAG_UNMAP:
		s->unmap_calls[r->fn]++;
		s->unmap_bytes[r->fn] += r->size;
		break;
	case HT_TAG_STACK:
		s->stacks++;
		return;
	case HT_TAG_MODULE_LOAD:
		s->modules_loaded++;
		return;
	case HT_TAG_MODULE_UNLOAD:
		s->modules_unloaded++;
		return;
	case HT_TAG_DROPPED:
		s->dropped += r->id;
		return;
	case HT_TAG_END:
		s->saw_end = 1;
		s->end_dropped = r->count;
		return;
	default:
		break;
	}
	if (ht_record_is_event(r->tag) && r->thread < MAX_STAT_THREADS) {
		if (r->tag == HT_TAG_ALLOC || r->tag == HT_TAG_FREE)
			s->thread_events[r->thread]++;
		if (r->thread > s->max_thread)
			s->max_thread = r->thread;
	}
}

static void
stats_live(uint64_t key, const struct ptr_value *v, void *arg)
{
	struct dump_stats *s = arg;

	(void)key;
	s->live_blocks[v->fn]++;
	s->live_bytes[v->fn] += v->size;
}

/* KIND.NAME.calls and .bytes for each entry point that was called. */
static void
stats_print_calls(const char *kind, const char *const *names,
    const uint64_t *calls, const uint64_t *bytes, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (calls[i] == 0)
			continue;
		printf("%s.%s.calls %" PRIu64 "\n", kind, names[i], calls[i]);
		printf("%s.%s.bytes %" PRIu64 "\n", kind, names[i], bytes[i]);
	}
}

static void
stats_print(struct dump_stats *s, ht_ordered *o)
{
	uint64_t events = 0, allocs = 0, frees = 0, blocks = 0, bytes = 0;
	uint32_t i;

	ht_ordered_each_live(o, stats_live, s);
	for (i = 0; i < HT_ALLOC_FN_COUNT; i++) {
		allocs += s->alloc_calls[i];
		blocks += s->live_blocks[i];
		bytes += s->live_bytes[i];
	}
	for (i = 0; i < HT_FREE_FN_COUNT; i++)
		frees += s->free_calls[i];
	events = allocs + frees;

	printf("complete %s\n", s->saw_end ? "yes" : "no");
	printf("duration_ns %" PRIu64 "\n", s->last_ts);
	printf("events %" PRIu64 "\n", events);
	printf("allocations %" PRIu64 "\n", allocs);
	printf("frees %" PRIu64 "\n", frees);
	printf("live_blocks %" PRIu64 "\n", blocks);
	printf("live_bytes %" PRIu64 "\n", bytes);
	printf("unknown_frees %" PRIu64 "\n", s->unknown_frees);
	printf("replaced_live %" PRIu64 "\n", s->replaced_live);
	printf("dropped %" PRIu64 "\n", s->dropped + s->end_dropped);
	printf("stacks %" PRIu64 "\n", s->stacks);
	printf("modules_loaded %" PRIu64 "\n", s->modules_loaded);
	printf("modules_unloaded %" PRIu64 "\n", s->modules_unloaded);
	printf("markers %" PRIu64 "\n", s->records[HT_TAG_MARK]);
	printf("rss_samples %" PRIu64 "\n", s->records[HT_TAG_RSS]);
	printf("syncs %" PRIu64 "\n", s->records[HT_TAG_SYNC]);
	printf("threads %" PRIu64 "\n", s->records[HT_TAG_THREAD_START]);
	printf("thread_ends %" PRIu64 "\n", s->records[HT_TAG_THREAD_END]);
	stats_print_calls("map", ht_map_fn_names, s->map_calls, s->map_bytes,
	    HT_MAP_FN_COUNT);
	stats_print_calls("unmap", ht_unmap_fn_names, s->unmap_calls,
	    s->unmap_bytes, HT_UNMAP_FN_COUNT);
	for (i = 0; i < HT_ALLOC_FN_COUNT; i++) {
		const char *n = ht_alloc_fn_names[i];

		if (s->alloc_calls[i] == 0)
			continue;
		printf("alloc.%s.calls %" PRIu64 "\n", n, s->alloc_calls[i]);
		printf("alloc.%s.bytes %" PRIu64 "\n", n, s->alloc_bytes[i]);
		printf("alloc.%s.live_blocks %" PRIu64 "\n", n,
		    s->live_blocks[i]);
		printf("alloc.%s.live_bytes %" PRIu64 "\n", n,
		    s->live_bytes[i]);
	}
	for (i = 0; i < HT_FREE_FN_COUNT; i++)
		if (s->free_calls[i] != 0)
			printf("free.%s.calls %" PRIu64 "\n",
			    ht_free_fn_names[i], s->free_calls[i]);
	for (i = 1; i <= s->max_thread && i < MAX_STAT_THREADS; i++)
		if (s->thread_events[i] != 0)
			printf("thread.%u.events %" PRIu64 "\n", i,
			    s->thread_events[i]);
}

int
cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "ordered", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_stats *stats = NULL;
	struct ht_record rec;
	ht_ordered *o = NULL;
	ht_reader *r = NULL;
	char *cause = NULL;
	int c, ordered = 0, ret;
	const char *err;

	while ((c = getopt_long(argc, argv, "sOh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = xcalloc(1, sizeof *stats);
			break;
		case 'O':
			ordered = 1;
			break;
		case 'h':
			dump_help();
			return 0;
		default:
			return cli_usage("dump", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("dump", "want exactly one TRACE");

	/* Stats pair frees with allocations, which needs time order. */
	if (ordered || stats)
		o = ht_ordered_open(argv[optind], &cause);
	else
		r = ht_reader_open(argv[optind], &cause);
	if (o == NULL && r == NULL) {
		cli_error("%s", cause);
		free(cause);
		free(stats);
		return 1;
	}
	for (;;) {
		ret = o ? ht_ordered_next(o, &rec) : ht_reader_next(r, &rec);
		if (ret <= 0)
			break;
		if (stats)
			stats_record(stats, &rec);
		else
			dump_record(&rec);
	}
	if (stats) {
		static const char *const names[HT_STREAMS] = { "tags",
		    "times", "addresses", "sizes", "stacks", "other" };
		int i;

		stats_print(stats, o);
		for (i = 0; i < HT_STREAMS; i++)
			printf("stream.%s.bytes %" PRIu64 "\n", names[i],
			    ht_reader_stream_bytes(ht_ordered_reader(o), i));
		free(stats);
	}
	fflush(stdout);
	err = o ? ht_ordered_error(o) : ht_reader_error(r);
	if (ret < 0)
		cli_error("%s", err);
	ht_ordered_close(o);
	ht_reader_close(r);
	return ret < 0 ? 1 : 0;
}
