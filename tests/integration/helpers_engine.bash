#!/bin/bash
# Helpers of the tests of the interface engines use (exec, terminals,
# signals, logging, features, engine flags).  Loaded after helpers.bash:
#
#   load helpers
#   load helpers_engine

RECVTTY=${HUSK_RECVTTY:-$REPO_ROOT/build/tests/tools/recvtty}
SECCOMP_AGENT=${HUSK_SECCOMP_AGENT:-$REPO_ROOT/build/tests/tools/seccomp_agent}

# need_tool NAME PACKAGE: skips the test (saying why) when NAME is missing.
need_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (apt-get install -y $2)"
}

need_recvtty() {
	[ -x "$RECVTTY" ] || skip "$RECVTTY is missing (ninja -C build builds it)"
}

# ---------------------------------------------------------------------------
# Namespaces and processes.

# ctr_ns ID TYPE: the namespace of the container's process, as readlink
# shows it ("net:[4026531840]").
ctr_ns() {
	readlink "/proc/$(ctr_pid "$1")/ns/$2"
}

# sleeper ID [run flags...]: a detached container running `sleep`, ready
# for exec.
sleeper() {
	set_args sleep 100000
	run_detached "$@"
}

# The effective capabilities of a process as a number.
cap_eff() {
	echo $((0x$(awk '/^CapEff:/ { print $2 }' "/proc/$1/status")))
}

# has_cap MASK CAP_NUMBER
has_cap() {
	(($1 >> $2 & 1))
}

# ---------------------------------------------------------------------------
# Signals.

# The catchable signals a busybox sh can trap, by number: every one but
# KILL, STOP, CHLD (each usleep of the loop would fire it) and the two real
# time signals glibc keeps for itself.
TRAPPABLE_SIGNALS=$(for n in $(seq 1 64); do
	case $n in 9 | 17 | 19 | 32 | 33) ;; *) echo "$n" ;; esac
done)

# trap_all_cmd: a script recording each signal it gets as /out/got.N (and
# appending N to /out/sigs), running until killed.  Traps run between
# commands, so it waits in a loop of short sleeps.
trap_all_cmd() {
	local n s=''
	for n in $TRAPPABLE_SIGNALS; do
		s+="trap 'echo $n >>/out/sigs; touch /out/got.$n' $n; "
	done
	echo "$s touch /out/ready; while :; do usleep 10000; done"
}

# trap_exit_cmd: a script that exits on TERM, USR1, HUP, INT, QUIT with a
# code of its own (42, 43, 44, 45, 46), writing the name to /out/sig first.
trap_exit_cmd() {
	echo "trap 'echo TERM >/out/sig; exit 42' TERM; trap 'echo USR1 >/out/sig; exit 43' USR1; \
trap 'echo HUP >/out/sig; exit 44' HUP; trap 'echo INT >/out/sig; exit 45' INT; \
trap 'echo QUIT >/out/sig; exit 46' QUIT; \
touch /out/${1:-ready}; while :; do usleep 10000; done"
}

# wait_bg PID [SECONDS]: sets BG_STATUS to the exit status of a background job
# (bg_tagged), killing it after SECONDS (20).  Not for $(...): a subshell
# cannot wait for its parent's children.
wait_bg() {
	local pid=$1 secs=${2:-20}
	BG_STATUS=0
	if ! wait_for "$secs" pid_gone "$pid"; then
		kill -9 "$pid" 2>/dev/null
		echo "background job $pid did not exit within ${secs}s" >&2
	fi
	wait "$pid" || BG_STATUS=$?
}

# ---------------------------------------------------------------------------
# Console sockets.

# recvtty_start NAME [recvtty flags...]: a recvtty listening on
# $TESTDIR/NAME.sock, its output in $TESTDIR/NAME.out (stderr in NAME.err).
# Sets RECVTTY_PID.
recvtty_start() {
	local name=$1
	shift
	rm -f "$TESTDIR/$name.ready"
	bg_tagged "$RECVTTY" "$@" --ready "$TESTDIR/$name.ready" "$TESTDIR/$name.sock" \
		</dev/null >"$TESTDIR/$name.out" 2>"$TESTDIR/$name.err"
	RECVTTY_PID=$BG_PID
	wait_for 10 test -e "$TESTDIR/$name.ready" || fail "recvtty did not start: $(cat "$TESTDIR/$name.err")"
}

# recvtty_wait: waits for recvtty to see the pty close, and fails unless it
# received a terminal.
recvtty_wait() {
	wait_bg "$RECVTTY_PID" 30
	[ "$BG_STATUS" -eq 0 ] || fail "recvtty exited $BG_STATUS: $(cat "$TESTDIR"/*.err 2>/dev/null)"
}

# tty_text FILE: a terminal's output without carriage returns.
tty_text() {
	tr -d '\r' <"$1"
}

# ---------------------------------------------------------------------------
# tmux: a real terminal for a foreground husk.

# tmux with the test's own server.
tm() {
	tmux -S "$TESTDIR/tmux.sock" "$@"
}

# tmux_start: a detached 100x40 session running a plain bash (prompt
# "host$ ") with the test's tag, so teardown finds what it runs.
tmux_start() {
	HUSK_TEST_TAG=$TAG tm -f /dev/null new-session -d -x 100 -y 40 \
		"env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm HUSK_TEST_TAG=$TAG PS1='host\$ ' bash --norc --noprofile"
	wait_for 10 tmux_screen_has 'host$' || fail "tmux did not start: $(tmux_screen)"
}

tmux_stop() {
	[ -S "$TESTDIR/tmux.sock" ] && tm kill-server 2>/dev/null
	return 0
}

# tmux_type TEXT: types TEXT and Enter into the pane.
tmux_type() {
	tm send-keys -t 0 -l "$1" && tm send-keys -t 0 Enter
}

tmux_screen() {
	tm capture-pane -p -t 0
}

tmux_screen_has() {
	tmux_screen | grep -qF -- "$1"
}

# tmux_resize COLS ROWS
tmux_resize() {
	tm resize-window -t 0 -x "$1" -y "$2"
}

# tmux_wait_file FILE [SECONDS]: waits for FILE to be non-empty; the screen
# is shown on failure.
tmux_wait_file() {
	wait_for "${2:-15}" test -s "$1" || fail "no $1; the screen: $(tmux_screen)"
}

# ---------------------------------------------------------------------------
# cgroups

# own_cgroup [NAME]: the bundle's containers get a cgroup of this test
# (/husk/<tag>[-NAME]) instead of the default /husk/<id>: tests running at
# the same time all name their containers c1, and would share (and kill
# through) one cgroup.  Call it again with a NAME before creating a second
# container that runs alongside the first.
own_cgroup() {
	update_config '.linux.cgroupsPath = $p' --arg p "/husk/$TAG${1:+-$1}"
}
