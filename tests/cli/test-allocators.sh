# Other allocators: one loaded as a shared library (preloaded, or linked
# normally) is recorded exactly; one the recorder cannot see is reported.
. "$SRC/tests/lib.sh"
libdir=/usr/lib/x86_64-linux-gnu
TC=$libdir/libtcmalloc_minimal.so.4
JE=$libdir/libjemalloc.so.2

# whole TRACE WHAT : endings' 1000 allocations, 400 live, no unknown free
whole() {
	stats "$1"
	expect_eq "$(allocs_by_size "$1" 48)" 1000 "$2: 48-byte allocations"
	expect_eq "$(live_by_size "$1" 48)" 400 "$2: live 48-byte blocks"
	expect_eq "$(stat "$1" unknown_frees)" 0 "$2: unknown frees"
}

if [ -f "$TC" ]; then
	# (ASAN_OPTIONS: `make asan` builds heaptrail itself with ASan,
	# which wants its runtime ahead of any preload.)
	LD_PRELOAD=$TC ASAN_OPTIONS=verify_asan_link_order=0 \
		"$HT" record -q -o tc.trace -- "$BUILD/tests/endings" return ||
		fail "tcmalloc preloaded: record failed"
	"$HT" dump tc.trace | grep -q 'path=".*libtcmalloc_minimal' ||
		fail "tcmalloc preloaded: not loaded in the program"
	whole tc.trace "tcmalloc preloaded"
	# Preloaded ahead of the recorder, by hand: said, not silently empty.
	LD_PRELOAD="$TC $LIB" HEAPTRAIL_OUTPUT=tc-first.trace \
		"$BUILD/tests/endings" return 2> err || fail "tcmalloc first: run failed"
	grep -q "allocations will not be recorded: malloc is defined ahead of the recorder.*libtcmalloc" err ||
		fail "tcmalloc first: no warning: $(cat err)"
else
	echo "  tcmalloc parts skipped: $TC not installed" >&2
fi

if [ -f "$JE" ]; then
	gcc -O1 -o je-endings "$SRC/tests/programs/endings.c" "$JE" -pthread ||
		fail "cannot link endings with jemalloc"
	"$HT" record -q -o je.trace -- ./je-endings return || fail "jemalloc linked: record failed"
	"$HT" dump je.trace | grep -q 'path=".*libjemalloc' || fail "jemalloc linked: not loaded"
	whole je.trace "jemalloc linked"
else
	echo "  jemalloc parts skipped: $JE not installed" >&2
fi

# An allocator built into the program: exported (the recorder says so at
# start) or hidden (record finds it in the symbol table).
"$HT" record -o own.trace -- "$BUILD/tests/own-malloc" 2> err || fail "own malloc: record failed"
grep -q "allocations will not be recorded: malloc is defined ahead of the recorder.*own-malloc" err ||
	fail "own malloc, exported: no warning: $(cat err)"
gcc -O1 -fvisibility=hidden -o own-hidden "$SRC/tests/programs/own-malloc.c" ||
	fail "cannot build own-hidden"
"$HT" record -o hidden.trace -- ./own-hidden 2> err || fail "own malloc hidden: record failed"
grep -q "has an allocator of its own built in" err || fail "own malloc, hidden: no warning: $(cat err)"
