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

# size_counts TRACE SIZE : "ALLOCATIONS LIVE" of SIZE bytes, as
# allocs_by_size and live_by_size say, in one pass over `dump --ordered`
# and without keeping it (for traces of millions of events)
size_counts() {
	"$HT" dump --ordered "$1" | awk -v want="size=$2" '
		$3 ~ /^(malloc|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|heaptrail_alloc)$/ {
			if ($5 == want) { n++; live[$4] = 1 } else delete live[$4]
			next
		}
		$3 ~ /free$/ { delete live[$4] }
		END { l = 0; for (p in live) l++; print n + 0, l }'
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

# --- driving the browser in tmux (a server of the test's own) ----------------

TUI_TMUX="tmux -L heaptrail-test-$$"

# tui_start W H ENV... -- ARGS... : starts `heaptrail tui ARGS` in a
# detached W x H tmux session; when it ends, its exit status goes to
# ./tui.rc and the terminal settings before and after to ./stty.before
# and ./stty.after.  Waits for the first screen.
tui_start() {
	_w=$1 _h=$2
	shift 2
	_env=""
	while [ "$1" != "--" ]; do
		_env="$_env $1"
		shift
	done
	shift
	rm -f tui.rc stty.before stty.after
	# A server being killed can take the new session with it: wait.
	$TUI_TMUX kill-server 2> /dev/null && sleep 0.5
	$TUI_TMUX new-session -d -s tui -x "$_w" -y "$_h" \
		"stty -g > stty.before; env$_env '$HT' tui $*; echo \$? > tui.rc; stty -g > stty.after; sleep 60" ||
		fail "cannot start tmux"
	tui_wait "heaptrail:" || fail "the browser did not start: $(tui_screen)"
}

# tui_screen : the text on the screen now
tui_screen() {
	$TUI_TMUX capture-pane -p -t tui
}

# tui_wait TEXT : waits (up to 10 s) until TEXT (a grep -F pattern) shows
tui_wait() {
	_i=0
	while [ $_i -lt 100 ]; do
		tui_screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# tui_keys KEY... : sends keys (tmux key names), then lets it redraw
tui_keys() {
	for _k in "$@"; do
		$TUI_TMUX send-keys -t tui "$_k"
		sleep 0.05
	done
	sleep 0.3
}

# tui_expect TEXT WHAT : fails unless TEXT shows within 10 s
tui_expect() {
	tui_wait "$1" || fail "$2: no '$1' on the screen:
$(tui_screen)"
}

# tui_stop : ends the tmux server (the browser too, if still running)
tui_stop() {
	$TUI_TMUX kill-server 2> /dev/null
	return 0
}

# human BYTES : bytes in the units the browser and tables use
human() {
	awk -v n="$1" 'BEGIN {
		if (n < 1024) { printf "%d B\n", n; exit }
		split("KiB MiB GiB TiB", u, " "); v = n; i = 0
		while (v >= 1024 && i < 4) { v /= 1024; i++ }
		printf (v < 10 ? "%.2f %s\n" : v < 100 ? "%.1f %s\n" : "%.0f %s\n"), v, u[i]
	}'
}
