#!/usr/bin/env bats
# SIGKILL of `husk container create IMAGE` at each of its steps (strace
# injects the kill at a chosen system call: the call fails and husk dies
# there): the container directory being made, before the overlay mount,
# after it, after config.json, before meta.json's rename.  What a killed
# create left (its directory, the overlay mount on its rootfs, its upper
# dir, its name) is removed by the next `container ls`, `container rm`,
# `image prune` or a rerun with the same --name; nothing of a live create
# is touched.

load helpers
load engine_image

setup() {
	setup_engine_test
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	make_image bb '{"Cmd":["true"]}' "$BASE"
}

teardown() {
	# A leaked overlay would keep the test's directory busy.
	grep -F "$STORE" /proc/self/mountinfo | awk '{ print $5 }' | xargs -r -n1 umount -l 2>/dev/null || true
	teardown_test
}

# killed_create SYSCALL WHEN: container create --name c1, SIGKILLed at the
# WHEN-th call of SYSCALL.
killed_create() {
	hrun strace -f -qq -o "$TESTDIR/strace.log" -e trace="$1" -e inject="$1:error=EIO:signal=KILL:when=$2" \
		"$HUSK" --root "$ROOT" --store "$STORE" container create --name c1 bb
	[ "$status" -eq 137 ] || fail "not killed at $1 #$2 (status $status): $stderr"
}

# nth_call SYSCALL REGEX: in a create run under strace to its end (then
# removed), the number of the first call of SYSCALL whose line matches
# REGEX: the point of a step, whatever the calls before it.
nth_call() {
	strace -f -qq -o "$TESTDIR/dry.log" -e trace="$1" \
		"$HUSK" --root "$ROOT" --store "$STORE" container create --name dry bb >/dev/null || return
	"$HUSK" --root "$ROOT" --store "$STORE" container rm dry >/dev/null || return
	grep -nE -m1 -- "$2" "$TESTDIR/dry.log" | cut -d: -f1
}

# What the kill left behind, printed (empty when nothing).
leftovers() {
	ls -A "$STORE/containers" | grep -v '^\.names$' || true
	ls -A "$STORE/containers/.names"
	grep -F "$STORE" /proc/self/mountinfo || true
	ls -A "$ROOT" 2>/dev/null || true
}

@test "container create: SIGKILL at each step; ls, rm, image prune or a rerun with the name removes what it left" {
	local step call re when expect cleaner left
	# The container's directory made, its upper dir, the overlay about to
	# be mounted, mounted (the image's /etc/passwd read next), config.json
	# written and meta.json's rename.
	for step in 'mkdirat|[0-9a-f]{64}"|none' 'mkdirat|"upper"|dir' 'move_mount|.|dir' \
		'openat2|/etc/passwd|mount' 'renameat|"meta.json"|mount'; do
		IFS='|' read -r call re expect <<<"$step"
		when=$(nth_call "$call" "$re")
		[ -n "$when" ] || fail "no $call matching $re in a create"
		for cleaner in ls rm prune rerun; do
			killed_create "$call" "$when"
			case $expect in
			mount) grep -qF "$STORE/containers" /proc/self/mountinfo || fail "no overlay mounted at $call #$when" ;;
			dir) [ -n "$(ls -A "$STORE/containers" | grep -v '^\.names$')" ] || fail "no directory at $call #$when" ;;
			esac
			case $cleaner in
			ls) hrun eng container ls -a ;;
			rm) hrun eng container rm c1 ;;
			prune) hrun eng image prune ;;
			rerun)
				hrun eng container create --name c1 bb
				[ "$status" -eq 0 ] || fail "rerun after the kill at $call #$when: $stderr"
				hrun eng container rm c1 ;;
			esac
			# rm of a name the killed create had not claimed yet.
			if [ "$cleaner" = rm ] && [ "$status" -ne 0 ]; then
				[[ "$stderr" == *"no such container"* ]] || fail "rm after the kill at $call #$when: $stderr"
			else
				[ "$status" -eq 0 ] || fail "$cleaner after the kill at $call #$when: $stderr"
			fi
			left=$(leftovers)
			[ -z "$left" ] || fail "left after the kill at $call #$when ($re) and $cleaner: $left"
		done
	done
	# The image is free again.
	hrun eng image rm bb
	[ "$status" -eq 0 ] || fail "image rm: $stderr"
}

@test "container create: a create in progress is not taken for a killed one" {
	# A create held before its meta.json (SIGSTOP at its second rename, the
	# first is its .creating entry) while
	# ls and prune run: its directory, mount and name stay, it finishes.
	strace -f -qq -o /dev/null -e trace=renameat -e inject=renameat:signal=STOP:when=2 \
		"$HUSK" --root "$ROOT" --store "$STORE" container create --name live bb >"$TESTDIR/live.out" 2>&1 &
	local pid=$! n=0
	until grep -qF "$STORE/containers" /proc/self/mountinfo && ps -o stat= --ppid "$pid" | grep -q '[tT]'; do
		sleep 0.1
		n=$((n + 1))
		[ "$n" -lt 100 ] || fail "the create did not stop"
	done
	hrun eng container ls -a
	[ "$status" -eq 0 ] || fail "ls: $stderr"
	# prune waits for the create's shared lock on the store (its image
	# stays in use); it must not take the create for a killed one.
	hrun timeout 3 "$HUSK" --root "$ROOT" --store "$STORE" image prune
	[ "$status" -eq 124 ] || fail "prune did not wait for the create (status $status): $stderr"
	grep -qF "$STORE/containers" /proc/self/mountinfo || fail "ls/prune unmounted a live create"
	[ -n "$(ls -A "$STORE/containers/.names")" ] || fail "the live create's name went"
	kill -CONT $(pgrep -P "$pid")
	wait "$pid" || fail "the create failed: $(cat "$TESTDIR/live.out")"
	hrun eng container rm live
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	assert_engine_clean
}
