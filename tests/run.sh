#!/bin/sh
# run.sh - the whole test suite: unit test binaries, then command-line
# tests.  Each command-line test runs in its own empty temporary
# directory, removed afterwards.  The last line is "N passed, N failed,
# N skipped"; the exit status is 1 if anything failed.
#
# usage: tests/run.sh [PATTERN]   (only tests whose name contains PATTERN)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$top/${BUILD:-build}" && pwd)
HT=${HT:-$BUILD/heaptrail}
export BUILD HT SRC="$top" LIB="$BUILD/libheaptrail.so"
pattern=${1:-}
passed=0 failed=0 skipped=0
scratch=$(mktemp -d /tmp/heaptrail-tests.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for t in "$BUILD"/unit/test-*; do
	[ -x "$t" ] || continue
	case "$t" in *"$pattern"*) ;; *) continue ;; esac
	out=$("$t" 2>&1)
	status=$?
	echo "$out" | grep -E '^(PASS|FAIL) ' | sed 's/^/unit: /'
	echo "$out" | grep -vE '^(PASS|FAIL) |^[0-9]+ passed' | sed 's/^/  /'
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "FAIL $t (crashed, status $status)"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

for t in "$top"/tests/cli/test-*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	dir="$scratch/$name"
	mkdir -p "$dir"
	start=$(date +%s.%N)
	(cd "$dir" && sh "$t") > "$dir.log" 2>&1
	status=$?
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	case $status in
	0)  echo "PASS $name (${took}s)"; passed=$((passed + 1)) ;;
	77) echo "SKIP $name: $(tail -n 1 "$dir.log" | sed 's/^ *skipped: //')"
	    skipped=$((skipped + 1)) ;;
	*)  echo "FAIL $name (status $status)"; sed 's/^/  /' "$dir.log"
	    failed=$((failed + 1)) ;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
