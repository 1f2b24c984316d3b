#!/usr/bin/env bats
# husk image pull against Debian's docker-registry on 127.0.0.1, started
# by each test: plain http, TLS with a CA the test makes, htpasswd basic
# auth, the bearer-token challenge (tests/tools/registry_proxy.py), an
# index of several platforms, no second transfer, SIGKILL mid-pull, and
# registries that are down, send garbage or hang.

load helpers
load helpers_engine
load helpers_registry

setup() {
	setup_test
	STORE=$TESTDIR/store
	command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
}

teardown() {
	proxy_stop
	registry_stop
	teardown_test
}

pull() {
	rm -f "$LOG"
	husk_logged --store "$STORE" image pull "$@"
}

# The store holds no temporary leftovers and only complete layers.
assert_store_clean() {
	local left
	left=$(find "$STORE/tmp" -mindepth 1 2>/dev/null | head -5)
	[ -z "$left" ] || fail "left in $STORE/tmp: $left"
}

# layer_has FILE: some unpacked layer of the store has FILE.
layer_has() {
	compgen -G "$STORE/layers/*/diff/$1" >/dev/null
}

@test "image pull: plain http with --insecure, all layers unpacked; a second pull fetches no blob" {
	registry_start http
	make_image bb 2
	push bb busybox:latest
	hrun pull --insecure "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "pull failed: $stderr"
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "pull printed: $output"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ] || fail "layers: $(ls "$STORE/layers")"
	layer_has bin/busybox || fail "no layer has bin/busybox"
	layer_has layer2 || fail "no layer has layer2"
	grep -q "$REG/busybox:latest" "$STORE/index.json" || fail "not named: $(cat "$STORE/index.json")"
	local gets
	gets=$(blob_gets)
	[ "$gets" -eq 4 ] || fail "expected 4 blob GETs (config + 3 layers), got $gets"
	hrun pull --insecure "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "second pull failed: $stderr"
	[ "$(blob_gets)" -eq "$gets" ] || fail "the second pull fetched blobs: $(blob_gets) GETs, $gets before"
	assert_store_clean
}

@test "image pull: a pull by digest checks the digest" {
	registry_start http
	make_image bb
	push bb busybox:latest
	local d
	d=$(skopeo inspect --tls-verify=false --raw "docker://$REG/busybox:latest" | sha256sum | cut -d' ' -f1)
	hrun pull --insecure "$REG/busybox@sha256:$d"
	[ "$status" -eq 0 ] || fail "pull by digest failed: $stderr"
	hrun pull --insecure "$REG/busybox@sha256:$(printf '%064d' 0)"
	assert_husk_error "^pull .*: (manifests/.*not found|.*digest mismatch)"
}

@test "image pull: an unknown tag or repository is one line, 404" {
	registry_start http
	hrun pull --insecure "$REG/nothing:here"
	assert_husk_error "^pull $REG/nothing:here: manifests/here: not found \(HTTP 404"
	assert_store_clean
}

@test "image pull: TLS verified against --tls-ca; refused without it; http against TLS fails" {
	registry_start tls
	make_image bb
	push bb busybox:latest
	hrun pull "$REG/busybox:latest"
	assert_husk_error "^pull $REG/busybox:latest: .*(certificate|SSL|issuer)"
	hrun pull --tls-ca "$REG_DIR/ca.crt" "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "pull with --tls-ca failed: $stderr"
	layer_has bin/busybox || fail "not unpacked"
	assert_store_clean
}

@test "image pull: htpasswd basic auth from --authfile; denied without or with a wrong password" {
	registry_start htpasswd
	make_image bb
	skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret "oci:$TESTDIR/oci:bb" "docker://$REG/busybox:latest"
	hrun pull --insecure "$REG/busybox:latest"
	assert_husk_error "^pull $REG/busybox:latest: manifests/latest: denied \(HTTP 401"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf tester:wrong | base64)" >"$TESTDIR/bad.json"
	hrun pull --insecure --authfile "$TESTDIR/bad.json" "$REG/busybox:latest"
	assert_husk_error "denied \(HTTP 401"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf tester:s3cret | base64)" >"$TESTDIR/auth.json"
	hrun pull --insecure --authfile "$TESTDIR/auth.json" "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "pull with credentials failed: $stderr"
	# The default auth file of podman: $XDG_RUNTIME_DIR/containers/auth.json.
	rm -rf "$STORE"
	mkdir -p "$TESTDIR/xdg/containers"
	cp "$TESTDIR/auth.json" "$TESTDIR/xdg/containers/auth.json"
	XDG_RUNTIME_DIR=$TESTDIR/xdg hrun pull --insecure "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "pull with the default auth file failed: $stderr"
	assert_store_clean
}

@test "image pull: the bearer-token challenge (401 WWW-Authenticate: Bearer realm=...)" {
	registry_start http
	make_image bb 1
	push bb busybox:latest
	proxy_start bearer
	hrun pull --insecure "$PROXY/busybox:latest"
	[ "$status" -eq 0 ] || fail "bearer pull failed: $stderr $(cat "$TESTDIR/proxy.log")"
	grep -q '"GET /token?scope=repository%3Abusybox%3Apull&service=husk-test' "$TESTDIR/proxy.log" ||
		fail "no token request: $(cat "$TESTDIR/proxy.log")"
	layer_has layer1 || fail "not unpacked"
}

@test "image pull: a multi-arch index gives the linux/amd64 image" {
	need_tool buildah buildah
	registry_start http
	make_image amd
	make_image arm 1
	umoci config --image "$TESTDIR/oci:arm" --architecture arm64
	skopeo copy -q "oci:$TESTDIR/oci:amd" "oci:$TESTDIR/idx:amd"
	skopeo copy -q "oci:$TESTDIR/oci:arm" "oci:$TESTDIR/idx:arm"
	buildah manifest create --storage-driver vfs --root "$TESTDIR/bh" --runroot "$TESTDIR/bhr" multi >/dev/null
	buildah manifest add --storage-driver vfs --root "$TESTDIR/bh" --runroot "$TESTDIR/bhr" multi "oci:$TESTDIR/idx:arm" >/dev/null
	buildah manifest add --storage-driver vfs --root "$TESTDIR/bh" --runroot "$TESTDIR/bhr" multi "oci:$TESTDIR/idx:amd" >/dev/null
	buildah manifest push --storage-driver vfs --root "$TESTDIR/bh" --runroot "$TESTDIR/bhr" -q --all --tls-verify=false multi "docker://$REG/multi:latest"
	hrun pull --insecure "$REG/multi:latest"
	[ "$status" -eq 0 ] || fail "pull of the index failed: $stderr"
	! layer_has layer1 || fail "the arm64 image was unpacked"
	[ "$output" = "$(config_digest amd)" ] || fail "pulled $output, the amd64 image is $(config_digest amd)"
	rm -rf "$TESTDIR/bh" "$TESTDIR/bhr" 2>/dev/null || true
}

@test "image pull: SIGKILL mid-pull leaves no half-made blob or layer, and the next pull works" {
	registry_start http
	make_image bb 3
	push bb busybox:latest
	local i pid
	for i in 1 2 3 4 5; do
		"$HUSK" --store "$STORE" image pull --insecure "$REG/busybox:latest" >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((i * 2))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# Every blob in blobs/ is whole: its name is its digest.
		local b
		for b in "$STORE"/blobs/sha256/*; do
			[ -e "$b" ] || continue
			[ "$(sha256sum <"$b" | cut -d' ' -f1)" = "${b##*/}" ] || fail "blob ${b##*/} is not whole"
		done
	done
	hrun pull --insecure "$REG/busybox:latest"
	[ "$status" -eq 0 ] || fail "pull after SIGKILLs failed: $stderr"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 4 ] || fail "layers: $(ls "$STORE/layers")"
	assert_store_clean
}

@test "image pull: a registry that is down, sends garbage or hangs: one line each, nothing in the store" {
	local port
	port=$(free_port)
	hrun pull --insecure "127.0.0.1:$port/busybox:latest"
	assert_husk_error "^pull 127.0.0.1:$port/busybox:latest: .*(refused|connect)"
	proxy_start garbage
	hrun pull --insecure "$PROXY/busybox:latest"
	assert_husk_error "^pull $PROXY/busybox:latest: .*(not a JSON|digest mismatch)"
	proxy_stop
	proxy_start hang
	hrun pull --insecure --timeout 1 "$PROXY/busybox:latest"
	assert_husk_error "^pull $PROXY/busybox:latest: .*timed out"
	[ -z "$(ls "$STORE/blobs/sha256" 2>/dev/null)" ] || fail "blobs left: $(ls "$STORE/blobs/sha256")"
	assert_store_clean
}
