/*
 * view-modules.c - memory per module (the ELF object of each site's
 * frame): live bytes and blocks in the time scope, split into leak,
 * steady and unclear by the sites' classes, the module's peak over the
 * run, allocations and sites.  Enter lists the module's sites.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "tui.h"

static void
modules_draw(struct tui *t)
{
	struct modules *m = &t->modules;
	int rows = VIEW_ROWS - 1, i, wide, name_w;
	char extra[64];

	if (m->rows == NULL || m->scope_serial != t->run->scope_serial)
		modules_refresh(m, t->sites);
	snprintf(extra, sizeof extra, "%zu modules", m->nrows);
	draw_title(t, "modules", extra);
	/* The name first; blocks and sites when the terminal is wide. */
	wide = COLS >= 100;
	name_w = COLS - 60 - (wide ? 16 : 0);
	attrset(A_BOLD);
	draw_fmt(VIEW_TOP, 0, COLS, "%-*s %9s %9s %9s %9s %9s %9s%s",
	    name_w, "module", "live", "leak", "steady", "unclear", "peak",
	    "allocs", wide ? "   blocks  sites" : "");
	attrset(A_NORMAL);
	m->cur.page = rows;
	cursor_clamp(&m->cur);
	for (i = 0; i < rows && m->cur.top + i < m->cur.count; i++) {
		long at = m->cur.top + i;
		const struct module_row *r = &m->rows[at];
		int y = VIEW_TOP + 1 + i, sel = at == m->cur.sel, x = name_w;
		char b[6][32];

		attrset(sel ? A_REVERSE : A_NORMAL);
		draw_text(y, 0, name_w, r->name);
		draw_fmt(y, x, 10, " %9s", draw_bytes(r->live_bytes, b[0],
		    sizeof b[0]));
		attrset(sel ? A_REVERSE : draw_attr(t, C_LEAK));
		draw_fmt(y, x + 10, 10, " %9s", draw_bytes(r->leak_bytes, b[1],
		    sizeof b[1]));
		attrset(sel ? A_REVERSE : draw_attr(t, C_STEADY));
		draw_fmt(y, x + 20, 10, " %9s", draw_bytes(r->steady_bytes,
		    b[2], sizeof b[2]));
		attrset(sel ? A_REVERSE : draw_attr(t, C_UNCLEAR));
		draw_fmt(y, x + 30, 10, " %9s", draw_bytes(r->unclear_bytes,
		    b[3], sizeof b[3]));
		attrset(sel ? A_REVERSE : A_NORMAL);
		draw_fmt(y, x + 40, COLS - x - 40, " %9s %9lld",
		    draw_bytes(r->peak_bytes, b[4], sizeof b[4]),
		    (long long)r->allocations);
		if (wide)
			draw_fmt(y, x + 60, COLS - x - 60, " %8lld %6d",
			    (long long)r->live_blocks, r->nsites);
		attrset(A_NORMAL);
	}
	draw_status(t, "Enter: the module's sites");
}

static int
modules_key(struct tui *t, int ch)
{
	struct modules *m = &t->modules;

	switch (ch) {
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		if (m->cur.count == 0)
			return REACT_NONE;
		t->sites->module_filter = m->rows[m->cur.sel].module_idx;
		t->sites->cur.sel = 0;
		sites_refresh(t->sites);
		t->push_view = &view_sites;
		return REACT_PUSH | REACT_REDRAW;
	}
	return list_key(&m->cur, ch);
}

static int
modules_click(struct tui *t, int y, int x, int button)
{
	(void)x;
	return list_click(&t->modules.cur, VIEW_TOP + 1, y, button);
}

const struct view_ops view_modules = {
	"modules", modules_draw, modules_key, modules_click,
};
