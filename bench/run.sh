#!/bin/sh
# run.sh - `make bench`: the recording benchmark, heaptrail against
# heaptrack in the same run, written into bench/RESULTS.md.
#
# For each workload, runs the program natively, under `heaptrail record`
# and under `heaptrack`, BENCH_REPS times each (default 3), and keeps the
# median wall time, CPU time (user + system, all processes) and peak RSS,
# plus the trace size of the last run.  Ratios are heaptrail / heaptrack.
# Also under `heaptrail record --unwind libunwind` (what the default
# unwinder is measured against), and the benchmark built with frame
# pointers natively and under `--unwind fp` (target: 2x native).
#
# usage: bench/run.sh            (BUILD, BENCH_REPS, BENCH_PAIRS may be set)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$top/${BUILD:-build}" && pwd)
reps=${BENCH_REPS:-3}
pairs=${BENCH_PAIRS:-10000000}
bench="$BUILD/bench/alloc-bench"
work=$(mktemp -d /tmp/heaptrail-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v heaptrack >/dev/null || { echo "bench: heaptrack is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is not installed" >&2; exit 1; }

# run TOOL THREADS REP: one timed run; prints "wall cpu rss_kb trace_bytes"
run() {
	tool=$1 threads=$2 rep=$3
	out="$work/$tool-$threads-$rep"
	case $tool in
	native)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			"$bench" "$threads" "$pairs" > /dev/null
		size=0 ;;
	heaptrail)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			"$BUILD/heaptrail" record -q -o "$out.trace" -- \
			"$bench" "$threads" "$pairs" > /dev/null
		size=$(wc -c < "$out.trace") ;;
	heaptrail-libunwind)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			"$BUILD/heaptrail" record -q --unwind libunwind \
			-o "$out.trace" -- "$bench" "$threads" "$pairs" > /dev/null
		size=$(wc -c < "$out.trace") ;;
	native-fp-build)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			"$bench-fp" "$threads" "$pairs" > /dev/null
		size=0 ;;
	heaptrail-fp)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			"$BUILD/heaptrail" record -q --unwind fp \
			-o "$out.trace" -- "$bench-fp" "$threads" "$pairs" > /dev/null
		size=$(wc -c < "$out.trace") ;;
	heaptrack)
		/usr/bin/time -f "%e %U %S %M" -o "$out.time" \
			heaptrack -o "$out" "$bench" "$threads" "$pairs" > /dev/null 2>&1
		size=$(wc -c < "$out.zst") ;;
	esac
	awk -v size="$size" '{ printf "%s %.2f %s %s\n", $1, $2 + $3, $4, size }' "$out.time"
	# The last run's traces are kept for the analysis benchmark.
	if [ "$rep" -lt "$reps" ]; then
		rm -f "$out.trace" "$out.zst"
	fi
}

# analyze THREADS: heaptrail analyze vs heaptrack_print on the traces of
# the same workload, alternating, BENCH_REPS times each; prints "tool
# wall rss_kb" with the median wall time and the largest peak RSS
analyze() {
	threads=$1
	: > "$work/an.runs"
	: > "$work/hp.runs"
	i=1
	while [ $i -le "$reps" ]; do
		/usr/bin/time -f "%e %M" -a -o "$work/an.runs" \
			"$BUILD/heaptrail" analyze -o "$work/an.db" \
			"$work/heaptrail-$threads-$reps.trace" 2> /dev/null
		rm -f "$work/an.db"
		/usr/bin/time -f "%e %M" -a -o "$work/hp.runs" heaptrack_print \
			"$work/heaptrack-$threads-$reps.zst" > /dev/null 2>&1
		i=$((i + 1))
	done
	for t in an:heaptrail hp:heaptrack_print; do
		f="$work/${t%%:*}.runs"
		echo "${t#*:} $(cut -d' ' -f1 "$f" | median)" \
			"$(cut -d' ' -f2 "$f" | sort -n | tail -n 1)"
		echo "bench: $threads thread(s), ${t#*:} runs: $(tr '\n' ';' < "$f")" >&2
	done
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

results="$work/results"
: > "$results"
: > "$work/analysis"
for threads in 1 2; do
	for tool in native heaptrail heaptrack heaptrail-libunwind \
	    native-fp-build heaptrail-fp; do
		: > "$work/runs"
		i=1
		while [ $i -le "$reps" ]; do
			run $tool $threads $i >> "$work/runs"
			i=$((i + 1))
		done
		wall=$(cut -d' ' -f1 "$work/runs" | median)
		cpu=$(cut -d' ' -f2 "$work/runs" | median)
		rss=$(cut -d' ' -f3 "$work/runs" | median)
		size=$(tail -n 1 "$work/runs" | cut -d' ' -f4)
		echo "$threads $tool $wall $cpu $rss $size" >> "$results"
		echo "bench: $threads thread(s), $tool: wall $wall s, cpu $cpu s, rss $rss KB, trace $size B ($(tr '\n' ';' < "$work/runs"))" >&2
	done
	analyze $threads | sed "s/^/$threads /" >> "$work/analysis"
	echo "bench: $threads thread(s), analysis: $(tr '\n' ';' < "$work/analysis")" >&2
done

events=$((pairs * 2))
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r)"
table="$work/table.md"
{
	echo "<!-- recording:begin (written by bench/run.sh) -->"
	echo "## Recording: $(date -u +%Y-%m-%d), $machine"
	echo
	echo "Workload: \`alloc-bench THREADS $pairs\` ($events events: malloc/free pairs through"
	echo "1-12 deep call chains, random sizes 16-520 B). Median of $reps runs; CPU = user + system"
	echo "of all processes; RSS = peak of the largest process. heaptrack $(heaptrack --version 2>/dev/null | awk '{ print $2 }')."
	echo
	echo "| threads | tool | wall s | CPU s | peak RSS MiB | trace MiB | bytes/event | wall vs native |"
	echo "|---|---|---|---|---|---|---|---|"
	awk -v ev="$events" '
		$2 == "native" { nat[$1] = $3 }
		$2 == "native-fp-build" { natfp[$1] = $3 }
		{ base = $2 ~ /fp/ ? natfp[$1] : nat[$1]
		  printf "| %s | %s | %.2f | %.2f | %.1f | %s | %s | %.1fx |\n", $1, $2, $3, $4,
			$5 / 1024, $6 ? sprintf("%.1f", $6 / 1048576) : "-",
			$6 ? sprintf("%.2f", $6 / ev) : "-", $3 / base }' "$results"
	echo
	echo "heaptrail: the default unwinder (\`--unwind dwarf\`); heaptrail-libunwind:"
	echo "\`--unwind libunwind\`; native-fp-build and heaptrail-fp: the benchmark built with"
	echo "\`-fno-omit-frame-pointer\`, run natively and under \`--unwind fp\` (its"
	echo "\"wall vs native\" is against native-fp-build; target: at most 2x)."
	echo
	echo "| threads | heaptrail / heaptrack: wall | CPU | peak RSS | trace size |"
	echo "|---|---|---|---|---|"
	awk '
		$2 == "heaptrail" { w[$1] = $3; c[$1] = $4; r[$1] = $5; s[$1] = $6 }
		$2 == "heaptrack" { printf "| %s | %.2f | %.2f | %.2f | %.2f |\n", $1,
			w[$1] / $3, c[$1] / $4, r[$1] / $5, s[$1] / $6 }' "$results"
	echo
	echo "Analysis of the last run's traces (\`heaptrail analyze\` into SQLite with"
	echo "classification; \`heaptrack_print\` of heaptrack's trace; median wall and"
	echo "largest peak RSS of $reps runs each, the two alternating):"
	echo
	echo "| threads | heaptrail analyze s | RSS MiB | heaptrack_print s | RSS MiB | wall ratio | RSS ratio |"
	echo "|---|---|---|---|---|---|---|"
	awk '$2 == "heaptrail" { w[$1] = $3; r[$1] = $4 }
		$2 == "heaptrack_print" { printf "| %s | %.2f | %.1f | %.2f | %.1f | %.2f | %.2f |\n", $1,
			w[$1], r[$1] / 1024, $3, $4 / 1024, w[$1] / $3, r[$1] / $4 }' "$work/analysis"
	echo "<!-- recording:end -->"
} > "$table"
cat "$table"

"$top/bench/put-section.sh" recording "$table"
echo "bench: results written to bench/RESULTS.md" >&2
