#!/usr/bin/env bats
# Issue 13.1: nothing husk does once the container's seccomp filter is in
# place may depend on a syscall the profile can deny, but the final execve.
# husk installs the filter last, just before execve, with no_new_privs on
# or off (then it keeps CAP_SYS_ADMIN until the exec drops it): so an
# allowlist holding only what the program needs is enough, whatever the
# default action.

load helpers
load helpers_security
load helpers_fs

setup() {
	security_setup
}

teardown() {
	teardown_test
}

# What Debian's static busybox (the test rootfs) calls for `sh -c 'echo ok'`
# and `true`, found with `strace -f /bin/busybox sh -c 'echo ok'` (and
# `... true`) on this host and of `husk run` (getcwd); plus clock_nanosleep for `sleep`, the container
# process that `exec` joins, and execve, the last syscall husk makes
# itself.  Nothing husk needs for its own setup is in it: no close_range,
# capset, setresuid, setgroups, prctl's relatives, rt_sigprocmask, sendmsg,
# read or close.
BUSYBOX_SYSCALLS='["arch_prctl", "brk", "execve", "exit_group", "getcwd", "getpid", "getppid", "getrandom",
	"getuid", "mprotect", "newfstatat", "prctl", "prlimit64", "readlink", "rseq", "rt_sigaction",
	"set_robust_list", "set_tid_address", "uname", "write", "clock_nanosleep"]'

# allowlist DEFAULT_ACTION [DEFAULT_ERRNO]: only BUSYBOX_SYSCALLS allowed.
allowlist() {
	jq -n -c --arg a "$1" --arg e "${2:-}" --argjson names "$BUSYBOX_SYSCALLS" \
		'{defaultAction: $a, syscalls: [{names: $names, action: "SCMP_ACT_ALLOW"}]}
		+ (if $e != "" then {defaultErrnoRet: ($e | tonumber)} else {} end)'
}

# every_way PROFILE WANT_STATUS WANT_STDERR: with noNewPrivileges true and
# false, the program `echo ok; mkdir /tmp/x` under PROFILE through run,
# create + start, exec and exec -t (a pty, driven by script(1)).  mkdir
# forks, which the allowlists refuse: the shell stops there, with
# WANT_STATUS and WANT_STDERR in its error, which shows the filter is in
# force.
PROGRAM='echo ok; mkdir /tmp/x; echo "not refused"'
every_way() {
	local profile=$1 want_status=$2 want_err=$3 nnp
	for nnp in true false; do
		update_config '.process.noNewPrivileges = $n | .process.terminal = false' --argjson n "$nnp"
		set_seccomp "$profile"
		set_cmd "$PROGRAM"
		hrun run_ctr "r-$nnp"
		[ "$status" -eq "$want_status" ] || fail "run, nnp $nnp: status $status: $output $stderr"
		[ "$output" = ok ] || fail "run, nnp $nnp: output: $output $stderr"
		[[ "$stderr" == *"$want_err"* ]] || fail "run, nnp $nnp: stderr: $stderr"

		create_ctr "c-$nnp"
		husk start "c-$nnp" || fail "start, nnp $nnp: $(cat "$TESTDIR/c-$nnp.stderr")"
		wait_status "c-$nnp" stopped 20
		[ "$(cat "$TESTDIR/c-$nnp.stdout")" = ok ] ||
			fail "create + start, nnp $nnp: $(cat "$TESTDIR/c-$nnp.stdout" "$TESTDIR/c-$nnp.stderr")"
		[[ "$(cat "$TESTDIR/c-$nnp.stderr")" == *"$want_err"* ]] ||
			fail "create + start, nnp $nnp: stderr: $(cat "$TESTDIR/c-$nnp.stderr")"
		husk delete "c-$nnp"

		set_args sleep 1000
		run_detached "e-$nnp"
		hrun husk exec "e-$nnp" sh -c "$PROGRAM"
		[ "$status" -eq "$want_status" ] || fail "exec, nnp $nnp: status $status: $output $stderr"
		[ "$output" = ok ] || fail "exec, nnp $nnp: output: $output $stderr"
		[[ "$stderr" == *"$want_err"* ]] || fail "exec, nnp $nnp: stderr: $stderr"
		hrun script -qec "$(printf '%q ' "$HUSK" --root "$ROOT" exec -t "e-$nnp" sh -c "$PROGRAM")" /dev/null
		[ "$status" -eq "$want_status" ] || fail "exec -t, nnp $nnp: status $status: $output $stderr"
		# (the pty's CR LF, and its echo "^@" of what script(1) sends for
		# its empty stdin)
		[ "$(head -n 1 <<<"$output" | tr -d '\r' | sed 's/^\(\^.\)*//')" = ok ] || fail "exec -t, nnp $nnp: output: $output $stderr"
		[[ "$output" == *"$want_err"* && "$output" != *"not refused"* ]] || fail "exec -t, nnp $nnp: output: $output"
		[ "$(ctr_status "e-$nnp")" = running ] || fail "exec -t, nnp $nnp: the container is $(ctr_status "e-$nnp")"
		husk delete -f "e-$nnp"
	done
}

@test "seccomp: a profile denying close_range (EPERM and ENOSYS), no_new_privs off" {
	local errno
	for errno in 1 38; do
		update_config ".process.noNewPrivileges = false | .process.args = [\"sh\", \"-c\", \"echo ok\"]"
		set_seccomp "$(jq -n -c --argjson e "$errno" \
			'{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["close_range"], action: "SCMP_ACT_ERRNO", errnoRet: $e}]}')"
		hrun husk_logged run --bundle "$BUNDLE" "cr$errno"
		[ "$status" -eq 0 ] || fail "errno $errno: status $status: $output"
		[[ "$output" == *ok* ]] || fail "errno $errno: $output"
	done
	assert_clean
}

@test "seccomp allowlist, default SCMP_ACT_ERRNO (EPERM): run, create + start, exec, exec -t; no_new_privs on and off" {
	every_way "$(allowlist SCMP_ACT_ERRNO)" 2 "can't fork: Operation not permitted"
	assert_clean
}

@test "seccomp allowlist, default SCMP_ACT_ERRNO with defaultErrnoRet 38 (ENOSYS): every way, no_new_privs on and off" {
	every_way "$(allowlist SCMP_ACT_ERRNO 38)" 2 "can't fork: Function not implemented"
	assert_clean
}

@test "seccomp allowlist, default SCMP_ACT_KILL_PROCESS: every way, no_new_privs on and off" {
	# the fork of mkdir kills the shell: SIGSYS, 128 + 31
	every_way "$(allowlist SCMP_ACT_KILL_PROCESS)" 159 ""
	assert_clean
}

@test "seccomp allowlist in a user namespace (0..65535 mapped): every way, no_new_privs on and off" {
	userns_config
	every_way "$(allowlist SCMP_ACT_ERRNO)" 2 "can't fork: Operation not permitted"
	every_way "$(allowlist SCMP_ACT_KILL_PROCESS)" 159 ""
	assert_clean
}
