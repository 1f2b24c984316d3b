#!/bin/sh
# Runs inside the QEMU guest of shared/vm/run-in-vm.sh (Debian's kernel, on
# which CRIU works; the Firecracker host kernel fails criu check): husk
# checkpoint and restore of a busybox container with a counter.
#   run-in-vm.sh --modules "... unix_diag ... nf_conntrack_netlink" --files DIR \
#     --bin husk --bin /usr/sbin/criu --bin libcriu.so.2 --bin /usr/sbin/ip ... \
#     -- ./criu.sh /files/husk
# (tests/run.sh's run_vm_criu has the whole list and why each is needed).
# Prints one line per check and "N passed, M failed" last.
HUSK=${1:?usage: criu.sh HUSK}
. ./tap.sh

B=/tmp/bundle R=/tmp/husk-root
h() { "$HUSK" --root $R "$@"; }
status() { h state "$1" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
statepid() { h state "$1" 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
wait_running() { i=0; while [ "$(status "$1")" != running ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; }
count() { cat $B/rootfs/tmp/n 2>/dev/null || echo 0; }

if ! criu check >/tmp/criu-check 2>&1; then
	echo "not ok - criu check: $(grep -m1 Error /tmp/criu-check)"
	echo "0 passed, 1 failed"
	exit 1
fi
ok "criu check: $(tail -n 1 /tmp/criu-check)"
# CRIU locks the network of a dumped netns with iptables-restore.
export PATH=/usr/bin:/usr/sbin:$PATH   # GNU tar (CRIU dumps tmpfs with it), not busybox's
for t in iptables-restore ip6tables-restore iptables ip6tables iptables-save ip6tables-save; do
	[ -e /usr/sbin/$t ] || ln -s xtables-nft-multi /usr/sbin/$t
done

mkdir -p $B/rootfs/bin $B/rootfs/etc $B/rootfs/tmp $R
cp /bin/busybox $B/rootfs/bin/busybox
for a in sh sleep cat echo ls true; do ln -sf busybox $B/rootfs/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $B/rootfs/etc/passwd
h spec --bundle $B
# A counter in the rootfs's /tmp (read from outside); stdio are pipes,
# which restore replaces with its own (runc's descriptors.json).
awk '
	/"terminal": true/ { sub(/true/, "false") }
	/"readonly": true/ { sub(/true/, "false") }
	/"args": \[/ { print "    \"args\": [\"sh\", \"-c\", \"i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done\"],"; skip = 1; next }
	skip && /\]/ { skip = 0; next }
	skip { next }
	{ print }' $B/config.json > $B/c && mv $B/c $B/config.json

# No --shell-job: the container is a session of its own (init setsid()s).
SJ=

# 1. run, checkpoint: the container is gone, its counter stopped
: | h run -d -b $B c1 2>&1 | cat >/tmp/c1.out &
wait_running c1
sleep 1
h checkpoint $SJ --image-path /tmp/img --work-path /tmp/work c1 </dev/null >/tmp/cp.out 2>&1; rc=$?
check "checkpoint exits 0 ($(cat /tmp/cp.out))" test $rc -eq 0
[ $rc -eq 0 ] || grep Error /tmp/work/dump.log | tail -n 5
check "container gone after checkpoint" test -z "$(status c1)"
n1=$(count); sleep 0.5; n2=$(count)
check "counter stopped after checkpoint ($n1, $n2)" test "$n1" = "$n2" -a "$n1" -gt 0
check "images written" test -s /tmp/img/inventory.img -a -s /tmp/img/descriptors.json

# 2. restore --detach --pid-file: running again, counting on from n1
: | h restore $SJ -d --pid-file /tmp/pid --image-path /tmp/img --work-path /tmp/work -b $B c1 2>&1 | cat >/tmp/r1.out &
wait_running c1
check "restored container is running ($(cat /tmp/r1.out))" test "$(status c1)" = running
[ "$(status c1)" = running ] || grep Error /tmp/work/restore.log | tail -n 5
check "pid file names the state's pid ($(cat /tmp/pid 2>/dev/null))" test "$(cat /tmp/pid 2>/dev/null)" = "$(statepid c1)"
sleep 0.5; n3=$(count); sleep 0.5; n4=$(count)
check "counter goes on from the checkpoint ($n2 -> $n3 -> $n4)" test "$n3" -gt "$n2" -a "$n4" -gt "$n3" -a "$n3" -lt $((n2 + 30))
check "exec into the restored container" sh -c "$HUSK --root $R exec c1 cat /tmp/n </dev/null >/dev/null"
cg=$(sed -n 's/^0:://p' /proc/"$(statepid c1)"/cgroup)
check "restored init in its cgroup ($cg)" test "$cg" = /husk/c1
check "no criu-root mount left" sh -c '! grep -q criu-root /proc/self/mountinfo'

# 3. --leave-running: dumped and still running
h checkpoint $SJ --leave-running --image-path /tmp/img2 c1 </dev/null >/tmp/cp2.out 2>&1; rc=$?
check "checkpoint --leave-running exits 0 ($(cat /tmp/cp2.out))" test $rc -eq 0
check "still running after --leave-running" test "$(status c1)" = running
n5=$(count); sleep 0.5; n6=$(count)
check "counter goes on after --leave-running ($n5 -> $n6)" test "$n6" -gt "$n5"
h delete -f c1
check "kill/delete of a restored container removes its cgroup" test ! -d /sys/fs/cgroup/husk/c1

# 4. a second restore from the --leave-running images
: | h restore $SJ -d --image-path /tmp/img2 -b $B c1 2>&1 | cat >/tmp/r2.out &
wait_running c1
check "restore from the --leave-running images ($(cat /tmp/r2.out))" test "$(status c1)" = running
n7=$(count); sleep 0.5; n8=$(count)
check "counter goes on after the second restore ($n7 -> $n8)" test "$n8" -gt "$n7"

# 5. a stopped container: one-line error, no image, state as it was
h kill c1 KILL
i=0; while [ "$(status c1)" != stopped ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
h checkpoint --image-path /tmp/img3 c1 </dev/null >/tmp/cp3.out 2>&1; rc=$?
check "checkpoint of a stopped container fails ($(cat /tmp/cp3.out))" test $rc -eq 1 -a "$(wc -l </tmp/cp3.out)" -eq 1
check "... with husk's error line" grep -q '^husk: checkpoint c1: container is stopped' /tmp/cp3.out
check "... and no image directory" test ! -e /tmp/img3
check "... and the state kept" test "$(status c1)" = stopped
h delete c1

# 6. restore into an existing id
: | h run -d -b $B c2 2>&1 | cat >/dev/null &
wait_running c2
h restore -d --image-path /tmp/img -b $B c2 </dev/null >/tmp/r3.out 2>&1; rc=$?
check "restore into an existing id fails ($(cat /tmp/r3.out))" test $rc -eq 1 -a "$(wc -l </tmp/r3.out)" -eq 1
check "... and the container is untouched" test "$(status c2)" = running
h delete -f c2

check "nothing left: state root empty" test -z "$(ls -A $R)"
check "nothing left: no husk cgroup" sh -c '! ls -d /sys/fs/cgroup/husk/c* 2>/dev/null'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
