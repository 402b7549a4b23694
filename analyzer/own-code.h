/*
 * own-code.h - is a frame the program's own code, or the toolchain's
 * library code (the C++ and Rust standard libraries, glibc)?  The site
 * of a stack is its innermost frame of the program's own (load.c).
 */
#ifndef HEAPTRAIL_OWN_CODE_H
#define HEAPTRAIL_OWN_CODE_H

/*
 * Whether the object at PATH (a module's path as the loader saw it) is
 * all toolchain library code: glibc's libraries and loader, libgcc_s,
 * libc++, libc++abi, Rust's libstd-*.so.  (libc and libstdc++ are
 * allocation plumbing already: load.c.)
 */
int own_code_module_is_toolchain(const char *path);

/*
 * Whether source FILE (as in the debug info) belongs to the toolchain:
 * the C++ standard library's headers and sources, the compiler's own
 * headers, Rust's std/alloc/core and their vendored crates, glibc's
 * headers under /usr/include.
 */
int own_code_file_is_toolchain(const char *file);

/*
 * Whether the (demangled) function name FUNCTION is the toolchain's:
 * for frames without a file only.
 */
int own_code_function_is_toolchain(const char *function);

/*
 * Whether FUNCTION is the toolchain's code that calls the program's main
 * (Rust's std::rt::lang_start_internal): no frame outside it is the
 * program's own, not even the C main that rustc generates, which has no
 * debug info and the name of a user's function.
 */
int own_code_function_is_entry(const char *function);

/*
 * Whether a frame (an inlined one too) with FUNCTION and FILE (either
 * may be NULL) is the program's own code: by FILE when it is known (a
 * user's `<app::Foo as core::clone::Clone>::clone` in the user's file is
 * the user's), else by FUNCTION; a frame with neither is the program's.
 */
int own_code_frame_is_own(const char *function, const char *file);

#endif /* HEAPTRAIL_OWN_CODE_H */
