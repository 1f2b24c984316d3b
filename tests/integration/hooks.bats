#!/usr/bin/env bats
# hooks: the six stages, in order, each with the state on stdin, its args
# and env, in the namespace config.md "POSIX-platform Hooks" puts it; the
# failures the spec makes fatal and the ones it makes warnings; timeouts.

load helpers
load helpers_fs

setup() {
	setup_fs
	# The hook: hook.sh DIR STAGE [ARG...] records, in DIR, its stdin, its
	# mount namespace, its args and env, and appends STAGE to DIR/order.
	# On the host for the runtime's stages, in the rootfs (as /hook.sh,
	# which the host does not have) for startContainer.
	cat >"$TESTDIR/hook.sh" <<-'EOF'
		#!/bin/sh
		dir=$1 stage=$2
		cat >"$dir/$stage.json"
		readlink /proc/self/ns/mnt >"$dir/$stage.mnt"
		echo "$*" >"$dir/$stage.args"
		env >"$dir/$stage.env"
		cat /etc/hostname >"$dir/$stage.etc-hostname"
		echo "$stage" >>"$dir/order"
	EOF
	# fail.sh DIR STAGE: records the stage in DIR/order, says so and fails.
	cat >"$TESTDIR/fail.sh" <<-'EOF'
		#!/bin/sh
		echo "$2" >>"$1/order"
		echo "hook-broke-in-$2"
		exit 3
	EOF
	chmod 755 "$TESTDIR/hook.sh" "$TESTDIR/fail.sh"
	cp "$TESTDIR/hook.sh" "$BUNDLE/rootfs/hook.sh"
	cp "$TESTDIR/fail.sh" "$BUNDLE/rootfs/fail.sh"
}

teardown() {
	teardown_test
}

# hook_json SCRIPT DIR STAGE [TIMEOUT]: a hook entry running SCRIPT DIR STAGE.
# Its env carries the test's tag, so that teardown kills a hook left over.
hook_json() {
	jq -n --arg p "$1" --arg d "$2" --arg s "$3" --arg t "$TAG" --argjson to "${4:-null}" \
		'{"path": $p, "args": [($p | sub(".*/"; "")), $d, $s, "arg-of-" + $s],
		  "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOOK_VAR=env-of-" + $s, "HUSK_TEST_TAG=" + $t]}
		 + (if $to then {"timeout": $to} else {} end)'
}

# add_hook STAGE JSON: appends a hook to hooks.STAGE.
add_hook() {
	update_config '.hooks[$s] += [$h]' --arg s "$1" --argjson h "$2"
}

# all_hooks: hook.sh at every stage.
all_hooks() {
	local s
	for s in prestart createRuntime createContainer poststart poststop; do
		add_hook "$s" "$(hook_json "$TESTDIR/hook.sh" "$OUT" "$s")"
	done
	add_hook startContainer "$(hook_json /hook.sh /out startContainer)"
}

order() {
	tr '\n' ' ' <"$OUT/order" 2>/dev/null | sed 's/ $//'
}

# check_state STAGE STATUS [PID]: the state the hook of STAGE read on stdin.
check_state() {
	local f=$OUT/$1.json verdict
	[ -s "$f" ] || fail "$1: no state on stdin" || return
	verdict=$(jq -r --arg st "$2" --arg id c1 --arg b "$BUNDLE" --arg pid "${3:-}" '
		if .status != $st then "status \(.status), expected \($st)"
		elif .id != $id then "id \(.id)"
		elif .bundle != $b then "bundle \(.bundle), expected \($b)"
		elif (.ociVersion | type) != "string" or .ociVersion == "" then "no ociVersion"
		elif .annotations["org.husk.test"] != "annotation-value" then "annotations \(.annotations)"
		elif $pid != "" and (.pid | tostring) != $pid then "pid \(.pid), expected \($pid)"
		else "ok" end' "$f") || fail "$1: stdin is not JSON: $(cat "$f")" || return
	[ "$verdict" = ok ] || fail "$1: state $verdict: $(cat "$f")"
}

@test "the six stages run in order, each with the state on stdin, args and env" {
	all_hooks
	update_config '.annotations = {"org.husk.test": "annotation-value"}'
	set_args sleep 1000
	export HUSK_HOOK_LEAK=from-husk-env
	create_ctr c1
	pid=$(ctr_pid c1)
	[ "$(order)" = "prestart createRuntime createContainer" ]
	husk start c1
	[ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ]
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	husk delete -f c1
	unset HUSK_HOOK_LEAK
	[ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ]

	check_state prestart creating "$pid"
	check_state createRuntime creating "$pid"
	check_state createContainer creating "$pid"
	check_state startContainer created "$pid"
	check_state poststart running "$pid"
	check_state poststop stopped

	for s in prestart createRuntime createContainer startContainer poststart poststop; do
		dir=$OUT
		[ "$s" = startContainer ] && dir=/out
		[ "$(cat "$OUT/$s.args")" = "$dir $s arg-of-$s" ] || fail "$s args: $(cat "$OUT/$s.args")"
		grep -qx "HOOK_VAR=env-of-$s" "$OUT/$s.env" || fail "$s env: $(cat "$OUT/$s.env")"
		! grep -q HUSK_HOOK_LEAK "$OUT/$s.env" || fail "$s got husk's environment: $(cat "$OUT/$s.env")"
	done
	assert_clean
}

@test "hooks run in the namespaces config.md names: the runtime's, or the container's" {
	all_hooks
	update_config '.annotations = {"org.husk.test": "annotation-value"}'
	echo host-etc-marker >"$TESTDIR/marker"
	set_args sleep 1000
	create_ctr c1
	pid=$(ctr_pid c1)
	husk start c1
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	husk delete -f c1
	[ "$ctr_mnt" != "$(host_ns mnt)" ]
	for s in prestart createRuntime poststart poststop; do
		[ "$(cat "$OUT/$s.mnt")" = "$(host_ns mnt)" ] || fail "$s ran in $(cat "$OUT/$s.mnt"), not the runtime's $(host_ns mnt)"
	done
	for s in createContainer startContainer; do
		[ "$(cat "$OUT/$s.mnt")" = "$ctr_mnt" ] || fail "$s ran in $(cat "$OUT/$s.mnt"), not the container's $ctr_mnt"
	done
	# startContainer ran after pivot_root: /etc/hostname is the rootfs's
	[ "$(cat "$OUT/startContainer.etc-hostname")" = husk-test ]
	[ "$(cat "$OUT/poststart.etc-hostname")" = "$(cat /etc/hostname)" ]
	assert_clean
}

@test "husk run: every stage runs, poststop once the program has exited" {
	all_hooks
	update_config '.annotations = {"org.husk.test": "annotation-value"}'
	set_cmd 'echo program >>/out/order'
	run_ok run_ctr c1
	[ "$(order)" = "prestart createRuntime createContainer startContainer program poststart poststop" ] ||
		[ "$(order)" = "prestart createRuntime createContainer startContainer poststart program poststop" ] ||
		fail "order: $(order)"
	check_state poststart running
	check_state poststop stopped
	assert_clean
}

@test "a failing createRuntime hook fails create with its output; nothing is left, the program never runs" {
	add_hook createRuntime "$(hook_json "$TESTDIR/fail.sh" "$OUT" createRuntime)"
	add_hook createRuntime "$(hook_json "$TESTDIR/hook.sh" "$OUT" createRuntime-after)"
	set_cmd 'echo program >>/out/order'
	for cmd in create run; do
		rm -f "$LOG" "$OUT/order"
		hrun husk_logged $cmd --bundle "$BUNDLE" c1
		assert_husk_error 'createRuntime.*hook-broke-in-createRuntime'
		assert_clean
		# the hooks after the failing one did not run, nor did the program
		[ "$(order)" = createRuntime ] || fail "$cmd: order: $(order)"
	done
}

@test "a failing prestart or createContainer hook fails create; nothing is left" {
	for s in prestart createContainer; do
		update_config 'del(.hooks)'
		add_hook "$s" "$(hook_json "$TESTDIR/fail.sh" "$OUT" "$s")"
		rm -f "$LOG" "$OUT/order"
		hrun husk_logged create --bundle "$BUNDLE" c1
		assert_husk_error "$s.*hook-broke-in-$s" || fail "stage $s"
		assert_clean
		[ "$(order)" = "$s" ]
	done
}

@test "a failing createRuntime hook: the poststop hooks still run (the lifecycle goes on at delete)" {
	add_hook createRuntime "$(hook_json "$TESTDIR/fail.sh" "$OUT" createRuntime)"
	add_hook poststop "$(hook_json "$TESTDIR/hook.sh" "$OUT" poststop)"
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'createRuntime'
	assert_clean
	[ "$(order)" = "createRuntime poststop" ] || fail "order: $(order)"
}

@test "a failing startContainer hook fails start; the program never runs and the container is stopped" {
	add_hook startContainer "$(hook_json /fail.sh /out startContainer)"
	set_cmd 'echo program >>/out/order; sleep 1000'
	create_ctr c1
	rm -f "$LOG"
	hrun husk_logged start c1
	assert_husk_error 'startContainer.*hook-broke-in-startContainer|hook-broke-in-startContainer'
	[ "$(order)" = startContainer ] || fail "order: $(order)"
	wait_status c1 stopped
	husk delete c1
	assert_clean
}

@test "a hook past its timeout is killed and fails create" {
	cat >"$TESTDIR/slow.sh" <<-'EOF'
		#!/bin/sh
		echo $$ >"$1/slow.pid"
		exec sleep 1000
	EOF
	chmod 755 "$TESTDIR/slow.sh"
	add_hook createRuntime "$(hook_json "$TESTDIR/slow.sh" "$OUT" createRuntime 1)"
	start=$SECONDS
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'createRuntime.*(timed out|timeout)'
	[ $((SECONDS - start)) -lt 15 ] || fail "create took $((SECONDS - start)) s with a 1 s hook timeout"
	hook_pid=$(cat "$OUT/slow.pid")
	wait_for 5 pid_gone "$hook_pid" || fail "the hook $hook_pid is still alive"
	assert_clean
}

@test "a failing poststart hook only warns: start succeeds, the container runs" {
	add_hook poststart "$(hook_json "$TESTDIR/fail.sh" "$OUT" poststart)"
	set_args sleep 1000
	create_ctr c1
	hrun husk start c1
	[ "$status" -eq 0 ] || fail "start failed: $stderr"
	[[ "$stderr" == *"hook-broke-in-poststart"* || "$stderr" == *poststart* ]] || fail "no warning: $stderr"
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "a failing poststop hook only warns: delete succeeds and removes the container" {
	add_hook poststop "$(hook_json "$TESTDIR/fail.sh" "$OUT" poststop)"
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	hrun husk delete c1
	[ "$status" -eq 0 ] || fail "delete failed: $stderr"
	[[ "$stderr" == *poststop* ]] || fail "no warning: $stderr"
	[ "$(order)" = poststop ]
	assert_clean
}

@test "after a failing poststart or poststop hook the remaining hooks still run" {
	add_hook poststart "$(hook_json "$TESTDIR/fail.sh" "$OUT" poststart)"
	add_hook poststart "$(hook_json "$TESTDIR/hook.sh" "$OUT" poststart-second)"
	add_hook poststop "$(hook_json "$TESTDIR/fail.sh" "$OUT" poststop)"
	add_hook poststop "$(hook_json "$TESTDIR/hook.sh" "$OUT" poststop-second)"
	set_args sleep 1000
	create_ctr c1
	husk start c1 2>/dev/null
	husk delete -f c1 2>/dev/null
	[ "$(order)" = "poststart poststart-second poststop poststop-second" ] || fail "order: $(order)"
	assert_clean
}

@test "error: a hook timeout that is not above zero, a relative hook path" {
	add_hook createRuntime "$(hook_json "$TESTDIR/hook.sh" "$OUT" createRuntime 0)"
	ctr_create_fail 'timeout'
	update_config 'del(.hooks)'
	add_hook createRuntime "$(hook_json hook.sh "$OUT" createRuntime)"
	ctr_create_fail 'path|hook\.sh'
	[ ! -e "$OUT/order" ]
}
