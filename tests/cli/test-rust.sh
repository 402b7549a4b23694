# A Rust program: Box::new through the standard library's allocation glue;
# the site is the program's own function, and it is classified a leak.
. "$SRC/tests/lib.sh"
rustc=$(command -v rustc || ls "$HOME/.cargo/bin/rustc" 2> /dev/null) || skip "rustc is not installed"
[ -x "$rustc" ] || skip "rustc is not installed"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
"$rustc" -O -g -o leaky "$SRC/samples/leaky.rs" 2> err || fail "rustc: $(cat err)"
record r.trace ./leaky 2000 || fail "record"
"$HT" analyze r.trace 2> err || fail "analyze: $(cat err)"
line=$(grep -n 'Box::new(Session' "$SRC/samples/leaky.rs" | cut -d: -f1)
expect_eq "$(sqlite3 r.db "select class || ' ' || function || ':' || line || ' ' || live_blocks
	from sites order by live_bytes desc limit 1")" "leak leaky::open_session:$line 1000" "Rust leak site"
