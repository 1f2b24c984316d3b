#!/bin/sh
# husk against crun and runc on this machine (not part of the test suite).
#
#   bench/run.sh                  every scenario, 40 interleaved runs each
#   bench/run.sh --runs 15 --only run exec     a quicker look
#
# Needs root, runc, crun, busybox-static, util-linux and python3; builds
# build/husk when it is missing.  Everything runs in a private mount
# namespace of its own: crun 1.8.1 refuses a hybrid cgroup host, so there
# /sys/fs/cgroup/unified is unmounted (inside that namespace only; the
# host keeps it) and all three runtimes see the same plain cgroup v1 tree.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
for tool in runc crun unshare python3 /bin/busybox /usr/bin/time; do
	command -v "$tool" >/dev/null || {
		echo "bench: $tool missing (apt-get install runc crun util-linux python3 busybox-static time)" >&2; exit 1; }
done
[ -x "$repo/build/husk" ] || { [ -d "$repo/build" ] || meson setup "$repo/build" >/dev/null; ninja -C "$repo/build" >/dev/null; }

exec unshare --mount --propagation private -- sh -c '
	if mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified
		export HUSK_BENCH_NS_NOTE="every runtime runs in a private mount namespace with /sys/fs/cgroup/unified unmounted (crun 1.8.1 refuses this hybrid cgroup host); the host is unchanged"
	else
		export HUSK_BENCH_NS_NOTE="every runtime runs in a private mount namespace (no cgroup2 at /sys/fs/cgroup/unified to hide)"
	fi
	exec python3 -u "$0/bench/bench.py" "$@"' "$repo" "$@"
