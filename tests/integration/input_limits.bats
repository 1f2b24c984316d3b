#!/usr/bin/env bats
# Input files husk reads that would make it hang or read without end
# (issue 12.7): a FIFO, a device, a huge file.  Each ends in one line
# "husk: <what>: <why>" within a time bound, with nothing left behind.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

@test "config.json that is a FIFO: refused at once, not waited on" {
	rm "$BUNDLE/config.json"
	mkfifo "$BUNDLE/config.json"
	timed_fail 5 'config\.json: not a regular file' husk_logged run --bundle "$BUNDLE" c1
	assert_clean
	# What nobody writes is never read: husk did not hold it open.
	[ -z "$(find /proc/[0-9]*/fd -lname "$BUNDLE/config.json" 2>/dev/null)" ]
}

@test "config.json that is /dev/zero or a 1 GiB file: refused at once, with the limit" {
	rm "$BUNDLE/config.json"
	ln -s /dev/zero "$BUNDLE/config.json"
	timed_fail 5 'config\.json: not a regular file' husk_logged run --bundle "$BUNDLE" c1
	assert_clean
	rm "$BUNDLE/config.json"
	truncate -s 1G "$BUNDLE/config.json"
	rm -f "$LOG"
	timed_fail 5 'config\.json: larger than 32 MiB' husk_logged create --bundle "$BUNDLE" c1
	assert_clean
}

@test "exec --process that is a FIFO or /dev/zero: refused at once" {
	set_cmd 'touch /out/ready; while :; do usleep 100000; done'
	run_detached c1
	mkfifo "$TESTDIR/proc.fifo"
	HUSK_ERROR_STATUS=255 timed_fail 5 'exec: --process: .*not a regular file' husk_logged exec --process "$TESTDIR/proc.fifo" c1
	rm -f "$LOG"
	HUSK_ERROR_STATUS=255 timed_fail 5 'exec: --process: .*not a regular file' husk_logged exec --process /dev/zero c1
	rm -f "$LOG"
	mkfifo "$TESTDIR/res.fifo"
	timed_fail 5 'update: --resources: .*not a regular file' husk_logged update --resources "$TESTDIR/res.fifo" c1
	husk delete -f c1
	assert_clean
}
