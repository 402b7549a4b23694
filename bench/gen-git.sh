#!/bin/sh
# gen-git.sh - writes a `git fast-import` stream for the git workload of
# `make bench`: COMMITS (default 1000) commits on one branch, by a fixed
# author at fixed dates, over 20 generated text files of 300 lines; each
# commit rewrites 10-39 lines in each of three files (always including
# file 0, so it has a long history), from a fixed-seed generator.
#
# usage: bench/gen-git.sh [COMMITS] | git -C REPO fast-import --quiet
set -eu
commits=${1:-1000}
awk -v commits="$commits" '
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return int(seed / 65536) % n }
function word() { return w[rnd(nw) + 1] }
function line(   s, k, n) { n = 3 + rnd(8); s = word(); for (k = 1; k < n; k++) s = s " " word(); return s }
BEGIN {
	seed = 7
	nw = split("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat", w, " ")
	nfiles = 20; nlines = 300
	for (f = 0; f < nfiles; f++)
		for (l = 1; l <= nlines; l++)
			text[f, l] = line()
	for (c = 1; c <= commits; c++) {
		for (k = 0; k < 3; k++) {
			f = k == 0 ? 0 : rnd(nfiles)
			changed[k] = f
			n = 10 + rnd(30)
			for (j = 0; j < n; j++)
				text[f, rnd(nlines) + 1] = line()
		}
		date = 1600000000 + c * 3600
		msg = "change " c ": " line()
		print "commit refs/heads/main"
		print "author Bench Author <bench@example.com> " date " +0000"
		print "committer Bench Author <bench@example.com> " date " +0000"
		print "data " length(msg) + 1
		print msg
		nm = c == 1 ? nfiles : 3
		for (k = 0; k < nm; k++) {
			f = c == 1 ? k : changed[k]
			body = ""
			for (l = 1; l <= nlines; l++)
				body = body text[f, l] "\n"
			print "M 100644 inline file" f ".txt"
			print "data " length(body)
			printf "%s\n", body
		}
		print ""
	}
}'
