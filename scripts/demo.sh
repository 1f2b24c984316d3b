#!/bin/sh
# Installs what husk needs, builds it, assembles a busybox bundle and runs a
# container in it that prints its hostname, its identity and its processes.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
bundle=${HUSK_DEMO_BUNDLE:-/tmp/husk-demo}
rm -rf "$bundle"
mkdir -p "$bundle"
scripts/make-rootfs.sh "$bundle/rootfs"
build/husk spec --bundle "$bundle"
# A non-interactive command instead of runc's default interactive shell.
sed -i -e 's/"terminal": true/"terminal": false/' \
       -e 's/"sh"$/"sh", "-c", "echo hostname: $(hostname); id; ps"/' "$bundle/config.json"
build/husk run --bundle "$bundle" "husk-demo-$$"
