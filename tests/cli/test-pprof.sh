# pprof: the profile of a C++ service read back with Go's own pprof
# (`go tool pprof`), every sample type's figures per site against
# `heaptrail sites`, the top in-use sites against `heaptrail leaks`; the
# run's time, mappings with build-ids, inlined frames as lines of one
# location, --at, the class label, -o, and bad input.
. "$SRC/tests/lib.sh"
command -v go > /dev/null || skip "go (Debian's golang-go) is not installed"
command -v python3 > /dev/null || skip "python3 is not installed"
export PPROF_TMPDIR=$PWD HOME=$PWD

record svc.trace "$BUILD/tests/service" 1200 2000 200 > /dev/null ||
	fail "record service"
"$HT" analyze -o svc.db svc.trace 2> err.txt || fail "analyze: $(cat err.txt)"

# Without -o, next to the input; it says what it wrote.
"$HT" pprof svc.db 2> err.txt || fail "pprof: $(cat err.txt)"
[ -s svc.pb.gz ] || fail "no svc.pb.gz"
grep -q "wrote svc.pb.gz" err.txt || fail "pprof did not say what it wrote: $(cat err.txt)"
[ ! -e svc.pb.gz.tmp ] || fail "svc.pb.gz.tmp left behind"
gzip -t svc.pb.gz || fail "svc.pb.gz is not gzip"

# pprof_top INDEX PROFILE: "VALUE<TAB>FUNCTION FILE:LINE" per line of
# `go tool pprof -top -lines` with a flat value, exact units, and names
# as they are in the profile (by default pprof shortens C++ names with a
# "::" to their last parts, without argument lists).
pprof_top() {
	go tool pprof -symbolize=none -top -lines -nodecount=100000 -nodefraction=0 \
		-edgefraction=0 -unit=B -sample_index="$1" "$2" 2> pprof.err |
		python3 -c '
import re, sys
row = re.compile(r"^\s*(\d+)B?\s+[\d.e+-]+%\s+[\d.e+-]+%\s+\d+B?\s+[\d.e+-]+%\s+(.*)$")
for line in sys.stdin:
    m = row.match(line)
    if m and int(m.group(1)) > 0:
        print("%s\t%s" % (m.group(1), re.sub(r" \(inline\)$", "", m.group(2))))
' | sort
}

# sites_top COLUMN [OPTIONS]: the same from `heaptrail sites --format
# json`, sites of one function and line added up.
sites_top() {
	_col=$1
	shift
	"$HT" sites --format json --limit 0 "$@" svc.db | python3 -c '
import json, sys
col = sys.argv[1]
total = {}
for s in json.load(sys.stdin):
    name = s["function"] or "?"
    if s.get("file") and s.get("line"):
        name += " %s:%d" % (s["file"], s["line"])
    total[name] = total.get(name, 0) + s[col]
for name, v in total.items():
    if v > 0:
        print("%d\t%s" % (v, name))
' "$_col" | sort
}

for pair in inuse_space:live_bytes inuse_objects:live_blocks \
    alloc_space:alloc_bytes alloc_objects:allocations; do
	index=${pair%%:*}
	col=${pair#*:}
	pprof_top "$index" svc.pb.gz > pprof.$index || fail "go tool pprof $index: $(cat pprof.err)"
	sites_top "$col" > sites.$index || fail "sites $col"
	expect_ge "$(wc -l < pprof.$index)" 3 "$index: lines from go tool pprof ($(cat pprof.err))"
	diff sites.$index pprof.$index > diff.txt ||
		fail "$index: go tool pprof -top differs from heaptrail sites' $col:
$(cat diff.txt)"
done

# Flat figures are the program's own functions, never the allocator's or
# the standard library's.
bad=$(cut -f2 pprof.alloc_space | grep -E '^(operator new|std::|void std::|malloc|__gnu_cxx::)' || true)
[ -z "$bad" ] || fail "flat figures in allocator or library frames: $bad"

# The top in-use functions, as pprof shows them by default (the sites of
# one function together, C++ names without argument lists), are those of
# `heaptrail leaks`, heaviest first.
"$HT" leaks --format json svc.db | python3 -c '
import json, sys
total = {}
for s in json.load(sys.stdin):
    name = s["function"].split("(")[0]
    total[name] = total.get(name, 0) + s["live_bytes"]
for name in sorted(total, key=lambda n: -total[n])[:3]:
    print(name)
' > leaks.top
go tool pprof -top -nodecount=3 -sample_index=inuse_space svc.pb.gz 2> /dev/null |
	awk '/flat%/ { on = 1; next } on { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/\(.*/, ""); print }' > pprof.names
cmp -s leaks.top pprof.names || fail "top in-use functions: leaks has $(tr '\n' '|' < leaks.top), go tool pprof -top $(tr '\n' '|' < pprof.names)"
grep -q register_session leaks.top || fail "leaks: register_session is not a top site: $(cat leaks.top)"

# The raw profile: the run's time and duration, the default sample type,
# the main program's mapping with its build-id, the class labels.
go tool pprof -raw svc.pb.gz > raw.txt 2> pprof.err || fail "pprof -raw: $(cat pprof.err)"
# (-raw prints the duration cut to 4 characters: 1.206 s is 1.20.)
dur=$(sqlite3 svc.db "select value from meta where key = 'duration_s'")
shown=$(sed -n 's/^Duration: //p' raw.txt)
python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) >= 0.01)' "$shown" "$dur" ||
	fail "-raw: Duration '$shown', the run took $dur s: $(head -8 raw.txt)"
start=$(sqlite3 svc.db "select strftime('%Y-%m-%d %H:%M:%S', value, 'unixepoch') from meta where key = 'realtime_start'")
grep -q "^Time: $start" raw.txt || fail "-raw: no Time: $start: $(head -8 raw.txt)"
grep -q 'inuse_space/bytes\[dflt\]' raw.txt || fail "-raw: inuse_space is not the default"
id=$(sqlite3 svc.db "select build_id from modules where path like '%/tests/service'")
expect_ge "${#id}" 16 "service's build-id"
grep -q "/tests/service $id" raw.txt || fail "-raw: no mapping of the service with build-id $id"
grep -q 'class:\[leak\]' raw.txt || fail "-raw: no class:[leak] label"
go tool pprof -top -tagfocus=class=leak -sample_index=inuse_space -unit=B svc.pb.gz 2> /dev/null |
	grep -q 'register_session' || fail "-tagfocus=class=leak lost the registry"

# Inlined calls are lines of one location: the leak sample (built -O1,
# like every sample) has session_new inlined into handle_request into
# main.
record leak.trace "$BUILD/samples/leak" 200 || fail "record leak"
"$HT" pprof -o leak.pb.gz leak.trace 2> err.txt || fail "pprof of a trace: $(cat err.txt)"
[ -f leak.db ] || fail "pprof of a trace did not analyze it into leak.db"
inlined=$(sqlite3 leak.db "select count(*) from frames where function like 'session_new%' and inlined = 1")
go tool pprof -raw leak.pb.gz > raw.txt 2> pprof.err || fail "pprof -raw leak: $(cat pprof.err)"
expect_ge "$inlined" 1 "session_new frames inlined (the check needs an inline chain)"
python3 - raw.txt << 'EOF' || fail "session_new's location has not its callers as lines: $(sed -n '/^Locations/,/^Mappings/p' raw.txt)"
import sys
lines = open(sys.argv[1]).read().split("Locations")[1].split("Mappings")[0].splitlines()
for i, l in enumerate(lines):
    if "session_new" in l and ": 0x" in l:
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        sys.exit(0 if "handle_request" in nxt and ": 0x" not in nxt else 1)
sys.exit(1)
EOF

# --at: in-use figures as `sites --at` has them; nothing at time 0.
"$HT" pprof --at 50% -o half.pb.gz svc.db 2> err.txt || fail "--at 50%: $(cat err.txt)"
pprof_top inuse_space half.pb.gz > pprof.half
sites_top live_bytes --at 50% > sites.half
diff sites.half pprof.half > diff.txt || fail "--at 50%: pprof differs from sites --at 50%:
$(cat diff.txt)"
"$HT" pprof --at 0 -o zero.pb.gz svc.db 2> err.txt || fail "--at 0: $(cat err.txt)"
expect_eq "$(pprof_top inuse_space zero.pb.gz | wc -l)" 0 "--at 0: in-use lines"
expect_eq "$(pprof_top alloc_objects zero.pb.gz | wc -l)" 0 "--at 0: allocation lines"

# -o -: to a pipe, the same profile.
"$HT" pprof -o - svc.db > piped.pb.gz 2> err.txt || fail "-o -: $(cat err.txt)"
cmp -s piped.pb.gz svc.pb.gz || fail "-o - wrote another profile than -o FILE"

# Bad input: a file that is no DB, a folder that does not exist, options
# that are not for pprof; nothing is left behind.
echo "not a database" > junk.db
"$HT" pprof junk.db 2> err.txt
expect_eq $? 1 "pprof of junk"
grep -q "junk.db" err.txt || fail "pprof of junk: the message does not name the file: $(cat err.txt)"
[ ! -e junk.pb.gz ] || fail "pprof of junk left junk.pb.gz"
"$HT" pprof -o nodir/x.pb.gz svc.db 2> err.txt
expect_eq $? 1 "pprof -o into a missing folder"
grep -q "nodir/x.pb.gz" err.txt || fail "-o nodir: the message does not name the file: $(cat err.txt)"
"$HT" pprof --format json svc.db 2> err.txt
expect_eq $? 2 "pprof --format"
"$HT" pprof --limit 3 svc.db 2> err.txt
expect_eq $? 2 "pprof --limit"
"$HT" pprof --at 9999 svc.db 2> err.txt
expect_eq $? 1 "pprof --at past the end"
exit 0
