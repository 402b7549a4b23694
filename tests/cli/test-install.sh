# make install into a temporary prefix: the installed heaptrail finds its
# recorder in PREFIX/lib/heaptrail, records and analyzes; make uninstall
# removes every file again.
. "$SRC/tests/lib.sh"
command -v make > /dev/null || skip "make is not installed"
prefix=$PWD/prefix
# MAKEFLAGS of the make running the tests would reach this one.
MAKEFLAGS= make -s -C "$SRC" BUILD="$BUILD" PREFIX="$prefix" install > install.out 2>&1 ||
	fail "make install: $(cat install.out)"
for f in bin/heaptrail lib/heaptrail/libheaptrail.so include/heaptrail.h \
    share/man/man1/heaptrail.1 share/man/man5/heaptrail.5 \
    share/bash-completion/completions/heaptrail; do
	[ -f "$prefix/$f" ] || fail "not installed: $f"
done

# The installed program, away from the build tree.
cp "$BUILD/samples/leak" ./leak
"$prefix/bin/heaptrail" record -q -o t.trace ./leak 1000 || fail "installed record"
"$prefix/bin/heaptrail" leaks --format csv t.trace > leaks.csv || fail "installed leaks"
expect_eq "$(awk -F, 'NR == 2 { print $2 "," $4 }' leaks.csv)" "leak,500" "installed: the leak"
"$prefix/bin/heaptrail" leaks --fail-on-leak t.db > /dev/null
expect_eq $? 3 "installed: --fail-on-leak"

MAKEFLAGS= make -s -C "$SRC" BUILD="$BUILD" PREFIX="$prefix" uninstall > uninstall.out 2>&1 ||
	fail "make uninstall: $(cat uninstall.out)"
left=$(find "$prefix" -type f | sed "s|^$prefix/||")
expect_eq "$left" "" "files left after uninstall"
exit 0
