/*
 * view-tree.c - the call tree: each row a function at its place in the
 * call chains, with its share of the chosen measure (live bytes in the
 * time scope, allocations, or bytes allocated: s cycles) and a bar.
 * Enter toggles a node, Right expands (or steps into it), Left collapses
 * (or steps out), e expands the heaviest path below, t switches between
 * top-down (from main) and bottom-up (from the allocating function).
 *
 * Owns both trees (struct tree_view), built by its init when the browser
 * starts so that no key waits for them; each keeps its expanded nodes,
 * measure and cursor while the browser runs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "tui.h"

struct tree_view {
	struct tree *trees[2];	/* top-down, bottom-up */
	int bottom_up;		/* which one is shown */
};

/* The tree shown, brought up to the run's scope; NULL if none. */
static struct tree *
tree_shown(struct tui *t, struct tree_view *tv)
{
	struct tree *tr = tv->trees[tv->bottom_up];

	if (tr != NULL && tr->scope_serial != t->run->scope_serial)
		tree_refresh(tr, t->run);
	return tr;
}

static void *
tree_init(struct tui *t, char **cause)
{
	struct tree_view *tv = xcalloc(1, sizeof *tv);

	if (trees_open(t->run, tv->trees, cause) != 0) {
		free(tv);
		return NULL;
	}
	return tv;
}

static void
tree_free(void *state)
{
	struct tree_view *tv = state;

	tree_close(tv->trees[0]);
	tree_close(tv->trees[1]);
	free(tv);
}

static int
tree_open(struct tui *t, void *state, int64_t arg)
{
	(void)arg;
	tree_shown(t, state);
	return 0;
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
tree_draw(struct tui *t, void *state)
{
	struct tree_view *tv = state;
	struct tree *tr = tv->trees[tv->bottom_up];
	int rows = VIEW_ROWS - 1, i, bar = COLS >= 100 ? 12 : 6;
	char extra[128];
	int64_t total;

	snprintf(extra, sizeof extra, "%s | %s", tv->bottom_up ?
	    "bottom-up" : "top-down", tr ? tree_measure_names[tr->measure] :
	    "?");
	draw_title(t, "call tree", extra);
	if (tr == NULL) {
		draw_status(t, "t top-down/bottom-up");
		return;
	}
	total = tr->nodes[0].value[tr->measure];
	attrset(A_BOLD);
	draw_fmt(VIEW_TOP, 0, COLS, "%7s %10s %-*s %s", "share",
	    tree_measure_names[tr->measure][0] == 'l' ? "live" :
	    tr->measure == MEASURE_ALLOCS ? "allocs" : "alloc'd", bar, "",
	    tv->bottom_up ? "allocating function <- its callers" :
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

static struct react
tree_key(struct tui *t, void *state, int ch)
{
	struct tree_view *tv = state;
	struct tree *tr = tv->trees[tv->bottom_up];
	uint32_t node;

	if (ch == 't') {
		tv->bottom_up = !tv->bottom_up;
		tree_shown(t, tv);
		return REACT(REACT_REDRAW);
	}
	if (tr == NULL)
		return REACT(REACT_PASS);
	node = tr->cur.count > 0 ? tr->visible[tr->cur.sel] : 0;
	switch (ch) {
	case 's':
		tr->measure = (tr->measure + 1) % MEASURE_COUNT;
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	case '\n':
	case KEY_ENTER:
		tree_toggle(tr, node, -1);
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	case KEY_RIGHT:
	case 'l':
		if (node == 0)
			return REACT(REACT_NONE);
		if (tr->nodes[node].expanded && tr->cur.sel + 1 <
		    tr->cur.count && tr->nodes[tr->visible[tr->cur.sel + 1]].
		    parent == node)
			cursor_move(&tr->cur, MOVE_DOWN);
		tree_toggle(tr, node, 1);
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	case KEY_LEFT:
	case 'h':
		if (node == 0)
			return REACT(REACT_NONE);
		if (tr->nodes[node].expanded && tr->nodes[node].first_child) {
			tree_toggle(tr, node, 0);
		} else if (tr->nodes[node].parent != 0) {
			/* Step out to the parent and close it. */
			tree_toggle(tr, tr->nodes[node].parent, 0);
		}
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	case 'e':
		tree_expand_heaviest(tr, node);
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	case 'E':
		/* Collapse everything. */
		for (node = 1; node < tr->nnodes; node++)
			tr->nodes[node].expanded = 0;
		tree_refresh(tr, t->run);
		return REACT(REACT_REDRAW);
	}
	return list_key(&tr->cur, ch);
}

static struct react
tree_click(struct tui *t, void *state, int y, int x, int button)
{
	struct tree_view *tv = state;
	struct tree *tr = tv->trees[tv->bottom_up];

	(void)t;
	(void)x;
	if (tr == NULL)
		return REACT(REACT_NONE);
	return list_click(&tr->cur, VIEW_TOP + 1, y, button);
}

static const char *const tree_help[] = {
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
	NULL,
};

const struct view_ops view_tree = {
	.name = "tree",
	.shortcut = '3',
	.kind = VIEW_MAIN,
	.help = tree_help,
	.init = tree_init,
	.free = tree_free,
	.open = tree_open,
	.draw = tree_draw,
	.key = tree_key,
	.click = tree_click,
};
