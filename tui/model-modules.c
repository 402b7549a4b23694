/*
 * model-modules.c - the browser's module table: query/modules.h's rows in
 * the time scope, summed from the sites model's rows (each site's live
 * figures and class in the scope) by the rule query/modules.c states,
 * without a query (one took 0.1 s to 0.7 s on 111k sites).  Peaks are the
 * modules table's, read once.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../query/modules.h"
#include "../util/xmalloc.h"
#include "model.h"

static int
modules_compare(const void *pa, const void *pb)
{
	const struct module_row *a = pa, *b = pb;

	if (a->live_bytes != b->live_bytes)
		return a->live_bytes > b->live_bytes ? -1 : 1;
	if (a->allocations != b->allocations)
		return a->allocations > b->allocations ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The modules table's peaks by path, once (they do not follow the
   scope). */
static void
modules_read_peaks(struct modules *m, struct sites *s)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	m->peak_of = xcalloc(s->nmodules + 1, sizeof *m->peak_of);
	if (sqlite3_prepare_v2(s->run->db, "SELECT path, max(peak_bytes) FROM"
	    " modules GROUP BY path", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *path = (const char *)sqlite3_column_text(st,
			    0);

			for (i = 0; path != NULL && i < s->nmodules; i++)
				if (strcmp(s->module_paths[i], path) == 0)
					m->peak_of[i] = sqlite3_column_int64(st,
					    1);
		}
	}
	sqlite3_finalize(st);
}

/* The rows, summed by module: the sums modules_sql gives. */
void
modules_refresh(struct modules *m, struct sites *s)
{
	struct module_sums *sums;
	size_t i, n = 0;
	long keep = -1;

	if (s->scope_serial != s->run->scope_serial)
		sites_refresh(s);
	if (m->peak_of == NULL)
		modules_read_peaks(m, s);
	if (m->nrows > 0 && m->cur.sel >= 0 && (size_t)m->cur.sel < m->nrows)
		keep = m->rows[m->cur.sel].module_idx;
	sums = xcalloc(s->nmodules + 1, sizeof *sums);
	for (i = 0; i < s->nrows; i++) {
		const struct site_row *row = &s->rows[i];

		modules_add_site(&sums[row->module_idx], row->live_bytes,
		    row->live_blocks, row->allocations, row->cls);
	}
	free(m->rows);
	m->rows = xcalloc(s->nmodules + 1, sizeof *m->rows);
	for (i = 0; i < s->nmodules; i++) {
		struct module_row *mr = &m->rows[n];

		if (sums[i].allocations == 0)
			continue;	/* as the modules table: HAVING */
		mr->name = s->modules[i];
		mr->module_idx = (int)i;
		mr->live_bytes = sums[i].live_bytes;
		mr->live_blocks = sums[i].live_blocks;
		mr->allocations = sums[i].allocations;
		mr->peak_bytes = m->peak_of[i];
		mr->leak_bytes = sums[i].leak_bytes;
		mr->steady_bytes = sums[i].steady_bytes;
		mr->unclear_bytes = sums[i].unclear_bytes;
		mr->nsites = sums[i].nsites;
		n++;
	}
	free(sums);
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
