#!/usr/bin/env bats
# Docker running containers with husk: a private dockerd (its own data
# root, exec root, socket, key and cgroup parent under a temporary
# directory, no bridge, no iptables) on a private containerd, with husk
# added as the runtime "husk", and an image imported from a busybox
# tarball.  /usr/bin/docker is Debian's 20.10 client.

load helpers
load helpers_engine
load helpers_clients

DOCKER=/usr/bin/docker

setup_file() {
	need_cmd dockerd docker.io
	need_cmd containerd containerd
	need_cmd script bsdutils
	[ -x "$DOCKER" ] || fail "$DOCKER is missing (apt-get install -y docker.io)" || return
	DKD=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-dk.XXXXXX") || return
	# The cgroup parent of the containers, in every hierarchy: this file's.
	CGP=husk-docker-${DKD##*.}
	# Host directories dockerd and the shims make whatever the flags say;
	# teardown_file removes the ones that were not there.
	DK_HOST_DIRS=$(host_dirs_before /run/docker/plugins /run/docker /run/containerd/s /run/containerd)
	export DKD CGP DK_HOST_DIRS
	# dockerd would use a containerd found at /run/containerd (the host's):
	# it gets a private one instead.
	cat >"$DKD/containerd.toml" <<-EOF
		version = 2
		root = "$DKD/containerd/root"
		state = "$DKD/containerd/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$DKD/containerd.sock"
		[ttrpc]
		  address = "$DKD/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$DKD/containerd/opt"
	EOF
	start_daemon "$DKD" containerd containerd --config "$DKD/containerd.toml"
	wait_until 30 test -S "$DKD/containerd.sock" || fail "containerd did not start: $(cat "$DKD/containerd.log")" || return
	# Without a config file, dockerd writes its key to /etc/docker.
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$DKD" >"$DKD/daemon.json"
	log_keeper "$DKD/husk-keep"
	start_daemon "$DKD" dockerd dockerd --config-file "$DKD/daemon.json" --containerd "$DKD/containerd.sock" \
		--data-root "$DKD/data" --exec-root "$DKD/exec" --pidfile "$DKD/dockerd.pid" -H "unix://$DKD/docker.sock" \
		--iptables=false --ip-masq=false --ip-forward=false --bridge=none --storage-driver overlay2 \
		--cgroup-parent "/$CGP" --add-runtime "husk=$HUSK" --add-runtime "husk-keep=$DKD/husk-keep"
	wait_until 60 dk version >/dev/null 2>&1 || fail "dockerd did not start: $(cat "$DKD/dockerd.log")" || return
	rootfs_tar "$(ensure_rootfs)" "$DKD/busybox.tar" || return
	dk import "$DKD/busybox.tar" husk-bb:latest >/dev/null || fail "docker import failed" || return
}

teardown_file() {
	[ -n "${DKD:-}" ] && [ -d "$DKD" ] || return 0
	local socks s
	socks=$(cat "$DKD"/containerd/state/io.containerd.runtime.v2.task/*/*/address 2>/dev/null | sed 's|^unix://||')
	dk_remove_all
	stop_daemon "$DKD" dockerd 30
	stop_daemon "$DKD" containerd
	kill_pids_with "$DKD/"
	for s in $socks; do
		case $s in /run/containerd/s/*) rm -f "$s" ;; esac
	done
	umount_under "$DKD"
	rm -rf --one-file-system "$DKD"
	rmdir_cgroups "/$CGP"
	rmdir_new_host_dirs "$DK_HOST_DIRS" /run/docker/plugins /run/docker /run/containerd/s /run/containerd
}

setup() {
	setup_client_test
	# husk's state root: dockerd gives the shim <exec-root>/runtime-runc,
	# the shim adds the containerd namespace.
	ROOT=$DKD/exec/runtime-runc/moby
	RUN=(--pull never --runtime husk --network none -e "HUSK_TEST_TAG=$TAG")
	IMAGE=husk-bb:latest
}

teardown() {
	dk_remove_all
	teardown_test
}

# dk ARGS...: the docker client on this file's dockerd, killed if it hangs.
dk() {
	timeout -k 5 120 "$DOCKER" -H "unix://$DKD/docker.sock" "$@"
}

dk_remove_all() {
	[ -S "$DKD/docker.sock" ] || return 0
	local ids
	ids=$(dk ps -aq 2>/dev/null)
	# shellcheck disable=SC2086
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
	return 0
}

# inspect ID FORMAT
inspect() {
	dk inspect -f "$2" "$1"
}

# shim_of ID: the pid of the shim serving container ID, if one runs.
shim_of() {
	local p
	for p in $(pids_with "$DKD/containerd.sock"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- " -id $1 " && echo "$p"
	done
	return 0
}

no_shim_of() {
	[ -z "$(shim_of "$1")" ]
}

# assert_dk_gone ID (the full id): dockerd knows nothing of it any more, and
# nothing of it is left: no husk state, process, shim, mount or cgroup.
assert_dk_gone() {
	local id=$1 m
	[ ${#id} -eq 64 ] || fail "not a container id: $id" || return
	! dk ps -aq --no-trunc | grep -qxF "$id" || fail "dockerd still has container $id" || return
	[ ! -e "$ROOT/$id" ] || fail "husk state left: $(ls -A "$ROOT")" || return
	wait_for 5 no_tagged_pids || fail "processes left: $(tagged_pids)" || return
	wait_for 5 no_shim_of "$id" || fail "the shim of $id is still running" || return
	# Its rootfs (an overlay under data/overlay2), /dev/shm (under
	# data/containers/<id>) and its network namespace (exec/netns): the
	# test's other containers are gone too, so nothing may be mounted there
	# but the data root itself (dockerd makes it a private mount).
	m=$( (mounts_under "$DKD/data" | grep -vxF "$DKD/data"; mounts_under "$DKD/exec/netns") || true)
	[ -z "$m" ] || fail "mounts left: $m" || return
	m=$(mounts_under "$DKD/containerd/state/io.containerd.runtime.v2.task/moby/$id")
	[ -z "$m" ] || fail "mounts left: $m" || return
	m=$(cgroup_dirs "/$CGP/$id")
	[ -z "$m" ] || fail "cgroups left: $m"
}

# run_cid [docker run flags...] IMAGE CMD...: docker run --rm with the
# common flags, as hrun (status, output, stderr), the container's id in $CID.
run_cid() {
	rm -f "$TESTDIR/cid"
	hrun dk run --rm --cidfile "$TESTDIR/cid" "${RUN[@]}" "$@"
	CID=$(cat "$TESTDIR/cid" 2>/dev/null)
}

@test "docker run --rm: the imported image, run by husk; output and exit code" {
	run_cid "$IMAGE" sh -c 'echo "hi from $(cat /proc/1/comm)"; echo to-err >&2; exit 7'
	[ "$status" -eq 7 ] || fail "docker run exited $status: $stderr"
	[ "$output" = "hi from sh" ]
	[ "$stderr" = to-err ]
	assert_dk_gone "$CID"
	run_cid "$IMAGE" true
	[ "$status" -eq 0 ] || fail "docker run exited $status: $stderr"
	[ -z "$output" ]
	assert_dk_gone "$CID"
}

@test "docker run -d, exec, stop, rm: husk holds the state; stop's SIGTERM ends it" {
	run -0 dk run -d "${RUN[@]}" "$IMAGE" sh -c "trap 'exit 42' TERM; while :; do usleep 10000; done"
	id=$output
	[ "$(inspect "$id" '{{.HostConfig.Runtime}}')" = husk ]
	[ "$(inspect "$id" '{{.State.Status}}')" = running ]
	pid=$(inspect "$id" '{{.State.Pid}}')
	# husk made it: its state under the root dockerd gave the shim.
	run -0 "$HUSK" --root "$ROOT" state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$pid" ]
	# The container's own cgroup, under the daemon's parent.
	grep -q ":memory:/$CGP/$id\$" "/proc/$pid/cgroup" || fail "cgroup: $(cat "/proc/$pid/cgroup")"
	hrun dk exec "$id" sh -c 'echo to-out; echo to-err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = to-out ]
	[ "$stderr" = to-err ]
	hrun dk exec "$id" sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; readlink /proc/self/ns/net'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$pid/ns/net")" ]
	# A program that is not there: husk's message, docker's 126 for exec
	# (as with runc), the container untouched.
	hrun dk exec "$id" /no/such/program
	[ "$status" -eq 126 ] || fail "docker exec exited $status: $stderr"
	# (docker 20.10 prints this error on stdout)
	[[ "$output$stderr" == *'exec: "/no/such/program": no such file or directory'* ]] || fail "docker: $output $stderr"
	[ "$(inspect "$id" '{{.State.Status}}')" = running ]
	run -0 bash -c "echo piped | $(printf '%q ' "$DOCKER" -H "unix://$DKD/docker.sock") exec -i $id cat"
	[ "$output" = piped ]
	# stop: SIGTERM, which the trap turns into exit 42 (after its 10 s,
	# dockerd would send SIGKILL: 137).
	run -0 dk stop "$id"
	[ "$(inspect "$id" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 42" ]
	run -0 dk rm "$id"
	assert_dk_gone "$id"
}

@test "docker rm -f: a running container, killed and removed" {
	run -0 dk run -d "${RUN[@]}" "$IMAGE" sleep 100000
	id=$output
	[ "$(inspect "$id" '{{.State.Status}}')" = running ]
	run -0 dk rm -f "$id"
	assert_dk_gone "$id"
}

@test "docker run -it and exec -it: a pty the engine relays" {
	# script(1) gives docker a real terminal.
	hrun script -qec "$(printf '%q ' "$DOCKER" -H "unix://$DKD/docker.sock" run --rm -it --cidfile "$TESTDIR/cid" "${RUN[@]}" \
		"$IMAGE" sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; tty; exit 5')" /dev/null
	[ "$status" -eq 5 ] || fail "exit $status: $output"
	out=$(tr -d '\r' <<<"$output")
	[[ "$out" == *all-ttys* ]] || fail "output: $out"
	[[ "$out" == */dev/pts/0* ]] || fail "output: $out"
	assert_dk_gone "$(cat "$TESTDIR/cid")"
	run -0 dk run -d "${RUN[@]}" "$IMAGE" sleep 100000
	id=$output
	hrun script -qec "$(printf '%q ' "$DOCKER" -H "unix://$DKD/docker.sock" exec -it "$id" \
		sh -c '[ -t 0 ] && echo exec-tty; tty; exit 6')" /dev/null
	[ "$status" -eq 6 ] || fail "exit $status: $output"
	out=$(tr -d '\r' <<<"$output")
	[[ "$out" == *exec-tty* ]] || fail "output: $out"
	[[ "$out" == */dev/pts/* ]] || fail "output: $out"
	run -0 dk rm -f "$id"
	assert_dk_gone "$id"
}

@test "docker run --memory: the limit in the container's own cgroup, read inside and on the host" {
	run -0 dk run -d "${RUN[@]}" --memory 64m "$IMAGE" sleep 100000
	id=$output
	[ "$(cat "/sys/fs/cgroup/memory/$CGP/$id/memory.limit_in_bytes")" = 67108864 ]
	# Inside, /sys/fs/cgroup/memory is that cgroup.
	run -0 dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = 67108864 ]
	# Docker's default swap limit: twice the memory, when the host
	# accounts swap.
	if [ -e "/sys/fs/cgroup/memory/$CGP/$id/memory.memsw.limit_in_bytes" ]; then
		[ "$(cat "/sys/fs/cgroup/memory/$CGP/$id/memory.memsw.limit_in_bytes")" = 134217728 ]
	fi
	run -0 dk rm -f "$id"
	assert_dk_gone "$id"
}

@test "docker run --read-only: the root is read-only, writes fail" {
	run_cid --read-only "$IMAGE" sh -c 'touch /x; echo "touch=$?"; grep " / " /proc/mounts'
	[ "$status" -eq 0 ] || fail "docker run exited $status: $stderr"
	[ "${lines[0]}" = touch=1 ]
	[[ "${lines[1]}" == *" / overlay ro,"* ]] || fail "mount: ${lines[1]}"
	[[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
	assert_dk_gone "$CID"
	# And without it, the same write works.
	run_cid "$IMAGE" sh -c 'touch /x && echo wrote'
	[ "$output" = wrote ]
	assert_dk_gone "$CID"
}

@test "docker run --user: by number and by name from the image's /etc/passwd" {
	run_cid --user 65534:65534 "$IMAGE" sh -c 'id -u; id -g; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ] || fail "docker run exited $status: $stderr"
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = 65534 ]
	# Not root: no effective capabilities.
	[[ "${lines[2]}" =~ CapEff:[[:space:]]+0000000000000000 ]]
	assert_dk_gone "$CID"
	run_cid --user daemon "$IMAGE" id
	[ "$output" = "uid=1(daemon) gid=1(daemon) groups=1(daemon)" ] || fail "docker run exited $status: $output $stderr"
	assert_dk_gone "$CID"
}

@test "docker's default seccomp profile: in effect, a syscall it blocks fails" {
	run_cid "$IMAGE" sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true; echo "unshare=$?"'
	[ "$status" -eq 0 ] || fail "docker run exited $status: $stderr"
	[[ "${lines[0]}" =~ ^Seccomp:[[:space:]]+2$ ]] || fail "status: ${lines[0]}"
	# unshare(CLONE_NEWUSER) is refused by the profile only.
	[ "${lines[1]}" = unshare=1 ]
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
	assert_dk_gone "$CID"
	run_cid --security-opt seccomp=unconfined "$IMAGE" sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true; echo "unshare=$?"'
	[[ "${lines[0]}" =~ ^Seccomp:[[:space:]]+0$ ]] || fail "status: ${lines[0]}"
	[ "${lines[1]}" = unshare=0 ] || fail "unconfined: $output $stderr"
	assert_dk_gone "$CID"
}

@test "docker's default capabilities, and --cap-add/--cap-drop" {
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
	# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
	run_cid "$IMAGE" grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status
	[ "$status" -eq 0 ] || fail "docker run exited $status: $stderr"
	for l in "${lines[@]}"; do
		[[ "$l" =~ :[[:space:]]+00000000a80425fb$ ]] || fail "caps: $output"
	done
	[ "${#lines[@]}" -eq 3 ]
	assert_dk_gone "$CID"
	run_cid --cap-add SYS_ADMIN --cap-drop NET_RAW "$IMAGE" grep '^CapEff:' /proc/self/status
	[[ "$output" =~ :[[:space:]]+00000000a82405fb$ ]] || fail "caps: $output"
	assert_dk_gone "$CID"
	run_cid --cap-drop ALL "$IMAGE" grep '^CapEff:' /proc/self/status
	[[ "$output" =~ :[[:space:]]+0000000000000000$ ]] || fail "caps: $output"
	assert_dk_gone "$CID"
}

@test "docker run: a program that cannot start; husk's own message, read from its JSON log; exit 127 and 126" {
	# The runtime husk-keep is husk keeping a copy of its JSON log.
	rm -f "$DKD"/husk-keep.*.log
	RUN[3]=husk-keep
	run_cid "$IMAGE" /no/such/program
	# docker's exit code for a program that does not exist, as with runc.
	[ "$status" -eq 127 ] || fail "docker run exited $status: $stderr"
	[[ "$stderr" == *'OCI runtime create failed'* ]] || fail "docker: $stderr"
	assert_engine_shows_husk_error "$DKD/husk-keep.create.log" "$stderr" '/no/such/program.*no such file or directory'
	assert_dk_gone "$CID"
	# And 126 for one that is not executable.
	rm -f "$DKD"/husk-keep.*.log
	run_cid "$IMAGE" /etc/passwd
	[ "$status" -eq 126 ] || fail "docker run exited $status: $stderr"
	assert_engine_shows_husk_error "$DKD/husk-keep.create.log" "$stderr" '/etc/passwd.*permission denied'
	assert_dk_gone "$CID"
}
