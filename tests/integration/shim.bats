#!/usr/bin/env bats
# The shim (issue 15): run -d under a shim that outlives husk, its CRI log,
# wait, the exit record, --rm, the restart policy, and bad input.

load helpers
load engine_image

setup() {
	setup_engine_test
	make_image bb '{"Cmd":["sh","-c","echo hello"]}' "$BASE"
}

teardown() {
	for c in $(husk --store "$STORE" container ls -a -q 2>/dev/null); do
		husk --store "$STORE" container rm -f "$c" >/dev/null 2>&1 || true
	done
	teardown_test
}

eng() {
	: > "$LOG"
	husk_logged --store "$STORE" "$@"
}

@test "shim: run -d returns at once, the log has CRI lines of both streams, wait prints the exit code" {
	hrun eng container run -d --name j -e "HUSK_TEST_TAG=$TAG" bb sh -c 'echo out; echo err >&2; printf part; sleep 1; exit 3'
	[ "$status" -eq 0 ]
	[ "${#output}" -eq 64 ]
	hrun eng container wait j
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
	id=$(eng container inspect j | jq -r '.[0].Id')
	log=$STORE/containers/$id/ctr.log
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z stdout F out$' "$log"
	grep -Eq ' stderr F err$' "$log"
	grep -Eq ' stdout P part$' "$log"
	hrun eng container logs j
	[ "$status" -eq 0 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *part* ]]
	hrun eng container logs --tail 1 -t j
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]{4}-.*Z\ part$ ]]
	hrun eng container inspect j
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = exited ]
	[ "$(jq -r '.[0].State.ExitCode' <<<"$output")" = 3 ]
}

@test "shim: run -d: the shim has no tty, a session of its own, is the container init's parent; stop ends both" {
	hrun eng container run -d --name s -e "HUSK_TEST_TAG=$TAG" bb sleep 30
	[ "$status" -eq 0 ]
	id=$output
	pid=$(jq -r .state.shimPid "$STORE/containers/$id/meta.json")
	[ "$(ps -o tty= -p "$pid" | tr -d ' ')" = "?" ]
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
	init=$(husk state "$id" | jq -r .pid)
	[ "$(ps -o ppid= -p "$init" | tr -d ' ')" = "$pid" ]
	# none of the caller's fds: only /dev/null, its own files and sockets
	! ls -l /proc/$pid/fd | grep -q "$TESTDIR/" || ! ls -l /proc/$pid/fd | grep -v "$STORE" | grep -q "$TESTDIR"
	hrun eng container ls
	[[ "$output" == *running* ]]
	hrun eng container stop -t 1 s
	[ "$status" -eq 0 ]
	hrun eng container wait s
	[ "$output" = 143 ] || [ "$output" = 137 ]
	# gone (or a zombie of whoever reaps it now)
	for i in $(seq 50); do
		[ -d /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] || break
		sleep 0.1
	done
	[ ! -d /proc/$pid ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
}

@test "shim: --rm removes the container when it exits, with nobody attached" {
	hrun eng container run -d --rm --name r -e "HUSK_TEST_TAG=$TAG" bb true
	[ "$status" -eq 0 ]
	for i in $(seq 50); do [ -d "$STORE/containers/$output" ] || break; sleep 0.1; done
	[ ! -d "$STORE/containers/$output" ]
}

@test "shim: --restart on-failure:2 runs it three times, then records the exit" {
	hrun eng container run -d --restart on-failure:2 --name f -e "HUSK_TEST_TAG=$TAG" bb sh -c 'echo run; exit 1'
	[ "$status" -eq 0 ]
	id=$output
	for i in $(seq 100); do
		[ "$(jq -r .state.status "$STORE/containers/$id/meta.json")" = exited ] &&
			! husk_lock_held "$id" && break
		sleep 0.1
	done
	[ "$(jq -r .state.restartCount "$STORE/containers/$id/meta.json")" = 2 ]
	[ "$(grep -c ' stdout F run$' "$STORE/containers/$id/ctr.log")" = 3 ]
}

husk_lock_held() {
	! flock -n "$STORE/containers/$1/lock" true
}

@test "shim: a full log disk drops output, the container is never blocked" {
	mkdir -p "$TESTDIR/logdir"
	mount -t tmpfs -o size=64k tmpfs "$TESTDIR/logdir"
	hrun eng container run -d --name full --log-opt path="$TESTDIR/logdir/ctr.log" -e "HUSK_TEST_TAG=$TAG" \
		bb sh -c 'i=0; while [ $i -lt 4000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; exit 7'
	st=$status
	hrun timeout 30 "$HUSK" --root "$ROOT" --store "$STORE" container wait full
	w=$output
	# the shim closes the log as it ends, just after it told wait
	for i in $(seq 50); do umount "$TESTDIR/logdir" 2>/dev/null && break; sleep 0.1; done
	! mountpoint -q "$TESTDIR/logdir"
	[ "$st" -eq 0 ]
	[ "$w" = 7 ]
	id=$(eng container inspect full | jq -r '.[0].Id')
	[ "$(jq -r .state.logDroppedBytes "$STORE/containers/$id/meta.json")" -gt 0 ]
}

@test "shim: the runtime state wiped (a reboot): the container shows exited, starts again, rm cleans" {
	hrun eng container run -d --name b -e "HUSK_TEST_TAG=$TAG" bb sleep 30
	[ "$status" -eq 0 ]
	id=$output
	pid=$(jq -r .state.shimPid "$STORE/containers/$id/meta.json")
	init=$(husk state "$id" | jq -r .pid)
	kill -9 "$pid" "$init"
	sleep 0.3
	rm -rf "${ROOT:?}/$id"
	hrun eng container ls -a
	[[ "$output" == *exited* ]]
	hrun eng container start -d b
	[ "$status" -eq 0 ]
	hrun eng container rm -f b
	[ "$status" -eq 0 ]
	[ ! -d "$STORE/containers/$id" ]
}

@test "shim: bad input: a second start of a running container, rm of a running one, logs of an unknown" {
	hrun eng container run -d --name x -e "HUSK_TEST_TAG=$TAG" bb sleep 30
	[ "$status" -eq 0 ]
	hrun eng container start -d x
	[ "$status" -ne 0 ]
	[[ "$stderr" == "husk: "*"already running"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	hrun eng container rm x
	[ "$status" -ne 0 ]
	[[ "$stderr" == "husk: "*"is running"* ]]
	hrun eng container logs nosuch
	[ "$status" -ne 0 ]
	[[ "$stderr" == "husk: "* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	hrun eng container rm -f x
	[ "$status" -eq 0 ]
}
