#!/usr/bin/env bats
# State that lies (issue 12, point 8): a state.json that is truncated,
# empty, not JSON, missing, or whose pid or start time is wrong, for a
# created and for a running container.  Whatever was done to the state
# directory, `list` shows the container (status unknown, with the reason),
# `state` says so, `kill` signals the container's process and nothing else,
# and `delete -f` kills all of the container's processes and removes its
# state and cgroup -- or fails loudly.  Nothing is left on the host.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# start_kind KIND ID: a created container, or a running one with children
# (sh and two sleeps), whose program is not the first process alone.
start_kind() {
	if [ "$1" = created ]; then
		set_args sleep 1000
		create_ctr "$2"
	else
		set_cmd 'sleep 1000 & sleep 1000 & touch /out/ready; wait'
		run_detached "$2"
		wait_for 5 test -e "$OUT/ready"
	fi
}

# corrupt ID ATTACK: does ATTACK to the container's state.json.  For
# wrongpid, the pid and start time of $OTHER, a live process that is not
# the container's (as if the pid had been recycled).
corrupt() {
	local f=$ROOT/$1/state.json
	[ -f "$f" ] || fail "no $f to attack" || return
	case $2 in
	truncate) truncate -s $(($(stat -c %s "$f") / 2)) "$f" ;;
	empty) : >"$f" ;;
	garbage) printf 'not json \001\377{' >"$f" ;;
	array) echo '[1, 2, 3]' >"$f" ;;
	wrongpid)
		local start
		start=$(awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$OTHER/stat")
		jq --argjson p "$OTHER" --argjson s "$start" '.pid = $p | .pidStart = $s' "$f" >"$f.new"
		mv "$f.new" "$f"
		;;
	wrongstart)
		jq '.pidStart = 12345' "$f" >"$f.new"
		mv "$f.new" "$f"
		;;
	missing) rm -f "$f" ;;
	*) fail "unknown attack $2" ;;
	esac
}

# A live process outside every container, a recycled pid's owner.
start_other() {
	bg_tagged sleep 1000
	OTHER=$BG_PID
}

stop_other() {
	pid_alive "$OTHER" || fail "the process $OTHER that is not the container's was killed" || return
	kill -9 "$OTHER"
	wait "$OTHER" 2>/dev/null || true
}

# The container's cgroup directories (its cgroupsPath is $TAG-<id>).
ctr_cgroups() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "$TAG-$1" 2>/dev/null || true
}

# attack KIND ATTACK: the whole check.
attack() {
	local kind=$1 what=$2 id=c$BATS_TEST_NUMBER pid json
	start_kind "$kind" "$id"
	pid=$(ctr_pid "$id")
	[ -n "$pid" ] && [ "$pid" -gt 0 ] || fail "no pid for $id"
	start_other
	[ -n "$(ctr_cgroups "$id")" ] || fail "container $id has no cgroup of its own"
	corrupt "$id" "$what"

	hrun husk list --format json
	[ "$status" -eq 0 ] || fail "list --format json: $stderr"
	json=$(jq -c --arg id "$id" '.[] | select(.id == $id)' <<<"$output")
	[ -n "$json" ] || fail "list --format json omits $id: $output"
	[ "$(jq -r .status <<<"$json")" = unknown ] || fail "list: $json"
	[ -n "$(jq -r '.reason // ""' <<<"$json")" ] || fail "list gives no reason: $json"

	hrun husk list
	[ "$status" -eq 0 ] || fail "list: $stderr"
	grep -Eq "^$id +[0-9]+ +unknown " <<<"$output" || fail "the table does not show $id as unknown: $output"

	hrun husk state "$id"
	[ "$status" -eq 0 ] || fail "state: $stderr"
	[ "$(jq -r .status <<<"$output")" = unknown ] || fail "state: $output"
	[ -n "$(jq -r '.reason // ""' <<<"$output")" ] || fail "state gives no reason: $output"
	# never the pid of a process that is not the container's
	[ "$(jq -r .pid <<<"$output")" != "$OTHER" ] || fail "state reports the recycled pid: $output"

	# delete without --force: not for a container that may be alive
	hrun husk delete "$id"
	[ "$status" -ne 0 ] || fail "delete without --force removed a container of unknown state"
	pid_alive "$pid" || fail "delete without --force killed $pid"

	hrun husk delete -f "$id"
	[ "$status" -eq 0 ] || fail "delete -f: $stderr"
	wait_for 5 pid_gone "$pid" || fail "delete -f left the container's process $pid"
	[ -z "$(ctr_cgroups "$id")" ] || fail "delete -f left cgroups: $(ctr_cgroups "$id")"
	[ ! -e "$ROOT/$id" ] || fail "delete -f left $ROOT/$id: $(ls -A "$ROOT/$id")"
	stop_other
	assert_clean
}

# kill_attack KIND ATTACK: kill after the attack reaches the container, not
# $OTHER (or fails loudly), and delete -f still cleans up.
kill_attack() {
	local kind=$1 what=$2 id=k$BATS_TEST_NUMBER pid
	start_kind "$kind" "$id"
	pid=$(ctr_pid "$id")
	start_other
	corrupt "$id" "$what"
	hrun husk kill "$id" KILL
	pid_alive "$OTHER" || fail "kill signalled $OTHER, which is not the container's"
	if [ "$status" -eq 0 ]; then
		wait_for 5 pid_gone "$pid" || fail "kill exited 0 and $pid lives"
	else
		[[ "$stderr" == "husk: "* ]] || fail "kill failed without an error line: $stderr"
	fi
	hrun husk delete -f "$id"
	[ "$status" -eq 0 ] || fail "delete -f: $stderr"
	wait_for 5 pid_gone "$pid" || fail "delete -f left $pid"
	stop_other
	assert_clean
}

@test "state attack: running, state.json truncated" { attack running truncate; }
@test "state attack: running, state.json empty" { attack running empty; }
@test "state attack: running, state.json not JSON" { attack running garbage; }
@test "state attack: running, state.json not an object" { attack running array; }
@test "state attack: running, pid recycled by another process" { attack running wrongpid; }
@test "state attack: running, wrong start time" { attack running wrongstart; }
@test "state attack: running, state.json missing" { attack running missing; }
@test "state attack: created, state.json truncated" { attack created truncate; }
@test "state attack: created, state.json empty" { attack created empty; }
@test "state attack: created, state.json not JSON" { attack created garbage; }
@test "state attack: created, pid recycled by another process" { attack created wrongpid; }
@test "state attack: created, wrong start time" { attack created wrongstart; }
@test "state attack: created, state.json missing" { attack created missing; }

@test "state attack: kill of a running container whose pid was recycled" { kill_attack running wrongpid; }
@test "state attack: kill of a running container with a truncated state" { kill_attack running truncate; }
@test "state attack: kill of a created container with an empty state" { kill_attack created empty; }
@test "state attack: kill of a running container without state.json" { kill_attack running missing; }

@test "state attack: every file of the state directory garbled, delete -f still cleans up" {
	id=g$BATS_TEST_NUMBER
	start_kind running "$id"
	pid=$(ctr_pid "$id")
	for f in "$ROOT/$id"/* "$ROOT/$id"/.[!.]*; do
		[ -f "$f" ] && printf 'garbage' >"$f"
	done
	hrun husk list --format json
	[ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<<"$output")" = unknown ] ||
		fail "list: $output"
	hrun husk delete -f "$id"
	[ "$status" -eq 0 ] || fail "delete -f: $stderr"
	wait_for 5 pid_gone "$pid" || fail "delete -f left $pid"
	assert_clean
}

@test "state attack: --root that is not husk's lists nothing and deletes nothing" {
	for r in /proc/self /etc; do
		hrun "$HUSK" --root "$r" list -q
		[ -z "$output" ] || fail "--root $r lists: $output"
		hrun "$HUSK" --root "$r" list --format json
		[ "$status" -ne 0 ] || [ "$output" = "[]" ] || fail "--root $r lists: $output"
	done
	hrun "$HUSK" --root /proc/self state fd
	[ "$status" -ne 0 ] || fail "state of /proc/self/fd: $output"
	hrun "$HUSK" --root /etc state apt
	[ "$status" -ne 0 ] || fail "state of /etc/apt: $output"
	# a directory that looks a bit like a container's, not made by husk
	mkdir -p "$TESTDIR/other/data"
	echo precious >"$TESTDIR/other/data/config.json"
	echo precious >"$TESTDIR/other/data/notes.txt"
	hrun "$HUSK" --root "$TESTDIR/other" list -q
	[ -z "$output" ] || fail "lists $output"
	hrun "$HUSK" --root "$TESTDIR/other" delete -f data
	[ -f "$TESTDIR/other/data/config.json" ] && [ -f "$TESTDIR/other/data/notes.txt" ] ||
		fail "delete -f removed files husk did not make"
	assert_clean
}

@test "state.json that is a FIFO: state and delete do not hang" {
	create_ctr c1
	rm "$ROOT/c1/state.json"
	mkfifo "$ROOT/c1/state.json"
	local t0 dt
	t0=$(date +%s%N)
	HUSK_TEST_TIMEOUT=10 hrun husk state c1
	dt=$((($(date +%s%N) - t0) / 1000000))
	[ "$dt" -lt 5000 ] || fail "husk state took $dt ms"
	[[ "$stderr$output" == *"not a regular file"* ]] || fail "state says: $output $stderr"
	HUSK_TEST_TIMEOUT=10 hrun husk delete -f c1
	[ ! -e "$ROOT/c1" ] || fail "delete -f left $ROOT/c1 (status $status: $stderr)"
}
