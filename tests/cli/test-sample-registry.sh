# samples/registry.cc: a C++ service whose static std::map of sessions
# grows all run and is destroyed after main returns, beside an LRU cache
# capped at 1000 pages (a local of main) and per-request temporaries.
# Judged at the end of the work: the registry is a leak released at exit,
# named at register_session's own line; the cache is steady; after the
# teardown (--at exit, what valgrind sees) nothing of either is left.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
record r.trace "$BUILD/samples/registry" 8000 > /dev/null || fail "record"
"$HT" analyze r.trace 2> err || fail "analyze: $(cat err)"
q() { sqlite3 r.db "$1"; }
line=$(grep -n 'sessions\[id\] = ' "$SRC/samples/registry.cc" | cut -d: -f1)
expect_eq "$(q "select class || ' ' || live_blocks || ' ' || exit_live_blocks from sites
	where function = 'register_session' and line = $line")" "leak 2000 0" "the registry's map nodes"
q "select pattern from sites where function = 'register_session'" | grep -q '^linear growth .*, released at exit$' ||
	fail "registry pattern: $(q "select pattern from sites where function = 'register_session'")"
# The cache: a list node and a page per entry on one line, an index node
# per entry (and the index's bucket array) on the next.
expect_eq "$(q "select group_concat(class || ' ' || live_blocks, ', ') from (select * from sites
	where function like 'PageCache::get%' and live_blocks > 0 order by line)")" "steady 2000, steady 1001" "the cache"
expect_eq "$(q "select count(*) from sites where live_blocks > 0 and file like '%/include/c++/%'")" 0 \
	"no site in the C++ library's headers"
expect_eq "$(q "select count(*) from sites where function = 'handle_request' and live_blocks > 0")" 0 \
	"temporaries freed"
expect_eq "$(q "select value from meta where key = 'work_end'")" "teardown, before main returned" \
	"the work ends where main's locals are destroyed"
# summary's figures are the sites' at the end of the work.
expect_eq "$("$HT" summary --format json r.db | sed 's/.*"leak_blocks": \([0-9]*\).*/\1/')" 2000 "summary leak_blocks"
expect_eq "$(q "select value from meta where key = 'live_blocks_end'")" \
	"$(q "select count(*) from blocks where live_at_end = 1 and entry not in ('mmap', 'mremap')")" \
	"live blocks at the end of the work: meta and blocks"
"$HT" leaks --fail-on-leak r.db > /dev/null
expect_eq $? 3 "--fail-on-leak"
expect_eq "$("$HT" leaks --at exit --format csv r.db | grep -c 'register_session\|PageCache')" 0 \
	"after the teardown: neither the registry nor the cache"
"$HT" check r.db > out 2>&1 || fail "check: $(cat out)"
# A grouped row's peak is never below its live bytes, though the last
# bucket holds the teardown (the buckets' ends alone gave 735112 < 740968).
"$HT" sites --by object --format csv r.db | awk -F, 'NR > 1 && $5 < $3 { print; bad = 1 } END { exit bad }' ||
	fail "--by object: a peak below the live bytes"
# --at judges as of then: halfway, the registry is already a leak (and
# nothing was released yet), the cache already steady.
"$HT" leaks --at 50% --format csv r.db > half.csv || fail "leaks --at 50%"
grep 'register_session' half.csv | grep -q '^[0-9]*,leak,.*,linear growth [^,]*,' ||
	fail "registry at 50%: $(grep register_session half.csv)"
grep -q 'released at exit' half.csv && fail "released at exit, halfway: $(cat half.csv)"
grep 'PageCache' half.csv | grep -vq ',steady,' && fail "cache at 50%: $(grep PageCache half.csv)"
# A leak that starts at 60% of the run is none at 45% (its cache is full
# by 25%): class and exit status.
record m.trace "$BUILD/tests/shape-midleak" 2000 60 2000 128 1 > /dev/null || fail "record midleak"
"$HT" leaks --fail-on-leak m.trace > /dev/null 2> err
expect_eq $? 3 "midleak: a leak at the end"
"$HT" leaks --at 45% --fail-on-leak --format csv m.db > early.csv 2> err
expect_eq $? 0 "midleak: no leak at 45% ($(cat early.csv err))"
