# heaptrail.5 and a real database agree: every table and view of a
# database that `heaptrail analyze` wrote has an item in the lists of
# ".Ss Tables" or ".Ss Views" under ".Sh THE DATABASE", every column of
# every table is named there (.Va), and every table, view and column
# named there exists; views whose item names columns are held to them the
# same way.  The keys of the meta table (.Li in its item) and the schema
# version ("schema version, N") are checked too, and every SQL example of
# ".Ss Examples" there must run without error.
#
# How the page is read: an item (.It Sy NAME [, NAME ...]) names its
# columns with .Va, in its head or body; if it has a list of columns
# (.It Va COLUMN items), those heads are its columns and the .Va in its
# prose are only references.
. "$SRC/tests/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
page="$SRC/man/heaptrail.5"
[ -f "$page" ] || fail "$page is missing"

"$HT" record -q -o t.trace -- "$BUILD/samples/leak" || fail "record failed"
"$HT" analyze t.trace 2> analyze.err || fail "analyze failed: $(cat analyze.err)"
[ -f t.db ] || fail "analyze wrote no t.db"
q() {
	sqlite3 -batch t.db "$1" || fail "sqlite3: $1 failed"
}

# The page as lines: "table NAME", "view NAME", "col NAME COLUMN",
# "key KEY" (meta), "version N"; the examples into ex.N.sql.
cat > man.awk <<'AWK'
# The words that follow macro MAC in S, up to the next macro, each after
# SEP in the result.
function args(s, mac,    n, t, i, on, r) {
	if (s !~ /^\./)
		return ""
	n = split(s, t, /[ \t]+/)
	r = ""
	on = 0
	for (i = 1; i <= n; i++) {
		sub(/^\./, "", t[i])
		if (t[i] ~ /^[A-Z][a-z][a-z]?$/) {
			on = t[i] == mac
			continue
		}
		if (!on || t[i] == "" || t[i] ~ /^[|,.;:()!?]$/)
			continue
		gsub(/\\&/, "", t[i])
		r = r " " t[i]
	}
	return r
}
function flush(    n, w, i, m, c, j, seen) {
	if (names == "")
		return
	m = split(listva != "" ? headva listva : headva bodyva, c, " ")
	n = split(names, w, " ")
	for (i = 1; i <= n; i++) {
		print kind, w[i]
		delete seen
		for (j = 1; j <= m; j++)
			if (!(c[j] in seen)) {
				seen[c[j]] = 1
				print "col", w[i], c[j]
			}
		if (w[i] == "meta") {
			m = split(keys, c, " ")
			for (j = 1; j <= m; j++)
				print "key", c[j]
		}
	}
	names = headva = bodyva = listva = keys = ""
}
BEGIN {
	while (getl()) {
		if (line ~ /^\.S[hs] /) {
			flush()
			if (line ~ /^\.Sh /) {
				sh = substr(line, 5)
				ss = ""
			} else
				ss = substr(line, 5)
			depth = 0
			continue
		}
		if (sh != "THE DATABASE")
			continue
		if (ss == "" && match(line, /schema version,? [0-9]+/)) {
			v = substr(line, RSTART, RLENGTH)
			sub(/.* /, "", v)
			print "version", v
		}
		if (ss == "Examples") {
			if (line ~ /^\.Bd -literal/) {
				nex++
				inex = 1
			} else if (line ~ /^\.Ed/)
				inex = 0
			else if (inex) {
				gsub(/\\&/, "", line)
				gsub(/\\-/, "-", line)
				gsub(/\\\(aq/, "\047", line)
				gsub(/\\e/, "\\", line)
				print line > ("ex." nex ".sql")
			}
			continue
		}
		if (ss != "Tables" && ss != "Views")
			continue
		if (line ~ /^\.Bl/) {
			depth++
			continue
		}
		if (line ~ /^\.El/) {
			if (depth == 1)
				flush()
			depth--
			continue
		}
		if (line ~ /^\.It([ \t]|$)/ && depth == 1) {
			flush()
			h = head()
			kind = ss == "Tables" ? "table" : "view"
			names = args(h, "Sy")
			headva = args(h, "Va")
			continue
		}
		if (names == "")
			continue
		if (line ~ /^\.It([ \t]|$)/) {
			h = head()
			if (h ~ /^\.It[ \t]+Va[ \t]/) {
				split(args(h, "Va"), w, " ")
				listva = listva " " w[1]
			}
			bodyva = bodyva args(h, "Va")
			continue
		}
		bodyva = bodyva args(line, "Va")
		if (names ~ /(^| )meta( |$)/)
			keys = keys args(line, "Li")
	}
	flush()
}
AWK
awk -f "$SRC/tests/mdoc.awk" -f man.awk < "$page" > man.list || fail "cannot read $page"

: > problems
problem() {
	echo "$*" >> problems
}
in_man() {
	grep -qxF -- "$1" man.list
}

# Database -> page.
q "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')
    AND name NOT LIKE 'sqlite_%' ORDER BY name" | tr '|' ' ' > db.objects
[ -s db.objects ] || fail "no tables in t.db"
: > db.list
while read -r kind name; do
	echo "$kind $name" >> db.list
	q "SELECT name FROM pragma_table_info('$name')" | sed "s/^/col $name /" >> db.list
done < db.objects
q "SELECT key FROM meta" | sed 's/^/key /' >> db.list
echo "version $(q 'PRAGMA user_version')" >> db.list

while read -r kind name; do
	if ! in_man "$kind $name"; then
		problem "$kind $name (in the database) has no item '.It Sy $name' in heaptrail.5, THE DATABASE, .Ss $([ "$kind" = table ] && echo Tables || echo Views)"
		continue
	fi
	# A view's columns are checked only where its item names some.
	[ "$kind" = view ] && ! grep -q "^col $name " man.list && continue
	grep "^col $name " db.list | while read -r _ _ c; do
		in_man "col $name $c" ||
		    problem "column $name.$c (in the database) is not named (.Va $c) in the item of $name in heaptrail.5"
	done
done < db.objects
grep '^key ' db.list | while read -r _ k; do
	in_man "key $k" ||
	    problem "meta key '$k' (in the database) is not named (.Li $k) in the item of meta in heaptrail.5"
done

# Page -> database.
grep -E '^(table|view) ' man.list | while read -r kind name; do
	grep -qxF -- "$kind $name" db.list ||
	    problem "heaptrail.5 documents $kind $name, but the database has no such $kind"
done
grep '^col ' man.list | while read -r _ name c; do
	grep -qE "^(table|view) $name\$" db.list || continue	# said above
	grep -qxF -- "col $name $c" db.list ||
	    problem "heaptrail.5 names column $name.$c (.Va $c in the item of $name), but $name has no such column"
done
grep '^key ' man.list | while read -r _ k; do
	grep -qxF -- "key $k" db.list ||
	    problem "heaptrail.5 names meta key '$k' (.Li $k in the item of meta), but meta has no such key"
done
want=$(grep '^version ' db.list)
got=$(grep '^version ' man.list | head -n 1)
[ -n "$got" ] || problem "heaptrail.5 does not give the schema version (\"schema version, N\" under THE DATABASE); the database has ${want#version }"
[ -z "$got" ] || [ "$got" = "$want" ] ||
    problem "heaptrail.5 gives schema version ${got#version }, the database (PRAGMA user_version) has ${want#version }"

# The examples run.
n=0
for ex in ex.*.sql; do
	[ -f "$ex" ] || break
	n=$((n + 1))
	if ! sqlite3 -batch -bail t.db < "$ex" > "$ex.out" 2> "$ex.err" ||
	    [ -s "$ex.err" ]; then
		problem "an example of heaptrail.5 (.Ss Examples) fails: $(cat "$ex.err")
$(sed 's/^/      /' "$ex")"
	fi
done
[ "$n" -gt 0 ] || problem "no SQL examples (.Bd -literal) found under .Ss Examples of THE DATABASE in heaptrail.5"

[ ! -s problems ] || fail "heaptrail.5 and the database disagree:
$(sed 's/^/  /' problems)"
exit 0
