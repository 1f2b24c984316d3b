#!/usr/bin/env bats
# `husk container top` (the runtime's ps) and `husk container stats` (the
# runtime's cgroup stats, as husk events --stats), issue 15.

load helpers
load engine_image

setup() {
	setup_test
	STORE=$TESTDIR/store
	make_image bb '{"Cmd":["sh"]}' "$BUNDLE/rootfs"
}

teardown() {
	teardown_test
}

# running NAME [RUN-FLAGS...] bb COMMAND...: a container, its husk in the
# background (foreground run: no shim needed).
running() {
	local name=$1
	shift
	HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" --store "$STORE" container run --name "$name" \
		-e "HUSK_TEST_TAG=$TAG" "$@" </dev/null >/dev/null 2>"$TESTDIR/$name.err" &
	wait_for 10 is_running "$name" ||
		fail "$name does not run: $(cat "$TESTDIR/$name.err")"
}

is_running() {
	"$HUSK" --root "$ROOT" --store "$STORE" container ls --format json |
		jq -e --arg n "$1" '.[] | select((.Names | tostring | contains($n)) and .State == "running")' >/dev/null
}

@test "container top: the container's processes only, ps -ef by default, ps options passed on" {
	running t bb sh -c 'sleep 1001 & sleep 1002; true'
	wait_for 5 eval '"$HUSK" --root "$ROOT" --store "$STORE" container top t | grep -q "sleep 1002"'
	hrun eng container top t
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" == UID*PID*CMD ]] || fail "not ps -ef's header: ${lines[0]}"
	[[ "$output" == *"sleep 1001"* && "$output" == *"sleep 1002"* ]] || fail "$output"
	# Only the container's: not this test's own shell, not husk.
	[ "${#lines[@]}" -eq 4 ] || fail "expected sh and two sleeps: $output"
	hrun eng container top t -o pid,comm
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" =~ ^\ *PID\ COMMAND$ ]] || fail "ps -o: ${lines[0]}"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c sleep)" -eq 2 ] || fail "$output"
	hrun eng container top t --no-such-ps-option
	assert_husk_error 'container top t: ps: '
	eng container kill -s KILL t
}

@test "container stats --no-stream: docker's columns; CPU, memory against the limit, pids" {
	running s --memory 64m --pids-limit 50 bb sh -c 'while :; do :; done & sleep 1000; true'
	hrun eng container stats --no-stream s
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "${lines[0]}" == "CONTAINER ID"*NAME*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*PIDS ]] ||
		fail "header: ${lines[0]}"
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[[ "${lines[1]}" == *" s "*"/ 64MiB"* ]] || fail "no name or limit: ${lines[1]}"
	hrun eng container stats --no-stream --format json s
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | jq -e '.Name == "s" and (.ID | length) == 64 and .PIDs == "3"
		and (.MemUsage | endswith(" / 64MiB")) and (.NetIO == "0B / 0B")' >/dev/null ||
		fail "json: $output"
	# The busy loop: about one CPU (more than 30% on a loaded host).
	cpu=$(echo "$output" | jq -r '.CPUPerc | rtrimstr("%") | tonumber | floor')
	[ "$cpu" -ge 30 ] && [ "$cpu" -le 210 ] || fail "CPU % of a busy loop: $cpu"
	# Without --memory the limit is the host's memory, as docker's.
	running u bb sleep 1000
	hrun eng container stats --no-stream --format json u
	host=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)
	lim=$(echo "$output" | jq -r '.MemUsage | split(" / ")[1]')
	[ -n "$lim" ] && [[ "$lim" == *GiB || "$lim" == *MiB ]] || fail "limit: $output (host $host)"
	eng container kill -s KILL s
	eng container kill -s KILL u
}

@test "container stats: streams until the container stops" {
	running s bb sh -c 'sleep 2.5'
	t0=$(date +%s)
	hrun eng container stats --format json s
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${#lines[@]}" -ge 1 ] && [ "${#lines[@]}" -le 4 ] || fail "samples: $output"
	[ $(($(date +%s) - t0)) -le 8 ] || fail "did not end with the container"
}

@test "container exec -d: returns at once, the process runs on in the container (top shows it)" {
	running t bb sleep 1000
	t0=$(date +%s%N)
	hrun eng container exec -d t sh -c 'echo out; echo err >&2; exec sleep 1003'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -z "$output" ] && [ -z "$stderr" ] || fail "exec -d printed: $output $stderr"
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 5000 ] || fail "exec -d waited"
	wait_for 5 eval '"$HUSK" --root "$ROOT" --store "$STORE" container top t | grep -q "sleep 1003"' ||
		fail "the exec'd process is not in the container"
	hrun eng container exec -d -t t true
	assert_husk_error '-d with -t'
	eng container kill -s KILL t
	wait_for 10 eval '! is_running t'
	hrun eng container exec -d t true
	assert_husk_error 'is not running'
}

@test "container top/stats: bad input fails with one line" {
	hrun eng container top nosuch
	assert_husk_error 'nosuch'
	hrun eng container stats --no-stream nosuch
	assert_husk_error 'nosuch'
	hrun eng container create --name made bb
	hrun eng container top made
	assert_husk_error 'container made: is not running \(created\)'
	hrun eng container stats --no-stream made
	assert_husk_error 'container made: is not running \(created\)'
	hrun eng container stats --format yaml made
	assert_husk_error 'expected table or json'
	hrun eng container rm made
	assert_clean
}
