#!/bin/bash
# Builds the libFuzzer harnesses of fuzz/ (clang, ASan+UBSan, in a build
# directory of their own) and runs each one for SECONDS (default 60) from
# its seed corpus fuzz/corpus/<harness>/.
#
#   fuzz/run.sh [SECONDS] [HARNESS...]
#
# Prints TAP, one line per harness ("ok 1 fuzz_config: 812345 runs in 60 s,
# coverage 1034"); exits non-zero when a harness crashed, leaked, hung or
# the build failed.  A crash's reproducer is kept in $FUZZ_ARTIFACTS
# (default build-fuzz/artifacts); replay it with
# `build-fuzz/fuzz/<harness> <file>`.  Without clang or its fuzzer runtime
# (Debian: clang, libclang-rt-14-dev) everything is skipped, with the reason.
#
# Environment: BUILD_FUZZ_DIR (default build-fuzz), FUZZ_ARTIFACTS,
# FUZZ_JOBS (harnesses run at once, default 1).
set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_FUZZ_DIR:-$REPO/build-fuzz}
ARTIFACTS=${FUZZ_ARTIFACTS:-$BUILD/artifacts}
seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
all=(fuzz_config fuzz_state fuzz_exec_process fuzz_resources fuzz_layer_unpack fuzz_containerfile fuzz_image_load fuzz_image_config fuzz_registry)
harnesses=("$@")
[ "$#" -gt 0 ] || harnesses=("${all[@]}")

skip_all() {
	echo "1..1"
	echo "ok 1 fuzz # skip $1"
	exit 0
}

CC=${CC:-clang}
command -v "$CC" >/dev/null || skip_all "no $CC: apt-get install clang libclang-rt-14-dev"
probe=$(mktemp -d /tmp/husk-fuzz-probe.XXXXXX)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void) d; (void) n; return 0; }\n' >"$probe/p.c"
"$CC" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err" ||
	skip_all "$CC cannot link -fsanitize=fuzzer,address,undefined (the fuzzer runtime, libclang-rt-14-dev, is missing?): $(head -c 200 "$probe/err" | tr '\n' ' ')"

cd "$REPO" || exit 1
if [ ! -f "$BUILD/build.ninja" ]; then
	if ! CC=$CC meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized -Dsystemd=disabled >"$probe/setup.log" 2>&1; then
		echo "1..1"
		echo "not ok 1 fuzz: meson setup $BUILD failed"
		sed 's/^/# /' "$probe/setup.log" | tail -20
		exit 1
	fi
fi
if ! ninja -C "$BUILD" "${harnesses[@]/#/fuzz/}" >"$probe/ninja.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 fuzz: ninja -C $BUILD failed"
	sed 's/^/# /' "$probe/ninja.log" | tail -30
	exit 1
fi

mkdir -p "$ARTIFACTS"
# halt_on_error: UBSan findings are crashes too; leaks are checked by
# libFuzzer (-detect_leaks, on by default with ASan).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

echo "1..${#harnesses[@]}"
n=0 failed=0
for h in "${harnesses[@]}"; do
	n=$((n + 1))
	exe=$BUILD/fuzz/$h
	if [ ! -x "$exe" ]; then
		echo "not ok $n $h: no such harness ($exe)"
		failed=$((failed + 1))
		continue
	fi
	# New inputs go to a scratch corpus: the seeds in the repository stay
	# as they are.
	scratch=$probe/corpus-$h
	mkdir -p "$scratch"
	log=$probe/$h.log
	start=$SECONDS
	"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$ARTIFACTS/$h-" \
		"$scratch" "$REPO/fuzz/corpus/$h" >"$log" 2>&1 </dev/null
	rc=$?
	took=$((SECONDS - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $h: ${runs:-?} runs in $took s, coverage ${cov:-?}"
	else
		failed=$((failed + 1))
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		why=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*ERROR: libFuzzer)' "$log")
		echo "not ok $n $h: exit $rc after $took s: ${why:-see log}; reproducer: ${artifact:-none}"
		grep -E '^ *#[0-9]+ 0x' "$log" | head -12 | sed 's/^/# /'
	fi
done
[ "$failed" -eq 0 ]
