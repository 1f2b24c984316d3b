#!/usr/bin/env bats
# Distribution (issue 13): `meson install` of a fresh build of this source
# tree installs husk, a man page per command that man renders, and a bash
# completion script that completes commands, flags and container ids.

load helpers

# One build and one staged install for the whole file: $INST/dest.
setup_file() {
	INST=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-install.XXXXXX")
	export INST DEST=$INST/dest
	meson setup "$INST/build" "$REPO_ROOT" --prefix /usr >"$INST/setup.log" 2>&1 ||
		{ echo "meson setup failed: $(tail -20 "$INST/setup.log")" >&3; return 1; }
	meson install -C "$INST/build" --destdir "$DEST" >"$INST/install.log" 2>&1 ||
		{ echo "meson install failed: $(tail -20 "$INST/install.log")" >&3; return 1; }
}

teardown_file() {
	[ -n "${INST:-}" ] && rm -rf "$INST"
}

setup() {
	setup_test
	IHUSK=$DEST/usr/bin/husk
}

teardown() {
	teardown_test
}

# The commands of an installed husk's --help.
installed_commands() {
	"$IHUSK" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

@test "install: bin/husk, runnable, the version of this tree" {
	[ -x "$IHUSK" ]
	run -0 "$IHUSK" version
	[[ "${lines[0]}" =~ ^husk\ version\ [0-9] ]]
	[[ "$output" == *"spec: 1.3.0"* ]]
	run -0 "$HUSK" version
	local built=${lines[0]}
	run -0 "$IHUSK" --version
	[ "${lines[0]}" = "$built" ]
}

@test "install: a man page per command, in man8, and husk(8)" {
	local man8=$DEST/usr/share/man/man8 cmd n=0
	[ -f "$man8/husk.8" ] || fail "no husk.8 in $(ls "$man8" 2>&1)"
	for cmd in $(installed_commands); do
		[ -f "$man8/husk-$cmd.8" ] || fail "no man page for $cmd" || return
		n=$((n + 1))
	done
	[ "$n" -ge 17 ] || fail "only $n commands"
	# and no page for a command husk does not have
	local page
	for page in "$man8"/husk-*.8; do
		page=${page##*/husk-}
		installed_commands | grep -qx "${page%.8}" || fail "man page for unknown command ${page%.8}" || return
	done
}

@test "install: every man page is roff that man renders without a warning" {
	command -v man >/dev/null || skip "man-db is not installed (scripts/deps.sh test installs it)"
	local f text warn
	for f in "$DEST"/usr/share/man/man8/*.8; do
		head -5 "$f" | grep -q '^\.TH ' || fail "$f: no .TH header" || return
		warn=$(MANWIDTH=100 man --warnings -l "$f" 2>&1 >/dev/null)
		[ -z "$warn" ] || fail "$f: $warn" || return
		text=$(MANWIDTH=100 man -l "$f" 2>/dev/null)
		local name=${f##*/}
		name=${name%.8}
		[[ "$text" == *NAME*"$name - "*SYNOPSIS*OPTIONS* ]] || fail "$f renders as: $text" || return
	done
}

@test "install: each man page names every flag of its command's --help" {
	local cmd flag
	for cmd in $(installed_commands); do
		local page=$DEST/usr/share/man/man8/husk-$cmd.8
		# the usage lines: up to the blank line before the summary
		for flag in $("$IHUSK" help "$cmd" | sed '/^$/q' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
			grep -qF -- "\\fB$flag\\fP" "$page" || fail "husk-$cmd(8) does not describe $flag" || return
		done
	done
	# and husk(8) the global ones
	for flag in $("$IHUSK" --help | sed -n '/^Global options:/,/^$/p' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -qF -- "\\fB$flag\\fP" "$DEST/usr/share/man/man8/husk.8" || fail "husk(8) does not describe $flag" || return
	done
}

@test "install: the bash completion, in bash-completion's completions dir" {
	local want=$DEST/usr/share/bash-completion/completions/husk
	if pkg-config --exists bash-completion; then
		want=$DEST$(pkg-config --variable=completionsdir --define-variable=datadir=/usr/share bash-completion)/husk
	fi
	[ -f "$want" ] || fail "no $want: $(find "$DEST" -name husk -path '*completion*')"
	run -0 bash -n "$want"
}

# complete WORD...: the completions bash offers for the last WORD, with the
# installed script sourced and the installed husk first in PATH.
complete_words() {
	PATH=$DEST/usr/bin:$PATH bash -c '
		source "$1"; shift
		complete -p husk | grep -q -- "-F _husk" || { echo "not registered: $(complete -p husk)"; exit 1; }
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_husk husk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		bash "$DEST/usr/share/bash-completion/completions/husk" "$@"
}

@test "completion: commands" {
	run -0 complete_words husk ru
	[ "$output" = run ]
	run -0 complete_words husk ""
	local cmd
	for cmd in $(installed_commands); do
		[[ $'\n'"$output"$'\n' == *$'\n'"$cmd"$'\n'* ]] || fail "$cmd not offered: $output" || return
	done
	run -0 complete_words husk --root /tmp st
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "start state " ]
	run -0 complete_words husk help upd
	[ "$output" = update ]
}

@test "completion: flags of the global level and of a command" {
	run -0 complete_words husk --ro
	[ "$(tr '\n' ' ' <<<"$output")" = "--root --rootless " ]
	run -0 complete_words husk --sys
	[ "$output" = --systemd-cgroup ]
	# a command's flags, not the global ones
	run -0 complete_words husk list --r
	[ -z "$output" ]
	run -0 complete_words husk run --de
	[ "$output" = --detach ]
	run -0 complete_words husk exec --ignore
	[ "$output" = --ignore-paused ]
	run -0 complete_words husk list --format ""
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "json table " ]
}

@test "completion: container ids under --root, and signals for kill" {
	create_ctr c1
	run -0 complete_words husk --root "$ROOT" state ""
	[ "$output" = c1 ]
	run -0 complete_words husk --root "$ROOT" kill c1 KI
	[ "$output" = KILL ]
	# create names a new container: no id is offered
	run -0 complete_words husk --root "$ROOT" create ""
	[ -z "$output" ]
	husk delete -f c1
	assert_clean
}
