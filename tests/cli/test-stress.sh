# Many threads allocating and freeing across each other, threads created
# and joined all the time, signals landing inside malloc, forks from the
# busy process: exact totals at the end and no deadlock.  `make soak`
# runs the same longer (STRESS_THREADS, STRESS_SECONDS).
. "$SRC/tests/lib.sh"
# CPU-bound and paced by nothing: niced, so that the tests run beside it
# whose programs keep time (the shapes, the browser) get the CPU first.
renice -n 10 -p $$ > /dev/null 2>&1
threads=${STRESS_THREADS:-64}
seconds=${STRESS_SECONDS:-2}
timeout $((seconds * 10 + 60)) "$HT" record -q -o s.trace -- \
	"$BUILD/tests/stress" $threads $seconds > counts
status=$?
[ $status -eq 124 ] && fail "hung (deadlock?)"
expect_eq $status 0 "exit status"
count() { awk -v k="$1" '$1 == k { print $2 }' counts; }
stats s.trace
expect_eq "$(stat s.trace complete)" yes "clean end"
expect_eq "$(stat s.trace unknown_frees)" 0 "unknown frees"
expect_eq "$(stat s.trace dropped)" 0 "dropped events"
"$HT" dump --ordered s.trace > s.ordered || fail "dump --ordered"
# Blocks by size range, allocated and still live (pairing done in awk).
by_range() {
	awk -v lo=$1 -v hi=$2 '
		$5 ~ /^size=/ && $3 !~ /free$/ {
			n = substr($5, 6) + 0
			if (n >= lo && n <= hi) { made++; live[$4] = 1 } else delete live[$4]
			next
		}
		$3 ~ /free$/ { delete live[$4] }
		END { l = 0; for (p in live) l++; print made + 0, l }' s.ordered
}
expect_eq "$(by_range 7000 7063)" "$(count workers) 0" "worker blocks: made, live at the end"
expect_eq "$(by_range 7100 7100)" "$(count short-lived) 0" "short-lived threads' blocks"
expect_ge "$(count signals)" 1 "signals handled"
kids=$(count children)
expect_ge "$kids" 1 "fork children"
n=0
for t in $(ls | grep -E '^s[.]trace[.][0-9]+$'); do
	stats "$t"
	expect_eq "$(allocs_by_size "$t" 7200)" 100 "$t: the child's allocations"
	expect_eq "$(live_by_size "$t" 7200)" 0 "$t: the child's live blocks"
	expect_eq "$(stat "$t" complete)" yes "$t: clean end"
	n=$((n + 1))
done
expect_eq $n "$kids" "one trace per fork child"
echo "  $threads threads, $seconds s: $(count workers) + $(count short-lived) blocks, $kids children, $(count signals) signals" >&2
