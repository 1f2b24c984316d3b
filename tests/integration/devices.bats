#!/usr/bin/env bats
# linux.devices, the standard /dev nodes and links, and devices inside a
# user namespace (bind-mounted from the host), read back with stat inside
# the container.

load helpers
load helpers_fs

setup() {
	setup_fs
}

teardown() {
	teardown_test
}

# add_device JSON: appends a linux.devices entry.
add_device() {
	update_config '.linux.devices += [$d]' --argjson d "$1"
}

@test "linux.devices: a char device under a new name, with fileMode, uid and gid" {
	# 0o606 = 390; 1:3 is the null device, under a name of its own
	add_device '{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 390, "uid": 1000, "gid": 100}'
	set_cmd 'stat -c "%F|%t %T %a %u %g" /dev/mynull; echo x >/dev/mynull && echo write=ok; wc -c </dev/mynull'
	run_ok run_ctr c1
	[ "${lines[0]}" = "character special file|1 3 606 1000 100" ]
	[ "${lines[1]}" = write=ok ]
	[ "${lines[2]}" = 0 ]
	assert_clean
}

@test "linux.devices: block and fifo devices, and a device in a directory that does not exist" {
	add_device '{"path": "/dev/myblk", "type": "b", "major": 7, "minor": 0, "fileMode": 432, "uid": 0, "gid": 6}'
	# the default config denies every device in the devices cgroup: as
	# with runc, a node beyond the standard ones needs a rule
	update_config '.linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rwm"}]'
	add_device '{"path": "/dev/myfifo", "type": "p", "fileMode": 420}'
	add_device '{"path": "/dev/husk/deep/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}'
	set_cmd 'stat -c "%n|%F|%t %T %a %u %g" /dev/myblk /dev/myfifo /dev/husk/deep/mynull; stat -c "%F" /dev/husk/deep'
	run_ok run_ctr c1
	[ "${lines[0]}" = "/dev/myblk|block special file|7 0 660 0 6" ]
	[ "${lines[1]}" = "/dev/myfifo|fifo|0 0 644 0 0" ]
	[ "${lines[2]}" = "/dev/husk/deep/mynull|character special file|1 3 666 0 0" ]
	[ "${lines[3]}" = directory ]
	assert_clean
}

@test "linux.devices: a configured node replaces the standard one of the same path" {
	# 0o600 = 384
	add_device '{"path": "/dev/full", "type": "c", "major": 1, "minor": 7, "fileMode": 384, "uid": 0, "gid": 0}'
	set_cmd 'stat -c "%t %T %a" /dev/full /dev/zero'
	run_ok run_ctr c1
	[ "${lines[0]}" = "1 7 600" ]
	[ "${lines[1]}" = "1 5 666" ]
	assert_clean
}

@test "the standard devices: char devices with the right numbers, and the /dev links" {
	set_cmd 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		ls /dev/fd/ | tr "\n" " "; echo; echo via-stderr >/dev/stderr'
	run_ok run_ctr c1
	[ "${lines[0]}" = "/dev/null character special file 1:3" ]
	[ "${lines[1]}" = "/dev/zero character special file 1:5" ]
	[ "${lines[2]}" = "/dev/full character special file 1:7" ]
	[ "${lines[3]}" = "/dev/random character special file 1:8" ]
	[ "${lines[4]}" = "/dev/urandom character special file 1:9" ]
	[ "${lines[5]}" = "/dev/tty character special file 5:0" ]
	[ "${lines[6]}" = "fd -> /proc/self/fd" ]
	[ "${lines[7]}" = "stdin -> /proc/self/fd/0" ]
	[ "${lines[8]}" = "stdout -> /proc/self/fd/1" ]
	[ "${lines[9]}" = "stderr -> /proc/self/fd/2" ]
	[ "${lines[10]}" = "ptmx -> pts/ptmx" ]
	# /dev/fd is the listing process's own fds
	[[ "${lines[11]}" == "0 1 2 "* ]]
	[ "${lines[12]}" = via-stderr ]
	assert_clean
}

@test "user namespace: the standard devices are the host's, bind-mounted, and work" {
	userns_config
	set_cmd 'cat /proc/self/uid_map; for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done
		echo x >/dev/null && echo null=ok; [ "$(head -c 3 /dev/zero | od -An -tx1 | tr -d " ")" = 000000 ] && echo zero=ok
		echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "$(echo ${lines[0]})" = "0 $USERNS_BASE 65536" ]
	[ "${lines[1]}" = "/dev/null character special file 1:3" ]
	[ "${lines[2]}" = "/dev/zero character special file 1:5" ]
	[ "${lines[3]}" = "/dev/full character special file 1:7" ]
	[ "${lines[4]}" = "/dev/random character special file 1:8" ]
	[ "${lines[5]}" = "/dev/urandom character special file 1:9" ]
	[ "${lines[6]}" = "/dev/tty character special file 5:0" ]
	[ "${lines[7]}" = null=ok ]
	[ "${lines[8]}" = zero=ok ]
	# mounts of the host's nodes, not nodes made with mknod
	output=$(section mi)
	host_dev=$(awk '$5 == "/dev" { print $3 }' /proc/self/mountinfo)
	for d in null zero full random urandom tty; do
		line=$(mount_of "/dev/$d") || fail "/dev/$d is not a bind mount: $output"
		[ "$(awk '{ print $3 " " $4 }' <<<"$line")" = "$host_dev /$d" ] || fail "/dev/$d: $line"
	done
	assert_clean
}

@test "user namespace: a linux.devices entry is bound from the host's node" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	userns_config
	add_device '{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}'
	set_cmd 'stat -c "%F|%t %T" /dev/fuse; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = "character special file|a e5" ]
	output=$(section mi)
	mount_of /dev/fuse >/dev/null || fail "/dev/fuse is not a bind mount: $output"
	assert_clean
}
