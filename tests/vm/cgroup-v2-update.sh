# Sourced by cgroup-v2.sh (its h, config, check, ok, bad): runc's cgroup
# behaviours on a pure v2 host, the v2 side of
# tests/integration/cgroups_update.bats.
CG=/sys/fs/cgroup/husk-v2/c1

# u1. cpu.max under a parent limit: one write of quota and period, which v2
# takes whatever the parent has; a flag alone keeps the other value
echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/husk-v2
echo "50000 100000" >/sys/fs/cgroup/husk-v2/cpu.max
config '["sleep", "60"]' '{"cpu": {"quota": 500000, "period": 1000000}}'
h run -d -b $B u1 </dev/null >/dev/null 2>&1
check "cpu.max from the config under a 50% parent" grep -qx '500000 1000000' $CG/cpu.max
check "update --cpu-period 10000 --cpu-quota 3000" h update --cpu-period 10000 --cpu-quota 3000 u1
check "cpu.max is 3000 10000" grep -qx '3000 10000' $CG/cpu.max
h update --cpu-quota 4000 u1
check "update --cpu-quota alone keeps the period" grep -qx '4000 10000' $CG/cpu.max
h update --cpu-period 20000 u1
check "update --cpu-period alone keeps the quota" grep -qx '4000 20000' $CG/cpu.max
h update --cpu-quota -1 u1
check "update --cpu-quota -1: max" grep -qx 'max 20000' $CG/cpu.max
# rt: no cgroup v2 interface in this kernel: a clear error, nothing changed
if [ -e $CG/cpu.rt_runtime_us ]; then
	ok "rt on v2 # skip this kernel has cpu.rt_runtime_us on cgroup v2"
else
	"$HUSK" --root $R update --cpu-rt-runtime 5000 u1 >/tmp/out 2>&1; rc=$?
	check "update --cpu-rt-runtime refused on v2 (rc $rc)" test $rc -eq 1
	check "the error says why, on one line" sh -c 'test $(wc -l </tmp/out) -eq 1 && grep -q "^husk: .*real-time" /tmp/out'
fi
h delete -f u1
echo "max 100000" >/sys/fs/cgroup/husk-v2/cpu.max

# u2. device rules replaced while a process opens /dev/null in a loop: the
# new program goes on before the old comes off, so no open fails; and
# many updates do not stack programs past the kernel's 64
deny_all='{"allow": false, "access": "rwm"}'
config '["sh", "-c", "while :; do echo >/dev/null || echo LOST; done 2>&1"]' "{\"devices\": [$deny_all]}"
h run -d -b $B u2 </dev/null >/tmp/u2.out 2>&1
sleep 0.5
echo "{\"devices\": [$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]}" >/tmp/more.json
echo "{\"devices\": [$deny_all]}" >/tmp/less.json
n=0
for i in $(seq 1 40); do
	h update -r /tmp/more.json u2 && h update -r /tmp/less.json u2 && n=$((n + 2))
done
check "80 device updates succeed ($n)" test $n -eq 80
check "the container never lost /dev/null" sh -c '! grep -q . /tmp/u2.out'
grep -q . /tmp/u2.out && head -n 3 /tmp/u2.out
check "still running" sh -c "$HUSK --root $R state u2 | grep -q running"
h delete -f u2

# u3. hugetlb, where the guest kernel has the controller
page=$(ls /sys/kernel/mm/hugepages 2>/dev/null | head -n 1)
page=${page#hugepages-}
page=${page%kB}
if ! grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers || [ -z "$page" ]; then
	ok "hugetlb # skip no hugetlb controller or no huge page size in this guest kernel"
else
	[ "$page" -ge 1024 ] && size=$((page / 1024))MB || size=${page}KB
	config '["sleep", "60"]' "{\"hugepageLimits\": [{\"pageSize\": \"$size\", \"limit\": 4194304}]}"
	h run -d -b $B u3 </dev/null >/tmp/out 2>&1 || cat /tmp/out
	check "hugetlb.$size.max" grep -qx 4194304 $CG/hugetlb.$size.max
	if [ -e $CG/hugetlb.$size.rsvd.max ]; then
		check "hugetlb.$size.rsvd.max (as runc)" grep -qx 4194304 $CG/hugetlb.$size.rsvd.max
	else
		ok "hugetlb rsvd # skip no hugetlb.$size.rsvd.max in this kernel"
	fi
	echo "{\"hugepageLimits\": [{\"pageSize\": \"$size\", \"limit\": 8388608}]}" >/tmp/res.json
	h update -r /tmp/res.json u3
	check "update hugetlb.$size.max" grep -qx 8388608 $CG/hugetlb.$size.max
	h delete -f u3
fi

# u4. v1 resources with unified on v2: the v1 keys converted, unified
# written after them (it wins where both say), as runc
config '["sleep", "60"]' '{"memory": {"limit": 33554432}, "pids": {"limit": 20}, "unified": {"memory.max": "50331648", "memory.high": "41943040"}}'
h run -d -b $B u4 </dev/null >/tmp/out 2>&1 || cat /tmp/out
check "unified memory.max wins over memory.limit" grep -qx 50331648 $CG/memory.max
check "unified memory.high written" grep -qx 41943040 $CG/memory.high
check "pids.limit converted" grep -qx 20 $CG/pids.max
h delete -f u4

# u5. an existing cgroup with a process: one warning line, and the run goes on
mkdir -p $CG
sleep 60 &
busy=$!
echo $busy >$CG/cgroup.procs
config '["sleep", "60"]' '{}'
h run -d -b $B u5 </dev/null >/tmp/out 2>&1; rc=$?
check "run in a non-empty cgroup succeeds (rc $rc)" test $rc -eq 0
check "with one warning line" sh -c 'test $(wc -l </tmp/out) -eq 1 && grep -q "warning.*not empty" /tmp/out'
[ $rc -eq 0 ] || cat /tmp/out
check "the other process is left where it was" grep -qx $busy $CG/cgroup.procs
kill $busy; wait $busy 2>/dev/null
h delete -f u5
check "nothing left of u1-u5" sh -c "test ! -d $CG && test -z \"\$(ls $R)\""
