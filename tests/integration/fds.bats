#!/usr/bin/env bats
# fd hygiene: only stdio, --preserve-fds and LISTEN_FDS fds reach the
# program (of run, create + start, exec), whatever husk's caller left open;
# the program's cwd is inside the container, whatever cwd says (the
# CVE-2024-21626 class: a host directory fd must never become the cwd).

load helpers
load helpers_security

setup() {
	security_setup
	mkdir -p "$TESTDIR/hostdir"
	echo host-secret >"$TESTDIR/hostdir/HOST-MARKER"
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	echo five >"$TESTDIR/f5"
}

teardown() {
	teardown_test
}

# The fds of the shell itself, listed by a child shell: the pipe ends of
# its pipeline are the child's, not held by the shell being listed while ls
# reads /proc/<pid>/fd.  "; exit": the listing shell stays a child of sh.
LS_FDS='sh -c '"'"'ls /proc/$0/fd | tr "\n" " "'"'"' $$; echo; exit 0'

# host_fds PID: the fds of PID as the host sees them, "0 1 2 ".
host_fds() {
	ls "/proc/$1/fd" | sort -n | tr '\n' ' '
}

@test "fds: extra fds open in husk's caller (files, a directory, bats' own) do not reach the program of run" {
	set_cmd "$LS_FDS"
	# fd 3 is bats' own here; 5, 7 and 9 are given to husk
	hrun husk run --bundle "$BUNDLE" c1 5</etc/passwd 7</etc/hostname 9<"$TESTDIR/hostdir"
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[ "$output" = "0 1 2 " ] || fail "fds: $output"

	# the host's view of a running one
	set_args sleep 1000
	husk run -d --bundle "$BUNDLE" c2 </dev/null >/dev/null 2>&1 5</etc/passwd 7</etc/hostname 9<"$TESTDIR/hostdir"
	[ "$(host_fds "$(ctr_pid c2)")" = "0 1 2 " ] || fail "fds of c2: $(ls -l "/proc/$(ctr_pid c2)/fd")"
	husk delete -f c2
	assert_clean
}

@test "fds: extra fds given to create and to start do not reach the program" {
	set_cmd "$LS_FDS"
	husk create --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/c1.stdout" 2>"$TESTDIR/c1.stderr" \
		5</etc/passwd 7</etc/hostname 9<"$TESTDIR/hostdir"
	husk start c1 6</etc/passwd 8<"$TESTDIR/hostdir"
	wait_status c1 stopped 20
	[ "$(cat "$TESTDIR/c1.stdout")" = "0 1 2 " ] || fail "fds: $(cat "$TESTDIR/c1.stdout" "$TESTDIR/c1.stderr")"
	husk delete c1

	set_args sleep 1000
	husk create --bundle "$BUNDLE" c2 </dev/null >/dev/null 2>&1 5</etc/passwd 9<"$TESTDIR/hostdir"
	husk start c2 6</etc/passwd 8<"$TESTDIR/hostdir"
	wait_status c2 running
	[ "$(host_fds "$(ctr_pid c2)")" = "0 1 2 " ] || fail "fds of c2: $(ls -l "/proc/$(ctr_pid c2)/fd")"
	husk delete -f c2
	assert_clean
}

@test "fds: extra fds given to exec do not reach the exec'd process" {
	set_args sleep 1000
	run_detached c1
	hrun husk exec c1 sh -c "$LS_FDS" 5</etc/passwd 7</etc/hostname 9<"$TESTDIR/hostdir"
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[ "$output" = "0 1 2 " ] || fail "fds: $output"

	# detached, seen from the host
	husk exec -d --pid-file "$TESTDIR/epid" c1 sleep 1000 </dev/null >/dev/null 2>&1 5</etc/passwd 9<"$TESTDIR/hostdir"
	[ "$(host_fds "$(cat "$TESTDIR/epid")")" = "0 1 2 " ] || fail "fds: $(ls -l "/proc/$(cat "$TESTDIR/epid")/fd")"
	husk delete -f c1
	assert_clean
}

@test "--preserve-fds 2: exactly fds 3 and 4 reach the program (run, create + start, exec)" {
	set_cmd 'cat <&3; cat <&4; '"$LS_FDS"
	hrun husk run --preserve-fds 2 --bundle "$BUNDLE" c1 3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5" 9<"$TESTDIR/hostdir"
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[ "$output" = $'three\nfour\n0 1 2 3 4 ' ] || fail "output: $output"

	husk create --preserve-fds 2 --bundle "$BUNDLE" c2 </dev/null >"$TESTDIR/c2.stdout" 2>"$TESTDIR/c2.stderr" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	husk start c2 3<"$TESTDIR/f5" 4<"$TESTDIR/f5"
	wait_status c2 stopped 20
	[ "$(cat "$TESTDIR/c2.stdout")" = $'three\nfour\n0 1 2 3 4 ' ] || fail "create: $(cat "$TESTDIR/c2.stdout" "$TESTDIR/c2.stderr")"
	husk delete c2

	set_args sleep 1000
	run_detached c3
	hrun husk exec --preserve-fds 2 c3 sh -c 'cat <&3; cat <&4; '"$LS_FDS" 3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[ "$output" = $'three\nfour\n0 1 2 3 4 ' ] || fail "exec: $output"
	husk delete -f c3
	assert_clean
}

# check_missing_preserved OUTPUT: with --preserve-fds 3 and only fd 3 open,
# husk either refuses (as runc does: "unable to stat preserved-fd") or passes
# fd 3 alone, never one of its own fds as 4 or 5.
check_missing_preserved() {
	if [ "$status" -ne 0 ]; then
		[[ "$stderr" == "husk: "* ]] || fail "exit $status without an error: $stderr"
		return
	fi
	[ "$output" = "0 1 2 3 " ] || fail "the program got fds [$output]: $1"
}

@test "--preserve-fds beyond the open fds: never one of husk's own fds (run, create, exec)" {
	set_cmd 'ls -l /proc/$$/fd >&2; '"$LS_FDS"
	# bats holds fd 3 open: close it, then give husk only fd 3
	hrun husk run --preserve-fds 3 --bundle "$BUNDLE" c1 3<"$TESTDIR/f3" 4<&- 5<&-
	check_missing_preserved "$stderr"

	husk create --preserve-fds 3 --bundle "$BUNDLE" c2 </dev/null >"$TESTDIR/c2.stdout" 2>"$TESTDIR/c2.stderr" \
		3<"$TESTDIR/f3" 4<&- 5<&- && st=0 || st=$?
	if [ "$st" -eq 0 ]; then
		husk start c2
		wait_status c2 stopped 20
		status=0 output=$(cat "$TESTDIR/c2.stdout")
		check_missing_preserved "$(cat "$TESTDIR/c2.stderr")"
		husk delete c2
	fi

	set_args sleep 1000
	run_detached c3
	hrun husk exec --preserve-fds 3 c3 sh -c 'ls -l /proc/$$/fd >&2; '"$LS_FDS" 3<"$TESTDIR/f3" 4<&- 5<&-
	check_missing_preserved "$stderr"
	husk delete -f c3
	assert_clean
}

# husk_env_listen N ARGS...: husk ARGS with LISTEN_FDS=N and LISTEN_PID of
# husk itself, as systemd's socket activation sets them.
husk_listen() {
	local n=$1
	shift
	HUSK_TEST_TAG=$TAG bash -c 'export LISTEN_FDS=$1 LISTEN_PID=$$; shift; exec "$@"' - "$n" "$HUSK" --root "$ROOT" "$@"
}

@test "LISTEN_FDS=2: fds 3 and 4 reach the program, with LISTEN_FDS=2 and LISTEN_PID=1 in its environment" {
	set_cmd 'cat <&3; cat <&4; env | grep "^LISTEN_" | sort | tr "\n" " "; echo; '"$LS_FDS"
	hrun husk_listen 2 run --bundle "$BUNDLE" c1 3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5" 9<"$TESTDIR/hostdir"
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[ "$output" = $'three\nfour\nLISTEN_FDS=2 LISTEN_PID=1 \n0 1 2 3 4 ' ] || fail "output: $output"

	# with --preserve-fds 1: the listen fds, then the preserved one
	set_cmd 'cat <&3; cat <&4; cat <&5; env | grep "^LISTEN_" | sort | tr "\n" " "; echo; '"$LS_FDS"
	hrun husk_listen 2 run --preserve-fds 1 --bundle "$BUNDLE" c2 3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5" 6<"$TESTDIR/f3"
	[ "$status" -eq 0 ] || fail "run: $status: $stderr"
	[ "$output" = $'three\nfour\nfive\nLISTEN_FDS=2 LISTEN_PID=1 \n0 1 2 3 4 5 ' ] || fail "output: $output"

	# create + start
	set_cmd 'cat <&3; cat <&4; env | grep "^LISTEN_" | sort | tr "\n" " "; echo; '"$LS_FDS"
	husk_listen 2 create --bundle "$BUNDLE" c3 </dev/null >"$TESTDIR/c3.stdout" 2>"$TESTDIR/c3.stderr" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	husk start c3
	wait_status c3 stopped 20
	[ "$(cat "$TESTDIR/c3.stdout")" = $'three\nfour\nLISTEN_FDS=2 LISTEN_PID=1 \n0 1 2 3 4 ' ] ||
		fail "create: $(cat "$TESTDIR/c3.stdout" "$TESTDIR/c3.stderr")"
	husk delete c3

	# without LISTEN_FDS, nothing of it
	set_cmd 'env | grep -c "^LISTEN_"; '"$LS_FDS"
	hrun husk run --bundle "$BUNDLE" c4 3<"$TESTDIR/f3" 4<"$TESTDIR/f4"
	[ "$output" = $'0\n0 1 2 ' ] || fail "output: $output"
	assert_clean
}

@test "cwd: \"/../..\" and symlinks pointing up resolve inside the rootfs (seen from the host too)" {
	ln -s ../../../../../../.. "$BUNDLE/rootfs/up"
	ln -s /../../../../etc "$BUNDLE/rootfs/abs-up"
	check_cwd() { # CWD EXPECTED_PWD HOST_PATH
		update_config '.process.cwd = $c' --arg c "$1"
		set_cmd 'pwd -P; ls /proc/self/cwd/ | head -3 >/dev/null; readlink /proc/self/cwd; sleep 1000'
		run_detached "c$N" || return
		local pid
		pid=$(ctr_pid "c$N")
		wait_for 20 grep -q . "$TESTDIR/c$N.stdout"
		[ "$(head -1 "$TESTDIR/c$N.stdout")" = "$2" ] || fail "cwd $1: pwd $(cat "$TESTDIR/c$N.stdout")" || return
		[ "$(dev_ino "/proc/$pid/cwd")" = "$(dev_ino "$3")" ] ||
			fail "cwd $1: the process's cwd is not $3 of the bundle ($(readlink "/proc/$pid/cwd"))" || return
		husk delete -f "c$N"
		N=$((N + 1))
	}
	N=1
	check_cwd / / "$BUNDLE/rootfs"
	check_cwd /../.. / "$BUNDLE/rootfs"
	check_cwd /../../etc /etc "$BUNDLE/rootfs/etc"
	check_cwd /up / "$BUNDLE/rootfs"
	check_cwd /abs-up /etc "$BUNDLE/rootfs/etc"
	assert_clean
}

@test "cwd: /proc/self/fd/N never makes a host directory the cwd (run; CVE-2024-21626)" {
	# fd 9 of husk's caller is a host directory; husk's own fds are 3 and up
	for n in 3 4 5 6 7 8 9 10 11 12; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		set_cmd 'ls; readlink /proc/self/cwd; cat ../../../../../../../../etc/hostname'
		hrun husk run --bundle "$BUNDLE" "c$n" 9<"$TESTDIR/hostdir"
		if [ "$status" -eq 0 ]; then
			[[ "$output" != *HOST-MARKER* ]] || fail "cwd /proc/self/fd/$n: the program's cwd is the host's $TESTDIR/hostdir: $output"
			[ "${lines[-1]}" = husk-test ] || fail "cwd /proc/self/fd/$n: cwd outside the container: $output"
		else
			[[ "$stderr" == "husk: "* ]] || fail "cwd /proc/self/fd/$n: exit $status without an error: $stderr"
		fi
	done
	assert_clean
}

@test "cwd: /proc/self/fd/N never makes a host directory the cwd (create + start)" {
	for n in 3 5 9; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		set_cmd 'ls; cat ../../../../../../../../etc/hostname'
		if husk create --bundle "$BUNDLE" "c$n" </dev/null >"$TESTDIR/c$n.stdout" 2>"$TESTDIR/c$n.stderr" 9<"$TESTDIR/hostdir"; then
			husk start "c$n" 9<"$TESTDIR/hostdir" || true
			wait_status "c$n" stopped 20
			out=$(cat "$TESTDIR/c$n.stdout")
			[[ "$out" != *HOST-MARKER* ]] || fail "cwd /proc/self/fd/$n: the program's cwd is the host's $TESTDIR/hostdir: $out"
			husk delete "c$n"
		fi
	done
	assert_clean
}

@test "exec --cwd: \"/../..\" resolves inside; /proc/self/fd/N never a host directory" {
	set_args sleep 1000
	run_detached c1
	husk exec -d --cwd /../../.. --pid-file "$TESTDIR/epid" c1 sleep 1000 </dev/null >/dev/null 2>&1
	[ "$(dev_ino "/proc/$(cat "$TESTDIR/epid")/cwd")" = "$(dev_ino "$BUNDLE/rootfs")" ] ||
		fail "exec --cwd /../../..: cwd is $(readlink "/proc/$(cat "$TESTDIR/epid")/cwd")"
	run -0 husk exec --cwd /../../etc c1 pwd </dev/null
	[ "$output" = /etc ]

	for n in 3 4 5 6 7 8 9 10; do
		hrun husk exec --cwd "/proc/self/fd/$n" c1 sh -c 'ls; cat ../../../../../../../../etc/hostname' 9<"$TESTDIR/hostdir"
		if [ "$status" -eq 0 ]; then
			[[ "$output" != *HOST-MARKER* ]] || fail "exec --cwd /proc/self/fd/$n: the cwd is the host's $TESTDIR/hostdir: $output"
			[ "${lines[-1]}" = husk-test ] || fail "exec --cwd /proc/self/fd/$n: cwd outside the container: $output"
		fi
	done
	husk delete -f c1
	assert_clean
}

@test "fds: the created container's process holds no host directory for an exec'd process to reach" {
	# While created, pid 1 is husk's process; what it holds open must not
	# be reachable from a process exec'd into the container.
	set_args true
	create_ctr c1
	hrun husk exec c1 sh -c 'for f in /proc/1/fd/* /proc/1/cwd /proc/1/root; do
			[ -e "$f" ] || continue
			if ls "$f/" >/dev/null 2>&1; then echo "dir $f -> $(readlink "$f")"; fi
		done; ls ../../../../../../ | tr "\n" " "'
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[[ "$output" != *"dir /proc/1/fd"* ]] || fail "a directory fd of husk's process is reachable: $output"
	[[ "$output" != *"$TESTDIR"* ]] || fail "a host path is reachable: $output"
	husk delete -f c1
	assert_clean
}

# with_ptrace: the container's processes hold CAP_SYS_PTRACE, so they may
# read /proc/<pid>/fd of any process of theirs, husk's waiting one too.
with_ptrace() {
	update_config '.process.capabilities |= ((.bounding, .effective, .permitted) |= (. + ["CAP_SYS_PTRACE"] | unique))'
}

# What a CAP_SYS_PTRACE process sees through the fds of pid 1: each fd's
# target, and the listing of each directory among them.
PEEK_PID1='for f in /proc/1/fd/*; do echo "fd $f -> $(readlink "$f")"; ls "$f/" 2>/dev/null; cat "$f" 2>/dev/null | head -c 64; done; true'

@test "fds: a CAP_SYS_PTRACE exec into a created container reaches no fd the caller leaked to create (issue 12.2)" {
	with_ptrace
	set_args true
	husk create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1 \
		5<"$TESTDIR/f5" 7<"$TESTDIR/hostdir" 9<"$TESTDIR/hostdir"
	# the host's view: only stdio and husk's start socket
	local fds
	fds=$(host_fds "$(ctr_pid c1)")
	hrun husk exec c1 sh -c "$PEEK_PID1"
	[ "$status" -eq 0 ] || fail "exec: $status: $stderr"
	[[ "$output" == *"fd /proc/1/fd/0"* ]] || fail "the exec could not read pid 1's fds at all, the attack did not run: $output"
	[[ "$output" != *HOST-MARKER* ]] || fail "a directory the caller leaked is reachable: $output"
	[[ "$output" != *five* ]] || fail "a file the caller leaked is readable: $output"
	[[ "$output" != *"$TESTDIR"* ]] || fail "a host path is reachable: $output"
	[[ " $fds " != *" 5 "* && " $fds " != *" 7 "* && " $fds " != *" 9 "* ]] ||
		fail "the created process holds the leaked fds: $fds: $(ls -l "/proc/$(ctr_pid c1)/fd")"
	husk delete -f c1
	assert_clean
}

@test "fds: a CAP_SYS_PTRACE process reaches no fd the caller leaked to exec (issue 12.2)" {
	with_ptrace
	# The container holds exec's process before its exec: the process
	# reads the container's /etc/passwd (for HOME), here a FIFO that pid 1
	# answers only after it has read every fd of the waiting process (its
	# parent is husk, outside: ppid 0).  The rootfs is writable for the
	# FIFO: on a read-only one the exec never waited, and the watcher saw
	# the process only when it happened to look in time.
	update_config '.root.readonly = false'
	set_cmd 'rm /etc/passwd && mkfifo /etc/passwd && touch /out/ready
		while :; do for p in /proc/[0-9]*; do
			[ "$p" = /proc/1 ] && continue
			read -r _ _ _ ppid _ <"$p/stat" 2>/dev/null || continue
			[ "$ppid" = 0 ] && [ -e "$p/fd/0" ] || continue
			for f in "$p"/fd/*; do echo "$f -> $(readlink "$f")"; ls "$f/"; head -c 64 "$f"; done >>/out/seen 2>&1
			echo "root:x:0:0:root:/root:/bin/sh" >/etc/passwd
		done; usleep 1000; done'
	run_detached c1
	wait_for 10 test -e "$OUT/ready"
	HUSK_TEST_TIMEOUT=20 husk exec c1 true 5<"$TESTDIR/f5" 7<"$TESTDIR/hostdir" </dev/null >/dev/null 2>&1 ||
		fail "exec failed"
	grep -q "fd/0 ->" "$OUT/seen" || fail "the watcher did not see exec's process: $(cat "$OUT/seen")"
	! grep -q -e HOST-MARKER -e five -e "$TESTDIR" "$OUT/seen" || fail "the watcher read a leaked fd: $(cat "$OUT/seen")"
	husk delete -f c1
	assert_clean
}

@test "fds: a program reached through a /proc magic link (husk's own exe, a leaked fd) is refused (issue 12.2)" {
	local prog
	for prog in /proc/self/exe /proc/1/exe /link-to-exe; do
		ln -sfn /proc/self/exe "$BUNDLE/rootfs/link-to-exe"
		update_config '.process.args = [$p, "--version"]' --arg p "$prog"
		hrun husk_logged run --bundle "$BUNDLE" c1
		[[ "$output" != *"husk version"* && "$output" != *"0.1"* ]] || fail "$prog ran husk in the container: $output"
		assert_husk_error "exec: \"$prog\": a /proc magic link to a file outside the container"
		assert_clean
		rm -f "$LOG"
	done
	# a script of the host's, as a leaked fd: not there at all
	printf '#!/bin/sh\necho HOST-PROGRAM\n' >"$TESTDIR/hostprog"
	chmod +x "$TESTDIR/hostprog"
	update_config '.process.args = ["/proc/self/fd/7"]'
	hrun husk run --bundle "$BUNDLE" c1 7<"$TESTDIR/hostprog"
	[ "$status" -ne 0 ] || fail "the leaked program ran: $output"
	[[ "$output" != *HOST-PROGRAM* ]] || fail "the host's script ran: $output"
	# passed on purpose (--preserve-fds): the program may be that fd
	update_config '.process.args = ["/proc/self/fd/3"]'
	hrun husk run --preserve-fds 1 --bundle "$BUNDLE" c1 3<"$TESTDIR/hostprog"
	[ "$status" -eq 0 ] && [ "$output" = HOST-PROGRAM ] || fail "a preserved fd as the program: $status $output $stderr"
	assert_clean
}
