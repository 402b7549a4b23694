#!/bin/sh
# run.sh - `make bench`: heaptrail against heaptrack on seven workloads in
# the same run, written into the "recording" section of bench/RESULTS.md.
#
# The workloads (each a fixed command, the same every run):
#   alloc-bench-1, alloc-bench-2  bench/alloc-bench.c, 1 and 2 threads,
#                  BENCH_PAIRS (10000000) malloc/free pairs
#   random-free    bench/random-free.c: a window of 4096 live blocks, each
#                  of 10M steps frees a random one and allocates another
#   python         Debian's /usr/bin/python3 running bench/python-work.py
#                  (json, re, dicts) with PYTHONMALLOC=malloc
#   request-loop   bench/request-loop.cc: 100k parsed C++ "requests"
#   cc1plus        the C++ compiler proper, -O1, on bench/gen-cxx.sh's file
#   sqlite3        /usr/bin/sqlite3 :memory: on bench/gen-sql.sh's SQL
#   git            /usr/bin/git log -p --word-diff on bench/gen-git.sh's repo
#
# For each workload, runs the program natively, under `heaptrail record`
# and under `heaptrack`, BENCH_REPS times each (default 3), alternating
# (native, heaptrail, heaptrack, native, ...), and keeps the median wall
# time, CPU time (user + system of all processes) and peak RSS, and the
# trace size of the last run.  The workloads that are ours (alloc-bench,
# random-free, request-loop) also run, in the same rotation, built with
# frame pointers natively and under `--unwind fp`; alloc-bench also under
# `--unwind libunwind`.  Then `heaptrail analyze` of the last heaptrail
# trace against `heaptrack_print` of the last heaptrack trace, alternating,
# BENCH_REPS times each: median wall, largest peak RSS.  Ratios are
# heaptrail / heaptrack.  A tool that fails is reported as failed; no
# figure is made up for it.
#
# usage: bench/run.sh
# Environment: BUILD (build), BENCH_REPS (3), BENCH_PAIRS (10000000),
# BENCH_WORKLOADS (a list of the names above, or "alloc-bench" for both
# of its rows; default all).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$top/${BUILD:-build}" && pwd)
reps=${BENCH_REPS:-3}
pairs=${BENCH_PAIRS:-10000000}
all="alloc-bench-1 alloc-bench-2 random-free python request-loop cc1plus sqlite3 git"
# The workloads whose work is mostly allocating: the recording wall and
# CPU targets apply to these.
bound="alloc-bench-1 alloc-bench-2 random-free python request-loop"
# The sizes, chosen so that `make bench` takes about 15 minutes here.
rf_steps=10000000
py_rounds=15
requests=100000
cxx_classes=80
sql_rows=40000
git_commits=1000

workloads=""
for w in ${BENCH_WORKLOADS:-$all}; do
	case " $all alloc-bench " in
	*" $w "*) ;;
	*) echo "bench: unknown workload '$w' (one of: $all)" >&2; exit 2 ;;
	esac
	[ "$w" = alloc-bench ] && w="alloc-bench-1 alloc-bench-2"
	workloads="$workloads $w"
done

work=$(mktemp -d /tmp/heaptrail-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v heaptrack >/dev/null || { echo "bench: heaptrack is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is not installed" >&2; exit 1; }
# Every run the same: Python's hashes, no git or locale configuration.
# PYTHONMALLOC=malloc (only python3 reads it): Python's small objects
# from malloc rather than from pymalloc's arenas, as a C program's are.
export PYTHONHASHSEED=0 PYTHONMALLOC=malloc GIT_CONFIG_NOSYSTEM=1 \
	GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
start=$(date +%s)

# prepare WORKLOAD: writes the inputs the workload needs into $work
prepare() {
	case $1 in
	cc1plus)
		"$top/bench/gen-cxx.sh" $cxx_classes > "$work/gen.cc"
		# cc1plus alone, on the preprocessed file: g++ is a driver that
		# forks cc1plus (and as), so timing g++ would time a process
		# tree whose largest part heaptrack and heaptrail each record
		# in their own way (heaptrail: one trace per process).
		g++ -O1 -E "$work/gen.cc" -o "$work/gen.ii" ;;
	sqlite3)
		"$top/bench/gen-sql.sh" $sql_rows > "$work/work.sql" ;;
	git)
		git init -q -b main "$work/repo"
		"$top/bench/gen-git.sh" $git_commits | git -C "$work/repo" fast-import --quiet ;;
	esac
}

# command WORKLOAD FP: the command line of a workload (FP: 1 for the
# frame-pointer build), to be eval'ed
command_of() {
	fp=""
	[ "$2" = 1 ] && fp=-fp
	case $1 in
	alloc-bench-*) echo "$BUILD/bench/alloc-bench$fp ${1#alloc-bench-} $pairs" ;;
	random-free) echo "$BUILD/bench/random-free$fp $rf_steps" ;;
	python) echo "/usr/bin/python3 $top/bench/python-work.py $py_rounds" ;;
	request-loop) echo "$BUILD/bench/request-loop$fp $requests" ;;
	cc1plus) echo "$(g++ -print-prog-name=cc1plus) -fpreprocessed -quiet -O1 $work/gen.ii -o /dev/null" ;;
	sqlite3) echo "/usr/bin/sqlite3 :memory: '.read $work/work.sql'" ;;
	git) echo "/usr/bin/git -C $work/repo --no-pager log -p --word-diff" ;;
	esac
}

# tools WORKLOAD: what it is run under, in the order of one rotation
tools() {
	echo native heaptrail heaptrack
	case $1 in
	alloc-bench-*) echo heaptrail-libunwind native-fp-build heaptrail-fp ;;
	random-free|request-loop) echo native-fp-build heaptrail-fp ;;
	esac
}

# run WORKLOAD TOOL REP: one timed run; appends "ok wall cpu rss_kb
# trace_bytes" or "failed" to $work/runs.TOOL
run() {
	wl=$1 tool=$2 rep=$3
	out="$work/$wl-$tool-$rep"
	case $tool in
	*fp*) cmd=$(command_of "$wl" 1) ;;
	*) cmd=$(command_of "$wl" 0) ;;
	esac
	case $tool in
	native|native-fp-build) pre="" ;;
	heaptrail) pre="$BUILD/heaptrail record -q -o $out.trace --" ;;
	heaptrail-libunwind) pre="$BUILD/heaptrail record -q --unwind libunwind -o $out.trace --" ;;
	heaptrail-fp) pre="$BUILD/heaptrail record -q --unwind fp -o $out.trace --" ;;
	heaptrack) pre="heaptrack -o $out" ;;
	esac
	status=0
	eval /usr/bin/time -f "'%e %U %S %M'" -o "$out.time" \
		"$pre" "$cmd" > /dev/null 2> "$out.err" || status=$?
	case $tool in
	native*) size=0 ;;
	heaptrack) size=$(cat "$out.zst" 2>/dev/null | wc -c) ;;
	# a child's trace (T.<pid>) or an exec's (T.exec1) counts too
	*) size=$(cat "$out.trace" "$out.trace".* 2>/dev/null | wc -c) ;;
	esac
	if [ $status != 0 ] || { [ "$tool" != native ] && [ "$tool" != native-fp-build ] && [ "$size" = 0 ]; }; then
		echo "failed" >> "$work/runs.$tool"
		echo "bench: $wl under $tool failed (exit $status): $(tail -n 3 "$out.err" | tr '\n' ' ')" >&2
	else
		tail -n 1 "$out.time" | awk -v size="$size" \
			'{ printf "ok %s %.2f %s %s\n", $1, $2 + $3, $4, size }' >> "$work/runs.$tool"
	fi
	# The last run's traces are kept for the analysis benchmark.
	if [ "$rep" -lt "$reps" ] || [ "$tool" = heaptrail-libunwind ] || [ "$tool" = heaptrail-fp ]; then
		rm -f "$out.trace" "$out.trace".* "$out.zst"
	fi
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# summarize WORKLOAD TOOL: one line of $work/results, "WORKLOAD TOOL wall
# cpu rss_kb trace_bytes", or "WORKLOAD TOOL failed" if any run failed
summarize() {
	f="$work/runs.$2"
	if grep -q '^failed' "$f"; then
		echo "$1 $2 failed" >> "$work/results"
		return
	fi
	echo "$1 $2 $(cut -d' ' -f2 "$f" | median) $(cut -d' ' -f3 "$f" | median)" \
		"$(cut -d' ' -f4 "$f" | median) $(tail -n 1 "$f" | cut -d' ' -f5)" >> "$work/results"
}

# analyze WORKLOAD: heaptrail analyze vs heaptrack_print of the last
# run's traces, alternating; appends "WORKLOAD TOOL wall rss_kb" (median
# wall, largest RSS) or "WORKLOAD TOOL failed" to $work/analysis
analyze() {
	wl=$1
	trace="$work/$wl-heaptrail-$reps.trace" zst="$work/$wl-heaptrack-$reps.zst"
	: > "$work/an.runs"
	: > "$work/hp.runs"
	i=1
	while [ $i -le "$reps" ]; do
		if [ -f "$trace" ]; then
			/usr/bin/time -f "%e %M" -a -o "$work/an.runs" \
				"$BUILD/heaptrail" analyze -o "$work/an.db" "$trace" \
				> /dev/null 2> "$work/an.err" || echo failed >> "$work/an.runs"
			rm -f "$work/an.db"
		fi
		if [ -f "$zst" ]; then
			/usr/bin/time -f "%e %M" -a -o "$work/hp.runs" heaptrack_print \
				"$zst" > /dev/null 2> "$work/hp.err" || echo failed >> "$work/hp.runs"
		fi
		i=$((i + 1))
	done
	for t in an:heaptrail hp:heaptrack_print; do
		f="$work/${t%%:*}.runs"
		if [ ! -s "$f" ] || grep -q failed "$f"; then
			echo "$wl ${t#*:} failed" >> "$work/analysis"
			echo "bench: $wl: ${t#*:} failed: $(tail -n 3 "$work/${t%%:*}.err" 2>/dev/null | tr '\n' ' ')" >&2
			continue
		fi
		grep -v '^Command' "$f" > "$f.ok"
		echo "$wl ${t#*:} $(cut -d' ' -f1 "$f.ok" | median)" \
			"$(cut -d' ' -f2 "$f.ok" | sort -n | tail -n 1)" >> "$work/analysis"
		echo "bench: $wl: ${t#*:} runs: $(tr '\n' ';' < "$f")" >&2
	done
}

: > "$work/results"
: > "$work/analysis"
: > "$work/events"
for wl in $workloads; do
	prepare "$wl"
	echo "bench: $wl: $(command_of "$wl" 0)" >&2
	for tool in $(tools "$wl"); do
		: > "$work/runs.$tool"
	done
	i=1
	while [ $i -le "$reps" ]; do
		for tool in $(tools "$wl"); do
			run "$wl" "$tool" $i
		done
		i=$((i + 1))
	done
	for tool in $(tools "$wl"); do
		summarize "$wl" "$tool"
		echo "bench: $wl, $tool: $(tr '\n' ';' < "$work/runs.$tool")" >&2
	done
	# The events of the heaptrail trace (the same program under heaptrack)
	ev=$("$BUILD/heaptrail" dump --stats "$work/$wl-heaptrail-$reps.trace" 2>/dev/null |
		awk '$1 == "events" { print $2 }') || ev=""
	echo "$wl ${ev:--}" >> "$work/events"
	analyze "$wl"
	rm -rf "$work/$wl"-* "$work/gen.cc" "$work/gen.ii" "$work/work.sql" "$work/repo"
done
elapsed=$(( $(date +%s) - start ))

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r)"
table="$work/table.md"
# The tables, from $work/results ("WORKLOAD TOOL wall cpu rss trace" or
# "WORKLOAD TOOL failed"), $work/analysis and $work/events.
{
	echo "<!-- recording:begin (written by bench/run.sh) -->"
	echo "## Recording and analysis: $(date -u +%Y-%m-%d), $machine"
	echo
	echo "heaptrack $(heaptrack --version 2>/dev/null | awk '{ print $2 }'). Median of $reps runs each, natively, under"
	echo "\`heaptrail record\` and under \`heaptrack\`, alternating; CPU = user + system of all"
	echo "processes; RSS = peak of the largest process; trace = heaptrail's trace file, heaptrack's"
	echo ".zst, of the last run. Ratios are heaptrail / heaptrack. This run took $((elapsed / 60)) min $((elapsed % 60)) s"
	echo "(the TUI section below is written after it). Workloads:"
	echo
	for wl in $workloads; do
		case $wl in
		alloc-bench-1) echo "- alloc-bench-1, alloc-bench-2: \`alloc-bench THREADS $pairs\` (bench/alloc-bench.c; malloc/free pairs through 1-12 deep call chains, 16-520 B), 1 and 2 threads." ;;
		alloc-bench-2) case " $workloads " in *" alloc-bench-1 "*) ;; *) echo "- alloc-bench-2: \`alloc-bench 2 $pairs\` (bench/alloc-bench.c)." ;; esac ;;
		random-free) echo "- random-free: \`random-free $rf_steps\` (bench/random-free.c; 4096 live blocks, each step frees a random one and allocates 16 B-64 KiB)." ;;
		python) echo "- python: \`PYTHONMALLOC=malloc /usr/bin/python3 bench/python-work.py $py_rounds\` (json dumps/loads, regular expressions, dicts; Debian's python3 $(/usr/bin/python3 -c 'import platform; print(platform.python_version())'); PYTHONMALLOC=malloc so that its small objects are malloc's, not pymalloc's arenas)." ;;
		request-loop) echo "- request-loop: \`request-loop $requests\` (bench/request-loop.cc, -O2 -g; requests parsed into std::string, std::map, std::vector, a bounded LRU cache)." ;;
		cc1plus) echo "- cc1plus: \`cc1plus -fpreprocessed -quiet -O1 gen.ii -o /dev/null\`, GCC $(g++ -dumpfullversion)'s compiler proper on \`bench/gen-cxx.sh $cxx_classes\` ($("$top/bench/gen-cxx.sh" $cxx_classes | wc -l) lines of classes, templates and std containers), preprocessed beforehand with \`g++ -O1 -E\`. cc1plus itself, not g++: the driver forks cc1plus and as, and heaptrail records each process in a trace of its own while heaptrack follows them in one, so the two would not measure the same thing." ;;
		sqlite3) echo "- sqlite3: \`/usr/bin/sqlite3 :memory: '.read work.sql'\` (SQLite $(/usr/bin/sqlite3 -version | cut -d' ' -f1)) on \`bench/gen-sql.sh $sql_rows\`: $sql_rows single-row INSERTs in transactions of 1000, two indexes, joins and GROUP BYs, an UPDATE and a DELETE." ;;
		git) echo "- git: \`git log -p --word-diff\` (git $(/usr/bin/git --version | cut -d' ' -f3)) in a repository of $git_commits commits made by \`bench/gen-git.sh $git_commits | git fast-import\` (fixed author and dates; 20 files of 300 lines, 10-39 lines of 3 files changed per commit). \`log -p\` rather than \`blame\`: on this history (measured once by hand, 2026-12-07) \`blame\` of file0.txt made 67k allocations, \`log -p\` 183k, \`log -p --word-diff\` 1.06M." ;;
		esac
	done
	echo
	echo "Allocation-bound (the recording wall and CPU targets apply): $(echo $bound | sed 's/ /, /g')."
	echo
	echo "### Absolute figures"
	echo
	echo "| workload | tool | wall s | CPU s | peak RSS MiB | trace MiB | events | bytes/event | wall vs native |"
	echo "|---|---|---|---|---|---|---|---|---|"
	awk 'FILENAME ~ /events$/ { ev[$1] = $2; next }
		$3 == "failed" { printf "| %s | %s | failed | | | | | | |\n", $1, $2; next }
		$2 == "native" { nat[$1] = $3 }
		$2 == "native-fp-build" { natfp[$1] = $3 }
		{ base = $2 ~ /fp/ ? natfp[$1] : nat[$1]
		  e = ev[$1] + 0
		  printf "| %s | %s | %.2f | %.2f | %.1f | %s | %s | %s | %s |\n", $1, $2, $3, $4,
			$5 / 1024, $6 ? sprintf("%.1f", $6 / 1048576) : "-",
			$2 == "heaptrail" && e ? e : "",
			$6 && e ? sprintf("%.2f", $6 / e) : "-",
			base ? sprintf("%.1fx", $3 / base) : "-" }' "$work/events" "$work/results"
	echo
	echo "heaptrail: the default unwinder (\`--unwind dwarf\`); heaptrail-libunwind:"
	echo "\`--unwind libunwind\`; native-fp-build and heaptrail-fp: the program built with"
	echo "\`-fno-omit-frame-pointer\`, natively and under \`--unwind fp\` (\"wall vs native\""
	echo "against native-fp-build). Events: allocations and frees in heaptrail's trace."
	echo
	echo "Analysis of the last run's traces (\`heaptrail analyze\` into SQLite with"
	echo "classification; \`heaptrack_print\` of heaptrack's trace, its output to /dev/null;"
	echo "median wall and largest peak RSS of $reps runs each, the two alternating)."
	echo
	# target TITLE WHAT LIMIT FIGURE... : one table of heaptrail vs
	# heaptrack for every workload, WHAT picks the figures (see awk)
	target() {
		echo "### Target: $1 <= ${3}x"
		echo
		echo "| workload | heaptrail $4 | heaptrack $4 | ratio | target |"
		echo "|---|---|---|---|---|"
		awk -v what="$2" -v limit="$3" -v bound=" $bound " -v order="$workloads" '
			FILENAME ~ /analysis$/ {
				if (what ~ /^an/)
					x[$1, $2 == "heaptrail" ? "a" : "b"] = $3 == "failed" ? "failed" : what == "an-wall" ? $3 : $4 / 1024
				next }
			# results
			{ if (what ~ /^an/) next
			  t = $2 == "heaptrail" ? "a" : $2 == "heaptrack" ? "b" : $2 == "native-fp-build" ? "b" : $2 == "heaptrail-fp" ? "a" : ""
			  if (what == "fp" && $2 !~ /fp/) next
			  if (what != "fp" && $2 !~ /^heaptra(il|ck)$/) next
			  if ($3 == "failed") { x[$1, t] = "failed"; next }
			  x[$1, t] = what == "size" ? $6 / 1048576 : what == "cpu" ? $4 : $3 }
			END {
				n = split(order, wl, " ")
				for (i = 1; i <= n; i++) {
					w = wl[i]; a = x[w, "a"]; b = x[w, "b"]
					if (what == "fp" && a == "" && b == "") {
						printf "| %s | - | - | - | no frame-pointer build (not our program) |\n", w
						continue
					}
					if (a == "failed" || b == "failed" || a == "" || b == "" || b + 0 == 0) {
						printf "| %s | %s | %s | - | not measured (%s) |\n", w, a == "" ? "-" : a, b == "" ? "-" : b,
							a == "failed" || b == "failed" ? "a tool failed" : "no figure"
						continue
					}
					r = a / b
					verdict = r <= limit ? "met" : "not met"
					if ((what == "wall" || what == "cpu") && index(bound, " " w " ") == 0)
						verdict = "does not apply (not allocation-bound; " verdict ")"
					printf "| %s | %.2f | %.2f | %.2f | %s |\n", w, a, b, r, verdict
				}
			}' "$work/analysis" "$work/results"
		echo
	}
	target "trace size, heaptrail's trace / heaptrack's .zst" size 0.8 MiB
	target "analysis wall, \`heaptrail analyze\` / \`heaptrack_print\`" an-wall 0.5 "s"
	target "analysis peak RSS, \`heaptrail analyze\` / \`heaptrack_print\`" an-rss 1.0 "MiB"
	target "recording wall, allocation-bound workloads" wall 0.4 "s"
	target "recording CPU, allocation-bound workloads" cpu 0.3 "CPU s"
	echo "### Target: \`record --unwind fp\` <= 2x native, frame-pointer builds"
	echo
	echo "The columns: heaptrail-fp's wall seconds and native-fp-build's; the ratio is"
	echo "heaptrail-fp / native-fp-build (not against heaptrack)."
	echo
	target "\`--unwind fp\` wall / native-fp-build wall" fp 2 "s" |
		sed -n '3,$p' | sed '1s/heaptrail s | heaptrack s/--unwind fp s | native-fp-build s/'
	echo "<!-- recording:end -->"
} > "$table"
cat "$table"

"$top/bench/put-section.sh" recording "$table"
echo "bench: results written to bench/RESULTS.md ($((elapsed / 60)) min $((elapsed % 60)) s)" >&2
