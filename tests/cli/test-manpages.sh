# The man pages are valid mdoc: mandoc -Tlint reports no warnings.
. "$SRC/tests/lib.sh"
command -v mandoc > /dev/null || skip "mandoc is not installed"
for page in "$SRC/man/heaptrail.1" "$SRC/man/heaptrail.5"; do
	[ -f "$page" ] || fail "$page is missing"
	mandoc -Tlint -Wwarning "$page" > lint 2>&1 || fail "$(cat lint)"
	[ ! -s lint ] || fail "$(cat lint)"
done
