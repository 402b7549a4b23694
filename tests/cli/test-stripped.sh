# Code with no name (a stripped program, as every Debian library is) is
# named MODULE+0xADDRESS, the address addr2line and objdump take, in the
# tables, JSON, the grouping by function and the stacks; two unnamed
# functions stay two rows.
. "$SRC/tests/lib.sh"
cat > stripped.c <<'C'
#include <stdlib.h>
#include <string.h>
void *kept[2000];
__attribute__((noinline)) static void *make_small(int i) { void *p = malloc(48); memset(p, i, 48); return p; }
__attribute__((noinline)) static void *make_large(int i) { void *p = malloc(4000); memset(p, i, 4000); return p; }
int main(void)
{
	for (int i = 0; i < 1000; i++) {
		kept[2 * i] = make_small(i);
		kept[2 * i + 1] = make_large(i);
	}
	return 0;
}
C
cc -O1 -o stripped stripped.c || fail "cc stripped.c"
strip stripped
record s.trace ./stripped || fail "record"
"$HT" analyze s.trace 2> err || fail "analyze: $(cat err)"

"$HT" leaks --format csv s.db > leaks.csv || fail "leaks"
names=$(tail -n +2 leaks.csv | cut -d, -f10 | sort -u)
expect_eq "$(echo "$names" | grep -c '^stripped+0x[0-9a-f]*$')" 2 "two unnamed sites, named: $names"
# The address is the module's own: a call instruction ends right there.
for n in $names; do
	off=$(echo "$n" | sed 's/^stripped+0x//')
	objdump -d stripped | grep -B1 "^ *$off:" | head -n 1 | grep -q call ||
		fail "$n: no call before $off in objdump -d"
done
expect_eq "$("$HT" sites --by function --format csv s.db | grep -c ',stripped+0x')" 2 "--by function keeps them apart"
"$HT" leaks --format json s.db | grep -q '"stack": \[{"function": "stripped+0x' ||
	fail "JSON stack frames: $("$HT" leaks --format json s.db | head -c 600)"
exit 0
