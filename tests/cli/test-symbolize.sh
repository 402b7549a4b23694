# test-symbolize.sh - `heaptrail symbolize` against llvm-symbolizer.
#
# Builds tests/programs/symbolize/ with gcc and g++ at -O2 (DWARF 4 and 5)
# and, when rustc is there, the Rust program (v0 mangling); symbolizes the
# return address (minus 1) of every call and every 7th instruction, and
# compares function, file basename, line and the whole inline chain with
# llvm-symbolizer.  Function names are compared modulo the demanglers'
# spelling (spaces, clone suffixes, lambdas) and where LLVM could not
# demangle at all (its legacy Rust, some C++) only file and line count.
# Then: debug info beside the binary and through .gnu_debuglink, .symtab
# and .dynsym fallbacks, and libc (names checked against nm -D).
. "$SRC/tests/lib.sh"

command -v llvm-symbolizer > /dev/null || skip "llvm-symbolizer not installed"
command -v objdump > /dev/null || skip "objdump not installed"
P=$SRC/tests/programs/symbolize

# addresses BIN : file addresses to look up, hex without 0x
addresses() {
	objdump -d --no-show-raw-insn "$1" | awk '
		/^ *[0-9a-f]+:/ {
			a = $1; sub(":", "", a)
			if (c) print "r " a
			c = ($0 ~ /\tcall/)
			if (++n % 7 == 0) print "i " a
		}' |
	while read -r kind a; do
		if [ "$kind" = r ]; then
			printf '%x\n' $((0x$a - 1))
		else
			echo "$a"
		fi
	done | sort -u
}

# normalize : "ADDR\tFUNCTION\tBASENAME\tLINE" lines made comparable
normalize() {
	sed -e 's/ \[clone [^]]*\]//g' -e 's/ (\.[a-z0-9_.]*)//g' \
	    -e "s/{lambda(\([^)]*\))#[0-9]*}/'lambda'(\1)/g" \
	    -e "s/'lambda[0-9]*'/'lambda'/g" |
	awk -F '\t' -v OFS='\t' '{
		sub(/::h[0-9a-f]+$/, "", $2)	# legacy Rust hash
		if ($2 ~ /\$/ || $2 ~ /^_[ZR]/)	# LLVM did not demangle
			$2 = "*"
		gsub(/ /, "", $2)
		print
	}'
}

# compare NAME BIN : fails on any difference from llvm-symbolizer
compare() {
	addresses "$2" > "$1.addrs"
	n=$(wc -l < "$1.addrs")
	expect_ge "$n" 20 "$1: addresses found"
	# shellcheck disable=SC2046
	"$HT" symbolize "$2" $(cat "$1.addrs") > "$1.ours" ||
		fail "$1: heaptrail symbolize failed"
	awk '{
		addr = $1; sub(/^0x0*/, "", addr)
		rest = $0; sub(/^[^ ]* /, "", rest)
		sub(/ \(inlined\)$/, "", rest)
		n = split(rest, w, " "); loc = w[n]
		fn = substr(rest, 1, length(rest) - length(loc) - 1)
		line = loc; sub(/.*:/, "", line)
		file = loc; sub(/:[0-9]+$/, "", file); sub(/.*\//, "", file)
		if (line == 0) file = "??"
		printf "%s\t%s\t%s\t%s\n", addr, fn, file, line
	}' "$1.ours" | normalize > "$1.ours.n"
	sed 's/^/0x/' "$1.addrs" | llvm-symbolizer --obj="$2" --inlining \
	    > "$1.llvm" || fail "$1: llvm-symbolizer failed"
	awk -v addrs="$1.addrs" '
		BEGIN {
			while ((getline a < addrs) > 0) {
				sub(/^0*/, "", a); A[++na] = a
			}
			i = 1; st = 0
		}
		/^$/ { i++; st = 0; next }
		st == 0 { fn = $0; st = 1; next }
		{
			file = $0; sub(/:[0-9]+:[0-9]+$/, "", file)
			sub(/.*\//, "", file)
			line = $0; sub(/:[0-9]+$/, "", line); sub(/.*:/, "", line)
			if (line == 0) file = "??"
			printf "%s\t%s\t%s\t%s\n", A[i], fn, file, line
			st = 0
		}' "$1.llvm" | normalize > "$1.llvm.n"
	# Where LLVM could not demangle, ours is not compared either.
	awk -F '\t' -v OFS='\t' 'NR == FNR { star[FNR] = $2 == "*"; next }
		{ if (star[FNR]) $2 = "*"; print }' "$1.llvm.n" "$1.ours.n" \
	    > "$1.ours.m"
	# Functions folded together by the linker (identical code) share an
	# address: both tools name one of them, not always the same one.
	nm -C --defined-only "$2" | awk '$2 ~ /^[TtWw]$/ {
		a = $1; sub(/^[^ ]* [^ ]* /, ""); printf "%s\t%s\t?\t0\n", a, $0
	}' | normalize > "$1.nm"
	paste "$1.ours.m" "$1.llvm.n" | awk -F '\t' -v nm="$1.nm" '
		BEGIN { while ((getline l < nm) > 0) { split(l, f, "\t"); at[f[2]] = f[1] } }
		NF != 8 || $1 != $5 || $3 != $7 || $4 != $8 ||
		    ($2 != $6 && !($2 in at && $6 in at && at[$2] == at[$6])) {
			print; bad++
		}
		END { exit bad > 0 }' > "$1.diff" || {
		head -n 20 "$1.diff" | cut -c 1-200 >&2
		fail "$1: $(wc -l < "$1.diff") of $(wc -l < "$1.llvm.n") frames differ from llvm-symbolizer"
	}
	echo "$1: $n addresses, $(wc -l < "$1.llvm.n") frames match" >&2
	total=$((total + n))
}

total=0
for v in 4 5; do
	cc -O2 -g -gdwarf-$v -I"$P" -o c$v "$P/inline.c" "$P/util.c" ||
		fail "cc -gdwarf-$v failed"
	compare c-dwarf$v c$v
	if command -v g++ > /dev/null; then
		g++ -O2 -g -gdwarf-$v -o cxx$v "$P/templates.cc" ||
			fail "g++ -gdwarf-$v failed"
		compare cxx-dwarf$v cxx$v
	fi
done
rustc=$(command -v rustc || echo /root/.cargo/bin/rustc)
if [ -x "$rustc" ]; then
	"$rustc" -g -C opt-level=1 -C symbol-mangling-version=v0 -o rs "$P/mangling.rs" 2> rustc.err ||
		fail "rustc failed: $(cat rustc.err)"
	compare rust rs
	grep -q 'mangling::main' rust.ours || fail "rust: no mangling::main"
	grep -q "Cache<.*>.*::put" rust.ours || fail "rust: no Cache<T>::put"
else
	echo "rustc not found: Rust case skipped" >&2
fi

# The inline chain itself, spelled out once.
a=$(grep ' leaf .*(inlined)$' c-dwarf5.ours | head -n 1 | cut -d ' ' -f 1)
[ -n "$a" ] || fail "no address inside the inlined leaf()"
"$HT" symbolize c5 "$a" | awk '{ print $2 }' | tr '\n' ' ' > chain
expect_eq "$(cat chain)" "leaf middle outer " "inline chain at $a"

# Debug info beside the stripped binary, then through .gnu_debuglink.
addrs=$(head -n 40 c-dwarf5.addrs)
"$HT" symbolize c5 $addrs > full.out
cp c5 beside
objcopy --only-keep-debug beside beside.debug && strip -g beside ||
	fail "objcopy/strip failed"
"$HT" symbolize beside $addrs > beside.out
cmp -s full.out beside.out || fail "debug file beside the binary not used"
cp c5 linked
objcopy --only-keep-debug linked linked.dbg && strip -g linked &&
	objcopy --add-gnu-debuglink=linked.dbg linked || fail "objcopy failed"
mkdir .debug && mv linked.dbg .debug/
"$HT" symbolize linked $addrs > linked.out
cmp -s full.out linked.out || fail "debug file through .gnu_debuglink not used"

# Symbol table only: function names, no lines.
cp c5 nodebug && strip -g nodebug
"$HT" symbolize nodebug $addrs > nodebug.out
grep -q ' main ??:0$' nodebug.out || fail "no main from .symtab"
grep -q ':[1-9]' nodebug.out && fail "lines without debug info"

# A stripped shared library: .dynsym only.
cc -O2 -fPIC -shared -I"$P" -o libutil.so "$P/util.c" && strip libutil.so ||
	fail "cannot build libutil.so"
v=$(nm -D --defined-only libutil.so | awk '$3 == "util_make" { print $1 }')
got=$("$HT" symbolize libutil.so "$(printf '%x' $((0x$v + 4)))")
expect_eq "$got" "0x$(printf '%x' $((0x$v + 4))) util_make ??:0" ".dynsym lookup"

# libc (with or without debug info installed): .dynsym names.
libc=/lib/x86_64-linux-gnu/libc.so.6
if [ -f "$libc" ] && command -v nm > /dev/null; then
	nm -D --defined-only "$libc" | awk '$2 ~ /^[TtWi]$/' |
	    sed 's/@.*//' > libc.syms
	checked=0
	for f in malloc free calloc realloc qsort fopen printf strtol; do
		v=$(awk -v f="$f" '$3 == f { print $1; exit }' libc.syms)
		[ -n "$v" ] || continue
		a=$(printf '%x' $((0x$v + 3)))
		got=$("$HT" symbolize "$libc" "$a" | tail -n 1 | awk '{ print $2 }')
		# any alias at that address will do (malloc = __libc_malloc)
		awk -v v="$v" -v g="$got" '$1 == v && $3 == g { ok = 1 }
			END { exit !ok }' libc.syms ||
			fail "libc: $f+3 gave '$got'"
		checked=$((checked + 1))
	done
	expect_ge "$checked" 6 "libc functions checked"
fi
echo "$total addresses compared with llvm-symbolizer" >&2
