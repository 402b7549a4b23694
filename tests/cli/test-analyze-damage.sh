# analyze on damaged input: cut at many offsets, bytes flipped, foreign
# files.  Each run ends with a database of the good prefix or one clear
# error naming the file, never a crash and never a half-written database.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/many-threads" 4 8 || fail "record failed"
size=$(wc -c < t.trace)
i=1
while [ $i -le 24 ]; do
	cut=$(( size * i / 25 ))
	head -c $cut t.trace > c.trace
	"$HT" analyze -o c.db c.trace > /dev/null 2> err
	status=$?
	case $status in
	0) [ -f c.db ] || fail "cut at $cut: status 0 but no database" ;;
	1) grep -q "c.trace" err || fail "cut at $cut: message does not name the file: $(cat err)"
	   [ ! -f c.db ] || fail "cut at $cut: failed but left c.db" ;;
	*) fail "cut at $cut: status $status: $(cat err)" ;;
	esac
	ls c.db.tmp.* > /dev/null 2>&1 && fail "cut at $cut: temporary file left"
	rm -f c.db
	i=$((i + 1))
done
i=0
while [ $i -lt 30 ]; do
	off=$(( (i * 104729) % size ))
	cp t.trace f.trace
	printf '\125' | dd of=f.trace bs=1 seek=$off conv=notrunc 2> /dev/null
	"$HT" analyze -o f.db f.trace > /dev/null 2> err
	status=$?
	[ $status -le 1 ] || fail "flip at $off: status $status: $(cat err)"
	[ $status -eq 0 ] || [ ! -f f.db ] || fail "flip at $off: failed but left f.db"
	rm -f f.db
	i=$((i + 1))
done
printf 'not a trace' > x.trace
"$HT" analyze x.trace 2> err
expect_eq $? 1 "foreign file"
grep -q "x.trace: not a heaptrail trace" err || fail "foreign: $(cat err)"
