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
