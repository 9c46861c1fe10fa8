#!/usr/bin/env bash
# Benchmark s3tar against the download/tar/upload pipeline on a throw-away local RGW.
#
# Usage: bench/run.sh S3TAR_BINARY [archive_bench.py options...]
#   e.g. bench/run.sh build/bin/s3tar --sets small,large,mixed --markdown /tmp/table.md
#
# Starts RGW (tests/servers/rgw.sh) with a memstore big enough for the three sets, their
# archives and the baseline's uploads (RGW_MEMSTORE_BYTES, default 12 GiB), runs
# bench/archive_bench.py, and stops the server even when the benchmark fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(dirname "$HERE")
(($# >= 1)) || { echo "usage: bench/run.sh S3TAR_BINARY [archive_bench.py options...]" >&2; exit 2; }
BIN=$(realpath "$1")
shift
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
python3 "$HERE/archive_bench.py" --env "$WD/rgw/env" --s3tar "$BIN" --workdir "$WD" "$@"
