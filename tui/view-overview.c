/*
 * view-overview.c - the first screen: heap (bars) and RSS (dots) over the
 * run, markers under the time axis, a time cursor, and the key figures.
 *
 * The cursor moves over the time buckets (Left/Right one column,
 * H/L ten, [ ] to markers, p to the peak, Home/End); Enter selects the
 * time under it (every view then shows memory live at that time), Space
 * starts a window and Space again ends it (live at its end, growth over
 * it, as --from/--to mean); x (anywhere) goes back to the end.
 *
 * Owns the time cursor, the start of a window being chosen and the RSS
 * scale (struct overview); a change of scope, from here or from x
 * anywhere, forgets a window being chosen.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "tui.h"

struct overview {
	int cursor, mark;	/* buckets; mark -1: no window being chosen */
	int rss_fits;		/* chart scaled to RSS too */
	unsigned scope_serial;	/* the run's scope last seen */
};

#define FIGURE_ROWS 8

static int
chart_width(void)
{
	return COLS - 2;
}

/* Chart columns exclude the axis (draw_chart's 10 columns). */
static int
data_width(void)
{
	return chart_width() - 10;
}

static int
chart_height(void)
{
	int h = VIEW_ROWS - FIGURE_ROWS - 2;

	return h < 3 ? 3 : h;
}

static void
overview_axis(struct tui *t, struct overview *o, int y)
{
	struct run *r = t->run;
	int w = data_width(), x0 = 1 + 10, col;
	size_t i;
	char buf[64];

	for (col = 0; col < w; col++)
		mvaddstr(y, x0 + col, t->utf8 ? "\u2500" : "-");
	/* Markers: a tick on the axis, the label below when it fits. */
	attrset(draw_attr(t, C_MARK));
	for (i = 0; i < r->nmarkers; i++) {
		col = chart_column(run_bucket_of(r, r->markers[i].time),
		    r->buckets, w);
		mvaddstr(y, x0 + col, t->utf8 ? "\u25c6" : "+");
	}
	attrset(A_NORMAL);
	col = chart_column(o->cursor, r->buckets, w);
	attrset(A_BOLD);
	mvaddstr(y, x0 + col, t->utf8 ? "\u25b2" : "^");
	attrset(A_NORMAL);

	draw_text(y + 1, 1, COLS - 2, "");
	draw_fmt(y + 1, 1, 10, "%9s", "0 s");
	run_time_text(r->duration, buf, sizeof buf);
	draw_right(y + 1, x0, w, buf);
	attrset(draw_attr(t, C_MARK));
	{
		int next_free = x0 + 8;

		for (i = 0; i < r->nmarkers; i++) {
			int len = (int)strlen(r->markers[i].label);

			col = x0 + chart_column(run_bucket_of(r,
			    r->markers[i].time), r->buckets, w);
			if (col >= next_free && col + len < x0 + w - 8) {
				draw_text(y + 1, col, len, r->markers[i].label);
				next_free = col + len + 1;
			}
		}
	}
	attrset(A_NORMAL);
}

static void
overview_figures(struct tui *t, struct overview *o, int y)
{
	struct run *r = t->run;
	struct class_split cs = sites_class_split(t->sites);
	int b = o->cursor, half = COLS / 2;
	char a1[32], a2[32], a3[32], a4[32], scope[96], t1[32], t2[32];

	draw_fmt(y, 1, half - 1, "duration     %s, %lld thread%s",
	    run_time_text(r->duration, t1, sizeof t1), (long long)r->threads,
	    r->threads == 1 ? "" : "s");
	draw_fmt(y, half, COLS - half - 1, "allocations  %lld, frees %lld",
	    (long long)r->allocations, (long long)r->frees);
	draw_fmt(y + 1, 1, half - 1, "peak         %s at %s",
	    draw_bytes(r->peak_bytes, a1, sizeof a1),
	    run_time_text(r->peak_time, t1, sizeof t1));
	draw_fmt(y + 1, half, COLS - half - 1, "live at end  %s in %lld "
	    "blocks", draw_bytes(r->live_bytes_end, a2, sizeof a2),
	    (long long)r->live_blocks_end);

	run_scope_text(r, scope, sizeof scope);
	draw_fmt(y + 2, 1, COLS - 2, "%s: %s", scope,
	    draw_bytes(cs.leak + cs.steady + cs.unclear + cs.freed, a1,
	    sizeof a1));
	attrset(draw_attr(t, C_LEAK));
	draw_fmt(y + 3, 3, 20, "leak %s", draw_bytes(cs.leak, a1, sizeof a1));
	attrset(draw_attr(t, C_STEADY));
	draw_fmt(y + 3, 23, 20, "steady %s", draw_bytes(cs.steady, a2,
	    sizeof a2));
	attrset(draw_attr(t, C_UNCLEAR));
	draw_fmt(y + 3, 43, 20, "unclear %s", draw_bytes(cs.unclear, a3,
	    sizeof a3));
	attrset(A_NORMAL);
	if (cs.freed > 0)
		draw_fmt(y + 3, 63, COLS - 64, "freed %s", draw_bytes(cs.freed,
		    a4, sizeof a4));

	draw_fmt(y + 4, 1, COLS - 2, "anomalies    unknown frees %lld, "
	    "dropped events %lld, replaced live %lld%s",
	    (long long)r->unknown_frees, (long long)r->dropped,
	    (long long)r->replaced, r->complete ? "" :
	    ", recording did not end cleanly");

	if (r->nmarkers > 0) {
		char list[512];
		size_t i, at = 0;

		list[0] = '\0';
		for (i = 0; i < r->nmarkers && at + 64 < sizeof list; i++)
			at += (size_t)snprintf(list + at, sizeof list - at,
			    "%s%s %s", i ? ", " : "", r->markers[i].label,
			    run_time_text(r->markers[i].time, t1, sizeof t1));
		draw_fmt(y + 5, 1, COLS - 2, "markers      %s", list);
	}
	draw_fmt(y + 6, 1, COLS - 2, "cursor %s: heap %s, RSS %s",
	    run_time_text(run_bucket_end(r, b), t1, sizeof t1),
	    draw_bytes(r->heap[b], a1, sizeof a1), r->rss[b] >= 0 ?
	    draw_bytes(r->rss[b], a2, sizeof a2) : "-");
	if (o->mark >= 0)
		draw_fmt(y + 7, 1, COLS - 2, "window from %s to the cursor: "
		    "Space selects it, Esc cancels", run_time_text(
		    run_bucket_end(r, (o->mark < b ? o->mark : b) - 1), t2,
		    sizeof t2));
	else
		draw_text(y + 7, 1, COLS - 2, "Enter: live at the cursor  "
		    "Space: start a window  x: the end");
}

static void *
overview_init(struct tui *t, char **cause)
{
	struct overview *o = xcalloc(1, sizeof *o);
	const struct scope *s = &t->run->scope;

	(void)cause;
	/* On the time chosen by --at or --to, else the end. */
	o->cursor = s->kind == SCOPE_END ? t->run->buckets - 1 : s->to;
	o->mark = -1;
	o->scope_serial = t->run->scope_serial;
	return o;
}

static void
overview_free(void *state)
{
	free(state);
}

static int
overview_open(struct tui *t, void *state, int64_t arg)
{
	struct overview *o = state;

	(void)arg;
	if (o->scope_serial != t->run->scope_serial) {
		o->mark = -1;
		o->scope_serial = t->run->scope_serial;
	}
	return 0;
}

static void
overview_draw(struct tui *t, void *state)
{
	struct overview *o = state;
	struct run *r = t->run;
	struct chart c;
	int h = chart_height();

	draw_title(t, "overview", NULL);
	memset(&c, 0, sizeof c);
	c.a = r->peak;
	c.b = r->rss;
	c.n = r->buckets;
	c.cursor = o->cursor;
	c.win_from = c.win_to = -1;
	if (o->mark >= 0) {
		c.win_from = o->mark < o->cursor ? o->mark : o->cursor;
		c.win_to = o->mark < o->cursor ? o->cursor : o->mark;
	} else if (r->scope.kind == SCOPE_WINDOW) {
		c.win_from = r->scope.from;
		c.win_to = r->scope.to;
	}
	c.a_colour = C_HEAP;
	c.b_colour = C_RSS;
	c.b_fits = o->rss_fits;
	attrset(draw_attr(t, C_HEAP));
	draw_text(VIEW_TOP, 1, 12, t->utf8 ? "\u2588 heap" : "# heap");
	attrset(draw_attr(t, C_RSS));
	draw_text(VIEW_TOP, 13, COLS - 14, o->rss_fits ? (t->utf8 ?
	    "\u2022 RSS  (r: scale to the heap)" : "* RSS  (r: scale to the "
	    "heap)") : (t->utf8 ? "\u2022 RSS where below the top  (r: "
	    "scale to RSS)" : "* RSS where below the top  (r: scale to "
	    "RSS)"));
	attrset(A_NORMAL);
	draw_chart(t, &c, VIEW_TOP + 1, 1, h - 1, chart_width());
	overview_axis(t, o, VIEW_TOP + h);
	overview_figures(t, o, VIEW_TOP + h + 2);
	draw_status(t, "<- -> time  Enter  Space");
}

static struct react
overview_key(struct tui *t, void *state, int ch)
{
	struct overview *o = state;
	struct run *r = t->run;
	int b = o->cursor, step = (r->buckets + data_width() - 1) /
	    (data_width() > 0 ? data_width() : 1);
	size_t i;

	if (step < 1)
		step = 1;
	switch (ch) {
	case KEY_LEFT:
	case 'h':
		b -= step;
		break;
	case KEY_RIGHT:
	case 'l':
		b += step;
		break;
	case 'H':
	case KEY_SLEFT:
		b -= 10 * step;
		break;
	case 'L':
	case KEY_SRIGHT:
		b += 10 * step;
		break;
	case KEY_HOME:
	case 'g':
		b = 0;
		break;
	case KEY_END:
	case 'G':
		b = r->buckets - 1;
		break;
	case 'p':
		b = run_bucket_of(r, r->peak_time);
		break;
	case 'r':
		o->rss_fits = !o->rss_fits;
		return REACT(REACT_REDRAW);
	case '[':
		for (i = r->nmarkers; i-- > 0;)
			if (run_bucket_of(r, r->markers[i].time) < b) {
				b = run_bucket_of(r, r->markers[i].time);
				break;
			}
		break;
	case ']':
		for (i = 0; i < r->nmarkers; i++)
			if (run_bucket_of(r, r->markers[i].time) > b) {
				b = run_bucket_of(r, r->markers[i].time);
				break;
			}
		break;
	case '\n':
	case KEY_ENTER:
		if (o->mark >= 0)
			goto window;
		return tui_scope(t, (struct scope){ SCOPE_AT, 0, b, 0 });
	case ' ':
		if (o->mark < 0) {
			o->mark = b;
			return REACT(REACT_REDRAW);
		}
window:
		{
			struct scope s = { SCOPE_WINDOW, o->mark, b, 0 };

			if (s.from > s.to) {
				s.from = b;
				s.to = o->mark;
			}
			o->mark = -1;
			return tui_scope(t, s);
		}
	case 27:
		/* Cancels a window being chosen; else the shared Esc. */
		if (o->mark < 0)
			return REACT(REACT_PASS);
		o->mark = -1;
		return REACT(REACT_REDRAW);
	default:
		return REACT(REACT_PASS);
	}
	b = b < 0 ? 0 : b >= r->buckets ? r->buckets - 1 : b;
	if (b == o->cursor)
		return REACT(REACT_NONE);
	o->cursor = b;
	return REACT(REACT_REDRAW);
}

static struct react
overview_click(struct tui *t, void *state, int y, int x, int button)
{
	struct overview *o = state;
	int w = data_width(), col = x - 1 - 10;

	if (button != 1 || y < VIEW_TOP + 1 || y > VIEW_TOP + chart_height() ||
	    col < 0 || col >= w)
		return REACT(REACT_NONE);
	o->cursor = chart_bucket(col, t->run->buckets, w);
	return REACT(REACT_REDRAW);
}

static const char *const overview_help[] = {
	"Overview: heap (bars) and RSS (dots) over the run",
	"  Left Right, h l  move the time cursor one column",
	"  H L            ten columns",
	"  Home End       start, end of the run",
	"  [ ]            previous, next marker",
	"  p              the peak",
	"  Enter          select the time: every view shows memory live then",
	"  Space          start a window; Space (or Enter) again ends it:",
	"                 live at its end, growth over it (the sites' growth)",
	"  Esc            cancel a window being chosen",
	"  mouse          a click on the chart moves the cursor",
	NULL,
};

const struct view_ops view_overview = {
	.name = "overview",
	.shortcut = '1',
	.kind = VIEW_MAIN,
	.help = overview_help,
	.init = overview_init,
	.free = overview_free,
	.open = overview_open,
	.draw = overview_draw,
	.key = overview_key,
	.click = overview_click,
};
