/*
 * view-detail.c - one allocation site: what and where it is, its figures,
 * the whole call stack (innermost first, inlined frames marked, the
 * site's frame pointed at; [ and ] show the site's other stacks), and a
 * panel that v cycles: the site's live bytes over the run, the sizes of
 * its blocks, their lifetimes (and the ages of those still live), and
 * the source around the selected frame when the file is on disk.
 *
 * Owns the site shown (struct detail, kept when the view is left: 5 shows
 * it again) and the panel (struct detail_view).  Opened with a site id it
 * shows that site; without, the one it showed, or else the site selected
 * in the sites model.  Its figures are the sites model's rows.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "tui.h"

enum detail_panel { PANEL_CHART, PANEL_SIZES, PANEL_LIFETIMES,
	PANEL_SOURCE, PANEL_COUNT };

static const char *const panel_names[PANEL_COUNT] = {
	"chart", "sizes", "lifetimes", "source",
};

struct detail_view {
	struct detail *d;	/* NULL: no site shown yet */
	enum detail_panel panel;
};

static const struct site_row *
detail_row(struct tui *t, const struct detail_view *dv)
{
	struct sites *s = t->sites;
	int64_t id = dv->d->site_id, at;

	if (id < 0 || (size_t)id >= s->nids || (at = s->row_of_id[id]) < 0)
		return NULL;
	return &s->rows[at];
}

/* "1 us", "10 ms": the upper end of lifetime bin K (10^K ns). */
static const char *
decade_text(int k, char *buf, size_t cap)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	int u = k / 3 > 3 ? 3 : k / 3;
	long long v = 1;
	int i;

	for (i = 0; i < k - u * 3; i++)
		v *= 10;
	snprintf(buf, cap, "%lld %s", v, units[u]);
	return buf;
}

static int
histo_rows(struct tui *t, int y, int rows, const char *title,
    const struct histo_bin *bins, size_t n, int sizes)
{
	int64_t max = 1;
	size_t i;
	int used = 0;

	for (i = 0; i < n; i++)
		if (bins[i].blocks > max)
			max = bins[i].blocks;
	if (rows <= 0)
		return 0;
	attrset(A_BOLD);
	draw_fmt(y, 0, COLS, " %-24s %12s %10s", title, "blocks", "bytes");
	attrset(A_NORMAL);
	used++;
	if (n == 0 && used < rows)
		draw_text(y + used++, 2, COLS - 2, "(none)");
	for (i = 0; i < n && used < rows; i++) {
		char lo[32], hi[32], by[32], range[80];

		if (sizes) {
			int k = bins[i].bin;

			snprintf(range, sizeof range, "%s - %s",
			    draw_bytes(k == 0 ? 0 : (int64_t)1 << k, lo,
			    sizeof lo), draw_bytes(((int64_t)1 << (k + 1)) - 1,
			    hi, sizeof hi));
		} else if (bins[i].bin == 0) {
			/* Times are kept in microseconds. */
			snprintf(range, sizeof range, "0 (under 1 us)");
		} else {
			snprintf(range, sizeof range, "%s - %s",
			    decade_text(bins[i].bin - 1, lo, sizeof lo),
			    decade_text(bins[i].bin, hi, sizeof hi));
		}
		draw_fmt(y + used, 0, 50, "   %-22s %12lld %10s ", range,
		    (long long)bins[i].blocks, draw_bytes(bins[i].bytes, by,
		    sizeof by));
		draw_bar(t, y + used, 50, COLS - 52, (double)bins[i].blocks /
		    (double)max, C_HEAP);
		used++;
	}
	return used;
}

static void
detail_panel(struct tui *t, struct detail_view *dv, int y, int rows)
{
	struct detail *d = dv->d;
	struct run *r = t->run;
	int x, i;

	/* The tabs. */
	draw_text(y, 0, COLS, "");
	for (x = 1, i = 0; i < PANEL_COUNT; i++) {
		/* " name " without a format: gcc -O1 with sanitizers
		   warns that the %s argument might be null. */
		int len = (int)strlen(panel_names[i]);

		attrset(i == (int)dv->panel ? A_REVERSE | A_BOLD : A_NORMAL);
		draw_text(y, x, 1, " ");
		draw_text(y, x + 1, len, panel_names[i]);
		draw_text(y, x + 1 + len, 1, " ");
		attrset(A_NORMAL);
		x += len + 3;
	}
	draw_text(y, x, COLS - x, "(v: next)");
	y++;
	rows--;
	switch (dv->panel) {
	case PANEL_CHART: {
		struct chart c;

		memset(&c, 0, sizeof c);
		c.a = d->series;
		c.n = r->buckets;
		c.cursor = r->scope.kind == SCOPE_AT ? r->scope.to : -1;
		c.win_from = c.win_to = -1;
		if (r->scope.kind == SCOPE_WINDOW) {
			c.win_from = r->scope.from;
			c.win_to = r->scope.to;
		}
		c.a_colour = C_HEAP;
		draw_chart(t, &c, y, 1, rows - 1, COLS - 2);
		{
			char end[32];

			draw_text(y + rows - 1, 11, 4, "0 s");
			draw_right(y + rows - 1, 15, COLS - 16, run_time_text(
			    r->duration, end, sizeof end));
		}
		break;
	}
	case PANEL_SIZES:
		histo_rows(t, y, rows, "size of each block", d->sizes,
		    d->nsizes, 1);
		break;
	case PANEL_LIFETIMES: {
		int used = histo_rows(t, y, rows, "freed after", d->lifetimes,
		    d->nlifetimes, 0);

		histo_rows(t, y + used + 1, rows - used - 1, "live at end, "
		    "age", d->ages, d->nages, 0);
		break;
	}
	case PANEL_SOURCE:
		if (d->source_for != d->cur.sel)
			detail_load_source(d, rows);
		if (d->source_path == NULL) {
			const struct detail_frame *f = d->nframes ?
			    &d->frames[d->cur.sel] : NULL;

			draw_fmt(y, 1, COLS - 2, "no source on disk for %s",
			    f && f->file ? f->file : "this frame (no file)");
			break;
		}
		/* Centre the frame's line. */
		{
			int first = d->source_line - d->source_first - rows / 2;

			if (first < 0)
				first = 0;
			for (i = 0; i < rows && first + i < (int)d->nsource;
			    i++) {
				int no = d->source_first + first + i;

				attrset(no == d->source_line ? A_REVERSE :
				    A_NORMAL);
				draw_fmt(y + i, 0, COLS, "%6d  %s", no,
				    d->source[first + i]);
			}
			attrset(A_NORMAL);
		}
		break;
	case PANEL_COUNT:
		break;
	}
}

static void *
detail_view_init(struct tui *t, char **cause)
{
	(void)t;
	(void)cause;
	return xcalloc(1, sizeof(struct detail_view));
}

static void
detail_view_free(void *state)
{
	struct detail_view *dv = state;

	detail_close(dv->d);
	free(dv);
}

static int
detail_view_ready(struct tui *t, void *state)
{
	struct detail_view *dv = state;

	return dv->d != NULL || sites_selected(t->sites) != NULL;
}

/* ARG: the site id to show (-1: as described at the top). */
static int
detail_view_open(struct tui *t, void *state, int64_t arg)
{
	struct detail_view *dv = state;
	char *cause = NULL;
	struct detail *d;

	if (arg >= 0 || dv->d == NULL) {
		if (arg < 0) {
			struct site_row *row = sites_selected(t->sites);

			if (row == NULL) {
				snprintf(t->message, sizeof t->message,
				    " no site selected");
				return -1;
			}
			arg = row->id;
		}
		if ((d = detail_open(t->run, arg, &cause)) == NULL) {
			snprintf(t->message, sizeof t->message, " %s", cause);
			free(cause);
			return -1;
		}
		detail_close(dv->d);
		dv->d = d;
	}
	/* The site's figures in the scope as it is now. */
	if (t->sites->scope_serial != t->run->scope_serial)
		sites_refresh(t->sites);
	return 0;
}

static void
detail_draw(struct tui *t, void *state)
{
	struct detail_view *dv = state;
	struct detail *d = dv->d;
	const struct site_row *row = d != NULL ? detail_row(t, dv) : NULL;
	int y = VIEW_TOP, frame_rows, i;
	char a[6][32];

	if (d == NULL || row == NULL) {
		draw_title(t, "site", NULL);
		draw_text(VIEW_TOP + 1, 2, COLS - 4, "no site selected: pick "
		    "one in the sites view (2)");
		draw_status(t, "");
		return;
	}
	draw_title(t, "site", row->function ? row->function : "?");
	attrset(A_BOLD);
	draw_fmt(y++, 1, COLS - 2, "%s  %s:%d  (%s)", row->function ?
	    row->function : "?", row->file ? row->file : "?", row->line,
	    row->module);
	attrset(draw_class_attr(t, row->cls));
	draw_fmt(y++, 1, COLS - 2, "%c %s%s%s", sites_letter(row),
	    row->pattern ? row->pattern : row->cls == 'F' ? "freed" : "",
	    row->suppressed ? ", suppressed: " : "", row->suppressed ?
	    row->suppressed : "");
	attrset(A_NORMAL);
	draw_fmt(y++, 1, COLS - 2, "live %s in %lld blocks | peak %s | %lld "
	    "allocs (%s) | %s/s | %s to %s",
	    draw_bytes(row->live_bytes, a[0], sizeof a[0]),
	    (long long)row->live_blocks, draw_bytes(row->peak_bytes, a[1],
	    sizeof a[1]), (long long)row->allocations,
	    draw_bytes(row->alloc_bytes, a[2], sizeof a[2]),
	    draw_bytes((int64_t)row->growth, a[3], sizeof a[3]),
	    run_time_text(row->first_time, a[4], sizeof a[4]),
	    run_time_text(row->last_time, a[5], sizeof a[5]));
	attrset(A_BOLD);
	draw_fmt(y++, 1, COLS - 2, "stack %zu of %zu%s", d->stack_at + 1,
	    d->nstacks, d->nstacks > 1 ? " ([ ] other stacks)" : "");
	attrset(A_NORMAL);

	frame_rows = (VIEW_ROWS - 5) / 2;
	if (frame_rows > (int)d->nframes)
		frame_rows = (int)d->nframes;
	if (frame_rows < 1)
		frame_rows = 1;
	d->cur.page = frame_rows;
	cursor_clamp(&d->cur);
	for (i = 0; i < frame_rows && d->cur.top + i < d->cur.count; i++) {
		long at = d->cur.top + i;
		const struct detail_frame *f = &d->frames[at];
		char where[512];

		if (f->file != NULL)
			snprintf(where, sizeof where, "%s:%d", f->file,
			    f->line);
		else
			snprintf(where, sizeof where, "0x%llx",
			    (unsigned long long)f->address);
		attrset(at == d->cur.sel ? A_REVERSE : A_NORMAL);
		draw_fmt(y + i, 0, COLS, "%s#%-2ld %s%s  %s  (%s)",
		    f->is_site ? (t->utf8 ? "\u25b6" : ">") : " ", at,
		    f->inlined ? "[inlined] " : "", f->function ? f->function :
		    "??", where, f->module ? f->module : "?");
		attrset(A_NORMAL);
	}
	y += frame_rows;
	detail_panel(t, dv, y, LINES - 1 - y);
	draw_status(t, "j k frame  v panel  [ ] stack");
}

static struct react
detail_key(struct tui *t, void *state, int ch)
{
	struct detail_view *dv = state;
	struct detail *d = dv->d;

	if (d == NULL)
		return REACT(REACT_PASS);
	switch (ch) {
	case 'v':
		dv->panel = (dv->panel + 1) % PANEL_COUNT;
		return REACT(REACT_REDRAW);
	case '\n':
	case KEY_ENTER:
		dv->panel = PANEL_SOURCE;
		return REACT(REACT_REDRAW);
	case '[':
		detail_next_stack(d, t->run, -1);
		return REACT(REACT_REDRAW);
	case ']':
		detail_next_stack(d, t->run, 1);
		return REACT(REACT_REDRAW);
	case KEY_LEFT:
	case 'h':
		/* Back to the view below, if there is one. */
		return REACT(REACT_BACK);
	}
	return list_key(&d->cur, ch);
}

static struct react
detail_click(struct tui *t, void *state, int y, int x, int button)
{
	struct detail_view *dv = state;

	(void)t;
	(void)x;
	if (dv->d == NULL)
		return REACT(REACT_NONE);
	return list_click(&dv->d->cur, VIEW_TOP + 4, y, button);
}

static const char *const detail_help[] = {
	"Site detail",
	"  Up Down, k j   select a frame of the stack (> marks the site)",
	"  [ ]            the site's previous, next stack",
	"  v              panel: chart, sizes, lifetimes, source",
	"  Enter          the source of the selected frame (if on disk)",
	"  Left, h        back",
	NULL,
};

const struct view_ops view_detail = {
	.name = "detail",
	.shortcut = '5',
	.kind = VIEW_MAIN,
	.help = detail_help,
	.init = detail_view_init,
	.free = detail_view_free,
	.ready = detail_view_ready,
	.open = detail_view_open,
	.draw = detail_draw,
	.key = detail_key,
	.click = detail_click,
};
