#!/usr/bin/env bats
# cgroups on a v1 (or hybrid) host: every linux.resources entry this host's
# hierarchies expose, read back from the cgroup files; the limits enforced
# where it shows (OOM kill, pids.max, freezer); cgroupsPath; the commands
# update, pause/resume, ps, events, kill --all and delete; and no cgroup
# left behind.  (A pure cgroup v2 host is tested in a VM, see tests/vm/.)
#
# Every container gets the cgroup /husk/<test tag>-<id> (helpers.bash), so
# its files are at $(cg CONTROLLER ID)/FILE.

load helpers
load helpers_engine

setup() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "a cgroup v2 host: these are the v1 tests"
	setup_test
}

teardown() {
	teardown_test
}

# cg CONTROLLER ID: the directory of container ID's cgroup in a hierarchy.
cg() {
	echo "/sys/fs/cgroup/$1/husk/$TAG-$2"
}

# expect_cg CONTROLLER ID FILE VALUE: the first line of the file is VALUE.
expect_cg() {
	local got
	got=$(head -n 1 "$(cg "$1" "$2")/$3") || fail "cannot read $1/$3 of $2" || return
	[ "$got" = "$4" ] || fail "$1/$3 of $2 is \"$got\", expected \"$4\""
}

# has_ctrl CONTROLLER: the host mounts a hierarchy with that controller.
has_ctrl() {
	[ -d "/sys/fs/cgroup/$1" ] && [ "$(stat -f -c %T "/sys/fs/cgroup/$1/")" = cgroupfs ]
}

# The hierarchies mounted under /sys/fs/cgroup (v1 ones and a hybrid
# host's cgroup2 "unified"), by directory name.
hierarchies() {
	local d
	for d in /sys/fs/cgroup/*/; do
		d=${d%/}
		[ -L "$d" ] && continue
		case $(stat -f -c %T "$d/") in cgroupfs | cgroup2fs) echo "${d##*/}" ;; esac
	done
}

# in_every_hierarchy PATH: PATH (relative to the roots) exists in each.
in_every_hierarchy() {
	local h
	for h in $(hierarchies); do
		[ -d "/sys/fs/cgroup/$h$1" ] || fail "no cgroup $h$1" || return
	done
}

# in_no_hierarchy PATH
in_no_hierarchy() {
	local h
	for h in $(hierarchies); do
		[ ! -e "/sys/fs/cgroup/$h$1" ] || fail "cgroup $h$1 is left" || return
	done
}

# The major:minor of the disk behind /.
root_disk() {
	local dev
	dev=$(findmnt -n -o SOURCE /)
	dev=$(lsblk -n -d -o PKNAME "$dev" 2>/dev/null | head -n 1)
	[ -n "$dev" ] || dev=$(findmnt -n -o SOURCE / | sed 's|^/dev/||')
	cat "/sys/class/block/${dev#/dev/}/dev"
}

# resources JSON: sets linux.resources.<keys> from an object.
resources() {
	update_config '.linux.resources += $r' --argjson r "$1"
}

# hrun_logged ARGS...: hrun husk_logged ARGS with a new log, for
# assert_husk_error.
hrun_logged() {
	rm -f "$LOG"
	hrun husk_logged "$@"
}

# ticker ID: a detached container appending a line to /out/ticks every 20ms.
ticker() {
	set_cmd 'while :; do echo x >>/out/ticks; usleep 20000; done'
	run_detached "$@"
	wait_for 10 test -s "$OUT/ticks"
}

ticks() {
	wc -l <"$OUT/ticks"
}

# For wait_for, which runs its command again each time (a "$(...)" in its
# arguments would be evaluated once, before the wait).
ticks_above() {
	[ "$(ticks)" -gt "$1" ]
}

out_files_count() { # PREFIX N
	[ "$(ls "$OUT" | grep -c "^$1")" = "$2" ]
}

# The distinct lines of FILE number N: a forked ash child caught between
# fork and exec of usleep runs its parent's trap too, so a name may repeat.
out_distinct_lines() { # FILE N
	[ "$(sort -u "$OUT/$1" 2>/dev/null | wc -l)" = "$2" ]
}

# ---------------------------------------------------------------------------
# linux.resources read back

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller, useHierarchy" {
	resources '{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728,
		"swappiness": 10, "disableOOMKiller": true, "useHierarchy": true}}'
	sleeper c1
	expect_cg memory c1 memory.limit_in_bytes 67108864
	expect_cg memory c1 memory.soft_limit_in_bytes 33554432
	if [ -e "$(cg memory c1)/memory.memsw.limit_in_bytes" ]; then
		expect_cg memory c1 memory.memsw.limit_in_bytes 134217728
	else
		echo "# no swap accounting on this host: memory.swap not read back" >&3
	fi
	expect_cg memory c1 memory.swappiness 10
	grep -qx 'oom_kill_disable 1' "$(cg memory c1)/memory.oom_control" ||
		fail "oom_control: $(cat "$(cg memory c1)/memory.oom_control")"
	expect_cg memory c1 memory.use_hierarchy 1
	husk delete -f c1
	assert_clean
}

@test "memory: swap -1 and limit -1 are unlimited; swappiness out of 0-100 is refused" {
	resources '{"memory": {"limit": -1, "swap": -1}}'
	sleeper c1
	unlimited=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
	expect_cg memory c1 memory.limit_in_bytes "$unlimited"
	[ ! -e "$(cg memory c1)/memory.memsw.limit_in_bytes" ] ||
		expect_cg memory c1 memory.memsw.limit_in_bytes "$unlimited"
	husk delete -f c1

	resources '{"memory": {"swappiness": 101}}'
	hrun_logged run -d --bundle "$BUNDLE" c2
	assert_husk_error 'swappiness'
	assert_clean
}

@test "memory: kernelTCP and kernel, where the kernel has the files" {
	probe=/sys/fs/cgroup/memory/husk-probe-$TAG
	[ -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ] || skip "no memory.kmem.tcp.limit_in_bytes on this kernel"
	resources '{"memory": {"kernelTCP": 8388608, "kernel": 16777216}}'
	sleeper c1
	expect_cg memory c1 memory.kmem.tcp.limit_in_bytes 8388608
	# Recent kernels keep memory.kmem.limit_in_bytes but ignore writes:
	# the value is checked only where a cgroup of our own keeps it.
	mkdir "$probe"
	echo 16777216 >"$probe/memory.kmem.limit_in_bytes" 2>/dev/null || true
	kept=$(cat "$probe/memory.kmem.limit_in_bytes")
	rmdir "$probe"
	if [ "$kept" = 16777216 ]; then
		expect_cg memory c1 memory.kmem.limit_in_bytes 16777216
	else
		echo "# this kernel ignores memory.kmem.limit_in_bytes: kernel not read back" >&3
	fi
	husk delete -f c1
	assert_clean
}

@test "cpu: shares, period, quota, burst, cpus, mems" {
	resources '{"cpu": {"shares": 512, "period": 50000, "quota": 20000, "cpus": "0", "mems": "0"}}'
	[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] && update_config '.linux.resources.cpu.burst = 5000'
	sleeper c1
	expect_cg cpu c1 cpu.shares 512
	expect_cg cpu c1 cpu.cfs_period_us 50000
	expect_cg cpu c1 cpu.cfs_quota_us 20000
	[ ! -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] || expect_cg cpu c1 cpu.cfs_burst_us 5000
	expect_cg cpuset c1 cpuset.cpus 0
	expect_cg cpuset c1 cpuset.mems 0
	# The container's process is bound to those cpus.
	pid=$(ctr_pid c1)
	[ "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status")" = 0 ]
	husk delete -f c1
	assert_clean
}

@test "cpu: idle" {
	[ -e /sys/fs/cgroup/cpu/cpu.idle ] || skip "no cpu.idle on this kernel"
	# (An idle group has the least weight: cpu.shares then reads 3.)
	resources '{"cpu": {"idle": 1}}'
	sleeper c1
	expect_cg cpu c1 cpu.idle 1
	husk delete -f c1
	resources '{"cpu": {"idle": 0, "shares": 2048}}'
	sleeper c2
	expect_cg cpu c2 cpu.idle 0
	expect_cg cpu c2 cpu.shares 2048
	husk delete -f c2
	assert_clean
}

@test "cpu: realtimePeriod and realtimeRuntime, under a parent with an rt budget" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no cpu.rt_runtime_us: this kernel has no RT group scheduling"
	# A child's rt runtime comes out of its parent's: husk's default
	# parent has none, so the container goes under a parent of the test.
	parent=/sys/fs/cgroup/cpu/$TAG-rt
	mkdir "$parent"
	why=$(give_rt_budget "$parent" 20000) || { rmdir "$parent"; skip "$why"; }
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG-rt/c1"
	resources '{"cpu": {"realtimePeriod": 500000, "realtimeRuntime": 5000}}'
	sleeper c1
	[ "$(cat "$parent/c1/cpu.rt_period_us")" = 500000 ]
	[ "$(cat "$parent/c1/cpu.rt_runtime_us")" = 5000 ]
	husk delete -f c1
	in_no_hierarchy "/$TAG-rt/c1"
	# husk made the parent in every hierarchy and, as runc, removes only
	# the container's own cgroup.
	in_every_hierarchy "/$TAG-rt"
	for h in $(hierarchies); do rmdir "/sys/fs/cgroup/$h/$TAG-rt"; done
	assert_clean
}

@test "pids: limit" {
	resources '{"pids": {"limit": 42}}'
	sleeper c1
	expect_cg pids c1 pids.max 42
	husk delete -f c1
	resources '{"pids": {"limit": -1}}'
	sleeper c2
	expect_cg pids c2 pids.max max
	husk delete -f c2
	assert_clean
}

@test "blockIO: weight and throttles of the disk behind /" {
	has_ctrl blkio || skip "no blkio hierarchy"
	disk=$(root_disk)
	[[ $disk =~ ^([0-9]+):([0-9]+)$ ]] || fail "no major:minor for the disk behind /: \"$disk\""
	maj=${BASH_REMATCH[1]} min=${BASH_REMATCH[2]}
	# A weight needs blkio.weight (CFQ) or blkio.bfq.weight (BFQ loaded):
	# where the host has neither, the weight is a clear error (as runc's)
	# and only the throttles are checked.
	probe=/sys/fs/cgroup/blkio/husk-probe-$TAG
	mkdir "$probe"
	wfile=
	for f in blkio.weight blkio.bfq.weight; do
		[ -z "$wfile" ] && [ -e "$probe/$f" ] && wfile=$f
	done
	rmdir "$probe"
	if [ -z "$wfile" ]; then
		resources '{"blockIO": {"weight": 300}}'
		hrun_logged run -d --bundle "$BUNDLE" c1
		assert_husk_error 'blkio\.bfq\.weight'
		assert_clean
	fi
	w='"weight": 300,'
	[ -n "$wfile" ] || w=
	resources "$(jq -n --argjson M "$maj" --argjson m "$min" '{"blockIO": {'"$w"'
		"throttleReadBpsDevice": [{"major": $M, "minor": $m, "rate": 1048576}],
		"throttleWriteBpsDevice": [{"major": $M, "minor": $m, "rate": 2097152}],
		"throttleReadIOPSDevice": [{"major": $M, "minor": $m, "rate": 100}],
		"throttleWriteIOPSDevice": [{"major": $M, "minor": $m, "rate": 200}]}}')"
	sleeper c1
	if [ -n "$wfile" ]; then
		expect_cg blkio c1 "$wfile" 300
	else
		echo "# this host has no blkio.weight nor blkio.bfq.weight: weight refused, throttles checked" >&3
	fi
	expect_cg blkio c1 blkio.throttle.read_bps_device "$disk 1048576"
	expect_cg blkio c1 blkio.throttle.write_bps_device "$disk 2097152"
	expect_cg blkio c1 blkio.throttle.read_iops_device "$disk 100"
	expect_cg blkio c1 blkio.throttle.write_iops_device "$disk 200"
	husk delete -f c1
	assert_clean
}

@test "blockIO: leafWeight and weightDevice, or a clear error where the kernel cannot" {
	has_ctrl blkio || skip "no blkio hierarchy"
	disk=$(root_disk)
	maj=${disk%:*} min=${disk#*:}
	resources '{"blockIO": {"leafWeight": 200}}'
	probe=/sys/fs/cgroup/blkio/husk-probe-$TAG
	mkdir "$probe"
	leaf=no
	[ -e "$probe/blkio.leaf_weight" ] && leaf=yes
	wd=no
	for f in blkio.weight_device blkio.bfq.weight_device; do
		[ -e "$probe/$f" ] && echo "$disk 200" >"$probe/$f" 2>/dev/null && wd=$f
	done
	rmdir "$probe"
	hrun_logged run -d --bundle "$BUNDLE" c1
	if [ $leaf = yes ]; then
		[ "$status" -eq 0 ] || fail "leafWeight: $stderr"
		expect_cg blkio c1 blkio.leaf_weight 200
		husk delete -f c1
	else
		assert_husk_error 'leaf_weight'
	fi
	assert_clean

	update_config 'del(.linux.resources.blockIO)'
	resources "$(jq -n --argjson M "$maj" --argjson m "$min" '{"blockIO": {"weightDevice": [{"major": $M, "minor": $m, "weight": 200}]}}')"
	hrun_logged run -d --bundle "$BUNDLE" c2
	if [ $wd != no ]; then
		[ "$status" -eq 0 ] || fail "weightDevice: $stderr"
		grep -qx "$disk 200" "$(cg blkio c2)/$wd" || fail "$wd: $(cat "$(cg blkio c2)/$wd")"
		husk delete -f c2
	else
		# bfq is not the scheduler of that disk: the kernel refuses.
		assert_husk_error 'weight_device'
	fi
	assert_clean
}

@test "hugepageLimits" {
	has_ctrl hugetlb || skip "no hugetlb hierarchy on this host (the error is tested below)"
	size=$(ls /sys/kernel/mm/hugepages | head -n 1)
	size=${size#hugepages-}
	size=${size%kB}
	[ "$size" -ge 1024 ] && page=$((size / 1024))MB || page=${size}KB
	resources "$(jq -n --arg p "$page" '{"hugepageLimits": [{"pageSize": $p, "limit": 4194304}]}')"
	sleeper c1
	expect_cg hugetlb c1 "hugetlb.$page.limit_in_bytes" 4194304
	husk delete -f c1
	assert_clean
}

@test "hugepageLimits, network, rdma: a controller the host does not mount is a clear error" {
	local n=0
	for spec in hugetlb:'{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' \
		net_cls:'{"network": {"classID": 1048577}}' \
		net_prio:'{"network": {"priorities": [{"name": "lo", "priority": 5}]}}' \
		rdma:'{"rdma": {"mlx5_0": {"hcaHandles": 3}}}'; do
		ctrl=${spec%%:*}
		has_ctrl "$ctrl" && continue
		n=$((n + 1))
		cp "$BUNDLE/config.json" "$TESTDIR/config.orig"
		resources "${spec#*:}"
		hrun_logged run -d --bundle "$BUNDLE" "c$n"
		assert_husk_error "$ctrl"
		assert_clean
		mv "$TESTDIR/config.orig" "$BUNDLE/config.json"
	done
	[ $n -gt 0 ] || skip "the host mounts hugetlb, net_cls, net_prio and rdma"
}

@test "network: classID and priorities" {
	has_ctrl net_cls && has_ctrl net_prio || skip "no net_cls or net_prio hierarchy on this host (the error is tested above)"
	resources '{"network": {"classID": 1048577, "priorities": [{"name": "lo", "priority": 5}]}}'
	sleeper c1
	expect_cg net_cls c1 net_cls.classid 1048577
	grep -qx 'lo 5' "$(cg net_prio c1)/net_prio.ifpriomap"
	husk delete -f c1
	assert_clean
}

@test "rdma" {
	has_ctrl rdma || skip "no rdma hierarchy on this host (the error is tested above)"
	[ -n "$(ls /sys/class/infiniband 2>/dev/null)" ] || skip "no rdma device on this host"
	dev=$(ls /sys/class/infiniband | head -n 1)
	resources "$(jq -n --arg d "$dev" '{"rdma": {($d): {"hcaHandles": 3, "hcaObjects": 100}}}')"
	sleeper c1
	grep -q "^$dev hca_handle=3 hca_object=100" "$(cg rdma c1)/rdma.max"
	husk delete -f c1
	assert_clean
}

@test "devices: the cgroup's rules, and a device without an allow rule cannot be opened" {
	has_ctrl devices || skip "no devices hierarchy"
	# /dev/net/tun (c 10:200) made in the container, with a rule that
	# allows mknod only; 1:3 (null) a second time under another name,
	# which the default rules allow.
	update_config '.linux.devices += [{"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 438},
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "m"}]'
	set_cmd '(exec 3<>/dev/net/tun) 2>&1; echo "tun=$?"; echo x >/dev/mynull; echo "null=$?"; sleep 100000'
	run_detached c1
	wait_for 5 grep -q null= "$TESTDIR/c1.stdout"
	out=$(cat "$TESTDIR/c1.stdout")
	[[ "$out" == *"Operation not permitted"*"tun=1"*"null=0"* ]] || fail "$out"
	list=$(cat "$(cg devices c1)/devices.list")
	grep -qx 'c 1:3 rwm' <<<"$list" || fail "devices.list: $list"
	grep -qx 'c 10:200 m' <<<"$list" || fail "devices.list: $list"
	! grep -qx 'a \*:\* rwm' <<<"$list" || fail "devices.list: $list"
	husk delete -f c1

	# A rule allowing reads only: opened for reading, not for writing.
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "r"}]'
	set_cmd '(exec 3</dev/net/tun) 2>&1; echo "read=$?"; (exec 3>/dev/net/tun) 2>&1; echo "write=$?"'
	hrun run_ctr c2
	[[ "$output" == *"read=0"*"Operation not permitted"*"write=1"* ]] || fail "$output"
	assert_clean
}

# ---------------------------------------------------------------------------
# Limits enforced

@test "memory: a process over the limit is OOM-killed, and events reports it" {
	resources '{"memory": {"limit": 33554432, "swap": 33554432}}'
	# dd's 64M buffer, filled from /dev/zero, is past the 32M limit.
	set_cmd 'touch /out/ready; while [ ! -e /out/go ]; do usleep 10000; done
		dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "dd=$?" >/out/dd; sleep 100000'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	bg_tagged husk events --interval 100ms c1 >"$TESTDIR/events" 2>"$TESTDIR/events.err"
	events_pid=$BG_PID
	wait_for 10 grep -q '"stats"' "$TESTDIR/events"
	touch "$OUT/go"
	wait_for 10 test -s "$OUT/dd"
	[ "$(cat "$OUT/dd")" = dd=137 ] || fail "dd: $(cat "$OUT/dd")"
	grep -qx 'oom_kill 1' "$(cg memory c1)/memory.oom_control" ||
		fail "oom_control: $(cat "$(cg memory c1)/memory.oom_control")"
	wait_for 5 grep -q '"oom"' "$TESTDIR/events" || fail "no oom event: $(cat "$TESTDIR/events" "$TESTDIR/events.err")"
	jq -e -s '[.[] | select(.type == "oom")] | length == 1 and .[0].id == "c1"' "$TESTDIR/events" >/dev/null ||
		fail "events: $(cat "$TESTDIR/events")"
	# The container's own process lives on.
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	# The stream ends with the container.
	wait_for 5 pid_gone "$events_pid"
	assert_clean
}

@test "pids: a fork bomb stops at pids.max" {
	resources '{"pids": {"limit": 24}}'
	set_cmd 'bomb() { bomb | bomb & }; bomb; sleep 100000'
	run_detached c1
	d=$(cg pids c1)
	wait_for 10 grep -q '^max [1-9]' "$d/pids.events" || fail "pids.events: $(cat "$d/pids.events")"
	for i in 1 2 3 4 5; do
		n=$(cat "$d/pids.current")
		[ "$n" -le 24 ] || fail "pids.current is $n"
		sleep 0.05
	done
	husk delete -f c1
	assert_clean
}

@test "pause: the container makes no progress until resume; exec needs --ignore-paused" {
	ticker c1
	husk pause c1
	[ "$(ctr_status c1)" = paused ]
	expect_cg freezer c1 freezer.state FROZEN
	n=$(ticks)
	sleep 0.3
	[ "$(ticks)" = "$n" ] || fail "ticks went from $n to $(ticks) while paused"
	hrun_logged exec c1 true
	assert_husk_error 'paused' 255
	# With --ignore-paused the exec goes ahead: its process joins the
	# cgroup, is frozen with the rest, and runs once resumed.
	bg_tagged husk exec --ignore-paused c1 sh -c 'echo exec >>/out/ticks' </dev/null >"$TESTDIR/exec.out" 2>&1
	exec_pid=$BG_PID
	sleep 0.3
	[ "$(ticks)" = "$n" ] || fail "ticks went from $n to $(ticks) while paused"
	pid_alive "$exec_pid" || fail "exec --ignore-paused ended while the container is paused"
	hrun_logged pause c1
	assert_husk_error 'paused'
	husk resume c1
	[ "$(ctr_status c1)" = running ]
	expect_cg freezer c1 freezer.state THAWED
	wait_bg "$exec_pid" 30
	[ "$BG_STATUS" = 0 ] || fail "exec --ignore-paused exited $BG_STATUS: $(cat "$TESTDIR/exec.out")"
	grep -q exec "$OUT/ticks"
	m=$(ticks)
	wait_for 5 ticks_above "$((m + 2))" || fail "no progress after resume: $(ticks) ticks"
	hrun_logged resume c1
	assert_husk_error 'not paused'
	husk delete -f c1
	assert_clean
}

@test "pause: delete --force of a paused container" {
	ticker c1
	husk pause c1
	hrun_logged delete c1
	assert_husk_error 'paused'
	husk delete -f c1
	in_no_hierarchy "/husk/$TAG-c1"
	assert_clean
}

# ---------------------------------------------------------------------------
# cgroupsPath

# proc_cgroups PATH: what /proc/self/cgroup shows for a process in PATH
# of every hierarchy (sorted, without the hierarchy numbers).
proc_cgroups_of() {
	local h
	for h in $(hierarchies); do
		case $h in
		unified) echo "::$1" ;;
		systemd) echo ":name=systemd:$1" ;;
		*) echo ":$h:$1" ;;
		esac
	done | sort
}

# strip_ids: /proc/<pid>/cgroup lines without their hierarchy ids, sorted.
strip_ids() {
	sed 's/^[0-9]*//' | sort
}

@test "cgroupsPath relative: under /husk; the first command already runs in it" {
	update_config '.linux.cgroupsPath = $p' --arg p "rel-$TAG/c1"
	set_cmd 'cat /proc/self/cgroup'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "$stderr"
	got=$(strip_ids <<<"$output")
	want=$(proc_cgroups_of "/husk/rel-$TAG/c1")
	[ "$got" = "$want" ] || fail "in $got, expected $want"
	# run removed it, and its parent rel-$TAG, which husk made and which
	# is left empty
	in_no_hierarchy "/husk/rel-$TAG/c1"
	in_no_hierarchy "/husk/rel-$TAG"
	assert_clean
}

@test "cgroupsPath absolute: as given, in every hierarchy" {
	update_config '.linux.cgroupsPath = $p' --arg p "/abs-$TAG"
	sleeper c1
	in_every_hierarchy "/abs-$TAG"
	pid=$(ctr_pid c1)
	[ "$(strip_ids <"/proc/$pid/cgroup")" = "$(proc_cgroups_of "/abs-$TAG")" ] ||
		fail "in $(cat "/proc/$pid/cgroup")"
	husk delete -f c1
	in_no_hierarchy "/abs-$TAG"
	assert_clean
}

@test "cgroupsPath empty: /husk/<id>" {
	update_config 'del(.linux.cgroupsPath)'
	# The id is the test's own: /husk/<id> is shared by every test
	# that uses it.
	id=$TAG-e
	sleeper "$id"
	in_every_hierarchy "/husk/$id"
	pid=$(ctr_pid "$id")
	[ "$(strip_ids <"/proc/$pid/cgroup")" = "$(proc_cgroups_of "/husk/$id")" ]
	husk delete -f "$id"
	in_no_hierarchy "/husk/$id"
	assert_clean
}

@test "cgroupsPath: an existing cgroup is joined, keeps its limits, and goes with the container" {
	mkdir /sys/fs/cgroup/pids/pre-$TAG /sys/fs/cgroup/memory/pre-$TAG
	echo 33 >/sys/fs/cgroup/pids/pre-$TAG/pids.max
	echo 50331648 >/sys/fs/cgroup/memory/pre-$TAG/memory.limit_in_bytes
	update_config '.linux.cgroupsPath = $p' --arg p "/pre-$TAG"
	# The container's own limits are written over the existing ones.
	resources '{"memory": {"limit": 41943040}}'
	set_cmd 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 100000'
	run_detached c1
	wait_for 5 test -s "$TESTDIR/c1.stdout"
	[ "$(cat "$TESTDIR/c1.stdout")" = $'33\n41943040' ] || fail "inside: $(cat "$TESTDIR/c1.stdout")"
	grep -qx "$(ctr_pid c1)" /sys/fs/cgroup/pids/pre-$TAG/cgroup.procs
	husk delete -f c1
	in_no_hierarchy "/pre-$TAG"
	assert_clean
}

@test "cgroup namespace: the container's cgroup is its root" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_cmd 'cat /proc/self/cgroup; echo --; cat /sys/fs/cgroup/pids/cgroup.procs'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "$stderr"
	got=$(sed '/^--$/,$d' <<<"$output" | strip_ids)
	[ "$got" = "$(proc_cgroups_of /)" ] || fail "in $got"
	# The cgroup mounted at /sys/fs/cgroup is the container's own.
	[ "$(sed '1,/^--$/d' <<<"$output")" = 1 ] || fail "cgroup.procs: $output"
	assert_clean
}

@test "cgroupsPath: the systemd form and .. are refused, nothing left behind" {
	update_config '.linux.cgroupsPath = "system.slice:husk:c1"'
	hrun_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error 'systemd'
	assert_clean
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG/../escape"
	hrun_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error '\.\.'
	assert_clean
	[ ! -e /sys/fs/cgroup/pids/escape ]
}

# ---------------------------------------------------------------------------
# update

@test "update: each flag, read back" {
	sleeper c1
	husk update --memory 64M --memory-swap 128m --memory-reservation 32MiB c1
	expect_cg memory c1 memory.limit_in_bytes 67108864
	expect_cg memory c1 memory.memsw.limit_in_bytes 134217728
	expect_cg memory c1 memory.soft_limit_in_bytes 33554432
	husk update --memory "1.5 gb" --memory-swap 2g c1
	expect_cg memory c1 memory.limit_in_bytes 1610612736
	expect_cg memory c1 memory.memsw.limit_in_bytes 2147483648
	# The other order: a limit above the current memsw needs memsw first.
	husk update --memory 16m --memory-swap 16m c1
	husk update --memory 48m --memory-swap 96m c1
	expect_cg memory c1 memory.limit_in_bytes 50331648
	# -1 for the limit alone makes swap unlimited too.
	husk update --memory -1 c1
	unlimited=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
	expect_cg memory c1 memory.limit_in_bytes "$unlimited"
	expect_cg memory c1 memory.memsw.limit_in_bytes "$unlimited"

	husk update --cpu-share 256 --cpu-period 40000 --cpu-quota 10000 c1
	expect_cg cpu c1 cpu.shares 256
	expect_cg cpu c1 cpu.cfs_period_us 40000
	expect_cg cpu c1 cpu.cfs_quota_us 10000
	husk update --cpu-shares 300 --cpu-quota -1 c1
	expect_cg cpu c1 cpu.shares 300
	expect_cg cpu c1 cpu.cfs_quota_us -1
	if [ -e "$(cg cpu c1)/cpu.cfs_burst_us" ]; then
		husk update --cpu-quota 20000 --cpu-burst 3000 c1
		expect_cg cpu c1 cpu.cfs_burst_us 3000
	fi
	if [ -e "$(cg cpu c1)/cpu.idle" ]; then
		husk update --cpu-idle 1 c1
		expect_cg cpu c1 cpu.idle 1
		husk update --cpu-idle 0 c1
		expect_cg cpu c1 cpu.idle 0
	fi
	husk update --cpuset-cpus 0 --cpuset-mems 0 c1
	expect_cg cpuset c1 cpuset.cpus 0
	expect_cg cpuset c1 cpuset.mems 0
	[ "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$(ctr_pid c1)/status")" = 0 ]
	husk update --pids-limit 77 c1
	expect_cg pids c1 pids.max 77
	husk update --pids-limit -1 c1
	expect_cg pids c1 pids.max max
	if [ -e "$(cg blkio c1)/blkio.weight" ] || [ -e "$(cg blkio c1)/blkio.bfq.weight" ]; then
		husk update --blkio-weight 400 c1
		[ -e "$(cg blkio c1)/blkio.weight" ] && f=blkio.weight || f=blkio.bfq.weight
		expect_cg blkio c1 $f 400
	fi
	# Obsolete in runc, accepted with a warning and ignored.
	hrun husk update --kernel-memory 1g --kernel-memory-tcp 1g c1
	[ "$status" -eq 0 ] && [[ "$stderr" == *ignored* ]] || fail "kernel-memory: $status $stderr"
	husk delete -f c1
	assert_clean
}

@test "update: realtime flags under a parent with an rt budget" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no cpu.rt_runtime_us: this kernel has no RT group scheduling"
	parent=/sys/fs/cgroup/cpu/$TAG-rt
	mkdir "$parent"
	why=$(give_rt_budget "$parent" 20000) || { rmdir "$parent"; skip "$why"; }
	update_config '.linux.cgroupsPath = $p' --arg p "/$TAG-rt/c1"
	sleeper c1
	husk update --cpu-rt-period 800000 --cpu-rt-runtime 4000 c1
	[ "$(cat "$parent/c1/cpu.rt_period_us")" = 800000 ]
	[ "$(cat "$parent/c1/cpu.rt_runtime_us")" = 4000 ]
	# More than the parent has: the kernel's refusal, said by husk.
	hrun_logged update --cpu-rt-runtime 30000 c1
	assert_husk_error 'rt_runtime'
	[ "$(cat "$parent/c1/cpu.rt_runtime_us")" = 4000 ]
	husk delete -f c1
	for h in $(hierarchies); do rmdir "/sys/fs/cgroup/$h/$TAG-rt"; done
	assert_clean
}

@test "update: bad values are refused and change nothing" {
	sleeper c1
	husk update --memory 64m --cpu-share 512 c1
	for args in "--memory 12x" "--memory -5" "--memory 1e3" "--memory-swap lots" "--cpu-share -1" \
		"--cpu-period 1.5" "--cpu-quota abc" "--pids-limit 5k" "--cpu-rt-period -2" "--cpu-burst x"; do
		# shellcheck disable=SC2086
		hrun_logged update $args c1
		assert_husk_error "${args%% *}: .* is not a valid value"
	done
	hrun_logged update --memory 64m
	assert_husk_error 'expects 1 argument'
	hrun_logged update --memory 64m nosuch
	assert_husk_error 'does not exist'
	expect_cg memory c1 memory.limit_in_bytes 67108864
	expect_cg cpu c1 cpu.shares 512
	husk delete -f c1
	assert_clean
}

@test "update: --resources FILE and -r -; the other flags are then ignored, as in runc" {
	sleeper c1
	cat >"$TESTDIR/res.json" <<-'END'
		{"memory": {"limit": 83886080, "reservation": 41943040, "swap": 167772160},
		 "cpu": {"shares": 768, "period": 60000, "quota": 30000, "cpus": "0", "mems": "0"},
		 "pids": {"limit": 55}}
	END
	hrun husk update --resources "$TESTDIR/res.json" --pids-limit 99 --memory 1g c1
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$stderr" == *"flags are ignored"* ]] || fail "no warning: $stderr"
	expect_cg memory c1 memory.limit_in_bytes 83886080
	expect_cg memory c1 memory.soft_limit_in_bytes 41943040
	expect_cg memory c1 memory.memsw.limit_in_bytes 167772160
	expect_cg cpu c1 cpu.shares 768
	expect_cg cpu c1 cpu.cfs_period_us 60000
	expect_cg cpu c1 cpu.cfs_quota_us 30000
	expect_cg cpuset c1 cpuset.cpus 0
	expect_cg pids c1 pids.max 55

	# Only what is given changes.
	echo '{"pids": {"limit": 66}}' | husk update -r - c1
	expect_cg pids c1 pids.max 66
	expect_cg memory c1 memory.limit_in_bytes 83886080
	expect_cg cpu c1 cpu.shares 768

	echo '{"memory": {"limit": -1}}' | husk update -r - c1
	expect_cg memory c1 memory.limit_in_bytes "$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"

	hrun_logged update -r "$TESTDIR/nosuch.json" c1
	assert_husk_error 'resources'
	echo '[1, 2]' >"$TESTDIR/bad.json"
	hrun_logged update -r "$TESTDIR/bad.json" c1
	assert_husk_error 'JSON object'
	echo '{"memory": ' >"$TESTDIR/bad.json"
	hrun_logged update -r "$TESTDIR/bad.json" c1
	assert_husk_error 'resources'
	echo '{"unified": {"memory.max": "1G"}}' >"$TESTDIR/bad.json"
	hrun_logged update -r "$TESTDIR/bad.json" c1
	assert_husk_error 'unified'
	expect_cg pids c1 pids.max 66
	husk delete -f c1
	assert_clean
}

@test "update: memory.checkBeforeUpdate refuses a limit at or below the usage" {
	# About 20M of page cache charged to the container, which the kernel
	# could reclaim: without the check a lower limit is taken.
	set_cmd 'dd if=/dev/zero of=/out/fill bs=1M count=20 2>/dev/null; touch /out/ready; sleep 100000'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	usage=$(cat "$(cg memory c1)/memory.usage_in_bytes")
	[ "$usage" -gt 16777216 ] || skip "only $usage bytes charged: cannot test the check"
	before=$(cat "$(cg memory c1)/memory.limit_in_bytes")
	echo '{"memory": {"limit": 12582912, "checkBeforeUpdate": true}}' >"$TESTDIR/res.json"
	hrun_logged update -r "$TESTDIR/res.json" c1
	assert_husk_error 'checkBeforeUpdate'
	expect_cg memory c1 memory.limit_in_bytes "$before"
	echo '{"memory": {"limit": 12582912}}' | husk update -r - c1
	expect_cg memory c1 memory.limit_in_bytes 12582912
	husk delete -f c1

	# Set in the config, it holds for updates that do not say.
	resources '{"memory": {"checkBeforeUpdate": true}}'
	rm "$OUT/ready" "$OUT/fill"
	run_detached c2
	wait_for 10 test -e "$OUT/ready"
	hrun_logged update --memory 12m c2
	assert_husk_error 'checkBeforeUpdate'
	echo '{"memory": {"limit": 12582912, "checkBeforeUpdate": false}}' | husk update -r - c2
	expect_cg memory c2 memory.limit_in_bytes 12582912
	husk delete -f c2
	assert_clean
}

@test "update: a stopped container cannot be updated" {
	set_args true
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	hrun_logged update --pids-limit 10 c1
	assert_husk_error 'stopped'
	husk delete c1
	assert_clean
}

# ---------------------------------------------------------------------------
# ps, events, kill --all, delete

# forker ID: a container whose shell runs two sleeps beside it.
forker() {
	set_cmd 'sleep 100001 & sleep 100002 & touch /out/ready; wait'
	run_detached "$@"
	wait_for 10 test -e "$OUT/ready"
	# ready is written by touch, which may not have exited yet: wait for the
	# shell and its two sleeps alone.
	wait_for 10 has_procs "$1" 3
}

has_procs() {
	[ "$(head -n 1 "$(cg pids "$1")/pids.current")" = "$2" ]
}

@test "ps: the table, --format json, and ps options" {
	forker c1
	procs=$(sort -n "$(cg pids c1)/cgroup.procs")
	[ "$(wc -l <<<"$procs")" = 3 ] || fail "cgroup.procs: $procs"

	hrun husk ps --format json c1
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(jq -r '.[]' <<<"$output" | sort -n)" = "$procs" ] || fail "ps json: $output, procs $procs"

	hrun husk ps c1
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" == UID*PID*CMD* ]] || fail "header: ${lines[0]}"
	[ "${#lines[@]}" -eq 4 ] || fail "ps: $output"
	[ "$(awk 'NR > 1 { print $2 }' <<<"$output" | sort -n)" = "$procs" ] || fail "ps: $output"
	[[ "$output" == *"sleep 100001"* && "$output" == *"sleep 100002"* ]] || fail "ps: $output"

	hrun husk ps c1 -ef
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" == UID*PID*PPID*CMD* ]] || fail "header: ${lines[0]}"
	[ "${#lines[@]}" -eq 4 ] || fail "ps -ef: $output"

	hrun husk ps c1 -o pid,args
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" =~ ^\ *PID\ COMMAND ]] || fail "header: ${lines[0]}"
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output" | sort -n)" = "$procs" ] || fail "ps: $output"

	hrun husk ps -f json c1
	[ "$(jq length <<<"$output")" = 3 ] || fail "ps -f json: $output"
	hrun_logged ps --format yaml c1
	assert_husk_error 'table or json'
	hrun_logged ps c1 --no-such-ps-option
	assert_husk_error 'ps exited with status [1-9].*: .'
	husk delete -f c1
	hrun_logged ps c1
	assert_husk_error 'does not exist'
	assert_clean
}

@test "events --stats: runc's stats JSON, read from the cgroup" {
	resources '{"pids": {"limit": 50}, "memory": {"limit": 67108864}}'
	forker c1
	hrun husk events --stats c1
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
	jq -e '.type == "stats" and .id == "c1"
		and (.data | has("cpu") and has("memory") and has("pids") and has("blkio") and has("hugetlb"))
		and .data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864
		and (.data.memory.raw | type) == "object" and .data.memory.raw.rss >= 0
		and .data.pids.current == 3 and .data.pids.limit == 50
		and .data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | type) == "array"
		and (.data.cpu.throttling | has("periods"))' <<<"$output" >/dev/null || fail "stats: $output"
	husk delete -f c1
	hrun_logged events --stats c1
	assert_husk_error 'does not exist'
	assert_clean
}

@test "events --interval: a stats line per interval, until the container stops" {
	set_cmd 'touch /out/ready; while [ ! -e /out/stop ]; do usleep 10000; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	bg_tagged husk events --interval 100ms c1 >"$TESTDIR/events" 2>"$TESTDIR/events.err"
	ev=$BG_PID
	sleep 0.65
	n=$(grep -c '"stats"' "$TESTDIR/events")
	[ "$n" -ge 3 ] && [ "$n" -le 8 ] || fail "$n stats lines in 0.65s at 100ms"
	jq -e -s 'all(.type == "stats" and .id == "c1" and .data.pids.current >= 1)' "$TESTDIR/events" >/dev/null ||
		fail "events: $(cat "$TESTDIR/events")"
	touch "$OUT/stop"
	wait_status c1 stopped
	wait_bg "$ev" 10
	[ "$BG_STATUS" = 0 ] || fail "events exited $BG_STATUS after the container stopped: $(cat "$TESTDIR/events.err")"
	hrun_logged events --interval 0 c1
	assert_husk_error 'interval'
	hrun_logged events --interval 1h c1
	assert_husk_error 'interval'
	hrun_logged events c1
	assert_husk_error 'not running'
	husk delete c1
	assert_clean
}

@test "kill --all: every process of the cgroup, with no pid namespace" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	forker c1
	pids=$(cat "$(cg pids c1)/cgroup.procs")
	[ "$(wc -l <<<"$pids")" = 3 ]
	husk kill --all c1 KILL
	for p in $pids; do
		wait_for 5 pid_gone "$p" || fail "process $p survives kill --all"
	done
	wait_status c1 stopped
	[ -z "$(cat "$(cg pids c1)/cgroup.procs")" ]
	husk delete c1
	in_no_hierarchy "/husk/$TAG-c1"
	assert_clean
}

@test "kill --all: a signal the processes catch reaches each one" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_cmd 'for i in 1 2; do sh -c "trap \"echo \$\$ >>/out/got; exit 0\" USR1; touch /out/sub.\$\$; while :; do usleep 10000; done" & done
		trap "echo init >>/out/got; exit 0" USR1; touch /out/ready; while :; do usleep 10000; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	wait_for 10 out_files_count 'sub\.' 2
	husk kill -a c1 USR1
	wait_for 5 out_distinct_lines got 3 || fail "got: $(cat "$OUT/got")"
	wait_status c1 stopped
	husk delete c1
	assert_clean
}

@test "delete: removes the cgroup from every hierarchy; --force kills what is left" {
	# Without a pid namespace, children outlive the container's process.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_cmd '(trap "" TERM HUP; sleep 100000) & touch /out/ready; sleep 100000'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	in_every_hierarchy "/husk/$TAG-c1"
	hrun_logged delete c1
	assert_husk_error 'not stopped'
	in_every_hierarchy "/husk/$TAG-c1"
	kill -9 "$(ctr_pid c1)"
	wait_status c1 stopped
	[ "$(wc -l <"$(cg pids c1)/cgroup.procs")" -ge 1 ] || fail "the child did not outlive the container's process"
	husk delete c1
	in_no_hierarchy "/husk/$TAG-c1"
	assert_clean

	# delete -f of the running container: the child goes too.
	rm "$OUT/ready"
	run_detached c2
	wait_for 10 test -e "$OUT/ready"
	pids=$(cat "$(cg pids c2)/cgroup.procs")
	husk delete -f c2
	for p in $pids; do pid_gone "$p" || fail "process $p survives delete -f"; done
	in_no_hierarchy "/husk/$TAG-c2"
	assert_clean
}

# ---------------------------------------------------------------------------
# Nothing left behind

@test "cleanup: a failed create leaves no cgroup (bad value, failing hook, missing controller)" {
	resources '{"cpu": {"cpus": "999"}}'
	hrun_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error 'cpuset.cpus'
	assert_clean
	in_no_hierarchy "/husk/$TAG-c1"

	resources '{"cpu": {"cpus": "0", "quota": 500}}'
	hrun_logged create --bundle "$BUNDLE" c2
	assert_husk_error 'cpu.cfs_quota_us'
	assert_clean

	update_config 'del(.linux.resources.cpu) | .hooks.createRuntime = [{"path": "/bin/false"}]'
	hrun_logged run -d --bundle "$BUNDLE" c3
	assert_husk_error 'hook'
	assert_clean

	update_config 'del(.hooks) | .linux.resources.unified = {"pids.max": "10"}'
	hrun_logged run -d --bundle "$BUNDLE" c4
	assert_husk_error 'unified'
	assert_clean
	for c in c1 c2 c3 c4; do in_no_hierarchy "/husk/$TAG-$c"; done
}

@test "cleanup: a SIGKILLed container, then deleted, leaves no cgroup" {
	forker c1
	kill -9 "$(ctr_pid c1)"
	wait_status c1 stopped
	husk delete c1
	in_no_hierarchy "/husk/$TAG-c1"
	assert_clean
}

@test "cleanup: a container whose husk create was SIGKILLed, then deleted" {
	# husk dies between the cgroup and the state: delete finds both.
	update_config '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "100"], "env": [$tag]}]' \
		--arg tag "HUSK_TEST_TAG=$TAG"
	bg_tagged husk create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	create=$BG_PID
	wait_for 10 test -d "$(cg pids c1)"
	hook_runs() {
		local p
		for p in $(tagged_pids); do
			[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 100 " ] && return 0
		done
		return 1
	}
	wait_for 10 hook_runs
	for p in $(tagged_pids); do
		[[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" == "$HUSK "*" create "* ]] && kill -9 "$p"
	done
	wait "$create" 2>/dev/null || true
	[ "$(ctr_status c1)" = stopped ] || fail "status $(ctr_status c1) after husk create was killed"
	husk delete c1
	in_no_hierarchy "/husk/$TAG-c1"
	kill -9 $(tagged_pids) 2>/dev/null || true
	assert_clean
}

# runc's `exec --cgroup`: [CONTROLLER[,CONTROLLER...]:]PATH, an existing
# sub-cgroup of the container's cgroup; made here from the host, as an
# engine does for a container whose cgroup mount is read-only.
@test "exec --cgroup: into existing sub-cgroups of the container's, per controller or all; bad ones refused" {
	sleeper c1
	local rel=/husk/$TAG-c1
	rm -f "$LOG"
	hrun husk_logged exec --cgroup .. c1 true
	assert_husk_error 'bad sub cgroup path' 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup sub/../../x c1 true
	assert_husk_error 'bad sub cgroup path' 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup nonexistent c1 true
	assert_husk_error "adding pid .*$rel/nonexistent.*No such file or directory" 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup memory:nonexistent c1 true
	assert_husk_error "adding pid .*memory$rel/nonexistent.*No such file or directory" 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup husk-whaaat:/ c1 true
	assert_husk_error 'unknown controller husk-whaaat' 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup a:b:c c1 true
	assert_husk_error 'invalid --cgroup argument: a:b:c' 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup a --cgroup b c1 true
	assert_husk_error 'missing <controller>: prefix' 255
	rm -f "$LOG"
	hrun husk_logged exec --cgroup memory,:a c1 true
	assert_husk_error 'empty <controller> prefix' 255
	# None of them left a process behind, in the container or its cgroup.
	[ "$(cat "$(cg pids c1)/cgroup.procs")" = "$(ctr_pid c1)" ] || fail "left: $(cat "$(cg pids c1)/cgroup.procs")"
	# The container's own cgroup: implicit and explicit.
	hrun husk exec c1 cat /proc/self/cgroup
	[ "$status" -eq 0 ] || fail "$stderr"
	run ! grep -v ":$rel\$" <<<"$output"
	hrun husk exec --cgroup / c1 cat /proc/self/cgroup
	[ "$status" -eq 0 ] || fail "$stderr"
	run ! grep -v ":$rel\$" <<<"$output"
	# cpu and cpuacct: two hierarchies here, or one mounted together.
	mkdir -p "$(cg memory c1)/submem" "$(cg cpu c1)/subcpu" "$(cg cpuacct c1)/subcpu"
	hrun husk exec --cgroup memory:submem --cgroup cpu,cpuacct:/subcpu c1 cat /proc/self/cgroup
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *":memory:$rel/submem"* ]] || fail "$output"
	[[ "$output" == *":cpu"*":$rel/subcpu"* ]] || fail "$output"
	[[ "$output" == *":pids:$rel"$'\n'* ]] || fail "pids should stay the container's: $output"
	# Without a controller: every hierarchy, so the sub-cgroup must be in all.
	rm -f "$LOG"
	hrun husk_logged exec --cgroup submem c1 true
	assert_husk_error "adding pid .*$rel/submem.*No such file or directory" 255
	local h
	for h in $(hierarchies); do
		mkdir -p "/sys/fs/cgroup/$h$rel/everywhere"
		# A new cpuset has no CPUs and memory nodes until given some.
		if [ "$h" = cpuset ]; then
			cp "/sys/fs/cgroup/$h$rel/cpuset.cpus" "/sys/fs/cgroup/$h$rel/everywhere/cpuset.cpus"
			cp "/sys/fs/cgroup/$h$rel/cpuset.mems" "/sys/fs/cgroup/$h$rel/everywhere/cpuset.mems"
		fi
	done
	hrun husk exec --cgroup everywhere c1 cat /proc/self/cgroup
	[ "$status" -eq 0 ] || fail "$stderr"
	run ! grep -v ":$rel/everywhere\$" <<<"$output"
	# ps sees a process in a sub-cgroup; delete -f removes them all.
	hrun husk exec -d --pid-file "$TESTDIR/sub.pid" --cgroup memory:submem c1 sleep 1000
	[ "$status" -eq 0 ] || fail "$stderr"
	hrun husk ps c1 -o pid
	[[ "$output" == *"$(cat "$TESTDIR/sub.pid")"* ]] || fail "ps: $output"
	husk delete -f c1
	assert_clean
}

# mk_subcgroups ID SUB: SUB below container ID's cgroup in every hierarchy
# (a cpuset gets its parent's CPUs and memory nodes).
mk_subcgroups() {
	local h d
	for h in $(hierarchies); do
		d=/sys/fs/cgroup/$h/husk/$TAG-$1
		mkdir -p "$d/$2" || return
		if [ "$h" = cpuset ]; then
			cp "$d/cpuset.cpus" "$d/$2/cpuset.cpus" && cp "$d/cpuset.mems" "$d/$2/cpuset.mems" || return
			[ "${2%/*}" = "$2" ] || { cp "$d/cpuset.cpus" "$d/${2%/*}/cpuset.cpus" && cp "$d/cpuset.mems" "$d/${2%/*}/cpuset.mems"; } || return
		fi
	done
}

# Without a pid namespace of its own, the processes in its sub-cgroups do
# not die with the container's process: delete -f must find them there.
@test "delete -f: a running container with nested sub-cgroups and processes in them leaves no cgroup, no process" {
	update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "pid")]'
	sleeper c1
	mk_subcgroups c1 a
	mk_subcgroups c1 a/b
	mkdir "$(cg memory c1)/only-memory"
	hrun husk exec -d --pid-file "$TESTDIR/ab.pid" c1 sleep 1001
	[ "$status" -eq 0 ] || fail "$stderr"
	hrun husk exec -d --pid-file "$TESTDIR/m.pid" c1 sleep 1002
	[ "$status" -eq 0 ] || fail "$stderr"
	local ab m h
	ab=$(cat "$TESTDIR/ab.pid") m=$(cat "$TESTDIR/m.pid")
	# Moved as the container or an engine would (exec --cgroup is tested
	# above): one into a/b of every hierarchy, one into memory only.
	for h in $(hierarchies); do
		echo "$ab" >"/sys/fs/cgroup/$h/husk/$TAG-c1/a/b/cgroup.procs" || fail "move to $h"
	done
	echo "$m" >"$(cg memory c1)/only-memory/cgroup.procs"
	grep -q ":pids:/husk/$TAG-c1/a/b\$" "/proc/$ab/cgroup" || fail "$(cat "/proc/$ab/cgroup")"
	# ps lists them (they are in the container's cgroup tree).
	hrun husk ps c1 -o pid
	[[ " $(echo $output) " == *" $ab "* ]] || fail "ps: $output"
	hrun husk delete -f c1
	[ "$status" -eq 0 ] || fail "delete -f: $stderr"
	[ -z "$stderr" ] || fail "delete -f warned: $stderr"
	pid_gone "$ab" && pid_gone "$m" || fail "processes of the sub-cgroups survive"
	assert_clean
}
