#!/usr/bin/env python3
"""Splits traces of `husk run` (`perf trace` or `strace -f -ttt`) into phases
and prints the median time and syscall count of each over all the logs.

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
Times are taken under the tracer, which makes every syscall slower (strace
far more than perf trace): read them as shares of the whole.
"""
import re
import statistics
import sys

STRACE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")
PERF = re.compile(r"^\s*(\d+\.\d+) \(\s*[\d.]+ ms\): \S+?/(\d+) (.*)$")


def read_log(path):
    """(pid, seconds, "name(args) = ret") of each completed syscall, from
    strace -f -ttt or perf trace output."""
    rows = []
    with open(path) as f:
        for line in f:
            m = STRACE.match(line)
            if m:
                rows.append((int(m.group(1)), float(m.group(2)), m.group(3)))
                continue
            m = PERF.match(line)
            if m:
                rows.append((int(m.group(2)), float(m.group(1)) / 1000, m.group(3)))
    return [r for r in rows if not r[2].startswith(("<...", "+++", "---"))]


def name(text):
    return text.split("(", 1)[0]


def ret(text):
    tail = text.rsplit("=", 1)
    words = tail[1].split() if len(tail) == 2 else []
    try:
        return int(words[0], 0) if words else None
    except ValueError:
        return None


def phases(path):
    rows = read_log(path)
    if not rows:
        return None
    parent = rows[0][0]
    marks = [("start", rows[0][1])]

    def first(pred, after):
        for pid, t, text in rows:
            if t >= after and pred(pid, text):
                return t
        return None
    # Syscall names and results only, so that both tracers' logs split alike.
    seen = {"stack": False}

    def after_libc_start(p, s):
        if p == parent and name(s) == "prlimit64":
            seen["stack"] = True
        return seen["stack"] and p == parent and name(s) == "openat"
    steps = [
        ("parse", after_libc_start),
        ("state", lambda p, s: p == parent and name(s) == "mkdirat"),
        ("namespaces", lambda p, s: p == parent and name(s) == "clone3"),
        ("cgroups", lambda p, s: p == parent and name(s) == "getdents64"),
        ("mounts", lambda p, s: p != parent and name(s) == "mount"),
        ("process", lambda p, s: p != parent and name(s) == "prlimit64"),
        ("exec", lambda p, s: p != parent and name(s) == "execve"),
        ("teardown", lambda p, s: p == parent and name(s) == "wait4" and (ret(s) or 0) > 0),
    ]
    t = marks[0][1]
    for step, pred in steps:
        found = first(pred, t)
        if found is None:
            return None
        marks.append((step, found))
        t = found
    end = rows[-1][1]
    out = {}
    for i, (step, t0) in enumerate(marks):
        t1 = marks[i + 1][1] if i + 1 < len(marks) else end
        # The clone3 itself belongs to namespaces although its completion
        # is logged late.
        out[step] = [t1 - t0, sum(1 for _, t, _s in rows if t0 <= t < t1)]
    out["total"] = [end - marks[0][1], len(rows)]
    return out


def main():
    runs = [p for p in (phases(f) for f in sys.argv[1:]) if p]
    if not runs:
        sys.exit("phases: no log could be split")
    print("%-11s %10s %8s %9s   (median of %d traced runs)" % ("phase", "ms", "share", "syscalls", len(runs)))
    total = statistics.median(r["total"][0] for r in runs)
    for step in runs[0]:
        ms = statistics.median(r[step][0] for r in runs)
        n = statistics.median(r[step][1] for r in runs)
        print("%-11s %10.2f %7.0f%% %9d" % (step, ms * 1000, 100 * ms / total, n))


if __name__ == "__main__":
    main()
