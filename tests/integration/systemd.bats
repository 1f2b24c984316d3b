#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): a transient scope unit per
# container, its resources as unit properties and cgroup files, update,
# delete.  The tests that need systemd run where it is (the host's, or one
# booted in a husk container: helpers_systemd.bash) and are skipped, with
# the reason, where neither can be had.

load helpers
load helpers_systemd

setup_file() {
	systemd_setup_file
}

teardown_file() {
	systemd_teardown_file
}

setup() {
	setup_test
	# Unit and slice names of this test: [A-Za-z0-9] only.
	SUF=${TAG##*.}
	SLICES=()
}

teardown() {
	local d
	if [ -z "${SD_SKIP:-}" ] && [ -d "$ROOT" ]; then
		for d in "$ROOT"/*; do
			[ -e "$d" ] || continue
			in_systemd timeout 10 "$HUSK" --root "$ROOT" delete -f "${d##*/}" </dev/null >/dev/null 2>&1 || true
		done
		for d in "${SLICES[@]}"; do
			in_systemd systemctl stop "$d" </dev/null >/dev/null 2>&1 || true
		done
	fi
	teardown_test
}

need_systemd() {
	[ -z "$SD_SKIP" ] || skip "$SD_SKIP"
}

# sdhusk ARGS...: husk --systemd-cgroup with the test's --root, where systemd is.
sdhusk() {
	in_systemd timeout --foreground -k 5 "$HUSK_TEST_TIMEOUT" "$HUSK" --root "$ROOT" --systemd-cgroup "$@"
}

# sd_run ID: husk --systemd-cgroup run -d, stdio to $TESTDIR/ID.std*.
sd_run() {
	sdhusk run -d --bundle "$BUNDLE" "$1" </dev/null >"$TESTDIR/$1.stdout" 2>"$TESTDIR/$1.stderr" ||
		fail "run -d $1 failed: $(cat "$TESTDIR/$1.stderr")"
}

# prop UNIT NAME: a property of a unit as systemctl shows it.
prop() {
	in_systemd systemctl show -p "$2" --value "$1" </dev/null
}

# sd_status ID: the status of a container, as husk sees it where systemd is.
sd_status() {
	sdhusk state "$1" </dev/null 2>/dev/null | jq -r .status
}

sd_status_is() {
	[ "$(sd_status "$1")" = "$2" ]
}

cgroup_v2() {
	[ -e /sys/fs/cgroup/cgroup.controllers ]
}

# cgfile CGROUP CONTROLLER FILE: a cgroup file, where systemd is.
cgfile() {
	if cgroup_v2; then
		in_systemd cat "/sys/fs/cgroup$1/$3" </dev/null
	else
		in_systemd cat "/sys/fs/cgroup/$2$1/$3" </dev/null
	fi
}

# no_cgroup CGROUP: the cgroup is gone from every hierarchy.
no_cgroup() {
	local left
	left=$(in_systemd sh -c 'ls -d /sys/fs/cgroup/*"$1" /sys/fs/cgroup"$1" 2>/dev/null; true' sh "$1" </dev/null)
	[ -z "$left" ] || fail "cgroup left behind: $left"
}

unit_gone() {
	[ "$(prop "$1" LoadState)" = not-found ] || fail "unit $1 is still loaded: $(prop "$1" ActiveState)"
}

@test "features: \"systemd\" says whether this husk has the driver" {
	run -0 husk features
	local sd
	sd=$(jq -r .linux.cgroup.systemd <<<"$output")
	# The driver dlopens libsystemd.so.0 on first use: the name is in the
	# binary when it has the driver.
	if grep -q libsystemd.so.0 "$HUSK"; then
		[ "$sd" = true ]
	else
		[ "$sd" = false ]
	fi
}

@test "husk starts without libsystemd: only the systemd driver loads it" {
	run -0 ldd "$HUSK"
	if grep libsystemd <<<"$output"; then
		fail "husk links libsystemd: $output"
	fi
}

@test "--systemd-cgroup where systemd does not run: one line, nothing left" {
	[ ! -d /run/systemd/system ] || skip "systemd runs on this host"
	hrun husk_logged --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_husk_error 'systemd is not running on this host'
	assert_clean
}

@test "without --systemd-cgroup, a slice:prefix:name cgroupsPath is refused, pointing at the flag" {
	update_config '.linux.cgroupsPath = "system.slice:husk:c1"'
	hrun husk_logged run --bundle "$BUNDLE" c1
	assert_husk_error 'needs --systemd-cgroup'
	assert_clean
}

@test "default cgroupsPath: unit husk-<id>.scope in system.slice, delegated, gone after delete" {
	need_systemd
	local id=sd$SUF unit=husk-sd$SUF.scope cg=/system.slice/husk-sd$SUF.scope
	update_config '.linux.cgroupsPath = ""'
	set_args sleep 100
	sd_run "$id"
	run -0 jq -r '.cgroupPath + " " + .systemdUnit' "$ROOT/$id/state.json"
	[ "$output" = "$cg $unit" ]
	[ "$(prop "$unit" ActiveState)" = active ]
	[ "$(prop "$unit" Slice)" = system.slice ]
	[ "$(prop "$unit" Delegate)" = yes ]
	[ "$(prop "$unit" ControlGroup)" = "$cg" ]
	pid=$(sdhusk state "$id" </dev/null | jq .pid)
	run -0 cgfile "$cg" pids cgroup.procs
	[ "$output" = "$pid" ]
	# Every hierarchy, systemd's or not (v1), holds it at the same path.
	run -0 in_systemd cat "/proc/$pid/cgroup"
	! grep -v ":$cg\$" <<<"$output" || fail "not in $cg everywhere: $output"

	run -0 sdhusk delete -f "$id"
	unit_gone "$unit"
	no_cgroup "$cg"
	[ ! -e "$ROOT/$id" ]
}

@test "slice:prefix:name: a nested slice is expanded, the scope is <prefix>-<name>.scope" {
	need_systemd
	local top=hsd$SUF
	SLICES+=("$top.slice")
	update_config '.linux.cgroupsPath = $p' --arg p "$top-inner.slice:pre:nm$SUF"
	set_args sleep 100
	sd_run c1
	local cg=/$top.slice/$top-inner.slice/pre-nm$SUF.scope
	[ "$(prop "pre-nm$SUF.scope" ControlGroup)" = "$cg" ]
	[ "$(prop "pre-nm$SUF.scope" Slice)" = "$top-inner.slice" ]
	run -0 jq -r .cgroupPath "$ROOT/c1/state.json"
	[ "$output" = "$cg" ]
	run -0 sdhusk delete -f c1
	unit_gone "pre-nm$SUF.scope"
	no_cgroup "$cg"
}

@test "resources: what systemd knows becomes unit properties, all of it cgroup files" {
	need_systemd
	local unit=u$SUF.scope cg=/system.slice/u$SUF.scope
	update_config '.linux.cgroupsPath = $p
		| .linux.resources = {memory: {limit: 33554432, reservation: 16777216}, pids: {limit: 20},
		                      cpu: {shares: 512, quota: 50000, period: 100000}}' --arg p "system.slice::u$SUF"
	set_args sleep 100
	sd_run c1
	[ "$(prop "$unit" TasksMax)" = 20 ]
	[ "$(prop "$unit" CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(prop "$unit" CPUQuotaPeriodUSec)" = 100ms ]
	[ "$(cgfile "$cg" pids pids.max)" = 20 ]
	if cgroup_v2; then
		[ "$(prop "$unit" MemoryMax)" = 33554432 ]
		[ "$(prop "$unit" MemoryLow)" = 16777216 ]
		# runc's shares → weight: 512 → 20
		[ "$(prop "$unit" CPUWeight)" = 20 ]
		[ "$(cgfile "$cg" memory memory.max)" = 33554432 ]
		[ "$(cgfile "$cg" memory memory.low)" = 16777216 ]
		[ "$(cgfile "$cg" cpu cpu.weight)" = 20 ]
		[ "$(cgfile "$cg" cpu cpu.max)" = "50000 100000" ]
	else
		[ "$(prop "$unit" MemoryLimit)" = 33554432 ]
		[ "$(prop "$unit" CPUShares)" = 512 ]
		[ "$(cgfile "$cg" memory memory.limit_in_bytes)" = 33554432 ]
		# No property on v1: the file writer's alone.
		[ "$(cgfile "$cg" memory memory.soft_limit_in_bytes)" = 16777216 ]
		[ "$(cgfile "$cg" cpu cpu.shares)" = 512 ]
		[ "$(cgfile "$cg" cpu cpu.cfs_quota_us)" = 50000 ]
	fi
	run -0 sdhusk delete -f c1
	unit_gone "$unit"
	no_cgroup "$cg"
}

@test "update: properties and files change, and stay when systemd reapplies the unit" {
	need_systemd
	local unit=u$SUF.scope cg=/system.slice/u$SUF.scope mem=memory.limit_in_bytes memprop=MemoryLimit
	if cgroup_v2; then
		mem=memory.max memprop=MemoryMax
	fi
	update_config '.linux.cgroupsPath = $p | .linux.resources = {memory: {limit: 33554432}, pids: {limit: 20}}' \
		--arg p "system.slice::u$SUF"
	set_args sleep 100
	sd_run c1
	run -0 sdhusk update --memory 67108864 --pids-limit 30 c1
	[ "$(prop "$unit" "$memprop")" = 67108864 ]
	[ "$(prop "$unit" TasksMax)" = 30 ]
	[ "$(cgfile "$cg" memory "$mem")" = 67108864 ]
	[ "$(cgfile "$cg" pids pids.max)" = 30 ]
	# Any property change makes systemd write the unit's cgroup again,
	# from its properties: the update must be among them.
	run -0 in_systemd systemctl set-property --runtime "$unit" CPUAccounting=yes
	[ "$(cgfile "$cg" memory "$mem")" = 67108864 ]
	[ "$(cgfile "$cg" pids pids.max)" = 30 ]
	# A file-only resource of an update reaches the file too.
	run -0 sdhusk update --cpu-share 256 c1
	if cgroup_v2; then
		[ "$(cgfile "$cg" cpu cpu.weight)" = 10 ]
	else
		[ "$(cgfile "$cg" cpu cpu.shares)" = 256 ]
	fi
	run -0 sdhusk delete -f c1
	unit_gone "$unit"
}

@test "pause, resume, ps, exec and kill work on a systemd container" {
	need_systemd
	update_config '.linux.cgroupsPath = $p' --arg p "system.slice::u$SUF"
	set_args sleep 100
	sd_run c1
	pid=$(sdhusk state c1 </dev/null | jq .pid)
	run -0 sdhusk pause c1
	[ "$(sd_status c1)" = paused ]
	run -0 sdhusk resume c1
	[ "$(sd_status c1)" = running ]
	run -0 sdhusk ps --format json c1
	[ "$output" = "[$pid]" ]
	# exec joins the scope's cgroup: ps (its cgroup.procs) lists it too.
	sdhusk exec -d c1 sleep 50 </dev/null >/dev/null 2>&1
	run -0 sdhusk ps --format json c1
	[ "$(jq length <<<"$output")" = 2 ] || fail "ps after exec: $output"
	run -0 sdhusk kill c1 KILL
	wait_for 5 sd_status_is c1 stopped
	run -0 sdhusk delete c1
	unit_gone "u$SUF.scope"
	no_cgroup "/system.slice/u$SUF.scope"
}

@test "a container whose program exits: systemd drops the scope, delete still cleans up" {
	need_systemd
	update_config '.linux.cgroupsPath = $p' --arg p "system.slice::u$SUF"
	set_args true
	sd_run c1
	wait_for 5 sd_status_is c1 stopped
	run -0 sdhusk delete c1
	unit_gone "u$SUF.scope"
	no_cgroup "/system.slice/u$SUF.scope"
	[ ! -e "$ROOT/c1" ]
}

@test "a unit name already taken: refused in one line, the other container untouched" {
	need_systemd
	update_config '.linux.cgroupsPath = $p' --arg p "system.slice::u$SUF"
	set_args sleep 100
	sd_run c1
	hrun sdhusk --log "$LOG" --log-format json run -d --bundle "$BUNDLE" c2
	assert_husk_error "u$SUF\\.scope"
	[ ! -e "$ROOT/c2" ]
	[ "$(prop "u$SUF.scope" ActiveState)" = active ]
	[ "$(sd_status c1)" = running ]
	run -0 sdhusk delete -f c1
	unit_gone "u$SUF.scope"
}

@test "cgroupsPath forms the systemd driver refuses: one line each, nothing left" {
	need_systemd
	local p
	for p in "/husk/abs" "system.slice:two" "a:b:c:d" "system.slice:p:" "system:p:n" "a--b.slice:p:n" \
		"system.slice:p:n.slice"; do
		update_config '.linux.cgroupsPath = $p' --arg p "$p"
		rm -f "$LOG"
		hrun sdhusk --log "$LOG" --log-format json run -d --bundle "$BUNDLE" c1
		assert_husk_error "cgroupsPath \"$p\"" || fail "for cgroupsPath $p"
		[ ! -e "$ROOT/c1" ] || fail "state left for $p"
	done
}
