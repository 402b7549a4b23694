# exec without fork: the trace's name goes to the last image, the first
# image's trace is moved aside to NAME.exec1, complete; a failed exec
# loses nothing and moves nothing.
. "$SRC/tests/lib.sh"
"$HT" record "$BUILD/tests/exec-self" 2> err || fail "record failed: $(cat err)"
last=$(ls heaptrail.exec-self.*.trace)
first=$last.exec1
[ -f "$last" ] && [ -f "$first" ] || fail "traces: $(ls)"
expect_eq "$(ls | grep -c '^heaptrail\.')" 2 "two traces: $(ls)"
grep -q "analyze with: heaptrail analyze $last\$" err || fail "summary: $(cat err)"
grep -q "before it exec'd, the program wrote $first (exec-self): 1[0-9][0-9] events, 105 allocations" err ||
	fail "side file not listed: $(cat err)"
stats "$first"
expect_eq "$(stat "$first" complete)" yes "first image: clean end"
expect_eq "$(allocs_by_size "$first" 33)" 100 "first image: 33-byte allocations"
expect_eq "$(live_by_size "$first" 33)" 50 "first image: 33-byte live"
expect_eq "$(allocs_by_size "$first" 55)" 5 "first image: after the failed exec"
stats "$last"
expect_eq "$(stat "$last" complete)" yes "second image: clean end"
expect_eq "$(allocs_by_size "$last" 44)" 10 "second image: 44-byte allocations"
expect_eq "$(allocs_by_size "$last" 33)" 0 "second image: nothing of the first"

# With -o NAME too: NAME is the last image, NAME.exec1 the first.
"$HT" record -q -o named.trace "$BUILD/tests/exec-self" || fail "record -o failed"
stats named.trace
expect_eq "$(allocs_by_size named.trace 44)" 10 "named: last image"
expect_eq "$(allocs_by_size named.trace.exec1 33)" 100 "named: first image"
n=$(ls named.trace.* | grep -v '\.stats$\|\.ordered$\|\.err$' | wc -l)
expect_eq "$n" 1 "named: one side file: $(ls)"

# Again over the same name: the side file of the last run is replaced,
# not added to.
"$HT" record -q -o named.trace "$BUILD/tests/exec-self" || fail "record -o again failed"
[ -e named.trace.exec2 ] && fail "named.trace.exec2 left from the first run"
rm -f named.trace.ordered
expect_eq "$(allocs_by_size named.trace 44)" 10 "again: last image"
