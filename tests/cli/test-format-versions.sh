# Every trace format version the reader accepts, read from a trace that
# version's recorder wrote (tests/traces/, see its README): `dump`,
# `dump --stats` and what `analyze` puts in the database must be what
# they were when the trace was checked in, byte for byte.
#
# After a deliberate change of that output, regenerate the expected files
# with UPDATE_EXPECTED=1 (make update-expected) and review the diff.
. "$SRC/tests/lib.sh"
traces=$SRC/tests/traces
command -v sqlite3 > /dev/null || fail "sqlite3 is not installed"

# The range the reader accepts, from the format header.
min=$(sed -n 's/^#define HT_FORMAT_VERSION_MIN \([0-9]*\).*/\1/p' "$SRC/format/trace-format.h")
max=$(sed -n 's/^#define HT_FORMAT_VERSION \([0-9]*\).*/\1/p' "$SRC/format/trace-format.h")
[ -n "$min" ] && [ -n "$max" ] || fail "no HT_FORMAT_VERSION(_MIN) in format/trace-format.h"

# What analyze made of it, without anything that depends on the symbols
# of the machine running the test (the modules of the trace are not
# there, or not the same build): check's "symbols:" lines are left out.
analyzed() {
	{ "$HT" check "$1.db" || echo "check: exit status $?"; } | grep -v '^symbols: '
	sqlite3 -header "$1.db" "
		select key, value from meta where key in ('program', 'events',
		    'allocations', 'frees', 'duration_s', 'peak_bytes',
		    'live_bytes_end', 'live_blocks_end', 'exit_live_bytes',
		    'exit_live_blocks', 'work_end_s', 'work_end',
		    'temporary_allocations', 'unknown_frees', 'replaced_live',
		    'dropped_events', 'maps', 'unmaps', 'mapped_bytes_end',
		    'exit_mapped_bytes', 'mapped_peak_bytes', 'complete')
		    order by key;
		select entry, count(*) as blocks, sum(size) as bytes,
		    sum(free_time is null) as never_freed,
		    sum(live_at_end) as live_at_end
		    from blocks group by entry order by entry;
		select count(*) as stacks from stacks;
		select id, tid, name, start_time, end_time from threads order by id;
		select time, thread_id, label from markers order by id;"
}

# compare WHAT EXPECTED ACTUAL : a diff on stderr unless they are the same
bad=0
compare() {
	if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
		cp "$3" "$2" || fail "cannot write $2"
		echo "  updated $2" >&2
	elif ! cmp -s "$2" "$3"; then
		echo "  $1: output differs from $2 (- expected, + now):" >&2
		diff -u "$2" "$3" | sed 's/^/    /' >&2
		bad=$((bad + 1))
	fi
}

v=$min
while [ "$v" -le "$max" ]; do
	t=v$v.trace
	[ -f "$traces/$t" ] || fail "no tests/traces/$t for format version $v"
	size=$(wc -c < "$traces/$t")
	[ "$size" -lt 102400 ] || fail "tests/traces/$t is $size bytes (keep it under 100 KiB)"
	cp "$traces/$t" . || fail "cannot copy $t"

	"$HT" dump "$t" > v$v.dump 2> err || fail "dump $t: $(cat err)"
	head -n 1 v$v.dump | grep -q "^header version=$v " ||
		fail "$t is not of version $v: $(head -n 1 v$v.dump)"
	[ -s err ] && fail "dump $t said: $(cat err)"
	compare "dump $t" "$traces/v$v.dump" v$v.dump

	"$HT" dump --stats "$t" > v$v.stats 2> err || fail "dump --stats $t: $(cat err)"
	compare "dump --stats $t" "$traces/v$v.stats" v$v.stats

	"$HT" analyze -o v$v.db "$t" 2> err || fail "analyze $t: $(cat err)"
	analyzed v$v > v$v.analyzed 2>&1
	compare "analyze $t" "$traces/v$v.analyzed" v$v.analyzed
	v=$((v + 1))
done
[ $bad -eq 0 ] || fail "$bad outputs differ from tests/traces/ (if deliberate: UPDATE_EXPECTED=1, see tests/traces/README)"
exit 0
