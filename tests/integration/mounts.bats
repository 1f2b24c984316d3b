#!/usr/bin/env bats
# config.json mounts: every type, flag, propagation and recursive option,
# linux.rootfsPropagation, root.readonly and idmapped mounts, read back from
# /proc/self/mountinfo inside the container and from the host.

load helpers
load helpers_fs

setup() {
	setup_fs
}

teardown() {
	host_umount_all
	teardown_test
}

@test "bind of a file: the destination is created as a file, missing parents as directories" {
	echo file-content >"$TESTDIR/src.txt"
	add_mount /etc/husk-new bind "$TESTDIR/src.txt" bind
	add_mount /deep/er/file bind "$TESTDIR/src.txt" rbind
	set_cmd 'stat -c "%n %F" /etc/husk-new /deep/er /deep/er/file; cat /etc/husk-new /deep/er/file; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = "/etc/husk-new regular file" ]
	[ "${lines[1]}" = "/deep/er directory" ]
	[ "${lines[2]}" = "/deep/er/file regular file" ]
	[ "${lines[3]}" = file-content ]
	[ "${lines[4]}" = file-content ]
	mount_of /etc/husk-new >/dev/null
	mount_of /deep/er/file >/dev/null
	# the mount points were made in the bundle's rootfs, as plain files
	[ -f "$BUNDLE/rootfs/etc/husk-new" ] && [ ! -s "$BUNDLE/rootfs/etc/husk-new" ]
	[ "$(cat "$TESTDIR/src.txt")" = file-content ]
	assert_clean
}

@test "bind of a directory: the destination is created as a directory and shows the source" {
	mkdir -p "$TESTDIR/srcdir/sub"
	echo in-dir >"$TESTDIR/srcdir/sub/f"
	add_mount /data/dir bind "$TESTDIR/srcdir" bind rw
	set_cmd 'stat -c "%n %F" /data/dir; cat /data/dir/sub/f; echo from-inside >/data/dir/new'
	run_ok run_ctr c1
	[ "${lines[0]}" = "/data/dir directory" ]
	[ "${lines[1]}" = in-dir ]
	# a rw bind: the write reached the host's directory
	[ "$(cat "$TESTDIR/srcdir/new")" = from-inside ]
	[ -d "$BUNDLE/rootfs/data/dir" ]
	assert_clean
}

@test "rbind brings the source's submounts, bind does not" {
	mkdir -p "$TESTDIR/tree/sub"
	echo under >"$TESTDIR/tree/sub/under"
	host_mount -t tmpfs -o size=1m husk-sub "$TESTDIR/tree/sub"
	echo on-submount >"$TESTDIR/tree/sub/top"
	add_mount /r bind "$TESTDIR/tree" rbind
	add_mount /b bind "$TESTDIR/tree" bind
	set_cmd 'echo "--ls--"; ls /r/sub; echo "--lsb--"; ls /b/sub; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "$(section ls)" = top ]
	[ "$(section lsb)" = under ]
	output=$(section mi)
	[ "$(fstype_of /r/sub)" = tmpfs ]
	! mount_of /b/sub >/dev/null || fail "bind (not rbind) brought the submount: $(mount_of /b/sub)"
	host_umount_all
	assert_clean
}

@test "ro bind: writes fail with EROFS inside while the source stays writable on the host" {
	mkdir "$TESTDIR/rosrc"
	echo data >"$TESTDIR/rosrc/f"
	add_mount /ro bind "$TESTDIR/rosrc" rbind ro
	add_mount /rofile bind "$TESTDIR/rosrc/f" bind ro
	set_cmd 'cat /ro/f; touch /ro/new 2>&1; echo "dir=$?"; echo x 2>&1 >>/rofile; echo "file=$?"; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = data ]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[ "${lines[2]}" = dir=1 ]
	[[ "${lines[3]}" == *"Read-only file system"* ]]
	[ "${lines[4]}" = file=1 ]
	output=$(section mi)
	assert_opt /ro ro
	assert_opt /rofile ro
	[ ! -e "$TESTDIR/rosrc/new" ]
	[ "$(cat "$TESTDIR/rosrc/f")" = data ]
	# the host's view of the source is untouched and writable
	touch "$TESTDIR/rosrc/host-write"
	echo more >>"$TESTDIR/rosrc/f"
	assert_clean
}

@test "tmpfs with size and mode data options" {
	add_mount /t tmpfs tmpfs size=2m mode=0710 nosuid
	set_cmd 'stat -c "%a %u %g" /t; df -k /t | tail -n 1; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = "710 0 0" ]
	[ "$(awk '{ print $2 }' <<<"${lines[1]}")" = 2048 ]
	output=$(section mi)
	[ "$(fstype_of /t)" = tmpfs ]
	super=$(super_of /t)
	has_opt "$super" size=2048k || fail "tmpfs superblock options: $super"
	has_opt "$super" mode=710 || fail "tmpfs superblock options: $super"
	assert_opt /t nosuid
	assert_clean
}

@test "tmpcopyup: a tmpfs starts with a copy of the directory it covers, the image is untouched" {
	d=$BUNDLE/rootfs/var/cu
	mkdir -p "$d/sub"
	echo top >"$d/file"
	echo deep >"$d/sub/deep"
	chmod 640 "$d/file"
	chmod 2710 "$d/sub"
	chown 1:2 "$d/sub/deep"
	touch -d '2001-02-03 04:05:06' "$d/file"
	ln -s /etc/hostname "$d/link"
	mkfifo "$d/fifo"
	add_mount /var/cu tmpfs tmpfs tmpcopyup nosuid
	set_cmd 'cd /var/cu; cat file sub/deep; stat -c "%n %a %u:%g %F" file sub sub/deep link fifo;
		readlink link; stat -c %Y file; echo new >file; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = top ] && [ "${lines[1]}" = deep ] || fail "output: $output"
	[ "${lines[2]}" = "file 640 0:0 regular file" ] || fail "output: $output"
	[ "${lines[3]}" = "sub 2710 0:0 directory" ] || fail "output: $output"
	[ "${lines[4]}" = "sub/deep 644 1:2 regular file" ] || fail "output: $output"
	[ "${lines[5]}" = "link 777 0:0 symbolic link" ] || fail "output: $output"
	[ "${lines[6]}" = "fifo 644 0:0 fifo" ] || fail "output: $output"
	[ "${lines[7]}" = /etc/hostname ] || fail "output: $output"
	[ "${lines[8]}" = "$(date -d '2001-02-03 04:05:06' +%s)" ] || fail "output: $output"
	output=$(section mi)
	[ "$(fstype_of /var/cu)" = tmpfs ]
	assert_opt /var/cu nosuid
	# The option is husk's, not the kernel's; the write went to the tmpfs.
	! has_opt "$(super_of /var/cu)" tmpcopyup
	[ "$(cat "$d/file")" = top ]
	assert_clean
}

@test "nosuid, nodev, noexec on a tmpfs and on a bind: in mountinfo and enforced" {
	mkdir "$TESTDIR/flags"
	# (named after the applet: busybox runs the applet of its name)
	cp "$BUSYBOX" "$TESTDIR/flags/true"
	add_mount /t tmpfs tmpfs nosuid nodev noexec
	add_mount /b bind "$TESTDIR/flags" bind nosuid nodev noexec
	add_mount /plain bind "$TESTDIR/flags" bind
	set_cmd 'cp /bin/busybox /t/true; /t/true 2>&1; echo "tmpfs=$?"; /b/true 2>&1; echo "bind=$?"
		/plain/true && echo plain=ok; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[[ "${lines[0]}" == *"Permission denied"* ]]
	[ "${lines[1]}" = tmpfs=126 ]
	[[ "${lines[2]}" == *"Permission denied"* ]]
	[ "${lines[3]}" = bind=126 ]
	[ "${lines[4]}" = plain=ok ]
	output=$(section mi)
	for m in /t /b; do
		for o in nosuid nodev noexec; do
			assert_opt "$m" "$o"
		done
	done
	for o in nosuid nodev noexec ro; do
		refute_opt /plain "$o"
	done
	assert_clean
}

@test "atime and sync options: noatime, nodiratime, strictatime, sync" {
	add_mount /na tmpfs tmpfs noatime nodiratime
	add_mount /sa tmpfs tmpfs strictatime
	add_mount /sy tmpfs tmpfs sync dirsync
	set_cmd 'cat /proc/self/mountinfo'
	run_ok run_ctr c1
	assert_opt /na noatime
	assert_opt /na nodiratime
	refute_opt /sa relatime
	refute_opt /sa noatime
	has_opt "$(super_of /sy)" sync || fail "sync: $(mount_of /sy)"
	has_opt "$(super_of /sy)" dirsync || fail "dirsync: $(mount_of /sy)"
	assert_clean
}

@test "propagation options on a bind of a shared host mount: rshared, rslave, private, unbindable" {
	host_shared_tmpfs "$TESTDIR/shared"
	mkdir "$TESTDIR/shared/late"
	add_mount /p-shared bind "$TESTDIR/shared" rbind rshared
	add_mount /p-slave bind "$TESTDIR/shared" rbind rslave
	add_mount /p-private bind "$TESTDIR/shared" rbind private
	add_mount /p-unbind bind "$TESTDIR/shared" rbind unbindable
	set_args sleep 1000
	run_detached c1
	run_ok husk_exec c1 cat /proc/self/mountinfo
	[[ " $(optional_of /p-shared) " == *" shared:"* ]] || fail "rshared: $(mount_of /p-shared)"
	[[ " $(optional_of /p-slave) " == *" master:"* ]] || fail "rslave: $(mount_of /p-slave)"
	[[ " $(optional_of /p-slave) " != *" shared:"* ]] || fail "rslave: $(mount_of /p-slave)"
	[ -z "$(optional_of /p-private)" ] || fail "private: $(mount_of /p-private)"
	[[ " $(optional_of /p-unbind) " == *" unbindable"* ]] || fail "unbindable: $(mount_of /p-unbind)"

	# a mount made on the host afterwards reaches the shared and slave
	# binds, not the private one
	host_mount -t tmpfs -o size=1m husk-late "$TESTDIR/shared/late"
	run_ok husk_exec c1 cat /proc/self/mountinfo
	mount_of /p-shared/late >/dev/null || fail "not propagated to the rshared bind: $output"
	mount_of /p-slave/late >/dev/null || fail "not propagated to the rslave bind: $output"
	! mount_of /p-private/late >/dev/null || fail "propagated to the private bind: $(mount_of /p-private/late)"
	husk delete -f c1
	host_umount_all
	assert_clean
}

@test "ro on an rbind leaves submounts writable, rro makes them read-only" {
	mkdir -p "$TESTDIR/tree/sub"
	host_mount -t tmpfs -o size=1m husk-sub "$TESTDIR/tree/sub"
	add_mount /ro bind "$TESTDIR/tree" rbind ro
	add_mount /rro bind "$TESTDIR/tree" rbind rro
	set_cmd 'touch /ro/x 2>/dev/null || echo ro-top=ro; touch /ro/sub/a && echo ro-sub=rw
		touch /rro/x 2>/dev/null || echo rro-top=ro; touch /rro/sub/b 2>&1; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = ro-top=ro ]
	[ "${lines[1]}" = ro-sub=rw ]
	[ "${lines[2]}" = rro-top=ro ]
	[[ "${lines[3]}" == *"Read-only file system"* ]]
	output=$(section mi)
	assert_opt /rro ro
	assert_opt /rro/sub ro
	refute_opt /ro/sub ro
	[ -e "$TESTDIR/tree/sub/a" ]
	[ ! -e "$TESTDIR/tree/sub/b" ]
	host_umount_all
	assert_clean
}

@test "recursive rnosuid, rnodev, rnoexec reach submounts" {
	mkdir -p "$TESTDIR/tree/sub"
	host_mount -t tmpfs -o size=1m husk-sub "$TESTDIR/tree/sub"
	add_mount /r bind "$TESTDIR/tree" rbind rnosuid rnodev rnoexec
	set_cmd 'cat /proc/self/mountinfo'
	run_ok run_ctr c1
	for m in /r /r/sub; do
		for o in nosuid nodev noexec; do
			assert_opt "$m" "$o"
		done
	done
	host_umount_all
	assert_clean
}

@test "nosymfollow: symlinks on the mount are not followed" {
	mkdir "$TESTDIR/links"
	echo target >"$TESTDIR/links/file"
	ln -s file "$TESTDIR/links/link"
	add_mount /nsf bind "$TESTDIR/links" bind nosymfollow
	add_mount /sf bind "$TESTDIR/links" bind
	set_cmd 'cat /sf/link; cat /nsf/file; cat /nsf/link 2>&1; echo "nsf=$?"; readlink /nsf/link; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = target ]
	[ "${lines[1]}" = target ]
	[[ "${lines[2]}" == *"symbolic links"* ]] || fail "cat through a nosymfollow mount: ${lines[2]}"
	[ "${lines[3]}" = nsf=1 ]
	[ "${lines[4]}" = file ]
	output=$(section mi)
	assert_opt /nsf nosymfollow
	refute_opt /sf nosymfollow
	assert_clean
}

@test "overlay mount: lowerdir, upperdir, workdir; writes land in the upper directory" {
	mkdir -p "$TESTDIR/ov/lower" "$TESTDIR/ov/upper" "$TESTDIR/ov/work"
	echo from-lower >"$TESTDIR/ov/lower/l"
	update_config '.mounts += [{"destination": "/ov", "type": "overlay", "source": "overlay",
		"options": ["lowerdir=" + $d + "/lower", "upperdir=" + $d + "/upper", "workdir=" + $d + "/work"]}]' \
		--arg d "$TESTDIR/ov"
	set_cmd 'cat /ov/l; echo new >/ov/n; echo changed >/ov/l; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = from-lower ]
	output=$(section mi)
	[ "$(fstype_of /ov)" = overlay ]
	[[ "$(super_of /ov)" == *"lowerdir=$TESTDIR/ov/lower"* ]] || fail "overlay options: $(super_of /ov)"
	[ "$(cat "$TESTDIR/ov/upper/n")" = new ]
	[ "$(cat "$TESTDIR/ov/upper/l")" = changed ]
	[ "$(cat "$TESTDIR/ov/lower/l")" = from-lower ]
	assert_clean
}

@test "proc, sysfs, mqueue and devpts at extra destinations, with their data options" {
	update_config '.mounts += [
		{"destination": "/proc2", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/sys2", "type": "sysfs", "source": "sysfs", "options": ["ro", "nosuid"]},
		{"destination": "/mq2", "type": "mqueue", "source": "mqueue"},
		{"destination": "/pts2", "type": "devpts", "source": "devpts", "options": ["newinstance", "ptmxmode=0600", "mode=0620", "gid=5"]}]'
	set_cmd 'cat /proc2/self/comm; stat -c "%a" /pts2/ptmx; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = cat ]
	[ "${lines[1]}" = 600 ]
	[ "$(fstype_of /proc2)" = proc ]
	assert_opt /proc2 noexec
	[ "$(fstype_of /sys2)" = sysfs ]
	assert_opt /sys2 ro
	[ "$(fstype_of /mq2)" = mqueue ]
	[ "$(fstype_of /pts2)" = devpts ]
	super=$(super_of /pts2)
	has_opt "$super" ptmxmode=600 || fail "devpts: $super"
	has_opt "$super" gid=5 || fail "devpts: $super"
	# a new instance: not the container's /dev/pts
	[ "$(mount_of /pts2 | awk '{ print $3 }')" != "$(mount_of /dev/pts | awk '{ print $3 }')" ]
	assert_clean
}

@test "mounts are made in order: later ones stack on and inside earlier ones" {
	echo f >"$TESTDIR/f"
	add_mount /stack tmpfs tmpfs size=1m
	add_mount /stack tmpfs tmpfs size=2m
	add_mount /inner tmpfs tmpfs size=1m
	add_mount /inner/deep/file bind "$TESTDIR/f" bind
	set_cmd 'cat /inner/deep/file; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = f ]
	output=$(section mi)
	[ "$(awk '$5 == "/stack"' <<<"$output" | wc -l)" = 2 ]
	has_opt "$(super_of /stack)" size=2048k || fail "the top of /stack: $(mount_of /stack)"
	mount_of /inner/deep/file >/dev/null
	# /inner/deep was made in the tmpfs, not in the bundle's rootfs
	[ -d "$BUNDLE/rootfs/inner" ]
	[ ! -e "$BUNDLE/rootfs/inner/deep" ]
	assert_clean
}

@test "cgroup mount: read-only, its hierarchies too, even without ro" {
	update_config '.mounts += [{"destination": "/cg", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev"]}]'
	# (writing our own pid to our own cgroup would change nothing)
	set_cmd 'echo $$ 2>&1 >/sys/fs/cgroup/pids/cgroup.procs; echo "default=$?"; echo $$ 2>&1 >/cg/pids/cgroup.procs; echo "cg=$?"
		ls /cg | sort | tr "\n" " "; echo; mkdir /cg/husk-new 2>&1; echo "mkdir=$?"; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[[ "${lines[5]}" == *"Read-only file system"* ]] || fail "mkdir in the cgroup mount: ${lines[5]}"
	[ "${lines[6]}" = mkdir=1 ]
	[[ "${lines[0]}" == *"Read-only file system"* ]] || fail "write under /sys/fs/cgroup: ${lines[0]}"
	[ "${lines[1]}" = default=1 ]
	[[ "${lines[2]}" == *"Read-only file system"* ]] || fail "write under /cg: ${lines[2]}"
	[ "${lines[3]}" = cg=1 ]
	[[ " ${lines[4]} " == *" pids "* && " ${lines[4]} " == *" memory "* ]] || fail "hierarchies: ${lines[4]}"
	output=$(section mi)
	n=0
	while read -r mp; do
		assert_opt "$mp" ro
		n=$((n + 1))
	done < <(awk '$5 == "/cg" || index($5, "/cg/") == 1 { print $5 }' <<<"$output" | sort -u)
	[ "$n" -ge 3 ] || fail "only $n cgroup mounts under /cg: $output"
	assert_clean
}

@test "linux.rootfsPropagation rshared: the container's / is shared" {
	update_config '.linux.rootfsPropagation = "rshared"'
	set_cmd 'cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[[ " $(optional_of /) " == *" shared:"* ]] || fail "/: $(mount_of /)"
	assert_clean
}

@test "linux.rootfsPropagation rslave on a shared rootfs: / is a slave, host mounts come in" {
	host_mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	mkdir "$BUNDLE/rootfs/late"
	update_config '.linux.rootfsPropagation = "rslave"'
	set_args sleep 1000
	host_snapshot before
	run_detached c1
	run_ok husk_exec c1 cat /proc/self/mountinfo
	[[ " $(optional_of /) " == *" master:"* ]] || fail "/: $(mount_of /)"
	[[ " $(optional_of /) " != *" shared:"* ]] || fail "/: $(mount_of /)"
	# nothing of the container's went out to the host
	host_unchanged before
	host_mount -t tmpfs -o size=1m husk-late "$BUNDLE/rootfs/late"
	run_ok husk_exec c1 cat /proc/self/mountinfo
	[ "$(fstype_of /late)" = tmpfs ] || fail "the host's mount did not reach the slave /: $output"
	husk delete -f c1
	host_umount_all
	assert_clean
}

@test "linux.rootfsPropagation private on a shared rootfs: / is private, nothing goes in or out" {
	host_mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	mkdir "$BUNDLE/rootfs/late"
	update_config '.linux.rootfsPropagation = "private"'
	set_args sleep 1000
	host_snapshot before
	run_detached c1
	run_ok husk_exec c1 cat /proc/self/mountinfo
	[ -z "$(optional_of /)" ] || fail "/ is not private: $(mount_of /)"
	host_unchanged before
	host_mount -t tmpfs -o size=1m husk-late "$BUNDLE/rootfs/late"
	run_ok husk_exec c1 cat /proc/self/mountinfo
	! mount_of /late >/dev/null || fail "a host mount reached the private /: $(mount_of /late)"
	husk delete -f c1
	host_umount_all
	assert_clean
}

@test "root.readonly: / is read-only (EROFS), a tmpfs mounted in it stays writable" {
	update_config '.root.readonly = true'
	add_mount /scratch tmpfs tmpfs size=1m
	set_cmd 'touch /x 2>&1; echo "root=$?"; touch /scratch/y && echo scratch=ok; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[ "${lines[1]}" = root=1 ]
	[ "${lines[2]}" = scratch=ok ]
	output=$(section mi)
	assert_opt / ro
	refute_opt /scratch ro
	[ ! -e "$BUNDLE/rootfs/x" ]
	assert_clean
}

@test "idmapped bind mount: a file of uid 1000 on disk is uid 0 inside, and back" {
	mkdir "$TESTDIR/idm"
	touch "$TESTDIR/idm/owned" "$TESTDIR/idm/by-root"
	chown 1000:1000 "$TESTDIR/idm" "$TESTDIR/idm/owned"
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["rbind"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' --arg s "$TESTDIR/idm"
	set_cmd 'stat -c "%n %u %g" /idm/owned /idm/by-root; touch /idm/made-inside && echo made=ok; echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = "/idm/owned 0 0" ]
	# uid 0 on disk is not mapped by the mount: the overflow id
	[ "${lines[1]}" = "/idm/by-root 65534 65534" ]
	[ "${lines[2]}" = made=ok ]
	output=$(section mi)
	assert_opt /idm idmapped
	# what root creates inside is uid 1000 on disk
	[ "$(stat -c '%u %g' "$TESTDIR/idm/made-inside")" = "1000 1000" ]
	assert_clean
}

@test "idmapped bind mount in a user namespace: on-disk ids map to the container's ids" {
	userns_config
	mkdir "$TESTDIR/idm"
	touch "$TESTDIR/idm/owned"
	chown 1000:1000 "$TESTDIR/idm" "$TESTDIR/idm/owned"
	chmod 755 "$TESTDIR/idm"
	# the rootfs belongs to the host's root, unmapped in the container's
	# user namespace: the mount point must exist
	mkdir "$BUNDLE/rootfs/idm"
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["rbind"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' --arg s "$TESTDIR/idm"
	set_cmd 'cat /proc/self/uid_map; stat -c "%u %g" /idm/owned; touch /idm/made-inside && echo made=ok'
	run_ok run_ctr c1
	[ "$(echo ${lines[0]})" = "0 $USERNS_BASE 65536" ]
	[ "${lines[1]}" = "0 0" ]
	[ "${lines[2]}" = made=ok ]
	[ "$(stat -c '%u %g' "$TESTDIR/idm/made-inside")" = "1000 1000" ]
	assert_clean
}

@test "maskedPaths: a file is covered by the host's /dev/null, a directory by an empty read-only tmpfs, a missing path is skipped" {
	update_config '.linux.maskedPaths += ["/etc/hostname", "/opt/husk-test", "/husk/no/such/path", "/etc/husk-missing-file"]'
	set_cmd 'stat -c "%F %t:%T" /etc/hostname; wc -c </etc/hostname; echo x >/etc/hostname && echo write=ok
		ls -A /opt/husk-test | wc -l; touch /opt/husk-test/x 2>&1; echo "dir=$?"; wc -c </proc/keys
		echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = "character special file 1:3" ]
	[ "${lines[1]}" = 0 ]
	# the null device: writes vanish
	[ "${lines[2]}" = write=ok ]
	[ "${lines[3]}" = 0 ]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	[ "${lines[5]}" = dir=1 ]
	[ "${lines[6]}" = 0 ]
	output=$(section mi)
	# the very node of the host's /dev: its filesystem, its path
	host_dev=$(awk '$5 == "/dev" { print $3 }' /proc/self/mountinfo)
	[ "$(mount_of /etc/hostname | awk '{ print $3 " " $4 }')" = "$host_dev /null" ] ||
		fail "/etc/hostname: $(mount_of /etc/hostname)"
	[ "$(fstype_of /opt/husk-test)" = tmpfs ]
	assert_opt /opt/husk-test ro
	# the rootfs's files are untouched
	[ "$(cat "$BUNDLE/rootfs/etc/hostname")" = husk-test ]
	[ -x "$BUNDLE/rootfs/opt/husk-test/bin/husk-test-hello" ]
	assert_clean
}

@test "readonlyPaths: writes fail with EROFS inside, the host's files stay writable, a missing path is skipped" {
	mkdir "$OUT/rodir"
	echo keep >"$OUT/rofile"
	chmod 666 "$OUT/rofile"
	update_config '.linux.readonlyPaths += ["/out/rodir", "/out/rofile", "/husk/no/such/path"]'
	set_cmd 'touch /out/rodir/x 2>&1; echo "dir=$?"; echo y 2>&1 >>/out/rofile; echo "file=$?"; touch /out/rw && echo rw=ok
		echo "--mi--"; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[ "${lines[1]}" = dir=1 ]
	[[ "${lines[2]}" == *"Read-only file system"* ]]
	[ "${lines[3]}" = file=1 ]
	[ "${lines[4]}" = rw=ok ]
	output=$(section mi)
	assert_opt /out/rodir ro
	assert_opt /out/rofile ro
	refute_opt /out ro
	[ "$(cat "$OUT/rofile")" = keep ]
	[ ! -e "$OUT/rodir/x" ]
	touch "$OUT/rodir/host-write"
	assert_clean
}

# 40 runs of $BUNDLE while a sibling (tests/tools/swapper on the host)
# exchanges $TESTDIR/vol/x with a symlink to the volume's root; CHECK RUN is
# called after each run that started (a run may also fail in one line).
runs_while_swapping() { # CHECK
	ln -s /vol "$TESTDIR/vol/link"
	bg_tagged "$REPO_ROOT/build/tests/tools/swapper" "$TESTDIR/vol" x link
	local sibling=$BG_PID i started=0 bad=0
	for ((i = 0; i < 40; i++)); do
		hrun husk run --bundle "$BUNDLE" c$i
		[ "$status" -eq 0 ] || { [[ "$stderr" == "husk: "* ]] || { bad=1; fail "run $i: $stderr"; }; continue; }
		started=$((started + 1))
		"$1" "$i" || bad=1
	done
	kill "$sibling"
	wait "$sibling" 2>/dev/null || true
	[ "$bad" = 0 ] && [ "$started" -gt 0 ] || fail "a run failed its check, or none started ($started)"
}

# issue 12.4: a read-only bind inside a volume a sibling shares.  The
# sibling (tests/tools/swapper on the host) keeps exchanging the bind's mount
# point with a symlink to the volume's root: a read-only step that
# looked the destination up again would land on the volume and leave the
# bind writable.  (Where the one lookup before the mount meets the symlink,
# the bind covers the volume itself, read-only: no way out either.)
@test "mounts: a read-only bind stays read-only while a sibling swaps its path in a shared volume" {
	mkdir -p "$TESTDIR/vol/x" "$TESTDIR/secret"
	echo keep >"$TESTDIR/secret/file"
	update_config '.mounts += [
		{"destination": "/vol", "type": "bind", "source": $v, "options": ["rbind", "rw"]},
		{"destination": "/vol/x", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
		--arg v "$TESTDIR/vol" --arg s "$TESTDIR/secret"
	set_cmd 'for n in 1 2 3 4 5; do touch /vol/x/probe 2>/dev/null; done; true'
	# (the probe may meet the sibling's symlink and write to the volume:
	# only a file in the read-only source is a failure)
	bind_stayed_ro() { [ ! -e "$TESTDIR/secret/probe" ] || fail "run $1: the read-only bind was writable"; }
	runs_while_swapping bind_stayed_ro
	assert_clean
}

# issue 12.4 for new filesystems: a tmpfs with rro and tmpcopyup inside a
# volume a sibling shares, the sibling exchanging the mount point with a
# symlink to the volume's root.  Steps that looked the destination up again
# after the mount would set read-only on the volume (the tmpfs staying
# writable) and copy the directory's content into the volume's root.
@test "mounts: a tmpfs's rro and tmpcopyup reach the tmpfs while a sibling swaps its path in a shared volume" {
	mkdir -p "$TESTDIR/vol/x"
	echo image >"$TESTDIR/vol/x/copied-up"
	update_config '.mounts += [
		{"destination": "/vol", "type": "bind", "source": $v, "options": ["rbind", "rw"]},
		{"destination": "/vol/x", "type": "tmpfs", "options": ["rro", "tmpcopyup", "size=12k"]}]' \
		--arg v "$TESTDIR/vol"
	set_cmd 'awk "/size=12k/ { print \$6 }" /proc/self/mountinfo'
	tmpfs_kept_its_steps() {
		[[ "$output" == ro* ]] || fail "run $1: the tmpfs is mounted '$output', not read-only"
		[ ! -e "$TESTDIR/vol/copied-up" ] || fail "run $1: the copy-up went into the volume's root"
	}
	runs_while_swapping tmpfs_kept_its_steps
	assert_clean
}

@test "mounts: ro,tmpcopyup gives a read-only tmpfs holding the copy" {
	mkdir -p "$BUNDLE/rootfs/seed"
	echo seeded >"$BUNDLE/rootfs/seed/file"
	update_config '.mounts += [{"destination": "/seed", "type": "tmpfs", "options": ["ro", "tmpcopyup", "size=12k"]}]'
	set_cmd 'cat /seed/file; touch /seed/new 2>&1 && echo WRITABLE; awk "/size=12k/ { print \$6 }" /proc/self/mountinfo'
	hrun husk run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[[ "$output" == seeded* ]] || fail "no copy: $output"
	[[ "$output" != *WRITABLE* ]] || fail "the tmpfs is writable: $output"
	[[ "$output" == *$'\n'ro* ]] || fail "not mounted read-only: $output"
	rm -rf "$BUNDLE/rootfs/seed"
	assert_clean
}
