# Sourced by cgroup-v2.sh (its check/ok/bad, $HUSK and $B's rootfs): husk
# rootless, as two unprivileged users, with a cgroup v2 subtree delegated
# to the first as a systemd user session would have it (the guest has no
# systemd): /sys/fs/cgroup/rl, owned by rla, the user's shell in rl/shell.

RL=/sys/fs/cgroup/rl RB=/tmp/rl-bundle
echo 'rla:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd
echo 'rlb:x:1001:1001::/tmp:/bin/sh' >>/etc/passwd
printf 'rla:x:1000:\nrlb:x:1001:\n' >>/etc/group
echo 'rla:100000:65536' >>/etc/subuid
echo 'rla:100000:65536' >>/etc/subgid
chmod u+s "$(command -v newuidmap)" "$(command -v newgidmap)"
mkdir -p $RL/shell $RB /tmp/xdg-a /tmp/xdg-b
chown 1000:1000 $RL $RL/cgroup.procs $RL/cgroup.subtree_control $RL/cgroup.threads \
	$RL/shell $RL/shell/cgroup.procs $RL/shell/cgroup.threads $RB /tmp/xdg-a
chown 1001:1001 /tmp/xdg-b
chmod 700 /tmp/xdg-a /tmp/xdg-b
ln -s $B/rootfs $RB/rootfs
# as USER XDG CMD...: CMD as uid USER (1000: rla, in the delegated shell cgroup).
as() {
	u=$1 x=$2; shift 2
	sh -c 'if [ "$0" = 1000 ]; then echo $$ >'$RL'/shell/cgroup.procs; fi
		x=$1; shift
		exec setpriv --reuid="$0" --regid="$0" --clear-groups env XDG_RUNTIME_DIR="$x" "$@"' "$u" "$x" "$@"
}
ha() { as 1000 /tmp/xdg-a "$HUSK" "$@"; }
hb() { as 1001 /tmp/xdg-b "$HUSK" "$@"; }
ha spec --rootless --bundle $RB
sed -e 's/"terminal": true/"terminal": false/' $RB/config.json >$RB/config.json.orig
rlconfig() { # rlconfig ARGS_JSON RESOURCES_JSON [CGROUPS_PATH]
	ARGS=$1 RES=$2 CGP=${3:-c1} awk '
		BEGIN { args = ENVIRON["ARGS"]; res = ENVIRON["RES"]; cgp = ENVIRON["CGP"] }
		/"args": \[/ { print "    \"args\": " args ","; skip = 1; next }
		skip && /\]/ { skip = 0; next }
		skip { next }
		/"linux": \{/ { print; print "    \"resources\": " res ","
			print "    \"cgroupsPath\": \"" cgp "\","; next }
		/"namespaces": \[/ { print; print "      { \"type\": \"cgroup\" },"; next }
		{ print }
	' $RB/config.json.orig >$RB/config.json
	chown 1000:1000 $RB/config.json
}

# 1. a single-id mapping, setgroups denied, limits in the delegated subtree
rlconfig '["sh", "-c", "cat /proc/self/uid_map /proc/self/setgroups /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"]' \
	'{"memory": {"limit": 33554432}, "pids": {"limit": 20}}'
ha run -b $RB r1 >/tmp/out 2>&1
check "rootless: uid_map of one id" grep -q '^ *0 *1000 *1$' /tmp/out
check "rootless: setgroups denied" grep -qx deny /tmp/out
check "rootless: memory.max in the delegated cgroup" grep -qx 33554432 /tmp/out
check "rootless: pids.max in the delegated cgroup" grep -qx 20 /tmp/out
check "rootless: state root under XDG_RUNTIME_DIR, the user's, 0700" sh -c "[ \"\$(stat -c '%u %a' /tmp/xdg-a/husk)\" = '1000 700' ]"
check "rootless: cgroup removed after run" eval 'grep -qx 20 /tmp/out && test ! -d $RL/c1'
grep -qx deny /tmp/out || cat /tmp/out

# 2. the lifecycle, with pause and update where the cgroup is delegated
rlconfig '["sleep", "100"]' '{"pids": {"limit": 50}}'
ha create -b $RB r2 </dev/null >/tmp/out 2>&1 || cat /tmp/out
check "rootless: created" eval 'ha state r2 | grep -q "\"created\""'
ha start r2
check "rootless: running in rl/c1" grep -q . $RL/c1/cgroup.procs
check "rootless: exec" eval '[ "$(ha exec r2 echo in-exec)" = in-exec ]'
check "rootless: ps" eval "ha ps r2 | grep -q 'sleep 100'"
check "rootless: list names the user" eval "ha list | grep -q 'r2 .*rla'"
ha pause r2
check "rootless: pause (cgroup.freeze)" grep -qx 1 $RL/c1/cgroup.freeze
ha resume r2
ha update --pids-limit 33 r2
check "rootless: update pids.max" grep -qx 33 $RL/c1/pids.max
# 3. another user neither sees nor touches it
check "rootless: B lists nothing of A's" eval 'ha list -q | grep -qx r2 && [ -z "$(hb list -q)" ]'
check "rootless: B cannot kill A's container" eval "! hb --root /tmp/xdg-a/husk kill r2 KILL 2>/dev/null && ha state r2 | grep -q running"
check "rootless: B cannot delete A's container" eval "! hb --root /tmp/xdg-a/husk delete -f r2 2>/dev/null && ha state r2 | grep -q running"
ha kill r2 KILL
sleep 0.5
check "rootless: delete removes the cgroup" eval 'ha delete r2 && test ! -d $RL/c1'
check "rootless: delete removes the state" eval '[ -d /tmp/xdg-a/husk ] && test ! -e /tmp/xdg-a/husk/r2'

# 4. outside the delegated subtree: no limits run without a cgroup, limits fail
rlconfig '["cat", "/proc/self/cgroup"]' '{}' /not-delegated/c1
ha run -b $RB r3 >/tmp/out 2>&1
check "rootless: no limits, undelegated path: runs without a cgroup" grep -q '^0::' /tmp/out
check "rootless: no cgroup made" eval 'grep -q "^0::" /tmp/out && test ! -d /sys/fs/cgroup/not-delegated'
rlconfig '["true"]' '{"memory": {"limit": 33554432}}' /not-delegated/c1
ha run -b $RB r4 >/tmp/out 2>&1; rc=$?
check "rootless: limits, undelegated path: refused (rc $rc), why in one line" sh -c "[ $rc -eq 1 ] && [ \$(wc -l </tmp/out) -eq 1 ] && grep -q 'is not delegated to uid 1000' /tmp/out"
grep -q 'is not delegated' /tmp/out || cat /tmp/out
check "rootless: nothing left in the state root" sh -c '[ -d /tmp/xdg-a/husk ] && [ -z "$(ls -A /tmp/xdg-a/husk)" ]'
rmdir $RL/shell $RL 2>/dev/null
