#!/usr/bin/env bats
# checkpoint and restore with CRIU, as runc's tests/integration/checkpoint.bats
# checks them.  The bad-input cases need no working CRIU; the others run
# where `criu check` passes and are skipped with CRIU's own error elsewhere
# (this Firecracker kernel: vdso; tests/vm/criu.sh runs them in the QEMU
# guest on Debian's kernel).

load helpers

setup() {
	setup_test
	"$HUSK" --help | grep -q '^  checkpoint' || skip "husk was built without CRIU (no criu.h)"
}

teardown() {
	teardown_test
}

# Skips unless CRIU can dump here; the reason is CRIU's error.
requires_criu() {
	command -v criu >/dev/null || skip "criu is not installed"
	local out
	out=$(criu check 2>&1) && return 0
	skip "criu check fails on this kernel: $(grep -m1 Error <<<"$out")"
}

@test "checkpoint of an unknown container: one-line error, nothing made" {
	cd "$TESTDIR"
	hrun husk_logged checkpoint --image-path "$TESTDIR/img" nope
	assert_husk_error 'checkpoint nope: container "nope" does not exist'
	[ ! -e "$TESTDIR/img" ] || fail "an image directory was made"
	assert_clean
}

@test "checkpoint of a stopped container fails and leaves its state as it was" {
	run_detached c1
	wait_status c1 stopped
	hrun husk_logged checkpoint --image-path "$TESTDIR/img" c1
	assert_husk_error 'checkpoint c1: container is stopped'
	[ ! -e "$TESTDIR/img" ] || fail "an image directory was made"
	[ "$(ctr_status c1)" = stopped ]
	assert_clean c1
}

@test "checkpoint of a created container fails" {
	set_args sleep 100
	create_ctr c1
	hrun husk_logged checkpoint --image-path "$TESTDIR/img" c1
	assert_husk_error 'checkpoint c1: container is created'
	[ "$(ctr_status c1)" = created ]
}

@test "restore from a missing image path: one-line error, nothing left" {
	hrun husk_logged restore --bundle "$BUNDLE" --image-path "$TESTDIR/none" -d c1
	assert_husk_error "restore c1: image path $TESTDIR/none: No such file or directory"
	assert_clean
}

@test "restore into an existing id: one-line error, the container is untouched" {
	set_args sleep 100
	create_ctr c1
	mkdir "$TESTDIR/img"
	hrun husk_logged restore --bundle "$BUNDLE" --image-path "$TESTDIR/img" -d c1
	assert_husk_error 'restore c1: container "c1" already exists'
	[ "$(ctr_status c1)" = created ]
	assert_clean c1
}

@test "restore: a bad --manage-cgroups-mode is refused before anything is made" {
	mkdir "$TESTDIR/img"
	hrun husk_logged restore --bundle "$BUNDLE" --image-path "$TESTDIR/img" --manage-cgroups-mode bogus -d c1
	assert_husk_error 'manage-cgroups-mode'
	assert_clean
}

# A counter in the container's /tmp (a tmpfs, which CRIU dumps whole);
# its stdio are pipes (CRIU can give a restore's own pipes in their place;
# a host file is outside the container and could not be dumped).
counter_config() {
	add_tmpfs /tmp
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done'
}
counter() {
	husk exec "$1" cat /tmp/n </dev/null
}

@test "checkpoint and restore: the counter goes on from where it was" {
	requires_criu
	counter_config
	: | husk run -d --bundle "$BUNDLE" c1 2>&1 | cat >"$TESTDIR/c1.out" &
	wait_status c1 running
	sleep 1
	husk checkpoint --image-path "$TESTDIR/img" --work-path "$TESTDIR/work" c1 </dev/null
	[ -z "$(ctr_status c1)" ] || fail "c1 is still there after checkpoint"
	local before
	before=$(cat "$TESTDIR"/img/*.img | wc -c)
	[ "$before" -gt 0 ]
	: | husk restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/img" --work-path "$TESTDIR/work" \
		--pid-file "$TESTDIR/pid" c1 2>&1 | cat >>"$TESTDIR/c1.out" &
	wait_status c1 running
	[ "$(cat "$TESTDIR/pid")" = "$(ctr_pid c1)" ]
	local a b
	a=$(counter c1)
	sleep 1
	b=$(counter c1)
	[ "$b" -gt "$a" ] || fail "counter did not go on: $a then $b"
	husk delete -f c1
	assert_clean
}
