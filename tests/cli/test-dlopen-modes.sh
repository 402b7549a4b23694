# dlopen keeps the caller's RUNPATH ($ORIGIN) under the recorder; a
# library opened with RTLD_DEEPBIND or into a new namespace with dlmopen
# cannot be recorded, and the recorder says so.
. "$SRC/tests/lib.sh"
mkdir lib && cp "$BUILD/tests/libplugin.so" lib/ || fail "no libplugin.so"
gcc -O1 -o host "$SRC/tests/programs/dlopen-modes.c" -Wl,--enable-new-dtags \
	-Wl,-rpath,'$ORIGIN/lib' || fail "cannot build the host"
for mode in plain deepbind dlmopen; do
	./host $mode > plain.out 2>&1 || fail "$mode: fails without the recorder: $(cat plain.out)"
	"$HT" record -o $mode.trace -- ./host $mode > $mode.out 2> $mode.err ||
		fail "$mode: fails under the recorder: $(cat $mode.out $mode.err)"
	expect_eq "$(cat $mode.out)" ok "$mode: output"
done
grep -q "heaptrail:.*RTLD_DEEPBIND: the allocations it makes are not recorded.*libplugin.so" deepbind.err ||
	fail "deepbind: no warning: $(cat deepbind.err)"
grep -q "heaptrail:.*dlmopen.*libplugin.so" dlmopen.err || fail "dlmopen: no warning: $(cat dlmopen.err)"
grep -q "not recorded" plain.err && fail "plain dlopen warned: $(cat plain.err)"
# The plain plugin's allocations are recorded from inside it.
"$HT" analyze plain.trace -o plain.db 2> /dev/null || fail "analyze"
expect_ge "$(sqlite3 plain.db "select count(*) from sites where module = 'libplugin.so'")" 1 "sites in the plugin"
exit 0
