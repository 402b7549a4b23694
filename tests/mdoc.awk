# mdoc.awk - reading an mdoc(7) page in awk, for the man-page tests
# (tests/cli/test-manpage-*.sh run it with -f before their own program).

# getl(): reads the next line of the page into the global "line",
# skipping comment lines (.\") and joining lines continued with a
# trailing backslash; returns 0 at the end of the page.
function getl(    l, x) {		# next line, continuations joined
	do {
		if ((getline l) <= 0)
			return 0
	} while (l ~ /^\.\\"/)
	while (l ~ /\\$/ && l !~ /\\\\$/ && (getline x) > 0)
		l = substr(l, 1, length(l) - 1) " " x
	line = l
	return 1
}

# head(): the whole head of the .It item in "line", up to its .Xc when it
# is an ".It Xo" (reading on with getl).
function head(    h) {
	h = line
	if (h ~ /(^|[ \t])Xo([ \t]|$)/)
		while (getl() && line !~ /^\.Xc/)
			h = h " " line
	return h
}
