# Debug info not on disk comes from the debuginfod servers in
# DEBUGINFOD_URLS, by build-id, for the executable and its libraries
# alike: a program and a library of its own are built with -g, their
# debug info split off into a folder that a local debuginfod serves, and
# the binaries stripped of it (and of .gnu_debuglink, so that nothing is
# found on disk).  analyze then names the sites' files and lines and says
# what it fetched; without DEBUGINFOD_URLS it asks nothing (the server
# sees no request) and the sites have no file or line; a server that
# cannot be reached does not fail analyze, nor does one that lacks a
# module's file (a second library of the program, not served).
. "$SRC/tests/lib.sh"
command -v debuginfod > /dev/null 2>&1 || skip "no debuginfod (Debian package debuginfod)"

cat > dilib.c <<'C'
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) void *lib_make(int i)
{
	void *p = malloc(96);	/* lib allocation */
	memset(p, i, 96);
	return p;
}
C
cat > dinone.c <<'C'
#include <stdlib.h>
__attribute__((noinline)) void *none_make(void)
{
	return malloc(32);
}
C
cat > diprog.c <<'C'
#include <stdlib.h>
#include <string.h>
void *lib_make(int i);
void *none_make(void);
void *kept[400];
__attribute__((noinline)) static void *prog_make(int i)
{
	void *p = malloc(64);	/* prog allocation */
	memset(p, i, 64);
	return p;
}
int main(void)
{
	for (int i = 0; i < 200; i++) {
		kept[2 * i] = prog_make(i);
		kept[2 * i + 1] = lib_make(i);
	}
	free(none_make());
	return 0;
}
C
lib_line=$(grep -n 'lib allocation' dilib.c | cut -d: -f1)
prog_line=$(grep -n 'prog allocation' diprog.c | cut -d: -f1)
cc -O1 -g -Wl,--build-id -fPIC -shared -o libdilib.so dilib.c || fail "cc dilib.c"
cc -O1 -g -Wl,--build-id -fPIC -shared -o libdinone.so dinone.c || fail "cc dinone.c"
cc -O1 -g -Wl,--build-id -o diprog diprog.c -L. -ldilib -ldinone \
	-Wl,-rpath,"$PWD" || fail "cc diprog.c"
mkdir debug unserved
for f in diprog libdilib.so libdinone.so; do
	objcopy --only-keep-debug "$f" "debug/$f.debug" || fail "objcopy --only-keep-debug $f"
	objcopy --strip-debug --remove-section=.gnu_debuglink "$f" ||
		fail "objcopy --strip-debug $f"
	readelf -S "$f" | grep -q '\.debug_info' && fail "$f still has .debug_info"
	readelf -n "$f" | grep -q 'Build ID' || fail "$f has no build-id"
done
id_of() {
	readelf -n "$1" 2> /dev/null | awk '/Build ID/ { print $3; exit }'
}
mv debug/libdinone.so.debug unserved/
prog_id=$(id_of diprog)
lib_id=$(id_of libdilib.so)
none_id=$(id_of libdinone.so)
[ "$(id_of debug/diprog.debug)" = "$prog_id" ] || fail "the debug file's build-id differs"

# A server of the test's own on a free port of 127.0.0.1, over debug/.
cat > urlget.py <<'PY'
import sys, urllib.request
if sys.argv[1] == "port":
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    sys.exit(0)
try:
    with urllib.request.urlopen(sys.argv[2], timeout=5) as r:
        sys.stdout.write(r.read().decode("latin-1") if sys.argv[1] == "get" else "")
except Exception as e:
    sys.stderr.write("%s: %s\n" % (sys.argv[2], e))
    sys.exit(1)
PY
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2> /dev/null; wait' EXIT
tries=0
while :; do
	port=$(python3 urlget.py port) || fail "no free port"
	debuginfod -F -p "$port" -d "$PWD/index.sqlite" "$PWD/debug" > server.log 2>&1 &
	srv=$!
	# The first scan takes a moment: wait (at most 20 s) until both files
	# are served.
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$srv" 2> /dev/null || break
		python3 urlget.py head "http://127.0.0.1:$port/buildid/$prog_id/debuginfo" 2> /dev/null &&
			python3 urlget.py head "http://127.0.0.1:$port/buildid/$lib_id/debuginfo" 2> /dev/null &&
			break
		sleep 0.2
		i=$((i + 1))
	done
	kill -0 "$srv" 2> /dev/null && [ $i -lt 100 ] && break
	kill "$srv" 2> /dev/null
	wait "$srv" 2> /dev/null
	srv=""
	tries=$((tries + 1))
	[ $tries -lt 3 ] || fail "debuginfod did not serve the files: $(tail -n 20 server.log)"
done
url="http://127.0.0.1:$port"
# Requests for debug files the server has answered so far.
asked() {
	python3 urlget.py get "$url/metrics" |
		awk '/^http_requests_total\{type="debuginfo"\}/ { n = $2 } END { print n + 0 }'
}

record d.trace ./diprog || fail "record"

# What the sites of DB say: "FUNCTION FILE LINE" a line each.
sites() {
	"$HT" sites --format json "$1" > "$1.json" || fail "sites $1"
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1])):
    print(s["function"], s["file"], s["line"])' "$1.json"
}

# Without DEBUGINFOD_URLS (unset, then empty): nothing asked, no lines.
before=$(asked)
for urls in unset empty; do
	if [ $urls = unset ]; then
		(unset DEBUGINFOD_URLS; DEBUGINFOD_CACHE_PATH="$PWD/cache0" \
			timeout 60 "$HT" analyze -o none.db d.trace) 2> none.err
	else
		DEBUGINFOD_URLS="" DEBUGINFOD_CACHE_PATH="$PWD/cache0" \
			timeout 60 "$HT" analyze -o none.db d.trace 2> none.err
	fi || fail "analyze without DEBUGINFOD_URLS ($urls): $(cat none.err)"
	grep -q debuginfod none.err && fail "DEBUGINFOD_URLS $urls, yet: $(cat none.err)"
	sites none.db > none.sites
	grep -q 'diprog\.c\|dilib\.c' none.sites &&
		fail "DEBUGINFOD_URLS $urls, yet lines: $(cat none.sites)"
	grep -q '^prog_make None 0$' none.sites ||
		fail "DEBUGINFOD_URLS $urls: no prog_make site from the symbol table: $(cat none.sites)"
done
expect_eq "$(asked)" "$before" "requests to the server without DEBUGINFOD_URLS"
# ... and libdebuginfod (with libcurl) is not even loaded (the loader's
# LD_DEBUG log says which files it opens; checked below that it shows
# libdebuginfod when there are servers to ask).
(unset DEBUGINFOD_URLS; LD_DEBUG=files timeout 60 "$HT" analyze -o ld.db d.trace) 2> ld.err ||
	fail "analyze under LD_DEBUG: $(tail -n 5 ld.err)"
grep -q 'file=libdebuginfod' ld.err && fail "libdebuginfod loaded without DEBUGINFOD_URLS"
[ -e cache0 ] && fail "without DEBUGINFOD_URLS a cache was made: $(ls -R cache0)"

# With the server: both modules' lines, and a line each on stderr.
DEBUGINFOD_URLS="$url" DEBUGINFOD_CACHE_PATH="$PWD/cache" DEBUGINFOD_TIMEOUT=10 \
	timeout 120 "$HT" analyze -o with.db d.trace 2> with.err ||
	fail "analyze with DEBUGINFOD_URLS: $(cat with.err)"
after=$(asked)
sites with.db > with.sites
grep -qx "prog_make $PWD/diprog.c $prog_line" with.sites ||
	fail "no prog_make at diprog.c:$prog_line: $(cat with.sites)"
grep -qx "lib_make $PWD/dilib.c $lib_line" with.sites ||
	fail "no lib_make at dilib.c:$lib_line: $(cat with.sites)"
expect_eq "$(grep -c "^heaptrail: debug info for $PWD/diprog from debuginfod (build-id $prog_id)\$" with.err)" 1 \
	"the note on the program in: $(cat with.err)"
expect_eq "$(grep -c "^heaptrail: debug info for $PWD/libdilib.so from debuginfod (build-id $lib_id)\$" with.err)" 1 \
	"the note on the library in: $(cat with.err)"
[ -s "cache/$prog_id/debuginfo" ] || fail "not in DEBUGINFOD_CACHE_PATH: $(ls -R cache)"
# Each module without debug info on disk asked once (the ones of the
# system too, unless their -dbg packages are installed); the one the
# server lacks keeps its symbol table, and check says why.
expect_ge "$((after - before))" 3 "requests for debug files"
for id in "$prog_id" "$lib_id" "$none_id"; do
	expect_eq "$(grep -c "UA:elfutils.* GET /buildid/$id/debuginfo " server.log)" 1 \
		"requests for $id in the server's log"
done
grep -q "UA:elfutils.* GET /buildid/$none_id/debuginfo 404" server.log ||
	fail "libdinone.so not asked: $(grep GET server.log)"
grep -q '^none_make None 0$' with.sites ||
	fail "none_make not from its symbol table: $(cat with.sites)"
grep -q 'libdinone\|libc\.so' with.err && fail "a module the server lacks was said fetched: $(cat with.err)"
"$HT" check with.db > check.out 2>&1
grep -q 'diprog\|libdilib' check.out && fail "check still finds ours without DWARF: $(cat check.out)"
grep -q 'libdinone.so.*no DWARF; debuginfod: not found on the servers' check.out ||
	fail "check does not say why libdinone.so has no lines: $(cat check.out)"

# From the cache the second time: no new request.
DEBUGINFOD_URLS="$url" DEBUGINFOD_CACHE_PATH="$PWD/cache" DEBUGINFOD_TIMEOUT=10 \
	timeout 120 "$HT" analyze -o again.db d.trace 2> again.err ||
	fail "analyze again: $(cat again.err)"
grep -q "debug info for $PWD/diprog from debuginfod" again.err ||
	fail "the cached file is not said: $(cat again.err)"
sites again.db | grep -qx "prog_make $PWD/diprog.c $prog_line" || fail "lines from the cache"

# A server that cannot be reached: analyze works, from the symbol tables,
# and says why once.
kill "$srv"
wait "$srv" 2> /dev/null
srv=""
DEBUGINFOD_URLS="$url" DEBUGINFOD_CACHE_PATH="$PWD/cache2" DEBUGINFOD_TIMEOUT=10 \
	timeout 120 "$HT" analyze -o down.db d.trace 2> down.err ||
	fail "analyze with the server down: $(cat down.err)"
DEBUGINFOD_URLS="$url" DEBUGINFOD_CACHE_PATH="$PWD/cache2" DEBUGINFOD_TIMEOUT=10 \
	LD_DEBUG=files timeout 120 "$HT" analyze -o ld.db d.trace 2> ld.err ||
	fail "analyze under LD_DEBUG: $(tail -n 5 ld.err)"
grep -q 'file=libdebuginfod' ld.err || fail "LD_DEBUG does not show libdebuginfod loaded"
sites down.db | grep -q '^prog_make None 0$' ||
	fail "server down: no prog_make from the symbol table: $(cat down.db.json)"
expect_eq "$(grep -c '^heaptrail: debuginfod: .*not asked again' down.err)" 1 "server down, said: $(cat down.err)"
grep -q 'debug info for' down.err && fail "server down, yet: $(cat down.err)"
exit 0
