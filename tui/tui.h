/*
 * tui.h - the interactive browser's drawing side: the state the views
 * share, the view interface, and the drawing helpers (draw.c).
 *
 * Each view (view-*.c) is a struct view_ops: draw the screen from the
 * models in struct tui, answer a key or a mouse click with what changed
 * (REACT_*); tui.c runs the loop, handles the keys every view shares and
 * redraws.  The models (model.h) know nothing of curses.
 */
#ifndef HEAPTRAIL_TUI_H
#define HEAPTRAIL_TUI_H

#include <curses.h>
#include <stdint.h>

#include "model.h"

/* What a key handler changed; the loop acts on it. */
#define REACT_NONE 0
#define REACT_REDRAW 1		/* draw the screen again */
#define REACT_PUSH 4		/* open tui->push_view over this one */
#define REACT_BACK 8		/* close this view */
#define REACT_QUIT 16

struct tui;

struct view_ops {
	const char *name;		/* in the key log and the help */
	/* Draws the whole area between the title and the status lines. */
	void (*draw)(struct tui *t);
	int (*key)(struct tui *t, int ch);
	/* A click (or wheel: button 4 up, 5 down) at screen row Y, col X. */
	int (*click)(struct tui *t, int y, int x, int button);
};

extern const struct view_ops view_overview, view_sites, view_tree,
    view_modules, view_detail, view_help;

enum detail_panel { PANEL_CHART, PANEL_SIZES, PANEL_LIFETIMES,
	PANEL_SOURCE, PANEL_COUNT };

struct tui {
	struct run *run;
	struct sites *sites;
	struct modules modules;
	struct tree *trees[2];		/* top-down, bottom-up (on demand) */
	int bottom_up;
	struct detail *detail;
	enum detail_panel panel;

	const struct view_ops *views[8];	/* views[depth - 1] is shown */
	int depth;
	const struct view_ops *push_view;

	/* The time cursor on the overview chart, and a window's start. */
	int cursor_bucket, mark_bucket;	/* mark -1: none */
	int rss_fits;			/* chart scaled to RSS too */

	/* The "/" prompt. */
	int prompting;
	char prompt[128], saved_filter[128];

	char message[160];		/* shown once in the status line */
	int utf8, colour;
};

/* Selects the time scope S (a message on failure); REACT_* flags. */
int tui_scope(struct tui *t, struct scope s);

/* Moves list cursor C for the list keys (arrows, j k, pages, Home
 * End); REACT_NONE for other keys. */
int list_key(struct cursor *c, int ch);
/* Selects the row clicked at screen row Y (rows start at FIRST_ROW);
 * the wheel (buttons 4, 5) moves the selection. */
int list_click(struct cursor *c, int first_row, int y, int button);

/* --- draw.c ----------------------------------------------------------------- */

enum tui_colour {
	C_NORMAL, C_TITLE, C_LEAK, C_STEADY, C_UNCLEAR, C_FREED, C_HEAP,
	C_RSS, C_DIM, C_MARK, C_COUNT,
};

void draw_init_colours(struct tui *t);
/* Attributes for a colour (plain attributes when colour is off). */
attr_t draw_attr(const struct tui *t, enum tui_colour c);
attr_t draw_class_attr(const struct tui *t, char cls);

/* Prints S at (Y, X), at most W columns, padded to W with spaces. */
void draw_text(int y, int x, int w, const char *s);
/* printf-style draw_text. */
void draw_fmt(int y, int x, int w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Right-aligned in W columns. */
void draw_right(int y, int x, int w, const char *s);

/* "12.3 KiB" into BUF. */
const char *draw_bytes(int64_t n, char *buf, size_t cap);

/* The bar of the title line and the status line at the bottom. */
void draw_title(struct tui *t, const char *view, const char *extra);
void draw_status(struct tui *t, const char *hints);

/*
 * A bar chart of A (and a dotted line of B, NULL for none; -1 entries
 * are gaps) over N buckets, in the box at (Y, X) of H rows and W
 * columns, with a left axis of AXIS columns; the column of bucket
 * CURSOR is highlighted (-1: none), and the buckets from WIN_FROM to
 * WIN_TO (-1: none) are shaded.
 */
struct chart {
	const int64_t *a, *b;
	int n;
	int cursor, win_from, win_to;
	enum tui_colour a_colour, b_colour;
	int b_fits;		/* scale to B too (else to A alone) */
};
void draw_chart(struct tui *t, const struct chart *c, int y, int x, int h,
    int w);
/* The column of bucket B in a chart of W data columns over N buckets. */
int chart_column(int b, int n, int w);
/* The last bucket drawn in column COL. */
int chart_bucket(int col, int n, int w);

/* A trend of POINTS levels 0..8, one character each. */
void draw_spark(struct tui *t, int y, int x, const uint8_t *levels,
    int points);
/* A horizontal bar of FRAC (0..1) of W columns. */
void draw_bar(struct tui *t, int y, int x, int w, double frac,
    enum tui_colour c);

/* Screen rows of the view area: from 1 to LINES - 2. */
#define VIEW_TOP 1
#define VIEW_ROWS (LINES - 2)

#endif /* HEAPTRAIL_TUI_H */
