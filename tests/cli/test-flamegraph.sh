# flamegraph: folded stacks of a recorded leak and of a cache, each
# measure's total checked against the summary's figures, inlined frames
# as frames of their own, bad option combinations refused.
. "$SRC/tests/lib.sh"
n=400
record leak.trace "$BUILD/samples/leak" $n || fail "record leak"
"$HT" summary --format json leak.trace > summary.json || fail "summary"
json() {
	sed -n 's/.*"'"$1"'": \([0-9]*\).*/\1/p' summary.json
}

# Every line is "frame;frame;... N" with N > 0.
"$HT" flamegraph leak.db > live.folded || fail "flamegraph: $(cat live.folded)"
bad=$(grep -cvE '^[^ ].* [1-9][0-9]*$' live.folded)
expect_eq "$bad" 0 "lines not in the folded format"

# live (default): the lost sessions, under the inline chain of the site
# (session_new inlined into handle_request, into main, at -O2; as calls
# of their own otherwise: the names are the same).
grep -q ';main;handle_request;session_new '$((n / 2 * 256))'$' live.folded ||
	fail "live: no session_new line of $((n / 2 * 256)) bytes: $(cat live.folded)"
sum() { awk '{ s += $NF } END { print s + 0 }' "$1"; }
expect_eq "$(sum live.folded)" "$(json live_bytes_end)" "live: sum vs summary live_bytes_end"

# leak: only the sites classified leak.
"$HT" flamegraph --measure leak leak.db > leak.folded || fail "leak measure"
expect_eq "$(sum leak.folded)" "$(json leak_bytes)" "leak: sum vs summary leak_bytes"

# allocations: every allocation of the run, once.
"$HT" flamegraph --measure allocations leak.db > allocs.folded || fail "allocations"
expect_eq "$(sum allocs.folded)" "$(json allocations)" "allocations: sum vs summary"
grep -q ';session_new '$n'$' allocs.folded || fail "allocations: session_new: $(cat allocs.folded)"

# peak: the heap at the end of the bucket that ended highest (stacks are
# kept per bucket: the leak's true peak, a freed session on top of the
# lost ones, falls inside a bucket).
"$HT" flamegraph --measure peak leak.db > peak.folded || fail "peak"
expect_eq "$(sum peak.folded)" "$("$HT" timeline --format csv leak.db |
	awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m }')" "peak: sum vs the highest bucket end"

# --at: time 0 has nothing live; half-way, what `sites --at` says (the
# one site has one stack); --from 0 --to end: all of it.
"$HT" flamegraph --at 0 leak.db > at.folded || fail "--at 0"
expect_eq "$(wc -l < at.folded)" 0 "--at 0: lines"
"$HT" flamegraph --at 50% leak.db > at.folded || fail "--at 50%"
half=$("$HT" sites --at 50% --format csv leak.db | awk -F, 'NR == 2 { print $3 }')
expect_ge "$half" 1 "sites --at 50%: live bytes"
grep -q ';session_new '"$half"'$' at.folded || fail "--at 50%: want $half: $(cat at.folded)"
"$HT" flamegraph --from 0 --to end leak.db > window.folded || fail "--from/--to"
grep -q ';session_new '$((n / 2 * 256))'$' window.folded || fail "window: $(cat window.folded)"

# --limit keeps the heaviest lines.
"$HT" flamegraph --measure allocations --limit 1 leak.db > one.folded || fail "--limit"
expect_eq "$(wc -l < one.folded)" 1 "--limit 1 lines"
grep -q ';session_new '$n'$' one.folded || fail "--limit 1: $(cat one.folded)"

# A C++ program: the cache's lines merge per call chain; the sum is
# still every live byte.
record cache.trace "$BUILD/samples/cache" || fail "record cache"
"$HT" summary --format json cache.trace > summary.json || fail "cache summary"
"$HT" flamegraph cache.db > cache.folded || fail "cache flamegraph"
expect_eq "$(sum cache.folded)" "$(json live_bytes_end)" "cache: live sum"
expect_eq "$(sed 's/ [0-9]*$//' cache.folded | sort | uniq -d | wc -l)" 0 "cache: repeated lines"
grep -q 'operator new' cache.folded || fail "cache: no operator new frame: $(head -3 cache.folded)"

# Refused: a bad measure, measures that take no times, --format.
"$HT" flamegraph --measure bytes leak.db 2> err.txt
expect_eq $? 2 "--measure bytes"
grep -q "live, peak, allocations or leak" err.txt || fail "--measure bytes: $(cat err.txt)"
# allocations in a window: the stack series' counts of those buckets.
"$HT" flamegraph --measure allocations --from 0 --to end leak.db > w.folded || fail "allocations over the whole run as a window"
expect_eq "$(sum w.folded)" "$(sum allocs.folded)" "allocations from 0 to end"
"$HT" flamegraph --measure allocations --from 25% --to 75% leak.db > w.folded || fail "allocations --from 25% --to 75%"
buckets=$(sqlite3 leak.db "select value from meta where key = 'buckets'")
expect_eq "$(sum w.folded)" "$(sqlite3 leak.db "select sum(allocations) from stack_series where bucket > $((buckets / 4 - 1)) and bucket <= $((buckets * 3 / 4 - 1))")" \
	"allocations from 25% to 75%"
"$HT" flamegraph --measure allocations --at 50% leak.db > w.folded || fail "allocations --at 50%"
expect_eq "$(sum w.folded)" "$(sqlite3 leak.db "select sum(allocations) from stack_series where bucket <= $((buckets / 2 - 1))")" \
	"allocations up to 50%"
expect_eq "$("$HT" flamegraph --measure allocations --at 0 leak.db | wc -l)" 0 "no allocations at time 0"
"$HT" flamegraph --measure peak --from 0 leak.db 2> /dev/null
expect_eq $? 2 "--measure peak --from"
"$HT" flamegraph --at end --from 0 leak.db 2> /dev/null
expect_eq $? 2 "--at with --from"
"$HT" flamegraph --format json leak.db 2> /dev/null
expect_eq $? 2 "--format"
"$HT" flamegraph --at @nosuchmarker leak.db 2> err.txt
expect_eq $? 1 "--at an unknown marker"
"$HT" flamegraph missing.db 2> err.txt
expect_eq $? 1 "a missing file"
grep -q missing.db err.txt || fail "missing file: message $(cat err.txt)"
exit 0
