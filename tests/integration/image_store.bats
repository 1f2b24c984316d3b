#!/usr/bin/env bats
# The image store: import, load (docker-archive, OCI archive, OCI layout),
# ls, inspect, tag, rm, prune, and bad input leaving nothing half-made.

load helpers
load helpers_image

setup() {
	setup_image_test
}

teardown() {
	podman_cleanup
	teardown_test
}

@test "image import: a rootfs tar becomes a one-layer amd64/linux image, shown by ls and inspect" {
	make_rootfs_tar "$IMG/rootfs.tar"
	hrun himg import "$IMG/rootfs.tar" bb:1
	[ "$status" -eq 0 ] || fail "import: $stderr"
	id=$output
	[[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "import printed $id"
	hrun himg inspect bb:1
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | jq -e --arg id "$id" --arg d "sha256:$(sha256sum <"$IMG/rootfs.tar" | cut -d' ' -f1)" '
		length == 1 and .[0].Id == $id and .[0].RepoTags == ["docker.io/library/bb:1"]
		and .[0].Architecture == "amd64" and .[0].Os == "linux"
		and .[0].RootFS.Type == "layers" and .[0].RootFS.Layers == [$d] and .[0].Size > 0' >/dev/null ||
		fail "inspect: $output"
	# The layer is the tar unpacked.
	[ -x "$STORE/layers/${id#sha256:}/diff/bin/busybox" ] || [ -x "$STORE/layers/$(echo "$output" | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)/diff/bin/busybox" ] ||
		fail "no unpacked layer"
	hrun himg ls -q
	[ "$output" = "${id:7:12}" ] || fail "ls -q: $output"
	hrun himg ls --format json
	echo "$output" | jq -e --arg id "$id" '.[0].Id == $id' >/dev/null || fail "ls json: $output"
	# By id prefix, and from stdin.
	hrun himg inspect "${id:7:10}"
	[ "$status" -eq 0 ] || fail "$stderr"
	hrun bash -c "\"$HUSK\" --store \"$STORE\" image import - bb:2 < \"$IMG/rootfs.tar\""
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_store_consistent
}

@test "image load: podman's docker-archive and skopeo's OCI archive give the same image" {
	make_docker_archive "$IMG/d.tar" localhost/bb:1
	make_oci_archive "$IMG/d.tar" "$IMG/o.tar" localhost/bb:2
	hrun himg load "$IMG/d.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "Loaded image: localhost/bb:1" ] || fail "$output"
	hrun himg load "$IMG/o.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
	id1=$(himg inspect localhost/bb:1 | jq -r '.[0].Id')
	id2=$(himg inspect localhost/bb:2 | jq -r '.[0].Id')
	[ "$id1" = "$id2" ] || fail "ids differ: $id1 $id2"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ] || fail "the layer is not shared: $(ls "$STORE/layers")"
	# From stdin, and again (nothing changes).
	hrun bash -c "\"$HUSK\" --store \"$STORE\" image load - < \"$IMG/d.tar\""
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_store_consistent
}

@test "image load: an umoci OCI layout of 3 layers, with a whiteout" {
	make_umoci_layout "$IMG/layout" v1 3
	hrun himg load "$IMG/layout"
	[ "$status" -eq 0 ] || fail "$stderr"
	id=${output#Loaded image: }
	hrun himg inspect "$id"
	n=$(echo "$output" | jq '.[0].RootFS.Layers | length')
	[ "$n" -eq 3 ] || fail "$n layers"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ] || fail "layers: $(ls "$STORE/layers")"
	# The last layer whites /etc/group out: a 0:0 character device.
	found=$(find "$STORE/layers" -path '*/diff/etc/group' -type c | wc -l)
	[ "$found" -eq 1 ] || fail "no whiteout of /etc/group"
	assert_store_consistent
}

@test "image tag and rm: names move, the image goes with its last name, rm refuses an image in use" {
	make_rootfs_tar "$IMG/rootfs.tar"
	id=$(himg import "$IMG/rootfs.tar" a:1)
	himg tag a:1 b/c:2
	hrun himg inspect b/c:2
	echo "$output" | jq -e '.[0].RepoTags | sort == ["docker.io/b/c:2", "docker.io/library/a:1"]' >/dev/null ||
		fail "$output"
	hrun himg rm a:1
	[ "$status" -eq 0 ] && [ "$output" = "Untagged: a:1" ] || fail "$output $stderr"
	[ -n "$(ls "$STORE/layers")" ] || fail "the layer went with one name"
	mkdir -p "$STORE/containers/c1"
	echo "$id" >"$STORE/containers/c1/image"
	hrun himg rm b/c:2
	assert_husk_error "image rm: image b/c:2: a container uses it"
	hrun himg rm -f b/c:2
	[ "$status" -eq 0 ] || fail "$stderr"
	# The container keeps its layers; prune frees them once it is gone.
	[ -n "$(ls "$STORE/layers")" ] || fail "the container's layer went"
	rm -rf "$STORE/containers/c1"
	hrun himg prune
	[ "$status" -eq 0 ] && [[ "$output" =~ ^Total\ reclaimed\ space:\ [1-9][0-9]*\ bytes$ ]] || fail "$output"
	store_empty || fail "left: $(ls -R "$STORE/layers" "$STORE/blobs")"
	rm -f "$LOG"
	hrun himg inspect b/c:2
	assert_husk_error "image inspect: image \"b/c:2\": not in the store"
}

@test "image load: a blob whose content does not match its digest fails and leaves nothing" {
	make_umoci_layout "$IMG/layout" v1 1
	blob=$(find "$IMG/layout/blobs/sha256" -type f -size +100k | head -1)
	chmod u+w "$blob"
	printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
	hrun himg load "$IMG/layout"
	assert_husk_error "digest mismatch"
	store_empty || fail "left: $(ls -R "$STORE/blobs" "$STORE/layers")"
	[ ! -e "$STORE/index.json" ] || [ "$(jq '.manifests | length' "$STORE/index.json")" -eq 0 ] || fail "named"
	assert_store_consistent
}

@test "image load: malformed manifest.json, unsupported media type, not an archive: one husk error each" {
	mkdir -p "$IMG/a"
	echo '{"not": "an array"' >"$IMG/a/manifest.json"
	tar -C "$IMG/a" -cf "$IMG/bad.tar" manifest.json
	hrun himg load "$IMG/bad.tar"
	assert_husk_error "manifest.json"
	make_umoci_layout "$IMG/layout" v1 1
	jq '.manifests[0].mediaType = "application/vnd.example.thing"' "$IMG/layout/index.json" >"$IMG/i.json"
	mv "$IMG/i.json" "$IMG/layout/index.json"
	rm -f "$LOG"
	hrun himg load "$IMG/layout"
	assert_husk_error "unsupported media type"
	rm -f "$LOG"
	rm -f "$LOG"
	echo hello >"$IMG/text"
	hrun himg load "$IMG/text"
	assert_husk_error "load"
	rm -f "$LOG"
	hrun himg inspect nothing:here
	assert_husk_error "not in the store"
	store_empty || fail "left: $(ls -R "$STORE/blobs")"
	assert_store_consistent
}

@test "image load: two loads of one archive at once both succeed, one copy" {
	make_docker_archive "$IMG/d.tar" localhost/bb:1
	"$HUSK" --store "$STORE" image load "$IMG/d.tar" >"$TESTDIR/1.out" 2>&1 &
	p1=$!
	"$HUSK" --store "$STORE" image load "$IMG/d.tar" >"$TESTDIR/2.out" 2>&1 &
	p2=$!
	wait $p1 || fail "first: $(cat "$TESTDIR/1.out")"
	wait $p2 || fail "second: $(cat "$TESTDIR/2.out")"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ] || fail "layers: $(ls "$STORE/layers")"
	[ "$(jq '.manifests | length' "$STORE/index.json")" -eq 1 ] || fail "$(cat "$STORE/index.json")"
	assert_store_consistent
}

@test "image load: SIGKILL during a load leaves a store the next command cleans and the next load fills" {
	make_umoci_layout "$IMG/layout" v1 1
	# A fifo as the archive: the load blocks mid-read, is killed there.
	tar -C "$IMG/layout" -cf "$IMG/o.tar" .
	mkfifo "$IMG/fifo"
	"$HUSK" --store "$STORE" image load "$IMG/fifo" &
	pid=$!
	exec 7>"$IMG/fifo"
	head -c $(($(stat -c %s "$IMG/o.tar") / 2)) "$IMG/o.tar" >&7
	sleep 0.3
	kill -9 "$pid"
	wait "$pid" || true
	exec 7>&-
	hrun himg ls -q
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "ls: $output $stderr"
	assert_store_consistent
	hrun himg load "$IMG/o.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_store_consistent
}

@test "image import: a full disk fails with ENOSPC and leaves nothing" {
	unshare -m true 2>/dev/null || skip "no mount namespaces"
	head -c 3000000 /dev/urandom >"$IMG/big"
	make_rootfs_tar "$IMG/rootfs.tar"
	tar -C "$IMG" -rf "$IMG/rootfs.tar" big
	hrun unshare -m --propagation private sh -c '
		mkdir -p "$1" && mount -t tmpfs -o size=2m tmpfs "$1" || exit 99
		"$2" --store "$1" image import "$3" full:1; st=$?
		ls -A "$1/tmp" "$1/layers" "$1/blobs/sha256" >"$4"; exit $st' sh "$STORE" "$HUSK" "$IMG/rootfs.tar" "$TESTDIR/left"
	[ "$status" -ne 99 ] || skip "cannot mount a tmpfs"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" =~ ^husk:\ .*No\ space\ left ]] || fail "$stderr"
	left=$(grep -v ':$' "$TESTDIR/left" | grep -v '^$' || true)
	[ -z "$left" ] || fail "left on the full store: $left"
}
