# dump on damaged input: everything before the damage is shown, then one
# message naming the file and offset; exit 1.  Never a crash.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/many-threads" 5 10 || fail "record failed"
"$HT" dump t.trace > full.txt || fail "dump of a good trace failed"
size=$(wc -c < t.trace)
# Cut in the middle of the last frame and in the middle of the file.
for cut in $((size - 7)) $((size / 2)); do
	head -c $cut t.trace > cut.trace
	"$HT" dump cut.trace > cut.txt 2> err
	status=$?
	[ $status -eq 1 ] || [ $status -eq 0 ] || fail "cut at $cut: status $status"
	if [ $status -eq 1 ]; then
		grep -q "cut.trace: truncated frame at offset" err || fail "cut at $cut: $(cat err)"
	fi
	# What was shown is a prefix of the full dump.
	n=$(wc -l < cut.txt)
	head -n "$n" full.txt | cmp -s - cut.txt || fail "cut at $cut: output is not a prefix"
done

printf 'hello\n' > foreign.trace
"$HT" dump foreign.trace 2> err
expect_eq $? 1 "foreign file: status"
grep -q "foreign.trace: not a heaptrail trace" err || fail "foreign: $(cat err)"

: > empty.trace
"$HT" dump empty.trace 2> err
expect_eq $? 1 "empty file: status"
grep -q "empty.trace: empty file" err || fail "empty: $(cat err)"

"$HT" dump missing.trace 2> err
expect_eq $? 1 "missing file: status"
grep -q "missing.trace: No such file" err || fail "missing: $(cat err)"

# Flip bytes all through the file: any status 0 or 1, never a crash.
i=0
while [ $i -lt 40 ]; do
	off=$(( (i * 7919) % size ))
	cp t.trace flip.trace
	printf '\377' | dd of=flip.trace bs=1 seek=$off conv=notrunc 2>/dev/null
	"$HT" dump --stats flip.trace > /dev/null 2> err
	status=$?
	[ $status -le 1 ] || fail "flipped byte at $off: status $status: $(cat err)"
	i=$((i + 1))
done
