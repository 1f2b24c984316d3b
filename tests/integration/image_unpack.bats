#!/usr/bin/env bats
# layer_unpack (src/image/unpack.h), driven by tests/tools/unpack-layer:
# digests of the blob and of the tar, a real layer bit-identical to
# `tar -xpf`, metadata, whiteouts seen through overlayfs, and hostile
# layers that must never write outside their directory.

load helpers

UNPACK=$REPO_ROOT/build/tests/tools/unpack-layer
MAKE_LAYER=$INTEGRATION_ROOT/make_layer.py

setup() {
	setup_test
	[ -x "$UNPACK" ] || fail "$UNPACK missing (ninja -C build)"
	# The dest sits deep, so a relative escape (.., a -> ..) would land
	# in directories the test watches; host/ holds the sentinels.
	W=$TESTDIR/w
	DEST=$W/a/b/dest
	HOST=$TESTDIR/host
	mkdir -p "$DEST" "$HOST"
	echo "sentinel-$TAG" >"$HOST/passwd"
}

teardown() {
	teardown_test
}

# tree DIR: one line per entry, what `find -printf` sees of it, plus the
# sha256 of every regular file.
tree() {
	(cd "$1" && find . -printf '%p %y %m %u %g %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}

# xattr NAME FILE: the value of an xattr (getfattr is not installed here).
xattr() {
	python3 -c 'import os, sys; sys.stdout.write(os.getxattr(sys.argv[2], sys.argv[1], follow_symlinks=False).decode())' "$1" "$2"
}

# outside: everything under $TESTDIR but dest (and the test's bundle),
# with sizes and mtimes, to see that nothing changed there.
outside() {
	find "$TESTDIR" -path "$DEST" -prune -o -path "$BUNDLE" -prune -o -path "$TESTDIR/layers" -prune \
		-o -printf '%p %y %s %T@\n' | LC_ALL=C sort
	cat "$HOST/passwd"
}

# hostile SPEC...: a layer made of the specs, unpacked; it must either
# succeed or fail with `layer entry "NAME": ...`, and leave everything
# outside dest as it was.  Sets $status and $stderr.
hostile() {
	mkdir -p "$TESTDIR/layers"
	local blob=$TESTDIR/layers/hostile.tar before after
	python3 "$MAKE_LAYER" "$blob" "$@" || fail "make_layer failed"
	before=$(outside)
	run --separate-stderr "$UNPACK" "$DEST" <"$blob"
	after=$(outside)
	[ "$before" = "$after" ] || fail "changed outside dest: $(diff <(echo "$before") <(echo "$after"))" || return
	if [ "$status" -ne 0 ]; then
		[[ "$stderr" == 'unpack-layer: layer entry "'* ]] ||
			fail "failure without the entry's name: $stderr" || return
	fi
}

@test "unpack: blob digest and diffID are sha256sum of the blob and of its tar, for every compression" {
	local rootfs tarball
	rootfs=$(ensure_rootfs)
	mkdir -p "$TESTDIR/layers"
	tarball=$TESTDIR/layers/l.tar
	tar --format=posix -C "$rootfs" -cf "$tarball" .
	gzip -k "$tarball"
	zstd -q -k "$tarball"
	xz -k "$tarball"
	local want_diff blob
	want_diff=sha256:$(sha256sum <"$tarball" | cut -d' ' -f1)
	for blob in "$tarball" "$tarball.gz" "$tarball.zst" "$tarball.xz"; do
		rm -rf "$DEST" && mkdir "$DEST"
		run --separate-stderr "$UNPACK" "$DEST" <"$blob"
		[ "$status" -eq 0 ] || fail "$blob: $stderr"
		read -r got_blob got_diff got_size got_tar <<<"$output"
		[ "$got_blob" = "sha256:$(sha256sum <"$blob" | cut -d' ' -f1)" ] || fail "$blob: blob digest $got_blob"
		[ "$got_diff" = "$want_diff" ] || fail "$blob: diffID $got_diff, want $want_diff"
		[ "$got_size" = "$(stat -c %s "$blob")" ] || fail "$blob: size $got_size"
		[ "$got_tar" = "$(stat -c %s "$tarball")" ] || fail "$blob: tar size $got_tar"
		[ -x "$DEST/bin/busybox" ] || fail "$blob: no bin/busybox"
	done
	# zcat of the gzip blob is the tar whose digest was reported
	[ "sha256:$(zcat "$tarball.gz" | sha256sum | cut -d' ' -f1)" = "$want_diff" ]
}

@test "unpack: a layer written by umoci unpacks bit-identical to tar -xpf" {
	command -v umoci >/dev/null || skip "umoci not installed"
	local rootfs oci=$TESTDIR/oci manifest layer
	rootfs=$(ensure_rootfs)
	umoci init --layout "$oci"
	umoci new --image "$oci:t"
	umoci unpack --image "$oci:t" "$TESTDIR/ub" >/dev/null
	cp -a "$rootfs/." "$TESTDIR/ub/rootfs/"
	# owners, a setuid file, a fifo and a device, as real layers have
	chown 1:2 "$TESTDIR/ub/rootfs/etc/passwd"
	chmod 4755 "$TESTDIR/ub/rootfs/bin/busybox"
	mkfifo "$TESTDIR/ub/rootfs/fifo"
	mknod "$TESTDIR/ub/rootfs/dev/null" c 1 3
	umoci repack --image "$oci:t" "$TESTDIR/ub" >/dev/null
	manifest=$(jq -r '.manifests[0].digest' "$oci/index.json")
	layer=$(jq -r '.layers[0].digest' "$oci/blobs/sha256/${manifest#sha256:}")
	local blob=$oci/blobs/sha256/${layer#sha256:}
	run --separate-stderr "$UNPACK" "$DEST" <"$blob"
	[ "$status" -eq 0 ] || fail "$stderr"
	read -r got_blob got_diff _ <<<"$output"
	[ "$got_blob" = "$layer" ] || fail "blob digest $got_blob, manifest says $layer"
	local diff_id
	diff_id=$(jq -r '.config.digest' "$oci/blobs/sha256/${manifest#sha256:}")
	diff_id=$(jq -r '.rootfs.diff_ids[0]' "$oci/blobs/sha256/${diff_id#sha256:}")
	[ "$got_diff" = "$diff_id" ] || fail "diffID $got_diff, config says $diff_id"
	mkdir "$TESTDIR/ref"
	zcat "$blob" | tar --numeric-owner --xattrs -xpf - -C "$TESTDIR/ref"
	diff <(tree "$TESTDIR/ref") <(tree "$DEST") || fail "differs from tar -xpf"
}

@test "unpack: ownership, setuid, xattrs, devices, fifos, hard links and directory mtimes kept" {
	hostile d:dir "o:dir/owned:1234:5678:4755:1000000000" "x:dir/xa:user.k=v" \
		"x:dir/ovl:trusted.overlay.opaque=y" c:dir/null:1:3 p:dir/fifo h:dir/link:dir/owned
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(stat -c '%u %g %a %Y' "$DEST/dir/owned")" = "1234 5678 4755 1000000000" ]
	[ "$(xattr user.k "$DEST/dir/xa")" = v ]
	# overlayfs' own xattrs come from whiteouts only, never from the tar
	run xattr trusted.overlay.opaque "$DEST/dir/ovl"
	[ "$status" -ne 0 ]
	[ "$(stat -c '%F %t:%T' "$DEST/dir/null")" = "character special file 1:3" ]
	[ -p "$DEST/dir/fifo" ]
	[ "$(stat -c %i "$DEST/dir/link")" = "$(stat -c %i "$DEST/dir/owned")" ]
	# written into after its own entry, the directory keeps the tar's mtime
	[ "$(stat -c %Y "$DEST/dir")" = 1600000000 ]
}

@test "unpack: whiteouts and opaque directories hide the lower layer through overlayfs" {
	local lower=$TESTDIR/lower
	mkdir -p "$lower/d" "$lower/e"
	echo lower >"$lower/gone"
	echo lower >"$lower/d/x"
	echo lower >"$lower/e/kept"
	hostile f:made d:d d:d/.wh..wh..opq f:d/z d:e f:e/.wh.kept-not f:.wh.gone f:.wh.made
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(stat -c '%F %t:%T' "$DEST/gone")" = "character special file 0:0" ]
	# a whiteout of something this layer made removes it
	[ "$(stat -c '%F %t:%T' "$DEST/made")" = "character special file 0:0" ]
	[ "$(xattr trusted.overlay.opaque "$DEST/d")" = y ]
	run unshare --mount --propagation private sh -c '
		mkdir -p "$1/m" && mount -t overlay overlay -o "lowerdir=$2:$3" "$1/m" &&
		ls -A "$1/m"; echo ---; ls -A "$1/m/d"; echo ---; ls -A "$1/m/e"' sh "$TESTDIR" "$DEST" "$lower"
	[ "$status" -eq 0 ] || fail "overlay: $output"
	[ "$output" = "$(printf 'd\ne\n---\nz\n---\nkept')" ] || fail "through overlay: $output"
}

@test "unpack hostile: ../ and absolute names" {
	hostile "f:../../escaped"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'"../../escaped"'* ]]
	hostile "f:a/../../../escaped2"
	[ "$status" -ne 0 ]
	hostile "f:/husk-unpack-abs-$TAG"
	# an absolute name lands inside
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -f "$DEST/husk-unpack-abs-$TAG" ]
	[ ! -e "/husk-unpack-abs-$TAG" ]
}

@test "unpack hostile: a symlink followed by a later entry (a -> HOST, then a/passwd)" {
	hostile d:a "l:a/l:$HOST" "f:a/l/passwd:pwned"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'"a/l/passwd"'* ]]
	hostile "l:up:.." "f:up/x:pwned"
	[ "$status" -ne 0 ]
	[ ! -e "$W/a/b/x" ]
	hostile "l:root:/" "f:root$HOST/passwd:pwned"
	[ "$status" -ne 0 ]
}

@test "unpack hostile: hard links to outside or through a symlink" {
	hostile "h:h:../../../../host/passwd"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'"h"'* ]]
	hostile "l:s:$HOST/passwd" "h:h:s" "f:h:pwned"
	# the link names the symlink itself; writing h replaces it
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(cat "$DEST/h")" = pwned ]
	[ "$(readlink "$DEST/s")" = "$HOST/passwd" ]
	rm -rf "$DEST" && mkdir "$DEST"
	hostile "l:s:$HOST" "h:h:s/passwd"
	[ "$status" -ne 0 ]
}

@test "unpack hostile: whiteouts of .., ., and of other whiteouts" {
	for wh in .wh... d/.wh... .wh.. .wh. .wh..wh.x; do
		hostile d:d "f:$wh"
		[ "$status" -ne 0 ] || fail "$wh accepted"
		[[ "$stderr" == *"not a valid whiteout"* ]] || fail "$wh: $stderr"
	done
	hostile f:.wh.x/y
	[ "$status" -ne 0 ]
}

@test "unpack hostile: a directory replaced with a symlink, then written through" {
	hostile d:d f:d/f "l:d:$HOST" "f:d/passwd:pwned"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'"d/passwd"'* ]]
	hostile d:e f:e/f "l:e:../../.." "d:e/new"
	[ "$status" -ne 0 ]
}

@test "unpack hostile: a name over PATH_MAX, a NUL in a name, devices inside" {
	local long
	long=$(printf 'a/%.0s' {1..2100})x
	hostile "f:$long"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"PATH_MAX"* ]] || fail "$stderr"
	python3 - "$TESTDIR/nul.tar" <<-'PY'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
		    ti = tarfile.TarInfo("x")
		    ti.size = 1
		    buf = bytearray(ti.tobuf(tarfile.GNU_FORMAT))
		    buf[0:10] = b"in\0../../e"   # a NUL inside the name field
		    t.fileobj.write(bytes(buf) + b"y" + bytes(511))
		    t.offset += len(buf) + 512
	PY
	before=$(outside)
	run --separate-stderr "$UNPACK" "$DEST" <"$TESTDIR/nul.tar"
	[ "$before" = "$(outside)" ]
	[ "$status" -ne 0 ] || [ -f "$DEST/in" ]
	hostile c:dev/kmsg:1:11 c:dev/sda:8:0
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -c "$DEST/dev/kmsg" ]
}

@test "unpack: decompression bombs stop at the byte and entry limits" {
	mkdir -p "$TESTDIR/layers"
	python3 "$MAKE_LAYER" "$TESTDIR/layers/bomb.tar" z:zeros:209715200
	gzip -1 "$TESTDIR/layers/bomb.tar"
	[ "$(stat -c %s "$TESTDIR/layers/bomb.tar.gz")" -lt 1000000 ]
	run --separate-stderr "$UNPACK" --max-bytes 10485760 "$DEST" <"$TESTDIR/layers/bomb.tar.gz"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"larger than 10485760 bytes uncompressed (the limit)"* ]] || fail "$stderr"
	[ "$(du -sk "$DEST" | cut -f1)" -lt 20000 ]
	local specs=() i
	for i in $(seq 20); do specs+=("f:f$i"); done
	python3 "$MAKE_LAYER" "$TESTDIR/layers/many.tar" "${specs[@]}"
	run --separate-stderr "$UNPACK" --max-entries 10 "$DEST" <"$TESTDIR/layers/many.tar"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"more than 10 entries (the limit)"* ]] || fail "$stderr"
	run --separate-stderr "$UNPACK" --max-entries 20 "$DEST" <"$TESTDIR/layers/many.tar"
	[ "$status" -eq 0 ] || fail "$stderr"
}

@test "unpack: garbage, truncated and empty blobs fail cleanly" {
	mkdir -p "$TESTDIR/layers"
	head -c 5000 /dev/urandom >"$TESTDIR/layers/garbage"
	run --separate-stderr "$UNPACK" "$DEST" <"$TESTDIR/layers/garbage"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "unpack-layer: layer "* ]] || fail "$stderr"
	python3 "$MAKE_LAYER" "$TESTDIR/layers/t.tar" z:big:1000000
	gzip "$TESTDIR/layers/t.tar"
	head -c 600 "$TESTDIR/layers/t.tar.gz" >"$TESTDIR/layers/trunc.gz"
	run --separate-stderr "$UNPACK" "$DEST" <"$TESTDIR/layers/trunc.gz"
	[ "$status" -eq 1 ]
	run --separate-stderr "$UNPACK" "$DEST" </dev/null
	[ "$status" -eq 1 ]
	[[ "$stderr" == *empty* ]] || fail "$stderr"
}
