# Classification by shape: C programs shaped like real ones, each run in
# two to four variants (sizes, rates, run length, threads), and the class
# each site must get.  A bounded site is never `leak`.
. "$SRC/tests/lib.sh"
. "$SRC/tests/classes.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
P=$BUILD/tests

# 1. A leak that starts midway, after a warm-up of churn and a bounded
# cache: leak, growing since about the end of the warm-up.
# midleak VARIANT MS WARMUP_PCT RATE SIZE THREADS
midleak() {
	run_variant "$1" "$P/shape-midleak" "$2" "$3" "$4" "$5" "$6" || return
	want "$1.db" "$1" new_record leak 'since'
	_at=$(since_pct "$1.db" new_record)
	if [ -n "$_at" ]; then
		[ "$_at" -ge $(($3 - 12)) ] && [ "$_at" -le $(($3 + 12)) ] ||
			problem "$1: new_record grows since ${_at}% of the run, expected about $3%"
	fi
	want "$1.db" "$1" cache_put steady
	want_freed "$1.db" "$1" build_reply
	no_leak_but "$1.db" "$1" new_record
	json_agrees "$1.db" "$1"
}

# 2. One block grown through realloc (exact appends, reallocarray by
# chunks, capacity doubling): one object, a leak.
# grower VARIANT FUNCTION MODE MS RATE
grower() {
	run_variant "$1" "$P/shape-realloc" "$3" "$4" "$5" || return
	want "$1.db" "$1" "$2" leak
	_n=$(sqlite3 "$1.db" "select sum(live_blocks) from sites where $(fn_where "$2")")
	[ "$_n" = 1 ] || problem "$1: $2 holds $_n live blocks, expected 1 (one realloc chain)"
	[ "$3" = log ] && want_freed "$1.db" "$1" format_line
	no_leak_but "$1.db" "$1" "$2"
	json_agrees "$1.db" "$1"
}

# 3. A sawtooth: filled to a bound, all released, over and over; the run
# ends mid-cycle with part of a batch held: steady.
# sawtooth VARIANT MS PERIOD_MS BOUND_KB BLOCK
sawtooth() {
	run_variant "$1" "$P/shape-sawtooth" "$2" "$3" "$4" "$5" || return
	want "$1.db" "$1" batch_add steady
	no_leak_but "$1.db" "$1"
	json_agrees "$1.db" "$1"
}

# 4. A bounded queue under bursty load, its depth wandering between half
# and full: steady (the messages and the ring).
# queue VARIANT MS CAPACITY THREADS MSG_SIZE
queue() {
	run_variant "$1" "$P/shape-queue" "$2" "$3" "$4" "$5" || return
	want "$1.db" "$1" make_message steady
	want "$1.db" "$1" queue_init steady
	no_leak_but "$1.db" "$1"
	json_agrees "$1.db" "$1"
}

# 5. An LRU cache whose eviction forgets one entry in N: leak; the same
# cache without the bug: steady.
# cache VARIANT CLASS MS CAPACITY LEAK_EVERY ENTRY_SIZE
cache() {
	run_variant "$1" "$P/shape-leaky-cache" "$3" "$4" "$5" "$6" || return
	want "$1.db" "$1" cache_insert "$2"
	want "$1.db" "$1" cache_init steady
	want_freed "$1.db" "$1" format_key
	if [ "$2" = leak ]; then
		no_leak_but "$1.db" "$1" cache_insert
		fail_on_leak "$1.db" "$1" 3
	else
		no_leak_but "$1.db" "$1"
		fail_on_leak "$1.db" "$1" 0
	fi
	json_agrees "$1.db" "$1"
}

# The variants, numbered as above: all recorded first, several at once
# (record_ahead, classes.sh), then each judged.
variants() {
	# 1.
	midleak midleak-50 1500 50 2000 128 1
	midleak midleak-30 2000 30 1200 512 3
	midleak midleak-70 2000 70 4000 64 2
	# 2.
	grower realloc-log log_append log 1500 3000
	grower realloc-array records_add array 1200 5000
	grower realloc-double vec_push double 1500 20000
	# Slow: the last doubling comes at two thirds of the run.
	grower realloc-double-slow vec_push double 1500 2000
	# 3.
	sawtooth saw-250ms 1650 250 512 256
	sawtooth saw-600ms-4m 2100 600 4096 4096
	sawtooth saw-120ms-small 1100 120 128 64
	# 4.
	queue queue-1000x1 1500 1000 1 128
	queue queue-200x2 2000 200 2 2048
	queue queue-3000x2 1800 3000 2 64
	# 5.
	cache cache-leak-1in10 leak 1500 500 10 200
	cache cache-leak-1in50 leak 2000 2000 50 1000
	cache cache-fixed-500 steady 1500 500 0 200
	cache cache-fixed-2000 steady 2000 2000 0 1000
}
record_ahead variants
verdict
