#!/usr/bin/env bats
# runc's cgroup behaviours that engines rely on, on a v1 (or hybrid) host:
# update of cfs and rt period/runtime under a parent with a limit (the
# order of the writes), device rules changed with minimal transitions, hugetlb
# limits (with their rsvd twins), the warning for a non-empty existing cgroup
# and the refusal of `unified` on v1.  The v2 side is in tests/vm/cgroup-v2.sh.

load helpers
load helpers_engine

setup() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "a cgroup v2 host: these are the v1 tests"
	setup_test
}

teardown() {
	teardown_test
}

cg() {
	echo "/sys/fs/cgroup/$1/husk/$TAG-$2"
}

resources() {
	update_config '.linux.resources += $r' --argjson r "$1"
}

hrun_logged() {
	rm -f "$LOG"
	hrun husk_logged "$@"
}

# parent_cgroup NAME: a cgroup of the test at /NAME in every hierarchy, for
# a container's cgroupsPath /NAME/c1.
parent_cgroup() {
	local h
	for h in /sys/fs/cgroup/*/; do
		[ -L "${h%/}" ] && continue
		case $(stat -f -c %T "$h") in cgroupfs | cgroup2fs) mkdir -p "$h$1" ;; esac
	done
}

# drop_parent NAME: removes it again (husk, as runc, removes only the
# container's own cgroup).
drop_parent() {
	local h
	for h in /sys/fs/cgroup/*/; do
		[ -L "${h%/}" ] || [ ! -d "$h$1" ] || rmdir "$h$1"
	done
}

# ---------------------------------------------------------------------------
# cpu: the order of period and quota (runtime) writes under a parent limit

@test "update: --cpu-period lower than the current one under a parent quota (quota first, as runc)" {
	parent_cgroup "$TAG-pod"
	p=/sys/fs/cgroup/cpu/$TAG-pod
	echo 50000 >"$p/cpu.cfs_quota_us"   # the pod: 50% of a cpu
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG-pod/c1"
	resources '{"cpu": {"period": 1000000, "quota": 500000}}'
	sleeper c1
	[ "$(cat "$p/c1/cpu.cfs_quota_us")" = 500000 ]
	# 60% is more than the pod has: the kernel's refusal.
	hrun_logged update --cpu-quota 600000 c1
	assert_husk_error 'cfs_quota_us'
	# 30% with a tenth of the period: writing the period first would make
	# the old quota 5000% of it, which the kernel refuses (EINVAL).
	husk update --cpu-period 10000 --cpu-quota 3000 c1
	[ "$(cat "$p/c1/cpu.cfs_period_us")" = 10000 ]
	[ "$(cat "$p/c1/cpu.cfs_quota_us")" = 3000 ]
	# And back up: now the period goes first.
	husk update --cpu-period 1000000 --cpu-quota 400000 c1
	[ "$(cat "$p/c1/cpu.cfs_period_us")" = 1000000 ]
	[ "$(cat "$p/c1/cpu.cfs_quota_us")" = 400000 ]
	husk delete -f c1
	drop_parent "$TAG-pod"
	assert_clean
}

@test "update: rt period and runtime in either order under a parent's rt budget (runc's update rt test)" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no cpu.rt_runtime_us: this kernel has no RT group scheduling (CONFIG_RT_GROUP_SCHED)"
	parent_cgroup "$TAG-rt"
	p=/sys/fs/cgroup/cpu/$TAG-rt
	# As runc's test: the parent gets the root's budget (a new cgroup has
	# none, and a child's runtime comes out of its parent's).
	cat /sys/fs/cgroup/cpu/cpu.rt_period_us >"$p/cpu.rt_period_us"
	why=$(give_rt_budget "$p" "$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)") || { drop_parent "$TAG-rt"; skip "$why"; }
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG-rt/c1"
	sleeper c1
	root_period=$(cat /sys/fs/cgroup/cpu/cpu.rt_period_us)
	husk update -r - c1 <<<'{"cpu": {"realtimeRuntime": 500001}}'
	[ "$(cat "$p/c1/cpu.rt_period_us")" = "$root_period" ]
	[ "$(cat "$p/c1/cpu.rt_runtime_us")" = 500001 ]
	husk update -r - c1 <<<'{"cpu": {"realtimePeriod": 800001, "realtimeRuntime": 500001}}'
	[ "$(cat "$p/c1/cpu.rt_period_us")" = 800001 ]
	[ "$(cat "$p/c1/cpu.rt_runtime_us")" = 500001 ]
	husk update --cpu-rt-period 900001 --cpu-rt-runtime 600001 c1
	[ "$(cat "$p/c1/cpu.rt_period_us")" = 900001 ]
	[ "$(cat "$p/c1/cpu.rt_runtime_us")" = 600001 ]
	# A period below the current runtime: the runtime must go first (the
	# kernel refuses runtime > period with EINVAL).
	husk update --cpu-rt-period 400000 --cpu-rt-runtime 300000 c1
	[ "$(cat "$p/c1/cpu.rt_period_us")" = 400000 ]
	[ "$(cat "$p/c1/cpu.rt_runtime_us")" = 300000 ]
	# More than the parent's budget is still refused, and said.
	hrun_logged update --cpu-rt-runtime 399000 c1
	assert_husk_error 'rt_runtime_us'
	[ "$(cat "$p/c1/cpu.rt_runtime_us")" = 300000 ]
	husk delete -f c1
	drop_parent "$TAG-rt"
	assert_clean
}

@test "create: an rt runtime under a parent with no rt budget: one error naming the parent's budget" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no cpu.rt_runtime_us: this kernel has no RT group scheduling (CONFIG_RT_GROUP_SCHED)"
	# husk's default parent, like any new cgroup, has an rt runtime of 0.
	resources '{"cpu": {"realtimeRuntime": 5000}}'
	set_cmd 'touch /out/ran'
	hrun_logged run --bundle "$BUNDLE" c1
	assert_husk_error 'parent cgroup has an rt runtime of 0 per [0-9]+ us.*cpu.rt_runtime_us'
	[ ! -e "$OUT/ran" ]
	assert_clean
}

# ---------------------------------------------------------------------------
# devices: minimal transitions

# devices_json EXTRA_RULES: a devices list as engines write it, deny all,
# then /dev/null and friends, then EXTRA_RULES (a JSON array).
devices_json() {
	jq -n --argjson x "$1" '{"devices": ([{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}] + $x)}'
}

@test "update: device rules change without a moment in which a kept device is denied" {
	has_ctrl_devices=$(stat -f -c %T /sys/fs/cgroup/devices/ 2>/dev/null)
	[ "$has_ctrl_devices" = cgroupfs ] || skip "no devices hierarchy on this host"
	resources "$(devices_json '[]')"
	# Opens /dev/null as fast as it can; a refused open is written to
	# /out/err (as runc's "update devices [minimal transition rules]").
	set_cmd 'exec 2>>/out/err; touch /out/ready; while :; do echo >/dev/null; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	devices_json '[{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]' >"$TESTDIR/more.json"
	devices_json '[]' >"$TESTDIR/less.json"
	for i in $(seq 1 40); do
		husk update -r "$TESTDIR/more.json" c1
		husk update -r "$TESTDIR/less.json" c1
	done
	husk update -r "$TESTDIR/more.json" c1
	[ ! -s "$OUT/err" ] || fail "the container lost /dev/null during update: $(sort -u "$OUT/err" | head -n 3)"
	# The updates did happen: 10:200 (/dev/net/tun, not a default device) is allowed rw, not m.
	grep -qx 'c 10:200 rw' "$(cg devices c1)/devices.list" || fail "devices.list: $(cat "$(cg devices c1)/devices.list")"
	husk update -r "$TESTDIR/less.json" c1
	! grep -q 'c 10:200' "$(cg devices c1)/devices.list" || fail "c 10:200 left: $(cat "$(cg devices c1)/devices.list")"
	grep -qx 'c 1:3 rwm' "$(cg devices c1)/devices.list"
	husk delete -f c1
	assert_clean
}

@test "update: device rules, partial access and a switch to allow-all and back" {
	[ "$(stat -f -c %T /sys/fs/cgroup/devices/ 2>/dev/null)" = cgroupfs ] || skip "no devices hierarchy on this host"
	resources "$(devices_json '[{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]')"
	sleeper c1
	list=$(cg devices c1)/devices.list
	grep -qx 'c 10:200 rwm' "$list"
	# rwm → r: the access bits go, the device stays readable.
	husk update -r - c1 <<<"$(devices_json '[{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "r"}]')"
	grep -qx 'c 10:200 r' "$list" || fail "after r: $(cat "$list")"
	# A later deny of part of an allowed device.
	husk update -r - c1 <<<"$(devices_json '[{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"},
		{"allow": false, "type": "c", "major": 10, "minor": 200, "access": "w"}]')"
	grep -qx 'c 10:200 r' "$list" || fail "after rw then deny w: $(cat "$list")"
	# Allow all, then back to the list.
	husk update -r - c1 <<<'{"devices": [{"allow": true, "access": "rwm"}]}'
	[ "$(cat "$list")" = 'a *:* rwm' ]
	husk update -r - c1 <<<"$(devices_json '[]')"
	! grep -q '^a' "$list" && grep -qx 'c 1:3 rwm' "$list" && ! grep -q 'c 10:200' "$list" || fail "$(cat "$list")"
	husk delete -f c1
	assert_clean
}

# ---------------------------------------------------------------------------
# hugetlb

@test "hugepageLimits: limit and, where the kernel has it, the rsvd limit (as runc)" {
	[ "$(stat -f -c %T /sys/fs/cgroup/hugetlb/ 2>/dev/null)" = cgroupfs ] ||
		skip "no hugetlb hierarchy mounted on this host (/proc/cgroups: $(awk '$1 == "hugetlb" { print "hierarchy " $2 }' /proc/cgroups)); the cgroup v2 guest tests it"
	size=$(ls /sys/kernel/mm/hugepages | head -n 1)
	size=${size#hugepages-}
	size=${size%kB}
	[ "$size" -ge 1024 ] && page=$((size / 1024))MB || page=${size}KB
	resources "$(jq -n --arg p "$page" '{"hugepageLimits": [{"pageSize": $p, "limit": 4194304}]}')"
	sleeper c1
	[ "$(cat "$(cg hugetlb c1)/hugetlb.$page.limit_in_bytes")" = 4194304 ]
	if [ -e "$(cg hugetlb c1)/hugetlb.$page.rsvd.limit_in_bytes" ]; then
		[ "$(cat "$(cg hugetlb c1)/hugetlb.$page.rsvd.limit_in_bytes")" = 4194304 ]
	fi
	husk update -r - c1 <<<"$(jq -n --arg p "$page" '{"hugepageLimits": [{"pageSize": $p, "limit": 8388608}]}')"
	[ "$(cat "$(cg hugetlb c1)/hugetlb.$page.limit_in_bytes")" = 8388608 ]
	husk delete -f c1
	assert_clean
}

# ---------------------------------------------------------------------------
# an existing cgroup with processes

@test "create: a warning (one line, not an error) when the cgroup exists and has processes" {
	parent_cgroup "$TAG-busy"
	# A process of the host in it, in the pids hierarchy.
	bg_tagged sleep 100000
	echo "$BG_PID" >/sys/fs/cgroup/pids/$TAG-busy/cgroup.procs
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG-busy"
	set_args sleep 100000
	hrun husk run -d --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "run: $status $stderr"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[[ "$stderr" == *warning*"/$TAG-busy"*"not empty"* ]] || fail "stderr: $stderr"
	[ "$(ctr_status c1)" = running ]
	# The host's process was left where it was.
	grep -qx "$BG_PID" /sys/fs/cgroup/pids/$TAG-busy/cgroup.procs
	kill "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	husk delete -f c1
	# An empty existing cgroup gives no warning.
	set_args true
	hrun husk run --bundle "$BUNDLE" c2
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "empty cgroup: $status $stderr"
	drop_parent "$TAG-busy"
	assert_clean
}

# ---------------------------------------------------------------------------
# unified on v1

@test "unified on a v1 host is refused, with or without v1 keys, before anything runs" {
	for res in '{"unified": {"pids.max": "10"}}' \
		'{"pids": {"limit": 10}, "memory": {"limit": 33554432}, "unified": {"memory.max": "33554432"}}'; do
		cp "$BUNDLE/config.json" "$TESTDIR/config.orig"
		resources "$res"
		set_cmd 'touch /out/ran'
		hrun_logged run --bundle "$BUNDLE" c1
		assert_husk_error 'unified'
		[ ! -e "$OUT/ran" ] || fail "the container ran with $res"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
		mv "$TESTDIR/config.orig" "$BUNDLE/config.json"
		assert_clean
	done
	# An empty map asks for nothing: runc runs it, and so does husk.
	cp "$BUNDLE/config.json" "$TESTDIR/config.orig"
	resources '{"unified": {}}'
	husk run --bundle "$BUNDLE" c3 </dev/null
	mv "$TESTDIR/config.orig" "$BUNDLE/config.json"
	# update -r with unified too.
	sleeper c2
	echo '{"unified": {"pids.max": "10"}}' >"$TESTDIR/unified.json"
	hrun_logged update -r "$TESTDIR/unified.json" c2
	assert_husk_error 'unified'
	husk delete -f c2
	assert_clean
}
