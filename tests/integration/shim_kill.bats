#!/usr/bin/env bats
# The shim (issue 15) when things die: foreground run and start attached
# through the shim, husk SIGKILLed before and after it forks the shim, the
# shim SIGKILLed while attached, the container SIGKILLed; after each, ls
# tells the truth and rm -f leaves no directory, mount, cgroup, runtime
# state or process.  Two attachers against the real shim, --rm with
# --restart, a full log directory under a foreground run.

load helpers
load engine_image

setup() {
	setup_engine_test
	make_image bb '{"Cmd":["sh"]}' "$BASE"
	# husk itself (not a function) for jobs whose pid is husk's
	HB=("$HUSK" --root "$ROOT" --store "$STORE")
}

teardown() {
	for c in $(husk --store "$STORE" container ls -a -q 2>/dev/null); do
		husk --store "$STORE" container rm -f "$c" >/dev/null 2>&1 || true
	done
	umount "$TESTDIR/logdir" 2>/dev/null || true
	teardown_test
}

# H ARGS...: husk on the test's root and store, tagged, not through hrun.
H() {
	HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" --store "$STORE" "$@"
}

cid() {
	H container inspect "$1" | jq -r '.[0].Id'
}

meta() {
	jq -r "$2" "$STORE/containers/$1/meta.json"
}

# Nothing of container id: directory, mount, runtime state, cgroup, and no
# process of the test.
assert_all_gone() {
	local id=$1 left
	[ ! -e "$STORE/containers/$id" ] || fail "its directory is left" || return
	left=$(grep -F "$id" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mounts left: $left" || return
	[ ! -e "$ROOT/$id" ] || fail "runtime state left" || return
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$id*" 2>/dev/null || true)
	[ -z "$left" ] || fail "cgroups left: $left" || return
	wait_for 5 no_tagged_pids || fail "processes left: $(tagged_pids)"
}

@test "shim: foreground run: stdin in, stdout and stderr apart, exit code out, all logged; --rm gone when run returns" {
	st=0
	printf 'hi\n' | H container run -i --name f -e "HUSK_TEST_TAG=$TAG" bb \
		sh -c 'read x; echo "got $x"; echo e >&2; exit 5' >"$TESTDIR/o" 2>"$TESTDIR/e" || st=$?
	[ "$st" -eq 5 ] || fail "exit $st: $(cat "$TESTDIR/e")"
	[ "$(cat "$TESTDIR/o")" = "got hi" ]
	[ "$(cat "$TESTDIR/e")" = e ]
	id=$(cid f)
	# recorded before run returned, and the lock is free at once
	[ "$(meta "$id" .state.exitCode)" = 5 ]
	[ "$(meta "$id" .state.status)" = exited ]
	grep -q ' stdout F got hi$' "$STORE/containers/$id/ctr.log"
	grep -q ' stderr F e$' "$STORE/containers/$id/ctr.log"
	hrun eng container rm f
	[ "$status" -eq 0 ] || fail "rm right after run: $stderr"
	# binary data through -i passes whole (no detach keys without a terminal)
	head -c 300000 /dev/urandom >"$TESTDIR/bin"
	H container run --rm -i -e "HUSK_TEST_TAG=$TAG" bb cat <"$TESTDIR/bin" >"$TESTDIR/bin.out"
	cmp "$TESTDIR/bin" "$TESTDIR/bin.out"
	st=0
	H container run --rm --name r -e "HUSK_TEST_TAG=$TAG" bb sh -c 'exit 3' </dev/null || st=$?
	[ "$st" -eq 3 ]
	[ -z "$(ls -A "$STORE/containers" | grep -v '^\.names$')" ] || fail "--rm left: $(ls "$STORE/containers")"
	assert_engine_clean
}

@test "shim: foreground run: SIGTERM to husk reaches the container; SIGKILL of husk leaves it running under its shim, logged, attachable" {
	HUSK_TEST_TAG=$TAG "${HB[@]}" container run --name t -e "HUSK_TEST_TAG=$TAG" bb \
		sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' \
		</dev/null >"$TESTDIR/t.out" 2>&1 &
	p=$!
	wait_for 10 grep -q ready "$TESTDIR/t.out" || fail "not ready: $(cat "$TESTDIR/t.out")"
	kill -TERM "$p"
	st=0
	wait "$p" || st=$?
	[ "$st" -eq 9 ] || fail "exit $st: $(cat "$TESTDIR/t.out")"
	grep -q got-term "$TESTDIR/t.out"

	HUSK_TEST_TAG=$TAG "${HB[@]}" container run --name k -e "HUSK_TEST_TAG=$TAG" bb \
		sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done' </dev/null >"$TESTDIR/k.out" 2>&1 &
	p=$!
	wait_for 10 grep -q tick "$TESTDIR/k.out" || fail "no output: $(cat "$TESTDIR/k.out")"
	kill -KILL "$p"
	wait "$p" || true
	id=$(cid k)
	hrun eng container ls
	[[ "$output" == *running*k* ]] || fail "ls: $output"
	n=$(wc -l <"$STORE/containers/$id/ctr.log")
	wait_for 5 eval '[ "$(wc -l <"$STORE/containers/$id/ctr.log")" -gt $((n + 3)) ]' ||
		fail "the log does not grow after husk's death"
	H container attach k </dev/null >"$TESTDIR/a.out" 2>&1 &
	a=$!
	wait_for 5 grep -q tick "$TESTDIR/a.out" || fail "attach sees nothing"
	hrun eng container kill -s KILL k
	st=0
	wait "$a" || st=$?
	[ "$st" -eq 137 ] || fail "attach exit $st"
	hrun eng container rm -f k
	[ "$status" -eq 0 ]
	assert_all_gone "$id"
}

@test "shim: start (attached, the default) and start -a -i: through the shim, exit code out" {
	hrun eng container create -i --name s -e "HUSK_TEST_TAG=$TAG" bb sh -c 'read x; echo "in: $x"; exit 4'
	[ "$status" -eq 0 ]
	st=0
	echo one | H container start -a -i s >"$TESTDIR/o" || st=$?
	[ "$st" -eq 4 ] && [ "$(cat "$TESTDIR/o")" = "in: one" ] || fail "exit $st: $(cat "$TESTDIR/o")"
	st=0
	echo two | H container start s >"$TESTDIR/o" || st=$?
	[ "$st" -eq 4 ] && [ "$(cat "$TESTDIR/o")" = "in: two" ] || fail "exit $st: $(cat "$TESTDIR/o")"
	[ "$(grep -c ' stdout F in: ' "$STORE/containers/$(cid s)/ctr.log")" -eq 2 ]
}

# strace_kill_husk SYSCALLS ARGS...: husk ARGS SIGKILLed at its first call of
# one of SYSCALLS (only husk itself is traced, not what it forks).
strace_kill_husk() {
	local calls=$1
	shift
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	HUSK_TEST_TAG=$TAG strace -qq -o "$TESTDIR/strace.log" -e trace="$calls" \
		-e inject="$calls:signal=KILL:when=1" "$HUSK" --root "$ROOT" --store "$STORE" "$@" \
		</dev/null >"$TESTDIR/s.out" 2>&1 || true
}

@test "shim: run -d, husk SIGKILLed before it forks the shim: ls says created, start runs it, rm -f cleans all" {
	strace_kill_husk clone,clone3,fork,vfork container run -d --name b -e "HUSK_TEST_TAG=$TAG" bb sleep 30
	grep -q 'killed by SIGKILL' "$TESTDIR/strace.log" || fail "husk was not killed: $(cat "$TESTDIR/strace.log")"
	id=$(cid b)
	hrun eng container ls -a
	[[ "$output" == *created*b* ]] || fail "ls: $output"
	[ ! -S "$STORE/containers/$id/attach" ] || ! flock -n "$STORE/containers/$id/lock" true ||
		fail "a shim runs"
	hrun eng container start -d b
	[ "$status" -eq 0 ] || fail "start: $stderr"
	hrun eng container ls
	[[ "$output" == *running*b* ]]
	hrun eng container rm -f b
	[ "$status" -eq 0 ]
	assert_all_gone "$id"
}

@test "shim: run -d, husk SIGKILLed after the fork, waiting for the shim: the container runs under it anyway; rm -f cleans all" {
	strace_kill_husk wait4 container run -d --name a -e "HUSK_TEST_TAG=$TAG" bb sleep 30
	grep -q 'killed by SIGKILL' "$TESTDIR/strace.log" || fail "husk was not killed: $(cat "$TESTDIR/strace.log")"
	id=$(cid a)
	wait_for 10 eval 'eng container ls | grep -q "running.*a"' || fail "not running: $(eng container ls -a)"
	shim=$(meta "$id" .state.shimPid)
	init=$(jq -r .pid "$ROOT/$id/state.json")
	[ "$(ps -o ppid= -p "$init" | tr -d ' ')" = "$shim" ]
	[ "$(cat /proc/"$shim"/comm)" = husk-shim ]
	hrun eng container rm -f a
	[ "$status" -eq 0 ]
	assert_all_gone "$id"
}

@test "shim: the shim SIGKILLed while attached: husk says so in one line, the container runs on, ls says running, rm -f cleans all" {
	H container run --name sk -e "HUSK_TEST_TAG=$TAG" bb sh -c 'echo up; exec sleep 1000' \
		</dev/null >"$TESTDIR/o" 2>"$TESTDIR/e" &
	p=$!
	wait_for 10 grep -q up "$TESTDIR/o" || fail "not up: $(cat "$TESTDIR/e")"
	id=$(cid sk)
	kill -KILL "$(meta "$id" .state.shimPid)"
	st=0
	wait "$p" || st=$?
	[ "$st" -eq 1 ] || fail "husk exit $st"
	[ "$(wc -l <"$TESTDIR/e")" -eq 1 ] && grep -q '^husk: .*the shim went away' "$TESTDIR/e" ||
		fail "stderr: $(cat "$TESTDIR/e")"
	hrun eng container ls
	[[ "$output" == *running*sk* ]] || fail "ls: $output"
	init=$(jq -r .pid "$ROOT/$id/state.json")
	kill -0 "$init"
	hrun eng container attach sk
	assert_husk_error 'container sk: is running, but no shim serves its stdio'
	hrun eng container rm sk
	[ "$status" -ne 0 ]
	hrun eng container rm -f sk
	[ "$status" -eq 0 ]
	assert_all_gone "$id"
}

@test "shim: the container SIGKILLed: the shim records 137 and the signal, ls says exited, the shim is gone, rm cleans all" {
	hrun eng container run -d --name c -e "HUSK_TEST_TAG=$TAG" bb sleep 1000
	[ "$status" -eq 0 ]
	id=$output
	shim=$(meta "$id" .state.shimPid)
	kill -KILL "$(jq -r .pid "$ROOT/$id/state.json")"
	hrun timeout 10 "$HUSK" --root "$ROOT" --store "$STORE" container wait c
	[ "$output" = 137 ]
	[ "$(meta "$id" .state.exitSignal)" = 9 ]
	hrun eng container ls -a
	[[ "$output" == *"exited (137)"*c* ]] || fail "ls: $output"
	wait_for 5 eval '! kill -0 '"$shim"' 2>/dev/null || [ "$(awk "{print \$3}" /proc/'"$shim"'/stat)" = Z ]' ||
		fail "the shim lives on"
	hrun eng container rm c
	[ "$status" -eq 0 ]
	assert_all_gone "$id"
}

@test "shim: two attachers at once on the real shim: both see the output, either's input goes in, both get the exit code" {
	hrun eng container run -d -i --name two -e "HUSK_TEST_TAG=$TAG" bb \
		sh -c 'while read l; do echo "got $l"; [ "$l" = quit ] && exit 6; done'
	[ "$status" -eq 0 ]
	mkfifo "$TESTDIR/in"
	H container attach two <"$TESTDIR/in" >"$TESTDIR/a" 2>&1 &
	a=$!
	exec 7>"$TESTDIR/in"
	echo a-ready >&7
	wait_for 5 grep -q "got a-ready" "$TESTDIR/a" || fail "first attacher: $(cat "$TESTDIR/a")"
	st=0
	printf 'from-b\nquit\n' | H container attach two >"$TESTDIR/b" 2>&1 || st=$?
	exec 7>&-
	sta=0
	wait "$a" || sta=$?
	[ "$st" -eq 6 ] && [ "$sta" -eq 6 ] || fail "exit codes $st and $sta"
	grep -q "got from-b" "$TESTDIR/a" || fail "first attacher missed it: $(cat "$TESTDIR/a")"
	grep -q "got a-ready" "$TESTDIR/b" && fail "the second saw output from before it attached"
	grep -q "got quit" "$TESTDIR/b"
}

@test "shim: --rm with --restart is refused at create, as docker does; nothing is left" {
	for p in always on-failure on-failure:3; do
		hrun eng container run -d --rm --restart "$p" -e "HUSK_TEST_TAG=$TAG" bb true
		assert_husk_error "--rm with --restart $p: conflicting options"
	done
	hrun eng container run --rm --restart no -e "HUSK_TEST_TAG=$TAG" bb true
	[ "$status" -eq 0 ]
	assert_engine_clean
}

@test "shim: a full log directory under a foreground run: the caller still gets every line, the drop is recorded, nothing blocks" {
	mkdir -p "$TESTDIR/logdir"
	mount -t tmpfs -o size=64k tmpfs "$TESTDIR/logdir"
	st=0
	timeout 60 env HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" --store "$STORE" container run --name full \
		--log-opt path="$TESTDIR/logdir/ctr.log" -e "HUSK_TEST_TAG=$TAG" bb \
		sh -c 'i=0; while [ $i -lt 4000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; exit 7' \
		</dev/null >"$TESTDIR/o" || st=$?
	[ "$st" -eq 7 ] || fail "exit $st"
	[ "$(wc -l <"$TESTDIR/o")" -eq 4000 ]
	id=$(cid full)
	[ "$(meta "$id" .state.logDroppedBytes)" -gt 0 ]
	umount "$TESTDIR/logdir"
}
