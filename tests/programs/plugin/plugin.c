/*
 * plugin.c - a shared library that tests/programs/plugin-host.c loads
 * with dlopen: it allocates 10 blocks of 4321 bytes when asked, and its
 * destructor (run by dlclose) frees 4 of them.
 */
#include <stdlib.h>

static void *blocks[10];

void plugin_work(void);

void
plugin_work(void)
{
	int i;

	for (i = 0; i < 10; i++)
		blocks[i] = malloc(4321);
}

__attribute__((destructor)) static void
plugin_fini(void)
{
	int i;

	for (i = 0; i < 4; i++)
		free(blocks[i]);
}
