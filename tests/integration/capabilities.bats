#!/usr/bin/env bats
# process.capabilities: the five sets, read back from /proc/<pid>/status,
# of the container process while it is created (husk's stub, with the sets
# applied) and of the program it execs; unknown names; capabilities the host
# lacks; `exec --cap`.

load helpers
load helpers_security

setup() {
	security_setup
}

teardown() {
	teardown_test
}

STATUS_CMD='grep "^Cap" /proc/self/status'

# set_caps BND EFF PRM INH AMB: each a JSON array.
set_caps() {
	update_config '.process.capabilities = {bounding: $b, effective: $e, permitted: $p, inheritable: $i, ambient: $a}' \
		--argjson b "$1" --argjson e "$2" --argjson p "$3" --argjson i "$4" --argjson a "$5"
}

# The status of the created container's process (husk's stub, everything
# applied but the exec).
created_status() {
	local pid
	pid=$(ctr_pid "$1")
	[ -n "$pid" ] || fail "no pid for $1" || return
	cat "/proc/$pid/status"
}

@test "capabilities: runc's default config (ambient without inheritable is not raised)" {
	# husk spec: bounding = effective = permitted = ambient, no inheritable
	[ "$(jq -c '.process.capabilities | keys' "$BUNDLE/config.json")" = '["ambient","bounding","effective","permitted"]' ]
	m=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}")
	[ "$m" = 0000000020000420 ]
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c1
	assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000

	# the same sets in the created process, before the exec
	create_ctr c2
	st=$(created_status c2)
	assert_caps "$st" 0000000000000000 "$m" "$m" "$m" 0000000000000000
	husk delete -f c2
	assert_clean
}

@test "capabilities: Docker's default set in bounding, effective and permitted" {
	caps=$(caps_json "${DOCKER_DEFAULT_CAPS[@]}")
	set_caps "$caps" "$caps" "$caps" '[]' '[]'
	m=$(cap_mask "${DOCKER_DEFAULT_CAPS[@]}")
	[ "$m" = 00000000a80425fb ]
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c1
	assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000
	assert_clean
}

@test "capabilities: an empty set in every field drops everything" {
	set_caps '[]' '[]' '[]' '[]' '[]'
	set_cmd "$STATUS_CMD; touch /out/f && chown 65534 /out/f 2>&1; echo chown=\$?"
	run -0 run_ctr c1
	z=0000000000000000
	assert_caps "$output" $z $z $z $z $z
	# root without CAP_CHOWN cannot give a file away
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"chown=1"* ]]

	# an empty capabilities object: the same
	update_config '.process.capabilities = {}'
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c2
	assert_caps "$output" $z $z $z $z $z
	assert_clean
}

@test "capabilities: everything the host's bounding set has but CAP_SYS_RESOURCE, in all five sets" {
	mapfile -t all < <(host_bounding_caps | grep -vx CAP_SYS_RESOURCE)
	[ "${#all[@]}" -gt 30 ] || fail "host bounding set: ${all[*]}"
	caps=$(caps_json "${all[@]}")
	set_caps "$caps" "$caps" "$caps" "$caps" "$caps"
	m=$(cap_mask "${all[@]}")
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c1
	assert_caps "$output" "$m" "$m" "$m" "$m" "$m"

	create_ctr c2
	assert_caps "$(created_status c2)" "$m" "$m" "$m" "$m" "$m"
	husk delete -f c2
	assert_clean
}

@test "capabilities: five different sets, a non-root user, ambient capabilities raised" {
	B=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETUID CAP_SETGID)
	P=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW)
	E=(CAP_CHOWN CAP_KILL)
	I=(CAP_CHOWN CAP_FOWNER CAP_NET_BIND_SERVICE CAP_NET_RAW)
	A=(CAP_CHOWN CAP_NET_BIND_SERVICE)
	set_caps "$(caps_json "${B[@]}")" "$(caps_json "${E[@]}")" "$(caps_json "${P[@]}")" \
		"$(caps_json "${I[@]}")" "$(caps_json "${A[@]}")"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	add_tmpfs /tmp
	# CAP_CHOWN (ambient) works for uid 1000; CAP_FOWNER (inheritable
	# only) does not
	set_cmd "$STATUS_CMD"'
		id -u
		touch /tmp/f && chown 0:0 /tmp/f && echo chown=ok
		chmod 600 /tmp/f 2>/dev/null || echo chmod=denied
		sleep 1000'
	mb=$(cap_mask "${B[@]}")
	mp=$(cap_mask "${P[@]}")
	me=$(cap_mask "${E[@]}")
	mi=$(cap_mask "${I[@]}")
	ma=$(cap_mask "${A[@]}")

	# Created: husk's process has switched to uid 1000 and holds exactly
	# the configured sets.
	create_ctr c1
	st=$(created_status c1)
	[[ "$(status_field "$st" Uid)" == 1000 ]] || fail "uid: $(grep ^Uid <<<"$st")"
	assert_caps "$st" "$mi" "$mp" "$me" "$mb" "$ma"

	# Started: the kernel's exec rules for a non-root user without file
	# capabilities: permitted = effective = ambient.
	husk start c1
	wait_for 20 grep -q 'chmod=denied' "$TESTDIR/c1.stdout" || fail "output: $(cat "$TESTDIR/c1.stdout" "$TESTDIR/c1.stderr")"
	out=$(cat "$TESTDIR/c1.stdout")
	assert_caps "$out" "$mi" "$ma" "$ma" "$mb" "$ma"
	[[ "$out" == *$'\n1000\n'* ]] || fail "not uid 1000: $out"
	[[ "$out" == *"chown=ok"* ]] || fail "CAP_CHOWN (ambient) does not work: $out"
	# and the process as the host sees it
	pid=$(ctr_pid c1)
	assert_caps "$(cat "/proc/$pid/status")" "$mi" "$ma" "$ma" "$mb" "$ma"
	husk delete -f c1
	assert_clean
}

@test "capabilities: an ambient capability that is not inheritable is not raised" {
	caps=$(caps_json CAP_CHOWN CAP_KILL)
	set_caps "$caps" "$caps" "$caps" "$(caps_json CAP_CHOWN)" "$caps"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c1
	c=$(cap_mask CAP_CHOWN)
	assert_caps "$output" "$c" "$c" "$c" "$(cap_mask CAP_CHOWN CAP_KILL)" "$c"
	assert_clean
}

@test "capabilities: an unknown name (CAP_FOO) is skipped with a warning, the container runs" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_FOO"])'
	set_cmd "$STATUS_CMD"
	hrun husk run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "husk run: $status: $stderr"
	m=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}")
	assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000
	[[ "$stderr" == *CAP_FOO* ]] || fail "no warning naming CAP_FOO on stderr: $stderr"
	[[ "$stderr" != *"husk: "* ]] || fail "an error was printed: $stderr"

	# with --log, the warning is a record of level warning
	hrun husk_logged run --bundle "$BUNDLE" c2
	[ "$status" -eq 0 ] || fail "husk run: $status: $stderr"
	jq -e -s 'any(.[]; .level == "warning" and (.msg | contains("CAP_FOO")))' "$LOG" >/dev/null ||
		fail "no warning record naming CAP_FOO: $(cat "$LOG")"
	jq -e -s 'all(.[]; .level != "error")' "$LOG" >/dev/null || fail "error records: $(cat "$LOG")"
	assert_clean
}

@test "capabilities: one the host lacks (CAP_SYS_RESOURCE) is an error at create, nothing is left" {
	if host_bounding_caps | grep -qx CAP_SYS_RESOURCE; then
		skip "this host's bounding set has CAP_SYS_RESOURCE"
	fi
	update_config '.process.capabilities.effective += ["CAP_SYS_RESOURCE"]
		| .process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error '[Cc]apabilit.*Operation not permitted'
	assert_clean

	rm -f "$LOG"
	hrun husk_logged run --bundle "$BUNDLE" c2
	assert_husk_error '[Cc]apabilit.*Operation not permitted'
	assert_clean

	# in the inheritable set only: the same
	update_config '.process.capabilities.effective -= ["CAP_SYS_RESOURCE"]
		| .process.capabilities.permitted -= ["CAP_SYS_RESOURCE"]
		| .process.capabilities.inheritable = ["CAP_SYS_RESOURCE"]'
	rm -f "$LOG"
	hrun husk_logged run --bundle "$BUNDLE" c3
	assert_husk_error '[Cc]apabilit.*Operation not permitted'
	assert_clean
}

@test "capabilities: one the host lacks, in the bounding set only, is simply absent (as with runc)" {
	if host_bounding_caps | grep -qx CAP_SYS_RESOURCE; then
		skip "this host's bounding set has CAP_SYS_RESOURCE"
	fi
	update_config '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]'
	set_cmd "$STATUS_CMD"
	run -0 run_ctr c1
	m=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}")
	assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000
	assert_clean
}

@test "capabilities: exec --cap adds a capability to the exec'd process" {
	set_args sleep 1000
	run_detached c1
	m=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}")
	mx=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}" CAP_NET_ADMIN CAP_SYS_ADMIN)

	hrun husk exec c1 sh -c "$STATUS_CMD"
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000

	hrun husk exec --cap CAP_NET_ADMIN --cap CAP_SYS_ADMIN c1 sh -c "$STATUS_CMD"
	[ "$status" -eq 0 ] || fail "exec --cap: $status: $stderr"
	assert_caps "$output" 0000000000000000 "$mx" "$mx" "$mx" 0000000000000000

	# and it is usable: CAP_NET_ADMIN brings lo up in the container's
	# network namespace
	hrun husk exec c1 ip link set lo up
	[ "$status" -ne 0 ] || fail "ip link set lo up worked without CAP_NET_ADMIN"
	hrun husk exec --cap CAP_NET_ADMIN c1 ip link set lo up
	[ "$status" -eq 0 ] || fail "exec --cap CAP_NET_ADMIN ip link set lo up: $status: $stderr"

	# the container's own process is untouched
	assert_caps "$(cat "/proc/$(ctr_pid c1)/status")" 0000000000000000 "$m" "$m" "$m" 0000000000000000
	husk delete -f c1
	assert_clean
}

@test "capabilities: a /proc/sys mounted by the config cannot change which capabilities are dropped" {
	# husk must learn the kernel's last capability from the real procfs,
	# not from whatever the container's /proc/sys holds after pivot_root:
	# a fake cap_last_cap of 5 would leave capabilities 6 to 40 (among
	# them CAP_SYS_ADMIN) in the bounding set, and root gets the bounding
	# set at exec when no_new_privs is off.
	mkdir -p "$TESTDIR/fakesys/kernel"
	echo 5 >"$TESTDIR/fakesys/kernel/cap_last_cap"
	update_config '.mounts += [{"destination": "/proc/sys", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]
		| .process.noNewPrivileges = false' --arg s "$TESTDIR/fakesys"
	set_cmd "cat /proc/sys/kernel/cap_last_cap; $STATUS_CMD"
	hrun run_ctr c1
	if [ "$status" -eq 0 ]; then
		[ "${lines[0]}" = 5 ] || fail "the fake /proc/sys is not in place: $output"
		m=$(cap_mask "${RUNC_DEFAULT_CAPS[@]}")
		assert_caps "$output" 0000000000000000 "$m" "$m" "$m" 0000000000000000
		[[ "$stderr" != *"not known to this kernel"* ]] || fail "known capabilities were skipped: $stderr"
	else
		# refusing such a /proc is fine too, with an error
		[[ "$stderr" == "husk: "* ]] || fail "exit $status without an error: $stderr"
	fi
	assert_clean
}
