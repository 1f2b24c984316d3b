#!/bin/bash
# A Debian docker-registry on 127.0.0.1 for the pull tests, and images
# pushed to it with skopeo (made with umoci from the busybox rootfs).
#
#   registry_start [http|tls|htpasswd]   sets REG (host:port), REG_DIR, REG_LOG
#   registry_stop
#   make_image NAME [EXTRA_LAYERS]       an OCI layout $TESTDIR/oci:NAME

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (5 s).
wait_port() {
	local i
	for i in $(seq 100); do
		(echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listens on 127.0.0.1:$1"
}

registry_start() {
	local mode=${1:-http} port extra=''
	command -v docker-registry >/dev/null || skip "docker-registry is not installed (apt-get install docker-registry)"
	port=$(free_port)
	REG=127.0.0.1:$port REG_DIR=$TESTDIR/registry REG_LOG=$TESTDIR/registry/log
	mkdir -p "$REG_DIR/data"
	case $mode in
	tls)
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=husk-test-ca \
			-keyout "$REG_DIR/ca.key" -out "$REG_DIR/ca.crt" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$REG_DIR/srv.key" \
			-out "$REG_DIR/srv.csr" 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1\n' >"$REG_DIR/ext"
		openssl x509 -req -in "$REG_DIR/srv.csr" -CA "$REG_DIR/ca.crt" -CAkey "$REG_DIR/ca.key" \
			-CAcreateserial -days 2 -extfile "$REG_DIR/ext" -out "$REG_DIR/srv.crt" 2>/dev/null
		extra="  tls:
    certificate: $REG_DIR/srv.crt
    key: $REG_DIR/srv.key"
		;;
	htpasswd)
		htpasswd -Bbn tester s3cret >"$REG_DIR/htpasswd"
		extra_auth="auth:
  htpasswd:
    realm: husk-test
    path: $REG_DIR/htpasswd"
		;;
	esac
	cat >"$REG_DIR/config.yml" <<CFG
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$extra
${extra_auth:-}
CFG
	docker-registry serve "$REG_DIR/config.yml" >"$REG_LOG" 2>&1 &
	echo $! >"$REG_DIR/pid"
	wait_port "$port"
}

registry_stop() {
	[ -f "${REG_DIR:-/nonexistent}/pid" ] || return 0
	kill "$(cat "$REG_DIR/pid")" 2>/dev/null
	wait "$(cat "$REG_DIR/pid")" 2>/dev/null || true
	rm -f "$REG_DIR/pid"
}

# config_digest NAME: the config digest (image id) of the layout's image NAME.
config_digest() {
	local m
	m=$(jq -r --arg n "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' \
		"$TESTDIR/oci/index.json")
	jq -r .config.digest "$TESTDIR/oci/blobs/sha256/${m#sha256:}"
}

# make_image NAME [N]: a busybox image with N extra small layers (default
# 0) in the OCI layout $TESTDIR/oci, tag NAME.
make_image() {
	local name=$1 n=${2:-0} i b=$TESTDIR/ub-$1
	command -v umoci >/dev/null || skip "umoci is not installed (apt-get install umoci)"
	[ -d "$TESTDIR/oci" ] || umoci init --layout "$TESTDIR/oci"
	umoci new --image "$TESTDIR/oci:$name"
	umoci unpack --image "$TESTDIR/oci:$name" "$b" >/dev/null
	cp -a "$(ensure_rootfs)/." "$b/rootfs/"
	rm -f "$b/rootfs/.complete"
	umoci repack --image "$TESTDIR/oci:$name" "$b" >/dev/null
	rm -rf "$b"
	for ((i = 1; i <= n; i++)); do
		umoci unpack --image "$TESTDIR/oci:$name" "$b" >/dev/null
		echo "layer $i of $name" >"$b/rootfs/layer$i"
		umoci repack --image "$TESTDIR/oci:$name" "$b" >/dev/null
		rm -rf "$b"
	done
	umoci config --image "$TESTDIR/oci:$name" --config.cmd /bin/sh \
		--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --os linux --architecture amd64
}

# proxy_start MODE: tests/tools/registry_proxy.py in front of $REG; sets PROXY.
proxy_start() {
	local port
	port=$(free_port)
	PROXY=127.0.0.1:$port
	python3 "$REPO_ROOT/tests/tools/registry_proxy.py" "$port" "${REG:-none}" "$1" \
		>"$TESTDIR/proxy.log" 2>&1 &
	echo $! >"$TESTDIR/proxy.pid"
	wait_port "$port"
}

proxy_stop() {
	[ -f "$TESTDIR/proxy.pid" ] || return 0
	kill "$(cat "$TESTDIR/proxy.pid")" 2>/dev/null
	wait "$(cat "$TESTDIR/proxy.pid")" 2>/dev/null || true
	rm -f "$TESTDIR/proxy.pid"
}

# push NAME REPO:TAG [skopeo flags]: the layout's image into the registry.
push() {
	local name=$1 dst=$2
	shift 2
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$TESTDIR/oci:$name" "docker://$REG/$dst"
}

# blob_gets: how many blob GETs the registry served (its access log).
blob_gets() {
	grep -c '"GET /v2/[^ ]*/blobs/sha256:[0-9a-f]* ' "$REG_LOG" || true
}
