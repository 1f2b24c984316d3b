#!/usr/bin/env bats
# husk's nftables rules of a bridge network (src/net/nft.h, issue 16),
# driven by tests/tools/nft_rules inside namespaces the test makes: "host"
# (where husk's table goes), "outside" (beyond the host's veth), and two
# "containers" on a bridge of the host.  Never the machine's own network;
# addresses from 198.18.0.0/15 (and fd18::/16 inside the namespaces).
# The layout: tests/integration/netns_topology.bash.

load helpers
load netns_topology

NFT_RULES=${NFT_RULES:-$REPO_ROOT/build/tests/tools/nft_rules}
PEER=$INTEGRATION_ROOT/net_peer.py

setup() {
	setup_test
	[ -x "$NFT_RULES" ] || fail "no $NFT_RULES (ninja -C build)"
	command -v python3 >/dev/null || skip "python3 is not installed"
	P=hnft-$$-$RANDOM
	HNS=$P-host ONS=$P-out C1=$P-c1 C2=$P-c2
	netns_topology "$HNS" "$ONS" "$C1" "$C2"
}

teardown() {
	netns_topology_del "$HNS" "$ONS" "$C1" "$C2"
	teardown_test
}

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# rules ARGS...: nft_rules in the test's host namespace.
rules() {
	in_ns "$HNS" "$NFT_RULES" "$@"
}

# serve NS PROTO ADDR PORT: a peer that answers "from <client address>".
serve() {
	local ready=$TESTDIR/ready-$1-$2-$4
	HUSK_TEST_TAG=$TAG in_ns "$1" python3 "$PEER" serve "$2" "$3" "$4" "$ready" </dev/null >/dev/null 2>&1 3>&- &
	wait_for 10 test -s "$ready"
}

# ask NS PROTO ADDR PORT [SECONDS]: prints the answer; fails without one.
ask() {
	in_ns "$1" python3 "$PEER" ask "$2" "$3" "$4" "${5:-2}"
}

# answer_is NS PROTO ADDR PORT WANT: the answer is "from WANT".
answer_is() {
	local got
	got=$(ask "$1" "$2" "$3" "$4") || fail "no answer from $3:$4/$2 in $1" || return
	[ "$got" = "from $5" ] || fail "$3:$4/$2 answered '$got', not 'from $5'"
}

no_answer() {
	local got
	if got=$(ask "$1" "$2" "$3" "$4" 1 2>/dev/null); then
		fail "$3:$4/$2 answered '$got' from $1"
	fi
}

husk_left() {
	rules list | grep -n husk || true
}

@test "network nft: a container reaches the outside with the host's address (IPv4 and IPv6)" {
	serve "$ONS" tcp 0.0.0.0 7000
	serve "$ONS" tcp :: 7006
	# no rules: the outside has no way back to 198.18.0.0/24
	no_answer "$C1" tcp 198.18.1.2 7000
	rules network-add net1 hb0 198.18.0.0/24
	rules network-add net1 hb0 fd18::/64
	answer_is "$C1" tcp 198.18.1.2 7000 198.18.1.1
	answer_is "$C1" tcp fd18:1::2 7006 fd18:1::1
	# on the bridge, the containers see each other as they are
	serve "$C2" tcp 0.0.0.0 7001
	answer_is "$C1" tcp 198.18.0.3 7001 198.18.0.2
}

@test "network nft: published ports from the outside, the host (127.0.0.1 too) and other containers (hairpin)" {
	serve "$C1" tcp 0.0.0.0 80
	serve "$C1" udp 0.0.0.0 80
	serve "$C1" tcp :: 86
	rules network-add net1 hb0 198.18.0.0/24
	rules network-add net1 hb0 fd18::/64
	no_answer "$ONS" tcp 198.18.1.1 8080
	rules ports-add c1 net1 -,8080,198.18.0.2,80,tcp 0.0.0.0,8080,198.18.0.2,80,udp \
		198.18.1.3,9090,198.18.0.2,80,tcp ::,8086,fd18::2,86,tcp
	# from the outside, on every host address: the client as it is
	answer_is "$ONS" tcp 198.18.1.1 8080 198.18.1.2
	answer_is "$ONS" tcp 198.18.1.3 8080 198.18.1.2
	answer_is "$ONS" udp 198.18.1.1 8080 198.18.1.2
	answer_is "$ONS" tcp fd18:1::1 8086 fd18:1::2
	# one given host address only
	answer_is "$ONS" tcp 198.18.1.3 9090 198.18.1.2
	no_answer "$ONS" tcp 198.18.1.1 9090
	# the host itself: its own addresses and 127.0.0.1 (masqueraded
	# into the bridge)
	answer_is "$HNS" tcp 198.18.1.1 8080 198.18.1.1
	answer_is "$HNS" tcp 127.0.0.1 8080 198.18.0.1
	answer_is "$HNS" udp 127.0.0.1 8080 198.18.0.1
	# another container on the bridge, by a host address: masqueraded so
	# that the answer comes back through the host, with br_netfilter
	# passing bridged packets to the inet hooks or not
	local brnf=/proc/sys/net/bridge/bridge-nf-call-iptables mode modes=skip
	in_ns "$HNS" test -e "$brnf" && modes="0 1"
	for mode in $modes; do
		[ "$mode" = skip ] || in_ns "$HNS" sh -c "echo $mode >$brnf"
		answer_is "$C2" tcp 198.18.1.1 8080 198.18.0.1
		answer_is "$C2" tcp 198.18.0.1 8080 198.18.0.1
		answer_is "$C2" udp 198.18.1.1 8080 198.18.0.1
		answer_is "$C2" tcp fd18:1::1 8086 fd18::1
	done
	# an unpublished port of the container stays closed to the outside,
	# even routed straight to it
	serve "$C1" tcp 0.0.0.0 81
	in_ns "$ONS" ip route add 198.18.0.0/24 via 198.18.1.1
	no_answer "$ONS" tcp 198.18.0.2 81
	no_answer "$ONS" tcp 198.18.0.2 80
}

@test "network nft: --internal: nothing leaves the bridge, nothing gets in but answers" {
	serve "$ONS" tcp 0.0.0.0 7000
	serve "$HNS" tcp 198.18.0.1 7002
	serve "$C1" tcp 0.0.0.0 80
	serve "$C2" tcp 0.0.0.0 7001
	in_ns "$ONS" ip route add 198.18.0.0/24 via 198.18.1.1
	# a plain network first: the same traffic passes (the test can fail)
	rules network-add net1 hb0 198.18.0.0/24
	answer_is "$C1" tcp 198.18.1.2 7000 198.18.1.1
	answer_is "$C1" tcp 198.18.0.1 7002 198.18.0.2
	rules network-add net1 hb0 198.18.0.0/24 internal
	no_answer "$C1" tcp 198.18.1.2 7000
	no_answer "$C1" tcp 198.18.0.1 7002
	no_answer "$ONS" tcp 198.18.0.2 80
	# within the bridge and from the host in: as before
	answer_is "$C1" tcp 198.18.0.3 7001 198.18.0.2
	answer_is "$HNS" tcp 198.18.0.2 80 198.18.0.1
}

@test "network nft: a host port already published is refused, naming its container; the same again is no change" {
	rules network-add net1 hb0 198.18.0.0/24
	rules ports-add c1 net1 -,8080,198.18.0.2,80,tcp
	before=$(rules list)
	rules ports-add c1 net1 -,8080,198.18.0.2,80,tcp
	[ "$(rules list)" = "$before" ] || fail "the same ports again changed the rules: $(rules list)"
	hrun rules ports-add c2 net1 -,8081,198.18.0.3,80,tcp -,8080,198.18.0.3,80,tcp
	[ "$status" -eq 1 ] || fail "status $status"
	[ "$stderr" = "nft_rules: published ports of c2: host port 8080/tcp is already published by container c1" ] ||
		fail "stderr: $stderr"
	# all or nothing: 8081 not taken either
	[ "$(rules list)" = "$before" ] || fail "a refused call changed the rules: $(rules list)"
	# udp 8080 is another port
	rules ports-add c2 net1 -,8080,198.18.0.3,80,udp
	# c1 again with other ports: they replace its 8080, which c2 may take then
	rules ports-add c1 net1 -,8085,198.18.0.2,80,tcp
	rules ports-add c2 net1 -,8080,198.18.0.3,80,tcp
	rules list | grep -q 'tcp . 8080 : goto c/net1/c2' || fail "8080 not c2's: $(rules list)"
	[ "$(rules list | grep -c 'dnat ip to 198.18.0.2')" = 1 ] || fail "c1's old rule left: $(rules list)"
	# the bridge of a network is its own
	hrun rules network-add net2 hb0 198.18.2.0/24
	[ "$stderr" = "nft_rules: network net2: bridge hb0 is already used by network net1" ] || fail "stderr: $stderr"
}

@test "network nft: ports_del and network_del remove exactly their rules, the table with the last network" {
	rules exec 'add table ip theirs; add chain ip theirs c { type filter hook forward priority 10; policy accept; }; add rule ip theirs c counter'
	ip -n "$HNS" link add hb1 type bridge
	rules network-add net1 hb0 198.18.0.0/24
	rules network-add net1 hb0 fd18::/64
	rules network-add net2 hb1 198.18.2.0/24 internal
	rules ports-add c1 net1 -,8080,198.18.0.2,80,tcp -,8080,198.18.0.2,80,udp
	rules ports-add c2 net1 -,8081,198.18.0.3,80,tcp
	rules ports-add c3 net2 -,8082,198.18.2.2,80,tcp
	rules ports-del c1
	left=$(rules list | grep -E 'c1|8080' || true)
	[ -z "$left" ] || fail "c1 left: $left"
	rules list | grep -q 'c/net1/c2' || fail "c2's rules went with c1's"
	rules ports-del c1 # again: nothing to do
	rules network-del net1
	left=$(rules list | grep -E 'net1|hb0|c2|8081|fd18' || true)
	[ -z "$left" ] || fail "net1 left: $left"
	rules list | grep -q 'c/net2/c3' || fail "net2's rules went with net1's"
	rules network-del net2
	rules network-del net2
	[ -z "$(husk_left)" ] || fail "husk's table left: $(husk_left)"
	rules list | grep -q 'table ip theirs' || fail "the other table went too: $(rules list)"
	rules list | grep -q 'counter' || fail "the other table's rule went: $(rules list)"
}

@test "network nft: values with nft syntax in them are refused, nothing changes" {
	rules exec 'add table ip theirs'
	rules network-add net1 hb0 198.18.0.0/24
	before=$(rules list)
	local bad
	for bad in 'x; flush ruleset' 'x"' 'a/b' '-x' ''; do
		hrun rules network-add "$bad" hb0 198.18.0.0/24
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "name '$bad': $status: $stderr"
		[[ "$stderr" == "nft_rules: network rules: network name"* ]] || fail "name '$bad': $stderr"
		hrun rules ports-add "$bad" net1 -,8080,198.18.0.2,80,tcp
		[[ "$stderr" == "nft_rules: published ports: container id"* ]] || fail "id '$bad': $stderr"
		hrun rules network-del "$bad"
		[ "$status" -eq 1 ] || fail "network-del '$bad' succeeded"
	done
	hrun rules network-add net3 'hb0"; flush ruleset; "' 198.18.0.0/24
	[[ "$stderr" == "nft_rules: network rules: bridge interface name"* ]] || fail "bridge: $stderr"
	for bad in '198.18.0.0/24; flush ruleset' '198.18.0.0/24 }' '198.18.0.1/24' '198.18.0.0/33' '198.18.0.0' '0.0.0.0/0'; do
		hrun rules network-add net3 hb0 "$bad"
		[[ "$stderr" == "nft_rules: network rules: subnet"* ]] || fail "subnet '$bad': $stderr"
	done
	for bad in '-,8080,198.18.0.2;flush ruleset,80,tcp' '-,8080,198.18.0.2,80,tcp;flush ruleset' \
		'1.2.3.4 },8080,198.18.0.2,80,tcp' '-,0,198.18.0.2,80,tcp' 'fd18::1,8080,198.18.0.2,80,tcp'; do
		hrun rules ports-add c1 net1 "$bad"
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "port '$bad': $status: $stderr"
	done
	[ "$(rules list)" = "$before" ] || fail "the rules changed: $(rules list)"
}

@test "network nft: route_localnet on the bridge does not open the host's 127.0.0.1 to containers" {
	serve "$HNS" tcp 127.0.0.1 7003
	# c2 sends to 127.0.0.1 through the host: no loopback of its own,
	# a route by the bridge
	ip -n "$C2" addr flush dev lo
	in_ns "$C2" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
	ip -n "$C2" route add 127.0.0.0/8 via 198.18.0.1 dev eth0
	# the bridge's route_localnet alone lets it in (the test can fail)
	in_ns "$HNS" sysctl -qw net.ipv4.conf.hb0.route_localnet=1
	answer_is "$C2" tcp 127.0.0.1 7003 198.18.0.3
	rules network-add net1 hb0 198.18.0.0/24
	[ "$(in_ns "$HNS" cat /proc/sys/net/ipv4/conf/hb0/route_localnet)" = 1 ] || fail "route_localnet not set"
	no_answer "$C2" tcp 127.0.0.1 7003
	# ... while the host's own 127.0.0.1 reaches a published port
	serve "$C1" tcp 0.0.0.0 80
	rules ports-add c1 net1 -,8080,198.18.0.2,80,tcp
	answer_is "$HNS" tcp 127.0.0.1 8080 198.18.0.1
}

@test "network nft: a bridge that does not exist is refused, nothing made" {
	hrun rules network-add net1 nosuchbr 198.18.0.0/24
	[ "$stderr" = "nft_rules: network net1: bridge nosuchbr does not exist" ] || fail "stderr: $stderr"
	[ -z "$(husk_left)" ] || fail "husk's table made: $(husk_left)"
}

@test "network nft: concurrent calls: the table made once, 20 ports all published, one port won by one" {
	local i pids=()
	for i in $(seq 1 8); do
		ip -n "$HNS" link add "hx$i" type bridge
	done
	# all at once on no table: each may be the one to make it
	for i in $(seq 1 8); do
		rules network-add "net$i" "hx$i" "198.18.$((i + 1)).0/24" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a network-add failed"; done
	[ "$(rules list | grep -c 'chain forward')" = 1 ] || fail "base chains twice: $(rules list)"
	[ "$(rules list | grep -c 'oifname vmap @nets')" = 1 ] || fail "base rules twice: $(rules list)"
	[ "$(rules list | grep -c ': jump n/net')" = 8 ] || fail "not 8 networks: $(rules list)"
	pids=()
	for i in $(seq 1 20); do
		rules ports-add "c$i" net1 "-,$((9000 + i)),198.18.2.$((i + 1)),80,tcp" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a ports-add failed"; done
	[ "$(rules list | grep -c 'dnat ip to')" = 20 ] || fail "not 20 ports: $(rules list)"
	pids=()
	for i in $(seq 1 10); do
		rules ports-add "d$i" net2 "-,7777,198.18.3.$((i + 1)),80,tcp" 2>"$TESTDIR/d$i.err" &
		pids+=($!)
	done
	local won=0 lost=0
	for i in "${pids[@]}"; do
		if wait "$i"; then won=$((won + 1)); else lost=$((lost + 1)); fi
	done
	[ "$won" = 1 ] && [ "$lost" = 9 ] || fail "won $won, lost $lost"
	winner=$(rules list | sed -n 's|.*tcp . 7777 : goto c/net2/\(d[0-9]*\).*|\1|p')
	[ -n "$winner" ] || fail "no winner in the rules: $(rules list)"
	for i in $(seq 1 10); do
		[ "d$i" = "$winner" ] && continue
		[ "$(cat "$TESTDIR/d$i.err")" = "nft_rules: published ports of d$i: host port 7777/tcp is already published by container $winner" ] ||
			fail "d$i: $(cat "$TESTDIR/d$i.err")"
	done
	[ "$(rules list | grep -c 'chain c/net2/d')" = 1 ] || fail "a loser left a chain: $(rules list)"
}
