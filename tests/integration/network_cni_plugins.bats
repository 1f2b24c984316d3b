#!/usr/bin/env bats
# --network cni:NAME with Debian's bridge + host-local + portmap + firewall
# chain, end to end, and with plugins that fail, print garbage or hang, or
# a husk SIGKILLed in the middle of an ADD.  husk runs in a network
# namespace of the test's own standing for the host ("hns"), joined by a
# veth to one standing for the outside ("ons", a server of the test's own
# in it).  Addresses from 198.18.0.0/15 only; the machine's own namespace
# is never touched.

load helpers
load engine_image

HOST_IP=198.18.200.1
OUT_IP=198.18.200.2

setup() {
	setup_test
	STORE=$TESTDIR/store
	HNS=husk-cnih-$$-$RANDOM
	ONS=husk-cnio-$$-$RANDOM
	ip netns add "$HNS"
	ip netns add "$ONS"
	ip -n "$HNS" link set lo up
	ip -n "$ONS" link set lo up
	ip -n "$HNS" link add up0 type veth peer name down0 netns "$ONS"
	ip -n "$HNS" addr add "$HOST_IP/24" dev up0
	ip -n "$ONS" addr add "$OUT_IP/24" dev down0
	ip -n "$HNS" link set up0 up
	ip -n "$ONS" link set down0 up
	mkdir -p "$TESTDIR/conf" "$TESTDIR/plugins"
	sed "s|@DATADIR@|$TESTDIR/ipam|" "$REPO_ROOT/tests/data/cni/husk-test.conflist" \
		>"$TESTDIR/conf/husk-test.conflist"
	# Debian's plugins and the test's own, in one plugin directory.
	ln -s /usr/lib/cni/* "$TESTDIR/plugins/"
	make_image bb '{"Cmd":["sh","-c","echo hello"]}' "$BUNDLE/rootfs"
	SERVER=
}

teardown() {
	[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
	for c in web c1; do hns container rm -f "$c" >/dev/null 2>&1 || true; done
	pkill -f "$TESTDIR/plugins/" 2>/dev/null || true
	netns_del "$HNS"
	netns_del "$ONS"
	teardown_test
}

# hns ARGS...: husk in the "host" namespace (nsenter --net only: the mounts
# stay husk's own).
hns() {
	: >"$LOG"
	nsenter --net="/run/netns/$HNS" -- "$HUSK" --log "$LOG" --log-format json --root "$ROOT" --store "$STORE" \
		--cni-config-dir "$TESTDIR/conf" --cni-plugin-dir "$TESTDIR/plugins" "$@"
}

in_ons() {
	nsenter --net="/run/netns/$ONS" -- "$@"
}

# fetch URL: its body, from the outside (busybox's wget -T crashes on
# Debian 12, so python3 here and `timeout wget` in containers).
fetch() {
	# nsenter itself (it becomes python3), so that $! is the server.
	nsenter --net="/run/netns/$ONS" -- python3 -c 'import sys, urllib.request as u; print(u.urlopen(sys.argv[1], timeout=2).read().decode())' "$1" 2>/dev/null
}

# An HTTP server outside that answers each GET with the client's address.
outside_server() {
	in_ons python3 -c '
import http.server as h
class H(h.BaseHTTPRequestHandler):
    def do_GET(s):
        b = s.client_address[0].encode()
        s.send_response(200); s.send_header("Content-Length", str(len(b))); s.end_headers(); s.wfile.write(b)
    def log_message(s, *a): pass
h.HTTPServer(("'"$OUT_IP"'", 8080), H).serve_forever()' </dev/null >/dev/null 2>&1 3>&- &
	SERVER=$!
	wait_for 5 in_ons python3 -c 'import socket; socket.create_connection(("'"$OUT_IP"'", 8080), 1)' ||
		fail "the outside server did not start"
}

# plugin NAME SCRIPT: a plugin of the test's own, in the plugin directory.
plugin() {
	printf '#!/bin/sh\n%s\n' "$2" >"$TESTDIR/plugins/$1"
	chmod 755 "$TESTDIR/plugins/$1"
}

# chain NAME PLUGIN: a list of the bridge (with host-local) and PLUGIN.
chain() {
	jq --arg n "$1" --arg p "$2" '.name = $n | .plugins = [.plugins[0], {"type": $p}]' \
		"$TESTDIR/conf/husk-test.conflist" >"$TESTDIR/conf/$1.conflist"
}

# Nothing of a container's network left in the host namespace.
assert_no_network_left() {
	local left
	left=$(ip -n "$HNS" -o link show type veth | grep -v 'up0@' || true)
	[ -z "$left" ] || fail "veth left: $left"
	left=$(ls "$TESTDIR/ipam/husk-test" 2>/dev/null | grep '^198' || true)
	[ -z "$left" ] || fail "lease left: $left"
	left=$(grep -F "$ROOT" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mount left: $left"
}

@test "network cni: to the outside with the host's address (ipMasq), not the container's" {
	outside_server
	hrun hns container run --rm -e "HUSK_TEST_TAG=$TAG" --network cni:husk-test bb \
		sh -c "ip -4 -o addr show eth0; timeout 5 wget -q -O - http://$OUT_IP:8080/"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ "${lines[0]}" == *"inet 198.19.1."* ]] || fail "no address: $output"
	[ "${lines[1]}" = "$HOST_IP" ] || fail "the server saw ${lines[1]}, not the host's $HOST_IP: $output"
	assert_no_network_left
}

@test "network cni: a published port (portmap) answers from the outside and from the host's own address; gone after rm" {
	hns container run --name web -e "HUSK_TEST_TAG=$TAG" --network cni:husk-test -p 8080:80 bb \
		sh -c 'mkdir -p /tmp/w && echo pong >/tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w' &
	wait_for 10 fetch "http://$HOST_IP:8080/" ||
		fail "the published port does not answer from the outside"
	[ "$(fetch "http://$HOST_IP:8080/")" = pong ] || fail "wrong answer"
	# From the host itself (portmap's OUTPUT rules).
	got=$(nsenter --net="/run/netns/$HNS" python3 -c 'import sys, urllib.request as u; print(u.urlopen(sys.argv[1], timeout=2).read().decode())' "http://$HOST_IP:8080/")
	[ "$got" = pong ] || fail "from the host: $got"
	# The firewall plugin keeps the container's own chain while it runs.
	nsenter --net="/run/netns/$HNS" iptables-save | grep -q CNI-FORWARD || fail "no CNI-FORWARD chain"
	hns container rm -f web
	wait
	! fetch "http://$HOST_IP:8080/" || fail "the port still answers"
	left=$(nsenter --net="/run/netns/$HNS" iptables-save -t nat | grep -F 8080 || true)
	[ -z "$left" ] || fail "DNAT rules left: $left"
	assert_no_network_left
}

@test "network cni: a plugin that fails: its message in one line, the plugins before it undone" {
	plugin failing '[ "$CNI_COMMAND" = ADD ] || exit 0
cat >/dev/null
echo "{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"the test plugin refuses\"}"
exit 1'
	chain failnet failing
	hrun hns container run --rm --network cni:failnet bb true
	assert_husk_error 'plugin failing: ADD: the test plugin refuses'
	assert_no_network_left
	[ -z "$(ls "$STORE/containers")" ] || fail "container left: $(ls "$STORE/containers")"
}

@test "network cni: a plugin that prints garbage, or more than the output limit: one line, nothing left" {
	plugin garbage '[ "$CNI_COMMAND" = ADD ] || exit 0
echo "this is not a CNI result {"'
	chain garbagenet garbage
	hrun hns container run --rm --network cni:garbagenet bb true
	assert_husk_error 'plugin garbage: ADD'
	assert_no_network_left
	plugin flood '[ "$CNI_COMMAND" = ADD ] || exit 0
exec yes "{\"cniVersion\":\"1.0.0\"}"'
	chain floodnet flood
	hrun hns container run --rm --network cni:floodnet bb true
	assert_husk_error 'plugin flood: ADD: output larger than'
	assert_no_network_left
	! pgrep -f "$TESTDIR/plugins/flood" >/dev/null || fail "the flooding plugin still runs"
}

@test "network cni: a plugin that hangs is stopped at the timeout, and undone" {
	plugin hang '[ "$CNI_COMMAND" = ADD ] || exit 0
exec sleep 600'
	chain hangnet hang
	SECONDS=0
	HUSK_CNI_TIMEOUT=2 hrun hns container run --rm --network cni:hangnet bb true
	assert_husk_error 'plugin hang: ADD: no answer within 2000 ms'
	[ "$SECONDS" -lt 20 ] || fail "took $SECONDS s"
	! pgrep -f "exec sleep 600|^sleep 600" >/dev/null || fail "the hanging plugin still runs"
	assert_no_network_left
}

@test "network cni: husk SIGKILLed in the middle of the ADD: rm -f undoes what the plugins did" {
	plugin slow '[ "$CNI_COMMAND" = ADD ] || exit 0
touch "$(dirname "$0")/../slow-started"
exec sleep 600'
	chain slownet slow
	hns container create --name c1 --network cni:slownet bb sleep 100
	hns container start c1 &
	wait_for 10 test -e "$TESTDIR/slow-started" || fail "the slow plugin did not start"
	# The bridge plugin has made its veth and its lease by now.
	[ -n "$(ip -n "$HNS" -o link show type veth | grep -v 'up0@')" ] || fail "no veth made before the kill"
	pkill -KILL -f "$HUSK.*container start c1"
	pkill -KILL -f "$TESTDIR/plugins/slow" || true
	wait || true
	hns container rm -f c1
	assert_no_network_left
	[ -z "$(ls "$STORE/containers")" ] || fail "container left"
}

@test "network check: CHECK of a running container's network passes, and fails once its veth is gone" {
	hns container run --name web -e "HUSK_TEST_TAG=$TAG" --network cni:husk-test bb sleep 100 &
	wait_for 10 sh -c "ip -n $HNS -o link show type veth | grep -v 'up0@' | grep -q ." ||
		fail "no veth"
	# CHECK passes once the ADD of every plugin is done (until then it says
	# the container has no network up).
	wait_for 10 hns network check web || fail "CHECK never passed: $(hns network check web 2>&1)"
	veth=$(ip -n "$HNS" -o link show type veth | grep -v 'up0@' | awk -F': ' '{ print $2 }' | cut -d@ -f1)
	ip -n "$HNS" link del "$veth"
	hrun hns network check web
	[ "$status" -ne 0 ] || fail "check passed without the veth"
	[[ "$stderr" == husk:* ]] || fail "not husk's line: $stderr"
	hns container rm -f web
	wait || true
	assert_no_network_left
}
