#!/usr/bin/env bats
# Rootless husk: every command run by a real unprivileged user that this
# file creates (with /etc/subuid and /etc/subgid ranges) and removes, as
# runc's integration tests run rootless.  On a cgroup v1 or hybrid host no
# cgroup can be delegated: the containers run without one, and limits are
# refused.  (tests/vm/rootless-v2.sh does the same with a delegated cgroup
# v2 subtree.)

load helpers

# Two users: A runs the containers, B tries to see and touch them.
setup_file() {
	command -v newuidmap >/dev/null || skip "newuidmap is missing (apt-get install uidmap)"
	export RL_A=hrla$$ RL_B=hrlb$$
	# Ranges of their own (not /etc/login.defs' automatic ones), so the
	# mapping tests know them.
	export RL_SUB_A=400000 RL_SUB_B=500000
	subid_user_add "$RL_A" $RL_SUB_A
	subid_user_add "$RL_B" $RL_SUB_B
}

teardown_file() {
	subid_user_del ${RL_A:-} ${RL_B:-}
}

setup() {
	setup_test || return
	A_UID=$(id -u "$RL_A") A_GID=$(id -g "$RL_A")
	B_UID=$(id -u "$RL_B")
	# What the users may reach: a copy of husk (the runner's is in a
	# private directory), the bundle (config.json their own), /out.
	cp "$HUSK" "$TESTDIR/husk"
	chmod 755 "$TESTDIR/husk"
	XDG_A=$TESTDIR/xdg-a XDG_B=$TESTDIR/xdg-b
	mkdir -m 700 "$XDG_A" "$XDG_B"
	chown "$RL_A:" "$XDG_A"
	chown "$RL_B:" "$XDG_B"
	ROOT=$XDG_A/husk   # teardown_test deletes what is left, as root
	rm -f "$BUNDLE/config.json"
	chown "$RL_A:" "$BUNDLE"
	as_a spec --rootless --bundle "$BUNDLE" || fail "husk spec --rootless as $RL_A failed" || return
	update_config '.process.terminal = false
		| .process.args = ["true"]
		| .process.env += ["HUSK_TEST_TAG=" + $tag]
		| .mounts += [{"destination": "/out", "type": "bind", "source": $out, "options": ["rbind", "rw"]}]
		| .linux.cgroupsPath = $tag' \
		--arg tag "$TAG" --arg out "$OUT"
	chown "$RL_A:" "$BUNDLE/config.json"
}

teardown() {
	teardown_test
	rm -rf "/tmp/husk-$A_UID" "/tmp/husk-$B_UID"
}

# as_user USER XDG ARGS...: husk as USER (no --root: the default one),
# with a clean environment holding XDG_RUNTIME_DIR=XDG unless it is "".
as_user() {
	local u=$1 xdg=$2
	shift 2
	own_cgroup_of "$@"
	HUSK_TEST_TAG=$TAG timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" \
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HUSK_TEST_TAG="$TAG" ${xdg:+XDG_RUNTIME_DIR=$xdg} \
		"$TESTDIR/husk" "$@"
}

as_a() { as_user "$RL_A" "$XDG_A" "$@"; }
as_b() { as_user "$RL_B" "$XDG_B" "$@"; }

# A's container, detached: stdio to files, not to bats' pipes.
a_run_detached() {
	local id=$1
	as_a run -d --bundle "$BUNDLE" "$id" </dev/null >"$TESTDIR/$id.stdout" 2>"$TESTDIR/$id.stderr" ||
		fail "husk run -d $id as $RL_A failed: $(cat "$TESTDIR/$id.stderr")"
}

a_status() {
	as_a state "$1" 2>/dev/null | jq -r .status
}

@test "rootless run: one-id mapping with setgroups denied, state under \$XDG_RUNTIME_DIR/husk" {
	set_cmd 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; touch /out/made; ls -ld /proc/self/root/ >/dev/null'
	hrun as_a run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "run as $RL_A: status $status: $stderr"
	[ "$(echo ${lines[0]})" = "0 $A_UID 1" ] || fail "uid_map: ${lines[0]}"
	[ "$(echo ${lines[1]})" = "0 $A_GID 1" ] || fail "gid_map: ${lines[1]}"
	[ "${lines[2]}" = deny ] || fail "setgroups: ${lines[2]}"
	[ "${lines[3]}" = 0 ]
	[ "$(stat -c %u "$OUT/made")" = "$A_UID" ]
	# The state root is the user's, private, and empty again.
	[ "$(stat -c '%U %a' "$XDG_A/husk")" = "$RL_A 700" ]
	assert_clean
}

@test "rootless run: ranges of /etc/subuid and /etc/subgid mapped through newuidmap and newgidmap" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $s, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": $s, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5]}' \
		--argjson u "$A_UID" --argjson g "$A_GID" --argjson s "$RL_SUB_A"
	set_cmd 'cat /proc/self/uid_map; id -u; id -g; id -G; touch /out/made'
	hrun as_a run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "run as $RL_A: status $status: $stderr"
	[ "$(echo ${lines[0]})" = "0 $A_UID 1" ]
	[ "$(echo ${lines[1]})" = "1 $RL_SUB_A 65536" ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[[ " ${lines[4]} " == *" 5 "* ]] || fail "groups: ${lines[4]}"
	[ "$(stat -c '%u %g' "$OUT/made")" = "$((RL_SUB_A + 999)) $((RL_SUB_A + 999))" ]
	assert_clean
}

@test "rootless run: ranges the user was not granted are refused by newuidmap, in one line" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $s, "size": 100}]' \
		--argjson u "$A_UID" --argjson s "$RL_SUB_B"
	hrun as_a --log "$XDG_A/log" --log-format json run --bundle "$BUNDLE" c1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line: $stderr"
	[[ "$stderr" =~ ^husk:\ run\ c1:\ newuidmap\ [0-9]+:\ .*/etc/subuid ]] || fail "$stderr"
	assert_clean
}

@test "rootless lifecycle: create, state, list, start, exec, ps, kill, delete as the user" {
	set_cmd 'echo started > /out/started; sleep 100'
	as_a create --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/c1.out" 2>&1 || fail "create: $(cat "$TESTDIR/c1.out")"
	[ "$(a_status c1)" = created ]
	hrun as_a list --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].id + " " + .[0].owner' <<<"$output")" = "c1 $RL_A" ] || fail "list: $output"
	as_a start c1
	wait_for 5 test -f "$OUT/started"
	[ "$(a_status c1)" = running ]
	hrun as_a exec c1 sh -c 'echo in-exec; id -u'
	[ "$status" -eq 0 ] || fail "exec: $stderr"
	[ "${lines[0]}" = in-exec ] && [ "${lines[1]}" = 0 ]
	as_a exec -d c1 sleep 99 </dev/null >/dev/null 2>&1
	hrun as_a ps c1 -e -o pid,args
	[ "$status" -eq 0 ] || fail "ps: $stderr"
	grep -q 'sleep 100' <<<"$output" || fail "ps: $output"
	grep -q 'sleep 99' <<<"$output" || fail "ps: $output"
	hrun as_a ps --format json c1
	[ "$(jq length <<<"$output")" -eq 2 ] || fail "ps json: $output"
	as_a kill --all c1 KILL
	wait_for 5 eval '[ "$(a_status c1)" = stopped ]' || fail "not stopped: $(a_status c1)"
	as_a delete c1
	hrun as_a state c1
	[ "$status" -eq 1 ]
	assert_clean
}

@test "rootless without a delegated cgroup: no limits run without a cgroup, limits are refused clearly" {
	update_config '.process.args = ["sleep", "100"]'
	a_run_detached c1
	[ "$(a_status c1)" = running ]
	# No cgroup recorded, and none made on any hierarchy.
	[ "$(jq -r .cgroupPath "$XDG_A/husk/c1/state.json")" = "" ] || fail "$(cat "$XDG_A/husk/c1/state.json")"
	[ -z "$(test_cgroups)" ] || fail "cgroups: $(test_cgroups)"
	# pause and update need a cgroup: one clear line each.
	hrun as_a pause c1
	[ "$status" -eq 1 ] && [[ "$stderr" == 'husk: container "c1" has no cgroup' ]] || fail "pause: $stderr"
	hrun as_a update --memory 64m c1
	[ "$status" -eq 1 ] && [[ "$stderr" == 'husk: container "c1" has no cgroup' ]] || fail "update: $stderr"
	as_a delete -f c1
	update_config '.linux.resources = {"memory": {"limit": 67108864}}'
	LOG=$XDG_A/log
	hrun as_a --log "$LOG" --log-format json run --bundle "$BUNDLE" c2
	assert_husk_error '^run c2: rootless: linux.resources asks for limits, but (this host has cgroup v1|cgroup .* is not delegated to uid [0-9]+)'
	assert_clean
}

@test "rootless: one user can neither see nor touch another's containers" {
	update_config '.process.args = ["sleep", "100"]'
	a_run_detached c1
	# B's own default root holds nothing of A's.
	hrun as_b list -q
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "B lists: $output $stderr"
	hrun as_b state c1
	[ "$status" -eq 1 ]
	# Pointed at A's root, B is refused by its permissions.
	local cmd
	for cmd in "state c1" "kill c1 KILL" "delete -f c1" "list" "ps c1" "exec c1 true"; do
		# shellcheck disable=SC2086
		hrun as_b --root "$XDG_A/husk" $cmd
		[ "$status" -ne 0 ] || fail "B: husk $cmd succeeded on A's container"
		[[ "$stderr" == *"ermission denied"* ]] || fail "B: husk $cmd: $stderr"
	done
	[ "$(stat -c '%U %a' "$XDG_A/husk")" = "$RL_A 700" ]
	[ "$(stat -c '%U %a' "$XDG_A/husk/c1")" = "$RL_A 700" ]
	[ "$(a_status c1)" = running ]
	as_a delete -f c1
	assert_clean
}

@test "rootless without XDG_RUNTIME_DIR: a private /tmp/husk-UID, never one another user made" {
	update_config '.process.args = ["sleep", "100"]'
	[ ! -d "/run/user/$A_UID" ] || skip "/run/user/$A_UID exists: husk uses it"
	rm -rf "/tmp/husk-$A_UID"
	as_user "$RL_A" "" run -d --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/c1.out" 2>&1 || fail "$(cat "$TESTDIR/c1.out")"
	[ "$(stat -c '%U %a' "/tmp/husk-$A_UID")" = "$RL_A 700" ]
	[ -d "/tmp/husk-$A_UID/c1" ]
	as_user "$RL_A" "" delete -f c1
	[ -z "$(ls -A "/tmp/husk-$A_UID")" ]
	# Made by B first (a trap for A's state): refused.
	rm -rf "/tmp/husk-$A_UID"
	setpriv --reuid="$RL_B" --regid="$(id -g "$RL_B")" --init-groups mkdir -m 777 "/tmp/husk-$A_UID"
	hrun as_user "$RL_A" "" list
	[ "$status" -eq 1 ] && [[ "$stderr" == "husk: state root /tmp/husk-$A_UID: not a directory of uid $A_UID's alone"* ]] || fail "$stderr"
	assert_clean
}

@test "rootless: the default spec --rootless as it is (a terminal, sh) runs in the foreground" {
	# setup's spec with only args and terminal put back as `husk spec
	# --rootless` wrote them; `script` gives husk a terminal to relay.
	update_config '.process.terminal = true | .process.args = ["sh"]'
	chown "$RL_A:" "$BUNDLE/config.json"
	local cmd
	printf -v cmd '%q ' setpriv --reuid="$RL_A" --regid="$A_GID" --init-groups \
		env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$XDG_A" HUSK_TEST_TAG="$TAG" \
		"$TESTDIR/husk" run --bundle "$BUNDLE" c1
	printf 'echo in-$(id -u)-$(tty)\nexit 3\n' >"$TESTDIR/typed"
	status=0
	output=$(timeout 30 script -qec "$cmd" /dev/null <"$TESTDIR/typed" 2>&1) || status=$?
	[ "$status" -eq 3 ] || fail "status $status: $output"
	[[ "$output" == *"in-0-/dev/pts/0"* ]] || fail "$output"
	assert_clean
}

# Rootless podman runs its runtime inside podman's own user namespace, and
# its config then has no user namespace: husk must still make the devices
# (no mknod there: the host's nodes are bound) and run every command.
@test "rootless podman with husk as its runtime: run, run -d, exec, top, stop, rm, --userns=keep-id" {
	command -v podman >/dev/null || skip "podman is not installed"
	local P=$TESTDIR/podman
	mkdir -p "$P/data" "$P/cfg" "$P/xdg"
	chmod 700 "$P/xdg"
	tar --numeric-owner -C "$BUNDLE/rootfs" -cf "$P/rootfs.tar" .
	cat >"$P/containers.conf" <<-CONF
	[containers]
	netns = "none"
	default_ulimits = []
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$P/xdg/events.log"
	runtime_supports_json = ["husk"]
	CONF
	cat >"$P/storage.conf" <<-CONF
	[storage]
	driver = "vfs"
	runroot = "$P/xdg/storage"
	graphroot = "$P/data/storage"
	CONF
	chown -R "$RL_A:" "$P"
	pa() {
		timeout --foreground -k 5 60 setpriv --reuid="$RL_A" --regid="$A_GID" --init-groups \
			env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$P/data" XDG_RUNTIME_DIR="$P/xdg" \
			XDG_CONFIG_HOME="$P/cfg" XDG_DATA_HOME="$P/data" CONTAINERS_CONF="$P/containers.conf" \
			CONTAINERS_STORAGE_CONF="$P/storage.conf" podman --runtime "$TESTDIR/husk" "$@"
	}
	pa import "$P/rootfs.tar" localhost/husk-rl >/dev/null || fail "podman import as $RL_A failed"
	run pa run --rm localhost/husk-rl sh -c 'id -u; test -c /dev/null && echo >/dev/null && echo dev-ok'
	[ "$status" -eq 0 ] || fail "podman run: $output"
	[[ "$output" == *$'0\ndev-ok'* ]] || fail "$output"
	local id
	id=$(pa run -d localhost/husk-rl sleep 60) || fail "podman run -d: $id"
	run pa exec "$id" cat /proc/self/uid_map
	[ "$status" -eq 0 ] || fail "podman exec: $output"
	[ "$(echo ${lines[0]})" = "0 $A_UID 1" ] || fail "uid_map in exec: $output"
	run pa top "$id"
	[[ "$output" == *"sleep 60"* ]] || fail "podman top: $output"
	pa stop -t 1 "$id" >/dev/null 2>&1 || fail "podman stop"
	pa rm "$id" >/dev/null || fail "podman rm"
	run pa run --rm --userns=keep-id localhost/husk-rl id -u
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = "$A_UID" ] || fail "keep-id: $output"
	run pa ps -aq
	[ -z "$output" ] || fail "containers left: $output"
	pkill -9 -U "$RL_A" 2>/dev/null || true
}
