#!/bin/bash
# husk image import / load of a tarball against the floor the issue sets:
# `tar -xf` of the same file plus `sha256sum` of it (what any store must at
# least do: unpack once, hash once).  Median of --runs runs each, every run
# into a fresh store / directory on the same filesystem (under /var/tmp
# unless BENCH_DIR says), the two interleaved.  The last line is the ratio.
#
#   bench/image_load/run.sh [--runs N] [--husk PATH] [--mb SIZE]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=7
MB=64
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	--mb) MB=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--husk PATH] [--mb SIZE]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-load.XXXXXX")
trap 'rm -rf --one-file-system "$W"' EXIT

# The input: the busybox rootfs of scripts/make-rootfs.sh plus MB of files
# of random content in 1 MiB pieces and a thousand small files, as a
# rootfs tar (podman export's shape).
"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
mkdir -p "$W/rootfs/data" "$W/rootfs/small"
for i in $(seq "$MB"); do head -c 1048576 /dev/urandom >"$W/rootfs/data/f$i"; done
for i in $(seq 1000); do echo "file $i" >"$W/rootfs/small/s$i"; done
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
rm -rf "$W/rootfs"
SIZE=$(stat -c %s "$W/rootfs.tar")

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

run_tar() {
	rm -rf "$W/x"; mkdir "$W/x"; sync
	local t=$(date +%s%N)
	tar -C "$W/x" -xf "$W/rootfs.tar" && sha256sum "$W/rootfs.tar" >/dev/null
	ms "$t"
}
run_import() {
	rm -rf "$W/store"; sync
	local t=$(date +%s%N)
	"$HUSK" --store "$W/store" image import "$W/rootfs.tar" bench:1 >/dev/null
	ms "$t"
}

run_tar >/dev/null; run_import >/dev/null   # page cache warm for both
# Interleaved, the order of each pair random: load on the machine hits both.
: >"$W/tar.ms"; : >"$W/imp.ms"
for i in $(seq "$RUNS"); do
	if [ $((RANDOM % 2)) = 0 ]; then
		run_tar >>"$W/tar.ms"; run_import >>"$W/imp.ms"
	else
		run_import >>"$W/imp.ms"; run_tar >>"$W/tar.ms"
	fi
done
tar_ms=$(median <"$W/tar.ms")
imp_ms=$(median <"$W/imp.ms")
echo "input: $SIZE bytes (rootfs tar), $RUNS runs, median, on $(df -T "$W" | awk 'NR == 2 { print $2 }')"
echo "tar -xf + sha256sum:   $tar_ms ms"
echo "husk image import:     $imp_ms ms"
awk -v a="$imp_ms" -v b="$tar_ms" 'BEGIN { printf "ratio husk import / (tar -xf + sha256sum): %.2f (target <= 1.0)\n", a / b }'
