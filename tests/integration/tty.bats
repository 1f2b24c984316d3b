#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (the pty master sent to
# a receiver, as engines use it), and husk relaying a pty itself in the
# foreground, driven through a real terminal (tmux).

load helpers
load helpers_engine

setup() {
	setup_test
	own_cgroup
}

teardown() {
	tmux_stop
	teardown_test
}

# A program for the terminal: its output in recvtty's output file.
tty_cmd() {
	update_config '.process.terminal = true'
	set_cmd "$1"
}

@test "console socket: create sends the pty; the program's tty output reaches the receiver" {
	need_recvtty
	tty_cmd 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; echo on-stderr >&2'
	recvtty_start r
	create_ctr c1 --console-socket "$TESTDIR/r.sock"
	husk start c1
	recvtty_wait
	wait_status c1 stopped
	out=$(tty_text "$TESTDIR/r.out")
	# The pty comes from the container's own devpts instance: its first.
	[ "$(sed -n 1p <<<"$out")" = /dev/pts/0 ] || fail "recvtty got: $out"
	[ "$(sed -n 2p <<<"$out")" = all-ttys ] || fail "recvtty got: $out"
	[ "$(sed -n 3p <<<"$out")" = on-stderr ] || fail "recvtty got: $out"
	grep -q 'got /dev/pts/0' "$TESTDIR/r.err" || fail "recvtty: $(cat "$TESTDIR/r.err")"
	# Nothing of it went to create's stdio.
	[ ! -s "$TESTDIR/c1.stdout" ] || fail "create's stdout: $(cat "$TESTDIR/c1.stdout")"
	husk delete c1
	assert_clean
}

@test "console socket: run -d, the pty is the controlling terminal of a session leader" {
	need_recvtty
	# /dev/tty opens only with a controlling terminal; stat field 6 is the
	# session id, field 7 the terminal.
	tty_cmd 'echo via-dev-tty >/dev/tty; set -- $(cat /proc/self/stat); echo "sid=$6 self=$$ tty_nr=$7"'
	recvtty_start r
	run_detached c1 --console-socket "$TESTDIR/r.sock"
	recvtty_wait
	out=$(tty_text "$TESTDIR/r.out")
	[ "$(sed -n 1p <<<"$out")" = via-dev-tty ] || fail "recvtty got: $out"
	line=$(sed -n 2p <<<"$out")
	[[ "$line" =~ ^sid=1\ self=1\ tty_nr=([0-9]+)$ ]] || fail "recvtty got: $out"
	[ "${BASH_REMATCH[1]}" -ne 0 ]
	husk delete c1
	assert_clean
}

@test "console socket: consoleSize is applied" {
	need_recvtty
	tty_cmd 'stty size'
	update_config '.process.consoleSize = {"height": 33, "width": 77}'
	recvtty_start r
	run_detached c1 --console-socket "$TESTDIR/r.sock"
	recvtty_wait
	[ "$(tty_text "$TESTDIR/r.out")" = "33 77" ] || fail "stty size: $(tty_text "$TESTDIR/r.out")"
	husk delete c1
	assert_clean
}

@test "console socket: /dev/console in the container is the pty" {
	need_recvtty
	tty_cmd 'stat -c "%t:%T" /dev/console "$(tty)"; [ -c /dev/console ] && echo char'
	recvtty_start r
	run_detached c1 --console-socket "$TESTDIR/r.sock"
	recvtty_wait
	out=$(tty_text "$TESTDIR/r.out")
	console=$(sed -n 1p <<<"$out")
	pty=$(sed -n 2p <<<"$out")
	[ -n "$console" ] && [ "$console" = "$pty" ] || fail "/dev/console is $console, the tty $pty: $out"
	# A pts device (major 136 and up).
	[ $((0x${console%%:*})) -ge 136 ] || fail "/dev/console is $console, not a pts"
	[ "$(sed -n 3p <<<"$out")" = char ]
	husk delete c1
	assert_clean
}

@test "console socket: typed input reaches the program" {
	need_recvtty
	tty_cmd 'read line; echo "got $line"'
	recvtty_start r --input $'echo typed\n'
	run_detached c1 --console-socket "$TESTDIR/r.sock"
	recvtty_wait
	grep -qx 'got echo typed' <(tty_text "$TESTDIR/r.out") || fail "recvtty got: $(tty_text "$TESTDIR/r.out")"
	husk delete c1
	assert_clean
}

@test "console socket: a socket nobody listens on is a clear error, nothing left" {
	tty_cmd 'true'
	hrun husk_logged create --bundle "$BUNDLE" --console-socket "$TESTDIR/nobody.sock" c1
	assert_husk_error 'nobody\.sock'
	assert_clean
	rm -f "$LOG"
	hrun husk_logged run -d --bundle "$BUNDLE" --console-socket "$TESTDIR/nobody.sock" c1
	assert_husk_error 'nobody\.sock'
	assert_clean
}

@test "exec -t -d --console-socket: a pty of the container's devpts for the new process" {
	need_recvtty
	sleeper c1
	recvtty_start r --input $'hello\n'
	hrun husk exec -t -d --console-socket "$TESTDIR/r.sock" --pid-file "$TESTDIR/e.pid" c1 \
		sh -c 'tty; read l; echo "got $l"; stty size'
	[ "$status" -eq 0 ] || fail "exec: $stderr"
	recvtty_wait
	out=$(tty_text "$TESTDIR/r.out")
	grep -qx '/dev/pts/0' <<<"$out" || fail "recvtty got: $out"
	grep -qx 'got hello' <<<"$out" || fail "recvtty got: $out"
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "exec --process with terminal and consoleSize, -d --console-socket (containerd's exec)" {
	need_recvtty
	sleeper c1
	jq -n --arg tag "HUSK_TEST_TAG=$TAG" '{terminal: true, consoleSize: {height: 21, width: 67},
		args: ["sh", "-c", "tty; stty size"], env: ["PATH=/bin", $tag], cwd: "/", user: {uid: 0, gid: 0}}' \
		>"$TESTDIR/p.json"
	recvtty_start r
	hrun husk exec --process "$TESTDIR/p.json" -d --console-socket "$TESTDIR/r.sock" c1
	[ "$status" -eq 0 ] || fail "exec: $stderr"
	recvtty_wait
	[ "$(tty_text "$TESTDIR/r.out")" = $'/dev/pts/0\n21 67' ] || fail "recvtty got: $(tty_text "$TESTDIR/r.out")"
	husk delete -f c1
	assert_clean
}

@test "terminal without a console socket: run -d and exec -t -d fail clearly, nothing left" {
	tty_cmd 'true'
	hrun husk_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error 'terminal|console|tty'
	assert_clean
	update_config '.process.terminal = false'
	sleeper c2
	rm -f "$LOG"
	hrun husk_logged exec -t -d c2 sh -c 'touch /out/ran'
	assert_husk_error 'terminal|console|tty' 255
	[ ! -e "$OUT/ran" ] || fail "the process ran"
	husk delete -f c2
	assert_clean
}

# --- foreground, in a real terminal -----------------------------------------

# fg_session CMD...: tmux running `CMD...` in a bash that saves the
# terminal settings before and after, and husk's exit status.
fg_session() {
	need_tool tmux tmux
	tmux_start
	tmux_type "stty -g >$TESTDIR/stty.before; $(printf '%q ' "$@"); echo \$? >$TESTDIR/rc; stty -g >$TESTDIR/stty.after"
}

# The busybox shell in the container is up and reading the terminal.
wait_prompt() {
	wait_for 20 test -e "$OUT/ready" || fail "the container did not start: $(tmux_screen)"
	wait_for 10 tmux_screen_has '/ #' || fail "no prompt: $(tmux_screen)"
}

# check_size FILE ROWS COLS: types `stty size >FILE` into the container's
# shell until it shows ROWS COLS (a resize reaches husk as a signal, and
# is relayed before long, not at once).
check_size() {
	local i got
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rm -f "$OUT/$1"
		tmux_type "stty size >/out/$1"
		tmux_wait_file "$OUT/$1"
		got=$(cat "$OUT/$1")
		[ "$got" = "$2 $3" ] && return 0
		sleep 0.5
	done
	fail "stty size in the container says $got, the terminal is $2 $3"
}

# foreground_terminal_checks: with the container's shell at its prompt in
# the tmux pane: sizes, a resize (SIGWINCH), output, and the exit status.
foreground_terminal_checks() {
	check_size size1 40 100
	# (the screen shows the command typed, and its output, 42)
	tmux_type 'tty >/out/tty; echo "hello-$((6 * 7))"'
	wait_for 10 tmux_screen_has 'hello-42' || fail "no output: $(tmux_screen)"
	tmux_wait_file "$OUT/tty"
	[[ "$(cat "$OUT/tty")" =~ ^/dev/pts/[0-9]+$ ]] || fail "tty: $(cat "$OUT/tty")"
	# A foreground job of the shell gets SIGWINCH from the resize (the
	# interactive shell at its prompt would not run a WINCH trap: busybox's
	# line editor takes the signal for itself).
	tmux_type 'sh -c '"'"'trap "stty size >/out/winch; exit 0" WINCH; echo >/out/waiting; while :; do sleep 0.1; done'"'"
	tmux_wait_file "$OUT/waiting"
	tmux_resize 120 50
	tmux_wait_file "$OUT/winch"
	[ "$(cat "$OUT/winch")" = "50 120" ] || fail "the WINCH trap saw $(cat "$OUT/winch")"
	check_size size2 50 120
	tmux_type 'exit 7'
	tmux_wait_file "$TESTDIR/rc" 20
	[ "$(cat "$TESTDIR/rc")" = 7 ] || fail "husk exited $(cat "$TESTDIR/rc"), expected 7"
	tmux_wait_file "$TESTDIR/stty.after"
	[ "$(cat "$TESTDIR/stty.before")" = "$(cat "$TESTDIR/stty.after")" ] ||
		fail "the terminal settings were not restored: $(cat "$TESTDIR/stty.before") -> $(cat "$TESTDIR/stty.after")"
}

@test "foreground run with terminal: husk relays a pty; window size, resize, exit, terminal restored" {
	update_config '.process.terminal = true'
	set_cmd 'touch /out/ready; exec sh'
	fg_session "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	wait_prompt
	foreground_terminal_checks
	tmux_stop
	assert_clean
}

@test "foreground exec -t: husk relays a pty; window size, resize, exit, terminal restored" {
	sleeper c1
	fg_session "$HUSK" --root "$ROOT" exec -t c1 sh -c 'touch /out/ready; exec sh'
	wait_prompt
	foreground_terminal_checks
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	tmux_stop
	assert_clean
}

@test "foreground run with terminal: ^C in the terminal reaches the program, not husk" {
	update_config '.process.terminal = true'
	set_cmd 'touch /out/ready; exec sh'
	fg_session "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	wait_prompt
	# The shell's own foreground job gets SIGINT; the shell and husk stay.
	tmux_type 'trap "echo int >/out/int" INT; sleep 1000; echo after-sleep >/out/after'
	sleep 0.5
	tm send-keys -t 0 C-c
	tmux_wait_file "$OUT/after" 10
	tmux_type 'echo still-here >/out/alive'
	tmux_wait_file "$OUT/alive"
	[ ! -e "$TESTDIR/rc" ] || fail "husk exited $(cat "$TESTDIR/rc") on ^C"
	tmux_type 'exit 0'
	tmux_wait_file "$TESTDIR/rc" 20
	[ "$(cat "$TESTDIR/rc")" = 0 ]
	tmux_stop
	assert_clean
}

@test "foreground run with terminal under script(1): the output and the exit status" {
	need_tool script bsdutils
	update_config '.process.terminal = true'
	set_cmd 'stty size; tty; exit 3'
	st=0
	# stdin stays open (at EOF, script would type ^D into the terminal).
	HUSK_TEST_TAG=$TAG timeout 60 script -qec "stty rows 24 cols 80; $(printf '%q ' "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1)" \
		"$TESTDIR/typescript" < <(exec sleep 100) >"$TESTDIR/script.out" 2>&1 || st=$?
	[ "$st" -eq 3 ] || fail "script/husk exited $st: $(cat "$TESTDIR/script.out")"
	out=$(tty_text "$TESTDIR/script.out")
	grep -qx '24 80' <<<"$out" || fail "output: $out"
	grep -qE '^/dev/pts/[0-9]+$' <<<"$out" || fail "output: $out"
	assert_clean
}

# A /dev shared with a hostile sibling: a bind of a host directory that a
# loop keeps putting a symlink /dev/console -> /evil into whenever the name
# is free (issue 12.5).
@test "console socket: a sibling's symlink at /dev/console on a shared /dev is never followed nor left" {
	need_recvtty
	mkdir -p "$TESTDIR/shared-dev"
	ln -s pts/ptmx "$TESTDIR/shared-dev/ptmx"
	update_config '.mounts |= map(if .destination == "/dev" then
		{"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind", "rw"]} else . end)' \
		--arg d "$TESTDIR/shared-dev"
	tty_cmd '[ -L /dev/console ] && echo symlink; stat -c "%t:%T" /dev/console "$(tty)"; [ -e /evil ] && echo evil-made; true'
	bg_tagged sh -c 'cd "$1" && while :; do [ -e console ] || [ -L console ] || ln -s /evil console 2>/dev/null; done' \
		sibling "$TESTDIR/shared-dev"
	local sibling=$BG_PID i out console pty bad=0
	for ((i = 0; i < 20; i++)); do
		rm -f "$TESTDIR/shared-dev/console"
		ln -sfn /evil "$TESTDIR/shared-dev/console"
		recvtty_start r$i
		hrun husk run -d --console-socket "$TESTDIR/r$i.sock" --bundle "$BUNDLE" c$i
		# A symlink at /dev/console is the sibling's, not a reason to fail.
		[ "$status" -eq 0 ] || fail "start $i: $stderr"
		recvtty_wait
		out=$(tty_text "$TESTDIR/r$i.out")
		[[ "$out" != *symlink* ]] || fail "start $i: /dev/console is a symlink: $out"
		[[ "$out" != *evil-made* ]] || fail "start $i: the symlink was followed, /evil made: $out"
		console=$(sed -n 1p <<<"$out")
		pty=$(sed -n 2p <<<"$out")
		[ -n "$console" ] && [ "$console" = "$pty" ] || fail "start $i: /dev/console is $console, the tty $pty"
		husk delete -f c$i
		[ ! -e "$BUNDLE/rootfs/evil" ] || fail "start $i: $BUNDLE/rootfs/evil was made"
	done
	kill "$sibling"
	wait "$sibling" 2>/dev/null || true
	assert_clean
}
