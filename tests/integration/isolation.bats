#!/usr/bin/env bats
# What the program sees: namespaces, the root filesystem, mounts, devices,
# its process attributes and stdio.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# mount_of DEST: the line of $output (a mountinfo) whose mount point is DEST
# (the last one: the top of the stack).
mount_of() {
	awk -v d="$1" '$5 == d { l = $0 } END { if (l) print l; else exit 1 }' <<<"$output"
}

# fstype_of DEST, opts_of DEST: fields of that mountinfo line.
fstype_of() {
	mount_of "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'
}

opts_of() {
	mount_of "$1" | awk '{ print $6 }'
}

has_opt() { # has_opt OPTS OPT
	[[ ",$1," == *",$2,"* ]]
}

@test "hostname and domainname from the config" {
	update_config '.hostname = "box1" | .domainname = "example.org"'
	set_cmd 'hostname; cat /proc/sys/kernel/domainname'
	run -0 run_ctr c1
	[ "${lines[0]}" = box1 ]
	[ "${lines[1]}" = example.org ]
	# the host's are untouched
	[ "$(hostname)" != box1 ]
	assert_clean
}

@test "pid namespace: the program is pid 1 and sees only its own processes" {
	set_cmd 'echo $$; cat /proc/1/cmdline | tr "\0" " "; echo; grep PPid /proc/1/status; ls /proc | grep -c "^[0-9]"'
	run -0 run_ctr c1
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == "sh -c "* ]]
	[[ "${lines[2]}" =~ ^PPid:[[:space:]]+0$ ]]
	# sh, and the ls and grep of the pipeline
	[ "${lines[3]}" -le 3 ]
	assert_clean
}

@test "network namespace: only lo" {
	set_cmd 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ls /sys/class/net'
	run -0 run_ctr c1
	[ "$output" = $'lo\nlo' ]
	assert_clean
}

@test "namespaces: new pid, net, ipc, uts, mnt; the host's user and cgroup" {
	set_cmd 'for n in pid net ipc uts mnt user cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	run -0 run_ctr c1
	for n in pid net ipc uts mnt; do
		inside=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")
		[ -n "$inside" ] || fail "no $n namespace in: $output"
		[ "$inside" != "$(host_ns "$n")" ] || fail "$n namespace is the host's"
	done
	for n in user cgroup; do
		inside=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")
		[ "$inside" = "$(host_ns "$n")" ] || fail "$n namespace $inside is not the host's"
	done
	assert_clean
}

@test "namespaces: a new cgroup namespace when asked" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_cmd 'readlink /proc/self/ns/cgroup'
	run -0 run_ctr c1
	[[ "$output" == cgroup:* ]]
	[ "$output" != "$(host_ns cgroup)" ]
	assert_clean
}

@test "namespaces: without network in the config, the host's network namespace" {
	update_config '.linux.namespaces -= [{"type": "network"}]'
	set_cmd 'readlink /proc/self/ns/net'
	run -0 run_ctr c1
	[ "$output" = "$(host_ns net)" ]
	assert_clean
}

@test "namespaces: joined by path (network, ipc, uts)" {
	update_config '.hostname = "alpha"'
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)

	update_config 'del(.hostname)
		| .linux.namespaces = [.linux.namespaces[]
			| if .type == "network" then .path = "/proc/\($p)/ns/net"
			  elif .type == "ipc" then .path = "/proc/\($p)/ns/ipc"
			  elif .type == "uts" then .path = "/proc/\($p)/ns/uts"
			  else . end]' --arg p "$pida"
	set_cmd 'for n in net ipc uts mnt; do echo "$n $(readlink /proc/self/ns/$n)"; done; hostname'
	run -0 run_ctr b
	for n in net ipc uts; do
		[ "$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")" = "$(host_ns "$n" "$pida")" ] ||
			fail "$n namespace is not a's: $output"
	done
	# the mount namespace is still a new one
	[ "$(awk '$1 == "mnt" { print $2 }' <<<"$output")" != "$(host_ns mnt "$pida")" ]
	[ "${lines[4]}" = alpha ]
	husk delete -f a
	assert_clean
}

@test "namespaces: joining mount, cgroup and pid namespaces by path" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	add_tmpfs /tmp
	set_cmd 'echo from-a >/tmp/marker; exec sleep 1000'
	run_detached a
	pida=$(ctr_pid a)
	wait_for 5 test -e "/proc/$pida/root/tmp/marker"

	# (a's pid namespace too: a's /proc shows only the processes of it)
	update_config '.linux.namespaces = [.linux.namespaces[]
		| if .type == "mount" then .path = "/proc/\($p)/ns/mnt"
		  elif .type == "cgroup" then .path = "/proc/\($p)/ns/cgroup"
		  elif .type == "pid" then .path = "/proc/\($p)/ns/pid"
		  else . end]' --arg p "$pida"
	set_cmd 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/cgroup; cat /tmp/marker'
	run -0 run_ctr b
	[ "${lines[0]}" = "$(host_ns mnt "$pida")" ]
	[ "${lines[1]}" = "$(host_ns cgroup "$pida")" ]
	[ "${lines[2]}" = from-a ]
	husk delete -f a
	assert_clean
}

@test "namespaces: joining a pid namespace by path" {
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	update_config '.linux.namespaces = [.linux.namespaces[]
		| if .type == "pid" then .path = "/proc/\($p)/ns/pid" else . end]' --arg p "$pida"
	set_cmd 'readlink /proc/self/ns/pid; echo $$; cat /proc/1/cmdline | tr "\0" " "'
	run -0 run_ctr b
	[ "${lines[0]}" = "$(host_ns pid "$pida")" ]
	[ "${lines[1]}" != 1 ]
	[ "${lines[2]}" = "sleep 1000 " ]
	husk delete -f a
	assert_clean
}

@test "root.readonly: the root is read-only, mounts on it are not" {
	add_tmpfs /tmp
	set_cmd 'touch /newfile 2>&1; echo "root=$?"; touch /tmp/f && echo tmp=ok; touch /out/f && echo out=ok'
	run -0 run_ctr c1
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"root=1"* ]]
	[[ "$output" == *"tmp=ok"* ]]
	[[ "$output" == *"out=ok"* ]]
	[ ! -e "$BUNDLE/rootfs/newfile" ]
	[ -e "$OUT/f" ]
	assert_clean
}

@test "root.readonly false: the root is writable, writes land in the bundle" {
	update_config '.root.readonly = false'
	set_cmd 'echo hi >/newfile && echo ok'
	run -0 run_ctr c1
	[ "$output" = ok ]
	[ "$(cat "$BUNDLE/rootfs/newfile")" = hi ]
	assert_clean
}

@test "the root is the bundle's rootfs, nothing of the host's tree is visible" {
	set_cmd 'cat /etc/hostname; ls /; cat /proc/self/mountinfo'
	run -0 run_ctr c1
	[ "${lines[0]}" = husk-test ]
	[[ "$output" != *"$REPO_ROOT"* ]] || fail "the host's tree shows inside: $output"
	[ "$(awk '$5 == "/" { print $4 }' <<<"$output")" = "$BUNDLE/rootfs" ]
	# the host's root is not mounted anywhere inside
	! awk '$4 == "/" && $5 != "/" && $9 == "/dev/vda"' <<<"$output" | grep -q .
	assert_clean
}

@test "--no-pivot: the container runs with its rootfs as /" {
	add_tmpfs /tmp
	set_cmd 'cat /etc/hostname; ls /opt; touch /tmp/x && echo tmp=ok; touch /x 2>/dev/null || echo ro=ok'
	run -0 run_ctr c1 --no-pivot
	[ "${lines[0]}" = husk-test ]
	[ "${lines[1]}" = husk-test ]
	[[ "$output" == *"tmp=ok"* ]]
	[[ "$output" == *"ro=ok"* ]]
	assert_clean
}

@test "--no-pivot: with create and start" {
	set_cmd 'cat /etc/hostname >/out/hostname'
	create_ctr c1 --no-pivot
	husk start c1
	wait_status c1 stopped
	[ "$(cat "$OUT/hostname")" = husk-test ]
	husk delete c1
	assert_clean
}

@test "default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs read-only" {
	set_cmd 'cat /proc/self/mountinfo'
	run -0 run_ctr c1
	[ "$(fstype_of /proc)" = proc ]
	[ "$(fstype_of /dev)" = tmpfs ]
	[ "$(fstype_of /dev/pts)" = devpts ]
	[ "$(fstype_of /dev/shm)" = tmpfs ]
	[ "$(fstype_of /dev/mqueue)" = mqueue ]
	[ "$(fstype_of /sys)" = sysfs ]
	has_opt "$(opts_of /sys)" ro || fail "/sys is not read-only: $(mount_of /sys)"
	for m in /dev /dev/pts /dev/shm /dev/mqueue /sys; do
		has_opt "$(opts_of "$m")" nosuid || fail "$m is not nosuid: $(mount_of "$m")"
	done
	for m in /dev/shm /dev/mqueue /sys; do
		has_opt "$(opts_of "$m")" nodev || fail "$m is not nodev: $(mount_of "$m")"
		has_opt "$(opts_of "$m")" noexec || fail "$m is not noexec: $(mount_of "$m")"
	done
	has_opt "$(opts_of /)" ro || fail "/ is not read-only: $(mount_of /)"
	mount_of /sys/fs/cgroup >/dev/null || fail "/sys/fs/cgroup is not mounted"
	has_opt "$(opts_of /sys/fs/cgroup)" ro || fail "/sys/fs/cgroup is not read-only: $(mount_of /sys/fs/cgroup)"
	# the mounts are new filesystems, not the host's
	[ "$(mount_of /dev | awk '{ print $3 }')" != "$(awk '$5 == "/dev" { print $3 }' /proc/self/mountinfo)" ]
	assert_clean
}

@test "default mounts: modes of /dev and /dev/shm, devpts options" {
	set_cmd 'stat -c "%n %a" /dev /dev/shm; cat /proc/self/mountinfo'
	run -0 run_ctr c1
	[ "${lines[0]}" = "/dev 755" ]
	[ "${lines[1]}" = "/dev/shm 1777" ]
	super=$(mount_of /dev/pts | sed 's/.* - //')
	[[ "$super" == *newinstance* || "$super" == *ptmxmode=666* ]] || fail "devpts: $super"
	[[ "$super" == *gid=5* ]] || fail "devpts: $super"
	assert_clean
}

@test "devices: the standard nodes are char devices with the right numbers" {
	set_cmd 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	run -0 run_ctr c1
	[ "${lines[0]}" = "/dev/null character special file 1:3 666" ]
	[ "${lines[1]}" = "/dev/zero character special file 1:5 666" ]
	[ "${lines[2]}" = "/dev/full character special file 1:7 666" ]
	[ "${lines[3]}" = "/dev/random character special file 1:8 666" ]
	[ "${lines[4]}" = "/dev/urandom character special file 1:9 666" ]
	[ "${lines[5]}" = "/dev/tty character special file 5:0 666" ]
	assert_clean
}

@test "devices: the standard symlinks" {
	set_cmd 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done'
	run -0 run_ctr c1
	[ "${lines[0]}" = "fd /proc/self/fd" ]
	[ "${lines[1]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[2]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[3]}" = "stderr /proc/self/fd/2" ]
	[ "${lines[4]}" = "ptmx pts/ptmx" ]
	assert_clean
}

@test "devices: they work" {
	set_cmd 'echo x >/dev/null && echo null=ok
		[ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero=ok
		echo x 2>/dev/null >/dev/full || echo full=ok
		[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo urandom=ok
		echo via-dev-stdout >/dev/stdout'
	run -0 run_ctr c1
	[ "$output" = $'null=ok\nzero=ok\nfull=ok\nurandom=ok\nvia-dev-stdout' ]
	assert_clean
}

@test "devices: devpts gives ptys, /dev/shm is writable" {
	set_cmd 'exec 3<>/dev/ptmx && ls /dev/pts | tr "\n" " "; echo; echo x >/dev/shm/f && echo shm=ok'
	run -0 run_ctr c1
	[ "${lines[0]}" = "0 ptmx " ]
	[ "${lines[1]}" = shm=ok ]
	assert_clean
}

@test "devices: the host's /dev is not visible" {
	set_cmd 'ls /dev'
	run -0 run_ctr c1
	[[ "$output" != *vda* ]]
	[[ "$output" != *kmsg* ]]
	assert_clean
}

@test "process args: the program is found on the container's PATH" {
	update_config '.process.env = ["PATH=/opt/husk-test/bin:/bin", "HUSK_TEST_TAG=" + $t]' --arg t "$TAG"
	set_args husk-test-hello a "b c"
	run -0 run_ctr c1
	[ "$output" = "only-in-container a b c" ]
	assert_clean
}

@test "process args: PATH order is respected" {
	mkdir -p "$BUNDLE/rootfs/opt/first"
	printf '#!/bin/sh\necho first\n' >"$BUNDLE/rootfs/opt/first/husk-test-hello"
	chmod 755 "$BUNDLE/rootfs/opt/first/husk-test-hello"
	update_config '.process.env = ["PATH=/opt/first:/opt/husk-test/bin:/bin", "HUSK_TEST_TAG=" + $t]' --arg t "$TAG"
	set_args husk-test-hello
	run -0 run_ctr c1
	[ "$output" = first ]
	# a non-executable file on the way is skipped
	chmod 644 "$BUNDLE/rootfs/opt/first/husk-test-hello"
	run -0 run_ctr c2
	[ "$output" = "only-in-container " ]
	assert_clean
}

@test "process args: an absolute path, argv passed untouched" {
	set_args /bin/sh -c 'printf "[%s]" "$0" "$@"' zero 'one two' '' '*'
	run -0 run_ctr c1
	[ "$output" = '[zero][one two][][*]' ]
	assert_clean
}

@test "process env: exactly the configured environment, plus HOME" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EQ=a=b", "EMPTY=", "HUSK_TEST_TAG=" + $t]' --arg t "$TAG"
	set_args env
	run -0 run_ctr c1
	[ "$(sort <<<"$output")" = "$(printf '%s\n' EMPTY= EQ=a=b "FOO=bar baz" HOME=/root "HUSK_TEST_TAG=$TAG" PATH=/bin | sort)" ]
	assert_clean
}

@test "process env: HOME given is kept; HOME of a non-root user from /etc/passwd" {
	update_config '.process.env += ["HOME=/custom"]'
	set_cmd 'echo $HOME'
	run -0 run_ctr c1
	[ "$output" = /custom ]
	update_config '.process.env -= ["HOME=/custom"] | .process.user = {"uid": 65534, "gid": 65534}'
	run -0 run_ctr c2
	[ "$output" = /nonexistent ]
	assert_clean
}

@test "process cwd" {
	update_config '.process.cwd = "/etc"'
	set_args pwd
	run -0 run_ctr c1
	[ "$output" = /etc ]
	assert_clean
}

@test "process cwd: created when missing, as runc does" {
	update_config '.process.cwd = "/work/dir"'
	set_args pwd
	run -0 run_ctr c1
	[ "$output" = /work/dir ]
	assert_clean
}

@test "process user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 65534, "gid": 100, "additionalGids": [1, 2, 5]}'
	set_cmd 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; id -un; touch /out/byuser'
	run -0 run_ctr c1
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$ ]]
	[[ "${lines[1]}" =~ ^Gid:[[:space:]]+100[[:space:]]+100[[:space:]]+100[[:space:]]+100$ ]]
	[ "$(echo ${lines[2]#Groups:})" = "1 2 5" ]
	[ "${lines[3]}" = nobody ]
	[ "$(stat -c %u:%g "$OUT/byuser")" = 65534:100 ]
	assert_clean
}

@test "process user: root with no additionalGids has no supplementary groups" {
	set_cmd 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	# husk is run with supplementary groups of its own
	run -0 setpriv --groups 1,2 env HUSK_TEST_TAG="$TAG" "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+0[[:space:]]+0 ]]
	[ "$(echo ${lines[2]#Groups:})" = "" ] || fail "groups: ${lines[2]}"
	assert_clean
}

@test "process user: umask" {
	update_config '.process.user.umask = 63'
	set_cmd 'umask; touch /out/f'
	run -0 run_ctr c1
	[ "$output" = 0077 ]
	[ "$(stat -c %a "$OUT/f")" = 600 ]
	assert_clean
}

@test "process user: default umask is 0022, whatever husk's" {
	set_cmd 'umask'
	run -0 bash -c 'umask 0077; exec "$@"' - env HUSK_TEST_TAG="$TAG" "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null
	[ "$output" = 0022 ]
	assert_clean
}

@test "process rlimits" {
	set_cmd 'ulimit -Sn; ulimit -Hn'
	run -0 run_ctr c1
	[ "$output" = $'1024\n1024' ]
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 700}]'
	run -0 run_ctr c2
	[ "$output" = $'512\n700' ]
	assert_clean
}

@test "stdio: inherited from husk run when there is no terminal" {
	set_cmd 'read line; echo "got $line"; cat; echo to-stderr >&2'
	run --separate-stderr -0 bash -c 'printf "first\nsecond\nthird\n" | HUSK_TEST_TAG=$1 "$2" --root "$3" run --bundle "$4" c1' - \
		"$TAG" "$HUSK" "$ROOT" "$BUNDLE"
	[ "$output" = $'got first\nsecond\nthird' ]
	[ "$stderr" = to-stderr ]
	assert_clean
}

@test "stdio: the very fds, not copies (a pipe stays a pipe)" {
	set_cmd 'for f in 0 1; do readlink /proc/self/fd/$f; done'
	run -0 bash -c 'true | HUSK_TEST_TAG=$1 "$2" --root "$3" run --bundle "$4" c1 | cat' - "$TAG" "$HUSK" "$ROOT" "$BUNDLE"
	[[ "${lines[0]}" == pipe:* ]]
	[[ "${lines[1]}" == pipe:* ]]
	assert_clean
}

@test "signals: the program starts with no signal blocked" {
	# husk run blocks signals to forward them; the program must not
	# inherit that mask.  (grep is exec'd directly: no shell in between.)
	set_args grep -E '^Sig(Blk|Ign):' /proc/self/status
	run -0 run_ctr c1
	[[ "${lines[0]}" =~ ^SigBlk:[[:space:]]+0+$ ]] || fail "run: ${lines[0]}"
	[[ "${lines[1]}" =~ ^SigIgn:[[:space:]]+0+$ ]] || fail "run: ${lines[1]}"
	run -0 run_ctr c2 --keep
	husk delete c2
	create_ctr c3
	husk start c3
	wait_status c3 stopped
	[[ "$(head -1 "$TESTDIR/c3.stdout")" =~ ^SigBlk:[[:space:]]+0+$ ]] || fail "create: $(cat "$TESTDIR/c3.stdout")"
	husk delete c3
	assert_clean
}

@test "fds: the program gets only stdio, nothing of husk's" {
	# "; exit": ls is a child of sh, not sh exec'd into ls
	set_cmd 'ls /proc/$$/fd; exit 0'
	run -0 run_ctr c1
	[ "$output" = $'0\n1\n2' ]
	# also when husk itself has more open
	run -0 bash -c 'exec 5</etc/hostname 7>/dev/null; HUSK_TEST_TAG=$1 "$2" --root "$3" run --bundle "$4" c2 </dev/null' - \
		"$TAG" "$HUSK" "$ROOT" "$BUNDLE"
	[ "$output" = $'0\n1\n2' ]
	assert_clean
}

@test "fds: the created container's program gets only stdio" {
	# (not redirected in the script: sh would keep a copy of fd 1 open)
	set_cmd 'ls /proc/$$/fd; exit 0'
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	[ "$(cat "$TESTDIR/c1.stdout")" = $'0\n1\n2' ]
	husk delete c1
	assert_clean
}

@test "--preserve-fds N: fds 3 to 3+N-1 are passed on, no more" {
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	# (no pipeline: sh holds the pipe's fds for a moment while it forks)
	set_cmd 'cat <&3; cat <&4; ls /proc/$$/fd; exit 0'
	run -0 bash -c 'HUSK_TEST_TAG=$1 "$2" --root "$3" run --preserve-fds 2 --bundle "$4" c1 </dev/null 3<"$5/f3" 4<"$5/f4" 5</dev/null' - \
		"$TAG" "$HUSK" "$ROOT" "$BUNDLE" "$TESTDIR"
	[ "$output" = $'three\nfour\n0\n1\n2\n3\n4' ]
	assert_clean
}

@test "--preserve-fds with create: the fd reaches the program at start" {
	echo three >"$TESTDIR/f3"
	set_cmd 'cat <&3 >/out/fd3'
	bash -c 'HUSK_TEST_TAG=$1 "$2" --root "$3" create --preserve-fds 1 --bundle "$4" c1 </dev/null >/dev/null 2>&1 3<"$5/f3"' - \
		"$TAG" "$HUSK" "$ROOT" "$BUNDLE" "$TESTDIR"
	husk start c1
	wait_status c1 stopped
	[ "$(cat "$OUT/fd3")" = three ]
	husk delete c1
	assert_clean
}

@test "masked paths: read as empty" {
	set_cmd 'for f in /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c <$f)"; done; ls -A /sys/firmware | wc -l; ls -A /proc/acpi 2>/dev/null | wc -l'
	run -0 run_ctr c1
	# /proc/keys and /proc/timer_list exist on this host (see the setup)
	[ "${lines[0]}" = "/proc/keys 0" ]
	[ "${lines[1]}" = "/proc/timer_list 0" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
	assert_clean
}

@test "masked paths: a path of the config that is missing is skipped" {
	update_config '.linux.maskedPaths += ["/proc/husk-no-such-file"]'
	run -0 run_ctr c1
	assert_clean
}

@test "readonly paths: /proc/sys and the others are read-only" {
	set_cmd 'echo x 2>&1 >/proc/sys/kernel/domainname; echo "write=$?"; cat /proc/self/mountinfo'
	run -0 run_ctr c1
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"write=1"* ]]
	for p in /proc/sys /proc/bus /proc/fs /proc/irq; do
		[ -e "$p" ] || continue
		has_opt "$(opts_of "$p")" ro || fail "$p is not read-only: $(mount_of "$p")"
	done
	# the rest of /proc stays writable (it is the container's)
	! has_opt "$(opts_of /proc)" ro
	assert_clean
}

@test "mounts: a read-only bind mount from the host" {
	mkdir "$TESTDIR/data"
	echo content >"$TESTDIR/data/file"
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
		--arg s "$TESTDIR/data"
	set_cmd 'cat /data/file; touch /data/new 2>/dev/null || echo ro=ok'
	run -0 run_ctr c1
	[ "$output" = $'content\nro=ok' ]
	[ ! -e "$TESTDIR/data/new" ]
	assert_clean
}

@test "mounts: a relative bind source is relative to the bundle" {
	# runtime-spec config.md: source is "either an absolute path or a path
	# relative to the bundle".  husk is run from another directory.
	mkdir "$BUNDLE/data"
	echo relative >"$BUNDLE/data/file"
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "data", "options": ["rbind", "ro"]}]'
	set_cmd 'cat /data/file'
	mkdir "$TESTDIR/elsewhere"
	cd "$TESTDIR/elsewhere"
	run -0 run_ctr c1
	[ "$output" = relative ]
	assert_clean
}

@test "mounts: nothing the container mounts shows on the host" {
	add_tmpfs /tmp
	set_args sleep 1000
	run_detached c1
	# (the bundle's rootfs, /out, /tmp: all in the container's namespace)
	m=$(grep -F "$TESTDIR" /proc/self/mountinfo || true)
	[ -z "$m" ] || fail "mounts of the container on the host: $m"
	husk delete -f c1
	assert_clean
}
