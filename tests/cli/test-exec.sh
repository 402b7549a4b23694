# exec without fork: the first image's trace is complete and kept, the
# new image writes a trace of its own; a failed exec loses nothing.
. "$SRC/tests/lib.sh"
"$HT" record -q "$BUILD/tests/exec-self" || fail "record failed"
first=$(ls heaptrail.exec-self.*.trace)
second=$(ls heaptrail.exec-self.*.trace.1)
[ -f "$first" ] && [ -f "$second" ] || fail "traces: $(ls)"
stats "$first"
expect_eq "$(stat "$first" complete)" yes "first image: clean end"
expect_eq "$(allocs_by_size "$first" 33)" 100 "first image: 33-byte allocations"
expect_eq "$(live_by_size "$first" 33)" 50 "first image: 33-byte live"
expect_eq "$(allocs_by_size "$first" 55)" 5 "first image: after the failed exec"
stats "$second"
expect_eq "$(stat "$second" complete)" yes "second image: clean end"
expect_eq "$(allocs_by_size "$second" 44)" 10 "second image: 44-byte allocations"
expect_eq "$(allocs_by_size "$second" 33)" 0 "second image: nothing of the first"

# With -o NAME, programs it execs write NAME.<pid>.
"$HT" record -q -o named.trace "$BUILD/tests/exec-self" || fail "record -o failed"
stats named.trace
expect_eq "$(allocs_by_size named.trace 33)" 100 "named: first image"
n=$(ls named.trace.* | grep -v '\.stats$\|\.ordered$\|\.err$' | wc -l)
expect_eq "$n" 1 "named: one trace for the exec'd image"
