#!/bin/bash
# husk image import / load of a tarball against the floor the issue sets:
# `tar -xf` of the same file plus `sha256sum` of it (what any store must at
# least do: unpack once, hash once).  Median of --runs runs each, every run
# into a fresh store / directory on the same filesystem (under /var/tmp
# unless BENCH_DIR says), the sides interleaved in a random order per round.
#
# --load: `husk image load` of a docker-archive and of an OCI archive (both
# written by `husk image save` from the imported image; one uncompressed
# layer) instead of import.  Their floor: `tar -xf` of the layer's content
# (the rootfs tar) plus `sha256sum` of the archive.  --old PATH: a second
# husk (e.g. main's build) timed in the same rounds.  The last line is the
# ratio (of the first husk).
#
#   bench/image_load/run.sh [--runs N] [--husk PATH] [--old PATH] [--mb SIZE] [--load]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=7
MB=64
OLD=
LOAD=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	--old) OLD=$2; shift 2 ;;
	--mb) MB=$2; shift 2 ;;
	--load) LOAD=1; shift ;;
	*) echo "usage: $0 [--runs N] [--husk PATH] [--old PATH] [--mb SIZE] [--load]" >&2; exit 2 ;;
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

# The sides: name, then the command (run from a fresh store / directory).
SIDES=(tar)
if [ -n "$LOAD" ]; then
	"$HUSK" --store "$W/prep" image import "$W/rootfs.tar" bench:1 >/dev/null
	"$HUSK" --store "$W/prep" image save -o "$W/docker.tar" bench:1
	"$HUSK" --store "$W/prep" image save --format oci-archive -o "$W/oci.tar" bench:1
	rm -rf "$W/prep"
	SIDES+=(docker oci)
	[ -z "$OLD" ] || SIDES+=(docker-old oci-old)
else
	SIDES+=(import)
	[ -z "$OLD" ] || SIDES+=(import-old)
fi

side() {
	local h=$HUSK
	case $1 in *-old) h=$OLD ;; esac
	case $1 in
	tar) tar -C "$W/x" -xf "$W/rootfs.tar" && sha256sum "$W/${FLOOR_OF:-rootfs.tar}" >/dev/null ;;
	import*) "$h" --store "$W/store" image import "$W/rootfs.tar" bench:1 >/dev/null ;;
	docker*) "$h" --store "$W/store" image load "$W/docker.tar" >/dev/null ;;
	oci*) "$h" --store "$W/store" image load "$W/oci.tar" >/dev/null ;;
	esac
}
# The floor hashes the archive a load reads (the docker one; the OCI
# archive is the same size within a few kB).
[ -z "$LOAD" ] || FLOOR_OF=docker.tar

run_side() {
	rm -rf "$W/store" "$W/x"; mkdir "$W/x"; sync
	local t=$(date +%s%N)
	side "$1"
	ms "$t"
}

for s in "${SIDES[@]}"; do run_side "$s" >/dev/null; : >"$W/$s.ms"; done   # page cache warm
for i in $(seq "$RUNS"); do
	for s in $(printf '%s\n' "${SIDES[@]}" | shuf); do
		run_side "$s" >>"$W/$s.ms"
	done
done
echo "input: $SIZE bytes (rootfs tar), $RUNS runs, median, on $(df -T "$W" | awk 'NR == 2 { print $2 }')"
for s in "${SIDES[@]}"; do
	printf '%-12s %6d ms\n' "$s" "$(median <"$W/$s.ms")"
done
tar_ms=$(median <"$W/tar.ms")
ratios=
for s in "${SIDES[@]:1}"; do
	ratios="$ratios $s $(awk -v a="$(median <"$W/$s.ms")" -v b="$tar_ms" 'BEGIN { printf "%.2f", a / b }')"
done
echo "ratio husk / (tar -xf + sha256sum):$ratios (target <= 1.0)"
