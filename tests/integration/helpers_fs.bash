#!/bin/bash
# Shared helpers of the filesystem, namespace, kernel, hook and attack tests
# (mounts.bats, devices.bats, namespaces.bats, kernel.bats, hooks.bats,
# attacks.bats).  Loaded after helpers.bash: `load helpers; load helpers_fs`.

# ---------------------------------------------------------------------------
# Reading a mountinfo held in $output (as printed by `cat /proc/self/mountinfo`
# inside the container).

# mount_of DEST: the mountinfo line of $output whose mount point is DEST (the
# last one: the top of the stack).
mount_of() {
	awk -v d="$1" '$5 == d { l = $0 } END { if (l) print l; else exit 1 }' <<<"$output"
}

# fstype_of DEST, opts_of DEST (per-mount options), super_of DEST (the
# superblock options), optional_of DEST (the optional fields: shared:N,
# master:N, ...; empty for a private mount).
fstype_of() {
	mount_of "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'
}

opts_of() {
	mount_of "$1" | awk '{ print $6 }'
}

super_of() {
	mount_of "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { print $(i + 3); exit } }'
}

optional_of() {
	mount_of "$1" | awk '{ s = ""; for (i = 7; $i != "-"; i++) s = s (s ? " " : "") $i; print s }'
}

has_opt() { # has_opt OPTS OPT
	[[ ",$1," == *",$2,"* ]]
}

# assert_opt DEST OPT / refute_opt DEST OPT: on the per-mount options.
assert_opt() {
	mount_of "$1" >/dev/null || fail "$1 is not mounted: $output" || return
	has_opt "$(opts_of "$1")" "$2" || fail "$1 has not $2: $(mount_of "$1")"
}

refute_opt() {
	mount_of "$1" >/dev/null || fail "$1 is not mounted: $output" || return
	! has_opt "$(opts_of "$1")" "$2" || fail "$1 has $2: $(mount_of "$1")"
}

# section NAME: the lines of $output between the line "--NAME--" and the
# next "--...--" line (container scripts print one before each part).
section() {
	awk -v m="--$1--" '$0 == m { on = 1; next } /^--.*--$/ { on = 0 } on' <<<"$output"
}

# ---------------------------------------------------------------------------
# Mounts the test makes on the host, under $TESTDIR.  Recorded so that
# host_umount_all undoes them (deepest first) before assert_clean, which
# checks that no mount of $TESTDIR is left; teardown_test unmounts whatever
# a failing test left.

# host_mount MOUNT-ARGS... TARGET: `mount MOUNT-ARGS... TARGET`, recorded.
host_mount() {
	local target=${*: -1}
	mount "$@" || fail "mount $* failed" || return
	echo "$target" >>"$TESTDIR/.host_mounts"
}

host_umount_all() {
	[ -f "$TESTDIR/.host_mounts" ] || return 0
	local m
	sort -r -u "$TESTDIR/.host_mounts" | while read -r m; do
		while mountpoint -q "$m" 2>/dev/null; do
			umount "$m" 2>/dev/null || umount -l "$m" || break
		done
	done
	rm -f "$TESTDIR/.host_mounts"
}

# A shared tmpfs at DIR on the host (its own peer group).
host_shared_tmpfs() {
	mkdir -p "$1"
	host_mount -t tmpfs -o size=1m husk-test-shared "$1" || return
	mount --make-shared "$1" || fail "mount --make-shared $1 failed"
}

# ---------------------------------------------------------------------------
# The host's state, for the attack tests: the hash of sentinel files and the
# host's mount table, before and after.

# The host's mountinfo without what concurrent tests (other per-test
# directories, other husk runs, the engine tests' daemons) mount and unmount
# meanwhile.  Everything
# else, including this test's own directory, is kept.
host_mount_table() {
	local tmp=${HUSK_TEST_TMP:-/tmp}
	awk -v mine="$TESTDIR" -v tmp="$tmp" '
		function under(p, d) { return p == d || index(p, d "/") == 1 }
		{
			p = $5
			if (under(p, mine)) { print; next }
			# other tests (engines too: husk-podman., husk-ctd., ...)
			# and the run directories of the engines
			if (index(p, tmp "/husk-") == 1 || index(p, "/tmp/husk-") == 1 || index(p, "/run/husk") == 1 ||
			    index(p, "/run/containerd/") == 1 || index(p, "/run/docker") == 1 ||
			    index(p, "/run/netns/") == 1 || index(p, "/var/lib/docker/") == 1)
				next
			print
		}' /proc/self/mountinfo
}

# host_snapshot NAME FILE...: sha256 of the files (and of the listed
# directories' listings) and the host's mount table, saved as NAME.
host_snapshot() {
	local name=$1 f
	shift
	{
		for f in "$@"; do
			if [ -d "$f" ]; then
				echo "dir $f: $(ls -lAn --time-style=+%s "$f" | sha256sum)"
			elif [ -e "$f" ] || [ -L "$f" ]; then
				echo "file $f: $(stat -c '%F %a %u %g %s' "$f") $(sha256sum <"$f")"
			else
				echo "missing $f"
			fi
		done
	} >"$TESTDIR/.snap.$name.files"
	host_mount_table >"$TESTDIR/.snap.$name.mounts"
}

# host_unchanged NAME FILE...: the same files and mount table as at
# host_snapshot NAME (the same FILE list).
host_unchanged() {
	local name=$1
	shift
	mv "$TESTDIR/.snap.$name.files" "$TESTDIR/.snap.$name.files.before"
	mv "$TESTDIR/.snap.$name.mounts" "$TESTDIR/.snap.$name.mounts.before"
	host_snapshot "$name" "$@"
	local d
	d=$(diff "$TESTDIR/.snap.$name.files.before" "$TESTDIR/.snap.$name.files") ||
		fail "host files changed: $d" || return
	d=$(diff "$TESTDIR/.snap.$name.mounts.before" "$TESTDIR/.snap.$name.mounts") ||
		fail "host mount table changed: $d"
}

# ---------------------------------------------------------------------------
# config.json helpers.

# add_mount DEST TYPE SOURCE [OPTION...]: appends a mount.
add_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	local opts
	opts=$(printf '%s\n' "$@" | jq -R . | jq -s 'map(select(. != ""))')
	update_config '.mounts += [{"destination": $d, "type": $t, "source": $s, "options": $o}]' \
		--arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$opts"
}

# set_ns TYPE [PATH]: the namespace TYPE is present (joined at PATH if given).
set_ns() {
	if [ -n "${2:-}" ]; then
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}])' \
			--arg t "$1" --arg p "$2"
	else
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t}])' \
			--arg t "$1"
	fi
}

# drop_ns TYPE: no TYPE namespace of its own.
drop_ns() {
	update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)]' --arg t "$1"
}

# userns_config [HOSTUID]: a new user namespace mapping 0..65535 to
# HOSTUID.. (default 100000) for both uids and gids.
USERNS_BASE=100000
userns_config() {
	local base=${1:-$USERNS_BASE}
	set_ns user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $b, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $b, "size": 65536}]' --argjson b "$base"
}

# The container's ns link, as the host sees it: ctr_ns ID TYPE.
ctr_ns() {
	readlink "/proc/$(ctr_pid "$1")/ns/$2"
}

# husk_exec ID CMD...: husk exec with stdin from /dev/null (output on stdout).
husk_exec() {
	local id=$1
	shift
	husk exec "$id" "$@" </dev/null
}

# ctr_create_fail [REGEX [ID...]]: `husk create` (then `run`) of $BUNDLE as
# c1 fail with one error line matching REGEX, and leave nothing behind but
# the containers ID... that were there before.
ctr_create_fail() {
	local re=${1:-} cmd
	shift || true
	for cmd in create run; do
		rm -f "$LOG"
		# shellcheck disable=SC2086
		hrun husk_logged $cmd --bundle "$BUNDLE" c1
		assert_husk_error "$re" || fail "husk $cmd" || return
		assert_clean "$@" || fail "husk $cmd" || return
	done
}

# run_ok CMD...: bats' `run CMD...`, failing with the output when CMD does
# not exit 0 (`run -0` does not show it).
run_ok() {
	run "$@"
	[ "$status" -eq 0 ] || fail "$* exited $status: $output"
}

# own_cgroup NAME: linux.cgroupsPath = /husk/<test tag>-NAME.  husk's
# default cgroup is /husk/<id>: two tests running at once with the same
# container id (every file uses c1) would share it, and the delete of one
# kills the other's container.  Tests creating several containers at once
# call it again with another NAME before each.
own_cgroup() {
	update_config '.linux.cgroupsPath = "/husk/" + $t + "-" + $n' --arg t "$TAG" --arg n "$1"
}

# setup_fs: setup_test, then a cgroup of the test's own.
setup_fs() {
	setup_test || return
	own_cgroup c1
}
