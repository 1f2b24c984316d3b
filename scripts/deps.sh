#!/bin/sh
# Installs the Debian packages husk needs: `build` (default) to build it,
# `test` to build and run its tests as well.
set -eu
build="gcc meson ninja-build pkg-config libjson-c-dev libseccomp-dev libsystemd-dev busybox-static clang libbpf-dev go-md2man bash-completion criu libprotobuf-c-dev libarchive-dev libssl-dev nettle-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev zlib1g-dev libxml2-dev libcurl4-openssl-dev libnftables-dev libmnl-dev"
test="bats jq strace python3 iproute2 iptables containernetworking-plugins man-db uidmap libclang-rt-14-dev runc qemu-system-x86 containerd docker.io podman conmon skopeo umoci buildah docker-registry apache2-utils zstd xz-utils libcap2-bin openssl"
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
# containerd and docker.io would start the host's own daemons on install:
# the tests run private ones, so no service starts meanwhile.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
