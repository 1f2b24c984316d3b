#!/usr/bin/env bats
# husk image save: an image of the store written as a docker-archive
# (docker save's layout) or an oci-archive, which podman loads and runs,
# skopeo reads, and husk image load takes back to the same image id.
# The images come in through `husk image import` (a tar of the busybox
# rootfs) and `husk image load` of archives made by umoci and skopeo (two
# layers, the second with a whiteout).  Bad input: an unknown image, -o in
# a missing directory, a blob deleted from the store: one husk error line,
# and no output file (not even a temporary one) left behind.
#
# podman runs with a private configuration in $PM (recipe of
# /work/shared/notes/clients.md) and runc as its runtime: what is tested
# here is the archive, not husk's runtime.

load helpers
load helpers_clients
load helpers_image

setup_file() {
	local rootfs
	rootfs=$(ensure_rootfs) || return
	SV=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-save.XXXXXX") || return
	chmod 755 "$SV"
	export SV
	# The busybox rootfs with a marker file, as a plain tarball.
	copy_rootfs "$rootfs" "$SV/bb" || return
	echo from-husk-import >"$SV/bb/marker"
	rootfs_tar "$SV/bb" "$SV/busybox.tar" || return
	# Two layers by umoci: the rootfs, then /hello added and /bin/vi removed
	# (a whiteout), written by skopeo as an oci-archive and a docker-archive.
	if command -v umoci >/dev/null && command -v skopeo >/dev/null; then
		(
			set -e
			cd "$SV"
			umoci init --layout oci
			umoci new --image oci:two
			umoci unpack --image oci:two u >/dev/null
			cp -a "$rootfs/." u/rootfs/
			rm -f u/rootfs/.complete
			umoci repack --image oci:two u
			rm -rf u
			umoci unpack --image oci:two u >/dev/null
			echo second-layer >u/rootfs/hello
			rm u/rootfs/bin/vi
			umoci repack --image oci:two u
			rm -rf u
			umoci config --image oci:two --config.cmd /bin/sh --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin
			skopeo copy -q oci:oci:two oci-archive:two-oci.tar:localhost/two:latest
			skopeo copy -q oci:oci:two docker-archive:two-docker.tar:localhost/two:latest
		) >"$SV/umoci.log" 2>&1 || fail "making the two-layer image failed: $(cat "$SV/umoci.log")"
	fi
}

teardown_file() {
	[ -n "${SV:-}" ] && [ -d "$SV" ] || return 0
	if [ -d "$SV/pm" ]; then
		pm system reset -f >/dev/null 2>&1 || true
		mounts_under "$SV" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	fi
	rm -rf --one-file-system "$SV"
}

setup() {
	setup_test
	STORE=$TESTDIR/store
}

teardown() {
	teardown_test
}

# hk ARGS...: husk on the test's store, errors logged as JSON in $LOG.
hk() {
	husk_logged --store "$STORE" "$@"
}

need_umoci_images() {
	[ -f "$SV/two-oci.tar" ] || skip "umoci or skopeo is not installed (scripts/deps.sh test)"
}

# pm ARGS...: podman with a private store and configuration in $SV/pm,
# its blob info cache (written to /var/lib/containers/cache whatever the
# store) on a tmpfs of its own mount namespace.
pm() {
	local P=$SV/pm
	[ -f "$P/containers.conf" ] || podman_conf "$P" overlay
	CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf \
		unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o mode=755 podman-cache /var/lib && exec timeout 60 podman "$@"' \
		sh --runtime "$PODMAN_RUNTIME" "$@"
}

need_podman() {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "podman or conmon is not installed (scripts/deps.sh test)"
	PODMAN_RUNTIME=$(command -v runc || command -v crun) || skip "neither runc nor crun is installed"
}

# The image id (config digest) of NAME in the test's store.
store_id() {
	hk image inspect "$1" | jq -er '.[0].Id'
}

# podman_runs ARCHIVE NAME [FILE CONTENT]: podman loads ARCHIVE, finds
# NAME with the image id $2's store gives, runs `true` in it, and (when
# given) reads FILE from it.
podman_runs() {
	local archive=$1 name=$2 file=${3:-} want=${4:-} id out
	id=$(store_id "$name") || fail "husk image inspect $name failed" || return
	pm rmi -a -f >/dev/null 2>&1
	out=$(pm load -q -i "$archive" 2>&1) || fail "podman load $archive: $out" || return
	out=$(pm image inspect --format '{{.Id}}' "$name" 2>&1) || fail "podman image inspect $name: $out" || return
	[ "sha256:$out" = "$id" ] || fail "podman has $name as sha256:$out, husk as $id" || return
	out=$(pm run --rm --network none "$name" true 2>&1) || fail "podman run $name true: $out" || return
	if [ -n "$file" ]; then
		out=$(pm run --rm --network none "$name" cat "$file" 2>&1) || fail "podman run cat $file: $out" || return
		[ "$out" = "$want" ] || fail "$file in the container: $out, expected $want" || return
	fi
	pm rmi -a -f >/dev/null 2>&1 || true
}

# no_leftovers DIR: nothing husk save writes (the output or its temporary
# .NAME.husk-save-PID) is left in DIR.
no_leftovers() {
	local left
	left=$(ls -A "$1" | grep -E 'out\.tar|husk-save' || true)
	[ -z "$left" ] || fail "left in $1: $left"
}

@test "image save: an imported image as a docker-archive, loaded and run by podman, read by skopeo" {
	need_podman
	hk image import "$SV/busybox.tar" localhost/bb
	hk image save -o "$TESTDIR/bb.tar" localhost/bb
	# docker save's layout: manifest.json, the config as <id>.json, the layers.
	local id man
	id=$(store_id localhost/bb)
	man=$(tar -xOf "$TESTDIR/bb.tar" manifest.json)
	[ "$(jq -r '.[0].Config' <<<"$man")" = "${id#sha256:}.json" ]
	[ "$(jq -c '.[0].RepoTags' <<<"$man")" = '["localhost/bb:latest"]' ]
	# uncompressed layer tars named by their diffID: each hashes to its name
	local l
	for l in $(jq -r '.[0].Layers[]' <<<"$man"); do
		[ "$(tar -xOf "$TESTDIR/bb.tar" "$l" | sha256sum | cut -d' ' -f1).tar" = "$l" ]
	done
	command -v skopeo >/dev/null || skip "skopeo is not installed"
	run skopeo inspect --config docker-archive:"$TESTDIR/bb.tar"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.rootfs.diff_ids | length' <<<"$output")" -eq 1 ]
	podman_runs "$TESTDIR/bb.tar" localhost/bb:latest /marker from-husk-import
}

@test "image save --format oci-archive: an imported image, loaded and run by podman, read by skopeo" {
	need_podman
	hk image import "$SV/busybox.tar" localhost/bb
	hk image save --format oci-archive -o "$TESTDIR/bb-oci.tar" localhost/bb
	tar -tf "$TESTDIR/bb-oci.tar" | grep -qx oci-layout
	local idx
	idx=$(tar -xOf "$TESTDIR/bb-oci.tar" index.json)
	[ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' <<<"$idx")" = localhost/bb:latest ]
	command -v skopeo >/dev/null || skip "skopeo is not installed"
	run skopeo inspect oci-archive:"$TESTDIR/bb-oci.tar"
	[ "$status" -eq 0 ]
	[ "$(jq -r .Digest <<<"$output")" = "$(jq -r '.manifests[0].digest' <<<"$idx")" ]
	run skopeo inspect --config oci-archive:"$TESTDIR/bb-oci.tar"
	[ "$status" -eq 0 ]
	[ "sha256:$(skopeo inspect --raw --config oci-archive:"$TESTDIR/bb-oci.tar" | sha256sum | cut -d' ' -f1)" = "$(store_id localhost/bb)" ]
	podman_runs "$TESTDIR/bb-oci.tar" localhost/bb:latest /marker from-husk-import
}

@test "image save: a two-layer image (umoci, a whiteout) in both formats, run by podman" {
	need_umoci_images
	need_podman
	hk image load "$SV/two-oci.tar"
	hk image save -o "$TESTDIR/d.tar" localhost/two
	hk image save --format oci-archive -o "$TESTDIR/o.tar" localhost/two
	[ "$(tar -xOf "$TESTDIR/d.tar" manifest.json | jq '.[0].Layers | length')" -eq 2 ]
	podman_runs "$TESTDIR/d.tar" localhost/two:latest /hello second-layer
	podman_runs "$TESTDIR/o.tar" localhost/two:latest /hello second-layer
	# the whiteout of the second layer holds in podman's container
	pm load -q -i "$TESTDIR/o.tar" >/dev/null
	run pm run --rm --network none localhost/two:latest ls /bin/vi
	[ "$status" -ne 0 ]
	pm rmi -a -f >/dev/null 2>&1 || true
}

@test "image save: husk save, husk load into a second store: the same image id, both formats" {
	need_umoci_images
	hk image load "$SV/two-docker.tar"
	hk image import "$SV/busybox.tar" localhost/bb
	local fmt f id2
	for fmt in docker-archive oci-archive; do
		f=$TESTDIR/$fmt.tar
		hk image save --format "$fmt" -o "$f" localhost/two localhost/bb
		rm -rf "$TESTDIR/store2"
		husk_logged --store "$TESTDIR/store2" image load "$f"
		for name in localhost/two localhost/bb; do
			id2=$(husk --store "$TESTDIR/store2" image inspect "$name" | jq -er '.[0].Id')
			[ "$id2" = "$(store_id "$name")" ] || fail "$fmt: $name is $id2 after the round trip, $(store_id "$name") before"
		done
	done
}

@test "image save: two names of one image, one entry; to stdout with -o -" {
	hk image import "$SV/busybox.tar" localhost/bb
	hk image tag localhost/bb localhost/bb:two
	hk image save -o - localhost/bb localhost/bb:two "$(store_id localhost/bb)" >"$TESTDIR/s.tar"
	local man
	man=$(tar -xOf "$TESTDIR/s.tar" manifest.json)
	[ "$(jq length <<<"$man")" -eq 1 ]
	[ "$(jq -c '.[0].RepoTags' <<<"$man")" = '["localhost/bb:latest","localhost/bb:two"]' ]
	[ "$(tar -tf "$TESTDIR/s.tar" | grep -c '\.tar$')" -eq 1 ]
}

@test "image save: an unknown image is one error, no output file" {
	hk image import "$SV/busybox.tar" localhost/bb
	hrun hk image save -o "$TESTDIR/out.tar" localhost/bb localhost/nosuch
	assert_husk_error 'nosuch'
	no_leftovers "$TESTDIR"
	rm -f "$LOG"
	hrun hk image save --format tarball -o "$TESTDIR/out.tar" localhost/bb
	assert_husk_error 'format'
	no_leftovers "$TESTDIR"
}

@test "image save: -o into a missing directory is one error" {
	hk image import "$SV/busybox.tar" localhost/bb
	hrun hk image save -o "$TESTDIR/missing/out.tar" localhost/bb
	assert_husk_error 'missing/out.tar.*No such file or directory'
	[ ! -e "$TESTDIR/missing" ]
}

@test "image save: a layer blob missing from the store fails the save and leaves the old file as it was" {
	hk image import "$SV/busybox.tar" localhost/bb
	local layer fmt
	layer=$(jq -r '.layers[0].digest' "$STORE/blobs/sha256/$(jq -r '.manifests[0].digest' "$STORE/index.json" | cut -d: -f2)")
	rm "$STORE/blobs/sha256/${layer#sha256:}"
	for fmt in docker-archive oci-archive; do
		echo previous >"$TESTDIR/keep.tar"
		rm -f "$LOG"
		hrun hk image save --format "$fmt" -o "$TESTDIR/keep.tar" localhost/bb
		assert_husk_error "${layer#sha256:}"
		[ "$(cat "$TESTDIR/keep.tar")" = previous ]
		[ -z "$(ls -A "$TESTDIR" | grep husk-save)" ]
	done
}
