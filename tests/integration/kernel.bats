#!/usr/bin/env bats
# Kernel parameters and identity: linux.sysctl (namespaced keys only),
# hostname and domainname, process.oomScoreAdj, linux.personality.

load helpers
load helpers_fs

setup() {
	setup_fs
}

teardown() {
	teardown_test
}

# host_sysctls KEY...: "KEY=VALUE" lines of the host's values.
host_sysctls() {
	local k
	for k in "$@"; do
		echo "$k=$(cat "/proc/sys/${k//.//}")"
	done
}

@test "linux.sysctl: ipc, mqueue and net keys are set inside, the host's values are not touched" {
	keys=(kernel.shmmax kernel.msgmnb fs.mqueue.msg_max net.ipv4.ip_forward net.ipv4.conf.all.forwarding)
	before=$(host_sysctls "${keys[@]}")
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || skip "ip_forward is already 1 on this host: the test would not see a change"
	update_config '.linux.sysctl = {"kernel.shmmax": "68719476736", "kernel.msgmnb": "32768",
		"fs.mqueue.msg_max": "20", "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.forwarding": "1"}'
	set_cmd 'for f in kernel/shmmax kernel/msgmnb fs/mqueue/msg_max net/ipv4/ip_forward net/ipv4/conf/all/forwarding; do cat /proc/sys/$f; done'
	run_ok run_ctr c1
	[ "$output" = $'68719476736\n32768\n20\n1\n1' ]
	[ "$(host_sysctls "${keys[@]}")" = "$before" ] || fail "host sysctls changed: $(host_sysctls "${keys[@]}") (was $before)"
	assert_clean
}

@test "linux.sysctl: kernel.domainname in the container's uts namespace" {
	update_config '.linux.sysctl = {"kernel.domainname": "sysctl.example"}'
	set_cmd 'cat /proc/sys/kernel/domainname'
	before=$(cat /proc/sys/kernel/domainname)
	run_ok run_ctr c1
	[ "$output" = sysctl.example ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$before" ]
	assert_clean
}

@test "linux.sysctl: a key that is not namespaced is refused, naming it" {
	before=$(cat /proc/sys/kernel/panic)
	update_config '.linux.sysctl = {"kernel.panic": "42"}'
	ctr_create_fail 'kernel\.panic'
	[ "$(cat /proc/sys/kernel/panic)" = "$before" ]
	update_config '.linux.sysctl = {"vm.swappiness": "1"}'
	ctr_create_fail 'vm\.swappiness'
}

@test "linux.sysctl: a net key without a network namespace of its own is refused, naming it" {
	drop_ns network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	ctr_create_fail 'net\.ipv4\.ip_forward'
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}

@test "linux.sysctl: an ipc key without an ipc namespace of its own is refused, naming it" {
	drop_ns ipc
	before=$(cat /proc/sys/kernel/shmmax)
	update_config '.linux.sysctl = {"kernel.shmmax": "4096"}'
	ctr_create_fail 'kernel\.shmmax'
	[ "$(cat /proc/sys/kernel/shmmax)" = "$before" ]
}

@test "linux.sysctl: a key the kernel does not have fails create, naming it" {
	update_config '.linux.sysctl = {"net.ipv4.husk_no_such_key": "1"}'
	ctr_create_fail 'net\.ipv4\.husk_no_such_key'
}

@test "hostname and domainname: set in the container's uts namespace only" {
	host_before=$(hostname)/$(cat /proc/sys/kernel/domainname)
	update_config '.hostname = "box1" | .domainname = "example.org"'
	set_cmd 'hostname; uname -n; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
	run_ok run_ctr c1
	[ "$output" = $'box1\nbox1\nbox1\nexample.org' ]
	[ "$(hostname)/$(cat /proc/sys/kernel/domainname)" = "$host_before" ]
	assert_clean
}

@test "error: hostname or domainname without a uts namespace of its own" {
	update_config '.hostname = "box1"'
	drop_ns uts
	ctr_create_fail 'hostname'
	update_config 'del(.hostname) | .domainname = "example.org"'
	ctr_create_fail 'domainname'
}

@test "error: hostname with a joined uts namespace" {
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	own_cgroup c1
	host_a=$(husk_exec a hostname)
	update_config '.hostname = "box1"'
	set_ns uts "/proc/$pida/ns/uts"
	ctr_create_fail 'hostname' a
	# a's hostname was not changed
	[ "$(husk_exec a hostname)" = "$host_a" ]
	husk delete -f a
	assert_clean
}

@test "process.oomScoreAdj: set for the container process, seen inside and from the host" {
	update_config '.process.oomScoreAdj = 500'
	set_cmd 'cat /proc/self/oom_score_adj; exec sleep 1000'
	run_detached c1
	wait_for 10 test -s "$TESTDIR/c1.stdout"
	[ "$(cat "$TESTDIR/c1.stdout")" = 500 ]
	[ "$(cat "/proc/$(ctr_pid c1)/oom_score_adj")" = 500 ]
	# husk's own is untouched
	[ "$(cat /proc/self/oom_score_adj)" != 500 ]
	husk delete -f c1
	assert_clean
}

@test "process.oomScoreAdj unset: the container keeps husk's" {
	set_cmd 'cat /proc/self/oom_score_adj'
	run_ok bash -c 'echo 123 >/proc/self/oom_score_adj && exec "$@"' - env HUSK_TEST_TAG="$TAG" "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	[ "$output" = 123 ]
	assert_clean
}

@test "linux.personality LINUX32: uname -m is i686; LINUX: the host's" {
	[ "$(uname -m)" = x86_64 ] || skip "LINUX32 is tested on x86_64 hosts (this is $(uname -m))"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_cmd 'uname -m; cat /proc/self/personality'
	run_ok run_ctr c1
	[ "${lines[0]}" = i686 ]
	[ "${lines[1]}" = 00000008 ]
	update_config '.linux.personality = {"domain": "LINUX"}'
	run_ok run_ctr c2
	[ "${lines[0]}" = x86_64 ]
	[ "${lines[1]}" = 00000000 ]
	assert_clean
}

@test "error: linux.personality with an unknown domain" {
	update_config '.linux.personality = {"domain": "HUSK_NO_SUCH_DOMAIN"}'
	ctr_create_fail 'personality|HUSK_NO_SUCH_DOMAIN'
}
