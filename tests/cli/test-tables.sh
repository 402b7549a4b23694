# Tables at any width (cli/query.c): at COLUMNS=80, narrower, and piped
# without COLUMNS (120 columns), no line of leaks, sites, growth, modules
# or timeline is longer than the width; a site's row says which function
# (C++ template arguments as <…>, no argument list), where (file:line,
# the base name) and why (the pattern); the address and full names are
# in --wide tables and in CSV, whose columns do not change.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
record leak.trace "$BUILD/samples/leak" 400 || fail "record leak"
record reg.trace "$BUILD/samples/registry" 8000 > /dev/null || fail "record registry"
record cache.trace "$BUILD/samples/cache" 20000 500 > /dev/null || fail "record cache"
for t in leak reg cache; do
	"$HT" analyze $t.trace 2> err || fail "analyze $t: $(cat err)"
done

# longest FILE : the characters of FILE's longest line (… counts one)
longest() {
	sed 's/\xe2\x80\xa6/./g' "$1" | awk '{ if (length > n) n = length } END { print n + 0 }'
}
# squeeze FILE : FILE with runs of blanks as one
squeeze() {
	tr -s ' ' < "$1"
}

unset COLUMNS
for db in leak reg cache; do
	for cmd in leaks sites growth modules timeline; do
		for width in 80 60 piped; do
			if [ $width = piped ]; then
				"$HT" $cmd $db.db > out || fail "$cmd $db.db"
				max=120
			else
				COLUMNS=$width "$HT" $cmd $db.db > out || fail "$cmd $db.db at $width"
				max=$width
			fi
			[ -s out ] || fail "$cmd $db.db at $width: no output"
			[ "$(longest out)" -le $max ] ||
				fail "$cmd $db.db at $width: a line of $(longest out) characters: $(cat out)"
			grep -q ' $' out && fail "$cmd $db.db at $width: trailing blanks"
			case $cmd in
			leaks|sites|growth)
				# (at 60 the pattern may be cut, its header too)
				head -n 1 out | grep -q '^class .*function .*file:line ' ||
					fail "$cmd $db.db at $width: header $(head -n 1 out)"
				[ $width = 60 ] || head -n 1 out | grep -q ' pattern' ||
					fail "$cmd $db.db at $width: header $(head -n 1 out)"
				grep -q ' 0x[0-9a-f]' out && fail "$cmd $db.db at $width: an address: $(cat out)"
				;;
			esac
			cp out $cmd-$db-$width.out
		done
	done
done

# samples/leak.c, 400 sessions, half of them lost: at 80 columns the
# alloc'd, peak, allocs and module columns are left out and the rest is
# whole.
# whole.  (The blocks go too when the growth rate and its pattern are
# longer, as on a busy machine.)
row=$(squeeze leaks-leak-80.out | sed -n 2p)
squeeze leaks-leak-80.out | head -n 1 | grep -Eq '^class live( blocks)? growth function file:line pattern$' ||
	fail "leak at 80: header $(head -n 1 leaks-leak-80.out)"
echo "$row" | grep -Eq '^leak 50.0 KiB( 200)? [0-9.]+ [KM]?i?B/s session_new leak.c:23 linear growth [0-9.]+ [KM]?i?B/s' ||
	fail "leak at 80: row '$row'"
expect_eq "$(squeeze leaks-leak-piped.out | head -n 1)" \
	"class live blocks peak allocs alloc'd growth module function file:line pattern" "leak piped: header"
expect_eq "$(cat modules-leak-80.out)" "module blocks     live     peak allocs     leak steady
leak      200 50.0 KiB 50.0 KiB    400 50.0 KiB    0 B" "modules of leak at 80"
expect_eq "$(head -n 1 timeline-leak-80.out)" " time     heap blocks     peak      rss allocs frees mapped markers" \
	"timeline at 80: header"
grep -q ' start$' timeline-leak-80.out || fail "timeline: the start marker: $(cat timeline-leak-80.out)"

# samples/registry.cc: the registry's map nodes, and the cache's two
# lines, by function (no "(long)"), file:line and pattern.
line=$(grep -n 'sessions\[id\] = ' "$SRC/samples/registry.cc" | cut -d: -f1)
grep -q "^leak  *[0-9.]* KiB register_session  *registry.cc:$line  *linear growth " leaks-reg-80.out ||
	fail "registry at 80: $(cat leaks-reg-80.out)"
expect_eq "$(grep -c '^steady  *[0-9.]* KiB PageCache::get  *registry.cc:[0-9]*  *plateau at ' leaks-reg-80.out)" 2 \
	"the cache at 80: $(cat leaks-reg-80.out)"
grep -q "^leak .* 2000 .* register_session  *registry.cc:$line  *linear growth [0-9.]* [KM]*i*B/s" leaks-reg-piped.out ||
	fail "registry piped: $(cat leaks-reg-piped.out)"
grep -q 'PageCache::get(' leaks-reg-piped.out && fail "an argument list: $(cat leaks-reg-piped.out)"
# growth keeps its growth column at 80.
head -n 1 growth-reg-80.out | grep -q '^class  *live  *growth function ' ||
	fail "growth at 80: $(head -n 1 growth-reg-80.out)"
# cache.cc: main's three lines.
expect_eq "$(grep -c ' main  *cache.cc:[0-9]*  *run too short to tell' leaks-cache-80.out)" 3 \
	"cache at 80: $(cat leaks-cache-80.out)"

# --wide: the address, full paths and full names, cut nowhere.
COLUMNS=80 "$HT" leaks --wide reg.db > wide.out || fail "leaks --wide"
grep -q "PageCache::get(long)  */[^ ]*/registry.cc:[0-9]* .* 0x[0-9a-f]* " wide.out ||
	fail "--wide: $(cat wide.out)"
grep -q '…' wide.out && fail "--wide cut something: $(cat wide.out)"
"$HT" modules --wide leak.db | grep -q ' /[^ ]*/samples/leak$' || fail "modules --wide: the path"

# CSV keeps every column and full names.
expect_eq "$("$HT" leaks --format csv reg.db | head -n 1)" \
	"id,class,live_bytes,live_blocks,peak_bytes,allocations,alloc_bytes,growth_bytes_per_s,module,function,file,line,pattern,address,mapped_bytes,suppressed" \
	"leaks csv header"
"$HT" leaks --format csv reg.db | grep -q ',PageCache::get(long),/[^,]*/registry.cc,' ||
	fail "csv: full names"

# Long C++ names, as demangled: template arguments, argument lists,
# return types, operators and anonymous namespaces.
cp reg.db long.db
sqlite3 long.db "update sites set function = 'void std::vector<Foo, std::allocator<Foo> >::_M_realloc_insert(__gnu_cxx::__normal_iterator<Foo*, std::vector<Foo, std::allocator<Foo> > >, Foo const&)' where function = 'main';
	update sites set function = '(anonymous namespace)::Pool::operator()(unsigned long) const' where function = 'call_init';
	update sites set function = 'std::map<int, std::__cxx11::basic_string<char> >::operator[](int&&)' where function = 'register_session';
	update sites set function = 'PageCache::get(long)::{lambda(std::pair<long, int> const&)#1}::operator()(std::pair<long, int> const&) const' where line = 47" ||
	fail "sqlite3 update"
COLUMNS=200 "$HT" leaks long.db > long.out || fail "leaks long.db"
for f in 'std::vector<…>::_M_realloc_insert' '(anonymous namespace)::Pool::operator()' \
    'std::map<…>::operator\[\]' 'PageCache::get::{lambda()#1}::operator()'; do
	grep -q " $f " long.out || fail "abbreviated '$f': $(cat long.out)"
done
"$HT" leaks long.db > long120.out || fail "leaks long.db piped"
[ "$(longest long120.out)" -le 120 ] || fail "long names piped: $(cat long120.out)"
grep -q ' std::map<…>::operator\[\]  *registry.cc:' long120.out || fail "piped: $(cat long120.out)"
COLUMNS=80 "$HT" leaks long.db > long80.out || fail "leaks long.db at 80"
[ "$(longest long80.out)" -le 80 ] || fail "long names at 80: $(cat long80.out)"
grep -Eq ' (…::(map<…>::)?|std::map<…>::)operator\[\] +registry.cc:' long80.out ||
	fail "a name cut at a '::': $(cat long80.out)"
"$HT" leaks --format csv long.db | grep -q '"void std::vector<Foo, std::allocator<Foo> >::_M_realloc_insert(' ||
	fail "csv: the long name in full"
# Narrower than anything fits: still no line longer.
for width in 40 20; do
	COLUMNS=$width "$HT" leaks long.db > n.out || fail "leaks at $width"
	[ "$(longest n.out)" -le $width ] || fail "at $width: $(cat n.out)"
done
exit 0
