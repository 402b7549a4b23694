# heaptrail.bash - bash completion for heaptrail: commands, each command's
# options, the words some options take, and files (traces for record's
# output and analyze, databases or traces for the queries).
#
# Installed by `make install` as
# PREFIX/share/bash-completion/completions/heaptrail; to try it from the
# source tree: `. completion/heaptrail.bash`.  The option lists follow
# each command's --help (tests/cli/test-completion.sh checks that).

_heaptrail_options()
{
	case $1 in
	record) echo "-o --output -d --depth -u --unwind -q --quiet --help" ;;
	analyze) echo "-o --output -a --all-blocks --help" ;;
	summary) echo "--format --suppressions --help" ;;
	sites) echo "--format --wide --limit --sort --at --by --focus --suppressions --help" ;;
	leaks) echo "--format --wide --limit --sort --at --by --focus --fail-on-leak --suppressions --min-bytes --help" ;;
	growth) echo "--format --wide --limit --sort --from --to --by --focus --suppressions --help" ;;
	diff) echo "--format --wide --limit --sort --at --from --to --help" ;;
	modules) echo "--format --wide --limit --sort --at --help" ;;
	check) echo "--format --wide --limit --sort --help" ;;
	timeline) echo "--format --wide --limit --sort --from --to --help" ;;
	flamegraph) echo "--measure --at --from --to --limit --help" ;;
	pprof) echo "-o --output --at --help" ;;
	tui) echo "--at --from --to --suppressions --help" ;;
	dump) echo "-s --stats -O --ordered --help" ;;
	symbolize) echo "-j --json --help" ;;
	esac
}

_heaptrail()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="record analyze summary sites leaks growth modules
	    timeline flamegraph pprof diff check tui dump symbolize"
	local cmd=${COMP_WORDS[1]} i

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	# record: past the program's name, complete as for that program.
	if [ "$cmd" = record ]; then
		for ((i = 2; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--) break ;;
			-o|--output|-d|--depth|-u|--unwind) ((i++)) ;;
			-*) ;;
			*) break ;;
			esac
		done
		[ "$i" -lt "$COMP_CWORD" ] && [ "${COMP_WORDS[i]}" = -- ] &&
			((i++))
		if [ "$i" -lt "$COMP_CWORD" ]; then
			COMPREPLY=($(compgen -f -- "$cur"))	# its arguments
			return
		fi
		if [ "$i" -eq "$COMP_CWORD" ] && [[ $cur != -* ]] &&
		    [[ $prev != -o && $prev != --output && $prev != -d &&
		    $prev != --depth && $prev != -u && $prev != --unwind ]]; then
			COMPREPLY=($(compgen -c -- "$cur" | sort -u))	# the program
			return
		fi
	fi
	case $prev in
	--format) COMPREPLY=($(compgen -W "table csv json" -- "$cur")); return ;;
	--measure) COMPREPLY=($(compgen -W "live peak allocations leak" -- "$cur")); return ;;
	--by) COMPREPLY=($(compgen -W "site stack function file object" -- "$cur")); return ;;
	-u|--unwind) COMPREPLY=($(compgen -W "dwarf fp libunwind" -- "$cur")); return ;;
	--at|--from|--to) COMPREPLY=($(compgen -W "end peak 50%" -- "$cur")); return ;;
	--limit|--sort|--focus|--min-bytes|-d|--depth) return ;;
	-o|--output|--suppressions) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_heaptrail_options "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	analyze|dump) COMPREPLY=($(compgen -f -X '!*.trace*' -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -X '!*.@(db|trace*)' -- "$cur")) ;;
	esac
	# Directories too, to walk into.
	COMPREPLY+=($(compgen -d -- "$cur"))
}

complete -F _heaptrail -o filenames heaptrail
