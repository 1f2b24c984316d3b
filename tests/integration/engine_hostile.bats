#!/usr/bin/env bats
# `husk container run` of hostile or odd images (issue 14): each either
# runs as docker runs it or fails with one line, and nothing is left.

load helpers
load engine_image

setup() {
	setup_engine_test
}

teardown() {
	teardown_test
}

@test "container run: an image whose /etc/passwd is a device or /etc/group a fifo is refused, never opened" {
	# husk resolves the user as root in the host's namespaces: opening a
	# device node of the image would open the host's device.
	rm -f "$BASE/etc/passwd" "$BASE/etc/group"
	mknod "$BASE/etc/passwd" c 1 5
	make_image devpw '{"Cmd":["true"]}' "$BASE"
	hrun eng container run --rm -u app devpw true
	assert_husk_error "the image's /etc/passwd is not a regular file"
	rm -f "$BASE/etc/passwd"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$BASE/etc/passwd"
	mkfifo "$BASE/etc/group"
	make_image fifogr '{"Cmd":["true"]}' "$BASE"
	hrun eng container run --rm -u root fifogr true
	assert_husk_error "the image's /etc/group is not a regular file"
	assert_engine_clean
}

@test "container run: an image config with 100000 Env entries is made in seconds, the later entry wins" {
	local env
	env=$(jq -nc '[range(1; 100001) | "V\(.)=image"]')
	make_image bigenv "{\"Cmd\":[\"env\"],\"Env\":$env}" "$BASE"
	# Was quadratic: about 90 s for the create alone.
	SECONDS=0
	hrun eng container create -e V500=flag bigenv
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$SECONDS" -lt 15 ] || fail "create took ${SECONDS}s"
	id=$output
	jq -e '.process.env | length == 100003 and .[499] == "V500=flag" and .[0] == "V1=image"' \
		"$STORE/containers/$id/config.json" || fail "env: $(jq -c '.process.env[0:3]' "$STORE/containers/$id/config.json")"
	hrun eng container rm "$id"
	assert_engine_clean
}

@test "container run: odd image config values run as docker reads them or fail in one line" {
	make_image epstr '{"Entrypoint":"echo","Cmd":["x"]}' "$BASE"
	crun epstr
	[ "$status" -eq 0 ] && [ "$output" = x ] || fail "string Entrypoint: $status $output $stderr"
	make_image cmdstr '{"Entrypoint":["echo"],"Cmd":"y"}' "$BASE"
	crun cmdstr
	[ "$status" -eq 0 ] && [ "$output" = y ] || fail "string Cmd: $status $output $stderr"
	make_image epnum '{"Entrypoint":5,"Cmd":["x"]}' "$BASE"
	hrun eng container run --rm epnum
	assert_husk_error 'Entrypoint is not an array of strings'
	make_image stopbad '{"Cmd":["true"],"StopSignal":"SIGNOPE"}' "$BASE"
	hrun eng container run --rm stopbad
	assert_husk_error "the image's StopSignal: .*SIGNOPE"
	make_image wdrel '{"Cmd":["pwd"],"WorkingDir":"rel/dir"}' "$BASE"
	hrun eng container run --rm wdrel
	assert_husk_error "the image's WorkingDir rel/dir: the working directory must be absolute"
	# "root:" and ":" leave a part out, as docker reads them.
	make_image usrcolon '{"Cmd":["id","-u"],"User":"root:"}' "$BASE"
	crun usrcolon
	[ "$status" -eq 0 ] && [ "$output" = 0 ] || fail "User root:: $status $output $stderr"
	crun -u : usrcolon
	[ "$status" -eq 0 ] && [ "$output" = 0 ] || fail "-u :: $status $output $stderr"
	# A WorkingDir climbing out of the root stays inside it.
	make_image wdup "{\"Cmd\":[\"pwd\"],\"WorkingDir\":\"/../../../..$TESTDIR/wd-escape\"}" "$BASE"
	crun wdup
	[ "$status" -eq 0 ] || fail "$stderr"
	[ ! -e "$TESTDIR/wd-escape" ] || fail "the WorkingDir was made on the host"
	assert_engine_clean
}

@test "container run: /etc/hosts, hostname, resolv.conf as dangling symlinks (../ out, absolute, missing dirs): bound inside the rootfs, never on the host" {
	mkdir -p "$TESTDIR/escape"
	rm -f "$BASE/etc/hosts" "$BASE/etc/hostname" "$BASE/etc/resolv.conf"
	ln -s "../../../../../../../..$TESTDIR/escape/gone/hosts" "$BASE/etc/hosts"
	ln -s "$TESTDIR/absent/dir/resolv.conf" "$BASE/etc/resolv.conf"
	ln -s missing/dir/hostname "$BASE/etc/hostname"
	make_image dangle '{"Cmd":["true"]}' "$BASE"
	crun --hostname dangle1 dangle sh -c 'cat /etc/hosts /etc/hostname /etc/resolv.conf >/dev/null &&
		grep -q dangle1 /etc/hosts && [ "$(cat /etc/hostname)" = dangle1 ] &&
		[ -L /etc/hosts ] && [ -f "'"$TESTDIR"'/escape/gone/hosts" ] && [ -f /etc/missing/dir/hostname ] &&
		[ -f "'"$TESTDIR"'/absent/dir/resolv.conf" ] && echo ok'
	[ "$status" -eq 0 ] && [ "$output" = ok ] || fail "status $status: $output $stderr"
	[ -z "$(ls -A "$TESTDIR/escape")" ] && [ ! -e "$TESTDIR/absent" ] ||
		fail "made on the host: $(find "$TESTDIR/escape" "$TESTDIR/absent" 2>/dev/null)"
	# The image's layer is untouched: what was made went to the container's upper dir.
	[ -z "$(find "$STORE/layers" -name gone -o -name missing -o -name absent)" ] || fail "written into the layer"
	# A symlink loop is one error, not a hang.
	rm -f "$BASE/etc/hosts"
	ln -s hosts2 "$BASE/etc/hosts"
	ln -s hosts "$BASE/etc/hosts2"
	make_image loop '{"Cmd":["true"]}' "$BASE"
	hrun eng container run --rm loop true
	assert_husk_error "/etc/hosts.*(Too many levels of symbolic links|loop)"
	assert_engine_clean
}
