#!/bin/bash
# bench/unpack/run.sh [RUNS] [SRC_DIR...]: layer_unpack (tests/tools/unpack-layer) of a layer
# against what it replaces, `tar -xf` of the same file plus `sha256sum` of it, timed side by
# side in random order on one gzip layer and its uncompressed tar.  The layer is a tar of
# SRC_DIR (default /usr/include and the busybox rootfs of scripts/make-rootfs.sh: headers,
# small files, symlinks).  Prints ms per MB of tar for each, and on the last line the ratio
# of the medians, unpack / (tar + sha256sum), over both forms.  TMPDIR=/dev/shm measures the
# CPU side only (no disk).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
shift $(($# > 0 ? 1 : 0))
unpack=$repo/build/tests/tools/unpack-layer
[ -x "$unpack" ] || ninja -C "$repo/build" tests/tools/unpack-layer >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/husk-bench-unpack.XXXXXX")
trap 'rm -rf "$dir"' EXIT
if [ $# -eq 0 ]; then
	"$repo/scripts/make-rootfs.sh" "$dir/src/rootfs" >/dev/null
	cp -a /usr/include "$dir/src/include"
	set -- "$dir/src"
fi
tar --format=posix -cf "$dir/layer.tar" -C "$1" .
gzip -6 -k "$dir/layer.tar"
rm -rf "$dir/src"
exec python3 - "$dir" "$unpack" "$runs" <<'PY'
import os, random, shutil, statistics, subprocess, sys, time
d, unpack, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
mb = os.path.getsize(d + "/layer.tar") / 1e6
blobs = {"tar": d + "/layer.tar", "gzip": d + "/layer.tar.gz"}
def husk(blob, dest):
    with open(blob, "rb") as f:
        subprocess.run([unpack, dest], stdin=f, stdout=subprocess.DEVNULL, check=True)
def tar_sha(blob, dest):
    subprocess.run(["tar", "-xf", blob, "-C", dest], check=True)
    subprocess.run(["sha256sum", blob], stdout=subprocess.DEVNULL, check=True)
tools = {"unpack": husk, "tar+sha256sum": tar_sha}
t = {(k, b): [] for k in tools for b in blobs}
for i in range(runs + 1):
    for k, b in random.sample(list(t), len(t)):
        dest = d + "/dest"
        os.mkdir(dest)
        subprocess.run(["sync"])
        t0 = time.perf_counter()
        tools[k](blobs[b], dest)
        dt = time.perf_counter() - t0
        shutil.rmtree(dest)
        if i > 0:               # the first round warms the page cache
            t[k, b].append(dt * 1000 / mb)
print("layer: %.1f MB tar, %.1f MB gzip; %d runs" % (mb, os.path.getsize(blobs["gzip"]) / 1e6, runs))
for (k, b), v in sorted(t.items()):
    print("%-14s %-5s median %.2f ms/MB, min %.2f ms/MB" % (k, b, statistics.median(v), min(v)))
r = [statistics.median(t["unpack", b]) / statistics.median(t["tar+sha256sum", b]) for b in blobs]
print("ratio unpack/(tar -xf + sha256sum): tar %.3f, gzip %.3f" % tuple(r))
PY
