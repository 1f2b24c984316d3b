#!/usr/bin/env bats
# husk build --network NAME: RUN steps on a husk bridge network.  As in
# network_bridge.bats, everything happens in network namespaces of the
# test: "host" (where husk runs, by nsenter --net) and "outside" (with a
# server of the test's own); addresses from 198.18.0.0/15 only.  The
# machine's own namespace is checked unchanged after each test.

load helpers
load helpers_image

setup_file() { busybox_tar_setup_file; }
teardown_file() { busybox_tar_teardown_file; }

setup() {
	setup_test
	STORE=$TESTDIR/store
	CTX=$TESTDIR/ctx
	mkdir -p "$CTX"
	HNS=husk-bb-$$-$RANDOM
	ONS=husk-bo-$$-$RANDOM
	HOST_LINKS=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	netns_host_outside "$HNS" "$ONS"
	hns image import "$BT/busybox.tar" localhost/bb >/dev/null
	hns network create bnet --subnet 198.18.3.0/24 >/dev/null
}

teardown() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	# What a failed test left (a step's container, its overlay) goes first.
	hns container ls -a -q 2>/dev/null | while read -r c; do hns container rm -f "$c"; done >/dev/null 2>&1
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

# build_with_server NETWORK NAME CMD: with a web server outside serving
# $BT, builds NAME from localhost/bb with RUN CMD on NETWORK.
build_with_server() {
	nsenter --net="/run/netns/$ONS" -- busybox httpd -f -p 198.19.255.2:8080 -h "$BT" &
	SRV=$!
	sleep 0.3
	printf 'FROM localhost/bb\nRUN %s\n' "$3" >"$CTX/Containerfile"
	hrun hns build -q --network "$1" -t "$2" "$CTX"
	[ "$status" -eq 0 ] || fail "build --network $1: status $status: $output $stderr"
}

# Nothing of the build left: no container, veth, lease, mount.
assert_bnet_clean() {
	local left
	[ -z "$(hns container ls -a -q)" ] || fail "container left: $(hns container ls -a)" || return
	assert_no_veth_lease "$HNS" "$STORE" || return
	! grep -q "$STORE" /proc/self/mountinfo || fail "mount left: $(grep "$STORE" /proc/self/mountinfo)"
}

@test "build network: --network NAME: a RUN reaches a server outside through the bridge; nothing left" {
	build_with_server bnet localhost/netted \
		'wget -q -O /got http://198.19.255.2:8080/busybox.tar && ip -4 -o addr show eth0 >/eth0'
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
	build_with_server none localhost/none \
		'sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " " >/ifs; ! wget -q -T 2 -O /dev/null http://198.19.255.2:8080/busybox.tar'
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
