#!/bin/sh
# What the sealed husk binary costs on run and exec (issue 12.1):
#   bench/exe_seal/run.sh [RUNS]      (default 30)
# Builds build/husk (sealed, the default) and build-noseal/husk
# (-Dexe_seal=false, for this benchmark only) and the memfd-copy probe.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "exe_seal: must run as root" >&2; exit 1; }
command -v runc >/dev/null || { echo "exe_seal: runc missing" >&2; exit 1; }
[ -d "$repo/build" ] || meson setup "$repo/build" >/dev/null
[ -d "$repo/build-noseal" ] || meson setup "$repo/build-noseal" -Dexe_seal=false >/dev/null
ninja -C "$repo/build" husk >/dev/null
ninja -C "$repo/build-noseal" husk >/dev/null
probe=$(mktemp /tmp/memfd_copy.XXXXXX)
trap 'rm -f "$probe"' EXIT
cc -O2 -Wall -o "$probe" "$repo/bench/exe_seal/memfd_copy.c"
python3 -u "$repo/bench/exe_seal/bench.py" "$repo/build/husk" "$repo/build-noseal/husk" "$probe" "${1:-30}"
