#!/usr/bin/env bats
# SIGKILL of image import, load and pull at chosen points (strace
# injects the kill at a system call: the call fails and the process dies
# there): mid-unpack (the Nth symlinkat of the busybox rootfs), at the
# syncfs before anything is named, at the blob's linkat, at the layer's
# rename; and for pull mid-download.  Afterwards every blob is whole (its
# name is its digest), every layer complete, nothing is named, the next
# command removes what the dead one left in tmp/, and a rerun succeeds.

load helpers
load helpers_image
load helpers_engine
load helpers_registry

setup() {
	setup_image_test
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
}

teardown() {
	podman_cleanup
	registry_stop
	teardown_test
}

# killed_at SYSCALLS WHEN CMD...: runs CMD, SIGKILLed at the WHEN-th call
# of one of SYSCALLS (a comma list) in any of its threads.
killed_at() {
	local calls=$1 when=$2
	shift 2
	hrun strace -f -qq -o "$TESTDIR/strace.log" -e trace="$calls" \
		-e inject="$calls:error=EIO:signal=KILL:when=$when" "$@"
	[ "$status" -eq 137 ] || fail "not killed at $calls #$when (status $status): $stderr"
}

# The store after a SIGKILL: whole blobs, complete layers, no image named,
# leftovers in tmp/ gone after the next command (ls).
assert_survived() {
	local b
	for b in "$STORE"/blobs/sha256/*; do
		[ -e "$b" ] || continue
		[ "$(sha256sum <"$b" | cut -d' ' -f1)" = "${b##*/}" ] || fail "blob ${b##*/} is not whole" || return
	done
	TMP_LEFT=$(ls -A "$STORE/tmp" 2>/dev/null)
	hrun himg ls -q
	[ "$status" -eq 0 ] || fail "ls after the kill: $stderr" || return
	[ -z "$output" ] || fail "an image is named after the kill: $output" || return
	assert_store_consistent
}

# crash_cycle SYSCALLS WHEN CMD...: kill CMD there, check the store, rerun.
crash_cycle() {
	local calls=$1 when=$2
	shift 2
	killed_at "$calls" "$when" "$@"
	assert_survived || return
	hrun "$@"
	[ "$status" -eq 0 ] || fail "rerun after the kill at $calls #$when: $stderr" || return
	assert_store_consistent
}

@test "image import: SIGKILL mid-unpack, at the syncfs, at the blob's link, at the layer's rename" {
	make_rootfs_tar "$IMG/rootfs.tar"
	local point
	for point in symlinkat:100 syncfs:1 linkat:1 renameat,renameat2:1; do
		rm -rf "$STORE"
		crash_cycle "${point%:*}" "${point#*:}" "$HUSK" --store "$STORE" image import "$IMG/rootfs.tar" bb:1
		if [ "$point" = symlinkat:100 ]; then
			# The half-unpacked layer was there, under tmp/ only, and ls removed it.
			[ -n "$TMP_LEFT" ] || fail "no staged layer in tmp/ at the mid-unpack kill"
			[ -z "$(ls -A "$STORE/layers")" ] || true
		fi
		himg inspect bb:1 >/dev/null || fail "bb:1 after the rerun ($point)"
		[ -x "$STORE/layers/$(himg inspect bb:1 | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)/diff/bin/busybox" ] ||
			fail "the layer of bb:1 is not whole ($point)"
	done
}

@test "image load: SIGKILL mid-unpack, at the syncfs, at a blob's link, at a layer's rename" {
	make_umoci_layout "$IMG/layout" v1 2
	tar -C "$IMG/layout" -cf "$IMG/o.tar" .
	local point
	for point in symlinkat:100 syncfs:1 linkat:2 renameat,renameat2:1 renameat,renameat2:2; do
		rm -rf "$STORE"
		crash_cycle "${point%:*}" "${point#*:}" "$HUSK" --store "$STORE" image load "$IMG/o.tar"
		[ "$(ls "$STORE/layers" | wc -l)" -eq 2 ] || fail "layers after the rerun ($point): $(ls "$STORE/layers")"
	done
}

@test "image load of a docker-archive, manifest.json first or last: SIGKILL mid-unpack, at the syncfs, at a link, at the rename" {
	make_docker_archive "$IMG/d.tar" localhost/bb:1
	local order point
	for order in first last; do
		reorder "$IMG/d.tar" "$IMG/d-$order.tar" "$order"
		# linkat:1 the layer's blob, linkat:2 the config's (a layer staged
		# under tmp/ and not named), rename 1 the layer's.
		for point in symlinkat:100 syncfs:1 linkat:1 linkat:2 renameat,renameat2:1; do
			rm -rf "$STORE"
			crash_cycle "${point%:*}" "${point#*:}" "$HUSK" --store "$STORE" image load "$IMG/d-$order.tar"
			case $point in syncfs:1 | linkat:2)
				# The unpacked layer was under tmp/ only, not named, and ls removed it.
				[ -n "$TMP_LEFT" ] || fail "no staged layer in tmp/ at $point ($order)" ;;
			esac
			[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ] || fail "layers after the rerun ($order, $point): $(ls "$STORE/layers")"
			[ -x "$STORE/layers/$(ls "$STORE/layers")/diff/bin/busybox" ] || fail "the layer is not whole ($order, $point)"
		done
	done
}

@test "image pull: SIGKILL mid-download, mid-unpack, at a layer's rename; the next pull succeeds" {
	command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
	registry_start http
	make_image bb 2
	push bb busybox:latest
	local point
	for point in recvfrom:6 symlinkat:100 syncfs:1 renameat,renameat2:2; do
		rm -rf "$STORE"
		crash_cycle "${point%:*}" "${point#*:}" "$HUSK" --store "$STORE" image pull --insecure "$REG/busybox:latest"
		[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ] || fail "layers after the rerun ($point): $(ls "$STORE/layers")"
	done
}
