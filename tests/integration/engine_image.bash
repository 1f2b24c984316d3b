# Images for the engine's tests, written into $STORE by hand in the
# layout of src/image/store.h (blobs/sha256, layers/<chain-hex>/diff,
# index.json), so that the engine is tested apart from the importers.

# make_image NAME CONFIG DIR...: an image NAME (docker.io/library/NAME:latest)
# whose layers are the DIRs, bottom first, and whose image config's
# "config" is the JSON CONFIG.  Prints nothing; sets IMAGE_ID.
make_image() {
	local name=$1 conf=$2 dir parent= diff chain hex t=$TESTDIR/layer.tar
	local diffs=() layers=()
	shift 2
	mkdir -p "$STORE/blobs/sha256" "$STORE/layers"
	for dir; do
		tar -C "$dir" --sort=name --numeric-owner -cf "$t" . || return
		hex=$(sha256sum "$t" | cut -d' ' -f1)
		diff=sha256:$hex
		cp "$t" "$STORE/blobs/sha256/$hex"
		if [ -z "$parent" ]; then
			chain=$diff
		else
			chain=sha256:$(printf '%s %s' "$parent" "$diff" | sha256sum | cut -d' ' -f1)
		fi
		if [ ! -d "$STORE/layers/${chain#sha256:}" ]; then
			mkdir -p "$STORE/layers/${chain#sha256:}"
			cp -a "$dir" "$STORE/layers/${chain#sha256:}/diff" || return
		fi
		diffs+=("\"$diff\"")
		layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"$diff\",\"size\":$(stat -c %s "$t")}")
		parent=$chain
	done
	local config manifest cd md
	config=$(printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$conf" "$(IFS=,; echo "${diffs[*]}")")
	cd=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$config" > "$STORE/blobs/sha256/$cd"
	manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' \
		"$cd" "${#config}" "$(IFS=,; echo "${layers[*]}")")
	md=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
	printf '%s' "$manifest" > "$STORE/blobs/sha256/$md"
	[ -f "$STORE/index.json" ] || echo '{"schemaVersion":2,"manifests":[]}' > "$STORE/index.json"
	jq -c --arg d "sha256:$md" --argjson s "${#manifest}" --arg n "docker.io/library/$name:latest" \
		'.manifests = [.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] != $n)]
		 + [{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":$d,"size":$s,
		     "annotations":{"org.opencontainers.image.ref.name":$n}}]' \
		"$STORE/index.json" > "$STORE/index.json.new" && mv "$STORE/index.json.new" "$STORE/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$STORE/oci-layout"
	IMAGE_ID=sha256:$cd
}

# eng ARGS...: husk with the test's --store; the container's processes
# carry the test's tag (-e), so that teardown finds them.
eng() {
	: > "$LOG"
	husk_logged --store "$STORE" "$@"
}

# crun ARGS...: `container run --rm` with the tag, output in $output.
crun() {
	hrun eng container run --rm -e "HUSK_TEST_TAG=$TAG" "$@"
}

# No container directory, overlay mount, runtime state or cgroup is left.
assert_engine_clean() {
	local left
	left=$(ls -A "$STORE/containers" | grep -v '^\.names$' || true)
	[ -z "$left" ] || fail "container directories left: $left" || return
	left=$(ls -A "$STORE/containers/.names")
	[ -z "$left" ] || fail "names left: $left" || return
	left=$(grep -F "$STORE" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mounts left: $left" || return
	left=$(ls -A "$ROOT" 2>/dev/null || true)
	[ -z "$left" ] || fail "runtime state left: $left" || return
}

# setup_engine_test: setup_test, an empty store at $STORE and a copy of the
# test bundle's busybox rootfs at $BASE for make_image.
setup_engine_test() {
	setup_test
	STORE=$TESTDIR/store
	BASE=$TESTDIR/base
	cp -a "$BUNDLE/rootfs" "$BASE"
}
