#!/usr/bin/env python3
"""What the sealed husk binary costs (issue 12.1): `run` and `exec` of
/bin/true with husk (sealed), husk built -Dexe_seal=false and runc,
interleaved, whole processes timed with wait4.  bench/exe_seal/run.sh."""
import json, os, random, statistics, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sealed, unsealed, memfd_bin, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tmp = tempfile.mkdtemp(prefix="husk-exe-seal.", dir="/run")
rts = {"sealed": [sealed, "--root", tmp + "/hs"], "unsealed": [unsealed, "--root", tmp + "/hu"],
       "runc": ["runc", "--root", tmp + "/rc"]}
b = tmp + "/bundle"
os.makedirs(b)
subprocess.run(["runc", "spec"], cwd=b, check=True)
subprocess.run([REPO + "/scripts/make-rootfs.sh", b + "/rootfs"], check=True)
cfg = json.load(open(b + "/config.json"))
cfg["process"]["terminal"] = False
cfg["process"]["args"] = ["/bin/true"]
json.dump(cfg, open(b + "/config.json", "w"))
s = tmp + "/sleeper"
os.makedirs(s)
cfg["process"]["args"] = ["/bin/sleep", "100000"]
cfg["root"]["path"] = b + "/rootfs"
json.dump(cfg, open(s + "/config.json", "w"))
null = open(os.devnull, "w")

def timed(argv):
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=null, stderr=null, stdin=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    p.returncode = 0
    if st != 0:
        raise SystemExit("failed: %s" % argv)
    return (time.perf_counter() - t) * 1e3, (ru.ru_utime + ru.ru_stime) * 1e3

def bench(label, make):
    wall = {k: [] for k in rts}; cpu = {k: [] for k in rts}
    for i in range(runs + 2):
        order = list(rts); random.shuffle(order)
        for k in order:
            w, c = timed(make(k, i))
            if i >= 2:
                wall[k].append(w); cpu[k].append(c)
    print("## %s (%d interleaved runs, ms)" % (label, runs))
    med = {}
    for k in rts:
        med[k] = (statistics.median(wall[k]), statistics.median(cpu[k]))
        print("%-9s wall %7.1f (min %6.1f max %7.1f)   cpu %6.1f" % (k, med[k][0], min(wall[k]), max(wall[k]), med[k][1]))
    return med

ids = {}
try:
    run = bench("run of /bin/true", lambda k, i: rts[k] + ["run", "--bundle", b, "es%d-%s-%d" % (os.getpid(), k, i)])
    for k in rts:
        ids[k] = "es%d-%s-sleep" % (os.getpid(), k)
        subprocess.run(rts[k] + ["run", "-d", "--bundle", s, ids[k]], check=True, stdout=null, stderr=null, stdin=subprocess.DEVNULL)
    ex = bench("exec of /bin/true into a running container", lambda k, i: rts[k] + ["exec", ids[k], "/bin/true"])
    memfd = float(subprocess.run([memfd_bin, sealed, "200"], check=True, capture_output=True, text=True).stdout)
    size = os.path.getsize(sealed) / 1024
    print("## memfd copy of the husk binary (%d KiB) into a sealed memfd alone: %.2f ms (median of 200)" % (size, memfd))
    print("## seal cost (sealed - unsealed median): run %.1f ms wall %.1f ms cpu; exec %.1f ms wall %.1f ms cpu" % (
        run["sealed"][0] - run["unsealed"][0], run["sealed"][1] - run["unsealed"][1],
        ex["sealed"][0] - ex["unsealed"][0], ex["sealed"][1] - ex["unsealed"][1]))
    r = lambda m, a, c, j: m[a][j] / m[c][j]
    print("RATIOS sealed/runc sealed/unsealed (wall; cpu): run %.2f %.2f; %.2f %.2f; exec %.2f %.2f; %.2f %.2f" % (
        r(run, "sealed", "runc", 0), r(run, "sealed", "unsealed", 0), r(run, "sealed", "runc", 1), r(run, "sealed", "unsealed", 1),
        r(ex, "sealed", "runc", 0), r(ex, "sealed", "unsealed", 0), r(ex, "sealed", "runc", 1), r(ex, "sealed", "unsealed", 1)))
finally:
    for k, cid in ids.items():
        subprocess.run(rts[k] + ["delete", "-f", cid], stdout=null, stderr=null)
    subprocess.run(["rm", "-rf", tmp])
