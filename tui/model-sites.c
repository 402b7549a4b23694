/*
 * model-sites.c - the site table and the module table of the browser.
 *
 * The sites table is read once into rows (its texts copied, module names
 * interned so modules are an index), with the rule of each suppressed
 * site (query/suppress.h).  The live figures of a row follow the time
 * scope: the sum of its stacks' values in run->scoped_*; its class,
 * pattern and growth are as of the scope's time (query/classify-at.h),
 * its growth over a window the change of its live bytes.  The
 * projection shown (filter by text, class and module; sort) is an array
 * of row indexes, rebuilt in C on each change (a sort key took about
 * 30 ms in all on 109k sites, drawing included).
 *
 * A row's trend (its sparkline) comes from site_series, by primary key,
 * only for the rows drawn.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/classes.h"
#include "../query/classify-at.h"
#include "../query/live.h"
#include "../query/modules.h"
#include "../query/time.h"
#include "../util/ptr-map.h"
#include "../util/xmalloc.h"
#include "model.h"

const char *const site_sort_names[SORT_COUNT] = {
	"live bytes", "live blocks", "allocations", "peak", "growth", "class",
};

/* The index of the module at PATH (named NAME), added if new. */
static int
intern_module(struct sites *s, const char *path, const char *name,
    size_t *cap)
{
	size_t i;

	if (path == NULL)
		path = "?";
	for (i = 0; i < s->nmodules; i++)
		if (strcmp(s->module_paths[i], path) == 0)
			return (int)i;
	if (s->nmodules == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		s->modules = xreallocarray(s->modules, *cap,
		    sizeof *s->modules);
		s->module_paths = xreallocarray(s->module_paths, *cap,
		    sizeof *s->module_paths);
	}
	s->modules[s->nmodules] = xstrdup(name ? name : "?");
	s->module_paths[s->nmodules] = xstrdup(path);
	return (int)s->nmodules++;
}

struct sites *
sites_open(struct run *r, char **cause)
{
	struct sites *s = xcalloc(1, sizeof *s);
	sqlite3_stmt *st = NULL;
	size_t cap = 0, mcap = 0, i;
	int64_t maxid = run_sql_int(r->db, "SELECT max(id) FROM sites", 0);
	int last_module = -1;
	const char *last_path = NULL;

	s->run = r;
	s->module_filter = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT id, class, allocations,"
	    " alloc_bytes, peak_bytes, growth_bytes_per_s, first_time,"
	    " last_time, address, line, function, file, module, pattern,"
	    " sp.rule, (SELECT m.path FROM modules m WHERE m.id ="
	    " sites.module_id) AS path FROM sites LEFT JOIN"
	    " temp.suppressed_sites sp ON sp.site_id = sites.id ORDER BY"
	    " path", -1, &st, NULL) !=
	    SQLITE_OK) {
		*cause = xasprintf("%s: cannot read sites: %s", r->path,
		    sqlite3_errmsg(r->db));
		free(s);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct site_row *row;
		const char *cls = (const char *)sqlite3_column_text(st, 1);
		const char *mod = (const char *)sqlite3_column_text(st, 12);
		const char *path = (const char *)sqlite3_column_text(st, 15);

		if (s->nrows == cap) {
			cap = cap ? cap * 2 : 1024;
			s->rows = xreallocarray(s->rows, cap, sizeof *s->rows);
		}
		row = &s->rows[s->nrows++];
		memset(row, 0, sizeof *row);
		row->id = sqlite3_column_int64(st, 0);
		row->cls = row->cls_end = classes_letter(cls);
		row->allocations = sqlite3_column_int64(st, 2);
		row->alloc_bytes = sqlite3_column_int64(st, 3);
		row->peak_bytes = sqlite3_column_int64(st, 4);
		row->growth = row->growth_at = row->growth_end =
		    sqlite3_column_double(st, 5);
		row->first_time = sqlite3_column_double(st, 6);
		row->last_time = sqlite3_column_double(st, 7);
		row->address = (uint64_t)sqlite3_column_int64(st, 8);
		row->line = sqlite3_column_int(st, 9);
		row->function = run_sql_text(st, 10);
		row->file = run_sql_text(st, 11);
		row->pattern = row->pattern_end = run_sql_text(st, 13);
		row->suppressed = run_sql_text(st, 14);
		/* Rows come by module: intern it once per run. */
		if (last_path == NULL || path == NULL ||
		    strcmp(last_path, path) != 0)
			last_module = intern_module(s, path, mod, &mcap);
		last_path = s->module_paths[last_module];
		row->module_idx = last_module;
		row->module = s->modules[last_module];
	}
	sqlite3_finalize(st);
	s->nids = (size_t)(maxid < 0 ? 0 : maxid) + 1;
	s->row_of_id = xcalloc(s->nids, sizeof *s->row_of_id);
	for (i = 0; i < s->nids; i++)
		s->row_of_id[i] = -1;
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].id >= 0 && (size_t)s->rows[i].id < s->nids)
			s->row_of_id[s->rows[i].id] = (int64_t)i;
	s->order = xcalloc(s->nrows ? s->nrows : 1, sizeof *s->order);
	s->scope_serial = r->scope_serial - 1;
	s->classes_bucket = TIME_BUCKET_END;	/* the rows' own */
	sites_refresh(s);
	return s;
}

void
sites_close(struct sites *s)
{
	size_t i;

	if (s == NULL)
		return;
	sites_load_frames(s);	/* the thread done, if it runs */
	for (i = 0; i < s->nrows; i++) {
		free((char *)s->rows[i].function);
		free((char *)s->rows[i].file);
		free((char *)s->rows[i].pattern_end);
		free(s->rows[i].pattern_at);
		free((char *)s->rows[i].suppressed);
	}
	for (i = 0; i < s->nmodules; i++) {
		free(s->modules[i]);
		free(s->module_paths[i]);
	}
	free(s->modules);
	free(s->module_paths);
	free(s->rows);
	free(s->order);
	free(s->row_of_id);
	free(s->haystack);
	free(s->hay_at);
	free(s->frame_text);
	free(s->frame_text_at);
	free(s->row_texts);
	free(s->row_texts_at);
	free(s->text_hit);
	free(s);
}

/* classify_memory_at's answer for one site, into its row. */
static void
sites_class_of(void *arg, int64_t id, const char *cls, const char *pattern,
    double growth)
{
	struct sites *s = arg;
	struct site_row *row;

	if (id < 0 || (size_t)id >= s->nids || s->row_of_id[id] < 0)
		return;
	row = &s->rows[s->row_of_id[id]];
	row->cls = classes_letter(cls);
	row->pattern = row->pattern_at = xstrdup(pattern);
	row->growth_at = growth;
}

/*
 * The rows' classes, patterns and growth as of bucket B: the sites
 * table's at the end of the work, else judged as of B in memory
 * (query/classify-at.h, as `leaks --at` judges them).  A row not judged
 * (no series up to B) keeps its own.
 */
static void
sites_classes_at(struct sites *s, long b)
{
	struct run *r = s->run;
	size_t i;

	if (b == s->classes_bucket)
		return;
	for (i = 0; i < s->nrows; i++) {
		struct site_row *row = &s->rows[i];

		row->cls = row->cls_end;
		row->pattern = row->pattern_end;
		row->growth_at = row->growth_end;
		free(row->pattern_at);
		row->pattern_at = NULL;
	}
	s->classes_bucket = b;
	if (b != TIME_BUCKET_END)
		classify_memory_at(r->classes, b, sites_class_of, s);
}

/* Sums each site's stacks in the run's scope into its row. */
static void
sites_rescope(struct sites *s)
{
	struct run *r = s->run;
	int window = r->scope.kind == SCOPE_WINDOW;
	size_t i;

	sites_classes_at(s, run_scope_bucket(r));
	for (i = 0; i < s->nrows; i++) {
		s->rows[i].live_bytes = s->rows[i].live_blocks = 0;
		s->rows[i].growth = window ? 0 : s->rows[i].growth_at;
	}
	for (i = 1; i < r->nstacks; i++) {
		int64_t site = r->stack_site[i], row;

		if (site < 0 || (size_t)site >= s->nids ||
		    (row = s->row_of_id[site]) < 0)
			continue;
		s->rows[row].live_bytes += r->scoped_bytes[i];
		s->rows[row].live_blocks += r->scoped_blocks[i];
		if (window)
			s->rows[row].growth += r->scoped_growth[i];
	}
	s->scope_serial = r->scope_serial;
}

/*
 * Sorting: each row's key goes into a compact array, sorted by a stable
 * radix sort on 64-bit keys, first by the second key, then by the first
 * (rows that tie keep table order).  qsort through the rows missed the
 * cache on every step (the key took 180 ms on 109k sites), qsort on a key
 * array still 60 ms; with this the whole key takes about 30 ms.
 */
struct sort_item {
	uint64_t key[2];	/* [0] first, [1] second */
	size_t row;
};

/* Order-keeping maps to unsigned keys; "desc" ones sort largest first. */
static uint64_t
key_i64_desc(int64_t v)
{
	return ~((uint64_t)v ^ 0x8000000000000000ULL);
}

static uint64_t
key_double_desc(double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof bits);
	bits = bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
	return ~bits;
}

/* Stable LSD radix sort of N items by key[K], a byte at a time. */
static void
radix_sort(struct sort_item *items, struct sort_item *tmp, size_t n, int k)
{
	size_t count[256], i;
	int shift, b;

	for (shift = 0; shift < 64; shift += 8) {
		size_t pos = 0;

		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(items[i].key[k] >> shift) & 0xff]++;
		if (n == 0 || count[(items[0].key[k] >> shift) & 0xff] == n)
			continue;	/* this byte is the same everywhere */
		for (b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(items[i].key[k] >> shift) & 0xff]++] =
			    items[i];
		memcpy(items, tmp, n * sizeof *items);
	}
}

/* Sorts s->order; returns the new position of the row of site KEEP. */
static long
sites_sort(struct sites *s, int64_t keep)
{
	size_t n = s->norder, i;
	struct sort_item *items = xcalloc(n ? n : 1, sizeof *items);
	struct sort_item *tmp = xcalloc(n ? n : 1, sizeof *tmp);
	long at = 0;
	size_t keep_row = (size_t)-1;

	if (keep >= 0 && (size_t)keep < s->nids && s->row_of_id[keep] >= 0)
		keep_row = (size_t)s->row_of_id[keep];
	/* One pass over the rows in table order for both keys. */
	for (i = 0; i < n; i++) {
		const struct site_row *r = &s->rows[s->order[i]];
		uint64_t k = 0;

		switch (s->sort) {
		case SORT_LIVE:
			k = key_i64_desc(r->live_bytes);
			break;
		case SORT_BLOCKS:
			k = key_i64_desc(r->live_blocks);
			break;
		case SORT_ALLOCS:
			k = key_i64_desc(r->allocations);
			break;
		case SORT_PEAK:
			k = key_i64_desc(r->peak_bytes);
			break;
		case SORT_GROWTH:
			k = key_double_desc(r->growth);
			break;
		case SORT_CLASS:
		case SORT_COUNT:
			k = (uint64_t)classes_rank_of_letter(r->cls);
			break;
		}
		items[i].key[0] = k;
		items[i].key[1] = key_i64_desc(s->sort == SORT_CLASS ?
		    r->live_bytes : r->alloc_bytes);
		items[i].row = s->order[i];
	}
	radix_sort(items, tmp, n, 1);
	radix_sort(items, tmp, n, 0);
	for (i = 0; i < n; i++) {
		s->order[i] = items[i].row;
		if (items[i].row == keep_row)
			at = (long)i;
	}
	free(items);
	free(tmp);
	return at;
}

/*
 * The text filter looks in one lower-case "function\tfile\tmodule"
 * string per row, all in one block of memory, read in order (a keystroke
 * took 200 ms through the rows' own strings, under 30 ms this way), then
 * in the texts of the row's frames (sites_load_frames).  A filter that
 * extends the one before only looks at the rows that passed it.
 */
static void
sites_build_haystack(struct sites *s)
{
	size_t total = 1, i, o = 0;

	for (i = 0; i < s->nrows; i++) {
		const struct site_row *r = &s->rows[i];

		total += (r->function ? strlen(r->function) : 0) +
		    (r->file ? strlen(r->file) : 0) + strlen(r->module) + 3;
	}
	s->haystack = xmalloc(total);
	s->hay_at = xcalloc(s->nrows ? s->nrows : 1, sizeof *s->hay_at);
	for (i = 0; i < s->nrows; i++) {
		const struct site_row *r = &s->rows[i];
		char *start = s->haystack + o;

		s->hay_at[i] = o;
		o += (size_t)sprintf(start, "%s\t%s\t%s", r->function ?
		    r->function : "", r->file ? r->file : "", r->module) + 1;
		for (; *start; start++)
			if (*start >= 'A' && *start <= 'Z')
				*start = (char)(*start - 'A' + 'a');
	}
}

/*
 * The frames of the sites' stacks, for the filter.  The frames table's
 * distinct texts are few (17k on bench/many-sites, beside its 111k
 * sites, 323k stacks and 3.3M stack frames), so a keystroke tests each
 * text once, then each row's list of text numbers (1.5M in all there):
 * a per-site copy of its frames' texts would be tens of megabytes to
 * search on every key.  Read once, in C: the frames by text, addresses
 * to texts through a hash, then stack_frames in its own order, each
 * stack's site from run->stack_site; the pairs are grouped by row and
 * each row's made distinct.  That takes 0.4-0.6 s there (stack_frames
 * alone 0.4 s), so the browser starts it on a thread with a connection
 * of its own once it has started (sites_start_frames), and the first
 * filter waits for what is left.
 */
struct frame_index {
	char *text;
	size_t *text_at, ntexts;
	uint32_t *row_texts;
	size_t *row_texts_at;
};

/* Reads the frame index of S's rows from DB into *X (zeroed). */
static void
frames_read(sqlite3 *db, const struct sites *s, struct frame_index *x)
{
	const struct run *r = s->run;
	sqlite3_stmt *st = NULL;
	ptr_map *by_addr;
	uint32_t *node_text = NULL, *node_next = NULL, *pair_row = NULL;
	uint32_t *pair_text = NULL, *stamp;
	size_t nnodes = 0, ncap = 0, npairs = 0, pcap = 0, tcap = 0, tlen = 0;
	size_t acap = 0, i, k, o, *fill;

	if (sqlite3_prepare_v2(db, "SELECT address, lower(coalesce("
	    "function, '') || char(9) || coalesce(file, '')) AS t FROM frames"
	    " WHERE function IS NOT NULL OR file IS NOT NULL ORDER BY t", -1,
	    &st, NULL) != SQLITE_OK)
		return;		/* the rows' own texts only */
	by_addr = ptr_map_create();
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t addr = (uint64_t)sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		size_t len = strlen(t);
		struct ptr_value *v;
		int added;

		/* Rows come by text: a new one when it differs from the
		   last (by offset: the block moves as it grows). */
		if (x->ntexts == 0 || strcmp(x->text +
		    x->text_at[x->ntexts - 1], t) != 0) {
			if (x->ntexts == acap) {
				acap = acap ? acap * 2 : 1024;
				x->text_at = xreallocarray(x->text_at, acap,
				    sizeof *x->text_at);
			}
			while (tlen + len + 1 > tcap) {
				tcap = tcap ? tcap * 2 : 65536;
				x->text = xrealloc(x->text, tcap);
			}
			x->text_at[x->ntexts++] = tlen;
			memcpy(x->text + tlen, t, len + 1);
			tlen += len + 1;
		}
		if ((v = ptr_map_slot(by_addr, addr, &added)) == NULL)
			continue;
		if (nnodes == ncap) {
			ncap = ncap ? ncap * 2 : 1024;
			node_text = xreallocarray(node_text, ncap,
			    sizeof *node_text);
			node_next = xreallocarray(node_next, ncap,
			    sizeof *node_next);
		}
		/* An address's texts (its inline chain): a list of nodes,
		   v->size the first plus one. */
		node_text[nnodes] = (uint32_t)(x->ntexts - 1);
		node_next[nnodes] = added ? 0 : (uint32_t)v->size;
		v->size = ++nnodes;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT stack_id, address FROM"
	    " stack_frames", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t stack = sqlite3_column_int64(st, 0), site, row;
			struct ptr_value *v = ptr_map_find(by_addr,
			    (uint64_t)sqlite3_column_int64(st, 1));
			uint32_t n;

			if (v == NULL || stack <= 0 || (size_t)stack >=
			    r->nstacks || (site = r->stack_site[stack]) < 0 ||
			    (size_t)site >= s->nids ||
			    (row = s->row_of_id[site]) < 0)
				continue;
			for (n = (uint32_t)v->size; n != 0;
			    n = node_next[n - 1]) {
				if (npairs == pcap) {
					pcap = pcap ? pcap * 2 : 65536;
					pair_row = xreallocarray(pair_row,
					    pcap, sizeof *pair_row);
					pair_text = xreallocarray(pair_text,
					    pcap, sizeof *pair_text);
				}
				pair_row[npairs] = (uint32_t)row;
				pair_text[npairs++] = node_text[n - 1];
			}
		}
	}
	sqlite3_finalize(st);
	ptr_map_free(by_addr);
	free(node_text);
	free(node_next);
	/* Grouped by row (a counting sort), then each row's made distinct. */
	x->row_texts_at = xcalloc(s->nrows + 1, sizeof *x->row_texts_at);
	for (i = 0; i < npairs; i++)
		x->row_texts_at[pair_row[i] + 1]++;
	for (i = 0; i < s->nrows; i++)
		x->row_texts_at[i + 1] += x->row_texts_at[i];
	x->row_texts = xcalloc(npairs ? npairs : 1, sizeof *x->row_texts);
	fill = xcalloc(s->nrows + 1, sizeof *fill);
	memcpy(fill, x->row_texts_at, (s->nrows + 1) * sizeof *fill);
	for (i = 0; i < npairs; i++)
		x->row_texts[fill[pair_row[i]]++] = pair_text[i];
	free(fill);
	free(pair_row);
	free(pair_text);
	stamp = xcalloc(x->ntexts ? x->ntexts : 1, sizeof *stamp);
	for (i = 0, o = 0; i < s->nrows; i++) {
		size_t from = x->row_texts_at[i], to = x->row_texts_at[i + 1];

		x->row_texts_at[i] = o;
		for (k = from; k < to; k++) {
			uint32_t t = x->row_texts[k];

			if (stamp[t] != (uint32_t)i + 1) {
				stamp[t] = (uint32_t)i + 1;
				x->row_texts[o++] = t;
			}
		}
	}
	x->row_texts_at[s->nrows] = o;
	free(stamp);
}

/* The reading on a thread: its connection, and what it read. */
struct sites_frames_job {
	pthread_t thread;
	sqlite3 *db;
	const struct sites *s;	/* borrowed: only what sites_open set */
	struct frame_index x;
};

static void *
frames_thread(void *arg)
{
	struct sites_frames_job *job = arg;

	frames_read(job->db, job->s, &job->x);
	return NULL;
}

void
sites_start_frames(struct sites *s)
{
	const char *file = sqlite3_db_filename(s->run->db, "main");
	struct sites_frames_job *job;

	if (s->frames_loaded || s->frames_job != NULL || file == NULL ||
	    file[0] == '\0' || !sqlite3_threadsafe())
		return;
	job = xcalloc(1, sizeof *job);
	job->s = s;
	if (sqlite3_open_v2(file, &job->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    pthread_create(&job->thread, NULL, frames_thread, job) != 0) {
		sqlite3_close(job->db);
		free(job);
		return;
	}
	s->frames_job = job;
}

void
sites_load_frames(struct sites *s)
{
	struct sites_frames_job *job = s->frames_job;
	struct frame_index x;

	if (s->frames_loaded)
		return;
	s->frames_loaded = 1;
	memset(&x, 0, sizeof x);
	if (job != NULL) {
		pthread_join(job->thread, NULL);
		sqlite3_close(job->db);
		x = job->x;
		free(job);
		s->frames_job = NULL;
	} else {
		frames_read(s->run->db, s, &x);
	}
	if (x.row_texts_at == NULL) {
		free(x.text);
		free(x.text_at);
		return;		/* no frames table: the rows' texts only */
	}
	s->frame_text = x.text;
	s->frame_text_at = x.text_at;
	s->nframe_texts = x.ntexts;
	s->row_texts = x.row_texts;
	s->row_texts_at = x.row_texts_at;
	s->text_hit = xcalloc(x.ntexts ? x.ntexts : 1, 1);
}

/* Marks the frame texts that hold NEEDLE (not empty). */
static void
sites_hit_texts(struct sites *s, const char *needle)
{
	size_t k;

	for (k = 0; k < s->nframe_texts; k++)
		s->text_hit[k] = strstr(s->frame_text + s->frame_text_at[k],
		    needle) != NULL;
}

static int
sites_pass(const struct sites *s, size_t i, const char *needle)
{
	const struct site_row *row = &s->rows[i];
	size_t k;

	if (s->cls_filter && row->cls != s->cls_filter)
		return 0;
	if (s->module_filter >= 0 && row->module_idx != s->module_filter)
		return 0;
	if (needle[0] == '\0' || strstr(s->haystack + s->hay_at[i],
	    needle) != NULL)
		return 1;
	if (s->row_texts == NULL)
		return 0;
	for (k = s->row_texts_at[i]; k < s->row_texts_at[i + 1]; k++)
		if (s->text_hit[s->row_texts[k]])
			return 1;
	return 0;
}

const char *
sites_frame_match(const struct sites *s, const struct site_row *row)
{
	size_t i = (size_t)(row - s->rows), k;

	if (s->applied[0] == '\0' || s->row_texts == NULL ||
	    strstr(s->haystack + s->hay_at[i], s->applied) != NULL)
		return NULL;
	for (k = s->row_texts_at[i]; k < s->row_texts_at[i + 1]; k++)
		if (s->text_hit[s->row_texts[k]])
			return s->frame_text + s->frame_text_at[s->row_texts[k]];
	return NULL;
}

void
sites_refresh(struct sites *s)
{
	int64_t keep = -1;
	size_t i, n = 0;
	char needle[sizeof s->filter];
	int narrowing;

	if (s->norder > 0 && s->cur.sel >= 0 && (size_t)s->cur.sel <
	    s->norder)
		keep = s->rows[s->order[s->cur.sel]].id;
	if (s->scope_serial != s->run->scope_serial)
		sites_rescope(s);
	if (s->haystack == NULL)
		sites_build_haystack(s);
	for (i = 0; s->filter[i]; i++)
		needle[i] = (char)(s->filter[i] >= 'A' && s->filter[i] <= 'Z' ?
		    s->filter[i] - 'A' + 'a' : s->filter[i]);
	needle[i] = '\0';
	if (needle[0] != '\0') {
		sites_load_frames(s);
		if (s->row_texts != NULL)
			sites_hit_texts(s, needle);
	}
	/*
	 * Same other filters and a longer text: only the rows shown need
	 * looking at.  Rows are visited in their table order either way
	 * (marked first when narrowing): going through them in sorted order
	 * misses the cache on every row.
	 */
	narrowing = s->applied_valid && s->applied_cls == s->cls_filter &&
	    s->applied_module == s->module_filter &&
	    strlen(needle) > strlen(s->applied) &&
	    strncmp(needle, s->applied, strlen(s->applied)) == 0;
	if (narrowing) {
		char *shown = xcalloc(s->nrows ? s->nrows : 1, 1);

		for (i = 0; i < s->norder; i++)
			shown[s->order[i]] = 1;
		for (i = 0; i < s->nrows; i++)
			if (shown[i] && sites_pass(s, i, needle))
				s->order[n++] = i;
		free(shown);
	} else {
		for (i = 0; i < s->nrows; i++)
			if (sites_pass(s, i, needle))
				s->order[n++] = i;
	}
	s->norder = n;
	snprintf(s->applied, sizeof s->applied, "%s", needle);
	s->applied_cls = s->cls_filter;
	s->applied_module = s->module_filter;
	s->applied_valid = 1;
	s->cur.sel = sites_sort(s, keep);
	s->cur.count = (long)s->norder;
	cursor_clamp(&s->cur);
}

struct site_row *
sites_selected(struct sites *s)
{
	if (s->cur.sel < 0 || (size_t)s->cur.sel >= s->norder)
		return NULL;
	return &s->rows[s->order[s->cur.sel]];
}

char
sites_letter(const struct site_row *row)
{
	if (row->suppressed != NULL && row->cls >= 'A' && row->cls <= 'Z')
		return (char)(row->cls - 'A' + 'a');
	return row->cls;
}

void
sites_spark(struct sites *s, struct site_row *row)
{
	struct run *r = s->run;
	sqlite3_stmt *st = NULL;
	int64_t *live, pts[SPARK_POINTS] = { 0 }, max = 0;
	char *set;
	int b, p;

	if (row->spark_ready)
		return;
	row->spark_ready = 1;
	live = xcalloc((size_t)r->buckets, sizeof *live);
	set = xcalloc((size_t)r->buckets, 1);
	if (sqlite3_prepare_v2(r->db, "SELECT bucket, live_bytes FROM"
	    " site_series WHERE site_id = ? ORDER BY bucket", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, row->id);
		/* Rows are changes: a value holds until the next row. */
		while (sqlite3_step(st) == SQLITE_ROW) {
			b = sqlite3_column_int(st, 0);
			if (b >= 0 && b < r->buckets) {
				live[b] = sqlite3_column_int64(st, 1);
				set[b] = 1;
			}
		}
	}
	sqlite3_finalize(st);
	for (b = 1; b < r->buckets; b++)
		if (!set[b])
			live[b] = live[b - 1];
	free(set);
	/* Each point is the highest value over its share of the buckets. */
	for (b = 0; b < r->buckets; b++) {
		p = (int)((int64_t)b * SPARK_POINTS / r->buckets);
		if (live[b] > pts[p])
			pts[p] = live[b];
		if (live[b] > max)
			max = live[b];
	}
	free(live);
	for (p = 0; p < SPARK_POINTS; p++)
		row->spark[p] = max == 0 || pts[p] == 0 ? 0 :
		    (uint8_t)(1 + pts[p] * 7 / max);
}

struct class_split
sites_class_split(struct sites *s)
{
	struct class_split c = { 0, 0, 0, 0 };
	struct module_sums all;
	size_t i;

	if (s->scope_serial != s->run->scope_serial)
		sites_refresh(s);
	/* The whole run as one module: the modules table's rule. */
	memset(&all, 0, sizeof all);
	for (i = 0; i < s->nrows; i++)
		modules_add_site(&all, s->rows[i].live_bytes,
		    s->rows[i].live_blocks, s->rows[i].allocations,
		    s->rows[i].cls);
	c.leak = all.leak_bytes;
	c.steady = all.steady_bytes;
	c.unclear = all.unclear_bytes;
	c.freed = all.live_bytes - all.leak_bytes - all.steady_bytes -
	    all.unclear_bytes;
	return c;
}
