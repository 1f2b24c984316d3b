#!/usr/bin/env bats
# linux.seccomp: actions, errnoRet and defaultErrnoRet, argument conditions,
# unknown names, errors, flags, the notify listener, and Docker's and
# podman's default profiles.

load helpers
load helpers_security

setup() {
	security_setup
	add_tmpfs /tmp
}

teardown() {
	teardown_test
}

# deny_mkdir ACTION [EXTRA_RULE_JSON]: defaultAction ALLOW, ACTION for mkdir
# and mkdirat (the rule merged with EXTRA_RULE_JSON).
deny_mkdir() {
	set_seccomp "$(jq -n -c --arg a "$1" --argjson x "${2:-{\}}" \
		'{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: $a} + $x]}')"
}

# Every syscall name of this architecture (the kernel headers that husk is
# built with).
all_syscalls() {
	local h
	for h in /usr/include/x86_64-linux-gnu/asm/unistd_64.h /usr/include/asm/unistd_64.h \
		/usr/include/aarch64-linux-gnu/asm/unistd.h /usr/include/asm-generic/unistd.h; do
		if [ -f "$h" ]; then
			grep -o '^#define __NR_[a-z0-9_]*' "$h" | sed 's/^#define __NR_//' | sort -u
			return
		fi
	done
	fail "no asm/unistd_64.h: apt-get install -y linux-libc-dev"
}

SCRIPT_MKDIR='mkdir /tmp/x; echo "mkdir=$?"; [ -d /tmp/x ] || echo "no-dir"; touch /tmp/f && echo touch=ok; ls /tmp; rm /tmp/f && echo rm=ok'

@test "seccomp: SCMP_ACT_ERRNO errnoRet 1 for mkdir and mkdirat; other syscalls work" {
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 1}'
	set_cmd "$SCRIPT_MKDIR"'; grep -E "^Seccomp(_filters)?:" /proc/self/status'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *"no-dir"* ]]
	[[ "$output" == *"touch=ok"* ]]
	[[ "$output" == *"rm=ok"* ]]
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "not in filter mode: $output"
	[[ "$output" =~ Seccomp_filters:[[:space:]]+1 ]] || fail "not exactly one filter: $output"
	assert_clean
}

@test "seccomp: errnoRet is the errno the syscall fails with" {
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 13}'
	set_cmd 'mkdir /tmp/x'
	hrun run_ctr c1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"

	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 28}'
	hrun run_ctr c2
	[[ "$stderr" == *"No space left on device"* ]] || fail "stderr: $stderr"
	assert_clean
}

@test "seccomp: an ERRNO rule without errnoRet fails with EPERM" {
	deny_mkdir SCMP_ACT_ERRNO
	set_cmd 'mkdir /tmp/x'
	hrun run_ctr c1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
	assert_clean
}

@test "seccomp: defaultErrnoRet for the default action; a rule without errnoRet still gets EPERM" {
	# An allow list of every syscall but mkdir, mkdirat and rmdir: those
	# get the default action, ERRNO with defaultErrnoRet ENOSYS (38).
	# rmdir has a rule of its own, ERRNO without errnoRet: EPERM, as the
	# spec says (defaultErrnoRet is for the default action only).
	names=$(all_syscalls | grep -vxE 'mkdir|mkdirat|rmdir' | jq -R . | jq -s -c .)
	[ "$(jq length <<<"$names")" -gt 300 ] || fail "syscall list: $names"
	set_seccomp "$(jq -n -c --argjson n "$names" '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38,
		syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}, {names: ["rmdir"], action: "SCMP_ACT_ERRNO"}]}')"
	mkdir "$BUNDLE/rootfs/emptydir"
	update_config '.root.readonly = false'
	set_cmd 'mkdir /tmp/x 2>&1; rmdir /emptydir 2>&1; echo done'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[[ "${lines[0]}" == *"Function not implemented"* ]] || fail "mkdir: ${lines[0]}"
	[[ "${lines[1]}" == *"Operation not permitted"* ]] || fail "rmdir (rule without errnoRet): ${lines[1]}"
	[ "${lines[2]}" = done ]
	[ -d "$BUNDLE/rootfs/emptydir" ]
	assert_clean
}

@test "seccomp: KILL_PROCESS, KILL, KILL_THREAD and TRAP end the program by SIGSYS (exit 159)" {
	set_cmd 'exec mkdir /tmp/x'
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
		deny_mkdir "$action"
		hrun run_ctr "c-$action"
		[ "$status" -eq 159 ] || fail "$action: husk run exited $status, expected 159 (128+SIGSYS): $stderr"
	done

	# the same with create, start and state
	deny_mkdir SCMP_ACT_KILL_PROCESS
	set_cmd 'echo before >/out/before; exec mkdir /tmp/x'
	create_ctr c2
	husk start c2
	wait_status c2 stopped 20
	[ -e "$OUT/before" ]
	husk delete c2
	assert_clean
}

@test "seccomp: SCMP_ACT_LOG allows; SCMP_ACT_TRACE without a tracer fails with ENOSYS" {
	deny_mkdir SCMP_ACT_LOG
	set_cmd 'mkdir /tmp/x && echo made'
	run -0 run_ctr c1
	[ "$output" = made ]

	deny_mkdir SCMP_ACT_TRACE '{"errnoRet": 5}'
	set_cmd 'mkdir /tmp/x'
	hrun run_ctr c2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Function not implemented"* ]] || fail "stderr: $stderr"
	assert_clean
}

@test "seccomp: argument conditions, every operator, on kill's signal argument" {
	# The target ignores SIGHUP, SIGUSR1, SIGSEGV, SIGUSR2 and SIGTERM:
	# each kill succeeds unless the filter refuses it (EPERM).  (It dies
	# with the pid namespace when sh, pid 1, exits.)
	set_cmd 'sh -c "trap \"\" 1 10 11 12 15; exec sleep 1000" &
		t=$!
		sleep 0.2
		for s in 1 10 11 12 15; do
			if kill -$s $t 2>/dev/null; then echo "$s=sent"; else echo "$s=denied"; fi
		done
		true'
	check_op() { # OP VALUE VALUETWO DENIED...
		local op=$1 v=$2 v2=$3 s want=
		shift 3
		set_seccomp "$(jq -n -c --arg op "$op" --argjson v "$v" --argjson v2 "$v2" '{defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
				args: [{index: 1, op: $op, value: $v} + (if $v2 >= 0 then {valueTwo: $v2} else {} end)]}]}')"
		for s in 1 10 11 12 15; do
			if [[ " $* " == *" $s "* ]]; then want+="$s=denied "; else want+="$s=sent "; fi
		done
		hrun run_ctr "c-$op"
		[ "$status" -eq 0 ] || fail "$op: husk run exited $status: $stderr" || return
		[ "$(echo $output)" = "${want% }" ] || fail "$op $v: got [$(echo $output)], expected [${want% }]"
	}
	check_op SCMP_CMP_EQ 10 -1 10
	check_op SCMP_CMP_NE 10 -1 1 11 12 15
	check_op SCMP_CMP_LT 10 -1 1
	check_op SCMP_CMP_LE 10 -1 1 10
	check_op SCMP_CMP_GT 11 -1 12 15
	check_op SCMP_CMP_GE 11 -1 11 12 15
	# masked: (sig & 0xfe) == 10 → 10 and 11
	check_op SCMP_CMP_MASKED_EQ 254 10 10 11
	assert_clean
}

@test "seccomp: conditions on two arguments of one rule must all hold" {
	# personality(PER_LINUX32 = 8): linux32 is refused, linux64 (0) not
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		 "args": [{"index": 0, "op": "SCMP_CMP_EQ", "value": 8}]}]}'
	set_cmd 'linux32 true 2>/dev/null; echo "l32=$?"; linux64 true; echo "l64=$?"'
	run -0 run_ctr c1
	[ "$output" = $'l32=1\nl64=0' ]

	# kill(pid, sig): EPERM only when sig is 10 and pid is the target
	set_cmd 'sleep 1000 & a=$!; sh -c "trap \"\" 10 12; exec sleep 1000" & b=$!; sleep 0.2
		kill -12 $b 2>/dev/null; echo "b12=$?"
		kill -10 $b 2>/dev/null; echo "b10=$?"
		kill -10 $a 2>/dev/null; echo "a10=$?"
		kill -9 $b'
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		 "args": [{"index": 1, "op": "SCMP_CMP_EQ", "value": 10}, {"index": 0, "op": "SCMP_CMP_GE", "value": 3}]}]}'
	# pids in the container: sh 1, sleep 2 (a), sh→sleep 3 (b)
	run -0 run_ctr c2
	[ "$output" = $'b12=0\nb10=1\na10=0' ] || fail "got: $output"
	assert_clean
}

@test "seccomp: unknown syscall names are skipped" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["husk_no_such_syscall", "mkdir", "mkdirat", "another_unknown"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		{"names": ["husk_unknown_only"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	set_cmd "$SCRIPT_MKDIR"
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *"touch=ok"* ]]
	[[ "$stderr" == *"Operation not permitted"* ]]
	assert_clean
}

@test "seccomp: architectures of the native and compat ABIs" {
	set_seccomp "$(jq -n -c --arg a "$(scmp_arch)" '{defaultAction: "SCMP_ACT_ALLOW",
		architectures: [$a, "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}')"
	set_cmd "$SCRIPT_MKDIR"
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *"touch=ok"* ]]
	assert_clean
}

@test "seccomp: unknown action, architecture, operator or flag: an error at create naming it, nothing left" {
	good='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	check_bad() { # JQ_FILTER REGEX
		set_seccomp "$(jq -c "$1" <<<"$good")"
		for cmd in create run; do
			rm -f "$LOG"
			hrun husk_logged $cmd --bundle "$BUNDLE" c1
			assert_husk_error "$2" || return
			assert_clean || return
		done
	}
	check_bad '.syscalls[0].action = "SCMP_ACT_FOO"' 'SCMP_ACT_FOO'
	check_bad '.defaultAction = "SCMP_ACT_BAR"' 'SCMP_ACT_BAR'
	check_bad '.architectures = ["SCMP_ARCH_FOO"]' 'SCMP_ARCH_FOO'
	check_bad '.syscalls[0].args = [{"index": 0, "op": "SCMP_CMP_FOO", "value": 1}]' 'op|operator|SCMP_CMP_FOO'
	check_bad '.flags = ["SECCOMP_FILTER_FLAG_FOO"]' 'SECCOMP_FILTER_FLAG_FOO'
	check_bad '.syscalls[0].args = [{"index": 6, "op": "SCMP_CMP_EQ", "value": 1}]' 'index'
}

# Found by fuzz/fuzz_config: json-c aborted on an array call for a list
# that was not one.
@test "seccomp: architectures, syscalls, flags, names or args that are not arrays: an error, not a crash" {
	good='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	local filter re
	while IFS='|' read -r filter re; do
		set_seccomp "$(jq -c "$filter" <<<"$good")"
		rm -f "$LOG"
		hrun husk_logged run --bundle "$BUNDLE" c1
		assert_husk_error "linux\.seccomp\.$re" || return
		assert_clean || return
	done <<'CASES'
.architectures = "SCMP_ARCH_X86"|architectures: must be an array
.syscalls = {"a": 1}|syscalls: must be an array
.flags = "SECCOMP_FILTER_FLAG_LOG"|flags: must be an array
.syscalls[0].names = "mkdir"|syscalls\[0\]: names and args must be arrays
.syscalls[0].args = 1|syscalls\[0\]: names and args must be arrays
CASES
}

@test "seccomp: errnoRet on a rule whose action has no errno is an error (runtime-spec: MUST fail)" {
	rm -f "$LOG"
	deny_mkdir SCMP_ACT_KILL_PROCESS '{"errnoRet": 1}'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'errnoRet'
	assert_clean
}

@test "seccomp: defaultErrnoRet with a default action that has no errno is an error (runtime-spec: MUST fail)" {
	rm -f "$LOG"
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	hrun husk_logged create --bundle "$BUNDLE" c2
	assert_husk_error 'defaultErrnoRet'
	assert_clean
}

@test "seccomp: flags SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted, the filter is in force" {
	for flags in '["SECCOMP_FILTER_FLAG_LOG"]' '["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]' \
		'["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'; do
		deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 1}'
		update_config '.linux.seccomp.flags = $f' --argjson f "$flags"
		set_cmd "$SCRIPT_MKDIR"'; grep "^Seccomp:" /proc/self/status'
		hrun run_ctr c1
		[ "$status" -eq 0 ] || fail "flags $flags: run: $status: $stderr"
		[[ "$output" == *"mkdir=1"* ]] || fail "flags $flags: $output"
		[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "flags $flags: $output"
	done
	assert_clean
}

@test "seccomp: installed just before exec, husk's own setup is not filtered (noNewPrivileges true)" {
	# Everything husk needs to build the container, refused to the
	# program: mount, pivot_root, sethostname, setns, capset, setgroups,
	# setresuid, chdir...  The container still starts.
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [
		"mount", "umount2", "pivot_root", "sethostname", "setdomainname", "unshare", "setns",
		"keyctl", "capset", "setgroups", "setresuid", "setresgid", "setuid", "setgid", "chdir",
		"fchdir", "sched_setattr", "ioprio_set", "setrlimit", "prlimit64", "personality",
		"mknodat", "mknod", "symlinkat", "openat2", "fsopen", "open_tree", "move_mount",
		"mount_setattr", "chroot", "umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	update_config '.process.noNewPrivileges = true | .hostname = "sec" | .process.cwd = "/etc"
		| .process.user.umask = 18 | .process.rlimits += [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	set_cmd 'hostname; pwd; hostname other 2>/dev/null || echo sethostname=denied; cd / 2>/dev/null || echo chdir=denied'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[ "$output" = $'sec\n/etc\nsethostname=denied\nchdir=denied' ] || fail "output: $output"

	# and with create + start: installed after start, before the exec
	set_cmd 'hostname >/out/h; cd / 2>/dev/null || echo chdir=denied >>/out/h'
	create_ctr c2
	husk start c2
	wait_status c2 stopped 20
	[ "$(cat "$OUT/h")" = $'sec\nchdir=denied' ]
	husk delete c2
	assert_clean
}

@test "seccomp: with noNewPrivileges false the filter is installed (before the capabilities are dropped)" {
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 1}'
	update_config '.process.noNewPrivileges = false'
	set_cmd "$SCRIPT_MKDIR"'; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "$output"
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]] || fail "$output"

	# a non-root user: the filter needs CAP_SYS_ADMIN when no_new_privs
	# is off, so it must go in before the switch
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'mkdir /tmp/x; echo "mkdir=$?"; id -u; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	hrun run_ctr c2
	[ "$status" -eq 0 ] || fail "run as 1000: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]] || fail "$output"
	[[ "$output" == *$'\n1000\n'* ]] || fail "$output"
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "$output"
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]] || fail "$output"
	assert_clean
}

@test "seccomp: husk exec'd processes get the container's filter" {
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 1}'
	set_args sleep 1000
	run_detached c1
	hrun husk exec c1 sh -c 'mkdir /tmp/x; echo "mkdir=$?"; grep "^Seccomp:" /proc/self/status'
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]] || fail "$output"
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "$output"
	[[ "$stderr" == *"Operation not permitted"* ]]
	hrun husk exec --cap CAP_SYS_ADMIN c1 mkdir /tmp/y
	[ "$status" -eq 1 ] || fail "exec --cap CAP_SYS_ADMIN mkdir: $status"
	husk delete -f c1

	# noNewPrivileges false: exec's filter too
	update_config '.process.noNewPrivileges = false'
	run_detached c2
	hrun husk exec c2 sh -c 'mkdir /tmp/x; echo "mkdir=$?"; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[[ "$output" == *"mkdir=1"* ]] || fail "$output"
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "$output"
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]] || fail "$output"
	husk delete -f c2
	assert_clean
}

# notify_profile: SCMP_ACT_NOTIFY for mkdir/mkdirat, to the agent.
notify_profile() {
	set_seccomp "$(jq -n -c --arg p "$AGENT_SOCK" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
		listenerMetadata: "husk-test metadata; a=b",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
}

# check_agent_state ID PID: what the agent received is the container process
# state of seccomp.md.
check_agent_state() {
	[ -s "$AGENT_STATE" ] || fail "the agent received nothing: $(cat "$TESTDIR/agent.out")" || return
	local verdict
	verdict=$(jq -r --arg id "$1" --argjson pid "$2" --arg b "$BUNDLE" '
		if .fds != ["seccompFd"] then "fds: \(.fds)"
		elif .pid != $pid then "pid \(.pid), expected \($pid)"
		elif .metadata != "husk-test metadata; a=b" then "metadata: \(.metadata)"
		elif (.ociVersion | type) != "string" then "no ociVersion"
		elif .state.id != $id then "state.id: \(.state.id)"
		elif .state.pid != $pid then "state.pid \(.state.pid)"
		elif .state.bundle != $b then "state.bundle: \(.state.bundle)"
		elif (.state.status | IN("creating", "created", "running") | not) then "state.status: \(.state.status)"
		elif (.state.ociVersion | type) != "string" then "no state.ociVersion"
		else "ok" end' "$AGENT_STATE") || fail "not JSON: $(cat "$AGENT_STATE")" || return
	[ "$verdict" = ok ] || fail "agent state: $verdict: $(cat "$AGENT_STATE")"
}

@test "seccomp notify: husk run sends the fd and the state to listenerPath; the agent's answer is the errno" {
	start_agent 28
	notify_profile
	# the pid the agent gets is the host's: read from the state while the
	# program waits on a fifo
	set_cmd 'mkdir /tmp/x; echo "mkdir=$?"; touch /tmp/f && echo touch=ok; [ -d /tmp/x ] || echo no-dir'
	update_config '.process.args = ["sh", "-c", "read ready </out/go; " + .process.args[2]]'
	mkfifo "$OUT/go"
	bg_tagged "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/c1.stdout" 2>"$TESTDIR/c1.stderr"
	hpid=$BG_PID
	wait_status c1 running 20
	pid=$(ctr_pid c1)
	timeout 20 sh -c 'echo go >"$1"' - "$OUT/go" || fail "the program does not read the fifo"
	st=0
	wait "$hpid" || st=$?
	[ "$st" -eq 0 ] || fail "husk run exited $st: $(cat "$TESTDIR/c1.stderr")"
	[ "$(cat "$TESTDIR/c1.stdout")" = $'mkdir=1\ntouch=ok\nno-dir' ] || fail "stdout: $(cat "$TESTDIR/c1.stdout")"
	grep -q "No space left on device" "$TESTDIR/c1.stderr" || fail "stderr: $(cat "$TESTDIR/c1.stderr")"
	check_agent_state c1 "$pid"
	assert_clean
}

@test "seccomp notify: create + start, noNewPrivileges true and false" {
	for nnp in true false; do
		start_agent 28 "agent-$nnp"
		notify_profile
		update_config '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		set_cmd 'mkdir /tmp/x; echo "mkdir=$?" >/out/result-$0; grep NoNewPrivs /proc/self/status >>/out/result-$0'
		update_config '.process.args += [$n]' --arg n "$nnp"
		create_ctr "c-$nnp"
		pid=$(ctr_pid "c-$nnp")
		husk start "c-$nnp"
		wait_status "c-$nnp" stopped 20
		want=0
		[ "$nnp" = true ] && want=1
		[ "$(head -1 "$OUT/result-$nnp")" = mkdir=1 ] || fail "nnp $nnp: $(cat "$OUT/result-$nnp" "$TESTDIR/c-$nnp.stderr")"
		grep -qE "NoNewPrivs:[[:space:]]+$want" "$OUT/result-$nnp" || fail "nnp $nnp: $(cat "$OUT/result-$nnp")"
		grep -q "No space left on device" "$TESTDIR/c-$nnp.stderr" || fail "nnp $nnp: stderr: $(cat "$TESTDIR/c-$nnp.stderr")"
		check_agent_state "c-$nnp" "$pid" || fail "nnp $nnp"
		husk delete "c-$nnp"
	done
	assert_clean
}

@test "seccomp notify: with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" {
	kv=$(uname -r | sed 's/[^0-9.].*//')
	if [ "$(printf '%s\n' "$kv" 5.19 | sort -V | head -1)" != 5.19 ]; then
		skip "kernel $kv has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)"
	fi
	start_agent 13
	notify_profile
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	set_cmd 'mkdir /tmp/x'
	hrun run_ctr c1
	[ "$status" -eq 1 ] || fail "run: $status: $stderr"
	[[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"
	assert_clean
}

@test "seccomp notify: no listener at listenerPath is an error at run and at start, nothing left" {
	AGENT_SOCK=$TESTDIR/nobody.sock
	notify_profile
	for nnp in false true; do
		update_config '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		rm -f "$LOG"
		hrun husk_logged run --bundle "$BUNDLE" c1
		assert_husk_error 'nobody\.sock'
		assert_clean
	done
	# create + start: the filter (and its fd) comes just before the
	# exec, with noNewPrivileges false as well (issue 13.1): `start`
	# fails naming the listener
	for nnp in false true; do
		update_config '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		create_ctr c2
		rm -f "$LOG"
		hrun husk_logged start c2
		assert_husk_error 'nobody\.sock'
		husk delete -f c2
		assert_clean
	done
}

@test "seccomp notify: SCMP_ACT_NOTIFY without listenerPath is an error" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'listenerPath'
	assert_clean
}

# A script that exercises the shell and the usual tools: loops, pipes,
# subshells, files, /proc.
ENGINE_SCRIPT='set -e
i=0
while [ $i -lt 50 ]; do echo "line $i"; i=$((i + 1)); done >/tmp/f
[ "$(wc -l </tmp/f)" -eq 50 ]
echo "count=$(grep -c line /tmp/f)"
echo "third=$(sort -r /tmp/f | head -n 3 | tail -n 1)"
echo "sum=$(seq 1 100 | awk "{ s += \$1 } END { print s }")"
echo "upper=$(for w in a b c; do echo $w; done | tr a-z A-Z | xargs)"
mkdir -p /tmp/d/e && cp /tmp/f /tmp/d/e/g && mv /tmp/d/e/g /tmp/d/h && ln -s h /tmp/d/l
[ "$(readlink /tmp/d/l)" = h ] && rm -r /tmp/d
echo "sha=$(sha256sum /tmp/f | cut -c1-8)"
(sleep 0.1; echo sub) & wait
date +%s >/dev/null
ps >/dev/null
chmod 600 /tmp/f && chown 65534 /tmp/f
echo "id=$(id -u)"
grep "^Seccomp:" /proc/self/status
echo done'

engine_profile_test() { # PROFILE_FILE PACKAGE
	need_profile "$1" "$2"
	caps=$(caps_json "${DOCKER_DEFAULT_CAPS[@]}")
	update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$caps"
	profile=$(resolve_engine_profile "$PROFILE" "$caps") || fail "cannot resolve $PROFILE"
	[ "$(jq '.syscalls | length' <<<"$profile")" -gt 10 ] || fail "resolved profile: $profile"
	set_seccomp "$profile"
	set_cmd "$ENGINE_SCRIPT"
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "the script failed ($status): $output $stderr"
	want=$(cat <<-'EOF'
		count=50
		third=line 7
		sum=5050
		upper=A B C
		EOF
	)
	[[ "$output" == "$want"* ]] || fail "output: $output"
	[[ "$output" == *$'\nsub\nid=0\n'* ]] || fail "output: $output"
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]] || fail "not under a filter: $output"
	[ "${lines[-1]}" = done ]
}

@test "seccomp: Docker's default profile, resolved as dockerd does, runs a shell script" {
	engine_profile_test "$HUSK_DOCKER_SECCOMP" golang-github-docker-docker-dev
	# Docker's profile refuses unshare without CAP_SYS_ADMIN (a user
	# namespace needs no capability, so it works without the profile)
	set_cmd 'unshare -U true && echo unshare=ok'
	hrun run_ctr c2
	[ "$status" -ne 0 ] || fail "unshare worked under Docker's profile"
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
	update_config 'del(.linux.seccomp)'
	run -0 run_ctr c3
	[ "$output" = unshare=ok ]
	assert_clean
}

@test "seccomp: podman's default profile (containers-common), resolved, runs a shell script" {
	engine_profile_test "$HUSK_PODMAN_SECCOMP" golang-github-containers-common
	# its defaultErrnoRet (ENOSYS) made it to the config
	[ "$(jq -r .linux.seccomp.defaultErrnoRet "$BUNDLE/config.json")" = 38 ]
	assert_clean
}
