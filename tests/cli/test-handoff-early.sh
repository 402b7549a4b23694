# A block a new thread allocates and main frees in the recorder's first
# milliseconds, when main's times are rounded down and the new thread's
# are not (recorder/thread-buffer.c, "times"): the free still comes after
# the malloc.  The race is in the timing, so 30 recordings of 1 round
# (before the fix about one in four went wrong) and one of 200 rounds.
. "$SRC/tests/lib.sh"
i=0
while [ $i -lt 30 ]; do
	record e$i.trace "$BUILD/tests/handoff-early" || fail "record $i failed"
	stats e$i.trace
	expect_eq "$(stat e$i.trace unknown_frees)" 0 "run $i: frees of unknown pointers"
	i=$((i + 1))
done
record many.trace "$BUILD/tests/handoff-early" 200 || fail "record 200 rounds failed"
stats many.trace
expect_eq "$(stat many.trace unknown_frees)" 0 "200 rounds: frees of unknown pointers"
expect_eq "$(stat many.trace replaced_live)" 0 "200 rounds: allocations over a live block"
