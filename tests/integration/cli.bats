#!/usr/bin/env bats
# The command line: names, flags, usage errors, help, version, list.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# A usage error: exit 1, nothing on stdout, one stderr line "husk: ...".
assert_usage_error() {
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (stderr: $stderr)" || return
	[ -z "$output" ] || fail "unexpected stdout: $output" || return
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one stderr line, got: $stderr" || return
	[[ "$stderr" == "husk: "?* ]] || fail "stderr does not start with \"husk: \": $stderr"
}

@test "unknown subcommand: usage error" {
	hrun husk frobnicate
	assert_usage_error
	[[ "$stderr" == *frobnicate* ]]
	hrun husk frobnicate c1
	assert_usage_error
	assert_clean
}

@test "unknown global flag: usage error" {
	hrun husk --bogus list
	assert_usage_error
	[[ "$stderr" == *bogus* ]]
	hrun "$HUSK" -Z list
	assert_usage_error
	assert_clean
}

@test "unknown subcommand flag: usage error, nothing created" {
	for cmd in create run start state kill delete list spec; do
		hrun husk "$cmd" --bogus c1
		assert_usage_error
		[[ "$stderr" == *bogus* ]] || fail "$cmd: the error does not name the flag: $stderr"
	done
	[ ! -e "$ROOT/c1" ]
	assert_clean
}

@test "unknown short flag after the id: usage error" {
	hrun husk create --bundle "$BUNDLE" c1 -Z
	assert_usage_error
	assert_clean
}

@test "flag missing its value: usage error" {
	hrun husk create c1 --bundle
	assert_usage_error
	hrun husk --root
	assert_usage_error
	hrun husk list --format
	assert_usage_error
	assert_clean
}

@test "missing id: usage error" {
	for cmd in create run start state kill delete; do
		hrun husk "$cmd"
		assert_usage_error
	done
	hrun husk create --bundle "$BUNDLE"
	assert_usage_error
	hrun husk delete -f
	assert_usage_error
	hrun husk kill -a
	assert_usage_error
	assert_clean
}

@test "too many arguments: usage error" {
	hrun husk create --bundle "$BUNDLE" c1 c2
	assert_usage_error
	hrun husk start c1 c2
	assert_usage_error
	hrun husk state c1 c2
	assert_usage_error
	hrun husk delete c1 c2
	assert_usage_error
	hrun husk kill c1 KILL extra
	assert_usage_error
	hrun husk list extra
	assert_usage_error
	hrun husk spec extra
	assert_usage_error
	assert_clean
}

@test "no subcommand: prints the usage" {
	# runc prints its help and exits 0; any exit code is accepted here.
	hrun husk
	[[ "$output$stderr" == *create* ]]
}

@test "--help and -h: usage on stdout, exit 0" {
	hrun husk --help
	[ "$status" -eq 0 ]
	for cmd in create start run state list kill delete spec; do
		[[ "$output" == *"$cmd"* ]] || fail "--help does not mention $cmd"
	done
	[ -z "$stderr" ]
	run -0 husk -h
	[[ "$output" == *create* ]]
}

@test "subcommand --help: its usage on stdout, exit 0, nothing done" {
	for cmd in create run start state list kill delete spec; do
		hrun husk "$cmd" --help
		[ "$status" -eq 0 ] || fail "$cmd --help exited $status"
		[[ "$output" == *"$cmd"* ]] || fail "$cmd --help: $output"
		[ -z "$stderr" ]
	done
	run -0 husk create -h c1
	run -0 husk create c1 --help
	[ ! -e "$ROOT/c1" ]
	assert_clean
}

@test "--version and -v" {
	run --separate-stderr -0 husk --version
	[[ "${lines[0]}" =~ ^husk\ version\ [0-9]+\.[0-9]+ ]] || fail "first line: ${lines[0]}"
	[[ "$output" =~ (^|$'\n')spec:\ 1\.[0-9]+\.[0-9]+ ]] || fail "no spec: line: $output"
	[ -z "$stderr" ]
	run -0 husk -v
	[[ "${lines[0]}" =~ ^husk\ version ]]
}

@test "global flags: --log, --log-format, --debug accepted" {
	run -0 husk --debug --log "$LOG" --log-format text list
	run -0 husk --log-format json list
	run -0 husk --log="$LOG" --root="$ROOT" list -q
	[ -z "$output" ]
}

@test "--log-format: unknown format is a usage error" {
	hrun husk --log-format yaml list
	assert_usage_error
}

@test "--log with text format: the error is a logfmt record" {
	hrun husk --log "$LOG" --log-format text state nosuch
	assert_usage_error
	grep -q 'level=error' "$LOG"
	grep -q 'msg="' "$LOG"
	grep -q 'nosuch' "$LOG"
	[[ "$(cat "$LOG")" =~ time=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
}

@test "--root: the state goes where it says" {
	create_ctr c1
	[ -d "$ROOT/c1" ]
	# another root does not see it
	run -0 "$HUSK" --root "$TESTDIR/other" list -q
	[ -z "$output" ]
	husk delete c1
	rm -rf "$TESTDIR/other"
	assert_clean
}

@test "flags after the id: create ID --bundle DIR" {
	set_args sleep 1000
	husk create c1 --bundle "$BUNDLE" </dev/null >/dev/null 2>&1
	[ "$(ctr_status c1)" = created ]
	husk create c2 -b "$BUNDLE" --pid-file "$TESTDIR/c2.pid" </dev/null >/dev/null 2>&1
	[ "$(cat "$TESTDIR/c2.pid")" = "$(ctr_pid c2)" ]
	husk start c1
	husk kill c1 KILL
	wait_status c1 stopped
	husk delete c1 -f
	husk delete c2 --force
	assert_clean
}

@test "flags after the id: run ID -d --bundle DIR" {
	set_args sleep 1000
	husk run c1 -d --bundle "$BUNDLE" </dev/null >/dev/null 2>&1
	[ "$(ctr_status c1)" = running ]
	husk kill c1 KILL -a
	wait_status c1 stopped
	husk delete c1
	assert_clean
}

@test "flags with =: --bundle=DIR, --pid-file=FILE, --format=json" {
	husk create --bundle="$BUNDLE" --pid-file="$TESTDIR/pid" c1 </dev/null >/dev/null 2>&1
	[ "$(cat "$TESTDIR/pid")" = "$(ctr_pid c1)" ]
	run -0 husk list --format=json
	[ "$(jq -r '.[0].id' <<<"$output")" = c1 ]
	husk delete c1
	assert_clean
}

@test "bundle defaults to the current directory" {
	set_cmd 'echo from-cwd-bundle'
	cd "$BUNDLE"
	run -0 husk run c1
	[ "$output" = from-cwd-bundle ]
	assert_clean
}

@test "create and run accept runc's other flags" {
	husk create --bundle "$BUNDLE" --no-pivot --no-new-keyring --preserve-fds 0 c1 </dev/null >/dev/null 2>&1
	husk delete c1
	run -0 husk run --bundle "$BUNDLE" --no-new-keyring --preserve-fds 0 --keep c2
	husk delete c2
	assert_clean
}

@test "--preserve-fds: not a number is a usage error" {
	hrun husk create --bundle "$BUNDLE" --preserve-fds abc c1
	assert_usage_error
	hrun husk create --bundle "$BUNDLE" --preserve-fds -1 c1
	assert_usage_error
	assert_clean
}

@test "list: table with runc's header, and a row per container" {
	run -0 husk list
	[ "${#lines[@]}" -eq 1 ]
	[ "$(tr -s ' ' <<<"${lines[0]}" | sed 's/ $//')" = "ID PID STATUS BUNDLE CREATED OWNER" ]

	set_args sleep 1000
	create_ctr c1
	run_detached c2
	run -0 husk list
	[ "${#lines[@]}" -eq 3 ]
	[ "$(tr -s ' ' <<<"${lines[0]}" | sed 's/ $//')" = "ID PID STATUS BUNDLE CREATED OWNER" ]
	read -r id pid st bundle created owner extra <<<"${lines[1]}"
	[ "$id" = c1 ] && [ "$pid" = "$(ctr_pid c1)" ] && [ "$st" = created ] && [ "$bundle" = "$BUNDLE" ]
	[[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
	[ "$owner" = root ]
	[ -z "$extra" ]
	read -r id pid st bundle created owner extra <<<"${lines[2]}"
	[ "$id" = c2 ] && [ "$pid" = "$(ctr_pid c2)" ] && [ "$st" = running ] && [ "$bundle" = "$BUNDLE" ]
	# Columns are aligned: each field starts where its header does.
	for col in PID STATUS BUNDLE CREATED OWNER; do
		hdr=${lines[0]%%"$col"*}
		[ "${#hdr}" -gt 0 ]
		for row in 1 2; do
			before=${lines[$row]:0:${#hdr}}
			[ "${lines[$row]:${#hdr}:1}" != " " ] || fail "column $col of row $row is not aligned: ${lines[$row]}"
			[ "${before: -1}" = " " ] || fail "column $col of row $row is not aligned: ${lines[$row]}"
		done
	done
	husk delete -f c1
	husk delete -f c2
	assert_clean
}

@test "list --format json: parsed by jq, the same fields" {
	run -0 husk list --format json
	[ "$(jq 'length' <<<"$output")" -eq 0 ]
	set_args sleep 1000
	create_ctr b1
	run_detached a1
	run -0 husk list --format json
	[ "$(jq -r 'map(.id) | join(" ")' <<<"$output")" = "a1 b1" ]
	[ "$(jq -r '.[] | select(.id == "a1") | .status' <<<"$output")" = running ]
	[ "$(jq -r '.[] | select(.id == "b1") | .status' <<<"$output")" = created ]
	[ "$(jq -r '.[] | select(.id == "b1") | .pid' <<<"$output")" = "$(ctr_pid b1)" ]
	jq -e --arg b "$BUNDLE" 'all(.[]; .bundle == $b and .owner == "root" and (.created | test("^[0-9]{4}-")) and (.pid | type == "number"))' <<<"$output"
	husk delete -f a1
	husk delete -f b1
	assert_clean
}

@test "list -q and --quiet: ids only, one per line, sorted" {
	run -0 husk list -q
	[ -z "$output" ]
	create_ctr zz
	create_ctr aa
	create_ctr mm
	run -0 husk list -q
	[ "$output" = $'aa\nmm\nzz' ]
	run -0 husk list --quiet
	[ "$output" = $'aa\nmm\nzz' ]
	for id in aa mm zz; do husk delete "$id"; done
	assert_clean
}

@test "list: --format with an unknown value is a usage error" {
	hrun husk list --format yaml
	assert_usage_error
}

@test "list: a root that does not exist lists nothing" {
	run -0 "$HUSK" --root "$TESTDIR/nonexistent" list -q
	[ -z "$output" ]
	run -0 "$HUSK" --root "$TESTDIR/nonexistent" list
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$TESTDIR/nonexistent" ]
}

@test "--debug with --log-format json: every log line is a JSON record" {
	husk --debug --log "$LOG" --log-format json create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	husk --debug --log "$LOG" --log-format json delete c1
	[ -s "$LOG" ] || fail "--debug logged nothing"
	jq -e -s 'length > 0 and all(.[]; (.level | type == "string") and (.msg | type == "string") and (.time | type == "string"))' "$LOG" >/dev/null ||
		fail "log: $(cat "$LOG")"
	jq -e -s 'any(.[]; .level == "debug")' "$LOG" >/dev/null || fail "no debug record: $(cat "$LOG")"
	assert_clean
}

@test "list: a stopped container shows pid 0" {
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	run -0 husk list
	read -r id pid st _ <<<"${lines[1]}"
	[ "$id $pid $st" = "c1 0 stopped" ]
	husk delete c1
	assert_clean
}
