#!/usr/bin/env bash
# Runs each libFuzzer target (tests/fuzz/<target>/: clang, ASan + UBSan, -O1) from its committed
# seed corpus for a bounded time, two at a time. Exits non-zero when a target finds a crash, a
# sanitizer report or a broken invariant; the log shows the input and where it is saved.
#
# Usage: scripts/fuzz.sh [seconds per target]   (default: $S3TAR_FUZZ_SECONDS or 20)
# Build tree: build/fuzz (S3TAR_BUILD_DIR moves build/); it builds only the fuzzers and the
# libraries they link. Inputs the fuzzers find interesting accumulate in <tree>/corpus/<target>
# between runs; findings go to <tree>/findings/. Reproduce a finding: <tree>/fuzz/fuzz_<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${S3TAR_BUILD_DIR:-$root/build}
jobs=${S3TAR_JOBS:-2}
seconds=${1:-${S3TAR_FUZZ_SECONDS:-20}}
tree=$build/fuzz

# The compiler cache when present, as in scripts/test.sh.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# Warnings are errors in the g++ trees; a warning only clang gives does not stop the fuzzing.
cmake -S . -B "$tree" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DS3TAR_FUZZ=ON -DS3TAR_TESTS=OFF -DS3TAR_WERROR=OFF "${launcher[@]}" >/dev/null
cmake --build "$tree" -j"$jobs" --target fuzz_targets

targets=()
for dir in tests/fuzz/*/; do
  [[ -f "$dir/harness.cpp" ]] && targets+=("$(basename "$dir")")
done
rm -rf "$tree/logs"
mkdir -p "$tree/logs" "$tree/findings"

# Runs one target; its log and exit status land in <tree>/logs/. libFuzzer stops itself after
# -max_total_time and fails an input that runs over -timeout; `timeout` is the last resort.
fuzz_one() {
  local name=$1 scratch=$tree/corpus/$1
  mkdir -p "$scratch"
  set +e
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout -k 10 $((seconds + 60)) \
    "$tree/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$tree/findings/$name-" "$scratch" "tests/fuzz/$name/corpus" \
    >"$tree/logs/$name.log" 2>&1
  echo $? >"$tree/logs/$name.rc"
}

running=0
for name in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$name" &
  running=$((running + 1))
done
wait

failed=()
for name in "${targets[@]}"; do
  log=$tree/logs/$name.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  corpus=$(find "$tree/corpus/$name" "tests/fuzz/$name/corpus" -type f | wc -l)
  if [[ "$(cat "$tree/logs/$name.rc")" == 0 ]]; then
    echo "fuzz_$name: ok, ${runs:-?} inputs in ${seconds}s, corpus of $corpus"
  else
    failed+=("$name")
    echo "fuzz_$name: FAILED (exit $(cat "$tree/logs/$name.rc")); the end of its log:"
    tail -n 60 "$log" | sed 's/^/  /'
  fi
done
if ((${#failed[@]})); then
  echo "fuzz.sh: ${#failed[@]} target(s) found a problem: ${failed[*]} (inputs in $tree/findings/)" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, no findings"
