#!/usr/bin/env bats
# husk's own bridge networks (issue 16): bridge, veth, lease, routes over
# netlink, NAT and published ports through nftables.  Everything happens in
# network namespaces of the test: "host" (where husk runs, by nsenter --net)
# and "outside" (joined to it by a veth, with a server of the test's own);
# addresses from 198.18.0.0/15 only.  The machine's own namespace is
# checked unchanged after each test.

load helpers
load engine_image

setup() {
	setup_test
	STORE=$TESTDIR/store
	HNS=husk-br-$$-$RANDOM
	ONS=husk-out-$$-$RANDOM
	HOST_LINKS=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	ip netns add "$HNS"
	ip netns add "$ONS"
	ip -n "$HNS" link set lo up
	ip -n "$ONS" link set lo up
	# host <-> outside: 198.19.255.1 (host) - 198.19.255.2 (outside); the
	# outside has no route back to the containers' subnets: only NAT works.
	ip -n "$HNS" link add hk-up type veth peer name hk-out netns "$ONS"
	ip -n "$HNS" addr add 198.19.255.1/30 dev hk-up
	ip -n "$ONS" addr add 198.19.255.2/30 dev hk-out
	ip -n "$HNS" link set hk-up up
	ip -n "$ONS" link set hk-out up
	make_image bb '{"Cmd":["sh"],"ExposedPorts":{"8080/tcp":{}}}' "$BUNDLE/rootfs"
	# The default network moved into the test range.
	hns network create bridge --subnet 198.18.0.0/24 >/dev/null
}

teardown() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	ip netns del "$HNS" 2>/dev/null || true
	ip netns del "$ONS" 2>/dev/null || true
	teardown_test
	now=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	[ "$now" = "$HOST_LINKS" ] || echo "# the host's interfaces changed: $now" >&3
}

# hns ARGS...: husk in the test's "host" namespace.
hns() {
	: >"$LOG"
	nsenter --net="/run/netns/$HNS" -- "$HUSK" --log "$LOG" --log-format json --root "$ROOT" \
		--store "$STORE" "$@"
}

in_out() {
	nsenter --net="/run/netns/$ONS" -- "$@"
}

# Nothing of the network left in the host namespace: veths, leases.
assert_net_clean() {
	local left
	left=$(ip -n "$HNS" -o link show type veth | grep -v hk-up || true)
	[ -z "$left" ] || fail "veth left: $left" || return
	for f in "$STORE"/networks/*.leases; do
		[ -f "$f" ] || continue
		[ "$(jq length "$f")" = 0 ] || fail "lease left in $f: $(cat "$f")" || return
	done
}

@test "network bridge: eth0 with a lease of the network and the default route; rm: no veth, no lease" {
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network bridge bb \
		sh -c 'ip -4 -o addr show eth0; ip route; cat /etc/hosts'
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ "$output" == *"inet 198.18.0.2/24"* ]] || fail "no address: $output"
	[[ "$output" == *"default via 198.18.0.1"* ]] || fail "no default route: $output"
	[[ "$output" == *"198.18.0.2"*husk-* ]] || fail "no own name in hosts: $output"
	ip -n "$HNS" -o addr show dev husk0 | grep -q "198.18.0.1/24" || fail "bridge husk0 has no gateway"
	assert_net_clean
}
