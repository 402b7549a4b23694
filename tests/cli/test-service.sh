# Classification of C++ and Rust programs shaped like real ones: a
# container grown all run and released by the teardown at the end of main
# (or by static destructors) is a leak "released at exit"; a capped cache
# and a start-up arena are steady; per-request temporaries are not listed.
# Sites are the program's own functions, never the standard library's.
. "$SRC/tests/lib.sh"
. "$SRC/tests/classes.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
P=$BUILD/tests
rustc=$(command -v rustc || ls "$HOME/.cargo/bin/rustc" 2> /dev/null)

# 6. A vector grown by push all run, dropped at the end of main.
# vec VARIANT PROGRAM MODE MS RATE
vec() {
	run_variant "$1" "$2" "$3" "$4" "$5" || return
	if [ "$3" = plain ]; then
		want "$1.db" "$1" record_sample leak 'released at exit'
		no_leak_but "$1.db" "$1" record_sample
	else
		want "$1.db" "$1" record_name leak 'released at exit'
		no_leak_but "$1.db" "$1" record_name
	fi
	library_sites "$1.db" "$1"
	fail_on_leak "$1.db" "$1" 3
	json_agrees "$1.db" "$1"
}

# 7. A C++ service: the session registry (a static std::map, or one new'ed
# and never deleted), an LRU cache capped at CAPACITY, temporaries.
# service VARIANT MS RATE CAPACITY [leaked]
line=$(grep -n "the registry's node" "$SRC/tests/programs/service.cc" | cut -d: -f1)
service() {
	run_variant "$1" "$P/service" "$2" "$3" "$4" ${5:-} || return
	if [ "${5:-}" = leaked ]; then
		want "$1.db" "$1" register_session leak
		sqlite3 "$1.db" "select pattern from sites where $(fn_where register_session)" |
			grep -q 'released at exit' &&
			problem "$1: the new'ed registry is never released, yet its pattern says released at exit"
	else
		want "$1.db" "$1" register_session leak 'released at exit'
	fi
	_at=$(sqlite3 "$1.db" "select count(*) from sites where $(fn_where register_session)
	    and file like '%service.cc' and line = $line")
	[ "$_at" -ge 1 ] || problem "$1: no register_session site at service.cc:$line (the map's node); sites: $(top_sites "$1.db")"
	want "$1.db" "$1" LruCache::put steady
	want_freed "$1.db" "$1" handle_request
	no_leak_but "$1.db" "$1" register_session
	library_sites "$1.db" "$1"
	fail_on_leak "$1.db" "$1" 3
	json_agrees "$1.db" "$1"
}

# 8. A Rust service: a HashMap owned by main growing all run (dropped at
# its end), a OnceLock arena allocated once at start, temporaries.
# rservice VARIANT MS RATE THREADS
rservice() {
	run_variant "$1" ./service-rs "$2" "$3" "$4" || return
	want "$1.db" "$1" ingest leak 'released at exit'
	want "$1.db" "$1" arena steady
	want_freed "$1.db" "$1" handle
	no_leak_but "$1.db" "$1" ingest
	library_sites "$1.db" "$1"
	fail_on_leak "$1.db" "$1" 3
	json_agrees "$1.db" "$1"
}

rust=no
if [ -n "$rustc" ] && [ -x "$rustc" ]; then
	"$rustc" -O -g --crate-name shape_vec -o shape-vec-rs "$SRC/tests/programs/shape-vec.rs" 2> rustc.err ||
		fail "rustc shape-vec.rs: $(cat rustc.err)"
	"$rustc" -O -g --crate-name service -o service-rs "$SRC/tests/programs/service.rs" 2> rustc.err ||
		fail "rustc service.rs: $(cat rustc.err)"
	rust=yes
else
	echo "  rustc is not installed: the Rust programs are not run" >&2
fi

# The variants, numbered as above: all recorded first, several at once
# (record_ahead, classes.sh), then each judged.
variants() {
	# 6.
	vec vec-cc-plain "$P/shape-vec" plain 1500 20000
	vec vec-cc-strings "$P/shape-vec" strings 1200 8000
	# 7.
	service service-static 1500 4000 500
	service service-static-big 1800 6000 2000
	service service-leaked 1500 4000 300 leaked
	[ $rust = yes ] || return 0
	# 6. and 8. in Rust
	vec vec-rs-plain ./shape-vec-rs plain 1500 20000
	vec vec-rs-strings ./shape-vec-rs strings 1200 8000
	rservice service-rs-1 1500 5000 1
	rservice service-rs-3 1500 6000 3
}
record_ahead variants
verdict
