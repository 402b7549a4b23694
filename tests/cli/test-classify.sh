# Classification of the samples: a leak, a start-up table and arena, an
# LRU cache at its plateau (what heaptrack would list as leaks too).
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"

# class_of DB SIZE: class and pattern of the site holding SIZE-byte blocks
class_of() {
	sqlite3 "$1" "select distinct s.class || ': ' || s.pattern from sites s
	    join stacks st on st.site_id = s.id join blocks b on b.stack_id = st.id
	    where b.size = $2"
}

record leak.trace "$BUILD/samples/leak" 1500 || fail "record leak"
"$HT" analyze leak.trace 2> err || fail "analyze leak: $(cat err)"
class_of leak.db 256 | grep -q '^leak: linear growth' || fail "leak: $(class_of leak.db 256)"

record arena.trace "$BUILD/samples/arena" || fail "record arena"
"$HT" analyze arena.trace 2> err || fail "analyze arena: $(cat err)"
class_of arena.db 64 | grep -q '^steady: held since start' || fail "table: $(class_of arena.db 64)"
class_of arena.db $((4 << 20)) | grep -q '^steady: held since start' ||
	fail "arena: $(class_of arena.db $((4 << 20)))"
expect_eq "$(sqlite3 arena.db "select count(*) from sites where class = 'leak'")" 0 "no leak in arena"

record cache.trace "$BUILD/samples/cache" 300000 500 > /dev/null || fail "record cache"
"$HT" analyze cache.trace 2> err || fail "analyze cache: $(cat err)"
class_of cache.db 236 | grep -q '^steady: plateau at' || fail "cache: $(class_of cache.db 236)"
expect_eq "$(sqlite3 cache.db "select count(*) from sites where class = 'leak'")" 0 "no leak in cache"

# A leak in one worker thread among four.
record th.trace "$BUILD/samples/threads" || fail "record threads"
"$HT" analyze th.trace 2> err || fail "analyze threads: $(cat err)"
class_of th.db 128 | grep -q '^leak: linear growth' || fail "thread leak: $(class_of th.db 128)"
expect_eq "$(sqlite3 th.db "select live_blocks from sites where class = 'leak'")" 200 "leaked job records"

# Grows all through the work, freed only by the program's cleanup before
# it returns: judged at the end of the work, a leak released at exit, at
# the top of growth; after the teardown (--at exit) nothing is live.
record gf.trace "$BUILD/samples/grow-free" || fail "record grow-free"
"$HT" analyze gf.trace 2> err || fail "analyze grow-free: $(cat err)"
"$HT" growth --format csv --limit 1 gf.db > top.csv || fail "growth"
expect_eq "$(sed -n 2p top.csv | cut -d, -f2,4)" "leak,4000" "top grower: leak, 4000 blocks held"
sed -n 2p top.csv | grep -q ',"linear growth [^"]*, released at exit",' || fail "pattern: $(sed -n 2p top.csv)"
expect_eq "$("$HT" leaks --fail-on-leak gf.db > /dev/null; echo $?)" 3 "grow-free fails on a leak"
expect_eq "$(sqlite3 gf.db "select value from meta where key = 'work_end'")" "teardown, before main returned" \
	"work ended at the teardown"
expect_eq "$("$HT" leaks --at exit --format csv gf.db | wc -l)" 1 "nothing live after the teardown"

# Killed while still growing (the trace just stops): still a leak.
"$HT" record -q -o killed.trace "$BUILD/samples/leak" 100000 &
rec=$!
sleep 1.2
child=$(cat /proc/$rec/task/$rec/children 2> /dev/null)
[ -n "$child" ] || skip "cannot find the recorded process (no /proc children)"
kill -KILL $child
wait $rec 2> /dev/null
"$HT" analyze killed.trace 2> err || fail "analyze killed: $(cat err)"
expect_eq "$(sqlite3 killed.db "select value from meta where key = 'complete'")" 0 "killed: no END"
class_of killed.db 256 | grep -q '^leak: linear growth' || fail "killed: $(class_of killed.db 256)"

# A dlopen'ed plugin that leaks and is unloaded before the end.
record pl.trace "$BUILD/samples/plugin-host" || fail "record plugin-host"
"$HT" analyze pl.trace 2> err || fail "analyze plugin: $(cat err)"
line=$(grep -n 'malloc(sizeof \*e)' "$SRC/samples/plugin/leakplugin.c" | cut -d: -f1)
expect_eq "$(sqlite3 pl.db "select class || ' ' || module || ' ' || function || ':' || line || ' ' || live_blocks
	from sites order by live_bytes desc limit 1")" "leak libleakplugin.so plugin_tick:$line 500" "plugin leak"
expect_eq "$(sqlite3 pl.db "select count(*) from modules where name = 'libleakplugin.so' and unload_time is not null")" 1 \
	"plugin unloaded"

# A free-list pool: slabs held since start, its objects (annotated with
# heaptrail_alloc, inside the slabs, one at each slab's own address) at a
# plateau; the two kinds of block are paired apart.
record pool.trace "$BUILD/samples/pool" || fail "record pool"
"$HT" analyze pool.trace 2> err || fail "analyze pool: $(cat err)"
expect_eq "$(sqlite3 pool.db "select class || ' ' || live_blocks from sites where function = 'pool_grow'")" \
	"steady 5" "pool slabs"
sqlite3 pool.db "select pattern from sites where function = 'pool_grow'" | grep -q '^held since start' ||
	fail "slabs: $(sqlite3 pool.db 'select pattern from sites')"
sqlite3 pool.db "select class || ': ' || pattern from sites where function = 'pool_get'" | grep -q '^steady: plateau at' ||
	fail "pool objects: $(sqlite3 pool.db 'select class, pattern from sites')"
expect_eq "$(sqlite3 pool.db "select value from meta where key = 'replaced_live'")" 0 "annotated blocks apart"
