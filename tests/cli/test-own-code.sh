# A site is the program's own code: a C++ program (-O2, its std
# containers inlined) and a Rust one (-O and opt-level 0) whose memory is
# all held through the standard libraries get, as each site, the
# program's function and line that called into them (the "site:" lines
# of their sources), through JSON and in the DB, while the JSON stack
# keeps the library frames.  A stack with no frame of the program's own
# (libstdc++'s start-up pool) keeps the innermost frame outside the
# allocator.  --focus and --by function with --at agree with stack_series.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
command -v python3 > /dev/null || skip "python3 is not installed"

# check_sites DB SOURCE TAG=FUNCTION... : for each TAG, a site (or more:
# one per call into the library) of FUNCTION at the line of SOURCE
# marked "site: TAG", in its file.
check_sites() {
	_db=$1 _src=$2
	shift 2
	for _pair in "$@"; do
		_tag=${_pair%%=*} _fn=${_pair#*=}
		_line=$(grep -n "// site: $_tag\$" "$_src" | cut -d: -f1)
		[ -n "$_line" ] || fail "no 'site: $_tag' line in $_src"
		expect_ge "$(sqlite3 "$_db" "select count(*) from sites where
			function = '$_fn' and line = $_line and file = '$_src'
			and allocations > 0")" 1 "$_db: sites of $_tag ($_fn at line $_line)"
	done
}

# check_json DB SOURCE PREFIX : every site whose stack has a frame of
# SOURCE is named by such a frame, and that frame is not the innermost:
# the stack, in JSON, starts with library frames (LIBRARY, a substring
# of their files).  Prints how many sites it checked.
check_json() {
	"$HT" sites --format json "$1" > "$1.json" || fail "sites --format json $1"
	python3 - "$1.json" "$2" "$3" << 'PY' || fail "JSON of $1: $(cat "$1.json.err")"
import json, sys
rows, src, lib = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
n = 0
with open(sys.argv[1] + ".err", "w") as err:
    for r in rows:
        own = [f for f in r["stack"] if f["file"] == src]
        if not own:
            continue
        n += 1
        if r["file"] != src or r["function"] != own[0]["function"] or r["line"] != own[0]["line"]:
            err.write("site %s is not its innermost own frame %s\n" % (r["function"], own[0]))
            sys.exit(1)
        if r["allocations"] >= 10 and not any(lib in (f["file"] or "") for f in r["stack"]):
            err.write("stack of %s has no library frame\n" % r["function"])
            sys.exit(1)
print(n)
PY
}

# --- C++ --------------------------------------------------------------------
src="$SRC/tests/programs/own-code-cxx.cc"
# 20000 rounds (some 25 ms; see the Rust run below for why not fewer).
record cxx.trace "$BUILD/tests/own-code-cxx" 20000 || fail "record own-code-cxx"
"$HT" analyze cxx.trace 2> err || fail "analyze: $(cat err)"
check_sites cxx.db "$src" "map=register_session(long)" "vector=remember(long)" \
	"string=log_session(long)" "unordered_map=name_session(long)" \
	"make_shared=share_session(long)" "make_unique=own_session(long)" \
	"deque=enqueue(long)"
expect_eq "$(sqlite3 cxx.db "select count(*) from sites where file like '%/include/c++/%'
	or function like 'std::%'")" 0 "C++: sites in the standard library's headers"
n=$(check_json cxx.db "$src" /include/c++/) || exit 1
expect_ge "$n" 7 "C++: sites checked in JSON"
# The std::map's node, in JSON: the site is register_session, its stack
# has _Rb_tree's frames from stl_tree.h inside it.
python3 - cxx.db.json << 'PY' || fail "C++ JSON: register_session's stack"
import json, sys
r = [r for r in json.load(open(sys.argv[1])) if r["function"] == "register_session(long)"][0]
fs = [f["function"] or "" for f in r["stack"]]
assert any(f.startswith("std::_Rb_tree<") and "_M_get_node" in f for f in fs), fs
assert any(f["file"].endswith("/bits/stl_tree.h") for f in r["stack"] if f["file"]), r["stack"]
PY
# No own frame: libstdc++'s emergency pool, allocated by its constructor
# run by the loader, keeps the loader's frame (and rule 0's suppression).
expect_eq "$(sqlite3 cxx.db "select function || ' ' || module from sites where
	live_bytes >= 65536 and file not like '%own-code-cxx.cc'")" \
	"call_init ld-linux-x86-64.so.2" "C++: site of a stack without own code"
"$HT" leaks --format csv cxx.db | grep -q '^[0-9]*,[a-z]*,[0-9]*,[0-9]*,[0-9]*,1,72704,.*start-up of libc or libstdc++' ||
	fail "C++: the start-up pool is not suppressed: $("$HT" leaks --format csv cxx.db)"

# at_half DB ARGS... : `sites ARGS --at 50%` in JSON, summed by function,
# equals the stacks' live bytes and blocks at the end of the bucket that
# ends at 50% (the last stack_series row up to it), summed by their
# site's function; the bucket is the one at which plain `sites --at 50%`
# equals site_series.  --by function and --focus on the sites' own
# functions group the same stacks under the same names.
at_half() {
	_db=$1
	shift
	"$HT" sites --at 50% --format json "$_db" > "$_db.sites-half.json" ||
		fail "sites --at 50% $_db"
	"$HT" sites "$@" --at 50% --format json "$_db" > "$_db.half.json" ||
		fail "sites $* --at 50% $_db: $(cat "$_db.half.json")"
	python3 - "$_db" "$_db.sites-half.json" "$_db.half.json" << 'PY' ||
import json, sqlite3, sys
from collections import defaultdict
db = sqlite3.connect(sys.argv[1])
buckets = int(float(db.execute("select value from meta where key = 'buckets'").fetchone()[0]))
b = buckets // 2 - 1
last = "(select x.%s from stack_series x where x.stack_id = st.id and x.bucket <= ? order by x.bucket desc limit 1)"
# the bucket: plain sites at 50% are site_series's there
for r in json.load(open(sys.argv[2])):
    want = db.execute("select coalesce((select live_bytes from site_series where site_id = ? and bucket <= ? order by bucket desc limit 1), 0)", (r["id"], b)).fetchone()[0]
    if r["live_bytes"] != want:
        sys.exit("site %s at 50%%: %s bytes, site_series at bucket %d: %s" % (r["function"], r["live_bytes"], b, want))
want = defaultdict(lambda: [0, 0])
for fn, by, bl in db.execute("select s.function, coalesce(" + last % "live_bytes" + ", 0), coalesce(" + last % "live_blocks" + ", 0) from stacks st join sites s on s.id = st.site_id", (b, b)):
    want[fn][0] += by
    want[fn][1] += bl
got = defaultdict(lambda: [0, 0])
for r in json.load(open(sys.argv[3])):
    got[r["function"]][0] += r["live_bytes"]
    got[r["function"]][1] += r["live_blocks"]
want = {k: v for k, v in want.items() if v != [0, 0]}
got = {k: v for k, v in got.items() if v != [0, 0]}
if got != want or not any(v[0] > 0 for v in got.values()):
    sys.exit("at bucket %d: got %s, stack_series says %s" % (b, got, want))
PY
	fail "$_db: sites $* --at 50%"
}
at_half cxx.db --by function
at_half cxx.db --focus register_session --focus _session --focus remember --focus enqueue
"$HT" leaks --by function --at 50% cxx.db > /dev/null || fail "leaks --by function --at 50%"
"$HT" growth --by file --from 10% --to 90% --format json cxx.db > growth.json ||
	fail "growth --by file --from --to: $(cat growth.json)"
grep -q '"growth_bytes_per_s": [0-9]' growth.json || fail "growth --by file over a window: no rate: $(cat growth.json)"
expect_eq "$("$HT" leaks --focus register_session --at 0 --format csv cxx.db | wc -l)" 1 \
	"leaks --focus at the start (nothing live): header only"

# --- Rust -------------------------------------------------------------------
rustc=$(command -v rustc || ls "$HOME/.cargo/bin/rustc" 2> /dev/null) || skip "rustc is not installed"
[ -x "$rustc" ] || skip "rustc is not installed"
src="$SRC/tests/programs/own-code.rs"
for opt in "-O" "-C opt-level=0"; do
	# shellcheck disable=SC2086
	"$rustc" $opt -g -o own-code "$src" 2> err || fail "rustc $opt: $(cat err)"
	rm -f rs.trace rs.db
	# 20000 rounds (some 20 ms): with fewer, the start-up (a few ms
	# before the first allocation, more on a busy machine) can pass 50%
	# of the run, and at_half finds nothing live.
	record rs.trace ./own-code 20000 > /dev/null || fail "record (rustc $opt)"
	"$HT" analyze rs.trace 2> err || fail "analyze (rustc $opt): $(cat err)"
	check_sites rs.db "$src" "HashMap=own_code::ingest" "Vec=own_code::remember" \
		"String=own_code::log_line" "Box=own_code::keep" "BTreeMap=own_code::index" \
		"vec!=own_code::buffer" "Clone=<own_code::Blob as core::clone::Clone>::clone"
	n=$(check_json rs.db "$src" /library/) || exit 1
	expect_ge "$n" 8 "Rust ($opt): sites checked in JSON"
	# hashbrown, vendored by std, is std's too: no site of a stack
	# through the program's code is in alloc, core or hashbrown
	expect_eq "$(sqlite3 rs.db "select count(*) from sites s where (s.file like
		'/rust/deps/%' or s.file like '%/library/alloc/%' or s.file like
		'%/library/core/%') and exists (select 1 from stacks st join
		stack_frames sf on sf.stack_id = st.id join frames f on f.address =
		sf.address where st.site_id = s.id and f.file = '$src')")" 0 \
		"Rust ($opt): sites in alloc, core or hashbrown"
	sqlite3 rs.db "select count(*) from frames where file like '/rust/deps/hashbrown-%'" |
		grep -qv '^0$' || fail "Rust ($opt): no hashbrown frame in the stacks"
	# No own frame: std's start-up (the main thread's stack guard) keeps
	# std's function, not the C main rustc generates, and is suppressed.
	expect_eq "$(sqlite3 rs.db "select count(*) from sites where function = 'main'")" 0 \
		"Rust ($opt): rustc's C main as a site"
	"$HT" leaks --format json rs.db > leaks.json || fail "leaks (rustc $opt)"
	python3 - leaks.json << 'PY' || fail "Rust ($opt): std's own allocations: $(cat leaks.json)"
import json, sys
rows = json.load(open(sys.argv[1]))
std = [r for r in rows if r["function"].startswith("std::sys::") and "stack_overflow" in r["function"]]
assert std and all(r["suppressed"] for r in std), std
own = [r for r in rows if r["function"].startswith("own_code::")]
assert own and not any(r["suppressed"] for r in own), own
PY
	at_half rs.db --by function
done
