#!/usr/bin/env bats
# runc's command-line conventions (issue 13): -h/--help at every level,
# help COMMAND, version as a command as well as --version, and unknown
# commands or flags as one "husk: ..." line with a non-zero exit.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# The command names of husk --help's "Commands:" section.
commands() {
	"$HUSK" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

@test "husk --help lists help and version among the commands" {
	run -0 commands
	[[ " ${lines[*]} " == *" help "* ]] || fail "no help command: ${lines[*]}"
	[[ " ${lines[*]} " == *" version "* ]] || fail "no version command: ${lines[*]}"
	[ "${#lines[@]}" -ge 17 ] || fail "too few commands: ${lines[*]}"
}

@test "every command: --help and -h print its usage on stdout and exit 0" {
	local cmd
	for cmd in $(commands); do
		hrun husk "$cmd" --help
		[ "$status" -eq 0 ] || fail "$cmd --help exited $status: $stderr" || return
		[[ "${lines[0]}" == "usage: husk $cmd"* ]] || fail "$cmd --help: ${lines[0]}" || return
		[ -z "$stderr" ] || fail "$cmd --help wrote to stderr: $stderr" || return
		local long=$output
		hrun husk "$cmd" -h
		[ "$status" -eq 0 ] || fail "$cmd -h exited $status" || return
		[ "$output" = "$long" ] || fail "$cmd -h differs from --help" || return
	done
	assert_clean
}

@test "help COMMAND prints exactly COMMAND --help" {
	local cmd
	for cmd in $(commands); do
		hrun husk help "$cmd"
		[ "$status" -eq 0 ] || fail "help $cmd exited $status: $stderr" || return
		[ -z "$stderr" ] || return
		local via_help=$output
		hrun husk "$cmd" --help
		[ "$output" = "$via_help" ] || fail "help $cmd differs from $cmd --help" || return
	done
}

@test "help alone and -h print the global usage, exit 0" {
	hrun husk help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	local via_help=$output
	hrun husk --help
	[ "$output" = "$via_help" ]
	hrun husk -h
	[ "$output" = "$via_help" ]
	[[ "$via_help" == *"husk help COMMAND"* ]]
}

@test "help of an unknown command: one line, non-zero exit" {
	hrun husk help frobnicate
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[[ "$stderr" == "husk: "*frobnicate* ]]
}

@test "unknown flag of every command: one husk: line naming it, non-zero exit, nothing created" {
	local cmd
	for cmd in $(commands); do
		hrun husk "$cmd" --frobnicate c1
		[ "$status" -ne 0 ] || fail "$cmd --frobnicate exited 0" || return
		[ -z "$output" ] || fail "$cmd: stdout: $output" || return
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$cmd: stderr: $stderr" || return
		[[ "$stderr" == "husk: "*--frobnicate* ]] || fail "$cmd: $stderr" || return
	done
	[ ! -e "$ROOT/c1" ]
	assert_clean
}

@test "unknown command and unknown global flag: one husk: line, non-zero exit" {
	hrun husk frobnicate
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" == "husk: "*frobnicate* ]]
	hrun husk --frobnicate version
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" == "husk: "*--frobnicate* ]]
}

@test "version: the same lines as --version, in runc's shape, spec 1.3.0" {
	hrun husk version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	local cmd=$output
	[[ "${lines[0]}" =~ ^husk\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "first line: ${lines[0]}"
	[[ "$output" == *$'\nspec: 1.3.0'* ]] || fail "no spec: 1.3.0 line: $output"
	[[ "$output" =~ (^|$'\n')libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "no libseccomp line: $output"
	# a commit line, when there is one, names a git object
	if [[ "$output" == *commit:* ]]; then
		[[ "$output" =~ $'\n'commit:\ [0-9a-zA-Z.-]+$'\n' ]] || fail "bad commit line: $output"
	fi
	hrun husk --version
	[ "$output" = "$cmd" ]
	hrun husk -v
	[ "$output" = "$cmd" ]
	hrun husk version extra
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}
