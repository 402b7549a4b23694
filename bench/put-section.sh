#!/bin/sh
# put-section.sh - replaces the section NAME of bench/RESULTS.md (the lines
# from "<!-- NAME:begin" to "<!-- NAME:end", both included) with FILE, or
# appends FILE when there is no such section yet.  FILE must hold the two
# marker lines itself.  Used by run.sh and tui-keys.sh.
#
# usage: bench/put-section.sh NAME FILE
set -eu
name=$1 section=$2
res="$(cd "$(dirname "$0")" && pwd)/RESULTS.md"
[ -f "$res" ] || printf '# Benchmark results\n\nWritten by `make bench`; see bench/run.sh.\n\n' > "$res"
if grep -q "<!-- $name:begin" "$res"; then
	new=$(mktemp "$res.XXXXXX")
	awk -v section="$section" -v begin="<!-- $name:begin" -v end="<!-- $name:end" '
		index($0, begin) == 1 { while ((getline line < section) > 0) print line; skip = 1; next }
		index($0, end) == 1 { skip = 0; next }
		!skip' "$res" > "$new" && cat "$new" > "$res"
	rm -f "$new"
else
	{ echo; cat "$section"; } >> "$res"
fi
