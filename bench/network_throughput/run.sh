#!/bin/bash
# TCP throughput from a container out of a husk bridge network (veth, the
# bridge, routing and husk's masquerade in table inet husk) against the same
# between two plain network namespaces joined by one veth pair (issue 16:
# >= 0.9 x).  Everything runs in namespaces this script makes and removes
# (addresses from 198.18.0.0/15), never in the machine's own network; the
# rules are set by tests/tools/nft_rules through src/net/nft.h.  Rounds
# alternate plain and NAT; the medians and their ratio are on the last line.
#
#   bench/network_throughput/run.sh [--rounds N] [--seconds S]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
NFT_RULES=$REPO/build/tests/tools/nft_rules
PY=$REPO/bench/network_throughput/throughput.py
ROUNDS=7
SECONDS_EACH=2
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECONDS_EACH=$2; shift 2 ;;
	*) echo "usage: $0 [--rounds N] [--seconds S]" >&2; exit 2 ;;
	esac
done
[ -x "$NFT_RULES" ] || ninja -C "$REPO/build"
P=hbench-$$
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-net.XXXXXX")
NSS="$P-a $P-b $P-host $P-out $P-ctr"
# shellcheck source=../../tests/integration/netns_topology.bash
. "$REPO/tests/integration/netns_topology.bash"
cleanup() {
	# shellcheck disable=SC2086
	netns_topology_del $NSS
	rm -rf "$W"
}
trap cleanup EXIT
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }

# plain: a -- b
for ns in "$P-a" "$P-b"; do
	ip netns add "$ns"
done
ip -n "$P-a" link add eth0 type veth peer name eth0 netns "$P-b"
ip -n "$P-a" addr add 198.18.2.1/24 dev eth0
ip -n "$P-b" addr add 198.18.2.2/24 dev eth0
ip -n "$P-a" link set eth0 up
ip -n "$P-b" link set eth0 up
# husk's: ctr -- (veth, bridge hb0, route, masquerade) host -- out
netns_topology "$P-host" "$P-out" "$P-ctr"
in_ns "$P-host" "$NFT_RULES" network-add bench hb0 198.18.0.0/24

# round SENDER_NS SINK_NS SINK_ADDR: one transfer; prints Mbit/s
round() {
	local ready=$W/ready.$RANDOM out=$W/out.$RANDOM
	nsenter --net="/run/netns/$2" -- python3 "$PY" sink "$3" 5201 "$ready" >"$out" &
	local sink=$!
	local n=0
	while [ ! -s "$ready" ]; do
		n=$((n + 1))
		[ "$n" -lt 1000 ] || { echo "the sink did not start" >&2; return 1; }
		sleep 0.01
	done
	in_ns "$1" python3 "$PY" send "$3" 5201 "$SECONDS_EACH"
	wait "$sink"
	awk '{ printf "%d\n", $1 * 8 / $2 / 1e6 }' "$out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# the masquerade is in the path: the sink sees the host's address
nsenter --net="/run/netns/$P-out" -- python3 "$REPO/tests/integration/net_peer.py" serve tcp 0.0.0.0 7000 "$W/peer" &
peer=$!
while [ ! -s "$W/peer" ]; do sleep 0.01; done
seen=$(in_ns "$P-ctr" python3 "$REPO/tests/integration/net_peer.py" ask tcp 198.18.1.2 7000)
kill "$peer"
wait "$peer" 2>/dev/null || true
[ "$seen" = "from 198.18.1.1" ] || { echo "not masqueraded: $seen" >&2; exit 1; }

round "$P-a" "$P-b" 198.18.2.2 >/dev/null # warm-up
plain=() nat=()
for i in $(seq "$ROUNDS"); do
	plain+=("$(round "$P-a" "$P-b" 198.18.2.2)")
	nat+=("$(round "$P-ctr" "$P-out" 198.18.1.2)")
	echo "round $i: plain ${plain[-1]} Mbit/s, container -> outside through NAT ${nat[-1]} Mbit/s"
done
mp=$(printf '%s\n' "${plain[@]}" | median)
mn=$(printf '%s\n' "${nat[@]}" | median)
echo "median of $ROUNDS rounds of ${SECONDS_EACH}s: plain veth $mp Mbit/s, husk bridge + NAT $mn Mbit/s"
awk -v n="$mn" -v p="$mp" 'BEGIN { printf "ratio nat/plain: %.2f (target >= 0.90)\n", n / p }'
