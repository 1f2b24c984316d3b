#!/bin/sh
# Runs inside the pure cgroup v2 guest of shared/vm/run-in-vm.sh (see
# tests/run.sh vm): husk's v2 driver on a real unified hierarchy.
#   run-in-vm.sh --files DIR --bin /path/to/husk -- ./cgroup-v2.sh /path/to/husk
# Prints one line per check and "N passed, M failed" last.
HUSK=${1:?usage: cgroup-v2.sh HUSK}
. ./tap.sh

B=/tmp/bundle R=/tmp/husk-root
h() { "$HUSK" --root $R "$@"; }
mkdir -p $B/rootfs/bin $B/rootfs/etc $B/rootfs/tmp $R
cp /bin/busybox $B/rootfs/bin/busybox
for a in sh sleep cat echo ls mkdir head dd seq true grep mknod; do ln -sf busybox $B/rootfs/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $B/rootfs/etc/passwd
h spec --bundle $B
config() { # config ARGS_JSON RESOURCES_JSON [DEVICES_JSON]
	# busybox sed: rewrite the args array and add resources with a small awk
	# (the JSON goes through the environment: awk -v would unescape it)
	ARGS=$1 RES=$2 DEVS=${3:-[]} awk '
		BEGIN { args = ENVIRON["ARGS"]; res = ENVIRON["RES"]; devs = ENVIRON["DEVS"] }
		/"args": \[/ { print "    \"args\": " args ","; skip = 1; next }
		skip && /\]/ { skip = 0; next }
		skip { next }
		/"linux": \{/ { print; print "    \"resources\": " res ","; print "    \"devices\": " devs ","
			print "    \"cgroupsPath\": \"/husk-v2/c1\","; next }
		/"namespaces": \[/ { print; print "      { \"type\": \"cgroup\" },"; next }
		/"resources": \{/ { drop = 1 }
		drop { if (/^    \},?$/) drop = 0; next }
		{ print }
	' $B/config.json.orig > $B/config.json
}
# CAP_MKNOD: the device checks below make nodes inside.
sed -e 's/"terminal": true/"terminal": false/' -e 's/"CAP_KILL",/"CAP_KILL", "CAP_MKNOD",/' \
	$B/config.json > $B/config.json.orig

# 1. limits written and visible inside
config '["sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /proc/self/cgroup"]' \
	'{"memory": {"limit": 33554432, "swap": 33554432}, "pids": {"limit": 20}, "cpu": {"shares": 1024, "quota": 50000, "period": 100000}}'
h run -b $B c1 >/tmp/out 2>&1
check "memory.max seen inside" grep -qx 33554432 /tmp/out
check "pids.max seen inside" grep -qx 20 /tmp/out
check "cgroup namespace root" grep -qx '0::/' /tmp/out
[ $fail -eq 0 ] || cat /tmp/out
check "cgroup removed after run" test ! -d /sys/fs/cgroup/husk-v2/c1

# 2. OOM kill under memory.max
config '["sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1"]' '{"memory": {"limit": 16777216, "swap": 16777216}}'
h run -b $B c2 >/dev/null 2>&1; rc=$?
check "allocation over memory.max is killed (rc $rc)" test $rc -eq 137

# 3. pids.max stops a fork bomb (the inner shell dies at its first failed
# fork; the outer one keeps the container, and the sleeps, alive)
config '["sh", "-c", "sh -c \"for i in \\$(seq 1 30); do sleep 5 & done\" 2>/dev/null; sleep 5"]' '{"pids": {"limit": 10}}'
h run -d -b $B c3 </dev/null >/dev/null 2>&1
sleep 1
n=$(cat /sys/fs/cgroup/husk-v2/c1/pids.current 2>/dev/null)
check "pids.current stays within pids.max ($n)" test "${n:-0}" -ge 5 -a "${n:-99}" -le 10
check "pids.events max counted" grep -q "max [1-9]" /sys/fs/cgroup/husk-v2/c1/pids.events
h delete -f c3

# 4. pause and resume
config '["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done"]' '{}'
h run -d -b $B c4 </dev/null >/dev/null 2>&1
sleep 0.3
h pause c4
check "state paused" sh -c "$HUSK --root $R state c4 | grep -q paused"
check "cgroup.freeze is 1" grep -qx 1 /sys/fs/cgroup/husk-v2/c1/cgroup.freeze
h resume c4
check "state running after resume" sh -c "$HUSK --root $R state c4 | grep -q running"
h update --memory 64m --pids-limit 33 c4
check "update memory.max" grep -qx 67108864 /sys/fs/cgroup/husk-v2/c1/memory.max
check "update pids.max" grep -qx 33 /sys/fs/cgroup/husk-v2/c1/pids.max
check "events --stats" sh -c "$HUSK --root $R events --stats c4 | grep -q '\"type\":\"stats\"'"
h delete -f c4
check "cgroup removed after delete -f" test ! -d /sys/fs/cgroup/husk-v2/c1

# 5. device rules: an eBPF program on the cgroup.  Nodes outside the
# devices every container gets: tun (c 10:200) may be made (m) but not
# opened, loop0 (b 7:0) is allowed in full, loop-control (c 10:237) and
# loop1 have no rule; null is one of the defaults.
tun='{"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200}'
loop0='{"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0}'
deny_all='{"allow": false, "access": "rwm"}'
tun_m='{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "m"}'
config '["sh", "-c", "for t in \": <>/dev/net/tun\" \": </dev/loop0\" \": >/dev/null\" \"mknod /dev/t2 c 10 200\" \"mknod /dev/lc c 10 237\" \"mknod /dev/n2 c 1 3 && : >/dev/n2\" \"mknod /dev/loop1 b 7 1\"; do if sh -c \"$t\" 2>/dev/null; then echo \"allowed: $t\"; else echo \"denied: $t\"; fi; done"]' \
	"{\"devices\": [$deny_all, $tun_m, {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 0, \"access\": \"rwm\"}]}" \
	"[$tun, $loop0]"
h run -b $B c5 >/tmp/out 2>&1
check "device rules: open of tun (only m allowed) denied" grep -qx 'denied: : <>/dev/net/tun' /tmp/out
check "device rules: loop0 (b, rwm allowed) opened" grep -qx 'allowed: : </dev/loop0' /tmp/out
check "device rules: null (a default) opened" grep -qx 'allowed: : >/dev/null' /tmp/out
check "device rules: mknod of tun (m allowed)" grep -qx 'allowed: mknod /dev/t2 c 10 200' /tmp/out
check "device rules: mknod of loop-control (no rule) denied" grep -qx 'denied: mknod /dev/lc c 10 237' /tmp/out
check "device rules: mknod and open of null" grep -qx 'allowed: mknod /dev/n2 c 1 3 && : >/dev/n2' /tmp/out
check "device rules: mknod of loop1 (no rule) denied" grep -qx 'denied: mknod /dev/loop1 b 7 1' /tmp/out
grep -q '^allowed' /tmp/out || cat /tmp/out

# 6. update replaces the program (an old one left on would still deny)
config '["sleep", "60"]' "{\"devices\": [$deny_all, $tun_m]}" "[$tun]"
h run -d -b $B c6 </dev/null >/dev/null 2>&1
check "exec: open of tun denied" sh -c "! $HUSK --root $R exec c6 sh -c ': </dev/net/tun' 2>/dev/null"
echo "{\"devices\": [$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rm\"}]}" >/tmp/res.json
h update -r /tmp/res.json c6
check "update allowing rm: tun opened for reading" h exec c6 sh -c ': </dev/net/tun'
check "update allowing rm: tun not for writing" sh -c "! $HUSK --root $R exec c6 sh -c ': >/dev/net/tun' 2>/dev/null"
echo "{\"devices\": [$deny_all]}" >/tmp/res.json
h update -r /tmp/res.json c6
check "update to deny all: tun denied again" sh -c "! $HUSK --root $R exec c6 sh -c ': </dev/net/tun' 2>/dev/null"
check "update to deny all: null still allowed" h exec c6 sh -c ': >/dev/null'
h delete -f c6

# 7. a bad rule: one clear error, nothing left behind
config '["true"]' '{"devices": [{"allow": true, "type": "x", "access": "rwm"}]}'
h run -b $B c7 >/tmp/out 2>&1; rc=$?
check "bad device rule refused (rc $rc)" test $rc -ne 0
check "bad device rule: the error names it" grep -q 'linux.resources.devices\[0\].type' /tmp/out
check "bad device rule: no cgroup left" test ! -d /sys/fs/cgroup/husk-v2/c1
check "bad device rule: no state left" test ! -e $R/c7

# 8. the container process starts in its cgroup (clone3 CLONE_INTO_CGROUP):
# husk runs from a cgroup where it may have no second process, so a clone
# there followed by a move would fail
config '["cat", "/proc/self/cgroup"]' '{}'
mkdir /sys/fs/cgroup/launch
sh -c 'echo $$ >/sys/fs/cgroup/launch/cgroup.procs && echo 1 >/sys/fs/cgroup/launch/pids.max &&
	exec "$0" --root "$1" run -b "$2" c8' "$HUSK" $R $B >/tmp/out 2>&1
check "run with pids.max 1 in husk's cgroup: first command in its cgroup root" grep -qx '0::/' /tmp/out
grep -qx '0::/' /tmp/out || cat /tmp/out
rmdir /sys/fs/cgroup/launch

# 8b. exec --cgroup into sub-cgroups; delete -f with sub-cgroups
. ./exec-cgroup-v2.sh

# 9. update orders, device transitions, hugetlb, unified, a busy cgroup
. ./cgroup-v2-update.sh

# 10. rootless, with a delegated subtree
. ./rootless-v2.sh

# 10b. the engine rootless and with --uidmap, on this kernel
. ./engine-rootless-v2.sh

# 11. the /proc writes in user namespaces (tests/integration/ns_matrix.bats)
. ./ns-matrix-v2.sh

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
