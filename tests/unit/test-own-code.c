/*
 * test-own-code.c - what is the toolchain's library code and what the
 * program's own (analyzer/own-code.c), on file names and demangled
 * function names as rustc 1.95, g++ 12 and glibc 2.36 give them.
 */
#include "../../analyzer/own-code.h"
#include "test.h"

#define RUSTC "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860"

static void
test_files(void)
{
	/* C++ */
	expect_true(own_code_file_is_toolchain(
	    "/usr/include/c++/12/bits/stl_tree.h"));
	expect_true(own_code_file_is_toolchain(
	    "/usr/lib/llvm-14/include/c++/v1/__memory/allocator.h"));
	expect_true(own_code_file_is_toolchain(
	    "/usr/lib/gcc/x86_64-linux-gnu/12/include/mm_malloc.h"));
	expect_true(own_code_file_is_toolchain(
	    "../../../../libstdc++-v3/src/c++11/string-inst.cc"));
	/* Rust: std, alloc, core; the crates std vendors, now and before */
	expect_true(own_code_file_is_toolchain(RUSTC
	    "/library/alloc/src/vec/spec_from_elem.rs"));
	expect_true(own_code_file_is_toolchain(
	    "/rust/deps/hashbrown-0.16.1/src/raw/mod.rs"));
	expect_true(own_code_file_is_toolchain("/cargo/registry/src/"
	    "index.crates.io-6f17d22bba15001f/hashbrown-0.14.3/src/map.rs"));
	/* glibc's headers, not other libraries' */
	expect_true(own_code_file_is_toolchain(
	    "/usr/include/x86_64-linux-gnu/bits/stdio2.h"));
	expect_true(own_code_file_is_toolchain("/usr/include/bits/string_"
	    "fortified.h"));
	expect_true(own_code_file_is_toolchain("/usr/include/stdlib.h"));
	expect_true(!own_code_file_is_toolchain("/usr/include/zlib.h"));
	expect_true(!own_code_file_is_toolchain(
	    "/usr/include/glib-2.0/glib/gmem.h"));
	/* the program's */
	expect_true(!own_code_file_is_toolchain("src/registry.cc"));
	expect_true(!own_code_file_is_toolchain("/home/u/app/src/main.rs"));
	expect_true(!own_code_file_is_toolchain("/home/u/.cargo/registry/src/"
	    "index.crates.io-6f17d22bba15001f/serde-1.0.0/src/de.rs"));
	expect_true(!own_code_file_is_toolchain(NULL));
}

static void
test_modules(void)
{
	expect_true(own_code_module_is_toolchain(
	    "/lib64/ld-linux-x86-64.so.2"));
	expect_true(own_code_module_is_toolchain(
	    "/lib/x86_64-linux-gnu/libm.so.6"));
	expect_true(own_code_module_is_toolchain(
	    "/lib/x86_64-linux-gnu/libgcc_s.so.1"));
	expect_true(own_code_module_is_toolchain(
	    "/home/u/.rustup/toolchains/stable/lib/libstd-8e3c4b1a.so"));
	expect_true(!own_code_module_is_toolchain(
	    "/lib/x86_64-linux-gnu/libmagic.so.1"));
	expect_true(!own_code_module_is_toolchain("/usr/bin/python3.11"));
	expect_true(!own_code_module_is_toolchain(NULL));
}

static void
test_names(void)
{
	/* C++, also past a template function's return type */
	expect_true(own_code_function_is_toolchain("std::_Rb_tree<long, "
	    "std::pair<long const, int> >::_M_get_node()"));
	expect_true(own_code_function_is_toolchain("void std::vector<int, "
	    "std::allocator<int> >::_M_realloc_insert<int const&>("
	    "__gnu_cxx::__normal_iterator<int*, std::vector<int> >, "
	    "int const&)"));
	expect_true(own_code_function_is_toolchain("std::__detail::_MakeUniq<"
	    "Session>::__single_object std::make_unique<Session>()"));
	expect_true(own_code_function_is_toolchain(
	    "__gnu_cxx::__concurrence_lock_error::~__concurrence_lock_error()"));
	expect_true(!own_code_function_is_toolchain("Registry::add(long)"));
	expect_true(!own_code_function_is_toolchain("std_like::f()"));
	/* the program's template function returning a std type */
	expect_true(!own_code_function_is_toolchain("std::vector<int, "
	    "std::allocator<int> > make_ids<int>(int)"));
	/* Rust paths and impl blocks */
	expect_true(own_code_function_is_toolchain(
	    "alloc::raw_vec::finish_grow"));
	expect_true(own_code_function_is_toolchain(
	    "<alloc::vec::Vec<u8>>::with_capacity"));
	expect_true(own_code_function_is_toolchain(
	    "<u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem"));
	expect_true(own_code_function_is_toolchain(
	    "<u8 as <[_]>::to_vec_in::ConvertVec>::to_vec::<alloc::alloc::"
	    "Global>"));
	expect_true(own_code_function_is_toolchain(
	    "<[u8]>::to_vec_in::<alloc::alloc::Global>"));
	expect_true(own_code_function_is_toolchain("<&str as "
	    "core::convert::Into<alloc::string::String>>::into"));
	expect_true(own_code_function_is_toolchain(
	    "<hashbrown::raw::RawTable<(u64, u64)>>::reserve_rehash"));
	expect_true(!own_code_function_is_toolchain(
	    "<myapp::Foo as core::clone::Clone>::clone"));
	expect_true(!own_code_function_is_toolchain(
	    "<alloc::vec::Vec<u8> as myapp::Encode>::encode"));
	expect_true(!own_code_function_is_toolchain("<myapp::Foo>::new"));
	expect_true(!own_code_function_is_toolchain("myapp::ingest"));
	/* the C runtime's start-up code */
	expect_true(own_code_function_is_toolchain("_start"));
	expect_true(!own_code_function_is_toolchain("main"));
	expect_true(!own_code_function_is_toolchain(NULL));
	expect_true(own_code_function_is_entry("std::rt::lang_start_internal"));
	expect_true(!own_code_function_is_entry("myapp::main"));
}

static void
test_file_beats_name(void)
{
	expect_true(own_code_frame_is_own(
	    "<myapp::Foo as core::clone::Clone>::clone", "src/foo.rs"));
	/* a std name in the program's file: a macro or generic expanded
	   there is still the program's line */
	expect_true(own_code_frame_is_own("core::ptr::write", "src/foo.rs"));
	expect_true(!own_code_frame_is_own("myapp::f", RUSTC
	    "/library/std/src/io/stdio.rs"));
	/* without a file, by name */
	expect_true(!own_code_frame_is_own("std::__cxx11::basic_string<char, "
	    "std::char_traits<char>, std::allocator<char> >::_M_create("
	    "unsigned long&, unsigned long)", NULL));
	expect_true(own_code_frame_is_own("register_session(long)", NULL));
	expect_true(own_code_frame_is_own("register_session(long)", ""));
	/* neither: unknown code outside a toolchain module */
	expect_true(own_code_frame_is_own(NULL, NULL));
}

int
main(void)
{
	static const struct test tests[] = {
		{ "own-code: toolchain source files", test_files },
		{ "own-code: toolchain modules", test_modules },
		{ "own-code: toolchain function names", test_names },
		{ "own-code: a file beats a name", test_file_beats_name },
		{ NULL, NULL },
	};

	return test_run(tests);
}
