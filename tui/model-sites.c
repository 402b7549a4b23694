/*
 * model-sites.c - the site table and the module table of the browser.
 *
 * The sites table is read once into rows (its texts copied, module names
 * interned so modules are an index).  The live figures of a row follow
 * the time scope: the sum of its stacks' values in run->scoped_*.  The
 * projection shown (filter by text, class and module; sort) is an array
 * of row indexes, rebuilt in C on each change: a few milliseconds for
 * 100k sites, cheaper than asking SQLite to re-sort on every key.
 *
 * A row's trend (its sparkline) comes from site_series, by primary key,
 * only for the rows drawn.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../common/xmalloc.h"
#include "model.h"

const char *const site_sort_names[SORT_COUNT] = {
	"live bytes", "live blocks", "allocations", "peak", "growth", "class",
};

static const char *
dup_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup((const char *)sqlite3_column_text(st, i));
}

static int
intern_module(struct sites *s, const char *name, size_t *cap)
{
	size_t i;

	if (name == NULL)
		name = "?";
	for (i = 0; i < s->nmodules; i++)
		if (strcmp(s->modules[i], name) == 0)
			return (int)i;
	if (s->nmodules == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		s->modules = xreallocarray(s->modules, *cap,
		    sizeof *s->modules);
	}
	s->modules[s->nmodules] = xstrdup(name);
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
	const char *last_name = NULL;

	s->run = r;
	s->module_filter = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT id, class, allocations,"
	    " alloc_bytes, peak_bytes, growth_bytes_per_s, first_time,"
	    " last_time, address, line, function, file, module, pattern"
	    " FROM sites ORDER BY module", -1, &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot read sites: %s", r->path,
		    sqlite3_errmsg(r->db));
		free(s);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct site_row *row;
		const char *cls = (const char *)sqlite3_column_text(st, 1);
		const char *mod = (const char *)sqlite3_column_text(st, 12);

		if (s->nrows == cap) {
			cap = cap ? cap * 2 : 1024;
			s->rows = xreallocarray(s->rows, cap, sizeof *s->rows);
		}
		row = &s->rows[s->nrows++];
		memset(row, 0, sizeof *row);
		row->id = sqlite3_column_int64(st, 0);
		row->cls = cls == NULL ? '?' : cls[0] == 'l' ? 'L' :
		    cls[0] == 's' ? 'S' : cls[0] == 'u' ? 'U' :
		    cls[0] == 'f' ? 'F' : '?';
		row->allocations = sqlite3_column_int64(st, 2);
		row->alloc_bytes = sqlite3_column_int64(st, 3);
		row->peak_bytes = sqlite3_column_int64(st, 4);
		row->growth = sqlite3_column_double(st, 5);
		row->first_time = sqlite3_column_double(st, 6);
		row->last_time = sqlite3_column_double(st, 7);
		row->address = (uint64_t)sqlite3_column_int64(st, 8);
		row->line = sqlite3_column_int(st, 9);
		row->function = dup_or_null(st, 10);
		row->file = dup_or_null(st, 11);
		row->pattern = dup_or_null(st, 13);
		/* Rows come by module: intern the name once per run. */
		if (last_name == NULL || mod == NULL ||
		    strcmp(last_name, mod) != 0)
			last_module = intern_module(s, mod, &mcap);
		last_name = s->modules[last_module];
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
	sites_refresh(s);
	return s;
}

void
sites_close(struct sites *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrows; i++) {
		free((char *)s->rows[i].function);
		free((char *)s->rows[i].file);
		free((char *)s->rows[i].pattern);
	}
	for (i = 0; i < s->nmodules; i++)
		free(s->modules[i]);
	free(s->modules);
	free(s->rows);
	free(s->order);
	free(s->row_of_id);
	free(s);
}

/* Sums each site's stacks in the run's scope into its row. */
static void
sites_rescope(struct sites *s)
{
	struct run *r = s->run;
	size_t i;

	for (i = 0; i < s->nrows; i++)
		s->rows[i].live_bytes = s->rows[i].live_blocks = 0;
	for (i = 1; i < r->nstacks; i++) {
		int64_t site = r->stack_site[i], row;

		if (site < 0 || (size_t)site >= s->nids ||
		    (row = s->row_of_id[site]) < 0)
			continue;
		s->rows[row].live_bytes += r->scoped_bytes[i];
		s->rows[row].live_blocks += r->scoped_blocks[i];
	}
	s->scope_serial = r->scope_serial;
}

static int
class_rank(char c)
{
	return c == 'L' ? 0 : c == 'U' ? 1 : c == 'S' ? 2 : c == 'F' ? 3 : 4;
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;	/* descending */
}

static int
sites_compare(const void *pa, const void *pb, void *arg)
{
	const struct sites *s = arg;
	const struct site_row *a = &s->rows[*(const size_t *)pa];
	const struct site_row *b = &s->rows[*(const size_t *)pb];
	int c = 0;

	switch (s->sort) {
	case SORT_LIVE:
		c = cmp_i64(a->live_bytes, b->live_bytes);
		break;
	case SORT_BLOCKS:
		c = cmp_i64(a->live_blocks, b->live_blocks);
		break;
	case SORT_ALLOCS:
		c = cmp_i64(a->allocations, b->allocations);
		break;
	case SORT_PEAK:
		c = cmp_i64(a->peak_bytes, b->peak_bytes);
		break;
	case SORT_GROWTH:
		c = a->growth > b->growth ? -1 : a->growth < b->growth;
		break;
	case SORT_CLASS:
		c = class_rank(a->cls) - class_rank(b->cls);
		if (c == 0)
			c = cmp_i64(a->live_bytes, b->live_bytes);
		break;
	case SORT_COUNT:
		break;
	}
	if (c == 0)
		c = cmp_i64(a->alloc_bytes, b->alloc_bytes);
	if (c == 0)
		c = a->id < b->id ? -1 : a->id > b->id;
	return c;
}

static int
sites_pass(const struct sites *s, const struct site_row *row)
{
	if (s->cls_filter && row->cls != s->cls_filter)
		return 0;
	if (s->module_filter >= 0 && row->module_idx != s->module_filter)
		return 0;
	if (s->filter[0] == '\0')
		return 1;
	return (row->function && strcasestr(row->function, s->filter)) ||
	    (row->file && strcasestr(row->file, s->filter)) ||
	    strcasestr(row->module, s->filter);
}

void
sites_refresh(struct sites *s)
{
	int64_t keep = -1;
	size_t i;

	if (s->norder > 0 && s->cur.sel >= 0 && (size_t)s->cur.sel <
	    s->norder)
		keep = s->rows[s->order[s->cur.sel]].id;
	if (s->scope_serial != s->run->scope_serial)
		sites_rescope(s);
	s->norder = 0;
	for (i = 0; i < s->nrows; i++)
		if (sites_pass(s, &s->rows[i]))
			s->order[s->norder++] = i;
	qsort_r(s->order, s->norder, sizeof *s->order, sites_compare, s);
	s->cur.count = (long)s->norder;
	s->cur.sel = 0;
	for (i = 0; keep >= 0 && i < s->norder; i++)
		if (s->rows[s->order[i]].id == keep) {
			s->cur.sel = (long)i;
			break;
		}
	cursor_clamp(&s->cur);
}

struct site_row *
sites_selected(struct sites *s)
{
	if (s->cur.sel < 0 || (size_t)s->cur.sel >= s->norder)
		return NULL;
	return &s->rows[s->order[s->cur.sel]];
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
	size_t i;

	if (s->scope_serial != s->run->scope_serial)
		sites_refresh(s);
	for (i = 0; i < s->nrows; i++) {
		const struct site_row *row = &s->rows[i];

		if (row->cls == 'L')
			c.leak += row->live_bytes;
		else if (row->cls == 'S')
			c.steady += row->live_bytes;
		else if (row->cls == 'U')
			c.unclear += row->live_bytes;
		else
			c.freed += row->live_bytes;
	}
	return c;
}

/* --- modules ------------------------------------------------------------- */

static int
modules_compare(const void *pa, const void *pb)
{
	const struct module_row *a = pa, *b = pb;
	int c = cmp_i64(a->live_bytes, b->live_bytes);

	if (c == 0)
		c = cmp_i64(a->allocations, b->allocations);
	return c ? c : strcmp(a->name, b->name);
}

void
modules_refresh(struct modules *m, struct sites *s)
{
	size_t i, n = 0;
	struct module_row *by_idx;
	long keep = -1;

	if (s->scope_serial != s->run->scope_serial)
		sites_refresh(s);
	if (m->peak_of == NULL) {
		sqlite3_stmt *st = NULL;

		m->peak_of = xcalloc(s->nmodules + 1, sizeof *m->peak_of);
		if (sqlite3_prepare_v2(s->run->db, "SELECT name,"
		    " max(peak_bytes) FROM modules GROUP BY name", -1, &st,
		    NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *name = (const char *)
				    sqlite3_column_text(st, 0);

				for (i = 0; name && i < s->nmodules; i++)
					if (strcmp(s->modules[i], name) == 0)
						m->peak_of[i] =
						    sqlite3_column_int64(st, 1);
			}
		}
		sqlite3_finalize(st);
	}
	if (m->nrows > 0 && m->cur.sel >= 0 && (size_t)m->cur.sel < m->nrows)
		keep = m->rows[m->cur.sel].module_idx;
	by_idx = xcalloc(s->nmodules + 1, sizeof *by_idx);
	for (i = 0; i < s->nmodules; i++) {
		by_idx[i].name = s->modules[i];
		by_idx[i].module_idx = (int)i;
		by_idx[i].peak_bytes = m->peak_of[i];
	}
	for (i = 0; i < s->nrows; i++) {
		const struct site_row *row = &s->rows[i];
		struct module_row *mr = &by_idx[row->module_idx];

		mr->live_bytes += row->live_bytes;
		mr->live_blocks += row->live_blocks;
		mr->allocations += row->allocations;
		mr->nsites++;
		if (row->cls == 'L')
			mr->leak_bytes += row->live_bytes;
		else if (row->cls == 'S')
			mr->steady_bytes += row->live_bytes;
		else if (row->cls == 'U')
			mr->unclear_bytes += row->live_bytes;
	}
	free(m->rows);
	m->rows = xcalloc(s->nmodules + 1, sizeof *m->rows);
	for (i = 0; i < s->nmodules; i++)
		if (by_idx[i].nsites > 0)
			m->rows[n++] = by_idx[i];
	free(by_idx);
	qsort(m->rows, n, sizeof *m->rows, modules_compare);
	m->nrows = n;
	m->cur.count = (long)n;
	for (i = 0; keep >= 0 && i < n; i++)
		if (m->rows[i].module_idx == keep)
			m->cur.sel = (long)i;
	cursor_clamp(&m->cur);
	m->scope_serial = s->run->scope_serial;
}

void
modules_free(struct modules *m)
{
	free(m->rows);
	free(m->peak_of);
	memset(m, 0, sizeof *m);
}
