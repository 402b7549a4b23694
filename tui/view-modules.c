/*
 * view-modules.c - memory per module (the ELF object of each site's
 * frame): live bytes and blocks in the time scope, split into leak,
 * steady and unclear by the sites' classes, the module's peak over the
 * run, allocations and sites.  Enter lists the module's sites.
 *
 * Owns the module table and its cursor (struct modules, from the shared
 * sites model), recomputed when shown after a change of scope.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "../util/xmalloc.h"
#include "tui.h"

static void *
modules_view_init(struct tui *t, char **cause)
{
	(void)t;
	(void)cause;
	return xcalloc(1, sizeof(struct modules));
}

static void
modules_view_free(void *state)
{
	modules_free(state);
	free(state);
}

static int
modules_view_open(struct tui *t, void *state, int64_t arg)
{
	struct modules *m = state;

	(void)arg;
	if (m->rows == NULL || m->scope_serial != t->run->scope_serial)
		modules_refresh(m, t->sites);
	return 0;
}

static void
modules_draw(struct tui *t, void *state)
{
	struct modules *m = state;
	int rows = VIEW_ROWS - 1, i, wide, name_w;
	char extra[64];
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

static struct react
modules_key(struct tui *t, void *state, int ch)
{
	struct modules *m = state;

	(void)t;
	switch (ch) {
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		/* The module's sites, over this view. */
		if (m->cur.count == 0)
			return REACT(REACT_NONE);
		return REACT_TO(REACT_PUSH, &view_sites,
		    m->rows[m->cur.sel].module_idx);
	}
	return list_key(&m->cur, ch);
}

static struct react
modules_click(struct tui *t, void *state, int y, int x, int button)
{
	struct modules *m = state;

	(void)t;
	(void)x;
	return list_click(&m->cur, VIEW_TOP + 1, y, button);
}

static const char *const modules_help[] = {
	"Modules",
	"  Enter, Right   the module's sites (Esc: back)",
	NULL,
};

const struct view_ops view_modules = {
	.name = "modules",
	.shortcut = '4',
	.kind = VIEW_MAIN,
	.help = modules_help,
	.init = modules_view_init,
	.free = modules_view_free,
	.open = modules_view_open,
	.draw = modules_draw,
	.key = modules_key,
	.click = modules_click,
};
