# Sites carry function, file and line from DWARF; stacks in JSON are
# symbolized; C++ sites skip operator new and the allocator templates.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
record leak.trace "$BUILD/samples/leak" 600 || fail "record leak"
"$HT" analyze leak.trace 2> err || fail "analyze: $(cat err)"
line=$(grep -n 'malloc(sizeof \*s)' "$SRC/samples/leak.c" | cut -d: -f1)
expect_eq "$(sqlite3 leak.db "select function || ' ' || file || ':' || line from sites")" \
	"session_new $SRC/samples/leak.c:$line" "leak site"
"$HT" leaks --format json leak.db > leaks.json || fail "leaks"
grep -q '"function": "session_new", "file": "'"$SRC"'/samples/leak.c", "line": '"$line" leaks.json ||
	fail "leaks json: $(cat leaks.json)"
grep -q '"function": "main", "file": "'"$SRC"'/samples/leak.c"' leaks.json || fail "stack: main missing"

record cache.trace "$BUILD/samples/cache" 50000 300 > /dev/null || fail "record cache"
"$HT" analyze cache.trace 2> err || fail "analyze cache: $(cat err)"
line=$(grep -n 'new Value()' "$SRC/samples/cache.cc" | cut -d: -f1)
expect_eq "$(sqlite3 cache.db "select s.function || ':' || s.line from sites s join stacks st on st.site_id = s.id
	join blocks b on b.stack_id = st.id where b.size = 236 limit 1")" "main:$line" "C++ site of new Value()"
expect_eq "$(sqlite3 cache.db "select count(*) from sites where function like 'operator new%'")" 0 "no operator new site"

# --by and --focus regroup the stacks.
"$HT" sites --by object --format csv cache.db > by.csv || fail "--by object"
grep -q ',cache,,,,,,0,$' by.csv || fail "--by object: $(cat by.csv)"
# A group of whole sites: the sums of its sites' figures, its growth too,
# and a peak no lower than its heaviest site's.
row=$(grep ',cache,' by.csv)
expect_eq "$(echo "$row" | cut -d, -f3,4,6,7)" "$(sqlite3 -csv cache.db "select sum(live_bytes),
	sum(live_blocks), sum(allocations), sum(alloc_bytes) from sites where module = 'cache'")" \
	"--by object: the sums of the module's sites"
expect_eq "$(echo "$row" | cut -d, -f8 | awk '{ printf "%.0f", $1 }')" \
	"$(sqlite3 cache.db "select printf('%.0f', sum(growth_bytes_per_s)) from sites where module = 'cache'")" \
	"--by object: growth, the sum of its sites' rates"
expect_ge "$(echo "$row" | cut -d, -f5)" \
	"$(sqlite3 cache.db "select max(peak_bytes) from sites where module = 'cache'")" \
	"--by object: peak"
"$HT" leaks --focus cache.cc --format csv cache.db > focus.csv || fail "--focus"
tail -n +2 focus.csv | cut -d, -f10,11 | sort -u | grep -qx "main,$SRC/samples/cache.cc" ||
	fail "--focus cache.cc: every row should be main in cache.cc: $(cat focus.csv)"
total=$(sqlite3 cache.db "select sum(live_bytes) from sites")
expect_eq "$(tail -n +2 focus.csv | awk -F, '{ s += $3 } END { print s }')" "$total" "--focus keeps every live byte"
"$HT" leaks --by stack --format json leak.db | grep -q '"function": "session_new"' || fail "--by stack"
"$HT" sites --by nonsense leak.db 2> err
expect_eq $? 2 "--by nonsense"
