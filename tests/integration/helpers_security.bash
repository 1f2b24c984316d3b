#!/bin/bash
# Helpers of the security tests (capabilities, seccomp, process attributes,
# fd hygiene, the runtime binary).  Load after helpers:
#
#   load helpers
#   load helpers_security
#
# Environment:
#   HUSK_DOCKER_SECCOMP  Docker's default seccomp profile (default: the file of
#                        Debian's golang-github-docker-docker-dev)
#   HUSK_PODMAN_SECCOMP  podman's (default: the file of Debian's
#                        golang-github-containers-common)

HUSK_DOCKER_SECCOMP=${HUSK_DOCKER_SECCOMP:-/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json}
HUSK_PODMAN_SECCOMP=${HUSK_PODMAN_SECCOMP:-/usr/share/containers/seccomp.json}
SECCOMP_AGENT=${SECCOMP_AGENT:-$REPO_ROOT/build/tests/tools/seccomp_agent}

# ---------------------------------------------------------------------------
# Capabilities.

# Index = capability number (linux/capability.h).
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
	CHECKPOINT_RESTORE)

# runc's `spec` defaults, and Docker's default set.
RUNC_DEFAULT_CAPS=(CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
DOCKER_DEFAULT_CAPS=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW
	CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT
	CAP_KILL CAP_AUDIT_WRITE)

# cap_number CAP_NAME: its number, or fails.
cap_number() {
	local bare=${1#CAP_} i
	for i in "${!CAP_NAMES[@]}"; do
		if [ "${CAP_NAMES[$i]}" = "$bare" ]; then
			echo "$i"
			return 0
		fi
	done
	fail "unknown capability $1"
}

# cap_mask CAP_NAME...: the 16-digit hex mask /proc/<pid>/status shows.
cap_mask() {
	local mask=0 c n
	for c in "$@"; do
		n=$(cap_number "$c") || return
		mask=$((mask | (1 << n)))
	done
	printf '%016x\n' "$mask"
}

# The capabilities of the host's bounding set (this shell's), by name, up to
# the kernel's last one.
host_bounding_caps() {
	local bnd last i
	bnd=$((16#$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)))
	last=$(cat /proc/sys/kernel/cap_last_cap)
	for ((i = 0; i <= last && i < ${#CAP_NAMES[@]}; i++)); do
		if (((bnd >> i) & 1)); then
			echo "CAP_${CAP_NAMES[$i]}"
		fi
	done
}

# caps_json CAP_NAME...: a JSON array of the names.
caps_json() {
	if [ $# -eq 0 ]; then
		echo '[]'
	else
		printf '%s\n' "$@" | jq -R . | jq -s -c .
	fi
}

# status_field TEXT FIELD: the value of "FIELD:" in a /proc/<pid>/status text.
status_field() {
	awk -v f="$2:" '$1 == f { print $2; exit }' <<<"$1"
}

# assert_caps STATUS_TEXT INH PRM EFF BND AMB: the five Cap* lines are the
# given masks.
assert_caps() {
	local text=$1 field want got bad=
	shift
	for field in CapInh CapPrm CapEff CapBnd CapAmb; do
		want=$1
		shift
		got=$(status_field "$text" "$field")
		[ "$got" = "$want" ] || bad+=" $field=$got (expected $want)"
	done
	[ -z "$bad" ] || fail "capabilities:$bad"
}

# ---------------------------------------------------------------------------
# Seccomp.

# set_seccomp JSON: linux.seccomp = JSON
set_seccomp() {
	update_config '.linux.seccomp = $s' --argjson s "$1"
}

# The native architecture in the names of Docker's profile ("amd64") and of
# libseccomp ("SCMP_ARCH_X86_64").
engine_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) uname -m ;;
	esac
}

scmp_arch() {
	case $(uname -m) in
	x86_64) echo SCMP_ARCH_X86_64 ;;
	aarch64) echo SCMP_ARCH_AARCH64 ;;
	*) echo "SCMP_ARCH_$(uname -m | tr a-z A-Z)" ;;
	esac
}

# resolve_engine_profile FILE CAPS_JSON: the linux.seccomp object an engine
# (Docker, podman) makes of its profile file for a container with those
# bounding capabilities on this machine: "architectures" from archMap for
# the native architecture, and only the "syscalls" entries whose includes
# hold and whose excludes do not (caps, arches, minKernel), stripped of the
# engine's own fields.
resolve_engine_profile() {
	local kernel
	kernel=$(uname -r | sed 's/[^0-9.].*//')
	jq -c --argjson caps "$2" --arg arch "$(engine_arch)" --arg native "$(scmp_arch)" --arg kernel "$kernel" '
		def version: split(".") | map(select(. != "") | tonumber);
		def has_all($need): [$need[] | IN($caps[])] | all;
		def has_any($ex): [$ex[] | IN($caps[])] | any;
		{
			defaultAction,
			architectures: [(.archMap // [])[] | select(.architecture == $native)
				| .architecture, (.subArchitectures // [])[]],
			syscalls: [.syscalls[]
				| select(((.includes.arches // []) | length == 0) or ((.includes.arches // []) | index($arch)))
				| select(has_all(.includes.caps // []))
				| select((.includes.minKernel // "") == "" or (($kernel | version) >= (.includes.minKernel | version)))
				| select(((.excludes.arches // []) | index($arch)) | not)
				| select(has_any(.excludes.caps // []) | not)
				| {names, action}
				  + (if .errnoRet != null then {errnoRet} else {} end)
				  + (if (.args // []) | length > 0 then {args: [.args[] | {index, value, op} + (if .valueTwo != null then {valueTwo} else {} end)]} else {} end)]
		}
		+ (if .defaultErrnoRet != null then {defaultErrnoRet} else {} end)
		+ (if .flags != null then {flags} else {} end)' "$1"
}

# need_profile FILE PACKAGE: fails, naming the package, when FILE is missing.
# A missing file of Debian's PACKAGE is first looked for in the package itself,
# downloaded (not installed: Docker's pulls in dozens of Go source packages)
# and unpacked once into $HUSK_TEST_CACHE; the function then sets PROFILE to
# the file to use.
need_profile() {
	PROFILE=$1
	[ -f "$PROFILE" ] && return
	local dir=$HUSK_TEST_CACHE/pkg-$2
	if [ ! -f "$dir$1" ]; then
		mkdir -p "$dir"
		(cd "$dir" && apt-get download -qq "$2" >/dev/null 2>&1 && dpkg-deb -x "$2"_*.deb .) || true
	fi
	[ -f "$dir$1" ] && PROFILE=$dir$1 && return
	fail "$1 is missing: apt-get install -y $2 (or set ${3:-the path})"
}

# start_agent ERRNO [NAME]: runs tests/tools' seccomp_agent in the background
# on $TESTDIR/NAME.sock, writing what it receives to $TESTDIR/NAME.json;
# returns once it listens.  Sets AGENT_SOCK, AGENT_STATE, AGENT_PID.
start_agent() {
	local name=${2:-agent}
	[ -x "$SECCOMP_AGENT" ] || fail "$SECCOMP_AGENT is missing: build it (ninja -C build)" || return
	AGENT_SOCK=$TESTDIR/$name.sock
	AGENT_STATE=$TESTDIR/$name.json
	rm -f "$AGENT_SOCK" "$AGENT_STATE"
	bg_tagged "$SECCOMP_AGENT" "$AGENT_SOCK" "$AGENT_STATE" "$1" </dev/null >"$TESTDIR/$name.out" 2>&1
	AGENT_PID=$BG_PID
	wait_for 20 test -S "$AGENT_SOCK" || fail "the seccomp agent does not listen: $(cat "$TESTDIR/$name.out")"
}

# ---------------------------------------------------------------------------
# Processes and files.

# proc_stat_field PID N: field N of /proc/PID/stat (counted after the comm,
# as proc(5) numbers them).
proc_stat_field() {
	local s
	s=$(cat "/proc/$1/stat") || return
	s=${s##*) }
	# field 3 is the first after the comm
	awk -v n="$(($2 - 2))" '{ print $n }' <<<"$s"
}

# dev_ino PATH: "dev:ino" of what PATH resolves to.
dev_ino() {
	stat -L -c '%d:%i' "$1"
}

# ---------------------------------------------------------------------------
# Setup.

# security_setup: setup_test, and a cgroup of the test's own.  Without a
# cgroupsPath husk puts a container in husk/<id>, which every concurrently
# running test's "c1" would share (and `delete -f` of one would kill the
# others' processes).
security_setup() {
	setup_test || return
	set_cgroup
}

# set_cgroup [NAME]: linux.cgroupsPath of the test (and NAME), for
# containers of one bundle that live at the same time.
set_cgroup() {
	update_config '.linux.cgroupsPath = $p' --arg p "husk-test/$TAG${1:+/$1}"
}
