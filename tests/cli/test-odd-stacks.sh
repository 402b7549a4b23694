# Totals stay consistent (check agrees) when a live block is replaced
# without a free, and when stacks hold only allocator frames.
. "$SRC/tests/lib.sh"
record r.trace "$BUILD/tests/odd-stacks" replace || fail "record replace"
"$HT" check r.trace > out 2>&1 || fail "check, replace: $(cat out)"
expect_eq "$("$HT" summary --format json r.db | sed 's/.*"live_bytes_end": \([0-9]*\).*/\1/')" 100 "replace: live bytes"
"$HT" record -q -d 1 -o s.trace "$BUILD/tests/odd-stacks" strdup || fail "record strdup"
"$HT" check s.trace > out 2>&1 || fail "check, strdup: $(cat out)"
expect_eq "$("$HT" leaks --format csv s.db | awk -F, 'NR > 1 { n += $4 } END { print n }')" 100 "strdup: live blocks in leaks"
