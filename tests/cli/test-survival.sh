# stack_survival and site_histograms on recorded programs: they agree
# with the loader's other tables (stack_series, site_series, stack_stats,
# sites) bucket by bucket, and, for heap-only programs, row by row with
# what awk works out from `dump --ordered` on its own.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"

# survival_vs_series DB stack|site : mismatched cells (bytes, blocks), and
# cells with live bytes, comparing every bucket's live bytes and blocks in
# the series with the survival rows alive across the bucket's end.
survival_vs_series() {
	if [ "$2" = stack ]; then
		ids="SELECT stack_id FROM stack_series UNION
		    SELECT stack_id FROM stack_survival"
		rows="SELECT stack_id AS id, alloc_bucket, free_bucket, blocks,
		    bytes FROM stack_survival"
	else
		ids="SELECT site_id FROM site_series UNION
		    SELECT site_id FROM stack_survival JOIN stacks ON id = stack_id"
		rows="SELECT site_id AS id, alloc_bucket, free_bucket, blocks,
		    bytes FROM stack_survival JOIN stacks ON id = stack_id"
	fi
	sqlite3 -separator ' ' "$1" "
	    WITH b AS (SELECT bucket FROM timeline),
	    ids(id) AS ($ids),
	    series AS (SELECT ids.id, b.bucket,
		coalesce((SELECT live_bytes FROM $2_series x
		    WHERE x.$2_id = ids.id AND x.bucket <= b.bucket
		    ORDER BY x.bucket DESC LIMIT 1), 0) AS bytes,
		coalesce((SELECT live_blocks FROM $2_series x
		    WHERE x.$2_id = ids.id AND x.bucket <= b.bucket
		    ORDER BY x.bucket DESC LIMIT 1), 0) AS blocks
		FROM ids, b),
	    rows AS ($rows),
	    surv AS (SELECT id, b.bucket, sum(bytes) AS bytes,
		sum(blocks) AS blocks FROM rows
		JOIN b ON alloc_bucket <= b.bucket AND free_bucket > b.bucket
		GROUP BY id, b.bucket)
	    SELECT coalesce(sum(s.bytes != coalesce(v.bytes, 0)), 0),
		coalesce(sum(s.blocks != coalesce(v.blocks, 0)), 0),
		coalesce(sum(s.bytes > 0), 0)
	    FROM series s LEFT JOIN surv v ON v.id = s.id AND v.bucket = s.bucket"
}

# check_survival DB : the invariants of stack_survival
check_survival() {
	db=$1
	q() { sqlite3 "$db" "$1"; }
	expect_eq "$(q "select value from meta where key = 'buckets'")" 200 "$db: buckets"
	expect_eq "$(q "select count(*) from stack_survival where
	    free_bucket <= alloc_bucket or free_bucket > 200 or alloc_bucket < 0")" 0 \
	    "$db: rows with buckets out of order"
	set -- $(survival_vs_series "$db" stack)
	expect_eq "$1 $2" "0 0" "$db: stack_series against stack_survival (bytes, blocks)"
	expect_ge "$3" 1 "$db: stack buckets with live bytes"
	set -- $(survival_vs_series "$db" site)
	expect_eq "$1 $2" "0 0" "$db: site_series against stack_survival (bytes, blocks)"
	expect_ge "$3" 1 "$db: site buckets with live bytes"
	# Live at the end: free_bucket 200, against stack_stats and sites.
	expect_eq "$(q "select count(*) from stack_stats t left join
	    (select stack_id, sum(bytes) as bytes, sum(blocks) as blocks
	    from stack_survival where free_bucket = 200 group by stack_id) v
	    on v.stack_id = t.stack_id where coalesce(v.bytes, 0) != t.live_bytes
	    or coalesce(v.blocks, 0) != t.live_blocks")" 0 \
	    "$db: stacks whose live bytes or blocks at the end differ"
	expect_eq "$(q "select count(*) from stack_survival where free_bucket = 200
	    and stack_id not in (select stack_id from stack_stats)")" 0 \
	    "$db: survivors of stacks without stats"
	expect_eq "$(q "select count(*) from sites t left join
	    (select site_id, sum(bytes) as bytes, sum(blocks) as blocks
	    from stack_survival join stacks on id = stack_id
	    where free_bucket = 200 group by site_id) v on v.site_id = t.id
	    where coalesce(v.bytes, 0) != t.live_bytes
	    or coalesce(v.blocks, 0) != t.live_blocks")" 0 \
	    "$db: sites whose live bytes or blocks at the end differ"
	expect_ge "$(q "select sum(bytes) from stack_survival where free_bucket = 200")" 1 \
	    "$db: bytes live at the end"
}

# check_histograms DB heap|mapped : the invariants of site_histograms.
# Every allocation has a size; what went has a lifetime and what is left
# an age, so lifetime + age bytes = allocated bytes.  In blocks, lifetime
# counts the frees and age the live blocks; with a mapping split into
# pieces those add up to more than its one allocation, so lifetime + age
# blocks = allocations only where there are no mappings.
check_histograms() {
	db=$1
	q() { sqlite3 "$db" "$1"; }
	expect_eq "$(q "select count(*) from site_histograms where
	    kind not in ('size', 'lifetime', 'age') or bin < 0 or
	    bin >= (case kind when 'size' then 64 else 21 end) or
	    (blocks = 0 and bytes = 0) or blocks < 0 or bytes < 0 or
	    site_id not in (select id from sites)")" 0 "$db: odd histogram rows"
	h="with h as (select site_id,
	    total(case kind when 'size' then blocks end) as sb,
	    total(case kind when 'size' then bytes end) as sy,
	    total(case kind when 'lifetime' then blocks end) as lb,
	    total(case kind when 'lifetime' then bytes end) as ly,
	    total(case kind when 'age' then blocks end) as ab,
	    total(case kind when 'age' then bytes end) as ay
	    from site_histograms group by site_id)"
	c="from sites t left join h on h.site_id = t.id"
	expect_eq "$(q "$h select count(*) $c where coalesce(sb, 0) != allocations
	    or coalesce(sy, 0) != alloc_bytes")" 0 "$db: sizes != allocations, bytes"
	expect_eq "$(q "$h select count(*) $c where coalesce(lb, 0) != frees")" 0 \
	    "$db: lifetimes != frees"
	expect_eq "$(q "$h select count(*) $c where coalesce(ab, 0) != live_blocks
	    or coalesce(ay, 0) != live_bytes")" 0 "$db: ages != live blocks, bytes"
	expect_eq "$(q "$h select count(*) $c where
	    coalesce(ly, 0) + coalesce(ay, 0) != alloc_bytes")" 0 \
	    "$db: lifetime + age bytes != allocated bytes"
	if [ "$2" = heap ]; then
		expect_eq "$(q "$h select count(*) $c where
		    coalesce(lb, 0) + coalesce(ab, 0) != allocations")" 0 \
		    "$db: lifetime + age blocks != allocations"
	fi
	expect_ge "$(q "$h select cast(sum(sb) as int) $c")" 1 "$db: allocations in sizes"
	expect_ge "$(q "$h select cast(sum(ab) as int) $c")" 1 "$db: blocks in ages"
}

# from_dump TRACE DB : stack_survival and site_histograms worked out by
# awk from the ordered events (heap blocks only, paired by address, an
# allocation over a live block takes it away) into TRACE.survival and
# TRACE.histograms, then compared with the database's.
from_dump() {
	"$HT" dump --ordered "$1" > "$1.ordered" || fail "dump --ordered $1"
	! grep -q ' thread=[0-9]* mmap' "$1.ordered" || fail "$1 has mappings"
	sqlite3 -separator ' ' "$2" "select id, site_id from stacks" > "$1.sites"
	bucket_s=$(sqlite3 "$2" "select value from meta where key = 'bucket_s'")
	awk -v bucket_s="$bucket_s" -v out="$1" '
		function ns(t,  p) { split(t, p, "."); return p[1] * 1e9 + p[2] }
		function bucket(t,  b) { b = int(t / bucket_ns); return b < 200 ? b : 199 }
		function digits(n) { return n == 0 ? 0 : length(sprintf("%.0f", n)) }
		function log2(s,  k) { for (k = 0; s >= 2; k++) s = int(s / 2); return k }
		function hist(stack, kind, bin, blocks, bytes,  k) {
			k = site[stack] " " kind " " bin
			hblocks[k] += blocks; hbytes[k] += bytes
		}
		function gone(key, t,  a, k) {
			a = bucket(at[key])
			if (a < cur) {
				k = stk[key] " " a " " cur
				sblocks[k]++; sbytes[k] += sz[key]
			}
			hist(stk[key], "lifetime", digits(t - at[key]), 1, sz[key])
			delete stk[key]
		}
		BEGIN { bucket_ns = ns(bucket_s) }
		FILENAME ~ /\.sites$/ { site[$1] = $2; next }
		$1 == "end" { sub(/^t=/, "", $2); if (ns($2) > end) end = ns($2); next }
		$1 !~ /^[0-9]/ { next }
		{
			t = ns($1); end = t > end ? t : end
			if (bucket(t) > cur) cur = bucket(t)
		}
		$3 ~ /^(malloc|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|heaptrail_alloc)$/ {
			key = ($3 == "heaptrail_alloc") $4
			if (key in stk) gone(key, t)
			s = $5; sub(/^size=/, "", s); s += 0
			st = $6; sub(/^stack=/, "", st)
			stk[key] = st; sz[key] = s; at[key] = t
			hist(st, "size", log2(s), 1, s)
			next
		}
		$3 ~ /free$/ {
			key = ($3 == "heaptrail_free") $4
			if (key in stk) gone(key, t)
		}
		END {
			for (key in stk) {
				k = stk[key] " " bucket(at[key]) " 200"
				sblocks[k]++; sbytes[k] += sz[key]
				hist(stk[key], "age", digits(end - at[key]), 1, sz[key])
			}
			for (k in sblocks)
				print k, sblocks[k], sbytes[k] > (out ".survival")
			for (k in hblocks)
				print k, hblocks[k], hbytes[k] > (out ".histograms")
		}' "$1.sites" "$1.ordered" || fail "awk on $1"
	LC_ALL=C sort "$1.survival" > "$1.survival.want"
	sqlite3 -separator ' ' "$2" "select * from stack_survival" |
	    LC_ALL=C sort > "$1.survival.got"
	diff "$1.survival.want" "$1.survival.got" > "$1.diff" ||
		fail "$1: stack_survival differs from the dump: $(head "$1.diff")"
	LC_ALL=C sort "$1.histograms" > "$1.histograms.want"
	sqlite3 -separator ' ' "$2" "select * from site_histograms" |
	    LC_ALL=C sort > "$1.histograms.got"
	diff "$1.histograms.want" "$1.histograms.got" > "$1.diff" ||
		fail "$1: site_histograms differs from the dump: $(head "$1.diff")"
}

# Heap-only samples: an LRU cache (C++), a pool of annotated objects, a
# leak, four threads freeing each other's blocks.
record cache.trace "$BUILD/samples/cache" 20000 500 > /dev/null || fail "record cache"
record pool.trace "$BUILD/samples/pool" > /dev/null || fail "record pool"
record leak.trace "$BUILD/samples/leak" 1500 > /dev/null || fail "record leak"
record threads.trace "$BUILD/samples/threads" > /dev/null || fail "record threads"
# Allocations over a live block, a millisecond apart.
record replace.trace "$BUILD/tests/odd-stacks" replace || fail "record replace"
for p in cache pool leak threads replace; do
	"$HT" analyze -o $p.db $p.trace 2> err || fail "analyze $p: $(cat err)"
	check_survival $p.db
	check_histograms $p.db heap
	from_dump $p.trace $p.db
done
# (The leak frees its other sessions at once.)
for p in cache pool threads replace; do
	expect_ge "$(sqlite3 $p.db "select count(*) from stack_survival
	    where free_bucket < 200")" 1 "$p: rows of blocks freed in a later bucket"
done
expect_ge "$(sqlite3 replace.db "select value from meta where key = 'replaced_live'")" 9 \
    "replace: blocks replaced"

# The leak: 1500 sessions of 256 bytes, half of them lost (an age at the
# end), half freed (a lifetime).
leak_bins() {
	sqlite3 leak.db "select group_concat(h.kind || ':' || h.bin || '=' || h.blocks, ' ')
	    from site_histograms h join sites s on s.id = h.site_id
	    where s.function = 'session_new' and h.kind = '$1'"
}
expect_eq "$(leak_bins size)" "size:8=1500" "leak: sessions by size"
expect_eq "$(sqlite3 leak.db "select sum(h.blocks) from site_histograms h
    join sites s on s.id = h.site_id where s.function = 'session_new'
    and h.kind = 'age'")" 750 "leak: sessions live at the end"
expect_eq "$(sqlite3 leak.db "select sum(h.blocks) from site_histograms h
    join sites s on s.id = h.site_id where s.function = 'session_new'
    and h.kind = 'lifetime'")" 750 "leak: sessions freed"

# Anonymous mappings, cut into pieces by partial unmaps: blocks in survival
# rows are the change in live blocks, so the series still agree.
[ "$(getconf PAGESIZE)" = 4096 ] || skip "the mapping sizes assume 4 KiB pages"
record m.trace "$BUILD/tests/mappings" > /dev/null || fail "record mappings"
"$HT" analyze -o m.db m.trace 2> err || fail "analyze mappings: $(cat err)"
check_survival m.db
check_histograms m.db mapped
KIB=1024
expect_eq "$(sqlite3 m.db "select sum(v.blocks) || ' ' || sum(v.bytes) from stack_survival v
    join stacks s on s.id = v.stack_id join sites t on t.id = s.site_id
    where t.function = 'make_arena' and v.free_bucket = 200")" "5 $((896 * KIB))" \
    "make_arena: pieces live at the end"
expect_eq "$(sqlite3 m.db "select h.blocks || ' ' || h.bytes from site_histograms h
    join sites t on t.id = h.site_id where t.function = 'make_arena'
    and h.kind = 'size'")" "8 $((2048 * KIB))" "make_arena: eight arenas of 256 KiB"
expect_eq "$(sqlite3 m.db "select sum(h.blocks) || ' ' || sum(h.bytes) from site_histograms h
    join sites t on t.id = h.site_id where t.function = 'make_arena'
    and h.kind = 'lifetime'")" "4 $((1152 * KIB))" \
    "make_arena: lifetimes of 4 arenas gone and 2 cuts"
