#!/usr/bin/env bats
# The lifecycle of runtime-spec runtime.md: create, start, run, kill, delete.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

@test "create: the container waits, created, and none of the program has run" {
	set_cmd 'touch /out/marker; while [ ! -e /out/go ]; do usleep 10000; done; echo done >/out/marker'
	create_ctr c1
	[ "$(ctr_status c1)" = created ]
	pid=$(ctr_pid c1)
	[ "$pid" -gt 0 ]
	pid_alive "$pid"
	# Give a program that would have been started early a chance to show.
	sleep 0.1
	[ ! -e "$OUT/marker" ] || fail "the program ran before start"
	[ "$(ctr_status c1)" = created ]

	run --separate-stderr -0 husk start c1
	[ -z "$output" ] && [ -z "$stderr" ]
	wait_for 5 test -e "$OUT/marker"
	[ "$(ctr_status c1)" = running ]
	# start execs in place: the container keeps its pid.
	[ "$(ctr_pid c1)" = "$pid" ]

	touch "$OUT/go"
	wait_status c1 stopped
	[ "$(cat "$OUT/marker")" = done ]
	[ "$(ctr_pid c1)" = 0 ]

	husk delete c1
	run -1 husk state c1
	assert_clean
}

@test "create: the container's stdio is the one create was given" {
	set_cmd 'echo to-stdout; echo to-stderr >&2'
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	[ "$(cat "$TESTDIR/c1.stdout")" = to-stdout ]
	[ "$(cat "$TESTDIR/c1.stderr")" = to-stderr ]
	husk delete c1
	assert_clean
}

@test "start: returns once the program runs; a failing program's exit is not start's" {
	set_cmd 'echo started >/out/marker; exit 7'
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	[ "$(cat "$OUT/marker")" = started ]
	husk delete c1
	assert_clean
}

@test "run: foreground returns the container's exit code" {
	set_cmd 'exit 3'
	run -3 run_ctr c1
	set_cmd 'exit 0'
	run -0 run_ctr c2
	set_cmd 'exit 255'
	run -255 run_ctr c3
	assert_clean
}

@test "run: the program's output comes through" {
	set_cmd 'echo hello from $(cat /etc/hostname)'
	run -0 run_ctr c1
	[ "$output" = "hello from husk-test" ]
	assert_clean
}

@test "run: killed by a signal from inside, exit code 128+N" {
	# Without a pid namespace the shell is not an init, so it can kill
	# itself from inside.
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'kill -9 $$'
	run -137 run_ctr c1
	set_cmd 'kill -TERM $$'
	run -143 run_ctr c2
	assert_clean
}

@test "run: killed by SIGKILL from the host, exit code 137" {
	set_cmd 'touch /out/ready; exec sleep 1000'
	bg_tagged "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" --pid-file "$TESTDIR/pid" c1 </dev/null >/dev/null 2>&1
	hpid=$BG_PID
	wait_for 10 test -e "$OUT/ready"
	kill -9 "$(cat "$TESTDIR/pid")"
	st=0
	wait "$hpid" || st=$?
	[ "$st" -eq 137 ] || fail "husk run exited $st, expected 137"
	assert_clean
}

@test "run: signals sent to husk are forwarded to the container" {
	set_cmd 'trap "echo got-term >/out/trap; exit 42" TERM; touch /out/ready; while :; do usleep 10000; done'
	bg_tagged "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	hpid=$BG_PID
	wait_for 10 test -e "$OUT/ready"
	kill -TERM "$hpid"
	st=0
	wait "$hpid" || st=$?
	[ "$st" -eq 42 ] || fail "husk run exited $st, expected 42"
	[ "$(cat "$OUT/trap")" = got-term ]
	assert_clean
}

@test "run: removes the container once it exits" {
	set_cmd 'exit 0'
	run -0 run_ctr c1
	run -1 husk state c1
	[ ! -e "$ROOT/c1" ]
	assert_clean
}

@test "run --keep: keeps the stopped container until delete" {
	set_cmd 'exit 5'
	run -5 run_ctr c1 --keep
	[ "$(ctr_status c1)" = stopped ]
	run -0 husk list -q
	[ "$output" = c1 ]
	husk delete c1
	assert_clean
}

@test "run -d: returns at once with the container running" {
	set_cmd 'touch /out/ready; exec sleep 1000'
	run_detached c1
	[ "$(ctr_status c1)" = running ]
	pid=$(ctr_pid c1)
	pid_alive "$pid"
	wait_for 5 test -e "$OUT/ready"
	husk kill c1 KILL
	wait_status c1 stopped
	pid_gone "$pid"
	husk delete c1
	assert_clean
}

@test "run --detach: the long form, the program runs to completion" {
	set_cmd 'echo out; echo err >&2; exit 2'
	husk run --detach --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/c1.stdout" 2>"$TESTDIR/c1.stderr"
	wait_status c1 stopped
	[ "$(cat "$TESTDIR/c1.stdout")" = out ]
	[ "$(cat "$TESTDIR/c1.stderr")" = err ]
	husk delete c1
	assert_clean
}

@test "create --pid-file: holds the container's pid" {
	set_args sleep 1000
	create_ctr c1 --pid-file "$TESTDIR/c1.pid"
	[ "$(cat "$TESTDIR/c1.pid")" = "$(ctr_pid c1)" ]
	# A relative pid file is relative to husk's working directory.
	mkdir "$TESTDIR/cwd"
	(cd "$TESTDIR/cwd" && create_ctr c2 --pid-file c2.pid)
	[ "$(cat "$TESTDIR/cwd/c2.pid")" = "$(ctr_pid c2)" ]
	husk start c1
	[ "$(cat "$TESTDIR/c1.pid")" = "$(ctr_pid c1)" ]
	husk delete -f c1
	husk delete c2
	assert_clean
}

@test "run -d --pid-file: holds the pid of the running program" {
	set_args sleep 1000
	run_detached c1 --pid-file "$TESTDIR/c1.pid"
	pid=$(cat "$TESTDIR/c1.pid")
	[ "$pid" = "$(ctr_pid c1)" ]
	# The pid is the program's, which is sleep now.
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1000 " ]
	husk delete -f c1
	assert_clean
}

@test "start: fails on a running container, which keeps running" {
	set_args sleep 1000
	run_detached c1
	run --separate-stderr -1 husk start c1
	[[ "$stderr" == "husk: "* ]]
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "start: fails on a stopped container" {
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	run --separate-stderr -1 husk start c1
	[[ "$stderr" == "husk: "* ]]
	[ "$(ctr_status c1)" = stopped ]
	husk delete c1
	assert_clean
}

@test "start: twice in a row, the second fails" {
	set_args sleep 1000
	create_ctr c1
	husk start c1
	run -1 husk start c1
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "delete: a running container needs --force" {
	set_args sleep 1000
	run_detached c1
	pid=$(ctr_pid c1)
	run --separate-stderr -1 husk delete c1
	[[ "$stderr" == "husk: "* ]]
	[ "$(ctr_status c1)" = running ]
	pid_alive "$pid"

	husk delete --force c1
	pid_gone "$pid"
	run -1 husk state c1
	assert_clean
}

@test "delete -f: kills a running container and removes it" {
	set_args sleep 1000
	run_detached c1
	pid=$(ctr_pid c1)
	husk delete -f c1
	pid_gone "$pid"
	assert_clean
}

@test "delete: a created container is deleted, its process killed" {
	set_cmd 'touch /out/marker'
	create_ctr c1
	pid=$(ctr_pid c1)
	husk delete c1
	pid_gone "$pid"
	run -1 husk state c1
	[ ! -e "$OUT/marker" ] || fail "deleting a created container ran its program"
	assert_clean
}

@test "delete: a stopped container, without --force" {
	set_cmd 'exit 0'
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	husk delete c1
	assert_clean
}

@test "delete: of a container that does not exist fails; with --force it succeeds, as runc's" {
	run --separate-stderr -1 husk delete nosuch
	[[ "$stderr" == "husk: "*'"nosuch"'*"does not exist" ]]
	run --separate-stderr -0 husk delete -f nosuch
	[ -z "$stderr" ]
	# a bad id is still an error
	run --separate-stderr -1 husk delete -f ../x
	[[ "$stderr" == "husk: "* ]]
	assert_clean
}

@test "kill: default signal is SIGTERM" {
	set_cmd 'trap "echo term >/out/sig; exit 0" TERM; touch /out/ready; while :; do usleep 10000; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	husk kill c1
	wait_status c1 stopped
	[ "$(cat "$OUT/sig")" = term ]
	husk delete c1
	assert_clean
}

@test "kill: signal names with and without SIG, any case, and numbers" {
	set_args sleep 1000
	for sig in SIGKILL KILL kill 9 sigkill; do
		run_detached "c-$sig"
		pid=$(ctr_pid "c-$sig")
		husk kill "c-$sig" "$sig"
		wait_status "c-$sig" stopped
		pid_gone "$pid"
		husk delete "c-$sig"
	done
	assert_clean
}

@test "kill: a caught signal by name reaches the program" {
	set_cmd 'trap "echo usr1 >/out/sig; exit 0" USR1; touch /out/ready; while :; do usleep 10000; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	husk kill c1 SIGUSR1
	wait_status c1 stopped
	[ "$(cat "$OUT/sig")" = usr1 ]
	husk delete c1
	assert_clean
}

@test "kill: unknown signal fails and leaves the container alone" {
	set_args sleep 1000
	run_detached c1
	for sig in SIGNOPE SIG -1 99999 ''; do
		run --separate-stderr -1 husk kill c1 "$sig"
		[[ "$stderr" == "husk: "* ]]
	done
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "kill: a created container can be killed" {
	create_ctr c1
	pid=$(ctr_pid c1)
	husk kill c1 KILL
	wait_status c1 stopped
	pid_gone "$pid"
	husk delete c1
	assert_clean
}

@test "kill: a stopped container cannot be signalled" {
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	run --separate-stderr -1 husk kill c1 KILL
	[[ "$stderr" == "husk: "* ]]
	husk delete c1
	assert_clean
}

@test "kill -a: signals every process of the container" {
	set_cmd 'sleep 1000 & sleep 1000 & touch /out/ready; wait'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	pid=$(ctr_pid c1)
	children=$(cat /proc/"$pid"/task/*/children)
	[ "$(echo $children | wc -w)" -eq 2 ] || fail "expected 2 children, got [$children]"
	husk kill -a c1 KILL
	wait_status c1 stopped
	for c in $children; do
		wait_for 5 pid_gone "$c"
	done
	husk delete c1
	assert_clean
}

@test "kill --all: after the id, the long form" {
	set_cmd 'sleep 1000 & touch /out/ready; wait'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	pid=$(ctr_pid c1)
	child=$(cat /proc/"$pid"/task/*/children)
	husk kill c1 KILL --all
	wait_status c1 stopped
	wait_for 5 pid_gone "$child"
	husk delete c1
	assert_clean
}

@test "kill -a: a container sharing the caller's pid namespace spares the caller's other processes" {
	# The whole test runs in a pid namespace of its own, so that a kill -a
	# that signalled every process of the container's pid namespace could
	# only hurt processes of this test.
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sleep 1000 & touch /out/ready; wait'
	cat >"$TESTDIR/inner.sh" <<-EOF
		set -u
		sleep 1000 &
		sentinel=\$!
		HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" run -d --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1 || exit 10
		for i in \$(seq 500); do [ -e "$OUT/ready" ] && break; sleep 0.01; done
		[ -e "$OUT/ready" ] || exit 11
		kst=0
		"$HUSK" --root "$ROOT" kill -a c1 KILL || kst=\$?
		echo "husk kill -a exited \$kst"
		sleep 0.2
		st=0
		[ \$kst -eq 0 ] || st=12
		kill -0 \$sentinel 2>/dev/null || st=13
		"$HUSK" --root "$ROOT" delete -f c1 >/dev/null 2>&1
		kill -9 \$sentinel 2>/dev/null
		exit \$st
	EOF
	run unshare --pid --fork --mount-proc --kill-child env HUSK_TEST_TAG="$TAG" bash "$TESTDIR/inner.sh"
	[ "$status" -ne 13 ] || fail "kill -a killed a process that is not in the container ($output)"
	[ "$status" -eq 0 ] || fail "inner script failed with $status: $output"
	assert_clean
}

# runc's kill.bats: a detached container (run -d, or create then start; with
# a console socket) has no husk waiting for it; kill reaches it and it is
# seen stopped, then deleted without --force.
@test "kill: a detached container (run -d, create+start, with a console socket) is killed and seen stopped" {
	load helpers_engine
	need_recvtty
	update_config '.process.terminal = true'
	set_args sleep 1000
	local how pid
	for how in run create; do
		recvtty_start "r-$how"
		if [ $how = run ]; then
			run_detached c1 --console-socket "$TESTDIR/r-$how.sock"
		else
			create_ctr c1 --console-socket "$TESTDIR/r-$how.sock"
			husk start c1
		fi
		[ "$(ctr_status c1)" = running ]
		pid=$(ctr_pid c1)
		run --separate-stderr -0 husk kill c1 KILL
		[ -z "$stderr" ] || fail "kill: $stderr"
		wait_status c1 stopped
		pid_gone "$pid"
		recvtty_wait
		# Signalling it again is an error, and delete needs no --force.
		run --separate-stderr -1 husk kill c1 KILL
		[[ "$stderr" == "husk: "*stopped* || "$stderr" == "husk: "*"not running"* ]] || fail "$stderr"
		husk delete c1
	done
	# And without a terminal, run -d.
	update_config '.process.terminal = false'
	run_detached c2
	husk kill c2 KILL
	wait_status c2 stopped
	husk delete c2
	assert_clean
}

# runc (1.1.5) prints only the header for a stopped container; husk says
# clearly that there is nothing to list, as issue 13 asks, in both formats.
@test "ps: of a stopped container, a clear error (table and json); of a created one, its process" {
	set_args true
	create_ctr c1
	pid=$(ctr_pid c1)
	hrun husk ps -f json c1
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(jq -c . <<<"$output")" = "[$pid]" ] || fail "ps -f json: $output"
	husk start c1
	wait_status c1 stopped
	rm -f "$LOG"
	hrun husk_logged ps c1
	assert_husk_error 'c1.*(stopped|not running)'
	rm -f "$LOG"
	hrun husk_logged ps -f json c1
	assert_husk_error 'c1.*(stopped|not running)'
	husk delete c1
	rm -f "$LOG"
	hrun husk_logged ps c1
	assert_husk_error 'c1.*does not exist'
	assert_clean
}
