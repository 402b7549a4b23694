# Hundreds of threads alive at once, all allocating: past 64 live threads
# the recorder shares its buffer memory between them and gives each a
# smaller walker cache; every event still arrives, in an order that pairs
# (the reader merges them across SYNCs), and every stack is walked right.
. "$SRC/tests/lib.sh"
HEAPTRAIL_UNWIND_CHECK=1 "$HT" record -o t.trace -- \
	"$BUILD/tests/live-threads" 300 2000 2> err || fail "record failed: $(cat err)"
grep -q "unwind check: [0-9]* stacks compared, 0 differ" err ||
	fail "unwind check: $(grep 'unwind check' err)"
grep -q "(0 wrongly)" err || fail "remembered walks: $(grep 'unwind check' err)"
stats t.trace
expect_ge "$(stat t.trace threads)" 301 "threads seen"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
expect_eq "$(live_by_size t.trace 99)" 300 "one live 99-byte block a thread"
"$HT" analyze t.trace 2> err || fail "analyze: $(cat err)"
command -v sqlite3 > /dev/null || exit 0
expect_eq "$(sqlite3 t.db "select value from meta where key = 'replaced_live'")" 0 "replaced live"
expect_eq "$(sqlite3 t.db "select value from meta where key = 'unknown_frees'")" 0 "unknown frees (analyze)"
# The merge gives every event in time order only if every SYNC kept its
# promise (no event before its T comes after it in the file).
back=$(awk '$1 ~ /^[0-9.]+$/ { if ($1 + 0 < last) n++; last = $1 + 0 }
	END { print n + 0 }' t.trace.ordered)
expect_eq "$back" 0 "events out of time order after the merge"
