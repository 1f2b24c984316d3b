#!/usr/bin/env bats
# podman 4.3 (with conmon) running its containers with husk, end to end:
# `podman --runtime <husk>` with a private configuration (cgroupfs, a file
# events log, file locks, no network), from a rootfs directory and from an
# image imported offline.  Every case asserts on what podman prints and on
# the exit code it returns, and checks that once a container is removed
# nothing of it is left: no process, no mount, no cgroup, no husk state.
#
# Nothing of the host's podman is touched: the store, the run root, the
# libpod database, the locks and the events log all live in $PM.  See
# /work/shared/notes/clients.md for how podman drives a runtime.

load helpers

PODMAN_TIMEOUT=${HUSK_TEST_TIMEOUT:-60}
# husk's state root when none is given (podman passes no --root).
HUSK_DEFAULT_ROOT=/run/husk

setup_file() {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "podman or conmon is not installed (scripts/deps.sh test installs them)"
	local rootfs
	rootfs=$(ensure_rootfs) || return
	PM=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-podman.XXXXXX") || return
	chmod 755 "$PM"
	export PM
	# podman keys behaviour on the runtime's basename (runtime_supports_json
	# below): a husk binary by another name is reached through a symlink.
	PODMAN_RT=$HUSK
	if [ "$(basename "$HUSK")" != husk ]; then
		mkdir -p "$PM/bin" && ln -s "$HUSK" "$PM/bin/husk" || return
		PODMAN_RT=$PM/bin/husk
	fi
	export PODMAN_RT
	# The cgroup parents podman makes; removed at the end if this file made them.
	: >"$PM/cgroup-parents"
	local d
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "${d}libpod_parent" ] || echo "${d}libpod_parent" >>"$PM/cgroup-parents"
	done
	# default_ulimits: root lacks CAP_SYS_RESOURCE here, and podman's
	# default nofile/nproc (1048576) are above the hard limits.
	cat >"$PM/containers.conf" <<-EOF
		[containers]
		netns = "none"
		default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM/events.log"
		lock_type = "file"
		tmp_dir = "$PM/tmp"
		static_dir = "$PM/root/libpod"
		volume_path = "$PM/volumes"
		image_copy_tmp_dir = "$PM/tmp"
		runtime_supports_json = ["crun", "runc", "husk"]
		[network]
		network_config_dir = "$PM/networks"
	EOF
	printf '[storage]\ndriver = "overlay"\nrunroot = "%s/runroot"\ngraphroot = "%s/root"\n' \
		"$PM" "$PM" >"$PM/storage.conf"
	export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
	# The image: the busybox rootfs, with a file under /var/tmp for the
	# copy-up of --read-only's tmpfs.
	copy_rootfs "$rootfs" "$PM/image" || return
	mkdir -p "$PM/image/var/tmp" && echo from-the-image >"$PM/image/var/tmp/image-file" || return
	tar -C "$PM/image" -cf "$PM/busybox.tar" . || return
	# podman import writes the blob info cache of containers/image to
	# /var/lib/containers/cache whatever the store is: in a mount namespace
	# of its own with a tmpfs on /var/lib, that goes nowhere.
	local out
	out=$(unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o mode=755 podman-cache /var/lib && exec timeout 60 podman import -q "$0" localhost/bb' \
		"$PM/busybox.tar" 2>&1) || fail "podman import failed: $out" || return
	[[ $out == sha256:* ]] || fail "podman import printed: $out"
}

teardown_file() {
	[ -n "${PM:-}" ] && [ -d "$PM" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	timeout 60 podman --runtime "$PODMAN_RT" system reset -f >/dev/null 2>&1 || true
	kill_podman_procs
	reap_husk_states
	mounts_under "$PM" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	local d
	# (podman puts conmon in <parent>/conmon.)
	while read -r d; do
		rmdir "$d/conmon" "$d" 2>/dev/null || true
	done <"$PM/cgroup-parents"
	rm -rf --one-file-system "$PM"
}

setup() {
	TESTDIR=$(mktemp -d "$PM/test.XXXXXX")
}

teardown() {
	pm rm -af -t 0 >/dev/null 2>&1 || true
	kill_podman_procs
	reap_husk_states
	rm -rf --one-file-system "$TESTDIR"
}

# pm ARGS...: podman with husk as its runtime, killed if it hangs.
pm() {
	timeout --foreground -k 5 "$PODMAN_TIMEOUT" podman --runtime "$PODMAN_RT" "$@"
}

# pm_tty CMD: a podman command line run by script(1), which gives it a real
# terminal; its output (stdin of script: the keys typed) in $output, its
# exit code in $status.
pm_tty() {
	local cmd st=0
	cmd=$(printf '%q ' timeout --foreground -k 5 "$PODMAN_TIMEOUT" podman --runtime "$PODMAN_RT" "$@")
	script -qec "$cmd" /dev/null >"$TESTDIR/tty.out" 2>&1 || st=$?
	status=$st
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
}

# pids_naming STR: live processes whose command line holds STR (the
# pattern reaches grep through a file, so grep does not list itself).
pids_naming() {
	local f pid
	grep -lsF -f <(printf '%s\n' "$1") /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		pid_alive "$pid" && echo "$pid"
	done
	return 0
}

# Processes started for this file's podman (conmon, `podman container
# cleanup`): their command lines name $PM.
podman_pids() {
	pids_naming "$PM"
}

kill_podman_procs() {
	local pids
	pids=$(podman_pids)
	[ -z "$pids" ] && return 0
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null || true
}

# Containers husk still has for this file's podman (their bundle is under
# $PM), e.g. one created while the run was interrupted: deleted with husk.
reap_husk_states() {
	local f id
	for f in "$HUSK_DEFAULT_ROOT"/*/state.json; do
		[ -f "$f" ] && grep -qF "\"bundle\":\"$PM/" "$f" 2>/dev/null || continue
		id=${f%/state.json}
		id=${id##*/}
		timeout 10 "$HUSK" delete -f "$id" </dev/null >/dev/null 2>&1 || true
	done
}

# inspect ID FORMAT
inspect() {
	pm inspect -f "$2" "$1"
}

# A container's cgroup directory for a controller (cgroup v1 hierarchy
# name, or "" for the unified one).
ctr_cgroup() {
	local id=$1 ctl=${2:-}
	if [ -n "$ctl" ] && [ -d "/sys/fs/cgroup/$ctl" ]; then
		echo "/sys/fs/cgroup/$ctl/libpod_parent/libpod-$id"
	else
		echo "/sys/fs/cgroup/libpod_parent/libpod-$id"
	fi
}

procs_of_gone() {
	[ -z "$(pids_naming "$1")" ]
}

# assert_gone ID [PID]: after the removal of container ID (whose process
# was PID), nothing of it is left: no process (its own, conmon's, a
# cleanup's), no husk state, no cgroup, no mount; and when no container is
# left, no mount under $PM at all.  (podman itself is asked once: each
# call costs 0.2-1 s.)
assert_gone() {
	local id=$1 pid=${2:-} m
	[ -n "$id" ] || fail "assert_gone: no container id" || return
	if [ -n "$pid" ]; then
		wait_for 5 pid_gone "$pid" || fail "process $pid of $id is left" || return
	fi
	wait_for 5 procs_of_gone "$id" || fail "processes of $id left: $(for p in $(pids_naming "$id"); do
		echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done)" || return
	[ ! -e "$HUSK_DEFAULT_ROOT/$id" ] || fail "husk state $HUSK_DEFAULT_ROOT/$id is left" || return
	m=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$id*" 2>/dev/null || true)
	[ -z "$m" ] || fail "cgroups of $id left: $m" || return
	m=$(grep -F "$id" /proc/self/mountinfo || true)
	[ -z "$m" ] || fail "mounts of $id left: $m" || return
	local ids
	ids=$(pm ps -aq --no-trunc) || fail "podman ps failed" || return
	! grep -qx "$id" <<<"$ids" || fail "podman still lists $id" || return
	if [ -z "$ids" ]; then
		m=$(mounts_under "$PM")
		[ -z "$m" ] || fail "mounts under $PM left: $m" || return
	fi
}

@test "podman: run --rm --rootfs DIR runs the command, exit 0, nothing left" {
	copy_rootfs "$(ensure_rootfs)" "$TESTDIR/rootfs"
	hrun pm run --rm --cidfile "$TESTDIR/cid" --rootfs "$TESTDIR/rootfs" /bin/sh -c 'echo hello from $(cat /etc/hostname | wc -c) $0' rootfs
	[ "$status" -eq 0 ] || fail "podman run: status $status: $stderr"
	[[ "$output" =~ ^hello\ from\ [0-9]+\ rootfs$ ]] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/cid")"
}

@test "podman: a container of the image imported offline" {
	hrun pm images --format '{{.Repository}}:{{.Tag}}'
	[ "$status" -eq 0 ]
	grep -qx 'localhost/bb:latest' <<<"$output" || fail "images: $output"
	hrun pm run --rm --cidfile "$TESTDIR/cid" localhost/bb sh -c 'echo "pid $$ in $(cat /var/tmp/image-file)"'
	[ "$status" -eq 0 ] || fail "podman run: status $status: $stderr"
	[ "$output" = "pid 1 in from-the-image" ] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/cid")"
}

@test "podman: exit codes are propagated; a failed create shows husk's message" {
	hrun pm run --rm --cidfile "$TESTDIR/c1" localhost/bb sh -c 'echo out; exit 3'
	[ "$status" -eq 3 ] || fail "status $status: $stderr"
	[ "$output" = out ]
	assert_gone "$(cat "$TESTDIR/c1")"
	hrun pm run --rm --cidfile "$TESTDIR/c2" localhost/bb sh -c 'exit 255'
	[ "$status" -eq 255 ] || fail "status $status: $stderr"
	assert_gone "$(cat "$TESTDIR/c2")"
	# run -d, then wait: the same code.
	hrun pm run -d --name w1 localhost/bb sh -c 'exit 5'
	[ "$status" -eq 0 ] || fail "run -d: status $status: $stderr"
	id=$output
	hrun pm wait w1
	[ "$status" -eq 0 ] && [ "$output" = 5 ] || fail "wait: status $status, output $output"
	hrun pm rm w1
	[ "$status" -eq 0 ]
	assert_gone "$id"
	# A command that does not exist: 127, and husk's own one-line error
	# (from --log) is what podman shows.
	hrun pm run --rm --cidfile "$TESTDIR/c3" localhost/bb /no/such/cmd
	[ "$status" -eq 127 ] || fail "status $status: $stderr"
	grep -qi '^Error: .*husk: create [0-9a-f]\{64\}: .*/no/such/cmd.*: No such file or directory' <<<"$stderr" ||
		fail "stderr: $stderr"
	# That one line only: podman's delete --force of the failed container
	# adds nothing.
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	# Not executable: 126.
	hrun pm run --rm --cidfile "$TESTDIR/c4" localhost/bb /etc/passwd
	[ "$status" -eq 126 ] || fail "status $status: $stderr"
	grep -qi '^Error: .*husk: create [0-9a-f]\{64\}: .*/etc/passwd.*: Permission denied' <<<"$stderr" ||
		fail "stderr: $stderr"
	assert_gone "$(cat "$TESTDIR/c3")"
	assert_gone "$(cat "$TESTDIR/c4")"
}

@test "podman: run -d, exec, stop, rm" {
	# sh as PID 1 exits on TERM only through a trap.
	hrun pm run -d --name c1 localhost/bb sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	[ "$status" -eq 0 ] || fail "run -d: status $status: $stderr"
	id=$output
	[[ "$id" =~ ^[0-9a-f]{64}$ ]] || fail "run -d printed: $id"
	[ "$(inspect c1 '{{.State.Status}}')" = running ]
	pid=$(inspect c1 '{{.State.Pid}}')
	pid_alive "$pid"
	[ -e "$HUSK_DEFAULT_ROOT/$id" ] || fail "no husk state for $id"
	grep -q "libpod-$id" "/proc/$pid/cgroup" || fail "cgroup: $(cat "/proc/$pid/cgroup")"

	hrun pm exec c1 sh -c 'echo "exec as $(id -u) in $(cat /proc/1/comm), ppid $PPID"'
	[ "$status" -eq 0 ] || fail "exec: status $status: $stderr"
	[ "$output" = "exec as 0 in sh, ppid 0" ] || fail "exec output: $output"
	hrun pm exec c1 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	hrun pm exec c1 /no/such/cmd
	[ "$status" -eq 127 ] || fail "exec of a missing command: status $status: $stderr"
	hrun pm exec -e FOO=bar -w /tmp c1 sh -c 'echo "$FOO $PWD"'
	[ "$status" -eq 0 ] && [ "$output" = "bar /tmp" ] || fail "exec -e -w: $status $output $stderr"
	# The execs left nothing running: sh and its sleep.
	[ "$(pm top c1 pid args | wc -l)" -eq 3 ] || fail "top: $(pm top c1 pid args)"

	hrun pm stop -t 5 c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "stop: status $status: $output $stderr"
	[ "$(inspect c1 '{{.State.Status}} {{.State.ExitCode}}')" = "exited 0" ]
	wait_for 5 pid_gone "$pid" || fail "process $pid still alive after stop"
	hrun pm rm c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "rm: status $status: $output $stderr"
	assert_gone "$id" "$pid"
}

@test "podman: run -it and exec -it through a pty" {
	# Typed keys reach the shell; its output comes back through the pty.
	pm_tty run --rm -it --cidfile "$TESTDIR/cid" localhost/bb sh <<<$'tty\necho "sum=$((6*7))"; [ -t 0 ] && echo stdin-tty\nexit 4'
	[ "$status" -eq 4 ] || fail "run -it: status $status: $output"
	grep -qx '/dev/pts/0' <<<"$output" || fail "run -it output: $output"
	grep -qx 'sum=42' <<<"$output" || fail "run -it output: $output"
	grep -qx 'stdin-tty' <<<"$output" || fail "run -it output: $output"
	assert_gone "$(cat "$TESTDIR/cid")"

	hrun pm run -d --name c1 localhost/bb sleep 1000
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$output
	pm_tty exec -it c1 sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty $(tty)"; exit 6' </dev/null
	[ "$status" -eq 6 ] || fail "exec -it: status $status: $output"
	# (The output starts with "^@" from script; so it does with runc.)
	grep -q 'tty /dev/pts/[0-9]*$' <<<"$output" || fail "exec -it output: $output"
	# Without -t: no terminal.
	hrun pm exec c1 sh -c '[ -t 1 ] || echo no-tty'
	[ "$output" = no-tty ]
	hrun pm rm -f -t 0 c1
	[ "$status" -eq 0 ]
	assert_gone "$id"
}

@test "podman: pause freezes the container, unpause thaws it" {
	hrun pm run -d --name c1 localhost/bb sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; usleep 10000; done'
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$output
	pid=$(inspect c1 '{{.State.Pid}}')
	count() { cat "/proc/$pid/root/tmp/count" 2>/dev/null; }
	count_moves() {
		local a
		a=$(count)
		sleep 0.05
		[ "$(count)" != "$a" ]
	}
	wait_for 10 count_moves || fail "the counter never moves"

	hrun pm pause c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "pause: status $status: $output $stderr"
	[ "$(inspect c1 '{{.State.Status}}')" = paused ]
	if [ -d /sys/fs/cgroup/freezer ]; then
		[ "$(cat "$(ctr_cgroup "$id" freezer)/freezer.state")" = FROZEN ]
	else
		[ "$(cat "$(ctr_cgroup "$id")/cgroup.freeze")" = 1 ]
	fi
	a=$(count)
	sleep 0.3
	[ "$(count)" = "$a" ] || fail "the counter moved while paused: $a -> $(count)"
	# A paused container takes no exec.
	hrun pm exec c1 true
	[ "$status" -ne 0 ]

	hrun pm unpause c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "unpause: status $status: $output $stderr"
	[ "$(inspect c1 '{{.State.Status}}')" = running ]
	wait_for 5 count_moves || fail "the counter does not move after unpause"
	hrun pm rm -f -t 0 c1
	[ "$status" -eq 0 ]
	assert_gone "$id" "$pid"
}

@test "podman: top lists the container's processes" {
	hrun pm run -d --name c1 localhost/bb sh -c 'sleep 1001 & sleep 1002; exit 0'
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$output
	wait_for 5 sh -c "podman --runtime '$PODMAN_RT' top c1 args | grep -q 'sleep 1001'"
	hrun pm top c1
	[ "$status" -eq 0 ] || fail "top: $stderr"
	[[ "${lines[0]}" =~ ^USER\ +PID\ +PPID\ +%CPU\ +ELAPSED\ +TTY\ +TIME\ +COMMAND ]] || fail "top: $output"
	grep -Eq '^root +1 +0 .* sh -c sleep 1001 & sleep 1002; exit 0' <<<"$output" || fail "top: $output"
	grep -Eq '^root +[0-9]+ +1 .* sleep 1001' <<<"$output" || fail "top: $output"
	grep -Eq '^root +[0-9]+ +1 .* sleep 1002' <<<"$output" || fail "top: $output"
	[ "${#lines[@]}" -eq 4 ] || fail "top: $output"
	hrun pm rm -f -t 0 c1
	[ "$status" -eq 0 ]
	assert_gone "$id"
}

@test "podman: --memory and --pids-limit are the limits of the container's cgroup; update changes them" {
	if [ -d /sys/fs/cgroup/memory ]; then
		mem=memory/memory.limit_in_bytes pids=pids/pids.max
	else
		mem=memory.max pids=pids.max
	fi
	# Read in the container, through its /sys/fs/cgroup.
	hrun pm run --rm --cidfile "$TESTDIR/cid" --memory 64m --pids-limit 42 localhost/bb \
		sh -c "cat /sys/fs/cgroup/$mem /sys/fs/cgroup/$pids"
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	[ "${lines[0]}" = 67108864 ] && [ "${lines[1]}" = 42 ] || fail "limits: $output"
	assert_gone "$(cat "$TESTDIR/cid")"
	# And on the host, in the container's own cgroup.
	hrun pm run -d --name c1 --memory 32m --pids-limit 7 localhost/bb sleep 1000
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$output
	pid=$(inspect c1 '{{.State.Pid}}')
	if [ -d /sys/fs/cgroup/memory ]; then
		[ "$(cat "$(ctr_cgroup "$id" memory)/memory.limit_in_bytes")" = 33554432 ]
		[ "$(cat "$(ctr_cgroup "$id" pids)/pids.max")" = 7 ]
		grep -qx "$pid" "$(ctr_cgroup "$id" pids)/cgroup.procs"
	else
		[ "$(cat "$(ctr_cgroup "$id")/memory.max")" = 33554432 ]
		[ "$(cat "$(ctr_cgroup "$id")/pids.max")" = 7 ]
		grep -qx "$pid" "$(ctr_cgroup "$id")/cgroup.procs"
	fi
	# podman update (update --resources=FILE): the new limit is in place.
	hrun pm update --memory 48m c1
	[ "$status" -eq 0 ] || fail "update: status $status: $output $stderr"
	if [ -d /sys/fs/cgroup/memory ]; then
		[ "$(cat "$(ctr_cgroup "$id" memory)/memory.limit_in_bytes")" = 50331648 ]
	else
		[ "$(cat "$(ctr_cgroup "$id")/memory.max")" = 50331648 ]
	fi
	# The pids limit holds: the 7th process cannot be forked.
	hrun pm exec c1 sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; wait'
	[[ "$stderr" == *"can't fork"* ]] || fail "exec: status $status: $output $stderr"
	hrun pm rm -f -t 0 c1
	[ "$status" -eq 0 ]
	assert_gone "$id" "$pid"
}

@test "podman: --user runs the command as that user" {
	hrun pm run --rm --cidfile "$TESTDIR/c1" --user 1:1 localhost/bb sh -c 'id; touch /tmp/f; stat -c "%u:%g" /tmp/f'
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	[ "${lines[0]}" = "uid=1(daemon) gid=1(daemon) groups=1(daemon)" ] || fail "output: $output"
	[ "${lines[1]}" = "1:1" ] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/c1")"
	hrun pm run --rm --cidfile "$TESTDIR/c2" --user nobody localhost/bb sh -c 'grep -E "^(Uid|Gid):" /proc/self/status; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$ ]] || fail "output: $output"
	[[ "${lines[1]}" =~ ^Gid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$ ]] || fail "output: $output"
	# No capability is effective for a non-root user.
	[[ "${lines[2]}" =~ ^CapEff:[[:space:]]+0000000000000000$ ]] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/c2")"
}

@test "podman: --cap-drop removes capabilities" {
	hrun pm run --rm --cidfile "$TESTDIR/c1" localhost/bb sh -c 'grep CapEff /proc/self/status; touch /tmp/f; chown 1 /tmp/f && echo chown-ok'
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	eff=$((0x$(awk '{ print $2 }' <<<"${lines[0]}")))
	(((eff & 1) == 1)) || fail "CAP_CHOWN missing by default: $output"
	[ "${lines[1]}" = chown-ok ]
	assert_gone "$(cat "$TESTDIR/c1")"

	hrun pm run --rm --cidfile "$TESTDIR/c2" --cap-drop chown localhost/bb sh -c 'grep -E "Cap(Eff|Bnd)" /proc/self/status; touch /tmp/f; chown 1 /tmp/f'
	[ "$status" -eq 1 ] || fail "run: status $status: $stderr"
	[[ "$stderr" == *"chown: /tmp/f: Operation not permitted"* ]] || fail "stderr: $stderr"
	for l in "${lines[0]}" "${lines[1]}"; do
		v=$((0x$(awk '{ print $2 }' <<<"$l")))
		[ "$v" -eq $((eff & ~1)) ] || fail "$l, expected $(printf %016x $((eff & ~1)))"
	done
	assert_gone "$(cat "$TESTDIR/c2")"

	hrun pm run --rm --cidfile "$TESTDIR/c3" --cap-drop all localhost/bb grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	[ "$(grep -c '0000000000000000$' <<<"$output")" -eq 5 ] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/c3")"
}

@test "podman: --read-only, with writable tmpfs copied up from the image" {
	hrun pm run --rm --cidfile "$TESTDIR/cid" --read-only localhost/bb sh -c '
		touch /f 2>&1; echo "root=$?"
		touch /tmp/f && echo tmp-writable
		cat /var/tmp/image-file
		awk "\$2 == \"/\" { print \$4 }" /proc/mounts | cut -d, -f1
		awk "\$2 == \"/var/tmp\" { print \$3 }" /proc/mounts'
	[ "$status" -eq 0 ] || fail "run: status $status: $stderr"
	[ "${lines[0]}" = "touch: /f: Read-only file system" ] || fail "output: $output"
	[ "${lines[1]}" = "root=1" ] || fail "output: $output"
	[ "${lines[2]}" = tmp-writable ] || fail "output: $output"
	# /var/tmp is a tmpfs that starts with what the image has there.
	[ "${lines[3]}" = from-the-image ] || fail "output: $output"
	[ "${lines[4]}" = ro ] || fail "output: $output"
	[ "${lines[5]}" = tmpfs ] || fail "output: $output"
	assert_gone "$(cat "$TESTDIR/cid")"
}

@test "podman: its default seccomp profile is in effect" {
	# swapoff is refused (EPERM) by podman's profile even with
	# CAP_SYS_ADMIN; without a filter the kernel gets to look the path up.
	hrun pm run --rm --cidfile "$TESTDIR/c1" --cap-add sys_admin localhost/bb sh -c 'grep "^Seccomp:" /proc/self/status; swapoff /no/such/file'
	[ "$status" -eq 1 ] || fail "run: status $status: $stderr"
	[[ "$output" =~ ^Seccomp:[[:space:]]+2$ ]] || fail "output: $output"
	[[ "$stderr" == *"swapoff: /no/such/file: Operation not permitted"* ]] || fail "stderr: $stderr"
	assert_gone "$(cat "$TESTDIR/c1")"
	# The same with the profile off.
	hrun pm run --rm --cidfile "$TESTDIR/c2" --cap-add sys_admin --security-opt seccomp=unconfined localhost/bb sh -c 'grep "^Seccomp:" /proc/self/status; swapoff /no/such/file'
	[ "$status" -eq 1 ] || fail "run: status $status: $stderr"
	[[ "$output" =~ ^Seccomp:[[:space:]]+0$ ]] || fail "output: $output"
	[[ "$stderr" == *"swapoff: /no/such/file: No such file or directory"* ]] || fail "stderr: $stderr"
	assert_gone "$(cat "$TESTDIR/c2")"
}

@test "podman: kill delivers signals; the default one kills the container" {
	hrun pm run -d --name c1 localhost/bb sh -c 'trap "echo got-usr1 >>/tmp/sigs" USR1; trap "echo got-hup >>/tmp/sigs" HUP; while :; do usleep 10000; done'
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$output
	pid=$(inspect c1 '{{.State.Pid}}')
	hrun pm kill -s USR1 c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "kill -s USR1: status $status: $output $stderr"
	wait_for 5 grep -q got-usr1 "/proc/$pid/root/tmp/sigs" || fail "USR1 did not arrive"
	hrun pm kill -s HUP c1
	[ "$status" -eq 0 ]
	wait_for 5 grep -q got-hup "/proc/$pid/root/tmp/sigs" || fail "HUP did not arrive"
	[ "$(inspect c1 '{{.State.Status}}')" = running ]
	# SIGKILL by default.
	hrun pm kill c1
	[ "$status" -eq 0 ] && [ "$output" = c1 ] || fail "kill: status $status: $output $stderr"
	hrun pm wait c1
	[ "$status" -eq 0 ] && [ "$output" = 137 ] || fail "wait: status $status: $output $stderr"
	[ "$(inspect c1 '{{.State.Status}}')" = exited ]
	# A stopped container takes no signal.
	hrun pm kill c1
	[ "$status" -ne 0 ]
	hrun pm rm c1
	[ "$status" -eq 0 ]
	assert_gone "$id" "$pid"
}
