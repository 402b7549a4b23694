/*
 * views.c - the browser's views, in one table: adding a view is a
 * view-*.c file defining its struct view_ops and a line here.
 *
 * The order is the help's and Tab's; the first view is the one the browser
 * opens on and the one Esc goes home to.  Each view declares the key that
 * shows it (struct view_ops), so tui.c needs no view's name.
 */
#include <stddef.h>

#include "tui.h"

extern const struct view_ops view_overview, view_tree, view_modules,
    view_help;

const struct view_ops *const tui_views[] = {
	&view_overview,
	&view_sites,
	&view_tree,
	&view_modules,
	&view_detail,
	&view_help,
	NULL,
};
