/*
 * draw.c - drawing helpers the views share: colours (or plain attributes
 * under NO_COLOR and on terminals without colour), clipped text, the title
 * and status lines, bar charts, sparklines and bars.
 *
 * Charts and trends use Unicode block elements on a UTF-8 terminal and
 * plain ASCII otherwise; texts are clipped by characters, and non-ASCII
 * bytes become '?' on a terminal that is not UTF-8.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/units.h"
#include "tui.h"

static int draw_utf8;

/* Eighths of a cell, bottom up: index 0 empty .. 8 full. */
static const char *const blocks_utf8[9] = {
	" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
	"\u2587", "\u2588",
};
static const char *const blocks_ascii[9] = {
	" ", ".", ".", ":", ":", "|", "|", "#", "#",
};

void
draw_init_colours(struct tui *t)
{
	const char *no = getenv("NO_COLOR");

	draw_utf8 = t->utf8;
	t->colour = has_colors() && (no == NULL || no[0] == '\0');
	if (!t->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_LEAK, COLOR_RED, -1);
	init_pair(C_STEADY, COLOR_GREEN, -1);
	init_pair(C_UNCLEAR, COLOR_YELLOW, -1);
	init_pair(C_FREED, -1, -1);
	init_pair(C_HEAP, COLOR_CYAN, -1);
	init_pair(C_RSS, COLOR_MAGENTA, -1);
	init_pair(C_DIM, COLOR_BLUE, -1);
	init_pair(C_MARK, COLOR_YELLOW, -1);
}

attr_t
draw_attr(const struct tui *t, enum tui_colour c)
{
	if (!t->colour) {
		/* Without colour: the title in reverse, the rest plain. */
		return c == C_TITLE ? A_REVERSE : c == C_LEAK ? A_BOLD :
		    A_NORMAL;
	}
	if (c == C_NORMAL)
		return A_NORMAL;
	return COLOR_PAIR(c) | (c == C_LEAK ? A_BOLD : 0);
}

attr_t
draw_class_attr(const struct tui *t, char cls)
{
	return draw_attr(t, cls == 'L' ? C_LEAK : cls == 'S' ? C_STEADY :
	    cls == 'U' ? C_UNCLEAR : C_FREED);
}

void
draw_text(int y, int x, int w, const char *s)
{
	char buf[1024];
	size_t o = 0;
	int cols = 0;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	for (; s != NULL && *s && cols < w && o + 8 < sizeof buf; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			buf[o++] = '?';
			cols++;
		} else if (c < 0x80) {
			buf[o++] = (char)c;
			cols++;
		} else if (!draw_utf8) {
			if ((c & 0xc0) != 0x80) {
				buf[o++] = '?';
				cols++;
			}
		} else {
			/* A lead byte starts a character; the rest follow. */
			if ((c & 0xc0) != 0x80)
				cols++;
			buf[o++] = (char)c;
			while ((s[1] & 0xc0) == 0x80 && o + 1 < sizeof buf) {
				buf[o++] = *++s;
			}
		}
	}
	while (cols < w && o + 1 < sizeof buf) {
		buf[o++] = ' ';
		cols++;
	}
	buf[o] = '\0';
	mvaddstr(y, x, buf);
}

void
draw_fmt(int y, int x, int w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	draw_text(y, x, w, buf);
}

void
draw_right(int y, int x, int w, const char *s)
{
	int len = (int)strlen(s);

	if (len >= w) {
		draw_text(y, x, w, s);
		return;
	}
	draw_text(y, x, w - len, "");
	draw_text(y, x + w - len, len, s);
}

const char *
draw_bytes(int64_t n, char *buf, size_t cap)
{
	char tmp[32];

	if (n < 0) {
		snprintf(buf, cap, "-%s", units_bytes((uint64_t)-n, tmp,
		    sizeof tmp));
		return buf;
	}
	return units_bytes((uint64_t)n, buf, cap);
}

void
draw_title(struct tui *t, const char *view, const char *extra)
{
	char scope[96], buf[512];

	run_scope_text(t->run, scope, sizeof scope);
	snprintf(buf, sizeof buf, " heaptrail: %s | %s | %s%s%s",
	    t->run->program, view, scope, extra && *extra ? " | " : "",
	    extra ? extra : "");
	attrset(draw_attr(t, C_TITLE));
	draw_text(0, 0, COLS, buf);
	attrset(A_NORMAL);
}

void
draw_status(struct tui *t, const char *hints)
{
	const struct view_ops *const *v;
	int first = 0, last = 0;

	attrset(draw_attr(t, C_TITLE));
	if (t->message[0] != '\0') {
		draw_text(LINES - 1, 0, COLS, t->message);
		t->message[0] = '\0';
		t->message_shown = 1;
	} else {
		/* " 1-5 views": the keys of the main views. */
		for (v = tui_views; *v != NULL; v++)
			if ((*v)->kind == VIEW_MAIN && (*v)->shortcut != 0) {
				if (first == 0)
					first = (*v)->shortcut;
				last = (*v)->shortcut;
			}
		draw_fmt(LINES - 1, 0, COLS, " %c-%c views | %s | ? help  q "
		    "quit", first, last, hints);
	}
	attrset(A_NORMAL);
}

void
draw_prompt(struct tui *t, const char *label, const char *text)
{
	int x = (int)strlen(label) + (int)strlen(text);

	attrset(draw_attr(t, C_TITLE));
	draw_fmt(LINES - 1, 0, COLS, "%s%s", label, text);
	attrset(A_NORMAL);
	move(LINES - 1, x < COLS ? x : COLS - 1);
	t->show_cursor = 1;
}

/* --- charts --------------------------------------------------------------- */

int
chart_column(int b, int n, int w)
{
	if (n <= 0 || w <= 0)
		return 0;
	return (int)((int64_t)b * w / n);
}

int
chart_bucket(int col, int n, int w)
{
	int b;

	if (n <= 0 || w <= 0)
		return 0;
	/* The last bucket whose column is COL. */
	b = (int)(((int64_t)(col + 1) * n - 1) / w);
	return b >= n ? n - 1 : b;
}

void
draw_chart(struct tui *t, const struct chart *c, int y, int x, int h,
    int w)
{
	const char *const *glyph = draw_utf8 ? blocks_utf8 : blocks_ascii;
	int64_t max = 1;
	int col, row, b;
	char label[32];
	const int axis = 10;

	if (h < 2 || w < axis + 4)
		return;
	for (b = 0; b < c->n; b++) {
		if (c->a[b] > max)
			max = c->a[b];
		if (c->b != NULL && c->b_fits && c->b[b] > max)
			max = c->b[b];
	}
	/* Axis: the top value and 0. */
	draw_right(y, x, axis - 1, draw_bytes(max, label, sizeof label));
	for (row = 1; row < h - 1; row++)
		draw_text(y + row, x, axis, "");
	draw_right(y + h - 1, x, axis - 1, "0");
	w -= axis;
	x += axis;
	for (col = 0; col < w; col++) {
		int last = chart_bucket(col, c->n, w);
		int first = col == 0 ? 0 : chart_bucket(col - 1, c->n, w) + 1;
		int64_t va = 0, vb = -1;
		int eighths, brow = -1, shaded, cursor;

		if (first > last)	/* wider than the buckets: repeat */
			first = last;
		for (b = first; b <= last && b < c->n; b++) {
			if (c->a[b] > va)
				va = c->a[b];
			if (c->b != NULL && c->b[b] > vb)
				vb = c->b[b];
		}
		eighths = (int)((va * h * 8 + max / 2) / max);
		if (va > 0 && eighths == 0)
			eighths = 1;
		if (vb >= 0 && vb <= max)
			brow = h - 1 - (int)((vb * h - 1) / max);
		cursor = c->cursor >= first && c->cursor <= last;
		shaded = c->win_from >= 0 && first <= c->win_to &&
		    last >= c->win_from;
		for (row = 0; row < h; row++) {
			int level = eighths - (h - 1 - row) * 8;
			attr_t a;
			const char *g;

			if (level > 8)
				level = 8;
			if (level < 0)
				level = 0;
			if (row == brow && level < 8) {
				g = draw_utf8 ? "\u2022" : "*";
				a = draw_attr(t, c->b_colour);
			} else {
				g = glyph[level];
				a = draw_attr(t, c->a_colour);
			}
			if (cursor || shaded)
				a |= A_REVERSE;
			attrset(a);
			mvaddstr(y + row, x + col, g);
		}
	}
	attrset(A_NORMAL);
}

void
draw_spark(struct tui *t, int y, int x, const uint8_t *levels, int points)
{
	const char *const *glyph = draw_utf8 ? blocks_utf8 : blocks_ascii;
	int i;

	attrset(draw_attr(t, C_HEAP));
	for (i = 0; i < points && x + i < COLS; i++)
		mvaddstr(y, x + i, glyph[levels[i] > 8 ? 8 : levels[i]]);
	attrset(A_NORMAL);
}

void
draw_bar(struct tui *t, int y, int x, int w, double frac, enum tui_colour c)
{
	const char *full = draw_utf8 ? "\u2588" : "#";
	int n = (int)(frac * w + 0.5), i;

	if (frac > 0 && n == 0)
		n = 1;
	attrset(draw_attr(t, c));
	for (i = 0; i < w && x + i < COLS; i++)
		mvaddstr(y, x + i, i < n ? full : " ");
	attrset(A_NORMAL);
}
