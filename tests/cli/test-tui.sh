# The browser as a person uses it: started in tmux, keys sent, the screen
# read back and its figures checked against the queries and SQL.
. "$SRC/tests/lib.sh"
command -v tmux > /dev/null || fail "tmux is not installed"
trap tui_stop EXIT
export LANG=C.UTF-8

# The row of the first site in the sites view (line 3 of the screen).
first_row() {
	tui_screen | sed -n 3p
}

# --- leak sample: overview figures, a time, a window, q ----------------------
record leak.trace "$BUILD/samples/leak" || fail "record leak failed"
"$HT" analyze leak.trace 2> err || fail "analyze: $(cat err)"
"$HT" analyze --all-blocks -o all.db leak.trace 2> err || fail "analyze: $(cat err)"

tui_start 80 24 -- leak.db
tui_expect "allocations  2000, frees 1000" "overview: counts"
tui_expect "live at end  250 KiB in 1000 blocks" "overview: live at end"
tui_expect "leak 250 KiB" "overview: the leak share"
tui_expect "peak         250 KiB at" "overview: peak"
tui_expect "live at the end: 250 KiB" "overview: scope figure"

# A time: the cursor 30 columns back, Enter.  The figure must be what
# `leaks --at` (from site_series, another path than the browser's) says.
tui_keys H H H Enter
tui_expect "| live at " "title names the time"
line=$(tui_screen | grep -E '^ live at [0-9.]+ s: ' | head -n 1)
[ -n "$line" ] || fail "no 'live at T: X' figure: $(tui_screen)"
t=$(echo "$line" | sed 's/^ live at \([0-9.]*\) s: .*/\1/')
shown=$(echo "$line" | sed 's/^ live at [0-9.]* s: //')
at=$(awk -v t="$t" 'BEGIN { printf "%.6f", t - 0.0005 }')
bytes=$("$HT" leaks --at "$at" --format csv leak.db |
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "live_bytes") c = i; next }
		{ s += $c } END { print s + 0 }')
expect_ge "$bytes" 1 "live bytes at $t"
expect_eq "$shown" "$(human "$bytes")" "live at $t s"
[ "$bytes" -lt 256000 ] || fail "a time before the end should hold less than the end"
# The sites view says it shows that time and agrees.
tui_keys 2
tui_expect "| live at $t s |" "sites title names the time"
expect_eq "$(first_row | awk '{ print $2, $3 }')" "$(human "$bytes")" "sites at $t s"

# A window: from 20 columns back to 10 columns back.  What is shown is
# what is live at its end (its growth is in the sites' growth column);
# check it against every block (--all-blocks) live at the end of the
# bucket the title names.
tui_keys 1 x H H Space L Enter
tui_expect "live at its end" "window selected"
line=$(tui_screen | grep -E '^ from [0-9.]+ s to [0-9.]+ s, live at its end: ' | head -n 1)
[ -n "$line" ] || fail "no window figure: $(tui_screen)"
to=$(echo "$line" | sed 's/^ from [0-9.]* s to \([0-9.]*\) s.*/\1/')
shown=$(echo "$line" | sed 's/.*live at its end: //')
bs=$(sqlite3 leak.db "SELECT value FROM meta WHERE key = 'bucket_s'")
bytes=$(sqlite3 all.db "SELECT coalesce(sum(size), 0) FROM blocks WHERE
	alloc_time < round($to / $bs) * $bs
	AND (free_time IS NULL OR free_time >= round($to / $bs) * $bs)")
expect_ge "$bytes" 1 "window bytes"
expect_eq "$shown" "$(human "$bytes")" "window from .. to $to s, live at its end"

# x goes back to the end; q quits with 0 and the terminal as it was.
tui_keys x
tui_expect "live at the end: 250 KiB" "x: back to the end"

# The detail follows the scope: at a time it shows the site's figures
# then, and x in the detail brings them back to the end.
tui_keys End H H H Enter 2 Enter
tui_expect "| site | live at " "detail at a time"
tui_screen | grep -qF "live 250 KiB in 1000 blocks" &&
	fail "the detail at a time shows the end's figures: $(tui_screen)"
tui_keys x
tui_expect "live 250 KiB in 1000 blocks" "x in the detail: figures at the end"

# A window being chosen stays while other views are shown; x forgets it.
tui_keys 1 Space 2 1
tui_expect "Space selects it, Esc cancels" "a window being chosen, after 2 1"
tui_keys 2 x 1
tui_expect "Space: start a window" "x forgets a window being chosen"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cat tui.rc)" 0 "exit status after q"
cmp -s stty.before stty.after || fail "terminal settings not restored"

# --- arena sample: sorting, filters, detail, source, resize ------------------
record arena.trace "$BUILD/samples/arena" || fail "record arena failed"
"$HT" analyze arena.trace 2> err || fail "analyze: $(cat err)"
tui_start 80 24 -- arena.db
tui_keys 2
tui_expect "| sites | live at the end | 4 of 4" "sites view"
tui_expect " LIVE " "sorted by live bytes"
first_row | grep -q "4.00 MiB .* build_table" || fail "live sort: $(first_row)"
tui_keys s s
tui_expect " ALLOCS " "s cycles the sort"
first_row | grep -q " 20000 .* serve" || fail "allocation sort: $(first_row)"
tui_keys c
tui_expect "0 of 4 | class: leak" "class filter: leak"
# No site selected: Tab and S-Tab pass over the detail, 5 says why.
tui_keys 4 Tab
tui_expect "| overview |" "Tab passes over the detail with no site"
tui_keys BTab
tui_expect "| modules |" "S-Tab passes over the detail with no site"
tui_keys 5
tui_expect "no site selected" "5 with no site"
tui_keys 2
tui_expect "0 of 4 | class: leak" "back to the sites, still filtered"
tui_keys c c
tui_expect "3 of 4 | class: steady" "class filter: steady"
tui_keys c c /
tui_keys b u i l d Enter
tui_expect "3 of 4 | filter: build" "text filter"
[ "$(tui_screen | grep -c ' serve')" = 0 ] || fail "filter left serve in"
tui_keys / BSpace BSpace BSpace BSpace BSpace s e r v Enter
tui_expect "1 of 4 | filter: serv" "second filter"
tui_keys / Escape
tui_expect "1 of 4 | filter: serv" "Esc in the prompt keeps the old filter"

# Detail of the biggest site: function and file:line as in the DB.
tui_keys / BSpace BSpace BSpace BSpace Enter s s s s
tui_expect "4 of 4" "back to all sites"
tui_expect " LIVE " "the sort back at live bytes"
tui_keys Home Enter
want=$(sqlite3 arena.db "SELECT function || '  ' || file || ':' || line
	FROM sites ORDER BY live_bytes DESC LIMIT 1")
tui_expect "$want" "detail shows function and file:line"
tui_expect "held since start" "detail shows the class pattern"
line=$(sqlite3 arena.db "SELECT line FROM sites ORDER BY live_bytes DESC LIMIT 1")
file=$(sqlite3 arena.db "SELECT file FROM sites ORDER BY live_bytes DESC LIMIT 1")
src=$(sed -n "${line}p" "$file" | sed 's/^[[:space:]]*//' | cut -c 1-24)
tui_keys v v v
tui_expect "$src" "source panel shows line $line"
tui_expect "$(printf '%6d' "$line")" "source line number"
tui_keys v
tui_expect "chart" "panels cycle"
tui_keys Escape
tui_expect "| sites |" "Esc goes back to the sites"

# The call tree: starts collapsed, Enter opens, e opens the heaviest path.
tui_keys 3
tui_expect "top-down" "tree view"
before=$(tui_screen | grep -c '%')
tui_keys Enter
after=$(tui_screen | grep -c '%')
[ "$after" -gt "$before" ] || fail "Enter did not open the node: $(tui_screen)"
tui_keys e
tui_expect "build_table" "e opens down to the site"
tui_keys t
tui_expect "bottom-up" "t flips the tree"

# Modules: Enter lists the module's sites.
tui_keys 4
tui_expect "| modules |" "modules view"
tui_keys Home Enter
tui_expect "module: arena" "a module's sites"
tui_keys Escape
tui_expect "| modules |" "Esc back to modules"

# Help, then a resize: everything drawn for the new size.
tui_keys "?"
tui_expect "Everywhere" "help"
tui_keys End
tui_expect "Left, h        back" "help ends with the site detail's keys"
tui_keys Escape 2
$TUI_TMUX resize-window -t tui -x 120 -y 40 2> /dev/null ||
	$TUI_TMUX resize-pane -t tui -x 120 -y 40
sleep 0.5
[ "$(tui_screen | sed -n 40p | grep -c 'q quit')" = 1 ] ||
	fail "no status line at row 40 after the resize: $(tui_screen)"
tui_screen | sed -n 1p | grep -q "| sites |" || fail "no title after the resize"

# A click on the third row selects it (the line below names the site).
$TUI_TMUX send-keys -t tui -l "$(printf '\033[M %s%s' "$(printf '\045')" "$(printf '\045')")"
tui_expect "7.81 KiB live in scope" "a mouse click selects the row"

# SIGTERM: the terminal is restored and the status says so.
pid=$(pgrep -x -f "$HT tui arena.db")
[ -n "$pid" ] || fail "cannot find the browser's pid"
kill -TERM "$pid"
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cat tui.rc)" 143 "exit status after SIGTERM"
cmp -s stty.before stty.after || fail "terminal not restored after SIGTERM"

# --- a plain terminal: ASCII charts, no colour -------------------------------
tui_start 80 24 LANG=C NO_COLOR=1 -- leak.db
tui_expect "# heap" "ASCII legend"
[ "$(tui_screen | grep -c "$(printf '\342\226')")" = 0 ] ||
	fail "block characters in a plain terminal: $(tui_screen)"
tui_screen | grep -q '###' || fail "no ASCII bars: $(tui_screen)"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cat tui.rc)" 0 "exit status in a plain terminal"

# --- suppressions and a window from the command line ---------------------------
# A suppressed site: its letter in lower case, the rule under the table,
# as leaks --suppressions lists it.
echo "leak:session_new" > mine.supp
expect_eq "$("$HT" leaks --suppressions mine.supp --format csv leak.db | grep -c ',session_new,.*leak:session_new')" 1 \
	"the CLI suppresses session_new"
tui_start 200 30 -- --suppressions mine.supp leak.db
tui_keys 2
tui_expect "suppressed: leak:session_new (mine.supp:1)" "the rule of the selected site"
first_row | grep -q '^ *l ' || fail "a suppressed leak's letter: $(tui_screen)"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# --from alone: the window ends at the end of the work, as in the queries.
tui_start 100 30 -- --from 25% leak.db
tui_expect "to the end of the work, live at its end: 250 KiB" "--from alone"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- / from the overview, the filter in callers, columns at every width ----------
# / on the overview opens the sites' filter: what is typed next is the
# text (a q in it does not quit), matched in any frame of a site's
# stacks, here the caller of session_new.
tui_start 80 24 -- leak.db
tui_keys / h a n d l e _ r e q
tui_expect "filter: handle_req" "/ on the overview opens the filter"
tui_expect "1 of 1 | filter: handle_req" "a filter matching a caller"
tui_expect "in its stack: handle_request" "the frame the filter found"
# From the call tree: the prompt opens on the filter as it is.
tui_keys Enter 3 / z z z Enter
tui_expect "0 of 1 | filter: handle_reqzzz" "/ from the call tree"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cat tui.rc)" 0 "exit status after / and q"

# A C++ name longer than its column: it stops a space before the module
# at 120 columns, and the function column stays at every width.
long='std::allocator_traits<std::allocator<std::_Rb_tree_node<std::pair<long const, Session> > > >::allocate'
cp leak.db long.db
sqlite3 long.db "UPDATE sites SET function = '$long', module = 'svc_backend'"
for w in 50 80 120 200; do
	tui_start "$w" 24 -- long.db
	tui_keys 2
	tui_expect "| sites |" "sites at $w columns"
	first_row | grep -q '^L  *250 KiB .*std::allocator_traits<' ||
		fail "no class, live bytes and function at $w columns: $(tui_screen)"
	tui_screen | sed -n 2p | grep -q ' function' ||
		fail "no function heading at $w columns: $(tui_screen)"
	if [ "$w" -ge 120 ]; then
		first_row | grep -q '[^ ] \{1,\}svc_backend *$' ||
			fail "function and module run together at $w: $(first_row)"
		tui_screen | sed -n 2p | grep -q ' module' ||
			fail "no module heading at $w columns: $(tui_screen)"
	fi
	tui_keys q
	i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
done

# --- registry sample: released at exit, the detail at frame #0 ----------------
record registry.trace "$BUILD/samples/registry" || fail "record registry failed"
"$HT" analyze registry.trace 2> err || fail "analyze: $(cat err)"
tui_start 80 24 -- registry.db
tui_keys 2
tui_expect "register_session" "registry's sites"
tui_screen | sed -n 23p | grep -q "^linear growth .*, released at exit |" ||
	fail "the status line does not say released at exit: $(tui_screen)"
tui_keys Enter
tui_expect "| site |" "registry's detail"
tui_expect "released at exit" "the detail says released at exit"
# The selected frame is in reverse video: #0, the innermost.
$TUI_TMUX capture-pane -p -e -t tui | grep '#0  ' | grep -q '\[[0-9;]*7m' ||
	fail "the detail does not open at frame #0: $(tui_screen)"
tui_keys End
tui_screen | grep -q "$(printf '\342\226\266')#[0-9]*  .*register_session" ||
	fail "the site's frame is not marked: $(tui_screen)"
tui_keys q
i=0; while [ ! -f stty.after ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- bad input ---------------------------------------------------------------
"$HT" tui missing.db < /dev/null > out 2> err && fail "tui without a terminal succeeded"
grep -q "needs a terminal" err || fail "no terminal: $(cat err)"
exit 0
