#!/usr/bin/env bats
# husk build: images from Containerfiles, built on an imported busybox
# image in a private store; every RUN a husk container, every change a
# layer.  Checked: the layers' tar entries (whiteouts, opaque dirs), the
# cache (hits, and a changed file rerunning from the first step that
# copies it), multi-stage COPY --from, reproducible digests with
# SOURCE_DATE_EPOCH, podman running what husk built, and bad input: one
# error line, no image tagged, no container or mount left.

load helpers
load helpers_clients
load helpers_image
load helpers_registry

setup_file() {
	busybox_tar_setup_file
}

teardown_file() {
	busybox_tar_teardown_file
}

setup() {
	setup_test
	STORE=$TESTDIR/store
	CTX=$TESTDIR/ctx
	mkdir -p "$CTX"
	husk --store "$STORE" image import "$BT/busybox.tar" localhost/bb >/dev/null
}

teardown() {
	registry_stop
	teardown_test
}

hb() {
	husk_logged --store "$STORE" "$@"
}

# build_refused TEXT REGEX: a build of the Containerfile TEXT (printf's
# format) fails with the one error line REGEX.
build_refused() {
	printf "$1" >"$CTX/Containerfile"
	rm -f "$LOG"
	hrun hb build -q -t localhost/bad "$CTX"
	assert_husk_error "$2"
}

# The layer blobs of image NAME, bottom first.
layers_of() {
	local m
	m=$(hb image inspect "$1" | jq -er '.[0].RepoDigests[0]' | sed 's/.*@sha256://') ||
		m=$(jq -r --arg n "docker.io/$1:latest" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' "$STORE/index.json" | cut -c8-)
	jq -r '.layers[].digest' "$STORE/blobs/sha256/$m" | cut -c8-
}

top_layer_list() {
	tar -tzf "$STORE/blobs/sha256/$(layers_of "$1" | tail -1)"
}

# Nothing of a build left: no container of the engine, no mount under the test.
assert_build_clean() {
	local left
	left=$(ls -A "$STORE/containers" 2>/dev/null | grep -v '^\.names$' || true)
	[ -z "$left" ] || fail "containers left: $left" || return
	! grep -qF "$TESTDIR" /proc/self/mountinfo || fail "mounts left: $(grep -F "$TESTDIR" /proc/self/mountinfo)" || return
	left=$(ls -A "$STORE/tmp" 2>/dev/null || true)
	[ -z "$left" ] || fail "store tmp/ holds $left"
}

@test "build: RUN, COPY, ENV and CMD make an image that container run runs; deletions are whiteouts" {
	echo hello >"$CTX/a.txt"
	cat >"$CTX/Containerfile" <<-'EOF2'
		# a comment
		from localhost/bb
		RUN mkdir /data && echo x >/data/x && \
		    mkdir -p /data/d && echo y >/data/d/y
		COPY a.txt /data/
		RUN rm /data/x && rm -r /data/d && mkdir /data/d && echo z >/data/d/z
		ENV GREETING="hi there"
		CMD ["sh", "-c", "cat /data/a.txt /data/d/z; echo $GREETING"]
	EOF2
	hrun hb build -t localhost/built "$CTX"
	[ "$status" -eq 0 ] || fail "build failed: $stderr"
	[[ "$output" == *"STEP 2/6: RUN mkdir /data"* ]] || fail "no step line: $output"
	[[ "$output" == *"--> "*" s"* ]] || fail "no duration: $output"
	hrun hb container run --rm localhost/built
	[ "$output" = $'hello\nz\nhi there' ] || fail "the image runs: $output $stderr"
	local list
	list=$(top_layer_list localhost/built)
	grep -qx 'data/.wh.x' <<<"$list" || fail "no whiteout for /data/x: $list"
	grep -qx 'data/d/.wh..wh..opq' <<<"$list" || fail "no opaque marker for the replaced /data/d: $list"
	! grep -q '^etc/' <<<"$list" || fail "the RUN's mount points are in the layer: $list"
	# base + 3 layers (ENV and CMD make none), and a history entry per step
	[ "$(layers_of localhost/built | wc -l)" -eq 4 ] || fail "layers: $(layers_of localhost/built)"
	hb image inspect localhost/built >"$TESTDIR/i.json"
	assert_build_clean
}

@test "build: the cache reuses unchanged steps, a changed file reruns from its COPY" {
	echo one >"$CTX/f"
	printf 'FROM localhost/bb\nRUN echo first >/first\nCOPY f /f\nRUN cat /f >/g\n' >"$CTX/Containerfile"
	hb build -q -t localhost/c "$CTX" >"$TESTDIR/id1"
	hrun hb build -t localhost/c "$CTX"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 3 ] || fail "expected 3 cache hits: $output"
	[ "${lines[-1]}" = "$(cat "$TESTDIR/id1")" ] || fail "a rebuild gives another id"
	touch -d '2001-01-01' "$CTX/f"   # an mtime alone is no change
	hrun hb build -t localhost/c "$CTX"
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 3 ] || fail "mtime change missed the cache: $output"
	echo two >"$CTX/f"
	hrun hb build -t localhost/c "$CTX"
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 1 ] || fail "expected only RUN first cached: $output"
	hrun hb container run --rm localhost/c cat /g
	[ "$output" = two ] || fail "/g: $output"
	hrun hb build --no-cache -t localhost/c "$CTX"
	! grep -q 'Using cache' <<<"$output" || fail "--no-cache used the cache"
	assert_build_clean
}

@test "build: multi-stage COPY --from, --target, ARG before FROM, .containerignore" {
	printf 'keep\n' >"$CTX/keep"
	printf 'secret\n' >"$CTX/secret"
	printf 'secret\n*.log\n' >"$CTX/.containerignore"
	echo log >"$CTX/x.log"
	cat >"$CTX/Containerfile" <<-'EOF2'
		ARG BASE=localhost/bb
		FROM ${BASE} AS builder
		ARG MSG=default
		RUN echo "$MSG" >/built && mkdir /o2 && echo art >/o2/artifact
		COPY . /ctx/
		FROM scratch AS final
		COPY --from=builder /built /o2/ /
		COPY --from=0 /ctx /ctx
		FROM localhost/bb AS other
		RUN false
	EOF2
	hrun hb build --build-arg MSG=given --target final -t localhost/ms "$CTX"
	[ "$status" -eq 0 ] || fail "build failed: $stderr $output"
	local list l
	[ "$(layers_of localhost/ms | wc -l)" -eq 2 ] || fail "final is not two layers on scratch"
	for l in $(layers_of localhost/ms); do list+=$(tar -tzf "$STORE/blobs/sha256/$l")$'\n'; done
	grep -qx 'built' <<<"$list" && grep -qx 'artifact' <<<"$list" || fail "COPY --from: $list"
	grep -qx 'ctx/keep' <<<"$list" || fail "ctx/keep missing: $list"
	! grep -q 'secret\|x.log' <<<"$list" || fail "ignored files copied: $list"
	tar -xzOf "$STORE/blobs/sha256/$(layers_of localhost/ms | head -1)" built | grep -qx given ||
		fail "--build-arg MSG not used"
	assert_build_clean
}

@test "build: SOURCE_DATE_EPOCH gives the same image digest twice, bit for bit" {
	echo data >"$CTX/f"
	printf 'FROM localhost/bb\nRUN date >/when; echo same >/s\nCOPY f /f\nLABEL a=b\n' >"$CTX/Containerfile"
	sed -i 's/date >\/when; //' "$CTX/Containerfile"
	local a b
	a=$(SOURCE_DATE_EPOCH=1700000000 hb build -q --no-cache -t localhost/r1 "$CTX")
	sleep 1
	touch "$CTX/f"
	b=$(SOURCE_DATE_EPOCH=1700000000 hb build -q --no-cache -t localhost/r2 "$CTX")
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "two builds: $a and $b"
	# every time in the config is the epoch
	jq -e '[.created, .history[-1].created] | all(. == "2023-11-14T22:13:20Z")' \
		"$STORE/blobs/sha256/${a#sha256:}" >/dev/null || fail "times: $(cat "$STORE/blobs/sha256/${a#sha256:}")"
	local c
	c=$(hb build -q --timestamp 1700000000 -t localhost/r3 "$CTX")
	[ "$c" = "$a" ] || fail "--timestamp differs from SOURCE_DATE_EPOCH: $c"
}

@test "build: bad input is one error line, nothing tagged, nothing left" {
	build_refused 'FROM localhost/bb\nRUN true\nFROBNICATE x\n' 'Containerfile:3: unknown instruction "FROBNICATE"'
	build_refused 'FROM localhost/bb\nCOPY missing /x\n' 'Containerfile:2: COPY.*missing.*not found'
	build_refused 'FROM localhost/bb\nCOPY ../etc/passwd /x\n' 'outside the build context'
	printf 'FROM localhost/nosuchimage-here\n' >"$CTX/Containerfile"
	rm -f "$LOG"
	hrun hb build -q -t localhost/bad "$CTX"
	[ "$status" -ne 0 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "FROM unknown: $status $stderr"
	build_refused 'FROM localhost/bb AS a\nCOPY --from=b /x /x\nFROM localhost/bb AS b\n' 'Containerfile:2: COPY --from=b: stage b is this one or a later one: a cycle'
	build_refused 'FROM localhost/bb AS a\nCOPY --from=a /x /x\n' 'Containerfile:2: COPY --from=a: .*a cycle'
	build_refused 'FROM localhost/bb\nADD https://example.com/x /x\n' 'URLs are not fetched'
	rm -f "$LOG"
	hrun hb build -q -t localhost/bad "$CTX/Containerfile"
	assert_husk_error 'Not a directory'
	printf 'FROM localhost/bb\nRUN echo before-failing; exit 3\n' >"$CTX/Containerfile"
	rm -f "$LOG"
	hrun hb build -t localhost/bad "$CTX"
	[ "$status" -eq 1 ] || fail "status $status"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[[ "$stderr" == "husk: build: "*"Containerfile:2: RUN"*"status 3"*"before-failing" ]] || fail "stderr: $stderr"
	[[ "$output" == *before-failing* ]] || fail "the step's output is not shown: $output"
	! hb image inspect localhost/bad >/dev/null 2>&1 || fail "an image was tagged"
	assert_build_clean
}

@test "build: podman loads and runs what husk built (husk image save)" {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "podman or conmon is not installed (scripts/deps.sh test)"
	local rt
	rt=$(command -v runc || command -v crun) || skip "neither runc nor crun is installed"
	echo from-husk-build >"$CTX/m"
	printf 'FROM localhost/bb\nRUN rm /bin/vi; echo run >/r\nCOPY m /m\nCMD ["cat", "/m"]\n' >"$CTX/Containerfile"
	hb build -q -t localhost/pb "$CTX" >/dev/null
	hb image save -o "$TESTDIR/pb.tar" localhost/pb
	local P=$TESTDIR/pm out
	podman_conf "$P" vfs
	pmr() {
		CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf \
			unshare --mount --propagation private sh -c \
			'mount -t tmpfs -o mode=755 podman-cache /var/lib && exec timeout 120 podman "$@"' \
			sh --runtime "$rt" "$@"
	}
	out=$(pmr load -q -i "$TESTDIR/pb.tar" 2>&1) || fail "podman load: $out"
	out=$(pmr run --rm --network none localhost/pb 2>&1) || fail "podman run: $out"
	[ "$out" = from-husk-build ] || fail "podman run printed: $out"
	out=$(pmr run --rm --network none localhost/pb sh -c 'cat /r; test ! -e /bin/vi && echo gone' 2>&1)
	[ "$out" = $'run\ngone' ] || fail "podman run: $out"
	pmr system reset -f >/dev/null 2>&1 || true
}

@test "build: ADD unpacks a local tarball; WORKDIR, USER, COPY --chown, SHELL apply to the steps after" {
	mkdir -p "$TESTDIR/src/d"
	echo in-tar >"$TESTDIR/src/d/t"
	tar -C "$TESTDIR/src" -czf "$CTX/a.tgz" .
	cat >"$CTX/Containerfile" <<-'EOF2'
		FROM localhost/bb
		ADD a.tgz /x/
		WORKDIR /app/sub
		COPY --chown=5:6 a.tgz ./copied.tgz
		USER 1000:1000
		RUN id -u >/tmp/uid
		USER 0
		SHELL ["/bin/sh", "-ec"]
		RUN cat /x/d/t /tmp/uid >/app/sub/result; ls -n copied.tgz | awk '{print $3 ":" $4}' >>/app/sub/result
		CMD ["cat", "result"]
	EOF2
	hrun hb build -q -t localhost/add "$CTX"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	hrun hb container run --rm localhost/add
	[ "$output" = $'in-tar\n1000\n5:6' ] || fail "the image: $output $stderr"
	assert_build_clean
}

# build_in_background FILE ARGS...: husk build with ARGS, stdout and
# stderr to FILE.out/FILE.err, SIGINT at its default (a background job of a
# script has it ignored); BPID: husk's pid (no timeout wrapper between).
build_in_background() {
	local f=$1
	shift
	HUSK_TEST_TAG=$TAG env --default-signal=INT "$HUSK" --root "$ROOT" --store "$STORE" build "$@" \
		</dev/null >"$f.out" 2>"$f.err" &
	BPID=$!
}

# wait_run_started FILE: until the RUN printed "started" (its container
# runs); STEP_ID: the step container's id.
wait_run_started() {
	local i
	for i in $(seq 200); do
		grep -q '^started$' "$1.out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q '^started$' "$1.out" || fail "the RUN did not start: $(cat "$1.out" "$1.err")" || return
	STEP_ID=$(ls "$STORE/containers" | grep -v '^\.names$')
	[ -n "$STEP_ID" ] || fail "no step container"
}

# Nothing of the step container STEP_ID: its RUN's processes, cgroup,
# runtime state (and assert_build_clean's containers, mounts, tmp).
assert_step_gone() {
	! pgrep -f 'sleep 4321' >/dev/null || fail "the RUN's process lives: $(pgrep -af 'sleep 4321')" || return
	local cg
	cg=$(ls -d /sys/fs/cgroup/*/husk/"$STEP_ID" /sys/fs/cgroup/husk/"$STEP_ID" 2>/dev/null || true)
	[ -z "$cg" ] || fail "cgroups left: $cg" || return
	[ ! -e "$ROOT/$STEP_ID" ] || fail "runtime state left: $ROOT/$STEP_ID" || return
	assert_build_clean
}

@test "build: SIGINT or SIGTERM mid-RUN kills the step at once and leaves nothing" {
	printf 'FROM localhost/bb\nRUN echo started; sleep 4321\n' >"$CTX/Containerfile"
	local sig t0
	for sig in INT TERM; do
		build_in_background "$TESTDIR/b" --no-cache -t localhost/int "$CTX"
		wait_run_started "$TESTDIR/b" || return
		t0=$(date +%s%N)
		kill -s "$sig" "$BPID"
		local st=0
		wait "$BPID" || st=$?
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ] || fail "SIG$sig took more than 5 s"
		[ "$st" -ne 0 ] || fail "the build succeeded after SIG$sig"
		grep -q "^husk: build: .*Containerfile:2: RUN: interrupted by SIG$sig$" "$TESTDIR/b.err" ||
			fail "stderr: $(cat "$TESTDIR/b.err")"
		[ "$(wc -l <"$TESTDIR/b.err")" -eq 1 ] || fail "stderr: $(cat "$TESTDIR/b.err")"
		! hb image inspect localhost/int >/dev/null 2>&1 || fail "an image was tagged"
		assert_step_gone || return
	done
}

@test "build: after a SIGKILL mid-RUN the next build, or image prune, removes what it left" {
	printf 'FROM localhost/bb\nRUN echo started; sleep 4321\n' >"$CTX/Containerfile"
	local how
	for how in build prune; do
		build_in_background "$TESTDIR/b" --no-cache -t localhost/k "$CTX"
		wait_run_started "$TESTDIR/b" || return
		kill -KILL "$BPID"
		wait "$BPID" || true
		# what a SIGKILL leaves (this test would not fail otherwise)
		pgrep -f 'sleep 4321' >/dev/null || fail "the RUN ended with its husk: nothing to clean"
		[ -n "$(ls "$STORE/containers" | grep -v '^\.names$')" ] || fail "no container left"
		if [ $how = build ]; then
			printf 'FROM localhost/bb\nRUN echo other\n' >"$CTX/Containerfile.2"
			hrun hb build -q -f "$CTX/Containerfile.2" "$CTX"
			[ "$status" -eq 0 ] || fail "the next build: $stderr"
		else
			hrun hb image prune
			[ "$status" -eq 0 ] || fail "prune: $stderr"
			[[ "$output" == *"Removed 1 containers of killed builds"* ]] || fail "prune: $output"
		fi
		assert_step_gone || return
	done
}

@test "build: image prune keeps the build cache's layers; --build-cache empties it and says what it freed" {
	printf 'FROM localhost/bb\nRUN head -c 300000 /dev/zero >/big\nRUN echo small >/s\n' >"$CTX/Containerfile"
	hb build -q -t localhost/pc "$CTX" >/dev/null
	hb image rm localhost/pc >/dev/null
	hrun hb image prune
	[ "$status" -eq 0 ] || fail "$stderr"
	hrun hb build -t localhost/pc "$CTX"
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 2 ] || fail "image rm and prune dropped the build cache: $output"
	hb image rm localhost/pc >/dev/null
	local before after
	before=$(du -sb "$STORE" | cut -f1)
	hrun hb image prune --build-cache
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Deleted build cache entries: "[1-9]* ]] || fail "prune: $output"
	local freed
	freed=$(sed -n 's/^Total reclaimed space: \([0-9]*\) bytes$/\1/p' <<<"$output")
	[ "${freed:-0}" -gt 300000 ] || fail "freed: $output"
	after=$(du -sb "$STORE" | cut -f1)
	[ $((before - after)) -gt 300000 ] || fail "the store went from $before to $after bytes"
	[ -z "$(ls -A "$STORE/build-cache")" ] || fail "entries left: $(ls "$STORE/build-cache")"
	hrun hb build -t localhost/pc "$CTX"
	! grep -q 'Using cache' <<<"$output" || fail "a cache hit after --build-cache: $output"
	assert_build_clean
}

@test "build: COPY --from an image that is no stage: from the store, pulled when missing; an unknown one is an error" {
	registry_start http
	make_image other
	push other other:1
	cat >"$CTX/Containerfile" <<-EOF2
		FROM localhost/bb AS first
		COPY --from=localhost/bb /bin/busybox /from-store
		COPY --from=$REG/other:1 /bin/busybox /from-registry
	EOF2
	hrun hb build --insecure -t localhost/cf "$CTX"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	[[ "$output" == *"pulling $REG/other:1"* ]] || fail "no pull: $output"
	hb image inspect "$REG/other:1" >/dev/null || fail "the pulled image is not in the store"
	hrun hb container run --rm localhost/cf sh -c 'cmp /from-store /bin/busybox && cmp /from-registry /bin/busybox && echo same'
	[ "$output" = same ] || fail "copied: $output $stderr"
	printf 'FROM localhost/bb\nCOPY --from=%s/nosuch:1 /x /x\n' "$REG" >"$CTX/Containerfile"
	rm -f "$LOG"
	hrun hb build --insecure -q -t localhost/bad "$CTX"
	assert_husk_error "Containerfile:2: COPY --from=$REG/nosuch:1: no stage named $REG/nosuch:1, and no such image"
	! hb image inspect localhost/bad >/dev/null 2>&1 || fail "an image was tagged"
	assert_build_clean
}

@test "build: here-documents in RUN and COPY, HEALTHCHECK (and NONE) in the config, ONBUILD triggers run by the next build" {
	cat >"$CTX/Containerfile" <<-'EOF2'
		FROM localhost/bb
		RUN <<EOF
		echo one >/one
		echo two >>/one
		EOF
		RUN cat <<B >/three
		b $HOME
		B
		COPY <<EOF /dest
		content
		EOF
		HEALTHCHECK --interval=5s --timeout=1m30s --retries=2 CMD ["true"]
		ONBUILD RUN echo trig >/trig
		CMD ["sh", "-c", "cat /one /three /dest"]
	EOF2
	hrun hb build -t localhost/hd "$CTX"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	hrun hb container run --rm localhost/hd
	[ "$output" = $'one\ntwo\nb /root\ncontent' ] || fail "the image: $output $stderr"
	hb image inspect localhost/hd | jq -ce '.[0].Config | .Healthcheck == {"Test": ["CMD", "true"],
		"Interval": 5000000000, "Timeout": 90000000000, "Retries": 2} and .OnBuild == ["RUN echo trig >/trig"]' >/dev/null ||
		fail "config: $(hb image inspect localhost/hd | jq -c '.[0].Config')"
	hrun hb container run --rm localhost/hd test -e /trig
	[ "$status" -ne 0 ] || fail "the trigger ran in the image that records it"
	printf 'FROM localhost/hd\nHEALTHCHECK NONE\n' >"$CTX/Containerfile"
	hrun hb build -t localhost/hd2 "$CTX"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	[[ "$output" == *"1 ONBUILD trigger of the base"* ]] || fail "output: $output"
	hrun hb container run --rm localhost/hd2 cat /trig
	[ "$output" = trig ] || fail "the trigger did not run: $output $stderr"
	hb image inspect localhost/hd2 | jq -ce '.[0].Config | .Healthcheck == {"Test": ["NONE"]} and (.OnBuild | not)' >/dev/null ||
		fail "config: $(hb image inspect localhost/hd2 | jq -c '.[0].Config')"
	# a rebuild hits the cache; a changed document is a change
	hrun hb build -t localhost/hd2 "$CTX"
	[[ "$output" == *"Using cache"* ]] || fail "no cache hit: $output"
	printf 'FROM localhost/bb\nCOPY <<EOF /dest\nother\nEOF\n' >"$CTX/Containerfile"
	hb build -q -t localhost/hd3 "$CTX" >/dev/null
	hrun hb container run --rm localhost/hd3 cat /dest
	[ "$output" = other ] || fail "COPY's document: $output"
	assert_build_clean
}

@test "build: BuildKit flags husk does not support are an error, never ignored" {
	local bad
	for bad in 'RUN --security=insecure true' 'COPY --link f /f' 'ADD --checksum=sha256:0 f /f' \
		'RUN --network=host true'; do
		build_refused "FROM localhost/bb\\n$bad\\n" \
			"Containerfile:2: ${bad%% *} --[a-z]+: a flag husk build does not support" || return
	done
	build_refused 'FROM localhost/bb\nRUN --mount=type=bind,target=/x true\n' \
		'Containerfile:2: RUN --mount=type=bind,target=/x: only type=cache is supported by husk build'
	build_refused 'FROM localhost/bb\nRUN --mount=type=cache,target=/x,uid=5 true\n' \
		'Containerfile:2: RUN --mount=type=cache,target=/x,uid=5: uid=5 is not supported by husk build'
	build_refused 'FROM localhost/bb\nRUN <<EOF\ntrue\n' 'Containerfile:2: here-document <<EOF: no line EOF ends it'
	build_refused 'FROM localhost/bb\nHEALTHCHECK --interval=5 CMD true\n' 'Containerfile:2: HEALTHCHECK --interval=5: not a duration'
	! hb image inspect localhost/bad >/dev/null 2>&1 || fail "an image was tagged"
	assert_build_clean
}

@test "build: RUN has a loopback only by default and --network none, the host's with --network host; --network NAME must exist" {
	local host_ifs
	host_ifs=$(sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
	printf 'FROM localhost/bb\nRUN sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" " " >/ifs\n' \
		>"$CTX/Containerfile"
	local net
	for net in default none host; do
		local flags=()
		[ $net = default ] || flags=(--network $net)
		hb build -q --no-cache "${flags[@]}" -t localhost/n-$net "$CTX" >/dev/null || fail "build --network $net"
		hrun hb container run --rm --network none localhost/n-$net cat /ifs
		if [ $net = host ]; then
			[ "$output" = "$host_ifs" ] || fail "--network host: '$output', the host has '$host_ifs'"
		else
			[ "$output" = "lo " ] || fail "--network $net: $output"
		fi
	done
	rm -f "$LOG"
	hrun hb build -q --no-cache --network mybridge -t localhost/bad "$CTX"
	assert_husk_error 'mybridge'
	hrun hb image inspect localhost/bad
	[ "$status" -ne 0 ] || fail "a build on an unknown network tagged its image"
	assert_build_clean
}

@test "build: --quiet prints the image id alone; without it each step, its output and its duration" {
	printf 'FROM localhost/bb\nRUN echo out-of-run\nENV A=1\n' >"$CTX/Containerfile"
	hrun hb build -q -t localhost/q "$CTX"
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 1 ] && [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] ||
		fail "--quiet printed: $output"
	[ -z "$stderr" ] || fail "--quiet wrote to stderr: $stderr"
	hrun hb build --no-cache -t localhost/q "$CTX"
	[ "${lines[0]}" = "STEP 1/3: FROM localhost/bb" ] && [ "${lines[1]}" = "STEP 2/3: RUN echo out-of-run" ] &&
		[ "${lines[2]}" = out-of-run ] && [[ "${lines[3]}" =~ ^"--> "[0-9]+\.[0-9]{3}" s"$ ]] &&
		[ "${lines[4]}" = "STEP 3/3: ENV A=1" ] && [ "${lines[-2]}" = "COMMIT localhost/q" ] &&
		[[ "${lines[-1]}" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "output: $output"
}

@test "build: SIGTERM during a big COPY stops its copy and layer early; no layer, blob or container left" {
	head -c $((256 << 20)) /dev/urandom >"$CTX/big"   # gzip of it takes seconds here
	printf 'FROM localhost/bb\nCOPY big /big\n' >"$CTX/Containerfile"
	local layers blobs t0 ms st=0 i
	layers=$(ls "$STORE/layers" | wc -l)
	blobs=$(ls "$STORE/blobs/sha256" | wc -l)
	build_in_background "$TESTDIR/b" --no-cache -t localhost/big "$CTX"
	for i in $(seq 100); do
		grep -q 'STEP 2/2' "$TESTDIR/b.out" 2>/dev/null && break
		sleep 0.05
	done
	# the step line is out while the step runs (stdout is a file here)
	grep -q 'STEP 2/2' "$TESTDIR/b.out" || fail "no step line while the COPY runs: $(cat "$TESTDIR/b.out")"
	sleep 0.5
	t0=$(date +%s%N)
	kill -TERM "$BPID"
	wait "$BPID" || st=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$st" -ne 0 ] || fail "the build succeeded: $(cat "$TESTDIR/b.out")"
	grep -q "^husk: build: .*Containerfile:2: COPY: interrupted by SIGTERM$" "$TESTDIR/b.err" ||
		fail "stderr: $(cat "$TESTDIR/b.err")"
	[ "$ms" -lt 3000 ] || fail "the build went on for $ms ms after SIGTERM"
	[ "$(ls "$STORE/layers" | wc -l)" -eq "$layers" ] && [ "$(ls "$STORE/blobs/sha256" | wc -l)" -eq "$blobs" ] ||
		fail "a layer or blob was left: $(ls "$STORE/layers" "$STORE/blobs/sha256")"
	assert_build_clean
}

@test "build: RUN --mount=type=cache keeps a directory across builds, out of the layers; prune --build-cache removes it" {
	printf 'FROM localhost/bb\nARG N\nRUN --mount=type=cache,target=/var/cache/x echo run-$N >>/var/cache/x/log && cat /var/cache/x/log >/seen\n' \
		>"$CTX/Containerfile"
	hb build -q --build-arg N=1 -t localhost/cm "$CTX" >/dev/null || fail "build 1"
	hb build -q --build-arg N=2 -t localhost/cm "$CTX" >/dev/null || fail "build 2"
	hrun hb container run --rm localhost/cm sh -c 'cat /seen; ls -A /var/cache/x'
	[ "$output" = $'run-1\nrun-2' ] || fail "the cache mount: $output $stderr"
	local l
	for l in $(layers_of localhost/cm); do
		! tar -tzf "$STORE/blobs/sha256/$l" | grep -q 'var/cache/x/log' || fail "the cache's file is in a layer"
	done
	hrun hb image prune --build-cache
	[ "$status" -eq 0 ] || fail "$stderr"
	[ ! -e "$STORE/build-cache/.mounts" ] || fail "the cache mounts are left: $(ls -R "$STORE/build-cache/.mounts")"
	hb build -q --build-arg N=3 -t localhost/cm "$CTX" >/dev/null || fail "build 3"
	hrun hb container run --rm localhost/cm cat /seen
	[ "$output" = run-3 ] || fail "after prune: $output"
	assert_build_clean
}

@test "build: Ctrl-C on a terminal mid-RUN ends the build at once and leaves nothing" {
	command -v python3 >/dev/null || skip "python3 is not installed (scripts/deps.sh test)"
	printf 'FROM localhost/bb\nRUN echo started; sleep 4321\n' >"$CTX/Containerfile"
	# (not hrun: it gives stdin /dev/null, and the steps come on stdin)
	local st=0
	printf 'expect started\nsend \\x03\nend\n' | python3 "$REPO_ROOT/tests/tools/pty_drive.py" 24 80 env HUSK_TEST_TAG="$TAG" \
		"$HUSK" --root "$ROOT" --store "$STORE" build --no-cache -t localhost/cc "$CTX" \
		>"$TESTDIR/pty.out" 2>"$TESTDIR/pty.err" || st=$?
	output=$(cat "$TESTDIR/pty.out")
	[ "$st" -eq 0 ] || fail "pty_drive: $st $output $(cat "$TESTDIR/pty.err")"
	[[ "$output" == *"RUN: interrupted by SIGINT"* ]] || fail "output: $output"
	[[ "$output" == *"exit 1"* ]] || fail "output: $output"
	! hb image inspect localhost/cc >/dev/null 2>&1 || fail "an image was tagged"
	STEP_ID=none
	assert_step_gone
}

@test "build: FROM pulled when missing; COPY globs; the escape parser directive" {
	registry_start http
	make_image other
	push other other:2
	mkdir -p "$CTX/d"
	echo a >"$CTX/d/a.txt"; echo b >"$CTX/d/b.txt"; echo c >"$CTX/d/c.log"
	printf '# escape=`\nFROM %s/other:2\nCOPY d/*.txt /g/\nRUN ls /g `\n    >/listed\n' "$REG" \
		>"$CTX/Containerfile"
	hrun hb build --insecure -t localhost/pf "$CTX"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	[[ "$output" == *"pulling $REG/other:2"* ]] || fail "FROM not pulled: $output"
	hrun hb container run --rm localhost/pf cat /listed
	[ "$output" = "a.txt"$'\n'"b.txt" ] || fail "glob or continuation: $output $stderr"
	printf '# escape=x\nFROM localhost/bb\n' >"$CTX/Containerfile"
	rm -f "$LOG"
	hrun hb build -q -t localhost/bad "$CTX"
	assert_husk_error 'Containerfile:1: escape directive: must be'
	assert_build_clean
}
