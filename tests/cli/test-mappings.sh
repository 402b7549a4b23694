# Anonymous mappings the program makes are recorded with their stacks and
# reported as mapped memory per site and module; the heap is kept apart.
# The numbers are those worked out in tests/programs/mappings.c.
. "$SRC/tests/lib.sh"
[ "$(getconf PAGESIZE)" = 4096 ] || skip "the expected numbers assume 4 KiB pages"
record m.trace "$BUILD/tests/mappings" > out || fail "record failed"
stats m.trace
expect_eq "$(stat m.trace map.mmap.calls)" 9 "mmap calls (8 arenas, 1 MAP_FIXED)"
expect_eq "$(stat m.trace map.mremap.calls)" 1 "mremap calls"
expect_eq "$(stat m.trace unmap.munmap.calls)" 4 "munmap calls"
expect_eq "$(stat m.trace unmap.mmap_fixed.calls)" 1 "ranges replaced by MAP_FIXED"
"$HT" analyze m.trace -o m.db || fail "analyze failed"
q() { sqlite3 m.db "$1"; }
KIB=1024
expect_eq "$(q "select value from meta where key = 'mapped_bytes_end'")" $((1472 * KIB)) "mapped at the end"
expect_eq "$(q "select value from meta where key = 'mapped_peak_bytes'")" $((2048 * KIB)) "mapped peak"
expect_eq "$(q "select value from meta where key = 'live_bytes_end'")" $((4100 * KIB)) "heap at the end: the 4 MiB malloc and stdout's buffer"
expect_eq "$(q "select allocations || ' ' || frees || ' ' || live_blocks || ' ' || live_bytes || ' ' || mapped_bytes from sites where function = 'make_arena'")" \
	"8 4 5 $((896 * KIB)) $((896 * KIB))" "make_arena: maps, unmaps, pieces, bytes"
expect_eq "$(q "select live_bytes || ' ' || mapped_bytes from sites where function = 'grow_arena'")" \
	"$((512 * KIB)) $((512 * KIB))" "grow_arena: the mremap'd arena"
expect_eq "$(q "select live_bytes from sites where function = 'fixed_over'")" $((64 * KIB)) "fixed_over"
expect_eq "$(q "select count(*) from sites where function = 'main' and mapped_bytes > 0")" 0 \
	"no mapping from main (the PROT_NONE reservation and the file mapping are not memory)"
expect_eq "$(q "select count(*) || ' ' || sum(size) from blocks where entry in ('mmap', 'mremap')")" \
	"7 $((1472 * KIB))" "live mapping pieces in blocks"
expect_eq "$(q "select mapped_bytes from modules where name = 'mappings'")" $((1472 * KIB)) "mapped per module"
"$HT" summary --format json m.db > sum.json || fail "summary"
grep -q "\"mapped_bytes_end\": $((1472 * KIB))," sum.json || fail "summary: $(cat sum.json)"
# Mapped memory counts the same everywhere: summary's live figures are
# heap and mappings, as the sites', modules' and flamegraph's; the heap
# alone is heap_bytes_end.
all=$(q "select sum(live_bytes) from sites")
expect_eq "$(sed 's/.*"live_bytes_end": \([0-9]*\).*/\1/' sum.json)" "$all" "summary live_bytes_end: heap and mappings"
expect_eq "$(sed 's/.*"heap_bytes_end": \([0-9]*\).*/\1/' sum.json)" \
	"$(q "select value from meta where key = 'live_bytes_end'")" "summary heap_bytes_end"
expect_eq "$("$HT" modules --format csv m.db | awk -F, 'NR > 1 { s += $3 } END { print s }')" "$all" "modules: live"
expect_eq "$("$HT" modules --format json m.db | grep -o '"mapped_bytes": [0-9]*' | head -n 1)" \
	"\"mapped_bytes\": $((1472 * KIB))" "modules: mapped"
expect_eq "$("$HT" flamegraph m.db | awk '{ s += $NF } END { print s }')" "$all" "flamegraph: live"
"$HT" sites --format json m.db > sites.json || fail "sites"
grep -q '"function": "make_arena".*"mapped_bytes": 917504' sites.json ||
	fail "sites json: $(cat sites.json)"

# --all-blocks: the pieces cut away are blocks with a free time.
"$HT" analyze --all-blocks m.trace -o all.db || fail "analyze --all-blocks"
expect_eq "$(sqlite3 all.db "select count(*) || ' ' || sum(size) from blocks where entry = 'mmap' and free_time is not null")" \
	"6 $((1152 * KIB))" "mapping pieces unmapped: 3 arenas, a hole, a fixed overlay, the mremap'd arena"
# check recomputes heap and mapped totals apart, and they agree.
"$HT" check m.db > check.out 2>&1 || fail "check: $(cat check.out)"
grep -q '^ok  mapped bytes at the end of the work: blocks table (1507328)' check.out || fail "check: $(cat check.out)"
