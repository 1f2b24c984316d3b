#!/usr/bin/env bats
# Issue 13.1: a profile that refuses close_range (written before it
# existed) must not stop husk; without no_new_privs the filter goes in
# before husk's own fd handling, which then falls back.

load helpers
load helpers_security

setup() {
	security_setup
}

teardown() {
	teardown_test
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
