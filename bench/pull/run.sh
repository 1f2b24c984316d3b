#!/bin/bash
# Pull from a loopback registry into the store, unpacked, against skopeo
# copy to an OCI layout plus umoci unpack of it (issue 14's target: <= 0.5).
#
#   bench/pull/run.sh [HUSK] [RUNS]     (default build/husk, 5 runs)
#
# The image: the busybox rootfs plus 4 layers of 8 MiB of incompressible
# data each (5 layers), pushed with skopeo to Debian's docker-registry on
# 127.0.0.1.  Each run starts from an empty store / layout.  The last line
# is the ratio of the medians, husk / (skopeo + umoci).
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=${1:-$REPO/build/husk}
RUNS=${2:-5}
T=$(mktemp -d /tmp/husk-bench-pull.XXXXXX)
cleanup() {
	[ -f "$T/reg.pid" ] && kill "$(cat "$T/reg.pid")" 2>/dev/null && wait "$(cat "$T/reg.pid")" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: %s\n' \
	"$T" "$REG" >"$T/config.yml"
docker-registry serve "$T/config.yml" >"$T/reg.log" 2>&1 &
echo $! >"$T/reg.pid"
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.05; done

sh "$REPO/scripts/make-rootfs.sh" "$T/rootfs"
umoci init --layout "$T/oci"
umoci new --image "$T/oci:img"
umoci unpack --image "$T/oci:img" "$T/b" >/dev/null
cp -a "$T/rootfs/." "$T/b/rootfs/"
umoci repack --image "$T/oci:img" "$T/b" >/dev/null
rm -rf "$T/b"
for i in 1 2 3 4; do
	umoci unpack --image "$T/oci:img" "$T/b" >/dev/null
	head -c $((8 << 20)) /dev/urandom >"$T/b/rootfs/data$i"
	umoci repack --image "$T/oci:img" "$T/b" >/dev/null
	rm -rf "$T/b"
done
umoci config --image "$T/oci:img" --os linux --architecture amd64 --config.cmd /bin/sh
skopeo copy -q --dest-tls-verify=false "oci:$T/oci:img" "docker://$REG/bench:latest"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >"$T/husk.ms"
: >"$T/skopeo.ms"
for r in $(seq "$RUNS"); do
	rm -rf "$T/store"
	sync
	s=$(date +%s%N)
	"$HUSK" --store "$T/store" image pull --insecure "$REG/bench:latest" >/dev/null
	ms "$s" >>"$T/husk.ms"
	rm -rf "$T/lay" "$T/unp"
	sync
	s=$(date +%s%N)
	skopeo copy -q --src-tls-verify=false "docker://$REG/bench:latest" "oci:$T/lay:img"
	umoci unpack --image "$T/lay:img" "$T/unp" >/dev/null
	ms "$s" >>"$T/skopeo.ms"
	echo "run $r: husk $(tail -1 "$T/husk.ms") ms, skopeo+umoci $(tail -1 "$T/skopeo.ms") ms"
done
# A second pull into the full store: no layer is transferred.
s=$(date +%s%N)
"$HUSK" --store "$T/store" image pull --insecure "$REG/bench:latest" >/dev/null
echo "second pull (nothing to fetch): $(ms "$s") ms"
h=$(median <"$T/husk.ms")
k=$(median <"$T/skopeo.ms")
echo "median: husk pull $h ms, skopeo copy + umoci unpack $k ms"
awk -v h="$h" -v k="$k" 'BEGIN { printf "husk/skopeo+umoci: %.3f\n", h / k }'
