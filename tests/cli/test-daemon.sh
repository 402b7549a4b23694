# A program that closes every descriptor, dup2s onto any number, changes
# directory and clears its environment is still recorded to the path
# given at start, and nothing of the trace lands in its own files.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/daemon" "$PWD/out.txt" || fail "record failed"
expect_eq "$(cat out.txt)" "$(printf 'hello\nworld')" "the program's file"
stats t.trace
expect_eq "$(stat t.trace complete)" yes "clean end"
expect_eq "$(allocs_by_size t.trace 333)" 200 "allocations"
expect_eq "$(live_by_size t.trace 333)" 150 "live blocks"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
# Bare, with a relative output path: written where it started.
mkdir sub && (cd sub && LD_PRELOAD=$LIB HEAPTRAIL_OUTPUT=bare.trace \
	"$BUILD/tests/daemon" "$PWD/out2.txt") || fail "bare run failed"
expect_eq "$(cat sub/out2.txt)" "$(printf 'hello\nworld')" "the program's file (bare)"
stats sub/bare.trace
expect_eq "$(allocs_by_size sub/bare.trace 333)" 200 "allocations (bare)"
