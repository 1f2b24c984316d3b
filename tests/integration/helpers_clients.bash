#!/bin/bash
# Helpers of the tests that drive husk through real engines (containerd +
# ctr, dockerd), each engine a private daemon of the test file, offline.
# Loaded after helpers.bash:
#
#   load helpers
#   load helpers_clients

# need_cmd NAME PACKAGE: fails setup_file, saying what to install, when a
# client is missing (scripts/deps.sh test installs them all).
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (scripts/deps.sh test, or apt-get install -y $2)"
}

# ---------------------------------------------------------------------------
# Images, built offline from the cached busybox rootfs.

# rootfs_tar ROOTFS OUT: a plain tarball of a rootfs (docker import).
rootfs_tar() {
	tar --sort=name --numeric-owner --exclude=./.complete -C "$1" -cf "$2" .
}

# oci_archive ROOTFS OUT NAME: an OCI image layout (one uncompressed layer,
# Cmd /bin/sh, a PATH) as a tar archive, named NAME for `ctr image import`.
oci_archive() {
	local rootfs=$1 out=$2 name=$3 d l c m
	d=$(mktemp -d "${out%/*}/oci.XXXXXX") || return
	mkdir -p "$d/blobs/sha256"
	rootfs_tar "$rootfs" "$d/layer" || return
	l=$(oci_blob "$d" "$d/layer") || return
	jq -cn --arg l "sha256:$l" '{architecture: "amd64", os: "linux",
		config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"]},
		rootfs: {type: "layers", diff_ids: [$l]}}' >"$d/config" || return
	c=$(oci_blob "$d" "$d/config") || return
	jq -cn --arg c "sha256:$c" --argjson cs "$(oci_size "$d" "$c")" \
		--arg l "sha256:$l" --argjson ls "$(oci_size "$d" "$l")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$d/manifest" || return
	m=$(oci_blob "$d" "$d/manifest") || return
	jq -cn --arg m "sha256:$m" --argjson ms "$(oci_size "$d" "$m")" --arg n "$name" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $m, size: $ms, annotations: {"io.containerd.image.name": $n,
		"org.opencontainers.image.ref.name": ($n | sub(".*:"; ""))}}]}' >"$d/index.json" || return
	echo '{"imageLayoutVersion": "1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$out" oci-layout index.json blobs || return
	rm -rf "$d"
}

# oci_blob DIR FILE: moves FILE into DIR/blobs/sha256 under its digest,
# which it prints.
oci_blob() {
	local h
	h=$(sha256sum "$2") || return
	h=${h%% *}
	mv "$2" "$1/blobs/sha256/$h" && echo "$h"
}

oci_size() {
	stat -c %s "$1/blobs/sha256/$2"
}

# ---------------------------------------------------------------------------
# Daemons and what they leave on the host.

# start_daemon DIR NAME CMD...: runs CMD in the background, stdio to
# DIR/NAME.log (never a pipe bats waits on), its pid in DIR/NAME.bgpid.
start_daemon() {
	local dir=$1 name=$2
	shift 2
	"$@" </dev/null >"$dir/$name.log" 2>&1 3>&- &
	echo $! >"$dir/$name.bgpid"
}

# wait_until SECONDS CMD...: polls CMD until it succeeds, for at most
# SECONDS of wall time (wait_for counts polls, and a client call can take
# long on a loaded machine).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# stop_daemon DIR NAME [SECONDS]: TERM, then KILL after SECONDS (default 20).
stop_daemon() {
	local pid
	pid=$(cat "$1/$2.bgpid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	wait_until "${3:-20}" pid_gone "$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null
	wait_until 5 pid_gone "$pid" 2>/dev/null || true
}

# pids_with STRING: live processes whose command line contains STRING
# (a daemon's or shim's own directory or socket path).
pids_with() {
	local f pid
	grep -lsF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && pid_alive "$pid" && echo "$pid"
	done
	return 0
}

# kill_pids_with STRING: kills each of them, by pid.
kill_pids_with() {
	local p
	for p in $(pids_with "$1"); do
		kill -9 "$p" 2>/dev/null || true
	done
	wait_for 5 no_pids_with "$1" 2>/dev/null || true
}

no_pids_with() {
	[ -z "$(pids_with "$1")" ]
}

# umount_under DIR: unmounts what is mounted under DIR, deepest first.
umount_under() {
	mounts_under "$1" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# cgroup_dirs NAME: the directories of cgroup NAME (/a/b) in every hierarchy.
cgroup_dirs() {
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "$h${1#/}" ] && echo "$h${1#/}"
	done
	return 0
}

# rmdir_cgroups NAME: removes cgroup NAME and the cgroups under it, in every
# hierarchy (rmdir: a cgroup still in use stays).
rmdir_cgroups() {
	local d
	for d in $(cgroup_dirs "$1"); do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# host_dirs_before DIR...: notes which of these shared host directories
# exist, so that teardown_file removes only the ones the test made.
host_dirs_before() {
	local d
	for d in "$@"; do
		[ -e "$d" ] && echo "$d"
	done
	return 0
}

# rmdir_new_host_dirs LIST DIR...: rmdir each DIR (deepest first: pass them
# so) not in LIST (host_dirs_before's output) if it is empty.
rmdir_new_host_dirs() {
	local before=$1 d
	shift
	for d in "$@"; do
		grep -qxF -- "$d" <<<"$before" || rmdir "$d" 2>/dev/null || true
	done
}

# ---------------------------------------------------------------------------
# Per-test directories.

# setup_client_test: $TESTDIR, $TAG (put in each container's env, so that
# teardown finds what it runs), $OUT (bound at /out by the tests that need
# markers) and $ROOT (husk's state root as the engine passes it).
setup_client_test() {
	TESTDIR=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-it.XXXXXX") || return
	chmod 755 "$TESTDIR"
	TAG=$(basename "$TESTDIR")
	OUT=$TESTDIR/out
	mkdir -p "$OUT"
	chmod 777 "$OUT"
}

# log_keeper PATH: a runtime that runs husk and keeps what husk wrote to
# the JSON log the engine's shim gave it (--log FILE, in a bundle the shim
# removes after a failure): the records of each call go to
# PATH.<subcommand>.log, to check the ones the engine read.
log_keeper() {
	cat >"$1" <<-EOF
		#!/bin/bash
		log= sub= argv=("\$@")
		while [ \$# -gt 0 ]; do
			case \$1 in
			--log) log=\$2; shift 2 ;;
			--log=*) log=\${1#--log=}; shift ;;
			--root | --log-format) shift 2 ;;
			-*) shift ;;
			*) sub=\$1; break ;;
			esac
		done
		size=\$(stat -c %s "\$log" 2>/dev/null || echo 0)
		st=0
		$(printf '%q' "$HUSK") "\${argv[@]}" || st=\$?
		[ -n "\$log" ] && [ -f "\$log" ] && tail -c +\$((size + 1)) "\$log" >>$(printf '%q' "$1").\$sub.log
		exit \$st
	EOF
	chmod 755 "$1"
}

# assert_engine_shows_husk_error LOGFILE ENGINE-OUTPUT REGEX: the runtime's
# log (log_keeper's) holds exactly one error record, its message matches
# REGEX, and the engine's output carries that message as it is.
assert_engine_shows_husk_error() {
	local log=$1 shown=$2 re=$3 n msg
	[ -s "$log" ] || fail "husk wrote no JSON log" || return
	n=$(jq -s '[.[] | select(.level == "error")] | length' "$log") || fail "not JSON lines: $(cat "$log")" || return
	[ "$n" -eq 1 ] || fail "expected one error record, got $n: $(cat "$log")" || return
	msg=$(jq -rs '.[] | select(.level == "error") | .msg' "$log")
	[ "$(jq -rs '.[] | select(.level == "error") | .time | type' "$log")" = string ] ||
		fail "the error record has no time: $(cat "$log")" || return
	[[ "$msg" =~ $re ]] || fail "husk's message \"$msg\" does not match /$re/" || return
	[[ "$shown" == *"$msg"* ]] || fail "the engine shows \"$shown\", not husk's message \"$msg\""
}
