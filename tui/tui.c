/*
 * tui.c - `heaptrail tui`: the terminal, the main loop and the keys all
 * views share.
 *
 * The loop reads a key and gives it to the shown view; a key the view
 * passes on goes to the shared keys (quit, help and the other views by the
 * keys they declare, Tab, going back, clearing the time selection, "/"
 * to the view that finds).  The loop then acts on the reaction (struct
 * react, tui.h): opens, pushes or closes views, has the shown view
 * re-read after a change of scope, and draws again only when something
 * changed (or on a resize, Ctrl-L, or a message for the status line).  No view is named here: they come from
 * the table in views.c.
 *
 * The terminal is restored on every way out: quitting, an error, SIGINT,
 * SIGTERM, SIGHUP (the handlers only set a flag the loop reads; getch
 * wakes up every 100 ms to look).
 *
 * HEAPTRAIL_TUI_KEYLOG=FILE appends a line per key: the key's name, the
 * view that handled it and the milliseconds from reading the key to the
 * screen updated (`make bench` measures responsiveness with it).
 */
#define _GNU_SOURCE
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/xmalloc.h"
#include "tui-main.h"
#include "tui.h"

static volatile sig_atomic_t tui_signal;
static int tui_screen_active;

static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

static void
tui_restore_terminal(void)
{
	if (tui_screen_active) {
		endwin();
		tui_screen_active = 0;
	}
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The index of V in tui_views, -1 if not there. */
static int
tui_index(const struct view_ops *v)
{
	int i;

	for (i = 0; tui_views[i] != NULL; i++)
		if (tui_views[i] == v)
			return i;
	return -1;
}

static int
tui_count(void)
{
	int n = 0;

	while (tui_views[n] != NULL)
		n++;
	return n;
}

/* The index of the shown view. */
static int
tui_shown(const struct tui *t)
{
	return t->stack[t->depth - 1];
}

/* Has view I load what it shows: 0, or -1 (t->message says why). */
static int
tui_open(struct tui *t, int i, int64_t arg)
{
	const struct view_ops *v = tui_views[i];

	return v->open != NULL ? v->open(t, t->states[i], arg) : 0;
}

/* Makes view I the only one shown, if it opens. */
static void
tui_switch(struct tui *t, int i, int64_t arg)
{
	if (tui_open(t, i, arg) == 0) {
		t->stack[0] = i;
		t->depth = 1;
	}
}

/* Shows view I over the shown one, if it opens. */
static void
tui_push(struct tui *t, int i, int64_t arg)
{
	if (t->depth < (int)(sizeof t->stack / sizeof t->stack[0]) &&
	    tui_open(t, i, arg) == 0)
		t->stack[t->depth++] = i;
}

/* Closes the shown view; the one below re-reads what it shows. */
static void
tui_back(struct tui *t)
{
	if (t->depth > 1) {
		t->depth--;
		tui_open(t, tui_shown(t), -1);
	}
}

struct react
tui_scope(struct tui *t, struct scope s)
{
	run_set_scope(t->run, s);
	return REACT(REACT_SCOPE);
}

/* Tab (STEP 1) and Shift-Tab (-1): the next main view that can show
 * something, from the one at the bottom of the stack. */
static struct react
tui_tab(struct tui *t, int step)
{
	int n = tui_count(), k, i;

	for (k = 1; k < n; k++) {
		const struct view_ops *v;

		i = ((t->stack[0] + step * k) % n + n) % n;
		v = tui_views[i];
		if (v->kind == VIEW_MAIN && (v->ready == NULL ||
		    v->ready(t, t->states[i])))
			return REACT_TO(REACT_SWITCH, v, -1);
	}
	return REACT(REACT_NONE);
}

/* The keys every view shares, for the keys the shown view passed on. */
static struct react
tui_common_key(struct tui *t, int ch)
{
	const struct view_ops *const *v;

	switch (ch) {
	case 'q':
		return REACT(REACT_QUIT);
	case 27:	/* Esc */
		if (t->depth > 1)
			return REACT(REACT_BACK);
		if (tui_shown(t) != 0)
			return REACT_TO(REACT_SWITCH, tui_views[0], -1);
		return REACT(REACT_NONE);
	case '\t':
		return tui_tab(t, 1);
	case KEY_BTAB:
		return tui_tab(t, -1);
	case 'x':
		return tui_scope(t, (struct scope){ SCOPE_END, 0, 0, 0 });
	case '/':
		/* The view that finds, its prompt open: what is typed next
		 * is the text looked for, never a command. */
		for (v = tui_views; *v != NULL; v++)
			if ((*v)->finds)
				return REACT_TO(REACT_SWITCH, *v,
				    VIEW_ARG_FIND);
		return REACT(REACT_NONE);
	}
	for (v = tui_views; *v != NULL; v++)
		if ((*v)->shortcut == ch)
			return REACT_TO((*v)->kind == VIEW_MAIN ? REACT_SWITCH :
			    REACT_PUSH, *v, -1);
	return REACT(REACT_NONE);
}

/* Acts on R: -1 to quit, 1 if the screen is to be drawn again, 0 if
 * nothing on it changed. */
static int
tui_act(struct tui *t, struct react r)
{
	int i = r.view != NULL ? tui_index(r.view) : -1;

	switch (r.kind) {
	case REACT_PASS:
	case REACT_NONE:
		return 0;
	case REACT_REDRAW:
		return 1;
	case REACT_SCOPE:
		tui_open(t, tui_shown(t), -1);
		return 1;
	case REACT_SWITCH:
		if (i >= 0)
			tui_switch(t, i, r.arg);
		return 1;
	case REACT_PUSH:
		if (i >= 0)
			tui_push(t, i, r.arg);
		return 1;
	case REACT_BACK:
		if (t->depth == 1)
			return 0;
		tui_back(t);
		return 1;
	case REACT_QUIT:
		return -1;
	}
	return 1;
}

struct react
list_key(struct cursor *c, int ch)
{
	struct cursor was = *c;

	switch (ch) {
	case KEY_UP:
	case 'k':
		cursor_move(c, MOVE_UP);
		break;
	case KEY_DOWN:
	case 'j':
		cursor_move(c, MOVE_DOWN);
		break;
	case KEY_PPAGE:
	case 2:		/* Ctrl-B */
		cursor_move(c, MOVE_PAGE_UP);
		break;
	case KEY_NPAGE:
	case 6:		/* Ctrl-F */
	case ' ':
		cursor_move(c, MOVE_PAGE_DOWN);
		break;
	case KEY_HOME:
	case 'g':
		cursor_move(c, MOVE_HOME);
		break;
	case KEY_END:
	case 'G':
		cursor_move(c, MOVE_END);
		break;
	default:
		return REACT(REACT_PASS);
	}
	return REACT(c->sel != was.sel || c->top != was.top ? REACT_REDRAW :
	    REACT_NONE);
}

struct react
list_click(struct cursor *c, int first_row, int y, int button)
{
	if (button == 4)
		return list_key(c, KEY_UP);
	if (button == 5)
		return list_key(c, KEY_DOWN);
	if (y < first_row || c->top + (y - first_row) >= c->count)
		return REACT(REACT_NONE);
	c->sel = c->top + (y - first_row);
	cursor_clamp(c);
	return REACT(REACT_REDRAW);
}

static void
tui_draw(struct tui *t)
{
	int i = tui_shown(t);

	erase();
	t->show_cursor = t->message_shown = 0;
	if (LINES < 10 || COLS < 40)
		draw_text(0, 0, COLS, "heaptrail: the terminal is too small "
		    "(at least 40x10)");
	else
		tui_views[i]->draw(t, t->states[i]);
	curs_set(t->show_cursor);
	refresh();
}

static const char *
tui_key_name(int ch, char *buf, size_t cap)
{
	const char *k;

	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: return "Enter";
	case 27: return "Esc";
	case '\t': return "Tab";
	case ' ': return "Space";
	}
	k = keyname(ch);
	snprintf(buf, cap, "%s", k ? k : "?");
	return buf;
}

/* Time selection from the command line: --at or --from/--to. */
static void
tui_initial_scope(struct tui *t, const struct tui_options *o)
{
	struct scope s = { SCOPE_END, 0, 0, 0 };

	switch (o->start) {
	case TUI_START_END:
		return;
	case TUI_START_AT:
		if (o->at == TIME_BUCKET_END)
			return;		/* "end": the end of the work */
		/* (0 is bucket 0 here: a scope is a bucket's end) */
		s.kind = SCOPE_AT;
		s.to = o->at < 0 ? 0 : (int)o->at;
		break;
	case TUI_START_WINDOW:
		s = run_window_scope(t->run, &o->window);
		break;
	}
	run_set_scope(t->run, s);
}

/* Frees the views' states and the shared models (the terminal is done). */
static void
tui_close(struct tui *t)
{
	int i;

	for (i = tui_count(); i-- > 0;)
		if (t->states != NULL && t->states[i] != NULL &&
		    tui_views[i]->free != NULL)
			tui_views[i]->free(t->states[i]);
	free(t->states);
	sites_close(t->sites);
	run_close(t->run);
}

/* Opens the shared models, then every view's state: 0, or -1 with
 * *cause (what was opened is closed again). */
static int
tui_start(struct tui *t, sqlite3 *db, const struct tui_options *o,
    char **cause)
{
	int i;

	if ((t->run = run_open(db, o->path, o->supp_files, o->nsupp,
	    cause)) == NULL)
		return -1;
	tui_initial_scope(t, o);
	if ((t->sites = sites_open(t->run, cause)) == NULL) {
		tui_close(t);
		return -1;
	}
	/* Every view's state now, so that no key waits for it (the call
	 * trees take a while on a big profile). */
	t->states = xcalloc((size_t)tui_count(), sizeof *t->states);
	for (i = 0; tui_views[i] != NULL; i++)
		if (tui_views[i]->init != NULL &&
		    (t->states[i] = tui_views[i]->init(t, cause)) == NULL &&
		    *cause != NULL) {
			tui_close(t);
			return -1;
		}
	t->stack[0] = 0;
	t->depth = 1;
	return 0;
}

int
tui_run(sqlite3 *db, const struct tui_options *o, char **cause)
{
	struct tui t;
	struct sigaction sa;
	FILE *keylog = NULL;
	const char *keylog_path = getenv("HEAPTRAIL_TUI_KEYLOG");
	int status = 0;

	memset(&t, 0, sizeof t);
	if (tui_start(&t, db, o, cause) != 0)
		return -1;
	if (keylog_path != NULL && (keylog = fopen(keylog_path, "a")) ==
	    NULL) {
		*cause = xasprintf("%s: cannot open the key log", keylog_path);
		tui_close(&t);
		return -1;
	}

	setlocale(LC_ALL, "");
	t.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (initscr() == NULL) {
		*cause = xasprintf("cannot start the terminal (TERM=%s)",
		    getenv("TERM") ? getenv("TERM") : "");
		goto out;
	}
	tui_screen_active = 1;
	atexit(tui_restore_terminal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(100);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
	    BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	draw_init_colours(&t);
	tui_open(&t, 0, -1);
	tui_draw(&t);
	/* What the sites' filter looks in, read while the first screen is
	 * looked at (after it is drawn, so as not to slow it). */
	sites_start_frames(t.sites);

	while (!tui_signal) {
		int ch = getch(), shown, redraw;
		const struct view_ops *v;
		struct react r;
		double start;
		char kn[32];

		if (ch == ERR)
			continue;
		start = now_ms();
		shown = tui_shown(&t);
		v = tui_views[shown];
		if (ch == '\r')
			ch = '\n';
		if (ch == KEY_RESIZE) {
			r = REACT(REACT_REDRAW);
		} else if (ch == 12) {	/* Ctrl-L */
			clearok(curscr, TRUE);
			r = REACT(REACT_REDRAW);
		} else if (ch == KEY_MOUSE) {
			MEVENT ev;

			r = REACT(REACT_NONE);
			if (getmouse(&ev) == OK && v->click != NULL) {
				int button = ev.bstate & BUTTON4_PRESSED ? 4 :
				    ev.bstate & BUTTON5_PRESSED ? 5 : 1;

				r = v->click(&t, t.states[shown], ev.y, ev.x,
				    button);
			}
		} else if ((r = v->key(&t, t.states[shown], ch)).kind ==
		    REACT_PASS) {
			r = tui_common_key(&t, ch);
		}
		if ((redraw = tui_act(&t, r)) < 0)
			break;
		/* A message shows until the next key. */
		if (redraw || t.message[0] != '\0' || t.message_shown)
			tui_draw(&t);
		if (keylog != NULL) {
			fprintf(keylog, "%s %s %.3f\n", tui_key_name(ch, kn,
			    sizeof kn), v->name, now_ms() - start);
			fflush(keylog);
		}
	}
	if (tui_signal)
		status = 128 + tui_signal;
out:
	tui_restore_terminal();
	if (keylog != NULL)
		fclose(keylog);
	tui_close(&t);
	return *cause != NULL ? -1 : status;
}
