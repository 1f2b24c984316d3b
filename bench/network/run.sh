#!/bin/bash
# Network setup + teardown per container: husk's own bridge network with
# one published port, against the same through Debian's CNI bridge +
# host-local + portmap chain driven by the CNI protocol (husk's
# --network cni:, ADD at start, DEL at the end), and against podman
# (`podman run --rm -p` minus `podman run --rm --network none`, CNI backend,
# a private store).  Each figure is `container run --rm --network X -p ...
# IMAGE /bin/true` minus the same with --network none, so that only the
# network's share is left.  Everything runs inside a network namespace the
# benchmark makes (the machine's own network is never touched), addresses
# from 198.18.0.0/15.  Medians of --runs interleaved runs; the last line
# holds the ratios.
#
#   bench/network/run.sh [--runs N] [--husk PATH] [--no-podman]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=21
PODMAN_TOO=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	--no-podman) PODMAN_TOO=0; shift ;;
	*) echo "usage: $0 [--runs N] [--husk PATH] [--no-podman]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-net.XXXXXX")
NS=husk-bench-net-$$
cleanup() {
	[ -n "${PM:-}" ] && $PM rm -af >/dev/null 2>&1 || true
	[ -n "${PM:-}" ] && $PM system reset -f >/dev/null 2>&1 || true
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
IN="nsenter --net=/run/netns/$NS --"

"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
H="$IN $HUSK --root $W/state --store $W/store --cni-config-dir $W/cni"
$H image import "$W/rootfs.tar" bench >/dev/null
$H network create benchnet --subnet 198.18.40.0/24 >/dev/null
mkdir -p "$W/cni"
cat >"$W/cni/benchcni.conflist" <<CNI
{ "cniVersion": "1.0.0", "name": "benchcni", "plugins": [
  { "type": "bridge", "bridge": "bench-cni0", "isGateway": true, "ipMasq": true,
    "ipam": { "type": "host-local", "dataDir": "$W/ipam",
              "ranges": [[{ "subnet": "198.18.41.0/24" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
  { "type": "portmap", "capabilities": { "portMappings": true } } ] }
CNI

us() { echo $((($(date +%s%N) - $1) / 1000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
once() {  # once CMD...: microseconds of one run
	local t
	t=$(date +%s%N)
	"$@" </dev/null >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
	us "$t"
}

none() { $H container run --rm bench /bin/true; }
bridge() { $H container run --rm --network benchnet -p 18080:80 bench /bin/true; }
cni() { $H container run --rm --network cni:benchcni -p 18081:80 bench /bin/true; }
names=(none bridge cni)

PM=
if [ "$PODMAN_TOO" = 1 ] && command -v podman >/dev/null; then
	mkdir -p "$W/pm/net"
	# root lacks CAP_SYS_RESOURCE here: podman's default nofile/nproc are
	# above the hard limits (as in tests/integration/podman.bats).
	printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n' \
		"$(ulimit -Hn)" "$(ulimit -Hn)" >"$W/pm/containers.conf"
	PM="$IN env CONTAINERS_CONF=$W/pm/containers.conf podman --root $W/pm/root --runroot $W/pm/run --network-config-dir $W/pm/net --cgroup-manager cgroupfs --events-backend none --runtime runc"
	if $PM import "$W/rootfs.tar" localhost/bench >/dev/null 2>&1 &&
		$PM network create --subnet 198.18.42.0/24 pmnet >/dev/null 2>&1 &&
		$PM run --rm --network pmnet -p 18082:80 localhost/bench /bin/true >/dev/null 2>"$W/pm.err"; then
		pm_none() { $PM run --rm --network none localhost/bench /bin/true; }
		pm_net() { $PM run --rm --network pmnet -p 18082:80 localhost/bench /bin/true; }
		names+=(pm_none pm_net)
	else
		echo "note: podman with a network does not run here offline ($(tail -1 "$W/pm.err" 2>/dev/null)); its ratio is left out" >&2
		PM=
	fi
fi

for n in "${names[@]}"; do "$n" >/dev/null 2>&1 || { echo "warm-up of $n failed" >&2; exit 1; }; done
for i in $(seq "$RUNS"); do
	for n in "${names[@]}"; do
		echo "$n $(once "$n")"
	done
done >"$W/times"
med() { awk -v n="$1" '$1 == n { print $2 }' "$W/times" | median; }
t_none=$(med none); t_bridge=$(med bridge); t_cni=$(med cni)
d_bridge=$((t_bridge - t_none)); d_cni=$((t_cni - t_none))
echo "husk container run --rm --network none:              $t_none us (median of $RUNS)"
echo "  --network benchnet -p (husk's bridge, nftables):   $t_bridge us: network $d_bridge us"
echo "  --network cni:benchcni -p (bridge+host-local+portmap): $t_cni us: network $d_cni us"
ratios="ratios: husk network / CNI chain = $(awk -v a="$d_bridge" -v b="$d_cni" 'BEGIN { printf "%.3f", a / b }')"
if [ -n "$PM" ]; then
	t_pn=$(med pm_none); t_pp=$(med pm_net); d_pm=$((t_pp - t_pn))
	echo "podman run --rm --network none:                      $t_pn us"
	echo "podman run --rm --network pmnet -p:                  $t_pp us: network $d_pm us"
	ratios="$ratios, husk network / podman network = $(awk -v a="$d_bridge" -v b="$d_pm" 'BEGIN { printf "%.3f", a / b }')"
fi
echo "$ratios"
