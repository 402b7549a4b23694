/*
 * plugin-host.c - loads a plugin with dlopen, drives it, unloads it.
 *
 * The plugin (samples/plugin/leakplugin.c, built as libleakplugin.so next
 * to this program) leaks; heaptrail still names its module, function and
 * line after dlclose, from the module map and debug info of the run.
 *
 * usage: plugin-host [TICKS]   (default 1500, one every 0.3 ms)
 */
#include <dlfcn.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1500, i;
	struct timespec pause = { 0, 300000 };
	char self[PATH_MAX], path[PATH_MAX + 32];
	void (*tick)(void);
	ssize_t len;
	void *h;

	len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	snprintf(path, sizeof path, "%s/libleakplugin.so", dirname(self));
	if ((h = dlopen(path, RTLD_NOW)) == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	*(void **)&tick = dlsym(h, "plugin_tick");
	for (i = 0; i < n; i++) {
		tick();
		nanosleep(&pause, NULL);
	}
	dlclose(h);
	return 0;
}
