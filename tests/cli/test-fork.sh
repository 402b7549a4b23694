# fork: each process records into its own trace, named by its pid; no
# event is written twice or lost, even with another thread busy at the
# moment of the fork; a grandchild that calls _exit is complete too.
. "$SRC/tests/lib.sh"
out=$("$HT" record -- "$BUILD/tests/fork-child" 2> record.err) ||
	fail "record failed: $(cat record.err)"
expect_eq "$out" "child ok" "program output"
n=$(ls heaptrail.fork-child.*.trace | wc -l)
expect_eq "$n" 3 "traces: $(ls)"
# record names the children's traces too.
expect_eq "$(grep -c '^heaptrail: a child process wrote heaptrail.fork-child.[0-9]*.trace: ' record.err)" 2 \
	"record's list of child traces: $(cat record.err)"

# Tell the three apart by what each allocated.
for f in heaptrail.fork-child.*.trace; do
	stats "$f"
	expect_eq "$(stat "$f" complete)" yes "$f: clean end"
	if [ "$(allocs_by_size "$f" 67)" != 0 ]; then
		parent=$f
	elif [ "$(allocs_by_size "$f" 61)" != 0 ]; then
		grandchild=$f
	else
		child=$f
	fi
done
[ -n "$parent" ] && [ -n "$child" ] && [ -n "$grandchild" ] ||
	fail "could not tell the traces apart"

expect_eq "$(allocs_by_size "$parent" 31)" 20 "parent: 31-byte allocations"
expect_eq "$(live_by_size "$parent" 31)" 20 "parent: 31-byte live (child's frees are not its own)"
expect_eq "$(live_by_size "$parent" 67)" 11 "parent: 67-byte leaks"
expect_eq "$(allocs_by_size "$parent" 53)" 0 "parent: nothing of the child"
expect_ge "$(allocs_by_size "$parent" 47)" 1 "parent: the churning thread"
expect_eq "$(live_by_size "$parent" 47)" 0 "parent: churned blocks all freed"

expect_eq "$(allocs_by_size "$child" 31)" 0 "child: the parent's allocations are not repeated"
expect_eq "$(allocs_by_size "$child" 47)" 0 "child: the parent's thread does not exist here"
expect_eq "$(live_by_size "$child" 53)" 7 "child: 53-byte leaks"
expect_eq "$(allocs_by_size "$child" 59)" 3 "child: 59-byte allocations"
expect_eq "$(live_by_size "$child" 59)" 0 "child: 59-byte freed"
expect_eq "$(stat "$child" unknown_frees)" 10 "child: frees of inherited blocks"
expect_eq "$(allocs_by_size "$child" 61)" 0 "child: nothing of the grandchild"

expect_eq "$(live_by_size "$grandchild" 61)" 5 "grandchild: 61-byte leaks"
expect_eq "$(allocs_by_size "$grandchild" 53)" 0 "grandchild: nothing of its parent"

# The analyzer reads a child's trace like any other.
"$HT" analyze "$child" > /dev/null 2>&1 ||
	fail "analyze of the child's trace failed"
