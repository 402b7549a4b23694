/*
 * tui.c - `heaptrail tui`: the terminal, the main loop and the keys all
 * views share.
 *
 * The loop reads a key, gives it to the shared handler (quit, help, view
 * switching, going back, clearing the time selection, resize, mouse) or
 * to the shown view, acts on what the handler says changed, and redraws.
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

static const struct view_ops *const top_views[] = {
	&view_overview, &view_sites, &view_tree, &view_modules, &view_detail,
};
#define NTOP (int)(sizeof top_views / sizeof top_views[0])

static const struct view_ops *
tui_view(struct tui *t)
{
	return t->views[t->depth - 1];
}

/* Makes V the only view (the number keys and Tab). */
static void
tui_switch(struct tui *t, const struct view_ops *v)
{
	if (v == &view_detail && t->detail == NULL) {
		struct site_row *row = sites_selected(t->sites);
		char *cause = NULL;

		if (row == NULL) {
			snprintf(t->message, sizeof t->message,
			    " no site selected");
			return;
		}
		t->detail = detail_open(t->run, row->id, &cause);
		if (t->detail == NULL) {
			snprintf(t->message, sizeof t->message, " %s", cause);
			free(cause);
			return;
		}
	}
	t->views[0] = v;
	t->depth = 1;
}

static void
tui_push(struct tui *t, const struct view_ops *v)
{
	if (t->depth < (int)(sizeof t->views / sizeof t->views[0]))
		t->views[t->depth++] = v;
}

int
tui_scope(struct tui *t, struct scope s)
{
	run_set_scope(t->run, s);
	return REACT_REDRAW;	/* views follow run->scope_serial */
}

/* The keys every view shares; -1 when the view should have the key. */
static int
tui_common_key(struct tui *t, int ch)
{
	int i;

	switch (ch) {
	case 'q':
		return REACT_QUIT;
	case '?':
		if (tui_view(t) == &view_help)
			return REACT_BACK;
		tui_push(t, &view_help);
		return REACT_REDRAW;
	case 27:	/* Esc */
		if (tui_view(t) == &view_overview && t->mark_bucket >= 0)
			return -1;
		if (t->depth > 1)
			return REACT_BACK;
		if (tui_view(t) != &view_overview)
			tui_switch(t, &view_overview);
		return REACT_REDRAW;
	case '\t':
	case KEY_BTAB:
		for (i = 0; i < NTOP; i++)
			if (t->views[0] == top_views[i])
				break;
		i = (i + (ch == '\t' ? 1 : NTOP - 1)) % NTOP;
		if (top_views[i] == &view_detail && t->detail == NULL &&
		    sites_selected(t->sites) == NULL)
			i = (i + (ch == '\t' ? 1 : NTOP - 1)) % NTOP;
		tui_switch(t, top_views[i]);
		return REACT_REDRAW;
	case '1': case '2': case '3': case '4': case '5':
		tui_switch(t, top_views[ch - '1']);
		return REACT_REDRAW;
	case 'x':
		t->mark_bucket = -1;
		return tui_scope(t, (struct scope){ SCOPE_END, 0, 0, 0 });
	case 12:	/* Ctrl-L */
		clearok(curscr, TRUE);
		return REACT_REDRAW;
	case KEY_RESIZE:
		return REACT_REDRAW;
	}
	return -1;
}

int
list_key(struct cursor *c, int ch)
{
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
		return REACT_NONE;
	}
	return REACT_REDRAW;
}

int
list_click(struct cursor *c, int first_row, int y, int button)
{
	if (button == 4) {
		cursor_move(c, MOVE_UP);
		return REACT_REDRAW;
	}
	if (button == 5) {
		cursor_move(c, MOVE_DOWN);
		return REACT_REDRAW;
	}
	if (y < first_row || c->top + (y - first_row) >= c->count)
		return REACT_NONE;
	c->sel = c->top + (y - first_row);
	cursor_clamp(c);
	return REACT_REDRAW;
}

static void
tui_draw(struct tui *t)
{
	erase();
	if (LINES < 10 || COLS < 40) {
		draw_text(0, 0, COLS, "heaptrail: the terminal is too small "
		    "(at least 40x10)");
	} else {
		tui_view(t)->draw(t);
	}
	if (!t->prompting)
		curs_set(0);
	else
		curs_set(1);
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
	const struct time_window *w = &o->window;

	switch (o->start) {
	case TUI_START_END:
		return;
	case TUI_START_AT:
		s.kind = SCOPE_AT;
		s.to = o->at == TIME_BUCKET_END ? run_bucket_of(t->run,
		    t->run->work_end) : o->at < 0 ? 0 : (int)o->at;
		break;
	case TUI_START_WINDOW:
		/* The window starts at the end of its from bucket. */
		s.kind = SCOPE_WINDOW;
		s.from = w->from_bucket < 0 ? 0 : (int)w->from_bucket + 1;
		s.to_end = w->to_bucket == TIME_BUCKET_END;
		s.to = s.to_end ? run_bucket_of(t->run, t->run->work_end) :
		    (int)w->to_bucket;
		if (s.from > s.to)
			s.from = s.to;
		break;
	}
	t->cursor_bucket = s.to;
	run_set_scope(t->run, s);
}

int
tui_run(sqlite3 *db, const struct tui_options *o, char **cause)
{
	struct tui t;
	struct sigaction sa;
	FILE *keylog = NULL;
	const char *keylog_path = getenv("HEAPTRAIL_TUI_KEYLOG");
	int i, status = 0;

	memset(&t, 0, sizeof t);
	t.mark_bucket = -1;
	if ((t.run = run_open(db, o->path, o->supp_files, o->nsupp, cause)) ==
	    NULL)
		return -1;
	t.cursor_bucket = t.run->buckets - 1;
	tui_initial_scope(&t, o);
	if ((t.sites = sites_open(t.run, cause)) == NULL) {
		run_close(t.run);
		return -1;
	}
	/* Built now, so that no key waits for them. */
	if (trees_open(t.run, t.trees, cause) != 0) {
		sites_close(t.sites);
		run_close(t.run);
		return -1;
	}
	if (keylog_path != NULL && (keylog = fopen(keylog_path, "a")) ==
	    NULL) {
		*cause = xasprintf("%s: cannot open the key log", keylog_path);
		for (i = 0; i < 2; i++)
			tree_close(t.trees[i]);
		sites_close(t.sites);
		run_close(t.run);
		return -1;
	}
	t.views[0] = &view_overview;
	t.depth = 1;

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
	tui_draw(&t);

	while (!tui_signal) {
		int ch = getch(), react;
		double start;
		const struct view_ops *handler;
		char kn[32];

		if (ch == ERR)
			continue;
		start = now_ms();
		handler = tui_view(&t);
		if (ch == '\r')
			ch = '\n';
		if (ch == KEY_MOUSE) {
			MEVENT ev;

			react = REACT_NONE;
			if (getmouse(&ev) == OK && handler->click != NULL) {
				int button = ev.bstate & BUTTON4_PRESSED ? 4 :
				    ev.bstate & BUTTON5_PRESSED ? 5 : 1;

				react = handler->click(&t, ev.y, ev.x, button);
			}
		} else if (t.prompting ||
		    (react = tui_common_key(&t, ch)) < 0) {
			react = handler->key(&t, ch);
		}
		if (react & REACT_QUIT)
			break;
		if (react & REACT_BACK && t.depth > 1)
			t.depth--;
		if (react & REACT_PUSH && t.push_view != NULL) {
			tui_push(&t, t.push_view);
			t.push_view = NULL;
		}
		tui_draw(&t);
		if (keylog != NULL) {
			fprintf(keylog, "%s %s %.3f\n", tui_key_name(ch, kn,
			    sizeof kn), handler->name, now_ms() - start);
			fflush(keylog);
		}
	}
	if (tui_signal)
		status = 128 + tui_signal;
out:
	tui_restore_terminal();
	if (keylog != NULL)
		fclose(keylog);
	detail_close(t.detail);
	for (i = 0; i < 2; i++)
		tree_close(t.trees[i]);
	modules_free(&t.modules);
	sites_close(t.sites);
	run_close(t.run);
	return *cause != NULL ? -1 : status;
}
