# The query commands on a recorded leak and a recorded arena: exact
# numbers through JSON and CSV, exit statuses, bad options.
. "$SRC/tests/lib.sh"
n=1000
record leak.trace "$BUILD/samples/leak" $n || fail "record leak"
record arena.trace "$BUILD/samples/arena" || fail "record arena"

# leaks: the one site still holding memory, classified leak, with a stack.
"$HT" leaks --format json leak.trace > leaks.json || fail "leaks: $(cat leaks.json)"
[ -f leak.db ] || fail "leaks did not analyze the trace into leak.db"
grep -c '"id":' leaks.json | grep -qx 1 || fail "leaks: expected one site: $(cat leaks.json)"
grep -q '"class": "leak", "live_bytes": '$((n / 2 * 256))', "live_blocks": '$((n / 2)) leaks.json ||
	fail "leaks: $(cat leaks.json)"
grep -q '"stack": \[{' leaks.json || fail "leaks: no stack"
grep -q '"module": "leak"' leaks.json || fail "leaks: module"

# --fail-on-leak: 3 for the leak, 0 for the arena (held, not leaking).
"$HT" leaks --fail-on-leak leak.db > /dev/null
expect_eq $? 3 "leaks --fail-on-leak on a leak"
"$HT" leaks --fail-on-leak arena.trace > /dev/null
expect_eq $? 0 "leaks --fail-on-leak on an arena"

# modules (JSON) and sites (CSV).
"$HT" modules --format json leak.db > modules.json || fail "modules"
grep -q '"module": "leak", "live_blocks": '$((n / 2))', "live_bytes": '$((n / 2 * 256)) modules.json ||
	fail "modules: $(cat modules.json)"
grep -q '"leak_bytes": '$((n / 2 * 256))', "steady_bytes": 0' modules.json || fail "modules: $(cat modules.json)"
"$HT" sites --format csv --sort allocations --limit 1 leak.db > sites.csv || fail "sites"
head -n 1 sites.csv | grep -q '^id,class,live_bytes,live_blocks,peak_bytes,allocations,' || fail "csv header: $(head -n 1 sites.csv)"
expect_eq "$(sed -n 2p sites.csv | cut -d, -f2,4,6)" "leak,$((n / 2)),$n" "sites csv row"
"$HT" growth --format json arena.db | grep -q '"pattern": "held since start' || fail "growth: arena sites"

# timeline: one row per bucket, markers where they fell.
expect_eq "$("$HT" timeline --format csv leak.db | wc -l)" 201 "timeline rows + header"
"$HT" timeline --format csv leak.db | grep -q ',start$' || fail "timeline: marker start"

# check: every recount agrees.
"$HT" check leak.db > check.out || fail "check: $(cat check.out)"
expect_eq "$(grep -c '^ok ' check.out)" 14 "check: agreeing totals"

# Usage errors.
"$HT" leaks --format yaml leak.db 2> err
expect_eq $? 2 "bad --format"
"$HT" sites --sort nonsense leak.db 2> err
expect_eq $? 2 "bad --sort"
"$HT" modules --fail-on-leak leak.db 2> err
expect_eq $? 2 "--fail-on-leak outside leaks"

# The two example queries of heaptrail(5), word for word.
if command -v sqlite3 > /dev/null; then
	expect_eq "$(sqlite3 leak.db 'SELECT module, live_bytes FROM module_live;')" \
		"leak|$((n / 2 * 256))" "man page: live bytes per module"
	sqlite3 leak.db "SELECT module, printf('0x%x', address), growth_bytes_per_s, class
FROM growth LIMIT 10;" > growth.out || fail "man page: growth query"
	head -n 1 growth.out | grep -q '^leak|0x[0-9a-f]*|[0-9.]*|leak$' || fail "man page growth: $(cat growth.out)"
fi

# --at and --from/--to.
expect_eq "$("$HT" leaks --at @done --format csv leak.db | sed -n 2p | cut -d, -f4)" $((n / 2)) "leaks --at @done"
# (--at has the time series' resolution: the 0.5% bucket holding TIME.)
early=$("$HT" leaks --at @start --format csv leak.db | sed -n 2p | cut -d, -f4)
[ "${early:-0}" -le $((n / 100)) ] || fail "leaks --at @start: $early live blocks"
half=$("$HT" leaks --at 50% --format csv leak.db | sed -n 2p | cut -d, -f4)
[ "$half" -gt $((n / 8)) ] && [ "$half" -lt $((n / 2)) ] || fail "leaks --at 50%: $half live blocks"
"$HT" growth --from 0 --to end --format csv arena.db | awk -F, 'NR > 1 && $3 > 0 && $8 <= 0 { bad = 1 } END { exit bad }' ||
	fail "growth over the whole run: a site holding memory did not grow"
expect_eq "$("$HT" timeline --from 0 --to end --format csv leak.db | wc -l)" 201 "timeline over the whole run"
"$HT" leaks --at nonsense leak.db 2> err
expect_eq $? 1 "bad TIME"
grep -q "'nonsense' is not a TIME" err || fail "bad TIME: $(cat err)"
"$HT" timeline --at 5 leak.db 2> err
expect_eq $? 2 "--at where it does not apply"
# modules --at: the sum over the sites as of then, as leaks --at says.
expect_eq "$("$HT" modules --at 50% --format csv leak.db | awk -F, 'NR > 1 { s += $3 } END { print s + 0 }')" \
	"$("$HT" sites --at 50% --format csv leak.db | awk -F, 'NR > 1 { s += $3 } END { print s + 0 }')" \
	"modules --at 50%: the sites' live bytes then"

# check lists 50 anomalies unless --limit says otherwise; --limit 0: all.
cat > unknown-frees.c <<'C'
#include <stdint.h>
#include "heaptrail.h"
int main(void) { for (int i = 0; i < 60; i++) heaptrail_free((void *)(uintptr_t)(0x10000 + 16 * i)); return 0; }
C
cc -I"$SRC/include" -o unknown-frees unknown-frees.c || fail "cc unknown-frees.c"
record uf.trace ./unknown-frees || fail "record unknown-frees"
expect_eq "$("$HT" check --format csv uf.trace | grep -c '^unknown_free,')" 50 "check lists 50 anomalies"
expect_eq "$("$HT" check --format csv --limit 0 uf.db | grep -c '^unknown_free,')" 60 "check --limit 0 lists them all"
expect_eq "$("$HT" check --format csv --limit 7 uf.db | grep -c '^unknown_free,')" 7 "check --limit 7"
