/*
 * load.c - load a trace into a new analysis database in one pass.
 *
 * The trace is read in global time order (reader/trace-order.c, which
 * also pairs frees with allocations), decoded and merged on threads of
 * their own ahead of the loader (read-ahead.h), and handed over in
 * batches: allocations and frees as 48-byte events, the rest as records.
 * This file is that pipeline and the dispatch of each record to the file
 * of its concern (load-internal.h lists them); load_trace makes the
 * loader, runs the pass and the end-of-run passes, and cleans up.
 *
 * While reading, the loader keeps: per stack running totals (dense array
 * by stack id), the heap totals, the current time bucket and the stacks
 * touched in it (load-live.c), the live anonymous mappings
 * (load-mappings.c), the modules and the symbols of each distinct return
 * address (load-symbols.c) and the sites (load-sites.c).  Definitions
 * (modules, stacks, threads, markers) go to their tables as they come.
 * At the end (load-finish.c, load-tables.c) come the end of the work,
 * the blocks still live, the per-stack totals, the threads, the sites
 * and their classes, meta; then indexes (load-db.c).
 *
 * The end of the work (work-end.h): every free goes to a work_end log
 * too, which keeps those that may still follow the end of the work; at
 * the end, the frees after it are undone and the blocks allocated after
 * it taken off, so that every live figure is as of then (exit_* keep the
 * figures after the last event).  Blocks born of a realloc chain, or
 * copied into by a growing container, carry their chain's birth
 * (births), for the classification.
 *
 * Memory: the live map (in the ordered reader), the stack array, the
 * module list, the site array with the bins its histograms use, the
 * survival sums (one per stack and pair of buckets that saw a block cross
 * them), the work_end log, the births and the blocks allocated after the
 * recorder's mark (all within the live blocks); nothing per event.
 *
 * Nothing here prints: progress goes to the caller's load_options
 * progress function, errors back through *cause.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "load-internal.h"
#include "read-ahead.h"

/* Keeps the first error (a message naming the file) in l->error. */
void
load_error(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->error != NULL)
		return;
	va_start(ap, fmt);
	l->error = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Grows the zeroed array *ARR of *N elements of SIZE to hold index I. */
void *
load_grow(void *arr, size_t *n, uint64_t i, size_t size)
{
	size_t want = *n ? *n : 64;
	char *p;

	if (i < *n)
		return arr;
	while (want <= i)
		want *= 2;
	p = xreallocarray(arr, want, size);
	memset(p + *n * size, 0, (want - *n) * size);
	*n = want;
	return p;
}

/* One record of the trace (an allocation or free too, when it did not
   fit a struct ht_event). */
static void
load_record(struct loader *l, const struct ht_record *r)
{
	struct ht_record fixed;
	struct thread_acc *t;

	if (r->tag == HT_TAG_ALLOC || r->tag == HT_TAG_FREE) {
		struct ht_event e;

		ht_event_of_record(&e, r);
		load_event(l, &e, r);
		return;
	}
	if (ht_record_is_event(r->tag) && load_at(l, r->thread, r->ts) != 0)
		return;
	switch (r->tag) {
	case HT_TAG_HEADER:
		l->run.header = *r->header;
		l->run.exe = xstrndup(r->header->exe, r->header->exe_len);
		l->run.argv = xmalloc(r->header->argv_len + 1);
		memcpy(l->run.argv, r->header->argv, r->header->argv_len);
		l->run.argv_len = r->header->argv_len;
		break;
	case HT_TAG_MODULE_LOAD:
		load_module(l, r);
		break;
	case HT_TAG_MODULE_UNLOAD:
		load_module_unload(l, r);
		break;
	case HT_TAG_STACK:
		load_stack_def(l, r);
		break;
	case HT_TAG_RSS:
		l->time.rss[load_bucket_of(l, r->ts)] = (int64_t)r->size;
		break;
	case HT_TAG_END:
		l->run.complete = 1;
		l->run.dropped = r->count;
		if (r->ts > l->run.last_ts)
			l->run.last_ts = r->ts;
		break;
	case HT_TAG_DROPPED:
		l->run.dropped += r->id;
		break;
	case HT_TAG_MAP:
		if (!load_stack_known(l, r->id)) {
			fixed = *r;
			fixed.id = 0;
			r = &fixed;
		}
		load_map(l, r);
		break;
	case HT_TAG_UNMAP:
		load_unmap(l, r);
		break;
	case HT_TAG_THREAD_START:
		l->ids.threads_started++;
		t = load_thread(l, r->thread);
		t->seen = 1;
		t->tid = r->id;
		t->start_ts = r->ts;
		break;
	case HT_TAG_THREAD_NAME:
		t = load_thread(l, r->thread);
		free(t->name);
		t->name = xstrndup(r->str, r->str_len);
		break;
	case HT_TAG_THREAD_END:
		t = load_thread(l, r->thread);
		t->ended = 1;
		t->end_ts = r->ts;
		break;
	case HT_TAG_MARK: {
		char *label = xstrndup(r->str, r->str_len);

		load_exec(l, l->sql.ins_marker, "dit", secs(r->ts),
		    (int64_t)r->thread, label);
		if (strncmp(label, HT_WORK_END_PREFIX,
		    strlen(HT_WORK_END_PREFIX)) == 0 && !l->end.marked) {
			work_end_mark(l->end.log, r->ts, label,
			    l->run.alloc_bytes);
			l->end.marked = 1;
			l->end.mark_ts = r->ts;
		}
		free(label);
		break;
	}
	default:
		break;
	}
}

/* record_source callbacks for the decoding stage. */
static int
decode_next(void *reader, struct ht_event *ev, struct ht_record *rec)
{
	return ht_reader_next_event(reader, ev, rec);
}

static uint64_t
decode_offset(void *reader)
{
	return ht_reader_offset(reader);
}

/*
 * The merge: its source (ht_ordered_set_source) is the decoding stage,
 * if it runs, and it is itself the source of the loader's read_ahead.
 */
struct merge_stage {
	ht_ordered *o;
	read_ahead *decode;	/* or NULL: the merge decodes too */
};

static int
merge_take(void *arg, struct ht_event_batch *batch)
{
	return read_ahead_take(((struct merge_stage *)arg)->decode, batch);
}

static int
merge_next(void *arg, struct ht_event *ev, struct ht_record *rec)
{
	return ht_ordered_next_event(((struct merge_stage *)arg)->o, ev, rec);
}

static uint64_t
merge_offset(void *arg)
{
	struct merge_stage *m = arg;

	return m->decode != NULL ? read_ahead_offset(m->decode) :
	    ht_reader_offset(ht_ordered_reader(m->o));
}

/* Loads the entries of BATCH; stops at an error. */
static void
load_batch(struct loader *l, const struct ht_event_batch *batch)
{
	size_t i;

	for (i = 0; i < batch->n && l->error == NULL; i++) {
		const struct ht_event *e = &batch->ev[i];

		if (e->tag != HT_EVENT_RECORD)
			load_event(l, e, NULL);
		else
			load_record(l, &batch->records[e->id]);
	}
}

/*
 * Feeds every record to load_event or load_record.  Decoding, merging
 * and loading each run on a thread of their own when threads can be
 * started (read-ahead.h).  Reports progress every 2^20 entries and once
 * at the end.  Returns as ht_ordered_next does at its end.
 */
static int
load_records(struct loader *l, ht_ordered *o)
{
	ht_reader *reader = ht_ordered_reader(o);
	uint64_t size = ht_reader_file_size(reader), n = 0, next_progress = 0;
	struct record_source decode_src = { decode_next, decode_offset,
	    reader };
	struct merge_stage merge = { o, NULL };
	struct record_source merge_src = { merge_next, merge_offset, &merge };
	load_progress_fn *progress = l->opt->progress;
	struct ht_event_batch batch;
	struct ht_event ev;
	struct ht_record *rec = xcalloc(1, sizeof *rec);
	read_ahead *ra;
	int ret;

	merge.decode = read_ahead_start(&decode_src, "heaptrail-read");
	if (merge.decode != NULL)
		ht_ordered_set_source(o, merge_take, &merge);
	ra = read_ahead_start(&merge_src, "heaptrail-merge");
	for (;;) {
		if (ra != NULL) {
			ret = read_ahead_take(ra, &batch);
		} else {
			/* No thread: one at a time. */
			ret = ht_ordered_next_event(o, &ev, rec);
			batch.ev = &ev;
			batch.n = 1;
			batch.records = rec;
			ev.id = ev.tag == HT_EVENT_RECORD ? 0 : ev.id;
		}
		if (ret <= 0)
			break;
		load_batch(l, &batch);
		if (l->error != NULL)
			break;
		n += batch.n;
		if (progress != NULL && n >= next_progress) {
			next_progress = n + (1u << 20);
			progress(l->opt->progress_arg, ra ?
			    read_ahead_offset(ra) : merge_offset(&merge), size,
			    0);
		}
	}
	/* The merge first: it may be waiting on the decoder. */
	read_ahead_stop(ra);
	read_ahead_stop(merge.decode);
	ht_ordered_set_source(o, NULL, NULL);
	free(rec);
	if (progress != NULL)
		progress(l->opt->progress_arg, size, size, 1);
	return ret;
}

/* Frees what the loader holds (not the database: load_db_close). */
static void
load_free_all(struct loader *l)
{
	size_t i;

	ptr_map_free(l->where.addresses);
	ptr_map_free(l->where.site_of);
	ptr_map_free(l->where.site_of_line);
	survival_free(l->time.survival);
	work_end_free(l->end.log);
	ptr_map_free(l->end.births);
	ptr_map_free(l->end.after_mark);
	for (i = 1; i < l->where.nsites; i++) {
		free(l->where.sites[i].module);
		survival_hist_clear(&l->where.sites[i].size);
		survival_hist_clear(&l->where.sites[i].lifetime);
		survival_hist_clear(&l->where.sites[i].age);
	}
	free(l->where.sites);
	for (i = 0; i < l->ids.nthreads; i++)
		free(l->ids.threads[i].name);
	for (i = 0; i < l->mods.nmodules; i++) {
		free(l->mods.modules[i].path);
		free(l->mods.modules[i].sym_problem);
		sym_module_close(l->mods.modules[i].sym);
	}
	sym_debuginfod_free(l->mods.servers);
	for (i = 0; i < l->where.ninfos; i++) {
		free(l->where.infos[i].function);
		free(l->where.infos[i].file);
	}
	free(l->where.infos);
	free(l->ids.threads);
	free(l->mods.modules);
	free(l->mapped.maps);
	free(l->ids.stacks);
	free(l->time.touched);
	free(l->time.touched_sites);
	free(l->run.exe);
	free(l->run.argv);
}

int
load_trace(const struct load_options *opt, char **cause)
{
	struct loader l;
	struct ht_totals totals;
	ht_ordered *o;
	size_t i;
	int ret;

	memset(&l, 0, sizeof l);
	l.opt = opt;
	l.time.last_rss = -1;
	for (i = 0; i < BUCKETS; i++)
		l.time.rss[i] = -1;
	if (ht_trace_totals(opt->trace, &totals, cause) != 0)
		return -1;
	o = ht_ordered_open(opt->trace, cause);
	if (o == NULL)
		return -1;
	l.time.duration_ns = totals.duration_ns;
	l.time.bucket_ns = totals.duration_ns / BUCKETS + 1;
	l.time.bucket_end = l.time.bucket_ns;
	l.time.survival = survival_create();
	l.where.addresses = ptr_map_create();
	l.where.site_of = ptr_map_create();
	l.where.site_of_line = ptr_map_create();
	l.end.log = work_end_create();
	l.end.births = ptr_map_create();
	l.end.after_mark = ptr_map_create();
	l.mods.servers = sym_debuginfod_create();

	if (load_db_open(&l) == 0) {
		load_db_async(&l);
		ret = load_records(&l, o);
		load_db_sync(&l);
		if (l.error == NULL && ret < 0) {
			/* A trace cut short is analyzed up to its last
			   frame. */
			const char *err = ht_ordered_error(o);

			if (err == NULL ||
			    strstr(err, "truncated frame") == NULL)
				load_error(&l, "%s", err ? err : "read error");
			else
				l.run.cut_at = ht_reader_frame_offset(
				    ht_ordered_reader(o));
		}
		if (l.error == NULL)
			load_finish(&l, o);
		load_db_commit(&l);
	}
	load_db_close(&l);
	ht_ordered_close(o);
	load_free_all(&l);
	if (l.error != NULL) {
		if (cause)
			*cause = l.error;
		else
			free(l.error);
		return -1;
	}
	return 0;
}
