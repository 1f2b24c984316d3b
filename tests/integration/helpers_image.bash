#!/bin/bash
# Helpers of the image store tests: images made by real tools (podman,
# skopeo, umoci) from the cached busybox rootfs, and a private --store.
# Loaded after helpers.bash.

# A private store per test.
setup_image_test() {
	setup_test || return
	STORE=$TESTDIR/store
	IMG=$TESTDIR/img
	mkdir -p "$IMG"
}

# himg ARGS...: husk image ARGS with the test's store, logged as JSON.
himg() {
	husk_logged --store "$STORE" image "$@"
}

need_image_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (apt-get install -y $2)"
}

# The busybox rootfs as `podman export` writes one: a plain tar.
make_rootfs_tar() {
	local rootfs
	rootfs=$(ensure_rootfs) || return
	# The cache is hard-linked into other tests' bundles: their copies
	# change its ctime ("file changed as we read it", status 1).
	local st=0
	tar --warning=no-file-changed --exclude ./.complete -C "$rootfs" -cf "$1" . || st=$?
	[ "$st" -le 1 ]
}

# podman_conf DIR DRIVER: a private podman configuration and storage in DIR
# (the recipe of /work/shared/notes/clients.md; no default ulimits: as root
# podman would raise nproc and nofile, which this host refuses).
podman_conf() {
	local P=$1
	mkdir -p "$P/tmp"
	cat >"$P/containers.conf" <<-EOC
		[containers]
		netns = "none"
		default_ulimits = []
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$P/events.log"
		lock_type = "file"
		tmp_dir = "$P/tmp"
		static_dir = "$P/root/libpod"
		volume_path = "$P/volumes"
		image_copy_tmp_dir = "$P/tmp"
		[network]
		network_config_dir = "$P/networks"
	EOC
	printf '[storage]\ndriver = "%s"\nrunroot = "%s/runroot"\ngraphroot = "%s/root"\n' "$2" "$P" "$P" \
		>"$P/storage.conf"
}

# podman with a private configuration and storage under $TESTDIR/podman.
podman_env() {
	P=$TESTDIR/podman
	podman_conf "$P" vfs
	export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
}

podman_cleanup() {
	[ -n "${P:-}" ] || return 0
	podman system reset -f >/dev/null 2>&1 || true
	unset CONTAINERS_CONF CONTAINERS_STORAGE_CONF
}

# make_docker_archive FILE NAME: `podman import` of the rootfs tar, then
# `podman save --format docker-archive`.
make_docker_archive() {
	need_image_tool podman podman
	podman_env
	make_rootfs_tar "$IMG/rootfs.tar" || return
	podman import -q "$IMG/rootfs.tar" "$2" >/dev/null || return
	podman save -q --format docker-archive -o "$1" "$2"
}

# make_oci_archive DOCKER_ARCHIVE FILE NAME: skopeo docker-archive -> oci-archive.
make_oci_archive() {
	need_image_tool skopeo skopeo
	skopeo copy -q "docker-archive:$1" "oci-archive:$2:$3"
}

# make_umoci_layout DIR TAG N: an OCI layout with N layers (umoci), each
# adding a file /layerI, the base the busybox rootfs; the last layer
# removes /etc/group (a whiteout).
make_umoci_layout() {
	need_image_tool umoci umoci
	local dir=$1 tag=$2 n=$3 i rootfs
	rootfs=$(ensure_rootfs) || return
	umoci init --layout "$dir" && umoci new --image "$dir:$tag" || return
	umoci unpack --image "$dir:$tag" "$IMG/bundle" >/dev/null || return
	cp -a "$rootfs/." "$IMG/bundle/rootfs/" && rm -f "$IMG/bundle/rootfs/.complete"
	umoci repack --image "$dir:$tag" "$IMG/bundle" || return
	for i in $(seq 2 "$n"); do
		rm -rf "$IMG/bundle"
		umoci unpack --image "$dir:$tag" "$IMG/bundle" >/dev/null || return
		echo "layer $i" >"$IMG/bundle/rootfs/layer$i"
		[ "$i" -eq "$n" ] && rm -f "$IMG/bundle/rootfs/etc/group"
		umoci repack --image "$dir:$tag" "$IMG/bundle" || return
	done
	rm -rf "$IMG/bundle"
}

# reorder ARCHIVE OUT first|last: the archive's members again, manifest.json
# (and index.json) first or last.
reorder() {
	local d=$TESTDIR/reorder
	rm -rf "$d" && mkdir -p "$d" && tar -C "$d" -xf "$1" || return
	local meta
	meta=$(cd "$d" && ls -d manifest.json index.json oci-layout repositories 2>/dev/null || true)
	local rest
	rest=$(cd "$d" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | grep -vxF "$meta" | sort)
	if [ "$3" = first ]; then
		(cd "$d" && tar -cf "$2" --no-recursion $meta $rest)
	else
		(cd "$d" && tar -cf "$2" --no-recursion $rest $meta)
	fi
}

# The store holds nothing half-made: tmp/ empty, each layer complete.
assert_store_consistent() {
	local t
	t=$(ls -A "$STORE/tmp" 2>/dev/null)
	[ -z "$t" ] || fail "tmp/ holds: $t" || return
	local l
	for l in "$STORE"/layers/*; do
		[ -e "$l" ] || continue
		[ -d "$l/diff" ] && [ -f "$l/meta.json" ] || fail "incomplete layer $l" || return
	done
}

# No blob and no layer in the store.
store_empty() {
	[ -z "$(find "$STORE/layers" "$STORE/blobs/sha256" -mindepth 1 2>/dev/null)" ]
}

# busybox_tar_setup_file: BT, a directory of the test file (exported) with
# busybox.tar, the test rootfs as an image tar; busybox_tar_teardown_file
# removes it.
busybox_tar_setup_file() {
	ensure_rootfs >/dev/null || return
	BT=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-build.XXXXXX") || return
	chmod 755 "$BT"
	export BT
	make_rootfs_tar "$BT/busybox.tar"
}

busybox_tar_teardown_file() {
	rm -rf --one-file-system "$BT"
}
