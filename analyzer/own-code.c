/*
 * own-code.c - which code is the toolchain's library code and which is
 * the program's own, for choosing a stack's site (load.c): the site is
 * the innermost frame of the program's own code, so that a C++ user sees
 * the line that inserted into a std::map, not std::_Rb_tree::_M_get_node
 * in stl_tree.h, and a Rust user the line that pushed to a Vec.
 *
 * Toolchain library code is what comes with the compiler and the C
 * library rather than with the program: the C++ standard library
 * (libstdc++ or libc++, their headers and sources), the compiler's own
 * headers, Rust's std, alloc and core and the crates std vendors
 * (hashbrown ...), and glibc (its libraries and the inline functions of
 * its headers).  Everything else is the program's, other libraries it
 * links included.
 *
 * A frame is judged by its source file when the debug info gives one,
 * else by its function's name, else (no file, no name) it is the
 * program's: unknown code outside a toolchain module.  The rules are
 * plain string tests, run once per distinct address and inlined frame.
 */
#include <stddef.h>
#include <string.h>

#include "own-code.h"

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
own_code_module_is_toolchain(const char *path)
{
	/* Prefixes of the file name: glibc's libraries and loader, GCC's
	   and LLVM's runtime libraries, Rust's std as a shared library. */
	static const char *const prefix[] = { "ld-linux", "ld64.so.",
	    "libm.so", "libmvec.so", "libpthread.so", "libdl.so", "librt.so",
	    "libresolv.so", "libanl.so", "libutil.so", "libnsl.so", "libnss_",
	    "libBrokenLocale.so", "libthread_db.so", "libc_malloc_debug.so",
	    "libmemusage.so", "libgcc_s.so", "libatomic.so", "libc++.so",
	    "libc++abi.so", "libunwind.so", NULL };
	const char *name;
	int i;

	if (path == NULL)
		return 0;
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	for (i = 0; prefix[i] != NULL; i++)
		if (starts_with(name, prefix[i]))
			return 1;
	/* Rust: libstd-<hash>.so (rustc -C prefer-dynamic) */
	return starts_with(name, "libstd-") && strstr(name, ".so") != NULL;
}

/*
 * glibc's headers under /usr/include: its bits/, sys/ and gnu/ folders
 * (also below the multiarch folder, /usr/include/x86_64-linux-gnu/bits/)
 * and the top-level headers that have inline functions.  Other
 * libraries' headers there are not the toolchain's.
 */
static int
file_is_glibc_header(const char *file)
{
	static const char *const dirs[] = { "bits/", "sys/", "gnu/", NULL };
	static const char *const top[] = { "stdlib.h", "stdio.h", "string.h",
	    "strings.h", "wchar.h", "ctype.h", "fcntl.h", "unistd.h",
	    "poll.h", "signal.h", "pthread.h", "malloc.h", "alloca.h", NULL };
	const char *rest, *slash;
	int i;

	if (!starts_with(file, "/usr/include/"))
		return 0;
	rest = file + strlen("/usr/include/");
	for (i = 0; top[i] != NULL; i++)
		if (strcmp(rest, top[i]) == 0)
			return 1;
	/* one optional multiarch folder ("x86_64-linux-gnu/") first */
	if ((slash = strchr(rest, '/')) != NULL && strstr(rest, "-linux-") !=
	    NULL && strstr(rest, "-linux-") < slash)
		rest = slash + 1;
	for (i = 0; dirs[i] != NULL; i++)
		if (starts_with(rest, dirs[i]))
			return 1;
	return 0;
}

int
own_code_file_is_toolchain(const char *file)
{
	/* Anywhere in the path. */
	static const char *const within[] = {
	    /* C++ standard library headers: libstdc++'s
	       /usr/include/c++/12/, libc++'s /usr/include/c++/v1/ or
	       /usr/lib/llvm-N/include/c++/v1/ */
	    "/include/c++/",
	    /* the compiler's own headers, PREFIX/lib/gcc/TARGET/VERSION/ */
	    "/lib/gcc/",
	    /* libstdc++ and libc++ sources (statically linked) */
	    "libstdc++-v3/", "/libcxx/", "/libcxxabi/",
	    /* Rust's library sources in a toolchain (-Zbuild-std) */
	    "/lib/rustlib/src/rust/", NULL };
	/* At the start: where the Rust project's builders put its sources.
	   /rustc/<commit>/library/{std,alloc,core}/ (before 1.47
	   /rustc/<commit>/src/lib*), and the crates std vendors
	   (hashbrown ...): /rust/deps/<crate>-<version>/ since about 1.79,
	   /cargo/registry/src/<index>/<crate>-<version>/ before (a user's
	   registry is in the user's home, never at the root). */
	static const char *const prefix[] = { "/rustc/", "/rust/deps/",
	    "/cargo/registry/", NULL };
	int i;

	if (file == NULL)
		return 0;
	for (i = 0; within[i] != NULL; i++)
		if (strstr(file, within[i]) != NULL)
			return 1;
	for (i = 0; prefix[i] != NULL; i++)
		if (starts_with(file, prefix[i]))
			return 1;
	return file_is_glibc_header(file);
}

/* Rust crates and C++ namespaces of the toolchain, as a name's start. */
static int
name_is_std_path(const char *s)
{
	static const char *const prefix[] = { "std::", "core::", "alloc::",
	    "hashbrown::", "__gnu_cxx::", "__cxxabiv1::", "__cxa_", NULL };
	int i;

	for (i = 0; prefix[i] != NULL; i++)
		if (starts_with(s, prefix[i]))
			return 1;
	return 0;
}

/*
 * The qualified name in a demangled C++ name, past the return type that
 * template functions carry ("void std::vector<int>::_M_realloc_insert<
 * ...>(...)"): after the last space, outside brackets, before the
 * parameter list.  Names it cannot read are taken whole.
 */
static const char *
name_start(const char *f)
{
	const char *p, *start = f;
	int depth = 0;

	if (starts_with(f, "operator") || f[0] == '<' || f[0] == '(')
		return f;
	for (p = f; *p != '\0'; p++) {
		if (*p == '<' || *p == '[')
			depth++;
		else if ((*p == '>' || *p == ']') && depth > 0)
			depth--;
		else if (*p == '(' && depth == 0)
			break;
		else if (*p == ' ' && depth == 0)
			start = p + 1;
	}
	return start;
}

/*
 * Whether TYPE (a Rust type as demangled, up to END) is a type only the
 * standard library can have impls on alongside its traits: a primitive,
 * slice, array, tuple, pointer to one, or a path into std, core, alloc.
 */
static int
rust_type_is_foreign(const char *type, const char *end)
{
	static const char *const skip[] = { "&mut ", "&", "*const ", "*mut ",
	    "dyn ", NULL };
	const char *p;
	int i;

	for (i = 0; skip[i] != NULL; i++)
		if (starts_with(type, skip[i])) {
			type += strlen(skip[i]);
			i = -1;		/* again: "&&mut T" */
		}
	if (*type == '[' || *type == '(' || starts_with(type, "fn(") ||
	    starts_with(type, "fn "))
		return 1;
	if (name_is_std_path(type))
		return 1;
	/* a single identifier (u8, str, usize): a primitive */
	for (p = type; p < end && *p != '<'; p++)
		if (p[0] == ':' && p[1] == ':')
			return 0;
	return 1;
}

/*
 * A Rust impl block's method, "<Type>::method" or "<Type as Trait>::
 * method": the toolchain's when Type is foreign (see above) and Trait,
 * if any, is std's.  A user's type, or a user's trait, makes it the
 * user's (Rust's orphan rule keeps impls of std's traits on std's types
 * inside std).
 */
static int
rust_impl_is_toolchain(const char *f)
{
	const char *p, *as = NULL;
	int depth = 1;

	for (p = f + 1; *p != '\0' && depth > 0; p++) {
		if (*p == '<' || *p == '(' || *p == '[')
			depth++;
		else if ((*p == '>' && p[-1] != '-') || *p == ')' || *p == ']')
			depth--;
		else if (depth == 1 && as == NULL && starts_with(p, " as "))
			as = p;
	}
	if (depth > 0)
		return 0;	/* not an impl path */
	if (!rust_type_is_foreign(f + 1, as ? as : p - 1))
		return 0;
	if (as == NULL)
		return 1;
	/* the trait may be an impl's own: <[_]>::to_vec_in::ConvertVec */
	return as[4] == '<' ? rust_impl_is_toolchain(as + 4) :
	    name_is_std_path(as + 4);
}

int
own_code_function_is_toolchain(const char *function)
{
	/* The C runtime's start-up files (crt1.o, crti.o, crtbegin.o),
	   linked into every program. */
	static const char *const crt[] = { "_start", "_init", "_fini",
	    "frame_dummy", "register_tm_clones", "deregister_tm_clones",
	    "__do_global_dtors_aux", "__libc_csu_init", "__libc_csu_fini",
	    NULL };
	int i;

	if (function == NULL)
		return 0;
	for (i = 0; crt[i] != NULL; i++)
		if (strcmp(function, crt[i]) == 0)
			return 1;
	if (function[0] == '<')
		return rust_impl_is_toolchain(function);
	return name_is_std_path(name_start(function));
}

int
own_code_function_is_entry(const char *function)
{
	return function != NULL &&
	    starts_with(function, "std::rt::lang_start_internal");
}

int
own_code_frame_is_own(const char *function, const char *file)
{
	if (file != NULL && file[0] != '\0')
		return !own_code_file_is_toolchain(file);
	return !own_code_function_is_toolchain(function);
}
