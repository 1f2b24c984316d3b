#!/usr/bin/env bats
# The state store and `husk state`.

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

# fake_crashed_create ID: what a create killed right after reserving the
# id leaves: its directory, with the marker that makes it husk's.
fake_crashed_create() {
	mkdir -p "$ROOT/$1"
	touch "$ROOT/$1/.husk"
}

@test "state: the runtime-spec fields of a created container" {
	set_args sleep 1000
	before=$(date -u +%s)
	create_ctr c1
	run --separate-stderr -0 husk state c1
	[ -z "$stderr" ]
	echo "$output" | jq -e . >/dev/null
	[ "$(jq -r '.ociVersion' <<<"$output")" != null ]
	[[ "$(jq -r '.ociVersion' <<<"$output")" =~ ^1\.[0-9]+\.[0-9]+ ]]
	[ "$(jq -r '.id' <<<"$output")" = c1 ]
	[ "$(jq -r '.status' <<<"$output")" = created ]
	[ "$(jq -r '.pid | type' <<<"$output")" = number ]
	pid=$(jq -r '.pid' <<<"$output")
	[ "$pid" -gt 0 ]
	pid_alive "$pid"
	[ "$(jq -r '.bundle' <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r '.rootfs' <<<"$output")" = "$BUNDLE/rootfs" ]
	created=$(jq -r '.created' <<<"$output")
	[[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] || fail "created: $created"
	t=$(date -u -d "$created" +%s)
	now=$(date -u +%s)
	[ "$t" -ge "$before" ] && [ "$t" -le "$now" ] || fail "created $created is not between $before and $now"
	jq -e 'has("owner")' <<<"$output" >/dev/null
	husk delete c1
	assert_clean
}

@test "state: bundle and rootfs are absolute even from a relative --bundle" {
	cd "$TESTDIR"
	husk create --bundle bundle c1 </dev/null >/dev/null 2>&1
	run -0 husk state c1
	[ "$(jq -r '.bundle' <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r '.rootfs' <<<"$output")" = "$BUNDLE/rootfs" ]
	husk delete c1
	assert_clean
}

@test "state: annotations from the config are shown" {
	update_config '.annotations = {"org.example.key": "value", "org.example.other": "x y"}'
	create_ctr c1
	run -0 husk state c1
	[ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" = value ]
	[ "$(jq -r '.annotations["org.example.other"]' <<<"$output")" = "x y" ]
	husk delete c1
	assert_clean
}

@test "state: created, running, stopped with pid 0" {
	set_cmd 'touch /out/ready; while [ ! -e /out/go ]; do usleep 10000; done'
	create_ctr c1
	[ "$(ctr_status c1)" = created ]
	husk start c1
	wait_for 5 test -e "$OUT/ready"
	[ "$(ctr_status c1)" = running ]
	touch "$OUT/go"
	wait_status c1 stopped
	run -0 husk state c1
	[ "$(jq -r '.pid' <<<"$output")" = 0 ]
	[ "$(jq -r '.id' <<<"$output")" = c1 ]
	[ "$(jq -r '.bundle' <<<"$output")" = "$BUNDLE" ]
	husk delete c1
	assert_clean
}

@test "state: a container whose process was killed with SIGKILL is stopped" {
	set_args sleep 1000
	run_detached c1
	pid=$(ctr_pid c1)
	kill -9 "$pid"
	wait_status c1 stopped
	run -0 husk list --format json
	[ "$(jq -r '.[0].status' <<<"$output")" = stopped ]
	# stopped: delete needs no --force
	husk delete c1
	assert_clean
}

@test "state: a created container whose process was killed is stopped" {
	create_ctr c1
	kill -9 "$(ctr_pid c1)"
	wait_status c1 stopped
	run --separate-stderr -1 husk start c1
	[[ "$stderr" == "husk: "* ]]
	husk delete c1
	assert_clean
}

@test "state: of a container that does not exist fails" {
	run --separate-stderr -1 husk state nosuch
	[[ "$stderr" == "husk: "* ]]
	[[ "$stderr" == *nosuch* ]]
	[ -z "$output" ]
	# no root at all
	run --separate-stderr -1 "$HUSK" --root "$TESTDIR/nonexistent" state nosuch
	[[ "$stderr" == "husk: "* ]]
	[ ! -e "$TESTDIR/nonexistent" ]
}

@test "state: concurrent creates of one id, exactly one succeeds" {
	set_args sleep 1000
	for round in 1 2 3 4 5 6; do
		pids=()
		for n in 1 2 3; do
			HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" c1 \
				</dev/null >"$TESTDIR/out.$n" 2>"$TESTDIR/err.$n" &
			pids+=($!)
		done
		ok=0
		for n in 1 2 3; do
			if wait "${pids[$((n - 1))]}"; then
				ok=$((ok + 1))
			else
				[ "$(wc -l <"$TESTDIR/err.$n")" -eq 1 ] || fail "round $round: $(cat "$TESTDIR/err.$n")"
				grep -q '^husk: ' "$TESTDIR/err.$n"
			fi
		done
		[ "$ok" -eq 1 ] || fail "round $round: $ok creates succeeded"
		[ "$(ctr_status c1)" = created ]
		# the loser left nothing: one directory, one process
		[ "$(ls -A "$ROOT")" = c1 ] || fail "round $round: root holds $(ls -A "$ROOT")"
		[ "$(tagged_pids | wc -l)" -eq 1 ] || fail "round $round: processes $(tagged_pids)"
		husk delete c1
		assert_clean
	done
}

@test "state: concurrent starts of one container, exactly one succeeds" {
	set_cmd 'echo started >>/out/starts; exec sleep 1000'
	for round in 1 2 3; do
		rm -f "$OUT/starts"
		create_ctr c1
		pids=()
		for n in 1 2 3; do
			HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" start c1 </dev/null >/dev/null 2>"$TESTDIR/err.$n" &
			pids+=($!)
		done
		ok=0
		for n in 1 2 3; do
			if wait "${pids[$((n - 1))]}"; then ok=$((ok + 1)); fi
		done
		[ "$ok" -eq 1 ] || fail "round $round: $ok starts succeeded"
		wait_for 5 test -e "$OUT/starts"
		[ "$(ctr_status c1)" = running ]
		[ "$(cat "$OUT/starts")" = started ]
		husk delete -f c1
		assert_clean
	done
}

@test "state: concurrent creates of different ids all succeed" {
	set_args sleep 1000
	pids=()
	for n in 1 2 3 4; do
		HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" "c$n" \
			</dev/null >/dev/null 2>"$TESTDIR/err.$n" &
		pids+=($!)
	done
	for n in 1 2 3 4; do
		wait "${pids[$((n - 1))]}" || fail "create c$n: $(cat "$TESTDIR/err.$n")"
	done
	run -0 husk list -q
	[ "$output" = $'c1\nc2\nc3\nc4' ]
	for n in 1 2 3 4; do husk delete "c$n"; done
	assert_clean
}

@test "state: a directory left by a crashed create is stopped and can be deleted" {
	fake_crashed_create crashed
	run -0 husk state crashed
	[ "$(jq -r '.status' <<<"$output")" = stopped ]
	[ "$(jq -r '.id' <<<"$output")" = crashed ]
	run -0 husk list --format json
	[ "$(jq -r '.[] | select(.id == "crashed") | .status' <<<"$output")" = stopped ]
	run -0 husk list
	[[ "${lines[1]}" == crashed*stopped* ]]
	run --separate-stderr -1 husk start crashed
	[[ "$stderr" == "husk: "* ]]
	run --separate-stderr -1 husk kill crashed KILL
	[[ "$stderr" == "husk: "* ]]
	husk delete crashed
	[ ! -e "$ROOT/crashed" ]
	assert_clean
}

@test "state: a crashed create that left files behind can be deleted" {
	fake_crashed_create crashed
	cp "$BUNDLE/config.json" "$ROOT/crashed/config.json"
	run -0 husk state crashed
	[ "$(jq -r '.status' <<<"$output")" = stopped ]
	husk delete crashed
	assert_clean
}

@test "state: the id of a crashed create can be used again after delete" {
	fake_crashed_create c1
	run -1 husk create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	husk delete c1
	create_ctr c1
	[ "$(ctr_status c1)" = created ]
	husk delete c1
	assert_clean
}

@test "state: a create in progress (directory locked, no state) is creating" {
	fake_crashed_create c1
	bg_tagged flock "$ROOT/c1" sleep 1000
	lockpid=$BG_PID
	wait_for 5 status_is c1 creating
	run -0 husk list --format json
	[ "$(jq -r '.[] | select(.id == "c1") | .status' <<<"$output")" = creating ]
	# the "creator" dies: its lock goes with it
	# (flock's child, sleep, holds the lock too)
	kill -9 $(tagged_pids)
	wait "$lockpid" || true
	wait_for 5 no_tagged_pids
	wait_status c1 stopped
	husk delete c1
	assert_clean
}

@test "state: a recycled pid is not the container's (never signalled)" {
	# White box: state.json records the pid.  Point it at a live process
	# that is not the container, as if the pid had been reused.
	set_args sleep 1000
	run_detached c1
	pid=$(ctr_pid c1)
	kill -9 "$pid"
	wait_for 5 pid_gone "$pid"
	bg_tagged sleep 1000
	other=$BG_PID
	jq -e 'has("pid")' "$ROOT/c1/state.json" >/dev/null || fail "state.json has no pid field: $(cat "$ROOT/c1/state.json")"
	jq --argjson p "$other" '.pid = $p' "$ROOT/c1/state.json" >"$TESTDIR/state.json"
	cp "$TESTDIR/state.json" "$ROOT/c1/state.json"
	[ "$(ctr_status c1)" = stopped ]
	run -1 husk kill c1 KILL
	pid_alive "$other"
	husk delete -f c1
	pid_alive "$other" || fail "delete -f killed a process that was not the container's"
	kill -9 "$other"
	wait "$other" || true
	assert_clean
}

@test "state: the state root is created on first use, private" {
	[ ! -e "$ROOT" ]
	create_ctr c1
	[ -d "$ROOT" ]
	[ "$(stat -c %a "$ROOT")" = 700 ]
	husk delete c1
	assert_clean
}

@test "state: same id under two roots, the delete of one spares the other" {
	# Two state roots are two independent sets of containers; husk's
	# default cgroup (no linux.cgroupsPath) must not make one container's
	# delete kill the other's processes.  runc, too, only kills a
	# cgroup's leftovers when the container has no pid namespace.
	update_config 'del(.linux.cgroupsPath)'
	set_args sleep 1000
	id=dup-$TAG
	ROOT2=$TESTDIR/state2
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	HUSK_TEST_TAG=$TAG "$HUSK" --root "$ROOT2" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	pid2=$("$HUSK" --root "$ROOT2" state "$id" | jq -r .pid)
	pid_alive "$pid2"
	husk delete -f "$id"
	sleep 0.1
	st=$("$HUSK" --root "$ROOT2" state "$id" | jq -r .status)
	alive=0
	pid_alive "$pid2" && alive=1
	"$HUSK" --root "$ROOT2" delete -f "$id"
	[ "$alive" -eq 1 ] || fail "deleting $id under $ROOT killed $id under $ROOT2 (now $st)"
	[ "$st" = running ]
	assert_clean
}
