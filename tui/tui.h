/*
 * tui.h - the interactive browser's drawing side: the state the views
 * share, the view interface, and the drawing helpers (draw.c).
 *
 * Each view (view-*.c) is a struct view_ops: a few hooks over the view's
 * own state, which only the view knows the shape of.  views.c lists the
 * views in one table; tui.c runs the loop over that table without naming
 * any of them: it gives each key to the shown view first, then to the keys
 * every view shares, and acts on the struct react the handler returns.
 * The models (model.h) know nothing of curses.
 */
#ifndef HEAPTRAIL_TUI_H
#define HEAPTRAIL_TUI_H

#include <curses.h>
#include <stdint.h>

#include "model.h"

struct tui;
struct view_ops;

/* What a key or click handler did; the loop acts on it. */
enum react_kind {
	REACT_PASS,	/* not this view's key: for the shared keys */
	REACT_NONE,	/* handled, nothing on the screen changed */
	REACT_REDRAW,	/* draw the screen again */
	REACT_SCOPE,	/* the time scope changed: the view re-reads */
	REACT_SWITCH,	/* make VIEW the only view, opened with ARG */
	REACT_PUSH,	/* show VIEW over this one, opened with ARG */
	REACT_BACK,	/* close this view: the one below shows again */
	REACT_QUIT,
};

struct react {
	enum react_kind kind;
	const struct view_ops *view;	/* SWITCH, PUSH */
	int64_t arg;			/* for VIEW's open; -1: none */
};

#define REACT(k) ((struct react){ (k), NULL, -1 })
#define REACT_TO(k, v, a) ((struct react){ (k), (v), (a) })

/*
 * A view.  Call order: init once for every view when the browser starts
 * (in table order, after the shared models are open); then, any number of
 * times, open when the view is shown (switched to, pushed, uncovered by
 * a BACK, or shown while the scope changes), followed by draws, keys and
 * clicks while it is shown; free once when the browser ends.  STATE is
 * what init returned: the view's own, kept while the browser runs, so
 * that a view shows the same place when it is shown again.  The shared
 * models in struct tui are borrowed, valid from init to free.
 */
struct view_ops {
	const char *name;	/* in the key log */
	/* The key that shows the view (0: none), and how: a VIEW_MAIN view
	 * replaces every view shown (the number keys; Tab goes through them
	 * in table order; the first is home, where Esc goes), a
	 * VIEW_OVERLAY view is pushed over the shown one. */
	int shortcut;
	enum view_kind { VIEW_MAIN, VIEW_OVERLAY } kind;
	/* Set in the one view that "/" shows from any view that does not
	 * take the key itself, opened with VIEW_ARG_FIND: its text filter
	 * with the prompt open (0 in the others). */
	int finds;
	/* This view's lines in the help (a heading, then "  key  what"),
	 * NULL-terminated; NULL for none. */
	const char *const *help;

	/* The view's state (NULL if it needs none), or NULL with *cause set:
	 * the browser then does not start.  init NULL: no state. */
	void *(*init)(struct tui *t, char **cause);
	void (*free)(void *state);
	/* Whether open can show something now (NULL: always); Tab passes
	 * over views that cannot. */
	int (*ready)(struct tui *t, void *state);
	/* Loads or refreshes what the view shows; ARG is the react's (-1:
	 * none, keep what was shown).  0, or -1 with t->message set: the
	 * view is not shown.  NULL: nothing to load. */
	int (*open)(struct tui *t, void *state, int64_t arg);
	/* Draws the whole screen: title, view area, status line. */
	void (*draw)(struct tui *t, void *state);
	struct react (*key)(struct tui *t, void *state, int ch);
	/* A click (or wheel: button 4 up, 5 down) at screen row Y, col X;
	 * NULL: clicks are ignored. */
	struct react (*click)(struct tui *t, void *state, int y, int x,
	    int button);
};

/* The ARG of a react that opens the view that finds with its "/" prompt
 * open. */
#define VIEW_ARG_FIND (-2)

/* views.c: every view, home first, NULL-terminated. */
extern const struct view_ops *const tui_views[];

/* The views other views show by name (the rest are only in views.c). */
extern const struct view_ops view_sites, view_detail;

struct tui {
	struct run *run;
	struct sites *sites;	/* the site table: sites, modules, detail */

	/* Shown: tui_views[stack[depth - 1]]; states[i] is its state. */
	void **states;
	int stack[8];
	int depth;

	char message[160];	/* shown once in the status line */
	int message_shown;	/* on the screen: the next key redraws */
	int show_cursor;	/* set by draw_prompt while drawing */
	int utf8, colour;
};

/* Selects the time scope S: REACT_SCOPE, or a message and REACT_REDRAW. */
struct react tui_scope(struct tui *t, struct scope s);

/* Moves list cursor C for the list keys (arrows, j k, pages, Home
 * End): REACT_REDRAW if it moved, REACT_NONE if not; REACT_PASS for
 * other keys. */
struct react list_key(struct cursor *c, int ch);
/* Selects the row clicked at screen row Y (rows start at FIRST_ROW);
 * the wheel (buttons 4, 5) moves the selection. */
struct react list_click(struct cursor *c, int first_row, int y, int button);

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

/* The bar of the title line and the status line at the bottom (with the
 * message, if any, instead of the hints: shown once). */
void draw_title(struct tui *t, const char *view, const char *extra);
void draw_status(struct tui *t, const char *hints);
/* The status line as a prompt: LABEL and TEXT, the cursor after them. */
void draw_prompt(struct tui *t, const char *label, const char *text);

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
