#!/usr/bin/env bats
# --network cni:NAME (issue 16): the Debian CNI plugins, run by husk inside
# a network namespace the test makes to stand for the host (never the
# machine's own network; addresses from 198.18.0.0/15).

load helpers
load engine_image

setup() {
	setup_test
	STORE=$TESTDIR/store
	HNS=husk-cni-$$-$RANDOM
	ip netns add "$HNS"
	ip -n "$HNS" link set lo up
	mkdir -p "$TESTDIR/conf"
	sed "s|@DATADIR@|$TESTDIR/ipam|" "$REPO_ROOT/tests/data/cni/husk-test.conflist" \
		>"$TESTDIR/conf/husk-test.conflist"
	make_image bb '{"Cmd":["sh","-c","echo hello"]}' "$BUNDLE/rootfs"
}

teardown() {
	netns_del "$HNS"
	teardown_test
}

# hns ARGS...: husk in the test's "host" namespace (nsenter --net only: the
# mounts stay husk's own).
hns() {
	: >"$LOG"
	nsenter --net="/run/netns/$HNS" -- "$HUSK" --log "$LOG" --log-format json --root "$ROOT" --store "$STORE" \
		--cni-config-dir "$TESTDIR/conf" "$@"
}

# No veth, no lease of host-local, no netns pin left.
assert_cni_clean() {
	left=$(ip -n "$HNS" -o link show type veth)
	[ -z "$left" ] || fail "veth left: $left" || return
	left=$(ls "$TESTDIR/ipam/husk-test" | grep '^198' || true)
	[ -z "$left" ] || fail "lease left: $left" || return
	left=$(grep -F "$ROOT" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mount left: $left"
}

@test "network cni: ADD gives eth0 its address; the container ends: no veth, no lease, no pin left" {
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network cni:husk-test bb \
		sh -c 'ip -4 addr show eth0 | grep -o "inet [0-9.]*"; cat /etc/hosts'
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ "$output" == *"inet 198.19.1."* ]] || fail "no address: $output"
	assert_cni_clean
}

@test "network cni: an unknown network, a malformed list, a missing plugin: one line, nothing left" {
	hrun hns container run --rm --network cni:nosuch bb true
	assert_husk_error 'CNI network "nosuch": no configuration'
	echo '{"cniVersion":"1.0.0","name":"bad","plugins":[{"type":"../x"}]}' >"$TESTDIR/conf/bad.conflist"
	hrun hns container run --rm --network cni:bad bb true
	assert_husk_error 'plugins\[0\]: type'
	echo '{"cniVersion":"1.0.0","name":"gone","plugins":[{"type":"nosuchplugin"}]}' >"$TESTDIR/conf/gone.conflist"
	hrun hns container run --rm --network cni:gone bb true
	assert_husk_error 'plugin nosuchplugin: not found'
	left=$(grep -F "$ROOT" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mount left: $left"
}

@test "network cni: run -d (under the shim) gets its CNI network; rm -f takes it down" {
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name dc --network cni:husk-test bb sleep 100
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	hrun hns container exec dc sh -c 'ip -4 -o addr show eth0'
	[[ "$output" == *"inet 198.19.1."* ]] || fail "no address under the shim: $output $stderr"
	hrun hns network check dc
	[ "$status" -eq 0 ] || fail "check: $stderr"
	hrun hns container rm -f dc
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	assert_cni_clean
}
