#!/usr/bin/env bats
# The namespace cross-product of issue 13.3: every /proc write husk does
# for a container (uid_map/gid_map, oom_score_adj, timens_offsets,
# /proc/sys) works with every mapping of a user namespace (none, shifted
# 0 100000 65536, host identity 0 0 65536, a single id 0 -> 100000), with
# a time namespace without and with linux.timeOffsets, and with every
# subset of the pid, network, ipc, uts and cgroup namespaces (the mount
# namespace always), with and without noNewPrivileges.  Each combination
# reads the effects back inside the container; a test lists every failing
# combination by name.

load helpers
load helpers_fs

setup() {
	setup_fs
}

teardown() {
	teardown_test
}

OPT_NS=(pid network ipc uts cgroup)

# mapping_json NAME: the uid/gid mapping of a user namespace of that kind.
mapping_json() {
	case $1 in
	shifted) echo '[{"containerID": 0, "hostID": 100000, "size": 65536}]' ;;
	identity) echo '[{"containerID": 0, "hostID": 0, "size": 65536}]' ;;
	single) echo '[{"containerID": 0, "hostID": 100000, "size": 1}]' ;;
	*) echo null ;;
	esac
}

# combo_configs MAPPING TIME: the 32 configs (one compact JSON line each,
# mask 0..31 in order) from $TESTDIR/base.json, in one jq run.  Bit i of
# the mask picks OPT_NS[i]; combination number idx = mask + 1 varies the
# values set.  Where a user namespace cannot mount a filesystem of a
# namespace it does not own (proc without a pid namespace, sysfs without a
# network namespace, mqueue without an ipc namespace), the host's is bound
# instead, as engines do for rootless containers (no mqueue at all when
# the host has none mounted).
combo_configs() {
	local host_mqueue=false
	mountpoint -q /dev/mqueue && host_mqueue=true
	jq -c --argjson host_mqueue $host_mqueue --arg mapping "$1" --argjson map "$(mapping_json "$1")" --arg time "$2" \
		--argjson opt "$(printf '%s\n' "${OPT_NS[@]}" | jq -R . | jq -sc .)" '
		def bind($d): {"destination": $d, "type": "bind", "source": $d, "options": ["rbind", "nosuid", "noexec", "nodev"]};
		. as $base | range(32) as $mask | ($mask + 1) as $idx
		| [range(5) | select((($mask / pow(2; .)) | floor) % 2 == 1) | $opt[.]] as $ns
		| def has($t): $ns | index($t) != null;
		$base
		| .linux.namespaces = ([{"type": "mount"}] + ($ns | map({"type": .})))
		| .linux.sysctl = ({}
			+ (if has("network") then {"net.ipv4.ip_unprivileged_port_start": "\(1000 + $idx)"} else {} end)
			+ (if has("ipc") then {"kernel.msgmax": "\(8000 + $idx)", "kernel.sem": "250 32000 32 \(128 + $idx)",
				"fs.mqueue.msg_max": "\(20 + $idx)"} else {} end)
			+ (if has("uts") then {"kernel.domainname": "d\($idx).example"} else {} end))
		| .process.oomScoreAdj = (100 + $idx)
		| .process.noNewPrivileges = ($idx % 4 < 2)
		| if has("uts") then .hostname = "h\($idx)" else del(.hostname) end
		| if $time == "none" then .
		  else .linux.namespaces += [{"type": "time"}]
		  | if $time == "offsets" then .linux.timeOffsets = {"monotonic": {"secs": (3600 + $idx), "nanosecs": 7},
			"boottime": {"secs": (864000 + $idx), "nanosecs": 0}} else . end end
		| if $mapping == "none" then .
		  else .linux.namespaces += [{"type": "user"}] | .linux.uidMappings = $map | .linux.gidMappings = $map
		  # one id: no tty group to give /dev/pts (as `husk spec --rootless`)
		  | if $mapping == "single" then .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end) else . end
		  | if has("pid") then . else .mounts |= map(if .type == "proc" then bind("/proc") else . end) end
		  | if has("network") then . else .mounts |= map(if .type == "sysfs" then bind("/sys") else . end) end
		  | if has("ipc") then . else .mounts |= map(if .type == "mqueue" then bind("/dev/mqueue") else . end)
		    | if $host_mqueue then . else .mounts |= map(select(.destination != "/dev/mqueue")) end end
		  end' "$TESTDIR/base.json"
}

# The script every combination runs: "key=value" lines, whitespace
# squeezed (the kernel pads uid_map and timens_offsets, tabs kernel.sem).
COMBO_SCRIPT='r() { printf "%s=%s\n" "$1" "$(tr -s " \t\n" "   " <"$2" | sed "s/^ //; s/ $//")"; }
r uid_map /proc/self/uid_map
r gid_map /proc/self/gid_map
echo "uid=$(id -u)"
r oom /proc/self/oom_score_adj
echo "nnp=$(sed -n "s/^NoNewPrivs:[[:space:]]*//p" /proc/self/status)"
r port /proc/sys/net/ipv4/ip_unprivileged_port_start
r msgmax /proc/sys/kernel/msgmax
r sem /proc/sys/kernel/sem
r mq /proc/sys/fs/mqueue/msg_max
echo "hostname=$(hostname)"
r domainname /proc/sys/kernel/domainname
r offsets /proc/self/timens_offsets
echo "uptime=$(cut -d. -f1 /proc/uptime)"
for n in user pid net ipc uts cgroup time; do echo "ns.$n=$(readlink /proc/self/ns/$n)"; done'

squeeze() {
	tr -s ' \t\n' '   ' <"$1" | sed 's/^ //; s/ $//'
}

# host_facts: what a container sees of the host where it shares a
# namespace with it (H[key], the same keys as COMBO_SCRIPT's).
host_facts() {
	declare -gA H=()
	H[uid_map]=$(squeeze /proc/self/uid_map)
	H[gid_map]=$(squeeze /proc/self/gid_map)
	H[port]=$(squeeze /proc/sys/net/ipv4/ip_unprivileged_port_start)
	H[msgmax]=$(squeeze /proc/sys/kernel/msgmax)
	H[sem]=$(squeeze /proc/sys/kernel/sem)
	H[mq]=$(squeeze /proc/sys/fs/mqueue/msg_max)
	H[hostname]=$(hostname)
	H[domainname]=$(squeeze /proc/sys/kernel/domainname)
	local n
	for n in user pid net ipc uts cgroup time; do
		H[ns.$n]=$(readlink /proc/self/ns/$n)
	done
}

# combo_expect MAPPING TIME MASK IDX: the lines COMBO_SCRIPT must print
# (without uptime, checked apart; a namespace link of the container's own
# as "new"), in WANT.  (No subshells: a fork costs tens of ms under bats.)
combo_expect() {
	WANT=''
	local mapping=$1 time=$2 mask=$3 idx=$4 i n own=" mnt "
	echo() { WANT+="$*"$'\n'; }
	for i in "${!OPT_NS[@]}"; do
		(((mask >> i) & 1)) && own+="${OPT_NS[$i]/network/net} "
	done
	[ "$mapping" != none ] && own+="user "
	[ "$time" != none ] && own+="time "
	case $mapping in
	none) echo "uid_map=${H[uid_map]}" && echo "gid_map=${H[gid_map]}" ;;
	shifted) echo "uid_map=0 100000 65536" && echo "gid_map=0 100000 65536" ;;
	identity) echo "uid_map=0 0 65536" && echo "gid_map=0 0 65536" ;;
	single) echo "uid_map=0 100000 1" && echo "gid_map=0 100000 1" ;;
	esac
	echo "uid=0"
	echo "oom=$((100 + idx))"
	echo "nnp=$(((idx % 4 < 2) ? 1 : 0))"
	[[ $own == *" net "* ]] && echo "port=$((1000 + idx))" || echo "port=${H[port]}"
	if [[ $own == *" ipc "* ]]; then
		echo "msgmax=$((8000 + idx))" && echo "sem=250 32000 32 $((128 + idx))" && echo "mq=$((20 + idx))"
	else
		echo "msgmax=${H[msgmax]}" && echo "sem=${H[sem]}" && echo "mq=${H[mq]}"
	fi
	if [[ $own == *" uts "* ]]; then
		echo "hostname=h$idx" && echo "domainname=d$idx.example"
	else
		echo "hostname=${H[hostname]}" && echo "domainname=${H[domainname]}"
	fi
	if [ "$time" = offsets ]; then
		echo "offsets=monotonic $((3600 + idx)) 7 boottime $((864000 + idx)) 0"
	else
		echo "offsets=monotonic 0 0 boottime 0 0"
	fi
	for n in user pid net ipc uts cgroup time; do
		[[ $own == *" $n "* ]] && echo "ns.$n=new" || echo "ns.$n=${H[ns.$n]}"
	done
	unset -f echo
}

# combo_name MAPPING TIME MASK IDX: NAME, the combination as failures show it.
combo_name() {
	local i
	NAME="user=$1 time=$2 ns=mount"
	for i in "${!OPT_NS[@]}"; do
		((($3 >> i) & 1)) && NAME+=",${OPT_NS[$i]}"
	done
	NAME+=" nnp=$((($4 % 4 < 2) ? 1 : 0)) oom=$((100 + $4))"
}

# run_combos MAPPING TIME: every subset of OPT_NS, each with its own id;
# fails naming each combination whose run or readback was wrong.
run_combos() {
	local mapping=$1 time=$2 mask=0 idx cfg got before after up off k v rest failed=()
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$COMBO_SCRIPT"
	cp "$BUNDLE/config.json" "$TESTDIR/base.json"
	host_facts
	combo_configs "$mapping" "$time" >"$TESTDIR/combos" || fail "jq failed" || return
	while IFS= read -r cfg; do
		idx=$((mask + 1))
		combo_name "$mapping" "$time" "$mask" "$idx"
		echo "$cfg" >"$BUNDLE/config.json"
		read -r before rest </proc/uptime
		hrun husk run --bundle "$BUNDLE" "m$idx"
		read -r after rest </proc/uptime
		before=${before%.*} after=${after%.*}
		mask=$idx
		if [ "$status" -ne 0 ]; then
			failed+=("$NAME: exit $status: $stderr")
			continue
		fi
		got='' up=''
		while IFS='=' read -r k v; do
			case $k in
			uptime) up=$v ;;
			ns.*) [ "$v" = "${H[$k]}" ] && got+="$k=$v"$'\n' || got+="$k=new"$'\n' ;;
			*) got+="$k=$v"$'\n' ;;
			esac
		done <<<"$output"
		off=0
		[ "$time" = offsets ] && off=$((864000 + idx))
		if ! [ "$up" -ge $((before + off)) ] 2>/dev/null || ! [ "$up" -le $((after + off + 1)) ]; then
			failed+=("$NAME: uptime $up inside, host $before..$after, boottime offset $off")
		fi
		combo_expect "$mapping" "$time" "$((idx - 1))" "$idx"
		[ "$got" = "$WANT" ] ||
			failed+=("$NAME: $(diff <(echo "$WANT") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')")
	done <"$TESTDIR/combos"
	[ "$mask" -eq 32 ] || fail "ran $mask combinations, not 32" || return
	if [ ${#failed[@]} -gt 0 ]; then
		printf '%s\n' "${failed[@]}" >&2
		fail "${#failed[@]} of 32 combinations failed"
		return
	fi
	assert_clean
}

requires_timens() {
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this kernel"
}

@test "matrix: no user namespace, no time namespace" {
	run_combos none none
}

@test "matrix: no user namespace, time namespace without offsets" {
	requires_timens
	run_combos none empty
}

@test "matrix: no user namespace, time namespace with offsets" {
	requires_timens
	run_combos none offsets
}

@test "matrix: user namespace 0 100000 65536, no time namespace" {
	run_combos shifted none
}

@test "matrix: user namespace 0 100000 65536, time namespace without offsets" {
	requires_timens
	run_combos shifted empty
}

@test "matrix: user namespace 0 100000 65536, time namespace with offsets" {
	requires_timens
	run_combos shifted offsets
}

@test "matrix: user namespace 0 0 65536 (host identity), no time namespace" {
	run_combos identity none
}

@test "matrix: user namespace 0 0 65536 (host identity), time namespace with offsets" {
	requires_timens
	run_combos identity offsets
}

@test "matrix: user namespace of one id (0 -> 100000), no time namespace" {
	run_combos single none
}

@test "matrix: user namespace of one id (0 -> 100000), time namespace with offsets" {
	requires_timens
	run_combos single offsets
}

# The /proc writes with a joined user namespace: the container process is
# cloned inside it, and its new time, uts, ipc and network namespaces
# belong to it.
@test "joined user namespace (0 100000 65536): new time namespace with offsets, oomScoreAdj, ipc, net and uts sysctls" {
	requires_timens
	userns_config
	set_args sleep 1000
	run_detached a
	pida=$(ctr_pid a)
	[ -n "$pida" ]

	own_cgroup b
	set_ns user "/proc/$pida/ns/user"
	set_ns time
	update_config 'del(.linux.uidMappings) | del(.linux.gidMappings) | .process.oomScoreAdj = 321
		| .linux.timeOffsets = {"monotonic": {"secs": 7200, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}}
		| .hostname = "joined" | .linux.sysctl = {"kernel.domainname": "joined.example", "kernel.msgmax": "9001",
			"net.ipv4.ip_unprivileged_port_start": "1234"}'
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$COMBO_SCRIPT"
	read -r before rest </proc/uptime
	run_ok run_ctr b
	read -r after rest </proc/uptime
	for want in "uid_map=0 100000 65536" "oom=321" "msgmax=9001" "port=1234" "hostname=joined" \
		"domainname=joined.example" "offsets=monotonic 7200 0 boottime 172800 0" \
		"ns.user=$(host_ns user "$pida")"; do
		grep -qxF "$want" <<<"$output" || fail "no \"$want\" in: $output" || return
	done
	up=$(sed -n 's/^uptime=//p' <<<"$output")
	[ "$up" -ge $((${before%.*} + 172800)) ] && [ "$up" -le $((${after%.*} + 172800 + 1)) ] ||
		fail "uptime $up inside, host ${before%.*}..${after%.*}, boottime offset 172800"
	grep -qxF "ns.time=$(host_ns time "$pida")" <<<"$output" && fail "b is in a's time namespace"
	husk delete -f a
	assert_clean
}

# A value below husk's own needs CAP_SYS_RESOURCE over the host, which the
# container process, in a user namespace of its own, never has.
@test "user namespace (0 100000 65536): a negative oomScoreAdj, seen inside and from the host" {
	sh -c 'echo -1 >/proc/self/oom_score_adj' 2>/dev/null ||
		skip "this host's root cannot lower an oom_score_adj (no CAP_SYS_RESOURCE in its bounding set)"
	userns_config
	update_config '.process.oomScoreAdj = -456'
	set_cmd 'cat /proc/self/oom_score_adj; exec sleep 1000'
	run_detached c1
	wait_for 10 test -s "$TESTDIR/c1.stdout"
	[ "$(cat "$TESTDIR/c1.stdout")" = -456 ]
	[ "$(cat "/proc/$(ctr_pid c1)/oom_score_adj")" = -456 ]
	husk delete -f c1
	assert_clean
}
