/*
 * view-sites.c - the site table: class (letter and colour), live bytes
 * and blocks in the time scope, allocations, peak, growth, a trend of
 * the site's live bytes over the run, and where it is (the columns that
 * fit the width: sites_layout).  s cycles the sort, / filters by text
 * (function, file or module, or any frame of the site's stacks; as you
 * type), c cycles a class filter, Enter opens the site's detail.  Shown
 * over the module view, it lists one module's sites.  It is the view
 * that finds: "/" in the other views shows it with the prompt open.
 *
 * The table, its sort, filters and cursor are the shared sites model
 * (t->sites: the modules and the detail read it too); this view owns the
 * "/" prompt (struct sites_view).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../query/classes.h"
#include "../util/xmalloc.h"
#include "tui.h"

struct sites_view {
	int prompting;		/* "/" typed: keys edit the filter */
	char prompt[128];	/* the text typed */
	char saved[128];	/* the filter before "/", for Esc */
};

/*
 * The columns that fit COLS: the class letter, the live bytes and the
 * function always; then, while the function keeps FUNCTION_MIN columns,
 * growth, the trend, peak, allocations and blocks, in that order; the
 * module at the right when the function has more than 40.  One space
 * between columns: none runs into the next.
 */
#define FUNCTION_MIN 24

struct sites_layout {
	int blocks, allocs, peak, growth, trend;	/* shown: 1 */
	int points;		/* the trend's */
	int fn_x, fn_w;
	int mod_x, mod_w;	/* mod_w 0: no module column */
};

static void
sites_layout(struct sites_layout *l)
{
	int used = 2 + 10, rest;	/* "c " and the live bytes */

	memset(l, 0, sizeof *l);
	l->points = COLS >= 120 ? SPARK_POINTS : 8;
#define SITES_FIT(field, width) do {					\
	if (COLS - used - (width) >= FUNCTION_MIN) {			\
		l->field = 1;						\
		used += (width);					\
	}								\
} while (0)
	SITES_FIT(growth, 12);
	SITES_FIT(trend, l->points + 1);
	SITES_FIT(peak, 10);
	SITES_FIT(allocs, 10);
	SITES_FIT(blocks, 9);
#undef SITES_FIT
	rest = COLS - used;
	l->fn_x = used;
	l->fn_w = rest;
	if (rest > 40) {
		l->mod_w = rest / 4 > 24 ? 24 : rest / 4;
		l->fn_w = rest - l->mod_w - 1;
		l->mod_x = COLS - l->mod_w;
	}
}

/* Whether the column the rows are sorted by is shown. */
static int
sites_sort_shown(const struct sites_layout *l, enum site_sort sort)
{
	switch (sort) {
	case SORT_BLOCKS:
		return l->blocks;
	case SORT_ALLOCS:
		return l->allocs;
	case SORT_PEAK:
		return l->peak;
	case SORT_GROWTH:
		return l->growth;
	default:
		return 1;
	}
}

static void
sites_draw_row(struct tui *t, const struct sites_layout *l, int y,
    struct site_row *row, int selected)
{
	char num[32], where[512];
	attr_t rev = selected ? A_REVERSE : A_NORMAL;
	uint8_t levels[SPARK_POINTS];
	int x = 2, i;

	attrset(rev);
	draw_text(y, 0, COLS, "");
	attrset(draw_class_attr(t, row->cls) | rev);
	draw_fmt(y, 0, 1, "%c", sites_letter(row));
	attrset(rev);
	draw_right(y, x, 9, draw_bytes(row->live_bytes, num, sizeof num));
	x += 10;
	if (l->blocks) {
		snprintf(num, sizeof num, "%lld", (long long)row->live_blocks);
		draw_right(y, x, 8, num);
		x += 9;
	}
	if (l->allocs) {
		snprintf(num, sizeof num, "%lld", (long long)row->allocations);
		draw_right(y, x, 9, num);
		x += 10;
	}
	if (l->peak) {
		draw_right(y, x, 9, draw_bytes(row->peak_bytes, num,
		    sizeof num));
		x += 10;
	}
	if (l->growth) {
		draw_bytes(row->growth < 0 ? -(int64_t)-row->growth :
		    (int64_t)row->growth, num, sizeof num);
		strncat(num, "/s", sizeof num - strlen(num) - 1);
		draw_right(y, x, 11, row->growth == 0 ? "0" : num);
		x += 12;
	}
	if (l->trend) {
		sites_spark(t->sites, row);
		if (l->points == SPARK_POINTS) {
			memcpy(levels, row->spark, sizeof levels);
		} else {
			for (i = 0; i < l->points; i++)
				levels[i] = row->spark[2 * i] >
				    row->spark[2 * i + 1] ? row->spark[2 * i] :
				    row->spark[2 * i + 1];
		}
		attrset(A_NORMAL);
		draw_spark(t, y, x, levels, l->points);
	}
	if (row->function != NULL)
		snprintf(where, sizeof where, "%s", row->function);
	else
		snprintf(where, sizeof where, "0x%llx", (unsigned long long)
		    row->address);
	attrset(rev);
	draw_text(y, l->fn_x, l->fn_w, where);
	if (l->mod_w > 0) {
		attrset(selected ? A_REVERSE : draw_attr(t, C_DIM));
		draw_text(y, l->mod_x, l->mod_w, row->module);
	}
	attrset(A_NORMAL);
}

/* Opens the "/" prompt on the filter as it is. */
static void
sites_prompt_open(struct tui *t, struct sites_view *sv)
{
	struct sites *s = t->sites;

	sv->prompting = 1;
	snprintf(sv->saved, sizeof sv->saved, "%s", s->filter);
	snprintf(sv->prompt, sizeof sv->prompt, "%s", s->filter);
	/* What the filter looks in, read now rather than on the first
	 * letter typed. */
	sites_load_frames(s);
}

static void *
sites_view_init(struct tui *t, char **cause)
{
	(void)t;
	(void)cause;
	return xcalloc(1, sizeof(struct sites_view));
}

static void
sites_view_free(void *state)
{
	free(state);
}

/* ARG: a module index to list only its sites (-1: the filters as they
 * are; VIEW_ARG_FIND: the same, the "/" prompt open). */
static int
sites_view_open(struct tui *t, void *state, int64_t arg)
{
	struct sites *s = t->sites;

	if (arg == VIEW_ARG_FIND)
		sites_prompt_open(t, state);
	if (arg >= 0) {
		s->module_filter = (int)arg;
		s->cur.sel = 0;
		sites_refresh(s);
	} else if (s->scope_serial != t->run->scope_serial) {
		sites_refresh(s);
	}
	return 0;
}

static void
sites_draw(struct tui *t, void *state)
{
	struct sites_view *sv = state;
	struct sites *s = t->sites;
	struct sites_layout l;
	char extra[256], live[32];
	const char *via;
	int rows = VIEW_ROWS - 2, x = 2, i;
	struct site_row *sel;

	sites_layout(&l);
	snprintf(extra, sizeof extra, "%ld of %zu%s%s%s%s%s%s%s%s",
	    s->cur.count, s->nrows, s->cls_filter ? " | class: " : "",
	    s->cls_filter ? classes_name_of_letter(s->cls_filter) : "",
	    s->filter[0] ? " | filter: " : "", s->filter,
	    s->module_filter >= 0 ? " | module: " : "",
	    s->module_filter >= 0 ? s->modules[s->module_filter] : "",
	    sites_sort_shown(&l, s->sort) ? "" : " | by ",
	    sites_sort_shown(&l, s->sort) ? "" : site_sort_names[s->sort]);
	draw_title(t, "sites", extra);
	/* The sort shows as the column name in capitals. */
	attrset(A_BOLD);
	draw_text(VIEW_TOP, 0, COLS, s->sort == SORT_CLASS ? "C" : "c");
	draw_right(VIEW_TOP, x, 9, s->sort == SORT_LIVE ? "LIVE" : "live");
	x += 10;
	if (l.blocks) {
		draw_right(VIEW_TOP, x, 8, s->sort == SORT_BLOCKS ? "BLOCKS" :
		    "blocks");
		x += 9;
	}
	if (l.allocs) {
		draw_right(VIEW_TOP, x, 9, s->sort == SORT_ALLOCS ? "ALLOCS" :
		    "allocs");
		x += 10;
	}
	if (l.peak) {
		draw_right(VIEW_TOP, x, 9, s->sort == SORT_PEAK ? "PEAK" :
		    "peak");
		x += 10;
	}
	if (l.growth) {
		draw_right(VIEW_TOP, x, 11, s->sort == SORT_GROWTH ? "GROWTH" :
		    "growth");
		x += 12;
	}
	if (l.trend)
		draw_text(VIEW_TOP, x, l.points, "trend");
	draw_text(VIEW_TOP, l.fn_x, l.fn_w, "function");
	if (l.mod_w > 0)
		draw_text(VIEW_TOP, l.mod_x, l.mod_w, "module");
	attrset(A_NORMAL);
	s->cur.page = rows;
	cursor_clamp(&s->cur);
	for (i = 0; i < rows && s->cur.top + i < s->cur.count; i++) {
		long at = s->cur.top + i;

		sites_draw_row(t, &l, VIEW_TOP + 1 + i,
		    &s->rows[s->order[at]], at == s->cur.sel);
	}
	if (s->cur.count == 0)
		draw_text(VIEW_TOP + 2, 2, COLS - 4, "no site matches");
	sel = sites_selected(s);
	if (sel != NULL) {
		/* The class's words first (a pattern's "released at exit"
		 * ends it), then the frame the filter found, if not the
		 * site's own. */
		via = sites_frame_match(s, sel);
		attrset(draw_attr(t, C_DIM));
		draw_fmt(LINES - 2, 0, COLS, "%s%s%s%s%.*s | %s:%d | %s | %s "
		    "live in scope", sel->pattern ? sel->pattern :
		    classes_name_of_letter(sel->cls), sel->suppressed ?
		    " | suppressed: " : "", sel->suppressed ? sel->suppressed :
		    "", via ? " | in its stack: " : "",
		    via ? (int)strcspn(via, "\t") : 0, via ? via : "",
		    sel->file ? sel->file : "?", sel->line, sel->module,
		    draw_bytes(sel->live_bytes, live, sizeof live));
		attrset(A_NORMAL);
	}
	if (sv->prompting)
		draw_prompt(t, "filter: ", sv->prompt);
	else
		draw_status(t, "s sort  / filter  c class  Enter detail");
}

/* Keys while the "/" prompt is open: the filter follows the text. */
static struct react
sites_prompt_key(struct tui *t, struct sites_view *sv, int ch)
{
	struct sites *s = t->sites;
	size_t len = strlen(sv->prompt);

	switch (ch) {
	case '\n':
	case KEY_ENTER:
		sv->prompting = 0;
		return REACT(REACT_REDRAW);
	case 27:
		sv->prompting = 0;
		snprintf(s->filter, sizeof s->filter, "%s", sv->saved);
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			sv->prompt[len - 1] = '\0';
		break;
	default:
		/* Every other key is the prompt's, even if it does nothing. */
		if (ch < 0x20 || ch > 0xff || len + 1 >= sizeof sv->prompt)
			return REACT(REACT_NONE);
		sv->prompt[len] = (char)ch;
		sv->prompt[len + 1] = '\0';
		break;
	}
	snprintf(s->filter, sizeof s->filter, "%s", sv->prompt);
	s->cur.sel = 0;
	sites_refresh(s);
	return REACT(REACT_REDRAW);
}

static struct react
sites_key(struct tui *t, void *state, int ch)
{
	struct sites_view *sv = state;
	struct sites *s = t->sites;
	struct site_row *row;
	int i;

	if (sv->prompting)
		return sites_prompt_key(t, sv, ch);
	switch (ch) {
	case 's':
		s->sort = (s->sort + 1) % SORT_COUNT;
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case '/':
		sites_prompt_open(t, sv);
		return REACT(REACT_REDRAW);
	case 'c':
		/* All, then each class worst first (query/classes.h). */
		i = s->cls_filter ? classes_rank_of_letter(s->cls_filter) : -1;
		s->cls_filter = i + 1 < CLASSES_N ? classes[i + 1].letter : 0;
		sites_refresh(s);
		return REACT(REACT_REDRAW);
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		/* The selected site's detail, over this view. */
		if ((row = sites_selected(s)) == NULL)
			return REACT(REACT_NONE);
		return REACT_TO(REACT_PUSH, &view_detail, row->id);
	}
	return list_key(&s->cur, ch);
}

static struct react
sites_click(struct tui *t, void *state, int y, int x, int button)
{
	(void)state;
	(void)x;
	return list_click(&t->sites->cur, VIEW_TOP + 1, y, button);
}

static const char *const sites_help[] = {
	"Sites",
	"  s              sort by: live bytes, live blocks, allocations,",
	"                 peak, growth, class",
	"  /              filter by text in function, file or module, or in",
	"                 any frame of the site's stacks (as you type; Enter",
	"                 keeps it, Esc restores the old one); from any view",
	"  c              class filter: all, leak, unclear, steady, freed",
	"  Enter, Right   the site's detail",
	"  class letters  L leak, S steady, U unclear, F freed (all freed);",
	"                 lower case: suppressed (the rule is under the table)",
	NULL,
};

const struct view_ops view_sites = {
	.name = "sites",
	.shortcut = '2',
	.kind = VIEW_MAIN,
	.finds = 1,
	.help = sites_help,
	.init = sites_view_init,
	.free = sites_view_free,
	.open = sites_view_open,
	.draw = sites_draw,
	.key = sites_key,
	.click = sites_click,
};
