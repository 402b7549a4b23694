# Thread names set while a thread runs (pthread_setname_np from another
# thread, prctl(PR_SET_NAME) from itself) are in the trace at once, before
# the events that follow them, and the last one names the thread.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/thread-names" || fail "record failed"
"$HT" dump --ordered t.trace > d || fail "dump failed"
# The worker's events, in order: names and 40-byte allocations.
worker=$(awk '$3 == "malloc" && $5 == "size=40" { print $2; exit }' d)
[ -n "$worker" ] || fail "no allocation of the worker"
# Its names and 40-byte allocations in order, repeats counted.
seq=$(awk -v w="$worker" '$2 == w && $3 == "thread-name" { print $4 }
	$2 == w && $5 == "size=40" { print "alloc" }' d | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')
expect_eq "$seq" '1*"by-main" 10*alloc 1*"self-named" 10*alloc 1*"self-named" ' \
	"the worker's names and allocations, in order"
awk '$3 == "thread-name" && $4 == "\"main-thread\"" { found = 1 } END { exit !found }' d ||
	fail "main thread's new name missing"
"$HT" analyze t.trace -o t.db 2> /dev/null || fail "analyze failed"
expect_eq "$(sqlite3 t.db "select count(*) from threads where name = 'self-named'")" 1 "threads table: the worker's last name"
expect_eq "$(sqlite3 t.db "select count(*) from threads where name = 'main-thread'")" 1 "threads table: main's name"
