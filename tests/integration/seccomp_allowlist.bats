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
	# husk as every_way's exec -t runs it (the rootless test: as its user)
	HUSK_ARGV=("$HUSK" --root "$ROOT")
}

teardown() {
	teardown_test
	if [ -n "${SEC_USER:-}" ] && id "$SEC_USER" >/dev/null 2>&1; then
		pkill -9 -U "$SEC_USER" 2>/dev/null || true
		userdel "$SEC_USER" 2>/dev/null || true
	fi
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

# every_way PROFILE WANT_STATUS WANT_STDOUT WANT_STDERR: with
# noNewPrivileges true and false, $PROGRAM under PROFILE through run,
# create + start, exec and exec -t (a pty, driven by script(1)).  The
# default program, for the allowlists: mkdir forks, which they refuse; the
# shell stops there, with WANT_STATUS and WANT_STDERR in its error, which
# shows the filter is in force.
PROGRAM='echo ok; mkdir /tmp/x; echo "not refused"'
every_way() {
	local profile=$1 want_status=$2 want_out=$3 want_err=$4 nnp
	for nnp in true false; do
		update_config '.process.noNewPrivileges = $n | .process.terminal = false' --argjson n "$nnp"
		set_seccomp "$profile"
		set_cmd "$PROGRAM"
		hrun run_ctr "r-$nnp"
		[ "$status" -eq "$want_status" ] || fail "run, nnp $nnp: status $status: $output $stderr"
		[ "$output" = "$want_out" ] || fail "run, nnp $nnp: output: $output $stderr"
		[[ "$stderr" == *"$want_err"* ]] || fail "run, nnp $nnp: stderr: $stderr"

		create_ctr "c-$nnp"
		husk start "c-$nnp" || fail "start, nnp $nnp: $(cat "$TESTDIR/c-$nnp.stderr")"
		wait_status "c-$nnp" stopped 20
		[ "$(cat "$TESTDIR/c-$nnp.stdout")" = "$want_out" ] ||
			fail "create + start, nnp $nnp: $(cat "$TESTDIR/c-$nnp.stdout" "$TESTDIR/c-$nnp.stderr")"
		[[ "$(cat "$TESTDIR/c-$nnp.stderr")" == *"$want_err"* ]] ||
			fail "create + start, nnp $nnp: stderr: $(cat "$TESTDIR/c-$nnp.stderr")"
		husk delete "c-$nnp"

		set_args sleep 1000
		run_detached "e-$nnp"
		hrun husk exec "e-$nnp" sh -c "$PROGRAM"
		[ "$status" -eq "$want_status" ] || fail "exec, nnp $nnp: status $status: $output $stderr"
		[ "$output" = "$want_out" ] || fail "exec, nnp $nnp: output: $output $stderr"
		[[ "$stderr" == *"$want_err"* ]] || fail "exec, nnp $nnp: stderr: $stderr"
		hrun script -qec "$(printf '%q ' "${HUSK_ARGV[@]}" exec -t "e-$nnp" sh -c "$PROGRAM")" /dev/null
		[ "$status" -eq "$want_status" ] || fail "exec -t, nnp $nnp: status $status: $output $stderr"
		# (the pty's CR LF, its echo "^@" (anywhere) of what script(1) sends for its
		# empty stdin, stdout and stderr in one)
		local tty_out
		tty_out=$(tr -d '\r' <<<"$output" | sed 's/\^[@D]//g')
		[ "$(head -n 1 <<<"$tty_out")" = "$(head -n 1 <<<"$want_out")" ] || fail "exec -t, nnp $nnp: output: $output"
		local l
		while IFS= read -r l; do
			grep -Fxq -- "$l" <<<"$tty_out" || fail "exec -t, nnp $nnp: no line $l in: $output"
		done <<<"$want_out"
		[[ "$tty_out" == *"$want_err"* && "$tty_out" != *"not refused"* ]] || fail "exec -t, nnp $nnp: output: $output"
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
	every_way "$(allowlist SCMP_ACT_ERRNO)" 2 ok "can't fork: Operation not permitted"
	assert_clean
}

@test "seccomp allowlist, default SCMP_ACT_ERRNO with defaultErrnoRet 38 (ENOSYS): every way, no_new_privs on and off" {
	every_way "$(allowlist SCMP_ACT_ERRNO 38)" 2 ok "can't fork: Function not implemented"
	assert_clean
}

@test "seccomp allowlist, default SCMP_ACT_KILL_PROCESS: every way, no_new_privs on and off" {
	# the fork of mkdir kills the shell: SIGSYS, 128 + 31
	every_way "$(allowlist SCMP_ACT_KILL_PROCESS)" 159 ok ""
	assert_clean
}

@test "seccomp allowlist in a user namespace (0..65535 mapped): every way, no_new_privs on and off" {
	userns_config
	every_way "$(allowlist SCMP_ACT_ERRNO)" 2 ok "can't fork: Operation not permitted"
	every_way "$(allowlist SCMP_ACT_KILL_PROCESS)" 159 ok ""
	assert_clean
}

# engine_profile FILE: the OCI form of an engine's profile (Docker's
# format: archMap, includes, excludes), as the engine resolves it for a
# container with Docker's default capabilities, which the config is given.
engine_profile() {
	local caps
	caps=$(caps_json "${DOCKER_DEFAULT_CAPS[@]}")
	update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$caps"
	resolve_engine_profile "$1" "$caps"
}

# Under the engines' profiles: the filter is in force (/proc says so).
ENGINE_PROGRAM='echo ok; grep "^Seccomp:" /proc/self/status | tr -d "\t "'
ENGINE_OUT=$'ok\nSeccomp:2'

DOCKER_PROFILE=$REPO_ROOT/tests/data/seccomp/docker-default.json

@test "seccomp: Docker's default profile (tests/data, resolved as dockerd does): every way, no_new_privs on and off" {
	profile=$(engine_profile "$DOCKER_PROFILE")
	PROGRAM=$ENGINE_PROGRAM every_way "$profile" 0 "$ENGINE_OUT" ""
	assert_clean
}

@test "seccomp: podman's default profile (containers-common): every way, no_new_privs on and off" {
	[ -f "$HUSK_PODMAN_SECCOMP" ] || skip "$HUSK_PODMAN_SECCOMP is missing (apt-get install golang-github-containers-common)"
	profile=$(engine_profile "$HUSK_PODMAN_SECCOMP")
	# its defaultErrnoRet (ENOSYS) made it to the config
	[ "$(jq -r .defaultErrnoRet <<<"$profile")" = 38 ] || fail "resolved: $profile"
	PROGRAM=$ENGINE_PROGRAM every_way "$profile" 0 "$ENGINE_OUT" ""
	assert_clean
}

@test "seccomp: Docker's and podman's profiles in a user namespace: every way, no_new_privs on and off" {
	userns_config
	profile=$(engine_profile "$DOCKER_PROFILE")
	PROGRAM=$ENGINE_PROGRAM every_way "$profile" 0 "$ENGINE_OUT" ""
	if [ -f "$HUSK_PODMAN_SECCOMP" ]; then
		profile=$(engine_profile "$HUSK_PODMAN_SECCOMP")
		PROGRAM=$ENGINE_PROGRAM every_way "$profile" 0 "$ENGINE_OUT" ""
	fi
	assert_clean
}

# A real unprivileged user (made here, removed by teardown) runs husk, as
# rootless.bats does: `husk spec --rootless`, a one-id mapping with
# setgroups denied, state under its $XDG_RUNTIME_DIR.
rootless_setup() {
	SEC_USER=hsec$$
	useradd -M -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$SEC_USER"
	cp "$HUSK" "$TESTDIR/husk"
	chmod 755 "$TESTDIR/husk"
	local xdg=$TESTDIR/xdg
	mkdir -m 700 "$xdg"
	chown "$SEC_USER:" "$xdg" "$BUNDLE"
	ROOT=$xdg/husk # teardown_test deletes what is left, as root
	HUSK_ARGV=(setpriv --reuid="$SEC_USER" --regid="$(id -g "$SEC_USER")" --init-groups
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HUSK_TEST_TAG="$TAG" XDG_RUNTIME_DIR="$xdg"
		"$TESTDIR/husk")
	husk() {
		own_cgroup_of "$@"
		HUSK_TEST_TAG=$TAG timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" "${HUSK_ARGV[@]}" "$@"
	}
	rm -f "$BUNDLE/config.json"
	husk spec --rootless --bundle "$BUNDLE" || fail "husk spec --rootless as $SEC_USER failed"
	update_config '.process.env += ["HUSK_TEST_TAG=" + $tag] | .linux.cgroupsPath = $tag' --arg tag "$TAG"
	chown "$SEC_USER:" "$BUNDLE/config.json"
}

@test "seccomp: rootless (a real unprivileged user), an allowlist and Docker's profile: every way, no_new_privs on and off" {
	rootless_setup
	every_way "$(allowlist SCMP_ACT_ERRNO)" 2 ok "can't fork: Operation not permitted"
	every_way "$(allowlist SCMP_ACT_KILL_PROCESS)" 159 ok ""
	profile=$(engine_profile "$DOCKER_PROFILE")
	PROGRAM=$ENGINE_PROGRAM every_way "$profile" 0 "$ENGINE_OUT" ""
	assert_clean
}

# caps_line: the five Cap* lines of the container's program.
CAPS_CMD='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'

@test "seccomp, no_new_privs off: the CAP_SYS_ADMIN kept for the filter is gone after the exec; caps as without a filter" {
	# (a regression guard of the design: passes on main as well)
	update_config '.process.noNewPrivileges = false'
	set_cmd "$CAPS_CMD"
	local admin case
	admin=$(cap_mask CAP_SYS_ADMIN)
	for case in default ambient none; do
		case $case in
		default) update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
				--argjson c "$(caps_json "${RUNC_DEFAULT_CAPS[@]}")" ;;
		ambient) update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
				inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}' \
				--argjson c "$(caps_json "${RUNC_DEFAULT_CAPS[@]}")" ;;
		none) update_config 'del(.process.capabilities)' ;;
		esac
		for uid in 0 1000; do
			update_config '.process.user = {uid: $u, gid: $u} | del(.linux.seccomp)' --argjson u "$uid"
			hrun run_ctr "p-$case-$uid"
			[ "$status" -eq 0 ] || fail "$case, uid $uid, no filter: $status: $stderr"
			local plain=$output
			set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
			hrun run_ctr "f-$case-$uid"
			[ "$status" -eq 0 ] || fail "$case, uid $uid, filter: $status: $stderr"
			[ "$output" = "$plain" ] || fail "$case, uid $uid: with the filter: $output; without: $plain"
			if [ "$case" != none ] || [ "$uid" != 0 ]; then
				(( (16#$(status_field "$output" CapEff) & 16#$admin) == 0 )) || fail "$case, uid $uid: CAP_SYS_ADMIN: $output"
				(( (16#$(status_field "$output" CapPrm) & 16#$admin) == 0 )) || fail "$case, uid $uid: CAP_SYS_ADMIN: $output"
			fi
		done
	done
	# the ambient case did raise CAP_KILL for uid 1000
	update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
		inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]} | .process.user = {uid: 1000, gid: 1000}' \
		--argjson c "$(caps_json "${RUNC_DEFAULT_CAPS[@]}")"
	hrun run_ctr amb
	[ "$(status_field "$output" CapAmb)" = "$(cap_mask CAP_KILL)" ] || fail "ambient: $output"
	assert_clean
}
