#!/usr/bin/env bats
# Hostile input to husk itself (issue 12, items 6 and 7): a config field
# that crashed the parser, 200,000 variables (a quadratic de-duplication
# kept husk busy for 30 s, deaf to SIGTERM), NUL bytes that were cut short
# silently, and the signals a foreground `run` must pass on.  (FIFOs,
# devices and huge files: input_limits.bats.)

load helpers

setup() {
	setup_test
}

teardown() {
	teardown_test
}

@test "scheduler: an unknown flag is refused, not a crash" {
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "flags": ["X"]}'
	local cmd
	for cmd in create run; do
		rm -f "$LOG"
		timed_fail 10 'process\.scheduler\.flags\[0\]: unknown flag X' husk_logged $cmd --bundle "$BUNDLE" c1
		assert_clean
	done
}

@test "a NUL byte in an argument or a variable is refused, not cut short" {
	# The JSON escape \u0000: the engine saw the whole string, husk would
	# have run its part up to the NUL.
	printf '%s' "$(jq -c '.process.args = ["sh", "-c", "touch /out/ran"]' "$BUNDLE/config.json" |
		sed 's|"touch /out/ran"|"touch /out/ran\\u0000; rm -rf /out/*"|')" >"$BUNDLE/config.json"
	timed_fail 10 'process\.args\[2\]: must not contain a NUL byte' husk_logged run --bundle "$BUNDLE" c1
	[ ! -e "$OUT/ran" ] || fail "the program ran"
	assert_clean
	update_config '.process.args = ["sh", "-c", "touch /out/ran"] | .process.env += ["SAFE=1"]'
	sed -i 's|"SAFE=1"|"SAFE=1\\u0000LD_PRELOAD=/x"|' "$BUNDLE/config.json"
	rm -f "$LOG"
	timed_fail 10 'process\.env\[[0-9]+\]: must not contain a NUL byte' husk_logged run --bundle "$BUNDLE" c1
	[ ! -e "$OUT/ran" ] || fail "the program ran"
	assert_clean
}

# A config of N variables E0= ... E<N-1>=, E0 given again last with the
# value "last", and a stack limit that lets execve take them all.
many_variables() {
	# python, not jq: jq takes seconds on 200,000 strings.
	python3 -c 'import json, sys
p, n = sys.argv[1], int(sys.argv[2])
c = json.load(open(p))
c["process"]["env"] += ["E%d=" % i for i in range(n)] + ["E0=last"]
json.dump(c, open(p, "w"))' "$BUNDLE/config.json" "$1"
}

@test "200,000 variables: linear, the container starts in seconds" {
	update_config '.process.args = ["/bin/env"]
		| .process.rlimits = [{"type": "RLIMIT_STACK", "soft": 67108864, "hard": 67108864}]'
	many_variables 200000
	local t0 dt st=0
	t0=$(date +%s%N)
	HUSK_TEST_TIMEOUT=40 husk run --bundle "$BUNDLE" c1 </dev/null >"$TESTDIR/env.out" 2>"$TESTDIR/env.err" || st=$?
	dt=$((($(date +%s%N) - t0) / 1000000))
	[ "$st" -eq 0 ] || fail "husk run exited $st: $(cat "$TESTDIR/env.err")"
	# The whole run (fork, exec, a 3 MB environment), not only the parse
	# (under a second: test_spec_input), on a loaded 2-core machine.
	[ "$dt" -lt 5000 ] || fail "husk run took $dt ms"
	[ "$(grep -c '^E[0-9]*=' "$TESTDIR/env.out")" -eq 200000 ]
	[ "$(head -n 1 "$TESTDIR/env.out")" != "" ]
	grep -qx 'E0=last' "$TESTDIR/env.out"
	grep -qx 'E199999=' "$TESTDIR/env.out"
	assert_clean
}

@test "SIGTERM while husk reads a huge config ends it, nothing left" {
	# 1.5 million variables: the parse takes a while even when linear.
	# The program ignores SIGTERM (pid 1 with no handler): only a husk that
	# still takes the signal itself ends with it.
	update_config '.process.args = ["sleep", "1000"]'
	many_variables 1500000
	bg_tagged "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>"$TESTDIR/err"
	local hpid=$BG_PID st=0 rss
	# Under way: husk has read the file (its memory grows with it).
	rss_over() {
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$hpid/status" 2>/dev/null)
		[ "${rss:-0}" -gt 20000 ]
	}
	wait_for 10 rss_over || fail "husk did not get to read the config"
	kill -TERM "$hpid"
	local t0=$SECONDS
	timeout 10 tail --pid="$hpid" -f /dev/null || { kill -9 "$hpid"; fail "husk ignored SIGTERM"; }
	wait "$hpid" || st=$?
	[ "$st" -eq 143 ] || fail "husk exited $st, expected 143 (SIGTERM): $(cat "$TESTDIR/err")"
	[ $((SECONDS - t0)) -le 5 ]
	assert_clean
}

@test "run in the foreground passes the usual signals on to the container" {
	set_cmd 'for s in HUP INT QUIT USR1 USR2 ALRM CONT WINCH; do trap "echo $s >>/out/got" $s; done
		trap "echo TERM >>/out/got; exit 42" TERM
		touch /out/ready; while :; do usleep 10000; done'
	bg_tagged "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	local hpid=$BG_PID st=0 s
	wait_for 10 test -e "$OUT/ready"
	for s in HUP INT QUIT USR1 USR2 ALRM CONT; do
		kill -"$s" "$hpid"
		wait_for 5 grep -qx "$s" "$OUT/got" || fail "SIG$s did not reach the container"
	done
	pid_alive "$hpid" || fail "husk died of a forwarded signal"
	kill -TERM "$hpid"
	wait "$hpid" || st=$?
	[ "$st" -eq 42 ] || fail "husk run exited $st, expected the container's 42"
	grep -qx TERM "$OUT/got"
	assert_clean
}
