#!/bin/bash
# The single test command of husk.
#
#   tests/run.sh              build if needed, run the unit tests, then every
#                             tests/integration/*.bats file
#   tests/run.sh lifecycle    only tests/integration/lifecycle.bats (several
#                             names may be given; "unit" selects the unit tests,
#                             "unit/test_ids" one unit test binary; "vm" the
#                             pure cgroup v2 checks of tests/vm in a QEMU guest;
#                             "fuzz" the libFuzzer harnesses of fuzz/, briefly)
#
# Every file is run, whatever the previous ones gave.  The last line printed
# is always "N passed, M failed, K skipped"; the exit status is non-zero when
# anything failed or when nothing ran.
#
# Environment: HUSK_BIN (the husk to test; by default a snapshot of
# build/husk taken after the build, so that a rebuild during the run cannot
# change the binary under the tests), BATS (default: bats), HUSK_TEST_CACHE,
# HUSK_TEST_TMP, HUSK_TEST_TIMEOUT (see tests/integration/helpers.bash),
# HUSK_FILE_TIMEOUT (seconds before a whole .bats file is killed, default 900),
# HUSK_VM_RUNNER (run-in-vm.sh, which boots the cgroup v2 guest; by default
# ../shared/vm/run-in-vm.sh next to the repository, then
# /work/shared/vm/run-in-vm.sh; without one the vm suite is skipped),
# HUSK_FUZZ_SECONDS (seconds per fuzz harness, default 15: ~60 s in all).

set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$REPO/build}
BATS=${BATS:-bats}

passed=0 failed=0 skipped=0
failures=()

summary() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo
		echo "Failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
}

finish() {
	summary
	[ "$failed" -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
	exit
}

# count_tap NAME FILE EXIT_STATUS: adds the results of one TAP stream.
count_tap() {
	local name=$1 file=$2 rc=$3 line plan=0 seen=0 p=0 f=0 s=0
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			seen=$((seen + 1))
			f=$((f + 1))
			failures+=("$name: ${line#not ok }")
			;;
		"ok"*)
			seen=$((seen + 1))
			shopt -s nocasematch
			if [[ $line =~ \#[[:space:]]*skip ]]; then
				s=$((s + 1))
			else
				p=$((p + 1))
			fi
			shopt -u nocasematch
			;;
		1..*)
			plan=${line#1..}
			plan=${plan%%[!0-9]*}
			;;
		esac
	done <"$file"
	if [ -n "$plan" ] && [ "$plan" -gt "$seen" ]; then
		f=$((f + plan - seen))
		failures+=("$name: $((plan - seen)) planned test(s) did not report")
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=$((f + 1))
		failures+=("$name: exited $rc without a failing test")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# --- what to run ----------------------------------------------------------

run_unit=1
run_vm=1
run_fuzz=1
unit_only=()
bats_files=()
if [ $# -gt 0 ]; then
	run_unit=0
	run_vm=0
	run_fuzz=0
	for a in "$@"; do
		case $a in
		unit) run_unit=1 ;;
		vm) run_vm=1 ;;
		fuzz) run_fuzz=1 ;;
		unit/*) run_unit=1 unit_only+=("${a#unit/}") ;;
		*)
			name=${a##*/}
			name=${name%.bats}
			f=$REPO/tests/integration/$name.bats
			if [ ! -f "$f" ]; then
				echo "run.sh: no test file tests/integration/$name.bats" >&2
				failed=$((failed + 1))
				failures+=("$a: no such test file")
				continue
			fi
			bats_files+=("$f")
			;;
		esac
	done
else
	for f in "$REPO"/tests/integration/*.bats; do
		[ -f "$f" ] && bats_files+=("$f")
	done
fi

# --- build ----------------------------------------------------------------

cd "$REPO" || exit 1
if [ ! -f "$BUILD/build.ninja" ]; then
	echo "# meson setup $BUILD"
	if ! meson setup "$BUILD" >"$BUILD.setup.log" 2>&1; then
		cat "$BUILD.setup.log" >&2
		failed=$((failed + 1))
		failures+=("build: meson setup failed")
		finish
	fi
	rm -f "$BUILD.setup.log"
fi
echo "# ninja -C $BUILD"
if ! ninja -C "$BUILD" >/tmp/husk-run-ninja.$$ 2>&1; then
	cat /tmp/husk-run-ninja.$$ >&2
	rm -f /tmp/husk-run-ninja.$$
	failed=$((failed + 1))
	failures+=("build: ninja failed")
	finish
fi
rm -f /tmp/husk-run-ninja.$$

WORK=$(mktemp -d /tmp/husk-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${HUSK_BIN:-}" ]; then
	# A private copy: another build in this tree during the run would
	# otherwise swap the binary under the tests (or fail exec with ETXTBSY).
	cp "$BUILD/husk" "$WORK/husk"
	export HUSK_BIN=$WORK/husk
fi

# --- unit tests -----------------------------------------------------------

if [ "$run_unit" -eq 1 ]; then
	for t in "$BUILD"/tests/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		if [ ${#unit_only[@]} -gt 0 ] && ! printf '%s\n' "${unit_only[@]}" | grep -qxF "$name"; then
			continue
		fi
		echo "# unit/$name"
		(cd "$BUILD" && timeout 300 "$t") 2>&1 | tee "$WORK/tap"
		rc=${PIPESTATUS[0]}
		count_tap "unit/$name" "$WORK/tap" "$rc"
	done
fi

# --- integration tests ----------------------------------------------------

if [ ${#bats_files[@]} -gt 0 ]; then
	if ! command -v "$BATS" >/dev/null; then
		echo "run.sh: bats is not installed (apt-get install -y bats jq busybox-static)" >&2
		failed=$((failed + 1))
		failures+=("integration: bats is missing")
	elif [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: the integration tests run containers and need root" >&2
		failed=$((failed + 1))
		failures+=("integration: not root")
	else
		# Files run in parallel (each test has its own root, bundle and
		# process tag, so they do not see each other); each file's TAP
		# output is printed whole when it is done.
		jobs_max=${HUSK_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
		[ "$jobs_max" -ge 1 ] 2>/dev/null || jobs_max=1
		[ "$jobs_max" -le 4 ] || jobs_max=4
		declare -A job_of=()
		pending=("${bats_files[@]}")
		running=0
		# A file that hangs is killed after HUSK_FILE_TIMEOUT seconds and
		# counted as failed, so that one hang cannot eat CI's whole budget.
		file_timeout=${HUSK_FILE_TIMEOUT:-900}
		declare -A start_of=()
		report() { # report PID STATUS: prints and counts the file that job ran
			local pid=$1 rc=$2 f=${job_of[$1]}
			local name=${f##*/}
			echo "# integration/$name ($((SECONDS - start_of[$1])) s)"
			cat "$WORK/$name.tap"
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
				failed=$((failed + 1))
				failures+=("${name%.bats}: killed after $file_timeout s (HUSK_FILE_TIMEOUT)")
			fi
			count_tap "${name%.bats}" "$WORK/$name.tap" "$rc"
			unset "start_of[$pid]"
			unset "job_of[$pid]"
			running=$((running - 1))
		}
		while [ ${#pending[@]} -gt 0 ] || [ "$running" -gt 0 ]; do
			if [ ${#pending[@]} -gt 0 ] && [ "$running" -lt "$jobs_max" ]; then
				f=${pending[0]}
				pending=("${pending[@]:1}")
				timeout -k 30 "$file_timeout" "$BATS" --tap "$f" </dev/null >"$WORK/${f##*/}.tap" 2>&1 &
				job_of[$!]=$f
				start_of[$!]=$SECONDS
				running=$((running + 1))
				continue
			fi
			done_pid=
			rc=0
			wait -n -p done_pid "${!job_of[@]}" || rc=$?
			[ -n "$done_pid" ] && [ -n "${job_of[$done_pid]:-}" ] && report "$done_pid" "$rc"
		done
	fi
fi

# --- pure cgroup v2, in a VM ----------------------------------------------

# The host may be cgroup v1 or hybrid; the v2 driver is checked in a
# throw-away QEMU guest whose runner lives outside the repository.
vm_runner() {
	local c
	for c in ${HUSK_VM_RUNNER:+"$HUSK_VM_RUNNER"} "$REPO/../shared/vm/run-in-vm.sh" \
		/work/shared/vm/run-in-vm.sh; do
		[ -x "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

# checkpoint/restore in the guest, whose Debian kernel CRIU can dump on (the
# host's cannot: criu check fails on its vdso).  CRIU needs the socket diag
# modules, conntrack netlink and iptables (xt_mark) for a container's network
# namespace, and ip, iptables-restore, GNU tar from the host.
run_vm_criu() {
	local libcriu
	libcriu=$(ls /usr/lib/*/libcriu.so.2 2>/dev/null | head -n 1)
	echo "# vm/criu.sh"
	if [ ! -x /usr/sbin/criu ] || [ -z "$libcriu" ] || ! "$HUSK_BIN" checkpoint --help >/dev/null 2>&1; then
		echo "ok 1 vm-criu # skip criu or libcriu not installed, or husk built without checkpoint"
		skipped=$((skipped + 1))
		return
	fi
	start=$SECONDS
	"$1" --modules "overlay veth nf_tables nft_compat x_tables xt_mark unix_diag inet_diag tcp_diag udp_diag raw_diag netlink_diag af_packet_diag tun nf_conntrack nf_conntrack_netlink" \
		--files "$WORK/vm" --bin "$WORK/vm/husk" --bin /usr/sbin/criu --bin "$libcriu" \
		--bin /usr/sbin/ip --bin /usr/sbin/xtables-nft-multi --bin /usr/lib/x86_64-linux-gnu/xtables \
		--bin /usr/bin/tar -- ./criu.sh /files/husk </dev/null 2>&1 | tee "$WORK/vm-criu.tap"
	local rc=${PIPESTATUS[0]}
	echo "# vm-criu: took $((SECONDS - start)) s"
	count_tap vm-criu "$WORK/vm-criu.tap" "$rc"
}

if [ "$run_vm" -eq 1 ]; then
	echo "# vm/cgroup-v2.sh"
	if ! runner=$(vm_runner); then
		echo "ok 1 vm # skip no run-in-vm.sh (HUSK_VM_RUNNER=${HUSK_VM_RUNNER:-unset}," \
			"$REPO/../shared/vm, /work/shared/vm): the cgroup v2 checks did not run"
		skipped=$((skipped + 1))
	else
		mkdir -p "$WORK/vm"
		cp "$REPO"/tests/vm/*.sh "$WORK/vm/" && cp "$HUSK_BIN" "$WORK/vm/husk"
		start=$SECONDS
		# setpriv, newuidmap, newgidmap: rootless-v2.sh's unprivileged users;
		# jq: ns-matrix-v2.sh's configs; mkfs.ext4: engine-rootless-v2.sh's
		# ext4 store (idmapped layers on 6.1).
		"$runner" --files "$WORK/vm" --bin "$WORK/vm/husk" --bin /usr/bin/setpriv \
			--bin /usr/bin/newuidmap --bin /usr/bin/newgidmap --bin /usr/bin/jq \
			--bin /usr/sbin/mkfs.ext4 -- ./cgroup-v2.sh /files/husk \
			</dev/null 2>&1 | tee "$WORK/vm.tap"
		rc=${PIPESTATUS[0]}
		echo "# vm: ${runner##*/} took $((SECONDS - start)) s"
		count_tap vm "$WORK/vm.tap" "$rc"
		run_vm_criu "$runner"
	fi
fi

# --- fuzzing ----------------------------------------------------------------

# A short run of each harness from its seeds (clang, ASan+UBSan, in
# build-fuzz); fuzz/run.sh skips itself without clang's fuzzer runtime.
if [ "$run_fuzz" -eq 1 ]; then
	echo "# fuzz/run.sh ${HUSK_FUZZ_SECONDS:-15}"
	"$REPO/fuzz/run.sh" "${HUSK_FUZZ_SECONDS:-15}" </dev/null 2>&1 | tee "$WORK/fuzz.tap"
	rc=${PIPESTATUS[0]}
	count_tap fuzz "$WORK/fuzz.tap" "$rc"
fi

finish
