# record's error handling: each bad case gets one clear message naming
# the file, and a non-zero exit.
. "$SRC/tests/lib.sh"

"$HT" record -o t.trace -- ./no-such-program 2> err
expect_eq $? 127 "missing program: exit status"
grep -q "no-such-program" err || fail "missing program: message: $(cat err)"
[ ! -e t.trace ] || fail "missing program: a trace was left behind"

"$HT" record -o t.trace -- no-such-command-anywhere 2> err
expect_eq $? 127 "command not on PATH: exit status"
grep -q "command not found" err || fail "not on PATH: message: $(cat err)"

printf 'not a program\n' > text && chmod -x text
"$HT" record -o t.trace -- ./text 2> err
expect_eq $? 126 "not executable: exit status"
grep -q "text" err || fail "not executable: message: $(cat err)"

"$HT" record -o /nonexistent-dir/t.trace -- "$BUILD/tests/entry-points" 2> err
expect_eq $? 1 "unwritable output: exit status"
grep -q "/nonexistent-dir/t.trace" err || fail "unwritable output: message: $(cat err)"

# A statically linked program (if a static libc is there to build one).
if printf 'int main(void){return 0;}\n' > s.c && cc -static -o static s.c 2>/dev/null; then
	"$HT" record -o t.trace -- ./static 2> err
	expect_eq $? 1 "static program: exit status"
	grep -q "statically linked" err || fail "static program: message: $(cat err)"
fi

"$HT" record 2> err
expect_eq $? 2 "no program: usage error"
"$HT" record --depth 0 true 2> err
expect_eq $? 2 "bad --depth: usage error"
"$HT" frobnicate 2> err
expect_eq $? 2 "unknown command: usage error"

# The program's own exit status comes back; so does death by a signal.
"$HT" record -q -o t.trace -- sh -c 'exit 7'
expect_eq $? 7 "program's exit status"
"$HT" record -q -o t.trace -- sh -c 'kill -TERM $$'
expect_eq $? 143 "killed by SIGTERM: 128 + 15"

# The summary line names events, allocations, duration, size, the command.
"$HT" record -o t.trace -- "$BUILD/tests/entry-points" 2> err
grep -q "events, 25 allocations, .* s, .* trace; analyze with: heaptrail analyze t.trace" err ||
	fail "summary line: $(cat err)"
