# The classes as of a time: a site that has allocated nothing yet is no
# leak then (not the class the end of the work gave it), in the queries,
# grouped rows and --fail-on-leak alike; `tui --at end` is the end of the
# work, as `leaks` says.
. "$SRC/tests/lib.sh"
record late.trace "$BUILD/tests/late-leak" || fail "record late-leak"
"$HT" analyze late.trace 2> err || fail "analyze: $(cat err)"

expect_eq "$("$HT" leaks --format csv late.db | grep ',keep_record,' | cut -d, -f2)" leak "keep_record at the end"
"$HT" sites --at 25% --format csv late.db > quarter.csv || fail "sites --at 25%"
row=$(grep ',keep_record,' quarter.csv)
expect_eq "$(echo "$row" | cut -d, -f2,3)" "freed,0" "keep_record at 25%: nothing yet"
echo "$row" | grep -q ',no allocation yet,' || fail "the pattern at 25%: $row"
"$HT" leaks --at 25% --fail-on-leak --format csv late.db > /dev/null
expect_eq $? 0 "leaks --at 25% --fail-on-leak"
"$HT" leaks --by object --at 25% --fail-on-leak --format csv late.db > obj.csv
expect_eq $? 0 "leaks --by object --at 25% --fail-on-leak: $(cat obj.csv)"
"$HT" leaks --by object --fail-on-leak --format csv late.db > /dev/null
expect_eq $? 3 "leaks --by object --fail-on-leak at the end"

# A grouped row's peak is never below its live bytes.
"$HT" sites --by object --format csv late.db |
	awk -F, 'NR > 1 && $5 < $3 { print; bad = 1 } END { exit bad }' ||
	fail "a peak below the live bytes"

# tui --at end: the end of the work, not the bucket it falls in.
tui_start 100 30 -- --at end late.db
tui_expect "live at the end: " "tui --at end"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
tui_stop
# A TIME that names nothing: the queries' status, 1, and their message.
tui_start 100 30 -- --at @nowhere late.db
tui_expect "no marker 'nowhere'" "tui --at @nowhere"
i=0; while [ ! -f tui.rc ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cat tui.rc)" 1 "tui --at a marker that is not there"
tui_stop
exit 0
