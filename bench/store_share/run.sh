#!/bin/bash
# 100 containers from one image: the store grows by the containers' own
# writes only.  One busybox image is imported into a fresh store, N
# containers are run from it (each writes one file of W bytes and stays,
# exited), and `du -sbx` of the store, of layers/ and blobs/ and of every
# container's upper dir are taken before and after.
#
#   bench/store_share/run.sh [--husk PATH] [-n N] [--write-bytes W]
#                            [--store DIR --image NAME]   (an existing store)
#
# Prints the growth of each part, the containers' own writes (the files
# they wrote, and their upper dirs as du counts them), the metadata husk
# keeps per container, and what N copies of the image would have taken.
# Needs root; everything lives under a temporary directory, removed at
# the end (also on error or Ctrl-C).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUSK=$REPO/build/husk N=100 W=1000 STORE= IMAGE=
while [ $# -gt 0 ]; do
	case $1 in
	--husk) HUSK=$2; shift 2 ;;
	-n) N=$2; shift 2 ;;
	--write-bytes) W=$2; shift 2 ;;
	--store) STORE=$2; shift 2 ;;
	--image) IMAGE=$2; shift 2 ;;
	*) echo "usage: $0 [--husk PATH] [-n N] [--write-bytes W] [--store DIR --image NAME]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build" >/dev/null
T=$(mktemp -d /tmp/husk-bench-share.XXXXXX)
ROOT=$T/state
own_store=0
if [ -z "$STORE" ]; then
	STORE=$T/store IMAGE=localhost/bench-share own_store=1
fi
hk() { "$HUSK" --root "$ROOT" --store "$STORE" "$@"; }

cleanup() {
	local i
	set +e +o pipefail   # (grep finding no mount is not a failure here)
	for i in $(seq 1 "$N"); do
		hk container rm -f "share$$-$i" >/dev/null 2>&1 || true
	done
	grep -F "$T" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT INT TERM

if [ "$own_store" = 1 ]; then
	sh "$REPO/scripts/make-rootfs.sh" "$T/rootfs" >/dev/null
	tar --numeric-owner -C "$T/rootfs" -cf "$T/rootfs.tar" .
	hk image import "$T/rootfs.tar" "$IMAGE" >/dev/null
fi

size() { [ -e "$1" ] && du -sbx "$1" | cut -f1 || echo 0; }
total0=$(size "$STORE") layers0=$(size "$STORE/layers") blobs0=$(size "$STORE/blobs")
ctrs0=$(size "$STORE/containers")
image_bytes=$(( layers0 ))

t0=$(date +%s%N)
for i in $(seq 1 "$N"); do
	hk container run --network none --name "share$$-$i" "$IMAGE" \
		sh -c "head -c $W /dev/zero > /f" </dev/null >/dev/null
done
t1=$(date +%s%N)

total1=$(size "$STORE") layers1=$(size "$STORE/layers") blobs1=$(size "$STORE/blobs")
ctrs1=$(size "$STORE/containers")
# Each container's own writes: its upper dir (/f, and whatever the runtime
# made in the rootfs: mount points, /etc/hostname...).
upper=0 written=0
for d in "$STORE"/containers/*/upper; do
	[ -d "$d" ] || continue
	upper=$(( upper + $(size "$d") ))
	[ -f "$d/f" ] && written=$(( written + $(stat -c %s "$d/f") ))
done
n_up=$(ls -d "$STORE"/containers/*/upper 2>/dev/null | wc -l)

first=$(ls -d "$STORE"/containers/*/upper 2>/dev/null | head -1)
growth=$(( total1 - total0 ))
echo "husk: $("$HUSK" --version | head -1)"
echo "containers run: $N (found $n_up upper dirs), $(( (t1 - t0) / 1000000 / N )) ms each"
printf '%-44s %12s\n' "what" "bytes"
printf '%-44s %12d\n' "image (layers/ before)" "$image_bytes"
printf '%-44s %12d\n' "store growth, total" "$growth"
printf '%-44s %12d\n' "  layers/ growth" $(( layers1 - layers0 ))
printf '%-44s %12d\n' "  blobs/ growth" $(( blobs1 - blobs0 ))
printf '%-44s %12d\n' "  containers/ growth" $(( ctrs1 - ctrs0 ))
printf '%-44s %12d\n' "containers' files written (N x W)" "$written"
printf '%-44s %12d\n' "containers' upper dirs (du -sb, with dirs)" "$upper"
printf '%-44s %12d\n' "husk's metadata per container" $(( (ctrs1 - ctrs0 - upper) / N ))
printf '%-44s %12d\n' "N copies of the image (no sharing)" $(( N * image_bytes ))
[ -n "$first" ] && echo "one container's upper dir: $(cd "$first" && find . -mindepth 1 -printf '%P(%y,%s) ' )"
if [ "$(( layers1 - layers0 ))" -eq 0 ] && [ "$(( blobs1 - blobs0 ))" -eq 0 ] && [ "$written" -eq $(( N * W )) ]; then
	echo "result: shared: the image's layers did not grow; growth/N-copies = $(awk -v g="$growth" -v c="$(( N * image_bytes ))" 'BEGIN { printf "%.4f", g / c }')"
else
	echo "result: NOT shared: layers/ or blobs/ grew, or a container's write is missing"
	exit 1
fi
