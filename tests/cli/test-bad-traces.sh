# Bad traces give honest answers: a trace that recorded nothing or was cut
# short says so on stderr (one line naming the file) for every query, and
# analyze too; --fail-on-leak on a trace with no events exits 1; a
# static-pie program is refused as a static one is; a TIME past the run's
# end is refused with the run's duration.
. "$SRC/tests/lib.sh"
record good.trace "$BUILD/samples/leak" || fail "record leak"

# A whole trace: nothing said.
"$HT" summary good.trace > /dev/null 2> err
expect_eq $? 0 "good trace: summary"
expect_eq "$(cat err)" "" "good trace: stderr"

# The first 30 bytes: no events, the first frame cut.
head -c 30 good.trace > cut.trace
msg="heaptrail: cut.trace: no events: the trace ends after 30 bytes, inside its first frame"
"$HT" summary cut.trace > out 2> err
expect_eq $? 0 "cut: summary"
expect_eq "$(cat err)" "$msg" "cut: summary's stderr"
"$HT" leaks cut.trace > /dev/null 2> err
expect_eq $? 0 "cut: leaks"
expect_eq "$(cat err)" "$msg" "cut: leaks' stderr"
"$HT" leaks --fail-on-leak cut.trace > out 2> err
expect_eq $? 1 "cut: leaks --fail-on-leak"
expect_eq "$(cat err)" "$msg" "cut: leaks --fail-on-leak's stderr"
expect_eq "$(cat out)" "" "cut: leaks --fail-on-leak prints no table"
# The database says it: meta complete 0, events 0, cut_at 16 (the prefix).
"$HT" sites cut.db > /dev/null 2> err
expect_eq $? 0 "cut.db: sites"
expect_eq "$(cat err)" "heaptrail: cut.db: no events: the trace ends after 30 bytes, inside its first frame" "cut.db: sites' stderr"
if command -v sqlite3 > /dev/null; then
	expect_eq "$(sqlite3 cut.db "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT * FROM meta WHERE key IN ('complete', 'events', 'cut_at') ORDER BY key)")" \
	    "complete=0 cut_at=16 events=0" "cut.db: meta"
fi
rm -f cut.db
"$HT" analyze cut.trace 2> err
expect_eq $? 0 "cut: analyze"
expect_eq "$(sed -n 2p err)" "$msg" "cut: analyze's second line"
expect_eq "$(wc -l < err)" 2 "cut: analyze's lines"

# Cut inside a later frame: events up to it, and where it ends.
size=$(wc -c < good.trace)
head -c $((size - 1)) good.trace > short.trace
"$HT" summary short.trace > /dev/null 2> err
expect_eq $? 0 "short: summary"
expect_eq "$(wc -l < err)" 1 "short: one line"
grep -q "^heaptrail: short.trace: the trace ends early (at byte [0-9]* of $((size - 1)), inside a frame): no end record, the program was killed or is still running; figures are up to [0-9.]* s\$" err ||
	fail "short: summary's stderr: $(cat err)"

# Killed by SIGKILL mid-run: analyzes, with one line on where and why.
"$HT" record -q -o k.trace "$BUILD/tests/endings" forever &
rec=$!
i=0
while [ ! -f pid ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -f pid ] || fail "endings forever did not start"
sleep 0.3
kill -KILL "$(cat pid)"
wait $rec
expect_eq $? 137 "killed: record's exit status"
"$HT" analyze k.trace 2> err
expect_eq $? 0 "killed: analyze"
expect_eq "$(sed -n 1p err)" "heaptrail: wrote k.db" "killed: analyze's first line"
expect_eq "$(wc -l < err)" 2 "killed: analyze's lines"
sed -n 2p err | grep -q "^heaptrail: k.trace: the trace ends early.*: no end record, the program was killed or is still running; figures are up to [0-9.]* s\$" ||
	fail "killed: analyze's stderr: $(cat err)"
"$HT" leaks --fail-on-leak k.db > /dev/null 2> err
status=$?
[ $status -eq 0 ] || [ $status -eq 3 ] || fail "killed: leaks --fail-on-leak exit $status: $(cat err)"
grep -q "^heaptrail: k.db: the trace ends early" err || fail "killed: leaks' stderr: $(cat err)"

# A static-pie program: refused as a static one is.
if printf '#include <stdlib.h>\nint main(void){return malloc(1) == 0;}\n' > sp.c &&
    cc -static-pie -o sp sp.c 2> /dev/null; then
	"$HT" record -o sp.trace -- ./sp 2> err
	expect_eq $? 1 "static-pie: exit status"
	expect_eq "$(cat err)" "heaptrail: ./sp: is statically linked (static-pie); the recorder (a preloaded library) cannot see its allocations" "static-pie: message"
	[ ! -e sp.trace ] || fail "static-pie: a trace was written"
fi

# A TIME past the end is refused, naming the duration; the words and
# shares are fine.
"$HT" analyze good.trace 2> /dev/null || fail "analyze good.trace"
dur=$(sqlite3 good.db "SELECT printf('%.3f', value) FROM meta WHERE key = 'duration_s'" 2> /dev/null) ||
	dur=
"$HT" leaks --at 300 good.db > out 2> err
expect_eq $? 1 "--at 300"
expect_eq "$(cat out)" "" "--at 300: no table"
grep -q "^heaptrail: TIME '300' is past the end of the run, which lasted ${dur:-[0-9.]*} s (exit or 100% is its end)\$" err ||
	fail "--at 300: $(cat err)"
"$HT" sites --at 300s --format csv good.db > /dev/null 2> err
expect_eq $? 1 "sites --at 300s"
"$HT" timeline --from 0 --to 300 good.db > /dev/null 2> err
expect_eq $? 1 "timeline --to 300"
grep -q "past the end of the run" err || fail "timeline --to 300: $(cat err)"
for t in end exit peak 100% 0 0%; do
	"$HT" leaks --at $t good.db > /dev/null 2> err
	expect_eq $? 0 "--at $t"
	expect_eq "$(cat err)" "" "--at $t: stderr"
done
if [ -n "$dur" ]; then
	"$HT" leaks --at "$dur" good.db > /dev/null 2> err
	expect_eq $? 0 "--at the duration as printed ($dur)"
fi
"$HT" leaks --at 101% good.db > /dev/null 2> err
expect_eq $? 1 "--at 101%"
exit 0
