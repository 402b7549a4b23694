#!/bin/sh
# tui-keys.sh - responsiveness of the browser, `heaptrail tui`, on a big
# profile: every key should be answered in under 50 ms.
#
# Builds bench/many-sites.c (111,064 allocation sites in eight generated
# libraries, see bench/many-sites-gen.sh), records it (10.5M allocations)
# and analyzes the trace, all cached under BUILD/bench/ and redone only
# when the sources, the recorder or heaptrail are newer.  Then, for each
# terminal size, starts `heaptrail tui DB` in a detached tmux session on a
# private server with HEAPTRAIL_TUI_KEYLOG set, sends the keys of KEYS
# below one by one (each time waiting until the TUI has logged a line for
# it), quits with q and reads the log.  The TUI writes one line per key it
# handles: "KEY VIEW MILLISECONDS", the time from reading the key to the
# screen being updated.  Prints, per view and overall: keys, median, 95th
# percentile (nearest rank) and max, and the slowest key; also the round
# trip (send-keys until the log line is seen, polled every 10 ms), which
# includes what the log does not, such as an Esc held back by ESCDELAY.
#
# usage: bench/tui-keys.sh [-w]
#   -w   also write the "TUI responsiveness" section of bench/RESULTS.md
#        (`make bench` does)
# Environment: BUILD (build), TUI_SIZES ("80x24 200x50"; empty: stop once
# the database is there), KEY_TIMEOUT (10 s a key), START_TIMEOUT (60 s
# for the first screen), MS_ALLOCATIONS (10500000), CC (gcc), TUI_DB (a
# database to browse instead of many-sites': nothing is built).
# Exits 0 when every key was answered, under 50 ms or not; 1 when the TUI
# is not built, dies, does not draw, leaves a key unanswered or does not
# quit on q.
set -eu

# The keys, in order: tmux key names (Enter, Escape, Space, Tab, Left,
# Right, Up, Down, PageDown, PageUp, Home, End, BSpace) or single
# characters; "text:WORD" types WORD one character at a time.  Each must
# make the TUI log one line.  Words after # are comments (no single quotes).
KEYS='
# 1 overview: move the time cursor, markers, peak, select a time
Right Right Right Right l l l h h Left Left L L H End Home
] ] [ p Home L L L L L L L L Enter
# 2 sites, live at that time: move, sort, filter as you type
2 j j j k Down Down Up PageDown PageDown PageUp End Home G g
s s s s s s
/ text:table_l Enter j j
# a site: its detail (frames, stacks, panels), then back
Enter j k ] [ v v v v j k Escape
# no filter; the class filter
/ BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
c c c c c
# 3 call tree: move, open and close, heaviest path, bottom-up, measures
3 j j Enter j Enter Right j Right Left k Enter
PageDown PageDown End Home
e j j E t j Enter j Right Right Left t s s s
# 4 modules, and the sites of one
4 j j k End Home Enter j Escape
# 5 the detail of the selected site
5 j k Escape
# help, then the views in turn
? PageDown Escape Tab Tab Tab Tab Tab
# a window on the overview, then the views with it
1 Home L L L Space L L L L L Space 2 j s 3 j Enter 4 j 5 j
# back to the end of the run
1 x 2 j
'

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$top/${BUILD:-build}" && pwd)
sizes=${TUI_SIZES-80x24 200x50}
key_timeout=${KEY_TIMEOUT:-10}
start_timeout=${START_TIMEOUT:-60}
allocations=${MS_ALLOCATIONS:-10500000}
cc=${CC:-gcc}
target_ms=50
case ${1:-} in
-w) write_results=1 ;;
"") write_results=0 ;;
*) echo "usage: bench/tui-keys.sh [-w]" >&2; exit 2 ;;
esac

dir="$BUILD/bench"
prog="$dir/many-sites"
trace="$dir/many-sites.trace"
db="$dir/many-sites.db"
info="$dir/many-sites.info"	# "KEY VALUE": timings (compile_s,
				# compile_cpu_s, record_s, analyze_s) and
				# the allocations recorded
src="$top/bench/many-sites.c"
heaptrail="$BUILD/heaptrail"
sock="heaptrail-tui-keys-$$"	# a private tmux server, killed at exit
keep="$dir/tui-keys"		# the key logs of the last run: $keep-WxH.log

die() {
	echo "tui-keys: $*" >&2
	exit 1
}

work=$(mktemp -d /tmp/heaptrail-tui-keys.XXXXXX)
# (kill-server leaves the socket file behind)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

command -v tmux > /dev/null && command -v sqlite3 > /dev/null ||
	"$top/build-aux/install-deps" tmux sqlite3 ||
	die "tmux and sqlite3 are needed"
command -v "$cc" > /dev/null || die "no C compiler $cc"
if [ ! -x "$heaptrail" ] || [ ! -f "$BUILD/libheaptrail.so" ]; then
	die "$heaptrail is not built: run make first"
fi

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# secs MS: milliseconds as seconds with one decimal
secs() {
	awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'
}

# info_set KEY VALUE / info_get KEY: the cached timings
info_set() {
	{ grep -v "^$1 " "$info" 2>/dev/null || true; echo "$1 $2"; } > "$info.new"
	mv "$info.new" "$info"
}
info_get() {
	[ -f "$info" ] || { echo "?"; return 0; }
	awk -v k="$1" '$1 == k { v = $2 } END { print v == "" ? "?" : v }' "$info"
}

# --- the program, its trace and database (cached) --------------------------

# The parts, as "INDEX NAME" lines, from MS_PARTS in many-sites.h.
parts() {
	sed -n 's/^#define MS_PARTS(X) //p' "$top/bench/many-sites.h" |
		grep -o 'X([0-9]*, [a-z]*)' | sed 's/X(\([0-9]*\), \([a-z]*\))/\1 \2/'
}

# Generates the parts' source into $dir/src/, compiles them into
# libms-NAME.so, two at a time (or nproc), and links the program.
build_program() {
	newest=$(ls -t "$src" "$top/bench/many-sites.h" "$top/bench/many-sites-gen.sh" \
		"$top/include/heaptrail.h" | head -n 1)
	if [ -x "$prog" ] && [ "$prog" -nt "$newest" ]; then
		return 0
	fi
	mkdir -p "$dir/src"
	echo "tui-keys: building $prog and its $(parts | wc -l) libraries ($(nproc) jobs)" >&2
	t0=$(now_ms)
	parts | while read -r i name; do
		sh "$top/bench/many-sites-gen.sh" "$i" "$name" > "$dir/src/$name.c"
	done
	# -O0: half of -O1's compile time, and every call stays a call.  The
	# generated parts without warnings (-Wall -Wextra cost them 40%).
	flags="-std=gnu11 -O0 -g -I$top/bench -I$top/include"
	libs=$(parts | awk '{ printf " -lms-%s", $2 }')
	export cc flags dir src prog libs
	parts > "$work/parts"
	# shellcheck disable=SC2016
	compile='xargs -P "$(nproc)" -n 2 sh -c '\''$cc $flags -fPIC -shared \
			-o "$dir/libms-$2.so" "$dir/src/$2.c"'\'' sh < "$1" &&
		$cc $flags -Wall -Wextra -Werror -o "$prog.tmp" "$src" -L"$dir" $libs -Wl,-rpath,'\''$ORIGIN'\'' -lm'
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$work/cpu" sh -c "$compile" sh "$work/parts" ||
			die "building many-sites failed"
	else
		sh -c "$compile" sh "$work/parts" || die "building many-sites failed"
	fi
	mv "$prog.tmp" "$prog"
	t1=$(now_ms)
	info_set compile_s "$(secs $((t1 - t0)))"
	[ -f "$work/cpu" ] && info_set compile_cpu_s "$(awk '{ printf "%.1f", $1 + $2 }' "$work/cpu")"
	echo "tui-keys: built in $(info_get compile_s) s ($(info_get compile_cpu_s) s CPU)" >&2
}

record() {
	if [ -f "$trace" ] && [ "$trace" -nt "$prog" ] &&
	    [ "$trace" -nt "$BUILD/libheaptrail.so" ] &&
	    [ "$(info_get allocations)" = "$allocations" ]; then
		return 0
	fi
	echo "tui-keys: recording many-sites $allocations" >&2
	t0=$(now_ms)
	"$heaptrail" record -q -o "$trace.tmp" -- "$prog" "$allocations" >&2 ||
		die "recording $prog failed"
	mv "$trace.tmp" "$trace"
	t1=$(now_ms)
	info_set record_s "$(secs $((t1 - t0)))"
	info_set allocations "$allocations"
	echo "tui-keys: recorded in $(info_get record_s) s" >&2
}

analyze() {
	if [ -f "$db" ] && [ "$db" -nt "$trace" ] && [ "$db" -nt "$heaptrail" ]; then
		return 0
	fi
	echo "tui-keys: analyzing $trace" >&2
	t0=$(now_ms)
	"$heaptrail" analyze -o "$db" "$trace" >&2 || die "analyzing $trace failed"
	t1=$(now_ms)
	info_set analyze_s "$(secs $((t1 - t0)))"
	echo "tui-keys: analyzed in $(info_get analyze_s) s" >&2
}

if [ -n "${TUI_DB:-}" ]; then
	db=$TUI_DB	# another database: nothing built, recorded or analyzed
	trace=$db
else
	build_program
	record
	analyze
fi

q() {
	sqlite3 "$db" "$1"
}
n_sites=$(q 'SELECT count(*) FROM sites')
n_allocs=$(q "SELECT value FROM meta WHERE key = 'allocations'")
n_stacks=$(q 'SELECT count(*) FROM stacks')
db_bytes=$(wc -c < "$db")
trace_bytes=$(wc -c < "$trace")
mib() {
	awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'
}
# thousands N: 1234567 as 1,234,567
thousands() {
	echo "$1" | sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e ta
}
figures="$(thousands "$n_sites") sites, $(thousands "$n_allocs") allocations, $(thousands "$n_stacks") stacks; DB $(mib "$db_bytes") MiB, trace $(mib "$trace_bytes") MiB"
echo "tui-keys: $db: $figures" >&2
echo "tui-keys: compile $(info_get compile_s) s ($(info_get compile_cpu_s) s CPU), record $(info_get record_s) s, analyze $(info_get analyze_s) s (when last done)" >&2

[ -n "$sizes" ] || exit 0	# TUI_SIZES="": only build, record, analyze

# --- the TUI in tmux ----------------------------------------------------------

if ! "$heaptrail" tui --help > "$work/help" 2>&1 || grep -q 'not built' "$work/help"; then
	die "heaptrail tui is not built yet ($(head -n 1 "$work/help"))"
fi

# Our own tmux server: no user configuration, no status line (the pane is
# the whole terminal), panes kept after their program exits so that an
# early exit can be shown.
cat > "$work/tmux.conf" <<'EOF'
set -g status off
set -g remain-on-exit on
set -g default-terminal screen-256color
EOF
tm() {
	tmux -L "$sock" -f "$work/tmux.conf" "$@"
}

pane_dead() {
	[ "$(tm display-message -p -t bench '#{pane_dead}' 2>/dev/null || echo 1)" = 1 ]
}

# fail MESSAGE: show the screen and the end of the key log, give up
fail() {
	echo "tui-keys: $*" >&2
	if tm has-session -t bench 2>/dev/null; then
		echo "tui-keys: the screen (exit status: $(cat "$work/status" 2>/dev/null ||
			echo "none, still running")):" >&2
		tm capture-pane -p -t bench | sed 's/^/    | /' >&2 || true
	else
		echo "tui-keys: the tmux session is gone" >&2
	fi
	echo "tui-keys: the key log ($(wc -l < "$log") lines) ended:" >&2
	tail -n 5 "$log" | sed 's/^/    | /' >&2
	exit 1
}

# The key list without comments, one key per line; text:WORD as its
# characters, each "-l CHAR" (sent literally).
keylist() {
	printf '%s\n' "$KEYS" | sed 's/#.*//' | tr '\t' ' ' | tr -s ' ' '\n' | sed '/^$/d' |
		awk '/^text:/ { s = substr($0, 6); for (i = 1; i <= length(s); i++)
			print "-l " substr(s, i, 1); next } { print }'
}

# session WIDTH HEIGHT: runs the key list; the log goes to
# $work/log-WxH, "LINE SENTKEY ROUNDTRIP_MS" per key to $work/sent-WxH.
session() {
	w=$1 h=$2
	log="$work/log-${w}x$h"
	sent="$work/sent-${w}x$h"
	: > "$log"
	: > "$sent"
	tm kill-server 2>/dev/null || true
	t0=$(now_ms)
	# The shell around it keeps the exit status (tmux may not learn it).
	rm -f "$work/status"
	tm new-session -d -s bench -x "$w" -y "$h" \
		"HEAPTRAIL_TUI_KEYLOG='$log' '$heaptrail' tui '$db'; echo \$? > '$work/status'"
	# Wait for the first screen.
	while [ -z "$(tm capture-pane -p -t bench 2>/dev/null | tr -d ' \n')" ]; do
		if pane_dead; then
			fail "heaptrail tui exited before drawing anything (${w}x$h)"
		fi
		if [ $(($(now_ms) - t0)) -gt $((start_timeout * 1000)) ]; then
			fail "no screen within $start_timeout s (${w}x$h)"
		fi
		sleep 0.05
	done
	if pane_dead; then
		fail "heaptrail tui exited at start (${w}x$h)"
	fi
	startup_ms=$(($(now_ms) - t0))
	echo "$startup_ms" > "$work/startup-${w}x$h"
	echo "tui-keys: ${w}x$h: first screen after $startup_ms ms" >&2

	lines=0
	keylist > "$work/keys"
	while read -r key; do
		case $key in
		"-l "*) name=${key#-l }; set -- -l "$name" ;;
		*) name=$key; set -- "$key" ;;
		esac
		k0=$(now_ms)
		tm send-keys -t bench "$@"
		polls=0
		while [ "$(wc -l < "$log")" -le "$lines" ]; do
			polls=$((polls + 1))
			if [ $((polls % 25)) = 0 ] && pane_dead; then
				fail "heaptrail tui exited (status $(cat "$work/status" 2>/dev/null)) after key '$name' (${w}x$h, key $((lines + 1)) of the list)"
			fi
			if [ $((polls % 25)) = 0 ] &&
			    [ $(($(now_ms) - k0)) -gt $((key_timeout * 1000)) ]; then
				fail "key '$name' (${w}x$h, key $((lines + 1)) of the list) got no log line in $key_timeout s: does the TUI handle it, and write and flush one line per key to HEAPTRAIL_TUI_KEYLOG?"
			fi
			sleep 0.01
		done
		k1=$(now_ms)
		echo "$((lines + 1)) $name $((k1 - k0))" >> "$sent"
		lines=$(wc -l < "$log")
	done < "$work/keys"
	tm send-keys -t bench q
	q0=$(now_ms)
	until [ -s "$work/status" ]; do
		if [ $(($(now_ms) - q0)) -gt $((key_timeout * 1000)) ]; then
			fail "heaptrail tui did not quit on q within $key_timeout s (${w}x$h)"
		fi
		sleep 0.05
	done
	status=$(cat "$work/status")
	if [ "$status" -gt 128 ]; then
		fail "heaptrail tui was killed by signal $((status - 128)) on q (${w}x$h)"
	elif [ "$status" != 0 ]; then
		fail "heaptrail tui exited with status $status on q (${w}x$h)"
	fi
	tm kill-server 2>/dev/null || true
	# Kept for a look: "N SENT KEY VIEW MS ROUNDTRIP_MS" per key.
	mkdir -p "$dir"
	awk 'NR == FNR { sent[$1] = $2; rt[$1] = $3; next }
		{ print FNR, (FNR in sent) ? sent[FNR] : "-", $0, (FNR in rt) ? rt[FNR] : "-" }' \
		"$sent" "$log" > "$keep-${w}x$h.log"
	awk 'NF < 3 || $3 !~ /^[0-9]+(\.[0-9]*)?$/ { bad++ } END { exit bad > 0 }' "$log" ||
		echo "tui-keys: warning: lines of the key log not as KEY VIEW MILLISECONDS:" \
			"$(awk 'NF < 3 || $3 !~ /^[0-9]+(\.[0-9]*)?$/' "$log" | head -n 3)" >&2
}

# stats LOG SENT: one row per view and "all": view keys median p95 max
# slowest-key over-target roundtrip-median roundtrip-max
stats() {
	# "view ms key roundtrip" per logged key (roundtrip "-" for lines
	# logged beyond one per key, such as the q).
	awk 'NR == FNR { rt[$1] = $3; next }
		NF >= 3 { print $2, $3, $1, (FNR in rt) ? rt[FNR] : "-" }' "$2" "$1" > "$work/rows"
	{ cat "$work/rows"; awk '{ $1 = "all"; print }' "$work/rows"; } |
		sort -k1,1 -k2,2g |
		awk -v target="$target_ms" '
		function flush() {
			if (n == 0)
				return
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			p = int(0.95 * n); if (p < 0.95 * n) p++
			m = 0; for (i = 1; i <= nr; i++) r[i] = rr[i]
			# round trips: sorted by insertion sort (few keys)
			for (i = 2; i <= nr; i++) { x = r[i]; j = i - 1
				while (j >= 1 && r[j] > x) { r[j + 1] = r[j]; j-- } r[j + 1] = x }
			rmed = nr ? r[int((nr + 1) / 2)] : "-"
			rmax = nr ? r[nr] : "-"
			printf "%s %d %.1f %.1f %.1f %s %d %s %s\n", view, n, med, v[p],
				v[n], slow, over, rmed, rmax
		}
		$1 != view { flush(); view = $1; n = 0; nr = 0; over = 0 }
		{ v[++n] = $2; slow = $3; if ($2 > target) over++
		  if ($4 != "-") rr[++nr] = $4 }
		END { flush() }' |
		awk '$1 == "all" { last = $0; next } { print } END { print last }'
}

for size in $sizes; do
	session "${size%x*}" "${size#*x}"
done

# --- report -----------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
date=$(date -u +%Y-%m-%d)
nkeys=$(keylist | wc -l)
verdict_over=0
: > "$work/table.txt"
: > "$work/table.md"
for size in $sizes; do
	w=${size%x*} h=${size#*x}
	stats "$work/log-${w}x$h" "$work/sent-${w}x$h" > "$work/stats-$size"
	startup=$(cat "$work/startup-$size")
	{
		echo "${size}: first screen after $startup ms"
		printf '  %-10s %5s %9s %7s %7s  %-10s %8s  %s\n' view keys "median ms" "p95 ms" \
			"max ms" slowest ">50 ms" "round trip median/max ms"
		awk '{ printf "  %-10s %5d %9.1f %7.1f %7.1f  %-10s %8d  %s/%s\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$work/stats-$size"
	} >> "$work/table.txt"
	awk -v size="$size" '{ printf "| %s | %s | %d | %.1f | %.1f | %.1f | %s | %d | %s / %s |\n",
		size, $1 == "all" ? "**all**" : $1, $2, $3, $4, $5, "`" $6 "`", $7, $8, $9 }' \
		"$work/stats-$size" >> "$work/table.md"
	over=$(awk '$1 == "all" { print $7 }' "$work/stats-$size")
	verdict_over=$((verdict_over + over))
done
echo
echo "TUI responsiveness, $date, $cpu ($(nproc) CPUs)"
echo "DB: $figures"
echo "$nkeys scripted keys per terminal size; target: every key under $target_ms ms"
cat "$work/table.txt"
if [ "$verdict_over" = 0 ]; then
	verdict="met: no key took $target_ms ms or more"
	echo "target $verdict"
else
	verdict="NOT met: $verdict_over key(s) over $target_ms ms"
	echo "target $verdict"
fi

[ "$write_results" = 1 ] || exit 0
load=$(cut -d' ' -f1 /proc/loadavg)
section="$work/section.md"
{
	echo "<!-- tui:begin (written by bench/tui-keys.sh) -->"
	echo "## TUI responsiveness: $date, $cpu, $(nproc) CPUs"
	echo
	echo "Database: \`many-sites $allocations\` (bench/many-sites.c) recorded and analyzed:"
	echo "$figures."
	echo "Compile $(info_get compile_s) s ($(info_get compile_cpu_s) s CPU), record $(info_get record_s) s, analyze $(info_get analyze_s) s"
	echo "(when last done; load average $load at the end of this run)."
	echo
	echo "$nkeys scripted keys per terminal size (the list at the top of bench/tui-keys.sh),"
	echo "sent through tmux one at a time. Times are the TUI's own, from reading a key to"
	echo "the screen updated (HEAPTRAIL_TUI_KEYLOG), under the view that handled the key"
	echo "(a key that switches views counts for the view it was pressed in); round trip is"
	echo "from \`tmux send-keys\` to the log line seen (polled every 10 ms). Target: every"
	echo "key under $target_ms ms: **$verdict**."
	echo
	echo "| terminal | view | keys | median ms | p95 ms | max ms | slowest key | over $target_ms ms | round trip median / max ms |"
	echo "|---|---|---|---|---|---|---|---|---|"
	cat "$work/table.md"
	echo
	echo "First screen after $(for size in $sizes; do
		printf '%s ms (%s), ' "$(cat "$work/startup-$size")" "$size"; done |
		sed 's/, $//')."
	echo "<!-- tui:end -->"
} > "$section"
"$top/bench/put-section.sh" tui "$section"
echo "tui-keys: results written to bench/RESULTS.md" >&2
