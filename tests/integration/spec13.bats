#!/usr/bin/env bats
# runtime-spec 1.3: the ociVersion policy, --version and features naming
# 1.3.0, process.execCPUAffinity, linux.memoryPolicy, linux.netDevices
# (a dummy interface in a network namespace the test makes, never the
# host's) and linux.intelRdt.

load helpers
load helpers_fs

GETMEMPOLICY=${HUSK_GETMEMPOLICY:-$REPO_ROOT/build/tests/tools/getmempolicy}

setup() {
	setup_fs
	NETNS=
}

teardown() {
	[ -z "$NETNS" ] || netns_del "$NETNS"
	teardown_test
}

# ---------------------------------------------------------------------------
# ociVersion, --version, features

@test "ociVersion: 1.0.0 to 1.3.x run" {
	local v
	for v in 1.0.0 1.0.2-dev 1.1.0 1.2.1 1.3.0; do
		update_config '.ociVersion = $v' --arg v "$v"
		run_ok run_ctr c1
	done
	assert_clean
}

@test "ociVersion: 1.4.0, 2.0.0 and a non-version are refused in one line" {
	update_config '.ociVersion = "1.4.0"'
	ctr_create_fail 'ociVersion: unsupported version "1.4.0" \(husk implements 1.0.0 to 1.3.0\)'
	update_config '.ociVersion = "2.0.0"'
	ctr_create_fail 'ociVersion: unsupported version "2.0.0"'
	update_config '.ociVersion = "1.junk"'
	ctr_create_fail 'ociVersion: "1.junk" is not a version'
}

@test "--version and features name spec 1.3.0 and its new fields" {
	run -0 "$HUSK" --version
	[[ "$output" == *$'\nspec: 1.3.0'* ]] || fail "no spec line: $output"
	run -0 "$HUSK" features
	jq -e '.ociVersionMax == "1.3.0"
		and (.linux.memoryPolicy.modes | index("MPOL_BIND") and index("MPOL_WEIGHTED_INTERLEAVE") and index("MPOL_LOCAL"))
		and (.linux.memoryPolicy.flags | index("MPOL_F_STATIC_NODES") and index("MPOL_F_NUMA_BALANCING"))
		and .linux.netDevices.enabled == true
		and .linux.intelRdt.enabled == false
		and .annotations["run.husk.process.execCPUAffinity"] == "true"' <<<"$output" >/dev/null ||
		fail "features: $output"
}

# ---------------------------------------------------------------------------
# process.execCPUAffinity

need_two_cpus() {
	[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] || [[ "$(cat /sys/devices/system/cpu/online)" == 0-* ]] ||
		skip "needs CPUs 0 and 1 online"
	[ "$(nproc --all)" -ge 2 ] || skip "needs two CPUs"
}

cpus_of() { # cpus_of PID
	awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$1/status"
}

@test "execCPUAffinity: final applies to exec, not to the container's first process" {
	need_two_cpus
	update_config '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
	set_args sleep 100
	run_detached c1
	[ "$(cpus_of "$(ctr_pid c1)")" = "$(cpus_of $$)" ] || fail "init has $(cpus_of "$(ctr_pid c1)")"
	run_ok husk_exec c1 awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status
	[ "$output" = 1 ] || fail "exec runs on $output"
	husk delete -f c1
	assert_clean
}

@test "execCPUAffinity: initial is set before the cgroup join, and without final the cgroup's CPUs follow" {
	need_two_cpus
	update_config '.process.execCPUAffinity = {"initial": "1"}'
	set_args sleep 100
	run_detached c1
	# husk itself on CPU 0 only: the exec's process must not keep that.
	run taskset -c 0 "$HUSK" --root "$ROOT" --debug --log "$LOG" exec c1 awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status
	[ "$status" -eq 0 ] || fail "exec: $output"
	[ "$output" = "$(cat /sys/devices/system/cpu/online)" ] || fail "exec runs on $output"
	grep -q 'initial CPU affinity 1' "$LOG" || fail "no initial affinity in the log: $(cat "$LOG")"
	husk delete -f c1
	assert_clean
}

@test "execCPUAffinity: CPUs that are not online, or out of range, fail exec in one line" {
	need_two_cpus
	set_args sleep 100
	run_detached c1
	pid=$(ctr_pid c1)
	cat >"$TESTDIR/p.json" <<-'J'
	{"args": ["true"], "cwd": "/", "execCPUAffinity": {"final": "1,4095"}}
	J
	[ -e /sys/devices/system/cpu/cpu4095 ] && skip "this host has a CPU 4095"
	hrun husk_logged exec --process "$TESTDIR/p.json" c1
	assert_husk_error 'process.execCPUAffinity.final: CPU 4095 is not online on this host' 255
	sed -i 's/1,4095/99999/' "$TESTDIR/p.json"
	rm -f "$LOG"
	hrun husk_logged exec --process "$TESTDIR/p.json" c1
	assert_husk_error 'execCPUAffinity.final: "99999": CPU 99999 is out of range' 255
	sed -i 's/"99999"/"3-1"/' "$TESTDIR/p.json"
	rm -f "$LOG"
	hrun husk_logged exec --process "$TESTDIR/p.json" c1
	assert_husk_error 'range 3-1 goes backwards' 255
	[ "$(ctr_pid c1)" = "$pid" ] && [ "$(ctr_status c1)" = running ] || fail "the container suffered"
	husk delete -f c1
	assert_clean
}

# ---------------------------------------------------------------------------
# linux.memoryPolicy

need_numa() {
	[ -r /sys/devices/system/node/online ] || skip "this kernel has no NUMA support"
	[ -x "$GETMEMPOLICY" ] || skip "no $GETMEMPOLICY (build husk first)"
	cp "$GETMEMPOLICY" "$BUNDLE/rootfs/bin/getmempolicy"
}

@test "memoryPolicy: the container's first process and exec have the policy" {
	need_numa
	node=$(sed 's/[-,].*//' /sys/devices/system/node/online)
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": $n, "flags": ["MPOL_F_STATIC_NODES"]}' --arg n "$node"
	set_cmd 'getmempolicy; sleep 100'
	run_detached c1
	wait_for 5 grep -q mode "$TESTDIR/c1.stdout" || fail "no output: $(cat "$TESTDIR/c1.stdout" "$TESTDIR/c1.stderr")"
	# MPOL_BIND is 2, MPOL_F_STATIC_NODES 0x8000.
	[ "$(cat "$TESTDIR/c1.stdout")" = "mode 2 flags 0x8000 nodes 0x$((1 << node))" ] ||
		fail "first process: $(cat "$TESTDIR/c1.stdout")"
	run_ok husk_exec c1 getmempolicy
	[ "$output" = "mode 2 flags 0x8000 nodes 0x$((1 << node))" ] || fail "exec: $output"
	husk delete -f c1
	# husk's own policy is not changed.
	run_ok "$GETMEMPOLICY"
	[ "$output" = "mode 0 flags 0x0 nodes 0x0" ] || fail "husk side: $output"
	assert_clean
}

@test "memoryPolicy: MPOL_INTERLEAVE and MPOL_LOCAL" {
	need_numa
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	set_args getmempolicy
	run_ok run_ctr c1
	[ "$output" = "mode 3 flags 0x0 nodes 0x1" ] || fail "$output"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL"}'
	run_ok run_ctr c1
	[ "$output" = "mode 4 flags 0x0 nodes 0x0" ] || fail "$output"
	assert_clean
}

@test "memoryPolicy: a node that does not exist, a huge node, bad modes and flags are refused in one line" {
	need_numa
	online=$(cat /sys/devices/system/node/online)
	missing=$(( ${online##*[-,]} + 1 ))
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": $n}' --arg n "$missing"
	ctr_create_fail "linux.memoryPolicy.nodes: node $missing does not exist on this host \(online: $online\)"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0,18446744073709551617"}'
	ctr_create_fail 'linux.memoryPolicy.nodes: .*out of range'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-1023"}'
	ctr_create_fail 'node [0-9]+ does not exist on this host'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_EVIL", "nodes": "0"}'
	ctr_create_fail 'linux.memoryPolicy.mode: unknown mode "MPOL_EVIL"'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND"}'
	ctr_create_fail 'MPOL_BIND needs at least one node'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT", "nodes": "0"}'
	ctr_create_fail 'MPOL_DEFAULT takes no nodes'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}'
	ctr_create_fail 'exclude each other'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_SHARED"]}'
	ctr_create_fail 'linux.memoryPolicy.flags\[0\]: unknown flag "MPOL_F_SHARED"'
}

# ---------------------------------------------------------------------------
# linux.netDevices, in a network namespace of the test's own: husk runs in
# it (nsenter --net: only the network namespace changes, not the mounts,
# as `ip netns exec` would with its own /sys, hiding the cgroup mounts).

make_test_netns() {
	NETNS=husk-$TAG
	ip netns add "$NETNS"
	# A dummy where the kernel has the driver, else a veth pair (whose
	# peer, hpeer0, stays in the test's namespace).
	PEER=
	if ! ip -n "$NETNS" link add hdummy0 type dummy 2>/dev/null; then
		ip -n "$NETNS" link add hdummy0 type veth peer name hpeer0 || fail "neither dummy nor veth links here" || return
		PEER=hpeer0
	fi
	# A documentation address (RFC 5737), in the test's namespace only.
	ip -n "$NETNS" addr add 192.0.2.5/24 dev hdummy0
}

peer_gone() {
	! ip -n "$NETNS" link show "$PEER" >/dev/null 2>&1
}

husk_in_netns() { # husk_in_netns ARGS...: husk (as the husk wrapper) in $NETNS
	own_cgroup_of "$@"
	HUSK_TEST_TAG=$TAG timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" \
		nsenter --net="/run/netns/$NETNS" "$HUSK" --root "$ROOT" "$@"
}

@test "netDevices: a dummy moves in renamed, up, with its address, and is gone when the container ends" {
	make_test_netns
	host_links=$(ip -o link show | awk '{ print $2 }')
	update_config '.linux.netDevices = {"hdummy0": {"name": "ctr0"}}'
	set_cmd 'ip -o link show ctr0; ip -o -4 addr show dev ctr0; ip -o link show hdummy0 2>/dev/null || echo no-hdummy0'
	run husk_in_netns --log "$LOG" --log-format json run --bundle "$BUNDLE" c1 </dev/null
	[ "$status" -eq 0 ] || fail "run: $output"
	[[ "${lines[0]}" =~ \ ctr0[@:].*[\<,]UP[,\>] ]] || fail "link: $output"
	[[ "${lines[1]}" == *"inet 192.0.2.5/24"* ]] || fail "address: $output"
	[ "${lines[2]}" = no-hdummy0 ] || fail "old name inside: $output"
	# A virtual device goes with the container's network namespace.
	! ip -n "$NETNS" link show hdummy0 2>/dev/null || fail "hdummy0 is back in the test namespace"
	! ip -n "$NETNS" link show ctr0 2>/dev/null || fail "ctr0 is in the test namespace"
	# The kernel dismantles a dead network namespace in a work queue of its
	# own, a moment after the last process left: the peer goes then.
	[ -z "$PEER" ] || wait_for 5 peer_gone || fail "the veth peer outlived its pair"
	[ "$(ip -o link show | awk '{ print $2 }')" = "$host_links" ] || fail "the host's interfaces changed"
	assert_clean
}

@test "netDevices: without a new name the interface keeps its own" {
	make_test_netns
	update_config '.linux.netDevices = {"hdummy0": {}}'
	set_cmd 'ip -o link show hdummy0'
	run husk_in_netns run --bundle "$BUNDLE" c1 </dev/null
	[ "$status" -eq 0 ] && [[ "$output" =~ \ hdummy0[@:].*[\<,]UP[,\>] ]] || fail "run: $output"
	assert_clean
}

@test "netDevices: a missing interface, a name clash and no network namespace are refused in one line" {
	make_test_netns
	update_config '.linux.netDevices = {"nope0": {}}'
	local cmd
	for cmd in create run; do
		rm -f "$LOG"
		hrun husk_in_netns --log "$LOG" --log-format json $cmd --bundle "$BUNDLE" c1
		assert_husk_error 'linux.netDevices: there is no interface nope0 in husk.s network namespace'
		assert_clean
	done
	# lo exists in every network namespace.
	update_config '.linux.netDevices = {"hdummy0": {"name": "lo"}}'
	for cmd in create run; do
		rm -f "$LOG"
		hrun husk_in_netns --log "$LOG" --log-format json $cmd --bundle "$BUNDLE" c1
		assert_husk_error 'linux.netDevices.hdummy0: the container.s network namespace has lo: File exists'
		assert_clean
		ip -n "$NETNS" -o -4 addr show dev hdummy0 | grep -q 192.0.2.5 || fail "hdummy0 did not stay as it was"
	done
	update_config '.linux.netDevices = {"hdummy0": {"name": "a/b"}}'
	rm -f "$LOG"
	hrun husk_in_netns --log "$LOG" --log-format json run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.netDevices.hdummy0.name: "a/b" is not a valid interface name'
	update_config '.linux.netDevices = {"hdummy0": {}} | .linux.namespaces |= map(select(.type != "network"))'
	rm -f "$LOG"
	hrun husk_in_netns --log "$LOG" --log-format json run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.netDevices: needs a network namespace'
	assert_clean
}

# ---------------------------------------------------------------------------
# linux.intelRdt

@test "intelRdt: a clear error where no resctrl filesystem is mounted" {
	[ "$(stat -f -c %T /sys/fs/resctrl 2>/dev/null)" != resctrl ] || skip "this host has resctrl mounted"
	update_config '.linux.intelRdt = {"closID": "guaranteed_group"}'
	ctr_create_fail 'linux.intelRdt: no resctrl filesystem is mounted at /sys/fs/resctrl'
}
