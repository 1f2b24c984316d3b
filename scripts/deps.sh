#!/bin/sh
# Installs the Debian packages husk needs: `build` (default) to build it,
# `test` to build and run its tests as well.
set -eu
build="gcc meson ninja-build pkg-config libjson-c-dev libseccomp-dev libsystemd-dev busybox-static"
test="bats jq runc"
case "${1:-build}" in
build) pkgs=$build ;;
test) pkgs="$build $test" ;;
*) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
