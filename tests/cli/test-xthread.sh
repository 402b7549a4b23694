# Frees in other threads than the allocations, heavy address reuse:
# exact live totals at the end (the ordering guarantee, man heaptrail(5)).
. "$SRC/tests/lib.sh"
threads=4 iterations=60000 keep=100
record t.trace "$BUILD/tests/xthread" $threads $iterations $keep ||
	fail "record failed"
stats t.trace
expect_eq "$(stat t.trace unknown_frees)" 0 "frees of unknown pointers"
expect_eq "$(stat t.trace replaced_live)" 0 "allocations over a live block"
# Workers (threads 2..) end holding exactly their kept blocks; main
# holds kept[] and whatever glibc's pthread_create keeps (a DTV each).
expect_eq "$(live_where t.trace '$2 != "thread=1"')" $((threads * keep)) \
	"live blocks allocated by the workers"
expect_eq "$(live_by_size t.trace $((threads * keep * 8)))" 1 "kept[] array"
expect_ge "$(stat t.trace live_bytes)" \
	$(( (1000 * threads + threads * (threads - 1) / 2) * keep + threads * keep * 8 )) \
	"live bytes"
expect_ge "$(stat t.trace allocations)" $((threads * (iterations + keep))) "allocations"
expect_eq "$(stat t.trace dropped)" 0 "dropped"
# The same totals paired by awk instead of the C reader.
for i in 0 1 2 3; do
	expect_eq "$(live_by_size t.trace $((1000 + i)))" $keep "awk: live blocks of thread $i"
done
expect_ge "$(stat t.trace syncs)" 2 "sync records"
