# include/heaptrail.h: annotated pool blocks and markers are recorded;
# far-apart addresses survive the trace's address coding.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/annotate" || fail "record failed"
stats t.trace
expect_eq "$(stat t.trace alloc.heaptrail_alloc.calls)" 66 "annotated allocations"
expect_eq "$(stat t.trace alloc.heaptrail_alloc.live_blocks)" 25 "annotated live"
expect_eq "$(stat t.trace alloc.heaptrail_alloc.live_bytes)" $((24 * 32 + 5)) "annotated live bytes"
expect_eq "$(stat t.trace free.heaptrail_free.calls)" 41 "annotated frees"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
# two of the program's, and the recorder's end of the work
expect_eq "$(stat t.trace markers)" 3 "markers"
"$HT" dump t.trace > d || fail "dump failed"
grep -q 'heaptrail_alloc ptr=0xc000000000001000 size=2' d || fail "wide address lost"
grep -q 'heaptrail_alloc ptr=0x10 size=5' d || fail "low address lost"
grep -q 'mark "phase-2"' d || fail "marker phase-2 missing"
# Without the recorder the annotations do nothing (and cost nothing).
"$BUILD/tests/annotate" || fail "runs without the recorder"
# Markers: in summary, in the timeline, and as TIME.
"$HT" analyze t.trace -o t.db 2> /dev/null || fail "analyze failed"
# (the recorder's end-of-work mark may follow the program's)
"$HT" summary --format json t.db |
	grep -qE '"markers": "phase-1@[0-9.]* phase-2@[0-9.]*( heaptrail: main returned@[0-9.]*)?"' ||
	fail "summary markers: $("$HT" summary --format json t.db)"
"$HT" timeline --format csv t.db | grep -q 'phase-2' || fail "timeline: no phase-2 marker"
expect_eq "$("$HT" leaks --at @phase-2 --format csv t.db | awk -F, 'NR > 1 { n += $4 } END { print n }')" 25 \
	"blocks live at @phase-2"
"$HT" leaks --at @nosuch t.db 2> err
expect_eq $? 1 "an unknown marker is an error"
grep -q "no marker 'nosuch'" err || fail "unknown marker message: $(cat err)"
