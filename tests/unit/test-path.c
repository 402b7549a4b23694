/*
 * test-path.c - util/path.c: source paths as DWARF and libdwarf give
 * them (Debian's relative compilation directories joined twice, "." and
 * ".." components) made readable, and paths that are fine left alone.
 */
#include "../../util/path.h"
#include "test.h"

static void
check(const char *in, const char *comp_dir, const char *want)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s", in);
	path_clean_source(buf, comp_dir);
	if (strcmp(buf, want) != 0)
		test_fail_at("'%s' (comp_dir '%s'): got '%s', expected '%s'",
		    in, comp_dir ? comp_dir : "(none)", buf, want);
}

static void
test_libc(void)
{
	check("./string/./string/strdup.c", "./string", "string/strdup.c");
	check("./locale/./locale/setlocale.c", "./locale",
	    "locale/setlocale.c");
	check("./csu/../sysdeps/nptl/libc_start_call_main.h", "./csu",
	    "sysdeps/nptl/libc_start_call_main.h");
	check("./csu/../csu/libc-start.c", "./csu", "csu/libc-start.c");
	check("./locale/../posix/bits/types.h", "./locale",
	    "posix/bits/types.h");
	/* A directory named twice on purpose is not the double join. */
	check("src/src/main.c", NULL, "src/src/main.c");
	check("src/src/main.c", "lib", "src/src/main.c");
}

static void
test_plain(void)
{
	check("/work/main/tests/programs/leak.c", "/work/main",
	    "/work/main/tests/programs/leak.c");
	check("/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h", "./x",
	    "/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h");
	check("/usr/lib/../include//a.h", NULL, "/usr/include/a.h");
	check("../bits/x.h", NULL, "../bits/x.h");
	check("a/../../b", NULL, "../b");
	check("/..", NULL, "/");
	check("./", NULL, ".");
	check("x.c", NULL, "x.c");
}

int
main(void)
{
	static const struct test tests[] = {
		{ "path: libc's doubled and dotted paths", test_libc },
		{ "path: other paths", test_plain },
		{ NULL, NULL },
	};

	return test_run(tests);
}
