# analyze and summary: exact numbers through JSON and through SQL; a
# trace given to a query is analyzed once; bad input is refused clearly.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
n=1000	# requests of samples/leak.c: one every 0.5 ms, half of them lost
record t.trace "$BUILD/samples/leak" $n || fail "record failed"
"$HT" analyze t.trace 2> err || fail "analyze: $(cat err)"
[ -f t.db ] || fail "no t.db"
ls t.db.tmp.* 2> /dev/null && fail "temporary file left behind"

json=$("$HT" summary --format json t.db) || fail "summary failed"
field() {
	echo "$json" | sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"
}
expect_eq "$(field program)" '"leak"' "program"
expect_eq "$(field events)" $((n * 3 / 2)) "events"
expect_eq "$(field allocations)" $n "allocations"
expect_eq "$(field frees)" $((n / 2)) "frees"
expect_eq "$(field threads)" 1 "threads"
expect_eq "$(field live_blocks_end)" $((n / 2)) "live blocks at the end"
expect_eq "$(field live_bytes_end)" $((n / 2 * 256)) "live bytes at the end"
expect_eq "$(field peak_bytes)" $((n / 2 * 256)) "peak bytes"
expect_eq "$(field temporary_allocations)" $((n / 2)) "temporary allocations"
expect_eq "$(field unknown_frees)" 0 "unknown frees"
expect_eq "$(field leak_bytes)" $((n / 2 * 256)) "leak bytes"
expect_eq "$(field leak_blocks)" $((n / 2)) "leak blocks"
expect_eq "$(field steady_bytes)" 0 "steady bytes"


q() { sqlite3 t.db "$1"; }
expect_eq "$(q 'PRAGMA user_version')" 5 "schema version"
expect_eq "$(q "select live_bytes from module_live where module = 'leak'")" $((n / 2 * 256)) "module_live"
expect_eq "$(q 'select count(*) || " " || sum(size) from blocks')" "$((n / 2)) $((n / 2 * 256))" "blocks"
expect_eq "$(q "select live_blocks || ' ' || allocations from sites where module = 'leak'")" "$((n / 2)) $n" "site of the leak"
expect_eq "$(q "select class from sites where module = 'leak'")" leak "class of the leak site"
q "select pattern from sites where module = 'leak'" | grep -q '^linear growth .* KiB/s$' || fail "pattern: $(q "select pattern from sites")"
expect_eq "$(q 'select count(*) from timeline')" 200 "timeline buckets"
expect_eq "$(q 'select heap_bytes from timeline order by bucket desc limit 1')" $((n / 2 * 256)) "heap at the end"
expect_eq "$(q 'select sum(allocations) from timeline')" $n "allocations over the timeline"
# (the program's; the recorder's own end-of-work mark is not one of them)
expect_eq "$(q "select group_concat(label) from markers where label not like 'heaptrail: %'")" "start,done" "markers"
expect_eq "$(q 'select count(*) from stacks where site_id is null')" 0 "every stack has a site"

# --all-blocks: a row for every block.
"$HT" analyze --all-blocks -o all.db t.trace 2> err || fail "analyze --all-blocks: $(cat err)"
expect_eq "$(sqlite3 all.db 'select count(*) || " " || count(free_time) from blocks')" "$n $((n / 2))" "all blocks"

# A query given the trace makes t2.db once and reuses it.
cp t.trace t2.trace
"$HT" summary t2.trace > /dev/null 2> err || fail "summary of a trace: $(cat err)"
[ -f t2.db ] || fail "summary did not make t2.db"
before=$(stat -c %Y.%y t2.db)
sleep 1
"$HT" summary t2.trace > /dev/null || fail "second summary"
expect_eq "$(stat -c %Y.%y t2.db)" "$before" "database reused"

# Bad input.
printf 'hello\n' > foreign
"$HT" summary foreign 2> err
expect_eq $? 1 "foreign file: status"
grep -q "foreign: neither a heaptrail trace nor a heaptrail database" err || fail "foreign: $(cat err)"
sqlite3 other.db 'PRAGMA user_version = 99; create table x(a);'
"$HT" summary other.db 2> err
expect_eq $? 1 "other schema: status"
grep -q "other.db: heaptrail database of schema 99" err || fail "other schema: $(cat err)"
"$HT" analyze -o /nonexistent-dir/x.db t.trace 2> err
expect_eq $? 1 "unwritable output: status"
grep -q "/nonexistent-dir/x.db" err || fail "unwritable: $(cat err)"
# A trace cut inside its last frame analyzes up to it.
size=$(wc -c < t.trace)
head -c $((size - 5)) t.trace > cut.trace
"$HT" analyze cut.trace 2> err || fail "analyze of a cut trace: $(cat err)"
expect_eq "$(sqlite3 cut.db "select value from meta where key = 'complete'")" 0 "cut trace: not complete"
