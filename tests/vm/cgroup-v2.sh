#!/bin/sh
# Runs inside the pure cgroup v2 guest of shared/vm/run-in-vm.sh (see
# tests/run.sh vm): husk's v2 driver on a real unified hierarchy.
#   run-in-vm.sh --files DIR --bin /path/to/husk -- ./cgroup-v2.sh /path/to/husk
# Prints one line per check and "N passed, M failed" last.
HUSK=${1:?usage: cgroup-v2.sh HUSK}
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # check NAME CMD...
	name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

B=/tmp/bundle R=/tmp/husk-root
h() { "$HUSK" --root $R "$@"; }
mkdir -p $B/rootfs/bin $B/rootfs/etc $B/rootfs/tmp $R
cp /bin/busybox $B/rootfs/bin/busybox
for a in sh sleep cat echo ls mkdir head dd seq true grep; do ln -sf busybox $B/rootfs/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $B/rootfs/etc/passwd
h spec --bundle $B
config() { # config ARGS_JSON RESOURCES_JSON
	# busybox sed: rewrite the args array and add resources with a small awk
	awk -v args="$1" -v res="$2" '
		/"args": \[/ { print "    \"args\": " args ","; skip = 1; next }
		skip && /\]/ { skip = 0; next }
		skip { next }
		/"linux": \{/ { print; print "    \"resources\": " res ","; print "    \"cgroupsPath\": \"/husk-v2/c1\","; next }
		/"namespaces": \[/ { print; print "      { \"type\": \"cgroup\" },"; next }
		/"resources": \{/ { drop = 1 }
		drop { if (/^    \},?$/) drop = 0; next }
		{ print }
	' $B/config.json.orig > $B/config.json
}
sed -e 's/"terminal": true/"terminal": false/' $B/config.json > $B/config.json.orig

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

# 3. pids.max stops a fork bomb
config '["sh", "-c", "for i in $(seq 1 30); do sleep 5 & done; wait"]' '{"pids": {"limit": 10}}'
h run -d -b $B c3 </dev/null >/dev/null 2>&1
sleep 1
n=$(cat /sys/fs/cgroup/husk-v2/c1/pids.current 2>/dev/null)
check "pids.current stays within pids.max ($n)" test "${n:-99}" -le 10
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

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
