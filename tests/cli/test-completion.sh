# Bash completion (completion/heaptrail.bash): it offers every command of
# `heaptrail --help`, and for each command exactly the long options of
# its --help; option words and file completion work.
. "$SRC/tests/lib.sh"
command -v bash > /dev/null || skip "bash is not installed"
script="$SRC/completion/heaptrail.bash"
# complete WORD...: what the completion offers for the last word
complete_words() {
	bash -c 'shopt -s extglob; . "$0"; COMP_WORDS=("$@");
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _heaptrail;
		printf "%s\n" "${COMPREPLY[@]}"' "$script" heaptrail "$@" | sort -u
}

commands=$("$HT" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || fail "no commands in heaptrail --help"
offered=$(complete_words "" | grep -v '^--')
expect_eq "$offered" "$(echo "$commands" | sort -u)" "commands offered"

for c in $commands; do
	[ "$c" = diff ] && continue	# not built yet: no --help
	want=$("$HT" "$c" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u)
	want=$(printf '%s\n--help\n' "$want" | grep . | sort -u)
	# (Not from "--": after `record --` comes the program.)
	got=$(complete_words "$c" - | grep -- '^--')
	expect_eq "$got" "$want" "$c: long options"
done

expect_eq "$(complete_words flamegraph --measure a)" allocations "--measure words"
expect_eq "$(complete_words leaks --format j)" json "--format words"
touch run.trace run.db other.txt
expect_eq "$(complete_words leaks ru | tr '\n' ' ')" "run.db run.trace " "query files"
expect_eq "$(complete_words analyze ru)" run.trace "analyze files"
exit 0
