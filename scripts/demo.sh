#!/bin/sh
# Installs what husk needs, builds it, assembles a busybox root filesystem,
# runs a container from it as an OCI bundle, then as an image: imported into
# a store (unpacked once) and run twice from that one copy over overlayfs.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
bundle=${HUSK_DEMO_BUNDLE:-/tmp/husk-demo}
store=${HUSK_DEMO_STORE:-/tmp/husk-demo-store}
rm -rf "$bundle"
mkdir -p "$bundle"
scripts/make-rootfs.sh "$bundle/rootfs"

echo "== the runtime: husk run of a bundle"
build/husk spec --bundle "$bundle"
# A non-interactive command instead of runc's default interactive shell.
sed -i -e 's/"terminal": true/"terminal": false/' \
       -e 's/"sh"$/"sh", "-c", "echo hostname: $(hostname); id; ps"/' "$bundle/config.json"
build/husk run --bundle "$bundle" "husk-demo-$$"

echo "== the engine: the same root filesystem as an image in a store"
if [ -d "$store" ]; then build/husk --store "$store" image rm -f busybox:demo >/dev/null 2>&1 || true; fi
tar -C "$bundle/rootfs" -cf - . | build/husk --store "$store" image import - busybox:demo
build/husk --store "$store" image ls
for n in 1 2; do
	build/husk --store "$store" container run --rm --name "demo$n-$$" busybox:demo \
		sh -c "echo container $n: \$(hostname), layers: \$(grep -c lowerdir /proc/self/mountinfo) overlay mount; echo $n > /mine; ls /mine"
done
echo "layers unpacked in the store (one copy, shared by both): $(ls "$store/layers" | wc -l)"
