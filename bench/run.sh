#!/usr/bin/env bash
# Benchmarks on a throw-away local RGW.
#
# Usage: bench/run.sh S3TAR_BINARY [archive_bench.py options...]
#          s3tar against the download/tar/upload pipeline, e.g.
#          bench/run.sh build/bin/s3tar --sets small,large,mixed --paths loopback,proxy --markdown /tmp/t.md
#        bench/run.sh --scale S3TAR_BINARY [scale_bench.py options...]
#          the daily job's inventory scan and plan on a 2,000,000-row report, e.g.
#          bench/run.sh --scale build/bin/s3tar --threads 1,4 --markdown /tmp/scale.md
#        bench/run.sh S3TAR_BINARY --bench NAME [NAME_bench.py options...]
#          another benchmark, bench/NAME_bench.py, e.g.
#          bench/run.sh build/bin/s3tar --bench vanished --vanished 0,5,20,60
#          the daily job's throughput on a day of 50,000 small objects (bench/daily_bench.py):
#          bench/run.sh build/bin/s3tar --bench daily --compare old/bin/s3tar --paths loopback,proxy
#
# Starts RGW (tests/servers/rgw.sh) with a memstore big enough for the sets, their archives and
# the baseline's uploads (RGW_MEMSTORE_BYTES, default 12 GiB), runs the benchmark script, and
# stops the server even when the benchmark fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(dirname "$HERE")
SCRIPT=archive_bench.py
if [[ ${1:-} == --scale ]]; then
  SCRIPT=scale_bench.py
  shift
fi
(($# >= 1)) || { echo "usage: bench/run.sh [--scale] S3TAR_BINARY [--bench NAME] [options...]" >&2; exit 2; }
BIN=$(realpath "$1")
shift
if [[ ${1:-} == --bench ]]; then
  SCRIPT=${2:?--bench needs a name}_bench.py
  shift 2
fi
[[ -f "$HERE/$SCRIPT" ]] || { echo "bench/run.sh: no bench/$SCRIPT" >&2; exit 2; }
[[ -x "$BIN" ]] || { echo "bench/run.sh: $BIN is not executable" >&2; exit 2; }

WD=$(mktemp -d -t s3tar-bench.XXXXXX)
cleanup() {
  "$ROOT/tests/servers/rgw.sh" stop "$WD/rgw" >/dev/null 2>&1 || true
  rm -rf "$WD"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export RGW_MEMSTORE_BYTES=${RGW_MEMSTORE_BYTES:-12884901888}
"$ROOT/tests/servers/rgw.sh" start "$WD/rgw" >&2
if [[ $SCRIPT == scale_bench.py ]]; then
  python3 "$HERE/$SCRIPT" --env "$WD/rgw/env" --s3tar "$BIN" "$@"
else
  python3 "$HERE/$SCRIPT" --env "$WD/rgw/env" --s3tar "$BIN" --workdir "$WD" "$@"
fi
