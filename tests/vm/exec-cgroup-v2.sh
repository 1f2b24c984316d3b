# exec --cgroup and delete -f with sub-cgroups on cgroup v2 (sourced by
# cgroup-v2.sh: $HUSK, $R, $B, config, check, h), as runc's exec.bats.
config '["sleep", "600"]' '{}'
h run -d -b $B e1 </dev/null >/dev/null 2>&1
C=/sys/fs/cgroup/husk-v2/c1
check "exec --cgroup ..: refused with 255" sh -c "$HUSK --root $R exec --cgroup .. e1 true 2>/tmp/err; test \$? -eq 255 && grep -q 'bad sub cgroup path' /tmp/err"
check "exec --cgroup nonexistent: refused with 255" sh -c "$HUSK --root $R exec --cgroup nonexistent e1 true 2>/tmp/err; test \$? -eq 255 && grep -q 'adding pid .*nonexistent.*No such file' /tmp/err"
check "exec --cgroup memory:x: no controller hierarchies on v2" sh -c "! $HUSK --root $R exec --cgroup memory:x e1 true 2>/tmp/err && grep -q 'unknown controller memory' /tmp/err"
check "exec --cgroup /: the container's cgroup" sh -c "$HUSK --root $R exec --cgroup / e1 cat /proc/self/cgroup | grep -qx '0::/'"
mkdir $C/foobar
check "exec --cgroup foobar: in the sub-cgroup" sh -c "$HUSK --root $R exec --cgroup foobar e1 cat /proc/self/cgroup | grep -qx '0::/foobar'"
h exec -d --cgroup foobar e1 sleep 601
mkdir -p $C/foobar/deeper
check "ps lists a process in a sub-cgroup" sh -c "$HUSK --root $R ps -f json e1 | grep -q ','"
check "delete -f with sub-cgroups" h delete -f e1
check "no cgroup left after delete -f with sub-cgroups" test ! -d $C
