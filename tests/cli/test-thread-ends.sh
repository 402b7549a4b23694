# Threads that are detached, cancelled, or call pthread_exit: their
# events arrive, and their streams end.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/thread-ends" || fail "record failed"
stats t.trace
expect_eq "$(stat t.trace complete)" yes "clean end"
for size in 444 555 666; do
	expect_eq "$(allocs_by_size t.trace $size)" 10 "$size-byte allocations"
	expect_eq "$(live_by_size t.trace $size)" 10 "$size-byte blocks live"
done
expect_ge "$(stat t.trace thread_ends)" 3 "thread ends"
