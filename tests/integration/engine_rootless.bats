#!/usr/bin/env bats
# The engine without root, and with a user namespace (issue 14 with issue
# 13): `husk image ...` and `husk container ...` run by real unprivileged
# users that this file creates (with /etc/subuid and /etc/subgid ranges),
# each with a store of its own; and, as root, containers with --uidmap
# whose layers are idmapped mounts.  After each test the host is checked:
# no mount, process, runtime state, container directory or store temp file.

load helpers
load engine_image
load helpers_registry

setup_file() {
	command -v newuidmap >/dev/null || skip "newuidmap is missing (apt-get install uidmap)"
	export ER_A=hera$$ ER_B=herb$$ ER_C=herc$$ ER_SUB_A=440000 ER_SUB_B=540000
	subid_user_add "$ER_A" $ER_SUB_A
	subid_user_add "$ER_B" $ER_SUB_B
	subid_user_add "$ER_C"   # no subordinate ids
}

teardown_file() {
	subid_user_del ${ER_A:-} ${ER_B:-} ${ER_C:-}
}

setup() {
	setup_test || return
	A_UID=$(id -u "$ER_A") A_GID=$(id -g "$ER_A")
	cp "$HUSK" "$TESTDIR/husk"
	chmod 755 "$TESTDIR/husk"
	local u
	for u in a b c; do
		mkdir -m 700 "$TESTDIR/run-$u" "$TESTDIR/data-$u"
	done
	chown "$ER_A:" "$TESTDIR/run-a" "$TESTDIR/data-a"
	chown "$ER_B:" "$TESTDIR/run-b" "$TESTDIR/data-b"
	chown "$ER_C:" "$TESTDIR/run-c" "$TESTDIR/data-c"
	A_STORE=$TESTDIR/data-a/husk
	# The image: the busybox rootfs, a user app (1000:1000) whose home and
	# a file in it are its own, as `podman export` writes such a tree.
	BASE=$TESTDIR/base
	cp -a "$BUNDLE/rootfs" "$BASE"
	echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> "$BASE/etc/passwd"
	echo 'app:x:1000:' >> "$BASE/etc/group"
	mkdir -p "$BASE/home/app"
	echo mine > "$BASE/home/app/file"
	chown -R 1000:1000 "$BASE/home/app"
	tar -C "$BASE" --numeric-owner -cf "$TESTDIR/image.tar" .
	chmod 644 "$TESTDIR/image.tar"
}

teardown() {
	registry_stop
	teardown_test
}

# as_user USER X ARGS...: husk as USER with a clean environment:
# XDG_RUNTIME_DIR=$TESTDIR/run-X, XDG_DATA_HOME=$TESTDIR/data-X (so the
# default store is $TESTDIR/data-X/husk), no --root, no --store.
as_user() {
	local u=$1 x=$2
	shift 2
	timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" \
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HUSK_TEST_TAG="$TAG" \
		XDG_RUNTIME_DIR="$TESTDIR/run-$x" XDG_DATA_HOME="$TESTDIR/data-$x" \
		"$TESTDIR/husk" "$@"
}
as_a() { as_user "$ER_A" a "$@"; }
as_b() { as_user "$ER_B" b "$@"; }

# a_import: the image imported by A as app:1.
a_import() {
	hrun as_a image import "$TESTDIR/image.tar" app:1
	[ "$status" -eq 0 ] || fail "import as $ER_A: $stderr"
}

# a_run ARGS...: `container run --rm` as A, tagged; output in $output.
a_run() {
	hrun as_a container run --rm -e "HUSK_TEST_TAG=$TAG" "$@"
}

# Nothing of the test is left: no mount under the test directory (on the
# host; a rootless overlay lives in husk's own mount namespace), no tagged
# process, no runtime state, no container directory or store temp file.
assert_host_clean() {
	local left s
	left=$(mounts_under "$TESTDIR")
	[ -z "$left" ] || fail "mounts left: $left" || return
	left=$(tagged_pids)
	[ -z "$left" ] || fail "processes left: $(ps -o pid,user,args -p "$(echo $left | tr ' ' ,)")" || return
	left=$(ls -A "$TESTDIR"/run-?/husk "$ROOT" 2>/dev/null | grep -v ':$' | sed '/^$/d' || true)
	[ -z "$left" ] || fail "runtime state left: $left" || return
	for s in "$TESTDIR"/data-?/husk "$TESTDIR/store"; do
		[ -d "$s" ] || continue
		left=$(ls -A "$s/containers" "$s/tmp" 2>/dev/null | grep -v '^\.names$\|:$' | sed '/^$/d' || true)
		[ -z "$left" ] || fail "left in $s: $left" || return
		left=$(ls -A "$s/containers/.names" 2>/dev/null || true)
		[ -z "$left" ] || fail "names left in $s: $left" || return
	done
}

# docker_archive FILE: a docker-archive of two layers written here: the
# image's tree, then a layer that makes /etc opaque-free but /home/app
# opaque (.wh..wh..opq) with a file of its own and whites out /etc/group
# (.wh.group); HOSTILE=1 adds user.overlay.opaque to /etc (pax xattr), which
# would hide the lower /etc if husk kept it.
docker_archive() {
	python3 - "$1" "$TESTDIR/image.tar" "${HOSTILE:-0}" <<-'EOF'
		import hashlib, io, json, sys, tarfile
		out, base, hostile = sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3] == '1'
		buf = io.BytesIO()
		with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as t:
		    def add(name, data=None, uid=0, pax=None):
		        ti = tarfile.TarInfo(name)
		        ti.uid = ti.gid = uid
		        if data is None:
		            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
		        else:
		            ti.size, ti.mode = len(data), 0o644
		        if pax:
		            ti.pax_headers = pax
		        t.addfile(ti, io.BytesIO(data) if data is not None else None)
		    add('etc', pax={'SCHILY.xattr.user.overlay.opaque': 'y'} if hostile else None)
		    add('etc/.wh.group', b'')
		    add('home/app', uid=1000)
		    add('home/app/.wh..wh..opq', b'')
		    add('home/app/new', b'top\n', uid=1000)
		top = buf.getvalue()
		layers = [base, top]
		diff = ['sha256:' + hashlib.sha256(l).hexdigest() for l in layers]
		conf = json.dumps({'architecture': 'amd64', 'os': 'linux', 'config': {'Cmd': ['sh']},
		                   'rootfs': {'type': 'layers', 'diff_ids': diff}}).encode()
		with tarfile.open(out, 'w') as a:
		    def put(name, data):
		        ti = tarfile.TarInfo(name)
		        ti.size, ti.mode = len(data), 0o644
		        a.addfile(ti, io.BytesIO(data))
		    names = []
		    for i, l in enumerate(layers):
		        put('l%d.tar' % i, l)
		        names.append('l%d.tar' % i)
		    put('config.json', conf)
		    put('manifest.json', json.dumps([{'Config': 'config.json', 'RepoTags': ['two:1'],
		                                      'Layers': names}]).encode())
	EOF
	chmod 644 "$1"
}

@test "rootless image import: the default store under \$XDG_DATA_HOME/husk, private, layer owners mapped through /etc/subuid" {
	a_import
	[ "$(stat -c '%U %a' "$A_STORE")" = "$ER_A 700" ] || fail "store: $(stat -c '%U %a' "$A_STORE")"
	hrun as_a image ls
	[ "$status" -eq 0 ] && [[ "$output" == *app*1* ]] || fail "image ls: $output $stderr"
	# Owned as the image says, seen from the user's namespace: root's
	# files are the user's, app's (1000) the subordinate id 1000 - 1 up.
	local diff
	diff=$(find "$A_STORE/layers" -mindepth 2 -maxdepth 2 -name diff)
	[ "$(stat -c %u "$diff/etc/passwd")" = "$A_UID" ]
	[ "$(stat -c '%u %g' "$diff/home/app/file")" = "$((ER_SUB_A + 999)) $((ER_SUB_A + 999))" ]
	# Without XDG_DATA_HOME: ~/.local/share/husk (HOME as podman reads it).
	mkdir -m 700 "$TESTDIR/home-a"
	chown "$ER_A:" "$TESTDIR/home-a"
	hrun timeout 30 setpriv --reuid="$ER_A" --regid="$A_GID" --init-groups \
		env -i PATH=/usr/bin:/bin HOME="$TESTDIR/home-a" "$TESTDIR/husk" image import "$TESTDIR/image.tar" h:1
	[ "$status" -eq 0 ] || fail "import with HOME: $stderr"
	[ -f "$TESTDIR/home-a/.local/share/husk/index.json" ] || fail "no store under ~/.local/share/husk"
	hrun as_a image rm app:1
	[ "$status" -eq 0 ] || fail "image rm: $stderr"
	[ -z "$(ls -A "$A_STORE/layers")" ] || fail "layers left: $(ls -A "$A_STORE/layers")"
	assert_host_clean
}

@test "rootless container run --rm: root inside, the image's owners, writes land as the user's ids, nothing left" {
	a_import
	a_run app:1 sh -c 'id -u; stat -c "%u %g" /etc/passwd /home/app/file; cat /proc/self/uid_map | wc -l; touch /root-made; echo ok'
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[ "${lines[0]}" = 0 ] || fail "id -u: ${lines[0]}"
	[ "${lines[1]}" = "0 0" ] || fail "/etc/passwd: ${lines[1]}"
	[ "${lines[2]}" = "1000 1000" ] || fail "/home/app/file: ${lines[2]}"
	[ "${lines[4]}" = ok ]
	# -u app by name, through the image's /etc/passwd; a kept container's
	# writes are on the host with the mapped owner.
	hrun as_a container run --name k -u app -e "HUSK_TEST_TAG=$TAG" app:1 sh -c 'id -u; echo more >> /home/app/file; touch /home/app/made'
	[ "$status" -eq 0 ] || fail "run -u app: $stderr"
	[ "${lines[0]}" = 1000 ]
	local cdir
	cdir=$(echo "$A_STORE"/containers/[0-9a-f]*)
	[ "$(stat -c '%u %g' "$cdir/upper/home/app/made")" = "$((ER_SUB_A + 999)) $((ER_SUB_A + 999))" ]
	[ "$(stat -c '%u' "$cdir/upper/home/app/file")" = "$((ER_SUB_A + 999))" ]
	# rm removes what the container's ids wrote (from husk's namespace).
	hrun as_a container rm k
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	assert_host_clean
}

@test "rootless container create, start -d, ls, exec, stop, rm -f as the user" {
	a_import
	hrun as_a container create --name w -e "HUSK_TEST_TAG=$TAG" app:1 sleep 1000
	[ "$status" -eq 0 ] || fail "create: $stderr"
	hrun as_a container start -d w
	[ "$status" -eq 0 ] || fail "start -d: $stderr"
	hrun as_a container ls --format json
	[ "$(jq -r '.[0].Names // .[0].Name' <<<"$output")" = w ] || [[ "$output" == *'"w"'* ]] || fail "ls: $output"
	hrun as_a container exec w sh -c 'id -u; stat -c %u /home/app/file; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ] || fail "exec: $stderr"
	[ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 1000 ] && [ "${lines[2]}" = "sleep 1000 " ] || fail "exec: $output"
	hrun as_a container stop -t 1 w
	[ "$status" -eq 0 ] || fail "stop: $stderr"
	hrun as_a container start -d w
	[ "$status" -eq 0 ] || fail "start again: $stderr"
	hrun as_a container rm -f w
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	hrun as_a container ls -a -q
	[ -z "$output" ] || fail "ls after rm: $output"
	assert_host_clean
}

@test "rootless: a husk killed (SIGKILL) while it runs a container: no mount is left anywhere, rm -f removes the rest" {
	a_import
	as_a container run --name kk -e "HUSK_TEST_TAG=$TAG" app:1 sleep 1000 </dev/null >/dev/null 2>&1 &
	local bg=$! pid
	wait_for 10 eval 'pgrep -u "$ER_A" -x sleep >/dev/null' || fail "the container did not start"
	pid=$(pgrep -u "$ER_A" -x husk | head -1)
	[ -n "$pid" ] || fail "no husk of $ER_A"
	kill -9 "$pid"
	wait "$bg" 2>/dev/null || true
	# The overlay was husk's namespace's: gone from the host with it.
	[ -z "$(mounts_under "$TESTDIR")" ] || fail "mounts: $(mounts_under "$TESTDIR")"
	hrun as_a container rm -f kk
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	wait_for 5 eval '! pgrep -u "$ER_A" -x sleep >/dev/null' || fail "the container's process is left"
	assert_host_clean
}

@test "rootless image load of two layers: an opaque dir and a whiteout as user.overlay.* xattrs" {
	docker_archive "$TESTDIR/two.tar"
	hrun as_a image load -i "$TESTDIR/two.tar"
	[ "$status" -eq 0 ] || fail "load: $stderr"
	a_run two:1 sh -c 'ls /home/app; test -e /etc/group && echo group; stat -c %u /home/app/new'
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[ "${lines[0]}" = new ] || fail "opaque /home/app: $output"
	[ "${lines[1]}" = 1000 ] || fail "whiteout of /etc/group, owner of new: $output"
	assert_host_clean
}

@test "rootless attack: a layer's own user.overlay.opaque xattr is dropped (it would hide the lower /etc)" {
	HOSTILE=1 docker_archive "$TESTDIR/two.tar"
	hrun as_a image load -i "$TESTDIR/two.tar"
	[ "$status" -eq 0 ] || fail "load: $stderr"
	local l
	for l in "$A_STORE"/layers/*/diff/etc; do
		! getfattr -n user.overlay.opaque "$l" >/dev/null 2>&1 || fail "$l has user.overlay.opaque"
	done 2>/dev/null
	a_run two:1 cat /etc/passwd
	[ "$status" -eq 0 ] && [[ "$output" == *root:x:0:0* ]] || fail "lower /etc hidden: $output $stderr"
	assert_host_clean
}

@test "rootless attack: one user can neither read nor change another's store or containers" {
	a_import
	hrun as_a container create --name secret -e "HUSK_TEST_TAG=$TAG" app:1 true
	[ "$status" -eq 0 ] || fail "create: $stderr"
	# B's own store is empty; A's is refused by its permissions.
	hrun as_b image ls -q
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "B sees: $output $stderr"
	local cmd
	for cmd in "image ls" "image rm -f app:1" "container ls -a" "container rm -f secret" \
		"container start secret" "container run --rm app:1 true" "image import $TESTDIR/image.tar x:1"; do
		# shellcheck disable=SC2086
		hrun as_b --store "$A_STORE" $cmd
		[ "$status" -ne 0 ] || fail "B: husk $cmd succeeded on A's store"
		[[ "$stderr" == *"ermission denied"* ]] || fail "B: husk $cmd: $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "B: husk $cmd: more than one line: $stderr"
	done
	hrun as_a container ls -a -q
	[ "${#lines[@]}" -eq 1 ] || fail "A's container: $output"
	hrun as_a container rm secret
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	assert_host_clean
}

@test "rootless: an image owner beyond the user's subordinate ids fails the import in one line, nothing left" {
	mkdir -p "$TESTDIR/far"
	cp -a "$BASE/." "$TESTDIR/far/"
	touch "$TESTDIR/far/far"
	chown 70000:70000 "$TESTDIR/far/far"
	tar -C "$TESTDIR/far" --numeric-owner -cf "$TESTDIR/far.tar" .
	chmod 644 "$TESTDIR/far.tar"
	hrun as_a image import "$TESTDIR/far.tar" far:1
	[ "$status" -eq 1 ] || fail "status $status"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line: $stderr"
	[[ "$stderr" == husk:*'far"'*'owner 70000:70000 is not mapped'*/etc/subuid* ]] || fail "$stderr"
	[ -z "$(ls -A "$A_STORE/layers")" ] || fail "layers left"
	assert_host_clean
}

@test "rootless --network host: the host's /sys bound read-only (no sysfs of its own outside a netns), -v of the user's dir" {
	a_import
	mkdir -m 755 "$TESTDIR/vol"
	echo shared > "$TESTDIR/vol/f"
	a_run --network host -v "$TESTDIR/vol:/v:ro" app:1 sh -c 'cat /v/f; ls /sys/class/net; touch /sys/x 2>/dev/null || echo ro'
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[ "${lines[0]}" = shared ]
	local i
	for i in $(ls /sys/class/net); do
		[[ " ${lines[*]} " == *" $i "* ]] || fail "host interface $i not seen: $output"
	done
	[ "${lines[-1]}" = ro ]
	assert_host_clean
}

@test "rootless build: a RUN step owns its file as the image's uid, the image runs" {
	a_import
	printf 'FROM app:1\nRUN echo built > /built && chown 1000 /built\nCMD ["cat", "/built"]\n' >"$TESTDIR/Containerfile"
	chmod 644 "$TESTDIR/Containerfile"
	hrun as_a build -t built:1 -f "$TESTDIR/Containerfile" "$TESTDIR"
	[ "$status" -eq 0 ] || fail "build: $stderr"
	a_run built:1
	[ "$status" -eq 0 ] && [ "$output" = built ] || fail "run: $output $stderr"
	a_run built:1 stat -c %u /built
	[ "$output" = 1000 ] || fail "owner: $output"
	assert_host_clean
}

@test "rootless image import: a layer's device nodes are left out (none can be made in a user namespace), fifos kept" {
	mkdir -p "$TESTDIR/dev"
	cp -a "$BASE/." "$TESTDIR/dev/"
	mkdir -p "$TESTDIR/dev/opt"
	mknod "$TESTDIR/dev/opt/null" c 1 3
	mknod "$TESTDIR/dev/opt/fifo" p
	tar -C "$TESTDIR/dev" --numeric-owner -cf "$TESTDIR/dev.tar" .
	chmod 644 "$TESTDIR/dev.tar"
	hrun as_a image import "$TESTDIR/dev.tar" dev:1
	[ "$status" -eq 0 ] || fail "import: $stderr"
	a_run dev:1 sh -c 'test -e /opt/null && echo dev; test -p /opt/fifo && echo fifo'
	[ "$status" -eq 0 ] && [ "$output" = fifo ] || fail "$output $stderr"
	assert_host_clean
}

@test "rootless image pull from a registry on 127.0.0.1: layers in parallel with their owners, the image runs" {
	command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
	registry_start
	docker_archive "$TESTDIR/two.tar"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$TESTDIR/two.tar" "docker://$REG/two:1" ||
		fail "skopeo push"
	hrun as_a image pull --insecure "$REG/two:1"
	[ "$status" -eq 0 ] || fail "pull: $stderr"
	a_run "$REG/two:1" sh -c 'ls /home/app; stat -c %u /home/app/new'
	[ "$status" -eq 0 ] && [ "$(echo $output)" = "new 1000" ] || fail "run: $output $stderr"
	assert_host_clean
}

@test "rootless without /etc/subuid ranges: the user's own id only (root inside), other owners refused in one line" {
	tar -C "$BUNDLE/rootfs" --numeric-owner -cf "$TESTDIR/rootonly.tar" .
	chmod 644 "$TESTDIR/rootonly.tar"
	hrun as_user "$ER_C" c image import "$TESTDIR/rootonly.tar" r:1
	[ "$status" -eq 0 ] || fail "import: $stderr"
	hrun as_user "$ER_C" c container run --rm -e "HUSK_TEST_TAG=$TAG" r:1 sh -c 'id -u; cat /proc/self/uid_map; ls /dev/pts'
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[ "$(echo ${lines[0]})" = 0 ] && [ "$(echo ${lines[1]})" = "0 0 1" ] || fail "$output"
	# devpts without gid=5 (gid 5 is not mapped)
	[ "${lines[2]}" = ptmx ] || fail "devpts: $output"
	hrun as_user "$ER_C" c image import "$TESTDIR/image.tar" app:1
	[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "status $status: $stderr"
	[[ "$stderr" == *"owner 1000:1000 is not mapped"* ]] || fail "$stderr"
	assert_host_clean
}

@test "rootless --uidmap is refused in one line (the container maps the user's ids already)" {
	a_import
	a_run --uidmap 0:1:100 app:1 true
	[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "status $status: $stderr"
	[[ "$stderr" == "husk: --uidmap/--gidmap: rootless"* ]] || fail "$stderr"
	assert_host_clean
}

# --- as root: --uidmap / --gidmap ------------------------------------------

root_image() {
	STORE=$TESTDIR/store
	hrun husk_logged --store "$STORE" image import "$TESTDIR/image.tar" app:1
	[ "$status" -eq 0 ] || fail "import: $stderr"
}

@test "--uidmap: root of the container is the mapped id, the layers' owners appear as the image's, writes land mapped" {
	root_image
	local base=700000
	hrun eng container create --name m --uidmap 0:$base:65536 -e "HUSK_TEST_TAG=$TAG" app:1 \
		sh -c 'id -u; cat /proc/self/uid_map; stat -c "%u %g" / /etc/passwd /home/app/file /etc/hosts; touch /rootfile; su -s /bin/sh app -c "touch /home/app/made"; echo more >> /home/app/file'
	[ "$status" -eq 0 ] || fail "create: $stderr"
	local id=$output
	# The container's directory is its root's group's: another user can
	# search the store but neither list it nor reach the rootfs.
	local d
	for d in "$STORE" "$STORE/containers" "$STORE/containers/$id/rootfs/etc"; do
		! setpriv --reuid="$ER_B" --regid="$(id -g "$ER_B")" --clear-groups ls "$d" >/dev/null 2>&1 ||
			fail "$ER_B lists $d"
	done
	[ "$(stat -c '%a %g' "$STORE/containers/$id")" = "710 $base" ]
	[ -f "$STORE/containers/$id/rootfs/etc/passwd" ] || fail "the rootfs is not mounted after create"
	hrun eng container start m
	[ "$status" -eq 0 ] || fail "start: $stderr"
	[ "${lines[0]}" = 0 ]
	[ "$(echo ${lines[1]})" = "0 $base 65536" ] || fail "uid_map: ${lines[1]}"
	[ "${lines[2]}" = "0 0" ] && [ "${lines[3]}" = "0 0" ] || fail "/ and /etc/passwd: $output"
	[ "${lines[4]}" = "1000 1000" ] || fail "/home/app/file: ${lines[4]}"
	[ "${lines[5]}" = "0 0" ] || fail "/etc/hosts: ${lines[5]}"
	# On the host: the upper dir's files have the mapped owners; the
	# layer itself is untouched (shared with containers of other maps).
	local up=$STORE/containers/$id/upper
	[ "$(stat -c %u "$up/rootfile")" = $base ]
	[ "$(stat -c %u "$up/home/app/made")" = $((base + 1000)) ] || fail "made: $(stat -c %u "$up/home/app/made")"
	[ "$(stat -c %u "$up/home/app/file")" = $((base + 1000)) ]
	[ "$(stat -c %u "$(echo "$STORE"/layers/*/diff)/home/app/file")" = 1000 ]
	hrun eng container inspect m
	[ "$(jq -c '.[0].HostConfig.IDMappings' <<<"$output")" = "{\"UidMap\":[\"0:$base:65536\"],\"GidMap\":[\"0:$base:65536\"]}" ] || fail "inspect: $output"
	# Another container of the same image without a map sees the layer as is.
	crun app:1 stat -c %u /home/app/file
	[ "$output" = 1000 ] || fail "unmapped: $output"
	hrun eng container rm m
	[ "$status" -eq 0 ] || fail "rm: $stderr"
	assert_engine_clean
	assert_host_clean
}

@test "--uidmap with --gidmap of its own, and bad maps refused in one line" {
	root_image
	crun --uidmap 0:800000:2000 --gidmap 0:900000:2000 app:1 sh -c 'id -u; id -g; stat -c "%u %g" /home/app/file'
	[ "$status" -eq 0 ] || fail "run: $stderr"
	[ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ] && [ "${lines[2]}" = "1000 1000" ] || fail "$output"
	local bad
	for bad in "--uidmap 0:1" "--uidmap a:b:c" "--uidmap 0:100000:0" "--uidmap 0:4294967295:2" "--gidmap 0:1:1"; do
		# shellcheck disable=SC2086
		crun $bad app:1 true
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "$bad: status $status: $stderr"
		[[ "$stderr" == "husk: --"[ug]"idmap"* ]] || fail "$bad: $stderr"
	done
	assert_engine_clean
	assert_host_clean
}
