# Hundreds of short-lived threads: all their events arrive, buffers of
# exited threads are reused, thread names are kept.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/many-threads" 40 10 || fail "record failed"
stats t.trace
expect_eq "$(live_by_size t.trace 77)" 800 "live 77-byte blocks"
expect_eq "$(allocs_by_size t.trace 77)" 2000 "77-byte allocations"
expect_ge "$(stat t.trace threads)" 401 "threads seen"
expect_ge "$(stat t.trace thread_ends)" 400 "thread ends seen"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
"$HT" dump t.trace | grep -q 'thread-name "worker-1"' || fail "thread name worker-1 missing"
