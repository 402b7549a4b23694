/*
 * load-tables.c - the tables written at the end from the running totals:
 * stack_stats, stack_survival, site_histograms, threads, sites (with
 * their classes, classify.h) and which stacks make them, the modules'
 * totals, meta, and the anomaly row of dropped events.
 *
 * Runs once, after load_finish has brought every live figure to the end
 * of the work; reads the loader, writes only the database.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/xmalloc.h"
#include "load-internal.h"

/*
 * Classifies every site from its series (site_series, read back with
 * the gaps filled) up to the end of the work, and when the blocks live
 * then were born.
 */
static void
load_classify(struct loader *l)
{
	sqlite3_stmt *sel, *upd;
	double *live = xcalloc(BUCKETS, sizeof *live);
	int64_t cur = -1, last_bucket = 0;
	unsigned work_bucket = load_bucket_of(l, work_end_time(l->end.log));
	double value = 0;
	int rc;

	sel = load_prepare(l, "SELECT site_id, bucket, live_bytes FROM"
	    " site_series ORDER BY site_id, bucket");
	upd = load_prepare(l, "UPDATE sites SET class = ?, pattern = ?,"
	    " growth_bytes_per_s = ? WHERE id = ?");
	if (sel == NULL || upd == NULL) {
		sqlite3_finalize(sel);
		sqlite3_finalize(upd);
		free(live);
		return;
	}
	for (;;) {
		int64_t site = -1, bucket = 0;

		rc = sqlite3_step(sel);
		if (rc == SQLITE_ROW) {
			site = sqlite3_column_int64(sel, 0);
			bucket = sqlite3_column_int64(sel, 1);
		}
		if (site != cur && cur > 0) {
			/* Fill to the end and classify the finished site. */
			struct site_acc *t = &l->where.sites[cur];
			struct site_history h;
			char pattern[128];
			double growth;
			enum site_class c;
			int i;

			for (i = (int)last_bucket; i < BUCKETS; i++)
				live[i] = value;
			/* The work's last bucket: as at the end of the work. */
			live[work_bucket] = (double)t->live_bytes;
			memset(&h, 0, sizeof h);
			h.live = live;
			h.buckets = (int)work_bucket + 1;
			h.bucket_s = secs(l->time.bucket_ns);
			h.duration_s = secs(work_end_time(l->end.log));
			h.allocations = t->allocs;
			h.frees = t->frees;
			h.live_blocks = (uint64_t)t->live_blocks;
			h.live_bytes = (double)t->live_bytes;
			h.exit_live_bytes = (double)t->exit_live_bytes;
			h.exit_live_blocks = (uint64_t)t->exit_live_blocks;
			memcpy(h.live_by_period, t->live_by_period,
			    sizeof h.live_by_period);
			h.freed_late = t->frees > 0 &&
			    t->late_frees * 2 > t->frees;
			c = classify_site(&h, pattern, sizeof pattern, &growth);
			load_exec(l, upd, "ttdi", class_names[c], pattern,
			    growth, cur);
		}
		if (rc != SQLITE_ROW)
			break;
		if (site != cur) {
			cur = site;
			last_bucket = 0;
			value = 0;
		}
		/* Buckets without a row keep the value before. */
		while (last_bucket < bucket && last_bucket < BUCKETS)
			live[last_bucket++] = value;
		value = (double)sqlite3_column_int64(sel, 2);
		if (bucket < BUCKETS)
			live[bucket] = value;
		last_bucket = bucket + 1;
	}
	load_sql_ok(l, rc, "classify");
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(live);
}

struct survival_ctx {
	struct loader *l;
	sqlite3_stmt *ins;
};

static void
load_survival_row(uint32_t stack, unsigned alloc_bucket, unsigned free_bucket,
    int64_t blocks, int64_t bytes, void *arg)
{
	struct survival_ctx *c = arg;

	load_exec(c->l, c->ins, "iiiii", (int64_t)stack, (int64_t)alloc_bucket,
	    (int64_t)free_bucket, blocks, bytes);
}

/* stack_survival, from the sums (after the blocks live at the end). */
static void
load_survival(struct loader *l)
{
	struct survival_ctx c = { l, NULL };

	c.ins = load_prepare(l, "INSERT INTO stack_survival (stack_id,"
	    " alloc_bucket, free_bucket, blocks, bytes) VALUES"
	    " (?, ?, ?, ?, ?)");
	survival_each(l->time.survival, load_survival_row, &c);
	sqlite3_finalize(c.ins);
}

/* Histogram H of SITE as site_histograms rows of KIND. */
static void
load_histogram(struct loader *l, sqlite3_stmt *ins, size_t site,
    const char *kind, const struct survival_hist *h)
{
	unsigned b;

	for (b = h->lo; b < h->hi; b++) {
		const struct survival_bin *bin = &h->bins[b - h->lo];

		if (bin->blocks != 0 || bin->bytes != 0)
			load_exec(l, ins, "itiii", (int64_t)site, kind,
			    (int64_t)b, (int64_t)bin->blocks,
			    (int64_t)bin->bytes);
	}
}

/* site_histograms: every site's, a row per bin that holds something. */
static void
load_histograms(struct loader *l)
{
	sqlite3_stmt *ins = load_prepare(l, "INSERT INTO site_histograms"
	    " (site_id, kind, bin, blocks, bytes) VALUES (?, ?, ?, ?, ?)");
	size_t i;

	for (i = 1; i < l->where.nsites; i++) {
		load_histogram(l, ins, i, "age", &l->where.sites[i].age);
		load_histogram(l, ins, i, "lifetime",
		    &l->where.sites[i].lifetime);
		load_histogram(l, ins, i, "size", &l->where.sites[i].size);
	}
	sqlite3_finalize(ins);
}

/* meta work_end_s and work_end: when the work ended, and what ended it. */
static void
load_work_end_meta(struct loader *l)
{
	const char *label = work_end_label(l->end.log);

	load_meta(l, "work_end_s", "%.6f", secs(work_end_time(l->end.log)));
	switch (work_end_why(l->end.log)) {
	case WORK_END_MARK:
		load_meta(l, "work_end", "%s", label);
		break;
	case WORK_END_TEARDOWN:
		load_meta(l, "work_end", "teardown, before %s", label ? label :
		    "the last event");
		break;
	default:
		load_meta(l, "work_end", "last event");
		break;
	}
}

/* After load_finish's passes: every table written from the totals. */
void
load_tables(struct loader *l)
{
	const char *name;
	size_t i;
	struct stat st;

	for (i = 0; i < l->ids.nstacks; i++) {
		struct stack_acc *s = &l->ids.stacks[i];

		if (s->allocs == 0)
			continue;
		load_exec(l, l->sql.ins_stack_stats, "iiiiiiiidddiii",
		    (int64_t)i, (int64_t)s->allocs, (int64_t)s->alloc_bytes,
		    (int64_t)s->frees, (int64_t)s->freed_bytes,
		    s->live_blocks, s->live_bytes, s->peak_bytes,
		    secs(s->peak_ts), secs(s->first_ts), secs(s->last_ts),
		    (int64_t)s->temporary, s->exit_live_blocks,
		    s->exit_live_bytes);
	}
	load_survival(l);
	load_histograms(l);
	for (i = 0; i < l->ids.nthreads; i++) {
		struct thread_acc *t = &l->ids.threads[i];

		if (!t->seen)
			continue;
		if (t->ended)
			load_exec(l, l->sql.ins_thread, "iitdd", (int64_t)i,
			    (int64_t)t->tid, t->name, secs(t->start_ts),
			    secs(t->end_ts));
		else
			load_exec(l, l->sql.ins_thread, "iitdn", (int64_t)i,
			    (int64_t)t->tid, t->name, secs(t->start_ts),
			    (int64_t)0);
	}

	/* Sites, and which stacks make them. */
	{
		sqlite3_stmt *ins = load_prepare(l, "INSERT INTO sites (id,"
		    " address, module_id, module, allocations, alloc_bytes,"
		    " frees, live_blocks, live_bytes, peak_bytes, first_time,"
		    " last_time, function, file, line, mapped_bytes,"
		    " exit_live_blocks, exit_live_bytes) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		sqlite3_stmt *upd = load_prepare(l,
		    "UPDATE stacks SET site_id = ? WHERE id = ?");

		for (i = 1; i < l->where.nsites; i++) {
			struct site_acc *t = &l->where.sites[i];

			static const struct addr_info none = { 0, NULL, NULL,
			    0 };
			const struct addr_info *w = t->where_idx == UINT32_MAX ?
			    &none : &l->where.infos[t->where_idx];

			load_exec(l, ins, t->module ? "iiitiiiiiiddttiiii" :
			    "iintiiiiiiddttiiii", (int64_t)i,
			    (int64_t)t->address, (int64_t)t->module_id,
			    t->module, (int64_t)t->allocs,
			    (int64_t)t->alloc_bytes, (int64_t)t->frees,
			    t->live_blocks, t->live_bytes, t->peak_bytes,
			    secs(t->first_ts), secs(t->last_ts), w->function,
			    w->file, (int64_t)w->line, t->mapped_bytes,
			    t->exit_live_blocks, t->exit_live_bytes);
		}
		for (i = 0; i < l->ids.nstacks; i++)
			if (l->ids.stacks[i].defined &&
			    l->ids.stacks[i].site != 0)
				load_exec(l, upd, "ii",
				    (int64_t)l->ids.stacks[i].site, (int64_t)i);
		sqlite3_finalize(ins);
		sqlite3_finalize(upd);
	}
	load_name_unnamed(l);
	load_classify(l);
	{
		sqlite3_stmt *upd = load_prepare(l, "UPDATE modules SET"
		    " allocations = ?, live_blocks = ?, live_bytes = ?,"
		    " peak_bytes = ?, mapped_bytes = ?, exit_live_blocks = ?,"
		    " exit_live_bytes = ? WHERE id = ?");

		for (i = 0; i < l->mods.nmodules; i++) {
			struct module_acc *m = &l->mods.modules[i];

			load_exec(l, upd, "iiiiiiii", (int64_t)m->allocs,
			    m->live_blocks, m->live_bytes, m->peak_bytes,
			    m->mapped_bytes, m->exit_live_blocks,
			    m->exit_live_bytes, (int64_t)m->id);
		}
		sqlite3_finalize(upd);
	}

	name = strrchr(l->run.exe ? l->run.exe : "", '/');
	name = name ? name + 1 : (l->run.exe ? l->run.exe : "");
	load_meta(l, "program", "%s", name);
	load_meta(l, "exe", "%s", l->run.exe ? l->run.exe : "");
	load_meta(l, "pid", "%" PRIu64, l->run.header.pid);
	load_meta(l, "duration_s", "%.6f", secs(l->run.last_ts));
	load_meta(l, "events", "%" PRIu64, l->run.events);
	load_meta(l, "allocations", "%" PRIu64, l->run.allocs);
	load_meta(l, "frees", "%" PRIu64, l->run.frees);
	load_meta(l, "peak_bytes", "%" PRId64, l->run.peak_bytes);
	load_meta(l, "peak_time_s", "%.6f", secs(l->run.peak_ts));
	load_meta(l, "live_bytes_end", "%" PRId64, l->run.heap_bytes);
	load_meta(l, "live_blocks_end", "%" PRId64, l->run.heap_blocks);
	load_meta(l, "exit_live_bytes", "%" PRId64, l->run.exit_heap_bytes);
	load_meta(l, "exit_live_blocks", "%" PRId64, l->run.exit_heap_blocks);
	load_work_end_meta(l);
	load_symbols_meta(l);
	load_meta(l, "temporary_allocations", "%" PRIu64, l->run.temporary);
	load_meta(l, "unknown_frees", "%" PRIu64, l->run.unknown_frees);
	load_meta(l, "replaced_live", "%" PRIu64, l->run.replaced);
	load_meta(l, "dropped_events", "%" PRIu64, l->run.dropped);
	load_meta(l, "maps", "%" PRIu64, l->mapped.n_maps);
	load_meta(l, "unmaps", "%" PRIu64, l->mapped.n_unmaps);
	load_meta(l, "mapped_bytes_end", "%" PRId64, l->mapped.mapped_bytes);
	load_meta(l, "exit_mapped_bytes", "%" PRId64,
	    l->mapped.exit_mapped_bytes);
	load_meta(l, "mapped_peak_bytes", "%" PRId64, l->mapped.mapped_peak);
	load_meta(l, "complete", "%d", l->run.complete);
	load_meta(l, "cut_at", "%" PRIu64, l->run.cut_at);
	load_meta(l, "trace", "%s", l->opt->trace);
	load_meta(l, "trace_bytes", "%lld", stat(l->opt->trace, &st) == 0 ?
	    (long long)st.st_size : 0LL);
	load_meta(l, "realtime_start", "%.6f", secs(l->run.header.realtime_ns));
	load_meta(l, "buckets", "%d", BUCKETS);
	load_meta(l, "bucket_s", "%.9f", secs(l->time.bucket_ns));
	load_meta(l, "schema", "%d", HT_SCHEMA_VERSION);
	if (l->run.dropped > 0 && l->run.anomaly_rows < ANOMALY_ROWS_MAX)
		load_exec(l, l->sql.ins_anomaly, "tnnnni", "dropped",
		    (int64_t)0, (int64_t)0, (int64_t)0, (int64_t)0,
		    (int64_t)l->run.dropped);
}
