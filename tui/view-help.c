/*
 * view-help.c - `?`: every key of the browser, by view; scrolls like a
 * list.  Esc (or ?) closes it; q still quits.
 *
 * The keys every view shares are here; each view's own come from its
 * struct view_ops (help), in the order of the table in views.c.  Owns the
 * lines put together at start and the scroll position (struct help).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "../util/xmalloc.h"
#include "tui.h"

static const char *const help_shared[] = {
	"Everywhere",
	"  ?              this help (Esc closes it)",
	"  q              quit",
	"  Esc            back to the view before; on a first view, overview",
	"  1 2 3 4 5      overview, sites, call tree, modules, site detail",
	"  Tab, S-Tab     next, previous view",
	"  /              the sites with their text filter's prompt open",
	"  x              forget the time selection: memory live at the end",
	"  Ctrl-L         redraw the screen",
	"",
	"Lists (sites, tree, modules, stack frames, this help)",
	"  Up Down, k j   previous, next row",
	"  PgUp PgDn      a page up, down (also Ctrl-B Ctrl-F; Space: down)",
	"  Home End, g G  first, last row",
	"  mouse          a click selects a row, the wheel scrolls",
	NULL,
};

struct help {
	const char **lines;	/* borrowed texts */
	long nlines;
	struct cursor cur;	/* the rows shown: top */
};

static void
help_add(struct help *h, size_t *cap, const char *line)
{
	if ((size_t)h->nlines == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		h->lines = xreallocarray(h->lines, *cap, sizeof *h->lines);
	}
	h->lines[h->nlines++] = line;
}

static void *
help_init(struct tui *t, char **cause)
{
	struct help *h = xcalloc(1, sizeof *h);
	const struct view_ops *const *v;
	const char *const *l;
	size_t cap = 0;

	(void)t;
	(void)cause;
	for (l = help_shared; *l != NULL; l++)
		help_add(h, &cap, *l);
	for (v = tui_views; *v != NULL; v++) {
		if ((*v)->help == NULL)
			continue;
		help_add(h, &cap, "");
		for (l = (*v)->help; *l != NULL; l++)
			help_add(h, &cap, *l);
	}
	return h;
}

static void
help_free(void *state)
{
	struct help *h = state;

	free(h->lines);
	free(h);
}

static void
help_draw(struct tui *t, void *state)
{
	struct help *h = state;
	int rows = VIEW_ROWS, i;

	draw_title(t, "help", "Esc closes");
	h->cur.count = h->nlines;
	h->cur.page = rows;
	cursor_clamp(&h->cur);
	for (i = 0; i < rows && h->cur.top + i < h->nlines; i++) {
		const char *l = h->lines[h->cur.top + i];

		attrset(l[0] != ' ' ? A_BOLD : A_NORMAL);
		draw_text(VIEW_TOP + i, 1, COLS - 2, l);
	}
	attrset(A_NORMAL);
	draw_status(t, "Up Down PgUp PgDn scroll");
}

static struct react
help_key(struct tui *t, void *state, int ch)
{
	struct help *h = state;

	(void)t;
	if (ch == '?')
		return REACT(REACT_BACK);
	/* Scrolling moves the view, not a selection. */
	h->cur.sel = ch == KEY_UP || ch == 'k' ? h->cur.top :
	    ch == KEY_DOWN || ch == 'j' ? h->cur.top + h->cur.page - 1 :
	    h->cur.sel;
	return list_key(&h->cur, ch);
}

static struct react
help_click(struct tui *t, void *state, int y, int x, int button)
{
	(void)x;
	(void)y;
	if (button == 4 || button == 5)
		return help_key(t, state, button == 4 ? KEY_UP : KEY_DOWN);
	return REACT(REACT_NONE);
}

const struct view_ops view_help = {
	.name = "help",
	.shortcut = '?',
	.kind = VIEW_OVERLAY,
	.init = help_init,
	.free = help_free,
	.draw = help_draw,
	.key = help_key,
	.click = help_click,
};
