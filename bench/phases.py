#!/usr/bin/env python3
"""Splits `strace -f -ttt -T` logs of `husk run` into phases and prints the
median time and syscall count of each over all the logs given.

    bench/phases.py LOG...          (bench/profile.sh makes the logs)

The phase boundaries are the syscalls that open each of husk's steps:
  start      execve of husk, the dynamic loader, libc start-up
  parse      reading and checking config.json (up to the state directory)
  state      the state directory under --root
  namespaces clone3 with the CLONE_NEW* flags (the kernel makes them)
  cgroups    the parent puts the child in its cgroups and writes the limits
  mounts     the child's rootfs, mounts, devices, masked paths, pivot_root
  process    rlimits, capabilities, user, no_new_privs (up to the exec)
  exec       execve of the container's program until it has exited
  teardown   husk reaps it, removes cgroups and state, exits
Times are under strace, which makes every syscall slower: read them as
shares of the whole, not as the speed of a run without strace.
"""
import re
import statistics
import sys

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")


def phases(path):
    rows = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                rows.append((int(m.group(1)), float(m.group(2)), m.group(3)))
    if not rows:
        return None
    parent = rows[0][0]
    marks = [("start", rows[0][1])]

    def first(pred, after):
        for pid, t, text in rows:
            if t >= after and pred(pid, text):
                return t
        return None
    steps = [
        ("parse", lambda p, s: p == parent and 'config.json"' in s and s.startswith("openat(")),
        ("state", lambda p, s: p == parent and s.startswith("mkdirat(") and "~new-" in s),
        ("namespaces", lambda p, s: p == parent and s.startswith("clone3(")),
        ("cgroups", lambda p, s: p == parent and s.startswith("openat(") and '"/sys/fs/cgroup"' in s),
        ("mounts", lambda p, s: p != parent and s.startswith("mount(") and "MS_SLAVE" in s),
        ("process", lambda p, s: p != parent and s.startswith("prlimit64(0, RLIMIT")),
        ("exec", lambda p, s: p != parent and s.startswith("execve(")),
        ("teardown", lambda p, s: p == parent and s.startswith("wait4(") and "WIFEXITED" in s),
    ]
    t = marks[0][1]
    for name, pred in steps:
        found = first(pred, t)
        if found is None:
            return None
        marks.append((name, found))
        t = found
    end = rows[-1][1]
    out = {}
    for i, (name, t0) in enumerate(marks):
        t1 = marks[i + 1][1] if i + 1 < len(marks) else end
        n = sum(1 for _, t, s in rows if t0 <= t < t1 and not s.startswith("<...") and not s.startswith("+++"))
        out[name] = (t1 - t0, n)
    out["total"] = (end - marks[0][1], sum(v[1] for v in out.values()))
    return out


def main():
    runs = [p for p in (phases(f) for f in sys.argv[1:]) if p]
    if not runs:
        sys.exit("phases: no log could be split")
    print("%-11s %10s %8s %9s   (median of %d strace'd runs)" % ("phase", "ms", "share", "syscalls", len(runs)))
    total = statistics.median(r["total"][0] for r in runs)
    for name in runs[0]:
        ms = statistics.median(r[name][0] for r in runs)
        n = statistics.median(r[name][1] for r in runs)
        print("%-11s %10.2f %7.0f%% %9d" % (name, ms * 1000, 100 * ms / total, n))


if __name__ == "__main__":
    main()
