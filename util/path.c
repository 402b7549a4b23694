/*
 * path.c - source file paths made readable (see path.h).
 */
#include <string.h>

#include "path.h"

/* Drops a leading "D/" when what follows starts with "D/" again. */
static void
path_drop_double_dir(char *path, const char *dir)
{
	size_t n;

	if (dir == NULL || dir[0] == '/' || dir[0] == '\0')
		return;
	n = strlen(dir);
	while (n > 0 && dir[n - 1] == '/')
		n--;
	if (n == 0 || strncmp(path, dir, n) != 0 || path[n] != '/' ||
	    strncmp(path + n + 1, dir, n) != 0 || path[2 * n + 1] != '/')
		return;
	memmove(path, path + n + 1, strlen(path + n + 1) + 1);
}

void
path_clean_source(char *path, const char *comp_dir)
{
	char *out, *p;
	size_t kept = 0;	/* components in out that ".." may fold */
	int absolute;

	path_drop_double_dir(path, comp_dir);
	absolute = path[0] == '/';
	out = p = path + absolute;
	/* OUT never passes P: each component is written at or before where
	   it was read, with a '/' before it unless it is the first. */
	while (*p != '\0') {
		size_t len = strcspn(p, "/");
		int dots = len == 2 && p[0] == '.' && p[1] == '.';

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* "//" or "/./": nothing */
		} else if (dots && kept > 0) {
			/* Back over the last component and the '/' before. */
			while (out > path + absolute && out[-1] != '/')
				out--;
			if (out > path + absolute)
				out--;
			kept--;
		} else if (!(dots && absolute && out == path + absolute)) {
			/* ("/.." at the root is "/".) */
			if (out > path + absolute)
				*out++ = '/';
			memmove(out, p, len);
			out += len;
			kept += !dots;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	if (out == path)
		*out++ = '.';
	*out = '\0';
}
