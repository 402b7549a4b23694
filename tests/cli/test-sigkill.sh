# A program killed by SIGKILL leaves a trace whose complete frames all
# decode, with at most about 0.1 s of events lost at the end.
. "$SRC/tests/lib.sh"
"$HT" record -q -o t.trace "$BUILD/tests/endings" forever &
rec=$!
i=0
while [ ! -f pid ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -f pid ] || fail "program did not start"
sleep 0.6
kill_ns=$(date +%s%N)
kill -KILL "$(cat pid)"
wait $rec
status=$?
expect_eq $status 137 "record's exit status (128 + SIGKILL)"
"$HT" dump --stats t.trace > t.trace.stats 2> err
dump_status=$?
if [ $dump_status -ne 0 ]; then
	# Only a frame cut by the kill itself, at the very end, is allowed.
	grep -q "truncated frame" err || fail "dump: $(cat err)"
fi
expect_eq "$(stat t.trace complete)" no "no END record"
# ~0.6 s of running at one allocation per 20+ us: thousands of events
# (fewer on a busy machine, where the program gets less of a CPU).
expect_ge "$(stat t.trace allocations)" 1000 "allocations before the kill"
# What is lost is at most about 0.1 s: the last event is within 0.25 s
# of the kill, by the wall clock (the header's realtime_ns is trace time
# 0), whatever the machine's load did to the program's pace.
dur=$(stat t.trace duration_ns)
expect_ge "$dur" 300000000 "trace duration (${dur} ns) after 0.6 s of running"
t0=$("$HT" dump t.trace 2> /dev/null | sed -n '1s/.* realtime_ns=\([0-9]*\) .*/\1/p')
[ -n "$t0" ] || fail "no realtime_ns in the header"
lost_ms=$(((kill_ns - t0 - dur) / 1000000))
[ "$lost_ms" -le 250 ] || fail "the last event is ${lost_ms} ms before the kill (at most about 100 expected)"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"

# The bound: events are on disk within one sync period (50 ms) plus the
# time to compress and write them.  Events made 0.25 s before the kill
# must all be there: the 1000 allocations and 600 frees `signals wait`
# makes before it writes ./pid and sleeps.
rm -f pid
"$HT" record -q -o w.trace -- "$BUILD/tests/signals" wait &
rec=$!
i=0
while [ ! -f pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -f pid ] || fail "signals wait did not start"
sleep 0.25
kill -KILL "$(cat pid)"
wait $rec
expect_eq $? 137 "signals wait: exit status"
stats w.trace
expect_eq "$(stat w.trace complete)" no "signals wait: no END record"
expect_eq "$(allocs_by_size w.trace 48)" 1000 "allocations 0.25 s before the kill"
expect_eq "$(live_by_size w.trace 48)" 400 "live blocks 0.25 s before the kill"
