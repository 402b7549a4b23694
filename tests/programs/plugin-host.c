/*
 * plugin-host.c - dlopen a plugin, let it allocate, dlclose it.
 *
 * usage: plugin-host PLUGIN.so
 * The plugin's module must be seen loaded and then unloaded, its
 * allocations recorded from inside it, and the frees its destructor makes
 * during dlclose recorded too.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	void *h;
	void (*work)(void);

	if (argc < 2)
		return 2;
	h = dlopen(argv[1], RTLD_NOW);
	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	*(void **)&work = dlsym(h, "plugin_work");
	work();
	usleep(30000);		/* long enough for a module scan */
	dlclose(h);
	return 0;
}
