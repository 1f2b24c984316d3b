# The namespaces of the bridge network tests (tests/integration/network_nft.bats)
# and of bench/network_throughput, made with `ip` (addresses from
# 198.18.0.0/15, fd18::/16 inside them only; never the machine's own netns):
#
#   OUT ov0 198.18.1.2 ---- hv0 198.18.1.1, .1.3   HOST
#                            hb0 198.18.0.1 (bridge) -- hcI -- CTR eth0 198.18.0.(I+1)
#
# netns_topology HOST OUT CTR...: makes them all; the host forwards.
netns_topology() {
	local host=$1 out=$2 ns i=0
	shift 2
	for ns in "$host" "$out" "$@"; do
		ip netns add "$ns" || return
		ip -n "$ns" link set lo up
	done
	ip -n "$host" link add hv0 type veth peer name ov0 netns "$out" || return
	ip -n "$host" addr add 198.18.1.1/24 dev hv0
	ip -n "$host" addr add 198.18.1.3/24 dev hv0
	ip -n "$host" addr add fd18:1::1/64 dev hv0 nodad
	ip -n "$host" link set hv0 up
	ip -n "$out" addr add 198.18.1.2/24 dev ov0
	ip -n "$out" addr add fd18:1::2/64 dev ov0 nodad
	ip -n "$out" link set ov0 up
	ip -n "$host" link add hb0 type bridge || return
	ip -n "$host" addr add 198.18.0.1/24 dev hb0
	ip -n "$host" addr add fd18::1/64 dev hb0 nodad
	ip -n "$host" link set hb0 up
	for ns in "$@"; do
		i=$((i + 1))
		ip -n "$host" link add "hc$i" type veth peer name eth0 netns "$ns" || return
		ip -n "$host" link set "hc$i" master hb0 up
		ip -n "$ns" addr add "198.18.0.$((i + 1))/24" dev eth0
		ip -n "$ns" addr add "fd18::$((i + 1))/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via 198.18.0.1
		ip -n "$ns" -6 route add default via fd18::1
	done
	nsenter --net="/run/netns/$host" -- sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# netns_topology_del NS...: removes them (a missing one is no error).
netns_topology_del() {
	local ns
	for ns in "$@"; do
		netns_del "$ns"
	done
}
