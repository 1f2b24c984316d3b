#!/bin/bash
# The shim (issue 15) against conmon (podman run -d) and
# containerd-shim-runc-v2 (ctr run -d), side by side in one run:
#   1. memory of N detached `sleep` containers: Pss_Dirty, Pss and Rss of
#      each one's shim process (/proc/PID/smaps_rollup), in total and per
#      container;
#   2. `run -d` of /bin/true: husk container run -d vs podman run -d, start
#      to return, interleaved, median of --runs;
#   3. log throughput: a container writing --log-mib MiB of 100-byte lines
#      to stdout under the shim (CRI log on disk, run -d until wait
#      returns) vs the same producer piped to a file by cat; the
#      container's and the shim's CPU time.
# Private podman and containerd (own roots, runc, no network, no journald),
# everything removed at the end.  The last line holds the ratios.
#
#   bench/shim/run.sh [-n CONTAINERS] [--runs N] [--log-mib MIB] [--husk PATH]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HUSK=$REPO/build/husk
N=100
RUNS=15
LOG_MIB=1024
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--log-mib) LOG_MIB=$2; shift 2 ;;
	--husk) HUSK=$2; shift 2 ;;
	*) echo "usage: $0 [-n CONTAINERS] [--runs N] [--log-mib MIB] [--husk PATH]" >&2; exit 2 ;;
	esac
done
[ -x "$HUSK" ] || ninja -C "$REPO/build"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/husk-bench-shim.XXXXXX")
NS=huskbench$$
CTD_PID=
cleanup() {
	set +e
	for c in $($H container ls -a -q 2>/dev/null); do $H container rm -f "$c" >/dev/null 2>&1; done
	if [ -n "${PODMAN:-}" ]; then
		$PODMAN rm -af -t 0 >/dev/null 2>&1
		$PODMAN system reset -f >/dev/null 2>&1
	fi
	if [ -n "$CTD_PID" ]; then
		for t in $($CTR task ls -q 2>/dev/null); do $CTR task kill -s KILL "$t" >/dev/null 2>&1; done
		sleep 0.5
		for t in $($CTR task ls -q 2>/dev/null); do $CTR task delete -f "$t" >/dev/null 2>&1; done
		for c in $($CTR container ls -q 2>/dev/null); do $CTR container delete "$c" >/dev/null 2>&1; done
		kill "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
	fi
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l 2>/dev/null
	for cg in /sys/fs/cgroup/*/"$NS"; do [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null; done
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

"$REPO/scripts/make-rootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
H="$HUSK --root $W/state --store $W/store"
$H image import "$W/rootfs.tar" bench >/dev/null

# A private podman (clients.md): its own root, runroot, tmp, static dir,
# file locks (not the host's /dev/shm/libpod_lock), runc, cgroupfs.
PODMAN=
if command -v podman >/dev/null && command -v conmon >/dev/null; then
	P=$W/podman
	mkdir -p "$P"
	cat >"$P/containers.conf" <<-CONF
	[containers]
	netns = "none"
	default_ulimits = []
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$P/events.log"
	lock_type = "file"
	tmp_dir = "$P/tmp"
	static_dir = "$P/root/libpod"
	volume_path = "$P/volumes"
	runtime = "runc"
	[network]
	network_config_dir = "$P/networks"
	CONF
	export CONTAINERS_CONF=$P/containers.conf
	PODMAN="podman --root $P/root --runroot $P/run --storage-driver overlay"
	$PODMAN import "$W/rootfs.tar" localhost/bench >/dev/null 2>&1 || PODMAN=
fi

# A private containerd (clients.md); ctr runs --rootfs of the same tree.
CTR=
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
	C=$W/ctd
	mkdir -p "$C"
	cat >"$C/config.toml" <<-CONF
	version = 2
	root = "$C/root"
	state = "$C/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$C/containerd.sock"
	[ttrpc]
	  address = "$C/containerd.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$C/opt"
	CONF
	containerd --config "$C/config.toml" >"$C/containerd.log" 2>&1 &
	CTD_PID=$!
	CTR="ctr --address $C/containerd.sock -n $NS"
	for i in $(seq 100); do $CTR version >/dev/null 2>&1 && break; sleep 0.05; done
	$CTR version >/dev/null 2>&1 || CTR=
fi

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# smaps PID...: total kB of Rss, Pss, Pss_Dirty over the pids
smaps() {
	local p
	for p; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '
		$1 == "Rss:" { r += $2 } $1 == "Pss:" { p += $2 } $1 == "Pss_Dirty:" { d += $2 }
		END { printf "%d %d %d\n", r, p, d }'
}
report() {  # report NAME COUNT RSS PSS PSS_DIRTY
	awk -v n="$1" -v c="$2" -v r="$3" -v p="$4" -v d="$5" 'BEGIN {
		if (c == 0) { printf "%-26s none found\n", n; exit }
		printf "%-26s %3d  total Rss %8.1f MiB  Pss %7.1f MiB  Pss_Dirty %7.1f MiB;  per container Rss %6d kB  Pss %5d kB  Pss_Dirty %5d kB\n",
			n, c, r / 1024, p / 1024, d / 1024, r / c, p / c, d / c }'
}

echo "# husk shim vs conmon vs containerd-shim-runc-v2, $(date -u '+%F %T UTC')"
echo "husk: $($HUSK --version | head -1); podman: $(podman --version 2>/dev/null || echo none); conmon: $(conmon --version 2>/dev/null | head -1 || echo none); containerd: $(containerd --version 2>/dev/null | awk '{print $3}' || echo none); runc: $(runc --version 2>/dev/null | head -1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); $N containers; $RUNS runs"

## 1. memory
sync   # a freshly built binary's page-cache pages count as dirty until written back
echo
echo "## 1. memory of $N detached sleep containers (smaps_rollup of each shim)"
for i in $(seq "$N"); do $H container run -d --name "s$i" bench sleep 100000 >/dev/null; done
sleep 2   # the shims' idle buffers given back
pids=$(for d in "$W"/store/containers/*/; do jq -r .state.shimPid "$d/meta.json"; done)
read -r hr hp hd < <(smaps $pids)
hc=$(echo "$pids" | wc -w)
report "husk-shim" "$hc" "$hr" "$hp" "$hd"
for i in $(seq "$N"); do $H container rm -f "s$i" >/dev/null; done

cr=0 cp=0 cd=0 cc=0
if [ -n "$PODMAN" ]; then
	for i in $(seq "$N"); do $PODMAN run -d --name "p$i" localhost/bench sleep 100000 >/dev/null; done
	sleep 2
	pids=$(pgrep -f "^/usr/bin/conmon .*$W" || true)
	read -r cr cp cd < <(smaps $pids)
	cc=$(echo "$pids" | wc -w)
	report "conmon" "$cc" "$cr" "$cp" "$cd"
	$PODMAN rm -af -t 0 >/dev/null 2>&1
fi
kr=0 kp=0 kd=0 kc=0
if [ -n "$CTR" ]; then
	for i in $(seq "$N"); do $CTR run -d --runc-root "$W/ctd/runc" --fifo-dir "$W/ctd/fifo" \
		--rootfs "$W/rootfs" "k$i" /bin/sleep 100000 >/dev/null; done
	sleep 2
	pids=$(pgrep -f "containerd-shim-runc-v2 -namespace $NS " || true)
	read -r kr kp kd < <(smaps $pids)
	kc=$(echo "$pids" | wc -w)
	report "containerd-shim-runc-v2" "$kc" "$kr" "$kp" "$kd"
	for t in $($CTR task ls -q); do $CTR task kill -s KILL "$t" >/dev/null 2>&1; done
	sleep 1
	for t in $($CTR task ls -q); do $CTR task delete -f "$t" >/dev/null 2>&1; done
	for c in $($CTR container ls -q); do $CTR container delete "$c" >/dev/null 2>&1; done
fi

## 2. run -d latency
echo
echo "## 2. run -d of /bin/true, start to return (us), interleaved"
th=() tp=()
$H container run -d bench /bin/true >/dev/null
[ -n "$PODMAN" ] && $PODMAN run -d localhost/bench /bin/true >/dev/null
# Each tool is timed on a quiet machine: what the previous run left working
# in the background (husk's shim recording the exit, podman's conmon and its
# `podman container cleanup`) is waited for (at most 5 s) before the next
# timed start, or on 2 cores it would be charged to the other tool.
quiesce() {
	local n=0
	while pgrep -f -- "$W" >/dev/null && [ $n -lt 250 ]; do sleep 0.02; n=$((n + 1)); done
}
for i in $(seq "$RUNS"); do
	quiesce
	t=$(date +%s%N); $H container run -d bench /bin/true >/dev/null; th+=($((($(date +%s%N) - t) / 1000)))
	if [ -n "$PODMAN" ]; then
		quiesce
		t=$(date +%s%N); $PODMAN run -d localhost/bench /bin/true >/dev/null; tp+=($((($(date +%s%N) - t) / 1000)))
	fi
done
mh=$(printf '%s\n' "${th[@]}" | median)
echo "husk container run -d:  median $mh us (min $(printf '%s\n' "${th[@]}" | sort -n | head -1))"
mp=
if [ -n "$PODMAN" ]; then
	mp=$(printf '%s\n' "${tp[@]}" | median)
	echo "podman run -d (runc):   median $mp us (min $(printf '%s\n' "${tp[@]}" | sort -n | head -1))"
fi
for c in $($H container ls -a -q); do $H container rm -f "$c" >/dev/null; done
[ -n "$PODMAN" ] && $PODMAN rm -af -t 0 >/dev/null 2>&1

## 3. log throughput
echo
echo "## 3. log throughput: $LOG_MIB MiB of 100-byte lines to stdout"
LINE=$(printf '%099d' 0)
BYTES=$((LOG_MIB * 1048576))
PRODUCER="yes $LINE | head -c $BYTES"
clk=$(getconf CLK_TCK)
t=$(date +%s%N)
chroot "$W/rootfs" /bin/sh -c "$PRODUCER" | cat >"$W/base.out"
tb=$((($(date +%s%N) - t) / 1000000))
[ "$(stat -c %s "$W/base.out")" -eq "$BYTES" ] || { echo "the baseline wrote $(stat -c %s "$W/base.out") bytes" >&2; exit 1; }
rm -f "$W/base.out"
echo "producer | cat > file (host, same rootfs):  $tb ms"
t=$(date +%s%N)
id=$($H container run -d bench sh -c "$PRODUCER")
shim=$(jq -r .state.shimPid "$W/store/containers/$id/meta.json")
cg=$(find /sys/fs/cgroup/cpuacct* -maxdepth 3 -type d -name "$id" 2>/dev/null | head -1)
ccpu=0 scpu=0
while kill -0 "$shim" 2>/dev/null; do
	[ -n "$cg" ] && v=$(cat "$cg/cpuacct.usage" 2>/dev/null) && ccpu=$v
	v=$(awk '{ print $14 + $15 }' "/proc/$shim/stat" 2>/dev/null) && scpu=$v
	[ "$(awk '{ print $3 }' "/proc/$shim/stat" 2>/dev/null)" = Z ] && break
	sleep 0.1
	st=$(jq -r .state.status "$W/store/containers/$id/meta.json" 2>/dev/null) || true
	[ "$st" = exited ] && break
done
$H container wait "$id" >/dev/null
ts=$((($(date +%s%N) - t) / 1000000))
log=$W/store/containers/$id/ctr.log
lines=$(wc -l <"$log")
partial=$(grep -c '^[^ ]* stdout P ' "$log" || true)
logsize=$(stat -c %s "$log")
# a line is a 40-byte prefix and its payload; a partial one has a newline added
echo "under the shim (run -d .. wait, CRI log):  $ts ms; log $((logsize / 1048576)) MiB, $lines lines ($partial partial), payload $((logsize - lines * 40 - partial)) bytes (want $BYTES)"
awk -v c="$ccpu" -v s="$scpu" -v k="$clk" 'BEGIN {
	printf "CPU: the container %.2f s (cpuacct), the shim %.2f s (utime+stime)\n", c / 1e9, s / k }'
$H container rm -f "$id" >/dev/null

echo
awk -v hd="$hd" -v hc="$hc" -v cd="$cd" -v cc="$cc" -v kd="$kd" -v kc="$kc" -v mh="$mh" -v mp="${mp:-0}" \
	-v tb="$tb" -v ts="$ts" 'BEGIN {
	h = hd / hc
	printf "ratios: Pss_Dirty husk/conmon %s (target <= 0.5), husk/containerd-shim %s; run -d husk/podman %s (target <= 0.1); log speed shim/file %.2f (target >= 0.8)\n",
		cc ? sprintf("%.2f", h / (cd / cc)) : "n/a", kc ? sprintf("%.3f", h / (kd / kc)) : "n/a",
		mp ? sprintf("%.3f", mh / mp) : "n/a", tb / ts }'
