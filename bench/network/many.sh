#!/bin/bash
# Issue 16's scale target: N containers (default 100) on one husk network,
# started 2 at a time under their shims (run -d); then no address twice,
# every one reachable from another container by address, and after rm -f
# of all: no veth, no lease, no rule left.  In a network namespace of its
# own, addresses from 198.18.0.0/15.  The last line says the verdict and
# the time.
#
#   bench/network/many.sh [--count N] [--husk PATH]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
N=100
while [ $# -gt 0 ]; do
	case $1 in
	--count) N=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	*) echo "usage: $0 [--count N] [--husk PATH]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-many.XXXXXX")
NS=husk-bench-many-$$
IN="nsenter --net=/run/netns/$NS --"
H="$IN $HUSK --root $W/state --store $W/store"
cleanup() {
	for c in $($H container ls -a -q 2>/dev/null); do $H container rm -f "$c" >/dev/null 2>&1 || true; done
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
$H image import "$W/rootfs.tar" bench >/dev/null
$H network create many --subnet 198.18.64.0/22 >/dev/null
export H
t0=$(date +%s%N)
seq "$N" | xargs -P 2 -I{} sh -c '$H container run -d --name m{} --network many bench nc -ll -p 7000 -e hostname >/dev/null'
t1=$(date +%s%N)
for i in $(seq "$N"); do
	$H container inspect "m$i" | jq -r '.[0].NetworkSettings.Networks.many.IPAddress'
done >"$W/ips"
dups=$(sort "$W/ips" | uniq -d | wc -l)
empty=$(grep -cv '^198\.18\.' "$W/ips" || true)
# Each one answers a client container of the network (by address).
unreachable=0
script=$(sed 's/.*/nc -w 2 & 7000 <\/dev\/null || echo FAIL/' "$W/ips")
$H container run --rm --network many bench sh -c "$script" >"$W/answers" 2>&1 || true
unreachable=$(grep -c FAIL "$W/answers" || true)
t2=$(date +%s%N)
seq "$N" | xargs -P 2 -I{} sh -c '$H container rm -f m{} >/dev/null'
t3=$(date +%s%N)
veths=$(ip -n "$NS" -o link show type veth | wc -l)
leases=$(jq length "$W/store/networks/many.leases")
rules=$($IN "$REPO/build/tests/tools/nft_rules" list 2>/dev/null | grep -c 'chain c/' || true)
echo "$N containers started 2 at a time: $(((t1 - t0) / 1000000)) ms; checked in $(((t2 - t1) / 1000000)) ms; removed in $(((t3 - t2) / 1000000)) ms"
echo "duplicate addresses $dups, without an address $empty, unreachable $unreachable; left: veths $veths, leases $leases, container chains $rules"
if [ "$dups$empty$unreachable$veths$leases$rules" = 000000 ]; then
	echo "result: ok ($N containers, no duplicate, all reachable, nothing left)"
else
	echo "result: FAILED"
	exit 1
fi
