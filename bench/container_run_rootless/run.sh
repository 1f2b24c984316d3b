#!/bin/bash
# `husk container run --rm IMAGE /bin/true` as an ordinary user (the
# rootless engine: husk's user namespace over /etc/subuid, the overlay in
# it) against the same as root, and against rootless `podman run --rm` of
# the same image (runc, native overlay storage, --network none).  Run as
# root: it makes a throw-away user with a subordinate range and removes it.
# Median of --runs runs each; the last line holds the ratios.
#
#   bench/container_run_rootless/run.sh [--runs N] [--husk PATH]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=21
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--husk PATH]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (it makes a user)" >&2; exit 2; }
command -v newuidmap >/dev/null || { echo "newuidmap is missing (apt-get install uidmap)" >&2; exit 2; }
[ -x "$HUSK" ] || ninja -C "$REPO/build"
U=hbench$$
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-rl.XXXXXX")
chmod 755 "$W"
cleanup() {
	pkill -9 -U "$U" 2>/dev/null || true
	userdel "$U" 2>/dev/null || true
	sed -i "/^$U:/d" /etc/subuid /etc/subgid
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
useradd -M -d "$W/home" -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$U"
usermod --add-subuids 460000-525535 --add-subgids 460000-525535 "$U"
mkdir -m 700 "$W/home" "$W/run"
chown "$U:" "$W/home" "$W/run"
cp "$HUSK" "$W/husk"
"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" --numeric-owner -cf "$W/rootfs.tar" .
chmod 644 "$W/rootfs.tar"

as_user() {
	setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$W/home" XDG_RUNTIME_DIR="$W/run" "$@"
}
H="$W/husk --root $W/state --store $W/store"
$H image import "$W/rootfs.tar" bench >/dev/null
as_user "$W/husk" image import "$W/rootfs.tar" bench >/dev/null

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
rootless() { as_user "$W/husk" container run --rm bench /bin/true; }
rootful() { $H container run --rm bench /bin/true; }
rootless >/dev/null
rootful >/dev/null
t_rl=$(time_n rootless)
t_root=$(time_n rootful)
echo "husk container run --rm, rootless: $t_rl us (median of $RUNS)"
echo "husk container run --rm, root:     $t_root us"

t_podman=
if command -v podman >/dev/null && command -v runc >/dev/null; then
	P=$W/home/podman
	mkdir -p "$P"
	cat >"$P/containers.conf" <<-CONF
	[containers]
	netns = "none"
	default_ulimits = []
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$W/run/events.log"
	CONF
	printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run/storage"\ngraphroot = "%s/storage"\n' "$W" "$P" >"$P/storage.conf"
	chown -R "$U:" "$P"
	pm() {
		as_user env CONTAINERS_CONF="$P/containers.conf" CONTAINERS_STORAGE_CONF="$P/storage.conf" \
			XDG_CONFIG_HOME="$P/cfg" XDG_DATA_HOME="$P/data" podman --runtime "$(command -v runc)" "$@"
	}
	if pm import "$W/rootfs.tar" localhost/bench >/dev/null 2>&1; then
		podman_run() { pm run --rm --network none localhost/bench /bin/true; }
		podman_run >/dev/null 2>&1 && t_podman=$(time_n podman_run) || t_podman=
	fi
	pm system reset -f >/dev/null 2>&1 || true
fi
if [ -n "$t_podman" ]; then
	echo "podman run --rm, rootless (runc, overlay): $t_podman us"
	awk -v l="$t_rl" -v r="$t_root" -v p="$t_podman" 'BEGIN {
		printf "ratios: rootless/root %.2f, rootless/podman-rootless %.3f\n", l / r, l / p }'
else
	echo "podman rootless: not available here"
	awk -v l="$t_rl" -v r="$t_root" 'BEGIN { printf "ratios: rootless/root %.2f, rootless/podman-rootless n/a\n", l / r }'
fi
