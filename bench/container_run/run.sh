#!/bin/bash
# `husk container run --rm IMAGE /bin/true` against `podman run --rm` of the
# same image (runc, overlay storage, --network none, a private root) and
# against husk's own `run` of a prepared bundle.  The image is
# scripts/make-rootfs.sh's busybox rootfs, imported by each tool.  Median
# of --runs runs each; the last line holds the ratios.  --rootless (as
# root) adds the rootless engine and rootless podman (rootless.sh), whose
# ratios are then the last line.
#
#   bench/container_run/run.sh [--runs N] [--husk PATH] [--rootless]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=21
ROOTLESS=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	--rootless) ROOTLESS=1; shift ;;
	*) echo "usage: $0 [--runs N] [--husk PATH] [--rootless]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-crun.XXXXXX")
cleanup() {
	[ -n "${PODMAN:-}" ] && $PODMAN rm -af >/dev/null 2>&1 || true
	[ -n "${PODMAN:-}" ] && $PODMAN system reset -f >/dev/null 2>&1 || true
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
H="$HUSK --root $W/state --store $W/store"
$H image import "$W/rootfs.tar" bench >/dev/null
mkdir -p "$W/bundle"
cp -a "$W/rootfs" "$W/bundle/rootfs"
$HUSK spec --bundle "$W/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$W/bundle/config.json" >"$W/c" &&
	mv "$W/c" "$W/bundle/config.json"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
us() { echo $((($(date +%s%N) - $1) / 1000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

time_n() {  # time_n CMD...: median microseconds of RUNS runs
	local i t
	for i in $(seq "$RUNS"); do
		t=$(date +%s%N)
		"$@" </dev/null >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
		us "$t"
	done | median
}

engine() { $H container run --rm bench /bin/true; }
bundle() { $H run --bundle "$W/bundle" "b$RANDOM$RANDOM"; }
engine >/dev/null   # warm: page cache, the short links
bundle >/dev/null
t_engine=$(time_n engine)
t_bundle=$(time_n bundle)
echo "husk container run --rm IMAGE /bin/true: $t_engine us (median of $RUNS)"
echo "husk run of a prepared bundle:           $t_bundle us"

t_podman=
if command -v podman >/dev/null && command -v runc >/dev/null; then
	# A private podman: its own root, runroot, overlay storage, runc,
	# cgroupfs, no journald (the VM has no systemd), rlimits it may set.
	mkdir -p "$W/podman"
	cat >"$W/podman/containers.conf" <<-CONF
	[containers]
	default_ulimits = []   # none: podman as root would raise nproc/nofile, which this host refuses
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	runtime = "runc"
	CONF
	export CONTAINERS_CONF=$W/podman/containers.conf
	PODMAN="podman --root $W/podman/root --runroot $W/podman/run --storage-driver overlay --runtime $(command -v runc)"
	if $PODMAN import "$W/rootfs.tar" localhost/bench >/dev/null 2>&1; then
		podman_run() { $PODMAN run --rm --network none localhost/bench /bin/true; }
		podman_run >/dev/null 2>&1 || true
		t_podman=$(time_n podman_run) || t_podman=
	fi
fi
if [ -n "$t_podman" ]; then
	echo "podman run --rm (runc, overlay):         $t_podman us"
	awk -v e="$t_engine" -v b="$t_bundle" -v p="$t_podman" 'BEGIN {
		printf "ratios: engine/podman %.3f (target <= 0.1), engine/bundle %.2f (target <= 2)\n", e / p, e / b }'
else
	echo "podman: not available here"
	awk -v e="$t_engine" -v b="$t_bundle" 'BEGIN {
		printf "ratios: engine/podman n/a, engine/bundle %.2f (target <= 2)\n", e / b }'
fi
# shellcheck source=rootless.sh
[ -z "$ROOTLESS" ] || . "$(dirname "$0")/rootless.sh"
