# lib.sh - helpers for the command-line tests (sourced by tests/cli/*.sh).
#
# The runner starts each test in a fresh empty directory (its cwd) with:
#   HT     the heaptrail program        BUILD  the build directory
#   SRC    the source tree              LIB    libheaptrail.so
# A test exits 0 to pass, 77 to be skipped, anything else fails; it says
# why on stderr.

fail() {
	echo "  $*" >&2
	exit 1
}

skip() {
	echo "  skipped: $*" >&2
	exit 77
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# expect_ge ACTUAL MINIMUM WHAT
expect_ge() {
	[ "$1" -ge "$2" ] 2>/dev/null || fail "$3: got '$1', expected at least $2"
}

# record TRACE PROGRAM ARGS... : heaptrail record, quietly, into TRACE
record() {
	_trace=$1
	shift
	"$HT" record -q -o "$_trace" -- "$@"
}

# stats TRACE : dump --stats into TRACE.stats (fails the test on error)
stats() {
	"$HT" dump --stats "$1" > "$1.stats" 2> "$1.err" ||
		fail "dump --stats $1 failed: $(cat "$1.err")"
}

# stat TRACE KEY : one value from TRACE.stats ("" if absent)
stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$1.stats"
}

# live_where TRACE CONDITION : blocks live at the end whose allocation
# line of `dump --ordered` matches the awk CONDITION (fields: $1 time,
# $2 "thread=N", $3 entry point, $4 "ptr=0x..", $5 "size=N").  Pairing
# is done here in awk, independently of the C code.
live_where() {
	[ -f "$1.ordered" ] || "$HT" dump --ordered "$1" > "$1.ordered" ||
		fail "dump --ordered $1 failed"
	awk '
		$3 ~ /^(malloc|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|heaptrail_alloc)$/ {
			if ('"$2"') live[$4] = 1; else delete live[$4]
			next
		}
		$3 ~ /free$/ { delete live[$4] }
		END { n = 0; for (p in live) n++; print n }' "$1.ordered"
}

# live_by_size TRACE SIZE : blocks of SIZE bytes live at the end
live_by_size() {
	live_where "$1" "\$5 == \"size=$2\""
}

# allocs_by_size TRACE SIZE : allocation events of SIZE bytes
allocs_by_size() {
	[ -f "$1.ordered" ] || "$HT" dump --ordered "$1" > "$1.ordered" ||
		fail "dump --ordered $1 failed"
	awk -v want="size=$2" '$5 == want && $3 !~ /free$/ { n++ }
		END { print n + 0 }' "$1.ordered"
}
