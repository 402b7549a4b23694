# What could not be symbolized is counted in meta and said by check:
# a library stripped of its debug info (symbol table only), one deleted
# before the analysis, one rebuilt since the recording (another
# build-id).  The rest of the analysis goes on.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"

cat > lib.c <<'C'
#include <stdlib.h>
#ifndef NAME
#define NAME f
#endif
void *NAME(void) { return malloc(100 + VARIANT); }
C
cat > main.c <<'C'
#include <stdio.h>
void *stripped(void), *gone(void), *changed(void);
int main(void) { printf("%p %p %p\n", stripped(), gone(), changed()); return 0; }
C
lib() {
	cc -g -O1 -shared -fPIC -Wl,--build-id -DNAME="$1" -DVARIANT="$2" \
	    -o "lib$1.so" lib.c || fail "cc lib$1.so"
}
lib stripped 0
lib gone 0
lib changed 0
strip -g libstripped.so || fail "strip -g libstripped.so"
cc -g -o main main.c -L. -lstripped -lgone -lchanged -Wl,-rpath,"$PWD" ||
	fail "cc main.c"
record t.trace ./main > /dev/null || fail "record failed"
rm libgone.so
lib changed 1		# another build-id
"$HT" analyze t.trace 2> err || fail "analyze failed: $(cat err)"

m() {
	sqlite3 -batch t.db "SELECT value FROM meta WHERE key = '$1'"
}
expect_eq "$(m symbolize_unreadable_modules)" 1 "meta symbolize_unreadable_modules"
expect_eq "$(m symbolize_changed_modules)" 1 "meta symbolize_changed_modules"
expect_eq "$(m symbolize_bad_debug_modules)" 0 "meta symbolize_bad_debug_modules"
expect_eq "$(m symbolize_failed_units)" 0 "meta symbolize_failed_units"
m symbolize_failures > list
# Other objects (libc) may lack debug info where this runs: they are
# counted too, but only ours are known here.
nodebug=$(grep -c '^no_debug	' list)
expect_ge "$nodebug" 1 "no_debug lines in meta symbolize_failures"
expect_eq "$(m symbolize_no_debug_modules)" "$nodebug" "meta symbolize_no_debug_modules"
expect_eq "$(m symbolize_failed_modules)" $((nodebug + 2)) "meta symbolize_failed_modules"
expect_eq "$(grep "	$PWD/libstripped.so	" list)" "no_debug	$PWD/libstripped.so	no DWARF" "meta symbolize_failures, libstripped.so"
expect_eq "$(grep "	$PWD/libgone.so	" list)" "unreadable	$PWD/libgone.so	No such file or directory" "meta symbolize_failures, libgone.so"
expect_eq "$(grep -c "	$PWD/libchanged.so	build-id [0-9a-f]* does not match the recorded one (the file changed since)\$" list)" 1 "meta symbolize_failures, libchanged.so"
expect_eq "$(wc -l < list)" $((nodebug + 2)) "lines of meta symbolize_failures"
# An address of each library, at least, has no source line.
expect_ge "$(m symbolize_failed_addresses)" 3 "meta symbolize_failed_addresses"

"$HT" check t.db > out 2> err || fail "check failed: $(cat err)"
expect_eq "$(grep '^symbols: .* cannot be read' out)" \
    "symbols: 1 module that cannot be read: $PWD/libgone.so (No such file or directory)" "check: unreadable"
expect_eq "$(grep -c "^symbols: 1 module changed since the recording: $PWD/libchanged.so (build-id [0-9a-f]* does not match the recorded one (the file changed since))\$" out)" 1 "check: changed"
if [ "$nodebug" -eq 1 ]; then
	expect_eq "$(grep '^symbols: .* without debug info' out)" \
	    "symbols: 1 module without debug info: $PWD/libstripped.so (no DWARF)" "check: without debug info"
else
	grep "^symbols: $nodebug modules without debug info: .*$PWD/libstripped.so (no DWARF)" out > /dev/null ||
	    fail "check: without debug info: $(cat out)"
fi
expect_eq "$(grep -c '^symbols: ' out)" 4 "check: symbols lines (3 kinds, addresses)"
expect_eq "$(grep '^symbols: .* without a source line' out)" \
    "symbols: $(m symbolize_failed_addresses) addresses without a source line" "check: addresses"
# The analysis went on: the libraries' allocations are there.
expect_eq "$(sqlite3 -batch t.db 'SELECT count(*) FROM sites WHERE allocations = 1 AND alloc_bytes = 100')" 3 "sites of the three libraries"
exit 0
