# samples/leak.c: half of the sessions are lost; markers are recorded.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/samples/leak" 400 || fail "record failed"
stats t.trace
expect_eq "$(stat t.trace alloc.malloc.calls)" 400 "sessions allocated"
expect_eq "$(stat t.trace free.free.calls)" 200 "sessions freed"
expect_eq "$(stat t.trace live_blocks)" 200 "sessions lost"
expect_eq "$(stat t.trace live_bytes)" $((200 * 256)) "bytes lost"
expect_eq "$(stat t.trace markers)" 3 "markers start and done, and the end of the work"
expect_eq "$(stat t.trace stacks)" 1 "one allocation stack"
