#!/usr/bin/env bats
# containerd + ctr running containers with husk: a private containerd (its
# own root, state, sockets and containerd namespace under a temporary
# directory), the runc shim v2 pointed at husk with ctr's --runc-binary, and
# an OCI image archive built offline from the busybox rootfs.

load helpers
load helpers_engine
load helpers_clients

setup_file() {
	need_cmd containerd containerd
	need_cmd ctr containerd
	need_cmd containerd-shim-runc-v2 containerd
	need_cmd script bsdutils
	CTD=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-ctd.XXXXXX") || return
	# The containerd namespace names the cgroup parent (/<ns>, in every
	# hierarchy) and the shims: one of this file's own.
	NS=husk-${CTD##*.}
	# containerd and ctr make these host directories (the shims' sockets
	# are in /run/containerd/s whatever the config says); teardown_file
	# removes the ones that were not there.
	CTD_HOST_DIRS=$(host_dirs_before /run/containerd /run/containerd/s)
	export CTD NS CTD_HOST_DIRS
	cat >"$CTD/config.toml" <<-EOF
		version = 2
		root = "$CTD/root"
		state = "$CTD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTD/containerd.sock"
		[ttrpc]
		  address = "$CTD/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTD/opt"
	EOF
	start_daemon "$CTD" containerd containerd --config "$CTD/config.toml"
	wait_until 30 ctrd version >/dev/null || fail "containerd did not start: $(cat "$CTD/containerd.log")" || return
	local rootfs
	rootfs=$(ensure_rootfs) || return
	oci_archive "$rootfs" "$CTD/bb.tar" localhost/husk-bb:latest || fail "building the OCI archive failed" || return
	ctrd image import "$CTD/bb.tar" >/dev/null || fail "ctr image import failed" || return
}

teardown_file() {
	[ -n "${CTD:-}" ] && [ -d "$CTD" ] || return 0
	# The shims' sockets, read before containerd and the shims go.
	local socks
	socks=$(cat "$CTD"/state/io.containerd.runtime.v2.task/*/*/address 2>/dev/null | sed 's|^unix://||')
	ctr_remove_all
	stop_daemon "$CTD" containerd
	kill_pids_with "$CTD/"
	local s
	for s in $socks; do
		case $s in /run/containerd/s/*) rm -f "$s" ;; esac
	done
	umount_under "$CTD"
	rm -rf --one-file-system "$CTD"
	rmdir_cgroups "/$NS"
	rmdir_new_host_dirs "$CTD_HOST_DIRS" /run/containerd/s /run/containerd
}

setup() {
	setup_client_test
	# husk's state root: the shim passes --root <runc-root>/<namespace>.
	ROOT=$TESTDIR/runc/$NS
	OPTS=(--runc-binary "$HUSK" --runc-root "$TESTDIR/runc" --fifo-dir "$CTD/fifo" --env "HUSK_TEST_TAG=$TAG")
	IMAGE=localhost/husk-bb:latest
}

teardown() {
	ctr_remove_all
	teardown_test
}

# ctrd ARGS...: ctr on this file's containerd and namespace, killed if it hangs.
ctrd() {
	timeout -k 5 60 ctr --address "$CTD/containerd.sock" --namespace "$NS" "$@"
}

# ctr_remove_all: kills and removes every task and container of the namespace.
ctr_remove_all() {
	[ -S "$CTD/containerd.sock" ] || return 0
	local id
	for id in $(ctrd task ls -q 2>/dev/null); do
		ctrd task kill -a -s SIGKILL "$id" >/dev/null 2>&1
	done
	for id in $(ctrd container ls -q 2>/dev/null); do
		ctrd task rm -f "$id" >/dev/null 2>&1
		ctrd container rm "$id" >/dev/null 2>&1
	done
	return 0
}

# task_status ID: RUNNING, PAUSED, STOPPED... as `ctr task ls` shows it.
task_status() {
	ctrd task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

task_status_is() {
	[ "$(task_status "$1")" = "$2" ]
}

task_pid() {
	ctrd task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

# task_nprocs_is ID N: `ctr task ps ID` lists N processes.
task_nprocs_is() {
	[ "$(ctrd task ps "$1" 2>/dev/null | tail -n +2 | wc -l)" -eq "$2" ]
}

# shim_of ID: the pid of the shim serving container ID, if one runs.
shim_of() {
	local p
	for p in $(pids_with "$CTD/containerd.sock"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- " -id $1 " && echo "$p"
	done
	return 0
}

no_shim_of() {
	[ -z "$(shim_of "$1")" ]
}

# assert_ctr_gone ID: containerd knows nothing of container ID any more, and
# nothing of it is left: no husk state, process, shim, mount or cgroup.
assert_ctr_gone() {
	local id=$1 m
	! ctrd container ls -q | grep -qxF "$id" || fail "containerd still has container $id" || return
	! ctrd task ls -q | grep -qxF "$id" || fail "containerd still has task $id" || return
	[ ! -e "$ROOT/$id" ] || fail "husk state left: $(ls -A "$ROOT")" || return
	wait_for 5 no_tagged_pids || fail "processes left: $(tagged_pids)" || return
	wait_for 5 no_shim_of "$id" || fail "the shim of $id is still running" || return
	m=$(mounts_under "$CTD/state/io.containerd.runtime.v2.task/$NS/$id")
	[ -z "$m" ] || fail "mounts left: $m" || return
	m=$(cgroup_dirs "/$NS/$id")
	[ -z "$m" ] || fail "cgroups left: $m"
}

@test "ctr run --rm: an imported image, its PATH, the exit code" {
	hrun ctrd run --rm "${OPTS[@]}" "$IMAGE" r1 sh -c 'echo "hi from $(cat /proc/1/comm)"; echo "$PATH"; exit 7'
	[ "$status" -eq 7 ] || fail "ctr run exited $status: $stderr"
	[ "${lines[0]}" = "hi from sh" ]
	# PATH comes from the image's config.
	[ "${lines[1]}" = /usr/sbin:/usr/bin:/sbin:/bin ]
	assert_ctr_gone r1
	hrun ctrd run --rm "${OPTS[@]}" "$IMAGE" r2 true
	[ "$status" -eq 0 ] || fail "ctr run exited $status: $stderr"
	assert_ctr_gone r2
}

@test "ctr run --rm --rootfs DIR: a rootfs not managed by containerd" {
	copy_rootfs "$(ensure_rootfs)" "$TESTDIR/rootfs"
	# No image config: no PATH, so absolute paths.
	hrun ctrd run --rm "${OPTS[@]}" --rootfs "$TESTDIR/rootfs" f1 /bin/sh -c 'cat /etc/hostname; echo written >/marker'
	[ "$status" -eq 0 ] || fail "ctr run exited $status: $stderr"
	[ "$output" = husk-test ]
	# The container's root was that directory.
	[ "$(cat "$TESTDIR/rootfs/marker")" = written ]
	assert_ctr_gone f1
}

@test "ctr run -d, task exec: output, exit codes, the container's namespaces; husk holds the state" {
	run -0 ctrd run -d "${OPTS[@]}" "$IMAGE" d1 sleep 100000
	wait_for 10 task_status_is d1 RUNNING || fail "task d1: $(task_status d1)"
	pid=$(task_pid d1)
	# husk made it: its state under the root the shim gave it.
	run -0 "$HUSK" --root "$ROOT" state d1
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$pid" ]
	hrun ctrd task exec --exec-id e1 --fifo-dir "$CTD/fifo" d1 sh -c 'echo to-out; echo to-err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = to-out ]
	[ "$stderr" = to-err ]
	hrun ctrd task exec --exec-id e2 --fifo-dir "$CTD/fifo" d1 sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "sleep 100000 " ]
	# The exec joined the container's namespaces.
	hrun ctrd task exec --exec-id e3 --fifo-dir "$CTD/fifo" d1 sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$pid/ns/mnt")" ]
	# An exec of a missing program: the engine's error, the container lives on.
	hrun ctrd task exec --exec-id e4 --fifo-dir "$CTD/fifo" d1 /no/such/program
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'/no/such/program'* ]] || fail "ctr: $stderr"
	task_status_is d1 RUNNING
	run -0 ctrd task ps d1
	[ "${lines[1]%% *}" = "$pid" ]
	run -0 ctrd task kill -s SIGKILL d1
	wait_for 10 task_status_is d1 STOPPED || fail "task d1: $(task_status d1)"
	run -0 ctrd task rm d1
	run -0 ctrd container rm d1
	assert_ctr_gone d1
}

@test "ctr task kill: the signal reaches the container's process" {
	bg_tagged ctrd run --rm "${OPTS[@]}" --mount "type=bind,src=$OUT,dst=/out,options=rbind:rw" "$IMAGE" k1 \
		sh -c "trap 'echo USR1 >/out/sig; exit 43' USR1; touch /out/ready; while :; do usleep 10000; done" \
		</dev/null >"$TESTDIR/k1.out" 2>&1
	wait_for 15 test -e "$OUT/ready" || fail "k1 did not start: $(cat "$TESTDIR/k1.out")"
	run -0 ctrd task kill -s SIGUSR1 k1
	wait_for 20 pid_gone "$BG_PID" || fail "ctr run did not end"
	st=0
	wait "$BG_PID" || st=$?
	[ "$st" -eq 43 ] || fail "ctr run exited $st: $(cat "$TESTDIR/k1.out")"
	[ "$(cat "$OUT/sig")" = USR1 ]
	assert_ctr_gone k1
	# SIGKILL, to every process of the container (--all).
	run -0 ctrd run -d "${OPTS[@]}" "$IMAGE" k2 sh -c 'sleep 100000 & sleep 100000; :'
	wait_for 10 task_status_is k2 RUNNING
	wait_for 10 task_nprocs_is k2 3 || fail "ps: $(ctrd task ps k2)"
	run -0 ctrd task kill -a -s SIGKILL k2
	wait_for 10 task_status_is k2 STOPPED || fail "task k2: $(task_status k2)"
	# The shim reports how it ended.
	hrun ctrd task rm k2
	[[ "$stderr" == *"exit code 137"* ]] || fail "ctr task rm: $stderr"
	run -0 ctrd container rm k2
	assert_ctr_gone k2
}

@test "ctr task pause/resume: the freezer cgroup, husk's status, the task runs on" {
	run -0 ctrd run -d "${OPTS[@]}" "$IMAGE" p1 sleep 100000
	wait_for 10 task_status_is p1 RUNNING
	freezer=/sys/fs/cgroup/freezer/$NS/p1
	[ -d "$freezer" ] || freezer=/sys/fs/cgroup/$NS/p1
	run -0 ctrd task pause p1
	[ "$(task_status p1)" = PAUSED ]
	[ "$(jq -r .status <<<"$("$HUSK" --root "$ROOT" state p1)")" = paused ]
	if [ -e "$freezer/freezer.state" ]; then
		[ "$(cat "$freezer/freezer.state")" = FROZEN ]
	else
		[ "$(cat "$freezer/cgroup.freeze")" = 1 ]
	fi
	run -0 ctrd task resume p1
	[ "$(task_status p1)" = RUNNING ]
	[ "$(jq -r .status <<<"$("$HUSK" --root "$ROOT" state p1)")" = running ]
	if [ -e "$freezer/freezer.state" ]; then
		[ "$(cat "$freezer/freezer.state")" = THAWED ]
	else
		[ "$(cat "$freezer/cgroup.freeze")" = 0 ]
	fi
	run -0 ctrd task exec --exec-id e1 --fifo-dir "$CTD/fifo" p1 echo thawed
	[ "$output" = thawed ]
	run -0 ctrd task kill -s SIGKILL p1
	wait_for 10 task_status_is p1 STOPPED
	run -0 ctrd task rm p1
	run -0 ctrd container rm p1
	assert_ctr_gone p1
}

@test "ctr task metrics: the memory limit husk set, usage and pids from the container's cgroup" {
	run -0 ctrd run -d "${OPTS[@]}" --memory-limit 67108864 "$IMAGE" m1 sh -c 'sleep 100000 & sleep 100000; :'
	wait_for 10 task_status_is m1 RUNNING
	wait_for 10 task_nprocs_is m1 3 || fail "ps: $(ctrd task ps m1)"
	run -0 ctrd task metrics --format json m1
	json=$output
	[ "$(jq -r '.memory.usage.limit' <<<"$json")" = 67108864 ] || fail "metrics: $json"
	[ "$(jq -r '.memory.usage.usage' <<<"$json")" -gt 0 ] || fail "metrics: $json"
	[ "$(jq -r '.pids.current' <<<"$json")" = 3 ] || fail "metrics: $json"
	# The same limit, read in the cgroup itself.
	[ "$(cat "/sys/fs/cgroup/memory/$NS/m1/memory.limit_in_bytes")" = 67108864 ]
	run -0 ctrd task metrics m1
	grep -qE '^memory.limit_in_bytes +67108864' <<<"$output" || fail "metrics: $output"
	run -0 ctrd task kill -a -s SIGKILL m1
	wait_for 10 task_status_is m1 STOPPED
	run -0 ctrd task rm m1
	run -0 ctrd container rm m1
	assert_ctr_gone m1
}

@test "ctr run --tty and task exec --tty: a pty the engine relays" {
	# script(1) gives ctr a real terminal.
	hrun script -qec "$(printf '%q ' ctr --address "$CTD/containerd.sock" --namespace "$NS" run --rm -t "${OPTS[@]}" \
		"$IMAGE" t1 sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; tty; exit 5')" /dev/null
	[ "$status" -eq 5 ] || fail "exit $status: $output"
	out=$(tr -d '\r' <<<"$output")
	[[ "$out" == *all-ttys* ]] || fail "output: $out"
	[[ "$out" == */dev/pts/0* ]] || fail "output: $out"
	assert_ctr_gone t1
	run -0 ctrd run -d "${OPTS[@]}" "$IMAGE" t2 sleep 100000
	wait_for 10 task_status_is t2 RUNNING
	hrun script -qec "$(printf '%q ' ctr --address "$CTD/containerd.sock" --namespace "$NS" task exec -t --exec-id e1 \
		--fifo-dir "$CTD/fifo" t2 sh -c '[ -t 0 ] && echo exec-tty; tty; exit 6')" /dev/null
	[ "$status" -eq 6 ] || fail "exit $status: $output"
	out=$(tr -d '\r' <<<"$output")
	[[ "$out" == *exec-tty* ]] || fail "output: $out"
	[[ "$out" == */dev/pts/* ]] || fail "output: $out"
	run -0 ctrd task kill -s SIGKILL t2
	wait_for 10 task_status_is t2 STOPPED
	run -0 ctrd task rm t2
	run -0 ctrd container rm t2
	assert_ctr_gone t2
}

@test "ctr run: a failing create shows husk's own message, read from its JSON log" {
	log_keeper "$TESTDIR/husk-keep"
	OPTS[1]=$TESTDIR/husk-keep
	hrun ctrd run --rm "${OPTS[@]}" "$IMAGE" e1 /no/such/program
	[ "$status" -ne 0 ]
	assert_engine_shows_husk_error "$TESTDIR/husk-keep.create.log" "$stderr" '/no/such/program.*no such file or directory'
	assert_ctr_gone e1
}
