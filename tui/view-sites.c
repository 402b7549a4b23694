/*
 * view-sites.c - the site table: class (letter and colour), live bytes
 * and blocks in the time scope, allocations, peak, growth, a trend of
 * the site's live bytes over the run, and where it is.  s cycles the
 * sort, / filters by text (function, file or module; as you type), c
 * cycles a class filter, Enter opens the site's detail.  Shown over the
 * module view, it lists one module's sites.
 *
 * The table, its sort, filters and cursor are the shared sites model
 * (t->sites: the modules and the detail read it too); this view owns the
 * "/" prompt (struct sites_view).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/classes.h"
#include "../util/xmalloc.h"
#include "tui.h"

struct sites_view {
	int prompting;		/* "/" typed: keys edit the filter */
	char prompt[128];	/* the text typed */
	char saved[128];	/* the filter before "/", for Esc */
};

/* Columns of the five figures after the class letter. */
#define NUMBERS_WIDTH 51

static int
spark_points(void)
{
	return COLS >= 120 ? SPARK_POINTS : 8;
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
	draw_fmt(y, x, 2, "%c", sites_letter(row));
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

static void *
sites_view_init(struct tui *t, char **cause)
{
	(void)t;
	(void)cause;
	return xcalloc(1, sizeof(struct sites_view));
}

static void
sites_view_free(void *state)
{
	free(state);
}

/* ARG: a module index to list only its sites (-1: the filters as they
 * are). */
static int
sites_view_open(struct tui *t, void *state, int64_t arg)
{
	struct sites *s = t->sites;

	(void)state;
	if (arg >= 0) {
		s->module_filter = (int)arg;
		s->cur.sel = 0;
		sites_refresh(s);
	} else if (s->scope_serial != t->run->scope_serial) {
		sites_refresh(s);
	}
	return 0;
}

static void
sites_draw(struct tui *t, void *state)
{
	struct sites_view *sv = state;
	struct sites *s = t->sites;
	char extra[256], live[32];
	int rows = VIEW_ROWS - 2, points = spark_points(), i;
	struct site_row *sel;
	/* The sort shows as the column name in capitals. */
	snprintf(extra, sizeof extra, "%ld of %zu%s%s%s%s%s%s",
	    s->cur.count, s->nrows, s->cls_filter ? " | class: " : "",
	    s->cls_filter ? classes_name_of_letter(s->cls_filter) : "",
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
		draw_fmt(LINES - 2, 0, COLS, "%s:%d | %s | %s%s%s | %s live "
		    "in scope", sel->file ? sel->file : "?", sel->line,
		    sel->module, sel->pattern ? sel->pattern :
		    classes_name_of_letter(sel->cls), sel->suppressed ?
		    " | suppressed: " : "", sel->suppressed ? sel->suppressed :
		    "", draw_bytes(sel->live_bytes, live, sizeof live));
		attrset(A_NORMAL);
	}
	if (sv->prompting)
		draw_prompt(t, "filter: ", sv->prompt);
	else
		draw_status(t, "s sort  / filter  c class  Enter detail");
}

/* Keys while the "/" prompt is open: the filter follows the text. */
static struct react
sites_prompt_key(struct tui *t, struct sites_view *sv, int ch)
{
	struct sites *s = t->sites;
	size_t len = strlen(sv->prompt);

	switch (ch) {
	case '\n':
	case KEY_ENTER:
		sv->prompting = 0;
		return REACT(REACT_REDRAW);
	case 27:
		sv->prompting = 0;
		snprintf(s->filter, sizeof s->filter, "%s", sv->saved);
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			sv->prompt[len - 1] = '\0';
		break;
	default:
		/* Every other key is the prompt's, even if it does nothing. */
		if (ch < 0x20 || ch > 0xff || len + 1 >= sizeof sv->prompt)
			return REACT(REACT_NONE);
		sv->prompt[len] = (char)ch;
		sv->prompt[len + 1] = '\0';
		break;
	}
	snprintf(s->filter, sizeof s->filter, "%s", sv->prompt);
	s->cur.sel = 0;
	sites_refresh(s);
	return REACT(REACT_REDRAW);
}

static struct react
sites_key(struct tui *t, void *state, int ch)
{
	struct sites_view *sv = state;
	struct sites *s = t->sites;
	struct site_row *row;
	int i;

	if (sv->prompting)
		return sites_prompt_key(t, sv, ch);
	switch (ch) {
	case 's':
		s->sort = (s->sort + 1) % SORT_COUNT;
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case '/':
		sv->prompting = 1;
		snprintf(sv->saved, sizeof sv->saved, "%s", s->filter);
		snprintf(sv->prompt, sizeof sv->prompt, "%s", s->filter);
		return REACT(REACT_REDRAW);
	case 'c':
		/* All, then each class worst first (query/classes.h). */
		i = s->cls_filter ? classes_rank_of_letter(s->cls_filter) : -1;
		s->cls_filter = i + 1 < CLASSES_N ? classes[i + 1].letter : 0;
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		/* The selected site's detail, over this view. */
		if ((row = sites_selected(s)) == NULL)
			return REACT(REACT_NONE);
		return REACT_TO(REACT_PUSH, &view_detail, row->id);
	}
	return list_key(&s->cur, ch);
}

static struct react
sites_click(struct tui *t, void *state, int y, int x, int button)
{
	(void)state;
	(void)x;
	return list_click(&t->sites->cur, VIEW_TOP + 1, y, button);
}

static const char *const sites_help[] = {
	"Sites",
	"  s              sort by: live bytes, live blocks, allocations,",
	"                 peak, growth, class",
	"  /              filter by text in function, file or module (as you",
	"                 type; Enter keeps it, Esc restores the old one)",
	"  c              class filter: all, leak, unclear, steady, freed",
	"  Enter, Right   the site's detail",
	"  class letters  L leak, S steady, U unclear, F freed (all freed);",
	"                 lower case: suppressed (the rule is under the table)",
	NULL,
};

const struct view_ops view_sites = {
	.name = "sites",
	.shortcut = '2',
	.kind = VIEW_MAIN,
	.help = sites_help,
	.init = sites_view_init,
	.free = sites_view_free,
	.open = sites_view_open,
	.draw = sites_draw,
	.key = sites_key,
	.click = sites_click,
};
