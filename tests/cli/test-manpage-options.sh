# heaptrail.1 and the program agree on commands and options: every command
# of `heaptrail --help` has an entry (.It Cm NAME) under COMMANDS, and
# every option, long and short, that `heaptrail COMMAND --help` lists is
# documented in that entry: in its head (the command's synopsis) or as the
# head of an .It Fl item of a list inside it.  The other way round, every
# command with an entry, and every option such an entry or the SYNOPSIS
# shows for a command, is one the program lists (-h and --help, which every
# command takes, count when they work).  A command that says it is "not
# built yet" has no options and needs only to be named (.Cm NAME) under
# COMMANDS.  Prose mentions of an option do not count as documenting it,
# and the recorder's environment variables are no options.
. "$SRC/tests/lib.sh"
page="$SRC/man/heaptrail.1"
[ -f "$page" ] || fail "$page is missing"

# The man page as lines "kind command option":
#   item CMD        CMD has an entry .It Cm CMD in a list of COMMANDS
#   opt CMD -x      that entry documents -x (head, or an .It Fl head in it)
#   syn CMD -x      the SYNOPSIS shows CMD with -x ("syn CMD" alone: CMD)
#   global -x       the SYNOPSIS shows `heaptrail -x`
#   mention CMD     .Cm CMD somewhere under COMMANDS
cat > man.awk <<'AWK'
function ismacro(w) {
	return w ~ /^[A-Z][a-z][a-z]?$/
}
function isdelim(w) {
	return w ~ /^[|,.;:()!?]$/ || w == "[" || w == "]"
}
# Prints "KIND WHO -x" for every flag of the Fl macros in S.
function flags(s, kind, who,    n, t, i, infl, f, j) {
	n = split(s, t, /[ \t]+/)
	infl = 0
	for (i = 1; i <= n; i++) {
		sub(/^\./, "", t[i])
		if (ismacro(t[i])) {
			infl = t[i] == "Fl"
			continue
		}
		if (!infl || t[i] == "" || isdelim(t[i]))
			continue
		f = t[i]
		gsub(/\\&/, "", f)
		gsub(/\\-/, "-", f)
		f = "-" f
		if (f == "--")		# the end of the options
			continue
		if (f ~ /^-[A-Za-z0-9][A-Za-z0-9]+$/) {	# Fl \&Os: -O -s
			for (j = 2; j <= length(f); j++)
				print kind, who, "-" substr(f, j, 1)
		} else
			print kind, who, f
	}
}
# The first macro of S after It and Xo, and the word after it.
function first(s,    n, t, i) {
	n = split(s, t, /[ \t]+/)
	firstarg = ""
	for (i = 1; i <= n; i++) {
		sub(/^\./, "", t[i])
		if (t[i] == "It" || t[i] == "Xo" || t[i] == "")
			continue
		firstarg = t[i + 1]
		return t[i]
	}
	return ""
}
BEGIN {
	while (getl()) {
		if (line ~ /^\.Sh /) {
			sh = substr(line, 5)
			depth = 0
			cur = ""
			grp = ""
			continue
		}
		if (sh == "SYNOPSIS") {
			if (line ~ /^\.Nm/) {
				grp = "?"
				continue
			}
			if (grp == "?" && line ~ /^\.Cm /) {
				n = split(substr(line, 5), w, /[ \t]+/)
				grp = ""
				for (i = 1; i <= n; i++)
					if (w[i] != "" && !isdelim(w[i])) {
						grp = grp " " w[i]
						print "syn", w[i]
					}
				continue
			}
			if (grp == "?" && line ~ /^\.Fl/)
				flags(line, "global", "")
			else if (grp != "" && grp != "?") {
				n = split(grp, w, " ")
				for (i = 1; i <= n; i++)
					flags(line, "syn", w[i])
			}
			continue
		}
		if (sh != "COMMANDS")
			continue
		n = split(line, w, /[ \t]+/)
		for (i = 1; i < n; i++)
			if (w[i] == "Cm" || w[i] == ".Cm")
				print "mention", w[i + 1]
		if (line ~ /^\.Bl/) {
			depth++
			continue
		}
		if (line ~ /^\.El/) {
			if (depth == 1)
				cur = ""
			depth--
			continue
		}
		if (line ~ /^\.Ss /) {
			cur = ""
			continue
		}
		if (line !~ /^\.It([ \t]|$)/)
			continue
		h = head()
		m = first(h)
		if (depth == 1) {
			cur = ""
			if (m == "Cm") {
				cur = firstarg
				print "item", cur
				flags(h, "opt", cur)
			}
		} else if (cur != "" && m == "Fl")
			flags(h, "opt", cur)
	}
}
AWK
awk -f "$SRC/tests/mdoc.awk" -f man.awk < "$page" > man.list || fail "cannot read $page"
grep -q '^item ' man.list || fail "no command entries (.It Cm NAME) found under COMMANDS in $page"

"$HT" --help > help.out 2>&1 || fail "heaptrail --help failed: $(cat help.out)"
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' help.out)
[ -n "$commands" ] || fail "no commands in heaptrail --help"

: > problems
problem() {
	echo "$*" >> problems
}

# listed CMD: the options `heaptrail CMD --help` lists, one a line, into
# CMD.listed, and those CMD accepts (the listed, -h, --help) into
# CMD.accepted; CMD.unbuilt exists if CMD says it is not built yet.
for c in $commands; do
	if "$HT" "$c" --help > "$c.help" 2>&1; then
		{
			grep -oE -- '--[a-z][a-z0-9-]*' "$c.help"
			grep -oE -- '(^|[[ ,|])-[A-Za-z0-9]([] ,|=]|$)' "$c.help" |
			    grep -oE -- '-[A-Za-z0-9]'
		} | sort -u > "$c.listed"
		{
			cat "$c.listed"
			echo --help
			"$HT" "$c" -h > "$c.h" 2>&1 && cmp -s "$c.h" "$c.help" &&
			    echo -h
		} | sort -u > "$c.accepted"
	elif grep -q 'not built yet' "$c.help"; then
		touch "$c.unbuilt"
		: > "$c.listed"
		: > "$c.accepted"
	else
		fail "heaptrail $c --help failed: $(cat "$c.help")"
	fi
done

# Program -> man page.
for c in $commands; do
	if [ -f "$c.unbuilt" ]; then
		grep -qx "mention $c" man.list || grep -qx "item $c" man.list ||
		    problem "command '$c' (in 'heaptrail --help', not built yet) is not named under COMMANDS in heaptrail.1"
		continue
	fi
	if ! grep -qx "item $c" man.list; then
		problem "command '$c' (in 'heaptrail --help') has no entry '.It Cm $c' under COMMANDS in heaptrail.1"
		continue
	fi
	while read -r o; do
		grep -qxF -- "opt $c $o" man.list ||
		    problem "$c $o (in 'heaptrail $c --help') is not documented in heaptrail.1: neither in the head of '.It Cm $c' under COMMANDS nor as an '.It Fl' item in that entry"
	done < "$c.listed"
done

# Man page -> program.
known() {
	echo "$commands" | grep -qxF -- "$1"
}
awk '$1 == "item" || ($1 == "syn" && NF == 2) { print $1, $2 }' man.list |
    sort -u > man.commands
while read -r kind c; do
	where="the entry '.It Cm $c' under COMMANDS"
	[ "$kind" = syn ] && where="SYNOPSIS"
	known "$c" ||
	    problem "command '$c' is documented in heaptrail.1 ($where) but 'heaptrail --help' does not list it"
done < man.commands
awk '($1 == "opt" || $1 == "syn") && NF == 3' man.list | sort -u |
while read -r kind c o; do
	where="the entry '.It Cm $c' under COMMANDS"
	[ "$kind" = syn ] && where="SYNOPSIS"
	known "$c" || continue		# said above
	if [ -f "$c.unbuilt" ]; then
		problem "$c $o is documented in heaptrail.1 ($where) but heaptrail says '$c' is not built yet"
	elif ! grep -qxF -- "$o" "$c.accepted"; then
		problem "$c $o is documented in heaptrail.1 ($where) but 'heaptrail $c --help' does not list it"
	fi
done
awk '$1 == "global" { print $NF }' man.list | sort -u |
while read -r o; do
	"$HT" "$o" > /dev/null 2>&1 ||
	    problem "heaptrail $o is documented in heaptrail.1 (SYNOPSIS) but heaptrail $o fails"
done

[ ! -s problems ] || fail "heaptrail.1 and the program disagree:
$(sed 's/^/  /' problems)"
exit 0
