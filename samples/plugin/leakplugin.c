/*
 * leakplugin.c - a plugin (shared object) that leaks, loaded with dlopen
 * by samples/plugin-host.c and unloaded before the program ends.  Each
 * tick it allocates a 512-byte event record and keeps every third one
 * in a list nobody reads.
 */
#include <stdlib.h>

struct event {
	struct event *next;
	char data[504];
};

static struct event *kept;
static long ticks;

void plugin_tick(void);

void
plugin_tick(void)
{
	struct event *e = malloc(sizeof *e);

	e->data[0] = (char)ticks;
	if (ticks++ % 3 == 0) {
		e->next = kept;		/* the leak */
		kept = e;
	} else {
		free(e);
	}
}
