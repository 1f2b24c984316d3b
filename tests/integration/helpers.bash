#!/bin/bash
# Shared helpers of husk's integration tests (in the style of runc's
# tests/integration/helpers.bash).
#
# Every test gets:
#   $TESTDIR  a private temporary directory, removed by teardown
#   $ROOT     the husk state root of the test ($TESTDIR/state)
#   $BUNDLE   a fresh bundle: a copy of the cached busybox rootfs and a
#             config.json made by `husk spec`, with terminal false, args
#             ["true"], and a read-write bind of $OUT at /out
#   $OUT      a host directory the container sees as /out (markers)
#   husk      a function running $HUSK --root $ROOT "$@"
#
# Environment:
#   HUSK_BIN         the husk binary (default: build/husk of this checkout)
#   HUSK_TEST_CACHE  where the busybox rootfs is cached (default /tmp/husk-test-cache)
#   HUSK_TEST_TMP    where per-test directories are made (default /tmp)
#   HUSK_TEST_TIMEOUT  seconds before a husk command is killed (default 60)

bats_require_minimum_version 1.5.0

INTEGRATION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INTEGRATION_ROOT/../.." && pwd)
HUSK=${HUSK_BIN:-$REPO_ROOT/build/husk}
HUSK_TEST_CACHE=${HUSK_TEST_CACHE:-/tmp/husk-test-cache}
HUSK_TEST_TIMEOUT=${HUSK_TEST_TIMEOUT:-60}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# Bump when the layout of the cached rootfs changes.
ROOTFS_LAYOUT=1

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# ---------------------------------------------------------------------------
# The busybox rootfs, built once and cached.

# Prints the path of the cached rootfs, building it first if needed.  Safe to
# call from concurrent test runs: the build happens under a lock, into a
# temporary directory renamed into place.
ensure_rootfs() {
	local key dir tmp
	[ -x "$BUSYBOX" ] || fail "$BUSYBOX is missing: apt-get install -y busybox-static" || return
	key=$(stat -c '%s-%Y' "$BUSYBOX")-$ROOTFS_LAYOUT
	dir=$HUSK_TEST_CACHE/rootfs-$key
	if [ ! -e "$dir/.complete" ]; then
		mkdir -p "$HUSK_TEST_CACHE"
		(
			flock 9
			[ -e "$dir/.complete" ] && exit 0
			tmp=$(mktemp -d "$HUSK_TEST_CACHE/.build.XXXXXX")
			build_rootfs "$tmp/rootfs" || exit 1
			touch "$tmp/rootfs/.complete"
			rm -rf "$dir"
			mv "$tmp/rootfs" "$dir"
			rmdir "$tmp"
		) 9>"$HUSK_TEST_CACHE/.lock" || fail "building the busybox rootfs failed" || return
	fi
	echo "$dir"
}

build_rootfs() {
	local r=$1
	mkdir -p "$r"/{bin,etc,dev,proc,sys,tmp,root,out,usr/bin,sbin}
	chmod 1777 "$r/tmp"
	chmod 700 "$r/root"
	cp "$BUSYBOX" "$r/bin/busybox"
	# Fails unless busybox is static: the rootfs has no libc.
	chroot "$r" /bin/busybox --install -s /bin || fail "chroot $r /bin/busybox failed (not a static binary?)" || return
	cat >"$r/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$r/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		bin:x:2:
		tty:x:5:
		users:x:100:
		nogroup:x:65534:
	EOF
	echo "husk-test" >"$r/etc/hostname"
	# Present only in the container's rootfs, to test the PATH lookup.
	mkdir -p "$r/opt/husk-test/bin"
	printf '#!/bin/sh\necho "only-in-container $*"\n' >"$r/opt/husk-test/bin/husk-test-hello"
	chmod 755 "$r/opt/husk-test/bin/husk-test-hello"
}

# copy_rootfs CACHED DEST: a private copy of the cached rootfs.  Symlinks are
# slow to create here, so the tree is hard-linked (cp -al: directories are
# new, so files created in the copy never reach the cache) and only regular
# files, which a container could write in place, are copied for real.
copy_rootfs() {
	cp -al "$1" "$2" || return
	rm -f "$2/.complete"
	find "$2" -type f -exec sh -c 'for f; do cp -p "$f" "$f.copy" && mv "$f.copy" "$f" || exit; done' sh {} +
}

# ---------------------------------------------------------------------------
# Per-test setup and teardown.

setup_test() {
	local rootfs
	rootfs=$(ensure_rootfs) || return
	TESTDIR=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-it.XXXXXX") || return
	chmod 755 "$TESTDIR"
	ROOT=$TESTDIR/state
	BUNDLE=$TESTDIR/bundle
	OUT=$TESTDIR/out
	LOG=$TESTDIR/husk.log
	# Marks every process of this test: husk itself and, through
	# process.env, the container's program.  teardown kills what has it.
	TAG=$(basename "$TESTDIR")
	mkdir -p "$BUNDLE" "$OUT"
	chmod 777 "$OUT"
	copy_rootfs "$rootfs" "$BUNDLE/rootfs" || return
	"$HUSK" spec --bundle "$BUNDLE" || fail "husk spec failed" || return
	# linux.cgroupsPath: husk's default cgroup is husk/<id>, shared by
	# every test (of any concurrent run) using the same id; the husk
	# wrapper below makes it $TAG-<id> at each create and run.
	update_config '.process.terminal = false
		| .process.args = ["true"]
		| .process.env += ["HUSK_TEST_TAG=" + $tag]
		| .mounts += [{"destination": "/out", "type": "bind", "source": $out, "options": ["rbind", "rw"]}]
		| .linux.cgroupsPath = $tag' \
		--arg tag "$TAG" --arg out "$OUT"
}

teardown_test() {
	[ -n "${TESTDIR:-}" ] && [ -d "$TESTDIR" ] || return 0
	local d id pids
	if [ -d "$ROOT" ]; then
		for d in "$ROOT"/* "$ROOT"/.[!.]*; do
			[ -e "$d" ] || continue
			id=${d##*/}
			timeout 10 "$HUSK" --root "$ROOT" delete -f "$id" </dev/null >/dev/null 2>&1 || true
		done
	fi
	pids=$(tagged_pids)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null || true
		wait_for 5 no_tagged_pids || true
	fi
	# Cgroups of the test's containers, deepest first.
	local cg p
	for cg in $(test_cgroups | sort -r); do
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
		# Sub-cgroups made below it first (a failed delete leaves them).
		find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
		wait_for 5 rmdir "$cg" 2>/dev/null || true
	done
	# Mounts under the test directory (left in the host's mount
	# namespace by a bug), deepest first.
	mounts_under "$TESTDIR" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$TESTDIR"
}

# Pids of live (non-zombie) processes carrying this test's tag.
tagged_pids() {
	local f pid
	grep -lzsxF "HUSK_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null | while read -r f; do
		pid=${f#/proc/}
		echo "${pid%/environ}"
	done
}

no_tagged_pids() {
	[ -z "$(tagged_pids)" ]
}

# Cgroup directories named after this test (its containers' cgroups are
# husk/$TAG-<id>, see setup_test).
test_cgroups() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "*$TAG*" 2>/dev/null || true
}

# Mount points (host mount namespace) at or under a path.
mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# Runs a command in the background with this test's tag, so that teardown
# kills it whatever happens.  Sets BG_PID.
bg_tagged() {
	HUSK_TEST_TAG=$TAG "$@" &
	BG_PID=$!
}

# ---------------------------------------------------------------------------
# Running husk.

# husk ARGS...: husk with the test's --root, killed if it hangs.
husk() {
	own_cgroup_of "$@"
	HUSK_TEST_TAG=$TAG timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" "$HUSK" --root "$ROOT" "$@"
}

# own_cgroup_of HUSK-ARGS...: for `create` and `run`, points the bundle's
# linux.cgroupsPath (when setup_test's, $TAG...) at $TAG-<id>, so that each
# container has a cgroup of its own, as if ids were unique on the host.
# (sed, not jq: jq takes 40ms to start; update_config writes
# "cgroupsPath": "..." on one line.)
own_cgroup_of() {
	local bundle=. id=
	while [ $# -gt 0 ]; do
		case $1 in
		--root | --log | --log-format | --criu | --rootless) shift 2 || return 0 ;;
		-*) shift ;;
		*) break ;;
		esac
	done
	case ${1:-} in
	create | run) shift ;;
	*) return 0 ;;
	esac
	while [ $# -gt 0 ]; do
		case $1 in
		-b | --bundle) bundle=${2:-}; shift 2 || return 0 ;;
		--bundle=*) bundle=${1#--bundle=}; shift ;;
		--pid-file | --console-socket | --preserve-fds) shift 2 || return 0 ;;
		-*) shift ;;
		*) id=$1; shift ;;
		esac
	done
	[ -n "$id" ] && [ -f "$bundle/config.json" ] || return 0
	grep -q "\"cgroupsPath\": \"$TAG" "$bundle/config.json" 2>/dev/null || return 0
	sed -i "s|\"cgroupsPath\": \"$TAG[^\"]*\"|\"cgroupsPath\": \"$TAG-${id//|/}\"|" "$bundle/config.json"
}

# husk_logged ARGS...: husk with --log $LOG --log-format json.
husk_logged() {
	husk --log "$LOG" --log-format json "$@"
}

# hrun CMD...: like bats' `run --separate-stderr CMD...` (sets status, output,
# lines, stderr, stderr_lines), but through files and with stdin from
# /dev/null: a container created by mistake inherits husk's stdout, and
# bats would wait on that pipe for as long as the container lives.
hrun() {
	local st=0
	"$@" </dev/null >"$TESTDIR/hrun.out" 2>"$TESTDIR/hrun.err" || st=$?
	status=$st
	output=$(<"$TESTDIR/hrun.out")
	stderr=$(<"$TESTDIR/hrun.err")
	mapfile -t lines <"$TESTDIR/hrun.out"
	mapfile -t stderr_lines <"$TESTDIR/hrun.err"
	rm -f "$TESTDIR/hrun.out" "$TESTDIR/hrun.err"
}

# create_ctr ID [create flags...]: creates a container from $BUNDLE.  Its
# stdio (inherited by the container) goes to $TESTDIR/ID.stdout and
# $TESTDIR/ID.stderr, never to a pipe bats waits on.
create_ctr() {
	local id=$1
	shift
	husk create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$TESTDIR/$id.stdout" 2>"$TESTDIR/$id.stderr" ||
		fail "husk create $id failed: $(cat "$TESTDIR/$id.stderr")"
}

# run_detached ID [run flags...]: husk run -d, stdio as for create_ctr.
run_detached() {
	local id=$1
	shift
	husk run -d --bundle "$BUNDLE" "$@" "$id" </dev/null >"$TESTDIR/$id.stdout" 2>"$TESTDIR/$id.stderr" ||
		fail "husk run -d $id failed: $(cat "$TESTDIR/$id.stderr")"
}

# run_ctr ID [run flags...]: foreground husk run from $BUNDLE, for `run`.
run_ctr() {
	local id=$1
	shift
	husk run --bundle "$BUNDLE" "$@" "$id" </dev/null
}

# state_field ID FIELD: a string or number field of `husk state ID`, or ""
# when state fails.  (A regex, not jq: jq takes 40ms to start, and this is
# polled.  state.bats checks the JSON itself with jq.)
state_field() {
	local out re="\"$2\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)"
	out=$(husk state "$1" 2>/dev/null </dev/null) || return 0
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

# The status of a container, or "" if `husk state` fails.
ctr_status() {
	state_field "$1" status
}

ctr_pid() {
	state_field "$1" pid
}

status_is() {
	[ "$(ctr_status "$1")" = "$2" ]
}

# wait_status ID STATUS [SECONDS]
wait_status() {
	wait_for "${3:-10}" status_is "$1" "$2" ||
		fail "container $1: status is \"$(ctr_status "$1")\", expected \"$2\""
}

# wait_for SECONDS CMD...: polls CMD every 10ms until it succeeds.
wait_for() {
	local n=$(($1 * 100))
	shift
	while ! "$@"; do
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.01
	done
}

pid_alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

pid_gone() {
	! pid_alive "$1"
}

# ---------------------------------------------------------------------------
# config.json

# update_config FILTER [jq args...]: applies a jq filter to $BUNDLE/config.json
# (or to $CONFIG when set).
update_config() {
	local f=$1 cfg=${CONFIG:-$BUNDLE/config.json}
	shift
	jq "$f" "$@" <"$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg" || fail "jq $f failed"
}

# set_args ARG...: process.args
set_args() {
	# --arg, not --args: jq would take an argument like --version as its own.
	local a i=0 list='' jqargs=()
	for a in "$@"; do
		jqargs+=(--arg "a$i" "$a")
		list+="\$a$i,"
		i=$((i + 1))
	done
	update_config ".process.args = [${list%,}]" "${jqargs[@]}"
}

# set_cmd SCRIPT: process.args = ["sh", "-c", SCRIPT]
set_cmd() {
	update_config '.process.args = ["sh", "-c", $c]' --arg c "$1"
}

# A tmpfs at DEST (the rootfs is read-only by default).
add_tmpfs() {
	update_config '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}]' \
		--arg d "$1"
}

# ---------------------------------------------------------------------------
# Assertions.

# assert_clean [ID...]: nothing of the test is left behind but the listed
# containers: no other state directory under $ROOT, no mount of the test's
# directories in the host's mount namespace, and (when no ID is listed) no
# process and no cgroup of the test.
# give_rt_budget DIR US: the new cpu cgroup DIR gets US of rt runtime
# (a child's comes out of its parent's, and a new cgroup has none). When
# the kernel refuses, the host's root budget is already given to other
# cgroups or RT throttling is off: it prints why and returns 1, and the
# caller removes what it made and skips. A cgroup just removed (by the test
# before) gives its budget back only once the kernel has released it, a
# moment after its rmdir: hence the retries.
give_rt_budget() {
	local root=/sys/fs/cgroup/cpu f held= i
	for i in $(seq 50); do
		echo "$2" >"$1/cpu.rt_runtime_us" 2>/dev/null && return 0
		sleep 0.1
	done
	for f in "$root"/*/cpu.rt_runtime_us; do
		[ -e "$f" ] && [ "${f%/cpu.rt_runtime_us}" != "$1" ] || continue
		[ "$(cat "$f")" = 0 ] || held+=" ${f#"$root"/}=$(cat "$f")"
	done
	echo "this host's cpu cgroup root cannot give $2 us of rt runtime to a new child (root: $(cat "$root/cpu.rt_runtime_us") per $(cat "$root/cpu.rt_period_us") us, kernel.sched_rt_runtime_us $(cat /proc/sys/kernel/sched_rt_runtime_us); held by:${held:- nothing visible})"
	return 1
}

assert_clean() {
	local want got
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(ls -A "$ROOT" 2>/dev/null | sort)
	[ "$got" = "$want" ] || fail "state root holds [$(echo $got)], expected [$(echo $want)]" || return
	local m
	m=$(grep -F "$TESTDIR" /proc/self/mountinfo || true)
	[ -z "$m" ] || fail "mounts left behind: $m" || return
	if [ $# -eq 0 ]; then
		m=$(test_cgroups)
		[ -z "$m" ] || fail "cgroups left behind: $m" || return
	fi
	if [ $# -eq 0 ]; then
		wait_for 5 no_tagged_pids || fail "processes left behind: $(for p in $(tagged_pids); do
			echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done)" || return
	fi
}

# timed_fail SECONDS REGEX CMD...: CMD (a husk_logged command) fails the
# husk way, with a message matching REGEX, in under SECONDS.
timed_fail() {
	local limit=$1 re=$2 t0 dt
	shift 2
	t0=$(date +%s%N)
	HUSK_TEST_TIMEOUT=$((limit + 5)) hrun "$@"
	dt=$((($(date +%s%N) - t0) / 1000000))
	[ "$dt" -lt $((limit * 1000)) ] || fail "took ${dt} ms, more than $limit s (status $status: $stderr)" || return
	assert_husk_error "$re"
}

# assert_husk_error [RE [STATUS]]: after `hrun husk_logged ...`, checks
# what every husk error must look like: exit 1 (or STATUS, or
# $HUSK_ERROR_STATUS: 255 for a failed exec, as runc), nothing on stdout,
# exactly one stderr line "husk: <msg>", and one JSON record of level error
# with the same message in $LOG.  An optional extended regex must match <msg>.
assert_husk_error() {
	local re=${1:-} want=${2:-${HUSK_ERROR_STATUS:-1}}
	[ "$status" -eq "$want" ] || fail "exit status $status, expected $want (stderr: $stderr)" || return
	[ -z "$output" ] || fail "unexpected stdout: $output" || return
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one stderr line, got ${#stderr_lines[@]}: $stderr" || return
	[[ "$stderr" == "husk: "?* ]] || fail "stderr does not start with \"husk: \": $stderr" || return
	local msg=${stderr#husk: }
	if [ -n "$re" ]; then
		[[ "$msg" =~ $re ]] || fail "message \"$msg\" does not match /$re/" || return
	fi
	[ -f "$LOG" ] || fail "no log file $LOG" || return
	local verdict
	verdict=$(jq -s -r --arg m "$msg" '[.[] | select(.level == "error")]
		| if length != 1 then "expected one error record, got \(length)"
		  elif .[0].msg != $m then "the error record has msg \(.[0].msg | tojson), stderr has \($m | tojson)"
		  elif (.[0].time | type) != "string" then "the error record has no time"
		  else "ok" end' "$LOG") || fail "the log is not JSON lines: $(cat "$LOG")" || return
	[ "$verdict" = ok ] || fail "log: $verdict: $(cat "$LOG")"
}

# The namespace of a host process, as readlink shows it: "net:[4026531840]".
host_ns() {
	readlink "/proc/${2:-self}/ns/$1"
}

# subid_user_add NAME [FIRST]: a user without a home whose subordinate uid
# and gid range is FIRST..FIRST+65535, its own (not login.defs' automatic
# ones; without FIRST, none), for the rootless tests.
subid_user_add() {
	useradd -M -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$1" || return
	[ -z "${2:-}" ] || usermod --add-subuids "$2-$(($2 + 65535))" --add-subgids "$2-$(($2 + 65535))" "$1"
}

# subid_user_del NAME...: the users gone, their processes and ranges too
# (userdel of some shadow versions leaves the subordinate ids).
subid_user_del() {
	local u
	for u; do
		id "$u" >/dev/null 2>&1 || continue
		pkill -9 -U "$u" 2>/dev/null || true
		userdel "$u" 2>/dev/null || true
		sed -i "/^$u:/d" /etc/subuid /etc/subgid
	done
}

# netns_host_outside HOST OUTSIDE: two new network namespaces, HOST (where
# husk runs) and OUTSIDE, joined by a veth: 198.19.255.1/30 on hk-up in HOST,
# 198.19.255.2/30 on hk-out in OUTSIDE.
netns_host_outside() {
	ip netns add "$1"
	ip netns add "$2"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" link add hk-up type veth peer name hk-out netns "$2"
	ip -n "$1" addr add 198.19.255.1/30 dev hk-up
	ip -n "$2" addr add 198.19.255.2/30 dev hk-out
	ip -n "$1" link set hk-up up
	ip -n "$2" link set hk-out up
}

# assert_no_veth_lease NS STORE: no veth in namespace NS but netns_host_outside's
# hk-up, no lease in STORE's husk networks.
assert_no_veth_lease() {
	local left f
	left=$(ip -n "$1" -o link show type veth | grep -v hk-up || true)
	[ -z "$left" ] || fail "veth left: $left" || return
	for f in "$2"/networks/*.leases; do
		[ -f "$f" ] || continue
		[ "$(jq length "$f")" = 0 ] || fail "lease left in $f: $(cat "$f")" || return
	done
}

# netns_del NAME...: kills what still runs in each test network namespace
# (a server started through a shell function outlives a kill of the
# function's subshell, and holds bats' output open: the file never ends),
# then deletes it.  A missing one is no error.
netns_del() {
	local ns pids
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}
