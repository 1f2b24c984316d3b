#!/usr/bin/env bats
# husk spec: the default config.json, the same as runc's.

load helpers

setup() {
	setup_test
	SPEC=$TESTDIR/spec
	mkdir -p "$SPEC/husk" "$SPEC/runc"
}

teardown() {
	teardown_test
}

# same_field FILTER: the field is the same in husk's and runc's config.
same_field() {
	local h r
	h=$(jq -S -c "$1" "$SPEC/husk/config.json")
	r=$(jq -S -c "$1" "$SPEC/runc/config.json")
	[ "$h" = "$r" ] || fail "$1: husk has $h, runc has $r"
}

need_runc() {
	command -v runc >/dev/null || fail "runc is not installed (apt-get install -y runc)"
}

@test "spec: writes config.json in the current directory, valid JSON" {
	cd "$SPEC/husk"
	run -0 husk spec
	[ -z "$output" ]
	jq -e . config.json >/dev/null
	[ "$(jq -r '.root.path' config.json)" = rootfs ]
	[ "$(jq -r '.process.args[0]' config.json)" = sh ]
}

@test "spec: the defaults are runc's" {
	need_runc
	(cd "$SPEC/husk" && "$HUSK" spec)
	(cd "$SPEC/runc" && runc spec)
	# Each writes the spec version it implements: runc's own is older.
	[ "$(jq -r .ociVersion "$SPEC/husk/config.json")" = 1.3.0 ]
	for f in .process.terminal .process.user .process.args .process.env .process.cwd \
		.process.capabilities .process.rlimits .process.noNewPrivileges \
		.root .mounts .linux.namespaces .linux.maskedPaths .linux.readonlyPaths \
		.linux.resources .linux.uidMappings .linux.gidMappings; do
		same_field "$f"
	done
	# The same keys everywhere (hostname differs by name only).
	same_field '[paths | map(tostring) | join(".")] | sort'
	[ "$(jq -r '.hostname | type' "$SPEC/husk/config.json")" = string ]
}

@test "spec --rootless: runc's rootless defaults" {
	need_runc
	(cd "$SPEC/husk" && "$HUSK" spec --rootless)
	(cd "$SPEC/runc" && runc spec --rootless)
	for f in .linux.namespaces .linux.uidMappings .linux.gidMappings .mounts .linux.resources \
		.process .root .linux.maskedPaths .linux.readonlyPaths; do
		same_field "$f"
	done
	same_field '[paths | map(tostring) | join(".")] | sort'
}

@test "spec --rootless: a user namespace, no network namespace, mappings of the caller" {
	cd "$SPEC/husk"
	husk spec --rootless
	jq -e '.linux.namespaces | map(.type) | index("user") != null' config.json
	jq -e '.linux.namespaces | map(.type) | index("network") == null' config.json
	[ "$(jq -c '.linux.uidMappings' config.json)" = "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" ]
	[ "$(jq -c '.linux.gidMappings' config.json)" = "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]" ]
}

@test "spec --rootless: run by another user, maps that user" {
	command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
	chmod 777 "$SPEC/husk"
	chmod 755 "$TESTDIR" "$SPEC"
	(cd "$SPEC/husk" && setpriv --reuid 65534 --regid 65534 --clear-groups "$HUSK" spec --rootless) ||
		fail "husk spec as uid 65534 failed"
	[ "$(stat -c %u "$SPEC/husk/config.json")" = 65534 ]
	[ "$(jq -c '.linux.uidMappings' "$SPEC/husk/config.json")" = '[{"containerID":0,"hostID":65534,"size":1}]' ]
	[ "$(jq -c '.linux.gidMappings' "$SPEC/husk/config.json")" = '[{"containerID":0,"hostID":65534,"size":1}]' ]
}

@test "spec: refuses to overwrite an existing config.json" {
	cd "$SPEC/husk"
	echo '{"mine": true}' >config.json
	hrun husk_logged spec
	assert_husk_error 'config.json'
	[ "$(cat config.json)" = '{"mine": true}' ]
	rm -f "$LOG"
	hrun husk_logged spec --rootless
	assert_husk_error 'config.json'
	[ "$(cat config.json)" = '{"mine": true}' ]
}

@test "spec: refuses to overwrite even a dangling config.json symlink" {
	cd "$SPEC/husk"
	ln -s "$TESTDIR/target" config.json
	hrun husk_logged spec
	assert_husk_error 'config.json'
	[ ! -e "$TESTDIR/target" ]
}

@test "spec --bundle and -b: write into that directory only" {
	mkdir "$TESTDIR/cwd"
	cd "$TESTDIR/cwd"
	husk spec --bundle "$SPEC/husk"
	jq -e . "$SPEC/husk/config.json" >/dev/null
	husk spec -b "$SPEC/runc"
	jq -e . "$SPEC/runc/config.json" >/dev/null
	[ -z "$(ls -A "$TESTDIR/cwd")" ]
	rm "$SPEC/runc/config.json"
	husk spec --bundle="$SPEC/runc"
	cmp "$SPEC/husk/config.json" "$SPEC/runc/config.json"
}

@test "spec --bundle: a directory that does not exist is an error" {
	hrun husk_logged spec --bundle "$TESTDIR/nonexistent"
	assert_husk_error 'nonexistent'
	[ ! -e "$TESTDIR/nonexistent" ]
}

@test "spec: the default config, with terminal off, runs in husk" {
	rm "$BUNDLE/config.json"
	husk spec --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo ok"]'
	run -0 run_ctr c1
	[ "$output" = ok ]
	assert_clean
}
