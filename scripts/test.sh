#!/usr/bin/env bash
# The project's test command: installs what is missing, builds, and runs every test:
#   1. unit and fault tests (no servers),
#   2. integration and end-to-end tests against real Ceph RGW and moto on 127.0.0.1, then again
#      against RGW in its AWS-like mode (HTTPS + virtual-hosted), directly and through a proxy,
#   3. unit and fault tests again in an AddressSanitizer + UndefinedBehaviorSanitizer build,
#   4. those that start threads again in a ThreadSanitizer build,
#   5. each libFuzzer target (tests/fuzz/) for a bounded time from its seed corpus;
# with source checks first (clang-format, file length). Exits non-zero when any test or check
# fails. Build trees under build/ (S3TAR_BUILD_DIR moves build/): release, asan, tsan, fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${S3TAR_BUILD_DIR:-$root/build}
jobs=${S3TAR_JOBS:-2}

# Each stage prints the seconds since the start, so a slow stage shows in the log.
stage() { echo "== $* [${SECONDS}s]"; }

bash scripts/setup.sh

# Compiler cache: the test command builds several trees (plain, sanitizers) and is run again and
# again on the same machine; paths are taken relative to the checkout so that another clone of
# the same sources reuses the cache.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

stage "build flags: -Werror for developers and CI, not in a plain Release build"
bash scripts/check-build-flags.sh

# A source check's failure fails the run at the end, so that it does not hide the tests' results.
stage "source checks: clang-format, no new C++ file over 600 lines"
source_checks=ok
bash scripts/check-format.sh || source_checks=failed
bash scripts/check-file-length.sh || source_checks=failed

stage "build (RelWithDebInfo, -Wall -Wextra -Werror)"
cmake -S . -B "$build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3TAR_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build/release" -j"$jobs"

stage "deployment files: Dockerfile lint, IAM policies, cfn-lint, state machines, systemd, cron"
bash scripts/check-deploy.sh --binary "$build/release/bin/s3tar"

stage "container image: debootstrap base, multi-stage build, smoke run against moto"
bash scripts/container-check.sh

# Every test has a ctest TIMEOUT (tests/CMakeLists.txt). A test that times out is run once more
# (--repeat after-timeout:2): the timeout stays in the log, and only a test that hangs twice
# fails the run. A once-seen stall of a fault test (a helper process on a loaded machine) must
# not cost a whole CI run; a real deadlock hangs again.
retry_hung=(--repeat after-timeout:2)

stage "unit and fault tests"
ctest --test-dir "$build/release" -L 'unit|fault' --output-on-failure -j"$jobs" "${retry_hung[@]}"

stage "integration and end-to-end tests against RGW and moto"
tests/servers/with-servers.sh -- ctest --test-dir "$build/release" -L integration --output-on-failure

stage "integration and end-to-end tests, AWS path: RGW over HTTPS + virtual-hosted, direct and via a proxy"
bash scripts/test-aws-path.sh "$build/release"

stage "unit and fault tests under ASan + UBSan"
cmake -S . -B "$build/asan" -DCMAKE_BUILD_TYPE=Debug -DS3TAR_SANITIZE=ON -DS3TAR_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build/asan" -j"$jobs" --target unit_fault_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$build/asan" -L 'unit|fault' --output-on-failure -j"$jobs" "${retry_hung[@]}"

# ThreadSanitizer finds races between threads, so it builds and runs only the test executables
# whose code under test starts threads: the HTTP event loop (http, fault: the client and the
# executor), SigV4's shared key cache (sigv4), credential refresh (credentials), the inventory
# reader's pool (inventory), the daily job's parallel tagging (scheduler), the restore's parallel
# HEADs (catalog). The pure ones (plan, tar, s3's parsing and retry rules, cli options) cannot
# show a race, and the planner's property and golden tests are the slowest under TSan.
stage "unit and fault tests that start threads, under ThreadSanitizer"
tsan_tests=(test_http test_fault test_sigv4 test_credentials test_inventory test_scheduler test_catalog)
cmake -S . -B "$build/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3TAR_TSAN=ON -DS3TAR_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build/tsan" -j"$jobs" --target "${tsan_tests[@]}"
# ctest lists each executable left unbuilt as one test <name>_NOT_BUILT: left out on purpose (so
# build nothing else in this tree). tests/tsan.supp says why each suppression is no race.
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp \
  ctest --test-dir "$build/tsan" -L 'unit|fault' -E '_NOT_BUILT$' --output-on-failure -j"$jobs"

stage "fuzzing: each libFuzzer target from its seed corpus for ${S3TAR_FUZZ_SECONDS:-20}s"
bash scripts/fuzz.sh

if [[ $source_checks != ok ]]; then
  stage "tests passed, but the source checks failed (see above; formatting: scripts/check-format.sh --fix)" >&2
  exit 1
fi
stage "all tests passed"
