# C++ new/delete: the trace agrees with the program's own count.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/samples/cache" 20000 500 > out || fail "record failed"
misses=$(awk '{ print $2 }' out)
evictions=$(awk '{ print $4 }' out)
expect_ge "$misses" 1000 "misses reported by the program"
stats t.trace
expect_eq "$(allocs_by_size t.trace 236)" "$misses" "Value allocations = misses"
expect_eq "$(live_by_size t.trace 236)" $((misses - evictions)) "live Values"
expect_eq "$(stat t.trace unknown_frees)" 0 "unknown frees"
