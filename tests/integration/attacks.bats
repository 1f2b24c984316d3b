#!/usr/bin/env bats
# Adversarial root filesystems and configs: symlinks planted in the rootfs
# to redirect mounts, masks and devices to the host, a planted /dev/null,
# symlinked bind sources, ".." in paths.  Each must end inside the
# container or with an error; the host must be unchanged: sentinel files
# are hashed and the host's mount table compared before and after.

load helpers
load helpers_fs

setup() {
	setup_fs
	# The host's sentinel: a directory and a file the container must never
	# reach.
	HOST=$TESTDIR/host
	mkdir "$HOST" "$HOST/dir"
	echo "host-secret-$TAG" >"$HOST/secret"
	chmod 644 "$HOST/secret"
	echo payload >"$TESTDIR/payload"
	mkdir "$TESTDIR/payload-dir"
	echo payload-dir >"$TESTDIR/payload-dir/p"
	# A name no host path has, for things that would land at the host's /.
	ESC=husk-escape-${TAG#husk-it.}
	SENTINELS=("$HOST" "$HOST/secret" /etc/passwd /etc/hostname /etc/shadow)
	host_snapshot attack "${SENTINELS[@]}"
}

teardown() {
	# What an escape could have made at the host's / and /etc (the names
	# are the test's own).
	if [ -n "${ESC:-}" ]; then
		rm -rf "/$ESC" "/etc/$ESC" "$TESTDIR/$ESC" 2>/dev/null || true
	fi
	teardown_test
}

# host_intact: the sentinels and the host's mount table as they were, and
# nothing made at the host's / or /etc.
host_intact() {
	host_unchanged attack "${SENTINELS[@]}" || return
	[ ! -e "/$ESC" ] && [ ! -L "/$ESC" ] || fail "/$ESC was made on the host" || return
	[ ! -e "/etc/$ESC" ] || fail "/etc/$ESC was made on the host" || return
	[ ! -e "$TESTDIR/$ESC" ] || fail "$TESTDIR/$ESC was made on the host (outside the rootfs)"
}

# run_inside_or_error REGEX: husk run of $BUNDLE as c1.  Sets RAN=1 when it
# ran (its output in $output), RAN=0 when it failed cleanly with one husk
# error line matching REGEX (so that an unrelated failure does not pass for
# a refused attack) and nothing left behind; fails otherwise.
run_inside_or_error() {
	local re=$1
	rm -f "$LOG"
	hrun husk_logged run --bundle "$BUNDLE" c1
	if [ "$status" -eq 0 ]; then
		RAN=1
		return 0
	fi
	RAN=0
	assert_husk_error "$re" || return
	assert_clean
}

@test "mount destination symlink to / stays inside the rootfs" {
	ln -s / "$BUNDLE/rootfs/evil"
	add_mount "/evil/$ESC" tmpfs tmpfs size=1m
	add_mount "/evil/$ESC-file/f" bind "$TESTDIR/payload" bind
	add_mount /evil/etc/passwd bind "$TESTDIR/payload" bind
	set_cmd "cat /etc/passwd; stat -c %F /$ESC-file/f; echo --mi--; cat /proc/self/mountinfo"
	run_inside_or_error 'evil'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = payload ] || fail "the bind over /evil/etc/passwd is not the container's /etc/passwd: $output"
		[ "${lines[1]}" = "regular file" ]
		output=$(section mi)
		[ "$(fstype_of "/$ESC")" = tmpfs ] || fail "no tmpfs at /$ESC inside: $output"
		mount_of "/$ESC-file/f" >/dev/null || fail "no bind at /$ESC-file/f inside: $output"
		[ -d "$BUNDLE/rootfs/$ESC" ] && [ -f "$BUNDLE/rootfs/$ESC-file/f" ]
	fi
	host_intact
	assert_clean
}

@test "mount destination symlink to ../../.. stays inside the rootfs" {
	mkdir -p "$BUNDLE/rootfs/a/b"
	ln -s ../../../../../../../.. "$BUNDLE/rootfs/a/b/evil"
	add_mount "/a/b/evil/$ESC" tmpfs tmpfs size=1m
	add_mount "/a/b/evil/$ESC-file" bind "$TESTDIR/payload" bind
	# and ".." in the destination itself
	add_mount "/../../../$ESC-dots" tmpfs tmpfs size=1m
	set_cmd "cat /$ESC-file; echo --mi--; cat /proc/self/mountinfo"
	run_inside_or_error 'evil|dots'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = payload ]
		output=$(section mi)
		[ "$(fstype_of "/$ESC")" = tmpfs ] || fail "no tmpfs at /$ESC inside: $output"
		[ "$(fstype_of "/$ESC-dots")" = tmpfs ] || fail "no tmpfs at /$ESC-dots inside: $output"
	fi
	[ ! -e "/$ESC-dots" ] && [ ! -e "$TESTDIR/$ESC-file" ] && [ ! -e "$BUNDLE/$ESC" ] || fail "made outside the rootfs"
	host_intact
	assert_clean
}

@test "mount destination symlink to /etc stays inside the rootfs" {
	ln -s /etc "$BUNDLE/rootfs/evil-etc"
	add_mount "/evil-etc/$ESC" tmpfs tmpfs size=1m
	add_mount "/evil-etc/$ESC-file" bind "$TESTDIR/payload" bind
	set_cmd "cat /etc/$ESC-file; echo --mi--; cat /proc/self/mountinfo"
	run_inside_or_error 'evil-etc'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = payload ]
		output=$(section mi)
		# /etc inside is the rootfs's
		[ "$(fstype_of "/etc/$ESC")" = tmpfs ] || fail "no tmpfs at /etc/$ESC inside: $output"
		[ -d "$BUNDLE/rootfs/etc/$ESC" ] && [ -f "$BUNDLE/rootfs/etc/$ESC-file" ]
	fi
	host_intact
	assert_clean
}

@test "mount destination symlink to an absolute host directory stays inside the rootfs" {
	ln -s "$HOST" "$BUNDLE/rootfs/evil-host"
	add_mount /evil-host/secret bind "$TESTDIR/payload" bind
	add_mount /evil-host/newdir tmpfs tmpfs size=1m
	add_mount /evil-host/newfile bind "$TESTDIR/payload" bind
	set_cmd "echo --mi--; cat /proc/self/mountinfo"
	run_inside_or_error 'evil-host'
	if [ "$RAN" = 1 ]; then
		output=$(section mi)
		# the host path, taken inside the rootfs
		mount_of "$HOST/secret" >/dev/null || fail "no bind at $HOST/secret inside: $output"
		mount_of "$HOST/newdir" >/dev/null || fail "no tmpfs at $HOST/newdir inside: $output"
	fi
	[ ! -e "$HOST/newdir" ] && [ ! -e "$HOST/newfile" ] || fail "made on the host: $(ls -l "$HOST")"
	host_intact
	assert_clean
}

@test "mount destination whose last component is a symlink to a host file is not followed out" {
	# Both land where the links point, inside the rootfs (as runc's
	# securejoin): apart, so that the directory does not cover the file.
	ln -s "$HOST/secret" "$BUNDLE/rootfs/etc/evil-file"
	ln -s "$HOST/dir" "$BUNDLE/rootfs/etc/evil-dir"
	add_mount /etc/evil-file bind "$TESTDIR/payload" bind
	add_mount /etc/evil-dir bind "$TESTDIR/payload-dir" rbind
	set_cmd "cat /etc/evil-file; ls /etc/evil-dir"
	run_inside_or_error 'evil-(file|dir)'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = payload ] && [ "${lines[1]}" = p ] || fail "inside: $output"
	fi
	[ -z "$(ls -A "$HOST/dir")" ] || fail "made on the host: $(ls -A "$HOST/dir")"
	host_intact
	assert_clean
}

@test "masked path that is a symlink to a host file: the host file is untouched, no host mount" {
	ln -s "$HOST/secret" "$BUNDLE/rootfs/masked-abs"
	ln -s "../../../../../../..$HOST/secret" "$BUNDLE/rootfs/masked-rel"
	ln -s "$HOST" "$BUNDLE/rootfs/masked-dir"
	update_config '.linux.maskedPaths += ["/masked-abs", "/masked-rel", "/masked-dir"]'
	update_config '.root.readonly = false'
	set_cmd 'for f in /masked-abs /masked-rel /masked-dir/secret; do cat $f; echo pwned >$f; done; ls /masked-dir; exit 0'
	run_inside_or_error 'masked-'
	if [ "$RAN" = 1 ]; then
		[[ "$output" != *"host-secret-$TAG"* ]] || fail "the host's secret was read inside: $output"
	fi
	[ "$(cat "$HOST/secret")" = "host-secret-$TAG" ]
	host_intact
	assert_clean
}

@test "/dev/null in the rootfs replaced by a symlink to a host file: masking uses the real /dev/null" {
	# no /dev tmpfs: the rootfs's own /dev is used, with a planted null
	update_config '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)]'
	ln -s "$HOST/secret" "$BUNDLE/rootfs/dev/null"
	update_config '.linux.maskedPaths += ["/etc/hostname"]'
	set_cmd 'for f in /proc/keys /etc/hostname; do stat -c "%n %F %t:%T" $f; cat $f; echo pwned >$f; done; echo --mi--; cat /proc/self/mountinfo'
	run_inside_or_error 'null'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = "/proc/keys character special file 1:3" ] || fail "$output"
		[ "${lines[1]}" = "/etc/hostname character special file 1:3" ] || fail "$output"
		[[ "$output" != *"host-secret-$TAG"* ]] || fail "the host's secret was read inside: $output"
		output=$(section mi)
		host_dev=$(awk '$5 == "/dev" { print $3 }' /proc/self/mountinfo)
		[ "$(mount_of /etc/hostname | awk '{ print $3 " " $4 }')" = "$host_dev /null" ] ||
			fail "/etc/hostname is not masked with the host's /dev/null: $(mount_of /etc/hostname)"
	fi
	[ "$(cat "$HOST/secret")" = "host-secret-$TAG" ]
	host_intact
	assert_clean
}

@test "a config mount over the container's /dev/null does not change what masking uses" {
	add_mount /dev/null bind "$HOST/secret" bind
	update_config '.linux.maskedPaths += ["/etc/hostname"]'
	set_cmd 'stat -c "%n %F %t:%T" /proc/keys /etc/hostname; echo pwned >/proc/keys; echo pwned >/etc/hostname; cat /proc/keys /etc/hostname'
	run_inside_or_error 'null'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = "/proc/keys character special file 1:3" ] || fail "$output"
		[ "${lines[1]}" = "/etc/hostname character special file 1:3" ] || fail "$output"
		[ "${#lines[@]}" = 2 ] || fail "the masked files are not empty: $output"
	fi
	[ "$(cat "$HOST/secret")" = "host-secret-$TAG" ]
	host_intact
	assert_clean
}

@test "/dev in the rootfs a symlink to the host's /dev: a mount on /dev/null cannot reach the host's" {
	update_config '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)]'
	rmdir "$BUNDLE/rootfs/dev"
	ln -s /dev "$BUNDLE/rootfs/dev"
	add_mount /dev/null bind "$HOST/secret" bind
	set_cmd 'stat -c "%n %F %t:%T" /proc/keys; cat /proc/keys; echo pwned >/proc/keys'
	run_inside_or_error 'dev'
	if [ "$RAN" = 1 ]; then
		[ "${lines[0]}" = "/proc/keys character special file 1:3" ] || fail "$output"
		[ "${#lines[@]}" = 1 ] || fail "/proc/keys is not empty: $output"
	fi
	[ "$(cat "$HOST/secret")" = "host-secret-$TAG" ]
	[ -c /dev/null ]
	host_intact
	assert_clean
}

@test "bind source that is a symlink on the host is followed, as runc does" {
	mkdir "$TESTDIR/realdir"
	echo real-dir >"$TESTDIR/realdir/marker"
	echo real-file >"$TESTDIR/realfile"
	ln -s realdir "$TESTDIR/link-dir"
	ln -s "$TESTDIR/realfile" "$TESTDIR/link-file"
	add_mount /data bind "$TESTDIR/link-dir" rbind
	add_mount /file bind "$TESTDIR/link-file" bind
	set_cmd 'cat /data/marker; stat -c %F /file; cat /file; echo new >/data/new; echo --mi--; cat /proc/self/mountinfo'
	run_ok run_ctr c1
	[ "${lines[0]}" = real-dir ]
	# the destination made to match the target: a file
	[ "${lines[1]}" = "regular file" ]
	[ "${lines[2]}" = real-file ]
	output=$(section mi)
	[ "$(mount_of /data | awk '{ print $4 }')" = "$TESTDIR/realdir" ] || fail "/data: $(mount_of /data)"
	[ "$(mount_of /file | awk '{ print $4 }')" = "$TESTDIR/realfile" ] || fail "/file: $(mount_of /file)"
	# the write landed in the target directory; the links are unchanged
	[ "$(cat "$TESTDIR/realdir/new")" = new ]
	[ -L "$TESTDIR/link-dir" ] && [ "$(readlink "$TESTDIR/link-dir")" = realdir ]
	[ -f "$BUNDLE/rootfs/file" ] && [ ! -L "$BUNDLE/rootfs/file" ]
	host_intact
	assert_clean
}

@test "device path /dev/../../etc/x is resolved inside the rootfs" {
	update_config '.linux.devices += [{"path": ("/dev/../../etc/" + $e), "type": "c", "major": 1, "minor": 3, "fileMode": 438}]' \
		--arg e "$ESC"
	set_cmd "stat -c '%F %t:%T' /etc/$ESC"
	run_inside_or_error 'etc|dev'
	if [ "$RAN" = 1 ]; then
		[ "$output" = "character special file 1:3" ]
		[ -c "$BUNDLE/rootfs/etc/$ESC" ]
	fi
	host_intact
	assert_clean
}

@test "device under a rootfs /dev that is a symlink to a host directory is not made on the host" {
	update_config '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)]'
	rmdir "$BUNDLE/rootfs/dev"
	ln -s "$HOST" "$BUNDLE/rootfs/dev"
	update_config '.linux.devices += [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 1234}]
		| .linux.devices += [{"path": "/dev/secret", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 1234}]'
	set_cmd 'stat -c "%n %F %t:%T" /dev/mynull'
	run_inside_or_error 'dev'
	if [ "$RAN" = 1 ]; then
		[ "$output" = "/dev/mynull character special file 1:3" ]
	fi
	[ ! -e "$HOST/mynull" ] || fail "a device node was made on the host: $(ls -l "$HOST")"
	[ -f "$HOST/secret" ] && [ "$(stat -c %u "$HOST/secret")" = 0 ]
	host_intact
	assert_clean
}

@test "process cwd /../../.. and a startContainer hook path with .. resolve inside the rootfs" {
	printf '#!/bin/sh\ncat /etc/hostname >/out/hook-saw\n' >"$BUNDLE/rootfs/in-rootfs-hook"
	chmod 755 "$BUNDLE/rootfs/in-rootfs-hook"
	[ ! -e /in-rootfs-hook ] || skip "the host has an /in-rootfs-hook"
	update_config '.process.cwd = "/../../.."
		| .hooks.startContainer = [{"path": "/../../../in-rootfs-hook", "args": ["in-rootfs-hook"]}]'
	set_cmd 'pwd; cat etc/hostname; ls -d opt/husk-test'
	run_ok run_ctr c1
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = husk-test ]
	[ "${lines[2]}" = opt/husk-test ]
	[ "$(cat "$OUT/hook-saw")" = husk-test ]
	host_intact
	assert_clean
}

# --- /proc and /sys (issue 12.3) --------------------------------------------
# As runc's checkProcMount: nothing may be mounted over /proc but a procfs,
# nor over or under anything inside it but the files lxcfs emulates; a proc
# or sysfs mount goes on a real directory, never through a symlink.

# Why anything else inside /proc is refused.
INSIDE_PROC='inside /proc only /proc/cpuinfo, meminfo, stat, uptime, loadavg, diskstats, swaps and slabinfo may be bound over'

# refused_each REGEX CONFIG-FILTER...: for each jq filter, the test's config
# with that filter applied is refused by `husk run` with one husk error
# matching REGEX, leaving nothing behind and the host as it was.
refused_each() {
	local re=$1 f
	shift
	cp "$BUNDLE/config.json" "$TESTDIR/config.orig"
	for f in "$@"; do
		cp "$TESTDIR/config.orig" "$BUNDLE/config.json"
		update_config "$f" --arg host "$HOST" || return
		rm -f "$LOG"
		hrun husk_logged run --bundle "$BUNDLE" c1
		assert_husk_error "$re" || fail "with $f" || return
		assert_clean || fail "with $f" || return
		host_intact || fail "with $f" || return
	done
	cp "$TESTDIR/config.orig" "$BUNDLE/config.json"
}

@test "a host directory bound over /proc, /proc/self or /proc/sys/kernel is refused" {
	ln -s /proc "$BUNDLE/rootfs/evil-proc"
	set_cmd 'cat /proc/self/mountinfo'
	bind='{"type": "bind", "source": $host, "options": ["rbind"]}'
	refused_each 'mounts\[[0-9]+\][. ].*/proc"?: only a procfs may be mounted at /proc$' \
		".mounts += [$bind + {\"destination\": \"/proc\"}]" \
		'.mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]'
	refused_each "mounts\\[[0-9]+\\][. ].*: $INSIDE_PROC\$" \
		".mounts += [$bind + {\"destination\": \"/proc/self\"}]" \
		".mounts += [$bind + {\"destination\": \"/proc/sys/kernel\"}]" \
		".mounts += [$bind + {\"destination\": \"/evil-proc/sys/kernel\"}]" \
		".mounts += [$bind + {\"destination\": \"/proc/sys/../sys/./kernel\"}]" \
		".mounts = [$bind + {\"destination\": \"/proc/sys/kernel\"}] + .mounts" \
		'.mounts += [{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs"}]' \
		'.mounts += [{"destination": "/proc/sys", "type": "proc", "source": "proc"}]' \
		'.mounts += [{"destination": "/proc/self/attr/current", "type": "bind", "source": ($host + "/secret"), "options": ["bind"]}]'
	# nothing was made in the image under /proc either
	[ -z "$(ls -A "$BUNDLE/rootfs/proc")" ] || fail "made in the rootfs's /proc: $(ls -A "$BUNDLE/rootfs/proc")"
}

@test "files lxcfs emulates may be bound over /proc/cpuinfo, meminfo, stat, uptime, loadavg, diskstats, swaps, slabinfo" {
	local f cmd=
	for f in cpuinfo meminfo stat uptime loadavg diskstats swaps slabinfo; do
		echo "fake-$f-$TAG" >"$TESTDIR/fake-$f"
		add_mount "/proc/$f" bind "$TESTDIR/fake-$f" bind ro
		cmd+="cat /proc/$f; "
	done
	set_cmd "$cmd"
	run_ok run_ctr c1
	[ "${#lines[@]}" = 8 ] || fail "$output"
	local i=0
	for f in cpuinfo meminfo stat uptime loadavg diskstats swaps slabinfo; do
		[ "${lines[$i]}" = "fake-$f-$TAG" ] || fail "/proc/$f shows ${lines[$i]}"
		i=$((i + 1))
	done
	host_intact
	assert_clean
}

@test "a rootfs whose /proc or /sys is a symlink is refused: procfs and sysfs are never mounted where it points" {
	mkdir "$BUNDLE/rootfs/fake"
	set_cmd 'cat /proc/self/mountinfo'
	local link
	for link in /fake ../../host ../../../../../../..$HOST; do
		rmdir "$BUNDLE/rootfs/proc" 2>/dev/null || rm -f "$BUNDLE/rootfs/proc"
		ln -s "$link" "$BUNDLE/rootfs/proc"
		refused_each '^run c1: mounts\[[0-9]+\] /proc(/\.)?: a symlink in the rootfs: proc is mounted only on a real directory$' \
			'.' '(.mounts[] | select(.destination == "/proc") | .destination) = "/proc/."'
	done
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	for link in /fake ../../host; do
		rmdir "$BUNDLE/rootfs/sys" 2>/dev/null || rm -f "$BUNDLE/rootfs/sys"
		ln -s "$link" "$BUNDLE/rootfs/sys"
		refused_each '^run c1: mounts\[[0-9]+\] /sys: a symlink in the rootfs: sysfs is mounted only on a real directory$' '.'
	done
	# a bind of the host's /sys there too
	refused_each '^run c1: mounts\[[0-9]+\] //sys/: a symlink in the rootfs: a mount at /sys goes only on a real directory$' \
		'.mounts = [{"destination": "//sys/", "type": "bind", "source": "/sys", "options": ["rbind"]}] + [.mounts[] | select(.destination != "/sys")]'
	# a procfs elsewhere whose last component is a symlink
	rm "$BUNDLE/rootfs/sys"
	mkdir "$BUNDLE/rootfs/sys" "$BUNDLE/rootfs/mnt"
	ln -s /fake "$BUNDLE/rootfs/mnt/p"
	refused_each '^run c1: mounts\[[0-9]+\] /mnt/p: a symlink in the rootfs: proc is mounted only on a real directory$' \
		'.mounts += [{"destination": "/mnt/p", "type": "proc", "source": "proc"}]'
	[ -z "$(ls -A "$BUNDLE/rootfs/fake")" ] || fail "made in /fake: $(ls -A "$BUNDLE/rootfs/fake")"
	[ ! -e "$BUNDLE/rootfs/host" ] || fail "made in the rootfs: $(ls -A "$BUNDLE/rootfs/host")"
}

@test "a rootfs without /proc and /sys gets real directories for them; a procfs may go elsewhere too" {
	rmdir "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys"
	add_mount /mnt/p proc proc
	set_cmd 'for d in /proc /sys /mnt/p; do awk -v d=$d '"'"'$5 == d { print d, $9 }'"'"' /proc/self/mountinfo; done'
	run_ok run_ctr c1
	[ "$output" = "$(printf '/proc proc\n/sys sysfs\n/mnt/p proc')" ] || fail "$output"
	[ -d "$BUNDLE/rootfs/proc" ] && [ ! -L "$BUNDLE/rootfs/proc" ] || fail "/proc was not made a directory"
	[ -d "$BUNDLE/rootfs/sys" ] && [ ! -L "$BUNDLE/rootfs/sys" ] || fail "/sys was not made a directory"
	host_intact
	assert_clean
}
