# Sourced by the guest's top-level scripts (cgroup-v2.sh, criu.sh): one
# "ok - " / "not ok - " line per check, counted for their last line.
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # check NAME CMD...
	name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
