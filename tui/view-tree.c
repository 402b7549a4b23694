/*
 * view-tree.c - the call tree: each row a function at its place in the
 * call chains, with its share of the chosen measure (live bytes in the
 * time scope, allocations, or bytes allocated: s cycles) and a bar.
 * Enter toggles a node, Right expands (or steps into it), Left collapses
 * (or steps out), e expands the heaviest path below, t switches between
 * top-down (from main) and bottom-up (from the allocating function).
 * Both trees are built when the browser starts (tui.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static struct tree *
tree_shown(struct tui *t)
{
	return t->trees[t->bottom_up];
}

/* Screen columns of UTF-8 text S (one per character). */
static int
text_columns(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

static void
tree_format_value(const struct tree *tr, int64_t v, char *buf, size_t cap)
{
	if (tr->measure == MEASURE_ALLOCS)
		snprintf(buf, cap, "%lld", (long long)v);
	else
		draw_bytes(v, buf, cap);
}

static void
tree_draw(struct tui *t)
{
	struct tree *tr = tree_shown(t);
	int rows = VIEW_ROWS - 1, i, bar = COLS >= 100 ? 12 : 6;
	char extra[128];
	int64_t total;

	snprintf(extra, sizeof extra, "%s | %s", t->bottom_up ?
	    "bottom-up" : "top-down", tr ? tree_measure_names[tr->measure] :
	    "?");
	draw_title(t, "call tree", extra);
	if (tr == NULL) {
		draw_status(t, "t top-down/bottom-up");
		return;
	}
	if (tr->scope_serial != t->run->scope_serial)
		tree_refresh(tr, t->run);
	total = tr->nodes[0].value[tr->measure];
	attrset(A_BOLD);
	draw_fmt(VIEW_TOP, 0, COLS, "%7s %10s %-*s %s", "share",
	    tree_measure_names[tr->measure][0] == 'l' ? "live" :
	    tr->measure == MEASURE_ALLOCS ? "allocs" : "alloc'd", bar, "",
	    t->bottom_up ? "allocating function <- its callers" :
	    "caller -> callees");
	attrset(A_NORMAL);
	tr->cur.page = rows;
	cursor_clamp(&tr->cur);
	for (i = 0; i < rows && tr->cur.top + i < tr->cur.count; i++) {
		long at = tr->cur.top + i;
		const struct tree_node *n = &tr->nodes[tr->visible[at]];
		const char *lab = tr->labels[n->label];
		const char *mod = lab + strlen(lab) + 1;
		int y = VIEW_TOP + 1 + i, x, indent;
		double share = total > 0 ? (double)n->value[tr->measure] /
		    (double)total : 0;
		char val[32], line[1024];
		const char *mark;

		tree_format_value(tr, n->value[tr->measure], val, sizeof val);
		attrset(at == tr->cur.sel ? A_REVERSE : A_NORMAL);
		draw_fmt(y, 0, 19, "%6.1f%% %10s ", share * 100, val);
		attrset(A_NORMAL);
		draw_bar(t, y, 19, bar, share, C_HEAP);
		x = 19 + bar + 1;
		indent = (n->depth - 1) * 2;
		if (indent > (COLS - x) / 2)
			indent = (COLS - x) / 2;
		mark = n->first_child == 0 ? " " : n->expanded ?
		    (t->utf8 ? "\u25be" : "-") : (t->utf8 ? "\u25b8" : "+");
		snprintf(line, sizeof line, "%*s%s %s%s", indent, "", mark,
		    lab, n->inlined ? " [inlined]" : "");
		attrset(at == tr->cur.sel ? A_REVERSE : A_NORMAL);
		draw_text(y, x - 1, 1, " ");
		{
			int lw = text_columns(line), room = COLS - x;
			int mw = (int)strlen(mod) + 3;

			if (lw + mw <= room) {
				draw_text(y, x, lw, line);
				attrset(at == tr->cur.sel ? A_REVERSE :
				    draw_attr(t, C_DIM));
				draw_fmt(y, x + lw, room - lw, "  (%s)", mod);
			} else {
				draw_text(y, x, room, line);
			}
		}
		attrset(A_NORMAL);
	}
	if (tr->cur.count == 0)
		draw_text(VIEW_TOP + 2, 2, COLS - 4, "nothing to show for "
		    "this measure and time (s: other measure, x: the end)");
	draw_status(t, "Enter open  e heaviest  t flip  s measure");
}

static int
tree_key(struct tui *t, int ch)
{
	struct tree *tr = tree_shown(t);
	uint32_t node;

	if (ch == 't') {
		t->bottom_up = !t->bottom_up;
		return REACT_REDRAW;
	}
	if (tr == NULL)
		return REACT_NONE;
	node = tr->cur.count > 0 ? tr->visible[tr->cur.sel] : 0;
	switch (ch) {
	case 's':
		tr->measure = (tr->measure + 1) % MEASURE_COUNT;
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	case '\n':
	case KEY_ENTER:
		tree_toggle(tr, node, -1);
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	case KEY_RIGHT:
	case 'l':
		if (node == 0)
			return REACT_NONE;
		if (tr->nodes[node].expanded && tr->cur.sel + 1 <
		    tr->cur.count && tr->nodes[tr->visible[tr->cur.sel + 1]].
		    parent == node)
			cursor_move(&tr->cur, MOVE_DOWN);
		tree_toggle(tr, node, 1);
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	case KEY_LEFT:
	case 'h':
		if (node == 0)
			return REACT_NONE;
		if (tr->nodes[node].expanded && tr->nodes[node].first_child) {
			tree_toggle(tr, node, 0);
		} else if (tr->nodes[node].parent != 0) {
			/* Step out to the parent and close it. */
			tree_toggle(tr, tr->nodes[node].parent, 0);
		}
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	case 'e':
		tree_expand_heaviest(tr, node);
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	case 'E':
		/* Collapse everything. */
		for (node = 1; node < tr->nnodes; node++)
			tr->nodes[node].expanded = 0;
		tree_refresh(tr, t->run);
		return REACT_REDRAW;
	}
	return list_key(&tr->cur, ch);
}

static int
tree_click(struct tui *t, int y, int x, int button)
{
	struct tree *tr = t->trees[t->bottom_up];

	(void)x;
	if (tr == NULL)
		return REACT_NONE;
	return list_click(&tr->cur, VIEW_TOP + 1, y, button);
}

const struct view_ops view_tree = {
	"tree", tree_draw, tree_key, tree_click,
};
