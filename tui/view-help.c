/*
 * view-help.c - `?`: every key of the browser, by view; scrolls like a
 * list.  Esc (or ?) closes it; q still quits.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "tui.h"

static const char *const help_lines[] = {
	"Everywhere",
	"  ?              this help (Esc closes it)",
	"  q              quit",
	"  Esc            back to the view before; on a first view, overview",
	"  1 2 3 4 5      overview, sites, call tree, modules, site detail",
	"  Tab, S-Tab     next, previous view",
	"  x              forget the time selection: memory live at the end",
	"  Ctrl-L         redraw the screen",
	"",
	"Lists (sites, tree, modules, stack frames, this help)",
	"  Up Down, k j   previous, next row",
	"  PgUp PgDn      a page up, down (also Ctrl-B Ctrl-F; Space: down)",
	"  Home End, g G  first, last row",
	"  mouse          a click selects a row, the wheel scrolls",
	"",
	"Overview: heap (bars) and RSS (dots) over the run",
	"  Left Right, h l  move the time cursor one column",
	"  H L            ten columns",
	"  Home End       start, end of the run",
	"  [ ]            previous, next marker",
	"  p              the peak",
	"  Enter          select the time: every view shows memory live then",
	"  Space          start a window; Space (or Enter) again ends it:",
	"                 memory allocated in the window, still live at its end",
	"  Esc            cancel a window being chosen",
	"  mouse          a click on the chart moves the cursor",
	"",
	"Sites",
	"  s              sort by: live bytes, live blocks, allocations,",
	"                 peak, growth, class",
	"  /              filter by text in function, file or module (as you",
	"                 type; Enter keeps it, Esc restores the old one)",
	"  c              class filter: all, leak, unclear, steady, freed",
	"  Enter, Right   the site's detail",
	"  class letters  L leak, S steady, U unclear, F freed (all freed)",
	"",
	"Call tree",
	"  Enter          open or close the node",
	"  Right, l       open it, or step into it",
	"  Left, h        close it, or close its parent",
	"  e              open the heaviest path below",
	"  E              close everything",
	"  t              top-down (from main) or bottom-up (from the",
	"                 allocating function)",
	"  s              measure: live bytes (in the time selection),",
	"                 allocations, bytes allocated",
	"",
	"Modules",
	"  Enter, Right   the module's sites (Esc: back)",
	"",
	"Site detail",
	"  Up Down, k j   select a frame of the stack (> marks the site)",
	"  [ ]            the site's previous, next stack",
	"  v              panel: chart, sizes, lifetimes, source",
	"  Enter          the source of the selected frame (if on disk)",
	"  Left, h        back",
};

#define NHELP (long)(sizeof help_lines / sizeof help_lines[0])

static struct cursor help_cursor;

static void
help_draw(struct tui *t)
{
	int rows = VIEW_ROWS, i;

	draw_title(t, "help", "Esc closes");
	help_cursor.count = NHELP;
	help_cursor.page = rows;
	cursor_clamp(&help_cursor);
	for (i = 0; i < rows && help_cursor.top + i < NHELP; i++) {
		const char *l = help_lines[help_cursor.top + i];

		attrset(l[0] != ' ' ? A_BOLD : A_NORMAL);
		draw_text(VIEW_TOP + i, 1, COLS - 2, l);
	}
	attrset(A_NORMAL);
	draw_status(t, "Up Down PgUp PgDn scroll");
}

static int
help_key(struct tui *t, int ch)
{
	(void)t;
	if (ch == '?')
		return REACT_BACK;
	/* Scrolling moves the view, not a selection. */
	help_cursor.sel = ch == KEY_UP || ch == 'k' ? help_cursor.top :
	    ch == KEY_DOWN || ch == 'j' ? help_cursor.top + help_cursor.page
	    - 1 : help_cursor.sel;
	return list_key(&help_cursor, ch);
}

static int
help_click(struct tui *t, int y, int x, int button)
{
	(void)t;
	(void)x;
	(void)y;
	if (button == 4 || button == 5)
		return help_key(t, button == 4 ? KEY_UP : KEY_DOWN);
	return REACT_NONE;
}

const struct view_ops view_help = {
	"help", help_draw, help_key, help_click,
};
