/*
 * path.h - source file paths as DWARF gives them, made readable.
 *
 * Debian's libraries are built with relative compilation directories
 * ("./string"), and libdwarf joins a DWARF 5 file of directory 0 with both
 * the compilation directory and directory 0, which is that directory
 * again: "./string/./string/strdup.c".  path_clean_source() turns that
 * into "string/strdup.c".
 */
#ifndef HEAPTRAIL_PATH_H
#define HEAPTRAIL_PATH_H

/*
 * Cleans PATH in place (it never grows): first a leading "D/D/" becomes
 * "D/" for the unit's compilation directory D (NULL: none), if D is
 * relative; then, lexically, "." components go and "X/.." pairs fold
 * (".." that has nothing to fold stays, and "/.." at the root is "/").
 * A path that becomes empty is ".".
 */
void path_clean_source(char *path, const char *comp_dir);

#endif /* HEAPTRAIL_PATH_H */
