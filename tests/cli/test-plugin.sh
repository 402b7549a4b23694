# dlopen/dlclose: the plugin is seen loaded and unloaded, its allocations
# come from inside it, and the frees of its destructor are recorded.
. "$SRC/tests/lib.sh"
record t.trace "$BUILD/tests/plugin-host" "$BUILD/tests/libplugin.so" ||
	fail "record failed"
stats t.trace
"$HT" dump t.trace > d || fail "dump failed"
load=$(grep 'module .* load .*libplugin.so' d) || fail "no load record for libplugin.so"
id=$(echo "$load" | awk '{ print $2 }')
grep -q "^module $id unload" d || fail "no unload record for module $id"
expect_eq "$(allocs_by_size t.trace 4321)" 10 "plugin allocations"
expect_eq "$(live_by_size t.trace 4321)" 6 "plugin blocks live after its destructor"
expect_eq "$(stat t.trace modules_unloaded)" 1 "modules unloaded"
# The innermost frame of those allocations lies in the plugin's code.
base=$(echo "$load" | sed 's/.*base=\(0x[0-9a-f]*\).*/\1/')
seg=$(echo "$load" | sed 's/.*r-x:\(0x[0-9a-f]*\)+\(0x[0-9a-f]*\).*/\1 \2/')
stack=$(awk '$5 == "size=4321" { sub("stack=", "", $6); print $6; exit }' t.trace.ordered)
frame=$(awk -v s="$stack" '$1 == "stack" && $2 == s { print $3 }' d)
set -- $seg
lo=$((base + $1))
hi=$((lo + $2))
[ $((frame)) -ge $lo ] && [ $((frame)) -lt $hi ] ||
	fail "frame $frame is not in the plugin ($base $seg)"
