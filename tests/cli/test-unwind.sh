# The recorder's stack walkers (recorder/unwind.c).
#   dwarf   finds the stacks libunwind finds (HEAPTRAIL_UNWIND_CHECK walks
#           every stack both ways and counts differences, and checks every
#           remembered walk against a fresh one), on a test program and on
#           real programs; hands sigaltstack handlers to libunwind
#   fp      on a program built with frame pointers, the same call chains
#           (up to main) as dwarf and libunwind, counted by allocations;
#           with garbage in the frame-pointer register it stops, no crash
. "$SRC/tests/lib.sh"
prog=$BUILD/tests/walk-stacks

# checked NAME PROGRAM ARGS... : record with the check on; no difference
checked() {
	name=$1
	shift
	HEAPTRAIL_UNWIND_CHECK=1 "$HT" record -o "$name.trace" -- "$@" \
		> /dev/null 2> "$name.err" || fail "$name: record failed: $(cat "$name.err")"
	grep -q "unwind check: [0-9]* stacks compared" "$name.err" ||
		fail "$name: no check report: $(cat "$name.err")"
	if grep "differ at\|remembered stack differs" "$name.err" ||
	    ! grep -q " 0 differ, .*(0 wrongly)" "$name.err"; then
		fail "$name: walks differ from libunwind's: $(grep unwind "$name.err")"
	fi
}

# count KEY NAME : a number from NAME's check report
count() {
	sed -n "s/.* \([0-9]*\) $1.*/\1/p" "$2.err" | head -n 1
}

checked deep "$prog" deep
expect_ge "$(count "stacks compared" deep)" 4000 "deep: stacks compared"
# Walks repeat in this program, and the memo must serve some of them.
expect_ge "$(count remembered deep)" 100 "deep: remembered walks"

checked alt "$prog" altstack
expect_eq "$(count "walked by libunwind" alt)" 10 "altstack: handed to libunwind"

# Real programs, where installed.
ran=0
if command -v python3 > /dev/null; then
	checked python python3 -c 'import json; print(len(json.dumps([{"k": i} for i in range(20000)])))'
	ran=$((ran + 1))
fi
if command -v gcc > /dev/null; then
	checked gcc gcc -O2 -c "$SRC/tests/programs/walk-stacks.c" -o w.o
	ran=$((ran + 1))
fi
if command -v git > /dev/null; then
	git init -q repo && checked git git -C repo status
	ran=$((ran + 1))
fi
echo "  real programs checked: $ran" >&2

# chains DB : "allocations function<...<deep_thread" per call chain (up to
# main or deep_thread: below them is the C library's code, without frame
# pointers)
chains() {
	sqlite3 -separator ' ' "$1" "
		select sf.stack_id, st.allocations, coalesce(f.function, '?')
		from stack_frames sf join stack_stats st on st.stack_id = sf.stack_id
		left join frames f on f.address = sf.address and f.depth = 0
		order by sf.stack_id, sf.position" |
	awk '$1 != id { if (id != "") print n, c; id = $1; n = $2; c = ""; done = 0 }
		!done { c = c (c == "" ? "" : "<") $3; if ($3 == "main" || $3 == "deep_thread") done = 1 }
		END { if (id != "") print n, c }' |
	awk '{ sum[$2] += $1 } END { for (c in sum) print sum[c], c }' | sort
}

command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
for how in dwarf fp libunwind; do
	"$HT" record -q --unwind "$how" -o "$how.trace" -- "$prog" deep ||
		fail "record --unwind $how"
	"$HT" analyze -o "$how.db" "$how.trace" 2> err || fail "analyze $how: $(cat err)"
	# The program's own allocations (the C library has no frame
	# pointers: its allocations' fp stacks end early).
	chains "$how.db" | grep " leaf_" > "$how.chains"
done
expect_ge "$(wc -l < dwarf.chains)" 100 "dwarf: distinct chains"
# Depth 1, first leaf: i = 0, 120, ..., 1920 on one thread, i = 57, 177,
# ..., 1977 on the other.
grep -qx "34 leaf_one<descend<deep_thread" dwarf.chains ||
	fail "dwarf: no chain leaf_one<descend<deep_thread with 34 allocations"
cmp -s dwarf.chains fp.chains || fail "fp chains differ from dwarf's: $(diff dwarf.chains fp.chains | head -5)"
cmp -s dwarf.chains libunwind.chains || fail "libunwind chains differ from dwarf's: $(diff dwarf.chains libunwind.chains | head -5)"

# Garbage frame pointers: fp stops its walk, the program runs on.
"$HT" record -q --unwind fp -o bad.trace -- "$prog" badbp || fail "record badbp (status $?)"
"$HT" check bad.trace > out 2>&1 || fail "check badbp: $(cat out)"
expect_eq "$("$HT" summary --format json bad.db | sed 's/.*"allocations": \([0-9]*\).*/\1/')" 6 "badbp: allocations"
"$HT" record -q --unwind fp -o nofp.trace -- "$BUILD/samples/leak" > /dev/null ||
	fail "record a program without frame pointers with --unwind fp"
"$HT" check nofp.trace > out 2>&1 || fail "check nofp: $(cat out)"
