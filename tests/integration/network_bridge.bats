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
	HOST_FWD=$(cat /proc/sys/net/ipv4/ip_forward)
	# host <-> outside: 198.19.255.1 (host) - 198.19.255.2 (outside); the
	# outside has no route back to the containers' subnets: only NAT works.
	netns_host_outside "$HNS" "$ONS"
	make_image bb '{"Cmd":["sh"],"ExposedPorts":{"8080/tcp":{}}}' "$BUNDLE/rootfs"
	# The default network moved into the test range.
	hns network create bridge --subnet 198.18.0.0/24 >/dev/null
}

teardown() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	# What a failed test left running (its overlay, its shim) goes first.
	for c in $(hns container ls -a -q 2>/dev/null); do
		hns container rm -f "$c" >/dev/null 2>&1
	done
	netns_del "$HNS"
	netns_del "$ONS"
	teardown_test
	# The machine's own namespace: no interface, sysctl or rule of ours.
	now=$(ip -o link show | awk -F': ' '{print $2}' | sort)
	[ "$now" = "$HOST_LINKS" ] || fail "the host's interfaces changed: $now"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$HOST_FWD" ] || fail "the host's ip_forward changed"
	! "$REPO_ROOT/build/tests/tools/nft_rules" list | grep -q "table inet husk" || \
		fail "husk's table in the host's namespace"
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
	assert_no_veth_lease "$HNS" "$STORE" || return
	# No rule of a container left (its chain is c/NETWORK/ID, with its DNAT).
	left=$(nsenter --net="/run/netns/$HNS" "$REPO_ROOT/build/tests/tools/nft_rules" list | grep -E 'chain c/|dnat (ip|ip6) to' || true)
	[ -z "$left" ] || fail "rules left: $left"
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

# The outside's server on 198.19.255.2: TCP 9000, UDP 53 (busybox's
# nslookup is the containers' UDP client).
start_server() {
	# nsenter, which becomes /usr/bin/python3 itself (not a shell function's
	# subshell, which would be what kill kills), and not on bats' fd 3.
	nsenter --net="/run/netns/$ONS" -- /usr/bin/python3 "$REPO_ROOT/tests/data/net_peer_server.py" 198.19.255.2 9000 53 \
		>"$TESTDIR/srv.out" 2>&1 3>&- &
	SRV=$!
	wait_for 50 grep -q ready "$TESTDIR/srv.out" || fail "server did not start: $(cat "$TESTDIR/srv.out")"
}

@test "network bridge: container -> outside leaves with the host's address (NAT), not the container's; TCP and UDP" {
	start_server
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network bridge bb \
		sh -c 'nc -w 3 198.19.255.2 9000 </dev/null; nslookup -timeout=1 x.test 198.19.255.2 >/dev/null 2>&1; true'
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "$output" = "peer 198.19.255.1" ] || fail "the outside saw (TCP): '$output'"
	grep -q "^udp peer 198.19.255.1$" "$TESTDIR/srv.out" || fail "the outside saw (UDP): $(cat "$TESTDIR/srv.out")"
	! grep -q "udp peer 198.18" "$TESTDIR/srv.out" || fail "a container address reached the outside"
	assert_net_clean
}

@test "network bridge: containers reach each other by address and by name; /etc/hosts follows them" {
	hns network create front --subnet 198.18.4.0/24 >/dev/null
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name srv --network front bb \
		nc -ll -p 7000 -e hostname
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	ip=$(hns container inspect srv | jq -r '.[0].NetworkSettings.Networks.front.IPAddress')
	[ "$ip" = 198.18.4.2 ] || fail "srv's address: $ip"
	hns network inspect front | jq -e '.[0] | .IPAM.Config[0].Subnet == "198.18.4.0/24" and
		.IPAM.Config[0].Gateway == "198.18.4.1" and ([.Containers[].Name] == ["srv"])' >/dev/null ||
		fail "inspect: $(hns network inspect front)"
	hns network ls | grep -qE '^front +bridge +198.18.4.0/24 +false +1$' || fail "ls: $(hns network ls)"
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --name cli --hostname clihost --network front bb \
		sh -c "nc -w 3 198.18.4.2 7000 </dev/null; nc -w 3 srv 7000 </dev/null; cat /etc/hosts"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "${lines[0]}" = "${lines[1]}" ] && [ -n "${lines[0]}" ] || fail "by address and by name: $output"
	[[ "$output" == *"198.18.4.3	clihost cli"* ]] || fail "own name: $output"
	# srv's file (running) got cli while it ran, and lost it after.
	hosts=$(cat "$STORE/containers/$(hns container inspect srv | jq -r '.[0].Id')/hosts")
	[[ "$hosts" != *" cli"* ]] || fail "cli still in srv's hosts: $hosts"
	hrun hns container rm -f srv
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	assert_net_clean
	hrun hns network rm front
	[ "$status" -eq 0 ] || fail "network rm: $stderr"
	left=$(ip -n "$HNS" -o link show | grep hk- | grep -v hk-up || true)
	[ -z "$left" ] || fail "bridge left: $left"
	left=$(nsenter --net="/run/netns/$HNS" "$REPO_ROOT/build/tests/tools/nft_rules" list | grep -F 'front' || true)
	[ -z "$left" ] || fail "network rules left: $left"
}

@test "network bridge: -p answers from outside on the host's address and from the host on 127.0.0.1; -P too" {
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name web -p 8080:7000 -P --network bridge bb \
		nc -ll -p 7000 -e hostname
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	want=$(hns container inspect web | jq -r '.[0].Config.Hostname')
	ports=$(hns container inspect web | jq -c '.[0].NetworkSettings.Ports')
	[[ "$ports" == *'"containerPort":8080'* ]] || fail "-P did not publish ExposedPorts 8080: $ports"
	rules=$(nsenter --net="/run/netns/$HNS" "$REPO_ROOT/build/tests/tools/nft_rules" list)
	[[ "$rules" == *"dnat ip to 198.18.0.2:7000"* ]] || fail "no DNAT rule: $rules"
	got=$(in_out busybox nc -w 3 198.19.255.1 8080 </dev/null) || true
	[ "$got" = "$want" ] || fail "outside -> 198.19.255.1:8080: '$got'"
	got=$(nsenter --net="/run/netns/$HNS" busybox nc -w 3 127.0.0.1 8080 </dev/null) || true
	[ "$got" = "$want" ] || fail "host 127.0.0.1:8080: '$got'"
	# Hairpin: another container of the network, by the host's address.
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network bridge bb nc -w 3 198.19.255.1 8080
	[ "$output" = "$want" ] || fail "container -> 198.19.255.1:8080: '$output' $stderr"
	hrun hns container rm -f web
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	got=$(in_out busybox nc -w 2 198.19.255.1 8080 </dev/null 2>&1) || true
	[ "$got" != "$want" ] || fail "the port still answers after rm"
	assert_net_clean
}

@test "network bridge: an --internal network has no way out: no default route, no NAT to the outside" {
	start_server
	hns network create sealed --internal --subnet 198.18.8.0/24 >/dev/null
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network sealed bb \
		sh -c 'nc -w 2 198.19.255.2 9000 </dev/null; ip route'
	[[ "$output" != *peer* ]] || fail "an internal network reached the outside: $output"
	[[ "$output" != *default* ]] || fail "an internal network has a default route: $output"
	assert_net_clean
}

@test "network bridge: 20 concurrent starts on one network: 20 different addresses, nothing left" {
	hns network create many --subnet 198.18.12.0/24 >/dev/null
	for i in $(seq 1 20); do
		hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network many bb \
			sh -c 'ip -4 -o addr show eth0 | grep -o "inet [0-9.]*"; sleep 1' \
			>"$TESTDIR/c$i.out" 2>"$TESTDIR/c$i.err" &
	done
	wait
	for i in $(seq 1 20); do
		[ -s "$TESTDIR/c$i.out" ] || fail "container $i: $(cat "$TESTDIR/c$i.err")"
	done
	n=$(cat "$TESTDIR"/c*.out | sort -u | wc -l)
	[ "$n" -eq 20 ] || fail "$n different addresses: $(cat "$TESTDIR"/c*.out | sort | uniq -d)"
	assert_net_clean
}

@test "network bridge: husk SIGKILLed in the middle of the setup: rm -f removes veth, lease and rules" {
	hns container create -e "HUSK_TEST_TAG=$TAG" --name k -p 8081:80 --network bridge bb sleep 100 >/dev/null
	# Stopped by SIGKILL right after the veth is made (at its netlink ack,
	# the first sendto after the veth's: the container end's set up).
	nsenter --net="/run/netns/$HNS" -- strace -f -o /dev/null \
		-e inject=sendto:signal=SIGKILL:when=6 -- "$HUSK" --root "$ROOT" --store "$STORE" container start k \
		>/dev/null 2>&1 || true
	[ -f "$STORE/containers/$(hns container inspect k | jq -r '.[0].Id')/net.json" ] || \
		fail "not killed mid-setup (no net.json left)"
	hrun hns container rm -f k
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	assert_net_clean
	[ -z "$(ls "$STORE/containers" | grep -v '^\.' || true)" ] || fail "container left"
}

@test "network bridge: bad input is one line and leaves nothing" {
	hrun hns network create clash --subnet 198.18.0.128/25
	assert_husk_error 'overlaps 198.18.0.0/24 of network bridge'
	hrun hns network create bridge --subnet 198.18.2.0/24
	assert_husk_error 'network bridge: exists'
	hrun hns network create bad --subnet 198.18.1.1/24
	assert_husk_error 'has host bits set'
	hrun hns network create bad --subnet 198.18.1.0/33
	assert_husk_error 'prefix length'
	hrun hns network create bad --subnet 198.18.1.0/24 --gateway 198.18.2.1
	assert_husk_error 'not a host address'
	hrun hns container run --rm --network nosuch bb true
	assert_husk_error 'network nosuch: no such network$'
	hns network create tiny --subnet 198.18.16.0/30 >/dev/null
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name t1 --network tiny bb sleep 100
	[ "$status" -eq 0 ] || fail "first: $stderr"
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network tiny bb true
	assert_husk_error 'network tiny: no free address in 198.18.16.0/30$'
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network tiny --ip 198.18.16.9 bb true
	assert_husk_error '--ip 198.18.16.9: not a free host address'
	hrun hns network rm tiny
	assert_husk_error 'network tiny: container t1 is on it'
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name p1 -p 8090:80 --network bridge bb sleep 100
	[ "$status" -eq 0 ] || fail "p1: $stderr"
	p1=$(hns container inspect p1 | jq -r '.[0].Id')
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --name p2 -p 8090:80 --network bridge bb true
	assert_husk_error "host port 8090/tcp is already published by container $p1\$"
	# p2's half-made network went with it: only p1's lease is left.
	[ "$(jq length "$STORE/networks/bridge.leases")" = 1 ] || fail "leases: $(cat "$STORE/networks/bridge.leases")"
	hrun hns container rm -f p1
	[ "$status" -eq 0 ] || fail "rm -f p1: $stderr"
	hrun hns container rm -f t1
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	hrun hns network rm tiny
	[ "$status" -eq 0 ] || fail "network rm: $stderr"
	[ ! -e "$STORE/networks/tiny.json" ] || fail "tiny.json left"
	assert_net_clean
}

@test "network bridge: the shim SIGKILLed, and a foreground husk SIGKILLed: rm -f removes lease and rules" {
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name d1 -p 8082:80 --network bridge bb sleep 100
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	id=$(hns container inspect d1 | jq -r '.[0].Id')
	shim=$(jq -r '.state.shimPid' "$STORE/containers/$id/meta.json")
	[ "$shim" -gt 1 ] || fail "no shim pid"
	kill -9 "$shim"
	hns container create -e "HUSK_TEST_TAG=$TAG" --name fg -p 8083:80 --network bridge bb sleep 100 >/dev/null
	nsenter --net="/run/netns/$HNS" -- "$HUSK" --root "$ROOT" --store "$STORE" container start fg \
		>/dev/null 2>&1 3>&- &
	fg=$!
	fid=$(hns container inspect fg | jq -r '.[0].Id')
	wait_for 100 grep -q '"ports":true' "$STORE/containers/$fid/net.json" || fail "fg's network not up"
	kill -9 "$fg"
	rules=$(nsenter --net="/run/netns/$HNS" "$REPO_ROOT/build/tests/tools/nft_rules" list)
	[[ "$rules" == *"dnat ip to"* ]] || fail "no DNAT rule before rm: $rules"
	for c in d1 fg; do
		hrun hns container rm -f "$c"
		[ "$status" -eq 0 ] || fail "rm -f $c: $stderr"
	done
	assert_net_clean
}

@test "network bridge: --dns, --add-host, --network container:OTHER, two networks, --ipv6, --ip" {
	hns network create two --subnet 198.18.20.0/24 >/dev/null
	hns network create six --ipv6 --subnet 198.18.24.0/24 --subnet fd00:1998::/64 >/dev/null
	hrun hns container run -d -e "HUSK_TEST_TAG=$TAG" --name base --network six --network two \
		--ip 198.18.24.9 --dns 198.18.53.53 --add-host db:198.18.99.1 bb sleep 100
	[ "$status" -eq 0 ] || fail "run -d: $stderr"
	hrun hns container exec base sh -c 'ip -o addr; cat /etc/resolv.conf /etc/hosts'
	[[ "$output" == *"eth0"*"inet 198.18.24.9/24"* ]] || fail "--ip on eth0: $output"
	[[ "$output" == *"eth0"*"inet6 fd00:1998::9/64"* ]] || fail "IPv6 on eth0: $output"
	[[ "$output" == *"eth1"*"inet 198.18.20.2/24"* ]] || fail "second network on eth1: $output"
	[[ "$output" == *"nameserver 198.18.53.53"* ]] || fail "--dns: $output"
	[[ "$output" == *"198.18.99.1	db"* ]] || fail "--add-host: $output"
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network container:base bb ip -4 -o addr show eth0
	[[ "$output" == *"198.18.24.9"* ]] || fail "container:base does not share base's eth0: $output $stderr"
	# Made while base ran, started after base started again (another pid).
	hns container create -e "HUSK_TEST_TAG=$TAG" --name joiner --network container:base bb \
		ip -4 -o addr show eth0 >/dev/null
	hns container stop -t 1 base >/dev/null
	hns container start -d base >/dev/null
	hrun hns container start joiner
	[[ "$output" == *"198.18.24.9"* ]] || fail "joiner is not in base's namespace of now: $output $stderr"
	hns container rm joiner >/dev/null
	hrun hns container rm -f base
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	assert_net_clean
	hrun hns network prune
	[ "$status" -eq 0 ] || fail "prune: $stderr"
	[ "$(hns network ls -q | sort | tr '\n' ' ')" = "bridge " ] || fail "prune left: $(hns network ls -q)"
}

@test "network bridge: the lease of a dead container is taken back" {
	hns network create one --subnet 198.18.28.0/30 >/dev/null
	# The only address, held by a container whose runner is gone.
	echo '{"198.18.28.2":{"id":"gone","name":"ghost","dir":"/nonexistent"}}' >"$STORE/networks/one.leases"
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network one bb ip -4 -o addr show eth0
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ "$output" == *"198.18.28.2/30"* ]] || fail "the dead lease was not taken back: $output"
	assert_net_clean
}
