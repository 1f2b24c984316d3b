#!/usr/bin/env bats
# husk build --network NAME: RUN steps on a husk bridge network.  As in
# network_bridge.bats, everything happens in network namespaces of the
# test: "host" (where husk runs, by nsenter --net) and "outside" (with a
# server of the test's own); addresses from 198.18.0.0/15 only.  The
# machine's own namespace is checked unchanged after each test.

load helpers
load helpers_image

setup_file() {
	ensure_rootfs >/dev/null || return
	BT=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-bnet.XXXXXX") || return
	chmod 755 "$BT"
	export BT
	make_rootfs_tar "$BT/busybox.tar"
}

teardown_file() {
	rm -rf --one-file-system "$BT"
}

setup() {
	setup_test
	STORE=$TESTDIR/store
	CTX=$TESTDIR/ctx
	mkdir -p "$CTX"
	HNS=husk-bb-$$-$RANDOM
	ONS=husk-bo-$$-$RANDOM
	HOST_LINKS=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	ip netns add "$HNS"
	ip netns add "$ONS"
	ip -n "$HNS" link set lo up
	ip -n "$ONS" link set lo up
	ip -n "$HNS" link add hk-up type veth peer name hk-out netns "$ONS"
	ip -n "$HNS" addr add 198.19.255.1/30 dev hk-up
	ip -n "$ONS" addr add 198.19.255.2/30 dev hk-out
	ip -n "$HNS" link set hk-up up
	ip -n "$ONS" link set hk-out up
	hns image import "$BT/busybox.tar" localhost/bb >/dev/null
	hns network create bnet --subnet 198.18.3.0/24 >/dev/null
}

teardown() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	for c in $(hns container ls -a -q 2>/dev/null); do
		hns container rm -f "$c" >/dev/null 2>&1
	done
	netns_del "$HNS" "$ONS"
	teardown_test
	now=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	[ "$now" = "$HOST_LINKS" ] || fail "the host's interfaces changed: $now"
}

hns() {
	: >"$LOG"
	nsenter --net="/run/netns/$HNS" -- "$HUSK" --log "$LOG" --log-format json --root "$ROOT" \
		--store "$STORE" "$@"
}

# Nothing of the build left: no container, veth, lease, mount.
assert_bnet_clean() {
	local left
	[ -z "$(hns container ls -a -q)" ] || fail "container left: $(hns container ls -a)" || return
	left=$(ip -n "$HNS" -o link show type veth | grep -v hk-up || true)
	[ -z "$left" ] || fail "veth left: $left" || return
	for f in "$STORE"/networks/*.leases; do
		[ -f "$f" ] || continue
		[ "$(jq length "$f")" = 0 ] || fail "lease left in $f: $(cat "$f")" || return
	done
	! grep -q "$STORE" /proc/self/mountinfo || fail "mount left: $(grep "$STORE" /proc/self/mountinfo)"
}

@test "build network: --network NAME: a RUN reaches a server outside through the bridge; nothing left" {
	nsenter --net="/run/netns/$ONS" -- busybox httpd -f -p 198.19.255.2:8080 -h "$BT" &
	SRV=$!
	sleep 0.3
	printf 'FROM localhost/bb\nRUN wget -q -O /got http://198.19.255.2:8080/busybox.tar && ip -4 -o addr show eth0 >/eth0\n' \
		>"$CTX/Containerfile"
	hrun hns build -q --network bnet -t localhost/netted "$CTX"
	[ "$status" -eq 0 ] || fail "status $status: $output $stderr"
	local want
	want=$(sha256sum <"$BT/busybox.tar" | cut -c1-64)
	hrun hns container run --rm --network none localhost/netted sh -c 'sha256sum </got | cut -c1-64; cat /eth0'
	[ "$status" -eq 0 ] && [ "${lines[0]}" = "$want" ] && [[ "${lines[1]}" == *"198.18.3."* ]] || fail "RUN's download or address: $output $stderr"
	# ADD of a URL stays refused on a network too: one line, nothing tagged.
	printf 'FROM localhost/bb\nADD http://198.19.255.2:8080/busybox.tar /x\n' >"$CTX/Containerfile"
	hrun hns build -q --network bnet -t localhost/bad "$CTX"
	assert_husk_error 'URLs are not fetched'
	hrun hns image inspect localhost/bad
	[ "$status" -ne 0 ] || fail "a failed build tagged its image"
	assert_bnet_clean
}

@test "build network: --network none has only lo, and a RUN cannot reach the server; an unknown network or cni: is an error" {
	nsenter --net="/run/netns/$ONS" -- busybox httpd -f -p 198.19.255.2:8080 -h "$BT" &
	SRV=$!
	sleep 0.3
	printf 'FROM localhost/bb\nRUN sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " " >/ifs; ! wget -q -T 2 -O /dev/null http://198.19.255.2:8080/busybox.tar\n' \
		>"$CTX/Containerfile"
	hrun hns build -q --network none -t localhost/none "$CTX"
	[ "$status" -eq 0 ] || fail "status $status: $output $stderr"
	hrun hns container run --rm --network none localhost/none cat /ifs
	[ "$output" = lo ] || fail "--network none: $output"
	hrun hns build -q --no-cache --network nosuchnet -t localhost/bad "$CTX"
	[ "$status" -ne 0 ] && [ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" == "husk: "*nosuchnet* ]] ||
		fail "unknown network: status $status: $stderr"
	hrun hns build -q --network cni:x -t localhost/bad "$CTX"
	assert_husk_error 'build: --network cni:x: none, host or a husk network.s name'
	hrun hns image inspect localhost/bad
	[ "$status" -ne 0 ] || fail "a failed build tagged its image"
	assert_bnet_clean
}
