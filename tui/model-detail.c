/*
 * model-detail.c - one site in depth: its stacks (heaviest first, one
 * shown at a time with inlined frames expanded), its live bytes over
 * time, the size and lifetime distributions of its blocks, and the
 * source lines around the selected frame when the file is on disk.
 * Every query here is by key (site id, stack id, address).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "model.h"

static void
detail_free_frames(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->nframes; i++) {
		free(d->frames[i].function);
		free(d->frames[i].file);
		free(d->frames[i].module);
	}
	free(d->frames);
	d->frames = NULL;
	d->nframes = 0;
}

static void
detail_free_source(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->nsource; i++)
		free(d->source[i]);
	free(d->source);
	free(d->source_path);
	d->source = NULL;
	d->source_path = NULL;
	d->nsource = 0;
	d->source_for = -1;
}

/* Loads the frames of the shown stack and marks the site's; the
 * innermost frame (#0) is selected, so the stack reads from its top. */
static void
detail_load_frames(struct detail *d, struct run *r)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i;
	uint64_t site_addr = 0;
	char *site_fn = NULL;
	long site_at = -1;

	detail_free_frames(d);
	if (d->nstacks == 0)
		return;
	if (sqlite3_prepare_v2(r->db, "SELECT address, function FROM sites"
	    " WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->site_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			site_addr = (uint64_t)sqlite3_column_int64(st, 0);
			site_fn = run_sql_text(st, 1);
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(r->db, "SELECT sf.address, f.function, f.file,"
	    " f.line, coalesce(f.inlined, 0), m.name FROM stack_frames sf"
	    " LEFT JOIN frames f ON f.address = sf.address LEFT JOIN modules"
	    " m ON m.id = f.module_id WHERE sf.stack_id = ? ORDER BY"
	    " sf.position, f.depth", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->stack_ids[d->stack_at]);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct detail_frame *f;

			if (d->nframes == cap) {
				cap = cap ? cap * 2 : 32;
				d->frames = xreallocarray(d->frames, cap,
				    sizeof *d->frames);
			}
			f = &d->frames[d->nframes++];
			memset(f, 0, sizeof *f);
			f->address = (uint64_t)sqlite3_column_int64(st, 0);
			f->function = run_sql_text(st, 1);
			f->file = run_sql_text(st, 2);
			f->line = sqlite3_column_int(st, 3);
			f->inlined = sqlite3_column_int(st, 4);
			f->module = run_sql_text(st, 5);
		}
	}
	sqlite3_finalize(st);
	/* The site's frame: at its address, the level with its function. */
	for (i = 0; i < d->nframes; i++) {
		if (d->frames[i].address != site_addr)
			continue;
		if (site_at < 0)
			site_at = (long)i;
		if (site_fn != NULL && d->frames[i].function != NULL &&
		    strcmp(site_fn, d->frames[i].function) == 0) {
			site_at = (long)i;
			break;
		}
	}
	free(site_fn);
	if (site_at >= 0)
		d->frames[site_at].is_site = 1;
	d->cur.count = (long)d->nframes;
	d->cur.sel = 0;
	d->cur.top = 0;
	cursor_clamp(&d->cur);
}

static void
detail_load_histogram(struct run *r, int64_t site, const char *kind,
    struct histo_bin **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT bin, blocks, bytes FROM"
	    " site_histograms WHERE site_id = ? AND kind = ? ORDER BY bin",
	    -1, &st, NULL) != SQLITE_OK)
		return;		/* a database without histograms */
	sqlite3_bind_int64(st, 1, site);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[*n].bin = sqlite3_column_int(st, 0);
		(*out)[*n].blocks = sqlite3_column_int64(st, 1);
		(*out)[(*n)++].bytes = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
}

struct detail *
detail_open(struct run *r, int64_t site_id, char **cause)
{
	struct detail *d = xcalloc(1, sizeof *d);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	char *set;
	int b;

	d->site_id = site_id;
	d->source_for = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT s.id FROM stacks s JOIN"
	    " stack_stats t ON t.stack_id = s.id WHERE s.site_id = ? ORDER BY"
	    " t.live_bytes DESC, t.alloc_bytes DESC, s.id", -1, &st, NULL) !=
	    SQLITE_OK) {
		*cause = xasprintf("%s: %s", r->path, sqlite3_errmsg(r->db));
		free(d);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, site_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (d->nstacks == cap) {
			cap = cap ? cap * 2 : 8;
			d->stack_ids = xreallocarray(d->stack_ids, cap,
			    sizeof *d->stack_ids);
		}
		d->stack_ids[d->nstacks++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	detail_load_frames(d, r);

	/* Live bytes per bucket: rows are changes, held until the next. */
	d->series = xcalloc((size_t)r->buckets, sizeof *d->series);
	set = xcalloc((size_t)r->buckets, 1);
	if (sqlite3_prepare_v2(r->db, "SELECT bucket, live_bytes FROM"
	    " site_series WHERE site_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, site_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			b = sqlite3_column_int(st, 0);
			if (b >= 0 && b < r->buckets) {
				d->series[b] = sqlite3_column_int64(st, 1);
				set[b] = 1;
			}
		}
	}
	sqlite3_finalize(st);
	for (b = 1; b < r->buckets; b++)
		if (!set[b])
			d->series[b] = d->series[b - 1];
	free(set);

	detail_load_histogram(r, site_id, "size", &d->sizes, &d->nsizes);
	detail_load_histogram(r, site_id, "lifetime", &d->lifetimes,
	    &d->nlifetimes);
	detail_load_histogram(r, site_id, "age", &d->ages, &d->nages);
	return d;
}

void
detail_close(struct detail *d)
{
	if (d == NULL)
		return;
	detail_free_frames(d);
	detail_free_source(d);
	free(d->stack_ids);
	free(d->series);
	free(d->sizes);
	free(d->lifetimes);
	free(d->ages);
	free(d);
}

void
detail_next_stack(struct detail *d, struct run *r, int step)
{
	if (d->nstacks < 2)
		return;
	d->stack_at = (d->stack_at + d->nstacks + (size_t)(long)step) %
	    d->nstacks;
	detail_load_frames(d, r);
	detail_free_source(d);
}

/* LINE with its tabs turned into spaces (stops every 8 columns). */
static char *
expand_tabs(const char *line)
{
	size_t n = 0, col = 0;
	const char *p;
	char *out, *o;

	for (p = line; *p; p++)
		n += *p == '\t' ? 8 : 1;
	o = out = xmalloc(n + 1);
	for (p = line; *p; p++) {
		if (*p == '\t') {
			do {
				*o++ = ' ';
			} while (++col % 8 != 0);
		} else {
			*o++ = *p;
			/* Columns count characters, not UTF-8 continuations. */
			if ((*p & 0xc0) != 0x80)
				col++;
		}
	}
	*o = '\0';
	return out;
}

void
detail_load_source(struct detail *d, int context)
{
	const struct detail_frame *f;
	FILE *fp;
	char *line = NULL;
	size_t len = 0, cap = 0;
	int no = 0;

	detail_free_source(d);
	if (d->cur.sel < 0 || (size_t)d->cur.sel >= d->nframes)
		return;
	f = &d->frames[d->cur.sel];
	d->source_for = d->cur.sel;
	d->source_line = f->line;
	if (f->file == NULL || f->line <= 0 ||
	    (fp = fopen(f->file, "r")) == NULL)
		return;
	d->source_path = xstrdup(f->file);
	d->source_first = f->line - context < 1 ? 1 : f->line - context;
	while (getline(&line, &len, fp) > 0 && ++no <= f->line + context) {
		size_t l = strlen(line);

		if (no < d->source_first)
			continue;
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (d->nsource == cap) {
			cap = cap ? cap * 2 : 16;
			d->source = xreallocarray(d->source, cap,
			    sizeof *d->source);
		}
		d->source[d->nsource++] = expand_tabs(line);
	}
	free(line);
	fclose(fp);
}
