# classes.sh - helpers for the tests of classification by shape (sourced
# after lib.sh by tests/cli/test-shapes.sh and test-service.sh).
#
# A site is named by its function: a bare C name (`cache_insert`), a C++
# name with its class and with or without its parameters
# (`LruCache::put`), or a Rust path ending in it (`service::ingest`, and
# its closures).  Each check adds to $problems instead of stopping, so one
# run reports every variant that is judged wrong; `verdict` fails the test
# at the end if any was.  Every check also prints what heaptrail said
# ("VARIANT | FUNCTION | class: pattern") on stderr.

problems=""

# problem TEXT : one more thing wrong
problem() {
	problems="$problems
  $*"
}

# verdict : fails the test if any check failed
verdict() {
	[ -z "$problems" ] || fail "wrong classification:$problems"
}

# fn_where FUNCTION : SQL condition on sites.function
fn_where() {
	printf "(function = '%s' or function like '%%::%s' or function like '%s(%%' or function like '%%::%s(%%' or function like '%%::%s::{{closure}}%%')" \
		"$1" "$1" "$1" "$1" "$1"
}

# site_rows DB FUNCTION : "class: pattern|live_blocks|file:line" of its
# sites with blocks live at the end of the work (live now, or not judged
# freed: what the teardown released), biggest first
site_rows() {
	sqlite3 -separator '|' "$1" "select class || ': ' || coalesce(pattern, ''),
	    live_blocks, coalesce(file, '?') || ':' || coalesce(line, '?')
	    from sites where $(fn_where "$2") and (live_blocks > 0 or class <> 'freed')
	    order by live_bytes desc, alloc_bytes desc"
}

# all_classes DB FUNCTION : the classes and patterns of all its sites
all_classes() {
	sqlite3 -separator ' ' "$1" "select distinct class || ': ' || coalesce(pattern, '')
	    from sites where $(fn_where "$2")" | tr '\n' ';'
}

# short COLUMN : SQL for a function name cut to 70 characters (C++ names
# with their template arguments run to hundreds)
short() {
	printf "(case when length(%s) > 70 then substr(%s, 1, 67) || '...' else %s end)" "$1" "$1" "$1"
}

# top_sites DB : the biggest sites live at the end, for messages
top_sites() {
	sqlite3 -separator ' ' "$1" "select $(short function) || ' (' || class || ')' from leaks limit 5" |
		tr '\n' ';'
}

# analyze_or_note TRACE VARIANT : analyze TRACE; 1 (noted) if it fails
analyze_or_note() {
	"$HT" analyze "$1" 2> analyze.err && [ -f "${1%.trace}.db" ] && return 0
	problem "$2: analyze failed: $(head -c 300 analyze.err)"
	return 1
}

# run_variant VARIANT PROGRAM ARGS... : records VARIANT.trace and analyzes
# it into VARIANT.db; 1 (noted) if either fails.  Under record_ahead, only
# starts the recording in the background and returns 1; afterwards, a
# variant recorded ahead (VARIANT.status) is only analyzed.
_ahead=0 _ahead_running=0
run_variant() {
	_v=$1
	shift
	if [ $_ahead = 1 ]; then
		if [ $_ahead_running -ge "${RECORD_AHEAD_JOBS:-4}" ]; then
			wait
			_ahead_running=0
		fi
		{ "$HT" record -q -o "$_v.trace" -- "$@" > "$_v.out" 2> "$_v.err"
		  echo $? > "$_v.status"; } &
		_ahead_running=$((_ahead_running + 1))
		return 1
	fi
	if [ -f "$_v.status" ]; then
		_st=$(cat "$_v.status")
	else
		"$HT" record -q -o "$_v.trace" -- "$@" > "$_v.out" 2> "$_v.err"
		_st=$?
	fi
	[ "$_st" -eq 0 ] || {
		problem "$_v: record $* failed (status $_st): $(head -c 300 "$_v.err")"
		return 1
	}
	analyze_or_note "$_v.trace" "$_v"
}

# record_ahead COMMAND... : runs COMMAND (the test's list of variants)
# with each run_variant only starting its recording, RECORD_AHEAD_JOBS (4)
# at a time, and waits for them all; then COMMAND again judges each
# variant from its trace.  The shape programs are paced by the clock and
# mostly sleep: recorded one after the other they took half a minute.
record_ahead() {
	_ahead=1
	"$@"
	wait
	_ahead=0 _ahead_running=0
	"$@"
}

# want DB VARIANT FUNCTION CLASS [ERE] : every site of FUNCTION live at the
# end (there must be one) is CLASS, and its pattern matches ERE.  A
# bounded site (CLASS steady) judged leak is said so in capitals.
want() {
	_rows=$(site_rows "$1" "$3")
	if [ -z "$_rows" ]; then
		_all=$(all_classes "$1" "$3")
		echo "  $2 | $3 | (no live site) ${_all:-no site at all}" >&2
		problem "$2: no site '$3' with blocks live at the end (its sites: ${_all:-none}; biggest: $(top_sites "$1"))"
		return
	fi
	echo "$_rows" | while IFS='|' read -r _cp _n _where; do
		echo "  $2 | $3 | $_cp ($_n blocks, $_where)" >&2
	done
	_bad=$(echo "$_rows" | awk -F'|' -v c="$4" -v re="${5:-}" '
		{ split($1, a, ": "); p = substr($1, length(a[1]) + 3) }
		a[1] != c || (re != "" && p !~ re) { print $1 " at " $3 }')
	[ -z "$_bad" ] && return
	if [ "$4" = steady ] && echo "$_bad" | grep -q '^leak:'; then
		problem "$2: BOUNDED SITE JUDGED LEAK: $3 is $(echo "$_bad" | tr '\n' ';')"
	else
		problem "$2: $3 should be $4${5:+ matching /$5/}, is $(echo "$_bad" | tr '\n' ';')"
	fi
}

# want_freed DB VARIANT FUNCTION : FUNCTION allocated, and every site of
# it is freed with nothing live at the end (so `leaks` does not list it)
want_freed() {
	_n=$(sqlite3 "$1" "select coalesce(sum(allocations), 0) from sites where $(fn_where "$3")")
	_live=$(sqlite3 "$1" "select count(*) from sites where $(fn_where "$3")
	    and (live_blocks > 0 or class <> 'freed')")
	_cp=$(all_classes "$1" "$3")
	echo "  $2 | $3 | $_cp ($_n allocations, $_live sites not freed)" >&2
	if [ "$_n" -eq 0 ]; then
		problem "$2: no site '$3' at all (biggest: $(top_sites "$1"))"
	elif [ "$_live" -ne 0 ]; then
		problem "$2: temporaries of $3 listed by leaks: $_cp"
	fi
}

# no_leak_but DB VARIANT FUNCTION... : no site other than those of the
# FUNCTIONs is leak (the bounded rest of the program stays honest)
no_leak_but() {
	_db=$1 _v=$2
	shift 2
	_cond="class = 'leak'"
	for _f in "$@"; do
		_cond="$_cond and not $(fn_where "$_f")"
	done
	_others=$(sqlite3 -separator ' ' "$_db" "select $(short function) || ' at ' || coalesce(file, '?') || ':' ||
	    coalesce(line, '?') || ' (' || coalesce(pattern, '') || ')' from sites where $_cond" | tr '\n' ';')
	[ -z "$_others" ] || problem "$_v: BOUNDED SITE JUDGED LEAK: $_others"
}

# fail_on_leak DB VARIANT EXPECTED : `leaks --fail-on-leak` exits EXPECTED
fail_on_leak() {
	"$HT" leaks --fail-on-leak "$1" > /dev/null 2> fol.err
	_st=$?
	echo "  $2 | --fail-on-leak | exit $_st" >&2
	[ "$_st" -eq "$3" ] || problem "$2: leaks --fail-on-leak exited $_st, expected $3"
}

# json_agrees DB VARIANT : `leaks --format json` gives the same function,
# class and pattern as the database's leaks view (checked when jq is there)
json_agrees() {
	command -v jq > /dev/null || return 0
	"$HT" leaks --format json --limit 0 "$1" 2> json.err |
		jq -r '.[] | "\(.function)|\(.class)|\(.pattern)"' 2> /dev/null | sort > json.rows || {
		problem "$2: leaks --format json failed: $(head -c 200 json.err)"
		return
	}
	sqlite3 -separator '|' "$1" "select function, class, coalesce(pattern, '') from leaks" | sort > db.rows
	cmp -s json.rows db.rows || problem "$2: leaks --format json differs from the leaks view: $(diff db.rows json.rows | head -4 | tr '\n' ';')"
}

# since_pct DB FUNCTION : the share of the run (0-100) that the pattern of
# FUNCTION's biggest live site says its growth began ("since 45%",
# "since 1.2 s", "since 1.2s"); "" if it says none
since_pct() {
	_p=$(sqlite3 "$1" "select pattern from sites where $(fn_where "$2") and live_blocks > 0
	    order by live_bytes desc limit 1")
	_d=$(sqlite3 "$1" "select value from meta where key = 'duration_s'")
	echo "$_p" | awk -v d="$_d" '
		match($0, /since [0-9.]+ ?(%|s|ms)/) {
			s = substr($0, RSTART + 6, RLENGTH - 6); n = s + 0
			if (s ~ /%$/) print n
			else if (s ~ /ms$/) printf "%.0f\n", n / 1000 / d * 100
			else printf "%.0f\n", n / d * 100
		}'
}

# library_sites DB VARIANT : no site live at the end is named by a frame of
# the toolchain's library code (std::, __gnu_cxx::, Rust's alloc::, core::,
# hashbrown::) when one of the program's own functions (other than main,
# in tests/programs/) is on its stack
library_sites() {
	_lib=$(sqlite3 -separator ' ' "$1" "select $(short s.function) || ' at ' || coalesce(s.file, '?') || ':' ||
	    coalesce(s.line, '?') from sites s
	    where (s.live_blocks > 0 or s.class <> 'freed') and (s.function like 'std::%' or
	    s.function like '__gnu_cxx::%' or s.function like 'alloc::%' or s.function like 'core::%' or
	    s.function like 'hashbrown::%' or s.function like '<%' or s.function like 'void std::%' or
	    s.function like '%* std::%')
	    and exists (select 1 from stacks st join stack_frames sf on sf.stack_id = st.id
	        join frames f on f.address = sf.address
	        where st.site_id = s.id and f.file like '%/tests/programs/%' and f.function <> 'main')" |
	    tr '\n' ';')
	[ -z "$_lib" ] || problem "$2: sites named by library frames, not the program's function: $_lib"
}
