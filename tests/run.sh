#!/bin/sh
# run.sh - the whole test suite: unit test binaries and command-line
# tests, JOBS at a time.
#
# Each test runs in its own empty temporary directory (its cwd, and its
# TMPDIR and TMUX_TMPDIR below it), removed afterwards, with its output
# captured.  Results are printed in a fixed order (unit tests, then
# command-line tests, each by name) whatever order they finish in; a
# failed test's output is printed whole under its FAIL line.  The last
# line is "N passed, N failed, N skipped"; the exit status is 1 if
# anything failed.
#
# Tests start longest first (the times of the last run are kept in
# $BUILD/test-times), so that the longest one does not start last.
#
# usage: tests/run.sh [-j N] [PATTERN...]
#   PATTERN   only tests whose name contains one of the PATTERNs
#   -j N      run N tests at a time (default: $JOBS, else twice the
#             number of CPUs: many tests mostly wait)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
case "${BUILD:-build}" in
/*) BUILD=$(cd "$BUILD" && pwd) ;;
*)  BUILD=$(cd "$top/${BUILD:-build}" && pwd) ;;
esac || exit 2
HT=${HT:-$BUILD/heaptrail}
export BUILD HT SRC="$top" LIB="$BUILD/libheaptrail.so"

# --- one test, run by the workers (xargs -P, below) ---------------------------

# run.sh --one SCRATCH TEST: runs TEST (a unit test binary or a
# tests/cli/*.sh) and leaves SCRATCH/NAME.log (its output) and then
# SCRATCH/NAME.rc ("STATUS SECONDS"), NAME being unit-test-x or test-x.
if [ "${1:-}" = --one ]; then
	scratch=$2 t=$3
	case "$t" in
	*.sh) name=$(basename "$t" .sh) ;;
	*)    name=unit-$(basename "$t") ;;
	esac
	dir="$scratch/$name"
	mkdir -p "$dir/tmp"
	start=$(date +%s.%N)
	case "$t" in
	*.sh) (cd "$dir" && TMPDIR="$dir/tmp" TMUX_TMPDIR="$dir/tmp" \
		exec sh "$t") > "$scratch/$name.log" 2>&1 < /dev/null ;;
	*)    (cd "$dir" && TMPDIR="$dir/tmp" TMUX_TMPDIR="$dir/tmp" \
		exec "$t") > "$scratch/$name.log" 2>&1 < /dev/null ;;
	esac
	status=$?
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	rm -rf "$dir"
	echo "$status $took" > "$scratch/$name.rc.tmp"
	mv "$scratch/$name.rc.tmp" "$scratch/$name.rc"
	exit 0
fi

# --- the suite ------------------------------------------------------------------

jobs=${JOBS:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-j)   [ $# -ge 2 ] || { echo "run.sh: -j needs a number" >&2; exit 2; }
	      jobs=$2; shift 2 ;;
	-j*)  jobs=${1#-j}; shift ;;
	--)   shift; break ;;
	-*)   echo "usage: tests/run.sh [-j N] [PATTERN...]" >&2; exit 2 ;;
	*)    break ;;
	esac
done
[ -n "$jobs" ] || jobs=$(($(nproc 2> /dev/null || echo 1) * 2))
case "$jobs" in
''|*[!0-9]*|0) echo "run.sh: -j wants a positive number, not '$jobs'" >&2; exit 2 ;;
esac

# Nothing of the caller's heaptrail settings or preloads reaches a test.
for v in $(env | sed -n 's/^\(HEAPTRAIL_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
unset LD_PRELOAD TMUX
# Nor the servers of the caller's debuginfod (Debian's libdebuginfod-common
# may set them for every login): test-debuginfod starts one of its own.
unset DEBUGINFOD_URLS

# selected NAME : does NAME contain one of the patterns (all if none)?
selected() {
	[ -z "$patterns" ] && return 0
	for p in $patterns; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
patterns="$*"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/heaptrail-tests.XXXXXX") || exit 2
xargs_pid=
cleanup() {
	[ -n "$xargs_pid" ] && kill "$xargs_pid" 2> /dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The tests in the order results are printed.
: > "$scratch/list"
for t in "$BUILD"/unit/test-*; do
	[ -x "$t" ] || continue
	selected "$(basename "$t")" || continue
	echo "$t" >> "$scratch/list"
done
for t in "$top"/tests/cli/test-*.sh; do
	selected "$(basename "$t" .sh)" || continue
	echo "$t" >> "$scratch/list"
done

# The order they start in: longest first, by the last run's times.  A
# test not timed yet counts as 10 s, or as 30 s if it is one of these,
# the long ones in 2026-12 (for the first run of a build).
long="test-real-programs test-tui test-shapes test-signals test-service"
times="$BUILD/test-times"
[ -f "$times" ] || : > "$times"
awk -v long="$long" 'FILENAME == ARGV[1] { took[$1] = $2; next }
	{ n = $0; sub(/.*\//, "", n); sub(/\.sh$/, "", n)
	  if ($0 !~ /\.sh$/) n = "unit-" n
	  guess = index(" " long " ", " " n " ") ? 30 : 10
	  print (n in took ? took[n] : guess), $0 }' "$times" "$scratch/list" |
	sort -k1,1nr -k2 | cut -d' ' -f2- > "$scratch/start-order"

# A background job starts with SIGINT and SIGQUIT ignored, which its
# tests would inherit (and programs such as python3 then behave
# differently): env puts them back to the default.
started=$(date +%s.%N)
env --default-signal=INT,QUIT xargs -P "$jobs" -I{} sh "$0" --one "$scratch" {} \
	< "$scratch/start-order" &
xargs_pid=$!

# wait_for NAME : until NAME's result is there (or the workers are gone)
wait_for() {
	while [ ! -f "$scratch/$1.rc" ]; do
		kill -0 "$xargs_pid" 2> /dev/null || {
			[ -f "$scratch/$1.rc" ] || return 1
			break
		}
		sleep 0.1
	done
	return 0
}

passed=0 failed=0 skipped=0
: > "$scratch/times"
while read -r t; do
	case "$t" in
	*.sh) name=$(basename "$t" .sh) ;;
	*)    name=unit-$(basename "$t") ;;
	esac
	if ! wait_for "$name"; then
		echo "FAIL $name (no result: the runner was stopped)"
		failed=$((failed + 1))
		continue
	fi
	read -r status took < "$scratch/$name.rc"
	echo "$name $took" >> "$scratch/times"
	log="$scratch/$name.log"
	case "$t" in
	*.sh)
		case $status in
		0)  echo "PASS $name (${took}s)"; passed=$((passed + 1)) ;;
		77) echo "SKIP $name: $(tail -n 1 "$log" | sed 's/^ *skipped: //')"
		    skipped=$((skipped + 1)) ;;
		*)  echo "FAIL $name (status $status, ${took}s)"; sed 's/^/  /' "$log"
		    failed=$((failed + 1)) ;;
		esac ;;
	*)
		grep -E '^(PASS|FAIL) ' "$log" | sed 's/^/unit: /'
		grep -vE '^(PASS|FAIL) |^[0-9]+ passed' "$log" | sed 's/^/  /'
		p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log")
		f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log")
		if [ -z "$p" ]; then
			echo "FAIL $t (crashed, status $status)"
			failed=$((failed + 1))
		else
			passed=$((passed + p))
			failed=$((failed + f))
		fi ;;
	esac
done < "$scratch/list"
wait "$xargs_pid" 2> /dev/null
xargs_pid=

# Keep the times for the next run's order (the tests not run keep theirs).
awk 'FILENAME == ARGV[1] { took[$1] = $2; next } !($1 in took) { print }
	END { for (n in took) print n, took[n] }' "$scratch/times" "$times" |
	sort > "$times.new" && mv "$times.new" "$times"

awk -v a="$started" -v b="$(date +%s.%N)" -v j="$jobs" \
	'BEGIN { printf "took %.1f s, %d at a time\n", b - a, j }'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
