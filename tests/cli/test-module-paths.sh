# Modules are stored with absolute paths, their folders resolved: a
# plugin dlopen'ed as "./link.so" from rec/ (a symlink to the folder
# real/) is stored as .../real/link.so (a link to libplugin.so beside
# it: the loader's file name is kept for the same file), so a trace
# analyzed from another folder still names the plugin's functions.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
mkdir real other && ln -s real rec || fail "mkdir"
cp "$BUILD/tests/libplugin.so" real/libplugin.so || fail "cp"
ln -s libplugin.so real/link.so || fail "ln"
real=$(pwd -P)/real/link.so
(cd rec && "$HT" record -q -o ../t.trace -- "$BUILD/tests/plugin-host" \
    ./link.so) || fail "record failed"
"$HT" dump t.trace > d || fail "dump failed"
grep -q "module .* load .*path=\"$real\"" d ||
	fail "plugin not stored as $real: $(grep 'module .* load' d)"
# The executable and libc too: absolute, in folders without symlinks
# (the vDSO has no file: the loader's name for it stays).
grep 'module .* load' d | grep -v 'path="linux-vdso' > loads
grep 'path="[^/]' loads && fail "a relative path"
for p in $(sed -n 's/.*path="\([^"]*\)".*/\1/p' loads); do
	d=$(dirname "$p")
	[ "$(readlink -f "$d")" = "$d" ] || fail "$p: folder not resolved"
	[ -f "$p" ] || fail "$p: no such file"
done
(cd other && "$HT" analyze ../t.trace 2> err) ||
	fail "analyze: $(cat other/err)"
got=$(sqlite3 t.db "select count(*) from sites where function = 'plugin_work'")
expect_ge "$got" 1 "sites in plugin_work, analyzed from elsewhere"
expect_eq "$(sqlite3 t.db "select count(*) from sites where function like 'libplugin.so+%' or function like 'link.so+%'")" \
	0 "unsymbolized plugin sites"
