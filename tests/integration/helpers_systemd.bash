#!/bin/bash
# A systemd for the tests of the systemd cgroup driver (systemd.bats).
#
# Where systemd runs the host (/run/systemd/system), the tests use it.
# Elsewhere, on a cgroup v1 or hybrid host where root may mount and the
# systemd binary is installed, systemd_setup_file boots systemd as PID 1 of
# a husk container, "the box": the host's /usr read-only, a small /etc of
# its own, tmpfs /run and /var, a cgroup namespace and its own cgroup
# (of each hierarchy on v1) bound read-write, and the test directories (and
# husk) at their host paths.  The tests then run husk and systemctl inside
# it with `in_systemd`: through `husk exec` on v1; on v2, where nothing may
# join the box's root cgroup once systemd has delegated controllers below
# it, with nsenter from a leaf cgroup of the box's own ("husk-exec").
#
# After systemd_setup_file, SD_SKIP is the reason the tests cannot run, or "".

SD_BOX_CGROUP_PARENT=husk-sdbox

systemd_setup_file() {
	export SD_SKIP="" SD_BOX_DIR="" SD_BOX_ID="" SD_BOX_PID="" SD_BOX_V2=""
	if [ -d /run/systemd/system ]; then
		return 0
	fi
	local why
	why=$(sd_box_unusable) && { SD_SKIP="systemd is not running here ($why)"; return 0; }
	ensure_rootfs >/dev/null || { SD_SKIP="no busybox rootfs"; return 0; }
	SD_BOX_DIR=$(mktemp -d "${HUSK_TEST_TMP:-/tmp}/husk-sdbox.XXXXXX") || return
	SD_BOX_ID=${SD_BOX_DIR##*/}
	if ! sd_box_start >"$SD_BOX_DIR/setup.log" 2>&1; then
		SD_SKIP="systemd is not running here, and booting it in a husk container failed: $(tail -3 "$SD_BOX_DIR/setup.log" | tr '\n' ' ')"
		systemd_teardown_file
		SD_BOX_DIR="" SD_BOX_ID=""
	fi
}

# Prints why the box cannot be made here (and succeeds), or fails.
sd_box_unusable() {
	if [ "$(id -u)" != 0 ]; then
		echo "and the box needs root"
	elif [ ! -x /lib/systemd/systemd ]; then
		echo "and /lib/systemd/systemd, to boot in a container, is not installed"
	elif [ -e /sys/fs/cgroup/cgroup.controllers ] && ! nsenter --help 2>&1 | grep -q -- --all; then
		echo "and the box on cgroup v2 needs util-linux nsenter"
	else
		return 1
	fi
}

# The bounding set of this process, by name (the box gets all of it).
sd_host_caps() {
	local bnd names
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	names=$("$HUSK" features | jq -c '.linux.capabilities') || return
	jq -nc --argjson names "$names" --arg bnd "$bnd" '
		($bnd | ascii_downcase | explode | map(if . >= 97 then . - 87 else . - 48 end)
		 | reduce .[] as $d (0; . * 16 + $d)) as $mask
		| [range(0; $names | length) as $i
		   | select((($mask / pow(2; $i)) | floor) % 2 == 1) | $names[$i]]'
}

sd_box_start() {
	local b=$SD_BOX_DIR/bundle r=$SD_BOX_DIR/bundle/rootfs caps tmp husk_dir hier
	mkdir -p "$r"/{usr,etc/systemd/system,run,tmp,var,proc,sys,dev,root}
	ln -s usr/bin "$r/bin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s usr/sbin "$r/sbin"
	cp /etc/passwd /etc/group "$r/etc/"
	ln -s ../usr/lib/os-release "$r/etc/os-release"
	echo "$(printf '%s' "$SD_BOX_ID" | md5sum | cut -c1-32)" >"$r/etc/machine-id"
	# The only unit it starts: the manager and nothing else.
	printf '[Unit]\nDescription=husk test box\n' >"$r/etc/systemd/system/husk-box.target"
	"$HUSK" spec --bundle "$b" || return
	caps=$(sd_host_caps) || return
	tmp=$(cd "${HUSK_TEST_TMP:-/tmp}" && pwd -P)
	husk_dir=$(cd "$(dirname "$HUSK")" && pwd -P)
	# v1: a bind per hierarchy; v2: the box's cgroup is its /sys/fs/cgroup.
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		SD_BOX_V2=1
		hier='[""]'
	else
		hier=$(ls /sys/fs/cgroup | jq -R . | jq -sc .)
	fi
	jq --argjson caps "$caps" --argjson hier "$hier" --arg tmp "$tmp" --arg husk "$husk_dir" \
		--arg cg "/$SD_BOX_CGROUP_PARENT/$SD_BOX_ID" '
		.process.terminal = false
		| .process.args = ["/lib/systemd/systemd", "--unit=husk-box.target"]
		| .process.env += ["container=husk"]
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .process.noNewPrivileges = false
		| .root.readonly = false
		| .linux.cgroupsPath = $cg
		| del(.linux.seccomp) | del(.linux.maskedPaths) | del(.linux.readonlyPaths)
		| .linux.namespaces += [{type: "cgroup"}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup" and .destination != "/sys"))
		| .mounts += [
			{destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
			(if $hier == [""] then empty else
			 {destination: "/sys/fs/cgroup", type: "tmpfs", source: "tmpfs", options: ["nosuid", "noexec", "nodev", "mode=755"]} end),
			{destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
			{destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=755"]},
			{destination: "/var", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=755"]},
			{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]},
			{destination: $tmp, type: "bind", source: $tmp, options: ["bind", "rw"]},
			{destination: $husk, type: "bind", source: $husk, options: ["bind", "ro"]}]
		| .mounts += [$hier[] | (if . == "" then "" else "/" + . end) as $h
			| {destination: ("/sys/fs/cgroup" + $h), type: "bind",
			   source: ("/sys/fs/cgroup" + $h + $cg), options: ["bind", "rw", "nosuid", "noexec", "nodev"]}]' \
		"$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json" || return
	# (The bind sources, the box's cgroup of each hierarchy, are made by
	# husk before it mounts anything.)
	"$HUSK" --root "$SD_BOX_DIR/state" run -d --bundle "$b" "$SD_BOX_ID" </dev/null \
		>"$SD_BOX_DIR/box.log" 2>&1 || { cat "$SD_BOX_DIR/box.log"; return 1; }
	SD_BOX_PID=$("$HUSK" --root "$SD_BOX_DIR/state" state "$SD_BOX_ID" | jq .pid) || return
	local i state
	for i in $(seq 100); do
		state=$(in_systemd systemctl is-system-running 2>/dev/null </dev/null) || true
		case $state in
		running | degraded) return 0 ;;
		esac
		sleep 0.1
	done
	echo "systemd in the box did not come up (is-system-running: ${state:-nothing})"
	return 1
}

systemd_teardown_file() {
	[ -n "${SD_BOX_DIR:-}" ] && [ -d "$SD_BOX_DIR" ] || return 0
	timeout 20 "$HUSK" --root "$SD_BOX_DIR/state" delete -f "$SD_BOX_ID" </dev/null >/dev/null 2>&1
	# systemd made cgroups inside the box's: deepest first, then the box's.
	local d
	for d in $(find /sys/fs/cgroup/"$SD_BOX_CGROUP_PARENT/$SD_BOX_ID" \
		/sys/fs/cgroup/*/"$SD_BOX_CGROUP_PARENT/$SD_BOX_ID" -depth -type d 2>/dev/null); do
		rmdir "$d" 2>/dev/null || true
	done
	timeout 20 "$HUSK" --root "$SD_BOX_DIR/state" delete -f "$SD_BOX_ID" </dev/null >/dev/null 2>&1 || true
	for d in /sys/fs/cgroup/"$SD_BOX_CGROUP_PARENT" /sys/fs/cgroup/*/"$SD_BOX_CGROUP_PARENT"; do
		rmdir "$d" 2>/dev/null || true
	done
	rm -rf --one-file-system "$SD_BOX_DIR"
}

# in_systemd CMD...: runs CMD where systemd is: here, or in the box.
in_systemd() {
	if [ -z "${SD_BOX_ID:-}" ]; then
		"$@"
		return
	fi
	if [ -z "$SD_BOX_V2" ]; then
		"$HUSK" --root "$SD_BOX_DIR/state" exec -e "HUSK_TEST_TAG=${TAG:-}" --cwd / "$SD_BOX_ID" "$@"
		return
	fi
	# (Made here, not at boot: systemd trims the empty cgroups it finds
	# when it starts.)
	local leaf=/sys/fs/cgroup/$SD_BOX_CGROUP_PARENT/$SD_BOX_ID/husk-exec
	(
		mkdir -p "$leaf" && echo "$BASHPID" >"$leaf/cgroup.procs" &&
			HUSK_TEST_TAG=${TAG:-} exec nsenter -t "$SD_BOX_PID" -a -r -w "$@"
	)
}
