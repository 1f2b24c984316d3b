#!/bin/bash
# husk build against buildah bud of the same 3-step Containerfile (RUN,
# COPY, RUN) from the same busybox image, runs interleaved so that the
# machine's load hits both: husk build --no-cache; buildah with vfs storage
# and chroot isolation; buildah with overlay storage (isolation chroot:
# no network or runtime setup of its own).  Then a rebuild of a 10-step
# file with nothing changed (all cached).  Medians of --runs runs; the
# last line holds the ratios (targets: build <= 0.2x each buildah,
# rebuild <= 50 ms).
#
#   bench/build/run.sh [--runs N] [--husk PATH]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--husk PATH]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
command -v buildah >/dev/null || { echo "buildah is not installed" >&2; exit 1; }
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-build.XXXXXX")
cleanup() {
	for d in vfs overlay; do
		buildah --root "$W/b-$d/root" --runroot "$W/b-$d/run" --storage-driver "$d" rm -a >/dev/null 2>&1 || true
		umount -R "$W/b-$d/root/overlay" 2>/dev/null || true
	done
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
"$HUSK" --store "$W/store" image import "$W/rootfs.tar" localhost/bb >/dev/null
"$HUSK" --store "$W/store" image save --format oci-archive -o "$W/bb.tar" localhost/bb
for d in vfs overlay; do
	buildah --root "$W/b-$d/root" --runroot "$W/b-$d/run" --storage-driver "$d" \
		pull -q "oci-archive:$W/bb.tar" >/dev/null
	buildah --root "$W/b-$d/root" --runroot "$W/b-$d/run" --storage-driver "$d" \
		tag "$(buildah --root "$W/b-$d/root" --runroot "$W/b-$d/run" --storage-driver "$d" images -q | head -1)" localhost/bb
done
mkdir -p "$W/ctx" "$W/ctx10"
echo payload >"$W/ctx/file"
printf 'FROM localhost/bb\nRUN echo one >/one\nCOPY file /file\nRUN cat /file /one >/both\n' >"$W/ctx/Containerfile"
cp "$W/ctx/file" "$W/ctx10/"
{
	echo 'FROM localhost/bb'
	echo 'RUN echo one >/one'
	echo 'COPY file /file'
	echo 'ENV A=1'
	echo 'RUN cat /file >/two'
	echo 'WORKDIR /w'
	echo 'LABEL x=y'
	echo 'RUN touch /w/three'
	echo 'USER 0'
	echo 'CMD ["sh"]'
} >"$W/ctx10/Containerfile"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run_husk() {
	local t=$(date +%s%N)
	"$HUSK" --store "$W/store" --root "$W/state" build -q --no-cache -t localhost/out "$W/ctx" >/dev/null
	ms "$t"
}
run_buildah() {
	local t=$(date +%s%N)
	buildah --root "$W/b-$1/root" --runroot "$W/b-$1/run" --storage-driver "$1" bud -q \
		--isolation chroot --pull-never -t localhost/out "$W/ctx" >/dev/null
	ms "$t"
}
run_rebuild() {
	local t=$(date +%s%N)
	"$HUSK" --store "$W/store" --root "$W/state" build -q -t localhost/ten "$W/ctx10" >/dev/null
	ms "$t"
}
run_rebuild >/dev/null   # fills the cache
h=() v=() o=() r=()
for i in $(seq "$RUNS"); do
	h+=("$(run_husk)")
	v+=("$(run_buildah vfs)")
	o+=("$(run_buildah overlay)")
	r+=("$(run_rebuild)")
done
H=$(printf '%s\n' "${h[@]}" | median)
V=$(printf '%s\n' "${v[@]}" | median)
O=$(printf '%s\n' "${o[@]}" | median)
R=$(printf '%s\n' "${r[@]}" | median)
echo "3-step build, median of $RUNS: husk ${H} ms, buildah vfs+chroot ${V} ms, buildah overlay+chroot ${O} ms"
echo "10-step rebuild, nothing changed: ${R} ms (target <= 50)"
awk -v h="$H" -v v="$V" -v o="$O" -v r="$R" 'BEGIN {
	printf "ratio husk/buildah-vfs %.2fx, husk/buildah-overlay %.2fx (target <= 0.2x); rebuild %d ms\n",
		h / v, h / o, r }'
