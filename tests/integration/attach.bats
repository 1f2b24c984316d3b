#!/usr/bin/env bats
# `husk container attach` (issue 15, "Attach"): the client side of the
# shim's attach socket (src/shim/attach_client.c).  Here against a stand-in
# server speaking the protocol (tests/tools/attach_server.c), which runs a
# host command as the "container", so that the relay, the detach keys, the
# terminal's raw mode and the resizes are tested on their own; the tests
# with the real shim are in attach_shim.bats.

load helpers
load engine_image

ATTACH_SERVER=${HUSK_ATTACH_SERVER:-$REPO_ROOT/build/tests/tools/attach_server}
PTY_DRIVE=$REPO_ROOT/tests/tools/pty_drive.py

setup() {
	setup_test
	STORE=$TESTDIR/store
	make_image bb '{"Cmd":["sh"]}' "$BUNDLE/rootfs"
}

teardown() {
	teardown_test
}

# serve NAME [-t] COMMAND...: a container NAME (created with -i, and -t
# when given) whose attach socket the stand-in serves, running COMMAND on
# the host.  Sets CDIR, SERVER_PID.
serve() {
	local name=$1 t=()
	shift
	[ "$1" = -t ] && { t=(-t); shift; }
	hrun eng container create -i "${t[@]}" --name "$name" bb
	[ "$status" -eq 0 ] || fail "create: $stderr" || return
	CDIR=$STORE/containers/$output
	bg_tagged "$ATTACH_SERVER" "${t[@]}" "$CDIR" "$@"
	SERVER_PID=$BG_PID
	wait_for 5 test -S "$CDIR/attach" || fail "the stand-in server did not listen"
}

# drive ROWS COLS HUSK-ARGS... <STEPS: husk on a pty of its own, through
# tests/tools/pty_drive.py; its report in $output, its status in $status.
drive() {
	local rows=$1 cols=$2
	shift 2
	status=0
	output=$(HUSK_TEST_TAG=$TAG timeout 30 python3 "$PTY_DRIVE" "$rows" "$cols" \
		"$HUSK" --root "$ROOT" --store "$STORE" "$@" 2>"$TESTDIR/drive.err") || status=$?
	stderr=$(<"$TESTDIR/drive.err")
}

@test "attach: stdout and stderr apart, stdin in, the container's exit code out" {
	serve c sh -c 'read x; echo "got $x"; echo "to stderr" >&2; exit 3'
	st=0
	echo hello | eng container attach c >"$TESTDIR/o" 2>"$TESTDIR/e" || st=$?
	[ "$st" -eq 3 ] || fail "exit $st: $(cat "$TESTDIR/e")"
	[ "$(cat "$TESTDIR/o")" = "got hello" ] || fail "stdout: $(cat "$TESTDIR/o")"
	[ "$(cat "$TESTDIR/e")" = "to stderr" ] || fail "stderr: $(cat "$TESTDIR/e")"
	# A signal death is 128+N, as run's.
	serve d sh -c 'read x; kill -TERM $$'
	st=0
	echo x | eng container attach d >/dev/null 2>&1 || st=$?
	[ "$st" -eq 143 ] || fail "killed by SIGTERM: exit $st"
}

@test "attach: ctrl-p ctrl-q detaches without stopping; a second attach goes on; --detach-keys" {
	serve c sh -c 'while read l; do echo "got $l"; [ "$l" = quit ] && exit 4; done'
	st=0
	printf 'one\n\x10\x11two\n' | eng container attach c >"$TESTDIR/o1" 2>&1 || st=$?
	[ "$st" -eq 0 ] || fail "detach: exit $st: $(cat "$TESTDIR/o1")"
	kill -0 "$SERVER_PID" || fail "the container ended at the detach"
	# What followed the keys was not sent; an incomplete prefix goes through.
	printf 'three\x10\nquit\n' | eng container attach --detach-keys ctrl-x,a c >"$TESTDIR/o2" 2>&1 || st=$?
	[ "$st" -eq 4 ] || fail "second attach: exit $st: $(cat "$TESTDIR/o2")"
	grep -q "got three$(printf '\x10')\$" "$TESTDIR/o2" || fail "ctrl-p alone was not passed: $(od -c "$TESTDIR/o2")"
	! grep -q "got two" "$TESTDIR/o2" || fail "the bytes after the detach keys reached the container"
	wait "$SERVER_PID"
}

@test "attach: two attachers at once both see the output; either one's input goes in" {
	serve c sh -c 'while read l; do echo "got $l"; [ "$l" = quit ] && exit 5; done'
	mkfifo "$TESTDIR/in"
	eng container attach c <"$TESTDIR/in" >"$TESTDIR/a" 2>&1 &
	a=$!
	exec 7>"$TESTDIR/in"
	echo a-ready >&7
	wait_for 5 grep -q "got a-ready" "$TESTDIR/a" || fail "first attacher: $(cat "$TESTDIR/a")"
	st=0
	printf 'from-b\nquit\n' | eng container attach c >"$TESTDIR/b" 2>&1 || st=$?
	exec 7>&-
	wait "$a" || sta=$?
	[ "$st" -eq 5 ] && [ "${sta:-0}" -eq 5 ] || fail "exit codes $st and ${sta:-0}"
	grep -q "got from-b" "$TESTDIR/a" || fail "first attacher missed the output: $(cat "$TESTDIR/a")"
	grep -q "got quit" "$TESTDIR/b" || fail "second attacher: $(cat "$TESTDIR/b")"
}

@test "attach -t: raw mode while attached and restored after, size at attach and at SIGWINCH, detach keys" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	serve c -t sh -c 'stty -echo; echo ready; while read l; do echo "got $l"; stty size; [ "$l" = quit ] && exit 6; done'
	drive 33 101 container attach c <<-'EOF'
	sleep 0.5
	mode
	send one\r
	expect got one
	resize 40 120
	sleep 0.3
	send two\r
	expect 40 120
	send quit\r
	end
	EOF
	[ "$status" -eq 0 ] || fail "pty_drive: $status: $stderr"
	[[ "$output" == *"mode raw"* ]] || fail "the terminal was not raw while attached: $output"
	[[ "$output" == *"exit 6"* ]] || fail "exit code: $output"
	[[ "$output" == *"final-mode cooked"* ]] || fail "the terminal was left raw: $output"
	[ "$(head -1 "$CDIR/resizes")" = "33 101" ] || fail "initial size: $(cat "$CDIR/resizes")"
	grep -qx "40 120" "$CDIR/resizes" || fail "no resize: $(cat "$CDIR/resizes")"
	# Detach from a tty: the terminal restored, the container still runs.
	serve d -t sh -c 'echo ready; sleep 100'
	drive 24 80 container attach d <<-'EOF'
	sleep 0.3
	send \x10\x11
	end
	EOF
	[[ "$output" == *"exit 0"* ]] || fail "detach: $output"
	[[ "$output" == *"final-mode cooked"* ]] || fail "the terminal was left raw after the detach: $output"
	kill -0 "$SERVER_PID" || fail "the container ended at the detach"
	# A signal to the attached husk: the terminal restored too.
	drive 24 80 container attach d <<-'EOF'
	sleep 0.3
	signal SIGTERM
	end
	EOF
	[[ "$output" == *"exit 143"* ]] || fail "SIGTERM: $output"
	[[ "$output" == *"final-mode cooked"* ]] || fail "the terminal was left raw after SIGTERM: $output"
	kill -0 "$SERVER_PID" || fail "the container ended with its attacher"
}

@test "attach --no-stdin: nothing of husk's stdin reaches the container" {
	serve c sh -c 'timeout 2 cat; echo done'
	st=0
	echo hello | eng container attach --no-stdin c >"$TESTDIR/o" 2>&1 || st=$?
	[ "$st" -eq 0 ] || fail "exit $st: $(cat "$TESTDIR/o")"
	[ "$(cat "$TESTDIR/o")" = done ] || fail "stdin was relayed: $(cat "$TESTDIR/o")"
}

@test "attach: bad input fails with one line and leaves nothing" {
	hrun eng container attach nosuch
	assert_husk_error 'nosuch'
	hrun eng container create --name made bb
	hrun eng container attach made
	assert_husk_error 'container made: is not running \(created\)'
	hrun eng container attach --detach-keys ctrl-1 made
	assert_husk_error '--detach-keys ctrl-1: "ctrl-1" is not a key'
	hrun eng container attach --sig-proxy=maybe made
	assert_husk_error 'sig-proxy'
	hrun eng container attach
	assert_husk_error 'attach'
	hrun eng container rm made
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_clean
}

@test "attach: a foreground run is under its shim too: a second attacher sees its output and gets its exit code" {
	HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" --store "$STORE" container run --name fg \
		-e "HUSK_TEST_TAG=$TAG" bb sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye; exit 3' \
		</dev/null >"$TESTDIR/fg.out" 2>&1 &
	fg=$!
	wait_for 10 eval '"$HUSK" --root "$ROOT" --store "$STORE" container ls -q | grep -q .' ||
		fail "the container does not run"
	eng container attach fg </dev/null >"$TESTDIR/a.out" 2>&1 &
	a=$!
	sleep 0.3
	eng container exec fg touch /tmp/go
	st=0
	wait "$a" || st=$?
	[ "$st" -eq 3 ] || fail "attach exit $st: $(cat "$TESTDIR/a.out")"
	st=0
	wait "$fg" || st=$?
	[ "$st" -eq 3 ] || fail "run exit $st"
	grep -q bye "$TESTDIR/a.out" && grep -q bye "$TESTDIR/fg.out"
}
