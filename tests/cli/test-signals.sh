# Signals that end the program lose nothing, and the program still sees
# its signals as it would without the recorder: the same exit status, its
# own handlers left alone, SIG_DFL reported where it set nothing.
. "$SRC/tests/lib.sh"
ulimit -c 0

# run_until_pid TRACE MODE : records `signals MODE` in the background
# until it has written ./pid; sets $rec (record's pid) and $pid.
run_until_pid() {
	rm -f pid
	# A background job of a script starts with SIGINT and SIGQUIT
	# ignored (and the program would rightly ignore them): reset them.
	env --default-signal=INT,QUIT "$HT" record -q -o "$1" -- \
	    "$BUILD/tests/signals" "$2" &
	rec=$!
	i=0
	while [ ! -f pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -f pid ] || fail "$2: program did not start"
	pid=$(cat pid)
}

# whole TRACE WHAT : the 1000 allocations, 400 live, clean end
whole() {
	stats "$1"
	expect_eq "$(stat "$1" complete)" yes "$2: clean end"
	expect_eq "$(size_counts "$1" 48)" "1000 400" "$2: 48-byte allocations and live blocks"
	expect_eq "$(stat "$1" unknown_frees)" 0 "$2: unknown frees"
}

for sig_num in INT:2 TERM:15 HUP:1 QUIT:3; do
	sig=${sig_num%:*}
	run_until_pid $sig.trace wait
	kill -$sig "$pid"
	wait $rec
	status=$?
	expect_eq $status $((128 + ${sig_num#*:})) "SIG$sig: exit status"
	whole $sig.trace "SIG$sig"
done

# SIGTERM sent to `heaptrail record` is passed on to the program.
run_until_pid fwd.trace wait
kill -TERM $rec
wait $rec
expect_eq $? 143 "SIGTERM to record: exit status"
whole fwd.trace "SIGTERM to record"

# Signals landing inside malloc, in any of four threads.
for n in 1 2 3; do
	run_until_pid churn$n.trace churn
	# (0.1 s of four threads in malloc: a few million events)
	sleep 0.1
	kill -TERM "$pid"
	wait $rec
	expect_eq $? 143 "churn $n: exit status"
	whole churn$n.trace "churn $n"
	"$HT" check churn$n.trace > churn$n.check 2>&1 ||
		fail "churn $n: check: $(cat churn$n.check)"
done

run_until_pid own.trace own-handler
kill -TERM "$pid"
wait $rec
expect_eq $? 7 "own SIGTERM handler ran"
whole own.trace "own handler"

"$HT" record -q -o query.trace -- "$BUILD/tests/signals" query > query.out
expect_eq $? 130 "query: raise(SIGINT) after SIG_DFL restored"
"$BUILD/tests/signals" query > query.plain
expect_eq "$(cat query.out)" "$(cat query.plain)" "dispositions seen by the program"
whole query.trace query

for how in segv abort; do
	"$HT" record -q -o $how.trace -- "$BUILD/tests/signals" $how
	status=$?
	"$BUILD/tests/signals" $how 2>/dev/null
	expect_eq $status $? "$how: exit status as without the recorder"
	whole $how.trace $how
done

# Python installs its KeyboardInterrupt handler only if SIGINT is SIG_DFL.
if command -v python3 > /dev/null; then
	script='import os, signal
try:
    os.kill(os.getpid(), signal.SIGINT)
    print("no interrupt")
except KeyboardInterrupt:
    print("KeyboardInterrupt")'
	out=$("$HT" record -q -o py.trace -- python3 -c "$script")
	expect_eq "$out" KeyboardInterrupt "python3 under the recorder"
fi
