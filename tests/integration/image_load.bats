#!/usr/bin/env bats
# image load of archives in one read (issue 14): each layer member of a
# docker-archive or an OCI archive is unpacked under tmp/ while it is hashed
# and written as a blob, and named by its chain id once the manifest (which
# may come first or last) is known.  Archives written by podman and skopeo,
# members in either order, and hand-made hostile archives.

load helpers
load helpers_image

MAKE_LAYER=$INTEGRATION_ROOT/make_layer.py

setup() {
	setup_image_test
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
}

teardown() {
	podman_cleanup
	teardown_test
}

# bytes_read FILE: loads FILE into the store under strace and prints the
# bytes all read(2)/pread64(2) calls of husk returned.
bytes_read() {
	strace -f -qq -s 0 -o "$TESTDIR/reads.log" -e trace=read,pread64,readv,preadv \
		"$HUSK" --store "$STORE" image load "$1" >/dev/null || return
	awk '/= [0-9]+$/ { s += $NF } END { print s + 0 }' "$TESTDIR/reads.log"
}

# assert_read_once FILE: the load read about the archive's size, not twice
# it (the layers read back from blobs/ to unpack them).
assert_read_once() {
	local size got
	size=$(stat -c %s "$1")
	got=$(bytes_read "$1") || fail "load of $1 failed" || return
	[ "$got" -lt $((size + size / 10 + 65536)) ] || fail "read $got bytes for an archive of $size" || return
	assert_store_consistent
}

# hand_archive OUT LAYER...: a docker-archive with these layer tars (in
# that order, names L0.tar...), the config's diff_ids their sha256 (or
# $DIFF_IDS, a JSON array, when set), manifest.json last; tag hand/x:1.
hand_archive() {
	local out=$1 d=$TESTDIR/hand i=0 diffs=() layers=() l
	shift
	rm -rf "$d" && mkdir -p "$d"
	for l; do
		cp "$l" "$d/L$i.tar"
		diffs+=("\"sha256:$(sha256sum <"$l" | cut -d' ' -f1)\"")
		layers+=("\"L$i.tar\"")
		i=$((i + 1))
	done
	local ids=${DIFF_IDS:-[$(IFS=,; echo "${diffs[*]}")]}
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":%s}}' \
		"$ids" >"$d/config.json"
	printf '[{"Config":"config.json","RepoTags":["hand/x:1"],"Layers":[%s]}]' \
		"$(IFS=,; echo "${layers[*]}")" >"$d/manifest.json"
	(cd "$d" && tar -cf "$out" $(ls L*.tar) config.json manifest.json)
}

@test "image load: podman's docker-archive and skopeo's OCI archive are read once, manifest first or last" {
	make_docker_archive "$IMG/d.tar" localhost/bb:1
	make_oci_archive "$IMG/d.tar" "$IMG/o.tar" localhost/bb:2
	assert_read_once "$IMG/d.tar"
	id=$(himg inspect localhost/bb:1 | jq -r '.[0].Id')
	layer=$(himg inspect localhost/bb:1 | jq -r '.[0].RootFS.Layers[0]')
	[ -x "$STORE/layers/${layer#sha256:}/diff/bin/busybox" ] || fail "the layer is not unpacked"
	cmp "$STORE/blobs/sha256/${layer#sha256:}" <(tar -xOf "$IMG/d.tar" "$(tar -tf "$IMG/d.tar" | grep '\.tar$' | head -1)") ||
		fail "the layer blob is not the archive's member"
	local order f
	for order in first last; do
		for f in d o; do
			rm -rf "$STORE"
			reorder "$IMG/$f.tar" "$IMG/$f-$order.tar" "$order"
			assert_read_once "$IMG/$f-$order.tar" || fail "$f.tar, manifest $order"
			[ "$(himg inspect "localhost/bb:$([ $f = d ] && echo 1 || echo 2)" | jq -r '.[0].Id')" = "$id" ] ||
				fail "another image from $f.tar with the manifest $order"
			[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ] || fail "layers: $(ls "$STORE/layers")"
		done
	done
}

@test "image load: a 3-layer docker-archive (skopeo from umoci) read once, the whiteout kept; a reload adds nothing" {
	need_image_tool skopeo skopeo
	make_umoci_layout "$IMG/layout" v1 3
	skopeo copy -q "oci:$IMG/layout:v1" "docker-archive:$IMG/d3.tar:localhost/three:1"
	assert_read_once "$IMG/d3.tar"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ] || fail "layers: $(ls "$STORE/layers")"
	top=$(himg inspect localhost/three:1 | jq -r '.[0].RootFS.Layers | length')
	[ "$top" -eq 3 ] || fail "$top layers"
	# The whiteout of /etc/group is an overlayfs whiteout (0:0 char device) in the top layer.
	[ -n "$(find "$STORE/layers" -path '*/diff/etc/group' -type c)" ] || fail "no whiteout of /etc/group"
	before=$(cd "$STORE" && find blobs layers | sort)
	hrun himg load "$IMG/d3.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(cd "$STORE" && find blobs layers | sort)" = "$before" ] || fail "the reload changed the store"
	assert_store_consistent
}

@test "image load: a member no manifest names is stored and unpacked, then dropped; a garbage .tar member is only a blob" {
	mkdir -p "$TESTDIR/l"
	python3 "$MAKE_LAYER" "$TESTDIR/l/a.tar" d:bin f:bin/hello:hi
	python3 "$MAKE_LAYER" "$TESTDIR/l/extra.tar" f:extra:x
	hand_archive "$IMG/h.tar" "$TESTDIR/l/a.tar"
	cp "$TESTDIR/l/extra.tar" "$TESTDIR/hand/zz-extra.tar"
	head -c 5000 /dev/urandom >"$TESTDIR/hand/garbage.tar"
	(cd "$TESTDIR/hand" && tar -rf "$IMG/h.tar" zz-extra.tar garbage.tar)
	hrun himg load "$IMG/h.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ] || fail "layers: $(ls "$STORE/layers")"
	[ "$(cat "$STORE/layers/"*/diff/bin/hello)" = hi ] || fail "layer content"
	[ "$(find "$STORE/blobs/sha256" -type f | wc -l)" -eq 3 ] || fail "blobs (layer, config, manifest): $(ls "$STORE/blobs/sha256")"
	assert_store_consistent
}

@test "image load hostile: a layer escaping with ../, absolute names, a symlink then through it: one error, nothing left" {
	mkdir -p "$TESTDIR/l" "$TESTDIR/host"
	echo sentinel >"$TESTDIR/host/passwd"
	python3 "$MAKE_LAYER" "$TESTDIR/l/base.tar" d:etc f:etc/passwd:root
	local spec
	for spec in "f:../../../../../../..$TESTDIR/host/passwd:pwned" "f:$TESTDIR/host/passwd:pwned" \
		"l:a:$TESTDIR/host|f:a/passwd:pwned" "h:etc/x:$TESTDIR/host/passwd"; do
		rm -rf "$STORE"
		# shellcheck disable=SC2086
		python3 "$MAKE_LAYER" "$TESTDIR/l/evil.tar" ${spec//|/ }
		hand_archive "$IMG/evil.tar" "$TESTDIR/l/base.tar" "$TESTDIR/l/evil.tar"
		rm -f "$LOG"
		hrun himg load "$IMG/evil.tar"
		if [ "$status" -eq 0 ]; then
			# Landed inside its layer, then: never on the host.
			:
		else
			assert_husk_error 'layer entry "' || fail "spec $spec"
			store_empty || fail "left after $spec: $(ls -R "$STORE/layers" "$STORE/blobs")"
		fi
		[ "$(cat "$TESTDIR/host/passwd")" = sentinel ] || fail "the host's file was written ($spec)"
		assert_store_consistent
	done
}

@test "image load hostile: a diffID, a layer digest or a size that does not match fails and leaves nothing" {
	mkdir -p "$TESTDIR/l"
	python3 "$MAKE_LAYER" "$TESTDIR/l/a.tar" d:bin f:bin/hello:hi
	DIFF_IDS="[\"sha256:$(printf '0%.0s' $(seq 64))\"]" hand_archive "$IMG/bad-diff.tar" "$TESTDIR/l/a.tar"
	hrun himg load "$IMG/bad-diff.tar"
	assert_husk_error "diffID mismatch"
	store_empty || fail "left: $(ls -R "$STORE/layers" "$STORE/blobs")"
	assert_store_consistent
	# An OCI archive whose layer blob's name is not its content's digest.
	make_umoci_layout "$IMG/layout" v1 1
	blob=$(find "$IMG/layout/blobs/sha256" -type f -size +100k | head -1)
	chmod u+w "$blob"
	printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
	tar -C "$IMG/layout" -cf "$IMG/tampered.tar" .
	rm -f "$LOG"
	hrun himg load "$IMG/tampered.tar"
	assert_husk_error "digest mismatch"
	store_empty || fail "left: $(ls -R "$STORE/layers" "$STORE/blobs")"
	# A layer cut short (the archive truncated inside it).
	hand_archive "$IMG/ok.tar" "$TESTDIR/l/a.tar"
	make_docker_archive "$IMG/d.tar" localhost/bb:1
	head -c $(($(stat -c %s "$IMG/d.tar") / 2)) "$IMG/d.tar" >"$IMG/cut.tar"
	rm -f "$LOG"
	hrun himg load "$IMG/cut.tar"
	assert_husk_error "load"
	store_empty || fail "left: $(ls -R "$STORE/layers" "$STORE/blobs")"
	assert_store_consistent
}
