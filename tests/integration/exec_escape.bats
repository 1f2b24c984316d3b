#!/usr/bin/env bats
# issue 12.1: a container holding CAP_SYS_PTRACE watches for the processes
# `husk exec` (and `create`) put into its pid namespace and goes for the
# host through them: /proc/<pid>/root/<host path>, and the husk binary
# through /proc/<pid>/exe (opened for writing at once, and held open
# read-only to be reopened for writing once husk is gone, CVE-2019-5736).
# None of it may reach the host; the husk binary must be unchanged.

load helpers
load helpers_engine

setup() {
	setup_test
	own_cgroup
	SECRET=$TESTDIR/host/secret
	mkdir "$TESTDIR/host"
	echo "host-secret-$TAG" >"$SECRET"
	HUSK_SUM=$(sha256sum <"$HUSK")
}

teardown() {
	teardown_test
}

# The watcher: for every pid of the container but its own and 1's, read
# the host secret through its root, open its exe for writing, and hold its
# exe read-only to reopen it for writing later (O_APPEND: no byte is
# changed even if that works).  Whatever gets through lands in /out/leak.
watcher_args() {
	local s=$1
	# Builtins only in the hot loop (read, true): a fork per probe would
	# make it too slow to see a short window.
	set_args sh -c '
		seen=" 1 $$ "
		while :; do
			for d in /proc/[0-9]*; do
				p=${d#/proc/}
				if read -r x 2>/dev/null <"$d/root'"$s"'"; then echo "root of $p: $x" >>/out/leak; fi
				if true 2>/dev/null >>"$d/exe"; then echo "exe of $p writable" >>/out/leak; fi
				case $seen in *" $p "*) continue ;; esac
				seen="$seen$p "
				# Reopened for 10 s: it is ETXTBSY while any husk runs.
				( exec 3<"$d/exe" && for i in $(seq 100); do
					if true 2>/dev/null >>/proc/self/fd/3; then
						echo "held exe of $p writable" >>/out/leak; break
					fi
					sleep 0.1
				done ) 2>/dev/null &
			done
		done'
}

escape_attempts() {
	local caps=$1
	update_config '.process.capabilities |= ((.bounding, .effective, .permitted) |= (. + $c | unique))' \
		--argjson c "$caps"
	watcher_args "$SECRET"
	run_detached c1
	local i
	for ((i = 0; i < 50; i++)); do
		husk exec c1 true || fail "exec $i failed"
	done
	# A created container's process waits with husk as its program (last:
	# deleting it ends c1's pid namespace too): one
	# in c1's pid namespace, where the watcher sees it.
	set_args true
	update_config '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
		--arg p "/proc/$(ctr_pid c1)/ns/pid"
	create_ctr c2
	sleep 0.5
	husk delete -f c2
	# No husk of this test runs now: what holds husk's exe tries again.
	sleep 2
	husk delete -f c1
	if [ -s "$OUT/leak" ]; then
		fail "the container reached the host: $(sort -u "$OUT/leak" | head -20)"
	fi
	[ "$(sha256sum <"$HUSK")" = "$HUSK_SUM" ] || fail "the husk binary changed"
	assert_clean
}

@test "exec: a container with CAP_SYS_PTRACE cannot reach host files or the husk binary through exec's process" {
	escape_attempts '["CAP_SYS_PTRACE"]'
}

# (Not CAP_SYS_RESOURCE: this host's own bounding set lacks it.)
@test "exec: a container with a privileged-like cap set cannot reach the host through exec's process" {
	escape_attempts '["CAP_SYS_PTRACE", "CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_MKNOD", "CAP_SYS_CHROOT"]'
}
