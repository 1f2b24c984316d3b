#!/usr/bin/env bats
# Bad input and wrong states: every error is one line "husk: <what>: <why>"
# on stderr, exit 1, the same message as a JSON record with --log-format
# json, and nothing is left behind (state directory, mount, process).

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# create_and_run_fail [REGEX] [-- extra create flags]: both `create` and
# `run` of $BUNDLE as c1 fail cleanly, with a message matching REGEX.
create_and_run_fail() {
	local re=${1:-}
	shift || true
	local cmd
	for cmd in create run "run -d"; do
		rm -f "$LOG"
		# shellcheck disable=SC2086
		hrun husk_logged $cmd --bundle "$BUNDLE" "$@" c1
		assert_husk_error "$re" || fail "husk $cmd" || return
		assert_clean || fail "husk $cmd" || return
	done
}

write_config() {
	printf '%s' "$1" >"$BUNDLE/config.json"
}

@test "malformed JSON" {
	write_config '{"ociVersion": "1.0.2", "process": {'
	create_and_run_fail 'config'
}

@test "config.json that is not a JSON object" {
	write_config '["ociVersion"]'
	create_and_run_fail 'config'
	write_config ''
	create_and_run_fail 'config'
	write_config '{"ociVersion": "1.0.2"} trailing'
	create_and_run_fail 'config'
}

@test "config.json missing" {
	rm "$BUNDLE/config.json"
	create_and_run_fail 'config.json'
}

@test "bundle directory missing" {
	BUNDLE=$TESTDIR/nonexistent
	create_and_run_fail 'nonexistent'
}

@test "invalid config: ociVersion missing" {
	update_config 'del(.ociVersion)'
	create_and_run_fail 'ociVersion'
}

# Issue 12: an unknown flag made the message read the freed flags array
# (a use-after-free: husk crashed or printed garbage).
@test "invalid config: an unknown scheduler flag is named in the error" {
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "flags": ["X"]}'
	create_and_run_fail 'scheduler\.flags\[0\]: unknown flag X$'
}

@test "invalid config: process.args empty or missing" {
	update_config '.process.args = []'
	create_and_run_fail 'args'
	update_config 'del(.process.args)'
	create_and_run_fail 'args'
}

@test "invalid config: wrong type of a field" {
	update_config '.process.args = "sh"'
	create_and_run_fail 'args'
	update_config '.process.args = ["true"] | .process.terminal = "no"'
	create_and_run_fail 'terminal'
	update_config '.process.terminal = false | .process.user.uid = -1'
	create_and_run_fail 'uid'
}

@test "invalid config: relative mount destination" {
	update_config '.mounts += [{"destination": "tmp", "type": "tmpfs", "source": "tmpfs"}]'
	create_and_run_fail 'destination'
}

@test "invalid config: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "foo"}]'
	create_and_run_fail 'foo'
}

@test "invalid config: relative process.cwd" {
	update_config '.process.cwd = "tmp"'
	create_and_run_fail 'cwd'
}

@test "invalid config: hostname without a uts namespace of its own" {
	update_config '.linux.namespaces -= [{"type": "uts"}] | .hostname = "box"'
	create_and_run_fail 'hostname'
}

@test "invalid config: a namespace path that does not exist" {
	update_config '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/proc/999999999/ns/net" else . end]'
	create_and_run_fail 'network|net'
}

@test "namespace path of the wrong type: fails in the container, nothing left" {
	# a network namespace given as the ipc one
	update_config '.linux.namespaces = [.linux.namespaces[] | if .type == "ipc" then .path = "/proc/self/ns/net" else . end]'
	create_and_run_fail 'ipc'
}

@test "invalid config: process.env entry without =" {
	update_config '.process.env += ["NOEQUALS"]'
	create_and_run_fail 'env'
}

@test "rlimit soft above hard: fails in the container, nothing left" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
	create_and_run_fail 'RLIMIT_NOFILE|rlimit'
}

@test "rootfs missing" {
	rm -rf "$BUNDLE/rootfs"
	create_and_run_fail 'rootfs'
}

@test "rootfs is not a directory" {
	rm -rf "$BUNDLE/rootfs"
	touch "$BUNDLE/rootfs"
	create_and_run_fail 'rootfs'
}

@test "root.path pointing elsewhere that does not exist" {
	update_config '.root.path = "/nonexistent/husk/rootfs"'
	create_and_run_fail 'rootfs|nonexistent'
}

@test "bad id: a/b, .., ., empty, over-long" {
	long=$(printf 'a%.0s' $(seq 2000))
	name_max=$(printf 'b%.0s' $(seq 256))
	for id in a/b .. . '' "$long" "$name_max" 'a b' 'a*' 'a:b' '../c1'; do
		rm -f "$LOG"
		hrun husk_logged create --bundle "$BUNDLE" "$id"
		assert_husk_error || fail "create \"$id\""
		assert_clean
		rm -f "$LOG"
		hrun husk_logged run --bundle "$BUNDLE" "$id"
		assert_husk_error || fail "run \"$id\""
		assert_clean
	done
	# nothing was created next to the state root either
	[ -z "$(ls -A "$TESTDIR" | grep -v -e '^bundle$' -e '^out$' -e '^husk.log$' -e '^state$')" ] ||
		fail "left in $TESTDIR: $(ls -A "$TESTDIR")"
}

@test "bad id: other commands refuse it and touch nothing" {
	create_ctr c1
	for id in a/b .. . '' '../state' 'c1/..'; do
		for cmd in state start "kill" "delete" "delete -f"; do
			rm -f "$LOG"
			# shellcheck disable=SC2086
			hrun husk_logged $cmd "$id"
			assert_husk_error || fail "$cmd \"$id\""
		done
	done
	# the root, its parent and the container are all still there
	[ -d "$ROOT" ] && [ -d "$TESTDIR/bundle" ]
	[ "$(ctr_status c1)" = created ]
	husk delete c1
	assert_clean
}

@test "duplicate id: the second create fails and leaves the first alone" {
	set_args sleep 1000
	create_ctr c1
	pid=$(ctr_pid c1)
	state_before=$(husk state c1)
	fds_before=$(ls "/proc/$pid/fd" | sort)
	mkdir "$TESTDIR/bundle2"
	cp -al "$BUNDLE/rootfs" "$TESTDIR/bundle2/rootfs"
	cp "$BUNDLE/config.json" "$TESTDIR/bundle2/config.json"
	for cmd in create run "run -d"; do
		rm -f "$LOG"
		# shellcheck disable=SC2086
		hrun husk_logged $cmd --bundle "$TESTDIR/bundle2" c1
		assert_husk_error 'c1' || fail "$cmd"
		assert_clean c1
	done
	[ "$(husk state c1)" = "$state_before" ]
	[ "$(ls "/proc/$pid/fd" | sort)" = "$fds_before" ] || fail "the first container's fds changed"
	# only the first container's process
	[ "$(tagged_pids)" = "$pid" ] || fail "processes: $(tagged_pids)"
	husk start c1
	[ "$(ctr_status c1)" = running ]
	rm -f "$LOG"
	hrun husk_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error 'c1'
	assert_clean c1
	husk delete -f c1
	assert_clean
}

@test "wrong state: start of a running, stopped or missing container" {
	set_args sleep 1000
	run_detached c1
	hrun husk_logged start c1
	assert_husk_error
	assert_clean c1
	husk kill c1 KILL
	wait_status c1 stopped
	rm -f "$LOG"
	hrun husk_logged start c1
	assert_husk_error
	assert_clean c1
	husk delete c1
	rm -f "$LOG"
	hrun husk_logged start c1
	assert_husk_error 'c1'
	assert_clean
}

@test "wrong state: delete of a running container without --force" {
	set_args sleep 1000
	run_detached c1
	hrun husk_logged delete c1
	assert_husk_error 'c1'
	assert_clean c1
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "wrong state: kill of a stopped or missing container" {
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	hrun husk_logged kill c1 KILL
	assert_husk_error 'c1'
	assert_clean c1
	husk delete c1
	rm -f "$LOG"
	hrun husk_logged kill c1 KILL
	assert_husk_error 'c1'
	rm -f "$LOG"
	hrun husk_logged state c1
	assert_husk_error 'c1'
	rm -f "$LOG"
	hrun husk_logged delete c1
	assert_husk_error 'c1'
	assert_clean
}

# The errno texts in lower case: Docker and podman look for these words to
# exit 127 (not found) or 126 (not executable).
@test "program not found in the container: create fails, nothing left" {
	# jq is on the host's PATH, not in the container's
	set_args jq --version
	create_and_run_fail 'jq.*executable file not found'
	set_args /nonexistent/program
	create_and_run_fail 'nonexistent/program.*no such file or directory'
}

@test "program not executable: create fails, nothing left" {
	set_args /etc/passwd
	create_and_run_fail 'passwd.*permission denied'
	# A directory is not executable either.
	set_args /etc
	create_and_run_fail '/etc.*permission denied'
}

@test "process.terminal without --console-socket: create fails, nothing left" {
	update_config '.process.terminal = true'
	rm -f "$LOG"
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error 'terminal|console'
	assert_clean
	rm -f "$LOG"
	hrun husk_logged run -d --bundle "$BUNDLE" c1
	assert_husk_error 'terminal|console'
	assert_clean
}

@test "bind mount whose source is missing: fails, no mount left" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$TESTDIR/nonexistent-source"
	create_and_run_fail 'nonexistent-source|/data'
}

@test "mount of an unknown filesystem type: fails in the container, nothing left" {
	update_config '.mounts += [{"destination": "/data", "type": "husknosuchfs", "source": "none"}]'
	create_and_run_fail '/data|husknosuchfs'
}

@test "cwd that is not a directory: fails in the container, nothing left" {
	update_config '.process.cwd = "/etc/passwd"'
	create_and_run_fail 'cwd|passwd'
}

@test "pid file in a directory that does not exist: fails, container removed" {
	create_and_run_fail 'pid' --pid-file "$TESTDIR/nonexistent/pid"
}

@test "state root that is not a directory: fails" {
	touch "$TESTDIR/file"
	ROOT=$TESTDIR/file
	hrun husk_logged create --bundle "$BUNDLE" c1
	assert_husk_error
	hrun husk_logged list
	[ "$status" -eq 1 ]
	ROOT=$TESTDIR/state
	assert_clean
}

@test "unknown command and flags are logged as errors too" {
	hrun husk_logged frobnicate
	assert_husk_error 'frobnicate'
	rm -f "$LOG"
	hrun husk_logged create --bogus c1
	assert_husk_error 'bogus'
	rm -f "$LOG"
	hrun husk_logged kill c1 SIGNOPE
	assert_husk_error
	assert_clean
}

@test "an error message is exactly one line, even with a multi-line cause" {
	# The message is built from the config; a newline in a value must not
	# split the error line.
	update_config '.process.args = ["no\nsuch"]'
	create_and_run_fail
}
