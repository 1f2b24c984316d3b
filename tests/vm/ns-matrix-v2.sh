# shellcheck shell=sh
# Sourced by cgroup-v2.sh after rootless-v2.sh (its check/ok/bad, $HUSK,
# $B's rootfs, and rootless-v2.sh's ha/$RB): the /proc writes of
# tests/integration/ns_matrix.bats on the guest's Debian kernel, where
# root has CAP_SYS_RESOURCE (a negative oomScoreAdj) and, when enabled,
# AppArmor (/proc/self/attr).  Needs jq (tests/run.sh passes it).

NM=/tmp/nm-bundle
mkdir -p $NM
ln -sfn $B/rootfs $NM/rootfs
for a in tr sed cut hostname; do ln -sf busybox $B/rootfs/bin/$a; done
# mount points made as the host's root: the root of a user namespace that
# maps 0 elsewhere may not create them in a rootfs the host's root owns
mkdir -p $B/rootfs/proc $B/rootfs/sys $B/rootfs/dev
"$HUSK" spec --bundle $NM
mv $NM/config.json $NM/config.json.orig
NM_SCRIPT='for f in /proc/self/uid_map /proc/self/oom_score_adj /proc/self/timens_offsets /proc/sys/kernel/msgmax \
	/proc/sys/fs/mqueue/msg_max /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/domainname; do
	echo "$f=$(tr -s " \t\n" "   " <$f | sed "s/^ //; s/ $//")"; done; echo "hostname=$(hostname)"
	echo "uptime=$(cut -d. -f1 /proc/uptime)"; echo "attr=$(cat /proc/self/attr/current 2>/dev/null)"'
# nm_run ID MAP_JSON EXTRA_JQ: runs $NM with a new user namespace of that
# mapping, a time namespace with offsets, sysctls of every namespaced kind
# and EXTRA_JQ; the output in /tmp/nm.out.
nm_run() {
	jq --argjson map "$2" --arg s "$NM_SCRIPT" '.process.terminal = false | .process.args = ["sh", "-c", $s]
		| .linux.namespaces += [{"type": "user"}, {"type": "time"}, {"type": "cgroup"}]
		| .linux.uidMappings = $map | .linux.gidMappings = $map
		| .linux.timeOffsets = {"monotonic": {"secs": 3600, "nanosecs": 0}, "boottime": {"secs": 864000, "nanosecs": 0}}
		| .hostname = "nm" | .linux.cgroupsPath = "/husk-v2/nm"
		| .linux.sysctl = {"kernel.msgmax": "9001", "fs.mqueue.msg_max": "21",
			"net.ipv4.ip_unprivileged_port_start": "1234", "kernel.domainname": "nm.example"}
		| .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)
		| '"$3" $NM/config.json.orig >$NM/config.json
	up0=$(cut -d. -f1 /proc/uptime)
	"$HUSK" --root $R run -b $NM "$1" >/tmp/nm.out 2>&1
	nm_rc=$?
	nm_up=$(( $(sed -n 's/^uptime=//p' /tmp/nm.out) - up0 ))
}
nm_has() { grep -qxF "$1" /tmp/nm.out; }
nm_checks() { # nm_checks NAME UID_MAP OOM
	check "$1: runs (rc $nm_rc)" test $nm_rc -eq 0
	check "$1: uid_map $2" nm_has "/proc/self/uid_map=$2"
	check "$1: oom_score_adj $3" nm_has "/proc/self/oom_score_adj=$3"
	check "$1: timens_offsets" nm_has "/proc/self/timens_offsets=monotonic 3600 0 boottime 864000 0"
	check "$1: boottime offset in /proc/uptime ($nm_up)" test "$nm_up" -ge 864000 -a "$nm_up" -le 864002
	check "$1: ipc sysctl" nm_has "/proc/sys/kernel/msgmax=9001"
	check "$1: mqueue sysctl" nm_has "/proc/sys/fs/mqueue/msg_max=21"
	check "$1: net sysctl" nm_has "/proc/sys/net/ipv4/ip_unprivileged_port_start=1234"
	check "$1: uts sysctl and hostname" eval 'nm_has "/proc/sys/kernel/domainname=nm.example" && nm_has hostname=nm'
	[ $nm_rc -eq 0 ] || cat /tmp/nm.out
}

# 1. 0 100000 65536, a negative oomScoreAdj
nm_run nm1 '[{"containerID": 0, "hostID": 100000, "size": 65536}]' '.process.oomScoreAdj = -456'
nm_checks "userns 0 100000 65536" "0 100000 65536" -456
# 2. one id
nm_run nm2 '[{"containerID": 0, "hostID": 100000, "size": 1}]' '.process.oomScoreAdj = 222'
nm_checks "userns of one id" "0 100000 1" 222
# 3. AppArmor's /proc/self/attr/apparmor/exec, in a user namespace
if grep -qx Y /sys/module/apparmor/parameters/enabled 2>/dev/null; then
	nm_run nm3 '[{"containerID": 0, "hostID": 100000, "size": 65536}]' '.process.apparmorProfile = "unconfined"'
	check "userns + apparmorProfile unconfined (rc $nm_rc)" test $nm_rc -eq 0
	check "userns + apparmorProfile: attr/current" nm_has "attr=unconfined"
	[ $nm_rc -eq 0 ] || cat /tmp/nm.out
else
	echo "ok - userns + apparmorProfile # skip AppArmor is not enabled in the guest"
fi

# 4. rootless (rootless-v2.sh's rla, its own single-id mapping): a time
# namespace with offsets, oomScoreAdj above its own, net and uts sysctls
jq --arg s "$NM_SCRIPT" '.process.terminal = false | .process.args = ["sh", "-c", $s] | .hostname = "rl"
	| .linux.namespaces = ([.linux.namespaces[] | select(.type != "network" and .type != "uts")]
		+ [{"type": "time"}, {"type": "network"}, {"type": "uts"}])
	| .linux.timeOffsets = {"monotonic": {"secs": 3600, "nanosecs": 0}, "boottime": {"secs": 864000, "nanosecs": 0}}
	| .process.oomScoreAdj = 333 | .linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "1234", "kernel.domainname": "rl.example"}' \
	$RB/config.json.orig >$RB/config.json
chown 1000:1000 $RB/config.json
up0=$(cut -d. -f1 /proc/uptime)
ha run -b $RB nm4 >/tmp/nm.out 2>&1
nm_rc=$?
nm_up=$(( $(sed -n 's/^uptime=//p' /tmp/nm.out) - up0 ))
check "rootless + time offsets: runs (rc $nm_rc)" test $nm_rc -eq 0
check "rootless: timens_offsets" nm_has "/proc/self/timens_offsets=monotonic 3600 0 boottime 864000 0"
check "rootless: boottime offset in /proc/uptime ($nm_up)" test "$nm_up" -ge 864000 -a "$nm_up" -le 864002
check "rootless: oom_score_adj 333" nm_has "/proc/self/oom_score_adj=333"
check "rootless: net and uts sysctls" eval 'nm_has "/proc/sys/net/ipv4/ip_unprivileged_port_start=1234" && nm_has "/proc/sys/kernel/domainname=rl.example"'
[ $nm_rc -eq 0 ] || cat /tmp/nm.out
