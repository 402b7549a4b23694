/*
 * view-detail.c - one allocation site: what and where it is, its figures,
 * the whole call stack (innermost first, inlined frames marked, the
 * site's frame pointed at; [ and ] show the site's other stacks), and a
 * panel that v cycles: the site's live bytes over the run, the sizes of
 * its blocks, their lifetimes (and the ages of those still live), and
 * the source around the selected frame when the file is on disk.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "tui.h"

static const char *const panel_names[PANEL_COUNT] = {
	"chart", "sizes", "lifetimes", "source",
};

static const struct site_row *
detail_row(struct tui *t)
{
	struct sites *s = t->sites;
	int64_t id = t->detail->site_id, at;

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
detail_panel(struct tui *t, int y, int rows)
{
	struct detail *d = t->detail;
	struct run *r = t->run;
	int x, i;

	/* The tabs. */
	draw_text(y, 0, COLS, "");
	for (x = 1, i = 0; i < PANEL_COUNT; i++) {
		/* " name " without a format: gcc -O1 with sanitizers
		   warns that the %s argument might be null. */
		int len = (int)strlen(panel_names[i]);

		attrset(i == (int)t->panel ? A_REVERSE | A_BOLD : A_NORMAL);
		draw_text(y, x, 1, " ");
		draw_text(y, x + 1, len, panel_names[i]);
		draw_text(y, x + 1 + len, 1, " ");
		attrset(A_NORMAL);
		x += len + 3;
	}
	draw_text(y, x, COLS - x, "(v: next)");
	y++;
	rows--;
	switch (t->panel) {
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

static void
detail_draw(struct tui *t)
{
	struct detail *d = t->detail;
	const struct site_row *row = detail_row(t);
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
	draw_fmt(y++, 1, COLS - 2, "%c %s", row->cls, row->pattern ?
	    row->pattern : row->cls == 'F' ? "freed" : "");
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
	detail_panel(t, y, LINES - 1 - y);
	draw_status(t, "j k frame  v panel  [ ] stack");
}

static int
detail_key(struct tui *t, int ch)
{
	struct detail *d = t->detail;

	if (d == NULL)
		return REACT_NONE;
	switch (ch) {
	case 'v':
		t->panel = (t->panel + 1) % PANEL_COUNT;
		return REACT_REDRAW;
	case '\n':
	case KEY_ENTER:
		t->panel = PANEL_SOURCE;
		return REACT_REDRAW;
	case '[':
		detail_next_stack(d, t->run, -1);
		return REACT_REDRAW;
	case ']':
		detail_next_stack(d, t->run, 1);
		return REACT_REDRAW;
	case KEY_LEFT:
	case 'h':
		return t->depth > 1 ? REACT_BACK : REACT_NONE;
	}
	return list_key(&d->cur, ch);
}

static int
detail_click(struct tui *t, int y, int x, int button)
{
	(void)x;
	if (t->detail == NULL)
		return REACT_NONE;
	return list_click(&t->detail->cur, VIEW_TOP + 4, y, button);
}

const struct view_ops view_detail = {
	"detail", detail_draw, detail_key, detail_click,
};
