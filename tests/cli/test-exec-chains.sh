# Exec chains keep the pid: after `record -o T -- env A=1 prog` (or nice,
# sh -c 'exec ...', a #!/bin/sh shim that execs), T holds prog's profile
# and the images before it are in T.exec1, T.exec2 ..., listed by record.
. "$SRC/tests/lib.sh"
prog=$BUILD/tests/exec-self	# "child": 10 allocations of 44 bytes

# chain NAME IMAGES... -- COMMAND... : record COMMAND into NAME.trace;
# IMAGES are the programs before prog, in order.
chain() {
	name=$1
	shift
	images=
	while [ "$1" != -- ]; do
		images="$images $1"
		shift
	done
	shift
	"$HT" record -o "$name.trace" -- "$@" 2> "$name.err" ||
		fail "$name: record failed: $(cat "$name.err")"
	got=$("$HT" summary --format json "$name.trace" | jq -r .program)
	expect_eq "$got" exec-self "$name: the trace's program"
	expect_eq "$(allocs_by_size "$name.trace" 44)" 10 "$name: prog's allocations"
	grep -q "analyze with: heaptrail analyze $name.trace\$" "$name.err" ||
		fail "$name: summary line: $(cat "$name.err")"
	i=0
	for image in $images; do
		i=$((i + 1))
		side=$name.trace.exec$i
		[ -f "$side" ] || fail "$name: no $side: $(ls)"
		stats "$side"
		expect_eq "$(stat "$side" complete)" yes "$name: $side complete"
		grep -q "before it exec'd, the program wrote $side ($image):" \
		    "$name.err" || fail "$name: $side not listed: $(cat "$name.err")"
	done
	[ -e "$name.trace.exec$((i + 1))" ] && fail "$name: too many side files: $(ls)"
	n=$(grep -c "before it exec'd" "$name.err")
	expect_eq "$n" "$i" "$name: side files listed"
	grep -q 'a child process' "$name.err" && fail "$name: $(cat "$name.err")"
	return 0
}

chain env env -- env A=1 "$prog" child
chain nice nice -- nice -n 1 "$prog" child
sh=$(basename "$(readlink -f /bin/sh)")
chain shc "$sh" -- sh -c "exec '$prog' child"
printf '#!/bin/sh\nexec "%s" child "$@"\n' "$prog" > shim
chmod +x shim
chain shim "$sh" -- ./shim
chain long env nice "$sh" -- env A=1 nice sh -c "exec '$prog' child"

# A fork child that execs: its own chain, named by its pid as before.
"$HT" record -o fork.trace -- sh -c "(: ; exec '$prog' child); true" 2> fork.err ||
	fail "fork: record failed: $(cat fork.err)"
child=$(ls fork.trace.* | grep -v '\.exec[0-9]*$\|\.stats$\|\.err$\|\.ordered$')
[ -n "$child" ] || fail "fork: no child trace: $(ls)"
expect_eq "$("$HT" summary --format json "$child" | jq -r .program)" exec-self \
	"fork: the child's program"
[ -f "$child.exec1" ] || fail "fork: the child's first image: $(ls)"
grep -q "a child process wrote $child:" fork.err || fail "fork: $(cat fork.err)"
grep -q "a child process wrote $child.exec1 (before it exec'd):" fork.err ||
	fail "fork: $(cat fork.err)"

# The last program not recorded (it drops LD_PRELOAD): the last image
# that was takes the name back.
"$HT" record -o drop.trace -- env -u LD_PRELOAD "$prog" child 2> drop.err ||
	fail "drop: record failed: $(cat drop.err)"
expect_eq "$("$HT" summary --format json drop.trace | jq -r .program)" env \
	"drop: the trace's program"
[ -e drop.trace.exec1 ] && fail "drop: a side file left: $(ls)"

# The recorder bare, with a fixed name (no HEAPTRAIL_OUTPUT_PID): as
# before, the first image keeps the name, the exec'd one writes NAME.<pid>.
env -u HEAPTRAIL_OUTPUT_PID HEAPTRAIL_OUTPUT=bare.trace LD_PRELOAD="$LIB" \
    HEAPTRAIL_QUIET=1 "$prog" || fail "bare: the program failed"
expect_eq "$(allocs_by_size bare.trace 33)" 100 "bare: first image"
[ -e bare.trace.exec1 ] && fail "bare: a side file: $(ls)"
n=$(ls bare.trace.[0-9]* | wc -l)
expect_eq "$n" 1 "bare: the exec'd image's trace"
exit 0
