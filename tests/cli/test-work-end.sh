# The recorder marks the end of the program's work: one MARK with a label
# of its own when main returns or exit, quick_exit or _exit is called,
# before atexit handlers and static destructors run (their events come
# after it); a fork child marks its own trace; the exit status is kept.
. "$SRC/tests/lib.sh"

# ordered TRACE : dump --ordered into TRACE.ordered
ordered() {
	"$HT" dump --ordered "$1" > "$1.ordered" 2> "$1.err" ||
		fail "dump --ordered $1 failed: $(cat "$1.err")"
}

# work_ends TRACE : the labels of the recorder's marks, one a line
work_ends() {
	awk '$3 == "mark" && index($0, "mark \"heaptrail: ") {
		sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$1.ordered"
}

# events TRACE before|after alloc|free SIZE : how many events of SIZE
# bytes come before or after the recorder's mark
events() {
	awk -v when="$2" -v kind="$3" -v want="size=$4" '
		$3 == "mark" && index($0, "mark \"heaptrail: ") { seen = 1; next }
		$5 == want {
			k = $3 ~ /free$/ ? "free" : "alloc"
			if (k == kind && (seen ? "after" : "before") == when) n++
		}
		END { print n + 0 }' "$1.ordered"
}

# check MODE STATUS LABEL : records MODE, which must exit with STATUS and
# hold one mark of the recorder's, LABEL, after the program's "working"
# (its own try at a reserved label is refused, with one warning); leaves
# MODE.trace.ordered
check() {
	record "$1.trace" "$BUILD/tests/work-end" "$1" 2> "$1.stderr"
	expect_eq "$?" "$2" "$1: exit status"
	expect_eq "$(grep -c 'heaptrail: heaptrail_mark: labels starting with "heaptrail: " are reserved, not recorded: heaptrail: main returned' "$1.stderr")" 1 \
		"$1: warning about the reserved label: $(cat "$1.stderr")"
	stats "$1.trace"
	expect_eq "$(stat "$1.trace" complete)" yes "$1: clean end"
	ordered "$1.trace"
	expect_eq "$(work_ends "$1.trace")" "heaptrail: $3" "$1: the recorder's marks"
	expect_eq "$(stat "$1.trace" markers)" 2 "$1: markers"
	expect_eq "$(awk '$3 == "mark" { print $4 }' "$1.trace.ordered" | head -n 1)" '"working"' "$1: the program's marker first"
	expect_eq "$(events "$1.trace" before alloc 111)" 10 "$1: main's blocks before the mark"
	expect_eq "$(events "$1.trace" before alloc 555)" 1 "$1: the constructor's block before the mark"
}

# after TRACE SIZE WHAT : one allocation and one free of SIZE bytes, both
# after the mark
after() {
	expect_eq "$(events "$1" before alloc "$2") $(events "$1" after alloc "$2")" "0 1" "$3: allocated after the mark"
	expect_eq "$(events "$1" before free "$2") $(events "$1" after free "$2")" "0 1" "$3: freed after the mark"
}

for mode in return exit thread-exit; do
	case $mode in
	return) check return 3 "main returned" ;;
	exit) check exit 4 "exit called" ;;
	thread-exit) check thread-exit 5 "exit called" ;;
	esac
	after $mode.trace 222 "$mode: the atexit handler's block"
	after $mode.trace 333 "$mode: the destructor's block"
	expect_eq "$(events $mode.trace after free 555)" 1 "$mode: the constructor's block freed after the mark"
done
# The mark is made by the thread that called exit.
expect_eq "$(awk '$3 == "mark" && index($0, "mark \"heaptrail: ") { print $2 }' thread-exit.trace.ordered)" thread=2 \
	"thread-exit: marking thread"

check quick_exit 6 "quick_exit called"
after quick_exit.trace 444 "quick_exit: the at_quick_exit handler's block"
expect_eq "$(events quick_exit.trace after alloc 222)" 0 "quick_exit: no atexit handler"

check _exit 7 "_exit called"
expect_eq "$(events _exit.trace after alloc 222)$(events _exit.trace after alloc 333)" 00 "_exit: no handler, no destructor"

# main is called through the recorder, whose frames stay out of the stacks
# (main's own stack runs main, the C library, _start).
if command -v sqlite3 > /dev/null; then
	"$HT" analyze return.trace 2> err || fail "analyze: $(cat err)"
	expect_eq "$(sqlite3 return.db "select count(*) from stack_frames s
		join modules m on s.address >= m.text_start and s.address < m.text_end
		where m.name like 'libheaptrail%'")" 0 "frames of the recorder in stacks"
	expect_ge "$(sqlite3 return.db "select count(*) from stack_frames s
		join frames f on f.address = s.address where f.function = 'main'")" 1 "frames of main"
fi

# fork: the child returns from main too; each trace has its own mark.
check fork 8 "main returned"
after fork.trace 222 "fork parent: the atexit handler's block"
expect_eq "$(events fork.trace before alloc 113)" 0 "fork parent: nothing of the child"
set -- fork.trace.[0-9]*
[ $# = 1 ] && [ -f "$1" ] || fail "fork: the child's trace: $(ls)"
child=$1
stats "$child"
expect_eq "$(stat "$child" complete)" yes "fork child: clean end"
ordered "$child"
expect_eq "$(work_ends "$child")" "heaptrail: main returned" "fork child: the recorder's marks"
expect_eq "$(events "$child" before alloc 113)" 5 "fork child: its blocks before the mark"
after "$child" 222 "fork child: the atexit handler's block"
after "$child" 333 "fork child: the destructor's block"

# C++: a static std::map filled by main, destroyed after it returns.
record cxx.trace "$BUILD/tests/work-end-cxx" || fail "work-end-cxx: exit status $?"
ordered cxx.trace
expect_eq "$(work_ends cxx.trace)" "heaptrail: main returned" "cxx: the recorder's marks"
expect_eq "$(events cxx.trace before alloc 48) $(events cxx.trace after alloc 48)" "64 0" "cxx: map nodes made before the mark"
expect_eq "$(events cxx.trace before free 48) $(events cxx.trace after free 48)" "0 64" "cxx: map nodes freed after the mark"

# Rust: its C main runs the program's main through std.
rustc=$(command -v rustc || ls "$HOME/.cargo/bin/rustc" 2> /dev/null)
if [ -n "$rustc" ] && [ -x "$rustc" ]; then
	"$rustc" -O -o rs "$SRC/tests/programs/work-end.rs" 2> err ||
		fail "rustc: $(cat err)"
	record rs-return.trace ./rs return
	expect_eq "$?" 3 "rust return: exit status"
	ordered rs-return.trace
	expect_eq "$(work_ends rs-return.trace)" "heaptrail: main returned" "rust return: the recorder's marks"
	record rs-exit.trace ./rs exit
	expect_eq "$?" 4 "rust exit: exit status"
	ordered rs-exit.trace
	expect_eq "$(work_ends rs-exit.trace)" "heaptrail: exit called" "rust exit: the recorder's marks"
	expect_eq "$(events rs-exit.trace before alloc 77)" 10 "rust exit: its blocks before the mark"
fi

# Not recording (the trace cannot be written): the program still runs
# and ends as it would.
for mode in return exit quick_exit _exit fork; do
	HEAPTRAIL_OUTPUT=/nonexistent/t.trace HEAPTRAIL_QUIET=1 LD_PRELOAD=$LIB \
		"$BUILD/tests/work-end" $mode
	status=$?
	case $mode in
	return) want=3 ;; exit) want=4 ;; quick_exit) want=6 ;;
	_exit) want=7 ;; fork) want=8 ;;
	esac
	expect_eq "$status" $want "not recording, $mode: exit status"
done
exit 0
