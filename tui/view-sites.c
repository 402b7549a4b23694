/*
 * view-sites.c - the site table: class (letter and colour), live bytes
 * and blocks in the time scope, allocations, peak, growth, a trend of
 * the site's live bytes over the run, and where it is.  s cycles the
 * sort, / filters by text (function, file or module; as you type), c
 * cycles a class filter, Enter opens the site's detail.  Shown over the
 * module view, it lists one module's sites.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

/* Columns of the five figures after the class letter. */
#define NUMBERS_WIDTH 51

static int
spark_points(void)
{
	return COLS >= 120 ? SPARK_POINTS : 8;
}

static const char *
class_word(char c)
{
	return c == 'L' ? "leak" : c == 'S' ? "steady" : c == 'U' ? "unclear" :
	    c == 'F' ? "freed" : "?";
}

static void
sites_draw_row(struct tui *t, int y, struct site_row *row, int selected)
{
	char live[32], peak[32], rate[32], where[512];
	int x = 0, points = spark_points(), rest;
	uint8_t levels[SPARK_POINTS];
	int i;

	sites_spark(t->sites, row);
	if (points == SPARK_POINTS) {
		memcpy(levels, row->spark, sizeof levels);
	} else {
		for (i = 0; i < points; i++)
			levels[i] = row->spark[2 * i] > row->spark[2 * i + 1] ?
			    row->spark[2 * i] : row->spark[2 * i + 1];
	}
	draw_bytes(row->growth < 0 ? -(int64_t)-row->growth :
	    (int64_t)row->growth, rate, sizeof rate);
	strncat(rate, "/s", sizeof rate - strlen(rate) - 1);
	attrset(draw_class_attr(t, row->cls) | (selected ? A_REVERSE : 0));
	draw_fmt(y, x, 2, "%c", row->cls);
	attrset(selected ? A_REVERSE : A_NORMAL);
	draw_fmt(y, x + 2, NUMBERS_WIDTH, "%9s %8lld %9lld %9s %11s ",
	    draw_bytes(row->live_bytes, live, sizeof live),
	    (long long)row->live_blocks, (long long)row->allocations,
	    draw_bytes(row->peak_bytes, peak, sizeof peak),
	    row->growth == 0 ? "0" : rate);
	x = 2 + NUMBERS_WIDTH;
	attrset(A_NORMAL);
	draw_spark(t, y, x, levels, points);
	x += points + 1;
	rest = COLS - x;
	if (row->function != NULL)
		snprintf(where, sizeof where, "%s", row->function);
	else
		snprintf(where, sizeof where, "0x%llx", (unsigned long long)
		    row->address);
	attrset(selected ? A_REVERSE : A_NORMAL);
	mvaddstr(y, x - 1, " ");
	if (rest > 40) {
		int mw = rest / 4 > 24 ? 24 : rest / 4;

		draw_text(y, x, rest - mw - 1, where);
		attrset(selected ? A_REVERSE : draw_attr(t, C_DIM));
		draw_text(y, COLS - mw - 1, mw + 1, row->module);
	} else {
		draw_text(y, x, rest, where);
	}
	attrset(A_NORMAL);
}

static void
sites_draw(struct tui *t)
{
	struct sites *s = t->sites;
	char extra[256], live[32];
	int rows = VIEW_ROWS - 2, points = spark_points(), i;
	struct site_row *sel;

	if (s->scope_serial != t->run->scope_serial)
		sites_refresh(s);
	/* The sort shows as the column name in capitals. */
	snprintf(extra, sizeof extra, "%ld of %zu%s%s%s%s%s%s",
	    s->cur.count, s->nrows, s->cls_filter ? " | class: " : "",
	    s->cls_filter ? class_word(s->cls_filter) : "",
	    s->filter[0] ? " | filter: " : "", s->filter,
	    s->module_filter >= 0 ? " | module: " : "",
	    s->module_filter >= 0 ? s->modules[s->module_filter] : "");
	draw_title(t, "sites", extra);
	attrset(A_BOLD);
	draw_fmt(VIEW_TOP, 0, COLS, "%s %9s %8s %9s %9s %11s %-*s %s",
	    s->sort == SORT_CLASS ? "C" : "c",
	    s->sort == SORT_LIVE ? "LIVE" : "live",
	    s->sort == SORT_BLOCKS ? "BLOCKS" : "blocks",
	    s->sort == SORT_ALLOCS ? "ALLOCS" : "allocs",
	    s->sort == SORT_PEAK ? "PEAK" : "peak",
	    s->sort == SORT_GROWTH ? "GROWTH" : "growth", points, "trend",
	    "function / module");
	attrset(A_NORMAL);
	s->cur.page = rows;
	cursor_clamp(&s->cur);
	for (i = 0; i < rows && s->cur.top + i < s->cur.count; i++) {
		long at = s->cur.top + i;

		sites_draw_row(t, VIEW_TOP + 1 + i, &s->rows[s->order[at]],
		    at == s->cur.sel);
	}
	if (s->cur.count == 0)
		draw_text(VIEW_TOP + 2, 2, COLS - 4, "no site matches");
	sel = sites_selected(s);
	if (sel != NULL) {
		attrset(draw_attr(t, C_DIM));
		draw_fmt(LINES - 2, 0, COLS, "%s:%d | %s | %s | %s live in "
		    "scope", sel->file ? sel->file : "?", sel->line,
		    sel->module, sel->pattern ? sel->pattern :
		    class_word(sel->cls), draw_bytes(sel->live_bytes, live,
		    sizeof live));
		attrset(A_NORMAL);
	}
	draw_status(t, "s sort  / filter  c class  Enter detail");
}

/* Opens the detail of the selected site over this view. */
static int
sites_open_detail(struct tui *t)
{
	struct site_row *row = sites_selected(t->sites);
	char *cause = NULL;
	struct detail *d;

	if (row == NULL)
		return REACT_NONE;
	if ((d = detail_open(t->run, row->id, &cause)) == NULL) {
		snprintf(t->message, sizeof t->message, " %s", cause);
		free(cause);
		return REACT_REDRAW;
	}
	detail_close(t->detail);
	t->detail = d;
	t->push_view = &view_detail;
	return REACT_PUSH | REACT_REDRAW;
}

/* Keys while the "/" prompt is open: the filter follows the text. */
static int
sites_prompt_key(struct tui *t, int ch)
{
	struct sites *s = t->sites;
	size_t len = strlen(t->prompt);

	switch (ch) {
	case '\n':
	case KEY_ENTER:
		t->prompting = 0;
		return REACT_REDRAW;
	case 27:
		t->prompting = 0;
		snprintf(s->filter, sizeof s->filter, "%s", t->saved_filter);
		sites_refresh(s);
		return REACT_REDRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			t->prompt[len - 1] = '\0';
		break;
	default:
		if (ch < 0x20 || ch > 0xff || len + 1 >= sizeof t->prompt)
			return REACT_NONE;
		t->prompt[len] = (char)ch;
		t->prompt[len + 1] = '\0';
		break;
	}
	snprintf(s->filter, sizeof s->filter, "%s", t->prompt);
	s->cur.sel = 0;
	sites_refresh(s);
	return REACT_REDRAW;
}

static int
sites_key(struct tui *t, int ch)
{
	struct sites *s = t->sites;
	static const char classes[] = { 0, 'L', 'U', 'S', 'F' };
	size_t i;

	if (t->prompting)
		return sites_prompt_key(t, ch);
	switch (ch) {
	case 's':
		s->sort = (s->sort + 1) % SORT_COUNT;
		sites_refresh(s);
		return REACT_REDRAW;
	case '/':
		t->prompting = 1;
		snprintf(t->saved_filter, sizeof t->saved_filter, "%s",
		    s->filter);
		snprintf(t->prompt, sizeof t->prompt, "%s", s->filter);
		return REACT_REDRAW;
	case 'c':
		for (i = 0; i < sizeof classes; i++)
			if (classes[i] == s->cls_filter)
				break;
		s->cls_filter = classes[(i + 1) % sizeof classes];
		sites_refresh(s);
		return REACT_REDRAW;
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		return sites_open_detail(t);
	}
	return list_key(&s->cur, ch);
}

static int
sites_click(struct tui *t, int y, int x, int button)
{
	(void)x;
	return list_click(&t->sites->cur, VIEW_TOP + 1, y, button);
}

const struct view_ops view_sites = {
	"sites", sites_draw, sites_key, sites_click,
};
