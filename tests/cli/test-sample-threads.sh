# samples/threads.c: one worker leaks every tenth job record.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/samples/threads" 2000 || fail "record failed"
stats t.trace
expect_eq "$(allocs_by_size t.trace 128)" 8000 "job records"
expect_eq "$(live_by_size t.trace 128)" 200 "leaked job records"
# All leaked records come from one thread.
n=$(awk '$5 == "size=128" && $3 == "malloc" { print $2 }' t.trace.ordered | sort | uniq -c | wc -l)
expect_eq "$n" 4 "threads allocating job records"
expect_ge "$(stat t.trace threads)" 5 "threads"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
