#!/usr/bin/env bats
# `husk features` (runtime-spec features.md) checked against what husk
# really does: every namespace, seccomp action, operator and architecture,
# and every mount option it lists is tried in a container; and the engine
# flags runc accepts (--systemd-cgroup, --criu, --rootless, --no-subreaper).

load helpers
load helpers_security

setup() {
	setup_test
}

teardown() {
	teardown_test
}

features() {
	"$HUSK" features
}

@test "features: the document's fields, hooks and what the host knows" {
	run -0 features
	echo "$output" >"$TESTDIR/f.json"
	jq -e '.ociVersionMin == "1.0.0" and (.ociVersionMax | startswith("1."))' "$TESTDIR/f.json"
	[ "$(jq -c .hooks "$TESTDIR/f.json")" = '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' ]
	# every capability of the running kernel, by name, in order
	last=$(cat /proc/sys/kernel/cap_last_cap)
	[ "$(jq '.linux.capabilities | length' "$TESTDIR/f.json")" -eq $((last + 1)) ]
	[ "$(jq -r '.linux.capabilities[0]' "$TESTDIR/f.json")" = CAP_CHOWN ]
	[ "$(jq -r '.linux.capabilities[21]' "$TESTDIR/f.json")" = CAP_SYS_ADMIN ]
	# the libseccomp husk runs with
	v=$(dpkg-query -W -f '${Version}' libseccomp2)
	want=${v%%-*}
	[ "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' "$TESTDIR/f.json")" = "$want" ]
	jq -e '.linux.seccomp.enabled and .linux.cgroup.v1 and .linux.cgroup.v2' "$TESTDIR/f.json"
	jq -e '.linux.mountExtensions.idmap.enabled' "$TESTDIR/f.json"
	# the LSMs this host has (none here: asking for one is an error, see
	# process.bats)
	aa=false
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && aa=true
	[ "$(jq .linux.apparmor.enabled "$TESTDIR/f.json")" = "$aa" ]
	se=false
	[ -e /sys/fs/selinux/enforce ] && se=true
	[ "$(jq .linux.selinux.enabled "$TESTDIR/f.json")" = "$se" ]
}

@test "features: every namespace listed is created, and differs from the host's" {
	mapfile -t nss < <(features | jq -r '.linux.namespaces[]')
	[ "${#nss[@]}" -eq 8 ] || fail "namespaces: ${nss[*]}"
	json=$(printf '%s\n' "${nss[@]}" | jq -R '{type: .}' | jq -s -c .)
	update_config '.linux.namespaces = $n
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(select(.destination != "/out" and .type != "cgroup"))' --argjson n "$json"
	names=""
	for ns in "${nss[@]}"; do
		f=$ns
		[ "$ns" = network ] && f=net
		[ "$ns" = mount ] && f=mnt
		names="$names $f"
	done
	set_cmd "for n in $names; do echo \$n \$(readlink /proc/self/ns/\$n); done"
	hrun run_ctr c1
	[ "$status" -eq 0 ] || fail "run with every namespace: $status: $stderr"
	[ "${#lines[@]}" -eq 8 ] || fail "output: $output"
	for l in "${lines[@]}"; do
		set -- $l
		[ "$2" != "$(host_ns "$1")" ] || fail "the $1 namespace is the host's: $2"
	done
	assert_clean
}

# seccomp_try PROFILE: a container under PROFILE runs `true`.
seccomp_try() {
	set_seccomp "$1"
	hrun run_ctr "c$N"
	N=$((N + 1))
	[ "$status" -eq 0 ] || fail "profile $1: $status: $stderr"
}

@test "features: every seccomp action, operator and architecture listed is accepted" {
	N=1
	set_args true
	# NOTIFY needs a listener: seccomp.bats runs it with one.
	for a in $(features | jq -r '.linux.seccomp.actions[] | select(. != "SCMP_ACT_NOTIFY")'); do
		seccomp_try "$(jq -n -c --arg a "$a" '{defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["acct"], action: $a}]}')"
	done
	for op in $(features | jq -r '.linux.seccomp.operators[]'); do
		seccomp_try "$(jq -n -c --arg op "$op" '{defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["acct"], action: "SCMP_ACT_ERRNO",
				args: [{index: 0, value: 1, valueTwo: 1, op: $op}]}]}')"
	done
	for arch in $(features | jq -r '.linux.seccomp.archs[]'); do
		seccomp_try "$(jq -n -c --arg arch "$arch" '{defaultAction: "SCMP_ACT_ALLOW",
			architectures: [$arch], syscalls: [{names: ["acct"], action: "SCMP_ACT_ERRNO"}]}')"
	done
	for flag in $(features | jq -r '.linux.seccomp.supportedFlags[]'); do
		seccomp_try "$(jq -n -c --arg f "$flag" '{defaultAction: "SCMP_ACT_ALLOW", flags: [$f],
			syscalls: [{names: ["acct"], action: "SCMP_ACT_ERRNO"}]}')"
	done
	assert_clean
}

@test "features: every mount option listed works on a tmpfs (or a bind)" {
	mapfile -t opts < <(features | jq -r '.mountOptions[]')
	[ "${#opts[@]}" -gt 40 ] || fail "mountOptions: ${opts[*]}"
	set_cmd 'grep " /m " /proc/self/mountinfo'
	N=1
	for o in "${opts[@]}"; do
		case $o in
		# "remount" changes a mount that is there: a second entry on
		# the same destination; idmap needs mappings (mounts.bats)
		remount)
			entry='[{destination: "/m", type: "tmpfs", source: "tmpfs"},
				{destination: "/m", type: "tmpfs", source: "tmpfs", options: ["remount", "ro"]}]' ;;
		idmap) continue ;;
		bind | rbind)
			entry='[{destination: "/m", type: "bind", source: "/etc", options: [$o]}]' ;;
		*)
			entry='[{destination: "/m", type: "tmpfs", source: "tmpfs", options: [$o]}]' ;;
		esac
		update_config ".mounts |= map(select(.destination != \"/m\")) | .mounts += $entry" --arg o "$o"
		hrun run_ctr "c$N"
		N=$((N + 1))
		[ "$status" -eq 0 ] || fail "mount option $o: $status: $stderr"
		[ -n "$output" ] || fail "mount option $o: nothing at /m"
	done
	assert_clean
}

@test "engine flags: --criu, --rootless and --no-subreaper are accepted" {
	set_args true
	run -0 husk --criu /usr/sbin/criu --rootless false run --bundle "$BUNDLE" c1 </dev/null
	run -0 husk --rootless auto run --no-subreaper --bundle "$BUNDLE" c2 </dev/null
	run -0 husk --rootless=true list -q
	hrun husk --rootless maybe list
	[ "$status" -ne 0 ] && [[ "$stderr" == "husk: "*rootless* ]] || fail "--rootless maybe: $status: $stderr"
	assert_clean
}

@test "engine flags: --systemd-cgroup follows what features says of systemd" {
	sd=$(features | jq .linux.cgroup.systemd)
	set_args true
	update_config 'del(.linux.cgroupsPath)'
	hrun husk --systemd-cgroup run --bundle "$BUNDLE" c1
	if [ -d /run/systemd/system ] && [ "$sd" = true ]; then
		[ "$status" -eq 0 ] || fail "--systemd-cgroup with systemd running: $status: $stderr"
	else
		# a clear error, and nothing left behind
		[ "$status" -ne 0 ] || fail "--systemd-cgroup worked without systemd"
		[[ "$stderr" == "husk: "*systemd* ]] || fail "stderr: $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	fi
	assert_clean
}
