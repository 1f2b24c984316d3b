#!/bin/bash
# bench/hardening/run.sh OLD_HUSK [NEW_HUSK] [RUNS]: `husk run` of `true` with two husk
# binaries, interleaved in random order, on the busybox bundle; what the issue-12 defences
# (fd closing, identity record, /proc checks, console node, binds by fd) cost together.
# The last line is the ratio of the medians, new / old.  BENCH_JQ: a jq filter applied to
# the config as well (e.g. a seccomp profile: `.linux.seccomp = $p` needs BENCH_JQ_ARGS).
set -euo pipefail
old=$1 new=${2:-$(dirname "$0")/../../build/husk} runs=${3:-40}
dir=$(mktemp -d /tmp/husk-bench-hardening.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$(dirname "$0")/../../scripts/make-rootfs.sh" "$dir/rootfs" >/dev/null
(cd "$dir" && "$new" spec && jq ${BENCH_JQ_ARGS:-} '.process.args = ["true"] | .process.terminal = false | '"${BENCH_JQ:-.}" config.json >c && mv c config.json)
exec python3 - "$dir" "$old" "$new" "$runs" <<'PY'
import random, statistics, subprocess, sys, time
d, old, new, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = {"old": [], "new": []}
for i in range(runs):
    for k in random.sample(list(t), 2):
        t0 = time.perf_counter()
        subprocess.run([old if k == "old" else new, "--root", d + "/st", "run", "--bundle", d, "b%d" % i],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        t[k].append((time.perf_counter() - t0) * 1000)
for k, v in t.items():
    print("%s: median %.2f ms, min %.2f ms" % (k, statistics.median(v), min(v)))
print("new/old %.3f" % (statistics.median(t["new"]) / statistics.median(t["old"])))
PY
