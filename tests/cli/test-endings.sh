# return, exit(), _exit(), _Exit() and threads still running at exit all
# lose nothing: 1000 allocations, 600 frees, 400 live 48-byte blocks.
. "$SRC/tests/lib.sh"
for how in return exit _exit _Exit abort-threads; do
	record $how.trace "$BUILD/tests/endings" $how || fail "$how: record failed"
	stats $how.trace
	expect_eq "$(stat $how.trace complete)" yes "$how: clean end"
	expect_eq "$(allocs_by_size $how.trace 48)" 1000 "$how: 48-byte allocations"
	expect_eq "$(live_by_size $how.trace 48)" 400 "$how: live 48-byte blocks"
	expect_eq "$(stat $how.trace unknown_frees)" 0 "$how: unknown frees"
done
