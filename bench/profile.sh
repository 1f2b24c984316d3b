#!/bin/sh
# A profile of `husk run` of /bin/true (not part of the test suite):
# strace -c of husk, crun and runc, a per-phase split of husk's run from
# perf trace (or strace -f -ttt) logs (bench/phases.py), and perf.
#
#   bench/profile.sh [RUNS]        (default 15 strace'd runs for the split)
#
# Like bench/run.sh it runs in a private mount namespace with
# /sys/fs/cgroup/unified unmounted there (crun 1.8.1 refuses hybrid hosts).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "profile: must run as root" >&2; exit 1; }
command -v strace >/dev/null || { echo "profile: strace missing (apt-get install strace)" >&2; exit 1; }
[ -x "$repo/build/husk" ] || ninja -C "$repo/build" >/dev/null
runs=${1:-15}
exec unshare --mount --propagation private -- sh -eu -c '
	repo=$1 runs=$2
	! mountpoint -q /sys/fs/cgroup/unified || umount /sys/fs/cgroup/unified
	tmp=$(mktemp -d /run/husk-profile.XXXXXX)
	trap "for rt in husk crun runc; do for c in \$(ls \$tmp/state-\$rt 2>/dev/null); do \$rt --root \$tmp/state-\$rt delete -f \$c >/dev/null 2>&1 || true; done; done; rm -rf \$tmp" EXIT INT TERM
	mkdir "$tmp/bundle"
	(cd "$tmp/bundle" && runc spec)
	"$repo/scripts/make-rootfs.sh" "$tmp/bundle/rootfs"
	python3 - "$tmp/bundle/config.json" <<PY
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
	husk=$repo/build/husk
	for rt in husk crun runc; do
		bin=$rt; [ $rt = husk ] && bin=$husk
		strace -f -c -S calls -o "$tmp/c-$rt" "$bin" --root "$tmp/state-$rt" run --bundle "$tmp/bundle" prof-c >/dev/null
		echo "== strace -c -f, $rt run of /bin/true: $(tail -1 "$tmp/c-$rt" | awk "{print \$4, \"syscalls,\", \$5, \"failed\"}")"
		sed -n "3,14p" "$tmp/c-$rt" | awk "{printf \"   %-18s %6s calls\n\", \$NF, \$4}"
	done
	# perf trace (tracepoints) slows the syscalls far less than strace (ptrace).
	tracer="strace -f -ttt -o"
	perf trace -o "$tmp/probe" -- true >/dev/null 2>&1 && tracer="perf trace -f -o"
	i=0
	while [ $i -lt "$runs" ]; do
		$tracer "$tmp/t-$i" "$husk" --root "$tmp/state-husk" run --bundle "$tmp/bundle" prof-$i >/dev/null
		i=$((i + 1))
	done
	echo "== husk run, phases ($tracer)"
	python3 "$repo/bench/phases.py" "$tmp"/t-*
	if perf stat -e instructions true 2>&1 | grep -q "not supported"; then
		echo "== perf: instructions not countable here (no PMU); cpu-clock samples instead"
		perf record -q -e cpu-clock -F 4000 -g -o "$tmp/perf.data" -- sh -c "
			for i in \$(seq 30); do $husk --root $tmp/state-husk run --bundle $tmp/bundle perf-\$i; done" >/dev/null 2>&1
		echo "   samples of the husk processes by object (percent of all samples):"
		perf report -i "$tmp/perf.data" --no-children --sort comm,dso -q -g none 2>/dev/null | grep " husk " | head -6
		echo "   kernel entry points under all samples (children included):"
		perf report -i "$tmp/perf.data" --comm husk --children --sort sym -q -g none 2>/dev/null |
			grep -E "__do_sys|__x64_sys|exit_mmap|dup_mmap|_dl_relocate|json_tokener" | head -14
	else
		perf stat -e instructions:u,instructions:k -- "$husk" --root "$tmp/state-husk" run --bundle "$tmp/bundle" perf-1
	fi
' sh "$repo" "$runs"
