#!/usr/bin/env bats
# linux.namespaces: new ones and ones joined by path, the user namespace's
# id mappings, the cgroup and time namespaces (linux.timeOffsets), and the
# errors of a namespace configuration that cannot be honoured.

load helpers
load helpers_fs

setup() {
	setup_fs
}

teardown() {
	teardown_test
}

# ns_of TYPE: the "TYPE link" line printed by ns_script, from $output.
ns_of() {
	awk -v n="$1" '$1 == n { print $2 }' <<<"$output"
}

NS_SCRIPT='for n in user pid net ipc uts mnt cgroup time; do echo "$n $(readlink /proc/self/ns/$n)"; done'

@test "user namespace: uid_map and gid_map as configured, written before the container goes on" {
	set_ns user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_cmd "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; $NS_SCRIPT"
	run_ok run_ctr c1
	[ "$(echo ${lines[0]})" = "0 100000 1000" ]
	[ "$(echo ${lines[1]})" = "1000 300000 10" ]
	[ "$(echo ${lines[2]})" = "0 200000 65536" ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	[ "$(ns_of user)" != "$(host_ns user)" ]
	assert_clean
}

@test "user namespace: files made inside belong to the mapped ids on the host" {
	userns_config
	update_config '.process.user = {"uid": 1000, "gid": 100}'
	set_cmd 'touch /out/by-user && echo ok'
	run_ok run_ctr c1
	[ "$output" = ok ]
	[ "$(stat -c '%u %g' "$OUT/by-user")" = "$((USERNS_BASE + 1000)) $((USERNS_BASE + 100))" ]
	update_config '.process.user = {"uid": 0, "gid": 0}'
	set_cmd 'touch /out/by-root && stat -c "%u %g" /out/by-root'
	run_ok run_ctr c2
	[ "$output" = "0 0" ]
	[ "$(stat -c '%u %g' "$OUT/by-root")" = "$USERNS_BASE $USERNS_BASE" ]
	assert_clean
}

@test "joining by path: net, ipc, uts and pid namespaces of a running container" {
	update_config '.hostname = "alpha"'
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	[ -n "$pida" ]

	own_cgroup b
	update_config 'del(.hostname)'
	for n in network:net ipc:ipc uts:uts pid:pid; do
		set_ns "${n%%:*}" "/proc/$pida/ns/${n#*:}"
	done
	set_cmd "$NS_SCRIPT; hostname; echo \$\$; ps -o comm | grep -c sleep"
	run_ok run_ctr b
	for n in net ipc uts pid; do
		[ "$(ns_of "$n")" = "$(host_ns "$n" "$pida")" ] || fail "$n namespace $(ns_of "$n") is not a's $(host_ns "$n" "$pida")"
	done
	[ "$(ns_of mnt)" != "$(host_ns mnt "$pida")" ] || fail "the mount namespace is a's"
	[ "$(ns_of user)" = "$(host_ns user)" ]
	[ "${lines[8]}" = alpha ]
	# not pid 1: a's sleep is
	[ "${lines[9]}" != 1 ]
	[ "${lines[10]}" = 1 ]
	husk delete -f a
	assert_clean
}

@test "joining by path: user, net, ipc, uts and pid namespaces of a running container" {
	userns_config
	update_config '.hostname = "alpha"'
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	[ -n "$pida" ]

	own_cgroup b
	update_config 'del(.hostname) | del(.linux.uidMappings) | del(.linux.gidMappings)'
	for n in user:user network:net ipc:ipc uts:uts pid:pid; do
		set_ns "${n%%:*}" "/proc/$pida/ns/${n#*:}"
	done
	set_cmd "$NS_SCRIPT; hostname; cat /proc/self/uid_map; ps -o comm | grep -c sleep"
	run_ok run_ctr b
	for n in user net ipc uts pid; do
		[ "$(ns_of "$n")" = "$(host_ns "$n" "$pida")" ] || fail "$n namespace $(ns_of "$n") is not a's $(host_ns "$n" "$pida")"
	done
	# a mount namespace of its own, still
	[ "$(ns_of mnt)" != "$(host_ns mnt "$pida")" ]
	[ "${lines[8]}" = alpha ]
	[ "$(echo ${lines[9]})" = "0 $USERNS_BASE 65536" ]
	# a's sleep is visible in the joined pid namespace
	[ "${lines[10]}" = 1 ]
	husk delete -f a
	assert_clean
}

@test "joining a user namespace by path: the new namespaces belong to it" {
	userns_config
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)

	own_cgroup b
	update_config 'del(.linux.uidMappings) | del(.linux.gidMappings)'
	set_ns user "/proc/$pida/ns/user"
	set_cmd "$NS_SCRIPT; cat /proc/self/uid_map; touch /out/from-b; stat -c %u /out/from-b"
	run_ok run_ctr b
	[ "$(ns_of user)" = "$(host_ns user "$pida")" ]
	for n in net ipc uts pid mnt; do
		[ "$(ns_of "$n")" != "$(host_ns "$n" "$pida")" ] || fail "$n namespace is a's"
		[ "$(ns_of "$n")" != "$(host_ns "$n")" ] || fail "$n namespace is the host's"
	done
	[ "$(echo ${lines[8]})" = "0 $USERNS_BASE 65536" ]
	[ "${lines[9]}" = 0 ]
	[ "$(stat -c %u "$OUT/from-b")" = "$USERNS_BASE" ]
	husk delete -f a
	assert_clean
}

@test "cgroup namespace: the container's cgroups are its root" {
	set_ns cgroup
	set_cmd "cat /proc/self/cgroup; echo --ns--; $NS_SCRIPT"
	run_ok run_ctr c1
	n=0
	while IFS=: read -r _ _ path; do
		[ "$path" = / ] || fail "cgroup path $path inside a cgroup namespace: $output"
		n=$((n + 1))
	done < <(awk '$0 == "--ns--" { exit } { print }' <<<"$output")
	[ "$n" -ge 1 ]
	[ "$(ns_of cgroup)" != "$(host_ns cgroup)" ]
	assert_clean
}

@test "time namespace: linux.timeOffsets boottime and monotonic" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this kernel"
	set_ns time
	update_config '.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}, "monotonic": {"secs": 3600, "nanosecs": 0}}'
	set_cmd "cat /proc/uptime; cat /proc/self/timens_offsets; $NS_SCRIPT"
	before=$(cut -d. -f1 /proc/uptime)
	run_ok run_ctr c1
	after=$(cut -d. -f1 /proc/uptime)
	inside=${lines[0]%%.*}
	[ "$inside" -ge $((before + 864000)) ] && [ "$inside" -le $((after + 864000 + 1)) ] ||
		fail "uptime inside $inside, host $before..$after, offset 864000"
	offsets=$(printf '%s\n' "${lines[1]}" "${lines[2]}" | awk '{ print $1, $2, $3 }' | sort)
	[ "$offsets" = $'boottime 864000 0\nmonotonic 3600 0' ] || fail "timens_offsets: $offsets"
	[ "$(ns_of time)" != "$(host_ns time)" ]
	assert_clean
}

@test "time namespace without offsets: a new namespace, the host's clocks" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this kernel"
	set_ns time
	set_cmd "cat /proc/uptime; $NS_SCRIPT"
	before=$(cut -d. -f1 /proc/uptime)
	run_ok run_ctr c1
	after=$(cut -d. -f1 /proc/uptime)
	inside=${lines[0]%%.*}
	[ "$inside" -ge "$before" ] && [ "$inside" -le $((after + 1)) ] || fail "uptime inside $inside, host $before..$after"
	[ "$(ns_of time)" != "$(host_ns time)" ]
	assert_clean
}

@test "joining a time namespace by path" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this kernel"
	set_ns time
	update_config '.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}}'
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	own_cgroup b
	update_config 'del(.linux.timeOffsets)'
	set_ns time "/proc/$pida/ns/time"
	set_cmd "cat /proc/uptime; $NS_SCRIPT"
	run_ok run_ctr b
	[ "$(ns_of time)" = "$(host_ns time "$pida")" ]
	inside=${lines[0]%%.*}
	[ "$inside" -ge 864000 ] || fail "uptime $inside in a's time namespace"
	husk delete -f a
	assert_clean
}

@test "error: linux.timeOffsets without a time namespace of its own" {
	update_config '.linux.timeOffsets = {"boottime": {"secs": 100, "nanosecs": 0}}'
	ctr_create_fail 'timeOffsets'
	[ -e /proc/self/ns/time ] || return 0
	set_args sleep 1000
	update_config 'del(.linux.timeOffsets)'
	set_ns time
	run_detached a
	own_cgroup c1
	update_config '.linux.timeOffsets = {"boottime": {"secs": 100, "nanosecs": 0}}'
	set_ns time "/proc/$(ctr_pid a)/ns/time"
	ctr_create_fail 'timeOffsets' a
	husk delete -f a
	assert_clean
}

@test "error: a namespace path that does not exist, for every type" {
	update_config 'del(.hostname)'
	for t in network ipc uts pid mount cgroup user; do
		update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}]' \
			--arg t "$t" --arg p "$TESTDIR/no-such-ns-$t"
		ctr_create_fail "no-such-ns-$t" || fail "type $t"
		update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)] + (if $t == "cgroup" or $t == "user" then [] else [{"type": $t}] end)' \
			--arg t "$t"
	done
}

@test "error: a namespace path of another type, or not a namespace" {
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	own_cgroup c1
	# the network namespace given the path of a uts namespace
	set_ns network "/proc/$pida/ns/uts"
	ctr_create_fail 'net' a
	# a regular file
	echo x >"$TESTDIR/notns"
	set_ns network "$TESTDIR/notns"
	ctr_create_fail 'net' a
	husk delete -f a
	assert_clean
}

@test "error: a new user namespace without mappings, mappings without a new user namespace" {
	set_ns user
	ctr_create_fail 'uidMappings|gidMappings|mapping'
	drop_ns user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]'
	ctr_create_fail 'uidMappings|user'
}

# husk started inside a user namespace that is not the host's, with a config
# that asks for none of its own (rootless podman runs its runtime so): no
# mknod there, so the devices are the host's nodes bound, as in a user
# namespace of the config's.
@test "husk run from inside a user namespace of its caller, the config without one: devices bound" {
	update_config '.process.args = ["sh", "-c", "test -c /dev/zero && head -c 3 /dev/zero | wc -c && echo >/dev/null && echo ok"]
		| .linux.devices = [{"path": "/dev/full", "type": "c", "major": 1, "minor": 7, "fileMode": 438, "uid": 0, "gid": 0}]
		| .linux.resources = {}'
	local go=$TESTDIR/go p
	printf -v p '%q ' "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	unshare -U --setgroups allow sh -c "while [ ! -e $go ]; do sleep 0.02; done; exec $p" \
		>"$TESTDIR/c1.log" 2>&1 &
	p=$!
	sleep 0.1
	echo "0 0 65536" >/proc/$p/uid_map && echo "0 0 65536" >/proc/$p/gid_map || { kill $p; fail "maps"; }
	touch "$go"
	status=0
	wait $p || status=$?
	[ "$status" -eq 0 ] || fail "status $status: $(cat "$TESTDIR/c1.log")"
	[ "$(cat "$TESTDIR/c1.log")" = $'3\nok' ] || fail "$(cat "$TESTDIR/c1.log")"
	assert_clean
}

# `unshare -r` (one id mapped, setgroups "deny"): no supplementary groups can
# be set there, and none asked for is no error; asked for, it is.
@test "husk run under unshare -r: setgroups denied by the caller's user namespace" {
	command -v unshare >/dev/null || skip "unshare is missing"
	update_config '.process.args = ["sh", "-c", "id -u; echo ok"]
		| .linux.resources = {}
		| (.mounts[] | select(.destination == "/dev/pts") | .options) |= map(select(startswith("gid=") | not))'
	hrun unshare -U -r "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "$output" = $'0\nok' ] || fail "$output"
	update_config '.process.user.additionalGids = [0]'
	hrun unshare -U -r "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c2
	[ "$status" -ne 0 ] || fail "additionalGids under setgroups deny did not fail"
	[[ "$stderr" == "husk: run c2: setgroups: Operation not permitted" ]] || fail "$stderr"
	assert_clean
}
