# Suppressions: leak:PATTERN rules from --suppressions files and
# HEAPTRAIL_SUPPRESSIONS, the built-in rules for glibc's own held memory,
# what they change (the suppressed field, leaks --fail-on-leak, summary's
# suppressed_bytes) and what they leave alone; leaks --min-bytes; bad
# files.
. "$SRC/tests/lib.sh"
n=400
record leak.trace "$BUILD/samples/leak" $n || fail "record leak"
lost=$((n / 2 * 256))

# suppressed RULES... : the suppressed field of leak.db's one site in JSON
# with a suppressions file holding RULES, one per line
suppressed() {
	printf '%s\n' "$@" > rules.supp
	"$HT" leaks --format json --suppressions rules.supp leak.trace > s.json ||
		fail "leaks --suppressions: $(cat s.json)"
	sed -n 's/.*"suppressed": \("[^"]*"\|null\).*/\1/p' s.json
}

# Patterns: substrings of the function, file or module of any frame,
# '*' for any run, '^' and '$' anchors.
expect_eq "$(suppressed 'leak:session_new')" '"leak:session_new (rules.supp:1)"' "function"
expect_eq "$(suppressed '# comment' '' 'leak:ssion_n')" '"leak:ssion_n (rules.supp:3)"' "substring, after a comment and a blank line"
expect_eq "$(suppressed 'leak:^session')" '"leak:^session (rules.supp:1)"' "anchored start"
expect_eq "$(suppressed 'leak:^ession')" null "anchored start, not at the start"
expect_eq "$(suppressed 'leak:_new$')" '"leak:_new$ (rules.supp:1)"' "anchored end"
expect_eq "$(suppressed 'leak:_ne$')" null "anchored end, not at the end"
expect_eq "$(suppressed 'leak:^s*n_n*w$')" '"leak:^s*n_n*w$ (rules.supp:1)"' "wildcards"
expect_eq "$(suppressed 'leak:samples/leak.c')" '"leak:samples/leak.c (rules.supp:1)"' "source file"
expect_eq "$(suppressed 'leak:^leak$')" '"leak:^leak$ (rules.supp:1)"' "module name"
expect_eq "$(suppressed 'leak:handle_request')" '"leak:handle_request (rules.supp:1)"' "a caller's frame"
expect_eq "$(suppressed 'leak:nothing_like_it' 'leak:main')" '"leak:main (rules.supp:2)"' "the second rule"
expect_eq "$(suppressed 'leak:nothing_like_it')" null "no rule matches"
expect_eq "$(suppressed 'leak:^s*e*s*s*i*o*n*_*n*e*w$')" '"leak:^s*e*s*s*i*o*n*_*n*e*w$ (rules.supp:1)"' "a star between every letter"
expect_eq "$(suppressed 'leak:^s*e*s*s*i*o*n*_*n*e*x$')" null "many stars, no match"
# Many stars that almost match take linear time, not exponential.
printf 'leak:^s*_*_*_*_*_*_*_*_*_*_*_*_*_*_*_*_*_*_*_*#$\n' > stars.supp
timeout 20 "$HT" leaks --suppressions stars.supp leak.db > /dev/null
expect_eq $? 0 "20 stars that do not match (timeout 20 s)"

# A suppressed leak is still shown and still a leak, but does not fail CI.
printf 'leak:session_new\n' > app.supp
"$HT" leaks --suppressions app.supp --format csv leak.db > s.csv
expect_eq $? 0 "leaks --suppressions"
expect_eq "$(sed -n 2p s.csv | cut -d, -f2,4)" "leak,$((n / 2))" "the suppressed site is listed, classified leak"
"$HT" leaks --fail-on-leak leak.db > /dev/null
expect_eq $? 3 "--fail-on-leak without suppressions"
"$HT" leaks --fail-on-leak --suppressions app.supp leak.db > /dev/null
expect_eq $? 0 "--fail-on-leak with the leak suppressed"
HEAPTRAIL_SUPPRESSIONS=none.supp:app.supp "$HT" leaks --fail-on-leak leak.db > /dev/null 2> err
expect_eq $? 1 "HEAPTRAIL_SUPPRESSIONS naming a missing file"
grep -q '^heaptrail: none.supp: cannot read suppressions: No such file or directory$' err || fail "missing file: $(cat err)"
printf '# nothing\n' > empty.supp
HEAPTRAIL_SUPPRESSIONS=empty.supp:app.supp "$HT" leaks --fail-on-leak leak.db > /dev/null
expect_eq $? 0 "--fail-on-leak with HEAPTRAIL_SUPPRESSIONS"
"$HT" summary --format json --suppressions app.supp leak.db > sum.json || fail "summary --suppressions"
grep -q "\"leak_bytes\": $lost, \"leak_blocks\": $((n / 2)), \"steady_bytes\": 0, \"suppressed_bytes\": $lost, \"suppressed_blocks\": $((n / 2))," sum.json ||
	fail "summary: $(cat sum.json)"
"$HT" summary --format json leak.db | grep -q '"suppressed_bytes": 0, "suppressed_blocks": 0,' || fail "summary without suppressions"
"$HT" leaks --by function --suppressions app.supp --format csv leak.db | sed -n 2p | grep -q ',leak:session_new (app.supp:1)$' ||
	fail "grouped rows are suppressed too"

# --min-bytes: smaller sites are not listed and do not fail.
"$HT" leaks --fail-on-leak --min-bytes 1MiB --format csv leak.db > m.csv
expect_eq $? 0 "--min-bytes above the leak"
expect_eq "$(wc -l < m.csv)" 1 "no rows under --min-bytes"
"$HT" leaks --fail-on-leak --min-bytes $lost --format csv leak.db > m.csv
expect_eq $? 3 "--min-bytes at the leak's size"
expect_eq "$(wc -l < m.csv)" 2 "the leak at --min-bytes"
"$HT" leaks --min-bytes $((lost + 1)) --format csv leak.db | wc -l | grep -qx 1 || fail "--min-bytes one above"
"$HT" leaks --min-bytes lots leak.db 2> err
expect_eq $? 2 "--min-bytes lots"

# Built-in rules: the locale, time zone and stdout buffer glibc holds are
# suppressed; the program's own leak is not.
LANG=C.UTF-8 TZ=UTC0 record held.trace "$BUILD/tests/libc-held" > /dev/null || fail "record libc-held"
"$HT" leaks --format csv held.trace > held.csv || fail "leaks libc-held"
awk -F, 'NR > 1 && $10 == "lose" && $16 != "" { exit 1 }' held.csv || fail "the program's own leak was suppressed: $(cat held.csv)"
awk -F, 'NR > 1 && $10 == "lose" { found = 1 } END { exit !found }' held.csv || fail "no site in lose: $(cat held.csv)"
grep -q ',leak:_IO_file_doallocate (built-in)$' held.csv || fail "stdout's buffer not suppressed: $(cat held.csv)"
grep -q ',leak:^_nl_ (built-in)$' held.csv || fail "the locale not suppressed: $(cat held.csv)"
# Every site still holding memory in main is glibc's, and suppressed.
expect_eq "$(awk -F, 'NR > 1 && $10 == "main" && $16 == ""' held.csv)" "" "unsuppressed glibc memory"
expect_eq "$(awk -F, 'NR > 1 && $16 != "" { s += $3 } END { print s + 0 }' held.csv)" \
	"$("$HT" summary --format json held.db | sed 's/.*"suppressed_bytes": \([0-9]*\).*/\1/')" "suppressed_bytes"

# Rule 0: what libc's and libstdc++'s own constructors allocate (the
# loader's call_init is then the site) is suppressed; what a library of
# the program allocates in its constructor is not.
record cache.trace "$BUILD/samples/cache" > /dev/null || fail "record cache"
"$HT" leaks --format csv cache.trace > cache.csv || fail "leaks cache"
awk -F, 'NR > 1 && $10 ~ /^(call_init|_dl_init)$/ && $16 != "start-up of libc or libstdc++ (built-in)" { exit 1 }' cache.csv ||
	fail "start-up of libstdc++ not suppressed: $(cat cache.csv)"
# (libstdc++ 12 allocates its emergency exception pool there: 71 KiB)
grep -q ',call_init,.*,start-up of libc or libstdc++ (built-in)$' cache.csv ||
	fail "no suppressed site in call_init: $(cat cache.csv)"
cat > ctor.c <<'C'
#include <stdlib.h>
void *volatile kept;
__attribute__((constructor)) static void setup(void) { kept = malloc(4000); }
C
printf 'int main(void) { return 0; }\n' > main.c
cc -g -shared -fPIC -o libctor.so ctor.c && cc -g -o ctor-main main.c -Wl,--no-as-needed -L. -lctor -Wl,-rpath,"$PWD" ||
	fail "build a library with a constructor"
record ctor.trace ./ctor-main || fail "record ctor-main"
"$HT" leaks --format csv ctor.trace > ctor.csv || fail "leaks ctor-main"
awk -F, 'NR > 1 && $3 == 4000 && $10 == "setup" && $16 == "" { found = 1 } END { exit !found }' ctor.csv ||
	fail "a library's own constructor: $(cat ctor.csv)"

# Bad suppressions files.
printf 'leak:ok\nlek:typo\n' > bad.supp
"$HT" leaks --suppressions bad.supp leak.db 2> err
expect_eq $? 1 "a bad line"
grep -q "^heaptrail: bad.supp:2: not a suppression: 'lek:typo' (want leak:PATTERN)$" err || fail "bad line: $(cat err)"
printf 'leak:\n' > bad.supp
"$HT" leaks --suppressions bad.supp leak.db 2> err
expect_eq $? 1 "an empty pattern"
"$HT" sites --suppressions missing.supp leak.db 2> err
expect_eq $? 1 "a missing file"
grep -q 'missing.supp' err || fail "missing file: $(cat err)"
"$HT" modules --suppressions app.supp leak.db 2> err
expect_eq $? 2 "--suppressions where it does not apply"
exit 0
