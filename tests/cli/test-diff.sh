# heaptrail diff: two runs of the leak sample (exact deltas through JSON
# and CSV), two builds of it at different addresses matched by symbol, two
# times of one run checked against the site series, two different
# programs (every site new or gone, deltas adding up to the change of the
# live heap), --at on both runs, and bad use.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
record l1.trace "$BUILD/samples/leak" 200 || fail "record leak 200"
record l2.trace "$BUILD/samples/leak" 400 || fail "record leak 400"

# json FILE KEY : the values of KEY in the one-line-per-row JSON of FILE
json() {
	sed -n 's/.*"'"$2"'": \("[^"]*"\|-\{0,1\}[0-9]*\).*/\1/p' "$1"
}

# Two runs: one site, 100 more lost blocks of 256 bytes, 200 more calls.
"$HT" diff --format json l1.trace l2.trace > d.json || fail "diff: $(cat d.json)"
[ -f l1.db ] && [ -f l2.db ] || fail "diff did not analyze both traces"
expect_eq "$(grep -c '"change"' d.json)" 1 "rows of leak 200 -> 400"
expect_eq "$(json d.json change)" '"grew"' "change"
expect_eq "$(json d.json function)" '"session_new"' "function"
expect_eq "$(json d.json live_bytes_delta)" 25600 "live_bytes_delta"
expect_eq "$(json d.json live_bytes_a)" 25600 "live_bytes_a"
expect_eq "$(json d.json live_bytes_b)" 51200 "live_bytes_b"
expect_eq "$(json d.json live_blocks_delta)" 100 "live_blocks_delta"
expect_eq "$(json d.json allocations_delta)" 200 "allocations_delta"
expect_eq "$(json d.json alloc_bytes_delta)" 51200 "alloc_bytes_delta"
expect_eq "$(json d.json class_b)" '"leak"' "class_b"
# Backwards, everything shrinks; CSV has the same numbers.
"$HT" diff --format csv l2.db l1.db > d.csv || fail "diff csv"
head -n 1 d.csv | grep -q '^change,live_bytes_delta,live_bytes_a,live_bytes_b,' || fail "csv header: $(head -n 1 d.csv)"
expect_eq "$(sed -n 2p d.csv | cut -d, -f1-4,8)" "shrank,-25600,51200,25600,-200" "csv row of 400 -> 200"
# A run against itself: nothing changed, no rows.
expect_eq "$("$HT" diff --format csv l1.db l1.db | wc -l)" 1 "diff of a run with itself"
# The table names both sides and the change of the heap.
"$HT" diff l1.db l2.db > d.table || fail "diff table"
grep -q '^A: l1.db at the end of the work$' d.table || fail "table heading: $(cat d.table)"
grep -q '^live 25.0 KiB -> 50.0 KiB (+25.0 KiB), allocations 200 -> 400$' d.table ||
	fail "table totals: $(cat d.table)"
grep -q '^grew .*+25.0 KiB .*session_new$' d.table || fail "table row: $(cat d.table)"

# Two builds with different code addresses: matched by function and file.
cc -g -O0 -I"$SRC/include" -o leak-O0 "$SRC/samples/leak.c" || fail "cc -O0"
cc -g -O2 -I"$SRC/include" -o leak-O2 "$SRC/samples/leak.c" || fail "cc -O2"
record b1.trace ./leak-O0 100 || fail "record -O0"
record b2.trace ./leak-O2 300 || fail "record -O2"
"$HT" analyze b1.trace 2> /dev/null && "$HT" analyze b2.trace 2> /dev/null || fail "analyze the two builds"
site_offset() {	# the site's address less its module's load bias
	sqlite3 "$1" "select s.address - m.base from sites s join modules m on m.id = s.module_id where function = 'session_new'"
}
[ "$(site_offset b1.db)" != "$(site_offset b2.db)" ] ||
	fail "the two builds put session_new's site at the same offset"
"$HT" diff --format json b1.db b2.db > b.json || fail "diff of two builds"
expect_eq "$(grep -c '"change"' b.json)" 1 "rows of two builds"
expect_eq "$(json b.json change)" '"grew"' "two builds: change"
expect_eq "$(json b.json live_blocks_delta)" 100 "two builds: live_blocks_delta"
expect_eq "$(json b.json allocations_delta)" 200 "two builds: allocations_delta"

# Two times of one run: the site's series at the buckets of 25% and 75%.
"$HT" diff --from 25% --to 75% --format json l2.db > t.json || fail "diff --from --to"
buckets=$(sqlite3 l2.db "select value from meta where key = 'buckets'")
b1=$(( buckets / 4 - 1 )) b2=$(( buckets * 3 / 4 - 1 ))
at() {	# at COLUMN BUCKET : the site's live COLUMN at the end of BUCKET
	sqlite3 l2.db "select coalesce((select $1 from site_series where bucket <= $2 order by bucket desc limit 1), 0)"
}
allocs_to() {
	sqlite3 l2.db "select coalesce(sum(allocations), 0) from site_series where bucket <= $1"
}
expect_eq "$(json t.json live_bytes_a)" "$(at live_bytes $b1)" "live at 25%"
expect_eq "$(json t.json live_bytes_b)" "$(at live_bytes $b2)" "live at 75%"
expect_eq "$(json t.json allocations_delta)" $(( $(allocs_to $b2) - $(allocs_to $b1) )) "allocations from 25% to 75%"
d=$(json t.json allocations_delta)
[ "$d" -gt 150 ] && [ "$d" -lt 250 ] || fail "allocations in the middle half of 400: $d"
# From the start to the end: everything is new, and the end is exact.
"$HT" diff --from 0 --to end --format json l2.db > se.json || fail "diff --from 0 --to end"
expect_eq "$(json se.json change)" '"new"' "from the start: change"
expect_eq "$(json se.json live_bytes_b)" 51200 "to the end: live bytes"
expect_eq "$(json se.json allocations_b)" 400 "to the end: allocations"
# The site series' allocation counts add up to the sites' (schema 4).
expect_eq "$(sqlite3 l2.db 'select count(*) from sites s where allocations != (select coalesce(sum(allocations), 0) from site_series x where x.site_id = s.id)')" 0 \
	"site_series allocations add up"
expect_eq "$(sqlite3 l2.db 'select count(*) from stack_stats s where allocations != (select coalesce(sum(allocations), 0) from stack_series x where x.stack_id = s.stack_id)')" 0 \
	"stack_series allocations add up"

# Two different programs: each site of one is gone, each of the other new,
# and the deltas add up to the change of the live heap at the end.
record arena.trace "$BUILD/samples/arena" || fail "record arena"
"$HT" diff --format csv arena.trace l1.db > p.csv || fail "diff arena leak"
expect_eq "$(awk -F, 'NR > 1 && $1 == "new"' p.csv | wc -l)" 1 "new sites"
expect_eq "$(awk -F, 'NR > 1 && $1 == "gone"' p.csv | wc -l)" \
	"$(sqlite3 arena.db "select count(distinct coalesce(function, '') || '|' || coalesce(file, '')) from sites")" "gone sites"
expect_eq "$(awk -F, 'NR > 1 && $1 == "gone" && $14 == ""' p.csv)" "" "gone rows show their class in A"
expect_eq "$(awk -F, 'NR > 1 { s += $2 } END { print s }' p.csv)" \
	$(( $(sqlite3 l1.db "select value from meta where key = 'live_bytes_end'") - $(sqlite3 arena.db "select value from meta where key = 'live_bytes_end'") )) \
	"deltas add up to the change of the live heap"

# --at on two runs: each side as leaks --at says.
"$HT" diff --at @done --format json l1.db l2.db > at.json || fail "diff --at"
expect_eq "$(json at.json live_blocks_a)" "$("$HT" leaks --at @done --format csv l1.db | sed -n 2p | cut -d, -f4)" "--at: side A"
expect_eq "$(json at.json live_blocks_b)" "$("$HT" leaks --at @done --format csv l2.db | sed -n 2p | cut -d, -f4)" "--at: side B"

# Bad use.
"$HT" diff l1.db 2> err
expect_eq $? 2 "one run without --from/--to"
"$HT" diff --from 1 l1.db l2.db 2> err
expect_eq $? 2 "--from with two runs"
"$HT" diff --at 50% l1.db 2> err
expect_eq $? 2 "--at with one run"
"$HT" diff l1.db missing.db 2> err
expect_eq $? 1 "a missing run"
grep -q 'missing.db' err || fail "the message names the file: $(cat err)"
echo "not a trace" > junk
"$HT" diff junk l1.db 2> err
expect_eq $? 1 "a foreign file"
grep -q '^heaptrail: junk: neither a heaptrail trace nor a heaptrail database$' err || fail "foreign file: $(cat err)"
"$HT" diff --from @nonesuch l1.db 2> err
expect_eq $? 1 "an unknown marker"
exit 0
