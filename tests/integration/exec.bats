#!/usr/bin/env bats
# husk exec: a new process in a running container, with every flag runc's
# exec has, and --process FILE as engines use it.

load helpers
load helpers_engine

setup() {
	setup_test
	own_cgroup
}

teardown() {
	teardown_test
}

# write_process FILE JSON: a process.json for --process, with the test's tag
# in its env when it has one (so teardown finds what it runs).
write_process() {
	jq --arg tag "HUSK_TEST_TAG=$TAG" 'if .env then .env += [$tag] else . end' <<<"$2" >"$1" ||
		fail "bad process JSON: $2"
}

# cmdline_is PID TEXT: for wait_for, which runs it again each time.
cmdline_is() {
	[ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" = "$2" ]
}

@test "exec: the command's exit code; killed by a signal, 128+N" {
	sleeper c1
	hrun husk exec c1 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	hrun husk exec c1 true
	[ "$status" -eq 0 ]
	hrun husk exec c1 sh -c 'exit 255'
	[ "$status" -eq 255 ]
	hrun husk exec c1 sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	hrun husk exec c1 sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	# The container is untouched by its execs.
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "exec: stdout and stderr are the caller's, stdin reaches the process" {
	sleeper c1
	hrun husk exec c1 sh -c 'echo to-out; echo to-err >&2'
	[ "$status" -eq 0 ]
	[ "$output" = to-out ]
	[ "$stderr" = to-err ]
	run -0 bash -c "echo hi | $(printf '%q ' "$HUSK" --root "$ROOT") exec c1 cat"
	[ "$output" = hi ]
	# Several lines, and EOF ends the program.
	run -0 bash -c "printf 'a\nb\nc\n' | $(printf '%q ' "$HUSK" --root "$ROOT") exec c1 wc -l"
	[ "$(echo $output)" = 3 ]
	husk delete -f c1
	assert_clean
}

@test "exec: the process runs in the container's pid namespace, not as its pid 1" {
	sleeper c1
	hrun husk exec c1 sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 1 ]
	[ "${lines[1]}" = "sleep 100000 " ]
	husk delete -f c1
	assert_clean
}

@test "exec: joins every namespace of the container (pid, net, ipc, uts, mnt, cgroup)" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	sleeper c1
	for n in pid net ipc uts mnt cgroup user; do
		hrun husk exec c1 readlink "/proc/self/ns/$n"
		[ "$status" -eq 0 ] || fail "exec readlink $n: $stderr"
		[ "$output" = "$(ctr_ns c1 "$n")" ] || fail "$n: exec'd process in $output, container in $(ctr_ns c1 "$n")"
	done
	# They are the container's own, not the host's (the user namespace
	# is the host's: the config has none).
	for n in pid net ipc uts mnt cgroup; do
		[ "$(ctr_ns c1 "$n")" != "$(host_ns "$n")" ] || fail "$n namespace of the container is the host's"
	done
	husk delete -f c1
	assert_clean
}

@test "exec: with a user namespace, joins it and every namespace it owns (and time)" {
	[ -e /proc/self/ns/time ] || skip "the kernel has no time namespaces"
	update_config '.linux.namespaces += [{"type": "user"}, {"type": "cgroup"}, {"type": "time"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	sleeper c1
	for n in user pid net ipc uts mnt cgroup time; do
		hrun husk exec c1 readlink "/proc/self/ns/$n"
		[ "$status" -eq 0 ] || fail "exec readlink $n: $stderr"
		[ "$output" = "$(ctr_ns c1 "$n")" ] || fail "$n: exec'd process in $output, container in $(ctr_ns c1 "$n")"
		[ "$output" != "$(host_ns "$n")" ] || fail "$n namespace is the host's"
	done
	# Root of the container's user namespace, mapped as configured.
	hrun husk exec c1 sh -c 'id -u; id -g; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 200000 65536" ]
	# and uid 0 of the host is nobody there.
	hrun husk exec -d --pid-file "$TESTDIR/e.pid" c1 sleep 1000
	[ "$status" -eq 0 ]
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$(cat "$TESTDIR/e.pid")/status")" = 200000 ]
	husk delete -f c1
	assert_clean
}

@test "exec: joins the container's cgroups" {
	sleeper c1
	pid=$(ctr_pid c1)
	[ "$(cat "/proc/$pid/cgroup")" != "$(cat /proc/self/cgroup)" ] ||
		echo "# the container is in the caller's cgroups: the comparison proves little" >&3
	hrun husk exec -d --pid-file "$TESTDIR/e.pid" c1 sleep 1000
	[ "$status" -eq 0 ]
	epid=$(cat "$TESTDIR/e.pid")
	[ "$(cat "/proc/$epid/cgroup")" = "$(cat "/proc/$pid/cgroup")" ] ||
		fail "exec'd process in $(cat "/proc/$epid/cgroup"), container in $(cat "/proc/$pid/cgroup")"
	# As the process sees it.
	hrun husk exec c1 sh -c 'cat /proc/self/cgroup; echo --; cat /proc/1/cgroup'
	[ "$status" -eq 0 ]
	[ "${output%%--*}" = "${output#*--$'\n'}"$'\n' ] || fail "cgroups differ: $output"
	husk delete -f c1
	assert_clean
}

@test "exec: by default the container's user, env, cwd, capabilities and rlimits" {
	update_config '.process.user = {"uid": 1, "gid": 1, "additionalGids": [100]}
		| .process.env += ["FROM_CONFIG=yes"]
		| .process.cwd = "/etc"
		| .process.capabilities.bounding += ["CAP_SYS_TIME"]
		| .process.capabilities.effective += ["CAP_SYS_TIME"]
		| .process.capabilities.permitted += ["CAP_SYS_TIME"]
		| .process.capabilities.ambient = ["CAP_SYS_TIME"]
		| .process.capabilities.inheritable = ["CAP_SYS_TIME"]
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 321, "soft": 123}]'
	sleeper c1
	pid=$(ctr_pid c1)
	hrun husk exec c1 sh -c 'id -u; id -g; id -G; echo $FROM_CONFIG; pwd; ulimit -n; ulimit -Hn; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = "1 100" ] || [ "${lines[2]}" = "100 1" ] || fail "groups: ${lines[2]}"
	[ "${lines[3]}" = yes ]
	[ "${lines[4]}" = /etc ]
	[ "${lines[5]}" = 123 ]
	[ "${lines[6]}" = 321 ]
	[ "${lines[7]}" = "$(grep CapEff "/proc/$pid/status")" ] || fail "exec: ${lines[7]}, container: $(grep CapEff "/proc/$pid/status")"
	has_cap "$(cap_eff "$pid")" 25 || fail "the container lacks CAP_SYS_TIME"
	husk delete -f c1
	assert_clean
}

@test "exec: the container's seccomp filter applies (mkdir denied)" {
	add_tmpfs /scratch
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	sleeper c1
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$(ctr_pid c1)/status"
	hrun husk exec c1 mkdir /scratch/d
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "mkdir said: $stderr"
	hrun husk exec c1 sh -c 'grep Seccomp: /proc/self/status; touch /scratch/f && echo touched'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^Seccomp:[[:space:]]+2$ ]]
	[ "${lines[1]}" = touched ]
	# With --process too.
	write_process "$TESTDIR/p.json" '{"args": ["mkdir", "/scratch/d2"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}'
	hrun husk exec --process "$TESTDIR/p.json" c1
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "mkdir said: $stderr"
	husk delete -f c1
	assert_clean
}

@test "exec --process: args, env, cwd and user from a runtime-spec process JSON" {
	update_config '.process.env += ["FROM_CONFIG=yes"]'
	sleeper c1
	write_process "$TESTDIR/p.json" '{
		"terminal": false,
		"user": {"uid": 1, "gid": 2, "additionalGids": [5, 100]},
		"args": ["sh", "-c", "id -u; id -g; id -G; pwd; echo ${FROM_CONFIG:-unset} $MINE; exit 7"],
		"env": ["PATH=/usr/bin:/bin", "MINE=from-process-json"],
		"cwd": "/tmp"
	}'
	hrun husk exec --process "$TESTDIR/p.json" c1
	[ "$status" -eq 7 ] || fail "exit $status: $stderr"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = "2 5 100" ] || fail "groups: ${lines[2]}"
	[ "${lines[3]}" = /tmp ]
	# The env is the process's, not the container's.
	[ "${lines[4]}" = "unset from-process-json" ]
	husk delete -f c1
	assert_clean
}

@test "exec --process: capabilities, rlimits and noNewPrivileges from the JSON" {
	update_config '.process.noNewPrivileges = false'
	sleeper c1
	write_process "$TESTDIR/p.json" '{
		"args": ["sh", "-c", "grep -E \"^(CapEff|CapBnd|NoNewPrivs)\" /proc/self/status; ulimit -n"],
		"env": ["PATH=/bin"], "cwd": "/",
		"user": {"uid": 0, "gid": 0},
		"noNewPrivileges": true,
		"capabilities": {"bounding": ["CAP_SYS_TIME", "CAP_KILL"], "effective": ["CAP_SYS_TIME", "CAP_KILL"],
			"permitted": ["CAP_SYS_TIME", "CAP_KILL"]},
		"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 77, "soft": 77}]
	}'
	hrun husk exec --process "$TESTDIR/p.json" c1
	[ "$status" -eq 0 ] || fail "$stderr"
	want=$(printf '%016x' $(((1 << 25) | (1 << 5))))
	[[ "${lines[0]}" =~ ^CapEff:[[:space:]]+$want$ ]] || fail "${lines[0]}, expected $want"
	[[ "${lines[1]}" =~ ^CapBnd:[[:space:]]+$want$ ]] || fail "${lines[1]}, expected $want"
	[[ "${lines[2]}" =~ ^NoNewPrivs:[[:space:]]+1$ ]] || fail "${lines[2]}"
	[ "${lines[3]}" = 77 ]
	husk delete -f c1
	assert_clean
}

@test "exec --process: what the JSON leaves out (capabilities, rlimits, noNewPrivileges) is the container's, as in runc" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 321, "soft": 123}]
		| .process.noNewPrivileges = true'
	sleeper c1
	pid=$(ctr_pid c1)
	write_process "$TESTDIR/p.json" '{"args": ["sh", "-c", "grep -E \"^(CapEff|CapBnd|NoNewPrivs):\" /proc/self/status; ulimit -n"],
		"env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}'
	hrun husk exec --process "$TESTDIR/p.json" c1
	[ "$status" -eq 0 ] || fail "$stderr"
	want="$(grep -E '^(CapEff|CapBnd):' "/proc/$pid/status")
NoNewPrivs:	1
123"
	[ "$output" = "$want" ] || fail "the exec'd process has
$output
expected (the container's)
$want"
	husk delete -f c1
	assert_clean
}

@test "exec --process: the command line's args replace the JSON's" {
	sleeper c1
	write_process "$TESTDIR/p.json" '{"args": ["echo", "from-json"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}'
	hrun husk exec --process "$TESTDIR/p.json" c1
	[ "$output" = from-json ]
	husk delete -f c1
	assert_clean
}

@test "exec --process: a missing or malformed file is a clear error" {
	sleeper c1
	hrun husk_logged exec --process "$TESTDIR/nonexistent.json" c1
	assert_husk_error 'nonexistent\.json' 255
	rm -f "$LOG"
	echo '{"args": [' >"$TESTDIR/bad.json"
	hrun husk_logged exec --process "$TESTDIR/bad.json" c1
	assert_husk_error '' 255
	rm -f "$LOG"
	echo '{"args": [], "cwd": "/"}' >"$TESTDIR/noargs.json"
	hrun husk_logged exec --process "$TESTDIR/noargs.json" c1
	assert_husk_error 'args' 255
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "exec -e/--env: added to the container's env, several, overriding" {
	update_config '.process.env += ["FROM_CONFIG=yes", "OVER=old"]'
	sleeper c1
	hrun husk exec -e A=1 --env B=two -e OVER=new -e 'SPACED=a b' c1 sh -c 'echo $FROM_CONFIG $A $B $OVER; echo "$SPACED"'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "yes 1 two new" ]
	[ "${lines[1]}" = "a b" ]
	# The environment the program gets (not a shell's view of it): one
	# OVER, the new one, as runc gives (getenv() returns the first one).
	husk exec -e OVER=new c1 cat /proc/self/environ </dev/null >"$TESTDIR/environ"
	over=$(tr '\0' '\n' <"$TESTDIR/environ" | grep '^OVER=' | tr '\n' ' ')
	[ "$over" = "OVER=new " ] || fail "the environment has: $over"
	husk delete -f c1
	assert_clean
}

@test "exec -u uid:gid, -u uid, and -g/--additional-gids" {
	sleeper c1
	hrun husk exec -u 1:2 c1 sh -c 'id -u; id -g; id -G'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = 2 ]
	hrun husk exec --user 65534 c1 sh -c 'id -u; id -g'
	[ "${lines[0]}" = 65534 ]
	# Only the uid given: the container's gid (0) is kept.
	[ "${lines[1]}" = 0 ]
	hrun husk exec -u 1:1 -g 5 --additional-gids 100 c1 id -G
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "1 5 100" ]
	hrun husk exec -u 1:1 -g 5,100 c1 id -G
	[ "$output" = "1 5 100" ]
	hrun husk_logged exec -u nobody-by-name c1 true
	assert_husk_error '' 255
	husk delete -f c1
	assert_clean
}

@test "exec --cwd: the process's working directory" {
	sleeper c1
	hrun husk exec --cwd /etc c1 pwd
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
	hrun husk exec --cwd=/tmp c1 pwd
	[ "$output" = /tmp ]
	husk delete -f c1
	assert_clean
}

@test "exec --cap: the capability is added to the container's" {
	sleeper c1
	ceff=$(cap_eff "$(ctr_pid c1)")
	! has_cap "$ceff" 25 || fail "the default container has CAP_SYS_TIME already"
	hrun husk exec --cap CAP_SYS_TIME --cap CAP_SYS_NICE c1 grep -E '^Cap(Eff|Bnd|Prm):' /proc/self/status
	[ "$status" -eq 0 ] || fail "$stderr"
	for l in "${lines[@]}"; do
		v=$((0x${l##*[[:space:]]}))
		has_cap "$v" 25 || fail "no CAP_SYS_TIME in $l"
		has_cap "$v" 23 || fail "no CAP_SYS_NICE in $l"
		# and the container's are still there
		(((v & ceff) == ceff)) || fail "$l lacks the container's capabilities $ceff"
	done
	husk delete -f c1
	assert_clean
}

@test "exec --no-new-privs: sets no_new_privs on a container without it" {
	update_config '.process.noNewPrivileges = false'
	sleeper c1
	hrun husk exec c1 grep NoNewPrivs /proc/self/status
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+0$ ]] || fail "$output"
	hrun husk exec --no-new-privs c1 grep NoNewPrivs /proc/self/status
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+1$ ]] || fail "$output"
	husk delete -f c1
	assert_clean
}

@test "exec -d --pid-file: returns at once; the pid is a live process in the container" {
	sleeper c1
	hrun husk exec -d --pid-file "$TESTDIR/e.pid" c1 sh -c 'touch /out/started; exec sleep 1000'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -z "$output" ]
	epid=$(cat "$TESTDIR/e.pid")
	[[ "$epid" =~ ^[0-9]+$ ]]
	pid_alive "$epid"
	[ "$(readlink "/proc/$epid/ns/pid")" = "$(ctr_ns c1 pid)" ]
	[ "$(readlink "/proc/$epid/ns/mnt")" = "$(ctr_ns c1 mnt)" ]
	wait_for 10 test -e "$OUT/started"
	wait_for 5 cmdline_is "$epid" "sleep 1000 "
	# The long form, and a pid file that is relative to husk's cwd.
	(cd "$TESTDIR" && husk exec --detach --pid-file e2.pid c1 sleep 1001 </dev/null >/dev/null 2>&1)
	pid_alive "$(cat "$TESTDIR/e2.pid")"
	# The detached processes die with the container.
	husk delete -f c1
	wait_for 5 pid_gone "$epid"
	assert_clean
}

@test "exec --pid-file in the foreground: written before the process ends" {
	sleeper c1
	hrun husk exec --pid-file "$TESTDIR/e.pid" c1 sh -c 'echo $$'
	[ "$status" -eq 0 ]
	[[ "$(cat "$TESTDIR/e.pid")" =~ ^[0-9]+$ ]]
	husk delete -f c1
	assert_clean
}

@test "exec --preserve-fds N: fds 3 to 3+N-1 reach the process, no more" {
	sleeper c1
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	echo five >"$TESTDIR/f5"
	hrun husk exec --preserve-fds 2 c1 sh -c 'cat <&3; cat <&4; [ -e /proc/self/fd/5 ] && echo fd5-leaked; true' \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = $'three\nfour' ]
	hrun husk exec c1 sh -c '[ -e /proc/self/fd/3 ] && echo fd3-leaked; true' 3<"$TESTDIR/f3"
	[ -z "$output" ] || fail "without --preserve-fds: $output"
	husk delete -f c1
	assert_clean
}

@test "exec --apparmor and --process-label: a clear error on a host without that LSM" {
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
		skip "AppArmor is enabled on this host"
	fi
	sleeper c1
	hrun husk_logged exec --apparmor husk-test-profile c1 true
	assert_husk_error '[Aa]pp[Aa]rmor.*husk-test-profile|husk-test-profile.*[Aa]pp[Aa]rmor' 255
	if [ ! -e /sys/fs/selinux/enforce ]; then
		rm -f "$LOG"
		hrun husk_logged exec --process-label system_u:system_r:container_t:s0 c1 true
		assert_husk_error '[Ss][Ee][Ll]inux.*container_t|container_t.*[Ss][Ee][Ll]inux' 255
	fi
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	assert_clean
}

@test "exec --ignore-paused: accepted on a running container" {
	sleeper c1
	hrun husk exec --ignore-paused c1 echo ok
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = ok ]
	husk delete -f c1
	assert_clean
}

@test "exec: into a stopped container fails clearly" {
	set_args true
	create_ctr c1
	husk start c1
	wait_status c1 stopped
	hrun husk_logged exec c1 echo never
	assert_husk_error 'stopped' 255
	hrun husk_logged exec -d c1 echo never
	[ "$status" -eq 255 ]
	husk delete c1
	assert_clean
}

@test "exec: into a container that does not exist fails" {
	hrun husk_logged exec nosuch echo never
	assert_husk_error 'nosuch' 255
	assert_clean
}

@test "exec: a missing binary fails with a message naming it; the container is unharmed" {
	sleeper c1
	hrun husk_logged exec c1 husk-no-such-binary arg
	assert_husk_error 'husk-no-such-binary' 255
	rm -f "$LOG"
	hrun husk_logged exec -d c1 /bin/husk-no-such-binary
	assert_husk_error 'husk-no-such-binary' 255
	rm -f "$LOG"
	hrun husk_logged exec --cwd /nonexistent-dir c1 true
	assert_husk_error 'nonexistent-dir' 255
	[ "$(ctr_status c1)" = running ]
	# Only the container's process is left in it.
	hrun husk exec c1 sh -c 'for d in /proc/[0-9]*; do read c <$d/comm && echo "$d $c"; done'
	procs=$(awk '{ print $2 }' <<<"$output" | sort | tr '\n' ' ')
	[ "$procs" = "sh sleep " ] || fail "processes in the container: $output"
	husk delete -f c1
	assert_clean
}

@test "exec: the command is looked up on the PATH of the process's env (the container's, or the one -e gives)" {
	update_config '.process.env = [.process.env[] | if startswith("PATH=") then "PATH=/opt/husk-test/bin:/bin" else . end]'
	sleeper c1
	hrun husk exec c1 husk-test-hello there
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "only-in-container there" ]
	# and on the PATH -e gives
	hrun husk exec -e PATH=/bin c1 husk-test-hello
	[ "$status" -eq 255 ] || fail "exit $status: $output $stderr"
	[[ "$stderr" == *husk-test-hello* ]]
	husk delete -f c1
	assert_clean
}

@test "exec: several execs at once, each with its own exit code" {
	sleeper c1
	pids=()
	for i in 1 2 3 4; do
		husk exec c1 sh -c "usleep 200000; exit $i" </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	i=1
	for p in "${pids[@]}"; do
		st=0
		wait "$p" || st=$?
		[ "$st" -eq "$i" ] || fail "exec $i exited $st"
		i=$((i + 1))
	done
	husk delete -f c1
	assert_clean
}

# Found by fuzz/fuzz_exec_process: --cap, --user and --additional-gids add
# to process.capabilities, .user and .user.additionalGids, and json-c
# aborted (an assertion) when the --process file gave another type there.
@test "exec --process: a capabilities, user or additionalGids of the wrong type is refused, not a crash" {
	sleeper c1
	local pid
	pid=$(ctr_pid c1)
	local -a cases=(
		'{"args": ["true"], "cwd": "/", "capabilities": "CAP_KILL"}|--cap CAP_KILL|process\.capabilities: must be an object'
		'{"args": ["true"], "cwd": "/", "user": 5}|--user 1:1|process\.user: must be an object'
		'{"args": ["true"], "cwd": "/", "user": {"uid": 0, "gid": 0, "additionalGids": 3}}|--additional-gids 4|process\.user\.additionalGids: must be an array'
	)
	local c json flag re
	for c in "${cases[@]}"; do
		IFS='|' read -r json flag re <<<"$c"
		write_process "$TESTDIR/p.json" "$json"
		# shellcheck disable=SC2086
		rm -f "$LOG"
		hrun husk_logged exec --process "$TESTDIR/p.json" $flag c1
		assert_husk_error "exec: $re" 255 || return
	done
	pid_alive "$pid" || fail "the container died"
	[ "$(ctr_status c1)" = running ] || fail "c1 is $(ctr_status c1)"
}

# runc (1.1.5, measured) exits 255 for every exec that fails in the runtime,
# so that a caller tells it from the program's own code; crun the same for a
# program it cannot run.  The message stays husk's one line.
@test "exec: exit codes as runc's: the program's own, 255 for a missing or non-executable program and for husk's errors" {
	sleeper c1
	hrun husk exec c1 sh -c 'exit 42'
	[ "$status" -eq 42 ]
	# A shell in the container keeps its own 126/127.
	hrun husk exec c1 sh -c 'husk-no-such-cmd'
	[ "$status" -eq 127 ] || fail "sh: $status"
	hrun husk exec c1 sh -c '/etc/passwd'
	[ "$status" -eq 126 ] || fail "sh: $status"
	local args
	for args in '/husk-missing|/husk-missing.*no such file' 'husk-missing|husk-missing.*not found in \$PATH' \
		'/etc/passwd|/etc/passwd.*permission denied' '/etc|"/etc".*permission denied'; do
		rm -f "$LOG"
		hrun husk_logged exec c1 "${args%%|*}"
		assert_husk_error "${args#*|}" 255
		rm -f "$LOG"
		hrun husk_logged exec -d c1 "${args%%|*}"
		assert_husk_error "${args#*|}" 255
	done
	rm -f "$LOG"
	hrun husk_logged exec --pid-file /nonexistent-dir/pid c1 true
	assert_husk_error 'nonexistent-dir' 255
	rm -f "$LOG"
	hrun husk_logged exec nosuch true
	assert_husk_error 'nosuch.*does not exist' 255
	# A usage error is not an exec that failed: 1, as runc.
	hrun husk exec --husk-bogus c1 true
	[ "$status" -eq 1 ] || fail "usage error: $status"
	hrun husk exec
	[ "$status" -eq 1 ] || fail "usage error: $status"
	[ "$(ctr_status c1)" = running ]
	husk delete -f c1
	set_args true
	create_ctr c2
	husk start c2
	wait_status c2 stopped
	rm -f "$LOG"
	hrun husk_logged exec c2 true
	assert_husk_error 'stopped' 255
	husk delete c2
	assert_clean
}

# runc --debug exec logs its steps (nsexec, init, "about to exec") at level
# debug, on stderr or in --log; husk logs its own.
@test "--debug exec: its steps at level debug on stderr, or only in --log (text and json)" {
	sleeper c1
	hrun husk --debug exec c1 echo hi
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = hi ]
	[[ "$stderr" == *'level=debug msg="exec in c1: joining the running container'* ]] || fail "$stderr"
	[[ "$stderr" == *'level=debug msg="exec: joining the namespaces of pid '* ]] || fail "$stderr"
	[[ "$stderr" == *'about to exec echo'* ]] || fail "$stderr"
	[[ "$stderr" == *'exited with status 0'* ]] || fail "$stderr"
	# Without --debug, nothing.
	hrun husk exec c1 echo hi
	[ -z "$stderr" ] || fail "$stderr"
	hrun husk --debug --log "$TESTDIR/text.log" exec c1 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ -z "$stderr" ] || fail "debug records on stderr with --log: $stderr"
	grep -q 'level=debug msg="exec: pid [0-9]* set up in the container, about to exec sh"' "$TESTDIR/text.log" ||
		fail "$(cat "$TESTDIR/text.log")"
	grep -q 'level=debug msg="exec in c1: process [0-9]* exited with status 3"' "$TESTDIR/text.log" ||
		fail "$(cat "$TESTDIR/text.log")"
	rm -f "$LOG"
	hrun husk --debug --log "$LOG" --log-format json exec c1 /husk-missing
	[ "$status" -eq 255 ]
	[ "$stderr" = 'husk: exec in c1: exec: "/husk-missing": no such file or directory' ] || fail "$stderr"
	jq -e -s '[.[] | select(.level == "debug")] | length >= 4' "$LOG" >/dev/null || fail "$(cat "$LOG")"
	jq -e -s '[.[] | select(.level == "debug" and (.msg | test("about to exec /husk-missing")))] | length == 1' \
		"$LOG" >/dev/null || fail "$(cat "$LOG")"
	jq -e -s '[.[] | select(.level == "error")] | length == 1' "$LOG" >/dev/null || fail "$(cat "$LOG")"
	husk delete -f c1
	assert_clean
}
