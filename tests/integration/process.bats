#!/usr/bin/env bats
# Process attributes: noNewPrivileges, rlimits, apparmorProfile /
# selinuxLabel / mountLabel on a host without those LSMs, ioPriority,
# scheduler, user.umask; and sysctl writes that a /proc/sys mounted by the
# config cannot redirect.

load helpers
load helpers_security

setup() {
	security_setup
}

teardown() {
	teardown_test
}

# ---------------------------------------------------------------------------
# noNewPrivileges

@test "noNewPrivileges: NoNewPrivs is 1 when true, 0 when false or absent" {
	set_cmd 'grep "^NoNewPrivs:" /proc/self/status'
	update_config '.process.noNewPrivileges = true'
	run -0 run_ctr c1
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+1$ ]] || fail "$output"

	update_config '.process.noNewPrivileges = false'
	run -0 run_ctr c2
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+0$ ]] || fail "$output"

	update_config 'del(.process.noNewPrivileges)'
	run -0 run_ctr c3
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+0$ ]] || fail "$output"

	# as a non-root user too
	update_config '.process.noNewPrivileges = true | .process.user = {"uid": 1000, "gid": 1000}'
	run -0 run_ctr c4
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+1$ ]] || fail "$output"
	assert_clean
}

@test "noNewPrivileges: exec'd processes, and exec --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	set_args sleep 1000
	run_detached c1
	run -0 husk exec c1 grep "^NoNewPrivs:" /proc/self/status </dev/null
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0$ ]] || fail "$output"
	run -0 husk exec --no-new-privs c1 grep "^NoNewPrivs:" /proc/self/status </dev/null
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1$ ]] || fail "$output"
	grep -qE "^NoNewPrivs:[[:space:]]+0$" "/proc/$(ctr_pid c1)/status"
	husk delete -f c1

	update_config '.process.noNewPrivileges = true'
	run_detached c2
	run -0 husk exec c2 grep "^NoNewPrivs:" /proc/self/status </dev/null
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1$ ]] || fail "$output"
	husk delete -f c2
	assert_clean
}

# ---------------------------------------------------------------------------
# rlimits

# host_limit NAME soft|hard: this shell's limit from /proc/self/limits
# ("unlimited" or a number), NAME as there ("Max open files").
host_limit() {
	awk -v n="$1" -v w="$2" 'index($0, n " ") == 1 {
		rest = substr($0, length(n) + 1)
		split(rest, f, " ")
		print (w == "soft" ? f[1] : f[2]); exit }' /proc/self/limits
}

# pick LIMIT_NAME WANT: WANT, or the host's hard limit when that is lower
# (rlimits cannot be raised above it here).
pick() {
	local h
	h=$(host_limit "$1" hard)
	if [ "$h" = unlimited ] || [ "$2" -le "$h" ]; then echo "$2"; else echo "$h"; fi
}

@test "rlimits: every RLIMIT_* type, read back from /proc/self/limits" {
	# type, /proc/self/limits name, hard, soft (at most the host's hard:
	# raising it needs CAP_SYS_RESOURCE)
	table=(
		"RLIMIT_CPU|Max cpu time|7200|3600"
		"RLIMIT_FSIZE|Max file size|1073741824|536870912"
		"RLIMIT_DATA|Max data size|4294967296|2147483648"
		"RLIMIT_STACK|Max stack size|33554432|16777216"
		"RLIMIT_CORE|Max core file size|2097152|1048576"
		"RLIMIT_RSS|Max resident set|4294967296|1073741824"
		"RLIMIT_NPROC|Max processes|60000|50000"
		"RLIMIT_NOFILE|Max open files|8192|4096"
		"RLIMIT_MEMLOCK|Max locked memory|4194304|65536"
		"RLIMIT_AS|Max address space|17179869184|8589934592"
		"RLIMIT_LOCKS|Max file locks|2000|1000"
		"RLIMIT_SIGPENDING|Max pending signals|2000|1000"
		"RLIMIT_MSGQUEUE|Max msgqueue size|409600|204800"
		"RLIMIT_NICE|Max nice priority|0|0"
		"RLIMIT_RTPRIO|Max realtime priority|0|0"
		"RLIMIT_RTTIME|Max realtime timeout|2000000|1000000"
	)
	rl='[]'
	want=()
	for row in "${table[@]}"; do
		IFS='|' read -r type name hard soft <<<"$row"
		hard=$(pick "$name" "$hard")
		soft=$(pick "$name" "$soft")
		[ "$soft" -le "$hard" ] || soft=$hard
		rl=$(jq -c --arg t "$type" --argjson h "$hard" --argjson s "$soft" '. + [{type: $t, hard: $h, soft: $s}]' <<<"$rl")
		want+=("$name|$soft|$hard")
	done
	update_config '.process.rlimits = $r' --argjson r "$rl"
	set_cmd 'cat /proc/self/limits'
	run -0 run_ctr c1
	for w in "${want[@]}"; do
		IFS='|' read -r name soft hard <<<"$w"
		line=$(grep "^$name " <<<"$output") || fail "no $name in: $output"
		read -r -a f <<<"${line#"$name"}"
		[ "${f[0]}" = "$soft" ] && [ "${f[1]}" = "$hard" ] ||
			fail "$name: soft ${f[0]} hard ${f[1]}, expected $soft $hard"
	done
	assert_clean
}

@test "rlimits: NOFILE, NPROC, CORE, STACK, MEMLOCK read back with ulimit (soft and -H hard)" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 4096, "hard": 8192},
		{"type": "RLIMIT_NPROC", "soft": 50000, "hard": 60000},
		{"type": "RLIMIT_CORE", "soft": 1048576, "hard": 18446744073709551615},
		{"type": "RLIMIT_STACK", "soft": 16777216, "hard": 33554432},
		{"type": "RLIMIT_MEMLOCK", "soft": 65536, "hard": 4194304}]'
	[ "$(host_limit "Max core file size" hard)" = unlimited ] || skip "this host's hard RLIMIT_CORE is not unlimited"
	[ "$(host_limit "Max processes" hard)" -ge 60000 ] || skip "this host's hard RLIMIT_NPROC is below 60000"
	set_cmd 'for o in n u c s l; do echo "$o $(ulimit -$o) $(ulimit -H$o)"; done'
	run -0 run_ctr c1
	# busybox: -c in 512-byte blocks, -s and -l in KiB
	[ "$output" = $'n 4096 8192\nu 50000 60000\nc 2048 unlimited\ns 16384 32768\nl 64 4096' ] ||
		fail "ulimit: $output"

	# exec'd processes get the container's limits
	set_args sleep 1000
	run_detached c2
	run -0 husk exec c2 sh -c 'ulimit -n; ulimit -Hn' </dev/null
	[ "$output" = $'4096\n8192' ] || fail "exec: $output"
	husk delete -f c2
	assert_clean
}

@test "rlimits: an unknown type is an error naming it, at create, nothing left" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}, {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'RLIMIT_FOO'
	[[ "$stderr" == *rlimits* ]] || fail "the error does not name process.rlimits: $stderr"
	assert_clean
}

@test "rlimits: a duplicated type is an error (runtime-spec: MUST)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}, {"type": "RLIMIT_NOFILE", "soft": 20, "hard": 20}]'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'RLIMIT_NOFILE'
	assert_clean
}

@test "rlimits: soft above hard is an error, nothing left" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 200, "hard": 100}]'
	hrun husk_logged run --bundle "$BUNDLE" c1
	assert_husk_error 'RLIMIT_NOFILE'
	assert_clean
}

@test "rlimits: a hard limit above the host's (no CAP_SYS_RESOURCE) is a clear error, nothing left" {
	if (((16#$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status) >> 24) & 1)); then
		skip "this host's root has CAP_SYS_RESOURCE: it may raise hard limits"
	fi
	h=$(host_limit "Max open files" hard)
	[ "$h" != unlimited ] || skip "this host's hard RLIMIT_NOFILE is unlimited"
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]' --argjson h "$((h + 1))"
	for cmd in create run; do
		rm -f "$LOG"
		hrun husk_logged $cmd --bundle "$BUNDLE" c1
		assert_husk_error 'RLIMIT_NOFILE.*Operation not permitted'
		assert_clean
	done
}

# ---------------------------------------------------------------------------
# LSM: AppArmor and SELinux are not active on this host.

apparmor_enabled() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

selinux_enabled() {
	[ -e /sys/fs/selinux/enforce ]
}

@test "LSM: apparmorProfile without AppArmor is an error at create, nothing left" {
	apparmor_enabled && skip "AppArmor is enabled on this host"
	update_config '.process.apparmorProfile = "husk-test-profile"'
	for cmd in create run; do
		rm -f "$LOG"
		hrun husk_logged $cmd --bundle "$BUNDLE" c1
		assert_husk_error '[Aa]pp[Aa]rmor'
		assert_clean
	done
}

@test "LSM: selinuxLabel or mountLabel without SELinux is an error at create, nothing left" {
	selinux_enabled && skip "SELinux is enabled on this host"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	rm -f "$LOG"
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'SELinux|selinux'
	assert_clean

	update_config 'del(.process.selinuxLabel) | .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	rm -f "$LOG"
	hrun husk_logged run --bundle "$BUNDLE" c2
	assert_husk_error 'SELinux|selinux|mountLabel'
	assert_clean
}

@test "LSM: exec --apparmor / --process-label without the LSM is an error, the container is untouched" {
	apparmor_enabled && skip "AppArmor is enabled on this host"
	selinux_enabled && skip "SELinux is enabled on this host"
	set_args sleep 1000
	run_detached c1
	hrun husk_logged exec --apparmor husk-test-profile c1 true
	[ "$status" -ne 0 ] || fail "exec --apparmor succeeded"
	[[ "$stderr" =~ [Aa]pp[Aa]rmor ]] || fail "stderr: $stderr"
	hrun husk_logged exec --process-label system_u:system_r:container_t:s0 c1 true
	[ "$status" -ne 0 ] || fail "exec --process-label succeeded"
	[[ "$stderr" =~ SELinux|selinux ]] || fail "stderr: $stderr"
	[ "$(ctr_status c1)" = running ]
	run -0 husk exec c1 true </dev/null
	husk delete -f c1
	assert_clean
}

# ---------------------------------------------------------------------------
# ioPriority, scheduler

@test "ioPriority: best-effort, idle and realtime classes, as ionice shows them" {
	set_cmd 'ionice -p $$'
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run -0 run_ctr c1
	[ "$output" = "best-effort: prio 6" ]

	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	run -0 run_ctr c2
	[ "$output" = "idle" ]

	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 3}'
	run -0 run_ctr c3
	[ "$output" = "realtime: prio 3" ]

	# exec'd processes get it from the container's process
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 2}'
	set_args sleep 1000
	run_detached c4
	run -0 husk exec c4 sh -c 'ionice -p $$' </dev/null
	[ "$output" = "best-effort: prio 2" ]
	husk delete -f c4
	assert_clean
}

@test "ioPriority: an unknown class is an error naming it" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_FOO", "priority": 1}'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'IOPRIO_CLASS_FOO|ioPriority'
	assert_clean
}

@test "scheduler: SCHED_BATCH with nice, SCHED_IDLE, SCHED_OTHER with nice (policy and nice in /proc/self/stat)" {
	# fields 19 (nice) and 41 (policy) of the program's own stat
	set_cmd 'awk "{ print \$19, \$41 }" /proc/self/stat; grep "^policy" /proc/self/sched | tr -s " "'
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	run -0 run_ctr c1
	[ "${lines[0]}" = "5 3" ] || fail "SCHED_BATCH nice 5: $output"
	[ "${lines[1]}" = "policy : 3" ] || fail "$output"

	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	run -0 run_ctr c2
	[ "$(cut -d' ' -f2 <<<"${lines[0]}")" = 5 ] || fail "SCHED_IDLE: $output"

	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 7}'
	run -0 run_ctr c3
	[ "${lines[0]}" = "7 0" ] || fail "SCHED_OTHER nice 7: $output"

	# the host sees it on the created process too
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 3}'
	create_ctr c4
	pid=$(ctr_pid c4)
	[ "$(proc_stat_field "$pid" 19) $(proc_stat_field "$pid" 41)" = "3 3" ]
	husk delete -f c4
	assert_clean
}

@test "scheduler: an unknown policy is an error naming it" {
	update_config '.process.scheduler = {"policy": "SCHED_FOO"}'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'SCHED_FOO|scheduler'
	assert_clean
}

# ---------------------------------------------------------------------------
# umask

@test "umask: 027 and 0, in umask's output and in the modes of new files and directories" {
	add_tmpfs /tmp
	set_cmd 'umask; touch /tmp/f /out/f-$0; mkdir /tmp/d; stat -c "%a" /tmp/f /tmp/d'
	update_config '.process.user.umask = 23 | .process.args += ["027"]'
	run -0 run_ctr c1
	[ "$output" = $'0027\n640\n750' ] || fail "umask 027: $output"
	[ "$(stat -c %a "$OUT/f-027")" = 640 ]

	update_config '.process.user.umask = 0 | .process.args[3] = "0"'
	run -0 run_ctr c2
	[ "$output" = $'0000\n666\n777' ] || fail "umask 0: $output"
	[ "$(stat -c %a "$OUT/f-0")" = 666 ]

	# exec'd processes: the container's umask
	update_config '.process.user.umask = 23'
	set_args sleep 1000
	run_detached c3
	run -0 husk exec c3 sh -c umask </dev/null
	[ "$output" = 0027 ]
	husk delete -f c3
	assert_clean
}

# ---------------------------------------------------------------------------
# /proc writes

# A config that covers /proc/sys (after the proc mount) with a directory of
# its own, holding files named like the sysctls: husk must write the real
# sysctls (or fail clearly), never the files of that directory.
@test "/proc writes: sysctls reach the kernel, not a directory bind-mounted over /proc/sys" {
	mkdir -p "$TESTDIR/fakesys/kernel" "$TESTDIR/fakesys/net/ipv4"
	echo 0 >"$TESTDIR/fakesys/kernel/shm_rmid_forced"
	echo 0 >"$TESTDIR/fakesys/net/ipv4/ip_forward"
	update_config '.mounts += [{"destination": "/proc/sys", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]
		| .linux.readonlyPaths -= ["/proc/sys"]
		| .linux.sysctl = {"kernel.shm_rmid_forced": "1", "net.ipv4.ip_forward": "1"}' --arg s "$TESTDIR/fakesys"
	set_args sleep 1000
	hrun husk run -d --bundle "$BUNDLE" c1
	if [ "$status" -eq 0 ]; then
		pid=$(ctr_pid c1)
		# the container's ipc and net namespaces, through the host's /proc
		[ "$(nsenter -t "$pid" -i cat /proc/sys/kernel/shm_rmid_forced)" = 1 ] || fail "kernel.shm_rmid_forced not set"
		[ "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "net.ipv4.ip_forward not set"
		# what the container sees at /proc/sys is the fake directory
		run -0 husk exec c1 cat /proc/sys/kernel/shm_rmid_forced </dev/null
		[ "$output" = 0 ]
		husk delete -f c1
	else
		[[ "$stderr" == "husk: "* ]] || fail "exit $status without a clear error: $stderr"
	fi
	[ "$(cat "$TESTDIR/fakesys/kernel/shm_rmid_forced")" = 0 ] || fail "husk wrote into the fake /proc/sys"
	[ "$(cat "$TESTDIR/fakesys/net/ipv4/ip_forward")" = 0 ] || fail "husk wrote into the fake /proc/sys"
	assert_clean
}

@test "/proc writes: a tmpfs over /proc/sys gets no sysctl file" {
	update_config '.mounts += [{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs", "options": ["rw", "mode=755"]}]
		| .linux.readonlyPaths -= ["/proc/sys"]
		| .linux.sysctl = {"kernel.shm_rmid_forced": "1"}'
	set_cmd 'ls -A /proc/sys | wc -l; sleep 1000'
	hrun husk run -d --bundle "$BUNDLE" c1
	if [ "$status" -eq 0 ]; then
		pid=$(ctr_pid c1)
		[ "$(nsenter -t "$pid" -i cat /proc/sys/kernel/shm_rmid_forced)" = 1 ] || fail "kernel.shm_rmid_forced not set"
		run -0 husk exec c1 find /proc/sys </dev/null
		[ "$output" = /proc/sys ] || fail "files in the tmpfs: $output"
		husk delete -f c1
	else
		[[ "$stderr" == "husk: "* ]] || fail "exit $status without a clear error: $stderr"
	fi
	assert_clean
}
