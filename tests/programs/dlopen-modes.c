/*
 * dlopen-modes.c - open libplugin.so by its bare name, found through the
 * program's RUNPATH ($ORIGIN/lib, set by test-dlopen-modes.sh), in one
 * of the ways the recorder must not disturb or must warn about.
 *
 * usage: dlopen-modes plain|deepbind|dlmopen
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "plain";
	void (*work)(void);
	void *h;

	if (strcmp(mode, "dlmopen") == 0)
		h = dlmopen(LM_ID_NEWLM, "libplugin.so", RTLD_NOW);
	else
		h = dlopen("libplugin.so", RTLD_NOW |
		    (strcmp(mode, "deepbind") == 0 ? RTLD_DEEPBIND : 0));
	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	*(void **)&work = dlsym(h, "plugin_work");
	work();
	dlclose(h);
	printf("ok\n");
	return 0;
}
