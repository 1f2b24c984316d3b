#!/usr/bin/env bats
# `husk container ...` where the host shows through (issue 14): --privileged
# as docker's (every capability, no seccomp, nothing masked or read-only,
# the host's devices) and State.OOMKilled of a container the kernel's OOM
# killer ended.

load helpers
load engine_image

setup() {
	setup_test
	STORE=$TESTDIR/store
	make_image bb '{"Cmd":["true"]}' "$BUNDLE/rootfs"
}

teardown() {
	teardown_test
}

# ctr_cgroups ID: the cgroup directories named after a container id.
ctr_cgroups() {
	find /sys/fs/cgroup -maxdepth 5 -type d -name "*$1*" 2>/dev/null || true
}

@test "container run --privileged: host devices usable, every capability, no seccomp, nothing masked; nothing left" {
	[ -c /dev/loop-control ] || skip "the host has no /dev/loop-control"
	[ -c /dev/kmsg ] || skip "the host has no /dev/kmsg"
	# Without --privileged: neither node, a filter, /proc/timer_list masked.
	crun bb sh -c 'test -e /dev/loop-control || test -e /dev/kmsg || echo no-host-devices
		grep ^Seccomp: /proc/self/status; test -c /proc/timer_list && echo masked'
	[[ "$output" == *no-host-devices* ]] || fail "the host's devices in an unprivileged container: $output"
	[[ "$output" == *"Seccomp:	2"* ]] || fail "$output"
	[[ "$output" == *masked* ]] || fail "/proc/timer_list not masked: $output"

	hrun eng container create --name p --privileged -e "HUSK_TEST_TAG=$TAG" bb sh -c '
		set -e
		grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status
		# loop-control answers LOOP_CTL_GET_FREE; kmsg takes a record.
		losetup -f
		echo "husk-privileged-test" > /dev/kmsg
		test -f /proc/timer_list && echo timer_list-unmasked
		grep -E " /proc/(sys|bus|irq|fs|sysrq-trigger) " /proc/self/mountinfo || echo no-readonly-paths
		grep -E " /sys " /proc/self/mountinfo | grep -q " rw," && echo sys-rw
		cat /proc/self/attr/current 2>/dev/null || echo no-lsm'
	[ "$status" -eq 0 ] || fail "create: $stderr"
	id=$output
	jq -e '(.linux.devices | map(.path) | index("/dev/loop-control") != null and index("/dev/kmsg") != null)
		and (.linux.seccomp == null) and (.linux.maskedPaths == null) and (.linux.readonlyPaths == null)
		and (.process.apparmorProfile // "unconfined") == "unconfined"' \
		"$STORE/containers/$id/config.json" || fail "config: $(jq -c .linux "$STORE/containers/$id/config.json")"
	hrun eng container start p
	[ "$status" -eq 0 ] || fail "start: status $status: $output $stderr"
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	[ "${lines[0]}" = "CapEff:	$bnd" ] || fail "${lines[0]} (husk's bounding set: $bnd)"
	[ "${lines[1]}" = "CapBnd:	$bnd" ] || fail "${lines[1]}"
	[ "${lines[2]}" = "Seccomp:	0" ] || fail "${lines[2]}"
	[[ "${lines[3]}" == /dev/loop* ]] || fail "losetup -f: ${lines[3]}"
	[[ "$output" == *timer_list-unmasked* ]] || fail "$output"
	[[ "$output" == *no-readonly-paths* ]] || fail "$output"
	[[ "$output" == *sys-rw* ]] || fail "/sys read-only: $output"
	[[ "$output" != *enforce* ]] || fail "an LSM profile: $output"
	dmesg 2>/dev/null | grep -q husk-privileged-test || journalctl -k 2>/dev/null | grep -q husk-privileged-test ||
		fail "the record written to the container's /dev/kmsg is not in the host's log"
	hrun eng container inspect p
	echo "$output" | jq -e '.[0].HostConfig.Privileged == true' >/dev/null
	hrun eng container rm p
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	[ -z "$(ctr_cgroups "$id")" ] || fail "cgroups left: $(ctr_cgroups "$id")"
	# The devices were made inside the container's /dev: none on the host
	# came or went.
	[ -c /dev/loop-control ] && [ -c /dev/kmsg ]
	assert_engine_clean
	assert_clean
}

@test "container run: State.OOMKilled and 137 for a container the OOM killer ended, false for a normal exit" {
	[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/memory.max ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
		skip "no memory controller"
	hrun eng container run --name hog --memory 16m -e "HUSK_TEST_TAG=$TAG" bb sh -c 'head -c 200m /dev/zero | tail'
	[ "$status" -eq 137 ] || fail "status $status: $stderr"
	hrun eng container inspect hog
	echo "$output" | jq -e '.[0].State | .OOMKilled == true and .ExitCode == 137 and .Status == "exited"' >/dev/null ||
		fail "$(echo "$output" | jq -c '.[0].State')"
	local id
	id=$(echo "$output" | jq -r '.[0].Id')
	hrun eng container run --name calm --memory 16m -e "HUSK_TEST_TAG=$TAG" bb sh -c 'head -c 1m /dev/zero | tail >/dev/null'
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	hrun eng container inspect calm
	echo "$output" | jq -e '.[0].State | .OOMKilled == false and .ExitCode == 0' >/dev/null ||
		fail "$(echo "$output" | jq -c '.[0].State')"
	# A SIGKILL that is not the OOM killer's: 137 too, but not OOMKilled (to
	# a child: the pid 1 of a namespace ignores its own SIGKILL).
	hrun eng container run --name killed -e "HUSK_TEST_TAG=$TAG" bb sh -c 'sh -c "kill -9 \$\$"; exit $?'
	[ "$status" -eq 137 ] || fail "status $status: $stderr"
	hrun eng container inspect killed
	echo "$output" | jq -e '.[0].State | .OOMKilled == false and .ExitCode == 137' >/dev/null ||
		fail "$(echo "$output" | jq -c '.[0].State')"
	hrun eng container rm hog calm killed
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	[ -z "$(ctr_cgroups "$id")" ] || fail "cgroups left: $(ctr_cgroups "$id")"
	assert_engine_clean
	assert_clean
}
