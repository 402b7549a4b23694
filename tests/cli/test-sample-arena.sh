# samples/arena.c: table and arena held, request buffers all freed.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/samples/arena" 3000 || fail "record failed"
stats t.trace
expect_eq "$(live_by_size t.trace 64)" 1000 "table entries live"
expect_eq "$(live_by_size t.trace $((4 << 20)))" 1 "arena live"
expect_eq "$(live_by_size t.trace 8000)" 1 "table index live"
expect_eq "$(allocs_by_size t.trace 512)" 3000 "request buffers"
expect_eq "$(live_by_size t.trace 512)" 0 "request buffers live"
expect_eq "$(stat t.trace markers)" 2 "markers (serving, and the end of the work)"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
"$HT" dump t.trace | grep -q 'mark "serving"' || fail "marker 'serving' missing"
