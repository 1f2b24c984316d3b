#!/usr/bin/env python3
"""husk against crun and runc, side by side (run by bench/run.sh).

Every figure comes from timing the runtime's whole process from outside:
wall time from just before the spawn to just after wait4(), and the
user + system CPU time and peak resident set the kernel reports for it.
The runtimes are interleaved (A B C, then B C A, ...) so that a drift in
the machine's speed hits each of them alike.
"""
import argparse
import json
import os
import random
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CGROOT = "/sys/fs/cgroup"
DEVNULL = os.open(os.devnull, os.O_RDWR)


class BenchError(Exception):
    pass


class Sample:
    __slots__ = ("wall", "cpu", "rss", "rc")

    def __init__(self, wall, cpu, rss, rc):
        self.wall, self.cpu, self.rss, self.rc = wall, cpu, rss, rc


def spawn(argv, errfile, env=None):
    """Runs argv with stdin/stdout on /dev/null and stderr into errfile;
    returns its wall seconds, CPU seconds, peak RSS (KiB) and exit code."""
    err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        fa = [(os.POSIX_SPAWN_DUP2, DEVNULL, 0), (os.POSIX_SPAWN_DUP2, DEVNULL, 1),
              (os.POSIX_SPAWN_DUP2, err, 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, env or os.environ, file_actions=fa)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
    finally:
        os.close(err)
    return Sample(t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status))


class Runtime:
    def __init__(self, name, binary, tmp):
        self.name = name
        self.binary = binary
        self.root = os.path.join(tmp, "state-" + name)
        os.makedirs(self.root)
        self.errfile = os.path.join(tmp, "stderr-" + name)

    def argv(self, *args):
        return [self.binary, "--root", self.root, *args]

    def call(self, *args, check=True, errfile=None):
        s = spawn(self.argv(*args), errfile or self.errfile)
        if check and s.rc != 0:
            raise BenchError("%s %s: exit %d: %s" % (self.name, " ".join(args), s.rc,
                                                    read_tail(errfile or self.errfile)))
        return s

    def ids(self):
        return sorted(os.listdir(self.root)) if os.path.isdir(self.root) else []


def read_tail(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip().splitlines()[-1:][0] if f else ""
    except (OSError, IndexError):
        return ""


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def rounds(names, n, warmup):
    """The interleaving: each round runs every name once, the order rotated
    and then shuffled so that no runtime always follows the same one."""
    rng = random.Random(8)
    for r in range(warmup + n):
        order = names[r % len(names):] + names[:r % len(names)]
        if r % 2:
            rng.shuffle(order)
        yield r, r < warmup, order


class Bench:
    def __init__(self, args):
        self.args = args
        # /run, where the runtimes keep their state by default (a tmpfs),
        # holds the state directories and bundle as well.
        self.tmp = tempfile.mkdtemp(prefix="husk-bench.", dir="/run" if os.path.isdir("/run") else None)
        self.prefix = "hb%d" % os.getpid()
        self.rts = [Runtime("husk", args.husk, self.tmp), Runtime("crun", "crun", self.tmp),
                    Runtime("runc", "runc", self.tmp)]
        self.summary = []
        self.memcgs = []
        self.seq = 0

    def newid(self, tag):
        self.seq += 1
        return "%s-%s-%d" % (self.prefix, tag, self.seq)

    # ---- set-up -------------------------------------------------------
    def make_bundles(self):
        """One rootfs; bundle/ runs /bin/true, sleeper/ runs sleep. The
        config is runc's default spec with terminal off, used unchanged by
        every runtime."""
        b = os.path.join(self.tmp, "bundle")
        os.makedirs(b)
        subprocess.run(["runc", "spec"], cwd=b, check=True)
        subprocess.run([os.path.join(REPO, "scripts", "make-rootfs.sh"), os.path.join(b, "rootfs")], check=True)
        with open(os.path.join(b, "config.json")) as f:
            cfg = json.load(f)
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = ["/bin/true"]
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        s = os.path.join(self.tmp, "sleeper")
        os.makedirs(s)
        cfg["process"]["args"] = ["/bin/sleep", "100000"]
        cfg["root"]["path"] = os.path.join(b, "rootfs")
        with open(os.path.join(s, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        self.bundle, self.sleeper, self.rootfs = b, s, os.path.join(b, "rootfs")
        self.namespaces = [n["type"] for n in cfg["linux"]["namespaces"]]

    # ---- clean-up -----------------------------------------------------
    def cleanup(self):
        for rt in self.rts:
            for cid in rt.ids():
                spawn(rt.argv("delete", "--force", cid), os.path.join(self.tmp, "cleanup.err"))
        self.sweep_cgroups()
        for d in self.memcgs:
            try:
                os.rmdir(d)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sweep_cgroups(self):
        """Removes any cgroup named after this run's ids, in every hierarchy
        (each runtime puts a container without cgroupsPath somewhere else)."""
        for hier in os.listdir(CGROOT):
            top = os.path.join(CGROOT, hier)
            if os.path.islink(top) or not os.path.isdir(top):
                continue
            found = []
            for dirpath, dirnames, _ in os.walk(top):
                for d in dirnames:
                    if d.startswith(self.prefix):
                        found.append(os.path.join(dirpath, d))
                if dirpath.count("/") - top.count("/") >= 3:
                    dirnames[:] = []
            for d in sorted(found, key=len, reverse=True):
                try:
                    os.rmdir(d)
                except OSError:
                    pass

    # ---- reporting ----------------------------------------------------
    def table(self, title, data, unit="ms", scale=1000.0, fmt="%.1f"):
        """data: name -> list of values. Prints median, IQR, min, max and the
        ratios of husk's median to the others'."""
        print("\n## " + title)
        print("%-8s %10s %21s %10s %10s  %s" % ("", "median", "IQR (p25-p75)", "min", "max", "n"))
        med = {}
        for name, xs in data.items():
            m = statistics.median(xs)
            med[name] = m
            print("%-8s %10s %10s-%-10s %10s %10s  %d %s" % (
                name, fmt % (m * scale), fmt % (pct(xs, .25) * scale), fmt % (pct(xs, .75) * scale),
                fmt % (min(xs) * scale), fmt % (max(xs) * scale), len(xs), unit))
        return med

    def ratios(self, key, med):
        r = {o: med["husk"] / med[o] for o in ("crun", "runc") if o in med and med[o] > 0}
        print("ratio    " + "  ".join("husk/%s %.2f" % (o, v) for o, v in r.items()))
        self.summary.append((key, r))
        return r

    # ---- scenarios ----------------------------------------------------
    def floor_argv(self):
        flags = {"mount": "--mount", "uts": "--uts", "ipc": "--ipc", "network": "--net",
                 "pid": "--pid", "cgroup": "--cgroup", "user": "--user"}
        return ["unshare"] + [flags[n] for n in self.namespaces] + ["--fork", "--root=" + self.rootfs, "/bin/true"]

    def s_run(self):
        """1. run of /bin/true, fresh id, removed by run itself; 6. the
        unshare floor interleaved with it; 4. the peak RSS of those runs."""
        a = self.args
        wall = {rt.name: [] for rt in self.rts}
        cpu = {rt.name: [] for rt in self.rts}
        wall["floor"], cpu["floor"] = [], []
        by = {rt.name: rt for rt in self.rts}
        floor = self.floor_argv()
        for _, warm, order in rounds(list(by) + ["floor"], a.runs, a.warmup):
            for name in order:
                if name == "floor":
                    s = spawn(floor, os.path.join(self.tmp, "stderr-floor"))
                    if s.rc != 0:
                        raise BenchError("floor %s: exit %d: %s" % (" ".join(floor), s.rc,
                                                                    read_tail(os.path.join(self.tmp, "stderr-floor"))))
                else:
                    cid = self.newid("run")
                    s = by[name].call("run", "--bundle", self.bundle, cid)
                    if cid in by[name].ids():
                        raise BenchError("%s run left %s behind" % (name, cid))
                if not warm:
                    wall[name].append(s.wall)
                    cpu[name].append(s.cpu)
        print("\nfloor: " + " ".join(floor))
        med = self.table("1. run of /bin/true, sequential (wall)", wall)
        self.ratios("run", med)
        cmed = self.table("   the same runs, user+system CPU of the runtime process", cpu)
        self.ratios("run-cpu", cmed)
        print("\n## 6. own time above the unshare floor (median run - median floor)")
        own = {n: med[n] - med["floor"] for n in by}
        owncpu = {n: cmed[n] - cmed["floor"] for n in by}
        for n in by:
            print("%-8s %8.1f ms wall %8.1f ms cpu" % (n, own[n] * 1000, owncpu[n] * 1000))
        self.ratios("own-over-floor", own)
        self.ratios("own-over-floor-cpu", owncpu)
    def s_rss(self):
        """4a. peak RSS of the runtime process during run. GNU time forks a
        small child that execs the runtime and reports its ru_maxrss: the
        largest of the runtime and the processes it waited for. (The timing
        runs above are spawned with vfork, whose ru_maxrss would start at
        the benchmark's own size.)"""
        by = {rt.name: rt for rt in self.rts}
        rss = {n: [] for n in by}
        out = os.path.join(self.tmp, "rss")
        for _, warm, order in rounds(list(by), max(5, self.args.runs // 4), 1):
            for name in order:
                cid = self.newid("rss")
                s = spawn(["/usr/bin/time", "-f", "%M", "-o", out] + by[name].argv("run", "--bundle", self.bundle, cid),
                          by[name].errfile)
                if s.rc != 0:
                    raise BenchError("%s run under time: exit %d: %s" % (name, s.rc, read_tail(by[name].errfile)))
                with open(out) as f:
                    kib = int(f.read().split()[-1])
                if not warm:
                    rss[name].append(kib)
        med = self.table("4a. peak RSS during run (ru_maxrss of the runtime and what it waited for)", rss,
                         unit="KiB", scale=1, fmt="%.0f")
        self.ratios("peak-rss", med)

    def s_lifecycle(self):
        """2. create + start + wait for the exit + delete, timed as one."""
        a = self.args
        wall = {rt.name: [] for rt in self.rts}
        cpu = {rt.name: [] for rt in self.rts}
        by = {rt.name: rt for rt in self.rts}
        pidfile = os.path.join(self.tmp, "pid")
        for _, warm, order in rounds(list(by), a.runs, a.warmup):
            for name in order:
                rt = by[name]
                cid = self.newid("csd")
                t0 = time.perf_counter()
                s1 = rt.call("create", "--bundle", self.bundle, "--pid-file", pidfile, cid)
                with open(pidfile) as f:
                    pid = int(f.read())
                pfd = os.pidfd_open(pid)
                try:
                    s2 = rt.call("start", cid)
                    if not select.select([pfd], [], [], 30)[0]:
                        raise BenchError("%s: container %s did not exit" % (name, cid))
                finally:
                    os.close(pfd)
                s3 = rt.call("delete", cid)
                t1 = time.perf_counter()
                if not warm:
                    wall[name].append(t1 - t0)
                    cpu[name].append(s1.cpu + s2.cpu + s3.cpu)
        med = self.table("2. create + start + wait + delete of /bin/true (wall)", wall)
        self.ratios("create-start-delete", med)
        cmed = self.table("   the same, user+system CPU of the three runtime processes", cpu)
        self.ratios("create-start-delete-cpu", cmed)

    def s_exec(self):
        """3. exec of /bin/true into a running container (sleep)."""
        a = self.args
        by = {rt.name: rt for rt in self.rts}
        ids = {}
        for rt in self.rts:
            ids[rt.name] = cid = self.newid("exec")
            rt.call("create", "--bundle", self.sleeper, cid)
            rt.call("start", cid)
        wall = {n: [] for n in by}
        cpu = {n: [] for n in by}
        for _, warm, order in rounds(list(by), a.runs, a.warmup):
            for name in order:
                s = by[name].call("exec", ids[name], "/bin/true")
                if not warm:
                    wall[name].append(s.wall)
                    cpu[name].append(s.cpu)
        for rt in self.rts:
            rt.call("delete", "--force", ids[rt.name])
        med = self.table("3. exec of /bin/true into a running container (wall)", wall)
        self.ratios("exec", med)
        cmed = self.table("   the same, user+system CPU", cpu)
        self.ratios("exec-cpu", cmed)

    def memcg(self, tag):
        d = os.path.join(CGROOT, "memory", "%s-%s" % (self.prefix, tag))
        os.mkdir(d)
        self.memcgs.append(d)
        return d

    def run_in_limit(self, rt, limit):
        """One run with the runtime process in a fresh memory cgroup limited
        to limit bytes; True when it succeeded."""
        d = self.memcg("mem%d" % limit)
        try:
            with open(os.path.join(d, "memory.limit_in_bytes"), "w") as f:
                f.write(str(limit))
            cid = self.newid("mem")
            argv = ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', d] + rt.argv("run", "--bundle", self.bundle, cid)
            s = spawn(argv, rt.errfile)
            ok = s.rc == 0
            if cid in rt.ids():
                ok = False
                spawn(rt.argv("delete", "--force", cid), rt.errfile)
            return ok
        finally:
            self.sweep_cgroups()
            for _ in range(50):
                try:
                    os.rmdir(d)
                    self.memcgs.remove(d)
                    break
                except OSError:
                    time.sleep(0.02)

    def s_memlimit(self):
        """4b. the smallest memory.limit_in_bytes (cgroup v1, the runtime
        process placed in it) under which run succeeds three times in a
        row, to 64 KiB, found by bisection."""
        step = 64 * 1024
        res = {}
        for rt in self.rts:
            lo, hi = 0, 64 * 1024 * 1024
            if not all(self.run_in_limit(rt, hi) for _ in range(3)):
                raise BenchError("%s: run fails even with a 64 MiB limit" % rt.name)
            while hi - lo > step:
                mid = (lo + hi) // 2 // step * step
                if all(self.run_in_limit(rt, mid) for _ in range(3)):
                    hi = mid
                else:
                    lo = mid
            res[rt.name] = hi
        print("\n## 4b. smallest memory limit under which run succeeds (runtime in a v1 memory cgroup)")
        for n, v in res.items():
            print("%-8s %8d KiB" % (n, v // 1024))
        self.ratios("memory-limit", res)

    def s_parallel(self):
        """5a. 100 containers created and deleted, two at a time."""
        a = self.args
        by = {rt.name: rt for rt in self.rts}
        wall = {n: [] for n in by}
        for _, warm, order in rounds(list(by), a.par_runs, 1):
            for name in order:
                rt = by[name]
                errors = []
                ids = [self.newid("par") for _ in range(a.par_count)]

                def worker(mine, k):
                    try:
                        ef = rt.errfile + ".w%d" % k
                        for cid in mine:
                            rt.call("create", "--bundle", self.bundle, cid, errfile=ef)
                            rt.call("delete", cid, errfile=ef)
                    except BaseException as e:  # reported below
                        errors.append(e)
                t0 = time.perf_counter()
                ts = [threading.Thread(target=worker, args=(ids[k::2], k)) for k in range(2)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                t1 = time.perf_counter()
                if errors:
                    raise BenchError(str(errors[0]))
                if not warm:
                    wall[name].append(t1 - t0)
        med = self.table("5a. %d containers created and deleted, 2 in parallel (wall, whole batch)" % a.par_count,
                         wall, unit="s", scale=1, fmt="%.2f")
        self.ratios("create-delete-x%d-par2" % a.par_count, med)

    def s_list(self):
        """5b. list with N created containers present (each runtime's N)."""
        a = self.args
        by = {rt.name: rt for rt in self.rts}
        for rt in self.rts:
            ids = [self.newid("list") for _ in range(a.list_count)]
            errors = []

            def worker(mine, k, rt=rt):
                try:
                    for cid in mine:
                        rt.call("create", "--bundle", self.bundle, cid, errfile=rt.errfile + ".w%d" % k)
                except BaseException as e:
                    errors.append(e)
            ts = [threading.Thread(target=worker, args=(ids[k::2], k)) for k in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            if errors:
                raise BenchError(str(errors[0]))
        wall = {n: [] for n in by}
        for _, warm, order in rounds(list(by), a.runs, a.warmup):
            for name in order:
                s = by[name].call("list")
                if not warm:
                    wall[name].append(s.wall)
        for rt in self.rts:
            ids = rt.ids()

            def worker(mine, k, rt=rt):
                for cid in mine:
                    spawn(rt.argv("delete", "--force", cid), rt.errfile + ".w%d" % k)
            ts = [threading.Thread(target=worker, args=(ids[k::2], k)) for k in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        med = self.table("5b. list with %d containers present (wall)" % a.list_count, wall)
        self.ratios("list-%d" % a.list_count, med)

    def s_perf(self):
        """Instruction counts of run, where perf can count them."""
        p = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u,instructions:k", "true"],
                           capture_output=True, text=True) if shutil.which("perf") else None
        if p is None or p.returncode != 0 or "not supported" in p.stderr or "<not" in p.stderr:
            print("\n## instruction counts: perf stat -e instructions does not work on this machine "
                  "(no PMU in this VM); CPU times above stand in for them")
            return
        by = {rt.name: rt for rt in self.rts}
        res = {n: [] for n in by}
        out = os.path.join(self.tmp, "perf.csv")
        for _, warm, order in rounds(list(by), max(5, self.args.runs // 3), 1):
            for name in order:
                cid = self.newid("perf")
                subprocess.run(["perf", "stat", "-x,", "-o", out, "-e", "instructions:u,instructions:k", "--"] +
                               by[name].argv("run", "--bundle", self.bundle, cid),
                               stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, check=True)
                total = 0
                with open(out) as f:
                    for line in f:
                        parts = line.split(",")
                        if len(parts) > 2 and parts[0].isdigit():
                            total += int(parts[0])
                if not warm:
                    res[name].append(total)
        med = self.table("instructions retired by run (user + kernel, perf stat)", res, unit="Minstr",
                         scale=1e-6, fmt="%.2f")
        self.ratios("run-instructions", med)

    def main(self):
        a = self.args
        print("# husk vs crun vs runc, %s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
        for rt in self.rts:
            v = subprocess.run([rt.binary, "--version"], capture_output=True, text=True).stdout.splitlines()
            print("%-5s %s: %s" % (rt.name, shutil.which(rt.binary) or rt.binary, v[0] if v else "?"))
        print("machine: %d cores, load %s" % (os.cpu_count(), open("/proc/loadavg").read().split()[0]))
        print("note: " + os.environ.get("HUSK_BENCH_NS_NOTE", "not run through bench/run.sh"))
        print("runs: %d measured after %d warm-up, interleaved; times are wall ms of the whole runtime "
              "process unless marked" % (a.runs, a.warmup))
        self.make_bundles()
        steps = {"run": self.s_run, "rss": self.s_rss, "lifecycle": self.s_lifecycle, "exec": self.s_exec,
                 "memlimit": self.s_memlimit, "parallel": self.s_parallel, "list": self.s_list,
                 "perf": self.s_perf}
        for name in a.only or steps:
            steps[name]()
        # The targets, on husk/crun medians of this run.
        targets = {"run": 0.7, "create-start-delete": 0.8, "exec": 0.8, "peak-rss": 1.0, "own-over-floor": 0.5}
        got = dict(self.summary)
        verdict = ["%s %.2f %s %.2f" % (k, got[k]["crun"], "<=" if got[k]["crun"] <= t else "MISSES", t)
                   for k, t in targets.items() if k in got and "crun" in got[k]]
        if verdict:
            print("\ntargets (husk/crun): " + "; ".join(verdict))
        print()
        print("RATIOS husk/crun husk/runc (< 1: husk ahead): " + "; ".join(
            "%s %s" % (k, " ".join("%.2f" % v for v in r.values())) for k, r in self.summary))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--husk", default=os.path.join(REPO, "build", "husk"))
    ap.add_argument("--runs", type=int, default=40, help="measured repetitions per scenario")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--par-count", type=int, default=100)
    ap.add_argument("--par-runs", type=int, default=3)
    ap.add_argument("--list-count", type=int, default=500)
    ap.add_argument("--only", nargs="*", choices=["run", "rss", "lifecycle", "exec", "memlimit", "parallel", "list", "perf"])
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: must run as root")

    def stop(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    # SIGINT too: a shell starting this in the background sets it ignored.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    b = Bench(args)
    try:
        b.main()
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted, cleaning up", file=sys.stderr)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        b.cleanup()


if __name__ == "__main__":
    main()
